//! The background worker: keeps the cache and the door rights true all day, unattended.
//!
//! It syncs right after start, then on a schedule within the rate budgets (bookings
//! and door rights every `sync.bookings_every_secs`, SPLATS every
//! `sync.histories_every_secs`), carries out outbox ops as they fall due, syncs
//! everything on demand, and once an hour applies the audit log's retention. The app
//! runs one, and so does `uketsuke watch` on a headless PC; an OS file lock beside the
//! database makes sure that only one process per database does. Its status (per cloud: last sync, next one, any error, ops waiting)
//! is saved in the database, so that every window and process can show it.

use crate::platform::clock;
use crate::platform::config::Config;
use crate::platform::db::{self, Db};
use crate::platform::error::{Error, Result};
use crate::platform::secrets::SecretStore;
use crate::workflows::sync::{self, Outcome, Problem, Report, Scope};
use serde::{Deserialize, Serialize};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::Notify;

const STATUS_KEY: &str = "worker.status";

/// One part of the work as staff see it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Part {
    /// Set up (and so run) at the last sync.
    pub enabled: bool,
    pub last_at: Option<i64>,
    pub last_ok: Option<bool>,
    pub next_at: Option<i64>,
    pub error: Option<Problem>,
}

/// The worker's state, as saved for every window and process to read.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Status {
    pub reservation: Part,
    pub splats: Part,
    pub access: Part,
    /// Outbox ops still waiting (shown as pending).
    pub waiting: i64,
    /// The process that runs the worker, and when it last saved this.
    pub pid: u32,
    pub updated_at: i64,
}

impl Status {
    /// The status one sync leaves, for a caller that ran it without a worker.
    pub fn after(report: &Report, config: &Config) -> Status {
        let mut s = Status { pid: std::process::id(), updated_at: report.finished_at, ..Status::default() };
        s.apply(Scope::ALL, report, config, report.finished_at);
        s
    }

    fn apply(&mut self, scope: Scope, report: &Report, config: &Config, now: i64) {
        let every = |secs: u64| now + secs as i64;
        if scope.bookings {
            note(
                &mut self.reservation,
                report.reservation.as_ref(),
                now,
                every(config.sync.bookings_every_secs),
            );
        }
        if scope.splats {
            note(&mut self.splats, report.splats.as_ref(), now, every(config.sync.histories_every_secs));
        }
        if scope.access {
            note(&mut self.access, report.access.as_ref(), now, every(config.sync.bookings_every_secs));
        }
    }
}

/// Reads the saved status (whichever process runs the worker).
pub fn status(conn: &db::Connection) -> Result<Option<Status>> {
    let Some(text) = db::get_meta(conn, STATUS_KEY)? else { return Ok(None) };
    let mut s: Status = serde_json::from_str(&text).unwrap_or_default();
    s.waiting = crate::desk::outbox::summary(conn)?.0;
    Ok(Some(s))
}

/// The config as it is now: the app swaps it when a manager saves settings.
pub type ConfigSource = Arc<dyn Fn() -> Arc<Config> + Send + Sync>;

/// Told of every status change (the shell forwards it to the window).
type Listener = Box<dyn Fn(&Status) + Send + Sync>;

/// How often a worker that does not lead looks again (facility mode).
const FOLLOWING: Duration = Duration::from_secs(5);

/// In facility mode: whether this PC leads the spending work right now
/// (`facility::leader`). Without a gate the worker always works.
pub type Gate = Arc<dyn Fn() -> bool + Send + Sync>;

pub struct Worker {
    db: Db,
    secrets: Arc<dyn SecretStore>,
    config: ConfigSource,
    wake: Notify,
    /// A local change (walk-in, import, check-out) asked for door access to be
    /// reconciled now rather than at the next scheduled sync.
    access_asked: std::sync::atomic::AtomicBool,
    state: Mutex<Status>,
    /// One sync at a time, scheduled or on demand.
    cycle: tokio::sync::Mutex<()>,
    on_change: Mutex<Option<Listener>>,
    gate: Mutex<Option<Gate>>,
    _owner: std::fs::File,
}

impl Worker {
    /// Takes the database's worker lock; [`Error::WorkerBusy`] if another process has it.
    pub fn new(db: Db, secrets: Arc<dyn SecretStore>, config: ConfigSource) -> Result<Worker> {
        let path = db.path().with_extension("worker.lock");
        let owner = std::fs::OpenOptions::new().create(true).truncate(false).write(true).open(&path)?;
        match owner.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => return Err(Error::WorkerBusy),
            Err(std::fs::TryLockError::Error(e)) => return Err(e.into()),
        }
        let released = db.write_now(|c| crate::desk::outbox::release_all(c))?;
        if released > 0 {
            tracing::info!(released, "outbox ops held by a process that ended are free again");
        }
        let state = Mutex::new(Status { pid: std::process::id(), ..Status::default() });
        Ok(Worker {
            db,
            secrets,
            config,
            wake: Notify::new(),
            access_asked: Default::default(),
            state,
            cycle: Default::default(),
            on_change: Mutex::new(None),
            gate: Mutex::new(None),
            _owner: owner,
        })
    }

    /// Called after every change of status (the app tells its windows).
    pub fn on_change(&self, f: impl Fn(&Status) + Send + Sync + 'static) {
        *db::relock(&self.on_change) = Some(Box::new(f));
    }

    pub fn status(&self) -> Status {
        db::relock(&self.state).clone()
    }

    /// Facility mode: scheduled work runs only while `gate` says this PC leads. A
    /// sync staff ask for ([`sync_now`](Self::sync_now)) still runs.
    pub fn set_gate(&self, gate: Gate) {
        *db::relock(&self.gate) = Some(gate);
    }

    /// Whether this PC may do the scheduled work now.
    pub fn leads(&self) -> bool {
        db::relock(&self.gate).as_ref().is_none_or(|g| g())
    }

    /// Runs until the process ends: a first full sync, then whatever falls due.
    pub async fn run(&self) {
        let mut retained_at = 0;
        loop {
            if let Err(e) = self.tick(clock::now_unix()).await {
                tracing::warn!(code = e.code().as_str(), "worker cycle failed");
            }
            let now = clock::now_unix();
            if now - retained_at >= 3600 {
                retained_at = now;
                let config = (self.config)();
                let archived = self
                    .db
                    .write(move |c| crate::desk::audit::archive::apply_retention(c, &config, now))
                    .await;
                match archived {
                    Ok(Some(a)) => tracing::info!(rows = a.rows, file = a.file, "audit rows archived"),
                    Ok(None) => {}
                    Err(e) => tracing::warn!(code = e.code().as_str(), "audit retention not applied"),
                }
            }
            // A PC that follows in a facility looks again every few seconds, so that
            // it starts at once when it comes to lead.
            let wait = if self.leads() { self.next_wake(clock::now_unix()).await } else { FOLLOWING };
            tokio::select! {
                _ = tokio::time::sleep(wait) => {}
                _ = self.wake.notified() => {}
            }
        }
    }

    /// Asks the running loop to reconcile door access now (after a local change: a
    /// walk-in, an import, a check-out whose revoke is waiting).
    pub fn nudge(&self) {
        self.access_asked.store(true, std::sync::atomic::Ordering::SeqCst);
        self.wake.notify_one();
    }

    /// Everything, now, whatever the schedule; waits for a sync already running.
    pub async fn sync_now(&self, actor: &str) -> Report {
        let _one = self.cycle.lock().await;
        let report = sync::run(&self.db, &(self.config)(), self.secrets.as_ref(), Scope::ALL, actor).await;
        self.record(Scope::ALL, &report, clock::now_unix()).await;
        report
    }

    /// Runs what is due at `now`: `None` if nothing was.
    pub async fn tick(&self, now: i64) -> Result<Option<Report>> {
        if !self.leads() {
            return Ok(None);
        }
        let _one = self.cycle.lock().await;
        let s = self.status();
        let due = |p: &Part| p.next_at.is_none_or(|t| t <= now);
        let outbox_due = self.db.read(move |c| crate::desk::outbox::any_due(c, now)).await?;
        let asked = self.access_asked.swap(false, std::sync::atomic::Ordering::SeqCst);
        let scope = Scope {
            bookings: due(&s.reservation),
            splats: due(&s.splats),
            access: due(&s.reservation) || outbox_due || asked,
        };
        if !(scope.bookings || scope.splats || scope.access) {
            return Ok(None);
        }
        let report =
            sync::run_at(&self.db, &(self.config)(), self.secrets.as_ref(), scope, "worker", now).await;
        self.record(scope, &report, now).await;
        Ok(Some(report))
    }

    /// Notes a sync's outcome and when each part runs next, saves it, and tells.
    async fn record(&self, scope: Scope, report: &Report, now: i64) {
        let config = (self.config)();
        let mut s = self.status();
        s.apply(scope, report, &config, now);
        s.pid = std::process::id();
        s.updated_at = now;
        let saved = s.clone();
        let written = self
            .db
            .write(move |c| {
                db::set_meta(c, STATUS_KEY, &serde_json::to_string(&saved).unwrap_or_default())?;
                Ok(crate::desk::outbox::summary(c)?.0)
            })
            .await;
        match written {
            Ok(waiting) => s.waiting = waiting,
            Err(e) => tracing::warn!(code = e.code().as_str(), "worker status not saved"),
        }
        *db::relock(&self.state) = s.clone();
        if let Some(f) = db::relock(&self.on_change).as_ref() {
            f(&s);
        }
    }

    /// How long to sleep: until the next part falls due or an outbox retry does, at
    /// most 30 s (so that a clock change or a missed wake costs little).
    pub async fn next_wake(&self, now: i64) -> Duration {
        let s = self.status();
        let retry = self.db.read(|c| Ok(crate::desk::outbox::summary(c)?.1)).await.ok().flatten();
        let next =
            [s.reservation.next_at, s.splats.next_at, retry].into_iter().flatten().min().unwrap_or(now + 30);
        Duration::from_secs(next.clamp(now + 1, now + 30).saturating_sub(now) as u64)
    }
}

/// One part's outcome; a rate limit pushes the next run past the cloud's reset.
fn note<T>(part: &mut Part, outcome: Option<&Outcome<T>>, now: i64, next: i64) {
    part.enabled = outcome.is_some();
    part.next_at = Some(next);
    let Some(o) = outcome else { return };
    part.last_at = Some(now);
    part.last_ok = Some(o.ok);
    part.error = o.error.clone();
    if o.error.as_ref().is_some_and(|p| p.code == "rate_limited") {
        part.next_at = Some(next.max(now + 300));
    }
}
