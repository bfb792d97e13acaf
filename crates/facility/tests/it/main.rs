//! The facility's integration tests: one binary, each module against a throwaway
//! PostgreSQL started by the test (`uketsuke_sim::postgres`), the clouds simulated
//! over loopback HTTP, every PC with its own SQLite file.

mod join;
mod roles;
mod tls;
mod two_pcs;
