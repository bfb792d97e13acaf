//! The settings use cases against an in-memory database and an in-memory keyring.

use super::doors::remove;
use super::*;
use crate::platform::config::Config;
use crate::platform::secrets::{names, ExposeSecret, MemorySecrets, SecretStore, SecretString};
use crate::{desk::audit, desk::cache, platform::db};

const UUID_A: &str = "11111111-2222-3333-4444-555555555555";
const UUID_B: &str = "AAAAAAAA-BBBB-CCCC-DDDD-EEEEEEEEEEEE";
const KEY: &str = "00112233445566778899aabbccddeeff";

fn facility() -> Connection {
    let conn = db::open_in_memory().unwrap();
    conn.execute_batch(
        "INSERT INTO stores (id, name, source, updated_at) VALUES ('S001', '渋谷店', 'reservation', 0);
         INSERT INTO areas (id, store_id, name, source, updated_at) VALUES ('A101', 'S001', '会議室A', 'reservation', 0);
         INSERT INTO splats_areas (area_id, name, raw, updated_at) VALUES ('sa-1', '会議室A', '{}', 0);",
    )
    .unwrap();
    conn
}

fn area(id: Option<&str>, name: &str, uuid: Option<&str>, key: Option<&str>) -> AreaInput {
    AreaInput {
        id: id.map(String::from),
        store_id: "S001".into(),
        name: name.into(),
        device_uuid: uuid.map(String::from),
        secret_key: key.map(SecretString::from),
        splats_area_id: None,
    }
}

#[test]
fn a_lock_needs_a_good_uuid_and_a_32_hex_key_once() {
    let mut conn = facility();
    let secrets = MemorySecrets::default();
    let bad_uuid =
        save_area(&mut conn, &secrets, &area(Some("A101"), "会議室A", Some("not-a-uuid"), Some(KEY)), 1, "m");
    assert_eq!(bad_uuid.unwrap_err().code(), "uuid_invalid");
    let short_key =
        save_area(&mut conn, &secrets, &area(Some("A101"), "会議室A", Some(UUID_A), Some("abcd")), 1, "m")
            .unwrap_err();
    assert_eq!(short_key.code(), "secret_key_invalid");
    assert!(short_key.message(crate::Lang::Ja).contains("32"), "{}", short_key.message(crate::Lang::Ja));
    let no_key = save_area(&mut conn, &secrets, &area(Some("A101"), "会議室A", Some(UUID_A), None), 1, "m")
        .unwrap_err();
    assert_eq!(no_key.code(), "secret_key_missing");
    assert!(no_key.message(crate::Lang::En).contains("secret key"));

    save_area(
        &mut conn,
        &secrets,
        &area(Some("A101"), "会議室A", Some(&UUID_A.to_lowercase()), Some(KEY)),
        1,
        "m",
    )
    .unwrap();
    assert_eq!(
        secrets.get(&names::device_secret(UUID_A)).unwrap().as_ref().map(|s| s.expose_secret()),
        Some(KEY)
    );
    // Saved once, the key may be left empty on the next save.
    save_area(&mut conn, &secrets, &area(Some("A101"), "会議室A", Some(UUID_A), None), 2, "m").unwrap();
    let v = view(&conn, &Config::default(), &secrets).unwrap();
    let a = &v.stores[0].areas[0];
    assert_eq!(a.area.device_uuid.as_deref(), Some(UUID_A));
    assert!(a.secret_key.set);
    assert_eq!(a.secret_key.masked.as_deref(), Some("••••••••eeff"));
    assert!(!serde_json::to_string(&v).unwrap().contains(KEY), "the view never carries the key");
}

#[test]
fn a_lock_serves_one_door_and_names_are_unique() {
    let mut conn = facility();
    let secrets = MemorySecrets::default();
    save_area(&mut conn, &secrets, &area(Some("A101"), "会議室A", Some(UUID_A), Some(KEY)), 1, "m").unwrap();
    let twice =
        save_area(&mut conn, &secrets, &area(None, "会議室Z", Some(UUID_A), Some(KEY)), 1, "m").unwrap_err();
    assert!(
        twice.message(crate::Lang::Ja).contains("既に area:A101「会議室A」で使われています"),
        "{}",
        twice.message(crate::Lang::Ja)
    );
    let dup = save_area(&mut conn, &secrets, &area(None, "会議室Ａ", None, None), 1, "m").unwrap_err();
    assert!(dup.message(crate::Lang::En).contains("already has an area"));
    let renamed = save_area(&mut conn, &secrets, &area(Some("A101"), "大会議室", Some(UUID_A), None), 1, "m")
        .unwrap_err();
    assert!(renamed.message(crate::Lang::En).contains("reservation system"));

    let id = save_area(&mut conn, &secrets, &area(None, "倉庫", Some(UUID_B), Some(KEY)), 1, "m").unwrap();
    assert_eq!(id, "M-A001");
    // Removing the hand-made area forgets its key; the synced one cannot be removed here.
    remove(&mut conn, &secrets, &crate::desk::doors::lock::Target::Area(id), "m").unwrap();
    assert!(secrets.get(&names::device_secret(UUID_B)).unwrap().is_none());
    assert!(remove(&mut conn, &secrets, &crate::desk::doors::lock::Target::Area("A101".into()), "m").is_err());
}

#[test]
fn stores_by_hand_with_an_entrance_lock_and_a_splats_mapping() {
    let mut conn = facility();
    let secrets = MemorySecrets::default();
    let mut input = StoreInput {
        name: "池袋店".into(),
        register_entrance_key: true,
        use_sesame: true,
        ..StoreInput::default()
    };
    assert!(save_store(&mut conn, &secrets, &input, 1, "m").is_err(), "entrance key without a UUID");
    input.entrance_device_uuid = Some(UUID_B.into());
    input.entrance_secret_key = Some(KEY.into());
    input.splats_entrance_area_id = Some("sa-404".into());
    assert!(save_store(&mut conn, &secrets, &input, 1, "m")
        .unwrap_err()
        .message(crate::Lang::Ja)
        .contains("sa-404"));
    input.splats_entrance_area_id = Some("sa-1".into());
    let id = save_store(&mut conn, &secrets, &input, 1, "m").unwrap();
    let s = cache::get_store(&conn, &id).unwrap().unwrap();
    assert_eq!((s.name.as_str(), s.entrance_device_uuid.as_deref()), ("池袋店", Some(UUID_B)));
    let events = audit::recent(&conn, 5).unwrap();
    let text = serde_json::to_string(&events.iter().map(|e| &e.detail).collect::<Vec<_>>()).unwrap();
    assert!(
        events.iter().any(|e| e.action == "settings.store") && !text.contains(KEY),
        "audited without the key: {text}"
    );
}

#[test]
fn cloud_settings_check_shapes_and_keep_secrets_out_of_the_config() {
    let secrets = MemorySecrets::default();
    let config = Config::default();
    let bad = CloudInput { sesame_api_key: Some("short".into()), ..CloudInput::default() };
    let address = |base: &str, client: Option<&str>| CloudAddresses {
        reservation_base_url: Some(base.into()),
        reservation_client_id: client.map(String::from),
        ..CloudAddresses::default()
    };
    assert!(apply_clouds(&config, &secrets, &bad).unwrap_err().message(crate::Lang::Ja).contains("40 文字"));
    let no_client = CloudInput { addresses: address("https://r.example.jp", None), ..CloudInput::default() };
    assert!(apply_clouds(&config, &secrets, &no_client).is_err());
    let input = CloudInput {
        addresses: address("https://r.example.jp", Some("cid")),
        reservation_client_secret: Some("client-secret-1".into()),
        sesame_api_key: Some("A".repeat(40).into()),
        ..CloudInput::default()
    };
    let CloudsApplied { config: next, changed, .. } = apply_clouds(&config, &secrets, &input).unwrap();
    assert_eq!(next.reservation.client_id.as_deref(), Some("cid"));
    assert!(changed.contains(&"sesame.api_key") && changed.contains(&"reservation.base_url"));
    let toml = toml::to_string(&next).unwrap();
    assert!(!toml.contains("client-secret-1") && !toml.contains(&"A".repeat(40)));
    assert_eq!(
        secrets.get(names::SESAME_API_KEY).unwrap().map(|s| s.expose_secret().to_string()),
        Some("A".repeat(40))
    );
}

#[test]
fn export_then_import_on_a_second_pc() {
    let mut conn = facility();
    let secrets = MemorySecrets::default();
    save_area(&mut conn, &secrets, &area(Some("A101"), "会議室A", Some(UUID_A), Some(KEY)), 1, "m").unwrap();
    crate::desk::cache::splats::map_area(&conn, "A101", Some("sa-1")).unwrap();
    let mut config = Config::default();
    config.reservation.base_url = Some("https://r.example.jp".into());
    config.reservation.client_id = Some("cid".into());
    let exported = serde_json::to_string_pretty(&export(&conn, &config, 0).unwrap()).unwrap();
    assert!(!exported.contains(KEY));

    let mut second = db::open_in_memory().unwrap();
    let second_secrets = MemorySecrets::default();
    let (next, report) = import(&mut second, &Config::default(), &second_secrets, &exported, 5, "m").unwrap();
    assert_eq!((report.stores, report.areas), (1, 1));
    assert_eq!(report.missing_keys, ["会議室A"]);
    assert_eq!(next.reservation.client_id.as_deref(), Some("cid"));
    assert_eq!(cache::get_area(&second, "A101").unwrap().unwrap().device_uuid.as_deref(), Some(UUID_A));
    assert_eq!(mapping(&second, "areas", "A101").unwrap().as_deref(), Some("sa-1"));

    let broken = exported.replace(UUID_A, "bad-uuid");
    assert!(import(&mut second, &Config::default(), &second_secrets, &broken, 6, "m").is_err());
    assert!(import(&mut second, &Config::default(), &second_secrets, "{\"format\":\"x\"}", 6, "m").is_err());
}

#[test]
fn an_export_to_a_folder_is_named_written_and_audited_and_an_import_saves_the_config() {
    let conn = facility();
    let dir = tempfile::tempdir().unwrap();
    let written = export_file(&conn, &Config::default(), dir.path(), 1_764_000_000, "m").unwrap();
    assert!(written.path.contains("uketsuke-settings-2025"), "{}", written.path);
    assert_eq!(std::fs::read_to_string(&written.path).unwrap(), written.json);
    assert!(audit::recent(&conn, 5).unwrap().iter().any(|e| e.action == "settings.export"));

    // A file from before the flattening had no `updated_at`, `store_id` or `sort_order`.
    let old = r#"{"format":"uketsuke-settings","version":1,"exported_at":"x","clouds":{},
        "stores":[{"id":"S9","name":"旧店","source":"manual","areas":[{"id":"A9","name":"旧室","source":"manual"}]}]}"#;
    let config_path = dir.path().join("uketsuke.toml");
    let config = Config { source: Some(config_path.clone()), ..Config::default() };
    let mut second = db::open_in_memory().unwrap();
    let (_, report) = import(&mut second, &config, &MemorySecrets::default(), old, 5, "m").unwrap();
    assert_eq!((report.stores, report.areas), (1, 1));
    assert_eq!(cache::get_area(&second, "A9").unwrap().unwrap().store_id, "S9");
    assert!(config_path.exists(), "the imported config was saved to its file");
}

#[test]
fn moving_a_cloud_in_the_form_removes_its_credentials_unless_entered_again() {
    let secrets = MemorySecrets::default();
    secrets.set(names::SESAME_API_KEY, &"A".repeat(40)).unwrap();
    secrets.set(names::SPLATS_TOKEN, "splats-token-1").unwrap();
    let config = Config::default();
    let moved = CloudInput {
        addresses: CloudAddresses {
            sesame_base_url: Some("https://other.example".into()),
            ..CloudAddresses::default()
        },
        ..CloudInput::default()
    };
    let applied = apply_clouds(&config, &secrets, &moved).unwrap();
    assert_eq!(applied.moved.len(), 1);
    assert!(secrets.get(names::SESAME_API_KEY).unwrap().is_none());
    assert_eq!(
        secrets.get(names::SPLATS_TOKEN).unwrap().as_ref().map(|s| s.expose_secret()),
        Some("splats-token-1"),
        "SPLATS did not move"
    );

    // Moved back with a key typed in the same form: the new key is kept.
    let back = CloudInput { sesame_api_key: Some("B".repeat(40).into()), ..CloudInput::default() };
    apply_clouds(&applied.config, &secrets, &back).unwrap();
    assert_eq!(
        secrets.get(names::SESAME_API_KEY).unwrap().map(|s| s.expose_secret().to_string()),
        Some("B".repeat(40))
    );

    let plain = CloudInput {
        addresses: CloudAddresses {
            splats_base_url: Some("http://splats.example".into()),
            ..CloudAddresses::default()
        },
        ..CloudInput::default()
    };
    assert_eq!(
        apply_clouds(&config, &secrets, &plain).unwrap_err().code(),
        "url_invalid",
        "http only on loopback"
    );
}
