//! The detail export in a child process, so its peak resident set size (`VmHWM`) is the
//! export's alone and not the generator's. The peak is reset when the export starts.
//!
//! Two modes. `all` streams the claims of every term through the app's row query and its
//! export writer (`xueshi_web::reports::exports::write_file`) into one .xlsx, because each
//! term contains a tenth of the claims and a 1,000,000-row file needs them all. `job`
//! starts the real export job of one term through the router and waits for it to finish.

use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::Context;
use axum::http::Method;
use futures::StreamExt;
use tokio::sync::mpsc;
use xueshi_core::TermCode;
use xueshi_store::Db;
use xueshi_store::reports::exports::{self as export_jobs, ExportFormat, ExportStatus};
use xueshi_store::reports::{DetailFilter, DetailRow, detail_rows};

use crate::generate::{CENTER_ADMIN, PASSWORD};
use crate::measure::{peak_rss_kb, reset_peak_rss, rss_kb};
use crate::pages;

/// The figures a child prints about its export.
#[derive(Debug, Clone)]
pub struct ExportFigures {
    pub rows: u64,
    pub seconds: f64,
    /// Peak RSS of the process before the export started.
    pub before_peak_kb: u64,
    /// RSS when the export started.
    pub idle_kb: u64,
    /// Peak RSS from the start of the export to its end.
    pub peak_kb: u64,
    pub file_bytes: u64,
}

impl ExportFigures {
    fn to_line(&self) -> String {
        format!(
            "export rows={} seconds={:.3} before_peak_kb={} idle_kb={} peak_kb={} file_bytes={}",
            self.rows,
            self.seconds,
            self.before_peak_kb,
            self.idle_kb,
            self.peak_kb,
            self.file_bytes
        )
    }

    fn from_line(line: &str) -> Option<Self> {
        let rest = line.strip_prefix("export ")?;
        let field = |name: &str| {
            rest.split_whitespace()
                .find_map(|pair| pair.strip_prefix(name)?.strip_prefix('='))
        };
        Some(Self {
            rows: field("rows")?.parse().ok()?,
            seconds: field("seconds")?.parse().ok()?,
            before_peak_kb: field("before_peak_kb")?.parse().ok()?,
            idle_kb: field("idle_kb")?.parse().ok()?,
            peak_kb: field("peak_kb")?.parse().ok()?,
            file_bytes: field("file_bytes")?.parse().ok()?,
        })
    }
}

/// Runs this program again as `export-child` and returns what the child printed.
pub async fn run_child(
    database_url: &str,
    mode: &str,
    terms: &[TermCode],
) -> anyhow::Result<ExportFigures> {
    let program = std::env::current_exe()?;
    let terms: Vec<String> = terms.iter().map(ToString::to_string).collect();
    let mut command = Command::new(program);
    command.args([
        "export-child",
        "--database-url",
        database_url,
        "--mode",
        mode,
        "--terms",
        &terms.join(","),
    ]);
    let output = tokio::task::spawn_blocking(move || command.output()).await??;
    let stdout = String::from_utf8_lossy(&output.stdout);
    anyhow::ensure!(
        output.status.success(),
        "the export child failed: {stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
        .lines()
        .find_map(ExportFigures::from_line)
        .with_context(|| format!("the export child printed no figures: {stdout}"))
}

/// Runs one export in the child process and prints its figures on one line.
pub async fn child(database_url: &str, mode: &str, terms: &[TermCode]) -> anyhow::Result<()> {
    let db = Db::connect(database_url, 4).await?;
    let figures = match mode {
        "all" => export_all_terms(&db, terms).await?,
        "job" => export_job(&db, database_url, terms[0]).await?,
        other => anyhow::bail!("unknown export mode {other}; use all or job"),
    };
    println!("{}", figures.to_line());
    Ok(())
}

async fn export_all_terms(db: &Db, terms: &[TermCode]) -> anyhow::Result<ExportFigures> {
    let mut conn = db.conn().await?;
    let before_peak_kb = peak_rss_kb().unwrap_or(0);
    reset_peak_rss()?;
    let idle_kb = rss_kb().unwrap_or(0);
    let started = Instant::now();
    let temporary = tempfile::NamedTempFile::new()?;
    let file = temporary.reopen()?;
    // The app's channel also buffers 256 rows between the reader and the writer.
    let (sender, receiver) = mpsc::channel::<DetailRow>(256);
    let writer = tokio::task::spawn_blocking(move || {
        xueshi_web::reports::exports::write_file(file, ExportFormat::Xlsx, "申报明细", receiver)
    });
    for term in terms {
        let filter = DetailFilter {
            term: *term,
            unit_id: None,
        };
        let mut rows = detail_rows(&mut conn, &filter);
        while let Some(row) = rows.next().await {
            if sender.send(row?).await.is_err() {
                break;
            }
        }
    }
    drop(sender);
    let rows = writer.await??;
    Ok(ExportFigures {
        rows,
        seconds: started.elapsed().as_secs_f64(),
        before_peak_kb,
        idle_kb,
        peak_kb: peak_rss_kb().unwrap_or(0),
        file_bytes: std::fs::metadata(temporary.path())?.len(),
    })
}

/// Starts the export job of one term through the router as the center administrator and
/// polls its row until it is no longer running.
async fn export_job(db: &Db, database_url: &str, term: TermCode) -> anyhow::Result<ExportFigures> {
    let dir = tempfile::tempdir()?;
    let mut config = xueshi_web::Config::for_data_dir(dir.path().to_path_buf());
    config.database_url = database_url.to_owned();
    let state = xueshi_web::AppState::new(db.clone(), config)?;
    let app = xueshi_web::build_app(state.clone());
    let mut browser = pages::sign_in(&app, CENTER_ADMIN, PASSWORD).await?;
    pages::send(&app, &mut browser, Method::GET, "/reports/exports", None).await?;
    // Signing in and the landing page raise the peak before the export starts.
    let before_peak_kb = peak_rss_kb().unwrap_or(0);
    reset_peak_rss()?;
    let idle_kb = rss_kb().unwrap_or(0);

    let started = Instant::now();
    let term = term.to_string();
    let fields = [("term", term.as_str()), ("format", "xlsx")];
    let (status, location, body) = pages::send(
        &app,
        &mut browser,
        Method::POST,
        "/reports/exports",
        Some(&fields),
    )
    .await?;
    let job_id = location
        .as_deref()
        .and_then(|location| location.strip_prefix("/reports/exports/"))
        .with_context(|| format!("starting the export returned {status}: {body}"))?
        .to_owned();
    let job = loop {
        let job = export_jobs::get(&mut *db.conn().await?, &job_id).await?;
        if job.status != ExportStatus::Running {
            break job;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    anyhow::ensure!(
        job.status == ExportStatus::Done,
        "the export job failed: {:?}",
        job.error
    );
    Ok(ExportFigures {
        rows: job.rows_done,
        seconds: started.elapsed().as_secs_f64(),
        before_peak_kb,
        idle_kb,
        peak_kb: peak_rss_kb().unwrap_or(0),
        file_bytes: job
            .size
            .and_then(|size| u64::try_from(size).ok())
            .unwrap_or(0),
    })
}
