//! Secrets: API keys, device secret keys, tokens, TOTP seeds.
//!
//! They live in the OS keyring (Secret Service on Linux, Credential Manager on
//! Windows, Keychain on macOS) under one service name; SQLite and the config file
//! hold only their names. In memory a secret is a [`SecretString`]: zeroized when
//! dropped, `[REDACTED]` in `Debug`, read only through `expose_secret()` where it is
//! used. Nothing in this module logs or formats a value.

use crate::platform::error::{Error, Result};
pub use secrecy::{ExposeSecret, SecretString};
use std::collections::HashMap;
use std::sync::Mutex;

/// The names under which the app keeps its secrets.
pub mod names {
    pub const RESERVATION_TOKEN: &str = "reservation.token";
    pub const RESERVATION_REFRESH_TOKEN: &str = "reservation.refresh_token";
    pub const RESERVATION_CLIENT_SECRET: &str = "reservation.client_secret";
    pub const SESAME_API_KEY: &str = "sesame.api_key";
    pub const SPLATS_TOKEN: &str = "splats.token";
    /// The extended API's `License-Key`, for pass-controller operations.
    pub const SPLATS_LICENSE_KEY: &str = "splats.license_key";

    /// The QR a guest shows at a key box (a SPLATS guest's `qrcode_data`): it takes a
    /// key during the booking, so it is kept like a password.
    pub fn guest_key_qr(guest_id: &str) -> String {
        format!("guest.{guest_id}.key_qr")
    }

    /// The fixed QR of a guest's printed pass (a SPLATS guest's `qrcode_data`): it opens
    /// their doors during the booking, so it is kept like a password.
    pub fn guest_pass_qr(guest_id: &str) -> String {
        format!("guest.{guest_id}.pass_qr")
    }

    /// The TOTP seed of a guest's SPLATS member.
    pub fn guest_seed(guest_id: &str) -> String {
        format!("guest.{guest_id}.totp_seed")
    }

    /// The secret key of one SESAME device, by its UUID.
    pub fn device_secret(uuid: &str) -> String {
        format!("{DEVICE_SECRET_PREFIX}{}", uuid.to_ascii_uppercase())
    }

    /// What every lock's key is named with, before its UUID.
    pub const DEVICE_SECRET_PREFIX: &str = "sesame.device.";
}

/// Somewhere secrets can be kept. The app uses [`Keyring`]; unit tests use [`MemorySecrets`].
pub trait SecretStore: Send + Sync {
    fn get(&self, name: &str) -> Result<Option<SecretString>>;
    fn set(&self, name: &str, value: &str) -> Result<()>;
    /// Deleting a secret that is not there is not an error.
    fn delete(&self, name: &str) -> Result<()>;

    /// The secret, or an error that names (only) the missing setting.
    fn require(&self, name: &str) -> Result<SecretString> {
        self.get(name)?.ok_or_else(|| Error::SecretMissing(name.to_string()))
    }
}

/// The OS keyring, through the `keyring` crate.
pub struct Keyring {
    service: String,
}

impl Keyring {
    pub fn new(service: &str) -> Keyring {
        Keyring { service: service.to_string() }
    }

    fn entry(&self, name: &str) -> Result<keyring::Entry> {
        keyring::Entry::new(&self.service, name).map_err(keyring_error)
    }
}

/// Keyring errors carry platform text, never the secret itself.
fn keyring_error(e: keyring::Error) -> Error {
    match e {
        keyring::Error::NoDefaultStore | keyring::Error::NoStorageAccess(_) => Error::Keyring(format!(
            "{e} (is a Secret Service such as GNOME Keyring or KWallet running and unlocked?)"
        )),
        e => Error::Keyring(e.to_string()),
    }
}

impl SecretStore for Keyring {
    fn get(&self, name: &str) -> Result<Option<SecretString>> {
        match self.entry(name)?.get_password() {
            Ok(v) => Ok(Some(v.into())),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(keyring_error(e)),
        }
    }

    fn set(&self, name: &str, value: &str) -> Result<()> {
        self.entry(name)?.set_password(value).map_err(keyring_error)
    }

    fn delete(&self, name: &str) -> Result<()> {
        match self.entry(name)?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(keyring_error(e)),
        }
    }
}

/// Secrets in memory, for tests and for the simulator-only demo mode.
#[derive(Default)]
pub struct MemorySecrets(Mutex<HashMap<String, SecretString>>);

impl SecretStore for MemorySecrets {
    fn get(&self, name: &str) -> Result<Option<SecretString>> {
        Ok(self.0.lock().unwrap().get(name).cloned())
    }

    fn set(&self, name: &str, value: &str) -> Result<()> {
        self.0.lock().unwrap().insert(name.into(), SecretString::from(value));
        Ok(())
    }

    fn delete(&self, name: &str) -> Result<()> {
        self.0.lock().unwrap().remove(name);
        Ok(())
    }
}

/// How a saved secret is shown back: never in full. Long secrets keep their last
/// four characters so a manager can tell two keys apart.
pub fn mask(secret: &str) -> String {
    let n = secret.chars().count();
    if n >= 16 {
        let tail: String = secret.chars().skip(n - 4).collect();
        format!("••••••••{tail}")
    } else {
        "••••••••".to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_store_behaves_like_a_keyring() {
        let s = MemorySecrets::default();
        assert!(s.get("a").unwrap().is_none());
        s.set("a", "1").unwrap();
        assert_eq!(s.require("a").unwrap().expose_secret(), "1");
        s.delete("a").unwrap();
        s.delete("a").unwrap();
        let err = s.require("a").unwrap_err();
        assert_eq!(err.to_string(), "secret `a` is not set");
    }

    #[test]
    fn masks_hide_all_but_a_short_tail() {
        assert_eq!(mask("a13d4b890111676ba8fb36ece7e94f7d"), "••••••••4f7d");
        assert_eq!(mask("short"), "••••••••");
    }

    /// Runs only where a Secret Service is up (`make test` starts one under dbus-run-session).
    #[test]
    fn real_keyring_round_trip() {
        if std::env::var_os("UKETSUKE_TEST_KEYRING").is_none() {
            eprintln!("skipped: set UKETSUKE_TEST_KEYRING=1 with a Secret Service running");
            return;
        }
        let k = Keyring::new("jp.uketsuke.test");
        let name = format!("test.{}", std::process::id());
        k.set(&name, "s3cr3t-値").unwrap();
        assert_eq!(k.get(&name).unwrap().as_ref().map(|s| s.expose_secret()), Some("s3cr3t-値"));
        k.delete(&name).unwrap();
        assert!(k.get(&name).unwrap().is_none());
    }
}
