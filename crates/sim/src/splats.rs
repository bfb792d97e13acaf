//! SPLATS access-control API (`/splats/v1/...`), Bearer-authenticated.

use crate::json::message;
use crate::state::SimState;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use std::sync::Arc;

pub fn router() -> Router<Arc<SimState>> {
    Router::new().route("/", get(unauthorized)).route("/v1", get(unauthorized))
}

async fn unauthorized() -> Response {
    message(StatusCode::UNAUTHORIZED, "Unauthorized")
}
