//! `xueshi report`: the center's reports on the command line.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use clap::{Subcommand, ValueEnum};
use xueshi_web::reports::table::{self, UnitTableJson};
use xueshi_web::reports::{ReportError, find_term};

use crate::cli::GlobalArgs;

#[derive(Subcommand, Debug)]
pub enum ReportCommand {
    #[command(about = "输出一个学期的各单位培训学时认定情况一览表（只统计已完成审核的申报）")]
    Units {
        #[arg(long, help = "学年学期，如 2022-2023-2")]
        term: String,
        #[arg(
            long,
            value_enum,
            default_value = "json",
            help = "输出格式：json、csv（UTF-8 带 BOM）或 xlsx"
        )]
        format: UnitsFormat,
        #[arg(
            long,
            help = "写入的文件；json 和 csv 不指定时输出到标准输出，xlsx 必须指定"
        )]
        output: Option<PathBuf>,
    },
}

/// Output formats of `report units`.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnitsFormat {
    Json,
    Csv,
    Xlsx,
}

pub async fn run(global: &GlobalArgs, command: ReportCommand) -> anyhow::Result<ExitCode> {
    match command {
        ReportCommand::Units {
            term,
            format,
            output,
        } => units(global, &term, format, output.as_deref()).await,
    }
}

async fn units(
    global: &GlobalArgs,
    raw_term: &str,
    format: UnitsFormat,
    output: Option<&Path>,
) -> anyhow::Result<ExitCode> {
    if format == UnitsFormat::Xlsx && output.is_none() {
        eprintln!("错误：xlsx 格式须用 --output 指定输出文件，如 --output 一览表.xlsx。");
        return Ok(ExitCode::FAILURE);
    }
    let db = global.open_db().await?;
    let mut conn = db.conn().await?;
    let term = match find_term(&mut conn, raw_term).await {
        Ok(term) => term,
        Err(ReportError::Term(message)) => {
            eprintln!("错误：{message}");
            return Ok(ExitCode::FAILURE);
        }
        Err(ReportError::Store(error)) => return Err(error.into()),
    };
    let unit_table = table::load(&mut conn, term.code)
        .await
        .map_err(|error| anyhow::anyhow!(error))?;
    drop(conn);

    let bytes = match format {
        UnitsFormat::Json => {
            let mut json = serde_json::to_vec_pretty(&UnitTableJson::new(term.code, &unit_table))?;
            json.push(b'\n');
            json
        }
        UnitsFormat::Csv => table::csv(&unit_table)?,
        UnitsFormat::Xlsx => table::xlsx(term.code, &unit_table)?,
    };
    match output {
        Some(path) => std::fs::write(path, &bytes)
            .with_context(|| format!("无法写入文件 {}", path.display()))?,
        None => {
            let mut stdout = std::io::stdout().lock();
            stdout.write_all(&bytes)?;
            stdout.flush()?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
