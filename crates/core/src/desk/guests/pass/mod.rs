//! A printed pass for a guest without a smartphone: a slip with their name, rooms, time
//! window and a fixed QR that opens only their doors, only during their window.
//!
//! The QR belongs to a SPLATS **guest** (`POST /v1/guests` with `qrcode_issuing_method`),
//! not to a member: SPLATS itself refuses a guest's QR outside `use_date_start` …
//! `use_date_end` and at any area not in its `area_id_list`, and deletes the guest a week
//! after the end. A printed slip can be lost or copied; bounded by the cloud, it opens
//! nothing once the booking's window is over even if our revoke never ran. A member's
//! fixed QR would open until someone deleted the member (docs/passes.md).
//!
//! The pass is revoked with the booking's other access: the outbox's revoke deletes the
//! SPLATS guest too ([`revoke`]). SPLATS has no guest lookup, so a create whose answer
//! was lost cannot be checked: printed again, the same QR is sent again, and a duplicate
//! guest, if one was made, opens the same doors in the same window and expires with it.

pub mod escpos;
pub mod print;
pub mod render;

use crate::clouds::splats::model::{GuestInput, QrIssuing};
use crate::clouds::splats::SplatsClient;
use crate::desk::audit::{self, AuditEvent};
use crate::desk::guests::{self, access};
use crate::desk::staff::role::{self, Deed};
use crate::platform::clock;
use crate::platform::config::Config;
use crate::platform::db::{Connection, Db};
use crate::platform::error::{Code, Error, Result};
use crate::platform::secrets::{names, ExposeSecret, SecretStore, SecretString};
use rusqlite::{params, OptionalExtension};

/// What a slip shows. The QR is a secret: it opens doors until the window ends.
#[derive(Debug, Clone)]
pub struct Slip {
    pub store_name: String,
    pub guest_name: String,
    pub rooms: Vec<String>,
    /// The booking's own times (the QR's window adds the grace either side).
    pub starts_at: i64,
    pub ends_at: i64,
    pub qr: SecretString,
}

/// Makes (or finds) the guest's pass and answers its slip. Asked again, the same pass
/// comes back; after an answer that was lost, the same QR is sent again.
pub async fn issue(
    db: &Db,
    client: &SplatsClient,
    secrets: &dyn SecretStore,
    config: &Config,
    guest_id: &str,
    actor: &str,
) -> Result<Slip> {
    role::require(config, Deed::Credential)?;
    let (id, cfg) = (guest_id.to_string(), config.clone());
    let (view, store_name, (from, until, areas), made) = db
        .read(move |c| {
            let view = guests::view(c, &id, clock::now_unix())?;
            let store =
                crate::desk::cache::get_store(c, &view.guest.store_id)?.map(|s| s.name).unwrap_or_default();
            Ok((view.clone(), store, access::desired(c, &cfg, &view.guest)?, made(c, &id)?))
        })
        .await?;
    refuse_if_over(&view, until)?;
    let qr = match secrets.get(&names::guest_pass_qr(guest_id))? {
        Some(qr) => qr,
        None => {
            let fresh = format!("UKP{:016X}", rand::random::<u64>());
            secrets.set(&names::guest_pass_qr(guest_id), &fresh)?;
            SecretString::from(fresh)
        }
    };
    if made.is_none() {
        create(db, client, &view.guest, (from, until, areas), &qr, actor).await?;
    }
    let gid = guest_id.to_string();
    db.write(move |c| {
        Ok(c.execute("UPDATE guest_passes SET printed_count = printed_count + 1 WHERE guest_id = ?1", [gid])?)
    })
    .await?;
    Ok(Slip {
        store_name,
        guest_name: view.guest.name.clone(),
        rooms: view.area_names.clone(),
        starts_at: view.guest.starts_at,
        ends_at: view.guest.ends_at,
        qr,
    })
}

/// The SPLATS guest of a live pass, if one was made.
fn made(conn: &Connection, guest_id: &str) -> Result<Option<String>> {
    Ok(conn
        .query_row(
            "SELECT splats_guest_id FROM guest_passes WHERE guest_id = ?1 AND revoked_at IS NULL",
            [guest_id],
            |r| r.get::<_, Option<String>>(0),
        )
        .optional()?
        .flatten())
}

fn refuse_if_over(view: &guests::GuestView, until: i64) -> Result<()> {
    use guests::GuestStatus::{Cancelled, Left};
    if matches!(view.status, Cancelled | Left) || until <= clock::now_unix() {
        return Err(Error::invalid(
            Code::BookingEnded,
            "このご予約は終了または取り消されています。パスは印刷できません",
            "this booking is over or cancelled: no pass can be printed",
        ));
    }
    Ok(())
}

async fn create(
    db: &Db,
    client: &SplatsClient,
    g: &crate::platform::model::Guest,
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
    let (id, now) = (g.id.clone(), clock::now_unix());
    db.write(move |c| {
        c.execute(
            "INSERT INTO guest_passes (guest_id, valid_from, valid_until, created_at) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (guest_id) DO UPDATE SET valid_from = excluded.valid_from,
               valid_until = excluded.valid_until, revoked_at = NULL",
            params![id, from, until, now],
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
    let event =
        AuditEvent::new(actor, "pass.issue", Some(&g.id), sent.is_ok()).with_detail(serde_json::json!({
            "splats_guest_id": made, "valid_from": from, "valid_until": until,
            "error": sent.as_ref().err().map(|e| e.code()),
        }));
    let id = g.id.clone();
    db.write(move |c| {
        let tx = c.transaction()?;
        tx.execute("UPDATE guest_passes SET splats_guest_id = ?2 WHERE guest_id = ?1", params![id, made])?;
        audit::record(&tx, &event)?;
        tx.commit()?;
        Ok(())
    })
    .await?;
    sent.map(|_| ())
}

/// Whether the guest holds a pass not yet revoked (a revoke must then be queued).
pub fn is_live(conn: &Connection, guest_id: &str) -> Result<bool> {
    Ok(conn
        .query_row(
            "SELECT 1 FROM guest_passes WHERE guest_id = ?1 AND revoked_at IS NULL",
            [guest_id],
            |_| Ok(()),
        )
        .optional()?
        .is_some())
}

/// Ends the guest's pass: deletes its SPLATS guest (already gone counts as deleted) and
/// forgets the QR. Called by the outbox's revoke with the member's.
pub async fn revoke(
    db: &Db,
    client: &SplatsClient,
    secrets: &dyn SecretStore,
    guest_id: &str,
    actor: &str,
) -> Result<()> {
    let id = guest_id.to_string();
    let live: Option<Option<String>> = db
        .read(move |c| {
            Ok(c.query_row(
                "SELECT splats_guest_id FROM guest_passes WHERE guest_id = ?1 AND revoked_at IS NULL",
                [id],
                |r| r.get(0),
            )
            .optional()?)
        })
        .await?;
    let Some(splats_guest) = live else { return Ok(()) };
    let deleted = match &splats_guest {
        Some(g) => match client.delete_guest(g).await {
            Err(Error::Rejected { status: 404, .. }) => Ok(()),
            r => r,
        },
        None => Ok(()),
    };
    if deleted.is_ok() {
        secrets.delete(&names::guest_pass_qr(guest_id))?;
    }
    let event = AuditEvent::new(actor, "pass.revoke", Some(guest_id), deleted.is_ok()).with_detail(
        serde_json::json!({ "splats_guest_id": splats_guest, "error": deleted.as_ref().err().map(|e| e.code()) }),
    );
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
