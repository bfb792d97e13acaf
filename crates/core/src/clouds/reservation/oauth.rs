//! Signing in to the reservation system: OAuth 2 as the documented contract describes it
//! (`docs/reference/vendor-documents.md`).
//!
//! 1. Open the system browser on `api/oauth/authorize.php?client_id&redirect_uri&response_type=code&state`
//!    with a fresh random `state`. The manager logs in there and allows the app.
//! 2. The system redirects the browser to our registered `redirect_uri`, a loopback
//!    address on which [`Pending`] listens: `http://127.0.0.1:PORT/path?code=…&state=…`.
//!    A reply whose `state` is not ours is refused and its code never used.
//! 3. `POST api/oauth/token.php` once, form-encoded, with exactly what the document lists:
//!    `client_id`, `client_secret`, `code`, `grant_type=client_credentials` (sic) and the
//!    `redirect_uri` of its sample. A code can be exchanged only once, so this is never retried.
//! 4. The access token (and a refresh token, if one ever comes) goes to the OS keyring.
//!    `expires_in` and `refresh_token` are `null` in the document's example; both are optional.

use crate::platform::config::reservation::loopback;
use crate::platform::error::{Cloud, Code, Error, Result, SignInProblem};
use crate::platform::http;
use crate::platform::secrets::{names, ExposeSecret, SecretStore, SecretString};
use serde::Deserialize;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use url::Url;

/// How long the browser has to come back before the sign-in gives up.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(300);

/// The application registered in the reservation system (環境設定 > 外部アプリ連携).
/// Its `Debug` shows the client secret as `[REDACTED]`.
#[derive(Clone, Debug)]
pub struct OAuthClient {
    /// `https://{domain}`.
    pub base_url: String,
    pub client_id: String,
    pub client_secret: SecretString,
    pub redirect_uri: String,
}

/// A sign-in that has sent the browser away and waits for it on the loopback address.
pub struct Pending {
    listener: TcpListener,
    state: String,
    callback_path: String,
    /// The page to open in the system browser.
    pub authorize_url: String,
}

/// What `token.php` returns. `token_type` is ignored: the document's own example spells
/// it `"beare r"`. The tokens are [`SecretString`]s: `Debug` shows `[REDACTED]`.
#[derive(Debug, Deserialize)]
pub struct Token {
    pub access_token: SecretString,
    #[serde(default, deserialize_with = "optional_seconds")]
    pub expires_in: Option<i64>,
    #[serde(default)]
    pub refresh_token: Option<SecretString>,
}

/// `expires_in` may be `null`, a number, or a numeric string.
fn optional_seconds<'de, D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Option<i64>, D::Error> {
    Ok(match serde_json::Value::deserialize(d)? {
        serde_json::Value::Number(n) => n.as_i64(),
        serde_json::Value::String(s) => s.trim().parse().ok(),
        _ => None,
    })
}

/// Where the sign-in ended up, without the token itself.
#[derive(Debug, Clone, serde::Serialize, ts_rs::TS)]
pub struct SignedIn {
    /// Unix seconds at which the token expires, when the system says so.
    pub expires_at: Option<i64>,
    pub refresh_token: bool,
}

impl OAuthClient {
    /// Starts listening on the redirect address, then builds the page to open. Listening
    /// first means the browser can never come back before we are there.
    pub async fn begin(&self) -> Result<Pending> {
        let (addr, callback_path) = loopback(&self.redirect_uri)?;
        let listener = TcpListener::bind(addr).await.map_err(|e| {
            Error::invalid(
                Code::RedirectPortBusy,
                format!("リダイレクト先 {addr} で待ち受けできません (他のアプリが使用中?): {e}"),
                format!("cannot listen on the redirect address {addr} (in use by another app?): {e}"),
            )
        })?;
        let state = new_state();
        let mut url = Url::parse(&http::join(&self.base_url, "api/oauth/authorize.php"))
            .map_err(|e| Error::config("reservation.base_url", e.to_string()))?;
        url.query_pairs_mut()
            .append_pair("client_id", &self.client_id)
            .append_pair("redirect_uri", &self.redirect_uri)
            .append_pair("response_type", "code")
            .append_pair("state", &state);
        Ok(Pending { listener, state, callback_path, authorize_url: url.into() })
    }

    /// Exchanges a code for a token: one POST, never retried (a code works only once).
    pub async fn exchange(&self, code: &str) -> Result<Token> {
        let form = [
            ("client_id", self.client_id.as_str()),
            ("client_secret", self.client_secret.expose_secret()),
            ("code", code),
            ("grant_type", "client_credentials"),
            ("redirect_uri", self.redirect_uri.as_str()),
        ];
        let req = http::client().post(http::join(&self.base_url, "api/oauth/token.php")).form(&form);
        let timed = http::send(Cloud::Reservation, req).await?;
        let response = http::check_status(Cloud::Reservation, timed.response).await?;
        let token: Token = http::json(Cloud::Reservation, response).await?;
        if token.access_token.expose_secret().trim().is_empty() {
            return Err(Error::BadReply {
                cloud: Cloud::Reservation,
                detail: "token.php returned an empty access_token".into(),
            });
        }
        Ok(token)
    }

    /// The whole sign-in: listen, let `open` show the page, wait for the code, exchange it,
    /// keep the token in `secrets`. `open` is the system browser in the app and the CLI,
    /// and a scripted client in the tests.
    pub async fn sign_in(
        &self,
        secrets: &dyn SecretStore,
        open: impl FnOnce(&str) -> Result<()>,
        timeout: Duration,
        now: i64,
    ) -> Result<SignedIn> {
        let pending = self.begin().await?;
        open(&pending.authorize_url)?;
        let code = pending.wait_for_code(timeout).await?;
        let token = self.exchange(&code).await?;
        save(secrets, &token)?;
        Ok(SignedIn {
            expires_at: token.expires_in.map(|s| now + s),
            refresh_token: token.refresh_token.is_some(),
        })
    }
}

/// Keeps the token in the keyring, replacing an older one; forgets an old refresh token.
pub fn save(secrets: &dyn SecretStore, token: &Token) -> Result<()> {
    secrets.set(names::RESERVATION_TOKEN, token.access_token.expose_secret().trim())?;
    match &token.refresh_token {
        Some(r) if !r.expose_secret().is_empty() => {
            secrets.set(names::RESERVATION_REFRESH_TOKEN, r.expose_secret())
        }
        _ => secrets.delete(names::RESERVATION_REFRESH_TOKEN),
    }
}

/// 160 random bits in hex, like the document's `sha1(uniqid(mt_rand()))` but unguessable.
fn new_state() -> String {
    let bytes: [u8; 20] = rand::random();
    hex::encode(bytes)
}

impl Pending {
    /// The `state` sent with this sign-in (for tests and logs of mismatches, never secret).
    pub fn state(&self) -> &str {
        &self.state
    }

    /// Waits for the browser's redirect, all of it within one deadline: a client that
    /// sends its request slowly cannot hold the listener past it. Requests for other
    /// paths (a favicon) are answered 404, and a callback with another `state` (a
    /// forged or stale redirect, from any local page) gets an error page; both are
    /// ignored and the wait goes on. The first callback with our `state` decides.
    pub async fn wait_for_code(self, timeout: Duration) -> Result<String> {
        let deadline = tokio::time::Instant::now() + timeout;
        let waited = tokio::time::timeout_at(deadline, async {
            loop {
                let Ok((stream, _)) = self.listener.accept().await else { continue };
                if let Some(outcome) = self.answer(stream).await {
                    return outcome;
                }
            }
        });
        waited.await.unwrap_or(Err(Error::SignIn(SignInProblem::TimedOut)))
    }

    /// Reads one request and replies with a page; `None` means "keep waiting".
    async fn answer(&self, mut stream: TcpStream) -> Option<Result<String>> {
        let target = read_request_target(&mut stream).await?;
        let url = Url::parse(&format!("http://127.0.0.1{target}")).ok()?;
        if url.path() != self.callback_path {
            let _ = respond(&mut stream, "404 Not Found", "Not found", "").await;
            return None;
        }
        let param = |name: &str| url.query_pairs().find(|(k, _)| k == name).map(|(_, v)| v.into_owned());
        if param("state").as_deref() != Some(self.state.as_str()) {
            let p = SignInProblem::StateMismatch;
            let body = format!("{}<br>{}", p.ja(), p.en());
            let _ =
                respond(&mut stream, "400 Bad Request", "サインインできませんでした / Sign-in failed", &body)
                    .await;
            return None;
        }
        let outcome = if param("error").is_some() {
            Err(SignInProblem::Denied)
        } else {
            param("code").filter(|c| !c.is_empty()).ok_or(SignInProblem::NoCode)
        };
        let _ = match &outcome {
            Ok(_) => respond(&mut stream, "200 OK", "サインインしました / Signed in", "受付アプリに戻ってください。このタブは閉じてかまいません。<br>Return to Uketsuke; you may close this tab.").await,
            Err(p) => respond(&mut stream, "400 Bad Request", "サインインできませんでした / Sign-in failed", &format!("{}<br>{}", p.ja(), p.en())).await,
        };
        Some(outcome.map_err(Error::SignIn))
    }
}

/// The request target of an HTTP/1.x request line (`GET /path?query HTTP/1.1`).
async fn read_request_target(stream: &mut TcpStream) -> Option<String> {
    let mut buf = Vec::with_capacity(1024);
    let mut chunk = [0u8; 1024];
    while !buf.windows(4).any(|w| w == b"\r\n\r\n") && buf.len() < 16 * 1024 {
        let n = tokio::time::timeout(Duration::from_secs(3), stream.read(&mut chunk)).await.ok()?.ok()?;
        if n == 0 {
            break;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    let head = String::from_utf8_lossy(&buf);
    let mut parts = head.lines().next()?.split_whitespace();
    let (_method, target) = (parts.next()?, parts.next()?);
    target.starts_with('/').then(|| target.to_string())
}

async fn respond(stream: &mut TcpStream, status: &str, title: &str, body: &str) -> std::io::Result<()> {
    let html = format!(
        "<!doctype html><html lang=ja><meta charset=utf-8><title>{title}</title>\
         <body style=\"font-family:sans-serif;margin:3em\"><h1>{title}</h1><p>{body}</p></body></html>"
    );
    let head = format!(
        "HTTP/1.1 {status}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n",
        html.len()
    );
    stream.write_all(head.as_bytes()).await?;
    stream.write_all(html.as_bytes()).await?;
    stream.shutdown().await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redirect_must_be_loopback_http_with_a_port() {
        assert!(loopback("http://127.0.0.1:47615/cb").is_ok());
        assert!(loopback("http://localhost:8080/").is_ok());
        assert!(loopback("http://[::1]:8080/x").is_ok());
        for bad in [
            "https://127.0.0.1:1/x",
            "http://example.com:80/x",
            "http://127.0.0.1/x",
            "http://192.168.1.2:80/",
            "nonsense",
        ] {
            assert!(matches!(loopback(bad), Err(Error::SignIn(SignInProblem::BadRedirectUri))), "{bad}");
        }
    }

    #[test]
    fn token_accepts_nulls_and_the_documented_typo() {
        let t: Token = serde_json::from_str(
            r#"{"access_token":"d461ab8X","token_type":"beare r","expires_in":null,"refresh_token":null,"scope":""}"#,
        )
        .unwrap();
        assert_eq!(
            (t.access_token.expose_secret(), t.expires_in, t.refresh_token.is_none()),
            ("d461ab8X", None, true)
        );
        let t: Token =
            serde_json::from_str(r#"{"access_token":"x","expires_in":"3600","refresh_token":"r"}"#).unwrap();
        assert_eq!(t.expires_in, Some(3600));
    }

    #[test]
    fn states_are_fresh_and_long() {
        let (a, b) = (new_state(), new_state());
        assert_ne!(a, b);
        assert_eq!(a.len(), 40);
    }

    #[tokio::test]
    async fn wrong_state_is_refused_and_other_paths_ignored() {
        let port = free_port();
        let client = OAuthClient {
            base_url: "http://127.0.0.1:1".into(),
            client_id: "c".into(),
            client_secret: "s".into(),
            redirect_uri: format!("http://127.0.0.1:{port}/cb"),
        };
        let pending = client.begin().await.unwrap();
        assert!(pending.authorize_url.contains(&format!("state={}", pending.state())));
        let browser = tokio::spawn(async move {
            let http = reqwest::Client::new();
            let favicon = http.get(format!("http://127.0.0.1:{port}/favicon.ico")).send().await.unwrap();
            assert_eq!(favicon.status(), 404);
            let forged =
                http.get(format!("http://127.0.0.1:{port}/cb?code=abc&state=forged")).send().await.unwrap();
            assert_eq!(forged.status(), 400);
            forged.text().await.unwrap()
        });
        let result = pending.wait_for_code(Duration::from_secs(2)).await;
        assert!(
            matches!(result, Err(Error::SignIn(SignInProblem::TimedOut))),
            "the wrong state did not end it"
        );
        assert!(browser.await.unwrap().contains("state"));
    }

    fn free_port() -> u16 {
        std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
    }

    fn client(port: u16) -> OAuthClient {
        OAuthClient {
            base_url: "http://127.0.0.1:1".into(),
            client_id: "c".into(),
            client_secret: "s".into(),
            redirect_uri: format!("http://127.0.0.1:{port}/cb"),
        }
    }

    #[tokio::test]
    async fn a_slow_client_cannot_hold_the_listener_past_its_deadline() {
        let port = free_port();
        let pending = client(port).begin().await.unwrap();
        // Connects, then sends a byte a second and never finishes its request.
        let slow = tokio::spawn(async move {
            let mut s = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
            for _ in 0..30 {
                if s.write_all(b"G").await.is_err() {
                    break;
                }
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        });
        let started = std::time::Instant::now();
        let result = pending.wait_for_code(Duration::from_secs(2)).await;
        assert!(matches!(result, Err(Error::SignIn(SignInProblem::TimedOut))), "{result:?}");
        assert!(started.elapsed() < Duration::from_secs(4), "{:?}", started.elapsed());
        slow.abort();
    }

    #[tokio::test]
    async fn a_forged_redirect_does_not_end_the_sign_in_and_the_right_one_still_works() {
        let port = free_port();
        let pending = client(port).begin().await.unwrap();
        let state = pending.state().to_string();
        let browser = tokio::spawn(async move {
            let http = reqwest::Client::new();
            let forged =
                http.get(format!("http://127.0.0.1:{port}/cb?code=evil&state=x")).send().await.unwrap();
            assert_eq!(forged.status(), 400);
            http.get(format!("http://127.0.0.1:{port}/cb?code=good&state={state}"))
                .send()
                .await
                .unwrap()
                .status()
        });
        assert_eq!(pending.wait_for_code(Duration::from_secs(10)).await.unwrap(), "good");
        assert_eq!(browser.await.unwrap(), 200);
    }
}
