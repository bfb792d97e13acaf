//! The top layer: what runs the desk's pieces together. The sync with the reservation
//! system, the background worker, the reconciler that makes SPLATS match the bookings,
//! the settings screens' actions, a stay changed at the counter, the overview, the doctor and the support bundle.

pub mod all_doors;
pub mod doctor;
pub mod overview;
pub mod pass;
pub mod reconcile;
pub mod settings;
pub mod stay;
pub mod support;
pub mod sync;
pub mod worker;
