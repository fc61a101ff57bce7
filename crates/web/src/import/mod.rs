//! Imports from spreadsheets, shared by the pages, the API and the command line.

pub mod attendance;
pub mod history;
pub mod roster;

use std::collections::HashMap;

use axum::extract::multipart::MultipartError;
use axum::extract::{DefaultBodyLimit, Multipart};
use axum::http::StatusCode;
use xueshi_sheets::{SkipReason, SkippedRow};

use crate::error::{AppError, AppResult};

/// Largest spreadsheet accepted by the import routes.
pub const MAX_IMPORT_BYTES: usize = 30 * 1024 * 1024;

/// Raises the request body limit of an import route to [`MAX_IMPORT_BYTES`] (plus room
/// for the other form fields).
pub fn body_limit() -> DefaultBodyLimit {
    DefaultBodyLimit::max(MAX_IMPORT_BYTES + 64 * 1024)
}

/// A spreadsheet upload: the file and the other fields of the form.
pub struct Upload {
    pub file_name: String,
    pub bytes: Vec<u8>,
    pub fields: HashMap<String, String>,
}

impl Upload {
    /// Returns a text field, trimmed, or `None` when absent or blank.
    pub fn field(&self, name: &str) -> Option<String> {
        self.fields
            .get(name)
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
    }

    /// Returns whether a check box or flag field is on ("1", "true", "on").
    pub fn flag(&self, name: &str) -> bool {
        matches!(
            self.field(name).as_deref(),
            Some("1" | "true" | "on" | "yes")
        )
    }
}

fn multipart_error(error: MultipartError) -> AppError {
    if error.status() == StatusCode::PAYLOAD_TOO_LARGE {
        return AppError::TooLarge(format!(
            "文件超过 {} MB 的上限。请删除多余的工作表或分批导入。",
            MAX_IMPORT_BYTES / 1024 / 1024
        ));
    }
    AppError::BadRequest("上传的表单不完整或已损坏，请重新选择文件上传。".into())
}

/// Reads a multipart form holding one file in the field `file`.
pub async fn read_upload(mut multipart: Multipart) -> AppResult<Upload> {
    let mut upload = Upload {
        file_name: String::new(),
        bytes: Vec::new(),
        fields: HashMap::new(),
    };
    let mut has_file = false;
    while let Some(field) = multipart.next_field().await.map_err(multipart_error)? {
        let name = field.name().unwrap_or_default().to_owned();
        if name == "file" {
            upload.file_name = field.file_name().unwrap_or_default().to_owned();
            upload.bytes = field.bytes().await.map_err(multipart_error)?.to_vec();
            has_file = true;
        } else {
            let value = field.text().await.map_err(multipart_error)?;
            upload.fields.insert(name, value);
        }
    }
    if !has_file || (upload.bytes.is_empty() && upload.file_name.is_empty()) {
        return Err(AppError::invalid(
            "请选择要导入的文件（.xlsx、.xls 或 .csv）。",
        ));
    }
    if upload.bytes.len() > MAX_IMPORT_BYTES {
        return Err(multipart_error_too_large());
    }
    Ok(upload)
}

fn multipart_error_too_large() -> AppError {
    AppError::TooLarge(format!(
        "文件超过 {} MB 的上限。请删除多余的工作表或分批导入。",
        MAX_IMPORT_BYTES / 1024 / 1024
    ))
}

/// One invalid cell of an imported row.
#[derive(Debug, Clone, serde::Serialize)]
pub struct RowError {
    /// Row number as the spreadsheet shows it.
    pub row: u32,
    /// Column letter, e.g. "B".
    pub column: String,
    pub value: String,
    /// Chinese reason with what to do.
    pub message: String,
}

/// A row left out on purpose: empty, or a footer such as 合计.
#[derive(Debug, Clone, serde::Serialize)]
pub struct SkippedRowReport {
    pub row: u32,
    pub reason: String,
}

impl From<&SkippedRow> for SkippedRowReport {
    fn from(skipped: &SkippedRow) -> Self {
        let reason = match &skipped.reason {
            SkipReason::Empty => "空行".to_owned(),
            SkipReason::Footer(text) => format!("表尾行（{text}）"),
        };
        Self {
            row: skipped.row,
            reason,
        }
    }
}
