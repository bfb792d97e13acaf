//! Shared rows between SQLite and PostgreSQL: a row read as JSON (column → value) to
//! be sent, and a row from PostgreSQL written into SQLite, whatever the columns are.
//!
//! Which tables are shared, and in which order they are applied (a store before its
//! areas and guests), is [`TABLES`]. A guest carries its areas; a guest's access
//! carries its TOTP seed sealed with the facility key (the seed itself lives in each
//! PC's keyring, never in either database).

use super::seal::FacilityKey;
use crate::error::Result;
use crate::secrets::{names, ExposeSecret, SecretStore};
use base64::Engine;
use rusqlite::types::ValueRef;
use rusqlite::{params, Connection, OptionalExtension};
use serde_json::{Map, Value};

/// The shared tables, in the order a batch is applied, with their key column.
pub const TABLES: &[(&str, &str)] =
    &[("stores", "id"), ("areas", "id"), ("guests", "id"), ("guest_access", "guest_id")];

fn key_column(tbl: &str) -> Option<&'static str> {
    TABLES.iter().find(|(t, _)| *t == tbl).map(|(_, k)| *k)
}

/// Rank of a table in [`TABLES`] (unknown ones last).
pub fn rank(tbl: &str) -> usize {
    TABLES.iter().position(|(t, _)| *t == tbl).unwrap_or(TABLES.len())
}

/// The row as JSON, or `None` if it is gone.
pub fn read(
    conn: &Connection,
    tbl: &str,
    id: &str,
    key: &FacilityKey,
    secrets: &dyn SecretStore,
) -> Result<Option<Value>> {
    let Some(pk) = key_column(tbl) else { return Ok(None) };
    let mut stmt = conn.prepare(&format!("SELECT * FROM {tbl} WHERE {pk} = ?1"))?;
    let names: Vec<String> = stmt.column_names().into_iter().map(String::from).collect();
    let row = stmt
        .query_row([id], |r| {
            let mut m = Map::new();
            for (i, n) in names.iter().enumerate() {
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

/// Writes a row from PostgreSQL into SQLite (insert or replace its columns). The
/// caller holds the transaction and the "applying" mark, so this write is not sent
/// back. A guest's areas are replaced; a sealed seed is opened into the keyring.
pub fn apply(
    conn: &Connection,
    tbl: &str,
    id: &str,
    data: &Value,
    key: &FacilityKey,
    secrets: &dyn SecretStore,
) -> Result<()> {
    let (Some(pk), Some(obj)) = (key_column(tbl), data.as_object()) else { return Ok(()) };
    let cols: Vec<String> = columns(conn, tbl)?.into_iter().filter(|c| obj.contains_key(c)).collect();
    if !cols.iter().any(|c| c == pk) {
        return Ok(());
    }
    let marks: Vec<String> = (1..=cols.len()).map(|i| format!("?{i}")).collect();
    let updates: Vec<String> =
        cols.iter().filter(|c| *c != pk).map(|c| format!("{c} = excluded.{c}")).collect();
    let sql = format!(
        "INSERT INTO {tbl} ({}) VALUES ({}) ON CONFLICT({pk}) DO {}",
        cols.join(", "),
        marks.join(", "),
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
                let sealed = base64::engine::general_purpose::STANDARD.decode(text).unwrap_or_default();
                let seed = key.open(&name, &sealed)?;
                secrets.set(&name, &String::from_utf8_lossy(&seed))?;
            }
        }
        _ => {}
    }
    Ok(())
}
