//! The live front desk in the real window: the background worker syncs by itself and
//! issues door access ahead of arrival, and while the reservation system and SPLATS
//! hang in the middle of a sync, an Unlock still reaches the lock cloud at once and
//! the guest list and the QR panel stay responsive.

use std::time::{Duration, Instant};
use uketsuke_core::clock;
use uketsuke_core::lock::{self, Target};
use uketsuke_core::secrets::{names, Keyring, SecretStore};
use uketsuke_core::sesame::{DeviceUuid, SecretKey};
use uketsuke_e2e::{
    app_binary, enabled, map_demo_doors, sync_setup, test_config, write_config, Driver, Session,
};
use uketsuke_sim::faults::Fault;
use uketsuke_sim::{Sim, SimConfig, DEMO_RESERVATION_TOKEN};

const KEYRING_SERVICE: &str = "jp.uketsuke.e2e-live";

/// A facility with the worker on (the default), A101's lock registered, rooms mapped
/// onto SPLATS, and a booking in A101 from ten minutes ago that nobody has issued yet.
async fn facility() -> (Sim, tempfile::TempDir, std::path::PathBuf) {
    let sim = Sim::start(SimConfig::default()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut c = test_config(dir.path(), KEYRING_SERVICE);
    c.sync.background = true; // the worker is what this test is about
    c.reservation.base_url = Some(sim.reservation_url());
    c.reservation.client_id = Some("demo".into());
    c.sesame.base_url = Some(sim.sesame_url());
    c.sesame.confirm_delay_ms = 200;
    c.splats.base_url = Some(sim.splats_url());
    c.splats.guest_membergroup_id = Some("mg-guest".into());
    let path = write_config(&c, dir.path());
    let keyring = Keyring::new(KEYRING_SERVICE);
    keyring.set(names::RESERVATION_TOKEN, DEMO_RESERVATION_TOKEN).unwrap();
    keyring.set(names::SPLATS_TOKEN, uketsuke_sim::splats::DEMO_TOKEN).unwrap();
    keyring.set(names::SESAME_API_KEY, uketsuke_sim::sesame::DEMO_API_KEY).unwrap();

    let shared = sync_setup(&c, &sim, true).await;
    map_demo_doors(&shared);
    let device = sim.state.world.lock().unwrap().sesame.device_for("area:A101").unwrap().clone();
    let key: String = device.secret.iter().map(|b| format!("{b:02x}")).collect();
    let uuid = DeviceUuid::parse(&device.uuid).unwrap();
    shared
        .write_now(|conn| {
            lock::assign(
                conn,
                &keyring,
                &Target::Area("A101".into()),
                &uuid,
                &SecretKey::parse(&key)?,
                "manager",
            )
        })
        .unwrap();
    let now = clock::now_unix();
    let booking = serde_json::json!({
        "id": "B-LIVE", "store_id": "S001", "name": "石井 真央", "name_kana": "イシイ マオ",
        "starts_at": now - 600, "ends_at": now + 3600, "area_ids": ["A101"],
    });
    reqwest::Client::new()
        .post(format!("{}/_sim/reservation/bookings", sim.url()))
        .json(&booking)
        .send()
        .await
        .unwrap();
    (sim, dir, path)
}

#[tokio::test(flavor = "multi_thread")]
async fn doors_and_guests_stay_live_while_the_clouds_hang() {
    if !enabled() {
        return;
    }
    let (sim, _dir, config) = facility().await;
    let driver = Driver::start().await;
    let s = Session::start(&driver, &app_binary(), &["--config", config.to_str().unwrap()]).await;

    // The worker syncs right after start and issues the booking's door access: no one
    // pressed 同期 or 発行.
    s.wait_for("[data-testid=sync-reservation][data-ok=true]").await;
    s.wait_for("[data-testid=sync-access][data-ok=true]").await;
    s.wait_for("[data-guest-id=B-LIVE]").await;
    let member_made = || sim.splats_members(|c| c == "UK-B-LIVE") > 0;
    assert!(member_made(), "issued ahead of arrival by the worker");
    s.screenshot("live-desk-synced").await;

    // Both clouds hang for 60 s; staff press 同期, which waits on them.
    sim.state.faults.list().push(Fault::stall("/reserve/", 60));
    sim.state.faults.list().push(Fault::stall("/splats/", 60));
    s.click_css("[data-testid=sync]").await;
    s.wait_for_text("同期中").await;
    tokio::time::sleep(Duration::from_millis(500)).await; // the sync is now waiting on the network

    // Unlock goes straight through.
    let received = || sim.state.world.lock().unwrap().sesame.commands_received;
    let before = received();
    let pressed = Instant::now();
    s.click_css("[data-area-id=A101] [data-testid=unlock]").await;
    while received() == before {
        assert!(pressed.elapsed() < Duration::from_secs(5), "the unlock never reached SESAME");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let to_wire = pressed.elapsed();
    assert!(
        to_wire < Duration::from_secs(1),
        "Unlock took {to_wire:?} to reach the simulator during a stalled sync"
    );
    s.wait_for("[data-area-id=A101][data-phase=confirmed]").await;
    assert_eq!(sim.state.world.lock().unwrap().sesame.device_for("area:A101").unwrap().state, "unlocked");

    // The guest list answers a search, and the QR panel shows the code, meanwhile.
    let started = Instant::now();
    let search = s.wait_for("[data-testid=guest-search]").await;
    s.clear_and_type(&search, "いしい").await;
    s.wait_for_count("[data-testid=guest-row]", 1).await;
    s.click_css("[data-guest-id=B-LIVE] [data-testid=show-qr]").await;
    s.wait_for("[data-testid=guest-qr]").await;
    let responsive = started.elapsed();
    assert!(responsive < Duration::from_secs(5), "search and QR took {responsive:?}");
    assert_eq!(s.texts("[data-testid=sync]").await, ["同期中…"], "the sync is still waiting on the clouds");
    s.screenshot("live-desk-during-stall").await;
    eprintln!("unlock click → simulator: {to_wire:?}; search + QR panel: {responsive:?}");

    // A second launch on this PC hands over to the running app and ends: no second
    // window, no second worker.
    let mut second = std::process::Command::new(app_binary())
        .args(["--config", config.to_str().unwrap()])
        .spawn()
        .unwrap();
    let launched = Instant::now();
    let status = loop {
        if let Some(status) = second.try_wait().unwrap() {
            break status;
        }
        assert!(launched.elapsed() < Duration::from_secs(20), "the second launch kept running");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert!(status.success(), "{status:?}");
    s.wait_for("[data-testid=sync-status]").await;
    assert_eq!(
        s.texts("[data-testid=sync]").await,
        ["同期中…"],
        "the first app is still there, still waiting on the clouds"
    );

    s.close().await;
    let keyring = Keyring::new(KEYRING_SERVICE);
    let uuid = sim.state.world.lock().unwrap().sesame.device_for("area:A101").unwrap().uuid.clone();
    for name in [
        names::RESERVATION_TOKEN.to_string(),
        names::SPLATS_TOKEN.to_string(),
        names::SESAME_API_KEY.to_string(),
        names::device_secret(&uuid),
        names::guest_seed("B-LIVE"),
    ] {
        let _ = keyring.delete(&name);
    }
}
