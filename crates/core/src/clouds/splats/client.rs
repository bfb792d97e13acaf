//! The SPLATS HTTP client: Bearer auth, the rate-limit budget, and retries for reads only.
//!
//! Reads (GET) that meet a 429, a 5xx or a dropped connection are retried with backoff,
//! waiting for `X-Rate-Limit-Reset` when the cloud names it, up to `max_wait`. Writes
//! are sent once: a member created twice is a guest with two QR codes, so a write
//! whose reply was lost is reported as uncertain instead.

use super::ledger::CallLedger;
use super::model::*;
use super::ratelimit::{self, Budget, Class, RateHeaders};
use crate::platform::error::{Cloud, Code, Error, Result};
use crate::platform::http;
use crate::platform::secrets::{ExposeSecret, SecretString};
use reqwest::Method;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const CLOUD: Cloud = Cloud::Splats;

/// How reads cope with limits and failures.
#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    /// Longest single wait for a rate limit to reset; beyond it the read fails with
    /// [`Error::RateLimited`].
    pub max_wait: Duration,
    /// Tries per read, the first included.
    pub attempts: u32,
    /// First backoff after a 5xx or a dropped connection; doubles each time.
    pub backoff: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy { max_wait: Duration::from_secs(60), attempts: 4, backoff: Duration::from_millis(500) }
    }
}

/// Its `Debug` shows the token as `[REDACTED]` ([`SecretString`]).
#[derive(Debug)]
pub struct SplatsClient {
    http: reqwest::Client,
    base: String,
    token: SecretString,
    budget: Arc<Mutex<Budget>>,
    pub retry: RetryPolicy,
    /// Server clock minus ours, from the last reply's `Date`.
    offset_secs: Mutex<Option<i64>>,
    /// Face registration's path template and field (inferred, so settings).
    pub face: (String, String),
    /// Where each call that reached SPLATS is counted per day, for the reports, and
    /// where a rate-limit reset is kept so that the next process waits for it too.
    meter: Option<std::sync::Arc<dyn CallLedger>>,
    /// Whether the kept resets were read into the budget yet.
    restored: std::sync::atomic::AtomicBool,
}

impl SplatsClient {
    /// The client as configured: the address and read retries from the config, the
    /// token from the keyring.
    pub fn from_config(
        config: &crate::Config,
        secrets: &dyn crate::platform::secrets::SecretStore,
    ) -> Result<SplatsClient> {
        let token = secrets.require(crate::platform::secrets::names::SPLATS_TOKEN)?;
        let retry = RetryPolicy {
            max_wait: Duration::from_secs(config.splats.max_rate_wait_secs),
            ..RetryPolicy::default()
        };
        let mut client = SplatsClient::new(config.splats_url(), token).with_retry(retry);
        client.face = (config.splats.face_path.clone(), config.splats.face_field.clone());
        Ok(client)
    }

    pub fn new(base: &str, token: SecretString) -> SplatsClient {
        SplatsClient {
            http: http::client(),
            base: base.trim_end_matches('/').to_string(),
            budget: ratelimit::for_token(base, token.expose_secret()),
            token,
            retry: RetryPolicy::default(),
            offset_secs: Mutex::new(None),
            face: ("/v1/members/{member_id}/face".into(), "face_image".into()),
            meter: None,
            restored: Default::default(),
        }
    }

    /// Counts every call that reaches SPLATS, and keeps rate-limit resets, in `ledger`
    /// (the desk's database: `api_calls_daily` and its meta table).
    pub fn with_meter(mut self, ledger: impl CallLedger + 'static) -> SplatsClient {
        self.meter = Some(std::sync::Arc::new(ledger));
        self
    }

    pub fn with_retry(mut self, retry: RetryPolicy) -> SplatsClient {
        self.retry = retry;
        self
    }

    /// The server clock's offset measured on the last reply, if any.
    pub fn clock_offset(&self) -> Option<i64> {
        *self.offset_secs.lock().expect("offset lock")
    }

    /// Calls left in this process's view of the current window.
    pub fn remaining(&self, class: Class) -> u32 {
        self.budget.lock().expect("budget lock").remaining(class, Instant::now())
    }

    // --- endpoints -------------------------------------------------------------------

    pub async fn areas(&self) -> Result<Vec<Area>> {
        self.all("/v1/areas", "areas").await
    }

    pub async fn membergroups(&self) -> Result<Vec<MemberGroup>> {
        self.all("/v1/membergroups", "membergroups").await
    }

    pub async fn passes(&self) -> Result<Vec<Device>> {
        self.all("/v1/devices/passes", "devices").await
    }

    /// A pass controller's state. Its fields are not documented, so it stays JSON.
    pub async fn pass_status(&self, device_id: &str) -> Result<Value> {
        self.get(&format!("/v1/devices/passes/{}/status", seg(device_id)?), &[]).await
    }

    /// Extended API: asks a pass controller to unlock its door (an electric lock or an
    /// automatic door); it locks again by itself after its own delay. Sent once.
    pub async fn pass_unlock(
        &self,
        device_id: &str,
        info: &str,
        license_key: &SecretString,
    ) -> Result<Value> {
        let path = format!("/v1/devices/passes/{}/requests", seg(device_id)?);
        let body = serde_json::json!({ "tag": "lock_operation", "control": "unlock", "info": info });
        let license = http::secret_header(license_key)?;
        self.call(Method::POST, &path, &[], Some(&body), false, Some(license)).await
    }

    pub async fn keys(&self) -> Result<Vec<Device>> {
        self.all("/v1/devices/keys", "devices").await
    }

    pub async fn key_status(&self, device_id: &str) -> Result<Value> {
        self.get(&format!("/v1/devices/keys/{}/status", seg(device_id)?), &[]).await
    }

    pub async fn create_member(&self, member: &impl Serialize) -> Result<Member> {
        self.write(Method::POST, "/v1/members", Some(member)).await
    }

    pub async fn member(&self, member_id: &str) -> Result<Member> {
        self.get(&format!("/v1/members/{}", seg(member_id)?), &[]).await
    }

    /// Every member, in pages of 1,000 following `last_evaluated_key`.
    pub async fn all_members(&self) -> Result<Vec<Member>> {
        self.all("/v1/members", "members").await
    }

    /// Every item of a data-list API. The vendor's page says every such API answers at
    /// most `limit` items (100 when not given) and a `last_evaluated_key` while there is
    /// more; a key seen before, or more than [`MAX_LIST_PAGES`] pages, is a cloud that
    /// would page forever: the listing stops with [`Error::PagingStuck`].
    async fn all<T: DeserializeOwned>(&self, path: &str, key: &str) -> Result<Vec<T>> {
        let mut out = Vec::new();
        let mut seen = std::collections::HashSet::new();
        let mut next: Option<String> = None;
        for _ in 0..MAX_LIST_PAGES {
            let mut q = vec![("limit", LIST_PAGE_SIZE.to_string())];
            if let Some(k) = &next {
                q.push(("last_evaluated_key", k.clone()));
            }
            let page: Value = self.get(path, &q).await?;
            let more = page
                .get("last_evaluated_key")
                .and_then(Value::as_str)
                .filter(|k| !k.is_empty())
                .map(String::from);
            out.extend(list::<T>(page, key)?);
            match more {
                None => return Ok(out),
                Some(k) if !seen.insert(k.clone()) => break,
                Some(k) => next = Some(k),
            }
        }
        tracing::warn!(path, pages = seen.len(), "SPLATS listing kept paging; stopped");
        Err(Error::PagingStuck { cloud: CLOUD, pages: seen.len() as u32 })
    }

    pub async fn update_member(&self, member_id: &str, member: &impl Serialize) -> Result<Member> {
        self.write(Method::PUT, &format!("/v1/members/{}", seg(member_id)?), Some(member)).await
    }

    pub async fn delete_member(&self, member_id: &str) -> Result<()> {
        self.write::<Value>(Method::DELETE, &format!("/v1/members/{}", seg(member_id)?), None::<&()>).await?;
        Ok(())
    }

    /// The cloud-made one-time QR, for when local generation is off. A POST that changes
    /// nothing, so it is safe to retry like a read.
    pub async fn one_time_qr(&self, member_id: &str) -> Result<OneTimeQrReply> {
        self.call(
            Method::POST,
            &format!("/v1/members/{}/one_time_qr", seg(member_id)?),
            &[],
            None::<&()>,
            true,
            None,
        )
        .await
    }

    pub async fn temporary_use(&self, member_id: &str, body: &TemporaryUse) -> Result<Value> {
        self.write(Method::PUT, &format!("/v1/members/{}/temporary_use", seg(member_id)?), Some(body)).await
    }

    pub async fn create_guest(&self, guest: &GuestInput) -> Result<Guest> {
        self.write(Method::POST, "/v1/guests", Some(guest)).await
    }

    pub async fn guest(&self, guest_id: &str) -> Result<Guest> {
        self.get(&format!("/v1/guests/{}", seg(guest_id)?), &[]).await
    }

    pub async fn delete_guest(&self, guest_id: &str) -> Result<()> {
        self.write::<Value>(Method::DELETE, &format!("/v1/guests/{}", seg(guest_id)?), None::<&()>).await?;
        Ok(())
    }

    /// One page of histories. `query` must be the same on every page of one listing.
    pub async fn histories_page(&self, query: &[(&str, String)], key: Option<&str>) -> Result<HistoriesPage> {
        let mut q = query.to_vec();
        if let Some(k) = key {
            q.push(("last_evaluated_key", k.to_string()));
        }
        self.get("/v1/histories", &q).await
    }

    /// Starts a bulk member operation (`tag`: create, update, delete).
    pub async fn bulk_members(&self, tag: &str, members: &[Value]) -> Result<RequestAccepted> {
        let body = serde_json::json!({ "tag": tag, "members": members });
        self.write(Method::POST, BULK_PATH, Some(&body)).await
    }

    pub async fn request_result(&self, request_id: &str) -> Result<RequestResult> {
        self.get(&format!("/v1/requests/{}", seg(request_id)?), &[]).await
    }

    /// A request's `status` as SPLATS spells it (face images answer `failed_…` words
    /// that [`RequestStatus`] does not know).
    pub async fn request_status(&self, request_id: &str) -> Result<String> {
        let v: Value = self.get(&format!("/v1/requests/{}", seg(request_id)?), &[]).await?;
        v.get("status")
            .and_then(Value::as_str)
            .map(String::from)
            .ok_or_else(|| Error::BadReply { cloud: CLOUD, detail: "request result without status".into() })
    }

    /// Sends a member's face image (a prepared JPEG); answers the request ID.
    pub async fn register_face(&self, member_id: &str, jpeg: &[u8]) -> Result<String> {
        use base64::Engine;
        let path = self.face.0.replace("{member_id}", seg(member_id)?);
        let mut body = serde_json::Map::new();
        body.insert(self.face.1.clone(), base64::engine::general_purpose::STANDARD.encode(jpeg).into());
        let r: RequestAccepted = self.write(Method::POST, &path, Some(&body)).await?;
        Ok(r.request_id)
    }

    pub async fn delete_face(&self, member_id: &str) -> Result<()> {
        let path = self.face.0.replace("{member_id}", seg(member_id)?);
        self.write::<Value>(Method::DELETE, &path, None::<&()>).await?;
        Ok(())
    }

    // --- plumbing --------------------------------------------------------------------

    async fn get<T: DeserializeOwned>(&self, path: &str, query: &[(&str, String)]) -> Result<T> {
        self.call(Method::GET, path, query, None::<&()>, true, None).await
    }

    async fn write<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        body: Option<&impl Serialize>,
    ) -> Result<T> {
        self.call(method, path, &[], body, false, None).await
    }

    async fn call<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, String)],
        body: Option<&impl Serialize>,
        retry: bool,
        license: Option<reqwest::header::HeaderValue>,
    ) -> Result<T> {
        let class = Class::of_path(path);
        let body = body.map(serde_json::to_vec).transpose().map_err(|e| {
            Error::invalid(
                Code::Internal,
                format!("SPLATS への要求を作れません: {e}"),
                format!("cannot build the SPLATS request: {e}"),
            )
        })?;
        let mut attempt = 0;
        loop {
            attempt += 1;
            let may_retry = retry && attempt < self.retry.attempts;
            self.wait_for_budget(class, retry).await?;
            let mut req = self
                .http
                .request(method.clone(), http::join(&self.base, path))
                .bearer_auth(self.token.expose_secret())
                .query(query);
            if let Some(l) = &license {
                req = req.header("License-Key", l.clone());
            }
            if let Some(b) = &body {
                req = req
                    .header(reqwest::header::CONTENT_TYPE, "application/json; charset=utf-8")
                    .body(b.clone());
            }
            let timed = match http::send(CLOUD, req).await {
                Ok(t) => t,
                Err(Error::Unreachable { detail, .. }) if detail != "connection failed" && !retry => {
                    return Err(Error::Uncertain { cloud: CLOUD });
                }
                Err(e) if may_retry => {
                    tracing::warn!(path, error = e.code().as_str(), attempt, "SPLATS read failed; retrying");
                    tokio::time::sleep(self.backoff(attempt)).await;
                    continue;
                }
                Err(e) => return Err(e),
            };
            if let Some(o) = timed.offset_secs {
                *self.offset_secs.lock().expect("offset lock") = Some(o);
            }
            let response = timed.response;
            self.count(class).await;
            let rate = RateHeaders::read(response.headers());
            let blocked = {
                let mut budget = self.budget.lock().expect("budget lock");
                budget.observe(class, rate, Instant::now());
                budget.blocked_until(class, Instant::now())
            };
            if let Some(until) = blocked {
                self.keep_block(class, until).await;
            }
            let status = response.status();
            if status.is_success() {
                return read_json(response).await;
            }
            if status.as_u16() == 429 {
                let wait = Duration::from_secs(rate.reset_secs.unwrap_or(1));
                if may_retry && wait <= self.retry.max_wait {
                    tracing::info!(path, wait_secs = wait.as_secs(), "SPLATS rate limit; waiting");
                    tokio::time::sleep(wait).await;
                    continue;
                }
                return Err(Error::RateLimited { cloud: CLOUD, retry_after_secs: rate.reset_secs });
            }
            if status.is_server_error() && may_retry {
                tracing::warn!(path, status = status.as_u16(), attempt, "SPLATS server error; retrying");
                tokio::time::sleep(self.backoff(attempt)).await;
                continue;
            }
            return Err(error_reply(status.as_u16(), &http::error_text(response).await));
        }
    }

    /// A short write after the reply, never held across the call.
    async fn count(&self, class: Class) {
        if let Some(db) = &self.meter {
            let kind = meter_kind(class);
            let now = crate::platform::clock::now_unix();
            if let Err(e) = db.count(kind, now).await {
                tracing::warn!(code = e.code().as_str(), "SPLATS call not counted");
            }
        }
    }

    /// Calls left in this window, the other PCs' of a facility counted as last heard.
    pub async fn remaining_shared(&self, class: Class) -> u32 {
        self.hear_others(class).await;
        self.remaining(class)
    }

    /// In a facility, the other PCs' calls with this token today (a short read of the
    /// facility's meter, no network) go into the budget.
    async fn hear_others(&self, class: Class) {
        let Some(db) = &self.meter else { return };
        let now = crate::platform::clock::now_unix();
        if let Ok(total) = db.others_today(meter_kind(class), now).await {
            self.budget.lock().expect("budget lock").others(class, total, Instant::now());
        }
    }

    /// Where a class's reset is kept, per address and token (hashed: the token is not
    /// written anywhere).
    fn block_key(&self, class: Class) -> String {
        use sha2::{Digest, Sha256};
        let h = Sha256::digest(format!("{}\n{}", self.base, self.token.expose_secret()));
        format!("splats.rate_blocked_until.{}.{}", hex::encode(&h[..8]), meter_kind(class))
    }

    /// Keeps until when the class is blocked (Unix seconds), for the next process.
    async fn keep_block(&self, class: Class, until: Instant) {
        let Some(db) = &self.meter else { return };
        let at = crate::platform::clock::now_unix()
            + until.saturating_duration_since(Instant::now()).as_secs() as i64;
        let key = self.block_key(class);
        if let Err(e) = db.keep(key, at.to_string()).await {
            tracing::warn!(code = e.code().as_str(), "SPLATS rate-limit reset not kept");
        }
    }

    /// Once per client: a reset an earlier process learnt (a CLI run that met a 429)
    /// blocks this one too, instead of spending a refused call to learn it again.
    async fn restore_blocks(&self) {
        use std::sync::atomic::Ordering;
        let Some(db) = &self.meter else { return };
        if self.restored.swap(true, Ordering::SeqCst) {
            return;
        }
        for class in [Class::Status, Class::Other] {
            let key = self.block_key(class);
            let kept = db.kept(key).await;
            let Some(at) = kept.ok().flatten().and_then(|v| v.parse::<i64>().ok()) else { continue };
            let left = at - crate::platform::clock::now_unix();
            if left > 0 {
                let now = Instant::now();
                let until =
                    now + Duration::from_secs(left.min(crate::platform::http::MAX_WAIT_SECS as i64) as u64);
                self.budget.lock().expect("budget lock").block(class, until, now);
            }
        }
    }

    /// Waits for our own budget when a read may, or fails at once.
    async fn wait_for_budget(&self, class: Class, may_wait: bool) -> Result<()> {
        self.restore_blocks().await;
        self.hear_others(class).await;
        loop {
            let taken = {
                let mut budget = self.budget.lock().expect("budget lock");
                if may_wait {
                    budget.take(class, Instant::now())
                } else {
                    budget.take_write(class, Instant::now())
                }
            };
            match taken {
                Ok(()) => return Ok(()),
                Err(wait) if may_wait && wait <= self.retry.max_wait => tokio::time::sleep(wait).await,
                Err(wait) => {
                    return Err(Error::RateLimited {
                        cloud: CLOUD,
                        retry_after_secs: Some(wait.as_secs().max(1)),
                    })
                }
            }
        }
    }

    fn backoff(&self, attempt: u32) -> Duration {
        self.retry.backoff * 2u32.saturating_pow(attempt.saturating_sub(1))
    }
}

/// Items asked for per page of a listing (the vendor's example asks 1,000).
pub const LIST_PAGE_SIZE: u32 = 1000;
/// Pages one listing may take: a million items, far past any tenant.
pub const MAX_LIST_PAGES: usize = 1000;

/// Where bulk member operations are posted. Not in the reference (docs/splats.md).
pub const BULK_PATH: &str = "/v1/members/bulk";

/// An ID as one path segment; anything that could change the path is refused.
fn seg(id: &str) -> Result<&str> {
    if !id.is_empty()
        && id.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        && id != "."
        && id != ".."
    {
        Ok(id)
    } else {
        Err(Error::invalid(
            Code::SplatsIdInvalid,
            format!("SPLATS の ID `{id}` が正しくありません"),
            format!("`{id}` is not a valid SPLATS ID"),
        ))
    }
}

/// A 2xx body as `T`; an empty body (204) reads as JSON `null`.
async fn read_json<T: DeserializeOwned>(response: reqwest::Response) -> Result<T> {
    let bytes = http::body(CLOUD, response, http::MAX_REPLY_BYTES).await?;
    let text = if bytes.iter().all(u8::is_ascii_whitespace) { &b"null"[..] } else { &bytes[..] };
    serde_json::from_slice(text).map_err(|e| Error::BadReply { cloud: CLOUD, detail: e.to_string() })
}

/// A list reply, whether the cloud sends a bare array or `{"<key>": [...]}`.
fn list<T: DeserializeOwned>(value: Value, key: &str) -> Result<Vec<T>> {
    let items = match value {
        Value::Array(a) => Value::Array(a),
        Value::Object(mut o) => o.remove(key).unwrap_or(Value::Array(Vec::new())),
        other => {
            return Err(Error::BadReply {
                cloud: CLOUD,
                detail: format!("expected a list of {key}, got {other}"),
            })
        }
    };
    serde_json::from_value(items).map_err(|e| Error::BadReply { cloud: CLOUD, detail: e.to_string() })
}

/// A SPLATS error body as an [`Error`], with a readable English line for known codes.
pub fn error_reply(status: u16, body: &str) -> Error {
    let parsed: ErrorBody = serde_json::from_str(body).unwrap_or_default();
    if status == 401 || status == 403 {
        return Error::Unauthorized { cloud: CLOUD, status };
    }
    let code = parsed.error_code.clone().unwrap_or_else(|| format!("{status}00"));
    let detail =
        parsed.error_detail.or(parsed.message).unwrap_or_else(|| body.chars().take(200).collect::<String>());
    Error::Rejected { cloud: CLOUD, status, code, detail }
}

/// The meter's kind for a rate-limit class.
fn meter_kind(class: Class) -> &'static str {
    if class == Class::Status {
        "status"
    } else {
        "other"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_cannot_escape_their_path_segment() {
        assert!(seg("m-0001_a.b").is_ok());
        for bad in ["", "..", "a/b", "a?b", "a b", "%2e"] {
            assert!(seg(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn error_bodies_keep_the_splats_code() {
        let e = error_reply(
            400,
            r#"{"message":"Bad Request","error_code":"40002","error_detail":"リクエストパラメーターが不正です。"}"#,
        );
        assert_eq!(e.code(), "rejected");
        assert!(e.to_string().contains("40002"));
        assert!(e.message(crate::Lang::Ja).contains("リクエストパラメーター"));
        assert_eq!(error_reply(401, "").code(), "unauthorized");
        assert!(error_reply(502, "<html>").to_string().contains("50200"));
    }

    #[test]
    fn lists_come_bare_or_wrapped() {
        let a: Vec<Area> = list(serde_json::json!([{"area_id": "a", "area_name": "A"}]), "areas").unwrap();
        let b: Vec<Area> =
            list(serde_json::json!({"areas": [{"area_id": "a", "name": "A"}]}), "areas").unwrap();
        assert_eq!(a[0].area_name, b[0].area_name);
        assert!(list::<Area>(serde_json::json!("no"), "areas").is_err());
    }
}
