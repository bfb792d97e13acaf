//! Sync: the one use case that keeps the cache and the door rights true.
//!
//! [`run`] is what the 同期 button, `uketsuke sync`, `uketsuke watch` and the app's
//! background worker all call. Each cloud's result is reported on its own: one failing
//! neither hides nor stops the others. Every step fetches first and then writes in a
//! short transaction; no connection is held while waiting on the network.

use crate::clouds::reservation::ReservationClient;
use crate::clouds::splats::SplatsClient;
use crate::desk::audit::{self, AuditEvent};
use crate::desk::cache::{self, Changes};
use crate::desk::guests::{self, DayChanges};
use crate::desk::history;
use crate::desk::staff::role::{self, Deed};
use crate::platform::clock;
use crate::platform::config::Config;
use crate::platform::db::{self, Db};
use crate::platform::error::{Error, Result};
use crate::platform::secrets::{names, SecretStore};
use crate::workflows::reconcile::{self, Drained, Planned};
use crate::Lang;
use serde::Serialize;
use std::time::Instant;

/// Which parts of a sync to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Scope {
    /// Stores, areas and bookings from the reservation system.
    pub bookings: bool,
    /// SPLATS areas, pass controllers and new histories.
    pub splats: bool,
    /// Door rights reconciled with the bookings, and the outbox carried out.
    pub access: bool,
}

impl Scope {
    pub const ALL: Scope = Scope { bookings: true, splats: true, access: true };
    pub const BOOKINGS: Scope = Scope { bookings: true, splats: false, access: true };
    pub const SPLATS: Scope = Scope { bookings: false, splats: true, access: false };
    pub const ACCESS: Scope = Scope { bookings: false, splats: false, access: true };
}

/// An error as a report carries it: its code and both wordings, so that a window in
/// either language (or another process reading the saved status) can show it.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct Problem {
    pub code: crate::platform::error::Code,
    pub ja: String,
    pub en: String,
}

impl From<&Error> for Problem {
    fn from(e: &Error) -> Problem {
        Problem { code: e.code(), ja: e.message(Lang::Ja), en: e.message(Lang::En) }
    }
}

impl Problem {
    pub fn message(&self, lang: Lang) -> &str {
        if lang == Lang::En {
            &self.en
        } else {
            &self.ja
        }
    }
}

/// One cloud's part of a sync.
#[derive(Debug, Clone, Serialize)]
pub struct Outcome<T> {
    pub ok: bool,
    pub report: Option<T>,
    pub error: Option<Problem>,
}

impl<T> Outcome<T> {
    fn of(result: Result<T>) -> Outcome<T> {
        match result {
            Ok(r) => Outcome { ok: true, report: Some(r), error: None },
            Err(e) => Outcome { ok: false, report: None, error: Some(Problem::from(&e)) },
        }
    }
}

/// What one sync did, cloud by cloud; `None` where that cloud is not set up.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Report {
    pub started_at: i64,
    pub finished_at: i64,
    pub reservation: Option<Outcome<BookingsReport>>,
    pub splats: Option<Outcome<SplatsReport>>,
    pub access: Option<Outcome<AccessReport>>,
}

impl Report {
    /// Every part that ran succeeded.
    pub fn ok(&self) -> bool {
        self.reservation.as_ref().is_none_or(|o| o.ok)
            && self.splats.as_ref().is_none_or(|o| o.ok)
            && self.access.as_ref().is_none_or(|o| o.ok)
    }
}

/// Stores, areas and each store's bookings.
#[derive(Debug, Clone, Default, Serialize)]
pub struct BookingsReport {
    pub stores: Changes,
    pub days: Vec<StoreDay>,
}

/// One store's bookings of one day; a store that failed does not stop the others.
#[derive(Debug, Clone, Serialize)]
pub struct StoreDay {
    pub store_id: String,
    pub date: String,
    pub changes: Option<DayChanges>,
    pub error: Option<Problem>,
}

/// The reconciler's plan and what the outbox runner did with it.
#[derive(Debug, Clone, Default, Serialize)]
pub struct AccessReport {
    pub planned: Planned,
    pub drained: Drained,
    /// Ops still waiting after this sync.
    pub waiting: i64,
}

/// Syncs what `scope` names with every cloud that is set up, one after the other.
pub async fn run(db: &Db, config: &Config, secrets: &dyn SecretStore, scope: Scope, actor: &str) -> Report {
    run_at(db, config, secrets, scope, actor, clock::now_unix()).await
}

/// [`run`] as of `now`: which day's bookings to fetch and which door rights are due
/// follow it (the business-day benchmark drives a worker through simulated hours).
/// Times of the SPLATS servers still come from this PC's clock and their offset.
pub async fn run_at(
    db: &Db,
    config: &Config,
    secrets: &dyn SecretStore,
    scope: Scope,
    actor: &str,
    now: i64,
) -> Report {
    let mut report = Report { started_at: now, ..Report::default() };
    if scope.bookings && config.reservation.base_url.is_some() {
        let mut outcome = Outcome::of(bookings(db, config, secrets, actor, now).await);
        // A store whose bookings failed makes the whole part fail, with its report kept.
        if let Some(p) = outcome.report.iter().flat_map(|r| &r.days).find_map(|d| d.error.clone()) {
            (outcome.ok, outcome.error) = (false, Some(p));
        }
        report.reservation = Some(outcome);
    }
    let splats_set_up = secrets.get(names::SPLATS_TOKEN).ok().flatten().is_some();
    if scope.splats && splats_set_up {
        report.splats = Some(Outcome::of(splats_from_config(db, config, secrets, actor).await));
    }
    if scope.access && splats_set_up && config.splats.guest_membergroup_id.is_some() {
        report.access = Some(Outcome::of(access_at(db, config, secrets, actor, now).await));
    }
    report.finished_at = now.max(clock::now_unix());
    report
}

async fn bookings(
    db: &Db,
    config: &Config,
    secrets: &dyn SecretStore,
    actor: &str,
    now: i64,
) -> Result<BookingsReport> {
    // Bookings become guests here: a role that may not change data takes none.
    role::require(config, Deed::Change)?;
    let client = ReservationClient::from_config(config, secrets)?;
    let stores = stores_and_areas(db, &client, actor).await?;
    let days = guests_ahead(db, &client, actor, now, config.sync.lead_minutes * 60).await?;
    Ok(BookingsReport { stores, days })
}

async fn splats_from_config(
    db: &Db,
    config: &Config,
    secrets: &dyn SecretStore,
    actor: &str,
) -> Result<SplatsReport> {
    let client = crate::desk::calls::splats(config, secrets, Some(db.clone()))?;
    splats(db, &client, config, actor).await
}

/// Plans door-rights changes from the cache, then carries out what is due.
pub async fn access(
    db: &Db,
    config: &Config,
    secrets: &dyn SecretStore,
    actor: &str,
) -> Result<AccessReport> {
    access_at(db, config, secrets, actor, clock::now_unix()).await
}

async fn access_at(
    db: &Db,
    config: &Config,
    secrets: &dyn SecretStore,
    actor: &str,
    now: i64,
) -> Result<AccessReport> {
    let client = crate::desk::calls::splats(config, secrets, Some(db.clone()))?;
    let cfg = config.clone();
    let planned = db.write(move |c| reconcile::plan(c, &cfg, now)).await?;
    let drained = reconcile::drain(db, &client, secrets, config, actor, now).await?;
    let waiting = db.read(|c| Ok(crate::desk::outbox::summary(c)?.0)).await?;
    let report = AccessReport { planned, drained, waiting };
    let quiet = report.planned == Planned::default() && report.drained == Drained::default();
    if !quiet {
        let event = AuditEvent::new(actor, "access.reconcile", None, report.drained.failed == 0)
            .with_detail(serde_json::to_value(&report).unwrap_or_default());
        db.write(move |c| audit::record(c, &event)).await?;
    }
    Ok(report)
}

/// Fetches every store and its areas, then replaces the cached copy in one go.
pub async fn stores_and_areas(db: &Db, client: &ReservationClient, actor: &str) -> Result<Changes> {
    let started = Instant::now();
    let fetched = async {
        let stores = client.stores().await?;
        let mut areas = Vec::new();
        for s in &stores {
            areas.extend(client.areas(&s.id).await?);
        }
        Ok::<_, Error>((stores, areas))
    }
    .await;
    let latency = started.elapsed().as_millis() as i64;
    let actor = actor.to_string();
    db.write(move |conn| {
        let result = fetched.and_then(|(stores, areas)| {
            cache::replace_from_reservation(conn, &stores, &areas, clock::now_unix())
        });
        let event = AuditEvent::new(&actor, "sync.stores_areas", None, result.is_ok())
            .with_latency_ms(latency)
            .with_detail(match &result {
                Ok(c) => serde_json::to_value(c).unwrap_or_default(),
                Err(e) => serde_json::json!({ "error": e.code() }),
            });
        audit::record(conn, &event)?;
        result
    })
    .await
}

/// Pulls the bookings of today (JST) of every active store, and of tomorrow too when
/// `lead_secs` reaches past midnight. Each store's day is replaced in one transaction;
/// a store that fails is reported and the others go on.
pub async fn guests_ahead(
    db: &Db,
    client: &ReservationClient,
    actor: &str,
    now: i64,
    lead_secs: i64,
) -> Result<Vec<StoreDay>> {
    let started = Instant::now();
    let mut days = vec![(guests::jst_date(now), guests::day_start(now))];
    if guests::day_start(now + lead_secs) != days[0].1 {
        days.push((guests::jst_date(now + lead_secs), guests::day_start(now + lead_secs)));
    }
    let stores = db.read(cache::list_stores).await?;
    let mut out = Vec::new();
    for s in stores {
        for (date, day) in &days {
            let fetched = client.reservations(&s.id, date).await;
            let (store_id, day) = (s.id.clone(), *day);
            let result = match fetched {
                Ok(b) => {
                    db.write(move |c| guests::replace_day(c, &store_id, day, &b, clock::now_unix())).await
                }
                Err(e) => Err(e),
            };
            let (changes, error) = match result {
                Ok(c) => (Some(c), None),
                Err(e) => (None, Some(Problem::from(&e))),
            };
            out.push(StoreDay { store_id: s.id.clone(), date: date.clone(), changes, error });
        }
    }
    let ok = out.iter().all(|d| d.error.is_none());
    let event = AuditEvent::new(actor, "sync.guests", None, ok)
        .with_latency_ms(started.elapsed().as_millis() as i64)
        .with_detail(serde_json::to_value(&out).unwrap_or_default());
    db.write(move |c| audit::record(c, &event)).await?;
    Ok(out)
}

/// Today's bookings only (no lead), for callers that want exactly one day.
pub async fn guests_today(
    db: &Db,
    client: &ReservationClient,
    actor: &str,
    now: i64,
) -> Result<Vec<StoreDay>> {
    guests_ahead(db, client, actor, now, 0).await
}

/// The app as registered in the reservation system, for signing in: the client
/// secret comes from the keyring.
pub fn oauth_client(
    config: &Config,
    secrets: &dyn SecretStore,
) -> Result<crate::clouds::reservation::oauth::OAuthClient> {
    let r = &config.reservation;
    let base_url = r.base_url.clone().ok_or_else(|| Error::config("reservation.base_url", "not set"))?;
    let client_id = r.client_id.clone().ok_or_else(|| Error::config("reservation.client_id", "not set"))?;
    Ok(crate::clouds::reservation::oauth::OAuthClient {
        base_url,
        client_id,
        client_secret: secrets.require(names::RESERVATION_CLIENT_SECRET)?,
        redirect_uri: r.redirect_uri().to_string(),
    })
}

/// Signs in to the reservation system (see [`crate::clouds::reservation::oauth`]) and audits
/// the outcome; the token goes to the keyring, its expiry (if any) to the cache.
pub async fn sign_in(
    db: &Db,
    config: &Config,
    secrets: &dyn SecretStore,
    open: impl FnOnce(&str) -> Result<()>,
    actor: &str,
) -> Result<crate::clouds::reservation::oauth::SignedIn> {
    role::require(config, Deed::Change)?;
    let client = oauth_client(config, secrets)?;
    let result = client
        .sign_in(secrets, open, crate::clouds::reservation::oauth::DEFAULT_TIMEOUT, clock::now_unix())
        .await;
    let expires = result.as_ref().ok().map(|s| s.expires_at.map(|t| t.to_string()).unwrap_or_default());
    let event = AuditEvent::new(actor, "reservation.sign_in", None, result.is_ok())
        .with_detail(serde_json::json!({ "error": result.as_ref().err().map(|e| e.code()) }));
    db.write(move |conn| {
        if let Some(expires) = &expires {
            db::set_meta(conn, "reservation.token_expires_at", expires)?;
        }
        audit::record(conn, &event)
    })
    .await?;
    result
}

/// What a SPLATS sync changed. A tenant without SPLATS PASS refuses the area and
/// pass-controller listings; histories are still synced, and the refusal is noted.
#[derive(Debug, Clone, Default, Serialize)]
pub struct SplatsReport {
    pub areas: cache::splats::Changes,
    pub passes: cache::splats::Changes,
    pub histories: history::splats::Report,
    /// Why areas and pass controllers were not refreshed, if they were not.
    pub devices_error: Option<Problem>,
    /// Guests newly seen at a reader (see `splats.arrival_events`).
    pub arrivals: usize,
}

/// Caches SPLATS areas and pass controllers, then pulls new histories and notes who
/// arrived. Histories page by page ([`history::splats`]), so an interrupted run resumes.
pub async fn splats(db: &Db, client: &SplatsClient, config: &Config, actor: &str) -> Result<SplatsReport> {
    let started = Instant::now();
    let mut report = SplatsReport::default();
    let result = splats_steps(db, client, config, &mut report).await;
    let mut detail = serde_json::to_value(&report).unwrap_or_default();
    if let Err(e) = &result {
        detail["error"] = e.code().as_str().into();
    }
    let event = AuditEvent::new(actor, "sync.splats", None, result.is_ok())
        .with_latency_ms(started.elapsed().as_millis() as i64)
        .with_detail(detail);
    db.write(move |c| audit::record(c, &event)).await?;
    result.map(|()| report)
}

async fn splats_steps(
    db: &Db,
    client: &SplatsClient,
    config: &Config,
    report: &mut SplatsReport,
) -> Result<()> {
    let devices = async { Ok::<_, Error>((client.areas().await?, client.passes().await?)) }.await;
    let now = clock::now_unix();
    match devices {
        Ok((areas, passes)) => {
            let (a, p) = db
                .write(move |c| {
                    Ok((
                        cache::splats::save_areas(c, &areas, now)?,
                        cache::splats::save_passes(c, &passes, now)?,
                    ))
                })
                .await?;
            (report.areas, report.passes) = (a, p);
        }
        // A dead network fails the whole sync; a refusal (no SPLATS PASS) does not.
        Err(e @ (Error::Unreachable { .. } | Error::RateLimited { .. })) => return Err(e),
        Err(e) => report.devices_error = Some(Problem::from(&e)),
    }
    // Bound the range by the server's clock (this PC's corrected by the measured
    // offset), not a PC that may be off.
    let server_now = clock::now_unix() + client.clock_offset().unwrap_or(0);
    if let Some(o) = client.clock_offset() {
        db.write(move |c| db::set_meta(c, crate::desk::guests::access::CLOCK_OFFSET, &o.to_string())).await?;
    }
    let opts = history::splats::Options::from(&config.splats);
    report.histories = history::splats::sync(db, client, &opts, server_now).await?;
    let events = config.splats.arrival_events.clone();
    report.arrivals = db.write(move |c| guests::derive_arrivals(c, &events, now - 2 * 86_400)).await?;
    let refusals = config.splats.refusal_events.clone();
    db.write(move |c| crate::desk::guests::access::seed_reading::recheck_after_refusals(c, &refusals))
        .await?;
    Ok(())
}
