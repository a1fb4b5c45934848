//! Running a model: an exhaustive search, then a shortest path to each violation.
//!
//! The search runs stateright's DFS with `finish_when` set so that it never stops at the
//! first discoveries, and with no depth, count or time cut-off: when it returns, the whole
//! reachable state space was explored (`exhaustive`). stateright's stored discovery is not
//! the shortest path (stateright-notes 3), so each violation is then searched again
//! breadth-first, for that property alone, which yields a shortest counterexample.

use super::Kind;
use serde::{Deserialize, Serialize};
use stateright::{Checker, HasDiscoveries, Model, Property};
use std::collections::{BTreeSet, HashSet, VecDeque};
use std::hash::Hash;
use std::time::{Duration, Instant};

/// What a property was expected to do, or did.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    /// An always-property held in every reachable state.
    Holds,
    /// An always-property failed somewhere.
    Violated,
    /// A sometimes-property held somewhere.
    Found,
    /// A sometimes-property held nowhere.
    NotFound,
    /// An always-property that no random walk violated (walks only: not a proof that it
    /// holds).
    NotViolated,
}

/// One property's result.
#[derive(Clone, Debug, Serialize)]
pub struct PropertyReport {
    /// Stable name.
    pub name: &'static str,
    /// always or sometimes.
    pub kind: Kind,
    /// What the registry expects.
    pub expected: Outcome,
    /// What the search found.
    pub outcome: Outcome,
    /// Whether they agree.
    pub as_expected: bool,
    /// For a violation, the steps of a shortest path to it.
    pub counterexample: Option<Vec<String>>,
    /// For a violation, the same path as a ladder (a TCP model's RFC 9293 figure, one
    /// numbered line per step for the others), as the text output and REPORT.md print it.
    pub ladder: Option<Vec<String>>,
    /// The counterexample (violation) or example (sometimes-property found) as a location
    /// in stateright's Explorer, `#/steps/I/A1/A2/...`: the index of the initial state, then
    /// the index of each action among the actions of the state it is taken in. `None` when
    /// there is neither. It opens in `tcpip-spec explore` run with the same model, mechanisms
    /// and bounds ([`CheckReport::explore_command`]).
    pub explorer_path: Option<String>,
    /// Whether `explorer_path` is a shortest path (breadth-first). An example deeper than
    /// the breadth-first search's budget is the depth-first search's own discovery instead;
    /// a random walk's path is the shortest of those the walks found, never marked shortest.
    pub explorer_path_shortest: bool,
    /// The model's ladder (`as_svg`) of the counterexample or example, when
    /// [`RunOptions::svg`] asks for it: exactly what the Explorer shows at `explorer_path`.
    #[serde(skip)]
    pub svg: Option<String>,
    /// Random walks only: how many walks violated (always) or reached (sometimes) it.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub walks_found: Option<u64>,
}

/// How a run explored the model.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Mode {
    /// A search of every reachable state ([`check`]).
    #[default]
    Exhaustive,
    /// Random walks from the initial states ([`super::walk`]): not exhaustive.
    Walks,
}

/// What the random walks of a run did ([`Mode::Walks`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WalkSummary {
    /// Walks run (in this shard).
    pub count: u64,
    /// Walks asked for (`--walks`), over all shards.
    pub of: u64,
    /// The seed every walk's own seed is derived from (`--seed`).
    pub seed: u64,
    /// The longest walk allowed, in steps (`--max-depth`).
    pub max_depth: usize,
    /// `I/N` when this run is one shard of the walks (`--shard`), else `null`.
    pub shard: Option<String>,
    /// Steps taken by all walks together.
    pub steps: u64,
    /// Walks that ended in a state with no successor.
    pub ended_terminal: u64,
    /// Walks that ended by coming back to a state they had visited.
    pub ended_loop: u64,
    /// Walks cut off at `max_depth`.
    pub ended_max_depth: u64,
}

/// The result of checking one model (the JSON contract of architecture.md).
#[derive(Clone, Debug, Serialize)]
pub struct CheckReport {
    /// Model name.
    pub model: &'static str,
    /// Mechanisms switched off.
    pub without: Vec<String>,
    /// The bounds set for this run (unset: the model's defaults).
    pub bounds: super::Bounds,
    /// An exhaustive search or random walks.
    pub mode: Mode,
    /// Random walks only: what they did.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub walks: Option<WalkSummary>,
    /// Checker threads.
    pub threads: usize,
    /// Whether the model's sound reductions were applied (`false` with `--unreduced`).
    pub reduced: bool,
    /// True iff the whole reachable state space was explored.
    pub exhaustive: bool,
    /// Distinct states.
    pub unique_states: usize,
    /// States generated, with repeats.
    pub states: usize,
    /// Longest path explored.
    pub max_depth: usize,
    /// Wall-clock seconds of the search.
    pub seconds: f64,
    /// Per-property results.
    pub properties: Vec<PropertyReport>,
    /// Whether every property met its expectation.
    pub as_expected: bool,
    /// The command that serves this very model in stateright's Explorer, where each
    /// property's `explorer_path` opens (`tcpip-spec explore MODEL --without ... --BOUND N`).
    pub explore_command: String,
}

/// The `explore` command line for a model with these mechanisms off and these bounds.
pub fn explore_command(
    model: &str,
    without: &[String],
    bounds: super::Bounds,
    reduced: bool,
) -> String {
    let mut cmd = format!("tcpip-spec explore {model}");
    if !reduced {
        cmd += " --unreduced";
    }
    for w in without {
        cmd += &format!(" --without {w}");
    }
    for (name, value) in bounds.entries() {
        if let Some(v) = value {
            cmd += &format!(" --{name} {v}");
        }
    }
    cmd
}

/// The search order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Strategy {
    /// Depth-first: least memory (stateright-notes 12).
    #[default]
    Dfs,
    /// Breadth-first.
    Bfs,
}

/// How to run.
#[derive(Clone, Copy, Debug)]
pub struct RunOptions {
    /// Checker threads.
    pub threads: usize,
    /// Print progress on stderr for searches longer than a second: updated in place on a
    /// terminal, a line every few seconds otherwise.
    pub progress: bool,
    /// Search order.
    pub strategy: Strategy,
    /// This run's number (from 1) and the number of runs, when it is one of several
    /// (`check --all`): progress lines start with `[12/33]`.
    pub position: Option<(usize, usize)>,
    /// Serve stateright's Explorer on this address instead of checking; never returns. The
    /// model is built exactly as for a check at the same mechanisms and bounds, so that a
    /// [`PropertyReport::explorer_path`] of the check opens in it.
    pub explore: Option<std::net::SocketAddr>,
    /// Render each counterexample and example with the model's `as_svg`
    /// ([`PropertyReport::svg`]).
    pub svg: bool,
    /// Random walks instead of an exhaustive search ([`super::walk`]).
    pub walks: Option<super::walk::WalkOptions>,
    /// Apply the model's sound reductions of the state space (on by default; `--unreduced`
    /// turns them off, see [`crate::models::tcp::world::Reductions`]).
    pub reduce: bool,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            threads: 1,
            progress: false,
            strategy: Strategy::Dfs,
            position: None,
            explore: None,
            svg: false,
            walks: None,
            reduce: true,
        }
    }
}

/// States a breadth-first search for the shortest examples (sometimes-properties found) may
/// store; beyond it an example is the depth-first search's discovery. Counterexamples get a
/// far larger budget ([`COUNTEREXAMPLE_LIMIT`]): they are what a user reads.
pub const EXAMPLE_LIMIT: usize = 1_000_000;

/// States the breadth-first search for a shortest counterexample may store.
pub const COUNTEREXAMPLE_LIMIT: usize = 20_000_000;

/// `n` with a k or M suffix, for progress lines.
fn human(n: usize) -> String {
    match n {
        0..1_000 => n.to_string(),
        1_000..1_000_000 => format!("{:.1} k", n as f64 / 1e3),
        _ => format!("{:.1} M", n as f64 / 1e6),
    }
}

/// Progress of a search on stderr: on a terminal one line rewritten in place (carriage
/// return), erased when the search ends; otherwise a plain line every few seconds.
pub(crate) struct Progress {
    label: String,
    terminal: bool,
    start: Instant,
    last: Instant,
    shown: bool,
}

impl Progress {
    pub(crate) fn new(
        name: &str,
        without: &[String],
        position: Option<(usize, usize)>,
    ) -> Progress {
        use std::io::IsTerminal;
        let mut label = position.map_or(String::new(), |(i, n)| format!("[{i}/{n}] "));
        label += name;
        for w in without {
            label += &format!(" --without {w}");
        }
        let now = Instant::now();
        Progress {
            label,
            terminal: std::io::stderr().is_terminal(),
            start: now,
            last: now,
            shown: false,
        }
    }

    pub(crate) fn update(&mut self, unique: usize, depth: usize) {
        if let Some(line) = self.line(Instant::now(), unique, depth) {
            if self.terminal {
                eprint!("\r{line}\x1b[K");
            } else {
                eprintln!("{line}");
            }
            self.shown = true;
        }
    }

    /// The line due at `now`, if one is: none in a search's first second, then one a second
    /// on a terminal (each rewrites the last) and one every five seconds into a log or a pipe
    /// (each a new line), naming the run.
    fn line(&mut self, now: Instant, unique: usize, depth: usize) -> Option<String> {
        let every = Duration::from_secs(if self.terminal { 1 } else { 5 });
        let running = now.duration_since(self.start);
        if running < Duration::from_secs(1) || now.duration_since(self.last) < every {
            return None;
        }
        self.last = now;
        let secs = running.as_secs_f64();
        Some(format!(
            "{}: {} states, {}/s, depth {depth}, {secs:.0} s",
            self.label,
            human(unique),
            human((unique as f64 / secs) as usize),
        ))
    }

    pub(crate) fn finish(&self) {
        if self.terminal && self.shown {
            eprint!("\r\x1b[K");
        }
    }
}

/// A model the runner can check: it renders its paths.
pub trait Render: Model {
    /// A path as text lines (a ladder for TCP models).
    fn render(&self, path: &[(Self::State, Option<Self::Action>)]) -> Vec<String>;
}

/// Checks `model` exhaustively and judges each property against `expected(name)`.
pub fn check<M>(
    name: &'static str,
    without: Vec<String>,
    model: M,
    expected: impl Fn(&'static str, Kind) -> Outcome,
    opts: RunOptions,
) -> CheckReport
where
    M: Render + Clone + Send + Sync + 'static,
    M::State: Clone + Hash + Eq + std::fmt::Debug + Send + Sync,
    M::Action: Clone + std::fmt::Debug + PartialEq + Send + Sync,
{
    let start = Instant::now();
    let props = model.properties();
    let builder = model
        .clone()
        .checker()
        .threads(opts.threads.max(1))
        .finish_when(HasDiscoveries::AnyOf(BTreeSet::new()));
    let mut checker: Box<dyn Checker<M> + Send> = match opts.strategy {
        Strategy::Dfs => Box::new(builder.spawn_dfs()),
        Strategy::Bfs => Box::new(builder.spawn_bfs()),
    };
    let mut progress = Progress::new(name, &without, opts.position);
    while !checker.is_done() {
        std::thread::sleep(Duration::from_millis(50));
        if opts.progress {
            progress.update(checker.unique_state_count(), checker.max_depth());
        }
    }
    progress.finish();
    for h in checker.handles() {
        h.join().expect("checker thread");
    }
    let seconds = start.elapsed().as_secs_f64();
    let discoveries = checker.discoveries();
    let (exhaustive, unique_states, states, max_depth) = (
        checker.is_done(),
        checker.unique_state_count(),
        checker.state_count(),
        checker.max_depth(),
    );
    // The searches for shortest paths below need memory of their own: free the checker's.
    drop(checker);
    // One breadth-first search for the shortest example of every sometimes-property found.
    let examples: Vec<&Property<M>> = props
        .iter()
        .filter(|p| {
            p.expectation != stateright::Expectation::Always && discoveries.contains_key(p.name)
        })
        .collect();
    let mut example_paths = shortest_paths(&model, &examples, EXAMPLE_LIMIT);
    let mut properties = Vec::new();
    for p in &props {
        let kind = if p.expectation == stateright::Expectation::Always {
            Kind::Always
        } else {
            Kind::Sometimes
        };
        let discovered = discoveries.contains_key(p.name);
        let outcome = match (kind, discovered) {
            (Kind::Always, false) => Outcome::Holds,
            (Kind::Always, true) => Outcome::Violated,
            (Kind::Sometimes, true) => Outcome::Found,
            (Kind::Sometimes, false) => Outcome::NotFound,
        };
        let exp = expected(p.name, kind);
        let (mut counterexample, mut ladder, mut explorer, mut shortest, mut svg) =
            (None, None, None, false, None);
        if outcome == Outcome::Violated {
            let found = shortest_path(&model, p, COUNTEREXAMPLE_LIMIT);
            shortest = found.is_some();
            let path = found.unwrap_or_else(|| discoveries[p.name].clone().into_vec());
            counterexample = Some(steps(&model, &path));
            ladder = Some(model.render(&path));
            explorer = explorer_path(&model, &path);
            if opts.svg {
                svg = as_svg(&model, &path);
            }
        } else if outcome == Outcome::Found {
            let at = examples.iter().position(|e| e.name == p.name);
            let found = at.and_then(|i| example_paths[i].take());
            shortest = found.is_some();
            let path = found.unwrap_or_else(|| discoveries[p.name].clone().into_vec());
            explorer = explorer_path(&model, &path);
            if opts.svg {
                svg = as_svg(&model, &path);
            }
        }
        properties.push(PropertyReport {
            name: p.name,
            kind,
            expected: exp,
            outcome,
            as_expected: exp == outcome,
            counterexample,
            ladder,
            explorer_path: explorer,
            explorer_path_shortest: shortest,
            svg,
            walks_found: None,
        });
    }
    let as_expected = properties.iter().all(|p| p.as_expected);
    CheckReport {
        model: name,
        bounds: super::Bounds::NONE,
        mode: Mode::Exhaustive,
        walks: None,
        threads: opts.threads.max(1),
        reduced: opts.reduce,
        exhaustive,
        unique_states,
        states,
        max_depth,
        seconds,
        properties,
        as_expected,
        explore_command: explore_command(name, &without, super::Bounds::NONE, opts.reduce),
        without,
    }
}

/// The model's SVG of a path, as the Explorer renders it.
pub fn as_svg<M: Model>(model: &M, path: &[(M::State, Option<M::Action>)]) -> Option<String>
where
    M::State: Clone + PartialEq,
    M::Action: PartialEq,
{
    let (first, _) = path.first()?;
    let actions: Vec<&M::Action> = path.iter().filter_map(|(_, a)| a.as_ref()).collect();
    let p = stateright::Path::from_actions(model, first.clone(), actions)?;
    model.as_svg(p)
}

/// The step descriptions of a path.
pub(crate) fn steps<M: Model>(model: &M, path: &[(M::State, Option<M::Action>)]) -> Vec<String>
where
    M::State: std::fmt::Debug,
    M::Action: Clone + std::fmt::Debug,
{
    path.iter()
        .filter_map(|(s, a)| {
            a.clone()
                .map(|a| model.format_step(s, a).unwrap_or_default())
        })
        .collect()
}

/// A path as a location in stateright 0.31's Explorer (`ui/app.js` reads `#/steps/...` as
/// the index of an initial state in `init_states()`, then one index per step into the
/// `actions()` of the state reached; `Path::encode` in its `checker/path.rs` does the same).
/// `None` if the path does not start in an initial state or takes an action the model does
/// not offer, which cannot happen for a path the model produced.
pub fn explorer_path<M>(model: &M, path: &[(M::State, Option<M::Action>)]) -> Option<String>
where
    M: Model,
    M::State: PartialEq,
    M::Action: PartialEq,
{
    let (first, _) = path.first()?;
    let init = model.init_states().iter().position(|s| s == first)?;
    let mut parts = vec![init.to_string()];
    let mut actions = Vec::new();
    for (state, action) in path {
        if let Some(action) = action {
            actions.clear();
            model.actions(state, &mut actions);
            parts.push(actions.iter().position(|a| a == action)?.to_string());
        }
    }
    Some(format!("#/steps/{}", parts.join("/")))
}

/// A path: each state with the action taken from it (none for the last).
pub type Trace<M> = Vec<(<M as Model>::State, Option<<M as Model>::Action>)>;

/// A shortest path (breadth-first) from an initial state to a state where `p` is discovered:
/// an always-property fails or a sometimes-property holds. `None` if more than `limit`
/// states would have to be stored.
pub fn shortest_path<M>(model: &M, p: &Property<M>, limit: usize) -> Option<Trace<M>>
where
    M: Model,
    M::State: Clone + Hash + Eq,
    M::Action: Clone,
{
    shortest_paths(model, &[p], limit).pop().flatten()
}

/// [`shortest_path`] for several properties in one breadth-first search, which stops when
/// each has its path or more than `limit` states would have to be stored.
///
/// Only the frontier keeps whole states; every state seen is a fingerprint and a step back
/// towards its parent, and a path is replayed from its initial state when found. A state of
/// tcp-lifecycle is a few hundred bytes, a step a few dozen.
pub fn shortest_paths<M>(model: &M, props: &[&Property<M>], limit: usize) -> Vec<Option<Trace<M>>>
where
    M: Model,
    M::State: Clone + Hash + Eq,
    M::Action: Clone,
{
    let mut found: Vec<Option<Trace<M>>> = props.iter().map(|_| None).collect();
    let mut pending = props.len();
    // AHash, as stateright's fingerprints: a state of tcp-lifecycle hashes its endpoints'
    // cached digests and the segments in flight, which SipHash took a fifth of a run over.
    let hasher = ahash::RandomState::new();
    let mut seen: HashSet<u64, ahash::RandomState> = HashSet::default();
    let inits = model.init_states();
    let mut steps: Vec<Back<M::Action>> = Vec::new();
    let mut queue = VecDeque::new();
    for (k, s) in inits.iter().enumerate() {
        if seen.insert(hasher.hash_one(s)) {
            steps.push(Back::Init(k));
            queue.push_back((steps.len() - 1, s.clone()));
        }
    }
    let mut actions = Vec::new();
    while let Some((i, state)) = queue.pop_front() {
        for (p, slot) in props.iter().zip(found.iter_mut()) {
            let want = p.expectation != stateright::Expectation::Always;
            if slot.is_none() && (p.condition)(model, &state) == want {
                *slot = Some(replay(model, &inits, &steps, i));
                pending -= 1;
            }
        }
        if pending == 0 || steps.len() > limit {
            break;
        }
        model.actions(&state, &mut actions);
        for a in actions.drain(..) {
            if let Some(n) = model.next_state(&state, a.clone())
                && seen.insert(hasher.hash_one(&n))
            {
                steps.push(Back::From(i, a));
                queue.push_back((steps.len() - 1, n));
            }
        }
    }
    found
}

/// How a breadth-first search reached a state.
enum Back<A> {
    /// It is the initial state of this index.
    Init(usize),
    /// From the state of this node, by this action.
    From(usize, A),
}

/// The path to node `i` of a breadth-first search, replayed from its initial state.
fn replay<M: Model>(model: &M, inits: &[M::State], steps: &[Back<M::Action>], i: usize) -> Trace<M>
where
    M::State: Clone,
    M::Action: Clone,
{
    let mut actions = Vec::new();
    let mut at = i;
    let init = loop {
        match &steps[at] {
            Back::Init(k) => break *k,
            Back::From(parent, a) => {
                actions.push(a.clone());
                at = *parent;
            }
        }
    };
    actions.reverse();
    let mut state = inits[init].clone();
    let mut path = Vec::new();
    for a in actions {
        let next = model
            .next_state(&state, a.clone())
            .expect("a step the search took is taken again (next_state is deterministic)");
        path.push((state, Some(a)));
        state = next;
    }
    path.push((state, None));
    path
}

#[cfg(test)]
mod tests {
    /// A minute of checking, polled every 50 ms as `check` polls: a log or a pipe gets a line
    /// every five seconds, a terminal one a second (rewritten in place).
    #[test]
    fn progress_spares_a_log() {
        let lines = |terminal: bool| -> Vec<String> {
            let mut p = Progress::new("tcp-lifecycle", &["time-wait".to_string()], Some((12, 40)));
            p.terminal = terminal;
            let start = p.start;
            (0..=1200)
                .filter_map(|k| p.line(start + Duration::from_millis(50 * k), 1000 * k as usize, 7))
                .collect()
        };
        let log = lines(false);
        assert_eq!(log.len(), 12, "{log:#?}");
        assert_eq!(
            log[0],
            "[12/40] tcp-lifecycle --without time-wait: 100.0 k states, 20.0 k/s, depth 7, 5 s"
        );
        assert_eq!(lines(true).len(), 60);
    }

    use super::*;

    #[test]
    fn progress_lines_name_the_run_among_several() {
        let without = vec!["time-wait".to_string()];
        let p = Progress::new("tcp-lifecycle", &without, Some((12, 33)));
        assert_eq!(p.label, "[12/33] tcp-lifecycle --without time-wait");
        assert_eq!(Progress::new("udp", &[], None).label, "udp");
    }

    #[test]
    fn counts_are_human() {
        assert_eq!(human(999), "999");
        assert_eq!(human(12_345), "12.3 k");
        assert_eq!(human(3_140_000), "3.1 M");
    }
}
