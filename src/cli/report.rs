//! `tcpip-spec report [--output REPORT.md]`.

use super::UsageError;
use clap::Args;
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `report`.
#[derive(Args)]
pub struct ReportArgs {
    /// Where to write the report.
    #[arg(long, default_value = "REPORT.md")]
    pub output: PathBuf,
}

/// Runs every check and writes the report.
pub fn run(args: &ReportArgs) -> Result<ExitCode, UsageError> {
    let _ = args;
    Err(UsageError("report: not built yet".into()))
}
