//! The shell's commands, one file per concept (the same names as core's), each command
//! a few lines over core. `list.rs` lists them all with their signatures.

#[macro_use]
mod list;
pub mod all_doors;
pub mod app;
pub mod doors;
pub mod facility;
pub mod guests;
pub mod handover;
pub mod history;
pub mod keys;
pub mod kiosk;
pub mod members;
pub mod passes;
pub mod settings;
mod signature;
