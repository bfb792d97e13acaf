//! The installed package: `scripts/test-package.sh` builds the .deb with the Tauri
//! bundler and installs it with `dpkg -i`; this launches the installed binary under Xvfb
//! and sees the store list. Skipped unless `UKETSUKE_INSTALLED_APP` names the binary.

use std::path::PathBuf;
use uketsuke_e2e::{enabled, sync_setup, test_config, write_config, Driver, Session};
use uketsuke_sim::{Sim, SimConfig};

#[tokio::test(flavor = "multi_thread")]
async fn the_installed_package_opens_the_store_list() {
    let _alone = uketsuke_e2e::alone().await;
    let Some(app) = std::env::var_os("UKETSUKE_INSTALLED_APP").map(PathBuf::from) else {
        eprintln!("skipped: set UKETSUKE_INSTALLED_APP (scripts/test-package.sh does)");
        return;
    };
    if !enabled() {
        return;
    }
    let desktop =
        std::fs::read_to_string("/usr/share/applications/Uketsuke.desktop").expect("a desktop entry");
    assert!(desktop.contains("Exec=uketsuke-app"), "{desktop}");
    assert!(
        std::path::Path::new("/usr/share/icons/hicolor/128x128/apps/uketsuke-app.png").exists(),
        "an icon"
    );

    let sim = Sim::start(SimConfig::default()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let c = test_config(dir.path(), "jp.uketsuke.e2e-package");
    let config = write_config(&c, dir.path());
    sync_setup(&c, &sim, false).await;
    let driver = Driver::start().await;
    let s = Session::start(&driver, &app, &["--config", config.to_str().unwrap()]).await;
    s.wait_for("[data-testid=store-list] [data-testid=store]").await;
    s.wait_for_text("渋谷店").await;
    s.screenshot("package-installed").await;
    s.close().await;
}
