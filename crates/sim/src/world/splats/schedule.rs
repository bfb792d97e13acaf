//! Who may pass a reader now: a `devices_pass` with its per-area effects and schedules
//! (docs/reference/vendor-documents.md, "001" 権限設定例). Times are JST, as SPLATS
//! writes them. On a day in [`SplatsWorld::holidays`] only slots listing `Holiday` (or
//! `*`) apply: the documents list "Holiday" beside the weekdays without saying how the
//! two combine, so this reading is ours (docs/simulator.md).

use super::Reject;
use chrono::{Datelike, NaiveDate, NaiveDateTime, NaiveTime, Timelike};
use serde_json::Value;
use std::collections::BTreeSet;

const WEEK: [&str; 7] = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];

/// The JST wall-clock time of a unix second.
pub fn jst(unix: i64) -> NaiveDateTime {
    chrono::DateTime::from_timestamp(unix, 0)
        .map(|t| t.with_timezone(&crate::world::jst()).naive_local())
        .unwrap_or_default()
}

/// Does `pass` let its holder into `area_id` at `now`?
pub fn allows(pass: &Value, area_id: &str, now: i64, holidays: &BTreeSet<NaiveDate>) -> bool {
    match pass.get("default_mode").and_then(Value::as_str) {
        Some("allow_all") => true,
        Some("option") => pass
            .get("areas_list")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter(|a| a.get("area_id").and_then(Value::as_str) == Some(area_id))
            .any(|a| effect_allows(a.get("pass").unwrap_or(&Value::Null), now, holidays)),
        _ => false,
    }
}

fn effect_allows(pass: &Value, now: i64, holidays: &BTreeSet<NaiveDate>) -> bool {
    match pass.get("effect").and_then(Value::as_str) {
        Some("allow_all") => true,
        Some("allow") => pass
            .get("schedule")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .any(|slot| slot_covers(slot, jst(now), holidays)),
        _ => false,
    }
}

fn slot_covers(slot: &Value, at: NaiveDateTime, holidays: &BTreeSet<NaiveDate>) -> bool {
    let (Ok(start), Ok(end)) = (point(slot.get("start")), point(slot.get("end"))) else { return false };
    match slot.get("mode").and_then(Value::as_str) {
        Some("weekly") => {
            let day = if holidays.contains(&at.date()) {
                "Holiday"
            } else {
                WEEK[at.weekday().num_days_from_monday() as usize]
            };
            let week = slot.get("week").and_then(Value::as_array).cloned().unwrap_or_default();
            let listed = week.iter().any(|w| w == "*" || w == day);
            let t = at.time().with_nanosecond(0).unwrap_or_default();
            listed && start.1 <= t && t <= end.1
        }
        Some("range") => match (start.0, end.0) {
            (Some(sd), Some(ed)) => sd.and_time(start.1) <= at && at <= ed.and_time(end.1),
            _ => false,
        },
        _ => false,
    }
}

/// `{"date"?: "YYYY-MM-DD", "time": "hh:mm:ss+09:00"}`.
fn point(v: Option<&Value>) -> Result<(Option<NaiveDate>, NaiveTime), Reject> {
    let v = v.ok_or_else(|| Reject::bad("schedule の start / end は必須です"))?;
    let time = v.get("time").and_then(Value::as_str).unwrap_or_default();
    let clock = time
        .strip_suffix("+09:00")
        .ok_or_else(|| Reject::bad("schedule の time は hh:mm:ss+09:00 にしてください"))?;
    let t = NaiveTime::parse_from_str(clock, "%H:%M:%S")
        .map_err(|_| Reject::bad("schedule の time は hh:mm:ss+09:00 にしてください"))?;
    let date = match v.get("date").and_then(Value::as_str) {
        Some(d) => Some(
            NaiveDate::parse_from_str(d, "%Y-%m-%d")
                .map_err(|_| Reject::bad("schedule の date は YYYY-MM-DD にしてください"))?,
        ),
        None => None,
    };
    Ok((date, t))
}

/// Checks one area's `pass` as SPLATS would before storing it.
pub fn check_pass(pass: &Value) -> Result<(), Reject> {
    match pass.get("effect").and_then(Value::as_str) {
        Some("allow_all" | "deny_all") => Ok(()),
        Some("allow") => {
            let slots = pass.get("schedule").and_then(Value::as_array).filter(|s| !s.is_empty());
            let slots = slots.ok_or_else(|| Reject::bad("effect が allow のときは schedule が必須です"))?;
            slots.iter().try_for_each(check_slot)
        }
        _ => Err(Reject::bad("areas_list[].pass.effect は allow_all / allow / deny_all のいずれかです")),
    }
}

fn check_slot(slot: &Value) -> Result<(), Reject> {
    let start = point(slot.get("start"))?;
    let end = point(slot.get("end"))?;
    match slot.get("mode").and_then(Value::as_str) {
        Some("weekly") => {
            let week = slot.get("week").and_then(Value::as_array).filter(|w| !w.is_empty());
            let week = week.ok_or_else(|| Reject::bad("weekly の schedule には week が必須です"))?;
            let known = |w: &Value| w == "*" || w == "Holiday" || WEEK.iter().any(|d| w == d);
            if let Some(bad) = week.iter().find(|w| !known(w)) {
                return Err(Reject::bad(&format!("week に不正な値があります: {bad}")));
            }
            if end.1 < start.1 {
                return Err(Reject::bad("schedule の end は start より後にしてください"));
            }
            Ok(())
        }
        Some("range") => match (start.0, end.0) {
            (Some(sd), Some(ed)) if sd.and_time(start.1) < ed.and_time(end.1) => Ok(()),
            (Some(_), Some(_)) => Err(Reject::bad("schedule の end は start より後にしてください")),
            _ => Err(Reject::bad("range の schedule には date が必須です")),
        },
        _ => Err(Reject::bad("schedule の mode は weekly / range のいずれかです")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn weekdays_9_to_18() -> Value {
        json!({ "default_mode": "option", "areas_list": [{ "area_id": "a", "pass": { "effect": "allow",
            "schedule": [{ "mode": "weekly", "start": { "time": "09:00:00+09:00" },
                "end": { "time": "18:00:00+09:00" },
                "week": ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"] }] } }] })
    }

    /// 2026-11-28 is a Saturday; 10:00 JST is 01:00 UTC.
    const SAT_10: i64 = 1_795_827_600;

    #[test]
    fn a_weekday_schedule_refuses_saturday_and_the_evening() {
        let none = BTreeSet::new();
        let pass = weekdays_9_to_18();
        assert_eq!(jst(SAT_10).to_string(), "2026-11-28 10:00:00");
        assert!(!allows(&pass, "a", SAT_10, &none), "Saturday");
        let fri_10 = SAT_10 - 86_400;
        assert!(allows(&pass, "a", fri_10, &none), "Friday 10:00");
        assert!(!allows(&pass, "a", fri_10 + 9 * 3600, &none), "Friday 19:00");
        assert!(!allows(&pass, "b", fri_10, &none), "another area");
    }

    #[test]
    fn a_holiday_follows_the_holiday_slots_only() {
        let fri = jst(SAT_10 - 86_400).date();
        let holidays = BTreeSet::from([fri]);
        assert!(!allows(&weekdays_9_to_18(), "a", SAT_10 - 86_400, &holidays));
    }

    #[test]
    fn schedules_are_checked_before_they_are_stored() {
        assert!(check_pass(&json!({ "effect": "allow" })).is_err());
        let bad_day = json!({ "effect": "allow", "schedule": [{ "mode": "weekly",
            "start": { "time": "09:00:00+09:00" }, "end": { "time": "18:00:00+09:00" }, "week": ["Funday"] }] });
        assert!(check_pass(&bad_day).is_err());
        let utc = json!({ "effect": "allow", "schedule": [{ "mode": "weekly",
            "start": { "time": "09:00:00Z" }, "end": { "time": "18:00:00+09:00" }, "week": ["*"] }] });
        assert!(check_pass(&utc).is_err());
        assert!(check_pass(&weekdays_9_to_18()["areas_list"][0]["pass"]).is_ok());
    }
}
