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
use crate::splats::{self, SplatsClient};
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

/// The app as registered in the reservation system, for signing in: the client
/// secret comes from the keyring.
pub fn oauth_client(config: &Config, secrets: &dyn SecretStore) -> Result<crate::reservation::oauth::OAuthClient> {
    let r = &config.reservation;
    let base_url = r.base_url.clone().ok_or_else(|| Error::config("reservation.base_url", "not set"))?;
    let client_id = r.client_id.clone().ok_or_else(|| Error::config("reservation.client_id", "not set"))?;
    Ok(crate::reservation::oauth::OAuthClient {
        base_url,
        client_id,
        client_secret: secrets.require(names::RESERVATION_CLIENT_SECRET)?,
        redirect_uri: r.redirect_uri().to_string(),
    })
}

/// Signs in to the reservation system (see [`crate::reservation::oauth`]) and audits
/// the outcome; the token goes to the keyring, its expiry (if any) to the cache.
pub async fn sign_in(
    conn: &tokio::sync::Mutex<Connection>,
    config: &Config,
    secrets: &dyn SecretStore,
    open: impl FnOnce(&str) -> Result<()>,
    actor: &str,
) -> Result<crate::reservation::oauth::SignedIn> {
    let client = oauth_client(config, secrets)?;
    let result = client.sign_in(secrets, open, crate::reservation::oauth::DEFAULT_TIMEOUT, clock::now_unix()).await;
    let conn = conn.lock().await;
    if let Ok(signed) = &result {
        let expires = signed.expires_at.map(|t| t.to_string()).unwrap_or_default();
        crate::db::set_meta(&conn, "reservation.token_expires_at", &expires)?;
    }
    let event = AuditEvent::new(actor, "reservation.sign_in", None, result.is_ok())
        .with_detail(serde_json::json!({ "error": result.as_ref().err().map(|e| e.code()) }));
    audit::record(&conn, &event)?;
    result
}

/// What a SPLATS sync changed.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct SplatsReport {
    pub areas: splats::cache::Changes,
    pub passes: splats::cache::Changes,
    pub histories: splats::history::Report,
}

/// Caches SPLATS areas and pass controllers, then pulls new histories. Areas and
/// passes are replaced in one transaction each; histories page by page (see
/// [`splats::history`]), so an interrupted run resumes where it stopped.
pub async fn splats(conn: &mut Connection, client: &SplatsClient, config: &Config, actor: &str) -> Result<SplatsReport> {
    let started = Instant::now();
    let mut report = SplatsReport::default();
    let result = splats_steps(conn, client, config, &mut report).await;
    let mut detail = serde_json::to_value(&report).unwrap_or_default();
    if let Err(e) = &result {
        detail["error"] = e.code().into();
    }
    let event = AuditEvent::new(actor, "sync.splats", None, result.is_ok())
        .with_latency_ms(started.elapsed().as_millis() as i64)
        .with_detail(detail);
    audit::record(conn, &event)?;
    result.map(|()| report)
}

async fn splats_steps(conn: &mut Connection, client: &SplatsClient, config: &Config, report: &mut SplatsReport) -> Result<()> {
    let areas = client.areas().await?;
    let passes = client.passes().await?;
    let now = clock::now_unix();
    report.areas = splats::cache::save_areas(conn, &areas, now)?;
    report.passes = splats::cache::save_passes(conn, &passes, now)?;
    // Bound the range by the server's clock, not a PC that may be off.
    let server_now = now + client.clock_offset().unwrap_or(0);
    let opts = splats::history::Options::from(&config.splats);
    if let Some(o) = client.clock_offset() {
        crate::db::set_meta(conn, crate::guests::access::CLOCK_OFFSET, &o.to_string())?;
    }
    report.histories = splats::history::sync(conn, client, &opts, server_now).await?;
    Ok(())
}

/// What a guest sync changed, per store.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct GuestsReport {
    pub stores: Vec<(String, crate::guests::DayChanges)>,
    /// Bookings that vanished upstream; their access should be revoked.
    pub cancelled: Vec<String>,
}

/// Pulls today's reservations (JST) of every active store; each store's day is
/// replaced in one transaction, bookings that vanished are marked cancelled.
pub async fn guests_today(conn: &mut Connection, client: &ReservationClient, actor: &str, now: i64) -> Result<GuestsReport> {
    let started = Instant::now();
    let mut report = GuestsReport::default();
    let result = guests_steps(conn, client, now, &mut report).await;
    let mut detail = serde_json::to_value(&report).unwrap_or_default();
    if let Err(e) = &result {
        detail["error"] = e.code().into();
    }
    let event = AuditEvent::new(actor, "sync.guests", None, result.is_ok()).with_latency_ms(started.elapsed().as_millis() as i64).with_detail(detail);
    audit::record(conn, &event)?;
    result.map(|()| report)
}

async fn guests_steps(conn: &mut Connection, client: &ReservationClient, now: i64, report: &mut GuestsReport) -> Result<()> {
    let date = crate::guests::jst_date(now);
    let day = crate::guests::day_start(now);
    for s in store::list_stores(conn)? {
        let guests = client.reservations(&s.id, &date).await?;
        let (changes, gone) = crate::guests::replace_day(conn, &s.id, day, &guests, clock::now_unix())?;
        report.stores.push((s.id, changes));
        report.cancelled.extend(gone);
    }
    Ok(())
}

/// Builds the SPLATS client from the config and the keyring.
pub fn splats_client(config: &Config, secrets: &dyn SecretStore) -> Result<SplatsClient> {
    let token = secrets.require(names::SPLATS_TOKEN)?;
    let retry = splats::RetryPolicy {
        max_wait: std::time::Duration::from_secs(config.splats.max_rate_wait_secs),
        ..splats::RetryPolicy::default()
    };
    Ok(SplatsClient::new(config.splats_url(), token).with_retry(retry))
}
