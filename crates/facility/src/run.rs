//! The facility loop a PC runs beside its worker: connect, send what this PC changed,
//! receive what the others did the moment they `NOTIFY`, exchange the meter, and when
//! PostgreSQL goes away keep the changes queued and try again every few seconds.

use super::leader::Leadership;
use super::seal::FacilityKey;
use super::{audit, history, meter, open, pc_id, pc_name, replica, secrets, unreachable, Session, CHANNEL};
use serde::Serialize;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::Notify;
use uketsuke_core::platform::config::{FacilityConfig, PcRole};
use uketsuke_core::platform::db::Db;
use uketsuke_core::platform::error::{Error, Result};
use uketsuke_core::platform::secrets::SecretStore;
use uketsuke_core::workflows::sync::Problem;

/// How often this PC looks for its own changes to send when no write of this process
/// woke it (a change another process, such as the CLI, made in the same SQLite file);
/// what the others change arrives by `NOTIFY` and is received then, not polled.
const LOCAL_CHANGES: Duration = Duration::from_secs(1);
const RECONNECT: Duration = Duration::from_secs(3);
const METER_EVERY: Duration = Duration::from_secs(30);
/// A round that has not finished by then has lost its database (rows stay queued).
const ROUND_LIMIT: Duration = Duration::from_secs(10);
/// How often an otherwise idle session asks the database for an answer, so that one
/// gone silent (a pulled cable closes nothing) is noticed with nothing to send.
const PING_EVERY: Duration = Duration::from_secs(10);

/// What the window shows about the facility.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct FacilityStatus {
    pub pc_id: String,
    pub pc_name: String,
    pub connected: bool,
    pub leader: bool,
    pub head_office: bool,
    /// Rows changed here and not yet sent (queued while the database is away).
    pub queued: i64,
    /// Rows received that could not be applied and wait, set aside ([`replica::held`]).
    pub held: i64,
    /// The last problem, in both languages.
    pub error: Option<Problem>,
}

/// One PC's part in a facility.
pub struct Facility {
    db: Db,
    secrets: Arc<dyn SecretStore>,
    config: FacilityConfig,
    pc: String,
    pub leadership: Leadership,
    status: Mutex<FacilityStatus>,
    /// Told after every batch received and when the connection comes or goes (the
    /// shell refreshes its windows).
    changed: Notify,
}

impl Facility {
    /// Prepares this PC (its id, the triggers on); connecting happens in [`run`](Self::run).
    pub fn new(db: Db, secrets: Arc<dyn SecretStore>, config: FacilityConfig) -> Result<Arc<Facility>> {
        let pc = db.write_now(|c| {
            replica::enable(c)?;
            pc_id(c)
        })?;
        let status = FacilityStatus {
            pc_id: pc.clone(),
            pc_name: pc_name(&config),
            head_office: config.role == PcRole::HeadOffice,
            ..FacilityStatus::default()
        };
        Ok(Arc::new(Facility {
            db,
            secrets,
            config,
            pc,
            leadership: Leadership::default(),
            status: Mutex::new(status),
            changed: Notify::new(),
        }))
    }

    pub fn status(&self) -> FacilityStatus {
        let mut s = uketsuke_core::platform::db::relock(&self.status).clone();
        s.leader = self.leadership.is_leader();
        s.queued = self.db.read_now(replica::queued).unwrap_or(s.queued);
        s.held = self.db.read_now(|c| Ok(replica::held(c)?.len() as i64)).unwrap_or(s.held);
        s
    }

    /// Resolves after a batch from the other PCs was written into SQLite, or the
    /// connection came or went (one listener: a change while nobody waited is
    /// remembered once).
    pub async fn changed(&self) {
        self.changed.notified().await
    }

    /// Runs until the process ends: the replica loop, and once this PC has shown it
    /// belongs (its key opens the facility) the leadership contest, which a head-office
    /// PC never enters.
    pub async fn run(self: Arc<Self>) {
        // A head-office PC never contests: as if it had started already.
        let mut contesting = self.config.role == PcRole::HeadOffice;
        loop {
            // Bounded too: a server reached but not answering holds a connect for ever.
            let session = tokio::time::timeout(ROUND_LIMIT, self.session()).await;
            match session.unwrap_or_else(|_| Err(unreachable_closed())) {
                Ok((session, key)) => {
                    if !contesting {
                        contesting = true;
                        let l = self.leadership.clone();
                        tokio::spawn(l.run(self.config.clone(), self.secrets.clone(), self.pc.clone()));
                    }
                    let e = self.serve(session, &key).await;
                    self.note(false, Some(e));
                }
                Err(e) => self.note(false, Some(e)),
            }
            tokio::time::sleep(RECONNECT).await;
        }
    }

    /// Connects, checks the schema and this PC's key, registers the PC, listens.
    async fn session(&self) -> Result<(Session, FacilityKey)> {
        let app = format!("uketsuke {}", self.pc);
        let (session, key) = open(&self.config, self.secrets.as_ref(), &app).await?;
        let role = uketsuke_core::desk::staff::role::name(self.config.role);
        session
            .client
            .execute(
                "INSERT INTO pcs (id, name, role) VALUES ($1, $2, $3)
                 ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, role = EXCLUDED.role, seen_at = now()",
                &[&self.pc, &pc_name(&self.config), &role],
            )
            .await
            .map_err(unreachable)?;
        session.client.batch_execute(&format!("LISTEN {CHANNEL}")).await.map_err(unreachable)?;
        Ok((session, key))
    }

    /// Sends and receives until the connection fails; returns why it ended.
    async fn serve(&self, mut session: Session, key: &FacilityKey) -> Error {
        let now = Instant::now();
        let mut due =
            Due { rows: true, history: true, secrets: true, at: now - METER_EVERY, calls: -1, pinged: now };
        let mut writes = self.db.writes();
        loop {
            // Writes from here on (this round's own included) wake the next round.
            writes.borrow_and_update();
            match tokio::time::timeout(ROUND_LIMIT, self.round(&mut session, key, &mut due)).await {
                Ok(Ok(())) => {}
                Ok(Err(e)) => return e,
                // No answer (a pulled cable closes nothing): reconnect, the queue kept.
                Err(_) => return unreachable_closed(),
            }
            self.note(true, None);
            tokio::select! {
                n = session.notices.recv() => match n {
                    // Another PC's meter moved: read it now, not in 30 s.
                    Some(what) if what == "meter" => due.calls = -1,
                    Some(what) if what == "history" => due.history = true,
                    Some(what) if what == "secrets" => due.secrets = true,
                    // Rows were written (by any PC, this one too): receive them.
                    Some(_) => due.rows = true,
                    // The connection's task ended: the connection is gone.
                    None => return unreachable_closed(),
                },
                // This process wrote: a change of ours may be marked for sending.
                _ = writes.changed() => {}
                _ = tokio::time::sleep(LOCAL_CHANGES) => {}
            }
            if session.client.is_closed() {
                return unreachable_closed();
            }
        }
    }

    /// One round: send ours (a head office has none); receive theirs when a PC
    /// announced rows (or the session is new); the meter when this PC made a call, and
    /// the meter and secrets every 30 s (secrets also with rows sent, and when announced).
    async fn round(&self, session: &mut Session, key: &FacilityKey, due: &mut Due) -> Result<()> {
        let counter = self.config.role != PcRole::HeadOffice;
        let slow = due.at.elapsed() >= METER_EVERY;
        // Every 30 s also a look for rows, should an announcement ever be lost.
        due.rows |= slow;
        due.history |= slow;
        let sent =
            if counter { replica::send(&self.db, session, &self.pc, key, &self.secrets).await? } else { 0 };
        // Cleared first: an announcement heard while receiving asks for another round.
        if std::mem::take(&mut due.rows) && replica::receive(&self.db, session, key, &self.secrets).await? > 0
        {
            self.changed.notify_one();
        }
        self.time_line(session, due).await?;
        let calls = self
            .db
            .read(|c| {
                Ok(c.query_row("SELECT TOTAL(count) FROM api_calls_daily", [], |r| r.get::<_, f64>(0))?
                    as i64)
            })
            .await?;
        if slow || calls != due.calls {
            let now = uketsuke_core::platform::clock::now_unix();
            meter::exchange(&self.db, &session.client, &self.pc, self.secrets.as_ref(), now).await?;
            due.calls = calls;
        }
        if slow {
            due.at = Instant::now();
        }
        if due.pinged.elapsed() >= PING_EVERY {
            session.client.batch_execute("").await.map_err(unreachable)?;
            due.pinged = Instant::now();
        }
        // Secrets with the rows that name them (a lock saved with its key), else every
        // 30 s (a token renewed); taken when announced.
        if counter
            && (slow || sent > 0)
            && secrets::send(
                &self.db,
                &session.client,
                key,
                self.secrets.as_ref(),
                &self.pc,
                self.config.role,
            )
            .await?
                > 0
        {
            let notify = format!("NOTIFY {CHANNEL}, 'secrets'");
            session.client.batch_execute(&notify).await.map_err(unreachable)?;
        }
        if std::mem::take(&mut due.secrets) || slow {
            secrets::receive(&self.db, &session.client, key, self.secrets.as_ref(), self.config.role).await?;
        }
        Ok(())
    }

    fn note(&self, connected: bool, error: Option<Error>) {
        let mut s = uketsuke_core::platform::db::relock(&self.status);
        let flipped = s.connected != connected;
        s.connected = connected;
        s.error = error.as_ref().map(Problem::from);
        if flipped {
            self.changed.notify_one();
        }
    }

    /// The facility's time line and audit chain: this PC's new entries and audit rows
    /// sent (every PC's, the head office's too: the log tells the whole story), the
    /// others' entries received when announced.
    async fn time_line(&self, session: &mut Session, due: &mut Due) -> Result<()> {
        if history::pending(&self.db).await? {
            let name = uketsuke_core::platform::db::relock(&self.status).pc_name.clone();
            history::send(&self.db, session, &self.pc, &name).await?;
        }
        if audit::pending(&self.db).await? {
            audit::send(&self.db, session, &self.pc).await?;
        }
        if std::mem::take(&mut due.history) && history::receive(&self.db, session, &self.pc).await? > 0 {
            self.changed.notify_one();
        }
        Ok(())
    }
}

/// What the next round must do beyond sending: receive rows, history entries or
/// secrets (they were announced, or the session is new); the slower exchanges, by when they last ran
/// (meter and secrets) and by this PC's own count of calls (the meter).
struct Due {
    rows: bool,
    history: bool,
    secrets: bool,
    at: Instant,
    calls: i64,
    pinged: Instant,
}

fn unreachable_closed() -> Error {
    Error::invalid(
        uketsuke_core::platform::error::Code::FacilityUnreachable,
        "施設の共有データベースとの接続が切れました（この PC のデータで動作を続けます）",
        "the connection to the facility's shared database was lost (this PC keeps working from its own data)",
    )
}
