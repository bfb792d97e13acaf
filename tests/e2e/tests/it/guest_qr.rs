//! A guest's rotating QR in the real staff window: decoded from a screenshot with
//! `zbarimg`, it is what the simulated SPLATS reader accepts, and it changes at the
//! step boundary.

use std::time::Duration;
use uketsuke_core::desk::guests::{self, WalkIn};
use uketsuke_core::platform::clock;
use uketsuke_core::platform::secrets::{names, ExposeSecret, Keyring, SecretStore};
use uketsuke_e2e::{
    app_binary, enabled, map_demo_doors, scan, sync_setup, test_config, write_config, zbarimg, Driver,
    Session,
};
use uketsuke_sim::{Sim, SimConfig, DEMO_RESERVATION_TOKEN};

const KEYRING_SERVICE: &str = "jp.uketsuke.e2e-qr";

/// The demo facility synced into a fresh cache, areas mapped onto SPLATS, and a walk-in
/// booked from ten minutes ago (so the test does not depend on the time of day).
async fn facility() -> (Sim, tempfile::TempDir, std::path::PathBuf, String) {
    let sim = Sim::start(SimConfig::default()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut c = test_config(dir.path(), KEYRING_SERVICE);
    c.reservation.base_url = Some(sim.reservation_url());
    c.reservation.client_id = Some("demo".into());
    c.sesame.base_url = Some(sim.sesame_url());
    c.splats.base_url = Some(sim.splats_url());
    c.splats.guest_membergroup_id = Some("mg-guest".into());
    c.splats.guest_qr_timestep_secs = 30;
    c.splats.guest_qr_skew = 0;
    let path = write_config(&c, dir.path());
    let keyring = Keyring::new(KEYRING_SERVICE);
    keyring.set(names::RESERVATION_TOKEN, DEMO_RESERVATION_TOKEN).unwrap();
    keyring.set(names::SPLATS_TOKEN, uketsuke_sim::splats::DEMO_TOKEN).unwrap();

    // One booking of the reservation system, in A101 with the walk-in (no seeded one in
    // the way, whatever the time of day), for the stay changed at the counter.
    let now = clock::now_unix();
    {
        let mut w = sim.state.world.lock().unwrap();
        w.guests.clear();
        w.guests.push(uketsuke_sim::world::SimGuest {
            id: "B-E2E".into(),
            store_id: "S001".into(),
            booking_code: "RSV-7001".into(),
            name: "延長 花子".into(),
            name_kana: "エンチョウ ハナコ".into(),
            phone: String::new(),
            starts_at: now - 600,
            ends_at: now + 3600,
            area_ids: vec!["A101".into()],
            raw_start_at: None,
        });
    }
    let shared = sync_setup(&c, &sim, true).await;
    map_demo_doors(&shared);
    let reservation = uketsuke_core::clouds::reservation::ReservationClient::new(
        &sim.reservation_url(),
        DEMO_RESERVATION_TOKEN.into(),
    );
    uketsuke_core::workflows::sync::guests_today(&shared, &reservation, "setup", now).await.unwrap();
    let walk_in = WalkIn {
        store_id: "S001".into(),
        name: "石井 真央".into(),
        name_kana: Some("イシイ マオ".into()),
        phone: None,
        area_ids: vec!["A101".into()],
        starts_at: now - 600,
        ends_at: now + 3600,
    };
    let id = shared.write_now(|conn| guests::add_walk_in(conn, &walk_in, now, "setup")).unwrap().id;
    (sim, dir, path, id)
}

/// The server-clock second at which the QR on screen is replaced.
/// The cache file the config names.
fn c_database(config: &std::path::Path) -> std::path::PathBuf {
    uketsuke_core::Config::load(Some(config)).unwrap().database.unwrap()
}

async fn step_end(s: &Session) -> i64 {
    s.script("return Number(document.querySelector('[data-testid=guest-qr]').dataset.stepEnd)")
        .await
        .as_i64()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_qr_on_screen_opens_the_door_and_rotates() {
    let _alone = uketsuke_e2e::alone().await;
    if !enabled() {
        return;
    }
    let (sim, _dir, config, guest) = facility().await;
    let driver = Driver::start().await;
    let s = Session::start(&driver, &app_binary(), &["--config", config.to_str().unwrap()]).await;

    // Find the guest by kana, open their QR (this issues their SPLATS member).
    let search = s.wait_for("[data-testid=guest-search]").await;
    s.clear_and_type(&search, "いしい").await;
    s.wait_for_count("[data-testid=guest-row]", 1).await;
    assert_eq!(s.find_all("[data-testid=guest-row]").await.len(), 1, "search narrows the list");
    s.click_css(&format!("[data-guest-id='{guest}'] [data-testid=show-qr]")).await;
    s.wait_for("[data-testid=guest-qr]").await;
    s.wait_for_text("秒で切り替わります").await;

    // Decode what is on screen, as the door's reader would.
    let mut first_end = step_end(&s).await;
    if first_end - clock::now_unix() < 3 {
        // Too close to the boundary for a stable screenshot: take the next code.
        tokio::time::sleep(Duration::from_secs(4)).await;
        first_end = step_end(&s).await;
    }
    let shot = s.screenshot("guest-qr-1").await;
    let decoded = zbarimg(&shot);
    assert_eq!(decoded.len(), 1, "one QR on screen: {decoded:?}");
    let first = decoded[0].clone();
    assert!(first.starts_with("SL-OTQR?v=1&data="), "{first}");
    let verdict = scan(&sim, "sa-0001", &first).await;
    assert_eq!(verdict["accepted"], true, "the simulator accepts the code on screen: {verdict}");
    assert_eq!(
        scan(&sim, "sa-0002", &first).await["reason"],
        "no_permission",
        "and only for the booked room"
    );

    // After the step boundary the picture changes, and the new code is the valid one.
    let wait = (first_end - clock::now_unix()).max(0) as u64;
    tokio::time::sleep(Duration::from_secs(wait) + Duration::from_millis(600)).await;
    let second_end = step_end(&s).await;
    assert!(second_end > first_end, "the QR moved to the next step ({first_end} → {second_end})");
    let shot = s.screenshot("guest-qr-2").await;
    let second = zbarimg(&shot).pop().expect("a QR after the boundary");
    assert_ne!(second, first, "the code rotated");
    assert_eq!(scan(&sim, "sa-0001", &second).await["accepted"], true);
    assert_eq!(
        scan(&sim, "sa-0001", &first).await["reason"],
        "totp_mismatch",
        "skew 0: the old code is dead"
    );

    // Checking out revokes it at once.
    s.click_css("[data-testid=qr-close]").await;
    s.click_css(&format!("[data-guest-id='{guest}'] [data-testid=check-out]")).await;
    // It asks once; the yes takes clicks after its first 0.6 s.
    s.wait_for("[data-testid=check-out-confirm-confirm]:not([disabled])").await;
    s.click_css("[data-testid=check-out-confirm-confirm]").await;
    s.wait_for(&format!("[data-guest-id='{guest}'][data-status=left]")).await;
    assert_eq!(scan(&sim, "sa-0001", &second).await["accepted"], false);
    s.screenshot("guest-list-after-checkout").await;

    // 1時間延長 at the counter: in the reservation system, and the booking's QR opens the
    // door in the added hour (its code for then, made from the kept seed).
    s.clear_and_type(&search, "えんちょう").await;
    s.wait_for_count("[data-testid=guest-row]", 1).await;
    s.click_css("[data-guest-id='B-E2E'] [data-testid=show-qr]").await; // issues the member
    s.wait_for("[data-testid=guest-qr]").await;
    s.click_css("[data-testid=qr-close]").await;
    let before = sim.state.world.lock().unwrap().guests[0].ends_at;
    // By keyboard: その他 ▾, ↓ to its first entry (時間・部屋を変更), Enter.
    s.script("document.querySelector(\"[data-guest-id='B-E2E'] [data-testid=guest-more]\").focus()").await;
    s.keys("\u{E015}").await;
    s.screenshot("guest-more-menu").await;
    s.keys("\n").await;
    s.wait_for("[data-testid=stay-dialog]").await;
    s.click_css("[data-testid=stay-plus-60]").await;
    s.screenshot("stay-dialog").await;
    s.click_css("[data-testid=stay-save]").await;
    s.wait_gone("[data-testid=stay-dialog]").await;
    s.wait_for_text("までに変更しました").await;
    assert_eq!(sim.state.world.lock().unwrap().guests[0].ends_at, before + 3600, "in the reservation");
    let late = before + 15 * 60 + 20 * 60; // past the old end and its grace
    let db = uketsuke_core::platform::db::Db::open(&c_database(&config)).unwrap();
    let keyring = Keyring::new(KEYRING_SERVICE);
    let cfg = uketsuke_core::Config::load(Some(&config)).unwrap();
    let qr = uketsuke_core::desk::guests::access::qr(&db, None, &keyring, &cfg, "B-E2E", Some(late))
        .await
        .unwrap();
    sim.state.clock.set_now(late);
    assert_eq!(
        scan(&sim, "sa-0001", &qr.frame.payload).await["accepted"],
        true,
        "let in during the added hour"
    );

    // A printed pass for a guest without a smartphone: the slip on screen carries a fixed
    // QR (a SPLATS guest's) that the simulated reader takes in the booking's window.
    s.click_css("[data-guest-id='B-E2E'] [data-testid=guest-more]").await;
    s.click_css("[data-testid=print-pass]").await;
    s.wait_for("[data-testid=pass-slip]").await;
    let shot = s.screenshot("pass-dialog").await;
    let pass_qr =
        keyring.get(&names::guest_pass_qr("B-E2E")).unwrap().expect("the pass QR is in the keyring");
    assert_eq!(
        uketsuke_e2e::zbarimg(&shot),
        [pass_qr.expose_secret().to_string()],
        "the slip's QR on screen"
    );
    assert_eq!(
        scan(&sim, "sa-0001", pass_qr.expose_secret()).await["accepted"],
        true,
        "the pass opens the room"
    );
    s.click_css("[data-testid=pass-close]").await;
    s.wait_gone("[data-testid=pass-dialog]").await;

    // A note for the next shift stays until someone else acknowledges it by name.
    s.click_css("[data-testid=handover-open]").await;
    let body = s.wait_for("[data-testid=handover-body]").await;
    s.clear_and_type(&body, "会議室Aのエアコンが止まりません").await;
    s.click_css("[data-testid=handover-save]").await;
    s.wait_for("[data-testid=handover-note]").await;
    s.screenshot("handover-note").await;
    s.click_css("[data-testid=handover-ack]").await; // the writer's own name: refused
    s.wait_for("[data-testid=handover-error][data-code=note_own]").await;
    let name = s.wait_for("[data-testid=handover-ack-name]").await;
    s.clear_and_type(&name, "遅番 鈴木").await;
    s.click_css("[data-testid=handover-ack]").await;
    s.wait_gone("[data-testid=handover-note]").await;
    s.close().await;
    for name in [names::RESERVATION_TOKEN, names::SPLATS_TOKEN] {
        keyring.delete(name).unwrap();
    }
    let _ = keyring.delete(&names::guest_pass_qr("B-E2E"));
}
