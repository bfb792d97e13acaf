//! What the simulated SESAME cloud holds: API keys, locks (each with its secret key,
//! state and history) and the calls counted per key.

use serde::Serialize;
use std::collections::{BTreeMap, HashMap, HashSet};

/// The API key the demo world accepts (40 alphanumerics, like a real one).
pub const DEMO_API_KEY: &str = "DemoSesameApiKey0123456789abcdefghijklmn";

#[derive(Debug, Clone, Serialize)]
pub struct HistoryRecord {
    #[serde(rename = "type")]
    pub kind: i64,
    #[serde(rename = "timeStamp")]
    pub time_stamp: f64,
    #[serde(rename = "historyTag")]
    pub history_tag: Option<String>,
    #[serde(rename = "recordID")]
    pub record_id: i64,
    pub parameter: Option<()>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SimDevice {
    pub uuid: String,
    #[serde(serialize_with = "as_hex")]
    pub secret: [u8; 16],
    /// Which door of the demo facility it is on (`area:A101`, `entrance:S001`).
    pub door: String,
    pub label: String,
    pub state: String,
    pub position: i64,
    pub battery: i64,
    pub timestamp: i64,
    /// Wi-Fi module / hub connected; commands get 404 when not.
    pub wm2: bool,
    /// Delay between accepting a command and the lock moving.
    pub lag_ms: u64,
    /// The next N valid commands are accepted (200) but the lock does not move.
    pub drop_next: u32,
    #[serde(skip)]
    pub history: Vec<HistoryRecord>,
    #[serde(skip)]
    pub next_record: i64,
}

fn as_hex<S: serde::Serializer>(b: &[u8; 16], s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&hex::encode(b))
}

impl SimDevice {
    /// The share QR's text the SESAME app shows for this lock's manager key (OS3
    /// layout: product type, secret key, 6 bytes, UUID).
    pub fn manager_key_url(&self) -> String {
        use base64::Engine;
        let mut payload = vec![5u8];
        payload.extend_from_slice(&self.secret);
        payload.extend_from_slice(&[0; 6]);
        let hex: String = self.uuid.chars().filter(|c| c.is_ascii_hexdigit()).collect();
        payload.extend(hex::decode(&hex).ok().filter(|b| b.len() == 16).unwrap_or(vec![0; 16]));
        let sk = base64::engine::general_purpose::STANDARD.encode(payload);
        format!("ssm://UI?t=sk&sk={}&l=1&n=demo", sk.replace('+', "%2B"))
    }

    /// A deterministic demo lock: UUID and secret derived from `n`.
    pub fn demo(n: u8, door: &str, label: &str, now: i64) -> SimDevice {
        let secret: [u8; 16] =
            std::array::from_fn(|i| (i as u8).wrapping_mul(17).wrapping_add(n.wrapping_mul(31)) ^ 0x5a);
        SimDevice {
            uuid: format!("{:08X}-5E5A-4000-8000-{:012X}", 0x5E5A_0000u32 + n as u32, n as u64),
            secret,
            door: door.into(),
            label: label.into(),
            state: "locked".into(),
            position: 0,
            battery: 100 - n as i64,
            timestamp: now,
            wm2: true,
            lag_ms: 0,
            drop_next: 0,
            history: Vec::new(),
            next_record: 1,
        }
    }
}

#[derive(Debug, Default)]
pub struct SesameWorld {
    pub api_keys: HashSet<String>,
    /// Keyed by upper-case UUID; lookups are case-insensitive.
    pub devices: BTreeMap<String, SimDevice>,
    /// 401 on a bad sign (true), or 200 without moving the lock (false, the default: like the real cloud).
    pub strict: bool,
    /// Calls per key per month before 429; `None` is unlimited.
    pub monthly_quota: Option<u64>,
    /// Calls made, per API key.
    pub calls: HashMap<String, u64>,
    /// Commands received, valid or not, for tests to compare with the client's meter.
    pub commands_received: u64,
}

impl SesameWorld {
    pub fn add_device(&mut self, d: SimDevice) {
        self.devices.insert(d.uuid.to_ascii_uppercase(), d);
    }

    pub fn device(&self, uuid: &str) -> Option<&SimDevice> {
        self.devices.get(&uuid.to_ascii_uppercase())
    }

    pub fn device_mut(&mut self, uuid: &str) -> Option<&mut SimDevice> {
        self.devices.get_mut(&uuid.to_ascii_uppercase())
    }

    /// The device on a door of the demo facility.
    pub fn device_for(&self, door: &str) -> Option<&SimDevice> {
        self.devices.values().find(|d| d.door == door)
    }
}
