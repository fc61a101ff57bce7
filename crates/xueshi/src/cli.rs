//! The command line: global options, subcommands and dispatch.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};
use xueshi_store::Db;

use crate::{admin, import, report, serve, term};

#[derive(Parser, Debug)]
#[command(name = "xueshi", version, about = "学时：教师培训学时认定平台")]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Args, Debug, Clone)]
pub struct GlobalArgs {
    #[arg(
        long,
        env = "XUESHI_DATA_DIR",
        default_value = "data",
        global = true,
        help = "数据目录：存放 SQLite 数据库和佐证材料文件"
    )]
    pub data_dir: PathBuf,
    #[arg(
        long,
        env = "XUESHI_DATABASE_URL",
        global = true,
        help = "数据库地址：sqlite://路径 或 postgres://…；默认使用数据目录中的 SQLite"
    )]
    pub database_url: Option<String>,
}

impl GlobalArgs {
    pub fn config(&self) -> xueshi_web::Config {
        let mut config = xueshi_web::Config::for_data_dir(self.data_dir.clone());
        if let Some(url) = &self.database_url {
            config.database_url = url.clone();
        }
        config
    }

    /// Opens the database and applies pending migrations.
    pub async fn open_db(&self) -> anyhow::Result<Db> {
        let config = self.config();
        std::fs::create_dir_all(&config.data_dir)?;
        let db = Db::connect(&config.database_url, 8).await?;
        db.migrate().await?;
        xueshi_web::bootstrap::seed_reference_data(&db).await?;
        Ok(db)
    }
}

#[derive(Subcommand, Debug)]
pub enum Command {
    #[command(about = "启动网站服务")]
    Serve(serve::ServeArgs),
    #[command(about = "执行数据库迁移后退出")]
    Migrate,
    #[command(about = "从表格导入数据")]
    Import {
        #[command(subcommand)]
        what: import::ImportCommand,
    },
    #[command(about = "输出统计报表")]
    Report {
        #[command(subcommand)]
        what: report::ReportCommand,
    },
    #[command(about = "查看人员")]
    People {
        #[command(subcommand)]
        what: admin::PeopleCommand,
    },
    #[command(about = "管理单位（院部）")]
    Unit {
        #[command(subcommand)]
        what: admin::UnitCommand,
    },
    #[command(about = "管理账户：设置密码、授予角色")]
    User {
        #[command(subcommand)]
        what: admin::UserCommand,
    },
    #[command(about = "管理学年学期：建立学期、列出学期")]
    Term {
        #[command(subcommand)]
        what: term::TermCommand,
    },
}

/// Unit kinds as the command line spells them.
#[derive(ValueEnum, Clone, Copy, Debug)]
pub enum KindArg {
    Teaching,
    Other,
}

impl From<KindArg> for xueshi_core::UnitKind {
    fn from(kind: KindArg) -> Self {
        match kind {
            KindArg::Teaching => xueshi_core::UnitKind::Teaching,
            KindArg::Other => xueshi_core::UnitKind::Other,
        }
    }
}

pub async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let quiet = !matches!(cli.command, Command::Serve(_));
    init_logging(quiet);
    match cli.command {
        Command::Serve(args) => serve::run(&cli.global, args).await,
        Command::Migrate => {
            cli.global.open_db().await?;
            println!("数据库迁移完成。");
            Ok(ExitCode::SUCCESS)
        }
        Command::Import { what } => import::run(&cli.global, what).await,
        Command::Report { what } => report::run(&cli.global, what).await,
        Command::People { what } => admin::people(&cli.global, what).await,
        Command::Unit { what } => admin::unit(&cli.global, what).await,
        Command::User { what } => admin::user(&cli.global, what).await,
        Command::Term { what } => term::run(&cli.global, what).await,
    }
}

/// Logs to standard error; `RUST_LOG` overrides the level (info for the server, warnings
/// only for the other commands, so their output stays readable by scripts).
fn init_logging(quiet: bool) {
    let default = if quiet {
        "warn"
    } else {
        "info,sqlx=warn,tower_http=info"
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}

/// Prints a value as pretty JSON on standard output.
pub fn print_json<T: serde::Serialize>(value: &T) -> anyhow::Result<()> {
    println!("{}", serde_json::to_string_pretty(value)?);
    Ok(())
}
