//! What the settings screens show: every setting, and for each secret only whether it
//! is set and a mask.

use super::mapping;
use crate::desk::cache;
use crate::platform::config::Config;
use crate::platform::db::{self, Connection};
use crate::platform::error::Result;
use crate::platform::model::{Area, Store};
use crate::platform::secrets::{self, names, ExposeSecret, SecretStore};
use serde::Serialize;

/// Whether a secret is kept, and how to show it: never the value itself.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct SecretState {
    pub set: bool,
    pub masked: Option<String>,
}

fn secret_state(secrets: &dyn SecretStore, name: &str) -> Result<SecretState> {
    let value = secrets.get(name)?;
    Ok(SecretState { set: value.is_some(), masked: value.map(|v| secrets::mask(v.expose_secret())) })
}

#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct CloudSettings {
    pub reservation_base_url: Option<String>,
    pub reservation_client_id: Option<String>,
    pub reservation_redirect_uri: String,
    pub reservation_client_secret: SecretState,
    pub reservation_token: SecretState,
    pub reservation_token_expires_at: Option<i64>,
    pub sesame_base_url: Option<String>,
    pub sesame_api_key: SecretState,
    pub splats_base_url: Option<String>,
    pub splats_token: SecretState,
    pub splats_license_key: SecretState,
    pub splats_guest_membergroup_id: Option<String>,
}

/// An area as the settings screen shows it: the cached area, its key's state and
/// its SPLATS mapping.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct AreaSettings {
    #[serde(flatten)]
    #[ts(flatten)]
    pub area: Area,
    pub secret_key: SecretState,
    pub splats_area_id: Option<String>,
}

/// A store as the settings screen shows it: the cached store, its entrance key's
/// state, its SPLATS mapping and its areas.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct StoreSettings {
    #[serde(flatten)]
    #[ts(flatten)]
    pub store: Store,
    pub entrance_secret_key: SecretState,
    pub splats_entrance_area_id: Option<String>,
    pub areas: Vec<AreaSettings>,
}

#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct SplatsAreaChoice {
    pub id: String,
    pub name: String,
}

/// Everything the settings screens show.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct SettingsView {
    pub clouds: CloudSettings,
    pub stores: Vec<StoreSettings>,
    pub splats_areas: Vec<SplatsAreaChoice>,
}

pub fn view(conn: &Connection, config: &Config, secrets: &dyn SecretStore) -> Result<SettingsView> {
    let device_secret = |uuid: &Option<String>| match uuid {
        Some(u) => secret_state(secrets, &names::device_secret(u)),
        None => Ok(SecretState { set: false, masked: None }),
    };
    let mut stores = Vec::new();
    for s in cache::list_stores(conn)? {
        let mut areas = Vec::new();
        for a in cache::list_areas(conn, Some(&s.id))? {
            let (secret_key, splats_area_id) =
                (device_secret(&a.device_uuid)?, mapping(conn, "areas", &a.id)?);
            areas.push(AreaSettings { area: a, secret_key, splats_area_id });
        }
        stores.push(StoreSettings {
            entrance_secret_key: device_secret(&s.entrance_device_uuid)?,
            splats_entrance_area_id: mapping(conn, "stores", &s.id)?,
            store: s,
            areas,
        });
    }
    let splats_areas = crate::desk::cache::splats::areas(conn)?
        .into_iter()
        .filter(|a| a.active)
        .map(|a| SplatsAreaChoice { id: a.area_id, name: a.name })
        .collect();
    let r = &config.reservation;
    let clouds = CloudSettings {
        reservation_base_url: r.base_url.clone(),
        reservation_client_id: r.client_id.clone(),
        reservation_redirect_uri: r.redirect_uri().to_string(),
        reservation_client_secret: secret_state(secrets, names::RESERVATION_CLIENT_SECRET)?,
        reservation_token: secret_state(secrets, names::RESERVATION_TOKEN)?,
        reservation_token_expires_at: db::get_meta(conn, "reservation.token_expires_at")?
            .and_then(|v| v.parse().ok()),
        sesame_base_url: config.sesame.base_url.clone(),
        sesame_api_key: secret_state(secrets, names::SESAME_API_KEY)?,
        splats_base_url: config.splats.base_url.clone(),
        splats_token: secret_state(secrets, names::SPLATS_TOKEN)?,
        splats_license_key: secret_state(secrets, names::SPLATS_LICENSE_KEY)?,
        splats_guest_membergroup_id: config.splats.guest_membergroup_id.clone(),
    };
    Ok(SettingsView { clouds, stores, splats_areas })
}
