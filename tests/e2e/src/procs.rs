//! Reading a running app from outside, for the benches: the processes it started
//! (WebKit's web and network processes), their proportional set size and CPU time,
//! all from `/proc`.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A release build of one of the workspace's binaries (`make bench` builds them).
pub fn release_binary(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/release").join(name)
}

/// Starts `program` and waits until its page says it painted (`UKETSUKE_PAINTED` on
/// stderr, as the app and the blank window both print): the child and how long it took.
pub fn spawn_until_painted(program: &Path, args: &[&str]) -> (Child, Duration) {
    let started = Instant::now();
    let mut child = Command::new(program)
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
    (child, started.elapsed())
}

/// Ends a program started by [`spawn_until_painted`], and gives WebKit's helpers a
/// moment to end with it.
pub fn end(mut child: Child) {
    let _ = child.kill();
    let _ = child.wait();
    std::thread::sleep(Duration::from_secs(2));
}

/// The running processes whose executable is `exe`.
pub fn running(exe: &Path) -> Vec<u32> {
    let exe = exe.canonicalize().unwrap_or_else(|_| exe.to_path_buf());
    let Ok(dir) = std::fs::read_dir("/proc") else { return Vec::new() };
    dir.flatten()
        .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| std::fs::read_link(format!("/proc/{pid}/exe")).is_ok_and(|p| p == exe))
        .collect()
}

/// Every process descending from `root`, itself included.
pub fn family(root: u32) -> Vec<u32> {
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
pub fn pss(pids: &[u32]) -> Vec<(String, u64)> {
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
pub fn ticks(pids: &[u32]) -> u64 {
    pids.iter()
        .filter_map(|pid| {
            let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
            let f: Vec<&str> = stat.rsplit_once(") ")?.1.split_whitespace().collect();
            Some(f.get(11)?.parse::<u64>().ok()? + f.get(12)?.parse::<u64>().ok()?)
        })
        .sum()
}

/// Total PSS in MB, and the parts: (own process, WebKit web, WebKit network).
pub fn pss_mb(kb: &[(String, u64)]) -> (f64, f64, f64, f64) {
    let web = |n: &str| n.starts_with("WebKitWebProces");
    let net = |n: &str| n.starts_with("WebKitNetworkPr");
    let sum = |pick: &dyn Fn(&str) -> bool| {
        kb.iter().filter(|(n, _)| pick(n)).map(|(_, k)| *k).sum::<u64>() as f64 / 1024.0
    };
    (sum(&|_| true), sum(&|n| !web(n) && !net(n)), sum(&web), sum(&net))
}
