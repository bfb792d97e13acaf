//! What the three cloud clients share: one HTTP client setup and one way of turning
//! transport failures and error replies into [`Error`]s.

use crate::platform::clock;
use crate::platform::error::{Cloud, Error, Result};
use reqwest::{Response, StatusCode};
use serde::de::DeserializeOwned;
use std::time::{Duration, SystemTime};

/// A client with timeouts short enough that a dead network is reported, not waited on.
pub fn client() -> reqwest::Client {
    SHARED.clone()
}

/// One client for the process: its pool keeps connections to each cloud open, so a
/// door command reuses the connection (and TLS session) a status read opened instead
/// of shaking hands again; a clone shares the pool. Idle connections go after 30 s.
static SHARED: std::sync::LazyLock<reqwest::Client> = std::sync::LazyLock::new(|| {
    reqwest::Client::builder()
        .pool_idle_timeout(Duration::from_secs(30))
        .connect_timeout(Duration::from_secs(5))
        .timeout(Duration::from_secs(20))
        .user_agent(concat!("Uketsuke/", env!("CARGO_PKG_VERSION")))
        .build()
        .expect("a TLS backend is compiled in")
});

/// Joins a configured base URL and a path, whatever slashes either has.
pub fn join(base: &str, path: &str) -> String {
    format!("{}/{}", base.trim_end_matches('/'), path.trim_start_matches('/'))
}

/// A transport failure (refused, timed out, DNS) as an [`Error::Unreachable`].
/// The text comes from reqwest without the URL, which may carry query parameters.
pub fn transport_error(cloud: Cloud, e: reqwest::Error) -> Error {
    // A connect timeout is both; "connection failed" must win: it proves nothing was sent.
    let detail = if e.is_connect() {
        "connection failed".to_string()
    } else if e.is_timeout() {
        "timed out".to_string()
    } else {
        e.without_url().to_string()
    };
    Error::Unreachable { cloud, detail }
}

/// A reply with its clock offset, measured from the `Date` header.
pub struct Timed {
    pub response: Response,
    pub offset_secs: Option<i64>,
}

/// Sends a request and measures the server's clock from the reply.
pub async fn send(cloud: Cloud, req: reqwest::RequestBuilder) -> Result<Timed> {
    let sent = SystemTime::now();
    let response = req.send().await.map_err(|e| transport_error(cloud, e))?;
    let received = SystemTime::now();
    let offset_secs = response
        .headers()
        .get(reqwest::header::DATE)
        .and_then(|v| v.to_str().ok())
        .and_then(|d| clock::offset_from_date(d, sent, received));
    Ok(Timed { response, offset_secs })
}

/// The longest wait a cloud's `Retry-After` or `X-Rate-Limit-Reset` is believed for:
/// the SPLATS window is an hour, and nothing we call asks for more.
pub const MAX_WAIT_SECS: u64 = 3600;

/// Seconds to wait from a header value, clamped to `0..=MAX_WAIT_SECS`. A negative
/// number is 0; a huge one is the maximum; text that is no number (or an HTTP date,
/// which no cloud of ours sends) is `None`. Never panics, whatever the cloud sends.
pub fn wait_secs(raw: &[u8]) -> Option<u64> {
    let text = std::str::from_utf8(raw).ok()?.trim();
    let n: f64 = text.parse().ok().filter(|n: &f64| n.is_finite())?;
    Some(n.clamp(0.0, MAX_WAIT_SECS as f64).ceil() as u64)
}

/// Turns a non-2xx reply into an error, reading `message` from a JSON body when present.
pub async fn check_status(cloud: Cloud, response: Response) -> Result<Response> {
    let status = response.status();
    if status.is_success() {
        return Ok(response);
    }
    let retry_after_secs =
        response.headers().get(reqwest::header::RETRY_AFTER).and_then(|v| wait_secs(v.as_bytes()));
    let body = error_text(response).await;
    Err(match status {
        StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => {
            Error::Unauthorized { cloud, status: status.as_u16() }
        }
        StatusCode::TOO_MANY_REQUESTS => Error::RateLimited { cloud, retry_after_secs },
        _ => Error::Http { cloud, status: status.as_u16(), message: error_message(&body) },
    })
}

/// The `message` of a JSON error body, or a short prefix of a non-JSON one.
fn error_message(body: &str) -> String {
    if let Ok(v) = serde_json::from_str::<serde_json::Value>(body) {
        // SPLATS and the reservation API say `message`; OAuth endpoints say `error(_description)`.
        for key in ["message", "error_description", "error"] {
            if let Some(m) = v.get(key).and_then(|m| m.as_str()) {
                return m.to_string();
            }
        }
    }
    let text: String = body.chars().take(200).collect();
    if text.trim().is_empty() {
        "no details".into()
    } else {
        text
    }
}

/// Reads a JSON body; anything unreadable is a [`Error::BadReply`], not a panic.
pub async fn json<T: DeserializeOwned>(cloud: Cloud, response: Response) -> Result<T> {
    let bytes = body(cloud, response, MAX_REPLY_BYTES).await?;
    serde_json::from_slice(&bytes).map_err(|e| Error::BadReply { cloud, detail: e.to_string() })
}

/// The largest reply read (a page of 1,000 histories is about 1 MB): memory stays
/// bounded whatever a cloud sends.
pub const MAX_REPLY_BYTES: usize = 16 << 20;

/// A reply's body, read up to `max` bytes; a longer one is refused as a bad reply
/// without reading the rest.
pub async fn body(cloud: Cloud, mut response: Response, max: usize) -> Result<Vec<u8>> {
    let too_large =
        || Error::BadReply { cloud, detail: format!("the reply is larger than {} MB", max >> 20) };
    if response.content_length().is_some_and(|n| n > max as u64) {
        return Err(too_large());
    }
    let mut out = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(|e| transport_error(cloud, e))? {
        if out.len() + chunk.len() > max {
            return Err(too_large());
        }
        out.extend_from_slice(&chunk);
    }
    Ok(out)
}

/// An error reply's text, the first 64 KB at most.
pub async fn error_text(mut response: Response) -> String {
    const MAX: usize = 64 << 10;
    let mut out = Vec::new();
    while out.len() < MAX {
        match response.chunk().await {
            Ok(Some(c)) => out.extend_from_slice(&c[..c.len().min(MAX - out.len())]),
            _ => break,
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A header carrying a secret (an API key): marked sensitive, so that reqwest and its
/// logs never print it.
pub fn secret_header(secret: &secrecy::SecretString) -> Result<reqwest::header::HeaderValue> {
    use secrecy::ExposeSecret;
    let mut v = reqwest::header::HeaderValue::from_str(secret.expose_secret())
        .map_err(|_| Error::config("secret", "contains characters a header cannot carry"))?;
    v.set_sensitive(true);
    Ok(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_are_clamped_never_a_panic() {
        assert_eq!(wait_secs(b" 30 "), Some(30));
        assert_eq!(wait_secs(b"-5"), Some(0));
        assert_eq!(wait_secs(b"99999999999999999999999"), Some(MAX_WAIT_SECS));
        assert_eq!(wait_secs(b"1.2"), Some(2));
        assert_eq!(wait_secs(b"soon"), None);
        assert_eq!(wait_secs(b"NaN"), None);
        assert_eq!(wait_secs(&[0xff, 0xfe]), None);
    }

    #[test]
    fn joins_any_slashes() {
        assert_eq!(join("http://h/x/", "/api/v1"), "http://h/x/api/v1");
        assert_eq!(join("http://h/x", "api/v1"), "http://h/x/api/v1");
    }

    #[test]
    fn error_messages_prefer_json_message() {
        assert_eq!(error_message(r#"{"message":"Forbidden"}"#), "Forbidden");
        assert_eq!(error_message(""), "no details");
        assert_eq!(error_message("<html>Bad Gateway</html>"), "<html>Bad Gateway</html>");
    }
}
