//! The SQLite cache: one file, WAL mode, versioned migrations.
//!
//! WAL lets the staff window read while a sync writes. Migrations are numbered SQL
//! files applied in order and recorded in `user_version`, so an old database is
//! brought forward on open and a newer one is refused rather than damaged.

use crate::platform::error::Result;
/// Re-exported so callers need no rusqlite dependency of their own.
pub use rusqlite::Connection;
use rusqlite_migration::{Migrations, M};
use std::path::{Path, PathBuf};
use std::sync::{Arc, LazyLock, Mutex, MutexGuard};
use std::time::Duration;

static MIGRATIONS: LazyLock<Migrations<'static>> = LazyLock::new(|| Migrations::new(steps()));

/// The migrations in order: `user_version` counts those applied.
fn steps() -> Vec<M<'static>> {
    vec![
        M::up(include_str!("../../migrations/001_initial.sql")),
        M::up(include_str!("../../migrations/002_sesame.sql")),
        M::up(include_str!("../../migrations/003_splats.sql")),
        M::up(include_str!("../../migrations/004_guest_access.sql")),
        M::up(include_str!("../../migrations/005_outbox.sql")),
        M::up(include_str!("../../migrations/006_alert_acks.sql")),
        M::up(include_str!("../../migrations/007_keys.sql")),
        M::up(include_str!("../../migrations/008_history_audit.sql")),
        M::up(include_str!("../../migrations/009_facility.sql")),
        M::up(include_str!("../../migrations/010_facility_history.sql")),
        M::up(include_str!("../../migrations/011_facility_doors.sql")),
        M::up(include_str!("../../migrations/012_facility_keys.sql")),
        M::up(include_str!("../../migrations/013_facility_held.sql")),
        M::up(include_str!("../../migrations/014_lock_state_since.sql")),
        M::up(include_str!("../../migrations/015_handover.sql")),
        M::up(include_str!("../../migrations/016_guest_passes.sql")),
        M::up(include_str!("../../migrations/017_guest_pass_areas.sql")),
    ]
}

/// Opens (creating if needed) the database file and brings its schema up to date.
pub fn open(path: &Path) -> Result<Connection> {
    if let Some(dir) = path.parent() {
        if !dir.as_os_str().is_empty() {
            std::fs::create_dir_all(dir)?;
        }
    }
    #[allow(clippy::disallowed_methods)] // the one place that opens the file
    let mut conn = Connection::open(path)?;
    prepare(&mut conn)?;
    Ok(conn)
}

/// Runs `f` as one write: in the caller's transaction if `conn` is in one, else in its
/// own, taken with the write lock first (`BEGIN IMMEDIATE`), so that two processes
/// (the app and the CLI) never interleave inside it.
pub fn atomically<T>(conn: &Connection, f: impl FnOnce() -> Result<T>) -> Result<T> {
    if !conn.is_autocommit() {
        return f();
    }
    conn.execute_batch("BEGIN IMMEDIATE")?;
    match f() {
        Ok(v) => {
            conn.execute_batch("COMMIT")?;
            Ok(v)
        }
        Err(err) => {
            let _ = conn.execute_batch("ROLLBACK");
            Err(err)
        }
    }
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

/// The app's handle on its database file, shared by every window, the worker and
/// the CLI's commands.
///
/// Nothing may wait on the network while it holds a connection: callers fetch first,
/// then borrow a connection for one short read or one short transaction. Reads get a
/// connection of their own (WAL lets them run beside a write); writes share one
/// connection, so they queue behind each other for milliseconds, never behind a cloud.
/// The async forms run the SQLite work on tokio's blocking threads, off the workers
/// that drive HTTP and the UI.
#[derive(Clone)]
pub struct Db(Arc<DbInner>);

impl std::fmt::Debug for Db {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Db").field(&self.0.path).finish()
    }
}

struct DbInner {
    path: PathBuf,
    writer: Mutex<Connection>,
    readers: Mutex<Vec<Connection>>,
    /// Counts this process's writes: whoever watches (the facility's sender) wakes on
    /// a change instead of polling for it.
    writes: tokio::sync::watch::Sender<u64>,
}

/// Idle read connections kept for reuse; more are opened when needed.
const KEPT_READERS: usize = 4;

impl Db {
    /// Opens (creating if needed) the file and brings its schema up to date.
    pub fn open(path: &Path) -> Result<Db> {
        let writer = open(path)?;
        Ok(Db(Arc::new(DbInner {
            path: path.to_path_buf(),
            writer: Mutex::new(writer),
            readers: Mutex::new(Vec::new()),
            writes: tokio::sync::watch::Sender::new(0),
        })))
    }

    pub fn path(&self) -> &Path {
        &self.0.path
    }

    /// One read on a connection that cannot write (`query_only`), on this thread.
    pub fn read_now<T>(&self, f: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        let pooled = relock(&self.0.readers).pop();
        let conn = match pooled {
            Some(c) => c,
            None => self.reader()?,
        };
        let out = f(&conn);
        let mut pool = relock(&self.0.readers);
        if pool.len() < KEPT_READERS {
            pool.push(conn);
        }
        out
    }

    /// One write (use a transaction inside for several statements), on this thread.
    pub fn write_now<T>(&self, f: impl FnOnce(&mut Connection) -> Result<T>) -> Result<T> {
        let done = f(&mut relock(&self.0.writer));
        self.0.writes.send_modify(|n| *n = n.wrapping_add(1));
        done
    }

    /// Changes whenever this process has written (another process's writes are not
    /// seen here).
    pub fn writes(&self) -> tokio::sync::watch::Receiver<u64> {
        self.0.writes.subscribe()
    }

    /// [`Db::read_now`] on a blocking thread.
    pub async fn read<T, F>(&self, f: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T> + Send + 'static,
    {
        let db = self.clone();
        blocking(move || db.read_now(f)).await
    }

    /// [`Db::write_now`] on a blocking thread.
    pub async fn write<T, F>(&self, f: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> Result<T> + Send + 'static,
    {
        let db = self.clone();
        blocking(move || db.write_now(f)).await
    }

    fn reader(&self) -> Result<Connection> {
        #[allow(clippy::disallowed_methods)] // a reader of the file `open` prepared
        let conn = Connection::open(&self.0.path)?;
        conn.busy_timeout(Duration::from_secs(5))?;
        conn.pragma_update(None, "query_only", "ON")?;
        Ok(conn)
    }
}

/// A poisoned lock only means another thread panicked mid-call; SQLite rolled its
/// transaction back, so the connection is still good (and plain state stays usable).
pub fn relock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

async fn blocking<T: Send + 'static>(f: impl FnOnce() -> Result<T> + Send + 'static) -> Result<T> {
    match tokio::task::spawn_blocking(f).await {
        Ok(r) => r,
        Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
        Err(e) => Err(std::io::Error::other(e.to_string()).into()),
    }
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
    steps().len() as i64
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

pub fn delete_meta(conn: &Connection, key: &str) -> Result<()> {
    conn.execute("DELETE FROM meta WHERE key = ?1", [key])?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_are_valid() {
        MIGRATIONS.validate().unwrap();
    }

    /// A database from before the chain: its audit rows join the time line at once and
    /// are chained by the first write after the upgrade.
    #[test]
    fn the_upgrade_indexes_and_chains_what_was_there() {
        #[allow(clippy::disallowed_methods)] // an old file, made by hand
        let mut conn = Connection::open_in_memory().unwrap();
        let mut old = steps();
        old.truncate(7);
        Migrations::new(old).to_latest(&mut conn).unwrap();
        conn.execute_batch(
            "INSERT INTO stores (id, name, source, updated_at) VALUES ('S001', '渋谷店', 'manual', 0);
             INSERT INTO areas (id, store_id, name, source, updated_at) VALUES ('A101', 'S001', '会議室A', 'manual', 0);
             INSERT INTO audit_events (at_ms, actor, action, target, outcome) VALUES
               (1, '受付', 'sesame.unlock', 'area:A101', 'ok'), (2, '受付', 'sync', NULL, 'error');",
        )
        .unwrap();
        MIGRATIONS.to_latest(&mut conn).unwrap();
        let (n, store): (i64, Option<String>) = conn
            .query_row(
                "SELECT COUNT(*), MIN(store_id) FROM history_entries WHERE source = 'audit'",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        assert_eq!((n, store.as_deref()), (2, Some("S001")));
        assert_eq!(crate::desk::audit::chain::verify(&conn).unwrap().broken, None);
        crate::desk::audit::record(&conn, &crate::desk::audit::AuditEvent::new("t", "sync", None, true))
            .unwrap();
        let unsealed: i64 =
            conn.query_row("SELECT COUNT(*) FROM audit_events WHERE hash IS NULL", [], |r| r.get(0)).unwrap();
        assert_eq!(unsealed, 0);
        assert_eq!(crate::desk::audit::chain::verify(&conn).unwrap().rows, 3);
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
