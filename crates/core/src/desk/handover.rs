//! Notes for the next shift, per store: "the key of 会議室B sticks", "山田様 will come
//! back for an umbrella". A note shows on every staff window of the store (every PC
//! of the facility: the table is shared) until someone of the next shift acknowledges
//! it by name; the writer cannot acknowledge their own. Written and acknowledged in the
//! audit log.

use crate::desk::audit::{self, AuditEvent};
use crate::desk::guests::text;
use crate::desk::staff::role::{self, Deed};
use crate::platform::error::{Code, Error, Result};
use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;

/// The longest note kept (in characters): a few lines, not a log.
pub const MAX_NOTE_CHARS: usize = 1000;

#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct Note {
    pub id: String,
    pub store_id: String,
    pub body: String,
    pub written_by: String,
    pub written_at: i64,
    pub acked_by: Option<String>,
    pub acked_at: Option<i64>,
}

/// Leaves a note for the next shift. Line breaks are kept; invisible characters go.
pub fn write(conn: &Connection, store_id: &str, body: &str, author: &str, now: i64) -> Result<Note> {
    role::require_here(conn, Deed::Change)?;
    let body = body.lines().map(text::clean).collect::<Vec<_>>().join("\n").trim().to_string();
    if body.is_empty() {
        return Err(Error::invalid(
            Code::NoteEmpty,
            "引き継ぎの内容を入力してください",
            "write what the next shift should know",
        ));
    }
    let n = body.chars().count();
    if n > MAX_NOTE_CHARS {
        return Err(Error::invalid(
            Code::FieldTooLong,
            format!("引き継ぎが長すぎます ({n} 文字、{MAX_NOTE_CHARS} 文字まで)"),
            format!("the note is too long ({n} characters, at most {MAX_NOTE_CHARS})"),
        ));
    }
    if crate::desk::cache::get_store(conn, store_id)?.is_none() {
        return Err(Error::not_found(format!("store {store_id}")));
    }
    let note = Note {
        id: format!("N{now}-{:08x}", rand::random::<u32>()),
        store_id: store_id.to_string(),
        body,
        written_by: author.to_string(),
        written_at: now,
        acked_by: None,
        acked_at: None,
    };
    conn.execute(
        "INSERT INTO handover_notes (id, store_id, body, written_by, written_at) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![note.id, note.store_id, note.body, note.written_by, note.written_at],
    )?;
    audit::record(conn, &AuditEvent::new(author, "handover.write", Some(&note.id), true))?;
    Ok(note)
}

/// The store's notes nobody has acknowledged yet, oldest first.
pub fn open(conn: &Connection, store_id: &str) -> Result<Vec<Note>> {
    let mut stmt = conn.prepare(
        "SELECT id, store_id, body, written_by, written_at, acked_by, acked_at FROM handover_notes
         WHERE store_id = ?1 AND acked_at IS NULL ORDER BY written_at, id",
    )?;
    let rows = stmt.query_map([store_id], note)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

fn note(r: &rusqlite::Row<'_>) -> rusqlite::Result<Note> {
    Ok(Note {
        id: r.get(0)?,
        store_id: r.get(1)?,
        body: r.get(2)?,
        written_by: r.get(3)?,
        written_at: r.get(4)?,
        acked_by: r.get(5)?,
        acked_at: r.get(6)?,
    })
}

/// Someone of the next shift has read the note: by their name, never the writer's.
/// Acknowledging a note already acknowledged changes nothing.
pub fn acknowledge(conn: &Connection, id: &str, name: &str, now: i64) -> Result<Note> {
    role::require_here(conn, Deed::Change)?;
    let name = text::field(name, "お名前", "name")?;
    if name.is_empty() {
        return Err(Error::invalid(
            Code::NameMissing,
            "確認した方のお名前を入力してください",
            "enter your name",
        ));
    }
    let found = conn
        .query_row(
            "SELECT id, store_id, body, written_by, written_at, acked_by, acked_at FROM handover_notes WHERE id = ?1",
            [id],
            note,
        )
        .optional()?
        .ok_or_else(|| Error::not_found(format!("note {id}")))?;
    if found.acked_at.is_some() {
        return Ok(found);
    }
    if crate::desk::guests::normalize(&found.written_by) == crate::desk::guests::normalize(&name) {
        return Err(Error::invalid(
            Code::NoteOwn,
            "書いた方ご自身では確認済みにできません。次の勤務の方が確認してください",
            "the writer cannot acknowledge their own note: the next shift does",
        ));
    }
    conn.execute(
        "UPDATE handover_notes SET acked_by = ?2, acked_at = ?3 WHERE id = ?1",
        params![id, name, now],
    )?;
    audit::record(conn, &AuditEvent::new(&name, "handover.acknowledge", Some(id), true))?;
    Ok(Note { acked_by: Some(name), acked_at: Some(now), ..found })
}
