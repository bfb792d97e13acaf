//! The demo desk against the simulator: stores, areas and today's bookings synced from
//! the reservation system, SPLATS' areas cached and mapped, a SQLite file of its own.

use serde_json::{json, Value};
use uketsuke_core::clouds::reservation::ReservationClient;
use uketsuke_core::clouds::splats::SplatsClient;
use uketsuke_core::desk::cache;
use uketsuke_core::desk::guests::{self, access};
use uketsuke_core::platform::secrets::MemorySecrets;
use uketsuke_core::{platform::clock, platform::db, workflows::sync, Config};
use uketsuke_sim::{Sim, SimConfig, DEMO_RESERVATION_TOKEN};

pub struct Fixture {
    pub sim: Sim,
    pub _dir: tempfile::TempDir,
    pub db: db::Db,
    pub secrets: MemorySecrets,
    pub config: Config,
}

impl Fixture {
    /// The demo facility synced, every area and entrance mapped to its SPLATS area.
    pub async fn new() -> Fixture {
        let f = Fixture::without_bookings().await;
        let reservation = ReservationClient::new(&f.sim.reservation_url(), DEMO_RESERVATION_TOKEN.into());
        let days = sync::guests_today(&f.db, &reservation, "test", clock::now_unix()).await.unwrap();
        assert_eq!(days.iter().map(|d| d.changes.as_ref().unwrap().upserted).sum::<usize>(), 12);
        f
    }

    /// [`Fixture::new`] without today's bookings: the stores and areas, mapped.
    pub async fn without_bookings() -> Fixture {
        let sim = Sim::start(SimConfig::default()).await.unwrap();
        let dir = tempfile::tempdir().unwrap();
        let db = db::Db::open(&dir.path().join("cache.sqlite3")).unwrap();
        let mut config = Config::default();
        config.splats.base_url = Some(sim.splats_url());
        config.splats.guest_membergroup_id = Some("mg-guest".into());
        let reservation = ReservationClient::new(&sim.reservation_url(), DEMO_RESERVATION_TOKEN.into());
        sync::stores_and_areas(&db, &reservation, "test").await.unwrap();
        let splats = SplatsClient::new(&sim.splats_url(), uketsuke_sim::splats::DEMO_TOKEN.into());
        sync::splats(&db, &splats, &config, "test").await.unwrap();
        db.write_now(|conn| {
            for (i, a) in ["A101", "A102", "A103", "A201", "A202"].iter().enumerate() {
                cache::splats::map_area(conn, a, Some(&format!("sa-{:04}", i + 1)))?;
            }
            cache::splats::map_entrance(conn, "S001", Some("sa-0006"))?;
            cache::splats::map_entrance(conn, "S002", Some("sa-0007"))
        })
        .unwrap();
        Fixture { sim, _dir: dir, db, secrets: MemorySecrets::default(), config }
    }

    pub fn splats(&self) -> SplatsClient {
        SplatsClient::new(&self.sim.splats_url(), uketsuke_sim::splats::DEMO_TOKEN.into())
    }

    pub async fn issue(&self, guest: &str) -> uketsuke_core::Result<access::AccessSummary> {
        access::issue(&self.db, &self.splats(), &self.secrets, &self.config, guest, "test").await
    }

    /// The guest's QR as the simulator's clock says it should be now.
    pub async fn qr_now(&self, guest: &str) -> access::QrView {
        let at = self.sim.state.clock.now_unix();
        access::qr(&self.db, None, &self.secrets, &self.config, guest, Some(at)).await.unwrap()
    }

    pub async fn scan(&self, area: &str, payload: &str) -> Value {
        let r = reqwest::Client::new()
            .post(format!("{}/_sim/splats/scan", self.sim.url()))
            .json(&json!({ "area_id": area, "payload": payload }))
            .send()
            .await
            .unwrap();
        r.json().await.unwrap()
    }

    /// A walk-in for these areas (their store follows), from ten minutes ago for an hour,
    /// so that the test does not depend on the time of day it runs. Registered an hour
    /// ago, so that it is expected, not already taken as arrived at the counter.
    pub async fn walk_in(&self, areas: &[&str]) -> String {
        let now = clock::now_unix();
        let w = guests::WalkIn {
            store_id: if areas[0].starts_with("A1") { "S001" } else { "S002" }.into(),
            name: "小林 大輔".into(),
            name_kana: Some("コバヤシ ダイスケ".into()),
            phone: Some("070-9999-9012".into()),
            area_ids: areas.iter().map(|a| a.to_string()).collect(),
            starts_at: now - 600,
            ends_at: now + 3600,
        };
        self.db.write_now(|c| guests::add_walk_in(c, &w, now - 3600, "test")).unwrap().id
    }

    /// Puts the simulator's clock ten minutes into a seeded booking.
    pub fn during(&self, guest: &str) -> i64 {
        let g = self.sim.state.world.lock().unwrap().guests.iter().find(|g| g.id == guest).unwrap().clone();
        self.sim.state.clock.set_now(g.starts_at + 600);
        g.starts_at + 600
    }

    pub fn sim_members(&self, code: &str) -> usize {
        let w = self.sim.state.world.lock().unwrap();
        w.splats.members.values().filter(|m| m.member_code.as_deref() == Some(code)).count()
    }
}

/// A store made by hand, 臨時店 `S9` with one room `A9`, mapped onto SPLATS areas (the room
/// onto `sa-0003`, the entrance onto `sa-0006`): one the manager may remove.
pub fn add_manual_store(c: &mut db::Connection) -> uketsuke_core::Result<()> {
    c.execute_batch(
        "INSERT INTO stores (id, name, source, updated_at) VALUES ('S9', '臨時店', 'manual', 0);
         INSERT INTO areas (id, store_id, name, source, updated_at) VALUES ('A9', 'S9', '臨時室', 'manual', 0);",
    )?;
    cache::splats::map_area(c, "A9", Some("sa-0003"))?;
    cache::splats::map_entrance(c, "S9", Some("sa-0006"))
}
