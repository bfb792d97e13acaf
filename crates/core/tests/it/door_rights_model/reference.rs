//! The reference: what SPLATS should hold, worked out from the bookings alone.

use std::collections::{BTreeMap, BTreeSet};
use uketsuke_core::desk::guests::access;

pub const HOUR: i64 = 3600;

/// Members by code: their window and SPLATS areas.
pub type Members = BTreeMap<String, (i64, i64, Vec<String>)>;

/// What the reference knows: the bookings as the test made them, and the mappings.
#[derive(Debug, Clone)]
pub struct Booking {
    pub id: String,
    pub store: String,
    pub rooms: Vec<String>,
    pub start: i64,
    pub end: i64,
    /// The JST day it was listed on, for a reservation booking; None for a walk-in.
    pub day: Option<i64>,
    pub cancelled: bool,
    pub checked_out: bool,
}

pub const ROOMS: [(&str, &str, &str); 6] = [
    ("A101", "S001", "sa-0001"),
    ("A102", "S001", "sa-0002"),
    ("A103", "S001", "sa-0003"),
    ("A201", "S002", "sa-0004"),
    ("A202", "S002", "sa-0005"),
    ("A9", "S9", "sa-0003"),
];
pub const ENTRANCES: [(&str, &str); 3] = [("S001", "sa-0006"), ("S002", "sa-0007"), ("S9", "sa-0006")];

pub struct Model {
    pub t: i64,
    pub bookings: Vec<Booking>,
    pub room_mapped: BTreeMap<&'static str, bool>,
    pub entrance_mapped: BTreeMap<&'static str, bool>,
    pub manual_store: bool,
    /// Bookings whose member exists: one partly unmapped keeps the rooms still mapped,
    /// one never issued waits until every room is mapped.
    pub issued: BTreeSet<String>,
    pub next: u32,
}

/// 00:00 JST of the day containing `t`, worked out here rather than borrowed.
pub fn jst_day(t: i64) -> i64 {
    (t + 9 * HOUR).div_euclid(86_400) * 86_400 - 9 * HOUR
}

impl Model {
    pub fn new(t: i64) -> Model {
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

    pub fn stores(&self) -> Vec<&'static str> {
        let mut s = vec!["S001", "S002"];
        if self.manual_store {
            s.push("S9");
        }
        s
    }

    pub fn rooms_of(store: &str, pick: u8) -> Vec<String> {
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
    pub fn expected(&mut self, grace: i64, lead: i64) -> Members {
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
