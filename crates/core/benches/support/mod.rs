//! What every bench shares: the machine described in one line, a median with its
//! spread, and writing a bench's figures into docs/PERFORMANCE.md between its
//! `<!-- name:begin -->` and `<!-- name:end -->` markers, so `make bench` regenerates
//! every figure there and the prose around them stays as written.
//!
//! Included by path from the window benches in tests/e2e too.

#![allow(dead_code)] // each bench uses part of it

use std::path::Path;
use std::time::Duration;

/// Whether this run is `cargo bench` (which passes `--bench`): `cargo test --benches`
/// runs every bench binary without it, and must stay quick, so then this says how to
/// run the bench and returns false.
pub fn benching(how: &str) -> bool {
    let benching = std::env::args().any(|a| a == "--bench");
    if !benching {
        println!("run with {how}");
    }
    benching
}

/// Cores, CPU model and memory of this machine, and the day (JST) of the run.
pub fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|c| {
            c.lines()
                .find(|l| l.starts_with("model name"))
                .map(|l| l.split(':').nth(1).unwrap_or("").trim().to_string())
        })
        .unwrap_or_default();
    let kb = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|m| m.lines().next()?.split_whitespace().nth(1)?.parse::<u64>().ok())
        .unwrap_or(0);
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0);
    let day = uketsuke_core::platform::clock::iso_jst(uketsuke_core::platform::clock::now_unix());
    format!("{cores} cores ({cpu}), {:.0} GiB; run {}", kb as f64 / 1024.0 / 1024.0, &day[..10])
}

/// (median, lowest, highest).
pub fn spread(mut v: Vec<f64>) -> (f64, f64, f64) {
    v.sort_by(f64::total_cmp);
    (v[v.len() / 2], v[0], v[v.len() - 1])
}

/// Durations as (median, lowest, highest) in one unit.
pub fn spread_of(v: &[Duration], unit: fn(Duration) -> f64) -> (f64, f64, f64) {
    spread(v.iter().map(|d| unit(*d)).collect())
}

pub fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

pub fn us(d: Duration) -> f64 {
    d.as_secs_f64() * 1_000_000.0
}

/// Replaces the text between `<!-- {name}:begin -->` and `<!-- {name}:end -->` in
/// docs/PERFORMANCE.md with `body`. A document without the markers is left alone.
pub fn write_section(name: &str, body: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .map(|p| p.join("docs/PERFORMANCE.md"))
        .find(|p| p.exists())
        .expect("docs/PERFORMANCE.md above the crate");
    let doc = std::fs::read_to_string(&path).unwrap();
    let (begin, end) = (format!("<!-- {name}:begin -->"), format!("<!-- {name}:end -->"));
    let (Some(a), Some(b)) = (doc.find(&begin), doc.find(&end)) else {
        eprintln!("{} has no {begin} … {end} markers; not written", path.display());
        return;
    };
    let out = format!("{}{begin}\n{body}{}", &doc[..a], &doc[b..]);
    std::fs::write(&path, out).unwrap();
}
