//! 全施錠 and 全解錠: every door of a store at once, at closing time or in an emergency.
//!
//! It adds to the building's fire-alarm interlock and never replaces it (docs/doors.md):
//! a cloud that does not answer leaves a door as it was, and the result says so door by
//! door. It needs a manager session, a reason, and a door-command role; each door's
//! command is sent once, like a single Unlock ([`Locks::command`], one audit row per
//! door), and the SESAME ones are then confirmed by a status read. 全解錠 opens a SPLATS
//! pass controller with its documented unlock only where the licence key is set; its
//! lock is not documented, so 全施錠 names those doors instead of pretending.

use crate::clouds::sesame::{Command, LockState};
use crate::clouds::splats::SplatsClient;
use crate::desk::audit::{self, AuditEvent};
use crate::desk::doors::lock::{Locks, Target};
use crate::desk::doors::{self, Door};
use crate::desk::guests::{self, GuestStatus};
use crate::desk::staff::manager::Gate;
use crate::desk::staff::role::{self, Deed};
use crate::platform::clock;
use crate::platform::db::Connection;
use crate::platform::error::{Code, Error, Result};
use crate::platform::i18n::Lang;
use crate::platform::secrets::names;
use serde::{Deserialize, Serialize};

/// What is done to every door.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum Sweep {
    LockAll,
    UnlockAll,
}

/// How one door will be (or was not) moved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum Means {
    /// Its SESAME lock: lock (82) or unlock (83), then a status read.
    Sesame,
    /// Its SPLATS pass controller's unlock (全解錠 only, licence key set).
    Pass,
    /// Nothing here can move it: see `why`.
    None,
}

/// One door in the plan.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct PlannedDoor {
    pub target: Target,
    pub label: String,
    pub means: Means,
    /// For `none`: what is missing, in the user's language.
    pub why: Option<String>,
    /// Left as it is, the door keeps the sweep from being complete: a SPLATS door that
    /// 全施錠 cannot lock. A door with nothing registered is not counted.
    #[serde(skip)]
    #[ts(skip)]
    pub left_open: bool,
}

/// What the confirmation shows before anything moves.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct SweepPlan {
    pub sweep: Sweep,
    pub doors: Vec<PlannedDoor>,
    /// Guests checked in and not checked out: 全施錠 may shut them in (or out).
    pub inside: Vec<String>,
    /// Metered SESAME calls it may make (a command and up to the confirm reads per lock).
    pub sesame_calls: u32,
}

/// How one door ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Sent; its status read is still to come (a progress report only).
    Sent,
    /// Sent; the status read showed the door as asked.
    Done,
    /// Sent, and the status read did not show it moved (or could not be read).
    Unconfirmed,
    /// Not sent, or the cloud refused it: see `message`.
    Failed,
    /// Nothing here can move it.
    Skipped,
}

/// One door's result, reported as soon as it is known.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct DoorResult {
    pub target: Target,
    pub label: String,
    pub outcome: Outcome,
    /// What went wrong or is missing, in the user's language.
    pub message: Option<String>,
}

/// The whole run: one result per planned door, in the plan's order.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct SweepReport {
    pub sweep: Sweep,
    pub results: Vec<DoorResult>,
    /// Every door that could be moved was, and confirmed.
    pub all_done: bool,
}

/// What a run needs: the locks, SPLATS (for 全解錠's pass controllers), the manager gate.
pub struct Ctx<'a> {
    pub locks: Locks<'a>,
    pub splats: Option<&'a SplatsClient>,
    pub gate: &'a Gate,
    pub lang: Lang,
}

impl Ctx<'_> {
    /// The doors and who is inside, for the confirmation. Reads the cache only.
    pub async fn plan(&self, store_id: &str, sweep: Sweep) -> Result<SweepPlan> {
        let licensed = self.locks.secrets.get(names::SPLATS_LICENSE_KEY)?.is_some();
        let (store, lang) = (store_id.to_string(), self.lang);
        let reads = self.locks.config.sesame.confirm_reads;
        self.locks.db.read(move |c| plan(c, &store, sweep, licensed, reads, lang)).await
    }
}

fn plan(
    conn: &Connection,
    store_id: &str,
    sweep: Sweep,
    licensed: bool,
    reads: u32,
    lang: Lang,
) -> Result<SweepPlan> {
    let doors: Vec<PlannedDoor> =
        doors::of_store(conn, store_id)?.into_iter().map(|d| planned(d, sweep, licensed, lang)).collect();
    let inside = guests::today(conn, store_id, clock::now_unix(), None)?
        .into_iter()
        .filter(|g| matches!(g.status, GuestStatus::In | GuestStatus::Arrived | GuestStatus::Overstaying))
        .map(|g| g.guest.name)
        .collect();
    let locks = doors.iter().filter(|d| d.means == Means::Sesame).count() as u32;
    Ok(SweepPlan { sweep, doors, inside, sesame_calls: locks * (1 + reads) })
}

fn planned(door: Door, sweep: Sweep, licensed: bool, lang: Lang) -> PlannedDoor {
    let words = |ja: &str, en: &str| Some(pick(lang, (ja, en)));
    let left_open = !door.registered && door.pass.is_some();
    let (means, why) = if door.registered {
        (Means::Sesame, None)
    } else if door.pass.is_some() && sweep == Sweep::UnlockAll && licensed {
        (Means::Pass, None)
    } else if door.pass.is_some() && sweep == Sweep::UnlockAll {
        (
            Means::None,
            words(
                "SPLATS のライセンスキーが未設定です（設定 → クラウド連携）",
                "the SPLATS licence key is not set (Settings → Clouds)",
            ),
        )
    } else if door.pass.is_some() {
        (
            Means::None,
            words(
                "SPLATS の電気錠はこの画面から施錠できません。現地で施錠を確かめてください",
                "a SPLATS electric lock cannot be locked from here: check it on site",
            ),
        )
    } else {
        (Means::None, words("錠が未登録です", "no lock registered"))
    };
    let left_open = left_open && means == Means::None;
    PlannedDoor { target: door.target, label: door.label, means, why, left_open }
}

/// Moves every door of the plan, reporting each result through `progress` as it comes.
/// Commands go first, one per door and never resent; the confirmations follow, so a
/// slow status read does not hold back the next door.
pub async fn run(
    ctx: &Ctx<'_>,
    store_id: &str,
    sweep: Sweep,
    reason: &str,
    actor: &str,
    mut progress: impl FnMut(&DoorResult),
) -> Result<SweepReport> {
    ctx.gate.require(clock::monotonic_secs())?;
    role::require(ctx.locks.config, Deed::DoorCommand)?;
    let reason = reason.trim().to_string();
    if reason.is_empty() {
        return Err(Error::invalid(
            Code::ReasonMissing,
            "理由を入力してください（監査ログに残ります）",
            "give a reason (it goes to the audit log)",
        ));
    }
    let plan = ctx.plan(store_id, sweep).await?;
    record(
        ctx,
        store_id,
        sweep,
        "start",
        actor,
        true,
        serde_json::json!({ "reason": reason, "doors": plan.doors.len(), "inside": plan.inside.len() }),
    )
    .await?;
    let command = match sweep {
        Sweep::LockAll => Command::Lock,
        Sweep::UnlockAll => Command::Unlock,
    };
    let mut results: Vec<DoorResult> = Vec::new();
    let mut sent: Vec<usize> = Vec::new();
    for door in &plan.doors {
        let result = match door.means {
            Means::None => result(door, Outcome::Skipped, door.why.clone()),
            Means::Sesame => match ctx.locks.command(&door.target, command, actor).await {
                Ok(_) => {
                    sent.push(results.len());
                    result(door, Outcome::Sent, None)
                }
                // The command may have reached the lock: never resent, but its status is
                // read like a sent one's, so the report says where the door ended up.
                Err(e) if e.code() == Code::Uncertain => {
                    sent.push(results.len());
                    result(door, Outcome::Sent, Some(e.message(ctx.lang)))
                }
                Err(e) => result(door, Outcome::Failed, Some(e.message(ctx.lang))),
            },
            Means::Pass => pass(ctx, door, actor).await,
        };
        progress(&result);
        results.push(result);
    }
    for i in sent {
        let door = &plan.doors[i];
        results[i] = match ctx.locks.confirm(&door.target, command, actor).await {
            Ok(c) if c.confirmed => result(door, Outcome::Done, None),
            Ok(c) => result(door, Outcome::Unconfirmed, Some(state_words(c.status.state, ctx.lang))),
            Err(e) => result(door, Outcome::Unconfirmed, Some(e.message(ctx.lang))),
        };
        progress(&results[i]);
    }
    let all_done = results.iter().zip(&plan.doors).all(|(r, door)| match r.outcome {
        Outcome::Done => true,
        Outcome::Skipped => !door.left_open,
        _ => false,
    });
    let counts = |o: Outcome| results.iter().filter(|r| r.outcome == o).count();
    let detail = serde_json::json!({
        "done": counts(Outcome::Done), "unconfirmed": counts(Outcome::Unconfirmed),
        "failed": counts(Outcome::Failed), "skipped": counts(Outcome::Skipped),
    });
    // The doors have moved by now: a failing audit write must not hide where they are.
    if let Err(e) = record(ctx, store_id, sweep, "end", actor, all_done, detail).await {
        tracing::error!(code = e.code().as_str(), "the end of a door sweep was not audited");
    }
    Ok(SweepReport { sweep, results, all_done })
}

async fn pass(ctx: &Ctx<'_>, door: &PlannedDoor, actor: &str) -> DoorResult {
    let Some(client) = ctx.splats else {
        let why = (
            "SPLATS に接続できる設定がありません（設定 → クラウド連携）",
            "SPLATS is not set up (Settings → Clouds)",
        );
        return result(door, Outcome::Failed, Some(pick(ctx.lang, why)));
    };
    match doors::pass_unlock(ctx.locks.db, client, ctx.locks.secrets, &door.target, actor).await {
        Ok(r) => match r.confirmed {
            Some(true) => result(door, Outcome::Done, None),
            Some(false) => result(door, Outcome::Unconfirmed, Some(state_words(LockState::Locked, ctx.lang))),
            None => result(door, Outcome::Unconfirmed, Some(state_words(LockState::Unknown, ctx.lang))),
        },
        Err(e) if e.code() == Code::Uncertain => {
            result(door, Outcome::Unconfirmed, Some(e.message(ctx.lang)))
        }
        Err(e) => result(door, Outcome::Failed, Some(e.message(ctx.lang))),
    }
}

fn result(door: &PlannedDoor, outcome: Outcome, message: Option<String>) -> DoorResult {
    DoorResult { target: door.target.clone(), label: door.label.clone(), outcome, message }
}

fn state_words(state: LockState, lang: Lang) -> String {
    let (ja, en) = match state {
        LockState::Locked => ("確認したところ施錠中です", "the status read says locked"),
        LockState::Unlocked => ("確認したところ解錠中です", "the status read says unlocked"),
        LockState::Moved => (
            "サムターンが途中の位置です。現地で確かめてください",
            "the thumb-turn is half-way: check on site",
        ),
        LockState::Unknown => (
            "状態を確認できませんでした。現地で確かめてください",
            "the status could not be read: check on site",
        ),
    };
    pick(lang, (ja, en))
}

fn pick(lang: Lang, (ja, en): (&str, &str)) -> String {
    if lang == Lang::En { en } else { ja }.to_string()
}

async fn record(
    ctx: &Ctx<'_>,
    store_id: &str,
    sweep: Sweep,
    phase: &str,
    actor: &str,
    ok: bool,
    detail: serde_json::Value,
) -> Result<()> {
    let action = match sweep {
        Sweep::LockAll => format!("doors.lock_all.{phase}"),
        Sweep::UnlockAll => format!("doors.unlock_all.{phase}"),
    };
    let event = AuditEvent::new(actor, &action, Some(&format!("store:{store_id}")), ok).with_detail(detail);
    ctx.locks.db.write(move |c| audit::record(c, &event)).await
}
