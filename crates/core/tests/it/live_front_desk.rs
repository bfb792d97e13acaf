//! The live front desk: door rights follow the bookings by themselves. Against the
//! simulator over real HTTP on loopback, with the cache in a real SQLite file.

use serde_json::{json, Value};
use std::sync::Arc;
use uketsuke_core::clouds::splats::SplatsClient;
use uketsuke_core::desk::cache;
use uketsuke_core::desk::guests::{access, GuestStatus};
use uketsuke_core::desk::history::splats as history;
use uketsuke_core::platform::secrets::{names, ExposeSecret, MemorySecrets, SecretStore};
use uketsuke_core::workflows::sync::{self, Scope};
use uketsuke_core::workflows::worker::Worker;
use uketsuke_core::{desk::outbox, platform::clock, platform::db, workflows::reconcile, Config};
use uketsuke_sim::{Sim, SimConfig, DEMO_RESERVATION_TOKEN};

struct Desk {
    sim: Sim,
    _dir: tempfile::TempDir,
    db: db::Db,
    secrets: Arc<MemorySecrets>,
    config: Config,
}

impl Desk {
    /// The demo facility synced, its rooms and entrances mapped to SPLATS areas.
    async fn open() -> Desk {
        let sim = Sim::start(SimConfig::default()).await.unwrap();
        let dir = tempfile::tempdir().unwrap();
        let db = db::Db::open(&dir.path().join("cache.sqlite3")).unwrap();
        let secrets = Arc::new(MemorySecrets::default());
        secrets.set(names::RESERVATION_TOKEN, DEMO_RESERVATION_TOKEN).unwrap();
        secrets.set(names::SPLATS_TOKEN, uketsuke_sim::splats::DEMO_TOKEN).unwrap();
        let mut config = Config::default();
        config.reservation.base_url = Some(sim.reservation_url());
        config.reservation.client_id = Some("demo".into());
        config.splats.base_url = Some(sim.splats_url());
        config.splats.guest_membergroup_id = Some("mg-guest".into());
        let desk = Desk { sim, _dir: dir, db, secrets, config };
        let first = desk.sync(Scope { bookings: true, splats: true, access: false }).await;
        assert!(first.ok(), "{first:?}");
        desk.db
            .write_now(|c| {
                for (i, a) in ["A101", "A102", "A103", "A201", "A202"].iter().enumerate() {
                    cache::splats::map_area(c, a, Some(&format!("sa-{:04}", i + 1)))?;
                }
                cache::splats::map_entrance(c, "S001", Some("sa-0006"))?;
                cache::splats::map_entrance(c, "S002", Some("sa-0007"))
            })
            .unwrap();
        desk
    }

    async fn sync(&self, scope: Scope) -> sync::Report {
        sync::run(&self.db, &self.config, self.secrets.as_ref(), scope, "test").await
    }

    async fn admin(&self, method: reqwest::Method, path: &str, body: Value) -> Value {
        let r = reqwest::Client::new()
            .request(method, format!("{}/_sim{path}", self.sim.url()))
            .json(&body)
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success(), "{path}: {}", r.status());
        r.json().await.unwrap_or(Value::Null)
    }

    /// A booking from ten minutes ago for an hour in `rooms` of 渋谷店, so that the test
    /// does not depend on the time of day it runs.
    async fn book(&self, id: &str, rooms: &[&str]) -> (i64, i64) {
        let now = self.sim.state.clock.now_unix();
        let (start, end) = (now - 600, now + 3600);
        let body = json!({ "id": id, "store_id": "S001", "name": "予約 花子", "starts_at": start, "ends_at": end, "area_ids": rooms });
        self.admin(reqwest::Method::POST, "/reservation/bookings", body).await;
        (start, end)
    }

    async fn qr_at(&self, guest: &str, at: i64) -> String {
        access::qr(&self.db, None, self.secrets.as_ref(), &self.config, guest, Some(at))
            .await
            .unwrap()
            .frame
            .payload
    }

    async fn scan(&self, area: &str, payload: &str, at: i64) -> Value {
        self.sim.state.clock.set_now(at);
        self.admin(reqwest::Method::POST, "/splats/scan", json!({ "area_id": area, "payload": payload }))
            .await
    }

    fn members(&self, guest: &str) -> usize {
        let code = access::member_code(guest);
        self.sim.splats_members(|c| c == code)
    }
}

#[tokio::test]
async fn a_booking_gets_its_door_access_ahead_and_loses_it_when_cancelled() {
    let d = Desk::open().await;
    d.book("B-CANCEL", &["A101"]).await;
    let report = d.sync(Scope::BOOKINGS).await;
    let access = report.access.unwrap().report.unwrap();
    assert!(access.planned.issue >= 1, "{access:?}");
    assert_eq!(d.members("B-CANCEL"), 1, "issued without anyone pressing a button");
    let now = d.sim.state.clock.now_unix();
    let qr = d.qr_at("B-CANCEL", now).await;
    assert_eq!(d.scan("sa-0001", &qr, now).await["accepted"], true);

    d.admin(reqwest::Method::DELETE, "/reservation/bookings/B-CANCEL", Value::Null).await;
    let report = d.sync(Scope::BOOKINGS).await;
    assert!(report.ok(), "{report:?}");
    assert_eq!(d.members("B-CANCEL"), 0, "gone within one cycle");
    assert_eq!(d.scan("sa-0001", &qr, now).await["accepted"], false, "the reader refuses the QR");
    let view = d.db.read_now(|c| uketsuke_core::desk::guests::view(c, "B-CANCEL", now)).unwrap();
    assert_eq!(view.status, GuestStatus::Cancelled, "staff still see it, marked cancelled");
    assert!(
        access::qr(&d.db, None, d.secrets.as_ref(), &d.config, "B-CANCEL", Some(now)).await.is_err(),
        "no code is shown"
    );
    let audited = d.db.read_now(|c| uketsuke_core::desk::audit::recent(c, 50)).unwrap();
    assert!(audited
        .iter()
        .any(|e| e.action == "access.revoke" && e.ok && e.target.as_deref() == Some("B-CANCEL")));
}

#[tokio::test]
async fn an_extended_booking_opens_in_the_added_hour_with_the_same_qr() {
    let d = Desk::open().await;
    let (_, end) = d.book("B-EXTEND", &["A102"]).await;
    d.sync(Scope::BOOKINGS).await;
    let seed = d.secrets.get(&names::guest_seed("B-EXTEND")).unwrap().unwrap();
    let late = end + 15 * 60 + 30 * 60; // past the old end and its grace, inside the new hour
    d.admin(reqwest::Method::PUT, "/reservation/bookings/B-EXTEND", json!({ "extend_secs": 3600 })).await;
    let report = d.sync(Scope::BOOKINGS).await;
    assert_eq!(report.access.unwrap().report.unwrap().planned.update, 1);
    assert_eq!(
        d.secrets.get(&names::guest_seed("B-EXTEND")).unwrap().unwrap().expose_secret(),
        seed.expose_secret(),
        "updated in place: same seed, same QR"
    );
    assert_eq!(d.members("B-EXTEND"), 1);
    let qr = d.qr_at("B-EXTEND", late).await;
    assert_eq!(d.scan("sa-0002", &qr, late).await["accepted"], true, "accepted in the added hour");
}

#[tokio::test]
async fn a_booking_moved_to_another_room_opens_only_the_new_one() {
    let d = Desk::open().await;
    d.book("B-MOVE", &["A101"]).await;
    d.sync(Scope::BOOKINGS).await;
    d.admin(reqwest::Method::PUT, "/reservation/bookings/B-MOVE", json!({ "area_ids": ["A102"] })).await;
    d.sync(Scope::BOOKINGS).await;
    let now = d.sim.state.clock.now_unix();
    let qr = d.qr_at("B-MOVE", now).await;
    assert_eq!(d.scan("sa-0001", &qr, now).await["accepted"], false, "A101 refuses");
    assert_eq!(d.scan("sa-0002", &qr, now).await["accepted"], true, "A102 accepts");
    assert_eq!(d.scan("sa-0006", &qr, now).await["accepted"], true, "the entrance still opens");
}

#[tokio::test]
async fn one_bad_booking_is_reported_and_every_other_syncs() {
    let d = Desk::open().await;
    let now = d.sim.state.clock.now_unix();
    let post = |body: Value| d.admin(reqwest::Method::POST, "/reservation/bookings", body);
    post(json!({ "id": "BAD-END", "store_id": "S001", "starts_at": now, "ends_at": now - 60, "area_ids": ["A101"] })).await;
    post(json!({ "id": "BAD-DATE", "store_id": "S001", "starts_at": now, "ends_at": now + 60, "area_ids": ["A101"], "raw_start_at": "明日の朝" })).await;
    post(json!({ "id": "BAD-AREA", "store_id": "S001", "starts_at": now, "ends_at": now + 60, "area_ids": ["A999"] })).await;
    let report = d.sync(Scope::ALL).await;
    let bookings = report.reservation.as_ref().unwrap();
    assert!(bookings.ok, "skips are reported, not failures: {bookings:?}");
    let days = &bookings.report.as_ref().unwrap().days;
    let skipped: Vec<&str> =
        days.iter().flat_map(|d| &d.changes.as_ref().unwrap().skipped).map(|s| s.id.as_str()).collect();
    assert_eq!(skipped.len(), 3, "{skipped:?}");
    for id in ["BAD-END", "BAD-DATE", "BAD-AREA"] {
        assert!(skipped.contains(&id), "{id} named");
    }
    let upserted: usize = days.iter().map(|d| d.changes.as_ref().unwrap().upserted).sum();
    assert_eq!(upserted, 12, "every good booking synced");
    assert!(report.splats.as_ref().unwrap().ok, "and SPLATS synced after it");
    let skipped =
        days.iter().flat_map(|d| &d.changes.as_ref().unwrap().skipped).find(|s| s.id == "BAD-AREA").unwrap();
    assert!(skipped.ja.contains("A999") && skipped.en.contains("A999"));
}

#[tokio::test]
async fn three_thousand_expired_members_are_cleaned_up_within_the_budget() {
    let d = Desk::open().await;
    let now = clock::now_unix();
    let (start, end) = (now - 3 * 86_400, now - 3 * 86_400 + 3600);
    let mut rows = Vec::new();
    {
        let mut w = d.sim.state.world.lock().unwrap();
        for i in 0..3000 {
            let id = format!("OLD{i:04}");
            let body = json!({ "member_name": id, "member_code": access::member_code(&id), "membergroup_id": "mg-guest" });
            let m = w.splats.member_from(&body, None).unwrap();
            w.splats.members.insert(m.member_id.clone(), m.clone());
            rows.push((id, m.member_id));
        }
    }
    d.db
        .write_now(move |c| {
            let tx = c.transaction()?;
            for (id, member) in &rows {
                tx.execute(
                    "INSERT INTO guests (id, store_id, name, starts_at, ends_at, source, updated_at) VALUES (?1, 'S001', ?1, ?2, ?3, 'walk_in', ?2)",
                    rusqlite::params![id, start, end],
                )?;
                tx.execute(
                    "INSERT INTO guest_access (guest_id, splats_member_id, qr_data, timestep, skew, valid_from, valid_until, splats_area_ids, issued_at)
                     VALUES (?1, ?2, 'x', 30, 1, ?3, ?4, '[]', ?3)",
                    rusqlite::params![id, member, start, end],
                )?;
            }
            tx.commit()?;
            Ok(())
        })
        .unwrap();
    let calls_before = d.sim.state.world.lock().unwrap().splats.calls.len();
    let report = sync::access(&d.db, &d.config, d.secrets.as_ref(), "test").await.unwrap();
    assert_eq!(report.planned.delete, 3000, "{report:?}");
    assert_eq!(report.drained.done, 3000 + report.planned.issue, "and today's later bookings were issued");
    assert_eq!(report.drained.bulk_requests, 3, "1,000 a request");
    let left = d.sim.splats_members(|c| c.starts_with("UK-OLD"));
    assert_eq!(left, 0);
    let spent = d.sim.state.world.lock().unwrap().splats.calls.len() - calls_before;
    assert!(spent < 60, "{spent} calls of the 720 an hour");
    let again = sync::access(&d.db, &d.config, d.secrets.as_ref(), "test").await.unwrap();
    assert_eq!((again.planned.delete, again.waiting), (0, 0), "nothing left to do");
}

#[tokio::test]
async fn a_repeating_page_key_ends_the_loop_and_the_next_sync_starts_clean() {
    let d = Desk::open().await;
    let before = d.db.read_now(history::count).unwrap();
    d.admin(
        reqwest::Method::POST,
        "/splats/histories",
        json!({ "count": 3000, "start": clock::now_unix() - 300, "step_secs": 0 }),
    )
    .await;
    d.admin(reqwest::Method::PUT, "/splats", json!({ "repeat_history_keys": 1 })).await;
    let client = SplatsClient::from_config(&d.config, d.secrets.as_ref()).unwrap();
    let err = sync::splats(&d.db, &client, &d.config, "test").await.unwrap_err();
    assert_eq!(err.code(), "paging_stuck");
    assert!(err.message(uketsuke_core::Lang::Ja).contains("打ち切り"));
    assert!(d.db.read_now(history::pending).unwrap().is_none(), "no cursor to loop on next time");
    let report = sync::splats(&d.db, &client, &d.config, "test").await.unwrap();
    assert!(!report.histories.resumed, "starts clean");
    assert_eq!(d.db.read_now(history::count).unwrap(), before + 3000, "nothing lost, nothing doubled");
}

#[tokio::test]
async fn a_tenant_without_splats_pass_still_syncs_histories() {
    let d = Desk::open().await;
    d.admin(reqwest::Method::PUT, "/splats", json!({ "pass_enabled": false })).await;
    d.admin(reqwest::Method::POST, "/splats/histories", json!({ "count": 10 })).await;
    let report = d.sync(Scope::SPLATS).await;
    let splats = report.splats.unwrap();
    assert!(splats.ok, "{splats:?}");
    let r = splats.report.unwrap();
    assert!(r.devices_error.is_some(), "the refusal is noted");
    assert_eq!(r.histories.inserted, 10);
}

#[tokio::test]
async fn a_revoke_waits_in_the_outbox_while_splats_is_down_and_is_done_once() {
    let d = Desk::open().await;
    d.book("B-DOWN", &["A103"]).await;
    d.sync(Scope::BOOKINGS).await;
    let now = d.sim.state.clock.now_unix();
    d.sim.state.faults.list().push(uketsuke_sim::faults::Fault {
        path_prefix: "/splats/".into(),
        kind: uketsuke_sim::faults::FaultKind::Status { status: 503, message: None, retry_after_secs: None },
        times: None,
        after: 0,
        until: None,
    });
    let out = reconcile::check_out_now(
        &d.db,
        Some(&SplatsClient::from_config(&d.config, d.secrets.as_ref()).unwrap()),
        d.secrets.as_ref(),
        &d.config,
        "B-DOWN",
        "staff",
    )
    .await
    .unwrap();
    assert_eq!(out, reconcile::CheckedOut { revoked: false, pending: true }, "checked out; the revoke waits");
    let view = d.db.read_now(|c| uketsuke_core::desk::guests::view(c, "B-DOWN", now)).unwrap();
    assert_eq!(view.pending.as_ref().map(|p| p.op), Some(outbox::Op::Revoke), "shown as pending");
    assert!(view.pending.unwrap().last_error.is_some());
    assert_eq!(d.members("B-DOWN"), 1);

    d.sim.state.faults.list().clear();
    // The backoff has not passed yet: a sync leaves it; once due, it is done.
    d.db.write_now(|c| Ok(c.execute("UPDATE outbox SET next_attempt_at = 0", [])?)).unwrap();
    let report = d.sync(Scope::ACCESS).await;
    assert_eq!(report.access.unwrap().report.unwrap().drained.done, 1);
    assert_eq!(d.members("B-DOWN"), 0);
    let again = d.sync(Scope::ACCESS).await.access.unwrap().report.unwrap();
    assert_eq!((again.drained.done, again.waiting), (0, 0), "never applied twice");
}

#[tokio::test]
async fn one_worker_per_database_and_it_saves_its_status() {
    let d = Desk::open().await;
    let snapshot = Arc::new(d.config.clone());
    let source: uketsuke_core::workflows::worker::ConfigSource = Arc::new(move || snapshot.clone());
    let w = Worker::new(d.db.clone(), d.secrets.clone(), source.clone()).unwrap();
    assert_eq!(
        Worker::new(d.db.clone(), d.secrets.clone(), source).err().map(|e| e.code().as_str()),
        Some("worker_busy")
    );
    let first = w.tick(clock::now_unix()).await.unwrap().expect("everything is due at start");
    assert!(first.ok(), "{first:?}");
    assert!(w.tick(clock::now_unix()).await.unwrap().is_none(), "nothing is due right after");
    let saved = d.db.read_now(uketsuke_core::workflows::worker::status).unwrap().unwrap();
    assert_eq!(saved.reservation.last_ok, Some(true));
    assert!(saved.reservation.next_at.unwrap() >= clock::now_unix() + 100, "next in about two minutes");
    assert!(saved.splats.next_at.unwrap() >= clock::now_unix() + 250, "SPLATS every five minutes");
}
