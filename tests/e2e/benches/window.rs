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

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use uketsuke_e2e::{sync_setup, test_config, write_config};
use uketsuke_sim::{Sim, SimConfig};

const RUNS: usize = 3;
const IDLE_SETTLE: Duration = Duration::from_secs(20);
const IDLE_CPU: Duration = Duration::from_secs(60);

fn release(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/release").join(name)
}

/// Every process descending from `root`, itself included.
fn family(root: u32) -> Vec<u32> {
    let parents: Vec<(u32, u32)> = std::fs::read_dir("/proc")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let pid: u32 = e.file_name().to_str()?.parse().ok()?;
            let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
            let after = stat.rsplit_once(") ")?.1;
            let ppid: u32 = after.split_whitespace().nth(1)?.parse().ok()?;
            Some((pid, ppid))
        })
        .collect();
    let mut out = vec![root];
    let mut i = 0;
    while i < out.len() {
        let p = out[i];
        out.extend(parents.iter().filter(|(_, pp)| *pp == p).map(|(c, _)| *c));
        i += 1;
    }
    out
}

/// PSS in kB of each process: (name, kB).
fn pss(pids: &[u32]) -> Vec<(String, u64)> {
    pids.iter()
        .filter_map(|pid| {
            let name = std::fs::read_to_string(format!("/proc/{pid}/comm")).ok()?.trim().to_string();
            let rollup = std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup")).ok()?;
            let kb =
                rollup.lines().find(|l| l.starts_with("Pss:"))?.split_whitespace().nth(1)?.parse().ok()?;
            Some((name, kb))
        })
        .collect()
}

/// User + system clock ticks used so far by these processes.
fn ticks(pids: &[u32]) -> u64 {
    pids.iter()
        .filter_map(|pid| {
            let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
            let f: Vec<&str> = stat.rsplit_once(") ")?.1.split_whitespace().collect();
            Some(f.get(11)?.parse::<u64>().ok()? + f.get(12)?.parse::<u64>().ok()?)
        })
        .sum()
}

struct Run {
    start_ms: f64,
    pss_kb: Vec<(String, u64)>,
    idle_cpu_secs_per_hour: f64,
}

/// Spawns, waits for the page to say it painted, lets it idle, measures, ends it.
fn measure(program: &Path, args: &[&str]) -> Run {
    let started = Instant::now();
    let mut child: Child = Command::new(program)
        .args(args)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the program starts");
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if line.contains("UKETSUKE_PAINTED") {
                let _ = tx.send(());
            }
        }
    });
    rx.recv_timeout(Duration::from_secs(60)).expect("the page painted");
    let start_ms = started.elapsed().as_secs_f64() * 1000.0;
    std::thread::sleep(IDLE_SETTLE);
    let pids = family(child.id());
    let pss_kb = pss(&pids);
    let before = ticks(&pids);
    std::thread::sleep(IDLE_CPU);
    let used = ticks(&family(child.id())).saturating_sub(before);
    let hz = 100.0; // USER_HZ on Linux
    let idle_cpu_secs_per_hour = used as f64 / hz * (3600.0 / IDLE_CPU.as_secs_f64());
    let _ = child.kill();
    let _ = child.wait();
    // WebKit's helpers end with their parent; give them a moment.
    std::thread::sleep(Duration::from_secs(2));
    Run { start_ms, pss_kb, idle_cpu_secs_per_hour }
}

fn median(mut v: Vec<f64>) -> (f64, f64, f64) {
    v.sort_by(f64::total_cmp);
    (v[v.len() / 2], v[0], v[v.len() - 1])
}

fn total_mb(r: &Run) -> f64 {
    r.pss_kb.iter().map(|(_, kb)| *kb).sum::<u64>() as f64 / 1024.0
}

fn part_mb(r: &Run, pick: impl Fn(&str) -> bool) -> f64 {
    r.pss_kb.iter().filter(|(n, _)| pick(n)).map(|(_, kb)| *kb).sum::<u64>() as f64 / 1024.0
}

fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|c| {
            c.lines()
                .find(|l| l.starts_with("model name"))
                .map(|l| l.split(':').nth(1).unwrap_or("").trim().to_string())
        })
        .unwrap_or_default();
    let mem = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|m| {
            m.lines().next().map(|l| l.split_whitespace().nth(1).unwrap_or("0").parse::<u64>().unwrap_or(0))
        })
        .unwrap_or(0);
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0);
    format!("{cores} cores ({cpu}), {:.0} GiB, Xvfb 1280×800", mem as f64 / 1024.0 / 1024.0)
}

#[tokio::main]
async fn main() {
    let app = release("uketsuke-app");
    let blank = release("uketsuke-blank-window");
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
            total_mb(&a),
            b.start_ms,
            total_mb(&b)
        );
        apps.push(a);
        blanks.push(b);
    }
    let row = |label: &str, f: &dyn Fn(&Run) -> f64, unit: &str, digits: usize| {
        let (am, alo, ahi) = median(apps.iter().map(f).collect());
        let (bm, blo, bhi) = median(blanks.iter().map(f).collect());
        let ratio = if bm > 0.0 { format!("{:.2} ×", am / bm) } else { "—".into() };
        format!(
            "| {label} | {am:.digits$} {unit} ({alo:.digits$}–{ahi:.digits$}) | {bm:.digits$} {unit} ({blo:.digits$}–{bhi:.digits$}) | {ratio} |\n"
        )
    };
    let web = |n: &str| n.starts_with("WebKitWebProces");
    let net = |n: &str| n.starts_with("WebKitNetworkPr");
    let mut table = String::new();
    table.push_str(&format!(
        "Machine: {}. Release builds; {RUNS} runs each, interleaved; median (lowest–highest).\n\n",
        machine()
    ));
    table.push_str("| figure | app | blank window | ratio |\n|---|---|---|---|\n");
    table.push_str(&row("cold start → painted", &|r| r.start_ms, "ms", 0));
    table.push_str(&row("PSS, all processes, idle", &total_mb, "MB", 0));
    table.push_str(&row("PSS, own process", &|r| part_mb(r, |n| !web(n) && !net(n)), "MB", 0));
    table.push_str(&row("PSS, WebKit web process", &|r| part_mb(r, web), "MB", 0));
    table.push_str(&row("PSS, WebKit network process", &|r| part_mb(r, net), "MB", 0));
    table.push_str(&row("CPU while idle, per hour", &|r| r.idle_cpu_secs_per_hour, "s", 1));
    print!("{table}");
    write_section(&table);
}

/// Replaces the text between the markers in docs/PERFORMANCE.md.
fn write_section(table: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/PERFORMANCE.md");
    let doc = std::fs::read_to_string(&path).unwrap();
    let (begin, end) = ("<!-- window:begin -->", "<!-- window:end -->");
    let (Some(a), Some(b)) = (doc.find(begin), doc.find(end)) else {
        eprintln!("docs/PERFORMANCE.md has no {begin} … {end} markers; not written");
        return;
    };
    let out = format!("{}{begin}\n{table}{}", &doc[..a], &doc[b..]);
    std::fs::write(&path, out).unwrap();
}
