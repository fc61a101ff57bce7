//! The training ledger (培训台账) as the center and the units keep it: filing and editing
//! activities and deciding who may see and change them, shared by the pages and the API.
//!
//! Center administrators manage every activity. Unit reviewers manage the activities
//! their own units organize, except those in school-accredited categories, whose
//! attendance credits hours without review and which only the center files.

mod attendance_pages;
mod pages;

use jiff::civil::Date;
use xueshi_core::date::{days_inclusive, parse_date};
use xueshi_core::text::trim_spaces;
use xueshi_core::{Hours, RoleKind, TermCode};
use xueshi_store::activities::{
    self, Activity, ActivityFilter, NewActivity, OrganizerFilter, TrainingMode,
};
use xueshi_store::audit::{self, AuditEntry};
use xueshi_store::categories::{self, Category};
use xueshi_store::{Conn, Db, StoreError, now_ms, terms, units};

use crate::access::{Access, Route};
use crate::auth::CurrentUser;
use crate::directory::actor;
use crate::error::{AppError, AppResult, FieldError};
use crate::terms::{field_error, invalid_fields};

/// The people who keep the ledger: center administrators and unit reviewers.
pub const LEDGER: Access = Access::Roles(&[RoleKind::CenterAdmin, RoleKind::UnitReviewer]);

/// The name shown as the organizer of activities without a unit.
pub const CENTER_NAME: &str = "教师发展中心";

const MAX_TITLE_CHARS: usize = 200;
const MAX_SHORT_CHARS: usize = 200;
const MAX_DESCRIPTION_CHARS: usize = 5000;

pub fn routes() -> Vec<Route> {
    let mut routes = pages::routes();
    routes.extend(attendance_pages::routes());
    routes
}

/// The organizers whose activities a person may see and file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Organizers {
    /// The center and every unit (center administrators).
    All,
    /// These units only (unit reviewers).
    Units(Vec<String>),
}

impl Organizers {
    pub fn of(user: &CurrentUser) -> Self {
        if user.has(RoleKind::CenterAdmin) {
            Organizers::All
        } else {
            Organizers::Units(user.scopes(RoleKind::UnitReviewer))
        }
    }

    /// Returns whether activities organized by `unit_id` (`None`: the center) are visible.
    pub fn includes(&self, unit_id: Option<&str>) -> bool {
        match (self, unit_id) {
            (Organizers::All, _) => true,
            (Organizers::Units(units), Some(unit_id)) => units.iter().any(|id| id == unit_id),
            (Organizers::Units(_), None) => false,
        }
    }

    /// Returns whether the person may file activities in a category, for some organizer.
    pub fn may_use_category(&self, school_accredited: bool) -> bool {
        *self == Organizers::All || !school_accredited
    }

    /// Returns whether the person may file or change an activity of this organizer and
    /// category. Unit reviewers never touch school-accredited categories.
    pub fn may_manage(&self, unit_id: Option<&str>, school_accredited: bool) -> bool {
        match self {
            Organizers::All => true,
            Organizers::Units(_) => self.includes(unit_id) && !school_accredited,
        }
    }
}

/// Finds an activity the person may see. Another unit's activity is `Forbidden`.
pub async fn visible_activity(
    conn: &mut Conn,
    user: &CurrentUser,
    id: &str,
) -> AppResult<Activity> {
    let activity = activities::get(conn, id).await?;
    if !Organizers::of(user).includes(activity.unit_id.as_deref()) {
        return Err(AppError::Forbidden(
            "这是其他单位组织的活动，您只能查看和管理本单位备案的活动。".into(),
        ));
    }
    Ok(activity)
}

/// Finds an activity the person may change; see [`Organizers::may_manage`].
pub async fn managed_activity(
    conn: &mut Conn,
    user: &CurrentUser,
    id: &str,
) -> AppResult<Activity> {
    let activity = visible_activity(conn, user, id).await?;
    if !Organizers::of(user).may_manage(activity.unit_id.as_deref(), activity.school_accredited) {
        return Err(school_accredited_forbidden());
    }
    Ok(activity)
}

fn school_accredited_forbidden() -> AppError {
    AppError::Forbidden(
        "学校认定类别的活动按签到直接计入学时，只能由教师发展中心备案和管理。".into(),
    )
}

/// The filters of an activity list, where `None` does not filter.
#[derive(Debug, Clone, Default)]
pub struct ListRequest {
    pub organizer: Option<OrganizerFilter>,
    /// Category number, 1 to 8.
    pub category: Option<u8>,
}

/// Lists the activities of a term that the person may see, latest start first.
///
/// A unit reviewer who names another organizer gets `Forbidden`; without an organizer
/// they see every unit they review.
pub async fn list_activities(
    conn: &mut Conn,
    user: &CurrentUser,
    term: TermCode,
    request: &ListRequest,
) -> AppResult<Vec<Activity>> {
    let category_id = match request.category {
        Some(code) => match categories::find_by_code(conn, term, code).await? {
            Some(category) => Some(category.id),
            None => return Ok(Vec::new()),
        },
        None => None,
    };
    let organizers = Organizers::of(user);
    let selected: Vec<Option<OrganizerFilter>> = match (&organizers, &request.organizer) {
        (Organizers::All, organizer) => vec![organizer.clone()],
        (Organizers::Units(units), None) => units
            .iter()
            .map(|unit| Some(OrganizerFilter::Unit(unit.clone())))
            .collect(),
        (Organizers::Units(units), Some(OrganizerFilter::Unit(unit))) if units.contains(unit) => {
            vec![Some(OrganizerFilter::Unit(unit.clone()))]
        }
        (Organizers::Units(_), Some(_)) => {
            return Err(AppError::Forbidden("您只能查看本单位组织的活动。".into()));
        }
    };
    let mut list = Vec::new();
    for organizer in selected {
        let filter = ActivityFilter {
            term,
            organizer,
            category_id: category_id.clone(),
        };
        list.extend(activities::list(conn, &filter).await?);
    }
    list.sort_by(|a, b| {
        b.start_date
            .cmp(&a.start_date)
            .then_with(|| a.title.cmp(&b.title))
            .then_with(|| a.id.cmp(&b.id))
    });
    Ok(list)
}

/// An activity's fields as a form or the API gives them, before parsing.
#[derive(Debug, Clone, Default)]
pub struct ActivityInput {
    /// Term code, ignored when an activity is edited because it stays in its term.
    pub term: String,
    /// Category number of the term, 1 to 8.
    pub category: String,
    pub title: String,
    /// Organizing unit's id, or blank when the center organizes the activity.
    pub unit_id: String,
    pub start_date: String,
    pub end_date: String,
    pub place: String,
    /// `offline` or `online`.
    pub mode: String,
    /// Hours each attendee receives.
    pub hours: String,
    pub speaker: String,
    pub description: String,
}

impl ActivityInput {
    /// Fills the inputs with a stored activity, for its edit form.
    pub fn from_activity(activity: &Activity) -> Self {
        Self {
            term: activity.term_code.to_string(),
            category: activity.category_code.to_string(),
            title: activity.title.clone(),
            unit_id: activity.unit_id.clone().unwrap_or_default(),
            start_date: activity.start_date.to_string(),
            end_date: activity.end_date.to_string(),
            place: activity.place.clone(),
            mode: activity.mode.as_str().to_owned(),
            hours: activity.hours.to_string(),
            speaker: activity.speaker.clone(),
            description: activity.description.clone(),
        }
    }
}

fn text_field(
    field: &'static str,
    raw: &str,
    max_chars: usize,
    required: bool,
    errors: &mut Vec<FieldError>,
) -> String {
    let text = trim_spaces(raw).to_owned();
    if required && text.is_empty() {
        errors.push(FieldError {
            field: field.into(),
            message: format!("{field}不能为空。"),
        });
    } else if text.chars().count() > max_chars {
        errors.push(FieldError {
            field: field.into(),
            message: format!("{field}过长，最多 {max_chars} 个字。"),
        });
    }
    text
}

fn date_field(field: &'static str, raw: &str, errors: &mut Vec<FieldError>) -> Option<Date> {
    parse_date(field, raw)
        .map_err(|error| errors.push(field_error(error)))
        .ok()
}

/// Parses an activity's fields for `term`, checking that the category and unit exist and
/// that the hours fit the dates. Returns every problem at once.
async fn parse_activity(
    conn: &mut Conn,
    term: TermCode,
    input: &ActivityInput,
) -> AppResult<(NewActivity, Category)> {
    let mut errors = Vec::new();
    let title = text_field("活动名称", &input.title, MAX_TITLE_CHARS, true, &mut errors);
    let place = text_field("地点", &input.place, MAX_SHORT_CHARS, false, &mut errors);
    let speaker = text_field(
        "主讲人",
        &input.speaker,
        MAX_SHORT_CHARS,
        false,
        &mut errors,
    );
    let description = text_field(
        "内容简介",
        &input.description,
        MAX_DESCRIPTION_CHARS,
        false,
        &mut errors,
    );

    let category = match trim_spaces(&input.category).parse::<u8>() {
        Ok(code) => categories::find_by_code(conn, term, code).await?,
        Err(_) => None,
    };
    if category.is_none() {
        errors.push(FieldError {
            field: "培训类别".into(),
            message: format!("请选择{}的培训类别（1 到 8）。", term.label()),
        });
    }
    let unit_id = match trim_spaces(&input.unit_id) {
        "" => None,
        id => match units::get(conn, id).await {
            Ok(unit) => Some(unit.id),
            Err(StoreError::NotFound) => {
                errors.push(FieldError {
                    field: "组织单位".into(),
                    message: "所选组织单位不存在，请刷新页面后重新选择。".into(),
                });
                None
            }
            Err(error) => return Err(error.into()),
        },
    };
    let start_date = date_field("开始日期", &input.start_date, &mut errors);
    let end_date = date_field("结束日期", &input.end_date, &mut errors);
    let mode = match trim_spaces(&input.mode) {
        "offline" | "线下" => Some(TrainingMode::Offline),
        "online" | "线上" => Some(TrainingMode::Online),
        other => {
            errors.push(FieldError {
                field: "培训方式".into(),
                message: format!("培训方式“{other}”无效，请选择线下（offline）或线上（online）。"),
            });
            None
        }
    };
    let hours = Hours::parse("每人学时", &input.hours)
        .map_err(|error| errors.push(field_error(error)))
        .ok();

    // NOTE: the dates are not checked against the term, because a term records only its
    // submission window and not when its teaching weeks run.
    if let (Some(start), Some(end)) = (start_date, end_date)
        && end < start
    {
        errors.push(FieldError {
            field: "结束日期".into(),
            message: format!("结束日期 {end} 早于开始日期 {start}，请改为开始日期当天或之后。"),
        });
    }
    if let Some(hours) = hours {
        if hours.is_zero() || !hours.is_half_step() {
            errors.push(FieldError {
                field: "每人学时".into(),
                message: format!(
                    "每人学时 {hours} 无效，请填写大于 0 的整数或半小时，如 2 或 1.5。"
                ),
            });
        } else if let (Some(start), Some(end), Some(category)) = (start_date, end_date, &category)
            && end >= start
        {
            let days = days_inclusive(start, end);
            let per_day = category.rules.max_hours_per_day;
            if let Some(most) = per_day.checked_mul(days)
                && hours > most
            {
                errors.push(FieldError {
                    field: "每人学时".into(),
                    message: format!(
                        "每人学时 {hours} 超过上限：活动共 {days} 天，本类别每天最多 {per_day} 学时，合计最多 {most} 学时。请核对学时或日期。"
                    ),
                });
            }
        }
    }

    let (Some(category), Some(start_date), Some(end_date), Some(mode), Some(hours)) =
        (category, start_date, end_date, mode, hours)
    else {
        return Err(invalid_fields(errors));
    };
    if !errors.is_empty() {
        return Err(invalid_fields(errors));
    }
    let activity = NewActivity {
        term,
        category_id: category.id.clone(),
        title,
        unit_id,
        start_date,
        end_date,
        place,
        mode,
        hours,
        speaker,
        description,
    };
    Ok((activity, category))
}

/// Checks that the person may file an activity of this organizer and category.
fn authorize(user: &CurrentUser, activity: &NewActivity, category: &Category) -> AppResult<()> {
    let organizers = Organizers::of(user);
    if !organizers.includes(activity.unit_id.as_deref()) {
        return Err(AppError::Forbidden(
            "您只能为本单位组织的活动备案，请在“组织单位”中选择本单位。".into(),
        ));
    }
    if !organizers.may_manage(
        activity.unit_id.as_deref(),
        category.rules.school_accredited,
    ) {
        return Err(school_accredited_forbidden());
    }
    Ok(())
}

fn activity_json(activity: &NewActivity) -> serde_json::Value {
    serde_json::json!({
        "term": activity.term.to_string(),
        "category_id": activity.category_id,
        "title": activity.title,
        "unit_id": activity.unit_id,
        "start_date": activity.start_date.to_string(),
        "end_date": activity.end_date.to_string(),
        "place": activity.place,
        "mode": activity.mode.as_str(),
        "hours": activity.hours.to_string(),
        "speaker": activity.speaker,
        "description": activity.description,
    })
}

/// Files an activity in the ledger now and returns its id. Filing more than
/// `late_after_days` days after the activity ended marks it late.
pub async fn file_activity(
    db: &Db,
    user: &CurrentUser,
    ip: &str,
    input: &ActivityInput,
    late_after_days: i64,
) -> AppResult<String> {
    let mut tx = db.begin_write().await?;
    let term = match TermCode::parse(&input.term) {
        Ok(code) => match terms::get(&mut tx, code).await {
            Ok(term) => term.code,
            Err(StoreError::NotFound) => {
                return Err(AppError::invalid(format!(
                    "{}尚未建立，请先由教师发展中心在“学期与类别”中建立该学期。",
                    code.label()
                )));
            }
            Err(error) => return Err(error.into()),
        },
        Err(error) => return Err(invalid_fields(vec![field_error(error)])),
    };
    let (activity, category) = parse_activity(&mut tx, term, input).await?;
    authorize(user, &activity, &category)?;
    let id = activities::file(
        &mut tx,
        &activity,
        Some(&user.person_id),
        now_ms(),
        late_after_days,
    )
    .await?;
    let entry = AuditEntry {
        entity: "activity",
        entity_id: &id,
        action: "file",
        after: Some(activity_json(&activity)),
        ..Default::default()
    };
    audit::append(&mut tx, &actor(user, ip), &entry).await?;
    xueshi_store::commit(tx).await?;
    tracing::info!(activity.id = %id, term.code = %term, "activity filed");
    Ok(id)
}

/// Replaces an activity's fields. Its term and filing time stay.
pub async fn update_activity(
    db: &Db,
    user: &CurrentUser,
    ip: &str,
    id: &str,
    input: &ActivityInput,
    late_after_days: i64,
) -> AppResult<()> {
    let mut tx = db.begin_write().await?;
    let before = managed_activity(&mut tx, user, id).await?;
    let (activity, category) = parse_activity(&mut tx, before.term_code, input).await?;
    authorize(user, &activity, &category)?;
    activities::update(&mut tx, id, &activity, late_after_days).await?;
    let before_input = ActivityInput::from_activity(&before);
    let entry = AuditEntry {
        entity: "activity",
        entity_id: id,
        action: "update",
        before: Some(serde_json::json!({
            "category": before.category_code, "title": before_input.title, "unit_id": before.unit_id,
            "start_date": before_input.start_date, "end_date": before_input.end_date, "place": before.place,
            "mode": before_input.mode, "hours": before_input.hours, "speaker": before.speaker,
            "description": before.description,
        })),
        after: Some(activity_json(&activity)),
        ..Default::default()
    };
    audit::append(&mut tx, &actor(user, ip), &entry).await?;
    xueshi_store::commit(tx).await?;
    Ok(())
}

/// Describes when an activity was filed relative to its end, e.g. "结束后 12 天备案".
pub fn filing_delay_text(activity: &Activity) -> String {
    match activity.filing_delay_days {
        days if days < 0 => "活动结束前备案".to_owned(),
        0 => "结束当天备案".to_owned(),
        days => format!("结束后 {days} 天备案"),
    }
}

/// Returns the organizer's display name: the unit's, or the center's.
pub fn organizer_name(activity: &Activity) -> &str {
    activity.unit_name.as_deref().unwrap_or(CENTER_NAME)
}
