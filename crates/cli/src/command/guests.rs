//! `uketsuke guests …`: today's guests, CSV import, issuing access, changing a stay and
//! checking out.

use super::{open_db, open_shared};
use crate::error::CliError;
use crate::output;
use clap::Subcommand;
use std::path::PathBuf;
use uketsuke_core::platform::secrets::SecretStore;
use uketsuke_core::{Config, Lang};

#[derive(Subcommand)]
pub enum GuestsCommand {
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
    /// Make a stay longer or shorter (`--minutes 30`, `--minutes -15`) or move it
    /// (`--areas A102`): written to the reservation system, the doors following.
    Stay {
        #[arg(long)]
        guest: String,
        /// Minutes added to the end (negative to shorten).
        #[arg(long, allow_hyphen_values = true, default_value_t = 0)]
        minutes: i64,
        /// The rooms to move to, comma-separated; the same rooms when absent.
        #[arg(long, value_delimiter = ',')]
        areas: Option<Vec<String>>,
    },
    /// Print a pass for a guest without a smartphone: a slip with a fixed QR for their
    /// rooms and window (a SPLATS guest). `--receipt` for the receipt printer
    /// (printing.receipt_printer, or HOST[:PORT] / a device file), `--printer` for the
    /// OS's (CUPS, its default when no name), `--png FILE` to keep the picture.
    Pass {
        #[arg(long)]
        guest: String,
        #[arg(long, num_args = 0..=1, default_missing_value = "")]
        receipt: Option<String>,
        #[arg(long, num_args = 0..=1, default_missing_value = "")]
        printer: Option<String>,
        #[arg(long)]
        png: Option<std::path::PathBuf>,
    },
    /// Check the guest out and revoke their access.
    CheckOut {
        #[arg(long)]
        guest: String,
    },
}

pub async fn run(
    cmd: GuestsCommand,
    config: &Config,
    secrets: &dyn SecretStore,
    lang: Lang,
) -> Result<(), CliError> {
    use uketsuke_core::desk::guests::{self, access};
    let now = uketsuke_core::platform::clock::now_unix();
    match cmd {
        GuestsCommand::Today { store, search, json } => {
            let conn = open_db(config)?;
            let list = guests::today(&conn, &store, now, search.as_deref())?;
            if json {
                output::json(&list)
            } else {
                output::guests(&list, lang)
            }
        }
        GuestsCommand::Import { file } => {
            let bytes = std::fs::read(&file).map_err(uketsuke_core::Error::from)?;
            let n = guests::csv::import(&mut open_db(config)?, &bytes, now, "cli")?;
            println!("{}: {n}", lang.pick("取り込みました", "imported"));
        }
        GuestsCommand::Issue { guest } => {
            let client = super::splats_client(config, secrets)?;
            let db = open_shared(config)?;
            let s = access::issue(&db, &client, secrets, config, &guest, "cli").await?;
            println!(
                "{}: {} ({})",
                lang.pick("発行しました", "issued"),
                s.splats_member_id,
                s.splats_area_ids.join(", ")
            );
        }
        GuestsCommand::Stay { guest, minutes, areas } => {
            let db = open_shared(config)?;
            let id = guest.clone();
            let current = db
                .read(move |c| uketsuke_core::desk::cache::get_guest(c, &id))
                .await?
                .ok_or_else(|| uketsuke_core::Error::not_found(format!("guest {guest}")))?;
            let change = guests::stay::StayChange {
                ends_at: current.ends_at + minutes * 60,
                starts_at: None,
                area_ids: areas,
            };
            let client = super::splats_client(config, secrets).ok();
            let out = uketsuke_core::workflows::stay::change(
                &db,
                config,
                secrets,
                client.as_ref(),
                &guest,
                &change,
                "cli",
            )
            .await?;
            let end = uketsuke_core::platform::jst::clock_time(out.guest.guest.ends_at);
            println!("{} {end}", lang.pick("変更しました。終了:", "changed; ends at"));
        }
        GuestsCommand::Pass { guest, receipt, printer, png } => {
            use uketsuke_core::workflows::pass::{self, Destination};
            let named = |s: String| (!s.is_empty()).then_some(s);
            let to = match (receipt, printer) {
                (Some(r), _) => Destination::Receipt(named(r)),
                (None, Some(p)) => Destination::OsPrinter(named(p)),
                (None, None) => Destination::Picture,
            };
            let picture_only = to == Destination::Picture;
            let client = super::splats_client(config, secrets)?;
            let printed =
                pass::print(&open_shared(config)?, &client, secrets, config, &guest, to, "cli").await?;
            if let Some(path) = png {
                std::fs::write(&path, &printed.png).map_err(uketsuke_core::Error::from)?;
            }
            let said = if picture_only {
                lang.pick("パスの画像を書き出しました", "pass picture written")
            } else {
                lang.pick("パスを印刷しました", "pass printed")
            };
            println!("{said}");
        }
        GuestsCommand::CheckOut { guest } => {
            let client = super::splats_client(config, secrets).ok();
            let out = uketsuke_core::workflows::reconcile::check_out_now(
                &open_shared(config)?,
                client.as_ref(),
                secrets,
                config,
                &guest,
                "cli",
            )
            .await?;
            println!(
                "{}",
                match (out.revoked, out.pending) {
                    (_, true) => lang.pick(
                        "退出を記録しました。入室権限の取り消しは SPLATS に届くまで待機中です",
                        "checked out; the revoke waits until SPLATS answers"
                    ),
                    (true, _) =>
                        lang.pick("退出を記録し、入室権限を取り消しました", "checked out; access revoked"),
                    _ => lang.pick("退出を記録しました", "checked out"),
                }
            );
        }
    }
    Ok(())
}
