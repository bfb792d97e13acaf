//! Sync: pull what the clouds know into the SQLite cache.
//!
//! Network first, then one transaction: a dead network or a broken reply half-way
//! leaves the cache untouched, and every run is recorded in the audit log.

use crate::audit::{self, AuditEvent};
use crate::clock;
use crate::config::Config;
use crate::error::{Error, Result};
use crate::reservation::ReservationClient;
use crate::secrets::{names, SecretStore};
use crate::store::{self, Changes};
use rusqlite::Connection;
use std::time::Instant;

/// Fetches every store and its areas, then replaces the cached copy in one go.
pub async fn stores_and_areas(conn: &mut Connection, client: &ReservationClient, actor: &str) -> Result<Changes> {
    let started = Instant::now();
    let result = fetch_and_replace(conn, client).await;
    let event = AuditEvent::new(actor, "sync.stores_areas", None, result.is_ok())
        .with_latency_ms(started.elapsed().as_millis() as i64)
        .with_detail(match &result {
            Ok(c) => serde_json::to_value(c).unwrap_or_default(),
            Err(e) => serde_json::json!({ "error": e.code() }),
        });
    audit::record(conn, &event)?;
    result
}

async fn fetch_and_replace(conn: &mut Connection, client: &ReservationClient) -> Result<Changes> {
    let stores = client.stores().await?;
    let mut areas = Vec::new();
    for s in &stores {
        areas.extend(client.areas(&s.id).await?);
    }
    store::replace_from_reservation(conn, &stores, &areas, clock::now_unix())
}

/// Builds the reservation client from the config and the keyring.
pub fn reservation_client(config: &Config, secrets: &dyn SecretStore) -> Result<ReservationClient> {
    let base = config
        .reservation
        .base_url
        .as_deref()
        .ok_or_else(|| Error::config("reservation.base_url", "not set"))?;
    let token = secrets.require(names::RESERVATION_TOKEN)?;
    Ok(ReservationClient::new(base, token))
}
