//! Face images: `POST /v1/members/{id}/face` with `{"face_image": <base64 JPEG>}`
//! answers a request ID whose progress is read from `GET /v1/requests/{id}`;
//! `DELETE` removes the image. Path and body are inferred (docs/simulator.md).

use super::{body_json, now_ms, Reply};
use crate::state::SimState;
use crate::world::splats::face::{check_image, MAX_FACE_BYTES};
use crate::world::splats::Reject;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::Json;
use base64::Engine;
use serde_json::{json, Value};
use std::sync::Arc;

pub async fn register(State(s): State<Arc<SimState>>, Path(id): Path<String>, body: Bytes) -> Reply {
    // Base64 makes 2 MB into about 2.7 MB; anything far past that is refused unread.
    if body.len() > MAX_FACE_BYTES * 3 {
        return Err(Reject::new(413, "41301", "顔画像は2MB以下にしてください"));
    }
    let body = body_json(&body)?;
    let b64 =
        body.get("face_image").and_then(Value::as_str).ok_or_else(|| Reject::bad("face_image は必須です"))?;
    let jpeg = base64::engine::general_purpose::STANDARD
        .decode(b64)
        .map_err(|_| Reject::bad("face_image が Base64 ではありません"))?;
    let image = check_image(&jpeg)?;
    let t = now_ms(&s);
    let request_id = s.world.lock().unwrap().splats.register_face(&id, &image, t)?;
    Ok((StatusCode::ACCEPTED, Json(json!({ "request_id": request_id }))).into_response())
}

pub async fn delete(State(s): State<Arc<SimState>>, Path(id): Path<String>) -> Reply {
    s.world.lock().unwrap().splats.delete_face(&id)?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
