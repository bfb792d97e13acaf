//! The audit log: who did what, when, with what result.
//!
//! Callers pass descriptions, never secret values; `detail` is JSON for the reader.
//! Append-only and hash-chained ([`chain`]); old rows move to files, not away
//! ([`archive`]); each row is also indexed into the merged history (`history`).

pub mod archive;
pub mod chain;
mod index;

use crate::platform::error::Result;
use rusqlite::{params, Connection};
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AuditEvent {
    pub at_ms: i64,
    pub actor: String,
    pub action: String,
    pub target: Option<String>,
    pub ok: bool,
    pub detail: Option<serde_json::Value>,
    pub latency_ms: Option<i64>,
}

impl AuditEvent {
    pub fn new(actor: &str, action: &str, target: Option<&str>, ok: bool) -> AuditEvent {
        AuditEvent {
            at_ms: chrono::Utc::now().timestamp_millis(),
            actor: actor.into(),
            action: action.into(),
            target: target.map(Into::into),
            ok,
            detail: None,
            latency_ms: None,
        }
    }

    pub fn with_detail(mut self, detail: serde_json::Value) -> AuditEvent {
        self.detail = Some(detail);
        self
    }

    pub fn with_latency_ms(mut self, ms: i64) -> AuditEvent {
        self.latency_ms = Some(ms);
        self
    }
}

/// Appends an event to the chain. Outside a transaction it takes the write lock first
/// (`BEGIN IMMEDIATE`), so that two processes (the app and the CLI) never link two rows
/// to the same head.
pub fn record(conn: &Connection, e: &AuditEvent) -> Result<()> {
    crate::platform::db::atomically(conn, || append(conn, e))
}

fn append(conn: &Connection, e: &AuditEvent) -> Result<()> {
    chain::seal_legacy(conn)?;
    let prev = chain::head(conn)?;
    let outcome = if e.ok { "ok" } else { "error" };
    let detail = e.detail.as_ref().map(|d| d.to_string());
    conn.prepare_cached(
        "INSERT INTO audit_events (at_ms, actor, action, target, outcome, detail, latency_ms, prev_hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?
    .execute(params![e.at_ms, e.actor, e.action, e.target, outcome, detail, e.latency_ms, prev])?;
    let id = conn.last_insert_rowid();
    let row = chain::ChainRow {
        id,
        at_ms: e.at_ms,
        actor: e.actor.clone(),
        action: e.action.clone(),
        target: e.target.clone(),
        outcome: outcome.into(),
        detail,
        latency_ms: e.latency_ms,
        prev_hash: Some(prev.clone()),
        hash: None,
    };
    conn.prepare_cached("UPDATE audit_events SET hash = ?1 WHERE id = ?2")?
        .execute(params![row.link(&prev), id])?;
    index::row(conn, id)?;
    Ok(())
}

/// Verifies the archives in `dir` and then the rows in the database, end to end.
pub fn verify_all(conn: &Connection, dir: &std::path::Path) -> Result<chain::Verification> {
    let (archived, broken) = archive::verify_files(conn, dir)?;
    let mut report = chain::verify(conn)?;
    report.archived_rows = archived;
    if broken.is_some() {
        report.broken = broken;
    }
    Ok(report)
}

/// The newest events first.
pub fn recent(conn: &Connection, limit: usize) -> Result<Vec<AuditEvent>> {
    let mut stmt = conn.prepare(
        "SELECT at_ms, actor, action, target, outcome, detail, latency_ms
         FROM audit_events ORDER BY id DESC LIMIT ?1",
    )?;
    let rows = stmt
        .query_map([limit as i64], |r| {
            Ok(AuditEvent {
                at_ms: r.get(0)?,
                actor: r.get(1)?,
                action: r.get(2)?,
                target: r.get(3)?,
                ok: r.get::<_, String>(4)? == "ok",
                detail: r.get::<_, Option<String>>(5)?.and_then(|s| serde_json::from_str(&s).ok()),
                latency_ms: r.get(6)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_and_reads_back_newest_first() {
        let conn = crate::platform::db::open_in_memory().unwrap();
        record(&conn, &AuditEvent::new("staff", "sync", None, true)).unwrap();
        let e = AuditEvent::new("staff", "unlock", Some("area:a1"), false)
            .with_detail(serde_json::json!({"error": "unreachable"}))
            .with_latency_ms(42);
        record(&conn, &e).unwrap();
        let got = recent(&conn, 10).unwrap();
        assert_eq!(got.len(), 2);
        assert_eq!(got[0], e);
    }
}
