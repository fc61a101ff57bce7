//! Field specifications: which columns an import expects and the header texts that name them.

use unicode_normalization::UnicodeNormalization;

/// One column an import expects, and the header texts that may name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldSpec {
    /// Stable key the caller uses to look the cell up, e.g. `"staff_id"`.
    pub key: &'static str,
    /// Chinese display name used in messages, e.g. `"工号"`.
    pub label: &'static str,
    /// Header texts accepted for this field, the display name among them.
    /// They are compared after [`normalize_header`], so spacing, full-width forms and
    /// markers such as "*" or "（必填）" do not matter.
    pub aliases: &'static [&'static str],
    /// Whether the header row must contain this field.
    pub required: bool,
}

const STAFF_ID: FieldSpec = FieldSpec {
    key: "staff_id",
    label: "工号",
    aliases: &["工号", "职工号", "教工号", "人员编号"],
    required: true,
};

const NAME: FieldSpec = FieldSpec {
    key: "name",
    label: "姓名",
    aliases: &["姓名", "教师姓名"],
    required: true,
};

const UNIT: FieldSpec = FieldSpec {
    key: "unit",
    label: "单位",
    aliases: &["单位", "所在单位", "院部", "部门", "院（部）"],
    required: true,
};

/// Columns of a staff roster (教职工名单).
pub const ROSTER_FIELDS: &[FieldSpec] = &[
    STAFF_ID,
    NAME,
    UNIT,
    FieldSpec {
        key: "office",
        label: "教研室",
        aliases: &["教研室"],
        required: false,
    },
    FieldSpec {
        key: "title",
        label: "职称",
        aliases: &["职称"],
        required: false,
    },
    FieldSpec {
        key: "roles",
        label: "角色",
        aliases: &["角色"],
        required: false,
    },
];

/// Columns of an attendance (sign-in) sheet (签到表). The unit column is optional
/// because many sign-in sheets list only staff IDs and names.
// TODO: a sheet with a name column and no staff ID column is still rejected, although
// the importer can match rows by name. Make the staff ID optional if such sheets occur.
pub const ATTENDANCE_FIELDS: &[FieldSpec] = &[
    STAFF_ID,
    NAME,
    FieldSpec {
        required: false,
        ..UNIT
    },
    FieldSpec {
        key: "signed_at",
        label: "签到时间",
        aliases: &["签到时间"],
        required: false,
    },
];

/// Columns of a past term's accreditation results (学时认定明细).
pub const HISTORY_FIELDS: &[FieldSpec] = &[
    STAFF_ID,
    NAME,
    FieldSpec {
        key: "unit",
        label: "所在单位",
        aliases: &["所在单位", "单位", "院部"],
        required: true,
    },
    FieldSpec {
        key: "category",
        label: "培训类别",
        aliases: &["培训类别", "类别"],
        required: true,
    },
    FieldSpec {
        key: "topic",
        label: "培训主题",
        aliases: &["培训主题", "主题", "项目名称"],
        required: true,
    },
    // A sheet with one date column (培训日期) gives each training a single day.
    FieldSpec {
        key: "start_date",
        label: "开始时间",
        aliases: &[
            "开始时间",
            "开始日期",
            "起始日期",
            "培训日期",
            "培训时间",
            "日期",
        ],
        required: true,
    },
    FieldSpec {
        key: "end_date",
        label: "结束时间",
        aliases: &["结束时间", "结束日期", "截止日期"],
        required: false,
    },
    FieldSpec {
        key: "claimed_hours",
        label: "学时数",
        aliases: &["学时数", "申报学时", "学时"],
        required: true,
    },
    FieldSpec {
        key: "accredited_hours",
        label: "认定学时",
        aliases: &["认定学时"],
        required: false,
    },
    FieldSpec {
        key: "outcome",
        label: "审核结果",
        aliases: &["审核结果", "认定结果", "状态"],
        required: true,
    },
    FieldSpec {
        key: "reason",
        label: "未通过原因",
        aliases: &["未通过原因", "原因"],
        required: false,
    },
];

/// Markers that templates put into header cells and that do not change the column's meaning.
/// They are removed after NFKC, so full-width forms like "（必填）" and "＊" match too.
const HEADER_MARKERS: &[&str] = &["(必填)", "(选填)", "(可选)", "*"];

/// Reduces a header cell's text to the key that aliases are compared on.
///
/// The text is NFKC-normalized, all whitespace (including U+3000 and zero-width
/// characters) is removed, the markers "*", "(必填)", "(选填)" and "(可选)" are removed,
/// and ASCII letters are lower-cased.
pub fn normalize_header(text: &str) -> String {
    let mut key: String = text
        .nfkc()
        .filter(|c| !is_blank_char(*c))
        .map(|c| c.to_ascii_lowercase())
        .collect();
    for marker in HEADER_MARKERS {
        if key.contains(marker) {
            key = key.replace(marker, "");
        }
    }
    key
}

/// Checks whether a character is whitespace or an invisible zero-width character.
///
/// `char::is_whitespace` covers U+3000 and U+00A0; the zero-width space, joiners,
/// word joiner and byte-order mark are added because pasted text often carries them.
pub(crate) fn is_blank_char(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{2060}' | '\u{FEFF}'
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalize_removes_markers_and_spaces() {
        assert_eq!(normalize_header(" 工　号 *"), "工号");
        assert_eq!(normalize_header("姓名（必填）"), "姓名");
        assert_eq!(normalize_header("院（部）"), "院(部)");
        assert_eq!(normalize_header("＊单位\u{200B}"), "单位");
    }

    #[test]
    fn every_label_is_an_alias() {
        for fields in [ROSTER_FIELDS, ATTENDANCE_FIELDS, HISTORY_FIELDS] {
            for field in fields {
                assert!(
                    field.aliases.contains(&field.label),
                    "{} lacks its label among its aliases",
                    field.key
                );
            }
        }
    }

    #[test]
    fn attendance_sheet_without_unit_column_reads() {
        let csv = "签到表\n工号,姓名,签到时间\n2019001,张三,08:30\n";
        let table = crate::read_table(
            csv.as_bytes(),
            "签到表.csv",
            ATTENDANCE_FIELDS,
            &crate::ReadOptions::default(),
        )
        .unwrap();
        assert_eq!(table.header_row, 2);
        assert_eq!(table.column("unit"), None);
        assert_eq!(table.rows[0].text("staff_id"), Some("2019001"));
        assert_eq!(table.rows[0].text("name"), Some("张三"));
    }

    #[test]
    fn aliases_are_unique_within_a_field_set() {
        for fields in [ROSTER_FIELDS, ATTENDANCE_FIELDS, HISTORY_FIELDS] {
            let mut seen = std::collections::HashSet::new();
            for alias in fields.iter().flat_map(|f| f.aliases) {
                assert!(
                    seen.insert(normalize_header(alias)),
                    "alias {alias} repeats"
                );
            }
        }
    }
}
