//! `uketsuke stores` and `uketsuke areas`: what the cache holds.

use super::open_db;
use crate::error::CliError;
use crate::output;
use uketsuke_core::{desk::cache, Config, Lang};

#[derive(clap::Args)]
pub struct StoresArgs {
    #[arg(long)]
    json: bool,
}

#[derive(clap::Args)]
pub struct AreasArgs {
    #[arg(long)]
    store: Option<String>,
    #[arg(long)]
    json: bool,
}

pub fn stores(args: StoresArgs, config: &Config, lang: Lang) -> Result<(), CliError> {
    let stores = cache::list_stores(&open_db(config)?)?;
    if args.json {
        output::json(&stores)
    } else {
        output::stores(&stores, lang)
    }
    Ok(())
}

pub fn areas(args: AreasArgs, config: &Config, lang: Lang) -> Result<(), CliError> {
    let conn = open_db(config)?;
    if let Some(id) = &args.store {
        cache::get_store(&conn, id)?.ok_or_else(|| uketsuke_core::Error::not_found(format!("store {id}")))?;
    }
    let areas = cache::list_areas(&conn, args.store.as_deref())?;
    if args.json {
        output::json(&areas)
    } else {
        output::areas(&areas, lang)
    }
    Ok(())
}
