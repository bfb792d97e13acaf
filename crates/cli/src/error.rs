//! The CLI's one error type: a core error (with its stable code), or a usage mistake.

use uketsuke_core::Lang;

#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error(transparent)]
    Core(#[from] uketsuke_core::Error),
    #[error("{0}")]
    Usage(String),
}

impl CliError {
    pub fn message(&self, lang: Lang) -> String {
        match self {
            CliError::Core(e) => e.message(lang),
            CliError::Usage(m) => m.clone(),
        }
    }
}
