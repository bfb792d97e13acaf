//! The PC clock against a server's clock.
//!
//! SESAME signs with the time and one-time QR codes are TOTP: a PC clock that is off
//! by more than a few tens of seconds silently breaks both. Every HTTP reply carries
//! a `Date` header; comparing it with the local time gives the offset.

use super::jst::JstDay;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Offsets beyond this are shown to staff as a warning.
pub const WARN_OFFSET_SECS: i64 = 30;

/// Server time minus local time, in whole seconds, from a reply's `Date` header.
///
/// The local time is taken half-way between sending and receiving, which cancels the
/// network delay if it is symmetric. `Date` is truncated to the second, so the server's
/// time is on average half a second later than it says; the result is good to about a
/// second.
pub fn offset_from_date(date_header: &str, sent: SystemTime, received: SystemTime) -> Option<i64> {
    let server = unix_f64(httpdate::parse_http_date(date_header).ok()?) + 0.5;
    let rtt = received.duration_since(sent).unwrap_or(Duration::ZERO);
    let local_mid = sent + rtt / 2;
    Some((server - unix_f64(local_mid)).round() as i64)
}

fn unix_f64(t: SystemTime) -> f64 {
    match t.duration_since(UNIX_EPOCH) {
        Ok(d) => d.as_secs_f64(),
        Err(e) => -e.duration().as_secs_f64(),
    }
}

/// Seconds on a clock that only moves forward (from the first call in this process):
/// for waits and sessions, which moving the PC's clock must not shorten or extend.
pub fn monotonic_secs() -> i64 {
    static START: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();
    START.get_or_init(std::time::Instant::now).elapsed().as_secs() as i64
}

/// Current Unix time in seconds.
pub fn now_unix() -> i64 {
    unix_f64(SystemTime::now()) as i64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn measures_offset_from_a_date_header() {
        let sent = UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        let received = sent + Duration::from_millis(400);
        // Server says 45 s later than our midpoint.
        let header = httpdate::fmt_http_date(UNIX_EPOCH + Duration::from_secs(1_700_000_045));
        assert_eq!(offset_from_date(&header, sent, received), Some(45));
        assert_eq!(offset_from_date("not a date", sent, received), None);
    }
}

/// `2026-11-23 09:30:00` in Japan time, for logs and tables.
pub fn format_jst(unix: i64) -> String {
    chrono::DateTime::from_timestamp(unix, 0)
        .map(|t| t.with_timezone(&jst()).format("%Y-%m-%d %H:%M:%S").to_string())
        .unwrap_or_else(|| unix.to_string())
}

/// The first millisecond of a Japan day given as `YYYY-MM-DD`; `next` gives the day after's.
pub fn day_start_ms(day: &str, next: bool) -> crate::Result<i64> {
    let d = JstDay::parse(day).ok_or_else(|| {
        crate::Error::invalid(
            crate::platform::error::Code::DateInvalid,
            format!("日付「{day}」は 2026-11-24 の形で入力してください"),
            format!("the date \"{day}\" must look like 2026-11-24"),
        )
    })?;
    Ok(if next { d.next() } else { d }.start() * 1000)
}

/// Japan Standard Time, the only zone SPLATS and the reservation system speak.
pub fn jst() -> chrono::FixedOffset {
    super::jst::zone()
}

/// `2026-11-23T09:30:00+09:00`: ISO 8601 to the second, always `+09:00`, as SPLATS wants.
pub fn iso_jst(unix: i64) -> String {
    chrono::DateTime::from_timestamp(unix, 0)
        .map(|t| t.with_timezone(&jst()).format("%Y-%m-%dT%H:%M:%S+09:00").to_string())
        .unwrap_or_else(|| unix.to_string())
}

/// Reads an ISO 8601 / RFC 3339 time with any offset into Unix seconds.
pub fn parse_iso(text: &str) -> Option<i64> {
    chrono::DateTime::parse_from_rfc3339(text.trim()).ok().map(|t| t.timestamp())
}

/// A starting point typed by a person: `2026-11-23`, `2026-11-23T09:00`, a full
/// ISO time, or an age such as `30m`, `2h`, `7d`. Dates without a zone are JST.
pub fn parse_since(text: &str, now: i64) -> Option<i64> {
    let t = text.trim();
    if let Some(unit) = t.chars().last().filter(|c| matches!(c, 's' | 'm' | 'h' | 'd')) {
        if let Ok(n) = t[..t.len() - 1].parse::<i64>() {
            let secs = match unit {
                's' => 1,
                'm' => 60,
                'h' => 3600,
                _ => 86_400,
            };
            return Some(now - n * secs);
        }
    }
    if let Some(unix) = parse_iso(t) {
        return Some(unix);
    }
    let local = chrono::NaiveDateTime::parse_from_str(t, "%Y-%m-%dT%H:%M")
        .or_else(|_| chrono::NaiveDateTime::parse_from_str(t, "%Y-%m-%d %H:%M"))
        .or_else(|_| {
            chrono::NaiveDate::parse_from_str(t, "%Y-%m-%d")
                .map(|d| d.and_hms_opt(0, 0, 0).expect("midnight"))
        })
        .ok()?;
    local.and_local_timezone(jst()).single().map(|d| d.timestamp())
}

#[cfg(test)]
mod iso_tests {
    use super::*;

    #[test]
    fn writes_and_reads_jst() {
        assert_eq!(iso_jst(1_700_000_000), "2023-11-15T07:13:20+09:00");
        assert_eq!(parse_iso("2023-11-15T07:13:20+09:00"), Some(1_700_000_000));
        assert_eq!(parse_iso("2023-11-14T22:13:20Z"), Some(1_700_000_000));
        assert_eq!(parse_iso("yesterday"), None);
    }

    #[test]
    fn reads_what_people_type_as_a_start() {
        let now = 1_700_000_000;
        assert_eq!(parse_since("2h", now), Some(now - 7200));
        assert_eq!(parse_since("7d", now), Some(now - 7 * 86_400));
        assert_eq!(parse_since("2023-11-15", now), Some(1_699_974_000));
        assert_eq!(parse_since("2023-11-15T07:13", now), Some(1_699_999_980));
        assert_eq!(parse_since("2023-11-14T22:13:20Z", now), Some(now));
        assert_eq!(parse_since("soon", now), None);
    }
}
