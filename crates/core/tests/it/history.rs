//! The merged history against the simulator over loopback HTTP: a guest's QR at the
//! simulated reader, the app's own actions and the guest's check-in in one time line,
//! filtered by guest; the CSV export read back holds exactly the rows and fields shown,
//! with a BOM and neutralised formula cells; the daily report counts the day.

use uketsuke_core::clouds::reservation::ReservationClient;
use uketsuke_core::clouds::splats::SplatsClient;
use uketsuke_core::desk::cache;
use uketsuke_core::desk::guests::{self, access};
use uketsuke_core::desk::history::{self, export, reports, Format, HistoryEntry, HistoryFilter};
use uketsuke_core::platform::secrets::MemorySecrets;
use uketsuke_core::{desk::calls::meter, platform::clock, platform::db, workflows::sync, Config, Lang};
use uketsuke_sim::{Sim, SimConfig, DEMO_RESERVATION_TOKEN};

#[tokio::test]
async fn a_guests_day_in_one_time_line_exported_as_shown_and_counted_in_the_report() {
    let sim = Sim::start(SimConfig::default()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let db = db::Db::open(&dir.path().join("cache.sqlite3")).unwrap();
    let mut config = Config::default();
    config.splats.base_url = Some(sim.splats_url());
    config.splats.guest_membergroup_id = Some("mg-guest".into());
    config.splats.history_initial_days = 1;
    let reservation = ReservationClient::new(&sim.reservation_url(), DEMO_RESERVATION_TOKEN.into());
    sync::stores_and_areas(&db, &reservation, "test").await.unwrap();
    let splats =
        SplatsClient::new(&sim.splats_url(), uketsuke_sim::splats::DEMO_TOKEN.into()).with_meter(db.clone());
    sync::splats(&db, &splats, &config, "test").await.unwrap();
    db.write_now(|c| cache::splats::map_area(c, "A101", Some("sa-0001"))).unwrap();

    // A guest whose name a spreadsheet would run as a formula.
    let now = clock::now_unix();
    let walk_in = guests::WalkIn {
        store_id: "S001".into(),
        name: "=HYPERLINK(\"http://evil\")".into(),
        name_kana: None,
        phone: None,
        area_ids: vec!["A101".into()],
        starts_at: now - 600,
        ends_at: now + 3000,
    };
    let guest = db.write_now(|c| guests::add_walk_in(c, &walk_in, now, "受付 佐藤")).unwrap();
    let secrets = MemorySecrets::default();
    access::issue(&db, &splats, &secrets, &config, &guest.id, "受付 佐藤").await.unwrap();
    let at = sim.state.clock.now_unix();
    let qr = access::qr(&db, None, &secrets, &config, &guest.id, Some(at)).await.unwrap();
    let seen = sim.state.world.lock().unwrap().splats.scan("sa-0001", &qr.frame.payload, at);
    assert_eq!(seen["accepted"], true, "{seen}");
    sync::splats(&db, &splats, &config, "test").await.unwrap();
    db.write_now(|c| guests::check_in(c, &guest.id, now, "受付 佐藤")).unwrap();

    let filter = HistoryFilter { guest_id: Some(guest.id.clone()), ..Default::default() };
    let shown = db.read_now(|c| history::page(c, &filter, Lang::Ja)).unwrap();
    let events: Vec<&str> = shown.entries.iter().map(|e| e.event.as_str()).collect();
    assert!(events.contains(&"QR認証成功"), "the reader's entry, resolved to the guest: {events:?}");
    assert!(events.contains(&"飛び込み受付") && events.contains(&"来店"), "{events:?}");
    let scan = shown.entries.iter().find(|e| e.event == "QR認証成功").unwrap();
    assert_eq!(
        (scan.source.as_str(), scan.store.as_str(), scan.area.as_str()),
        ("SPLATS", "渋谷店", "会議室A")
    );
    assert_eq!(scan.guest, walk_in.name);
    assert!(shown.entries.windows(2).all(|w| w[0].at_ms >= w[1].at_ms), "newest first");

    // Exported, read back: the same rows and fields, a BOM, the formula neutralised.
    let path = dir.path().join("export/history.csv");
    let done = export::to_file(&db, &filter, Format::Csv, &path, Lang::Ja, "受付 佐藤").unwrap();
    assert_eq!(done.rows as usize, shown.entries.len());
    let bytes = std::fs::read(&path).unwrap();
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"), "a BOM for Excel");
    assert!(bytes.windows(2).any(|w| w == b"\r\n"), "CRLF");
    let mut read = csv::ReaderBuilder::new().from_reader(&bytes[3..]);
    assert_eq!(read.headers().unwrap().iter().collect::<Vec<_>>(), HistoryEntry::headers(Lang::Ja));
    let rows: Vec<Vec<String>> =
        read.records().map(|r| r.unwrap().iter().map(String::from).collect()).collect();
    assert_eq!(rows.len(), shown.entries.len());
    for (row, entry) in rows.iter().zip(&shown.entries) {
        let expected: Vec<String> =
            entry.cells().iter().map(|c| export::neutralise(c).into_owned()).collect();
        assert_eq!(row, &expected);
    }
    assert!(rows.iter().any(|r| r[6] == "'=HYPERLINK(\"http://evil\")"), "neutralised, not run");
    let text = String::from_utf8(bytes).unwrap();
    assert!(text.lines().skip(1).all(|l| l.starts_with('"')), "every field quoted");

    // Paging: one entry per page reaches the same rows.
    let mut f = HistoryFilter { limit: Some(1), ..filter.clone() };
    let mut paged = Vec::new();
    loop {
        let p = db.read_now(|c| history::page(c, &f, Lang::Ja)).unwrap();
        paged.extend(p.entries);
        match p.next {
            Some(c) => f.before = Some(c),
            None => break,
        }
    }
    assert_eq!(paged, shown.entries);

    // The day in the report: one arrival at 渋谷店, SPLATS calls counted.
    let today = meter::day_of(now);
    let report = db.read_now(|c| reports::daily(c, &today, &today, now, Lang::Ja)).unwrap();
    let shibuya = report.iter().find(|r| r.store_id.as_deref() == Some("S001")).unwrap();
    assert_eq!(shibuya.arrivals, 1);
    let facility = report.iter().find(|r| r.store_id.is_none()).unwrap();
    assert!(facility.splats_calls >= 4, "{facility:?}");
    let bad = db.read_now(|c| reports::daily(c, "2026/11/24", &today, now, Lang::En)).unwrap_err();
    assert_eq!(bad.code(), "date_invalid");
}
