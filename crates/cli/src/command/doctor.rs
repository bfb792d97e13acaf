//! `uketsuke doctor`: config, database, keyring, clouds and clock, checked.

use crate::error::CliError;
use crate::output;
use std::process::ExitCode;
use uketsuke_core::platform::secrets::SecretStore;
use uketsuke_core::{workflows::doctor, Config, Lang};

#[derive(clap::Args)]
pub struct Args {
    #[arg(long)]
    json: bool,
    /// Also write a support bundle (a zip: this report, versions, the config without
    /// secrets, the audit chain's state, recent logs) to send when something is wrong.
    #[arg(long, value_name = "FILE")]
    bundle: Option<std::path::PathBuf>,
}

pub async fn run(
    args: Args,
    config: &Config,
    secrets: &dyn SecretStore,
    lang: Lang,
) -> Result<ExitCode, CliError> {
    let mut config = config.clone();
    config.language = lang;
    let report = doctor::run(&config, secrets).await;
    if args.json {
        output::json(&report);
    } else {
        output::doctor(&report, lang);
    }
    if let Some(path) = args.bundle {
        let text = output::doctor_text(&report, lang);
        let bundle = uketsuke_core::workflows::support::write(&path, &config, &report, &text, lang)?;
        eprintln!(
            "{}: {} ({})",
            lang.pick("サポート用ファイル", "support bundle"),
            bundle.path,
            bundle.files.join(", ")
        );
    }
    Ok(if report.healthy() { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}
