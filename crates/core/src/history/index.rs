//! Filling the time line: each source's rows are indexed into `history_entries` in the
//! same transaction that stores them (SPLATS pages, SESAME pages, audit events), with
//! the store, area and guest they are about resolved once, here. Names are joined when
//! read, so a renamed room shows its new name.

use crate::db::Connection;
use crate::error::Result;
use crate::lock::Target;
use crate::sesame::client::HistoryEntry;
use rusqlite::params;

/// What an audit action is about, for the kind filter.
const AUDIT_KIND: &str = "CASE
    WHEN e.action LIKE 'sesame.%' OR e.action LIKE 'door.%' THEN 'door'
    WHEN e.action LIKE 'guest.%' OR e.action LIKE 'access.%' OR e.action = 'reservation.report_visit' THEN 'guest'
    WHEN e.action LIKE 'key.%' THEN 'key'
    WHEN e.action LIKE 'member.%' THEN 'member'
    WHEN e.action LIKE 'settings.%' OR e.action LIKE 'manager.%' OR e.action = 'reservation.sign_in' THEN 'settings'
    WHEN e.action LIKE 'sync%' THEN 'sync'
    WHEN e.action LIKE 'alert.%' THEN 'alert'
    WHEN e.action LIKE 'kiosk.%' THEN 'kiosk'
    ELSE 'other' END";

/// Audit rows with `id > after`: their target (`area:…`, `entrance:…`, a guest id)
/// gives the store, area and guest.
pub fn audit_after(conn: &Connection, after: i64) -> Result<usize> {
    let sql = format!(
        "INSERT OR IGNORE INTO history_entries
             (at_ms, source, ref, kind, event, store_id, area_id, guest_id, actor, device, ok, detail)
         SELECT e.at_ms, 'audit', e.id, {AUDIT_KIND}, e.action,
                COALESCE(a.store_id, st.id, g.store_id), a.id, g.id, e.actor, NULL,
                e.outcome = 'ok', e.detail
         FROM audit_events e
         LEFT JOIN areas a ON a.id = CASE WHEN e.target LIKE 'area:%' THEN substr(e.target, 6) END
         LEFT JOIN stores st ON st.id = CASE WHEN e.target LIKE 'entrance:%' THEN substr(e.target, 10) END
         LEFT JOIN guests g ON g.id = e.target
         WHERE e.id > ?1
         ORDER BY e.id"
    );
    Ok(conn.execute(&sql, [after])?)
}

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

/// Every SPLATS entry not yet indexed (the first run after an upgrade).
pub fn splats_all(conn: &Connection) -> Result<usize> {
    let ids: Vec<String> = conn
        .prepare(
            "SELECT history_id FROM splats_histories h WHERE NOT EXISTS
               (SELECT 1 FROM history_entries x WHERE x.source = 'splats' AND x.ref = h.history_id)",
        )?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let mut n = 0;
    for chunk in ids.chunks(5_000) {
        n += splats(conn, chunk)?;
    }
    Ok(n)
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

/// A page of one lock's SESAME history. `recordID` (with the device) is the entry's
/// identity, so a page read twice adds nothing.
pub fn sesame(conn: &Connection, target: &Target, uuid: &str, entries: &[HistoryEntry]) -> Result<usize> {
    let (store_id, area_id): (Option<String>, Option<String>) = match target {
        Target::Area(id) => (
            conn.query_row("SELECT store_id FROM areas WHERE id = ?1", [id], |r| r.get(0)).ok(),
            Some(id.clone()),
        ),
        Target::Entrance(id) => (Some(id.clone()), None),
    };
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
