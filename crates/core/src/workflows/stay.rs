//! A stay changed at the counter, end to end: checked on this PC, written to the
//! reservation system when the booking came from it (or the next sync would undo it),
//! then here with the door-rights update, which is carried out at once so that the QR
//! on the guest's phone opens in the new window (same member, same QR). Audited, done or
//! refused.

use crate::clouds::reservation::{ReservationClient, StayAnswer, StayWrite};
use crate::clouds::splats::SplatsClient;
use crate::desk::audit::{self, AuditEvent};
use crate::desk::guests::stay::{self, Planned, StayChange};
use crate::desk::guests::{self, GuestView};
use crate::desk::{cache, outbox};
use crate::platform::clock;
use crate::platform::config::Config;
use crate::platform::db::Db;
use crate::platform::error::{Code, Error, Result};
use crate::platform::model::GuestSource;
use crate::platform::secrets::SecretStore;
use crate::workflows::reconcile;
use serde::Serialize;

/// The guest after the change, and whether their doors still wait for SPLATS.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct StayChanged {
    pub guest: GuestView,
    /// The door update is in the outbox (SPLATS unreachable): the worker retries it.
    pub doors_pending: bool,
}

/// Changes a guest's stay. `client` is SPLATS when it is set up (the door update is
/// tried at once; without it, it waits in the outbox like any other).
pub async fn change(
    db: &Db,
    config: &Config,
    secrets: &dyn SecretStore,
    client: Option<&SplatsClient>,
    guest_id: &str,
    change: &StayChange,
    actor: &str,
) -> Result<StayChanged> {
    let now = clock::now_unix();
    let (id, asked) = (guest_id.to_string(), change.clone());
    let planned = db.read(move |c| stay::check(c, &id, &asked, now)).await?;
    if planned.before.source == GuestSource::Reservation {
        if let Err(e) = write_booking(db, config, secrets, &planned, actor).await {
            let event = AuditEvent::new(actor, "guest.stay", Some(guest_id), false)
                .with_detail(serde_json::json!({ "error": e.code() }));
            db.write(move |c| audit::record(c, &event)).await?;
            return Err(e);
        }
    }
    let (id, asked, who) = (guest_id.to_string(), change.clone(), actor.to_string());
    db.write(move |c| stay::apply(c, &id, &asked, now, &who)).await?;
    if let Some(client) = client {
        if let Err(e) = reconcile::drain_guest(db, client, secrets, config, actor, guest_id).await {
            tracing::warn!(code = e.code().as_str(), "door update for a changed stay left in the outbox");
        }
    }
    let id = guest_id.to_string();
    db.read(move |c| {
        let doors_pending = outbox::waiting_for(c, &id)?.is_some();
        Ok(StayChanged { guest: guests::view(c, &id, clock::now_unix())?, doors_pending })
    })
    .await
}

/// Writes the new stay to the reservation system. A room it says is taken, or a change
/// it refuses outright, comes back as words staff can act on.
async fn write_booking(
    db: &Db,
    config: &Config,
    secrets: &dyn SecretStore,
    planned: &Planned,
    actor: &str,
) -> Result<()> {
    let g = &planned.after;
    let client = ReservationClient::from_config(config, secrets)?;
    let write = StayWrite {
        reservation_id: &g.id,
        starts_at: g.starts_at,
        ends_at: g.ends_at,
        area_ids: &g.area_ids,
    };
    match client.change_stay(&write, actor).await {
        Ok(StayAnswer::Changed) => Ok(()),
        Ok(StayAnswer::Taken { from }) => {
            let ids = g.area_ids.clone();
            let names = db
                .read(move |c| {
                    let mut out = Vec::new();
                    for a in &ids {
                        out.push(cache::get_area(c, a)?.map(|a| a.name).unwrap_or_else(|| a.clone()));
                    }
                    Ok(out.join("・"))
                })
                .await?;
            Err(stay::taken(&names, from))
        }
        Err(Error::Http { status, .. }) if (400..500).contains(&status) => Err(Error::invalid(
            Code::StayRefused,
            "予約システムがこの変更を受け付けませんでした。予約システムの画面で予約を変更し、同期してください",
            "the reservation system did not accept the change: change the booking there, then sync",
        )),
        Err(e) => Err(e),
    }
}
