//! `xueshi term`: terms (学年学期) and their submission windows.

use std::process::ExitCode;

use clap::Subcommand;
use xueshi_store::audit::Actor;
use xueshi_store::terms::CategorySeed;
use xueshi_web::terms::{TermInput, create_term, list_terms, seed_message, today};

use crate::cli::{GlobalArgs, print_json};

#[derive(Subcommand, Debug)]
pub enum TermCommand {
    #[command(about = "建立学期，并建立其八个培训类别（从上一学期复制，或按默认设置）")]
    Add {
        #[arg(help = "学年学期，如 2025-2026-1 或 2025-2026学年第一学期")]
        code: String,
        #[arg(long, help = "提交开始日期，如 2025-09-01")]
        window_start: String,
        #[arg(long, help = "提交截止日期（含当天）")]
        window_end: String,
        #[arg(long, help = "审核截止日期，不早于提交截止日期")]
        review_deadline: String,
        #[arg(
            long,
            allow_negative_numbers = true,
            help = "每人应完成的学时数，如 24 或 12.5；省略表示不设要求"
        )]
        required_hours: Option<String>,
        #[arg(long, help = "以 JSON 输出结果")]
        json: bool,
    },
    #[command(about = "列出全部学期，最新的在前")]
    List {
        #[arg(long, help = "以 JSON 输出")]
        json: bool,
    },
}

/// A term as `term list --json` and `term add --json` print it.
#[derive(serde::Serialize)]
struct TermLine {
    code: String,
    label: String,
    window_start: String,
    window_end: String,
    review_deadline: String,
    /// Decimal string, "0" when the term sets none.
    required_hours: String,
    current: bool,
}

pub async fn run(global: &GlobalArgs, command: TermCommand) -> anyhow::Result<ExitCode> {
    match command {
        TermCommand::Add {
            code,
            window_start,
            window_end,
            review_deadline,
            required_hours,
            json,
        } => {
            let input = TermInput {
                code,
                window_start,
                window_end,
                review_deadline,
                required_hours: required_hours.unwrap_or_default(),
            };
            add(global, &input, json).await
        }
        TermCommand::List { json } => list(global, json).await,
    }
}

async fn add(global: &GlobalArgs, input: &TermInput, json: bool) -> anyhow::Result<ExitCode> {
    let db = global.open_db().await?;
    let (term, seed) = match create_term(&db, &Actor::system(), input).await {
        Ok(created) => created,
        Err(error) => {
            let Some(message) = error.user_message() else {
                return Err(error.into());
            };
            if json {
                print_json(&serde_json::json!({ "error": message }))?;
            } else {
                eprintln!("错误：{message}");
            }
            return Ok(ExitCode::FAILURE);
        }
    };
    if json {
        let categories_from = match &seed {
            CategorySeed::Defaults => "defaults".to_owned(),
            CategorySeed::CopiedFrom(previous) => previous.to_string(),
        };
        print_json(&serde_json::json!({
            "code": term.code.to_string(),
            "label": term.code.label(),
            "window_start": term.window_start.to_string(),
            "window_end": term.window_end.to_string(),
            "review_deadline": term.review_deadline.to_string(),
            "required_hours": term.required_hours.to_string(),
            "categories_from": categories_from,
        }))?;
    } else {
        println!("已建立{}（{}）。", term.code.label(), term.code);
        println!("{}", seed_message(&seed));
    }
    Ok(ExitCode::SUCCESS)
}

async fn list(global: &GlobalArgs, json: bool) -> anyhow::Result<ExitCode> {
    let db = global.open_db().await?;
    let listings = list_terms(&mut *db.conn().await?, today()).await?;
    let lines: Vec<TermLine> = listings
        .into_iter()
        .map(|listing| TermLine {
            code: listing.term.code.to_string(),
            label: listing.term.code.label(),
            window_start: listing.term.window_start.to_string(),
            window_end: listing.term.window_end.to_string(),
            review_deadline: listing.term.review_deadline.to_string(),
            required_hours: listing.term.required_hours.to_string(),
            current: listing.current,
        })
        .collect();
    if json {
        print_json(&lines)?;
        return Ok(ExitCode::SUCCESS);
    }
    println!("代码\t学年学期\t提交时间\t审核截止\t应完成学时\t当前");
    for line in &lines {
        println!(
            "{}\t{}\t{} 至 {}\t{}\t{}\t{}",
            line.code,
            line.label,
            line.window_start,
            line.window_end,
            line.review_deadline,
            line.required_hours,
            if line.current { "是" } else { "" }
        );
    }
    println!("共 {} 个学期", lines.len());
    Ok(ExitCode::SUCCESS)
}
