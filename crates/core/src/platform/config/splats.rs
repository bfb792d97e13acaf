//! SPLATS settings: the address, the history sync, guests' one-time QR, the door board
//! and the inferred parts of the contract (docs/splats.md), each a setting.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct SplatsConfig {
    /// Defaults to production, `https://api-link.splats.jp`.
    pub base_url: Option<String>,
    /// Query parameters that bound `GET /v1/histories` in time. The reference does not
    /// name them (docs/splats.md), so they are settings.
    #[serde(default = "default_since_param")]
    pub history_since_param: String,
    #[serde(default = "default_until_param")]
    pub history_until_param: String,
    /// `limit` per history page (SPLATS' default is 100; its example uses 1000).
    #[serde(default = "default_page_size")]
    pub history_page_size: u32,
    /// How far back the first history sync reaches.
    #[serde(default = "default_initial_days")]
    pub history_initial_days: u32,
    /// A read that hits the rate limit waits at most this long for it to reset, then
    /// gives up (and a sync resumes later where it stopped).
    #[serde(default = "default_max_rate_wait")]
    pub max_rate_wait_secs: u64,
    /// Member group for guests' SPLATS members (see `uketsuke splats areas` / the
    /// member site). Needed to issue access.
    pub guest_membergroup_id: Option<String>,
    /// Access starts this long before a booking and ends this long after it.
    #[serde(default = "default_grace")]
    pub guest_grace_minutes: u32,
    /// How often a guest's one-time QR changes (30–86,400 s) and how many steps either
    /// side a reader still accepts.
    #[serde(default = "default_timestep")]
    pub guest_qr_timestep_secs: u32,
    #[serde(default = "default_skew")]
    pub guest_qr_skew: u32,
    /// Make one-time QR codes on this PC (works offline); off asks SPLATS each time.
    #[serde(default = "default_true")]
    pub otqr_local: bool,
    /// How `totp_seed` becomes the HMAC key: `auto` asks SPLATS once per tenant
    /// (`desk::guests::access::seed_reading`); `ascii` or `base32` fixes it.
    #[serde(default, alias = "otqr_seed_encoding")]
    pub totp_seed_reading: SeedReading,
    #[serde(default)]
    pub otqr_hash: Hash,
    /// History `event` values that mean "this guest's QR was accepted" (the guest has
    /// arrived). The field's values are inferred, not documented (docs/splats.md).
    #[serde(default = "default_arrival_events")]
    pub arrival_events: Vec<String>,
    /// History `event` values that mean "a reader refused this QR" (inferred likewise).
    /// One for a guest inside their window makes the seed reading be asked again.
    #[serde(default = "default_refusal_events")]
    pub refusal_events: Vec<String>,
    /// A history listing stops after this many pages (and the next sync starts anew),
    /// so that a cloud that keeps answering with more pages cannot spend the budget.
    #[serde(default = "default_max_pages")]
    pub history_max_pages: u32,
    /// How often the door board reads the pass controllers' status (0: never); each read
    /// counts against SPLATS' 180 status calls an hour.
    #[serde(default = "default_pass_status_every")]
    pub pass_status_every_secs: u64,
    /// Face image registration: the path (`{member_id}` is replaced) and the JSON field
    /// carrying the Base64 JPEG. The documents do not name them (docs/splats.md).
    #[serde(default = "default_face_path")]
    pub face_path: String,
    /// A guest's key may go back in its box until this long after the booking ends
    /// (`return_grace_period`); past it the board and an alert say "not returned".
    #[serde(default = "default_key_grace")]
    pub key_return_grace_minutes: u32,
    #[serde(default = "default_face_field")]
    pub face_field: String,
}

fn default_key_grace() -> u32 {
    60
}

fn default_face_path() -> String {
    "/v1/members/{member_id}/face".into()
}

fn default_face_field() -> String {
    "face_image".into()
}

fn default_pass_status_every() -> u64 {
    300
}

impl Default for SplatsConfig {
    fn default() -> Self {
        SplatsConfig {
            base_url: None,
            history_since_param: default_since_param(),
            history_until_param: default_until_param(),
            history_page_size: default_page_size(),
            history_initial_days: default_initial_days(),
            max_rate_wait_secs: default_max_rate_wait(),
            guest_membergroup_id: None,
            guest_grace_minutes: default_grace(),
            guest_qr_timestep_secs: default_timestep(),
            guest_qr_skew: default_skew(),
            otqr_local: true,
            totp_seed_reading: Default::default(),
            otqr_hash: Default::default(),
            arrival_events: default_arrival_events(),
            refusal_events: default_refusal_events(),
            history_max_pages: default_max_pages(),
            pass_status_every_secs: default_pass_status_every(),
            face_path: default_face_path(),
            key_return_grace_minutes: default_key_grace(),
            face_field: default_face_field(),
        }
    }
}

fn default_since_param() -> String {
    "start_datetime".into()
}

fn default_until_param() -> String {
    "end_datetime".into()
}

fn default_page_size() -> u32 {
    1000
}

fn default_initial_days() -> u32 {
    7
}

fn default_max_rate_wait() -> u64 {
    60
}

fn default_grace() -> u32 {
    15
}

fn default_timestep() -> u32 {
    30
}

fn default_skew() -> u32 {
    1
}

fn default_arrival_events() -> Vec<String> {
    vec!["qr_auth_success".into()]
}

fn default_refusal_events() -> Vec<String> {
    vec!["qr_auth_failure".into()]
}

fn default_max_pages() -> u32 {
    500
}

fn default_true() -> bool {
    true
}

/// How SPLATS' `totp_seed` becomes the one-time QR's HMAC key (inferred; docs/splats.md).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SeedEncoding {
    /// The seed's own bytes, as given.
    #[default]
    Ascii,
    /// RFC 4648 base32, the authenticator-app convention.
    Base32,
}

/// The setting for the seed's reading: detected, or fixed by a manager.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SeedReading {
    /// Compare with SPLATS' own code once per tenant and keep what matches.
    #[default]
    Auto,
    Ascii,
    Base32,
}

/// The HMAC of the one-time QR's TOTP (inferred: SHA-1, the RFC default).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Hash {
    #[default]
    Sha1,
    Sha256,
}
