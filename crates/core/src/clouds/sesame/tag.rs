//! The history tag: the name the SESAME app shows next to a Web API operation.
//!
//! UTF-8, at most 20 bytes (the official SDK truncates IoT tags to 20; the old doc said
//! 21), cut on a character boundary so that Japanese names do not turn into 文字化け,
//! then standard base64 with padding.

use base64::Engine;

pub const MAX_TAG_BYTES: usize = 20;

/// The longest prefix of `name` that fits in `MAX_TAG_BYTES` without splitting a character.
pub fn truncate(name: &str) -> &str {
    let name = name.trim();
    if name.len() <= MAX_TAG_BYTES {
        return name;
    }
    let mut end = MAX_TAG_BYTES;
    while !name.is_char_boundary(end) {
        end -= 1;
    }
    &name[..end]
}

pub fn encode(name: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(truncate(name).as_bytes())
}

/// Reads a tag from history: UTF-8 text, or "type + UUID" for the 18-byte tags newer
/// firmware writes (2-byte big-endian type, 16-byte UUID).
pub fn decode(b64: &str) -> Option<String> {
    let bytes = base64::engine::general_purpose::STANDARD.decode(b64).ok()?;
    if bytes.len() == 18 && bytes[0] == 0 {
        let uuid: [u8; 16] = bytes[2..].try_into().ok()?;
        return Some(format!(
            "type {:#06x} {}",
            u16::from_be_bytes([bytes[0], bytes[1]]),
            super::DeviceUuid::from_bytes(&uuid)
        ));
    }
    String::from_utf8(bytes).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reference_vectors() {
        assert_eq!(encode("test2"), "dGVzdDI=");
        assert_eq!(encode("WEB API"), "V0VCIEFQSQ==");
        assert_eq!(encode("Homebridge"), "SG9tZWJyaWRnZQ==");
        assert_eq!(encode("ドラえもん"), "44OJ44Op44GI44KC44KT");
    }

    #[test]
    fn truncates_on_character_boundaries() {
        // 7 kana × 3 bytes = 21 bytes: the seventh does not fit.
        assert_eq!(truncate("ヤマダタロウサ"), "ヤマダタロウ");
        assert_eq!(truncate("受付スタッフ山田太郎"), "受付スタッフ");
        assert_eq!(truncate("abcdefghijklmnopqrstuvwxyz"), "abcdefghijklmnopqrst");
        for name in ["山田 太郎です、よろしく", "a山田太郎さんとスタッフ", "🔑🔑🔑🔑🔑🔑"]
        {
            assert!(truncate(name).len() <= MAX_TAG_BYTES);
        }
    }

    #[test]
    fn decodes_text_and_uuid_tags() {
        assert_eq!(decode("44OJ44Op44GI44KC44KT").as_deref(), Some("ドラえもん"));
        assert_eq!(
            decode("AA0BI0VniavN7wEjRWeJq83v").as_deref(),
            Some("type 0x000d 01234567-89AB-CDEF-0123-456789ABCDEF")
        );
    }
}
