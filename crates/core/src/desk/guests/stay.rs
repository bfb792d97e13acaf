//! A guest's stay changed at the counter: longer (+30 min, +1 h, a chosen end), shorter,
//! or moved to another free room. This is the local half: the checks staff get an answer
//! from before anything is sent, and the change itself, written with the door-rights
//! update it calls for in one transaction. Writing it to the reservation system first
//! is [`crate::workflows::stay`]'s job.

use super::{text, unknown_area};
use crate::desk::audit::{self, AuditEvent};
use crate::desk::staff::role::{self, Deed};
use crate::desk::{cache, outbox};
use crate::platform::error::{Code, Error, Result};
use crate::platform::jst;
use crate::platform::model::Guest;
use rusqlite::{params, Connection, OptionalExtension};
use serde::Deserialize;

/// What staff asked for: a new end, and optionally a new start or other rooms.
#[derive(Debug, Clone, Deserialize, ts_rs::TS)]
pub struct StayChange {
    pub ends_at: i64,
    #[serde(default)]
    pub starts_at: Option<i64>,
    /// The rooms to move to; the same rooms when absent.
    #[serde(default)]
    pub area_ids: Option<Vec<String>>,
}

/// The guest as they are, and as they will be after the change.
#[derive(Debug, Clone)]
pub struct Planned {
    pub before: Guest,
    pub after: Guest,
}

/// Checks a change against what this PC knows: who may make it, a guest still here, a
/// window that ends after it starts and after now, rooms of the store, and no other
/// guest in those rooms then. The reservation system checks again when it is written.
pub fn check(conn: &Connection, guest_id: &str, change: &StayChange, now: i64) -> Result<Planned> {
    role::require_here(conn, Deed::Change)?;
    let before =
        cache::get_guest(conn, guest_id)?.ok_or_else(|| Error::not_found(format!("guest {guest_id}")))?;
    let (cancelled, left): (Option<i64>, Option<i64>) =
        conn.query_row("SELECT cancelled_at, checked_out_at FROM guests WHERE id = ?1", [guest_id], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })?;
    if cancelled.is_some() {
        return Err(Error::invalid(
            Code::BookingCancelled,
            "この予約は取り消されているため、時間を変更できません",
            "this booking was cancelled: its time cannot change",
        ));
    }
    if left.is_some() {
        return Err(Error::invalid(
            Code::GuestLeft,
            "この方は退出済みのため、時間を変更できません。もう一度利用する場合は飛び込み受付で登録してください",
            "this guest has checked out: register them as a walk-in to let them stay again",
        ));
    }
    let mut after = before.clone();
    after.starts_at = change.starts_at.unwrap_or(before.starts_at);
    after.ends_at = change.ends_at;
    if let Some(areas) = &change.area_ids {
        after.area_ids = areas.iter().map(|a| text::capped(a)).collect();
    }
    check_window(&after, now)?;
    if let Some(a) = unknown_area(conn, &after)? {
        return Err(Error::invalid(
            Code::AreaNotInStore,
            format!("エリア {a} はこの店舗にありません"),
            format!("area {a} is not in this store"),
        ));
    }
    if let Some((room, from)) = clash(conn, &before, &after)? {
        return Err(taken(&room, Some(from)));
    }
    Ok(Planned { before, after })
}

/// [`super::check_stay`], and an end still to come (ending now is a check-out).
fn check_window(g: &Guest, now: i64) -> Result<()> {
    super::check_stay(g.starts_at, g.ends_at, &g.area_ids)?;
    if g.ends_at <= now {
        return Err(Error::invalid(
            Code::TimeRangeInvalid,
            "終了は今より後にしてください。今終える場合は「退出」を押してください",
            "the end must be later than now: to end the stay now, check the guest out",
        ));
    }
    Ok(())
}

/// The first room of the new stay that another guest (not cancelled, not gone) holds
/// in the new window, with the start of that guest's stay. Only clashes the change
/// makes count: a guest already sharing a room in the old window (a coworking floor, a
/// walk-in put in with a booking) does not stop the stay from growing.
fn clash(conn: &Connection, before: &Guest, g: &Guest) -> Result<Option<(String, i64)>> {
    for a in &g.area_ids {
        // A room kept: only guests who were not there with them already.
        let (old_from, old_until) =
            if before.area_ids.contains(a) { (before.starts_at, before.ends_at) } else { (0, 0) };
        let other: Option<(String, i64)> = conn
            .query_row(
                "SELECT ar.name, o.starts_at FROM guests o
                   JOIN guest_areas ga ON ga.guest_id = o.id JOIN areas ar ON ar.id = ga.area_id
                 WHERE ga.area_id = ?1 AND o.id <> ?2 AND o.cancelled_at IS NULL AND o.checked_out_at IS NULL
                   AND o.starts_at < ?4 AND o.ends_at > ?3
                   AND NOT (o.starts_at < ?6 AND o.ends_at > ?5)
                 ORDER BY o.starts_at LIMIT 1",
                params![a, g.id, g.starts_at, g.ends_at, old_from, old_until],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        if other.is_some() {
            return Ok(other);
        }
    }
    Ok(None)
}

/// The refusal when a room is taken, naming the room and when the next guest comes.
pub fn taken(room: &str, from: Option<i64>) -> Error {
    match from {
        Some(t) => Error::invalid(
            Code::RoomTaken,
            format!("{room} は {} から別の予約が入っているため、この時間にはできません", jst::clock_time(t)),
            format!(
                "{room} is booked by someone else from {}: choose another time or room",
                jst::clock_time(t)
            ),
        ),
        None => Error::invalid(
            Code::RoomTaken,
            format!("{room} はこの時間に別の予約が入っているため、できません"),
            format!("{room} is booked by someone else then: choose another time or room"),
        ),
    }
}

/// Writes the change, checked again (the guest may have changed while the reservation
/// system was asked), with the update of a live member's window and doors queued in the
/// same transaction, and audited with the stay before and after.
pub fn apply(
    conn: &mut Connection,
    guest_id: &str,
    change: &StayChange,
    now: i64,
    actor: &str,
) -> Result<Planned> {
    let planned = check(conn, guest_id, change, now)?;
    let tx = conn.transaction()?;
    let g = &planned.after;
    tx.execute(
        "UPDATE guests SET starts_at = ?2, ends_at = ?3, updated_at = ?4 WHERE id = ?1",
        params![g.id, g.starts_at, g.ends_at, now],
    )?;
    tx.execute("DELETE FROM guest_areas WHERE guest_id = ?1", [&g.id])?;
    for a in &g.area_ids {
        tx.execute("INSERT INTO guest_areas (guest_id, area_id) VALUES (?1, ?2)", params![g.id, a])?;
    }
    // A live member, or a printed pass (remade by the update with the same QR).
    let live = super::access::summary(&tx, &g.id)?.is_some_and(|s| s.revoked_at.is_none())
        || super::pass::is_live(&tx, &g.id)?;
    if live {
        outbox::enqueue(&tx, &g.id, outbox::Op::Update, "stay_changed", now)?;
    }
    let window = |g: &Guest| serde_json::json!({ "starts_at": g.starts_at, "ends_at": g.ends_at, "area_ids": g.area_ids });
    let event = AuditEvent::new(actor, "guest.stay", Some(&g.id), true)
        .with_detail(serde_json::json!({ "before": window(&planned.before), "after": window(g) }));
    audit::record(&tx, &event)?;
    tx.commit()?;
    Ok(planned)
}
