//! The operations a sequence is made of, and how each is applied to both sides.

use super::desk::Desk;
use super::reference::{jst_day, Booking, Model, ENTRANCES, HOUR, ROOMS};
use rand::Rng;
use uketsuke_core::clouds::reservation::Bookings;
use uketsuke_core::desk::cache;
use uketsuke_core::desk::doors::lock::Target;
use uketsuke_core::desk::guests::{self, access, WalkIn};
use uketsuke_core::platform::model::{Guest, GuestSource};
use uketsuke_core::workflows::settings;
use uketsuke_sim::faults::{Fault, FaultKind};

/// One operation, its targets chosen by number when applied, so that any subsequence
/// of a sequence is still a valid sequence (shrinking removes operations freely).
#[derive(Debug, Clone)]
pub enum Op {
    Book {
        store: u8,
        slot: u8,
        len: u8,
        rooms: u8,
    },
    /// Several bookings listed at once (a group, a morning's bookings): a bulk create.
    BookMany {
        store: u8,
        slot: u8,
        count: u8,
    },
    Extend {
        pick: u16,
        half_hours: u8,
    },
    Shorten {
        pick: u16,
    },
    Move {
        pick: u16,
        rooms: u8,
    },
    Cancel {
        pick: u16,
    },
    WalkIn {
        store: u8,
        len: u8,
        rooms: u8,
    },
    CheckIn {
        pick: u16,
    },
    CheckOut {
        pick: u16,
    },
    ToggleRoom {
        room: u8,
    },
    ToggleEntrance {
        store: u8,
    },
    RemoveManualStore,
    AddManualStore,
    Fault {
        kind: u8,
        times: u8,
    },
    Restart,
    Advance {
        minutes: u16,
    },
}

pub fn random_op(rng: &mut rand::rngs::StdRng) -> Op {
    let n = |rng: &mut rand::rngs::StdRng| rng.random::<u16>();
    match rng.random_range(0..100) {
        0..=14 => {
            Op::Book { store: rng.random(), slot: rng.random(), len: rng.random(), rooms: rng.random() }
        }
        15..=17 => Op::BookMany { store: rng.random(), slot: rng.random(), count: rng.random_range(3..=6) },
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

/// Applies one operation to the model and the desk alike.
pub async fn apply(op: &Op, m: &mut Model, d: &mut Desk) -> Result<(), String> {
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
            let start = slot_start(m.t, *slot);
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
        Op::BookMany { store, slot, count } => {
            let store = ["S001", "S002"][usize::from(*store) % 2];
            let day = jst_day(m.t);
            for k in 0..*count {
                let start = slot_start(m.t, slot.wrapping_add(k));
                m.next += 1;
                m.bookings.push(Booking {
                    id: format!("R{:05}", m.next),
                    store: store.into(),
                    rooms: Model::rooms_of(store, slot.wrapping_mul(k + 1)),
                    start,
                    end: (start + 3600).min(day + 86_400 - 60),
                    day: Some(day),
                    cancelled: false,
                    checked_out: false,
                });
            }
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
            d.db.write_now(move |c| cache::splats::map_area(c, id, now.then_some(splats))).map_err(e)?;
        }
        Op::ToggleEntrance { store } => {
            let (id, splats) = ENTRANCES[usize::from(*store) % ENTRANCES.len()];
            if id == "S9" && !m.manual_store {
                return Ok(());
            }
            let now = !m.entrance_mapped[id];
            m.entrance_mapped.insert(id, now);
            d.db.write_now(move |c| cache::splats::map_entrance(c, id, now.then_some(splats))).map_err(e)?;
        }
        Op::AddManualStore => {
            if m.manual_store {
                return Ok(());
            }
            d.db.write_now(crate::support::desk::add_manual_store).map_err(e)?;
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

/// A booking's start: around now (from an hour ago to ten hours ahead), on the same JST
/// day and ending before its midnight, so that each day is listed whole.
pub fn slot_start(t: i64, slot: u8) -> i64 {
    let day = jst_day(t);
    (t - HOUR + i64::from(slot % 20) * 1800).clamp(day, day + 86_400 - 2 * HOUR) / 60 * 60
}

/// Lists one store's day as the reservation system would: every booking of it not
/// cancelled (a cancelled one is simply no longer listed).
pub async fn list_day(m: &Model, d: &Desk, store: &str, day: i64) -> Result<(), String> {
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
