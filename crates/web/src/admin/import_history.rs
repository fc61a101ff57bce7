//! The history import page: a past term's results uploaded with a progress bar, a preview
//! of the claims, people and units it adds and of every error, then a confirmation that
//! writes.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use bytes::Bytes;
use xueshi_core::TermCode;
use xueshi_store::terms;

use crate::AppState;
use crate::access::{CENTER, Route};
use crate::auth::{ClientInfo, CurrentUser};
use crate::directory::actor;
use crate::error::{AppError, AppResult};
use crate::extract::{Form, Multipart};
use crate::import::history::{self, HistoryImportError, HistoryOptions, HistoryReport};
use crate::import::{MAX_IMPORT_BYTES, read_upload};
use crate::page::{FlashKind, Page, redirect_with_flash};

pub fn routes() -> Vec<Route> {
    vec![
        Route::get("/admin/import/history", CENTER, get(form)),
        Route::post(
            "/admin/import/history/preview",
            CENTER,
            post(preview).layer(crate::import::body_limit()),
        ),
        Route::post("/admin/import/history/apply", CENTER, post(apply)),
    ]
}

/// How many new people, errors and warnings the preview lists before summarizing.
const PREVIEW_ROWS: usize = 300;

#[derive(Template, WebTemplate)]
#[template(path = "admin/import_history.html")]
struct ImportPage {
    page: Page,
    error: Option<String>,
    report: Option<HistoryReport>,
    /// The stored upload the confirmation applies.
    upload: String,
    term: String,
    /// Codes of the terms that exist, offered as suggestions.
    known_terms: Vec<String>,
    sheet: String,
    skip_invalid: bool,
    max_mb: usize,
    preview_rows: usize,
}

impl ImportPage {
    async fn new(state: &AppState, page: Page) -> AppResult<Self> {
        let mut conn = state.db.conn().await?;
        let known_terms = terms::list(&mut conn)
            .await?
            .into_iter()
            .map(|term| term.code.to_string())
            .collect();
        Ok(Self {
            page: page.titled("导入历史认定记录"),
            error: None,
            report: None,
            upload: String::new(),
            term: String::new(),
            known_terms,
            sheet: String::new(),
            skip_invalid: false,
            max_mb: MAX_IMPORT_BYTES / 1024 / 1024,
            preview_rows: PREVIEW_ROWS,
        })
    }

    fn can_apply(&self) -> bool {
        self.report.as_ref().is_some_and(|r| {
            !r.written && (r.errors.is_empty() || self.skip_invalid) && r.created > 0
        })
    }
}

/// Parses the term field, or returns the message to show beside the form.
fn parse_term(raw: Option<&str>) -> Result<TermCode, String> {
    match raw.map(str::trim).filter(|raw| !raw.is_empty()) {
        None => Err("请填写这些记录所属的学年学期，如 2022-2023-2。".to_owned()),
        Some(raw) => TermCode::parse(raw).map_err(|error| error.message),
    }
}

async fn form(State(state): State<AppState>, page: Page) -> AppResult<ImportPage> {
    ImportPage::new(&state, page).await
}

async fn preview(
    State(state): State<AppState>,
    page: Page,
    user: CurrentUser,
    client: ClientInfo,
    Multipart(multipart): Multipart,
) -> AppResult<Response> {
    let mut template = ImportPage::new(&state, page).await?;
    let upload = match read_upload(multipart).await {
        Ok(upload) => upload,
        Err(error) => {
            let status = if matches!(error, AppError::TooLarge(_)) {
                StatusCode::PAYLOAD_TOO_LARGE
            } else {
                StatusCode::UNPROCESSABLE_ENTITY
            };
            let Some(message) = error.user_message() else {
                return Err(error);
            };
            template.error = Some(message);
            return Ok((status, template).into_response());
        }
    };
    template.term = upload.field("term").unwrap_or_default();
    template.sheet = upload.field("sheet").unwrap_or_default();
    template.skip_invalid = upload.flag("skip_invalid");
    let term = match parse_term(upload.field("term").as_deref()) {
        Ok(term) => term,
        Err(message) => {
            template.error = Some(message);
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, template).into_response());
        }
    };
    template.term = term.to_string();

    let stored = state
        .blobs
        .put_stream(
            futures::stream::once(futures::future::ready(Ok::<_, std::io::Error>(
                Bytes::from(upload.bytes.clone()),
            ))),
            MAX_IMPORT_BYTES as u64,
        )
        .await
        .map_err(|error| AppError::Internal(error.into()))?;
    template.upload = format!("{}:{}", stored.sha256, upload.file_name);

    let options = HistoryOptions {
        term,
        dry_run: true,
        skip_invalid: template.skip_invalid,
        sheet: upload.field("sheet"),
    };
    let result = history::import_history(
        &state.db,
        upload.bytes,
        &upload.file_name,
        &options,
        &actor(&user, &client.ip),
    )
    .await;
    match result {
        Ok(report) => template.report = Some(report),
        Err(HistoryImportError::File(message) | HistoryImportError::Conflict(message)) => {
            template.error = Some(message);
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, template).into_response());
        }
        Err(HistoryImportError::Internal(error)) => return Err(AppError::Internal(error)),
    }
    Ok(template.into_response())
}

#[derive(serde::Deserialize)]
struct ApplyForm {
    upload: String,
    #[serde(default)]
    term: String,
    #[serde(default)]
    sheet: String,
    #[serde(default)]
    skip_invalid: String,
}

async fn apply(
    State(state): State<AppState>,
    page: Page,
    user: CurrentUser,
    client: ClientInfo,
    Form(form): Form<ApplyForm>,
) -> AppResult<Response> {
    let (sha256, file_name) = form
        .upload
        .split_once(':')
        .ok_or_else(|| AppError::BadRequest("导入请求不完整，请重新上传文件。".into()))?;
    let term = parse_term(Some(&form.term)).map_err(AppError::invalid)?;

    let Ok(bytes) = state.blobs.get_bytes(sha256).await else {
        return Err(AppError::BadRequest(
            "找不到已上传的文件，请重新上传。".into(),
        ));
    };

    let options = HistoryOptions {
        term,
        dry_run: false,
        skip_invalid: !form.skip_invalid.is_empty(),
        sheet: Some(form.sheet.clone()).filter(|s| !s.is_empty()),
    };
    let result = history::import_history(
        &state.db,
        bytes.to_vec(),
        file_name,
        &options,
        &actor(&user, &client.ip),
    )
    .await;
    let report = match result {
        Ok(report) => report,
        Err(HistoryImportError::File(message)) => return Err(AppError::invalid(message)),
        Err(HistoryImportError::Conflict(message)) => return Err(AppError::Conflict(message)),
        Err(HistoryImportError::Internal(error)) => return Err(AppError::Internal(error)),
    };
    if report.written {
        return Ok(redirect_with_flash(
            "/admin/import/history",
            FlashKind::Success,
            report.message,
        ));
    }
    // Nothing written: the rows were imported before or have errors; show the report again.
    let mut template = ImportPage::new(&state, page).await?;
    template.upload = form.upload;
    template.term = term.to_string();
    template.sheet = form.sheet;
    template.skip_invalid = options.skip_invalid;
    template.report = Some(report);
    Ok(template.into_response())
}
