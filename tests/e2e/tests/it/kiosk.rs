//! The kiosk window for real (`--kiosk`): a guest finds their booking on the keypad,
//! the QR on screen (decoded from a screenshot) opens the booked door in the simulator,
//! a wrong code is explained, the screen resets when left alone, a booking that has
//! ended shows no QR, and staff commands are refused in this window. Staff push a
//! guest to an open kiosk, which hears it (it no longer polls).

use uketsuke_core::desk::guests::{self, WalkIn};
use uketsuke_core::platform::clock;
use uketsuke_core::platform::secrets::{names, Keyring, SecretStore};
use uketsuke_e2e::{
    app_binary, enabled, map_demo_doors, scan, sync_setup, test_config, write_config, zbarimg, Driver,
    Session,
};
use uketsuke_sim::{Sim, SimConfig};

const KEYRING_SERVICE: &str = "jp.uketsuke.e2e-kiosk";
/// The app is single-instance: this file's tests take turns.
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

struct Facility {
    sim: Sim,
    _dir: tempfile::TempDir,
    config: std::path::PathBuf,
    /// The digits of the current walk-in's booking code.
    code: String,
    /// The current walk-in, and one whose booking ended two hours ago.
    current_id: String,
    ended_id: String,
}

async fn facility() -> Facility {
    let sim = Sim::start(SimConfig::default()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut c = test_config(dir.path(), KEYRING_SERVICE);
    c.splats.base_url = Some(sim.splats_url());
    c.splats.guest_membergroup_id = Some("mg-guest".into());
    c.splats.guest_qr_timestep_secs = 30;
    c.kiosk.store_id = Some("S001".into());
    c.kiosk.idle_reset_secs = Some(10);
    // A short grace, so that a booking of today has ended beyond it at any hour but
    // the first minute of the JST day (the test once failed at 00:25).
    c.splats.guest_grace_minutes = 1;
    let path = write_config(&c, dir.path());
    Keyring::new(KEYRING_SERVICE).set(names::SPLATS_TOKEN, uketsuke_sim::splats::DEMO_TOKEN).unwrap();

    let shared = sync_setup(&c, &sim, true).await;
    map_demo_doors(&shared);
    let now = clock::now_unix();
    let walk_in = |name: &str, phone: &str, starts_at: i64, ends_at: i64| WalkIn {
        store_id: "S001".into(),
        name: name.into(),
        name_kana: None,
        phone: Some(phone.into()),
        area_ids: vec!["A101".into()],
        starts_at,
        ends_at,
    };
    let add = |w: WalkIn| shared.write_now(|conn| guests::add_walk_in(conn, &w, now, "setup")).unwrap();
    let current = add(walk_in("石井 真央", "090-0000-4321", now - 600, now + 3600));
    // Ended beyond the grace, and still today in Japan (the kiosk looks up today's
    // bookings): ten minutes ago, or at the day's first second past midnight.
    let day = uketsuke_core::desk::guests::day_start(now);
    let (from, to) = ((now - 900).max(day), (now - 600).max(day + 1));
    let ended = add(walk_in("終了 済子", "080-0000-8765", from, to));
    let code = current.booking_code.unwrap().chars().filter(char::is_ascii_digit).collect();
    Facility { sim, _dir: dir, config: path, code, current_id: current.id, ended_id: ended.id }
}

async fn keypad(s: &Session, digits: &str) {
    for d in digits.chars() {
        s.click_css(&format!("[data-testid=key-{d}]")).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_guest_finds_their_booking_and_the_kiosk_qr_opens_the_door() {
    let _alone = uketsuke_e2e::alone().await;
    if !enabled() {
        return;
    }
    let _one = ONE_AT_A_TIME.lock().await;
    let f = facility().await;
    let driver = Driver::start().await;
    let s =
        Session::start(&driver, &app_binary(), &["--kiosk", "--config", f.config.to_str().unwrap()]).await;
    // Its first start, with no manager PIN yet: staff choose one before guests see it,
    // since only the PIN leaves the kiosk.
    s.wait_for("[data-testid=kiosk-setup]").await;
    s.screenshot("kiosk-first-pin").await;
    s.type_into("[data-testid=kiosk-setup-pin]", "2468").await;
    s.type_into("[data-testid=kiosk-setup-again]", "2468").await;
    s.click_css("[data-testid=kiosk-setup-submit]").await;
    s.wait_for("[data-testid=kiosk-start]").await;
    let again = s.invoke("kiosk_first_pin", serde_json::json!({ "pin": "1111" })).await;
    assert_eq!(again["err"]["code"], "manager_required", "the kiosk cannot replace it: {again}");
    s.wait_for_text("渋谷店").await;
    s.screenshot("kiosk-welcome").await;

    // This window may call the kiosk commands only.
    for (command, args) in [
        ("unlock", serde_json::json!({ "target": { "kind": "area", "id": "A101" } })),
        ("list_guests", serde_json::json!({ "storeId": "S001", "query": null })),
        ("guest_qr", serde_json::json!({ "guestId": "x" })),
        ("get_settings", serde_json::json!({})),
        ("push_to_kiosk", serde_json::json!({ "guestId": "x" })),
    ] {
        let reply = s.invoke(command, args).await;
        assert!(
            reply["err"].to_string().contains("not allowed"),
            "{command} must be refused in the kiosk: {reply}"
        );
    }
    assert_eq!(s.invoke("kiosk_current", serde_json::json!({})).await["ok"], serde_json::Value::Null);

    // A code alone cannot be looked up; a wrong one, with phone digits, is explained.
    s.click_css("[data-testid=kiosk-start]").await;
    keypad(&s, "9999").await;
    assert_eq!(s.script("return document.querySelector('[data-testid=kiosk-find]').disabled").await, true);
    s.click_css("[data-testid=kiosk-code-last4-field]").await;
    keypad(&s, "4321").await;
    s.click_css("[data-testid=kiosk-find]").await;
    s.wait_for("[data-testid=kiosk-error]").await;
    s.wait_for_text("ご予約が見つかりません").await;
    s.screenshot("kiosk-wrong-code").await;

    // The right code with the phone's last four digits: the QR, full screen, opens the room.
    s.click_css("[data-testid=kiosk-code-field]").await;
    s.click_css("[data-testid=key-clear]").await;
    keypad(&s, &f.code).await;
    s.click_css("[data-testid=kiosk-find]").await;
    s.wait_for("[data-testid=kiosk-qr]").await;
    s.wait_for_text("秒で切り替わります").await;
    let end: i64 = s
        .script("return Number(document.querySelector('[data-testid=kiosk-qr]').dataset.stepEnd)")
        .await
        .as_i64()
        .unwrap();
    if end - clock::now_unix() < 3 {
        tokio::time::sleep(std::time::Duration::from_secs(4)).await;
    }
    let shot = s.screenshot("kiosk-qr").await;
    let decoded = zbarimg(&shot);
    assert_eq!(decoded.len(), 1, "one QR on screen: {decoded:?}");
    assert_eq!(
        scan(&f.sim, "sa-0001", &decoded[0]).await["accepted"],
        true,
        "the door accepts the kiosk's QR"
    );
    assert_eq!(scan(&f.sim, "sa-0006", &decoded[0]).await["accepted"], true, "and the entrance");

    // Left alone, the kiosk goes back to its welcome screen and forgets the guest.
    s.wait_for("[data-testid=kiosk][data-screen=welcome]").await;
    assert_eq!(s.invoke("kiosk_current", serde_json::json!({})).await["ok"], serde_json::Value::Null);

    // By phone digits and name; this booking has ended, so no QR is shown.
    s.click_css("[data-testid=kiosk-start]").await;
    s.click_css("[data-testid=kiosk-by-phone]").await;
    keypad(&s, "8765").await;
    let name = s.wait_for("[data-testid=kiosk-name]").await;
    s.clear_and_type(&name, "終了").await;
    s.click_css("[data-testid=kiosk-find]").await;
    s.wait_for("[data-testid=kiosk-qr-error]").await;
    s.wait_for_text("ご利用時間が終了しました").await;
    assert!(s.find_all("[data-testid=kiosk-qr]").await.is_empty(), "no QR after the booking window");
    s.screenshot("kiosk-ended").await;

    // No exit button is shown; five quick taps on the store name open the staff's PIN.
    assert!(s.find_all("[data-testid=kiosk-exit]").await.is_empty());
    for _ in 0..5 {
        s.click_css("[data-testid=kiosk-store]").await;
    }
    s.wait_for("[data-testid=kiosk-pin]").await;
    s.screenshot("kiosk-exit-pin").await;
    s.close().await;
    Keyring::new(KEYRING_SERVICE).delete(names::SPLATS_TOKEN).unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn staff_push_guests_to_the_open_kiosk_and_it_hears_at_once() {
    let _alone = uketsuke_e2e::alone().await;
    if !enabled() {
        return;
    }
    let _one = ONE_AT_A_TIME.lock().await;
    let f = facility().await;
    let driver = Driver::start().await;
    let s = Session::start(&driver, &app_binary(), &["--config", f.config.to_str().unwrap()]).await;
    s.wait_for("[data-testid=guest-search]").await;
    let staff = s.window().await;

    // No kiosk before a manager PIN exists: the PIN is what brings this window back.
    let refused = s.invoke("open_kiosk", serde_json::json!({})).await;
    assert_eq!(refused["err"]["code"], "pin_not_set", "{refused}");
    let pin = s.invoke("set_manager_pin", serde_json::json!({ "pin": "2468" })).await;
    assert!(pin["err"].is_null(), "{pin}");

    // The kiosk opened by staff shows its welcome screen.
    assert_eq!(s.invoke("open_kiosk", serde_json::json!({})).await["ok"], serde_json::Value::Null);
    let kiosk = s.other_window(&staff).await;
    s.switch_to(&kiosk).await;
    s.wait_for("[data-testid=kiosk-start]").await;

    // Pushed from the staff window: the kiosk shows the guest's QR.
    s.switch_to(&staff).await;
    let pushed = s.invoke("push_to_kiosk", serde_json::json!({ "guestId": f.current_id })).await;
    assert!(pushed.get("ok").is_some(), "{pushed}");
    s.switch_to(&kiosk).await;
    s.wait_for("[data-testid=kiosk-qr]").await;
    s.wait_for_text("石井 真央 様").await;
    s.screenshot("kiosk-pushed").await;

    // A second push replaces it while the kiosk is open (its booking has ended: no QR).
    s.switch_to(&staff).await;
    s.invoke("push_to_kiosk", serde_json::json!({ "guestId": f.ended_id })).await;
    s.switch_to(&kiosk).await;
    s.wait_for_text("終了 済子 様").await;
    s.wait_for("[data-testid=kiosk-qr-error]").await;
    assert!(s.find_all("[data-testid=kiosk-qr]").await.is_empty(), "no QR for an ended booking");
    s.screenshot("kiosk-pushed-ended").await;
    s.close().await;
    Keyring::new(KEYRING_SERVICE).delete(names::SPLATS_TOKEN).unwrap();
    drop(f.sim);
}
