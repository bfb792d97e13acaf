//! SESAME benchmarks: `cargo bench -p uketsuke-core --bench sesame`.
//!
//! - sign: one AES-128-CMAC signature.
//! - click → wire: from calling `Locks::command` (what the Unlock button does) to the
//!   first byte of the request arriving at a loopback listener. This is the app's own
//!   overhead: SQLite reads, the meter write, keyring lookups, signing, building and
//!   connecting the HTTP request. The network to the real cloud comes on top.
//! - round trip: the same call until it returns, against a listener that answers at once.
//!
//! Prints median, p95 and max for each, and writes them to docs/PERFORMANCE.md.

mod support;

use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::mpsc;
use uketsuke_core::clouds::sesame::{sign, Command, DeviceUuid, SecretKey};
use uketsuke_core::desk::cache;
use uketsuke_core::desk::doors::lock::{self, Locks, Target};
use uketsuke_core::platform::model::{RemoteArea, RemoteStore};
use uketsuke_core::platform::secrets::{names, MemorySecrets, SecretStore};
use uketsuke_core::{platform::db, Config};

const ROUNDS: usize = 300;

/// One table row: median, p95 and highest of the samples, in µs.
fn row(name: &str, mut samples: Vec<Duration>) -> String {
    samples.sort();
    let pick = |q: f64| support::us(samples[((samples.len() - 1) as f64 * q) as usize]);
    let line = format!(
        "| {name} | {} | {:.2} µs | {:.2} µs | {:.2} µs |\n",
        samples.len(),
        pick(0.5),
        pick(0.95),
        support::us(samples[samples.len() - 1])
    );
    print!("{line}");
    line
}

fn bench_sign() -> String {
    let key = [0x2bu8; 16];
    let mut samples = Vec::new();
    for i in 0..10_000u32 {
        let t = Instant::now();
        std::hint::black_box(sign::sign(&key, 1_700_000_000 + i));
        samples.push(t.elapsed());
    }
    row("sign (AES-128-CMAC)", samples)
}

/// Answers every request with 200 at once and reports when each request's first byte arrived.
async fn listener() -> (String, mpsc::UnboundedReceiver<Instant>) {
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/api/sesame2", l.local_addr().unwrap());
    let (tx, rx) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        loop {
            let (mut sock, _) = l.accept().await.unwrap();
            let tx = tx.clone();
            tokio::spawn(async move {
                let mut buf = vec![0u8; 8192];
                let mut first = true;
                loop {
                    let Ok(n) = sock.read(&mut buf).await else { return };
                    if n == 0 {
                        return;
                    }
                    if first {
                        let _ = tx.send(Instant::now());
                        first = false;
                    }
                    if buf[..n].windows(4).any(|w| w == b"\r\n\r\n") || n < buf.len() {
                        let _ = sock.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n").await;
                        first = true;
                    }
                }
            });
        }
    });
    (url, rx)
}

async fn bench_click_to_wire() -> String {
    let (url, mut arrivals) = listener().await;
    let dir = tempfile::tempdir().unwrap();
    let mut conn = db::open(&dir.path().join("bench.sqlite3")).unwrap();
    cache::replace_from_reservation(
        &mut conn,
        &[RemoteStore { id: "S1".into(), name: "渋谷店".into(), name_kana: None }],
        &[RemoteArea { id: "A1".into(), store_id: "S1".into(), name: "会議室A".into(), sort_order: 1 }],
        1,
    )
    .unwrap();
    let secrets = Arc::new(MemorySecrets::default());
    secrets.set(names::SESAME_API_KEY, "BenchKey0000000000000000000000000000000").unwrap();
    let uuid = DeviceUuid::parse("488ABAAB-164F-7A86-595F-DDD778CB86C3").unwrap();
    let key = SecretKey::parse("a13d4b890111676ba8fb36ece7e94f7d").unwrap();
    let target = Target::Area("A1".into());
    lock::assign(&mut conn, secrets.as_ref(), &target, &uuid, &key, "bench").unwrap();
    drop(conn);
    let db = db::Db::open(&dir.path().join("bench.sqlite3")).unwrap();
    let mut config = Config::default();
    config.sesame.base_url = Some(url);
    let locks = Locks { db: &db, secrets: secrets.as_ref(), config: &config };

    let (mut to_wire, mut round_trip) = (Vec::new(), Vec::new());
    for i in 0..ROUNDS + 20 {
        let t0 = Instant::now();
        locks.command(&target, Command::Unlock, "bench").await.unwrap();
        let done = t0.elapsed();
        let arrived = arrivals.recv().await.unwrap();
        if i >= 20 {
            to_wire.push(arrived - t0);
            round_trip.push(done);
        }
    }
    row("click → request on the wire", to_wire) + &row("round trip, instant answer", round_trip)
}

fn main() {
    if !support::benching("`cargo bench -p uketsuke-core --bench sesame`") {
        return;
    }
    let mut table = format!(
        "Machine: {}. Release build.\n\n| step | n | median | p95 | highest |\n|---|---|---|---|---|\n",
        support::machine()
    );
    table += &bench_sign();
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    table += &rt.block_on(bench_click_to_wire());
    support::write_section("sesame", &table);
}
