//! Units (院部) and their offices (教研室).

use crate::extract::Form;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use xueshi_core::UnitKind;
use xueshi_store::units::{self, Office, Unit};

use crate::AppState;
use crate::access::{ADMINS, Route};
use crate::auth::{ClientInfo, CurrentUser};
use crate::directory::{self, REVIEW_CHAINS, UnitChanges, actor};
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

#[derive(Template, WebTemplate)]
#[template(path = "admin/units.html")]
struct UnitsPage {
    page: Page,
    units: Vec<Unit>,
    error: Option<String>,
    name: String,
}

impl UnitsPage {
    fn chain_label(&self, chain: &str) -> &'static str {
        directory::chain_label(chain)
    }
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

async fn create(
    State(state): State<AppState>,
    page: Page,
    user: CurrentUser,
    client: ClientInfo,
    Form(form): Form<UnitForm>,
) -> AppResult<Response> {
    let result = match form.kind.parse::<UnitKind>() {
        Ok(kind) => {
            directory::create_unit(&state.db, &actor(&user, &client.ip), &form.name, kind).await
        }
        Err(error) => Err(error.into()),
    };
    match result {
        Ok((_, name)) => Ok(redirect_with_flash(
            "/admin/units",
            FlashKind::Success,
            format!("已添加单位“{}”。", name.display),
        )),
        Err(error) => {
            let Some(message) = error.user_message() else {
                return Err(error);
            };
            let units = units::list(&mut *state.db.conn().await?).await?;
            let template = UnitsPage {
                page: page.titled("单位与教研室"),
                units,
                error: Some(message),
                name: form.name,
            };
            Ok((StatusCode::UNPROCESSABLE_ENTITY, template).into_response())
        }
    }
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

async fn render_unit(
    state: &AppState,
    page: Page,
    id: &str,
    error: Option<String>,
) -> AppResult<UnitPage> {
    let mut conn = state.db.conn().await?;
    let unit = units::get(&mut conn, id).await?;
    let offices = units::offices(&mut conn, id).await?;
    Ok(UnitPage {
        page: page.titled(unit.name.clone()),
        unit,
        offices,
        chains: REVIEW_CHAINS.to_vec(),
        error,
    })
}

async fn detail(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<String>,
) -> AppResult<UnitPage> {
    render_unit(&state, page, &id, None).await
}

async fn update(
    State(state): State<AppState>,
    page: Page,
    user: CurrentUser,
    client: ClientInfo,
    Path(id): Path<String>,
    Form(form): Form<UnitForm>,
) -> AppResult<Response> {
    let changes = (|| -> AppResult<UnitChanges> {
        let sort_order =
            match form
                .sort_order
                .as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
            {
                Some(text) => Some(text.parse::<i64>().map_err(|_| {
                    AppError::invalid(format!("排序“{text}”不是整数，请填写数字。"))
                })?),
                None => None,
            };
        Ok(UnitChanges {
            name: Some(form.name.clone()),
            kind: Some(form.kind.parse()?),
            sort_order,
            review_chain: form.review_chain.clone(),
        })
    })();
    let result = match changes {
        Ok(changes) => {
            directory::update_unit(&state.db, &actor(&user, &client.ip), &id, &changes).await
        }
        Err(error) => Err(error),
    };
    match result {
        Ok(()) => Ok(redirect_with_flash(
            &format!("/admin/units/{id}"),
            FlashKind::Success,
            "单位信息已保存。",
        )),
        Err(error) => {
            let Some(message) = error.user_message() else {
                return Err(error);
            };
            let template = render_unit(&state, page, &id, Some(message)).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, template).into_response())
        }
    }
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
    let location = format!("/admin/units/{unit_id}");
    match directory::create_office(&state.db, &actor(&user, &client.ip), &unit_id, &form.name).await
    {
        Ok((_, name)) => Ok(redirect_with_flash(
            &location,
            FlashKind::Success,
            format!("已添加教研室“{}”。", name.display),
        )),
        Err(error) => match error.user_message() {
            Some(message) => Ok(redirect_with_flash(&location, FlashKind::Error, message)),
            None => Err(error),
        },
    }
}

async fn rename_office(
    State(state): State<AppState>,
    user: CurrentUser,
    client: ClientInfo,
    Path(id): Path<String>,
    Form(form): Form<OfficeForm>,
) -> AppResult<Response> {
    let unit_id = units::get_office(&mut *state.db.conn().await?, &id)
        .await?
        .unit_id;
    let location = format!("/admin/units/{unit_id}");
    match directory::rename_office(&state.db, &actor(&user, &client.ip), &id, &form.name).await {
        Ok(_) => Ok(redirect_with_flash(
            &location,
            FlashKind::Success,
            "教研室名称已修改。",
        )),
        Err(error) => match error.user_message() {
            Some(message) => Ok(redirect_with_flash(&location, FlashKind::Error, message)),
            None => Err(error),
        },
    }
}
