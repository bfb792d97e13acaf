//! SPLATS access control (docs/reference/splats-api.md, docs/reference/vendor-documents.md).
//!
//! - [`client`]: Bearer-authenticated HTTP with the rate-limit budget and read retries
//! - [`model`]: request and reply shapes, tolerant of fields we do not know
//! - [`ratelimit`]: 180/h for device status, 720/h for the rest, per token
//! - [`bulk`]: bulk member operations split to fit and polled to the end
//! - [`otqr`]: one-time QR payloads made locally from a member's TOTP seed
//! - [`ledger`]: what the client remembers (calls counted, a reset), kept by the desk
//!
//! What is stored from SPLATS lives in the desk: its areas and pass controllers in
//! `desk::cache::splats`, its histories in `desk::history::splats`, the seed reading in
//! `desk::guests::access::seed_reading`.

pub mod bulk;

pub mod client;
pub mod ledger;
pub mod model;
pub mod otqr;
pub mod ratelimit;

pub use client::{RetryPolicy, SplatsClient};
pub use ledger::CallLedger;
