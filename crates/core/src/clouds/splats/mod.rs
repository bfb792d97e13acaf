//! SPLATS access control (docs/reference/splats-api.md, docs/reference/vendor-documents.md).
//!
//! - [`client`]: Bearer-authenticated HTTP with the rate-limit budget and read retries
//! - [`model`]: request and reply shapes, tolerant of fields we do not know
//! - [`ratelimit`]: 180/h for device status, 720/h for the rest, per token
//! - [`history`]: incremental, resumable history sync into SQLite
//! - [`bulk`]: bulk member operations split to fit and polled to the end
//! - [`otqr`]: one-time QR payloads made locally from a member's TOTP seed
//! - [`seed_reading`]: which reading of `totp_seed` the readers use, asked of SPLATS
//! - [`cache`]: areas and pass controllers in SQLite, mapped onto the app's areas

pub mod bulk;

pub mod client;
pub mod history;
pub mod model;
pub mod otqr;
pub mod ratelimit;
pub mod seed_reading;

pub use client::{RetryPolicy, SplatsClient};
