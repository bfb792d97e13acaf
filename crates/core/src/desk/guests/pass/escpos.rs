//! ESC/POS for 58/80 mm receipt printers: the slip as a raster image (`GS v 0`), fed and
//! cut. Kanji go as pixels (see `render`), so any ESC/POS model prints them.

use image::GrayImage;

/// Rows per `GS v 0` band: some printers take no taller image in one command.
pub const BAND_ROWS: u32 = 256;

/// The bytes that print `img` (dark pixels as dots), then feed and cut.
pub fn encode(img: &GrayImage) -> Vec<u8> {
    let row_bytes = img.width().div_ceil(8);
    let mut out = vec![0x1B, 0x40]; // ESC @: initialise
    let mut top = 0;
    while top < img.height() {
        let rows = BAND_ROWS.min(img.height() - top);
        out.extend_from_slice(&[0x1D, 0x76, 0x30, 0x00]); // GS v 0, normal size
        out.extend_from_slice(&(row_bytes as u16).to_le_bytes());
        out.extend_from_slice(&(rows as u16).to_le_bytes());
        for y in top..top + rows {
            for byte in 0..row_bytes {
                let mut bits = 0u8;
                for bit in 0..8 {
                    let x = byte * 8 + bit;
                    if x < img.width() && img.get_pixel(x, y).0[0] < 128 {
                        bits |= 0x80 >> bit;
                    }
                }
                out.push(bits);
            }
        }
        top += rows;
    }
    out.extend_from_slice(&[0x1B, 0x64, 0x04]); // ESC d 4: feed four lines
    out.extend_from_slice(&[0x1D, 0x56, 0x42, 0x00]); // GS V B 0: feed to the cutter, cut
    out
}

/// Reads back what [`encode`] wrote (the tests' printer, and a support check).
pub fn decode(bytes: &[u8]) -> Option<GrayImage> {
    let mut bands: Vec<(u32, u32, &[u8])> = Vec::new();
    let mut i = 0;
    while i + 8 <= bytes.len() {
        if bytes[i..i + 4] == [0x1D, 0x76, 0x30, 0x00] {
            let w = u16::from_le_bytes([bytes[i + 4], bytes[i + 5]]) as u32;
            let h = u16::from_le_bytes([bytes[i + 6], bytes[i + 7]]) as u32;
            let len = (w * h) as usize;
            let data = bytes.get(i + 8..i + 8 + len)?;
            bands.push((w, h, data));
            i += 8 + len;
        } else {
            i += 1;
        }
    }
    let width = bands.first()?.0 * 8;
    let height = bands.iter().map(|b| b.1).sum();
    let mut img = GrayImage::from_pixel(width, height, image::Luma([255]));
    let mut top = 0;
    for (w, h, data) in bands {
        for y in 0..h {
            for x in 0..w * 8 {
                if data[(y * w + x / 8) as usize] & (0x80 >> (x % 8)) != 0 {
                    img.put_pixel(x, top + y, image::Luma([0]));
                }
            }
        }
        top += h;
    }
    Some(img)
}
