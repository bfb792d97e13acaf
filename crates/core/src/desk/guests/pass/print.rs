//! Where a slip goes: a receipt printer on the network (ESC/POS on TCP port 9100) or on
//! USB (its device file), or a printer of the OS's print system (CUPS's `lp`, which
//! every Linux and macOS desktop has). The window also offers the OS print dialog.

use super::escpos;
use crate::platform::error::{Code, Error, Result};
use image::GrayImage;
use std::io::Write;
use std::time::Duration;

/// A printer, as `printing.receipt_printer` or the CLI names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Printer {
    /// `host` or `host:port` (9100 when not given).
    Network(String),
    /// A device file: `/dev/usb/lp0`.
    Device(std::path::PathBuf),
}

impl Printer {
    pub fn parse(text: &str) -> Printer {
        let text = text.trim();
        if text.starts_with('/') {
            return Printer::Device(text.into());
        }
        let addr = if text.rsplit_once(':').is_some_and(|(_, p)| p.parse::<u16>().is_ok()) {
            text.to_string()
        } else {
            format!("{text}:9100")
        };
        Printer::Network(addr)
    }
}

fn unreachable(what: &str) -> Error {
    Error::invalid(
        Code::PrinterUnreachable,
        format!("レシートプリンター ({what}) に送れませんでした。電源・用紙・ケーブルまたはネットワークを確認してください"),
        format!("could not send to the receipt printer ({what}): check its power, paper, and cable or network"),
    )
}

/// Sends the slip to a receipt printer, once.
pub async fn receipt(printer: &Printer, img: &GrayImage) -> Result<()> {
    let bytes = escpos::encode(img);
    match printer {
        Printer::Network(addr) => {
            use tokio::io::AsyncWriteExt;
            let connect = tokio::net::TcpStream::connect(addr.as_str());
            let mut stream = tokio::time::timeout(Duration::from_secs(5), connect)
                .await
                .map_err(|_| unreachable(addr))?
                .map_err(|_| unreachable(addr))?;
            let write = async {
                stream.write_all(&bytes).await?;
                stream.shutdown().await
            };
            tokio::time::timeout(Duration::from_secs(20), write)
                .await
                .map_err(|_| unreachable(addr))?
                .map_err(|_| unreachable(addr))
        }
        Printer::Device(path) => {
            let path = path.clone();
            tokio::task::spawn_blocking(move || {
                let shown = path.display().to_string();
                let mut f =
                    std::fs::OpenOptions::new().write(true).open(&path).map_err(|_| unreachable(&shown))?;
                f.write_all(&bytes).map_err(|_| unreachable(&shown))
            })
            .await
            .map_err(|e| Error::Io(std::io::Error::other(e.to_string())))?
        }
    }
}

/// Prints the slip on a printer of the OS's print system (`lp`; its default printer
/// when `queue` is none), as a PNG scaled to the page. Answers the print job's name.
pub async fn os_printer(queue: Option<&str>, title: &str, img: &GrayImage) -> Result<String> {
    let mut png = Vec::new();
    img.write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .map_err(|e| Error::Io(std::io::Error::other(e)))?;
    let mut cmd = std::process::Command::new("lp");
    if let Some(q) = queue {
        cmd.args(["-d", q]);
    }
    // The picture on standard input: no file of a guest's QR left in a temp folder.
    cmd.args(["-t", title, "-o", "fit-to-page"]);
    cmd.stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let failed = |detail: String| {
        Error::invalid(
            Code::PrinterUnreachable,
            format!("プリンターに送れませんでした ({detail})。プリンターの設定を確認してください"),
            format!("could not send to the printer ({detail}): check the printer settings"),
        )
    };
    let out = tokio::task::spawn_blocking(move || -> std::io::Result<std::process::Output> {
        let mut child = cmd.spawn()?;
        child.stdin.take().expect("piped").write_all(&png)?;
        child.wait_with_output()
    })
    .await
    .map_err(|e| Error::Io(std::io::Error::other(e.to_string())))?
    .map_err(|e| failed(format!("lp: {e}")))?;
    if !out.status.success() {
        return Err(failed(String::from_utf8_lossy(&out.stderr).trim().to_string()));
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
}
