//! Shared rows between SQLite and PostgreSQL: a row read as JSON (column → value) to
//! be sent, and a row from PostgreSQL written into SQLite, whatever the columns are.
//!
//! Which tables are shared, and in which order they are applied (a store before its
//! areas and guests), is [`TABLES`]. A guest carries its areas; a guest's access
//! carries its TOTP seed sealed with the facility key (the seed itself lives in each
//! PC's keyring, never in either database). A deleted row travels as a tombstone
//! (JSON `null`) and is deleted where it arrives.

use super::seal::FacilityKey;
use base64::Engine;
use rusqlite::types::ValueRef;
use rusqlite::{params, Connection, OptionalExtension};
use serde_json::{Map, Value};
use uketsuke_core::platform::error::Result;
use uketsuke_core::platform::secrets::{names, ExposeSecret, SecretStore};

/// One shared table: its name, the SQL giving a row's id (as the triggers of
/// migrations 009, 011 and 012 mark it), the columns that id stands for, and columns
/// that stay on each PC (a local row number).
#[derive(Debug, Clone, Copy)]
pub struct Table {
    pub name: &'static str,
    pub id: &'static str,
    pub columns: &'static [&'static str],
    pub local: &'static [&'static str],
}

const fn table(name: &'static str, id: &'static str, columns: &'static [&'static str]) -> Table {
    Table { name, id, columns, local: &[] }
}

/// The shared tables, in the order a batch is applied (a store before its areas, a
/// SPLATS area before the pass controllers in it).
pub const TABLES: &[Table] = &[
    table("stores", "id", &["id"]),
    table("areas", "id", &["id"]),
    table("guests", "id", &["id"]),
    table("guest_access", "guest_id", &["guest_id"]),
    table("splats_areas", "area_id", &["area_id"]),
    table("splats_passes", "device_id", &["device_id"]),
    table("lock_status", "device_uuid", &["device_uuid"]),
    table("key_units", "device_id || ':' || unit_no", &["device_id", "unit_no"]),
    table("alert_acks", "id", &["id"]),
    table("handover_notes", "id", &["id"]),
    // A key handed to a guest: numbered per PC, so known by what it is.
    Table {
        name: "guest_keys",
        id: "guest_id || ':' || device_id || ':' || unit_no || ':' || given_at",
        columns: &["guest_id", "device_id", "unit_no", "given_at"],
        local: &["id"],
    },
];

fn table_of(tbl: &str) -> Option<&'static Table> {
    TABLES.iter().find(|t| t.name == tbl)
}

/// Rank of a table in [`TABLES`] (unknown ones last).
/// An SQL expression of `tbl`'s [`rank`], so that rows are sent parents first: a new
/// PC receives them in that order, whatever their size.
pub fn rank_sql() -> String {
    let whens: String =
        TABLES.iter().enumerate().map(|(i, t)| format!(" WHEN '{}' THEN {i}", t.name)).collect();
    format!("CASE tbl{whens} ELSE {} END", TABLES.len())
}

pub fn rank(tbl: &str) -> usize {
    TABLES.iter().position(|t| t.name == tbl).unwrap_or(TABLES.len())
}

/// The row as JSON, or `None` if it is gone.
pub fn read(
    conn: &Connection,
    tbl: &str,
    id: &str,
    key: &FacilityKey,
    secrets: &dyn SecretStore,
) -> Result<Option<Value>> {
    let Some(t) = table_of(tbl) else { return Ok(None) };
    let mut stmt = conn.prepare(&format!("SELECT * FROM {tbl} WHERE {} = ?1", t.id))?;
    let names: Vec<String> = stmt.column_names().into_iter().map(String::from).collect();
    let row = stmt
        .query_row([id], |r| {
            let mut m = Map::new();
            for (i, n) in names.iter().enumerate().filter(|(_, n)| !t.local.contains(&n.as_str())) {
                m.insert(n.clone(), to_json(r.get_ref(i)?));
            }
            Ok(m)
        })
        .optional()?;
    let Some(mut row) = row else { return Ok(None) };
    match tbl {
        "guests" => {
            let mut s =
                conn.prepare("SELECT area_id FROM guest_areas WHERE guest_id = ?1 ORDER BY area_id")?;
            let areas: Vec<String> = s.query_map([id], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
            row.insert("areas".into(), Value::from(areas));
        }
        "guest_access" => {
            let name = names::guest_seed(id);
            if let Some(seed) = secrets.get(&name)? {
                let sealed = key.seal(&name, seed.expose_secret().as_bytes());
                row.insert(
                    "sealed_seed".into(),
                    base64::engine::general_purpose::STANDARD.encode(sealed).into(),
                );
            }
        }
        _ => {}
    }
    Ok(Some(Value::Object(row)))
}

fn to_json(v: ValueRef<'_>) -> Value {
    match v {
        ValueRef::Null => Value::Null,
        ValueRef::Integer(i) => i.into(),
        ValueRef::Real(f) => f.into(),
        ValueRef::Text(t) => String::from_utf8_lossy(t).into_owned().into(),
        ValueRef::Blob(b) => base64::engine::general_purpose::STANDARD.encode(b).into(),
    }
}

fn to_sql(v: &Value) -> rusqlite::types::Value {
    use rusqlite::types::Value as V;
    match v {
        Value::Null => V::Null,
        Value::Bool(b) => V::Integer(i64::from(*b)),
        Value::Number(n) => n.as_i64().map(V::Integer).unwrap_or_else(|| V::Real(n.as_f64().unwrap_or(0.0))),
        Value::String(s) => V::Text(s.clone()),
        other => V::Text(other.to_string()),
    }
}

/// The columns this PC's SQLite has for `tbl` (a PC on an older version ignores the
/// columns it does not know).
fn columns(conn: &Connection, tbl: &str) -> Result<Vec<String>> {
    let mut s = conn.prepare(&format!("SELECT name FROM pragma_table_info('{tbl}')"))?;
    let cols = s.query_map([], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
    Ok(cols)
}

/// Writes a row from PostgreSQL into SQLite (insert or replace its columns), or
/// deletes it (a tombstone). The caller holds the transaction and the "applying" mark,
/// so this write is not sent back. A guest's areas are replaced; a sealed seed is
/// opened into the keyring.
pub fn apply(
    conn: &Connection,
    tbl: &str,
    id: &str,
    data: &Value,
    key: &FacilityKey,
    secrets: &dyn SecretStore,
) -> Result<()> {
    let Some(t) = table_of(tbl) else { return Ok(()) };
    if data.is_null() {
        conn.execute(&format!("DELETE FROM {tbl} WHERE {} = ?1", t.id), [id])?;
        if tbl == "guest_access" {
            secrets.delete(&names::guest_seed(id))?; // its QR is gone with it
        }
        return Ok(());
    }
    let Some(obj) = data.as_object() else { return Ok(()) };
    let cols: Vec<String> = columns(conn, tbl)?
        .into_iter()
        .filter(|c| obj.contains_key(c) && !t.local.contains(&c.as_str()))
        .collect();
    if !t.columns.iter().all(|k| cols.iter().any(|c| c == k)) {
        return Ok(());
    }
    let marks: Vec<String> = (1..=cols.len()).map(|i| format!("?{i}")).collect();
    let updates: Vec<String> = cols
        .iter()
        .filter(|c| !t.columns.contains(&c.as_str()))
        .map(|c| format!("{c} = excluded.{c}"))
        .collect();
    let sql = format!(
        "INSERT INTO {tbl} ({}) VALUES ({}) ON CONFLICT({}) DO {}",
        cols.join(", "),
        marks.join(", "),
        t.columns.join(", "),
        if updates.is_empty() { "NOTHING".to_string() } else { format!("UPDATE SET {}", updates.join(", ")) }
    );
    let values: Vec<rusqlite::types::Value> = cols.iter().map(|c| to_sql(&obj[c])).collect();
    conn.execute(&sql, rusqlite::params_from_iter(values))?;
    match tbl {
        "guests" => {
            conn.execute("DELETE FROM guest_areas WHERE guest_id = ?1", [id])?;
            for area in
                obj.get("areas").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str)
            {
                conn.execute(
                    "INSERT OR IGNORE INTO guest_areas (guest_id, area_id)
                     SELECT ?1, ?2 WHERE EXISTS (SELECT 1 FROM areas WHERE id = ?2)",
                    params![id, area],
                )?;
            }
        }
        "guest_access" => {
            if let Some(text) = obj.get("sealed_seed").and_then(Value::as_str) {
                let name = names::guest_seed(id);
                // A guest's seed opens their doors: kept only by a role that shows QRs.
                let role = uketsuke_core::desk::staff::role::kept(conn)?;
                if uketsuke_core::desk::staff::role::keeps_secret(role, &name) {
                    let sealed = base64::engine::general_purpose::STANDARD.decode(text).unwrap_or_default();
                    let seed = key.open(&name, &sealed)?;
                    secrets.set(&name, &String::from_utf8_lossy(&seed))?;
                }
            }
        }
        _ => {}
    }
    Ok(())
}
