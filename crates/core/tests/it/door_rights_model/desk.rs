//! The system under test: the real core on a SQLite file, the simulator over HTTP.

use super::reference::Members;
use crate::support::desk::Fixture;
use std::collections::BTreeMap;
use std::sync::Arc;
use uketsuke_core::clouds::splats::model::{MemberInput, OneTimeQr, QrCode};
use uketsuke_core::clouds::splats::{RetryPolicy, SplatsClient};
use uketsuke_core::desk::guests::access;
use uketsuke_core::platform::secrets::SecretStore;
use uketsuke_core::{platform::db, workflows::reconcile};

pub struct Desk {
    pub f: Fixture,
    pub db: db::Db,
    pub settings_secrets: Arc<dyn SecretStore>,
    /// The process dies in the middle of the next issue it sends (see [`Desk::kill`]).
    pub kill_next: bool,
}

impl Desk {
    pub fn client(&self) -> SplatsClient {
        let mut c = self.f.splats().with_meter(self.db.clone());
        c.retry = RetryPolicy {
            max_wait: std::time::Duration::ZERO,
            attempts: 2,
            backoff: std::time::Duration::from_millis(1),
        };
        c
    }

    /// One cycle of the worker: plan, then drain (errors are the outbox's to retry).
    pub async fn cycle(&self, t: i64) -> Result<(), String> {
        let config = self.f.config.clone();
        self.db.write(move |c| reconcile::plan(c, &config, t)).await.map_err(|e| format!("plan: {e}"))?;
        let _ = reconcile::drain(&self.db, &self.client(), &self.f.secrets, &self.f.config, "model", t).await;
        Ok(())
    }

    /// The process is killed after its create reached SPLATS and before the answer was
    /// written down: the member exists, the outbox says only that it may, the op stays
    /// held by the dead process for a while, and a new process opens the same file.
    /// Answers whether there was an issue to die in (else the kill waits for one).
    pub async fn kill(&mut self, t: i64) -> Result<bool, String> {
        let config = self.f.config.clone();
        self.db.write(move |c| reconcile::plan(c, &config, t)).await.map_err(|e| e.to_string())?;
        let waiting = self.db.read_now(uketsuke_core::desk::outbox::waiting).map_err(|e| e.to_string())?;
        let Some(op) = waiting.into_iter().find(|p| p.op == uketsuke_core::desk::outbox::Op::Issue) else {
            return Ok(false);
        };
        let input = MemberInput {
            member_name: "送信済み".into(),
            member_code: Some(access::member_code(&op.guest_id)),
            membergroup_id: "mg-guest".into(),
            qrcode: Some(QrCode {
                one_time_qr: Some(OneTimeQr { enabled: true, ..OneTimeQr::default() }),
                ..QrCode::default()
            }),
            ..MemberInput::default()
        };
        self.client().create_member(&input).await.map_err(|e| e.to_string())?;
        self.db
            .write_now(move |c| {
                Ok(c.execute(
                    "UPDATE outbox SET maybe_sent = 1, claimed_until = ?2 WHERE id = ?1",
                    rusqlite_params(op.id, t + 300),
                )?)
            })
            .map_err(|e| e.to_string())?;
        self.db = db::Db::open(self.db.path()).map_err(|e| e.to_string())?;
        Ok(true)
    }

    /// Faults end and enough time passes for every retry: cycles until the outbox is empty.
    pub async fn settle(&mut self, t: i64) -> Result<(), String> {
        self.f.sim.state.faults.list().clear();
        if self.kill_next && self.kill(t).await? {
            self.kill_next = false;
        }
        for _ in 0..8 {
            self.db
                .write_now(|c| {
                    Ok(c.execute(
                        "UPDATE outbox SET next_attempt_at = 0, claimed_until = 0 WHERE done_at IS NULL",
                        [],
                    )?)
                })
                .map_err(|e| e.to_string())?;
            self.cycle(t).await?;
            let waiting =
                self.db.read_now(uketsuke_core::desk::outbox::waiting).map_err(|e| e.to_string())?;
            if waiting.is_empty() {
                return Ok(());
            }
        }
        let waiting = self.db.read_now(uketsuke_core::desk::outbox::waiting).map_err(|e| e.to_string())?;
        Err(format!("the outbox did not empty: {waiting:?}"))
    }

    /// What each side knows of one member code, for a failure's message: the access row
    /// here, and the member ids and calls SPLATS saw for it.
    pub fn explain(&self, code: &str) -> String {
        let id = code.trim_start_matches("UK-").to_string();
        let row = self.db.read_now(move |c| access::summary(c, &id)).ok().flatten();
        let w = self.f.sim.state.world.lock().unwrap();
        let ids: Vec<&String> = w
            .splats
            .members
            .values()
            .filter(|m| m.member_code.as_deref() == Some(code))
            .map(|m| &m.member_id)
            .collect();
        let calls: Vec<&String> =
            w.splats.calls.iter().filter(|c| ids.iter().any(|id| c.contains(id.as_str()))).collect();
        format!("here {row:?}; SPLATS ids {ids:?}, calls {calls:?}")
    }

    /// The last outbox rows, done or not.
    pub fn outbox_tail(&self) -> Vec<String> {
        let rows = self.db.read_now(|c| {
            let mut st = c.prepare(
                "SELECT guest_id || ' ' || op || ' ' || reason || ' done ' || IFNULL(done_at, '-') || ' error ' || IFNULL(last_error, '-')
                 FROM outbox ORDER BY id DESC LIMIT 12",
            )?;
            let rows = st.query_map([], |r| r.get::<_, String>(0))?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        });
        rows.unwrap_or_default()
    }

    /// Bulk requests SPLATS has received (creates and deletes).
    pub fn bulk_requests(&self) -> usize {
        self.f
            .sim
            .state
            .world
            .lock()
            .unwrap()
            .splats
            .calls
            .iter()
            .filter(|c| c.ends_with("/members/bulk"))
            .count()
    }

    /// The members the simulator holds for bookings (our code prefix), or the code
    /// that is there twice.
    pub fn held(&self) -> Result<Members, String> {
        let w = self.f.sim.state.world.lock().unwrap();
        let mut out = BTreeMap::new();
        for m in w.splats.members.values() {
            let Some(code) = m.member_code.clone().filter(|c| c.starts_with("UK-")) else { continue };
            let mut areas: Vec<String> = m.devices_pass["areas_list"]
                .as_array()
                .map(|l| l.iter().filter_map(|a| a["area_id"].as_str().map(String::from)).collect())
                .unwrap_or_default();
            areas.sort();
            let window = (m.use_date_start.unwrap_or(0), m.use_date_end.unwrap_or(0), areas);
            if out.insert(code.clone(), window).is_some() {
                return Err(format!("member code {code} is held twice"));
            }
        }
        Ok(out)
    }
}

fn rusqlite_params(id: i64, until: i64) -> [i64; 2] {
    [id, until]
}
