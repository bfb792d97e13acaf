//! SESAME cloud Web API (`/sesame/api/sesame2/...`). Requests need `x-api-key`;
//! like the real API gateway, a request without one is refused with 403.

use crate::json::message;
use crate::state::SimState;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use std::sync::Arc;

pub fn router() -> Router<Arc<SimState>> {
    Router::new().route("/api/sesame2", get(forbidden)).route("/api/sesame2/", get(forbidden))
}

async fn forbidden() -> Response {
    message(StatusCode::FORBIDDEN, "Forbidden")
}
