//! Lock commands for the staff window, and the background status poller.

use crate::error::{ForUi, ShellResult};
use crate::state::AppState;
use serde::Serialize;
use std::collections::HashSet;
use std::time::{Duration, Instant};
use tauri::{AppHandle, Emitter, Manager, State};
use uketsuke_core::desk::alerts;
use uketsuke_core::desk::cache;
use uketsuke_core::desk::calls::billing::{self, Charge};
use uketsuke_core::desk::calls::meter::{CallKind, Usage};
use uketsuke_core::desk::doors::{self, lock};
use uketsuke_core::desk::keys;
use uketsuke_core::platform::clock::{self, WARN_OFFSET_SECS};

// The types its commands take and answer, named by the command list.
pub use uketsuke_core::clouds::sesame::Command;
pub use uketsuke_core::desk::alerts::Alert;
pub use uketsuke_core::desk::doors::lock::{CommandReport, Confirmation, KnownStatus, Target};
pub use uketsuke_core::desk::doors::{Door, PassReport};

/// The doors of a store: its entrance (when it has a lock or a SPLATS door), then its
/// areas, each with what can open it.
#[tauri::command]
pub async fn list_doors(state: State<'_, AppState>, store_id: String) -> ShellResult<Vec<Door>> {
    let ready = state.ready()?;
    ready.db.read(move |conn| doors::of_store(conn, &store_id)).await.for_ui(&state)
}

/// What staff must look at in this store now (doors and overstaying guests), each
/// marked acknowledged or not; acknowledgements of cleared conditions are dropped.
#[tauri::command]
pub async fn list_alerts(state: State<'_, AppState>, store_id: String) -> ShellResult<Vec<Alert>> {
    let ready = state.ready()?;
    let now = clock::now_unix();
    let limits: alerts::Limits = (&ready.config().doors).into();
    ready
        .db
        .write(move |c| {
            alerts::prune(c, &limits, now)?;
            alerts::for_store(c, &store_id, &limits, now)
        })
        .await
        .for_ui(&state)
}

/// Staff have seen this alert; it stops calling for attention until it recurs.
#[tauri::command]
pub async fn ack_alert(state: State<'_, AppState>, id: String) -> ShellResult<()> {
    let (ready, actor) = (state.ready()?, state.writer()?);
    ready.db.write(move |c| alerts::acknowledge(c, &id, &actor, clock::now_unix())).await.for_ui(&state)
}

/// Unlocks the door's SPLATS pass controller (extended API), once, and reads its status.
#[tauri::command]
pub async fn pass_unlock(state: State<'_, AppState>, target: Target) -> ShellResult<PassReport> {
    let ready = state.ready()?;
    let config = ready.config();
    let client = ready.splats(&config).for_ui(&state)?;
    doors::pass_unlock(&ready.db, &client, ready.secrets.as_ref(), &target, &state.writer()?)
        .await
        .for_ui(&state)
}

async fn send(state: &AppState, target: Target, command: Command) -> ShellResult<CommandReport> {
    let ready = state.ready()?;
    let config = ready.config();
    ready.locks(&config).command(&target, command, &state.writer()?).await.for_ui(state)
}

/// Sends unlock (83) once. The UI disables the button until this returns, and nothing
/// resends it: a lost reply comes back as `uncertain`.
#[tauri::command]
pub async fn unlock(state: State<'_, AppState>, target: Target) -> ShellResult<CommandReport> {
    send(&state, target, Command::Unlock).await
}

#[tauri::command]
pub async fn lock(state: State<'_, AppState>, target: Target) -> ShellResult<CommandReport> {
    send(&state, target, Command::Lock).await
}

/// Reads the status after a command until it shows the expected state.
#[tauri::command]
pub async fn confirm(
    state: State<'_, AppState>,
    target: Target,
    command: Command,
) -> ShellResult<Confirmation> {
    let ready = state.ready()?;
    let config = ready.config();
    ready.locks(&config).confirm(&target, command, &state.writer()?).await.for_ui(&state)
}

/// One paid status read, on request.
#[tauri::command]
pub async fn refresh_status(state: State<'_, AppState>, target: Target) -> ShellResult<KnownStatus> {
    let ready = state.ready()?;
    let config = ready.config();
    ready.locks(&config).status(&target, CallKind::Status).await.for_ui(&state)
}

#[derive(Serialize, ts_rs::TS)]
pub struct LockInfo {
    usage: Usage,
    /// The month's projected SESAME charge and what to warn about.
    charge: Charge,
    clock_offset_secs: i64,
    clock_warning: bool,
    now: i64,
    /// Whether the SPLATS licence key (the extended API's) is kept: without it no pass
    /// controller can be unlocked, and the board says so instead of offering it.
    pass_licence: bool,
}

/// The meter against the allowance and the measured clock offset, for the header.
#[tauri::command]
pub async fn lock_info(state: State<'_, AppState>) -> ShellResult<LockInfo> {
    let ready = state.ready()?;
    let config = ready.config();
    let usage = ready.locks(&config).usage().await.for_ui(&state)?;
    let offset = ready.db.read(|c| Ok(lock::clock_offset(c))).await.for_ui(&state)?;
    let cfg = config.clone();
    let charge = ready.db.read(move |c| billing::charge(c, &cfg, clock::now_unix())).await.for_ui(&state)?;
    Ok(LockInfo {
        usage,
        charge,
        clock_offset_secs: offset,
        clock_warning: offset.abs() > WARN_OFFSET_SECS,
        now: clock::now_unix(),
        pass_licence: ready
            .secrets
            .get(uketsuke_core::platform::secrets::names::SPLATS_LICENSE_KEY)
            .is_ok_and(|k| k.is_some()),
    })
}

/// Reads the doors' state from start-up on, each within its budget: the SESAME locks
/// every `sesame.poll_interval_secs` (paid calls, under the month's poll budget), the
/// SPLATS pass controllers every `splats.pass_status_every_secs` (first those whose
/// guests arrive soonest). The window hears `lock-statuses` after each round; new
/// alerts are raised after a round, and at least once a minute (a guest starts
/// overstaying without any door being read).
pub fn start_poller(app: &AppHandle) {
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        let (mut next_sesame, mut next_passes, mut next_alerts) =
            (Instant::now(), Instant::now(), Instant::now());
        let mut notified = HashSet::new();
        loop {
            let state = app.state::<AppState>();
            let Ok(ready) = state.ready() else { return };
            let config = ready.config();
            let now = Instant::now();
            // In a facility only the leading PC spends calls on reading doors.
            let leads = ready.facility.get().is_none_or(|f| f.leadership.is_leader());
            let (sesame_every, passes_every) = if leads {
                (config.sesame.poll_interval_secs, config.splats.pass_status_every_secs)
            } else {
                (0, 0)
            };
            let mut read = false;
            if sesame_every > 0 && now >= next_sesame {
                next_sesame = now + Duration::from_secs(sesame_every);
                read = true;
                match ready.locks(&config).poll_all().await {
                    Ok(report) => {
                        let _ = app.emit("lock-statuses", &report);
                    }
                    Err(e) => tracing::warn!("status poll failed: {}", e.code()),
                }
            }
            if passes_every > 0 && now >= next_passes {
                next_passes = now + Duration::from_secs(passes_every);
                read = true;
                if let Ok(client) = ready.splats(&config) {
                    match doors::read_passes(&ready.db, &client, clock::now_unix()).await {
                        Ok(read) => {
                            let _ = app.emit("lock-statuses", &read);
                        }
                        Err(e) => tracing::warn!("pass status read failed: {}", e.code()),
                    }
                    // Key boxes share the status budget; a tenant without SPLATS KEY has none.
                    match keys::read_boxes(&ready.db, &client, clock::now_unix()).await {
                        Ok(n) if n > 0 => {
                            let _ = app.emit("lock-statuses", &n);
                        }
                        Ok(_) => {}
                        Err(e) => tracing::warn!("key box read failed: {}", e.code()),
                    }
                }
            }
            if read || now >= next_alerts {
                next_alerts = now + Duration::from_secs(60);
                notify_new_alerts(&app, ready, &mut notified).await;
            }
            // Sleep until the next read is due (at most a minute, so a changed interval
            // takes effect): the process wakes a few times an hour, not every 5 s.
            let due = [
                (sesame_every > 0).then_some(next_sesame),
                (passes_every > 0).then_some(next_passes),
                Some(next_alerts),
            ];
            let next = due.into_iter().flatten().min().unwrap_or(next_alerts);
            let wait = next.saturating_duration_since(Instant::now());
            tokio::time::sleep(wait.clamp(Duration::from_secs(1), Duration::from_secs(60))).await;
        }
    });
}

/// Raises an OS notification once for each unacknowledged alert not yet raised.
async fn notify_new_alerts(app: &AppHandle, ready: &crate::state::Ready, notified: &mut HashSet<String>) {
    use tauri_plugin_notification::NotificationExt;
    let now = clock::now_unix();
    let limits: alerts::Limits = (&ready.config().doors).into();
    let found = ready
        .db
        .read(move |c| {
            let mut all = Vec::new();
            for s in cache::list_stores(c)? {
                all.extend(
                    alerts::for_store(c, &s.id, &limits, now)?.into_iter().filter(|a| !a.acknowledged),
                );
            }
            Ok(all)
        })
        .await;
    let Ok(found) = found else { return };
    let lang = app.state::<AppState>().lang();
    for a in found.into_iter().filter(|a| notified.insert(a.id.clone())) {
        let title = lang.pick("受付: 確認してください", "Uketsuke: please check");
        let body = format!("{} — {}", a.subject, alert_text(a.kind, a.value, lang));
        if let Err(e) = app.notification().builder().title(title).body(body).show() {
            tracing::info!("notification not shown: {e}");
        }
    }
}

fn alert_text(kind: alerts::AlertKind, value: Option<i64>, lang: uketsuke_core::Lang) -> String {
    use alerts::AlertKind::*;
    let (ja, en) = match kind {
        DoorOpen => ("扉が開いたままです".to_string(), "the door is open".to_string()),
        DoorOffline => ("電気錠がオフラインです".into(), "the electric lock is offline".into()),
        LockOffline => {
            ("錠の Wi-Fi モジュールがオフラインです".into(), "the lock's Wi-Fi module is offline".into())
        }
        BatteryLow => {
            let v = value.unwrap_or_default();
            (
                format!("電池残量 {v}%。近いうちに交換してください"),
                format!("battery at {v}%: replace it soon"),
            )
        }
        BatteryReplace => {
            let v = value.unwrap_or_default();
            (format!("電池残量 {v}%。今すぐ交換してください"), format!("battery at {v}%: replace it now"))
        }
        LeftUnlocked => {
            let since = uketsuke_core::platform::jst::clock_time(value.unwrap_or_default());
            (format!("{since} から解錠されたままです"), format!("unlocked since {since}"))
        }
        Overstaying => ("利用時間を過ぎています".into(), "stays past the booking".into()),
        KeyNotReturned => ("鍵が返却されていません".into(), "the key has not been returned".into()),
    };
    lang.pick(&ja, &en).to_string()
}
