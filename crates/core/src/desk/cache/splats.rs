//! The SQLite copy of what SPLATS knows: areas, pass controllers, and how a manager
//! mapped them onto the app's areas and entrances.

use crate::clouds::splats::model::{Area, Device};
use crate::platform::error::{Code, Error, Result};
use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;
use serde_json::Value;

/// What a sync changed in one table.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Changes {
    pub upserted: usize,
    pub retired: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CachedArea {
    pub area_id: String,
    pub name: String,
    pub active: bool,
    /// The app areas (`area:ID`) and entrances (`entrance:STORE`) mapped onto it.
    pub mapped_to: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CachedPass {
    pub device_id: String,
    pub name: String,
    pub area_id: Option<String>,
    pub active: bool,
    pub status: Option<Value>,
    pub status_at: Option<i64>,
}

/// Mirrors the SPLATS area list in one transaction. Areas that vanished are marked
/// inactive, not deleted, so that a manager's mapping survives a temporary glitch.
pub fn save_areas(conn: &mut Connection, areas: &[Area], now: i64) -> Result<Changes> {
    let tx = conn.transaction()?;
    let mut c = Changes::default();
    for a in areas {
        let raw = serde_json::to_string(a).unwrap_or_default();
        tx.execute(
            "INSERT INTO splats_areas (area_id, name, raw, active, updated_at) VALUES (?1, ?2, ?3, 1, ?4)
             ON CONFLICT(area_id) DO UPDATE SET name = excluded.name, raw = excluded.raw, active = 1, updated_at = excluded.updated_at",
            params![a.area_id, a.area_name, raw, now],
        )?;
        c.upserted += 1;
    }
    c.retired =
        tx.execute("UPDATE splats_areas SET active = 0 WHERE active = 1 AND updated_at <> ?1", [now])?;
    tx.commit()?;
    Ok(c)
}

pub fn save_passes(conn: &mut Connection, passes: &[Device], now: i64) -> Result<Changes> {
    let tx = conn.transaction()?;
    let mut c = Changes::default();
    for d in passes {
        let raw = serde_json::to_string(d).unwrap_or_default();
        tx.execute(
            "INSERT INTO splats_passes (device_id, name, area_id, raw, active, updated_at) VALUES (?1, ?2, ?3, ?4, 1, ?5)
             ON CONFLICT(device_id) DO UPDATE SET name = excluded.name, area_id = excluded.area_id, raw = excluded.raw,
               active = 1, updated_at = excluded.updated_at",
            params![d.device_id, d.device_name, d.area_id, raw, now],
        )?;
        c.upserted += 1;
    }
    c.retired =
        tx.execute("UPDATE splats_passes SET active = 0 WHERE active = 1 AND updated_at <> ?1", [now])?;
    tx.commit()?;
    Ok(c)
}

pub fn save_pass_status(conn: &Connection, device_id: &str, status: &Value, now: i64) -> Result<()> {
    conn.execute(
        "UPDATE splats_passes SET status = ?2, status_at = ?3 WHERE device_id = ?1",
        params![device_id, status.to_string(), now],
    )?;
    Ok(())
}

pub fn areas(conn: &Connection) -> Result<Vec<CachedArea>> {
    let mut stmt = conn.prepare(
        "SELECT s.area_id, s.name, s.active,
                (SELECT group_concat(m, ',') FROM (
                    SELECT 'area:' || a.id AS m FROM areas a WHERE a.splats_area_id = s.area_id
                    UNION ALL
                    SELECT 'entrance:' || t.id FROM stores t WHERE t.splats_entrance_area_id = s.area_id))
         FROM splats_areas s ORDER BY s.active DESC, s.name",
    )?;
    let rows = stmt.query_map([], |r| {
        let mapped: Option<String> = r.get(3)?;
        Ok(CachedArea {
            area_id: r.get(0)?,
            name: r.get(1)?,
            active: r.get(2)?,
            mapped_to: mapped.map(|m| m.split(',').map(String::from).collect()).unwrap_or_default(),
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn passes(conn: &Connection) -> Result<Vec<CachedPass>> {
    let mut stmt = conn.prepare(
        "SELECT device_id, name, area_id, active, status, status_at FROM splats_passes ORDER BY active DESC, name",
    )?;
    let rows = stmt.query_map([], |r| {
        let status: Option<String> = r.get(4)?;
        Ok(CachedPass {
            device_id: r.get(0)?,
            name: r.get(1)?,
            area_id: r.get(2)?,
            active: r.get(3)?,
            status: status.and_then(|s| serde_json::from_str(&s).ok()),
            status_at: r.get(5)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Checks that a SPLATS area is known and current before anything points at it.
/// A SPLATS area that can be mapped onto: known from a sync and still in SPLATS.
pub(crate) fn require_splats_area(conn: &Connection, splats_area_id: &str) -> Result<()> {
    let active: Option<bool> = conn
        .query_row("SELECT active FROM splats_areas WHERE area_id = ?1", [splats_area_id], |r| r.get(0))
        .optional()?;
    match active {
        Some(true) => Ok(()),
        Some(false) => Err(Error::invalid(
            Code::SplatsAreaGone,
            format!("SPLATS エリア {splats_area_id} は SPLATS から消えています。同期し直してください"),
            format!("SPLATS area {splats_area_id} is no longer in SPLATS; sync again"),
        )),
        None => Err(Error::invalid(
            Code::SplatsAreaUnknown,
            format!("SPLATS エリア {splats_area_id} がありません。先に同期してください"),
            format!("SPLATS area {splats_area_id} is unknown; sync first"),
        )),
    }
}

/// Maps an app area onto a SPLATS area (or clears it with `None`).
pub fn map_area(conn: &Connection, area_id: &str, splats_area_id: Option<&str>) -> Result<()> {
    crate::desk::staff::role::require_here(conn, crate::desk::staff::role::Deed::Change)?;
    if let Some(s) = splats_area_id {
        require_splats_area(conn, s)?;
    }
    let n =
        conn.execute("UPDATE areas SET splats_area_id = ?2 WHERE id = ?1", params![area_id, splats_area_id])?;
    if n == 0 {
        return Err(Error::not_found(format!("area {area_id}")));
    }
    Ok(())
}

/// Maps a store's entrance onto a SPLATS area (or clears it).
pub fn map_entrance(conn: &Connection, store_id: &str, splats_area_id: Option<&str>) -> Result<()> {
    crate::desk::staff::role::require_here(conn, crate::desk::staff::role::Deed::Change)?;
    if let Some(s) = splats_area_id {
        require_splats_area(conn, s)?;
    }
    let n = conn.execute(
        "UPDATE stores SET splats_entrance_area_id = ?2 WHERE id = ?1",
        params![store_id, splats_area_id],
    )?;
    if n == 0 {
        return Err(Error::not_found(format!("store {store_id}")));
    }
    Ok(())
}

/// The SPLATS areas a booking of these app areas must open: each area's own and the
/// store's entrance. An unmapped area is an error, never a silent "no access".
pub fn splats_areas_for(conn: &Connection, store_id: &str, area_ids: &[String]) -> Result<Vec<String>> {
    let mut out = Vec::new();
    let entrance: Option<Option<String>> = conn
        .query_row("SELECT splats_entrance_area_id FROM stores WHERE id = ?1", [store_id], |r| r.get(0))
        .optional()?;
    if let Some(Some(e)) = entrance {
        out.push(e);
    }
    for a in area_ids {
        let mapped: Option<Option<String>> =
            conn.query_row("SELECT splats_area_id FROM areas WHERE id = ?1", [a], |r| r.get(0)).optional()?;
        match mapped {
            Some(Some(s)) => out.push(s),
            Some(None) => {
                return Err(Error::invalid(
                    Code::SplatsAreaUnmapped,
                    format!("エリア {a} に SPLATS エリアが割り当てられていません"),
                    format!("area {a} has no SPLATS area mapped"),
                ))
            }
            None => return Err(Error::not_found(format!("area {a}"))),
        }
    }
    out.sort();
    out.dedup();
    Ok(out)
}

/// [`splats_areas_for`] without the rooms that have no SPLATS area: the entrance and
/// the rooms still mapped, and how many rooms those are.
pub fn mapped_splats_areas_for(
    conn: &Connection,
    store_id: &str,
    area_ids: &[String],
) -> Result<(Vec<String>, usize)> {
    let mapped: Vec<String> = area_ids
        .iter()
        .filter(|a| splats_areas_for(conn, store_id, std::slice::from_ref(*a)).is_ok())
        .cloned()
        .collect();
    Ok((splats_areas_for(conn, store_id, &mapped)?, mapped.len()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::platform::db;

    fn area(id: &str, name: &str) -> Area {
        Area { area_id: id.into(), area_name: name.into(), extra: Default::default() }
    }

    #[test]
    fn vanished_areas_are_retired_and_keep_their_mapping() {
        let mut conn = db::open_in_memory().unwrap();
        conn.execute_batch(
            "INSERT INTO stores (id, name, source, updated_at) VALUES ('S1', '店', 'manual', 0);
             INSERT INTO areas (id, store_id, name, source, updated_at) VALUES ('A1', 'S1', '部屋', 'manual', 0);",
        )
        .unwrap();
        save_areas(&mut conn, &[area("x", "X"), area("y", "Y")], 1).unwrap();
        map_area(&conn, "A1", Some("x")).unwrap();
        map_entrance(&conn, "S1", Some("y")).unwrap();
        assert_eq!(splats_areas_for(&conn, "S1", &["A1".into()]).unwrap(), vec!["x", "y"]);
        let c = save_areas(&mut conn, &[area("y", "Y2")], 2).unwrap();
        assert_eq!(c, Changes { upserted: 1, retired: 1 });
        let list = areas(&conn).unwrap();
        let x = list.iter().find(|a| a.area_id == "x").unwrap();
        assert!(!x.active);
        assert_eq!(x.mapped_to, vec!["area:A1"]);
        assert!(map_area(&conn, "A1", Some("x")).is_err(), "cannot map onto a retired area");
        assert!(map_area(&conn, "A1", Some("nope")).is_err());
        assert!(map_area(&conn, "A9", Some("y")).is_err());
    }

    #[test]
    fn unmapped_areas_are_an_error() {
        let conn = db::open_in_memory().unwrap();
        conn.execute_batch(
            "INSERT INTO stores (id, name, source, updated_at) VALUES ('S1', '店', 'manual', 0);
             INSERT INTO areas (id, store_id, name, source, updated_at) VALUES ('A1', 'S1', '部屋', 'manual', 0);",
        )
        .unwrap();
        assert_eq!(splats_areas_for(&conn, "S1", &["A1".into()]).unwrap_err().code(), "splats_area_unmapped");
    }
}
