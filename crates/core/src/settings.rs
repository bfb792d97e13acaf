//! What a manager configures: the clouds' credentials, stores and their entrances,
//! areas and their locks, and how they map onto SPLATS areas.
//!
//! Modelled on the reservation system's own settings screens (`000_…txt`): per store
//! "use SESAME", "register entrance key", the entrance's device UUID and secret key;
//! per area its device UUID and secret key. Secrets go to the keyring only; what this
//! module returns says whether a secret is set and shows it masked, never the value.
//! Every change is audited with the names of the fields changed, never their values.

use crate::audit::{self, AuditEvent};
use crate::config::{check_base_url, Config};
use crate::db::{self, Connection};
use crate::error::{Code, Error, Result};
use crate::lock::Target;
use crate::model::Source;
use crate::secrets::{self, names, SecretStore};
use crate::sesame::{DeviceUuid, SecretKey};
use crate::{guests, store};
use rusqlite::{params, OptionalExtension};
use serde::{Deserialize, Serialize};

/// Whether a secret is kept, and how to show it: never the value itself.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct SecretState {
    pub set: bool,
    pub masked: Option<String>,
}

fn secret_state(secrets: &dyn SecretStore, name: &str) -> Result<SecretState> {
    let value = secrets.get(name)?;
    Ok(SecretState { set: value.is_some(), masked: value.as_deref().map(secrets::mask) })
}

#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct CloudSettings {
    pub reservation_base_url: Option<String>,
    pub reservation_client_id: Option<String>,
    pub reservation_redirect_uri: String,
    pub reservation_client_secret: SecretState,
    pub reservation_token: SecretState,
    pub reservation_token_expires_at: Option<i64>,
    pub sesame_base_url: Option<String>,
    pub sesame_api_key: SecretState,
    pub splats_base_url: Option<String>,
    pub splats_token: SecretState,
    pub splats_guest_membergroup_id: Option<String>,
}

#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct AreaSettings {
    pub id: String,
    pub store_id: String,
    pub name: String,
    pub sort_order: i64,
    pub source: Source,
    pub device_uuid: Option<String>,
    pub secret_key: SecretState,
    pub splats_area_id: Option<String>,
}

#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct StoreSettings {
    pub id: String,
    pub name: String,
    pub name_kana: Option<String>,
    pub source: Source,
    pub use_sesame: bool,
    pub register_entrance_key: bool,
    pub entrance_device_uuid: Option<String>,
    pub entrance_secret_key: SecretState,
    pub splats_entrance_area_id: Option<String>,
    pub areas: Vec<AreaSettings>,
}

#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct SplatsAreaChoice {
    pub id: String,
    pub name: String,
}

/// Everything the settings screens show.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct SettingsView {
    pub clouds: CloudSettings,
    pub stores: Vec<StoreSettings>,
    pub splats_areas: Vec<SplatsAreaChoice>,
}

pub fn view(conn: &Connection, config: &Config, secrets: &dyn SecretStore) -> Result<SettingsView> {
    let device_secret = |uuid: &Option<String>| match uuid {
        Some(u) => secret_state(secrets, &names::device_secret(u)),
        None => Ok(SecretState { set: false, masked: None }),
    };
    let mut stores = Vec::new();
    for s in store::list_stores(conn)? {
        let mut areas = Vec::new();
        for a in store::list_areas(conn, Some(&s.id))? {
            areas.push(AreaSettings {
                secret_key: device_secret(&a.device_uuid)?,
                splats_area_id: mapping(conn, "areas", &a.id)?,
                id: a.id,
                store_id: a.store_id,
                name: a.name,
                sort_order: a.sort_order,
                source: a.source,
                device_uuid: a.device_uuid,
            });
        }
        stores.push(StoreSettings {
            entrance_secret_key: device_secret(&s.entrance_device_uuid)?,
            splats_entrance_area_id: mapping(conn, "stores", &s.id)?,
            id: s.id,
            name: s.name,
            name_kana: s.name_kana,
            source: s.source,
            use_sesame: s.use_sesame,
            register_entrance_key: s.register_entrance_key,
            entrance_device_uuid: s.entrance_device_uuid,
            areas,
        });
    }
    let splats_areas = crate::splats::cache::areas(conn)?
        .into_iter()
        .filter(|a| a.active)
        .map(|a| SplatsAreaChoice { id: a.area_id, name: a.name })
        .collect();
    let r = &config.reservation;
    let clouds = CloudSettings {
        reservation_base_url: r.base_url.clone(),
        reservation_client_id: r.client_id.clone(),
        reservation_redirect_uri: r.redirect_uri().to_string(),
        reservation_client_secret: secret_state(secrets, names::RESERVATION_CLIENT_SECRET)?,
        reservation_token: secret_state(secrets, names::RESERVATION_TOKEN)?,
        reservation_token_expires_at: db::get_meta(conn, "reservation.token_expires_at")?
            .and_then(|v| v.parse().ok()),
        sesame_base_url: config.sesame.base_url.clone(),
        sesame_api_key: secret_state(secrets, names::SESAME_API_KEY)?,
        splats_base_url: config.splats.base_url.clone(),
        splats_token: secret_state(secrets, names::SPLATS_TOKEN)?,
        splats_guest_membergroup_id: config.splats.guest_membergroup_id.clone(),
    };
    Ok(SettingsView { clouds, stores, splats_areas })
}

/// The SPLATS area an area (`areas`) or a store's entrance (`stores`) is mapped to.
fn mapping(conn: &Connection, table: &str, id: &str) -> Result<Option<String>> {
    let column = if table == "areas" { "splats_area_id" } else { "splats_entrance_area_id" };
    let sql = format!("SELECT {column} FROM {table} WHERE id = ?1");
    Ok(conn.query_row(&sql, [id], |r| r.get(0)).optional()?.flatten())
}

// ---------------------------------------------------------------------------------
// Clouds

/// The cloud settings form. A secret left `None` or empty keeps the saved one.
#[derive(Debug, Clone, Default, Deserialize, ts_rs::TS)]
#[serde(default)]
pub struct CloudInput {
    #[serde(flatten)]
    pub addresses: CloudAddresses,
    pub reservation_client_secret: Option<String>,
    pub sesame_api_key: Option<String>,
    pub splats_token: Option<String>,
}

/// `None` for an empty field, the trimmed text otherwise.
fn given(v: &Option<String>) -> Option<String> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(String::from)
}

/// SESAME API keys are 40 characters `[A-Za-z0-9]` (see docs/sesame.md).
pub fn check_sesame_api_key(key: &str) -> Result<()> {
    let n = key.chars().count();
    if n != 40 || !key.chars().all(|c| c.is_ascii_alphanumeric()) {
        return Err(Error::invalid(
            Code::ApiKeyInvalid,
            format!("SESAME の API キーは英数字 40 文字です ({n} 文字が入力されました)"),
            format!("a SESAME API key is 40 letters and digits ({n} characters were entered)"),
        ));
    }
    Ok(())
}

/// A bearer token or client secret: visible ASCII, no spaces, at least 8 characters.
fn check_token(what_ja: &str, what_en: &str, value: &str) -> Result<()> {
    if value.len() < 8 || !value.chars().all(|c| c.is_ascii_graphic()) {
        return Err(Error::invalid(
            Code::TokenInvalid,
            format!("{what_ja}は空白を含まない 8 文字以上の英数記号にしてください"),
            format!("the {what_en} must be at least 8 visible ASCII characters without spaces"),
        ));
    }
    Ok(())
}

fn check_url(setting: &str, value: &Option<String>) -> Result<()> {
    match value {
        Some(v) => check_base_url(v).map_err(|p| {
            Error::invalid(
                Code::UrlInvalid,
                format!("{setting} の URL が正しくありません: {p}"),
                format!("{setting}: the URL is not valid: {p}"),
            )
        }),
        None => Ok(()),
    }
}

/// Checks the whole form first, then writes the secrets and returns the new config for
/// the caller to save and use. Returns the names of what changed (for the audit log).
pub fn apply_clouds(
    config: &Config,
    secrets: &dyn SecretStore,
    input: &CloudInput,
) -> Result<(Config, Vec<&'static str>)> {
    let mut next = config.clone();
    input.addresses.trimmed().apply(&mut next);
    check_url("予約システム / reservation", &next.reservation.base_url)?;
    check_url("SESAME", &next.sesame.base_url)?;
    check_url("SPLATS", &next.splats.base_url)?;
    if next.reservation.base_url.is_some() && next.reservation.client_id.is_none() {
        return Err(Error::invalid(
            Code::ClientIdMissing,
            "予約システムのクライアントIDを入力してください",
            "enter the reservation system's client ID",
        ));
    }
    crate::reservation::oauth::loopback(next.reservation.redirect_uri())?;
    let client_secret = given(&input.reservation_client_secret);
    let api_key = given(&input.sesame_api_key);
    let splats_token = given(&input.splats_token);
    if let Some(s) = &client_secret {
        check_token("クライアントシークレット", "client secret", s)?;
    }
    if let Some(k) = &api_key {
        check_sesame_api_key(k)?;
    }
    if let Some(t) = &splats_token {
        check_token("SPLATS のトークン", "SPLATS token", t)?;
    }

    let mut changed = Vec::new();
    for (name, label, value) in [
        (names::RESERVATION_CLIENT_SECRET, "reservation.client_secret", &client_secret),
        (names::SESAME_API_KEY, "sesame.api_key", &api_key),
        (names::SPLATS_TOKEN, "splats.token", &splats_token),
    ] {
        if let Some(v) = value {
            secrets.set(name, v)?;
            changed.push(label);
        }
    }
    for (label, before, after) in [
        ("reservation.base_url", &config.reservation.base_url, &next.reservation.base_url),
        ("reservation.client_id", &config.reservation.client_id, &next.reservation.client_id),
        ("reservation.redirect_uri", &config.reservation.redirect_uri, &next.reservation.redirect_uri),
        ("sesame.base_url", &config.sesame.base_url, &next.sesame.base_url),
        ("splats.base_url", &config.splats.base_url, &next.splats.base_url),
        (
            "splats.guest_membergroup_id",
            &config.splats.guest_membergroup_id,
            &next.splats.guest_membergroup_id,
        ),
    ] {
        if before != after {
            changed.push(label);
        }
    }
    Ok((next, changed))
}

/// Saves the cloud settings: secrets to the keyring, the rest to the config file
/// (written whole, then renamed, so a crash leaves the old file), one audit event.
pub fn save_clouds(
    conn: &Connection,
    config: &Config,
    secrets: &dyn SecretStore,
    input: &CloudInput,
    actor: &str,
) -> Result<Config> {
    let (next, changed) = apply_clouds(config, secrets, input)?;
    if let Some(path) = &config.source {
        next.save(path)?;
    }
    let event = AuditEvent::new(actor, "settings.clouds", None, true)
        .with_detail(serde_json::json!({ "changed": changed }));
    audit::record(conn, &event)?;
    Ok(next)
}

// ---------------------------------------------------------------------------------
// Stores and areas

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
    pub entrance_secret_key: Option<String>,
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
    pub secret_key: Option<String>,
    pub splats_area_id: Option<String>,
}

/// A lock as entered: the UUID checked, and the key checked if one was typed.
struct LockInput {
    uuid: DeviceUuid,
    key: Option<SecretKey>,
}

fn lock_input(uuid: &Option<String>, key: &Option<String>) -> Result<Option<LockInput>> {
    let key = given(key).map(|k| SecretKey::parse(&k)).transpose()?;
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
        Some(l) => crate::lock::refuse_shared_device(conn, &l.uuid, target),
        None => Ok(()),
    }
}

fn require_splats_area(conn: &Connection, id: &Option<String>) -> Result<()> {
    match id {
        Some(id) => crate::splats::cache::require_splats_area(conn, id),
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
        Some(id) => Some(store::get_store(&tx, id)?.ok_or_else(|| Error::not_found(format!("store {id}")))?),
        None => None,
    };
    let id = match &existing {
        Some(s) => s.id.clone(),
        None => next_manual_id(&tx, "stores", "M-S")?,
    };
    if let Some(s) = &existing {
        refuse_renaming_synced(s.source, &s.name, &name)?;
    }
    if store::list_stores(&tx)?.iter().any(|s| s.id != id && same_name(&s.name, &name)) {
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
    old: Option<&crate::model::Store>,
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
    let name = require_name(&input.name)?;
    let lock = lock_input(&input.device_uuid, &input.secret_key)?;
    if let Some(l) = &lock {
        require_key(secrets, l)?;
    }
    let mapping = given(&input.splats_area_id);
    let tx = conn.transaction()?;
    require_splats_area(&tx, &mapping)?;
    let existing = match &input.id {
        Some(id) => Some(store::get_area(&tx, id)?.ok_or_else(|| Error::not_found(format!("area {id}")))?),
        None => None,
    };
    let store_id = existing.as_ref().map(|a| a.store_id.clone()).unwrap_or_else(|| input.store_id.clone());
    if store::get_store(&tx, &store_id)?.is_none() {
        return Err(Error::not_found(format!("store {store_id}")));
    }
    let id = match &existing {
        Some(a) => a.id.clone(),
        None => next_manual_id(&tx, "areas", "M-A")?,
    };
    if let Some(a) = &existing {
        refuse_renaming_synced(a.source, &a.name, &name)?;
    }
    if store::list_areas(&tx, Some(&store_id))?.iter().any(|a| a.id != id && same_name(&a.name, &name)) {
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
pub fn remove(conn: &mut Connection, secrets: &dyn SecretStore, target: &Target, actor: &str) -> Result<()> {
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

fn audit_change(
    conn: &Connection,
    actor: &str,
    action: &str,
    id: &str,
    created: bool,
    changed: &[&str],
) -> Result<()> {
    let event = AuditEvent::new(actor, action, Some(id), true)
        .with_detail(serde_json::json!({ "created": created, "changed": changed }));
    audit::record(conn, &event)
}

// ---------------------------------------------------------------------------------
// Export and import (for a second counter PC): everything above except secrets.

pub const EXPORT_FORMAT: &str = "uketsuke-settings";
pub const EXPORT_VERSION: u32 = 1;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Exported {
    pub format: String,
    pub version: u32,
    pub exported_at: String,
    pub clouds: CloudAddresses,
    pub stores: Vec<ExportedStore>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, ts_rs::TS)]
#[serde(default)]
pub struct CloudAddresses {
    pub reservation_base_url: Option<String>,
    pub reservation_client_id: Option<String>,
    pub reservation_redirect_uri: Option<String>,
    pub sesame_base_url: Option<String>,
    pub splats_base_url: Option<String>,
    pub splats_guest_membergroup_id: Option<String>,
}

impl CloudAddresses {
    pub fn of(config: &Config) -> CloudAddresses {
        CloudAddresses {
            reservation_base_url: config.reservation.base_url.clone(),
            reservation_client_id: config.reservation.client_id.clone(),
            reservation_redirect_uri: config.reservation.redirect_uri.clone(),
            sesame_base_url: config.sesame.base_url.clone(),
            splats_base_url: config.splats.base_url.clone(),
            splats_guest_membergroup_id: config.splats.guest_membergroup_id.clone(),
        }
    }

    /// Writes these into `config`: the settings form and an imported file both end here.
    fn apply(&self, config: &mut Config) {
        config.reservation.base_url = self.reservation_base_url.clone();
        config.reservation.client_id = self.reservation_client_id.clone();
        config.reservation.redirect_uri = self.reservation_redirect_uri.clone();
        config.sesame.base_url = self.sesame_base_url.clone();
        config.splats.base_url = self.splats_base_url.clone();
        config.splats.guest_membergroup_id = self.splats_guest_membergroup_id.clone();
    }

    /// Empty form fields as `None`, the rest trimmed.
    fn trimmed(&self) -> CloudAddresses {
        CloudAddresses {
            reservation_base_url: given(&self.reservation_base_url),
            reservation_client_id: given(&self.reservation_client_id),
            reservation_redirect_uri: given(&self.reservation_redirect_uri),
            sesame_base_url: given(&self.sesame_base_url),
            splats_base_url: given(&self.splats_base_url),
            splats_guest_membergroup_id: given(&self.splats_guest_membergroup_id),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ExportedStore {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub name_kana: Option<String>,
    pub source: Source,
    #[serde(default)]
    pub use_sesame: bool,
    #[serde(default)]
    pub register_entrance_key: bool,
    #[serde(default)]
    pub entrance_device_uuid: Option<String>,
    #[serde(default)]
    pub splats_entrance_area_id: Option<String>,
    #[serde(default)]
    pub areas: Vec<ExportedArea>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ExportedArea {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub sort_order: i64,
    pub source: Source,
    #[serde(default)]
    pub device_uuid: Option<String>,
    #[serde(default)]
    pub splats_area_id: Option<String>,
}

pub fn export(conn: &Connection, config: &Config, now: i64) -> Result<Exported> {
    let mut stores = Vec::new();
    for s in store::list_stores(conn)? {
        let mut areas = Vec::new();
        for a in store::list_areas(conn, Some(&s.id))? {
            areas.push(ExportedArea {
                splats_area_id: mapping(conn, "areas", &a.id)?,
                id: a.id,
                name: a.name,
                sort_order: a.sort_order,
                source: a.source,
                device_uuid: a.device_uuid,
            });
        }
        stores.push(ExportedStore {
            splats_entrance_area_id: mapping(conn, "stores", &s.id)?,
            id: s.id,
            name: s.name,
            name_kana: s.name_kana,
            source: s.source,
            use_sesame: s.use_sesame,
            register_entrance_key: s.register_entrance_key,
            entrance_device_uuid: s.entrance_device_uuid,
            areas,
        });
    }
    Ok(Exported {
        format: EXPORT_FORMAT.into(),
        version: EXPORT_VERSION,
        exported_at: crate::clock::iso_jst(now),
        clouds: CloudAddresses::of(config),
        stores,
    })
}

/// What an import did, and what must still be entered on this PC.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct ImportReport {
    pub stores: usize,
    pub areas: usize,
    /// Doors whose lock is set but whose secret key is not in this PC's keyring.
    pub missing_keys: Vec<String>,
    /// Cloud secrets not yet in this PC's keyring (names, e.g. `sesame.api_key`).
    pub missing_secrets: Vec<String>,
}

/// Reads an export, checks all of it, then writes stores and areas in one transaction
/// and returns the new config for the caller to save and use.
pub fn import(
    conn: &mut Connection,
    config: &Config,
    secrets: &dyn SecretStore,
    text: &str,
    now: i64,
    actor: &str,
) -> Result<(Config, ImportReport)> {
    let file: Exported = serde_json::from_str(text.trim_start_matches('\u{feff}')).map_err(|e| {
        Error::invalid(
            Code::SettingsFileInvalid,
            format!("設定ファイルを読めません: {e}"),
            format!("cannot read the settings file: {e}"),
        )
    })?;
    if file.format != EXPORT_FORMAT || file.version != EXPORT_VERSION {
        return Err(Error::invalid(
            Code::SettingsFileInvalid,
            "受付アプリの設定ファイル (バージョン 1) ではありません",
            "not an Uketsuke settings file (version 1)",
        ));
    }
    let mut seen = std::collections::HashSet::new();
    let doors = file.stores.iter().flat_map(|s| {
        std::iter::once((format!("{} エントランス", s.name), &s.entrance_device_uuid))
            .chain(s.areas.iter().map(|a| (a.name.clone(), &a.device_uuid)))
    });
    let mut locks = Vec::new();
    for (label, uuid) in doors {
        if let Some(u) = uuid {
            let uuid = DeviceUuid::parse(u)?;
            if !seen.insert(uuid.as_str().to_string()) {
                return Err(Error::invalid(
                    Code::LockInUse,
                    format!("錠 {uuid} が 2 か所に登録されています"),
                    format!("lock {uuid} is used by two doors"),
                ));
            }
            locks.push((label, uuid));
        }
    }
    let mut next = config.clone();
    file.clouds.apply(&mut next);
    next.validate()?;

    let tx = conn.transaction()?;
    // Locks move between doors in one go: clear them all first so the unique index
    // sees only the final assignment.
    tx.execute("UPDATE areas SET device_uuid = NULL", [])?;
    tx.execute("UPDATE stores SET entrance_device_uuid = NULL", [])?;
    let mut areas = 0;
    for s in &file.stores {
        tx.execute(
            "INSERT INTO stores (id, name, name_kana, source, use_sesame, register_entrance_key, entrance_device_uuid, splats_entrance_area_id, active, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 1, ?9)
             ON CONFLICT(id) DO UPDATE SET name = excluded.name, name_kana = excluded.name_kana, use_sesame = excluded.use_sesame,
               register_entrance_key = excluded.register_entrance_key, entrance_device_uuid = excluded.entrance_device_uuid,
               splats_entrance_area_id = excluded.splats_entrance_area_id, active = 1, updated_at = excluded.updated_at",
            params![s.id, s.name, s.name_kana, s.source.as_str(), s.use_sesame, s.register_entrance_key, upper(&s.entrance_device_uuid), s.splats_entrance_area_id, now],
        )?;
        for a in &s.areas {
            tx.execute(
                "INSERT INTO areas (id, store_id, name, sort_order, device_uuid, source, splats_area_id, active, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 1, ?8)
                 ON CONFLICT(id) DO UPDATE SET store_id = excluded.store_id, name = excluded.name, sort_order = excluded.sort_order,
                   device_uuid = excluded.device_uuid, splats_area_id = excluded.splats_area_id, active = 1, updated_at = excluded.updated_at",
                params![a.id, s.id, a.name, a.sort_order, upper(&a.device_uuid), a.source.as_str(), a.splats_area_id, now],
            )?;
            areas += 1;
        }
    }
    let event = AuditEvent::new(actor, "settings.import", None, true)
        .with_detail(serde_json::json!({ "stores": file.stores.len(), "areas": areas }));
    audit::record(&tx, &event)?;
    tx.commit()?;

    let mut missing_keys = Vec::new();
    for (label, uuid) in locks {
        if secrets.get(&names::device_secret(uuid.as_str()))?.is_none() {
            missing_keys.push(label);
        }
    }
    let mut missing_secrets = Vec::new();
    for name in [names::SESAME_API_KEY, names::SPLATS_TOKEN, names::RESERVATION_CLIENT_SECRET] {
        if secrets.get(name)?.is_none() {
            missing_secrets.push(name.to_string());
        }
    }
    Ok((next, ImportReport { stores: file.stores.len(), areas, missing_keys, missing_secrets }))
}

/// UUIDs are kept upper-case, as [`DeviceUuid`] writes them.
fn upper(uuid: &Option<String>) -> Option<String> {
    uuid.as_deref().and_then(|u| DeviceUuid::parse(u).ok()).map(|u| u.as_str().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secrets::MemorySecrets;

    const UUID_A: &str = "11111111-2222-3333-4444-555555555555";
    const UUID_B: &str = "AAAAAAAA-BBBB-CCCC-DDDD-EEEEEEEEEEEE";
    const KEY: &str = "00112233445566778899aabbccddeeff";

    fn facility() -> Connection {
        let conn = db::open_in_memory().unwrap();
        conn.execute_batch(
            "INSERT INTO stores (id, name, source, updated_at) VALUES ('S001', '渋谷店', 'reservation', 0);
             INSERT INTO areas (id, store_id, name, source, updated_at) VALUES ('A101', 'S001', '会議室A', 'reservation', 0);
             INSERT INTO splats_areas (area_id, name, raw, updated_at) VALUES ('sa-1', '会議室A', '{}', 0);",
        )
        .unwrap();
        conn
    }

    fn area(id: Option<&str>, name: &str, uuid: Option<&str>, key: Option<&str>) -> AreaInput {
        AreaInput {
            id: id.map(String::from),
            store_id: "S001".into(),
            name: name.into(),
            device_uuid: uuid.map(String::from),
            secret_key: key.map(String::from),
            splats_area_id: None,
        }
    }

    #[test]
    fn a_lock_needs_a_good_uuid_and_a_32_hex_key_once() {
        let mut conn = facility();
        let secrets = MemorySecrets::default();
        let bad_uuid = save_area(
            &mut conn,
            &secrets,
            &area(Some("A101"), "会議室A", Some("not-a-uuid"), Some(KEY)),
            1,
            "m",
        );
        assert_eq!(bad_uuid.unwrap_err().code(), "uuid_invalid");
        let short_key = save_area(
            &mut conn,
            &secrets,
            &area(Some("A101"), "会議室A", Some(UUID_A), Some("abcd")),
            1,
            "m",
        )
        .unwrap_err();
        assert_eq!(short_key.code(), "secret_key_invalid");
        assert!(short_key.message(crate::Lang::Ja).contains("32"), "{}", short_key.message(crate::Lang::Ja));
        let no_key =
            save_area(&mut conn, &secrets, &area(Some("A101"), "会議室A", Some(UUID_A), None), 1, "m")
                .unwrap_err();
        assert_eq!(no_key.code(), "secret_key_missing");
        assert!(no_key.message(crate::Lang::En).contains("secret key"));

        save_area(
            &mut conn,
            &secrets,
            &area(Some("A101"), "会議室A", Some(&UUID_A.to_lowercase()), Some(KEY)),
            1,
            "m",
        )
        .unwrap();
        assert_eq!(secrets.get(&names::device_secret(UUID_A)).unwrap().as_deref(), Some(KEY));
        // Saved once, the key may be left empty on the next save.
        save_area(&mut conn, &secrets, &area(Some("A101"), "会議室A", Some(UUID_A), None), 2, "m").unwrap();
        let v = view(&conn, &Config::default(), &secrets).unwrap();
        let a = &v.stores[0].areas[0];
        assert_eq!(a.device_uuid.as_deref(), Some(UUID_A));
        assert!(a.secret_key.set);
        assert_eq!(a.secret_key.masked.as_deref(), Some("••••••••eeff"));
        assert!(!serde_json::to_string(&v).unwrap().contains(KEY), "the view never carries the key");
    }

    #[test]
    fn a_lock_serves_one_door_and_names_are_unique() {
        let mut conn = facility();
        let secrets = MemorySecrets::default();
        save_area(&mut conn, &secrets, &area(Some("A101"), "会議室A", Some(UUID_A), Some(KEY)), 1, "m")
            .unwrap();
        let twice = save_area(&mut conn, &secrets, &area(None, "会議室Z", Some(UUID_A), Some(KEY)), 1, "m")
            .unwrap_err();
        assert!(
            twice.message(crate::Lang::Ja).contains("既に area:A101「会議室A」で使われています"),
            "{}",
            twice.message(crate::Lang::Ja)
        );
        let dup = save_area(&mut conn, &secrets, &area(None, "会議室Ａ", None, None), 1, "m").unwrap_err();
        assert!(dup.message(crate::Lang::En).contains("already has an area"));
        let renamed =
            save_area(&mut conn, &secrets, &area(Some("A101"), "大会議室", Some(UUID_A), None), 1, "m")
                .unwrap_err();
        assert!(renamed.message(crate::Lang::En).contains("reservation system"));

        let id =
            save_area(&mut conn, &secrets, &area(None, "倉庫", Some(UUID_B), Some(KEY)), 1, "m").unwrap();
        assert_eq!(id, "M-A001");
        // Removing the hand-made area forgets its key; the synced one cannot be removed here.
        remove(&mut conn, &secrets, &crate::lock::Target::Area(id), "m").unwrap();
        assert_eq!(secrets.get(&names::device_secret(UUID_B)).unwrap(), None);
        assert!(remove(&mut conn, &secrets, &crate::lock::Target::Area("A101".into()), "m").is_err());
    }

    #[test]
    fn stores_by_hand_with_an_entrance_lock_and_a_splats_mapping() {
        let mut conn = facility();
        let secrets = MemorySecrets::default();
        let mut input = StoreInput {
            name: "池袋店".into(),
            register_entrance_key: true,
            use_sesame: true,
            ..StoreInput::default()
        };
        assert!(save_store(&mut conn, &secrets, &input, 1, "m").is_err(), "entrance key without a UUID");
        input.entrance_device_uuid = Some(UUID_B.into());
        input.entrance_secret_key = Some(KEY.into());
        input.splats_entrance_area_id = Some("sa-404".into());
        assert!(save_store(&mut conn, &secrets, &input, 1, "m")
            .unwrap_err()
            .message(crate::Lang::Ja)
            .contains("sa-404"));
        input.splats_entrance_area_id = Some("sa-1".into());
        let id = save_store(&mut conn, &secrets, &input, 1, "m").unwrap();
        let s = store::get_store(&conn, &id).unwrap().unwrap();
        assert_eq!((s.name.as_str(), s.entrance_device_uuid.as_deref()), ("池袋店", Some(UUID_B)));
        let events = audit::recent(&conn, 5).unwrap();
        let text = serde_json::to_string(&events.iter().map(|e| &e.detail).collect::<Vec<_>>()).unwrap();
        assert!(
            events.iter().any(|e| e.action == "settings.store") && !text.contains(KEY),
            "audited without the key: {text}"
        );
    }

    #[test]
    fn cloud_settings_check_shapes_and_keep_secrets_out_of_the_config() {
        let secrets = MemorySecrets::default();
        let config = Config::default();
        let bad = CloudInput { sesame_api_key: Some("short".into()), ..CloudInput::default() };
        let address = |base: &str, client: Option<&str>| CloudAddresses {
            reservation_base_url: Some(base.into()),
            reservation_client_id: client.map(String::from),
            ..CloudAddresses::default()
        };
        assert!(apply_clouds(&config, &secrets, &bad)
            .unwrap_err()
            .message(crate::Lang::Ja)
            .contains("40 文字"));
        let no_client =
            CloudInput { addresses: address("https://r.example.jp", None), ..CloudInput::default() };
        assert!(apply_clouds(&config, &secrets, &no_client).is_err());
        let input = CloudInput {
            addresses: address("https://r.example.jp", Some("cid")),
            reservation_client_secret: Some("client-secret-1".into()),
            sesame_api_key: Some("A".repeat(40)),
            ..CloudInput::default()
        };
        let (next, changed) = apply_clouds(&config, &secrets, &input).unwrap();
        assert_eq!(next.reservation.client_id.as_deref(), Some("cid"));
        assert!(changed.contains(&"sesame.api_key") && changed.contains(&"reservation.base_url"));
        let toml = toml::to_string(&next).unwrap();
        assert!(!toml.contains("client-secret-1") && !toml.contains(&"A".repeat(40)));
        assert_eq!(secrets.get(names::SESAME_API_KEY).unwrap(), Some("A".repeat(40)));
    }

    #[test]
    fn export_then_import_on_a_second_pc() {
        let mut conn = facility();
        let secrets = MemorySecrets::default();
        save_area(&mut conn, &secrets, &area(Some("A101"), "会議室A", Some(UUID_A), Some(KEY)), 1, "m")
            .unwrap();
        crate::splats::cache::map_area(&conn, "A101", Some("sa-1")).unwrap();
        let mut config = Config::default();
        config.reservation.base_url = Some("https://r.example.jp".into());
        config.reservation.client_id = Some("cid".into());
        let exported = serde_json::to_string_pretty(&export(&conn, &config, 0).unwrap()).unwrap();
        assert!(!exported.contains(KEY));

        let mut second = db::open_in_memory().unwrap();
        let second_secrets = MemorySecrets::default();
        let (next, report) =
            import(&mut second, &Config::default(), &second_secrets, &exported, 5, "m").unwrap();
        assert_eq!((report.stores, report.areas), (1, 1));
        assert_eq!(report.missing_keys, ["会議室A"]);
        assert_eq!(next.reservation.client_id.as_deref(), Some("cid"));
        assert_eq!(store::get_area(&second, "A101").unwrap().unwrap().device_uuid.as_deref(), Some(UUID_A));
        assert_eq!(mapping(&second, "areas", "A101").unwrap().as_deref(), Some("sa-1"));

        let broken = exported.replace(UUID_A, "bad-uuid");
        assert!(import(&mut second, &Config::default(), &second_secrets, &broken, 6, "m").is_err());
        assert!(
            import(&mut second, &Config::default(), &second_secrets, "{\"format\":\"x\"}", 6, "m").is_err()
        );
    }
}
