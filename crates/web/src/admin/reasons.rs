//! The center's list of rejection reasons (未通过原因): adding, renaming, reordering and
//! taking reasons out of the reviewers' pick list. Reasons are never deleted, because
//! past decisions and reports keep pointing at their codes.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use xueshi_core::RejectionReason;
use xueshi_core::text::trim_spaces;
use xueshi_store::audit::{self, AuditEntry};
use xueshi_store::reasons::{self, ReasonRow};
use xueshi_store::{Db, StoreError};

use crate::AppState;
use crate::access::{CENTER, Route};
use crate::auth::{ClientInfo, CurrentUser};
use crate::directory::actor;
use crate::error::{AppError, AppResult};
use crate::extract::Form;
use crate::page::{FlashKind, Page, redirect_with_flash};

const LIST_HREF: &str = "/admin/reasons";

/// Gap between the sort order of the last reason and a reason added without one.
const SORT_STEP: i64 = 10;

pub fn routes() -> Vec<Route> {
    vec![
        Route::get(LIST_HREF, CENTER, get(list)),
        Route::post(LIST_HREF, CENTER, post(create)),
        Route::post("/admin/reasons/{code}", CENTER, post(update)),
        Route::post("/admin/reasons/{code}/active", CENTER, post(set_active)),
    ]
}

/// The values of the add form, kept when it comes back with an error.
#[derive(Debug, Default, serde::Deserialize)]
struct ReasonForm {
    #[serde(default)]
    code: String,
    #[serde(default)]
    label: String,
    #[serde(default)]
    sort_order: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/reasons.html")]
struct ReasonsPage {
    page: Page,
    reasons: Vec<ReasonRow>,
    form: ReasonForm,
    error: Option<String>,
}

async fn render(
    state: &AppState,
    page: Page,
    form: ReasonForm,
    error: Option<String>,
) -> AppResult<ReasonsPage> {
    let reasons = reasons::list_all(&mut *state.db.conn().await?).await?;
    Ok(ReasonsPage {
        page: page.titled("未通过原因"),
        reasons,
        form,
        error,
    })
}

async fn list(State(state): State<AppState>, page: Page) -> AppResult<ReasonsPage> {
    render(&state, page, ReasonForm::default(), None).await
}

/// Parses a sort order. A blank value gives `None`.
fn parse_sort_order(raw: &str) -> AppResult<Option<i64>> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    match raw.parse::<i64>() {
        Ok(value) if (0..=1_000_000).contains(&value) => Ok(Some(value)),
        _ => Err(AppError::invalid(format!(
            "排序号“{raw}”无效，请填写 0 到 1000000 的整数，数字小的排在前面。"
        ))),
    }
}

/// Turns the core's validation messages into one form error.
fn invalid_reason(errors: Vec<xueshi_core::ParseError>) -> AppError {
    let message = errors
        .iter()
        .map(|error| error.message.as_str())
        .collect::<Vec<_>>()
        .join("");
    AppError::invalid(message)
}

async fn create(
    State(state): State<AppState>,
    page: Page,
    user: CurrentUser,
    client: ClientInfo,
    Form(form): Form<ReasonForm>,
) -> AppResult<Response> {
    match add_reason(&state.db, &user, &client.ip, &form).await {
        Ok(reason) => Ok(redirect_with_flash(
            LIST_HREF,
            FlashKind::Success,
            format!("已添加未通过原因“{}”，审核人现在可以选择它。", reason.label),
        )),
        Err(error) => {
            let Some(message) = error.user_message() else {
                return Err(error);
            };
            let template = render(&state, page, form, Some(message)).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, template).into_response())
        }
    }
}

/// Validates and inserts a new active reason with its audit row. Without a sort order
/// the reason goes after the last one.
async fn add_reason(
    db: &Db,
    user: &CurrentUser,
    ip: &str,
    form: &ReasonForm,
) -> AppResult<RejectionReason> {
    let sort_order = parse_sort_order(&form.sort_order)?;
    let mut tx = db.begin_write().await?;
    let sort_order = match sort_order {
        Some(value) => value,
        None => {
            let last = reasons::list_all(&mut tx)
                .await?
                .iter()
                .map(|reason| reason.sort_order)
                .max()
                .unwrap_or(0);
            last + SORT_STEP
        }
    };
    let reason = RejectionReason {
        code: form.code.trim().to_owned(),
        label: trim_spaces(&form.label).to_owned(),
        sort_order,
    };
    reason.validate().map_err(invalid_reason)?;
    reasons::insert(&mut tx, &reason)
        .await
        .map_err(|error| match error {
            StoreError::Unique(_) => AppError::Conflict(format!(
                "原因代码“{}”已被使用，请换一个代码；已停用的原因可以在列表中重新启用。",
                reason.code
            )),
            other => other.into(),
        })?;
    let entry = AuditEntry {
        entity: "rejection_reason",
        entity_id: &reason.code,
        action: "create",
        after: Some(serde_json::json!({ "label": reason.label, "sort_order": reason.sort_order })),
        ..Default::default()
    };
    audit::append(&mut tx, &actor(user, ip), &entry).await?;
    xueshi_store::commit(tx).await?;
    tracing::info!(reason.code = %reason.code, "rejection reason added");
    Ok(reason)
}

#[derive(serde::Deserialize)]
struct RenameForm {
    #[serde(default)]
    label: String,
    #[serde(default)]
    sort_order: String,
}

/// Renames a reason and, when given, moves it. Decisions that gave it show the new name.
async fn update(
    State(state): State<AppState>,
    user: CurrentUser,
    client: ClientInfo,
    Path(code): Path<String>,
    Form(form): Form<RenameForm>,
) -> AppResult<Response> {
    match rename_reason(&state.db, &user, &client.ip, &code, &form).await {
        Ok(label) => Ok(redirect_with_flash(
            LIST_HREF,
            FlashKind::Success,
            format!("已保存未通过原因“{label}”。"),
        )),
        Err(AppError::NotFound) => Err(AppError::NotFound),
        Err(error) => match error.user_message() {
            Some(message) => Ok(redirect_with_flash(LIST_HREF, FlashKind::Error, message)),
            None => Err(error),
        },
    }
}

async fn rename_reason(
    db: &Db,
    user: &CurrentUser,
    ip: &str,
    code: &str,
    form: &RenameForm,
) -> AppResult<String> {
    let sort_order = parse_sort_order(&form.sort_order)?;
    let mut tx = db.begin_write().await?;
    let before = reasons::get(&mut tx, code).await?;
    let reason = RejectionReason {
        code: before.code.clone(),
        label: trim_spaces(&form.label).to_owned(),
        sort_order: sort_order.unwrap_or(before.sort_order),
    };
    reason.validate().map_err(invalid_reason)?;
    reasons::update(&mut tx, code, &reason.label, reason.sort_order).await?;
    let entry = AuditEntry {
        entity: "rejection_reason",
        entity_id: code,
        action: "update",
        before: Some(serde_json::json!({ "label": before.label, "sort_order": before.sort_order })),
        after: Some(serde_json::json!({ "label": reason.label, "sort_order": reason.sort_order })),
        ..Default::default()
    };
    audit::append(&mut tx, &actor(user, ip), &entry).await?;
    xueshi_store::commit(tx).await?;
    Ok(reason.label)
}

#[derive(serde::Deserialize)]
struct ActiveForm {
    /// `1` offers the reason to reviewers, `0` stops offering it.
    #[serde(default)]
    active: String,
}

async fn set_active(
    State(state): State<AppState>,
    user: CurrentUser,
    client: ClientInfo,
    Path(code): Path<String>,
    Form(form): Form<ActiveForm>,
) -> AppResult<Response> {
    let active = match form.active.trim() {
        "1" => true,
        "0" => false,
        other => {
            return Ok(redirect_with_flash(
                LIST_HREF,
                FlashKind::Error,
                format!("启用状态“{other}”无效，请使用列表中的“停用”或“启用”按钮。"),
            ));
        }
    };
    let mut tx = state.db.begin_write().await?;
    let before = reasons::get(&mut tx, &code).await?;
    reasons::set_active(&mut tx, &code, active).await?;
    let entry = AuditEntry {
        entity: "rejection_reason",
        entity_id: &code,
        action: if active { "activate" } else { "deactivate" },
        before: Some(serde_json::json!({ "active": before.active })),
        after: Some(serde_json::json!({ "active": active })),
        ..Default::default()
    };
    audit::append(&mut tx, &actor(&user, &client.ip), &entry).await?;
    xueshi_store::commit(tx).await?;
    let message = if active {
        format!("已启用“{}”，审核人可以再次选择它。", before.label)
    } else {
        format!(
            "已停用“{}”：审核人不能再选择它，已作出的 {} 条决定仍保留该原因。",
            before.label, before.uses
        )
    };
    Ok(redirect_with_flash(LIST_HREF, FlashKind::Success, message))
}
