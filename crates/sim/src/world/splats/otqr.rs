//! The device side of one-time QR: what a SPLATS reader computes to accept a code.
//!
//! Written independently of the client's `totp-rs` code, following the reading in
//! docs/reference/splats-api.md §2.3: RFC 6238, HMAC-SHA-1, T0 = 0, 6 digits, the key
//! is the ASCII bytes of `totp_seed`, and `2·skew + 1` windows are accepted.

use hmac::{Hmac, Mac};
use sha1::Sha1;

/// The 6-digit code for `unix` seconds.
pub fn code(seed: &str, timestep: u32, unix: i64) -> String {
    code_at_counter(seed, unix.div_euclid(i64::from(timestep.max(1))))
}

fn code_at_counter(seed: &str, counter: i64) -> String {
    let mut mac = Hmac::<Sha1>::new_from_slice(seed.as_bytes()).expect("HMAC takes any key length");
    mac.update(&(counter as u64).to_be_bytes());
    let digest = mac.finalize().into_bytes();
    let offset = (digest[19] & 0x0f) as usize;
    let bin = u32::from_be_bytes([
        digest[offset] & 0x7f,
        digest[offset + 1],
        digest[offset + 2],
        digest[offset + 3],
    ]);
    format!("{:06}", bin % 1_000_000)
}

/// `SL-OTQR?v=1&data=…&totp=…`, the order of the documented example.
pub fn payload(data: &str, code: &str) -> String {
    format!("SL-OTQR?v=1&data={data}&totp={code}")
}

/// Splits a payload into (data, code); `None` if it is not a v1 one-time QR.
pub fn parse(payload: &str) -> Option<(String, String)> {
    let query = payload.strip_prefix("SL-OTQR?")?;
    let (mut v, mut data, mut totp) = (None, None, None);
    for pair in query.split('&') {
        let (k, val) = pair.split_once('=')?;
        let slot = match k {
            "v" => &mut v,
            "data" => &mut data,
            "totp" => &mut totp,
            _ => continue,
        };
        if slot.replace(val.to_string()).is_some() {
            return None;
        }
    }
    let totp = totp?;
    (v.as_deref() == Some("1") && totp.len() == 6 && totp.bytes().all(|b| b.is_ascii_digit()))
        .then_some((data?, totp))
}

/// Accepts `code` at `unix` within `skew` windows either way.
pub fn verify(seed: &str, timestep: u32, skew: u32, code: &str, unix: i64) -> bool {
    let t = unix.div_euclid(i64::from(timestep.max(1)));
    (-i64::from(skew)..=i64::from(skew))
        .filter(|i| t + i >= 0)
        .any(|i| constant_time_eq(code_at_counter(seed, t + i).as_bytes(), code.as_bytes()))
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    const SEED: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345";

    #[test]
    fn matches_the_reference_vectors() {
        for (t, step30, step300) in [
            (0, "765084", "765084"),
            (59, "581710", "765084"),
            (1111111109, "211937", "886448"),
            (1234567890, "429485", "706721"),
            (1700000000, "368515", "950158"),
            (2000000000, "102459", "909461"),
        ] {
            assert_eq!(code(SEED, 30, t), step30, "t={t}");
            assert_eq!(code(SEED, 300, t), step300, "t={t}");
        }
    }

    #[test]
    fn skew_accepts_neighbouring_windows_only() {
        let now = 1_700_000_000;
        let past = code(SEED, 30, now - 60);
        assert!(verify(SEED, 30, 2, &past, now));
        assert!(!verify(SEED, 30, 1, &past, now));
        assert!(!verify(SEED, 30, 0, "000000", now) || code(SEED, 30, now) == "000000");
    }

    #[test]
    fn parses_only_well_formed_payloads() {
        assert_eq!(
            parse("SL-OTQR?v=1&data=ABCDEF0123456789&totp=123456"),
            Some(("ABCDEF0123456789".into(), "123456".into()))
        );
        assert_eq!(parse("SL-OTQR?v=2&data=A&totp=123456"), None);
        assert_eq!(parse("SL-OTQR?v=1&data=A&totp=12345"), None);
        assert_eq!(parse("SL-OTQR?v=1&v=1&data=A&totp=123456"), None);
        assert_eq!(parse("ABCDEF"), None);
    }
}
