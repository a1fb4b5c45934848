//! `tcpip-spec report [--output REPORT.md]`: runs every check and writes the report.
//!
//! Everything with a number in it comes from the runs made here; the prose around it is
//! fixed. The seed claims table is judged from the same runs: a claim is "checked" only when
//! every property it names met its expectation in an exhaustive run.

use super::UsageError;
use super::check::{all_runs, default_threads, outcome_name};
use clap::Args;
use serde::Deserialize;
use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;
use tcpip_spec::bench_results::BenchRecord;
use tcpip_spec::deviations::DEVIATIONS;
use tcpip_spec::models::runner::{CheckReport, Mode, Outcome, PropertyReport, RunOptions};
use tcpip_spec::models::{Bounds, Kind, ModelSpec, registry};

/// Arguments of `report`.
#[derive(Args)]
pub struct ReportArgs {
    /// Where to write the report.
    #[arg(long, default_value = "REPORT.md")]
    pub output: PathBuf,
    /// Write the report from these `check --all --shard I/N --json` outputs instead of
    /// running the checks; together they must hold every run of `check --all` exactly once.
    #[arg(long, value_name = "FILE", num_args = 1..)]
    pub merge: Vec<PathBuf>,
}

/// A claim of the study note and the evidence that must hold for it: (run, property), where a
/// run is a model name, or `MODEL --without MECH` for a registered ablation (whose property
/// must come out as the registry expects, usually violated).
struct Claim {
    id: &'static str,
    text: &'static str,
    evidence: &'static [(&'static str, &'static str)],
    open: &'static str,
}

const CLAIMS: &[Claim] = &[
    Claim {
        id: "S1",
        text: "TCP delivers in the order sent",
        evidence: &[
            ("tcp-lifecycle", "ordered-delivery"),
            ("tcp-lifecycle", "reassembled"),
        ],
        open: "",
    },
    Claim {
        id: "S2",
        text: "TCP confirms receipt (acks, retransmission)",
        evidence: &[
            ("tcp-handshake", "syn-retransmitted"),
            ("tcp-lifecycle", "retransmitted"),
            ("tcp-lifecycle", "complete-delivery"),
            ("tcp-lifecycle", "duplicate-discarded"),
        ],
        open: "",
    },
    Claim {
        id: "S3",
        text: "the circuit is identified per connection and released at the end",
        evidence: &[
            ("tcp-close", "both-closed"),
            ("tcp-close", "close-completes"),
            ("tcp-lifecycle", "synchronized-isns"),
            ("tcp-lifecycle", "reconnect-refused"),
        ],
        open: "",
    },
    Claim {
        id: "S4",
        text: "3-way handshake: SYN(ISN_c), SYN+ACK(ISN_s, ack=ISN_c+1), ACK(ack=ISN_s+1)",
        evidence: &[
            ("tcp-handshake", "handshake-acks-isn-plus-one"),
            ("tcp-handshake", "synchronized-isns"),
            ("tcp-handshake", "both-established"),
        ],
        open: "",
    },
    Claim {
        id: "S5",
        text: "the handshake is what makes TCP reliable; without it old SYNs are accepted",
        evidence: &[
            ("tcp-handshake", "no-bogus-connection"),
            ("tcp-handshake", "old-syn-rejected"),
            (
                "tcp-lifecycle --without syn-sent-reset",
                "synchronized-isns",
            ),
            ("tcp-lifecycle --without syn-data-held", "ordered-delivery"),
        ],
        open: "",
    },
    Claim {
        id: "S6",
        text: "the ISN is an arbitrary 32-bit number",
        evidence: &[
            ("tcp-handshake", "handshake-acks-isn-plus-one"),
            ("tcp-lifecycle", "second-incarnation"),
            ("tcp-lifecycle --without isn-clock", "graceful-close"),
        ],
        open: "",
    },
    Claim {
        id: "S7",
        text: "4-way close through FIN_WAIT_1, CLOSE_WAIT, FIN_WAIT_2, TIME_WAIT, CLOSED (and LAST_ACK, CLOSING)",
        evidence: &[
            ("tcp-close", "fin-wait-1"),
            ("tcp-close", "close-wait"),
            ("tcp-close", "fin-wait-2"),
            ("tcp-close", "time-wait"),
            ("tcp-close", "last-ack"),
            ("tcp-close", "closing"),
            ("tcp-close", "both-closed"),
        ],
        open: "",
    },
    Claim {
        id: "S8",
        text: "TIME_WAIT guards against delayed packets",
        evidence: &[
            ("tcp-lifecycle", "no-stale-data"),
            ("tcp-lifecycle", "late-segment-rejected"),
            ("tcp-lifecycle --without time-wait-2msl", "no-stale-data"),
            ("tcp-lifecycle", "time-wait-ends-by-timer"),
            (
                "tcp-lifecycle --without rst-in-time-wait-ignored",
                "time-wait-ends-by-timer",
            ),
        ],
        open: "",
    },
    Claim {
        id: "S9",
        text: "TIME_WAIT makes sure both sides closed",
        evidence: &[
            ("tcp-close", "graceful-close"),
            ("tcp-close", "retransmitted-fin-acknowledged"),
            ("tcp-close", "time-wait-reacks-fin"),
            ("tcp-lifecycle", "retransmitted-fin-acknowledged"),
        ],
        open: "",
    },
    Claim {
        id: "S10",
        text: "UDP does not guarantee order, does not confirm receipt",
        evidence: &[
            ("udp", "in-order"),
            ("udp", "reordered"),
            ("udp", "duplicated"),
            ("udp", "lost"),
            ("udp", "datagram-integrity"),
        ],
        open: "",
    },
    Claim {
        id: "S11",
        text: "datagrams of one message may take different routes and arrive out of order",
        evidence: &[("ip", "out-of-order-arrival"), ("udp", "reordered")],
        open: "",
    },
    Claim {
        id: "S12",
        text: "IP delivers to the destination named by the address",
        evidence: &[("ip", "delivered-to-owner")],
        open: "",
    },
    Claim {
        id: "S13",
        text: "IP is connectionless and best effort",
        evidence: &[
            ("ip", "lost"),
            ("ip", "time-exceeded-reported"),
            ("ip", "net-unreachable-reported"),
            ("icmp", "reply-lost"),
        ],
        open: "",
    },
    Claim {
        id: "S14",
        text: "ARP and ICMP belong to the internet layer",
        evidence: &[
            ("arp", "resolved"),
            ("arp", "frames-reach-owner"),
            ("icmp", "echo-replied"),
            ("icmp", "bounded-error-traffic"),
        ],
        open: "",
    },
];

/// Runs every check (or reads the shards' results) and writes the report.
pub fn run(args: &ReportArgs) -> Result<ExitCode, UsageError> {
    let merged = if args.merge.is_empty() {
        None
    } else {
        Some(merge(&args.merge)?)
    };
    let output = Output::open(&args.output)?;
    let reports = match merged {
        Some(reports) => reports,
        None => run_all(),
    };
    let benches = tcpip_spec::bench_results::load_all(&tcpip_spec::bench_results::results_dir())
        .map_err(|e| UsageError(format!("cannot read benchmark results: {e}")))?;
    let text = render(&reports, &benches);
    output.write(&text)?;
    eprintln!("wrote {}", args.output.display());
    let ok = reports.iter().all(|r| r.as_expected && r.exhaustive);
    Ok(if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// Every run of `check --all`, made here.
fn run_all() -> Vec<CheckReport> {
    let threads = default_threads();
    let runs = all_runs();
    let total = runs.len();
    runs.into_iter()
        .enumerate()
        .map(|(i, (spec, without, bounds))| {
            let opts = RunOptions {
                threads,
                progress: true,
                position: Some((i + 1, total)),
                ..Default::default()
            };
            (spec.check)(&without, bounds, opts)
        })
        .collect()
}

/// A run as `check --json` writes it (the fields the report reads), before it is matched
/// against the registry.
#[derive(Deserialize)]
struct RunJson {
    model: String,
    without: Vec<String>,
    bounds: Bounds,
    #[serde(default)]
    mode: Mode,
    /// Required: JSON written before `threads` existed has no ladders either.
    threads: usize,
    /// JSON written before reductions existed ran the model as it was, unreduced.
    #[serde(default)]
    reduced: bool,
    exhaustive: bool,
    unique_states: usize,
    states: usize,
    max_depth: usize,
    seconds: f64,
    properties: Vec<PropertyJson>,
    as_expected: bool,
    explore_command: String,
}

/// A property of a [`RunJson`].
#[derive(Deserialize)]
struct PropertyJson {
    name: String,
    kind: Kind,
    expected: Outcome,
    outcome: Outcome,
    as_expected: bool,
    counterexample: Option<Vec<String>>,
    ladder: Option<Vec<String>>,
    explorer_path: Option<String>,
    #[serde(default)]
    explorer_path_shortest: bool,
}

/// A run as `MODEL --without A --without B`.
fn run_name(model: &str, without: &[impl AsRef<str>]) -> String {
    let mut name = model.to_string();
    for w in without {
        name += " --without ";
        name += w.as_ref();
    }
    name
}

/// Reads the JSON of `check --all --shard I/N --json` (an array of runs; a single run's
/// object is taken too) from each file, and returns the runs in `check --all`'s order. Every
/// run of `check --all` must be in exactly one file, at its registered bounds, and
/// exhaustive-mode: anything else is a usage error naming the run and the file.
fn merge(files: &[PathBuf]) -> Result<Vec<CheckReport>, UsageError> {
    let runs = all_runs();
    let mut slots: Vec<Option<(CheckReport, &PathBuf)>> = runs.iter().map(|_| None).collect();
    for file in files {
        let text = std::fs::read_to_string(file)
            .map_err(|e| UsageError(format!("cannot read {}: {e}", file.display())))?;
        let value: serde_json::Value = serde_json::from_str(&text).map_err(|e| {
            UsageError(format!(
                "{} is not JSON (of check --json): {e}",
                file.display()
            ))
        })?;
        let values = match value {
            serde_json::Value::Array(values) => values,
            one => vec![one],
        };
        for (k, value) in values.into_iter().enumerate() {
            let run: RunJson = serde_json::from_value(value).map_err(|e| {
                UsageError(format!(
                    "{}: run {} is not a run of check --json from this version: {e}",
                    file.display(),
                    k + 1
                ))
            })?;
            let name = run_name(&run.model, &run.without);
            let at = runs
                .iter()
                .position(|(spec, without, _)| spec.name == run.model && *without == run.without)
                .ok_or_else(|| {
                    UsageError(format!(
                        "{}: `{name}` is not one of the runs of check --all",
                        file.display()
                    ))
                })?;
            let (spec, _, bounds) = &runs[at];
            if run.mode != Mode::Exhaustive {
                return Err(UsageError(format!(
                    "{}: `{name}` is a run of random walks, not of check --all",
                    file.display()
                )));
            }
            if run.bounds != *bounds {
                return Err(UsageError(format!(
                    "{}: `{name}` ran at bounds {}, check --all runs it at {}",
                    file.display(),
                    run.bounds.text(),
                    bounds.text()
                )));
            }
            if let Some((_, first)) = &slots[at] {
                return Err(UsageError(format!(
                    "run `{name}` is in {} and again in {}: each run must be in exactly one shard",
                    first.display(),
                    file.display()
                )));
            }
            let report = to_report(spec, run)
                .map_err(|e| UsageError(format!("{}: `{name}`: {e}", file.display())))?;
            slots[at] = Some((report, file));
        }
    }
    let missing: Vec<String> = runs
        .iter()
        .zip(&slots)
        .filter(|(_, slot)| slot.is_none())
        .map(|((spec, without, _), _)| format!("`{}`", run_name(spec.name, without)))
        .collect();
    if !missing.is_empty() {
        return Err(UsageError(format!(
            "{} of the {} runs of check --all are in none of the files (a shard missing?): {}",
            missing.len(),
            runs.len(),
            missing.join(", ")
        )));
    }
    Ok(slots.into_iter().flatten().map(|(r, _)| r).collect())
}

/// A run read from JSON as the report the checker would have returned, its names those of
/// the registry.
fn to_report(spec: &'static ModelSpec, run: RunJson) -> Result<CheckReport, String> {
    let infos = (spec.properties)();
    let properties = run
        .properties
        .into_iter()
        .map(|p| {
            let info = infos
                .iter()
                .find(|i| i.name == p.name)
                .ok_or_else(|| format!("model {} has no property {}", spec.name, p.name))?;
            Ok(PropertyReport {
                name: info.name,
                kind: p.kind,
                expected: p.expected,
                outcome: p.outcome,
                as_expected: p.as_expected,
                counterexample: p.counterexample,
                ladder: p.ladder,
                explorer_path: p.explorer_path,
                explorer_path_shortest: p.explorer_path_shortest,
                svg: None,
                walks_found: None,
            })
        })
        .collect::<Result<Vec<_>, String>>()?;
    Ok(CheckReport {
        model: spec.name,
        without: run.without,
        bounds: run.bounds,
        mode: run.mode,
        walks: None,
        threads: run.threads,
        reduced: run.reduced,
        exhaustive: run.exhaustive,
        unique_states: run.unique_states,
        states: run.states,
        max_depth: run.max_depth,
        seconds: run.seconds,
        properties,
        as_expected: run.as_expected,
        explore_command: run.explore_command,
    })
}

/// The checker threads of the runs: `2`, or `1-4` when they differ.
fn threads_text(reports: &[CheckReport]) -> String {
    let min = reports.iter().map(|r| r.threads).min();
    let max = reports.iter().map(|r| r.threads).max();
    match (min, max) {
        (Some(a), Some(b)) if a != b => format!("{a}-{b}"),
        (Some(a), _) => a.to_string(),
        _ => default_threads().to_string(),
    }
}

/// The report file, checked writable before the runs: a temporary file beside it, created at
/// once and renamed over it when the report is written.
struct Output {
    path: PathBuf,
    temp: PathBuf,
    file: std::fs::File,
}

impl Output {
    fn open(path: &std::path::Path) -> Result<Output, UsageError> {
        let name = path
            .file_name()
            .ok_or_else(|| UsageError(format!("--output {} names no file", path.display())))?;
        let mut temp_name = std::ffi::OsString::from(".");
        temp_name.push(name);
        temp_name.push(".tmp");
        let temp = path.with_file_name(temp_name);
        let file = std::fs::File::create(&temp)
            .map_err(|e| UsageError(format!("cannot write {}: {e}", path.display())))?;
        Ok(Output {
            path: path.to_path_buf(),
            temp,
            file,
        })
    }

    fn write(mut self, text: &str) -> Result<(), UsageError> {
        use std::io::Write as _;
        let cannot = |e: std::io::Error| {
            let _ = std::fs::remove_file(&self.temp);
            UsageError(format!("cannot write {}: {e}", self.path.display()))
        };
        self.file.write_all(text.as_bytes()).map_err(cannot)?;
        std::fs::rename(&self.temp, &self.path).map_err(cannot)
    }
}

fn base<'a>(reports: &'a [CheckReport], model: &str) -> Option<&'a CheckReport> {
    let (name, without) = match model.split_once(" --without ") {
        Some((name, mech)) => (name, vec![mech.to_string()]),
        None => (model, Vec::new()),
    };
    reports
        .iter()
        .find(|r| r.model == name && r.without == without)
}

/// The report of these runs (those of `check --all`, in its order), whether made here or
/// read from the shards' JSON.
fn render(reports: &[CheckReport], benches: &[(String, BenchRecord)]) -> String {
    let threads = threads_text(reports);
    let mut s = String::new();
    let w = &mut s;
    let _ = writeln!(w, "# tcpip-spec report\n");
    let _ = writeln!(
        w,
        "Written by `cargo run --release -- report` from the runs it makes ({threads} checker \
         threads, stateright DFS, no depth, count or time cut-off). Do not edit by hand.\n"
    );
    let bad = reports
        .iter()
        .filter(|r| !r.as_expected || !r.exhaustive)
        .count();
    let _ = writeln!(
        w,
        "**{} runs, {} as expected and exhaustive, {bad} not.**\n",
        reports.len(),
        reports.len() - bad
    );

    let _ = writeln!(w, "## Runs\n");
    let _ = writeln!(
        w,
        "| model | without | bounds | unique states | generated | seconds | exhaustive | as expected |"
    );
    let _ = writeln!(w, "|---|---|---|---:|---:|---:|---|---|");
    for r in reports {
        let without = if r.without.is_empty() {
            "-".to_string()
        } else {
            r.without.join(", ")
        };
        let _ = writeln!(
            w,
            "| {} | {without} | {} | {} | {} | {:.2} | {} | {} |",
            r.model,
            r.bounds.text(),
            r.unique_states,
            r.states,
            r.seconds,
            r.exhaustive,
            r.as_expected
        );
    }

    let _ = writeln!(w, "\n## Models and properties\n");
    for spec in registry() {
        let _ = writeln!(w, "### {}\n\n{}\n", spec.name, spec.summary);
        let r = base(reports, spec.name);
        let _ = writeln!(w, "| kind | property | meaning | outcome |");
        let _ = writeln!(w, "|---|---|---|---|");
        for p in (spec.properties)() {
            let outcome = r
                .and_then(|r| r.properties.iter().find(|x| x.name == p.name))
                .map_or("not run", |x| outcome_name(x.outcome));
            let kind = if p.kind == Kind::Always {
                "always"
            } else {
                "sometimes"
            };
            let _ = writeln!(w, "| {kind} | `{}` | {} | {outcome} |", p.name, p.meaning);
        }
        let _ = writeln!(w);
    }

    let _ = writeln!(w, "## Hazard catalogue: each mechanism switched off\n");
    let _ = writeln!(
        w,
        "Each row is a run with one mechanism off; the property must be violated, and the ladder below is a shortest counterexample (breadth-first).\n"
    );
    let _ = writeln!(
        w,
        "| mechanism | model | breaks | also breaks | reference | counterexample steps |"
    );
    let _ = writeln!(w, "|---|---|---|---|---|---:|");
    for spec in registry() {
        for a in spec.ablations {
            let r = reports
                .iter()
                .find(|r| r.model == spec.name && r.without == [a.mechanism]);
            let steps = r
                .and_then(|r| r.properties.iter().find(|p| p.name == a.breaks))
                .and_then(|p| p.counterexample.as_ref())
                .map_or("-".to_string(), |c| c.len().to_string());
            let _ = writeln!(
                w,
                "| `{}` | {} | `{}` | {} | {} | {steps} |",
                a.mechanism,
                spec.name,
                a.breaks,
                a.also_breaks
                    .iter()
                    .map(|p| format!("`{p}`"))
                    .collect::<Vec<_>>()
                    .join(", "),
                a.reference
            );
        }
    }
    for spec in registry() {
        for a in spec.ablations {
            let Some(r) = reports
                .iter()
                .find(|r| r.model == spec.name && r.without == [a.mechanism])
            else {
                continue;
            };
            let Some(ladder) = r
                .properties
                .iter()
                .find(|p| p.name == a.breaks)
                .and_then(|p| p.ladder.as_ref())
            else {
                continue;
            };
            let _ = writeln!(
                w,
                "\n### {} --without {}: {}\n\n{}\n\n```\n{}\n```",
                spec.name,
                a.mechanism,
                a.breaks,
                a.hazard,
                ladder.join("\n")
            );
        }
    }

    let _ = writeln!(w, "\n## Claims the protocols do not make\n");
    let _ = writeln!(
        w,
        "Always-properties expected to fail with every mechanism on: the counterexample is the finding.\n"
    );
    for spec in registry() {
        for name in spec.expect_violated {
            let Some(p) = base(reports, spec.name)
                .and_then(|r| r.properties.iter().find(|p| p.name == *name))
            else {
                continue;
            };
            let meaning = (spec.properties)()
                .iter()
                .find(|i| i.name == *name)
                .map_or("", |i| i.meaning);
            let _ = writeln!(
                w,
                "### {}: {} = {}\n\n{}\n\n```\n{}\n```",
                spec.name,
                name,
                outcome_name(p.outcome),
                meaning,
                p.ladder.as_ref().map_or(String::new(), |l| l.join("\n"))
            );
        }
    }

    let _ = writeln!(w, "\n## The study note's claims\n");
    let _ = writeln!(
        w,
        "| claim | statement | evidence (model: property = outcome) | status |"
    );
    let _ = writeln!(w, "|---|---|---|---|");
    for c in CLAIMS {
        let mut evidence = Vec::new();
        let mut all_ok = !c.evidence.is_empty();
        for (model, prop) in c.evidence {
            let p = base(reports, model).and_then(|r| {
                r.properties
                    .iter()
                    .find(|p| p.name == *prop)
                    .map(|p| (p, r.exhaustive))
            });
            match p {
                Some((p, exhaustive)) => {
                    all_ok &= p.as_expected && exhaustive;
                    evidence.push(format!("{model}: `{prop}` = {}", outcome_name(p.outcome)));
                }
                None => {
                    all_ok = false;
                    evidence.push(format!("{model}: `{prop}` not run"));
                }
            }
        }
        let status = match (all_ok, c.open.is_empty()) {
            (true, true) => "checked".to_string(),
            (true, false) => format!("checked in part; open: {}", c.open),
            (false, _) if c.evidence.is_empty() => format!("open: {}", c.open),
            (false, _) => "FAILED".to_string(),
        };
        let _ = writeln!(
            w,
            "| {} | {} | {} | {status} |",
            c.id,
            c.text,
            evidence.join("; ")
        );
    }
    let _ = writeln!(
        w,
        "\nWhere the note departs from RFC 9293 (it does not name LAST_ACK; it has the server send FIN \"some time later\" rather than when its application closes), the models follow the RFC.\n"
    );

    performance(w, benches);

    let _ = writeln!(w, "## Deliberate deviations from the RFCs\n");
    let _ = writeln!(w, "| RFC | where | what and why |");
    let _ = writeln!(w, "|---|---|---|");
    for d in DEVIATIONS {
        let _ = writeln!(w, "| {} | `{}` | {} |", d.rfc, d.code, d.what);
    }

    let _ = writeln!(w, "\n## What `conform` does not judge yet\n");
    let _ = writeln!(
        w,
        "From `tcpip_spec::conform::NOT_JUDGED`; the module documentation of `conform::tcp` says how the search works.\n"
    );
    let _ = writeln!(w, "| not judged | why |");
    let _ = writeln!(w, "|---|---|");
    for (what, why) in tcpip_spec::conform::NOT_JUDGED {
        let _ = writeln!(w, "| {what} | {why} |");
    }

    let _ = writeln!(w, "\n## Budgets and limits against hostile peers\n");
    let _ = writeln!(
        w,
        "Defaults of `HostConfig::new` and `tcp::Config`, read from the code (`tcpip_spec::limits`); `tests/hostile.rs` checks that each holds under a flood.\n"
    );
    let _ = writeln!(
        w,
        "| what is bounded | default | set by | counter | basis |"
    );
    let _ = writeln!(w, "|---|---|---|---|---|");
    for l in tcpip_spec::limits::limits() {
        let _ = writeln!(
            w,
            "| {} | {} | `{}` | {} | {} |",
            l.what, l.default, l.knob, l.counter, l.basis
        );
    }

    let _ = writeln!(w, "\n## How to read these results\n");
    let _ = writeln!(
        w,
        "- *Exhaustive* means the search visited every reachable state within the model's bounds (losses, duplications, delays, retransmissions, ticks) with no depth, count or time cut-off. Bounds are part of each model's definition (see the model's source)."
    );
    let _ = writeln!(
        w,
        "- *Unique states* are the distinct states reached; *generated* counts every successor the search computed, repeats included (so generated / unique says how often a state is reached again). Both are the same in every run of the same model and bounds. The depth-first search's *max depth* (the longest path it followed before meeting only known states) depends on how the checker threads share the work, so it is left out here; `check --json` reports it. Apart from the seconds and the thread count above, a rerun of the same code writes the same report."
    );
    let _ = writeln!(
        w,
        "- States are deduplicated by a 64-bit fingerprint (stateright). The chance of a collision among n states is about n^2/2^65: below 10^-9 for the sizes above. The TCP models hash each endpoint once into a 64-bit digest that the fingerprint then covers (models/cached.rs), which adds a chance of the same order."
    );
    let unreduced = reports.iter().filter(|r| !r.reduced).count();
    let _ = writeln!(
        w,
        "- The TCP models run with a sound reduction of their state space: the network duplicates a segment only as it delivers it, not at any moment while it is in flight. It is argued in models/tcp/world.rs (`Reductions`), switched off by `check --unreduced`, and tested to give every property the same verdict as the unreduced model (tests/tcp_models.rs). {}",
        if unreduced == 0 {
            "Every run above is reduced.".to_string()
        } else {
            format!("{unreduced} of the runs above were made with `--unreduced`.")
        }
    );
    let _ = writeln!(
        w,
        "- A search stops expanding a state only where every always-property fails and every sometimes-property holds at once (stateright's rule); in runs where every always-property holds this never happens."
    );
    let _ = writeln!(
        w,
        "- Completion (`handshake-completes`, `close-completes`) is checked as an always-property over terminal states, not with stateright's `eventually`, which misses violations on paths that rejoin a visited state."
    );
    let _ = writeln!(
        w,
        "- TCP timing: a tick is long against a round trip and short against MSL; segments are delivered or lost before the next tick unless the network delays them (a budget), and a delayed segment lives at most MSL ticks; the retransmission timer fires when no prompt segment is in flight; TIME-WAIT lasts 2*MSL ticks. In this regime the 2*MSL restart of TIME-WAIT (`time-wait-restart`) is never what saves a close, so it is not registered for tcp-close."
    );
    let _ = writeln!(
        w,
        "- An old duplicate SYN within one receive window of the peer's current ISS lets a simultaneous open establish with a stale IRS (found by the checker); the tcp-handshake model keeps old SYNs outside the window, as RFC 9293 §3.4.1's ISN clock and quiet time are meant to ensure."
    );
    let _ = writeln!(
        w,
        "- tcp-lifecycle environments beyond its defaults, each a bound: `fast-reconnect` (RFC 1337's setting), `old-syn` (Figure 8's old duplicate SYN of A's previous connection, one ISN-clock step below A's ISS and carrying one octet) and `forgeries` (an off-path attacker). The attacker is granted the lucky guess RFC 5961 defends against, a sequence number inside the victim's window: a RST that is not exactly RCV.NXT, or text whose ACK acknowledges unsent data. It is never granted an exact RST or an acceptable ACK, against which no mechanism of TCP helps. Each ablation runs at the smallest bounds that show its hazard, and a test runs the full protocol at the same bounds (every always-property holds there)."
    );
    let _ = writeln!(
        w,
        "- A sometimes-property whose premise an ablation's bounds rule out (a second incarnation with one incarnation, a forgery without an attacker) is expected not found there; `hides` names what a mechanism makes unreachable, `reveals` what a broken protocol reaches although the bounds rule it out for the full one."
    );
    let _ = writeln!(
        w,
        "- Text is judged by connection: each endpoint records, as a ghost, which incarnation of its peer sent the SYN it synchronized on. A refused reconnect counts an OPEN at one side only, so the endpoints' own counts of OPENs can differ by one."
    );
    let _ = writeln!(
        w,
        "- `rst-in-time-wait-ignored` (RFC 1337 F1) is shown by the assassination itself (`time-wait-ends-by-timer`). The harm RFC 1337 goes on to describe, a late octet accepted by the next incarnation (H1), needs two late segments and a fast reconnect; that search passed 32 million states in 490 s without a verdict and is not part of `check --all`."
    );
    s
}

/// The recorded benchmark results (`bench-results/*.json`, written by `cargo bench`), each
/// with the command that reproduces it.
fn performance(w: &mut String, benches: &[(String, BenchRecord)]) {
    let _ = writeln!(w, "## Performance\n");
    if benches.is_empty() {
        let _ = writeln!(
            w,
            "No benchmark results are recorded (`cargo bench` writes them to bench-results/).\n"
        );
        return;
    }
    let _ = writeln!(
        w,
        "Measured by the benchmarks, which record their tables in `bench-results/NAME.json`; \
         this section renders those files. Numbers depend on the machine and its load.\n"
    );
    for (name, rec) in benches {
        let _ = writeln!(
            w,
            "### `{}`\n\nRecorded {} UTC on {} cores.\n",
            rec.command, rec.recorded, rec.cores
        );
        for t in &rec.tables {
            let _ = writeln!(w, "#### {}\n\n{}", t.title, t.markdown());
        }
        // A plot the benchmark drew from the same run, committed beside its table.
        let plot = format!("{name}-cwnd.svg");
        if tcpip_spec::bench_results::results_dir()
            .join(&plot)
            .exists()
        {
            let _ = writeln!(
                w,
                "![cwnd, ssthresh and bytes in flight of one lossy transfer](bench-results/{plot})\n"
            );
        }
    }
}
