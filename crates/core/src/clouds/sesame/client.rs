//! HTTP client for the SESAME cloud Web API.
//!
//! Every call here is metered and paid, so nothing in this module retries; the caller
//! ([`crate::desk::doors::lock`]) counts each call before making it. A command is fire-and-forget:
//! HTTP 200 means "the cloud accepted it", not "the lock moved".

use super::device::{DeviceUuid, SecretKey};
use super::{sign, tag};
use crate::platform::error::{Cloud, Error, Result};
use crate::platform::http;
use crate::platform::secrets::SecretString;
use reqwest::StatusCode;
use serde::{Deserialize, Serialize};

/// The only two commands a button may send. Toggle (88) is deliberately absent: with a
/// stale status it can do the opposite of what staff asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "lowercase")]
pub enum Command {
    Lock,
    Unlock,
}

impl Command {
    pub fn code(self) -> u8 {
        match self {
            Command::Lock => 82,
            Command::Unlock => 83,
        }
    }

    /// The state a successful command leaves the lock in.
    pub fn expected_state(self) -> LockState {
        match self {
            Command::Lock => LockState::Locked,
            Command::Unlock => LockState::Unlocked,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "lowercase")]
pub enum LockState {
    Locked,
    Unlocked,
    /// The thumb-turn is in neither range.
    Moved,
    Unknown,
}

impl LockState {
    pub fn parse(s: &str) -> LockState {
        match s {
            "locked" => LockState::Locked,
            "unlocked" => LockState::Unlocked,
            "moved" => LockState::Moved,
            _ => LockState::Unknown,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            LockState::Locked => "locked",
            LockState::Unlocked => "unlocked",
            LockState::Moved => "moved",
            LockState::Unknown => "unknown",
        }
    }
}

/// The device "shadow". Every field but the state is optional: models and firmware differ.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Status {
    pub state: LockState,
    pub battery_percentage: Option<i64>,
    pub battery_voltage: Option<f64>,
    pub position: Option<i64>,
    /// Seconds (the doc says ms; every real sample is seconds).
    pub timestamp: Option<i64>,
    /// Whether the Wi-Fi module / hub reaches the lock; absent on old replies.
    pub wm2_state: Option<bool>,
}

#[derive(Deserialize)]
struct StatusDto {
    #[serde(rename = "CHSesame2Status")]
    state: Option<String>,
    #[serde(rename = "batteryPercentage")]
    battery_percentage: Option<i64>,
    #[serde(rename = "batteryVoltage")]
    battery_voltage: Option<f64>,
    position: Option<i64>,
    timestamp: Option<f64>,
    #[serde(rename = "wm2State")]
    wm2_state: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HistoryEntry {
    /// Event type: 16 webLock, 17 webUnLock, 7/8 manual, 2 BLE unlock, …
    pub kind: i64,
    pub at_secs: i64,
    pub tag: Option<String>,
    pub record_id: i64,
}

#[derive(Deserialize)]
struct HistoryDto {
    #[serde(rename = "type")]
    kind: i64,
    #[serde(rename = "timeStamp")]
    time_stamp: f64,
    #[serde(rename = "historyTag")]
    history_tag: Option<String>,
    #[serde(rename = "recordID", default)]
    record_id: i64,
}

/// History timestamps come as seconds (maybe float) or milliseconds; above 1e11 is ms.
fn seconds(t: f64) -> i64 {
    if t > 1e11 {
        (t / 1000.0) as i64
    } else {
        t as i64
    }
}

/// A reply and the server clock offset its `Date` header gave.
pub struct Reply<T> {
    pub value: T,
    pub offset_secs: Option<i64>,
}

/// Its `Debug` shows the API key as `[REDACTED]` ([`SecretString`]).
#[derive(Debug)]
pub struct SesameClient {
    http: reqwest::Client,
    base_url: String,
    api_key: SecretString,
}

impl SesameClient {
    pub fn new(base_url: &str, api_key: SecretString) -> SesameClient {
        SesameClient { http: http::client(), base_url: base_url.to_string(), api_key }
    }

    fn url(&self, uuid: &DeviceUuid, suffix: &str) -> String {
        http::join(&self.base_url, &format!("{}{suffix}", uuid.as_str()))
    }

    pub async fn status(&self, uuid: &DeviceUuid) -> Result<Reply<Status>> {
        let req = self.http.get(self.url(uuid, "")).header("x-api-key", http::secret_header(&self.api_key)?);
        let timed = http::send(Cloud::Sesame, req).await?;
        let response = check(timed.response).await?;
        let dto: StatusDto = http::json(Cloud::Sesame, response).await?;
        let value = Status {
            state: dto.state.as_deref().map(LockState::parse).unwrap_or(LockState::Unknown),
            battery_percentage: dto.battery_percentage,
            battery_voltage: dto.battery_voltage,
            position: dto.position,
            timestamp: dto.timestamp.map(seconds),
            wm2_state: dto.wm2_state,
        };
        Ok(Reply { value, offset_secs: timed.offset_secs })
    }

    /// One page of history, newest first. Only `page=0` has well-defined semantics.
    pub async fn history(&self, uuid: &DeviceUuid, page: u32, lg: u32) -> Result<Reply<Vec<HistoryEntry>>> {
        let req = self
            .http
            .get(self.url(uuid, "/history"))
            .query(&[("page", page), ("lg", lg.clamp(1, 50))])
            .header("x-api-key", http::secret_header(&self.api_key)?);
        let timed = http::send(Cloud::Sesame, req).await?;
        let response = check(timed.response).await?;
        let dtos: Vec<HistoryDto> = http::json(Cloud::Sesame, response).await?;
        let value = dtos
            .into_iter()
            .map(|d| HistoryEntry {
                kind: d.kind,
                at_secs: seconds(d.time_stamp),
                tag: d.history_tag.as_deref().and_then(tag::decode),
                record_id: d.record_id,
            })
            .collect();
        Ok(Reply { value, offset_secs: timed.offset_secs })
    }

    /// Sends one command, once. A failure after the request may have left this PC is
    /// [`Error::Uncertain`]: the caller must not resend it automatically. The server
    /// clock offset comes back even on failure: a sign rejected because the PC clock is
    /// off still carries the server's `Date`.
    pub async fn command(
        &self,
        uuid: &DeviceUuid,
        command: Command,
        secret: &SecretKey,
        history_name: &str,
        signing_time: u32,
    ) -> Reply<Result<()>> {
        let body = serde_json::json!({
            "cmd": command.code(),
            "history": tag::encode(history_name),
            "sign": sign::sign(secret.bytes(), signing_time),
        });
        let key = match http::secret_header(&self.api_key) {
            Ok(k) => k,
            Err(e) => return Reply { value: Err(e), offset_secs: None },
        };
        let req = self.http.post(self.url(uuid, "/cmd")).header("x-api-key", key).json(&body);
        let timed = match http::send(Cloud::Sesame, req).await {
            Ok(t) => t,
            Err(e) => return Reply { value: Err(uncertain_unless_unsent(e)), offset_secs: None },
        };
        let offset_secs = timed.offset_secs;
        let value = if timed.response.status() == StatusCode::UNAUTHORIZED {
            Err(Error::SignatureRejected)
        } else {
            check(timed.response).await.map(drop)
        };
        Reply { value, offset_secs }
    }
}

/// A connection that never opened means the command was not sent; any other transport
/// failure (timeout, reset mid-reply) may have happened after the cloud got it.
fn uncertain_unless_unsent(e: Error) -> Error {
    match e {
        Error::Unreachable { ref detail, .. } if detail == "connection failed" => e,
        Error::Unreachable { cloud, .. } => Error::Uncertain { cloud },
        e => e,
    }
}

/// SESAME-specific readings of error statuses, then the shared mapping.
async fn check(response: reqwest::Response) -> Result<reqwest::Response> {
    match response.status() {
        StatusCode::NOT_FOUND => Err(Error::DeviceUnavailable),
        _ => http::check_status(Cloud::Sesame, response).await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_are_only_lock_and_unlock() {
        assert_eq!(Command::Unlock.code(), 83);
        assert_eq!(Command::Lock.code(), 82);
    }

    #[test]
    fn history_times_in_seconds_or_milliseconds() {
        assert_eq!(seconds(1597492862.0), 1597492862);
        assert_eq!(seconds(1623054800000.0), 1623054800);
    }

    #[test]
    fn parses_real_status_samples() {
        let samples = [
            r#"{"batteryPercentage":94,"batteryVoltage":5.869794721407625,"position":11,"CHSesame2Status":"locked","timestamp":1598523693}"#,
            r#"{"isRechargeBattery":0,"batteryPercentage":100,"batteryVoltage":6.116,"position":265,"CHSesame2Status":"locked","timestamp":1776966159,"wm2State":true}"#,
            r#"{"batteryPercentage":100,"batteryVoltage":6,"position":-62,"CHSesame2Status":"moved","timestamp":1698635812,"wm2State":false}"#,
        ];
        for s in samples {
            let d: StatusDto = serde_json::from_str(s).unwrap();
            assert!(d.state.is_some());
        }
        assert_eq!(LockState::parse("weird"), LockState::Unknown);
    }
}
