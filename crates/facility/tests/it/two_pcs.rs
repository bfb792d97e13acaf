//! Facility mode for real: a throwaway PostgreSQL cluster (Debian's server, started by
//! `uketsuke_sim::postgres`), two PCs each with its own SQLite file and its own secret
//! store, and the simulator for the clouds.

use std::sync::Arc;
use std::time::{Duration, Instant};
use uketsuke_core::desk::guests::{self, access, kiosk, WalkIn};
use uketsuke_core::platform::config::FacilityConfig;
use uketsuke_core::platform::secrets::{names, ExposeSecret, Keyring, MemorySecrets, SecretStore};
use uketsuke_core::{desk::calls::meter, platform::clock, platform::db, Config};
use uketsuke_facility::{self as facility, join, seal::FacilityKey, Facility};
use uketsuke_sim::postgres::Cluster;
use uketsuke_sim::{Sim, SimConfig, DEMO_RESERVATION_TOKEN};

/// One PC: its SQLite, its secrets, its facility part.
pub(crate) struct Pc {
    _dir: tempfile::TempDir,
    pub(crate) db: db::Db,
    pub(crate) secrets: Arc<dyn SecretStore>,
    pub(crate) config: Config,
    pub(crate) facility: Arc<Facility>,
}

/// A real keyring per PC under `make test` (a service of its own: the tests of this
/// file run at once in one process), memory otherwise.
fn secrets_for(name: &str) -> Arc<dyn SecretStore> {
    if std::env::var_os("UKETSUKE_TEST_KEYRING").is_some() {
        let k = Keyring::new(&format!("jp.uketsuke.test-facility-{name}-{:08x}", rand_u32()));
        Arc::new(k)
    } else {
        Arc::new(MemorySecrets::default())
    }
}

/// Enough to tell this process's PCs apart (no extra dependency for it).
fn rand_u32() -> u32 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos());
    h.finish() as u32
}

fn config(sim: &Sim, pg: &Cluster, name: &str) -> Config {
    let mut c = Config::default();
    c.reservation.base_url = Some(sim.reservation_url());
    c.reservation.client_id = Some("demo".into());
    c.splats.base_url = Some(sim.splats_url());
    c.splats.guest_membergroup_id = Some("mg-guest".into());
    c.sesame.base_url = Some(sim.sesame_url());
    c.facility =
        FacilityConfig { database_url: Some(pg.url()), pc_name: Some(name.into()), ..Default::default() };
    c
}

/// A PC whose secrets hold the database password (and `extra`), not yet running.
pub(crate) async fn pc(
    sim: &Sim,
    pg: &Cluster,
    name: &str,
    extra: &[(&str, &str)],
) -> (tempfile::TempDir, db::Db, Arc<dyn SecretStore>, Config) {
    let dir = tempfile::tempdir().unwrap();
    let db = db::Db::open(&dir.path().join("cache.sqlite3")).unwrap();
    let secrets = secrets_for(name);
    secrets.set(facility::DB_PASSWORD, &pg.password).unwrap();
    for (k, v) in extra {
        secrets.set(k, v).unwrap();
    }
    (dir, db, secrets, config(sim, pg, name))
}

pub(crate) fn start(parts: (tempfile::TempDir, db::Db, Arc<dyn SecretStore>, Config)) -> Pc {
    let (dir, db, secrets, config) = parts;
    let facility = Facility::new(db.clone(), secrets.clone(), config.facility.clone()).unwrap();
    tokio::spawn(facility.clone().run());
    Pc { _dir: dir, db, secrets, config, facility }
}

pub(crate) async fn until(what: &str, limit: Duration, mut check: impl FnMut() -> bool) -> Duration {
    let started = Instant::now();
    while !check() {
        assert!(started.elapsed() < limit, "{what}: not within {limit:?}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    started.elapsed()
}

/// Two PCs in one facility: A started it (its stores synced from the reservation
/// system), B joined with a code A showed.
pub(crate) async fn two_pcs(sim: &Sim, pg: &Cluster) -> (Pc, Pc) {
    two_pcs_with(sim, pg, None).await
}

/// [`two_pcs`], A reaching PostgreSQL at `a_url` when given.
async fn two_pcs_with(sim: &Sim, pg: &Cluster, a_url: Option<String>) -> (Pc, Pc) {
    let mut a = pc(
        sim,
        pg,
        "counter-a",
        &[
            (names::RESERVATION_TOKEN, DEMO_RESERVATION_TOKEN),
            (names::SPLATS_TOKEN, uketsuke_sim::splats::DEMO_TOKEN),
            (names::SESAME_API_KEY, uketsuke_sim::sesame::DEMO_API_KEY),
        ],
    )
    .await;
    if let Some(url) = a_url {
        a.3.facility.database_url = Some(url);
    }
    let client = uketsuke_core::clouds::reservation::ReservationClient::new(
        &sim.reservation_url(),
        DEMO_RESERVATION_TOKEN.into(),
    );
    let a = start(a);
    uketsuke_core::workflows::sync::stores_and_areas(&a.db, &client, "setup").await.unwrap();
    until("A started the facility", Duration::from_secs(10), || a.facility.status().connected).await;
    assert!(join::key_of(a.secrets.as_ref()).unwrap().is_some(), "A made the facility key");

    let b = join(sim, pg, &a, "kiosk-b").await;
    until("B has A's stores and areas", Duration::from_secs(10), || {
        b.db.read_now(|c| Ok(uketsuke_core::desk::cache::list_areas(c, None)?.len())).unwrap() > 0
    })
    .await;
    (a, b)
}

/// A new PC joins with a code A shows (a wrong code and a used one refused on the way),
/// and starts its facility part.
pub(crate) async fn join(sim: &Sim, pg: &Cluster, a: &Pc, name: &str) -> Pc {
    join_as(sim, pg, a, name, uketsuke_core::platform::config::PcRole::Counter).await
}

/// [`join`] in a role.
pub(crate) async fn join_as(
    sim: &Sim,
    pg: &Cluster,
    a: &Pc,
    name: &str,
    role: uketsuke_core::platform::config::PcRole,
) -> Pc {
    let mut b = pc(sim, pg, name, &[]).await;
    b.3.facility.role = role;
    let mut session = facility::connect(&b.3.facility, b.2.as_ref(), "test").await.unwrap();
    let key = join::key_of(a.secrets.as_ref()).unwrap().unwrap();
    let code = join::make_code(&session.client, &key, "manager").await.unwrap();
    assert_eq!(
        join::join(&session.client, "AAAA-BBBB-CCCC-DDDD", "pc-b", b.2.as_ref()).await.unwrap_err().code(),
        "join_code_invalid"
    );
    join::join(&session.client, &code.to_lowercase(), "pc-b", b.2.as_ref()).await.unwrap();
    assert_eq!(
        join::join(&session.client, &code, "pc-x", b.2.as_ref()).await.unwrap_err().code(),
        "join_code_invalid",
        "a code works once"
    );
    facility::ensure_schema(&mut session.client).await.unwrap();
    let sealed = pg
        .psql("uketsuke", "SELECT count(*) FROM joins WHERE used_at IS NOT NULL AND sealed_key <> ''::bytea");
    assert_eq!(sealed.unwrap().trim(), "0", "a used code seals nothing any more");
    start(b)
}

fn walk_in(store: &str, name: &str, phone: &str) -> WalkIn {
    let now = clock::now_unix();
    WalkIn {
        store_id: store.into(),
        name: name.into(),
        name_kana: None,
        phone: Some(phone.into()),
        area_ids: vec!["A101".into()],
        starts_at: now - 600,
        ends_at: now + 3600,
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_walk_in_at_one_counter_is_found_at_the_other_within_two_seconds() {
    if !uketsuke_sim::postgres::available() {
        eprintln!("skipped: PostgreSQL's server is not installed (scripts/install-system-deps.sh)");
        return;
    }
    let pg = Cluster::start().unwrap();
    let sim = Sim::start(SimConfig::default()).await.unwrap();
    let (a, b) = two_pcs(&sim, &pg).await;

    let w = walk_in("S001", "森 拓海", "090-1234-5678");
    let added = a.db.write_now(|c| guests::add_walk_in(c, &w, clock::now_unix(), "受付 佐藤")).unwrap();
    let code: String = added.booking_code.clone().unwrap().chars().filter(char::is_ascii_digit).collect();
    let lookup = kiosk::KioskLookup::Code { code, last4: "5678".into() };
    let took = until("B's kiosk finds A's walk-in", Duration::from_secs(2), || {
        b.db.read_now(|c| kiosk::find(c, "S001", clock::now_unix(), &lookup)).is_ok()
    })
    .await;
    eprintln!("walk-in at A found at B's kiosk after {took:?}");
    let at_b = b.db.read_now(|c| guests::view(c, &added.id, clock::now_unix())).unwrap();
    assert_eq!((at_b.guest.name.as_str(), at_b.area_names.clone()), ("森 拓海", vec!["会議室A".to_string()]));

    // The database holds rows, never a secret in the clear.
    let dump = pg.psql("uketsuke", "SELECT string_agg(data::text, ' ') FROM rows").unwrap();
    assert!(dump.contains("森 拓海"));
    for secret in [DEMO_RESERVATION_TOKEN, uketsuke_sim::splats::DEMO_TOKEN, &pg.password] {
        assert!(!dump.contains(secret));
    }
    drop((a, b));
}

#[tokio::test(flavor = "multi_thread")]
async fn device_keys_travel_sealed_and_open_only_with_the_facility_key() {
    if !uketsuke_sim::postgres::available() {
        return;
    }
    let pg = Cluster::start().unwrap();
    let sim = Sim::start(SimConfig::default()).await.unwrap();
    let (a, b) = two_pcs(&sim, &pg).await;
    let device = sim.state.world.lock().unwrap().sesame.device_for("area:A101").unwrap().clone();
    let hex_key: String = device.secret.iter().map(|x| format!("{x:02x}")).collect();
    let uuid = uketsuke_core::clouds::sesame::DeviceUuid::parse(&device.uuid).unwrap();
    let target = uketsuke_core::desk::doors::lock::Target::Area("A101".into());
    a.db.write_now(|c| {
        uketsuke_core::desk::doors::lock::assign(
            c,
            a.secrets.as_ref(),
            &target,
            &uuid,
            &uketsuke_core::clouds::sesame::SecretKey::parse(&hex_key)?,
            "manager",
        )
    })
    .unwrap();
    let name = names::device_secret(&device.uuid);
    // The key goes with the area that names it: B has it in its own keyring at once.
    until("B holds the lock's key", Duration::from_secs(5), || {
        b.secrets.get(&name).unwrap().is_some_and(|k| k.expose_secret() == hex_key)
    })
    .await;
    assert_eq!(
        b.secrets.get(names::SESAME_API_KEY).unwrap().unwrap().expose_secret(),
        uketsuke_sim::sesame::DEMO_API_KEY,
        "and the SESAME API key"
    );
    let sealed = pg
        .psql("uketsuke", &format!("SELECT encode(sealed, 'hex') FROM sealed_secrets WHERE name = '{name}'"))
        .unwrap();
    assert!(!sealed.is_empty() && !sealed.contains(&hex_key), "sealed, not plain: {sealed}");
    let bytes = hex::decode(&sealed).unwrap();
    let held = join::key_of(b.secrets.as_ref()).unwrap().unwrap();
    assert_eq!(&held.open(&name, &bytes).unwrap()[..], hex_key.as_bytes());
    assert_eq!(FacilityKey::generate().open(&name, &bytes).unwrap_err().code(), "facility_key");
    drop((a, b));
}

#[tokio::test(flavor = "multi_thread")]
async fn one_pc_leads_and_the_meter_counts_both() {
    if !uketsuke_sim::postgres::available() {
        return;
    }
    let pg = Cluster::start().unwrap();
    let sim = Sim::start(SimConfig::default()).await.unwrap();
    let (a, b) = two_pcs(&sim, &pg).await;
    until("someone leads", Duration::from_secs(15), || {
        a.facility.leadership.is_leader() || b.facility.leadership.is_leader()
    })
    .await;
    tokio::time::sleep(Duration::from_secs(6)).await;
    assert!(a.facility.leadership.is_leader() != b.facility.leadership.is_leader(), "exactly one leads");

    // Each PC makes SESAME calls of its own: 3 at A, 2 at B.
    let now = clock::now_unix();
    a.db.write_now(|c| {
        for _ in 0..3 {
            meter::count(c, meter::SESAME, meter::CallKind::Command, now)?;
        }
        Ok(())
    })
    .unwrap();
    b.secrets.set(names::SESAME_API_KEY, uketsuke_sim::sesame::DEMO_API_KEY).unwrap();
    b.db.write_now(|c| {
        for _ in 0..2 {
            meter::count(c, meter::SESAME, meter::CallKind::Command, now)?;
        }
        Ok(())
    })
    .unwrap();
    let total = |pc: &Pc| pc.db.read_now(|c| meter::usage(c, meter::SESAME, now, 3000, 1000)).unwrap().total;
    until("both meters show 5", Duration::from_secs(5), || total(&a) == 5 && total(&b) == 5).await;
    let _ = (&a.config, &b.config);
    drop((a, b));
}

#[tokio::test(flavor = "multi_thread")]
async fn offline_both_keep_their_qr_codes_and_a_queued_check_out_merges_once_back() {
    if !uketsuke_sim::postgres::available() {
        return;
    }
    let pg = Cluster::start().unwrap();
    let sim = Sim::start(SimConfig::default()).await.unwrap();
    let (a, b) = two_pcs(&sim, &pg).await;
    let splats = uketsuke_core::clouds::splats::SplatsClient::new(
        &sim.splats_url(),
        uketsuke_sim::splats::DEMO_TOKEN.into(),
    );
    uketsuke_core::workflows::sync::splats(&a.db, &splats, &a.config, "setup").await.unwrap();
    a.db.write_now(|c| {
        uketsuke_core::desk::cache::splats::map_area(c, "A101", Some("sa-0001"))?;
        uketsuke_core::desk::cache::splats::map_entrance(c, "S001", Some("sa-0006"))
    })
    .unwrap();
    let w = walk_in("S001", "石井 真央", "090-0000-4321");
    let id = a.db.write_now(|c| guests::add_walk_in(c, &w, clock::now_unix(), "受付")).unwrap().id;
    access::issue(&a.db, &splats, a.secrets.as_ref(), &a.config, &id, "受付").await.unwrap();
    let qr = |pc: &Pc, at: i64| {
        let (db, secrets, config, id) = (pc.db.clone(), pc.secrets.clone(), pc.config.clone(), id.clone());
        async move { access::qr(&db, None, secrets.as_ref(), &config, &id, Some(at)).await.map(|v| v.frame) }
    };
    let started = Instant::now();
    while qr(&b, clock::now_unix()).await.is_err() {
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "B can show A's guest's QR (its seed arrived sealed)"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    // The database goes away. Both PCs keep making the same rotating codes.
    pg.stop_server().unwrap();
    until("A notices", Duration::from_secs(10), || !a.facility.status().connected).await;
    let now = clock::now_unix();
    let (a1, b1) = (qr(&a, now).await.unwrap(), qr(&b, now).await.unwrap());
    let (a2, b2) = (qr(&a, now + 30).await.unwrap(), qr(&b, now + 30).await.unwrap());
    assert_eq!((&a1, &a2), (&b1, &b2), "the same code on both PCs");
    assert_ne!(a1, a2, "and it rotates");

    // Meanwhile B checks the guest in and A checks them out: A's change is queued.
    b.db.write_now(|c| guests::check_in(c, &id, now, "受付 B")).unwrap();
    a.db.write_now(|c| access::check_out(c, &id, now + 5, "受付 A").map(|_| ())).unwrap();
    assert!(a.facility.status().queued >= 1, "{:?}", a.facility.status());

    // Back: B sees the check-out (check-out wins), and keeps its check-in; no duplicates.
    pg.start_server().unwrap();
    until("B sees A's check-out", Duration::from_secs(15), || {
        b.db.read_now(|c| guests::view(c, &id, clock::now_unix())).is_ok_and(|v| v.checked_out_at.is_some())
    })
    .await;
    until("A sees B's check-in", Duration::from_secs(5), || {
        a.db.read_now(|c| guests::view(c, &id, clock::now_unix())).is_ok_and(|v| v.arrived_at.is_some())
    })
    .await;
    assert_eq!(a.facility.status().queued, 0);
    let count = |pc: &Pc| {
        pc.db
            .read_now(|c| Ok(c.query_row("SELECT COUNT(*) FROM guests", [], |r| r.get::<_, i64>(0))?))
            .unwrap()
    };
    assert_eq!((count(&a), count(&b)), (1, 1), "one guest on each PC");
    assert_eq!(pg.psql("uketsuke", "SELECT COUNT(*) FROM rows WHERE tbl = 'guests'").unwrap(), "1");
    drop((a, b));
}

#[tokio::test(flavor = "multi_thread")]
async fn every_pc_sees_one_time_line_and_the_audit_is_one_chain() {
    if !uketsuke_sim::postgres::available() {
        return;
    }
    let pg = Cluster::start().unwrap();
    let sim = Sim::start(SimConfig::default()).await.unwrap();
    let (a, b) = two_pcs(&sim, &pg).await;
    let now = clock::now_unix();
    a.db.write_now(|c| guests::add_walk_in(c, &walk_in("S001", "森 拓海", "090-1"), now, "受付 佐藤"))
        .unwrap();
    b.db.write_now(|c| guests::add_walk_in(c, &walk_in("S001", "入口 花子", "090-2"), now, "入口 鈴木"))
        .unwrap();

    // Each history page shows the other PC's staff, with the PC they worked at.
    let actors = |pc: &Pc| {
        let filter = uketsuke_core::desk::history::HistoryFilter::default();
        let page =
            pc.db.read_now(|c| uketsuke_core::desk::history::page(c, &filter, uketsuke_core::Lang::Ja));
        page.unwrap().entries.into_iter().map(|e| e.actor).collect::<Vec<_>>()
    };
    let took = until("B's history shows A's walk-in", Duration::from_secs(2), || {
        actors(&b).contains(&"受付 佐藤 (counter-a)".to_string())
    })
    .await;
    eprintln!("A's action in B's history after {took:?}");
    until("A's history shows B's", Duration::from_secs(2), || {
        actors(&a).contains(&"入口 鈴木 (kiosk-b)".into())
    })
    .await;
    assert!(actors(&a).contains(&"受付 佐藤".to_string()), "its own staff without a PC name");

    // Both PCs' audit rows, in one chain that holds.
    let local = |pc: &Pc| {
        pc.db
            .read_now(|c| Ok(c.query_row("SELECT COUNT(*) FROM audit_events", [], |r| r.get::<_, i64>(0))?))
            .unwrap()
    };
    let session = facility::connect(&a.config.facility, a.secrets.as_ref(), "test").await.unwrap();
    let mut chain = facility::audit::verify(&session.client).await.unwrap();
    let started = Instant::now();
    while chain.rows < local(&a) + local(&b) && started.elapsed() < Duration::from_secs(5) {
        tokio::time::sleep(Duration::from_millis(100)).await;
        chain = facility::audit::verify(&session.client).await.unwrap();
    }
    assert_eq!((chain.rows, chain.pcs, chain.broken_at), (local(&a) + local(&b), 2, None));
    // Changed in PostgreSQL: the chain breaks at that row.
    pg.psql("uketsuke", "UPDATE audit SET actor = '誰か' WHERE seq = 2").unwrap();
    assert_eq!(facility::audit::verify(&session.client).await.unwrap().broken_at, Some(2));
    drop((a, b));
}

#[tokio::test(flavor = "multi_thread")]
async fn door_state_acknowledgements_and_deletions_reach_the_other_pc() {
    if !uketsuke_sim::postgres::available() {
        return;
    }
    let pg = Cluster::start().unwrap();
    let sim = Sim::start(SimConfig::default()).await.unwrap();
    let (a, b) = two_pcs(&sim, &pg).await;
    let count = |pc: &Pc, sql: &'static str| {
        pc.db.read_now(|c| Ok(c.query_row(sql, [], |r| r.get::<_, i64>(0))?)).unwrap()
    };
    let now = clock::now_unix();

    // What the leader read of the doors, and an alert acknowledged at A, are at B.
    a.db.write_now(|c| {
        c.execute(
            "INSERT INTO lock_status (device_uuid, state, battery_percentage, wm2_state, fetched_at)
             VALUES ('11111111-2222-3333-4444-555555555555', 'locked', 12, 1, ?1)",
            [now],
        )?;
        c.execute(
            "INSERT INTO key_units (device_id, box_name, unit_no, taken, read_at) VALUES ('kb-1', '鍵箱', '03', 1, ?1)",
            [now],
        )?;
        // B numbers its own rows: A's first key arrives under another row number there.
        c.execute(
            "INSERT INTO guest_keys (id, guest_id, device_id, unit_no, mode, due_at, given_at, given_by)
             VALUES (7, 'G-1', 'kb-1', '03', 'now', ?1, ?1, '受付 佐藤')",
            [now],
        )?;
        uketsuke_core::desk::alerts::acknowledge(c, "battery_replace:area:A101", "受付 佐藤", now)
    })
    .unwrap();
    b.db.write_now(|c| {
        c.execute(
            "INSERT INTO guest_keys (id, guest_id, device_id, unit_no, mode, due_at, given_at, given_by)
             VALUES (7, 'G-2', 'kb-1', '04', 'now', ?1, ?1, '入口 鈴木')",
            [now],
        )?;
        Ok(())
    })
    .unwrap();
    let took = until("B has A's door state and acknowledgement", Duration::from_secs(2), || {
        count(&b, "SELECT COUNT(*) FROM lock_status WHERE battery_percentage = 12") == 1
            && count(&b, "SELECT COUNT(*) FROM key_units WHERE unit_no = '03' AND taken = 1") == 1
            && count(&b, "SELECT COUNT(*) FROM alert_acks WHERE by = '受付 佐藤'") == 1
            && count(&b, "SELECT COUNT(*) FROM guest_keys WHERE guest_id = 'G-1' AND unit_no = '03'") == 1
            && count(&a, "SELECT COUNT(*) FROM guest_keys WHERE guest_id = 'G-2' AND unit_no = '04'") == 1
    })
    .await;
    eprintln!("door state at B after {took:?}");

    // Deleted at A (the condition cleared; an area removed): deleted at B.
    a.db.write_now(|c| {
        c.execute("DELETE FROM alert_acks", [])?;
        c.execute("DELETE FROM areas WHERE id = 'A101'", [])?;
        Ok(())
    })
    .unwrap();
    until("B deleted them too", Duration::from_secs(2), || {
        count(&b, "SELECT COUNT(*) FROM alert_acks") == 0
            && count(&b, "SELECT COUNT(*) FROM areas WHERE id = 'A101'") == 0
    })
    .await;
    assert!(count(&b, "SELECT COUNT(*) FROM areas") > 0, "only that area");
    drop((a, b));
}

#[tokio::test(flavor = "multi_thread")]
async fn the_splats_budget_counts_every_pcs_calls_with_the_token() {
    if !uketsuke_sim::postgres::available() {
        return;
    }
    let pg = Cluster::start().unwrap();
    let sim = Sim::start(SimConfig::default()).await.unwrap();
    let (a, b) = two_pcs(&sim, &pg).await;
    b.secrets.set(names::SPLATS_TOKEN, uketsuke_sim::splats::DEMO_TOKEN).unwrap();
    let token =
        || uketsuke_core::platform::secrets::SecretString::from(uketsuke_sim::splats::DEMO_TOKEN.to_string());
    use uketsuke_core::clouds::splats::{ratelimit::Class, SplatsClient};
    // Two PCs are two processes; in this one test process each needs a budget of its
    // own, so B names the simulator by another address.
    let at_a = SplatsClient::new(&sim.splats_url(), token()).with_meter(a.db.clone());
    let at_b = SplatsClient::new(&sim.splats_url().replace("127.0.0.1", "localhost"), token())
        .with_meter(b.db.clone());
    let before = at_b.remaining_shared(Class::Other).await;
    for _ in 0..5 {
        at_a.areas().await.unwrap();
    }
    let took = until("B's budget counts A's calls", Duration::from_secs(3), || {
        let n = b.db.read_now(|c| {
            uketsuke_core::desk::calls::meter::others_today(c, "splats", "other", clock::now_unix())
        });
        n.unwrap() >= 5
    })
    .await;
    assert_eq!(at_b.remaining_shared(Class::Other).await, before - 5, "B has 5 fewer before making a call");
    eprintln!("A's SPLATS calls in B's budget after {took:?}");
    drop((a, b));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_leader_whose_network_vanished_is_replaced_within_thirty_seconds() {
    if !uketsuke_sim::postgres::available() {
        return;
    }
    let pg = Cluster::start().unwrap();
    let sim = Sim::start(SimConfig::default()).await.unwrap();
    // A reaches PostgreSQL through a cable the test pulls; B directly.
    let cable = uketsuke_sim::cable::Cable::to(pg.port).await.unwrap();
    let through = pg.url().replace(&format!(":{}/", pg.port), &format!(":{}/", cable.port));
    let (a, b) = two_pcs_with(&sim, &pg, Some(through)).await;
    until("A leads", Duration::from_secs(15), || a.facility.leadership.is_leader()).await;
    assert!(!b.facility.leadership.is_leader());

    cable.pull();
    let pulled = Instant::now();
    let mut a_stopped = None;
    while !b.facility.leadership.is_leader() {
        let a_leads = a.facility.leadership.is_leader();
        assert!(!a_leads || a_stopped.is_none(), "A never leads again while cut off");
        if !a_leads && a_stopped.is_none() {
            a_stopped = Some(pulled.elapsed());
        }
        assert!(pulled.elapsed() < Duration::from_secs(30), "B leads within 30 s");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(!a.facility.leadership.is_leader(), "never both at once");
    let a_stopped = a_stopped.expect("A stopped before B started");
    eprintln!("cable pulled: A stopped leading after {a_stopped:?}, B leads after {:?}", pulled.elapsed());
    // With nothing to send, A notices the silence too (it asks every 10 s, and waits
    // 10 s for the answer): its window says it works from its own data; a change queues.
    until("A knows it is cut off", Duration::from_secs(15), || !a.facility.status().connected).await;
    eprintln!("A showed itself offline {:?} after the cable was pulled", pulled.elapsed());
    a.db.write_now(|c| {
        guests::add_walk_in(c, &walk_in("S001", "森 拓海", "090-1"), clock::now_unix(), "受付")
    })
    .unwrap();
    assert!(a.facility.status().queued >= 1);
    drop((a, b));
}
