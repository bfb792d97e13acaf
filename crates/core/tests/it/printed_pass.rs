//! A printed pass for a guest without a smartphone, against the simulator over loopback
//! HTTP: the slip sent as ESC/POS to a loopback "printer" port is decoded back to a
//! picture whose QR `zbarimg` (not our code) reads; the simulated SPLATS reader takes it
//! at the guest's room during the window only, and not after check-out. With a CUPS
//! queue (`UKETSUKE_CUPS_QUEUE`, made by scripts/start-cups.sh for `make test`), the slip
//! printed by `lp` to cups-pdf is turned back into an image and read the same way.

use super::support::desk::Fixture;
use std::time::Duration;
use tokio::io::AsyncReadExt;
use uketsuke_core::desk::guests::pass::escpos;
use uketsuke_core::platform::secrets::{names, ExposeSecret, SecretStore};
use uketsuke_core::workflows::pass::{self, Destination};
use uketsuke_core::workflows::reconcile;

/// A one-connection "receipt printer" on a loopback port: the bytes it was sent.
async fn printer() -> (String, tokio::task::JoinHandle<Vec<u8>>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let got = tokio::spawn(async move {
        let (mut stream, _) = listener.accept().await.unwrap();
        let mut bytes = Vec::new();
        stream.read_to_end(&mut bytes).await.unwrap();
        bytes
    });
    (addr, got)
}

fn zbarimg(png: &std::path::Path) -> Vec<String> {
    let out =
        std::process::Command::new("zbarimg").args(["--quiet", "--raw"]).arg(png).output().expect("zbarimg");
    String::from_utf8_lossy(&out.stdout).lines().map(str::to_string).collect()
}

#[tokio::test]
async fn an_escpos_slip_reads_back_and_opens_the_room_only_in_its_window_until_check_out() {
    let f = Fixture::new().await;
    let guest = f.walk_in(&["A101"]).await;
    let (addr, got) = printer().await;
    let printed = pass::print(
        &f.db,
        &f.splats(),
        &f.secrets,
        &f.config,
        &guest,
        Destination::Receipt(Some(addr)),
        "受付",
    )
    .await
    .unwrap();
    let bytes = tokio::time::timeout(Duration::from_secs(10), got).await.unwrap().unwrap();
    assert_eq!(&bytes[..2], [0x1B, 0x40], "ESC @ first");
    let img = escpos::decode(&bytes).expect("a GS v 0 raster image");
    assert_eq!(img.width(), 384, "58 mm paper by default");
    let dir = tempfile::tempdir().unwrap();
    let png = dir.path().join("from-printer.png");
    img.save(&png).unwrap();
    let qr = f.secrets.get(&names::guest_pass_qr(&guest)).unwrap().expect("the pass QR is in the keyring");
    assert_eq!(zbarimg(&png), [qr.expose_secret().to_string()], "the printed QR");
    assert!(!printed.png.is_empty());

    // The reader takes it at the guest's room and the entrance, not at another room.
    assert_eq!(f.scan("sa-0001", qr.expose_secret()).await["accepted"], true);
    assert_eq!(f.scan("sa-0006", qr.expose_secret()).await["accepted"], true, "the entrance");
    assert_eq!(f.scan("sa-0002", qr.expose_secret()).await["reason"], "no_permission");
    // Printed again: the same pass, the same QR, no second SPLATS guest.
    let guests_before = f.sim.state.world.lock().unwrap().splats.guests.len();
    pass::print(&f.db, &f.splats(), &f.secrets, &f.config, &guest, Destination::Picture, "受付")
        .await
        .unwrap();
    assert_eq!(f.sim.state.world.lock().unwrap().splats.guests.len(), guests_before);
    assert_eq!(
        f.secrets.get(&names::guest_pass_qr(&guest)).unwrap().unwrap().expose_secret(),
        qr.expose_secret()
    );

    // After the window (and its grace), the cloud refuses it by itself.
    let now = uketsuke_core::platform::clock::now_unix();
    let after = now + 3600 + i64::from(f.config.splats.guest_grace_minutes) * 60 + 60;
    f.sim.state.clock.set_now(after);
    assert_eq!(f.scan("sa-0001", qr.expose_secret()).await["reason"], "outside_use_period");
    f.sim.state.clock.set_now(now);

    // Check-out revokes it with the booking: the SPLATS guest is gone, the QR forgotten.
    let out = reconcile::check_out_now(&f.db, Some(&f.splats()), &f.secrets, &f.config, &guest, "受付")
        .await
        .unwrap();
    assert!(out.revoked, "{:?}", (out.revoked, out.pending));
    assert_eq!(f.scan("sa-0001", qr.expose_secret()).await["reason"], "unknown_qr");
    assert!(f.secrets.get(&names::guest_pass_qr(&guest)).unwrap().is_none());
    let events = f.db.read_now(|c| uketsuke_core::desk::audit::recent(c, 20)).unwrap();
    assert!(events.iter().any(|e| e.action == "pass.issue" && e.ok));
    assert!(events.iter().any(|e| e.action == "pass.revoke" && e.ok));
    let again =
        pass::print(&f.db, &f.splats(), &f.secrets, &f.config, &guest, Destination::Picture, "受付").await;
    assert_eq!(again.err().unwrap().code(), "booking_ended", "no pass after check-out");
}

#[tokio::test]
async fn a_cancelled_booking_takes_its_printed_pass_with_it_even_without_a_member() {
    let f = Fixture::new().await;
    let guest = f.walk_in(&["A101"]).await;
    pass::print(&f.db, &f.splats(), &f.secrets, &f.config, &guest, Destination::Picture, "受付")
        .await
        .unwrap();
    let qr = f.secrets.get(&names::guest_pass_qr(&guest)).unwrap().unwrap();
    assert_eq!(f.scan("sa-0001", qr.expose_secret()).await["accepted"], true);
    let now = uketsuke_core::platform::clock::now_unix();
    f.db.write_now(|c| Ok(c.execute("UPDATE guests SET cancelled_at = ?2 WHERE id = ?1", (&guest, now))?))
        .unwrap();
    f.db.write_now(|c| reconcile::plan(c, &f.config, now)).unwrap();
    reconcile::drain(&f.db, &f.splats(), &f.secrets, &f.config, "test", now).await.unwrap();
    assert_eq!(f.scan("sa-0001", qr.expose_secret()).await["reason"], "unknown_qr", "the SPLATS guest went");
    assert!(f.secrets.get(&names::guest_pass_qr(&guest)).unwrap().is_none(), "and the QR with it");
}

#[tokio::test]
async fn a_longer_stay_in_another_room_remakes_the_pass_and_the_same_slip_opens_it() {
    let f = Fixture::new().await;
    let guest = f.walk_in(&["A101"]).await;
    pass::print(&f.db, &f.splats(), &f.secrets, &f.config, &guest, Destination::Picture, "受付")
        .await
        .unwrap();
    let qr = f.secrets.get(&names::guest_pass_qr(&guest)).unwrap().unwrap();
    assert_eq!(f.scan("sa-0002", qr.expose_secret()).await["reason"], "no_permission", "not A102 yet");
    let now = uketsuke_core::platform::clock::now_unix();
    let longer = uketsuke_core::desk::guests::stay::StayChange {
        ends_at: now + 2 * 3600,
        starts_at: None,
        area_ids: Some(vec!["A101".into(), "A102".into()]),
    };
    let changed = uketsuke_core::workflows::stay::change(
        &f.db,
        &f.config,
        &f.secrets,
        Some(&f.splats()),
        &guest,
        &longer,
        "受付",
    )
    .await
    .unwrap();
    assert!(!changed.doors_pending, "done at once");
    // The slip the guest holds: the new room, and in the added hour.
    assert_eq!(f.scan("sa-0002", qr.expose_secret()).await["accepted"], true, "A102 now");
    f.sim.state.clock.set_now(now + 3600 + 1800);
    assert_eq!(f.scan("sa-0001", qr.expose_secret()).await["accepted"], true, "in the added hour");
    f.sim.state.clock.set_now(now);
    let with_qr = f
        .sim
        .state
        .world
        .lock()
        .unwrap()
        .splats
        .guests
        .values()
        .filter(|g| g.qrcode_data == qr.expose_secret())
        .count();
    assert_eq!(with_qr, 1, "the old SPLATS guest went when the new one came");
    let events = f.db.read_now(|c| uketsuke_core::desk::audit::recent(c, 30)).unwrap();
    assert!(events.iter().any(|e| e.action == "pass.remake" && e.ok), "audited");
}

#[tokio::test]
async fn two_prints_at_once_make_one_pass_and_every_print_is_audited() {
    let f = Fixture::new().await;
    let guest = f.walk_in(&["A101"]).await;
    let before = f.sim.state.world.lock().unwrap().splats.guests.len();
    let splats = f.splats();
    let print = || pass::print(&f.db, &splats, &f.secrets, &f.config, &guest, Destination::Picture, "受付");
    let (a, b) = tokio::join!(print(), print());
    let busy = [&a, &b].iter().filter(|r| r.as_ref().is_err_and(|e| e.code() == "door_busy")).count();
    assert!(a.is_ok() || b.is_ok(), "one goes through");
    assert_eq!(f.sim.state.world.lock().unwrap().splats.guests.len(), before + 1, "one SPLATS guest");
    pass::print(&f.db, &splats, &f.secrets, &f.config, &guest, Destination::Picture, "受付").await.unwrap();
    let events = f.db.read_now(|c| uketsuke_core::desk::audit::recent(c, 30)).unwrap();
    let prints = events.iter().filter(|e| e.action == "pass.print").count();
    assert_eq!(prints, 3 - busy, "each print that went through, reprints too");
}

#[tokio::test]
async fn a_create_splats_refused_leaves_no_pass_and_a_lost_answer_leaves_one_to_revoke() {
    use uketsuke_sim::faults::{Fault, FaultKind};
    let f = Fixture::new().await;
    let guest = f.walk_in(&["A101"]).await;
    let fault =
        |kind| Fault { path_prefix: "/splats/v1/guests".into(), kind, times: Some(1), after: 0, until: None };
    let live = || f.db.read_now(|c| uketsuke_core::desk::guests::pass::is_live(c, &guest)).unwrap();
    f.sim.state.faults.list().push(fault(FaultKind::Status {
        status: 400,
        message: None,
        retry_after_secs: None,
    }));
    let refused =
        pass::print(&f.db, &f.splats(), &f.secrets, &f.config, &guest, Destination::Picture, "受付").await;
    assert!(refused.is_err());
    assert!(!live(), "nothing was made: nothing to revoke");

    f.sim.state.faults.list().push(fault(FaultKind::Drop));
    let lost =
        pass::print(&f.db, &f.splats(), &f.secrets, &f.config, &guest, Destination::Picture, "受付").await;
    assert_eq!(lost.err().unwrap().code(), "uncertain");
    assert!(live(), "it may exist: the booking's end must revoke it");
    let now = uketsuke_core::platform::clock::now_unix();
    f.db.write_now(|c| Ok(c.execute("UPDATE guests SET cancelled_at = ?2 WHERE id = ?1", (&guest, now))?))
        .unwrap();
    f.db.write_now(|c| reconcile::plan(c, &f.config, now)).unwrap();
    reconcile::drain(&f.db, &f.splats(), &f.secrets, &f.config, "test", now).await.unwrap();
    assert!(!live());
    let events = f.db.read_now(|c| uketsuke_core::desk::audit::recent(c, 30)).unwrap();
    let revoke = events.iter().find(|e| e.action == "pass.revoke").expect("audited");
    assert!(!revoke.ok, "not claimed as deleted");
    assert!(revoke.detail.as_ref().unwrap()["unknown_guest_expires_at"].is_i64(), "{revoke:?}");
}

#[tokio::test]
async fn a_receipt_printer_that_does_not_answer_is_said_in_words() {
    let f = Fixture::new().await;
    let guest = f.walk_in(&["A101"]).await;
    // A closed loopback port: nothing listens there.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let to = Destination::Receipt(Some(format!("127.0.0.1:{port}")));
    let e = pass::print(&f.db, &f.splats(), &f.secrets, &f.config, &guest, to, "受付").await.err().unwrap();
    assert_eq!(e.code(), "printer_unreachable");
    assert!(
        e.message(uketsuke_core::Lang::Ja).contains("レシートプリンター"),
        "{}",
        e.message(uketsuke_core::Lang::Ja)
    );
}

#[tokio::test]
async fn a_slip_printed_through_cups_reads_back_from_the_pdf() {
    let Ok(queue) = std::env::var("UKETSUKE_CUPS_QUEUE") else {
        eprintln!("skipped: no CUPS queue (UKETSUKE_CUPS_QUEUE; make test sets one up)");
        return;
    };
    let out_dir =
        std::path::PathBuf::from(std::env::var("UKETSUKE_CUPS_PDF_DIR").expect("where cups-pdf writes"));
    let f = Fixture::new().await;
    let guest = f.walk_in(&["A101"]).await;
    let to = Destination::OsPrinter(Some(queue));
    let printed = pass::print(&f.db, &f.splats(), &f.secrets, &f.config, &guest, to, "受付").await.unwrap();
    assert!(printed.job.as_deref().unwrap_or_default().contains("request id"), "{:?}", printed.job);
    let title = format!("uketsuke-pass-{guest}");
    let started = std::time::Instant::now();
    let pdf = loop {
        let found = std::fs::read_dir(&out_dir)
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| e.path())
            .find(|p| p.file_name().unwrap().to_string_lossy().starts_with(&title));
        if let Some(p) = found {
            // cups-pdf writes the file, then closes it: wait until its size holds.
            tokio::time::sleep(Duration::from_millis(500)).await;
            break p;
        }
        assert!(started.elapsed() < Duration::from_secs(60), "no PDF from cups-pdf in {}", out_dir.display());
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    let dir = tempfile::tempdir().unwrap();
    let prefix = dir.path().join("page");
    let ok = std::process::Command::new("pdftoppm")
        .args(["-png", "-r", "200"])
        .arg(&pdf)
        .arg(&prefix)
        .status()
        .unwrap();
    assert!(ok.success());
    let page =
        std::fs::read_dir(dir.path()).unwrap().flatten().map(|e| e.path()).next().expect("a page image");
    let qr = f.secrets.get(&names::guest_pass_qr(&guest)).unwrap().unwrap();
    assert_eq!(zbarimg(&page), [qr.expose_secret().to_string()], "the QR on the printed page");
    assert_eq!(f.scan("sa-0001", qr.expose_secret()).await["accepted"], true);
    let _ = std::fs::remove_file(pdf);
}
