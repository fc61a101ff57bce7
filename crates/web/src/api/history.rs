//! History import for the center's scripts.

use axum::Json;
use axum::extract::State;
use axum::routing::post;
use xueshi_core::TermCode;

use crate::AppState;
use crate::access::{CENTER, Route};
use crate::auth::{ClientInfo, CurrentUser};
use crate::directory::actor;
use crate::error::{AppError, AppResult};
use crate::extract::Multipart;
use crate::import::history::{self, HistoryImportError, HistoryOptions, HistoryReport};

pub fn routes() -> Vec<Route> {
    vec![Route::post(
        "/api/v1/import/history",
        CENTER,
        post(import_history).layer(crate::import::body_limit()),
    )]
}

/// The multipart form of a history import.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
pub struct HistoryUpload {
    /// The .xlsx, .xls or .csv file.
    #[schema(format = Binary, value_type = String)]
    file: Vec<u8>,
    /// The term of the records, e.g. "2022-2023-2"; created when missing.
    term: String,
    /// "true" to report without writing.
    dry_run: Option<bool>,
    /// "true" to write the valid rows even when others are invalid.
    skip_invalid: Option<bool>,
    /// Sheet to read instead of the first visible one.
    sheet: Option<String>,
}

/// Imports a past term's accreditation results and returns the report that
/// `xueshi import history --json` prints.
#[utoipa::path(post, path = "/api/v1/import/history", request_body(content = HistoryUpload, content_type = "multipart/form-data"),
    responses((status = 200, body = Object, description = "导入报告：created、duplicates_skipped、people_created、units_created、skipped、errors"),
        (status = 409, body = super::ErrorBody), (status = 413, body = super::ErrorBody), (status = 422, body = super::ErrorBody)))]
pub async fn import_history(
    State(state): State<AppState>,
    user: CurrentUser,
    client: ClientInfo,
    Multipart(multipart): Multipart,
) -> AppResult<Json<HistoryReport>> {
    let upload = crate::import::read_upload(multipart).await?;
    let Some(term) = upload.field("term") else {
        return Err(AppError::invalid(
            "请在 term 字段填写记录所属的学年学期，如 2022-2023-2。",
        ));
    };
    let options = HistoryOptions {
        term: TermCode::parse(&term)?,
        dry_run: upload.flag("dry_run"),
        skip_invalid: upload.flag("skip_invalid"),
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
        Ok(report) => Ok(Json(report)),
        Err(HistoryImportError::File(message)) => Err(AppError::invalid(message)),
        Err(HistoryImportError::Conflict(message)) => Err(AppError::Conflict(message)),
        Err(HistoryImportError::Internal(error)) => Err(AppError::Internal(error)),
    }
}
