//! A stay changed at the counter: written to the simulated reservation system, refused
//! when the room is booked next (by a booking this PC knows, or one only the system
//! knows), and the door rights following at once with the same QR.

use crate::support::desk::Fixture;
use serde_json::json;
use uketsuke_core::desk::audit;
use uketsuke_core::desk::guests::stay::StayChange;
use uketsuke_core::platform::secrets::{names, ExposeSecret, SecretStore};
use uketsuke_core::workflows::{stay, sync};
use uketsuke_sim::DEMO_RESERVATION_TOKEN;

/// The demo's stores and rooms with no seeded bookings in the way (the tests must not
/// depend on the time of day), the reservation system configured for writes.
async fn desk() -> Fixture {
    let mut f = Fixture::without_bookings().await;
    f.sim.state.world.lock().unwrap().guests.clear();
    f.config.reservation.base_url = Some(f.sim.reservation_url());
    f.secrets.set(names::RESERVATION_TOKEN, DEMO_RESERVATION_TOKEN).unwrap();
    f
}

/// A booking in the simulator, synced here, from `start` to `end` (minutes from now).
async fn book(f: &Fixture, id: &str, room: &str, start: i64, end: i64) -> (i64, i64) {
    let now = f.sim.state.clock.now_unix();
    let (s, e) = (now + start * 60, now + end * 60);
    let store = if room.starts_with("A1") { "S001" } else { "S002" };
    let body = json!({ "id": id, "store_id": store, "name": "予約 花子", "starts_at": s, "ends_at": e, "area_ids": [room] });
    let r = reqwest::Client::new()
        .post(format!("{}/_sim/reservation/bookings", f.sim.url()))
        .json(&body)
        .send()
        .await;
    assert!(r.unwrap().status().is_success());
    (s, e)
}

async fn sync_today(f: &Fixture) {
    let client = uketsuke_core::clouds::reservation::ReservationClient::new(
        &f.sim.reservation_url(),
        DEMO_RESERVATION_TOKEN.into(),
    );
    sync::guests_today(&f.db, &client, "test", f.sim.state.clock.now_unix()).await.unwrap();
}

async fn change(f: &Fixture, guest: &str, c: StayChange) -> uketsuke_core::Result<stay::StayChanged> {
    stay::change(&f.db, &f.config, &f.secrets, Some(&f.splats()), guest, &c, "受付 花子").await
}

fn sim_end(f: &Fixture, id: &str) -> i64 {
    f.sim.state.world.lock().unwrap().guests.iter().find(|g| g.id == id).unwrap().ends_at
}

#[tokio::test]
async fn an_hour_added_at_the_counter_is_in_the_reservation_and_opens_the_door_in_it() {
    let f = desk().await;
    let (_, end) = book(&f, "B-LONGER", "A102", -10, 60).await;
    sync_today(&f).await;
    f.issue("B-LONGER").await.unwrap();
    let seed = f.secrets.get(&names::guest_seed("B-LONGER")).unwrap().unwrap();

    let out = change(&f, "B-LONGER", StayChange { ends_at: end + 3600, starts_at: None, area_ids: None })
        .await
        .unwrap();
    assert!(!out.doors_pending, "the door update was made at once");
    assert_eq!(out.guest.guest.ends_at, end + 3600);
    assert_eq!(sim_end(&f, "B-LONGER"), end + 3600, "written to the reservation system");
    let kept = f.secrets.get(&names::guest_seed("B-LONGER")).unwrap().unwrap();
    assert_eq!(kept.expose_secret(), seed.expose_secret(), "the same member: the guest's QR keeps working");
    assert_eq!(f.sim_members("UK-B-LONGER"), 1);

    let late = end + 15 * 60 + 30 * 60; // past the old end and its grace, inside the added hour
    f.sim.state.clock.set_now(late);
    let qr = f.qr_now("B-LONGER").await;
    assert_eq!(f.scan("sa-0002", &qr.frame.payload).await["accepted"], true, "let in during the added hour");

    sync_today(&f).await;
    let g = f.db.read_now(|c| uketsuke_core::desk::cache::get_guest(c, "B-LONGER")).unwrap().unwrap();
    assert_eq!(g.ends_at, end + 3600, "the next sync keeps it: the reservation system has it");
    let rows = f.db.read_now(|c| audit::recent(c, 20)).unwrap();
    assert!(rows.iter().any(|e| e.action == "guest.stay" && e.ok && e.actor == "受付 花子"));
}

#[tokio::test]
async fn a_room_booked_next_refuses_the_extension_and_nothing_changes() {
    let f = desk().await;
    let (_, end) = book(&f, "B-NOW", "A103", -10, 60).await;
    book(&f, "B-NEXT", "A103", 60, 120).await;
    sync_today(&f).await;
    let e = change(&f, "B-NOW", StayChange { ends_at: end + 1800, starts_at: None, area_ids: None })
        .await
        .unwrap_err();
    assert_eq!(e.code(), "room_taken");
    let text = e.message(uketsuke_core::platform::i18n::Lang::Ja);
    assert!(text.contains("から別の予約"), "names when the next guest comes: {text}");
    assert_eq!(sim_end(&f, "B-NOW"), end, "nothing was written");

    // A booking only the reservation system knows yet: it says no, with a 409.
    book(&f, "B-HERE", "A101", -10, 60).await;
    sync_today(&f).await;
    book(&f, "B-UNSEEN", "A101", 60, 120).await;
    let here_end = sim_end(&f, "B-HERE");
    let e = change(&f, "B-HERE", StayChange { ends_at: here_end + 1800, starts_at: None, area_ids: None })
        .await
        .unwrap_err();
    assert_eq!(e.code(), "room_taken", "a booking made there since the sync: {e:?}");
    let g = f.db.read_now(|c| uketsuke_core::desk::cache::get_guest(c, "B-HERE")).unwrap().unwrap();
    assert_eq!(g.ends_at, here_end, "not changed here either");
    let rows = f.db.read_now(|c| audit::recent(c, 20)).unwrap();
    assert!(rows.iter().any(|e| e.action == "guest.stay" && !e.ok), "the refusal is audited");
}

#[tokio::test]
async fn a_stay_moved_to_a_free_room_opens_only_the_new_room_and_a_shorter_one_ends_sooner() {
    let f = desk().await;
    let (_, end) = book(&f, "B-MOVE2", "A101", -10, 60).await;
    sync_today(&f).await;
    f.issue("B-MOVE2").await.unwrap();
    let moved = StayChange { ends_at: end - 1800, starts_at: None, area_ids: Some(vec!["A102".into()]) };
    change(&f, "B-MOVE2", moved).await.unwrap();
    let qr = f.qr_now("B-MOVE2").await;
    assert_eq!(f.scan("sa-0001", &qr.frame.payload).await["accepted"], false, "the old room refuses");
    assert_eq!(f.scan("sa-0002", &qr.frame.payload).await["accepted"], true, "the new room opens");
    assert_eq!(sim_end(&f, "B-MOVE2"), end - 1800, "shortened in the reservation system");
    let areas =
        f.sim.state.world.lock().unwrap().guests.iter().find(|g| g.id == "B-MOVE2").unwrap().area_ids.clone();
    assert_eq!(areas, vec!["A102".to_string()]);

    let now = f.sim.state.clock.now_unix();
    let e = change(&f, "B-MOVE2", StayChange { ends_at: now - 60, starts_at: None, area_ids: None })
        .await
        .unwrap_err();
    assert_eq!(e.code(), "time_range_invalid", "ending it in the past is a check-out, not a change");
}

#[tokio::test]
async fn a_walk_in_stays_longer_without_the_reservation_system() {
    let mut f = desk().await;
    // Someone already sharing the room in the old window does not stop the stay growing.
    book(&f, "B-SHARED", "A201", -30, 120).await;
    sync_today(&f).await;
    f.config.reservation.base_url = None; // never asked: a walk-in is not in it
    let id = f.walk_in(&["A201"]).await;
    let g = f.db.read_now(|c| uketsuke_core::desk::cache::get_guest(c, &id)).unwrap().unwrap();
    let out = change(&f, &id, StayChange { ends_at: g.ends_at + 1800, starts_at: None, area_ids: None })
        .await
        .unwrap();
    assert_eq!(out.guest.guest.ends_at, g.ends_at + 1800);
}
