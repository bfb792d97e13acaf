//! A support bundle: one zip a facility can send when something goes wrong — the
//! doctor's report (in words and JSON), versions, the config (it holds no secret: those
//! live in the keyring; addresses are written without any user or password), the audit
//! chain's state, and the recent log files.

use crate::platform::config::Config;
use crate::platform::error::{Error, Result};
use crate::workflows::doctor::Report;
use crate::Lang;
use serde::Serialize;
use std::io::Write;
use std::path::Path;

/// Logs carried at most (the newest first).
pub const MAX_LOG_BYTES: usize = 5 << 20;

/// What went into the bundle.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Bundle {
    pub path: String,
    pub files: Vec<String>,
}

/// The versions that matter to support.
pub fn versions(conn: Option<&crate::platform::db::Connection>) -> String {
    let schema = conn.and_then(|c| crate::platform::db::schema_version(c).ok());
    format!(
        "uketsuke {}\nos {} {}\ndatabase schema {} (this build {})\n",
        env!("CARGO_PKG_VERSION"),
        std::env::consts::OS,
        std::env::consts::ARCH,
        schema.map(|s| s.to_string()).unwrap_or_else(|| "-".into()),
        crate::platform::db::latest_version(),
    )
}

/// The config as TOML with any `user:password@` taken out of its addresses.
pub fn config_text(config: &Config) -> String {
    let mut c = config.clone();
    for url in
        [&mut c.reservation.base_url, &mut c.sesame.base_url, &mut c.splats.base_url].into_iter().flatten()
    {
        if let Ok(mut u) = url::Url::parse(url) {
            let _ = u.set_username("");
            let _ = u.set_password(None);
            *url = u.to_string();
        }
    }
    // A facility address with a password in it is refused by the config check, and is
    // never copied here with it (its user name stays: it is no secret, and support needs it).
    if let Some(url) = c.facility.database_url.as_mut() {
        match url::Url::parse(url) {
            Ok(mut u) => {
                let _ = u.set_password(None);
                // `?password=` is a password too (the config check refuses both).
                let kept: Vec<(String, String)> = u
                    .query_pairs()
                    .filter(|(k, _)| k != "password")
                    .map(|(k, v)| (k.into(), v.into()))
                    .collect();
                u.set_query(None);
                if !kept.is_empty() {
                    u.query_pairs_mut().extend_pairs(kept);
                }
                *url = u.to_string();
            }
            Err(_) => *url = "(unreadable address left out)".into(),
        }
    }
    toml::to_string_pretty(&c).unwrap_or_default()
}

/// Writes the bundle to `path` (a `.zip`).
pub fn write(path: &Path, config: &Config, report: &Report, human: &str, lang: Lang) -> Result<Bundle> {
    let io = |e: zip::result::ZipError| Error::Io(std::io::Error::other(e.to_string()));
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    let mut zip = zip::ZipWriter::new(std::fs::File::create(path)?);
    let options =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    let mut files = Vec::new();
    let mut add = |name: &str, bytes: &[u8]| -> Result<()> {
        zip.start_file(name, options).map_err(io)?;
        zip.write_all(bytes)?;
        files.push(name.to_string());
        Ok(())
    };
    add("doctor.txt", human.as_bytes())?;
    add("doctor.json", serde_json::to_string_pretty(report).unwrap_or_default().as_bytes())?;
    // The database, opened once for its schema and the audit chain, if it exists.
    let conn =
        config.database_path().ok().filter(|p| p.exists()).and_then(|p| crate::platform::db::open(&p).ok());
    add("versions.txt", versions(conn.as_ref()).as_bytes())?;
    add("config.toml", config_text(config).as_bytes())?;
    if let (Some(conn), Ok(dir)) = (&conn, config.audit_archive_dir()) {
        let text = match crate::desk::audit::verify_all(conn, &dir) {
            Ok(v) => serde_json::to_string_pretty(&v).unwrap_or_default(),
            Err(e) => e.message(lang),
        };
        add("audit.json", text.as_bytes())?;
    }
    if let Ok(dir) = crate::platform::logs::dir(config) {
        for (name, bytes) in crate::platform::logs::recent(&dir, MAX_LOG_BYTES) {
            add(&format!("logs/{name}"), &bytes)?;
        }
    }
    zip.finish().map_err(io)?;
    Ok(Bundle { path: path.display().to_string(), files })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_password_of_any_address_reaches_the_bundle() {
        let mut c = Config::default();
        c.splats.base_url = Some("https://me:pw1@splats.example/".into());
        c.facility.database_url = Some("postgres://desk:pw2@db.example.jp:5432/uketsuke".into());
        let text = config_text(&c);
        assert!(!text.contains("pw1") && !text.contains("pw2"), "{text}");
        assert!(text.contains("postgres://desk@db.example.jp:5432/uketsuke"), "{text}");
        c.facility.database_url =
            Some("postgres://desk@db.example.jp/uketsuke?password=pw3&sslmode=require".into());
        let text = config_text(&c);
        assert!(!text.contains("pw3") && text.contains("sslmode=require"), "{text}");
    }
}
