//! The wire clients of the three clouds: requests, replies, signing, paging and rate
//! limits. No SQL: what a client must remember (calls counted, a rate-limit reset) it
//! asks of a trait the desk implements.

pub mod reservation;
pub mod sesame;
pub mod splats;
