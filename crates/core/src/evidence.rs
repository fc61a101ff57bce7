//! Kinds of evidence file (佐证材料) a claim carries.

use std::fmt;
use std::str::FromStr;

use crate::error::ParseError;
use crate::text::name_key;

const FIELD: &str = "佐证类型";

/// The kind of content an evidence file shows. The API, database and rule text use
/// [`EvidenceKind::as_str`].
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum EvidenceKind {
    /// 结业证书 or another certificate of completion.
    Certificate,
    /// 培训记录: an uploaded file of training notes.
    Notes,
    /// 签到表: an attendance sheet.
    SignIn,
    /// 学习截图: screenshots of online learning.
    Screenshot,
    /// 照片: photos of the venue or the session.
    Photo,
    /// 通知: the notice announcing the training.
    Notice,
    /// 其他: anything else, such as a host's letter for a visiting stay.
    Other,
}

impl EvidenceKind {
    pub const ALL: [EvidenceKind; 7] = [
        EvidenceKind::Certificate,
        EvidenceKind::Notes,
        EvidenceKind::SignIn,
        EvidenceKind::Screenshot,
        EvidenceKind::Photo,
        EvidenceKind::Notice,
        EvidenceKind::Other,
    ];

    /// Returns the name used in the API, the database and the evidence rule text.
    pub fn as_str(self) -> &'static str {
        match self {
            EvidenceKind::Certificate => "certificate",
            EvidenceKind::Notes => "notes",
            EvidenceKind::SignIn => "sign_in",
            EvidenceKind::Screenshot => "screenshot",
            EvidenceKind::Photo => "photo",
            EvidenceKind::Notice => "notice",
            EvidenceKind::Other => "other",
        }
    }

    /// Returns the Chinese label shown to users.
    pub fn label(self) -> &'static str {
        match self {
            EvidenceKind::Certificate => "结业证书/证书",
            EvidenceKind::Notes => "培训记录",
            EvidenceKind::SignIn => "签到表",
            EvidenceKind::Screenshot => "学习截图",
            EvidenceKind::Photo => "照片",
            EvidenceKind::Notice => "通知",
            EvidenceKind::Other => "其他",
        }
    }

    /// Parses an API name or a Chinese label as people write it in forms and
    /// spreadsheets ("证书", "结业证书", "签到", "截图", "现场照片", "其它" …).
    pub fn parse_label(raw: &str) -> Result<Self, ParseError> {
        let key = name_key(raw);
        let kind = match key.as_str() {
            "certificate"
            | "结业证书/证书"
            | "结业证书"
            | "证书"
            | "培训证书"
            | "结业证明"
            | "合格证书"
            | "学时证明" => EvidenceKind::Certificate,
            "notes" | "培训记录" | "学习记录" | "培训笔记" | "学习笔记" | "培训总结" => {
                EvidenceKind::Notes
            }
            "sign_in" | "签到表" | "签到" | "签到记录" => EvidenceKind::SignIn,
            "screenshot" | "学习截图" | "截图" | "学习记录截图" => {
                EvidenceKind::Screenshot
            }
            "photo" | "照片" | "现场照片" | "图片" => EvidenceKind::Photo,
            "notice" | "通知" | "培训通知" | "会议通知" => EvidenceKind::Notice,
            "other" | "其他" | "其它" => EvidenceKind::Other,
            _ => return Err(unknown(raw)),
        };
        Ok(kind)
    }
}

fn unknown(raw: &str) -> ParseError {
    ParseError::new(
        FIELD,
        raw,
        format!(
            "佐证类型“{raw}”无法识别，可选：certificate（结业证书/证书）、notes（培训记录）、sign_in（签到表）、screenshot（学习截图）、photo（照片）、notice（通知）、other（其他）。"
        ),
    )
}

impl fmt::Display for EvidenceKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for EvidenceKind {
    type Err = ParseError;

    /// Parses the API name only (`certificate`, `sign_in`, …); see
    /// [`EvidenceKind::parse_label`] for Chinese labels.
    fn from_str(raw: &str) -> Result<Self, Self::Err> {
        EvidenceKind::ALL
            .into_iter()
            .find(|kind| kind.as_str() == raw)
            .ok_or_else(|| unknown(raw))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_names_round_trip() {
        for kind in EvidenceKind::ALL {
            assert_eq!(kind.as_str().parse::<EvidenceKind>(), Ok(kind));
        }
    }

    #[test]
    fn serde_uses_api_names() {
        let json = serde_json::to_string(&EvidenceKind::SignIn).unwrap();
        assert_eq!(json, "\"sign_in\"");
        let kind: EvidenceKind = serde_json::from_str("\"screenshot\"").unwrap();
        assert_eq!(kind, EvidenceKind::Screenshot);
    }

    #[test]
    fn labels_parse_back() {
        for kind in EvidenceKind::ALL {
            assert_eq!(EvidenceKind::parse_label(kind.label()), Ok(kind));
        }
    }

    #[test]
    fn written_variants_parse() {
        assert_eq!(
            EvidenceKind::parse_label(" 证书 "),
            Ok(EvidenceKind::Certificate)
        );
        assert_eq!(
            EvidenceKind::parse_label("结业证书"),
            Ok(EvidenceKind::Certificate)
        );
        assert_eq!(EvidenceKind::parse_label("签到"), Ok(EvidenceKind::SignIn));
        assert_eq!(EvidenceKind::parse_label("其它"), Ok(EvidenceKind::Other));
    }

    #[test]
    fn unknown_kind_is_named_with_choices() {
        let error = "diploma".parse::<EvidenceKind>().unwrap_err();
        assert!(error.message.contains("diploma"));
        assert!(error.message.contains("sign_in（签到表）"));
    }

    #[test]
    fn from_str_rejects_labels() {
        assert!("签到表".parse::<EvidenceKind>().is_err());
    }
}
