//! `uketsuke history`: the merged time line (SPLATS, SESAME, the app's audit log) with
//! the window's filters, as a table, JSON, or an Excel-ready CSV file; and
//! `uketsuke report`: the daily report per store.

use super::{open_db, open_shared};
use crate::error::CliError;
use crate::output;
use std::path::PathBuf;
use uketsuke_core::desk::history::{self, export, reports, Format, HistoryEntry, HistoryFilter};
use uketsuke_core::{platform::clock, Config, Lang};

#[derive(clap::Args)]
pub struct HistoryArgs {
    #[arg(long)]
    store: Option<String>,
    #[arg(long)]
    area: Option<String>,
    #[arg(long)]
    guest: Option<String>,
    /// Staff name as entered at the counter.
    #[arg(long)]
    staff: Option<String>,
    /// access, door, guest, key, member, settings, sync, alert, kiosk.
    #[arg(long)]
    kind: Option<String>,
    /// splats, sesame, audit.
    #[arg(long)]
    source: Option<String>,
    /// From this day (JST, `YYYY-MM-DD`), inclusive.
    #[arg(long)]
    since: Option<String>,
    /// Until this day (JST, `YYYY-MM-DD`), inclusive.
    #[arg(long)]
    until: Option<String>,
    /// Rows to print (a file gets them all).
    #[arg(long, default_value_t = 50)]
    limit: u32,
    #[arg(long)]
    json: bool,
    /// Write every matching row to this CSV file (UTF-8 with BOM, for Excel).
    #[arg(long)]
    csv: Option<PathBuf>,
}

pub fn history(args: HistoryArgs, config: &Config, lang: Lang) -> Result<(), CliError> {
    let filter = HistoryFilter {
        store_id: args.store,
        area_id: args.area,
        guest_id: args.guest,
        actor: args.staff,
        kind: args.kind,
        source: args.source,
        since: args.since,
        until: args.until,
        before: None,
        limit: Some(args.limit),
    };
    if let Some(path) = args.csv {
        let done = export::to_file(&open_shared(config)?, &filter, Format::Csv, &path, lang, "cli")?;
        println!("{} ({} {})", done.path, done.rows, lang.pick("行", "rows"));
        return Ok(());
    }
    let page = history::page(&open_db(config)?, &filter, lang)?;
    if args.json {
        output::json(&page);
    } else {
        let header = HistoryEntry::headers(lang);
        let rows: Vec<Vec<String>> =
            page.entries.iter().map(|e| e.cells().iter().map(|c| c.to_string()).collect()).collect();
        output::table_of(&header, &rows);
    }
    Ok(())
}

#[derive(clap::Args)]
pub struct ReportArgs {
    /// First day (JST, `YYYY-MM-DD`); default: 6 days before `--until`.
    #[arg(long)]
    since: Option<String>,
    /// Last day; default: today.
    #[arg(long)]
    until: Option<String>,
    #[arg(long)]
    json: bool,
    #[arg(long)]
    csv: Option<PathBuf>,
}

pub fn report(args: ReportArgs, config: &Config, lang: Lang) -> Result<(), CliError> {
    let now = clock::now_unix();
    let until = args.until.unwrap_or_else(|| uketsuke_core::desk::calls::meter::day_of(now));
    let until_start = clock::day_start_ms(&until, false)? / 1000;
    // `reports` checks both days; `until` is read here only to count back from it.
    let since =
        args.since.unwrap_or_else(|| uketsuke_core::desk::calls::meter::day_of(until_start - 6 * 86_400));
    if let Some(path) = args.csv {
        let done = reports::to_file(&open_shared(config)?, &since, &until, now, &path, lang, "cli")?;
        println!("{} ({} {})", done.path, done.rows, lang.pick("行", "rows"));
        return Ok(());
    }
    let rows = reports::daily(&open_db(config)?, &since, &until, now, lang)?;
    if args.json {
        output::json(&rows);
    } else {
        let cells: Vec<Vec<String>> = rows.iter().map(|r| reports::cells(r).to_vec()).collect();
        output::table_of(&reports::headers(lang), &cells);
    }
    Ok(())
}
