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
//! SPLATS guest too ([`revoke`]). When the booking's rooms or times change, the outbox's
//! update remakes the SPLATS guest with the same QR ([`refresh`]), so the slip the guest
//! holds opens the new rooms in the new window. SPLATS has no guest lookup, so a create
//! whose answer was lost cannot be checked: that guest cannot be deleted either, and it
//! opens the old doors until its own window ends (docs/passes.md).
//!
//! Every step that talks to SPLATS holds the pass's in-flight mark (an OS file lock),
//! so two prints, or a print and a revoke, never run at once on this PC.

mod splats;

pub use splats::{refresh, revoke};

pub mod escpos;
pub mod print;
pub mod render;

use crate::clouds::splats::SplatsClient;
use crate::desk::audit::{self, AuditEvent};
use crate::desk::doors::lock::InFlight;
use crate::desk::guests::{self, access};
use crate::desk::staff::role::{self, Deed};
use crate::platform::clock;
use crate::platform::config::Config;
use crate::platform::db::{Connection, Db};
use crate::platform::error::{Code, Error, Result};
use crate::platform::secrets::{names, SecretStore, SecretString};
use rusqlite::OptionalExtension;

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
/// comes back; after an answer that was lost, the same QR is sent again. Every print is
/// audited (`pass.print`), the first and every reprint.
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
    let (view, store_name, wanted) = db
        .read(move |c| {
            let view = guests::view(c, &id, clock::now_unix())?;
            let store =
                crate::desk::cache::get_store(c, &view.guest.store_id)?.map(|s| s.name).unwrap_or_default();
            Ok((view.clone(), store, access::desired(c, &cfg, &view.guest)?))
        })
        .await?;
    refuse_if_over(&view, wanted.1)?;
    let _in_flight = in_flight(db, &view.guest)?;
    let id = guest_id.to_string();
    let made = db.read(move |c| live(c, &id)).await?.and_then(|p| p.splats_guest_id);
    let qr = qr_of(secrets, guest_id)?;
    if made.is_none() {
        splats::create(db, client, &view.guest, wanted, &qr, actor).await?;
    }
    let (gid, event) = (guest_id.to_string(), AuditEvent::new(actor, "pass.print", Some(guest_id), true));
    db.write(move |c| {
        let tx = c.transaction()?;
        tx.execute("UPDATE guest_passes SET printed_count = printed_count + 1 WHERE guest_id = ?1", [&gid])?;
        let count: i64 =
            tx.query_row("SELECT printed_count FROM guest_passes WHERE guest_id = ?1", [&gid], |r| r.get(0))?;
        audit::record(&tx, &event.with_detail(serde_json::json!({ "printed_count": count })))?;
        tx.commit()?;
        Ok(())
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

/// The pass's QR, made once and kept in the keyring.
fn qr_of(secrets: &dyn SecretStore, guest_id: &str) -> Result<SecretString> {
    if let Some(qr) = secrets.get(&names::guest_pass_qr(guest_id))? {
        return Ok(qr);
    }
    let fresh = format!("UKP{:016X}", rand::random::<u64>());
    secrets.set(&names::guest_pass_qr(guest_id), &fresh)?;
    Ok(SecretString::from(fresh))
}

/// Held while the pass is being made, remade or revoked.
fn in_flight(db: &Db, g: &crate::platform::model::Guest) -> Result<InFlight> {
    InFlight::take_named(db, &format!("pass-{}", g.id), &format!("{} 様のパス", g.name))
}

/// A pass not yet revoked, as it was made.
#[derive(Debug, Clone, PartialEq)]
struct LivePass {
    /// `None` while the create's answer is unknown (sent, reply lost).
    splats_guest_id: Option<String>,
    valid_from: i64,
    valid_until: i64,
    splats_area_ids: Vec<String>,
}

fn live(conn: &Connection, guest_id: &str) -> Result<Option<LivePass>> {
    Ok(conn
        .query_row(
            "SELECT splats_guest_id, valid_from, valid_until, splats_area_ids FROM guest_passes
             WHERE guest_id = ?1 AND revoked_at IS NULL",
            [guest_id],
            |r| {
                Ok(LivePass {
                    splats_guest_id: r.get(0)?,
                    valid_from: r.get(1)?,
                    valid_until: r.get(2)?,
                    splats_area_ids: serde_json::from_str(&r.get::<_, String>(3)?).unwrap_or_default(),
                })
            },
        )
        .optional()?)
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

/// Whether the guest holds a pass not yet revoked (a revoke must then be queued).
pub fn is_live(conn: &Connection, guest_id: &str) -> Result<bool> {
    Ok(live(conn, guest_id)?.is_some())
}

/// Whether the guest's live pass was made for another window or other rooms than
/// `wanted` (the reconciler then queues an update, which remakes it).
pub fn is_stale(
    conn: &Connection,
    guest_id: &str,
    (from, until, areas): &(i64, i64, Vec<String>),
) -> Result<bool> {
    Ok(live(conn, guest_id)?
        .is_some_and(|p| p.valid_from != *from || p.valid_until != *until || p.splats_area_ids != *areas))
}
