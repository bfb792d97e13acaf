//! The slip as a black-and-white picture, drawn here rather than by the printer: only
//! Japanese receipt printer models know kanji (in Shift_JIS), so the text goes as
//! pixels, like the QR. 58 mm paper is 384 dots wide at 203 dpi, 80 mm is 576.

use super::Slip;
use crate::platform::error::{Code, Error, Result};
use crate::platform::jst;
use crate::platform::secrets::ExposeSecret;
use ab_glyph::{Font, FontVec, PxScale, ScaleFont};
use image::{GrayImage, Luma};
use std::path::{Path, PathBuf};

/// Where a Japanese font is usually found (Debian/Ubuntu, Windows, macOS), tried in order.
const FONT_PLACES: &[&str] = &[
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
    "/usr/share/fonts/truetype/fonts-japanese-gothic.ttf",
    "C:\\Windows\\Fonts\\YuGothM.ttc",
    "C:\\Windows\\Fonts\\meiryo.ttc",
    "C:\\Windows\\Fonts\\msgothic.ttc",
    "/System/Library/Fonts/ヒラギノ角ゴシック W3.ttc",
];

/// Dots across the paper.
pub fn width_dots(paper_mm: u32) -> u32 {
    if paper_mm >= 80 {
        576
    } else {
        384
    }
}

/// The Japanese font: the configured file, else the first usual place that exists.
pub fn load_font(configured: Option<&Path>) -> Result<FontVec> {
    let path: Option<PathBuf> = configured
        .map(Path::to_path_buf)
        .or_else(|| FONT_PLACES.iter().map(PathBuf::from).find(|p| p.exists()));
    let missing = || {
        Error::invalid(
            Code::Config,
            "日本語のフォントが見つかりません。設定ファイルの printing.font にフォントファイルを指定してください",
            "no Japanese font found: set printing.font to a font file in the settings file",
        )
    };
    let bytes = std::fs::read(path.ok_or_else(missing)?).map_err(|_| missing())?;
    FontVec::try_from_vec_and_index(bytes, 0).map_err(|_| missing())
}

/// Draws the slip `width` dots wide: store, guest, rooms, date and times, the QR, and
/// what the QR may do.
pub fn slip(slip: &Slip, font: &FontVec, width: u32) -> Result<GrayImage> {
    let margin = width / 24;
    let mut page = Page { font, width, margin, lines: Vec::new(), y: margin };
    let big = width as f32 / 12.0;
    let normal = width as f32 / 16.0;
    let small = width as f32 / 22.0;
    page.text(&slip.store_name, normal);
    page.text("ご利用パス", small);
    page.gap(margin / 2);
    page.text(&format!("{} 様", slip.guest_name), big);
    page.text(&slip.rooms.join("・"), normal);
    let (start_day, end_day) = (jst::date_words(slip.starts_at), jst::date_words(slip.ends_at));
    if start_day == end_day {
        page.text(&start_day, normal);
        page.text(&format!("{}–{}", jst::clock_time(slip.starts_at), jst::clock_time(slip.ends_at)), big);
    } else {
        // An overnight stay: each end with its own day, so the morning is not misread.
        page.text(&format!("{start_day} {}から", jst::clock_time(slip.starts_at)), normal);
        page.text(&format!("{end_day} {}まで", jst::clock_time(slip.ends_at)), normal);
    }
    page.gap(margin / 2);
    let qr = qr_image(slip.qr.expose_secret(), width - 2 * margin)?;
    let qr_top = page.y;
    page.y += qr.height();
    page.gap(margin / 2);
    page.text("この QR はご利用時間内に、ご予約のお部屋とエントランスでのみ使えます。", small);
    page.text("退出後・時間外は使えません。", small);
    page.gap(margin);
    let mut img = GrayImage::from_pixel(width, page.y, Luma([255]));
    for line in &page.lines {
        line.draw(font, &mut img);
    }
    image::imageops::overlay(&mut img, &qr, ((width - qr.width()) / 2) as i64, qr_top as i64);
    Ok(img)
}

/// The QR at whole dots per module, as large as fits, with its quiet zone.
fn qr_image(payload: &str, fit: u32) -> Result<GrayImage> {
    let code = qrcode::QrCode::new(payload.as_bytes()).map_err(|_| {
        Error::invalid(Code::QrUnencodable, "QR コードを作れません", "the QR code cannot be made")
    })?;
    let modules = code.width() as u32 + 8;
    let dot = (fit / modules).clamp(2, 12);
    Ok(code.render::<Luma<u8>>().quiet_zone(true).module_dimensions(dot, dot).build())
}

struct Line {
    text: String,
    size: f32,
    x: u32,
    baseline: f32,
}

impl Line {
    fn draw(&self, font: &FontVec, img: &mut GrayImage) {
        let scaled = font.as_scaled(PxScale::from(self.size));
        let mut x = self.x as f32;
        for c in self.text.chars() {
            let id = scaled.glyph_id(c);
            let glyph = id.with_scale_and_position(self.size, ab_glyph::point(x, self.baseline));
            x += scaled.h_advance(id);
            let Some(outline) = font.outline_glyph(glyph) else { continue };
            let b = outline.px_bounds();
            outline.draw(|gx, gy, cover| {
                let (px, py) = (b.min.x as i64 + gx as i64, b.min.y as i64 + gy as i64);
                // Thermal paper has no grey: a dot is black or not.
                if cover > 0.45
                    && px >= 0
                    && py >= 0
                    && (px as u32) < img.width()
                    && (py as u32) < img.height()
                {
                    img.put_pixel(px as u32, py as u32, Luma([0]));
                }
            });
        }
    }
}

/// Lays out lines top to bottom, wrapping at the margin.
struct Page<'a> {
    font: &'a FontVec,
    width: u32,
    margin: u32,
    lines: Vec<Line>,
    y: u32,
}

impl Page<'_> {
    fn gap(&mut self, dots: u32) {
        self.y += dots;
    }

    fn text(&mut self, text: &str, size: f32) {
        let scaled = self.font.as_scaled(PxScale::from(size));
        let room = (self.width - 2 * self.margin) as f32;
        let mut line = String::new();
        let mut used = 0.0;
        for c in text.chars() {
            let w = scaled.h_advance(scaled.glyph_id(c));
            if used + w > room && !line.is_empty() {
                self.push(std::mem::take(&mut line), size, scaled.ascent(), scaled.height());
                used = 0.0;
            }
            line.push(c);
            used += w;
        }
        if !line.is_empty() {
            self.push(line, size, scaled.ascent(), scaled.height());
        }
    }

    fn push(&mut self, text: String, size: f32, ascent: f32, height: f32) {
        let baseline = self.y as f32 + ascent;
        self.lines.push(Line { text, size, x: self.margin, baseline });
        self.y += (height * 1.15).ceil() as u32;
    }
}
