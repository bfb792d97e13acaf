//! Incremental, resumable history sync.
//!
//! A sync pages through `GET /v1/histories` for one fixed time range, passing
//! `last_evaluated_key` back unchanged with the other parameters. Each page is written
//! in one transaction together with the key of the next page, so a sync killed at any
//! point resumes at the page it was on; `history_id` is the primary key, so a page
//! fetched twice adds nothing twice. The next sync starts a little before where the
//! last one ended, because devices may upload their logs late.

use crate::clouds::splats::model::History;
use crate::clouds::splats::SplatsClient;
use crate::platform::clock;
use crate::platform::db::{self, Db};
use crate::platform::error::{Cloud, Error, Result};
use rusqlite::{params, Connection, OptionalExtension, Transaction};
use serde::Serialize;
use std::collections::HashSet;

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
    /// Pages one listing may take before it is taken for a loop.
    pub max_pages: u32,
}

impl From<&crate::platform::config::SplatsConfig> for Options {
    fn from(c: &crate::platform::config::SplatsConfig) -> Options {
        Options {
            since_param: c.history_since_param.clone(),
            until_param: c.history_until_param.clone(),
            page_size: c.history_page_size,
            initial_days: c.history_initial_days,
            max_pages: c.history_max_pages,
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
///
/// A cloud that repeats a `last_evaluated_key`, or pages on past `max_pages`, would
/// loop until the rate budget is gone, and a saved cursor would make every later sync
/// loop again: the listing is ended, its cursor cleared (what it fetched stays), and
/// [`Error::PagingStuck`] says so. The next sync starts afresh from the watermark.
pub async fn sync(db: &Db, client: &SplatsClient, opts: &Options, now: i64) -> Result<Report> {
    let o = opts.clone();
    let (mut cursor, resumed) = db
        .write(move |conn| match load_cursor(conn)? {
            Some(c) => Ok((c, true)),
            None => {
                let cursor = fresh_cursor(conn, &o, now)?;
                save_cursor(conn, &cursor, now)?;
                Ok((cursor, false))
            }
        })
        .await?;
    let mut report = Report { resumed, since: cursor.since, until: cursor.until, ..Report::default() };
    let query = [
        (opts.since_param.clone(), clock::iso_jst(cursor.since)),
        (opts.until_param.clone(), clock::iso_jst(cursor.until)),
        ("limit".to_string(), opts.page_size.to_string()),
    ];
    let query: Vec<(&str, String)> = query.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
    let mut seen: HashSet<String> = cursor.key.iter().cloned().collect();
    loop {
        let page = client.histories_page(&query, cursor.key.as_deref()).await?;
        report.pages += 1;
        report.fetched += page.histories.len();
        cursor.pages += 1;
        cursor.key = page.last_evaluated_key.filter(|k| !k.is_empty());
        let stuck = cursor.key.as_ref().is_some_and(|k| !seen.insert(k.clone()))
            || (cursor.key.is_some() && cursor.pages >= i64::from(opts.max_pages));
        let (c, histories) = (cursor.clone(), page.histories);
        let inserted = db
            .write(move |conn| {
                let tx = conn.transaction()?;
                let n = insert(&tx, &histories)?;
                if stuck {
                    tx.execute("DELETE FROM splats_history_cursor", [])?;
                } else if c.key.is_some() {
                    update_cursor(&tx, &c)?;
                } else {
                    tx.execute("DELETE FROM splats_history_cursor", [])?;
                    db::set_meta(&tx, WATERMARK, &c.until.to_string())?;
                }
                tx.commit()?;
                Ok(n)
            })
            .await?;
        report.inserted += inserted;
        if stuck {
            return Err(Error::PagingStuck { cloud: Cloud::Splats, pages: cursor.pages as u32 });
        }
        if cursor.key.is_none() {
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
        .query_row(
            "SELECT since, until, last_evaluated_key, pages FROM splats_history_cursor WHERE id = 1",
            [],
            |r| Ok(Cursor { since: r.get(0)?, until: r.get(1)?, key: r.get(2)?, pages: r.get(3)? }),
        )
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

/// Inserts what is new, indexed into the merged history too; returns how many rows
/// were added.
pub fn insert(tx: &Transaction, histories: &[History]) -> Result<usize> {
    let mut stmt = tx.prepare_cached(
        "INSERT OR IGNORE INTO splats_histories
           (history_id, at, datetime, event, event_name, status, category, device_id, device_name, member_id, guest_id, raw)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
    )?;
    let mut added = 0;
    for h in histories {
        let category =
            h.category.and_then(|c| serde_json::to_value(c).ok()).and_then(|v| v.as_str().map(String::from));
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
    let ids: Vec<String> = histories.iter().map(|h| h.history_id.clone()).collect();
    super::index::splats(tx, &ids)?;
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
