//! Many guests' members made at once: a large day issues hundreds of bookings at its
//! first cycle, and one create each would spend the hour's 720 SPLATS calls on a chain
//! of stores. Bulk creates carry up to 1,000 members a request ([`crate::clouds::splats::bulk`]);
//! the seeds, which a bulk result does not carry, are read back with the member listing
//! in pages of 1,000. So 2,000 issues cost about ten calls instead of 2,000.
//!
//! Guests whose earlier attempt may have reached SPLATS (a bulk request whose answer was
//! lost, a process killed mid-request) are looked up in one listing first: a member made
//! as asked is adopted as it is, one that differs is brought up to date, and only the
//! rest are made. So a failed bulk request never turns into one listing per guest.

use super::issue::{keep_member, member_input};
use super::{desired, guest, member_code, summary};
use crate::clouds::splats::bulk::{self, Polling, Tag};
use crate::clouds::splats::SplatsClient;
use crate::desk::audit::AuditEvent;
use crate::platform::config::Config;
use crate::platform::db::Db;
use crate::platform::error::Result;
use crate::platform::secrets::SecretStore;
use std::collections::HashMap;

/// How long a bulk create is waited for: less than the outbox's hold on the ops it
/// carries, so that no other runner takes them while the request is still running.
const BULK_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(240);

/// Members by their code; of two with one code (a cloud that took a repeated code) the
/// first listed is kept.
fn by_code(
    members: Vec<crate::clouds::splats::model::Member>,
) -> HashMap<String, crate::clouds::splats::model::Member> {
    let mut out = HashMap::new();
    for m in members {
        if let Some(code) = m.member_code.clone() {
            out.entry(code).or_insert(m);
        }
    }
    out
}

/// Makes the members of guests who have none, in bulk; `(guest, maybe_made)`, the second
/// true when an earlier attempt may have made the member already. Answers, per guest,
/// whether their member is made and kept; one not made is left to the next try, which
/// looks it up by code first (the bulk request may have made it after all).
pub async fn issue_many(
    db: &Db,
    client: &SplatsClient,
    secrets: &dyn SecretStore,
    config: &Config,
    actor: &str,
    guests: &[(String, bool)],
) -> Result<Vec<(String, bool)>> {
    let maybe: std::collections::HashSet<String> =
        guests.iter().filter(|(_, m)| *m).map(|(g, _)| g.clone()).collect();
    let (ids, c) = (guests.iter().map(|(g, _)| g.clone()).collect::<Vec<_>>(), config.clone());
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
    // Those that may exist already, found in one listing: adopted as they are when made
    // as asked, else brought up to date (one call each: only for members that differ).
    let mut made: HashMap<String, crate::clouds::splats::model::Member> =
        if maybe.is_empty() { HashMap::new() } else { by_code(client.all_members().await?) };
    for (id, _, want) in &wanted {
        let (Some((input, _)), Some(m)) = (want, made.get(&member_code(id))) else { continue };
        let as_asked = m.use_date_start == input.use_date_start
            && m.use_date_end == input.use_date_end
            && m.devices_pass == input.devices_pass;
        if !as_asked {
            let updated = client.update_member(&m.member_id.clone(), input).await?;
            made.insert(member_code(id), updated);
        }
    }
    let bodies: Vec<serde_json::Value> = wanted
        .iter()
        .filter(|(id, _, _)| !made.contains_key(&member_code(id)))
        .filter_map(|(_, _, w)| w.as_ref())
        .map(|(input, _)| serde_json::to_value(input).unwrap_or_default())
        .collect();
    if !bodies.is_empty() {
        let polling = Polling { timeout: BULK_TIMEOUT, ..Polling::default() };
        bulk::run(client, Tag::Create, &bodies, polling, |_, _| {}).await?;
        made.extend(by_code(client.all_members().await?));
    }
    let offset = client.clock_offset();
    let mut out = Vec::with_capacity(wanted.len());
    for (id, live, want) in wanted {
        let kept = match (want, made.remove(&member_code(&id))) {
            (Some((_, window)), Some(member))
                if member
                    .qrcode
                    .as_ref()
                    .and_then(|q| q.one_time_qr.as_ref())
                    .and_then(|o| o.totp_seed.as_ref())
                    .is_some() =>
            {
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
