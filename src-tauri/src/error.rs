//! The shell's one error type, as the UI receives it: `{ code, message }`.

use serde::Serialize;
use uketsuke_core::platform::error::Code;
use uketsuke_core::Lang;

#[derive(Debug, thiserror::Error, Serialize, ts_rs::TS)]
#[error("{code}: {message}")]
#[ts(rename = "AppErrorData")]
pub struct ShellError {
    /// Stable, for the UI to branch on (`unreachable`, `uuid_invalid`, …).
    pub code: Code,
    /// For people, already in the UI's language.
    pub message: String,
}

impl ShellError {
    pub fn from_core(e: &uketsuke_core::Error, lang: Lang) -> ShellError {
        ShellError { code: e.code(), message: e.message(lang) }
    }

    /// The app started without a usable configuration; every command reports why.
    pub fn not_ready(reason: &str) -> ShellError {
        ShellError { code: Code::NotReady, message: reason.into() }
    }
}

pub type ShellResult<T> = Result<T, ShellError>;

/// A core result as a command answers it: the error as `{code, message}` in the UI's
/// language (`state.lang()`), the one conversion every command uses.
pub trait ForUi<T> {
    fn for_ui(self, state: &crate::state::AppState) -> ShellResult<T>;
}

impl<T> ForUi<T> for uketsuke_core::Result<T> {
    fn for_ui(self, state: &crate::state::AppState) -> ShellResult<T> {
        self.map_err(|e| state.err(e))
    }
}
