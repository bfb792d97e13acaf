//! What the simulated clouds hold: the facility (stores, areas, bookings) and each
//! cloud's own state. Plain data and the rules that change it, apart from the HTTP
//! handlers (`crate::sesame`, `crate::splats`, `crate::reservation`), which reach it
//! through `crate::state::SimState`.

pub mod reservation;
pub mod sesame;
pub mod splats;

use serde::Serialize;
use std::collections::HashSet;

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
    pub reservation_oauth: reservation::OAuthWorld,
    pub visits: Vec<reservation::ReportedVisit>,
    pub sesame: sesame::SesameWorld,
    pub splats: splats::SplatsWorld,
}

/// Japan Standard Time, the one zone the simulated clouds speak.
pub fn jst() -> chrono::FixedOffset {
    chrono::FixedOffset::east_opt(9 * 3600).expect("valid offset")
}
