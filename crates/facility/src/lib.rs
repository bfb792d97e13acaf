//! Facility mode: several PCs (counters, kiosks, the head office) sharing one
//! PostgreSQL, each keeping its own SQLite as the cache it works from
//! (docs/facility.md).
//!
//! - [`seal`]: the facility key (AES-256-GCM) that seals every secret PostgreSQL holds;
//! - [`join`]: starting a facility, and a new PC joining with a one-time code;
//! - [`replica`]: this PC's changed rows sent, everyone's changes received
//!   (`LISTEN`/`NOTIFY`), merged by written rules, queued while PostgreSQL is away;
//! - [`leader`]: the one PC that runs the spending work (sync, reconciliation, polls),
//!   chosen by a PostgreSQL advisory lock;
//! - [`meter`]: metered calls counted per account across PCs;
//! - [`secrets`]: cloud tokens and lock keys shared sealed, kept in each keyring.
//! - [`history`]: one time line: every PC's history entries on every PC's history page;
//! - [`audit`]: one audit chain for the facility, every PC's rows linked in one order;
//! - [`enrol`]: a PC joins (settings card or CLI), a manager shows the next code.
//!
//! Nothing here holds a SQLite connection across a PostgreSQL round trip: rows are read
//! in a short read, sent, then marked in a short write.

pub mod audit;
pub mod enrol;
pub mod history;
pub mod join;
pub mod leader;
pub mod meter;
pub mod replica;
pub mod rows;
pub mod run;
pub mod seal;
pub mod secrets;

pub use run::{Facility, FacilityStatus};

use futures_util::StreamExt;
use seal::FacilityKey;
use std::str::FromStr;
use std::time::Duration;
use tokio::sync::mpsc;
use tokio_postgres::AsyncMessage;
use uketsuke_core::platform::config::facility as facility_address;
use uketsuke_core::platform::config::FacilityConfig;
use uketsuke_core::platform::error::{Code, Error, Result};
use uketsuke_core::platform::secrets::{ExposeSecret, SecretStore};

/// Where the database password is kept in the keyring.
pub const DB_PASSWORD: &str = "facility.db_password";
/// Where this PC keeps the facility key.
pub const KEY: &str = "facility.key";
/// The channel every PC listens on; the payload is the table that changed.
pub const CHANNEL: &str = "uketsuke_rows";
/// In SQLite's meta: present while this database takes part in a facility.
pub const ENABLED: &str = "facility.enabled";
/// In SQLite's meta: this PC's id in the facility.
pub const PC_ID: &str = "facility.pc_id";

const SCHEMA: &str = include_str!("schema.sql");

/// The advisory locks the facility takes, listed once so that no two share an id.
pub(crate) mod lock_id {
    /// Per transaction, while the schema is applied: two PCs starting at once do not
    /// race on `CREATE … IF NOT EXISTS`.
    pub const SCHEMA: i64 = 0x756b_0001;
    /// Per transaction, by every writer of `rows`: `seq` order is commit order.
    pub const ROWS: i64 = 0x756b_0002;
    /// Per session, by the leading PC (`leader`).
    pub const LEADER: i64 = 0x756b_0003;
    /// Per transaction, by every writer of `history`.
    pub const HISTORY: i64 = 0x756b_0004;
    /// Per transaction, by every writer of `audit`: one chain, one head at a time.
    pub const AUDIT: i64 = 0x756b_0005;
}

/// One open session with the facility's PostgreSQL, and the notifications it hears.
pub struct Session {
    pub client: tokio_postgres::Client,
    pub notices: mpsc::UnboundedReceiver<String>,
}

/// Connects: the password from the keyring, a 5 s connect timeout and TCP keepalives
/// (a PC that vanishes is noticed). TLS is required for every host that is not this
/// machine (and for every host with `facility.tls_always`), whatever the address says
/// (`sslmode=disable` or `prefer` in it are overridden): a server, or anyone in the
/// path, answering "no TLS" is refused, never answered in clear. The certificate is
/// verified against the public web's roots and `facility.ca_file`.
pub async fn connect(config: &FacilityConfig, secrets: &dyn SecretStore, app: &str) -> Result<Session> {
    let url =
        config.database_url.as_deref().ok_or_else(|| Error::config("facility.database_url", "missing"))?;
    let checked =
        facility_address::check_database_url(url).map_err(|e| Error::config("facility.database_url", e))?;
    let mut pg = tokio_postgres::Config::from_str(url)
        .map_err(|e| Error::config("facility.database_url", format!("not a PostgreSQL URL: {e}")))?;
    if let Some(p) = secrets.get(DB_PASSWORD)? {
        pg.password(p.expose_secret());
    }
    pg.application_name(app)
        .connect_timeout(Duration::from_secs(5))
        .keepalives(true)
        .keepalives_idle(Duration::from_secs(10));
    let tls = config.tls_always || !facility_address::is_loopback(&checked);
    let (tx, notices) = mpsc::unbounded_channel();
    let client = if tls {
        pg.ssl_mode(tokio_postgres::config::SslMode::Require);
        let tls = tokio_postgres_rustls::MakeRustlsConnect::new(tls_config(config.ca_file.as_deref())?);
        let (client, connection) = pg.connect(tls).await.map_err(tls_refused)?;
        drive(connection, tx);
        client
    } else {
        pg.ssl_mode(tokio_postgres::config::SslMode::Disable);
        let (client, connection) = pg.connect(tokio_postgres::NoTls).await.map_err(unreachable)?;
        drive(connection, tx);
        client
    };
    Ok(Session { client, notices })
}

/// A connection that TLS refused (the server offers none, or its certificate is not
/// trusted) says so: it is a setting to mend, not a network that will come back.
fn tls_refused(e: tokio_postgres::Error) -> Error {
    let text = e.to_string().to_lowercase();
    let tls = ["tls", "ssl", "certificate", "handshake"].iter().any(|w| text.contains(w))
        || std::error::Error::source(&e).is_some_and(|s| {
            let s = s.to_string().to_lowercase();
            ["tls", "ssl", "certificate", "handshake", "unknownissuer", "invalid peer"]
                .iter()
                .any(|w| s.contains(w))
        });
    if !tls {
        return unreachable(e);
    }
    tracing::warn!("facility database refused by TLS: {e}");
    Error::invalid(
        Code::FacilityTls,
        "施設の共有データベースと暗号化 (TLS) で接続できません。サーバーが TLS に対応していないか、証明書が信頼できません。管理者にサーバーの証明書 (CA) を確認してもらってください (この PC のデータで動作を続けます)",
        "cannot reach the facility's shared database over TLS: the server offers none, or its certificate is not trusted; ask the administrator for the server's CA certificate (this PC keeps working from its own data)",
    )
}

/// Runs a connection until it ends, passing on every NOTIFY payload.
fn drive<S, T>(mut connection: tokio_postgres::Connection<S, T>, tx: mpsc::UnboundedSender<String>)
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
    T: tokio_postgres::tls::TlsStream + Unpin + Send + 'static,
{
    tokio::spawn(async move {
        let mut messages = futures_util::stream::poll_fn(move |cx| connection.poll_message(cx));
        while let Some(m) = messages.next().await {
            match m {
                Ok(AsyncMessage::Notification(n)) => {
                    let _ = tx.send(n.payload().to_string());
                }
                Ok(_) => {}
                Err(e) => {
                    tracing::info!("facility database connection ended: {e}");
                    break;
                }
            }
        }
    });
}

/// The public web's roots (a managed PostgreSQL presents a certificate under one), and
/// the CA of `facility.ca_file` for a server with a certificate of its own.
fn tls_config(ca_file: Option<&std::path::Path>) -> Result<rustls::ClientConfig> {
    use rustls::pki_types::{pem::PemObject, CertificateDer};
    let mut roots = rustls::RootCertStore { roots: webpki_roots::TLS_SERVER_ROOTS.to_vec() };
    if let Some(path) = ca_file {
        let bad =
            |e: &dyn std::fmt::Display| Error::config("facility.ca_file", format!("{}: {e}", path.display()));
        let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(path)
            .map_err(|e| bad(&e))?
            .collect::<std::result::Result<_, _>>()
            .map_err(|e| bad(&e))?;
        if certs.is_empty() {
            return Err(bad(&"no certificate in it"));
        }
        for c in certs {
            roots.add(c).map_err(|e| bad(&e))?;
        }
    }
    // The provider named, not the process default: reqwest brings ring as well.
    Ok(rustls::ClientConfig::builder_with_provider(std::sync::Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .expect("ring supports the default protocol versions")
    .with_root_certificates(roots)
    .with_no_client_auth())
}

/// Creates or brings up to date the shared tables (every PC does, on connecting).
pub async fn ensure_schema(client: &mut tokio_postgres::Client) -> Result<()> {
    let tx = client.transaction().await.map_err(unreachable)?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&lock_id::SCHEMA]).await.map_err(unreachable)?;
    tx.batch_execute(SCHEMA).await.map_err(unreachable)?;
    tx.commit().await.map_err(unreachable)
}

/// A PostgreSQL error in the user's words; the server's own text goes to the log.
pub(crate) fn unreachable(e: tokio_postgres::Error) -> Error {
    tracing::warn!("facility database: {e}");
    let detail = e.as_db_error().map(|d| d.message().to_string()).unwrap_or_else(|| e.to_string());
    Error::invalid(
        Code::FacilityUnreachable,
        format!("施設の共有データベースに接続できません（この PC のデータで動作を続けます）: {detail}"),
        format!(
            "cannot reach the facility's shared database (this PC keeps working from its own data): {detail}"
        ),
    )
}

/// Starts this PC's part beside its worker (if this process runs one) when a facility
/// is configured: the loop runs in the background, and the worker's scheduled work
/// waits for leadership. `None` (and nothing started) without a facility.
pub fn attach(
    worker: Option<&uketsuke_core::workflows::worker::Worker>,
    db: uketsuke_core::platform::db::Db,
    secrets: std::sync::Arc<dyn SecretStore>,
    config: &FacilityConfig,
) -> Result<Option<std::sync::Arc<Facility>>> {
    if !config.enabled() {
        return Ok(None);
    }
    let facility = Facility::new(db, secrets, config.clone())?;
    if let Some(worker) = worker {
        let leadership = facility.leadership.clone();
        worker.set_gate(std::sync::Arc::new(move || leadership.is_leader()));
    }
    tokio::spawn(facility.clone().run());
    Ok(Some(facility))
}

/// Connects as a member: the schema brought up to date, and this PC's key checked
/// against the facility (the first PC of an empty database makes the facility).
pub async fn open(
    config: &FacilityConfig,
    secrets: &dyn SecretStore,
    app: &str,
) -> Result<(Session, FacilityKey)> {
    let mut session = connect(config, secrets, app).await?;
    ensure_schema(&mut session.client).await?;
    join::start_or_check(&session.client, secrets).await?;
    let key = join::key_of(secrets)?.ok_or_else(|| Error::SecretMissing(KEY.into()))?;
    Ok((session, key))
}

/// A manager's screen (or `uketsuke facility code`): a one-time join code for a new PC.
pub async fn show_code(config: &FacilityConfig, secrets: &dyn SecretStore, made_by: &str) -> Result<String> {
    let (session, key) = open(config, secrets, "uketsuke join code").await?;
    join::make_code(&session.client, &key, made_by).await
}

/// A new PC joins with the code another PC showed.
pub async fn join_with(
    config: &FacilityConfig,
    secrets: &dyn SecretStore,
    pc: &str,
    code: &str,
) -> Result<()> {
    let mut session = connect(config, secrets, "uketsuke join").await?;
    ensure_schema(&mut session.client).await?;
    join::join(&session.client, code, pc, secrets).await?;
    join::start_or_check(&session.client, secrets).await.map(|_| ())
}

/// This PC's id in the facility: made once, kept in its SQLite.
pub fn pc_id(conn: &rusqlite::Connection) -> Result<String> {
    if let Some(id) = uketsuke_core::platform::db::get_meta(conn, PC_ID)? {
        return Ok(id);
    }
    let id = format!("pc-{:016x}", rand::random::<u64>());
    uketsuke_core::platform::db::set_meta(conn, PC_ID, &id)?;
    Ok(id)
}

/// The name other PCs see: the config's, or the host name.
pub fn pc_name(config: &FacilityConfig) -> String {
    config.pc_name.clone().unwrap_or_else(|| {
        std::fs::read_to_string("/etc/hostname").map(|s| s.trim().to_string()).unwrap_or_else(|_| "PC".into())
    })
}
