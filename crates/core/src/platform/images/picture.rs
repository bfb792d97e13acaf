//! Reading a picture someone picked (a SESAME QR screenshot, a member's face photo)
//! without trusting it: past [`MAX_BYTES`] or [`MAX_SIDE`] the decoder stops before
//! allocating, so a hostile file cannot exhaust memory.

use crate::platform::error::{Code, Error, Result};

/// The largest image read: a phone's photo is far smaller.
pub const MAX_BYTES: u64 = 20 << 20;
pub const MAX_SIDE: u32 = 8_000;

pub fn too_large() -> Error {
    Error::invalid(
        Code::ImageTooLarge,
        format!("画像が大きすぎます ({} MB、{MAX_SIDE}×{MAX_SIDE} ピクセルまで)", MAX_BYTES >> 20),
        format!("the image is too large (at most {} MB and {MAX_SIDE}×{MAX_SIDE} pixels)", MAX_BYTES >> 20),
    )
}

/// Decodes a PNG or JPEG within the limits, turned upright.
pub fn read(bytes: &[u8]) -> Result<image::DynamicImage> {
    let unreadable = |e: &dyn std::fmt::Display| {
        Error::invalid(
            Code::ImageUnreadable,
            format!("画像を開けません: {e}"),
            format!("cannot open the image: {e}"),
        )
    };
    if bytes.len() as u64 > MAX_BYTES {
        return Err(too_large());
    }
    let mut reader = image::ImageReader::new(std::io::Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| unreadable(&e))?;
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(256 << 20);
    reader.limits(limits);
    let decoded = (|| {
        use image::ImageDecoder;
        let mut decoder = reader.into_decoder()?;
        // A phone stores a portrait photo sideways with an EXIF turn: apply it.
        let orientation = decoder.orientation()?;
        let mut img = image::DynamicImage::from_decoder(decoder)?;
        img.apply_orientation(orientation);
        Ok(img)
    })();
    decoded.map_err(|e| match e {
        image::ImageError::Limits(_) => too_large(),
        e => unreadable(&e),
    })
}

/// [`read`] for a file, refusing an oversized one before reading it.
pub fn read_file(path: &std::path::Path) -> Result<image::DynamicImage> {
    if std::fs::metadata(path)?.len() > MAX_BYTES {
        return Err(too_large());
    }
    read(&std::fs::read(path)?)
}
