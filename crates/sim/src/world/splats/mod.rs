//! What the simulated SPLATS tenant holds; the rules it applies are in [`rules`].

pub mod face;
pub mod keybox;
pub mod otqr;
pub mod reader;
mod rules;
pub mod schedule;

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;
use serde_json::{json, Value};
use std::collections::{BTreeMap, HashMap, HashSet};

/// The token the demo and the tests use.
pub const DEMO_TOKEN: &str = "demo-splats-token";
/// The extended API's licence the demo and the tests use (`License-Key`).
pub const DEMO_LICENSE_KEY: &str = "demo-splats-license-key";
/// Guests disappear this long after their `use_date_end`.
pub const GUEST_PURGE_SECS: i64 = 7 * 86_400;

#[derive(Debug, Clone, Serialize)]
pub struct SArea {
    pub area_id: String,
    pub area_name: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct SGroup {
    pub membergroup_id: String,
    pub membergroup_name: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct SPass {
    pub device_id: String,
    pub device_name: String,
    pub area_id: String,
    pub door_open: bool,
    pub locked: bool,
    pub online: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct SKey {
    pub device_id: String,
    pub device_name: String,
    pub units: u32,
    /// Units whose key is out of the box ("01", …).
    #[serde(skip)]
    pub taken: std::collections::BTreeSet<String>,
}

impl SKey {
    /// Unit numbers as SPLATS writes them: "01" … "05".
    pub fn unit_nos(&self) -> Vec<String> {
        (1..=self.units).map(|n| format!("{n:02}")).collect()
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct SOtqr {
    pub enabled: bool,
    pub seed: String,
    pub timestep: u32,
    pub skew: u32,
    /// How this tenant's readers turn the seed into key bytes.
    pub reading: otqr::Reading,
}

impl SOtqr {
    /// The code a reader of this tenant expects at `unix`.
    pub fn code(&self, unix: i64) -> String {
        otqr::code_with(&otqr::key(&self.seed, self.reading), self.timestep, unix)
    }

    pub fn verify(&self, code: &str, unix: i64) -> bool {
        otqr::verify_with(&otqr::key(&self.seed, self.reading), self.timestep, self.skew, code, unix)
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct SMember {
    pub member_id: String,
    pub member_name: String,
    pub member_code: Option<String>,
    pub membergroup_id: String,
    pub use_date_start: Option<i64>,
    pub use_date_end: Option<i64>,
    pub qr_data: String,
    pub otqr: Option<SOtqr>,
    pub devices_pass: Value,
    pub temporary_use: Option<Value>,
    /// The IC card's ID (hex, upper case).
    pub card_data: Option<String>,
    /// `face_data` once a face image is registered.
    pub face: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SGuest {
    pub guest_id: String,
    pub guest_name: String,
    pub use_date_start: i64,
    pub use_date_end: i64,
    pub qrcode_data: String,
    pub area_id_list: Vec<String>,
    /// (key box, units) the guest may take between start and end.
    pub key_devices: Vec<(String, Vec<String>)>,
    /// Minutes after `use_date_end` a key may still be returned.
    pub return_grace_period: Option<u32>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SHistory {
    pub history_id: String,
    pub at: i64,
    pub event: String,
    pub event_name: String,
    pub category: String,
    pub device_id: String,
    pub device_name: String,
    pub member_id: Option<String>,
    pub guest_id: Option<String>,
}

impl SHistory {
    pub fn to_json(&self) -> Value {
        json!({
            "history_id": self.history_id,
            "datetime": iso(self.at),
            "event": self.event,
            "event_name": self.event_name,
            "status": "occur",
            "category": self.category,
            "device_id": self.device_id,
            "device_name": self.device_name,
            "device_module": "pass_controller",
            "member_id": self.member_id,
            "guest_id": self.guest_id,
            "additional_info": {},
        })
    }
}

#[derive(Debug, Clone, Copy, Serialize)]
pub struct Limits {
    pub enabled: bool,
    pub status_per_window: u32,
    pub other_per_window: u32,
    pub window_secs: i64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { enabled: true, status_per_window: 180, other_per_window: 720, window_secs: 3600 }
    }
}

/// One bulk request and its timeline: it waits for the one before it, then processes
/// `bulk_members_per_sec` members a second.
#[derive(Debug, Clone)]
pub struct BulkJob {
    pub request_id: String,
    pub tag: String,
    pub start_ms: i64,
    pub end_ms: i64,
    /// Per member: its reply entry and, when it succeeds, what to apply.
    pub results: Vec<(Value, Option<Apply>)>,
    /// Fails as a whole after this many members.
    pub fail_at: Option<usize>,
    pub applied: bool,
}

#[derive(Debug, Clone)]
pub enum Apply {
    Upsert(Box<SMember>),
    Delete(String),
}

#[derive(Debug, Default)]
pub struct SplatsWorld {
    pub tokens: HashSet<String>,
    pub areas: Vec<SArea>,
    pub membergroups: Vec<SGroup>,
    pub passes: Vec<SPass>,
    pub keys: Vec<SKey>,
    pub members: BTreeMap<String, SMember>,
    pub guests: BTreeMap<String, SGuest>,
    /// Sorted by (at, history_id).
    pub histories: Vec<SHistory>,
    pub jobs: Vec<BulkJob>,
    pub limits: Limits,
    pub usage: HashMap<(String, bool), (i64, u32)>,
    pub bulk_members_per_sec: u32,
    pub fail_next_bulk: bool,
    /// The next this-many history pages asked for with a key answer with that same key
    /// again, as a broken cloud might: a client must not loop on it.
    pub repeat_history_keys: u32,
    /// A tenant without SPLATS PASS: area and pass-controller listings are refused.
    pub no_pass: bool,
    /// Members created with a `member_code` another member has are accepted, as the
    /// real cloud may (only this simulator is known to refuse them).
    pub accept_duplicate_codes: bool,
    /// How new members' seeds are made and read by the readers (ASCII by default).
    pub seed_reading: otqr::Reading,
    /// "METHOD /path" of every authenticated call, for tests.
    pub calls: Vec<String>,
    /// Days the schedules read as `Holiday` (JST).
    pub holidays: std::collections::BTreeSet<chrono::NaiveDate>,
    pub face_jobs: Vec<face::FaceJob>,
    /// How long a face registration stays in `progress`.
    pub face_millis: u32,
    next_id: u64,
}

/// `YYYY-MM-DDThh:mm:ss+09:00`.
pub fn iso(unix: i64) -> String {
    chrono::DateTime::from_timestamp(unix, 0)
        .map(|t| t.with_timezone(&crate::world::jst()).format("%Y-%m-%dT%H:%M:%S+09:00").to_string())
        .unwrap_or_default()
}

/// Reads a SPLATS datetime; other offsets than +09:00 are refused, as SPLATS documents one.
pub fn parse_iso(field: &str, text: &str) -> Result<i64, Reject> {
    let t = chrono::DateTime::parse_from_rfc3339(text)
        .map_err(|_| Reject::bad(&format!("{field} の形式が不正です (YYYY-MM-DDThh:mm:ss+09:00)")))?;
    if *t.offset() != crate::world::jst() || !text.ends_with("+09:00") {
        return Err(Reject::bad(&format!("{field} のタイムゾーンは +09:00 にしてください")));
    }
    Ok(t.timestamp())
}

/// A refusal in SPLATS' error shape.
#[derive(Debug, Clone, PartialEq)]
pub struct Reject {
    pub status: u16,
    pub code: String,
    pub detail: String,
}

impl Reject {
    pub fn new(status: u16, code: &str, detail: &str) -> Reject {
        Reject { status, code: code.into(), detail: detail.into() }
    }

    pub fn bad(detail: &str) -> Reject {
        Reject::new(400, "40002", detail)
    }

    pub fn to_json(&self) -> Value {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::BAD_REQUEST);
        json!({ "message": status.canonical_reason().unwrap_or("Error"), "error_code": self.code, "error_detail": self.detail })
    }
}

impl IntoResponse for Reject {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::BAD_REQUEST);
        (status, Json(self.to_json())).into_response()
    }
}
