//! Facility mode in real windows: two apps on one display, each with its own core,
//! SQLite file and keyring (its own D-Bus session), sharing a throwaway PostgreSQL.
//! A manager at the first starts the facility from its settings card and shows a join
//! code; a manager at the second types it into its own (with the database's address
//! and password): a walk-in typed at either counter then appears in the other window. A
//! head-office PC joins last and opens on every store at once, read only.

use std::time::Instant;
use uketsuke_e2e::{app_binary, enabled, sync_setup, test_config, write_config, Driver, Session};
use uketsuke_sim::postgres::Cluster;
use uketsuke_sim::{Sim, SimConfig};

const KEYRING_SERVICE: &str = "jp.uketsuke.e2e-facility";

/// The settings card's form: the database, its password, this PC's name, and the code
/// (empty: start the facility).
async fn enter(s: &Session, pg: &Cluster, name: &str, code: &str) {
    s.wait_for("[data-testid=facility-settings][data-joined=false]").await;
    s.type_into("[data-testid=facility-url]", &pg.url()).await;
    s.type_into("[data-testid=facility-password]", &pg.password).await;
    s.type_into("[data-testid=facility-pc-name]", name).await;
    s.type_into("[data-testid=facility-join-code]", code).await;
    s.click_css("[data-testid=facility-join]").await;
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
    let _alone = uketsuke_e2e::alone().await;
    if !enabled() || !uketsuke_sim::postgres::available() {
        return;
    }
    let pg = Cluster::start().unwrap();
    let sim = Sim::start(SimConfig::default()).await.unwrap();
    let (dir_a, dir_b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let config_a = test_config(dir_a.path(), KEYRING_SERVICE);
    sync_setup(&config_a, &sim, false).await; // A's cache has the stores before it starts
    let config_b = test_config(dir_b.path(), KEYRING_SERVICE); // nothing of its own
    let (path_a, path_b) = (write_config(&config_a, dir_a.path()), write_config(&config_b, dir_b.path()));
    let cli = app_binary().with_file_name("uketsuke");
    let (cli, pw, a_cfg, b_cfg) = (cli.display(), &pg.password, path_a.display(), path_b.display());
    // Each PC in its own session, with a keyring of its own.
    let driver_a = Driver::start_in_own_keyring("true").await;
    let driver_b = Driver::start_in_own_keyring("true").await;

    // A's manager starts the facility from the settings card (no code), then shows a
    // join code for the next PC.
    let a = Session::start(&driver_a, &app_binary(), &["--config", &a_cfg.to_string()]).await;
    a.wait_for("[data-testid=guest-search]").await;
    a.first_manager_pin("2468").await;
    enter(&a, &pg, "受付 1", "").await;
    a.wait_for("[data-testid=facility-settings][data-joined=true] [data-testid=facility-notice]").await;
    a.click_css("[data-testid=facility-settings][data-joined=true] [data-testid=facility-show-code]").await;
    let code_el = a.wait_for("[data-testid=facility-code]").await;
    let code = a.text(&code_el).await;
    assert_eq!(code.len(), 19, "XXXX-XXXX-XXXX-XXXX: {code}");
    a.script("document.querySelector('[data-testid=facility-code]').scrollIntoView({block: 'center'})").await;
    a.screenshot("facility-join-code").await;
    a.click_css("[data-testid=settings-close]").await;

    // B's manager types it, with the address and password; a wrong code first.
    let b = Session::start_another(&driver_b, &app_binary(), &["--config", &b_cfg.to_string()]).await;
    b.wait_for_text("店舗がまだありません").await; // nothing of its own yet
    b.first_manager_pin("1357").await;
    enter(&b, &pg, "入口 2", "AAAA-BBBB-CCCC-DDDD").await;
    b.wait_for("[data-testid=facility-error][data-code=join_code_invalid]").await;
    b.type_into("[data-testid=facility-join-code]", &code.to_lowercase()).await;
    b.click_css("[data-testid=facility-join]").await;
    b.wait_for("[data-testid=facility-settings][data-joined=true] [data-testid=facility-notice]").await;
    b.wait_for_text("入口 2").await;
    b.screenshot("facility-joined").await;
    b.click_css("[data-testid=settings-close]").await;

    // B starts empty and fills from the facility: A's stores, then its guest list.
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

    // The head office joins (CLI, with a second code from A's manager card) and opens
    // on every store at once, read only: both walk-ins inside 渋谷店 (arrived as registered).
    a.click_css("[data-testid=settings-open]").await;
    a.type_into("[data-testid=pin-input]", "2468").await;
    a.click_css("[data-testid=pin-submit]").await;
    a.click_css("[data-testid=facility-settings][data-joined=true] [data-testid=facility-show-code]").await;
    let second = a.text(&a.wait_for("[data-testid=facility-code]").await).await;
    assert_ne!(second, code, "a new code each time");
    let dir_c = tempfile::tempdir().unwrap();
    let path_c = write_config(&test_config(dir_c.path(), KEYRING_SERVICE), dir_c.path());
    let (c_cfg, url) = (path_c.display(), pg.url());
    let driver_c = Driver::start_in_own_keyring(&format!(
        "printf %s {pw} | {cli} --config {c_cfg} secret set facility.db_password >/dev/null \
         && printf %s {second} | {cli} --config {c_cfg} facility join --url {url} --name 本部 --head-office"
    ))
    .await;
    let c = Session::start_another(&driver_c, &app_binary(), &["--config", &c_cfg.to_string()]).await;
    c.wait_for("[data-testid=facility-status][data-connected=true]").await;
    c.wait_for(
        "[data-testid=store-overview] [data-testid=overview-row][data-store-id=S001][data-inside='2']",
    )
    .await;
    c.screenshot("facility-head-office").await;
    // A store's board is one click away; its walk-in form is refused there.
    c.click_css("[data-testid=overview-row][data-store-id=S001] button").await;
    c.wait_for_text("森 拓海").await;
    let refused = c
        .invoke(
            "add_walk_in",
            serde_json::json!({ "walkIn": { "store_id": "S001", "name": "本部 次郎", "name_kana": null,
                "phone": null, "area_ids": ["A101"], "starts_at": 0, "ends_at": 60 } }),
        )
        .await;
    assert_eq!(refused["err"]["code"], "read_only_pc", "{refused}");
    for s in [a, b, c] {
        s.close().await;
    }
}
