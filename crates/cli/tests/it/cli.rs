//! The `uketsuke` binary as a user runs it, against the simulator.

use uketsuke_core::Config;
use uketsuke_sim::{Sim, SimConfig, DEMO_RESERVATION_TOKEN};

use crate::support::*;
use std::path::Path;
use std::process::Command;

#[tokio::test(flavor = "multi_thread")]
async fn doctor_names_the_bad_setting_and_exits_non_zero() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.toml");
    std::fs::write(
        &config,
        format!(
            "database = \"{}\"\n[splats]\nbase_url = \"ftp://example.com\"\n",
            dir.path().join("db").display()
        ),
    )
    .unwrap();
    let out = tokio::task::spawn_blocking(move || uketsuke(&config, &["doctor", "--lang", "en"], None))
        .await
        .unwrap();
    assert!(!out.status.success());
    let t = text(&out);
    assert!(t.contains("FAIL  splats.base_url"), "{t}");
    assert!(t.contains("scheme must be http or https"), "{t}");
}

#[tokio::test(flavor = "multi_thread")]
async fn unreadable_config_is_reported_in_japanese_by_default() {
    let out = uketsuke(Path::new("/nonexistent/uketsuke.toml"), &["stores"], None);
    assert!(!out.status.success());
    assert!(text(&out).contains("エラー: 設定 `config file` が正しくありません"), "{}", text(&out));
}

/// Needs a Secret Service: `make test` runs it inside scripts/with-keyring.sh.
#[tokio::test(flavor = "multi_thread")]
async fn secret_sync_list_and_doctor_without_showing_the_secret() {
    if no_keyring() {
        return;
    }
    let sim = Sim::start(SimConfig::default()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let config = config_for(dir.path(), &sim, &format!("jp.uketsuke.cli-test.{}", std::process::id()));
    let run = |args: &'static [&'static str], stdin: Option<&'static str>| {
        let config = config.clone();
        tokio::task::spawn_blocking(move || uketsuke(&config, args, stdin))
    };

    let out = run(&["secret", "set", "reservation.token"], Some(DEMO_RESERVATION_TOKEN)).await.unwrap();
    assert!(out.status.success(), "{}", text(&out));
    assert!(!text(&out).contains(DEMO_RESERVATION_TOKEN), "set must echo only a mask");

    let out = run(&["stores"], None).await.unwrap();
    assert!(text(&out).contains("uketsuke sync"), "an empty cache says how to fill it: {}", text(&out));

    let out = run(&["sync"], None).await.unwrap();
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("2 店舗 / 5 エリア"), "{}", text(&out));

    let out = run(&["areas", "--store", "S001", "--json"], None).await.unwrap();
    let areas: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let names: Vec<_> =
        areas.as_array().unwrap().iter().map(|a| a["name"].as_str().unwrap().to_string()).collect();
    assert_eq!(names, ["会議室A", "会議室B", "カラオケルーム1"]);

    let out = run(&["areas", "--store", "NOPE"], None).await.unwrap();
    assert!(!out.status.success());
    assert!(text(&out).contains("store NOPE が見つかりません"), "{}", text(&out));

    let out = run(&["doctor", "--json"], None).await.unwrap();
    assert!(out.status.success(), "{}", text(&out));
    assert!(!text(&out).contains(DEMO_RESERVATION_TOKEN));

    let out = run(&["secret", "show", "reservation.token"], None).await.unwrap();
    assert!(text(&out).contains("••••"), "{}", text(&out));
    assert!(!text(&out).contains(DEMO_RESERVATION_TOKEN));
    run(&["secret", "delete", "reservation.token"], None).await.unwrap();
}

/// The issue's acceptance check, through the CLI: a valid signature opens the door, a
/// wrong key is rejected. Needs a Secret Service (make test).
#[tokio::test(flavor = "multi_thread")]
async fn unlock_with_a_valid_key_and_rejected_with_a_wrong_one() {
    if no_keyring() {
        return;
    }
    let sim = Sim::start(SimConfig::default()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let service = format!("jp.uketsuke.cli-lock-test.{}", std::process::id());
    let config = config_for(dir.path(), &sim, &service);
    let mut c = Config::read(&config).unwrap();
    c.sesame.base_url = Some(sim.sesame_url());
    c.sesame.confirm_delay_ms = 50;
    c.save(&config).unwrap();
    let (good, other) = {
        let w = sim.state.world.lock().unwrap();
        let d = |door: &str| w.sesame.device_for(door).unwrap().clone();
        (d("area:A101"), d("area:A102"))
    };
    let hex = |b: &[u8; 16]| b.iter().map(|x| format!("{x:02x}")).collect::<String>();
    let run = |args: Vec<String>, stdin: Option<String>| {
        let config = config.clone();
        tokio::task::spawn_blocking(move || {
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            uketsuke(&config, &args, stdin.as_deref())
        })
    };
    let v = |s: &[&str]| s.iter().map(|x| x.to_string()).collect::<Vec<_>>();

    assert!(run(v(&["secret", "set", "reservation.token"]), Some(DEMO_RESERVATION_TOKEN.into()))
        .await
        .unwrap()
        .status
        .success());
    assert!(run(v(&["secret", "set", "sesame.api_key"]), Some(uketsuke_sim::sesame::DEMO_API_KEY.into()))
        .await
        .unwrap()
        .status
        .success());
    assert!(run(v(&["sync"]), None).await.unwrap().status.success());

    let out = run(
        v(&["sesame", "assign", "--area", "A101", "--uuid", &good.uuid.to_lowercase()]),
        Some(hex(&good.secret)),
    )
    .await
    .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    let out = run(v(&["sesame", "assign", "--area", "A102", "--uuid", &other.uuid]), Some("0123".into()))
        .await
        .unwrap();
    assert!(!out.status.success());
    assert!(text(&out).contains("32 文字"), "a short key is explained: {}", text(&out));
    let out = run(v(&["sesame", "assign", "--area", "A102", "--uuid", &other.uuid]), Some("00".repeat(16)))
        .await
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));

    let out = run(v(&["unlock", "--area", "A101", "--as", "佐藤"]), None).await.unwrap();
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("確認済み"), "{}", text(&out));
    assert_eq!(sim.state.world.lock().unwrap().sesame.device_for("area:A101").unwrap().state, "unlocked");

    // The real cloud answers 200 to a bad sign and the lock stays put: the status read says so.
    let out = run(v(&["unlock", "--area", "A102"]), None).await.unwrap();
    assert!(!out.status.success());
    assert!(text(&out).contains("確認できませんでした"), "{}", text(&out));
    assert_eq!(sim.state.world.lock().unwrap().sesame.device_for("area:A102").unwrap().state, "locked");
    // Where the cloud is strict (the documented contract), the refusal is explained.
    sim.state.world.lock().unwrap().sesame.strict = true;
    let out = run(v(&["unlock", "--area", "A102"]), None).await.unwrap();
    assert!(!out.status.success());
    assert!(text(&out).contains("署名を拒否"), "{}", text(&out));

    let out = run(v(&["status", "--area", "A101", "--json"]), None).await.unwrap();
    let status: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(status["state"], "unlocked");

    let out = run(v(&["sesame", "usage", "--json"]), None).await.unwrap();
    let usage: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(usage["commands"], 3);
    assert_eq!(
        usage["total"], 7,
        "3 commands, 1 + 2 confirmation reads (the unmoved lock is read twice), 1 status read"
    );

    let out = run(v(&["unlock", "--area", "A999"]), None).await.unwrap();
    assert!(!out.status.success());
    for name in ["reservation.token", "sesame.api_key"] {
        run(v(&["secret", "delete", name]), None).await.unwrap();
    }
    let keyring = uketsuke_core::platform::secrets::Keyring::new(&service);
    for d in [&good, &other] {
        use uketsuke_core::platform::secrets::SecretStore;
        keyring.delete(&uketsuke_core::platform::secrets::names::device_secret(&d.uuid)).unwrap();
    }
}

/// A SPLATS history sync whose process is killed (SIGKILL) half-way resumes on the
/// next `uketsuke sync` with nothing lost or doubled. Needs a Secret Service.
#[tokio::test(flavor = "multi_thread")]
async fn splats_sync_killed_mid_way_resumes() {
    if no_keyring() {
        return;
    }
    let sim = Sim::start(SimConfig::default()).await.unwrap();
    sim.state.world.lock().unwrap().splats.generate_histories(
        6_000,
        uketsuke_core::platform::clock::now_unix() - 86_400,
        10,
    );
    let total = sim.state.world.lock().unwrap().splats.histories.len() as i64;
    let dir = tempfile::tempdir().unwrap();
    let service = format!("jp.uketsuke.cli-splats-test.{}", std::process::id());
    let config = with_splats(dir.path(), &sim, &service, |_| {}).await;
    let run = runner(&config);

    // Slow pages, so that the kill lands between them.
    sim.state.faults.list().push(uketsuke_sim::faults::Fault {
        path_prefix: "/splats/v1/histories".into(),
        kind: uketsuke_sim::faults::FaultKind::Delay { ms: 300 },
        times: None,
        after: 0,
        until: None,
    });
    let mut child = Command::new(env!("CARGO_BIN_EXE_uketsuke"))
        .arg("--config")
        .arg(&config)
        .args(["sync", "--only", "splats"])
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let db_path = dir.path().join("cache.sqlite3");
    // Read without migrating: the child owns the schema.
    let count = || {
        if !db_path.exists() {
            return 0;
        }
        inspect(&db_path).and_then(|c| uketsuke_core::desk::history::splats::count(&c).ok()).unwrap_or(0)
    };
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while count() < 2_000 {
        assert!(std::time::Instant::now() < deadline, "the sync never got going");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let kept = count();
    assert!(kept < total, "killed before the end: {kept} of {total}");
    assert_eq!(kept % 1000, 0, "only whole pages are kept");

    sim.state.faults.list().clear();
    let out = run(vec!["sync", "--json"], None).await.unwrap();
    assert!(out.status.success(), "{}", text(&out));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["splats"]["report"]["histories"]["resumed"], true, "{report}");
    assert_eq!(report["reservation"]["report"]["stores"]["stores_upserted"], 2);
    assert_eq!(count(), total, "nothing lost, nothing doubled");
    assert_eq!(
        report["reservation"]["report"]["days"][0]["changes"]["upserted"], 7,
        "today's bookings came with the stores"
    );
    let out =
        run(vec!["guests", "today", "--store", "S001", "--search", "やまだ", "--json"], None).await.unwrap();
    let found: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(found[0]["booking_code"], "RSV-1001", "{}", text(&out));

    let out =
        run(vec!["splats", "history", "--since", "2d", "--cached", "--limit", "100000", "--json"], None)
            .await
            .unwrap();
    let rows: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(rows.as_array().unwrap().len() as i64, total);

    let out = run(vec!["splats", "map", "--area", "A101", "--to", "sa-0001"], None).await.unwrap();
    assert!(out.status.success(), "{}", text(&out));
    let out = run(vec!["splats", "map", "--area", "A101", "--to", "sa-9999"], None).await.unwrap();
    assert!(!out.status.success());
    assert!(text(&out).contains("先に同期してください"), "{}", text(&out));
    let out = run(vec!["splats", "areas"], None).await.unwrap();
    assert!(text(&out).contains("area:A101"), "{}", text(&out));
    let out = run(vec!["splats", "passes", "--status", "--json"], None).await.unwrap();
    let passes: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(passes[0]["status"]["door"], "closed", "{passes}");
    for name in ["reservation.token", "splats.token"] {
        run(vec!["secret", "delete", name], None).await.unwrap();
    }
}

/// `uketsuke sign-in --no-browser`: a person opens the printed address, logs in, and
/// the process exits with the token in the keyring; `sync` then works with it.
#[tokio::test(flavor = "multi_thread")]
async fn sign_in_through_the_printed_address_then_sync() {
    if no_keyring() {
        return;
    }
    use std::io::BufRead;
    use uketsuke_sim::reservation::oauth::{DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_LOGIN};
    let sim = Sim::start(SimConfig { reservation_tokens: vec![], ..SimConfig::default() }).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let service = format!("jp.uketsuke.cli-signin.{}", std::process::id());
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let redirect = format!("http://127.0.0.1:{port}/uketsuke/callback");
    sim.state.world.lock().unwrap().reservation_oauth.apps[0].redirect_uri = redirect.clone();
    let mut c = Config::default();
    c.database = Some(dir.path().join("cache.sqlite3"));
    c.keyring_service = Some(service);
    c.reservation.base_url = Some(sim.reservation_url());
    c.reservation.client_id = Some(DEMO_CLIENT_ID.into());
    c.reservation.redirect_uri = Some(redirect);
    let config = dir.path().join("config.toml");
    c.save(&config).unwrap();

    let cfg = config.clone();
    let out = tokio::task::spawn_blocking(move || {
        uketsuke(&cfg, &["secret", "set", "reservation.client_secret"], Some(DEMO_CLIENT_SECRET))
    })
    .await
    .unwrap();
    assert!(out.status.success(), "{}", text(&out));

    let mut child = Command::new(env!("CARGO_BIN_EXE_uketsuke"))
        .arg("--config")
        .arg(&config)
        .args(["sign-in", "--no-browser", "--lang", "en"])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    // Read every line (the CLI prints more after the address), passing the address on.
    let (url_tx, url_rx) = tokio::sync::oneshot::channel();
    std::thread::spawn(move || {
        let mut url_tx = Some(url_tx);
        for line in std::io::BufReader::new(stdout).lines().map_while(Result::ok) {
            if line.trim().starts_with("http") {
                if let Some(tx) = url_tx.take() {
                    let _ = tx.send(line.trim().to_string());
                }
            }
        }
    });
    let url = url_rx.await.expect("the CLI prints the address");
    let browser = reqwest::Client::new();
    let html = browser.get(&url).send().await.unwrap().text().await.unwrap();
    let state = html.split(r#"name="state" value=""#).nth(1).unwrap().split('"').next().unwrap().to_string();
    let form = [
        ("client_id", DEMO_CLIENT_ID),
        ("redirect_uri", c.reservation.redirect_uri.as_deref().unwrap()),
        ("response_type", "code"),
        ("state", &state),
        ("login_id", DEMO_LOGIN.0),
        ("password", DEMO_LOGIN.1),
        ("decision", "allow"),
    ];
    let landing = browser.post(url.split('?').next().unwrap()).form(&form).send().await.unwrap();
    assert_eq!(landing.status(), 200);
    let status = tokio::task::spawn_blocking(move || child.wait().unwrap()).await.unwrap();
    assert!(status.success());

    let cfg = config.clone();
    let out = tokio::task::spawn_blocking(move || {
        uketsuke(&cfg, &["sync", "--only", "reservation", "--lang", "en"], None)
    })
    .await
    .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    for name in ["reservation.token", "reservation.client_secret"] {
        let cfg = config.clone();
        let out = tokio::task::spawn_blocking(move || uketsuke(&cfg, &["secret", "delete", name], None))
            .await
            .unwrap();
        assert!(out.status.success(), "{}", text(&out));
    }
}

/// A second counter PC: `settings export` on one, `settings import` on the other.
#[tokio::test(flavor = "multi_thread")]
async fn settings_move_to_a_second_pc_without_secrets() {
    if no_keyring() {
        return;
    }
    let sim = Sim::start(SimConfig::default()).await.unwrap();
    let (one, two) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let service = format!("jp.uketsuke.cli-transfer.{}", std::process::id());
    let first = config_for(one.path(), &sim, &service);
    let mut c = Config::default();
    c.database = Some(two.path().join("cache.sqlite3"));
    c.keyring_service = Some(format!("{service}.second"));
    let second = two.path().join("config.toml");
    c.save(&second).unwrap();
    let file = one.path().join("settings.json");
    let run = |config: std::path::PathBuf, args: Vec<String>, stdin: Option<&'static str>| {
        tokio::task::spawn_blocking(move || {
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            uketsuke(&config, &args, stdin)
        })
    };
    let args = |a: &[&str]| a.iter().map(|s| s.to_string()).collect::<Vec<_>>();

    assert!(run(first.clone(), args(&["secret", "set", "reservation.token"]), Some(DEMO_RESERVATION_TOKEN))
        .await
        .unwrap()
        .status
        .success());
    assert!(run(first.clone(), args(&["sync", "--only", "reservation"]), None)
        .await
        .unwrap()
        .status
        .success());
    let out = run(first.clone(), args(&["settings", "export", file.to_str().unwrap()]), None).await.unwrap();
    assert!(out.status.success(), "{}", text(&out));
    assert!(!std::fs::read_to_string(&file).unwrap().contains(DEMO_RESERVATION_TOKEN));

    // The file points this PC's clouds elsewhere: shown, and refused until confirmed.
    let out =
        run(second.clone(), args(&["settings", "import", file.to_str().unwrap(), "--lang", "en"]), None)
            .await
            .unwrap();
    assert!(!out.status.success() && text(&out).contains("--yes"), "{}", text(&out));
    assert!(text(&out).contains("address change reservation: — → http://127.0.0.1"), "{}", text(&out));
    let import = args(&["settings", "import", file.to_str().unwrap(), "--yes", "--lang", "en"]);
    let out = run(second.clone(), import, None).await.unwrap();
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("Imported 2 stores and 5 areas"), "{}", text(&out));
    let out = run(second.clone(), args(&["areas", "--store", "S001"]), None).await.unwrap();
    assert!(text(&out).contains("会議室A"), "{}", text(&out));
    assert!(Config::read(&second).unwrap().reservation.base_url.is_some(), "the cloud addresses came along");
    run(first, args(&["secret", "delete", "reservation.token"]), None).await.unwrap();
}

/// A revoke is pending while SPLATS hangs; `uketsuke watch` is killed (SIGKILL) in the
/// middle of sending it; SPLATS comes back, `watch` starts again, and the revoke is
/// done, exactly once. Needs a Secret Service.
#[tokio::test(flavor = "multi_thread")]
async fn a_revoke_survives_kill_9_and_is_done_exactly_once() {
    if no_keyring() {
        return;
    }
    let sim = Sim::start(SimConfig::default()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let service = format!("jp.uketsuke.cli-watch-test.{}", std::process::id());
    let config =
        with_splats(dir.path(), &sim, &service, |c| c.splats.guest_membergroup_id = Some("mg-guest".into()))
            .await;
    let run = runner(&config);
    let now = sim.state.clock.now_unix();
    let booking = serde_json::json!({ "id": "B-KILL", "store_id": "S001", "starts_at": now - 600, "ends_at": now + 3600, "area_ids": ["A101"] });
    let admin = reqwest::Client::new();
    admin.post(format!("{}/_sim/reservation/bookings", sim.url())).json(&booking).send().await.unwrap();
    run(vec!["sync"], None).await.unwrap();
    for (door, area) in [("--area", "A101"), ("--entrance", "S001")] {
        let to = if area == "A101" { "sa-0001" } else { "sa-0006" };
        let out = run(vec!["splats", "map", door, area, "--to", to], None).await.unwrap();
        assert!(out.status.success(), "{}", text(&out));
    }
    let out = run(vec!["sync"], None).await.unwrap();
    assert!(out.status.success(), "{}", text(&out));
    let members = |code: &str| sim.splats_members(|c| c == code);
    assert_eq!(members("UK-B-KILL"), 1, "issued by the sync");

    // SPLATS hangs on this member (only: other work the worker may find first, such as
    // the simulator's demo bookings of the day, goes on); the booking is cancelled; the
    // worker picks the revoke up and waits.
    let member_id = {
        let w = sim.state.world.lock().unwrap();
        let found = w.splats.members.iter().find(|(_, m)| m.member_code.as_deref() == Some("UK-B-KILL"));
        found.map(|(id, _)| id.clone()).unwrap()
    };
    let stalled = format!("/splats/v1/members/{member_id}");
    sim.state.faults.list().push(uketsuke_sim::faults::Fault::stall(&stalled, 120));
    admin.delete(format!("{}/_sim/reservation/bookings/B-KILL", sim.url())).send().await.unwrap();
    // Its output is kept: when it never takes the revoke, the failure shows why.
    let watch_log = dir.path().join("watch.log");
    let mut watch = Command::new(env!("CARGO_BIN_EXE_uketsuke"))
        .arg("--config")
        .arg(&config)
        .arg("watch")
        .stdout(std::process::Stdio::null())
        .stderr(std::fs::File::create(&watch_log).unwrap())
        .spawn()
        .unwrap();
    let db_path = dir.path().join("cache.sqlite3");
    let held = || {
        inspect(&db_path)
            .and_then(|c| c.query_row("SELECT COUNT(*) FROM outbox WHERE guest_id = 'B-KILL' AND op = 'revoke' AND claimed_until > 0 AND done_at IS NULL", [], |r| r.get::<_, i64>(0)).ok())
            .unwrap_or(0)
    };
    // Generous: on a loaded 2-core machine the worker's first sync comes first.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while held() == 0 {
        let log = || std::fs::read_to_string(&watch_log).unwrap_or_default();
        assert!(
            std::time::Instant::now() < deadline,
            "the worker never took the revoke; it said:\n{}",
            log()
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    tokio::time::sleep(std::time::Duration::from_millis(300)).await; // the DELETE is on the wire
    watch.kill().unwrap(); // SIGKILL
    watch.wait().unwrap();
    assert_eq!(members("UK-B-KILL"), 1, "nothing reached SPLATS yet");

    // SPLATS is back; `watch` starts again and finishes the job.
    sim.state.faults.list().clear();
    let out = run(vec!["watch", "--cycles", "1"], None).await.unwrap();
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(members("UK-B-KILL"), 0, "revoked: {}", text(&out));
    let conn = inspect(&db_path).unwrap();
    let done: i64 = conn
        .query_row(
            "SELECT COUNT(*) FROM outbox WHERE guest_id = 'B-KILL' AND op = 'revoke' AND done_at IS NOT NULL",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let revokes: i64 = conn
        .query_row("SELECT COUNT(*) FROM audit_events WHERE action = 'access.revoke' AND target = 'B-KILL' AND outcome = 'ok'", [], |r| r.get(0))
        .unwrap();
    assert_eq!((done, revokes), (1, 1), "done exactly once");
    let deletes = sim
        .state
        .world
        .lock()
        .unwrap()
        .splats
        .calls
        .iter()
        .filter(|c| c.starts_with("DELETE /v1/members/"))
        .count();
    assert_eq!(deletes, 1, "one DELETE reached SPLATS");
    let keyring = uketsuke_core::platform::secrets::Keyring::new(&service);
    use uketsuke_core::platform::secrets::SecretStore;
    for name in ["reservation.token", "splats.token"] {
        keyring.delete(name).unwrap();
    }
}

/// The CLI's database as it stands, read beside the running CLI (no migration, no write).
#[allow(clippy::disallowed_methods)]
fn inspect(path: &std::path::Path) -> Option<uketsuke_core::platform::db::Connection> {
    uketsuke_core::platform::db::Connection::open(path).ok()
}
