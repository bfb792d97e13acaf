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
}

impl FacilityConfig {
    pub fn enabled(&self) -> bool {
        self.database_url.is_some()
    }

    pub fn is_default(&self) -> bool {
        *self == FacilityConfig::default()
    }
}
