//! `/_sim`: controls for tests and the demo. Not part of any real cloud.
//!
//! - `GET  /_sim/health`          → `{"ok": true, "now": <unix>}`
//! - `PUT  /_sim/clock`           ← `{"offset_secs": n}` or `{"now": <unix>}`
//! - `POST /_sim/faults`          ← a [`Fault`]; `DELETE /_sim/faults` clears them all

use crate::faults::Fault;
use crate::state::SimState;
use axum::extract::State;
use axum::http::StatusCode;
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

async fn set_clock(State(s): State<Arc<SimState>>, Json(req): Json<ClockRequest>) -> (StatusCode, Json<Value>) {
    match (req.offset_secs, req.now) {
        (Some(o), None) => s.clock.set_offset_secs(o),
        (None, Some(n)) => s.clock.set_now(n),
        _ => return (StatusCode::BAD_REQUEST, Json(json!({ "message": "give offset_secs or now" }))),
    }
    (StatusCode::OK, get_clock(State(s)).await)
}

async fn add_fault(State(s): State<Arc<SimState>>, Json(f): Json<Fault>) -> StatusCode {
    s.faults.lock().unwrap().push(f);
    StatusCode::NO_CONTENT
}

async fn clear_faults(State(s): State<Arc<SimState>>) -> StatusCode {
    s.faults.lock().unwrap().clear();
    StatusCode::NO_CONTENT
}

async fn list_faults(State(s): State<Arc<SimState>>) -> Json<Vec<Fault>> {
    Json(s.faults.lock().unwrap().clone())
}
