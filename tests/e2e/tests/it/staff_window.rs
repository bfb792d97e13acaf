//! The staff window, for real: the app binary in a window under Xvfb, driven over
//! WebDriver, reading a real SQLite file and a real keyring, syncing from the simulator.

use uketsuke_core::clouds::sesame::{DeviceUuid, SecretKey};
use uketsuke_core::desk::doors::lock::{self, Target};
use uketsuke_core::platform::secrets::{names, Keyring, SecretStore};
use uketsuke_core::Config;
use uketsuke_e2e::{app_binary, enabled, sync_setup, test_config, write_config, Driver, Session};
use uketsuke_sim::{Sim, SimConfig, DEMO_RESERVATION_TOKEN};

/// One app at a time: two windows on a 2-core machine only slow each other down.
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

const KEYRING_SERVICE: &str = "jp.uketsuke.e2e";

fn config_for(dir: &std::path::Path, sim: &Sim) -> std::path::PathBuf {
    let mut c = test_config(dir, KEYRING_SERVICE);
    c.reservation.base_url = Some(sim.reservation_url());
    c.reservation.client_id = Some("demo".into());
    c.sesame.base_url = Some(sim.sesame_url());
    c.sesame.confirm_delay_ms = 300;
    c.splats.base_url = Some(sim.splats_url());
    write_config(&c, dir)
}

/// A simulator, a config pointing at it in a fresh directory, and the reservation
/// token in the real keyring: what every window test starts from.
async fn facility() -> (Sim, tempfile::TempDir, std::path::PathBuf) {
    let sim = Sim::start(SimConfig::default()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let config = config_for(dir.path(), &sim);
    Keyring::new(KEYRING_SERVICE).set(names::RESERVATION_TOKEN, DEMO_RESERVATION_TOKEN).unwrap();
    (sim, dir, config)
}

#[tokio::test(flavor = "multi_thread")]
async fn staff_window_syncs_and_lists_stores_and_areas() {
    let _alone = uketsuke_e2e::alone().await;
    if !enabled() {
        return;
    }
    let _one = ONE_AT_A_TIME.lock().await;
    let (sim, _dir, config) = facility().await;

    let driver = Driver::start().await;
    let s = Session::start(&driver, &app_binary(), &["--config", config.to_str().unwrap()]).await;

    // A fresh cache: the window says there is nothing yet, in Japanese.
    s.wait_for("[data-testid=no-stores]").await;
    s.wait_for_text("同期").await;

    s.click_css("[data-testid=sync]").await;
    s.wait_for_count("[data-testid=store]", 2).await;
    let stores = s.texts("[data-testid=store] .store-name").await;
    assert_eq!(stores, ["渋谷店", "新宿店"]);
    s.wait_for_text("同期しました: 2 店舗 / 5 エリア").await;
    s.wait_for_count("[data-testid=area]", 3).await;
    assert_eq!(s.texts(".area-name").await, ["会議室A", "会議室B", "カラオケルーム1"]);
    s.screenshot("staff-window-ja").await;

    // Choosing the other store shows its areas.
    s.click_css("[data-store-id=S002]").await;
    s.wait_for_text("コワーキングスペース").await;
    assert_eq!(s.texts(".area-name").await, ["ジム", "コワーキングスペース"]);

    // English at a tap.
    s.click_css("[data-testid=lang-toggle]").await;
    s.wait_for_text("Stores").await;
    assert_eq!(s.texts("[data-testid=sync]").await, ["Sync"]);
    s.screenshot("staff-window-en").await;

    // A sync that fails says why, in the chosen language, and keeps what was shown.
    sim.state.faults.list().push(uketsuke_sim::faults::Fault {
        path_prefix: "/reserve/".into(),
        kind: uketsuke_sim::faults::FaultKind::Status {
            status: 503,
            message: Some("maintenance".into()),
            retry_after_secs: None,
        },
        times: Some(1),
        after: 0,
        until: None,
    });
    s.click_css("[data-testid=sync]").await;
    s.wait_for("[data-testid=error][data-code=http]").await;
    s.wait_for_text("maintenance").await;
    assert_eq!(s.texts("[data-testid=store]").await.len(), 2);
    s.screenshot("staff-window-error").await;

    s.close().await;
    Keyring::new(KEYRING_SERVICE).delete(names::RESERVATION_TOKEN).unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn a_broken_config_opens_a_window_that_names_the_setting() {
    let _alone = uketsuke_e2e::alone().await;
    if !enabled() {
        return;
    }
    let _one = ONE_AT_A_TIME.lock().await;
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.toml");
    std::fs::write(&config, "[reservation]\nbase_url = \"ftp://example.com\"\nclient_id = \"x\"\n").unwrap();

    let driver = Driver::start().await;
    let s = Session::start(&driver, &app_binary(), &["--config", config.to_str().unwrap()]).await;
    s.wait_for("[data-testid=not-ready]").await;
    s.wait_for_text("reservation.base_url").await;
    s.close().await;
}

/// The SESAME acceptance check in the window: Unlock with the right key opens the door
/// and is confirmed; with a wrong key the lock refuses and the card says why.
#[tokio::test(flavor = "multi_thread")]
async fn unlock_buttons_open_the_door_and_explain_a_wrong_key() {
    let _alone = uketsuke_e2e::alone().await;
    if !enabled() {
        return;
    }
    let _one = ONE_AT_A_TIME.lock().await;
    let (sim, _dir, config) = facility().await;
    let keyring = Keyring::new(KEYRING_SERVICE);
    keyring.set(names::SESAME_API_KEY, uketsuke_sim::sesame::DEMO_API_KEY).unwrap();

    // A manager has synced and registered three locks; A102's key was mistyped.
    let devices = {
        let w = sim.state.world.lock().unwrap();
        ["area:A101", "area:A102", "entrance:S001"].map(|door| w.sesame.device_for(door).unwrap().clone())
    };
    {
        let shared = sync_setup(&Config::read(&config).unwrap(), &sim, false).await;
        let hex = |b: &[u8; 16]| b.iter().map(|x| format!("{x:02x}")).collect::<String>();
        let targets =
            [Target::Area("A101".into()), Target::Area("A102".into()), Target::Entrance("S001".into())];
        for (d, target) in devices.iter().zip(targets) {
            let key = if d.door == "area:A102" { "11".repeat(16) } else { hex(&d.secret) };
            let uuid = DeviceUuid::parse(&d.uuid).unwrap();
            shared
                .write_now(|conn| {
                    lock::assign(conn, &keyring, &target, &uuid, &SecretKey::parse(&key)?, "manager")
                })
                .unwrap();
        }
    }
    let sim_state =
        |door: &str| sim.state.world.lock().unwrap().sesame.device_for(door).unwrap().state.clone();
    // The documented contract: a bad sign is refused (the realistic default answers 200).
    sim.state.world.lock().unwrap().sesame.strict = true;

    let driver = Driver::start().await;
    let s = Session::start(&driver, &app_binary(), &["--config", config.to_str().unwrap()]).await;
    s.wait_for("[data-area-id=A101] [data-testid=unlock]").await;
    s.wait_for_text("状態: 未取得").await;
    s.wait_for("[data-testid=entrance]").await;

    // Staff say who they are; SESAME's history will show it.
    let field = s.wait_for("[data-testid=operator]").await;
    s.clear_and_type(&field, "鈴木\n").await;

    s.click_css("[data-area-id=A101] [data-testid=unlock]").await;
    s.wait_for("[data-area-id=A101][data-phase=confirmed]").await;
    s.wait_for_text("解錠を確認しました").await;
    assert_eq!(sim_state("area:A101"), "unlocked");
    let state = s.texts("[data-area-id=A101] [data-testid=lock-state]").await;
    assert_eq!(state, ["解錠中"]);
    let tag = sim
        .state
        .world
        .lock()
        .unwrap()
        .sesame
        .device_for("area:A101")
        .unwrap()
        .history
        .last()
        .unwrap()
        .history_tag
        .clone();
    let tag = base64::Engine::decode(&base64::engine::general_purpose::STANDARD, tag.unwrap()).unwrap();
    assert_eq!(String::from_utf8(tag).unwrap(), "鈴木", "SESAME's history names who unlocked");

    s.click_css("[data-area-id=A102] [data-testid=unlock]").await;
    s.wait_for("[data-area-id=A102][data-phase=failed]").await;
    s.wait_for_text("錠が署名を拒否しました").await;
    assert_eq!(sim_state("area:A102"), "locked");

    s.click_css("[data-testid=entrance] [data-testid=unlock]").await;
    s.wait_for("[data-testid=entrance][data-phase=confirmed]").await;
    assert_eq!(sim_state("entrance:S001"), "unlocked");

    // Every paid call is on the meter: 3 commands, 2 confirmation reads.
    s.wait_for_text("SESAME 5 / 3000 回").await;
    s.screenshot("staff-window-unlock").await;
    s.close().await;
    for name in [names::RESERVATION_TOKEN.to_string(), names::SESAME_API_KEY.to_string()]
        .into_iter()
        .chain(devices.iter().map(|d| names::device_secret(&d.uuid)))
    {
        keyring.delete(&name).unwrap();
    }
}
