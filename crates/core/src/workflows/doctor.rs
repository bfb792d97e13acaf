//! `doctor`: is this PC set up to work? Checks the config, the database, the keyring,
//! each configured cloud and the clock, and says which setting is wrong.
//!
//! It reads secrets only to use them; no check's text ever contains one. It never
//! makes a metered SESAME call: the SESAME probe carries no API key.

use crate::platform::clock::WARN_OFFSET_SECS;
use crate::platform::config::{self, Config};
use crate::platform::error::{Cloud, Error};
use crate::platform::i18n::Lang;
use crate::platform::secrets::{names, SecretStore};
use crate::{platform::db, platform::http};
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Ok,
    Warn,
    Fail,
    Skip,
}

#[derive(Debug, Clone, Serialize)]
pub struct Check {
    pub name: String,
    pub status: Status,
    pub detail: String,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Report {
    pub checks: Vec<Check>,
    /// The largest server-minus-PC offset seen, in seconds.
    pub clock_offset_secs: Option<i64>,
}

impl Report {
    pub fn healthy(&self) -> bool {
        self.checks.iter().all(|c| c.status != Status::Fail)
    }

    fn push(&mut self, name: impl Into<String>, status: Status, detail: impl Into<String>) {
        self.checks.push(Check { name: name.into(), status, detail: detail.into() });
    }

    fn note_offset(&mut self, offset: Option<i64>) {
        if let Some(o) = offset {
            if self.clock_offset_secs.is_none_or(|old| o.abs() > old.abs()) {
                self.clock_offset_secs = Some(o);
            }
        }
    }
}

pub async fn run(config: &Config, secrets: &dyn SecretStore) -> Report {
    let lang = config.language;
    let mut report = Report::default();
    check_config(config, &mut report);
    check_database(config, lang, &mut report);
    check_seed_reading(config, lang, &mut report);
    let keyring_ok = check_keyring(secrets, lang, &mut report);
    check_reservation(config, secrets, keyring_ok, lang, &mut report).await;
    for (cloud, setting, url) in [
        (Cloud::Sesame, "sesame.base_url", config.sesame.base_url.as_deref()),
        (Cloud::Splats, "splats.base_url", config.splats.base_url.as_deref()),
    ] {
        match url {
            Some(url) if config::check_base_url(url).is_ok() => {
                let offset = probe(cloud, setting, url, lang, &mut report).await;
                report.note_offset(offset);
            }
            Some(_) => {} // already reported by check_config
            None => report.push(
                setting,
                Status::Skip,
                lang.pick("未設定 (既定のクラウドを使用)", "not set (the default cloud is used)"),
            ),
        }
    }
    check_clock(lang, &mut report);
    report
}

fn check_config(config: &Config, report: &mut Report) {
    let source = config.source.as_ref().map(|p| p.display().to_string()).unwrap_or_else(|| "-".into());
    let problems = config.problems();
    if problems.is_empty() {
        return report.push("config", Status::Ok, source);
    }
    for p in problems {
        report.push(p.setting, Status::Fail, format!("{} ({source})", p.problem));
    }
}

fn check_database(config: &Config, lang: Lang, report: &mut Report) {
    let path = match config.database_path() {
        Ok(p) => p,
        Err(e) => return report.push("database", Status::Fail, e.message(lang)),
    };
    match db::open(&path).and_then(|c| db::schema_version(&c)) {
        Ok(v) => report.push("database", Status::Ok, format!("{} (schema v{v})", path.display())),
        Err(e) => report.push("database", Status::Fail, format!("{}: {}", path.display(), e.message(lang))),
    }
}

/// How this PC reads SPLATS' one-time-QR seeds: set, detected from SPLATS' own code,
/// not yet known, or matching nothing (codes fetched from SPLATS, which costs calls).
fn check_seed_reading(config: &Config, lang: Lang, report: &mut Report) {
    use crate::desk::guests::access::seed_reading::{self, Effective};
    let setting = config.splats.totp_seed_reading;
    let Ok(path) = config.database_path() else { return };
    let Ok(found) = db::open(&path).and_then(|c| seed_reading::effective(&c, setting)) else { return };
    let (status, detail) = match (setting, found) {
        (crate::platform::config::SeedReading::Auto, Effective::Local(_)) => (
            Status::Ok,
            format!("{} ({})", found.word(), lang.pick("SPLATS のコードと照合済み", "checked against SPLATS' own code")),
        ),
        (_, Effective::Local(_)) => (Status::Ok, format!("{} ({})", found.word(), lang.pick("設定", "set"))),
        (_, Effective::Undetected) => (
            Status::Skip,
            lang.pick("未確認: 最初の QR 発行のときに SPLATS のコードと照合します", "not yet known: checked against SPLATS at the first issue").into(),
        ),
        (_, Effective::Cloud) => (
            Status::Warn,
            lang.pick(
                "どの読み方も SPLATS のコードと一致しません。QR は毎回 SPLATS から取得します (通信回数を使います)。SPLATS にシードの扱いを問い合わせてください",
                "no reading matches SPLATS' code: each QR is fetched from SPLATS (this spends calls); ask SPLATS how seeds are read",
            )
            .into(),
        ),
    };
    report.push("splats.totp_seed_reading", status, detail);
}

fn check_keyring(secrets: &dyn SecretStore, lang: Lang, report: &mut Report) -> bool {
    match secrets.get("doctor.probe") {
        Ok(_) => {
            report.push("keyring", Status::Ok, lang.pick("利用可能", "available"));
            true
        }
        Err(e) => {
            report.push("keyring", Status::Fail, e.message(lang));
            false
        }
    }
}

async fn check_reservation(
    config: &Config,
    secrets: &dyn SecretStore,
    keyring_ok: bool,
    lang: Lang,
    report: &mut Report,
) {
    let Some(url) = config.reservation.base_url.as_deref() else {
        return report.push("reservation.base_url", Status::Skip, lang.pick("未設定", "not set"));
    };
    if config::check_base_url(url).is_err() {
        return;
    }
    let offset = probe(Cloud::Reservation, "reservation.base_url", url, lang, report).await;
    report.note_offset(offset);
    if offset.is_none() && report.checks.last().is_some_and(|c| c.status == Status::Fail) {
        return;
    }
    if !keyring_ok {
        return;
    }
    let client = match crate::clouds::reservation::ReservationClient::from_config(config, secrets) {
        Ok(c) => c,
        Err(Error::SecretMissing(_)) => {
            return report.push(
                names::RESERVATION_TOKEN,
                Status::Warn,
                lang.pick(
                    "未ログイン: 予約システムにログインしてください",
                    "not signed in to the reservation system",
                ),
            )
        }
        Err(e) => return report.push(names::RESERVATION_TOKEN, Status::Fail, e.message(lang)),
    };
    match client.stores().await {
        Ok(stores) => report.push(
            names::RESERVATION_TOKEN,
            Status::Ok,
            format!("{} {}", stores.len(), lang.pick("店舗", "stores")),
        ),
        Err(e) => report.push(names::RESERVATION_TOKEN, Status::Fail, e.message(lang)),
    }
}

/// Any HTTP reply proves the service is reachable; its `Date` gives the clock offset.
async fn probe(cloud: Cloud, setting: &str, url: &str, lang: Lang, report: &mut Report) -> Option<i64> {
    match http::send(cloud, http::client().get(url)).await {
        Ok(t) => {
            let status = t.response.status().as_u16();
            report.push(
                setting,
                Status::Ok,
                format!("{} (HTTP {status})", lang.pick("接続可能", "reachable")),
            );
            t.offset_secs
        }
        Err(e) => {
            report.push(setting, Status::Fail, e.message(lang));
            None
        }
    }
}

fn check_clock(lang: Lang, report: &mut Report) {
    match report.clock_offset_secs {
        None => report.push(
            "clock",
            Status::Skip,
            lang.pick("比較できるサーバーがありません", "no server to compare with"),
        ),
        Some(o) if o.abs() > WARN_OFFSET_SECS => report.push(
            "clock",
            Status::Warn,
            format!(
                "{} {o:+} s",
                lang.pick("PC の時計がサーバーとずれています:", "the PC clock is off from the server by")
            ),
        ),
        Some(o) => report.push("clock", Status::Ok, format!("{o:+} s")),
    }
}
