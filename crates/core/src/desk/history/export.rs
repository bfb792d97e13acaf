//! Exporting what the window shows, for the office's spreadsheet: CSV that opens right
//! in Japanese Excel (UTF-8 with a BOM, CRLF, every field quoted) with formula-looking
//! cells neutralised, or JSON for scripts. The same columns and words as the window.

use super::query::{self, HistoryEntry, HistoryFilter, MAX_PAGE};
use crate::desk::audit::{self, AuditEvent};
use crate::platform::db::{Connection, Db};
use crate::platform::error::{Error, Result};
use crate::Lang;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::path::{Path, PathBuf};

/// An export stops here: a year of a busy facility is far less.
pub const MAX_ROWS: usize = 1_000_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    Csv,
    Json,
}

/// A cell a spreadsheet would read as a formula (`=`, `+`, `-`, `@`, a tab or a CR
/// first) gets a leading apostrophe, so it shows as text and runs nothing.
pub fn neutralise(cell: &str) -> Cow<'_, str> {
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => Cow::Owned(format!("'{cell}")),
        _ => Cow::Borrowed(cell),
    }
}

/// Rows as Excel-ready CSV bytes: BOM, CRLF, every field quoted, cells neutralised.
pub fn csv<'a, I, R>(header: &[&str], rows: I) -> Result<Vec<u8>>
where
    I: IntoIterator<Item = R>,
    R: IntoIterator<Item = &'a str>,
{
    let mut w = ::csv::WriterBuilder::new()
        .quote_style(::csv::QuoteStyle::Always)
        .terminator(::csv::Terminator::CRLF)
        .from_writer(b"\xEF\xBB\xBF".to_vec());
    let io = |e: ::csv::Error| Error::Io(std::io::Error::other(e.to_string()));
    w.write_record(header).map_err(io)?;
    for row in rows {
        w.write_record(row.into_iter().map(|c| neutralise(c).into_owned())).map_err(io)?;
    }
    w.into_inner().map_err(|e| Error::Io(std::io::Error::other(e.to_string())))
}

/// Every entry the filter selects (its cursor and limit ignored), newest first.
pub fn entries(conn: &Connection, filter: &HistoryFilter, lang: Lang) -> Result<Vec<HistoryEntry>> {
    let mut f = HistoryFilter { before: None, limit: Some(MAX_PAGE), ..filter.clone() };
    let mut out = Vec::new();
    loop {
        let page = query::page(conn, &f, lang)?;
        out.extend(page.entries);
        match page.next {
            Some(c) if out.len() < MAX_ROWS => f.before = Some(c),
            _ => return Ok(out),
        }
    }
}

/// The file's bytes in a format.
pub fn render(entries: &[HistoryEntry], format: Format, lang: Lang) -> Result<Vec<u8>> {
    match format {
        Format::Csv => csv(&HistoryEntry::headers(lang), entries.iter().map(|e| e.cells())),
        Format::Json => serde_json::to_vec_pretty(entries).map_err(|e| Error::Io(std::io::Error::other(e))),
    }
}

/// What an export wrote.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct Exported {
    pub path: String,
    pub rows: u32,
}

/// Writes the filtered history to `path` and audits it (`history.export`). Read on a
/// reader connection: a long export never holds up a door's audit row.
pub fn to_file(
    db: &Db,
    filter: &HistoryFilter,
    format: Format,
    path: &Path,
    lang: Lang,
    actor: &str,
) -> Result<Exported> {
    let rows = db.read_now(|c| entries(c, filter, lang))?;
    let detail = serde_json::json!({ "format": format, "filter": filter });
    deliver(db, path, &render(&rows, format, lang)?, rows.len(), detail, actor)
}

/// Writes an export's bytes whole and audits it (`history.export`, with its row count
/// added to `detail`): the last step of every export, history or report.
pub fn deliver(
    db: &Db,
    path: &Path,
    bytes: &[u8],
    rows: usize,
    mut detail: serde_json::Value,
    actor: &str,
) -> Result<Exported> {
    write_atomically(path, bytes)?;
    detail["rows"] = rows.into();
    let event = AuditEvent::new(actor, "history.export", None, true).with_detail(detail);
    db.write_now(|c| audit::record(c, &event))?;
    Ok(Exported { path: path.display().to_string(), rows: rows as u32 })
}

/// A file appears whole or not at all (a spreadsheet may already be watching it).
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    let tmp: PathBuf = path.with_extension("partial");
    std::fs::write(&tmp, bytes)?;
    std::fs::rename(&tmp, path)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_cells_are_neutralised_and_the_file_is_excel_ready() {
        let bytes = csv(&["a", "b"], [["=1+1", "普通"], ["-2", "@x"]]).unwrap();
        assert!(bytes.starts_with(b"\xEF\xBB\xBF"));
        let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
        assert_eq!(text, "\"a\",\"b\"\r\n\"'=1+1\",\"普通\"\r\n\"'-2\",\"'@x\"\r\n");
        assert_eq!(neutralise("\tcmd"), "'\tcmd");
        assert_eq!(neutralise("会議室A"), "会議室A");
    }
}
