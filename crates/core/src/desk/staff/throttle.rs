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
    /// A run of wrong tries is forgotten after this long without one; `None`: only a
    /// right try ends it (the manager PIN).
    pub forget_after_secs: Option<i64>,
}

impl Policy {
    /// The manager PIN: 5 free tries, then 1 minute doubling up to an hour.
    pub const PIN: Policy =
        Policy { free_tries: 5, first_wait_secs: 60, max_wait_secs: 3600, forget_after_secs: None };

    /// The kiosk's booking lookup: 5 free tries, then 30 seconds doubling up to an hour.
    /// A found booking does not end the run (one's own code does not buy more guesses at
    /// a neighbour's); a quiet hour does.
    pub const KIOSK_LOOKUP: Policy =
        Policy { free_tries: 5, first_wait_secs: 30, max_wait_secs: 3600, forget_after_secs: Some(3600) };

    /// The kiosk's exit PIN: its own count, apart from the manager PIN's, so that
    /// guests guessing at the kiosk never lock the manager out of the staff window.
    pub const KIOSK_EXIT: Policy =
        Policy { free_tries: 3, first_wait_secs: 60, max_wait_secs: 3600, forget_after_secs: Some(3600) };

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

/// A throttle kept in memory, for one keypad. Its times are monotonic seconds
/// ([`crate::platform::clock::monotonic_secs`]): moving the PC's clock does not shorten a wait.
#[derive(Debug)]
pub struct Throttle {
    policy: Policy,
    state: Mutex<Run>,
}

/// Wrong tries in a row, when the last one was, and until when the next must wait.
#[derive(Debug, Default, Clone, Copy)]
struct Run {
    failures: u32,
    last: i64,
    until: i64,
}

impl Throttle {
    pub fn new(policy: Policy) -> Throttle {
        Throttle { policy, state: Mutex::new(Run::default()) }
    }

    /// Seconds to wait before the next try is looked at, or `None` to go ahead.
    pub fn wait(&self, now: i64) -> Option<u64> {
        let until = self.lock().until;
        (now < until).then(|| (until - now) as u64)
    }

    /// A wrong try: counts it, and starts a wait once the free tries are used. Returns
    /// the wrong tries in this run.
    pub fn failed(&self, now: i64) -> u32 {
        let mut s = self.lock();
        if self.policy.forget_after_secs.is_some_and(|quiet| s.failures > 0 && now - s.last >= quiet) {
            *s = Run::default();
        }
        s.failures += 1;
        s.last = now;
        if let Some(wait) = self.policy.wait_after(s.failures) {
            s.until = now + wait;
        }
        s.failures
    }

    /// Wrong tries in this run.
    pub fn failures(&self) -> u32 {
        self.lock().failures
    }

    /// Free tries left in this run.
    pub fn tries_left(&self) -> u32 {
        self.policy.tries_left(self.lock().failures)
    }

    /// A right try ends the run of wrong ones (not for keypads that must not be reset).
    pub fn succeeded(&self) {
        *self.lock() = Run::default();
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Run> {
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
    fn a_keypad_waits_longer_each_time_and_forgets_after_a_quiet_hour() {
        let t = Throttle::new(Policy::KIOSK_LOOKUP);
        for _ in 0..4 {
            t.failed(100);
            assert_eq!(t.wait(100), None);
        }
        assert_eq!(t.failed(100), 5);
        assert_eq!(t.wait(100), Some(30));
        assert_eq!(t.wait(129), Some(1));
        assert_eq!(t.wait(130), None);
        t.failed(130);
        assert_eq!(t.wait(130), Some(60), "doubled");
        t.failed(190);
        assert_eq!(t.wait(190), Some(120));
        // An hour without a wrong try: a new run.
        assert_eq!(t.failed(190 + 3600), 1);
        assert_eq!(t.wait(190 + 3600), None);
    }
}
