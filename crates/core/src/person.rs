//! People's names and professional titles.

use crate::error::ParseError;
use crate::text::clean_name;

/// Parses a person's name: trimmed, inner spaces collapsed, 1 to 50 characters.
pub fn parse_person_name(raw: &str) -> Result<String, ParseError> {
    let name = clean_name(raw);
    if name.is_empty() {
        return Err(ParseError::new("姓名", raw, "姓名不能为空。"));
    }
    if name.chars().count() > 50 {
        return Err(ParseError::new(
            "姓名",
            raw,
            format!("姓名“{name}”过长，最多 50 个字符。"),
        ));
    }
    if name.chars().any(char::is_control) {
        return Err(ParseError::new(
            "姓名",
            raw,
            "姓名中含有不可见的控制字符，请删除后重试。",
        ));
    }
    Ok(name)
}

/// Parses a professional title (职称); empty is allowed.
pub fn parse_title(raw: &str) -> Result<String, ParseError> {
    let title = clean_name(raw);
    if title.chars().count() > 30 {
        return Err(ParseError::new(
            "职称",
            raw,
            format!("职称“{title}”过长，最多 30 个字符。"),
        ));
    }
    Ok(title)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn name_is_trimmed() {
        assert_eq!(parse_person_name(" 张\u{3000}三 ").unwrap(), "张 三");
        assert!(parse_person_name("\u{3000}").is_err());
    }
}
