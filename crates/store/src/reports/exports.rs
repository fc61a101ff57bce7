//! Export jobs: large downloads that a background task writes while the page shows its
//! progress. The finished file is kept in the blob store under its SHA-256.

use std::fmt;
use std::str::FromStr;

use sqlx::{AnyConnection, Connection};
use xueshi_core::TermCode;

use super::count;
use crate::columns;
use crate::{Result, StoreError, new_id, now_ms};

/// The file format of an export.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExportFormat {
    Xlsx,
    Csv,
}

impl ExportFormat {
    /// Returns the name used in the database, forms and file extensions.
    pub fn as_str(self) -> &'static str {
        match self {
            ExportFormat::Xlsx => "xlsx",
            ExportFormat::Csv => "csv",
        }
    }
}

impl fmt::Display for ExportFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ExportFormat {
    type Err = String;

    fn from_str(raw: &str) -> Result<Self, Self::Err> {
        match raw {
            "xlsx" => Ok(ExportFormat::Xlsx),
            "csv" => Ok(ExportFormat::Csv),
            _ => Err(format!(
                "unknown export format {raw:?}; expected xlsx or csv"
            )),
        }
    }
}

/// The state of an export job.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ExportStatus {
    Running,
    Done,
    Failed,
}

impl ExportStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ExportStatus::Running => "running",
            ExportStatus::Done => "done",
            ExportStatus::Failed => "failed",
        }
    }
}

impl FromStr for ExportStatus {
    type Err = String;

    fn from_str(raw: &str) -> Result<Self, Self::Err> {
        match raw {
            "running" => Ok(ExportStatus::Running),
            "done" => Ok(ExportStatus::Done),
            "failed" => Ok(ExportStatus::Failed),
            _ => Err(format!(
                "unknown export status {raw:?}; expected running, done or failed"
            )),
        }
    }
}

/// An export job as its page shows it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ExportJob {
    pub id: String,
    /// The kind of export, e.g. `claim_details`.
    pub kind: String,
    pub format: ExportFormat,
    pub term: TermCode,
    pub unit_id: Option<String>,
    pub unit_name: Option<String>,
    pub status: ExportStatus,
    /// Rows counted when the job started. It becomes the rows written when the job finishes.
    pub rows_total: u64,
    pub rows_done: u64,
    pub file_name: String,
    /// The file in the blob store, once the job is done.
    pub sha256: Option<String>,
    pub size: Option<i64>,
    /// Chinese message of a failed job.
    pub error: Option<String>,
    pub created_by: String,
    pub created_at: i64,
    /// Milliseconds since the Unix epoch of the last progress step.
    pub updated_at: i64,
    pub finished_at: Option<i64>,
}

/// The fields of a new export job.
#[derive(Debug, Clone)]
pub struct NewExportJob<'a> {
    pub kind: &'a str,
    pub format: ExportFormat,
    pub term: TermCode,
    pub unit_id: Option<&'a str>,
    pub rows_total: u64,
    pub file_name: &'a str,
    pub created_by: &'a str,
}

fn to_i64(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}

/// Creates a running job and returns its id.
pub async fn create(conn: &mut AnyConnection, job: &NewExportJob<'_>) -> Result<String> {
    let id = new_id();
    let now = now_ms();
    sqlx::query(
        "INSERT INTO export_jobs (id, kind, format, term_code, unit_id, status, rows_total, rows_done, \
         file_name, created_by, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, 'running', $6, 0, $7, $8, $9, $9)",
    )
    .bind(&id)
    .bind(job.kind)
    .bind(job.format.as_str())
    .bind(job.term.to_string())
    .bind(job.unit_id)
    .bind(to_i64(job.rows_total))
    .bind(job.file_name)
    .bind(job.created_by)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(id)
}

/// Finds a job with its unit's name.
pub async fn get(conn: &mut AnyConnection, id: &str) -> Result<ExportJob> {
    let row = sqlx::query(
        "SELECT j.id, j.kind, j.format, j.term_code, j.unit_id, u.name AS unit_name, j.status, \
                j.rows_total, j.rows_done, j.file_name, j.sha256, j.size, j.error, j.created_by, \
                j.created_at, j.updated_at, j.finished_at \
         FROM export_jobs j LEFT JOIN units u ON u.id = j.unit_id WHERE j.id = $1",
    )
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(StoreError::NotFound)?;
    Ok(ExportJob {
        id: columns::text(&row, "id")?,
        kind: columns::text(&row, "kind")?,
        format: columns::parsed(&row, "format")?,
        term: columns::term_code(&row, "term_code")?,
        unit_id: columns::opt_text(&row, "unit_id")?,
        unit_name: columns::opt_text(&row, "unit_name")?,
        status: columns::parsed(&row, "status")?,
        rows_total: count(&row, "rows_total")?,
        rows_done: count(&row, "rows_done")?,
        file_name: columns::text(&row, "file_name")?,
        sha256: columns::opt_text(&row, "sha256")?,
        size: columns::opt_int(&row, "size")?,
        error: columns::opt_text(&row, "error")?,
        created_by: columns::text(&row, "created_by")?,
        created_at: columns::int(&row, "created_at")?,
        updated_at: columns::int(&row, "updated_at")?,
        finished_at: columns::opt_int(&row, "finished_at")?,
    })
}

/// Records the rows written so far of a running job.
pub async fn set_progress(conn: &mut AnyConnection, id: &str, rows_done: u64) -> Result<()> {
    sqlx::query(
        "UPDATE export_jobs SET rows_done = $2, updated_at = $3 WHERE id = $1 AND status = 'running'",
    )
    .bind(id)
    .bind(to_i64(rows_done))
    .bind(now_ms())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Marks a job done with its stored file. The total becomes the rows written, since claims
/// may have been submitted or decided while the job ran.
pub async fn finish(
    conn: &mut AnyConnection,
    id: &str,
    rows_done: u64,
    sha256: &str,
    size: u64,
) -> Result<()> {
    let now = now_ms();
    sqlx::query(
        "UPDATE export_jobs SET status = 'done', rows_done = $2, rows_total = $2, sha256 = $3, size = $4, \
         updated_at = $5, finished_at = $5 WHERE id = $1",
    )
    .bind(id)
    .bind(to_i64(rows_done))
    .bind(sha256)
    .bind(to_i64(size))
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Marks a job failed with a Chinese message for its page.
pub async fn fail(conn: &mut AnyConnection, id: &str, message: &str) -> Result<()> {
    let now = now_ms();
    sqlx::query(
        "UPDATE export_jobs SET status = 'failed', error = $2, updated_at = $3, finished_at = $3 WHERE id = $1",
    )
    .bind(id)
    .bind(message)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Deletes the jobs created before `created_before` (milliseconds since the Unix epoch)
/// and returns the hashes of their files that no remaining job refers to, for the caller
/// to delete from the blob store after checking that no evidence shares them.
pub async fn delete_expired(conn: &mut AnyConnection, created_before: i64) -> Result<Vec<String>> {
    let mut tx = conn.begin().await?;
    let rows = sqlx::query(
        "SELECT DISTINCT sha256 FROM export_jobs WHERE created_at < $1 AND sha256 IS NOT NULL",
    )
    .bind(created_before)
    .fetch_all(&mut *tx)
    .await?;
    sqlx::query("DELETE FROM export_jobs WHERE created_at < $1")
        .bind(created_before)
        .execute(&mut *tx)
        .await?;
    let mut unreferenced = Vec::new();
    for row in &rows {
        let sha256 = columns::text(row, "sha256")?;
        let still_used = sqlx::query("SELECT 1 AS one FROM export_jobs WHERE sha256 = $1 LIMIT 1")
            .bind(&sha256)
            .fetch_optional(&mut *tx)
            .await?
            .is_some();
        if !still_used {
            unreferenced.push(sha256);
        }
    }
    tx.commit().await?;
    Ok(unreferenced)
}
