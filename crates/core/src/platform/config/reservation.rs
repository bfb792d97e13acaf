//! The reservation system's settings, and the rule for the OAuth redirect address: a
//! config check needs it as much as the sign-in does, so it lives here, below both.

use crate::platform::error::{Error, Result, SignInProblem};
use serde::{Deserialize, Serialize};
use url::Url;

/// The redirect URL registered with the reservation system when none is configured.
pub const DEFAULT_REDIRECT_URI: &str = "http://127.0.0.1:47615/uketsuke/callback";

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ReservationConfig {
    /// `https://{domain}`: the API lives under `/api/…` below it.
    pub base_url: Option<String>,
    pub client_id: Option<String>,
    /// The redirect URL registered for the app in the reservation system; an `http://`
    /// loopback address with a port. Defaults to [`DEFAULT_REDIRECT_URI`].
    #[serde(default)]
    pub redirect_uri: Option<String>,
    /// Tell the reservation system when staff check a guest in or out
    /// (`PUT api/v1/reservations.php`, an assumed endpoint: see docs/reservation-api.md).
    #[serde(default)]
    pub report_visits: bool,
}

impl ReservationConfig {
    pub fn redirect_uri(&self) -> &str {
        self.redirect_uri.as_deref().unwrap_or(DEFAULT_REDIRECT_URI)
    }
}

/// Checks a redirect URL and returns the address to listen on and the path to expect.
pub fn loopback(redirect_uri: &str) -> Result<(std::net::SocketAddr, String)> {
    let bad = || Error::SignIn(SignInProblem::BadRedirectUri);
    let url = Url::parse(redirect_uri).map_err(|_| bad())?;
    if url.scheme() != "http" {
        return Err(bad());
    }
    let ip: std::net::IpAddr = match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.into(),
        Some(url::Host::Ipv6(ip)) => ip.into(),
        Some(url::Host::Domain("localhost")) => std::net::Ipv4Addr::LOCALHOST.into(),
        _ => return Err(bad()),
    };
    let port = url.port().filter(|p| *p != 0).ok_or_else(bad)?;
    if !ip.is_loopback() {
        return Err(bad());
    }
    Ok((std::net::SocketAddr::new(ip, port), url.path().to_string()))
}
