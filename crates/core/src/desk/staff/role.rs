//! What this PC may do, by its role in the facility (docs/facility.md): a counter
//! everything; a kiosk PC (an unattended entrance) no door command and no join code; a
//! head office nothing that changes the desk's data, spends a metered call or moves a
//! door. Checked here, in the functions that do those things, so that the window and
//! the CLI are held alike; the window hides what a role may not do, it does not decide.
//!
//! The role is the config's (`[facility] role`). The functions that only hold a
//! database connection read the copy kept in SQLite's meta, written whenever the
//! facility part starts or a PC joins ([`keep`]).

use crate::platform::config::{Config, PcRole};
use crate::platform::db::{self, Connection};
use crate::platform::error::{Code, Error, Result};
use crate::platform::secrets::names;

/// In SQLite's meta: this PC's role, as the config said when the facility last started.
pub const META: &str = "facility.role";

/// Something a role may be refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Deed {
    /// Change the desk's data: guests, check-in and out, imports, members, keys, alerts.
    Change,
    /// A call to a metered cloud (SESAME or SPLATS), reads included.
    Spend,
    /// A door command: unlock or lock, a SESAME lock or a SPLATS pass controller.
    DoorCommand,
    /// A join code that lets another PC into the facility.
    Admit,
    /// A guest's live QR on screen: it opens their doors.
    ShowQr,
    /// A credential that opens doors for good: a SPLATS member (IC card, QR, face).
    Credential,
}

pub fn allows(role: PcRole, deed: Deed) -> bool {
    match role {
        PcRole::Counter => true,
        PcRole::Kiosk => matches!(deed, Deed::Change | Deed::Spend | Deed::ShowQr),
        PcRole::HeadOffice => false,
    }
}

/// Refuses `deed` on a PC whose config gives it a role that may not do it.
pub fn require(config: &Config, deed: Deed) -> Result<()> {
    check(config.facility.role, deed)
}

/// Refuses `deed` on a PC whose kept role (see [`keep`]) may not do it.
pub fn require_here(conn: &Connection, deed: Deed) -> Result<()> {
    check(kept(conn)?, deed)
}

/// Keeps the role for the functions that only hold a connection.
pub fn keep(conn: &Connection, role: PcRole) -> Result<()> {
    db::set_meta(conn, META, name(role))
}

/// Opens this PC's database (`database_path`) with its role kept in it, the way every
/// program of ours opens it (the window, each CLI command): the copy the
/// connection-only checks read is then always the config's.
pub fn open_db(config: &Config) -> Result<db::Db> {
    let db = db::Db::open(&config.database_path()?)?;
    let role = config.facility.role;
    db.write_now(move |c| keep(c, role))?;
    Ok(db)
}

/// [`open_db`] as one plain connection (a CLI command that writes once).
pub fn open_connection(config: &Config) -> Result<Connection> {
    let conn = db::open(&config.database_path()?)?;
    keep(&conn, config.facility.role)?;
    Ok(conn)
}

/// The kept role; a PC that never started a facility part is a counter.
pub fn kept(conn: &Connection) -> Result<PcRole> {
    Ok(match db::get_meta(conn, META)?.as_deref() {
        Some("head_office") => PcRole::HeadOffice,
        Some("kiosk") => PcRole::Kiosk,
        _ => PcRole::Counter,
    })
}

/// Whether a PC of this role keeps a shared secret in its keyring: only those its deeds
/// need. A head office keeps none (it calls no cloud); a kiosk PC none that opens a
/// door (the SESAME API key, a lock's key, the SPLATS licence key of the pass unlock).
pub fn keeps_secret(role: PcRole, name: &str) -> bool {
    let opens_doors = name == names::SESAME_API_KEY
        || name == names::SPLATS_LICENSE_KEY
        || name.starts_with(names::DEVICE_SECRET_PREFIX);
    match role {
        PcRole::Counter => true,
        PcRole::Kiosk => !opens_doors,
        PcRole::HeadOffice => false,
    }
}

/// How the role is written (meta, status, audit).
pub fn name(role: PcRole) -> &'static str {
    match role {
        PcRole::Counter => "counter",
        PcRole::HeadOffice => "head_office",
        PcRole::Kiosk => "kiosk",
    }
}

fn check(role: PcRole, deed: Deed) -> Result<()> {
    if allows(role, deed) {
        return Ok(());
    }
    let (ja, en) = match (role, deed) {
        (PcRole::HeadOffice, Deed::DoorCommand) => (
            "本部の PC からは解錠・施錠できません。店舗の受付 PC で操作してください",
            "a head-office PC cannot unlock or lock doors: use a counter PC at the store",
        ),
        (PcRole::Kiosk, Deed::Credential) => (
            "キオスク用の PC ではメンバー（IC カード・QR・顔）を登録・変更できません。受付の PC で行ってください",
            "a kiosk PC cannot add or change members (IC card, QR, face): do it at a counter PC",
        ),
        (PcRole::HeadOffice, Deed::ShowQr) => (
            "本部の PC ではお客様の QR コード（ドアの鍵）を表示できません。店舗の受付 PC で表示してください",
            "a head-office PC does not show a guest's QR code (it opens doors): show it at a counter PC",
        ),
        (PcRole::HeadOffice, Deed::Spend) => (
            "本部の PC はクラウドに問い合わせません（従量課金のため）。表示は店舗の PC が取得した最新の状態です",
            "a head-office PC makes no cloud calls (they are metered): it shows what the stores' PCs last read",
        ),
        (PcRole::HeadOffice, _) => (
            "本部の PC は閲覧のみです。変更は店舗の PC で行ってください",
            "a head-office PC only looks: make changes at a store's PC",
        ),
        (_, Deed::DoorCommand) => (
            "キオスク用の PC からは解錠・施錠できません。受付の PC で操作してください",
            "a kiosk PC cannot unlock or lock doors: use a counter PC",
        ),
        _ => (
            "キオスク用の PC では参加コードを発行できません。受付の PC で発行してください",
            "a kiosk PC cannot issue join codes: issue one at a counter PC",
        ),
    };
    let code = if role == PcRole::HeadOffice { Code::ReadOnlyPc } else { Code::KioskPc };
    Err(Error::invalid(code, ja, en))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_role_may_do_only_its_own() {
        use Deed::*;
        for deed in [Change, Spend, DoorCommand, Admit, ShowQr, Credential] {
            assert!(allows(PcRole::Counter, deed), "{deed:?}");
            assert!(!allows(PcRole::HeadOffice, deed), "{deed:?}");
        }
        assert!(
            allows(PcRole::Kiosk, Change) && allows(PcRole::Kiosk, Spend) && allows(PcRole::Kiosk, ShowQr)
        );
        assert!(!allows(PcRole::Kiosk, DoorCommand) && !allows(PcRole::Kiosk, Admit));
        assert!(!allows(PcRole::Kiosk, Credential));
    }

    #[test]
    fn each_role_keeps_only_the_secrets_it_needs() {
        let lock = names::device_secret("3f1c2a9e-0000-4000-8000-00000000a101");
        for name in [names::SESAME_API_KEY, names::SPLATS_LICENSE_KEY, lock.as_str()] {
            assert!(keeps_secret(PcRole::Counter, name) && !keeps_secret(PcRole::Kiosk, name), "{name}");
        }
        assert!(keeps_secret(PcRole::Kiosk, names::SPLATS_TOKEN));
        for name in [names::SPLATS_TOKEN, names::RESERVATION_TOKEN, names::SESAME_API_KEY] {
            assert!(!keeps_secret(PcRole::HeadOffice, name), "{name}");
        }
    }

    #[test]
    fn the_kept_role_refuses_with_a_clear_code() {
        let conn = crate::platform::db::open_in_memory().unwrap();
        assert!(require_here(&conn, Deed::Change).is_ok(), "a PC alone is a counter");
        keep(&conn, PcRole::HeadOffice).unwrap();
        let e = require_here(&conn, Deed::Change).unwrap_err();
        assert_eq!(e.code(), "read_only_pc");
        assert!(e.message(crate::Lang::Ja).contains("本部"), "{}", e.message(crate::Lang::Ja));
        keep(&conn, PcRole::Kiosk).unwrap();
        assert_eq!(require_here(&conn, Deed::DoorCommand).unwrap_err().code(), "kiosk_pc");
        assert!(require_here(&conn, Deed::Change).is_ok());
    }
}
