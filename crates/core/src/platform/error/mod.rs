//! The one error type of the core crate.
//!
//! Every variant has a stable `code()` for the UI and a `message(lang)` for people.
//! No variant carries a secret: callers pass names of settings, never their values.

mod code;
mod sign_in;

pub use code::Code;
pub use sign_in::SignInProblem;

use crate::platform::i18n::Lang;
use std::fmt;

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Which remote service an error is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cloud {
    Sesame,
    Splats,
    Reservation,
}

impl fmt::Display for Cloud {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Cloud::Sesame => "SESAME",
            Cloud::Splats => "SPLATS",
            Cloud::Reservation => "reservation system",
        })
    }
}

impl Cloud {
    fn name_ja(self) -> &'static str {
        match self {
            Cloud::Sesame => "SESAME",
            Cloud::Splats => "SPLATS",
            Cloud::Reservation => "予約システム",
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("setting `{setting}` is invalid: {problem}")]
    Config { setting: String, problem: String },

    #[error("database error: {0}")]
    Db(#[from] rusqlite::Error),

    #[error("database migration failed: {0}")]
    Migration(#[from] rusqlite_migration::Error),

    #[error("the OS keyring is not available: {0}")]
    Keyring(String),

    #[error("{}", missing_secret(.0).1)]
    SecretMissing(String),

    #[error("{cloud} is unreachable: {detail}")]
    Unreachable { cloud: Cloud, detail: String },

    #[error("{cloud} rejected the credentials (HTTP {status})")]
    Unauthorized { cloud: Cloud, status: u16 },

    #[error("{cloud} rate limit reached")]
    RateLimited { cloud: Cloud, retry_after_secs: Option<u64> },

    #[error("{cloud} replied HTTP {status}: {message}")]
    Http { cloud: Cloud, status: u16, message: String },

    /// The cloud understood the request and refused it, with its own error code
    /// (SPLATS: `{message, error_code, error_detail}`).
    #[error("{cloud} refused the request (HTTP {status}, code {code}): {detail}")]
    Rejected { cloud: Cloud, status: u16, code: String, detail: String },

    #[error("{cloud} sent a reply that could not be read: {detail}")]
    BadReply { cloud: Cloud, detail: String },

    #[error("{cloud} may or may not have received the command: the reply was lost. It was not resent; check the lock's status")]
    Uncertain { cloud: Cloud },

    /// A paged listing kept going (a repeated `last_evaluated_key`, or more pages than
    /// the cap): it was ended so that it cannot spend the rate budget.
    #[error(
        "{cloud} kept sending more pages ({pages}); the listing was stopped and starts afresh next time"
    )]
    PagingStuck { cloud: Cloud, pages: u32 },

    /// Another window, the worker or the CLI on this PC is sending a command to the
    /// same lock right now.
    #[error("a command for \"{door}\" is already on its way; wait for it to finish")]
    DoorBusy { door: String },

    /// Another process on this PC already runs the background worker on this database.
    #[error("another Uketsuke process already syncs this database")]
    WorkerBusy,

    #[error("the lock rejected the signature: check the device's secret key and the PC clock")]
    SignatureRejected,

    #[error("the lock is not reachable: unknown device, or its Wi-Fi module / hub is offline")]
    DeviceUnavailable,

    /// The reservation system's OAuth sign-in did not finish.
    #[error("{}", .0.en())]
    SignIn(SignInProblem),

    #[error("this needs the manager: enter the manager PIN")]
    ManagerRequired,

    #[error("the manager PIN is wrong ({tries_left} tries left before a wait)")]
    PinWrong { tries_left: u32 },

    #[error("too many wrong PINs: try again in {retry_after_secs} s")]
    PinLocked { retry_after_secs: u64 },

    #[error("no manager PIN is set yet")]
    PinNotSet,

    #[error("{what} not found")]
    NotFound { what: String },

    /// Bad input from a person: its own code, and the whole sentence in both languages.
    #[error("{en}")]
    Invalid { code: Code, en: String, ja: String },

    #[error("file error: {0}")]
    Io(#[from] std::io::Error),
}

impl Error {
    /// The stable code the UI branches on; see [`Code`].
    pub fn code(&self) -> Code {
        match self {
            Error::Config { .. } => Code::Config,
            Error::Db(_) => Code::Db,
            Error::Migration(_) => Code::DbMigration,
            Error::Keyring(_) => Code::Keyring,
            Error::SecretMissing(_) => Code::SecretMissing,
            Error::Unreachable { .. } => Code::Unreachable,
            Error::Unauthorized { .. } => Code::Unauthorized,
            Error::RateLimited { .. } => Code::RateLimited,
            Error::Http { .. } => Code::Http,
            Error::Rejected { .. } => Code::Rejected,
            Error::BadReply { .. } => Code::BadReply,
            Error::Uncertain { .. } => Code::Uncertain,
            Error::PagingStuck { .. } => Code::PagingStuck,
            Error::DoorBusy { .. } => Code::DoorBusy,
            Error::WorkerBusy => Code::WorkerBusy,
            Error::SignatureRejected => Code::SignRejected,
            Error::DeviceUnavailable => Code::DeviceUnavailable,
            Error::SignIn(p) => p.code(),
            Error::ManagerRequired => Code::ManagerRequired,
            Error::PinWrong { .. } => Code::PinWrong,
            Error::PinLocked { .. } => Code::PinLocked,
            Error::PinNotSet => Code::PinNotSet,
            Error::NotFound { .. } => Code::NotFound,
            Error::Invalid { code, .. } => *code,
            Error::Io(_) => Code::Io,
        }
    }

    /// The message for a person, in their language.
    pub fn message(&self, lang: Lang) -> String {
        if lang == Lang::En {
            return self.to_string();
        }
        match self {
            Error::Config { setting, problem } => format!("設定 `{setting}` が正しくありません: {problem}"),
            Error::Db(e) => format!("データベースのエラー: {e}"),
            Error::Migration(e) => format!("データベースの更新に失敗しました: {e}"),
            Error::Keyring(e) => format!("OS のキーリングを使えません: {e}"),
            Error::SecretMissing(name) => missing_secret(name).0,
            Error::Unreachable { cloud, detail } => {
                format!("{} に接続できません: {detail}", cloud.name_ja())
            }
            Error::Unauthorized { cloud, status } => {
                format!("{} が認証情報を拒否しました (HTTP {status})", cloud.name_ja())
            }
            Error::RateLimited { cloud, retry_after_secs } => match retry_after_secs {
                Some(s) => format!("{} の利用回数の上限に達しました。{s} 秒後に再試行してください", cloud.name_ja()),
                None => format!("{} の利用回数の上限に達しました", cloud.name_ja()),
            },
            Error::Http { cloud, status, message } => {
                format!("{} がエラーを返しました (HTTP {status}): {message}", cloud.name_ja())
            }
            Error::Rejected { cloud, status, code, detail } => {
                format!("{} が要求を受け付けませんでした (HTTP {status}, コード {code}): {detail}", cloud.name_ja())
            }
            Error::BadReply { cloud, detail } => {
                format!("{} の応答を読み取れません: {detail}", cloud.name_ja())
            }
            Error::Uncertain { cloud } => format!(
                "{} に届いたか分かりません (応答が途切れました)。自動で再送はしていません。鍵の状態を確認してください",
                cloud.name_ja()
            ),
            Error::PagingStuck { cloud, pages } => format!(
                "{} が次のページを返し続けたため ({pages} ページ) 取得を打ち切りました。次回は最初から取得します",
                cloud.name_ja()
            ),
            Error::DoorBusy { door } => format!("「{door}」への操作を送信中です。終わるまでお待ちください"),
            Error::WorkerBusy => "別の Uketsuke がこのデータベースの同期を実行中です".into(),
            Error::SignatureRejected => {
                "錠が署名を拒否しました。デバイスのシークレットキーと PC の時計を確認してください".into()
            }
            Error::DeviceUnavailable => {
                "錠に届きません。UUID が違うか、Wi-Fi モジュール / ハブがオフラインです".into()
            }
            Error::SignIn(p) => p.ja().into(),
            Error::ManagerRequired => "管理者の操作です。管理者 PIN を入力してください".into(),
            Error::PinWrong { tries_left } => format!("PIN が違います (あと {tries_left} 回で待ち時間が入ります)"),
            Error::PinLocked { retry_after_secs } => {
                format!("PIN の誤りが続いたため、{retry_after_secs} 秒後に再度お試しください")
            }
            Error::PinNotSet => "管理者 PIN がまだ設定されていません".into(),
            Error::NotFound { what } => format!("{what} が見つかりません"),
            Error::Invalid { ja, .. } => ja.clone(),
            Error::Io(e) => format!("ファイルのエラー: {e}"),
        }
    }

    /// Bad input of one kind (`code`), explained in both languages.
    pub fn invalid(code: Code, ja: impl Into<String>, en: impl Into<String>) -> Error {
        Error::Invalid { code, ja: ja.into(), en: en.into() }
    }

    pub fn config(setting: impl Into<String>, problem: impl Into<String>) -> Error {
        Error::Config { setting: setting.into(), problem: problem.into() }
    }

    pub fn not_found(what: impl Into<String>) -> Error {
        Error::NotFound { what: what.into() }
    }
}

/// What to do about a missing secret, by its name (never its value), in Japanese and English.
fn missing_secret(name: &str) -> (String, String) {
    let (ja, en) = match name {
        "sesame.api_key" => (
            "SESAME の API キーを入力してください (設定 > クラウド)",
            "enter the SESAME API key (Settings > Clouds)",
        ),
        "splats.token" => (
            "SPLATS のトークンを入力してください (設定 > クラウド)",
            "enter the SPLATS token (Settings > Clouds)",
        ),
        "splats.license_key" => (
            "SPLATS 拡張版 API のライセンスキーを入力してください (設定 > クラウド)",
            "enter the SPLATS extended API license key (Settings > Clouds)",
        ),
        "reservation.token" => ("予約システムにサインインしてください", "sign in to the reservation system"),
        "reservation.client_secret" => (
            "予約システムのクライアントシークレットを入力してください (設定 > クラウド)",
            "enter the reservation system's client secret (Settings > Clouds)",
        ),
        n if n.starts_with("sesame.device.") => {
            ("この錠のシークレットキーを入力してください", "enter this lock's secret key")
        }
        _ => return (format!("秘密情報 `{name}` が未設定です"), format!("secret `{name}` is not set")),
    };
    (ja.to_string(), en.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_error_speaks_both_languages() {
        let e = Error::Unauthorized { cloud: Cloud::Reservation, status: 401 };
        assert_eq!(e.code(), "unauthorized");
        assert!(e.message(Lang::Ja).contains("予約システム"));
        assert!(e.message(Lang::En).contains("reservation system"));
    }
}
