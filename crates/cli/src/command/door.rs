//! `uketsuke unlock | lock | status | history`: one door's SESAME lock. A command is
//! sent once and never retried; a status read confirms it unless told not to.

use super::{open_shared, DoorArgs};
use crate::error::CliError;
use crate::output;
use uketsuke_core::clouds::sesame::Command as SesameCmd;
use uketsuke_core::desk::calls::meter::CallKind;
use uketsuke_core::desk::doors::lock::Locks;
use uketsuke_core::platform::secrets::SecretStore;
use uketsuke_core::{Config, Lang};

#[derive(clap::Args)]
pub struct CommandArgs {
    #[command(flatten)]
    door: DoorArgs,
    /// The name SESAME shows in the lock's history (default: the config's counter_name).
    #[arg(long = "as", value_name = "NAME")]
    actor: Option<String>,
    /// Do not read the status afterwards to confirm (saves paid calls).
    #[arg(long)]
    no_confirm: bool,
    #[arg(long)]
    json: bool,
}

#[derive(clap::Args)]
pub struct StatusArgs {
    #[command(flatten)]
    door: DoorArgs,
    #[arg(long)]
    json: bool,
}

#[derive(clap::Args)]
pub struct HistoryArgs {
    #[command(flatten)]
    door: DoorArgs,
    #[arg(long, default_value_t = 10)]
    limit: u32,
    /// 0 is the newest page.
    #[arg(long, default_value_t = 0)]
    page: u32,
    #[arg(long)]
    json: bool,
}

/// Sends the command once; then, unless told not to, confirms it with a status read.
pub async fn command(
    args: CommandArgs,
    cmd: SesameCmd,
    config: &Config,
    secrets: &dyn SecretStore,
    lang: Lang,
) -> Result<(), CliError> {
    let target = args.door.target();
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

pub async fn status(
    args: StatusArgs,
    config: &Config,
    secrets: &dyn SecretStore,
    lang: Lang,
) -> Result<(), CliError> {
    let db = open_shared(config)?;
    let status = Locks { db: &db, secrets, config }.status(&args.door.target(), CallKind::Status).await?;
    if args.json {
        output::json(&status)
    } else {
        output::lock_status(&status, lang)
    }
    Ok(())
}

pub async fn history(args: HistoryArgs, config: &Config, secrets: &dyn SecretStore) -> Result<(), CliError> {
    let db = open_shared(config)?;
    let entries =
        Locks { db: &db, secrets, config }.history(&args.door.target(), args.page, args.limit).await?;
    if args.json {
        output::json(&entries)
    } else {
        output::lock_history(&entries)
    }
    Ok(())
}
