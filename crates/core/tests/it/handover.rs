//! Notes for the next shift: kept with their line breaks, shown until someone else
//! acknowledges them by name, audited, and never written by a head office.

use crate::support::desk::Fixture;
use uketsuke_core::desk::staff::role;
use uketsuke_core::desk::{audit, handover};
use uketsuke_core::platform::config::PcRole;

#[tokio::test]
async fn a_note_stays_until_the_next_shift_acknowledges_it_by_name() {
    let f = Fixture::without_bookings().await;
    let note =
        f.db.write_now(|c| {
            handover::write(
                c,
                "S001",
                "会議室Bの鍵が固いです。\n山田様が傘を取りに来ます\u{202E}",
                "早番 佐藤",
                1000,
            )
        })
        .unwrap();
    assert_eq!(
        note.body, "会議室Bの鍵が固いです。\n山田様が傘を取りに来ます",
        "lines kept, invisible characters gone"
    );
    assert_eq!(f.db.read_now(|c| handover::open(c, "S001")).unwrap(), vec![note.clone()]);
    assert!(f.db.read_now(|c| handover::open(c, "S002")).unwrap().is_empty(), "per store");

    let own = f.db.write_now(|c| handover::acknowledge(c, &note.id, "早番　佐藤", 2000)).unwrap_err();
    assert_eq!(own.code(), "note_own", "the writer (full-width space or not) cannot");
    let nameless = f.db.write_now(|c| handover::acknowledge(c, &note.id, "  ", 2000)).unwrap_err();
    assert_eq!(nameless.code(), "name_missing");
    assert_eq!(f.db.read_now(|c| handover::open(c, "S001")).unwrap().len(), 1, "still shown");

    let read = f.db.write_now(|c| handover::acknowledge(c, &note.id, "遅番 鈴木", 3000)).unwrap();
    assert_eq!((read.acked_by.as_deref(), read.acked_at), (Some("遅番 鈴木"), Some(3000)));
    assert!(f.db.read_now(|c| handover::open(c, "S001")).unwrap().is_empty(), "gone once read");
    let again = f.db.write_now(|c| handover::acknowledge(c, &note.id, "別の人", 4000)).unwrap();
    assert_eq!(again.acked_by.as_deref(), Some("遅番 鈴木"), "the first reader stays");

    let rows = f.db.read_now(|c| audit::recent(c, 10)).unwrap();
    assert!(rows.iter().any(|e| e.action == "handover.write" && e.actor == "早番 佐藤"));
    assert!(rows.iter().any(|e| e.action == "handover.acknowledge" && e.actor == "遅番 鈴木"));
    assert_eq!(rows.iter().filter(|e| e.action == "handover.acknowledge").count(), 1);
}

#[tokio::test]
async fn an_empty_note_and_a_head_office_are_refused() {
    let f = Fixture::without_bookings().await;
    let e = f.db.write_now(|c| handover::write(c, "S001", " \n\u{200B} ", "佐藤", 1)).unwrap_err();
    assert_eq!(e.code(), "note_empty");
    let e = f.db.write_now(|c| handover::write(c, "S001", &"あ".repeat(1001), "佐藤", 1)).unwrap_err();
    assert_eq!(e.code(), "field_too_long");
    f.db.write_now(|c| role::keep(c, PcRole::HeadOffice)).unwrap();
    let e = f.db.write_now(|c| handover::write(c, "S001", "本部から", "本部", 1)).unwrap_err();
    assert_eq!(e.code(), "read_only_pc");
}
