//! The SESAME command signature.
//!
//! `sign = hex(AES-128-CMAC(secret, le32(unix_secs)[1..4]))`: the little-endian Unix time
//! with its *least* significant byte dropped (the official wording says "most
//! significant"; every working implementation, the doc's own sample included, drops
//! the first LE byte). The sign therefore changes every 256 s.

use aes::Aes128;
use cmac::{Cmac, Mac};

/// The 3-byte message signed at `unix_secs`.
pub fn message(unix_secs: u32) -> [u8; 3] {
    let le = unix_secs.to_le_bytes();
    [le[1], le[2], le[3]]
}

/// The full 16-byte CMAC as 32 lowercase hex characters, as the Web API expects.
pub fn sign(secret: &[u8; 16], unix_secs: u32) -> String {
    let mut mac = <Cmac<Aes128> as Mac>::new_from_slice(secret).expect("16-byte key");
    mac.update(&message(unix_secs));
    hex::encode(mac.finalize().into_bytes())
}

/// The Unix time to sign with: the PC clock corrected by the measured server offset.
/// Values outside u32 (before 1970 or after 2106) are clamped.
pub fn signing_time(pc_unix: i64, server_offset_secs: i64) -> u32 {
    (pc_unix + server_offset_secs).clamp(0, u32::MAX as i64) as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(hex_key: &str) -> [u8; 16] {
        hex::decode(hex_key).unwrap().try_into().unwrap()
    }

    const DOC_JS: &str = "a13d4b890111676ba8fb36ece7e94f7d";
    const DOC_PY: &str = "2ebc2c087c1501480834538ff72139bc";

    /// Every computed vector in `sesame-web-api.md` §2.6.
    #[test]
    fn matches_the_reference_vectors() {
        let vectors = [
            (DOC_JS, 1621854456, "e50d10ff6f3e21752be4c46f9cbb2b73"),
            (DOC_JS, 1598523693, "292848fcae4991a9ee6834d7fd2baeec"),
            (DOC_JS, 1700000000, "a53566abe6f6b507fe360a46a9869840"),
            (DOC_JS, 1735689600, "423aca2fd33872c253454946c7746a29"),
            (DOC_JS, 0, "7b9ff3d7c7c3bf66fd166bbdb11ef660"),
            (DOC_JS, 255, "7b9ff3d7c7c3bf66fd166bbdb11ef660"),
            (DOC_JS, 256, "aa32db55b8a06d81271ea88d4fbe0149"),
            (DOC_JS, 4294967295, "358e77293cad7d1c49a589f574cd75e7"),
            (DOC_PY, 1621854456, "5dbfeb13623b8c604ead15a7336535ec"),
            (DOC_PY, 1598523693, "6041e0b9201d4f2468f7d39cc1d183d1"),
            (DOC_PY, 1700000000, "7bf16bfc296920a5e5e040ddbcdae6eb"),
            (DOC_PY, 1735689600, "2bc69a4ca8d6212f70055edbf1e0cb67"),
            (DOC_PY, 0, "f2ff5da187440b31834120e513c6200f"),
            (DOC_PY, 256, "d12e71802c90855e7b08d5f5040abfbe"),
            (DOC_PY, 4294967295, "7baca9ab6c1a8c5c180d499434d83b64"),
            ("000102030405060708090a0b0c0d0e0f", 1621854456, "fc113681f71e229c3e8cdd887c4c2128"),
            ("000102030405060708090a0b0c0d0e0f", 1700000000, "c27bd684bfdded305fc8fd02da4a3ce7"),
            ("000102030405060708090a0b0c0d0e0f", 0, "15705bc8d913cf4c5a5bb1e10642158b"),
            ("2b7e151628aed2a6abf7158809cf4f3c", 1621854456, "94d3b85184a295bc99cc28e7a3d45bef"),
            ("2b7e151628aed2a6abf7158809cf4f3c", 1700000000, "b40bcb3c32f6d16f921c9be940843455"),
        ];
        for (k, ts, expected) in vectors {
            assert_eq!(sign(&key(k), ts), expected, "key {k} at {ts}");
        }
    }

    #[test]
    fn message_drops_the_least_significant_byte() {
        assert_eq!(message(1621854456), [0x88, 0xab, 0x60]); // f888ab60 → 88ab60
        assert_eq!(message(1700000000), [0xf1, 0x53, 0x65]);
    }

    #[test]
    fn window_boundaries() {
        let k = key(DOC_PY);
        assert_eq!(sign(&k, 1699999999), "54396347ff8bb02d2df31f689e3abcfd");
        assert_eq!(sign(&k, 1700000000), sign(&k, 1700000255));
        assert_eq!(sign(&k, 1700000351), "e7b3c528e6bccdb7b25eba05f7e7b7f9");
    }

    /// The common bugs of §2.6 give these signs; ours must never equal any of them.
    #[test]
    fn differs_from_every_known_wrong_variant() {
        let ours = sign(&key(DOC_PY), 1700000000);
        for wrong in [
            "667fff5abed9da5e43cefc5c76f0ce6e", // dropped the MSB
            "bec21086150b684f3add568c23cfa7c1", // all 4 LE bytes
            "92e9c58080cadcae0cbdae85ab1c429a", // big-endian [0:3]
            "2e40e74cd48ec9edbf1e53e1158c0bef", // big-endian [1:4]
            "ea7466b7db53889ec3e8ecb991d1d4c1", // CMAC over the hex text
            "655bd4bc361d907faf8bdcf7a465e3b0", // milliseconds
        ] {
            assert_ne!(ours, wrong);
        }
        // And the wrong variants really are what those bugs compute.
        let mut mac = <Cmac<Aes128> as Mac>::new_from_slice(&key(DOC_PY)).unwrap();
        mac.update(&1700000000u32.to_le_bytes());
        assert_eq!(hex::encode(mac.finalize().into_bytes()), "bec21086150b684f3add568c23cfa7c1");
    }

    #[test]
    fn signs_with_the_corrected_clock() {
        assert_eq!(signing_time(1_700_000_000, -45), 1_699_999_955);
        assert_eq!(signing_time(-5, 0), 0);
    }
}
