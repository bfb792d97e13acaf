//! Ending a guest's access: the member deleted, the seed forgotten, every try audited.

use super::{member_code, summary};
use crate::clouds::splats::SplatsClient;
use crate::desk::audit::{self, AuditEvent};
use crate::platform::db::Db;
use crate::platform::error::{Error, Result};
use crate::platform::secrets::{names, SecretStore};
use crate::{desk::outbox, platform::clock};
use rusqlite::{params, Connection};

/// Ends the guest's access: deletes the SPLATS member and forgets the seed. Safe to
/// repeat: a member that is already gone counts as deleted. Without a member on record,
/// a member may still exist when an issue was sent and its reply lost (`maybe_sent`):
/// then it is looked up by its code.
pub async fn remove(
    db: &Db,
    client: &SplatsClient,
    secrets: &dyn SecretStore,
    guest_id: &str,
    reason: &str,
    maybe_sent: bool,
    actor: &str,
) -> Result<()> {
    // A printed pass goes with the booking's other access. Either failing leaves the
    // other to be done now, and the op to be tried again for the one that failed.
    let pass = crate::desk::guests::pass::revoke(db, client, secrets, guest_id, actor).await;
    let member = remove_member(db, client, secrets, guest_id, reason, maybe_sent, actor).await;
    pass.and(member)
}

/// The member half of [`remove`].
async fn remove_member(
    db: &Db,
    client: &SplatsClient,
    secrets: &dyn SecretStore,
    guest_id: &str,
    reason: &str,
    maybe_sent: bool,
    actor: &str,
) -> Result<()> {
    let id = guest_id.to_string();
    let existing = db.read(move |conn| summary(conn, &id)).await?;
    // Without a live member on record, one may still exist when an issue was sent and
    // its answer lost — also after an earlier revoke (revoked, re-issued, lost, cancelled).
    let member_id = match existing {
        Some(e) if e.revoked_at.is_none() => Some(e.splats_member_id),
        _ if maybe_sent => {
            let code = member_code(guest_id);
            client
                .all_members()
                .await?
                .into_iter()
                .find(|m| m.member_code.as_deref() == Some(&code))
                .map(|m| m.member_id)
        }
        Some(_) => return Ok(()),
        None => None,
    };
    let result = match &member_id {
        Some(m) => match client.delete_member(m).await {
            Err(Error::Rejected { status: 404, .. }) => Ok(()),
            r => r,
        },
        None => Ok(()),
    };
    if result.is_ok() {
        secrets.delete(&names::guest_seed(guest_id))?;
    }
    let detail = serde_json::json!({ "member_id": member_id, "reason": reason, "error": result.as_ref().err().map(|e| e.code()) });
    let ev = AuditEvent::new(actor, "access.revoke", Some(guest_id), result.is_ok()).with_detail(detail);
    let (id, ok) = (guest_id.to_string(), result.is_ok());
    db.write(move |conn| {
        let tx = conn.transaction()?;
        if ok {
            tx.execute(
                "UPDATE guest_access SET revoked_at = ?2 WHERE guest_id = ?1 AND revoked_at IS NULL",
                params![id, clock::now_unix()],
            )?;
        }
        audit::record(&tx, &ev)?;
        tx.commit()?;
        Ok(())
    })
    .await?;
    result
}

/// Checks the guest out and queues the end of their access, in one transaction, so
/// that the revoke happens even if SPLATS is down now or the app stops. Returns
/// whether a revoke was queued.
pub fn check_out(conn: &mut Connection, guest_id: &str, now: i64, actor: &str) -> Result<bool> {
    crate::desk::staff::role::require_here(conn, crate::desk::staff::role::Deed::Change)?;
    let tx = conn.transaction()?;
    crate::desk::guests::mark_checked_out(&tx, guest_id, now)?;
    audit::record(&tx, &AuditEvent::new(actor, "guest.check_out", Some(guest_id), true))?;
    let queued = queue_revoke(&tx, guest_id, "checked_out", now)?;
    tx.commit()?;
    Ok(queued)
}

/// Queues the end of the guest's access, if there is any to end: a live member or
/// printed pass, or an op still waiting (an issue whose reply may have been lost). Call it inside the
/// transaction that records why. Returns whether a revoke was queued.
pub fn queue_revoke(conn: &Connection, guest_id: &str, reason: &str, now: i64) -> Result<bool> {
    let has_member = summary(conn, guest_id)?.is_some_and(|s| s.revoked_at.is_none());
    let has_pass = crate::desk::guests::pass::is_live(conn, guest_id)?;
    let queued = has_member || has_pass || outbox::waiting_for(conn, guest_id)?.is_some();
    if queued {
        outbox::enqueue(conn, guest_id, outbox::Op::Revoke, reason, now)?;
    }
    Ok(queued)
}
