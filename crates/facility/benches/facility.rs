//! Facility mode: `cargo bench -p uketsuke-facility --bench facility` (needs PostgreSQL's
//! server installed: `make bench` installs it with the system packages).
//!
//! Two PCs in this process, each with its SQLite file, sharing a throwaway PostgreSQL:
//!
//! - a change made at one PC, found in the other's SQLite: a walk-in added at A, a
//!   check-in made at B (30 each, one at a time);
//! - a first join: A holds 5,000 guests of the day when B joins; how long until B has
//!   them all.
//!
//! Writes the `facility` section of docs/PERFORMANCE.md.

#[path = "../../core/benches/support/mod.rs"]
mod support;

use std::sync::Arc;
use std::time::{Duration, Instant};
use uketsuke_core::desk::guests::{self, WalkIn};
use uketsuke_core::platform::config::FacilityConfig;
use uketsuke_core::platform::secrets::{ExposeSecret, MemorySecrets, SecretStore};
use uketsuke_core::{platform::clock, platform::db::Db};
use uketsuke_facility::{self as facility, Facility};
use uketsuke_sim::postgres::Cluster;

const CHANGES: usize = 30;
const CACHE: usize = 5_000;

struct Pc {
    _dir: tempfile::TempDir,
    db: Db,
    secrets: Arc<dyn SecretStore>,
    facility: Arc<Facility>,
}

/// A PC with a store and a room, its facility part running; `key`: the facility key
/// it holds (none: it makes the facility).
fn pc(pg: &Cluster, name: &str, key: Option<&str>, guests: usize) -> Pc {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::open(&dir.path().join("cache.sqlite3")).unwrap();
    db.write_now(|c| {
        c.execute_batch(
            "INSERT OR IGNORE INTO stores (id, name, source, updated_at) VALUES ('S1', '渋谷店', 'manual', 0);
             INSERT OR IGNORE INTO areas (id, store_id, name, source, updated_at)
                 VALUES ('A1', 'S1', '会議室A', 'manual', 0);",
        )?;
        let tx = c.transaction()?;
        let now = clock::now_unix();
        for i in 0..guests {
            tx.execute(
                "INSERT INTO guests (id, store_id, name, starts_at, ends_at, source, updated_at)
                 VALUES (?1, 'S1', ?2, ?3, ?4, 'walk_in', ?3)",
                rusqlite::params![format!("bulk-{i}"), format!("客 {i}"), now, now + 3600],
            )?;
        }
        tx.commit()?;
        Ok(())
    })
    .unwrap();
    let secrets: Arc<dyn SecretStore> = Arc::new(MemorySecrets::default());
    secrets.set(facility::DB_PASSWORD, &pg.password).unwrap();
    if let Some(k) = key {
        secrets.set(facility::KEY, k).unwrap();
    }
    let config =
        FacilityConfig { database_url: Some(pg.url()), pc_name: Some(name.into()), ..Default::default() };
    let facility = Facility::new(db.clone(), secrets.clone(), config).unwrap();
    tokio::spawn(facility.clone().run());
    Pc { _dir: dir, db, secrets, facility }
}

async fn until(limit: Duration, mut check: impl FnMut() -> bool) -> Duration {
    let t = Instant::now();
    while !check() {
        assert!(t.elapsed() < limit, "not within {limit:?}");
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    t.elapsed()
}

fn has(pc: &Pc, sql: &'static str, id: &str) -> bool {
    let id = id.to_string();
    pc.db.read_now(move |c| Ok(c.query_row(sql, [&id], |r| r.get::<_, i64>(0))?)).unwrap() > 0
}

fn cell(v: &[Duration]) -> String {
    let (m, lo, hi) = support::spread_of(v, support::ms);
    format!("{m:.0} ms ({lo:.0}–{hi:.0})")
}

async fn run(pg: &Cluster) -> String {
    let a = pc(pg, "受付 1", None, CACHE);
    until(Duration::from_secs(30), || a.facility.status().connected).await;
    until(Duration::from_secs(60), || a.facility.status().queued == 0).await;
    // B holds the key (as after a join code; joining is not what is measured).
    let key = a.secrets.get(facility::KEY).unwrap().unwrap().expose_secret().to_string();
    let b = pc(pg, "入口 2", Some(&key), 0);
    let first = until(Duration::from_secs(120), || {
        b.db.read_now(|c| Ok(c.query_row("SELECT COUNT(*) FROM guests", [], |r| r.get::<_, i64>(0))?))
            .unwrap()
            >= CACHE as i64
    })
    .await;

    let mut walk_ins = Vec::new();
    let mut check_ins = Vec::new();
    for i in 0..CHANGES {
        let w = WalkIn {
            store_id: "S1".into(),
            name: format!("森 {i}"),
            name_kana: None,
            phone: None,
            area_ids: vec!["A1".into()],
            starts_at: clock::now_unix(),
            ends_at: clock::now_unix() + 3600,
        };
        let t = Instant::now();
        let g = a.db.write_now(|c| guests::add_walk_in(c, &w, clock::now_unix(), "bench")).unwrap();
        until(Duration::from_secs(5), || has(&b, "SELECT COUNT(*) FROM guests WHERE id = ?1", &g.id)).await;
        walk_ins.push(t.elapsed());
        let t = Instant::now();
        b.db.write_now(|c| guests::check_in(c, &g.id, clock::now_unix(), "bench")).unwrap();
        let sql = "SELECT COUNT(*) FROM guests WHERE id = ?1 AND checked_in_at IS NOT NULL";
        until(Duration::from_secs(5), || has(&a, sql, &g.id)).await;
        check_ins.push(t.elapsed());
    }
    format!(
        "Machine: {}. Release build; two PCs in one process (each its SQLite file), PostgreSQL {} on \
         loopback; median (lowest–highest).\n\n\
         | what | time |\n|---|---|\n\
         | walk-in added at A → in B's SQLite ({CHANGES}) | {} |\n\
         | check-in made at B → in A's SQLite ({CHANGES}) | {} |\n\
         | first join: B receives A's {CACHE} guests | {:.1} s ({:.0} rows/s) |\n",
        support::machine(),
        pg_version(pg),
        cell(&walk_ins),
        cell(&check_ins),
        first.as_secs_f64(),
        CACHE as f64 / first.as_secs_f64(),
    )
}

fn pg_version(pg: &Cluster) -> String {
    pg.psql("uketsuke", "SHOW server_version").map(|v| v.trim().to_string()).unwrap_or_default()
}

fn main() {
    if !support::benching("`cargo bench -p uketsuke-facility --bench facility`") {
        return;
    }
    if !uketsuke_sim::postgres::available() {
        eprintln!("PostgreSQL's server is not installed (scripts/install-system-deps.sh): not measured");
        return;
    }
    let pg = Cluster::start().unwrap();
    let body = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap().block_on(run(&pg));
    print!("{body}");
    support::write_section("facility", &body);
}
