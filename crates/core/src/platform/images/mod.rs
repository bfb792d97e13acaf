//! Pictures in and out: a picked file read without trusting it, and QR codes drawn.

pub mod picture;
pub mod qr;
