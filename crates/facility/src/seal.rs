//! The facility key and what it seals: device secret keys, cloud tokens and guests'
//! TOTP seeds travel through PostgreSQL only as AES-256-GCM ciphertext, so someone
//! who reads the database (a backup, a managed server's operator) learns nothing.
//!
//! Each PC keeps the 32-byte key in its OS keyring (`facility.key`). A sealed value is
//! `nonce (12 bytes) ‖ ciphertext+tag`, with the secret's name as associated data:
//! a sealed device key cannot be passed off as another device's, or as a token.

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::Engine;
use uketsuke_core::platform::error::{Code, Error, Result};
use zeroize::Zeroizing;

/// The facility's key. Zeroed when dropped; never printed.
#[derive(Clone)]
pub struct FacilityKey(Zeroizing<[u8; 32]>);

impl std::fmt::Debug for FacilityKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("FacilityKey([REDACTED])")
    }
}

impl FacilityKey {
    /// A new random key (the first PC of a facility makes it).
    pub fn generate() -> FacilityKey {
        let mut k = Zeroizing::new([0u8; 32]);
        rand::fill(&mut k[..]);
        FacilityKey(k)
    }

    pub fn from_bytes(bytes: &[u8]) -> Result<FacilityKey> {
        let arr: [u8; 32] = bytes.try_into().map_err(|_| wrong_key())?;
        Ok(FacilityKey(Zeroizing::new(arr)))
    }

    /// The form kept in the keyring (base64).
    pub fn to_text(&self) -> Zeroizing<String> {
        Zeroizing::new(base64::engine::general_purpose::STANDARD.encode(&self.0[..]))
    }

    pub fn from_text(text: &str) -> Result<FacilityKey> {
        let bytes = Zeroizing::new(
            base64::engine::general_purpose::STANDARD.decode(text.trim()).map_err(|_| wrong_key())?,
        );
        FacilityKey::from_bytes(&bytes)
    }

    pub(crate) fn bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// Seals `secret` under the name it is kept by.
    pub fn seal(&self, name: &str, secret: &[u8]) -> Vec<u8> {
        let cipher = Aes256Gcm::new_from_slice(&self.0[..]).expect("32-byte key");
        let mut nonce = [0u8; 12];
        rand::fill(&mut nonce);
        let sealed = cipher
            .encrypt(Nonce::from_slice(&nonce), Payload { msg: secret, aad: name.as_bytes() })
            .expect("AES-GCM encrypts any length we use");
        [nonce.as_slice(), &sealed].concat()
    }

    /// Opens what [`seal`](Self::seal) made under the same name; a wrong key, a wrong
    /// name or a changed byte all fail alike.
    pub fn open(&self, name: &str, sealed: &[u8]) -> Result<Zeroizing<Vec<u8>>> {
        if sealed.len() < 12 + 16 {
            return Err(wrong_key());
        }
        let cipher = Aes256Gcm::new_from_slice(&self.0[..]).expect("32-byte key");
        let (nonce, body) = sealed.split_at(12);
        cipher
            .decrypt(Nonce::from_slice(nonce), Payload { msg: body, aad: name.as_bytes() })
            .map(Zeroizing::new)
            .map_err(|_| wrong_key())
    }
}

pub(crate) fn wrong_key() -> Error {
    Error::invalid(
        Code::FacilityKey,
        "この PC の施設キーでは共有データを開けません。参加コードでもう一度参加してください",
        "this PC's facility key does not open the shared data: join again with a join code",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_values_open_only_with_the_key_and_the_name() {
        let key = FacilityKey::generate();
        let sealed = key.seal("sesame.device.A", b"0123456789abcdef");
        assert_eq!(&key.open("sesame.device.A", &sealed).unwrap()[..], b"0123456789abcdef");
        assert!(!sealed.windows(16).any(|w| w == b"0123456789abcdef"), "no plain text in it");
        assert_eq!(key.open("sesame.device.B", &sealed).unwrap_err().code(), "facility_key");
        assert_eq!(
            FacilityKey::generate().open("sesame.device.A", &sealed).unwrap_err().code(),
            "facility_key"
        );
        let mut bent = sealed.clone();
        bent[20] ^= 1;
        assert!(key.open("sesame.device.A", &bent).is_err());
    }

    #[test]
    fn the_key_round_trips_through_its_text_and_never_prints() {
        let key = FacilityKey::generate();
        let back = FacilityKey::from_text(&key.to_text()).unwrap();
        assert_eq!(key.bytes(), back.bytes());
        assert_eq!(format!("{key:?}"), "FacilityKey([REDACTED])");
        assert_eq!(FacilityKey::from_text("short").unwrap_err().code(), "facility_key");
    }
}
