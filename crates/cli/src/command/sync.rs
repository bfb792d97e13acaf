//! `uketsuke sync` (once) and `uketsuke watch` (all day, for a headless PC): both call
//! the one sync use case of core; this module only prints what it did.

use crate::error::CliError;
use std::process::ExitCode;
use std::sync::Arc;
use uketsuke_core::platform::secrets::SecretStore;
use uketsuke_core::workflows::sync::{self, Outcome, Report, Scope};
use uketsuke_core::workflows::worker::Worker;
use uketsuke_core::{Config, Lang};

/// Syncs every cloud that is set up (or the one asked for); one failing does not stop
/// the others, and the exit code says whether all succeeded.
#[derive(clap::Args)]
pub struct SyncArgs {
    /// Only this cloud: reservation or splats.
    #[arg(long, value_parser = ["reservation", "splats"])]
    only: Option<String>,
    #[arg(long)]
    json: bool,
}

#[derive(clap::Args)]
pub struct WatchArgs {
    /// Stop after this many syncs.
    #[arg(long)]
    cycles: Option<u32>,
}

pub async fn once(
    args: SyncArgs,
    config: &Config,
    secrets: &dyn SecretStore,
    lang: Lang,
) -> Result<ExitCode, CliError> {
    config.validate()?;
    let db = uketsuke_core::desk::staff::role::open_db(config)?;
    let scope = match args.only.as_deref() {
        Some("reservation") => Scope::BOOKINGS,
        Some("splats") => Scope::SPLATS,
        _ => Scope::ALL,
    };
    let report = sync::run(&db, config, secrets, scope, "cli").await;
    if report.reservation.is_none() && report.splats.is_none() {
        return Err(CliError::Usage(
            lang.pick(
                "同期できるクラウドが設定されていません (reservation.base_url か splats.token)",
                "no cloud is set up to sync (reservation.base_url or the splats.token secret)",
            )
            .into(),
        ));
    }
    if args.json {
        crate::output::json(&report);
    } else {
        print(&report, lang);
    }
    Ok(if report.ok() { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}

/// Runs the background worker until stopped (Ctrl+C or a signal), printing a line per
/// sync; `--cycles N` stops after N syncs (for scripts and tests). Like `Worker::run`,
/// but it prints each sync's report.
pub async fn watch(
    args: WatchArgs,
    config: &Config,
    secrets: Arc<dyn SecretStore>,
    lang: Lang,
) -> Result<ExitCode, CliError> {
    config.validate()?;
    let db = uketsuke_core::desk::staff::role::open_db(config)?;
    let snapshot = Arc::new(config.clone());
    let worker = Worker::new(db.clone(), secrets.clone(), Arc::new(move || snapshot.clone()))?;
    let facility = uketsuke_facility::attach(Some(&worker), db, secrets, &config.facility)?;
    eprintln!("{}", lang.pick("同期を開始しました (Ctrl+C で終了)", "watching (Ctrl+C to stop)"));
    let (mut leading, mut last_problem) = (false, None);
    let mut done = 0;
    loop {
        if let Some(report) = worker.tick(uketsuke_core::platform::clock::now_unix()).await? {
            print(&report, lang);
            done += 1;
            if args.cycles.is_some_and(|n| done >= n) {
                return Ok(ExitCode::SUCCESS);
            }
        }
        let mut wait = worker.next_wake(uketsuke_core::platform::clock::now_unix()).await;
        if let Some(f) = &facility {
            // Facility mode: look again as often as leadership can change hands, and
            // say when the shared database's problem changes.
            wait = wait.min(uketsuke_facility::leader::RETRY);
            let problem = f.status().error.map(|p| p.message(lang).to_string());
            if problem != last_problem {
                if let Some(p) = &problem {
                    eprintln!("{p}");
                }
                last_problem = problem;
            }
            if worker.leads() != leading {
                leading = worker.leads();
                eprintln!(
                    "{}",
                    if leading {
                        lang.pick(
                            "この PC が主担当になりました (同期・照合・状態取得)",
                            "this PC now leads (sync, reconciliation, polls)",
                        )
                    } else {
                        lang.pick("主担当は別の PC です", "another PC leads")
                    }
                );
            }
        }
        tokio::select! {
            _ = tokio::time::sleep(wait) => {}
            _ = tokio::signal::ctrl_c() => return Ok(ExitCode::SUCCESS),
        }
    }
}

/// A line per cloud: what changed, or why it failed.
pub fn print(r: &Report, lang: Lang) {
    let time = uketsuke_core::platform::clock::format_jst(r.finished_at);
    if let Some(o) = &r.reservation {
        line(&time, lang.pick("予約システム", "Reservation"), o, lang, |b| {
            let upserted: usize = b.days.iter().filter_map(|d| d.changes.as_ref()).map(|c| c.upserted).sum();
            let cancelled: usize =
                b.days.iter().filter_map(|d| d.changes.as_ref()).map(|c| c.cancelled).sum();
            let mut s = format!(
                "{} {} / {} {} / {} {upserted} / {} {cancelled}",
                b.stores.stores_upserted,
                lang.pick("店舗", "stores"),
                b.stores.areas_upserted,
                lang.pick("エリア", "areas"),
                lang.pick("予約", "bookings"),
                lang.pick("取消", "cancelled"),
            );
            for skipped in b.days.iter().filter_map(|d| d.changes.as_ref()).flat_map(|c| &c.skipped) {
                s.push_str(&format!("\n    {}", lang.pick(&skipped.ja, &skipped.en)));
            }
            s
        });
    }
    if let Some(o) = &r.splats {
        line(&time, "SPLATS", o, lang, |s| {
            let h = &s.histories;
            format!(
                "{} {} / {} {} / {} {} ({} {}{})",
                s.areas.upserted,
                lang.pick("エリア", "areas"),
                s.passes.upserted,
                lang.pick("パスコントローラー", "pass controllers"),
                h.inserted,
                lang.pick("件の新しい履歴", "new histories"),
                h.pages,
                lang.pick("ページ", "pages"),
                if h.resumed {
                    lang.pick("、中断した同期を再開", ", resumed an interrupted sync")
                } else {
                    ""
                },
            )
        });
    }
    if let Some(o) = &r.access {
        line(&time, lang.pick("入室権限", "Door access"), o, lang, |a| {
            let p = &a.planned;
            format!(
                "{} {} / {} {} / {} {} / {} {} / {} {}",
                lang.pick("発行", "issue"),
                p.issue,
                lang.pick("変更", "update"),
                p.update,
                lang.pick("取消", "revoke"),
                p.revoke + p.delete,
                lang.pick("完了", "done"),
                a.drained.done,
                lang.pick("待機中", "waiting"),
                a.waiting,
            )
        });
    }
}

fn line<T>(time: &str, label: &str, o: &Outcome<T>, lang: Lang, show: impl Fn(&T) -> String) {
    match (&o.report, &o.error) {
        (Some(r), None) => println!("[{time}] {label}: {}", show(r)),
        (r, Some(e)) => {
            if let Some(r) = r {
                println!("[{time}] {label}: {}", show(r));
            }
            eprintln!("[{time}] {label}: {} {}", lang.pick("失敗しました:", "failed:"), e.message(lang));
        }
        (None, None) => {}
    }
}
