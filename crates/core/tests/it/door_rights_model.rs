//! Door rights proven by a model.
//!
//! A seeded, reproducible sequence of operations (bookings added, extended, shortened,
//! moved and cancelled through the reservation ingestion; walk-ins, check-ins and
//! check-outs; rooms and entrances mapped and unmapped; a manual store removed and made
//! again; SPLATS answering 429 or 500, answering 500 after it applied a write, slow, or
//! dropping the connection after applying; the process killed and restarted; time moving
//! on across midnight) runs against the real core and the simulator over HTTP. After
//! each step the faults end, the worker's cycle runs until the outbox is empty, and the
//! SPLATS members the simulator holds (codes, windows, areas) must equal what a few
//! lines of reference code work out from the bookings alone, with no code twice.
//!
//! `make test` runs [`DEFAULT_STEPS`] steps with a fixed seed; `make soak` runs more
//! (`UKETSUKE_MODEL_STEPS`, `UKETSUKE_MODEL_SEED`). A failure prints the seed, the
//! step, and the shortest failing sequence found by removing operations.

use crate::support::desk::Fixture;
use rand::{Rng, SeedableRng};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use uketsuke_core::guests::{self, access, WalkIn};
use uketsuke_core::lock::Target;
use uketsuke_core::model::{Guest, GuestSource};
use uketsuke_core::reservation::Bookings;
use uketsuke_core::secrets::{MemorySecrets, SecretStore};
use uketsuke_core::splats::model::{MemberInput, OneTimeQr, QrCode};
use uketsuke_core::splats::{cache, RetryPolicy, SplatsClient};
use uketsuke_core::{db, reconcile, settings};
use uketsuke_sim::faults::{Fault, FaultKind};

pub const DEFAULT_STEPS: usize = 500;
const DEFAULT_SEED: u64 = 0x2712_0001;
const HOUR: i64 = 3600;

/// One operation, its targets chosen by number when applied, so that any subsequence
/// of a sequence is still a valid sequence (shrinking removes operations freely).
#[derive(Debug, Clone)]
enum Op {
    Book { store: u8, slot: u8, len: u8, rooms: u8 },
    Extend { pick: u16, half_hours: u8 },
    Shorten { pick: u16 },
    Move { pick: u16, rooms: u8 },
    Cancel { pick: u16 },
    WalkIn { store: u8, len: u8, rooms: u8 },
    CheckIn { pick: u16 },
    CheckOut { pick: u16 },
    ToggleRoom { room: u8 },
    ToggleEntrance { store: u8 },
    RemoveManualStore,
    AddManualStore,
    Fault { kind: u8, times: u8 },
    Restart,
    Advance { minutes: u16 },
}

fn random_op(rng: &mut rand::rngs::StdRng) -> Op {
    let n = |rng: &mut rand::rngs::StdRng| rng.random::<u16>();
    match rng.random_range(0..100) {
        0..=17 => {
            Op::Book { store: rng.random(), slot: rng.random(), len: rng.random(), rooms: rng.random() }
        }
        18..=25 => Op::Extend { pick: n(rng), half_hours: rng.random_range(1..=4) },
        26..=30 => Op::Shorten { pick: n(rng) },
        31..=36 => Op::Move { pick: n(rng), rooms: rng.random() },
        37..=42 => Op::Cancel { pick: n(rng) },
        43..=50 => Op::WalkIn { store: rng.random(), len: rng.random(), rooms: rng.random() },
        51..=54 => Op::CheckIn { pick: n(rng) },
        55..=61 => Op::CheckOut { pick: n(rng) },
        62..=67 => Op::ToggleRoom { room: rng.random() },
        68..=69 => Op::ToggleEntrance { store: rng.random() },
        70..=71 => Op::RemoveManualStore,
        72..=74 => Op::AddManualStore,
        75..=86 => Op::Fault { kind: rng.random(), times: rng.random_range(1..=3) },
        87..=89 => Op::Restart,
        _ => Op::Advance { minutes: rng.random_range(5..=300) },
    }
}

/// What the reference knows: the bookings as the test made them, and the mappings.
#[derive(Debug, Clone)]
struct Booking {
    id: String,
    store: String,
    rooms: Vec<String>,
    start: i64,
    end: i64,
    /// The JST day it was listed on, for a reservation booking; None for a walk-in.
    day: Option<i64>,
    cancelled: bool,
    checked_out: bool,
}

const ROOMS: [(&str, &str, &str); 6] = [
    ("A101", "S001", "sa-0001"),
    ("A102", "S001", "sa-0002"),
    ("A103", "S001", "sa-0003"),
    ("A201", "S002", "sa-0004"),
    ("A202", "S002", "sa-0005"),
    ("A9", "S9", "sa-0003"),
];
const ENTRANCES: [(&str, &str); 3] = [("S001", "sa-0006"), ("S002", "sa-0007"), ("S9", "sa-0006")];

struct Model {
    t: i64,
    bookings: Vec<Booking>,
    room_mapped: BTreeMap<&'static str, bool>,
    entrance_mapped: BTreeMap<&'static str, bool>,
    manual_store: bool,
    /// Bookings whose member exists: one partly unmapped keeps the rooms still mapped,
    /// one never issued waits until every room is mapped.
    issued: BTreeSet<String>,
    next: u32,
}

/// 00:00 JST of the day containing `t`, worked out here rather than borrowed.
fn jst_day(t: i64) -> i64 {
    (t + 9 * HOUR).div_euclid(86_400) * 86_400 - 9 * HOUR
}

impl Model {
    fn new(t: i64) -> Model {
        Model {
            t,
            bookings: Vec::new(),
            room_mapped: ROOMS.iter().filter(|r| r.1 != "S9").map(|r| (r.0, true)).collect(),
            entrance_mapped: ENTRANCES.iter().filter(|e| e.0 != "S9").map(|e| (e.0, true)).collect(),
            manual_store: false,
            issued: BTreeSet::new(),
            next: 0,
        }
    }

    fn stores(&self) -> Vec<&'static str> {
        let mut s = vec!["S001", "S002"];
        if self.manual_store {
            s.push("S9");
        }
        s
    }

    fn rooms_of(store: &str, pick: u8) -> Vec<String> {
        let rooms: Vec<&str> = ROOMS.iter().filter(|r| r.1 == store).map(|r| r.0).collect();
        let first = usize::from(pick) % rooms.len();
        let mut out = vec![rooms[first].to_string()];
        if pick >= 128 && rooms.len() > 1 {
            out.push(rooms[(first + 1) % rooms.len()].to_string());
        }
        out
    }

    /// The members SPLATS should hold now: code → (from, until, SPLATS areas). Updates
    /// which bookings are issued, as the worker's cycle has just run to its end.
    fn expected(&mut self, grace: i64, lead: i64) -> BTreeMap<String, (i64, i64, Vec<String>)> {
        let horizon = (jst_day(self.t) + 86_400).max(self.t + lead);
        let mut out = BTreeMap::new();
        for b in &self.bookings {
            let wanted = !b.cancelled && !b.checked_out && b.end + grace > self.t && b.start < horizon;
            let mapped: Vec<&str> = ROOMS
                .iter()
                .filter(|r| b.rooms.iter().any(|x| x == r.0) && self.room_mapped.get(r.0) == Some(&true))
                .map(|r| r.2)
                .collect();
            let all = mapped.len() == b.rooms.len();
            let keep = wanted && (all || (self.issued.contains(&b.id) && !mapped.is_empty()));
            if !keep {
                self.issued.remove(&b.id);
                continue;
            }
            self.issued.insert(b.id.clone());
            let mut areas: BTreeSet<String> = mapped.iter().map(|s| s.to_string()).collect();
            if self.entrance_mapped.get(b.store.as_str()) == Some(&true) {
                areas.insert(ENTRANCES.iter().find(|e| e.0 == b.store).unwrap().1.to_string());
            }
            out.insert(
                access::member_code(&b.id),
                (b.start - grace, b.end + grace, areas.into_iter().collect()),
            );
        }
        out
    }
}

/// The system under test: the real core on a SQLite file, the simulator over HTTP.
struct Desk {
    f: Fixture,
    db: db::Db,
    settings_secrets: Arc<dyn SecretStore>,
    /// The process dies in the middle of the next issue it sends (see [`Desk::kill`]).
    kill_next: bool,
}

impl Desk {
    fn client(&self) -> SplatsClient {
        let mut c = self.f.splats().with_meter(self.db.clone());
        c.retry = RetryPolicy {
            max_wait: std::time::Duration::ZERO,
            attempts: 2,
            backoff: std::time::Duration::from_millis(1),
        };
        c
    }

    /// One cycle of the worker: plan, then drain (errors are the outbox's to retry).
    async fn cycle(&self, t: i64) -> Result<(), String> {
        let config = self.f.config.clone();
        self.db.write(move |c| reconcile::plan(c, &config, t)).await.map_err(|e| format!("plan: {e}"))?;
        let _ = reconcile::drain(&self.db, &self.client(), &self.f.secrets, &self.f.config, "model", t).await;
        Ok(())
    }

    /// The process is killed after its create reached SPLATS and before the answer was
    /// written down: the member exists, the outbox says only that it may, the op stays
    /// held by the dead process for a while, and a new process opens the same file.
    /// Answers whether there was an issue to die in (else the kill waits for one).
    async fn kill(&mut self, t: i64) -> Result<bool, String> {
        let config = self.f.config.clone();
        self.db.write(move |c| reconcile::plan(c, &config, t)).await.map_err(|e| e.to_string())?;
        let waiting = self.db.read_now(|c| uketsuke_core::outbox::waiting(c)).map_err(|e| e.to_string())?;
        let Some(op) = waiting.into_iter().find(|p| p.op == uketsuke_core::outbox::Op::Issue) else {
            return Ok(false);
        };
        let input = MemberInput {
            member_name: "送信済み".into(),
            member_code: Some(access::member_code(&op.guest_id)),
            membergroup_id: "mg-guest".into(),
            qrcode: Some(QrCode {
                one_time_qr: Some(OneTimeQr { enabled: true, ..OneTimeQr::default() }),
                ..QrCode::default()
            }),
            ..MemberInput::default()
        };
        self.client().create_member(&input).await.map_err(|e| e.to_string())?;
        self.db
            .write_now(move |c| {
                Ok(c.execute(
                    "UPDATE outbox SET maybe_sent = 1, claimed_until = ?2 WHERE id = ?1",
                    rusqlite_params(op.id, t + 300),
                )?)
            })
            .map_err(|e| e.to_string())?;
        self.db = db::Db::open(self.db.path()).map_err(|e| e.to_string())?;
        Ok(true)
    }

    /// Faults end and enough time passes for every retry: cycles until the outbox is empty.
    async fn settle(&mut self, t: i64) -> Result<(), String> {
        self.f.sim.state.faults.list().clear();
        if self.kill_next && self.kill(t).await? {
            self.kill_next = false;
        }
        for _ in 0..8 {
            self.db
                .write_now(|c| {
                    Ok(c.execute(
                        "UPDATE outbox SET next_attempt_at = 0, claimed_until = 0 WHERE done_at IS NULL",
                        [],
                    )?)
                })
                .map_err(|e| e.to_string())?;
            self.cycle(t).await?;
            let waiting =
                self.db.read_now(|c| uketsuke_core::outbox::waiting(c)).map_err(|e| e.to_string())?;
            if waiting.is_empty() {
                return Ok(());
            }
        }
        let waiting = self.db.read_now(|c| uketsuke_core::outbox::waiting(c)).map_err(|e| e.to_string())?;
        Err(format!("the outbox did not empty: {waiting:?}"))
    }

    /// The members the simulator holds for bookings (our code prefix), or the code
    /// that is there twice.
    fn held(&self) -> Result<BTreeMap<String, (i64, i64, Vec<String>)>, String> {
        let w = self.f.sim.state.world.lock().unwrap();
        let mut out = BTreeMap::new();
        for m in w.splats.members.values() {
            let Some(code) = m.member_code.clone().filter(|c| c.starts_with("UK-")) else { continue };
            let mut areas: Vec<String> = m.devices_pass["areas_list"]
                .as_array()
                .map(|l| l.iter().filter_map(|a| a["area_id"].as_str().map(String::from)).collect())
                .unwrap_or_default();
            areas.sort();
            let window = (m.use_date_start.unwrap_or(0), m.use_date_end.unwrap_or(0), areas);
            if out.insert(code.clone(), window).is_some() {
                return Err(format!("member code {code} is held twice"));
            }
        }
        Ok(out)
    }
}

/// Applies one operation to the model and the desk alike.
async fn apply(op: &Op, m: &mut Model, d: &mut Desk) -> Result<(), String> {
    let e = |e: uketsuke_core::Error| e.to_string();
    let pick = |m: &Model, pick: u16, reservation_only: bool| -> Option<usize> {
        let live: Vec<usize> = (0..m.bookings.len())
            .filter(|i| {
                let b = &m.bookings[*i];
                !b.cancelled && !b.checked_out && (!reservation_only || b.day.is_some())
            })
            .collect();
        (!live.is_empty()).then(|| live[usize::from(pick) % live.len()])
    };
    match op {
        Op::Book { store, slot, len, rooms } => {
            let store = ["S001", "S002"][usize::from(*store) % 2];
            let day = jst_day(m.t);
            let start = day + 6 * HOUR + i64::from(*slot % 32) * 1800;
            let end = (start + 1800 * (1 + i64::from(*len % 6))).min(day + 86_400 - 60);
            m.next += 1;
            m.bookings.push(Booking {
                id: format!("R{:05}", m.next),
                store: store.into(),
                rooms: Model::rooms_of(store, *rooms),
                start,
                end,
                day: Some(day),
                cancelled: false,
                checked_out: false,
            });
            list_day(m, d, store, day).await?;
        }
        Op::Extend { pick: p, half_hours } => {
            let Some(i) = pick(m, *p, true) else { return Ok(()) };
            let b = &mut m.bookings[i];
            b.end = (b.end + 1800 * i64::from(*half_hours)).min(b.day.unwrap() + 86_400 - 60);
            let (store, day) = (b.store.clone(), b.day.unwrap());
            list_day(m, d, &store, day).await?;
        }
        Op::Shorten { pick: p } => {
            let Some(i) = pick(m, *p, true) else { return Ok(()) };
            let b = &mut m.bookings[i];
            b.end = (b.end - 1800).max(b.start + 900);
            let (store, day) = (b.store.clone(), b.day.unwrap());
            list_day(m, d, &store, day).await?;
        }
        Op::Move { pick: p, rooms } => {
            let Some(i) = pick(m, *p, true) else { return Ok(()) };
            let b = &mut m.bookings[i];
            b.rooms = Model::rooms_of(&b.store, *rooms);
            let (store, day) = (b.store.clone(), b.day.unwrap());
            list_day(m, d, &store, day).await?;
        }
        Op::Cancel { pick: p } => {
            let Some(i) = pick(m, *p, true) else { return Ok(()) };
            m.bookings[i].cancelled = true;
            let (store, day) = (m.bookings[i].store.clone(), m.bookings[i].day.unwrap());
            list_day(m, d, &store, day).await?;
        }
        Op::WalkIn { store, len, rooms } => {
            let stores = m.stores();
            let store = stores[usize::from(*store) % stores.len()];
            let w = WalkIn {
                store_id: store.into(),
                name: "来店 太郎".into(),
                name_kana: None,
                phone: None,
                area_ids: Model::rooms_of(store, *rooms),
                starts_at: m.t - 300,
                ends_at: m.t + 1800 * (1 + i64::from(*len % 6)),
            };
            let t = m.t;
            let g = d.db.write_now(move |c| guests::add_walk_in(c, &w, t, "model")).map_err(e)?;
            m.bookings.push(Booking {
                id: g.id,
                store: store.into(),
                rooms: g.area_ids,
                start: g.starts_at,
                end: g.ends_at,
                day: None,
                cancelled: false,
                checked_out: false,
            });
        }
        Op::CheckIn { pick: p } => {
            let Some(i) = pick(m, *p, false) else { return Ok(()) };
            let (id, t) = (m.bookings[i].id.clone(), m.t);
            d.db.write_now(move |c| guests::check_in(c, &id, t, "model")).map_err(e)?;
        }
        Op::CheckOut { pick: p } => {
            let Some(i) = pick(m, *p, false) else { return Ok(()) };
            m.bookings[i].checked_out = true;
            let (id, t) = (m.bookings[i].id.clone(), m.t);
            d.db.write_now(move |c| access::check_out(c, &id, t, "model")).map_err(e)?;
        }
        Op::ToggleRoom { room } => {
            let (id, store, splats) = ROOMS[usize::from(*room) % ROOMS.len()];
            if store == "S9" && !m.manual_store {
                return Ok(());
            }
            let now = !m.room_mapped[id];
            m.room_mapped.insert(id, now);
            d.db.write_now(move |c| cache::map_area(c, id, now.then_some(splats))).map_err(e)?;
        }
        Op::ToggleEntrance { store } => {
            let (id, splats) = ENTRANCES[usize::from(*store) % ENTRANCES.len()];
            if id == "S9" && !m.manual_store {
                return Ok(());
            }
            let now = !m.entrance_mapped[id];
            m.entrance_mapped.insert(id, now);
            d.db.write_now(move |c| cache::map_entrance(c, id, now.then_some(splats))).map_err(e)?;
        }
        Op::AddManualStore => {
            if m.manual_store {
                return Ok(());
            }
            d.db.write_now(|c| {
                c.execute_batch(
                    "INSERT INTO stores (id, name, source, updated_at) VALUES ('S9', '臨時店', 'manual', 0);
                     INSERT INTO areas (id, store_id, name, source, updated_at) VALUES ('A9', 'S9', '臨時室', 'manual', 0);",
                )?;
                cache::map_area(c, "A9", Some("sa-0003"))?;
                cache::map_entrance(c, "S9", Some("sa-0006"))
            })
            .map_err(e)?;
            m.manual_store = true;
            m.room_mapped.insert("A9", true);
            m.entrance_mapped.insert("S9", true);
        }
        Op::RemoveManualStore => {
            if !m.manual_store {
                return Ok(());
            }
            let client = d.client();
            let target = Target::Entrance("S9".into());
            let removed =
                settings::remove_door(&d.db, Some(&client), &d.settings_secrets, &target, "model").await;
            if removed.is_ok() {
                m.manual_store = false;
                m.bookings.retain(|b| b.store != "S9");
                m.room_mapped.remove("A9");
                m.entrance_mapped.remove("S9");
            }
        }
        Op::Fault { kind, times } => {
            let kind = match kind % 6 {
                0 => FaultKind::Status { status: 429, message: None, retry_after_secs: Some(1) },
                1 => FaultKind::Status { status: 500, message: None, retry_after_secs: None },
                2 => FaultKind::Applied { status: 500 },
                3 => FaultKind::Drop,
                4 => FaultKind::Delay { ms: 30 },
                _ => FaultKind::Status { status: 503, message: None, retry_after_secs: None },
            };
            let fault = Fault {
                path_prefix: "/splats/v1/members".into(),
                kind,
                times: Some(u32::from(*times)),
                after: 0,
                until: None,
            };
            d.f.sim.state.faults.list().push(fault);
            // The cycle runs under the fault; the settle after the step clears it.
            d.cycle(m.t).await?;
        }
        // Killed in the middle of the next issue (a settle carries it out).
        Op::Restart => d.kill_next = true,
        Op::Advance { minutes } => m.t += i64::from(*minutes) * 60,
    }
    Ok(())
}

/// Lists one store's day as the reservation system would: every booking of it not
/// cancelled (a cancelled one is simply no longer listed).
async fn list_day(m: &Model, d: &Desk, store: &str, day: i64) -> Result<(), String> {
    let guests: Vec<Guest> = m
        .bookings
        .iter()
        .filter(|b| b.store == store && b.day == Some(day) && !b.cancelled)
        .map(|b| Guest {
            id: b.id.clone(),
            store_id: b.store.clone(),
            booking_code: Some(format!("RSV-{}", b.id)),
            name: "予約 花子".into(),
            name_kana: None,
            phone_last4: None,
            starts_at: b.start,
            ends_at: b.end,
            area_ids: b.rooms.clone(),
            source: GuestSource::Reservation,
        })
        .collect();
    let bookings = Bookings { guests, skipped: Vec::new() };
    let (store, t) = (store.to_string(), m.t);
    d.db.write(move |c| guests::replace_day(c, &store, day, &bookings, t))
        .await
        .map_err(|e| e.to_string())?;
    Ok(())
}

/// What a run went through, so that a run that proved nothing is noticed.
#[derive(Debug, Default)]
struct Seen {
    /// Distinct member codes SPLATS held at some check.
    codes: BTreeSet<String>,
    most_at_once: usize,
}

/// Runs `ops` from a fresh desk; on the first broken invariant answers its step and why.
async fn run(ops: &[Op]) -> Result<Seen, (usize, String)> {
    let f = Fixture::without_bookings().await;
    let world = serde_json::json!({ "limits": { "enabled": false, "other_per_window": 1_000_000_000u32 } });
    reqwest::Client::new().put(format!("{}/_sim/splats", f.sim.url())).json(&world).send().await.unwrap();
    f.sim.state.world.lock().unwrap().splats.accept_duplicate_codes = true;
    let db = f.db.clone();
    let mut d = Desk { f, db, settings_secrets: Arc::new(MemorySecrets::default()), kill_next: false };
    let mut m = Model::new(uketsuke_core::clock::now_unix());
    let grace = i64::from(d.f.config.splats.guest_grace_minutes) * 60;
    let lead = d.f.config.sync.lead_minutes * 60;
    let mut seen = Seen::default();
    for (i, op) in ops.iter().enumerate() {
        apply(op, &mut m, &mut d).await.map_err(|e| (i, format!("{op:?}: {e}")))?;
        d.settle(m.t).await.map_err(|e| (i, e))?;
        let want = m.expected(grace, lead);
        let held = d.held().map_err(|e| (i, e))?;
        if held != want {
            let diff: Vec<String> = want
                .keys()
                .chain(held.keys())
                .collect::<BTreeSet<_>>()
                .into_iter()
                .filter(|k| want.get(*k) != held.get(*k))
                .map(|k| format!("{k}: want {:?}, SPLATS holds {:?}", want.get(k), held.get(k)))
                .collect();
            return Err((i, format!("after {op:?}:\n  {}", diff.join("\n  "))));
        }
        seen.most_at_once = seen.most_at_once.max(held.len());
        seen.codes.extend(held.into_keys());
    }
    Ok(seen)
}

/// Removes operations while the run still fails, halving the chunk size (a bounded
/// delta debugging): the shortest failing sequence found within `tries` runs.
async fn shrink(mut ops: Vec<Op>, tries: usize) -> Vec<Op> {
    let mut chunk = ops.len() / 2;
    let mut left = tries;
    while chunk >= 1 && left > 0 {
        let mut i = 0;
        while i < ops.len() && left > 0 {
            let mut candidate = ops.clone();
            candidate.drain(i..(i + chunk).min(ops.len()));
            left -= 1;
            match run(&candidate).await {
                Err((at, _)) => ops = candidate[..=at].to_vec(),
                Ok(_) => i += chunk,
            }
        }
        chunk /= 2;
    }
    ops
}

fn rusqlite_params(id: i64, until: i64) -> [i64; 2] {
    [id, until]
}

fn env<T: std::str::FromStr>(name: &str) -> Option<T> {
    std::env::var(name).ok().and_then(|v| v.parse().ok())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn splats_members_always_match_the_bookings() {
    let seed = env("UKETSUKE_MODEL_SEED").unwrap_or(DEFAULT_SEED);
    let steps = env("UKETSUKE_MODEL_STEPS").unwrap_or(DEFAULT_STEPS);
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    let ops: Vec<Op> = (0..steps).map(|_| random_op(&mut rng)).collect();
    let started = std::time::Instant::now();
    let seen = match run(&ops).await {
        Ok(seen) => seen,
        Err((at, why)) => {
            let shortest = shrink(ops[..=at].to_vec(), 60).await;
            panic!(
                "door rights broke at step {at} (UKETSUKE_MODEL_SEED={seed}, {steps} steps): {why}\n\
                 shortest failing sequence found ({} ops):\n{shortest:#?}",
                shortest.len()
            );
        }
    };
    eprintln!(
        "model: {steps} steps, seed {seed:#x}, {:.1} s, {} members made in all, at most {} at once",
        started.elapsed().as_secs_f64(),
        seen.codes.len(),
        seen.most_at_once
    );
    assert!(seen.codes.len() >= steps / 20, "a run that made few members proves little: {seen:?}");
}
