//! Locks: what staff do with a door.
//!
//! An area or a store entrance is resolved to its SESAME device; the device secret and
//! the API key come from the keyring; the call is counted, then signed with the PC
//! clock corrected by the last measured server offset, then sent **once**. The result,
//! with its latency, goes to the audit log; a follow-up status read confirms it.

use crate::clouds::sesame::client::HistoryEntry;
use crate::clouds::sesame::{sign, Command, DeviceUuid, LockState, SecretKey, SesameClient, Status};
use crate::desk::audit::{self, AuditEvent};
use crate::desk::cache;
use crate::desk::calls::meter::{self, CallKind, Usage};
use crate::desk::staff::role::{self, Deed};
use crate::platform::clock;
use crate::platform::config::Config;
use crate::platform::db::{self, Connection, Db};
use crate::platform::error::{Code, Error, Result};
use crate::platform::secrets::{names, ExposeSecret, SecretStore};
use rusqlite::{params, OptionalExtension};
use serde::{Deserialize, Serialize};
use std::time::{Duration, Instant};

const OFFSET_KEY: &str = "clock.offset_secs";
const OFFSET_AT_KEY: &str = "clock.measured_at";

/// A door: one area's, or a store's entrance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(tag = "kind", content = "id", rename_all = "lowercase")]
pub enum Target {
    Area(String),
    Entrance(String),
}

impl Target {
    /// `area:A101` / `entrance:S001`, as in the audit log.
    pub fn key(&self) -> String {
        match self {
            Target::Area(id) => format!("area:{id}"),
            Target::Entrance(id) => format!("entrance:{id}"),
        }
    }
}

/// A target with its device, resolved from the cache.
#[derive(Debug, Clone)]
pub struct Device {
    pub target: Target,
    pub label: String,
    pub uuid: DeviceUuid,
}

/// Finds the device behind a target, or says why there is none.
pub fn resolve(conn: &Connection, target: &Target) -> Result<Device> {
    let (label, uuid) = match target {
        Target::Area(id) => {
            let area = cache::get_area(conn, id)?.ok_or_else(|| Error::not_found(format!("area {id}")))?;
            (area.name, area.device_uuid)
        }
        Target::Entrance(id) => {
            let s = cache::get_store(conn, id)?.ok_or_else(|| Error::not_found(format!("store {id}")))?;
            let uuid = if s.use_sesame && s.register_entrance_key { s.entrance_device_uuid } else { None };
            (s.name, uuid)
        }
    };
    let uuid = uuid.ok_or_else(|| {
        Error::invalid(
            Code::DoorNotRegistered,
            format!("「{label}」には SESAME の錠が登録されていません"),
            format!("no SESAME lock is registered for \"{label}\""),
        )
    })?;
    Ok(Device { target: target.clone(), label, uuid: DeviceUuid::parse(&uuid)? })
}

/// A command the cloud accepted.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct CommandReport {
    pub target: Target,
    pub label: String,
    pub uuid: String,
    pub command: Command,
    pub sent_at_ms: i64,
    pub latency_ms: i64,
    /// The server-minus-PC offset used to sign.
    pub clock_offset_secs: i64,
}

/// The last known state of a lock and when it was read.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct KnownStatus {
    pub uuid: String,
    pub state: LockState,
    pub battery_percentage: Option<i64>,
    pub wm2_state: Option<bool>,
    pub fetched_at: i64,
    /// The first reading of the state it is in now (readings in between agreed).
    pub state_since: i64,
}

#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct Confirmation {
    pub confirmed: bool,
    pub status: KnownStatus,
    pub reads: u32,
}

/// What one round of automatic polling did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct PollReport {
    pub polled: usize,
    pub failed: usize,
    /// The round was skipped: it would have gone over the poll budget.
    pub skipped_for_budget: bool,
}

/// The measured server-minus-PC offset, 0 until one has been measured.
pub fn clock_offset(conn: &Connection) -> i64 {
    db::get_meta(conn, OFFSET_KEY).ok().flatten().and_then(|v| v.parse().ok()).unwrap_or(0)
}

pub fn save_clock_offset(conn: &Connection, offset: i64) -> Result<()> {
    db::set_meta(conn, OFFSET_KEY, &offset.to_string())?;
    db::set_meta(conn, OFFSET_AT_KEY, &clock::now_unix().to_string())
}

pub fn cached_status(conn: &Connection, uuid: &DeviceUuid) -> Result<Option<KnownStatus>> {
    Ok(conn
        .query_row(
            "SELECT device_uuid, state, battery_percentage, wm2_state, fetched_at, COALESCE(state_since, fetched_at)
             FROM lock_status WHERE device_uuid = ?1",
            [uuid.as_str()],
            |r| {
                Ok(KnownStatus {
                    uuid: r.get(0)?,
                    state: LockState::parse(&r.get::<_, String>(1)?),
                    battery_percentage: r.get(2)?,
                    wm2_state: r.get(3)?,
                    fetched_at: r.get(4)?,
                    state_since: r.get(5)?,
                })
            },
        )
        .optional()?)
}

fn save_status(conn: &Connection, uuid: &DeviceUuid, s: &Status, now: i64) -> Result<KnownStatus> {
    conn.execute(
        "INSERT INTO lock_status (device_uuid, state, battery_percentage, wm2_state, fetched_at, state_since)
         VALUES (?1, ?2, ?3, ?4, ?5, ?5)
         ON CONFLICT(device_uuid) DO UPDATE SET state = excluded.state,
           battery_percentage = excluded.battery_percentage, wm2_state = excluded.wm2_state,
           fetched_at = excluded.fetched_at,
           state_since = CASE WHEN lock_status.state = excluded.state
             THEN COALESCE(lock_status.state_since, lock_status.fetched_at) ELSE excluded.fetched_at END",
        params![uuid.as_str(), s.state.as_str(), s.battery_percentage, s.wm2_state, now],
    )?;
    cached_status(conn, uuid)?.ok_or_else(|| Error::not_found(format!("lock {uuid}")))
}

/// Registers a lock for an area or an entrance: UUID in SQLite, secret in the keyring.
/// A device may serve one door only.
pub fn assign(
    conn: &mut Connection,
    secrets: &dyn SecretStore,
    target: &Target,
    uuid: &DeviceUuid,
    secret: &SecretKey,
    actor: &str,
) -> Result<()> {
    role::require_here(conn, Deed::Change)?;
    let tx = conn.transaction()?;
    refuse_shared_device(&tx, uuid, target)?;
    let changed = match target {
        Target::Area(id) => tx.execute("UPDATE areas SET device_uuid = ?2 WHERE id = ?1 AND active = 1", params![id, uuid.as_str()])?,
        Target::Entrance(id) => tx.execute(
            "UPDATE stores SET entrance_device_uuid = ?2, use_sesame = 1, register_entrance_key = 1 WHERE id = ?1 AND active = 1",
            params![id, uuid.as_str()],
        )?,
    };
    if changed == 0 {
        return Err(Error::not_found(target.key()));
    }
    if let Target::Area(id) = target {
        // A SESAME lock registered for a room: the store uses SESAME (セサミ利用).
        tx.execute(
            "UPDATE stores SET use_sesame = 1 WHERE id = (SELECT store_id FROM areas WHERE id = ?1)",
            [id],
        )?;
    }
    // The keyring first: if it fails, the transaction is dropped and nothing changed.
    secrets.set(&names::device_secret(uuid.as_str()), &secret.to_hex())?;
    audit::record(
        &tx,
        &AuditEvent::new(actor, "settings.assign_lock", Some(&target.key()), true)
            .with_detail(serde_json::json!({ "uuid": uuid.as_str() })),
    )?;
    tx.commit()?;
    Ok(())
}

/// Refuses a lock that another door (even a retired one, which keeps its lock) already
/// uses: a lock serves one door only, as the unique indexes also insist.
pub fn refuse_shared_device(conn: &Connection, uuid: &DeviceUuid, target: &Target) -> Result<()> {
    let mut stmt = conn.prepare(
        "SELECT 'area:' || id, name FROM areas WHERE device_uuid = ?1
         UNION ALL SELECT 'entrance:' || id, name FROM stores WHERE entrance_device_uuid = ?1",
    )?;
    let users: Vec<(String, String)> =
        stmt.query_map([uuid.as_str()], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<rusqlite::Result<_>>()?;
    match users.into_iter().find(|(door, _)| *door != target.key()) {
        Some((door, name)) => Err(Error::invalid(Code::LockInUse,
            format!("この錠 ({uuid}) は既に {door}「{name}」で使われています。1 台の錠は 1 か所にだけ登録できます"),
            format!("this lock ({uuid}) is already used by {door} “{name}”; a lock can serve one door only"),
        )),
        None => Ok(()),
    }
}

/// Held while a command to one lock is on its way. It is an OS file lock, so a second
/// press from any window, the worker or the CLI on this PC is refused at once instead
/// of queueing behind the first; the OS frees it when the holder ends, even by a crash.
pub struct InFlight(#[allow(dead_code)] std::fs::File);

impl InFlight {
    pub fn take(db: &Db, device: &Device) -> Result<InFlight> {
        InFlight::take_named(db, device.uuid.as_str(), &device.label)
    }

    /// The same for any door device, by a file-safe `key` (a SPLATS pass controller).
    pub fn take_named(db: &Db, key: &str, label: &str) -> Result<InFlight> {
        let dir = db.path().parent().unwrap_or(std::path::Path::new(".")).join("doors-in-flight");
        std::fs::create_dir_all(&dir)?;
        let safe: String =
            key.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' { c } else { '_' }).collect();
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(dir.join(format!("{safe}.lock")))?;
        match file.try_lock() {
            Ok(()) => Ok(InFlight(file)),
            Err(std::fs::TryLockError::WouldBlock) => Err(Error::DoorBusy { door: label.to_string() }),
            Err(std::fs::TryLockError::Error(e)) => Err(e.into()),
        }
    }
}

/// SESAME operations over the app's database and keyring.
pub struct Locks<'a> {
    pub db: &'a Db,
    pub secrets: &'a dyn SecretStore,
    pub config: &'a Config,
}

impl Locks<'_> {
    /// The one place a SESAME call is made from: a role that may not spend makes none.
    fn client(&self) -> Result<SesameClient> {
        role::require(self.config, Deed::Spend)?;
        let key = self.secrets.require(names::SESAME_API_KEY)?;
        Ok(SesameClient::new(self.config.sesame_url(), key))
    }

    fn secret(&self, uuid: &DeviceUuid) -> Result<SecretKey> {
        SecretKey::parse(self.secrets.require(&names::device_secret(uuid.as_str()))?.expose_secret())
    }

    async fn resolve(&self, target: &Target) -> Result<Device> {
        let t = target.clone();
        self.db.read(move |c| resolve(c, &t)).await
    }

    async fn record(&self, event: AuditEvent) -> Result<()> {
        self.db.write(move |c| audit::record(c, &event)).await
    }

    /// Sends lock or unlock once and records the attempt in the audit log, whatever
    /// happened. Never retried here or by callers: a lost reply is [`Error::Uncertain`],
    /// and staff decide after looking at the status.
    pub async fn command(&self, target: &Target, command: Command, actor: &str) -> Result<CommandReport> {
        role::require(self.config, Deed::DoorCommand)?;
        let result = self.send_once(target, command, actor).await;
        let action = match command {
            Command::Lock => "sesame.lock",
            Command::Unlock => "sesame.unlock",
        };
        let event = match &result {
            Ok(r) => AuditEvent::new(actor, action, Some(&target.key()), true)
                .with_detail(serde_json::json!({ "uuid": r.uuid, "clock_offset_secs": r.clock_offset_secs }))
                .with_latency_ms(r.latency_ms),
            Err((e, latency_ms)) => {
                let mut event = AuditEvent::new(actor, action, Some(&target.key()), false)
                    .with_detail(serde_json::json!({ "error": e.code() }));
                event.latency_ms = *latency_ms;
                event
            }
        };
        self.record(event).await?;
        result.map_err(|(e, _)| e)
    }

    /// Everything up to and including the one HTTP call. An error carries the call's
    /// latency when the call was made.
    async fn send_once(
        &self,
        target: &Target,
        command: Command,
        actor: &str,
    ) -> Result<CommandReport, (Error, Option<i64>)> {
        let local = |e: Error| (e, None);
        let client = self.client().map_err(local)?;
        let (t, db, now) = (target.clone(), self.db.clone(), clock::now_unix());
        // One trip to the database before the call: the door, the clock offset, the
        // door's in-flight mark, and the call counted (it cost a second hop, ~100 µs).
        let (device, offset, _in_flight) = self
            .db
            .write(move |c| {
                let device = resolve(c, &t)?;
                let in_flight = InFlight::take(&db, &device)?;
                meter::count(c, meter::SESAME, CallKind::Command, now)?;
                Ok((device, clock_offset(c), in_flight))
            })
            .await
            .map_err(local)?;
        let secret = self.secret(&device.uuid).map_err(local)?;
        let sent_at_ms = chrono::Utc::now().timestamp_millis();
        let started = Instant::now();
        let reply =
            client.command(&device.uuid, command, &secret, actor, sign::signing_time(now, offset)).await;
        let latency_ms = started.elapsed().as_millis() as i64;
        if let Some(o) = reply.offset_secs {
            self.db.write(move |c| save_clock_offset(c, o)).await.map_err(local)?;
        }
        reply.value.map_err(|e| (e, Some(latency_ms)))?;
        Ok(CommandReport {
            target: target.clone(),
            label: device.label,
            uuid: device.uuid.to_string(),
            command,
            sent_at_ms,
            latency_ms,
            clock_offset_secs: offset,
        })
    }

    async fn count(&self, kind: CallKind, now: i64) -> Result<()> {
        self.db.write(move |c| meter::count(c, meter::SESAME, kind, now)).await
    }

    /// Reads a lock's status (a paid call), caches it and returns it.
    pub async fn status(&self, target: &Target, kind: CallKind) -> Result<KnownStatus> {
        let client = self.client()?;
        let device = self.resolve(target).await?;
        self.read_status(&client, &device.uuid, kind).await
    }

    async fn read_status(
        &self,
        client: &SesameClient,
        uuid: &DeviceUuid,
        kind: CallKind,
    ) -> Result<KnownStatus> {
        self.count(kind, clock::now_unix()).await?;
        let reply = client.status(uuid).await?;
        let uuid = uuid.clone();
        self.db
            .write(move |c| {
                if let Some(o) = reply.offset_secs {
                    save_clock_offset(c, o)?;
                }
                save_status(c, &uuid, &reply.value, clock::now_unix())
            })
            .await
    }

    /// After a command: waits, then reads the status until it shows the expected state,
    /// using at most `confirm_reads` paid reads.
    pub async fn confirm(&self, target: &Target, command: Command, actor: &str) -> Result<Confirmation> {
        let client = self.client()?;
        let device = self.resolve(target).await?;
        let expected = command.expected_state();
        let mut reads = 0;
        loop {
            tokio::time::sleep(Duration::from_millis(self.config.sesame.confirm_delay_ms)).await;
            let status = self.read_status(&client, &device.uuid, CallKind::Status).await?;
            reads += 1;
            let confirmed = status.state == expected;
            if confirmed || reads >= self.config.sesame.confirm_reads {
                let event = AuditEvent::new(actor, "sesame.confirm", Some(&target.key()), confirmed)
                    .with_detail(serde_json::json!({ "expected": expected.as_str(), "state": status.state.as_str(), "reads": reads }));
                self.record(event).await?;
                return Ok(Confirmation { confirmed, status, reads });
            }
        }
    }

    /// A page of a lock's history, newest first (one paid call), kept in the merged
    /// history so that the time line shows it.
    pub async fn history(&self, target: &Target, page: u32, lg: u32) -> Result<Vec<HistoryEntry>> {
        let client = self.client()?;
        let device = self.resolve(target).await?;
        self.count(CallKind::History, clock::now_unix()).await?;
        let entries = client.history(&device.uuid, page, lg).await?.value;
        let (t, uuid, page_entries) = (target.clone(), device.uuid.as_str().to_string(), entries.clone());
        self.db
            .write(move |c| {
                let (store, area) = match &t {
                    Target::Area(id) => {
                        let store = crate::desk::cache::get_area(c, id)?.map(|a| a.store_id);
                        (store, Some(id.clone()))
                    }
                    Target::Entrance(id) => (Some(id.clone()), None),
                };
                crate::desk::history::index::sesame(
                    c,
                    store.as_deref(),
                    area.as_deref(),
                    &uuid,
                    &page_entries,
                )
            })
            .await?;
        Ok(entries)
    }

    /// Calls used this month against the allowance.
    pub async fn usage(&self) -> Result<Usage> {
        let (allowance, polls) =
            (self.config.sesame.monthly_allowance, self.config.sesame.poll_budget_per_month);
        self.db.read(move |c| meter::usage(c, meter::SESAME, clock::now_unix(), allowance, polls)).await
    }

    /// Reads every registered lock once, if the whole round fits in the poll budget.
    pub async fn poll_all(&self) -> Result<PollReport> {
        let devices = self.db.read(registered_devices).await?;
        if devices.is_empty() {
            return Ok(PollReport::default());
        }
        if !self.usage().await?.polls_fit(devices.len() as u64) {
            return Ok(PollReport { skipped_for_budget: true, ..PollReport::default() });
        }
        let client = self.client()?;
        let mut report = PollReport::default();
        for uuid in devices {
            match self.read_status(&client, &uuid, CallKind::Poll).await {
                Ok(_) => report.polled += 1,
                Err(e) => {
                    tracing::warn!("poll of {uuid} failed: {}", e.code());
                    report.failed += 1;
                }
            }
        }
        Ok(report)
    }
}

/// Every device registered for an area or an entrance.
pub fn registered_devices(conn: &Connection) -> Result<Vec<DeviceUuid>> {
    let mut stmt = conn.prepare(
        "SELECT device_uuid FROM areas WHERE active = 1 AND device_uuid IS NOT NULL
         UNION SELECT entrance_device_uuid FROM stores
           WHERE active = 1 AND use_sesame = 1 AND register_entrance_key = 1 AND entrance_device_uuid IS NOT NULL",
    )?;
    let raw: Vec<String> = stmt.query_map([], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
    raw.iter().map(|u| DeviceUuid::parse(u)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::platform::model::{RemoteArea, RemoteStore};
    use crate::platform::secrets::MemorySecrets;

    fn facility() -> Connection {
        let mut conn = db::open_in_memory().unwrap();
        cache::replace_from_reservation(
            &mut conn,
            &[RemoteStore { id: "S1".into(), name: "渋谷店".into(), name_kana: None }],
            &[
                RemoteArea {
                    id: "A1".into(), store_id: "S1".into(), name: "会議室A".into(), sort_order: 1
                },
                RemoteArea {
                    id: "A2".into(), store_id: "S1".into(), name: "会議室B".into(), sort_order: 2
                },
            ],
            1,
        )
        .unwrap();
        conn
    }

    const UUID: &str = "488ABAAB-164F-7A86-595F-DDD778CB86C3";

    #[test]
    fn assign_stores_uuid_in_sqlite_and_secret_in_the_keyring() {
        let mut conn = facility();
        let secrets = MemorySecrets::default();
        let uuid = DeviceUuid::parse(UUID).unwrap();
        let key = SecretKey::parse("a13d4b890111676ba8fb36ece7e94f7d").unwrap();
        assign(&mut conn, &secrets, &Target::Area("A1".into()), &uuid, &key, "manager").unwrap();
        assert_eq!(resolve(&conn, &Target::Area("A1".into())).unwrap().uuid, uuid);
        assert_eq!(
            secrets.get(&names::device_secret(UUID)).unwrap().as_ref().map(|s| s.expose_secret()),
            Some("a13d4b890111676ba8fb36ece7e94f7d")
        );
        let dump: String =
            conn.query_row("SELECT group_concat(detail) FROM audit_events", [], |r| r.get(0)).unwrap();
        assert!(!dump.contains("a13d4b89"), "the audit log never holds a secret");

        // The same lock for a second door is refused, and nothing changes.
        let err =
            assign(&mut conn, &secrets, &Target::Area("A2".into()), &uuid, &key, "manager").unwrap_err();
        assert!(err.message(crate::Lang::Ja).contains("既に area:A1"));
        assert!(resolve(&conn, &Target::Area("A2".into())).is_err());
        // Re-assigning to the same door is fine.
        assign(&mut conn, &secrets, &Target::Area("A1".into()), &uuid, &key, "manager").unwrap();
    }

    #[test]
    fn an_entrance_needs_the_store_flags() {
        let conn = facility();
        let err = resolve(&conn, &Target::Entrance("S1".into())).unwrap_err();
        assert!(err.message(crate::Lang::En).contains("no SESAME lock"));
        conn.execute("UPDATE stores SET entrance_device_uuid = ?1, use_sesame = 1", [UUID]).unwrap();
        assert!(resolve(&conn, &Target::Entrance("S1".into())).is_err(), "register_entrance_key is off");
        conn.execute("UPDATE stores SET register_entrance_key = 1", []).unwrap();
        assert_eq!(resolve(&conn, &Target::Entrance("S1".into())).unwrap().label, "渋谷店");
        assert_eq!(registered_devices(&conn).unwrap().len(), 1);
    }
}
