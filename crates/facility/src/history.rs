//! The facility's one time line. Each PC's history entries (its staff's actions from
//! its audit log, and the clouds' logs it read while it led) go to PostgreSQL's
//! `history`; every PC takes the others' into its own `history_entries`, marked with
//! the sending PC's name, so any history page (the head office's too) shows the
//! whole facility, filtered and exported as before.
//!
//! An entry is identified by its source and reference, as locally: the same SPLATS
//! entry read by two PCs (one led before the other) is kept once. An audit entry's
//! reference is its row id on its PC, so it travels as `pc-id:row-id`.

use super::{unreachable, Session, CHANNEL};
use serde::{Deserialize, Serialize};
use uketsuke_core::platform::db::{self, Db};
use uketsuke_core::platform::error::Result;

/// In SQLite's meta: the last own entry sent (its local id), the last `seq` received.
const SENT: &str = "facility.history_sent";
const SEQ: &str = "facility.history_seq";
const PAGE: i64 = 500;

/// One entry as it travels (`history_entries` without its local id).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Entry {
    at_ms: i64,
    source: String,
    reference: String,
    kind: String,
    event: String,
    store_id: Option<String>,
    area_id: Option<String>,
    guest_id: Option<String>,
    actor: Option<String>,
    device: Option<String>,
    ok: bool,
    detail: Option<String>,
}

const COLUMNS: &str =
    "at_ms, source, ref, kind, event, store_id, area_id, guest_id, actor, device, ok, detail";

impl Entry {
    fn read(r: &rusqlite::Row<'_>, at: usize) -> rusqlite::Result<Entry> {
        Ok(Entry {
            at_ms: r.get(at)?,
            source: r.get(at + 1)?,
            reference: r.get(at + 2)?,
            kind: r.get(at + 3)?,
            event: r.get(at + 4)?,
            store_id: r.get(at + 5)?,
            area_id: r.get(at + 6)?,
            guest_id: r.get(at + 7)?,
            actor: r.get(at + 8)?,
            device: r.get(at + 9)?,
            ok: r.get(at + 10)?,
            detail: r.get(at + 11)?,
        })
    }
}

/// Whether this PC has entries it has not sent yet (a short local read, every round).
pub async fn pending(db: &Db) -> Result<bool> {
    db.read(|c| {
        let after = cursor(c, SENT)?;
        Ok(c.query_row(
            "SELECT EXISTS (SELECT 1 FROM history_entries WHERE id > ?1 AND pc IS NULL)",
            [after],
            |r| r.get(0),
        )?)
    })
    .await
}

/// Sends up to 500 of this PC's own entries; returns how many were read for sending.
pub async fn send(db: &Db, session: &mut Session, pc_id: &str, pc_name: &str) -> Result<usize> {
    let own: Vec<(i64, Entry)> = db
        .read(|c| {
            let after = cursor(c, SENT)?;
            let mut s = c.prepare(&format!(
                "SELECT id, {COLUMNS} FROM history_entries WHERE id > ?1 AND pc IS NULL ORDER BY id LIMIT ?2"
            ))?;
            let rows = s.query_map([after, PAGE], |r| Ok((r.get(0)?, Entry::read(r, 1)?)))?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })
        .await?;
    let Some(last) = own.last().map(|(id, _)| *id) else { return Ok(0) };
    let tx = session.client.transaction().await.map_err(unreachable)?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&super::lock_id::HISTORY]).await.map_err(unreachable)?;
    let insert = tx
        .prepare(
            "INSERT INTO history (seq, source, ref, pc, pc_name, data)
             VALUES (nextval('history_seq'), $1, $2, $3, $4, $5)
             ON CONFLICT (source, ref) DO NOTHING",
        )
        .await
        .map_err(unreachable)?;
    for (_, e) in &own {
        let mut e = e.clone();
        if e.source == "audit" {
            e.reference = format!("{pc_id}:{}", e.reference);
        }
        let data = serde_json::to_value(&e).unwrap_or_default();
        tx.execute(&insert, &[&e.source, &e.reference, &pc_id, &pc_name, &data])
            .await
            .map_err(unreachable)?;
    }
    tx.execute(&format!("NOTIFY {CHANNEL}, 'history'"), &[]).await.map_err(unreachable)?;
    tx.commit().await.map_err(unreachable)?;
    db.write(move |c| db::set_meta(c, SENT, &last.to_string())).await?;
    Ok(own.len())
}

/// Takes every other PC's entries after the last seen into `history_entries`; returns
/// how many were new here.
pub async fn receive(db: &Db, session: &Session, pc_id: &str) -> Result<usize> {
    let mut added = 0;
    loop {
        let after = db.read(|c| cursor(c, SEQ)).await?;
        let page = session
            .client
            .query(
                "SELECT seq, pc, pc_name, data FROM history WHERE seq > $1 ORDER BY seq LIMIT $2",
                &[&after, &PAGE],
            )
            .await
            .map_err(unreachable)?;
        let Some(last) = page.last().map(|r| r.get::<_, i64>(0)) else { return Ok(added) };
        let full = page.len() as i64 == PAGE;
        let theirs: Vec<(String, Entry)> = page
            .iter()
            .filter(|r| r.get::<_, String>(1) != pc_id)
            .filter_map(|r| Some((r.get(2), serde_json::from_value(r.get(3)).ok()?)))
            .collect();
        added += db
            .write(move |c| {
                let tx = c.transaction()?;
                let mut n = 0;
                {
                    let mut insert = tx.prepare(&format!(
                        "INSERT OR IGNORE INTO history_entries ({COLUMNS}, pc)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)"
                    ))?;
                    for (name, e) in &theirs {
                        n += insert.execute(rusqlite::params![
                            e.at_ms,
                            e.source,
                            e.reference,
                            e.kind,
                            e.event,
                            e.store_id,
                            e.area_id,
                            e.guest_id,
                            e.actor,
                            e.device,
                            e.ok,
                            e.detail,
                            name
                        ])?;
                    }
                }
                db::set_meta(&tx, SEQ, &last.to_string())?;
                tx.commit()?;
                Ok(n)
            })
            .await?;
        if !full {
            return Ok(added);
        }
    }
}

fn cursor(conn: &rusqlite::Connection, name: &str) -> Result<i64> {
    Ok(db::get_meta(conn, name)?.and_then(|v| v.parse().ok()).unwrap_or(0))
}
