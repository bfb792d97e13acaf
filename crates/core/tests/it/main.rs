//! Core's integration tests: one binary (one link of core and the simulator), one
//! module per capability, each against the simulator over loopback HTTP and SQLite on
//! a real file. Shared fixtures are in [`support`].

mod support;

mod all_doors;
mod architecture;
mod audit_chain;
mod doctor;
mod door_rights;
mod door_rights_model;
mod guests_access;
mod handover;
mod history;
mod hostile_input;
mod keys;
mod live_front_desk;
mod members;
mod pass_doors;
mod printed_pass;
mod real_tenants;
mod reservation_oauth;
mod reservation_sync;
mod secrets_in_memory;
mod sesame_lock;
mod splats_sync;
mod stay_at_counter;
