//! The clouds' addresses and credentials: checked whole before anything is kept;
//! secrets to the keyring, the rest to the config file.

use super::moved::{address_changes, forget_moved, AddressChange};
use super::{given, given_secret};
use crate::desk::audit::{self, AuditEvent};
use crate::desk::staff::role::{self, Deed};
use crate::platform::config::{check_base_url, Config};
use crate::platform::db::Connection;
use crate::platform::error::{Code, Error, Result};
use crate::platform::secrets::{names, ExposeSecret, SecretStore, SecretString};
use serde::{Deserialize, Serialize};

/// The cloud settings form. A secret left `None` or empty keeps the saved one.
#[derive(Debug, Clone, Default, Deserialize, ts_rs::TS)]
#[serde(default)]
pub struct CloudInput {
    #[serde(flatten)]
    pub addresses: CloudAddresses,
    #[ts(type = "string | null")]
    pub reservation_client_secret: Option<SecretString>,
    #[ts(type = "string | null")]
    pub sesame_api_key: Option<SecretString>,
    #[ts(type = "string | null")]
    pub splats_token: Option<SecretString>,
    /// The extended API's `License-Key` (pass-controller operations).
    #[ts(type = "string | null")]
    pub splats_license_key: Option<SecretString>,
}

/// SESAME API keys are 40 characters `[A-Za-z0-9]` (see docs/sesame.md).
pub fn check_sesame_api_key(key: &str) -> Result<()> {
    let n = key.chars().count();
    if n != 40 || !key.chars().all(|c| c.is_ascii_alphanumeric()) {
        return Err(Error::invalid(
            Code::ApiKeyInvalid,
            format!("SESAME の API キーは英数字 40 文字です ({n} 文字が入力されました)"),
            format!("a SESAME API key is 40 letters and digits ({n} characters were entered)"),
        ));
    }
    Ok(())
}

/// A bearer token or client secret: visible ASCII, no spaces, at least 8 characters.
fn check_token(what_ja: &str, what_en: &str, value: &str) -> Result<()> {
    if value.len() < 8 || !value.chars().all(|c| c.is_ascii_graphic()) {
        return Err(Error::invalid(
            Code::TokenInvalid,
            format!("{what_ja}は空白を含まない 8 文字以上の英数記号にしてください"),
            format!("the {what_en} must be at least 8 visible ASCII characters without spaces"),
        ));
    }
    Ok(())
}

fn check_url(setting: &str, value: &Option<String>) -> Result<()> {
    match value {
        Some(v) => check_base_url(v).map_err(|p| {
            Error::invalid(
                Code::UrlInvalid,
                format!("{setting} の URL が正しくありません: {p}"),
                format!("{setting}: the URL is not valid: {p}"),
            )
        }),
        None => Ok(()),
    }
}

/// What saving the cloud form did: the new config, the names of what changed (for the
/// audit log) and the clouds that moved, whose old credentials were removed.
#[derive(Debug)]
pub struct CloudsApplied {
    pub config: Config,
    pub changed: Vec<&'static str>,
    pub moved: Vec<AddressChange>,
}

/// Checks the whole form first; then removes the credentials of a cloud whose address
/// moved ([`super::moved`]), writes the secrets entered, and returns the new config for
/// the caller to save and use.
pub fn apply_clouds(config: &Config, secrets: &dyn SecretStore, input: &CloudInput) -> Result<CloudsApplied> {
    let mut next = config.clone();
    input.addresses.trimmed().apply(&mut next);
    check_url("予約システム / reservation", &next.reservation.base_url)?;
    check_url("SESAME", &next.sesame.base_url)?;
    check_url("SPLATS", &next.splats.base_url)?;
    if next.reservation.base_url.is_some() && next.reservation.client_id.is_none() {
        return Err(Error::invalid(
            Code::ClientIdMissing,
            "予約システムのクライアントIDを入力してください",
            "enter the reservation system's client ID",
        ));
    }
    crate::platform::config::reservation::loopback(next.reservation.redirect_uri())?;
    let client_secret = given_secret(&input.reservation_client_secret);
    let api_key = given_secret(&input.sesame_api_key);
    let splats_token = given_secret(&input.splats_token);
    let license_key = given_secret(&input.splats_license_key);
    if let Some(l) = &license_key {
        check_token("SPLATS のライセンスキー", "SPLATS license key", l.expose_secret())?;
    }
    if let Some(s) = &client_secret {
        check_token("クライアントシークレット", "client secret", s.expose_secret())?;
    }
    if let Some(k) = &api_key {
        check_sesame_api_key(k.expose_secret())?;
    }
    if let Some(t) = &splats_token {
        check_token("SPLATS のトークン", "SPLATS token", t.expose_secret())?;
    }

    let moved = address_changes(config, &next);
    forget_moved(&moved, secrets)?;
    let mut changed = Vec::new();
    for (name, label, value) in [
        (names::RESERVATION_CLIENT_SECRET, "reservation.client_secret", &client_secret),
        (names::SESAME_API_KEY, "sesame.api_key", &api_key),
        (names::SPLATS_TOKEN, "splats.token", &splats_token),
        (names::SPLATS_LICENSE_KEY, "splats.license_key", &license_key),
    ] {
        if let Some(v) = value {
            secrets.set(name, v.expose_secret())?;
            changed.push(label);
        }
    }
    for (label, before, after) in [
        ("reservation.base_url", &config.reservation.base_url, &next.reservation.base_url),
        ("reservation.client_id", &config.reservation.client_id, &next.reservation.client_id),
        ("reservation.redirect_uri", &config.reservation.redirect_uri, &next.reservation.redirect_uri),
        ("sesame.base_url", &config.sesame.base_url, &next.sesame.base_url),
        ("splats.base_url", &config.splats.base_url, &next.splats.base_url),
        (
            "splats.guest_membergroup_id",
            &config.splats.guest_membergroup_id,
            &next.splats.guest_membergroup_id,
        ),
    ] {
        if before != after {
            changed.push(label);
        }
    }
    Ok(CloudsApplied { config: next, changed, moved })
}

/// Saves the cloud settings: secrets to the keyring, the rest to the config file
/// (written whole, then renamed, so a crash leaves the old file), one audit event.
pub fn save_clouds(
    conn: &Connection,
    config: &Config,
    secrets: &dyn SecretStore,
    input: &CloudInput,
    actor: &str,
) -> Result<Config> {
    role::require(config, Deed::Change)?;
    let applied = apply_clouds(config, secrets, input)?;
    if let Some(path) = &config.source {
        applied.config.save(path)?;
    }
    let event = AuditEvent::new(actor, "settings.clouds", None, true).with_detail(
        serde_json::json!({ "changed": applied.changed, "moved": super::moved::audit_detail(&applied.moved) }),
    );
    audit::record(conn, &event)?;
    Ok(applied.config)
}

/// The clouds' addresses and identifiers: no secret. Shared by the form and the
/// settings file.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, ts_rs::TS)]
#[serde(default)]
pub struct CloudAddresses {
    pub reservation_base_url: Option<String>,
    pub reservation_client_id: Option<String>,
    pub reservation_redirect_uri: Option<String>,
    pub sesame_base_url: Option<String>,
    pub splats_base_url: Option<String>,
    pub splats_guest_membergroup_id: Option<String>,
}

impl CloudAddresses {
    pub fn of(config: &Config) -> CloudAddresses {
        CloudAddresses {
            reservation_base_url: config.reservation.base_url.clone(),
            reservation_client_id: config.reservation.client_id.clone(),
            reservation_redirect_uri: config.reservation.redirect_uri.clone(),
            sesame_base_url: config.sesame.base_url.clone(),
            splats_base_url: config.splats.base_url.clone(),
            splats_guest_membergroup_id: config.splats.guest_membergroup_id.clone(),
        }
    }

    /// Writes these into `config`: the settings form and an imported file both end here.
    pub(super) fn apply(&self, config: &mut Config) {
        config.reservation.base_url = self.reservation_base_url.clone();
        config.reservation.client_id = self.reservation_client_id.clone();
        config.reservation.redirect_uri = self.reservation_redirect_uri.clone();
        config.sesame.base_url = self.sesame_base_url.clone();
        config.splats.base_url = self.splats_base_url.clone();
        config.splats.guest_membergroup_id = self.splats_guest_membergroup_id.clone();
    }

    /// Empty form fields as `None`, the rest trimmed.
    fn trimmed(&self) -> CloudAddresses {
        CloudAddresses {
            reservation_base_url: given(&self.reservation_base_url),
            reservation_client_id: given(&self.reservation_client_id),
            reservation_redirect_uri: given(&self.reservation_redirect_uri),
            sesame_base_url: given(&self.sesame_base_url),
            splats_base_url: given(&self.splats_base_url),
            splats_guest_membergroup_id: given(&self.splats_guest_membergroup_id),
        }
    }
}
