//! `uketsuke members` and `uketsuke keys` against the simulator, as on a headless PC.

use crate::support::*;
use uketsuke_sim::world::splats::reader::Credential;
use uketsuke_sim::{Sim, SimConfig};

/// Saturday 2026-11-28, 10:00 JST.
const SATURDAY_10: i64 = 1_795_827_600;

/// A member with a card on weekdays 9–18, listed, refused on Saturday; the key boxes
/// read. Needs a Secret Service.
#[tokio::test(flavor = "multi_thread")]
async fn a_weekday_member_and_the_key_boxes_from_the_command_line() {
    if no_keyring() {
        return;
    }
    let sim = Sim::start(SimConfig::default()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let service = format!("jp.uketsuke.cli-members.{}", std::process::id());
    let config = with_splats(dir.path(), &sim, &service, |_| {}).await;
    let run = runner(&config);
    let add = vec![
        "members",
        "add",
        "--name",
        "清掃 佐藤",
        "--group",
        "mg-staff",
        "--card",
        "0123ABCD00000000",
        "--area",
        "sa-0001=Mon-Fri@09:00-18:00",
    ];
    let out = run(add.clone(), None).await.unwrap();
    assert!(out.status.success(), "{}", text(&out));
    let refused = sim.state.world.lock().unwrap().splats.present(
        "sa-0001",
        Credential::Card("0123ABCD00000000"),
        SATURDAY_10,
    );
    assert_eq!(refused["accepted"], false);

    let again = run([add, vec!["--lang", "en"]].concat(), None).await.unwrap();
    assert!(!again.status.success(), "the same card twice");
    assert!(text(&again).contains("IC card is already registered to another member"), "{}", text(&again));

    let list = run(vec!["members", "list", "--json"], None).await.unwrap();
    let view: serde_json::Value = serde_json::from_slice(&list.stdout).unwrap();
    assert_eq!(view["members"][0]["form"]["areas"][0]["slots"][0]["days"].as_array().unwrap().len(), 5);

    let boxes = run(vec!["keys", "boxes", "--read", "--json"], None).await.unwrap();
    assert!(boxes.status.success(), "{}", text(&boxes));
    let boxes: serde_json::Value = serde_json::from_slice(&boxes.stdout).unwrap();
    assert_eq!(boxes[0]["device_id"], "kb-0001");
    assert_eq!(boxes[0]["units"].as_array().unwrap().len(), 5);
    for name in ["splats.token", "reservation.token"] {
        run(vec!["secret", "delete", name], None).await.unwrap();
    }
}
