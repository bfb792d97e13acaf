//! Metered cloud calls: every one counted before it is made, and what they cost.

pub mod billing;
pub mod meter;

use crate::clouds::splats::SplatsClient;
use crate::desk::staff::role::{self, Deed};
use crate::platform::{config::Config, db::Db, error::Result, secrets::SecretStore};

/// The SPLATS client as configured, the one way the desk makes one: refused to a role
/// that may not spend (a head office), its calls counted per day in `db` when given.
pub fn splats(config: &Config, secrets: &dyn SecretStore, db: Option<Db>) -> Result<SplatsClient> {
    role::require(config, Deed::Spend)?;
    let client = SplatsClient::from_config(config, secrets)?;
    Ok(match db {
        Some(db) => client.with_meter(db),
        None => client,
    })
}
