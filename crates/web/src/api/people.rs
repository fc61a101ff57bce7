//! Units, people, roles and roster import for administrators' scripts.

use crate::extract::{Multipart, Query};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, patch, post};
use xueshi_core::{Role, RoleKind, StaffId, UnitKind};
use xueshi_store::people::{self, PeopleFilter, Person};
use xueshi_store::units;

use super::ApiJson;
use super::auth::{RoleView, role_views};
use crate::AppState;
use crate::access::{ADMINS, Route};
use crate::auth::{ClientInfo, CurrentUser};
use crate::directory::{self, UnitChanges, actor};
use crate::error::{AppError, AppResult};
use crate::import::roster::{self, ImportError, RosterOptions, RosterReport};

pub fn routes() -> Vec<Route> {
    vec![
        Route::get("/api/v1/units", ADMINS, get(list_units)),
        Route::post("/api/v1/units", ADMINS, post(create_unit)),
        Route {
            method: axum::http::Method::PATCH,
            path: "/api/v1/units/{id}",
            access: ADMINS,
            handler: patch(update_unit),
        },
        Route::get("/api/v1/people", ADMINS, get(list_people)),
        Route::get("/api/v1/people/{staff_id}", ADMINS, get(get_person)),
        Route::post("/api/v1/people/{staff_id}/roles", ADMINS, post(grant_role)),
        Route::post(
            "/api/v1/people/{staff_id}/roles/revoke",
            ADMINS,
            post(revoke_role),
        ),
        Route::post(
            "/api/v1/people/{staff_id}/password",
            ADMINS,
            post(reset_password),
        ),
        Route::post("/api/v1/people/{staff_id}/active", ADMINS, post(set_active)),
        Route::post(
            "/api/v1/import/roster",
            ADMINS,
            post(import_roster).layer(crate::import::body_limit()),
        ),
    ]
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct UnitView {
    id: String,
    name: String,
    /// `teaching` or `other`.
    kind: String,
    sort_order: i64,
    review_chain: String,
    offices: Vec<OfficeView>,
    people: i64,
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct OfficeView {
    id: String,
    name: String,
    people: i64,
}

/// Lists units with their offices.
#[utoipa::path(get, path = "/api/v1/units", responses((status = 200, body = Vec<UnitView>), (status = 403, body = super::ErrorBody)))]
pub async fn list_units(State(state): State<AppState>) -> AppResult<Json<Vec<UnitView>>> {
    let mut conn = state.db.conn().await?;
    let offices = units::all_offices(&mut conn).await?;
    let views = units::list(&mut conn)
        .await?
        .into_iter()
        .map(|unit| UnitView {
            offices: offices
                .iter()
                .filter(|o| o.unit_id == unit.id)
                .map(|o| OfficeView {
                    id: o.id.clone(),
                    name: o.name.clone(),
                    people: o.people_count,
                })
                .collect(),
            id: unit.id,
            name: unit.name,
            kind: unit.kind.as_str().to_owned(),
            sort_order: unit.sort_order,
            review_chain: unit.review_chain,
            people: unit.people_count,
        })
        .collect();
    Ok(Json(views))
}

#[derive(serde::Deserialize, utoipa::ToSchema)]
pub struct NewUnit {
    name: String,
    /// `teaching` or `other`.
    kind: String,
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct Created {
    id: String,
}

/// Creates a unit.
#[utoipa::path(post, path = "/api/v1/units", request_body = NewUnit,
    responses((status = 201, body = Created), (status = 409, body = super::ErrorBody), (status = 422, body = super::ErrorBody)))]
pub async fn create_unit(
    State(state): State<AppState>,
    user: CurrentUser,
    client: ClientInfo,
    ApiJson(body): ApiJson<NewUnit>,
) -> AppResult<(StatusCode, Json<Created>)> {
    let kind: UnitKind = body.kind.parse()?;
    let (id, _) =
        directory::create_unit(&state.db, &actor(&user, &client.ip), &body.name, kind).await?;
    Ok((StatusCode::CREATED, Json(Created { id })))
}

#[derive(serde::Deserialize, utoipa::ToSchema)]
pub struct UnitPatch {
    name: Option<String>,
    kind: Option<String>,
    sort_order: Option<i64>,
    /// `office,unit,school`, `unit,school` or `school`.
    review_chain: Option<String>,
}

/// Changes a unit's name, kind, order or review chain.
#[utoipa::path(patch, path = "/api/v1/units/{id}", request_body = UnitPatch, params(("id" = String, Path)),
    responses((status = 204), (status = 404, body = super::ErrorBody), (status = 422, body = super::ErrorBody)))]
pub async fn update_unit(
    State(state): State<AppState>,
    user: CurrentUser,
    client: ClientInfo,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<UnitPatch>,
) -> AppResult<StatusCode> {
    let kind = body
        .kind
        .as_deref()
        .map(str::parse::<UnitKind>)
        .transpose()?;
    let changes = UnitChanges {
        name: body.name,
        kind,
        sort_order: body.sort_order,
        review_chain: body.review_chain,
    };
    directory::update_unit(&state.db, &actor(&user, &client.ip), &id, &changes).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct PersonView {
    id: String,
    staff_id: String,
    name: String,
    unit: Option<String>,
    office: Option<String>,
    title: String,
    active: bool,
    roles: Vec<RoleView>,
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct PeoplePage {
    total: i64,
    people: Vec<PersonView>,
}

#[derive(serde::Deserialize, utoipa::IntoParams)]
pub struct PeopleQuery {
    /// Unit name or id.
    unit: Option<String>,
    /// Staff ID or name fragment.
    q: Option<String>,
    #[serde(default)]
    include_inactive: bool,
    /// Page number from 1; pages hold 200 people.
    page: Option<i64>,
}

fn person_view(person: Person, grants: &[people::Grant]) -> PersonView {
    PersonView {
        id: person.id,
        staff_id: person.staff_id,
        name: person.name,
        unit: person.unit_name,
        office: person.office_name,
        title: person.title,
        active: person.active,
        roles: role_views(grants),
    }
}

/// Lists people, by unit and search text.
#[utoipa::path(get, path = "/api/v1/people", params(PeopleQuery), responses((status = 200, body = PeoplePage)))]
pub async fn list_people(
    State(state): State<AppState>,
    Query(query): Query<PeopleQuery>,
) -> AppResult<Json<PeoplePage>> {
    let mut conn = state.db.conn().await?;
    let unit_id = match query.unit.as_deref().filter(|u| !u.is_empty()) {
        Some(unit) => {
            match units::find_by_key(&mut conn, &xueshi_core::text::name_key(unit)).await? {
                Some(found) => Some(found.id),
                None => Some(
                    units::get(&mut conn, unit)
                        .await
                        .map_err(|_| AppError::invalid(format!("没有名为“{unit}”的单位。")))?
                        .id,
                ),
            }
        }
        None => None,
    };
    let page = query.page.unwrap_or(1).max(1);
    let filter = PeopleFilter {
        unit_id,
        search: query.q,
        include_inactive: query.include_inactive,
        limit: Some(200),
        offset: (page - 1) * 200,
        ..Default::default()
    };
    let (list, total) = people::list(&mut conn, &filter).await?;
    let grants = people::all_grants(&mut conn).await?;
    let people = list
        .into_iter()
        .map(|person| {
            let person_grants = grants.get(&person.id).cloned().unwrap_or_default();
            person_view(person, &person_grants)
        })
        .collect();
    Ok(Json(PeoplePage { total, people }))
}

async fn person_by_staff_id(state: &AppState, raw: &str) -> AppResult<Person> {
    let staff_id = StaffId::parse(raw)?;
    people::find_by_staff_id(&mut *state.db.conn().await?, &staff_id)
        .await?
        .ok_or(AppError::NotFound)
}

/// One person by staff ID.
#[utoipa::path(get, path = "/api/v1/people/{staff_id}", params(("staff_id" = String, Path)),
    responses((status = 200, body = PersonView), (status = 404, body = super::ErrorBody)))]
pub async fn get_person(
    State(state): State<AppState>,
    Path(staff_id): Path<String>,
) -> AppResult<Json<PersonView>> {
    let person = person_by_staff_id(&state, &staff_id).await?;
    let grants = people::grants(&mut *state.db.conn().await?, &person.id).await?;
    Ok(Json(person_view(person, &grants)))
}

#[derive(serde::Deserialize, utoipa::ToSchema)]
pub struct RoleRequest {
    /// `teacher`, `office-director`, `unit-reviewer`, `center-admin` or `system-admin`.
    role: String,
    /// Office id for office directors, unit id for unit reviewers.
    scope_id: Option<String>,
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct Changed {
    /// Whether anything changed (false when the person already held the role, or not).
    changed: bool,
}

/// Grants a role.
#[utoipa::path(post, path = "/api/v1/people/{staff_id}/roles", request_body = RoleRequest, params(("staff_id" = String, Path)),
    responses((status = 200, body = Changed), (status = 404, body = super::ErrorBody), (status = 422, body = super::ErrorBody)))]
pub async fn grant_role(
    State(state): State<AppState>,
    user: CurrentUser,
    client: ClientInfo,
    Path(staff_id): Path<String>,
    ApiJson(body): ApiJson<RoleRequest>,
) -> AppResult<Json<Changed>> {
    let person = person_by_staff_id(&state, &staff_id).await?;
    let role = directory::role_with_scope(&state.db, &body.role, body.scope_id.as_deref()).await?;
    let changed = directory::grant_role(&state.db, &user, &client.ip, &person.id, &role).await?;
    Ok(Json(Changed { changed }))
}

/// Revokes a role.
#[utoipa::path(post, path = "/api/v1/people/{staff_id}/roles/revoke", request_body = RoleRequest, params(("staff_id" = String, Path)),
    responses((status = 200, body = Changed), (status = 403, body = super::ErrorBody), (status = 404, body = super::ErrorBody)))]
pub async fn revoke_role(
    State(state): State<AppState>,
    user: CurrentUser,
    client: ClientInfo,
    Path(staff_id): Path<String>,
    ApiJson(body): ApiJson<RoleRequest>,
) -> AppResult<Json<Changed>> {
    let person = person_by_staff_id(&state, &staff_id).await?;
    let kind: RoleKind = body.role.parse()?;
    let role = Role {
        kind,
        scope_id: body.scope_id.filter(|s| !s.is_empty()),
    };
    let changed = directory::revoke_role(&state.db, &user, &client.ip, &person.id, &role).await?;
    Ok(Json(Changed { changed }))
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct OneTimePassword {
    /// Must be changed at the first sign-in; shown only in this response.
    one_time_password: String,
}

/// Resets a password to a one-time password.
#[utoipa::path(post, path = "/api/v1/people/{staff_id}/password", params(("staff_id" = String, Path)),
    responses((status = 200, body = OneTimePassword), (status = 404, body = super::ErrorBody), (status = 409, body = super::ErrorBody)))]
pub async fn reset_password(
    State(state): State<AppState>,
    user: CurrentUser,
    client: ClientInfo,
    Path(staff_id): Path<String>,
) -> AppResult<Json<OneTimePassword>> {
    let person = person_by_staff_id(&state, &staff_id).await?;
    let secret =
        directory::reset_password(&state.db, &actor(&user, &client.ip), &person.id).await?;
    Ok(Json(OneTimePassword {
        one_time_password: secret,
    }))
}

#[derive(serde::Deserialize, utoipa::ToSchema)]
pub struct ActiveRequest {
    /// false marks the person as left: they can no longer sign in.
    active: bool,
}

/// Marks a person as active or as left.
#[utoipa::path(post, path = "/api/v1/people/{staff_id}/active", request_body = ActiveRequest, params(("staff_id" = String, Path)),
    responses((status = 204), (status = 403, body = super::ErrorBody), (status = 404, body = super::ErrorBody)))]
pub async fn set_active(
    State(state): State<AppState>,
    user: CurrentUser,
    client: ClientInfo,
    Path(staff_id): Path<String>,
    ApiJson(body): ApiJson<ActiveRequest>,
) -> AppResult<StatusCode> {
    let person = person_by_staff_id(&state, &staff_id).await?;
    directory::set_active(&state.db, &user, &client.ip, &person.id, body.active).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The multipart form of a roster import.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
pub struct RosterUpload {
    /// The .xlsx, .xls or .csv file.
    #[schema(format = Binary, value_type = String)]
    file: Vec<u8>,
    /// "true" to report without writing.
    dry_run: Option<bool>,
    /// "true" to write the valid rows even when others are invalid.
    skip_invalid: Option<bool>,
    /// Sheet to read instead of the first visible one.
    sheet: Option<String>,
}

/// Imports a staff roster; the response is the same report `xueshi import roster --json` prints.
#[utoipa::path(post, path = "/api/v1/import/roster", request_body(content = RosterUpload, content_type = "multipart/form-data"),
    responses((status = 200, body = Object, description = "导入报告：created、updated、unchanged、skipped、errors"),
        (status = 413, body = super::ErrorBody), (status = 422, body = super::ErrorBody)))]
pub async fn import_roster(
    State(state): State<AppState>,
    user: CurrentUser,
    client: ClientInfo,
    Multipart(multipart): Multipart,
) -> AppResult<Json<RosterReport>> {
    let upload = crate::import::read_upload(multipart).await?;
    let options = RosterOptions {
        dry_run: upload.flag("dry_run"),
        skip_invalid: upload.flag("skip_invalid"),
        sheet: upload.field("sheet"),
    };
    match roster::import_roster(
        &state.db,
        upload.bytes,
        &upload.file_name,
        &options,
        &actor(&user, &client.ip),
    )
    .await
    {
        Ok(report) => Ok(Json(report)),
        Err(ImportError::File(message)) => Err(AppError::invalid(message)),
        Err(ImportError::Internal(error)) => Err(AppError::Internal(error)),
    }
}
