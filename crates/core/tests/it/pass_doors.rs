//! SPLATS doors (pass controllers) on the door board, unlocked through the extended API
//! against the simulator over loopback HTTP.

use uketsuke_core::clouds::reservation::ReservationClient;
use uketsuke_core::clouds::splats::SplatsClient;
use uketsuke_core::desk::cache;
use uketsuke_core::desk::doors;
use uketsuke_core::desk::doors::lock::Target;
use uketsuke_core::platform::secrets::{names, MemorySecrets, SecretStore};
use uketsuke_core::{desk::audit, platform::db, workflows::sync, Config};
use uketsuke_sim::splats::{DEMO_LICENSE_KEY, DEMO_TOKEN};
use uketsuke_sim::{Sim, SimConfig, DEMO_RESERVATION_TOKEN};

async fn facility() -> (Sim, tempfile::TempDir, db::Db, SplatsClient) {
    let sim = Sim::start(SimConfig::default()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let db = db::Db::open(&dir.path().join("cache.sqlite3")).unwrap();
    let reservation = ReservationClient::new(&sim.reservation_url(), DEMO_RESERVATION_TOKEN.into());
    sync::stores_and_areas(&db, &reservation, "test").await.unwrap();
    let splats = SplatsClient::new(&sim.splats_url(), DEMO_TOKEN.into());
    sync::splats(&db, &splats, &Config::default(), "test").await.unwrap();
    // A101's door is SPLATS pass controller pc-0001 (area sa-0001); it has no SESAME lock.
    db.write_now(|c| cache::splats::map_area(c, "A101", Some("sa-0001"))).unwrap();
    (sim, dir, db, splats)
}

fn sim_locked(sim: &Sim, device: &str) -> bool {
    sim.state.world.lock().unwrap().splats.passes.iter().find(|p| p.device_id == device).unwrap().locked
}

#[tokio::test]
async fn a_splats_only_area_shows_its_pass_controller_and_unlocks_through_it() {
    let (sim, _dir, db, splats) = facility().await;
    let board = db.read_now(|c| doors::of_store(c, "S001")).unwrap();
    let a101 = board.iter().find(|d| d.target == Target::Area("A101".into())).unwrap();
    assert!(!a101.registered, "no SESAME lock here");
    assert_eq!(a101.pass.as_ref().map(|p| p.device_id.as_str()), Some("pc-0001"));
    let a102 = board.iter().find(|d| d.target == Target::Area("A102".into())).unwrap();
    assert!(a102.pass.is_none(), "an unmapped area has no SPLATS door");

    let secrets = MemorySecrets::default();
    let target = Target::Area("A101".into());
    let missing = doors::pass_unlock(&db, &splats, &secrets, &target, "受付").await.unwrap_err();
    assert_eq!(missing.code(), "secret_missing");
    assert!(sim_locked(&sim, "pc-0001"), "nothing was sent without the licence");

    secrets.set(names::SPLATS_LICENSE_KEY, DEMO_LICENSE_KEY).unwrap();
    let report = doors::pass_unlock(&db, &splats, &secrets, &target, "受付").await.unwrap();
    assert_eq!(report.confirmed, Some(true));
    assert!(!sim_locked(&sim, "pc-0001"), "the simulated door was unlocked");
    let events = db.read_now(|c| audit::recent(c, 3)).unwrap();
    assert!(events.iter().any(|e| e.action == "door.pass_unlock" && e.ok));

    let none = doors::pass_unlock(&db, &splats, &secrets, &Target::Area("A102".into()), "受付").await;
    assert_eq!(none.unwrap_err().code(), "door_not_registered");
    secrets.set(names::SPLATS_LICENSE_KEY, "wrong-licence-key").unwrap();
    let refused = doors::pass_unlock(&db, &splats, &secrets, &target, "受付").await.unwrap_err();
    assert_eq!(refused.code(), "unauthorized", "{refused}");
}

#[tokio::test]
async fn a_store_without_sesame_offers_no_sesame_buttons() {
    let (_sim, _dir, db, _) = facility().await;
    db.write_now(|c| {
        c.execute(
            "UPDATE areas SET device_uuid = '11111111-2222-3333-4444-555555555555' WHERE id = 'A102'",
            [],
        )?;
        c.execute("UPDATE stores SET use_sesame = 0 WHERE id = 'S001'", [])?;
        Ok(())
    })
    .unwrap();
    let board = db.read_now(|c| doors::of_store(c, "S001")).unwrap();
    assert!(board.iter().all(|d| !d.registered), "セサミ利用 off: no SESAME door");
}

#[tokio::test]
async fn the_board_reads_first_the_doors_whose_guests_arrive_soonest() {
    let (sim, _dir, db, _) = facility().await;
    let now = uketsuke_core::platform::clock::now_unix();
    db.write_now(|c| {
        cache::splats::map_entrance(c, "S001", Some("sa-0006"))?;
        cache::splats::map_area(c, "A102", Some("sa-0002"))?;
        // A guest for A102 arrives in ten minutes; nobody is booked for A101 or the
        // entrance's other doors.
        let w = uketsuke_core::desk::guests::WalkIn {
            store_id: "S001".into(),
            name: "早川".into(),
            name_kana: None,
            phone: None,
            area_ids: vec!["A102".into()],
            starts_at: now + 600,
            ends_at: now + 4200,
        };
        // Registered earlier: expected, not yet arrived.
        uketsuke_core::desk::guests::add_walk_in(c, &w, now - 3600, "t").map(|_| ())
    })
    .unwrap();
    // Room for one status read this hour.
    sim.state.world.lock().unwrap().splats.limits.status_per_window = 1;
    let client = SplatsClient::new(&sim.splats_url(), DEMO_TOKEN.into());
    let read = doors::read_passes(&db, &client, now).await.unwrap();
    assert_eq!(read.read, 1, "{read:?}");
    assert!(read.rate_limited);
    let board = db.read_now(|c| doors::of_store(c, "S001")).unwrap();
    let read_at = |id: &str| {
        let d = board.iter().find(|d| d.target == Target::Area(id.into())).unwrap();
        d.pass.as_ref().unwrap().status_at
    };
    assert!(read_at("A102").is_some(), "the door with the next arrival was read first");
    assert!(read_at("A101").is_none());
}
