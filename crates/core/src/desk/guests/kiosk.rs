//! The guest-facing kiosk: find one's own booking with what a guest can type on a
//! keypad, and decide whether its QR may be shown.
//!
//! Every way in takes two things the guest knows: the booking code **and** the phone
//! number's last four digits, or those four digits **and** the name (kana or kanji, any
//! width). Booking codes are often sequential (RSV-1004, RSV-1005): one alone would let
//! a guest walk through the neighbours' bookings. A code is matched whole (`RSV-1001`) or
//! by its digits (`1001`), since the keypad has digits only. Only today's bookings of the
//! kiosk's store, not cancelled and not checked out, are found; more than one match asks
//! for more. Wrong lookups are spaced out per kiosk ([`Keypad`]), and a found booking
//! does not end the run.

use super::{normalize, today, GuestStatus, GuestView};
use crate::desk::audit::{self, AuditEvent};
use crate::desk::staff::throttle::{Policy, Throttle};
use crate::platform::db::Db;
use crate::platform::error::{Code, Error, Result};
use crate::platform::model::Store;
use crate::{desk::cache, platform::clock, Config};
use rusqlite::Connection;
use serde::Deserialize;

/// What the guest typed.
#[derive(Debug, Clone, Deserialize, ts_rs::TS)]
#[serde(tag = "by", rename_all = "snake_case")]
pub enum KioskLookup {
    Code { code: String, last4: String },
    Phone { last4: String, name: String },
}

fn digits(s: &str) -> String {
    normalize(s).chars().filter(char::is_ascii_digit).collect()
}

fn not_found() -> Error {
    Error::invalid(
        Code::BookingNotFound,
        "ご予約が見つかりません。入力を確かめるか、受付にお声がけください",
        "No booking found. Check what you entered, or ask at the counter",
    )
}

fn matches(v: &GuestView, lookup: &KioskLookup) -> bool {
    let g = &v.guest;
    match lookup {
        KioskLookup::Code { code, last4 } => {
            // Hyphens and spaces do not count: RSV-1001 = rsv1001.
            let alnum = super::fold::compact;
            let typed = alnum(code);
            let Some(booking) = g.booking_code.as_deref() else { return false };
            let whole = alnum(booking) == typed;
            let by_digits =
                typed.chars().all(|c| c.is_ascii_digit()) && typed.len() >= 4 && digits(booking) == typed;
            !typed.is_empty() && (whole || by_digits) && phone_is(g, last4)
        }
        KioskLookup::Phone { last4, name } => {
            let name = normalize(name);
            let phone_ok = phone_is(g, last4);
            let name_ok = name.chars().count() >= 2
                && [Some(&g.name), g.name_kana.as_ref()]
                    .into_iter()
                    .flatten()
                    .any(|n| normalize(n).contains(&name));
            phone_ok && name_ok
        }
    }
}

/// Whether these are the four last digits of the guest's phone (a guest without a
/// phone on file is found at the counter, not here).
fn phone_is(g: &crate::platform::model::Guest, last4: &str) -> bool {
    let typed = digits(last4);
    typed.len() == 4 && g.phone_last4.as_deref() == Some(typed.as_str())
}

/// The one booking of today at this store that the entry names.
pub fn find(conn: &Connection, store_id: &str, now: i64, lookup: &KioskLookup) -> Result<GuestView> {
    let mut found: Vec<GuestView> = today(conn, store_id, now, None)?
        .into_iter()
        .filter(|v| !matches!(v.status, GuestStatus::Left | GuestStatus::Cancelled) && matches(v, lookup))
        .collect();
    match found.len() {
        0 => Err(not_found()),
        1 => Ok(found.remove(0)),
        _ => Err(Error::invalid(
            Code::BookingAmbiguous,
            "複数のご予約が見つかりました。予約番号で検索するか、受付にお声がけください",
            "More than one booking matches. Use the booking code, or ask at the counter",
        )),
    }
}

/// One kiosk's keypads: wrong booking lookups ([`Policy::KIOSK_LOOKUP`]) and wrong exit
/// PINs ([`Policy::KIOSK_EXIT`]), each counted apart, on the monotonic clock.
#[derive(Debug)]
pub struct Keypad {
    lookups: Throttle,
    exits: Throttle,
}

impl Default for Keypad {
    fn default() -> Keypad {
        Keypad { lookups: Throttle::new(Policy::KIOSK_LOOKUP), exits: Throttle::new(Policy::KIOSK_EXIT) }
    }
}

impl Keypad {
    /// Whether staff should hear of this run of wrong lookups: the free tries are used.
    pub fn alarming(&self) -> Option<u32> {
        let failures = self.lookups.failures();
        (failures >= Policy::KIOSK_LOOKUP.free_tries).then_some(failures)
    }
}

fn wait_error(wait: u64) -> Error {
    Error::invalid(
        Code::KioskWait,
        format!("入力の誤りが続きました。{wait} 秒後にお試しいただくか、受付にお声がけください"),
        format!("Too many tries. Try again in {wait} s, or ask at the counter"),
    )
}

/// Looks a booking up from what a guest typed (`now`: the wall clock the bookings are
/// on), unless too many wrong tries must wait first. A miss counts against the keypad
/// and, once the free tries are used, is audited; a found booking does not reset the count.
pub async fn lookup(
    db: &Db,
    keypad: &Keypad,
    store_id: &str,
    entry: KioskLookup,
    now: i64,
) -> Result<GuestView> {
    if let Some(wait) = keypad.lookups.wait(clock::monotonic_secs()) {
        return Err(wait_error(wait));
    }
    let store = store_id.to_string();
    let found = db.read(move |c| find(c, &store, now, &entry)).await;
    if let Err(e) = &found {
        if matches!(e.code(), Code::BookingNotFound | Code::BookingAmbiguous) {
            let failures = keypad.lookups.failed(clock::monotonic_secs());
            if failures >= Policy::KIOSK_LOOKUP.free_tries {
                let event = AuditEvent::new("kiosk", "kiosk.lookup_failures", Some(store_id), false)
                    .with_detail(serde_json::json!({ "failures": failures }));
                db.write(move |c| audit::record(c, &event)).await?;
            }
        }
    }
    found
}

/// The kiosk's exit: the manager PIN, counted on the kiosk's own keypad, never against
/// the manager's tries in the staff window. Audited either way.
pub async fn exit(db: &Db, keypad: &Keypad, pin: String) -> Result<()> {
    if let Some(wait) = keypad.exits.wait(clock::monotonic_secs()) {
        return Err(Error::PinLocked { retry_after_secs: wait });
    }
    let ok = db.read(move |c| crate::desk::staff::manager::pin_matches(c, &pin)).await?;
    let event = AuditEvent::new("kiosk", "kiosk.exit", None, ok);
    db.write(move |c| audit::record(c, &event)).await?;
    if ok {
        keypad.exits.succeeded();
        return Ok(());
    }
    keypad.exits.failed(clock::monotonic_secs());
    match keypad.exits.wait(clock::monotonic_secs()) {
        Some(wait) => Err(Error::PinLocked { retry_after_secs: wait }),
        None => Err(Error::PinWrong { tries_left: keypad.exits.tries_left() }),
    }
}

/// The guest on the kiosk's screen: their QR now, their SPLATS access issued first if
/// it is missing. Refused once their window has ended or they have checked out.
pub async fn qr(
    db: &Db,
    config: &Config,
    secrets: &dyn crate::platform::secrets::SecretStore,
    guest_id: &str,
) -> Result<super::access::QrView> {
    use super::access;
    let (id, now) = (guest_id.to_string(), clock::now_unix());
    let view = db.read(move |c| super::view(c, &id, now)).await?;
    may_show(&view, i64::from(config.splats.guest_grace_minutes) * 60, now)?;
    if view.access.as_ref().is_none_or(|a| a.revoked_at.is_some()) {
        let client = crate::desk::calls::splats(config, secrets, None)?;
        access::issue(db, &client, secrets, config, guest_id, "kiosk").await?;
    }
    let client = access::qr_client(config, secrets);
    access::qr(db, client.as_ref(), secrets, config, guest_id, None).await
}

/// The kiosk's store: the configured one (`kiosk.store_id`), else the first.
pub fn kiosk_store(conn: &Connection, config: &Config) -> Result<Store> {
    let found = match &config.kiosk.store_id {
        Some(id) => cache::get_store(conn, id)?,
        None => cache::list_stores(conn)?.into_iter().next(),
    };
    found.ok_or_else(|| Error::not_found("kiosk store"))
}

/// Whether the guest's QR may be shown now: not after their window (booking plus
/// grace) has ended, and not once they have checked out.
pub fn may_show(view: &GuestView, grace_secs: i64, now: i64) -> Result<()> {
    let ends = view.access.as_ref().map(|a| a.valid_until).unwrap_or(view.guest.ends_at + grace_secs);
    if matches!(view.status, GuestStatus::Left | GuestStatus::Cancelled) || now >= ends {
        return Err(Error::invalid(
            Code::BookingEnded,
            "ご利用時間が終了しました。受付にお声がけください",
            "Your booking has ended. Please ask at the counter",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::desk::guests::{add_walk_in, WalkIn};
    use crate::platform::db;

    fn setup() -> (Connection, String) {
        let mut conn = db::open_in_memory().unwrap();
        let id = fill(&mut conn);
        (conn, id)
    }

    /// Two Yamadas booked today, one with the code RSV-1001; returns that one's id.
    fn fill(conn: &mut Connection) -> String {
        conn.execute_batch(
            "INSERT INTO stores (id, name, source, updated_at) VALUES ('S001', '渋谷店', 'manual', 0);
             INSERT INTO areas (id, store_id, name, source, updated_at) VALUES ('A101', 'S001', '会議室A', 'manual', 0);",
        )
        .unwrap();
        let now = 1_795_400_000;
        let w = |name: &str, kana: &str, phone: &str| WalkIn {
            store_id: "S001".into(),
            name: name.into(),
            name_kana: Some(kana.into()),
            phone: Some(phone.into()),
            area_ids: vec!["A101".into()],
            starts_at: now - 600,
            ends_at: now + 3600,
        };
        let g = add_walk_in(conn, &w("山田 太郎", "ヤマダ タロウ", "090-1111-1234"), now, "t").unwrap();
        add_walk_in(conn, &w("山田 花子", "ヤマダ ハナコ", "080-2222-1234"), now, "t").unwrap();
        conn.execute("UPDATE guests SET booking_code = 'RSV-1001' WHERE id = ?1", [&g.id]).unwrap();
        g.id
    }

    const NOW: i64 = 1_795_400_000;

    fn by_code(code: &str, last4: &str) -> KioskLookup {
        KioskLookup::Code { code: code.into(), last4: last4.into() }
    }

    #[test]
    fn finds_by_code_whole_or_by_its_digits_with_the_phone_digits() {
        let (conn, id) = setup();
        for code in ["RSV-1001", "rsv1001", "１００１", "1001"] {
            assert_eq!(find(&conn, "S001", NOW, &by_code(code, "1234")).unwrap().guest.id, id, "{code}");
        }
        assert!(find(&conn, "S001", NOW, &by_code("100", "1234")).is_err(), "too short to match digits");
        assert!(find(&conn, "S002", NOW, &by_code("1001", "1234")).is_err(), "another store's kiosk");
    }

    #[test]
    fn a_neighbours_booking_code_alone_finds_nothing() {
        let (conn, _) = setup();
        for last4 in ["", "0000", "12", "9999"] {
            let e = find(&conn, "S001", NOW, &by_code("RSV-1001", last4)).unwrap_err();
            assert_eq!(e.code(), "booking_not_found", "{last4:?}");
        }
    }

    #[tokio::test]
    async fn wrong_lookups_wait_longer_and_a_found_booking_does_not_reset_them() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open(&dir.path().join("k.sqlite3")).unwrap();
        db.write_now(|c| Ok(fill(c))).unwrap();
        let keypad = Keypad::default();
        for _ in 0..4 {
            assert!(lookup(&db, &keypad, "S001", by_code("RSV-1002", "1234"), NOW).await.is_err());
        }
        assert!(lookup(&db, &keypad, "S001", by_code("RSV-1001", "1234"), NOW).await.is_ok());
        let e = lookup(&db, &keypad, "S001", by_code("RSV-1003", "1234"), NOW).await.unwrap_err();
        assert_eq!(e.code(), "booking_not_found");
        assert_eq!(keypad.alarming(), Some(5), "the success did not reset the run; staff hear of it");
        let e = lookup(&db, &keypad, "S001", by_code("RSV-1001", "1234"), NOW).await.unwrap_err();
        assert_eq!(e.code(), "kiosk_wait", "even the right code waits now");
    }

    #[tokio::test]
    async fn twenty_wrong_exits_leave_the_manager_pin_usable() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open(&dir.path().join("k.sqlite3")).unwrap();
        db.write(|c| crate::desk::staff::manager::set_pin(c, "2468", "m")).await.unwrap();
        let keypad = Keypad::default();
        let mut codes = Vec::new();
        for _ in 0..20 {
            codes.push(exit(&db, &keypad, "1111".into()).await.unwrap_err().code().as_str());
        }
        assert_eq!(&codes[..3], ["pin_wrong", "pin_wrong", "pin_locked"]);
        assert!(codes[3..].iter().all(|c| *c == "pin_locked"), "{codes:?}");
        let gate = crate::desk::staff::manager::Gate::default();
        db.write(move |c| gate.unlock(c, "2468", crate::platform::clock::monotonic_secs(), 300, "manager"))
            .await
            .expect("the manager still gets in at the staff window");
    }

    #[test]
    fn phone_digits_need_the_name_too() {
        let (conn, id) = setup();
        let by = |last4: &str, name: &str| {
            find(&conn, "S001", NOW, &KioskLookup::Phone { last4: last4.into(), name: name.into() })
        };
        assert_eq!(by("1234", "たろう").unwrap().guest.id, id);
        assert!(by("1234", "").is_err());
        let both = by("1234", "やまだ").unwrap_err();
        assert!(both.message(crate::Lang::Ja).contains("複数"), "two Yamadas with ...1234");
        assert!(by("9999", "たろう").unwrap_err().message(crate::Lang::En).contains("No booking"));
    }

    #[test]
    fn the_qr_is_hidden_once_the_window_has_ended() {
        let (conn, id) = setup();
        let v = find(&conn, "S001", NOW, &by_code("1001", "1234")).unwrap();
        assert!(may_show(&v, 900, NOW).is_ok());
        assert!(may_show(&v, 900, NOW + 3600 + 899).is_ok());
        assert!(may_show(&v, 900, NOW + 3600 + 900).is_err());
        crate::desk::guests::mark_checked_out(&conn, &id, NOW).unwrap();
        let v = crate::desk::guests::view(&conn, &id, NOW).unwrap();
        assert!(may_show(&v, 900, NOW).is_err());
    }
}
