//! `uketsuke audit`: the newest audit events.

use super::open_db;
use crate::error::CliError;
use crate::output;
use uketsuke_core::{audit, Config};

#[derive(clap::Args)]
pub struct Args {
    #[arg(long, default_value_t = 20)]
    limit: usize,
    #[arg(long)]
    json: bool,
}

pub fn run(args: Args, config: &Config) -> Result<(), CliError> {
    let events = audit::recent(&open_db(config)?, args.limit)?;
    if args.json {
        output::json(&events)
    } else {
        output::audit(&events)
    }
    Ok(())
}
