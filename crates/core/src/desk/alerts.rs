//! What staff must look at now, from what the app already knows: a door left open or a
//! pass controller offline (SPLATS), a lock left unlocked, whose Wi-Fi module is offline
//! or whose battery is low (SESAME), a guest staying past their booking, a guest's key not returned. Read
//! from the cache only, no network. Each occurrence has a stable id; staff acknowledge it once, and when its
//! condition clears the acknowledgement goes, so a recurrence alerts again.

use crate::desk::audit::{self, AuditEvent};
use crate::desk::doors::lock::Target;
use crate::desk::doors::{self, Door};
use crate::desk::guests::{self, GuestStatus};
use crate::platform::config::DoorsConfig;
use crate::platform::db::Connection;
use crate::platform::error::Result;
use rusqlite::params;
use serde::Serialize;

/// When a door alerts, from the settings (`[doors]`, [`DoorsConfig`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Limits {
    pub battery_low: i64,
    pub battery_replace: i64,
    /// 0: a lock left unlocked never alerts.
    pub unlocked_secs: i64,
}

impl From<&DoorsConfig> for Limits {
    fn from(c: &DoorsConfig) -> Limits {
        Limits {
            battery_low: i64::from(c.battery_low_percent),
            battery_replace: i64::from(c.battery_replace_percent),
            unlocked_secs: i64::from(c.unlocked_alert_minutes) * 60,
        }
    }
}

impl Default for Limits {
    fn default() -> Limits {
        Limits::from(&DoorsConfig::default())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum AlertKind {
    DoorOpen,
    DoorOffline,
    LockOffline,
    BatteryLow,
    /// Under [`Limits::battery_replace`]: the lock may stop turning.
    BatteryReplace,
    /// A SESAME lock read as unlocked for longer than [`Limits::unlocked_secs`].
    LeftUnlocked,
    Overstaying,
    /// A guest's key still out of its box after the booking and its return grace.
    KeyNotReturned,
}

impl AlertKind {
    pub fn as_str(self) -> &'static str {
        match self {
            AlertKind::DoorOpen => "door_open",
            AlertKind::DoorOffline => "door_offline",
            AlertKind::LockOffline => "lock_offline",
            AlertKind::BatteryLow => "battery_low",
            AlertKind::BatteryReplace => "battery_replace",
            AlertKind::LeftUnlocked => "left_unlocked",
            AlertKind::Overstaying => "overstaying",
            AlertKind::KeyNotReturned => "key_not_returned",
        }
    }
}

/// One thing to look at.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct Alert {
    /// Stable while the condition lasts: `kind:subject`.
    pub id: String,
    pub kind: AlertKind,
    /// The door or the guest it is about, by name.
    pub subject: String,
    pub target: Option<Target>,
    /// The battery percentage (`battery_low`, `battery_replace`), or since when the lock
    /// has been read as unlocked (`left_unlocked`, Unix seconds).
    pub value: Option<i64>,
    pub acknowledged: bool,
}

fn door_alerts(d: &Door, limits: &Limits, now: i64, out: &mut Vec<(AlertKind, String, Option<i64>)>) {
    if let Some(s) = d.pass.as_ref().and_then(|p| p.status.as_ref()) {
        if s.get("online").and_then(|v| v.as_bool()) == Some(false) {
            out.push((AlertKind::DoorOffline, d.target.key(), None));
        } else if s.get("door").and_then(|v| v.as_str()) == Some("open") {
            out.push((AlertKind::DoorOpen, d.target.key(), None));
        }
    }
    if let Some(s) = &d.status {
        if s.wm2_state == Some(false) {
            out.push((AlertKind::LockOffline, d.target.key(), None));
        }
        match s.battery_percentage {
            Some(b) if b < limits.battery_replace => {
                out.push((AlertKind::BatteryReplace, d.target.key(), Some(b)))
            }
            Some(b) if b < limits.battery_low => out.push((AlertKind::BatteryLow, d.target.key(), Some(b))),
            _ => {}
        }
        let unlocked = s.state == crate::clouds::sesame::LockState::Unlocked;
        if unlocked && limits.unlocked_secs > 0 && now - s.state_since > limits.unlocked_secs {
            // The occurrence is this unlocking: locked and unlocked again alerts anew.
            out.push((
                AlertKind::LeftUnlocked,
                format!("{}@{}", d.target.key(), s.state_since),
                Some(s.state_since),
            ));
        }
    }
}

/// The store's alerts now, each marked acknowledged or not. Acknowledgements of
/// conditions that have cleared are dropped.
pub fn for_store(conn: &Connection, store_id: &str, limits: &Limits, now: i64) -> Result<Vec<Alert>> {
    let board = doors::of_store(conn, store_id)?;
    let today = guests::today(conn, store_id, now, None)?;
    of(conn, &board, &today, limits, now)
}

/// The alerts of a store's doors and today's guests, already read (the overview reads
/// them for its own counts).
pub fn of(
    conn: &Connection,
    board: &[Door],
    today: &[guests::GuestView],
    limits: &Limits,
    now: i64,
) -> Result<Vec<Alert>> {
    let mut found = Vec::new();
    for d in board {
        let mut kinds = Vec::new();
        door_alerts(d, limits, now, &mut kinds);
        found.extend(
            kinds
                .into_iter()
                .map(|(kind, key, value)| (kind, key, d.label.clone(), Some(d.target.clone()), value)),
        );
    }
    for g in today {
        if g.status == GuestStatus::Overstaying {
            found.push((
                AlertKind::Overstaying,
                format!("guest:{}", g.guest.id),
                g.guest.name.clone(),
                None,
                None,
            ));
        }
    }
    // Key boxes belong to the facility, not one store: every board shows them.
    for (key, subject, _device) in crate::desk::keys::not_returned(conn, now)? {
        found.push((AlertKind::KeyNotReturned, format!("key:{key}"), subject, None, None));
    }
    let mut alerts = Vec::new();
    for (kind, key, subject, target, value) in found {
        let id = format!("{}:{key}", kind.as_str());
        let acknowledged = conn
            .query_row("SELECT 1 FROM alert_acks WHERE id = ?1", [&id], |_| Ok(()))
            .map(|_| true)
            .or_else(|e| if e == rusqlite::Error::QueryReturnedNoRows { Ok(false) } else { Err(e) })?;
        alerts.push(Alert { id, kind, subject, target, value, acknowledged });
    }
    Ok(alerts)
}

/// Drops acknowledgements whose condition is gone, across every store.
pub fn prune(conn: &Connection, limits: &Limits, now: i64) -> Result<()> {
    let mut current = Vec::new();
    for s in crate::desk::cache::list_stores(conn)? {
        current.extend(for_store(conn, &s.id, limits, now)?.into_iter().map(|a| a.id));
    }
    let acked: Vec<String> = conn
        .prepare("SELECT id FROM alert_acks")?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    for id in acked.iter().filter(|id| !current.contains(id)) {
        conn.execute("DELETE FROM alert_acks WHERE id = ?1", [id])?;
    }
    Ok(())
}

/// Staff have seen it: it stays listed, no longer calling for attention. Audited.
pub fn acknowledge(conn: &Connection, id: &str, actor: &str, now: i64) -> Result<()> {
    crate::desk::staff::role::require_here(conn, crate::desk::staff::role::Deed::Change)?;
    conn.execute(
        "INSERT INTO alert_acks (id, by, at) VALUES (?1, ?2, ?3) ON CONFLICT(id) DO NOTHING",
        params![id, actor, now],
    )?;
    audit::record(conn, &AuditEvent::new(actor, "alert.acknowledge", Some(id), true))
}
