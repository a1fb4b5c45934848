//! `tcpip-spec`: the command-line front end. Each subcommand lives in `cli/`.
#![forbid(unsafe_code)]

mod cli;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// TCP/IP as exhaustively model-checked specifications.
#[derive(Parser)]
#[command(name = "tcpip-spec", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// List the models, their properties and their registered ablations.
    List {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Check a model exhaustively (or every model and every ablation with --all).
    Check(cli::check::CheckArgs),
    /// Serve stateright's Explorer for a model.
    Explore(cli::explore::ExploreArgs),
    /// Run every check and write REPORT.md.
    Report(cli::report::ReportArgs),
    /// Run the host on a TUN or TAP device, with servers or as a client like nc.
    Stack(cli::stack::StackArgs),
    /// Judge every endpoint of a pcap or pcapng capture against the rules.
    Conform(cli::conform::ConformArgs),
}

fn main() -> ExitCode {
    // Bare `tcpip-spec` asks what the tool does: the help, not an error.
    if std::env::args_os().len() == 1 {
        let mut cmd = <Cli as clap::CommandFactory>::command();
        return match cmd.print_help() {
            Ok(()) => ExitCode::SUCCESS,
            Err(_) => ExitCode::FAILURE,
        };
    }
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            use clap::error::ErrorKind;
            if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) {
                let _ = e.print();
                return ExitCode::SUCCESS;
            }
            eprintln!("{}", usage_error(&e));
            return ExitCode::from(2);
        }
    };
    let result = match cli.command {
        Command::List { json } => cli::list::run(json),
        Command::Check(args) => cli::check::run(&args),
        Command::Explore(args) => cli::explore::run(&args),
        Command::Report(args) => cli::report::run(&args),
        Command::Stack(args) => cli::stack::run(&args),
        Command::Conform(args) => cli::conform::run(&args),
    };
    match result {
        Ok(code) => code,
        Err(cli::UsageError(msg)) => {
            eprintln!("error: {msg}");
            ExitCode::from(2)
        }
    }
}

/// A clap error as one line: what is wrong, naming the argument, and how to get help.
fn usage_error(e: &clap::Error) -> String {
    use clap::error::{ContextKind, ContextValue, ErrorKind};
    match e.kind() {
        // Options but no subcommand (`tcpip-spec --json`): the subcommands.
        ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand | ErrorKind::MissingSubcommand => {
            let cmd = <Cli as clap::CommandFactory>::command();
            let names: Vec<&str> = cmd
                .get_subcommands()
                .map(|c| c.get_name())
                .filter(|n| *n != "help")
                .collect();
            format!(
                "usage: tcpip-spec <{}> ... (tcpip-spec --help says what each does)",
                names.join("|")
            )
        }
        ErrorKind::MissingRequiredArgument => {
            let missing = match e.get(ContextKind::InvalidArg) {
                Some(ContextValue::Strings(args)) => args.join(", "),
                _ => "an argument".to_string(),
            };
            let usage = match e.get(ContextKind::Usage) {
                Some(ContextValue::StyledStr(u)) => u.to_string(),
                _ => String::new(),
            };
            let usage = usage.trim().trim_start_matches("Usage: ");
            format!("error: missing {missing}; usage: {usage} (see --help)")
        }
        _ => {
            let text = e.to_string();
            let first = text.lines().next().unwrap_or("error: bad usage");
            format!("{first} (see --help)")
        }
    }
}
