//! Reading and writing stores, areas and guests in the SQLite cache.
//!
//! Every write that touches more than one row runs in one transaction: a crash or a
//! bad reply half-way leaves the cache as it was before.

pub mod splats;

use crate::platform::error::Result;
use crate::platform::model::{Area, Guest, GuestSource, RemoteArea, RemoteStore, Source, Store};
use rusqlite::{params, Connection, OptionalExtension, Row};
use std::collections::HashSet;

/// What a replace changed, for the sync report and the audit log.
#[derive(Debug, Default, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Changes {
    pub stores_upserted: usize,
    pub stores_retired: usize,
    pub areas_upserted: usize,
    pub areas_retired: usize,
}

/// Makes the cache mirror the reservation system's stores and areas, in one transaction.
///
/// Stores and areas that disappeared upstream are retired (hidden), not deleted, so
/// a manager's lock settings survive an upstream glitch that briefly drops them.
pub fn replace_from_reservation(
    conn: &mut Connection,
    stores: &[RemoteStore],
    areas: &[RemoteArea],
    now: i64,
) -> Result<Changes> {
    let tx = conn.transaction()?;
    let mut changes = Changes::default();
    for s in stores {
        tx.execute(
            "INSERT INTO stores (id, name, name_kana, source, active, updated_at)
             VALUES (?1, ?2, ?3, 'reservation', 1, ?4)
             ON CONFLICT(id) DO UPDATE SET
               name = excluded.name, name_kana = excluded.name_kana,
               active = 1, updated_at = excluded.updated_at",
            params![s.id, s.name, s.name_kana, now],
        )?;
        changes.stores_upserted += 1;
    }
    let store_ids: HashSet<&str> = stores.iter().map(|s| s.id.as_str()).collect();
    changes.stores_retired = retire_missing(&tx, "stores", &store_ids, now)?;

    for a in areas {
        tx.execute(
            "INSERT INTO areas (id, store_id, name, sort_order, source, active, updated_at)
             VALUES (?1, ?2, ?3, ?4, 'reservation', 1, ?5)
             ON CONFLICT(id) DO UPDATE SET
               store_id = excluded.store_id, name = excluded.name,
               sort_order = excluded.sort_order, active = 1, updated_at = excluded.updated_at",
            params![a.id, a.store_id, a.name, a.sort_order, now],
        )?;
        changes.areas_upserted += 1;
    }
    let area_ids: HashSet<&str> = areas.iter().map(|a| a.id.as_str()).collect();
    changes.areas_retired = retire_missing(&tx, "areas", &area_ids, now)?;
    tx.commit()?;
    Ok(changes)
}

/// Hides the reservation-sourced rows of `table` whose id is not in `keep`.
fn retire_missing(tx: &rusqlite::Transaction, table: &str, keep: &HashSet<&str>, now: i64) -> Result<usize> {
    let ids: Vec<String> = tx
        .prepare(&format!("SELECT id FROM {table} WHERE source = 'reservation' AND active = 1"))?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let mut retired = 0;
    for id in ids.iter().filter(|id| !keep.contains(id.as_str())) {
        tx.execute(
            &format!("UPDATE {table} SET active = 0, updated_at = ?2 WHERE id = ?1"),
            params![id, now],
        )?;
        retired += 1;
    }
    Ok(retired)
}

const STORE_COLUMNS: &str =
    "id, name, name_kana, source, use_sesame, register_entrance_key, entrance_device_uuid, updated_at";

fn store_from_row(r: &Row) -> rusqlite::Result<Store> {
    Ok(Store {
        id: r.get(0)?,
        name: r.get(1)?,
        name_kana: r.get(2)?,
        source: Source::parse(&r.get::<_, String>(3)?),
        use_sesame: r.get(4)?,
        register_entrance_key: r.get(5)?,
        entrance_device_uuid: r.get(6)?,
        updated_at: r.get(7)?,
    })
}

/// The active stores, in id order.
pub fn list_stores(conn: &Connection) -> Result<Vec<Store>> {
    let sql = format!("SELECT {STORE_COLUMNS} FROM stores WHERE active = 1 ORDER BY id");
    let rows = conn.prepare(&sql)?.query_map([], store_from_row)?.collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

pub fn get_store(conn: &Connection, id: &str) -> Result<Option<Store>> {
    let sql = format!("SELECT {STORE_COLUMNS} FROM stores WHERE id = ?1 AND active = 1");
    Ok(conn.query_row(&sql, [id], store_from_row).optional()?)
}

const AREA_COLUMNS: &str = "id, store_id, name, sort_order, device_uuid, source, updated_at";

fn area_from_row(r: &Row) -> rusqlite::Result<Area> {
    Ok(Area {
        id: r.get(0)?,
        store_id: r.get(1)?,
        name: r.get(2)?,
        sort_order: r.get(3)?,
        device_uuid: r.get(4)?,
        source: Source::parse(&r.get::<_, String>(5)?),
        updated_at: r.get(6)?,
    })
}

/// The active areas of one store, or of every store, in display order.
pub fn list_areas(conn: &Connection, store_id: Option<&str>) -> Result<Vec<Area>> {
    let sql = format!(
        "SELECT {AREA_COLUMNS} FROM areas
         WHERE active = 1 AND (?1 IS NULL OR store_id = ?1)
         ORDER BY store_id, sort_order, id"
    );
    let rows = conn.prepare(&sql)?.query_map([store_id], area_from_row)?.collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

pub fn get_area(conn: &Connection, id: &str) -> Result<Option<Area>> {
    let sql = format!("SELECT {AREA_COLUMNS} FROM areas WHERE id = ?1 AND active = 1");
    Ok(conn.query_row(&sql, [id], area_from_row).optional()?)
}

/// Inserts or updates guests with their areas, in one transaction.
pub fn upsert_guests(conn: &mut Connection, guests: &[Guest], now: i64) -> Result<()> {
    let tx = conn.transaction()?;
    for g in guests {
        tx.execute(
            "INSERT INTO guests (id, store_id, booking_code, name, name_kana, phone_last4,
                                 starts_at, ends_at, source, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
             ON CONFLICT(id) DO UPDATE SET
               store_id = excluded.store_id, booking_code = excluded.booking_code,
               name = excluded.name, name_kana = excluded.name_kana,
               phone_last4 = excluded.phone_last4, starts_at = excluded.starts_at,
               ends_at = excluded.ends_at, updated_at = excluded.updated_at",
            params![
                g.id,
                g.store_id,
                g.booking_code,
                g.name,
                g.name_kana,
                g.phone_last4,
                g.starts_at,
                g.ends_at,
                g.source.as_str(),
                now
            ],
        )?;
        tx.execute("DELETE FROM guest_areas WHERE guest_id = ?1", [&g.id])?;
        for area in &g.area_ids {
            tx.execute("INSERT INTO guest_areas (guest_id, area_id) VALUES (?1, ?2)", params![g.id, area])?;
        }
    }
    tx.commit()?;
    Ok(())
}

/// One guest with their areas, whatever their day.
pub fn get_guest(conn: &Connection, id: &str) -> Result<Option<Guest>> {
    let range: Option<(String, i64, i64)> = conn
        .query_row("SELECT store_id, starts_at, ends_at FROM guests WHERE id = ?1", [id], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .optional()?;
    let Some((store_id, starts_at, ends_at)) = range else { return Ok(None) };
    Ok(list_guests(conn, &store_id, starts_at, ends_at)?.into_iter().find(|g| g.id == id))
}

/// Guests of a store whose booking overlaps `[from, to)`, by start time.
pub fn list_guests(conn: &Connection, store_id: &str, from: i64, to: i64) -> Result<Vec<Guest>> {
    let mut stmt = conn.prepare(
        "SELECT id, store_id, booking_code, name, name_kana, phone_last4, starts_at, ends_at, source
         FROM guests WHERE store_id = ?1 AND starts_at < ?3 AND ends_at > ?2
         ORDER BY starts_at, id",
    )?;
    let mut guests: Vec<Guest> = stmt
        .query_map(params![store_id, from, to], |r| {
            Ok(Guest {
                id: r.get(0)?,
                store_id: r.get(1)?,
                booking_code: r.get(2)?,
                name: r.get(3)?,
                name_kana: r.get(4)?,
                phone_last4: r.get(5)?,
                starts_at: r.get(6)?,
                ends_at: r.get(7)?,
                area_ids: Vec::new(),
                source: GuestSource::parse(&r.get::<_, String>(8)?),
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    let mut areas = conn.prepare("SELECT area_id FROM guest_areas WHERE guest_id = ?1 ORDER BY area_id")?;
    for g in &mut guests {
        g.area_ids = areas.query_map([&g.id], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
    }
    Ok(guests)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::platform::db;

    fn remote_store(id: &str, name: &str) -> RemoteStore {
        RemoteStore { id: id.into(), name: name.into(), name_kana: None }
    }

    fn remote_area(id: &str, store: &str, name: &str) -> RemoteArea {
        RemoteArea { id: id.into(), store_id: store.into(), name: name.into(), sort_order: 0 }
    }

    #[test]
    fn replace_keeps_local_settings_and_retires_missing_rows() {
        let mut conn = db::open_in_memory().unwrap();
        let stores = [remote_store("s1", "渋谷店"), remote_store("s2", "新宿店")];
        let areas = [remote_area("a1", "s1", "会議室A"), remote_area("a2", "s2", "ジム")];
        replace_from_reservation(&mut conn, &stores, &areas, 100).unwrap();
        conn.execute("UPDATE stores SET use_sesame = 1 WHERE id = 's1'", []).unwrap();

        let renamed = [remote_store("s1", "渋谷本店")];
        let changes = replace_from_reservation(&mut conn, &renamed, &areas[..1], 200).unwrap();
        assert_eq!(changes.stores_retired, 1);
        assert_eq!(changes.areas_retired, 1);

        let listed = list_stores(&conn).unwrap();
        assert_eq!(listed.len(), 1);
        assert_eq!(listed[0].name, "渋谷本店");
        assert!(listed[0].use_sesame, "a sync must not undo a manager's setting");
        assert_eq!(list_areas(&conn, None).unwrap().len(), 1);
    }

    #[test]
    fn a_failed_replace_changes_nothing() {
        let mut conn = db::open_in_memory().unwrap();
        replace_from_reservation(&mut conn, &[remote_store("s1", "渋谷店")], &[], 1).unwrap();
        // An area pointing at an unknown store violates the foreign key mid-way.
        let bad = [remote_area("a1", "s1", "会議室A"), remote_area("a2", "nope", "幽霊")];
        assert!(replace_from_reservation(&mut conn, &[remote_store("s1", "改名")], &bad, 2).is_err());
        assert_eq!(list_stores(&conn).unwrap()[0].name, "渋谷店");
        assert!(list_areas(&conn, None).unwrap().is_empty());
    }

    #[test]
    fn guests_round_trip_with_their_areas() {
        let mut conn = db::open_in_memory().unwrap();
        replace_from_reservation(
            &mut conn,
            &[remote_store("s1", "渋谷店")],
            &[remote_area("a1", "s1", "会議室A"), remote_area("a2", "s1", "会議室B")],
            1,
        )
        .unwrap();
        let guest = Guest {
            id: "g1".into(),
            store_id: "s1".into(),
            booking_code: Some("R-0001".into()),
            name: "山田 太郎".into(),
            name_kana: Some("ヤマダ タロウ".into()),
            phone_last4: Some("1234".into()),
            starts_at: 1000,
            ends_at: 4600,
            area_ids: vec!["a2".into(), "a1".into()],
            source: GuestSource::Reservation,
        };
        upsert_guests(&mut conn, std::slice::from_ref(&guest), 1).unwrap();
        let listed = list_guests(&conn, "s1", 0, 2000).unwrap();
        assert_eq!(listed.len(), 1);
        assert_eq!(listed[0].area_ids, ["a1", "a2"]);
        assert!(list_guests(&conn, "s1", 5000, 6000).unwrap().is_empty());
    }
}
