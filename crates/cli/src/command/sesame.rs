//! `uketsuke sesame …`: registering locks (from a manager-key QR or by hand) and the
//! month's call meter.

use super::{open_db, open_shared, read_stdin, DoorArgs};
use crate::error::CliError;
use crate::output;
use clap::Subcommand;
use std::path::PathBuf;
use uketsuke_core::clouds::sesame::{qr, DeviceUuid, SecretKey};
use uketsuke_core::desk::doors::lock::{self, Locks, Target};
use uketsuke_core::platform::secrets::{self, SecretStore};
use uketsuke_core::{Config, Lang};

#[derive(Subcommand)]
pub enum SesameCommand {
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

pub async fn run(
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
