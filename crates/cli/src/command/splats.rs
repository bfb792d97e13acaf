//! `uketsuke splats …`: SPLATS areas, pass controllers, histories and area mappings.

use super::{open_db, open_shared, DoorArgs};
use crate::error::CliError;
use crate::output;
use clap::Subcommand;
use uketsuke_core::desk::doors::lock::Target;
use uketsuke_core::platform::secrets::SecretStore;
use uketsuke_core::{desk::audit, Config, Lang};

#[derive(Subcommand)]
pub enum SplatsCommand {
    /// SPLATS areas in the cache, and which of our areas and entrances use each.
    Areas {
        #[arg(long)]
        json: bool,
    },
    /// Pass controllers in the cache; `--status` reads each one's state (180 calls/h limit).
    Passes {
        #[arg(long)]
        status: bool,
        #[arg(long)]
        json: bool,
    },
    /// Pull new histories, then show those since a time (`2h`, `7d`, `2026-11-23`, ISO).
    History {
        #[arg(long, default_value = "1d")]
        since: String,
        #[arg(long, default_value_t = 50)]
        limit: usize,
        /// Show the cache only; do not call SPLATS.
        #[arg(long)]
        cached: bool,
        #[arg(long)]
        json: bool,
    },
    /// Say which SPLATS area lets guests into an area or a store's entrance.
    Map {
        #[command(flatten)]
        door: DoorArgs,
        /// The SPLATS area ID (see `uketsuke splats areas`).
        #[arg(long, required_unless_present = "clear")]
        to: Option<String>,
        #[arg(long)]
        clear: bool,
    },
}

pub async fn run(
    cmd: SplatsCommand,
    config: &Config,
    secrets: &dyn SecretStore,
    lang: Lang,
) -> Result<(), CliError> {
    use uketsuke_core::desk::cache;
    use uketsuke_core::desk::history::splats as history;
    let conn = open_db(config)?;
    match cmd {
        SplatsCommand::Areas { json } => {
            let areas = cache::splats::areas(&conn)?;
            if json {
                output::json(&areas)
            } else {
                output::splats_areas(&areas, lang)
            }
        }
        SplatsCommand::Passes { status, json } => {
            if status {
                let client = super::splats_client(config, secrets)?;
                for p in cache::splats::passes(&conn)?.iter().filter(|p| p.active) {
                    let s = client.pass_status(&p.device_id).await?;
                    cache::splats::save_pass_status(
                        &conn,
                        &p.device_id,
                        &s,
                        uketsuke_core::platform::clock::now_unix(),
                    )?;
                }
            }
            let passes = cache::splats::passes(&conn)?;
            if json {
                output::json(&passes)
            } else {
                output::splats_passes(&passes, lang)
            }
        }
        SplatsCommand::History { since, limit, cached, json } => {
            let now = uketsuke_core::platform::clock::now_unix();
            let since = uketsuke_core::platform::clock::parse_since(&since, now).ok_or_else(|| {
                CliError::Usage(format!(
                    "{}: {since}",
                    lang.pick(
                        "--since は 2h / 7d / 2026-11-23 / ISO 8601 で指定してください",
                        "--since takes 2h, 7d, 2026-11-23 or ISO 8601"
                    )
                ))
            })?;
            if !cached {
                let client = super::splats_client(config, secrets)?;
                let opts = history::Options::from(&config.splats);
                let now = now + client.clock_offset().unwrap_or(0);
                history::sync(&open_shared(config)?, &client, &opts, now).await?;
            }
            let rows = history::stored(&conn, since, limit)?;
            if json {
                output::json(&rows)
            } else {
                output::splats_history(&rows, lang)
            }
        }
        SplatsCommand::Map { door, to, clear } => {
            let to = if clear { None } else { to.as_deref() };
            let target = door.target();
            match &target {
                Target::Area(id) => cache::splats::map_area(&conn, id, to)?,
                Target::Entrance(id) => cache::splats::map_entrance(&conn, id, to)?,
            }
            let event = audit::AuditEvent::new("cli", "splats.map", Some(&target.key()), true)
                .with_detail(serde_json::json!({ "splats_area_id": to }));
            audit::record(&conn, &event)?;
            println!("{}: {} → {}", lang.pick("割り当てました", "mapped"), target.key(), to.unwrap_or("-"));
        }
    }
    Ok(())
}
