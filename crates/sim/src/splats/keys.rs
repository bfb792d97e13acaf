//! SPLATS KEY: key boxes, their units, and a member's temporary use of a key.

use super::{body_json, not_found_member, ok, Reply};
use crate::state::SimState;
use crate::world::splats::Reject;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::Arc;

pub async fn list(State(s): State<Arc<SimState>>, Query(q): Query<HashMap<String, String>>) -> Reply {
    let items = s.world.lock().unwrap().splats.keys.iter().map(|k| json!(k)).collect();
    super::paged(&q, "devices", items)
}

pub async fn status(State(s): State<Arc<SimState>>, Path(id): Path<String>) -> Reply {
    let w = s.world.lock().unwrap();
    let k = w
        .splats
        .keys
        .iter()
        .find(|k| k.device_id == id)
        .ok_or_else(|| Reject::new(404, "40403", "デバイスが存在しません"))?;
    let units: Vec<Value> = k
        .unit_nos()
        .into_iter()
        .map(|n| json!({ "key": if k.taken.contains(&n) { "taken" } else { "stored" }, "unit_no": n }))
        .collect();
    ok(json!({ "device_id": k.device_id, "online": true, "units": units }))
}

/// A member may use keys for `timer` seconds; with `device_action` the box opens now
/// and the guest takes them (the units then read "taken"). Unknown units are refused.
pub async fn temporary_use(State(s): State<Arc<SimState>>, Path(id): Path<String>, body: Bytes) -> Reply {
    let body = body_json(&body)?;
    let timer = body.get("timer").and_then(Value::as_u64).ok_or_else(|| Reject::bad("timer は必須です"))?;
    if !(1..=86_400).contains(&timer) || body.get("target").and_then(Value::as_str) != Some("key") {
        return Err(Reject::bad("target は key、timer は1〜86400秒にしてください"));
    }
    let mut world = s.world.lock().unwrap();
    if !world.splats.members.contains_key(&id) {
        return Err(not_found_member());
    }
    let mut take = Vec::new();
    for t in body.get("targets_list").and_then(Value::as_array).into_iter().flatten() {
        let id = t.get("device_id").and_then(Value::as_str).unwrap_or_default();
        let k = world
            .splats
            .keys
            .iter()
            .position(|k| k.device_id == id)
            .ok_or_else(|| Reject::new(404, "40403", "デバイスが存在しません"))?;
        for unit in t.get("unit_no_list").and_then(Value::as_array).into_iter().flatten() {
            let unit = unit.as_str().unwrap_or_default().to_string();
            if !world.splats.keys[k].unit_nos().contains(&unit) {
                return Err(Reject::bad(&format!("unit_no {unit} が存在しません")));
            }
            take.push((k, unit));
        }
    }
    if body.get("device_action").and_then(Value::as_bool) == Some(true) {
        for (k, unit) in take {
            world.splats.keys[k].taken.insert(unit);
        }
    }
    let m = world.splats.members.get_mut(&id).ok_or_else(not_found_member)?;
    m.temporary_use = Some(body);
    ok(json!({ "member_id": id }))
}
