//! The `uketsuke` binary as a user runs it: one test binary, one module per command
//! group, the fixtures in [`support`].

mod support;

mod audit;
mod board;
mod cli;
mod facility;
mod logs;
mod members;
mod roles;
