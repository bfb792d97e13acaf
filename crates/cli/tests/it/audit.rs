//! `uketsuke audit verify`, `heads`, `archive`, and `uketsuke history --csv` on a real
//! database file, edited with the `sqlite3` tool the way someone with the file would.

use crate::support::*;
use uketsuke_core::desk::audit::{self, AuditEvent};
use uketsuke_core::{platform::db, Config};

/// A database with a month of audit rows, one every six hours.
fn setup(dir: &std::path::Path) -> std::path::PathBuf {
    let mut c = Config::default();
    c.database = Some(dir.join("cache.sqlite3"));
    c.keyring_service = Some("jp.uketsuke.cli-audit".into());
    let config = dir.join("config.toml");
    c.save(&config).unwrap();
    let conn = db::open(&dir.join("cache.sqlite3")).unwrap();
    let start = (uketsuke_core::platform::clock::now_unix() - 30 * 86_400) * 1000;
    for i in 0..120 {
        let mut e = AuditEvent::new("受付 佐藤", "sesame.unlock", Some("area:A101"), true);
        e.at_ms = start + i * 6 * 3_600_000;
        audit::record(&conn, &e).unwrap();
    }
    config
}

#[test]
fn a_row_changed_with_sqlite3_is_named_and_archiving_keeps_the_chain() {
    let dir = tempfile::tempdir().unwrap();
    let config = setup(dir.path());
    let ok = uketsuke(&config, &["audit", "verify", "--lang", "en"], None);
    assert!(ok.status.success() && text(&ok).contains("verifies (120 rows"), "{}", text(&ok));

    let heads = dir.path().join("heads.json");
    assert!(uketsuke(&config, &["audit", "heads", "--out", heads.to_str().unwrap()], None).status.success());

    // Retention: rows older than 10 days go to a file; the chain verifies across it.
    let archived = uketsuke(&config, &["audit", "archive", "--days", "10", "--lang", "en"], None);
    assert!(
        archived.status.success() && text(&archived).contains("audit-000000000001-"),
        "{}",
        text(&archived)
    );
    let ok = uketsuke(&config, &["audit", "verify", "--heads", heads.to_str().unwrap()], None);
    assert!(ok.status.success(), "archived days still match their heads: {}", text(&ok));

    // Someone with the file changes a row.
    let db = dir.path().join("cache.sqlite3");
    let edit = std::process::Command::new("sqlite3")
        .arg(&db)
        .arg("DROP TRIGGER audit_sealed_rows_stay; UPDATE audit_events SET actor = '別人' WHERE id = 100;")
        .output()
        .expect("sqlite3 is installed (scripts/install-system-deps.sh)");
    assert!(edit.status.success(), "{}", String::from_utf8_lossy(&edit.stderr));
    let bad = uketsuke(&config, &["audit", "verify", "--lang", "en"], None);
    assert_eq!(bad.status.code(), Some(1));
    assert!(text(&bad).contains("first broken row: 100 (changed)"), "{}", text(&bad));
    let json = uketsuke(&config, &["audit", "verify", "--json"], None);
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(v["broken"]["id"], 100);
}

#[test]
fn the_history_goes_to_an_excel_ready_csv() {
    let dir = tempfile::tempdir().unwrap();
    let config = setup(dir.path());
    let out = dir.path().join("history.csv");
    let run = uketsuke(&config, &["history", "--source", "audit", "--csv", out.to_str().unwrap()], None);
    assert!(run.status.success(), "{}", text(&run));
    let bytes = std::fs::read(&out).unwrap();
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"));
    let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
    assert_eq!(text.lines().count(), 121, "a header and every row");
    assert!(text.starts_with("\"日時\",\"記録元\",\"種類\",\"内容\""), "{}", &text[..60]);
    assert!(text.contains("\"解錠 (SESAME)\""));
    let bad = uketsuke(&config, &["history", "--since", "24/11/2026", "--lang", "en"], None);
    assert!(
        !bad.status.success() && crate::support::text(&bad).contains("2026-11-24"),
        "{}",
        crate::support::text(&bad)
    );
}
