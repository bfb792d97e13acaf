//! SPLATS KEY: key boxes and their units on the board, and the keys given to guests.
//!
//! A unit's state is read from SPLATS (`GET devices/keys/{id}/status`: its fields beyond
//! `unit_no` and `key` are not documented \[I\] and are read tolerantly) and kept in
//! SQLite, so the board shows it without a call. Whether a key that is out is **late** is
//! ours to judge: each key given to a guest (now at the counter, or with the booking)
//! is recorded with the time it must be back, the booking's end plus
//! `splats.key_return_grace_minutes`; a unit still out after that is "not returned".

mod give;

pub use give::{booking_qr, give, with_booking, KeyChoice, GIVE_SECS};

use crate::clouds::splats::SplatsClient;
use crate::platform::db::{Connection, Db};
use crate::platform::error::{Error, Result};
use rusqlite::params;
use serde::Serialize;

/// Where a key is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum KeyState {
    In,
    Taken,
    /// Out past the time it was due back.
    NotReturned,
}

#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct KeyUnit {
    /// "01", "02", …
    pub no: String,
    pub state: KeyState,
    /// The key is out of the box (taken or not returned).
    pub taken: bool,
    /// The guest it was last given to, while it is theirs (out, or given and not yet
    /// taken), and when it is due back.
    pub holder: Option<String>,
    pub due_at: Option<i64>,
}

/// One key box as the counter sees it.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct KeyBox {
    pub device_id: String,
    pub name: String,
    pub units: Vec<KeyUnit>,
    /// When its units were read (unix seconds).
    pub read_at: i64,
}

/// Reads every key box now (one status call per box), keeps the reading, and answers
/// the board.
pub async fn boxes(db: &Db, client: &SplatsClient, now: i64) -> Result<Vec<KeyBox>> {
    read_boxes(db, client, now).await?;
    db.read(move |c| board(c, now)).await
}

/// Reads the key boxes' units into the cache; a rate limit ends the round (the status
/// budget is shared with the pass controllers).
pub async fn read_boxes(db: &Db, client: &SplatsClient, now: i64) -> Result<usize> {
    let mut read = 0;
    for d in client.keys().await? {
        let status = match client.key_status(&d.device_id).await {
            Ok(s) => s,
            Err(Error::RateLimited { .. }) if read > 0 => break,
            Err(e) => return Err(e),
        };
        let units: Vec<(String, bool)> = status
            .get("units")
            .and_then(|u| u.as_array())
            .into_iter()
            .flatten()
            .filter_map(|u| {
                let no = u.get("unit_no")?.as_str()?.to_string();
                let taken = u.get("key").and_then(|k| k.as_str()).is_some_and(|k| k != "stored");
                Some((no, taken))
            })
            .collect();
        let (id, name) = (d.device_id, d.device_name);
        db.write(move |c| save(c, &id, &name, &units, now)).await?;
        read += 1;
    }
    Ok(read)
}

fn save(conn: &Connection, device_id: &str, name: &str, units: &[(String, bool)], now: i64) -> Result<()> {
    conn.execute("DELETE FROM key_units WHERE device_id = ?1", [device_id])?;
    for (no, taken) in units {
        conn.execute(
            "INSERT INTO key_units (device_id, box_name, unit_no, taken, read_at) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![device_id, name, no, taken, now],
        )?;
    }
    Ok(())
}

/// The key boxes as last read, each unit with its holder and whether it is late.
pub fn board(conn: &Connection, now: i64) -> Result<Vec<KeyBox>> {
    let mut stmt = conn.prepare(
        "SELECT k.device_id, k.box_name, k.unit_no, k.taken, k.read_at, g.name, gk.due_at, gk.given_at
         FROM key_units k
         LEFT JOIN guest_keys gk ON gk.id = (
             SELECT id FROM guest_keys WHERE device_id = k.device_id AND unit_no = k.unit_no
             ORDER BY given_at DESC, id DESC LIMIT 1)
         LEFT JOIN guests g ON g.id = gk.guest_id
         ORDER BY k.box_name, k.device_id, k.unit_no",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, bool>(3)?,
            r.get::<_, i64>(4)?,
            r.get::<_, Option<String>>(5)?,
            r.get::<_, Option<i64>>(6)?,
            r.get::<_, Option<i64>>(7)?,
        ))
    })?;
    let mut out: Vec<KeyBox> = Vec::new();
    for row in rows {
        let (device_id, name, no, taken, read_at, holder, due_at, given_at) = row?;
        // A key given after the last reading is theirs even if the reading says "in";
        // a key read "in" after it was given has come back.
        let still_theirs = taken || given_at.is_some_and(|g| g >= read_at) || due_at.is_some_and(|d| d > now);
        let (holder, due_at) = if still_theirs { (holder, due_at) } else { (None, None) };
        let state = match (taken, due_at) {
            (false, _) => KeyState::In,
            (true, Some(d)) if d < now => KeyState::NotReturned,
            (true, _) => KeyState::Taken,
        };
        let unit = KeyUnit { no, state, taken, holder, due_at };
        match out.last_mut() {
            Some(b) if b.device_id == device_id => b.units.push(unit),
            _ => out.push(KeyBox { device_id, name, units: vec![unit], read_at }),
        }
    }
    Ok(out)
}

/// Keys out past their time: (`device:unit` for the alert id, "box unit (guest)", device).
pub fn not_returned(conn: &Connection, now: i64) -> Result<Vec<(String, String, String)>> {
    let mut out = Vec::new();
    for b in board(conn, now)? {
        for u in b.units.into_iter().filter(|u| u.state == KeyState::NotReturned) {
            let subject = format!("{} {} ({})", b.name, u.no, u.holder.unwrap_or_default());
            out.push((format!("{}:{}", b.device_id, u.no), subject, b.device_id.clone()));
        }
    }
    Ok(out)
}
