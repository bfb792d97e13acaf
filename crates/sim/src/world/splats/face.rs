//! Face images (顔認証オプション): registered asynchronously and polled through the
//! request-result API, as "001" describes: `progress`, then `succeeded` or a
//! `failed_…` reason. The documents name the rules (JPEG only, 2 MB at most, resized to
//! 1200 × 1600, an image already used is refused, no face found, several people, a
//! mask) but not the endpoint, the body or the other failure names: those are ours
//! (docs/simulator.md). A uniform image stands for "no face found".

use super::{Reject, SplatsWorld};
use image::GenericImageView;
use serde_json::{json, Value};
use sha1::{Digest, Sha1};

/// The largest image SPLATS takes.
pub const MAX_FACE_BYTES: usize = 2 << 20;
/// The size SPLATS asks images to be resized to.
pub const FACE_SIZE: (u32, u32) = (1200, 1600);

#[derive(Debug, Clone)]
pub struct FaceJob {
    pub request_id: String,
    pub member_id: String,
    pub done_ms: i64,
    pub outcome: &'static str,
    pub digest: String,
    pub applied: bool,
}

impl FaceJob {
    pub fn to_json(&self, now_ms: i64) -> Value {
        let status = if now_ms < self.done_ms { "progress" } else { self.outcome };
        json!({ "request_id": self.request_id, "request_type": "face", "status": status })
    }
}

/// What the cloud sees in an image it accepted.
pub struct FaceImage {
    digest: String,
    uniform: bool,
}

/// Checks an image as SPLATS documents (JPEG, at most 2 MB, 1200 × 1600), outside the
/// world's lock: decoding takes a while.
pub fn check_image(jpeg: &[u8]) -> Result<FaceImage, Reject> {
    if jpeg.len() > MAX_FACE_BYTES {
        return Err(Reject::new(413, "41301", "顔画像は2MB以下にしてください"));
    }
    if !jpeg.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return Err(Reject::bad("顔画像は JPEG にしてください"));
    }
    let img = image::load_from_memory_with_format(jpeg, image::ImageFormat::Jpeg)
        .map_err(|_| Reject::bad("顔画像を読み取れません"))?;
    if img.dimensions() != FACE_SIZE {
        return Err(Reject::bad("顔画像は1200×1600にリサイズしてください"));
    }
    Ok(FaceImage { digest: hex::encode(Sha1::digest(img.to_luma8().as_raw())), uniform: is_uniform(&img) })
}

impl SplatsWorld {
    /// Accepts a checked face image for a member; the outcome shows after `face_millis`.
    pub fn register_face(
        &mut self,
        member_id: &str,
        image: &FaceImage,
        now_ms: i64,
    ) -> Result<String, Reject> {
        if !self.members.contains_key(member_id) {
            return Err(Reject::new(404, "40404", "メンバーが存在しません"));
        }
        let digest = image.digest.clone();
        let used = self
            .members
            .values()
            .any(|m| m.member_id != member_id && m.face_digest() == Some(digest.as_str()))
            || self
                .face_jobs
                .iter()
                .any(|j| j.member_id != member_id && j.digest == digest && j.outcome == "succeeded");
        let outcome = if used {
            "failed_registered"
        } else if image.uniform {
            "failed_no_face"
        } else {
            "succeeded"
        };
        let request_id = self.next_id("req");
        self.face_jobs.push(FaceJob {
            request_id: request_id.clone(),
            member_id: member_id.into(),
            done_ms: now_ms + i64::from(self.face_millis),
            outcome,
            digest,
            applied: false,
        });
        Ok(request_id)
    }

    /// Finished registrations take effect on their member.
    pub fn apply_faces(&mut self, now_ms: i64) {
        for job in self.face_jobs.iter_mut().filter(|j| !j.applied && now_ms >= j.done_ms) {
            job.applied = true;
            if job.outcome == "succeeded" {
                if let Some(m) = self.members.get_mut(&job.member_id) {
                    m.face = Some(format!("face-{}", job.digest));
                }
            }
        }
    }

    pub fn delete_face(&mut self, member_id: &str) -> Result<(), Reject> {
        let m = self
            .members
            .get_mut(member_id)
            .ok_or_else(|| Reject::new(404, "40404", "メンバーが存在しません"))?;
        m.face = None;
        self.face_jobs.retain(|j| j.member_id != member_id);
        Ok(())
    }
}

impl super::SMember {
    /// The digest of the registered image, kept in the face id's tail.
    fn face_digest(&self) -> Option<&str> {
        self.face.as_deref().and_then(|f| f.strip_prefix("face-"))
    }
}

/// No face in a picture with next to no contrast.
fn is_uniform(img: &image::DynamicImage) -> bool {
    let luma = img.to_luma8();
    let (min, max) = luma.pixels().fold((255u8, 0u8), |(lo, hi), p| (lo.min(p.0[0]), hi.max(p.0[0])));
    max.saturating_sub(min) < 16
}
