//! The reservation system: a PHP-style JSON API behind a Bearer token.
//!
//! Contract (see `docs/reservation-api.md`):
//! - `GET api/v1/stores.php` → `{"stores": [{store_id, store_name, store_name_kana}]}`
//! - `GET api/v1/areas.php?store_id=` → `{"areas": [{area_id, store_id, area_name, sort}]}`
//! - `GET api/v1/reservations.php?store_id=&date=YYYY-MM-DD` → `{"reservations": [...]}`
//!
//! - `PUT api/v1/reservations.php` with `{reservation_id, visit_status, visited_at, staff_name}`:
//!   the body must be JSON with non-ASCII escaped as `\uNNNN` (a raw UTF-8 body is refused).
//! - `PUT api/v1/reservations.php` with `{reservation_id, start_at, end_at, area_ids, staff_name}`:
//!   a stay changed at the counter ([`stay`]); 409 when a room is booked in the new window.
//! - `api/oauth/*.php`: the sign-in, in [`oauth`].
//!
//! Replies escape non-ASCII as `\uNNNN`, as PHP does.

pub mod oauth;
mod stay;

use crate::json::{message, php_json};
use crate::seed::{jst, start_of_day_jst};
use crate::state::SimState;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, Response};
use axum::routing::{get, post};
use axum::Router;
use serde::Deserialize;
use serde_json::json;
use std::sync::Arc;

pub fn router() -> Router<Arc<SimState>> {
    Router::new()
        .route("/", get(home))
        .route("/api/v1/stores.php", get(stores))
        .route("/api/v1/areas.php", get(areas))
        .route("/api/v1/reservations.php", get(reservations).put(report_visit))
        .route("/api/oauth/authorize.php", get(oauth::authorize_page).post(oauth::authorize_submit))
        .route("/api/oauth/token.php", post(oauth::token))
}

async fn home() -> Html<&'static str> {
    Html("<!doctype html><meta charset=utf-8><title>予約システム (simulator)</title><h1>予約システム シミュレーター</h1>")
}

/// 401 unless the request carries a token the system issued.
fn authorize(state: &SimState, headers: &HeaderMap) -> Result<(), Response> {
    let token = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")));
    match token {
        Some(t) if state.world.lock().unwrap().reservation_tokens.contains(t.trim()) => Ok(()),
        Some(_) => Err(message(StatusCode::UNAUTHORIZED, "invalid_token")),
        None => Err(message(StatusCode::UNAUTHORIZED, "missing access token")),
    }
}

async fn stores(State(s): State<Arc<SimState>>, headers: HeaderMap) -> Result<Response, Response> {
    authorize(&s, &headers)?;
    let world = s.world.lock().unwrap();
    let stores: Vec<_> = world
        .stores
        .iter()
        .map(|st| json!({ "store_id": st.id, "store_name": st.name, "store_name_kana": st.name_kana }))
        .collect();
    Ok(php_json(StatusCode::OK, &json!({ "stores": stores })))
}

#[derive(Deserialize)]
struct StoreQuery {
    store_id: Option<String>,
    date: Option<String>,
}

async fn areas(
    State(s): State<Arc<SimState>>,
    headers: HeaderMap,
    Query(q): Query<StoreQuery>,
) -> Result<Response, Response> {
    authorize(&s, &headers)?;
    let world = s.world.lock().unwrap();
    let areas: Vec<_> = world
        .areas
        .iter()
        .filter(|a| q.store_id.as_deref().is_none_or(|id| id == a.store_id))
        .map(|a| json!({ "area_id": a.id, "store_id": a.store_id, "area_name": a.name, "sort": a.sort }))
        .collect();
    Ok(php_json(StatusCode::OK, &json!({ "areas": areas })))
}

async fn reservations(
    State(s): State<Arc<SimState>>,
    headers: HeaderMap,
    Query(q): Query<StoreQuery>,
) -> Result<Response, Response> {
    authorize(&s, &headers)?;
    let day = match q.date.as_deref() {
        None => start_of_day_jst(s.clock.now_unix()),
        Some(d) => match chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d") {
            Ok(date) => date
                .and_hms_opt(0, 0, 0)
                .and_then(|t| t.and_local_timezone(jst()).single())
                .map(|t| t.timestamp())
                .unwrap_or_default(),
            Err(_) => return Err(message(StatusCode::BAD_REQUEST, "date must be YYYY-MM-DD")),
        },
    };
    let fmt = |t: i64| {
        chrono::DateTime::from_timestamp(t, 0)
            .map(|d| d.with_timezone(&jst()).to_rfc3339())
            .unwrap_or_default()
    };
    let world = s.world.lock().unwrap();
    let list: Vec<_> = world
        .guests
        .iter()
        .filter(|g| q.store_id.as_deref().is_none_or(|id| id == g.store_id))
        .filter(|g| g.starts_at < day + 86_400 && g.ends_at > day)
        .map(|g| {
            json!({
                "reservation_id": g.id, "store_id": g.store_id, "reservation_code": g.booking_code,
                "customer_name": g.name, "customer_name_kana": g.name_kana, "tel": g.phone,
                "start_at": g.raw_start_at.clone().unwrap_or_else(|| fmt(g.starts_at)), "end_at": fmt(g.ends_at), "area_ids": g.area_ids,
            })
        })
        .collect();
    Ok(php_json(StatusCode::OK, &json!({ "reservations": list })))
}

pub use crate::world::reservation::ReportedVisit;

async fn report_visit(
    State(s): State<Arc<SimState>>,
    headers: HeaderMap,
    body: String,
) -> Result<Response, Response> {
    authorize(&s, &headers)?;
    let json_type = headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if !json_type {
        return Err(message(StatusCode::UNSUPPORTED_MEDIA_TYPE, "Content-Type must be application/json"));
    }
    if !body.is_ascii() {
        return Err(message(StatusCode::BAD_REQUEST, "Japanese text must be escaped as \\uNNNN"));
    }
    let v: serde_json::Value = serde_json::from_str(&body)
        .map_err(|_| message(StatusCode::BAD_REQUEST, "request body is not JSON"))?;
    if v.get("end_at").is_some() || v.get("area_ids").is_some() {
        return stay::change(&s, &v);
    }
    let field = |k: &str| v.get(k).and_then(|x| x.as_str()).unwrap_or("").to_string();
    let (id, status) = (field("reservation_id"), field("visit_status"));
    if !matches!(status.as_str(), "checked_in" | "checked_out") {
        return Err(message(StatusCode::BAD_REQUEST, "visit_status must be checked_in or checked_out"));
    }
    let mut world = s.world.lock().unwrap();
    if !world.guests.iter().any(|g| g.id == id) {
        return Err(message(StatusCode::NOT_FOUND, "reservation not found"));
    }
    world.visits.push(ReportedVisit {
        reservation_id: id,
        visit_status: status,
        staff_name: field("staff_name"),
        raw_body: body,
    });
    Ok(php_json(StatusCode::OK, &json!({ "result": "ok" })))
}
