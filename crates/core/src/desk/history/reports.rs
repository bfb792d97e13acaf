//! Daily reports per store: arrivals, no-shows, overstays, unlocks by staff, and the
//! cloud calls spent (those are the facility's, on a row of their own). Read from the
//! cache, in Japan days.

use super::export;
use crate::platform::db::Connection;
use crate::platform::error::Result;
use crate::platform::jst;
use crate::Lang;
use rusqlite::params;
use serde::Serialize;
use std::collections::BTreeMap;

/// One day of one store (or, with no store, the facility's cloud calls).
#[derive(Debug, Clone, Default, PartialEq, Serialize, ts_rs::TS)]
pub struct DayReport {
    /// `YYYY-MM-DD` in Japan time.
    pub day: String,
    pub store_id: Option<String>,
    pub store: String,
    /// Bookings of the day whose guest came (checked in or passed a reader).
    pub arrivals: u32,
    /// Bookings of the day that ended without their guest, not cancelled.
    pub no_shows: u32,
    /// Guests who left after their booking ended, or are still in past it.
    pub overstays: u32,
    /// Unlocks staff pressed (SESAME or SPLATS) that went through.
    pub staff_unlocks: u32,
    pub sesame_calls: u32,
    pub splats_calls: u32,
}

/// Actors that are the app itself, not a person at the counter.
const NOT_STAFF: &[&str] = &["worker", "kiosk", "system", "poller"];

/// Each day from `since` to `until` (both `YYYY-MM-DD`, inclusive) that has anything.
pub fn daily(conn: &Connection, since: &str, until: &str, now: i64, lang: Lang) -> Result<Vec<DayReport>> {
    crate::platform::clock::day_start_ms(since, false)?;
    crate::platform::clock::day_start_ms(until, false)?;
    let mut rows: BTreeMap<(String, Option<String>), DayReport> = BTreeMap::new();
    let mut stmt = conn.prepare(&format!(
        "SELECT {day} AS day, g.store_id,
                SUM(g.checked_in_at IS NOT NULL OR g.first_scan_at IS NOT NULL),
                SUM(g.checked_in_at IS NULL AND g.first_scan_at IS NULL AND g.cancelled_at IS NULL
                    AND g.ends_at < ?3),
                SUM((g.checked_out_at IS NOT NULL AND g.checked_out_at > g.ends_at)
                    OR (g.checked_out_at IS NULL AND g.checked_in_at IS NOT NULL AND g.ends_at < ?3))
         FROM guests g
         WHERE {day} BETWEEN ?1 AND ?2
         GROUP BY day, g.store_id",
        day = jst::sql_day("g.starts_at"),
    ))?;
    let guests = stmt.query_map(params![since, until, now], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, u32>(2)?,
            r.get::<_, u32>(3)?,
            r.get::<_, u32>(4)?,
        ))
    })?;
    for g in guests {
        let (day, store, arrivals, no_shows, overstays) = g?;
        let row = rows.entry((day, Some(store))).or_default();
        (row.arrivals, row.no_shows, row.overstays) = (arrivals, no_shows, overstays);
    }
    let not_staff = serde_json::to_string(NOT_STAFF).unwrap_or_default();
    let mut stmt = conn.prepare(&format!(
        "SELECT {day} AS day, store_id, COUNT(*)
         FROM history_entries
         WHERE source = 'audit' AND event IN ('sesame.unlock', 'door.pass_unlock') AND ok = 1
           AND actor NOT IN (SELECT value FROM json_each(?3))
           AND at_ms >= {since} * 1000 AND at_ms < {until} * 1000
         GROUP BY day, store_id",
        day = jst::sql_day("at_ms / 1000"),
        since = jst::sql_start("?1"),
        until = jst::sql_start("?2, '+1 day'"),
    ))?;
    let unlocks = stmt.query_map(params![since, until, not_staff], |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, Option<String>>(1)?, r.get::<_, u32>(2)?))
    })?;
    for u in unlocks {
        let (day, store, n) = u?;
        rows.entry((day, store)).or_default().staff_unlocks = n;
    }
    let mut stmt = conn.prepare(
        "SELECT day, cloud, SUM(count) FROM api_calls_daily WHERE day BETWEEN ?1 AND ?2 GROUP BY day, cloud",
    )?;
    let calls = stmt.query_map(params![since, until], |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, u32>(2)?))
    })?;
    for c in calls {
        let (day, cloud, n) = c?;
        let row = rows.entry((day, None)).or_default();
        match cloud.as_str() {
            crate::desk::calls::meter::SESAME => row.sesame_calls = n,
            _ => row.splats_calls += n,
        }
    }
    let names: BTreeMap<String, String> =
        crate::desk::cache::list_stores(conn)?.into_iter().map(|s| (s.id, s.name)).collect();
    let facility = lang.pick("施設全体", "whole facility");
    Ok(rows
        .into_iter()
        .map(|((day, store_id), mut r)| {
            r.store = match &store_id {
                Some(id) => names.get(id).cloned().unwrap_or_else(|| id.clone()),
                None => facility.to_string(),
            };
            r.day = day;
            r.store_id = store_id;
            r
        })
        .collect())
}

pub fn headers(lang: Lang) -> [&'static str; 8] {
    match lang {
        Lang::Ja => [
            "日付",
            "店舗",
            "来店",
            "無断キャンセル",
            "超過",
            "スタッフの解錠",
            "SESAME 呼び出し",
            "SPLATS 呼び出し",
        ],
        Lang::En => [
            "Day",
            "Store",
            "Arrivals",
            "No-shows",
            "Overstays",
            "Staff unlocks",
            "SESAME calls",
            "SPLATS calls",
        ],
    }
}

/// A row's cells as shown: the facility's row has calls only; a store's has no calls
/// of its own.
pub fn cells(r: &DayReport) -> [String; 8] {
    let (store, facility) = (r.store_id.is_some(), r.store_id.is_none());
    let n = |v: u32, shown: bool| if shown { v.to_string() } else { String::new() };
    [
        r.day.clone(),
        r.store.clone(),
        n(r.arrivals, store),
        n(r.no_shows, store),
        n(r.overstays, store),
        n(r.staff_unlocks, store),
        n(r.sesame_calls, facility),
        n(r.splats_calls, facility),
    ]
}

/// The report as Excel-ready CSV, the same columns as the window.
pub fn csv(rows: &[DayReport], lang: Lang) -> Result<Vec<u8>> {
    let cells: Vec<[String; 8]> = rows.iter().map(cells).collect();
    export::csv(&headers(lang), cells.iter().map(|r| r.iter().map(String::as_str)))
}

/// Writes the report for `since`..=`until` to `path` as CSV and audits it.
#[allow(clippy::too_many_arguments)] // one use case: the range, the file, who and in which language
pub fn to_file(
    db: &crate::platform::db::Db,
    since: &str,
    until: &str,
    now: i64,
    path: &std::path::Path,
    lang: Lang,
    actor: &str,
) -> Result<export::Exported> {
    let rows = db.read_now(|c| daily(c, since, until, now, lang))?;
    let detail = serde_json::json!({ "report": true, "since": since, "until": until });
    export::deliver(db, path, &csv(&rows, lang)?, rows.len(), detail, actor)
}
