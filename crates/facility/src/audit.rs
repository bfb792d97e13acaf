//! The facility's audit chain: every PC's audit rows in one order, each linked to the
//! one before it, whichever PC wrote it. Each PC still keeps its own chain in SQLite
//! (it works offline); its rows are appended here as they come, in its own order,
//! each taking the facility's next place under an advisory lock.
//!
//! A link is SHA-256 over the previous hash and the row's content, as in
//! [`uketsuke_core::desk::audit::chain`], with the facility's place and the sending PC in the
//! content: a row changed, dropped or moved in PostgreSQL breaks the chain at that
//! place, and [`verify`] names it. Rows archived on a PC before it could send them
//! (offline for longer than the archive's age) are not in this chain; its own chain
//! and archives still hold them.

use super::{unreachable, Session};
use serde::Serialize;
use uketsuke_core::desk::audit::chain::{self, ChainRow, GENESIS};
use uketsuke_core::platform::db::{self, Db};
use uketsuke_core::platform::error::Result;

/// In SQLite's meta: the last own audit row appended to the facility's chain.
const SENT: &str = "facility.audit_sent";
const PAGE: i64 = 500;

/// The facility's chain, checked end to end.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct FacilityChain {
    pub rows: i64,
    /// The PCs whose rows it holds.
    pub pcs: i64,
    /// The first place where the chain does not hold, if any.
    pub broken_at: Option<i64>,
}

/// The hash the row at `seq` must carry after `prev`.
fn link(prev: &str, seq: i64, pc: &str, r: &ChainRow) -> String {
    let content = serde_json::json!([
        seq,
        pc,
        r.id,
        r.at_ms,
        r.actor,
        r.action,
        r.target,
        r.outcome,
        r.detail,
        r.latency_ms
    ]);
    chain::hash_after(prev, &content)
}

/// Whether this PC has audit rows not yet in the facility's chain.
pub async fn pending(db: &Db) -> Result<bool> {
    db.read(|c| {
        let after = sent(c)?;
        Ok(c.query_row("SELECT EXISTS (SELECT 1 FROM audit_events WHERE id > ?1)", [after], |r| r.get(0))?)
    })
    .await
}

/// Appends up to 500 of this PC's audit rows to the facility's chain; returns how many.
pub async fn send(db: &Db, session: &mut Session, pc_id: &str) -> Result<usize> {
    let own: Vec<ChainRow> = db
        .read(|c| {
            let after = sent(c)?;
            let mut s = c.prepare(&format!(
                "SELECT {} FROM audit_events WHERE id > ?1 ORDER BY id LIMIT ?2",
                chain::COLUMNS
            ))?;
            let rows = s.query_map([after, PAGE], ChainRow::read)?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })
        .await?;
    let Some(last) = own.last().map(|r| r.id) else { return Ok(0) };
    let tx = session.client.transaction().await.map_err(unreachable)?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&super::lock_id::AUDIT]).await.map_err(unreachable)?;
    let head = tx
        .query_opt("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1", &[])
        .await
        .map_err(unreachable)?;
    let (mut seq, mut prev) =
        head.map(|r| (r.get::<_, i64>(0), r.get::<_, String>(1))).unwrap_or((0, GENESIS.to_string()));
    let insert = tx
        .prepare(
            "INSERT INTO audit (seq, pc, local_id, at_ms, actor, action, target, outcome, detail,
                                latency_ms, prev_hash, hash)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
             ON CONFLICT (pc, local_id) DO NOTHING",
        )
        .await
        .map_err(unreachable)?;
    for r in &own {
        let hash = link(&prev, seq + 1, pc_id, r);
        let added = tx
            .execute(
                &insert,
                &[
                    &(seq + 1),
                    &pc_id,
                    &r.id,
                    &r.at_ms,
                    &r.actor,
                    &r.action,
                    &r.target,
                    &r.outcome,
                    &r.detail,
                    &r.latency_ms,
                    &prev,
                    &hash,
                ],
            )
            .await
            .map_err(unreachable)?;
        // Zero: sent before, and its mark lost with a crash; its place stays its own.
        if added == 1 {
            (seq, prev) = (seq + 1, hash);
        }
    }
    tx.commit().await.map_err(unreachable)?;
    db.write(move |c| db::set_meta(c, SENT, &last.to_string())).await?;
    Ok(own.len())
}

/// Checks the facility's chain from its first row to its last.
pub async fn verify(client: &tokio_postgres::Client) -> Result<FacilityChain> {
    let mut report = FacilityChain { rows: 0, pcs: 0, broken_at: None };
    let (mut after, mut prev) = (0i64, GENESIS.to_string());
    loop {
        let page = client
            .query(
                "SELECT seq, pc, local_id, at_ms, actor, action, target, outcome, detail, latency_ms,
                        prev_hash, hash
                 FROM audit WHERE seq > $1 ORDER BY seq LIMIT 1000",
                &[&after],
            )
            .await
            .map_err(unreachable)?;
        let Some(last) = page.last().map(|r| r.get::<_, i64>(0)) else { break };
        for r in &page {
            let (seq, pc): (i64, String) = (r.get(0), r.get(1));
            let row = ChainRow {
                id: r.get(2),
                at_ms: r.get(3),
                actor: r.get(4),
                action: r.get(5),
                target: r.get(6),
                outcome: r.get(7),
                detail: r.get(8),
                latency_ms: r.get(9),
                prev_hash: None,
                hash: None,
            };
            let (stored_prev, stored): (String, String) = (r.get(10), r.get(11));
            report.rows += 1;
            let in_place = seq == report.rows && stored_prev == prev;
            if report.broken_at.is_none() && (!in_place || stored != link(&prev, seq, &pc, &row)) {
                report.broken_at = Some(seq);
            }
            prev = stored;
        }
        after = last;
    }
    report.pcs =
        client.query_one("SELECT count(DISTINCT pc) FROM audit", &[]).await.map_err(unreachable)?.get(0);
    Ok(report)
}

fn sent(conn: &rusqlite::Connection) -> Result<i64> {
    Ok(db::get_meta(conn, SENT)?.and_then(|v| v.parse().ok()).unwrap_or(0))
}
