//! SPLATS: core's client and sync against the simulator over loopback HTTP, with the
//! cache in a real SQLite file.

use serde_json::{json, Value};
use std::time::Duration;
use uketsuke_core::clouds::splats::bulk::{self, Polling, Tag};
use uketsuke_core::clouds::splats::model::{
    DevicesPass, GuestInput, MemberInput, OneTimeQr, QrCode, QrIssuing,
};
use uketsuke_core::clouds::splats::{RetryPolicy, SplatsClient};
use uketsuke_core::desk::cache;
use uketsuke_core::desk::history::splats as history;
use uketsuke_core::{platform::clock, platform::db, workflows::sync, Config};
use uketsuke_sim::splats::DEMO_TOKEN;
use uketsuke_sim::{Sim, SimConfig};

struct Fixture {
    sim: Sim,
    _dir: tempfile::TempDir,
    /// The app's handle, and a connection of the test's own for looking (WAL).
    db: db::Db,
    conn: db::Connection,
    config: Config,
}

impl Fixture {
    async fn new() -> Fixture {
        let sim = Sim::start(SimConfig::default()).await.unwrap();
        let dir = tempfile::tempdir().unwrap();
        let db = db::Db::open(&dir.path().join("cache.sqlite3")).unwrap();
        let conn = db::open(db.path()).unwrap();
        let mut config = Config::default();
        config.splats.base_url = Some(sim.splats_url());
        Fixture { sim, _dir: dir, db, conn, config }
    }

    fn client(&self) -> SplatsClient {
        SplatsClient::new(&self.sim.splats_url(), DEMO_TOKEN.into())
            .with_retry(RetryPolicy { backoff: Duration::from_millis(20), ..RetryPolicy::default() })
    }

    async fn admin(&self, method: reqwest::Method, path: &str, body: Value) -> Value {
        let r = reqwest::Client::new()
            .request(method, format!("{}/_sim/{path}", self.sim.url()))
            .json(&body)
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success(), "{path}: {}", r.status());
        r.json().await.unwrap_or(Value::Null)
    }

    async fn add_histories(&self, count: usize) {
        let start = clock::now_unix() - 2 * 86_400;
        self.admin(
            reqwest::Method::POST,
            "splats/histories",
            json!({ "count": count, "start": start, "step_secs": 15 }),
        )
        .await;
    }

    async fn world(&self) -> Value {
        self.admin(reqwest::Method::GET, "splats", Value::Null).await
    }
}

fn member(name: &str, code: &str) -> Value {
    json!({ "member_name": name, "member_code": code, "membergroup_id": "mg-guest" })
}

#[tokio::test]
async fn pages_through_ten_thousand_histories_once_each() {
    let f = Fixture::new().await;
    f.add_histories(10_000).await;
    let total = f.sim.state.world.lock().unwrap().splats.histories.len() as i64;
    let client = f.client();

    let report = sync::splats(&f.db, &client, &f.config, "test").await.unwrap();
    assert_eq!(report.histories.fetched as i64, total);
    assert_eq!(report.histories.pages, 11, "1000 a page: 10,030 histories");
    assert_eq!(history::count(&f.conn).unwrap(), total);
    assert!(!report.histories.resumed);

    // The next sync overlaps the last few minutes and adds nothing twice.
    let again = sync::splats(&f.db, &client, &f.config, "test").await.unwrap();
    assert_eq!(again.histories.inserted, 0);
    assert_eq!(history::count(&f.conn).unwrap(), total);
    assert_eq!(report.areas.upserted, 7);
    assert_eq!(report.passes.upserted, 7);
}

#[tokio::test]
async fn a_sync_killed_half_way_resumes_with_nothing_lost_or_doubled() {
    let f = Fixture::new().await;
    f.add_histories(10_000).await;
    let total = f.sim.state.world.lock().unwrap().splats.histories.len() as i64;
    // Page 5 and every retry of it: the connection drops mid-reply.
    f.sim.state.faults.list().push(uketsuke_sim::faults::Fault {
        path_prefix: "/splats/v1/histories".into(),
        kind: uketsuke_sim::faults::FaultKind::Drop,
        times: Some(10),
        after: 4,
        until: None,
    });
    let client = f.client();
    let err = sync::splats(&f.db, &client, &f.config, "test").await.unwrap_err();
    assert_eq!(err.code(), "unreachable", "{err:?}");
    let saved = history::count(&f.conn).unwrap();
    assert_eq!(saved, 4000, "four whole pages were kept");
    let (pages, _, _) = history::pending(&f.conn).unwrap().expect("the cursor survives");
    assert_eq!(pages, 4);

    f.sim.state.faults.list().clear();
    let report = sync::splats(&f.db, &client, &f.config, "test").await.unwrap();
    assert!(report.histories.resumed);
    assert_eq!(report.histories.pages, 7, "resumed at page 5, not at the start");
    assert_eq!(history::count(&f.conn).unwrap(), total);
    assert!(history::pending(&f.conn).unwrap().is_none());
}

#[tokio::test]
async fn a_429_mid_sync_is_waited_out() {
    let f = Fixture::new().await;
    f.add_histories(3_000).await;
    let total = f.sim.state.world.lock().unwrap().splats.histories.len() as i64;
    f.admin(reqwest::Method::PUT, "splats", json!({ "limits": { "other_per_window": 3, "window_secs": 2 } }))
        .await;
    let client = f.client();
    let report = sync::splats(&f.db, &client, &f.config, "test").await.unwrap();
    assert_eq!(history::count(&f.conn).unwrap(), total);
    assert_eq!(report.histories.pages, 4);
    let calls = f.world().await["calls"].as_array().unwrap().len();
    assert!(calls >= 6, "areas, passes and four pages got through: {calls}");
}

#[tokio::test]
async fn a_429_longer_than_the_wait_stops_the_sync_and_it_resumes_later() {
    let f = Fixture::new().await;
    f.add_histories(3_000).await;
    let total = f.sim.state.world.lock().unwrap().splats.histories.len() as i64;
    f.admin(reqwest::Method::PUT, "splats", json!({ "limits": { "other_per_window": 4, "window_secs": 2 } }))
        .await;
    let client = SplatsClient::new(&f.sim.splats_url(), DEMO_TOKEN.into())
        .with_retry(RetryPolicy { max_wait: Duration::ZERO, ..RetryPolicy::default() });
    let err = sync::splats(&f.db, &client, &f.config, "test").await.unwrap_err();
    assert_eq!(err.code(), "rate_limited", "{err:?}");
    assert!(err.message(uketsuke_core::Lang::Ja).contains("上限"));
    assert_eq!(history::count(&f.conn).unwrap(), 2000, "two pages fitted in the window");

    tokio::time::sleep(Duration::from_millis(2100)).await;
    let report = sync::splats(&f.db, &client, &f.config, "test").await.unwrap();
    assert!(report.histories.resumed);
    assert_eq!(history::count(&f.conn).unwrap(), total);
}

#[tokio::test]
async fn bulk_create_of_2500_members_is_split_and_polled_to_the_end() {
    let f = Fixture::new().await;
    f.admin(reqwest::Method::PUT, "splats", json!({ "bulk_members_per_sec": 4000 })).await;
    let mut members: Vec<Value> =
        (0..2500).map(|i| member(&format!("会員{i:04}"), &format!("C{i:04}"))).collect();
    members[2499] = member("重複", "C0007"); // a code already used earlier in the run
    let client = f.client();
    let mut seen = Vec::new();
    let polling = Polling {
        first: Duration::from_millis(50),
        max_interval: Duration::from_millis(200),
        timeout: Duration::from_secs(60),
    };
    let out = bulk::run(&client, Tag::Create, &members, polling, |done, total| seen.push((done, total)))
        .await
        .unwrap();

    assert_eq!(out.requests.iter().map(|r| r.members).collect::<Vec<_>>(), vec![1000, 1000, 500]);
    assert_eq!((out.succeeded, out.failed, out.not_processed), (2499, 1, 0));
    let last = &out.results[2499];
    assert_eq!(last.status, "failed");
    assert_eq!(last.error.as_ref().unwrap().error_code.as_deref(), Some("40901"));
    assert!(seen.iter().any(|(d, _)| *d > 0 && *d < 2500), "progress was reported part-way");
    assert_eq!(f.world().await["members"].as_array().unwrap().len(), 2499);

    // The bulk delete cleans them up through the same machinery.
    let ids: Vec<Value> =
        out.results.iter().filter_map(|r| r.member_id.clone()).map(|id| json!({ "member_id": id })).collect();
    let del = bulk::run(&client, Tag::Delete, &ids, polling, |_, _| {}).await.unwrap();
    assert_eq!(del.succeeded, 2499);
    assert!(f.world().await["members"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn a_bulk_request_that_fails_as_a_whole_says_what_was_not_done() {
    let f = Fixture::new().await;
    f.admin(reqwest::Method::PUT, "splats", json!({ "fail_next_bulk": true })).await;
    let members: Vec<Value> = (0..10).map(|i| member(&format!("M{i}"), &format!("F{i}"))).collect();
    let out = bulk::run(&f.client(), Tag::Create, &members, Polling::default(), |_, _| {}).await.unwrap();
    assert_eq!(out.requests[0].status, uketsuke_core::clouds::splats::model::RequestStatus::Failed);
    assert_eq!((out.succeeded, out.not_processed), (5, 5));
}

#[tokio::test]
async fn members_guests_and_devices_round_trip() {
    let f = Fixture::new().await;
    let client = f.client();
    let groups = client.membergroups().await.unwrap();
    assert!(groups.iter().any(|g| g.membergroup_id == "mg-guest"));
    let areas = client.areas().await.unwrap();
    let area = areas[0].area_id.clone();
    let passes = client.passes().await.unwrap();
    let status = client.pass_status(&passes[0].device_id).await.unwrap();
    assert_eq!(status["door"], "closed");
    let keys = client.keys().await.unwrap();
    assert_eq!(client.key_status(&keys[0].device_id).await.unwrap()["units"].as_array().unwrap().len(), 5);

    let now = clock::now_unix();
    let input = MemberInput {
        member_name: "山田 太郎".into(),
        membergroup_id: "mg-guest".into(),
        use_date_start: Some(clock::iso_jst(now - 60)),
        use_date_end: Some(clock::iso_jst(now + 3600)),
        qrcode: Some(QrCode {
            one_time_qr: Some(OneTimeQr {
                enabled: true,
                timestep: Some(30),
                skew: Some(1),
                totp_seed: None,
            }),
            ..QrCode::default()
        }),
        devices_pass: Some(DevicesPass::only(std::slice::from_ref(&area))),
        ..MemberInput::default()
    };
    let m = client.create_member(&input).await.unwrap();
    let fetched = client.member(&m.member_id).await.unwrap();
    let otqr = fetched.qrcode.unwrap().one_time_qr.unwrap();
    assert_eq!(otqr.totp_seed.as_ref().map(String::len), Some(32), "the cloud made a seed");

    // The cloud-made one-time QR opens the booked area and nothing else.
    let qr = client.one_time_qr(&m.member_id).await.unwrap();
    assert!(qr.one_time_qr_data.starts_with("SL-OTQR?v=1&data="));
    let ok = f
        .admin(
            reqwest::Method::POST,
            "splats/scan",
            json!({ "area_id": area, "payload": qr.one_time_qr_data }),
        )
        .await;
    assert_eq!(ok["accepted"], true, "{ok}");
    let other = &areas[1].area_id;
    let no = f
        .admin(
            reqwest::Method::POST,
            "splats/scan",
            json!({ "area_id": other, "payload": qr.one_time_qr_data }),
        )
        .await;
    assert_eq!(no["reason"], "no_permission");

    // Invalid settings come back as SPLATS error codes, in both languages.
    let mut bad = input.clone();
    bad.qrcode.as_mut().unwrap().one_time_qr.as_mut().unwrap().timestep = Some(10);
    let err = client.create_member(&bad).await.unwrap_err();
    assert_eq!(err.code(), "rejected");
    assert!(err.to_string().contains("40002"), "{err}");

    let mut renamed = input.clone();
    renamed.member_name = "山田 花子".into();
    assert_eq!(client.update_member(&m.member_id, &renamed).await.unwrap().member_name, "山田 花子");
    client.delete_member(&m.member_id).await.unwrap();
    assert_eq!(client.member(&m.member_id).await.unwrap_err().code(), "rejected");

    // Guests: created, read back, and purged by the cloud a week after they end.
    let guest = GuestInput {
        guest_name: "来客".into(),
        use_date_start: clock::iso_jst(now - 9 * 86_400),
        use_date_end: clock::iso_jst(now - 8 * 86_400),
        qrcode_issuing_method: Some(QrIssuing { qrcode_data: "ABCDEF0123456789".into() }),
        area_id_list: vec![area.clone()],
        key_devices_list: vec![],
        return_grace_period: None,
    };
    let g = client.create_guest(&guest).await.unwrap();
    assert_eq!(client.guest(&g.guest_id).await.unwrap_err().code(), "rejected", "purged");
    let fresh =
        GuestInput { use_date_end: clock::iso_jst(now + 3600), use_date_start: clock::iso_jst(now), ..guest };
    let g = client.create_guest(&fresh).await.unwrap();
    assert_eq!(client.guest(&g.guest_id).await.unwrap().area_id_list, vec![area.clone()]);
    client.delete_guest(&g.guest_id).await.unwrap();

    // Areas cached and mapped onto the app's.
    sync::splats(&f.db, &client, &f.config, "test").await.unwrap();
    f.conn
        .execute_batch(
            "INSERT INTO stores (id, name, source, updated_at) VALUES ('S001', '渋谷店', 'manual', 0);
             INSERT INTO areas (id, store_id, name, source, updated_at) VALUES ('A101', 'S001', '会議室A', 'manual', 0);",
        )
        .unwrap();
    cache::splats::map_area(&f.conn, "A101", Some(&area)).unwrap();
    let cached = cache::splats::areas(&f.conn).unwrap();
    assert!(cached.iter().any(|a| a.area_id == area && a.mapped_to == ["area:A101"]));
}

#[tokio::test]
async fn wrong_tokens_and_broken_replies_are_clear_errors() {
    let f = Fixture::new().await;
    let bad = SplatsClient::new(&f.sim.splats_url(), "nope".into());
    assert_eq!(bad.areas().await.unwrap_err().code(), "unauthorized");

    f.sim.state.faults.list().push(uketsuke_sim::faults::Fault {
        path_prefix: "/splats/v1/areas".into(),
        kind: uketsuke_sim::faults::FaultKind::BrokenJson,
        times: Some(1),
        after: 0,
        until: None,
    });
    assert_eq!(f.client().areas().await.unwrap_err().code(), "bad_reply");

    // A 503 on a read is retried; on a write it is not.
    f.sim.state.faults.list().push(uketsuke_sim::faults::Fault {
        path_prefix: "/splats/v1/".into(),
        kind: uketsuke_sim::faults::FaultKind::Status { status: 503, message: None, retry_after_secs: None },
        times: Some(2),
        after: 0,
        until: None,
    });
    assert_eq!(f.client().areas().await.unwrap().len(), 7);
    f.sim.state.faults.list().push(uketsuke_sim::faults::Fault {
        path_prefix: "/splats/v1/members".into(),
        kind: uketsuke_sim::faults::FaultKind::Drop,
        times: Some(1),
        after: 0,
        until: None,
    });
    let input =
        MemberInput { member_name: "x".into(), membergroup_id: "mg-guest".into(), ..MemberInput::default() };
    assert_eq!(f.client().create_member(&input).await.unwrap_err().code(), "uncertain");
    assert_eq!(f.world().await["members"].as_array().unwrap().len(), 1, "sent once, never twice");
}
