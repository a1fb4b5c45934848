//! `tcpip-spec explore MODEL [--without MECH]... [--addr 127.0.0.1:3000]` with the bounds and
//! `--threads` of `check`.

use super::UsageError;
use super::check::RunArgs;
use clap::Args;
use std::net::{SocketAddr, TcpListener};
use std::process::ExitCode;
use tcpip_spec::models::runner::RunOptions;

/// Arguments of `explore`.
#[derive(Args)]
pub struct ExploreArgs {
    /// The model to explore.
    pub model: String,
    /// Switch a mechanism off (repeatable).
    #[arg(long, value_name = "MECH")]
    pub without: Vec<String>,
    /// Address to serve on.
    #[arg(long, default_value = super::check::EXPLORER_ADDR)]
    pub addr: SocketAddr,
    #[command(flatten)]
    pub run: RunArgs,
}

/// Serves the Explorer until interrupted: the very model `check` runs with the same
/// arguments (a single ablation at its registered bounds), so that the links `check` prints
/// open in it.
pub fn run(args: &ExploreArgs) -> Result<ExitCode, UsageError> {
    let (spec, without, bounds) = args.run.resolve(&args.model, &args.without)?;
    // stateright panics on a taken port (stateright-notes 10): find out first.
    TcpListener::bind(args.addr)
        .map_err(|e| UsageError(format!("cannot serve on {}: {e}", args.addr)))?;
    let without_names: Vec<String> = without.iter().map(|w| w.to_string()).collect();
    let command = tcpip_spec::models::runner::explore_command(
        spec.name,
        &without_names,
        bounds,
        !args.run.unreduced,
    );
    eprintln!(
        "{command}: the Explorer on http://{} (press \"Run to completion\" to check; Ctrl-C to stop)",
        args.addr
    );
    let opts = RunOptions {
        threads: args.run.threads(),
        explore: Some(args.addr),
        reduce: !args.run.unreduced,
        ..Default::default()
    };
    (spec.check)(&without, bounds, opts);
    Ok(ExitCode::SUCCESS)
}
