//! The training ledger for scripts: activities and their attendance import. The same
//! rule as on the pages decides who may see and file what: center administrators every
//! activity, unit reviewers their own units' activities outside school-accredited
//! categories.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use xueshi_core::TermCode;
use xueshi_store::activities::{self, Activity, OrganizerFilter};
use xueshi_store::terms;

use super::ApiJson;
use crate::AppState;
use crate::access::Route;
use crate::auth::{ClientInfo, CurrentUser};
use crate::directory::actor;
use crate::error::{AppError, AppResult};
use crate::extract::{Multipart, Query};
use crate::import::attendance::{
    AttendanceError, AttendanceOptions, AttendanceReport, import_attendance,
};
use crate::ledger::{
    ActivityInput, LEDGER, ListRequest, file_activity, list_activities, managed_activity,
    organizer_name, visible_activity,
};
use crate::terms::default_term;

pub fn routes() -> Vec<Route> {
    vec![
        Route::get("/api/v1/activities", LEDGER, get(list)),
        Route::post("/api/v1/activities", LEDGER, post(create)),
        Route::get("/api/v1/activities/{id}", LEDGER, get(show)),
        Route::post(
            "/api/v1/activities/{id}/attendance",
            LEDGER,
            post(import).layer(crate::import::body_limit()),
        ),
    ]
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct ActivityView {
    id: String,
    /// Term code, e.g. `2025-2026-1`.
    term: String,
    /// Category code, 1 to 8.
    category: u8,
    category_name: String,
    /// Whether the center credits attendance of this activity without a claim.
    school_accredited: bool,
    title: String,
    /// Organizing unit's id, or null when the center organizes the activity.
    unit_id: Option<String>,
    /// The unit's name, or 教师发展中心.
    organizer: String,
    /// `YYYY-MM-DD`.
    start_date: String,
    end_date: String,
    place: String,
    /// `offline` or `online`.
    mode: String,
    /// Hours each attendee receives, as a decimal string such as "2" or "1.5".
    hours: String,
    speaker: String,
    description: String,
    /// Filing time, milliseconds since the Unix epoch.
    filed_at: i64,
    /// Days from the end date to the filing date in Asia/Shanghai, negative when filed
    /// before the activity ended.
    filing_delay_days: i64,
    /// Whether the activity was filed later than the configured number of days.
    late: bool,
    attendance_count: i64,
}

impl From<Activity> for ActivityView {
    fn from(activity: Activity) -> Self {
        Self {
            organizer: organizer_name(&activity).to_owned(),
            id: activity.id,
            term: activity.term_code.to_string(),
            category: activity.category_code,
            category_name: activity.category_name,
            school_accredited: activity.school_accredited,
            title: activity.title,
            unit_id: activity.unit_id,
            start_date: activity.start_date.to_string(),
            end_date: activity.end_date.to_string(),
            place: activity.place,
            mode: activity.mode.as_str().to_owned(),
            hours: activity.hours.to_string(),
            speaker: activity.speaker,
            description: activity.description,
            filed_at: activity.filed_at,
            filing_delay_days: activity.filing_delay_days,
            late: activity.late,
            attendance_count: activity.attendance_count,
        }
    }
}

#[derive(serde::Deserialize, utoipa::IntoParams)]
pub struct ActivityQuery {
    /// Term code, or the term in effect today when omitted.
    term: Option<String>,
    /// `center`, or a unit id.
    organizer: Option<String>,
    /// Category code, 1 to 8.
    category: Option<u8>,
}

/// Lists the activities of a term that the caller may see, latest start first.
#[utoipa::path(get, path = "/api/v1/activities", params(ActivityQuery),
    responses((status = 200, body = Vec<ActivityView>), (status = 403, body = super::ErrorBody),
        (status = 404, body = super::ErrorBody, description = "学期不存在"), (status = 422, body = super::ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(query): Query<ActivityQuery>,
) -> AppResult<Json<Vec<ActivityView>>> {
    let mut conn = state.db.conn().await?;
    let term = match query
        .term
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
    {
        Some(raw) => terms::get(&mut conn, TermCode::parse(raw)?).await?,
        None => match default_term(&mut conn).await? {
            Some(term) => term,
            None => return Ok(Json(Vec::new())),
        },
    };
    let request = ListRequest {
        organizer: query
            .organizer
            .as_deref()
            .map(str::trim)
            .filter(|o| !o.is_empty())
            .map(|organizer| match organizer {
                "center" => OrganizerFilter::Center,
                unit_id => OrganizerFilter::Unit(unit_id.to_owned()),
            }),
        category: query.category,
    };
    let list = list_activities(&mut conn, &user, term.code, &request).await?;
    Ok(Json(list.into_iter().map(ActivityView::from).collect()))
}

#[derive(serde::Deserialize, utoipa::ToSchema)]
pub struct NewActivityBody {
    /// Term code, e.g. `2025-2026-1`.
    term: String,
    /// Category code of the term, 1 to 8.
    category: u8,
    title: String,
    /// Organizing unit's id, null or omitted when the center organizes it.
    #[serde(default)]
    unit_id: Option<String>,
    /// `YYYY-MM-DD`.
    start_date: String,
    end_date: String,
    #[serde(default)]
    place: String,
    /// `offline` or `online`.
    mode: String,
    /// Hours each attendee receives, a decimal string in half-hour steps, e.g. "1.5".
    hours: String,
    #[serde(default)]
    speaker: String,
    #[serde(default)]
    description: String,
}

/// Files an activity in the ledger. Unit reviewers may file only for their own units
/// and outside school-accredited categories.
#[utoipa::path(post, path = "/api/v1/activities", request_body = NewActivityBody,
    responses((status = 201, body = ActivityView), (status = 403, body = super::ErrorBody), (status = 422, body = super::ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    user: CurrentUser,
    client: ClientInfo,
    ApiJson(body): ApiJson<NewActivityBody>,
) -> AppResult<(StatusCode, Json<ActivityView>)> {
    let input = ActivityInput {
        term: body.term,
        category: body.category.to_string(),
        title: body.title,
        unit_id: body.unit_id.unwrap_or_default(),
        start_date: body.start_date,
        end_date: body.end_date,
        place: body.place,
        mode: body.mode,
        hours: body.hours,
        speaker: body.speaker,
        description: body.description,
    };
    let id = file_activity(
        &state.db,
        &user,
        &client.ip,
        &input,
        state.config.ledger_late_days,
    )
    .await?;
    let activity = activities::get(&mut *state.db.conn().await?, &id).await?;
    Ok((StatusCode::CREATED, Json(ActivityView::from(activity))))
}

/// Returns one activity with its attendance count.
#[utoipa::path(get, path = "/api/v1/activities/{id}", params(("id" = String, Path)),
    responses((status = 200, body = ActivityView), (status = 403, body = super::ErrorBody), (status = 404, body = super::ErrorBody)))]
pub async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> AppResult<Json<ActivityView>> {
    let activity = visible_activity(&mut *state.db.conn().await?, &user, &id).await?;
    Ok(Json(ActivityView::from(activity)))
}

/// The multipart form of an attendance import.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
pub struct AttendanceUpload {
    /// The sign-in sheet: .xlsx, .xls or .csv with 工号 and 姓名 columns, 单位 optional.
    #[schema(format = Binary, value_type = String)]
    file: Vec<u8>,
    /// "true" to report without writing.
    dry_run: Option<bool>,
    /// Sheet to read instead of the first visible one.
    sheet: Option<String>,
}

/// Imports a sign-in sheet into an activity's attendance. The response is the same report
/// that `xueshi import attendance --json` prints.
#[utoipa::path(post, path = "/api/v1/activities/{id}/attendance", params(("id" = String, Path)),
    request_body(content = AttendanceUpload, content_type = "multipart/form-data"),
    responses((status = 200, body = Object, description = "导入报告：matched、added、already_present、repeated、unmatched、ambiguous（行号、列、内容、原因）"),
        (status = 403, body = super::ErrorBody), (status = 404, body = super::ErrorBody),
        (status = 413, body = super::ErrorBody), (status = 422, body = super::ErrorBody)))]
pub async fn import(
    State(state): State<AppState>,
    user: CurrentUser,
    client: ClientInfo,
    Path(id): Path<String>,
    Multipart(multipart): Multipart,
) -> AppResult<Json<AttendanceReport>> {
    managed_activity(&mut *state.db.conn().await?, &user, &id).await?;
    let upload = crate::import::read_upload(multipart).await?;
    let options = AttendanceOptions {
        dry_run: upload.flag("dry_run"),
        sheet: upload.field("sheet"),
    };
    let result = import_attendance(
        &state.db,
        &id,
        upload.bytes,
        &upload.file_name,
        &options,
        &actor(&user, &client.ip),
    )
    .await;
    match result {
        Ok(report) => Ok(Json(report)),
        Err(AttendanceError::ActivityNotFound) => Err(AppError::NotFound),
        Err(AttendanceError::File(message)) => Err(AppError::invalid(message)),
        Err(AttendanceError::Internal(error)) => Err(AppError::Internal(error)),
    }
}
