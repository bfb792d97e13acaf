//! Spacing out wrong tries: the manager PIN (kept in the database, so a restart does
//! not reset it) and the kiosk keypad (kept in memory, per kiosk) follow one rule.
//!
//! A few tries are free; after that each wrong try waits, the wait doubling up to a
//! ceiling. While a wait runs nothing is even compared, so guessing faster does not help.

use std::sync::Mutex;

/// How many wrong tries are free, and how the waits after them grow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    pub free_tries: u32,
    pub first_wait_secs: i64,
    pub max_wait_secs: i64,
}

impl Policy {
    /// The manager PIN: 5 free tries, then 1 minute doubling up to an hour.
    pub const PIN: Policy = Policy { free_tries: 5, first_wait_secs: 60, max_wait_secs: 3600 };

    /// The kiosk's booking lookup: 5 free tries, then 30 seconds.
    pub const KIOSK_LOOKUP: Policy = Policy { free_tries: 5, first_wait_secs: 30, max_wait_secs: 30 };

    /// How long to wait after this many wrong tries in a row, if at all.
    pub fn wait_after(&self, failures: u32) -> Option<i64> {
        let over = failures.checked_sub(self.free_tries)?;
        Some((self.first_wait_secs << over.min(20)).min(self.max_wait_secs))
    }

    /// Free tries left after this many wrong ones.
    pub fn tries_left(&self, failures: u32) -> u32 {
        self.free_tries.saturating_sub(failures)
    }
}

/// A throttle kept in memory, for one keypad.
#[derive(Debug)]
pub struct Throttle {
    policy: Policy,
    /// Wrong tries in a row, and until when (unix seconds) the next must wait.
    state: Mutex<(u32, i64)>,
}

impl Throttle {
    pub fn new(policy: Policy) -> Throttle {
        Throttle { policy, state: Mutex::new((0, 0)) }
    }

    /// Seconds to wait before the next try is looked at, or `None` to go ahead.
    pub fn wait(&self, now: i64) -> Option<u64> {
        let (_, until) = *self.lock();
        (now < until).then(|| (until - now) as u64)
    }

    /// A wrong try: counts it, and starts a wait once the free tries are used.
    pub fn failed(&self, now: i64) {
        let mut s = self.lock();
        s.0 += 1;
        if let Some(wait) = self.policy.wait_after(s.0) {
            s.1 = now + wait;
        }
    }

    /// A right try ends the run of wrong ones.
    pub fn succeeded(&self) {
        *self.lock() = (0, 0);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, (u32, i64)> {
        // The state is two integers; a panic elsewhere cannot leave it half-written.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pin_waits_double_up_to_an_hour() {
        let p = Policy::PIN;
        assert_eq!(p.wait_after(4), None);
        assert_eq!(p.wait_after(5), Some(60));
        assert_eq!(p.wait_after(6), Some(120));
        assert_eq!(p.wait_after(30), Some(3600));
        assert_eq!(p.wait_after(u32::MAX), Some(3600));
        assert_eq!(p.tries_left(3), 2);
    }

    #[test]
    fn a_keypad_waits_after_its_free_tries() {
        let t = Throttle::new(Policy::KIOSK_LOOKUP);
        for _ in 0..4 {
            t.failed(100);
            assert_eq!(t.wait(100), None);
        }
        t.failed(100);
        assert_eq!(t.wait(100), Some(30));
        assert_eq!(t.wait(129), Some(1));
        assert_eq!(t.wait(130), None);
        t.succeeded();
        t.failed(200);
        assert_eq!(t.wait(200), None);
    }
}
