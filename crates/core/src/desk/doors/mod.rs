//! The doors of a store as the counter sees them, and the SPLATS side of opening them.
//!
//! A door is a store's entrance or one of its areas. It may have a SESAME lock (when
//! the store uses SESAME and a lock is registered), a SPLATS pass controller (an
//! electric lock or an automatic door, found through the SPLATS area the door is mapped
//! to), or both; the card offers what exists. A pass controller is unlocked through
//! SPLATS' extended API with its `License-Key` (a secret): sent once, never queued twice
//! (the same per-device file lock as a SESAME command), audited, and confirmed by a
//! status read where the status says so. Only `unlock` is documented; lock and keep-open
//! are not offered until their `control` values are known (docs/splats.md).

pub mod lock;

use crate::clouds::sesame::DeviceUuid;
use crate::clouds::splats::SplatsClient;
use crate::desk::audit::{self, AuditEvent};
use crate::desk::cache;
use crate::desk::cache::splats::CachedPass;
use crate::desk::staff::role::{self, Deed};
use crate::platform::db::{Connection, Db};
use crate::platform::error::{Code, Error, Result};
use crate::platform::secrets::{names, SecretStore};
use lock::{InFlight, KnownStatus, Target};
use rusqlite::OptionalExtension;
use serde::Serialize;
use std::time::Instant;

/// One door of a store as the staff window shows it.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct Door {
    pub target: Target,
    pub label: String,
    /// A SESAME lock is registered and the store uses SESAME: Unlock and Lock are offered.
    pub registered: bool,
    pub status: Option<KnownStatus>,
    /// The SPLATS pass controller of this door, if it has one.
    pub pass: Option<PassDoor>,
}

/// A SPLATS pass controller as the board shows it.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct PassDoor {
    pub device_id: String,
    pub name: String,
    /// The last status read (undocumented fields, kept as SPLATS sent them).
    #[ts(type = "unknown")]
    pub status: Option<serde_json::Value>,
    pub status_at: Option<i64>,
}

/// The doors of a store: its entrance (when it has a lock or a pass controller), then
/// its areas.
pub fn of_store(conn: &Connection, store_id: &str) -> Result<Vec<Door>> {
    let s = cache::get_store(conn, store_id)?.ok_or_else(|| Error::not_found(format!("store {store_id}")))?;
    let passes = cache::splats::passes(conn)?;
    let door = |target: Target, label: String, uuid: Option<&str>| -> Result<Door> {
        let uuid = uuid.filter(|_| s.use_sesame).and_then(|u| DeviceUuid::parse(u).ok());
        let status = match &uuid {
            Some(u) => lock::cached_status(conn, u)?,
            None => None,
        };
        let pass = pass_in(conn, &passes, &target)?.map(|p| PassDoor {
            device_id: p.device_id,
            name: p.name,
            status: p.status,
            status_at: p.status_at,
        });
        Ok(Door { target, label, registered: uuid.is_some(), status, pass })
    };
    let mut doors = Vec::new();
    let entrance_lock = s.entrance_device_uuid.as_deref().filter(|_| s.register_entrance_key);
    let entrance = door(Target::Entrance(s.id.clone()), s.name.clone(), entrance_lock)?;
    if entrance.registered || entrance.pass.is_some() {
        doors.push(entrance);
    }
    for area in cache::list_areas(conn, Some(store_id))? {
        doors.push(door(Target::Area(area.id), area.name, area.device_uuid.as_deref())?);
    }
    Ok(doors)
}

/// The SPLATS area a door is mapped to.
fn splats_area(conn: &Connection, target: &Target) -> Result<Option<String>> {
    let (sql, id) = match target {
        Target::Area(id) => ("SELECT splats_area_id FROM areas WHERE id = ?1", id),
        Target::Entrance(id) => ("SELECT splats_entrance_area_id FROM stores WHERE id = ?1", id),
    };
    Ok(conn.query_row(sql, [id], |r| r.get::<_, Option<String>>(0)).optional()?.flatten())
}

fn pass_in(conn: &Connection, passes: &[CachedPass], target: &Target) -> Result<Option<CachedPass>> {
    let Some(area) = splats_area(conn, target)? else { return Ok(None) };
    Ok(passes.iter().find(|p| p.active && p.area_id.as_deref() == Some(area.as_str())).cloned())
}

/// What a SPLATS door did with an Unlock.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct PassReport {
    pub target: Target,
    pub label: String,
    pub device_id: String,
    pub latency_ms: u64,
    /// From the status read after the request: unlocked (true), still locked (false),
    /// or not told (none: the status has no lock field, or could not be read).
    pub confirmed: Option<bool>,
}

/// Unlocks a door's SPLATS pass controller once, then reads its status to confirm.
pub async fn pass_unlock(
    db: &Db,
    client: &SplatsClient,
    secrets: &dyn SecretStore,
    target: &Target,
    actor: &str,
) -> Result<PassReport> {
    db.read(|c| role::require_here(c, Deed::DoorCommand)).await?;
    let t = target.clone();
    let pass = db.read(move |c| pass_in(c, &cache::splats::passes(c)?, &t)).await?.ok_or_else(|| {
        Error::invalid(
            Code::DoorNotRegistered,
            "このドアには SPLATS のパスコントローラーがありません",
            "this door has no SPLATS pass controller",
        )
    })?;
    let license = secrets.require(names::SPLATS_LICENSE_KEY)?;
    let _in_flight = InFlight::take_named(db, &format!("pass-{}", pass.device_id), &pass.name)?;
    let started = Instant::now();
    let sent = client.pass_unlock(&pass.device_id, &format!("受付 {actor}"), &license).await;
    let latency_ms = started.elapsed().as_millis() as u64;
    let event = AuditEvent::new(actor, "door.pass_unlock", Some(&target.key()), sent.is_ok()).with_detail(
        serde_json::json!({ "device_id": pass.device_id, "error": sent.as_ref().err().map(|e| e.code()) }),
    );
    db.write(move |c| audit::record(c, &event)).await?;
    sent?;
    let confirmed = match client.pass_status(&pass.device_id).await {
        Ok(status) => {
            let (id, at, s) = (pass.device_id.clone(), crate::platform::clock::now_unix(), status.clone());
            db.write(move |c| cache::splats::save_pass_status(c, &id, &s, at)).await?;
            status.get("lock").and_then(|v| v.as_str()).map(|l| l == "unlocked")
        }
        Err(e) => {
            tracing::warn!(code = e.code().as_str(), "pass status not read after unlock");
            None
        }
    };
    Ok(PassReport {
        target: target.clone(),
        label: pass.name,
        device_id: pass.device_id,
        latency_ms,
        confirmed,
    })
}

/// What one reading of the pass controllers did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct PassesRead {
    pub read: usize,
    /// Stopped early: SPLATS' status budget is spent for now.
    pub rate_limited: bool,
}

/// Reads the status of every pass controller that serves a door, first those whose
/// guests arrive soonest (the budget may run out before the last), and keeps it for the
/// board. A rate limit ends the round; the rest waits for the next.
pub async fn read_passes(db: &Db, client: &SplatsClient, now: i64) -> Result<PassesRead> {
    let order = db.read(move |c| passes_by_next_arrival(c, now)).await?;
    let mut out = PassesRead::default();
    for device_id in order {
        match client.pass_status(&device_id).await {
            Ok(status) => {
                db.write(move |c| cache::splats::save_pass_status(c, &device_id, &status, now)).await?;
                out.read += 1;
            }
            Err(Error::RateLimited { .. }) => {
                out.rate_limited = true;
                break;
            }
            Err(e) => tracing::warn!(code = e.code().as_str(), "pass status not read"),
        }
    }
    Ok(out)
}

/// Active pass controllers that serve a door, ordered by the next guest to arrive at
/// one of their doors (doors without a guest today last).
fn passes_by_next_arrival(conn: &Connection, now: i64) -> Result<Vec<String>> {
    let mut stmt = conn.prepare(
        "SELECT p.device_id, MIN(g.starts_at) AS next
         FROM splats_passes p
         LEFT JOIN areas a ON a.splats_area_id = p.area_id AND a.active = 1
         LEFT JOIN stores s ON s.splats_entrance_area_id = p.area_id AND s.active = 1
         LEFT JOIN guest_areas ga ON ga.area_id = a.id
         LEFT JOIN guests g ON (g.id = ga.guest_id OR g.store_id = s.id)
              AND g.ends_at > ?1 AND g.checked_in_at IS NULL
         WHERE p.active = 1 AND (a.id IS NOT NULL OR s.id IS NOT NULL)
         GROUP BY p.device_id
         ORDER BY next IS NULL, next, p.device_id",
    )?;
    let rows = stmt.query_map([now], |r| r.get::<_, String>(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
