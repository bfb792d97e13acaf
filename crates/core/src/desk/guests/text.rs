//! Text a person typed or a file carried, made safe to keep and show: characters that
//! change how text is drawn without being seen (right-to-left overrides, zero-width
//! spaces, other controls) are removed, and a field has a length limit. Markup such as
//! `<script>` is kept as the text it is: the UI renders it as text, never as HTML.

use crate::platform::error::{Code, Error, Result};

/// The longest name, kana or booking code kept (in characters).
pub const MAX_FIELD_CHARS: usize = 100;

/// Invisible characters that reorder or hide text (bidi controls, zero-width) and other
/// control characters.
fn invisible(c: char) -> bool {
    matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2064}'
        | '\u{2066}'..='\u{2069}' | '\u{FEFF}' | '\u{061C}')
        || c.is_control()
}

/// The text without invisible characters, trimmed.
pub fn clean(s: &str) -> String {
    s.chars().filter(|c| !invisible(*c)).collect::<String>().trim().to_string()
}

/// [`clean`], cut at [`MAX_FIELD_CHARS`]: for text a cloud sent, which is kept rather
/// than refused (the booking stays on the list).
pub fn capped(s: &str) -> String {
    clean(s).chars().take(MAX_FIELD_CHARS).collect()
}

/// [`clean`], refused past [`MAX_FIELD_CHARS`] with the field's name in both languages.
pub fn field(value: &str, what_ja: &str, what_en: &str) -> Result<String> {
    let v = clean(value);
    let n = v.chars().count();
    if n > MAX_FIELD_CHARS {
        return Err(Error::invalid(
            Code::FieldTooLong,
            format!("{what_ja}が長すぎます ({n} 文字、{MAX_FIELD_CHARS} 文字まで)"),
            format!("the {what_en} is too long ({n} characters, at most {MAX_FIELD_CHARS})"),
        ));
    }
    Ok(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invisible_characters_go_markup_stays_text_and_length_is_capped() {
        assert_eq!(clean("山田\u{202E}太郎\u{200B}"), "山田太郎");
        assert_eq!(clean(" <script>alert(1)</script> "), "<script>alert(1)</script>");
        assert_eq!(clean("a\u{0000}b\nc"), "abc");
        assert!(field(&"あ".repeat(100), "氏名", "name").is_ok());
        let e = field(&"あ".repeat(10_000), "氏名", "name").unwrap_err();
        assert_eq!(e.code(), "field_too_long");
        assert_eq!(capped(&format!("\u{202E}{}", "あ".repeat(150))).chars().count(), MAX_FIELD_CHARS);
        assert!(e.message(crate::Lang::En).contains("10000 characters"));
    }
}
