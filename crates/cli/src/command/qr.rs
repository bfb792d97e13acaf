//! `uketsuke qr`: a guest's one-time QR, as text or a PNG file.

use super::open_shared;
use crate::error::CliError;
use crate::output;
use std::path::PathBuf;
use uketsuke_core::desk::guests::access;
use uketsuke_core::platform::secrets::SecretStore;
use uketsuke_core::{Config, Lang};

#[derive(clap::Args)]
pub struct Args {
    #[arg(long)]
    guest: String,
    /// At this Unix time of the server clock instead of now.
    #[arg(long)]
    at: Option<i64>,
    #[arg(long)]
    png: Option<PathBuf>,
    #[arg(long)]
    json: bool,
}

pub async fn run(args: Args, config: &Config, secrets: &dyn SecretStore, lang: Lang) -> Result<(), CliError> {
    let db = open_shared(config)?;
    let client = access::qr_client(config, secrets);
    let view = access::qr(&db, client.as_ref(), secrets, config, &args.guest, args.at).await?;
    if let Some(path) = &args.png {
        std::fs::write(path, uketsuke_core::platform::images::qr::png(&view.frame.payload, 8)?)
            .map_err(uketsuke_core::Error::from)?;
    }
    if args.json {
        let mut v = serde_json::to_value(&view).unwrap_or_default();
        v.as_object_mut().map(|o| o.remove("png"));
        output::json(&v)
    } else {
        println!("{}", view.frame.payload);
        eprintln!(
            "{}: {}",
            lang.pick("切り替え", "changes at"),
            uketsuke_core::platform::clock::format_jst(view.frame.step_end)
        );
    }
    Ok(())
}
