//! `uketsuke facility …`: this PC in a facility of several PCs sharing one PostgreSQL
//! (docs/facility.md). The database password is kept with
//! `uketsuke secret set facility.db_password`.

use crate::error::CliError;
use clap::Subcommand;
use secrecy::zeroize::Zeroizing;
use std::sync::Arc;
use std::time::Duration;
use uketsuke_core::platform::config::PcRole;
use uketsuke_core::platform::error::Code;
use uketsuke_core::platform::secrets::SecretStore;
use uketsuke_core::{Config, Error, Lang};
use uketsuke_facility::enrol::{self, JoinInput};
use uketsuke_facility::{self as facility, Facility};

#[derive(Subcommand)]
pub enum FacilityCommand {
    /// Connect once and say how this PC stands: connected, leading, rows queued.
    Status,
    /// Show a one-time join code for a new PC (valid 10 minutes, once).
    Code,
    /// Check the facility's audit chain (every PC's rows, in one order) end to end.
    Verify,
    /// Join the facility with the code a PC already in it showed. Writes `[facility]`
    /// into the config once the code opened the facility.
    /// The code is read from standard input (or asked for on a terminal), never taken
    /// as an argument: an argument stays in the shell's history and `/proc/*/cmdline`.
    Join {
        /// `postgres://user@host:port/database` (default: the config's). The password
        /// is kept first with `uketsuke secret set facility.db_password`.
        #[arg(long)]
        url: Option<String>,
        /// How the other PCs see this one (default: the host name).
        #[arg(long)]
        name: Option<String>,
        /// A head-office PC: sees every store, changes nothing.
        #[arg(long)]
        head_office: bool,
        /// An unattended entrance PC: only the kiosk, no door command, no join code.
        #[arg(long, conflicts_with = "head_office")]
        kiosk: bool,
    },
}

pub async fn run(
    cmd: FacilityCommand,
    config: &Config,
    secrets: Arc<dyn SecretStore>,
    lang: Lang,
) -> Result<(), CliError> {
    let joining_with_url = matches!(&cmd, FacilityCommand::Join { url: Some(_), .. });
    if !config.facility.enabled() && !joining_with_url {
        return Err(Error::config("facility.database_url", "missing: this PC is not in a facility").into());
    }
    let db = uketsuke_core::desk::staff::role::open_db(config)?;
    match cmd {
        FacilityCommand::Code => {
            let made = enrol::make_code(&db, config, secrets.as_ref(), "cli").await?;
            println!("{}", made.code);
            eprintln!(
                "{}",
                lang.pick(
                    "10 分以内に、新しい PC で一度だけ使えます",
                    "valid once, within 10 minutes, on the new PC"
                )
            );
        }
        FacilityCommand::Join { url, name, head_office, kiosk } => {
            let code = read_code(lang)?;
            let role = match (head_office, kiosk) {
                (true, _) => PcRole::HeadOffice,
                (_, true) => PcRole::Kiosk,
                _ => PcRole::Counter,
            };
            let input =
                JoinInput { database_url: url, password: None, pc_name: name, role, code: code.to_string() };
            enrol::join_pc(&db, config, secrets.as_ref(), input, "cli").await?;
            println!("{}", lang.pick("施設に参加しました", "joined the facility"));
        }
        FacilityCommand::Verify => {
            let (session, _) = facility::open(&config.facility, secrets.as_ref(), "uketsuke verify").await?;
            let chain = facility::audit::verify(&session.client).await?;
            println!(
                "{}: {} ({} PC)",
                lang.pick("監査ログ (施設)", "facility audit log"),
                chain.rows,
                chain.pcs
            );
            if let Some(seq) = chain.broken_at {
                return Err(Error::invalid(
                    Code::AuditBroken,
                    format!("施設の監査ログの連鎖が {seq} 件目で壊れています (変更・削除・挿入)"),
                    format!("the facility's audit chain breaks at row {seq} (changed, removed or inserted)"),
                )
                .into());
            }
            println!(
                "{}",
                lang.pick("連鎖は最初から最後まで正しくつながっています", "the chain holds end to end")
            );
        }
        FacilityCommand::Status => {
            let db_for_status = db.clone();
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
            println!("{}: {}", lang.pick("取り込めず保留中の行", "rows set aside"), s.held);
            let held = db_for_status.read_now(uketsuke_facility::replica::held)?;
            for (tbl, id, reason) in held.iter().take(20) {
                println!("  {tbl} {id}: {reason}");
            }
            if let Some(p) = s.error {
                println!("{}", p.message(lang));
            }
        }
    }
    Ok(())
}

/// The join code from standard input: typed at a prompt (not echoed) on a terminal, or piped.
fn read_code(lang: uketsuke_core::Lang) -> Result<Zeroizing<String>, CliError> {
    let code = super::read_secret_line(lang.pick("参加コード: ", "join code: "))?;
    if code.is_empty() {
        return Err(CliError::Usage(
            lang.pick(
                "参加コードを入力するか、標準入力から渡してください",
                "type the join code, or pipe it on standard input",
            )
            .into(),
        ));
    }
    Ok(code)
}
