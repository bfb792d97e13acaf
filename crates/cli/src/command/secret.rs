//! `uketsuke secret …`: a secret in the OS keyring, read from standard input, shown masked.

use super::read_stdin;
use crate::error::CliError;
use clap::Subcommand;
use uketsuke_core::platform::secrets::{self, ExposeSecret, SecretStore};
use uketsuke_core::Lang;

#[derive(Subcommand)]
pub enum SecretCommand {
    /// Read the value from standard input (so it is not in the shell history) and save it.
    Set { name: String },
    /// Remove a secret.
    Delete { name: String },
    /// Show whether a secret is set, masked.
    Show { name: String },
}

pub fn run(cmd: SecretCommand, secrets: &dyn SecretStore, lang: Lang) -> Result<(), CliError> {
    match cmd {
        SecretCommand::Set { name } => {
            let value = read_stdin(lang)?;
            secrets.set(&name, &value)?;
            println!("{name}: {}", secrets::mask(&value));
        }
        SecretCommand::Delete { name } => {
            secrets.delete(&name)?;
            println!("{name}: {}", lang.pick("削除しました", "deleted"));
        }
        SecretCommand::Show { name } => match secrets.get(&name)? {
            Some(v) => println!("{name}: {}", secrets::mask(v.expose_secret())),
            None => println!("{name}: {}", lang.pick("未設定", "not set")),
        },
    }
    Ok(())
}
