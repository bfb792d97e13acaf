//! Text folded for matching: one function for the counter's search, the kiosk's
//! look-up and a CSV file's headers, so that what a person types finds what a system
//! stored however either was written.
//!
//! NFKC first (half-width katakana `ﾔﾏﾀﾞ` becomes `ヤマダ`, full-width `ＲＳＶ１` becomes
//! `RSV1`, a 全角 space a space), then hiragana to katakana, every dash and long-vowel
//! mark to `-`, lower case, and no white space.

use unicode_normalization::UnicodeNormalization;

/// Dashes, minus signs and long-vowel marks people and systems use for one another:
/// `ー` in `サトー` is typed `-` by some staff and exported `‐` or `−` by some systems.
fn dash(c: char) -> bool {
    matches!(
        c,
        '-' | '\u{2010}'
            ..='\u{2015}'
                | '\u{2212}'
                | '\u{30FC}'
                | '\u{FF70}'
                | '\u{FE63}'
                | '\u{FF0D}'
                | '\u{2E3A}'
                | '\u{2E3B}'
                | '\u{301C}'
                | '\u{FF5E}'
    )
}

/// The folded form two texts are compared in (see the module's doc).
pub fn fold(s: &str) -> String {
    s.nfkc()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c as u32 {
            0x3041..=0x3096 => char::from_u32(c as u32 + 0x60).unwrap_or(c),
            _ if dash(c) => '-',
            _ => c,
        })
        .flat_map(char::to_lowercase)
        .collect()
}

/// [`fold`] with only letters and digits left: `RSV-1003`, `rsv1003` and `ＲＳＶ１００３`
/// are one code, and `090-1111-1234` is `09011111234`.
pub fn compact(s: &str) -> String {
    fold(s).chars().filter(|c| c.is_alphanumeric()).collect()
}

/// Whether `needle` (what someone typed) is found in `hay` (what is stored): folded
/// text inside folded text, or the letters and digits alone inside theirs (a booking
/// code typed without its hyphen).
pub fn contains(hay: &str, needle: &str) -> bool {
    let n = fold(needle);
    if n.is_empty() {
        return true;
    }
    if fold(hay).contains(&n) {
        return true;
    }
    let n = compact(needle);
    !n.is_empty() && compact(hay).contains(&n)
}

/// Whether a typed phone number (with or without hyphens, full-width or not) is one
/// whose last four digits are `last4`, the only digits kept of a guest's phone.
pub fn phone_matches(last4: &str, typed: &str) -> bool {
    let digits: String = fold(typed).chars().filter(char::is_ascii_digit).collect();
    let only_phone =
        fold(typed).chars().all(|c| c.is_ascii_digit() || c == '-' || c == '(' || c == ')' || c == '+');
    only_phone && digits.len() >= 4 && last4.len() == 4 && digits.ends_with(last4)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn half_width_kana_full_width_letters_and_spaces_fold_together() {
        assert_eq!(fold("ﾔﾏﾀﾞ ﾀﾛｳ"), fold("ヤマダ　タロウ"));
        assert_eq!(fold("やまだたろう"), fold("ヤマダタロウ"));
        assert_eq!(fold("ﾊﾟﾊﾟ"), fold("パパ"));
        assert_eq!(fold("ＲＳＶ－１００１"), "rsv-1001");
        assert_eq!(fold("ＡＢＣ　ｄｅｆ"), "abcdef");
    }

    #[test]
    fn long_vowel_marks_and_dashes_are_one() {
        let forms = ["サトー", "サトｰ", "サト-", "サト‐", "サト−", "さとー"];
        for f in forms {
            assert_eq!(fold(f), fold("サトー"), "{f}");
        }
    }

    #[test]
    fn codes_match_with_or_without_their_hyphen_or_width() {
        for typed in ["RSV-1003", "rsv1003", "ＲＳＶ１００３", "1003", "rsv‐1003"] {
            assert!(contains("RSV-1003", typed), "{typed}");
        }
        assert!(!contains("RSV-1003", "1004"));
        assert!(contains("山田 太郎", "山田太"));
        assert!(contains("ヤマダ", "ﾔﾏﾀﾞ"));
    }

    #[test]
    fn phones_match_by_their_last_four_digits_however_written() {
        for typed in ["090-1111-1234", "09011111234", "０９０－１１１１－１２３４", "1234"] {
            assert!(phone_matches("1234", typed), "{typed}");
        }
        assert!(!phone_matches("1234", "090-1111-1235"));
        assert!(!phone_matches("1234", "123"));
        assert!(!phone_matches("1234", "ヤマダ1234"));
    }
}
