//! A member's face image (SPLATS 顔認証オプション): the photo is turned upright,
//! cropped to portrait 3 : 4 around its centre, resized to 1200 × 1600 and saved as a
//! JPEG under 2 MB, as "001" asks; the registration runs in SPLATS and its progress is
//! read until `succeeded` or a `failed_…` reason, which is put in words here.

use crate::clouds::splats::SplatsClient;
use crate::desk::audit::{self, AuditEvent};
use crate::desk::staff::role::{self, Deed};
use crate::platform::db::Db;
use crate::platform::error::{Code, Error, Result};
use crate::platform::images::picture;
use image::imageops::FilterType;
use serde::Serialize;

pub const WIDTH: u32 = 1200;
pub const HEIGHT: u32 = 1600;
/// SPLATS' largest face image.
pub const MAX_BYTES: usize = 2 << 20;

/// The JPEG SPLATS wants from any photo a person picks (PNG or JPEG, any size).
pub fn prepare(photo: &[u8]) -> Result<Vec<u8>> {
    let img = picture::read(photo)?;
    let (w, h) = (img.width(), img.height());
    // The largest 3 : 4 rectangle in the middle.
    let (cw, ch) = if u64::from(w) * 4 > u64::from(h) * 3 { (h * 3 / 4, h) } else { (w, w * 4 / 3) };
    let cropped = img.crop_imm((w - cw) / 2, (h - ch) / 2, cw.max(1), ch.max(1));
    let sized = cropped.resize_exact(WIDTH, HEIGHT, FilterType::Lanczos3).to_rgb8();
    for quality in [90u8, 80, 70, 60, 50, 40] {
        let mut out = Vec::new();
        image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, quality).encode_image(&sized).map_err(
            |e| {
                Error::invalid(
                    Code::ImageUnreadable,
                    format!("画像を変換できません: {e}"),
                    format!("cannot convert the image: {e}"),
                )
            },
        )?;
        if out.len() <= MAX_BYTES {
            return Ok(out);
        }
    }
    Err(picture::too_large())
}

/// Where a registration stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum FaceState {
    Progress,
    Succeeded,
}

/// Sends the prepared image; answers the request to follow with [`progress`].
pub async fn register(
    db: &Db,
    client: &SplatsClient,
    member_id: &str,
    photo: &[u8],
    actor: &str,
) -> Result<String> {
    db.read(|c| role::require_here(c, Deed::Credential)).await?;
    let jpeg = prepare(photo)?;
    let sent = client.register_face(member_id, &jpeg).await;
    let event = AuditEvent::new(actor, "member.face", Some(member_id), sent.is_ok()).with_detail(
        serde_json::json!({ "bytes": jpeg.len(), "error": sent.as_ref().err().map(|e| e.code()) }),
    );
    db.write(move |c| audit::record(c, &event)).await?;
    sent
}

/// `Progress` until SPLATS is done; a `failed_…` answer is an error saying why.
pub async fn progress(client: &SplatsClient, request_id: &str) -> Result<FaceState> {
    let status = client.request_status(request_id).await?;
    match status.as_str() {
        "succeeded" | "completed" => Ok(FaceState::Succeeded),
        s if s.starts_with("failed") => Err(failure(s)),
        _ => Ok(FaceState::Progress),
    }
}

/// The documents name four reasons (an image already used, no face, several people, a
/// mask); only `failed_registered` is spelled out, the others' names are our guess and
/// any other `failed_…` is shown as it came.
pub fn failure(status: &str) -> Error {
    let (ja, en) = match status {
        "failed_registered" => (
            "この顔画像はすでに別のメンバーに登録されています",
            "this face image is already registered to another member",
        ),
        "failed_no_face" | "failed_not_detected" => (
            "顔を検出できませんでした。正面から顔がはっきり写った写真を選んでください",
            "no face was found: pick a photo that shows the face clearly from the front",
        ),
        "failed_multiple_faces" | "failed_multiple" => (
            "複数の人が写っています。1人だけが写った写真を選んでください",
            "several people are in the photo: pick one with only the member",
        ),
        "failed_mask" => ("マスクをした写真は登録できません", "a photo with a mask cannot be registered"),
        other => {
            return Error::invalid(
                Code::FaceFailed,
                format!("顔画像を登録できませんでした ({other})"),
                format!("the face image was not registered ({other})"),
            )
        }
    };
    Error::invalid(Code::FaceFailed, ja, en)
}

/// Removes the member's face image (to replace it, remove it first, as "001" says).
pub async fn remove(db: &Db, client: &SplatsClient, member_id: &str, actor: &str) -> Result<()> {
    db.read(|c| role::require_here(c, Deed::Credential)).await?;
    let sent = client.delete_face(member_id).await;
    let event = AuditEvent::new(actor, "member.face_remove", Some(member_id), sent.is_ok());
    db.write(move |c| audit::record(c, &event)).await?;
    sent
}

#[cfg(test)]
mod tests {
    use super::*;

    fn photo(w: u32, h: u32) -> Vec<u8> {
        let img = image::RgbImage::from_fn(w, h, |x, y| {
            image::Rgb([(x % 251) as u8, (y % 241) as u8, ((x ^ y) % 256) as u8])
        });
        let mut out = std::io::Cursor::new(Vec::new());
        image::DynamicImage::ImageRgb8(img).write_to(&mut out, image::ImageFormat::Png).unwrap();
        out.into_inner()
    }

    #[test]
    fn any_photo_becomes_a_1200_by_1600_jpeg_under_2_mb() {
        for (w, h) in [(2400, 1800), (600, 800), (1000, 2000)] {
            let jpeg = prepare(&photo(w, h)).unwrap();
            assert!(jpeg.len() <= MAX_BYTES, "{w}×{h}: {} bytes", jpeg.len());
            let back = image::load_from_memory_with_format(&jpeg, image::ImageFormat::Jpeg).unwrap();
            assert_eq!((back.width(), back.height()), (WIDTH, HEIGHT), "{w}×{h}");
        }
    }

    #[test]
    fn failures_are_words_in_both_languages() {
        let e = failure("failed_registered");
        assert_eq!(e.code(), "face_failed");
        assert!(e.message(crate::Lang::Ja).contains("すでに"));
        assert!(failure("failed_brand_new").message(crate::Lang::En).contains("failed_brand_new"));
    }
}
