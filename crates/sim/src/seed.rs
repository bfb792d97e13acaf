//! The demo facility: two stores, five areas, twelve guests booked today.

use crate::world::{SimArea, SimGuest, SimStore, World};
use chrono::{Duration, FixedOffset, TimeZone};

/// Japan Standard Time; bookings are made in local time.
pub fn jst() -> FixedOffset {
    crate::world::jst()
}

/// Unix seconds of 00:00 JST on the day that contains `now`.
pub fn start_of_day_jst(now: i64) -> i64 {
    let local = jst().timestamp_opt(now, 0).single().expect("valid timestamp");
    let midnight = local.date_naive().and_hms_opt(0, 0, 0).expect("valid time");
    jst().from_local_datetime(&midnight).single().expect("JST has no gaps").timestamp()
}

pub fn demo_world(now: i64) -> World {
    let stores = vec![store("S001", "渋谷店", "シブヤテン"), store("S002", "新宿店", "シンジュクテン")];
    let areas = vec![
        area("A101", "S001", "会議室A", 1),
        area("A102", "S001", "会議室B", 2),
        area("A103", "S001", "カラオケルーム1", 3),
        area("A201", "S002", "ジム", 1),
        area("A202", "S002", "コワーキングスペース", 2),
    ];
    let day = start_of_day_jst(now);
    let at = |h: i64, m: i64| day + (Duration::hours(h) + Duration::minutes(m)).num_seconds();
    // (store, name, kana, phone, start, end, areas)
    type Row<'a> = (&'a str, &'a str, &'a str, &'a str, (i64, i64), (i64, i64), &'a [&'a str]);
    let bookings: [Row; 12] = [
        ("S001", "山田 太郎", "ヤマダ タロウ", "090-1111-1234", (9, 0), (11, 0), &["A101"]),
        ("S001", "佐藤 花子", "サトウ ハナコ", "080-2222-2345", (10, 0), (12, 0), &["A102"]),
        ("S001", "鈴木 一郎", "スズキ イチロウ", "070-3333-3456", (11, 30), (13, 0), &["A103"]),
        ("S001", "高橋 美咲", "タカハシ ミサキ", "090-4444-4567", (13, 0), (15, 0), &["A101", "A102"]),
        ("S001", "田中 健太", "タナカ ケンタ", "080-5555-5678", (15, 0), (17, 0), &["A103"]),
        ("S001", "伊藤 さくら", "イトウ サクラ", "070-6666-6789", (17, 0), (19, 0), &["A101"]),
        ("S001", "渡辺 翔", "ワタナベ ショウ", "090-7777-7890", (19, 0), (21, 0), &["A102"]),
        ("S002", "中村 陽菜", "ナカムラ ヒナ", "080-8888-8901", (7, 0), (9, 0), &["A201"]),
        ("S002", "小林 大輔", "コバヤシ ダイスケ", "070-9999-9012", (9, 0), (18, 0), &["A202"]),
        ("S002", "加藤 結衣", "カトウ ユイ", "090-1212-0123", (12, 0), (13, 30), &["A201"]),
        ("S002", "吉田 蓮", "ヨシダ レン", "080-3434-1357", (18, 0), (20, 0), &["A201", "A202"]),
        ("S002", "山本 葵", "ヤマモト アオイ", "070-5656-2468", (20, 0), (23, 0), &["A202"]),
    ];
    let guests = bookings
        .iter()
        .enumerate()
        .map(|(i, (store, name, kana, phone, start, end, areas))| SimGuest {
            id: format!("G{:03}", i + 1),
            store_id: store.to_string(),
            booking_code: format!("RSV-{}", 1001 + i),
            name: name.to_string(),
            name_kana: kana.to_string(),
            phone: phone.to_string(),
            starts_at: at(start.0, start.1),
            ends_at: at(end.0, end.1),
            area_ids: areas.iter().map(|a| a.to_string()).collect(),
            raw_start_at: None,
        })
        .collect();
    let mut sesame = crate::world::sesame::SesameWorld::default();
    sesame.api_keys.insert(crate::world::sesame::DEMO_API_KEY.into());
    let doors = areas
        .iter()
        .map(|a| (format!("area:{}", a.id), a.name.clone()))
        .chain(stores.iter().map(|s| (format!("entrance:{}", s.id), format!("{} エントランス", s.name))));
    let doors: Vec<(String, String)> = doors.collect();
    for (n, (door, label)) in doors.iter().enumerate() {
        sesame.add_device(crate::world::sesame::SimDevice::demo(n as u8 + 1, door, label, now));
    }
    let splats = crate::world::splats::SplatsWorld::demo(now, &doors);
    World { stores, areas, guests, sesame, splats, ..World::default() }
}

fn store(id: &str, name: &str, kana: &str) -> SimStore {
    SimStore { id: id.into(), name: name.into(), name_kana: kana.into() }
}

fn area(id: &str, store: &str, name: &str, sort: i64) -> SimArea {
    SimArea { id: id.into(), store_id: store.into(), name: name.into(), sort }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeds_the_documented_facility() {
        let w = demo_world(1_700_000_000);
        assert_eq!((w.stores.len(), w.areas.len(), w.guests.len()), (2, 5, 12));
        let day = start_of_day_jst(1_700_000_000);
        assert!(w.guests.iter().all(|g| g.starts_at >= day && g.ends_at <= day + 86_400));
        assert!(w.guests.iter().all(|g| g.area_ids.iter().all(|a| w.areas.iter().any(|x| &x.id == a))));
        assert_eq!(w.sesame.devices.len(), 7, "a lock per area and per entrance");
    }

    #[test]
    fn day_starts_at_jst_midnight() {
        // 2023-11-14 22:13:20 UTC is 2023-11-15 07:13:20 JST.
        assert_eq!(start_of_day_jst(1_700_000_000), 1_699_974_000);
    }
}
