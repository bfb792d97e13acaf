//! Uketsuke core: everything the app does that is not drawing pixels.
//!
//! The Tauri shell and the CLI are thin callers of this crate, so every capability
//! can be tested here against the simulator, a real SQLite file and a real keyring.

pub mod alerts;
pub mod audit;
pub mod billing;
pub mod clock;
pub mod config;
pub mod db;
pub mod doctor;
pub mod doors;
pub mod error;
pub mod facility;
pub mod guests;
pub mod history;
pub mod http;
pub mod i18n;
pub mod keys;
pub mod lock;
pub mod logs;
pub mod manager;
pub mod members;
pub mod meter;
pub mod model;
pub mod outbox;
pub mod overview;
pub mod picture;
pub mod qr;
pub mod reconcile;
pub mod reservation;
pub mod secrets;
pub mod sesame;
pub mod settings;
pub mod splats;
pub mod store;
pub mod support;
pub mod sync;
pub mod throttle;
pub mod worker;

pub use config::Config;
pub use error::{Error, Result};
pub use i18n::Lang;
