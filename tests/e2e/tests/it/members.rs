//! The manager's members screen in the real window: a cleaner registered with an IC
//! card for 会議室A on weekdays 9–18 is refused by the simulated reader on Saturday
//! and let in on Friday; a second member with the same card is told why not (40901);
//! a face photo is resized, registered and followed until SPLATS says it is done; the
//! kiosk is set to open at login and back.

use uketsuke_core::platform::secrets::{names, Keyring, SecretStore};
use uketsuke_e2e::{app_binary, enabled, sync_setup, test_config, write_config, Driver, Session};
use uketsuke_sim::world::splats::reader::Credential;
use uketsuke_sim::{Sim, SimConfig};

const KEYRING_SERVICE: &str = "jp.uketsuke.e2e-members";
/// Saturday 2026-11-28, 10:00 JST.
const SATURDAY_10: i64 = 1_795_827_600;
const CARD: &str = "0123ABCD00000000";

async fn pick(s: &Session, css: &str, value: &str) {
    s.script(&format!(
        "const el = document.querySelector('{css}'); el.value = '{value}';
         el.dispatchEvent(new Event('change', {{ bubbles: true }}));"
    ))
    .await;
}

async fn add_member(s: &Session, name: &str, code: &str) {
    s.click_css("[data-testid=member-add]").await;
    s.type_into("[data-testid=member-name]", name).await;
    s.type_into("[data-testid=member-code]", code).await;
    pick(s, "[data-testid=member-group]", "mg-staff").await;
    s.type_into("[data-testid=member-card]", CARD).await;
    // 会議室A (sa-0001): weekdays 09:00–18:00, the form's starting schedule.
    pick(s, "[data-area-id=sa-0001] [data-testid=member-area-mode]", "weekly").await;
    s.wait_for("[data-area-id=sa-0001] [data-testid=member-day][data-day=Friday]").await;
    s.click_css("[data-testid=member-save]").await;
}

fn photo_jpeg() -> Vec<u8> {
    let img = image::RgbImage::from_fn(1500, 2000, |x, y| image::Rgb([(x / 6) as u8, (y / 8) as u8, 90]));
    let mut out = std::io::Cursor::new(Vec::new());
    image::DynamicImage::ImageRgb8(img).write_to(&mut out, image::ImageFormat::Jpeg).unwrap();
    out.into_inner()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_weekday_member_is_refused_on_saturday_by_the_simulated_reader() {
    let _alone = uketsuke_e2e::alone().await;
    if !enabled() {
        return;
    }
    let sim = Sim::start(SimConfig::default()).await.unwrap();
    sim.state.world.lock().unwrap().splats.face_millis = 3000;
    let dir = tempfile::tempdir().unwrap();
    let mut c = test_config(dir.path(), KEYRING_SERVICE);
    c.splats.base_url = Some(sim.splats_url());
    let config = write_config(&c, dir.path());
    let keyring = Keyring::new(KEYRING_SERVICE);
    keyring.set(names::SPLATS_TOKEN, uketsuke_sim::splats::DEMO_TOKEN).unwrap();
    sync_setup(&c, &sim, true).await;

    let driver = Driver::start().await;
    let s = Session::start(&driver, &app_binary(), &["--config", config.to_str().unwrap()]).await;
    s.first_manager_pin("2468").await;
    s.click_css("[data-testid=members-open]").await;
    s.wait_for("[data-testid=member-list]").await;

    add_member(&s, "清掃スタッフ 佐藤", "STAFF-01").await;
    s.wait_for("[data-testid=member-row]").await;
    s.wait_for_text("月火水木金 09:00〜18:00").await;
    s.script("document.querySelector('[data-testid=members]').scrollIntoView()").await;
    s.screenshot("members-weekday-card").await;

    let member_id = {
        let w = sim.state.world.lock().unwrap();
        let m = w.splats.members.values().find(|m| m.member_code.as_deref() == Some("STAFF-01")).unwrap();
        assert_eq!(m.card_data.as_deref(), Some(CARD));
        m.member_id.clone()
    };
    let touch =
        |at: i64| sim.state.world.lock().unwrap().splats.present("sa-0001", Credential::Card(CARD), at);
    let saturday = touch(SATURDAY_10);
    assert_eq!(
        (saturday["accepted"].as_bool(), saturday["reason"].as_str()),
        (Some(false), Some("no_permission"))
    );
    assert_eq!(touch(SATURDAY_10 - 86_400)["accepted"], true, "Friday 10:00 is within the schedule");

    // The same card for someone else: refused, and said why.
    add_member(&s, "別の人", "STAFF-02").await;
    let e = s.wait_for("[data-testid=member-error][data-code=splats_duplicate]").await;
    assert!(s.text(&e).await.contains("このICカードはすでに別のメンバーに登録されています"));
    s.screenshot("members-duplicate-card").await;
    s.click_css("[data-testid=member-cancel]").await;

    // A face photo: resized on this PC, registered in SPLATS, progress followed.
    s.script(&format!(
        "const dt = new DataTransfer();
         dt.items.add(new File([new Uint8Array({})], 'face.jpg', {{ type: 'image/jpeg' }}));
         const input = document.querySelector('[data-member-id=\"{member_id}\"] [data-testid=member-face-file]');
         input.files = dt.files;
         input.dispatchEvent(new Event('change', {{ bubbles: true }}));",
        serde_json::to_string(&photo_jpeg()).unwrap()
    ))
    .await;
    s.wait_for("[data-testid=member-face][data-state=progress]").await;
    s.screenshot("members-face-progress").await;
    s.wait_for("[data-testid=member-face][data-registered=true]").await;
    assert!(sim.state.world.lock().unwrap().splats.members[&member_id].face.is_some());

    // This PC opens the kiosk at login: an autostart entry with --kiosk, and gone again.
    let config_home = std::env::var_os("XDG_CONFIG_HOME")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| std::path::PathBuf::from(std::env::var_os("HOME").unwrap()).join(".config"));
    let entry = config_home.join("autostart/uketsuke-kiosk.desktop");
    s.click_css("[data-testid=kiosk-at-login]").await;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while !entry.exists() && std::time::Instant::now() < deadline {
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let text = std::fs::read_to_string(&entry).expect("an autostart entry");
    assert!(text.contains("--kiosk"), "{text}");
    s.click_css("[data-testid=kiosk-at-login]").await;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while entry.exists() && std::time::Instant::now() < deadline {
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(!entry.exists(), "turned off again");
    s.close().await;
    keyring.delete(names::SPLATS_TOKEN).unwrap();
}
