//! Each audit row also joins the merged time line (`history_entries`, read by
//! `history`): its target (`area:…`, `entrance:…`, a guest id) gives the store, area and
//! guest, its action the kind. Written with the row, in its transaction.

use crate::platform::error::Result;
use rusqlite::Connection;

/// The audit row `id` into the time line.
pub fn row(conn: &Connection, id: i64) -> Result<usize> {
    Ok(conn.prepare_cached(&SQL)?.execute([id])?)
}

/// What an audit action is about, for the kind filter. Migration 008 holds a frozen
/// copy for the rows written before it.
const KIND: &str = "CASE
    WHEN e.action LIKE 'sesame.%' OR e.action LIKE 'door.%' THEN 'door'
    WHEN e.action LIKE 'guest.%' OR e.action LIKE 'access.%' OR e.action = 'reservation.report_visit' THEN 'guest'
    WHEN e.action LIKE 'key.%' THEN 'key'
    WHEN e.action LIKE 'member.%' THEN 'member'
    WHEN e.action LIKE 'settings.%' OR e.action LIKE 'manager.%' OR e.action = 'reservation.sign_in' THEN 'settings'
    WHEN e.action LIKE 'sync%' THEN 'sync'
    WHEN e.action LIKE 'alert.%' THEN 'alert'
    WHEN e.action LIKE 'kiosk.%' THEN 'kiosk'
    ELSE 'other' END";

static SQL: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    format!(
        "INSERT OR IGNORE INTO history_entries
             (at_ms, source, ref, kind, event, store_id, area_id, guest_id, actor, device, ok, detail)
         SELECT e.at_ms, 'audit', e.id, {KIND}, e.action,
                COALESCE(a.store_id, st.id, g.store_id), a.id, g.id, e.actor, NULL,
                e.outcome = 'ok', e.detail
         FROM audit_events e
         LEFT JOIN areas a ON a.id = CASE WHEN e.target LIKE 'area:%' THEN substr(e.target, 6) END
         LEFT JOIN stores st ON st.id = CASE WHEN e.target LIKE 'entrance:%' THEN substr(e.target, 10) END
         LEFT JOIN guests g ON g.id = e.target
         WHERE e.id = ?1"
    )
});
