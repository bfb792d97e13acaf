//! The simulator's own clock, settable so that tests can put the "server" ahead of or
//! behind the PC, or jump to a step boundary.

use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

#[derive(Debug, Default)]
pub struct SimClock {
    offset_ms: AtomicI64,
}

impl SimClock {
    pub fn new(offset_secs: i64) -> SimClock {
        SimClock { offset_ms: AtomicI64::new(offset_secs * 1000) }
    }

    pub fn now(&self) -> SystemTime {
        let offset = self.offset_ms.load(Ordering::Relaxed);
        let base = SystemTime::now();
        if offset >= 0 {
            base + Duration::from_millis(offset as u64)
        } else {
            base - Duration::from_millis(offset.unsigned_abs())
        }
    }

    pub fn now_unix(&self) -> i64 {
        self.now().duration_since(UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0)
    }

    pub fn offset_secs(&self) -> i64 {
        self.offset_ms.load(Ordering::Relaxed) / 1000
    }

    pub fn set_offset_secs(&self, secs: i64) {
        self.offset_ms.store(secs * 1000, Ordering::Relaxed);
    }

    /// Makes `now()` read `unix` seconds from here on.
    pub fn set_now(&self, unix: i64) {
        let real_ms = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0);
        self.offset_ms.store(unix * 1000 - real_ms, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn can_be_set_ahead_and_to_an_instant() {
        let c = SimClock::new(60);
        let real = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs() as i64;
        assert!((c.now_unix() - real - 60).abs() <= 1);
        c.set_now(1_700_000_000);
        assert!((c.now_unix() - 1_700_000_000).abs() <= 1);
    }
}
