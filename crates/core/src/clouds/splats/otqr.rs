//! One-time QR codes made on this PC from a member's `totp_seed`, so they keep
//! rotating when the network is down.
//!
//! The format is our reading of SPLATS' one-time QR spec (docs/reference/splats-api.md
//! §2.3): `SL-OTQR?v=1&data={member's qrcode.data}&totp={6 digits}`, TOTP per RFC 6238
//! with T0 = 0 and the member's `timestep`. The spec's seed encoding and hash were not
//! retrievable, so both are settings: the seed's ASCII bytes (the only reading that
//! accepts the documented sample seed) and HMAC-SHA-1 by default.

use crate::platform::error::{Code, Error, Result};
use serde::Serialize;
use totp_rs::{Algorithm, Secret, TOTP};

// Set per tenant in the config (`[splats] otqr_seed_encoding`, `otqr_hash`).
pub use crate::platform::config::{Hash, SeedEncoding};

/// Makes the codes of one member.
pub struct Generator {
    totp: TOTP,
    data: String,
    timestep: u32,
}

/// The code to show now, and when it changes.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct Frame {
    pub payload: String,
    /// Unix seconds (server clock) when this code took over and when it is replaced.
    pub step_start: i64,
    pub step_end: i64,
    pub timestep: u32,
}

impl Generator {
    pub fn new(
        seed: &str,
        data: &str,
        timestep: u32,
        encoding: SeedEncoding,
        hash: Hash,
    ) -> Result<Generator> {
        let key = match encoding {
            SeedEncoding::Ascii => seed.as_bytes().to_vec(),
            SeedEncoding::Base32 => Secret::Encoded(seed.to_string()).to_bytes().map_err(|_| {
                Error::invalid(
                    Code::TotpSeedInvalid,
                    "TOTP シードが base32 ではありません",
                    "the TOTP seed is not base32",
                )
            })?,
        };
        if key.is_empty() || !(30..=86_400).contains(&timestep) {
            return Err(Error::invalid(
                Code::OtqrSettingsInvalid,
                "ワンタイムQRの設定が正しくありません (シードが空か、タイムステップが30〜86400秒の外です)",
                "invalid one-time QR settings (empty seed, or a timestep outside 30–86,400 s)",
            ));
        }
        let algorithm = match hash {
            Hash::Sha1 => Algorithm::SHA1,
            Hash::Sha256 => Algorithm::SHA256,
        };
        let totp = TOTP::new_unchecked(algorithm, 6, 0, u64::from(timestep), key);
        Ok(Generator { totp, data: data.to_string(), timestep })
    }

    /// The 6-digit code at `unix` seconds.
    pub fn code(&self, unix: i64) -> String {
        self.totp.generate(unix.max(0) as u64)
    }

    /// The payload and its step at `unix` seconds of the server's clock.
    pub fn frame(&self, unix: i64) -> Frame {
        let step = i64::from(self.timestep);
        let step_start = unix.div_euclid(step) * step;
        Frame {
            payload: payload(&self.data, &self.code(unix)),
            step_start,
            step_end: step_start + step,
            timestep: self.timestep,
        }
    }
}

/// `SL-OTQR?v=1&data=…&totp=…`, `data` percent-encoded outside the RFC 3986 unreserved set.
pub fn payload(data: &str, code: &str) -> String {
    let enc = percent_encoding::utf8_percent_encode(data, NOT_UNRESERVED);
    format!("SL-OTQR?v=1&data={enc}&totp={code}")
}

/// Every byte but RFC 3986's unreserved ones (letters, digits, `-._~`) is escaped.
const NOT_UNRESERVED: &percent_encoding::AsciiSet =
    &percent_encoding::NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

#[cfg(test)]
mod tests {
    use super::*;

    const SEED: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345";

    #[test]
    fn matches_the_reference_vectors() {
        let g30 = Generator::new(SEED, "ABCDEF0123456789", 30, SeedEncoding::Ascii, Hash::Sha1).unwrap();
        let g300 = Generator::new(SEED, "ABCDEF0123456789", 300, SeedEncoding::Ascii, Hash::Sha1).unwrap();
        let g256 = Generator::new(SEED, "x", 30, SeedEncoding::Ascii, Hash::Sha256).unwrap();
        for (t, s30, s300, sha256) in [
            (0, "765084", "765084", "424186"),
            (59, "581710", "765084", "389674"),
            (1111111109, "211937", "886448", "100358"),
            (1234567890, "429485", "706721", "114958"),
            (1700000000, "368515", "950158", "682818"),
            (2000000000, "102459", "909461", "704736"),
        ] {
            assert_eq!(g30.code(t), s30, "t={t}");
            assert_eq!(g300.code(t), s300, "t={t}");
            assert_eq!(g256.code(t), sha256, "t={t}");
        }
        let f = g30.frame(1_700_000_000);
        assert_eq!(f.payload, "SL-OTQR?v=1&data=ABCDEF0123456789&totp=368515");
        assert_eq!((f.step_start, f.step_end), (1_699_999_980, 1_700_000_010));
    }

    #[test]
    fn base32_refuses_the_documented_sample_seed() {
        assert!(Generator::new(SEED, "d", 30, SeedEncoding::Base32, Hash::Sha1).is_err());
        assert!(Generator::new("JBSWY3DPEHPK3PXP", "d", 30, SeedEncoding::Base32, Hash::Sha1).is_ok());
    }

    #[test]
    fn data_is_percent_encoded_and_settings_checked() {
        assert_eq!(payload("A B&", "000001"), "SL-OTQR?v=1&data=A%20B%26&totp=000001");
        assert!(Generator::new(SEED, "d", 10, SeedEncoding::Ascii, Hash::Sha1).is_err());
        assert!(Generator::new("", "d", 30, SeedEncoding::Ascii, Hash::Sha1).is_err());
    }
}
