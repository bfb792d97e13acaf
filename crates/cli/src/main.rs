//! `uketsuke`: the command line over the core crate.
//!
//! Every read command prints a table for people or, with `--json`, JSON for scripts.
//! Errors print in the configured language and exit non-zero; no output ever shows
//! a secret.

mod output;

use clap::{Parser, Subcommand};
use std::io::Read;
use std::path::PathBuf;
use std::process::ExitCode;
use uketsuke_core::secrets::{self, Keyring, SecretStore};
use uketsuke_core::{audit, db, doctor, store, sync, Config, Lang};

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

#[derive(Subcommand)]
enum Command {
    /// Check the config, database, keyring, clouds and clock; exit 1 if anything is wrong.
    Doctor {
        #[arg(long)]
        json: bool,
    },
    /// List the cached stores.
    Stores {
        #[arg(long)]
        json: bool,
    },
    /// List the cached areas, of one store or all.
    Areas {
        #[arg(long)]
        store: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Pull stores and areas from the reservation system into the cache.
    Sync {
        #[arg(long)]
        json: bool,
    },
    /// Show the newest audit events.
    Audit {
        #[arg(long, default_value_t = 20)]
        limit: usize,
        #[arg(long)]
        json: bool,
    },
    /// Keep a secret in the OS keyring.
    #[command(subcommand)]
    Secret(SecretCommand),
}

#[derive(Subcommand)]
enum SecretCommand {
    /// Read the value from standard input (so it is not in the shell history) and save it.
    Set { name: String },
    /// Remove a secret.
    Delete { name: String },
    /// Show whether a secret is set, masked.
    Show { name: String },
}

#[derive(Debug, thiserror::Error)]
enum CliError {
    #[error(transparent)]
    Core(#[from] uketsuke_core::Error),
    #[error("{0}")]
    Usage(String),
}

impl CliError {
    fn message(&self, lang: Lang) -> String {
        match self {
            CliError::Core(e) => e.message(lang),
            CliError::Usage(m) => m.clone(),
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let lang_flag = cli.lang.as_deref().and_then(Lang::parse);
    let config = match Config::load(cli.config.as_deref()) {
        Ok(c) => c,
        Err(e) => return fail(&e.into(), lang_flag.unwrap_or_default()),
    };
    let lang = lang_flag.unwrap_or(config.language);
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("tokio runtime");
    match runtime.block_on(run(cli.command, &config, lang)) {
        Ok(code) => code,
        Err(e) => fail(&e, lang),
    }
}

fn fail(e: &CliError, lang: Lang) -> ExitCode {
    eprintln!("{}: {}", lang.pick("エラー", "error"), e.message(lang));
    ExitCode::FAILURE
}

async fn run(command: Command, config: &Config, lang: Lang) -> Result<ExitCode, CliError> {
    let secrets = Keyring::new(config.keyring_service());
    match command {
        Command::Doctor { json } => {
            let mut config = config.clone();
            config.language = lang;
            let report = doctor::run(&config, &secrets).await;
            if json {
                output::json(&report);
            } else {
                output::doctor(&report, lang);
            }
            return Ok(if report.healthy() { ExitCode::SUCCESS } else { ExitCode::FAILURE });
        }
        Command::Stores { json } => {
            let conn = open_db(config)?;
            let stores = store::list_stores(&conn)?;
            if json {
                output::json(&stores)
            } else {
                output::stores(&stores, lang)
            }
        }
        Command::Areas { store: store_id, json } => {
            let conn = open_db(config)?;
            if let Some(id) = &store_id {
                store::get_store(&conn, id)?.ok_or_else(|| uketsuke_core::Error::not_found(format!("store {id}")))?;
            }
            let areas = store::list_areas(&conn, store_id.as_deref())?;
            if json {
                output::json(&areas)
            } else {
                output::areas(&areas, lang)
            }
        }
        Command::Sync { json } => {
            config.validate()?;
            let client = sync::reservation_client(config, &secrets)?;
            let mut conn = open_db(config)?;
            let changes = sync::stores_and_areas(&mut conn, &client, "cli").await?;
            if json {
                output::json(&changes)
            } else {
                output::changes(&changes, lang)
            }
        }
        Command::Audit { limit, json } => {
            let conn = open_db(config)?;
            let events = audit::recent(&conn, limit)?;
            if json {
                output::json(&events)
            } else {
                output::audit(&events)
            }
        }
        Command::Secret(cmd) => secret(cmd, &secrets, lang)?,
    }
    Ok(ExitCode::SUCCESS)
}

fn open_db(config: &Config) -> Result<db::Connection, CliError> {
    Ok(db::open(&config.database_path()?)?)
}

fn secret(cmd: SecretCommand, secrets: &dyn SecretStore, lang: Lang) -> Result<(), CliError> {
    match cmd {
        SecretCommand::Set { name } => {
            let mut value = String::new();
            std::io::stdin().read_to_string(&mut value).map_err(uketsuke_core::Error::from)?;
            let value = value.trim_end_matches(['\r', '\n']);
            if value.is_empty() {
                return Err(CliError::Usage(lang.pick("標準入力から値を渡してください", "pipe the value on standard input").into()));
            }
            secrets.set(&name, value)?;
            println!("{name}: {}", secrets::mask(value));
        }
        SecretCommand::Delete { name } => {
            secrets.delete(&name)?;
            println!("{name}: {}", lang.pick("削除しました", "deleted"));
        }
        SecretCommand::Show { name } => match secrets.get(&name)? {
            Some(v) => println!("{name}: {}", secrets::mask(&v)),
            None => println!("{name}: {}", lang.pick("未設定", "not set")),
        },
    }
    Ok(())
}
