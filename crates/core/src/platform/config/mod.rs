//! The configuration file: where the clouds are and where the cache lives.
//!
//! A TOML file in the platform config directory (`~/.config/uketsuke/config.toml` on
//! Linux), or the file named by `--config` / `UKETSUKE_CONFIG`. Secrets never go here:
//! they live in the OS keyring (see [`crate::platform::secrets`]).

mod base_url;
mod doors;
pub mod facility;
mod printing;
pub mod reservation;
mod splats;
pub use base_url::check_base_url;
pub use doors::DoorsConfig;
pub use facility::{FacilityConfig, PcRole};
pub use printing::PrintingConfig;
pub use reservation::ReservationConfig;
pub use splats::{Hash, SeedEncoding, SeedReading, SplatsConfig};

use crate::platform::error::{Error, Result};
use crate::platform::i18n::Lang;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// Environment variable naming the config file, for tests and unattended PCs.
pub const CONFIG_ENV: &str = "UKETSUKE_CONFIG";
/// Keyring service name used when the file names none.
pub const DEFAULT_KEYRING_SERVICE: &str = "jp.uketsuke";

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// UI and CLI language: "ja" (default) or "en".
    #[serde(default)]
    pub language: Lang,
    /// SQLite file; defaults to the platform data directory.
    pub database: Option<PathBuf>,
    /// Service name under which secrets are kept in the OS keyring.
    pub keyring_service: Option<String>,
    /// Who operates this counter, until a staff member says who they are. SESAME shows
    /// it in the lock's history.
    pub counter_name: Option<String>,
    /// Where log files go; defaults to the platform's log folder (docs/support.md).
    pub log_dir: Option<PathBuf>,
    /// Seconds without a manager action before the window falls back to staff (300).
    pub manager_idle_secs: Option<u64>,
    #[serde(default)]
    pub reservation: ReservationConfig,
    #[serde(default)]
    pub sesame: SesameConfig,
    #[serde(default)]
    pub splats: SplatsConfig,
    #[serde(default)]
    pub doors: DoorsConfig,
    #[serde(default)]
    pub kiosk: KioskConfig,
    /// Written only when set: most counters print nothing.
    #[serde(default, skip_serializing_if = "PrintingConfig::is_default")]
    pub printing: PrintingConfig,
    #[serde(default)]
    pub sync: SyncConfig,
    #[serde(default)]
    pub audit: AuditConfig,
    /// Written only when set, so a config without a facility reads in older versions.
    #[serde(default, skip_serializing_if = "FacilityConfig::is_default")]
    pub facility: FacilityConfig,
    /// Where this file was read from; not part of the file.
    #[serde(skip)]
    pub source: Option<PathBuf>,
}

/// A line of SESAME's price table (read by `billing`).
/// Up to `up_to` calls in a month cost `yen` for the month.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct PriceTier {
    pub up_to: u64,
    pub yen: u32,
}

pub fn default_tiers() -> Vec<PriceTier> {
    vec![
        PriceTier { up_to: 30_000, yen: 0 },
        PriceTier { up_to: 100_000, yen: 2_000 },
        PriceTier { up_to: 300_000, yen: 5_000 },
    ]
}

/// How long the audit log keeps rows in the database before they move to files.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct AuditConfig {
    /// Rows older than this many days are archived to a file (0: keep them all here).
    #[serde(default)]
    pub retention_days: u32,
    /// Where archives go; defaults to `audit-archive/` beside the database.
    pub archive_dir: Option<PathBuf>,
}

/// The guest-facing kiosk screen.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct KioskConfig {
    /// The store the kiosk stands in; the first store when not set.
    pub store_id: Option<String>,
    /// Seconds without a touch before the kiosk goes back to its welcome screen (60).
    pub idle_reset_secs: Option<u64>,
}

impl KioskConfig {
    pub fn idle_reset_secs(&self) -> u64 {
        self.idle_reset_secs.unwrap_or(60).max(3)
    }
}

/// The background worker: how often it syncs, and how far ahead it issues door access.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct SyncConfig {
    /// Run the background worker in the app (off: only 同期 and `uketsuke watch` sync).
    pub background: bool,
    /// Seconds between reservation syncs (stores, areas, bookings), each followed by
    /// reconciling door access. 720 SPLATS calls an hour leave room for every 2 min.
    pub bookings_every_secs: u64,
    /// Seconds between SPLATS syncs (areas, pass controllers, new histories).
    pub histories_every_secs: u64,
    /// Bookings starting within this many minutes (past midnight too) get their door
    /// access ahead of arrival, beside every booking of today.
    pub lead_minutes: i64,
    /// From this many ended bookings at once, their members are deleted in bulk.
    pub bulk_delete_threshold: usize,
    /// From this many bookings due a member at once, their members are made in bulk.
    pub bulk_issue_threshold: usize,
}

impl Default for SyncConfig {
    fn default() -> Self {
        SyncConfig {
            background: true,
            bookings_every_secs: 120,
            histories_every_secs: 300,
            lead_minutes: 60,
            bulk_delete_threshold: 20,
            bulk_issue_threshold: 20,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct SesameConfig {
    /// Defaults to the real cloud, `https://app.candyhouse.co/api/sesame2`.
    pub base_url: Option<String>,
    /// Paid calls per month the facility has budgeted.
    #[serde(default = "default_allowance")]
    pub monthly_allowance: u32,
    /// Of those, how many automatic status polls may use; polling stops there.
    #[serde(default = "default_poll_budget")]
    pub poll_budget_per_month: u32,
    /// Seconds between automatic status polls of every lock; 0 turns polling off.
    #[serde(default = "default_poll_interval")]
    pub poll_interval_secs: u64,
    /// After a command, wait this long before reading the status to confirm it.
    #[serde(default = "default_confirm_delay")]
    pub confirm_delay_ms: u64,
    /// How many status reads (each one paid) a confirmation may use.
    #[serde(default = "default_confirm_reads")]
    pub confirm_reads: u32,
    /// The price table: up to `up_to` calls a month cost `yen` (before tax).
    #[serde(default = "default_tiers")]
    pub price_tiers: Vec<PriceTier>,
    /// Free calls a day before SESAME's console asks for a card. The number is not
    /// published \[I\]: a thirtieth of the free month by default.
    #[serde(default = "default_daily_free")]
    pub daily_free_calls: u32,
    /// Warn at this share (percent) of a tier or of the daily limit.
    #[serde(default = "default_warn_percent")]
    pub warn_percent: u8,
}

fn default_daily_free() -> u32 {
    1_000
}

fn default_warn_percent() -> u8 {
    90
}

impl Default for SesameConfig {
    fn default() -> Self {
        SesameConfig {
            base_url: None,
            monthly_allowance: default_allowance(),
            poll_budget_per_month: default_poll_budget(),
            poll_interval_secs: default_poll_interval(),
            confirm_delay_ms: default_confirm_delay(),
            confirm_reads: default_confirm_reads(),
            price_tiers: default_tiers(),
            daily_free_calls: default_daily_free(),
            warn_percent: default_warn_percent(),
        }
    }
}

/// The free tier in 2025: 3,000 calls a month.
fn default_allowance() -> u32 {
    3000
}

/// A third of the allowance: enough for 5 locks every 15 min during opening hours
/// only if the manager raises it; polling is a convenience, unlocking is the job.
fn default_poll_budget() -> u32 {
    1000
}

fn default_poll_interval() -> u64 {
    1800
}

fn default_confirm_delay() -> u64 {
    2500
}

fn default_confirm_reads() -> u32 {
    2
}

pub const SESAME_DEFAULT_URL: &str = "https://app.candyhouse.co/api/sesame2";
pub const SPLATS_DEFAULT_URL: &str = "https://api-link.splats.jp";

/// One thing wrong with a configuration, named by its setting.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Problem {
    pub setting: String,
    pub problem: String,
}

impl Config {
    /// Loads the file named explicitly, else by `UKETSUKE_CONFIG`, else the platform default.
    /// A missing file at the platform default is not an error: the defaults apply.
    pub fn load(explicit: Option<&Path>) -> Result<Config> {
        let env_path = std::env::var_os(CONFIG_ENV).map(PathBuf::from);
        match explicit.map(Path::to_path_buf).or(env_path) {
            Some(path) => Self::read(&path),
            None => {
                let path = default_config_path()?;
                if path.exists() {
                    Self::read(&path)
                } else {
                    Ok(Config { source: Some(path), ..Config::default() })
                }
            }
        }
    }

    /// Reads and parses one file; a missing or malformed file names itself in the error.
    pub fn read(path: &Path) -> Result<Config> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| Error::config("config file", format!("cannot read {}: {e}", path.display())))?;
        let mut config = Self::parse(&text)?;
        config.source = Some(path.to_path_buf());
        Ok(config)
    }

    pub fn parse(text: &str) -> Result<Config> {
        toml::from_str(text).map_err(|e| {
            let setting = e
                .span()
                .and_then(|s| text.get(..s.start))
                .map(|before| before.lines().count().max(1))
                .map(|line| format!("config file, line {line}"))
                .unwrap_or_else(|| "config file".into());
            Error::config(setting, e.message().to_string())
        })
    }

    /// Writes the file, creating its directory: setup scripts, tests and the settings screens.
    pub fn save(&self, path: &Path) -> Result<()> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let text = toml::to_string_pretty(self).map_err(|e| Error::config("config file", e.to_string()))?;
        // Whole file to a sibling, then rename: a crash leaves the old file or the new one.
        let tmp = path.with_extension("toml.tmp");
        std::fs::write(&tmp, text)?;
        std::fs::rename(&tmp, path)?;
        Ok(())
    }

    /// Every problem found, so that `doctor` can name them all at once.
    pub fn problems(&self) -> Vec<Problem> {
        let mut out = Vec::new();
        let mut check_url = |setting: &str, value: &Option<String>| {
            if let Some(v) = value {
                if let Err(p) = check_base_url(v) {
                    out.push(Problem { setting: setting.into(), problem: p });
                }
            }
        };
        check_url("reservation.base_url", &self.reservation.base_url);
        check_url("sesame.base_url", &self.sesame.base_url);
        check_url("splats.base_url", &self.splats.base_url);
        if let Some(url) = &self.facility.database_url {
            if let Err(p) = facility::check_database_url(url) {
                out.push(Problem { setting: "facility.database_url".into(), problem: p });
            }
        }
        if self.reservation.base_url.is_some() && self.reservation.client_id.is_none() {
            out.push(Problem {
                setting: "reservation.client_id".into(),
                problem: "missing: the reservation system needs an OAuth client ID".into(),
            });
        }
        if let Err(e) = reservation::loopback(self.reservation.redirect_uri()) {
            out.push(Problem { setting: "reservation.redirect_uri".into(), problem: e.to_string() });
        }
        if self.sesame.price_tiers.is_empty()
            || self.sesame.price_tiers.windows(2).any(|w| w[1].up_to <= w[0].up_to)
        {
            out.push(Problem {
                setting: "sesame.price_tiers".into(),
                problem: "give at least one tier, each `up_to` above the one before".into(),
            });
        }
        if let Some((setting, problem)) = self.doors.problem() {
            out.push(Problem { setting: setting.into(), problem: problem.into() });
        }
        if !(1..=100).contains(&self.sesame.warn_percent) {
            out.push(Problem { setting: "sesame.warn_percent".into(), problem: "must be 1 to 100".into() });
        }
        if self.sesame.monthly_allowance == 0 {
            out.push(Problem {
                setting: "sesame.monthly_allowance".into(),
                problem: "must be at least 1 call per month".into(),
            });
        }
        if self.sesame.poll_budget_per_month > self.sesame.monthly_allowance {
            out.push(Problem {
                setting: "sesame.poll_budget_per_month".into(),
                problem: format!(
                    "must not exceed sesame.monthly_allowance ({})",
                    self.sesame.monthly_allowance
                ),
            });
        }
        if self.sesame.poll_interval_secs != 0 && self.sesame.poll_interval_secs < 60 {
            out.push(Problem {
                setting: "sesame.poll_interval_secs".into(),
                problem: "must be 0 (off) or at least 60 seconds: every poll is a paid call".into(),
            });
        }
        if self.sync.bookings_every_secs < 30 || self.sync.histories_every_secs < 60 {
            out.push(Problem {
                setting: "sync".into(),
                problem: "bookings_every_secs must be at least 30 and histories_every_secs at least 60 (rate limits)".into(),
            });
        }
        if !(0..=24 * 60).contains(&self.sync.lead_minutes) {
            out.push(Problem {
                setting: "sync.lead_minutes".into(),
                problem: "must be between 0 and 1440".into(),
            });
        }
        if !(1..=5).contains(&self.sesame.confirm_reads) {
            out.push(Problem {
                setting: "sesame.confirm_reads".into(),
                problem: "must be between 1 and 5".into(),
            });
        }
        if !(30..=86_400).contains(&self.splats.guest_qr_timestep_secs) {
            out.push(Problem {
                setting: "splats.guest_qr_timestep_secs".into(),
                problem: "must be between 30 and 86400 seconds".into(),
            });
        }
        if self.splats.guest_qr_skew > 10 {
            out.push(Problem {
                setting: "splats.guest_qr_skew".into(),
                problem: "must be between 0 and 10 steps".into(),
            });
        }
        if !(1..=1000).contains(&self.splats.history_page_size) {
            out.push(Problem {
                setting: "splats.history_page_size".into(),
                problem: "must be between 1 and 1000".into(),
            });
        }
        for (setting, name) in [
            ("splats.history_since_param", &self.splats.history_since_param),
            ("splats.history_until_param", &self.splats.history_until_param),
        ] {
            if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                out.push(Problem {
                    setting: setting.into(),
                    problem: "must be a query parameter name (a-z, 0-9, _)".into(),
                });
            }
        }
        if let Some(service) = &self.keyring_service {
            if service.trim().is_empty() {
                out.push(Problem { setting: "keyring_service".into(), problem: "must not be empty".into() });
            }
        }
        out
    }

    /// Fails with the first problem, for callers that cannot go on with a bad config.
    pub fn validate(&self) -> Result<()> {
        match self.problems().into_iter().next() {
            Some(p) => Err(Error::config(p.setting, p.problem)),
            None => Ok(()),
        }
    }

    pub fn database_path(&self) -> Result<PathBuf> {
        match &self.database {
            Some(p) => Ok(p.clone()),
            None => Ok(project_dirs()?.data_dir().join("uketsuke.sqlite3")),
        }
    }

    /// Where audit archives are written and looked for.
    pub fn audit_archive_dir(&self) -> Result<PathBuf> {
        match &self.audit.archive_dir {
            Some(d) => Ok(d.clone()),
            None => Ok(self
                .database_path()?
                .parent()
                .map(Path::to_path_buf)
                .unwrap_or_default()
                .join("audit-archive")),
        }
    }

    pub fn keyring_service(&self) -> &str {
        self.keyring_service.as_deref().unwrap_or(DEFAULT_KEYRING_SERVICE)
    }

    pub fn manager_idle_secs(&self) -> u64 {
        self.manager_idle_secs.unwrap_or(300).max(30)
    }

    pub fn counter_name(&self) -> &str {
        self.counter_name.as_deref().unwrap_or("受付")
    }

    pub fn sesame_url(&self) -> &str {
        self.sesame.base_url.as_deref().unwrap_or(SESAME_DEFAULT_URL)
    }

    pub fn splats_url(&self) -> &str {
        self.splats.base_url.as_deref().unwrap_or(SPLATS_DEFAULT_URL)
    }
}

fn project_dirs() -> Result<directories::ProjectDirs> {
    directories::ProjectDirs::from("jp", "Uketsuke", "uketsuke")
        .ok_or_else(|| Error::config("home directory", "cannot find the user's home directory"))
}

pub fn default_config_path() -> Result<PathBuf> {
    Ok(project_dirs()?.config_dir().join("config.toml"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_file_gives_defaults() {
        let c = Config::parse("").unwrap();
        assert_eq!(c.language, Lang::Ja);
        assert_eq!(c.sesame.monthly_allowance, 3000);
        assert!(c.problems().is_empty());
    }

    #[test]
    fn round_trips_through_a_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/config.toml");
        let mut c = Config::default();
        c.language = Lang::En;
        c.reservation.base_url = Some("http://127.0.0.1:1/reserve".into());
        c.reservation.client_id = Some("abc".into());
        c.save(&path).unwrap();
        let back = Config::read(&path).unwrap();
        assert_eq!(back.language, Lang::En);
        assert_eq!(back.reservation, c.reservation);
        assert_eq!(back.source.as_deref(), Some(path.as_path()));
    }

    #[test]
    fn names_the_bad_setting() {
        let c = Config::parse("[sesame]\nbase_url = \"ftp://x\"\nmonthly_allowance = 0\n").unwrap();
        let settings: Vec<_> = c.problems().into_iter().map(|p| p.setting).collect();
        assert_eq!(settings, ["sesame.base_url", "sesame.monthly_allowance", "sesame.poll_budget_per_month"]);
    }

    #[test]
    fn syntax_errors_name_the_line() {
        let err = Config::parse("language = \"ja\"\n[sesame\n").unwrap_err();
        assert!(err.to_string().contains("line 2"), "{err}");
    }

    #[test]
    fn unknown_settings_are_refused() {
        let err = Config::parse("langauge = \"en\"\n").unwrap_err();
        assert!(err.to_string().contains("langauge"), "{err}");
    }
}
