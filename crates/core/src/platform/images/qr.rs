//! QR codes as images: what staff and guests hold up to a reader.

use crate::platform::error::{Code, Error, Result};
use image::{ImageFormat, Luma};
use qrcode::{EcLevel, QrCode};
use std::io::Cursor;

/// A PNG of `payload`, each module `scale` pixels, with the 4-module quiet zone readers need.
pub fn png(payload: &str, scale: u32) -> Result<Vec<u8>> {
    let code = QrCode::with_error_correction_level(payload.as_bytes(), EcLevel::M).map_err(|e| {
        Error::invalid(
            Code::QrUnencodable,
            format!("QR コードを作れません: {e}"),
            format!("cannot make a QR code: {e}"),
        )
    })?;
    let img =
        code.render::<Luma<u8>>().module_dimensions(scale.max(1), scale.max(1)).quiet_zone(true).build();
    let mut out = Cursor::new(Vec::new());
    img.write_to(&mut out, ImageFormat::Png)
        .map_err(|e| Error::invalid(Code::Internal, format!("PNG エラー: {e}"), format!("PNG error: {e}")))?;
    Ok(out.into_inner())
}

/// The same PNG as a `data:` URL, for an `<img>` in the web view.
pub fn png_data_url(payload: &str, scale: u32) -> Result<String> {
    use base64::Engine;
    Ok(format!(
        "data:image/png;base64,{}",
        base64::engine::general_purpose::STANDARD.encode(png(payload, scale)?)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_a_png_that_decodes_back() {
        let payload = "SL-OTQR?v=1&data=ABCDEF0123456789&totp=368515";
        let bytes = png(payload, 6).unwrap();
        let img = image::load_from_memory(&bytes).unwrap().to_luma8();
        let mut prepared = rqrr::PreparedImage::prepare(img);
        let grids = prepared.detect_grids();
        assert_eq!(grids.len(), 1);
        assert_eq!(grids[0].decode().unwrap().1, payload);
    }
}
