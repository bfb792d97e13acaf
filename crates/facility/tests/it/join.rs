//! A new PC joins a facility that already has data: a counter with 600 bookings starts
//! its facility part, a PC with an empty database joins and holds every guest within
//! 10 s, whatever order the rows arrive in; a broken row is set aside and reported,
//! never blocking the rows after it.

use crate::two_pcs::{join, pc, start, until};
use std::time::Duration;
use uketsuke_core::platform::model::{Guest, GuestSource};
use uketsuke_core::platform::secrets::names;
use uketsuke_core::{desk::cache, platform::clock};
use uketsuke_sim::postgres::Cluster;
use uketsuke_sim::{Sim, SimConfig, DEMO_RESERVATION_TOKEN};

const BOOKINGS: usize = 600;

fn bookings(now: i64) -> Vec<Guest> {
    let rooms = [("S001", "A101"), ("S001", "A102"), ("S001", "A103"), ("S002", "A201"), ("S002", "A202")];
    (0..BOOKINGS)
        .map(|i| {
            let (store, room) = rooms[i % rooms.len()];
            Guest {
                id: format!("CSV-{i:04}"),
                store_id: store.into(),
                booking_code: Some(format!("R-{i:04}")),
                name: format!("予約 {i}"),
                name_kana: None,
                phone_last4: None,
                starts_at: now + (i as i64 % 10) * 1800,
                ends_at: now + 3600 + (i as i64 % 10) * 1800,
                area_ids: vec![room.into()],
                source: GuestSource::Csv,
            }
        })
        .collect()
}

fn guests(db: &uketsuke_core::platform::db::Db) -> i64 {
    db.read_now(|c| Ok(c.query_row("SELECT COUNT(*) FROM guests", [], |r| r.get(0))?)).unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_new_pc_joins_a_facility_that_has_data_and_sets_a_broken_row_aside() {
    if !uketsuke_sim::postgres::available() {
        return;
    }
    let pg = Cluster::start().unwrap();
    let sim = Sim::start(SimConfig::default()).await.unwrap();
    // A synced and imported its day before it took part in a facility.
    let a = pc(&sim, &pg, "counter-a", &[(names::RESERVATION_TOKEN, DEMO_RESERVATION_TOKEN)]).await;
    let client = uketsuke_core::clouds::reservation::ReservationClient::new(
        &sim.reservation_url(),
        DEMO_RESERVATION_TOKEN.into(),
    );
    uketsuke_core::workflows::sync::stores_and_areas(&a.1, &client, "setup").await.unwrap();
    let now = clock::now_unix();
    a.1.write_now(move |c| cache::upsert_guests(c, &bookings(now), now)).unwrap();
    let a = start(a);
    until("A sent its rows", Duration::from_secs(30), || {
        let s = a.facility.status();
        s.connected && s.queued == 0
    })
    .await;
    // A row no PC can apply (a guest without its columns), as a damaged database or
    // another version might hold.
    pg.psql(
        "uketsuke",
        "INSERT INTO rows (tbl, id, data, seq, origin, updated_at)
         VALUES ('guests', 'BROKEN', '{\"id\": \"BROKEN\", \"store_id\": \"S404\"}', nextval('rows_seq'), 'x', now())",
    )
    .unwrap();

    // A code past its ten minutes is erased when the next is made (or one is used).
    pg.psql(
        "uketsuke",
        "INSERT INTO joins (code_hash, sealed_key, made_by, expires_at) VALUES ('\\x01', '\\x0102', 'old', now() - interval '1 hour')",
    )
    .unwrap();
    let b = join(&sim, &pg, &a, "counter-b").await;
    let left = pg
        .psql("uketsuke", "SELECT count(*) FROM joins WHERE expires_at <= now() AND sealed_key <> ''::bytea");
    assert_eq!(left.unwrap().trim(), "0", "an expired code seals nothing any more");
    let took =
        until("B holds every guest", Duration::from_secs(10), || guests(&b.db) as usize >= BOOKINGS).await;
    eprintln!("a new PC received {BOOKINGS} bookings and their stores in {took:?}");
    until("B reports the broken row", Duration::from_secs(5), || b.facility.status().held == 1).await;
    let held = b.db.read_now(uketsuke_facility::replica::held).unwrap();
    assert_eq!((held[0].0.as_str(), held[0].1.as_str()), ("guests", "BROKEN"), "{held:?}");
    assert!(b.facility.status().error.is_none(), "{:?}", b.facility.status().error);
    let last = b.db.read_now(move |c| uketsuke_core::desk::guests::view(c, "CSV-0599", now)).unwrap();
    assert_eq!(
        (last.guest.name.as_str(), last.area_names.as_slice()),
        ("予約 599", &["コワーキングスペース".to_string()][..])
    );
}
