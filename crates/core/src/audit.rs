//! The audit log: who did what, when, with what result.
//!
//! Callers pass descriptions, never secret values; `detail` is JSON for the reader.

use crate::error::Result;
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

pub fn record(conn: &Connection, e: &AuditEvent) -> Result<()> {
    conn.execute(
        "INSERT INTO audit_events (at_ms, actor, action, target, outcome, detail, latency_ms)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            e.at_ms,
            e.actor,
            e.action,
            e.target,
            if e.ok { "ok" } else { "error" },
            e.detail.as_ref().map(|d| d.to_string()),
            e.latency_ms
        ],
    )?;
    Ok(())
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
        let conn = crate::db::open_in_memory().unwrap();
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
