//! Interpretation of one row of a history spreadsheet: past claims with their outcome,
//! read by the sheets crate as cell text.

use jiff::civil::Date;

use crate::category::category_code_from_name;
use crate::claim::{Outcome, parse_topic};
use crate::date::parse_date;
use crate::error::ParseError;
use crate::hours::Hours;
use crate::person::parse_person_name;
use crate::reason::{codes, reason_code_from_label};
use crate::staff_id::StaffId;
use crate::text::{name_key, trim_spaces};
use crate::unit::OrgName;

/// Parses an outcome as history spreadsheets write it: 通过, 已通过, 认定通过, 合格 …
/// for accredited and 未通过, 不通过, 驳回, 不合格 … for rejected.
pub fn parse_outcome(raw: &str) -> Result<Outcome, ParseError> {
    let key = name_key(raw);
    let outcome = match key.as_str() {
        "通过" | "已通过" | "认定通过" | "审核通过" | "合格" | "已认定" | "予以认定"
        | "accredited" => Outcome::Accredited,
        "未通过" | "不通过" | "审核不通过" | "驳回" | "已驳回" | "不合格" | "未认定"
        | "不予认定" | "rejected" => Outcome::Rejected,
        "" => {
            return Err(ParseError::new(
                "审核结果",
                raw,
                "审核结果不能为空，请填写“通过”或“未通过”。",
            ));
        }
        _ => {
            return Err(ParseError::new(
                "审核结果",
                raw,
                format!("审核结果“{raw}”无法识别，请填写“通过”或“未通过”。"),
            ));
        }
    };
    Ok(outcome)
}

/// The cells of one history row as text, matched to fields by the sheets crate's header
/// detection. A missing column is an empty string.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct HistoryCells<'a> {
    pub staff_id: &'a str,
    pub name: &'a str,
    pub unit: &'a str,
    pub category: &'a str,
    pub topic: &'a str,
    pub start_date: &'a str,
    pub end_date: &'a str,
    pub claimed_hours: &'a str,
    pub accredited_hours: &'a str,
    pub outcome: &'a str,
    pub reason: &'a str,
}

/// One past claim with its outcome, every field parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryRow {
    pub staff_id: StaffId,
    pub name: String,
    pub unit: OrgName,
    /// 1 to 8, see [`crate::category::default_categories`].
    pub category_code: u8,
    pub topic: String,
    pub start_date: Date,
    pub end_date: Date,
    pub claimed_hours: Hours,
    pub accredited_hours: Hours,
    pub outcome: Outcome,
    /// The rejection reason's code; `None` for accredited rows.
    pub reason_code: Option<String>,
    /// The reason cell as written, kept when it matched no known reason or when an
    /// accredited row carries one, so that no text of the source is lost.
    pub reason_note: Option<String>,
}

impl HistoryRow {
    /// Parses one row and returns every field's error, not only the first.
    ///
    /// - The end date defaults to the start date when empty.
    /// - Accredited hours default to the claimed hours for an accredited row and to 0
    ///   for a rejected one. When given, they are at most the claimed hours, above 0 for
    ///   an accredited row and 0 for a rejected one.
    /// - A rejected row without a reason gets 其他, and one whose reason matches no
    ///   known label gets 其他 with the text kept in `reason_note`.
    pub fn parse(cells: &HistoryCells<'_>) -> Result<Self, Vec<ParseError>> {
        let mut errors = Vec::new();

        let staff_id = collect(StaffId::parse(cells.staff_id), &mut errors);
        let name = collect(parse_person_name(cells.name), &mut errors);
        let unit = collect(OrgName::parse("所在单位", cells.unit), &mut errors);
        let category_code = collect(parse_category(cells.category), &mut errors);
        let topic = collect(parse_topic(cells.topic), &mut errors);
        let start_date = collect(parse_date("开始日期", cells.start_date), &mut errors);
        let end_date = if trim_spaces(cells.end_date).is_empty() {
            start_date
        } else {
            collect(parse_date("结束日期", cells.end_date), &mut errors)
        };
        if let (Some(start), Some(end)) = (start_date, end_date)
            && end < start
        {
            errors.push(ParseError::new(
                "结束日期",
                cells.end_date,
                format!("结束日期 {end} 早于开始日期 {start}，请检查两个日期是否填反。"),
            ));
        }
        let claimed_hours = collect(Hours::parse("申报学时", cells.claimed_hours), &mut errors);
        let outcome = collect(parse_outcome(cells.outcome), &mut errors);
        let accredited_hours =
            parse_accredited_hours(cells.accredited_hours, claimed_hours, outcome, &mut errors);
        let (reason_code, reason_note) = interpret_reason(cells.reason, outcome);

        match (
            staff_id,
            name,
            unit,
            category_code,
            topic,
            start_date,
            end_date,
            claimed_hours,
            accredited_hours,
            outcome,
        ) {
            (
                Some(staff_id),
                Some(name),
                Some(unit),
                Some(category_code),
                Some(topic),
                Some(start_date),
                Some(end_date),
                Some(claimed_hours),
                Some(accredited_hours),
                Some(outcome),
            ) if errors.is_empty() => Ok(Self {
                staff_id,
                name,
                unit,
                category_code,
                topic,
                start_date,
                end_date,
                claimed_hours,
                accredited_hours,
                outcome,
                reason_code,
                reason_note,
            }),
            _ => Err(errors),
        }
    }
}

fn collect<T>(result: Result<T, ParseError>, errors: &mut Vec<ParseError>) -> Option<T> {
    match result {
        Ok(value) => Some(value),
        Err(error) => {
            errors.push(error);
            None
        }
    }
}

fn parse_category(raw: &str) -> Result<u8, ParseError> {
    if trim_spaces(raw).is_empty() {
        return Err(ParseError::new(
            "培训类别",
            raw,
            "培训类别不能为空，请填写八个类别之一，如“校外培训”。",
        ));
    }
    category_code_from_name(raw).ok_or_else(|| {
        ParseError::new(
            "培训类别",
            raw,
            format!(
                "培训类别“{raw}”无法识别，请填写八个类别之一：教师发展中心组织的培训、教师发展中心组织的教师发展活动、院（部）组织的培训、院（部）组织的教师发展活动、校外培训、校内组织的其他学术活动、进修、访学、研修，或社会实践。"
            ),
        )
    })
}

/// Parses the accredited hours, applying the defaults and the consistency rules of
/// [`HistoryRow::parse`]. Returns `None` when they cannot be known.
fn parse_accredited_hours(
    raw: &str,
    claimed: Option<Hours>,
    outcome: Option<Outcome>,
    errors: &mut Vec<ParseError>,
) -> Option<Hours> {
    let field = "认定学时";
    if trim_spaces(raw).is_empty() {
        return match outcome? {
            Outcome::Accredited => claimed,
            Outcome::Rejected => Some(Hours::ZERO),
        };
    }
    let hours = collect(Hours::parse(field, raw), errors)?;
    if let Some(claimed) = claimed
        && hours > claimed
    {
        errors.push(ParseError::new(
            field,
            raw,
            format!("认定学时 {hours} 超过申报学时 {claimed}，请核对这两列。"),
        ));
    }
    match outcome {
        Some(Outcome::Accredited) if hours.is_zero() => errors.push(ParseError::new(
            field,
            raw,
            "审核结果为通过，但认定学时为 0，请核对审核结果或认定学时。",
        )),
        Some(Outcome::Rejected) if !hours.is_zero() => errors.push(ParseError::new(
            field,
            raw,
            format!("审核结果为未通过，但认定学时为 {hours}，未通过的记录认定学时应为 0 或留空，请核对。"),
        )),
        _ => {}
    }
    Some(hours)
}

/// Returns the reason code and the note to keep, per the rules of [`HistoryRow::parse`].
fn interpret_reason(raw: &str, outcome: Option<Outcome>) -> (Option<String>, Option<String>) {
    let text = trim_spaces(raw);
    let note = (!text.is_empty()).then(|| text.to_owned());
    match outcome {
        Some(Outcome::Rejected) => match reason_code_from_label(text) {
            Some(code) => (Some(code.to_owned()), None),
            None => (Some(codes::OTHER.to_owned()), note),
        },
        _ => (None, note),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Row 5 of the history sample, with the date cell as the sheets crate passes it.
    fn sample_row() -> HistoryCells<'static> {
        HistoryCells {
            staff_id: "2000101",
            name: "罗跃敏",
            unit: "音乐学院",
            category: "校内组织的其他学术活动",
            topic: "企业实践锻炼",
            start_date: "2023-07-12",
            end_date: "2023.7.14",
            claimed_hours: "4",
            accredited_hours: "0",
            outcome: "未通过",
            reason: "学时填写有误",
        }
    }

    fn date(text: &str) -> Date {
        text.parse().unwrap()
    }

    #[test]
    fn sample_row_parses() {
        let row = HistoryRow::parse(&sample_row()).unwrap();
        assert_eq!(row.staff_id.as_str(), "2000101");
        assert_eq!(row.name, "罗跃敏");
        assert_eq!(row.unit.display, "音乐学院");
        assert_eq!(row.category_code, 6);
        assert_eq!(row.topic, "企业实践锻炼");
        assert_eq!(row.start_date, date("2023-07-12"));
        assert_eq!(row.end_date, date("2023-07-14"));
        assert_eq!(row.claimed_hours, Hours::from_whole(4));
        assert_eq!(row.accredited_hours, Hours::ZERO);
        assert_eq!(row.outcome, Outcome::Rejected);
        assert_eq!(row.reason_code.as_deref(), Some(codes::WRONG_HOURS));
        assert_eq!(row.reason_note, None);
    }

    #[test]
    fn unit_with_ideographic_space_is_trimmed() {
        let cells = HistoryCells {
            unit: "财经学院\u{3000}",
            ..sample_row()
        };
        let row = HistoryRow::parse(&cells).unwrap();
        assert_eq!(row.unit.display, "财经学院");
        assert_eq!(
            row.unit.key,
            OrgName::parse("单位", "财经学院").unwrap().key
        );
    }

    #[test]
    fn leading_zero_staff_id_and_other_date_forms() {
        let cells = HistoryCells {
            staff_id: "000102",
            start_date: "2023年3月12日",
            end_date: "44997",
            ..sample_row()
        };
        let row = HistoryRow::parse(&cells).unwrap();
        assert_eq!(row.staff_id.as_str(), "000102");
        assert_eq!(row.start_date, date("2023-03-12"));
        assert_eq!(row.end_date, date("2023-03-12"));
    }

    #[test]
    fn empty_end_date_defaults_to_start() {
        let cells = HistoryCells {
            end_date: " ",
            ..sample_row()
        };
        let row = HistoryRow::parse(&cells).unwrap();
        assert_eq!(row.end_date, row.start_date);
    }

    #[test]
    fn accredited_hours_default_by_outcome() {
        let passed = HistoryCells {
            outcome: "已通过",
            accredited_hours: "",
            reason: "",
            ..sample_row()
        };
        let row = HistoryRow::parse(&passed).unwrap();
        assert_eq!(row.accredited_hours, Hours::from_whole(4));
        assert_eq!(row.reason_code, None);

        let rejected = HistoryCells {
            accredited_hours: "",
            ..sample_row()
        };
        let row = HistoryRow::parse(&rejected).unwrap();
        assert_eq!(row.accredited_hours, Hours::ZERO);
    }

    #[test]
    fn rejected_without_reason_gets_other() {
        let cells = HistoryCells {
            reason: "",
            ..sample_row()
        };
        let row = HistoryRow::parse(&cells).unwrap();
        assert_eq!(row.reason_code.as_deref(), Some(codes::OTHER));
        assert_eq!(row.reason_note, None);
    }

    #[test]
    fn unknown_reason_is_kept_as_note() {
        let cells = HistoryCells {
            reason: "材料提交超过截止时间",
            ..sample_row()
        };
        let row = HistoryRow::parse(&cells).unwrap();
        assert_eq!(row.reason_code.as_deref(), Some(codes::OTHER));
        assert_eq!(row.reason_note.as_deref(), Some("材料提交超过截止时间"));
    }

    #[test]
    fn reason_variant_maps_to_code() {
        let cells = HistoryCells {
            reason: "佐证材料不足",
            ..sample_row()
        };
        let row = HistoryRow::parse(&cells).unwrap();
        assert_eq!(
            row.reason_code.as_deref(),
            Some(codes::INSUFFICIENT_EVIDENCE)
        );
    }

    #[test]
    fn every_bad_field_is_reported() {
        let cells = HistoryCells {
            staff_id: "",
            name: "",
            unit: "",
            category: "科研项目",
            topic: "",
            start_date: "2023-02-30",
            end_date: "明天",
            claimed_hours: "四",
            accredited_hours: "1.25",
            outcome: "待定",
            reason: "",
        };
        let errors = HistoryRow::parse(&cells).unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|error| error.field).collect();
        assert_eq!(
            fields,
            vec![
                "工号",
                "姓名",
                "所在单位",
                "培训类别",
                "培训主题",
                "开始日期",
                "结束日期",
                "申报学时",
                "审核结果",
                "认定学时"
            ]
        );
    }

    #[test]
    fn end_before_start_is_reported() {
        let cells = HistoryCells {
            start_date: "2023-07-14",
            end_date: "2023-07-12",
            ..sample_row()
        };
        let errors = HistoryRow::parse(&cells).unwrap_err();
        assert_eq!(errors.len(), 1);
        assert!(
            errors[0].message.contains("早于开始日期"),
            "{}",
            errors[0].message
        );
    }

    #[test]
    fn accredited_over_claimed_is_reported() {
        let cells = HistoryCells {
            outcome: "通过",
            accredited_hours: "6",
            ..sample_row()
        };
        let errors = HistoryRow::parse(&cells).unwrap_err();
        assert_eq!(errors.len(), 1);
        assert!(
            errors[0].message.contains("超过申报学时 4"),
            "{}",
            errors[0].message
        );
    }

    #[test]
    fn rejected_with_hours_is_reported() {
        let cells = HistoryCells {
            accredited_hours: "4",
            ..sample_row()
        };
        let errors = HistoryRow::parse(&cells).unwrap_err();
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].field, "认定学时");
    }

    #[test]
    fn passed_with_zero_hours_is_reported() {
        let cells = HistoryCells {
            outcome: "通过",
            ..sample_row()
        };
        let errors = HistoryRow::parse(&cells).unwrap_err();
        assert_eq!(errors.len(), 1);
        assert!(
            errors[0].message.contains("认定学时为 0"),
            "{}",
            errors[0].message
        );
    }

    #[test]
    fn passed_row_keeps_reason_text() {
        let cells = HistoryCells {
            outcome: "通过",
            accredited_hours: "3",
            reason: "按 3 学时认定",
            ..sample_row()
        };
        let row = HistoryRow::parse(&cells).unwrap();
        assert_eq!(row.reason_code, None);
        assert_eq!(row.reason_note.as_deref(), Some("按 3 学时认定"));
    }

    #[test]
    fn outcomes_parse_in_written_forms() {
        for raw in ["通过", "已通过", "认定通过", "合格", " 通过 "] {
            assert_eq!(parse_outcome(raw), Ok(Outcome::Accredited), "{raw:?}");
        }
        for raw in ["未通过", "不通过", "驳回", "不合格"] {
            assert_eq!(parse_outcome(raw), Ok(Outcome::Rejected), "{raw:?}");
        }
    }

    #[test]
    fn unknown_outcome_is_named() {
        let error = parse_outcome("待定").unwrap_err();
        assert!(error.message.contains("待定"), "{}", error.message);
        assert!(parse_outcome("").is_err());
    }
}
