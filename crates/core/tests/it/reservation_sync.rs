//! Core against the simulator over loopback HTTP, with the cache in a real SQLite file.

use uketsuke_core::clouds::reservation::ReservationClient;
use uketsuke_core::platform::error::Error;
use uketsuke_core::{desk::audit, desk::cache, platform::db, workflows::sync};
use uketsuke_sim::{Sim, SimConfig, DEMO_RESERVATION_TOKEN};

async fn sim() -> Sim {
    Sim::start(SimConfig::default()).await.unwrap()
}

async fn fault(sim: &Sim, body: serde_json::Value) {
    let r =
        reqwest::Client::new().post(format!("{}/_sim/faults", sim.url())).json(&body).send().await.unwrap();
    assert!(r.status().is_success());
}

#[tokio::test]
async fn sync_fills_the_cache_with_the_demo_facility() {
    let sim = sim().await;
    let dir = tempfile::tempdir().unwrap();
    let db = db::Db::open(&dir.path().join("cache.sqlite3")).unwrap();
    let conn = db::open(db.path()).unwrap();
    let client = ReservationClient::new(&sim.reservation_url(), DEMO_RESERVATION_TOKEN.into());

    let changes = sync::stores_and_areas(&db, &client, "test").await.unwrap();
    assert_eq!((changes.stores_upserted, changes.areas_upserted), (2, 5));

    let stores = cache::list_stores(&conn).unwrap();
    let names: Vec<_> = stores.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["渋谷店", "新宿店"], "\\uNNNN-escaped names decode to Japanese");
    assert_eq!(stores[0].name_kana.as_deref(), Some("シブヤテン"));
    let areas: Vec<_> = cache::list_areas(&conn, Some("S001")).unwrap().into_iter().map(|a| a.name).collect();
    assert_eq!(areas, ["会議室A", "会議室B", "カラオケルーム1"]);

    // Syncing again changes nothing and doubles nothing.
    sync::stores_and_areas(&db, &client, "test").await.unwrap();
    assert_eq!(cache::list_areas(&conn, None).unwrap().len(), 5);
    let events = audit::recent(&conn, 10).unwrap();
    assert_eq!(events.len(), 2);
    assert!(events.iter().all(|e| e.ok && e.action == "sync.stores_areas"));
}

#[tokio::test]
async fn a_wrong_token_is_refused_and_recorded() {
    let sim = sim().await;
    let dir = tempfile::tempdir().unwrap();
    let db = db::Db::open(&dir.path().join("cache.sqlite3")).unwrap();
    let conn = db::open(db.path()).unwrap();
    let client = ReservationClient::new(&sim.reservation_url(), "wrong".into());
    let err = sync::stores_and_areas(&db, &client, "test").await.unwrap_err();
    assert!(matches!(err, Error::Unauthorized { status: 401, .. }), "{err:?}");
    let events = audit::recent(&conn, 1).unwrap();
    assert!(!events[0].ok);
    assert_eq!(events[0].detail.as_ref().unwrap()["error"], "unauthorized");
}

#[tokio::test]
async fn broken_replies_leave_the_cache_as_it_was() {
    let sim = sim().await;
    let dir = tempfile::tempdir().unwrap();
    let db = db::Db::open(&dir.path().join("cache.sqlite3")).unwrap();
    let conn = db::open(db.path()).unwrap();
    let client = ReservationClient::new(&sim.reservation_url(), DEMO_RESERVATION_TOKEN.into());
    sync::stores_and_areas(&db, &client, "test").await.unwrap();

    // The areas of the second store arrive broken: nothing of this run may land.
    fault(
        &sim,
        serde_json::json!({"path_prefix": "/reserve/api/v1/areas.php", "kind": "broken_json", "times": 2}),
    )
    .await;
    let err = sync::stores_and_areas(&db, &client, "test").await.unwrap_err();
    assert_eq!(err.code(), "bad_reply");
    assert_eq!(cache::list_areas(&conn, None).unwrap().len(), 5);

    fault(&sim, serde_json::json!({"path_prefix": "/reserve/", "kind": "status", "status": 503, "times": 1}))
        .await;
    let err = sync::stores_and_areas(&db, &client, "test").await.unwrap_err();
    assert!(matches!(err, Error::Http { status: 503, .. }), "{err:?}");

    fault(&sim, serde_json::json!({"path_prefix": "/reserve/", "kind": "drop", "times": 1})).await;
    let err = sync::stores_and_areas(&db, &client, "test").await.unwrap_err();
    assert_eq!(err.code(), "unreachable", "{err:?}");

    fault(&sim, serde_json::json!({"path_prefix": "/reserve/", "kind": "status", "status": 429, "retry_after_secs": 30, "times": 1})).await;
    let err = sync::stores_and_areas(&db, &client, "test").await.unwrap_err();
    assert!(matches!(err, Error::RateLimited { retry_after_secs: Some(30), .. }), "{err:?}");
    assert_eq!(cache::list_stores(&conn).unwrap().len(), 2);
}

#[tokio::test]
async fn a_dead_network_is_reported_as_unreachable() {
    let url = {
        let sim = sim().await;
        sim.reservation_url()
    }; // the simulator is stopped here
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    let dir = tempfile::tempdir().unwrap();
    let db = db::Db::open(&dir.path().join("cache.sqlite3")).unwrap();
    let client = ReservationClient::new(&url, DEMO_RESERVATION_TOKEN.into());
    let err = sync::stores_and_areas(&db, &client, "test").await.unwrap_err();
    assert_eq!(err.code(), "unreachable", "{err:?}");
    assert!(err.message(uketsuke_core::Lang::Ja).contains("接続できません"));
}
