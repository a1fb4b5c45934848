//! `tcpip-spec check MODEL [--without MECH]... [--threads N] [--json]` and `check --all`.

use super::UsageError;
use clap::Args;
use std::process::ExitCode;
use tcpip_spec::models::runner::{CheckReport, Mode, Outcome, RunOptions};
use tcpip_spec::models::walk::{DEFAULT_MAX_DEPTH, WalkOptions};
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
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
    /// Run only shard I of N (1-based): with --all, a share of the runs (balanced by their
    /// recorded cost); with --walks, the walks numbered I-1, I-1+N, ...
    #[arg(long, value_name = "I/N", value_parser = parse_shard)]
    pub shard: Option<Shard>,
    /// Take N random walks instead of an exhaustive search (not exhaustive: finds
    /// counterexamples, proves nothing).
    #[arg(long, value_name = "N", conflicts_with = "all",
          value_parser = clap::value_parser!(u64).range(1..))]
    pub walks: Option<u64>,
    /// The seed of the random walks (each walk's seed is derived from it and the walk's
    /// number).
    #[arg(long, value_name = "S", requires = "walks")]
    pub seed: Option<u64>,
    /// The most steps a random walk takes.
    #[arg(long, value_name = "D", requires = "walks",
          value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
    pub max_depth: Option<u64>,
    #[command(flatten)]
    pub run: RunArgs,
}

/// Shard `index` (from 1) of `count`: `--shard I/N`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    /// I, from 1.
    pub index: usize,
    /// N.
    pub count: usize,
}

impl std::fmt::Display for Shard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

/// Parses `I/N` with 1 <= I <= N.
pub fn parse_shard(s: &str) -> Result<Shard, String> {
    let bad = || "expected I/N with 1 <= I <= N, such as 2/3".to_string();
    let (i, n) = s.split_once('/').ok_or_else(bad)?;
    let index: usize = i.trim().parse().map_err(|_| bad())?;
    let count: usize = n.trim().parse().map_err(|_| bad())?;
    if index == 0 || count == 0 || index > count {
        return Err(bad());
    }
    Ok(Shard { index, count })
}

/// The Runs table of the REPORT.md this binary was built with: the recorded cost of each run.
const RECORDED_REPORT: &str = include_str!("../../REPORT.md");

/// The states each run generated when REPORT.md was last written (its Runs table), by model
/// and comma-separated mechanisms (`-` for none).
pub fn recorded_costs() -> Vec<(String, String, u64)> {
    let mut costs = Vec::new();
    let Some(at) = RECORDED_REPORT.find("\n## Runs\n") else {
        return costs;
    };
    for line in RECORDED_REPORT[at..].lines().skip(2) {
        if line.trim().is_empty() && !costs.is_empty() {
            break;
        }
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        // "", model, without, bounds, unique, generated, seconds, exhaustive, as expected, ""
        if cells.len() < 7 {
            continue;
        }
        if let Ok(generated) = cells[5].parse::<u64>() {
            costs.push((cells[1].to_string(), cells[2].to_string(), generated));
        }
    }
    costs
}

/// One run of `check --all`: a model, the mechanisms switched off, its bounds.
pub type Run = (&'static ModelSpec, Vec<&'static str>, Bounds);

/// The shard (from 0) of each of `runs` when they are split into `count` shards: longest
/// first, each to the shard with the least cost so far (ties to the lowest shard), where a
/// run's cost is the number of states it generated in the REPORT.md this binary was built
/// with, and a run not recorded there costs the mean of those that are. The split depends
/// only on the registry and that file, so every shard of one build computes the same one.
pub fn split(runs: &[Run], count: usize) -> Vec<usize> {
    let recorded = recorded_costs();
    let known: Vec<Option<u64>> = runs
        .iter()
        .map(|(spec, without, _)| {
            let without = if without.is_empty() {
                "-".to_string()
            } else {
                without.join(", ")
            };
            recorded
                .iter()
                .find(|(m, w, _)| m == spec.name && *w == without)
                .map(|(_, _, c)| *c)
        })
        .collect();
    let sum: u64 = known.iter().flatten().sum();
    let n = known.iter().flatten().count().max(1) as u64;
    let cost: Vec<u64> = known.iter().map(|c| c.unwrap_or(sum / n)).collect();
    let mut order: Vec<usize> = (0..runs.len()).collect();
    order.sort_by_key(|&i| (std::cmp::Reverse(cost[i]), i));
    let mut load = vec![0u64; count];
    let mut shard = vec![0; runs.len()];
    for i in order {
        let lightest = (0..count).min_by_key(|&s| (load[s], s)).unwrap_or(0);
        load[lightest] += cost[i];
        shard[i] = lightest;
    }
    shard
}

/// The runs of `check --all --shard I/N`, in registry order.
pub fn shard_runs(shard: Shard) -> Vec<Run> {
    let runs = all_runs();
    let of = split(&runs, shard.count);
    runs.into_iter()
        .zip(of)
        .filter(|(_, s)| *s + 1 == shard.index)
        .map(|(r, _)| r)
        .collect()
}

/// Checker threads and model bounds: the flags `check` and `explore` share.
#[derive(Args)]
pub struct RunArgs {
    /// Checker threads (default: the number of cores).
    #[arg(long, value_parser = clap::value_parser!(u16).range(1..=256))]
    pub threads: Option<u16>,
    /// Explore the model without its sound reductions of the state space (each is argued in
    /// the model's documentation and tested against the unreduced model; the verdicts are
    /// the same, only slower).
    #[arg(long)]
    pub unreduced: bool,
    /// Octets each side sends per incarnation (tcp-lifecycle).
    #[arg(long, value_parser = clap::value_parser!(u8).range(1..=4))]
    pub bytes: Option<u8>,
    /// Incarnations of the connection (tcp-lifecycle); at most 3, the distinct octet
    /// alphabets each side has to tag its text by incarnation.
    #[arg(long, value_parser = clap::value_parser!(u8).range(1..=3))]
    pub incarnations: Option<u8>,
    /// Segments the network may lose (tcp-lifecycle).
    #[arg(long, value_parser = clap::value_parser!(u8).range(0..=8))]
    pub losses: Option<u8>,
    /// Segments the network may duplicate (tcp-lifecycle).
    #[arg(long, value_parser = clap::value_parser!(u8).range(0..=8))]
    pub dups: Option<u8>,
    /// Segments the network may delay past a tick (tcp-lifecycle).
    #[arg(long, value_parser = clap::value_parser!(u8).range(0..=8))]
    pub delays: Option<u8>,
    /// 1: A is a client that sends faster than its ISN clock advances, closes first and
    /// reconnects as soon as TIME-WAIT ends, so that only TIME-WAIT keeps the old
    /// incarnation's segments out (tcp-lifecycle; RFC 1337's setting).
    #[arg(long, value_parser = clap::value_parser!(u8).range(0..=1))]
    pub fast_reconnect: Option<u8>,
    /// 1: an old duplicate SYN of A's previous connection, within B's window, is in flight
    /// when B listens (tcp-lifecycle; RFC 9293 Figure 8).
    #[arg(long, value_parser = clap::value_parser!(u8).range(0..=1))]
    pub old_syn: Option<u8>,
    /// Segments an off-path attacker may forge: an in-window RST that is not exact, or text
    /// acknowledging data never sent (tcp-lifecycle; RFC 5961).
    #[arg(long, value_parser = clap::value_parser!(u8).range(0..=2))]
    pub forgeries: Option<u8>,
    /// 1: both ends use timestamps (RFC 7323), and an old duplicate segment of A's from the
    /// previous wrap of its sequence space, inside B's window but with a TSval older than any
    /// of this connection, is in flight at the start (tcp-lifecycle; RFC 7323 §5).
    #[arg(long, value_parser = clap::value_parser!(u8).range(0..=1))]
    pub old_wrap: Option<u8>,
    /// 1: both ends run congestion control (RFC 5681 Reno with an initial window of one
    /// segment), so that the congestion window, not the peer's window, limits what is in
    /// flight (tcp-lifecycle).
    #[arg(long, value_parser = clap::value_parser!(u8).range(0..=1))]
    pub congestion: Option<u8>,
    /// 1: both ends offer SACK (RFC 2018) and recover from loss by RFC 6675, and only A
    /// sends, one octet per segment, so that A's text alone can have holes
    /// (tcp-lifecycle).
    #[arg(long, value_parser = clap::value_parser!(u8).range(0..=1))]
    pub sack: Option<u8>,
}

impl RunArgs {
    /// The bounds the flags set.
    pub fn bounds(&self) -> Bounds {
        Bounds {
            bytes: self.bytes,
            incarnations: self.incarnations,
            losses: self.losses,
            dups: self.dups,
            delays: self.delays,
            fast_reconnect: self.fast_reconnect,
            old_syn: self.old_syn,
            forgeries: self.forgeries,
            old_wrap: self.old_wrap,
            congestion: self.congestion,
            sack: self.sack,
        }
    }

    /// `--threads`, or the cores available.
    pub fn threads(&self) -> usize {
        self.threads
            .map(usize::from)
            .unwrap_or_else(default_threads)
    }

    /// The run a model name, `--without` names and these flags ask for: the model, the
    /// validated mechanisms, and the bounds. A single ablation runs at the bounds the
    /// registry gives it unless the flags set them.
    pub fn resolve(
        &self,
        model: &str,
        without: &[String],
    ) -> Result<(&'static ModelSpec, Vec<&'static str>, Bounds), UsageError> {
        let spec = super::model(model)?;
        let bounds = self.bounds();
        if let Some(b) = bounds.set().into_iter().find(|b| !spec.bounds.contains(b)) {
            return Err(UsageError(format!(
                "model {} takes no --{b} bound",
                spec.name
            )));
        }
        let without = super::mechanisms(spec, without)?;
        let base = match without.as_slice() {
            [one] => spec.ablation(one).map_or(Bounds::NONE, |a| a.bounds),
            _ => Bounds::NONE,
        };
        Ok((spec, without, base.overridden_by(bounds)))
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
pub fn all_runs() -> Vec<Run> {
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
    if args.shard.is_some() && !args.all && args.walks.is_none() {
        return Err(UsageError(
            "--shard splits the runs of --all or the walks of --walks; give one of them".into(),
        ));
    }
    let walks = args.walks.map(|walks| WalkOptions {
        walks,
        seed: args.seed.unwrap_or(0),
        max_depth: args.max_depth.map_or(DEFAULT_MAX_DEPTH, |d| {
            usize::try_from(d).unwrap_or(usize::MAX)
        }),
        shard: args.shard.map(|s| (s.index, s.count)),
    });
    let runs = match &args.model {
        Some(name) => vec![args.run.resolve(name, &args.without)?],
        None => {
            if let Some(b) = args.run.bounds().set().first() {
                return Err(UsageError(format!(
                    "--{b} cannot be used with --all (each run has its registered bounds)"
                )));
            }
            match args.shard {
                Some(shard) => shard_runs(shard),
                None => all_runs(),
            }
        }
    };
    let total = runs.len();
    let mut reports = Vec::new();
    for (i, (spec, without, bounds)) in runs.into_iter().enumerate() {
        let opts = RunOptions {
            threads: args.run.threads(),
            progress: true,
            position: (total > 1).then_some((i + 1, total)),
            walks,
            reduce: !args.run.unreduced,
            ..Default::default()
        };
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
    // Random walks fail only on what they found; an exhaustive run also on a cut-off.
    let ok = reports
        .iter()
        .all(|r| r.as_expected && (r.exhaustive || r.mode == Mode::Walks));
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
        Outcome::NotViolated => "not-violated",
    }
}

/// `n` and a noun, singular or plural: "1 step", "6 steps".
pub fn count(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// The address `tcpip-spec explore` serves on by default.
pub const EXPLORER_ADDR: &str = "127.0.0.1:3000";

/// A report as text: a header, a property table, the Explorer link of each counterexample
/// and example, and a ladder per violation.
pub fn text(r: &CheckReport) -> String {
    let mut s = String::new();
    let without = if r.without.is_empty() {
        String::new()
    } else {
        format!(" --without {}", r.without.join(" --without "))
    };
    match &r.walks {
        Some(w) => {
            let shard = w
                .shard
                .as_ref()
                .map_or(String::new(), |s| format!(", shard {s} of {}", w.of));
            s += &format!(
                "{}{without}: {} (seed {}{shard}, at most {} steps each), {} \
                 ({} ended in a terminal state, {} in a loop, {} at the depth limit), {} distinct \
                 states, longest {}, {:.2} s, NOT exhaustive: random walks find violations, they \
                 prove nothing\n",
                r.model,
                count(w.count as usize, "random walk"),
                w.seed,
                w.max_depth,
                count(w.steps as usize, "step"),
                w.ended_terminal,
                w.ended_loop,
                w.ended_max_depth,
                r.unique_states,
                r.max_depth,
                r.seconds,
            );
        }
        None => {
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
        }
    }
    let rows: Vec<Vec<String>> = r
        .properties
        .iter()
        .map(|p| {
            vec![
                kind_name(p.kind).to_string(),
                p.name.to_string(),
                outcome_name(p.outcome).to_string(),
                format!("expected {}", outcome_name(p.expected)),
                if !p.as_expected {
                    "UNEXPECTED"
                } else if p.outcome != p.expected && r.mode == Mode::Walks {
                    // A walk missed what was expected: no contradiction, no confirmation.
                    "inconclusive"
                } else {
                    "ok"
                }
                .to_string(),
            ]
            .into_iter()
            .chain(
                p.walks_found
                    .filter(|n| *n > 0)
                    .map(|n| format!("in {}", count(n as usize, "walk"))),
            )
            .collect()
        })
        .collect();
    for line in super::columns(&rows) {
        s += &format!("  {line}\n");
    }
    let links: Vec<Vec<String>> = r
        .properties
        .iter()
        .filter_map(|p| {
            let path = p.explorer_path.as_ref()?;
            let what = if p.outcome == Outcome::Violated {
                "counterexample"
            } else {
                "example"
            };
            let steps = path.split('/').count().saturating_sub(3);
            let shortest = if p.explorer_path_shortest {
                ", shortest"
            } else if r.mode == Mode::Walks {
                ", shortest walk"
            } else {
                ""
            };
            Some(vec![
                p.name.to_string(),
                format!("({what}, {}{shortest})", count(steps, "step")),
                format!("http://{EXPLORER_ADDR}/{path}"),
            ])
        })
        .collect();
    if !links.is_empty() {
        s += &format!(
            "\n  In the Explorer (serve it with `{}`):\n",
            r.explore_command
        );
        for line in super::columns(&links) {
            s += &format!("    {line}\n");
        }
    }
    for p in &r.properties {
        if let Some(ladder) = &p.ladder {
            let steps = p.counterexample.as_ref().map_or(0, Vec::len);
            let shortest = if p.explorer_path_shortest {
                ", shortest".to_string()
            } else if let Some(n) = p.walks_found {
                format!(
                    ", the shortest of {} that found one",
                    count(n as usize, "walk")
                )
            } else {
                String::new()
            };
            s += &format!(
                "\n  counterexample to {} ({}{shortest}):\n\n",
                p.name,
                count(steps, "step")
            );
            for line in ladder {
                s += &format!("    {line}\n");
            }
        }
    }
    s += "\n";
    s
}

/// The name of a property kind as the JSON spells it.
pub fn kind_name(k: Kind) -> &'static str {
    match k {
        Kind::Always => "always",
        Kind::Sometimes => "sometimes",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shard_specs_parse() {
        assert_eq!(parse_shard("2/3"), Ok(Shard { index: 2, count: 3 }));
        assert_eq!(parse_shard("1/1"), Ok(Shard { index: 1, count: 1 }));
        for bad in [
            "0/3", "4/3", "3", "/3", "1/", "x/3", "1/0", "-1/3", "1/3/5", "",
        ] {
            assert!(parse_shard(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_split_is_a_deterministic_partition_balanced_longest_first() {
        let runs = all_runs();
        assert!(
            !recorded_costs().is_empty(),
            "REPORT.md's Runs table is read"
        );
        for n in 1..=8 {
            let split = split(&runs, n);
            assert_eq!(split, super::split(&runs, n), "deterministic");
            assert!(split.iter().all(|&s| s < n));
            let union: usize = (1..=n)
                .map(|i| shard_runs(Shard { index: i, count: n }).len())
                .sum();
            assert_eq!(union, runs.len(), "every run in exactly one shard");
        }
        // With three shards, tcp-lifecycle's full run (by far the largest) is alone.
        let three = split(&runs, 3);
        let lifecycle = runs
            .iter()
            .position(|(m, w, _)| m.name == "tcp-lifecycle" && w.is_empty())
            .unwrap();
        let alone = three.iter().filter(|&&s| s == three[lifecycle]).count();
        assert_eq!(alone, 1);
    }
}
