//! The code to show for a guest now: made on this PC from the kept seed (offline too),
//! or fetched from SPLATS when no reading of the seed matched its own.

use super::seed_reading;
use super::{summary, CLOCK_OFFSET};
use crate::clouds::splats::otqr::{Frame, Generator};
use crate::clouds::splats::SplatsClient;
use crate::desk::audit::{self, AuditEvent};
use crate::platform::clock;
use crate::platform::config::Config;
use crate::platform::db::{self, Db};
use crate::platform::error::{Code, Error, Result};
use crate::platform::secrets::{names, ExposeSecret, SecretStore};
use serde::Serialize;

/// The client a QR may need: to fetch codes when they are not made on this PC (the
/// setting, or no seed reading matched SPLATS'), or to read back a seed this PC lost.
/// None when SPLATS is not set up (codes are then made here from what is kept).
pub fn qr_client(config: &Config, secrets: &dyn SecretStore) -> Option<SplatsClient> {
    crate::desk::calls::splats(config, secrets, None).ok()
}

/// The guest's seed from the keyring; one that is missing (a restored backup, a new
/// Windows profile, a reset keyring) is read back from SPLATS and kept again.
async fn kept_seed(
    db: &Db,
    client: Option<&SplatsClient>,
    secrets: &dyn SecretStore,
    guest_id: &str,
    member_id: &str,
) -> Result<crate::platform::secrets::SecretString> {
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
    crate::desk::staff::role::require(config, crate::desk::staff::role::Deed::ShowQr)?;
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
                encoding.or(reading.encoding()).unwrap_or(crate::clouds::splats::otqr::SeedEncoding::Ascii);
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
    let png = crate::platform::images::qr::png_data_url(&frame.payload, 8)?;
    Ok(QrView {
        frame,
        clock_offset_secs: offset,
        valid_from: e.valid_from,
        valid_until: e.valid_until,
        png,
        local,
    })
}
