//! Importing bookings from a CSV file, as a Japanese Excel or a booking site exports it.
//!
//! Shift_JIS as Windows writes it (cp932, with the NEC and IBM extensions such as ①, ㈱
//! and 髙: `encoding_rs`' Shift_JIS is that WHATWG table) and UTF-8 (with or without a
//! BOM) are both read; records through the `csv` crate, so a quoted comma, a doubled
//! quote or a line break inside a cell (Excel writes one for a cell with a newline)
//! reads as Excel meant it. The header names its columns, in Japanese or English, in any
//! order, matched as the counter's search matches (NFKC and kana folding). The whole
//! file is checked before anything is written: every bad row is reported at once with
//! its row number as Excel shows it, and nothing is imported until the file is good.

use super::text;
use crate::platform::error::{Code, Error, Result};
use crate::platform::model::{phone_last4, Guest, GuestSource};
use crate::{desk::cache, platform::clock};
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

/// `2026/12/2 9:00`, `2026-12-02 09:00:00`, `2026-12-02T09:00`, `2026年12月2日 9:00`,
/// full-width digits (NFKC makes them ASCII), or ISO with a zone: what Japanese Excel
/// and booking sites write.
fn time(text: &str) -> Option<i64> {
    use unicode_normalization::UnicodeNormalization;
    let t: String = text.trim().nfkc().collect();
    let t = t.replace(['/', '年', '月'], "-").replace('日', " ");
    let t = t.split_whitespace().collect::<Vec<_>>().join(" ");
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

/// One bad row: its number as Excel shows it (the header is row 1) and why.
struct Problem {
    row: usize,
    ja: String,
    en: String,
}

/// How many bad rows one message lists; the rest are counted.
const LISTED: usize = 20;

/// Every bad row in one error, so that the file is mended in one go.
fn rows_error(problems: &[Problem]) -> Error {
    let list = |ja: bool| {
        let mut lines: Vec<String> =
            problems
                .iter()
                .take(LISTED)
                .map(|p| {
                    if ja {
                        format!("{} 行目: {}", p.row, p.ja)
                    } else {
                        format!("row {}: {}", p.row, p.en)
                    }
                })
                .collect();
        let more = problems.len().saturating_sub(LISTED);
        if more > 0 {
            lines.push(if ja { format!("ほか {more} 行") } else { format!("and {more} more rows") });
        }
        lines.join("\n")
    };
    Error::invalid(
        Code::CsvRowInvalid,
        format!(
            "CSV の {} 行を読めません。直してから取り込み直してください (何も取り込んでいません)\n{}",
            problems.len(),
            list(true)
        ),
        format!(
            "{} CSV rows cannot be read; mend them and import again (nothing was imported)\n{}",
            problems.len(),
            list(false)
        ),
    )
}

/// The records of the file, quoted commas, quotes and line breaks inside a field read
/// as Excel writes them; rows whose every field is blank are left out.
fn records(text: &str) -> Vec<(usize, std::result::Result<Vec<String>, ()>)> {
    let mut reader = ::csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .trim(::csv::Trim::All)
        .from_reader(text.as_bytes());
    // A record's number is the line of the file it starts on, as a text editor and
    // Excel (for a file with no line break inside a cell) show it. Counted here from the
    // record's byte offset: after a CRLF the csv crate's own line count lags by one.
    // Counted on from the last record, so a long file is read once.
    let (mut seen_byte, mut seen_lines) = (0usize, 0usize);
    let mut line_at = |byte: usize| {
        let byte = byte.clamp(seen_byte, text.len());
        seen_lines += text.get(seen_byte..byte).map_or(0, |s| s.matches('\n').count());
        seen_byte = byte;
        let pending_lf = text.get(byte..).is_some_and(|rest| rest.starts_with('\n'));
        1 + seen_lines + usize::from(pending_lf)
    };
    let mut out = Vec::new();
    let mut record = ::csv::StringRecord::new();
    loop {
        let line = line_at(reader.position().byte() as usize);
        match reader.read_record(&mut record) {
            Ok(false) => return out,
            Ok(true) => {
                let line = record.position().map_or(line, |p| line_at(p.byte() as usize));
                let fields: Vec<String> = record.iter().map(String::from).collect();
                if fields.iter().any(|f| !f.is_empty()) {
                    out.push((line, Ok(fields)));
                }
            }
            Err(_) => out.push((line, Err(()))),
        }
    }
}

/// Reads every booking in the file, or says what is wrong with every bad row.
pub fn parse(conn: &Connection, bytes: &[u8]) -> Result<Vec<Guest>> {
    if bytes.len() > MAX_BYTES {
        return Err(too_large(
            format!("CSV が大きすぎます ({} MB、{} MB まで)", bytes.len() >> 20, MAX_BYTES >> 20),
            format!("the CSV is too large ({} MB, at most {} MB)", bytes.len() >> 20, MAX_BYTES >> 20),
        ));
    }
    let text = decode(bytes)?;
    let mut records = records(&text).into_iter();
    let Some((_, header)) = records.next() else {
        return Err(Error::invalid(Code::CsvEmpty, "CSV が空です", "the CSV is empty"));
    };
    let header = header.map_err(|_| Error::invalid(Code::CsvEmpty, "CSV が空です", "the CSV is empty"))?;
    let rows: Vec<_> = records.collect();
    if rows.len() > MAX_ROWS {
        let n = rows.len();
        return Err(too_large(
            format!("CSV の予約が多すぎます ({n} 件、一度に {MAX_ROWS} 件まで)。分けて取り込んでください"),
            format!("the CSV has too many bookings ({n}, at most {MAX_ROWS} at a time); split it"),
        ));
    }
    let cols: Vec<Option<Col>> = header.iter().map(|h| column(h)).collect();
    for needed in [Col::Store, Col::Name, Col::Start, Col::End, Col::Areas] {
        if !cols.contains(&Some(needed)) {
            return Err(Error::invalid(Code::CsvHeaderInvalid,
                format!("CSV の見出しに必要な列がありません ({needed:?})。店舗ID, 氏名, 開始, 終了, エリア が必要です"),
                format!("the CSV header lacks a required column ({needed:?}): store_id, name, start, end, areas"),
            ));
        }
    }
    let (mut out, mut problems) = (Vec::new(), Vec::new());
    for (row, fields) in rows {
        let read = fields
            .map_err(|()| Problem {
                row,
                ja: "行の形が読めません (引用符 \" の閉じ忘れなど)".into(),
                en: "cannot read the row (a quote \" left open?)".into(),
            })
            .and_then(|f| guest_of(conn, &cols, &f, row));
        match read {
            Ok(g) => out.push(g),
            Err(p) => problems.push(p),
        }
    }
    if !problems.is_empty() {
        return Err(rows_error(&problems));
    }
    Ok(out)
}

/// One row as a booking, or what is wrong with it.
fn guest_of(
    conn: &Connection,
    cols: &[Option<Col>],
    f: &[String],
    row: usize,
) -> std::result::Result<Guest, Problem> {
    let bad = |ja: &str, en: &str| Problem { row, ja: ja.to_string(), en: en.to_string() };
    let get = |c: Col| {
        cols.iter().position(|x| *x == Some(c)).and_then(|p| f.get(p)).map(String::as_str).unwrap_or("")
    };
    let db = |e: Error| bad(&e.message(crate::Lang::Ja), &e.message(crate::Lang::En));
    let store_id = get(Col::Store);
    if cache::get_store(conn, store_id).map_err(db)?.is_none() {
        return Err(bad(&format!("店舗 `{store_id}` がありません"), &format!("unknown store `{store_id}`")));
    }
    let name = text::field(get(Col::Name), "氏名", "name").map_err(db)?;
    let kana = text::field(get(Col::Kana), "フリガナ", "kana").map_err(db)?;
    let code = text::field(get(Col::Code), "予約番号", "booking code").map_err(db)?;
    if name.is_empty() {
        return Err(bad("氏名が空です", "the name is empty"));
    }
    let start = time(get(Col::Start)).ok_or_else(|| {
        bad("開始日時が読めません (例: 2026/11/23 9:00)", "cannot read the start (e.g. 2026/11/23 9:00)")
    })?;
    let end = time(get(Col::End)).ok_or_else(|| bad("終了日時が読めません", "cannot read the end"))?;
    if end <= start {
        return Err(bad("終了が開始より前です", "the end is before the start"));
    }
    let areas: Vec<String> = get(Col::Areas)
        .split([';', '・', ' ', '、', '|', '\n'])
        .map(str::trim)
        .filter(|a| !a.is_empty())
        .map(String::from)
        .collect();
    if areas.is_empty() {
        return Err(bad("エリアが空です", "no areas"));
    }
    for a in &areas {
        if cache::get_area(conn, a).map_err(db)?.is_none_or(|x| x.store_id != store_id) {
            return Err(bad(
                &format!("エリア `{a}` はこの店舗にありません"),
                &format!("area `{a}` is not in this store"),
            ));
        }
    }
    let id = if code.is_empty() { format!("CSV-{store_id}-{start}-{row}") } else { format!("CSV-{code}") };
    Ok(Guest {
        id,
        store_id: store_id.to_string(),
        booking_code: (!code.is_empty()).then(|| code.to_string()),
        name,
        name_kana: Some(kana).filter(|k| !k.is_empty()),
        phone_last4: Some(phone_last4(get(Col::Phone))).filter(|p| !p.is_empty()),
        starts_at: start,
        ends_at: end,
        area_ids: areas,
        source: GuestSource::Csv,
    })
}

/// Parses and writes the whole file in one transaction; returns how many bookings.
pub fn import(conn: &mut Connection, bytes: &[u8], now: i64, actor: &str) -> Result<usize> {
    crate::desk::staff::role::require_here(conn, crate::desk::staff::role::Deed::Change)?;
    let guests = parse(conn, bytes)?;
    cache::upsert_guests(conn, &guests, now)?;
    let event = crate::desk::audit::AuditEvent::new(actor, "guest.import_csv", None, true)
        .with_detail(serde_json::json!({ "rows": guests.len() }));
    crate::desk::audit::record(conn, &event)?;
    Ok(guests.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::platform::db;

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
        let g = cache::list_guests(&conn, "S001", 0, i64::MAX / 2).unwrap();
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

    /// What Japanese Excel saves as "CSV": cp932 with extension characters, a cell with
    /// a line break (quoted across two lines), doubled quotes, CRLF, blank trailing
    /// columns and a blank row, and every date form it writes.
    #[test]
    fn reads_an_excel_file_with_a_line_break_in_a_cell_and_cp932_extensions() {
        let mut conn = facility();
        let file = "予約番号,店舗ID,氏名,ﾌﾘｶﾞﾅ,電話番号,開始,終了,エリア,備考,,\r\n\
            R-1,S001,\"①山田\r\n太郎\",ﾔﾏﾀﾞ ﾀﾛｳ,090-1111-1234,2026/12/2 9:00,2026/12/2 11:00,A101,\"2行の\r\nメモ\",,\r\n\
            R-2,S001,㈱髙橋商事,タカハシ,,2026-12-02 09:00:00,2026-12-02 10:30:00,A102,\"\"VIP\"\" 様\",,\r\n\
            ,,,,,,,,,,\r\n\
            R-3,S001,佐藤 花子,サトウ,,２０２６/１２/２ １３:００,２０２６/１２/２ １５:００,A101;A102,,,\r\n\
            R-4,S001,鈴木,スズキ,,2026年12月2日 16:00,2026年12月2日 17:00,A101\r\n";
        let (sjis, _, bad) = encoding_rs::SHIFT_JIS.encode(file);
        assert!(!bad, "①, ㈱ and 髙 are cp932 characters");
        assert_eq!(import(&mut conn, &sjis, 0, "t").unwrap(), 4);
        let g = cache::list_guests(&conn, "S001", 0, i64::MAX / 2).unwrap();
        let by = |code: &str| g.iter().find(|g| g.booking_code.as_deref() == Some(code)).unwrap();
        assert_eq!(by("R-1").name, "①山田太郎", "the line break inside the cell is no new row");
        assert_eq!(by("R-1").name_kana.as_deref(), Some("ﾔﾏﾀﾞ ﾀﾛｳ"));
        assert_eq!(by("R-2").name, "㈱髙橋商事");
        let at = |t: &str| clock::parse_iso(t).unwrap();
        assert_eq!(by("R-1").starts_at, at("2026-12-02T09:00:00+09:00"));
        assert_eq!(by("R-2").ends_at, at("2026-12-02T10:30:00+09:00"));
        assert_eq!(by("R-3").starts_at, at("2026-12-02T13:00:00+09:00"));
        assert_eq!(by("R-4").ends_at, at("2026-12-02T17:00:00+09:00"));
    }

    #[test]
    fn every_bad_row_is_reported_at_once() {
        let conn = facility();
        let file = "店舗ID,氏名,開始,終了,エリア\nS001,A,2026/11/23 9:00,2026/11/23 10:00,A101\n\
            S001,,2026/11/23 9:00,2026/11/23 10:00,A101\nS001,C,いつか,2026/11/23 10:00,A101\n\
            S001,D,2026/11/23 9:00,2026/11/23 10:00,A999\n";
        let e = parse(&conn, file.as_bytes()).unwrap_err();
        let ja = e.message(crate::Lang::Ja);
        for row in ["3 行目", "4 行目", "5 行目"] {
            assert!(ja.contains(row), "{ja}");
        }
        assert!(!ja.contains("2 行目"), "{ja}");
        assert!(ja.contains("3 行を読めません"), "{ja}");
    }

    #[test]
    fn one_bad_row_stops_the_import_and_says_where() {
        let mut conn = facility();
        let file = format!("{FILE}R-3,S001,鈴木,,,2026/11/23 12:00,2026/11/23 11:00,A101\n");
        let e = import(&mut conn, file.as_bytes(), 0, "t").unwrap_err();
        assert!(e.message(crate::Lang::Ja).contains("4 行目"), "{}", e.message(crate::Lang::Ja));
        assert!(cache::list_guests(&conn, "S001", 0, i64::MAX / 2).unwrap().is_empty(), "nothing written");
        let e = parse(&conn, "氏名,開始\n".as_bytes()).unwrap_err();
        assert_eq!(e.code(), "csv_header_invalid");
        let file = "店舗ID,氏名,開始,終了,エリア\nS001,X,2026/11/23 9:00,2026/11/23 10:00,A999\n";
        assert!(parse(&conn, file.as_bytes()).unwrap_err().to_string().contains("A999"));
    }
}
