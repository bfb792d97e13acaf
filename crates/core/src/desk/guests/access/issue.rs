//! Making a guest's member, or bringing it up to date, one call at a time.

use super::seed_reading;
use super::{desired, desired_still_mapped, guest, member_code, summary, AccessSummary, CLOCK_OFFSET};
use crate::clouds::splats::model::{DevicesPass, Member, MemberInput, OneTimeQr, QrCode};
use crate::clouds::splats::SplatsClient;
use crate::desk::audit::{self, AuditEvent};
use crate::platform::config::Config;
use crate::platform::db::{self, Db};
use crate::platform::error::{Error, Result};
use crate::platform::model::Guest;
use crate::platform::secrets::{names, SecretStore};
use crate::{desk::outbox, platform::clock};
use rusqlite::params;

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
    let input = member_input(config, &g, from, until, &areas)?;
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
    let ok = event(
        true,
        serde_json::json!({ "member_id": member.member_id, "areas": areas, "from": from, "until": until }),
    );
    keep_member(db, client, secrets, config, guest_id, member, (from, until, areas), offset, ok).await
}

/// The member SPLATS should hold for this guest: their name, our code, the window and
/// the areas, a one-time QR; unused fields left out.
pub(crate) fn member_input(
    config: &Config,
    g: &Guest,
    from: i64,
    until: i64,
    areas: &[String],
) -> Result<MemberInput> {
    let group = config.splats.guest_membergroup_id.clone().ok_or_else(|| {
        Error::config("splats.guest_membergroup_id", "not set: guests' members need a member group")
    })?;
    Ok(MemberInput {
        member_id: None,
        member_name: g.name.clone(),
        member_code: Some(member_code(&g.id)),
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
        devices_pass: Some(DevicesPass::only(areas)),
    })
}

/// Keeps what SPLATS made for the guest: the seed in the keyring, the rest and `ok`
/// (the audit row) in one transaction. The first member of a tenant also settles the
/// seed's reading ([`seed_reading`]).
#[allow(clippy::too_many_arguments)]
pub(crate) async fn keep_member(
    db: &Db,
    client: &SplatsClient,
    secrets: &dyn SecretStore,
    config: &Config,
    guest_id: &str,
    member: Member,
    (from, until, areas): (i64, i64, Vec<String>),
    offset: Option<i64>,
    ok: AuditEvent,
) -> Result<AccessSummary> {
    let otqr = member.qrcode.as_ref().and_then(|q| q.one_time_qr.clone()).unwrap_or_default();
    let data = member.qrcode.as_ref().and_then(|q| q.data.clone());
    let (Some(seed), Some(data)) = (otqr.totp_seed.clone(), data) else {
        return Err(Error::BadReply {
            cloud: crate::platform::error::Cloud::Splats,
            detail: "the member has no one-time QR seed or data".into(),
        });
    };
    secrets.set(&names::guest_seed(guest_id), &seed)?;
    let timestep = otqr.timestep.unwrap_or(config.splats.guest_qr_timestep_secs);
    learn_seed_reading(db, client, config, &member.member_id, &seed, &data, timestep).await;
    let ev = ok;
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
/// Of two with our code (a cloud that took a repeated code, two PCs racing), the first
/// is kept and the others are deleted: one booking, one set of door rights.
async fn adopt_or_create(client: &SplatsClient, input: &MemberInput) -> Result<Member> {
    let code = input.member_code.as_deref();
    let mut found = client.all_members().await?.into_iter().filter(|m| m.member_code.as_deref() == code);
    let Some(keep) = found.next() else {
        // Listing is authoritative: nothing was made, so making it now is safe.
        return with_seed(client, client.create_member(input).await?).await;
    };
    for extra in found {
        tracing::warn!("a second member with one booking's code was deleted");
        match client.delete_member(&extra.member_id).await {
            Ok(()) | Err(Error::Rejected { status: 404, .. }) => {}
            Err(e) => return Err(e),
        }
    }
    with_seed(client, client.update_member(&keep.member_id, input).await?).await
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
    if !db.read(move |c| seed_reading::wanted(c, setting)).await.unwrap_or(false) {
        return;
    }
    let hash = config.splats.otqr_hash;
    match seed_reading::detect(client, member_id, seed, data, timestep, hash).await {
        Ok(found) => {
            tracing::info!(
                reading = found.unwrap_or("none matched"),
                "SPLATS one-time QR seed reading checked"
            );
            // By the server's clock, as the readers' refusals in the histories are.
            let at = clock::now_unix() + client.clock_offset().unwrap_or(0);
            let kept = db.write(move |c| seed_reading::record(c, found, at)).await;
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
