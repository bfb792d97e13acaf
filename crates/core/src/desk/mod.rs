//! The front desk's nouns, their tables and their rules: stores and guests in the
//! cache, doors with both kinds of lock, keys, members, staff and their handover notes, calls and their cost,
//! the audit log and the history. Uses the platform and the cloud clients.

pub mod alerts;
pub mod audit;
pub mod cache;
pub mod calls;
pub mod doors;
pub mod guests;
pub mod handover;
pub mod history;
pub mod keys;
pub mod members;
pub mod outbox;
pub mod staff;
