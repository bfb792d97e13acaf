//! Which reading of `totp_seed` the tenant's readers use, asked of SPLATS itself.
//!
//! The vendor page that says how the seed becomes the HMAC key could not be read: the
//! documented sample seed is not base32, which supports its ASCII bytes, while
//! authenticator libraries read such seeds as base32 (docs/splats.md). A wrong reading
//! makes every QR this PC draws a refused one, and nothing else would notice. SPLATS
//! answers `POST /v1/members/{id}/one_time_qr` with its own current code, so once per
//! tenant (at the first issue, and again after a reader refused a guest whose window was
//! valid) the code is compared with the local one under each reading and the steps
//! around now; the reading that matches is kept in SQLite. If none matches, the PC shows
//! the codes SPLATS makes (within the call budget) and `uketsuke doctor` says so.

use crate::clouds::splats::client::SplatsClient;
use crate::clouds::splats::otqr::{Generator, Hash, SeedEncoding};
use crate::platform::config::SeedReading;
use crate::platform::db;
use crate::platform::error::Result;
use rusqlite::Connection;

/// Where the detected reading is kept, and when it was detected.
pub const DETECTED: &str = "splats.totp_seed_reading";
pub const DETECTED_AT: &str = "splats.totp_seed_reading.at";
/// Set when a reader refused a guest inside their window: the reading kept is used
/// meanwhile, and asked again at the next issue.
const RECHECK: &str = "splats.totp_seed_reading.recheck";
/// How many detections in a row matched no reading; "cloud" is settled only after
/// [`MISSES_BEFORE_CLOUD`] (a clock off by a step, one odd answer, is not enough).
const MISSES: &str = "splats.totp_seed_reading.misses";
pub const MISSES_BEFORE_CLOUD: u32 = 3;

/// What this PC does with a guest's seed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effective {
    /// Draw codes here with this reading.
    Local(SeedEncoding),
    /// Not known yet (`auto`, nothing detected): draw with the reference's reading,
    /// ASCII, and ask SPLATS at the next chance.
    Undetected,
    /// No reading matched SPLATS' code: fetch each code from SPLATS.
    Cloud,
}

impl Effective {
    /// The reading to draw with, when codes are drawn here.
    pub fn encoding(self) -> Option<SeedEncoding> {
        match self {
            Effective::Local(e) => Some(e),
            Effective::Undetected => Some(SeedEncoding::Ascii),
            Effective::Cloud => None,
        }
    }

    /// The word `uketsuke doctor` and the settings show.
    pub fn word(self) -> &'static str {
        match self {
            Effective::Local(SeedEncoding::Ascii) => "ascii",
            Effective::Local(SeedEncoding::Base32) => "base32",
            Effective::Undetected => "undetected",
            Effective::Cloud => "cloud",
        }
    }
}

/// The reading in force: the setting when it names one, else what was detected.
pub fn effective(conn: &Connection, setting: SeedReading) -> Result<Effective> {
    Ok(match setting {
        SeedReading::Ascii => Effective::Local(SeedEncoding::Ascii),
        SeedReading::Base32 => Effective::Local(SeedEncoding::Base32),
        SeedReading::Auto => match db::get_meta(conn, DETECTED)?.as_deref() {
            Some("ascii") => Effective::Local(SeedEncoding::Ascii),
            Some("base32") => Effective::Local(SeedEncoding::Base32),
            Some("cloud") => Effective::Cloud,
            _ => Effective::Undetected,
        },
    })
}

/// Keeps what was detected at `now`.
pub fn keep(conn: &Connection, word: &str, now: i64) -> Result<()> {
    db::set_meta(conn, DETECTED, word)?;
    db::set_meta(conn, DETECTED_AT, &now.to_string())?;
    db::delete_meta(conn, RECHECK)?;
    db::delete_meta(conn, MISSES)
}

/// Whether SPLATS should be asked (again) at the next issue: nothing settled yet, or a
/// refusal asked for a re-check.
pub fn wanted(conn: &Connection, setting: SeedReading) -> Result<bool> {
    Ok(setting == SeedReading::Auto
        && (effective(conn, setting)? == Effective::Undetected || db::get_meta(conn, RECHECK)?.is_some()))
}

/// Keeps what one detection found: a reading at once; no match counts as a miss, and
/// only [`MISSES_BEFORE_CLOUD`] misses in a row settle on fetching codes from SPLATS.
pub fn record(conn: &Connection, found: Option<&'static str>, now: i64) -> Result<()> {
    match found {
        Some(word) => keep(conn, word, now),
        None => {
            let misses = db::get_meta(conn, MISSES)?.and_then(|v| v.parse::<u32>().ok()).unwrap_or(0) + 1;
            if misses >= MISSES_BEFORE_CLOUD {
                keep(conn, "cloud", now)
            } else {
                db::set_meta(conn, MISSES, &misses.to_string())
            }
        }
    }
}

/// Asks for a re-check when a reader refused a live guest's QR inside their window
/// after the reading was settled (`events`: the history's refusal events). The reading
/// kept stays in use meanwhile. Answers whether a re-check was asked for.
pub fn recheck_after_refusals(conn: &Connection, events: &[String]) -> Result<bool> {
    let Some(at) = db::get_meta(conn, DETECTED_AT)?.and_then(|v| v.parse::<i64>().ok()) else {
        return Ok(false);
    };
    if events.is_empty() {
        return Ok(false);
    }
    let marks = vec!["?"; events.len()].join(", ");
    let sql = format!(
        "SELECT EXISTS (SELECT 1 FROM splats_histories h JOIN guest_access a ON a.splats_member_id = h.member_id
           WHERE h.event IN ({marks}) AND h.at >= ? AND h.at BETWEEN a.valid_from AND a.valid_until
             AND a.revoked_at IS NULL)"
    );
    let mut values: Vec<&dyn rusqlite::ToSql> = events.iter().map(|e| e as &dyn rusqlite::ToSql).collect();
    values.push(&at);
    let refused: bool = conn.query_row(&sql, values.as_slice(), |r| r.get(0))?;
    if refused {
        tracing::warn!("a reader refused a guest inside their window: the seed reading is asked again");
        db::set_meta(conn, RECHECK, "1")?;
        // Refusals before now are answered by that re-check.
        db::set_meta(conn, DETECTED_AT, &(crate::platform::clock::now_unix() + 1).to_string())?;
    }
    Ok(refused)
}

/// The readings under which the local code for this member matches `cloud_code`,
/// made at `server_now` (the steps either side count too: the two clocks and the call
/// take time).
pub fn matching(
    seed: &str,
    data: &str,
    timestep: u32,
    hash: Hash,
    cloud_code: &str,
    server_now: i64,
) -> Vec<SeedEncoding> {
    [SeedEncoding::Ascii, SeedEncoding::Base32]
        .into_iter()
        .filter(|e| {
            let Ok(g) = Generator::new(seed, data, timestep, *e, hash) else { return false };
            let step = i64::from(timestep);
            [-step, 0, step].iter().any(|d| g.code(server_now + d) == cloud_code)
        })
        .collect()
}

/// Asks SPLATS for this member's current code and works out the reading; one call.
/// Answers the reading that matched (`ascii` or `base32`), or None.
pub async fn detect(
    client: &SplatsClient,
    member_id: &str,
    seed: &str,
    data: &str,
    timestep: u32,
    hash: Hash,
) -> Result<Option<&'static str>> {
    let reply = client.one_time_qr(member_id).await?;
    let query = reply.one_time_qr_data.split_once('?').map_or("", |(_, q)| q);
    let code = query.split('&').find_map(|p| p.strip_prefix("totp=")).unwrap_or_default().to_string();
    let server_now = crate::platform::clock::now_unix() + client.clock_offset().unwrap_or(0);
    let found = matching(seed, data, timestep, hash, &code, server_now);
    Ok(match found.as_slice() {
        [SeedEncoding::Ascii, ..] => Some("ascii"),
        [SeedEncoding::Base32] => Some("base32"),
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_reading_whose_code_matches_is_found() {
        let seed = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";
        let t = 1_700_000_000;
        let ascii = Generator::new(seed, "d", 30, SeedEncoding::Ascii, Hash::Sha1).unwrap().code(t);
        let base32 = Generator::new(seed, "d", 30, SeedEncoding::Base32, Hash::Sha1).unwrap().code(t);
        assert_eq!(matching(seed, "d", 30, Hash::Sha1, &ascii, t + 20), vec![SeedEncoding::Ascii]);
        assert_eq!(matching(seed, "d", 30, Hash::Sha1, &base32, t), vec![SeedEncoding::Base32]);
        assert!(matching(seed, "d", 30, Hash::Sha1, "000000", t).is_empty() || ascii == "000000");
        // The documented sample is not base32: only the ASCII reading can match it.
        let sample = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345";
        assert_eq!(matching(sample, "d", 30, Hash::Sha1, "368515", 1_700_000_000), vec![SeedEncoding::Ascii]);
    }
}
