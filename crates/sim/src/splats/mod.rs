//! The SPLATS access-control API (`/splats/v1/...`), as docs/reference/splats-api.md
//! and the SPLATS use cases (docs/reference/vendor-documents.md) describe it, with the
//! inferred parts listed in docs/splats.md.
//!
//! Every call needs `Authorization: Bearer <token>` (401 otherwise) and is counted per
//! token in a fixed window: 180 device-status calls and 720 others (429 with
//! `X-Rate-Limit-*` headers past that). Errors are `{message, error_code,
//! error_detail}`. Lists page with `limit` and an opaque `last_evaluated_key` that
//! is refused if the other parameters changed. Bulk member requests progress over
//! time, one after another; guests vanish a week after their `use_date_end`.

mod face;
mod keys;

pub use crate::world::splats::{otqr, Reject};

use crate::state::SimState;
use crate::world::splats::{self as world, Apply, BulkJob};
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, Query, Request, State};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use base64::Engine;
use serde_json::{json, Value};
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

pub use crate::world::splats::{SplatsWorld, DEMO_LICENSE_KEY, DEMO_TOKEN};

const MAX_BULK_BODY: usize = 4 * 1024 * 1024;

type Reply = Result<Response, Reject>;

fn ok(v: Value) -> Reply {
    Ok(Json(v).into_response())
}

pub fn router(state: Arc<SimState>) -> Router<Arc<SimState>> {
    Router::new()
        .route("/v1/areas", get(areas))
        .route("/v1/membergroups", get(membergroups))
        .route("/v1/devices/passes", get(passes))
        .route("/v1/devices/passes/{id}/status", get(pass_status))
        .route("/v1/devices/passes/{id}/requests", post(pass_request))
        .route("/v1/devices/keys", get(keys::list))
        .route("/v1/devices/keys/{id}/status", get(keys::status))
        .route("/v1/devices/devices/keys/{id}/status", get(keys::status))
        .route("/v1/members", get(list_members).post(create_member))
        .route("/v1/members/bulk", post(bulk))
        .route("/v1/members/{id}", get(get_member).put(update_member).delete(delete_member))
        .route("/v1/members/{id}/one_time_qr", post(one_time_qr))
        .route("/v1/members/{id}/temporary_use", put(keys::temporary_use))
        .route("/v1/members/{id}/face", post(face::register).delete(face::delete))
        .route("/v1/guests", post(create_guest))
        .route("/v1/guests/{id}", get(get_guest).delete(delete_guest))
        .route("/v1/histories", get(histories))
        .route("/v1/requests/{id}", get(request_result))
        .layer(DefaultBodyLimit::max(4 * MAX_BULK_BODY))
        .layer(axum::middleware::from_fn_with_state(state, gate))
}

/// Auth, rate limits and the passage of time, before every call.
async fn gate(State(s): State<Arc<SimState>>, req: Request, next: Next) -> Response {
    let token = req
        .headers()
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or_default()
        .to_string();
    let path = req.uri().path().to_string();
    let is_status = path.starts_with("/v1/devices/") && path.ends_with("/status");
    let now_ms =
        s.clock.now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0);
    let (limit, remaining) = {
        let mut world = s.world.lock().unwrap();
        let w = &mut world.splats;
        w.tick(now_ms);
        if !w.tokens.contains(&token) {
            return Reject::new(401, "40101", "アクセストークンが不正です").into_response();
        }
        w.calls.push(format!("{} {}", req.method(), path));
        let limits = w.limits;
        let limit = if is_status { limits.status_per_window } else { limits.other_per_window };
        let now = now_ms.div_euclid(1000);
        let slot = w.usage.entry((token, is_status)).or_insert((now, 0));
        if now - slot.0 >= limits.window_secs {
            *slot = (now, 0);
        }
        if limits.enabled && slot.1 >= limit {
            let reset = (slot.0 + limits.window_secs - now).max(1);
            let mut r = Reject::new(429, "42901", "リクエスト数が上限を超えました").into_response();
            let h = r.headers_mut();
            h.insert("x-rate-limit-limit", HeaderValue::from(limit));
            h.insert("x-rate-limit-remaining", HeaderValue::from(0));
            h.insert("x-rate-limit-reset", HeaderValue::from(reset));
            return r;
        }
        slot.1 += 1;
        (limit, limit.saturating_sub(slot.1))
    };
    let mut r = next.run(req).await;
    r.headers_mut().insert("x-rate-limit-limit", HeaderValue::from(limit));
    r.headers_mut().insert("x-rate-limit-remaining", HeaderValue::from(remaining));
    r
}

fn now(s: &SimState) -> i64 {
    s.clock.now_unix()
}

fn now_ms(s: &SimState) -> i64 {
    s.clock.now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0)
}

fn body_json(body: &Bytes) -> Result<Value, Reject> {
    serde_json::from_slice(body).map_err(|_| Reject::bad("リクエストボディが JSON ではありません"))
}

/// What a tenant without SPLATS PASS is told (inferred: the reference does not say).
fn no_pass(s: &SimState) -> Result<(), Reject> {
    if s.world.lock().unwrap().splats.no_pass {
        return Err(Reject::new(403, "40300", "SPLATS PASS のご契約がありません"));
    }
    Ok(())
}

async fn areas(State(s): State<Arc<SimState>>, Query(q): Query<HashMap<String, String>>) -> Reply {
    no_pass(&s)?;
    let items = s.world.lock().unwrap().splats.areas.iter().map(|a| json!(a)).collect();
    paged(&q, "areas", items)
}

async fn membergroups(State(s): State<Arc<SimState>>, Query(q): Query<HashMap<String, String>>) -> Reply {
    let items = s.world.lock().unwrap().splats.membergroups.iter().map(|g| json!(g)).collect();
    paged(&q, "membergroups", items)
}

async fn passes(State(s): State<Arc<SimState>>, Query(q): Query<HashMap<String, String>>) -> Reply {
    no_pass(&s)?;
    let w = s.world.lock().unwrap();
    let items = w
        .splats
        .passes
        .iter()
        .map(|p| json!({ "device_id": p.device_id, "device_name": p.device_name, "area_id": p.area_id }))
        .collect();
    paged(&q, "devices", items)
}

/// One page of a data-list API, as the vendor's page says every one answers: at most
/// `limit` items (100 by default) and a `last_evaluated_key` while more follow.
pub(crate) fn paged(q: &HashMap<String, String>, key: &str, items: Vec<Value>) -> Reply {
    let p = paging(q)?;
    let from = p.after.as_ref().and_then(|a| a["last"].as_u64()).map_or(0, |i| i as usize + 1);
    let page: Vec<Value> = items.iter().skip(from).take(p.limit).cloned().collect();
    let mut body = json!({ key: page });
    if from + page.len() < items.len() {
        body["last_evaluated_key"] = next_key(&p, json!(from + page.len() - 1)).into();
    }
    ok(body)
}

async fn pass_status(State(s): State<Arc<SimState>>, Path(id): Path<String>) -> Reply {
    let w = s.world.lock().unwrap();
    let p = w
        .splats
        .passes
        .iter()
        .find(|p| p.device_id == id)
        .ok_or_else(|| Reject::new(404, "40403", "デバイスが存在しません"))?;
    ok(json!({
        "device_id": p.device_id,
        "online": p.online,
        "door": if p.door_open { "open" } else { "closed" },
        "lock": if p.locked { "locked" } else { "unlocked" },
        "error": Value::Null,
        "updated_at": world::iso(now(&s)),
    }))
}

/// Extended API: a pass-controller operation. Needs the `License-Key`; `unlock` and
/// (inferred) `lock` move the simulated door; anything else is refused.
async fn pass_request(
    State(s): State<Arc<SimState>>,
    Path(id): Path<String>,
    headers: axum::http::HeaderMap,
    body: Bytes,
) -> Reply {
    if headers.get("License-Key").and_then(|v| v.to_str().ok()) != Some(DEMO_LICENSE_KEY) {
        return Err(Reject::new(403, "40301", "拡張版APIのライセンスキーが正しくありません"));
    }
    let body = body_json(&body)?;
    if body["tag"] != "lock_operation" {
        return Err(Reject::bad("tag は lock_operation にしてください"));
    }
    let locked = match body["control"].as_str() {
        Some("unlock") => false,
        Some("lock") => true,
        _ => return Err(Reject::bad("control が正しくありません")),
    };
    let mut w = s.world.lock().unwrap();
    let p = w
        .splats
        .passes
        .iter_mut()
        .find(|p| p.device_id == id)
        .ok_or_else(|| Reject::new(404, "40403", "デバイスが存在しません"))?;
    if !p.online {
        return Err(Reject::new(503, "50301", "デバイスがオフラインです"));
    }
    p.locked = locked;
    ok(json!({ "device_id": id, "result": "accepted" }))
}

/// `limit` (1..=1000, default 100) and an opaque key bound to the other parameters.
struct Paging {
    limit: usize,
    after: Option<Value>,
    fingerprint: String,
}

fn paging(q: &HashMap<String, String>) -> Result<Paging, Reject> {
    let limit = match q.get("limit") {
        None => 100,
        Some(l) => l
            .parse::<usize>()
            .ok()
            .filter(|l| (1..=1000).contains(l))
            .ok_or_else(|| Reject::bad("limit は1〜1000にしてください"))?,
    };
    let rest: BTreeMap<&String, &String> =
        q.iter().filter(|(k, _)| k.as_str() != "last_evaluated_key").collect();
    let fingerprint = format!("{rest:?}");
    let after = match q.get("last_evaluated_key") {
        None => None,
        Some(k) => {
            let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(k)
                .map_err(|_| Reject::bad("last_evaluated_key が不正です"))?;
            let v: Value =
                serde_json::from_slice(&bytes).map_err(|_| Reject::bad("last_evaluated_key が不正です"))?;
            if v["q"].as_str() != Some(fingerprint.as_str()) {
                return Err(Reject::bad("last_evaluated_key と他のパラメーターが一致しません"));
            }
            Some(v)
        }
    };
    Ok(Paging { limit, after, fingerprint })
}

fn next_key(p: &Paging, last: Value) -> String {
    let v = json!({ "last": last, "q": p.fingerprint });
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string())
}

async fn list_members(State(s): State<Arc<SimState>>, Query(q): Query<HashMap<String, String>>) -> Reply {
    let p = paging(&q)?;
    let w = s.world.lock().unwrap();
    let after = p.after.as_ref().and_then(|a| a["last"].as_str()).map(String::from);
    let mut items = w.splats.members.values().filter(|m| after.as_ref().is_none_or(|a| &m.member_id > a));
    let page: Vec<_> = items.by_ref().take(p.limit).collect();
    let mut body = json!({ "members": page.iter().map(|m| m.to_json()).collect::<Vec<_>>() });
    if items.next().is_some() {
        body["last_evaluated_key"] = next_key(&p, json!(page.last().map(|m| m.member_id.clone()))).into();
    }
    ok(body)
}

async fn create_member(State(s): State<Arc<SimState>>, body: Bytes) -> Reply {
    let body = body_json(&body)?;
    let mut world = s.world.lock().unwrap();
    let m = world.splats.member_from(&body, None)?;
    let out = m.to_json();
    world.splats.members.insert(m.member_id.clone(), m);
    Ok((StatusCode::CREATED, Json(out)).into_response())
}

fn not_found_member() -> Reject {
    Reject::new(404, "40404", "メンバーが存在しません")
}

async fn get_member(State(s): State<Arc<SimState>>, Path(id): Path<String>) -> Reply {
    let w = s.world.lock().unwrap();
    ok(w.splats.members.get(&id).ok_or_else(not_found_member)?.to_json())
}

async fn update_member(State(s): State<Arc<SimState>>, Path(id): Path<String>, body: Bytes) -> Reply {
    let body = body_json(&body)?;
    let mut world = s.world.lock().unwrap();
    let existing = world.splats.members.get(&id).cloned().ok_or_else(not_found_member)?;
    let m = world.splats.member_from(&body, Some(&existing))?;
    let out = m.to_json();
    world.splats.members.insert(id, m);
    ok(out)
}

async fn delete_member(State(s): State<Arc<SimState>>, Path(id): Path<String>) -> Reply {
    let mut world = s.world.lock().unwrap();
    world.splats.members.remove(&id).ok_or_else(not_found_member)?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

async fn one_time_qr(State(s): State<Arc<SimState>>, Path(id): Path<String>) -> Reply {
    let t = now(&s);
    let w = s.world.lock().unwrap();
    let m = w.splats.members.get(&id).ok_or_else(not_found_member)?;
    let o = m
        .otqr
        .as_ref()
        .filter(|o| o.enabled)
        .ok_or_else(|| Reject::new(400, "40003", "ワンタイムQRが有効になっていません"))?;
    let code = o.code(t);
    ok(json!({
        "member_id": m.member_id,
        "one_time_qr_data": otqr::payload(&m.qr_data, &code),
        "version": "1",
        "expiration_in_seconds": i64::from(o.timestep) - t.rem_euclid(i64::from(o.timestep)),
    }))
}

async fn create_guest(State(s): State<Arc<SimState>>, body: Bytes) -> Reply {
    let body = body_json(&body)?;
    let mut world = s.world.lock().unwrap();
    let g = world.splats.guest_from(&body)?;
    let out = g.to_json();
    world.splats.guests.insert(g.guest_id.clone(), g);
    Ok((StatusCode::CREATED, Json(out)).into_response())
}

async fn get_guest(State(s): State<Arc<SimState>>, Path(id): Path<String>) -> Reply {
    let w = s.world.lock().unwrap();
    ok(w.splats.guests.get(&id).ok_or_else(|| Reject::new(404, "40405", "ゲストが存在しません"))?.to_json())
}

async fn delete_guest(State(s): State<Arc<SimState>>, Path(id): Path<String>) -> Reply {
    let mut w = s.world.lock().unwrap();
    w.splats.guests.remove(&id).ok_or_else(|| Reject::new(404, "40405", "ゲストが存在しません"))?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// The period parameters the client sends by default (docs/splats.md).
pub const SINCE_PARAM: &str = "start_datetime";
pub const UNTIL_PARAM: &str = "end_datetime";

async fn histories(State(s): State<Arc<SimState>>, Query(q): Query<HashMap<String, String>>) -> Reply {
    let p = paging(&q)?;
    let since = q.get(SINCE_PARAM).map(|v| world::parse_iso(SINCE_PARAM, v)).transpose()?;
    let until = q.get(UNTIL_PARAM).map(|v| world::parse_iso(UNTIL_PARAM, v)).transpose()?;
    let after = p
        .after
        .as_ref()
        .map(|a| (a["last"]["at"].as_i64().unwrap_or(0), a["last"]["id"].as_str().unwrap_or("").to_string()));
    let mut w = s.world.lock().unwrap();
    let repeat = match q.get("last_evaluated_key") {
        Some(k) if w.splats.repeat_history_keys > 0 => {
            w.splats.repeat_history_keys -= 1;
            Some(k.clone())
        }
        _ => None,
    };
    let mut items = w.splats.histories.iter().filter(|h| {
        since.is_none_or(|t| h.at >= t)
            && until.is_none_or(|t| h.at <= t)
            && after.as_ref().is_none_or(|(at, id)| (h.at, &h.history_id) > (*at, id))
    });
    let page: Vec<_> = items.by_ref().take(p.limit).collect();
    let mut body = json!({ "histories": page.iter().map(|h| h.to_json()).collect::<Vec<_>>() });
    if items.next().is_some() {
        let last = page.last().map(|h| json!({ "at": h.at, "id": h.history_id })).unwrap_or_default();
        body["last_evaluated_key"] = next_key(&p, last).into();
    }
    if let Some(k) = repeat {
        body["last_evaluated_key"] = k.into();
    }
    ok(body)
}

async fn bulk(State(s): State<Arc<SimState>>, body: Bytes) -> Reply {
    if body.len() > MAX_BULK_BODY {
        return Ok(
            (StatusCode::PAYLOAD_TOO_LARGE, Json(json!({ "message": "Request Too Long" }))).into_response()
        );
    }
    let body = body_json(&body)?;
    let tag = body.get("tag").and_then(Value::as_str).unwrap_or_default().to_string();
    let members = body.get("members").and_then(Value::as_array).cloned().unwrap_or_default();
    if !matches!(tag.as_str(), "create" | "update" | "delete") {
        return Err(Reject::bad("tag は create / update / delete のいずれかにしてください"));
    }
    if members.is_empty() || members.len() > 1000 {
        return Err(Reject::bad("members は1〜1000人にしてください"));
    }
    let mut world = s.world.lock().unwrap();
    let w = &mut world.splats;
    let mut pending: Vec<world::SMember> = w
        .jobs
        .iter()
        .filter(|j| !j.applied)
        .flat_map(|j| {
            j.results.iter().filter_map(|(_, a)| match a {
                Some(Apply::Upsert(m)) => Some(m.as_ref().clone()),
                _ => None,
            })
        })
        .collect();
    let results = members.iter().map(|m| bulk_one(w, &tag, m, &mut pending)).collect::<Vec<_>>();
    let start_ms = w.jobs.last().map(|j| j.end_ms).unwrap_or(0).max(now_ms(&s));
    let per_sec = i64::from(w.bulk_members_per_sec.max(1));
    let end_ms = start_ms + (results.len() as i64 * 1000 + per_sec - 1) / per_sec;
    let fail_at = std::mem::take(&mut w.fail_next_bulk).then_some(results.len() / 2);
    let request_id = w.next_id("req");
    w.jobs.push(BulkJob {
        request_id: request_id.clone(),
        tag,
        start_ms,
        end_ms,
        results,
        fail_at,
        applied: false,
    });
    Ok((StatusCode::ACCEPTED, Json(json!({ "request_id": request_id }))).into_response())
}

/// Decides one member's fate when the request is accepted; it takes effect when the
/// job reaches it. Codes and names already used earlier in the same request conflict.
fn bulk_one(
    w: &mut SplatsWorld,
    tag: &str,
    m: &Value,
    pending: &mut Vec<world::SMember>,
) -> (Value, Option<Apply>) {
    let name = m.get("member_name").and_then(Value::as_str).map(String::from);
    let fail = |r: Reject, name: Option<String>| {
        (
            json!({ "member_name": name, "status": "failed", "error": { "error_code": r.code, "error_detail": r.detail } }),
            None,
        )
    };
    match tag {
        "create" => {
            if let Some(code) = m.get("member_code").and_then(Value::as_str) {
                if pending.iter().any(|p| p.member_code.as_deref() == Some(code)) {
                    return fail(
                        Reject::new(409, "40901", "入力されたメンバーコードはすでに登録されています"),
                        name,
                    );
                }
            }
            match w.member_from(m, None) {
                Ok(member) => {
                    let r = json!({ "member_id": member.member_id, "member_name": member.member_name, "status": "succeeded" });
                    pending.push(member.clone());
                    (r, Some(Apply::Upsert(Box::new(member))))
                }
                Err(e) => fail(e, name),
            }
        }
        _ => {
            let id = m.get("member_id").and_then(Value::as_str).unwrap_or_default().to_string();
            let Some(existing) = w.members.get(&id).cloned() else { return fail(not_found_member(), name) };
            let name = Some(existing.member_name.clone());
            if tag == "delete" {
                return (
                    json!({ "member_id": id, "member_name": name, "status": "succeeded" }),
                    Some(Apply::Delete(id)),
                );
            }
            match w.member_from(m, Some(&existing)) {
                Ok(member) => (
                    json!({ "member_id": id, "member_name": member.member_name, "status": "succeeded" }),
                    Some(Apply::Upsert(Box::new(member))),
                ),
                Err(e) => fail(e, name),
            }
        }
    }
}

/// A bulk job's or a face registration's progress. What it reports done is applied
/// first, at the same instant: a job must never read "completed" while its members are
/// not yet changed (the gate's tick ran a moment earlier, and a 2-ms job finishes in
/// between often).
async fn request_result(State(s): State<Arc<SimState>>, Path(id): Path<String>) -> Reply {
    let t = now_ms(&s);
    let mut w = s.world.lock().unwrap();
    w.splats.tick(t);
    if let Some(job) = w.splats.face_jobs.iter().find(|j| j.request_id == id) {
        return ok(job.to_json(t));
    }
    let job = w
        .splats
        .jobs
        .iter()
        .find(|j| j.request_id == id)
        .ok_or_else(|| Reject::new(404, "40406", "リクエストが存在しません"))?;
    ok(job.to_json(t, w.splats.bulk_members_per_sec))
}
