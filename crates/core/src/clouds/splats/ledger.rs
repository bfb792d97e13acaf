//! What the SPLATS client must remember beyond one call, asked of whoever keeps it.
//!
//! The client counts each call that reached SPLATS (for the reports and the shared
//! budget of a facility) and keeps a rate-limit reset so that the next process waits
//! for it too. Storing is not a wire client's business: the desk implements this trait
//! on its SQLite database (`desk::calls::meter`), and a client without one remembers
//! nothing. Each method is a short read or write made before or after a call, never
//! held across one.

use crate::platform::error::Result;
use std::future::Future;
use std::pin::Pin;

/// A boxed future, so that the trait can be used as `dyn`.
pub type Pending<'a, T> = Pin<Box<dyn Future<Output = Result<T>> + Send + 'a>>;

pub trait CallLedger: Send + Sync + std::fmt::Debug {
    /// One call of `kind` (`status` or `other`) reached SPLATS at `now`.
    fn count(&self, kind: &'static str, now: i64) -> Pending<'_, ()>;
    /// The other PCs' calls of `kind` on the day of `now` (in a facility; else 0).
    fn others_today(&self, kind: &'static str, now: i64) -> Pending<'_, u64>;
    /// Keeps `value` under `key` for the next process.
    fn keep(&self, key: String, value: String) -> Pending<'_, ()>;
    /// What was kept under `key`.
    fn kept(&self, key: String) -> Pending<'_, Option<String>>;
}
