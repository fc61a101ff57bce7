//! `xueshi-bench`: generates a provincial data set on SQLite and on PostgreSQL. It then
//! measures the center's per-unit table, the reviewer's pages, claim submission with its
//! checks, the detail export and the roster import, each beside a baseline measured in
//! the same run. `scripts/bench` builds it in release mode and runs it; BENCHMARKS.md records the
//! results.

mod export;
mod generate;
mod measure;
mod pages;
mod roster;
mod submission;

use std::io::Write as _;
use std::path::PathBuf;
use std::time::Instant;

use anyhow::Context;
use clap::{Parser, Subcommand, ValueEnum};
use xueshi_core::TermCode;
use xueshi_store::{Backend, Db};

use crate::generate::{CENTER_ADMIN, DataSet, PASSWORD, Scale, UNIT_REVIEWER};
use crate::measure::{Report, Samples};

#[derive(Parser)]
#[command(
    name = "xueshi-bench",
    about = "Benchmarks of xueshi on a generated data set"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Generates the data set on each backend and prints the measurements.
    Run(RunArgs),
    /// Runs one detail export and prints its figures (started by `run`).
    #[command(hide = true)]
    ExportChild {
        #[arg(long)]
        database_url: String,
        /// `all` (every term into one file) or `job` (the export job of the first term).
        #[arg(long)]
        mode: String,
        /// Term codes separated by commas.
        #[arg(long)]
        terms: String,
    },
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum BackendChoice {
    Sqlite,
    Postgres,
    Both,
}

#[derive(clap::Args)]
struct RunArgs {
    /// Claims in the data set, spread evenly over the terms.
    #[arg(long, default_value_t = 1_000_000)]
    claims: u64,
    /// Teachers in the data set; defaults to a tenth of the claims.
    #[arg(long)]
    teachers: Option<u64>,
    /// Terms in the data set; the last one is the current term, still in review.
    #[arg(long, default_value_t = 10)]
    terms: u8,
    /// Rows of the roster file the import benchmark reads.
    #[arg(long, default_value_t = 100_000)]
    roster_rows: u64,
    #[arg(long, value_enum, default_value = "both")]
    backend: BackendChoice,
    /// PostgreSQL server on 127.0.0.1; the benchmark creates and drops its own database
    /// there.
    #[arg(long, default_value = "postgres://postgres@127.0.0.1:5432")]
    postgres_server: String,
    /// Name of the PostgreSQL database the benchmark creates (and drops first if present).
    #[arg(long, default_value = "xueshi_bench")]
    postgres_database: String,
    /// Measured requests per page, after two warm-up requests.
    #[arg(long, default_value_t = 300)]
    requests: usize,
    /// Measured runs of the per-unit table and of its baseline.
    #[arg(long, default_value_t = 30)]
    table_runs: usize,
    /// Seconds of each wrk run.
    #[arg(long, default_value_t = 10)]
    wrk_seconds: u32,
    /// Open connections of each wrk run.
    #[arg(long, default_value_t = 16)]
    wrk_connections: u32,
    /// Appends the results as Markdown to this file.
    #[arg(long)]
    output: Option<PathBuf>,
}

const TABLE_TARGET_MS: f64 = 50.0;
const PAGE_TARGET_MS: f64 = 20.0;
const CHECK_TARGET_MS: f64 = 5.0;
const EXPORT_TARGET_MB: f64 = 200.0;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    match cli.command {
        Command::Run(args) => run(args).await,
        Command::ExportChild {
            database_url,
            mode,
            terms,
        } => {
            let terms = terms
                .split(',')
                .map(TermCode::parse)
                .collect::<Result<Vec<_>, _>>()
                .map_err(|error| anyhow::anyhow!("invalid --terms: {error}"))?;
            export::child(&database_url, &mode, &terms).await
        }
    }
}

async fn run(args: RunArgs) -> anyhow::Result<()> {
    let scale = Scale {
        claims: args.claims,
        teachers: args.teachers.unwrap_or((args.claims / 10).max(1)),
        terms: args.terms,
    };
    let backends: &[Backend] = match args.backend {
        BackendChoice::Sqlite => &[Backend::Sqlite],
        BackendChoice::Postgres => &[Backend::Postgres],
        BackendChoice::Both => &[Backend::Sqlite, Backend::Postgres],
    };
    for backend in backends {
        let heading = format!(
            "{} — {} claims, {} teachers, {} terms",
            backend_name(*backend),
            scale.claims,
            scale.teachers,
            scale.terms
        );
        println!("== {heading}");
        let report = match backend {
            Backend::Sqlite => run_sqlite(&args, scale).await?,
            Backend::Postgres => run_postgres(&args, scale).await?,
        };
        let markdown = report.to_markdown(&heading);
        println!("\n{markdown}");
        if let Some(path) = &args.output {
            let mut file = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(path)
                .with_context(|| format!("cannot open {}", path.display()))?;
            writeln!(file, "{markdown}")?;
        }
    }
    Ok(())
}

fn backend_name(backend: Backend) -> &'static str {
    match backend {
        Backend::Sqlite => "SQLite",
        Backend::Postgres => "PostgreSQL",
    }
}

async fn run_sqlite(args: &RunArgs, scale: Scale) -> anyhow::Result<Report> {
    let dir = tempfile::tempdir()?;
    let url = format!("sqlite://{}", dir.path().join("bench.db").display());
    let report = run_backend(args, scale, &url).await?;
    let size = std::fs::metadata(dir.path().join("bench.db"))?.len();
    println!("  SQLite file: {:.0} MB", size as f64 / 1e6);
    Ok(report)
}

async fn run_postgres(args: &RunArgs, scale: Scale) -> anyhow::Result<Report> {
    let server = args.postgres_server.trim_end_matches('/');
    anyhow::ensure!(
        server.contains("@127.0.0.1:") || server.contains("@localhost:"),
        "the benchmark only uses a PostgreSQL server on 127.0.0.1, not {server}"
    );
    let name = &args.postgres_database;
    anyhow::ensure!(
        name.chars().all(|c| c.is_ascii_lowercase() || c == '_'),
        "the database name may hold only a-z and _, not {name}"
    );
    let admin = Db::connect(&format!("{server}/postgres"), 1).await?;
    for statement in [
        format!("DROP DATABASE IF EXISTS {name}"),
        format!("CREATE DATABASE {name}"),
    ] {
        sqlx::query(sqlx::AssertSqlSafe(statement))
            .execute(admin.pool())
            .await?;
    }
    let outcome = run_backend(args, scale, &format!("{server}/{name}")).await;
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
    )))
    .execute(admin.pool())
    .await?;
    admin.close().await;
    outcome
}

/// Generates the data set at `url` and runs every measurement on it.
async fn run_backend(args: &RunArgs, scale: Scale, url: &str) -> anyhow::Result<Report> {
    let db = Db::connect(url, 8).await?;
    db.migrate().await?;
    let mut report = Report::default();

    println!("  generating …");
    let data = generate::generate(&db, scale).await?;
    let rows: Vec<String> = data
        .rows
        .iter()
        .map(|(table, count)| format!("{count} {table}"))
        .collect();
    report.note(format!(
        "data set generated in {:.1} s: {}",
        data.seconds,
        rows.join(", ")
    ));

    measure_table(&db, &data, args.table_runs, &mut report).await?;

    let dir = tempfile::tempdir()?;
    let mut config = xueshi_web::Config::for_data_dir(dir.path().to_path_buf());
    config.database_url = url.to_owned();
    let checks = config.checks;
    let state = xueshi_web::AppState::new(db.clone(), config)?;
    measure_pages(args, &state, &data, &mut report).await?;
    measure_submission(&db, &data, &checks, &mut report).await?;
    measure_export(url, &data, &mut report).await?;
    measure_roster(&db, &data, args.roster_rows, &mut report).await?;
    db.close().await;
    Ok(report)
}

async fn measure_table(
    db: &Db,
    data: &DataSet,
    runs: usize,
    report: &mut Report,
) -> anyhow::Result<()> {
    let mut conn = db.conn().await?;
    let term = data.finished;
    let mut table = Samples::default();
    let mut rows = 0;
    let mut finished = 0;
    for run in 0..runs + 2 {
        let started = Instant::now();
        let loaded = xueshi_web::reports::table::load(&mut conn, term).await?;
        if run >= 2 {
            table.push(started.elapsed());
        }
        rows = loaded.rows.len();
        finished = loaded.total.submitted;
    }

    let mut baseline = Samples::default();
    let mut counted = 0;
    for run in 0..runs + 2 {
        let started = Instant::now();
        let groups = sqlx::query(
            "SELECT unit_id, status, COUNT(*) AS n FROM claims \
             WHERE term_code = $1 AND status IN ('accredited', 'rejected') GROUP BY unit_id, status",
        )
        .bind(term.to_string())
        .fetch_all(&mut *conn)
        .await?;
        if run >= 2 {
            baseline.push(started.elapsed());
        }
        counted = groups
            .iter()
            .map(|row| sqlx::Row::try_get::<i64, _>(row, "n").unwrap_or(0))
            .sum::<i64>();
    }
    anyhow::ensure!(
        u64::try_from(counted).ok() == Some(finished),
        "the table counts {finished} finished claims, the bare GROUP BY {counted}"
    );
    report.line(
        format!("(a) per-unit table of {term}: {finished} finished claims, {rows} rows + 合计"),
        table.summary(),
        format!("bare GROUP BY: {}", baseline.summary()),
        "< 50 ms (p99)",
        Some(table.percentile_ms(99) < TABLE_TARGET_MS),
    );
    Ok(())
}

async fn measure_pages(
    args: &RunArgs,
    state: &xueshi_web::AppState,
    data: &DataSet,
    report: &mut Report,
) -> anyhow::Result<()> {
    let app = xueshi_web::build_app(state.clone());
    let mut admin = pages::sign_in(&app, CENTER_ADMIN, PASSWORD).await?;
    let mut reviewer = pages::sign_in(&app, UNIT_REVIEWER, PASSWORD).await?;
    let count = args.requests + 2;

    let hello = axum::Router::new().route("/", axum::routing::get(|| async { "Hello, World!" }));
    let mut hello_samples = Samples::default();
    for run in 0..count {
        let started = Instant::now();
        let response = tower::ServiceExt::oneshot(
            hello.clone(),
            axum::http::Request::get("/").body(axum::body::Body::empty())?,
        )
        .await?;
        http_body_util::BodyExt::collect(response.into_body()).await?;
        if run >= 2 {
            hello_samples.push(started.elapsed());
        }
    }
    let hello_line = format!("in-process hello-world: {}", hello_samples.summary());

    let queue_paths = vec!["/reviews".to_owned(); count];
    let school_queue = pages::time_pages(&app, &mut admin, &queue_paths).await?;
    let unit_queue = pages::time_pages(&app, &mut reviewer, &queue_paths).await?;
    let claim_paths: Vec<String> = data
        .pending_at_school
        .iter()
        .cycle()
        .take(count)
        .map(|id| format!("/reviews/{id}"))
        .collect();
    let claim_page = pages::time_pages(&app, &mut admin, &claim_paths).await?;
    let pending_at_school = pending_count(&state.db, data.current).await?;

    for (what, samples) in [
        (
            format!(
                "(b) queue page, school level ({pending_at_school} claims waiting), in-process"
            ),
            &school_queue,
        ),
        (
            "(b) queue page, one unit's reviewer, in-process".to_owned(),
            &unit_queue,
        ),
        (
            "(c) claim page of a claim pending at school level, in-process".to_owned(),
            &claim_page,
        ),
    ] {
        report.line(
            what,
            samples.summary(),
            hello_line.clone(),
            "p99 < 20 ms",
            Some(samples.percentile_ms(99) < PAGE_TARGET_MS),
        );
    }

    let (hello_url, hello_task) = pages::serve_hello_world().await?;
    let hello_wrk = pages::run_wrk(&hello_url, &[], args.wrk_seconds, args.wrk_connections).await;
    hello_task.abort();
    let (app_url, app_task) = pages::serve_app(state.clone()).await?;
    let cookie = format!("Cookie: {}", admin.cookie_header());
    let queue_wrk = pages::run_wrk(
        &format!("{app_url}/reviews"),
        std::slice::from_ref(&cookie),
        args.wrk_seconds,
        args.wrk_connections,
    )
    .await;
    let claim_wrk = pages::run_wrk(
        &format!("{app_url}{}", claim_paths[0]),
        &[cookie],
        args.wrk_seconds,
        args.wrk_connections,
    )
    .await;
    app_task.abort();
    match (hello_wrk, queue_wrk, claim_wrk) {
        (Ok(hello), Ok(queue), Ok(claim)) => {
            let baseline = format!("axum hello-world: {}", hello.summary());
            let setting = format!(
                "wrk -t2 -c{} -d{}s on 127.0.0.1",
                args.wrk_connections, args.wrk_seconds
            );
            report.line(
                format!("(b) queue page, school level, {setting}"),
                queue.summary(),
                baseline.clone(),
                "—",
                None,
            );
            report.line(
                format!("(c) claim page, {setting}"),
                claim.summary(),
                baseline,
                "—",
                None,
            );
        }
        (hello, queue, claim) => {
            for error in [hello.err(), queue.err(), claim.err()]
                .into_iter()
                .flatten()
            {
                report.note(format!("wrk run failed: {error:#}"));
            }
        }
    }
    Ok(())
}

async fn pending_count(db: &Db, term: TermCode) -> anyhow::Result<i64> {
    let row = sqlx::query(
        "SELECT COUNT(*) AS n FROM claims WHERE term_code = $1 AND status = 'pending' AND level = 'school'",
    )
    .bind(term.to_string())
    .fetch_one(db.pool())
    .await?;
    Ok(sqlx::Row::try_get(&row, "n")?)
}

async fn measure_submission(
    db: &Db,
    data: &DataSet,
    checks: &xueshi_core::checks::CheckConfig,
    report: &mut Report,
) -> anyhow::Result<()> {
    let times = submission::measure(db, &data.drafts, checks).await?;
    let baseline = format!(
        "bare indexed SELECT of the teacher's claims in the term: {}",
        times.baseline.summary()
    );
    report.line(
        "(d) all checks of one claim (run_checks: inputs, neighbor lookups, check_claim)",
        times.checks.summary(),
        baseline.clone(),
        "< 5 ms per claim (p99)",
        Some(times.checks.percentile_ms(99) < CHECK_TARGET_MS),
    );
    report.line(
        "(d) whole submission (write transaction, checks, transition, flags, commit)",
        times.submissions.summary(),
        baseline,
        "—",
        None,
    );
    if times.blocked > 0 {
        report.note(format!(
            "{} of {} drafts had a blocking finding and were not submitted ({:?})",
            times.blocked,
            data.drafts.len(),
            times.blocking_codes
        ));
    }
    Ok(())
}

async fn measure_export(url: &str, data: &DataSet, report: &mut Report) -> anyhow::Result<()> {
    let all = export::run_child(url, "all", &data.terms).await?;
    report.line(
        format!(
            "(f) detail export of every term into one .xlsx ({} rows, {:.0} MB file) in {:.1} s",
            all.rows,
            all.file_bytes as f64 / 1e6,
            all.seconds
        ),
        format!("peak RSS {:.1} MB", all.peak_kb as f64 / 1024.0),
        format!(
            "the same child when the export starts: RSS {:.1} MB (peak so far {:.1} MB)",
            all.idle_kb as f64 / 1024.0,
            all.before_peak_kb as f64 / 1024.0
        ),
        "< 200 MB",
        Some((all.peak_kb as f64 / 1024.0) < EXPORT_TARGET_MB),
    );
    let job = export::run_child(url, "job", &[data.finished]).await?;
    report.line(
        format!(
            "(f) the app's export job of {} through the router ({} rows) in {:.1} s",
            data.finished, job.rows, job.seconds
        ),
        format!("peak RSS {:.1} MB", job.peak_kb as f64 / 1024.0),
        format!(
            "the same child signed in, when the export starts: RSS {:.1} MB (peak so far, from signing in and the landing page: {:.1} MB)",
            job.idle_kb as f64 / 1024.0,
            job.before_peak_kb as f64 / 1024.0
        ),
        "< 200 MB",
        Some((job.peak_kb as f64 / 1024.0) < EXPORT_TARGET_MB),
    );
    Ok(())
}

async fn measure_roster(
    db: &Db,
    data: &DataSet,
    rows: u64,
    report: &mut Report,
) -> anyhow::Result<()> {
    let started = Instant::now();
    let bytes = roster::write_roster(rows, &data.units)?;
    let written = started.elapsed();
    let size = bytes.len();
    let import = roster::import(db, bytes).await?;
    anyhow::ensure!(
        import.errors == 0 && import.created as u64 == rows,
        "the roster import created {} of {rows} people with {} invalid rows",
        import.created,
        import.errors
    );
    let baseline = roster::bare_sqlite_inserts(rows, &data.units).await?;
    report.line(
        format!(
            "(e) roster import of {rows} new teachers from a {:.1} MB .xlsx (written in {:.1} s)",
            size as f64 / 1e6,
            written.as_secs_f64()
        ),
        format!("{:.2} s", import.import.as_secs_f64()),
        format!(
            "bare SQLite inserts of the same rows: {:.2} s in one transaction, {:.2} s with a commit per row",
            baseline.one_transaction.as_secs_f64(),
            baseline.commit_per_row.as_secs_f64()
        ),
        "—",
        None,
    );
    Ok(())
}
