//! Two headless PCs (`uketsuke watch`) in one facility with a real PostgreSQL: one
//! leads the spending work (it issues the door access of three bookings, and of the
//! simulator's own bookings of the day when the test runs early enough); killed with SIGKILL, the other takes over within 30 s and
//! no reconciliation step runs twice.

use crate::support::*;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use uketsuke_core::platform::config::FacilityConfig;
use uketsuke_core::{platform::clock, Config};
use uketsuke_sim::postgres::Cluster;
use uketsuke_sim::{Sim, SimConfig};

const LEADS: &str = "この PC が主担当になりました";

/// `uketsuke watch` running, with what it wrote so far.
struct Watch {
    child: Child,
    said: Arc<Mutex<String>>,
}

impl Watch {
    fn start(config: &std::path::Path) -> Watch {
        let mut child = Command::new(env!("CARGO_BIN_EXE_uketsuke"))
            .arg("--config")
            .arg(config)
            .arg("watch")
            .env("LANG", "ja_JP.UTF-8")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let said = Arc::new(Mutex::new(String::new()));
        for stream in [
            Box::new(child.stdout.take().unwrap()) as Box<dyn std::io::Read + Send>,
            Box::new(child.stderr.take().unwrap()),
        ] {
            let said = said.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(stream).lines().map_while(Result::ok) {
                    said.lock().unwrap().push_str(&(line + "\n"));
                }
            });
        }
        Watch { child, said }
    }

    fn said(&self) -> String {
        self.said.lock().unwrap().clone()
    }
}

impl Drop for Watch {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Waits for `check`; on timeout the failure shows `said` (what the watchers printed).
async fn until(what: &str, limit: Duration, check: impl Fn() -> bool, said: impl Fn() -> String) -> Duration {
    let started = Instant::now();
    while !check() {
        assert!(started.elapsed() < limit, "{what}: not within {limit:?}\n{}", said());
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    started.elapsed()
}

/// A PC set up for the simulator, with its own database and keyring and the facility's
/// password kept; `configured`: `[facility]` written in its config (else it joins with
/// `--url`, which writes it).
async fn pc(
    dir: &std::path::Path,
    sim: &Sim,
    pg: &Cluster,
    name: &str,
    configured: bool,
) -> std::path::PathBuf {
    let service = format!("jp.uketsuke.cli-facility-{name}.{}", std::process::id());
    let config = with_splats(dir, sim, &service, |c: &mut Config| {
        c.splats.guest_membergroup_id = Some("mg-guest".into());
        c.sync.bookings_every_secs = 30;
        if configured {
            c.facility = FacilityConfig {
                database_url: Some(pg.url()),
                pc_name: Some(name.into()),
                ..Default::default()
            };
        }
    })
    .await;
    let password: &'static str = Box::leak(pg.password.clone().into_boxed_str());
    let run = runner(&config);
    assert!(run(vec!["secret", "set", "facility.db_password"], Some(password))
        .await
        .unwrap()
        .status
        .success());
    config
}

/// The value once it has not changed for 2 s.
async fn stable(read: impl Fn() -> usize) -> usize {
    let mut last = read();
    loop {
        tokio::time::sleep(Duration::from_secs(2)).await;
        let now = read();
        if now == last {
            return now;
        }
        last = now;
    }
}

fn member_creates(sim: &Sim) -> usize {
    let w = sim.state.world.lock().unwrap();
    w.splats
        .calls
        .iter()
        // Creates only: not the bulk requests, nor the one-time-QR read that settles the
        // seed's reading (POST /v1/members/{id}/one_time_qr).
        .filter(|c| c.as_str() == "POST /v1/members")
        .count()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_leader_killed_another_takes_over_and_no_step_runs_twice() {
    if no_keyring() || !uketsuke_sim::postgres::available() {
        return;
    }
    let pg = Cluster::start().unwrap();
    let sim = Sim::start(SimConfig::default()).await.unwrap();
    let now = clock::now_unix();
    for i in 0..3 {
        let booking = serde_json::json!({
            "id": format!("B-FAC-{i}"), "store_id": "S001", "name": format!("施設 太郎{i}"),
            "starts_at": now - 600, "ends_at": now + 3600, "area_ids": ["A101"],
        });
        let r = reqwest::Client::new()
            .post(format!("{}/_sim/reservation/bookings", sim.url()))
            .json(&booking)
            .send();
        assert!(r.await.unwrap().status().is_success());
    }
    let (dir_a, dir_b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let config_a = pc(dir_a.path(), &sim, &pg, "counter-a", true).await;
    let config_b = pc(dir_b.path(), &sim, &pg, "kiosk-b", false).await;
    let run_a = runner(&config_a);
    assert!(run_a(vec!["sync"], None).await.unwrap().status.success());
    for (flag, door, to) in [("--area", "A101", "sa-0001"), ("--entrance", "S001", "sa-0006")] {
        assert!(run_a(vec!["splats", "map", flag, door, "--to", to], None).await.unwrap().status.success());
    }

    // A starts the facility and leads; it issues the three bookings' door access.
    let a = Watch::start(&config_a);
    until("A leads", Duration::from_secs(20), || a.said().contains(LEADS), || a.said()).await;
    // Ours, and the simulator's demo bookings of the day if it is early enough (JST).
    until("A issued our three members", Duration::from_secs(60), || member_creates(&sim) >= 3, || a.said())
        .await;
    let issued = stable(|| member_creates(&sim)).await;

    // B joins with a code A's manager shows, and follows.
    let code = run_a(vec!["facility", "code"], None).await.unwrap();
    assert!(code.status.success(), "{}", text(&code));
    let code: &'static str =
        Box::leak(String::from_utf8_lossy(&code.stdout).trim().to_string().into_boxed_str());
    // B has no [facility] yet: the join writes it, once the code opened the facility.
    let url: &'static str = Box::leak(pg.url().into_boxed_str());
    let run_b = runner(&config_b);
    let wrong = run_b(vec!["facility", "join", "--url", url], Some("AAAA-BBBB-CCCC-DDDD\n")).await.unwrap();
    assert!(
        !wrong.status.success()
            && (text(&wrong).contains("参加コード") || text(&wrong).contains("join code")),
        "{}",
        text(&wrong)
    );
    assert!(!Config::read(&config_b).unwrap().facility.enabled(), "a failed join writes nothing");
    let joined =
        run_b(vec!["facility", "join", "--url", url, "--name", "kiosk-b"], Some(code)).await.unwrap();
    assert!(joined.status.success(), "{}", text(&joined));
    assert_eq!(Config::read(&config_b).unwrap().facility.pc_name.as_deref(), Some("kiosk-b"));
    let b = Watch::start(&config_b);
    let b_db =
        uketsuke_core::platform::db::Db::open(&Config::read(&config_b).unwrap().database_path().unwrap())
            .unwrap();
    let issued_at_b = || {
        b_db.read_now(|c| {
            Ok(c.query_row("SELECT COUNT(*) FROM guest_access WHERE revoked_at IS NULL", [], |r| {
                r.get::<_, i64>(0)
            })?)
        })
        .unwrap()
    };
    let rows =
        || pg.psql("uketsuke", "SELECT tbl || ' ' || count(*) FROM rows GROUP BY tbl").unwrap_or_default();
    let context = || format!("B:\n{}\nA:\n{}\nrows: {}\nat B: {}", b.said(), a.said(), rows(), issued_at_b());
    until("B has every access A issued", Duration::from_secs(10), || issued_at_b() == issued as i64, context)
        .await;
    tokio::time::sleep(Duration::from_secs(6)).await;
    assert!(!b.said().contains(LEADS), "one leader at a time: {}", b.said());

    // A is killed. B leads within 30 s and reconciles without issuing anything again.
    let mut a = a;
    a.child.kill().unwrap(); // SIGKILL
    a.child.wait().unwrap();
    let took = until("B takes over", Duration::from_secs(30), || b.said().contains(LEADS), || b.said()).await;
    eprintln!("B took over {took:?} after A was killed");
    until("B synced as the leader", Duration::from_secs(30), || b.said().contains("SPLATS"), || b.said())
        .await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(member_creates(&sim), issued, "no member made twice:\n{}", b.said());
    let members = sim
        .state
        .world
        .lock()
        .unwrap()
        .splats
        .members
        .values()
        .filter(|m| m.member_code.as_deref().is_some_and(|c| c.starts_with("UK-")))
        .count();
    assert_eq!(members, issued);

    // Both PCs' audit rows, A's from before it was killed too, are one chain that holds.
    let verified = runner(&config_b)(vec!["facility", "verify"], None).await.unwrap();
    assert!(verified.status.success() && text(&verified).contains("2 PC"), "{}", text(&verified));
    drop(b);
}
