//! Sending stored files to browsers: the `Content-Disposition` header with the original
//! file name, and the headers that stop browsers from guessing a file's type.

use axum::http::HeaderValue;

/// Characters that may stand unencoded in an RFC 5987 `ext-value` (`attr-char`).
fn is_attr_char(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&byte)
}

/// Builds `Content-Disposition` for a download under its original name, which may be
/// Chinese and hold commas, quotes or semicolons.
///
/// Browsers that read RFC 6266's `filename*=UTF-8''…` (RFC 5987 percent-encoding) see the
/// real name; older clients get `filename="…"`, an ASCII fallback in which every other
/// character is replaced by `_` and the extension is kept.
pub fn content_disposition(disposition: &str, file_name: &str) -> HeaderValue {
    let mut encoded = String::with_capacity(file_name.len() * 3);
    for byte in file_name.bytes() {
        if is_attr_char(byte) {
            encoded.push(byte as char);
        } else {
            encoded.push_str(&format!("%{byte:02X}"));
        }
    }
    let fallback = ascii_fallback(file_name);
    let value = format!("{disposition}; filename=\"{fallback}\"; filename*=UTF-8''{encoded}");
    HeaderValue::from_str(&value).unwrap_or_else(|_| HeaderValue::from_static("attachment"))
}

/// Replaces every character outside printable ASCII, and the quote, backslash, comma and
/// semicolon, with `_`; an empty result becomes `file`.
fn ascii_fallback(file_name: &str) -> String {
    let (stem, extension) = match file_name.rsplit_once('.') {
        Some((stem, extension))
            if extension.is_ascii() && !extension.is_empty() && extension.len() <= 8 =>
        {
            (stem, Some(extension))
        }
        _ => (file_name, None),
    };
    let mut fallback: String = stem
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() && !matches!(c, '"' | '\\' | ',' | ';') || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if fallback.trim_matches('_').trim().is_empty() {
        fallback = "file".to_owned();
    }
    match extension {
        Some(extension) => format!(
            "{fallback}.{}",
            extension.replace(['"', '\\', ',', ';'], "_")
        ),
        None => fallback,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(name: &str) -> String {
        content_disposition("attachment", name)
            .to_str()
            .unwrap()
            .to_owned()
    }

    #[test]
    fn chinese_name_is_percent_encoded() {
        let value = header("结业证书.pdf");
        assert!(value.starts_with("attachment; "), "{value}");
        assert!(
            value.contains("filename*=UTF-8''%E7%BB%93%E4%B8%9A%E8%AF%81%E4%B9%A6.pdf"),
            "{value}"
        );
        assert!(value.contains("filename=\"file.pdf\""), "{value}");
    }

    #[test]
    fn commas_quotes_and_semicolons_are_safe() {
        let value = header("a,b;\"c\".jpg");
        assert!(value.contains("filename=\"a_b__c_.jpg\""), "{value}");
        assert!(
            value.contains("filename*=UTF-8''a%2Cb%3B%22c%22.jpg"),
            "{value}"
        );
        // Exactly two parameters follow the disposition: no separator leaked out.
        assert_eq!(value.matches("; ").count(), 2, "{value}");
    }

    #[test]
    fn ascii_name_is_kept() {
        assert!(header("report-2025 final.docx").contains("filename=\"report-2025 final.docx\""));
    }

    #[test]
    fn mixed_name_keeps_ascii_parts() {
        assert!(header("证书 scan 1.png").contains("filename=\"__ scan 1.png\""));
    }
}
