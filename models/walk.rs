//! Random walks over a model too large to exhaust (`check MODEL --walks N --seed S`).
//!
//! A walk starts in an initial state chosen at random and takes, at each state, one of the
//! actions the model offers, chosen uniformly among those with a successor, until it reaches
//! a state with no successor, comes back to a state it visited before, or has taken
//! `max_depth` steps: the walk of stateright 0.31's simulation checker
//! (`checker/simulation.rs`, `UniformChooser`). Every property is evaluated in every state
//! visited. Unlike stateright's simulation checker, each walk has a seed of its own, derived
//! from `--seed` and the walk's number, so the same walks are taken whatever the thread
//! count, and `--shard I/N` runs exactly the walks numbered `I-1`, `I-1+N`, ... of the
//! unsharded run: the shards together walk the same walks as one machine would.
//!
//! A walk proves nothing about the states it did not visit: its report says
//! `exhaustive: false`, an always-property that no walk violated is `not-violated` (never
//! `holds`), and a sometimes-property no walk reached is `not-found`. What a walk does show
//! is definite: a violation of an always-property (whose counterexample is the shortest walk
//! prefix that reached it) and a sometimes-property reached.

use super::Kind;
use super::runner::{
    CheckReport, Mode, Outcome, Progress, PropertyReport, Render, RunOptions, Trace, WalkSummary,
    explore_command, explorer_path, steps,
};
use std::collections::HashSet;
use std::hash::{Hash, Hasher};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// How many walks, from which seed, how long, and which shard of them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WalkOptions {
    /// Walks over all shards.
    pub walks: u64,
    /// The seed of the run; walk `k`'s seed is derived from it and `k`.
    pub seed: u64,
    /// The most steps a walk takes.
    pub max_depth: usize,
    /// `(I, N)`: run only the walks `k` with `k % N == I - 1`.
    pub shard: Option<(usize, usize)>,
}

/// The default `--max-depth`: far beyond the depth of any bounded model here (their longest
/// paths are some tens of steps), so that walks end in terminal states or loops.
pub const DEFAULT_MAX_DEPTH: usize = 1000;

/// splitmix64: a 64-bit mixing step, as a seed deriver and as each walk's generator.
fn splitmix64(x: &mut u64) -> u64 {
    *x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *x;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The seed of walk `k` of a run seeded with `seed`.
pub fn walk_seed(seed: u64, k: u64) -> u64 {
    let mut x = seed ^ k.wrapping_mul(0xD1B5_4A32_D192_ED03);
    splitmix64(&mut x)
}

/// A uniform choice among `n > 0` (multiply-shift; its bias is below 2^-32 for our `n`).
fn choose(rng: &mut u64, n: usize) -> usize {
    ((u128::from(splitmix64(rng)) * n as u128) >> 64) as usize
}

/// A fingerprint of a state (std's hasher with its fixed keys: the same in every thread).
fn fingerprint<T: Hash>(t: &T) -> u64 {
    let mut h = std::hash::DefaultHasher::new();
    t.hash(&mut h);
    h.finish()
}

/// The best discovery of one property so far: the shortest path, ties to the lowest walk.
struct Best<M: super::runner::Render> {
    walks: u64,
    path: Option<(usize, u64, Trace<M>)>,
}

/// Everything the walks of one thread saw.
struct Tally<M: super::runner::Render> {
    best: Vec<Best<M>>,
    seen: HashSet<u64>,
    visited: usize,
    steps: u64,
    longest: usize,
    terminal: u64,
    looped: u64,
    cut: u64,
}

/// Runs the walks `opts` asks for over `model` and judges each property against
/// `expected(name, kind)`; see the module documentation for what a walk can conclude.
pub fn walk<M>(
    name: &'static str,
    without: Vec<String>,
    model: M,
    expected: impl Fn(&'static str, Kind) -> Outcome,
    opts: RunOptions,
    w: WalkOptions,
) -> CheckReport
where
    M: Render + Clone + Send + Sync + 'static,
    M::State: Clone + Hash + Eq + std::fmt::Debug + Send + Sync,
    M::Action: Clone + std::fmt::Debug + PartialEq + Send + Sync,
{
    let start = Instant::now();
    let props = model.properties();
    let indices: Vec<u64> = (0..w.walks)
        .filter(|k| w.shard.is_none_or(|(i, n)| k % n as u64 == (i - 1) as u64))
        .collect();
    let next = AtomicUsize::new(0);
    let visited_all = AtomicUsize::new(0);
    let longest_all = AtomicUsize::new(0);
    let steps_all = AtomicU64::new(0);
    let tallies: Mutex<Vec<Tally<M>>> = Mutex::new(Vec::new());
    let threads = opts.threads.max(1);
    let inits = model.init_states();
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| {
                let mut t = Tally::<M> {
                    best: props
                        .iter()
                        .map(|_| Best {
                            walks: 0,
                            path: None,
                        })
                        .collect(),
                    seen: HashSet::new(),
                    visited: 0,
                    steps: 0,
                    longest: 0,
                    terminal: 0,
                    looped: 0,
                    cut: 0,
                };
                loop {
                    let at = next.fetch_add(1, Ordering::Relaxed);
                    let Some(&k) = indices.get(at) else { break };
                    let before = (t.visited, t.steps);
                    one_walk(&model, &props, &inits, k, w, &mut t);
                    visited_all.fetch_add(t.visited - before.0, Ordering::Relaxed);
                    steps_all.fetch_add(t.steps - before.1, Ordering::Relaxed);
                    longest_all.fetch_max(t.longest, Ordering::Relaxed);
                }
                tallies.lock().expect("no walker panicked").push(t);
            });
        }
        if opts.progress {
            let mut progress = Progress::new(name, &without, opts.position);
            while next.load(Ordering::Relaxed) < indices.len() {
                std::thread::sleep(Duration::from_millis(50));
                progress.update(
                    visited_all.load(Ordering::Relaxed),
                    longest_all.load(Ordering::Relaxed),
                );
            }
            progress.finish();
        }
    });
    let seconds = start.elapsed().as_secs_f64();
    let tallies = tallies.into_inner().expect("no walker panicked");
    let mut seen = HashSet::new();
    let mut summary = WalkSummary {
        count: indices.len() as u64,
        of: w.walks,
        seed: w.seed,
        max_depth: w.max_depth,
        shard: w.shard.map(|(i, n)| format!("{i}/{n}")),
        steps: 0,
        ended_terminal: 0,
        ended_loop: 0,
        ended_max_depth: 0,
    };
    let (mut visited, mut longest) = (0, 0);
    let mut best: Vec<Best<M>> = props
        .iter()
        .map(|_| Best {
            walks: 0,
            path: None,
        })
        .collect();
    for t in tallies {
        seen.extend(t.seen);
        visited += t.visited;
        longest = longest.max(t.longest);
        summary.steps += t.steps;
        summary.ended_terminal += t.terminal;
        summary.ended_loop += t.looped;
        summary.ended_max_depth += t.cut;
        for (b, tb) in best.iter_mut().zip(t.best) {
            b.walks += tb.walks;
            if let Some(p) = tb.path
                && b.path.as_ref().is_none_or(|q| (p.0, p.1) < (q.0, q.1))
            {
                b.path = Some(p);
            }
        }
    }
    let mut properties = Vec::new();
    for (p, b) in props.iter().zip(best) {
        let kind = if p.expectation == stateright::Expectation::Always {
            Kind::Always
        } else {
            Kind::Sometimes
        };
        let found = b.path.is_some();
        let outcome = match (kind, found) {
            (Kind::Always, false) => Outcome::NotViolated,
            (Kind::Always, true) => Outcome::Violated,
            (Kind::Sometimes, true) => Outcome::Found,
            (Kind::Sometimes, false) => Outcome::NotFound,
        };
        let exp = expected(p.name, kind);
        // A walk contradicts an expectation only by what it found: a violation of an
        // always-property expected to hold, or a sometimes-property expected unreachable.
        let contradicted = match kind {
            Kind::Always => found && exp == Outcome::Holds,
            Kind::Sometimes => found && exp == Outcome::NotFound,
        };
        let path = b.path.map(|(_, _, path)| path);
        let (counterexample, ladder) = match (&path, kind) {
            (Some(path), Kind::Always) => (Some(steps(&model, path)), Some(model.render(path))),
            _ => (None, None),
        };
        properties.push(PropertyReport {
            name: p.name,
            kind,
            expected: exp,
            outcome,
            as_expected: !contradicted,
            counterexample,
            ladder,
            explorer_path: path.as_ref().and_then(|path| explorer_path(&model, path)),
            explorer_path_shortest: false,
            svg: match (&path, opts.svg) {
                (Some(path), true) => super::runner::as_svg(&model, path),
                _ => None,
            },
            walks_found: Some(b.walks),
        });
    }
    let as_expected = properties.iter().all(|p| p.as_expected);
    CheckReport {
        model: name,
        bounds: super::Bounds::NONE,
        mode: Mode::Walks,
        walks: Some(summary),
        threads,
        reduced: opts.reduce,
        exhaustive: false,
        unique_states: seen.len(),
        states: visited,
        max_depth: longest,
        seconds,
        properties,
        as_expected,
        explore_command: explore_command(name, &without, super::Bounds::NONE, opts.reduce),
        without,
    }
}

/// Walk number `k`: records in `t` what it visits and what it discovers.
fn one_walk<M>(
    model: &M,
    props: &[stateright::Property<M>],
    inits: &[M::State],
    k: u64,
    w: WalkOptions,
    t: &mut Tally<M>,
) where
    M: Render,
    M::State: Clone + Hash + Eq,
    M::Action: Clone,
{
    let mut rng = walk_seed(w.seed, k);
    if inits.is_empty() {
        t.terminal += 1;
        return;
    }
    let mut state = inits[choose(&mut rng, inits.len())].clone();
    let mut trace: Vec<(M::State, M::Action)> = Vec::new();
    let mut mine = HashSet::new();
    let mut discovered = vec![false; props.len()];
    let mut actions = Vec::new();
    loop {
        if !model.within_boundary(&state) {
            t.terminal += 1;
            break;
        }
        let fp = fingerprint(&state);
        if !mine.insert(fp) {
            t.looped += 1;
            break;
        }
        t.seen.insert(fp);
        t.visited += 1;
        for (j, p) in props.iter().enumerate() {
            let holds = (p.condition)(model, &state);
            let hit = if p.expectation == stateright::Expectation::Always {
                !holds
            } else {
                holds
            };
            if hit && !discovered[j] {
                discovered[j] = true;
                let b = &mut t.best[j];
                b.walks += 1;
                if b.path
                    .as_ref()
                    .is_none_or(|q| (trace.len(), k) < (q.0, q.1))
                {
                    let mut path: Trace<M> = trace
                        .iter()
                        .map(|(s, a)| (s.clone(), Some(a.clone())))
                        .collect();
                    path.push((state.clone(), None));
                    b.path = Some((trace.len(), k, path));
                }
            }
        }
        if trace.len() >= w.max_depth {
            t.cut += 1;
            break;
        }
        actions.clear();
        model.actions(&state, &mut actions);
        let successor = loop {
            if actions.is_empty() {
                break None;
            }
            let a = actions.swap_remove(choose(&mut rng, actions.len()));
            if let Some(n) = model.next_state(&state, a.clone()) {
                break Some((a, n));
            }
        };
        let Some((a, n)) = successor else {
            t.terminal += 1;
            break;
        };
        trace.push((std::mem::replace(&mut state, n), a));
        t.steps += 1;
        t.longest = t.longest.max(trace.len());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn walk_seeds_differ_and_are_stable() {
        assert_ne!(walk_seed(7, 0), walk_seed(7, 1));
        assert_ne!(walk_seed(7, 0), walk_seed(8, 0));
        assert_eq!(walk_seed(7, 3), walk_seed(7, 3));
    }

    #[test]
    fn choices_stay_in_range_and_cover_it() {
        let mut rng = 1;
        let mut hit = [false; 5];
        for _ in 0..1000 {
            let c = choose(&mut rng, 5);
            hit[c] = true;
        }
        assert!(hit.iter().all(|h| *h));
    }
}
