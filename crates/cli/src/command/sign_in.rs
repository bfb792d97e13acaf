//! `uketsuke sign-in`: the reservation system's OAuth sign-in, in a browser here or
//! on another device (`--no-browser`).

use super::open_shared;
use crate::error::CliError;
use uketsuke_core::platform::secrets::SecretStore;
use uketsuke_core::{workflows::sync, Config, Lang};

#[derive(clap::Args)]
pub struct Args {
    /// Print the address instead of opening a browser (for another device or a script).
    #[arg(long)]
    no_browser: bool,
}

pub async fn run(args: Args, config: &Config, secrets: &dyn SecretStore, lang: Lang) -> Result<(), CliError> {
    let db = open_shared(config)?;
    let open = |url: &str| {
        println!(
            "{}\n  {url}",
            lang.pick(
                "ブラウザでこのページを開いてサインインしてください:",
                "Open this page in a browser and sign in:"
            )
        );
        if !args.no_browser {
            if let Err(e) = open::that_detached(url) {
                eprintln!("{}: {e}", lang.pick("ブラウザを開けませんでした", "could not open a browser"));
            }
        }
        Ok(())
    };
    let signed = sync::sign_in(&db, config, secrets, open, "cli").await?;
    println!(
        "{}",
        lang.pick(
            "サインインしました。トークンはキーリングに保存しました。",
            "Signed in; the token is in the keyring."
        )
    );
    if let Some(t) = signed.expires_at {
        println!("{} {}", lang.pick("有効期限:", "Expires:"), uketsuke_core::platform::clock::iso_jst(t));
    }
    Ok(())
}
