//! SESAME (CANDY HOUSE) smart locks through the cloud Web API.
//!
//! `sign` is the AES-CMAC signature, `tag` the history name, `device` the validated
//! UUID and secret key, `qr` the manager-key import, `client` the HTTP calls.
//! See `docs/reference/sesame-web-api.md` and `docs/sesame.md` for what is inferred.

pub mod client;
pub mod device;
pub mod qr;
pub mod sign;
pub mod tag;

pub use client::{Command, LockState, SesameClient, Status};
pub use device::{DeviceUuid, SecretKey};
