//! Running a model: an exhaustive search, then a shortest path to each violation.
//!
//! The search runs stateright's DFS with `finish_when` set so that it never stops at the
//! first discoveries, and with no depth, count or time cut-off: when it returns, the whole
//! reachable state space was explored (`exhaustive`). stateright's stored discovery is not
//! the shortest path (stateright-notes 3), so each violation is then searched again
//! breadth-first, for that property alone, which yields a shortest counterexample.

use super::Kind;
use serde::Serialize;
use stateright::{Checker, HasDiscoveries, Model, Property};
use std::collections::{BTreeSet, HashSet, VecDeque};
use std::hash::{BuildHasher, Hash};
use std::time::{Duration, Instant};

/// What a property was expected to do, or did.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize)]
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
    /// For a violation, the same path as a ladder (text only, not in the JSON).
    #[serde(skip)]
    pub ladder: Option<Vec<String>>,
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
    /// Print progress on stderr for searches longer than a second.
    pub progress: bool,
    /// Search order.
    pub strategy: Strategy,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            threads: 1,
            progress: false,
            strategy: Strategy::Dfs,
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
    let mut last = Instant::now();
    while !checker.is_done() {
        std::thread::sleep(Duration::from_millis(50));
        if opts.progress
            && start.elapsed() > Duration::from_secs(1)
            && last.elapsed() >= Duration::from_secs(1)
        {
            last = Instant::now();
            let secs = start.elapsed().as_secs_f64();
            let unique = checker.unique_state_count();
            eprintln!(
                "{name}: {unique} states, {:.0} states/s, depth {}, {secs:.0} s",
                unique as f64 / secs,
                checker.max_depth()
            );
        }
    }
    for h in checker.handles() {
        h.join().expect("checker thread");
    }
    let seconds = start.elapsed().as_secs_f64();
    let discoveries = checker.discoveries();
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
        let (mut counterexample, mut ladder) = (None, None);
        if outcome == Outcome::Violated {
            let path = shortest_path(&model, p, 20_000_000)
                .unwrap_or_else(|| discoveries[p.name].clone().into_vec());
            counterexample = Some(steps(&model, &path));
            ladder = Some(model.render(&path));
        }
        properties.push(PropertyReport {
            name: p.name,
            kind,
            expected: exp,
            outcome,
            as_expected: exp == outcome,
            counterexample,
            ladder,
        });
    }
    let as_expected = properties.iter().all(|p| p.as_expected);
    CheckReport {
        model: name,
        without,
        bounds: super::Bounds::NONE,
        exhaustive: checker.is_done(),
        unique_states: checker.unique_state_count(),
        states: checker.state_count(),
        max_depth: checker.max_depth(),
        seconds,
        properties,
        as_expected,
    }
}

/// The step descriptions of a path.
fn steps<M: Model>(model: &M, path: &[(M::State, Option<M::Action>)]) -> Vec<String>
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

/// A path: each state with the action taken from it (none for the last).
pub type Trace<M> = Vec<(<M as Model>::State, Option<<M as Model>::Action>)>;

/// A search node: a state and how it was reached (parent index, action).
type Node<M> = (<M as Model>::State, Option<(usize, <M as Model>::Action)>);

/// A shortest path (breadth-first) from an initial state to a state where `p` is discovered:
/// an always-property fails or a sometimes-property holds. `None` if more than `limit`
/// states would have to be stored.
pub fn shortest_path<M>(model: &M, p: &Property<M>, limit: usize) -> Option<Trace<M>>
where
    M: Model,
    M::State: Clone + Hash + Eq,
    M::Action: Clone,
{
    let want = p.expectation != stateright::Expectation::Always;
    let hasher = std::collections::hash_map::RandomState::new();
    let mut seen = HashSet::new();
    let mut nodes: Vec<Node<M>> = Vec::new();
    let mut queue = VecDeque::new();
    for s in model.init_states() {
        if seen.insert(hasher.hash_one(&s)) {
            nodes.push((s, None));
            queue.push_back(nodes.len() - 1);
        }
    }
    let mut actions = Vec::new();
    while let Some(i) = queue.pop_front() {
        if (p.condition)(model, &nodes[i].0) == want {
            let mut path = Vec::new();
            let mut at = Some(i);
            let mut next_action = None;
            while let Some(k) = at {
                path.push((nodes[k].0.clone(), next_action.take()));
                at = nodes[k].1.as_ref().map(|(parent, a)| {
                    next_action = Some(a.clone());
                    *parent
                });
            }
            path.reverse();
            return Some(path);
        }
        if nodes.len() > limit {
            return None;
        }
        model.actions(&nodes[i].0, &mut actions);
        for a in actions.drain(..) {
            if let Some(n) = model.next_state(&nodes[i].0, a.clone())
                && seen.insert(hasher.hash_one(&n))
            {
                nodes.push((n, Some((i, a))));
                queue.push_back(nodes.len() - 1);
            }
        }
    }
    None
}
