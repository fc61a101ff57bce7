//! Units (院部) and their offices (教研室).

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::{get, post};
use xueshi_core::UnitKind;
use xueshi_core::unit::OrgName;
use xueshi_store::audit::{self, Actor, AuditEntry};
use xueshi_store::units::{self, Office, Unit};

use crate::AppState;
use crate::access::{ADMINS, Route};
use crate::auth::{ClientInfo, CurrentUser};
use crate::error::{AppError, AppResult};
use crate::page::{FlashKind, Page, redirect_with_flash};

pub fn routes() -> Vec<Route> {
    vec![
        Route::get("/admin/units", ADMINS, get(list)),
        Route::post("/admin/units", ADMINS, post(create)),
        Route::get("/admin/units/{id}", ADMINS, get(detail)),
        Route::post("/admin/units/{id}", ADMINS, post(update)),
        Route::post("/admin/units/{id}/offices", ADMINS, post(create_office)),
        Route::post("/admin/offices/{id}", ADMINS, post(rename_office)),
    ]
}

/// The review chains an administrator can pick for a unit.
pub const REVIEW_CHAINS: [(&str, &str); 3] = [
    ("office,unit,school", "教研室 → 院（部） → 学校"),
    ("unit,school", "院（部） → 学校"),
    ("school", "仅学校审核"),
];

pub fn chain_label(chain: &str) -> &'static str {
    REVIEW_CHAINS
        .iter()
        .find(|(code, _)| *code == chain)
        .map(|(_, label)| *label)
        .unwrap_or("自定义")
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/units.html")]
struct UnitsPage {
    page: Page,
    units: Vec<Unit>,
    error: Option<String>,
    name: String,
}

async fn list(State(state): State<AppState>, page: Page) -> AppResult<UnitsPage> {
    let units = units::list(&mut *state.db.conn().await?).await?;
    Ok(UnitsPage {
        page: page.titled("单位与教研室"),
        units,
        error: None,
        name: String::new(),
    })
}

#[derive(serde::Deserialize)]
struct UnitForm {
    name: String,
    kind: String,
    #[serde(default)]
    sort_order: Option<String>,
    #[serde(default)]
    review_chain: Option<String>,
}

fn actor(user: &CurrentUser, client: &ClientInfo) -> Actor {
    Actor::person(&user.person_id, Some(client.ip.clone()))
}

async fn create(
    State(state): State<AppState>,
    page: Page,
    user: CurrentUser,
    client: ClientInfo,
    Form(form): Form<UnitForm>,
) -> AppResult<Response> {
    let mut conn = state.db.conn().await?;
    let conn = &mut *conn;
    let parsed = OrgName::parse("单位名称", &form.name)
        .and_then(|name| Ok((name, form.kind.parse::<UnitKind>()?)));
    let (name, kind) = match parsed {
        Ok(pair) => pair,
        Err(error) => {
            let units = units::list(conn).await?;
            let page = UnitsPage {
                page: page.titled("单位与教研室"),
                units,
                error: Some(error.message),
                name: form.name,
            };
            return Ok(with_status(
                axum::http::StatusCode::UNPROCESSABLE_ENTITY,
                page,
            ));
        }
    };
    if let Some(existing) = units::find_by_key(conn, &name.key).await? {
        let units = units::list(conn).await?;
        let message = format!("单位“{}”已存在，无需重复添加。", existing.name);
        let page = UnitsPage {
            page: page.titled("单位与教研室"),
            units,
            error: Some(message),
            name: form.name,
        };
        return Ok(with_status(axum::http::StatusCode::CONFLICT, page));
    }
    let mut tx = state.db.begin_write().await?;
    let id = units::create(&mut tx, &name, kind).await?;
    let after = serde_json::json!({ "name": name.display, "kind": kind.as_str() });
    let entry = AuditEntry {
        entity: "unit",
        entity_id: &id,
        action: "create",
        after: Some(after),
        ..Default::default()
    };
    audit::append(&mut tx, &actor(&user, &client), &entry).await?;
    xueshi_store::commit(tx).await?;
    Ok(redirect_with_flash(
        "/admin/units",
        FlashKind::Success,
        format!("已添加单位“{}”。", name.display),
    ))
}

fn with_status(
    status: axum::http::StatusCode,
    body: impl axum::response::IntoResponse,
) -> Response {
    let mut response = body.into_response();
    *response.status_mut() = status;
    response
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/unit.html")]
struct UnitPage {
    page: Page,
    unit: Unit,
    offices: Vec<Office>,
    chains: Vec<(&'static str, &'static str)>,
    error: Option<String>,
}

async fn detail(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<String>,
) -> AppResult<UnitPage> {
    let mut conn = state.db.conn().await?;
    let conn = &mut *conn;
    let unit = units::get(conn, &id).await?;
    let offices = units::offices(conn, &id).await?;
    Ok(UnitPage {
        page: page.titled(unit.name.clone()),
        unit,
        offices,
        chains: REVIEW_CHAINS.to_vec(),
        error: None,
    })
}

async fn update(
    State(state): State<AppState>,
    page: Page,
    user: CurrentUser,
    client: ClientInfo,
    Path(id): Path<String>,
    Form(form): Form<UnitForm>,
) -> AppResult<Response> {
    let mut conn = state.db.conn().await?;
    let conn = &mut *conn;
    let before = units::get(conn, &id).await?;
    let parsed = (|| -> Result<_, String> {
        let name = OrgName::parse("单位名称", &form.name).map_err(|e| e.message)?;
        let kind = form.kind.parse::<UnitKind>().map_err(|e| e.message)?;
        let sort_order = match form
            .sort_order
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            Some(text) => text
                .parse::<i64>()
                .map_err(|_| format!("排序“{text}”不是整数，请填写数字。"))?,
            None => before.sort_order,
        };
        let chain = form
            .review_chain
            .clone()
            .unwrap_or_else(|| before.review_chain.clone());
        if !REVIEW_CHAINS.iter().any(|(code, _)| *code == chain) {
            return Err("审核流程无效，请从列表中选择。".to_owned());
        }
        Ok((name, kind, sort_order, chain))
    })();
    let (name, kind, sort_order, chain) = match parsed {
        Ok(values) => values,
        Err(message) => {
            let offices = units::offices(conn, &id).await?;
            let template = UnitPage {
                page: page.titled(before.name.clone()),
                unit: before,
                offices,
                chains: REVIEW_CHAINS.to_vec(),
                error: Some(message),
            };
            return Ok(with_status(
                axum::http::StatusCode::UNPROCESSABLE_ENTITY,
                template,
            ));
        }
    };
    let mut tx = state.db.begin_write().await?;
    match units::update(&mut tx, &id, &name, kind, sort_order, &chain).await {
        Err(xueshi_store::StoreError::Unique(_)) => {
            return Err(AppError::Conflict(format!(
                "已有名为“{}”的单位，请换一个名称。",
                name.display
            )));
        }
        other => other?,
    }
    let entry = AuditEntry {
        entity: "unit",
        entity_id: &id,
        action: "update",
        before: Some(
            serde_json::json!({ "name": before.name, "kind": before.kind.as_str(), "sort_order": before.sort_order, "review_chain": before.review_chain }),
        ),
        after: Some(
            serde_json::json!({ "name": name.display, "kind": kind.as_str(), "sort_order": sort_order, "review_chain": chain }),
        ),
        ..Default::default()
    };
    audit::append(&mut tx, &actor(&user, &client), &entry).await?;
    xueshi_store::commit(tx).await?;
    Ok(redirect_with_flash(
        &format!("/admin/units/{id}"),
        FlashKind::Success,
        "单位信息已保存。",
    ))
}

#[derive(serde::Deserialize)]
struct OfficeForm {
    name: String,
}

async fn create_office(
    State(state): State<AppState>,
    user: CurrentUser,
    client: ClientInfo,
    Path(unit_id): Path<String>,
    Form(form): Form<OfficeForm>,
) -> AppResult<Response> {
    let mut conn = state.db.conn().await?;
    let conn = &mut *conn;
    let unit = units::get(conn, &unit_id).await?;
    let location = format!("/admin/units/{unit_id}");
    let name = match OrgName::parse("教研室名称", &form.name) {
        Ok(name) => name,
        Err(error) => {
            return Ok(redirect_with_flash(
                &location,
                FlashKind::Error,
                error.message,
            ));
        }
    };
    if units::find_office_by_key(conn, &unit_id, &name.key)
        .await?
        .is_some()
    {
        return Ok(redirect_with_flash(
            &location,
            FlashKind::Warning,
            format!("{}已有“{}”，无需重复添加。", unit.name, name.display),
        ));
    }
    let mut tx = state.db.begin_write().await?;
    let id = units::create_office(&mut tx, &unit_id, &name).await?;
    let after = serde_json::json!({ "unit": unit.name, "name": name.display });
    let entry = AuditEntry {
        entity: "office",
        entity_id: &id,
        action: "create",
        after: Some(after),
        ..Default::default()
    };
    audit::append(&mut tx, &actor(&user, &client), &entry).await?;
    xueshi_store::commit(tx).await?;
    Ok(redirect_with_flash(
        &location,
        FlashKind::Success,
        format!("已添加教研室“{}”。", name.display),
    ))
}

async fn rename_office(
    State(state): State<AppState>,
    user: CurrentUser,
    client: ClientInfo,
    Path(id): Path<String>,
    Form(form): Form<OfficeForm>,
) -> AppResult<Response> {
    let mut conn = state.db.conn().await?;
    let conn = &mut *conn;
    let office = units::get_office(conn, &id).await?;
    let location = format!("/admin/units/{}", office.unit_id);
    let name = match OrgName::parse("教研室名称", &form.name) {
        Ok(name) => name,
        Err(error) => {
            return Ok(redirect_with_flash(
                &location,
                FlashKind::Error,
                error.message,
            ));
        }
    };
    let mut tx = state.db.begin_write().await?;
    match units::rename_office(&mut tx, &id, &name).await {
        Err(xueshi_store::StoreError::Unique(_)) => {
            return Ok(redirect_with_flash(
                &location,
                FlashKind::Error,
                format!("本单位已有名为“{}”的教研室。", name.display),
            ));
        }
        other => other?,
    }
    let entry = AuditEntry {
        entity: "office",
        entity_id: &id,
        action: "rename",
        before: Some(serde_json::json!({ "name": office.name })),
        after: Some(serde_json::json!({ "name": name.display })),
        ..Default::default()
    };
    audit::append(&mut tx, &actor(&user, &client), &entry).await?;
    xueshi_store::commit(tx).await?;
    Ok(redirect_with_flash(
        &location,
        FlashKind::Success,
        "教研室名称已修改。",
    ))
}
