//! The draft of the feedback notice (反馈通知) of a term as `.docx`: the statistics with
//! the per-unit table, the units at or above 80 % and below, the problems found grouped
//! by rejection reason with the teachers concerned, placeholders for what the center
//! writes itself, and the signature.

use axum::extract::State;
use axum::response::Response;
use jiff::civil::Date;
use xueshi_core::TermCode;
use xueshi_core::report::{OTHER_UNITS_ROW, UnitTable};
use xueshi_sheets::{Inline, NoticeBuilder, SheetError};
use xueshi_store::reports::{self, RejectedTeacher};

use super::overview::download;
use super::picker::ReportQuery;
use super::term::select_term;
use super::{percent, table};
use crate::AppState;
use crate::error::{AppError, AppResult};
use crate::extract::Query;

const DOCX_TYPE: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

/// The pass rate, in whole percent as the table shows it, that divides the units the
/// notice praises from those it urges to improve.
const GOOD_PASS_RATE: u32 = 80;

/// Everything the notice is written from.
pub struct NoticeFacts {
    pub term: TermCode,
    pub table: UnitTable,
    /// Claims still pending or returned when the notice is drafted.
    pub in_review: u64,
    /// Teachers with rejected claims, grouped by reason as `rejected_teachers` orders them.
    pub rejected: Vec<RejectedTeacher>,
    /// The date under the signature.
    pub date: Date,
}

/// Returns the notice's title, e.g. 关于2022-2023学年第二学期教师培训学时认定情况的反馈.
pub fn title(term: TermCode) -> String {
    format!("关于{}教师培训学时认定情况的反馈", term.label())
}

/// Writes 1 to 99 as Chinese numerals (一, 十二, 三十), for section numbers.
fn chinese_number(number: usize) -> String {
    const DIGITS: [&str; 10] = ["〇", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
    match number {
        0..=9 => DIGITS[number].to_owned(),
        10..=19 => format!(
            "十{}",
            if number == 10 {
                ""
            } else {
                DIGITS[number % 10]
            }
        ),
        20..=99 => format!(
            "{}十{}",
            DIGITS[number / 10],
            if number.is_multiple_of(10) {
                ""
            } else {
                DIGITS[number % 10]
            }
        ),
        _ => number.to_string(),
    }
}

/// Lists units with their rates, e.g. "音乐学院（90%）、思政部（89%）", or 无.
fn unit_list(rows: &[&xueshi_core::UnitRow]) -> String {
    if rows.is_empty() {
        return "无".to_owned();
    }
    rows.iter()
        .map(|row| format!("{}（{}）", row.unit, percent(row.pass_rate_percent)))
        .collect::<Vec<_>>()
        .join("、")
}

/// Names the teachers of one reason per unit: "音乐学院：王芳（2项）、李伟；思政部：…".
fn teachers_by_unit(teachers: &[&RejectedTeacher]) -> String {
    let mut parts: Vec<(String, Vec<String>)> = Vec::new();
    for teacher in teachers {
        let name = if teacher.claims > 1 {
            format!("{}（{}项）", teacher.teacher_name, teacher.claims)
        } else {
            teacher.teacher_name.clone()
        };
        match parts.last_mut() {
            Some((unit, names)) if *unit == teacher.unit_name => names.push(name),
            _ => parts.push((teacher.unit_name.clone(), vec![name])),
        }
    }
    parts
        .into_iter()
        .map(|(unit, names)| format!("{unit}：{}", names.join("、")))
        .collect::<Vec<_>>()
        .join("；")
}

/// Builds the notice's `.docx` bytes.
pub fn build(facts: &NoticeFacts) -> Result<Vec<u8>, SheetError> {
    let label = facts.term.label();
    let total = &facts.table.total;
    let mut notice = NoticeBuilder::new()
        .title(&title(facts.term))
        .addressee("各院（部）：")
        .paragraph(&format!(
            "{label}教师培训学时认定工作已经结束。现将认定情况反馈如下。"
        ))
        .heading("一、认定情况统计");

    let mut summary = format!(
        "本学期共申报认定项目{}项，通过认定{}项（不含学校认定项目），未通过认定{}项，总体通过率为{}。",
        total.submitted,
        total.passed,
        total.rejected,
        percent(total.pass_rate_percent)
    );
    if facts.in_review > 0 {
        summary.push_str(&format!(
            "另有{}项申报仍在审核中，未计入统计。",
            facts.in_review
        ));
    }
    summary.push_str("各单位认定情况见下表。");
    notice = notice.paragraph(&summary);

    let mut rows: Vec<Vec<String>> = facts
        .table
        .rows
        .iter()
        .chain(std::iter::once(total))
        .map(|row| {
            vec![
                row.unit.clone(),
                row.submitted.to_string(),
                row.passed.to_string(),
                row.rejected.to_string(),
                percent(row.pass_rate_percent),
            ]
        })
        .collect();
    if rows.len() == 1 {
        rows.insert(0, vec!["（本学期无已完成审核的申报）".to_owned()]);
    }
    notice = notice.table(&table::HEADERS, &rows);
    if let Some(note) = table::other_units_note(&facts.table) {
        notice = notice.paragraph(&note);
    }

    // The rates compared are the rounded ones the table prints, so a unit shown at 80%
    // is never listed below 80%.
    let units: Vec<&xueshi_core::UnitRow> = facts
        .table
        .rows
        .iter()
        .filter(|row| row.unit != OTHER_UNITS_ROW)
        .collect();
    let (good, weak): (Vec<_>, Vec<_>) = units
        .into_iter()
        .partition(|row| row.pass_rate_percent >= GOOD_PASS_RATE);
    notice = notice
        .paragraph(&format!(
            "通过率在{GOOD_PASS_RATE}%及以上的单位：{}。",
            unit_list(&good)
        ))
        .paragraph(&format!(
            "通过率低于{GOOD_PASS_RATE}%的单位：{}。",
            unit_list(&weak)
        ));

    notice = notice
        .heading("二、好的做法")
        .placeholder("本学期值得推广的做法，如以学习截图和签到表作为佐证、培训记录图文并茂等");

    notice = notice.heading("三、存在的问题");
    notice = problems(notice, &facts.rejected);

    notice
        .heading("四、下一步工作")
        .placeholder("下一步工作措施，如建立培训台账、及时备案、加强教研室审核等")
        .signature(&["教师发展中心", &chinese_date(facts.date)])
        .build()
}

/// Adds one subheading per rejection reason with the count and the teachers concerned.
fn problems(mut notice: NoticeBuilder, rejected: &[RejectedTeacher]) -> NoticeBuilder {
    if rejected.is_empty() {
        return notice.paragraph("本学期没有未通过认定的申报项目。");
    }
    let mut groups: Vec<(String, Vec<&RejectedTeacher>)> = Vec::new();
    for teacher in rejected {
        let reason = teacher
            .reason_label
            .clone()
            .unwrap_or_else(|| "未注明原因".to_owned());
        match groups.last_mut() {
            Some((label, members)) if *label == reason => members.push(teacher),
            _ => groups.push((reason, vec![teacher])),
        }
    }
    for (index, (reason, teachers)) in groups.iter().enumerate() {
        let claims: u64 = teachers.iter().map(|teacher| teacher.claims).sum();
        notice = notice
            .subheading(&format!(
                "（{}）{reason}（{claims}项）",
                chinese_number(index + 1)
            ))
            .paragraph_with(&[
                Inline::Text(format!("涉及教师：{}。", teachers_by_unit(teachers))),
                Inline::Placeholder("问题的具体表现".to_owned()),
            ]);
    }
    notice
}

/// Writes a date as 2023年9月1日.
fn chinese_date(date: Date) -> String {
    format!("{}年{}月{}日", date.year(), date.month(), date.day())
}

/// Loads the facts of a term's notice.
pub async fn facts(
    conn: &mut xueshi_store::Conn,
    term: TermCode,
) -> Result<NoticeFacts, super::ReportError> {
    let unit_table = table::load(conn, term).await?;
    let in_review = reports::in_review_by_unit(conn, term)
        .await?
        .iter()
        .map(|unit| unit.total())
        .sum();
    let rejected = reports::rejected_teachers(conn, term).await?;
    Ok(NoticeFacts {
        term,
        table: unit_table,
        in_review,
        rejected,
        date: xueshi_core::date::school_date(jiff::Timestamp::now()),
    })
}

/// Sends the notice draft of a term as `.docx`.
pub async fn notice_docx(
    State(state): State<AppState>,
    Query(query): Query<ReportQuery>,
) -> AppResult<Response> {
    let mut conn = state.db.conn().await?;
    let selection = select_term(&mut conn, query.term.as_deref()).await?;
    let facts = facts(&mut conn, selection.term.code).await?;
    drop(conn);
    let bytes = tokio::task::spawn_blocking(move || build(&facts))
        .await
        .map_err(|error| AppError::Internal(error.into()))?
        .map_err(|error| AppError::Internal(error.into()))?;
    let file_name = format!("{}（草稿）.docx", title(selection.term.code));
    Ok(download(DOCX_TYPE, &file_name, bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_numbers_for_sections() {
        let numbers: Vec<String> = [1, 9, 10, 11, 20, 23]
            .into_iter()
            .map(chinese_number)
            .collect();
        assert_eq!(numbers, vec!["一", "九", "十", "十一", "二十", "二十三"]);
    }

    #[test]
    fn teachers_grouped_by_unit() {
        let teacher = |name: &str, unit: &str, claims: u64| RejectedTeacher {
            reason_code: None,
            reason_label: None,
            staff_id: String::new(),
            teacher_name: name.to_owned(),
            unit_name: unit.to_owned(),
            unit_kind: xueshi_core::UnitKind::Teaching,
            claims,
        };
        let list = [
            teacher("王芳", "音乐学院", 2),
            teacher("李伟", "音乐学院", 1),
            teacher("张敏", "思政部", 1),
        ];
        let refs: Vec<&RejectedTeacher> = list.iter().collect();

        assert_eq!(
            teachers_by_unit(&refs),
            "音乐学院：王芳（2项）、李伟；思政部：张敏"
        );
    }
}
