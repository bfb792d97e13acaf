//! When a door calls for staff: a lock left unlocked too long, a battery low or to be
//! replaced now. Owners report that SESAME locks stop turning at about 20–30 %, so the
//! defaults warn at 50 % and ask for a new battery at 35 %.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct DoorsConfig {
    /// A SESAME lock read as unlocked for longer than this raises an alert with a
    /// button to lock it (0: never).
    pub unlocked_alert_minutes: u32,
    /// A battery under this (percent) is low: replace it soon.
    pub battery_low_percent: u8,
    /// Under this, replace it now: the lock may stop turning any time.
    pub battery_replace_percent: u8,
}

impl Default for DoorsConfig {
    fn default() -> Self {
        DoorsConfig { unlocked_alert_minutes: 5, battery_low_percent: 50, battery_replace_percent: 35 }
    }
}

impl DoorsConfig {
    /// What is wrong with the numbers, if anything.
    pub fn problem(&self) -> Option<(&'static str, &'static str)> {
        if self.battery_low_percent > 100 || self.battery_replace_percent > self.battery_low_percent {
            return Some((
                "doors.battery_replace_percent",
                "must be at most doors.battery_low_percent, itself at most 100",
            ));
        }
        None
    }
}
