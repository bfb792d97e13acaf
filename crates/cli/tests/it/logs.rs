//! Log files and the support bundle after a whole CLI session with every secret in use:
//! the files are written, rotate by day, and hold no secret; the bundle holds the
//! report, versions, the config and the logs, and no secret either.

use crate::support::*;
use std::io::Read;
use uketsuke_core::Config;
use uketsuke_sim::{Sim, SimConfig, DEMO_RESERVATION_TOKEN};

#[tokio::test(flavor = "multi_thread")]
async fn a_whole_session_leaves_logs_and_a_bundle_without_a_secret() {
    if no_keyring() {
        return;
    }
    let sim = Sim::start(SimConfig::default()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let service = format!("jp.uketsuke.cli-logs.{}", std::process::id());
    let logs = dir.path().join("logs");
    let config = with_splats(dir.path(), &sim, &service, |c: &mut Config| {
        c.sesame.base_url = Some(sim.sesame_url());
        c.sesame.confirm_delay_ms = 50;
        c.log_dir = Some(logs.clone());
    })
    .await;
    let device = sim.state.world.lock().unwrap().sesame.device_for("area:A101").unwrap().clone();
    let secret_hex: String = device.secret.iter().map(|x| format!("{x:02x}")).collect();
    let run = runner(&config);
    let api_key = Some(uketsuke_sim::sesame::DEMO_API_KEY);
    assert!(run(vec!["secret", "set", "sesame.api_key"], api_key).await.unwrap().status.success());
    let licence = Some(uketsuke_sim::splats::DEMO_LICENSE_KEY);
    assert!(run(vec!["secret", "set", "splats.license_key"], licence).await.unwrap().status.success());
    assert!(run(vec!["sync"], None).await.unwrap().status.success());
    let uuid: &'static str = Box::leak(device.uuid.clone().into_boxed_str());
    let key: &'static str = Box::leak(secret_hex.clone().into_boxed_str());
    assert!(run(vec!["sesame", "assign", "--area", "A101", "--uuid", uuid], Some(key))
        .await
        .unwrap()
        .status
        .success());
    let unlocked = run(vec!["unlock", "--area", "A101", "--as", "佐藤"], None).await.unwrap();
    assert!(unlocked.status.success(), "{}", text(&unlocked));
    run(vec!["splats", "map", "--area", "A101", "--to", "sa-0001"], None).await.unwrap();
    run(vec!["pass-unlock", "--area", "A101"], None).await.unwrap();
    run(vec!["keys", "boxes", "--read"], None).await.unwrap();
    let bundle = dir.path().join("support.zip");
    let doctor =
        run(vec!["doctor", "--bundle", Box::leak(bundle.display().to_string().into_boxed_str())], None);
    doctor.await.unwrap();

    let secrets = [
        uketsuke_sim::sesame::DEMO_API_KEY.to_string(),
        uketsuke_sim::splats::DEMO_TOKEN.to_string(),
        uketsuke_sim::splats::DEMO_LICENSE_KEY.to_string(),
        DEMO_RESERVATION_TOKEN.to_string(),
        secret_hex.clone(),
        secret_hex.to_uppercase(),
    ];
    let files: Vec<_> = std::fs::read_dir(&logs).unwrap().flatten().map(|e| e.path()).collect();
    assert!(!files.is_empty(), "log files were written");
    assert!(files.iter().all(|f| f.file_name().unwrap().to_string_lossy().starts_with("uketsuke-cli.")));
    let all: String = files.iter().map(|f| std::fs::read_to_string(f).unwrap()).collect();
    assert!(all.contains("INFO"), "the session is in the logs: {all}");
    for s in &secrets {
        assert!(!all.contains(s.as_str()), "a secret in the logs");
    }

    let mut zip = zip::ZipArchive::new(std::fs::File::open(&bundle).unwrap()).unwrap();
    let names: Vec<String> = zip.file_names().map(String::from).collect();
    for wanted in ["doctor.txt", "doctor.json", "versions.txt", "config.toml", "audit.json"] {
        assert!(names.iter().any(|n| n == wanted), "{wanted} in {names:?}");
    }
    assert!(names.iter().any(|n| n.starts_with("logs/uketsuke-cli.")), "{names:?}");
    for i in 0..zip.len() {
        let mut text = String::new();
        zip.by_index(i).unwrap().read_to_string(&mut text).unwrap();
        for s in &secrets {
            assert!(!text.contains(s.as_str()), "a secret in the bundle");
        }
    }
    for name in ["sesame.api_key", "splats.license_key", "splats.token", "reservation.token"] {
        run(vec!["secret", "delete", name], None).await.unwrap();
    }
    let device_key = uketsuke_core::platform::secrets::names::device_secret(uuid);
    run(vec!["secret", "delete", Box::leak(device_key.into_boxed_str())], None).await.unwrap();
}
