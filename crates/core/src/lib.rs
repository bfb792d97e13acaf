//! Uketsuke core: everything the app does that is not drawing pixels.
//!
//! The Tauri shell and the CLI are thin callers of this crate, so every capability
//! can be tested here against the simulator, a real SQLite file and a real keyring.
//!
//! Four layers, each using only those below it (checked by the architecture test):
//! - [`platform`]: what any program needs (errors, config, time, SQLite, secrets,
//!   HTTP, logs, images) and the plain data types every layer passes around;
//! - [`clouds`]: the wire clients of the three clouds, and nothing else (no SQL);
//! - [`desk`]: the front desk's nouns, their tables and their rules;
//! - [`workflows`]: what runs them together (sync, the worker, the reconciler,
//!   settings, the overview, the doctor, the support bundle).
//!
//! Facility mode (the shared PostgreSQL) is its own crate, `uketsuke-facility`, built
//! on this one: the desk builds and runs without PostgreSQL, TLS or AEAD.

pub mod clouds;
pub mod desk;
pub mod platform;
pub mod workflows;

pub use platform::config::Config;
pub use platform::error::{Error, Result};
pub use platform::i18n::Lang;
