//! The door board in the real staff window: an area whose only door is a SPLATS pass
//! controller (an electric lock) offers Unlock, and pressing it moves the simulated
//! pass controller through the extended API.

use uketsuke_core::secrets::{names, Keyring, SecretStore};
use uketsuke_e2e::{
    app_binary, enabled, map_demo_doors, sync_setup, test_config, write_config, Driver, Session,
};
use uketsuke_sim::{Sim, SimConfig};

const KEYRING_SERVICE: &str = "jp.uketsuke.e2e-doors";

#[tokio::test(flavor = "multi_thread")]
async fn unlock_on_a_splats_only_area_moves_the_pass_controller() {
    if !enabled() {
        return;
    }
    let sim = Sim::start(SimConfig::default()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut c = test_config(dir.path(), KEYRING_SERVICE);
    c.splats.base_url = Some(sim.splats_url());
    c.splats.pass_status_every_secs = 5;
    let config = write_config(&c, dir.path());
    let keyring = Keyring::new(KEYRING_SERVICE);
    keyring.set(names::SPLATS_TOKEN, uketsuke_sim::splats::DEMO_TOKEN).unwrap();
    keyring.set(names::SPLATS_LICENSE_KEY, uketsuke_sim::splats::DEMO_LICENSE_KEY).unwrap();
    let shared = sync_setup(&c, &sim, true).await;
    map_demo_doors(&shared); // A101 → sa-0001 (pass controller pc-0001); no SESAME lock anywhere
    let locked = || {
        let w = sim.state.world.lock().unwrap();
        w.splats.passes.iter().find(|p| p.device_id == "pc-0001").unwrap().locked
    };
    assert!(locked());

    let driver = Driver::start().await;
    let s = Session::start(&driver, &app_binary(), &["--config", config.to_str().unwrap()]).await;
    let card = "[data-area-id=A101]";
    // Read at start-up: the pass controller's state and its age are on the card.
    s.wait_for(&format!("{card} [data-testid=pass-door][data-device-id=pc-0001][data-state=locked]")).await;
    assert!(s.find_all(&format!("{card} [data-testid=unlock]")).await.is_empty(), "no SESAME button");
    s.click_css(&format!("{card} [data-testid=pass-unlock]")).await;
    s.wait_for(&format!("{card}[data-phase=confirmed]")).await;
    assert!(!locked(), "the simulated pass controller unlocked");
    s.screenshot("door-board-splats-unlock").await;

    // A door left open in the simulator shows so after the next reading.
    sim.state
        .world
        .lock()
        .unwrap()
        .splats
        .passes
        .iter_mut()
        .find(|p| p.device_id == "pc-0001")
        .unwrap()
        .door_open = true;
    s.wait_for(&format!("{card} [data-testid=pass-door][data-state=open]")).await;
    s.screenshot("door-board-left-open").await;
    s.close().await;
    for name in [names::SPLATS_TOKEN, names::SPLATS_LICENSE_KEY] {
        keyring.delete(name).unwrap();
    }
}
