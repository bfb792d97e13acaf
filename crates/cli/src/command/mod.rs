//! One module per subcommand, as Atuin lays its CLI out: each holds its arguments and
//! what it does, over the core crate; this one only names them and dispatches.

mod all_doors;
mod audit;
mod board;
mod doctor;
mod door;
mod facility;
mod guests;
mod history;
mod keys;
mod members;
mod qr;
mod secret;
mod sesame;
mod settings;
mod sign_in;
mod splats;
mod stores;
mod sync;

use crate::error::CliError;
use clap::Subcommand;
use secrecy::zeroize::Zeroizing;
use std::io::Read;
use std::process::ExitCode;
use std::sync::Arc;
use uketsuke_core::desk::doors::lock::Target;
use uketsuke_core::platform::secrets::{Keyring, SecretStore};
use uketsuke_core::{platform::db, Config, Lang};

#[derive(Subcommand)]
pub enum Command {
    /// Check the config, database, keyring, clouds and clock; exit 1 if anything is wrong.
    Doctor(doctor::Args),
    /// List the cached stores.
    Stores(stores::StoresArgs),
    /// List the cached areas, of one store or all.
    Areas(stores::AreasArgs),
    /// Pull what the clouds know into the cache: stores and areas from the reservation
    /// system, areas, pass controllers and new histories from SPLATS. Each cloud is
    /// synced if it is set up; an interrupted history sync resumes where it stopped.
    Sync(sync::SyncArgs),
    /// Keep this PC's cache and the guests' door access true all day (for a headless PC):
    /// syncs now, then on the schedule of the `[sync]` settings, and carries out waiting
    /// SPLATS changes. Only one process per database runs it.
    Watch(sync::WatchArgs),
    /// Sign in to the reservation system (OAuth 2): opens the browser on its login
    /// page and waits for it to come back to the registered loopback redirect URL.
    /// The client secret must be set first: `uketsuke secret set reservation.client_secret`.
    SignIn(sign_in::Args),
    /// The audit log: the newest events, `verify` its hash chain, export day `heads`,
    /// `archive` old rows to a file.
    Audit(audit::Args),
    /// One time line of SPLATS, SESAME and the app's own actions, filtered; `--csv FILE`
    /// writes an Excel-ready file.
    History(history::HistoryArgs),
    /// The daily report per store: arrivals, no-shows, overstays, staff unlocks, calls.
    Report(history::ReportArgs),
    /// Keep a secret in the OS keyring.
    #[command(subcommand)]
    Secret(secret::SecretCommand),
    /// Move the settings (no secrets) to another counter PC.
    #[command(subcommand)]
    Settings(settings::SettingsCommand),
    /// Unlock an area's or an entrance's SESAME lock (one paid call, never retried).
    Unlock(door::CommandArgs),
    /// Lock an area's or an entrance's SESAME lock.
    Lock(door::CommandArgs),
    /// Read a lock's status (one paid call).
    Status(door::StatusArgs),
    /// Read a page of a lock's SESAME history (one paid call); it joins `history`.
    LockHistory(door::HistoryArgs),
    /// A store's doors with their SESAME lock and SPLATS pass controller, and the alerts.
    Board(board::BoardArgs),
    /// Unlock a door's SPLATS pass controller (extended API, sent once).
    PassUnlock(DoorArgs),
    /// 全施錠 / 全解錠: every door of a store, with a reason; the manager PIN on stdin.
    /// Adds to the building's fire-alarm interlock, never replaces it.
    AllDoors(all_doors::Args),
    /// SESAME device registration and the call meter.
    #[command(subcommand)]
    Sesame(sesame::SesameCommand),
    /// SPLATS areas, pass controllers and access histories.
    #[command(subcommand)]
    Splats(splats::SplatsCommand),
    /// Today's guests.
    #[command(subcommand)]
    Guests(guests::GuestsCommand),
    /// A guest's one-time QR (made on this PC): print the payload, or write a PNG.
    Qr(qr::Args),
    /// SPLATS KEY: the key boxes, and keys given to guests.
    #[command(subcommand)]
    Keys(keys::KeysCommand),
    /// SPLATS members (staff, regulars): IC card or QR, areas on weekly hours, face image.
    #[command(subcommand)]
    Members(members::MembersCommand),
    /// Several PCs sharing one PostgreSQL: status, a join code, joining.
    #[command(subcommand)]
    Facility(facility::FacilityCommand),
}

pub async fn run(command: Command, config: &Config, lang: Lang) -> Result<ExitCode, CliError> {
    let shared: Arc<dyn SecretStore> = Arc::new(Keyring::new(config.keyring_service()));
    let secrets = shared.as_ref();
    match command {
        Command::Doctor(args) => return doctor::run(args, config, secrets, lang).await,
        Command::Stores(args) => stores::stores(args, config, lang)?,
        Command::Areas(args) => stores::areas(args, config, lang)?,
        Command::Sync(args) => return sync::once(args, config, secrets, lang).await,
        Command::Watch(args) => return sync::watch(args, config, shared.clone(), lang).await,
        Command::SignIn(args) => sign_in::run(args, config, secrets, lang).await?,
        Command::Audit(args) => return audit::run(args, config, lang),
        Command::History(args) => history::history(args, config, lang)?,
        Command::Report(args) => history::report(args, config, lang)?,
        Command::Secret(cmd) => secret::run(cmd, secrets, lang)?,
        Command::Settings(cmd) => settings::run(cmd, config, secrets, lang)?,
        Command::Unlock(args) => {
            door::command(args, uketsuke_core::clouds::sesame::Command::Unlock, config, secrets, lang).await?
        }
        Command::Lock(args) => {
            door::command(args, uketsuke_core::clouds::sesame::Command::Lock, config, secrets, lang).await?
        }
        Command::Status(args) => door::status(args, config, secrets, lang).await?,
        Command::LockHistory(args) => door::history(args, config, secrets).await?,
        Command::Board(args) => board::board(args, config, lang)?,
        Command::PassUnlock(door) => board::pass_unlock(door, config, secrets, lang).await?,
        Command::AllDoors(args) => all_doors::run(args, config, secrets, lang).await?,
        Command::Sesame(cmd) => sesame::run(cmd, config, secrets, lang).await?,
        Command::Splats(cmd) => splats::run(cmd, config, secrets, lang).await?,
        Command::Guests(cmd) => guests::run(cmd, config, secrets, lang).await?,
        Command::Qr(args) => qr::run(args, config, secrets, lang).await?,
        Command::Keys(cmd) => keys::run(cmd, config, secrets, lang).await?,
        Command::Members(cmd) => members::run(cmd, config, secrets, lang).await?,
        Command::Facility(cmd) => facility::run(cmd, config, shared.clone(), lang).await?,
    }
    Ok(ExitCode::SUCCESS)
}

/// Which door: `--area ID` or `--entrance STORE_ID`.
#[derive(clap::Args)]
#[group(required = true, multiple = false)]
pub struct DoorArgs {
    #[arg(long)]
    area: Option<String>,
    #[arg(long, value_name = "STORE_ID")]
    entrance: Option<String>,
}

impl DoorArgs {
    pub fn target(&self) -> Target {
        match (&self.area, &self.entrance) {
            (Some(a), _) => Target::Area(a.clone()),
            (None, Some(s)) => Target::Entrance(s.clone()),
            (None, None) => unreachable!("clap requires one"),
        }
    }
}

/// A value piped on standard input, without its trailing newline. Kept in memory only
/// in a zeroizing buffer: it is a secret (a key, a token).
fn read_stdin(lang: Lang) -> Result<Zeroizing<String>, CliError> {
    let mut value = Zeroizing::new(String::new());
    std::io::stdin().read_to_string(&mut value).map_err(uketsuke_core::Error::from)?;
    let trimmed = value.trim_end_matches(['\r', '\n']).len();
    value.truncate(trimmed);
    if value.is_empty() {
        return Err(CliError::Usage(
            lang.pick("標準入力から値を渡してください", "pipe the value on standard input").into(),
        ));
    }
    Ok(value)
}

/// One secret line (a PIN, a join code): asked at a prompt without echo on a terminal,
/// or read from a pipe. Never an argument, which shell history and `ps` would keep.
fn read_secret_line(prompt: &str) -> Result<Zeroizing<String>, CliError> {
    use std::io::{BufRead, IsTerminal};
    let mut line = if std::io::stdin().is_terminal() {
        Zeroizing::new(rpassword::prompt_password(prompt).map_err(uketsuke_core::Error::from)?)
    } else {
        let mut line = Zeroizing::new(String::new());
        std::io::stdin().lock().read_line(&mut line).map_err(uketsuke_core::Error::from)?;
        line
    };
    let (start, end) = (line.len() - line.trim_start().len(), line.trim_end().len());
    line.truncate(end);
    line.drain(..start);
    Ok(line)
}

fn open_db(config: &Config) -> Result<db::Connection, CliError> {
    Ok(uketsuke_core::desk::staff::role::open_connection(config)?)
}

/// The database for commands that call a cloud: no connection is held across the call.
fn open_shared(config: &Config) -> Result<db::Db, CliError> {
    Ok(uketsuke_core::desk::staff::role::open_db(config)?)
}

/// The SPLATS client as configured, its calls counted per day in the cache.
fn splats_client(
    config: &Config,
    secrets: &dyn SecretStore,
) -> Result<uketsuke_core::clouds::splats::SplatsClient, CliError> {
    Ok(uketsuke_core::desk::calls::splats(config, secrets, Some(open_shared(config)?))?)
}
