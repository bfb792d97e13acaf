//! Reading the time line: filters, newest first, paged by a keyset cursor so that page
//! 500 costs what page 1 does, each entry with the names of its store, area and guest
//! and its words in the user's language.

use super::labels;
use crate::platform::db::Connection;
use crate::platform::error::Result;
use crate::Lang;
use rusqlite::types::Value as SqlValue;
use serde::{Deserialize, Serialize};

/// The largest page the window or the CLI asks for at once.
pub const MAX_PAGE: u32 = 1_000;

/// Where the next (older) page starts: strictly before this entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct Cursor {
    pub at_ms: i64,
    pub id: i64,
}

/// What to show. Every field narrows; none set shows everything.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[serde(default)]
pub struct HistoryFilter {
    pub store_id: Option<String>,
    pub area_id: Option<String>,
    pub guest_id: Option<String>,
    /// Staff name as entered at the counter (`担当`), exactly.
    pub actor: Option<String>,
    /// `access`, `door`, `guest`, `key`, `member`, `settings`, `sync`, `alert`, `kiosk`.
    pub kind: Option<String>,
    /// `splats`, `sesame`, `audit`.
    pub source: Option<String>,
    /// From this Japan day and until this one, both included (`YYYY-MM-DD`).
    pub since: Option<String>,
    pub until: Option<String>,
    pub before: Option<Cursor>,
    /// Entries per page (default 100, at most [`MAX_PAGE`]).
    pub limit: Option<u32>,
}

/// One entry as shown: the ids for links and the words for people.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct HistoryEntry {
    pub id: i64,
    pub at_ms: i64,
    pub store_id: Option<String>,
    pub area_id: Option<String>,
    pub guest_id: Option<String>,
    pub ok: bool,
    /// `YYYY-MM-DD HH:MM:SS` in Japan time.
    pub time: String,
    pub source: String,
    pub kind: String,
    pub event: String,
    pub store: String,
    pub area: String,
    pub guest: String,
    pub actor: String,
    pub device: String,
    pub outcome: String,
}

impl HistoryEntry {
    /// The columns shown, in order; the CSV has exactly these.
    pub fn cells(&self) -> [&str; 10] {
        [
            &self.time,
            &self.source,
            &self.kind,
            &self.event,
            &self.store,
            &self.area,
            &self.guest,
            &self.actor,
            &self.device,
            &self.outcome,
        ]
    }

    pub fn headers(lang: Lang) -> [&'static str; 10] {
        match lang {
            Lang::Ja => {
                ["日時", "記録元", "種類", "内容", "店舗", "エリア", "お客様", "担当", "機器", "結果"]
            }
            Lang::En => {
                ["Time", "Source", "Kind", "What", "Store", "Area", "Guest", "Staff", "Device", "Result"]
            }
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct HistoryPage {
    pub entries: Vec<HistoryEntry>,
    /// Set when older entries remain.
    pub next: Option<Cursor>,
}

/// One page of the time line, newest first.
pub fn page(conn: &Connection, filter: &HistoryFilter, lang: Lang) -> Result<HistoryPage> {
    let limit = filter.limit.unwrap_or(100).clamp(1, MAX_PAGE);
    let mut sql = String::from(
        "SELECT h.id, h.at_ms, h.source, h.kind, h.event, h.store_id, s.name, h.area_id, a.name,
                h.guest_id, g.name, h.actor, h.device, h.ok, h.pc
         FROM history_entries h
         LEFT JOIN stores s ON s.id = h.store_id
         LEFT JOIN areas a ON a.id = h.area_id
         LEFT JOIN guests g ON g.id = h.guest_id
         WHERE 1 = 1",
    );
    let mut args: Vec<SqlValue> = Vec::new();
    let mut eq = |column: &str, v: &Option<String>| {
        if let Some(v) = v.as_ref().filter(|v| !v.is_empty()) {
            sql.push_str(&format!(" AND h.{column} = ?"));
            args.push(SqlValue::Text(v.clone()));
        }
    };
    eq("store_id", &filter.store_id);
    eq("area_id", &filter.area_id);
    eq("guest_id", &filter.guest_id);
    eq("actor", &filter.actor);
    eq("kind", &filter.kind);
    eq("source", &filter.source);
    if let Some(day) = filter.since.as_deref().filter(|d| !d.is_empty()) {
        sql.push_str(" AND h.at_ms >= ?");
        args.push(SqlValue::Integer(crate::platform::clock::day_start_ms(day, false)?));
    }
    if let Some(day) = filter.until.as_deref().filter(|d| !d.is_empty()) {
        sql.push_str(" AND h.at_ms < ?");
        args.push(SqlValue::Integer(crate::platform::clock::day_start_ms(day, true)?));
    }
    if let Some(c) = filter.before {
        sql.push_str(" AND (h.at_ms, h.id) < (?, ?)");
        args.push(SqlValue::Integer(c.at_ms));
        args.push(SqlValue::Integer(c.id));
    }
    sql.push_str(" ORDER BY h.at_ms DESC, h.id DESC LIMIT ?");
    args.push(SqlValue::Integer(i64::from(limit) + 1));
    let mut stmt = conn.prepare_cached(&sql)?;
    let mut entries: Vec<HistoryEntry> = stmt
        .query_map(rusqlite::params_from_iter(args), |r| {
            let text = |i: usize| r.get::<_, Option<String>>(i).map(Option::unwrap_or_default);
            let (source, kind, event): (String, String, String) = (r.get(2)?, r.get(3)?, r.get(4)?);
            let ok: bool = r.get(13)?;
            let at_ms: i64 = r.get(1)?;
            Ok(HistoryEntry {
                id: r.get(0)?,
                at_ms,
                store_id: r.get(5)?,
                area_id: r.get(7)?,
                guest_id: r.get(9)?,
                ok,
                time: crate::platform::clock::format_jst(at_ms.div_euclid(1000)),
                kind: labels::kind(&kind, lang),
                event: labels::event(&source, &event, lang),
                source: labels::source(&source, lang),
                store: text(6)?,
                area: text(8)?,
                guest: text(10)?,
                // Another PC's staff (facility mode): which PC they worked at.
                actor: match r.get::<_, Option<String>>(14)? {
                    Some(pc) if source == "audit" => format!("{} ({pc})", text(11)?),
                    _ => text(11)?,
                },
                device: text(12)?,
                outcome: labels::outcome(ok, lang),
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    let next = if entries.len() > limit as usize {
        entries.truncate(limit as usize);
        entries.last().map(|e| Cursor { at_ms: e.at_ms, id: e.id })
    } else {
        None
    };
    Ok(HistoryPage { entries, next })
}
