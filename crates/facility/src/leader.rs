//! One PC leads the spending work (reservation sync, reconciliation, status polls):
//! the one holding a session-level PostgreSQL advisory lock on its own connection.
//!
//! The lock lives as long as that connection. A leader that quits, crashes or is
//! killed loses it as soon as PostgreSQL sees the connection close. A leader whose
//! network vanished (a pulled cable, a dead switch) closes nothing, so it is told
//! apart by its heartbeat instead:
//!
//! - the leader writes `leader_beat` every [`RETRY`]; a beat that does not answer
//!   within [`ANSWER`] makes it stop leading at once, before anyone else can start;
//! - a follower that finds the beat older than [`STALE`] ends the leader's backend
//!   (`pg_terminate_backend`, allowed between sessions of one role), which releases
//!   the lock, and takes it.
//!
//! So the work moves within 30 s however the leader went away, and two PCs never lead
//! at once: the old one has stopped for [`STALE`] − [`RETRY`] − [`ANSWER`] before the new
//! one starts. A head-office PC never tries.

use super::{connect, Session};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;
use uketsuke_core::platform::config::FacilityConfig;
use uketsuke_core::platform::secrets::SecretStore;

/// How often a follower tries, and a leader beats.
pub const RETRY: Duration = Duration::from_secs(5);
/// How long a query may take before its connection counts as gone.
pub const ANSWER: Duration = Duration::from_secs(4);
/// A leader's beat older than this (server time): it is gone.
pub const STALE: Duration = Duration::from_secs(15);

/// Whether this PC leads now; shared with the worker, which does nothing while not.
#[derive(Clone, Default)]
pub struct Leadership(Arc<AtomicBool>);

impl Leadership {
    pub fn is_leader(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }

    fn set(&self, leading: bool) {
        if self.0.swap(leading, Ordering::SeqCst) != leading {
            tracing::info!(leading, "facility leadership changed");
        }
    }

    /// Tries for the lock and keeps it, for as long as the process runs.
    pub async fn run(self, config: FacilityConfig, secrets: Arc<dyn SecretStore>, pc: String) {
        loop {
            match connect(&config, secrets.as_ref(), &format!("uketsuke leader {pc}")).await {
                Ok(session) => self.hold(&session, &pc).await,
                Err(e) => tracing::debug!(code = e.code().as_str(), "leader: database away"),
            }
            self.set(false);
            tokio::time::sleep(RETRY).await;
        }
    }

    /// On one connection: try until the lock is ours, then beat until the connection
    /// fails or stops answering (then the caller drops it).
    async fn hold(&self, session: &Session, pc: &str) {
        loop {
            let step =
                if self.is_leader() { beat(session, pc).await } else { self.try_lead(session, pc).await };
            if step.is_none() {
                return;
            }
            tokio::time::sleep(RETRY).await;
        }
    }

    /// One try: the lock if it is free; else, if the leader's beat is stale, its
    /// backend ended and the lock tried again. `None`: the connection is gone.
    async fn try_lead(&self, session: &Session, pc: &str) -> Option<()> {
        if !take_lock(session).await? {
            let stale = answered(session.client.query_opt(
                "SELECT pid FROM leader_beat WHERE beat_at < now() - make_interval(secs => $1)",
                &[&(STALE.as_secs_f64())],
            ))
            .await?;
            let Some(pid) = stale.map(|r| r.get::<_, i32>(0)) else { return Some(()) };
            tracing::warn!(pid, "facility leader silent: ending its session");
            answered(session.client.query_opt("SELECT pg_terminate_backend($1)", &[&pid])).await?;
            tokio::time::sleep(Duration::from_millis(500)).await;
            if !take_lock(session).await? {
                return Some(());
            }
        }
        beat(session, pc).await?;
        self.set(true);
        Some(())
    }
}

async fn take_lock(session: &Session) -> Option<bool> {
    let row =
        answered(session.client.query_one("SELECT pg_try_advisory_lock($1)", &[&super::lock_id::LEADER]))
            .await?;
    Some(row.get(0))
}

/// The leader's heartbeat, with the backend other PCs may end if it goes silent.
async fn beat(session: &Session, pc: &str) -> Option<()> {
    answered(session.client.execute(
        "INSERT INTO leader_beat (one, pc, pid, beat_at) VALUES (1, $1, pg_backend_pid(), now())
         ON CONFLICT (one) DO UPDATE SET pc = EXCLUDED.pc, pid = EXCLUDED.pid, beat_at = EXCLUDED.beat_at",
        &[&pc],
    ))
    .await
    .map(|_| ())
}

/// A query's answer within [`ANSWER`]; `None` when it failed or did not come.
async fn answered<T>(q: impl std::future::Future<Output = Result<T, tokio_postgres::Error>>) -> Option<T> {
    match tokio::time::timeout(ANSWER, q).await {
        Ok(Ok(v)) => Some(v),
        Ok(Err(e)) => {
            tracing::debug!("leader: {e}");
            None
        }
        Err(_) => {
            tracing::warn!("leader: the database did not answer within {ANSWER:?}");
            None
        }
    }
}
