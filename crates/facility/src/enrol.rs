//! A PC enters a facility, and a PC in one shows the code for the next: the workflow
//! behind the manager's settings card and `uketsuke facility code|join` alike. The
//! first PC enters with no code: it starts the facility on an empty database.
//!
//! Joining writes the `[facility]` section only once the code has opened the
//! facility: a wrong code, a dead network or a bad password leave the config and the
//! keyring as they were.

use super::{join, pc_id, show_code, DB_PASSWORD};
use serde::{Deserialize, Serialize};
use std::str::FromStr;
use uketsuke_core::desk::audit::{self, AuditEvent};
use uketsuke_core::desk::staff::role::{self, Deed};
use uketsuke_core::platform::config::{Config, FacilityConfig, PcRole};
use uketsuke_core::platform::db::Db;
use uketsuke_core::platform::error::{Code, Error, Result};
use uketsuke_core::platform::secrets::{ExposeSecret, SecretStore, SecretString};

/// How long a join code is good for (it works once).
pub const CODE_VALID_SECS: i64 = 600;

/// What a new PC types to join (the settings card; the CLI passes its config's URL).
/// `Debug` masks the code: it opens the facility for ten minutes.
#[derive(Clone, Default, Deserialize, ts_rs::TS)]
#[serde(default)]
pub struct JoinInput {
    /// `postgres://user@host:port/database`, without the password. Empty: the one in
    /// the config already.
    pub database_url: Option<String>,
    /// Kept in the keyring. Empty: the one kept already (or none: trust, on loopback).
    #[ts(type = "string | null")]
    pub password: Option<SecretString>,
    /// How the other PCs will see this one (empty: the host name).
    pub pc_name: Option<String>,
    pub role: PcRole,
    /// The code a manager's screen in the facility shows. Empty: start a new facility
    /// (refused if the database holds one already).
    pub code: String,
}

/// A join code as a manager's screen shows it. `Debug` masks the code.
#[derive(Clone, Serialize, ts_rs::TS)]
pub struct JoinCode {
    pub code: String,
    /// Unix seconds, this PC's clock.
    pub expires_at: i64,
}

impl std::fmt::Debug for JoinInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JoinInput")
            .field("database_url", &self.database_url)
            .field("password", &self.password)
            .field("pc_name", &self.pc_name)
            .field("role", &self.role)
            .field("code", &if self.code.is_empty() { "" } else { "[redacted]" })
            .finish()
    }
}

impl std::fmt::Debug for JoinCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JoinCode").field("code", &"[redacted]").field("expires_at", &self.expires_at).finish()
    }
}

/// This PC's place in a facility, as the settings card shows it: no secret.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct FacilitySettings {
    pub database_url: Option<String>,
    pub pc_name: String,
    pub role: PcRole,
    /// This PC holds the facility key (it made the facility, or joined it).
    pub joined: bool,
}

pub fn settings(config: &Config, secrets: &dyn SecretStore) -> Result<FacilitySettings> {
    Ok(FacilitySettings {
        database_url: config.facility.database_url.clone(),
        pc_name: super::pc_name(&config.facility),
        role: config.facility.role,
        joined: config.facility.enabled() && join::key_of(secrets)?.is_some(),
    })
}

/// Makes a one-time join code (a manager's screen, or the CLI), and records who did.
pub async fn make_code(db: &Db, config: &Config, secrets: &dyn SecretStore, actor: &str) -> Result<JoinCode> {
    role::require(config, Deed::Admit)?;
    if !config.facility.enabled() {
        return Err(not_in_facility());
    }
    let code = show_code(&config.facility, secrets, actor).await?;
    let expires_at = uketsuke_core::platform::clock::now_unix() + CODE_VALID_SECS;
    let event = AuditEvent::new(actor, "facility.code", None, true)
        .with_detail(serde_json::json!({ "expires_at": expires_at }));
    db.write(move |c| audit::record(c, &event)).await?;
    Ok(JoinCode { code, expires_at })
}

/// Joins this PC with a code (or, with none, starts the facility): checks the address,
/// keeps the password, takes the key, then writes `[facility]` into the config (and
/// its file). Returns the new config; the caller starts the facility with it.
pub async fn join_pc(
    db: &Db,
    config: &Config,
    secrets: &dyn SecretStore,
    input: JoinInput,
    actor: &str,
) -> Result<Config> {
    if join::key_of(secrets)?.is_some() && config.facility.enabled() {
        return Err(already_joined());
    }
    let wanted = wanted(config, &input)?;
    let before = secrets.get(DB_PASSWORD)?;
    if let Some(p) = input.password.as_ref().filter(|p| !p.expose_secret().is_empty()) {
        secrets.set(DB_PASSWORD, p.expose_secret())?;
    }
    let pc = db.write(|c| pc_id(c)).await?;
    let entered = if input.code.trim().is_empty() {
        super::open(&wanted, secrets, "uketsuke start").await.map(|_| ())
    } else {
        super::join_with(&wanted, secrets, &pc, &input.code).await
    };
    if let Err(e) = entered {
        // As it was: a failed join keeps no password it brought.
        match &before {
            Some(p) => secrets.set(DB_PASSWORD, p.expose_secret())?,
            None if input.password.is_some() => secrets.delete(DB_PASSWORD)?,
            None => {}
        }
        return Err(e);
    }
    let mut next = config.clone();
    next.facility = wanted;
    let role = next.facility.role;
    db.write(move |c| role::keep(c, role)).await?;
    if let Some(path) = &config.source {
        next.save(path)?;
    }
    let action = if input.code.trim().is_empty() { "facility.start" } else { "facility.join" };
    let event = AuditEvent::new(actor, action, Some(&pc), true).with_detail(serde_json::json!({
        "pc_name": super::pc_name(&next.facility),
        "role": next.facility.role,
        "database": host_of(next.facility.database_url.as_deref()),
    }));
    db.write(move |c| audit::record(c, &event)).await?;
    Ok(next)
}

/// Checks the address (a PostgreSQL URL without a password in it) and builds the
/// `[facility]` section it asks for.
fn wanted(config: &Config, input: &JoinInput) -> Result<FacilityConfig> {
    let typed = input.database_url.as_deref().map(str::trim).filter(|u| !u.is_empty());
    let url = typed
        .map(String::from)
        .or_else(|| config.facility.database_url.clone())
        .ok_or_else(|| bad_url("missing"))?;
    uketsuke_core::platform::config::facility::check_database_url(&url).map_err(|e| bad_url(&e))?;
    let name = input.pc_name.as_deref().map(str::trim).filter(|n| !n.is_empty());
    Ok(FacilityConfig {
        database_url: Some(url),
        pc_name: name.map(String::from).or_else(|| config.facility.pc_name.clone()),
        role: input.role,
        ..config.facility.clone()
    })
}

/// The host and database of a URL, for the audit log (never a user's password).
fn host_of(url: Option<&str>) -> Option<String> {
    let pg = tokio_postgres::Config::from_str(url?).ok()?;
    let host = match pg.get_hosts().first()? {
        tokio_postgres::config::Host::Tcp(h) => h.clone(),
        #[cfg(unix)]
        tokio_postgres::config::Host::Unix(p) => p.display().to_string(),
    };
    Some(format!("{host}/{}", pg.get_dbname().unwrap_or("")))
}

fn bad_url(why: &str) -> Error {
    Error::invalid(
        Code::UrlInvalid,
        format!("共有データベースのアドレスは postgres://ユーザー@ホスト:ポート/データベース の形で入力してください（{why}）"),
        format!("type the shared database as postgres://user@host:port/database ({why})"),
    )
}

fn already_joined() -> Error {
    Error::invalid(
        Code::FacilityJoined,
        "この PC はすでに施設に参加しています",
        "this PC is in a facility already",
    )
}

fn not_in_facility() -> Error {
    Error::invalid(
        Code::FacilityKey,
        "この PC は施設に参加していません。参加コードは施設に参加済みの PC で表示します",
        "this PC is not in a facility: a join code is shown on a PC already in it",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(url: &str) -> JoinInput {
        JoinInput { database_url: Some(url.into()), code: "x".into(), ..JoinInput::default() }
    }

    #[test]
    fn the_address_is_checked_before_anything_is_kept() {
        let config = Config::default();
        let ok = wanted(&config, &input(" postgres://desk@10.0.0.5:5432/uketsuke ")).unwrap();
        assert_eq!(ok.database_url.as_deref(), Some("postgres://desk@10.0.0.5:5432/uketsuke"));
        for bad in ["", "http://x", "postgres://desk:secret@10.0.0.5/uketsuke", "postgres://desk@10.0.0.5"] {
            assert_eq!(wanted(&config, &input(bad)).unwrap_err().code(), "url_invalid", "{bad}");
        }
        assert_eq!(
            host_of(Some("postgres://desk@db.example.jp:5432/shop")).as_deref(),
            Some("db.example.jp/shop")
        );
    }

    #[test]
    fn the_config_url_serves_when_none_is_typed() {
        let mut config = Config::default();
        config.facility.database_url = Some("postgres://desk@127.0.0.1/f".into());
        let got = wanted(&config, &JoinInput { code: "x".into(), ..JoinInput::default() }).unwrap();
        assert_eq!(got.database_url, config.facility.database_url);
        assert_eq!(got.role, PcRole::Counter);
    }
}
