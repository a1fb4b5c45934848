//! `tcpip-spec check MODEL [--without MECH]... [--threads N] [--json]` and `check --all`.

use super::UsageError;
use clap::Args;
use std::process::ExitCode;
use tcpip_spec::models::runner::{CheckReport, Outcome, RunOptions};
use tcpip_spec::models::{Bounds, Kind, ModelSpec, registry};

/// Arguments of `check`.
#[derive(Args)]
pub struct CheckArgs {
    /// The model to check.
    #[arg(required_unless_present = "all", conflicts_with = "all")]
    pub model: Option<String>,
    /// Check every model and every registered ablation.
    #[arg(long)]
    pub all: bool,
    /// Switch a mechanism off (repeatable).
    #[arg(long, value_name = "MECH", conflicts_with = "all")]
    pub without: Vec<String>,
    /// Checker threads (default: the number of cores).
    #[arg(long, value_parser = clap::value_parser!(u16).range(1..=256))]
    pub threads: Option<u16>,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
    /// Octets each side sends per incarnation (tcp-lifecycle).
    #[arg(long, value_parser = clap::value_parser!(u8).range(0..=4), conflicts_with = "all")]
    pub bytes: Option<u8>,
    /// Incarnations of the connection (tcp-lifecycle); at most 3, the distinct octet
    /// alphabets each side has to tag its text by incarnation.
    #[arg(long, value_parser = clap::value_parser!(u8).range(1..=3), conflicts_with = "all")]
    pub incarnations: Option<u8>,
    /// Segments the network may lose (tcp-lifecycle).
    #[arg(long, value_parser = clap::value_parser!(u8).range(0..=8), conflicts_with = "all")]
    pub losses: Option<u8>,
    /// Segments the network may duplicate (tcp-lifecycle).
    #[arg(long, value_parser = clap::value_parser!(u8).range(0..=8), conflicts_with = "all")]
    pub dups: Option<u8>,
    /// Segments the network may delay past a tick (tcp-lifecycle).
    #[arg(long, value_parser = clap::value_parser!(u8).range(0..=8), conflicts_with = "all")]
    pub delays: Option<u8>,
    /// 1: A is a client that sends faster than its ISN clock advances, closes first and
    /// reconnects as soon as TIME-WAIT ends, so that only TIME-WAIT keeps the old
    /// incarnation's segments out (tcp-lifecycle; RFC 1337's setting).
    #[arg(long, value_parser = clap::value_parser!(u8).range(0..=1), conflicts_with = "all")]
    pub fast_reconnect: Option<u8>,
    /// 1: an old duplicate SYN of A's previous connection, within B's window, is in flight
    /// when B listens (tcp-lifecycle; RFC 9293 Figure 8).
    #[arg(long, value_parser = clap::value_parser!(u8).range(0..=1), conflicts_with = "all")]
    pub old_syn: Option<u8>,
    /// Segments an off-path attacker may forge: an in-window RST that is not exact, or text
    /// acknowledging data never sent (tcp-lifecycle; RFC 5961).
    #[arg(long, value_parser = clap::value_parser!(u8).range(0..=2), conflicts_with = "all")]
    pub forgeries: Option<u8>,
}

impl CheckArgs {
    fn bounds(&self) -> Bounds {
        Bounds {
            bytes: self.bytes,
            incarnations: self.incarnations,
            losses: self.losses,
            dups: self.dups,
            delays: self.delays,
            fast_reconnect: self.fast_reconnect,
            old_syn: self.old_syn,
            forgeries: self.forgeries,
        }
    }
}

/// Default thread count: the cores available.
pub fn default_threads() -> usize {
    std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
}

/// Every run `check --all` makes: each model, then each of its ablations at the bounds the
/// registry gives it.
pub fn all_runs() -> Vec<(&'static ModelSpec, Vec<&'static str>, Bounds)> {
    let mut runs = Vec::new();
    for m in registry() {
        runs.push((m, Vec::new(), Bounds::NONE));
        for a in m.ablations {
            runs.push((m, vec![a.mechanism], a.bounds));
        }
    }
    runs
}

/// Runs the check.
pub fn run(args: &CheckArgs) -> Result<ExitCode, UsageError> {
    let threads = args
        .threads
        .map(usize::from)
        .unwrap_or_else(default_threads);
    let opts = RunOptions {
        threads,
        progress: true,
        ..Default::default()
    };
    let bounds = args.bounds();
    let runs = match &args.model {
        Some(name) => {
            let spec = super::model(name)?;
            if let Some(b) = bounds.set().into_iter().find(|b| !spec.bounds.contains(b)) {
                return Err(UsageError(format!(
                    "model {} takes no --{b} bound",
                    spec.name
                )));
            }
            let without = super::mechanisms(spec, &args.without)?;
            // A single ablation runs at its registered bounds unless the user sets them.
            let base = match without.as_slice() {
                [one] => spec.ablation(one).map_or(Bounds::NONE, |a| a.bounds),
                _ => Bounds::NONE,
            };
            vec![(spec, without, base.overridden_by(bounds))]
        }
        None => all_runs(),
    };
    let mut reports = Vec::new();
    for (spec, without, bounds) in runs {
        let report = (spec.check)(&without, bounds, opts);
        if !args.json {
            print!("{}", text(&report));
        }
        reports.push(report);
    }
    if args.json {
        let out = if args.all {
            serde_json::to_string_pretty(&reports)
        } else {
            serde_json::to_string_pretty(&reports[0])
        };
        println!("{}", out.expect("JSON of plain data"));
    } else if args.all {
        let bad = reports.iter().filter(|r| !r.as_expected).count();
        println!(
            "{} runs, {} as expected, {bad} not as expected",
            reports.len(),
            reports.len() - bad
        );
    }
    let ok = reports.iter().all(|r| r.as_expected && r.exhaustive);
    Ok(if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// The name of an outcome as the JSON spells it.
pub fn outcome_name(o: Outcome) -> &'static str {
    match o {
        Outcome::Holds => "holds",
        Outcome::Violated => "violated",
        Outcome::Found => "found",
        Outcome::NotFound => "not-found",
    }
}

/// A report as text: a header, a property table, and a ladder per violation.
pub fn text(r: &CheckReport) -> String {
    let mut s = String::new();
    let without = if r.without.is_empty() {
        String::new()
    } else {
        format!(" --without {}", r.without.join(" --without "))
    };
    s += &format!(
        "{}{without}: {} unique states ({} generated), max depth {}, {:.2} s, {}\n",
        r.model,
        r.unique_states,
        r.states,
        r.max_depth,
        r.seconds,
        if r.exhaustive {
            "exhaustive"
        } else {
            "NOT exhaustive"
        }
    );
    for p in &r.properties {
        let kind = if p.kind == Kind::Always {
            "always"
        } else {
            "sometimes"
        };
        let mark = if p.as_expected { "ok" } else { "UNEXPECTED" };
        s += &format!(
            "  {kind:<10}{:<30}{:<10} expected {:<10} {mark}\n",
            p.name,
            outcome_name(p.outcome),
            outcome_name(p.expected)
        );
    }
    for p in &r.properties {
        if let Some(ladder) = &p.ladder {
            s += &format!(
                "\n  counterexample to {} ({} steps, shortest):\n\n",
                p.name,
                p.counterexample.as_ref().map_or(0, Vec::len)
            );
            for line in ladder {
                s += &format!("    {line}\n");
            }
        }
    }
    s += "\n";
    s
}
