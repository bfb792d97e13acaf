//! A printed pass for a guest without a smartphone (core's `workflows::pass`): the slip
//! as a picture for the OS print dialog, or sent to the receipt printer or the OS's
//! printer as configured.

use crate::error::{ForUi, ShellResult};
use crate::state::AppState;
use serde::{Deserialize, Serialize};
use tauri::State;
use uketsuke_core::workflows::pass::{self, Destination};

/// Where the window asks the slip to go.
#[derive(Debug, Clone, Copy, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum PrintTo {
    /// Only the picture: the window opens the OS print dialog on it.
    Picture,
    /// The receipt printer of the settings (ESC/POS).
    Receipt,
    /// The OS's printer of the settings (CUPS), else its default.
    Printer,
}

/// The slip, and whether a printer took it.
#[derive(Serialize, ts_rs::TS)]
pub struct PrintedPass {
    /// `data:image/png;base64,…`
    png: String,
    /// The OS print system's job, when it went there.
    job: Option<String>,
}

/// Which printers the settings name, for the buttons the pass dialog offers.
#[derive(Serialize, ts_rs::TS)]
pub struct PassPrinters {
    receipt: bool,
    printer: Option<String>,
}

#[tauri::command]
pub async fn print_pass(
    state: State<'_, AppState>,
    guest_id: String,
    to: PrintTo,
) -> ShellResult<PrintedPass> {
    let ready = state.ready()?;
    let (config, actor) = (ready.config(), state.writer()?);
    let client = ready.splats(&config).for_ui(&state)?;
    let to = match to {
        PrintTo::Picture => Destination::Picture,
        PrintTo::Receipt => Destination::Receipt(None),
        PrintTo::Printer => Destination::OsPrinter(None),
    };
    let printed = pass::print(&ready.db, &client, ready.secrets.as_ref(), &config, &guest_id, to, &actor)
        .await
        .for_ui(&state)?;
    Ok(PrintedPass { png: printed.data_url(), job: printed.job })
}

#[tauri::command]
pub async fn pass_printers(state: State<'_, AppState>) -> ShellResult<PassPrinters> {
    let config = state.ready()?.config();
    Ok(PassPrinters {
        receipt: config.printing.receipt_printer.is_some(),
        printer: config.printing.printer.clone(),
    })
}
