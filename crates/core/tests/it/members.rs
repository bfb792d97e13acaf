//! The manager's SPLATS members against the simulator over loopback HTTP: cards,
//! weekly schedules enforced by the reader, 40901 explained, face images with progress.

use uketsuke_core::clouds::splats::SplatsClient;
use uketsuke_core::desk::members::{self, face, AreaRule, Credential, Day, MemberForm, WeeklySlot};
use uketsuke_core::{platform::db, Lang};
use uketsuke_sim::splats::DEMO_TOKEN;
use uketsuke_sim::world::splats::reader::Credential as Shown;
use uketsuke_sim::{Sim, SimConfig};

/// Saturday 2026-11-28, 10:00 JST.
const SATURDAY_10: i64 = 1_795_827_600;

async fn tenant() -> (Sim, tempfile::TempDir, db::Db, SplatsClient) {
    let sim = Sim::start(SimConfig::default()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let db = db::Db::open(&dir.path().join("cache.sqlite3")).unwrap();
    let splats = SplatsClient::new(&sim.splats_url(), DEMO_TOKEN.into());
    (sim, dir, db, splats)
}

fn weekday_staff(card: &str) -> MemberForm {
    MemberForm {
        member_id: None,
        name: "清掃スタッフ 佐藤".into(),
        code: "STAFF-01".into(),
        membergroup_id: "mg-staff".into(),
        credential: Credential::Card { card_data: card.into() },
        use_start: String::new(),
        use_end: String::new(),
        areas: vec![AreaRule {
            area_id: "sa-0001".into(),
            slots: vec![WeeklySlot {
                days: vec![Day::Monday, Day::Tuesday, Day::Wednesday, Day::Thursday, Day::Friday],
                start: "09:00".into(),
                end: "18:00".into(),
            }],
        }],
        keep_permissions: false,
    }
}

fn touch(sim: &Sim, area: &str, card: &str, at: i64) -> serde_json::Value {
    sim.state.world.lock().unwrap().splats.present(area, Shown::Card(card), at)
}

#[tokio::test]
async fn a_weekday_card_member_is_refused_on_saturday_and_let_in_on_friday() {
    let (sim, _dir, db, splats) = tenant().await;
    let saved = members::save(&db, &splats, &weekday_staff("0123 abcd 0000 0000"), "店長").await.unwrap();
    assert_eq!(saved.form.credential, Credential::Card { card_data: "0123ABCD00000000".into() });

    let saturday = touch(&sim, "sa-0001", "0123ABCD00000000", SATURDAY_10);
    assert_eq!(saturday["accepted"], false, "{saturday}");
    assert_eq!(saturday["reason"], "no_permission");
    let friday = touch(&sim, "sa-0001", "0123ABCD00000000", SATURDAY_10 - 86_400);
    assert_eq!(friday["accepted"], true, "{friday}");
    let other_room = touch(&sim, "sa-0002", "0123ABCD00000000", SATURDAY_10 - 86_400);
    assert_eq!(other_room["accepted"], false);

    let view = members::view(&splats).await.unwrap();
    let listed = &view.members[0];
    assert_eq!(listed.form.areas, weekday_staff("x").areas, "the schedule reads back as it was written");
    assert_eq!(listed.group_name, "スタッフ");
    assert!(!listed.form.keep_permissions);
}

#[tokio::test]
async fn a_card_already_held_by_another_member_is_explained() {
    let (_sim, _dir, db, splats) = tenant().await;
    members::save(&db, &splats, &weekday_staff("0123ABCD00000000"), "店長").await.unwrap();
    let mut second = weekday_staff("0123ABCD00000000");
    second.name = "別の人".into();
    second.code = "STAFF-02".into();
    let e = members::save(&db, &splats, &second, "店長").await.unwrap_err();
    assert_eq!(e.code(), "splats_duplicate");
    assert!(
        e.message(Lang::Ja).contains("このICカードはすでに別のメンバーに登録されています"),
        "{}",
        e.message(Lang::Ja)
    );
    assert!(e.message(Lang::En).contains("IC card"));

    let bad = members::save(&db, &splats, &weekday_staff("XYZ"), "店長").await.unwrap_err();
    assert_eq!(bad.code(), "card_data_invalid");
    let events = db.read_now(|c| uketsuke_core::desk::audit::recent(c, 5)).unwrap();
    assert!(events.iter().any(|e| e.action == "member.create" && !e.ok), "a refused create is audited");
}

fn portrait() -> Vec<u8> {
    let img = image::RgbImage::from_fn(900, 1400, |x, y| image::Rgb([(x / 4) as u8, (y / 6) as u8, 128]));
    let mut out = std::io::Cursor::new(Vec::new());
    image::DynamicImage::ImageRgb8(img).write_to(&mut out, image::ImageFormat::Jpeg).unwrap();
    out.into_inner()
}

async fn until_done(splats: &SplatsClient, request: &str) -> uketsuke_core::Result<face::FaceState> {
    for _ in 0..100 {
        match face::progress(splats, request).await? {
            face::FaceState::Progress => tokio::time::sleep(std::time::Duration::from_millis(50)).await,
            done => return Ok(done),
        }
    }
    panic!("face registration never finished");
}

#[tokio::test]
async fn a_face_image_is_resized_registered_and_followed_to_the_end() {
    let (sim, _dir, db, splats) = tenant().await;
    sim.state.world.lock().unwrap().splats.face_millis = 200;
    let a = members::save(&db, &splats, &weekday_staff("0123ABCD00000001"), "店長").await.unwrap();
    let a_id = a.form.member_id.unwrap();
    let request = face::register(&db, &splats, &a_id, &portrait(), "店長").await.unwrap();
    assert_eq!(face::progress(&splats, &request).await.unwrap(), face::FaceState::Progress);
    assert_eq!(until_done(&splats, &request).await.unwrap(), face::FaceState::Succeeded);
    assert!(members::view(&splats).await.unwrap().members[0].face);

    let mut b = weekday_staff("0123ABCD00000002");
    b.code = "STAFF-02".into();
    let b_id = members::save(&db, &splats, &b, "店長").await.unwrap().form.member_id.unwrap();
    let again = face::register(&db, &splats, &b_id, &portrait(), "店長").await.unwrap();
    let e = until_done(&splats, &again).await.unwrap_err();
    assert_eq!(e.code(), "face_failed");
    assert!(e.message(Lang::Ja).contains("すでに別のメンバー"), "{}", e.message(Lang::Ja));

    let blank = image::RgbImage::from_pixel(1200, 1600, image::Rgb([200, 200, 200]));
    let mut png = std::io::Cursor::new(Vec::new());
    image::DynamicImage::ImageRgb8(blank).write_to(&mut png, image::ImageFormat::Png).unwrap();
    let none = face::register(&db, &splats, &b_id, &png.into_inner(), "店長").await.unwrap();
    assert!(until_done(&splats, &none).await.unwrap_err().message(Lang::En).contains("no face"));
}

#[tokio::test]
async fn booked_guests_members_are_neither_listed_nor_editable_here() {
    let (sim, _dir, db, splats) = tenant().await;
    let guest = splats
        .create_member(&serde_json::json!({ "member_name": "予約客", "member_code": "UK-G1", "membergroup_id": "mg-guest" }))
        .await
        .unwrap();
    assert!(members::view(&splats).await.unwrap().members.is_empty());
    let e = members::delete(&db, &splats, &guest.member_id, "店長").await.unwrap_err();
    assert_eq!(e.code(), "member_code_reserved");
    assert_eq!(sim.state.world.lock().unwrap().splats.members.len(), 1);
}

/// The vendor's examples leave out what a member does not use; a strict tenant refuses a
/// JSON null. Every kind of member, with and without a period, is sent without one.
#[tokio::test]
async fn no_kind_of_member_is_sent_with_a_null() {
    let (sim, _dir, db, splats) = tenant().await;
    let kinds = [
        Credential::Card { card_data: "0123ABCD00000001".into() },
        Credential::Qr { data: String::new() },
        Credential::Qr { data: "STATIC-QR-01".into() },
        Credential::OneTimeQr,
    ];
    for (i, credential) in kinds.into_iter().enumerate() {
        let mut form = weekday_staff("x");
        form.code = format!("NULLS-{i}");
        form.credential = credential;
        if i % 2 == 1 {
            form.use_start = "2026-12-01T09:00".into();
        }
        let body = form.to_body().unwrap();
        assert!(!body.to_string().contains("null"), "{body}");
        members::save(&db, &splats, &form, "店長").await.unwrap(); // the simulator refuses a null
    }
    assert_eq!(sim.state.world.lock().unwrap().splats.members.len(), 4);
}

/// An update clears what the member gave up: a card replaced by a one-time QR no longer
/// opens the door, and an emptied period is no period.
#[tokio::test]
async fn a_card_given_up_for_a_qr_on_update_no_longer_opens() {
    let (sim, _dir, db, splats) = tenant().await;
    let mut form = weekday_staff("0123ABCD00000009");
    form.use_start = "2026-12-01T09:00".into();
    let saved = members::save(&db, &splats, &form, "店長").await.unwrap();
    form.member_id = saved.form.member_id.clone();
    form.credential = Credential::OneTimeQr;
    form.use_start = String::new();
    members::save(&db, &splats, &form, "店長").await.unwrap();
    let w = sim.state.world.lock().unwrap();
    let m = w.splats.members.values().find(|m| m.member_code.as_deref() == Some("STAFF-01")).unwrap();
    assert_eq!((m.card_data.as_deref(), m.use_date_start), (None, None), "{m:?}");
}
