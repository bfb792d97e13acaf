//! `uketsuke audit`: the newest events, and the chain that makes the log
//! tamper-evident: `verify` (exit 1 and the first broken row's id), `heads` (each day's
//! head hash, to keep elsewhere) and `archive` (retention: old rows to a file).

use super::{open_db, open_shared};
use crate::error::CliError;
use crate::output;
use std::path::PathBuf;
use std::process::ExitCode;
use uketsuke_core::desk::audit::{self, archive, chain};
use uketsuke_core::{platform::clock, Config, Lang};

#[derive(clap::Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct Args {
    #[command(subcommand)]
    command: Option<AuditCommand>,
    #[arg(long, default_value_t = 20)]
    limit: usize,
    #[arg(long)]
    json: bool,
}

#[derive(clap::Subcommand)]
enum AuditCommand {
    /// Check the chain (and the archives): exit 1 naming the first row that breaks it.
    Verify {
        /// Also check day heads exported earlier with `audit heads --out`.
        #[arg(long)]
        heads: Option<PathBuf>,
        #[arg(long)]
        json: bool,
    },
    /// Each day's last row and its hash (JSON): keep it apart from this PC.
    Heads {
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Move rows older than `--days` (default: the configured retention) to a file.
    Archive {
        #[arg(long)]
        days: Option<u32>,
    },
}

pub fn run(args: Args, config: &Config, lang: Lang) -> Result<ExitCode, CliError> {
    match args.command {
        None => {
            let events = audit::recent(&open_db(config)?, args.limit)?;
            if args.json {
                output::json(&events)
            } else {
                output::audit(&events)
            }
            Ok(ExitCode::SUCCESS)
        }
        Some(AuditCommand::Verify { heads, json }) => verify(config, heads, json, lang),
        Some(AuditCommand::Heads { out }) => {
            let heads = chain::day_heads(&open_db(config)?)?;
            let text = serde_json::to_string_pretty(&heads).map_err(|e| CliError::Usage(e.to_string()))?;
            match out {
                Some(path) => std::fs::write(path, text).map_err(uketsuke_core::Error::from)?,
                None => println!("{text}"),
            }
            Ok(ExitCode::SUCCESS)
        }
        Some(AuditCommand::Archive { days }) => {
            let days = days.unwrap_or(config.audit.retention_days);
            if days == 0 {
                return Err(CliError::Usage(
                    lang.pick(
                        "保管する日数を --days で指定してください",
                        "give the days to keep with --days",
                    )
                    .into(),
                ));
            }
            let now = clock::now_unix();
            let before_ms = (now - i64::from(days) * 86_400) * 1000;
            let dir = config.audit_archive_dir()?;
            let db = open_shared(config)?;
            match db.write_now(|c| archive::archive(c, before_ms, &dir, now))? {
                Some(a) => {
                    println!("{} ({} {})", dir.join(&a.file).display(), a.rows, lang.pick("行", "rows"))
                }
                None => println!("{}", lang.pick("保管する行はありません", "nothing to archive")),
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn verify(config: &Config, heads: Option<PathBuf>, json: bool, lang: Lang) -> Result<ExitCode, CliError> {
    let conn = open_db(config)?;
    let report = audit::verify_all(&conn, &config.audit_archive_dir()?)?;
    let mut broken = report.broken.clone();
    if let (None, Some(path)) = (&broken, heads) {
        let text = std::fs::read_to_string(path).map_err(uketsuke_core::Error::from)?;
        let heads: Vec<chain::DayHead> =
            serde_json::from_str(&text).map_err(|e| CliError::Usage(e.to_string()))?;
        broken = chain::check_heads(&conn, &heads)?;
    }
    if json {
        output::json(&serde_json::json!({ "report": report, "broken": broken }));
    } else if let Some(b) = &broken {
        println!(
            "{} {} ({})",
            lang.pick(
                "監査ログが改ざんされています。最初に壊れている行:",
                "the audit log was tampered with; first broken row:"
            ),
            b.id,
            b.reason
        );
    } else {
        println!(
            "{} ({} {}, {} {})",
            lang.pick("監査ログは正常です", "the audit log verifies"),
            report.rows,
            lang.pick("行", "rows"),
            report.archived_rows,
            lang.pick("行は保管ファイル", "archived"),
        );
    }
    Ok(if broken.is_some() { ExitCode::FAILURE } else { ExitCode::SUCCESS })
}
