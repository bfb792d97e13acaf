//! The app against a blank Tauri window, measured from outside on this machine:
//! `make bench` builds both in release (the blank one from the workspace's lock file)
//! and runs this under Xvfb with a keyring. Each figure is taken for both, runs
//! interleaved, and written to docs/PERFORMANCE.md between its markers:
//!
//! - cold start: process spawned → its page says it has painted (the app: the guest
//!   list of the first store, with the demo data; the blank one: its one line);
//! - PSS (proportional set size) of the process and every process it started (WebKit's
//!   web and network processes), after 20 s idle;
//! - CPU used while idle for 60 s (user + system ticks of them all), scaled to an hour.

#[path = "../../../crates/core/benches/support/mod.rs"]
mod support;

use std::path::Path;
use std::time::Duration;
use uketsuke_e2e::procs::{end, family, pss, pss_mb, release_binary, spawn_until_painted, ticks};
use uketsuke_e2e::{sync_setup, test_config, write_config};
use uketsuke_sim::{Sim, SimConfig};

const RUNS: usize = 3;
const IDLE_SETTLE: Duration = Duration::from_secs(20);
const IDLE_CPU: Duration = Duration::from_secs(60);

struct Run {
    start_ms: f64,
    pss_kb: Vec<(String, u64)>,
    idle_cpu_secs_per_hour: f64,
}

/// Spawns, waits for the page to say it painted, lets it idle, measures, ends it.
fn measure(program: &Path, args: &[&str]) -> Run {
    let (child, took) = spawn_until_painted(program, args);
    let start_ms = took.as_secs_f64() * 1000.0;
    std::thread::sleep(IDLE_SETTLE);
    let pids = family(child.id());
    let pss_kb = pss(&pids);
    let before = ticks(&pids);
    std::thread::sleep(IDLE_CPU);
    let used = ticks(&family(child.id())).saturating_sub(before);
    let hz = 100.0; // USER_HZ on Linux
    let idle_cpu_secs_per_hour = used as f64 / hz * (3600.0 / IDLE_CPU.as_secs_f64());
    end(child);
    Run { start_ms, pss_kb, idle_cpu_secs_per_hour }
}

#[tokio::main]
async fn main() {
    let app = release_binary("uketsuke-app");
    let blank = release_binary("uketsuke-blank-window");
    assert!(app.exists() && blank.exists(), "build both in release first (make bench does)");
    let sim = Sim::start(SimConfig::default()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let c = test_config(dir.path(), "jp.uketsuke.bench-window");
    let config = write_config(&c, dir.path());
    sync_setup(&c, &sim, false).await;
    let config_arg = config.display().to_string();

    let (mut apps, mut blanks) = (Vec::new(), Vec::new());
    for i in 0..RUNS {
        eprintln!("run {}/{RUNS}", i + 1);
        let a = tokio::task::block_in_place(|| measure(&app, &["--config", &config_arg]));
        let b = tokio::task::block_in_place(|| measure(&blank, &[]));
        eprintln!(
            "  app {:.0} ms {:.0} MB; blank {:.0} ms {:.0} MB",
            a.start_ms,
            pss_mb(&a.pss_kb).0,
            b.start_ms,
            pss_mb(&b.pss_kb).0
        );
        apps.push(a);
        blanks.push(b);
    }
    let row = |label: &str, f: &dyn Fn(&Run) -> f64, unit: &str, digits: usize| {
        let (am, alo, ahi) = support::spread(apps.iter().map(f).collect());
        let (bm, blo, bhi) = support::spread(blanks.iter().map(f).collect());
        let ratio = if bm > 0.0 { format!("{:.2} ×", am / bm) } else { "—".into() };
        format!(
            "| {label} | {am:.digits$} {unit} ({alo:.digits$}–{ahi:.digits$}) | {bm:.digits$} {unit} ({blo:.digits$}–{bhi:.digits$}) | {ratio} |\n"
        )
    };
    let mut table = String::new();
    table.push_str(&format!(
        "Machine: {}, Xvfb 1280×800. Release builds; {RUNS} runs each, interleaved; median (lowest–highest).\n\n",
        support::machine()
    ));
    table.push_str("| figure | app | blank window | ratio |\n|---|---|---|---|\n");
    table.push_str(&row("cold start → painted", &|r| r.start_ms, "ms", 0));
    table.push_str(&row("PSS, all processes, idle", &|r| pss_mb(&r.pss_kb).0, "MB", 0));
    table.push_str(&row("PSS, own process", &|r| pss_mb(&r.pss_kb).1, "MB", 0));
    table.push_str(&row("PSS, WebKit web process", &|r| pss_mb(&r.pss_kb).2, "MB", 0));
    table.push_str(&row("PSS, WebKit network process", &|r| pss_mb(&r.pss_kb).3, "MB", 0));
    table.push_str(&row("CPU while idle, per hour", &|r| r.idle_cpu_secs_per_hour, "s", 1));
    print!("{table}");
    support::write_section("window", &table);
}
