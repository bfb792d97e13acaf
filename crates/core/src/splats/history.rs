//! Incremental, resumable history sync.
//!
//! A sync pages through `GET /v1/histories` for one fixed time range, passing
//! `last_evaluated_key` back unchanged with the other parameters. Each page is written
//! in one transaction together with the key of the next page, so a sync killed at any
//! point resumes at the page it was on; `history_id` is the primary key, so a page
//! fetched twice adds nothing twice. The next sync starts a little before where the
//! last one ended, because devices may upload their logs late.

use super::client::SplatsClient;
use super::model::History;
use crate::clock;
use crate::db;
use crate::error::Result;
use rusqlite::{params, Connection, OptionalExtension, Transaction};
use serde::Serialize;

/// Where the last complete sync ended (Unix seconds).
const WATERMARK: &str = "splats.histories.synced_until";
/// Logs uploaded late by a device still get picked up.
pub const OVERLAP_SECS: i64 = 600;

/// The query parameters of one history listing.
#[derive(Debug, Clone)]
pub struct Options {
    pub since_param: String,
    pub until_param: String,
    pub page_size: u32,
    pub initial_days: u32,
}

impl From<&crate::config::SplatsConfig> for Options {
    fn from(c: &crate::config::SplatsConfig) -> Options {
        Options {
            since_param: c.history_since_param.clone(),
            until_param: c.history_until_param.clone(),
            page_size: c.history_page_size,
            initial_days: c.history_initial_days,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
struct Cursor {
    since: i64,
    until: i64,
    key: Option<String>,
    pages: i64,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Report {
    /// This run continued a sync that had stopped part-way.
    pub resumed: bool,
    pub since: i64,
    pub until: i64,
    pub pages: usize,
    pub fetched: usize,
    pub inserted: usize,
}

/// Pulls every history since the last sync into SQLite. On error, what was fetched
/// stays, and the next call resumes from the page that failed.
pub async fn sync(conn: &mut Connection, client: &SplatsClient, opts: &Options, now: i64) -> Result<Report> {
    let (mut cursor, resumed) = match load_cursor(conn)? {
        Some(c) => (c, true),
        None => {
            let cursor = fresh_cursor(conn, opts, now)?;
            save_cursor(conn, &cursor, now)?;
            (cursor, false)
        }
    };
    let mut report = Report { resumed, since: cursor.since, until: cursor.until, ..Report::default() };
    let query = vec![
        (opts.since_param.as_str(), clock::iso_jst(cursor.since)),
        (opts.until_param.as_str(), clock::iso_jst(cursor.until)),
        ("limit", opts.page_size.to_string()),
    ];
    loop {
        let page = client.histories_page(&query, cursor.key.as_deref()).await?;
        report.pages += 1;
        report.fetched += page.histories.len();
        let tx = conn.transaction()?;
        report.inserted += insert(&tx, &page.histories)?;
        cursor.pages += 1;
        cursor.key = page.last_evaluated_key.filter(|k| !k.is_empty());
        if cursor.key.is_some() {
            update_cursor(&tx, &cursor)?;
            tx.commit()?;
        } else {
            tx.execute("DELETE FROM splats_history_cursor", [])?;
            db::set_meta(&tx, WATERMARK, &cursor.until.to_string())?;
            tx.commit()?;
            return Ok(report);
        }
    }
}

fn fresh_cursor(conn: &Connection, opts: &Options, now: i64) -> Result<Cursor> {
    let since = match db::get_meta(conn, WATERMARK)?.and_then(|v| v.parse::<i64>().ok()) {
        Some(until) => until - OVERLAP_SECS,
        None => now - i64::from(opts.initial_days) * 86_400,
    };
    Ok(Cursor { since, until: now, key: None, pages: 0 })
}

fn load_cursor(conn: &Connection) -> Result<Option<Cursor>> {
    Ok(conn
        .query_row("SELECT since, until, last_evaluated_key, pages FROM splats_history_cursor WHERE id = 1", [], |r| {
            Ok(Cursor { since: r.get(0)?, until: r.get(1)?, key: r.get(2)?, pages: r.get(3)? })
        })
        .optional()?)
}

fn save_cursor(conn: &Connection, c: &Cursor, now: i64) -> Result<()> {
    conn.execute(
        "INSERT OR REPLACE INTO splats_history_cursor (id, since, until, last_evaluated_key, pages, started_at)
         VALUES (1, ?1, ?2, ?3, ?4, ?5)",
        params![c.since, c.until, c.key, c.pages, now],
    )?;
    Ok(())
}

fn update_cursor(tx: &Transaction, c: &Cursor) -> Result<()> {
    tx.execute(
        "UPDATE splats_history_cursor SET last_evaluated_key = ?1, pages = ?2 WHERE id = 1",
        params![c.key, c.pages],
    )?;
    Ok(())
}

/// Inserts what is new; returns how many rows were added.
pub fn insert(tx: &Transaction, histories: &[History]) -> Result<usize> {
    let mut stmt = tx.prepare_cached(
        "INSERT OR IGNORE INTO splats_histories
           (history_id, at, datetime, event, event_name, status, category, device_id, device_name, member_id, guest_id, raw)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
    )?;
    let mut added = 0;
    for h in histories {
        let category = h.category.and_then(|c| serde_json::to_value(c).ok()).and_then(|v| v.as_str().map(String::from));
        added += stmt.execute(params![
            h.history_id,
            clock::parse_iso(&h.datetime).unwrap_or(0),
            h.datetime,
            h.event,
            h.event_name,
            h.status,
            category,
            h.device_id,
            h.device_name,
            h.member_id,
            h.guest_id,
            serde_json::to_string(h).unwrap_or_default(),
        ])?;
    }
    Ok(added)
}

/// A stored history row for display.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Stored {
    pub history_id: String,
    pub at: i64,
    pub event: Option<String>,
    pub event_name: Option<String>,
    pub category: Option<String>,
    pub device_name: Option<String>,
    pub member_id: Option<String>,
    pub guest_id: Option<String>,
}

/// Newest first, from `since` on.
pub fn stored(conn: &Connection, since: i64, limit: usize) -> Result<Vec<Stored>> {
    let mut stmt = conn.prepare(
        "SELECT history_id, at, event, event_name, category, device_name, member_id, guest_id
         FROM splats_histories WHERE at >= ?1 ORDER BY at DESC, history_id DESC LIMIT ?2",
    )?;
    let rows = stmt.query_map(params![since, limit as i64], |r| {
        Ok(Stored {
            history_id: r.get(0)?,
            at: r.get(1)?,
            event: r.get(2)?,
            event_name: r.get(3)?,
            category: r.get(4)?,
            device_name: r.get(5)?,
            member_id: r.get(6)?,
            guest_id: r.get(7)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn count(conn: &Connection) -> Result<i64> {
    Ok(conn.query_row("SELECT COUNT(*) FROM splats_histories", [], |r| r.get(0))?)
}

/// A sync that stopped part-way and will resume: (pages done, since, until).
pub fn pending(conn: &Connection) -> Result<Option<(i64, i64, i64)>> {
    Ok(load_cursor(conn)?.map(|c| (c.pages, c.since, c.until)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(id: &str) -> History {
        serde_json::from_value(serde_json::json!({
            "history_id": id, "datetime": "2026-11-23T09:00:00+09:00", "category": "normal", "event": "pass"
        }))
        .unwrap()
    }

    #[test]
    fn inserting_twice_adds_once() {
        let mut conn = db::open_in_memory().unwrap();
        let tx = conn.transaction().unwrap();
        assert_eq!(insert(&tx, &[h("a"), h("b")]).unwrap(), 2);
        assert_eq!(insert(&tx, &[h("b"), h("c")]).unwrap(), 1);
        tx.commit().unwrap();
        assert_eq!(count(&conn).unwrap(), 3);
        let rows = stored(&conn, 0, 10).unwrap();
        assert_eq!(rows[0].category.as_deref(), Some("normal"));
        assert_eq!(rows[0].at, clock::parse_iso("2026-11-23T09:00:00+09:00").unwrap());
    }
}
