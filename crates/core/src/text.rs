//! Normalization of text typed by people or read from spreadsheets.

use unicode_normalization::UnicodeNormalization;

/// Returns whether `c` is a space to trim: every Unicode white space (U+3000 and U+00A0
/// included) plus the zero-width space and the byte-order mark, which spreadsheets carry
/// but `char::is_whitespace` does not cover.
pub fn is_space(c: char) -> bool {
    c.is_whitespace() || matches!(c, '\u{200B}' | '\u{FEFF}' | '\u{2060}')
}

/// Trims every kind of space from both ends, keeping inner text as typed.
pub fn trim_spaces(s: &str) -> &str {
    s.trim_matches(is_space)
}

/// Applies NFKC (full-width digits and letters become ASCII) and trims.
pub fn nfkc_trimmed(s: &str) -> String {
    let normalized: String = s.nfkc().collect();
    trim_spaces(&normalized).to_owned()
}

/// Builds the key on which unit, office and category names match: NFKC, no spaces
/// anywhere, ASCII letters in lower case. "财经学院\u{3000}" and "财经 学院" share a key.
pub fn name_key(s: &str) -> String {
    s.nfkc()
        .filter(|c| !is_space(*c))
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// Trims a display name and collapses inner runs of spaces to one ASCII space.
pub fn clean_name(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for word in trim_spaces(s).split(is_space).filter(|w| !w.is_empty()) {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// Counts characters, the measure users expect for Chinese text limits.
pub fn char_count(s: &str) -> usize {
    s.chars().count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trims_ideographic_and_no_break_spaces() {
        assert_eq!(trim_spaces("\u{3000}财经学院\u{00A0} "), "财经学院");
        assert_eq!(trim_spaces("\u{FEFF}工号\u{200B}"), "工号");
    }

    #[test]
    fn name_key_ignores_spaces_and_width() {
        assert_eq!(name_key("财经学院\u{3000}"), name_key("财经 学院"));
        assert_eq!(name_key("ＡＢＣ学院"), "abc学院");
    }

    #[test]
    fn clean_name_keeps_inner_words() {
        assert_eq!(
            clean_name("  数据  科学\u{3000}教研室 "),
            "数据 科学 教研室"
        );
    }

    #[test]
    fn nfkc_turns_full_width_digits_ascii() {
        assert_eq!(nfkc_trimmed(" ２０１９００１ "), "2019001");
    }
}
