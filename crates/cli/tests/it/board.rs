//! `uketsuke board` and `uketsuke pass-unlock` against the simulator.

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
    for name in ["splats.license_key", "splats.token", "reservation.token"] {
        run(vec!["secret", "delete", name], None).await.unwrap();
    }
}
