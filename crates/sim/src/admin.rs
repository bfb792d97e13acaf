//! `/_sim`: controls for tests and the demo. Not part of any real cloud.
//!
//! - `GET  /_sim/health`          → `{"ok": true, "now": <unix>}`
//! - `PUT  /_sim/clock`           ← `{"offset_secs": n}` or `{"now": <unix>}`
//! - `POST /_sim/faults`          ← a [`Fault`]; `DELETE /_sim/faults` clears them all
//! - `GET  /_sim/sesame`          → API keys, devices (with their secret keys: this is a
//!   simulator), calls per key, commands received
//! - `PUT  /_sim/sesame`          ← `{"strict": bool, "monthly_quota": n|null}`
//! - `PUT  /_sim/sesame/devices/{uuid}` ← `{"wm2": bool, "lag_ms": n, "drop_next": n, "state": "locked"}`
//! - `GET  /_sim/splats`          → counts, members, guests, bulk jobs, rate limits, calls
//! - `PUT  /_sim/splats`          ← `{"limits": {...}, "bulk_members_per_sec": n, "fail_next_bulk": bool, "add_token": "…",
//!   "repeat_history_keys": n (the next n keyed history pages repeat their key), "pass_enabled": bool
//!   (false: a tenant without SPLATS PASS, whose area and pass-controller listings are refused),
//!   "holidays": ["YYYY-MM-DD"] (days schedules read as `Holiday`), "face_millis": n (face registration time)}`
//! - `/_sim/reservation/bookings…` add, change, extend, move and cancel bookings (`bookings.rs`)
//! - `POST /_sim/splats/histories` ← `{"count": n, "start": <unix>, "step_secs": n}` adds synthetic logs
//! - `POST /_sim/splats/scan`     ← `{"area_id": "…", "payload": "SL-OTQR?…"}`: a reader at that area
//!   judges the QR as the real one would (→ `{"accepted", "reason", "member_id", "guest_id"}`) and logs it;
//!   `{"area_id", "card": "0123ABCD…"}` touches an IC card instead
//! - `POST /_sim/splats/keys/{id}/take` ← `{"payload": guest QR, "unit_no": "01"}`: a guest takes a key;
//!   `…/return` ← `{"unit_no"}` puts one back

use crate::faults::Fault;
use crate::state::SimState;
use crate::world::splats::reader::Credential;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};
use std::sync::Arc;

pub fn router() -> Router<Arc<SimState>> {
    Router::new()
        .route("/health", get(health))
        .route("/clock", put(set_clock).get(get_clock))
        .route("/faults", post(add_fault).delete(clear_faults).get(list_faults))
        .route("/sesame", get(sesame_world).put(sesame_settings))
        .route("/sesame/devices/{uuid}", put(sesame_device))
        .route("/splats", get(splats_world).put(splats_settings))
        .route("/splats/histories", post(splats_histories))
        .route("/splats/scan", post(splats_scan))
        .route("/splats/keys/{id}/take", post(splats_take_key))
        .route("/splats/keys/{id}/return", post(splats_return_key))
}

async fn sesame_world(State(s): State<Arc<SimState>>) -> Json<Value> {
    let world = s.world.lock().unwrap();
    let w = &world.sesame;
    Json(json!({
        "api_keys": w.api_keys,
        "devices": w.devices.values().collect::<Vec<_>>(),
        "strict": w.strict,
        "monthly_quota": w.monthly_quota,
        "calls": w.calls,
        "commands_received": w.commands_received,
    }))
}

async fn sesame_settings(State(s): State<Arc<SimState>>, Json(req): Json<Value>) -> StatusCode {
    let mut world = s.world.lock().unwrap();
    if let Some(strict) = req.get("strict").and_then(Value::as_bool) {
        world.sesame.strict = strict;
    }
    if let Some(q) = req.get("monthly_quota") {
        world.sesame.monthly_quota = q.as_u64();
    }
    StatusCode::NO_CONTENT
}

async fn sesame_device(
    State(s): State<Arc<SimState>>,
    Path(uuid): Path<String>,
    Json(req): Json<Value>,
) -> StatusCode {
    let mut world = s.world.lock().unwrap();
    let Some(d) = world.sesame.device_mut(&uuid) else { return StatusCode::NOT_FOUND };
    if let Some(v) = req.get("wm2").and_then(Value::as_bool) {
        d.wm2 = v;
    }
    if let Some(v) = req.get("lag_ms").and_then(Value::as_u64) {
        d.lag_ms = v;
    }
    if let Some(v) = req.get("drop_next").and_then(Value::as_u64) {
        d.drop_next = v as u32;
    }
    if let Some(v) = req.get("state").and_then(Value::as_str) {
        d.state = v.to_string();
    }
    StatusCode::NO_CONTENT
}

async fn health(State(s): State<Arc<SimState>>) -> Json<Value> {
    Json(json!({ "ok": true, "now": s.clock.now_unix() }))
}

#[derive(Deserialize)]
struct ClockRequest {
    offset_secs: Option<i64>,
    now: Option<i64>,
}

async fn get_clock(State(s): State<Arc<SimState>>) -> Json<Value> {
    Json(json!({ "now": s.clock.now_unix(), "offset_secs": s.clock.offset_secs() }))
}

async fn set_clock(
    State(s): State<Arc<SimState>>,
    Json(req): Json<ClockRequest>,
) -> (StatusCode, Json<Value>) {
    match (req.offset_secs, req.now) {
        (Some(o), None) => s.clock.set_offset_secs(o),
        (None, Some(n)) => s.clock.set_now(n),
        _ => return (StatusCode::BAD_REQUEST, Json(json!({ "message": "give offset_secs or now" }))),
    }
    (StatusCode::OK, get_clock(State(s)).await)
}

async fn add_fault(State(s): State<Arc<SimState>>, Json(f): Json<Fault>) -> StatusCode {
    s.faults.list().push(f.armed());
    StatusCode::NO_CONTENT
}

async fn clear_faults(State(s): State<Arc<SimState>>) -> StatusCode {
    s.faults.list().clear();
    StatusCode::NO_CONTENT
}

async fn list_faults(State(s): State<Arc<SimState>>) -> Json<Vec<Fault>> {
    Json(s.faults.list().clone())
}

async fn splats_world(State(s): State<Arc<SimState>>) -> Json<Value> {
    let world = s.world.lock().unwrap();
    let w = &world.splats;
    let now_ms =
        s.clock.now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0);
    Json(json!({
        "tokens": w.tokens,
        "areas": w.areas,
        "members": w.members.values().map(|m| m.to_json()).collect::<Vec<_>>(),
        "guests": w.guests.values().map(|g| g.to_json()).collect::<Vec<_>>(),
        "histories": w.histories.len(),
        "jobs": w.jobs.iter().map(|j| j.to_json(now_ms, w.bulk_members_per_sec)["status"].clone()).collect::<Vec<_>>(),
        "limits": w.limits,
        "calls": w.calls,
    }))
}

async fn splats_settings(State(s): State<Arc<SimState>>, Json(req): Json<Value>) -> StatusCode {
    let mut world = s.world.lock().unwrap();
    let w = &mut world.splats;
    if let Some(l) = req.get("limits") {
        let get = |k: &str| l.get(k).and_then(Value::as_u64);
        if let Some(v) = l.get("enabled").and_then(Value::as_bool) {
            w.limits.enabled = v;
        }
        if let Some(v) = get("status_per_window") {
            w.limits.status_per_window = v as u32;
        }
        if let Some(v) = get("other_per_window") {
            w.limits.other_per_window = v as u32;
        }
        if let Some(v) = get("window_secs") {
            w.limits.window_secs = v.max(1) as i64;
        }
        w.usage.clear();
    }
    if let Some(v) = req.get("bulk_members_per_sec").and_then(Value::as_u64) {
        w.bulk_members_per_sec = v.max(1) as u32;
    }
    if let Some(v) = req.get("fail_next_bulk").and_then(Value::as_bool) {
        w.fail_next_bulk = v;
    }
    if let Some(v) = req.get("repeat_history_keys").and_then(Value::as_u64) {
        w.repeat_history_keys = v as u32;
    }
    if let Some(v) = req.get("pass_enabled").and_then(Value::as_bool) {
        w.no_pass = !v;
    }
    if let Some(v) = req.get("face_millis").and_then(Value::as_u64) {
        w.face_millis = v as u32;
    }
    if let Some(days) = req.get("holidays").and_then(Value::as_array) {
        w.holidays = days
            .iter()
            .filter_map(|d| chrono::NaiveDate::parse_from_str(d.as_str()?, "%Y-%m-%d").ok())
            .collect();
    }
    if let Some(v) = req.get("accept_duplicate_codes").and_then(Value::as_bool) {
        w.accept_duplicate_codes = v;
    }
    if let Some(r) = req.get("seed_reading").and_then(|r| serde_json::from_value(r.clone()).ok()) {
        w.seed_reading = r;
    }
    if let Some(t) = req.get("tenant") {
        let n = |k: &str| t.get(k).and_then(Value::as_u64).unwrap_or(0) as usize;
        w.grow(n("areas"), n("membergroups"));
    }
    if let Some(t) = req.get("add_token").and_then(Value::as_str) {
        w.tokens.insert(t.to_string());
    }
    StatusCode::NO_CONTENT
}

async fn splats_histories(State(s): State<Arc<SimState>>, Json(req): Json<Value>) -> Json<Value> {
    let now = s.clock.now_unix();
    let count = req.get("count").and_then(Value::as_u64).unwrap_or(100) as usize;
    let start = req.get("start").and_then(Value::as_i64).unwrap_or(now - count as i64);
    let step = req.get("step_secs").and_then(Value::as_i64).unwrap_or(1);
    let mut world = s.world.lock().unwrap();
    world.splats.generate_histories(count, start, step);
    Json(json!({ "histories": world.splats.histories.len() }))
}

/// A reader at `area_id` is shown a QR (`payload`) or touched with an IC card (`card`).
async fn splats_scan(State(s): State<Arc<SimState>>, Json(req): Json<Value>) -> Json<Value> {
    let now = s.clock.now_unix();
    let field = |k: &str| req.get(k).and_then(Value::as_str).map(String::from);
    let area = field("area_id").unwrap_or_default();
    let mut world = s.world.lock().unwrap();
    Json(match (field("card"), field("payload")) {
        (Some(card), _) => world.splats.present(&area, Credential::Card(&card), now),
        (None, payload) => world.splats.scan(&area, &payload.unwrap_or_default(), now),
    })
}

/// A guest shows their QR at a key box and takes `unit_no`.
async fn splats_take_key(
    State(s): State<Arc<SimState>>,
    Path(id): Path<String>,
    Json(req): Json<Value>,
) -> Response {
    let now = s.clock.now_unix();
    let payload = req.get("payload").and_then(Value::as_str).unwrap_or_default();
    let unit = req.get("unit_no").and_then(Value::as_str).unwrap_or_default();
    match s.world.lock().unwrap().splats.take_key(&id, payload, unit, now) {
        Ok(v) => Json(v).into_response(),
        Err(r) => r.into_response(),
    }
}

async fn splats_return_key(
    State(s): State<Arc<SimState>>,
    Path(id): Path<String>,
    Json(req): Json<Value>,
) -> Response {
    let unit = req.get("unit_no").and_then(Value::as_str).unwrap_or_default();
    match s.world.lock().unwrap().splats.return_key(&id, unit) {
        Ok(v) => Json(v).into_response(),
        Err(r) => r.into_response(),
    }
}
