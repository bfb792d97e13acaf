//! What the shell keeps while the app runs: the config, one database connection and
//! the keyring. Built once at start; if the config or database is broken, the window
//! still opens and every command explains what is wrong.

use crate::error::{ShellError, ShellResult};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use uketsuke_core::desk::doors::lock::Locks;
use uketsuke_core::platform::db::Db;
use uketsuke_core::platform::secrets::{Keyring, SecretStore};
use uketsuke_core::workflows::worker::Worker;
use uketsuke_core::{Config, Lang};

/// Command-line options of the app binary (`uketsuke-app --help`).
#[derive(Debug, Default, Clone, clap::Parser)]
#[command(name = "uketsuke-app", version, about = "受付 Uketsuke: the front desk's window")]
pub struct Args {
    /// The config file (default: config.toml in the user's config directory).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Only the kiosk window, full-screen, for an unattended PC.
    #[arg(long)]
    pub kiosk: bool,
}

impl Args {
    /// This process's arguments: `--help` and `--version` print and exit, a wrong one
    /// says what is wrong and exits, before any window opens.
    pub fn from_process() -> Args {
        <Args as clap::Parser>::parse()
    }

    /// The arguments of a second launch, forwarded by the single-instance plugin: read
    /// as far as they make sense, never exiting the running app.
    pub fn of_second_launch(argv: &[String]) -> Args {
        <Args as clap::Parser>::try_parse_from(argv).unwrap_or_default()
    }
}

pub struct Ready {
    /// Replaced whole when a manager saves settings; readers take a snapshot.
    config: Arc<std::sync::RwLock<Arc<Config>>>,
    /// Never held across a network call: reads get their own connection (WAL), writes
    /// are short, and both run off the async threads.
    pub db: Db,
    pub secrets: Arc<dyn SecretStore>,
    /// The background worker, when this process runs it (another process, such as
    /// `uketsuke watch`, may hold the database's worker lock instead).
    pub worker: std::sync::OnceLock<Arc<Worker>>,
    /// This PC's part in a facility, when the config names one (docs/facility.md).
    pub facility: std::sync::OnceLock<Arc<uketsuke_facility::Facility>>,
}

impl Ready {
    /// The config now. Hold the snapshot for the length of one command.
    pub fn config(&self) -> Arc<Config> {
        self.config.read().unwrap().clone()
    }

    pub fn set_config(&self, config: Config) {
        *self.config.write().unwrap() = Arc::new(config);
    }

    /// The config as the worker sees it: always the newest snapshot.
    pub fn config_source(&self) -> uketsuke_core::workflows::worker::ConfigSource {
        let cell = self.config.clone();
        Arc::new(move || cell.read().unwrap().clone())
    }

    /// Tells the worker (if this process runs it) to reconcile door access now.
    pub fn nudge_worker(&self) {
        if let Some(w) = self.worker.get() {
            w.nudge();
        }
    }

    /// SESAME operations over this app's connection, keyring and a config snapshot.
    pub fn locks<'a>(&'a self, config: &'a Config) -> Locks<'a> {
        Locks { db: &self.db, secrets: self.secrets.as_ref(), config }
    }

    /// The SPLATS client for a config snapshot, its token from this app's keyring, its
    /// calls counted per day in this app's database.
    pub fn splats(
        &self,
        config: &Config,
    ) -> uketsuke_core::Result<uketsuke_core::clouds::splats::SplatsClient> {
        uketsuke_core::desk::calls::splats(config, self.secrets.as_ref(), Some(self.db.clone()))
    }
}

pub struct AppState {
    ready: Result<Ready, String>,
    /// Who is at the counter: the name SESAME shows in the lock's history.
    operator: std::sync::Mutex<String>,
    /// The UI's language; errors are worded in it. true = English.
    english: AtomicBool,
    /// The manager session, shared by every window.
    pub manager: Arc<uketsuke_core::desk::staff::manager::Gate>,
}

impl AppState {
    pub fn load(args: &Args) -> AppState {
        let ready = Self::open(args);
        let english = matches!(&ready, Ok(r) if r.config().language == Lang::En);
        if let Err(e) = &ready {
            tracing::error!("not ready: {e}");
        }
        let operator = match &ready {
            Ok(r) => r.config().counter_name().to_string(),
            Err(_) => "受付".to_string(),
        };
        AppState {
            ready,
            operator: std::sync::Mutex::new(operator),
            english: AtomicBool::new(english),
            manager: Default::default(),
        }
    }

    fn open(args: &Args) -> Result<Ready, String> {
        // Before the config is read there is no language setting: Japanese first.
        let ja = |e: uketsuke_core::Error| e.message(Lang::Ja);
        let config = Config::load(args.config.as_deref()).map_err(ja)?;
        config.validate().map_err(ja)?;
        // The role kept in the database too, for core's connection-only checks.
        let db = uketsuke_core::desk::staff::role::open_db(&config).map_err(ja)?;
        let secrets: Arc<dyn SecretStore> = Arc::new(Keyring::new(config.keyring_service()));
        Ok(Ready {
            config: Arc::new(std::sync::RwLock::new(Arc::new(config))),
            db,
            secrets,
            worker: Default::default(),
            facility: Default::default(),
        })
    }

    pub fn ready(&self) -> ShellResult<&Ready> {
        self.ready.as_ref().map_err(|e| ShellError::not_ready(e))
    }

    pub fn lang(&self) -> Lang {
        if self.english.load(Ordering::Relaxed) {
            Lang::En
        } else {
            Lang::Ja
        }
    }

    pub fn set_lang(&self, lang: Lang) {
        self.english.store(lang == Lang::En, Ordering::Relaxed);
    }

    pub fn operator(&self) -> String {
        self.operator.lock().unwrap().clone()
    }

    /// Who acts, for a command that changes data: refused early, by core's rule, on a
    /// PC whose role may not change (a head office: docs/facility.md). Core checks
    /// again where the change is made, for the CLI alike.
    pub fn writer(&self) -> ShellResult<String> {
        if let Ok(ready) = self.ready() {
            use uketsuke_core::desk::staff::role::{require, Deed};
            require(&ready.config(), Deed::Change).map_err(|e| self.err(e))?;
        }
        Ok(self.operator())
    }

    pub fn set_operator(&self, name: &str) {
        *self.operator.lock().unwrap() = name.to_string();
    }

    /// Ok inside an active manager session (which it keeps alive); refused otherwise.
    pub fn require_manager(&self) -> ShellResult<()> {
        self.manager.require(uketsuke_core::platform::clock::monotonic_secs()).map_err(|e| self.err(e))
    }

    /// Maps a core error into the UI's language.
    pub fn err(&self, e: uketsuke_core::Error) -> ShellError {
        ShellError::from_core(&e, self.lang())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_app_arguments() {
        let argv = |a: &[&str]| a.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let a = Args::of_second_launch(&argv(&["uketsuke-app", "--kiosk", "--config", "/tmp/c.toml"]));
        assert!(a.kiosk);
        assert_eq!(a.config.unwrap(), PathBuf::from("/tmp/c.toml"));
        let odd = Args::of_second_launch(&argv(&["uketsuke-app", "--kiosk", "--what"]));
        assert!(!odd.kiosk, "a launch it cannot read opens nothing new");
    }

    #[test]
    fn a_broken_config_still_starts_and_explains() {
        let dir = std::env::temp_dir().join(format!("uketsuke-shell-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("bad.toml");
        std::fs::write(&path, "[sesame]\nbase_url = \"nope\"\n").unwrap();
        let state = AppState::load(&Args { config: Some(path), kiosk: false });
        let err = state.ready().err().unwrap();
        assert_eq!(err.code, "not_ready");
        assert!(err.message.contains("sesame.base_url"), "{}", err.message);
    }

    #[test]
    fn a_head_office_pc_only_looks() {
        let dir = std::env::temp_dir().join(format!("uketsuke-shell-ho-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("config.toml");
        let mut c = Config { database: Some(dir.join("cache.sqlite3")), ..Default::default() };
        c.facility.database_url = Some("postgres://uketsuke@127.0.0.1:1/uketsuke".into());
        let counter = AppState::load(&Args { config: Some(write(&c, &path)), kiosk: false });
        assert_eq!(counter.writer().unwrap(), "受付", "a counter PC changes things");
        c.facility.role = uketsuke_core::platform::config::PcRole::HeadOffice;
        let office = AppState::load(&Args { config: Some(write(&c, &path)), kiosk: false });
        let refused = office.writer().unwrap_err();
        assert_eq!(refused.code, "read_only_pc");
        assert!(refused.message.contains("本部"), "{}", refused.message);
    }

    fn write(c: &Config, path: &std::path::Path) -> PathBuf {
        c.save(path).unwrap();
        path.to_path_buf()
    }
}
