//! Many guests' members made at once: a large day issues hundreds of bookings at its
//! first cycle, and one create each would spend the hour's 720 SPLATS calls on a chain
//! of stores. Bulk creates carry up to 1,000 members a request ([`crate::splats::bulk`]);
//! the seeds, which a bulk result does not carry, are read back with the member listing
//! in pages of 1,000. So 2,000 issues cost about ten calls instead of 2,000.

use super::issue::{keep_member, member_input};
use super::{desired, guest, member_code, summary};
use crate::audit::AuditEvent;
use crate::config::Config;
use crate::db::Db;
use crate::error::Result;
use crate::secrets::SecretStore;
use crate::splats::bulk::{self, Polling, Tag};
use crate::splats::SplatsClient;
use std::collections::HashMap;

/// Makes the members of guests who have none, in bulk. Answers, per guest, whether their
/// member is made and kept; one not made is left to the one-by-one path, which looks it
/// up by code first (the bulk request may have made it after all).
pub async fn issue_many(
    db: &Db,
    client: &SplatsClient,
    secrets: &dyn SecretStore,
    config: &Config,
    actor: &str,
    guest_ids: &[String],
) -> Result<Vec<(String, bool)>> {
    let (ids, c) = (guest_ids.to_vec(), config.clone());
    // Per guest: the member to make and its window, or None when it cannot be (an
    // unmapped room) or needs none (a member was made meanwhile, at the counter).
    let wanted = db
        .read(move |conn| {
            ids.into_iter()
                .map(|id| {
                    let live = summary(conn, &id)?.is_some_and(|s| s.revoked_at.is_none());
                    let g = guest(conn, &id)?;
                    let want = match desired(conn, &c, &g) {
                        Ok((from, until, areas)) if !live => {
                            Some((member_input(&c, &g, from, until, &areas)?, (from, until, areas)))
                        }
                        _ => None,
                    };
                    Ok((id, live, want))
                })
                .collect::<Result<Vec<_>>>()
        })
        .await?;
    let bodies: Vec<serde_json::Value> = wanted
        .iter()
        .filter_map(|(_, _, w)| w.as_ref())
        .map(|(input, _)| serde_json::to_value(input).unwrap_or_default())
        .collect();
    if !bodies.is_empty() {
        bulk::run(client, Tag::Create, &bodies, Polling::default(), |_, _| {}).await?;
    }
    let mut made: HashMap<String, _> = if bodies.is_empty() {
        HashMap::new()
    } else {
        client.all_members().await?.into_iter().filter_map(|m| Some((m.member_code.clone()?, m))).collect()
    };
    let offset = client.clock_offset();
    let mut out = Vec::with_capacity(wanted.len());
    for (id, live, want) in wanted {
        let kept = match (want, made.remove(&member_code(&id))) {
            (Some((_, window)), Some(member)) => {
                let detail = serde_json::json!({
                    "member_id": member.member_id, "areas": window.2, "from": window.0, "until": window.1, "bulk": true,
                });
                let ok = AuditEvent::new(actor, "access.issue", Some(&id), true).with_detail(detail);
                keep_member(db, client, secrets, config, &id, member, window, offset, ok).await.is_ok()
            }
            _ => live,
        };
        out.push((id, kept));
    }
    Ok(out)
}
