//! Today's guests: where they come from (reservations, CSV, walk-ins), where they are
//! (upcoming, arrived, in, left, overstaying), and finding one quickly at the counter.
//!
//! - [`csv`]: import a bookings file as Japanese Excel writes it (Shift_JIS or UTF-8)
//! - [`access`]: a SPLATS member per booking, its rotating QR, and revoking it
//! - [`kiosk`]: a guest finding their own booking at the kiosk
//! - [`stay`]: a stay made longer, shorter or moved at the counter

pub mod access;
pub mod csv;
pub mod fold;
pub mod kiosk;
pub mod pass;
pub mod stay;
pub mod text;

use crate::clouds::reservation::{Bookings, Skipped};
use crate::desk::audit::{self, AuditEvent};
use crate::desk::cache;
use crate::desk::staff::role::{self, Deed};
use crate::platform::clock;
use crate::platform::error::{Code, Error, Result};
use crate::platform::jst::JstDay;
use crate::platform::model::{Guest, GuestSource};
use rusqlite::{params, Connection};
use serde::Serialize;

/// Where a guest is in their visit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum GuestStatus {
    /// Booked, not here yet.
    Upcoming,
    /// Here before their booking starts.
    Arrived,
    /// Inside their booking window.
    In,
    /// Checked out.
    Left,
    /// Still here after the booking ended.
    Overstaying,
    /// The booking ended and they never came.
    NoShow,
    /// The reservation system no longer lists the booking.
    Cancelled,
}

/// A guest as the counter sees them.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct GuestView {
    #[serde(flatten)]
    pub guest: Guest,
    pub status: GuestStatus,
    /// First check-in, by staff or by a QR accepted at a SPLATS reader.
    pub arrived_at: Option<i64>,
    pub checked_out_at: Option<i64>,
    pub area_names: Vec<String>,
    pub access: Option<access::AccessSummary>,
    /// A SPLATS change still waiting to be made (shown to staff as pending).
    pub pending: Option<crate::desk::outbox::PendingOp>,
}

/// What the counter needs to know to decide a status.
pub fn status(g: &Guest, arrived_at: Option<i64>, checked_out_at: Option<i64>, now: i64) -> GuestStatus {
    match (arrived_at, checked_out_at) {
        (_, Some(_)) => GuestStatus::Left,
        (Some(_), None) if now > g.ends_at => GuestStatus::Overstaying,
        (Some(_), None) if now < g.starts_at => GuestStatus::Arrived,
        (Some(_), None) => GuestStatus::In,
        (None, None) if now > g.ends_at => GuestStatus::NoShow,
        (None, None) => GuestStatus::Upcoming,
    }
}

/// Unix seconds of 00:00 JST on the day containing `now`.
pub fn day_start(now: i64) -> i64 {
    JstDay::of(now).start()
}

/// `YYYY-MM-DD` of the JST day containing `now`.
pub fn jst_date(now: i64) -> String {
    JstDay::of(now).to_string()
}

/// The store's guests whose booking overlaps today (JST), cancelled ones included (staff
/// may still need to check them out), optionally filtered by a search over name, kana, booking code and phone digits.
pub fn today(conn: &Connection, store_id: &str, now: i64, query: Option<&str>) -> Result<Vec<GuestView>> {
    let day = day_start(now);
    let guests = cache::list_guests(conn, store_id, day, day + 86_400)?;
    let needle = query.filter(|q| !normalize(q).is_empty());
    let mut out = Vec::new();
    for g in guests {
        if let Some(n) = &needle {
            let hay = [Some(&g.name), g.name_kana.as_ref(), g.booking_code.as_ref(), g.phone_last4.as_ref()];
            let phone = g.phone_last4.as_deref().is_some_and(|p| fold::phone_matches(p, n));
            if !phone && !hay.iter().flatten().any(|h| fold::contains(h, n)) {
                continue;
            }
        }
        out.push(view_of(conn, g, now)?);
    }
    Ok(out)
}

/// One guest's view, wherever their booking day is.
pub fn view(conn: &Connection, guest_id: &str, now: i64) -> Result<GuestView> {
    let g = cache::get_guest(conn, guest_id)?.ok_or_else(|| Error::not_found(format!("guest {guest_id}")))?;
    view_of(conn, g, now)
}

/// What the counter shows for a guest at `now`.
fn view_of(conn: &Connection, g: Guest, now: i64) -> Result<GuestView> {
    let (cancelled, checked_in, checked_out, scanned): (Option<i64>, Option<i64>, Option<i64>, Option<i64>) =
        conn.query_row(
            "SELECT cancelled_at, checked_in_at, checked_out_at, first_scan_at FROM guests WHERE id = ?1",
            [&g.id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )?;
    let access = access::summary(conn, &g.id)?;
    let pending = crate::desk::outbox::waiting_for(conn, &g.id)?;
    let arrived_at = [checked_in, scanned].into_iter().flatten().min();
    let area_names = g
        .area_ids
        .iter()
        .map(|a| cache::get_area(conn, a).map(|x| x.map(|x| x.name).unwrap_or_else(|| a.clone())))
        .collect::<Result<_>>()?;
    let status = match cancelled {
        Some(_) if checked_out.is_none() => GuestStatus::Cancelled,
        _ => status(&g, arrived_at, checked_out, now),
    };
    Ok(GuestView { status, arrived_at, checked_out_at: checked_out, area_names, access, pending, guest: g })
}

/// Notes when each guest's QR was first accepted, from the cached SPLATS histories:
/// `events` are the history `event` values that mean so (a setting: the field is not
/// documented). Only guests whose booking ends after `since` are looked at.
pub fn derive_arrivals(conn: &Connection, events: &[String], since: i64) -> Result<usize> {
    if events.is_empty() {
        return Ok(0);
    }
    let marks = vec!["?"; events.len()].join(", ");
    let sql = format!(
        "UPDATE guests SET first_scan_at = (
           SELECT MIN(h.at) FROM splats_histories h JOIN guest_access a ON a.splats_member_id = h.member_id
           WHERE a.guest_id = guests.id AND h.event IN ({marks}))
         WHERE first_scan_at IS NULL AND ends_at > ? AND id IN (SELECT guest_id FROM guest_access)"
    );
    let mut values: Vec<&dyn rusqlite::ToSql> = events.iter().map(|e| e as &dyn rusqlite::ToSql).collect();
    values.push(&since);
    Ok(conn.execute(&sql, values.as_slice())?)
}

/// Search text folded so that ヤマダ finds やまだ and ﾔﾏﾀﾞ, ＲＳＶ finds rsv, and spaces do
/// not matter ([`fold::fold`]).
pub fn normalize(s: &str) -> String {
    fold::fold(s)
}

/// Staff say the guest is here.
pub fn check_in(conn: &Connection, guest_id: &str, now: i64, actor: &str) -> Result<()> {
    role::require_here(conn, Deed::Change)?;
    let cancelled: Option<i64> = conn
        .query_row("SELECT cancelled_at FROM guests WHERE id = ?1", [guest_id], |r| r.get(0))
        .unwrap_or(None);
    if cancelled.is_some() {
        return Err(Error::invalid(
            Code::BookingCancelled,
            "この予約は取り消されています。来店として受け付けるには、飛び込み受付で登録してください",
            "this booking was cancelled: to take the guest in, register them as a walk-in",
        ));
    }
    let n = conn.execute(
        "UPDATE guests SET checked_in_at = COALESCE(checked_in_at, ?2) WHERE id = ?1",
        params![guest_id, now],
    )?;
    if n == 0 {
        return Err(Error::not_found(format!("guest {guest_id}")));
    }
    audit::record(conn, &AuditEvent::new(actor, "guest.check_in", Some(guest_id), true))
}

/// Marks the guest as gone. Revoking their access is [`access::remove`]'s job.
pub fn mark_checked_out(conn: &Connection, guest_id: &str, now: i64) -> Result<()> {
    let n = conn.execute(
        "UPDATE guests SET checked_out_at = COALESCE(checked_out_at, ?2) WHERE id = ?1",
        params![guest_id, now],
    )?;
    if n == 0 {
        return Err(Error::not_found(format!("guest {guest_id}")));
    }
    Ok(())
}

/// A guest entered at the counter.
#[derive(Debug, Clone, serde::Deserialize, ts_rs::TS)]
pub struct WalkIn {
    pub store_id: String,
    pub name: String,
    #[serde(default)]
    pub name_kana: Option<String>,
    #[serde(default)]
    pub phone: Option<String>,
    pub area_ids: Vec<String>,
    pub starts_at: i64,
    pub ends_at: i64,
}

/// Tells the reservation system that staff checked a booked guest in or out, when
/// `reservation.report_visits` is on. Best effort: the check-in here stands whatever
/// happens there; the outcome is audited. `Ok(false)`: nothing to report (setting off,
/// a walk-in or CSV guest).
pub async fn report_visit(
    db: &crate::platform::db::Db,
    config: &crate::Config,
    secrets: &dyn crate::platform::secrets::SecretStore,
    guest_id: &str,
    visit: crate::clouds::reservation::Visit,
    actor: &str,
) -> Result<bool> {
    if !config.reservation.report_visits {
        return Ok(false);
    }
    let id = guest_id.to_string();
    let guest = db
        .read(move |c| cache::get_guest(c, &id))
        .await?
        .ok_or_else(|| Error::not_found(format!("guest {guest_id}")))?;
    if guest.source != GuestSource::Reservation {
        return Ok(false);
    }
    let client = crate::clouds::reservation::ReservationClient::from_config(config, secrets)?;
    let result = client.report_visit(guest_id, visit, actor, clock::now_unix()).await;
    let event = AuditEvent::new(actor, "reservation.report_visit", Some(guest_id), result.is_ok())
        .with_detail(
            serde_json::json!({ "visit": visit.as_str(), "error": result.as_ref().err().map(|e| e.code()) }),
        );
    db.write(move |c| audit::record(c, &event)).await?;
    result.map(|_| true)
}

/// The counter's check-in: recorded here, then reported to the reservation system
/// (best effort: a failed report is audited and logged, the check-in stands).
pub async fn check_in_now(
    db: &crate::platform::db::Db,
    config: &crate::Config,
    secrets: &dyn crate::platform::secrets::SecretStore,
    guest_id: &str,
    actor: &str,
) -> Result<()> {
    let (id, who) = (guest_id.to_string(), actor.to_string());
    db.write(move |c| check_in(c, &id, clock::now_unix(), &who)).await?;
    report_visit_logged(db, config, secrets, guest_id, crate::clouds::reservation::Visit::CheckedIn, actor)
        .await;
    Ok(())
}

/// [`report_visit`], its failure only logged (it is audited already).
pub async fn report_visit_logged(
    db: &crate::platform::db::Db,
    config: &crate::Config,
    secrets: &dyn crate::platform::secrets::SecretStore,
    guest_id: &str,
    visit: crate::clouds::reservation::Visit,
    actor: &str,
) {
    if let Err(e) = report_visit(db, config, secrets, guest_id, visit, actor).await {
        tracing::warn!(code = e.code().as_str(), "visit not reported to the reservation system");
    }
}

/// Adds a walk-in after checking it as carefully as a booking.
pub fn add_walk_in(conn: &mut Connection, w: &WalkIn, now: i64, actor: &str) -> Result<Guest> {
    role::require_here(conn, Deed::Change)?;
    let name = &text::field(&w.name, "お名前", "name")?;
    let kana = w.name_kana.as_deref().map(|k| text::field(k, "フリガナ", "kana")).transpose()?;
    let phone = w.phone.as_deref().map(|p| text::field(p, "電話番号", "phone number")).transpose()?;
    if name.is_empty() {
        return Err(Error::invalid(Code::NameMissing, "お名前を入力してください", "enter the guest's name"));
    }
    check_stay(w.starts_at, w.ends_at, &w.area_ids)?;
    for a in &w.area_ids {
        match cache::get_area(conn, a)? {
            Some(area) if area.store_id == w.store_id => {}
            _ => {
                return Err(Error::invalid(
                    Code::AreaNotInStore,
                    format!("エリア {a} はこの店舗にありません"),
                    format!("area {a} is not in this store"),
                ))
            }
        }
    }
    let id = format!("W{}-{:04x}", now, rand::random::<u16>());
    let guest = Guest {
        id: id.clone(),
        store_id: w.store_id.clone(),
        // Digits only, so that the guest can type it on the kiosk's keypad.
        booking_code: Some(format!("W{:06}", rand::random::<u32>() % 1_000_000)),
        name: name.to_string(),
        name_kana: kana.filter(|k| !k.is_empty()),
        phone_last4: phone.as_deref().map(crate::platform::model::phone_last4).filter(|p| !p.is_empty()),
        starts_at: w.starts_at,
        ends_at: w.ends_at,
        area_ids: w.area_ids.clone(),
        source: GuestSource::WalkIn,
    };
    cache::upsert_guests(conn, std::slice::from_ref(&guest), now)?;
    audit::record(conn, &AuditEvent::new(actor, "guest.walk_in", Some(&id), true))?;
    // A walk-in starting now is standing at the counter: arrived, not expected.
    if w.starts_at <= now + WALK_IN_HERE_SECS {
        check_in(conn, &id, now, actor)?;
    }
    Ok(guest)
}

/// What every stay typed at the counter needs (a walk-in, a changed stay): an end after
/// its start, and at least one room.
pub(crate) fn check_stay(starts_at: i64, ends_at: i64, area_ids: &[String]) -> Result<()> {
    if ends_at <= starts_at {
        return Err(Error::invalid(
            Code::TimeRangeInvalid,
            "終了は開始より後にしてください",
            "the end must be after the start",
        ));
    }
    if area_ids.is_empty() {
        return Err(Error::invalid(
            Code::AreasMissing,
            "エリアを1つ以上選んでください",
            "choose at least one area",
        ));
    }
    Ok(())
}

/// A walk-in whose stay starts within this is taken as arrived on registration.
pub const WALK_IN_HERE_SECS: i64 = 15 * 60;

/// What a reservation sync changed for one day.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct DayChanges {
    pub upserted: usize,
    pub cancelled: usize,
    /// Bookings left out (unreadable, end not after start, an area we do not know).
    pub skipped: Vec<Skipped>,
}

/// Makes one store's day mirror the reservation system, in one transaction. Bookings
/// that vanished are marked cancelled, and a revoke of their door access is queued in
/// the same transaction. A skipped booking is not taken for cancelled: it was listed.
pub fn replace_day(
    conn: &mut Connection,
    store_id: &str,
    day: i64,
    bookings: &Bookings,
    now: i64,
) -> Result<DayChanges> {
    let tx = conn.transaction()?;
    let mut changes = DayChanges { skipped: bookings.skipped.clone(), ..DayChanges::default() };
    for g in &bookings.guests {
        if let Some(a) = unknown_area(&tx, g)? {
            changes.skipped.push(Skipped::new(
                &g.id,
                format!("予約 {} のエリア {a} がこの店舗にないため飛ばしました", g.id),
                format!("booking {} was skipped: area {a} is not in this store", g.id),
            ));
            continue;
        }
        // Cleaned and capped as what staff type is: a booking site's text is no safer.
        let name = text::capped(&g.name);
        let kana = g.name_kana.as_deref().map(text::capped);
        let booking_code = g.booking_code.as_deref().map(text::capped);
        tx.execute(
            "INSERT INTO guests (id, store_id, booking_code, name, name_kana, phone_last4, starts_at, ends_at, source, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 'reservation', ?9)
             ON CONFLICT(id) DO UPDATE SET store_id = excluded.store_id, booking_code = excluded.booking_code,
               name = excluded.name, name_kana = excluded.name_kana, phone_last4 = excluded.phone_last4,
               starts_at = excluded.starts_at, ends_at = excluded.ends_at, cancelled_at = NULL, updated_at = excluded.updated_at",
            params![g.id, g.store_id, booking_code, name, kana, g.phone_last4, g.starts_at, g.ends_at, now],
        )?;
        tx.execute("DELETE FROM guest_areas WHERE guest_id = ?1", [&g.id])?;
        for a in &g.area_ids {
            tx.execute("INSERT OR IGNORE INTO guest_areas (guest_id, area_id) SELECT ?1, id FROM areas WHERE id = ?2", params![g.id, a])?;
        }
        changes.upserted += 1;
    }
    let listed: std::collections::HashSet<&str> = bookings
        .guests
        .iter()
        .map(|g| g.id.as_str())
        .chain(bookings.skipped.iter().map(|s| s.id.as_str()))
        .collect();
    let gone: Vec<String> = {
        let mut stmt = tx.prepare(
            "SELECT id FROM guests WHERE store_id = ?1 AND source = 'reservation' AND cancelled_at IS NULL
               AND starts_at < ?3 AND ends_at > ?2",
        )?;
        let rows = stmt.query_map(params![store_id, day, day + 86_400], |r| r.get::<_, String>(0))?;
        rows.collect::<rusqlite::Result<Vec<_>>>()?
            .into_iter()
            .filter(|id| !listed.contains(id.as_str()))
            .collect()
    };
    for id in &gone {
        tx.execute("UPDATE guests SET cancelled_at = ?2 WHERE id = ?1", params![id, now])?;
        access::queue_revoke(&tx, id, "cancelled", now)?;
    }
    tx.commit()?;
    changes.cancelled = gone.len();
    Ok(changes)
}

/// The first of the booking's areas that is not an active area of its store.
pub(crate) fn unknown_area(conn: &Connection, g: &Guest) -> Result<Option<String>> {
    for a in &g.area_ids {
        match cache::get_area(conn, a)? {
            Some(area) if area.store_id == g.store_id => {}
            _ => return Ok(Some(a.clone())),
        }
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn guest(start: i64, end: i64) -> Guest {
        Guest {
            id: "g".into(),
            store_id: "s".into(),
            booking_code: None,
            name: "山田".into(),
            name_kana: None,
            phone_last4: None,
            starts_at: start,
            ends_at: end,
            area_ids: vec![],
            source: GuestSource::Reservation,
        }
    }

    #[test]
    fn status_follows_the_visit() {
        let g = guest(100, 200);
        assert_eq!(status(&g, None, None, 50), GuestStatus::Upcoming);
        assert_eq!(status(&g, Some(60), None, 70), GuestStatus::Arrived);
        assert_eq!(status(&g, Some(60), None, 150), GuestStatus::In);
        assert_eq!(status(&g, Some(60), None, 250), GuestStatus::Overstaying);
        assert_eq!(status(&g, Some(60), Some(190), 250), GuestStatus::Left);
        assert_eq!(status(&g, None, None, 250), GuestStatus::NoShow);
    }

    #[test]
    fn search_folds_kana_width_and_spaces() {
        assert_eq!(normalize("ヤマダ タロウ"), normalize("やまだたろう"));
        assert_eq!(normalize("ＲＳＶ－１００１"), "rsv-1001");
        assert!(normalize("山田 太郎").contains(&normalize("山田太")));
        assert_eq!(normalize("ﾔﾏﾀﾞ"), normalize("ヤマダ"));
    }

    #[test]
    fn days_start_at_jst_midnight() {
        assert_eq!(day_start(1_700_000_000), 1_699_974_000);
        assert_eq!(jst_date(1_700_000_000), "2023-11-15");
    }
}
