//! What every reply goes through: a fault a test asked for (`crate::faults`), and the
//! simulator clock's `Date` header.

use crate::faults::FaultKind;
use crate::state::SimState;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::sync::Arc;
use std::time::Duration;

pub async fn layer(State(state): State<Arc<SimState>>, req: Request, next: Next) -> Response {
    let path = req.uri().path().to_string();
    let fault = if path.starts_with("/_sim") { None } else { state.faults.take(&path) };
    let mut response = match fault {
        None => next.run(req).await,
        Some((FaultKind::Stall { .. }, until)) => {
            if let Some(u) = until {
                tokio::time::sleep_until(u.into()).await;
            }
            next.run(req).await
        }
        Some((FaultKind::Delay { ms }, _)) => {
            tokio::time::sleep(Duration::from_millis(ms)).await;
            next.run(req).await
        }
        Some((FaultKind::Status { status, message, retry_after_secs }, _)) => {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            let mut r = crate::json::message(status, message.as_deref().unwrap_or("simulated fault"));
            if let Some(s) = retry_after_secs {
                r.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(s));
            }
            r
        }
        Some((FaultKind::Applied { status }, _)) => {
            let _ = next.run(req).await;
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            crate::json::message(status, "simulated fault after the request was applied")
        }
        Some((FaultKind::BrokenJson, _)) => {
            let _ = next.run(req).await;
            (StatusCode::OK, [(header::CONTENT_TYPE, "application/json")], "{\"truncated\": [1, 2,")
                .into_response()
        }
        Some((FaultKind::Body { body }, _)) => {
            let _ = next.run(req).await;
            (StatusCode::OK, [(header::CONTENT_TYPE, "application/json")], body).into_response()
        }
        Some((FaultKind::Huge { megabytes }, _)) => {
            let _ = next.run(req).await;
            let chunk = vec![b' '; 1 << 20];
            let chunks = (0..megabytes).map(move |_| Ok::<_, std::io::Error>(chunk.clone()));
            let body = futures_util::stream::iter(std::iter::once(Ok(b"[".to_vec())).chain(chunks));
            Response::builder()
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from_stream(body))
                .expect("valid response")
        }
        Some((FaultKind::Drop, _)) => {
            let _ = next.run(req).await;
            let broken = futures_util::stream::once(async {
                Err::<Vec<u8>, _>(std::io::Error::new(std::io::ErrorKind::ConnectionReset, "simulated drop"))
            });
            Response::builder()
                .header(header::CONTENT_LENGTH, "100")
                .body(Body::from_stream(broken))
                .expect("valid response")
        }
    };
    let date = httpdate::fmt_http_date(state.clock.now());
    if let Ok(v) = HeaderValue::from_str(&date) {
        response.headers_mut().insert(header::DATE, v);
    }
    response
}
