//! The reservation system's JSON API: stores, areas and (later) today's reservations.
//!
//! It follows the pattern of a Japanese back-office OAuth 2 API: `https://{domain}`
//! with `api/oauth/*.php` for the token and `api/v1/*.php` for data, `Authorization:
//! Bearer`, JSON both ways. The data endpoints are our assumption, written down in
//! `docs/reservation-api.md`; the simulator implements the same contract.

pub mod oauth;

use crate::platform::error::{Cloud, Result};
use crate::platform::http;
use crate::platform::model::{Guest, GuestSource};
use crate::platform::model::{RemoteArea, RemoteStore};
use crate::platform::secrets::{ExposeSecret, SecretString};
use serde::Deserialize;

/// Its `Debug` shows the token as `[REDACTED]` ([`SecretString`]).
#[derive(Debug)]
pub struct ReservationClient {
    http: reqwest::Client,
    base_url: String,
    token: SecretString,
}

/// `GET api/v1/stores.php` → `{"stores": [...]}`. Ids may arrive as numbers or strings.
#[derive(Deserialize)]
struct StoresReply {
    stores: Vec<StoreDto>,
}

#[derive(Deserialize)]
struct StoreDto {
    #[serde(deserialize_with = "id_string")]
    store_id: String,
    store_name: String,
    #[serde(default)]
    store_name_kana: Option<String>,
}

/// `GET api/v1/areas.php?store_id=` → `{"areas": [...]}`.
#[derive(Deserialize)]
struct AreasReply {
    areas: Vec<AreaDto>,
}

#[derive(Deserialize)]
struct AreaDto {
    #[serde(deserialize_with = "id_string")]
    area_id: String,
    #[serde(deserialize_with = "id_string")]
    store_id: String,
    area_name: String,
    #[serde(default)]
    sort: Option<i64>,
}

/// `GET api/v1/reservations.php?store_id=&date=` → `{"reservations": [...]}`.
#[derive(Deserialize)]
struct ReservationsReply {
    /// Read one by one, so that one malformed booking does not hide the others.
    reservations: Vec<serde_json::Value>,
}

/// One day's bookings of a store: those that could be read, and those that could not.
#[derive(Debug, Clone, Default)]
pub struct Bookings {
    pub guests: Vec<Guest>,
    pub skipped: Vec<Skipped>,
}

/// A booking left out of the sync, and why, in both languages.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Skipped {
    pub id: String,
    pub ja: String,
    pub en: String,
}

impl Skipped {
    pub fn new(id: impl Into<String>, ja: impl Into<String>, en: impl Into<String>) -> Skipped {
        Skipped { id: id.into(), ja: ja.into(), en: en.into() }
    }
}

#[derive(Deserialize)]
struct ReservationDto {
    #[serde(deserialize_with = "id_string")]
    reservation_id: String,
    #[serde(deserialize_with = "id_string")]
    store_id: String,
    #[serde(default)]
    reservation_code: Option<String>,
    customer_name: String,
    #[serde(default)]
    customer_name_kana: Option<String>,
    #[serde(default)]
    tel: Option<String>,
    start_at: String,
    end_at: String,
    #[serde(default)]
    area_ids: Vec<serde_json::Value>,
}

/// PHP back-ends send ids as numbers or strings depending on the endpoint; accept both.
fn id_string<'de, D: serde::Deserializer<'de>>(d: D) -> std::result::Result<String, D::Error> {
    match serde_json::Value::deserialize(d)? {
        serde_json::Value::String(s) => Ok(s),
        serde_json::Value::Number(n) => Ok(n.to_string()),
        other => Err(serde::de::Error::custom(format!("expected an id, got {other}"))),
    }
}

impl ReservationClient {
    /// The client as configured: the address from the config, the token from the keyring.
    pub fn from_config(
        config: &crate::Config,
        secrets: &dyn crate::platform::secrets::SecretStore,
    ) -> Result<ReservationClient> {
        let base = config
            .reservation
            .base_url
            .as_deref()
            .ok_or_else(|| crate::Error::config("reservation.base_url", "not set"))?;
        let token = secrets.require(crate::platform::secrets::names::RESERVATION_TOKEN)?;
        Ok(ReservationClient::new(base, token))
    }

    pub fn new(base_url: &str, token: SecretString) -> ReservationClient {
        ReservationClient { http: http::client(), base_url: base_url.to_string(), token }
    }

    async fn get<T: serde::de::DeserializeOwned>(&self, path: &str, query: &[(&str, &str)]) -> Result<T> {
        let req = self
            .http
            .get(http::join(&self.base_url, path))
            .query(query)
            .bearer_auth(self.token.expose_secret());
        let timed = http::send(Cloud::Reservation, req).await?;
        let response = http::check_status(Cloud::Reservation, timed.response).await?;
        http::json(Cloud::Reservation, response).await
    }

    /// A request with a JSON body the way the reference asks: UTF-8 with every non-ASCII
    /// character escaped as `\uNNNN`, `Content-Type: application/json`.
    fn json_request(
        &self,
        method: reqwest::Method,
        path: &str,
        body: &serde_json::Value,
    ) -> reqwest::RequestBuilder {
        self.http
            .request(method, http::join(&self.base_url, path))
            .bearer_auth(self.token.expose_secret())
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(json_body(body))
    }

    /// [`Self::json_request`] sent; any non-2xx is an error.
    async fn send_json(&self, method: reqwest::Method, path: &str, body: &serde_json::Value) -> Result<()> {
        let req = self.json_request(method, path, body);
        let timed = http::send(Cloud::Reservation, req).await?;
        http::check_status(Cloud::Reservation, timed.response).await?;
        Ok(())
    }

    /// Tells the reservation system that staff checked a guest in or out, with the
    /// staff member's name (Japanese, hence escaped). An assumed endpoint; off unless
    /// `reservation.report_visits` is set.
    pub async fn report_visit(&self, reservation_id: &str, visit: Visit, staff: &str, at: i64) -> Result<()> {
        let body = serde_json::json!({
            "reservation_id": reservation_id,
            "visit_status": visit.as_str(),
            "visited_at": crate::platform::clock::iso_jst(at),
            "staff_name": staff,
        });
        self.send_json(reqwest::Method::PUT, "api/v1/reservations.php", &body).await
    }

    /// Moves a booking to a new window and rooms (`PUT api/v1/reservations.php` with
    /// `start_at`, `end_at`, `area_ids`; an assumed contract, docs/reservation-api.md).
    /// A 409 is the system saying a room is booked then: [`StayAnswer::Taken`] with the
    /// other booking's start when the reply names it. Safe to repeat (it sets, never adds).
    pub async fn change_stay(&self, stay: &StayWrite<'_>, staff: &str) -> Result<StayAnswer> {
        let body = serde_json::json!({
            "reservation_id": stay.reservation_id,
            "start_at": crate::platform::clock::iso_jst(stay.starts_at),
            "end_at": crate::platform::clock::iso_jst(stay.ends_at),
            "area_ids": stay.area_ids,
            "staff_name": staff,
        });
        let req = self.json_request(reqwest::Method::PUT, "api/v1/reservations.php", &body);
        let timed = http::send(Cloud::Reservation, req).await?;
        if timed.response.status() == reqwest::StatusCode::CONFLICT {
            let text = http::error_text(timed.response).await;
            let from = serde_json::from_str::<serde_json::Value>(&text).ok().and_then(|v| {
                v.pointer("/conflict/start_at")
                    .and_then(|t| t.as_str())
                    .and_then(crate::platform::clock::parse_iso)
            });
            return Ok(StayAnswer::Taken { from });
        }
        http::check_status(Cloud::Reservation, timed.response).await?;
        Ok(StayAnswer::Changed)
    }

    pub async fn stores(&self) -> Result<Vec<RemoteStore>> {
        let reply: StoresReply = self.get("api/v1/stores.php", &[]).await?;
        Ok(reply
            .stores
            .into_iter()
            .map(|s| RemoteStore { id: s.store_id, name: s.store_name, name_kana: s.store_name_kana })
            .collect())
    }

    /// The bookings of one store that overlap a JST calendar day (`YYYY-MM-DD`).
    /// A store's bookings of one JST day (`YYYY-MM-DD`). A booking that cannot be read
    /// (no id, a date that is not one, an end not after its start) is skipped and named.
    pub async fn reservations(&self, store_id: &str, date: &str) -> Result<Bookings> {
        let reply: ReservationsReply =
            self.get("api/v1/reservations.php", &[("store_id", store_id), ("date", date)]).await?;
        let mut out = Bookings::default();
        for (i, raw) in reply.reservations.into_iter().enumerate() {
            let id = raw
                .get("reservation_id")
                .map(|v| v.as_str().map(String::from).unwrap_or_else(|| v.to_string()));
            let id = id.unwrap_or_else(|| format!("#{}", i + 1));
            match serde_json::from_value::<ReservationDto>(raw)
                .map_err(|e| e.to_string())
                .and_then(guest_from)
            {
                Ok(g) => out.guests.push(g),
                Err(problem) => out.skipped.push(Skipped::new(
                    id.clone(),
                    format!("予約 {id} を読み取れないため飛ばしました: {problem}"),
                    format!("booking {id} was skipped: {problem}"),
                )),
            }
        }
        Ok(out)
    }

    pub async fn areas(&self, store_id: &str) -> Result<Vec<RemoteArea>> {
        let reply: AreasReply = self.get("api/v1/areas.php", &[("store_id", store_id)]).await?;
        Ok(reply
            .areas
            .into_iter()
            .enumerate()
            .map(|(i, a)| RemoteArea {
                id: a.area_id,
                store_id: a.store_id,
                name: a.area_name,
                sort_order: a.sort.unwrap_or(i as i64),
            })
            .collect())
    }
}

/// A booking's new stay, as [`ReservationClient::change_stay`] writes it.
#[derive(Debug, Clone)]
pub struct StayWrite<'a> {
    pub reservation_id: &'a str,
    pub starts_at: i64,
    pub ends_at: i64,
    pub area_ids: &'a [String],
}

/// What the reservation system said to a changed stay.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StayAnswer {
    Changed,
    /// A room is booked in the new window, from `from` when the reply says.
    Taken {
        from: Option<i64>,
    },
}

/// A visit reported back to the reservation system.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Visit {
    CheckedIn,
    CheckedOut,
}

impl Visit {
    pub fn as_str(self) -> &'static str {
        match self {
            Visit::CheckedIn => "checked_in",
            Visit::CheckedOut => "checked_out",
        }
    }
}

/// JSON with every non-ASCII character as `\uNNNN` (UTF-16, surrogate pairs beyond the
/// BMP), like PHP's `json_encode`. Outside strings JSON is ASCII already, so escaping
/// the serialised text character by character is exact.
pub fn json_body(value: &serde_json::Value) -> String {
    let text = value.to_string();
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_ascii() {
            out.push(c);
        } else {
            let mut units = [0u16; 2];
            for u in c.encode_utf16(&mut units) {
                out.push_str(&format!("\\u{u:04x}"));
            }
        }
    }
    out
}

fn guest_from(r: ReservationDto) -> std::result::Result<Guest, String> {
    let time = |field: &str, v: &str| {
        crate::platform::clock::parse_iso(v).ok_or_else(|| format!("{field} `{v}` is not a date-time"))
    };
    let starts_at = time("start_at", &r.start_at)?;
    let ends_at = time("end_at", &r.end_at)?;
    if ends_at <= starts_at {
        return Err(format!("end_at {} is not after start_at {}", r.end_at, r.start_at));
    }
    Ok(Guest {
        id: r.reservation_id,
        store_id: r.store_id,
        booking_code: r.reservation_code,
        name: r.customer_name,
        name_kana: r.customer_name_kana,
        phone_last4: r.tel.as_deref().map(crate::platform::model::phone_last4),
        starts_at,
        ends_at,
        area_ids: r
            .area_ids
            .iter()
            .map(|v| v.as_str().map(String::from).unwrap_or_else(|| v.to_string()))
            .collect(),
        source: GuestSource::Reservation,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_bodies_escape_non_ascii_like_php() {
        let v = serde_json::json!({"staff_name": "受付 花子", "emoji": "🙂", "plain": "a\"b"});
        let body = json_body(&v);
        assert!(body.is_ascii(), "{body}");
        assert!(body.contains(r#""\u53d7\u4ed8 \u82b1\u5b50""#), "{body}");
        assert!(body.contains(r#""\ud83d\ude42""#), "{body}");
        let back: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(back, v);
    }
}
