//! The door board in the real staff window: an area whose only door is a SPLATS pass
//! controller (an electric lock) offers Unlock, and pressing it moves the simulated
//! pass controller through the extended API; a door left open and a low battery, both
//! set in the simulator, show on the board with their alerts until acknowledged; a
//! guest is given key 01 and the simulated key box reports it taken; key 02 goes with
//! the booking (its QR on screen takes it at the box), and a key past its due time
//! shows as not returned with an alert; 全施錠 behind the manager PIN and a reason
//! locks the store's SESAME door and names the one it cannot lock.

use uketsuke_core::clouds::sesame::{DeviceUuid, SecretKey};
use uketsuke_core::desk::doors::lock::{self, Target};
use uketsuke_core::platform::secrets::{names, ExposeSecret, Keyring, SecretStore};
use uketsuke_e2e::{
    app_binary, enabled, map_demo_doors, sync_setup, test_config, write_config, Driver, Session,
};
use uketsuke_sim::{Sim, SimConfig};

const KEYRING_SERVICE: &str = "jp.uketsuke.e2e-doors";

#[tokio::test(flavor = "multi_thread")]
async fn unlock_on_a_splats_only_area_moves_the_pass_controller() {
    let _alone = uketsuke_e2e::alone().await;
    if !enabled() {
        return;
    }
    let sim = Sim::start(SimConfig::default()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut c = test_config(dir.path(), KEYRING_SERVICE);
    c.splats.base_url = Some(sim.splats_url());
    c.splats.pass_status_every_secs = 5;
    c.splats.guest_membergroup_id = Some("mg-guest".into());
    c.sesame.base_url = Some(sim.sesame_url());
    c.sesame.poll_interval_secs = 60; // the first poll is at start-up
    let config = write_config(&c, dir.path());
    let keyring = Keyring::new(KEYRING_SERVICE);
    keyring.set(names::SPLATS_TOKEN, uketsuke_sim::splats::DEMO_TOKEN).unwrap();
    keyring.set(names::SPLATS_LICENSE_KEY, uketsuke_sim::splats::DEMO_LICENSE_KEY).unwrap();
    keyring.set(names::SESAME_API_KEY, uketsuke_sim::sesame::DEMO_API_KEY).unwrap();
    let shared = sync_setup(&c, &sim, true).await;
    // 会議室B has a SESAME lock whose battery is at 12 %.
    let b = {
        let mut w = sim.state.world.lock().unwrap();
        let d = w.sesame.devices.values_mut().find(|d| d.door == "area:A102").unwrap();
        d.battery = 12;
        d.clone()
    };
    let (uuid, key) = (
        DeviceUuid::parse(&b.uuid).unwrap(),
        SecretKey::parse(&b.secret.iter().map(|x| format!("{x:02x}")).collect::<String>()).unwrap(),
    );
    shared
        .write_now(|conn| lock::assign(conn, &keyring, &Target::Area("A102".into()), &uuid, &key, "setup"))
        .unwrap();
    map_demo_doors(&shared); // A101 → sa-0001 (pass controller pc-0001); no SESAME lock anywhere
    let now = uketsuke_core::platform::clock::now_unix();
    let walk_in = uketsuke_core::desk::guests::WalkIn {
        store_id: "S001".into(),
        name: "鍵田 一".into(),
        name_kana: None,
        phone: None,
        area_ids: vec!["A101".into()],
        starts_at: now - 60,
        ends_at: now + 3600,
    };
    let guest =
        shared.write_now(|c| uketsuke_core::desk::guests::add_walk_in(c, &walk_in, now, "setup")).unwrap();
    // 950 SESAME calls already today: near the daily free limit (1,000 by default).
    shared
        .write_now(|c| {
            for _ in 0..950 {
                uketsuke_core::desk::calls::meter::count(
                    c,
                    "sesame",
                    uketsuke_core::desk::calls::meter::CallKind::Status,
                    now,
                )?;
            }
            Ok(())
        })
        .unwrap();
    let locked = || {
        let w = sim.state.world.lock().unwrap();
        w.splats.passes.iter().find(|p| p.device_id == "pc-0001").unwrap().locked
    };
    assert!(locked());

    let driver = Driver::start().await;
    let s = Session::start(&driver, &app_binary(), &["--config", config.to_str().unwrap()]).await;
    let card = "[data-area-id=A101]";
    // Read at start-up: the pass controller's state and its age are on the card.
    s.wait_for(&format!("{card} [data-testid=pass-door][data-device-id=pc-0001][data-state=locked]")).await;
    assert!(s.find_all(&format!("{card} [data-testid=unlock]")).await.is_empty(), "no SESAME button");
    s.click_css(&format!("{card} [data-testid=pass-unlock]")).await;
    s.wait_for(&format!("{card}[data-phase=confirmed]")).await;
    assert!(!locked(), "the simulated pass controller unlocked");
    s.screenshot("door-board-splats-unlock").await;

    // A door left open in the simulator shows so after the next reading.
    sim.state
        .world
        .lock()
        .unwrap()
        .splats
        .passes
        .iter_mut()
        .find(|p| p.device_id == "pc-0001")
        .unwrap()
        .door_open = true;
    s.wait_for(&format!("{card} [data-testid=pass-door][data-state=open]")).await;
    s.wait_for("[data-testid=alert][data-kind=door_open]").await;
    s.wait_for("[data-testid=alert][data-kind=battery_replace]").await;
    s.wait_for_text("12%").await;
    s.screenshot("door-board-left-open").await;
    // Acknowledged, an alert stops calling for attention.
    s.click_css("[data-testid=alert][data-kind=door_open] [data-testid=alert-ack]").await;
    s.wait_for_count("[data-testid=alert]", 1).await;

    // The guest is given key 01: the simulated key box reports it taken.
    s.click_css(&format!("[data-guest-id='{}'] [data-testid=guest-more]", guest.id)).await;
    s.click_css("[data-testid=give-key]").await;
    s.click_css("[data-testid=key-box][data-device-id=kb-0001] [data-testid=key-unit][data-unit='01']").await;
    s.wait_for("[data-testid=key-given]").await;
    s.wait_for("[data-testid=key-unit][data-unit='01'][data-taken=true]").await;
    let taken = sim.state.world.lock().unwrap().splats.keys[0].taken.clone();
    assert_eq!(taken.into_iter().collect::<Vec<_>>(), ["01"]);
    s.screenshot("door-board-key-given").await;

    // Key 02 with the booking: the guest takes it at the box with the QR shown here.
    s.click_css("[data-testid=key-mode-booking]").await;
    s.click_css("[data-testid=key-box][data-device-id=kb-0001] [data-testid=key-unit][data-unit='02']").await;
    s.wait_for("[data-testid=key-qr] img").await;
    let shot = s.screenshot("door-board-key-with-booking").await;
    let key_qr = keyring.get(&names::guest_key_qr(&guest.id)).unwrap().expect("the key QR is in the keyring");
    assert_eq!(uketsuke_e2e::zbarimg(&shot), [key_qr.expose_secret().to_string()], "the QR on screen");
    let taken_at = uketsuke_core::platform::clock::now_unix();
    sim.state
        .world
        .lock()
        .unwrap()
        .splats
        .take_key("kb-0001", key_qr.expose_secret(), "02", taken_at)
        .unwrap();
    s.click_css("[data-testid=key-close]").await;

    // The board shows both keys out with their holder. Time passes (the due time of key
    // 01 moves into the past): key 01 is not returned, and the alert says so.
    s.wait_for("[data-testid=key-board-unit][data-unit='02'][data-state=taken]").await;
    shared
        .write_now(|c| Ok(c.execute("UPDATE guest_keys SET due_at = ?1 WHERE unit_no = '01'", [now - 60])?))
        .unwrap();
    s.wait_for("[data-testid=key-board-unit][data-unit='01'][data-state=not_returned]").await;
    s.wait_for("[data-testid=alert][data-kind=key_not_returned]").await;
    s.script("document.querySelector('[data-testid=key-board]').scrollIntoView({ block: 'center' })").await;
    s.screenshot("door-board-key-not-returned").await;

    // 全施錠 at closing time: the manager PIN (the first, chosen here), who is inside, a
    // reason, one more yes; 会議室B's SESAME lock locks, 会議室A's SPLATS door is named as
    // one this cannot lock.
    sim.state
        .world
        .lock()
        .unwrap()
        .sesame
        .devices
        .values_mut()
        .find(|d| d.door == "area:A102")
        .unwrap()
        .state = "unlocked".into();
    s.click_css("[data-testid=lock-all]").await;
    // The PIN field takes the focus by itself; typing before it has would be split.
    s.wait_for("[data-testid=all-doors] [data-testid=pin-input]:focus").await;
    s.type_into("[data-testid=all-doors] [data-testid=pin-input]", "2468").await;
    s.type_into("[data-testid=all-doors] [data-testid=pin-again]", "2468").await;
    s.click_css("[data-testid=all-doors] [data-testid=pin-submit]").await;
    s.wait_for("[data-testid=all-doors-door][data-means=sesame]").await;
    assert!(s.text(&s.wait_for("[data-testid=all-doors-inside]").await).await.contains("鍵田 一"));
    s.click_css("[data-testid=all-doors-next]").await;
    s.wait_for("[data-testid=all-doors] [data-code=reason_missing]").await;
    s.type_into("[data-testid=all-doors-reason]", "閉店").await;
    s.screenshot("all-doors-plan").await;
    s.click_css("[data-testid=all-doors-next]").await;
    s.wait_for("[data-testid=all-doors-confirm]:not([disabled])").await;
    s.click_css("[data-testid=all-doors-confirm]").await;
    s.wait_for("[data-testid=all-doors-close]:not([disabled])").await;
    s.wait_for("[data-testid=all-doors-result][data-outcome=done]").await;
    s.screenshot("all-doors-result").await;
    let a102 = sim.state.world.lock().unwrap().sesame.device_for("area:A102").unwrap().state.clone();
    assert_eq!(a102, "locked", "the simulated lock was locked");
    s.click_css("[data-testid=all-doors-close]").await;
    s.wait_gone("[data-testid=all-doors]").await;

    // The meter in yen, and the warning before the daily free limit.
    s.wait_for("[data-testid=charge-warning][data-kind=daily_near]").await;
    assert!(s.text(&s.wait_for("[data-testid=meter-yen]").await).await.contains('¥'));
    s.screenshot("door-board-charge-warning").await;
    s.close().await;
    // The app's log files, after all this, hold no secret.
    let logs = uketsuke_e2e::app_logs(dir.path());
    assert!(logs.contains("started"), "the app wrote its log file");
    for secret in [
        uketsuke_sim::splats::DEMO_TOKEN,
        uketsuke_sim::splats::DEMO_LICENSE_KEY,
        uketsuke_sim::sesame::DEMO_API_KEY,
        key_qr.expose_secret(),
    ] {
        assert!(!logs.contains(secret), "a secret in the app's log");
    }
    for name in [
        names::SPLATS_TOKEN,
        names::SPLATS_LICENSE_KEY,
        names::SESAME_API_KEY,
        &names::device_secret(&b.uuid),
        &names::guest_key_qr(&guest.id),
    ] {
        keyring.delete(name).unwrap();
    }
}
