//! `xueshi serve`: the web server.

use std::net::SocketAddr;
use std::process::ExitCode;

use clap::Args;

use crate::cli::GlobalArgs;

#[derive(Args, Debug)]
pub struct ServeArgs {
    #[arg(
        long,
        env = "XUESHI_LISTEN",
        default_value = "127.0.0.1:8080",
        help = "监听地址和端口"
    )]
    pub listen: SocketAddr,
    #[arg(long, help = "数据库为空时填入演示学校的数据，并打印演示账户")]
    pub demo: bool,
    #[arg(
        long,
        env = "XUESHI_SECURE_COOKIES",
        help = "网站经 HTTPS 访问时开启：Cookie 加上 Secure 标记"
    )]
    pub secure_cookies: bool,
    #[arg(
        long,
        env = "XUESHI_TRUST_PROXY",
        help = "部署在反向代理之后时开启：采用 X-Forwarded-For 和 X-Forwarded-Proto 头"
    )]
    pub trust_proxy: bool,
    #[arg(
        long,
        env = "XUESHI_LOCKOUT_ATTEMPTS",
        default_value_t = 5,
        help = "同一账户连续登录失败多少次后锁定"
    )]
    pub lockout_attempts: i64,
    #[arg(
        long,
        env = "XUESHI_LOCKOUT_MINUTES",
        default_value_t = 15,
        help = "锁定时长（分钟）"
    )]
    pub lockout_minutes: i64,
    #[arg(
        long,
        env = "XUESHI_IP_LOCKOUT_ATTEMPTS",
        default_value_t = 50,
        help = "同一 IP 地址登录失败多少次后锁定该地址（校园网常共用一个出口地址，故高于账户上限）"
    )]
    pub ip_lockout_attempts: i64,
    #[arg(
        long,
        env = "XUESHI_SESSION_HOURS",
        default_value_t = 12,
        help = "登录会话无操作多少小时后失效"
    )]
    pub session_hours: i64,
    #[arg(
        long,
        env = "XUESHI_MAX_UPLOAD_MB",
        default_value_t = 20,
        help = "单个佐证材料文件的大小上限（MB）"
    )]
    pub max_upload_mb: u64,
    #[arg(
        long,
        env = "XUESHI_LEDGER_LATE_DAYS",
        default_value_t = 7,
        help = "培训结束后多少天内备案到台账算按时，超过即标记为逾期备案"
    )]
    pub ledger_late_days: i64,
    #[arg(
        long,
        env = "XUESHI_SIMILAR_TOPIC_PERCENT",
        default_value_t = xueshi_core::similarity::DEFAULT_SIMILAR_TOPIC_PERCENT,
        help = "同一教师日期重叠的两条申报，主题相似度达到多少（百分比）时提示疑似重复"
    )]
    pub similar_topic_percent: u32,
}

pub async fn run(global: &GlobalArgs, args: ServeArgs) -> anyhow::Result<ExitCode> {
    let mut config = global.config();
    config.listen = args.listen;
    config.secure_cookies = args.secure_cookies;
    config.trust_proxy = args.trust_proxy;
    config.lockout_attempts = args.lockout_attempts.max(1);
    config.lockout_minutes = args.lockout_minutes.max(1);
    config.ip_lockout_attempts = args.ip_lockout_attempts.max(1);
    config.session_idle_hours = args.session_hours.max(1);
    config.max_upload_bytes = args.max_upload_mb.max(1) * 1024 * 1024;
    config.ledger_late_days = args.ledger_late_days.max(0);
    config.checks.similar_topic_percent = args.similar_topic_percent.clamp(1, 100);

    let db = global.open_db().await?;
    tracing::info!(?config, "starting");

    if let Some(admin) = xueshi_web::bootstrap::create_first_admin(&db).await? {
        // Printed once on the terminal and never logged: the only copy of this password.
        println!();
        println!("===============================================================");
        println!(" 已创建教师发展中心管理员账户（仅显示这一次，请妥善保存）：");
        println!("   工号：{}", admin.staff_id);
        println!("   一次性密码：{}", admin.password);
        println!(" 首次登录后必须修改密码。");
        println!("===============================================================");
        println!();
    }
    if args.demo {
        match xueshi_web::demo::fill(&db, &config).await? {
            Some(accounts) => accounts.print(),
            None => println!("数据库中已有数据，未再填入演示数据。"),
        }
    }

    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .map_err(|error| {
            anyhow::anyhow!(
                "无法监听 {}：{error}。请检查端口是否已被占用，或用 --listen 指定其他地址。",
                config.listen
            )
        })?;
    println!("学时平台已启动：http://{}/", listener.local_addr()?);
    let state = xueshi_web::AppState::new(db, config)?;
    xueshi_web::serve(state, listener).await?;
    Ok(ExitCode::SUCCESS)
}
