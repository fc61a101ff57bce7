//! Rejection reasons (未通过原因): data the center edits, seeded with the reasons of the
//! center's real review.

use crate::error::ParseError;
use crate::text::{char_count, name_key, trim_spaces};

/// Codes of the seeded reasons.
pub mod codes {
    pub const OUT_OF_SCOPE: &str = "out_of_scope";
    pub const INSUFFICIENT_EVIDENCE: &str = "insufficient_evidence";
    pub const SCHOOL_ACCREDITED: &str = "school_accredited";
    pub const DUPLICATE: &str = "duplicate";
    pub const WRONG_HOURS: &str = "wrong_hours";
    pub const EVIDENCE_MISMATCH: &str = "evidence_mismatch";
    pub const CATEGORY_MISMATCH: &str = "category_mismatch";
    pub const BUNDLED: &str = "bundled";
    pub const OTHER: &str = "other";
}

/// Maximum length of a reason label, in characters.
pub const MAX_LABEL_CHARS: usize = 30;
/// Maximum length of a reason code, in bytes of ASCII.
pub const MAX_CODE_LEN: usize = 40;

/// A rejection reason as stored: a stable code, the label shown to the teacher and the
/// position in pick lists (ascending).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct RejectionReason {
    pub code: String,
    pub label: String,
    pub sort_order: i64,
}

impl RejectionReason {
    /// Checks a reason a center admin entered: the code is 1 to 40 lower-case ASCII
    /// letters, digits or `_`, and the label 1 to 30 characters.
    pub fn validate(&self) -> Result<(), Vec<ParseError>> {
        let mut errors = Vec::new();
        let code_ok = !self.code.is_empty()
            && self.code.len() <= MAX_CODE_LEN
            && self
                .code
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
        if !code_ok {
            errors.push(ParseError::new(
                "原因代码",
                &self.code,
                format!(
                    "原因代码“{}”无效，请使用 1 到 {MAX_CODE_LEN} 个小写英文字母、数字或下划线，如 out_of_scope。",
                    self.code
                ),
            ));
        }
        let label = trim_spaces(&self.label);
        if label.is_empty() || char_count(label) > MAX_LABEL_CHARS {
            errors.push(ParseError::new(
                "原因名称",
                &self.label,
                format!("原因名称不能为空，且最多 {MAX_LABEL_CHARS} 个字符，请修改后保存。"),
            ));
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }
}

/// A seeded reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReasonDefault {
    pub code: &'static str,
    pub label: &'static str,
    pub sort_order: i64,
}

/// The reasons a new installation starts with, the four of the center's real review
/// first. Sort orders step by 10 so the center can insert reasons between them.
pub const DEFAULT_REASONS: [ReasonDefault; 9] = [
    ReasonDefault {
        code: codes::OUT_OF_SCOPE,
        label: "不在认定范围",
        sort_order: 10,
    },
    ReasonDefault {
        code: codes::INSUFFICIENT_EVIDENCE,
        label: "佐证不足",
        sort_order: 20,
    },
    ReasonDefault {
        code: codes::SCHOOL_ACCREDITED,
        label: "学校认定项目",
        sort_order: 30,
    },
    ReasonDefault {
        code: codes::DUPLICATE,
        label: "重复填报",
        sort_order: 40,
    },
    ReasonDefault {
        code: codes::WRONG_HOURS,
        label: "学时填写有误",
        sort_order: 50,
    },
    ReasonDefault {
        code: codes::EVIDENCE_MISMATCH,
        label: "佐证与主题不符",
        sort_order: 60,
    },
    ReasonDefault {
        code: codes::CATEGORY_MISMATCH,
        label: "培训类别与主题不符",
        sort_order: 70,
    },
    ReasonDefault {
        code: codes::BUNDLED,
        label: "一条记录包含多项培训",
        sort_order: 80,
    },
    ReasonDefault {
        code: codes::OTHER,
        label: "其他",
        sort_order: 90,
    },
];

/// Returns the seeded reasons as stored values.
pub fn default_reasons() -> Vec<RejectionReason> {
    DEFAULT_REASONS
        .iter()
        .map(|reason| RejectionReason {
            code: reason.code.to_owned(),
            label: reason.label.to_owned(),
            sort_order: reason.sort_order,
        })
        .collect()
}

/// Other ways history spreadsheets write the seeded reasons, keyed like
/// [`reason_key`].
const LABEL_VARIANTS: &[(&str, &str)] = &[
    ("不在认定范围内", codes::OUT_OF_SCOPE),
    ("不属于认定范围", codes::OUT_OF_SCOPE),
    ("超出认定范围", codes::OUT_OF_SCOPE),
    ("不符合认定范围", codes::OUT_OF_SCOPE),
    ("不在认定范畴", codes::OUT_OF_SCOPE),
    ("佐证材料不足", codes::INSUFFICIENT_EVIDENCE),
    ("佐证材料不全", codes::INSUFFICIENT_EVIDENCE),
    ("佐证不全", codes::INSUFFICIENT_EVIDENCE),
    ("证明材料不足", codes::INSUFFICIENT_EVIDENCE),
    ("缺少佐证材料", codes::INSUFFICIENT_EVIDENCE),
    ("缺少佐证", codes::INSUFFICIENT_EVIDENCE),
    ("无佐证材料", codes::INSUFFICIENT_EVIDENCE),
    ("学校认定", codes::SCHOOL_ACCREDITED),
    ("学校已认定", codes::SCHOOL_ACCREDITED),
    ("学校统一认定", codes::SCHOOL_ACCREDITED),
    ("校级认定项目", codes::SCHOOL_ACCREDITED),
    ("重复申报", codes::DUPLICATE),
    ("重复提交", codes::DUPLICATE),
    ("重复", codes::DUPLICATE),
    ("学时有误", codes::WRONG_HOURS),
    ("学时错误", codes::WRONG_HOURS),
    ("学时填写错误", codes::WRONG_HOURS),
    ("学时不符", codes::WRONG_HOURS),
    ("佐证材料与主题不符", codes::EVIDENCE_MISMATCH),
    ("佐证与培训主题不符", codes::EVIDENCE_MISMATCH),
    ("材料与主题不符", codes::EVIDENCE_MISMATCH),
    ("类别与主题不符", codes::CATEGORY_MISMATCH),
    ("培训类别错误", codes::CATEGORY_MISMATCH),
    ("类别错误", codes::CATEGORY_MISMATCH),
    ("类别不符", codes::CATEGORY_MISMATCH),
    ("包含多项培训", codes::BUNDLED),
    ("多项培训", codes::BUNDLED),
    ("多项培训合并填报", codes::BUNDLED),
    ("其它", codes::OTHER),
];

/// Builds the matching key of a reason label: [`name_key`] without punctuation.
fn reason_key(raw: &str) -> String {
    name_key(raw)
        .chars()
        .filter(|c| c.is_alphanumeric() || *c == '_')
        .collect()
}

/// Finds the seeded reason code for a label as history spreadsheets write it: the
/// label, the code itself, or a variant such as 佐证材料不足 or 重复申报.
pub fn reason_code_from_label(raw: &str) -> Option<&'static str> {
    let key = reason_key(raw);
    if key.is_empty() {
        return None;
    }
    DEFAULT_REASONS
        .iter()
        .find(|reason| reason_key(reason.label) == key || reason.code == key)
        .map(|reason| reason.code)
        .or_else(|| {
            LABEL_VARIANTS
                .iter()
                .find(|(variant, _)| reason_key(variant) == key)
                .map(|(_, code)| *code)
        })
}

/// Finds a reason of the current list for a label or code: first by the list's own
/// codes and labels, then by the seeded variants if the list still has that code.
pub fn find_reason<'a>(raw: &str, reasons: &'a [RejectionReason]) -> Option<&'a RejectionReason> {
    let key = reason_key(raw);
    if key.is_empty() {
        return None;
    }
    reasons
        .iter()
        .find(|reason| reason.code == key || reason_key(&reason.label) == key)
        .or_else(|| {
            let code = reason_code_from_label(raw)?;
            reasons.iter().find(|reason| reason.code == code)
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid_and_ordered() {
        let reasons = default_reasons();
        assert_eq!(reasons.len(), 9);
        for reason in &reasons {
            assert_eq!(reason.validate(), Ok(()), "{}", reason.code);
        }
        assert!(
            reasons
                .windows(2)
                .all(|w| w[0].sort_order < w[1].sort_order)
        );
        assert_eq!(reasons[8].code, codes::OTHER);
    }

    #[test]
    fn every_label_maps_to_its_code() {
        for reason in DEFAULT_REASONS {
            assert_eq!(
                reason_code_from_label(reason.label),
                Some(reason.code),
                "{}",
                reason.label
            );
        }
    }

    #[test]
    fn written_variants_map() {
        let cases = [
            ("佐证材料不足", codes::INSUFFICIENT_EVIDENCE),
            ("重复申报", codes::DUPLICATE),
            (" 学时填写有误。", codes::WRONG_HOURS),
            ("不在认定范围内", codes::OUT_OF_SCOPE),
            ("其它", codes::OTHER),
            ("duplicate", codes::DUPLICATE),
        ];
        for (raw, code) in cases {
            assert_eq!(reason_code_from_label(raw), Some(code), "{raw:?}");
        }
    }

    #[test]
    fn unknown_or_empty_label_is_none() {
        assert_eq!(reason_code_from_label(""), None);
        assert_eq!(reason_code_from_label("材料上传晚了"), None);
    }

    #[test]
    fn find_reason_prefers_list_labels() {
        let mut reasons = default_reasons();
        reasons.push(RejectionReason {
            code: "late".to_owned(),
            label: "超过申报期限".to_owned(),
            sort_order: 85,
        });
        let found = find_reason("超过申报期限", &reasons).map(|r| r.code.as_str());
        assert_eq!(found, Some("late"));
        let variant = find_reason("佐证材料不足", &reasons).map(|r| r.code.as_str());
        assert_eq!(variant, Some(codes::INSUFFICIENT_EVIDENCE));
    }

    #[test]
    fn find_reason_skips_removed_codes() {
        let reasons: Vec<RejectionReason> = default_reasons()
            .into_iter()
            .filter(|r| r.code != codes::DUPLICATE)
            .collect();
        assert_eq!(find_reason("重复申报", &reasons), None);
    }

    #[test]
    fn invalid_code_and_label_are_reported() {
        let reason = RejectionReason {
            code: "Out Of Scope".to_owned(),
            label: " ".to_owned(),
            sort_order: 1,
        };
        assert_eq!(reason.validate().unwrap_err().len(), 2);
    }
}
