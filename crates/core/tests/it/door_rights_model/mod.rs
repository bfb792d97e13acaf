//! Door rights proven by a model.
//!
//! A seeded, reproducible sequence of operations (bookings added, extended, shortened,
//! moved and cancelled through the reservation ingestion; walk-ins, check-ins and
//! check-outs; rooms and entrances mapped and unmapped; a manual store removed and made
//! again; SPLATS answering 429 or 500, answering 500 after it applied a write, slow, or
//! dropping the connection after applying; the process killed and restarted; time moving
//! on across midnight) runs against the real core and the simulator over HTTP. After
//! each step the faults end, the worker's cycle runs until the outbox is empty, and the
//! SPLATS members the simulator holds (codes, windows, areas) must equal what a few
//! lines of reference code work out from the bookings alone, with no code twice.
//!
//! `make test` runs [`DEFAULT_STEPS`] steps with a fixed seed; `make soak` runs more
//! (`UKETSUKE_MODEL_STEPS`, `UKETSUKE_MODEL_SEED`). A failure prints the seed, the
//! step, and the shortest failing sequence found by removing operations.

mod desk;
mod ops;
mod reference;

use crate::support::desk::Fixture;
use desk::Desk;
use ops::{apply, random_op, Op};
use rand::SeedableRng;
use reference::Model;
use std::collections::BTreeSet;
use std::sync::Arc;
use uketsuke_core::platform::secrets::MemorySecrets;

pub const DEFAULT_STEPS: usize = 500;
const DEFAULT_SEED: u64 = 0x2712_0001;
/// The model's clock starts at 09:00 JST on 2026-12-01 whatever the day the test runs,
/// so that a seed replays the same day.
const START: i64 = 1_796_050_800 + 9 * reference::HOUR;

/// What a run went through, so that a run that proved nothing is noticed.
#[derive(Debug, Default)]
struct Seen {
    /// Distinct member codes SPLATS held at some check.
    codes: BTreeSet<String>,
    most_at_once: usize,
    /// Bulk requests SPLATS received (creates and deletes).
    bulk_requests: usize,
}

/// Runs `ops` from a fresh desk; on the first broken invariant answers its step and why.
async fn run(ops: &[Op]) -> Result<Seen, (usize, String)> {
    let mut f = Fixture::without_bookings().await;
    // Low thresholds, so that bulk creates and deletes run under the faults too.
    f.config.sync.bulk_issue_threshold = 3;
    f.config.sync.bulk_delete_threshold = 3;
    let world = serde_json::json!({ "limits": { "enabled": false, "other_per_window": 1_000_000_000u32 } });
    reqwest::Client::new().put(format!("{}/_sim/splats", f.sim.url())).json(&world).send().await.unwrap();
    f.sim.state.world.lock().unwrap().splats.accept_duplicate_codes = true;
    let db = f.db.clone();
    let mut d = Desk { f, db, settings_secrets: Arc::new(MemorySecrets::default()), kill_next: false };
    let mut m = Model::new(START);
    let grace = i64::from(d.f.config.splats.guest_grace_minutes) * 60;
    let lead = d.f.config.sync.lead_minutes * 60;
    let mut seen = Seen::default();
    for (i, op) in ops.iter().enumerate() {
        apply(op, &mut m, &mut d).await.map_err(|e| (i, format!("{op:?}: {e}")))?;
        d.settle(m.t).await.map_err(|e| (i, e))?;
        let want = m.expected(grace, lead);
        let held = d.held().map_err(|e| (i, e))?;
        if held != want {
            let diff: Vec<String> = want
                .keys()
                .chain(held.keys())
                .collect::<BTreeSet<_>>()
                .into_iter()
                .filter(|k| want.get(*k) != held.get(*k))
                .map(|k| {
                    format!("{k}: want {:?}, SPLATS holds {:?}; {}", want.get(k), held.get(k), d.explain(k))
                })
                .collect();
            let why = format!(
                "after {op:?} at t={}:\n  {}\n  outbox: {:#?}",
                m.t,
                diff.join("\n  "),
                d.outbox_tail()
            );
            return Err((i, why));
        }
        seen.most_at_once = seen.most_at_once.max(held.len());
        seen.bulk_requests = d.bulk_requests();
        seen.codes.extend(held.into_keys());
    }
    Ok(seen)
}

/// Removes operations while the run still fails, halving the chunk size (a bounded
/// delta debugging): the shortest failing sequence found within `tries` runs.
async fn shrink(mut ops: Vec<Op>, tries: usize) -> Vec<Op> {
    let mut chunk = ops.len() / 2;
    let mut left = tries;
    while chunk >= 1 && left > 0 {
        let mut i = 0;
        while i < ops.len() && left > 0 {
            let mut candidate = ops.clone();
            candidate.drain(i..(i + chunk).min(ops.len()));
            left -= 1;
            match run(&candidate).await {
                Err((at, _)) => ops = candidate[..=at].to_vec(),
                Ok(_) => i += chunk,
            }
        }
        chunk /= 2;
    }
    ops
}

fn env<T: std::str::FromStr>(name: &str) -> Option<T> {
    std::env::var(name).ok().and_then(|v| v.parse().ok())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn splats_members_always_match_the_bookings() {
    let seed = env("UKETSUKE_MODEL_SEED").unwrap_or(DEFAULT_SEED);
    let steps = env("UKETSUKE_MODEL_STEPS").unwrap_or(DEFAULT_STEPS);
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    let ops: Vec<Op> = (0..steps).map(|_| random_op(&mut rng)).collect();
    let started = std::time::Instant::now();
    let seen = match run(&ops).await {
        Ok(seen) => seen,
        Err((at, why)) => {
            let shortest = shrink(ops[..=at].to_vec(), 60).await;
            panic!(
                "door rights broke at step {at} (UKETSUKE_MODEL_SEED={seed}, {steps} steps): {why}\n\
                 shortest failing sequence found ({} ops):\n{shortest:#?}",
                shortest.len()
            );
        }
    };
    eprintln!(
        "model: {steps} steps, seed {seed:#x}, {:.1} s, {} members made in all, at most {} at once, {} bulk requests",
        started.elapsed().as_secs_f64(),
        seen.codes.len(),
        seen.most_at_once,
        seen.bulk_requests
    );
    assert!(seen.codes.len() >= steps / 20, "a run that made few members proves little: {seen:?}");
}
