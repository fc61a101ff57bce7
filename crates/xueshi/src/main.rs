//! The `xueshi` command: runs the web server and the administrators' commands.

mod admin;
mod cli;
mod help;
mod import;
mod report;
mod serve;
mod term;

fn main() -> std::process::ExitCode {
    let cli = match help::parse() {
        Ok(cli) => cli,
        Err(code) => return code,
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("错误：无法启动运行时：{error}");
            return std::process::ExitCode::FAILURE;
        }
    };
    match runtime.block_on(cli::run(cli)) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("错误：{error:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
