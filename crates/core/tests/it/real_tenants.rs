//! Tenants and clouds our demo does not make: more than a page of areas, a create that
//! answers 500 after it was made, a cloud that accepts a repeated member code, readers
//! that read the seed as base32, a keyring that lost a seed, a spent rate budget.

use crate::support::desk::Fixture;
use serde_json::{json, Value};
use uketsuke_core::clouds::splats::{ratelimit::Class, SplatsClient};
use uketsuke_core::desk::guests::access::seed_reading::{self, Effective};
use uketsuke_core::desk::guests::{self, access};
use uketsuke_core::platform::secrets::{names, SecretStore};
use uketsuke_core::{desk::outbox, platform::clock, workflows::reconcile, workflows::sync};

async fn admin(f: &Fixture, method: reqwest::Method, path: &str, body: Value) {
    let r = reqwest::Client::new()
        .request(method, format!("{}/_sim/{path}", f.sim.url()))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "{path}: {}", r.status());
}

async fn sim_splats(f: &Fixture, body: Value) {
    admin(f, reqwest::Method::PUT, "splats", body).await;
}

fn count(f: &Fixture, sql: &str) -> i64 {
    f.db.read_now(|c| Ok(c.query_row(sql, [], |r| r.get(0))?)).unwrap()
}

#[tokio::test]
async fn a_tenant_with_157_areas_pass_controllers_and_groups_is_listed_whole() {
    let f = Fixture::new().await;
    sim_splats(&f, json!({ "tenant": { "areas": 157, "membergroups": 130 } })).await;
    sync::splats(&f.db, &f.splats(), &f.config, "test").await.unwrap();
    assert_eq!(count(&f, "SELECT COUNT(*) FROM splats_areas"), 157);
    assert_eq!(count(&f, "SELECT COUNT(*) FROM splats_passes"), 157);
    assert_eq!(f.splats().membergroups().await.unwrap().len(), 130);
    let calls = f.sim.state.world.lock().unwrap().splats.calls.clone();
    assert!(calls.iter().any(|c| c.contains("/v1/areas")), "{calls:?}");
}

#[tokio::test]
async fn a_create_answered_500_but_made_is_not_made_twice() {
    let f = Fixture::new().await;
    // The real cloud may take a repeated member_code; only the lookup keeps one member.
    sim_splats(&f, json!({ "accept_duplicate_codes": true })).await;
    let fault = json!({ "path_prefix": "/splats/v1/members", "kind": "applied", "status": 500, "times": 1 });
    admin(&f, reqwest::Method::POST, "faults", fault).await;
    let now = clock::now_unix();
    f.db.write_now(|c| outbox::enqueue(c, "G001", outbox::Op::Issue, "booked", now)).unwrap();
    let splats = f.splats();
    reconcile::drain(&f.db, &splats, &f.secrets, &f.config, "test", now).await.unwrap();
    // However it went, a second drain after the backoff changes nothing.
    reconcile::drain(&f.db, &splats, &f.secrets, &f.config, "test", now + 3_600).await.unwrap();
    assert_eq!(f.sim_members(&access::member_code("G001")), 1, "one member for the booking");
    assert!(f.db.read_now(|c| access::summary(c, "G001")).unwrap().is_some(), "adopted");
}

#[tokio::test]
async fn an_attempt_that_may_have_reached_splats_is_looked_up_before_creating() {
    let f = Fixture::new().await;
    sim_splats(&f, json!({ "accept_duplicate_codes": true })).await;
    // A member made by an attempt whose answer never came (a leader killed mid-issue).
    f.issue("G002").await.unwrap();
    f.db.write_now(|c| {
        c.execute("DELETE FROM guest_access WHERE guest_id = 'G002'", [])?;
        outbox::enqueue(c, "G002", outbox::Op::Issue, "booked", 0)?;
        Ok(c.execute("UPDATE outbox SET maybe_sent = 1 WHERE guest_id = 'G002'", [])?)
    })
    .unwrap();
    let now = clock::now_unix();
    reconcile::drain(&f.db, &f.splats(), &f.secrets, &f.config, "test", now).await.unwrap();
    assert_eq!(f.sim_members(&access::member_code("G002")), 1);
}

#[tokio::test]
async fn base32_readers_are_detected_from_splats_own_code_and_the_local_qr_opens() {
    let f = Fixture::new().await;
    sim_splats(&f, json!({ "seed_reading": "base32" })).await;
    // A walk-in: inside its window by the PC's clock and the simulator's alike.
    let guest = f.walk_in(&["A101"]).await;
    f.issue(&guest).await.unwrap();
    let setting = f.config.splats.totp_seed_reading;
    let found = f.db.read_now(move |c| seed_reading::effective(c, setting)).unwrap();
    assert_eq!(found, Effective::Local(uketsuke_core::platform::config::SeedEncoding::Base32));
    let qr = f.qr_now(&guest).await;
    assert!(qr.local, "drawn on this PC");
    assert_eq!(f.scan("sa-0001", &qr.frame.payload).await["accepted"], true, "{}", qr.frame.payload);

    // A reader refusing a guest inside their window makes the PC ask again at the next
    // issue, drawing with the reading it has meanwhile.
    assert!(!f.db.read_now(move |c| seed_reading::wanted(c, setting)).unwrap());
    let bad = format!("SL-OTQR?v=1&data={}&totp=000000", payload_data(&qr.frame.payload));
    assert_eq!(f.scan("sa-0001", &bad).await["accepted"], false);
    sync::splats(&f.db, &f.splats(), &f.config, "test").await.unwrap();
    assert!(
        f.db.read_now(move |c| seed_reading::wanted(c, setting)).unwrap(),
        "asked again at the next issue"
    );
    let meanwhile = f.db.read_now(move |c| seed_reading::effective(c, setting)).unwrap();
    assert_eq!(meanwhile, found, "the reading kept is used meanwhile");
    let next = f.walk_in(&["A102"]).await;
    f.issue(&next).await.unwrap();
    assert!(!f.db.read_now(move |c| seed_reading::wanted(c, setting)).unwrap(), "settled again");
    assert_eq!(f.db.read_now(move |c| seed_reading::effective(c, setting)).unwrap(), found);
}

fn payload_data(payload: &str) -> String {
    payload.split("data=").nth(1).unwrap().split('&').next().unwrap().to_string()
}

#[tokio::test]
async fn a_reading_that_matches_nothing_falls_back_to_splats_codes() {
    let f = Fixture::new().await;
    let at = f.during("G001");
    f.issue("G001").await.unwrap();
    f.db.write_now(|c| seed_reading::keep(c, "cloud", 0)).unwrap();
    let client = f.splats();
    let qr = access::qr(&f.db, Some(&client), &f.secrets, &f.config, "G001", Some(at)).await.unwrap();
    assert!(!qr.local, "fetched from SPLATS");
    assert_eq!(f.scan("sa-0001", &qr.frame.payload).await["accepted"], true);
}

#[tokio::test]
async fn a_seed_lost_from_the_keyring_is_read_back_from_splats() {
    let f = Fixture::new().await;
    f.issue("G001").await.unwrap();
    f.secrets.delete(&names::guest_seed("G001")).unwrap();
    let at = f.during("G001");
    // Offline, the staff see what to do, never a secret's name.
    let e = access::qr(&f.db, None, &f.secrets, &f.config, "G001", Some(at)).await.unwrap_err();
    assert_eq!(e.code(), "qr_seed_missing");
    let ja = e.message(uketsuke_core::Lang::Ja);
    assert!(!ja.contains("totp") && !ja.contains("guest."), "{ja}");
    let client = f.splats();
    let qr = access::qr(&f.db, Some(&client), &f.secrets, &f.config, "G001", Some(at)).await.unwrap();
    assert!(qr.local);
    assert_eq!(f.scan("sa-0001", &qr.frame.payload).await["accepted"], true);
    assert!(f.secrets.get(&names::guest_seed("G001")).unwrap().is_some(), "kept again");
}

#[tokio::test]
async fn no_calls_left_sends_no_write_and_a_new_process_waits_for_the_reset_too() {
    let f = Fixture::new().await;
    // Tokens of their own, so that no other test's budget is shared in this process.
    for t in ["tok-limits", "tok-limits-2"] {
        sim_splats(&f, json!({ "add_token": t })).await;
    }
    sim_splats(&f, json!({ "limits": { "other_per_window": 3, "window_secs": 3600 } })).await;
    let calls = || f.sim.state.world.lock().unwrap().splats.calls.len();
    let first = SplatsClient::new(&f.sim.splats_url(), "tok-limits".into()).with_meter(f.db.clone());
    for _ in 0..3 {
        first.membergroups().await.unwrap();
    }
    assert_eq!(first.remaining(Class::Other), 0, "the cloud said none are left");
    let before = calls();
    assert_eq!(first.delete_member("m-none").await.unwrap_err().code(), "rate_limited");
    assert_eq!(calls(), before, "the write was not sent to be refused");

    // A read asks once; the 429 names the reset, which SQLite keeps.
    let mut second = SplatsClient::new(&f.sim.splats_url(), "tok-limits-2".into()).with_meter(f.db.clone());
    second.retry.max_wait = std::time::Duration::from_millis(10);
    sim_splats(&f, json!({ "limits": { "other_per_window": 0, "window_secs": 3600 } })).await;
    assert_eq!(second.membergroups().await.unwrap_err().code(), "rate_limited");
    // The trailing slash names the same cloud but gives the client a budget of its own,
    // as a new process (a new CLI run) has: only what SQLite kept can stop it.
    let base = format!("{}/", f.sim.splats_url());
    let mut third = SplatsClient::new(&base, "tok-limits-2".into()).with_meter(f.db.clone());
    third.retry.max_wait = std::time::Duration::from_millis(10);
    let before = calls();
    assert_eq!(third.membergroups().await.unwrap_err().code(), "rate_limited");
    assert_eq!(calls(), before, "the kept reset was respected: nothing sent");
}

#[tokio::test]
async fn half_width_kana_and_codes_without_their_hyphen_find_the_guest() {
    let f = Fixture::new().await;
    let now = f.during("G001");
    let find = |q: &str| {
        let q = q.to_string();
        f.db.read_now(move |c| guests::today(c, "S001", now, Some(&q))).unwrap()
    };
    for typed in ["ﾔﾏﾀﾞ", "ﾔﾏﾀﾞ ﾀﾛｳ", "やまだ", "rsv1001", "ＲＳＶ－１００１", "090-1111-1234", "09011111234"]
    {
        assert!(find(typed).iter().any(|v| v.guest.id == "G001"), "{typed}");
    }
    assert!(find("ﾔﾏﾓﾄ").iter().all(|v| v.guest.id != "G001"));
}
