//! Credentials go only to their cloud. When a cloud's address moves to another origin
//! (scheme, host, port), by the settings form or by an imported file, the credentials
//! kept for it are removed before anything can send them there: an API key and a
//! valid `sign` (replayable for minutes), or a bearer token, would otherwise go to
//! whatever host the file names. They are entered again for the new address.

use crate::platform::config::Config;
use crate::platform::error::Result;
use crate::platform::secrets::{names, SecretStore};
use serde::Serialize;

/// One cloud whose address moves to another origin.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct AddressChange {
    /// `reservation`, `sesame` or `splats`.
    pub cloud: String,
    /// The origins before and after (`https://host:port`); none when not set.
    pub from: Option<String>,
    pub to: Option<String>,
    /// The secrets removed with the move: names, never values.
    pub forgets: Vec<String>,
}

/// Each cloud's origin as the config uses it, and the secrets that belong to it.
fn clouds(c: &Config) -> [(&'static str, Option<String>, &'static [&'static str]); 3] {
    [
        (
            "reservation",
            c.reservation.base_url.as_deref().map(origin),
            &[names::RESERVATION_TOKEN, names::RESERVATION_REFRESH_TOKEN, names::RESERVATION_CLIENT_SECRET],
        ),
        ("sesame", Some(origin(c.sesame_url())), &[names::SESAME_API_KEY]),
        ("splats", Some(origin(c.splats_url())), &[names::SPLATS_TOKEN, names::SPLATS_LICENSE_KEY]),
    ]
}

/// `https://host:port` of a URL; a path change on the same origin is not a move.
fn origin(url: &str) -> String {
    url::Url::parse(url).map(|u| u.origin().ascii_serialization()).unwrap_or_else(|_| url.to_string())
}

/// The clouds whose origin differs between `before` and `after`.
pub fn address_changes(before: &Config, after: &Config) -> Vec<AddressChange> {
    clouds(before)
        .into_iter()
        .zip(clouds(after))
        .filter(|((_, from, _), (_, to, _))| from != to)
        .map(|((cloud, from, forgets), (_, to, _))| AddressChange {
            cloud: cloud.into(),
            from,
            to,
            forgets: forgets.iter().map(|s| s.to_string()).collect(),
        })
        .collect()
}

/// Removes the credentials of every cloud that moved.
pub fn forget_moved(changes: &[AddressChange], secrets: &dyn SecretStore) -> Result<()> {
    for name in changes.iter().flat_map(|c| &c.forgets) {
        secrets.delete(name)?;
    }
    Ok(())
}

/// The moves as the audit log keeps them: clouds and hosts.
pub fn audit_detail(changes: &[AddressChange]) -> serde_json::Value {
    changes.iter().map(|c| serde_json::json!({ "cloud": c.cloud, "from": c.from, "to": c.to })).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::platform::secrets::ExposeSecret;

    #[test]
    fn a_move_is_a_change_of_origin_and_forgets_that_clouds_secrets_only() {
        let before = Config::default();
        let mut after = before.clone();
        after.sesame.base_url = Some(format!("{}/v2", crate::platform::config::SESAME_DEFAULT_URL));
        assert!(address_changes(&before, &after).is_empty(), "same origin, another path");
        after.sesame.base_url = Some("https://evil.example".into());
        let moved = address_changes(&before, &after);
        assert_eq!(moved.len(), 1);
        assert_eq!(moved[0].cloud, "sesame");
        assert_eq!(moved[0].to.as_deref(), Some("https://evil.example"));
        assert_eq!(moved[0].forgets, ["sesame.api_key"]);

        let secrets = crate::platform::secrets::MemorySecrets::default();
        secrets.set(names::SESAME_API_KEY, "k").unwrap();
        secrets.set(names::SPLATS_TOKEN, "t").unwrap();
        forget_moved(&moved, &secrets).unwrap();
        assert!(secrets.get(names::SESAME_API_KEY).unwrap().is_none());
        assert_eq!(secrets.get(names::SPLATS_TOKEN).unwrap().as_ref().map(|s| s.expose_secret()), Some("t"));
    }
}
