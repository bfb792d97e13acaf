//! The SESAME cloud Web API, as `docs/reference/sesame-web-api.md` §7 describes it.
//!
//! - `GET  /sesame/api/sesame2/{uuid}` → the status shadow
//! - `GET  /sesame/api/sesame2/{uuid}/history?page=&lg=` → newest first, 50 per page,
//!   the first `lg` of page `page` (the doc's semantics)
//! - `POST /sesame/api/sesame2/{uuid}/cmd` ← `{cmd, history, sign}`, with or without a
//!   Content-Type header
//!
//! `x-api-key` is required (403 `{"message":"Forbidden"}` otherwise) and every call
//! counts against the key's monthly quota (429 `Limit Exceeded`). The signature is
//! verified with this module's own AES-CMAC, independent of the client's, over the
//! simulator clock, accepting the 256-s windows k-1..k+1. In strict mode a bad sign is
//! 401; in realistic mode it is 200 and the lock does not move, as the real cloud does.

use crate::json::message;
use crate::state::SimState;
use aes::Aes128;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use base64::Engine;
use cmac::{Cmac, Mac};
use serde::Deserialize;
use serde_json::json;
use std::sync::Arc;
use std::time::Duration;

pub use crate::world::sesame::{HistoryRecord, SesameWorld, SimDevice, DEMO_API_KEY};

pub fn router() -> Router<Arc<SimState>> {
    Router::new()
        .route("/api/sesame2", get(|| async { message(StatusCode::FORBIDDEN, "Forbidden") }))
        .route("/api/sesame2/{uuid}", get(status))
        .route("/api/sesame2/{uuid}/history", get(history))
        .route("/api/sesame2/{uuid}/cmd", post(command))
}

/// API key, quota and device lookup, in the order the real gateway would apply them.
fn admit(state: &SimState, headers: &HeaderMap, uuid: &str) -> Result<String, Response> {
    let key = headers.get("x-api-key").and_then(|v| v.to_str().ok()).unwrap_or("");
    let mut world = state.world.lock().unwrap();
    let s = &mut world.sesame;
    if !s.api_keys.contains(key) {
        return Err(message(StatusCode::FORBIDDEN, "Forbidden"));
    }
    let used = s.calls.entry(key.to_string()).or_insert(0);
    *used += 1;
    if s.monthly_quota.is_some_and(|q| *used > q) {
        return Err(message(StatusCode::TOO_MANY_REQUESTS, "Limit Exceeded"));
    }
    match s.device(uuid) {
        Some(d) => Ok(d.uuid.clone()),
        None => Err(message(StatusCode::NOT_FOUND, "device not found")),
    }
}

async fn status(
    State(state): State<Arc<SimState>>,
    headers: HeaderMap,
    Path(uuid): Path<String>,
) -> Response {
    let uuid = match admit(&state, &headers, &uuid) {
        Ok(u) => u,
        Err(r) => return r,
    };
    let world = state.world.lock().unwrap();
    let d = world.sesame.device(&uuid).expect("admitted");
    Json(json!({
        "batteryPercentage": d.battery,
        "batteryVoltage": 5.8 + d.battery as f64 / 250.0,
        "position": d.position,
        "CHSesame2Status": d.state,
        "timestamp": d.timestamp,
        "wm2State": d.wm2,
    }))
    .into_response()
}

#[derive(Deserialize)]
struct HistoryQuery {
    page: Option<usize>,
    lg: Option<usize>,
}

async fn history(
    State(state): State<Arc<SimState>>,
    headers: HeaderMap,
    Path(uuid): Path<String>,
    Query(q): Query<HistoryQuery>,
) -> Response {
    let uuid = match admit(&state, &headers, &uuid) {
        Ok(u) => u,
        Err(r) => return r,
    };
    let world = state.world.lock().unwrap();
    let d = world.sesame.device(&uuid).expect("admitted");
    let (page, lg) = (q.page.unwrap_or(0), q.lg.unwrap_or(50).clamp(1, 50));
    let newest_first: Vec<_> = d.history.iter().rev().skip(page * 50).take(lg).cloned().collect();
    Json(newest_first).into_response()
}

/// AES-128-CMAC over the 3 middle bytes of the LE time, as the lock checks it.
pub fn expected_sign(secret: &[u8; 16], unix_secs: u32) -> String {
    let le = unix_secs.to_le_bytes();
    let mut mac = <Cmac<Aes128> as Mac>::new_from_slice(secret).expect("16-byte key");
    mac.update(&le[1..4]);
    hex::encode(mac.finalize().into_bytes())
}

/// Whether `sign` is valid now or in the neighbouring 256-s window on either side.
fn sign_ok(secret: &[u8; 16], sign: &str, now: i64) -> bool {
    let window = now.max(0) >> 8;
    (-1..=1).any(|d| {
        let t = ((window + d).max(0) << 8).min(u32::MAX as i64) as u32;
        expected_sign(secret, t) == sign.to_ascii_lowercase()
    })
}

#[derive(Deserialize)]
struct CommandBody {
    cmd: serde_json::Value,
    history: Option<String>,
    sign: Option<String>,
}

/// Parses and checks a body the way the cloud would, or says what is wrong (502, as the
/// real service answers malformed parameters).
fn parse_command(body: &[u8]) -> Result<(i64, Option<String>, String), Response> {
    let bad = |m: &str| message(StatusCode::BAD_GATEWAY, m);
    let b: CommandBody = serde_json::from_slice(body).map_err(|_| bad("body is not JSON"))?;
    let cmd = b.cmd.as_i64().ok_or_else(|| bad("cmd must be an integer"))?;
    if let Some(h) = &b.history {
        let bytes =
            base64::engine::general_purpose::STANDARD.decode(h).map_err(|_| bad("history must be base64"))?;
        if bytes.len() > 21 {
            return Err(bad("history tag longer than 21 bytes"));
        }
    }
    let sign = b.sign.ok_or_else(|| bad("sign is missing"))?;
    if sign.len() != 32 || !sign.chars().all(|c| c.is_ascii_hexdigit()) {
        return Err(bad("sign must be 32 hex characters"));
    }
    Ok((cmd, b.history, sign))
}

async fn command(
    State(state): State<Arc<SimState>>,
    headers: HeaderMap,
    Path(uuid): Path<String>,
    body: Bytes,
) -> Response {
    let uuid = match admit(&state, &headers, &uuid) {
        Ok(u) => u,
        Err(r) => return r,
    };
    state.world.lock().unwrap().sesame.commands_received += 1;
    let (cmd, tag, sign) = match parse_command(&body) {
        Ok(c) => c,
        Err(r) => return r,
    };
    let now = state.clock.now_unix();
    let lag = {
        let mut world = state.world.lock().unwrap();
        let strict = world.sesame.strict;
        let d = world.sesame.device_mut(&uuid).expect("admitted");
        if !d.wm2 {
            return message(StatusCode::NOT_FOUND, "Wi-Fi module is not connected");
        }
        if !sign_ok(&d.secret, &sign, now) {
            return if strict {
                message(StatusCode::UNAUTHORIZED, "invalid sign")
            } else {
                StatusCode::OK.into_response()
            };
        }
        if d.drop_next > 0 {
            d.drop_next -= 1;
            return StatusCode::OK.into_response();
        }
        d.lag_ms
    };
    let apply_state = state.clone();
    let apply = move || apply_command(&apply_state, &uuid, cmd, tag);
    if lag == 0 {
        apply();
    } else {
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(lag)).await;
            apply();
        });
    }
    StatusCode::OK.into_response()
}

/// The lock moves and writes its history: 82 lock, 83 unlock, 88 toggle, 89 click.
fn apply_command(state: &SimState, uuid: &str, cmd: i64, tag: Option<String>) {
    let now = state.clock.now_unix();
    let mut world = state.world.lock().unwrap();
    let Some(d) = world.sesame.device_mut(uuid) else { return };
    let (new_state, kind) = match cmd {
        82 => ("locked", 16),
        83 => ("unlocked", 17),
        88 if d.state == "unlocked" => ("locked", 16),
        88 => ("unlocked", 17),
        89 => (d.state.as_str(), 18),
        _ => return,
    };
    d.state = new_state.to_string();
    d.position = if d.state == "locked" { 0 } else { 256 };
    d.timestamp = now;
    d.history.push(HistoryRecord {
        kind,
        time_stamp: now as f64,
        history_tag: tag,
        record_id: d.next_record,
        parameter: None,
    });
    d.next_record += 1;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verifier_agrees_with_the_reference_vectors() {
        let k: [u8; 16] = hex::decode("a13d4b890111676ba8fb36ece7e94f7d").unwrap().try_into().unwrap();
        assert_eq!(expected_sign(&k, 1700000000), "a53566abe6f6b507fe360a46a9869840");
        assert!(sign_ok(&k, "a53566abe6f6b507fe360a46a9869840", 1700000100));
        assert!(sign_ok(&k, "A53566ABE6F6B507FE360A46A9869840", 1700000300), "next window still accepted");
        assert!(
            !sign_ok(&k, "a53566abe6f6b507fe360a46a9869840", 1700000000 + 3 * 256),
            "three windows later"
        );
        let k2: [u8; 16] = hex::decode("2ebc2c087c1501480834538ff72139bc").unwrap().try_into().unwrap();
        for wrong in [
            "667fff5abed9da5e43cefc5c76f0ce6e",
            "bec21086150b684f3add568c23cfa7c1",
            "655bd4bc361d907faf8bdcf7a465e3b0",
        ] {
            assert!(!sign_ok(&k2, wrong, 1700000000));
        }
    }

    #[test]
    fn malformed_bodies_are_refused() {
        assert!(parse_command(b"nope").is_err());
        assert!(parse_command(br#"{"cmd":"83","sign":"00000000000000000000000000000000"}"#).is_err());
        assert!(parse_command(br#"{"cmd":83,"sign":"abc"}"#).is_err());
        assert!(
            parse_command(br#"{"cmd":83,"history":"!!","sign":"00000000000000000000000000000000"}"#).is_err()
        );
        assert!(parse_command(
            br#"{"cmd":83,"history":"dGVzdDI=","sign":"00000000000000000000000000000000"}"#
        )
        .is_ok());
    }
}
