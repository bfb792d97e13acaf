//! Japan time: the one zone the facility, SPLATS and the reservation system speak, and
//! its day, the unit of "today's guests", daily reports, the month's bill and the
//! audit's day seals. Written once here instead of `9 * 3600` wherever a day is cut.

use chrono::{Datelike, NaiveDate};

/// Japan's offset from UTC, in seconds (no summer time).
pub const OFFSET_SECS: i64 = 9 * 3600;

/// The zone, for chrono.
pub fn zone() -> chrono::FixedOffset {
    chrono::FixedOffset::east_opt(OFFSET_SECS as i32).expect("valid offset")
}

/// A calendar day in Japan; shown and stored as `YYYY-MM-DD`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct JstDay(NaiveDate);

impl JstDay {
    /// The day in Japan at a Unix second.
    pub fn of(unix: i64) -> JstDay {
        let t = chrono::DateTime::from_timestamp(unix, 0).unwrap_or_default();
        JstDay(t.with_timezone(&zone()).date_naive())
    }

    /// `YYYY-MM-DD`, spaces around it ignored.
    pub fn parse(text: &str) -> Option<JstDay> {
        NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").ok().map(JstDay)
    }

    /// The Unix second of its 00:00 in Japan.
    pub fn start(self) -> i64 {
        self.0.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc().timestamp() - OFFSET_SECS
    }

    pub fn next(self) -> JstDay {
        JstDay(self.0.succ_opt().unwrap_or(self.0))
    }

    /// The first day of its month.
    pub fn month_start(self) -> JstDay {
        JstDay(self.0.with_day(1).unwrap_or(self.0))
    }

    /// The first day of the month after.
    pub fn next_month_start(self) -> JstDay {
        let (y, m) =
            if self.0.month() == 12 { (self.0.year() + 1, 1) } else { (self.0.year(), self.0.month() + 1) };
        JstDay(NaiveDate::from_ymd_opt(y, m, 1).unwrap_or(self.0))
    }

    /// `YYYY-MM`, the month a bill and the call meter count in.
    pub fn month(self) -> String {
        self.0.format("%Y-%m").to_string()
    }
}

impl std::fmt::Display for JstDay {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0.format("%Y-%m-%d"))
    }
}

/// `HH:MM` in Japan at a Unix second, as a message to staff names a time.
pub fn clock_time(unix: i64) -> String {
    let t = chrono::DateTime::from_timestamp(unix, 0).unwrap_or_default();
    t.with_timezone(&zone()).format("%H:%M").to_string()
}

/// `2026年12月3日（木）`: a day as Japanese writes it, for paper and people.
pub fn date_words(unix: i64) -> String {
    let t = chrono::DateTime::from_timestamp(unix, 0).unwrap_or_default().with_timezone(&zone());
    let weekday = ["月", "火", "水", "木", "金", "土", "日"][t.weekday().num_days_from_monday() as usize];
    format!("{}年{}月{}日（{weekday}）", t.year(), t.month(), t.day())
}

/// SQL for the Japan day (`YYYY-MM-DD`) of an expression in Unix seconds, so that a
/// query groups by the same day as [`JstDay::of`].
pub fn sql_day(unix_secs: &str) -> String {
    format!("date({unix_secs} + {OFFSET_SECS}, 'unixepoch')")
}

/// SQL for the Unix second of 00:00 in Japan of a `YYYY-MM-DD` expression, like
/// [`JstDay::start`].
pub fn sql_start(day: &str) -> String {
    format!("(unixepoch({day}) - {OFFSET_SECS})")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_day_starts_at_midnight_in_japan() {
        // 2023-11-14 22:13:20 UTC is 2023-11-15 07:13:20 in Japan.
        let day = JstDay::of(1_700_000_000);
        assert_eq!(day.to_string(), "2023-11-15");
        assert_eq!(day.start(), 1_699_974_000);
        assert_eq!(JstDay::of(day.start()), day);
        assert_eq!(JstDay::of(day.start() - 1).next(), day);
        assert_eq!(JstDay::parse(" 2023-11-15 "), Some(day));
        assert_eq!(JstDay::parse("15/11/2023"), None);
    }

    #[test]
    fn months_turn_over_at_the_year() {
        let d = JstDay::parse("2026-12-31").unwrap();
        assert_eq!(d.month(), "2026-12");
        assert_eq!(d.month_start().to_string(), "2026-12-01");
        assert_eq!(d.next_month_start().to_string(), "2027-01-01");
        assert_eq!(d.next().to_string(), "2027-01-01");
    }

    #[test]
    fn the_sql_cuts_the_same_day() {
        let conn = rusqlite::Connection::open_in_memory().unwrap();
        let day: String =
            conn.query_row(&format!("SELECT {}", sql_day("1699973999")), [], |r| r.get(0)).unwrap();
        assert_eq!(day, "2023-11-14", "one second before midnight in Japan");
        let start: i64 =
            conn.query_row(&format!("SELECT {}", sql_start("'2023-11-15'")), [], |r| r.get(0)).unwrap();
        assert_eq!(start, JstDay::parse("2023-11-15").unwrap().start());
    }
}
