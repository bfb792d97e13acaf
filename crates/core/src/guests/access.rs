//! A guest's door access: one SPLATS member per booking, allowed into the booked areas
//! and the store's entrance from `grace` before the booking to `grace` after it, with
//! a one-time QR. The TOTP seed goes to the OS keyring; SQLite keeps the rest.
//!
//! Issuing is safe to repeat: the member carries `member_code = UK-<guest id>`, so a
//! retry after a lost reply (or a 409 from SPLATS) finds and adopts the member that was
//! made instead of making a second one.

use crate::audit::{self, AuditEvent};
use crate::config::Config;
use crate::db;
use crate::error::{Error, Result};
use crate::model::Guest;
use crate::secrets::{names, SecretStore};
use crate::splats::model::{DevicesPass, Member, MemberInput, OneTimeQr, QrCode};
use crate::splats::otqr::{Frame, Generator};
use crate::splats::{cache, SplatsClient};
use crate::{clock, store};
use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;
use tokio::sync::Mutex;

/// Where the last SPLATS reply put the server clock relative to ours.
pub const CLOCK_OFFSET: &str = "splats.clock_offset";

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Summary {
    pub splats_member_id: String,
    pub valid_from: i64,
    pub valid_until: i64,
    pub splats_area_ids: Vec<String>,
    pub issued_at: i64,
    pub revoked_at: Option<i64>,
}

pub fn summary(conn: &Connection, guest_id: &str) -> Result<Option<Summary>> {
    Ok(conn
        .query_row(
            "SELECT splats_member_id, valid_from, valid_until, splats_area_ids, issued_at, revoked_at
             FROM guest_access WHERE guest_id = ?1",
            [guest_id],
            |r| {
                let areas: String = r.get(3)?;
                Ok(Summary {
                    splats_member_id: r.get(0)?,
                    valid_from: r.get(1)?,
                    valid_until: r.get(2)?,
                    splats_area_ids: serde_json::from_str(&areas).unwrap_or_default(),
                    issued_at: r.get(4)?,
                    revoked_at: r.get(5)?,
                })
            },
        )
        .optional()?)
}

fn guest(conn: &Connection, guest_id: &str) -> Result<Guest> {
    store::get_guest(conn, guest_id)?.ok_or_else(|| Error::not_found(format!("guest {guest_id}")))
}

/// The member code that ties a SPLATS member to our guest.
pub fn member_code(guest_id: &str) -> String {
    format!("UK-{guest_id}")
}

/// Makes (or brings up to date) the guest's SPLATS member and keeps its seed.
pub async fn issue(
    db: &Mutex<Connection>,
    client: &SplatsClient,
    secrets: &dyn SecretStore,
    config: &Config,
    guest_id: &str,
    actor: &str,
) -> Result<Summary> {
    let (g, areas, existing) = {
        let conn = db.lock().await;
        let g = guest(&conn, guest_id)?;
        let areas = cache::splats_areas_for(&conn, &g.store_id, &g.area_ids)?;
        (g, areas, summary(&conn, guest_id)?)
    };
    let grace = i64::from(config.splats.guest_grace_minutes) * 60;
    let (from, until) = (g.starts_at - grace, g.ends_at + grace);
    if let Some(e) = existing.as_ref().filter(|e| e.revoked_at.is_none()) {
        let seed_kept = secrets.get(&names::guest_seed(guest_id))?.is_some();
        if seed_kept && e.valid_from == from && e.valid_until == until && e.splats_area_ids == areas {
            return Ok(e.clone());
        }
    }
    let group = config
        .splats
        .guest_membergroup_id
        .clone()
        .ok_or_else(|| Error::config("splats.guest_membergroup_id", "not set: guests' members need a member group"))?;
    let input = MemberInput {
        member_id: None,
        member_name: g.name.clone(),
        member_code: Some(member_code(guest_id)),
        membergroup_id: group,
        use_date_start: Some(clock::iso_jst(from)),
        use_date_end: Some(clock::iso_jst(until)),
        qrcode: Some(QrCode {
            one_time_qr: Some(OneTimeQr {
                enabled: true,
                totp_seed: None,
                timestep: Some(config.splats.guest_qr_timestep_secs),
                skew: Some(config.splats.guest_qr_skew),
            }),
            ..QrCode::default()
        }),
        devices_pass: Some(DevicesPass::only(&areas)),
    };
    let started = std::time::Instant::now();
    let result = upsert_member(client, existing.as_ref().filter(|e| e.revoked_at.is_none()), &input).await;
    let conn = db.lock().await;
    if let Some(o) = client.clock_offset() {
        db::set_meta(&conn, CLOCK_OFFSET, &o.to_string())?;
    }
    let event = |ok: bool, detail: serde_json::Value| {
        AuditEvent::new(actor, "access.issue", Some(guest_id), ok).with_latency_ms(started.elapsed().as_millis() as i64).with_detail(detail)
    };
    let member = match result {
        Ok(m) => m,
        Err(e) => {
            audit::record(&conn, &event(false, serde_json::json!({ "error": e.code() })))?;
            return Err(e);
        }
    };
    let otqr = member.qrcode.as_ref().and_then(|q| q.one_time_qr.clone()).unwrap_or_default();
    let data = member.qrcode.as_ref().and_then(|q| q.data.clone());
    let (Some(seed), Some(data)) = (otqr.totp_seed.clone(), data) else {
        return Err(Error::BadReply { cloud: crate::error::Cloud::Splats, detail: "the member has no one-time QR seed or data".into() });
    };
    secrets.set(&names::guest_seed(guest_id), &seed)?;
    let now = clock::now_unix();
    conn.execute(
        "INSERT INTO guest_access (guest_id, splats_member_id, qr_data, timestep, skew, valid_from, valid_until, splats_area_ids, issued_at, revoked_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, NULL)
         ON CONFLICT(guest_id) DO UPDATE SET splats_member_id = excluded.splats_member_id, qr_data = excluded.qr_data,
           timestep = excluded.timestep, skew = excluded.skew, valid_from = excluded.valid_from,
           valid_until = excluded.valid_until, splats_area_ids = excluded.splats_area_ids,
           issued_at = excluded.issued_at, revoked_at = NULL",
        params![
            guest_id,
            member.member_id,
            data,
            otqr.timestep.unwrap_or(config.splats.guest_qr_timestep_secs),
            otqr.skew.unwrap_or(config.splats.guest_qr_skew),
            from,
            until,
            serde_json::to_string(&areas).unwrap_or_default(),
            now
        ],
    )?;
    audit::record(&conn, &event(true, serde_json::json!({ "member_id": member.member_id, "areas": areas, "from": from, "until": until })))?;
    summary(&conn, guest_id)?.ok_or_else(|| Error::not_found(format!("access of {guest_id}")))
}

/// Creates the member, or updates the one we already have; adopts a member with our
/// code when SPLATS says it exists or the create's reply was lost.
async fn upsert_member(client: &SplatsClient, existing: Option<&Summary>, input: &MemberInput) -> Result<Member> {
    if let Some(e) = existing {
        return with_seed(client, client.update_member(&e.splats_member_id, input).await?).await;
    }
    match client.create_member(input).await {
        Ok(m) => with_seed(client, m).await,
        Err(Error::Rejected { status: 409, .. }) | Err(Error::Uncertain { .. }) => {
            let code = input.member_code.as_deref();
            let found = client.all_members().await?.into_iter().find(|m| m.member_code.as_deref() == code);
            match found {
                Some(m) => with_seed(client, client.update_member(&m.member_id, input).await?).await,
                // Listing is authoritative: nothing was made, so making it now is safe.
                None => with_seed(client, client.create_member(input).await?).await,
            }
        }
        Err(e) => Err(e),
    }
}

/// The member with its seed; a reply without one is read back once.
async fn with_seed(client: &SplatsClient, m: Member) -> Result<Member> {
    let has_seed = m.qrcode.as_ref().and_then(|q| q.one_time_qr.as_ref()).and_then(|o| o.totp_seed.as_ref()).is_some();
    if has_seed {
        Ok(m)
    } else {
        client.member(&m.member_id).await
    }
}

/// Ends the guest's access now: deletes the SPLATS member and forgets the seed.
pub async fn revoke(db: &Mutex<Connection>, client: &SplatsClient, secrets: &dyn SecretStore, guest_id: &str, actor: &str) -> Result<()> {
    let existing = summary(&*db.lock().await, guest_id)?;
    let Some(e) = existing.filter(|e| e.revoked_at.is_none()) else { return Ok(()) };
    let result = match client.delete_member(&e.splats_member_id).await {
        Err(Error::Rejected { status: 404, .. }) => Ok(()),
        r => r,
    };
    let conn = db.lock().await;
    let ok = result.is_ok();
    if ok {
        conn.execute("UPDATE guest_access SET revoked_at = ?2 WHERE guest_id = ?1", params![guest_id, clock::now_unix()])?;
        secrets.delete(&names::guest_seed(guest_id))?;
    }
    let detail = match &result {
        Ok(()) => serde_json::json!({ "member_id": e.splats_member_id }),
        Err(err) => serde_json::json!({ "member_id": e.splats_member_id, "error": err.code() }),
    };
    audit::record(&conn, &AuditEvent::new(actor, "access.revoke", Some(guest_id), ok).with_detail(detail))?;
    result
}

/// Checks the guest out and ends their access, even if they leave early.
pub async fn check_out(db: &Mutex<Connection>, client: &SplatsClient, secrets: &dyn SecretStore, guest_id: &str, actor: &str) -> Result<()> {
    {
        let conn = db.lock().await;
        super::mark_checked_out(&conn, guest_id, clock::now_unix())?;
        audit::record(&conn, &AuditEvent::new(actor, "guest.check_out", Some(guest_id), true))?;
    }
    revoke(db, client, secrets, guest_id, actor).await
}

/// What to show for a guest right now.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QrView {
    #[serde(flatten)]
    pub frame: Frame,
    /// Server clock minus ours when the frame was made; the UI counts down with it.
    pub clock_offset_secs: i64,
    pub valid_from: i64,
    pub valid_until: i64,
    /// `data:image/png;base64,…`
    pub png: String,
    /// Made on this PC (true) or fetched from SPLATS.
    pub local: bool,
}

/// The guest's QR at this moment of the server's clock. Local generation needs no
/// network; a revoked, unissued or expired access is an error, never a stale code.
pub async fn qr(db: &Mutex<Connection>, client: Option<&SplatsClient>, secrets: &dyn SecretStore, config: &Config, guest_id: &str, at: Option<i64>) -> Result<QrView> {
    let (e, data, timestep, offset) = {
        let conn = db.lock().await;
        let e = summary(&conn, guest_id)?.ok_or_else(|| {
            Error::invalid("このお客様の QR はまだ発行されていません", "no QR has been issued for this guest yet")
        })?;
        let (data, timestep): (String, u32) =
            conn.query_row("SELECT qr_data, timestep FROM guest_access WHERE guest_id = ?1", [guest_id], |r| Ok((r.get(0)?, r.get(1)?)))?;
        let offset = db::get_meta(&conn, CLOCK_OFFSET)?.and_then(|v| v.parse().ok()).unwrap_or(0);
        (e, data, timestep, offset)
    };
    if e.revoked_at.is_some() {
        return Err(Error::invalid("このお客様の QR は無効化されています", "this guest's QR has been revoked"));
    }
    let now = at.unwrap_or_else(|| clock::now_unix() + offset);
    if now > e.valid_until {
        return Err(Error::invalid("利用時間が終わったため QR は表示できません", "the booking has ended; the QR is no longer shown"));
    }
    let (frame, local) = if config.splats.otqr_local || client.is_none() {
        let seed = secrets.require(&names::guest_seed(guest_id))?;
        let g = Generator::new(&seed, &data, timestep, config.splats.otqr_seed_encoding, config.splats.otqr_hash)?;
        (g.frame(now), true)
    } else {
        let reply = client.expect("checked above").one_time_qr(&e.splats_member_id).await?;
        let expires = i64::from(reply.expiration_in_seconds.unwrap_or(timestep));
        let end = now + expires;
        (Frame { payload: reply.one_time_qr_data, step_start: end - i64::from(timestep), step_end: end, timestep }, false)
    };
    let png = crate::qr::png_data_url(&frame.payload, 8)?;
    Ok(QrView { frame, clock_offset_secs: offset, valid_from: e.valid_from, valid_until: e.valid_until, png, local })
}
