//! A throwaway PostgreSQL cluster for the facility-mode tests and the demo: Debian's
//! server binaries (`scripts/install-system-deps.sh` installs them), a fresh data
//! directory in a temporary folder, loopback only, a password for one role, stopped and
//! removed on drop. PostgreSQL refuses to run as root, so as root the cluster belongs
//! to the `postgres` user that Debian's package creates, and is run through `runuser`.
//!
//! Nothing here is shared with a developer's own PostgreSQL: its own port, its own
//! socket folder, its own data.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// The role and database the tests use; the password is made per cluster.
pub const ROLE: &str = "uketsuke";
pub const DATABASE: &str = "uketsuke";

/// A running cluster; stopped (immediately) and deleted when dropped.
pub struct Cluster {
    bin: PathBuf,
    dir: PathBuf,
    pub port: u16,
    /// The role's password (keep it in a keyring, as the app does).
    pub password: String,
    as_postgres: bool,
}

/// Where Debian puts the server's binaries: the newest `/usr/lib/postgresql/N/bin`.
fn server_bin() -> Option<PathBuf> {
    let mut found: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .flatten()
        .filter_map(|e| Some((e.file_name().to_str()?.parse().ok()?, e.path().join("bin"))))
        .filter(|(_, bin): &(u32, PathBuf)| bin.join("pg_ctl").exists())
        .collect();
    found.sort();
    found.pop().map(|(_, bin)| bin)
}

fn openssl(args: &[&str]) -> Result<(), String> {
    let out = Command::new("openssl").args(args).output().map_err(|e| format!("openssl: {e}"))?;
    out.status
        .success()
        .then_some(())
        .ok_or_else(|| format!("openssl failed: {}", String::from_utf8_lossy(&out.stderr)))
}

/// True when the server binaries are installed (tests say so and skip otherwise).
pub fn available() -> bool {
    server_bin().is_some()
}

fn is_root() -> bool {
    Command::new("id").arg("-u").output().is_ok_and(|o| o.stdout.starts_with(b"0\n"))
}

impl Cluster {
    /// initdb + start; an error names what failed (in the server's own words).
    pub fn start() -> Result<Cluster, String> {
        let bin = server_bin().ok_or("PostgreSQL's server is not installed (apt install postgresql)")?;
        let dir = std::env::temp_dir().join(format!(
            "uketsuke-pg-{}-{}",
            std::process::id(),
            rand::random::<u32>()
        ));
        std::fs::create_dir_all(dir.join("socket")).map_err(|e| e.to_string())?;
        let port =
            TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map_err(|e| e.to_string())?.port();
        let password: String = (0..24).map(|_| char::from(b'a' + rand::random::<u8>() % 26)).collect();
        let as_postgres = is_root();
        let cluster = Cluster { bin, dir, port, password, as_postgres };
        if as_postgres {
            let status = Command::new("chown").args(["-R", "postgres:postgres"]).arg(&cluster.dir).status();
            if !status.is_ok_and(|s| s.success()) {
                return Err("cannot hand the data folder to the postgres user".into());
            }
        }
        let pwfile = cluster.dir.join("pw");
        std::fs::write(&pwfile, &cluster.password).map_err(|e| e.to_string())?;
        if as_postgres {
            let _ = Command::new("chown").args(["postgres:postgres"]).arg(&pwfile).status();
        }
        cluster.run(
            "initdb",
            &[
                "-D",
                &cluster.data().display().to_string(),
                "-U",
                ROLE,
                "-A",
                "scram-sha-256",
                "--pwfile",
                &pwfile.display().to_string(),
                "-E",
                "UTF8",
                "--no-locale",
            ],
        )?;
        let _ = std::fs::remove_file(&pwfile);
        cluster.start_server()?;
        cluster.psql("postgres", &format!("CREATE DATABASE {DATABASE}"))?;
        Ok(cluster)
    }

    fn data(&self) -> PathBuf {
        self.dir.join("data")
    }

    /// Runs one of the server's programs, as the postgres user when we are root.
    fn run(&self, program: &str, args: &[&str]) -> Result<String, String> {
        let exe = self.bin.join(program);
        let mut cmd = if self.as_postgres {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(&exe);
            c
        } else {
            Command::new(&exe)
        };
        let out = cmd.args(args).current_dir(&self.dir).output().map_err(|e| format!("{program}: {e}"))?;
        if out.status.success() {
            Ok(String::from_utf8_lossy(&out.stdout).into_owned())
        } else {
            Err(format!(
                "{program} failed: {}{}",
                String::from_utf8_lossy(&out.stderr),
                String::from_utf8_lossy(&out.stdout)
            ))
        }
    }

    /// Starts (or restarts) the server and waits until it accepts connections.
    pub fn start_server(&self) -> Result<(), String> {
        let opts = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=60",
            self.port,
            self.dir.join("socket").display()
        );
        let log = self.dir.join("server.log").display().to_string();
        self.run(
            "pg_ctl",
            &["-D", &self.data().display().to_string(), "-l", &log, "-o", &opts, "-w", "start"],
        )?;
        let deadline = Instant::now() + Duration::from_secs(30);
        while std::net::TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            if Instant::now() > deadline {
                return Err(format!("the server did not start: {}", self.server_log()));
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        Ok(())
    }

    /// Turns TLS on with a certificate for 127.0.0.1 signed by a throwaway CA (both made
    /// with `openssl`), as a LAN server with a certificate of its own has; answers the
    /// CA's PEM file, for a PC to trust.
    pub fn enable_tls(&self) -> Result<PathBuf, String> {
        let (dir, data) = (self.dir.join("tls"), self.data());
        std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
        let ext = dir.join("server.ext");
        std::fs::write(
            &ext,
            "subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\n\
             keyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n",
        )
        .map_err(|e| e.to_string())?;
        let p = |name: &str| dir.join(name).display().to_string();
        let ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
        openssl(
            &[
                &["req", "-x509"][..],
                &ec,
                &[
                    "-keyout",
                    &p("ca.key"),
                    "-out",
                    &p("ca.pem"),
                    "-days",
                    "2",
                    "-subj",
                    "/CN=Uketsuke test CA",
                ],
            ]
            .concat(),
        )?;
        openssl(
            &[
                &["req"][..],
                &ec,
                &["-keyout", &p("server.key"), "-out", &p("server.csr"), "-subj", "/CN=127.0.0.1"],
            ]
            .concat(),
        )?;
        openssl(&[
            "x509",
            "-req",
            "-in",
            &p("server.csr"),
            "-CA",
            &p("ca.pem"),
            "-CAkey",
            &p("ca.key"),
            "-CAcreateserial",
            "-out",
            &p("server.crt"),
            "-days",
            "2",
            "-extfile",
            &p("server.ext"),
        ])?;
        for f in ["server.crt", "server.key"] {
            std::fs::copy(dir.join(f), data.join(f)).map_err(|e| e.to_string())?;
            if self.as_postgres {
                let _ = Command::new("chown").args(["postgres:postgres"]).arg(data.join(f)).status();
            }
        }
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(data.join("server.key"), std::fs::Permissions::from_mode(0o600))
            .map_err(|e| e.to_string())?;
        self.psql("postgres", "ALTER SYSTEM SET ssl = on")?;
        self.psql("postgres", "SELECT pg_reload_conf()")?;
        // The reload is asynchronous: a new session reads `ssl = on` once it is done.
        let deadline = Instant::now() + Duration::from_secs(10);
        while self.psql("postgres", "SHOW ssl")?.trim() != "on" {
            if Instant::now() > deadline {
                return Err(format!("TLS did not come on: {}", self.server_log()));
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        Ok(dir.join("ca.pem"))
    }

    /// Stops the server at once (connections cut), keeping its data: the database
    /// "goes away" as an unplugged office server does.
    pub fn stop_server(&self) -> Result<(), String> {
        self.run("pg_ctl", &["-D", &self.data().display().to_string(), "-m", "immediate", "-w", "stop"])
            .map(|_| ())
    }

    /// What the server wrote to its log (for a failing test's message).
    pub fn server_log(&self) -> String {
        std::fs::read_to_string(self.dir.join("server.log")).unwrap_or_default()
    }

    /// `postgres://uketsuke@127.0.0.1:PORT/uketsuke`, without the password (that lives
    /// in the keyring).
    pub fn url(&self) -> String {
        format!("postgres://{ROLE}@127.0.0.1:{}/{DATABASE}", self.port)
    }

    /// Runs SQL through `psql` over the cluster's own socket (as the tests' "someone
    /// with database access"); returns its unaligned output.
    pub fn psql(&self, database: &str, sql: &str) -> Result<String, String> {
        let psql = self.bin.join("psql");
        let out = Command::new(if psql.exists() { psql } else { PathBuf::from("psql") })
            .args([
                "-X",
                "-A",
                "-t",
                "-v",
                "ON_ERROR_STOP=1",
                "-h",
                "127.0.0.1",
                "-p",
                &self.port.to_string(),
            ])
            .args(["-U", ROLE, "-d", database, "-c", sql])
            .env("PGPASSWORD", &self.password)
            .output()
            .map_err(|e| format!("psql: {e}"))?;
        if out.status.success() {
            Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
        } else {
            Err(String::from_utf8_lossy(&out.stderr).into_owned())
        }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let _ = self.stop_server();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
