//! What a business day costs: `cargo bench -p uketsuke-core --bench business_day`.
//!
//! The simulator's facility with 6 areas gets 50 bookings between 08:00 and 18:00 JST
//! (tomorrow, so that every simulated moment is ahead of this PC's clock), and 10
//! changes and cancels made in the reservation system during the day. The app's worker
//! runs through those 10 hours on simulated time, ticking every 30 s with its default
//! schedule (bookings every 2 min, SPLATS every 5 min), and the SESAME status poller
//! runs at its default interval within its budget. The simulator counts every call it
//! receives; the table shows them per hour against SPLATS' 720 (other) and 180
//! (status) per hour, and SESAME's calls against the monthly allowance.
//! Written to docs/PERFORMANCE.md by `make bench`.
//!
//! Then the large day: a chain of 20 stores of 3 rooms on one SPLATS token, 2,000
//! bookings and 200 changes and cancels (20 an hour), the same worker, no SESAME. It
//! shows whether the busiest hour stays within half of SPLATS' 720 calls, and the calls
//! per guest.

mod support;

use std::sync::Arc;
use std::time::Instant;
use uketsuke_core::clouds::reservation::ReservationClient;
use uketsuke_core::clouds::sesame::{DeviceUuid, SecretKey};
use uketsuke_core::desk::cache;
use uketsuke_core::desk::doors::lock::{self, Locks, Target};
use uketsuke_core::platform::secrets::{names, MemorySecrets, SecretStore};
use uketsuke_core::workflows::worker::Worker;
use uketsuke_core::{desk::guests, platform::clock, platform::db, workflows::sync, Config};
use uketsuke_sim::world::{SimArea, SimGuest};
use uketsuke_sim::{Sim, SimConfig, DEMO_RESERVATION_TOKEN};

const GUESTS: usize = 50;
const HOURS: i64 = 10;
const TICK: i64 = 30;

/// Counts of calls the simulator has received so far.
#[derive(Clone, Copy, Default)]
struct Calls {
    splats_other: usize,
    splats_status: usize,
    sesame: u64,
}

fn calls(sim: &Sim) -> Calls {
    let w = sim.state.world.lock().unwrap();
    let status = w.splats.calls.iter().filter(|c| c.ends_with("/status")).count();
    Calls {
        splats_other: w.splats.calls.len() - status,
        splats_status: status,
        sesame: w.sesame.calls.values().sum(),
    }
}

/// A 6th room with its own SPLATS area and pass controller, and 50 bookings of 1–3 h.
fn facility(sim: &Sim, day: i64) {
    let mut w = sim.state.world.lock().unwrap();
    w.areas.push(SimArea { id: "A104".into(), store_id: "S001".into(), name: "会議室C".into(), sort: 4 });
    w.splats
        .areas
        .push(uketsuke_sim::world::splats::SArea {
            area_id: "sa-0008".into(), area_name: "会議室C".into()
        });
    w.guests.clear();
    let rooms = ["A101", "A102", "A103", "A104", "A201", "A202"];
    for i in 0..GUESTS {
        let room = rooms[i % rooms.len()];
        let start = day + 8 * 3600 + (i as i64 * 10 * 3600 / GUESTS as i64) / 900 * 900;
        w.guests.push(SimGuest {
            id: format!("D{i:03}"),
            store_id: if room.starts_with("A1") { "S001" } else { "S002" }.into(),
            booking_code: format!("RSV-{}", 5000 + i),
            name: format!("予約 {i}"),
            name_kana: String::new(),
            phone: String::new(),
            starts_at: start,
            ends_at: start + 3600 * (1 + (i as i64 % 3)),
            area_ids: vec![room.into()],
            raw_start_at: None,
        });
    }
}

/// One change made in the reservation system to booking `i`, by `kind` in turn:
/// cancelled, extended an hour, or moved to the room `moved_to` names.
fn change_booking(
    guests: &mut Vec<SimGuest>,
    i: usize,
    kind: usize,
    moved_to: impl FnOnce(&SimGuest) -> String,
) {
    match kind % 3 {
        0 => {
            let id = guests[i].id.clone();
            guests.retain(|g| g.id != id);
        }
        1 => guests[i].ends_at += 3600,
        _ => {
            let room = moved_to(&guests[i]);
            guests[i].area_ids = vec![room];
        }
    }
}

/// The day's changes: at 08:30, 09:30 … 17:30 one booking is extended, moved or cancelled.
fn change(sim: &Sim, hour: i64) {
    let mut w = sim.state.world.lock().unwrap();
    let i = (hour as usize * 5 + 7) % w.guests.len();
    change_booking(&mut w.guests, i, hour as usize, |g| {
        if g.store_id == "S001" { "A104" } else { "A201" }.into()
    });
}

/// A PC set up on the simulator, as a manager leaves it: the clouds' tokens in the
/// keyring, stores and areas synced, SPLATS areas cached (mappings are each day's own).
async fn pc(sim: &Sim, file: &std::path::Path) -> (db::Db, Arc<MemorySecrets>, Config) {
    let db = db::Db::open(file).unwrap();
    let secrets = Arc::new(MemorySecrets::default());
    secrets.set(names::RESERVATION_TOKEN, DEMO_RESERVATION_TOKEN).unwrap();
    secrets.set(names::SPLATS_TOKEN, uketsuke_sim::splats::DEMO_TOKEN).unwrap();
    secrets.set(names::SESAME_API_KEY, uketsuke_sim::sesame::DEMO_API_KEY).unwrap();
    let mut config = Config::default();
    config.reservation.base_url = Some(sim.reservation_url());
    config.reservation.client_id = Some("demo".into());
    config.splats.base_url = Some(sim.splats_url());
    config.splats.guest_membergroup_id = Some("mg-guest".into());
    config.sesame.base_url = Some(sim.sesame_url());
    let reservation = ReservationClient::new(&sim.reservation_url(), DEMO_RESERVATION_TOKEN.into());
    sync::stores_and_areas(&db, &reservation, "setup").await.unwrap();
    let splats = uketsuke_core::clouds::splats::SplatsClient::from_config(&config, secrets.as_ref()).unwrap();
    sync::splats(&db, &splats, &config, "setup").await.unwrap();
    (db, secrets, config)
}

/// The demo day's PC: every room and entrance mapped, every lock registered.
async fn setup(sim: &Sim, dir: &std::path::Path) -> (db::Db, Arc<MemorySecrets>, Config) {
    let (db, secrets, config) = pc(sim, &dir.join("day.sqlite3")).await;
    let devices: Vec<_> = sim.state.world.lock().unwrap().sesame.devices.values().cloned().collect();
    let keys = secrets.clone();
    db.write_now(move |c| {
        for (i, a) in ["A101", "A102", "A103", "A201", "A202"].iter().enumerate() {
            cache::splats::map_area(c, a, Some(&format!("sa-{:04}", i + 1)))?;
        }
        cache::splats::map_area(c, "A104", Some("sa-0008"))?;
        cache::splats::map_entrance(c, "S001", Some("sa-0006"))?;
        cache::splats::map_entrance(c, "S002", Some("sa-0007"))?;
        for d in &devices {
            let target = match d.door.split_once(':').unwrap() {
                ("area", id) => Target::Area(id.into()),
                (_, id) => Target::Entrance(id.into()),
            };
            let key: String = d.secret.iter().map(|b| format!("{b:02x}")).collect();
            lock::assign(
                c,
                keys.as_ref(),
                &target,
                &DeviceUuid::parse(&d.uuid)?,
                &SecretKey::parse(&key)?,
                "setup",
            )?;
        }
        Ok(())
    })
    .unwrap();
    (db, secrets, config)
}

/// What one simulated day measured: calls per hour and syncs with an error.
struct Ran {
    hours: Vec<(i64, Calls)>,
    failures: usize,
    wall: std::time::Duration,
}

/// Drives the worker through the day from `start` on simulated time, ticking every
/// [`TICK`] s; at half past each hour `change` edits the reservation system; `locks`, when
/// given, polls SESAME at its default interval. Counts the calls each hour.
async fn drive(
    sim: &Sim,
    worker: &Worker,
    start: i64,
    change: fn(&Sim, i64),
    locks: Option<(&Locks<'_>, i64)>,
) -> Ran {
    let wall = Instant::now();
    let (mut hours, mut last, mut failures) = (Vec::new(), calls(sim), 0);
    for hour in 0..HOURS {
        for step in 0..(3600 / TICK) {
            let t = start + hour * 3600 + step * TICK;
            sim.state.clock.set_now(t);
            if step == 1800 / TICK {
                change(sim, hour);
            }
            if let Some(r) = worker.tick(t).await.unwrap() {
                failures += usize::from(!r.ok());
            }
            if let Some((locks, _)) = locks.filter(|(_, every)| (t - start) % every == 0) {
                locks.poll_all().await.unwrap();
            }
        }
        let now = calls(sim);
        hours.push((
            hour,
            Calls {
                splats_other: now.splats_other - last.splats_other,
                splats_status: now.splats_status - last.splats_status,
                sesame: now.sesame - last.sesame,
            },
        ));
        last = now;
    }
    Ran { hours, failures, wall: wall.elapsed() }
}

async fn day() {
    let sim = Sim::start(SimConfig::default()).await.unwrap();
    let day = guests::day_start(clock::now_unix()) + 86_400;
    facility(&sim, day);
    let dir = tempfile::tempdir().unwrap();
    let (db, secrets, config) = setup(&sim, dir.path()).await;
    let start = day + 8 * 3600;
    sim.state.clock.set_now(start);
    let before = calls(&sim);
    let snapshot = Arc::new(config.clone());
    let worker = Worker::new(db.clone(), secrets.clone(), Arc::new(move || snapshot.clone())).unwrap();
    let locks = Locks { db: &db, secrets: secrets.as_ref(), config: &config };
    let poll_every = config.sesame.poll_interval_secs as i64;
    let ran = drive(&sim, &worker, start, change, Some((&locks, poll_every))).await;
    let (elapsed, failures) = (ran.wall, ran.failures);
    let hours: Vec<(i64, usize, usize, u64)> =
        ran.hours.iter().map(|(h, c)| (*h, c.splats_other, c.splats_status, c.sesame)).collect();
    let total = calls(&sim);
    let (members_left, writes) = {
        let w = sim.state.world.lock().unwrap();
        let count = |prefix: &str| w.splats.calls.iter().filter(|c| c.starts_with(prefix)).count();
        let writes = format!(
            "{} creates, {} updates, {} deletes, {} bulk requests",
            w.splats.calls.iter().filter(|c| c.as_str() == "POST /v1/members").count(),
            count("PUT /v1/members/"),
            count("DELETE /v1/members/"),
            count("POST /v1/members/bulk"),
        );
        (w.splats.members.len(), writes)
    };
    let mut table = format!(
        "Machine: {}. Calls as the simulator received them.\n\n\
         | hour (JST) | SPLATS other (limit 720/h) | SPLATS status (limit 180/h) | SESAME |\n|---|---|---|---|\n",
        support::machine()
    );
    for (h, other, status, sesame) in &hours {
        table += &format!("| {:02}:00–{:02}:00 | {other} | {status} | {sesame} |\n", 8 + h, 9 + h);
    }
    let day_sesame = total.sesame - before.sesame;
    let budget = u64::from(config.sesame.poll_budget_per_month);
    table += &format!(
        "\n{GUESTS} guests, 6 areas, {HOURS} changes and cancels, {HOURS} h: SPLATS {} other + {} status calls; \
         busiest hour {} of 720; SESAME {day_sesame} calls, all status polls (the poll budget of {budget} a month \
         lasts {} such days, then polling stops and the rest of the {} allowance is kept for unlocks); \
         member writes: {writes}; {failures} syncs with an error; {members_left} members still on SPLATS (bookings not yet ended + grace); \
         simulated in {elapsed:.1?}.\n",
        total.splats_other - before.splats_other,
        total.splats_status - before.splats_status,
        hours.iter().map(|h| h.1).max().unwrap_or(0),
        budget / day_sesame.max(1),
        config.sesame.monthly_allowance,
    );
    print!("{table}");
    support::write_section("business-day", &table);
}

const LARGE_STORES: usize = 20;
const LARGE_GUESTS: usize = 2_000;
const LARGE_CHANGES_PER_HOUR: usize = 20;

/// 20 stores of 3 rooms, each room and entrance its own SPLATS area, 2,000 bookings of
/// 1–3 h between 08:00 and 17:00.
fn large_facility(sim: &Sim, day: i64) {
    let mut w = sim.state.world.lock().unwrap();
    w.guests.clear();
    let mut rooms = Vec::new();
    for s in 0..LARGE_STORES {
        let store = format!("L{s:02}");
        w.stores.push(uketsuke_sim::world::SimStore {
            id: store.clone(),
            name: format!("チェーン {s:02} 号店"),
            name_kana: String::new(),
        });
        for r in 0..3 {
            let id = format!("{store}R{r}");
            w.areas.push(SimArea {
                id: id.clone(),
                store_id: store.clone(),
                name: format!("部屋 {r}"),
                sort: r,
            });
            rooms.push((store.clone(), id));
        }
    }
    let splats_areas = LARGE_STORES * 4;
    let areas = w.splats.areas.len() + splats_areas;
    w.splats.grow(areas, 2);
    for i in 0..LARGE_GUESTS {
        let (store, room) = rooms[i % rooms.len()].clone();
        let start = day + 8 * 3600 + (i as i64 * 9 * 3600 / LARGE_GUESTS as i64) / 900 * 900;
        w.guests.push(SimGuest {
            id: format!("L{i:04}"),
            store_id: store,
            booking_code: format!("RSV-{}", 10_000 + i),
            name: format!("予約 {i}"),
            name_kana: String::new(),
            phone: String::new(),
            starts_at: start,
            ends_at: start + 3600 * (1 + (i as i64 % 3)),
            area_ids: vec![room],
            raw_start_at: None,
        });
    }
}

/// Every hour 20 bookings change in the reservation system: cancelled, extended an
/// hour, or moved to the store's next room, in turn.
fn large_change(sim: &Sim, hour: i64) {
    let mut w = sim.state.world.lock().unwrap();
    for k in 0..LARGE_CHANGES_PER_HOUR {
        let i = (hour as usize * 97 + k * 31) % w.guests.len();
        change_booking(&mut w.guests, i, k, |g| {
            let next = (g.area_ids[0].as_bytes()[4] - b'0' + 1) % 3;
            format!("{}R{next}", g.store_id)
        });
    }
}

async fn large_day() {
    let sim = Sim::start(SimConfig::default()).await.unwrap();
    let day = guests::day_start(clock::now_unix()) + 86_400;
    large_facility(&sim, day);
    let dir = tempfile::tempdir().unwrap();
    let (db, secrets, config) = pc(&sim, &dir.path().join("large.sqlite3")).await;
    let first = 8; // the demo's 7 SPLATS areas come first
    db.write_now(move |c| {
        for s in 0..LARGE_STORES {
            let area = |k: usize| format!("sa-{:04}", first + s * 4 + k);
            cache::splats::map_entrance(c, &format!("L{s:02}"), Some(&area(0)))?;
            for r in 0..3 {
                cache::splats::map_area(c, &format!("L{s:02}R{r}"), Some(&area(r + 1)))?;
            }
        }
        Ok(())
    })
    .unwrap();
    let start = day + 8 * 3600;
    sim.state.clock.set_now(start);
    let before = calls(&sim);
    let snapshot = Arc::new(config.clone());
    let worker = Worker::new(db.clone(), secrets.clone(), Arc::new(move || snapshot.clone())).unwrap();
    let ran = drive(&sim, &worker, start, large_change, None).await;
    let (wall, failures) = (ran.wall, ran.failures);
    let hours: Vec<(i64, usize, usize)> =
        ran.hours.iter().map(|(h, c)| (*h, c.splats_other, c.splats_status)).collect();
    let total = calls(&sim).splats_other - before.splats_other;
    let busiest = hours.iter().map(|h| h.1).max().unwrap_or(0);
    let writes = {
        let w = sim.state.world.lock().unwrap();
        let count = |prefix: &str| w.splats.calls.iter().filter(|c| c.starts_with(prefix)).count();
        format!(
            "{} creates one by one, {} bulk requests, {} updates, {} deletes one by one, {} member listings",
            w.splats.calls.iter().filter(|c| c.as_str() == "POST /v1/members").count(),
            count("POST /v1/members/bulk"),
            count("PUT /v1/members/"),
            count("DELETE /v1/members/"),
            w.splats
                .calls
                .iter()
                .filter(|c| c.starts_with("GET /v1/members") && !c.contains("/v1/members/"))
                .count(),
        )
    };
    let mut table = format!(
        "Machine: {}. Calls as the simulator received them.\n\n\
         | hour (JST) | SPLATS other (limit 720/h) | SPLATS status (limit 180/h) |\n|---|---|---|\n",
        support::machine()
    );
    for (h, other, status) in &hours {
        table += &format!("| {:02}:00–{:02}:00 | {other} | {status} |\n", 8 + h, 9 + h);
    }
    table += &format!(
        "\n{LARGE_GUESTS} guests, {LARGE_STORES} stores of 3 rooms, {} changes and cancels, {HOURS} h, one token: \
         SPLATS {total} other calls, busiest hour {busiest} of 720 ({:.0} %), {:.2} calls per guest; member writes: \
         {writes}; {failures} syncs with an error; simulated in {:.1?}.\n",
        LARGE_CHANGES_PER_HOUR as i64 * HOURS,
        busiest as f64 * 100.0 / 720.0,
        total as f64 / LARGE_GUESTS as f64,
        wall,
    );
    print!("{table}");
    support::write_section("large-day", &table);
}

fn main() {
    if !support::benching("`cargo bench -p uketsuke-core --bench business_day`") {
        return;
    }
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    rt.block_on(day());
    rt.block_on(large_day());
}
