//! 全施錠 and 全解錠 of a store (core's `workflows::all_doors`): the plan for the
//! confirmation, then the run, each door's result sent to the window as it comes
//! (`all-doors-progress`).

use crate::error::{ForUi, ShellResult};
use crate::state::AppState;
use tauri::{AppHandle, Emitter, State};
use uketsuke_core::workflows::all_doors::{self, Ctx};

// The types its commands take and answer, named by the command list.
pub use uketsuke_core::workflows::all_doors::{Sweep, SweepPlan, SweepReport};

/// The doors it would move, how, and who is still inside. A manager's.
#[tauri::command]
pub async fn all_doors_plan(
    state: State<'_, AppState>,
    store_id: String,
    sweep: Sweep,
) -> ShellResult<SweepPlan> {
    state.require_manager()?;
    let ready = state.ready()?;
    let config = ready.config();
    let splats = ready.splats(&config).ok();
    let ctx = Ctx {
        locks: ready.locks(&config),
        splats: splats.as_ref(),
        gate: &state.manager,
        lang: state.lang(),
    };
    ctx.plan(&store_id, sweep).await.for_ui(&state)
}

/// Moves every door, with the reason given; core checks the manager session again.
#[tauri::command]
pub async fn all_doors_run(
    app: AppHandle,
    state: State<'_, AppState>,
    store_id: String,
    sweep: Sweep,
    reason: String,
) -> ShellResult<SweepReport> {
    let ready = state.ready()?;
    let (config, actor) = (ready.config(), state.writer()?);
    let splats = ready.splats(&config).ok();
    let ctx = Ctx {
        locks: ready.locks(&config),
        splats: splats.as_ref(),
        gate: &state.manager,
        lang: state.lang(),
    };
    all_doors::run(&ctx, &store_id, sweep, &reason, &actor, |r| {
        let _ = app.emit("all-doors-progress", r);
    })
    .await
    .for_ui(&state)
}
