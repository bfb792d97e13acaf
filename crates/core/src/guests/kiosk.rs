//! The guest-facing kiosk: find one's own booking with what a guest can type on a
//! keypad, and decide whether its QR may be shown.
//!
//! A booking code is matched whole (`RSV-1001`) or by its digits (`1001`), since the
//! kiosk keypad has digits only. The other way in is the phone number's last four
//! digits **and** the name (kana or kanji, any width): four digits alone would let
//! anyone walk through other people's bookings. Only today's bookings of the kiosk's
//! store, not cancelled and not checked out, are found; more than one match asks for more.

use super::{normalize, today, GuestStatus, GuestView};
use crate::db::Db;
use crate::error::{Code, Error, Result};
use crate::model::Store;
use crate::throttle::{Policy, Throttle};
use crate::{store, Config};
use rusqlite::Connection;
use serde::Deserialize;

/// What the guest typed.
#[derive(Debug, Clone, Deserialize, ts_rs::TS)]
#[serde(tag = "by", rename_all = "snake_case")]
pub enum KioskLookup {
    Code { code: String },
    Phone { last4: String, name: String },
}

fn digits(s: &str) -> String {
    s.chars().filter(char::is_ascii_digit).collect()
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
        KioskLookup::Code { code } => {
            // Hyphens and spaces do not count: RSV-1001 = rsv1001.
            let alnum = |s: &str| normalize(s).chars().filter(|c| c.is_alphanumeric()).collect::<String>();
            let typed = alnum(code);
            let Some(booking) = g.booking_code.as_deref() else { return false };
            let whole = alnum(booking) == typed;
            let by_digits =
                typed.chars().all(|c| c.is_ascii_digit()) && typed.len() >= 4 && digits(booking) == typed;
            !typed.is_empty() && (whole || by_digits)
        }
        KioskLookup::Phone { last4, name } => {
            let name = normalize(name);
            let phone_ok =
                digits(last4).len() == 4 && g.phone_last4.as_deref() == Some(digits(last4).as_str());
            let name_ok = name.chars().count() >= 2
                && [Some(&g.name), g.name_kana.as_ref()]
                    .into_iter()
                    .flatten()
                    .any(|n| normalize(n).contains(&name));
            phone_ok && name_ok
        }
    }
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

/// One kiosk's keypad: its wrong lookups in a row, spaced out by [`Policy::KIOSK_LOOKUP`].
#[derive(Debug)]
pub struct Keypad(Throttle);

impl Default for Keypad {
    fn default() -> Keypad {
        Keypad(Throttle::new(Policy::KIOSK_LOOKUP))
    }
}

/// Looks a booking up from what a guest typed, unless too many wrong tries must wait
/// first. A miss counts against the keypad; a found booking ends the run of misses.
pub async fn lookup(
    db: &Db,
    keypad: &Keypad,
    store_id: &str,
    entry: KioskLookup,
    now: i64,
) -> Result<GuestView> {
    if let Some(wait) = keypad.0.wait(now) {
        return Err(Error::invalid(
            Code::KioskWait,
            format!("入力の誤りが続きました。{wait} 秒後にお試しいただくか、受付にお声がけください"),
            format!("Too many tries. Try again in {wait} s, or ask at the counter"),
        ));
    }
    let store_id = store_id.to_string();
    let found = db.read(move |c| find(c, &store_id, now, &entry)).await;
    match &found {
        Ok(_) => keypad.0.succeeded(),
        Err(e) if matches!(e.code(), Code::BookingNotFound | Code::BookingAmbiguous) => keypad.0.failed(now),
        Err(_) => {}
    }
    found
}

/// The kiosk's store: the configured one (`kiosk.store_id`), else the first.
pub fn kiosk_store(conn: &Connection, config: &Config) -> Result<Store> {
    let found = match &config.kiosk.store_id {
        Some(id) => store::get_store(conn, id)?,
        None => store::list_stores(conn)?.into_iter().next(),
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
    use crate::db;
    use crate::guests::{add_walk_in, WalkIn};

    fn setup() -> (Connection, String) {
        let mut conn = db::open_in_memory().unwrap();
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
        let g = add_walk_in(&mut conn, &w("山田 太郎", "ヤマダ タロウ", "090-1111-1234"), now, "t").unwrap();
        add_walk_in(&mut conn, &w("山田 花子", "ヤマダ ハナコ", "080-2222-1234"), now, "t").unwrap();
        conn.execute("UPDATE guests SET booking_code = 'RSV-1001' WHERE id = ?1", [&g.id]).unwrap();
        (conn, g.id)
    }

    const NOW: i64 = 1_795_400_000;

    #[test]
    fn finds_by_code_whole_or_by_its_digits() {
        let (conn, id) = setup();
        for code in ["RSV-1001", "rsv1001", "１００１", "1001"] {
            assert_eq!(
                find(&conn, "S001", NOW, &KioskLookup::Code { code: code.into() }).unwrap().guest.id,
                id,
                "{code}"
            );
        }
        assert!(
            find(&conn, "S001", NOW, &KioskLookup::Code { code: "100".into() }).is_err(),
            "too short to match digits"
        );
        assert!(
            find(&conn, "S002", NOW, &KioskLookup::Code { code: "1001".into() }).is_err(),
            "another store's kiosk"
        );
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
        let v = find(&conn, "S001", NOW, &KioskLookup::Code { code: "1001".into() }).unwrap();
        assert!(may_show(&v, 900, NOW).is_ok());
        assert!(may_show(&v, 900, NOW + 3600 + 899).is_ok());
        assert!(may_show(&v, 900, NOW + 3600 + 900).is_err());
        crate::guests::mark_checked_out(&conn, &id, NOW).unwrap();
        let v = crate::guests::view(&conn, &id, NOW).unwrap();
        assert!(may_show(&v, 900, NOW).is_err());
    }
}
