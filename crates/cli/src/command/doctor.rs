//! `uketsuke doctor`: config, database, keyring, clouds and clock, checked.

use crate::error::CliError;
use crate::output;
use std::process::ExitCode;
use uketsuke_core::secrets::SecretStore;
use uketsuke_core::{doctor, Config, Lang};

#[derive(clap::Args)]
pub struct Args {
    #[arg(long)]
    json: bool,
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
    Ok(if report.healthy() { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}
