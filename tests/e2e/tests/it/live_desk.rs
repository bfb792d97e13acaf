//! The live front desk in the real window: the background worker syncs by itself and
//! issues door access ahead of arrival, and while the reservation system and SPLATS
//! hang in the middle of a sync, an Unlock still reaches the lock cloud at once and
//! the guest list and the QR panel stay responsive.

use std::time::{Duration, Instant};
use uketsuke_core::platform::clock;
use uketsuke_core::platform::secrets::{names, Keyring, SecretStore};
use uketsuke_e2e::{app_binary, enabled, live_desk, Driver, Session};
use uketsuke_sim::faults::Fault;
use uketsuke_sim::{Sim, SimConfig};

const KEYRING_SERVICE: &str = "jp.uketsuke.e2e-live";

/// A facility with the worker on (the default), A101's lock registered, rooms mapped
/// onto SPLATS, and a booking in A101 from ten minutes ago that nobody has issued yet.
async fn facility() -> (Sim, tempfile::TempDir, std::path::PathBuf) {
    let sim = Sim::start(SimConfig::default()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = live_desk(&sim, dir.path(), KEYRING_SERVICE, |_| {}).await; // the worker on: what this is about
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
    let _alone = uketsuke_e2e::alone().await;
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
