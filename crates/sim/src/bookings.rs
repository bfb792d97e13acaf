//! `/_sim/reservation/bookings`: change the reservation system's bookings the way its
//! own staff screens would, so that tests and the demo can watch door access follow.
//!
//! - `GET    /_sim/reservation/bookings`       → every booking
//! - `POST   /_sim/reservation/bookings`       ← `{store_id, name, starts_at, ends_at, area_ids,
//!   id?, booking_code?, name_kana?, phone?, raw_start_at?}` adds one (→ the booking)
//! - `PUT    /_sim/reservation/bookings/{id}`  ← any of `{starts_at, ends_at, area_ids,
//!   extend_secs, shift_secs, raw_start_at}`: change, extend, shift or move to other rooms
//! - `DELETE /_sim/reservation/bookings/{id}`  cancels it (it is no longer listed)
//!
//! `raw_start_at` replaces the start time as sent, to test a booking that cannot be read.

use crate::state::SimState;
use crate::world::SimGuest;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, put};
use axum::{Json, Router};
use serde_json::{json, Value};
use std::sync::Arc;

pub fn router() -> Router<Arc<SimState>> {
    Router::new()
        .route("/reservation/bookings", get(list).post(add))
        .route("/reservation/bookings/{id}", put(change).delete(cancel))
}

type Reply = Result<Json<Value>, (StatusCode, Json<Value>)>;

fn bad(status: StatusCode, message: &str) -> (StatusCode, Json<Value>) {
    (status, Json(json!({ "message": message })))
}

fn view(g: &SimGuest) -> Value {
    json!({
        "id": g.id, "store_id": g.store_id, "booking_code": g.booking_code, "name": g.name,
        "starts_at": g.starts_at, "ends_at": g.ends_at, "area_ids": g.area_ids, "raw_start_at": g.raw_start_at,
    })
}

async fn list(State(s): State<Arc<SimState>>) -> Json<Value> {
    let world = s.world.lock().unwrap();
    Json(json!(world.guests.iter().map(view).collect::<Vec<_>>()))
}

async fn add(State(s): State<Arc<SimState>>, Json(req): Json<Value>) -> Reply {
    let text = |k: &str| req.get(k).and_then(Value::as_str).map(String::from);
    let time = |k: &str| {
        req.get(k)
            .and_then(Value::as_i64)
            .ok_or_else(|| bad(StatusCode::BAD_REQUEST, &format!("{k} (unix seconds) is required")))
    };
    let mut world = s.world.lock().unwrap();
    let n = world.guests.len() + 1;
    let id = text("id").unwrap_or_else(|| format!("G{:03}", 100 + n));
    if world.guests.iter().any(|g| g.id == id) {
        return Err(bad(StatusCode::CONFLICT, "a booking with this id exists"));
    }
    let g = SimGuest {
        booking_code: text("booking_code").unwrap_or_else(|| format!("RSV-{}", 2000 + n)),
        store_id: text("store_id").ok_or_else(|| bad(StatusCode::BAD_REQUEST, "store_id is required"))?,
        name: text("name").unwrap_or_else(|| "予約 太郎".into()),
        name_kana: text("name_kana").unwrap_or_default(),
        phone: text("phone").unwrap_or_default(),
        starts_at: time("starts_at")?,
        ends_at: time("ends_at")?,
        area_ids: strings(req.get("area_ids")),
        raw_start_at: text("raw_start_at"),
        id,
    };
    let out = view(&g);
    world.guests.push(g);
    Ok(Json(out))
}

async fn change(State(s): State<Arc<SimState>>, Path(id): Path<String>, Json(req): Json<Value>) -> Reply {
    let mut world = s.world.lock().unwrap();
    let g = world
        .guests
        .iter_mut()
        .find(|g| g.id == id)
        .ok_or_else(|| bad(StatusCode::NOT_FOUND, "no such booking"))?;
    let int = |k: &str| req.get(k).and_then(Value::as_i64);
    if let Some(t) = int("starts_at") {
        g.starts_at = t;
    }
    if let Some(t) = int("ends_at") {
        g.ends_at = t;
    }
    if let Some(d) = int("extend_secs") {
        g.ends_at += d;
    }
    if let Some(d) = int("shift_secs") {
        g.starts_at += d;
        g.ends_at += d;
    }
    if req.get("area_ids").is_some() {
        g.area_ids = strings(req.get("area_ids"));
    }
    if let Some(raw) = req.get("raw_start_at") {
        g.raw_start_at = raw.as_str().map(String::from);
    }
    Ok(Json(view(g)))
}

async fn cancel(State(s): State<Arc<SimState>>, Path(id): Path<String>) -> StatusCode {
    let mut world = s.world.lock().unwrap();
    let before = world.guests.len();
    world.guests.retain(|g| g.id != id);
    if world.guests.len() < before {
        StatusCode::NO_CONTENT
    } else {
        StatusCode::NOT_FOUND
    }
}

fn strings(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_array)
        .map(|a| a.iter().filter_map(|x| x.as_str().map(String::from)).collect())
        .unwrap_or_default()
}
