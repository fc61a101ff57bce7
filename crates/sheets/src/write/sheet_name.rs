//! Worksheet names that Excel accepts.

/// Maximum length of a worksheet name in Excel, in characters.
const MAX_SHEET_NAME_CHARS: usize = 31;

/// Name Excel reserves for its change-tracking sheet.
const RESERVED: &str = "History";

/// Characters Excel forbids in worksheet names.
const FORBIDDEN: &[char] = &['[', ']', ':', '*', '?', '/', '\\'];

/// Makes a worksheet name Excel accepts and that differs from every name in `taken`.
///
/// The characters `[ ] : * ? / \` are removed, leading and trailing apostrophes and
/// whitespace are trimmed, and the result is cut to 31 characters. A name that ends up
/// empty becomes "Sheet". Excel compares names without regard to case, and so does the
/// uniqueness check: a name already taken, or the reserved "History", gets " (2)", " (3)"
/// and so on, with the base cut so the whole stays within 31 characters.
pub fn clean_sheet_name(name: &str, taken: &[String]) -> String {
    let cleaned: String = name
        .chars()
        .filter(|c| !FORBIDDEN.contains(c) && !c.is_control())
        .collect();
    let trimmed = cleaned.trim_matches(|c: char| c == '\'' || c.is_whitespace());
    let base = if trimmed.is_empty() { "Sheet" } else { trimmed };

    let is_taken = |candidate: &str| {
        let candidate = candidate.to_lowercase();
        candidate == RESERVED.to_lowercase() || taken.iter().any(|t| t.to_lowercase() == candidate)
    };
    let first = cut(base, MAX_SHEET_NAME_CHARS);
    if !is_taken(&first) {
        return first;
    }
    (2..)
        .map(|n| {
            let suffix = format!(" ({n})");
            let room = MAX_SHEET_NAME_CHARS - suffix.chars().count();
            format!("{}{suffix}", cut(base, room).trim_end())
        })
        .find(|candidate| !is_taken(candidate))
        .unwrap_or(first)
}

fn cut(text: &str, max_chars: usize) -> String {
    text.chars().take(max_chars).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forbidden_characters_are_removed() {
        assert_eq!(
            clean_sheet_name("2023/2024:汇总[1]*?\\", &[]),
            "20232024汇总1"
        );
    }

    #[test]
    fn long_name_is_cut_by_characters() {
        let name = "信息工程学院".repeat(6);
        let cleaned = clean_sheet_name(&name, &[]);

        assert_eq!(cleaned.chars().count(), 31);
        assert!(name.starts_with(&cleaned));
    }

    #[test]
    fn taken_name_gets_a_number() {
        let taken = vec!["汇总".to_owned(), "汇总 (2)".to_owned()];
        assert_eq!(clean_sheet_name("汇总", &taken), "汇总 (3)");
    }

    #[test]
    fn uniqueness_ignores_case() {
        assert_eq!(
            clean_sheet_name("sheet", &["Sheet".to_owned()]),
            "sheet (2)"
        );
    }

    #[test]
    fn numbered_long_name_stays_within_limit() {
        let name = "管".repeat(40);
        let taken = vec!["管".repeat(31)];
        let cleaned = clean_sheet_name(&name, &taken);

        assert_eq!(cleaned.chars().count(), 31);
        assert!(cleaned.ends_with(" (2)"));
    }

    #[test]
    fn reserved_history_is_numbered() {
        assert_eq!(clean_sheet_name("history", &[]), "history (2)");
    }

    #[test]
    fn empty_name_becomes_sheet() {
        assert_eq!(clean_sheet_name("'[]'", &[]), "Sheet");
    }
}
