//! `[facility]`: several PCs sharing one PostgreSQL (docs/facility.md). Absent, the
//! app is one PC with its SQLite, as before.

use serde::{Deserialize, Serialize};

/// What a PC does in the facility.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum PcRole {
    /// A counter or kiosk PC: works on the facility's data, may lead the spending work.
    #[default]
    Counter,
    /// The head office: sees every store, changes nothing, never leads.
    HeadOffice,
    /// An unattended entrance PC: only the kiosk window; no door command, no join code.
    Kiosk,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct FacilityConfig {
    /// `postgres://user@host:port/database`. The password is not written here: it is
    /// kept in the OS keyring (`facility.db_password`). TLS is required unless the host
    /// is a loopback address.
    pub database_url: Option<String>,
    /// How other PCs see this one (the host name when not set).
    pub pc_name: Option<String>,
    pub role: PcRole,
    /// A CA certificate (PEM) trusted beside the public web's roots: for a server on
    /// the LAN with a certificate of its own. Its name and address must still match.
    pub ca_file: Option<std::path::PathBuf>,
    /// TLS even to a loopback address (a server reached through a local tunnel).
    pub tls_always: bool,
}

/// The facility database's address checked once, for the config check, the join form
/// and the connection alike: a `postgres://` URL with a host and a database name, no
/// password in it (that is kept in the keyring), and no `host`, `hostaddr` or
/// `password` in its query (they would connect elsewhere than the host whose name
/// decides TLS and is verified, or put a secret in a file). Checked here with `url`, so
/// that the desk reads a config without linking PostgreSQL; the facility crate parses
/// the same text for its driver.
pub fn check_database_url(value: &str) -> Result<url::Url, String> {
    let url = url::Url::parse(value).map_err(|e| format!("not a PostgreSQL URL: {e}"))?;
    if url.scheme() != "postgres" && url.scheme() != "postgresql" {
        return Err(format!("not a PostgreSQL URL: it must start with postgres://, not {}://", url.scheme()));
    }
    let query = |name: &str| url.query_pairs().any(|(k, _)| k == name);
    if url.password().is_some() || query("password") {
        return Err("it holds a password: type the password in its own field (kept in the keyring)".into());
    }
    if query("hostaddr") || query("host") {
        return Err("`hostaddr` is not taken: name the server by its host only".into());
    }
    let dbname = url.path().trim_start_matches('/');
    if url.host_str().is_none_or(str::is_empty) || (dbname.is_empty() && !query("dbname")) {
        return Err("it needs a host and a database name".into());
    }
    Ok(url)
}

/// Whether the address's host is this machine (then TLS is not required). A name
/// PostgreSQL would read as several hosts (`a,b`) is not loopback.
pub fn is_loopback(url: &url::Url) -> bool {
    match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(name)) => {
            name.eq_ignore_ascii_case("localhost")
                || name.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback())
        }
        None => false,
    }
}

impl FacilityConfig {
    pub fn enabled(&self) -> bool {
        self.database_url.is_some()
    }

    pub fn is_default(&self) -> bool {
        *self == FacilityConfig::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_or_a_hostaddr_in_the_address_is_refused() {
        assert!(check_database_url("postgres://desk@db.example.jp:5432/uketsuke").is_ok());
        assert!(check_database_url("postgres://desk:secret@db.example.jp/uketsuke")
            .unwrap_err()
            .contains("password"));
        let trick = "postgres://desk@localhost/uketsuke?hostaddr=10.0.0.5";
        assert!(check_database_url(trick).unwrap_err().contains("hostaddr"));
        assert!(check_database_url("postgres://desk@db.example.jp").is_err(), "no database");
        assert!(check_database_url("postgres://desk@db.example.jp/u?password=x").is_err());
        assert!(check_database_url("postgres://desk@localhost/u?host=db.example.jp").is_err());
        assert!(check_database_url("http://desk@db.example.jp/u").is_err());
        let local = check_database_url("postgres://desk@127.0.0.1/uketsuke").unwrap();
        assert!(is_loopback(&check_database_url("postgres://desk@[::1]/uketsuke").unwrap()));
        assert!(is_loopback(&check_database_url("postgresql://desk@localhost:5433/uketsuke").unwrap()));
        assert!(!is_loopback(&check_database_url("postgres://desk@127.0.0.1,db.example.jp/u").unwrap()));
        assert!(is_loopback(&local));
        assert!(!is_loopback(&check_database_url("postgres://desk@db.example.jp/uketsuke").unwrap()));
    }
}
