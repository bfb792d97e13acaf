//! A printed pass, composed once for the window and the CLI: the pass made (or found)
//! in SPLATS, its slip drawn, and the slip sent where staff chose (docs/passes.md).

use crate::clouds::splats::SplatsClient;
use crate::desk::guests::pass::print::{self, Printer};
use crate::desk::guests::pass::{self, render};
use crate::platform::config::Config;
use crate::platform::db::Db;
use crate::platform::error::{Error, Result};
use crate::platform::secrets::SecretStore;
use std::io::Cursor;

/// Where the slip goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Destination {
    /// The receipt printer of `printing.receipt_printer`, or the one given.
    Receipt(Option<String>),
    /// A printer of the OS (`printing.printer`, else the default), or the one given.
    OsPrinter(Option<String>),
    /// Nowhere: the window prints the picture through the OS print dialog.
    Picture,
}

/// The slip, drawn, and what was done with it.
pub struct Printed {
    /// The slip as a PNG (black and white).
    pub png: Vec<u8>,
    /// The OS print system's job, when it went there.
    pub job: Option<String>,
}

pub async fn print(
    db: &Db,
    client: &SplatsClient,
    secrets: &dyn SecretStore,
    config: &Config,
    guest_id: &str,
    to: Destination,
    actor: &str,
) -> Result<Printed> {
    let p = &config.printing;
    let receipt = match &to {
        Destination::Receipt(given) => {
            Some(given.clone().or_else(|| p.receipt_printer.clone()).ok_or_else(no_receipt)?)
        }
        _ => None,
    };
    let font = render::load_font(p.font.as_deref())?;
    let slip = pass::issue(db, client, secrets, config, guest_id, actor).await?;
    let width = match &to {
        Destination::Receipt(_) => render::width_dots(p.receipt_paper_mm.unwrap_or(58)),
        _ => render::width_dots(80),
    };
    let img = render::slip(&slip, &font, width)?;
    let mut png = Vec::new();
    img.write_to(&mut Cursor::new(&mut png), image::ImageFormat::Png)
        .map_err(|e| Error::Io(std::io::Error::other(e)))?;
    let job = match to {
        Destination::Receipt(_) => {
            print::receipt(&Printer::parse(receipt.as_deref().unwrap_or_default()), &img).await?;
            None
        }
        Destination::OsPrinter(given) => {
            let queue = given.or_else(|| p.printer.clone());
            Some(print::os_printer(queue.as_deref(), &format!("uketsuke-pass-{guest_id}"), &img).await?)
        }
        Destination::Picture => None,
    };
    Ok(Printed { png, job })
}

impl Printed {
    /// `data:image/png;base64,…`, for the window's print view.
    pub fn data_url(&self) -> String {
        use base64::Engine;
        format!("data:image/png;base64,{}", base64::engine::general_purpose::STANDARD.encode(&self.png))
    }
}

fn no_receipt() -> Error {
    Error::invalid(
        crate::platform::error::Code::Config,
        "レシートプリンターが設定されていません（設定ファイルの printing.receipt_printer）",
        "no receipt printer is set (printing.receipt_printer in the settings file)",
    )
}
