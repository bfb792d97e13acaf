//! `uketsuke all-doors --store S001 --lock --reason 閉店`: 全施錠 or 全解錠 of a store
//! (core's `workflows::all_doors`). The manager PIN is read from standard input (one
//! line), never from an argument, which shell history and `ps` would keep.

use super::{open_shared, read_secret_line, splats_client};
use crate::error::CliError;
use crate::output;
use secrecy::zeroize::Zeroizing;
use uketsuke_core::desk::doors::lock::Locks;
use uketsuke_core::desk::staff::manager::Gate;
use uketsuke_core::platform::clock;
use uketsuke_core::platform::secrets::SecretStore;
use uketsuke_core::workflows::all_doors::{self, Ctx, Outcome, Sweep};
use uketsuke_core::{Config, Lang};

#[derive(clap::Args)]
pub struct Args {
    #[arg(long)]
    store: String,
    /// 全施錠: lock every SESAME door of the store.
    #[arg(long, conflicts_with = "unlock", required_unless_present = "unlock")]
    lock: bool,
    /// 全解錠: unlock every door (SESAME, and SPLATS pass controllers with the licence key).
    #[arg(long)]
    unlock: bool,
    /// Why (kept in the audit log). Required.
    #[arg(long)]
    reason: String,
    #[arg(long)]
    json: bool,
}

pub async fn run(args: Args, config: &Config, secrets: &dyn SecretStore, lang: Lang) -> Result<(), CliError> {
    let sweep = if args.lock { Sweep::LockAll } else { Sweep::UnlockAll };
    let db = open_shared(config)?;
    let gate = Gate::default();
    let pin = read_pin(lang)?;
    let actor = config.counter_name().to_string();
    let now = clock::monotonic_secs();
    db.write_now(|c| gate.unlock(c, &pin, now, 300, &actor))?;
    let splats = splats_client(config, secrets).ok();
    let ctx = Ctx { locks: Locks { db: &db, secrets, config }, splats: splats.as_ref(), gate: &gate, lang };
    let report = all_doors::run(&ctx, &args.store, sweep, &args.reason, &actor, |r| {
        if !args.json && r.outcome != Outcome::Sent {
            output::sweep_line(r, lang);
        }
    })
    .await?;
    if args.json {
        output::json(&report);
    }
    if report.all_done {
        return Ok(());
    }
    Err(CliError::Usage(
        lang.pick(
            "動かせなかった、または確認できなかったドアがあります。上の一覧を見て、現地で確かめてください",
            "some doors did not move or could not be confirmed: see the list above and check them on site",
        )
        .into(),
    ))
}

fn read_pin(lang: Lang) -> Result<Zeroizing<String>, CliError> {
    read_secret_line(lang.pick("店長 PIN を入力してください: ", "manager PIN: "))
}
