//! `uketsuke board` and `uketsuke pass-unlock`: a store's doors with what can open them
//! and what needs looking at, and the SPLATS side of opening one (for a headless PC or
//! a script, the same use cases as the staff window's door board).

use super::{open_db, open_shared, DoorArgs};
use crate::error::CliError;
use crate::output;
use uketsuke_core::platform::secrets::SecretStore;
use uketsuke_core::{desk::alerts, desk::doors, platform::clock, Config, Lang};

#[derive(clap::Args)]
pub struct BoardArgs {
    #[arg(long)]
    store: String,
    #[arg(long)]
    json: bool,
}

pub fn board(args: BoardArgs, config: &Config, lang: Lang) -> Result<(), CliError> {
    let conn = open_db(config)?;
    let now = clock::now_unix();
    let board = doors::of_store(&conn, &args.store)?;
    let alerts = alerts::for_store(&conn, &args.store, &(&config.doors).into(), now)?;
    if args.json {
        output::json(&serde_json::json!({ "doors": board, "alerts": alerts }));
        return Ok(());
    }
    for d in &board {
        let sesame = match (&d.registered, &d.status) {
            (false, _) => "—".to_string(),
            (true, Some(s)) => format!("SESAME {}", format!("{:?}", s.state).to_lowercase()),
            (true, None) => lang.pick("SESAME 未取得", "SESAME not read").to_string(),
        };
        let pass = d.pass.as_ref().map(|p| {
            let state = p.status.as_ref().map(|s| s.to_string()).unwrap_or_else(|| "—".into());
            format!("SPLATS {} {state}", p.device_id)
        });
        println!("{}\t{}\t{}", d.label, sesame, pass.unwrap_or_default());
    }
    for a in alerts.iter().filter(|a| !a.acknowledged) {
        println!("{} {}: {}", lang.pick("注意", "alert"), a.subject, a.kind.as_str());
    }
    Ok(())
}

pub async fn pass_unlock(
    door: DoorArgs,
    config: &Config,
    secrets: &dyn SecretStore,
    lang: Lang,
) -> Result<(), CliError> {
    let client = super::splats_client(config, secrets)?;
    let r = doors::pass_unlock(&open_shared(config)?, &client, secrets, &door.target(), "cli").await?;
    let said = match r.confirmed {
        Some(true) => lang.pick("解錠しました", "unlocked"),
        Some(false) => lang.pick("解錠を確認できませんでした", "the controller did not report unlocked"),
        None => lang.pick("解錠を依頼しました", "unlock requested"),
    };
    println!("{} ({}, {} ms): {said}", r.label, r.device_id, r.latency_ms);
    match r.confirmed {
        Some(false) => Err(CliError::Usage(said.into())),
        _ => Ok(()),
    }
}
