//! Domain types shared by the cache, the clients, the CLI and the UI.

use serde::{Deserialize, Serialize};

/// Where a record came from. Manual records are never removed by a sync.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    Reservation,
    Manual,
}

impl Source {
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Reservation => "reservation",
            Source::Manual => "manual",
        }
    }

    pub fn parse(s: &str) -> Source {
        if s == "manual" {
            Source::Manual
        } else {
            Source::Reservation
        }
    }
}

/// A store (店舗): one site with an entrance and areas. The settings screens and the
/// settings file carry it whole (flattened); the defaults read files that left a field out.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct Store {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub name_kana: Option<String>,
    pub source: Source,
    /// "セサミ利用": the store's doors are SESAME locks.
    #[serde(default)]
    pub use_sesame: bool,
    /// "エントランスの鍵を登録する": the entrance has its own lock.
    #[serde(default)]
    pub register_entrance_key: bool,
    #[serde(default)]
    pub entrance_device_uuid: Option<String>,
    #[serde(default)]
    pub updated_at: i64,
}

/// An area (エリア): a room or zone inside a store, usually with its own lock.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct Area {
    pub id: String,
    /// May be missing from a settings file, where an area sits inside its store.
    #[serde(default)]
    pub store_id: String,
    pub name: String,
    #[serde(default)]
    pub sort_order: i64,
    #[serde(default)]
    pub device_uuid: Option<String>,
    pub source: Source,
    #[serde(default)]
    pub updated_at: i64,
}

/// Where a guest record came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum GuestSource {
    Reservation,
    Csv,
    WalkIn,
}

impl GuestSource {
    pub fn as_str(self) -> &'static str {
        match self {
            GuestSource::Reservation => "reservation",
            GuestSource::Csv => "csv",
            GuestSource::WalkIn => "walk_in",
        }
    }

    pub fn parse(s: &str) -> GuestSource {
        match s {
            "csv" => GuestSource::Csv,
            "walk_in" => GuestSource::WalkIn,
            _ => GuestSource::Reservation,
        }
    }
}

/// A guest with a booking window at one store.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct Guest {
    pub id: String,
    pub store_id: String,
    pub booking_code: Option<String>,
    pub name: String,
    pub name_kana: Option<String>,
    pub phone_last4: Option<String>,
    pub starts_at: i64,
    pub ends_at: i64,
    pub area_ids: Vec<String>,
    pub source: GuestSource,
}

/// The last four digits of a phone number, which is all the app keeps of it: enough
/// for a guest to find their booking at the kiosk.
pub fn phone_last4(phone: &str) -> String {
    let digits: String = phone.chars().filter(char::is_ascii_digit).collect();
    digits[digits.len().saturating_sub(4)..].to_string()
}

/// A store or area as the reservation system describes it: names only. The lock
/// settings a manager attached to it locally are kept across syncs.
#[derive(Debug, Clone, PartialEq)]
pub struct RemoteStore {
    pub id: String,
    pub name: String,
    pub name_kana: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct RemoteArea {
    pub id: String,
    pub store_id: String,
    pub name: String,
    pub sort_order: i64,
}
