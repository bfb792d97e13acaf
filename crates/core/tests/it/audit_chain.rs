//! The audit log's hash chain on a real SQLite file: verified, broken by an edit made
//! the way someone with the file would (triggers dropped, a field changed), pinned by
//! exported day heads, and archived to a file with the chain still verifying end to end.

use uketsuke_core::desk::audit::{self, archive, chain, AuditEvent};
use uketsuke_core::platform::db;

fn log(n: usize) -> (tempfile::TempDir, db::Db) {
    let dir = tempfile::tempdir().unwrap();
    let db = db::Db::open(&dir.path().join("cache.sqlite3")).unwrap();
    db.write_now(|c| {
        for i in 0..n {
            let mut e = AuditEvent::new("受付 佐藤", "sesame.unlock", Some("area:A101"), i % 7 != 0);
            e.at_ms = 1_790_000_000_000 + i as i64 * 3_600_000; // one an hour
            audit::record(c, &e)?;
        }
        Ok(())
    })
    .unwrap();
    (dir, db)
}

#[test]
fn an_untouched_log_verifies_and_an_edited_row_is_named() {
    let (_dir, db) = log(40);
    let ok = db.read_now(chain::verify).unwrap();
    assert_eq!((ok.rows, ok.broken), (40, None));

    // The app itself cannot change a sealed row.
    let refused = db.write_now(|c| Ok(c.execute("UPDATE audit_events SET actor = 'x' WHERE id = 5", [])?));
    assert!(refused.is_err(), "the trigger refuses");
    let refused = db.write_now(|c| Ok(c.execute("DELETE FROM audit_events WHERE id = 5", [])?));
    assert!(refused.is_err(), "rows leave only by archive");

    db.write_now(|c| {
        c.execute_batch(
            "DROP TRIGGER audit_sealed_rows_stay; UPDATE audit_events SET actor = '別人' WHERE id = 12;",
        )?;
        Ok(())
    })
    .unwrap();
    let broken = db.read_now(chain::verify).unwrap().broken.unwrap();
    assert_eq!((broken.id, broken.reason.as_str()), (12, "changed"));
}

#[test]
fn a_rewritten_chain_no_longer_matches_its_exported_day_heads() {
    let (_dir, db) = log(72); // three days
    let heads = db.read_now(chain::day_heads).unwrap();
    assert!(heads.len() >= 3, "{heads:?}");
    // Someone edits row 8 (a refusal made a success) and re-computes every hash after it: the chain verifies ...
    db.write_now(|c| {
        c.execute_batch(
            "DROP TRIGGER audit_sealed_rows_stay;
             UPDATE audit_events SET outcome = 'ok' WHERE id = 8;
             UPDATE audit_events SET hash = NULL, prev_hash = NULL WHERE id >= 8;",
        )?;
        chain::seal_pending(c, i64::MAX)?;
        Ok(())
    })
    .unwrap();
    assert_eq!(db.read_now(chain::verify).unwrap().broken, None);
    // ... but not against the heads kept elsewhere.
    let broken = db.read_now(|c| chain::check_heads(c, &heads)).unwrap().unwrap();
    let day_of_the_edit = heads.iter().find(|h| h.last_id >= 8).unwrap();
    assert_eq!((broken.id, broken.reason.as_str()), (day_of_the_edit.last_id, "head"));
}

#[test]
fn archived_rows_go_to_a_file_and_the_chain_verifies_across_it() {
    let (dir, db) = log(100);
    let archives = dir.path().join("audit-archive");
    let cut = 1_790_000_000_000 + 60 * 3_600_000;
    let done = db.write_now(|c| archive::archive(c, cut, &archives, 1_800_000_000)).unwrap().unwrap();
    assert_eq!((done.first_id, done.last_id, done.rows), (1, 60, 60));
    let left: i64 =
        db.read_now(|c| Ok(c.query_row("SELECT COUNT(*) FROM audit_events", [], |r| r.get(0))?)).unwrap();
    assert_eq!(left, 41, "40 rows and the archiving's own event");
    let report = db.read_now(|c| audit::verify_all(c, &archives)).unwrap();
    assert_eq!((report.archived_rows, report.rows, report.broken), (60, 41, None));

    // The archive file edited: named at once.
    let file = archives.join(&done.file);
    let text = std::fs::read_to_string(&file).unwrap().replacen("受付 佐藤", "受付 鈴木", 1);
    std::fs::write(&file, text).unwrap();
    let broken = db.read_now(|c| audit::verify_all(c, &archives)).unwrap().broken.unwrap();
    assert_eq!((broken.id, broken.reason.as_str()), (1, "archive_changed"));
    std::fs::remove_file(&file).unwrap();
    let broken = db.read_now(|c| audit::verify_all(c, &archives)).unwrap().broken.unwrap();
    assert_eq!(broken.reason, "archive_missing");
}

#[test]
fn a_log_from_before_the_chain_is_sealed_once_by_the_first_write_after_the_upgrade() {
    // Rows an older version wrote: no hashes, and the upgrade's note of the last one.
    let (_dir, db) = log(5);
    db.write_now(|c| {
        c.execute_batch(
            "DROP TRIGGER audit_sealed_rows_stay; UPDATE audit_events SET hash = NULL, prev_hash = NULL;
             INSERT INTO meta (key, value) VALUES ('audit_legacy_upto', '5');",
        )?;
        Ok(())
    })
    .unwrap();
    let before = db.read_now(chain::verify).unwrap();
    assert_eq!((before.rows, before.broken), (5, None), "linked as the sealing will");
    db.write_now(|c| audit::record(c, &AuditEvent::new("t", "sync", None, true))).unwrap();
    let after = db.read_now(chain::verify).unwrap();
    assert_eq!((after.rows, after.broken), (6, None));
    // A hash cleared later is never sealed again: it shows.
    db.write_now(|c| Ok(c.execute_batch("UPDATE audit_events SET hash = NULL WHERE id = 3;")?)).unwrap();
    db.write_now(|c| audit::record(c, &AuditEvent::new("t", "sync", None, true))).unwrap();
    assert_eq!(db.read_now(chain::verify).unwrap().broken.unwrap().id, 3);
}

#[test]
fn the_configured_retention_archives_old_rows_and_none_keeps_them() {
    let (dir, db) = log(100); // rows from 2026-09-21, one an hour
    let mut config = uketsuke_core::Config::default();
    config.database = Some(dir.path().join("cache.sqlite3"));
    let now = 1_790_000_000 + 100 * 3600 + 86_400; // a day after the last row
    assert_eq!(db.write_now(|c| archive::apply_retention(c, &config, now)).unwrap(), None, "0: keep");
    config.audit.retention_days = 2;
    let done = db.write_now(|c| archive::apply_retention(c, &config, now)).unwrap().unwrap();
    assert_eq!(done.last_id, 76, "rows older than two days");
    assert!(dir.path().join("audit-archive").join(&done.file).exists());
    let report = db.read_now(|c| audit::verify_all(c, &config.audit_archive_dir().unwrap())).unwrap();
    assert_eq!(report.broken, None);
}
