//! Giving a guest a key: **now** at the counter (`temporary_use` with `device_action`
//! through the guest's SPLATS member, so the box opens and the guest takes the key), or
//! **with the booking** (a SPLATS guest with `key_devices_list` and
//! `return_grace_period`: the guest takes the key at the box with its own QR during the
//! booking and may return it until the grace ends). Both are sent once, audited and
//! recorded with the time the key is due back.

use crate::clouds::splats::model::{GuestInput, KeyDeviceUnits, QrIssuing, TemporaryTarget, TemporaryUse};
use crate::clouds::splats::SplatsClient;
use crate::desk::audit::{self, AuditEvent};
use crate::desk::cache;
use crate::desk::guests::access;
use crate::desk::staff::role::{self, Deed};
use crate::platform::clock;
use crate::platform::config::Config;
use crate::platform::db::Db;
use crate::platform::error::{Code, Error, Result};
use crate::platform::secrets::{names, SecretStore};
use rusqlite::params;

/// How long the box stays open for a key given at the counter, unless staff choose.
pub const GIVE_SECS: u32 = 60;

/// Which key, for whom; for a key given now, how long the box may be opened for it
/// (`timer`, 1–86,400 s; default [`GIVE_SECS`]).
#[derive(Debug, Clone, serde::Deserialize, ts_rs::TS)]
pub struct KeyChoice {
    pub guest_id: String,
    pub device_id: String,
    pub unit: String,
    pub secs: Option<u32>,
}

/// A key given: what `guest_keys` keeps to tell, later, whether it is late.
struct Given {
    choice: KeyChoice,
    mode: &'static str,
    splats_guest_id: Option<String>,
    due_at: i64,
    actor: String,
}

/// Audits the attempt and, when it went through, records the key, in one write.
async fn note(db: &Db, event: AuditEvent, given: Option<Given>) -> Result<()> {
    db.write(move |c| {
        audit::record(c, &event)?;
        if let Some(g) = given {
            c.execute(
                "INSERT INTO guest_keys (guest_id, device_id, unit_no, mode, splats_guest_id, due_at, given_at, given_by)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                params![
                    g.choice.guest_id,
                    g.choice.device_id,
                    g.choice.unit,
                    g.mode,
                    g.splats_guest_id,
                    g.due_at,
                    clock::now_unix(),
                    g.actor
                ],
            )?;
        }
        Ok(())
    })
    .await
}

/// The guest and when a key taken for their booking is due back.
async fn guest_and_due(
    db: &Db,
    config: &Config,
    guest_id: &str,
) -> Result<(crate::platform::model::Guest, i64)> {
    let id = guest_id.to_string();
    let g = db
        .read(move |c| cache::get_guest(c, &id))
        .await?
        .ok_or_else(|| Error::not_found(format!("guest {guest_id}")))?;
    let due = g.ends_at + i64::from(config.splats.key_return_grace_minutes) * 60;
    Ok((g, due))
}

/// Gives the guest one key now: the box may be opened for `secs` and the unit is theirs.
pub async fn give(
    db: &Db,
    client: &SplatsClient,
    secrets: &dyn SecretStore,
    config: &Config,
    choice: &KeyChoice,
    actor: &str,
) -> Result<()> {
    // A key box that opens is a door opening.
    role::require(config, Deed::DoorCommand)?;
    let (guest_id, device_id, unit) =
        (choice.guest_id.as_str(), choice.device_id.as_str(), choice.unit.as_str());
    let timer = choice.secs.unwrap_or(GIVE_SECS);
    if !(1..=86_400).contains(&timer) {
        return Err(Error::invalid(
            Code::KeyTimerInvalid,
            "鍵を取り出せる時間は1〜86400秒にしてください",
            "the time to take the key must be 1 to 86,400 seconds",
        ));
    }
    let (_, due_at) = guest_and_due(db, config, guest_id).await?;
    let member = access::issue(db, client, secrets, config, guest_id, actor).await?;
    let body = TemporaryUse {
        target: "key".into(),
        timer,
        targets_list: vec![TemporaryTarget { device_id: device_id.into(), unit_no_list: vec![unit.into()] }],
        device_action: true,
        info: Some(format!("受付 {actor}")),
    };
    let sent = client.temporary_use(&member.splats_member_id, &body).await;
    let event =
        AuditEvent::new(actor, "key.give", Some(guest_id), sent.is_ok()).with_detail(serde_json::json!({
            "device_id": device_id, "unit": unit, "secs": timer, "error": sent.as_ref().err().map(|e| e.code())
        }));
    let given = sent.is_ok().then(|| Given {
        choice: choice.clone(),
        mode: "now",
        splats_guest_id: None,
        due_at,
        actor: actor.into(),
    });
    note(db, event, given).await?;
    sent.map(|_| ())
}

/// Lets the guest take one key at the box with their own QR during the booking, and
/// return it until `splats.key_return_grace_minutes` after its end. Answers the QR.
pub async fn with_booking(
    db: &Db,
    client: &SplatsClient,
    secrets: &dyn SecretStore,
    config: &Config,
    choice: &KeyChoice,
    actor: &str,
) -> Result<String> {
    role::require(config, Deed::DoorCommand)?;
    let (guest_id, device_id, unit) =
        (choice.guest_id.as_str(), choice.device_id.as_str(), choice.unit.as_str());
    let (guest, due_at) = guest_and_due(db, config, guest_id).await?;
    let qr = format!("{:016X}", rand::random::<u64>());
    let input = GuestInput {
        guest_name: guest.name,
        use_date_start: clock::iso_jst(guest.starts_at),
        use_date_end: clock::iso_jst(guest.ends_at),
        qrcode_issuing_method: Some(QrIssuing { qrcode_data: qr.clone() }),
        area_id_list: Vec::new(),
        key_devices_list: vec![KeyDeviceUnits {
            key_device_id: device_id.into(),
            units_no_list: vec![unit.into()],
        }],
        return_grace_period: Some(config.splats.key_return_grace_minutes),
    };
    let sent = client.create_guest(&input).await;
    if sent.is_ok() {
        secrets.set(&names::guest_key_qr(guest_id), &qr)?;
    }
    let event = AuditEvent::new(actor, "key.book", Some(guest_id), sent.is_ok()).with_detail(serde_json::json!({
        "device_id": device_id, "unit": unit, "due_at": due_at, "error": sent.as_ref().err().map(|e| e.code())
    }));
    let given = sent.as_ref().ok().map(|g| Given {
        choice: choice.clone(),
        mode: "booking",
        splats_guest_id: Some(g.guest_id.clone()),
        due_at,
        actor: actor.into(),
    });
    note(db, event, given).await?;
    sent.map(|_| qr)
}

/// The QR a guest shows at the key box, if a key was given with their booking.
pub fn booking_qr(
    config: &Config,
    secrets: &dyn SecretStore,
    guest_id: &str,
) -> Result<Option<crate::platform::secrets::SecretString>> {
    role::require(config, Deed::ShowQr)?;
    secrets.get(&names::guest_key_qr(guest_id))
}
