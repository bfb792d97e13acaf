//! TLS to the facility's database that cannot be downgraded: a server that answers "no
//! TLS" is refused (not spoken to in clear), whatever the address says; a certificate
//! this PC does not trust is refused; the CA a manager pins is trusted.

use std::sync::Arc;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use uketsuke_core::platform::config::FacilityConfig;
use uketsuke_core::platform::secrets::{MemorySecrets, SecretStore};
use uketsuke_facility::{self as facility, DB_PASSWORD};
use uketsuke_sim::postgres::Cluster;

fn config(url: String, ca: Option<std::path::PathBuf>) -> FacilityConfig {
    // TLS even to loopback, so that the policy a remote server meets is tried here.
    FacilityConfig { database_url: Some(url), tls_always: true, ca_file: ca, ..FacilityConfig::default() }
}

/// A "server" (or someone in the path) that answers PostgreSQL's TLS request with "no",
/// then would talk in clear.
async fn no_tls_server() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        while let Ok((mut s, _)) = listener.accept().await {
            let mut request = [0u8; 8];
            if s.read_exact(&mut request).await.is_ok() {
                let _ = s.write_all(b"N").await;
                let mut rest = [0u8; 256];
                let _ = s.read(&mut rest).await; // a client that falls back would send its startup here
            }
        }
    });
    format!("postgres://uketsuke@127.0.0.1:{port}/uketsuke")
}

#[tokio::test(flavor = "multi_thread")]
async fn a_server_without_tls_is_refused_even_when_the_address_asks_for_none() {
    let secrets = MemorySecrets::default();
    let url = no_tls_server().await;
    for url in [url.clone(), format!("{url}?sslmode=disable"), format!("{url}?sslmode=prefer")] {
        let e = facility::connect(&config(url.clone(), None), &secrets, "test").await.err().expect("refused");
        assert_eq!(e.code(), "facility_tls", "{url}: {e}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn an_untrusted_certificate_is_refused_and_a_pinned_ca_is_trusted() {
    if !uketsuke_sim::postgres::available() {
        return;
    }
    let pg = Cluster::start().unwrap();
    let secrets: Arc<dyn SecretStore> = Arc::new(MemorySecrets::default());
    secrets.set(DB_PASSWORD, &pg.password).unwrap();
    // TLS off at the server: refused.
    let e =
        facility::connect(&config(pg.url(), None), secrets.as_ref(), "test").await.err().expect("refused");
    assert_eq!(e.code(), "facility_tls", "{e}");
    let ca = pg.enable_tls().unwrap();
    // A certificate of a CA this PC does not know: refused.
    let e =
        facility::connect(&config(pg.url(), None), secrets.as_ref(), "test").await.err().expect("refused");
    assert_eq!(e.code(), "facility_tls", "{e}");
    // The CA pinned: connected, and the session is encrypted.
    let session = facility::connect(&config(pg.url(), Some(ca)), secrets.as_ref(), "test").await.unwrap();
    let row = session
        .client
        .query_one("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()", &[])
        .await
        .unwrap();
    assert!(row.get::<_, bool>(0), "the session runs over TLS");
}
