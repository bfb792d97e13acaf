//! This PC's part in the facility's shared data.
//!
//! - **Send**: rows this PC changed (marked by SQLite triggers, migration 009) are
//!   upserted into PostgreSQL's `rows`, merged there by `uketsuke_merge` (the written
//!   rules: check-out wins over check-in, a revoke stays, otherwise the last write by
//!   server time), and announced with `NOTIFY`. Sent rows are unmarked unless they
//!   changed again meanwhile. While PostgreSQL is away they simply stay marked: that
//!   is the queue, and it survives a restart.
//! - **Receive**: rows after the last `seq` seen are written into SQLite (stores
//!   before areas before guests), except rows this PC has changed and not yet sent:
//!   those go out first and come back merged. Rows are sent parents first, so a new PC
//!   joining a facility that already has data receives them in that order; a row that
//!   still cannot be applied (its parent not here yet, a sealed value that does not open,
//!   a malformed row) is set aside in `facility_held` with its reason, retried at every
//!   later receive, and never blocks the rows after it.
//!
//! Writers take one advisory lock per transaction, so `seq` order is commit order
//! and a reader never skips a row committed late.

use super::rows;
use super::seal::FacilityKey;
use super::{unreachable, Session, CHANNEL};
use serde_json::Value;
use std::sync::Arc;
use uketsuke_core::platform::db::{self, Db};
use uketsuke_core::platform::error::Result;
use uketsuke_core::platform::secrets::SecretStore;

/// In SQLite's meta: the last `seq` received.
const SEQ: &str = "facility.seq";
const PAGE: i64 = 500;

/// One marked row, read for sending.
struct Marked {
    tbl: String,
    id: String,
    version: i64,
    data: Option<Value>,
}

/// Sends the rows this PC changed, up to 500 a round (a first join marks the whole
/// cache; the rest go in the next rounds); returns how many.
pub async fn send(
    db: &Db,
    session: &mut Session,
    pc: &str,
    key: &FacilityKey,
    secrets: &Arc<dyn SecretStore>,
) -> Result<usize> {
    let (key_r, secrets_r) = (key.clone(), secrets.clone());
    let marked: Vec<Marked> = db
        .read(move |c| {
            let sql = format!(
                "SELECT tbl, id, version FROM facility_dirty ORDER BY {}, id LIMIT 500",
                rows::rank_sql()
            );
            let mut s = c.prepare(&sql)?;
            let list: Vec<(String, String, i64)> = s
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
                .collect::<rusqlite::Result<_>>()?;
            list.into_iter()
                .map(|(tbl, id, version)| {
                    let data = rows::read(c, &tbl, &id, &key_r, secrets_r.as_ref())?;
                    Ok(Marked { tbl, id, version, data })
                })
                .collect()
        })
        .await?;
    if marked.is_empty() {
        return Ok(0);
    }
    let tx = session.client.transaction().await.map_err(unreachable)?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&super::lock_id::ROWS]).await.map_err(unreachable)?;
    let upsert = tx
        .prepare(
            "INSERT INTO rows (tbl, id, data, seq, origin, updated_at)
             VALUES ($1, $2, $3, nextval('rows_seq'), $4, now())
             ON CONFLICT (tbl, id) DO UPDATE SET
                 data = uketsuke_merge(EXCLUDED.tbl, rows.data, EXCLUDED.data),
                 seq = EXCLUDED.seq, origin = EXCLUDED.origin, updated_at = now()",
        )
        .await
        .map_err(unreachable)?;
    for m in &marked {
        // A row gone here travels as a tombstone (JSON null).
        let data = m.data.clone().unwrap_or(Value::Null);
        tx.execute(&upsert, &[&m.tbl, &m.id, &data, &pc]).await.map_err(unreachable)?;
    }
    tx.execute(&format!("NOTIFY {CHANNEL}, 'rows'"), &[]).await.map_err(unreachable)?;
    tx.commit().await.map_err(unreachable)?;
    let sent: Vec<(String, String, i64)> = marked.into_iter().map(|m| (m.tbl, m.id, m.version)).collect();
    let n = sent.len();
    db.write(move |c| {
        let tx = c.transaction()?;
        for (tbl, id, version) in &sent {
            tx.execute(
                "DELETE FROM facility_dirty WHERE tbl = ?1 AND id = ?2 AND version = ?3",
                rusqlite::params![tbl, id, version],
            )?;
        }
        tx.commit()?;
        Ok(())
    })
    .await?;
    Ok(n)
}

/// Receives every row changed since the last one seen; returns how many were written.
pub async fn receive(
    db: &Db,
    session: &Session,
    key: &FacilityKey,
    secrets: &Arc<dyn SecretStore>,
) -> Result<usize> {
    let mut written = 0;
    loop {
        let after: i64 =
            db.read(|c| Ok(db::get_meta(c, SEQ)?.and_then(|v| v.parse().ok()).unwrap_or(0))).await?;
        let page = session
            .client
            .query(
                "SELECT tbl, id, data, seq FROM rows WHERE seq > $1 ORDER BY seq LIMIT $2",
                &[&after, &PAGE],
            )
            .await
            .map_err(unreachable)?;
        if page.is_empty() {
            return Ok(written);
        }
        let full = page.len() as i64 == PAGE;
        let mut batch: Vec<(String, String, Value, i64)> =
            page.iter().map(|r| (r.get(0), r.get(1), r.get(2), r.get(3))).collect();
        let last = batch.iter().map(|b| b.3).max().unwrap_or(after);
        batch.sort_by_key(|b| (rows::rank(&b.0), b.3));
        let (key, secrets) = (key.clone(), secrets.clone());
        written += db
            .write(move |c| {
                let tx = c.transaction()?;
                tx.execute("INSERT INTO facility_applying (one) VALUES (1)", [])?;
                let mut n = 0;
                for (tbl, id, data, seq) in &batch {
                    let ours: bool = tx.query_row(
                        "SELECT EXISTS (SELECT 1 FROM facility_dirty WHERE tbl = ?1 AND id = ?2)",
                        [tbl, id],
                        |r| r.get(0),
                    )?;
                    if !ours {
                        n += usize::from(apply_or_hold(&tx, tbl, id, data, *seq, &key, secrets.as_ref())?);
                    }
                }
                n += retry_held(&tx, &key, secrets.as_ref())?;
                tx.execute("DELETE FROM facility_applying", [])?;
                db::set_meta(&tx, SEQ, &last.to_string())?;
                tx.commit()?;
                Ok(n)
            })
            .await?;
        if !full {
            return Ok(written);
        }
    }
}

/// Applies one received row in a savepoint of its own; a row that cannot be applied is
/// set aside with its reason instead (its savepoint undone), so that the rows after it
/// still go in. Answers whether it was applied.
fn apply_or_hold(
    tx: &rusqlite::Transaction<'_>,
    tbl: &str,
    id: &str,
    data: &Value,
    seq: i64,
    key: &FacilityKey,
    secrets: &dyn SecretStore,
) -> Result<bool> {
    tx.execute_batch("SAVEPOINT row")?;
    match rows::apply(tx, tbl, id, data, key, secrets) {
        Ok(()) => {
            tx.execute_batch("RELEASE row")?;
            tx.execute("DELETE FROM facility_held WHERE tbl = ?1 AND id = ?2", [tbl, id])?;
            Ok(true)
        }
        Err(e) => {
            tx.execute_batch("ROLLBACK TO row; RELEASE row")?;
            tracing::warn!(tbl, code = e.code().as_str(), "a facility row was set aside");
            tx.execute(
                "INSERT INTO facility_held (tbl, id, data, seq, reason, held_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                 ON CONFLICT (tbl, id) DO UPDATE SET data = excluded.data, seq = excluded.seq, reason = excluded.reason",
                rusqlite::params![tbl, id, data.to_string(), seq, e.code().as_str(), uketsuke_core::platform::clock::now_unix()],
            )?;
            Ok(false)
        }
    }
}

/// Tries the rows set aside again, parents first, until a pass applies none (a row
/// waiting for its parent goes in once the parent has). Answers how many went in.
fn retry_held(tx: &rusqlite::Transaction<'_>, key: &FacilityKey, secrets: &dyn SecretStore) -> Result<usize> {
    let mut total = 0;
    loop {
        let held: Vec<(String, String, String, i64)> = {
            let sql =
                format!("SELECT tbl, id, data, seq FROM facility_held ORDER BY {}, seq", rows::rank_sql());
            let mut s = tx.prepare(&sql)?;
            let rows = s.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?;
            rows.collect::<rusqlite::Result<_>>()?
        };
        let mut applied = 0;
        for (tbl, id, data, seq) in held {
            let data: Value = serde_json::from_str(&data).unwrap_or(Value::Null);
            applied += usize::from(apply_or_hold(tx, &tbl, &id, &data, seq, key, secrets)?);
        }
        total += applied;
        if applied == 0 {
            return Ok(total);
        }
    }
}

/// The rows set aside and why (stable error codes), for `facility status` and the window.
pub fn held(conn: &rusqlite::Connection) -> Result<Vec<(String, String, String)>> {
    let mut s = conn.prepare("SELECT tbl, id, reason FROM facility_held ORDER BY seq")?;
    let rows = s.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Marks every shared row of this PC for sending (the first time it takes part, so
/// that what it already had reaches the others), and turns the triggers on.
pub fn enable(conn: &mut rusqlite::Connection) -> Result<()> {
    let tx = conn.transaction()?;
    if db::get_meta(&tx, super::ENABLED)?.is_none() {
        db::set_meta(&tx, super::ENABLED, "1")?;
        for t in rows::TABLES {
            tx.execute(
                &format!(
                    "INSERT OR IGNORE INTO facility_dirty (tbl, id) SELECT '{}', {} FROM {}",
                    t.name, t.id, t.name
                ),
                [],
            )?;
        }
    }
    tx.commit()?;
    Ok(())
}

/// Rows waiting to be sent (shown as "queued" while PostgreSQL is away).
pub fn queued(conn: &rusqlite::Connection) -> Result<i64> {
    Ok(conn.query_row("SELECT COUNT(*) FROM facility_dirty", [], |r| r.get(0))?)
}
