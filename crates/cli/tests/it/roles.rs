//! Roles held by core, through the CLI as a user runs it: a real PostgreSQL, a counter
//! that starts the facility, a head office and a kiosk PC that join it with codes the
//! counter shows, each PC with its own SQLite, keyring and config. On the head office,
//! unlocking, importing, checking out, showing a guest's QR and issuing a join code are
//! refused with a clear message, and nothing reaches a cloud; on the kiosk PC, door
//! commands and join codes are.

use crate::support::*;
use uketsuke_sim::postgres::Cluster;
use uketsuke_sim::{Sim, SimConfig};

/// A PC set up for the simulator with the facility's password kept, not yet joined.
async fn pc(dir: &std::path::Path, sim: &Sim, pg: &Cluster, name: &str) -> std::path::PathBuf {
    let service = format!("jp.uketsuke.cli-roles-{name}.{}", std::process::id());
    let config = with_splats(dir, sim, &service, |_| {}).await;
    let password: &'static str = Box::leak(pg.password.clone().into_boxed_str());
    let set = runner(&config)(vec!["secret", "set", "facility.db_password"], Some(password)).await.unwrap();
    assert!(set.status.success(), "{}", text(&set));
    config
}

fn leak(s: String) -> &'static str {
    Box::leak(s.into_boxed_str())
}

/// Runs `args` on the PC and expects a refusal that says `says`.
async fn refused(config: &std::path::Path, args: Vec<&'static str>, says: &str) {
    let out = runner(config)(args.clone(), None).await.unwrap();
    assert!(!out.status.success(), "{args:?} should be refused: {}", text(&out));
    assert!(text(&out).contains(says), "{args:?}: {}", text(&out));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_head_office_and_a_kiosk_pc_are_refused_what_their_role_may_not_do() {
    if no_keyring() || !uketsuke_sim::postgres::available() {
        return;
    }
    let pg = Cluster::start().unwrap();
    let sim = Sim::start(SimConfig::default()).await.unwrap();
    let dirs: Vec<_> = (0..3).map(|_| tempfile::tempdir().unwrap()).collect();
    let counter = pc(dirs[0].path(), &sim, &pg, "counter").await;
    let office = pc(dirs[1].path(), &sim, &pg, "office").await;
    let kiosk = pc(dirs[2].path(), &sim, &pg, "kiosk").await;
    let url = leak(pg.url());

    // The counter is the facility's first PC (its first code makes the facility) and
    // shows a code for each new PC.
    let mut c = uketsuke_core::Config::read(&counter).unwrap();
    c.facility.database_url = Some(pg.url());
    c.save(&counter).unwrap();
    for (config, flag, name) in [(&office, "--head-office", "本部"), (&kiosk, "--kiosk", "入口")] {
        let code = runner(&counter)(vec!["facility", "code"], None).await.unwrap();
        assert!(code.status.success(), "{}", text(&code));
        let code = leak(String::from_utf8_lossy(&code.stdout).trim().to_string() + "\n");
        let joined = runner(config)(vec!["facility", "join", "--url", url, "--name", name, flag], Some(code))
            .await
            .unwrap();
        assert!(joined.status.success(), "{}", text(&joined));
    }
    let csv = dirs[1].path().join("bookings.csv");
    std::fs::write(&csv, "予約番号,店舗ID,氏名,開始,終了,エリアID\nRSV-9,S001,本部 花子,2026-12-03 10:00,2026-12-03 11:00,A101\n")
        .unwrap();
    let csv = leak(csv.display().to_string());

    refused(&office, vec!["unlock", "--area", "A101"], "本部の PC からは解錠・施錠できません").await;
    refused(&office, vec!["lock", "--entrance", "S001"], "本部の PC からは解錠・施錠できません").await;
    refused(&office, vec!["status", "--area", "A101"], "本部の PC はクラウドに問い合わせません").await;
    refused(&office, vec!["guests", "import", csv], "本部の PC は閲覧のみです").await;
    refused(&office, vec!["guests", "check-out", "--guest", "RSV-9"], "本部").await;
    refused(&office, vec!["qr", "--guest", "RSV-9"], "本部の PC ではお客様の QR コード").await;
    refused(&office, vec!["facility", "code"], "本部の PC は閲覧のみです").await;
    refused(&office, vec!["pass-unlock", "--area", "A101"], "本部").await;

    refused(&kiosk, vec!["unlock", "--area", "A101"], "キオスク用の PC からは解錠・施錠できません").await;
    refused(&kiosk, vec!["pass-unlock", "--area", "A101"], "キオスク用の PC からは解錠・施錠できません")
        .await;
    refused(&kiosk, vec!["facility", "code"], "キオスク用の PC では参加コードを発行できません").await;

    let world = sim.state.world.lock().unwrap();
    assert!(world.sesame.calls.is_empty(), "no SESAME call was made: {:?}", world.sesame.calls);
    let splats_writes: Vec<_> = world.splats.calls.iter().filter(|c| !c.starts_with("GET")).collect();
    assert!(splats_writes.is_empty(), "no SPLATS change was sent: {splats_writes:?}");
}
