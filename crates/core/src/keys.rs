//! SPLATS KEY: key boxes and their units, and giving a guest a key from the counter.
//!
//! A key is given through the guest's SPLATS member (issued first if it is not yet):
//! `temporary_use` for `timer` seconds with `device_action`, so the box opens now and
//! the guest takes the key (docs/reference/vendor-documents.md). Sent once, audited. A
//! unit reads "taken" while its key is out of the box; the status fields beyond
//! `unit_no` and `key` are not documented [I] and are read tolerantly.

use crate::audit::{self, AuditEvent};
use crate::config::Config;
use crate::db::Db;
use crate::error::Result;
use crate::guests::access;
use crate::secrets::SecretStore;
use crate::splats::model::{TemporaryTarget, TemporaryUse};
use crate::splats::SplatsClient;
use serde::Serialize;

/// How long the box stays open for a key given at the counter.
pub const GIVE_SECS: u32 = 60;

/// One key box as the counter sees it.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct KeyBox {
    pub device_id: String,
    pub name: String,
    pub units: Vec<KeyUnit>,
}

#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct KeyUnit {
    /// "01", "02", …
    pub no: String,
    /// The key is out of the box.
    pub taken: bool,
}

/// Every key box with its units, read now (one status call per box).
pub async fn boxes(client: &SplatsClient) -> Result<Vec<KeyBox>> {
    let mut out = Vec::new();
    for d in client.keys().await? {
        let status = client.key_status(&d.device_id).await?;
        let units = status
            .get("units")
            .and_then(|u| u.as_array())
            .into_iter()
            .flatten()
            .filter_map(|u| {
                let no = u.get("unit_no")?.as_str()?.to_string();
                let taken = u.get("key").and_then(|k| k.as_str()).is_some_and(|k| k != "stored");
                Some(KeyUnit { no, taken })
            })
            .collect();
        out.push(KeyBox { device_id: d.device_id, name: d.device_name, units });
    }
    Ok(out)
}

/// Gives the guest one key now: the box opens for [`GIVE_SECS`] and the unit is theirs.
#[allow(clippy::too_many_arguments)] // one use case, its inputs named where they are used
pub async fn give(
    db: &Db,
    client: &SplatsClient,
    secrets: &dyn SecretStore,
    config: &Config,
    guest_id: &str,
    device_id: &str,
    unit: &str,
    actor: &str,
) -> Result<()> {
    let member = access::issue(db, client, secrets, config, guest_id, actor).await?;
    let body = TemporaryUse {
        target: "key".into(),
        timer: GIVE_SECS,
        targets_list: vec![TemporaryTarget { device_id: device_id.into(), unit_no_list: vec![unit.into()] }],
        device_action: true,
        info: Some(format!("受付 {actor}")),
    };
    let sent = client.temporary_use(&member.splats_member_id, &body).await;
    let event =
        AuditEvent::new(actor, "key.give", Some(guest_id), sent.is_ok()).with_detail(serde_json::json!({
            "device_id": device_id, "unit": unit, "error": sent.as_ref().err().map(|e| e.code())
        }));
    db.write(move |c| audit::record(c, &event)).await?;
    sent.map(|_| ())
}
