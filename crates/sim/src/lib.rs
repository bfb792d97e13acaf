//! A loopback simulator of the three clouds Uketsuke talks to.
//!
//! One axum server hosts each cloud under its own path prefix, so that a client
//! configured with `base_url = {sim}/{prefix}` cannot tell it from the real thing:
//!
//! | prefix      | cloud                                   |
//! |-------------|-----------------------------------------|
//! | `/reserve`  | the reservation system (OAuth 2 + JSON)  |
//! | `/sesame`   | SESAME: `/sesame/api/sesame2/{uuid}…`    |
//! | `/splats`   | SPLATS: `/splats/v1/…`                   |
//! | `/_sim`     | controls: clock, faults, health          |
//!
//! Tests start it in-process with [`Sim::start`]; the demo runs the `uketsuke-sim` binary.
#![allow(clippy::result_large_err)] // axum handlers answer early with a whole `Response`.

pub mod admin;
pub mod bookings;
pub mod cable;
pub mod clock;
pub mod faults;
pub mod json;
pub mod middleware;
pub mod postgres;
pub mod reservation;
pub mod seed;
pub mod sesame;
pub mod splats;
pub mod state;
pub mod world;

use std::net::SocketAddr;
use std::sync::Arc;
use tokio::sync::oneshot;

pub use state::SimState;
pub use world::World;

/// How to start a simulator.
#[derive(Debug, Clone)]
pub struct SimConfig {
    /// 0 picks a free port.
    pub port: u16,
    /// Bearer tokens the reservation API accepts without an OAuth round trip.
    pub reservation_tokens: Vec<String>,
    /// Start with the server clock this many seconds away from the PC's.
    pub clock_offset_secs: i64,
}

impl Default for SimConfig {
    fn default() -> Self {
        SimConfig { port: 0, reservation_tokens: vec![DEMO_RESERVATION_TOKEN.into()], clock_offset_secs: 0 }
    }
}

/// The token the demo and the tests use to skip the browser sign-in.
pub const DEMO_RESERVATION_TOKEN: &str = "demo-reservation-token";

/// A running simulator. Dropping it stops the server.
pub struct Sim {
    pub addr: SocketAddr,
    pub state: Arc<SimState>,
    stop: Option<oneshot::Sender<()>>,
}

impl Sim {
    /// Binds 127.0.0.1 (never another interface) and serves in the background.
    pub async fn start(config: SimConfig) -> std::io::Result<Sim> {
        let state = Arc::new(SimState::new(&config));
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", config.port)).await?;
        let addr = listener.local_addr()?;
        let app = router(state.clone());
        let (stop, stopped) = oneshot::channel::<()>();
        tokio::spawn(async move {
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = stopped.await;
                })
                .await;
        });
        Ok(Sim { addr, state, stop: Some(stop) })
    }

    /// How many SPLATS members have a `member_code` that `matches`: tests count what a
    /// client made or removed.
    pub fn splats_members(&self, matches: impl Fn(&str) -> bool) -> usize {
        let world = self.state.world.lock().unwrap_or_else(|p| p.into_inner());
        world.splats.members.values().filter(|m| m.member_code.as_deref().is_some_and(&matches)).count()
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn reservation_url(&self) -> String {
        format!("{}/reserve", self.url())
    }

    pub fn sesame_url(&self) -> String {
        format!("{}/sesame/api/sesame2", self.url())
    }

    pub fn splats_url(&self) -> String {
        format!("{}/splats", self.url())
    }
}

impl Drop for Sim {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// The whole simulator as one router, with the fault and `Date` layers around it.
pub fn router(state: Arc<SimState>) -> axum::Router {
    axum::Router::new()
        .nest("/reserve", reservation::router())
        .nest("/sesame", sesame::router())
        .nest("/splats", splats::router(state.clone()))
        .nest("/_sim", admin::router().merge(bookings::router()))
        .layer(axum::middleware::from_fn_with_state(state.clone(), middleware::layer))
        .with_state(state)
}
