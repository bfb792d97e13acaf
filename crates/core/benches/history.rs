//! History and audit at scale: `cargo bench -p uketsuke-core --bench history`.
//!
//! - verify: 1,000,000 audit rows written through `audit::record` (hash-chained and
//!   indexed, as the app writes them), then `chain::verify` over all of them.
//! - filter: 1,000,000 time-line rows over 10,000 guests; the newest page (100) of one
//!   guest, and every row of one guest, with the guest index and, as the baseline in the
//!   same run, without it (the index dropped).
//!
//! Prints medians with their spread and writes them to docs/PERFORMANCE.md.

mod support;

use std::time::{Duration, Instant};
use uketsuke_core::desk::audit::{self, chain, AuditEvent};
use uketsuke_core::desk::history::{self, export, HistoryFilter};
use uketsuke_core::{platform::db, Lang};

const ROWS: i64 = 1_000_000;
const GUESTS: i64 = 10_000;

/// "median (lowest–highest)" in one unit.
fn cell(runs: &[Duration], unit: fn(Duration) -> f64, name: &str, digits: usize) -> String {
    let (m, lo, hi) = support::spread_of(runs, unit);
    format!("{m:.digits$} {name} ({lo:.digits$}–{hi:.digits$})")
}

fn verify(dir: &std::path::Path) -> String {
    let db = db::Db::open(&dir.join("audit.sqlite3")).unwrap();
    let started = Instant::now();
    db.write_now(|c| {
        let tx = c.transaction()?;
        for i in 0..ROWS {
            let mut e = AuditEvent::new("受付 佐藤", "sesame.unlock", Some("area:A101"), i % 13 != 0)
                .with_detail(serde_json::json!({ "uuid": "11111111-2222-3333-4444-555555555555" }));
            e.at_ms = 1_790_000_000_000 + i * 30_000;
            audit::record(&tx, &e)?;
        }
        tx.commit()?;
        Ok(())
    })
    .unwrap();
    let written = started.elapsed();
    let runs: Vec<Duration> = (0..3)
        .map(|_| {
            let t = Instant::now();
            let v = db.read_now(chain::verify).unwrap();
            assert_eq!((v.rows, v.broken), (ROWS as u64, None));
            t.elapsed()
        })
        .collect();
    let (m, _, _) = support::spread_of(&runs, |d| d.as_secs_f64());
    format!(
        "| write {ROWS} audit rows through `audit::record` (chained, indexed), one transaction | {:.1} s ({:.0} rows/s) |\n\
         | **verify {ROWS} audit rows** (`chain::verify`), 3 runs | **{}** ({:.0} rows/s) |\n",
        written.as_secs_f64(),
        ROWS as f64 / written.as_secs_f64(),
        cell(&runs, |d| d.as_secs_f64(), "s", 2),
        ROWS as f64 / m
    )
}

fn filled(dir: &std::path::Path) -> db::Db {
    let db = db::Db::open(&dir.join("history.sqlite3")).unwrap();
    db.write_now(|c| {
        let tx = c.transaction()?;
        tx.execute("INSERT INTO stores (id, name, source, active, updated_at) VALUES ('S001', '渋谷店', 'manual', 1, 0)", [])?;
        {
            let mut g = tx.prepare(
                "INSERT INTO guests (id, store_id, name, starts_at, ends_at, source, updated_at)
                 VALUES (?1, 'S001', ?2, 0, 3600, 'walk_in', 0)",
            )?;
            for i in 0..GUESTS {
                g.execute(rusqlite::params![format!("G{i:05}"), format!("お客様 {i}")])?;
            }
            let mut h = tx.prepare(
                "INSERT INTO history_entries (at_ms, source, ref, kind, event, store_id, area_id, guest_id, actor, device, ok)
                 VALUES (?1, 'splats', ?2, 'access', 'QR認証成功', 'S001', NULL, ?3, NULL, '会議室A', 1)",
            )?;
            for i in 0..ROWS {
                // Guests' rows spread over a month, interleaved as a real log is.
                h.execute(rusqlite::params![1_790_000_000_000 + i * 2_600, format!("h{i}"), format!("G{:05}", (i * 7919) % GUESTS)])?;
            }
        }
        tx.commit()?;
        Ok(())
    })
    .unwrap();
    db
}

fn filter(db: &db::Db, label: &str) -> String {
    let page: Vec<Duration> = (0..200)
        .map(|i| {
            let f = HistoryFilter {
                guest_id: Some(format!("G{:05}", i * 37)),
                limit: Some(100),
                ..Default::default()
            };
            let t = Instant::now();
            let p = db.read_now(|c| history::page(c, &f, Lang::Ja)).unwrap();
            assert_eq!(p.entries.len(), 100);
            t.elapsed()
        })
        .collect();
    let all: Vec<Duration> = (0..20)
        .map(|i| {
            let f = HistoryFilter { guest_id: Some(format!("G{:05}", i * 101)), ..Default::default() };
            let t = Instant::now();
            let rows = db.read_now(|c| export::entries(c, &f, Lang::Ja)).unwrap();
            assert_eq!(rows.len(), (ROWS / GUESTS) as usize);
            t.elapsed()
        })
        .collect();
    let unit: fn(Duration) -> f64 = if label.is_empty() { support::us } else { support::ms };
    let name = if label.is_empty() { "µs" } else { "ms" };
    format!(
        "| filter {ROWS} time-line rows by guest{label}: newest page of 100, 200 guests | {} |\n\
         | every row of one guest ({}){label}, 20 guests | {} |\n",
        cell(&page, unit, name, 0),
        ROWS / GUESTS,
        cell(&all, unit, name, 0)
    )
}

fn main() {
    if !support::benching("`cargo bench -p uketsuke-core --bench history`") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let mut table = format!(
        "Machine: {}. Release build; median (lowest–highest).\n\n| what | figure |\n|---|---|\n",
        support::machine()
    );
    table += &verify(dir.path());
    let db = filled(dir.path());
    table += &filter(&db, "");
    db.write_now(|c| Ok(c.execute_batch("DROP INDEX history_by_guest; ANALYZE;")?)).unwrap();
    table += &filter(&db, " — baseline, same run: the guest index dropped");
    print!("{table}");
    support::write_section("history", &table);
}
