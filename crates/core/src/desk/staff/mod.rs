//! Who is at the counter: the manager's PIN and session, and the rule that spaces out
//! wrong tries (shared with the kiosk keypad).

pub mod manager;
pub mod role;
pub mod throttle;
