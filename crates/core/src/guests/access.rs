//! A guest's door access: one SPLATS member per booking, allowed into the booked areas
//! and the store's entrance from `grace` before the booking to `grace` after it, with
//! a one-time QR. The TOTP seed goes to the OS keyring; SQLite keeps the rest.
//!
//! Every change a booking calls for (issue, update in place, revoke, delete) goes
//! through the outbox ([`crate::outbox`]) and is carried out by the worker
//! ([`crate::reconcile`]); staff asking for a QR may issue at once.
//!
//! Issuing is safe to repeat: the member carries `member_code = UK-<guest id>`, so a
//! retry after a lost reply (or a 409 from SPLATS) finds and adopts the member that was
//! made instead of making a second one.

use crate::audit::{self, AuditEvent};
use crate::config::Config;
use crate::db::{self, Db};
use crate::error::{Code, Error, Result};
use crate::model::Guest;
use crate::secrets::{names, ExposeSecret, SecretStore};
use crate::splats::model::{DevicesPass, Member, MemberInput, OneTimeQr, QrCode};
use crate::splats::otqr::{Frame, Generator};
use crate::splats::{cache, seed_reading, SplatsClient};
use crate::{clock, outbox, store};
use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;

/// Where the last SPLATS reply put the server clock relative to ours.
pub const CLOCK_OFFSET: &str = "splats.clock_offset";

#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct AccessSummary {
    pub splats_member_id: String,
    pub valid_from: i64,
    pub valid_until: i64,
    pub splats_area_ids: Vec<String>,
    pub issued_at: i64,
    pub revoked_at: Option<i64>,
}

pub fn summary(conn: &Connection, guest_id: &str) -> Result<Option<AccessSummary>> {
    Ok(conn
        .query_row(
            "SELECT splats_member_id, valid_from, valid_until, splats_area_ids, issued_at, revoked_at
             FROM guest_access WHERE guest_id = ?1",
            [guest_id],
            |r| {
                let areas: String = r.get(3)?;
                Ok(AccessSummary {
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

/// The window and SPLATS areas a guest's member should have now.
pub fn desired(conn: &Connection, config: &Config, g: &Guest) -> Result<(i64, i64, Vec<String>)> {
    let grace = i64::from(config.splats.guest_grace_minutes) * 60;
    let areas = cache::splats_areas_for(conn, &g.store_id, &g.area_ids)?;
    Ok((g.starts_at - grace, g.ends_at + grace, areas))
}

/// What a guest who already holds a member keeps when some of their rooms have no
/// SPLATS area any more (un-mapped, or the booking moved to an unmapped room): the rooms
/// still mapped and the entrance. None when no room is mapped: the member must go.
pub fn desired_still_mapped(
    conn: &Connection,
    config: &Config,
    g: &Guest,
) -> Result<Option<(i64, i64, Vec<String>)>> {
    let grace = i64::from(config.splats.guest_grace_minutes) * 60;
    let (areas, rooms) = cache::mapped_splats_areas_for(conn, &g.store_id, &g.area_ids)?;
    Ok((rooms > 0).then(|| (g.starts_at - grace, g.ends_at + grace, areas)))
}

/// Makes (or brings up to date) the guest's SPLATS member and keeps its seed. Safe to
/// repeat; called when staff ask for a QR, a key or a kiosk shows one.
pub async fn issue(
    db: &Db,
    client: &SplatsClient,
    secrets: &dyn SecretStore,
    config: &Config,
    guest_id: &str,
    actor: &str,
) -> Result<AccessSummary> {
    issue_after(db, client, secrets, config, guest_id, actor, None).await
}

/// [`issue`], told by the outbox runner whether an earlier attempt may have reached
/// SPLATS (`Some(maybe_sent)` as claimed, before this attempt marked itself); `None`
/// reads it from the outbox. After such an attempt the member is looked up by its code
/// before any create, whatever SPLATS does with a repeated `member_code`.
pub(crate) async fn issue_after(
    db: &Db,
    client: &SplatsClient,
    secrets: &dyn SecretStore,
    config: &Config,
    guest_id: &str,
    actor: &str,
    earlier_send: Option<bool>,
) -> Result<AccessSummary> {
    let (g, (from, until, areas), existing, maybe_made) = {
        let (config, id) = (config.clone(), guest_id.to_string());
        db.read(move |conn| {
            let g = guest(conn, &id)?;
            let live = summary(conn, &id)?.is_some_and(|s| s.revoked_at.is_none());
            let want = match desired(conn, &config, &g) {
                Err(e) if live => desired_still_mapped(conn, &config, &g)?.ok_or(e)?,
                w => w?,
            };
            let maybe_made = match earlier_send {
                Some(m) => m,
                None => outbox::waiting_for(conn, &id)?.is_some_and(|w| w.maybe_sent && !w.op.removes()),
            };
            Ok((g, want, summary(conn, &id)?, maybe_made))
        })
        .await?
    };
    let active = existing.filter(|e| e.revoked_at.is_none());
    if let Some(e) = &active {
        let seed_kept = secrets.get(&names::guest_seed(guest_id))?.is_some();
        if seed_kept && e.valid_from == from && e.valid_until == until && e.splats_area_ids == areas {
            return Ok(e.clone());
        }
    }
    let group = config.splats.guest_membergroup_id.clone().ok_or_else(|| {
        Error::config("splats.guest_membergroup_id", "not set: guests' members need a member group")
    })?;
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
    let result = upsert_member(client, active.as_ref(), &input, maybe_made).await;
    let latency = started.elapsed().as_millis() as i64;
    let event = move |ok: bool, detail: serde_json::Value| {
        AuditEvent::new(
            actor,
            if active.is_some() { "access.update" } else { "access.issue" },
            Some(guest_id),
            ok,
        )
        .with_latency_ms(latency)
        .with_detail(detail)
    };
    let offset = client.clock_offset();
    let member = match result {
        Ok(m) => m,
        Err(e) => {
            let ev = event(false, serde_json::json!({ "error": e.code() }));
            db.write(move |conn| audit::record(conn, &ev)).await?;
            return Err(e);
        }
    };
    let otqr = member.qrcode.as_ref().and_then(|q| q.one_time_qr.clone()).unwrap_or_default();
    let data = member.qrcode.as_ref().and_then(|q| q.data.clone());
    let (Some(seed), Some(data)) = (otqr.totp_seed.clone(), data) else {
        return Err(Error::BadReply {
            cloud: crate::error::Cloud::Splats,
            detail: "the member has no one-time QR seed or data".into(),
        });
    };
    secrets.set(&names::guest_seed(guest_id), &seed)?;
    let timestep = otqr.timestep.unwrap_or(config.splats.guest_qr_timestep_secs);
    learn_seed_reading(db, client, config, &member.member_id, &seed, &data, timestep).await;
    let ev = event(
        true,
        serde_json::json!({ "member_id": member.member_id, "areas": areas, "from": from, "until": until }),
    );
    let row = (
        guest_id.to_string(),
        member.member_id,
        data,
        otqr.timestep.unwrap_or(config.splats.guest_qr_timestep_secs),
        otqr.skew.unwrap_or(config.splats.guest_qr_skew),
        serde_json::to_string(&areas).unwrap_or_default(),
    );
    db.write(move |conn| {
        let tx = conn.transaction()?;
        if let Some(o) = offset {
            db::set_meta(&tx, CLOCK_OFFSET, &o.to_string())?;
        }
        let (id, member_id, data, timestep, skew, areas) = row;
        tx.execute(
            "INSERT INTO guest_access (guest_id, splats_member_id, qr_data, timestep, skew, valid_from, valid_until, splats_area_ids, issued_at, revoked_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, NULL)
             ON CONFLICT(guest_id) DO UPDATE SET splats_member_id = excluded.splats_member_id, qr_data = excluded.qr_data,
               timestep = excluded.timestep, skew = excluded.skew, valid_from = excluded.valid_from,
               valid_until = excluded.valid_until, splats_area_ids = excluded.splats_area_ids,
               issued_at = excluded.issued_at, revoked_at = NULL",
            params![id, member_id, data, timestep, skew, from, until, areas, clock::now_unix()],
        )?;
        audit::record(&tx, &ev)?;
        let s = summary(&tx, &id)?.ok_or_else(|| Error::not_found(format!("access of {id}")))?;
        tx.commit()?;
        Ok(s)
    })
    .await
}

/// Creates the member, or updates the one we already have; adopts a member with our
/// code when an earlier attempt may have made it (`maybe_made`), when SPLATS says it
/// exists, or when the create's answer was lost or a server error (a 5xx may come after
/// the member was made).
async fn upsert_member(
    client: &SplatsClient,
    existing: Option<&AccessSummary>,
    input: &MemberInput,
    maybe_made: bool,
) -> Result<Member> {
    if let Some(e) = existing {
        return with_seed(client, client.update_member(&e.splats_member_id, input).await?).await;
    }
    if maybe_made {
        return adopt_or_create(client, input).await;
    }
    match client.create_member(input).await {
        Ok(m) => with_seed(client, m).await,
        Err(Error::Rejected { status, .. }) if status == 409 || status >= 500 => {
            adopt_or_create(client, input).await
        }
        Err(Error::Uncertain { .. }) => adopt_or_create(client, input).await,
        Err(e) => Err(e),
    }
}

/// The member with our code brought up to date, or made when the listing has none.
async fn adopt_or_create(client: &SplatsClient, input: &MemberInput) -> Result<Member> {
    let code = input.member_code.as_deref();
    let found = client.all_members().await?.into_iter().find(|m| m.member_code.as_deref() == code);
    match found {
        Some(m) => with_seed(client, client.update_member(&m.member_id, input).await?).await,
        // Listing is authoritative: nothing was made, so making it now is safe.
        None => with_seed(client, client.create_member(input).await?).await,
    }
}

/// Asks SPLATS once per tenant which reading of the seed its readers use, with the
/// member just made ([`seed_reading`]). A failure leaves it for the next issue.
async fn learn_seed_reading(
    db: &Db,
    client: &SplatsClient,
    config: &Config,
    member_id: &str,
    seed: &str,
    data: &str,
    timestep: u32,
) {
    let setting = config.splats.totp_seed_reading;
    let known = db.read(move |c| seed_reading::effective(c, setting)).await;
    if !matches!(known, Ok(seed_reading::Effective::Undetected)) {
        return;
    }
    let hash = config.splats.otqr_hash;
    match seed_reading::detect(client, member_id, seed, data, timestep, hash).await {
        Ok(word) => {
            tracing::info!(reading = word, "SPLATS one-time QR seed reading detected");
            // By the server's clock, as the readers' refusals in the histories are.
            let at = clock::now_unix() + client.clock_offset().unwrap_or(0);
            let kept = db.write(move |c| seed_reading::keep(c, word, at)).await;
            if let Err(e) = kept {
                tracing::warn!(code = e.code().as_str(), "seed reading not kept");
            }
        }
        Err(e) => {
            tracing::warn!(code = e.code().as_str(), "seed reading not detected; asked again next issue")
        }
    }
}

/// The member with its seed; a reply without one is read back once.
async fn with_seed(client: &SplatsClient, m: Member) -> Result<Member> {
    let has_seed =
        m.qrcode.as_ref().and_then(|q| q.one_time_qr.as_ref()).and_then(|o| o.totp_seed.as_ref()).is_some();
    if has_seed {
        Ok(m)
    } else {
        client.member(&m.member_id).await
    }
}

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
    let id = guest_id.to_string();
    let existing = db.read(move |conn| summary(conn, &id)).await?;
    let member_id = match existing {
        Some(e) if e.revoked_at.is_none() => Some(e.splats_member_id),
        Some(_) => return Ok(()),
        None if maybe_sent => {
            let code = member_code(guest_id);
            client
                .all_members()
                .await?
                .into_iter()
                .find(|m| m.member_code.as_deref() == Some(&code))
                .map(|m| m.member_id)
        }
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
    let tx = conn.transaction()?;
    super::mark_checked_out(&tx, guest_id, now)?;
    audit::record(&tx, &AuditEvent::new(actor, "guest.check_out", Some(guest_id), true))?;
    let queued = queue_revoke(&tx, guest_id, "checked_out", now)?;
    tx.commit()?;
    Ok(queued)
}

/// Queues the end of the guest's access, if there is any to end: a live member, or an
/// op still waiting (an issue whose reply may have been lost). Call it inside the
/// transaction that records why. Returns whether a revoke was queued.
pub fn queue_revoke(conn: &Connection, guest_id: &str, reason: &str, now: i64) -> Result<bool> {
    let has_member = summary(conn, guest_id)?.is_some_and(|s| s.revoked_at.is_none());
    let queued = has_member || outbox::waiting_for(conn, guest_id)?.is_some();
    if queued {
        outbox::enqueue(conn, guest_id, outbox::Op::Revoke, reason, now)?;
    }
    Ok(queued)
}

/// The client a QR may need: to fetch codes when they are not made on this PC (the
/// setting, or no seed reading matched SPLATS'), or to read back a seed this PC lost.
/// None when SPLATS is not set up (codes are then made here from what is kept).
pub fn qr_client(config: &Config, secrets: &dyn SecretStore) -> Option<SplatsClient> {
    SplatsClient::from_config(config, secrets).ok()
}

/// The guest's seed from the keyring; one that is missing (a restored backup, a new
/// Windows profile, a reset keyring) is read back from SPLATS and kept again.
async fn kept_seed(
    db: &Db,
    client: Option<&SplatsClient>,
    secrets: &dyn SecretStore,
    guest_id: &str,
    member_id: &str,
) -> Result<crate::secrets::SecretString> {
    let name = names::guest_seed(guest_id);
    if let Some(seed) = secrets.get(&name)? {
        return Ok(seed);
    }
    let missing = || {
        Error::invalid(
            Code::QrSeedMissing,
            "この PC にはこのお客様の QR の鍵がありません。ネットワークにつながってから、もう一度 QR を開いてください",
            "this PC does not hold this guest's QR key; open the QR again once the network is back",
        )
    };
    let client = client.ok_or_else(missing)?;
    let member = client.member(member_id).await.map_err(|e| {
        tracing::warn!(code = e.code().as_str(), "lost seed not read back from SPLATS");
        missing()
    })?;
    let seed = member.qrcode.and_then(|q| q.one_time_qr).and_then(|o| o.totp_seed).ok_or_else(missing)?;
    secrets.set(&name, &seed)?;
    let ev = AuditEvent::new("worker", "access.seed_restored", Some(guest_id), true);
    db.write(move |c| audit::record(c, &ev)).await?;
    Ok(seed.into())
}

/// What to show for a guest right now.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
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
pub async fn qr(
    db: &Db,
    client: Option<&SplatsClient>,
    secrets: &dyn SecretStore,
    config: &Config,
    guest_id: &str,
    at: Option<i64>,
) -> Result<QrView> {
    let id = guest_id.to_string();
    let setting = config.splats.totp_seed_reading;
    let (e, data, timestep, offset, gone, reading) = db
        .read(move |conn| {
            let e = summary(conn, &id)?.ok_or_else(|| {
                Error::invalid(
                    Code::QrNotIssued,
                    "このお客様の QR はまだ発行されていません",
                    "no QR has been issued for this guest yet",
                )
            })?;
            let (data, timestep): (String, u32) = conn.query_row(
                "SELECT qr_data, timestep FROM guest_access WHERE guest_id = ?1",
                [&id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?;
            let offset: i64 = db::get_meta(conn, CLOCK_OFFSET)?.and_then(|v| v.parse().ok()).unwrap_or(0);
            // Cancelled or checked out: a revoke may still wait in the outbox, and the
            // code is not shown meanwhile.
            let gone: bool = conn.query_row(
                "SELECT cancelled_at IS NOT NULL OR checked_out_at IS NOT NULL FROM guests WHERE id = ?1",
                [&id],
                |r| r.get(0),
            )?;
            Ok((e, data, timestep, offset, gone, seed_reading::effective(conn, setting)?))
        })
        .await?;
    if gone || e.revoked_at.is_some() {
        return Err(Error::invalid(
            Code::QrRevoked,
            "このお客様の QR は無効化されています",
            "this guest's QR has been revoked",
        ));
    }
    let now = at.unwrap_or_else(|| clock::now_unix() + offset);
    if now > e.valid_until {
        return Err(Error::invalid(
            Code::BookingEnded,
            "利用時間が終わったため QR は表示できません",
            "the booking has ended; the QR is no longer shown",
        ));
    }
    let draw_here = if config.splats.otqr_local { reading.encoding() } else { None };
    let (frame, local) = match (draw_here, client) {
        (encoding, None) | (encoding @ Some(_), _) => {
            // Without SPLATS set up, codes are made here with what is kept.
            let encoding =
                encoding.or(reading.encoding()).unwrap_or(crate::splats::otqr::SeedEncoding::Ascii);
            let seed = kept_seed(db, client, secrets, guest_id, &e.splats_member_id).await?;
            let g = Generator::new(seed.expose_secret(), &data, timestep, encoding, config.splats.otqr_hash)?;
            (g.frame(now), true)
        }
        (None, Some(client)) => {
            let reply = client.one_time_qr(&e.splats_member_id).await?;
            let expires = i64::from(reply.expiration_in_seconds.unwrap_or(timestep));
            let end = now + expires;
            (
                Frame {
                    payload: reply.one_time_qr_data,
                    step_start: end - i64::from(timestep),
                    step_end: end,
                    timestep,
                },
                false,
            )
        }
    };
    let png = crate::qr::png_data_url(&frame.payload, 8)?;
    Ok(QrView {
        frame,
        clock_offset_secs: offset,
        valid_from: e.valid_from,
        valid_until: e.valid_until,
        png,
        local,
    })
}
