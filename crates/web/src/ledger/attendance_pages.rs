//! The attendance import of an activity: upload a sign-in sheet, preview how each row
//! matches, then confirm to write.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use bytes::Bytes;
use xueshi_store::activities::Activity;

use super::{LEDGER, managed_activity};
use crate::AppState;
use crate::access::Route;
use crate::auth::{ClientInfo, CurrentUser};
use crate::directory::actor;
use crate::error::{AppError, AppResult};
use crate::extract::{Form, Multipart};
use crate::import::attendance::{
    AttendanceError, AttendanceOptions, AttendanceReport, MatchedBy, RowOutcome, import_attendance,
};
use crate::import::{MAX_IMPORT_BYTES, read_upload};
use crate::page::{FlashKind, Page, redirect_with_flash};

pub fn routes() -> Vec<Route> {
    vec![
        Route::post(
            "/ledger/{id}/attendance/preview",
            LEDGER,
            post(preview).layer(crate::import::body_limit()),
        ),
        Route::post("/ledger/{id}/attendance/apply", LEDGER, post(apply)),
    ]
}

/// How many matched rows the preview lists before summarizing.
const PREVIEW_ROWS: usize = 300;

#[derive(Template, WebTemplate)]
#[template(path = "ledger/attendance_import.html")]
struct ImportPage {
    page: Page,
    activity: Activity,
    error: Option<String>,
    report: Option<AttendanceReport>,
    /// The stored upload the confirmation applies, as `sha256:file name`.
    upload: String,
    sheet: String,
    max_mb: usize,
    preview_rows: usize,
}

impl ImportPage {
    fn new(page: Page, activity: Activity) -> Self {
        Self {
            page: page.titled(format!("导入签到表 · {}", activity.title)),
            activity,
            error: None,
            report: None,
            upload: String::new(),
            sheet: String::new(),
            max_mb: MAX_IMPORT_BYTES / 1024 / 1024,
            preview_rows: PREVIEW_ROWS,
        }
    }

    fn can_apply(&self) -> bool {
        self.report
            .as_ref()
            .is_some_and(|report| !report.written && report.added > 0)
    }

    fn outcome_label(&self, outcome: &RowOutcome) -> &'static str {
        match outcome {
            RowOutcome::Added => "新增",
            RowOutcome::AlreadyPresent => "已在名单中",
            RowOutcome::Repeated => "表内重复",
        }
    }

    fn matched_by_label(&self, matched_by: &MatchedBy) -> &'static str {
        match matched_by {
            MatchedBy::StaffId => "工号",
            MatchedBy::Name => "姓名",
        }
    }
}

/// Turns an import failure into the page's message, or an error for the error page.
fn import_failure(error: AttendanceError) -> AppResult<String> {
    match error {
        AttendanceError::ActivityNotFound => Err(AppError::NotFound),
        AttendanceError::File(message) => Ok(message),
        AttendanceError::Internal(error) => Err(AppError::Internal(error)),
    }
}

async fn preview(
    State(state): State<AppState>,
    page: Page,
    user: CurrentUser,
    client: ClientInfo,
    Path(id): Path<String>,
    Multipart(multipart): Multipart,
) -> AppResult<Response> {
    let activity = managed_activity(&mut *state.db.conn().await?, &user, &id).await?;
    let mut template = ImportPage::new(page, activity);
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

    let options = AttendanceOptions {
        dry_run: true,
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
        Ok(report) => template.report = Some(report),
        Err(error) => {
            template.error = Some(import_failure(error)?);
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, template).into_response());
        }
    }
    Ok(template.into_response())
}

#[derive(serde::Deserialize)]
struct ApplyForm {
    #[serde(default)]
    upload: String,
    #[serde(default)]
    sheet: String,
}

async fn apply(
    State(state): State<AppState>,
    page: Page,
    user: CurrentUser,
    client: ClientInfo,
    Path(id): Path<String>,
    Form(form): Form<ApplyForm>,
) -> AppResult<Response> {
    let activity = managed_activity(&mut *state.db.conn().await?, &user, &id).await?;
    let (sha256, file_name) = form
        .upload
        .split_once(':')
        .ok_or_else(|| AppError::BadRequest("导入请求不完整，请重新上传签到表。".into()))?;
    let bytes = match state.blobs.get_bytes(sha256).await {
        Ok(bytes) => bytes.to_vec(),
        Err(error) => {
            tracing::warn!(activity.id = %id, error = %error, "stored sign-in sheet not readable");
            return Err(AppError::BadRequest(
                "找不到已上传的签到表，请重新上传。".into(),
            ));
        }
    };
    let options = AttendanceOptions {
        dry_run: false,
        sheet: Some(form.sheet.clone()).filter(|sheet| !sheet.trim().is_empty()),
    };
    let result = import_attendance(
        &state.db,
        &id,
        bytes,
        file_name,
        &options,
        &actor(&user, &client.ip),
    )
    .await;
    let mut template = ImportPage::new(page, activity);
    template.upload = form.upload.clone();
    template.sheet = form.sheet;
    match result {
        Ok(report) if report.written => Ok(redirect_with_flash(
            &format!("/ledger/{id}#attendance"),
            FlashKind::Success,
            report.message,
        )),
        Ok(report) => {
            // Nothing new to write; show the report again.
            template.report = Some(report);
            Ok(template.into_response())
        }
        Err(error) => {
            template.error = Some(import_failure(error)?);
            Ok((StatusCode::UNPROCESSABLE_ENTITY, template).into_response())
        }
    }
}
