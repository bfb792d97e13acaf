//! What the simulator remembers between requests.

use crate::clock::SimClock;
use crate::faults::Fault;
use crate::seed;
use crate::SimConfig;
use serde::Serialize;
use std::collections::HashSet;
use std::sync::Mutex;

pub struct SimState {
    pub clock: SimClock,
    pub faults: Mutex<Vec<Fault>>,
    pub world: Mutex<World>,
}

impl SimState {
    pub fn new(config: &SimConfig) -> SimState {
        let clock = SimClock::new(config.clock_offset_secs);
        let mut world = seed::demo_world(clock.now_unix());
        world.reservation_tokens.extend(config.reservation_tokens.iter().cloned());
        SimState { clock, faults: Mutex::new(Vec::new()), world: Mutex::new(world) }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct SimStore {
    pub id: String,
    pub name: String,
    pub name_kana: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct SimArea {
    pub id: String,
    pub store_id: String,
    pub name: String,
    pub sort: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct SimGuest {
    pub id: String,
    pub store_id: String,
    pub booking_code: String,
    pub name: String,
    pub name_kana: String,
    pub phone: String,
    pub starts_at: i64,
    pub ends_at: i64,
    pub area_ids: Vec<String>,
    /// Sent instead of the times when set: a broken booking, for tests.
    pub raw_start_at: Option<String>,
}

/// The simulated facility and the credentials the clouds accept.
#[derive(Debug, Default)]
pub struct World {
    pub stores: Vec<SimStore>,
    pub areas: Vec<SimArea>,
    pub guests: Vec<SimGuest>,
    pub reservation_tokens: HashSet<String>,
    pub reservation_oauth: crate::reservation::oauth::OAuthWorld,
    pub visits: Vec<crate::reservation::ReportedVisit>,
    pub sesame: crate::sesame::SesameWorld,
    pub splats: crate::splats::SplatsWorld,
}
