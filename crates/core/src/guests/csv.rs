//! Importing bookings from a CSV file, as a Japanese Excel or a booking site exports it.
//!
//! Shift_JIS (Excel's "CSV") and UTF-8 (with or without a BOM) are both read. The header
//! names its columns, in Japanese or English, in any order. The whole file is checked
//! before anything is written; one bad row stops the import and says which row and why.

use super::text;
use crate::error::{Code, Error, Result};
use crate::model::{phone_last4, Guest, GuestSource};
use crate::{clock, store};
use rusqlite::Connection;

/// The largest file and the most bookings one import takes (a day's bookings are far
/// fewer): memory stays bounded, and a wrong file is caught before it is read.
pub const MAX_BYTES: usize = 5 << 20;
pub const MAX_ROWS: usize = 5_000;

/// Text of the file: UTF-8 when it is valid UTF-8, else Shift_JIS; neither is refused.
pub fn decode(bytes: &[u8]) -> Result<String> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if let Ok(s) = std::str::from_utf8(bytes) {
        return Ok(s.to_string());
    }
    let (text, _, had_errors) = encoding_rs::SHIFT_JIS.decode(bytes);
    if had_errors {
        return Err(Error::invalid(
            Code::CsvEncoding,
            "CSV の文字コードを読めません。UTF-8 か Shift_JIS で保存してください",
            "cannot read the CSV's characters: save it as UTF-8 or Shift_JIS",
        ));
    }
    Ok(text.into_owned())
}

fn too_large(ja: String, en: String) -> Error {
    Error::invalid(Code::CsvTooLarge, ja, en)
}

#[derive(Clone, Copy, PartialEq, Debug)]
enum Col {
    Code,
    Store,
    Name,
    Kana,
    Phone,
    Start,
    End,
    Areas,
}

fn column(header: &str) -> Option<Col> {
    let h = super::normalize(header);
    Some(match h.as_str() {
        "予約番号" | "予約コード" | "bookingcode" | "booking_code" | "code" => Col::Code,
        "店舗id" | "店舗" | "store" | "store_id" => Col::Store,
        "氏名" | "お名前" | "名前" | "name" => Col::Name,
        "フリガナ" | "ふりがな" | "カナ" | "kana" | "name_kana" => Col::Kana,
        "電話番号" | "電話" | "phone" | "tel" => Col::Phone,
        "開始" | "開始日時" | "start" | "starts_at" => Col::Start,
        "終了" | "終了日時" | "end" | "ends_at" => Col::End,
        "エリア" | "エリアid" | "部屋" | "areas" | "area_ids" => Col::Areas,
        _ => return None,
    })
}

/// Splits one CSV line, honouring double quotes (`"a,b"`, `""`).
fn fields(line: &str) -> Vec<String> {
    let mut out = vec![String::new()];
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                chars.next();
                out.last_mut().expect("non-empty").push('"');
            }
            ('"', _) => quoted = !quoted,
            (',', false) => out.push(String::new()),
            (c, _) => out.last_mut().expect("non-empty").push(c),
        }
    }
    out.into_iter().map(|f| f.trim().to_string()).collect()
}

/// `2026/11/23 9:00`, `2026-11-23 09:00`, `2026-11-23T09:00`, or ISO with a zone.
fn time(text: &str) -> Option<i64> {
    let t = text.trim().replace('/', "-");
    if let Some(u) = clock::parse_iso(&t) {
        return Some(u);
    }
    for fmt in ["%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S"] {
        if let Ok(d) = chrono::NaiveDateTime::parse_from_str(&t, fmt) {
            return d.and_local_timezone(clock::jst()).single().map(|d| d.timestamp());
        }
    }
    None
}

fn row_error(line: usize, ja: &str, en: &str) -> Error {
    Error::invalid(Code::CsvRowInvalid, format!("CSV {line} 行目: {ja}"), format!("CSV line {line}: {en}"))
}

/// Reads every booking in the file, or says what is wrong with the first bad row.
pub fn parse(conn: &Connection, bytes: &[u8]) -> Result<Vec<Guest>> {
    if bytes.len() > MAX_BYTES {
        return Err(too_large(
            format!("CSV が大きすぎます ({} MB、{} MB まで)", bytes.len() >> 20, MAX_BYTES >> 20),
            format!("the CSV is too large ({} MB, at most {} MB)", bytes.len() >> 20, MAX_BYTES >> 20),
        ));
    }
    let text = decode(bytes)?;
    let rows = text.lines().filter(|l| !l.trim().is_empty()).count().saturating_sub(1);
    if rows > MAX_ROWS {
        return Err(too_large(
            format!("CSV の予約が多すぎます ({rows} 件、一度に {MAX_ROWS} 件まで)。分けて取り込んでください"),
            format!("the CSV has too many bookings ({rows}, at most {MAX_ROWS} at a time); split it"),
        ));
    }
    let mut lines = text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty());
    let (_, header) =
        lines.next().ok_or_else(|| Error::invalid(Code::CsvEmpty, "CSV が空です", "the CSV is empty"))?;
    let cols: Vec<Option<Col>> = fields(header).iter().map(|h| column(h)).collect();
    for needed in [Col::Store, Col::Name, Col::Start, Col::End, Col::Areas] {
        if !cols.contains(&Some(needed)) {
            return Err(Error::invalid(Code::CsvHeaderInvalid,
                format!("CSV の見出しに必要な列がありません ({needed:?})。店舗ID, 氏名, 開始, 終了, エリア が必要です"),
                format!("the CSV header lacks a required column ({needed:?}): store_id, name, start, end, areas"),
            ));
        }
    }
    let mut out = Vec::new();
    for (i, line) in lines {
        let n = i + 1;
        let f = fields(line);
        let get = |c: Col| {
            cols.iter().position(|x| *x == Some(c)).and_then(|p| f.get(p)).map(String::as_str).unwrap_or("")
        };
        let store_id = get(Col::Store);
        if store::get_store(conn, store_id)?.is_none() {
            return Err(row_error(
                n,
                &format!("店舗 `{store_id}` がありません"),
                &format!("unknown store `{store_id}`"),
            ));
        }
        let in_row = |e: Error| row_error(n, &e.message(crate::Lang::Ja), &e.message(crate::Lang::En));
        let name = &text::field(get(Col::Name), "氏名", "name").map_err(in_row)?;
        let kana = text::field(get(Col::Kana), "フリガナ", "kana").map_err(in_row)?;
        let code = text::field(get(Col::Code), "予約番号", "booking code").map_err(in_row)?;
        if name.is_empty() {
            return Err(row_error(n, "氏名が空です", "the name is empty"));
        }
        let start = time(get(Col::Start)).ok_or_else(|| {
            row_error(
                n,
                "開始日時が読めません (例: 2026/11/23 9:00)",
                "cannot read the start (e.g. 2026/11/23 9:00)",
            )
        })?;
        let end =
            time(get(Col::End)).ok_or_else(|| row_error(n, "終了日時が読めません", "cannot read the end"))?;
        if end <= start {
            return Err(row_error(n, "終了が開始より前です", "the end is before the start"));
        }
        let areas: Vec<String> = get(Col::Areas)
            .split([';', '・', ' ', '、', '|'])
            .map(str::trim)
            .filter(|a| !a.is_empty())
            .map(String::from)
            .collect();
        if areas.is_empty() {
            return Err(row_error(n, "エリアが空です", "no areas"));
        }
        for a in &areas {
            if store::get_area(conn, a)?.is_none_or(|x| x.store_id != store_id) {
                return Err(row_error(
                    n,
                    &format!("エリア `{a}` はこの店舗にありません"),
                    &format!("area `{a}` is not in this store"),
                ));
            }
        }
        let id = if code.is_empty() { format!("CSV-{store_id}-{start}-{n}") } else { format!("CSV-{code}") };
        out.push(Guest {
            id,
            store_id: store_id.to_string(),
            booking_code: (!code.is_empty()).then(|| code.to_string()),
            name: name.to_string(),
            name_kana: Some(kana).filter(|k| !k.is_empty()),
            phone_last4: Some(phone_last4(get(Col::Phone))).filter(|p| !p.is_empty()),
            starts_at: start,
            ends_at: end,
            area_ids: areas,
            source: GuestSource::Csv,
        });
    }
    Ok(out)
}

/// Parses and writes the whole file in one transaction; returns how many bookings.
pub fn import(conn: &mut Connection, bytes: &[u8], now: i64, actor: &str) -> Result<usize> {
    let guests = parse(conn, bytes)?;
    store::upsert_guests(conn, &guests, now)?;
    let event = crate::audit::AuditEvent::new(actor, "guest.import_csv", None, true)
        .with_detail(serde_json::json!({ "rows": guests.len() }));
    crate::audit::record(conn, &event)?;
    Ok(guests.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db;

    fn facility() -> Connection {
        let conn = db::open_in_memory().unwrap();
        conn.execute_batch(
            "INSERT INTO stores (id, name, source, updated_at) VALUES ('S001', '渋谷店', 'manual', 0);
             INSERT INTO areas (id, store_id, name, source, updated_at) VALUES ('A101', 'S001', '会議室A', 'manual', 0),
               ('A102', 'S001', '会議室B', 'manual', 0);",
        )
        .unwrap();
        conn
    }

    const FILE: &str = "予約番号,店舗ID,氏名,フリガナ,電話番号,開始,終了,エリア\r\n\
        R-1,S001,\"山田, 太郎\",ヤマダ タロウ,090-1111-1234,2026/11/23 9:00,2026/11/23 11:00,A101\r\n\
        R-2,S001,佐藤 花子,サトウ ハナコ,,2026-11-23 13:00,2026-11-23 15:30,A101;A102\r\n";

    #[test]
    fn reads_shift_jis_as_excel_writes_it() {
        let mut conn = facility();
        let (sjis, _, bad) = encoding_rs::SHIFT_JIS.encode(FILE);
        assert!(!bad);
        assert!(std::str::from_utf8(&sjis).is_err(), "really Shift_JIS");
        assert_eq!(import(&mut conn, &sjis, 0, "t").unwrap(), 2);
        let g = store::list_guests(&conn, "S001", 0, i64::MAX / 2).unwrap();
        assert_eq!(g[0].name, "山田, 太郎");
        assert_eq!(g[0].phone_last4.as_deref(), Some("1234"));
        assert_eq!(g[0].starts_at, clock::parse_iso("2026-11-23T09:00:00+09:00").unwrap());
        assert_eq!(g[1].area_ids, vec!["A101", "A102"]);
    }

    #[test]
    fn reads_utf8_with_a_bom_and_english_headers() {
        let conn = facility();
        let file =
            "\u{feff}name,store_id,start,end,areas\nTaro,S001,2026-11-23T09:00,2026-11-23T10:00,A101\n";
        assert_eq!(parse(&conn, file.as_bytes()).unwrap().len(), 1);
    }

    #[test]
    fn one_bad_row_stops_the_import_and_says_where() {
        let mut conn = facility();
        let file = format!("{FILE}R-3,S001,鈴木,,,2026/11/23 12:00,2026/11/23 11:00,A101\n");
        let e = import(&mut conn, file.as_bytes(), 0, "t").unwrap_err();
        assert!(e.message(crate::Lang::Ja).contains("4 行目"), "{}", e.message(crate::Lang::Ja));
        assert!(store::list_guests(&conn, "S001", 0, i64::MAX / 2).unwrap().is_empty(), "nothing written");
        let e = parse(&conn, "氏名,開始\n".as_bytes()).unwrap_err();
        assert_eq!(e.code(), "csv_header_invalid");
        let file = "店舗ID,氏名,開始,終了,エリア\nS001,X,2026/11/23 9:00,2026/11/23 10:00,A999\n";
        assert!(parse(&conn, file.as_bytes()).unwrap_err().to_string().contains("A999"));
    }
}
