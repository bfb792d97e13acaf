//! `uketsuke board`, `uketsuke pass-unlock` and `uketsuke all-doors` against the simulator.

use crate::support::*;
use uketsuke_sim::{Sim, SimConfig};

/// The door board and a SPLATS door from the command line, as on a headless PC: the
/// licence is asked for, then the simulated pass controller unlocks. Needs a Secret Service.
#[tokio::test(flavor = "multi_thread")]
async fn the_board_and_a_splats_door_from_the_command_line() {
    if no_keyring() {
        return;
    }
    let sim = Sim::start(SimConfig::default()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let service = format!("jp.uketsuke.cli-board.{}", std::process::id());
    let config = with_splats(dir.path(), &sim, &service, |_| {}).await;
    let run = runner(&config);
    assert!(run(vec!["sync"], None).await.unwrap().status.success());
    let map = run(vec!["splats", "map", "--area", "A101", "--to", "sa-0001"], None).await.unwrap();
    assert!(map.status.success(), "{}", text(&map));

    let out = run(vec!["pass-unlock", "--area", "A101", "--lang", "en"], None).await.unwrap();
    assert!(!out.status.success() && text(&out).contains("license key"), "{}", text(&out));
    let licence = Some(uketsuke_sim::splats::DEMO_LICENSE_KEY);
    assert!(run(vec!["secret", "set", "splats.license_key"], licence).await.unwrap().status.success());
    let out = run(vec!["pass-unlock", "--area", "A101", "--lang", "en"], None).await.unwrap();
    assert!(out.status.success() && text(&out).contains("unlocked"), "{}", text(&out));
    let locked = sim
        .state
        .world
        .lock()
        .unwrap()
        .splats
        .passes
        .iter()
        .find(|p| p.device_id == "pc-0001")
        .unwrap()
        .locked;
    assert!(!locked, "the simulated pass controller unlocked");

    let out = run(vec!["board", "--store", "S001", "--json"], None).await.unwrap();
    let board: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let a101 = board["doors"].as_array().unwrap().iter().find(|d| d["target"]["id"] == "A101").unwrap();
    assert_eq!(a101["pass"]["device_id"], "pc-0001");
    assert_eq!(a101["pass"]["status"]["lock"], "unlocked", "the status read after the unlock is kept");
    // 全解錠 from the command line: the manager PIN on standard input, a reason; no PIN
    // chosen yet or a wrong one refuses it and nothing moves.
    sim.state
        .world
        .lock()
        .unwrap()
        .splats
        .passes
        .iter_mut()
        .find(|p| p.device_id == "pc-0001")
        .unwrap()
        .locked = true;
    let all = |pin: &'static str| {
        run(
            vec!["all-doors", "--store", "S001", "--unlock", "--reason", "避難訓練", "--lang", "en"],
            Some(pin),
        )
    };
    let out = all("2468\n").await.unwrap();
    assert!(!out.status.success() && text(&out).contains("PIN"), "{}", text(&out));
    let cfg = uketsuke_core::Config::load(Some(&config)).unwrap();
    let conn = uketsuke_core::platform::db::open(&cfg.database_path().unwrap()).unwrap();
    uketsuke_core::desk::staff::manager::set_first_pin(&conn, "2468", "test").unwrap();
    let out = all("1111\n").await.unwrap();
    assert!(!out.status.success() && text(&out).contains("PIN"), "{}", text(&out));
    let out = all("2468\n").await.unwrap();
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("done (confirmed)"), "{}", text(&out));
    let locked = sim
        .state
        .world
        .lock()
        .unwrap()
        .splats
        .passes
        .iter()
        .find(|p| p.device_id == "pc-0001")
        .unwrap()
        .locked;
    assert!(!locked, "the pass controller opened");

    for name in ["splats.license_key", "splats.token", "reservation.token"] {
        run(vec!["secret", "delete", name], None).await.unwrap();
    }
}
