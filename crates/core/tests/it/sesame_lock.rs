//! Locks against the simulator's SESAME cloud over loopback HTTP: signed commands,
//! confirmation, the call meter, the clock, and every way it can go wrong.

use std::sync::Arc;
use uketsuke_core::clouds::reservation::ReservationClient;
use uketsuke_core::clouds::sesame::{tag, Command, DeviceUuid, LockState, SecretKey};
use uketsuke_core::desk::calls::meter::{self, CallKind};
use uketsuke_core::desk::doors::lock::{self, Locks, Target};
use uketsuke_core::platform::error::Error;
use uketsuke_core::platform::secrets::{names, ExposeSecret, MemorySecrets, SecretStore};
use uketsuke_core::{desk::audit, platform::clock, platform::db, workflows::sync, Config};
use uketsuke_sim::{sesame::DEMO_API_KEY, Sim, SimConfig, DEMO_RESERVATION_TOKEN};

/// Also the fixture of `all_doors`.
pub(crate) struct Fixture {
    pub sim: Sim,
    pub db: db::Db,
    pub secrets: Arc<MemorySecrets>,
    pub config: Config,
    _dir: tempfile::TempDir,
}

impl Fixture {
    /// The demo facility synced and the API key saved; no lock registered yet.
    async fn bare(sim_config: SimConfig) -> Fixture {
        Fixture::bare_with(sim_config, |_| ()).await
    }

    /// [`Fixture::bare`] in a simulated world changed first (more doors, say).
    pub async fn bare_with(
        sim_config: SimConfig,
        edit: impl FnOnce(&mut uketsuke_sim::world::World),
    ) -> Fixture {
        let sim = Sim::start(sim_config).await.unwrap();
        edit(&mut sim.state.world.lock().unwrap());
        let dir = tempfile::tempdir().unwrap();
        let db = db::Db::open(&dir.path().join("cache.sqlite3")).unwrap();
        let client = ReservationClient::new(&sim.reservation_url(), DEMO_RESERVATION_TOKEN.into());
        sync::stores_and_areas(&db, &client, "test").await.unwrap();
        let secrets = Arc::new(MemorySecrets::default());
        secrets.set(names::SESAME_API_KEY, DEMO_API_KEY).unwrap();
        let mut config = Config::default();
        config.sesame.base_url = Some(sim.sesame_url());
        config.sesame.confirm_delay_ms = 50;
        Fixture { sim, db, secrets, config, _dir: dir }
    }

    /// [`Fixture::bare`], and the manager registers every door's lock with the UUID and
    /// key the simulator made.
    async fn new(sim_config: SimConfig) -> Fixture {
        Fixture::registered(Fixture::bare(sim_config).await)
    }

    /// Registers every simulated lock with its UUID and key, as a manager would.
    pub fn registered(f: Fixture) -> Fixture {
        let devices: Vec<_> = f.sim.state.world.lock().unwrap().sesame.devices.values().cloned().collect();
        for d in devices {
            let target = match d.door.split_once(':').unwrap() {
                ("area", id) => Target::Area(id.into()),
                (_, id) => Target::Entrance(id.into()),
            };
            let uuid = DeviceUuid::parse(&d.uuid).unwrap();
            let key = SecretKey::parse(&hex(&d.secret)).unwrap();
            f.db.write_now(|c| lock::assign(c, f.secrets.as_ref(), &target, &uuid, &key, "manager")).unwrap();
        }
        f
    }

    pub fn locks(&self) -> Locks<'_> {
        Locks { db: &self.db, secrets: self.secrets.as_ref(), config: &self.config }
    }

    pub fn sim_state(&self, door: &str) -> String {
        self.sim.state.world.lock().unwrap().sesame.device_for(door).unwrap().state.clone()
    }

    fn sim_commands(&self) -> u64 {
        self.sim.state.world.lock().unwrap().sesame.commands_received
    }

    fn uuid_of(&self, door: &str) -> String {
        self.sim.state.world.lock().unwrap().sesame.device_for(door).unwrap().uuid.clone()
    }
}

fn hex(b: &[u8; 16]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

#[tokio::test]
async fn unlock_is_signed_accepted_confirmed_metered_and_audited() {
    let f = Fixture::new(SimConfig::default()).await;
    let a101 = Target::Area("A101".into());
    let report = f.locks().command(&a101, Command::Unlock, "山田 太郎 (受付スタッフ)").await.unwrap();
    assert_eq!(report.label, "会議室A");
    assert_eq!(f.sim_state("area:A101"), "unlocked");

    let c = f.locks().confirm(&a101, Command::Unlock, "staff").await.unwrap();
    assert!(c.confirmed);
    assert_eq!(c.status.state, LockState::Unlocked);
    assert_eq!(c.reads, 1);

    // The SESAME app shows who: the name, cut to 20 bytes on a character boundary.
    let history = f.locks().history(&a101, 0, 5).await.unwrap();
    assert_eq!(history[0].kind, 17, "webUnLock");
    assert_eq!(history[0].tag.as_deref(), Some(tag::truncate("山田 太郎 (受付スタッフ)")));
    // The page joins the merged history, once however often it is read.
    f.locks().history(&a101, 0, 5).await.unwrap();
    let filter = uketsuke_core::desk::history::HistoryFilter {
        source: Some("sesame".into()),
        area_id: Some("A101".into()),
        ..Default::default()
    };
    let merged =
        f.db.read_now(|c| uketsuke_core::desk::history::page(c, &filter, uketsuke_core::Lang::Ja)).unwrap();
    assert_eq!(merged.entries.len(), history.len());
    assert_eq!(merged.entries[0].event, "Web解錠");
    assert_eq!(merged.entries[0].actor, tag::truncate("山田 太郎 (受付スタッフ)"));

    f.locks().command(&a101, Command::Lock, "staff").await.unwrap();
    assert_eq!(f.sim_state("area:A101"), "locked");

    // Every call was counted, and the count matches what the cloud saw.
    let usage = f.locks().usage().await.unwrap();
    assert_eq!((usage.total, usage.commands), (5, 2), "unlock, confirm, two history pages, lock");
    let seen: u64 = f.sim.state.world.lock().unwrap().sesame.calls.values().sum();
    assert_eq!(usage.total, seen);

    let events = f.db.read_now(|c| audit::recent(c, 10)).unwrap();
    let unlock = events.iter().find(|e| e.action == "sesame.unlock").unwrap();
    assert!(unlock.ok && unlock.latency_ms.is_some());
    assert_eq!(unlock.actor, "山田 太郎 (受付スタッフ)");
    assert_eq!(unlock.target.as_deref(), Some("area:A101"));
}

#[tokio::test]
async fn a_wrong_secret_key_is_rejected_and_nothing_moves() {
    let f = Fixture::new(SimConfig::default()).await;
    f.sim.state.world.lock().unwrap().sesame.strict = true; // the documented contract
    let uuid = f.uuid_of("area:A102");
    f.secrets.set(&names::device_secret(&uuid), "00000000000000000000000000000000").unwrap();
    let err = f.locks().command(&Target::Area("A102".into()), Command::Unlock, "staff").await.unwrap_err();
    assert!(matches!(err, Error::SignatureRejected), "{err:?}");
    assert!(err.message(uketsuke_core::Lang::Ja).contains("シークレットキー"));
    assert_eq!(f.sim_state("area:A102"), "locked");
    let events = f.db.read_now(|c| audit::recent(c, 1)).unwrap();
    assert!(!events[0].ok);
    assert_eq!(events[0].detail.as_ref().unwrap()["error"], "sign_rejected");
}

#[tokio::test]
async fn realistic_cloud_accepts_a_bad_sign_but_the_confirmation_says_no() {
    let f = Fixture::new(SimConfig::default()).await;
    assert!(!f.sim.state.world.lock().unwrap().sesame.strict, "the realistic mode is the default");
    let uuid = f.uuid_of("area:A103");
    f.secrets.set(&names::device_secret(&uuid), "ffffffffffffffffffffffffffffffff").unwrap();
    let target = Target::Area("A103".into());
    f.locks().command(&target, Command::Unlock, "staff").await.unwrap();
    let c = f.locks().confirm(&target, Command::Unlock, "staff").await.unwrap();
    assert!(!c.confirmed);
    assert_eq!(c.reads, 2, "uses at most confirm_reads paid reads");
    assert_eq!(c.status.state, LockState::Locked);
}

#[tokio::test]
async fn a_lost_reply_is_uncertain_and_never_resent() {
    let f = Fixture::new(SimConfig::default()).await;
    f.sim.state.faults.list().push(uketsuke_sim::faults::Fault {
        path_prefix: "/sesame/".into(),
        kind: uketsuke_sim::faults::FaultKind::Drop,
        times: Some(1),
        after: 0,
        until: None,
    });
    let err = f.locks().command(&Target::Area("A201".into()), Command::Unlock, "staff").await.unwrap_err();
    assert_eq!(err.code(), "uncertain", "{err:?}");
    assert_eq!(f.sim_commands(), 1, "sent exactly once");
    assert_eq!(f.sim_state("area:A201"), "unlocked", "it did arrive: that is why it must not be resent");
    assert_eq!(f.locks().usage().await.unwrap().commands, 1);
}

#[tokio::test]
async fn a_dead_network_is_unreachable_and_nothing_was_sent() {
    let f = Fixture::new(SimConfig::default()).await;
    let mut config = f.config.clone();
    config.sesame.base_url = Some("http://127.0.0.1:9/sesame/api/sesame2".into());
    let locks = Locks { db: &f.db, secrets: f.secrets.as_ref(), config: &config };
    let err = locks.command(&Target::Area("A101".into()), Command::Unlock, "staff").await.unwrap_err();
    assert_eq!(err.code(), "unreachable", "{err:?}");
}

#[tokio::test]
async fn cloud_errors_are_explained() {
    let f = Fixture::new(SimConfig::default()).await;
    let a202 = Target::Area("A202".into());

    let uuid = f.uuid_of("area:A202");
    f.sim.state.world.lock().unwrap().sesame.device_mut(&uuid).unwrap().wm2 = false;
    let err = f.locks().command(&a202, Command::Unlock, "staff").await.unwrap_err();
    assert_eq!(err.code(), "device_unavailable");
    f.sim.state.world.lock().unwrap().sesame.device_mut(&uuid).unwrap().wm2 = true;

    f.sim.state.world.lock().unwrap().sesame.monthly_quota = Some(0);
    let err = f.locks().status(&a202, CallKind::Status).await.unwrap_err();
    assert_eq!(err.code(), "rate_limited");
    f.sim.state.world.lock().unwrap().sesame.monthly_quota = None;

    f.secrets.set(names::SESAME_API_KEY, "WrongKey0000000000000000000000000000000").unwrap();
    let err = f.locks().status(&a202, CallKind::Status).await.unwrap_err();
    assert!(matches!(err, Error::Unauthorized { status: 403, .. }), "{err:?}");
    f.secrets.delete(names::SESAME_API_KEY).unwrap();
    let err = f.locks().command(&a202, Command::Unlock, "staff").await.unwrap_err();
    assert!(matches!(err, Error::SecretMissing(_)));
    assert_eq!(f.sim_commands(), 1, "a missing key sends nothing");
    let last = f.db.read_now(|c| audit::recent(c, 1)).unwrap().remove(0);
    assert_eq!(
        (last.action.as_str(), last.ok),
        ("sesame.unlock", false),
        "a press that sent nothing is audited too"
    );
    assert_eq!(last.detail.unwrap()["error"], "secret_missing");
    assert_eq!(last.latency_ms, None);
}

#[tokio::test]
async fn signs_with_the_server_clock_once_it_is_known() {
    // The server is 15 minutes ahead: more than the lock's ±1 window tolerance.
    let f = Fixture::new(SimConfig { clock_offset_secs: 900, ..SimConfig::default() }).await;
    f.sim.state.world.lock().unwrap().sesame.strict = true; // the refusal makes the offset visible
    let a101 = Target::Area("A101".into());
    let err = f.locks().command(&a101, Command::Unlock, "staff").await.unwrap_err();
    assert!(matches!(err, Error::SignatureRejected));
    // The rejection's Date header measured the offset; the next press is signed right.
    let offset = f.db.read_now(|c| Ok(lock::clock_offset(c))).unwrap();
    assert!((899..=901).contains(&offset), "offset {offset}");
    let report = f.locks().command(&a101, Command::Unlock, "staff").await.unwrap();
    assert!((899..=901).contains(&report.clock_offset_secs));
    assert_eq!(f.sim_state("area:A101"), "unlocked");
}

#[tokio::test]
async fn polling_stays_within_the_budget() {
    let mut f = Fixture::new(SimConfig::default()).await;
    f.config.sesame.poll_budget_per_month = 10;
    let first = f.locks().poll_all().await.unwrap();
    assert_eq!((first.polled, first.failed, first.skipped_for_budget), (7, 0, false));
    let second = f.locks().poll_all().await.unwrap();
    assert!(second.skipped_for_budget, "7 more would exceed 10");
    let usage = f.locks().usage().await.unwrap();
    assert_eq!(usage.polls, 7);
    let month = meter::month_of(clock::now_unix());
    assert_eq!(usage.month, month);
    // Polled statuses are cached with their age, so staff see them without paying again.
    let uuid = DeviceUuid::parse(&f.uuid_of("entrance:S001")).unwrap();
    let cached = f.db.read_now(|c| lock::cached_status(c, &uuid)).unwrap().unwrap();
    assert_eq!(cached.state, LockState::Locked);
    assert!(clock::now_unix() - cached.fetched_at < 5);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_second_press_while_a_command_is_on_its_way_is_refused_not_queued() {
    let f = Fixture::new(SimConfig::default()).await;
    f.sim.state.faults.list().push(uketsuke_sim::faults::Fault {
        path_prefix: "/sesame/".into(),
        kind: uketsuke_sim::faults::FaultKind::Delay { ms: 800 },
        times: Some(1),
        after: 0,
        until: None,
    });
    let target = Target::Area("A101".into());
    let locks = f.locks();
    let first = locks.command(&target, Command::Unlock, "staff");
    let second = async {
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        let started = std::time::Instant::now();
        (locks.command(&target, Command::Unlock, "staff").await, started.elapsed())
    };
    let (first, (second, waited)) = tokio::join!(first, second);
    assert!(first.is_ok(), "{first:?}");
    let err = second.unwrap_err();
    assert_eq!(err.code(), "door_busy");
    assert!(err.message(uketsuke_core::Lang::Ja).contains("会議室A"), "{err}");
    assert!(waited < std::time::Duration::from_millis(300), "refused at once, not queued: {waited:?}");
    assert_eq!(f.sim.state.world.lock().unwrap().sesame.commands_received, 1, "sent once");
    // Once the first is done, the door is free again.
    f.locks().command(&target, Command::Lock, "staff").await.unwrap();
}

#[tokio::test]
async fn a_settings_file_that_moves_sesame_takes_no_api_key_with_it() {
    use uketsuke_core::workflows::settings;
    let mut f = Fixture::new(SimConfig::default()).await;
    let elsewhere = Sim::start(SimConfig::default()).await.unwrap();
    // A file exported here, then edited to send SESAME calls to another host.
    let config = f.config.clone();
    let exported = f.db.read(move |c| settings::export(c, &config, 0)).await.unwrap();
    let mut file = serde_json::to_value(&exported).unwrap();
    file["clouds"]["sesame_base_url"] = elsewhere.sesame_url().into();
    let text = file.to_string();

    let preview = settings::preview_import(&f.config, &text).unwrap();
    assert_eq!(preview.moved.len(), 1, "the change is shown before it is applied");
    assert_eq!(preview.moved[0].cloud, "sesame");
    assert_eq!(
        f.secrets.get(names::SESAME_API_KEY).unwrap().as_ref().map(|s| s.expose_secret()),
        Some(DEMO_API_KEY),
        "a preview changes nothing"
    );

    let (config, secrets) = (f.config.clone(), f.secrets.clone());
    let (next, _) =
        f.db.write(move |c| settings::import(c, &config, secrets.as_ref(), &text, 1, "manager"))
            .await
            .unwrap();
    assert!(
        f.secrets.get(names::SESAME_API_KEY).unwrap().is_none(),
        "the API key did not follow the address"
    );
    f.config = next;

    let err = f.locks().command(&Target::Area("A101".into()), Command::Unlock, "受付").await.unwrap_err();
    assert_eq!(err.code(), "secret_missing");
    assert!(err.message(uketsuke_core::Lang::En).contains("enter the SESAME API key"), "{err}");
    let reached: u64 = elsewhere.state.world.lock().unwrap().sesame.calls.values().sum();
    assert_eq!(reached, 0, "no request reached the new host");
    assert_eq!(elsewhere.state.world.lock().unwrap().sesame.commands_received, 0);

    let events = f.db.read(|c| audit::recent(c, 5)).await.unwrap();
    let import = events.iter().find(|e| e.action == "settings.import").unwrap();
    let detail = serde_json::to_string(&import.detail).unwrap();
    let host = url::Url::parse(&elsewhere.sesame_url()).unwrap().origin().ascii_serialization();
    assert!(detail.contains(&host), "the audit names the new host: {detail}");
}

#[tokio::test]
async fn a_lock_registered_from_its_manager_key_qr_image_unlocks() {
    let f = Fixture::bare(SimConfig::default()).await;
    // The image the SESAME app saves when the manager key is shared.
    let url = f.sim.state.world.lock().unwrap().sesame.device_for("area:A103").unwrap().manager_key_url();
    let png = uketsuke_core::platform::images::qr::png(&url, 6).unwrap();
    let (s, target) = (f.secrets.clone(), Target::Area("A103".into()));
    let t = target.clone();
    f.db.write(move |c| uketsuke_core::workflows::settings::import_lock_qr(c, s.as_ref(), &t, &png, "m"))
        .await
        .unwrap();
    f.locks().command(&target, Command::Unlock, "受付").await.unwrap();
    assert!(f.locks().confirm(&target, Command::Unlock, "受付").await.unwrap().confirmed);
    assert_eq!(f.sim_state("area:A103"), "unlocked");
}

#[tokio::test]
async fn a_low_battery_and_a_door_left_open_are_alerts_until_acknowledged() {
    use uketsuke_core::desk::alerts::{self, AlertKind};
    let f = Fixture::new(SimConfig::default()).await;
    let now = clock::now_unix();
    // SESAME: A102's battery is at 12 %; SPLATS: A101's pass controller reports its door open.
    f.sim
        .state
        .world
        .lock()
        .unwrap()
        .sesame
        .devices
        .values_mut()
        .find(|d| d.door == "area:A102")
        .unwrap()
        .battery = 12;
    f.locks().status(&Target::Area("A102".into()), CallKind::Status).await.unwrap();
    f.db.write_now(|c| {
        uketsuke_core::desk::cache::splats::save_passes(
            c,
            &[serde_json::from_value(serde_json::json!({ "device_id": "pc-0001", "device_name": "会議室A 扉", "area_id": "sa-0001" }))
                .unwrap()],
            now,
        )?;
        c.execute("UPDATE areas SET splats_area_id = 'sa-0001' WHERE id = 'A101'", [])?;
        uketsuke_core::desk::cache::splats::save_pass_status(c, "pc-0001", &serde_json::json!({ "door": "open" }), now)
    })
    .unwrap();

    let list = f.db.read_now(|c| alerts::for_store(c, "S001", &Default::default(), now)).unwrap();
    let kinds: Vec<(AlertKind, &str)> = list.iter().map(|a| (a.kind, a.subject.as_str())).collect();
    assert!(kinds.contains(&(AlertKind::BatteryReplace, "会議室B")), "{kinds:?}");
    assert!(kinds.contains(&(AlertKind::DoorOpen, "会議室A")), "{kinds:?}");
    assert!(list.iter().all(|a| !a.acknowledged));

    let id = list.iter().find(|a| a.kind == AlertKind::DoorOpen).unwrap().id.clone();
    f.db.write_now(|c| alerts::acknowledge(c, &id, "受付", now)).unwrap();
    let list = f.db.read_now(|c| alerts::for_store(c, "S001", &Default::default(), now)).unwrap();
    assert!(list.iter().find(|a| a.id == id).unwrap().acknowledged, "once per occurrence");

    // The door closes: the occurrence ends; opening again alerts again.
    let closed = serde_json::json!({ "door": "closed" });
    f.db.write_now(|c| uketsuke_core::desk::cache::splats::save_pass_status(c, "pc-0001", &closed, now))
        .unwrap();
    f.db.write_now(|c| alerts::prune(c, &Default::default(), now)).unwrap();
    let open = serde_json::json!({ "door": "open" });
    f.db.write_now(|c| uketsuke_core::desk::cache::splats::save_pass_status(c, "pc-0001", &open, now))
        .unwrap();
    let list = f.db.read_now(|c| alerts::for_store(c, "S001", &Default::default(), now)).unwrap();
    assert!(!list.iter().find(|a| a.id == id).unwrap().acknowledged, "a recurrence alerts again");
}

#[tokio::test]
async fn a_lock_left_unlocked_past_the_set_time_alerts_until_it_is_locked() {
    use uketsuke_core::desk::alerts::{self, AlertKind, Limits};
    let f = Fixture::new(SimConfig::default()).await;
    let a101 = Target::Area("A101".into());
    let limits = Limits { unlocked_secs: 300, ..Limits::default() };
    f.locks().command(&a101, Command::Unlock, "受付").await.unwrap();
    let first = f.locks().status(&a101, CallKind::Status).await.unwrap();
    assert_eq!(first.state, LockState::Unlocked);
    let again = f.locks().status(&a101, CallKind::Status).await.unwrap();
    assert_eq!(again.state_since, first.state_since, "a reading that agrees keeps the time it began");

    let left = |at: i64| {
        f.db.read_now(|c| alerts::for_store(c, "S001", &limits, at))
            .unwrap()
            .into_iter()
            .filter(|a| a.kind == AlertKind::LeftUnlocked)
            .collect::<Vec<_>>()
    };
    assert!(left(first.state_since + 299).is_empty(), "not before the set time");
    let found = left(first.state_since + 301);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].target, Some(a101.clone()), "with the door to lock from the alert");
    assert_eq!(found[0].value, Some(first.state_since), "saying since when");
    let off = Limits { unlocked_secs: 0, ..limits };
    let none = f.db.read_now(|c| alerts::for_store(c, "S001", &off, first.state_since + 9999)).unwrap();
    assert!(none.iter().all(|a| a.kind != AlertKind::LeftUnlocked), "0 turns it off");

    f.locks().command(&a101, Command::Lock, "受付").await.unwrap();
    let locked = f.locks().status(&a101, CallKind::Status).await.unwrap();
    assert_eq!(locked.state, LockState::Locked);
    assert!(left(locked.state_since + 9999).is_empty(), "locked: the alert is gone");
}
