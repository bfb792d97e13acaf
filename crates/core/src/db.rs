//! The SQLite cache: one file, WAL mode, versioned migrations.
//!
//! WAL lets the staff window read while a sync writes. Migrations are numbered SQL
//! files applied in order and recorded in `user_version`, so an old database is
//! brought forward on open and a newer one is refused rather than damaged.

use crate::error::Result;
/// Re-exported so callers need no rusqlite dependency of their own.
pub use rusqlite::Connection;
use rusqlite_migration::{Migrations, M};
use std::path::Path;
use std::sync::LazyLock;
use std::time::Duration;

static MIGRATIONS: LazyLock<Migrations<'static>> = LazyLock::new(|| {
    Migrations::new(vec![
        M::up(include_str!("../migrations/001_initial.sql")),
        M::up(include_str!("../migrations/002_sesame.sql")),
        M::up(include_str!("../migrations/003_splats.sql")),
        M::up(include_str!("../migrations/004_guest_access.sql")),
    ])
});

/// Opens (creating if needed) the database file and brings its schema up to date.
pub fn open(path: &Path) -> Result<Connection> {
    if let Some(dir) = path.parent() {
        if !dir.as_os_str().is_empty() {
            std::fs::create_dir_all(dir)?;
        }
    }
    let mut conn = Connection::open(path)?;
    prepare(&mut conn)?;
    Ok(conn)
}

/// An in-memory database with the full schema, for unit tests.
pub fn open_in_memory() -> Result<Connection> {
    let mut conn = Connection::open_in_memory()?;
    prepare(&mut conn)?;
    Ok(conn)
}

fn prepare(conn: &mut Connection) -> Result<()> {
    conn.busy_timeout(Duration::from_secs(5))?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    migrate(conn)
}

/// Brings the schema up to date. Two processes opening a new file at once (the app and
/// a CLI sync) both try; migrations run in a transaction, so the loser's attempt
/// changes nothing, and it succeeds once it sees the winner's schema.
fn migrate(conn: &mut Connection) -> Result<()> {
    let mut tries = 0;
    loop {
        match MIGRATIONS.to_latest(conn) {
            Ok(()) => return Ok(()),
            Err(_) if tries < 5 && schema_version(conn)? == latest_version() => return Ok(()),
            Err(_) if tries < 5 => {
                tries += 1;
                std::thread::sleep(Duration::from_millis(50 * tries));
            }
            Err(e) => return Err(e.into()),
        }
    }
}

/// The schema version the file is at.
pub fn schema_version(conn: &Connection) -> Result<i64> {
    Ok(conn.query_row("PRAGMA user_version", [], |r| r.get(0))?)
}

/// The schema version this build expects.
pub fn latest_version() -> i64 {
    // One migration per file; `user_version` counts them.
    4
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_are_valid() {
        MIGRATIONS.validate().unwrap();
    }

    #[test]
    fn opens_a_real_file_in_wal_mode() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nested/cache.sqlite3");
        let conn = open(&path).unwrap();
        let mode: String = conn.query_row("PRAGMA journal_mode", [], |r| r.get(0)).unwrap();
        assert_eq!(mode, "wal");
        assert_eq!(schema_version(&conn).unwrap(), latest_version());
        drop(conn);
        // Re-opening an up-to-date file is a no-op.
        let conn = open(&path).unwrap();
        assert_eq!(schema_version(&conn).unwrap(), latest_version());
    }

    #[test]
    fn refuses_a_newer_schema() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("future.sqlite3");
        {
            let conn = open(&path).unwrap();
            conn.pragma_update(None, "user_version", 99).unwrap();
        }
        assert!(open(&path).is_err());
    }
}

/// A small value kept across runs (the measured clock offset, …).
pub fn get_meta(conn: &Connection, key: &str) -> Result<Option<String>> {
    use rusqlite::OptionalExtension;
    Ok(conn.query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0)).optional()?)
}

pub fn set_meta(conn: &Connection, key: &str, value: &str) -> Result<()> {
    conn.execute(
        "INSERT INTO meta (key, value) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        [key, value],
    )?;
    Ok(())
}
