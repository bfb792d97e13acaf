//! `uketsuke facility …`: this PC in a facility of several PCs sharing one PostgreSQL
//! (docs/facility.md). The database password is kept with
//! `uketsuke secret set facility.db_password`.

use crate::error::CliError;
use clap::Subcommand;
use std::sync::Arc;
use std::time::Duration;
use uketsuke_core::facility::{self, Facility};
use uketsuke_core::secrets::SecretStore;
use uketsuke_core::{db::Db, Config, Error, Lang};

#[derive(Subcommand)]
pub enum FacilityCommand {
    /// Connect once and say how this PC stands: connected, leading, rows queued.
    Status,
    /// Show a one-time join code for a new PC (valid 10 minutes, once).
    Code,
    /// Join the facility with the code a PC already in it showed.
    Join { code: String },
}

pub async fn run(
    cmd: FacilityCommand,
    config: &Config,
    secrets: Arc<dyn SecretStore>,
    lang: Lang,
) -> Result<(), CliError> {
    if !config.facility.enabled() {
        return Err(Error::config("facility.database_url", "missing: this PC is not in a facility").into());
    }
    let db = Db::open(&config.database_path()?)?;
    match cmd {
        FacilityCommand::Code => {
            let code = facility::show_code(&config.facility, secrets.as_ref(), "cli").await?;
            println!("{code}");
            eprintln!(
                "{}",
                lang.pick(
                    "10 分以内に、新しい PC で一度だけ使えます",
                    "valid once, within 10 minutes, on the new PC"
                )
            );
        }
        FacilityCommand::Join { code } => {
            let pc = db.write_now(|c| facility::pc_id(c))?;
            facility::join_with(&config.facility, secrets.as_ref(), &pc, &code).await?;
            println!("{}", lang.pick("施設に参加しました", "joined the facility"));
        }
        FacilityCommand::Status => {
            let f = Facility::new(db, secrets, config.facility.clone())?;
            tokio::spawn(f.clone().run());
            // One round is enough to know; the leadership contest takes one try.
            tokio::time::sleep(Duration::from_secs(2)).await;
            let s = f.status();
            let yes_no = |b: bool| if b { lang.pick("はい", "yes") } else { lang.pick("いいえ", "no") };
            println!("PC: {} ({})", s.pc_name, s.pc_id);
            println!("{}: {}", lang.pick("接続", "connected"), yes_no(s.connected));
            println!(
                "{}: {}",
                lang.pick("主担当 (同期・照合・状態取得)", "leads (sync, reconciliation, polls)"),
                yes_no(s.leader)
            );
            println!("{}: {}", lang.pick("送信待ち", "queued"), s.queued);
            if let Some(p) = s.error {
                println!("{}", p.message(lang));
            }
        }
    }
    Ok(())
}
