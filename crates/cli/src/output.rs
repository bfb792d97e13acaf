//! How the CLI prints: aligned tables for people, JSON for scripts.

use serde::Serialize;
use uketsuke_core::clouds::sesame::client::HistoryEntry;
use uketsuke_core::clouds::sesame::{Command, LockState};
use uketsuke_core::desk::audit::AuditEvent;
use uketsuke_core::desk::cache::splats::{CachedArea, CachedPass};
use uketsuke_core::desk::calls::meter::Usage;
use uketsuke_core::desk::doors::lock::{CommandReport, Confirmation, KnownStatus};
use uketsuke_core::platform::model::{Area, Store};
use uketsuke_core::workflows::doctor::{Report, Status};
use uketsuke_core::Lang;

pub fn json<T: Serialize + ?Sized>(value: &T) {
    println!("{}", serde_json::to_string_pretty(value).expect("CLI output serialises"));
}

/// Terminal columns: a kanji or full-width letter takes two, a half-width kana one
/// (Unicode's East Asian Width, as terminals draw it).
fn width(s: &str) -> usize {
    unicode_width::UnicodeWidthStr::width(s)
}

/// An aligned table of any rows (the history, the reports).
pub fn table_of(header: &[&str], rows: &[Vec<String>]) {
    table(header, rows)
}

fn table(header: &[&str], rows: &[Vec<String>]) {
    let mut widths: Vec<usize> = header.iter().map(|h| width(h)).collect();
    for row in rows {
        for (i, cell) in row.iter().enumerate() {
            widths[i] = widths[i].max(width(cell));
        }
    }
    let line = |cells: Vec<&str>| {
        let padded: Vec<String> = cells
            .iter()
            .enumerate()
            .map(|(i, c)| format!("{c}{}", " ".repeat(widths[i] - width(c))))
            .collect();
        println!("{}", padded.join("  ").trim_end());
    };
    line(header.to_vec());
    for row in rows {
        line(row.iter().map(String::as_str).collect());
    }
}

pub fn stores(stores: &[Store], lang: Lang) {
    if stores.is_empty() {
        return println!(
            "{}",
            lang.pick(
                "店舗はまだありません。`uketsuke sync` で取得します。",
                "No stores yet. Run `uketsuke sync`."
            )
        );
    }
    let rows: Vec<_> = stores
        .iter()
        .map(|s| vec![s.id.clone(), s.name.clone(), s.name_kana.clone().unwrap_or_default()])
        .collect();
    table(&[lang.pick("ID", "ID"), lang.pick("店舗名", "Store"), lang.pick("フリガナ", "Kana")], &rows);
}

pub fn areas(areas: &[Area], lang: Lang) {
    if areas.is_empty() {
        return println!("{}", lang.pick("エリアはありません。", "No areas."));
    }
    let rows: Vec<_> = areas
        .iter()
        .map(|a| {
            vec![
                a.id.clone(),
                a.store_id.clone(),
                a.name.clone(),
                a.device_uuid.clone().unwrap_or_else(|| "-".into()),
            ]
        })
        .collect();
    table(
        &["ID", lang.pick("店舗", "Store"), lang.pick("エリア名", "Area"), lang.pick("錠 UUID", "Lock UUID")],
        &rows,
    );
}

/// Prints one cloud's sync outcome for people (unless `json`) and returns it as JSON.
pub fn guests(list: &[uketsuke_core::desk::guests::GuestView], lang: Lang) {
    if list.is_empty() {
        return println!("{}", lang.pick("本日のお客様はいません。", "No guests today."));
    }
    let time = |t: i64| uketsuke_core::platform::clock::format_jst(t)[11..16].to_string();
    let rows: Vec<_> = list
        .iter()
        .map(|g| {
            let status = serde_json::to_value(g.status)
                .ok()
                .and_then(|v| v.as_str().map(String::from))
                .unwrap_or_default();
            vec![
                g.guest.id.clone(),
                format!("{}–{}", time(g.guest.starts_at), time(g.guest.ends_at)),
                g.guest.name.clone(),
                g.guest.booking_code.clone().unwrap_or_default(),
                g.area_names.join("・"),
                status,
                if g.access.as_ref().is_some_and(|a| a.revoked_at.is_none()) {
                    "QR".into()
                } else {
                    "-".into()
                },
            ]
        })
        .collect();
    table(
        &[
            "ID",
            lang.pick("時間", "Time"),
            lang.pick("氏名", "Name"),
            lang.pick("予約番号", "Code"),
            lang.pick("エリア", "Areas"),
            lang.pick("状態", "Status"),
            lang.pick("入室", "Access"),
        ],
        &rows,
    );
}

pub fn splats_areas(areas: &[CachedArea], lang: Lang) {
    if areas.is_empty() {
        return println!(
            "{}",
            lang.pick(
                "SPLATS エリアはまだありません。`uketsuke sync` で取得します。",
                "No SPLATS areas yet. Run `uketsuke sync`."
            )
        );
    }
    let rows: Vec<_> = areas
        .iter()
        .map(|a| {
            let name = if a.active {
                a.name.clone()
            } else {
                format!("{} ({})", a.name, lang.pick("消えました", "gone"))
            };
            vec![
                a.area_id.clone(),
                name,
                if a.mapped_to.is_empty() { "-".into() } else { a.mapped_to.join(", ") },
            ]
        })
        .collect();
    table(&["ID", lang.pick("エリア名", "Area"), lang.pick("割り当て", "Mapped to")], &rows);
}

pub fn splats_passes(passes: &[CachedPass], lang: Lang) {
    let rows: Vec<_> = passes
        .iter()
        .map(|p| {
            let status = p.status.as_ref().map(|s| {
                let field = |k: &str| {
                    s.get(k)
                        .and_then(|v| v.as_str().map(String::from).or(Some(v.to_string())))
                        .unwrap_or_default()
                };
                format!("{} / {}", field("door"), field("lock"))
            });
            let at = p.status_at.map(uketsuke_core::platform::clock::format_jst).unwrap_or_default();
            vec![
                p.device_id.clone(),
                p.name.clone(),
                p.area_id.clone().unwrap_or_default(),
                status.unwrap_or_else(|| "-".into()),
                at,
            ]
        })
        .collect();
    table(
        &[
            "ID",
            lang.pick("名前", "Name"),
            lang.pick("エリア", "Area"),
            lang.pick("状態", "State"),
            lang.pick("取得", "Read at"),
        ],
        &rows,
    );
}

pub fn splats_history(rows: &[uketsuke_core::desk::history::splats::Stored], lang: Lang) {
    if rows.is_empty() {
        return println!("{}", lang.pick("該当する履歴はありません。", "No histories in that period."));
    }
    let rows: Vec<_> = rows
        .iter()
        .map(|h| {
            vec![
                uketsuke_core::platform::clock::format_jst(h.at),
                h.event_name.clone().or(h.event.clone()).unwrap_or_default(),
                h.category.clone().unwrap_or_default(),
                h.device_name.clone().unwrap_or_default(),
                h.member_id.clone().or(h.guest_id.clone()).unwrap_or_default(),
            ]
        })
        .collect();
    table(
        &[
            lang.pick("日時", "Time"),
            lang.pick("内容", "Event"),
            lang.pick("区分", "Category"),
            lang.pick("デバイス", "Device"),
            lang.pick("利用者", "Who"),
        ],
        &rows,
    );
}

pub fn doctor(report: &Report, lang: Lang) {
    print!("{}", doctor_text(report, lang));
}

/// The doctor's report in words, as printed (and put in a support bundle).
pub fn doctor_text(report: &Report, lang: Lang) -> String {
    let mut out = String::new();
    for c in &report.checks {
        let mark = match c.status {
            Status::Ok => "ok  ",
            Status::Warn => "WARN",
            Status::Fail => "FAIL",
            Status::Skip => "-   ",
        };
        out.push_str(&format!("{mark}  {:<28} {}\n", c.name, c.detail));
    }
    out.push_str(if report.healthy() {
        lang.pick("問題はありません。", "All good.")
    } else {
        lang.pick(
            "問題があります。FAIL の行の設定を直してください。",
            "Problems found: fix the settings on the FAIL lines.",
        )
    });
    out.push('\n');
    out
}

pub fn audit(events: &[AuditEvent]) {
    let rows: Vec<_> = events
        .iter()
        .map(|e| {
            vec![
                uketsuke_core::platform::clock::format_jst(e.at_ms / 1000),
                e.actor.clone(),
                e.action.clone(),
                e.target.clone().unwrap_or_default(),
                if e.ok { "ok".into() } else { "error".into() },
                e.latency_ms.map(|l| format!("{l} ms")).unwrap_or_default(),
            ]
        })
        .collect();
    table(&["at", "actor", "action", "target", "result", "latency"], &rows);
}

fn state_text(state: LockState, lang: Lang) -> &'static str {
    match state {
        LockState::Locked => lang.pick("施錠中", "locked"),
        LockState::Unlocked => lang.pick("解錠中", "unlocked"),
        LockState::Moved => lang.pick("途中で停止", "moved"),
        LockState::Unknown => lang.pick("状態不明", "unknown"),
    }
}

pub fn lock_status(s: &KnownStatus, lang: Lang) {
    let battery = s.battery_percentage.map(|b| format!("{b}%")).unwrap_or_else(|| "-".into());
    let wifi = match s.wm2_state {
        Some(true) => lang.pick("接続", "connected"),
        Some(false) => lang.pick("切断", "disconnected"),
        None => "-",
    };
    println!(
        "{}  {}  {} {battery}  Wi-Fi {wifi}",
        s.uuid,
        state_text(s.state, lang),
        lang.pick("電池", "battery")
    );
}

pub fn command_result(r: &CommandReport, c: Option<&Confirmation>, lang: Lang) {
    let what = match r.command {
        Command::Unlock => lang.pick("解錠", "unlock"),
        Command::Lock => lang.pick("施錠", "lock"),
    };
    println!("{} {what}: {} ({} ms)", r.label, lang.pick("受付済み", "accepted"), r.latency_ms);
    if let Some(c) = c {
        let verdict = if c.confirmed {
            lang.pick("確認済み", "confirmed")
        } else {
            lang.pick("未確認", "not confirmed")
        };
        println!("{}: {verdict} ({})", lang.pick("状態", "status"), state_text(c.status.state, lang));
    }
}

/// One door's result of 全施錠 / 全解錠, as it comes.
pub fn sweep_line(r: &uketsuke_core::workflows::all_doors::DoorResult, lang: Lang) {
    use uketsuke_core::workflows::all_doors::Outcome;
    let what = match r.outcome {
        Outcome::Sent => lang.pick("送信済み・確認中", "sent, checking"),
        Outcome::Done => lang.pick("完了（確認済み）", "done (confirmed)"),
        Outcome::Unconfirmed => lang.pick("未確認", "not confirmed"),
        Outcome::Failed => lang.pick("失敗", "failed"),
        Outcome::Skipped => lang.pick("対象外", "not included"),
    };
    match &r.message {
        Some(m) => println!("{}: {what} — {m}", r.label),
        None => println!("{}: {what}", r.label),
    }
}

pub fn lock_history(entries: &[HistoryEntry]) {
    let rows: Vec<_> = entries
        .iter()
        .map(|e| {
            vec![
                uketsuke_core::platform::clock::format_jst(e.at_secs),
                e.kind.to_string(),
                e.tag.clone().unwrap_or_default(),
                e.record_id.to_string(),
            ]
        })
        .collect();
    table(&["at", "type", "tag", "record"], &rows);
}

pub fn usage(u: &Usage, lang: Lang) {
    println!(
        "{} {}: {} / {} ({} {} / {}, {} {})",
        u.month,
        lang.pick("SESAME 利用回数", "SESAME calls"),
        u.total,
        u.allowance,
        lang.pick("自動確認", "polls"),
        u.polls,
        u.poll_budget,
        lang.pick("操作", "commands"),
        u.commands
    );
}
