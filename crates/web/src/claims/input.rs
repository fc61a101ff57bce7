//! Parsing the fields of a claim as the form or the API sends them, with a Chinese
//! message per field that the form shows beside it.

use jiff::civil::Date;
use xueshi_core::claim::parse_topic;
use xueshi_core::date::parse_date;
use xueshi_core::text::{char_count, clean_name, trim_spaces};
use xueshi_core::{Hours, TermCode};
use xueshi_store::activities::{self, Activity, TrainingMode};
use xueshi_store::categories::{self, Category};
use xueshi_store::claims::ClaimDraft;
use xueshi_store::{Conn, StoreError, terms};

use crate::error::{AppError, AppResult, FieldError};

/// Maximum length of the organizer, in characters.
pub const MAX_ORGANIZER_CHARS: usize = 100;

/// Maximum length of typed training notes, in characters.
pub const MAX_NOTES_CHARS: usize = 20_000;

/// The organizer written for activities that the center organized.
pub const CENTER_ORGANIZER: &str = "教师发展中心";

/// The fields of a claim as typed, before parsing. Every field is text so that the form
/// can show back exactly what was typed when something is wrong.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct ClaimInput {
    /// Term code, e.g. `2025-2026-1`.
    pub term: String,
    /// Category code, 1 to 8.
    pub category: String,
    /// Ledger activity id, or empty.
    pub activity_id: String,
    pub topic: String,
    pub organizer: String,
    pub start_date: String,
    pub end_date: String,
    /// `offline` or `online`.
    pub mode: String,
    pub claimed_hours: String,
    pub notes: String,
    /// The date printed on the certificate, or empty.
    pub certificate_date: String,
}

impl ClaimInput {
    /// Fills the empty fields that a ledger activity records: topic, organizer, dates, mode
    /// and hours. With `overwrite`, replaces them even when typed.
    pub fn fill_from_activity(&mut self, activity: &Activity, overwrite: bool) {
        let organizer = activity
            .unit_name
            .clone()
            .unwrap_or_else(|| CENTER_ORGANIZER.to_owned());
        let values = [
            (&mut self.topic, activity.title.clone()),
            (&mut self.organizer, organizer),
            (&mut self.start_date, activity.start_date.to_string()),
            (&mut self.end_date, activity.end_date.to_string()),
            (&mut self.mode, activity.mode.as_str().to_owned()),
            (&mut self.claimed_hours, activity.hours.to_string()),
        ];
        for (field, value) in values {
            if overwrite || trim_spaces(field).is_empty() {
                *field = value;
            }
        }
    }

    /// Builds the input that shows a stored claim in the form.
    pub fn from_draft(draft: &ClaimDraft, category_code: u8) -> Self {
        Self {
            term: draft.term.to_string(),
            category: category_code.to_string(),
            activity_id: draft.activity_id.clone().unwrap_or_default(),
            topic: draft.topic.clone(),
            organizer: draft.organizer.clone(),
            start_date: draft.start_date.to_string(),
            end_date: draft.end_date.to_string(),
            mode: draft.mode.as_str().to_owned(),
            claimed_hours: draft.claimed_hours.to_string(),
            notes: draft.notes.clone(),
            certificate_date: draft
                .certificate_date
                .map(|date| date.to_string())
                .unwrap_or_default(),
        }
    }
}

/// A parsed claim with the category and activity it names.
#[derive(Debug, Clone)]
pub struct ParsedClaim {
    pub draft: ClaimDraft,
    pub category: Category,
    pub activity: Option<Activity>,
}

/// Collects the field errors of one form.
#[derive(Default)]
struct Errors(Vec<FieldError>);

impl Errors {
    fn add(&mut self, field: &str, message: impl Into<String>) {
        self.0.push(FieldError {
            field: field.to_owned(),
            message: message.into(),
        });
    }

    /// Returns the parsed value, or records the error under `field` and returns `None`.
    fn take<T>(&mut self, field: &str, result: Result<T, xueshi_core::ParseError>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(error) => {
                self.add(field, error.message);
                None
            }
        }
    }
}

/// Parses every field, checks that the term, category and activity exist and belong
/// together, and fills blank fields from the activity. All problems are returned at
/// once as `AppError::Invalid` with one [`FieldError`] per field, named as in
/// [`ClaimInput`].
pub async fn parse_claim(conn: &mut Conn, input: &ClaimInput) -> AppResult<ParsedClaim> {
    let mut errors = Errors::default();
    let term = parse_term(conn, &input.term, &mut errors).await?;
    let category = match term {
        Some(term) => parse_category(conn, term, &input.category, &mut errors).await?,
        None => None,
    };
    let activity = match term {
        Some(term) => parse_activity(conn, term, &input.activity_id, &mut errors).await?,
        None => None,
    };
    let mut input = input.clone();
    if let Some(activity) = &activity {
        input.fill_from_activity(activity, false);
    }

    let topic = errors.take("topic", parse_topic(&input.topic));
    let organizer = parse_organizer(&input.organizer, &mut errors);
    let start_date = errors.take("start_date", parse_date("开始日期", &input.start_date));
    let end_date = errors.take("end_date", parse_date("结束日期", &input.end_date));
    if let (Some(start), Some(end)) = (start_date, end_date)
        && end < start
    {
        errors.add(
            "end_date",
            format!("结束日期 {end} 早于开始日期 {start}，请检查培训日期。"),
        );
    }
    let mode = parse_mode(&input.mode, &mut errors);
    let claimed_hours = parse_hours(&input.claimed_hours, &mut errors);
    let notes = input.notes.clone();
    let notes_chars = char_count(&notes);
    if notes_chars > MAX_NOTES_CHARS {
        errors.add(
            "notes",
            format!(
                "培训记录共 {notes_chars} 字，超过 {MAX_NOTES_CHARS} 字的上限。请精简，或把详细记录作为文件上传。"
            ),
        );
    }
    let certificate_date = parse_optional_date(&input.certificate_date, &mut errors);

    // Every `None` above recorded an error. The end-date check adds an error to dates
    // that parsed, so the error list is checked as well.
    let (
        Some(term),
        Some(category),
        Some(topic),
        Some(organizer),
        Some(start_date),
        Some(end_date),
        Some(mode),
        Some(claimed_hours),
        Some(certificate_date),
    ) = (
        term,
        category,
        topic,
        organizer,
        start_date,
        end_date,
        mode,
        claimed_hours,
        certificate_date,
    )
    else {
        return Err(invalid_fields(errors.0));
    };
    if !errors.0.is_empty() {
        return Err(invalid_fields(errors.0));
    }
    Ok(ParsedClaim {
        draft: ClaimDraft {
            term,
            category_id: category.id.clone(),
            topic,
            organizer,
            start_date,
            end_date,
            mode,
            claimed_hours,
            notes,
            certificate_date,
            activity_id: activity.as_ref().map(|activity| activity.id.clone()),
        },
        category,
        activity,
    })
}

/// Wraps field errors into the error the form and the API show.
pub fn invalid_fields(fields: Vec<FieldError>) -> AppError {
    let message = match fields.as_slice() {
        [only] => only.message.clone(),
        _ => format!(
            "申报内容有 {} 处需要修改，请按各栏的提示修改后再保存。",
            fields.len()
        ),
    };
    AppError::Invalid { message, fields }
}

async fn parse_term(
    conn: &mut Conn,
    raw: &str,
    errors: &mut Errors,
) -> AppResult<Option<TermCode>> {
    let Some(code) = errors.take("term", TermCode::parse(raw)) else {
        return Ok(None);
    };
    match terms::get(conn, code).await {
        Ok(term) => Ok(Some(term.code)),
        Err(StoreError::NotFound) => {
            errors.add(
                "term",
                format!("{}尚未设置，不能申报。请选择已开放的学期。", code.label()),
            );
            Ok(None)
        }
        Err(error) => Err(error.into()),
    }
}

async fn parse_category(
    conn: &mut Conn,
    term: TermCode,
    raw: &str,
    errors: &mut Errors,
) -> AppResult<Option<Category>> {
    let code = trim_spaces(raw);
    let Some(code) = code
        .parse::<u8>()
        .ok()
        .filter(|code| (1..=8).contains(code))
    else {
        errors.add(
            "category",
            if code.is_empty() {
                "请选择培训类别。".to_owned()
            } else {
                format!("培训类别“{code}”无效，请填写 1 到 8 的类别编号或从列表中选择。")
            },
        );
        return Ok(None);
    };
    let category = categories::find_by_code(conn, term, code).await?;
    if category.is_none() {
        errors.add(
            "category",
            format!("{}没有编号为 {code} 的培训类别，请重新选择。", term.label()),
        );
    }
    Ok(category)
}

async fn parse_activity(
    conn: &mut Conn,
    term: TermCode,
    raw: &str,
    errors: &mut Errors,
) -> AppResult<Option<Activity>> {
    let id = trim_spaces(raw);
    if id.is_empty() {
        return Ok(None);
    }
    match activities::get(conn, id).await {
        Ok(activity) if activity.term_code == term => Ok(Some(activity)),
        Ok(activity) => {
            errors.add(
                "activity_id",
                format!(
                    "所选台账活动属于{}，与申报学期不一致，请重新选择。",
                    activity.term_code.label()
                ),
            );
            Ok(None)
        }
        Err(StoreError::NotFound) => {
            errors.add(
                "activity_id",
                "所选台账活动不存在，可能已被删除，请重新选择。",
            );
            Ok(None)
        }
        Err(error) => Err(error.into()),
    }
}

fn parse_organizer(raw: &str, errors: &mut Errors) -> Option<String> {
    let organizer = clean_name(raw);
    if organizer.is_empty() {
        errors.add(
            "organizer",
            "组织单位不能为空，请填写举办培训的单位，如“教育部高等教育司”。",
        );
        return None;
    }
    let chars = char_count(&organizer);
    if chars > MAX_ORGANIZER_CHARS {
        errors.add(
            "organizer",
            format!("组织单位共 {chars} 字，超过 {MAX_ORGANIZER_CHARS} 字的上限，请只写单位名称。"),
        );
        return None;
    }
    Some(organizer)
}

fn parse_mode(raw: &str, errors: &mut Errors) -> Option<TrainingMode> {
    let text = trim_spaces(raw);
    let mode = match text {
        "" | "offline" | "线下" => TrainingMode::Offline,
        "online" | "线上" => TrainingMode::Online,
        _ => {
            errors.add(
                "mode",
                format!("培训形式“{text}”无效，请选择线下（offline）或线上（online）。"),
            );
            return None;
        }
    };
    Some(mode)
}

fn parse_hours(raw: &str, errors: &mut Errors) -> Option<Hours> {
    let hours = errors.take("claimed_hours", Hours::parse("申报学时", raw))?;
    if hours.is_zero() {
        errors.add(
            "claimed_hours",
            "申报学时须大于 0，请按培训实际的学时填写。",
        );
        return None;
    }
    if !hours.is_half_step() {
        errors.add(
            "claimed_hours",
            format!("申报学时 {hours} 不是 0.5 的整数倍，请填写整数或半小时，如 2 或 1.5。"),
        );
        return None;
    }
    Some(hours)
}

/// Parses an optional date: blank is `Some(None)`, invalid is `None` with the error.
fn parse_optional_date(raw: &str, errors: &mut Errors) -> Option<Option<Date>> {
    if trim_spaces(raw).is_empty() {
        return Some(None);
    }
    errors
        .take("certificate_date", parse_date("证书日期", raw))
        .map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hours_must_be_positive_half_steps() {
        for (raw, ok) in [
            ("12.5", true),
            ("2", true),
            ("0", false),
            ("1.2", false),
            ("abc", false),
            ("", false),
        ] {
            let mut errors = Errors::default();
            assert_eq!(parse_hours(raw, &mut errors).is_some(), ok, "{raw:?}");
            assert_eq!(errors.0.is_empty(), ok, "{raw:?}");
        }
    }

    #[test]
    fn mode_accepts_names_and_labels() {
        let mut errors = Errors::default();
        assert_eq!(parse_mode("", &mut errors), Some(TrainingMode::Offline));
        assert_eq!(parse_mode("线上", &mut errors), Some(TrainingMode::Online));
        assert_eq!(parse_mode("hybrid", &mut errors), None);
        assert_eq!(errors.0.len(), 1);
        assert_eq!(errors.0[0].field, "mode");
    }

    #[test]
    fn blank_certificate_date_is_allowed() {
        let mut errors = Errors::default();
        assert_eq!(parse_optional_date("  ", &mut errors), Some(None));
        assert_eq!(parse_optional_date("2025-13-01", &mut errors), None);
        assert_eq!(errors.0[0].field, "certificate_date");
    }
}
