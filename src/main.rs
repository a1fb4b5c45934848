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
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            use clap::error::ErrorKind;
            if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) {
                let _ = e.print();
                return ExitCode::SUCCESS;
            }
            let text = e.to_string();
            let first = text.lines().next().unwrap_or("error: bad usage");
            eprintln!("{first} (see --help)");
            return ExitCode::from(2);
        }
    };
    let result = match cli.command {
        Command::List { json } => cli::list::run(json),
        Command::Check(args) => cli::check::run(&args),
        Command::Explore(args) => cli::explore::run(&args),
        Command::Report(args) => cli::report::run(&args),
        Command::Stack(args) => cli::stack::run(&args),
    };
    match result {
        Ok(code) => code,
        Err(cli::UsageError(msg)) => {
            eprintln!("error: {msg}");
            ExitCode::from(2)
        }
    }
}
