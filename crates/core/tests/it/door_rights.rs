//! No door right left behind: un-mapping a room, moving a booking to an unmapped room
//! and removing a store change or revoke the live SPLATS members they concern.

use crate::support::desk::Fixture;
use std::sync::Arc;
use uketsuke_core::desk::cache;
use uketsuke_core::desk::doors::lock::Target;
use uketsuke_core::desk::guests::access;
use uketsuke_core::platform::secrets::{MemorySecrets, SecretStore};
use uketsuke_core::{platform::clock, workflows::reconcile, workflows::settings};

/// The SPLATS areas the simulator's member for this guest opens; None if it has none.
pub fn sim_areas(f: &Fixture, guest: &str) -> Option<Vec<String>> {
    let w = f.sim.state.world.lock().unwrap();
    let code = access::member_code(guest);
    let m = w.splats.members.values().find(|m| m.member_code.as_deref() == Some(code.as_str()))?;
    let mut areas: Vec<String> = m.devices_pass["areas_list"]
        .as_array()
        .map(|l| l.iter().filter_map(|a| a["area_id"].as_str().map(String::from)).collect())
        .unwrap_or_default();
    areas.sort();
    Some(areas)
}

/// One planning pass and one drain, as the worker's cycle does.
pub async fn cycle(f: &Fixture) {
    let now = clock::now_unix();
    f.db.write_now(|c| reconcile::plan(c, &f.config, now)).unwrap();
    reconcile::drain(&f.db, &f.splats(), &f.secrets, &f.config, "test", now).await.unwrap();
}

#[tokio::test]
async fn unmapping_a_room_takes_it_off_the_live_member_and_the_last_one_revokes_it() {
    let f = Fixture::new().await;
    let guest = f.walk_in(&["A101", "A102"]).await;
    cycle(&f).await;
    assert_eq!(sim_areas(&f, &guest).unwrap(), ["sa-0001", "sa-0002", "sa-0006"]);

    f.db.write_now(|c| cache::splats::map_area(c, "A101", None)).unwrap();
    cycle(&f).await;
    assert_eq!(sim_areas(&f, &guest).unwrap(), ["sa-0002", "sa-0006"], "A101 is off the member");

    f.db.write_now(|c| cache::splats::map_area(c, "A102", None)).unwrap();
    cycle(&f).await;
    assert_eq!(sim_areas(&f, &guest), None, "no room mapped: the member is revoked");
    assert!(f.db.read_now(|c| access::summary(c, &guest)).unwrap().unwrap().revoked_at.is_some());
}

#[tokio::test]
async fn a_booking_moved_to_an_unmapped_room_loses_its_old_door() {
    let f = Fixture::new().await;
    let guest = f.walk_in(&["A101"]).await;
    cycle(&f).await;
    f.db.write_now(|c| {
        cache::splats::map_area(c, "A103", None)?;
        c.execute("UPDATE guest_areas SET area_id = 'A103' WHERE guest_id = ?1", [&guest])?;
        Ok(())
    })
    .unwrap();
    cycle(&f).await;
    assert_eq!(sim_areas(&f, &guest), None, "the old room no longer opens");
}

#[tokio::test]
async fn removing_a_store_revokes_its_guests_members_first() {
    let f = Fixture::new().await;
    f.db.write_now(crate::support::desk::add_manual_store).unwrap();
    let now = clock::now_unix();
    let w = uketsuke_core::desk::guests::WalkIn {
        store_id: "S9".into(),
        name: "臨時 太郎".into(),
        name_kana: None,
        phone: None,
        area_ids: vec!["A9".into()],
        starts_at: now - 600,
        ends_at: now + 3600,
    };
    let guest = f.db.write_now(|c| uketsuke_core::desk::guests::add_walk_in(c, &w, now, "test")).unwrap().id;
    cycle(&f).await;
    assert!(sim_areas(&f, &guest).is_some());
    // The settings window's keyring (the fixture's holds the seed; this one's delete is a no-op).
    let secrets: Arc<dyn SecretStore> = Arc::new(MemorySecrets::default());
    let target = Target::Entrance("S9".into());
    // Without SPLATS the removal is refused, naming who still has access.
    let e = settings::remove_door(&f.db, None, &secrets, &target, "m").await.unwrap_err();
    assert_eq!(e.code(), "live_access_remains");
    assert!(e.message(uketsuke_core::Lang::Ja).contains("臨時 太郎"));
    let client = f.splats();
    // SPLATS failing the revoke: refused too, nothing removed.
    f.sim.state.faults.list().push(uketsuke_sim::faults::Fault {
        path_prefix: "/splats/v1/members/".into(),
        kind: uketsuke_sim::faults::FaultKind::Status { status: 503, message: None, retry_after_secs: None },
        times: Some(1),
        after: 0,
        until: None,
    });
    let e = settings::remove_door(&f.db, Some(&client), &secrets, &target, "m").await.unwrap_err();
    assert_eq!(e.code(), "live_access_remains");
    assert!(sim_areas(&f, &guest).is_some(), "still there, and so is the store");
    settings::remove_door(&f.db, Some(&client), &secrets, &target, "m").await.unwrap();
    assert_eq!(sim_areas(&f, &guest), None, "revoked before the rows went");
    let left: i64 =
        f.db.read_now(|c| Ok(c.query_row("SELECT COUNT(*) FROM stores WHERE id = 'S9'", [], |r| r.get(0))?))
            .unwrap();
    assert_eq!(left, 0);
}
