//! A stay changed at the counter: `PUT api/v1/reservations.php` with the booking's new
//! `start_at`, `end_at` (ISO 8601 with an offset) and `area_ids`. Strict where a real
//! booking system must be: a room booked by someone else in the new window (and not
//! already shared in the old one) is a 409
//! naming that booking's start, and the change is all or nothing.

use crate::json::{message, php_json};
use crate::state::SimState;
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{json, Value};

pub fn change(s: &SimState, v: &Value) -> Result<Response, Response> {
    let text = |k: &str| v.get(k).and_then(|x| x.as_str()).map(str::to_string);
    let time = |k: &str| match text(k) {
        Some(t) => chrono::DateTime::parse_from_rfc3339(&t)
            .map(|d| Some(d.timestamp()))
            .map_err(|_| message(StatusCode::BAD_REQUEST, &format!("{k} must be an ISO 8601 date-time"))),
        None => Ok(None),
    };
    let id = text("reservation_id").unwrap_or_default();
    let (start, end) = (time("start_at")?, time("end_at")?);
    let areas: Option<Vec<String>> = v
        .get("area_ids")
        .and_then(|a| a.as_array())
        .map(|a| a.iter().map(|x| x.as_str().map(String::from).unwrap_or_else(|| x.to_string())).collect());
    let mut world = s.world.lock().unwrap();
    let Some(current) = world.guests.iter().find(|g| g.id == id).cloned() else {
        return Err(message(StatusCode::NOT_FOUND, "reservation not found"));
    };
    let (start, end) = (start.unwrap_or(current.starts_at), end.unwrap_or(current.ends_at));
    let areas = areas.unwrap_or(current.area_ids.clone());
    if end <= start {
        return Err(message(StatusCode::BAD_REQUEST, "end_at must be after start_at"));
    }
    if let Some(a) =
        areas.iter().find(|a| !world.areas.iter().any(|x| &x.id == *a && x.store_id == current.store_id))
    {
        return Err(message(StatusCode::BAD_REQUEST, &format!("area {a} is not in this store")));
    }
    // Only clashes the change makes: someone already sharing a kept room stays allowed.
    let overlaps =
        |g: &crate::world::SimGuest, from: i64, until: i64| g.starts_at < until && g.ends_at > from;
    let clash = world.guests.iter().filter(|g| g.id != id && overlaps(g, start, end)).find(|g| {
        g.area_ids.iter().any(|a| {
            let kept = current.area_ids.contains(a);
            areas.contains(a) && !(kept && overlaps(g, current.starts_at, current.ends_at))
        })
    });
    if let Some(other) = clash {
        let from = chrono::DateTime::from_timestamp(other.starts_at, 0)
            .map(|d| d.with_timezone(&crate::seed::jst()).to_rfc3339())
            .unwrap_or_default();
        return Err(php_json(
            StatusCode::CONFLICT,
            &json!({ "message": "the area is booked", "conflict": { "reservation_id": other.id, "start_at": from } }),
        ));
    }
    let g = world.guests.iter_mut().find(|g| g.id == id).expect("found above");
    (g.starts_at, g.ends_at, g.area_ids) = (start, end, areas);
    Ok(php_json(StatusCode::OK, &json!({ "result": "ok" })))
}
