//! `uketsuke settings …`: the settings file for a second counter PC (no secrets).

use super::open_db;
use crate::error::CliError;
use clap::Subcommand;
use std::path::PathBuf;
use uketsuke_core::platform::secrets::SecretStore;
use uketsuke_core::{Config, Lang};

#[derive(Subcommand)]
pub enum SettingsCommand {
    /// Write stores, areas, locks (UUIDs only), SPLATS mappings and cloud addresses as JSON.
    /// A file, or a folder to write `uketsuke-settings-YYYYMMDD-HHMM.json` into.
    Export { file: PathBuf },
    /// Read such a file into this PC (one transaction); lists the secrets still to enter.
    /// A file that moves a cloud's address is refused unless `--yes`: the move removes
    /// that cloud's saved credentials.
    Import {
        file: PathBuf,
        /// Apply even though the file changes a cloud's address.
        #[arg(long)]
        yes: bool,
    },
}

pub fn run(
    cmd: SettingsCommand,
    config: &Config,
    secrets: &dyn SecretStore,
    lang: Lang,
) -> Result<(), CliError> {
    match cmd {
        SettingsCommand::Export { file } => {
            let conn = open_db(config)?;
            let now = uketsuke_core::platform::clock::now_unix();
            let written = uketsuke_core::workflows::settings::export_file(&conn, config, &file, now, "cli")?;
            println!("{} {}", lang.pick("書き出しました:", "Exported:"), written.path);
        }
        SettingsCommand::Import { file, yes } => {
            let text = std::fs::read_to_string(&file).map_err(uketsuke_core::Error::from)?;
            let preview = uketsuke_core::workflows::settings::preview_import(config, &text)?;
            for m in &preview.moved {
                println!(
                    "{} {}: {} → {} ({} {})",
                    lang.pick("接続先の変更", "address change"),
                    m.cloud,
                    m.from.as_deref().unwrap_or("—"),
                    m.to.as_deref().unwrap_or("—"),
                    lang.pick("削除する秘密情報:", "removes"),
                    m.forgets.join(", ")
                );
            }
            if !preview.moved.is_empty() && !yes {
                return Err(CliError::Usage(
                    lang.pick(
                        "このファイルはクラウドの接続先を変更します。確認のうえ --yes を付けて実行してください",
                        "this file changes a cloud's address; check it, then run again with --yes",
                    )
                    .into(),
                ));
            }
            let mut conn = open_db(config)?;
            let now = uketsuke_core::platform::clock::now_unix();
            let (_, report) =
                uketsuke_core::workflows::settings::import(&mut conn, config, secrets, &text, now, "cli")?;
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
    }
    Ok(())
}
