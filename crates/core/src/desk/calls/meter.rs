//! The call meter: SESAME calls are paid per month, so every one is counted in SQLite
//! before it is made, and automatic polling stops at the budget the manager set.

use crate::clouds::splats::ledger::Pending;
use crate::platform::error::Result;
use rusqlite::{params, Connection};
use serde::Serialize;

pub const SESAME: &str = "sesame";
pub const SPLATS: &str = "splats";

/// What a call was for. Polls are counted apart so that their budget can be enforced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallKind {
    Status,
    History,
    Command,
    Poll,
}

impl CallKind {
    pub fn as_str(self) -> &'static str {
        match self {
            CallKind::Status => "status",
            CallKind::History => "history",
            CallKind::Command => "cmd",
            CallKind::Poll => "poll",
        }
    }
}

/// `YYYY-MM` of a Unix time in Japan, where the facility (and its bill) is.
pub fn month_of(unix: i64) -> String {
    crate::platform::jst::JstDay::of(unix).month()
}

pub fn count(conn: &Connection, cloud: &str, kind: CallKind, now: i64) -> Result<()> {
    // The month's count and the day's in one commit (two would write the log twice).
    crate::platform::db::atomically(conn, || {
        conn.prepare_cached(
            "INSERT INTO api_calls (cloud, month, kind, count) VALUES (?1, ?2, ?3, 1)
             ON CONFLICT(cloud, month, kind) DO UPDATE SET count = count + 1",
        )?
        .execute(params![cloud, month_of(now), kind.as_str()])?;
        count_day(conn, cloud, kind.as_str(), now)
    })
}

/// `YYYY-MM-DD` of a Unix time in Japan.
pub fn day_of(unix: i64) -> String {
    chrono::DateTime::from_timestamp(unix, 0)
        .map(|t| t.with_timezone(&crate::platform::clock::jst()).format("%Y-%m-%d").to_string())
        .unwrap_or_else(|| "1970-01-01".into())
}

/// One call on its day, for the daily reports (SPLATS calls are counted only here:
/// they are not billed, only rate-limited).
pub fn count_day(conn: &Connection, cloud: &str, kind: &str, now: i64) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO api_calls_daily (cloud, day, kind, count) VALUES (?1, ?2, ?3, 1)
         ON CONFLICT(cloud, day, kind) DO UPDATE SET count = count + 1",
    )?
    .execute(params![cloud, day_of(now), kind])?;
    Ok(())
}

/// The other PCs' calls today of one cloud and kind (facility mode; 0 otherwise), as
/// last read from the facility's meter.
pub fn others_today(conn: &Connection, cloud: &str, kind: &str, now: i64) -> Result<u64> {
    let n: i64 = conn.query_row(
        "SELECT COALESCE(SUM(count), 0) FROM facility_meter_others WHERE cloud = ?1 AND day = ?2 AND kind = ?3",
        params![cloud, day_of(now), kind],
        |r| r.get(0),
    )?;
    Ok(n.max(0) as u64)
}

/// Calls this month, in all and by kind.
#[derive(Debug, Clone, Default, PartialEq, Serialize, ts_rs::TS)]
pub struct Usage {
    pub month: String,
    pub total: u64,
    pub polls: u64,
    pub commands: u64,
    pub allowance: u32,
    pub poll_budget: u32,
}

pub fn usage(conn: &Connection, cloud: &str, now: i64, allowance: u32, poll_budget: u32) -> Result<Usage> {
    let month = month_of(now);
    let mut u = Usage { month: month.clone(), allowance, poll_budget, ..Usage::default() };
    // In facility mode the other PCs' calls on the same account count too
    // (`facility::meter`); without a facility that table is empty.
    let mut stmt = conn.prepare(
        "SELECT kind, count FROM api_calls WHERE cloud = ?1 AND month = ?2
         UNION ALL
         SELECT kind, count FROM facility_meter_others WHERE cloud = ?1 AND substr(day, 1, 7) = ?2",
    )?;
    let rows =
        stmt.query_map(params![cloud, month], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))?;
    for row in rows {
        let (kind, n) = row?;
        let n = n.max(0) as u64;
        u.total += n;
        if kind == CallKind::Poll.as_str() {
            u.polls += n;
        }
        if kind == CallKind::Command.as_str() {
            u.commands += n;
        }
    }
    Ok(u)
}

impl Usage {
    /// Whether `n` more automatic polls fit in both the poll budget and the allowance.
    pub fn polls_fit(&self, n: u64) -> bool {
        self.polls + n <= self.poll_budget as u64 && self.total + n <= self.allowance as u64
    }
}

/// The SPLATS client's ledger is this database: calls counted in `api_calls_daily`,
/// the other PCs' read from the facility's meter, rate-limit resets in the meta table.
impl crate::clouds::splats::CallLedger for crate::platform::db::Db {
    fn count(&self, kind: &'static str, now: i64) -> Pending<'_, ()> {
        Box::pin(self.write(move |c| count_day(c, SPLATS, kind, now)))
    }

    fn others_today(&self, kind: &'static str, now: i64) -> Pending<'_, u64> {
        Box::pin(self.read(move |c| others_today(c, SPLATS, kind, now)))
    }

    fn keep(&self, key: String, value: String) -> Pending<'_, ()> {
        Box::pin(self.write(move |c| crate::platform::db::set_meta(c, &key, &value)))
    }

    fn kept(&self, key: String) -> Pending<'_, Option<String>> {
        Box::pin(self.read(move |c| crate::platform::db::get_meta(c, &key)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_are_japanese_months() {
        // 2026-10-31 15:30 UTC is already November in Tokyo.
        assert_eq!(month_of(1_793_460_600), "2026-11");
    }

    #[test]
    fn counts_per_month_and_kind() {
        let conn = crate::platform::db::open_in_memory().unwrap();
        let now = 1_793_460_600;
        count(&conn, SESAME, CallKind::Command, now).unwrap();
        count(&conn, SESAME, CallKind::Poll, now).unwrap();
        count(&conn, SESAME, CallKind::Poll, now).unwrap();
        count(&conn, SESAME, CallKind::Status, now - 40 * 86_400).unwrap(); // last month
        let u = usage(&conn, SESAME, now, 3000, 2).unwrap();
        assert_eq!((u.total, u.polls, u.commands), (3, 2, 1));
        assert!(!u.polls_fit(1), "the poll budget of 2 is used up");
        assert!(usage(&conn, SESAME, now, 3, 10).unwrap().polls_fit(0));
        assert!(!usage(&conn, SESAME, now, 3, 10).unwrap().polls_fit(1), "the allowance is used up");
    }
}
