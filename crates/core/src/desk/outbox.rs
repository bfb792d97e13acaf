//! The durable outbox: SPLATS writes that must happen, kept in SQLite until done.
//!
//! An op is written in the same transaction as the local change that calls for it, so
//! a crash or `kill -9` between the two cannot lose it. At most one op waits per guest;
//! a newer one replaces it (each means "make the guest's SPLATS member match what we
//! know now"), and every op is safe to repeat: an issue adopts a member that already
//! carries the guest's `member_code`, a delete of a member that is gone is done. The
//! worker carries ops out ([`crate::workflows::reconcile::drain`]), retrying with backoff.

use crate::platform::error::Result;
use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};

/// What must happen to a guest's SPLATS member.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum Op {
    /// Make the member (or adopt the one that carries our code).
    Issue,
    /// Bring its window and areas up to date in place (the QR stays the same).
    Update,
    /// End access now: the booking was cancelled or moved, or the guest left.
    Revoke,
    /// Clean up after the booking ended (SPLATS never purges members).
    Delete,
}

impl Op {
    pub fn as_str(self) -> &'static str {
        match self {
            Op::Issue => "issue",
            Op::Update => "update",
            Op::Revoke => "revoke",
            Op::Delete => "delete",
        }
    }

    pub fn parse(s: &str) -> Op {
        match s {
            "issue" => Op::Issue,
            "update" => Op::Update,
            "revoke" => Op::Revoke,
            _ => Op::Delete,
        }
    }

    /// Whether the op removes the member (as opposed to making or changing it).
    pub fn removes(self) -> bool {
        matches!(self, Op::Revoke | Op::Delete)
    }
}

/// One op waiting (or being retried).
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct PendingOp {
    pub id: i64,
    pub guest_id: String,
    pub op: Op,
    pub reason: String,
    pub attempts: i64,
    pub next_attempt_at: i64,
    pub maybe_sent: bool,
    pub last_error: Option<String>,
    seq: i64,
}

/// Queues `op` for the guest, replacing an op still waiting for them. Call it inside
/// the transaction that makes the local change.
pub fn enqueue(conn: &Connection, guest_id: &str, op: Op, reason: &str, now: i64) -> Result<()> {
    conn.execute(
        "INSERT INTO outbox (guest_id, op, reason, created_at, next_attempt_at) VALUES (?1, ?2, ?3, ?4, ?4)
         ON CONFLICT(guest_id) WHERE done_at IS NULL DO UPDATE SET
           op = excluded.op, reason = excluded.reason, attempts = 0, seq = seq + 1,
           next_attempt_at = excluded.next_attempt_at, last_error = NULL",
        params![guest_id, op.as_str(), reason, now],
    )?;
    Ok(())
}

/// The op waiting for a guest, if any.
pub fn waiting_for(conn: &Connection, guest_id: &str) -> Result<Option<PendingOp>> {
    Ok(conn
        .query_row(&format!("{SELECT} WHERE done_at IS NULL AND guest_id = ?1"), [guest_id], row)
        .optional()?)
}

/// Every op not yet done, oldest first.
pub fn waiting(conn: &Connection) -> Result<Vec<PendingOp>> {
    let mut stmt = conn.prepare(&format!("{SELECT} WHERE done_at IS NULL ORDER BY id"))?;
    let rows = stmt.query_map([], row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Takes the ops due at `now` that no other runner holds, and holds them for
/// `hold_secs`, in one transaction.
pub fn claim_due(conn: &mut Connection, now: i64, hold_secs: i64, limit: usize) -> Result<Vec<PendingOp>> {
    claim(conn, None, now, hold_secs, limit)
}

/// Takes the op waiting for one guest, due or not (staff asked for it now).
pub fn claim_guest(
    conn: &mut Connection,
    guest_id: &str,
    now: i64,
    hold_secs: i64,
) -> Result<Vec<PendingOp>> {
    claim(conn, Some(guest_id), now, hold_secs, 1)
}

fn claim(
    conn: &mut Connection,
    guest: Option<&str>,
    now: i64,
    hold_secs: i64,
    limit: usize,
) -> Result<Vec<PendingOp>> {
    let tx = conn.transaction()?;
    let due: Vec<PendingOp> = {
        let mut stmt = tx.prepare(&format!(
            "{SELECT} WHERE done_at IS NULL AND claimed_until <= ?1
               AND (?3 IS NULL AND next_attempt_at <= ?1 OR guest_id = ?3) ORDER BY id LIMIT ?2"
        ))?;
        let rows = stmt.query_map(params![now, limit as i64, guest], row)?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    for p in &due {
        tx.execute("UPDATE outbox SET claimed_until = ?2 WHERE id = ?1", params![p.id, now + hold_secs])?;
    }
    tx.commit()?;
    Ok(due)
}

/// Notes that an issue is about to be sent: from now on a member may exist even if
/// no reply ever comes.
pub fn mark_sending(conn: &Connection, id: i64) -> Result<()> {
    conn.execute("UPDATE outbox SET maybe_sent = 1 WHERE id = ?1 AND op = 'issue'", [id])?;
    Ok(())
}

/// The op is done. An op that was replaced meanwhile (same row, new op) stays.
pub fn done(conn: &Connection, p: &PendingOp, now: i64) -> Result<()> {
    conn.execute(
        "UPDATE outbox SET done_at = ?2, claimed_until = 0, last_error = NULL WHERE id = ?1 AND seq = ?3",
        params![p.id, now, p.seq],
    )?;
    conn.execute("UPDATE outbox SET claimed_until = 0 WHERE id = ?1", [p.id])?;
    Ok(())
}

/// The op failed; it is tried again after a backoff that doubles up to 10 minutes.
pub fn failed(conn: &Connection, p: &PendingOp, error_code: &str, now: i64) -> Result<()> {
    let wait = backoff_secs(p.attempts + 1);
    conn.execute(
        "UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ?2, last_error = ?3, claimed_until = 0
         WHERE id = ?1 AND seq = ?4",
        params![p.id, now + wait, error_code, p.seq],
    )?;
    release(conn, p)?;
    Ok(())
}

/// Lets a held op go without counting an attempt (the runner stopped before it).
pub fn release(conn: &Connection, p: &PendingOp) -> Result<()> {
    conn.execute("UPDATE outbox SET claimed_until = 0 WHERE id = ?1", [p.id])?;
    Ok(())
}

/// Frees every held op. The worker calls it when it starts: it holds the database's
/// worker lock, so a hold left behind was left by a process that died. (A check-out in
/// the CLI at that very moment might send its revoke twice; every op is safe to repeat.)
pub fn release_all(conn: &Connection) -> Result<usize> {
    Ok(conn.execute("UPDATE outbox SET claimed_until = 0 WHERE done_at IS NULL AND claimed_until > 0", [])?)
}

/// 10 s, 20 s, 40 s … at most 600 s.
pub fn backoff_secs(attempts: i64) -> i64 {
    let doublings = attempts.clamp(1, 7) - 1;
    (10_i64 << doublings).min(600)
}

/// Whether any op is due at `now` and free to take.
pub fn any_due(conn: &Connection, now: i64) -> Result<bool> {
    Ok(conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM outbox WHERE done_at IS NULL AND next_attempt_at <= ?1 AND claimed_until <= ?1)",
        [now],
        |r| r.get(0),
    )?)
}

/// How many ops wait, and the soonest retry among those that failed before.
pub fn summary(conn: &Connection) -> Result<(i64, Option<i64>)> {
    Ok(conn.query_row(
        "SELECT COUNT(*), MIN(CASE WHEN attempts > 0 THEN next_attempt_at END) FROM outbox WHERE done_at IS NULL",
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?)
}

const SELECT: &str =
    "SELECT id, guest_id, op, reason, attempts, next_attempt_at, maybe_sent, last_error, seq FROM outbox";

fn row(r: &rusqlite::Row) -> rusqlite::Result<PendingOp> {
    Ok(PendingOp {
        id: r.get(0)?,
        guest_id: r.get(1)?,
        op: Op::parse(&r.get::<_, String>(2)?),
        reason: r.get(3)?,
        attempts: r.get(4)?,
        next_attempt_at: r.get(5)?,
        maybe_sent: r.get(6)?,
        last_error: r.get(7)?,
        seq: r.get(8)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::platform::db;

    #[test]
    fn one_op_waits_per_guest_and_the_newest_wins() {
        let mut conn = db::open_in_memory().unwrap();
        enqueue(&conn, "G1", Op::Issue, "booked", 100).unwrap();
        enqueue(&conn, "G2", Op::Issue, "booked", 100).unwrap();
        enqueue(&conn, "G1", Op::Revoke, "cancelled", 110).unwrap();
        let all = waiting(&conn).unwrap();
        assert_eq!(all.len(), 2);
        assert_eq!((all[0].guest_id.as_str(), all[0].op), ("G1", Op::Revoke));

        let claimed = claim_due(&mut conn, 120, 60, 10).unwrap();
        assert_eq!(claimed.len(), 2);
        assert!(claim_due(&mut conn, 121, 60, 10).unwrap().is_empty(), "held by the first runner");
        failed(&conn, &claimed[1], "unreachable", 121).unwrap();
        done(&conn, &claimed[0], 122).unwrap();
        let left = waiting(&conn).unwrap();
        assert_eq!(left.len(), 1);
        assert_eq!((left[0].attempts, left[0].next_attempt_at), (1, 131));
        assert_eq!(summary(&conn).unwrap(), (1, Some(131)));
        // Done ops leave room for a new one for the same guest.
        enqueue(&conn, "G1", Op::Issue, "booked", 130).unwrap();
        assert_eq!(waiting(&conn).unwrap().len(), 2);
    }

    #[test]
    fn an_op_replaced_while_running_is_not_marked_done() {
        let mut conn = db::open_in_memory().unwrap();
        enqueue(&conn, "G1", Op::Issue, "booked", 100).unwrap();
        let p = claim_due(&mut conn, 100, 60, 10).unwrap().remove(0);
        enqueue(&conn, "G1", Op::Revoke, "checked_out", 101).unwrap();
        done(&conn, &p, 102).unwrap();
        let w = waiting_for(&conn, "G1").unwrap().unwrap();
        assert_eq!(w.op, Op::Revoke, "the revoke still has to happen");
        assert_eq!(claim_due(&mut conn, 102, 60, 10).unwrap().len(), 1, "and it is free to run");
    }

    #[test]
    fn backoff_doubles_to_ten_minutes() {
        assert_eq!([1, 2, 3, 7, 50].map(backoff_secs), [10, 20, 40, 600, 600]);
    }
}
