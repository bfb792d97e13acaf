//! One PC leads the spending work (reservation sync, reconciliation, status polls):
//! the one holding a session-level PostgreSQL advisory lock on its own connection.
//!
//! The lock lives as long as that connection: a leader that quits, crashes or is
//! killed loses it as soon as PostgreSQL sees the connection close (at once for a
//! killed process; within the server's TCP keepalive for a PC whose cable was pulled,
//! see docs/facility.md). The others try every [`RETRY`], so one of them leads again
//! well within 30 s. A leader that loses its connection stops leading at once, before
//! anyone else can start. A head-office PC never tries.

use super::{connect, Session};
use crate::config::FacilityConfig;
use crate::secrets::SecretStore;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// How often a follower tries, and a leader checks its connection.
pub const RETRY: Duration = Duration::from_secs(5);

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
                Ok(session) => self.hold(&session).await,
                Err(e) => tracing::debug!(code = e.code().as_str(), "leader: database away"),
            }
            self.set(false);
            tokio::time::sleep(RETRY).await;
        }
    }

    /// On one connection: try until the lock is ours, then check the connection
    /// until it fails.
    async fn hold(&self, session: &Session) {
        loop {
            let q = if self.is_leader() {
                session.client.query_one("SELECT true", &[]).await
            } else {
                session.client.query_one("SELECT pg_try_advisory_lock($1)", &[&super::lock_id::LEADER]).await
            };
            match q {
                Ok(row) => self.set(row.get::<_, bool>(0)),
                Err(_) => return,
            }
            tokio::time::sleep(RETRY).await;
        }
    }
}
