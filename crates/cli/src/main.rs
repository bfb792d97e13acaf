//! `uketsuke`: the command line over the core crate.
//!
//! Every read command prints a table for people or, with `--json`, JSON for scripts.
//! Errors print in the configured language and exit non-zero; no output ever shows
//! a secret.
//!
//! One module per subcommand under `command/` (each holds its arguments and what it
//! does); `output` prints tables.

mod command;
mod error;
mod output;

use clap::Parser;
use command::Command;
use error::CliError;
use std::path::PathBuf;
use std::process::ExitCode;
use uketsuke_core::{Config, Lang};

#[derive(Parser)]
#[command(name = "uketsuke", version, about = "Uketsuke (受付) front-desk tools")]
struct Cli {
    /// Config file (default: the platform config dir, or $UKETSUKE_CONFIG).
    #[arg(long, global = true)]
    config: Option<PathBuf>,
    /// Language of messages: ja or en (default: the config's).
    #[arg(long, global = true)]
    lang: Option<String>,
    #[command(subcommand)]
    command: Command,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let lang_flag = cli.lang.as_deref().and_then(Lang::parse);
    let config = match Config::load(cli.config.as_deref()) {
        Ok(c) => c,
        Err(e) => return fail(&e.into(), lang_flag.unwrap_or_default()),
    };
    let lang = lang_flag.unwrap_or(config.language);
    uketsuke_core::platform::logs::init(&config, "uketsuke-cli", false);
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("tokio runtime");
    match runtime.block_on(command::run(cli.command, &config, lang)) {
        Ok(code) => code,
        Err(e) => fail(&e, lang),
    }
}

fn fail(e: &CliError, lang: Lang) -> ExitCode {
    eprintln!("{}: {}", lang.pick("エラー", "error"), e.message(lang));
    ExitCode::FAILURE
}
