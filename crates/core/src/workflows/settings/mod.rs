//! What a manager configures: the clouds' credentials, stores and their entrances,
//! areas and their locks, and how they map onto SPLATS areas.
//!
//! Modelled on the reservation system's own settings screens (`docs/reference/vendor-documents.md`): per store
//! "use SESAME", "register entrance key", the entrance's device UUID and secret key;
//! per area its device UUID and secret key. Secrets go to the keyring only; what this
//! module returns says whether a secret is set and shows it masked, never the value.
//! Every change is audited with the names of the fields changed, never their values.
//!
//! By concern: [`view`] (what the screens show), `clouds` (addresses and
//! credentials), `doors` (stores, areas, their locks and mappings), `removal`
//! (removing one without leaving door rights behind, [`remove_door`]) and `transfer` (the settings
//! file for a second PC).

mod clouds;
mod doors;
pub mod moved;
mod removal;
mod transfer;
mod view;

pub use clouds::{
    apply_clouds, check_sesame_api_key, save_clouds, CloudAddresses, CloudInput, CloudsApplied,
};
pub use doors::{import_lock_qr, save_area, save_store, AreaInput, StoreInput};
pub use moved::AddressChange;
pub use removal::remove_door;
pub use transfer::{
    downloads, export, export_file, import, preview_import, Exported, ExportedArea, ExportedFile,
    ExportedStore, ImportPreview, ImportReport, EXPORT_FORMAT, EXPORT_VERSION,
};
pub use view::{view, AreaSettings, SecretState, SettingsView, SplatsAreaChoice, StoreSettings};

use crate::desk::audit::{self, AuditEvent};
use crate::platform::db::Connection;
use crate::platform::error::Result;
use crate::platform::secrets::{ExposeSecret, SecretString};
use rusqlite::OptionalExtension;

/// `None` for an empty field, the trimmed text otherwise.
fn given(v: &Option<String>) -> Option<String> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(String::from)
}

/// [`given`] for a secret field: it stays a [`SecretString`] throughout.
fn given_secret(v: &Option<SecretString>) -> Option<SecretString> {
    v.as_ref().map(|s| s.expose_secret().trim()).filter(|s| !s.is_empty()).map(SecretString::from)
}

/// The SPLATS area an area (`areas`) or a store's entrance (`stores`) is mapped to.
fn mapping(conn: &Connection, table: &str, id: &str) -> Result<Option<String>> {
    let column = if table == "areas" { "splats_area_id" } else { "splats_entrance_area_id" };
    let sql = format!("SELECT {column} FROM {table} WHERE id = ?1");
    Ok(conn.query_row(&sql, [id], |r| r.get(0)).optional()?.flatten())
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

#[cfg(test)]
mod tests;
