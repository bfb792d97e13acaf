//! Stores and areas entered by hand, their locks (UUID, secret key) and their SPLATS
//! mapping. A lock serves one door; names are unique within their store.

use super::{audit_change, given, given_secret};
use crate::clouds::sesame::{DeviceUuid, SecretKey};
use crate::desk::doors::lock::Target;
use crate::desk::staff::role::{self, Deed};
use crate::platform::db::Connection;
use crate::platform::error::{Code, Error, Result};
use crate::platform::model::Source;
use crate::platform::secrets::{names, ExposeSecret, SecretStore, SecretString};
use crate::{desk::cache, desk::guests};
use rusqlite::{params, OptionalExtension};
use serde::Deserialize;

/// The store form. `id: None` creates a store by hand. A secret key left empty keeps
/// the saved one (required when the device is new).
#[derive(Debug, Clone, Default, Deserialize, ts_rs::TS)]
#[serde(default)]
pub struct StoreInput {
    pub id: Option<String>,
    pub name: String,
    pub name_kana: Option<String>,
    pub use_sesame: bool,
    pub register_entrance_key: bool,
    pub entrance_device_uuid: Option<String>,
    #[ts(type = "string | null")]
    pub entrance_secret_key: Option<SecretString>,
    pub splats_entrance_area_id: Option<String>,
}

/// The area form. `id: None` creates an area by hand in `store_id`.
#[derive(Debug, Clone, Default, Deserialize, ts_rs::TS)]
#[serde(default)]
pub struct AreaInput {
    pub id: Option<String>,
    pub store_id: String,
    pub name: String,
    pub device_uuid: Option<String>,
    #[ts(type = "string | null")]
    pub secret_key: Option<SecretString>,
    pub splats_area_id: Option<String>,
}

/// A lock as entered: the UUID checked, and the key checked if one was typed.
struct LockInput {
    uuid: DeviceUuid,
    key: Option<SecretKey>,
}

fn lock_input(uuid: &Option<String>, key: &Option<SecretString>) -> Result<Option<LockInput>> {
    let key = given_secret(key).map(|k| SecretKey::parse(k.expose_secret())).transpose()?;
    match given(uuid) {
        Some(u) => Ok(Some(LockInput { uuid: DeviceUuid::parse(&u)?, key })),
        None if key.is_some() => Err(Error::invalid(
            Code::SecretKeyWithoutUuid,
            "シークレットキーを登録するには UUID も入力してください",
            "enter the device UUID with its secret key",
        )),
        None => Ok(None),
    }
}

/// A new device needs its key; a device already saved keeps its key unless a new one is typed.
fn require_key(secrets: &dyn SecretStore, lock: &LockInput) -> Result<()> {
    if lock.key.is_none() && secrets.get(&names::device_secret(lock.uuid.as_str()))?.is_none() {
        return Err(Error::invalid(
            Code::SecretKeyMissing,
            format!("錠 {} のシークレットキー (16 進数 32 文字) を入力してください", lock.uuid),
            format!("enter the secret key (32 hex characters) of lock {}", lock.uuid),
        ));
    }
    Ok(())
}

fn refuse_shared_device(conn: &Connection, lock: &Option<LockInput>, target: &Target) -> Result<()> {
    match lock {
        Some(l) => crate::desk::doors::lock::refuse_shared_device(conn, &l.uuid, target),
        None => Ok(()),
    }
}

fn require_splats_area(conn: &Connection, id: &Option<String>) -> Result<()> {
    match id {
        Some(id) => crate::desk::cache::splats::require_splats_area(conn, id),
        None => Ok(()),
    }
}

fn require_name(name: &str) -> Result<String> {
    let name = name.trim();
    if name.is_empty() {
        return Err(Error::invalid(Code::NameMissing, "名前を入力してください", "enter a name"));
    }
    Ok(name.to_string())
}

/// Names equal once width, kana and spaces are folded (会議室Ａ = 会議室A).
fn same_name(a: &str, b: &str) -> bool {
    guests::normalize(a) == guests::normalize(b)
}

/// A name from the reservation system is overwritten by the next sync, so it is changed there.
fn refuse_renaming_synced(source: Source, old: &str, new: &str) -> Result<()> {
    if source == Source::Reservation && old != new {
        return Err(Error::invalid(
            Code::ReservationOwned,
            "予約システムから取り込んだ名前は予約システム側で変更してください",
            "this name comes from the reservation system; change it there",
        ));
    }
    Ok(())
}

/// A fresh id for something created by hand: `M-S001`, `M-A001`, …
fn next_manual_id(conn: &Connection, table: &str, prefix: &str) -> Result<String> {
    let sql = format!("SELECT EXISTS(SELECT 1 FROM {table} WHERE id = ?1)");
    for n in 1.. {
        let id = format!("{prefix}{n:03}");
        if !conn.query_row(&sql, [&id], |r| r.get::<_, bool>(0))? {
            return Ok(id);
        }
    }
    unreachable!()
}

/// Creates or updates a store: checks everything, then one transaction; the keyring
/// is written before the commit, so a keyring failure changes nothing.
pub fn save_store(
    conn: &mut Connection,
    secrets: &dyn SecretStore,
    input: &StoreInput,
    now: i64,
    actor: &str,
) -> Result<String> {
    role::require_here(conn, Deed::Change)?;
    let name = require_name(&input.name)?;
    let lock = lock_input(&input.entrance_device_uuid, &input.entrance_secret_key)?;
    if input.register_entrance_key && lock.is_none() {
        return Err(Error::invalid(
            Code::EntranceNeedsLock,
            "「エントランスの鍵を登録する」には錠の UUID が必要です",
            "“register entrance key” needs the lock's UUID",
        ));
    }
    let lock = if input.register_entrance_key { lock } else { None };
    if let Some(l) = &lock {
        require_key(secrets, l)?;
    }
    let mapping = given(&input.splats_entrance_area_id);
    let tx = conn.transaction()?;
    require_splats_area(&tx, &mapping)?;
    let existing = match &input.id {
        Some(id) => Some(cache::get_store(&tx, id)?.ok_or_else(|| Error::not_found(format!("store {id}")))?),
        None => None,
    };
    let id = match &existing {
        Some(s) => s.id.clone(),
        None => next_manual_id(&tx, "stores", "M-S")?,
    };
    if let Some(s) = &existing {
        refuse_renaming_synced(s.source, &s.name, &name)?;
    }
    if cache::list_stores(&tx)?.iter().any(|s| s.id != id && same_name(&s.name, &name)) {
        return Err(Error::invalid(
            Code::StoreNameTaken,
            format!("店舗「{name}」は既にあります"),
            format!("a store named “{name}” already exists"),
        ));
    }
    refuse_shared_device(&tx, &lock, &Target::Entrance(id.clone()))?;
    let uuid = lock.as_ref().map(|l| l.uuid.as_str().to_string());
    tx.execute(
        "INSERT INTO stores (id, name, name_kana, source, use_sesame, register_entrance_key, entrance_device_uuid, splats_entrance_area_id, updated_at)
         VALUES (?1, ?2, ?3, 'manual', ?4, ?5, ?6, ?7, ?8)
         ON CONFLICT(id) DO UPDATE SET name = excluded.name, name_kana = excluded.name_kana, use_sesame = excluded.use_sesame,
           register_entrance_key = excluded.register_entrance_key, entrance_device_uuid = excluded.entrance_device_uuid,
           splats_entrance_area_id = excluded.splats_entrance_area_id, updated_at = excluded.updated_at",
        params![id, name, given(&input.name_kana), input.use_sesame, input.register_entrance_key, uuid, mapping, now],
    )?;
    let old_uuid = existing.as_ref().and_then(|s| s.entrance_device_uuid.clone());
    let key_changed = write_key(secrets, &lock)?;
    let mut changed = diff_store(existing.as_ref(), &name, input, &uuid);
    if key_changed {
        changed.push("entrance_secret_key");
    }
    audit_change(&tx, actor, "settings.store", &id, existing.is_none(), &changed)?;
    tx.commit()?;
    forget_unused_key(conn, secrets, old_uuid.as_deref())?;
    Ok(id)
}

fn diff_store(
    old: Option<&crate::platform::model::Store>,
    name: &str,
    input: &StoreInput,
    uuid: &Option<String>,
) -> Vec<&'static str> {
    let Some(old) = old else { return vec!["created"] };
    let mut out = Vec::new();
    if old.name != name {
        out.push("name");
    }
    if old.use_sesame != input.use_sesame {
        out.push("use_sesame");
    }
    if old.register_entrance_key != input.register_entrance_key {
        out.push("register_entrance_key");
    }
    if &old.entrance_device_uuid != uuid {
        out.push("entrance_device_uuid");
    }
    out
}

/// Creates or updates an area, like [`save_store`].
pub fn save_area(
    conn: &mut Connection,
    secrets: &dyn SecretStore,
    input: &AreaInput,
    now: i64,
    actor: &str,
) -> Result<String> {
    role::require_here(conn, Deed::Change)?;
    let name = require_name(&input.name)?;
    let lock = lock_input(&input.device_uuid, &input.secret_key)?;
    if let Some(l) = &lock {
        require_key(secrets, l)?;
    }
    let mapping = given(&input.splats_area_id);
    let tx = conn.transaction()?;
    require_splats_area(&tx, &mapping)?;
    let existing = match &input.id {
        Some(id) => Some(cache::get_area(&tx, id)?.ok_or_else(|| Error::not_found(format!("area {id}")))?),
        None => None,
    };
    let store_id = existing.as_ref().map(|a| a.store_id.clone()).unwrap_or_else(|| input.store_id.clone());
    if cache::get_store(&tx, &store_id)?.is_none() {
        return Err(Error::not_found(format!("store {store_id}")));
    }
    let id = match &existing {
        Some(a) => a.id.clone(),
        None => next_manual_id(&tx, "areas", "M-A")?,
    };
    if let Some(a) = &existing {
        refuse_renaming_synced(a.source, &a.name, &name)?;
    }
    if cache::list_areas(&tx, Some(&store_id))?.iter().any(|a| a.id != id && same_name(&a.name, &name)) {
        return Err(Error::invalid(
            Code::AreaNameTaken,
            format!("エリア「{name}」はこの店舗に既にあります"),
            format!("this store already has an area named “{name}”"),
        ));
    }
    refuse_shared_device(&tx, &lock, &Target::Area(id.clone()))?;
    let uuid = lock.as_ref().map(|l| l.uuid.as_str().to_string());
    let sort_order = match &existing {
        Some(a) => a.sort_order,
        None => tx.query_row(
            "SELECT COALESCE(MAX(sort_order), 0) + 1 FROM areas WHERE store_id = ?1",
            [&store_id],
            |r| r.get(0),
        )?,
    };
    tx.execute(
        "INSERT INTO areas (id, store_id, name, sort_order, device_uuid, source, splats_area_id, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, 'manual', ?6, ?7)
         ON CONFLICT(id) DO UPDATE SET name = excluded.name, device_uuid = excluded.device_uuid,
           splats_area_id = excluded.splats_area_id, updated_at = excluded.updated_at",
        params![id, store_id, name, sort_order, uuid, mapping, now],
    )?;
    if uuid.is_some() && existing.as_ref().is_none_or(|a| a.device_uuid != uuid) {
        // A SESAME lock newly registered for a room: the store uses SESAME (セサミ利用).
        tx.execute("UPDATE stores SET use_sesame = 1 WHERE id = ?1", [&store_id])?;
    }
    let old_uuid = existing.as_ref().and_then(|a| a.device_uuid.clone());
    let mut changed = match &existing {
        None => vec!["created"],
        Some(a) => {
            let mut c = Vec::new();
            if a.name != name {
                c.push("name");
            }
            if a.device_uuid != uuid {
                c.push("device_uuid");
            }
            c
        }
    };
    if write_key(secrets, &lock)? {
        changed.push("secret_key");
    }
    audit_change(&tx, actor, "settings.area", &id, existing.is_none(), &changed)?;
    tx.commit()?;
    forget_unused_key(conn, secrets, old_uuid.as_deref())?;
    Ok(id)
}

/// Removes an area or a store created by hand (the reservation system's own are
/// removed there). Its lock's key is forgotten when no other door uses the lock.
pub(super) fn remove(
    conn: &mut Connection,
    secrets: &dyn SecretStore,
    target: &Target,
    actor: &str,
) -> Result<()> {
    let (table, id) = match target {
        Target::Area(id) => ("areas", id),
        Target::Entrance(id) => ("stores", id),
    };
    let tx = conn.transaction()?;
    let row: Option<(String, Option<String>)> = tx
        .query_row(
            &format!(
                "SELECT source, {} FROM {table} WHERE id = ?1 AND active = 1",
                if table == "areas" { "device_uuid" } else { "entrance_device_uuid" }
            ),
            [id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let (source, uuid) = row.ok_or_else(|| Error::not_found(target.key()))?;
    if source != "manual" {
        return Err(Error::invalid(
            Code::ReservationOwned,
            "予約システムから取り込んだものは予約システム側で削除してください",
            "this comes from the reservation system; remove it there",
        ));
    }
    tx.execute(&format!("DELETE FROM {table} WHERE id = ?1"), [id])?;
    audit_change(
        &tx,
        actor,
        &format!("settings.remove_{}", if table == "areas" { "area" } else { "store" }),
        id,
        false,
        &[],
    )?;
    tx.commit()?;
    forget_unused_key(conn, secrets, uuid.as_deref())
}

/// Writes a newly typed key; true if one was written.
fn write_key(secrets: &dyn SecretStore, lock: &Option<LockInput>) -> Result<bool> {
    match lock {
        Some(LockInput { uuid, key: Some(key) }) => {
            secrets.set(&names::device_secret(uuid.as_str()), &key.to_hex())?;
            Ok(true)
        }
        _ => Ok(false),
    }
}

/// A key whose lock no door uses any more is deleted from the keyring.
fn forget_unused_key(conn: &Connection, secrets: &dyn SecretStore, uuid: Option<&str>) -> Result<()> {
    let Some(uuid) = uuid else { return Ok(()) };
    let used: bool = conn.query_row(
        "SELECT EXISTS(SELECT 1 FROM areas WHERE device_uuid = ?1) OR EXISTS(SELECT 1 FROM stores WHERE entrance_device_uuid = ?1)",
        [uuid],
        |r| r.get(0),
    )?;
    if !used {
        secrets.delete(&names::device_secret(uuid))?;
    }
    Ok(())
}

/// Registers the lock of a door from the manager-key QR image saved in the SESAME app:
/// UUID and secret key are decoded on this PC and the key goes to the keyring only.
pub fn import_lock_qr(
    conn: &mut Connection,
    secrets: &dyn SecretStore,
    target: &Target,
    image: &[u8],
    actor: &str,
) -> Result<()> {
    role::require_here(conn, Deed::Change)?;
    let key = crate::clouds::sesame::qr::import_bytes(image)?;
    crate::desk::doors::lock::assign(conn, secrets, target, &key.uuid, &key.secret, actor)
}
