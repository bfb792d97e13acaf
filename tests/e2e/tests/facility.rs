//! Facility mode in real windows: two apps on one display, each with its own core,
//! SQLite file and keyring (its own D-Bus session), sharing a throwaway PostgreSQL.
//! The first starts the facility and shows a join code (CLI), the second joins with it;
//! a walk-in typed at either counter appears in the other window.

use std::time::Instant;
use uketsuke_core::config::FacilityConfig;
use uketsuke_e2e::{app_binary, enabled, sync_setup, test_config, write_config, Driver, Session};
use uketsuke_sim::postgres::Cluster;
use uketsuke_sim::{Sim, SimConfig};

const KEYRING_SERVICE: &str = "jp.uketsuke.e2e-facility";

/// One PC's config: its own database in `dir`, the facility's PostgreSQL.
fn pc_config(dir: &std::path::Path, pg: &Cluster, name: &str) -> uketsuke_core::Config {
    let mut c = test_config(dir, KEYRING_SERVICE);
    c.facility =
        FacilityConfig { database_url: Some(pg.url()), pc_name: Some(name.into()), ..Default::default() };
    c
}

/// A walk-in typed into this window's form, in 会議室A from now for an hour.
async fn walk_in(s: &Session, name: &str) {
    s.click_css("[data-testid=walk-in]").await;
    let field = s.wait_for("[data-testid=walk-in-name]").await;
    s.clear_and_type(&field, name).await;
    s.click_css("[data-testid=walk-in-area]").await;
    s.click_css("[data-testid=walk-in-save]").await;
    s.wait_for_text(name).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn two_counters_see_each_others_walk_ins() {
    if !enabled() || !uketsuke_sim::postgres::available() {
        return;
    }
    let pg = Cluster::start().unwrap();
    let sim = Sim::start(SimConfig::default()).await.unwrap();
    let (dir_a, dir_b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let config_a = pc_config(dir_a.path(), &pg, "受付 1");
    sync_setup(&config_a, &sim, false).await; // A's cache has the stores before it joins
    let (path_a, path_b) = (
        write_config(&config_a, dir_a.path()),
        write_config(&pc_config(dir_b.path(), &pg, "入口 2"), dir_b.path()),
    );

    // Each PC's own session: the password into its keyring; A makes the facility and a
    // join code, B joins with it.
    let cli = app_binary().with_file_name("uketsuke");
    let code = dir_a.path().join("code.txt");
    let (cli, pw, code) = (cli.display(), &pg.password, code.display());
    let (a_cfg, b_cfg) = (path_a.display(), path_b.display());
    let driver_a = Driver::start_in_own_keyring(&format!(
        "printf %s {pw} | {cli} --config {a_cfg} secret set facility.db_password >/dev/null \
         && {cli} --config {a_cfg} facility code > {code}"
    ))
    .await;
    let driver_b = Driver::start_in_own_keyring(&format!(
        "printf %s {pw} | {cli} --config {b_cfg} secret set facility.db_password >/dev/null \
         && {cli} --config {b_cfg} facility join \"$(cat {code})\""
    ))
    .await;

    let a = Session::start(&driver_a, &app_binary(), &["--config", &a_cfg.to_string()]).await;
    a.wait_for("[data-testid=guest-search]").await;
    let b = Session::start_another(&driver_b, &app_binary(), &["--config", &b_cfg.to_string()]).await;
    // B starts empty and fills from the facility: A's stores, then its guest list.
    b.wait_for("[data-testid=guest-search]").await;
    b.wait_for_text("渋谷店").await;
    for s in [&a, &b] {
        s.wait_for("[data-testid=facility-status][data-connected=true]").await;
    }

    // A walk-in at counter A appears at counter B, and one at B appears at A.
    let started = Instant::now();
    walk_in(&a, "森 拓海").await;
    b.wait_for_text("森 拓海").await;
    eprintln!("a walk-in typed at A was on B's screen {:?} after A's save was clicked", started.elapsed());
    walk_in(&b, "入口 花子").await;
    a.wait_for_text("入口 花子").await;
    assert_eq!(a.find_all("[data-testid=guest-row]").await.len(), 2);
    assert_eq!(b.find_all("[data-testid=guest-row]").await.len(), 2, "no row twice");
    a.screenshot("facility-counter-a").await;
    b.screenshot("facility-counter-b").await;
    a.close().await;
    b.close().await;
}
