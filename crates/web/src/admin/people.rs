//! People and their roles: list, create, edit, grant and revoke roles, reset passwords,
//! mark people as left.

use std::collections::HashMap;

use crate::extract::Form;
use crate::extract::Query;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use xueshi_core::{Role, RoleKind};
use xueshi_store::people::{self, Grant, PeopleFilter, Person};
use xueshi_store::units::{self, Office, Unit};

use crate::AppState;
use crate::access::{ADMINS, Route};
use crate::auth::{ClientInfo, CurrentUser};
use crate::directory::{self, PersonInput, actor};
use crate::error::AppResult;
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

impl PersonForm {
    fn input(&self) -> PersonInput {
        PersonInput {
            name: self.name.clone(),
            unit_id: Some(self.unit_id.clone()),
            office_id: Some(self.office_id.clone()),
            title: self.title.clone(),
        }
    }
}

async fn create(
    State(state): State<AppState>,
    page: Page,
    user: CurrentUser,
    client: ClientInfo,
    Form(form): Form<PersonForm>,
) -> AppResult<Response> {
    match directory::create_person(
        &state.db,
        &actor(&user, &client.ip),
        &form.staff_id,
        &form.input(),
    )
    .await
    {
        Ok((id, staff_id)) => Ok(redirect_with_flash(
            &format!("/admin/people/{id}"),
            FlashKind::Success,
            format!(
                "已添加 {}（{staff_id}），并授予教师角色。",
                form.name.trim()
            ),
        )),
        Err(error) => {
            let Some(message) = error.user_message() else {
                return Err(error);
            };
            let template = render_list(&state, page, PeopleQuery::default(), Some(message)).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, template).into_response())
        }
    }
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
    let person = people::get(&mut conn, id).await?;
    let grants = people::grants(&mut conn, id).await?;
    let units = units::list(&mut conn).await?;
    drop(conn);
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
    match directory::update_person(&state.db, &actor(&user, &client.ip), &id, &form.input()).await {
        Ok(()) => Ok(redirect_with_flash(
            &format!("/admin/people/{id}"),
            FlashKind::Success,
            "人员信息已保存。",
        )),
        Err(error) => {
            let Some(message) = error.user_message() else {
                return Err(error);
            };
            let template = render_person(&state, page, &id, None, Some(message)).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, template).into_response())
        }
    }
}

/// Redirects back to the person's page with the outcome of an action as the message.
fn back_to_person(id: &str, result: AppResult<String>) -> AppResult<Response> {
    let location = format!("/admin/people/{id}");
    match result {
        Ok(message) => Ok(redirect_with_flash(&location, FlashKind::Success, message)),
        Err(error) => match error.user_message() {
            Some(message) => Ok(redirect_with_flash(&location, FlashKind::Error, message)),
            None => Err(error),
        },
    }
}

#[derive(serde::Deserialize)]
struct RoleForm {
    role: String,
    #[serde(default)]
    office_id: String,
    #[serde(default)]
    unit_id: String,
}

async fn grant_role(
    State(state): State<AppState>,
    user: CurrentUser,
    client: ClientInfo,
    Path(id): Path<String>,
    Form(form): Form<RoleForm>,
) -> AppResult<Response> {
    let result = async {
        let kind: RoleKind = form.role.parse()?;
        let scope = match kind.scope() {
            Some(xueshi_core::role::ScopeKind::Office) => Some(form.office_id.as_str()),
            Some(xueshi_core::role::ScopeKind::Unit) => Some(form.unit_id.as_str()),
            None => None,
        };
        let role = directory::role_with_scope(&state.db, &form.role, scope).await?;
        let added = directory::grant_role(&state.db, &user, &client.ip, &id, &role).await?;
        Ok(if added {
            format!("已授予“{}”角色。", kind.label())
        } else {
            "此人已有该角色，未做更改。".to_owned()
        })
    }
    .await;
    back_to_person(&id, result)
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
    let result = async {
        let kind: RoleKind = form.role.parse()?;
        let role = Role {
            kind,
            scope_id: Some(form.scope_id.clone()).filter(|s| !s.is_empty()),
        };
        directory::revoke_role(&state.db, &user, &client.ip, &id, &role).await?;
        Ok(format!("已撤销“{}”角色。", kind.label()))
    }
    .await;
    back_to_person(&id, result)
}

/// Sets a one-time password and shows it once on the page that answers the request.
async fn reset_password(
    State(state): State<AppState>,
    page: Page,
    user: CurrentUser,
    client: ClientInfo,
    Path(id): Path<String>,
) -> AppResult<Response> {
    match directory::reset_password(&state.db, &actor(&user, &client.ip), &id).await {
        Ok(secret) => Ok(render_person(&state, page, &id, Some(secret), None)
            .await?
            .into_response()),
        Err(error) => back_to_person(&id, Err(error)),
    }
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
    let active = form.active == "1";
    let result = directory::set_active(&state.db, &user, &client.ip, &id, active)
        .await
        .map(|()| {
            if active {
                "已恢复在职。".to_owned()
            } else {
                "已标记为离职，此人无法再登录；其历史记录保留。".to_owned()
            }
        });
    back_to_person(&id, result)
}
