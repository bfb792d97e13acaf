//! The device side of one-time QR: what a SPLATS reader computes to accept a code.
//!
//! Written independently of the client's `totp-rs` code, following the reading in
//! docs/reference/splats-api.md §2.3: RFC 6238, HMAC-SHA-1, T0 = 0, 6 digits, the key
//! is the ASCII bytes of `totp_seed`, and `2·skew + 1` windows are accepted. A tenant
//! can be set to the other plausible reading, RFC 4648 base32 ([`Reading`]), so that
//! the client's detection of it is tested against readers that really work that way.

use hmac::{Hmac, Mac};
use sha1::Sha1;

/// How a tenant's readers turn `totp_seed` into the HMAC key.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Reading {
    /// The seed's ASCII bytes.
    #[default]
    Ascii,
    /// The seed decoded as RFC 4648 base32 (what authenticator apps do).
    Base32,
}

/// The key bytes of `seed` under `reading` (a seed that is not base32 gives no key).
pub fn key(seed: &str, reading: Reading) -> Vec<u8> {
    match reading {
        Reading::Ascii => seed.as_bytes().to_vec(),
        Reading::Base32 => base32(seed).unwrap_or_default(),
    }
}

/// RFC 4648 base32 without padding, written here so that the readers do not share the
/// client's decoder.
fn base32(text: &str) -> Option<Vec<u8>> {
    let (mut out, mut bits, mut acc) = (Vec::new(), 0u32, 0u32);
    for c in text.trim_end_matches('=').bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'2'..=b'7' => c - b'2' + 26,
            _ => return None,
        };
        acc = (acc << 5) | u32::from(v);
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}

/// The 6-digit code for `unix` seconds, the seed read as ASCII.
pub fn code(seed: &str, timestep: u32, unix: i64) -> String {
    code_with(seed.as_bytes(), timestep, unix)
}

/// The 6-digit code for `unix` seconds from key bytes.
pub fn code_with(key: &[u8], timestep: u32, unix: i64) -> String {
    code_at_counter(key, unix.div_euclid(i64::from(timestep.max(1))))
}

fn code_at_counter(key: &[u8], counter: i64) -> String {
    let mut mac = Hmac::<Sha1>::new_from_slice(key).expect("HMAC takes any key length");
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

/// Accepts `code` at `unix` within `skew` windows either way, the seed read as ASCII.
pub fn verify(seed: &str, timestep: u32, skew: u32, code: &str, unix: i64) -> bool {
    verify_with(seed.as_bytes(), timestep, skew, code, unix)
}

/// [`verify`] from key bytes; an empty key accepts nothing.
pub fn verify_with(key: &[u8], timestep: u32, skew: u32, code: &str, unix: i64) -> bool {
    let t = unix.div_euclid(i64::from(timestep.max(1)));
    !key.is_empty()
        && (-i64::from(skew)..=i64::from(skew))
            .filter(|i| t + i >= 0)
            .any(|i| constant_time_eq(code_at_counter(key, t + i).as_bytes(), code.as_bytes()))
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
    fn base32_decodes_as_rfc_4648_says() {
        // RFC 4648 §10: BASE32("foobar") = "MZXW6YTBOI======".
        assert_eq!(base32("MZXW6YTBOI======").unwrap(), b"foobar");
        assert_eq!(base32("MZXW6==="), Some(b"foo".to_vec()));
        assert!(base32("ABCDEFGHIJKLMNOPQRSTUVWXYZ012345").is_none(), "the documented sample is not base32");
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
