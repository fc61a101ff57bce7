//! `xueshi import`: spreadsheets into the database.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Subcommand;
use xueshi_store::audit::Actor;
use xueshi_web::import::RowError;
use xueshi_web::import::attendance::{
    AttendanceError, AttendanceOptions, AttendanceReport, import_attendance,
};
use xueshi_web::import::history::{self, HistoryImportError, HistoryOptions, HistoryReport};
use xueshi_web::import::roster::{self, ImportError, RosterOptions, RosterReport};

use crate::cli::{GlobalArgs, print_json};

#[derive(Subcommand, Debug)]
pub enum ImportCommand {
    #[command(about = "导入教职工名单（.xlsx、.xls 或 .csv）：按工号新增或更新人员")]
    Roster {
        #[arg(help = "名单文件（.xlsx、.xls 或 .csv）")]
        file: PathBuf,
        #[arg(long, help = "只检查并报告结果，不写入数据库")]
        dry_run: bool,
        #[arg(long, help = "跳过有错误的行，导入其余正确的行")]
        skip_invalid: bool,
        #[arg(long, help = "读取指定名称的工作表（默认第一个可见的工作表）")]
        sheet: Option<String>,
        #[arg(long, help = "以 JSON 输出结果")]
        json: bool,
    },
    #[command(
        about = "导入活动的签到表（.xlsx、.xls 或 .csv）：按工号匹配，工号为空或不在名单中时按姓名匹配"
    )]
    Attendance {
        #[arg(help = "培训台账中活动的编号（网页活动地址 /ledger/ 之后的部分）")]
        activity_id: String,
        #[arg(help = "签到表文件（.xlsx、.xls 或 .csv）")]
        file: PathBuf,
        #[arg(long, help = "只匹配并报告结果，不写入数据库")]
        dry_run: bool,
        #[arg(long, help = "读取指定名称的工作表（默认第一个可见的工作表）")]
        sheet: Option<String>,
        #[arg(long, help = "以 JSON 输出结果")]
        json: bool,
    },
    #[command(
        about = "导入平台启用前某一学期的认定结果（.xlsx、.xls 或 .csv）：每行成为一条已完成审核的认定记录"
    )]
    History {
        #[arg(help = "认定结果表文件（.xlsx、.xls 或 .csv）")]
        file: PathBuf,
        #[arg(
            long,
            help = "记录所属的学年学期，如 2022-2023-2 或 2022-2023学年第二学期；系统中没有时自动新建"
        )]
        term: String,
        #[arg(long, help = "只检查并报告结果，不写入数据库")]
        dry_run: bool,
        #[arg(long, help = "跳过有错误的行，导入其余正确的行")]
        skip_invalid: bool,
        #[arg(long, help = "读取指定名称的工作表（默认第一个可见的工作表）")]
        sheet: Option<String>,
        #[arg(long, help = "以 JSON 输出结果")]
        json: bool,
    },
}

pub async fn run(global: &GlobalArgs, command: ImportCommand) -> anyhow::Result<ExitCode> {
    match command {
        ImportCommand::Roster {
            file,
            dry_run,
            skip_invalid,
            sheet,
            json,
        } => {
            let bytes = read_file(&file)?;
            let file_name = file
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let db = global.open_db().await?;
            let options = RosterOptions {
                dry_run,
                skip_invalid,
                sheet,
            };
            let report =
                match roster::import_roster(&db, bytes, &file_name, &options, &Actor::system())
                    .await
                {
                    Ok(report) => report,
                    Err(ImportError::File(message)) => {
                        if json {
                            print_json(&serde_json::json!({ "error": message }))?;
                        } else {
                            eprintln!("错误：{message}");
                        }
                        return Ok(ExitCode::FAILURE);
                    }
                    Err(ImportError::Internal(error)) => return Err(error),
                };
            if json {
                print_json(&report)?;
            } else {
                print_roster_report(&report);
            }
            let failed = !report.errors.is_empty() && !skip_invalid;
            Ok(if failed {
                ExitCode::FAILURE
            } else {
                ExitCode::SUCCESS
            })
        }
        ImportCommand::Attendance {
            activity_id,
            file,
            dry_run,
            sheet,
            json,
        } => {
            let options = AttendanceOptions { dry_run, sheet };
            attendance(global, &activity_id, &file, &options, json).await
        }
        ImportCommand::History {
            file,
            term,
            dry_run,
            skip_invalid,
            sheet,
            json,
        } => {
            let term = match xueshi_core::TermCode::parse(&term) {
                Ok(term) => term,
                Err(error) => return fail(json, &error.message),
            };
            let bytes = read_file(&file)?;
            let file_name = file
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let db = global.open_db().await?;
            let options = HistoryOptions {
                term,
                dry_run,
                skip_invalid,
                sheet,
            };
            let result =
                history::import_history(&db, bytes, &file_name, &options, &Actor::system()).await;
            let report = match result {
                Ok(report) => report,
                Err(HistoryImportError::File(message) | HistoryImportError::Conflict(message)) => {
                    return fail(json, &message);
                }
                Err(HistoryImportError::Internal(error)) => return Err(error),
            };
            if json {
                print_json(&report)?;
            } else {
                print_history_report(&report);
            }
            let failed = !report.errors.is_empty() && !skip_invalid;
            Ok(if failed {
                ExitCode::FAILURE
            } else {
                ExitCode::SUCCESS
            })
        }
    }
}

/// Prints a message that stops an import, as JSON or on standard error, and fails.
fn fail(json: bool, message: &str) -> anyhow::Result<ExitCode> {
    if json {
        print_json(&serde_json::json!({ "error": message }))?;
    } else {
        eprintln!("错误：{message}");
    }
    Ok(ExitCode::FAILURE)
}

fn print_history_report(report: &HistoryReport) {
    if let Some(sheet) = &report.sheet {
        println!("工作表：{sheet}（表头在第 {} 行）", report.header_row);
    }
    if !report.new_units.is_empty() {
        println!("新建单位（教学单位）：{}", report.new_units.join("、"));
    }
    if !report.new_other_units.is_empty() {
        println!(
            "新建单位（其他单位，按名称判断）：{}",
            report.new_other_units.join("、")
        );
    }
    for skipped in &report.skipped {
        println!("跳过第 {} 行：{}", skipped.row, skipped.reason);
    }
    for error in &report.errors {
        println!(
            "第 {} 行 {} 列（{}）：{}",
            error.row, error.column, error.value, error.message
        );
    }
    for warning in &report.warnings {
        println!(
            "提醒：第 {} 行 {} 列：{}",
            warning.row, warning.column, warning.message
        );
    }
    println!("{}", report.message);
}

async fn attendance(
    global: &GlobalArgs,
    activity_id: &str,
    file: &std::path::Path,
    options: &AttendanceOptions,
    json: bool,
) -> anyhow::Result<ExitCode> {
    let bytes = read_file(file)?;
    let file_name = file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let db = global.open_db().await?;
    let result = import_attendance(
        &db,
        activity_id,
        bytes,
        &file_name,
        options,
        &Actor::system(),
    )
    .await;
    let message = match result {
        Ok(report) => {
            if json {
                print_json(&report)?;
            } else {
                print_attendance_report(&report);
            }
            return Ok(ExitCode::SUCCESS);
        }
        Err(AttendanceError::ActivityNotFound) => {
            format!("培训台账中没有编号为 {activity_id} 的活动，请在网页的活动页面地址中核对编号。")
        }
        Err(AttendanceError::File(message)) => message,
        Err(AttendanceError::Internal(error)) => return Err(error),
    };
    if json {
        print_json(&serde_json::json!({ "error": message }))?;
    } else {
        eprintln!("错误：{message}");
    }
    Ok(ExitCode::FAILURE)
}

fn print_attendance_report(report: &AttendanceReport) {
    println!("活动：{}", report.activity_title);
    if let Some(sheet) = &report.sheet {
        println!("工作表：{sheet}（表头在第 {} 行）", report.header_row);
    }
    for problem in &report.unmatched {
        println!("未匹配：{}", describe_row(problem));
    }
    for problem in &report.ambiguous {
        println!("无法确定：{}", describe_row(problem));
    }
    println!("{}", report.message);
}

/// Writes a row problem as "第 5 行 B 列（王五）：…", leaving out the cell when the row
/// has none to name.
fn describe_row(problem: &RowError) -> String {
    if problem.column.is_empty() {
        format!("第 {} 行：{}", problem.row, problem.message)
    } else {
        format!(
            "第 {} 行 {} 列（{}）：{}",
            problem.row, problem.column, problem.value, problem.message
        )
    }
}

fn print_roster_report(report: &RosterReport) {
    if let Some(sheet) = &report.sheet {
        println!("工作表：{sheet}（表头在第 {} 行）", report.header_row);
    }
    if !report.new_units.is_empty() {
        println!("新建单位：{}", report.new_units.join("、"));
    }
    if !report.new_offices.is_empty() {
        println!("新建教研室：{}", report.new_offices.join("、"));
    }
    for skipped in &report.skipped {
        println!("跳过第 {} 行：{}", skipped.row, skipped.reason);
    }
    for error in &report.errors {
        println!(
            "第 {} 行 {} 列（{}）：{}",
            error.row, error.column, error.value, error.message
        );
    }
    println!("{}", report.message);
}

/// Reads a file to import, with a Chinese message that says what is wrong with the path.
fn read_file(path: &std::path::Path) -> anyhow::Result<Vec<u8>> {
    std::fs::read(path).map_err(|error| {
        let shown = path.display();
        let message = match error.kind() {
            std::io::ErrorKind::NotFound => format!("找不到文件 {shown}，请检查路径和文件名。"),
            std::io::ErrorKind::PermissionDenied => {
                format!("没有读取文件 {shown} 的权限，请检查文件权限。")
            }
            std::io::ErrorKind::IsADirectory => format!("{shown} 是文件夹，请指定要导入的文件。"),
            _ => format!("无法读取文件 {shown}，请确认文件完整且未被其他程序占用。"),
        };
        tracing::debug!(error = %error, "reading the import file failed");
        anyhow::anyhow!(message)
    })
}
