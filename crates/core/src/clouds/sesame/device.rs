//! A SESAME device's identity: its UUID and its 16-byte secret key, validated at the
//! edge so that a typo is explained to the manager instead of failing silently at the lock.

use crate::platform::error::{Code, Error, Result};
use std::fmt;

/// A device UUID in the canonical upper-case 8-4-4-4-12 form the official SDKs send.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DeviceUuid(String);

impl DeviceUuid {
    /// Accepts any case and surrounding spaces; refuses anything not 8-4-4-4-12 hex.
    pub fn parse(input: &str) -> Result<DeviceUuid> {
        let s = input.trim();
        let groups: Vec<&str> = s.split('-').collect();
        let shape_ok = groups.len() == 5
            && groups
                .iter()
                .zip([8, 4, 4, 4, 12])
                .all(|(g, n)| g.len() == n && g.chars().all(|c| c.is_ascii_hexdigit()));
        if !shape_ok {
            return Err(Error::invalid(
                Code::UuidInvalid,
                format!("UUID「{s}」の形式が正しくありません。例: 488ABAAB-164F-7A86-595F-DDD778CB86C3"),
                format!("UUID \"{s}\" is malformed; expected e.g. 488ABAAB-164F-7A86-595F-DDD778CB86C3"),
            ));
        }
        Ok(DeviceUuid(s.to_ascii_uppercase()))
    }

    /// From the 16 raw bytes in a manager-key QR (big-endian UUID order).
    pub fn from_bytes(b: &[u8; 16]) -> DeviceUuid {
        let h = hex::encode_upper(b);
        DeviceUuid(format!("{}-{}-{}-{}-{}", &h[0..8], &h[8..12], &h[12..16], &h[16..20], &h[20..32]))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for DeviceUuid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A device secret key: 16 bytes, written as 32 hex characters. Never printed: its
/// `Debug` is masked.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretKey([u8; 16]);

impl SecretKey {
    pub fn parse(input: &str) -> Result<SecretKey> {
        let s = input.trim();
        let n = s.chars().count();
        if n != 32 || !s.chars().all(|c| c.is_ascii_hexdigit()) {
            let what_ja = if n != 32 {
                format!("{n} 文字です")
            } else {
                "16 進数以外の文字を含みます".into()
            };
            let what_en = if n != 32 { format!("it has {n}") } else { "it has non-hex characters".into() };
            return Err(Error::invalid(
                Code::SecretKeyInvalid,
                format!("シークレットキーは 16 進数ちょうど 32 文字です ({what_ja})"),
                format!("the secret key must be exactly 32 hexadecimal characters ({what_en})"),
            ));
        }
        let mut bytes = [0u8; 16];
        hex::decode_to_slice(s, &mut bytes).expect("checked above");
        Ok(SecretKey(bytes))
    }

    pub fn from_bytes(bytes: [u8; 16]) -> SecretKey {
        SecretKey(bytes)
    }

    pub fn bytes(&self) -> &[u8; 16] {
        &self.0
    }

    /// The lowercase hex form, for the keyring only.
    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }
}

/// The key's bytes are wiped when it is dropped.
impl Drop for SecretKey {
    fn drop(&mut self) {
        use secrecy::zeroize::Zeroize;
        self.0.zeroize();
    }
}

impl fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretKey(••••)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_uuids_to_upper_case() {
        let u = DeviceUuid::parse(" 488abaab-164f-7a86-595f-ddd778cb86c3 ").unwrap();
        assert_eq!(u.as_str(), "488ABAAB-164F-7A86-595F-DDD778CB86C3");
    }

    #[test]
    fn explains_malformed_uuids() {
        for bad in
            ["", "488ABAAB164F7A86595FDDD778CB86C3", "488ABAAB-164F-7A86-595F-DDD778CB86CZ", "1-2-3-4-5"]
        {
            let e = DeviceUuid::parse(bad).unwrap_err();
            assert!(e.message(crate::Lang::Ja).contains("UUID"), "{bad}");
            assert!(e.message(crate::Lang::En).contains("malformed"), "{bad}");
        }
    }

    #[test]
    fn secret_keys_are_exactly_32_hex() {
        assert!(SecretKey::parse("a13d4b890111676ba8fb36ece7e94f7d").is_ok());
        assert!(SecretKey::parse("A13D4B890111676BA8FB36ECE7E94F7D").is_ok());
        let short = SecretKey::parse("a13d").unwrap_err();
        assert!(short.message(crate::Lang::En).contains("it has 4"));
        let nonhex = SecretKey::parse("g13d4b890111676ba8fb36ece7e94f7d").unwrap_err();
        assert!(nonhex.message(crate::Lang::Ja).contains("16 進数以外"));
    }

    #[test]
    fn secret_keys_never_print() {
        let k = SecretKey::parse("a13d4b890111676ba8fb36ece7e94f7d").unwrap();
        assert!(!format!("{k:?}").contains("a13d"));
    }

    #[test]
    fn uuid_from_qr_bytes() {
        let b: [u8; 16] = hex::decode("1718191a1b1c1d1e1f20212223242526").unwrap().try_into().unwrap();
        assert_eq!(DeviceUuid::from_bytes(&b).as_str(), "1718191A-1B1C-1D1E-1F20-212223242526");
    }
}
