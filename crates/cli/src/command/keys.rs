//! `uketsuke keys`: the key boxes (as last read, or read now) and a key given to a
//! guest now or with their booking — the staff window's key dialog for a script.

use super::{open_db, open_shared};
use crate::error::CliError;
use crate::output;
use std::path::PathBuf;
use uketsuke_core::desk::keys::{self, KeyBox, KeyChoice, KeyState};
use uketsuke_core::platform::secrets::SecretStore;
use uketsuke_core::{platform::clock, Config, Lang};

#[derive(clap::Subcommand)]
pub enum KeysCommand {
    /// The key boxes and their units, with who holds each key.
    Boxes {
        /// Read them from SPLATS now (one status call per box) instead of the last reading.
        #[arg(long)]
        read: bool,
        #[arg(long)]
        json: bool,
    },
    /// Give a guest a key: now (the box opens), or with the booking (prints or writes
    /// the QR the guest shows at the box).
    Give {
        #[arg(long)]
        guest: String,
        #[arg(long = "box")]
        device: String,
        #[arg(long)]
        unit: String,
        /// Now: how long the box may be opened for it (default 60 s).
        #[arg(long)]
        secs: Option<u32>,
        #[arg(long)]
        with_booking: bool,
        /// With `--with-booking`: write the QR as a PNG here.
        #[arg(long)]
        png: Option<PathBuf>,
    },
}

pub async fn run(
    cmd: KeysCommand,
    config: &Config,
    secrets: &dyn SecretStore,
    lang: Lang,
) -> Result<(), CliError> {
    match cmd {
        KeysCommand::Boxes { read, json } => {
            let boxes = if read {
                let client = super::splats_client(config, secrets)?;
                keys::boxes(&open_shared(config)?, &client, clock::now_unix()).await?
            } else {
                keys::board(&open_db(config)?, clock::now_unix())?
            };
            if json {
                output::json(&boxes);
            } else {
                print_boxes(&boxes, lang);
            }
            Ok(())
        }
        KeysCommand::Give { guest, device, unit, secs, with_booking, png } => {
            let client = super::splats_client(config, secrets)?;
            let db = open_shared(config)?;
            let choice = KeyChoice { guest_id: guest, device_id: device, unit, secs };
            if !with_booking {
                keys::give(&db, &client, secrets, config, &choice, "cli").await?;
                println!("{}", lang.pick("鍵を渡しました (箱が開きます)", "key given (the box opens)"));
                return Ok(());
            }
            let qr = keys::with_booking(&db, &client, secrets, config, &choice, "cli").await?;
            match png {
                Some(path) => std::fs::write(&path, uketsuke_core::platform::images::qr::png(&qr, 8)?)
                    .map_err(uketsuke_core::Error::from)?,
                None => println!("{qr}"),
            }
            Ok(())
        }
    }
}

fn print_boxes(boxes: &[KeyBox], lang: Lang) {
    for b in boxes {
        println!("{} ({})", b.name, b.device_id);
        for u in &b.units {
            let state = match u.state {
                KeyState::In => lang.pick("保管中", "in"),
                KeyState::Taken => lang.pick("貸出中", "out"),
                KeyState::NotReturned => lang.pick("未返却", "not returned"),
            };
            println!("  {}\t{state}\t{}", u.no, u.holder.as_deref().unwrap_or_default());
        }
    }
}
