//! `uketsuke`: the command line over the core crate.
//!
//! Every read command prints a table for people or, with `--json`, JSON for scripts.
//! Errors print in the configured language and exit non-zero; no output ever shows
//! a secret.

mod guests;
mod output;
mod splats;
mod syncing;

use clap::{Parser, Subcommand};
use std::io::Read;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use uketsuke_core::lock::{self, Locks, Target};
use uketsuke_core::meter::CallKind;
use uketsuke_core::secrets::{self, Keyring, SecretStore};
use uketsuke_core::sesame::{qr, Command as SesameCmd, DeviceUuid, SecretKey};
use uketsuke_core::splats::SplatsClient;
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
    /// Pull what the clouds know into the cache: stores and areas from the reservation
    /// system, areas, pass controllers and new histories from SPLATS. Each cloud is
    /// synced if it is set up; an interrupted history sync resumes where it stopped.
    Sync {
        /// Only this cloud: reservation or splats.
        #[arg(long, value_parser = ["reservation", "splats"])]
        only: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Keep this PC's cache and the guests' door access true all day (for a headless PC):
    /// syncs now, then on the schedule of the `[sync]` settings, and carries out waiting
    /// SPLATS changes. Only one process per database runs it.
    Watch {
        /// Stop after this many syncs.
        #[arg(long)]
        cycles: Option<u32>,
    },
    /// Sign in to the reservation system (OAuth 2): opens the browser on its login
    /// page and waits for it to come back to the registered loopback redirect URL.
    /// The client secret must be set first: `uketsuke secret set reservation.client_secret`.
    SignIn {
        /// Print the address instead of opening a browser (for another device or a script).
        #[arg(long)]
        no_browser: bool,
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
    /// Move the settings (no secrets) to another counter PC.
    #[command(subcommand)]
    Settings(SettingsCommand),
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
    /// SPLATS areas, pass controllers and access histories.
    #[command(subcommand)]
    Splats(SplatsCommand),
    /// Today's guests.
    #[command(subcommand)]
    Guests(GuestsCommand),
    /// A guest's one-time QR (made on this PC): print the payload, or write a PNG.
    Qr {
        #[arg(long)]
        guest: String,
        /// At this Unix time of the server clock instead of now.
        #[arg(long)]
        at: Option<i64>,
        #[arg(long)]
        png: Option<PathBuf>,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
enum SettingsCommand {
    /// Write stores, areas, locks (UUIDs only), SPLATS mappings and cloud addresses as JSON.
    Export { file: PathBuf },
    /// Read such a file into this PC (one transaction); lists the secrets still to enter.
    Import { file: PathBuf },
}

#[derive(Subcommand)]
enum GuestsCommand {
    /// Today's guests of a store, with their status; `--search` by name, kana, code or phone digits.
    Today {
        #[arg(long)]
        store: String,
        #[arg(long)]
        search: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Import bookings from a CSV file (Shift_JIS or UTF-8).
    Import { file: PathBuf },
    /// Register the guest's SPLATS member so their QR opens the booked doors.
    Issue {
        #[arg(long)]
        guest: String,
    },
    /// Check the guest out and revoke their access.
    CheckOut {
        #[arg(long)]
        guest: String,
    },
}

#[derive(Subcommand)]
enum SplatsCommand {
    /// SPLATS areas in the cache, and which of our areas and entrances use each.
    Areas {
        #[arg(long)]
        json: bool,
    },
    /// Pass controllers in the cache; `--status` reads each one's state (180 calls/h limit).
    Passes {
        #[arg(long)]
        status: bool,
        #[arg(long)]
        json: bool,
    },
    /// Pull new histories, then show those since a time (`2h`, `7d`, `2026-11-23`, ISO).
    History {
        #[arg(long, default_value = "1d")]
        since: String,
        #[arg(long, default_value_t = 50)]
        limit: usize,
        /// Show the cache only; do not call SPLATS.
        #[arg(long)]
        cached: bool,
        #[arg(long)]
        json: bool,
    },
    /// Say which SPLATS area lets guests into an area or a store's entrance.
    Map {
        #[command(flatten)]
        door: DoorArgs,
        /// The SPLATS area ID (see `uketsuke splats areas`).
        #[arg(long, required_unless_present = "clear")]
        to: Option<String>,
        #[arg(long)]
        clear: bool,
    },
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
    let shared: Arc<dyn SecretStore> = Arc::new(Keyring::new(config.keyring_service()));
    let secrets = shared.as_ref();
    match command {
        Command::Doctor { json } => {
            let mut config = config.clone();
            config.language = lang;
            let report = doctor::run(&config, secrets).await;
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
                store::get_store(&conn, id)?
                    .ok_or_else(|| uketsuke_core::Error::not_found(format!("store {id}")))?;
            }
            let areas = store::list_areas(&conn, store_id.as_deref())?;
            if json {
                output::json(&areas)
            } else {
                output::areas(&areas, lang)
            }
        }
        Command::Sync { only, json } => {
            return syncing::once(config, secrets, only.as_deref(), json, lang).await
        }
        Command::Watch { cycles } => return syncing::watch(config, shared.clone(), cycles, lang).await,
        Command::Settings(SettingsCommand::Export { file }) => {
            let conn = open_db(config)?;
            let now = uketsuke_core::clock::now_unix();
            let written = uketsuke_core::settings::export_file(&conn, config, &file, now, "cli")?;
            println!("{} {}", lang.pick("書き出しました:", "Exported:"), written.path);
        }
        Command::Settings(SettingsCommand::Import { file }) => {
            let text = std::fs::read_to_string(&file).map_err(uketsuke_core::Error::from)?;
            let mut conn = open_db(config)?;
            let now = uketsuke_core::clock::now_unix();
            let (_, report) = uketsuke_core::settings::import(&mut conn, config, secrets, &text, now, "cli")?;
            println!(
                "{}",
                lang.pick(
                    &format!("店舗 {}・エリア {} を読み込みました", report.stores, report.areas),
                    &format!("Imported {} stores and {} areas", report.stores, report.areas)
                )
            );
            for door in &report.missing_keys {
                println!("  {} {door}", lang.pick("シークレットキーが未設定:", "secret key missing:"));
            }
            for name in &report.missing_secrets {
                println!("  {} uketsuke secret set {name}", lang.pick("未設定:", "not set:"));
            }
        }
        Command::SignIn { no_browser } => {
            let db = open_shared(config)?;
            let open = |url: &str| {
                println!(
                    "{}\n  {url}",
                    lang.pick(
                        "ブラウザでこのページを開いてサインインしてください:",
                        "Open this page in a browser and sign in:"
                    )
                );
                if !no_browser {
                    if let Err(e) = open::that_detached(url) {
                        eprintln!(
                            "{}: {e}",
                            lang.pick("ブラウザを開けませんでした", "could not open a browser")
                        );
                    }
                }
                Ok(())
            };
            let signed = sync::sign_in(&db, config, secrets, open, "cli").await?;
            println!(
                "{}",
                lang.pick(
                    "サインインしました。トークンはキーリングに保存しました。",
                    "Signed in; the token is in the keyring."
                )
            );
            if let Some(t) = signed.expires_at {
                println!("{} {}", lang.pick("有効期限:", "Expires:"), uketsuke_core::clock::iso_jst(t));
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
        Command::Secret(cmd) => secret(cmd, secrets, lang)?,
        Command::Unlock { door, command } => {
            lock_command(config, secrets, door.target(), SesameCmd::Unlock, command, lang).await?
        }
        Command::Lock { door, command } => {
            lock_command(config, secrets, door.target(), SesameCmd::Lock, command, lang).await?
        }
        Command::Status { door, json } => {
            let db = open_shared(config)?;
            let locks = Locks { db: &db, secrets, config };
            let status = locks.status(&door.target(), CallKind::Status).await?;
            if json {
                output::json(&status)
            } else {
                output::lock_status(&status, lang)
            }
        }
        Command::History { door, limit, json } => {
            let db = open_shared(config)?;
            let locks = Locks { db: &db, secrets, config };
            let entries = locks.history(&door.target(), limit).await?;
            if json {
                output::json(&entries)
            } else {
                output::lock_history(&entries)
            }
        }
        Command::Sesame(cmd) => sesame(cmd, config, secrets, lang).await?,
        Command::Splats(cmd) => splats::run(cmd, config, secrets, lang).await?,
        Command::Guests(cmd) => guests::run(cmd, config, secrets, lang).await?,
        Command::Qr { guest, at, png, json } => {
            use uketsuke_core::guests::access;
            let db = open_shared(config)?;
            let client = if config.splats.otqr_local {
                None
            } else {
                Some(SplatsClient::from_config(config, secrets)?)
            };
            let view = access::qr(&db, client.as_ref(), secrets, config, &guest, at).await?;
            if let Some(path) = &png {
                std::fs::write(path, uketsuke_core::qr::png(&view.frame.payload, 8)?)
                    .map_err(uketsuke_core::Error::from)?;
            }
            if json {
                let mut v = serde_json::to_value(&view).unwrap_or_default();
                v.as_object_mut().map(|o| o.remove("png"));
                output::json(&v)
            } else {
                println!("{}", view.frame.payload);
                eprintln!(
                    "{}: {}",
                    lang.pick("切り替え", "changes at"),
                    uketsuke_core::clock::format_jst(view.frame.step_end)
                );
            }
        }
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
    let db = open_shared(config)?;
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

async fn sesame(
    cmd: SesameCommand,
    config: &Config,
    secrets: &dyn SecretStore,
    lang: Lang,
) -> Result<(), CliError> {
    match cmd {
        SesameCommand::ImportQr { file, area, entrance } => {
            let key = qr::import_image(&file)?;
            println!("UUID: {}", key.uuid);
            println!(
                "{}: {}",
                lang.pick("シークレットキー", "secret key"),
                secrets::mask(&key.secret.to_hex())
            );
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
            let db = open_shared(config)?;
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
        return Err(CliError::Usage(
            lang.pick("標準入力から値を渡してください", "pipe the value on standard input").into(),
        ));
    }
    Ok(value)
}

fn open_db(config: &Config) -> Result<db::Connection, CliError> {
    Ok(db::open(&config.database_path()?)?)
}

/// The database for commands that call a cloud: no connection is held across the call.
fn open_shared(config: &Config) -> Result<db::Db, CliError> {
    Ok(db::Db::open(&config.database_path()?)?)
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
