//! The history screen in the real window: a guest's reader pass (SPLATS), their
//! walk-in and the staff's SPLATS unlock in one time line; the guest's row opens their
//! entries; the export read back as CSV has exactly the rows and fields shown, with a
//! BOM and the formula-looking name neutralised; the daily report and the audit state.

use uketsuke_core::clouds::splats::SplatsClient;
use uketsuke_core::desk::guests::{self, access};
use uketsuke_core::platform::secrets::{names, Keyring, MemorySecrets, SecretStore};
use uketsuke_core::{platform::clock, workflows::sync};
use uketsuke_e2e::{
    app_binary, enabled, map_demo_doors, sync_setup, test_config, write_config, Driver, Session,
};
use uketsuke_sim::{Sim, SimConfig};

const KEYRING_SERVICE: &str = "jp.uketsuke.e2e-history";
const NAME: &str = "=SUM(1,2) 様";

/// The cells of every row the window shows.
async fn shown(s: &Session) -> Vec<Vec<String>> {
    let v = s
        .script(
            "return [...document.querySelectorAll('[data-testid=history-row]')]
               .map(r => [...r.querySelectorAll('td')].map(td => td.textContent));",
        )
        .await;
    serde_json::from_value(v).unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_guests_history_shows_and_exports_exactly_as_seen() {
    let _alone = uketsuke_e2e::alone().await;
    if !enabled() {
        return;
    }
    let sim = Sim::start(SimConfig::default()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut c = test_config(dir.path(), KEYRING_SERVICE);
    c.splats.base_url = Some(sim.splats_url());
    c.splats.guest_membergroup_id = Some("mg-guest".into());
    c.splats.history_initial_days = 1;
    let config = write_config(&c, dir.path());
    let keyring = Keyring::new(KEYRING_SERVICE);
    keyring.set(names::SPLATS_TOKEN, uketsuke_sim::splats::DEMO_TOKEN).unwrap();
    keyring.set(names::SPLATS_LICENSE_KEY, uketsuke_sim::splats::DEMO_LICENSE_KEY).unwrap();
    let shared = sync_setup(&c, &sim, true).await;
    map_demo_doors(&shared);

    // A walk-in whose name looks like a formula passes the reader of 会議室A.
    let now = clock::now_unix();
    let w = guests::WalkIn {
        store_id: "S001".into(),
        name: NAME.into(),
        name_kana: None,
        phone: None,
        area_ids: vec!["A101".into()],
        starts_at: now - 600,
        ends_at: now + 3000,
    };
    let guest = shared.write_now(|conn| guests::add_walk_in(conn, &w, now, "受付")).unwrap();
    let splats = SplatsClient::new(&sim.splats_url(), uketsuke_sim::splats::DEMO_TOKEN.into());
    let secrets = MemorySecrets::default();
    access::issue(&shared, &splats, &secrets, &c, &guest.id, "受付").await.unwrap();
    let at = sim.state.clock.now_unix();
    let qr = access::qr(&shared, None, &secrets, &c, &guest.id, Some(at)).await.unwrap();
    assert_eq!(
        sim.state.world.lock().unwrap().splats.scan("sa-0001", &qr.frame.payload, at)["accepted"],
        true
    );
    sync::splats(&shared, &splats, &c, "setup").await.unwrap();

    let driver = Driver::start().await;
    let s = Session::start(&driver, &app_binary(), &["--config", config.to_str().unwrap()]).await;
    // Staff open 会議室A's electric lock: an action of theirs in the time line.
    s.click_css("[data-area-id=A101] [data-testid=pass-unlock]").await;
    s.wait_for("[data-area-id=A101][data-phase=confirmed]").await;

    // The store's history: the unlock by staff, the reader's pass, the walk-in.
    s.click_css("[data-testid=history-open]").await;
    s.wait_for("[data-testid=history-row]").await;
    s.wait_for_text("解錠 (SPLATS)").await;
    s.wait_for_text("QR認証成功").await;
    s.wait_for("[data-testid=audit-status][data-ok=true]").await;
    s.screenshot("history-store").await;
    s.click_css("[data-testid=history-close]").await;

    // The guest's row opens their entries only.
    s.click_css(&format!("[data-guest-id='{}'] [data-testid=guest-more]", guest.id)).await;
    s.click_css("[data-testid=guest-history]").await;
    s.wait_for("[data-testid=filter-guest]").await;
    s.wait_for_text("QR認証成功").await;
    let rows = shown(&s).await;
    assert!(rows.iter().all(|r| r[6] == NAME), "only this guest: {rows:?}");
    assert!(
        rows.iter().any(|r| r[3] == "飛び込み受付") && rows.iter().any(|r| r[3] == "QR認証成功"),
        "{rows:?}"
    );
    s.screenshot("history-guest").await;

    // Exported as the screen shows it (the save dialog is native; the command takes a path).
    let out = dir.path().join("guest.csv");
    let filter = serde_json::json!({ "store_id": "S001", "guest_id": guest.id, "limit": 100 });
    let reply = s
        .invoke("export_history", serde_json::json!({ "filter": filter, "format": "csv", "path": out }))
        .await;
    assert_eq!(reply["ok"]["rows"], rows.len(), "{reply}");
    let bytes = std::fs::read(&out).unwrap();
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"), "a BOM");
    let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
    let lines: Vec<&str> = text.split("\r\n").filter(|l| !l.is_empty()).collect();
    assert_eq!(lines.len(), rows.len() + 1, "the header and the rows shown");
    for (line, row) in lines[1..].iter().zip(&rows) {
        let expected: Vec<String> = row
            .iter()
            .map(|c| {
                let c = if c.starts_with(['=', '+', '-', '@']) { format!("'{c}") } else { c.clone() };
                format!("\"{}\"", c.replace('"', "\"\""))
            })
            .collect();
        assert_eq!(*line, expected.join(","));
    }
    assert!(text.contains("\"'=SUM(1,2) 様\""), "the formula is neutralised");

    // The daily report counts the arrival at 渋谷店 and the staff unlock.
    s.click_css("[data-testid=history-close]").await;
    s.click_css("[data-testid=history-open]").await;
    s.click_css("[data-testid=tab-report]").await;
    let row = s.wait_for("[data-testid=report-row][data-store-id=S001]").await;
    let cells = s.text(&row).await;
    assert!(cells.contains("渋谷店"), "{cells}");
    s.screenshot("history-report").await;
    s.close().await;
    for name in [names::SPLATS_TOKEN, names::SPLATS_LICENSE_KEY] {
        keyring.delete(name).unwrap();
    }
}
