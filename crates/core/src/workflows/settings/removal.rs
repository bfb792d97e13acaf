//! Removing a store or an area made by hand without leaving door rights behind.
//!
//! Deleting the rows cascades the store's guests and their access records away; a live
//! SPLATS member of one of them would then open the doors until its window ends, and
//! nothing would know to revoke it. So the members of the guests who would go are
//! revoked first (over the network, each audited), and the rows are removed only when
//! every revoke went through; otherwise nothing is removed and the manager is told who
//! still has access.

use super::doors;
use crate::clouds::splats::SplatsClient;
use crate::desk::doors::lock::Target;
use crate::desk::guests::access;
use crate::desk::staff::role::{self, Deed};
use crate::platform::db::Db;
use crate::platform::error::{Code, Error, Result};
use crate::platform::secrets::SecretStore;
use crate::{desk::cache, desk::outbox};
use rusqlite::Connection;

/// Guests of the store, or booked into the area, who hold door access (a live member,
/// or an issue still waiting whose member may exist), with whether it may have been sent.
fn holders_of(conn: &Connection, target: &Target) -> Result<Vec<(String, String, bool)>> {
    let sql = match target {
        Target::Entrance(_) => "SELECT id FROM guests WHERE store_id = ?1",
        Target::Area(_) => "SELECT guest_id FROM guest_areas WHERE area_id = ?1",
    };
    let id = match target {
        Target::Entrance(id) | Target::Area(id) => id,
    };
    let ids: Vec<String> =
        conn.prepare(sql)?.query_map([id], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
    let mut out = Vec::new();
    for g in ids {
        let live = access::summary(conn, &g)?.is_some_and(|s| s.revoked_at.is_none());
        let waiting = outbox::waiting_for(conn, &g)?.filter(|w| !w.op.removes());
        if live || waiting.is_some() {
            let name = cache::get_guest(conn, &g)?.map(|x| x.name).unwrap_or_default();
            out.push((g, name, waiting.is_some_and(|w| w.maybe_sent)));
        }
    }
    Ok(out)
}

/// Removes the store or area after revoking the door access of the guests it takes
/// with it. `client` is SPLATS, when set up; without it a removal that would leave
/// access behind is refused.
pub async fn remove_door(
    db: &Db,
    client: Option<&SplatsClient>,
    secrets: &std::sync::Arc<dyn SecretStore>,
    target: &Target,
    actor: &str,
) -> Result<()> {
    db.read(|c| role::require_here(c, Deed::Change)).await?;
    let t = target.clone();
    let holders = db.read(move |c| holders_of(c, &t)).await?;
    if !holders.is_empty() {
        let client = client.ok_or_else(|| still_inside(&holders))?;
        for (guest, _, maybe_sent) in &holders {
            access::remove(db, client, secrets.as_ref(), guest, "door_removed", *maybe_sent, actor)
                .await
                .map_err(|_| still_inside(&holders))?;
        }
    }
    // Looked at again in the write that removes: the worker may have issued meanwhile.
    let (t, actor, secrets) = (target.clone(), actor.to_string(), secrets.clone());
    db.write(move |c| {
        let left = holders_of(c, &t)?;
        if !left.is_empty() {
            return Err(still_inside(&left));
        }
        doors::remove(c, secrets.as_ref(), &t, &actor)
    })
    .await
}

/// The refusal that names who still holds access (three names, then a count).
fn still_inside(holders: &[(String, String, bool)]) -> Error {
    let names: Vec<&str> = holders.iter().take(3).map(|(_, n, _)| n.as_str()).collect();
    let more = holders.len().saturating_sub(3);
    let (ja_more, en_more) = if more > 0 {
        (format!(" ほか {more} 名"), format!(" and {more} more"))
    } else {
        Default::default()
    };
    Error::invalid(
        Code::LiveAccessRemains,
        format!(
            "{}{ja_more}のドアの権限を取り消せないため、削除していません。SPLATS につながってからもう一度削除してください",
            names.join("、")
        ),
        format!(
            "not removed: the door access of {}{en_more} could not be revoked; remove it again once SPLATS is reachable",
            names.join(", ")
        ),
    )
}
