//! Manager settings in the real window: the first PIN, the SESAME API key, an area's
//! lock and a store made by hand, each checked and saved; then, back as staff, the
//! lock opens from the door card, and no command (settings or any other) gives staff
//! the settings or a secret.

use serde_json::{json, Value};
use uketsuke_core::platform::secrets::{names, ExposeSecret, Keyring, SecretStore};
use uketsuke_e2e::{app_binary, enabled, sync_setup, test_config, write_config, Driver, Session};
use uketsuke_sim::{Sim, SimConfig, DEMO_RESERVATION_TOKEN};

const KEYRING_SERVICE: &str = "jp.uketsuke.e2e-settings";

/// Stores, areas and SPLATS areas synced; no lock registered and no SESAME key yet.
async fn facility() -> (Sim, tempfile::TempDir, std::path::PathBuf) {
    let sim = Sim::start(SimConfig::default()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut c = test_config(dir.path(), KEYRING_SERVICE);
    c.reservation.base_url = Some(sim.reservation_url());
    c.reservation.client_id = Some("demo-client".into());
    c.sesame.base_url = Some(sim.sesame_url());
    c.sesame.confirm_delay_ms = 300;
    c.splats.base_url = Some(sim.splats_url());
    let path = write_config(&c, dir.path());
    let keyring = Keyring::new(KEYRING_SERVICE);
    keyring.set(names::RESERVATION_TOKEN, DEMO_RESERVATION_TOKEN).unwrap();
    keyring.set(names::SPLATS_TOKEN, uketsuke_sim::splats::DEMO_TOKEN).unwrap();
    sync_setup(&c, &sim, true).await;
    (sim, dir, path)
}

fn hex(b: &[u8; 16]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// Every command the app has, with arguments good enough to get past parsing.
fn every_command() -> Vec<(&'static str, Value)> {
    let area = json!({ "kind": "area", "id": "A101" });
    vec![
        ("app_info", json!({})),
        ("list_stores", json!({})),
        ("list_areas", json!({ "storeId": null })),
        ("list_doors", json!({ "storeId": "S001" })),
        ("lock_info", json!({})),
        ("refresh_status", json!({ "target": area })),
        ("list_guests", json!({ "storeId": "S001", "query": null })),
        ("role_status", json!({})),
        ("get_settings", json!({})),
        ("save_cloud_settings", json!({ "input": {} })),
        ("save_store", json!({ "input": { "name": "x" } })),
        ("save_area", json!({ "input": { "store_id": "S001", "name": "x" } })),
        ("remove_door", json!({ "target": area })),
        ("import_lock_qr", json!({ "target": area, "image": [137, 80, 78, 71] })),
        ("reservation_sign_in", json!({})),
        ("export_settings", json!({})),
        ("preview_import", json!({ "text": "{}" })),
        ("import_settings", json!({ "text": "{}" })),
        ("set_manager_pin", json!({ "pin": "1111" })),
        ("history_page", json!({ "filter": {} })),
        ("history_report", json!({ "since": "2026-01-01", "until": "2026-12-31" })),
        ("audit_status", json!({})),
        ("kiosk_at_login", json!({ "enabled": true })),
        ("facility_settings", json!({})),
        ("facility_code", json!({})),
        ("facility_join", json!({ "input": { "code": "AAAA-BBBB-CCCC-DDDD" } })),
        ("members_view", json!({})),
        (
            "member_save",
            json!({ "form": { "member_id": null, "name": "x", "code": "", "membergroup_id": "mg-staff",
            "credential": { "kind": "one_time_qr" }, "use_start": "", "use_end": "", "areas": [], "keep_permissions": false } }),
        ),
        ("member_delete", json!({ "memberId": "m-1" })),
        ("member_face", json!({ "memberId": "m-1", "photo": [255, 216, 255] })),
        ("member_face_progress", json!({ "requestId": "req-1" })),
        ("member_face_remove", json!({ "memberId": "m-1" })),
        ("manager_unlock", json!({ "pin": "0000" })),
    ]
}

const MANAGER_ONLY: &[&str] = &[
    "get_settings",
    "save_cloud_settings",
    "save_store",
    "save_area",
    "remove_door",
    "import_lock_qr",
    "reservation_sign_in",
    "export_settings",
    "preview_import",
    "import_settings",
    "set_manager_pin",
    "kiosk_at_login",
    "facility_settings",
    "facility_code",
    "facility_join",
    "members_view",
    "member_save",
    "member_delete",
    "member_face",
    "member_face_progress",
    "member_face_remove",
];

#[tokio::test(flavor = "multi_thread")]
async fn a_manager_configures_locks_and_staff_cannot_see_settings_or_secrets() {
    let _alone = uketsuke_e2e::alone().await;
    if !enabled() {
        return;
    }
    let (sim, _dir, config) = facility().await;
    let (a101, a102) = {
        let w = sim.state.world.lock().unwrap();
        (w.sesame.device_for("area:A101").unwrap().clone(), w.sesame.device_for("area:A102").unwrap().clone())
    };
    let driver = Driver::start().await;
    let s = Session::start(&driver, &app_binary(), &["--config", config.to_str().unwrap()]).await;

    // First time: the manager chooses a PIN (twice) and is in.
    s.first_manager_pin("2468").await;
    s.wait_for("[data-testid=settings-page][data-role=manager] [data-testid=cloud-form]").await;

    // The SESAME API key: a wrong shape is explained, the right one is kept masked.
    s.type_into("[data-testid=cloud-sesame-key]", "short-key").await;
    s.click_css("[data-testid=cloud-save]").await;
    s.wait_for_text("英数字 40 文字").await;
    // The UI knows which field by the error's code, not its wording.
    s.wait_for("[data-testid=cloud-error][data-code=api_key_invalid]").await;
    s.wait_for("[data-testid=cloud-sesame-key][aria-invalid=true]").await;
    s.type_into("[data-testid=cloud-sesame-key]", uketsuke_sim::sesame::DEMO_API_KEY).await;
    s.click_css("[data-testid=cloud-save]").await;
    s.wait_for("[data-testid=cloud-sesame-key-state][data-set=true]").await;
    let masked = s.texts("[data-testid=cloud-sesame-key-state]").await;
    assert_eq!(masked, ["••••••••klmn"]);

    // A101's lock: a bad UUID, then a key that is not 32 hex characters, then the pair.
    let row = "[data-testid=area-settings][data-area-id=A101]";
    s.type_into(&format!("{row} [data-testid=area-uuid]"), "not-a-uuid").await;
    s.click_css(&format!("{row} [data-testid=area-save]")).await;
    s.wait_for(&format!("{row} [data-testid=area-error][data-code=uuid_invalid]")).await;
    s.wait_for(&format!("{row} [data-testid=area-uuid][aria-invalid=true]")).await;
    s.type_into(&format!("{row} [data-testid=area-uuid]"), &a101.uuid.to_lowercase()).await;
    s.type_into(&format!("{row} [data-testid=area-secret]"), &hex(&a101.secret)[..31]).await;
    s.click_css(&format!("{row} [data-testid=area-save]")).await;
    s.wait_for_text("32").await;
    s.wait_for(&format!("{row} [data-testid=area-error][data-code=secret_key_invalid]")).await;
    s.wait_for(&format!("{row} [data-testid=area-secret][aria-invalid=true]")).await;
    s.screenshot("settings-field-error").await;
    s.type_into(&format!("{row} [data-testid=area-secret]"), &hex(&a101.secret)).await;
    s.script(&format!(
        "const sel = document.querySelector('{row} [data-testid=area-splats]'); sel.value = 'sa-0001'; sel.dispatchEvent(new Event('change', {{ bubbles: true }}));"
    ))
    .await;
    s.click_css(&format!("{row} [data-testid=area-save]")).await;
    s.wait_for(&format!("{row} [data-testid=area-secret-state][data-set=true]")).await;
    // The test button reads the lock's status with the saved pair.
    s.click_css(&format!("{row} [data-testid=area-test]")).await;
    s.wait_for(&format!("{row} [data-testid=area-test-result]")).await;

    // The same lock cannot serve a second door.
    let other = "[data-testid=area-settings][data-area-id=A102]";
    s.type_into(&format!("{other} [data-testid=area-uuid]"), &a101.uuid).await;
    s.type_into(&format!("{other} [data-testid=area-secret]"), &hex(&a101.secret)).await;
    s.click_css(&format!("{other} [data-testid=area-save]")).await;
    s.wait_for_text("既に area:A101「会議室A」で使われています").await;

    // A store made by hand, then an area in it with its own lock.
    s.click_css("[data-testid=add-store]").await;
    s.type_into("[data-testid=store-settings][data-store-id=new] [data-testid=store-name]", "池袋店").await;
    s.click_css("[data-testid=store-settings][data-store-id=new] [data-testid=store-save]").await;
    s.wait_for("[data-testid=store-settings][data-store-id=M-S001]").await;
    s.click_css("[data-store-id=M-S001] [data-testid=add-area]").await;
    let new_area = "[data-store-id=M-S001] [data-testid=area-settings][data-area-id=new]";
    s.type_into(&format!("{new_area} [data-testid=area-name]"), "個室1").await;
    s.type_into(&format!("{new_area} [data-testid=area-uuid]"), &a102.uuid).await;
    s.type_into(&format!("{new_area} [data-testid=area-secret]"), &hex(&a102.secret)).await;
    s.click_css(&format!("{new_area} [data-testid=area-save]")).await;
    s.wait_for("[data-store-id=M-S001] [data-testid=area-settings][data-area-id=M-A001]").await;
    s.screenshot("settings-manager").await;

    // 渋谷店's entrance lock from the QR image the SESAME app saved for its manager key.
    let entrance = sim.state.world.lock().unwrap().sesame.device_for("entrance:S001").unwrap().clone();
    let png = uketsuke_core::platform::images::qr::png(&entrance.manager_key_url(), 6).unwrap();
    s.script(&format!(
        "const dt = new DataTransfer();
         dt.items.add(new File([new Uint8Array({})], 'key.png', {{ type: 'image/png' }}));
         const input = document.querySelector('[data-store-id=S001] [data-testid=entrance-qr] [data-testid=lock-qr-file]');
         input.files = dt.files;
         input.dispatchEvent(new Event('change', {{ bubbles: true }}));",
        serde_json::to_string(&png).unwrap()
    ))
    .await;
    s.wait_for("[data-store-id=S001] [data-testid=store-entrance-secret-state][data-set=true]").await;
    let uuid = s
        .script(
            "return document.querySelector('[data-store-id=S001] [data-testid=store-entrance-uuid]').value",
        )
        .await;
    assert_eq!(uuid.as_str(), Some(entrance.uuid.as_str()), "the UUID was read from the image");
    s.script("document.querySelector('[data-store-id=S001] [data-testid=entrance-qr]').scrollIntoView({ block: 'center' })").await;
    s.screenshot("settings-lock-from-qr").await;

    // The keyring has the keys; SQLite and the config file do not.
    let keyring = Keyring::new(KEYRING_SERVICE);
    assert_eq!(
        keyring.get(&names::device_secret(&a101.uuid)).unwrap().map(|s| s.expose_secret().to_string()),
        Some(hex(&a101.secret))
    );
    let config_text = std::fs::read_to_string(&config).unwrap();
    assert!(!config_text.contains(uketsuke_sim::sesame::DEMO_API_KEY));
    let db_bytes = std::fs::read(_dir.path().join("cache.sqlite3")).unwrap();
    let db_text = String::from_utf8_lossy(&db_bytes);
    assert!(!db_text.contains(&hex(&a101.secret)) && !db_text.contains(uketsuke_sim::sesame::DEMO_API_KEY));

    // A settings file that points SESAME elsewhere: shown before anything is applied,
    // with what it would remove; cancelled here.
    let file = json!({
        "format": "uketsuke-settings", "version": 1, "exported_at": "2026-11-24T09:00:00+09:00",
        "clouds": { "sesame_base_url": "https://elsewhere.example" }, "stores": []
    });
    s.script(&format!(
        "const dt = new DataTransfer();
         dt.items.add(new File([{}], 'moved.json', {{ type: 'application/json' }}));
         const input = document.querySelector('[data-testid=import-settings-file]');
         input.files = dt.files;
         input.dispatchEvent(new Event('change', {{ bubbles: true }}));",
        serde_json::to_string(&file.to_string()).unwrap()
    ))
    .await;
    s.wait_for("[data-testid=import-preview] [data-testid=import-moved][data-cloud=sesame]").await;
    s.wait_for_text("https://elsewhere.example").await;
    s.script("document.querySelector('[data-testid=import-preview]').scrollIntoView({ block: 'center' })")
        .await;
    s.screenshot("settings-import-preview").await;
    s.click_css("[data-testid=import-cancel]").await;
    assert!(s.find_all("[data-testid=import-preview]").await.is_empty());

    // Back to staff: the door card unlocks with what was configured.
    s.click_css("[data-testid=settings-close]").await;
    s.click_css("[data-area-id=A101] [data-testid=unlock]").await;
    s.wait_for("[data-area-id=A101][data-phase=confirmed]").await;
    assert_eq!(sim.state.world.lock().unwrap().sesame.device_for("area:A101").unwrap().state, "unlocked");
    // The entrance registered from its QR image unlocks too.
    s.click_css("[data-testid=entrance] [data-testid=unlock]").await;
    s.wait_for("[data-testid=entrance][data-phase=confirmed]").await;
    assert_eq!(sim.state.world.lock().unwrap().sesame.device_for("entrance:S001").unwrap().state, "unlocked");

    // Staff: the settings button shows only the PIN prompt, and a wrong PIN is refused.
    s.click_css("[data-testid=settings-open]").await;
    s.wait_for("[data-testid=settings-page][data-role=staff] [data-testid=pin-prompt]").await;
    assert!(s.find_all("[data-testid=cloud-form]").await.is_empty());
    s.type_into("[data-testid=pin-input]", "1357").await;
    s.click_css("[data-testid=pin-submit]").await;
    s.wait_for("[data-testid=pin-error][data-code=pin_wrong]").await;
    s.screenshot("settings-staff-pin").await;

    // No command, called directly from the window as staff, gives settings or a secret.
    let secrets = [
        uketsuke_sim::sesame::DEMO_API_KEY.to_string(),
        hex(&a101.secret),
        hex(&a102.secret),
        uketsuke_sim::splats::DEMO_TOKEN.to_string(),
        DEMO_RESERVATION_TOKEN.to_string(),
    ];
    for (command, args) in every_command() {
        let reply = s.invoke(command, args).await;
        let text = reply.to_string();
        for secret in &secrets {
            assert!(
                !text.to_lowercase().contains(&secret.to_lowercase()),
                "{command} leaked a secret: {text}"
            );
        }
        if MANAGER_ONLY.contains(&command) {
            assert_eq!(reply["err"]["code"], "manager_required", "{command} must refuse staff: {reply}");
        }
    }
    assert_eq!(
        keyring.get(names::SESAME_API_KEY).unwrap().as_ref().map(|s| s.expose_secret()),
        Some(uketsuke_sim::sesame::DEMO_API_KEY),
        "nothing changed"
    );
    s.close().await;
    for name in [names::RESERVATION_TOKEN, names::SPLATS_TOKEN, names::SESAME_API_KEY] {
        keyring.delete(name).unwrap();
    }
    for uuid in [&a101.uuid, &a102.uuid, &entrance.uuid] {
        keyring.delete(&names::device_secret(uuid)).unwrap();
    }
}
