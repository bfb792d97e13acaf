//! SPLATS rate limits, kept on our side so that we slow down before the cloud says 429.
//!
//! SPLATS counts calls per access token over 60 minutes: 180 for the device-status API,
//! 720 for everything else. We do not know where its window starts, so we count our
//! own calls in a fixed window and let the cloud correct us: every reply's
//! `X-Rate-Limit-Remaining` replaces our count, and `X-Rate-Limit-Reset` (sent only
//! while limited) blocks the class until then.
//!
//! In a facility the other PCs spend the same token. Their calls reach us as a running
//! count ([`Budget::others`], from the facility's meter); what they made since the
//! cloud last told us its count is added to ours, so this PC slows down before the
//! cloud has to say 429 to any of them.

use reqwest::header::HeaderMap;
use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::{Arc, LazyLock, Mutex};
use std::time::{Duration, Instant};

/// Which counter a call uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Class {
    /// `GET /v1/devices/passes/{id}/status` (and the key-box status).
    Status,
    Other,
}

impl Class {
    pub fn limit(self) -> u32 {
        match self {
            Class::Status => 180,
            Class::Other => 720,
        }
    }

    pub fn of_path(path: &str) -> Class {
        if path.starts_with("/v1/devices/") && path.ends_with("/status") {
            Class::Status
        } else {
            Class::Other
        }
    }
}

pub const WINDOW: Duration = Duration::from_secs(3600);

/// The rate-limit headers of one reply.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct RateHeaders {
    pub limit: Option<u32>,
    pub remaining: Option<u32>,
    pub reset_secs: Option<u64>,
}

impl RateHeaders {
    pub fn read(headers: &HeaderMap) -> RateHeaders {
        let num = |name: &str| {
            headers.get(name).and_then(|v| v.to_str().ok()).and_then(|v| v.trim().parse::<u64>().ok())
        };
        let count = |name: &str| num(name).map(|n| n.min(u64::from(u32::MAX)) as u32);
        RateHeaders {
            limit: count("x-rate-limit-limit"),
            remaining: count("x-rate-limit-remaining"),
            // Huge, negative or garbled resets are clamped or ignored (http::wait_secs).
            reset_secs: headers
                .get("x-rate-limit-reset")
                .and_then(|v| crate::platform::http::wait_secs(v.as_bytes())),
        }
    }
}

#[derive(Debug, Clone, Copy)]
struct Window {
    started: Instant,
    used: u32,
    limit: u32,
    blocked_until: Option<Instant>,
    /// Out of calls by count, with no reset time known: one call may go and ask.
    probing: bool,
    /// The other PCs' running count of calls as last heard, and what it was when the
    /// cloud's count (or a new window) last set ours: the difference is theirs since.
    others_seen: u64,
    others_base: u64,
}

impl Window {
    /// Ours and, in a facility, the other PCs' since the cloud last counted for us.
    fn spent(&self) -> u32 {
        let theirs = self.others_seen.saturating_sub(self.others_base);
        self.used.saturating_add(u32::try_from(theirs).unwrap_or(u32::MAX))
    }
}

/// The calls left for one token.
#[derive(Debug)]
pub struct Budget {
    window: Duration,
    classes: HashMap<Class, Window>,
}

impl Default for Budget {
    fn default() -> Self {
        Budget::with_window(WINDOW)
    }
}

impl Budget {
    pub fn with_window(window: Duration) -> Budget {
        Budget { window, classes: HashMap::new() }
    }

    fn current(&mut self, class: Class, now: Instant) -> &mut Window {
        let window = self.window;
        let w = self.classes.entry(class).or_insert(Window {
            started: now,
            used: 0,
            limit: class.limit(),
            blocked_until: None,
            probing: false,
            others_seen: 0,
            others_base: 0,
        });
        if now.duration_since(w.started) >= window {
            *w = Window {
                started: now,
                used: 0,
                limit: w.limit,
                blocked_until: w.blocked_until,
                probing: false,
                others_seen: w.others_seen,
                others_base: w.others_seen,
            };
        }
        if w.blocked_until.is_some_and(|t| t <= now) {
            w.blocked_until = None;
        }
        w
    }

    /// Takes one call, or says how long until one is free.
    ///
    /// When our count is spent but the cloud has not said when its window resets (it
    /// sends `X-Rate-Limit-Reset` only with a 429), one call is let through to ask:
    /// its 429 costs nothing and tells us exactly how long to wait.
    pub fn take(&mut self, class: Class, now: Instant) -> Result<(), Duration> {
        let window = self.window;
        let w = self.current(class, now);
        if let Some(until) = w.blocked_until {
            return Err(until - now);
        }
        if w.spent() >= w.limit {
            if w.probing {
                return Err((w.started + window).saturating_duration_since(now));
            }
            w.probing = true;
            return Ok(());
        }
        w.used += 1;
        Ok(())
    }

    /// [`Budget::take`] for a call with an effect (a write, a door command): when none
    /// are left it never goes to ask, so that SPLATS never refuses a write we knew it
    /// would refuse. Only a read may be the one call that learns the reset.
    pub fn take_write(&mut self, class: Class, now: Instant) -> Result<(), Duration> {
        let window = self.window;
        let w = self.current(class, now);
        if w.blocked_until.is_none() && w.spent() >= w.limit {
            return Err((w.started + window).saturating_duration_since(now).max(Duration::from_secs(1)));
        }
        self.take(class, now)
    }

    /// Lets the cloud's own count correct ours.
    pub fn observe(&mut self, class: Class, h: RateHeaders, now: Instant) {
        let window = self.window;
        let w = self.current(class, now);
        w.probing = false;
        if let Some(limit) = h.limit.filter(|l| *l > 0) {
            w.limit = limit;
        }
        if let Some(remaining) = h.remaining {
            // The cloud's count holds every PC's calls so far.
            w.used = w.limit.saturating_sub(remaining);
            w.others_base = w.others_seen;
        }
        if let Some(secs) = h.reset_secs {
            // The cloud's window ends then: ours is moved to end at the same moment.
            let reset = now
                .checked_add(Duration::from_secs(secs.min(crate::platform::http::MAX_WAIT_SECS)))
                .unwrap_or(now);
            w.blocked_until = Some(reset);
            if let Some(started) = reset.checked_sub(window) {
                w.started = started;
            }
        }
    }

    /// Until when the class is blocked (a reset the cloud named, or none left).
    pub fn blocked_until(&mut self, class: Class, now: Instant) -> Option<Instant> {
        self.current(class, now).blocked_until
    }

    /// Blocks the class until `until` (a reset another process of this PC learnt).
    pub fn block(&mut self, class: Class, until: Instant, now: Instant) {
        let w = self.current(class, now);
        if until > now && w.blocked_until.is_none_or(|b| b < until) {
            w.blocked_until = Some(until);
        }
    }

    /// Calls left in the current window, by our count (the other PCs' included).
    pub fn remaining(&mut self, class: Class, now: Instant) -> u32 {
        let w = self.current(class, now);
        w.limit.saturating_sub(w.spent())
    }

    /// The other PCs' running count of calls with this token (today's, from the
    /// facility's meter). A count that went down began a new day: counted from there.
    pub fn others(&mut self, class: Class, total: u64, now: Instant) {
        let w = self.current(class, now);
        if total < w.others_seen {
            // What they had made since the cloud's count stays counted (as ours).
            let theirs = w.others_seen.saturating_sub(w.others_base);
            w.used = w.used.saturating_add(u32::try_from(theirs).unwrap_or(u32::MAX));
            w.others_base = total;
        }
        w.others_seen = total;
    }
}

static BUDGETS: LazyLock<Mutex<HashMap<u64, Arc<Mutex<Budget>>>>> = LazyLock::new(Default::default);

/// The budget shared by every client in this process that uses the same token. Keyed
/// by a hash so that the token itself is not kept here.
pub fn for_token(base_url: &str, token: &str) -> Arc<Mutex<Budget>> {
    let mut h = DefaultHasher::new();
    (base_url, token).hash(&mut h);
    BUDGETS.lock().expect("budget registry").entry(h.finish()).or_default().clone()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_other_pcs_calls_count_until_the_cloud_counts_them() {
        let now = Instant::now();
        let mut b = Budget::default();
        b.others(Class::Status, 100, now); // what they made before we heard
        assert_eq!(b.remaining(Class::Status, now), 180 - 100);
        for _ in 0..10 {
            b.take(Class::Status, now).unwrap();
        }
        b.others(Class::Status, 170, now);
        assert_eq!(b.remaining(Class::Status, now), 0, "ours 10, theirs 170");
        assert!(b.take(Class::Status, now).is_ok(), "one call may go and ask");
        assert!(b.take(Class::Status, now).is_err());
        // The cloud says 60 are left: its count holds everyone's; theirs start again.
        b.observe(Class::Status, RateHeaders { limit: None, remaining: Some(60), reset_secs: None }, now);
        assert_eq!(b.remaining(Class::Status, now), 60);
        b.others(Class::Status, 175, now);
        assert_eq!(b.remaining(Class::Status, now), 55);
        b.others(Class::Status, 3, now); // a new day: their count began again
        assert_eq!(b.remaining(Class::Status, now), 55);
        b.others(Class::Status, 8, now);
        assert_eq!(b.remaining(Class::Status, now), 50);
    }

    #[test]
    fn status_calls_have_their_own_smaller_budget() {
        assert_eq!(Class::of_path("/v1/devices/passes/p1/status"), Class::Status);
        assert_eq!(Class::of_path("/v1/devices/passes"), Class::Other);
        let mut b = Budget::default();
        let now = Instant::now();
        for _ in 0..180 {
            b.take(Class::Status, now).unwrap();
        }
        b.take(Class::Status, now).expect("one call may go and ask the cloud");
        let wait = b.take(Class::Status, now).unwrap_err();
        assert!(wait > Duration::from_secs(3590));
        assert!(b.take(Class::Other, now).is_ok(), "the other class is untouched");
        assert!(b.take(Class::Status, now + WINDOW).is_ok(), "a new window starts afresh");
    }

    #[test]
    fn the_cloud_count_wins() {
        let mut b = Budget::default();
        let now = Instant::now();
        b.observe(Class::Other, RateHeaders { limit: Some(720), remaining: Some(2), reset_secs: None }, now);
        assert_eq!(b.remaining(Class::Other, now), 2);
        b.observe(
            Class::Other,
            RateHeaders { limit: Some(720), remaining: Some(0), reset_secs: Some(5) },
            now,
        );
        assert_eq!(b.take(Class::Other, now).unwrap_err(), Duration::from_secs(5));
        assert!(b.take(Class::Other, now + Duration::from_secs(5)).is_ok(), "the cloud's window has reset");
    }

    #[test]
    fn none_remaining_sends_no_write_and_one_read_to_learn_the_reset() {
        let mut b = Budget::default();
        let now = Instant::now();
        b.observe(Class::Other, RateHeaders { limit: Some(720), remaining: Some(0), reset_secs: None }, now);
        let wait = b.take_write(Class::Other, now).unwrap_err();
        assert!(wait > Duration::from_secs(3590), "{wait:?}");
        assert!(b.take(Class::Other, now).is_ok(), "one read may ask");
        assert!(b.take(Class::Other, now).is_err(), "only one");
        assert!(b.take_write(Class::Other, now + WINDOW).is_ok(), "the next window has calls");
    }

    #[test]
    fn a_reset_learnt_elsewhere_blocks_here_too() {
        let mut b = Budget::default();
        let now = Instant::now();
        b.block(Class::Other, now + Duration::from_secs(30), now);
        assert_eq!(b.take(Class::Other, now).unwrap_err(), Duration::from_secs(30));
        assert!(b.take(Class::Other, now + Duration::from_secs(30)).is_ok());
    }

    #[test]
    fn a_huge_or_garbled_reset_is_clamped() {
        let mut h = HeaderMap::new();
        h.insert("X-Rate-Limit-Reset", "18446744073709551615".parse().unwrap());
        let r = RateHeaders::read(&h);
        assert_eq!(r.reset_secs, Some(crate::platform::http::MAX_WAIT_SECS));
        let mut b = Budget::default();
        b.observe(Class::Other, RateHeaders { reset_secs: Some(u64::MAX), ..r }, Instant::now());
        assert!(b.take(Class::Other, Instant::now()).unwrap_err() <= Duration::from_secs(3600));
        h.insert("X-Rate-Limit-Reset", "-30".parse().unwrap());
        assert_eq!(RateHeaders::read(&h).reset_secs, Some(0));
        h.insert("X-Rate-Limit-Reset", "later".parse().unwrap());
        assert_eq!(RateHeaders::read(&h).reset_secs, None);
    }

    #[test]
    fn reads_headers() {
        let mut h = HeaderMap::new();
        h.insert("X-Rate-Limit-Limit", "720".parse().unwrap());
        h.insert("X-Rate-Limit-Remaining", "17".parse().unwrap());
        assert_eq!(
            RateHeaders::read(&h),
            RateHeaders { limit: Some(720), remaining: Some(17), reset_secs: None }
        );
    }
}
