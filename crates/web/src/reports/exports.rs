//! The claim details export (申报明细) as a background job.
//!
//! Design: the form creates an `export_jobs` row and a task on the server that streams
//! the claims from the database into a temporary file, one row at a time, through a
//! bounded channel to a blocking writer (`.xlsx` in rust_xlsxwriter's constant-memory
//! mode, or CSV). The task records its progress in the row, which the job page polls
//! with htmx, and stores the finished file in the blob store. Because the progress lives
//! in the database and the file in the blob store, any app instance can show the page
//! and send the file, whichever instance runs the job.

use std::sync::LazyLock;
use std::time::{Duration, Instant};

use askama::Template;
use askama_web::WebTemplate;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_LENGTH, CONTENT_TYPE};
use axum::http::{HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Redirect, Response};
use futures::{StreamExt, TryStreamExt};
use tokio::sync::{Semaphore, mpsc};
use xueshi_core::{ClaimStatus, RoleKind};
use xueshi_sheets::{CsvWriter, Value, XlsxWriter};
use xueshi_store::reports::exports::{self, ExportFormat, ExportJob, ExportStatus, NewExportJob};
use xueshi_store::reports::{self, DetailFilter, DetailRow};
use xueshi_store::{evidence, now_ms};

use super::overview::{CSV_TYPE, XLSX_TYPE};
use super::picker::{Picker, ReportQuery, Scope, scope_for};
use super::term::{find_term, select_term};
use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult};
use crate::extract::{Form, Query};
use crate::page::Page;

/// The kind of export this module writes, as stored in `export_jobs.kind`.
const KIND: &str = "claim_details";

/// Columns of the detail export.
pub const DETAIL_HEADERS: [&str; 13] = [
    "工号",
    "姓名",
    "单位",
    "教研室",
    "培训类别",
    "培训主题",
    "开始日期",
    "结束日期",
    "申报学时",
    "认定学时",
    "审核结果",
    "未通过原因",
    "数据来源",
];

/// Rows buffered between the database reader and the file writer.
const CHANNEL_ROWS: usize = 256;

/// How often at most the job row's progress is written.
const PROGRESS_INTERVAL: Duration = Duration::from_millis(500);

/// A running job whose progress has not moved for this long is shown as interrupted,
/// because the server that ran it has most likely stopped.
const STALE_AFTER_MS: i64 = 10 * 60 * 1000;

/// How long finished files are kept; older jobs and their files are deleted when the
/// next export starts.
const KEEP_MS: i64 = 24 * 60 * 60 * 1000;

/// Exports that run at the same time on one server; later ones wait their turn. Each
/// holds a database connection for its whole run.
// NOTE: a chosen bound, not measured; it keeps two exports from taking the pool.
static RUNNING_EXPORTS: LazyLock<Semaphore> = LazyLock::new(|| Semaphore::new(2));

/// Writes the cells of one claim.
pub fn detail_values(row: &DetailRow) -> Vec<Value> {
    let outcome = match (row.status, row.level) {
        (ClaimStatus::Accredited, _) => "通过".to_owned(),
        (ClaimStatus::Rejected, _) => "未通过".to_owned(),
        (ClaimStatus::Pending, Some(level)) => format!("审核中（{}审核）", level.label()),
        (status, _) => status.label().to_owned(),
    };
    let source = if row.source == "history" {
        "历史导入"
    } else {
        "平台申报"
    };
    vec![
        Value::from(row.staff_id.as_str()),
        Value::from(row.teacher_name.as_str()),
        Value::from(row.unit_name.as_str()),
        row.office_name.as_deref().map_or(Value::Empty, Value::from),
        Value::from(row.category_name.as_str()),
        Value::from(row.topic.as_str()),
        Value::Date(row.start_date),
        Value::Date(row.end_date),
        Value::tenths(row.claimed_hours.tenths()),
        row.accredited_hours
            .map_or(Value::Empty, |hours| Value::tenths(hours.tenths())),
        Value::Text(outcome),
        row.reason_label
            .as_deref()
            .map_or(Value::Empty, Value::from),
        Value::from(source),
    ]
}

#[derive(Template, WebTemplate)]
#[template(path = "reports/export_form.html")]
pub struct ExportFormPage {
    page: Page,
    picker: Picker,
    /// The unit the export is limited to, for a unit reviewer.
    fixed_unit: Option<(String, String)>,
    /// Units a center administrator may limit the export to.
    units: Vec<(String, String)>,
}

/// Shows the export form for the chosen term.
pub async fn form(
    State(state): State<AppState>,
    page: Page,
    user: CurrentUser,
    Query(query): Query<ReportQuery>,
) -> AppResult<ExportFormPage> {
    let mut conn = state.db.conn().await?;
    let selection = select_term(&mut conn, query.term.as_deref()).await?;
    let (scope, units) = scope_for(&mut conn, &user, query.unit.as_deref()).await?;
    // A center administrator picks the unit in the form, a unit reviewer in the picker.
    let is_center = user.has(RoleKind::CenterAdmin);
    let picker_units = if is_center { &[][..] } else { &units[..] };
    let picker = Picker::new(&user, "/reports/exports", &selection, &scope, picker_units);
    let fixed_unit = match (&scope, is_center) {
        (Scope::Unit { id, name }, false) => Some((id.clone(), name.clone())),
        _ => None,
    };
    Ok(ExportFormPage {
        page: page.titled("导出申报明细"),
        picker,
        fixed_unit,
        units,
    })
}

/// The export form.
#[derive(Debug, serde::Deserialize)]
pub struct ExportForm {
    term: String,
    #[serde(default)]
    unit: Option<String>,
    format: String,
}

/// Starts a detail export and redirects to its progress page.
pub async fn start(
    State(state): State<AppState>,
    user: CurrentUser,
    Form(form): Form<ExportForm>,
) -> AppResult<Response> {
    let format: ExportFormat = form
        .format
        .parse()
        .map_err(|_| AppError::invalid("请选择导出格式：Excel（.xlsx）或 CSV。"))?;
    let mut conn = state.db.conn().await?;
    let term = find_term(&mut conn, &form.term).await?;
    let (scope, _) = scope_for(&mut conn, &user, form.unit.as_deref()).await?;
    remove_expired(&state, &mut conn).await;

    let filter = DetailFilter {
        term: term.code,
        unit_id: scope.unit_id().map(str::to_owned),
    };
    let rows_total = reports::count_details(&mut conn, &filter).await?;
    let file_name = match scope.unit_name() {
        Some(unit) => format!("{}申报明细（{unit}）.{format}", term.code.label()),
        None => format!("{}申报明细.{format}", term.code.label()),
    };
    let job_id = exports::create(
        &mut conn,
        &NewExportJob {
            kind: KIND,
            format,
            term: term.code,
            unit_id: filter.unit_id.as_deref(),
            rows_total,
            file_name: &file_name,
            created_by: &user.person_id,
        },
    )
    .await?;
    drop(conn);

    tracing::info!(export.id = %job_id, export.rows = rows_total, "detail export started");
    tokio::spawn(run(
        state.clone(),
        job_id.clone(),
        filter,
        format,
        file_name,
    ));
    Ok(Redirect::to(&format!("/reports/exports/{job_id}")).into_response())
}

/// Deletes jobs older than [`KEEP_MS`] and their files. Failures are logged and leave
/// the files for the next attempt, since they must not stop a new export.
async fn remove_expired(state: &AppState, conn: &mut xueshi_store::Conn) {
    let unreferenced = match exports::delete_expired(conn, now_ms() - KEEP_MS).await {
        Ok(hashes) => hashes,
        Err(error) => {
            tracing::warn!(error = %error, "failed to delete expired export jobs");
            return;
        }
    };
    for sha256 in unreferenced {
        // Files are shared by content, so a file some evidence also uses stays.
        match evidence::is_referenced(conn, &sha256).await {
            Ok(false) => {
                if let Err(error) = state.blobs.delete(&sha256).await {
                    tracing::warn!(error = %error, blob.sha256 = %sha256, "failed to delete an expired export file");
                }
            }
            Ok(true) => {}
            Err(error) => {
                tracing::warn!(error = %error, blob.sha256 = %sha256, "failed to check an expired export file");
            }
        }
    }
}

/// Runs one export job to its end, recording success or failure in its row.
async fn run(
    state: AppState,
    job_id: String,
    filter: DetailFilter,
    format: ExportFormat,
    file_name: String,
) {
    let _slot = RUNNING_EXPORTS.acquire().await;
    let outcome = write_and_store(&state, &job_id, &filter, format, &file_name).await;
    let recorded = match outcome {
        Ok((rows, sha256, size)) => {
            tracing::info!(export.id = %job_id, export.rows = rows, "detail export finished");
            match state.db.conn().await {
                Ok(mut conn) => exports::finish(&mut conn, &job_id, rows, &sha256, size).await,
                Err(error) => Err(error),
            }
        }
        Err(error) => {
            tracing::error!(export.id = %job_id, error = format!("{error:#}"), "detail export failed");
            match state.db.conn().await {
                Ok(mut conn) => {
                    exports::fail(
                        &mut conn,
                        &job_id,
                        "导出失败，文件未生成。请重新导出；如仍失败，请联系系统管理员。",
                    )
                    .await
                }
                Err(error) => Err(error),
            }
        }
    };
    if let Err(error) = recorded {
        tracing::error!(export.id = %job_id, error = %error, "failed to record the end of a detail export");
    }
}

/// Streams the claims into a temporary file, stores it, and returns the rows written and
/// the file's hash and size.
async fn write_and_store(
    state: &AppState,
    job_id: &str,
    filter: &DetailFilter,
    format: ExportFormat,
    file_name: &str,
) -> anyhow::Result<(u64, String, u64)> {
    let temporary = tempfile::NamedTempFile::new()?;
    let file = temporary.reopen()?;
    let (sender, receiver) = mpsc::channel::<DetailRow>(CHANNEL_ROWS);
    let title = file_name
        .rsplit_once('.')
        .map_or(file_name, |(stem, _)| stem)
        .to_owned();
    let writer = tokio::task::spawn_blocking(move || write_file(file, format, &title, receiver));

    let mut conn = state.db.conn().await?;
    let mut rows = reports::detail_rows(&mut conn, filter);
    let mut sent: u64 = 0;
    let mut reported = Instant::now();
    while let Some(row) = rows.next().await {
        if sender.send(row?).await.is_err() {
            // The writer stopped early; its error is returned below.
            break;
        }
        sent += 1;
        if reported.elapsed() >= PROGRESS_INTERVAL {
            exports::set_progress(&mut *state.db.conn().await?, job_id, sent).await?;
            reported = Instant::now();
        }
    }
    drop(rows);
    drop(conn);
    drop(sender);
    let written = writer.await??;
    exports::set_progress(&mut *state.db.conn().await?, job_id, written).await?;

    let file = tokio::fs::File::open(temporary.path()).await?;
    let chunks = file_chunks(file);
    let stored = state.blobs.put_stream(chunks, u64::MAX).await?;
    Ok((written, stored.sha256, stored.size))
}

/// Reads a file as a stream of 64 KiB chunks for the blob store.
fn file_chunks(
    file: tokio::fs::File,
) -> impl futures::Stream<Item = std::io::Result<bytes::Bytes>> {
    futures::stream::try_unfold(file, |mut file| async move {
        use tokio::io::AsyncReadExt;
        let mut buffer = vec![0u8; 64 * 1024];
        let read = file.read(&mut buffer).await?;
        if read == 0 {
            return Ok(None);
        }
        buffer.truncate(read);
        Ok(Some((bytes::Bytes::from(buffer), file)))
    })
}

/// Writes the rows from `receiver` into `file` until the channel closes; returns the rows
/// written. Runs on a blocking thread.
pub fn write_file(
    file: std::fs::File,
    format: ExportFormat,
    title: &str,
    mut receiver: mpsc::Receiver<DetailRow>,
) -> anyhow::Result<u64> {
    let mut written: u64 = 0;
    let rows = std::iter::from_fn(|| receiver.blocking_recv()).map(|row| {
        written += 1;
        detail_values(&row)
    });
    match format {
        ExportFormat::Xlsx => {
            let mut workbook = XlsxWriter::new();
            workbook.add_titled_sheet("申报明细", title, &DETAIL_HEADERS, rows)?;
            workbook.finish_to(std::io::BufWriter::new(file))?;
        }
        ExportFormat::Csv => {
            let mut csv = CsvWriter::new(std::io::BufWriter::new(file), &DETAIL_HEADERS)?;
            for row in rows {
                csv.write_row(row)?;
            }
            use std::io::Write;
            csv.finish()?.flush()?;
        }
    }
    Ok(written)
}

/// A job as its page shows it.
pub struct JobView {
    pub id: String,
    pub file_name: String,
    pub term_label: String,
    pub unit: String,
    pub running: bool,
    pub done: bool,
    pub rows_total: u64,
    pub rows_done: u64,
    pub percent: u64,
    /// What the job is doing, or why it failed.
    pub message: String,
    /// The form to start another export from.
    pub back: String,
}

impl JobView {
    fn new(job: &ExportJob, now: i64) -> Self {
        let stale = job.status == ExportStatus::Running && now - job.updated_at > STALE_AFTER_MS;
        let running = job.status == ExportStatus::Running && !stale;
        // A job with no rows is at 0 % while it runs and at 100 % once it stops.
        let percent = match (job.rows_done.min(job.rows_total) * 100).checked_div(job.rows_total) {
            Some(percent) => percent,
            None if running => 0,
            None => 100,
        };
        let message = match job.status {
            ExportStatus::Done => format!("已完成，共 {} 行。", job.rows_done),
            ExportStatus::Failed => job
                .error
                .clone()
                .unwrap_or_else(|| "导出失败，请重新导出。".to_owned()),
            ExportStatus::Running if stale => {
                "导出已中断（服务可能已重启），文件未生成。请重新导出。".to_owned()
            }
            ExportStatus::Running if job.rows_done >= job.rows_total && job.rows_total > 0 => {
                "数据已写完，正在生成文件……".to_owned()
            }
            ExportStatus::Running if job.rows_done == 0 => "正在准备导出……".to_owned(),
            ExportStatus::Running => "正在导出……".to_owned(),
        };
        Self {
            id: job.id.clone(),
            file_name: job.file_name.clone(),
            term_label: job.term.label(),
            unit: job.unit_name.clone().unwrap_or_else(|| "全校".to_owned()),
            running,
            done: job.status == ExportStatus::Done,
            rows_total: job.rows_total,
            rows_done: job.rows_done.min(job.rows_total),
            percent,
            message,
            back: format!("/reports/exports?term={}", job.term),
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "reports/export.html")]
pub struct ExportPage {
    page: Page,
    job: JobView,
}

#[derive(Template, WebTemplate)]
#[template(path = "reports/export_status.html")]
pub struct ExportStatusFragment {
    job: JobView,
}

/// Loads a job of the signed-in person; other people's jobs are not found.
async fn own_job(state: &AppState, user: &CurrentUser, id: &str) -> AppResult<ExportJob> {
    let job = exports::get(&mut *state.db.conn().await?, id).await?;
    if job.created_by != user.person_id {
        return Err(AppError::NotFound);
    }
    Ok(job)
}

/// Shows a job's progress: the whole page, or for htmx's polling only the status box.
pub async fn status(
    State(state): State<AppState>,
    page: Page,
    user: CurrentUser,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let job = JobView::new(&own_job(&state, &user, &id).await?, now_ms());
    if headers.contains_key("hx-request") {
        return Ok(ExportStatusFragment { job }.into_response());
    }
    Ok(ExportPage {
        page: page.titled("导出申报明细"),
        job,
    }
    .into_response())
}

/// Sends a finished export's file.
pub async fn download(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let job = own_job(&state, &user, &id).await?;
    let sha256 = match (job.status, job.sha256.as_deref()) {
        (ExportStatus::Done, Some(sha256)) => sha256.to_owned(),
        _ => {
            return Err(AppError::Conflict(
                "文件还没有生成完毕，请等待导出完成后再下载。".into(),
            ));
        }
    };
    let stream = match state.blobs.get(&sha256).await {
        Ok(stream) => stream,
        Err(xueshi_store::blobs::BlobError::NotFound { .. }) => {
            return Err(AppError::Conflict(
                "导出文件已过期并被清理，请重新导出。".into(),
            ));
        }
        Err(error) => return Err(AppError::Internal(error.into())),
    };
    let content_type = match job.format {
        ExportFormat::Xlsx => XLSX_TYPE,
        ExportFormat::Csv => CSV_TYPE,
    };
    let mut response = Body::from_stream(stream.map_err(std::io::Error::other)).into_response();
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(
        CONTENT_DISPOSITION,
        crate::files::content_disposition("attachment", &job.file_name),
    );
    if let Some(size) = job.size {
        headers.insert(CONTENT_LENGTH, HeaderValue::from(size));
    }
    Ok(response)
}
