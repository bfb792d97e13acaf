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
use tokio::sync::Mutex;
use uketsuke_core::lock::{self, Locks, Target};
use uketsuke_core::meter::CallKind;
use uketsuke_core::secrets::{self, Keyring, SecretStore};
use uketsuke_core::sesame::{qr, Command as SesameCmd, DeviceUuid, SecretKey};
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
    /// Unlock an area's or an entrance's SESAME lock (one paid call, never retried).
    Unlock {
        #[command(flatten)]
        door: DoorArgs,
        #[command(flatten)]
        command: CommandArgs,
    },
    /// Lock an area's or an entrance's SESAME lock.
    Lock {
        #[command(flatten)]
        door: DoorArgs,
        #[command(flatten)]
        command: CommandArgs,
    },
    /// Read a lock's status (one paid call).
    Status {
        #[command(flatten)]
        door: DoorArgs,
        #[arg(long)]
        json: bool,
    },
    /// Show a lock's newest history (one paid call).
    History {
        #[command(flatten)]
        door: DoorArgs,
        #[arg(long, default_value_t = 10)]
        limit: u32,
        #[arg(long)]
        json: bool,
    },
    /// SESAME device registration and the call meter.
    #[command(subcommand)]
    Sesame(SesameCommand),
}

/// Which door: `--area ID` or `--entrance STORE_ID`.
#[derive(clap::Args)]
#[group(required = true, multiple = false)]
struct DoorArgs {
    #[arg(long)]
    area: Option<String>,
    #[arg(long, value_name = "STORE_ID")]
    entrance: Option<String>,
}

impl DoorArgs {
    fn target(&self) -> Target {
        match (&self.area, &self.entrance) {
            (Some(a), _) => Target::Area(a.clone()),
            (None, Some(s)) => Target::Entrance(s.clone()),
            (None, None) => unreachable!("clap requires one"),
        }
    }
}

#[derive(clap::Args)]
struct CommandArgs {
    /// The name SESAME shows in the lock's history (default: the config's counter_name).
    #[arg(long = "as", value_name = "NAME")]
    actor: Option<String>,
    /// Do not read the status afterwards to confirm (saves paid calls).
    #[arg(long)]
    no_confirm: bool,
    #[arg(long)]
    json: bool,
}

#[derive(Subcommand)]
enum SesameCommand {
    /// Read a saved manager-key QR image; prints the UUID and a masked key. With a door,
    /// also registers the lock there (the key goes to the keyring).
    ImportQr {
        file: PathBuf,
        #[arg(long)]
        area: Option<String>,
        #[arg(long, value_name = "STORE_ID", conflicts_with = "area")]
        entrance: Option<String>,
    },
    /// Register a lock for a door: UUID here, secret key (32 hex) on standard input.
    Assign {
        #[command(flatten)]
        door: DoorArgs,
        #[arg(long)]
        uuid: String,
    },
    /// Calls used this month against the allowance.
    Usage {
        #[arg(long)]
        json: bool,
    },
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
        Command::Unlock { door, command } => {
            lock_command(config, &secrets, door.target(), SesameCmd::Unlock, command, lang).await?
        }
        Command::Lock { door, command } => {
            lock_command(config, &secrets, door.target(), SesameCmd::Lock, command, lang).await?
        }
        Command::Status { door, json } => {
            let db = Mutex::new(open_db(config)?);
            let locks = Locks { db: &db, secrets: &secrets, config };
            let status = locks.status(&door.target(), CallKind::Status).await?;
            if json {
                output::json(&status)
            } else {
                output::lock_status(&status, lang)
            }
        }
        Command::History { door, limit, json } => {
            let db = Mutex::new(open_db(config)?);
            let locks = Locks { db: &db, secrets: &secrets, config };
            let entries = locks.history(&door.target(), limit).await?;
            if json {
                output::json(&entries)
            } else {
                output::lock_history(&entries)
            }
        }
        Command::Sesame(cmd) => sesame(cmd, config, &secrets, lang).await?,
    }
    Ok(ExitCode::SUCCESS)
}

/// Sends the command once; then, unless told not to, confirms it with a status read.
async fn lock_command(
    config: &Config,
    secrets: &dyn SecretStore,
    target: Target,
    cmd: SesameCmd,
    args: CommandArgs,
    lang: Lang,
) -> Result<(), CliError> {
    let db = Mutex::new(open_db(config)?);
    let locks = Locks { db: &db, secrets, config };
    let actor = args.actor.unwrap_or_else(|| config.counter_name().to_string());
    let report = locks.command(&target, cmd, &actor).await?;
    let confirmation = if args.no_confirm { None } else { Some(locks.confirm(&target, cmd, &actor).await?) };
    if args.json {
        output::json(&serde_json::json!({ "report": report, "confirmation": confirmation }));
    } else {
        output::command_result(&report, confirmation.as_ref(), lang);
    }
    match confirmation {
        Some(c) if !c.confirmed => Err(CliError::Usage(
            lang.pick(
                "錠の状態が変わったことを確認できませんでした。錠と Wi-Fi モジュールを確認してください",
                "the lock did not report the new state; check the lock and its Wi-Fi module",
            )
            .into(),
        )),
        _ => Ok(()),
    }
}

async fn sesame(cmd: SesameCommand, config: &Config, secrets: &dyn SecretStore, lang: Lang) -> Result<(), CliError> {
    match cmd {
        SesameCommand::ImportQr { file, area, entrance } => {
            let key = qr::import_image(&file)?;
            println!("UUID: {}", key.uuid);
            println!("{}: {}", lang.pick("シークレットキー", "secret key"), secrets::mask(&key.secret.to_hex()));
            if let Some(name) = &key.name {
                println!("{}: {name}", lang.pick("名前", "name"));
            }
            let target = area.map(Target::Area).or(entrance.map(Target::Entrance));
            if let Some(target) = target {
                let mut conn = open_db(config)?;
                lock::assign(&mut conn, secrets, &target, &key.uuid, &key.secret, "cli")?;
                println!("{}: {}", lang.pick("登録しました", "registered for"), target.key());
            }
        }
        SesameCommand::Assign { door, uuid } => {
            let uuid = DeviceUuid::parse(&uuid)?;
            let secret = SecretKey::parse(&read_stdin(lang)?)?;
            let mut conn = open_db(config)?;
            let target = door.target();
            lock::assign(&mut conn, secrets, &target, &uuid, &secret, "cli")?;
            println!("{}: {} → {uuid}", lang.pick("登録しました", "registered"), target.key());
        }
        SesameCommand::Usage { json } => {
            let db = Mutex::new(open_db(config)?);
            let usage = Locks { db: &db, secrets, config }.usage().await?;
            if json {
                output::json(&usage)
            } else {
                output::usage(&usage, lang)
            }
        }
    }
    Ok(())
}

/// A value piped on standard input, without its trailing newline.
fn read_stdin(lang: Lang) -> Result<String, CliError> {
    let mut value = String::new();
    std::io::stdin().read_to_string(&mut value).map_err(uketsuke_core::Error::from)?;
    let value = value.trim_end_matches(['\r', '\n']).to_string();
    if value.is_empty() {
        return Err(CliError::Usage(lang.pick("標準入力から値を渡してください", "pipe the value on standard input").into()));
    }
    Ok(value)
}

fn open_db(config: &Config) -> Result<db::Connection, CliError> {
    Ok(db::open(&config.database_path()?)?)
}

fn secret(cmd: SecretCommand, secrets: &dyn SecretStore, lang: Lang) -> Result<(), CliError> {
    match cmd {
        SecretCommand::Set { name } => {
            let value = read_stdin(lang)?;
            secrets.set(&name, &value)?;
            println!("{name}: {}", secrets::mask(&value));
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
