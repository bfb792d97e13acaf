//! How the CLI prints: aligned tables for people, JSON for scripts.

use serde::Serialize;
use uketsuke_core::audit::AuditEvent;
use uketsuke_core::doctor::{Report, Status};
use uketsuke_core::model::{Area, Store};
use uketsuke_core::store::Changes;
use uketsuke_core::Lang;

pub fn json<T: Serialize + ?Sized>(value: &T) {
    println!("{}", serde_json::to_string_pretty(value).expect("CLI output serialises"));
}

/// Display width: East Asian wide characters take two columns in a terminal.
fn width(s: &str) -> usize {
    s.chars().map(|c| if (c as u32) >= 0x1100 && !matches!(c as u32, 0xFF61..=0xFF9F) { 2 } else { 1 }).sum()
}

fn table(header: &[&str], rows: &[Vec<String>]) {
    let mut widths: Vec<usize> = header.iter().map(|h| width(h)).collect();
    for row in rows {
        for (i, cell) in row.iter().enumerate() {
            widths[i] = widths[i].max(width(cell));
        }
    }
    let line = |cells: Vec<&str>| {
        let padded: Vec<String> =
            cells.iter().enumerate().map(|(i, c)| format!("{c}{}", " ".repeat(widths[i] - width(c)))).collect();
        println!("{}", padded.join("  ").trim_end());
    };
    line(header.to_vec());
    for row in rows {
        line(row.iter().map(String::as_str).collect());
    }
}

pub fn stores(stores: &[Store], lang: Lang) {
    if stores.is_empty() {
        return println!("{}", lang.pick("店舗はまだありません。`uketsuke sync` で取得します。", "No stores yet. Run `uketsuke sync`."));
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
        .map(|a| vec![a.id.clone(), a.store_id.clone(), a.name.clone(), a.device_uuid.clone().unwrap_or_else(|| "-".into())])
        .collect();
    table(&["ID", lang.pick("店舗", "Store"), lang.pick("エリア名", "Area"), lang.pick("錠 UUID", "Lock UUID")], &rows);
}

pub fn changes(c: &Changes, lang: Lang) {
    println!(
        "{}: {} {} / {} {}",
        lang.pick("同期しました", "Synced"),
        c.stores_upserted,
        lang.pick("店舗", "stores"),
        c.areas_upserted,
        lang.pick("エリア", "areas"),
    );
    if c.stores_retired + c.areas_retired > 0 {
        println!(
            "{}: {} {} / {} {}",
            lang.pick("予約システムから消えたもの", "No longer in the reservation system"),
            c.stores_retired,
            lang.pick("店舗", "stores"),
            c.areas_retired,
            lang.pick("エリア", "areas"),
        );
    }
}

pub fn doctor(report: &Report, lang: Lang) {
    for c in &report.checks {
        let mark = match c.status {
            Status::Ok => "ok  ",
            Status::Warn => "WARN",
            Status::Fail => "FAIL",
            Status::Skip => "-   ",
        };
        println!("{mark}  {:<28} {}", c.name, c.detail);
    }
    println!(
        "{}",
        if report.healthy() {
            lang.pick("問題はありません。", "All good.")
        } else {
            lang.pick("問題があります。FAIL の行の設定を直してください。", "Problems found: fix the settings on the FAIL lines.")
        }
    );
}

pub fn audit(events: &[AuditEvent]) {
    let rows: Vec<_> = events
        .iter()
        .map(|e| {
            vec![
                uketsuke_core::clock::format_jst(e.at_ms / 1000),
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
