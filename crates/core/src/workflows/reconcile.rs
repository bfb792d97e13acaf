//! Door rights follow the bookings.
//!
//! [`plan`] compares every booking that matters now with the SPLATS member we made for
//! it and queues what must change in the outbox, in one short transaction:
//!
//! - a booking of today, or one starting within the lead time (past midnight too),
//!   gets a member ahead of arrival, so that the QR works even if the network dies later;
//! - a booking whose window or rooms changed has its member updated in place (the seed
//!   stays, so a QR already on a guest's screen keeps working when only the end moves);
//! - a cancelled, moved-away or checked-out booking has its member revoked;
//! - a booking that ended more than the grace ago has its member deleted (SPLATS does
//!   not purge members), in bulk when there are many.
//!
//! [`drain`] carries the queued ops out over the network and records each result.

use crate::clouds::reservation::Visit;
use crate::clouds::splats::bulk::{self, Polling, Tag};
use crate::clouds::splats::SplatsClient;
use crate::desk::audit::{self, AuditEvent};
use crate::desk::guests::{self, access};
use crate::desk::outbox::{self, Op, PendingOp};
use crate::platform::config::Config;
use crate::platform::db::Db;
use crate::platform::error::{Error, Result};
use crate::platform::secrets::{names, SecretStore};
use crate::{desk::cache, platform::clock};
use rusqlite::{params, Connection};
use serde::Serialize;

/// What one planning pass queued.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Planned {
    pub issue: usize,
    pub update: usize,
    pub revoke: usize,
    pub delete: usize,
    /// Bookings whose rooms have no SPLATS area mapped: no member can be made.
    pub unmapped: Vec<String>,
}

impl Planned {
    fn count(&mut self, op: Op) {
        match op {
            Op::Issue => self.issue += 1,
            Op::Update => self.update += 1,
            Op::Revoke => self.revoke += 1,
            Op::Delete => self.delete += 1,
        }
    }
}

/// One booking's row as the planner needs it.
struct Row {
    id: String,
    starts_at: i64,
    ends_at: i64,
    cancelled: bool,
    checked_out: bool,
    active: Option<access::AccessSummary>,
}

/// Queues every change the bookings call for at `now`. Ops already waiting are kept
/// as they are (with their backoff); a different op replaces them.
pub fn plan(conn: &mut Connection, config: &Config, now: i64) -> Result<Planned> {
    let grace = i64::from(config.splats.guest_grace_minutes) * 60;
    let horizon = (guests::day_start(now) + 86_400).max(now + config.sync.lead_minutes * 60);
    let tx = conn.transaction()?;
    let rows = candidates(&tx, now - grace, horizon)?;
    let mut planned = Planned::default();
    for r in rows {
        let ended = r.ends_at + grace <= now;
        let wanted = !r.cancelled && !r.checked_out && !ended && r.starts_at < horizon;
        let op = if wanted {
            let Some(g) = cache::get_guest(&tx, &r.id)? else { continue };
            // A live member whose rooms lost their SPLATS area keeps only the rooms
            // still mapped, or goes: it never keeps doors it should no longer open.
            let want = match access::desired(&tx, config, &g) {
                Ok(d) => Some(d),
                Err(_) if r.active.is_some() => access::desired_still_mapped(&tx, config, &g)?,
                Err(_) => {
                    planned.unmapped.push(r.id.clone());
                    // An issue whose answer was lost may have made a member for the old
                    // rooms: it goes (looked up by code), never kept by default.
                    let lost =
                        outbox::waiting_for(&tx, &r.id)?.is_some_and(|w| w.op == Op::Issue && w.maybe_sent);
                    if lost {
                        outbox::enqueue(&tx, &r.id, Op::Revoke, "unmapped", now)?;
                        planned.count(Op::Revoke);
                    }
                    continue;
                }
            };
            // A printed pass made for the old rooms or times is remade by the update.
            let pass_stale = match &want {
                Some(w) => guests::pass::is_stale(&tx, &r.id, w)?,
                None => false,
            };
            let member = match (&r.active, want) {
                (Some(_), None) => Some((Op::Revoke, "unmapped")),
                (None, _) => Some((Op::Issue, "booked")),
                (Some(a), Some((from, until, areas)))
                    if a.valid_from != from || a.valid_until != until || a.splats_area_ids != areas =>
                {
                    Some((Op::Update, "changed"))
                }
                (Some(_), Some(_)) => None,
            };
            member.or(pass_stale.then_some((Op::Update, "changed")))
        } else {
            // A live member goes; so does an issue still waiting for a booking no
            // longer wanted (its reply may have been lost, and a member made).
            let waiting_issue = outbox::waiting_for(&tx, &r.id)?.is_some_and(|w| !w.op.removes());
            // A printed pass goes with the booking too, member or not.
            let pass = guests::pass::is_live(&tx, &r.id)?;
            (r.active.is_some() || waiting_issue || pass).then_some(match () {
                _ if r.cancelled => (Op::Revoke, "cancelled"),
                _ if r.checked_out => (Op::Revoke, "checked_out"),
                _ if ended => (Op::Delete, "ended"),
                _ => (Op::Revoke, "moved"),
            })
        };
        let Some((op, reason)) = op else { continue };
        if outbox::waiting_for(&tx, &r.id)?.is_some_and(|w| w.op == op) {
            continue;
        }
        outbox::enqueue(&tx, &r.id, op, reason, now)?;
        planned.count(op);
    }
    tx.commit()?;
    Ok(planned)
}

/// Bookings that may need a change: those with a live member or printed pass, and
/// those that may want one (not ended, starting before the horizon).
fn candidates(conn: &Connection, ended_before: i64, horizon: i64) -> Result<Vec<Row>> {
    let mut stmt = conn.prepare(
        "SELECT g.id, g.starts_at, g.ends_at, g.cancelled_at IS NOT NULL, g.checked_out_at IS NOT NULL,
                a.guest_id IS NOT NULL AND a.revoked_at IS NULL
         FROM guests g LEFT JOIN guest_access a ON a.guest_id = g.id
         WHERE (a.guest_id IS NOT NULL AND a.revoked_at IS NULL)
            OR (g.cancelled_at IS NULL AND g.checked_out_at IS NULL AND g.ends_at > ?1 AND g.starts_at < ?2)
            OR g.id IN (SELECT guest_id FROM outbox WHERE done_at IS NULL)
            OR g.id IN (SELECT guest_id FROM guest_passes WHERE revoked_at IS NULL)
         ORDER BY g.starts_at, g.id",
    )?;
    let raw: Vec<(String, i64, i64, bool, bool, bool)> = stmt
        .query_map(params![ended_before, horizon], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?))
        })?
        .collect::<rusqlite::Result<_>>()?;
    raw.into_iter()
        .map(|(id, starts_at, ends_at, cancelled, checked_out, live)| {
            let active = if live { access::summary(conn, &id)? } else { None };
            Ok(Row { id, starts_at, ends_at, cancelled, checked_out, active })
        })
        .collect()
}

/// What one drain did.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Drained {
    pub done: usize,
    pub failed: usize,
    /// Ops left for later because SPLATS was unreachable or out of calls.
    pub deferred: usize,
    /// Bulk delete requests sent.
    pub bulk_requests: usize,
    /// The error that stopped the drain early, if any.
    pub stopped_by: Option<String>,
}

/// How long a runner holds the ops it took; another runner may take them after that.
const HOLD_SECS: i64 = 300;

/// Carries out the ops due now. Deletes of ended bookings go in bulk when there are at
/// least `sync.bulk_delete_threshold` of them; everything else one by one. A dead
/// network or a spent rate budget stops the drain; the rest waits for the next one.
pub async fn drain(
    db: &Db,
    client: &SplatsClient,
    secrets: &dyn SecretStore,
    config: &Config,
    actor: &str,
    now: i64,
) -> Result<Drained> {
    let due = db.write(move |c| outbox::claim_due(c, now, HOLD_SECS, 10_000)).await?;
    run(db, client, secrets, config, actor, due).await
}

/// Carries out the op waiting for one guest now, whatever its backoff (staff pressed
/// a button and are watching). Another runner busy with it is left alone.
pub async fn drain_guest(
    db: &Db,
    client: &SplatsClient,
    secrets: &dyn SecretStore,
    config: &Config,
    actor: &str,
    guest_id: &str,
) -> Result<Drained> {
    let (id, now) = (guest_id.to_string(), crate::platform::clock::now_unix());
    let due = db.write(move |c| outbox::claim_guest(c, &id, now, HOLD_SECS)).await?;
    run(db, client, secrets, config, actor, due).await
}

async fn run(
    db: &Db,
    client: &SplatsClient,
    secrets: &dyn SecretStore,
    config: &Config,
    actor: &str,
    due: Vec<PendingOp>,
) -> Result<Drained> {
    let mut report = Drained::default();
    let (bulk, due) = take_bulk(due, Op::Delete, config.sync.bulk_delete_threshold);
    if !bulk.is_empty() {
        bulk_delete(db, client, secrets, actor, bulk, &mut report).await?;
    }
    let (bulk, single) = take_bulk(due, Op::Issue, config.sync.bulk_issue_threshold);
    if !bulk.is_empty() {
        bulk_issue(db, client, secrets, config, actor, bulk, &mut report).await?;
    }
    let mut queue = single.into_iter();
    for p in queue.by_ref() {
        let result = run_one(db, client, secrets, config, actor, &p).await;
        let stop = matches!(&result, Err(Error::Unreachable { .. } | Error::RateLimited { .. }));
        settle(db, p, &result, &mut report).await?;
        if stop {
            report.stopped_by = result.err().map(|e| e.code().to_string());
            break;
        }
    }
    let rest: Vec<PendingOp> = queue.collect();
    report.deferred = rest.len();
    db.write(move |c| rest.iter().try_for_each(|p| outbox::release(c, p))).await?;
    Ok(report)
}

/// The ops of `op` that go in bulk, when there are at least `threshold` of them, and the
/// rest. A delete whose issue may have been sent without an answer needs its member
/// looked up by code first: the one-by-one path does that; an issue that may have been
/// made goes in bulk too, the bulk path looking them all up in one listing.
fn take_bulk(due: Vec<PendingOp>, op: Op, threshold: usize) -> (Vec<PendingOp>, Vec<PendingOp>) {
    let bulkable = |p: &PendingOp| p.op == op && (op == Op::Issue || !p.maybe_sent);
    let use_bulk = due.iter().filter(|p| bulkable(p)).count() >= threshold.max(1);
    due.into_iter().partition(|p| use_bulk && bulkable(p))
}

/// Makes the members of many due bookings in bulk ([`access::issue_many`]). Each is
/// marked as sending first; one not made goes back to the outbox, whose next try looks
/// it up by code before making it.
async fn bulk_issue(
    db: &Db,
    client: &SplatsClient,
    secrets: &dyn SecretStore,
    config: &Config,
    actor: &str,
    ops: Vec<PendingOp>,
    report: &mut Drained,
) -> Result<()> {
    let ids: Vec<i64> = ops.iter().map(|p| p.id).collect();
    db.write(move |c| ids.iter().try_for_each(|id| outbox::mark_sending(c, *id))).await?;
    let guests: Vec<(String, bool)> = ops.iter().map(|p| (p.guest_id.clone(), p.maybe_sent)).collect();
    report.bulk_requests += guests.len().div_ceil(crate::clouds::splats::bulk::MAX_MEMBERS);
    let made = access::issue_many(db, client, secrets, config, actor, &guests).await;
    let kept: std::collections::HashMap<String, bool> = match &made {
        Ok(m) => m.iter().cloned().collect(),
        Err(e) => {
            report.stopped_by = Some(e.code().to_string());
            Default::default()
        }
    };
    for p in ops {
        let result = match kept.get(&p.guest_id) {
            Some(true) => Ok(()),
            // Not known to be made: it may have been (the listing came too late, or the
            // request failed part-way), so the next try looks it up first.
            _ => Err(Error::Uncertain { cloud: crate::platform::error::Cloud::Splats }),
        };
        settle(db, p, &result, report).await?;
    }
    Ok(())
}

async fn run_one(
    db: &Db,
    client: &SplatsClient,
    secrets: &dyn SecretStore,
    config: &Config,
    actor: &str,
    p: &PendingOp,
) -> Result<()> {
    if p.op.removes() {
        return access::remove(db, client, secrets, &p.guest_id, &p.reason, p.maybe_sent, actor).await;
    }
    let id = p.id;
    db.write(move |c| outbox::mark_sending(c, id)).await?;
    access::issue_after(db, client, secrets, config, &p.guest_id, actor, Some(p.maybe_sent)).await?;
    // A printed pass follows the booking's new rooms and window (same QR).
    guests::pass::refresh(db, client, secrets, config, &p.guest_id, actor).await
}

async fn settle(db: &Db, p: PendingOp, result: &Result<()>, report: &mut Drained) -> Result<()> {
    let now = crate::platform::clock::now_unix();
    match result {
        Ok(()) => {
            report.done += 1;
            db.write(move |c| outbox::done(c, &p, now)).await
        }
        Err(e) => {
            report.failed += 1;
            let code = e.code().as_str();
            db.write(move |c| outbox::failed(c, &p, code, now)).await
        }
    }
}

/// Deletes the members of many ended bookings with bulk requests (1,000 a request),
/// instead of one call each: 3,000 cleanups cost a handful of calls, not 3,000.
async fn bulk_delete(
    db: &Db,
    client: &SplatsClient,
    secrets: &dyn SecretStore,
    actor: &str,
    ops: Vec<PendingOp>,
    report: &mut Drained,
) -> Result<()> {
    // Printed passes first, one call each (few guests hold one); a failure leaves the
    // member's delete to go ahead and the op to be tried again.
    let mut pass_failed = std::collections::HashSet::new();
    for p in &ops {
        if let Err(e) = guests::pass::revoke(db, client, secrets, &p.guest_id, actor).await {
            tracing::warn!(code = e.code().as_str(), "a printed pass was not revoked; tried again later");
            pass_failed.insert(p.guest_id.clone());
        }
    }
    let ids: Vec<String> = ops.iter().map(|p| p.guest_id.clone()).collect();
    let members: Vec<Option<String>> = db
        .read(move |c| {
            ids.iter()
                .map(|id| {
                    Ok(access::summary(c, id)?.filter(|s| s.revoked_at.is_none()).map(|s| s.splats_member_id))
                })
                .collect()
        })
        .await?;
    let (with, without): (Vec<_>, Vec<_>) = ops.into_iter().zip(members).partition(|(_, m)| m.is_some());
    let bodies: Vec<serde_json::Value> =
        with.iter().map(|(_, m)| serde_json::json!({ "member_id": m })).collect();
    let outcome = match bulk::run(client, Tag::Delete, &bodies, Polling::default(), |_, _| {}).await {
        Ok(o) => o,
        Err(e) => {
            let code = e.code().as_str();
            let all: Vec<PendingOp> = with.into_iter().chain(without).map(|(p, _)| p).collect();
            report.failed += all.len();
            report.stopped_by = Some(code.to_string());
            let now = crate::platform::clock::now_unix();
            return db.write(move |c| all.iter().try_for_each(|p| outbox::failed(c, p, code, now))).await;
        }
    };
    report.bulk_requests += outcome.requests.len();
    for (guest, _) in &without {
        secrets.delete(&names::guest_seed(&guest.guest_id))?;
    }
    let mut gone = Vec::new();
    let mut retry = Vec::new();
    for (i, (p, member)) in with.into_iter().enumerate() {
        let r = outcome.results.get(i);
        let deleted = r.is_some_and(|r| {
            r.status == "succeeded"
                || r.error
                    .as_ref()
                    .and_then(|e| e.error_code.as_deref())
                    .is_some_and(|c| c.starts_with("404"))
        });
        if deleted {
            secrets.delete(&names::guest_seed(&p.guest_id))?;
            gone.push((p, member));
        } else {
            retry.push(p);
        }
    }
    let (gone, pass_retry): (Vec<_>, Vec<_>) =
        gone.into_iter().partition(|(p, _): &(PendingOp, _)| !pass_failed.contains(&p.guest_id));
    let (without, without_retry): (Vec<_>, Vec<_>) =
        without.into_iter().partition(|(p, _)| !pass_failed.contains(&p.guest_id));
    let pass_retry: Vec<_> = pass_retry.into_iter().chain(without_retry).collect();
    report.done += gone.len() + without.len();
    report.failed += retry.len() + pass_retry.len();
    let now = crate::platform::clock::now_unix();
    let actor = actor.to_string();
    let requests = outcome.requests.len();
    db.write(move |c| {
        let tx = c.transaction()?;
        for (p, member) in &gone {
            tx.execute(
                "UPDATE guest_access SET revoked_at = ?2 WHERE guest_id = ?1 AND revoked_at IS NULL",
                params![p.guest_id, now],
            )?;
            outbox::done(&tx, p, now)?;
            let detail = serde_json::json!({ "member_id": member, "reason": p.reason, "bulk": true });
            audit::record(
                &tx,
                &AuditEvent::new(&actor, "access.revoke", Some(&p.guest_id), true).with_detail(detail),
            )?;
        }
        for (p, _) in &without {
            outbox::done(&tx, p, now)?;
        }
        for (p, member) in &pass_retry {
            if member.is_some() {
                tx.execute(
                    "UPDATE guest_access SET revoked_at = ?2 WHERE guest_id = ?1 AND revoked_at IS NULL",
                    params![p.guest_id, now],
                )?;
                let detail = serde_json::json!({ "member_id": member, "reason": p.reason, "bulk": true });
                let event = AuditEvent::new(&actor, "access.revoke", Some(&p.guest_id), true);
                audit::record(&tx, &event.with_detail(detail))?;
            }
            outbox::failed(&tx, p, "pass_revoke_failed", now)?;
        }
        for p in &retry {
            outbox::failed(&tx, p, "bulk_failed", now)?;
        }
        let detail =
            serde_json::json!({ "deleted": gone.len(), "failed": retry.len(), "requests": requests });
        audit::record(
            &tx,
            &AuditEvent::new(&actor, "access.bulk_delete", None, retry.is_empty()).with_detail(detail),
        )?;
        tx.commit()?;
        Ok(())
    })
    .await
}

/// A check-out as staff see it: their access is revoked at once when SPLATS answers,
/// and otherwise kept waiting in the outbox (shown as pending) until it does.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct CheckedOut {
    pub revoked: bool,
    pub pending: bool,
}

/// The counter's check-out: recorded ([`access::check_out`]), the revoke tried right
/// away, the visit reported to the reservation system. Works with SPLATS down or not
/// set up: the check-out stands and the revoke waits in the outbox.
pub async fn check_out_now(
    db: &Db,
    client: Option<&SplatsClient>,
    secrets: &dyn SecretStore,
    config: &Config,
    guest_id: &str,
    actor: &str,
) -> Result<CheckedOut> {
    let (id, who, now) = (guest_id.to_string(), actor.to_string(), clock::now_unix());
    let queued = db.write(move |c| access::check_out(c, &id, now, &who)).await?;
    if !queued {
        guests::report_visit_logged(db, config, secrets, guest_id, Visit::CheckedOut, actor).await;
        return Ok(CheckedOut { revoked: false, pending: false });
    }
    if let Some(client) = client {
        if let Err(e) = drain_guest(db, client, secrets, config, actor, guest_id).await {
            tracing::warn!(code = e.code().as_str(), "revoke left in the outbox");
        }
    }
    let id = guest_id.to_string();
    let pending = db.read(move |c| Ok(outbox::waiting_for(c, &id)?.is_some())).await?;
    guests::report_visit_logged(db, config, secrets, guest_id, Visit::CheckedOut, actor).await;
    Ok(CheckedOut { revoked: !pending, pending })
}
