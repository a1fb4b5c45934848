//! `tcpip-spec conform FILE [--json] [--strict | --profile linux] [--budget N]`: judges every
//! endpoint of a capture (`tcpip_spec::conform`). Exit 0 when none violates, 1 when one does,
//! 2 when the file cannot be read (one line on stderr).

use super::UsageError;
use clap::Args;
use serde_json::json;
use std::process::ExitCode;
use tcpip_spec::capture::Capture;
use tcpip_spec::conform::{self, Endpoint, Options, Profile, Report, Verdict};

/// Arguments of `conform`.
#[derive(Args)]
pub struct ConformArgs {
    /// The capture: pcap or pcapng.
    pub file: String,
    /// Print JSON (docs/json.md).
    #[arg(long)]
    pub json: bool,
    /// The RFCs alone: no profile allowance (the default).
    #[arg(long, conflicts_with = "profile")]
    pub strict: bool,
    /// Allow a real stack's named behaviour beyond the RFCs (known: linux).
    #[arg(long, value_name = "NAME")]
    pub profile: Option<String>,
    /// The most candidates a TCP endpoint's search keeps.
    #[arg(long, value_name = "N", default_value_t = conform::tcp::DEFAULT_BUDGET)]
    pub budget: usize,
}

/// Runs `conform`.
pub fn run(args: &ConformArgs) -> Result<ExitCode, UsageError> {
    let profile = match &args.profile {
        None => Profile::Strict,
        Some(name) => Profile::from_name(name)
            .ok_or_else(|| UsageError(format!("unknown profile '{name}' (known: linux)")))?,
    };
    if args.budget == 0 {
        return Err(UsageError("--budget must be at least 1".into()));
    }
    let options = Options {
        profile,
        budget: args.budget,
    };
    let capture = Capture::open(&args.file).map_err(|e| UsageError(e.to_string()))?;
    let report = conform::judge_capture(capture, options).map_err(|e| UsageError(e.to_string()))?;
    if args.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&to_json(&args.file, profile, &report))
                .expect("JSON of plain data")
        );
    } else {
        print_text(&args.file, &report);
    }
    Ok(if report.conforms() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn to_json(file: &str, profile: Profile, r: &Report) -> serde_json::Value {
    let s = r.summary;
    let endpoints: Vec<_> = r.endpoints.iter().map(endpoint_json).collect();
    json!({
        "file": file,
        "profile": profile.name(),
        "summary": {
            "frames": s.frames, "undecodable": s.undecodable, "cut": s.cut,
            "bad_checksums": s.bad_checksums, "tcp_connections": s.tcp_connections,
            "tcp_segments": s.tcp_segments, "udp_flows": s.udp_flows,
            "icmp_exchanges": s.icmp_exchanges, "arp_exchanges": s.arp_exchanges,
        },
        "endpoints": endpoints,
        "conforms": r.conforms(),
    })
}

fn endpoint_json(e: &Endpoint) -> serde_json::Value {
    let (reason, violation) = match &e.verdict {
        Verdict::Conforms => (None, None),
        Verdict::CannotJudge(why) => (Some(why.clone()), None),
        Verdict::Violates(v) => (
            None,
            Some(json!({
                "frame": v.frame, "segment": v.segment, "rule": v.rule,
                "expected": v.expected,
            })),
        ),
    };
    json!({
        "kind": e.kind.name(),
        "conversation": e.conversation,
        "incarnation": e.incarnation,
        "endpoint": e.endpoint,
        "peer": e.peer,
        "verdict": e.verdict.name(),
        "reason": reason,
        "states": e.states.iter().map(|s| s.name()).collect::<Vec<_>>(),
        "sent": e.segments,
        "allowances": e.allowances.iter().map(|a| a.name()).collect::<Vec<_>>(),
        "violation": violation,
        "ladder": e.ladder,
    })
}

fn print_text(file: &str, r: &Report) {
    println!("{file}: {}", r.summary);
    for e in &r.endpoints {
        let what = match &e.verdict {
            Verdict::Conforms => "conforms".to_string(),
            Verdict::CannotJudge(why) => format!("cannot judge: {why}"),
            Verdict::Violates(v) => format!("violates at frame {}", v.frame),
        };
        println!(
            "{} #{} {} (peer {}): {what}",
            e.kind.name(),
            e.conversation,
            e.endpoint,
            e.peer
        );
        if !e.states.is_empty() {
            let states: Vec<_> = e.states.iter().map(|s| s.name()).collect();
            println!("    states: {}", states.join(" "));
        }
        if !e.allowances.is_empty() {
            let names: Vec<_> = e.allowances.iter().map(|a| a.name()).collect();
            println!("    allowed by the profile: {}", names.join(", "));
        }
        if let Verdict::Violates(v) = &e.verdict {
            println!("    sent:     {}", v.segment);
            println!("    rule:     {}", v.rule);
            if let Some(x) = &v.expected {
                println!("    nearest allowed: {x}");
            }
            for line in &e.ladder {
                println!("    {line}");
            }
        }
    }
    let count = |name: &str| {
        r.endpoints
            .iter()
            .filter(|e| e.verdict.name() == name)
            .count()
    };
    println!(
        "{} endpoints: {} conform, {} violate, {} cannot be judged",
        r.endpoints.len(),
        count("conforms"),
        count("violates"),
        count("cannot-judge")
    );
}
