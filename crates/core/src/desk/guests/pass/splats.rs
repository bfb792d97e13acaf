//! The pass's SPLATS guest: made, remade when the booking changes, deleted with the
//! booking. Each step holds the pass's in-flight mark and is audited.

use super::{in_flight, live, qr_of, LivePass};
use crate::clouds::splats::model::{GuestInput, QrIssuing};
use crate::clouds::splats::SplatsClient;
use crate::desk::audit::{self, AuditEvent};
use crate::desk::cache;
use crate::desk::guests::access;
use crate::platform::clock;
use crate::platform::config::Config;
use crate::platform::db::Db;
use crate::platform::error::{Code, Error, Result};
use crate::platform::model::Guest;
use crate::platform::secrets::{names, ExposeSecret, SecretStore, SecretString};
use rusqlite::params;

/// Makes the SPLATS guest for `wanted` (from, until, SPLATS areas) with the pass's QR.
/// The row is written first, so a crash or a lost answer leaves a pass to revoke; a
/// create SPLATS refused made nothing, and its row goes.
pub(super) async fn create(
    db: &Db,
    client: &SplatsClient,
    g: &Guest,
    (from, until, areas): (i64, i64, Vec<String>),
    qr: &SecretString,
    actor: &str,
) -> Result<()> {
    if areas.is_empty() {
        return Err(Error::invalid(
            Code::SplatsAreaUnmapped,
            "このご予約の部屋に SPLATS のエリアが割り当てられていません（設定 → 店舗とドア）",
            "no room of this booking has a SPLATS area (Settings → Stores and doors)",
        ));
    }
    let (id, now, json) = (g.id.clone(), clock::now_unix(), serde_json::json!(areas).to_string());
    db.write(move |c| {
        c.execute(
            "INSERT INTO guest_passes (guest_id, valid_from, valid_until, splats_area_ids, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (guest_id) DO UPDATE SET valid_from = excluded.valid_from,
               valid_until = excluded.valid_until, splats_area_ids = excluded.splats_area_ids,
               splats_guest_id = NULL, revoked_at = NULL",
            params![id, from, until, json, now],
        )?;
        Ok(())
    })
    .await?;
    let input = GuestInput {
        guest_name: g.name.clone(),
        use_date_start: clock::iso_jst(from),
        use_date_end: clock::iso_jst(until),
        qrcode_issuing_method: Some(QrIssuing { qrcode_data: qr.expose_secret().to_string() }),
        area_id_list: areas,
        key_devices_list: Vec::new(),
        return_grace_period: None,
    };
    let sent = client.create_guest(&input).await;
    let made = sent.as_ref().ok().map(|s| s.guest_id.clone());
    // Refused outright: nothing was made. Unknown (a lost answer): the row stays.
    let nothing_made = matches!(&sent, Err(e) if e.code() != Code::Uncertain);
    let event =
        AuditEvent::new(actor, "pass.issue", Some(&g.id), sent.is_ok()).with_detail(serde_json::json!({
            "splats_guest_id": made, "valid_from": from, "valid_until": until,
            "error": sent.as_ref().err().map(|e| e.code()),
        }));
    let id = g.id.clone();
    db.write(move |c| {
        let tx = c.transaction()?;
        if nothing_made {
            tx.execute("DELETE FROM guest_passes WHERE guest_id = ?1 AND splats_guest_id IS NULL", [&id])?;
        } else {
            tx.execute(
                "UPDATE guest_passes SET splats_guest_id = ?2 WHERE guest_id = ?1 AND revoked_at IS NULL",
                params![id, made],
            )?;
        }
        audit::record(&tx, &event)?;
        tx.commit()?;
        Ok(())
    })
    .await?;
    sent.map(|_| ())
}

/// Brings a live pass up to the booking: when its rooms or window changed, the SPLATS
/// guest is deleted and made again with the same QR (SPLATS has no documented guest
/// update), so the slip the guest holds keeps working, for the new rooms and window.
/// Nothing to do without a live pass, or when nothing changed.
pub async fn refresh(
    db: &Db,
    client: &SplatsClient,
    secrets: &dyn SecretStore,
    config: &Config,
    guest_id: &str,
    actor: &str,
) -> Result<()> {
    let (id, cfg) = (guest_id.to_string(), config.clone());
    let found = db
        .read(move |c| {
            let Some(g) = cache::get_guest(c, &id)? else { return Ok(None) };
            let Some(pass) = live(c, &id)? else { return Ok(None) };
            Ok(Some((access::desired(c, &cfg, &g)?, pass, g)))
        })
        .await?;
    let Some((wanted, pass, g)) = found else { return Ok(()) };
    if (pass.valid_from, pass.valid_until, &pass.splats_area_ids) == (wanted.0, wanted.1, &wanted.2) {
        return Ok(());
    }
    let _in_flight = in_flight(db, &g)?;
    delete(db, client, &g.id, &pass, "pass.remake", actor).await?;
    create(db, client, &g, wanted, &qr_of(secrets, guest_id)?, actor).await
}

/// Ends the guest's pass: deletes its SPLATS guest (already gone counts as deleted) and
/// forgets the QR. Called by the outbox's revoke with the member's.
///
/// A pass whose create's answer was lost has no SPLATS guest on record, and SPLATS has
/// no guest lookup: it is marked revoked (nothing more can be done from here), and the
/// audit row says so with the time that guest, if it was made, stops opening by itself.
pub async fn revoke(
    db: &Db,
    client: &SplatsClient,
    secrets: &dyn SecretStore,
    guest_id: &str,
    actor: &str,
) -> Result<()> {
    let id = guest_id.to_string();
    let found = db.read(move |c| Ok(live(c, &id)?.zip(cache::get_guest(c, &id)?))).await?;
    let Some((pass, g)) = found else { return Ok(()) };
    let _in_flight = in_flight(db, &g)?;
    delete(db, client, guest_id, &pass, "pass.revoke", actor).await?;
    secrets.delete(&names::guest_pass_qr(guest_id))?;
    Ok(())
}

/// Deletes the pass's SPLATS guest, marks the pass revoked and audits it as `action`.
async fn delete(
    db: &Db,
    client: &SplatsClient,
    guest_id: &str,
    pass: &LivePass,
    action: &str,
    actor: &str,
) -> Result<()> {
    let deleted = match &pass.splats_guest_id {
        Some(g) => match client.delete_guest(g).await {
            Err(Error::Rejected { status: 404, .. }) => Ok(()),
            r => r,
        },
        None => Ok(()),
    };
    let unknown = pass.splats_guest_id.is_none();
    let detail = serde_json::json!({
        "splats_guest_id": pass.splats_guest_id,
        "error": deleted.as_ref().err().map(|e| e.code()),
        // A guest made by a create whose answer was lost: it cannot be found to delete.
        "unknown_guest_expires_at": unknown.then_some(pass.valid_until),
    });
    let event =
        AuditEvent::new(actor, action, Some(guest_id), deleted.is_ok() && !unknown).with_detail(detail);
    let (id, ok) = (guest_id.to_string(), deleted.is_ok());
    db.write(move |c| {
        let tx = c.transaction()?;
        if ok {
            tx.execute(
                "UPDATE guest_passes SET revoked_at = ?2 WHERE guest_id = ?1 AND revoked_at IS NULL",
                params![id, clock::now_unix()],
            )?;
        }
        audit::record(&tx, &event)?;
        tx.commit()?;
        Ok(())
    })
    .await?;
    deleted
}
