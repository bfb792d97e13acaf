//! The words the history shows, in the user's language: the same strings in the window,
//! the CLI and the CSV, so an export reads exactly as the screen did.

use crate::Lang;

/// A kind of entry.
pub fn kind(kind: &str, lang: Lang) -> String {
    let (ja, en) = match kind {
        "access" => ("入退室", "access"),
        "door" => ("ドア操作", "door"),
        "guest" => ("お客様", "guest"),
        "key" => ("鍵", "key"),
        "member" => ("メンバー", "member"),
        "settings" => ("設定", "settings"),
        "sync" => ("同期", "sync"),
        "alert" => ("注意", "alert"),
        "kiosk" => ("キオスク", "kiosk"),
        other => return other.to_string(),
    };
    lang.pick(ja, en).to_string()
}

/// Where an entry came from.
pub fn source(source: &str, lang: Lang) -> String {
    match source {
        "splats" => "SPLATS".into(),
        "sesame" => "SESAME".into(),
        _ => lang.pick("受付アプリ", "Uketsuke").into(),
    }
}

/// What happened: SPLATS' and SESAME's own event names as they are; the app's actions
/// in words.
pub fn event(source: &str, event: &str, lang: Lang) -> String {
    if source != "audit" {
        return event.to_string();
    }
    let (ja, en) = match event {
        "sesame.unlock" => ("解錠 (SESAME)", "unlock (SESAME)"),
        "sesame.lock" => ("施錠 (SESAME)", "lock (SESAME)"),
        "sesame.confirm" => ("錠の状態確認", "lock status confirmed"),
        "door.pass_unlock" => ("解錠 (SPLATS)", "unlock (SPLATS)"),
        "guest.check_in" => ("来店", "check-in"),
        "guest.check_out" => ("退出", "check-out"),
        "guest.walk_in" => ("飛び込み受付", "walk-in"),
        "guest.import_csv" => ("CSV 取り込み", "CSV import"),
        "access.issue" => ("入室権限の発行", "access issued"),
        "access.revoke" => ("入室権限の取り消し", "access revoked"),
        "access.reconcile" => ("入室権限の更新", "access updated"),
        "access.bulk_delete" => ("入室権限の一括削除", "access deleted in bulk"),
        "key.give" => ("鍵を渡す", "key given"),
        "key.book" => ("鍵を予約に付ける", "key added to booking"),
        "member.create" => ("メンバー登録", "member added"),
        "member.update" => ("メンバー変更", "member changed"),
        "member.delete" => ("メンバー削除", "member deleted"),
        "member.face" => ("顔画像の登録", "face image sent"),
        "member.face_remove" => ("顔画像の削除", "face image removed"),
        "settings.clouds" => ("クラウド設定の変更", "cloud settings changed"),
        "settings.assign_lock" => ("錠の登録", "lock registered"),
        "settings.manager_pin" => ("管理者 PIN の変更", "manager PIN changed"),
        "settings.export" => ("設定の書き出し", "settings exported"),
        "settings.import" => ("設定の読み込み", "settings imported"),
        "settings.kiosk_at_login" => ("ログイン時のキオスク起動", "kiosk at login"),
        "manager.unlock" => ("管理者モード", "manager mode"),
        "reservation.sign_in" => ("予約システムにサインイン", "signed in to the reservation system"),
        "reservation.report_visit" => ("来店を予約システムに報告", "visit reported"),
        "alert.acknowledge" => ("注意を確認", "alert acknowledged"),
        "kiosk.lookup_failures" => ("キオスクの検索失敗", "kiosk lookups failing"),
        "kiosk.exit" => ("キオスク終了", "kiosk closed"),
        "history.export" => ("履歴の書き出し", "history exported"),
        "audit.archive" => ("監査ログの保管", "audit log archived"),
        a if a.starts_with("sync") => ("同期", "sync"),
        other => return other.to_string(),
    };
    lang.pick(ja, en).to_string()
}

/// Success or not, in words.
pub fn outcome(ok: bool, lang: Lang) -> String {
    match ok {
        true => lang.pick("成功", "ok").into(),
        false => lang.pick("失敗・拒否", "failed or refused").into(),
    }
}
