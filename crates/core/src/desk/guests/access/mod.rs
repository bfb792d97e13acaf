//! A guest's door access: one SPLATS member per booking, allowed into the booked areas
//! and the store's entrance from `grace` before the booking to `grace` after it, with
//! a one-time QR. The TOTP seed goes to the OS keyring; SQLite keeps the rest.
//!
//! Every change a booking calls for (issue, update in place, revoke, delete) goes
//! through the outbox ([`crate::desk::outbox`]) and is carried out by the worker
//! ([`crate::workflows::reconcile`]); staff asking for a QR may issue at once.
//!
//! Issuing is safe to repeat: the member carries `member_code = UK-<guest id>`, so a
//! retry after a lost reply (or a 409 from SPLATS) finds and adopts the member that was
//! made instead of making a second one.
//!
//! By step: `issue` (one member made or brought up to date, [`issue`]), `bulk` (many made
//! in one request when many are due, [`issue_many`]), `revoke` (ended, checked out,
//! cancelled, [`remove`]) and `qr` (the code to show now, [`qr()`]).

mod bulk;
mod issue;
mod qr;
mod revoke;
pub mod seed_reading;

pub use bulk::issue_many;
pub use issue::issue;
pub(crate) use issue::issue_after;
pub use qr::{qr, qr_client, QrView};
pub use revoke::{check_out, queue_revoke, remove};

use crate::desk::cache;
use crate::platform::config::Config;
use crate::platform::error::{Error, Result};
use crate::platform::model::Guest;
use rusqlite::{Connection, OptionalExtension};
use serde::Serialize;

/// Where the last SPLATS reply put the server clock relative to ours.
pub const CLOCK_OFFSET: &str = "splats.clock_offset";

#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct AccessSummary {
    pub splats_member_id: String,
    pub valid_from: i64,
    pub valid_until: i64,
    pub splats_area_ids: Vec<String>,
    pub issued_at: i64,
    pub revoked_at: Option<i64>,
}

pub fn summary(conn: &Connection, guest_id: &str) -> Result<Option<AccessSummary>> {
    Ok(conn
        .query_row(
            "SELECT splats_member_id, valid_from, valid_until, splats_area_ids, issued_at, revoked_at
             FROM guest_access WHERE guest_id = ?1",
            [guest_id],
            |r| {
                let areas: String = r.get(3)?;
                Ok(AccessSummary {
                    splats_member_id: r.get(0)?,
                    valid_from: r.get(1)?,
                    valid_until: r.get(2)?,
                    splats_area_ids: serde_json::from_str(&areas).unwrap_or_default(),
                    issued_at: r.get(4)?,
                    revoked_at: r.get(5)?,
                })
            },
        )
        .optional()?)
}

fn guest(conn: &Connection, guest_id: &str) -> Result<Guest> {
    cache::get_guest(conn, guest_id)?.ok_or_else(|| Error::not_found(format!("guest {guest_id}")))
}

/// The member code that ties a SPLATS member to our guest.
pub fn member_code(guest_id: &str) -> String {
    format!("UK-{guest_id}")
}

/// The window and SPLATS areas a guest's member should have now.
pub fn desired(conn: &Connection, config: &Config, g: &Guest) -> Result<(i64, i64, Vec<String>)> {
    let grace = i64::from(config.splats.guest_grace_minutes) * 60;
    let areas = cache::splats::splats_areas_for(conn, &g.store_id, &g.area_ids)?;
    Ok((g.starts_at - grace, g.ends_at + grace, areas))
}

/// What a guest who already holds a member keeps when some of their rooms have no
/// SPLATS area any more (un-mapped, or the booking moved to an unmapped room): the rooms
/// still mapped and the entrance. None when no room is mapped: the member must go.
pub fn desired_still_mapped(
    conn: &Connection,
    config: &Config,
    g: &Guest,
) -> Result<Option<(i64, i64, Vec<String>)>> {
    let grace = i64::from(config.splats.guest_grace_minutes) * 60;
    let (areas, rooms) = cache::splats::mapped_splats_areas_for(conn, &g.store_id, &g.area_ids)?;
    Ok((rooms > 0).then(|| (g.starts_at - grace, g.ends_at + grace, areas)))
}
