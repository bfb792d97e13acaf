//! `doctor` against the simulator: names what is wrong, never shows a secret.

use uketsuke_core::platform::secrets::{names, MemorySecrets, SecretStore};
use uketsuke_core::workflows::doctor::{self, Status};
use uketsuke_core::Config;
use uketsuke_sim::{Sim, SimConfig, DEMO_RESERVATION_TOKEN};

fn config_for(sim: &Sim, dir: &std::path::Path) -> Config {
    let mut c = Config::default();
    c.database = Some(dir.join("cache.sqlite3"));
    c.reservation.base_url = Some(sim.reservation_url());
    c.reservation.client_id = Some("demo".into());
    c.sesame.base_url = Some(sim.sesame_url());
    c.splats.base_url = Some(sim.splats_url());
    c
}

fn status_of<'a>(r: &'a doctor::Report, name: &str) -> &'a doctor::Check {
    r.checks.iter().find(|c| c.name == name).unwrap_or_else(|| panic!("no check {name}: {r:#?}"))
}

#[tokio::test]
async fn a_good_setup_is_healthy_and_measures_the_clock() {
    let sim = Sim::start(SimConfig { clock_offset_secs: 45, ..SimConfig::default() }).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let secrets = MemorySecrets::default();
    secrets.set(names::RESERVATION_TOKEN, DEMO_RESERVATION_TOKEN).unwrap();
    let report = doctor::run(&config_for(&sim, dir.path()), &secrets).await;
    assert!(report.healthy(), "{report:#?}");
    assert_eq!(status_of(&report, names::RESERVATION_TOKEN).status, Status::Ok);
    let offset = report.clock_offset_secs.unwrap();
    assert!((44..=46).contains(&offset), "offset {offset}");
    assert_eq!(status_of(&report, "clock").status, Status::Warn);

    let text = serde_json::to_string(&report).unwrap();
    assert!(!text.contains(DEMO_RESERVATION_TOKEN), "doctor must never show a secret");
}

#[tokio::test]
async fn doctor_says_how_seeds_are_read_and_warns_when_nothing_matched() {
    let sim = Sim::start(SimConfig::default()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let config = config_for(&sim, dir.path());
    let secrets = MemorySecrets::default();
    let report = doctor::run(&config, &secrets).await;
    assert_eq!(status_of(&report, "splats.totp_seed_reading").status, Status::Skip, "not yet known");
    let conn = uketsuke_core::platform::db::open(&dir.path().join("cache.sqlite3")).unwrap();
    uketsuke_core::desk::guests::access::seed_reading::keep(&conn, "base32", 0).unwrap();
    let report = doctor::run(&config, &secrets).await;
    let check = status_of(&report, "splats.totp_seed_reading");
    assert_eq!((check.status, check.detail.starts_with("base32")), (Status::Ok, true), "{check:?}");
    uketsuke_core::desk::guests::access::seed_reading::keep(&conn, "cloud", 0).unwrap();
    let report = doctor::run(&config, &secrets).await;
    assert_eq!(status_of(&report, "splats.totp_seed_reading").status, Status::Warn);
}

#[tokio::test]
async fn a_bad_setup_names_each_wrong_setting() {
    let sim = Sim::start(SimConfig::default()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut config = config_for(&sim, dir.path());
    config.splats.base_url = Some("not a url".into());
    config.reservation.client_id = None;
    let secrets = MemorySecrets::default();
    secrets.set(names::RESERVATION_TOKEN, "stale-token-value").unwrap();
    let report = doctor::run(&config, &secrets).await;
    assert!(!report.healthy());
    for setting in ["splats.base_url", "reservation.client_id", names::RESERVATION_TOKEN] {
        assert_eq!(status_of(&report, setting).status, Status::Fail, "{setting}: {report:#?}");
    }
    assert!(!serde_json::to_string(&report).unwrap().contains("stale-token-value"));
}
