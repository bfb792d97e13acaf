//! Fixtures the test modules share.

pub mod desk;
