//! People and their roles: list, create, edit, grant and revoke roles, reset passwords,
//! mark people as left.

use std::collections::HashMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use xueshi_core::person::{parse_person_name, parse_title};
use xueshi_core::{Role, RoleKind, StaffId};
use xueshi_store::audit::{self, Actor, AuditEntry};
use xueshi_store::people::{self, Grant, PeopleFilter, Person, PersonFields};
use xueshi_store::units::{self, Office, Unit};

use crate::AppState;
use crate::access::{ADMINS, Route};
use crate::auth::{ClientInfo, CurrentUser, password};
use crate::error::{AppError, AppResult};
use crate::page::{FlashKind, Page, redirect_with_flash};

pub fn routes() -> Vec<Route> {
    vec![
        Route::get("/admin/people", ADMINS, get(list)),
        Route::post("/admin/people", ADMINS, post(create)),
        Route::get("/admin/people/{id}", ADMINS, get(detail)),
        Route::post("/admin/people/{id}", ADMINS, post(update)),
        Route::post("/admin/people/{id}/roles", ADMINS, post(grant_role)),
        Route::post("/admin/people/{id}/roles/revoke", ADMINS, post(revoke_role)),
        Route::post("/admin/people/{id}/password", ADMINS, post(reset_password)),
        Route::post("/admin/people/{id}/active", ADMINS, post(set_active)),
    ]
}

const PAGE_SIZE: i64 = 50;

fn actor(user: &CurrentUser, client: &ClientInfo) -> Actor {
    Actor::person(&user.person_id, Some(client.ip.clone()))
}

/// A row of the people list.
struct PersonRow {
    person: Person,
    roles: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/people.html")]
struct PeoplePage {
    page: Page,
    rows: Vec<PersonRow>,
    total: i64,
    units: Vec<Unit>,
    offices: Vec<OfficeOption>,
    query: PeopleQuery,
    page_number: i64,
    page_count: i64,
    error: Option<String>,
}

/// An office in a select list, labelled with its unit.
pub struct OfficeOption {
    pub id: String,
    pub label: String,
}

async fn office_options(state: &AppState, units: &[Unit]) -> AppResult<Vec<OfficeOption>> {
    let names: HashMap<&str, &str> = units
        .iter()
        .map(|u| (u.id.as_str(), u.name.as_str()))
        .collect();
    let offices: Vec<Office> = units::all_offices(&mut *state.db.conn().await?).await?;
    let mut options: Vec<OfficeOption> = offices
        .into_iter()
        .map(|office| OfficeOption {
            label: format!(
                "{} · {}",
                names.get(office.unit_id.as_str()).unwrap_or(&""),
                office.name
            ),
            id: office.id,
        })
        .collect();
    options.sort_by(|a, b| a.label.cmp(&b.label));
    Ok(options)
}

#[derive(serde::Deserialize, Default, Clone)]
struct PeopleQuery {
    #[serde(default)]
    unit: String,
    #[serde(default)]
    office: String,
    #[serde(default)]
    q: String,
    #[serde(default)]
    inactive: String,
    #[serde(default)]
    page: Option<i64>,
}

impl PeopleQuery {
    /// The query string for another page of the same list.
    fn page_link(&self, page: i64) -> String {
        serde_urlencoded::to_string([
            ("unit", self.unit.as_str()),
            ("office", self.office.as_str()),
            ("q", self.q.as_str()),
            ("inactive", self.inactive.as_str()),
            ("page", &page.to_string()),
        ])
        .unwrap_or_default()
    }
}

async fn list(
    State(state): State<AppState>,
    page: Page,
    Query(query): Query<PeopleQuery>,
) -> AppResult<PeoplePage> {
    render_list(&state, page, query, None).await
}

async fn render_list(
    state: &AppState,
    page: Page,
    query: PeopleQuery,
    error: Option<String>,
) -> AppResult<PeoplePage> {
    let mut conn = state.db.conn().await?;
    let conn = &mut *conn;
    let page_number = query.page.unwrap_or(1).max(1);
    let filter = PeopleFilter {
        unit_id: Some(query.unit.clone()).filter(|s| !s.is_empty()),
        office_id: Some(query.office.clone()).filter(|s| !s.is_empty()),
        search: Some(query.q.trim().to_owned()).filter(|s| !s.is_empty()),
        include_inactive: !query.inactive.is_empty(),
        limit: Some(PAGE_SIZE),
        offset: (page_number - 1) * PAGE_SIZE,
    };
    let (people, total) = people::list(conn, &filter).await?;
    let grants = people::all_grants(conn).await?;
    let rows = people
        .into_iter()
        .map(|person| {
            let roles = grants
                .get(&person.id)
                .map(|list| list.iter().map(Grant::label).collect::<Vec<_>>().join("、"))
                .unwrap_or_default();
            PersonRow { person, roles }
        })
        .collect();
    let units = units::list(conn).await?;
    let offices = office_options(state, &units).await?;
    Ok(PeoplePage {
        page: page.titled("人员与角色"),
        rows,
        total,
        units,
        offices,
        page_count: ((total + PAGE_SIZE - 1) / PAGE_SIZE).max(1),
        page_number,
        query,
        error,
    })
}

#[derive(serde::Deserialize)]
struct PersonForm {
    #[serde(default)]
    staff_id: String,
    name: String,
    #[serde(default)]
    unit_id: String,
    #[serde(default)]
    office_id: String,
    #[serde(default)]
    title: String,
}

/// Parses the editable fields, checking that the office belongs to the unit. The inner
/// error is the message for the person filling in the form.
async fn parse_fields(
    state: &AppState,
    form: &PersonForm,
) -> AppResult<Result<PersonFields, String>> {
    let mut conn = state.db.conn().await?;
    let name = match parse_person_name(&form.name) {
        Ok(name) => name,
        Err(error) => return Ok(Err(error.message)),
    };
    let title = match parse_title(&form.title) {
        Ok(title) => title,
        Err(error) => return Ok(Err(error.message)),
    };
    let unit_id = Some(form.unit_id.clone()).filter(|s| !s.is_empty());
    let office_id = Some(form.office_id.clone()).filter(|s| !s.is_empty());
    if let Some(unit_id) = &unit_id
        && !exists(units::get(&mut conn, unit_id).await)?
    {
        return Ok(Err("所选单位不存在，请刷新页面后重新选择。".to_owned()));
    }
    if let Some(office_id) = &office_id {
        let office = match units::get_office(&mut conn, office_id).await {
            Ok(office) => office,
            Err(xueshi_store::StoreError::NotFound) => {
                return Ok(Err("所选教研室不存在，请刷新页面后重新选择。".to_owned()));
            }
            Err(error) => return Err(error.into()),
        };
        if unit_id.as_deref() != Some(office.unit_id.as_str()) {
            return Ok(Err(format!(
                "教研室“{}”不属于所选单位，请重新选择。",
                office.name
            )));
        }
    }
    Ok(Ok(PersonFields {
        name,
        unit_id,
        office_id,
        title,
    }))
}

/// Turns a lookup into whether the row exists, keeping real errors.
fn exists<T>(result: Result<T, xueshi_store::StoreError>) -> AppResult<bool> {
    match result {
        Ok(_) => Ok(true),
        Err(xueshi_store::StoreError::NotFound) => Ok(false),
        Err(error) => Err(error.into()),
    }
}

async fn create(
    State(state): State<AppState>,
    page: Page,
    user: CurrentUser,
    client: ClientInfo,
    Form(form): Form<PersonForm>,
) -> AppResult<Response> {
    let invalid = |message: String| async {
        let template =
            render_list(&state, page.clone(), PeopleQuery::default(), Some(message)).await?;
        Ok::<Response, AppError>(
            (axum::http::StatusCode::UNPROCESSABLE_ENTITY, template).into_response(),
        )
    };
    let staff_id = match StaffId::parse(&form.staff_id) {
        Ok(staff_id) => staff_id,
        Err(error) => return invalid(error.message).await,
    };
    let fields = match parse_fields(&state, &form).await? {
        Ok(fields) => fields,
        Err(message) => return invalid(message).await,
    };
    if let Some(existing) =
        people::find_by_staff_id(&mut *state.db.conn().await?, &staff_id).await?
    {
        return invalid(format!(
            "工号 {staff_id} 已属于“{}”，工号不能重复。",
            existing.name
        ))
        .await;
    }
    let mut tx = state.db.begin_write().await?;
    let id = people::create(&mut tx, &staff_id, &fields).await?;
    people::grant(&mut tx, &id, &Role::unscoped(RoleKind::Teacher)).await?;
    let after = serde_json::json!({ "staff_id": staff_id.as_str(), "name": fields.name, "unit_id": fields.unit_id, "office_id": fields.office_id, "title": fields.title });
    let entry = AuditEntry {
        entity: "person",
        entity_id: &id,
        action: "create",
        after: Some(after),
        ..Default::default()
    };
    audit::append(&mut tx, &actor(&user, &client), &entry).await?;
    xueshi_store::commit(tx).await?;
    Ok(redirect_with_flash(
        &format!("/admin/people/{id}"),
        FlashKind::Success,
        format!("已添加 {}（{}），并授予教师角色。", fields.name, staff_id),
    ))
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/person.html")]
struct PersonPage {
    page: Page,
    person: Person,
    grants: Vec<Grant>,
    units: Vec<Unit>,
    offices: Vec<OfficeOption>,
    role_kinds: Vec<RoleKind>,
    one_time_password: Option<String>,
    error: Option<String>,
}

async fn render_person(
    state: &AppState,
    page: Page,
    id: &str,
    one_time_password: Option<String>,
    error: Option<String>,
) -> AppResult<PersonPage> {
    let mut conn = state.db.conn().await?;
    let conn = &mut *conn;
    let person = people::get(conn, id).await?;
    let grants = people::grants(conn, id).await?;
    let units = units::list(conn).await?;
    let offices = office_options(state, &units).await?;
    Ok(PersonPage {
        page: page.titled(format!("{}（{}）", person.name, person.staff_id)),
        person,
        grants,
        units,
        offices,
        role_kinds: RoleKind::ALL.to_vec(),
        one_time_password,
        error,
    })
}

async fn detail(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<String>,
) -> AppResult<PersonPage> {
    render_person(&state, page, &id, None, None).await
}

async fn update(
    State(state): State<AppState>,
    page: Page,
    user: CurrentUser,
    client: ClientInfo,
    Path(id): Path<String>,
    Form(form): Form<PersonForm>,
) -> AppResult<Response> {
    let before = people::get(&mut *state.db.conn().await?, &id).await?;
    let fields = match parse_fields(&state, &form).await? {
        Ok(fields) => fields,
        Err(message) => {
            let template = render_person(&state, page, &id, None, Some(message)).await?;
            return Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, template).into_response());
        }
    };
    let mut tx = state.db.begin_write().await?;
    people::update(&mut tx, &id, &fields).await?;
    let entry = AuditEntry {
        entity: "person",
        entity_id: &id,
        action: "update",
        before: Some(
            serde_json::json!({ "name": before.name, "unit_id": before.unit_id, "office_id": before.office_id, "title": before.title }),
        ),
        after: Some(
            serde_json::json!({ "name": fields.name, "unit_id": fields.unit_id, "office_id": fields.office_id, "title": fields.title }),
        ),
        ..Default::default()
    };
    audit::append(&mut tx, &actor(&user, &client), &entry).await?;
    xueshi_store::commit(tx).await?;
    Ok(redirect_with_flash(
        &format!("/admin/people/{id}"),
        FlashKind::Success,
        "人员信息已保存。",
    ))
}

#[derive(serde::Deserialize)]
struct RoleForm {
    role: String,
    #[serde(default)]
    office_id: String,
    #[serde(default)]
    unit_id: String,
}

/// Builds the role a form names, with the scope its kind needs. The inner error is the
/// message for the administrator.
async fn role_from_form(state: &AppState, form: &RoleForm) -> AppResult<Result<Role, String>> {
    let kind: RoleKind = match form.role.parse() {
        Ok(kind) => kind,
        Err(error) => return Ok(Err(error.message)),
    };
    let mut conn = state.db.conn().await?;
    let scope_id = match kind.scope() {
        Some(xueshi_core::role::ScopeKind::Office) => {
            if form.office_id.is_empty()
                || !exists(units::get_office(&mut conn, &form.office_id).await)?
            {
                return Ok(Err(
                    "教研室主任需要指定所管理的教研室，请选择教研室。".to_owned()
                ));
            }
            Some(form.office_id.clone())
        }
        Some(xueshi_core::role::ScopeKind::Unit) => {
            if form.unit_id.is_empty() || !exists(units::get(&mut conn, &form.unit_id).await)? {
                return Ok(Err(
                    "院（部）审核人需要指定所审核的单位，请选择单位。".to_owned()
                ));
            }
            Some(form.unit_id.clone())
        }
        None => None,
    };
    Ok(Ok(Role { kind, scope_id }))
}

async fn grant_role(
    State(state): State<AppState>,
    user: CurrentUser,
    client: ClientInfo,
    Path(id): Path<String>,
    Form(form): Form<RoleForm>,
) -> AppResult<Response> {
    let location = format!("/admin/people/{id}");
    let person = people::get(&mut *state.db.conn().await?, &id).await?;
    let role = match role_from_form(&state, &form).await? {
        Ok(role) => role,
        Err(message) => return Ok(redirect_with_flash(&location, FlashKind::Error, message)),
    };
    if role.kind == RoleKind::SystemAdmin && !user.has(RoleKind::SystemAdmin) {
        return Err(AppError::Forbidden(
            "只有系统管理员可以授予系统管理员角色。".into(),
        ));
    }
    let mut tx = state.db.begin_write().await?;
    let added = people::grant(&mut tx, &id, &role).await?;
    if added {
        let after = serde_json::json!({ "role": role.kind.as_str(), "scope_id": role.scope_id });
        let entry = AuditEntry {
            entity: "person",
            entity_id: &id,
            action: "grant_role",
            after: Some(after),
            ..Default::default()
        };
        audit::append(&mut tx, &actor(&user, &client), &entry).await?;
    }
    xueshi_store::commit(tx).await?;
    let message = if added {
        format!("已为 {} 授予“{}”角色。", person.name, role.kind.label())
    } else {
        format!("{} 已有该角色，未做更改。", person.name)
    };
    Ok(redirect_with_flash(
        &location,
        if added {
            FlashKind::Success
        } else {
            FlashKind::Warning
        },
        message,
    ))
}

#[derive(serde::Deserialize)]
struct RevokeForm {
    role: String,
    #[serde(default)]
    scope_id: String,
}

async fn revoke_role(
    State(state): State<AppState>,
    user: CurrentUser,
    client: ClientInfo,
    Path(id): Path<String>,
    Form(form): Form<RevokeForm>,
) -> AppResult<Response> {
    let location = format!("/admin/people/{id}");
    let kind: RoleKind = form.role.parse()?;
    let role = Role {
        kind,
        scope_id: Some(form.scope_id.clone()).filter(|s| !s.is_empty()),
    };
    if id == user.person_id && matches!(kind, RoleKind::CenterAdmin | RoleKind::SystemAdmin) {
        return Ok(redirect_with_flash(
            &location,
            FlashKind::Error,
            "不能撤销自己的管理员角色，以免无人能管理系统。请由其他管理员操作。",
        ));
    }
    if kind == RoleKind::SystemAdmin && !user.has(RoleKind::SystemAdmin) {
        return Err(AppError::Forbidden(
            "只有系统管理员可以撤销系统管理员角色。".into(),
        ));
    }
    let mut tx = state.db.begin_write().await?;
    let removed = people::revoke(&mut tx, &id, &role).await?;
    if removed {
        let before = serde_json::json!({ "role": kind.as_str(), "scope_id": role.scope_id });
        let entry = AuditEntry {
            entity: "person",
            entity_id: &id,
            action: "revoke_role",
            before: Some(before),
            ..Default::default()
        };
        audit::append(&mut tx, &actor(&user, &client), &entry).await?;
    }
    xueshi_store::commit(tx).await?;
    Ok(redirect_with_flash(
        &location,
        FlashKind::Success,
        format!("已撤销“{}”角色。", kind.label()),
    ))
}

/// Sets a one-time password that the person must change at the next sign-in, and
/// shows it once on the page that answers the request.
async fn reset_password(
    State(state): State<AppState>,
    page: Page,
    user: CurrentUser,
    client: ClientInfo,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let person = people::get(&mut *state.db.conn().await?, &id).await?;
    if !person.active {
        return Ok(redirect_with_flash(
            &format!("/admin/people/{id}"),
            FlashKind::Error,
            "此人已离职，不能重置密码。请先恢复在职。",
        ));
    }
    let secret = password::one_time();
    let hash = password::hash(secret.clone()).await?;
    let mut tx = state.db.begin_write().await?;
    people::set_password_hash(&mut tx, &id, &hash, true).await?;
    let entry = AuditEntry {
        entity: "person",
        entity_id: &id,
        action: "reset_password",
        ..Default::default()
    };
    audit::append(&mut tx, &actor(&user, &client), &entry).await?;
    xueshi_store::commit(tx).await?;
    let template = render_person(&state, page, &id, Some(secret), None).await?;
    Ok(template.into_response())
}

#[derive(serde::Deserialize)]
struct ActiveForm {
    active: String,
}

async fn set_active(
    State(state): State<AppState>,
    user: CurrentUser,
    client: ClientInfo,
    Path(id): Path<String>,
    Form(form): Form<ActiveForm>,
) -> AppResult<Response> {
    let location = format!("/admin/people/{id}");
    let active = form.active == "1";
    if id == user.person_id && !active {
        return Ok(redirect_with_flash(
            &location,
            FlashKind::Error,
            "不能将自己标记为离职。",
        ));
    }
    let person = people::get(&mut *state.db.conn().await?, &id).await?;
    let mut tx = state.db.begin_write().await?;
    people::set_active(&mut tx, &id, active).await?;
    let entry = AuditEntry {
        entity: "person",
        entity_id: &id,
        action: if active { "reactivate" } else { "deactivate" },
        before: Some(serde_json::json!({ "active": person.active })),
        after: Some(serde_json::json!({ "active": active })),
        ..Default::default()
    };
    audit::append(&mut tx, &actor(&user, &client), &entry).await?;
    xueshi_store::commit(tx).await?;
    let message = if active {
        format!("{} 已恢复在职。", person.name)
    } else {
        format!("{} 已标记为离职，无法再登录；其历史记录保留。", person.name)
    };
    Ok(redirect_with_flash(&location, FlashKind::Success, message))
}
