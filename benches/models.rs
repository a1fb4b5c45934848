//! Model-checker throughput and memory: `cargo bench --bench models`.
//!
//! Each configuration runs in a child process of this benchmark, so that its peak resident
//! memory (VmHWM) is its own. Prints unique states per second and peak memory per model for 1
//! and 2 threads, DFS and BFS; then tcp-lifecycle against a minimal stateright model measured
//! in the same run (the ratio holds on a noisy machine), and its scaling from 1 to 2 threads;
//! then tcp-lifecycle with loss, duplication and delay together, reduced and not; then how
//! tcp-lifecycle grows with its bounds.

use stateright::{Checker, Model, Property};
use std::time::Instant;
use tcpip_spec::bench_results::{self, BenchTable, child_words, peak_kib};
use tcpip_spec::models::runner::{Outcome, RunOptions, Strategy};
use tcpip_spec::models::{Bounds, Kind, find, registry};

const CHILD: &str = "TCPIP_SPEC_BENCH_CHILD";

fn parse_bounds(s: &str) -> Bounds {
    let mut b = Bounds::default();
    for kv in s.split(',').filter(|kv| !kv.is_empty()) {
        let (k, v) = kv.split_once('=').expect("key=value");
        assert!(
            b.set_by_name(k, v.parse().expect("a number")),
            "unknown bound {k}"
        );
    }
    b
}

/// The least a stateright model can be: a grid of two counters, each step incrementing one
/// of them, with one trivially true always-property. Its states per second are what the
/// checker itself costs per state (fingerprint, the visited set, the DFS stack), the
/// yardstick of issue 16.
#[derive(Clone)]
struct Counters {
    side: u32,
}

impl Model for Counters {
    type State = (u32, u32);
    type Action = bool;

    fn init_states(&self) -> Vec<(u32, u32)> {
        vec![(0, 0)]
    }

    fn actions(&self, s: &(u32, u32), out: &mut Vec<bool>) {
        if s.0 < self.side {
            out.push(false);
        }
        if s.1 < self.side {
            out.push(true);
        }
    }

    fn next_state(&self, s: &(u32, u32), a: bool) -> Option<(u32, u32)> {
        Some(if a { (s.0, s.1 + 1) } else { (s.0 + 1, s.1) })
    }

    fn properties(&self) -> Vec<Property<Self>> {
        vec![Property::always(
            "within",
            |m: &Counters, s: &(u32, u32)| s.0 <= m.side && s.1 <= m.side,
        )]
    }
}

/// In the child: the minimal model with `threads` threads; prints like [`child`].
fn counters(threads: usize) {
    let side = 3_000;
    let start = Instant::now();
    let c = Counters { side }
        .checker()
        .threads(threads)
        .spawn_dfs()
        .join();
    let secs = start.elapsed().as_secs_f64();
    assert!(c.is_done() && c.discoveries().is_empty());
    assert_eq!(c.unique_state_count(), ((side + 1) * (side + 1)) as usize);
    println!("{} {:.3} {}", c.unique_state_count(), secs, peak_kib());
}

/// In the child: run one configuration and print `unique seconds peak_kib`. A spec is
/// `MODEL;THREADS;dfs|bfs[;BOUNDS[;unreduced]]`, or `counters;THREADS`.
fn child(spec: &str) {
    let parts: Vec<&str> = spec.split(';').collect();
    if parts[0] == "counters" {
        counters(parts[1].parse().expect("threads"));
        return;
    }
    let model = find(parts[0]).expect("model");
    let threads = parts[1].parse().expect("threads");
    let strategy = if parts[2] == "bfs" {
        Strategy::Bfs
    } else {
        Strategy::Dfs
    };
    let bounds = parse_bounds(parts.get(3).copied().unwrap_or(""));
    let start = Instant::now();
    let r = (model.check)(
        &[],
        bounds,
        RunOptions {
            threads,
            progress: false,
            strategy,
            reduce: parts.get(4) != Some(&"unreduced"),
            ..Default::default()
        },
    );
    let secs = start.elapsed().as_secs_f64();
    // At the registered bounds every property is as expected; at other bounds (the growth
    // table) some sometimes-properties need faults that are switched off, so only the
    // always-properties are required to hold.
    let holds = r
        .properties
        .iter()
        .all(|p| p.as_expected || (p.kind == Kind::Sometimes && p.expected == Outcome::Found));
    assert!(
        r.exhaustive && holds,
        "{} not exhaustive or an always-property failed",
        parts[0]
    );
    println!("{} {:.3} {}", r.unique_states, secs, peak_kib());
}

fn run(spec: &str) -> (u64, f64, u64) {
    let f = child_words(CHILD, spec);
    (
        f[0].parse().unwrap(),
        f[1].parse().unwrap(),
        f[2].parse().unwrap(),
    )
}

fn main() {
    if let Ok(spec) = std::env::var(CHILD) {
        child(&spec);
        return;
    }
    let mut speed = BenchTable::new(
        "Unique states per second and peak memory per model",
        &[
            "model",
            "strategy",
            "threads",
            "unique states",
            "seconds",
            "states/s",
            "peak MiB",
            "bytes/state",
        ],
    );
    for model in registry().iter().map(|m| m.name) {
        for strategy in ["dfs", "bfs"] {
            for threads in [1, 2] {
                let (n, s, kib) = run(&format!("{model};{threads};{strategy}"));
                speed.row(vec![
                    model.to_string(),
                    strategy.to_string(),
                    threads.to_string(),
                    n.to_string(),
                    format!("{s:.2}"),
                    format!("{:.0}", n as f64 / s),
                    format!("{:.0}", kib as f64 / 1024.0),
                    format!("{:.0}", kib as f64 * 1024.0 / n as f64),
                ]);
            }
        }
    }
    speed.notes.push(
        "Each configuration runs in its own child process, so peak memory (VmHWM) is its own; \
         it includes the process's fixed overhead, which dominates for the small models."
            .to_string(),
    );
    println!("{}", speed.markdown());
    let mut yardstick = BenchTable::new(
        "tcp-lifecycle against a minimal stateright model, same run (DFS)",
        &[
            "model",
            "threads",
            "unique states",
            "seconds",
            "states/s",
            "ratio to the minimal model",
            "speed-up over 1 thread",
        ],
    );
    let mut minimal = [0.0; 2];
    for (model, spec) in [
        ("minimal (two counters, 3001 x 3001)", "counters"),
        ("tcp-lifecycle (default bounds)", "tcp-lifecycle"),
    ] {
        let mut one_thread = 0.0;
        for threads in [1usize, 2] {
            let (n, s, _) = if spec == "counters" {
                run(&format!("counters;{threads}"))
            } else {
                run(&format!("{spec};{threads};dfs"))
            };
            let rate = n as f64 / s;
            if spec == "counters" {
                minimal[threads - 1] = rate;
            }
            if threads == 1 {
                one_thread = rate;
            }
            yardstick.row(vec![
                model.to_string(),
                threads.to_string(),
                n.to_string(),
                format!("{s:.2}"),
                format!("{rate:.0}"),
                format!("{:.3}", rate / minimal[threads - 1]),
                format!("{:.2}", rate / one_thread),
            ]);
        }
    }
    yardstick.notes.push(
        "Issue 16's goals: tcp-lifecycle's unique states per second at least half the minimal \
         model's (ratio >= 0.5), and 2 threads at least 1.7 times 1 thread."
            .to_string(),
    );
    println!("{}", yardstick.markdown());
    let mut faults = BenchTable::new(
        "tcp-lifecycle with loss, duplication and delay together (DFS, 2 threads)",
        &[
            "bounds",
            "reductions",
            "unique states",
            "seconds",
            "states/s",
            "peak MiB",
        ],
    );
    // Unreduced it is 157,788,672 states (issue 16's measurement, 1,281 s on a loaded
    // machine); `cargo run --release -- check tcp-lifecycle --losses 1 --dups 1 --delays 1
    // --unreduced` repeats it.
    let (n, s, kib) = run("tcp-lifecycle;2;dfs;losses=1,dups=1,delays=1");
    faults.row(vec![
        "losses=1,dups=1,delays=1".to_string(),
        "on".to_string(),
        n.to_string(),
        format!("{s:.2}"),
        format!("{:.0}", n as f64 / s),
        format!("{:.0}", kib as f64 / 1024.0),
    ]);
    faults.notes.push(
        "Issue 16's goal: exhaustive in under 60 s and 2 GB. `--unreduced` switches the \
         reductions of the model off (their argument: models/tcp/world.rs, `Reductions`)."
            .to_string(),
    );
    println!("{}", faults.markdown());
    let mut growth = BenchTable::new(
        "tcp-lifecycle: how the state count grows with its bounds (DFS, 2 threads)",
        &["bounds", "unique states", "seconds", "peak MiB"],
    );
    for bounds in [
        "losses=0,dups=0,delays=0",
        "losses=1,dups=0,delays=0",
        "losses=0,dups=1,delays=0",
        "losses=0,dups=0,delays=1",
        "",
        "bytes=2,losses=0,dups=0,delays=0",
        "losses=0,dups=0,delays=1,fast-reconnect=1",
        "incarnations=3,losses=0,dups=0,delays=0",
        "incarnations=3,losses=0,dups=0,delays=1",
        "losses=0,dups=0,delays=0,old-syn=1",
        "losses=0,dups=0,delays=0,forgeries=1",
        "losses=0,dups=0,delays=0,forgeries=2",
    ] {
        let (n, s, kib) = run(&format!("tcp-lifecycle;2;dfs;{bounds}"));
        let shown = if bounds.is_empty() {
            "default (bytes=1,incarnations=2,losses=1,dups=0,delays=1)"
        } else {
            bounds
        };
        growth.row(vec![
            shown.to_string(),
            n.to_string(),
            format!("{s:.2}"),
            format!("{:.0}", kib as f64 / 1024.0),
        ]);
    }
    growth.notes.push(
        "Unset bounds keep their defaults (bytes=1, incarnations=2, losses=1, dups=0, delays=1); \
         every run is exhaustive and every always-property holds (sometimes-properties that need \
         a switched-off fault, such as a retransmission, are not found there). Larger bounds: \
         `cargo run --release -- check tcp-lifecycle --bytes 2 --losses 2 ...`."
            .to_string(),
    );
    println!("{}", growth.markdown());
    let path = bench_results::save("models", vec![speed, yardstick, faults, growth])
        .expect("results written");
    println!("recorded in {}", path.display());
}
