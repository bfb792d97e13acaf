//! Hostile input, at the sizes a mistake or an attacker would bring: each gets a clear
//! message in Japanese and English, nothing is half-written, nothing panics, and what
//! is read is capped (CSV, image and reply sizes), so memory stays bounded.

use std::time::{Duration, Instant};
use uketsuke_core::clouds::reservation::ReservationClient;
use uketsuke_core::clouds::sesame::qr;
use uketsuke_core::desk::guests::{self, csv, WalkIn};
use uketsuke_core::{desk::cache, platform::db, workflows::sync, Lang};
use uketsuke_sim::{Sim, SimConfig, DEMO_RESERVATION_TOKEN};

const NOW: i64 = 1_795_400_000;

/// A cache with the demo facility: stores S001/S002, areas A101….
async fn facility() -> (Sim, tempfile::TempDir, db::Db) {
    let sim = Sim::start(SimConfig::default()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let db = db::Db::open(&dir.path().join("cache.sqlite3")).unwrap();
    let client = ReservationClient::new(&sim.reservation_url(), DEMO_RESERVATION_TOKEN.into());
    sync::stores_and_areas(&db, &client, "test").await.unwrap();
    (sim, dir, db)
}

fn both_languages(e: &uketsuke_core::Error) {
    let (ja, en) = (e.message(Lang::Ja), e.message(Lang::En));
    assert!(!ja.is_empty() && !en.is_empty() && ja != en, "{ja} / {en}");
}

fn guests_of(db: &db::Db) -> usize {
    db.read_now(|c| Ok(cache::list_guests(c, "S001", 0, i64::MAX / 2)?.len())).unwrap()
}

#[tokio::test]
async fn hostile_names_are_kept_as_text_without_invisible_characters_and_long_ones_are_refused() {
    let (_sim, _dir, db) = facility().await;
    let walk_in = |name: &str| WalkIn {
        store_id: "S001".into(),
        name: name.into(),
        name_kana: None,
        phone: None,
        area_ids: vec!["A101".into()],
        starts_at: NOW,
        ends_at: NOW + 3600,
    };
    for (typed, kept) in [
        ("<script>alert(1)</script>", "<script>alert(1)</script>"),
        ("<img src=x onerror=alert(1)>", "<img src=x onerror=alert(1)>"),
        ("山田\u{202E}郎太", "山田郎太"),
        ("佐\u{200B}藤\u{FEFF}", "佐藤"),
    ] {
        let w = walk_in(typed);
        let g = db.write_now(|c| guests::add_walk_in(c, &w, NOW, "t")).unwrap();
        assert_eq!(g.name, kept);
    }
    let before = guests_of(&db);
    let w = walk_in(&"長".repeat(10_000));
    let e = db.write_now(|c| guests::add_walk_in(c, &w, NOW, "t")).unwrap_err();
    assert_eq!(e.code(), "field_too_long");
    both_languages(&e);
    assert_eq!(guests_of(&db), before, "nothing written");
}

fn csv_rows(n: usize, name: &str) -> Vec<u8> {
    let mut out = String::from("店舗ID,氏名,開始,終了,エリア\n");
    for i in 0..n {
        out.push_str(&format!("S001,{name}{i},2026/11/23 9:00,2026/11/23 10:00,A101\n"));
    }
    out.into_bytes()
}

#[tokio::test]
async fn csv_files_that_are_too_big_too_long_or_unreadable_are_refused_whole() {
    let (_sim, _dir, db) = facility().await;
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("50,000 rows", csv_rows(50_000, "客"), "csv_too_large"),
        (
            "20 MB",
            {
                let mut b = csv_rows(1, "客");
                b.extend(std::iter::repeat_n(b'#', 20 << 20));
                b
            },
            "csv_too_large",
        ),
        (
            "invalid Shift_JIS",
            {
                let mut b = "店舗ID,氏名,開始,終了,エリア\nS001,".as_bytes().to_vec();
                b.extend([0x82, 0xFF, 0x81, 0x7F]);
                b.extend(b",2026/11/23 9:00,2026/11/23 10:00,A101\n");
                b
            },
            "csv_encoding",
        ),
        ("a 10,000-character name", csv_rows(3, &"名".repeat(10_000)), "csv_row_invalid"),
    ];
    for (what, bytes, code) in cases {
        let started = Instant::now();
        let e = db.write_now(|c| csv::import(c, &bytes, NOW, "t")).unwrap_err();
        assert_eq!(e.code(), code, "{what}: {e}");
        both_languages(&e);
        assert!(started.elapsed() < Duration::from_secs(5), "{what} took {:?}", started.elapsed());
        assert_eq!(guests_of(&db), 0, "{what}: nothing written");
    }
    // 5,000 rows is the most one import takes, and it goes in whole.
    let n = db.write_now(|c| csv::import(c, &csv_rows(csv::MAX_ROWS, "客"), NOW, "t")).unwrap();
    assert_eq!(n, csv::MAX_ROWS);
}

/// A PNG of `width × height` whose pixels are missing: only its header is real, which
/// is all a decoder needs to decide how much memory to ask for.
fn png_header_only(width: u32, height: u32) -> Vec<u8> {
    fn crc32(bytes: &[u8]) -> u32 {
        let mut crc = 0xFFFF_FFFFu32;
        for b in bytes {
            crc ^= u32::from(*b);
            for _ in 0..8 {
                crc = if crc & 1 == 1 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
            }
        }
        !crc
    }
    let mut ihdr = b"IHDR".to_vec();
    ihdr.extend(width.to_be_bytes());
    ihdr.extend(height.to_be_bytes());
    ihdr.extend([8, 0, 0, 0, 0]); // 8-bit greyscale
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    png.extend(13u32.to_be_bytes());
    png.extend(&ihdr);
    png.extend(crc32(&ihdr).to_be_bytes());
    png.extend(0u32.to_be_bytes());
    png.extend(b"IEND");
    png.extend(crc32(b"IEND").to_be_bytes());
    png
}

#[test]
fn manager_key_images_that_are_huge_or_truncated_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let huge = dir.path().join("huge.png");
    std::fs::write(&huge, png_header_only(20_000, 20_000)).unwrap();
    let e = qr::import_image(&huge).unwrap_err();
    assert_eq!(e.code(), "image_too_large");
    both_languages(&e);

    let small = dir.path().join("small.png");
    image::GrayImage::from_pixel(200, 200, image::Luma([255])).save(&small).unwrap();
    let bytes = std::fs::read(&small).unwrap();
    let truncated = dir.path().join("truncated.png");
    std::fs::write(&truncated, &bytes[..bytes.len() / 2]).unwrap();
    let e = qr::import_image(&truncated).unwrap_err();
    assert_eq!(e.code(), "image_unreadable");
    both_languages(&e);

    let big_file = dir.path().join("big.png");
    std::fs::write(&big_file, vec![0u8; 21 << 20]).unwrap();
    assert_eq!(qr::import_image(&big_file).unwrap_err().code(), "image_too_large");
}

async fn fault(sim: &Sim, body: serde_json::Value) {
    let r =
        reqwest::Client::new().post(format!("{}/_sim/faults", sim.url())).json(&body).send().await.unwrap();
    assert!(r.status().is_success());
}

#[tokio::test]
async fn cloud_replies_with_wrong_types_missing_fields_or_100_mb_leave_the_cache_as_it_was() {
    let (sim, _dir, db) = facility().await;
    let client = ReservationClient::new(&sim.reservation_url(), DEMO_RESERVATION_TOKEN.into());
    let stores = || db.read_now(|c| Ok(cache::list_stores(c)?.len())).unwrap();
    assert_eq!(stores(), 2);
    for (what, kind) in [
        ("wrong types", serde_json::json!({ "kind": "body", "body": r#"{"stores": "none"}"# })),
        (
            "missing fields",
            serde_json::json!({ "kind": "body", "body": r#"{"stores": [{"store_name": 7}]}"# }),
        ),
        ("100 MB", serde_json::json!({ "kind": "huge", "megabytes": 100 })),
    ] {
        let mut f = kind.clone();
        f["path_prefix"] = "/reserve/api/v1/stores.php".into();
        f["times"] = 1.into();
        fault(&sim, f).await;
        let started = Instant::now();
        let e = sync::stores_and_areas(&db, &client, "test").await.unwrap_err();
        assert_eq!(e.code(), "bad_reply", "{what}: {e}");
        both_languages(&e);
        assert!(started.elapsed() < Duration::from_secs(10), "{what} took {:?}", started.elapsed());
        assert_eq!(stores(), 2, "{what}: the cache is as it was");
    }
}
