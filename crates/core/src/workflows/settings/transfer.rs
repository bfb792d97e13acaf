//! The settings file carried to a second counter PC: every setting above except
//! secrets. Exported to a file (audited); imported whole or not at all, after which the
//! config is saved and the keyring's missing secrets are named.

use super::mapping;
use super::moved::{address_changes, audit_detail, forget_moved, AddressChange};
use super::CloudAddresses;
use crate::clouds::sesame::DeviceUuid;
use crate::desk::audit::{self, AuditEvent};
use crate::desk::cache;
use crate::desk::staff::role::{self, Deed};
use crate::platform::config::Config;
use crate::platform::db::Connection;
use crate::platform::error::{Code, Error, Result};
use crate::platform::model::{Area, Store};
use crate::platform::secrets::{names, SecretStore};
use rusqlite::params;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

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

/// A store in the file: the store as cached, with its SPLATS mapping and its areas.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ExportedStore {
    #[serde(flatten)]
    pub store: Store,
    #[serde(default)]
    pub splats_entrance_area_id: Option<String>,
    #[serde(default)]
    pub areas: Vec<ExportedArea>,
}

/// An area in the file: the area as cached, with its SPLATS mapping.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ExportedArea {
    #[serde(flatten)]
    pub area: Area,
    #[serde(default)]
    pub splats_area_id: Option<String>,
}

/// Everything a second counter PC needs, except secrets.
pub fn export(conn: &Connection, config: &Config, now: i64) -> Result<Exported> {
    let mut stores = Vec::new();
    for s in cache::list_stores(conn)? {
        let mut areas = Vec::new();
        for a in cache::list_areas(conn, Some(&s.id))? {
            areas.push(ExportedArea { splats_area_id: mapping(conn, "areas", &a.id)?, area: a });
        }
        stores.push(ExportedStore {
            splats_entrance_area_id: mapping(conn, "stores", &s.id)?,
            store: s,
            areas,
        });
    }
    Ok(Exported {
        format: EXPORT_FORMAT.into(),
        version: EXPORT_VERSION,
        exported_at: crate::platform::clock::iso_jst(now),
        clouds: CloudAddresses::of(config),
        stores,
    })
}

/// Where an export was written.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct ExportedFile {
    pub path: String,
    pub json: String,
}

/// Writes the export to `to`, a file, or a folder (then named
/// `uketsuke-settings-YYYYMMDD-HHMM.json`), and audits it. The Downloads folder is
/// [`downloads`].
pub fn export_file(
    conn: &Connection,
    config: &Config,
    to: &Path,
    now: i64,
    actor: &str,
) -> Result<ExportedFile> {
    let exported = export(conn, config, now)?;
    let json = serde_json::to_string_pretty(&exported).map_err(|e| Error::config("export", e.to_string()))?;
    let path = if to.is_dir() {
        let stamp = exported.exported_at.get(..16).unwrap_or("").replace(['-', ':'], "").replace('T', "-");
        to.join(format!("uketsuke-settings-{stamp}.json"))
    } else {
        to.to_path_buf()
    };
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(&path, &json)?;
    let event = AuditEvent::new(actor, "settings.export", None, true)
        .with_detail(serde_json::json!({ "stores": exported.stores.len() }));
    audit::record(conn, &event)?;
    Ok(ExportedFile { path: path.display().to_string(), json })
}

/// The user's Downloads folder, else the temporary folder.
pub fn downloads() -> PathBuf {
    directories::UserDirs::new()
        .and_then(|u| u.download_dir().map(|d| d.to_path_buf()))
        .unwrap_or_else(std::env::temp_dir)
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

/// A settings file read and checked whole, not yet applied.
struct Checked {
    file: Exported,
    /// Each door's lock: its label and UUID.
    locks: Vec<(String, DeviceUuid)>,
}

fn check(text: &str) -> Result<Checked> {
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
        std::iter::once((format!("{} エントランス", s.store.name), &s.store.entrance_device_uuid))
            .chain(s.areas.iter().map(|a| (a.area.name.clone(), &a.area.device_uuid)))
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
    Ok(Checked { file, locks })
}

/// What an import would do, for a person to confirm first: how many stores and areas,
/// and every cloud address it changes (whose credentials it would remove).
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct ImportPreview {
    pub stores: usize,
    pub areas: usize,
    pub moved: Vec<AddressChange>,
}

/// The config with the file's cloud addresses.
fn with_addresses(config: &Config, file: &Exported) -> Config {
    let mut next = config.clone();
    file.clouds.apply(&mut next);
    next
}

/// Reads and checks a settings file without applying it.
pub fn preview_import(config: &Config, text: &str) -> Result<ImportPreview> {
    let Checked { file, .. } = check(text)?;
    let next = with_addresses(config, &file);
    Ok(ImportPreview {
        stores: file.stores.len(),
        areas: file.stores.iter().map(|s| s.areas.len()).sum(),
        moved: address_changes(config, &next),
    })
}

/// Reads an export and checks all of it; writes stores and areas in one transaction;
/// then removes the credentials of every cloud whose address it moves, before the new
/// config is saved to its file (when it has one) and returned for the caller to use.
/// A failure before the commit changes nothing.
pub fn import(
    conn: &mut Connection,
    config: &Config,
    secrets: &dyn SecretStore,
    text: &str,
    now: i64,
    actor: &str,
) -> Result<(Config, ImportReport)> {
    role::require_here(conn, Deed::Change)?;
    let Checked { file, locks } = check(text)?;
    let next = with_addresses(config, &file);
    next.validate()?;
    let moved = address_changes(config, &next);

    let tx = conn.transaction()?;
    // Locks move between doors in one go: clear them all first so the unique index
    // sees only the final assignment.
    tx.execute("UPDATE areas SET device_uuid = NULL", [])?;
    tx.execute("UPDATE stores SET entrance_device_uuid = NULL", [])?;
    let mut areas = 0;
    for s in &file.stores {
        let st = &s.store;
        tx.execute(
            "INSERT INTO stores (id, name, name_kana, source, use_sesame, register_entrance_key, entrance_device_uuid, splats_entrance_area_id, active, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 1, ?9)
             ON CONFLICT(id) DO UPDATE SET name = excluded.name, name_kana = excluded.name_kana, use_sesame = excluded.use_sesame,
               register_entrance_key = excluded.register_entrance_key, entrance_device_uuid = excluded.entrance_device_uuid,
               splats_entrance_area_id = excluded.splats_entrance_area_id, active = 1, updated_at = excluded.updated_at",
            params![st.id, st.name, st.name_kana, st.source.as_str(), st.use_sesame, st.register_entrance_key, upper(&st.entrance_device_uuid), s.splats_entrance_area_id, now],
        )?;
        for a in &s.areas {
            tx.execute(
                "INSERT INTO areas (id, store_id, name, sort_order, device_uuid, source, splats_area_id, active, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 1, ?8)
                 ON CONFLICT(id) DO UPDATE SET store_id = excluded.store_id, name = excluded.name, sort_order = excluded.sort_order,
                   device_uuid = excluded.device_uuid, splats_area_id = excluded.splats_area_id, active = 1, updated_at = excluded.updated_at",
                params![a.area.id, st.id, a.area.name, a.area.sort_order, upper(&a.area.device_uuid), a.area.source.as_str(), a.splats_area_id, now],
            )?;
            areas += 1;
        }
    }
    let event = AuditEvent::new(actor, "settings.import", None, true).with_detail(
        serde_json::json!({ "stores": file.stores.len(), "areas": areas, "moved": audit_detail(&moved) }),
    );
    audit::record(&tx, &event)?;
    tx.commit()?;
    forget_moved(&moved, secrets)?;
    if let Some(path) = &config.source {
        // Written whole then renamed: a crash leaves the old file.
        next.save(path)?;
    }

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
