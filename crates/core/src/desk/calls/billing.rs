//! What SESAME calls cost: the month's projected charge from the price table (CANDY
//! HOUSE's page, docs/reference/vendor-documents.md: free up to 30,000 calls a month,
//! then ¥2,000 to 100,000 and ¥5,000 to 300,000, before tax), and the daily free limit
//! its console announces ("本日の無料回数の上限に到達しました") but does not number \[I\]. The table,
//! the daily limit and how early to warn are settings (`[sesame]`).

use crate::desk::calls::meter;
use crate::platform::config::Config;
pub use crate::platform::config::{default_tiers, PriceTier};
use crate::platform::error::Result;
use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;

/// The tier a month of `calls` falls in; `None` past the table.
pub fn tier(tiers: &[PriceTier], calls: u64) -> Option<PriceTier> {
    tiers.iter().copied().find(|t| calls <= t.up_to)
}

/// Something to tell staff before it costs money.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ChargeWarning {
    /// Today's free calls are used up: the cloud refuses until tomorrow (or a card).
    DailyReached { limit: u32 },
    /// Near today's free calls.
    DailyNear { used: u64, limit: u32 },
    /// At this pace the month ends in a paid tier (or already is in one).
    PaidTier { yen: u32, projected: u64 },
    /// Past the table's last tier: ask CANDY HOUSE.
    BeyondTable { projected: u64 },
}

/// The SESAME charge this month, as the header shows it.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct Charge {
    pub month_calls: u64,
    /// At this month's pace, calls by its end.
    pub projected_calls: u64,
    /// The month's charge so far and as projected (yen, before tax); `None` past the table.
    pub yen_now: Option<u32>,
    pub projected_yen: Option<u32>,
    pub today_calls: u64,
    pub daily_free: u32,
    pub warning: Option<ChargeWarning>,
}

fn calls_today(conn: &Connection, now: i64) -> Result<u64> {
    let n: Option<i64> = conn
        .query_row(
            "SELECT SUM(count) FROM api_calls_daily WHERE cloud = ?1 AND day = ?2",
            params![meter::SESAME, meter::day_of(now)],
            |r| r.get(0),
        )
        .optional()?
        .flatten();
    Ok(n.unwrap_or(0) as u64)
}

/// Seconds into the JST month and the month's length.
fn month_progress(now: i64) -> (i64, i64) {
    let day = crate::platform::jst::JstDay::of(now);
    let (start, end) = (day.month_start().start(), day.next_month_start().start());
    (now - start, end - start)
}

/// The month's charge and what to warn about, from the calls counted on this PC.
pub fn charge(conn: &Connection, config: &Config, now: i64) -> Result<Charge> {
    let s = &config.sesame;
    let usage = meter::usage(conn, meter::SESAME, now, s.monthly_allowance, s.poll_budget_per_month)?;
    let month_calls = usage.total;
    let (elapsed, length) = month_progress(now);
    // A pace from less than a day says little: count at least one day.
    let elapsed = elapsed.max(86_400).min(length);
    let projected_calls = (month_calls as f64 * length as f64 / elapsed as f64).ceil() as u64;
    let yen_now = tier(&s.price_tiers, month_calls).map(|t| t.yen);
    let projected_yen = tier(&s.price_tiers, projected_calls).map(|t| t.yen);
    let today_calls = calls_today(conn, now)?;
    let near = |used: u64, limit: u64| used * 100 >= limit * u64::from(s.warn_percent);
    let warning = if s.daily_free_calls > 0 && today_calls >= u64::from(s.daily_free_calls) {
        Some(ChargeWarning::DailyReached { limit: s.daily_free_calls })
    } else if s.daily_free_calls > 0 && near(today_calls, u64::from(s.daily_free_calls)) {
        Some(ChargeWarning::DailyNear { used: today_calls, limit: s.daily_free_calls })
    } else {
        match projected_yen {
            None => Some(ChargeWarning::BeyondTable { projected: projected_calls }),
            Some(yen) if yen > 0 => Some(ChargeWarning::PaidTier { yen, projected: projected_calls }),
            Some(_) => {
                // Still free at this pace, but close to the free tier's end.
                let free = tier(&s.price_tiers, 0).map(|t| t.up_to).unwrap_or(0);
                let next = s.price_tiers.iter().find(|t| t.up_to > free).map(|t| t.yen).unwrap_or(0);
                (free > 0 && near(projected_calls, free))
                    .then_some(ChargeWarning::PaidTier { yen: next, projected: projected_calls })
            }
        }
    };
    Ok(Charge {
        month_calls,
        projected_calls,
        yen_now,
        projected_yen,
        today_calls,
        daily_free: s.daily_free_calls,
        warning,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_calls(month: i64, today: i64) -> Connection {
        let conn = crate::platform::db::open_in_memory().unwrap();
        conn.execute(
            "INSERT INTO api_calls (cloud, month, kind, count) VALUES ('sesame', ?1, 'command', ?2)",
            params![meter::month_of(NOW), month],
        )
        .unwrap();
        conn.execute(
            "INSERT INTO api_calls_daily (cloud, day, kind, count) VALUES ('sesame', ?1, 'command', ?2)",
            params![meter::day_of(NOW), today],
        )
        .unwrap();
        conn
    }

    /// 2026-11-16 00:00 JST: 15 of the month's 30 days gone.
    const NOW: i64 = 1_794_754_800;

    #[test]
    fn the_price_table_gives_the_tier() {
        let t = default_tiers();
        assert_eq!(tier(&t, 30_000).map(|t| t.yen), Some(0));
        assert_eq!(tier(&t, 30_001).map(|t| t.yen), Some(2_000));
        assert_eq!(tier(&t, 300_001), None);
    }

    #[test]
    fn half_a_month_projects_double_and_warns_before_the_paid_tier() {
        let config = Config::default();
        let c = charge(&with_calls(14_000, 10), &config, NOW).unwrap();
        assert_eq!(c.projected_calls, 28_000);
        assert_eq!((c.yen_now, c.projected_yen), (Some(0), Some(0)));
        assert_eq!(
            c.warning,
            Some(ChargeWarning::PaidTier { yen: 2_000, projected: 28_000 }),
            "90 % of the free tier"
        );
        let c = charge(&with_calls(20_000, 10), &config, NOW).unwrap();
        assert_eq!(c.projected_yen, Some(2_000));
    }

    #[test]
    fn the_daily_limit_warns_first() {
        let config = Config::default();
        let limit = config.sesame.daily_free_calls;
        let near = charge(&with_calls(100, i64::from(limit) - 5), &config, NOW).unwrap();
        assert!(matches!(near.warning, Some(ChargeWarning::DailyNear { .. })), "{near:?}");
        let reached = charge(&with_calls(100, i64::from(limit)), &config, NOW).unwrap();
        assert_eq!(reached.warning, Some(ChargeWarning::DailyReached { limit }));
    }
}
