//! SPLATS request and reply shapes.
//!
//! Only part of the schema is documented (docs/reference/splats-api.md §3), so every
//! reply type keeps the fields it does not know in `extra` and every field outside
//! the documented core is optional: a new field upstream never breaks a sync.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::fmt;

/// Fields we do not model, kept so that nothing upstream sends is lost.
pub type Extra = Map<String, Value>;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Area {
    pub area_id: String,
    #[serde(alias = "name", default)]
    pub area_name: String,
    #[serde(flatten)]
    pub extra: Extra,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MemberGroup {
    pub membergroup_id: String,
    #[serde(alias = "name", default)]
    pub membergroup_name: String,
    #[serde(flatten)]
    pub extra: Extra,
}

/// A pass controller (door device) or a key box.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Device {
    pub device_id: String,
    #[serde(alias = "name", default)]
    pub device_name: String,
    #[serde(default)]
    pub area_id: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// One-time QR settings of a member. The seed is a secret: `Debug` hides it.
#[derive(Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct OneTimeQr {
    #[serde(default)]
    pub enabled: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub totp_seed: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timestep: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub skew: Option<u32>,
}

impl fmt::Debug for OneTimeQr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OneTimeQr")
            .field("enabled", &self.enabled)
            .field("totp_seed", &self.totp_seed.as_ref().map(|_| "<hidden>"))
            .field("timestep", &self.timestep)
            .field("skew", &self.skew)
            .finish()
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct QrCode {
    /// Static QR data; also the `data` of a one-time QR.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub one_time_qr: Option<OneTimeQr>,
}

/// Which areas a member may enter (`devices_pass`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DevicesPass {
    pub default_mode: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub areas_list: Vec<AreaPass>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AreaPass {
    pub area_id: String,
    pub pass: Value,
}

impl DevicesPass {
    /// These areas at any time (the member's own `use_date_*` bounds the time), and
    /// nothing else: `option` mode denies every area not listed.
    pub fn only(area_ids: &[String]) -> DevicesPass {
        DevicesPass {
            default_mode: "option".into(),
            areas_list: area_ids
                .iter()
                .map(|id| AreaPass {
                    area_id: id.clone(),
                    pass: serde_json::json!({ "effect": "allow_all" }),
                })
                .collect(),
        }
    }

    pub fn deny_all() -> DevicesPass {
        DevicesPass { default_mode: "deny_all".into(), areas_list: Vec::new() }
    }
}

/// A member as SPLATS returns it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Member {
    pub member_id: String,
    #[serde(default)]
    pub member_name: String,
    #[serde(default)]
    pub member_code: Option<String>,
    #[serde(default)]
    pub membergroup_id: Option<String>,
    #[serde(default)]
    pub use_date_start: Option<String>,
    #[serde(default)]
    pub use_date_end: Option<String>,
    #[serde(default)]
    pub qrcode: Option<QrCode>,
    #[serde(default)]
    pub devices_pass: Option<DevicesPass>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// What we send to create or update a member.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct MemberInput {
    /// Only in bulk update/delete bodies.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub member_id: Option<String>,
    pub member_name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub member_code: Option<String>,
    pub membergroup_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub use_date_start: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub use_date_end: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub qrcode: Option<QrCode>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub devices_pass: Option<DevicesPass>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OneTimeQrReply {
    pub member_id: String,
    pub one_time_qr_data: String,
    #[serde(default)]
    pub version: Option<String>,
    #[serde(default)]
    pub expiration_in_seconds: Option<u32>,
}

/// `PUT /v1/members/{id}/temporary_use`: let a member use keys for `timer` seconds.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TemporaryUse {
    pub target: String,
    pub timer: u32,
    pub targets_list: Vec<TemporaryTarget>,
    pub device_action: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub info: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TemporaryTarget {
    pub device_id: String,
    pub unit_no_list: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KeyDeviceUnits {
    pub key_device_id: String,
    pub units_no_list: Vec<String>,
}

/// What we send to register a guest.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GuestInput {
    pub guest_name: String,
    pub use_date_start: String,
    pub use_date_end: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub qrcode_issuing_method: Option<QrIssuing>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub area_id_list: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub key_devices_list: Vec<KeyDeviceUnits>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub return_grace_period: Option<u32>,
}

/// A guest's fixed QR: it opens doors, so `Debug` never shows it.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct QrIssuing {
    pub qrcode_data: String,
}

impl std::fmt::Debug for QrIssuing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("QrIssuing").field("qrcode_data", &"[redacted]").finish()
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Guest {
    pub guest_id: String,
    #[serde(default)]
    pub guest_name: String,
    #[serde(default)]
    pub use_date_start: Option<String>,
    #[serde(default)]
    pub use_date_end: Option<String>,
    #[serde(default)]
    pub area_id_list: Vec<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// Log categories; anything new reads as `Unknown` rather than failing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    Normal,
    Suspicious,
    Warning,
    Error,
    Emergency,
    #[serde(other)]
    Unknown,
}

/// One SPLATS log entry. Fields follow the webhook body, the only documented shape.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct History {
    pub history_id: String,
    pub datetime: String,
    #[serde(default)]
    pub event: Option<String>,
    #[serde(default)]
    pub event_name: Option<String>,
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub category: Option<Category>,
    #[serde(default)]
    pub device_id: Option<String>,
    #[serde(default)]
    pub device_name: Option<String>,
    #[serde(default)]
    pub member_id: Option<String>,
    #[serde(default)]
    pub guest_id: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HistoriesPage {
    #[serde(default)]
    pub histories: Vec<History>,
    #[serde(default)]
    pub last_evaluated_key: Option<String>,
}

/// Progress of an asynchronous request (bulk member operations, face images).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RequestStatus {
    Pending,
    Progress,
    Completed,
    CompletedWithErrors,
    Failed,
    Succeeded,
    #[serde(other)]
    Unknown,
}

impl RequestStatus {
    /// No more polling needed.
    pub fn is_final(self) -> bool {
        !matches!(self, RequestStatus::Pending | RequestStatus::Progress | RequestStatus::Unknown)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RequestAccepted {
    pub request_id: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RequestResult {
    pub request_id: String,
    #[serde(default)]
    pub request_type: Option<String>,
    pub status: RequestStatus,
    #[serde(default)]
    pub tag: Option<String>,
    #[serde(default)]
    pub result: Option<BulkResult>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct BulkResult {
    #[serde(default)]
    pub member_count: usize,
    #[serde(default)]
    pub completed_member_count: usize,
    #[serde(default)]
    pub members: Vec<BulkMemberResult>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BulkMemberResult {
    #[serde(default)]
    pub member_id: Option<String>,
    #[serde(default)]
    pub member_name: Option<String>,
    pub status: String,
    #[serde(default)]
    pub error: Option<ErrorBody>,
}

/// The SPLATS error body: `{message, error_code, error_detail}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct ErrorBody {
    #[serde(default)]
    pub message: Option<String>,
    #[serde(default)]
    pub error_code: Option<String>,
    #[serde(default)]
    pub error_detail: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_documented_member_and_keeps_unknown_fields() {
        let m: Member = serde_json::from_value(serde_json::json!({
            "member_id": "m-1", "member_name": "サンプル", "face_data": "f-1",
            "qrcode": {"data": "ABCDEF0123456789", "one_time_qr":
                {"enabled": true, "totp_seed": "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345", "timestep": 30, "skew": 2}}
        }))
        .unwrap();
        let otqr = m.qrcode.as_ref().unwrap().one_time_qr.as_ref().unwrap();
        assert_eq!((otqr.timestep, otqr.skew), (Some(30), Some(2)));
        assert_eq!(m.extra["face_data"], "f-1");
        assert!(!format!("{m:?}").contains("ABCDEFGHIJ"), "Debug must hide the seed");
    }

    #[test]
    fn unknown_categories_and_statuses_do_not_fail() {
        let h: History = serde_json::from_str(
            r#"{"history_id":"h","datetime":"2026-01-01T00:00:00+09:00","category":"brand_new"}"#,
        )
        .unwrap();
        assert_eq!(h.category, Some(Category::Unknown));
        let r: RequestResult =
            serde_json::from_str(r#"{"request_id":"r","status":"queued_somewhere"}"#).unwrap();
        assert!(!r.status.is_final());
    }

    #[test]
    fn only_lists_the_booked_areas() {
        let v = serde_json::to_value(DevicesPass::only(&["a1".into()])).unwrap();
        assert_eq!(v["default_mode"], "option");
        assert_eq!(v["areas_list"][0]["pass"]["effect"], "allow_all");
    }
}
