//! SPLATS history ingest: `cargo bench -p uketsuke-core --bench splats`.
//!
//! - ingest: 10,000 histories written into a SQLite file in pages of 1,000, one
//!   transaction per page with the cursor update, exactly as a sync does.
//! - sync: the same 10,000 pulled from the simulator over loopback HTTP and ingested
//!   (JSON parsing and paging included; no rate limit).
//!
//! Prints histories per second (median of several runs, with the spread) for each and
//! writes them to docs/PERFORMANCE.md.

mod support;

use std::time::{Duration, Instant};
use uketsuke_core::clouds::splats::model::History;
use uketsuke_core::clouds::splats::SplatsClient;
use uketsuke_core::desk::history::splats as history;
use uketsuke_core::{platform::clock, platform::db};

const N: usize = 10_000;
const RUNS: usize = 5;

fn histories(start: i64) -> Vec<History> {
    (0..N)
        .map(|i| {
            serde_json::from_value(serde_json::json!({
                "history_id": format!("h-{i:08}-bench"),
                "datetime": clock::iso_jst(start + i as i64),
                "event": "qr_auth_success", "event_name": "QR認証成功", "status": "occur", "category": "normal",
                "device_id": "pc-0001", "device_name": "会議室A パスコントローラー", "device_module": "pass_controller",
                "member_id": format!("m-{i}"), "additional_info": {}
            }))
            .unwrap()
        })
        .collect()
}

/// A table cell: histories per second, median (lowest–highest) over the runs.
fn rate(runs: &[Duration]) -> String {
    let (m, lo, hi) = support::spread(runs.iter().map(|d| N as f64 / d.as_secs_f64()).collect());
    format!("{m:.0} histories/s ({lo:.0}–{hi:.0})")
}

fn bench_ingest() -> String {
    let rows = histories(1_700_000_000);
    let mut runs = Vec::new();
    for _ in 0..RUNS {
        let dir = tempfile::tempdir().unwrap();
        let mut conn = db::open(&dir.path().join("bench.sqlite3")).unwrap();
        let t = Instant::now();
        for page in rows.chunks(1000) {
            let tx = conn.transaction().unwrap();
            history::insert(&tx, page).unwrap();
            tx.execute("UPDATE splats_history_cursor SET pages = pages + 1", []).unwrap();
            tx.commit().unwrap();
        }
        runs.push(t.elapsed());
        assert_eq!(history::count(&conn).unwrap(), N as i64);
    }
    format!(
        "| ingest into SQLite (pages of 1,000 with the cursor, indexed into the time line) | {} |\n",
        rate(&runs)
    )
}

async fn bench_sync() -> String {
    let mut runs = Vec::new();
    for _ in 0..RUNS {
        let sim = uketsuke_sim::Sim::start(uketsuke_sim::SimConfig::default()).await.unwrap();
        {
            let mut w = sim.state.world.lock().unwrap();
            w.splats.histories.clear();
            w.splats.generate_histories(N, clock::now_unix() - 86_400, 5);
            w.splats.limits.enabled = false;
        }
        let dir = tempfile::tempdir().unwrap();
        let shared = db::Db::open(&dir.path().join("bench.sqlite3")).unwrap();
        let client = SplatsClient::new(&sim.splats_url(), uketsuke_sim::splats::DEMO_TOKEN.into());
        let opts = history::Options::from(&uketsuke_core::platform::config::SplatsConfig::default());
        let t = Instant::now();
        let r = history::sync(&shared, &client, &opts, clock::now_unix()).await.unwrap();
        runs.push(t.elapsed());
        assert_eq!(r.inserted, N);
    }
    format!("| sync from the simulator over loopback (JSON + paging + ingest) | {} |\n", rate(&runs))
}

fn main() {
    if !support::benching("`cargo bench -p uketsuke-core --bench splats`") {
        return;
    }
    let mut table = format!(
        "Machine: {}. Release build; {N} histories, {RUNS} runs; median (lowest–highest).\n\n| step | rate |\n|---|---|\n",
        support::machine()
    );
    table += &bench_ingest();
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    table += &rt.block_on(bench_sync());
    print!("{table}");
    support::write_section("splats", &table);
}
