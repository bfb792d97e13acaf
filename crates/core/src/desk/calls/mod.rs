//! Metered cloud calls: every one counted before it is made, and what they cost.

pub mod billing;
pub mod meter;
