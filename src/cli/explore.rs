//! `tcpip-spec explore MODEL [--without MECH]... [--addr 127.0.0.1:3000]`.

use super::UsageError;
use clap::Args;
use std::net::{SocketAddr, TcpListener};
use std::process::ExitCode;

/// Arguments of `explore`.
#[derive(Args)]
pub struct ExploreArgs {
    /// The model to explore.
    pub model: String,
    /// Switch a mechanism off (repeatable).
    #[arg(long, value_name = "MECH")]
    pub without: Vec<String>,
    /// Address to serve on.
    #[arg(long, default_value = "127.0.0.1:3000")]
    pub addr: SocketAddr,
}

/// Serves the Explorer until interrupted.
pub fn run(args: &ExploreArgs) -> Result<ExitCode, UsageError> {
    let spec = super::model(&args.model)?;
    let without = super::mechanisms(spec, &args.without)?;
    // stateright panics on a taken port (stateright-notes 10): find out first.
    TcpListener::bind(args.addr)
        .map_err(|e| UsageError(format!("cannot serve on {}: {e}", args.addr)))?;
    eprintln!(
        "Explorer for {} on http://{} (press \"Run to completion\" to check; Ctrl-C to stop)",
        spec.name, args.addr
    );
    (spec.explore)(&without, args.addr);
    Ok(ExitCode::SUCCESS)
}
