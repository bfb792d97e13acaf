//! What the CLI tests share: running the binary, configs for the simulator, the keyring.
#![allow(dead_code)] // each test file uses its own share of these

use std::path::Path;
use std::process::{Command, Output};
use uketsuke_core::Config;
use uketsuke_sim::{Sim, DEMO_RESERVATION_TOKEN};

pub fn uketsuke(config: &Path, args: &[&str], stdin: Option<&str>) -> Output {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_uketsuke"))
        .arg("--config")
        .arg(config)
        .args(args)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(stdin.unwrap_or("").as_bytes()).unwrap();
    child.wait_with_output().unwrap()
}

pub fn text(o: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

pub fn config_for(dir: &Path, sim: &Sim, service: &str) -> std::path::PathBuf {
    let mut c = Config::default();
    c.database = Some(dir.join("cache.sqlite3"));
    c.keyring_service = Some(service.into());
    c.reservation.base_url = Some(sim.reservation_url());
    c.reservation.client_id = Some("demo".into());
    let path = dir.join("config.toml");
    c.save(&path).unwrap();
    path
}

/// Tests that need the OS keyring run under `make test`; elsewhere they say so and pass.
pub fn no_keyring() -> bool {
    let missing = std::env::var_os("UKETSUKE_TEST_KEYRING").is_none();
    if missing {
        eprintln!("skipped: set UKETSUKE_TEST_KEYRING=1 with a Secret Service running");
    }
    missing
}

/// Runs `uketsuke` with `config` on a blocking thread, so that the simulator in this
/// test keeps answering meanwhile.
pub fn runner(
    config: &Path,
) -> impl Fn(Vec<&'static str>, Option<&'static str>) -> tokio::task::JoinHandle<Output> {
    let config = config.to_path_buf();
    move |args, stdin| {
        let config = config.clone();
        tokio::task::spawn_blocking(move || uketsuke(&config, &args, stdin))
    }
}

/// `config_for` with SPLATS too (and whatever `edit` adds), and both clouds' tokens in
/// the keyring under `service`, as on a PC that is set up.
pub async fn with_splats(
    dir: &Path,
    sim: &Sim,
    service: &str,
    edit: impl FnOnce(&mut Config),
) -> std::path::PathBuf {
    let config = config_for(dir, sim, service);
    let mut c = Config::read(&config).unwrap();
    c.splats.base_url = Some(sim.splats_url());
    edit(&mut c);
    c.save(&config).unwrap();
    let run = runner(&config);
    assert!(run(vec!["secret", "set", "reservation.token"], Some(DEMO_RESERVATION_TOKEN))
        .await
        .unwrap()
        .status
        .success());
    assert!(run(vec!["secret", "set", "splats.token"], Some(uketsuke_sim::splats::DEMO_TOKEN))
        .await
        .unwrap()
        .status
        .success());
    config
}
