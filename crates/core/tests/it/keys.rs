//! SPLATS KEY against the simulator over loopback HTTP: a key given now, a key given
//! with the booking and taken at the box with the guest's QR, and a key not returned.

use uketsuke_core::clouds::reservation::ReservationClient;
use uketsuke_core::clouds::splats::SplatsClient;
use uketsuke_core::desk::alerts::{self, AlertKind};
use uketsuke_core::desk::cache;
use uketsuke_core::desk::keys::{self, KeyState};
use uketsuke_core::platform::secrets::{ExposeSecret, MemorySecrets};
use uketsuke_core::{desk::audit, platform::clock, platform::db, workflows::sync, Config};
use uketsuke_sim::splats::DEMO_TOKEN;
use uketsuke_sim::{Sim, SimConfig, DEMO_RESERVATION_TOKEN};

struct Desk {
    sim: Sim,
    _dir: tempfile::TempDir,
    db: db::Db,
    splats: SplatsClient,
    config: Config,
    guest_id: String,
    ends_at: i64,
}

/// A store with SPLATS, and a walk-in staying an hour from now.
async fn desk() -> Desk {
    let sim = Sim::start(SimConfig::default()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let db = db::Db::open(&dir.path().join("cache.sqlite3")).unwrap();
    let reservation = ReservationClient::new(&sim.reservation_url(), DEMO_RESERVATION_TOKEN.into());
    sync::stores_and_areas(&db, &reservation, "test").await.unwrap();
    let splats = SplatsClient::new(&sim.splats_url(), DEMO_TOKEN.into());
    let mut config = Config::default();
    config.splats.base_url = Some(sim.splats_url());
    config.splats.guest_membergroup_id = Some("mg-guest".into());
    sync::splats(&db, &splats, &config, "test").await.unwrap();
    let now = clock::now_unix();
    let ends_at = now + 3600;
    let guest = db
        .write_now(|c| {
            cache::splats::map_area(c, "A101", Some("sa-0001"))?;
            cache::splats::map_entrance(c, "S001", Some("sa-0006"))?;
            let w = uketsuke_core::desk::guests::WalkIn {
                store_id: "S001".into(),
                name: "鍵田 一".into(),
                name_kana: None,
                phone: None,
                area_ids: vec!["A101".into()],
                starts_at: now - 60,
                ends_at,
            };
            uketsuke_core::desk::guests::add_walk_in(c, &w, now, "t")
        })
        .unwrap();
    Desk { sim, _dir: dir, db, splats, config, guest_id: guest.id, ends_at }
}

impl Desk {
    fn choice(&self, unit: &str, secs: Option<u32>) -> keys::KeyChoice {
        keys::KeyChoice {
            guest_id: self.guest_id.clone(),
            device_id: "kb-0001".into(),
            unit: unit.into(),
            secs,
        }
    }
}

#[tokio::test]
async fn a_guest_is_given_key_01_and_the_box_reports_it_taken() {
    let d = desk().await;
    let now = clock::now_unix();
    let secrets = MemorySecrets::default();
    let before = keys::boxes(&d.db, &d.splats, now).await.unwrap();
    assert!(before[0].units.iter().all(|u| u.state == KeyState::In), "{before:?}");

    keys::give(&d.db, &d.splats, &secrets, &d.config, &d.choice("01", Some(120)), "受付").await.unwrap();
    let after = keys::boxes(&d.db, &d.splats, now).await.unwrap();
    let taken: Vec<&str> = after[0].units.iter().filter(|u| u.taken).map(|u| u.no.as_str()).collect();
    assert_eq!(taken, ["01"]);
    assert_eq!(after[0].units[0].holder.as_deref(), Some("鍵田 一"));
    let unknown = keys::give(&d.db, &d.splats, &secrets, &d.config, &d.choice("09", None), "受付").await;
    assert_eq!(unknown.unwrap_err().code(), "rejected", "the box has no unit 09");
    let too_long =
        keys::give(&d.db, &d.splats, &secrets, &d.config, &d.choice("03", Some(90_000)), "受付").await;
    assert_eq!(too_long.unwrap_err().code(), "key_timer_invalid");
    let timer =
        d.sim.state.world.lock().unwrap().splats.members.values().find_map(|m| m.temporary_use.clone());
    assert_eq!(timer.unwrap()["timer"], 120, "the time staff chose");
    let events = d.db.read_now(|c| audit::recent(c, 5)).unwrap();
    assert!(events.iter().any(|e| e.action == "key.give" && e.ok));
}

#[tokio::test]
async fn a_key_given_with_the_booking_is_taken_with_the_guests_qr_and_alerts_when_late() {
    let d = desk().await;
    let secrets = MemorySecrets::default();
    let qr = keys::with_booking(&d.db, &d.splats, &secrets, &d.config, &d.choice("02", None), "受付")
        .await
        .unwrap();
    assert_eq!(keys::booking_qr(&d.config, &secrets, &d.guest_id).unwrap().unwrap().expose_secret(), qr);
    {
        let w = d.sim.state.world.lock().unwrap();
        let g = w.splats.guests.values().next().expect("a SPLATS guest");
        assert_eq!(g.key_devices, [("kb-0001".to_string(), vec!["02".to_string()])]);
        assert_eq!(g.return_grace_period, Some(60));
    }
    let now = clock::now_unix();
    let wrong = d.sim.state.world.lock().unwrap().splats.take_key("kb-0001", &qr, "03", now);
    assert!(wrong.is_err(), "only the booked unit");
    d.sim.state.world.lock().unwrap().splats.take_key("kb-0001", &qr, "02", now).unwrap();

    let board = keys::boxes(&d.db, &d.splats, now).await.unwrap();
    let unit = board[0].units.iter().find(|u| u.no == "02").unwrap();
    assert_eq!((unit.state, unit.holder.as_deref()), (KeyState::Taken, Some("鍵田 一")));
    assert_eq!(unit.due_at, Some(d.ends_at + 3600));

    let late = d.ends_at + 3600 + 1;
    let on_board = d.db.read_now(|c| keys::board(c, late)).unwrap();
    assert_eq!(on_board[0].units[1].state, KeyState::NotReturned);
    let found = d.db.read_now(|c| alerts::for_store(c, "S001", &Default::default(), late)).unwrap();
    let alert = found.iter().find(|a| a.kind == AlertKind::KeyNotReturned).expect("a key alert");
    assert!(alert.subject.contains("キーボックスA 02") && alert.subject.contains("鍵田 一"), "{alert:?}");

    d.sim.state.world.lock().unwrap().splats.return_key("kb-0001", "02").unwrap();
    keys::read_boxes(&d.db, &d.splats, late).await.unwrap();
    let found = d.db.read_now(|c| alerts::for_store(c, "S001", &Default::default(), late)).unwrap();
    assert!(found.iter().all(|a| a.kind != AlertKind::KeyNotReturned), "returned: no alert");
    let events = d.db.read_now(|c| audit::recent(c, 5)).unwrap();
    assert!(events.iter().any(|e| e.action == "key.book" && e.ok));
}
