//! Log files for support: what the app and the CLI did, in daily files in the
//! platform's log folder (`~/.local/state/uketsuke/logs` on Linux, the local app-data
//! folder elsewhere, or `log_dir` in the config), the newest [`KEEP_FILES`] kept.
//!
//! Nothing secret is ever logged: callers log names of settings and error codes, never
//! values; HTTP libraries are held at `warn`, so no request line or header reaches a
//! file. A test runs a whole session and greps the files for every secret it used.

use crate::platform::config::Config;
use crate::platform::error::Result;
use std::path::{Path, PathBuf};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{fmt, EnvFilter, Layer};

/// Daily files kept; older ones are deleted as new days begin.
pub const KEEP_FILES: usize = 14;

/// What the files record unless `RUST_LOG` says otherwise.
pub const DEFAULT_FILTER: &str =
    "info,hyper=warn,hyper_util=warn,reqwest=warn,rustls=warn,h2=warn,tao=warn,wry=warn";

/// The folder the log files go to.
pub fn dir(config: &Config) -> Result<PathBuf> {
    if let Some(d) = &config.log_dir {
        return Ok(d.clone());
    }
    let dirs = directories::ProjectDirs::from("jp", "uketsuke", "uketsuke")
        .ok_or_else(|| crate::Error::config("home directory", "cannot find the user's home directory"))?;
    Ok(dirs.state_dir().unwrap_or_else(|| dirs.data_local_dir()).join("logs"))
}

/// Logs to `<program>.<date>.log` in [`dir`], and to stderr when `to_stderr` (the app)
/// or when `RUST_LOG` asks (the CLI keeps its stderr for its own messages). Written as
/// each line comes, so nothing is lost when the process ends. Without a writable folder
/// the program logs to stderr only and says why.
pub fn init(config: &Config, program: &str, to_stderr: bool) {
    let filter = || EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(DEFAULT_FILTER));
    let stderr = (to_stderr || std::env::var_os("RUST_LOG").is_some())
        .then(|| fmt::layer().with_writer(std::io::stderr).with_filter(filter()));
    let file = dir(config).ok().and_then(|d| {
        std::fs::create_dir_all(&d).ok()?;
        tracing_appender::rolling::Builder::new()
            .rotation(tracing_appender::rolling::Rotation::DAILY)
            .filename_prefix(program)
            .filename_suffix("log")
            .max_log_files(KEEP_FILES)
            .build(&d)
            .ok()
    });
    let missing = file.is_none();
    let to_file =
        file.map(|appender| fmt::layer().with_ansi(false).with_writer(appender).with_filter(filter()));
    let _ = tracing_subscriber::registry().with(stderr).with(to_file).try_init();
    if missing {
        tracing::warn!("log files are off: the log folder cannot be written");
    }
    tracing::info!(program, version = env!("CARGO_PKG_VERSION"), config = ?config.source, "started");
}

/// The newest log files, newest first, up to `max_bytes` in all (the tail of a file
/// that would pass it).
pub fn recent(dir: &Path, max_bytes: usize) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(std::time::SystemTime, PathBuf)> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter(|e| e.path().extension().is_some_and(|x| x == "log"))
        .filter_map(|e| Some((e.metadata().ok()?.modified().ok()?, e.path())))
        .collect();
    files.sort_by_key(|f| std::cmp::Reverse(f.0));
    let mut left = max_bytes;
    let mut out = Vec::new();
    for (_, path) in files {
        let Ok(bytes) = std::fs::read(&path) else { continue };
        if left == 0 {
            break;
        }
        let tail = bytes[bytes.len().saturating_sub(left)..].to_vec();
        left -= tail.len();
        out.push((path.file_name().unwrap_or_default().to_string_lossy().into_owned(), tail));
    }
    out
}
