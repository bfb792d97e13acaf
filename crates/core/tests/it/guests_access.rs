//! Today's guests and their rotating one-time QR, against the simulator over loopback
//! HTTP with the cache in a real SQLite file.

use uketsuke_core::clouds::reservation::ReservationClient;
use uketsuke_core::desk::cache;
use uketsuke_core::desk::guests::{self, access, GuestStatus};
use uketsuke_core::platform::secrets::{names, ExposeSecret, SecretStore};
use uketsuke_core::{platform::clock, platform::db, workflows::sync};
use uketsuke_sim::DEMO_RESERVATION_TOKEN;

use crate::support::desk::Fixture;

#[tokio::test]
async fn the_qr_opens_the_booked_room_and_the_entrance_and_nothing_else() {
    let f = Fixture::new().await;
    let summary = f.issue("G001").await.unwrap(); // 山田 太郎, 会議室A at 渋谷店
    f.during("G001");
    assert_eq!(summary.splats_area_ids, vec!["sa-0001", "sa-0006"]);
    assert!(f.secrets.get(&names::guest_seed("G001")).unwrap().is_some(), "the seed is in the keyring");
    let raw: String = f
        .db
        .read_now(|c| Ok(c.query_row("SELECT group_concat(qr_data) FROM guest_access", [], |r| r.get(0))?))
        .unwrap();
    let seed = f.secrets.get(&names::guest_seed("G001")).unwrap().unwrap();
    assert!(!raw.contains(seed.expose_secret()), "no seed in SQLite");

    let qr = f.qr_now("G001").await;
    assert!(qr.local);
    assert_eq!(f.scan("sa-0001", &qr.frame.payload).await["accepted"], true);
    assert_eq!(f.scan("sa-0006", &qr.frame.payload).await["accepted"], true, "the entrance");
    assert_eq!(f.scan("sa-0002", &qr.frame.payload).await["reason"], "no_permission");

    // After the step boundary the code changes, and the new one is accepted.
    let next = access::qr(&f.db, None, &f.secrets, &f.config, "G001", Some(qr.frame.step_end)).await.unwrap();
    assert_ne!(next.frame.payload, qr.frame.payload);
    f.sim.state.clock.set_now(qr.frame.step_end);
    assert_eq!(f.scan("sa-0001", &next.frame.payload).await["accepted"], true);
    // Beyond the skew of one step, an old code is refused.
    f.sim.state.clock.set_now(qr.frame.step_end + 2 * i64::from(qr.frame.timestep));
    assert_eq!(f.scan("sa-0001", &qr.frame.payload).await["reason"], "totp_mismatch");
}

#[tokio::test]
async fn issuing_twice_or_after_a_lost_reply_makes_one_member() {
    let f = Fixture::new().await;
    let a = f.issue("G002").await.unwrap();
    let b = f.issue("G002").await.unwrap();
    assert_eq!(a, b);
    assert_eq!(f.sim_members("UK-G002"), 1);

    f.sim.state.faults.list().push(uketsuke_sim::faults::Fault {
        path_prefix: "/splats/v1/members".into(),
        kind: uketsuke_sim::faults::FaultKind::Drop,
        times: Some(1),
        after: 0,
        until: None,
    });
    let c = f.issue("G003").await.unwrap();
    f.during("G003");
    assert_eq!(f.sim_members("UK-G003"), 1, "the member made before the reply was lost is adopted");
    let qr = f.qr_now("G003").await;
    assert_eq!(f.scan("sa-0003", &qr.frame.payload).await["accepted"], true);
    assert_eq!(c.splats_area_ids, vec!["sa-0003", "sa-0006"]);
}

#[tokio::test]
async fn the_qr_keeps_rotating_with_the_network_down() {
    let f = Fixture::new().await;
    let id = f.walk_in(&["A101"]).await;
    f.issue(&id).await.unwrap();
    let Fixture { sim, db, secrets, config, _dir } = f;
    drop(sim);
    let a = access::qr(&db, None, &secrets, &config, &id, None).await.unwrap();
    let b = access::qr(&db, None, &secrets, &config, &id, Some(a.frame.step_end)).await.unwrap();
    assert_ne!(a.frame.payload, b.frame.payload);
    assert!(a.png.starts_with("data:image/png;base64,"));
}

#[tokio::test]
async fn checking_out_early_revokes_access() {
    let f = Fixture::new().await;
    let id = f.walk_in(&["A103"]).await;
    f.issue(&id).await.unwrap();
    let qr = f.qr_now(&id).await;
    assert_eq!(f.scan("sa-0003", &qr.frame.payload).await["accepted"], true);
    let out = uketsuke_core::workflows::reconcile::check_out_now(
        &f.db,
        Some(&f.splats()),
        &f.secrets,
        &f.config,
        &id,
        "test",
    )
    .await
    .unwrap();
    assert_eq!(out, uketsuke_core::workflows::reconcile::CheckedOut { revoked: true, pending: false });
    assert_eq!(f.sim_members(&access::member_code(&id)), 0);
    assert_eq!(f.scan("sa-0003", &qr.frame.payload).await["accepted"], false);
    let err = access::qr(&f.db, None, &f.secrets, &f.config, &id, None).await.unwrap_err();
    assert!(err.message(uketsuke_core::Lang::Ja).contains("無効"), "{err}");
    assert!(f.secrets.get(&names::guest_seed(&id)).unwrap().is_none(), "the seed is forgotten");
    let view = f.db.read_now(|c| guests::view(c, &id, clock::now_unix())).unwrap();
    assert_eq!(view.status, GuestStatus::Left);
}

#[tokio::test]
async fn a_scan_at_the_door_marks_the_guest_in_and_search_finds_them() {
    let f = Fixture::new().await;
    let id = f.walk_in(&["A202"]).await;
    f.issue(&id).await.unwrap();
    let now = clock::now_unix();
    let code =
        f.db.read_now(|c| uketsuke_core::desk::cache::get_guest(c, &id))
            .unwrap()
            .unwrap()
            .booking_code
            .unwrap();
    assert_eq!(
        f.db.read_now(|c| guests::today(c, "S002", now, Some(&code))).unwrap()[0].status,
        GuestStatus::Upcoming
    );
    let qr = f.qr_now(&id).await;
    assert_eq!(f.scan("sa-0007", &qr.frame.payload).await["accepted"], true, "the entrance of 新宿店");
    sync::splats(&f.db, &f.splats(), &f.config, "test").await.unwrap();
    let conn = db::open(f.db.path()).unwrap();
    let list = guests::today(&conn, "S002", now, Some("こばやし")).unwrap();
    let me = list.iter().find(|g| g.guest.id == id).unwrap();
    assert_eq!(me.status, GuestStatus::In, "the accepted scan checked them in");
    assert_eq!(me.area_names, vec!["コワーキングスペース"]);
    assert_eq!(guests::today(&conn, "S002", now, Some("ｒｓｖ-1009")).unwrap().len(), 1, "full-width search");
    assert!(guests::today(&conn, "S002", now, Some("nobody")).unwrap().is_empty());
}

#[tokio::test]
async fn unmapped_areas_and_missing_settings_are_refused_clearly() {
    let mut f = Fixture::new().await;
    f.db.write_now(|c| cache::splats::map_area(c, "A102", None)).unwrap();
    let err = f.issue("G002").await.unwrap_err();
    assert!(err.message(uketsuke_core::Lang::En).contains("no SPLATS area mapped"), "{err}");
    f.config.splats.guest_membergroup_id = None;
    assert_eq!(f.issue("G001").await.unwrap_err().code(), "config");
    assert_eq!(f.sim_members("UK-G001"), 0);
}

#[tokio::test]
async fn a_booking_cancelled_upstream_leaves_the_list() {
    let f = Fixture::new().await;
    f.sim.state.world.lock().unwrap().guests.retain(|g| g.id != "G001");
    let reservation = ReservationClient::new(&f.sim.reservation_url(), DEMO_RESERVATION_TOKEN.into());
    let days = sync::guests_today(&f.db, &reservation, "test", clock::now_unix()).await.unwrap();
    let s001 = days.iter().find(|d| d.store_id == "S001").unwrap().changes.clone().unwrap();
    assert_eq!(s001.cancelled, 1);
    let list = f.db.read_now(|c| guests::today(c, "S001", clock::now_unix(), None)).unwrap();
    assert_eq!(list.len(), 7, "staff still see the cancelled booking, to check the guest out");
    assert_eq!(list.iter().find(|g| g.guest.id == "G001").unwrap().status, GuestStatus::Cancelled);
}

#[tokio::test]
async fn the_counter_reports_check_in_and_check_out_to_the_reservation_system() {
    let mut f = Fixture::new().await;
    f.config.reservation.base_url = Some(f.sim.reservation_url());
    f.config.reservation.report_visits = true;
    f.secrets.set(names::RESERVATION_TOKEN, DEMO_RESERVATION_TOKEN).unwrap();
    guests::check_in_now(&f.db, &f.config, &f.secrets, "G001", "受付").await.unwrap();
    uketsuke_core::workflows::reconcile::check_out_now(
        &f.db,
        Some(&f.splats()),
        &f.secrets,
        &f.config,
        "G001",
        "受付",
    )
    .await
    .unwrap();
    let visits = f.sim.state.world.lock().unwrap().visits.clone();
    let reported: Vec<&str> = visits.iter().map(|v| v.visit_status.as_str()).collect();
    assert_eq!(visits.len(), 2, "{reported:?}");
    assert!(visits.iter().all(|v| v.reservation_id == "G001" && v.staff_name == "受付"));
}
