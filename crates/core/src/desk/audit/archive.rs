//! Retention without losing anything: audit rows older than the retention move to a
//! JSON Lines file (one row per line, with its hashes), and only then leave the
//! database, in the transaction that records the archive (its rows, its last hash and
//! the file's SHA-256). The chain goes on from the archive's last hash, so verifying
//! the files and then the database checks the whole history end to end.

use super::chain::{self, Broken, ChainRow, COLUMNS};
use crate::platform::error::{Code, Error, Result};
use rusqlite::{params, Connection};
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::io::Write;
use std::path::{Path, PathBuf};

/// What one archiving moved.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct Archived {
    pub file: String,
    pub rows: u64,
    pub first_id: i64,
    pub last_id: i64,
}

/// Moves every audit row older than `before_ms` (and any row before it in the chain)
/// into a new file in `dir`. Nothing to move: `None`.
pub fn archive(conn: &mut Connection, before_ms: i64, dir: &Path, now: i64) -> Result<Option<Archived>> {
    // Usually (every hour) there is nothing old enough: say so before any work.
    let last: Option<i64> =
        conn.query_row("SELECT MAX(id) FROM audit_events WHERE at_ms < ?1", [before_ms], |r| r.get(0))?;
    let Some(last_id) = last else { return Ok(None) };
    chain::seal_legacy(conn)?;
    // A broken chain is not carried into a file, where it would look settled.
    if let Some(b) = chain::verify(conn)?.broken {
        return Err(Error::invalid(
            Code::AuditBroken,
            format!("監査ログの行 {} が壊れているため保管できません (uketsuke audit verify)", b.id),
            format!("audit row {} breaks the chain: not archived (see uketsuke audit verify)", b.id),
        ));
    }
    let rows: Vec<ChainRow> = conn
        .prepare(&format!("SELECT {COLUMNS} FROM audit_events WHERE id <= ?1 ORDER BY id"))?
        .query_map([last_id], ChainRow::read)?
        .collect::<rusqlite::Result<_>>()?;
    let (Some(first), Some(end)) = (rows.first(), rows.last()) else { return Ok(None) };
    let (first_id, first_prev) = (first.id, first.prev_hash.clone().unwrap_or_default());
    let last_hash = end.hash.clone().unwrap_or_default();
    let name = format!("audit-{first_id:012}-{last_id:012}.jsonl");
    let sha256 = write_file(&dir.join(&name), &rows)?;
    let tx = conn.transaction()?;
    tx.execute(
        "INSERT INTO audit_archives (last_id, first_id, rows, first_prev, last_hash, file, sha256, archived_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![last_id, first_id, rows.len() as i64, first_prev, last_hash, name, sha256, now],
    )?;
    tx.execute("DELETE FROM audit_events WHERE id <= ?1", [last_id])?;
    tx.execute(
        "DELETE FROM history_entries WHERE source = 'audit' AND CAST(ref AS INTEGER) <= ?1",
        [last_id],
    )?;
    crate::desk::audit::record(
        &tx,
        &crate::desk::audit::AuditEvent::new("system", "audit.archive", Some(&name), true)
            .with_detail(serde_json::json!({ "rows": rows.len(), "first_id": first_id, "last_id": last_id })),
    )?;
    tx.commit()?;
    Ok(Some(Archived { file: name, rows: rows.len() as u64, first_id, last_id }))
}

/// Applies `[audit] retention_days` (0 keeps everything): rows older than that go to a
/// file in the configured archive folder. The worker runs it every hour.
pub fn apply_retention(conn: &mut Connection, config: &crate::Config, now: i64) -> Result<Option<Archived>> {
    let days = i64::from(config.audit.retention_days);
    if days == 0 {
        return Ok(None);
    }
    archive(conn, (now - days * 86_400) * 1000, &config.audit_archive_dir()?, now)
}

/// Writes the rows, flushed to disk before the database lets them go; answers the
/// file's SHA-256.
fn write_file(path: &Path, rows: &[ChainRow]) -> Result<String> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let tmp: PathBuf = path.with_extension("partial");
    let mut out = std::io::BufWriter::new(std::fs::File::create(&tmp)?);
    let mut hash = Sha256::new();
    for row in rows {
        let mut line = serde_json::to_vec(row).map_err(|e| Error::Io(std::io::Error::other(e)))?;
        line.push(b'\n');
        hash.update(&line);
        out.write_all(&line)?;
    }
    let file = out.into_inner().map_err(|e| Error::Io(e.into_error()))?;
    file.sync_all()?;
    std::fs::rename(&tmp, path)?;
    Ok(hex::encode(hash.finalize()))
}

/// Checks every archive file in `dir` in chain order: present, unchanged (its
/// SHA-256) and chained from the one before. Answers the rows checked and the first
/// break (the archive's first id with `archive_missing` or `archive_changed`, or the
/// row that breaks the chain inside it).
pub fn verify_files(conn: &Connection, dir: &Path) -> Result<(u64, Option<Broken>)> {
    let archives: Vec<(i64, String, String, String, String)> = conn
        .prepare("SELECT first_id, first_prev, last_hash, file, sha256 FROM audit_archives ORDER BY last_id")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let mut prev = chain::GENESIS.to_string();
    let mut checked = 0;
    for (first_id, first_prev, last_hash, file, sha256) in archives {
        let done = checked;
        let broken = |reason: &str| Ok((done, Some(Broken { id: first_id, reason: reason.into() })));
        let Ok(bytes) = std::fs::read(dir.join(&file)) else { return broken("archive_missing") };
        if hex::encode(Sha256::digest(&bytes)) != sha256 || first_prev != prev {
            return broken("archive_changed");
        }
        let rows: Vec<ChainRow> = match bytes
            .split(|b| *b == b'\n')
            .filter(|l| !l.is_empty())
            .map(serde_json::from_slice)
            .collect::<std::result::Result<_, _>>()
        {
            Ok(rows) => rows,
            Err(_) => return broken("archive_changed"),
        };
        let (n, head, broken_row) = chain::walk(rows, prev, 0);
        checked += n;
        if broken_row.is_some() {
            return Ok((checked, broken_row));
        }
        if head != last_hash {
            return Ok((checked, Some(Broken { id: first_id, reason: "archive_changed".into() })));
        }
        prev = head;
    }
    Ok((checked, None))
}
