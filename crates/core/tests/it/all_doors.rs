//! 全施錠 and 全解錠 against the simulator over loopback HTTP: every door of a store, a
//! manager session and a reason first, one command per door, one audit row per door.

use super::sesame_lock::Fixture;
use super::support::desk;
use uketsuke_core::desk::audit;
use uketsuke_core::desk::doors::lock::{Locks, Target};
use uketsuke_core::desk::guests;
use uketsuke_core::desk::staff::manager::Gate;
use uketsuke_core::platform::clock;
use uketsuke_core::platform::secrets::{names, SecretStore};
use uketsuke_core::workflows::all_doors::{Ctx, DoorResult, Means, Outcome, Sweep};
use uketsuke_core::Lang;
use uketsuke_sim::world::sesame::SimDevice;
use uketsuke_sim::world::SimArea;
use uketsuke_sim::SimConfig;

/// The demo facility with a fifth door in 渋谷店 (会議室C), every lock registered and
/// every door left unlocked.
async fn five_doors() -> Fixture {
    let now = clock::now_unix();
    let f = Fixture::bare_with(SimConfig::default(), |w| {
        w.areas
            .push(SimArea { id: "A104".into(), store_id: "S001".into(), name: "会議室C".into(), sort: 4 });
        w.sesame.add_device(SimDevice::demo(9, "area:A104", "会議室C", now));
    })
    .await;
    let f = Fixture::registered(f);
    for d in f.sim.state.world.lock().unwrap().sesame.devices.values_mut() {
        d.state = "unlocked".into();
    }
    f
}

fn manager() -> Gate {
    let gate = Gate::default();
    gate.open(clock::monotonic_secs(), 600);
    gate
}

#[tokio::test]
async fn lock_all_locks_five_doors_once_each_with_a_reason_and_an_audit_row_per_door() {
    let f = five_doors().await;
    let gate = manager();
    let ctx = Ctx { locks: f.locks(), splats: None, gate: &gate, lang: Lang::Ja };
    let plan = ctx.plan("S001", Sweep::LockAll).await.unwrap();
    let sesame: Vec<_> = plan.doors.iter().filter(|d| d.means == Means::Sesame).collect();
    assert_eq!(sesame.len(), 5, "the entrance and four rooms: {plan:?}");
    assert_eq!(plan.sesame_calls, 5 * (1 + f.config.sesame.confirm_reads));

    let before = f.sim.state.world.lock().unwrap().sesame.commands_received;
    let no_reason =
        uketsuke_core::workflows::all_doors::run(&ctx, "S001", Sweep::LockAll, "  ", "店長", |_| ()).await;
    assert_eq!(no_reason.unwrap_err().code(), "reason_missing");
    let staff = Gate::default();
    let staff_ctx = Ctx { locks: f.locks(), splats: None, gate: &staff, lang: Lang::Ja };
    let refused =
        uketsuke_core::workflows::all_doors::run(&staff_ctx, "S001", Sweep::LockAll, "閉店", "受付", |_| ())
            .await;
    assert_eq!(refused.unwrap_err().code(), "manager_required");
    assert_eq!(f.sim.state.world.lock().unwrap().sesame.commands_received, before, "nothing sent");

    let mut seen: Vec<DoorResult> = Vec::new();
    let report = uketsuke_core::workflows::all_doors::run(
        &ctx,
        "S001",
        Sweep::LockAll,
        "閉店 22:00",
        "店長",
        |r| seen.push(r.clone()),
    )
    .await
    .unwrap();
    assert!(report.all_done, "{report:?}");
    assert_eq!(report.results.iter().filter(|r| r.outcome == Outcome::Done).count(), 5);
    assert_eq!(
        f.sim.state.world.lock().unwrap().sesame.commands_received,
        before + 5,
        "one command per door"
    );
    for door in ["entrance:S001", "area:A101", "area:A102", "area:A103", "area:A104"] {
        assert_eq!(f.sim_state(door), "locked", "{door}");
    }
    let sent: Vec<_> = seen.iter().filter(|r| r.outcome == Outcome::Sent).collect();
    let done: Vec<_> = seen.iter().filter(|r| r.outcome == Outcome::Done).collect();
    assert_eq!((sent.len(), done.len()), (5, 5), "each door reported as sent, then as done: {seen:?}");

    let events = f.db.read_now(|c| audit::recent(c, 100)).unwrap();
    let locks = events.iter().filter(|e| e.action == "sesame.lock" && e.ok && e.actor == "店長").count();
    assert_eq!(locks, 5, "an audit row per door");
    let start = events.iter().find(|e| e.action == "doors.lock_all.start").unwrap();
    assert_eq!(start.detail.as_ref().unwrap()["reason"], "閉店 22:00");
    assert!(events.iter().any(|e| e.action == "doors.lock_all.end" && e.ok));
}

#[tokio::test]
async fn a_door_that_does_not_answer_is_reported_and_the_others_still_lock() {
    let f = five_doors().await;
    f.sim
        .state
        .world
        .lock()
        .unwrap()
        .sesame
        .devices
        .values_mut()
        .find(|d| d.door == "area:A102")
        .unwrap()
        .wm2 = false;
    let gate = manager();
    let ctx = Ctx { locks: f.locks(), splats: None, gate: &gate, lang: Lang::Ja };
    let report =
        uketsuke_core::workflows::all_doors::run(&ctx, "S001", Sweep::LockAll, "閉店", "店長", |_| ())
            .await
            .unwrap();
    assert!(!report.all_done);
    let a102 = report.results.iter().find(|r| r.target == Target::Area("A102".into())).unwrap();
    assert_ne!(a102.outcome, Outcome::Done, "{a102:?}");
    assert!(a102.message.is_some(), "says what happened");
    for door in ["entrance:S001", "area:A101", "area:A103", "area:A104"] {
        assert_eq!(f.sim_state(door), "locked", "{door}");
    }
}

#[tokio::test]
async fn a_command_whose_reply_is_lost_is_not_resent_and_its_door_is_read_like_the_others() {
    let f = five_doors().await;
    // The second command reaches the lock, then the connection drops before the reply.
    f.sim.state.faults.list().push(uketsuke_sim::faults::Fault {
        path_prefix: "/sesame/".into(),
        kind: uketsuke_sim::faults::FaultKind::Drop,
        times: Some(1),
        after: 1,
        until: None,
    });
    let before = f.sim.state.world.lock().unwrap().sesame.commands_received;
    let gate = manager();
    let ctx = Ctx { locks: f.locks(), splats: None, gate: &gate, lang: Lang::Ja };
    let mut seen: Vec<DoorResult> = Vec::new();
    let report =
        uketsuke_core::workflows::all_doors::run(&ctx, "S001", Sweep::LockAll, "閉店", "店長", |r| {
            seen.push(r.clone())
        })
        .await
        .unwrap();
    assert_eq!(f.sim.state.world.lock().unwrap().sesame.commands_received, before + 5, "none resent");
    let uncertain: Vec<_> =
        seen.iter().filter(|r| r.outcome == Outcome::Sent && r.message.is_some()).collect();
    assert_eq!(uncertain.len(), 1, "the lost reply is said as it happens: {seen:?}");
    let door = report.results.iter().find(|r| r.target == uncertain[0].target).unwrap();
    assert_eq!(door.outcome, Outcome::Done, "its status read shows it locked: {door:?}");
    assert!(report.all_done, "{report:?}");
}

#[tokio::test]
async fn unlock_all_names_who_is_inside_and_opens_pass_controllers_only_with_the_licence() {
    let f = desk::Fixture::new().await;
    let walk_in = f.walk_in(&["A101"]).await;
    f.db.write_now(|c| guests::check_in(c, &walk_in, clock::now_unix(), "受付")).unwrap();
    let gate = manager();
    let splats = f.splats();
    let locks = || Locks { db: &f.db, secrets: &f.secrets, config: &f.config };
    let ctx = Ctx { locks: locks(), splats: Some(&splats), gate: &gate, lang: Lang::Ja };

    let plan = ctx.plan("S001", Sweep::UnlockAll).await.unwrap();
    assert_eq!(plan.inside, vec!["小林 大輔".to_string()], "who is still inside");
    let a101 = plan.doors.iter().find(|d| d.target == Target::Area("A101".into())).unwrap();
    assert_eq!(a101.means, Means::None, "no licence key: not offered");
    assert!(a101.why.as_deref().unwrap().contains("ライセンスキー"), "{a101:?}");

    f.secrets.set(names::SPLATS_LICENSE_KEY, uketsuke_sim::splats::DEMO_LICENSE_KEY).unwrap();
    let report = uketsuke_core::workflows::all_doors::run(
        &ctx,
        "S001",
        Sweep::UnlockAll,
        "火災報知器の試験",
        "店長",
        |_| (),
    )
    .await
    .unwrap();
    let opened: Vec<_> = report.results.iter().filter(|r| r.outcome == Outcome::Done).collect();
    assert!(!opened.is_empty(), "{report:?}");
    let locked = f
        .sim
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
    assert!(!locked, "the simulated pass controller was unlocked");

    let locking = ctx.plan("S001", Sweep::LockAll).await.unwrap();
    let a101 = locking.doors.iter().find(|d| d.target == Target::Area("A101".into())).unwrap();
    assert_eq!(a101.means, Means::None, "SPLATS lock is not documented: named, not pretended");
    let report =
        uketsuke_core::workflows::all_doors::run(&ctx, "S001", Sweep::LockAll, "閉店", "店長", |_| ())
            .await
            .unwrap();
    let a101 = report.results.iter().find(|r| r.target == Target::Area("A101".into())).unwrap();
    assert_eq!(a101.outcome, Outcome::Skipped);
    assert!(!report.all_done, "a door left as it was is not a complete 全施錠: {report:?}");
}
