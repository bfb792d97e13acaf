//! The shell's one error type, as the UI receives it: `{ code, message }`.

use serde::Serialize;
use uketsuke_core::Lang;

#[derive(Debug, thiserror::Error, Serialize)]
#[error("{code}: {message}")]
pub struct ShellError {
    /// Stable, for the UI to branch on (`unreachable`, `config`, …).
    pub code: String,
    /// For people, already in the UI's language.
    pub message: String,
}

impl ShellError {
    pub fn from_core(e: &uketsuke_core::Error, lang: Lang) -> ShellError {
        ShellError { code: e.code().into(), message: e.message(lang) }
    }

    /// The app started without a usable configuration; every command reports why.
    pub fn not_ready(reason: &str) -> ShellError {
        ShellError { code: "not_ready".into(), message: reason.into() }
    }
}

pub type ShellResult<T> = Result<T, ShellError>;
