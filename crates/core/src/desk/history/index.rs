//! Filling the time line: SPLATS and SESAME pages are indexed into `history_entries` in
//! the same transaction that stores them, with the store, area and guest they are about
//! resolved once, here (the audit log indexes its own rows: `audit::index`). Names are
//! joined when read, so a renamed room shows its new name.

use crate::clouds::sesame::client::HistoryEntry;
use crate::platform::error::Result;
use rusqlite::params;
use rusqlite::Connection;

/// SPLATS entries by id (a page just stored): the device's SPLATS area gives our area
/// or entrance, the member our guest. A refusal (`category` other than normal) is not ok.
pub fn splats(conn: &Connection, history_ids: &[String]) -> Result<usize> {
    let ids = serde_json::to_string(history_ids).unwrap_or_else(|_| "[]".into());
    Ok(conn.execute(
        "INSERT OR IGNORE INTO history_entries
             (at_ms, source, ref, kind, event, store_id, area_id, guest_id, actor, device, ok, detail)
         SELECT h.at * 1000, 'splats', h.history_id, 'access', COALESCE(h.event_name, h.event, ''),
                COALESCE(a.store_id, s.id), a.id, ga.guest_id, NULL, h.device_name,
                COALESCE(h.category, 'normal') = 'normal', h.event
         FROM splats_histories h
         LEFT JOIN splats_passes p ON p.device_id = h.device_id
         LEFT JOIN areas a ON a.splats_area_id = p.area_id AND p.area_id IS NOT NULL
         LEFT JOIN stores s ON s.splats_entrance_area_id = p.area_id AND p.area_id IS NOT NULL
         LEFT JOIN guest_access ga ON ga.splats_member_id = h.member_id
         WHERE h.history_id IN (SELECT value FROM json_each(?1))",
        [ids],
    )?)
}

/// SESAME's name for a history type (`Sesame2HistoryTypeEnum`, docs/reference/sesame-web-api.md §3.2).
pub fn sesame_event(kind: i64) -> &'static str {
    match kind {
        1 => "BLE施錠",
        2 => "BLE解錠",
        3 => "時刻設定",
        4 | 5 | 13 => "設定変更",
        6 => "オートロック",
        7 => "手動施錠",
        8 => "手動解錠",
        9 => "手動操作",
        10 => "施錠 (モーター)",
        11 => "解錠 (モーター)",
        12 => "動作失敗",
        14 => "Wi-Fi施錠",
        15 => "Wi-Fi解錠",
        16 => "Web施錠",
        17 => "Web解錠",
        18 | 21 => "ボット操作",
        _ => "その他",
    }
}

/// A page of one lock's SESAME history, for the door (store, area) it serves.
/// `recordID` (with the device) is the entry's identity, so a page read twice adds nothing.
pub fn sesame(
    conn: &Connection,
    store_id: Option<&str>,
    area_id: Option<&str>,
    uuid: &str,
    entries: &[HistoryEntry],
) -> Result<usize> {
    let mut n = 0;
    for e in entries {
        n += conn.execute(
            "INSERT OR IGNORE INTO history_entries
                 (at_ms, source, ref, kind, event, store_id, area_id, guest_id, actor, device, ok, detail)
             VALUES (?1, 'sesame', ?2, 'access', ?3, ?4, ?5, NULL, ?6, ?7, ?9, ?8)",
            params![
                e.at_secs * 1000,
                format!("{uuid}:{}:{}", e.record_id, e.at_secs),
                sesame_event(e.kind),
                store_id,
                area_id,
                e.tag,
                uuid,
                e.kind.to_string(),
                e.kind != 12
            ],
        )?;
    }
    Ok(n)
}
