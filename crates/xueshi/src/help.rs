//! Chinese help and usage errors for the command line.
//!
//! clap writes its headings ("Usage", "Options"), the help and version flags and its
//! usage errors in English. The administrators who run `xueshi` read Chinese, so this
//! module renames the headings and flags on every subcommand and rewrites each usage
//! error as a Chinese sentence that names the argument and what to do next.

use std::error::Error as _;
use std::process::ExitCode;

use clap::error::{ContextKind, ContextValue, ErrorKind};
use clap::{Arg, ArgAction, Command, CommandFactory, FromArgMatches};

use crate::cli::Cli;

const TEMPLATE: &str = "{about-with-newline}\n用法：{usage}\n\n{all-args}{after-help}";

/// Parses the process arguments. When there is nothing to run, prints help, the version
/// or a usage error and returns the exit code.
pub fn parse() -> Result<Cli, ExitCode> {
    let command = localize(Cli::command()).disable_version_flag(true).arg(
        Arg::new("version")
            .short('V')
            .long("version")
            .action(ArgAction::Version)
            .help("显示版本")
            .help_heading("选项"),
    );
    let matches = command.try_get_matches().map_err(print_error)?;
    Cli::from_arg_matches(&matches).map_err(print_error)
}

/// Renames the headings and the help flag of `command` and of all its subcommands.
fn localize(command: Command) -> Command {
    let mut command = command
        .help_template(TEMPLATE)
        .disable_help_flag(true)
        .disable_help_subcommand(true)
        .subcommand_help_heading("命令")
        .subcommand_value_name("命令")
        .arg(
            Arg::new("help")
                .short('h')
                .long("help")
                .action(ArgAction::Help)
                .help("显示帮助"),
        );
    let arguments: Vec<(clap::Id, bool)> = command
        .get_arguments()
        .map(|arg| (arg.get_id().clone(), arg.is_positional()))
        .collect();
    // Setting a heading moves an argument to the end of the list, so the original
    // order is kept explicitly.
    for (order, (id, positional)) in arguments.into_iter().enumerate() {
        let heading = if positional { "参数" } else { "选项" };
        command = command.mut_arg(id, |arg| arg.help_heading(heading).display_order(order));
    }
    command.mut_subcommands(localize)
}

/// Writes clap's help or version output, or a usage error in Chinese, and returns the
/// exit code to end with.
fn print_error(error: clap::Error) -> ExitCode {
    match error.kind() {
        ErrorKind::DisplayHelp
        | ErrorKind::DisplayVersion
        | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            let text = translate_help(&error.render().to_string());
            if error.kind() == ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand {
                eprint!("{text}");
                ExitCode::from(2)
            } else {
                print!("{text}");
                ExitCode::SUCCESS
            }
        }
        _ => {
            eprintln!("错误：{}", usage_message(&error));
            eprintln!("运行 xueshi --help（或在子命令后加 --help）查看用法。");
            ExitCode::from(2)
        }
    }
}

/// Replaces the English words clap puts into usage lines and argument notes.
fn translate_help(text: &str) -> String {
    text.replace("[OPTIONS]", "[选项]")
        .replace("[default: ", "[默认：")
        .replace("[env: ", "[环境变量：")
        .replace("[possible values: ", "[可选值：")
        .replace("[aliases: ", "[别名：")
        .replace("=]", "]")
}

fn context(error: &clap::Error, kind: ContextKind) -> String {
    match error.get(kind) {
        Some(ContextValue::String(value)) => value.clone(),
        Some(ContextValue::Strings(values)) => values.join("、"),
        Some(other) => other.to_string(),
        None => String::new(),
    }
}

/// Builds the Chinese sentence for a usage error from the error's context.
fn usage_message(error: &clap::Error) -> String {
    let argument = context(error, ContextKind::InvalidArg);
    let value = context(error, ContextKind::InvalidValue);
    match error.kind() {
        ErrorKind::MissingRequiredArgument => format!("缺少必填的参数：{argument}。"),
        ErrorKind::MissingSubcommand => "缺少要执行的命令。".to_owned(),
        ErrorKind::InvalidSubcommand => {
            let value = context(error, ContextKind::InvalidSubcommand);
            let suggestion = context(error, ContextKind::SuggestedSubcommand);
            if suggestion.is_empty() {
                format!("没有名为 {value} 的命令。")
            } else {
                format!("没有名为 {value} 的命令，您是否想用 {suggestion}？")
            }
        }
        ErrorKind::UnknownArgument => {
            let suggestion = context(error, ContextKind::SuggestedArg);
            if suggestion.is_empty() {
                format!("无法识别的参数：{argument}。")
            } else {
                format!("无法识别的参数：{argument}，您是否想用 {suggestion}？")
            }
        }
        ErrorKind::InvalidValue => {
            let valid = context(error, ContextKind::ValidValue);
            if valid.is_empty() {
                format!("参数 {argument} 缺少值或值“{value}”无效。")
            } else {
                format!("参数 {argument} 的值“{value}”无效，可选：{valid}。")
            }
        }
        ErrorKind::ValueValidation => {
            let reason = error
                .source()
                .map(|source| source.to_string())
                .unwrap_or_default();
            format!("参数 {argument} 的值“{value}”无效：{reason}")
        }
        ErrorKind::ArgumentConflict => {
            let other = context(error, ContextKind::PriorArg);
            format!("参数 {argument} 不能与 {other} 同时使用。")
        }
        ErrorKind::TooManyValues => {
            format!("参数 {argument} 给出的值太多：{value}。")
        }
        ErrorKind::InvalidUtf8 => "参数中有无法识别的字符，请使用 UTF-8 编码。".to_owned(),
        _ => format!("命令行参数有误（{}）。", error.kind()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn try_parse(args: &[&str]) -> Result<clap::ArgMatches, clap::Error> {
        localize(Cli::command()).try_get_matches_from(args)
    }

    #[test]
    fn help_headings_are_chinese() {
        let error = try_parse(&["xueshi", "import", "history", "--help"]).unwrap_err();
        let help = translate_help(&error.render().to_string());
        assert!(help.contains("用法："), "{help}");
        assert!(help.contains("选项"), "{help}");
        assert!(help.contains("显示帮助"), "{help}");
        assert!(!help.contains("Usage"), "{help}");
        assert!(!help.contains("Options:"), "{help}");
        assert!(!help.contains("[OPTIONS]"), "{help}");
    }

    #[test]
    fn missing_argument_is_named() {
        let error = try_parse(&["xueshi", "report", "units"]).unwrap_err();
        let message = usage_message(&error);
        assert!(message.starts_with("缺少必填的参数"), "{message}");
        assert!(message.contains("--term"), "{message}");
    }

    #[test]
    fn invalid_value_lists_choices() {
        let error = try_parse(&[
            "xueshi", "report", "units", "--term", "x", "--format", "pdf",
        ])
        .unwrap_err();
        let message = usage_message(&error);
        assert!(message.contains("pdf"), "{message}");
        assert!(message.contains("json"), "{message}");
    }

    #[test]
    fn unknown_command_is_named() {
        let error = try_parse(&["xueshi", "imports"]).unwrap_err();
        let message = usage_message(&error);
        assert!(message.contains("imports"), "{message}");
        assert!(message.contains("import"), "{message}");
    }
}
