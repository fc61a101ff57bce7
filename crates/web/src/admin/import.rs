//! The roster import page: upload with a progress bar, a preview of every change and
//! error, then a confirmation that writes.

use crate::extract::Form;
use crate::extract::Multipart;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use bytes::Bytes;

use crate::AppState;
use crate::access::{CENTER, Route};
use crate::auth::{ClientInfo, CurrentUser};
use crate::directory::actor;
use crate::error::{AppError, AppResult};
use crate::import::roster::{self, ImportError, RosterOptions, RosterReport};
use crate::import::{MAX_IMPORT_BYTES, read_upload};
use crate::page::{FlashKind, Page, redirect_with_flash};

pub fn routes() -> Vec<Route> {
    vec![
        Route::get("/admin/import/roster", CENTER, get(form)),
        Route::post(
            "/admin/import/roster/preview",
            CENTER,
            post(preview).layer(crate::import::body_limit()),
        ),
        Route::post("/admin/import/roster/apply", CENTER, post(apply)),
    ]
}

/// How many planned changes the preview lists before summarizing.
const PREVIEW_ROWS: usize = 300;

#[derive(Template, WebTemplate)]
#[template(path = "admin/import_roster.html")]
struct ImportPage {
    page: Page,
    error: Option<String>,
    report: Option<RosterReport>,
    /// The stored upload the confirmation applies.
    upload: String,
    sheet: String,
    skip_invalid: bool,
    max_mb: usize,
    preview_rows: usize,
}

impl ImportPage {
    fn new(page: Page) -> Self {
        Self {
            page: page.titled("导入教职工名单"),
            error: None,
            report: None,
            upload: String::new(),
            sheet: String::new(),
            skip_invalid: false,
            max_mb: MAX_IMPORT_BYTES / 1024 / 1024,
            preview_rows: PREVIEW_ROWS,
        }
    }

    fn can_apply(&self) -> bool {
        self.report.as_ref().is_some_and(|r| {
            (r.errors.is_empty() || self.skip_invalid) && r.created + r.updated > 0
        })
    }

    fn action_label(&self, action: &str) -> &'static str {
        match action {
            "created" => "新增",
            "updated" => "更新",
            _ => "无变化",
        }
    }
}

async fn form(page: Page) -> ImportPage {
    ImportPage::new(page)
}

async fn preview(
    State(state): State<AppState>,
    page: Page,
    user: CurrentUser,
    client: ClientInfo,
    Multipart(multipart): Multipart,
) -> AppResult<Response> {
    let mut template = ImportPage::new(page);
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
    template.sheet = upload.field("sheet").unwrap_or_default();
    template.skip_invalid = upload.flag("skip_invalid");
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

    let options = RosterOptions {
        dry_run: true,
        skip_invalid: template.skip_invalid,
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
        Ok(report) => template.report = Some(report),
        Err(ImportError::File(message)) => {
            template.error = Some(message);
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, template).into_response());
        }
        Err(ImportError::Internal(error)) => return Err(AppError::Internal(error)),
    }
    Ok(template.into_response())
}

#[derive(serde::Deserialize)]
struct ApplyForm {
    upload: String,
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
    let bytes = match state.blobs.get_bytes(sha256).await {
        Ok(bytes) => bytes.to_vec(),
        Err(_) => {
            return Err(AppError::BadRequest(
                "找不到已上传的文件，请重新上传。".into(),
            ));
        }
    };
    let options = RosterOptions {
        dry_run: false,
        skip_invalid: !form.skip_invalid.is_empty(),
        sheet: Some(form.sheet.clone()).filter(|s| !s.is_empty()),
    };
    let report = match roster::import_roster(
        &state.db,
        bytes,
        file_name,
        &options,
        &actor(&user, &client.ip),
    )
    .await
    {
        Ok(report) => report,
        Err(ImportError::File(message)) => return Err(AppError::invalid(message)),
        Err(ImportError::Internal(error)) => return Err(AppError::Internal(error)),
    };
    if report.written {
        return Ok(redirect_with_flash(
            "/admin/people",
            FlashKind::Success,
            report.message,
        ));
    }
    // Nothing written: the file changed nothing or has errors; show the report again.
    let mut template = ImportPage::new(page);
    template.upload = form.upload;
    template.sheet = form.sheet;
    template.skip_invalid = options.skip_invalid;
    template.report = Some(report);
    Ok(template.into_response())
}
