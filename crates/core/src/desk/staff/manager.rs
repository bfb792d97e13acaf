//! Roles: reception staff, and the manager who may change settings.
//!
//! Manager actions need the manager PIN. Only its argon2 hash is kept (in SQLite);
//! wrong tries are counted there too, so restarting the app does not reset the limit:
//! after [`Policy::PIN`]'s free tries each further try waits, doubling from a minute up to an hour
//! (the rule is [`crate::desk::staff::throttle`]'s, shared with the kiosk keypad).
//! A manager [`Session`] ends by itself after a few idle minutes and the window falls
//! back to staff.

use crate::desk::audit::{self, AuditEvent};
use crate::desk::staff::throttle::Policy;
use crate::platform::db::{self, Connection};
use crate::platform::error::{Code, Error, Result};
use argon2::password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use serde::Serialize;

const HASH_KEY: &str = "manager.pin_hash";
const FAILURES_KEY: &str = "manager.pin_failures";

/// Who is acting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Staff,
    Manager,
}

/// A PIN is 4 to 12 digits: typed on a keypad at the counter or the kiosk.
pub fn check_pin_shape(pin: &str) -> Result<()> {
    let n = pin.chars().count();
    if !(4..=12).contains(&n) || !pin.chars().all(|c| c.is_ascii_digit()) {
        return Err(Error::invalid(
            Code::PinFormat,
            "PIN は 4〜12 桁の数字にしてください",
            "the PIN must be 4 to 12 digits",
        ));
    }
    Ok(())
}

pub fn pin_is_set(conn: &Connection) -> Result<bool> {
    Ok(db::get_meta(conn, HASH_KEY)?.is_some())
}

/// The first PIN, chosen where none exists yet (a kiosk PC's first start, before any
/// guest sees it): refused once one is set, so the kiosk can never replace it.
pub fn set_first_pin(conn: &Connection, pin: &str, actor: &str) -> Result<()> {
    if pin_is_set(conn)? {
        return Err(Error::invalid(
            Code::ManagerRequired,
            "管理者 PIN はすでに決まっています。変更は受付画面の設定から行ってください",
            "a manager PIN is set already: change it in the staff window's settings",
        ));
    }
    set_pin(conn, pin, actor)
}

/// The kiosk covers the staff window, and only the manager PIN brings it back: with no
/// PIN chosen, no kiosk (the window asks for one first).
pub fn require_pin_for_kiosk(conn: &Connection) -> Result<()> {
    if pin_is_set(conn)? {
        return Ok(());
    }
    Err(Error::invalid(
        Code::PinNotSet,
        "キオスクを開く前に管理者 PIN を決めてください。キオスクから受付画面に戻るときに使います",
        "choose a manager PIN before opening the kiosk: it is what brings the staff window back",
    ))
}

/// Sets or replaces the PIN. The caller decides who may: anyone on first setup (no PIN
/// yet), otherwise a manager in an active session.
pub fn set_pin(conn: &Connection, pin: &str, actor: &str) -> Result<()> {
    check_pin_shape(pin)?;
    let salt = SaltString::generate(&mut OsRng);
    let hash = Argon2::default()
        .hash_password(pin.as_bytes(), &salt)
        .map_err(|e| {
            Error::invalid(
                Code::Internal,
                format!("PIN を保存できません: {e}"),
                format!("cannot store the PIN: {e}"),
            )
        })?
        .to_string();
    let tx = conn.unchecked_transaction()?;
    db::set_meta(&tx, HASH_KEY, &hash)?;
    db::set_meta(&tx, FAILURES_KEY, "0")?;
    audit::record(&tx, &AuditEvent::new(actor, "settings.manager_pin", None, true))?;
    tx.commit()?;
    Ok(())
}

/// Compares a PIN with the manager's without counting it against the manager's tries:
/// for the kiosk's exit, which keeps its own count ([`Policy::KIOSK_EXIT`]), so that
/// guesses at the kiosk never lock the manager out of the staff window.
pub fn pin_matches(conn: &Connection, pin: &str) -> Result<bool> {
    let hash = db::get_meta(conn, HASH_KEY)?.ok_or(Error::PinNotSet)?;
    let parsed = PasswordHash::new(&hash).map_err(|_| Error::PinNotSet)?;
    Ok(Argon2::default().verify_password(pin.as_bytes(), &parsed).is_ok())
}

/// When the current wait on the manager PIN started, on this process's monotonic clock.
/// Kept in memory: after a restart a pending wait starts over in full, so neither a
/// restart nor a moved PC clock shortens it.
#[derive(Debug, Default)]
pub struct PinLock(std::sync::Mutex<Option<i64>>);

/// Checks a PIN, counting wrong ones in the database. `now` is monotonic seconds
/// ([`crate::platform::clock::monotonic_secs`]). While tries are spaced out the PIN is not even
/// compared, so guessing faster does not help.
pub fn verify_pin(conn: &Connection, pin: &str, now: i64, lock: &PinLock, actor: &str) -> Result<()> {
    let hash = db::get_meta(conn, HASH_KEY)?.ok_or(Error::PinNotSet)?;
    let failures = meta_i64(conn, FAILURES_KEY)? as u32;
    let mut started = lock.0.lock().unwrap_or_else(|p| p.into_inner());
    if let Some(wait) = Policy::PIN.wait_after(failures) {
        let from = *started.get_or_insert(now);
        if now < from + wait {
            return Err(Error::PinLocked { retry_after_secs: (from + wait - now) as u64 });
        }
    }
    let parsed = PasswordHash::new(&hash).map_err(|_| Error::PinNotSet)?;
    let ok = Argon2::default().verify_password(pin.as_bytes(), &parsed).is_ok();
    let tx = conn.unchecked_transaction()?;
    let result = if ok {
        db::set_meta(&tx, FAILURES_KEY, "0")?;
        *started = None;
        Ok(())
    } else {
        let failures = failures + 1;
        db::set_meta(&tx, FAILURES_KEY, &failures.to_string())?;
        match Policy::PIN.wait_after(failures) {
            Some(wait) => {
                *started = Some(now);
                Err(Error::PinLocked { retry_after_secs: wait as u64 })
            }
            None => Err(Error::PinWrong { tries_left: Policy::PIN.tries_left(failures) }),
        }
    };
    audit::record(&tx, &AuditEvent::new(actor, "manager.unlock", None, ok))?;
    tx.commit()?;
    result
}

fn meta_i64(conn: &Connection, key: &str) -> Result<i64> {
    Ok(db::get_meta(conn, key)?.and_then(|v| v.parse().ok()).unwrap_or(0))
}

/// A manager's unlocked session. Every manager action touches it; idle too long, it ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Session {
    last_activity: i64,
    idle_secs: i64,
}

impl Session {
    pub fn start(now: i64, idle_secs: u64) -> Session {
        Session { last_activity: now, idle_secs: idle_secs as i64 }
    }

    pub fn is_active(&self, now: i64) -> bool {
        now - self.last_activity < self.idle_secs
    }

    /// Seconds left before falling back to staff.
    pub fn remaining(&self, now: i64) -> i64 {
        (self.last_activity + self.idle_secs - now).max(0)
    }

    pub fn touch(&mut self, now: i64) {
        self.last_activity = now;
    }
}

/// Holds the session, if any, and the wait on the PIN; shared by every window of one
/// app. Its times are monotonic seconds: moving the clock back keeps no session alive.
#[derive(Debug, Default)]
pub struct Gate {
    session: std::sync::Mutex<Option<Session>>,
    pin_lock: PinLock,
}

/// What the UI shows about the role.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct RoleStatus {
    pub role: Role,
    pub pin_set: bool,
    /// Seconds before a manager session falls back to staff.
    pub remaining_secs: Option<i64>,
}

impl Gate {
    /// The manager's PIN ([`verify_pin`]), then a session.
    pub fn unlock(&self, conn: &Connection, pin: &str, now: i64, idle_secs: u64, actor: &str) -> Result<()> {
        verify_pin(conn, pin, now, &self.pin_lock, actor)?;
        self.open(now, idle_secs);
        Ok(())
    }

    pub fn open(&self, now: i64, idle_secs: u64) {
        *self.session.lock().unwrap() = Some(Session::start(now, idle_secs));
    }

    pub fn close(&self) {
        *self.session.lock().unwrap() = None;
    }

    /// Ok (and the idle clock restarts) only inside an active manager session.
    pub fn require(&self, now: i64) -> Result<()> {
        let mut guard = self.session.lock().unwrap();
        match guard.as_mut() {
            Some(s) if s.is_active(now) => {
                s.touch(now);
                Ok(())
            }
            _ => {
                *guard = None;
                Err(Error::ManagerRequired)
            }
        }
    }

    pub fn status(&self, conn: &Connection, now: i64) -> Result<RoleStatus> {
        let mut guard = self.session.lock().unwrap();
        if guard.is_some_and(|s| !s.is_active(now)) {
            *guard = None;
        }
        Ok(RoleStatus {
            role: if guard.is_some() { Role::Manager } else { Role::Staff },
            pin_set: pin_is_set(conn)?,
            remaining_secs: guard.map(|s| s.remaining(now)),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pins_are_digits_and_stored_hashed() {
        let conn = db::open_in_memory().unwrap();
        assert!(set_pin(&conn, "12a4", "t").is_err());
        assert!(set_pin(&conn, "123", "t").is_err());
        set_pin(&conn, "2468", "t").unwrap();
        let stored = db::get_meta(&conn, HASH_KEY).unwrap().unwrap();
        assert!(stored.starts_with("$argon2id$") && !stored.contains("2468"));
        verify_pin(&conn, "2468", 0, &PinLock::default(), "t").unwrap();
        assert!(matches!(
            verify_pin(&conn, "1111", 0, &PinLock::default(), "t"),
            Err(Error::PinWrong { tries_left: 4 })
        ));
    }

    #[test]
    fn wrong_tries_are_spaced_out_and_a_restart_starts_the_wait_over() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db.sqlite3");
        let conn = db::open(&path).unwrap();
        set_pin(&conn, "2468", "t").unwrap();
        let lock = PinLock::default();
        for left in (1..Policy::PIN.free_tries).rev() {
            assert!(
                matches!(verify_pin(&conn, "0000", 100, &lock, "t"), Err(Error::PinWrong { tries_left }) if tries_left == left)
            );
        }
        assert!(matches!(
            verify_pin(&conn, "0000", 100, &lock, "t"),
            Err(Error::PinLocked { retry_after_secs: 60 })
        ));
        assert!(matches!(
            verify_pin(&conn, "2468", 130, &lock, "t"),
            Err(Error::PinLocked { retry_after_secs: 30 })
        ));
        // A restart (a new process: its monotonic clock starts near 0, the lock is new):
        // the wait starts over in full; even the right PIN waits and is not compared.
        drop(conn);
        let conn = db::open(&path).unwrap();
        let lock = PinLock::default();
        assert!(matches!(
            verify_pin(&conn, "2468", 5, &lock, "t"),
            Err(Error::PinLocked { retry_after_secs: 60 })
        ));
        assert!(matches!(
            verify_pin(&conn, "0000", 65, &lock, "t"),
            Err(Error::PinLocked { retry_after_secs: 120 })
        ));
        verify_pin(&conn, "2468", 185, &lock, "t").unwrap();
        assert!(
            matches!(verify_pin(&conn, "0000", 186, &lock, "t"), Err(Error::PinWrong { tries_left: 4 })),
            "success resets the count"
        );
    }

    #[test]
    fn an_idle_session_falls_back_to_staff() {
        let conn = db::open_in_memory().unwrap();
        let gate = Gate::default();
        assert!(matches!(gate.require(0), Err(Error::ManagerRequired)));
        gate.open(1000, 300);
        gate.require(1200).unwrap();
        gate.require(1450).unwrap(); // 250 s after the last action: still active
        assert_eq!(gate.status(&conn, 1500).unwrap().remaining_secs, Some(250));
        assert!(matches!(gate.require(1750), Err(Error::ManagerRequired)));
        assert_eq!(gate.status(&conn, 1751).unwrap().role, Role::Staff);
    }
}
