//! The audit log's hash chain: tamper-evident, not tamper-proof.
//!
//! Each row carries the hash of the row before it and its own: SHA-256 over the previous
//! hash and the row's canonical content (its id and every field, as a JSON array, so that
//! no two different rows encode alike). Changing, inserting or removing a row anywhere
//! breaks the link at that row or the next, and [`verify`] names the first broken one.
//! Rewriting the whole chain after an edit is possible for someone with the file, which
//! is why the head hash of each day can be exported ([`day_heads`]) and kept elsewhere: a
//! later rewrite of an old day no longer matches its exported head.
//!
//! SQLite triggers refuse updates of sealed rows and deletions outside an archive, so
//! the app itself cannot change history by mistake; `sqlite3` can, and verify shows it.

use crate::platform::error::Result;
use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The "previous hash" of the very first row.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One row as stored, with its place in the chain.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChainRow {
    pub id: i64,
    pub at_ms: i64,
    pub actor: String,
    pub action: String,
    pub target: Option<String>,
    pub outcome: String,
    pub detail: Option<String>,
    pub latency_ms: Option<i64>,
    pub prev_hash: Option<String>,
    pub hash: Option<String>,
}

pub const COLUMNS: &str = "id, at_ms, actor, action, target, outcome, detail, latency_ms, prev_hash, hash";

impl ChainRow {
    pub fn read(r: &rusqlite::Row<'_>) -> rusqlite::Result<ChainRow> {
        Ok(ChainRow {
            id: r.get(0)?,
            at_ms: r.get(1)?,
            actor: r.get(2)?,
            action: r.get(3)?,
            target: r.get(4)?,
            outcome: r.get(5)?,
            detail: r.get(6)?,
            latency_ms: r.get(7)?,
            prev_hash: r.get(8)?,
            hash: r.get(9)?,
        })
    }

    /// The hash this row must carry after `prev`.
    pub fn link(&self, prev: &str) -> String {
        let content = serde_json::json!([
            self.id,
            self.at_ms,
            self.actor,
            self.action,
            self.target,
            self.outcome,
            self.detail,
            self.latency_ms
        ]);
        hash_after(prev, &content)
    }
}

/// A link: SHA-256 over the previous hash and a row's canonical content (a JSON array,
/// so that no two different rows encode alike). The facility's chain links the same way.
pub fn hash_after(prev: &str, content: &serde_json::Value) -> String {
    let mut h = Sha256::new();
    h.update(prev.as_bytes());
    h.update(b"\n");
    h.update(content.to_string().as_bytes());
    hex::encode(h.finalize())
}

/// The hash the next row links to: the newest row's, else the newest archive's, else
/// [`GENESIS`]. A newest row without its hash (someone cleared it) is linked to as if
/// sealed and left as it is, for [`verify`] to report: nothing here ever rewrites the
/// chain.
pub fn head(conn: &Connection) -> Result<String> {
    let row: Option<ChainRow> = conn
        .query_row(
            &format!("SELECT {COLUMNS} FROM audit_events ORDER BY id DESC LIMIT 1"),
            [],
            ChainRow::read,
        )
        .optional()?;
    match row {
        Some(ChainRow { hash: Some(h), .. }) => Ok(h),
        Some(row) => {
            let prev = row.prev_hash.clone().unwrap_or_else(|| GENESIS.to_string());
            Ok(row.link(&prev))
        }
        None => archived_head(conn),
    }
}

fn archived_head(conn: &Connection) -> Result<String> {
    let h: Option<String> = conn
        .query_row("SELECT last_hash FROM audit_archives ORDER BY last_id DESC LIMIT 1", [], |r| r.get(0))
        .optional()?;
    Ok(h.unwrap_or_else(|| GENESIS.to_string()))
}

/// Rows written before the chain existed (migration 008 notes the last one's id under
/// this key) are sealed once, by the first write after the upgrade; until then
/// [`verify`] links them as that sealing will. No other row is ever sealed after it was
/// written: a hash someone cleared stays cleared, and shows.
pub const LEGACY_KEY: &str = "audit_legacy_upto";

fn legacy_upto(conn: &Connection) -> Result<i64> {
    let v: Option<String> = conn
        .prepare_cached("SELECT value FROM meta WHERE key = ?1")?
        .query_row([LEGACY_KEY], |r| r.get(0))
        .optional()?;
    Ok(v.and_then(|v| v.parse().ok()).unwrap_or(0))
}

/// Seals the pre-chain rows, if the upgrade left any, and forgets the note.
pub fn seal_legacy(conn: &Connection) -> Result<()> {
    let upto = legacy_upto(conn)?;
    if upto > 0 {
        seal_pending(conn, upto)?;
        conn.execute("DELETE FROM meta WHERE key = ?1", [LEGACY_KEY])?;
    }
    Ok(())
}

/// Chains unsealed rows up to `upto`, in id order (the upgrade's rows; tests).
pub fn seal_pending(conn: &Connection, upto: i64) -> Result<usize> {
    let first: Option<i64> =
        conn.query_row("SELECT MIN(id) FROM audit_events WHERE hash IS NULL AND id <= ?1", [upto], |r| {
            r.get(0)
        })?;
    let Some(first) = first else { return Ok(0) };
    let mut prev: String = conn
        .query_row("SELECT hash FROM audit_events WHERE id < ?1 ORDER BY id DESC LIMIT 1", [first], |r| {
            r.get(0)
        })
        .optional()?
        .flatten()
        .map(Ok)
        .unwrap_or_else(|| archived_head(conn))?;
    let rows: Vec<ChainRow> = conn
        .prepare(&format!("SELECT {COLUMNS} FROM audit_events WHERE id >= ?1 AND id <= ?2 ORDER BY id"))?
        .query_map([first, upto], ChainRow::read)?
        .collect::<rusqlite::Result<_>>()?;
    for row in &rows {
        let hash = row.link(&prev);
        conn.execute(
            "UPDATE audit_events SET prev_hash = ?1, hash = ?2 WHERE id = ?3",
            params![prev, hash, row.id],
        )?;
        prev = hash;
    }
    Ok(rows.len())
}

/// Where the chain first breaks.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct Broken {
    pub id: i64,
    /// `changed` (the row's content no longer gives its hash), `unlinked` (it does not
    /// follow the row before it: a row removed, inserted or rewritten before it),
    /// `unsealed`, or `head` (an exported day head no longer matches).
    pub reason: String,
}

/// What [`verify`] found.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct Verification {
    pub rows: u64,
    pub archived_rows: u64,
    pub head: String,
    pub broken: Option<Broken>,
}

/// Walks rows in id order from `prev`, counting; stops at the first break. Rows up to
/// `legacy` without a hash are linked as their sealing will link them.
pub fn walk<I: IntoIterator<Item = ChainRow>>(
    rows: I,
    mut prev: String,
    legacy: i64,
) -> (u64, String, Option<Broken>) {
    let mut n = 0;
    for row in rows {
        let broken = |reason: &str| Some(Broken { id: row.id, reason: reason.into() });
        if row.id <= legacy && row.hash.is_none() {
            prev = row.link(&prev);
            n += 1;
            continue;
        }
        match (&row.prev_hash, &row.hash) {
            (Some(p), Some(h)) => {
                if *p != prev {
                    return (n, prev, broken("unlinked"));
                }
                if row.link(p) != *h {
                    return (n, prev, broken("changed"));
                }
                prev = h.clone();
            }
            _ => return (n, prev, broken("unsealed")),
        }
        n += 1;
    }
    (n, prev, None)
}

/// Verifies the rows in the database, starting from the newest archive's head (the
/// archives themselves are checked by `archive::verify_files`).
pub fn verify(conn: &Connection) -> Result<Verification> {
    let start = archived_head(conn)?;
    let archived_rows: i64 =
        conn.query_row("SELECT COALESCE(SUM(rows), 0) FROM audit_archives", [], |r| r.get(0))?;
    let mut stmt = conn.prepare(&format!("SELECT {COLUMNS} FROM audit_events ORDER BY id"))?;
    let mut failed = None;
    let rows = stmt.query_map([], ChainRow::read)?.map_while(|r| match r {
        Ok(row) => Some(row),
        Err(e) => {
            failed = Some(e);
            None
        }
    });
    let legacy = legacy_upto(conn)?;
    let (n, head, broken) = walk(rows, start, legacy);
    if let Some(e) = failed {
        return Err(e.into());
    }
    Ok(Verification { rows: n, archived_rows: archived_rows as u64, head, broken })
}

/// The last row of a day (JST) and its hash: kept elsewhere, it pins that day.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct DayHead {
    /// `YYYY-MM-DD` in Japan time.
    pub day: String,
    pub last_id: i64,
    pub hash: String,
    pub rows: u64,
}

/// Each day's head, oldest first (rows still in the database).
pub fn day_heads(conn: &Connection) -> Result<Vec<DayHead>> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {} AS day, MAX(id), COUNT(*) FROM audit_events GROUP BY day ORDER BY MAX(id)",
        crate::platform::jst::sql_day("(at_ms / 1000)")
    ))?;
    let days: Vec<(String, i64, i64)> =
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?.collect::<rusqlite::Result<_>>()?;
    let mut out = Vec::new();
    for (day, last_id, rows) in days {
        let hash: Option<String> =
            conn.query_row("SELECT hash FROM audit_events WHERE id = ?1", [last_id], |r| r.get(0))?;
        let hash = hash.unwrap_or_default();
        out.push(DayHead { day, last_id, hash, rows: rows as u64 });
    }
    Ok(out)
}

/// Checks exported heads against the database: the first whose row is gone (and not
/// archived) or whose hash differs.
pub fn check_heads(conn: &Connection, heads: &[DayHead]) -> Result<Option<Broken>> {
    for h in heads {
        let now: Option<Option<String>> = conn
            .query_row("SELECT hash FROM audit_events WHERE id = ?1", [h.last_id], |r| r.get(0))
            .optional()?;
        let archived: bool = conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM audit_archives WHERE ?1 BETWEEN first_id AND last_id)",
            [h.last_id],
            |r| r.get(0),
        )?;
        match now {
            Some(Some(hash)) if hash == h.hash => {}
            None if archived => {}
            _ => return Ok(Some(Broken { id: h.last_id, reason: "head".into() })),
        }
    }
    Ok(None)
}
