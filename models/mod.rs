//! stateright models that enumerate the pure protocol rules of this crate, and the one
//! registry of models, properties and ablations that feeds the CLI, the tests and REPORT.md.
//!
//! Each model's `next_state` applies a pure transition from `src/`; nothing here decides a
//! protocol rule. An ablation (`--without NAME`) switches one rule off in the configuration
//! handed to the pure code, and the registry states which properties it must break.

pub mod arp;
pub mod cached;
pub mod diagram;
pub mod explorer;
pub mod icmp;
pub mod inet;
pub mod ip;
pub mod runner;
pub mod syncookie;
pub mod table;
pub mod tcp;
pub mod udp;
pub mod walk;

use runner::{CheckReport, Outcome, Render, RunOptions};
use serde::{Deserialize, Serialize};
use stateright::Model;

/// The kind of a property.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    /// Must hold in every reachable state.
    Always,
    /// Must hold in some reachable state (shows a premise or an event is reachable).
    Sometimes,
}

/// A property as the registry lists it.
#[derive(Clone, Debug, Serialize)]
pub struct PropertyInfo {
    /// Stable name.
    pub name: &'static str,
    /// always or sometimes.
    pub kind: Kind,
    /// What it says.
    #[serde(skip)]
    pub meaning: &'static str,
}

/// A registered ablation: a mechanism switched off and what the checker must then find.
#[derive(Clone, Debug, Serialize)]
pub struct Ablation {
    /// The mechanism's stable name (for `--without`).
    pub mechanism: &'static str,
    /// The property this ablation exists to break.
    pub breaks: &'static str,
    /// Every other property it also breaks (must be violated too).
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    pub also_breaks: &'static [&'static str],
    /// Sometimes-properties that become unreachable with the mechanism off.
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    pub hides: &'static [&'static str],
    /// Sometimes-properties whose premise the ablation's bounds rule out for the full
    /// protocol (see [`ModelSpec::premises`]) but that the broken protocol reaches anyway.
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    pub reveals: &'static [&'static str],
    /// Where the protocol literature records the hazard.
    pub reference: &'static str,
    /// The hazard, in one sentence.
    #[serde(skip)]
    pub hazard: &'static str,
    /// The bounds this ablation is checked at (the smallest at which its hazard shows);
    /// `Bounds::NONE` for the model's defaults.
    #[serde(skip)]
    pub bounds: Bounds,
}

/// Bounds a user may set for a model that accepts them (`check --losses 2`, ...). `None`
/// keeps the model's default.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bounds {
    /// Octets each side sends per incarnation.
    pub bytes: Option<u8>,
    /// Incarnations of the connection.
    pub incarnations: Option<u8>,
    /// Segments the network may lose.
    pub losses: Option<u8>,
    /// Segments the network may duplicate.
    pub dups: Option<u8>,
    /// Segments the network may delay past a tick.
    pub delays: Option<u8>,
    /// 1: A is a client that outruns its ISN clock, closes first and reconnects at once.
    pub fast_reconnect: Option<u8>,
    /// 1: an old duplicate SYN of A's previous connection is in flight at the start.
    pub old_syn: Option<u8>,
    /// Segments an off-path attacker may forge.
    pub forgeries: Option<u8>,
    /// 1: both ends use timestamps, and an old duplicate from the previous wrap of A's
    /// sequence space is in flight at the start.
    pub old_wrap: Option<u8>,
    /// 1: both ends run congestion control (Reno, an initial window of one segment).
    pub congestion: Option<u8>,
    /// 1: both ends offer SACK and recover by RFC 6675; only A sends.
    pub sack: Option<u8>,
}

impl Bounds {
    /// No bound set: the model's defaults.
    pub const NONE: Bounds = Bounds {
        bytes: None,
        incarnations: None,
        losses: None,
        dups: None,
        delays: None,
        fast_reconnect: None,
        old_syn: None,
        forgeries: None,
        old_wrap: None,
        congestion: None,
        sack: None,
    };

    /// `self`, with the bounds `over` sets taking precedence.
    pub fn overridden_by(self, over: Bounds) -> Bounds {
        Bounds {
            bytes: over.bytes.or(self.bytes),
            incarnations: over.incarnations.or(self.incarnations),
            losses: over.losses.or(self.losses),
            dups: over.dups.or(self.dups),
            delays: over.delays.or(self.delays),
            fast_reconnect: over.fast_reconnect.or(self.fast_reconnect),
            old_syn: over.old_syn.or(self.old_syn),
            forgeries: over.forgeries.or(self.forgeries),
            old_wrap: over.old_wrap.or(self.old_wrap),
            congestion: over.congestion.or(self.congestion),
            sack: over.sack.or(self.sack),
        }
    }

    /// Every bound by its command-line name (`--NAME`), set or not.
    pub fn entries(&self) -> [(&'static str, Option<u8>); 11] {
        [
            ("bytes", self.bytes),
            ("incarnations", self.incarnations),
            ("losses", self.losses),
            ("dups", self.dups),
            ("delays", self.delays),
            ("fast-reconnect", self.fast_reconnect),
            ("old-syn", self.old_syn),
            ("forgeries", self.forgeries),
            ("old-wrap", self.old_wrap),
            ("congestion", self.congestion),
            ("sack", self.sack),
        ]
    }

    /// Sets the bound with this command-line name; `false` if there is none of that name.
    pub fn set_by_name(&mut self, name: &str, value: u8) -> bool {
        let slot = match name {
            "bytes" => &mut self.bytes,
            "incarnations" => &mut self.incarnations,
            "losses" => &mut self.losses,
            "dups" => &mut self.dups,
            "delays" => &mut self.delays,
            "fast-reconnect" => &mut self.fast_reconnect,
            "old-syn" => &mut self.old_syn,
            "forgeries" => &mut self.forgeries,
            "old-wrap" => &mut self.old_wrap,
            "congestion" => &mut self.congestion,
            "sack" => &mut self.sack,
            _ => return false,
        };
        *slot = Some(value);
        true
    }

    /// The names of the bounds that are set.
    pub fn set(&self) -> Vec<&'static str> {
        self.entries()
            .iter()
            .filter(|(_, v)| v.is_some())
            .map(|(n, _)| *n)
            .collect()
    }

    /// The bounds that are set as `name=value` words, or `default`.
    pub fn text(&self) -> String {
        let parts: Vec<String> = self
            .entries()
            .iter()
            .filter_map(|(n, v)| v.map(|v| format!("{n}={v}")))
            .collect();
        if parts.is_empty() {
            "default".to_string()
        } else {
            parts.join(" ")
        }
    }
}

/// A registered model.
pub struct ModelSpec {
    /// Stable name.
    pub name: &'static str,
    /// One line.
    pub summary: &'static str,
    /// Its properties.
    pub properties: fn() -> Vec<PropertyInfo>,
    /// Its ablations.
    pub ablations: &'static [Ablation],
    /// Always-properties expected to be violated even with every mechanism on: claims the
    /// protocol does not make, whose counterexample is the finding (e.g. UDP's `in-order`).
    pub expect_violated: &'static [&'static str],
    /// The bounds (`Bounds` field names) a user may set for this model.
    pub bounds: &'static [&'static str],
    /// Whether these bounds let the premise of the named sometimes-property happen at all
    /// (say, a second incarnation needs `incarnations >= 2`). A premise the bounds rule out is
    /// expected not found, with or without ablations; `hides` lists what a mechanism hides.
    pub premises: fn(&str, Bounds) -> bool,
    /// Checks it with the named mechanisms switched off (names already validated) and the
    /// given bounds (only those in `bounds` set); with [`RunOptions::explore`] set, serves that
    /// very model in the Explorer instead (`tcpip-spec explore`) and never returns.
    pub check: fn(&[&'static str], Bounds, RunOptions) -> CheckReport,
}

impl ModelSpec {
    /// What each property is expected to do with the given mechanisms off. An always-property
    /// in [`expect_violated`](Self::expect_violated) is expected to fail in every run.
    pub fn expected(
        &self,
        without: &[&'static str],
        bounds: Bounds,
        name: &str,
        kind: Kind,
    ) -> Outcome {
        if kind == Kind::Always && self.expect_violated.contains(&name) {
            return Outcome::Violated;
        }
        let ablations: Vec<&Ablation> = self
            .ablations
            .iter()
            .filter(|a| without.contains(&a.mechanism))
            .collect();
        match kind {
            Kind::Always => {
                let broken = ablations
                    .iter()
                    .any(|a| a.breaks == name || a.also_breaks.contains(&name));
                if broken {
                    Outcome::Violated
                } else {
                    Outcome::Holds
                }
            }
            Kind::Sometimes => {
                let hidden = ablations.iter().any(|a| a.hides.contains(&name));
                let revealed = ablations.iter().any(|a| a.reveals.contains(&name));
                if hidden || !((self.premises)(name, bounds) || revealed) {
                    Outcome::NotFound
                } else {
                    Outcome::Found
                }
            }
        }
    }

    /// Looks up an ablation of this model by mechanism name.
    pub fn ablation(&self, mechanism: &str) -> Option<&'static Ablation> {
        self.ablations.iter().find(|a| a.mechanism == mechanism)
    }
}

/// `ModelSpec::premises` of a model whose every premise is reachable at any bounds.
pub fn any_bounds(_: &str, _: Bounds) -> bool {
    true
}

/// Every registered model, in the order `list` and `check --all` use.
pub fn registry() -> &'static [ModelSpec] {
    &REGISTRY
}

/// Looks a model up by name.
pub fn find(name: &str) -> Option<&'static ModelSpec> {
    REGISTRY.iter().find(|m| m.name == name)
}

static REGISTRY: [ModelSpec; 8] = [
    tcp::registry::HANDSHAKE,
    tcp::registry::CLOSE,
    tcp::registry::LIFECYCLE,
    udp::SPEC,
    ip::SPEC,
    icmp::SPEC,
    arp::properties::SPEC,
    syncookie::SPEC,
];

/// Runs the checker on `model` and judges it against `spec`'s expectations, or, with
/// `opts.explore` set, serves the Explorer for it (and never returns).
pub fn run_spec<M>(
    spec: &'static ModelSpec,
    without: &[&'static str],
    bounds: Bounds,
    model: M,
    opts: RunOptions,
) -> CheckReport
where
    M: Render + explorer::Explain + Clone + Send + Sync + 'static,
    M::State: Clone + std::hash::Hash + Eq + std::fmt::Debug + Send + Sync,
    M::Action: Clone + std::fmt::Debug + PartialEq + Send + Sync,
{
    if let Some(addr) = opts.explore {
        warn_if_large(spec.name, &model, opts.threads);
        explorer::serve(spec.name, model, opts.threads, addr);
    }
    let names: Vec<String> = without.iter().map(|s| s.to_string()).collect();
    let expected = |n: &str, k| spec.expected(without, bounds, n, k);
    let mut report = match opts.walks {
        Some(walks) => walk::walk(spec.name, names, model, expected, opts, walks),
        None => runner::check(spec.name, names, model, expected, opts),
    };
    report.bounds = bounds;
    report.explore_command =
        runner::explore_command(spec.name, &report.without, bounds, report.reduced);
    report
}

/// States generated beyond which the Explorer's "Run to completion" takes minutes: its
/// on-demand checker with a visitor went through tcp-lifecycle's 49 M generated states in
/// about 640 s, some 75 k/s (issue 15; stateright-notes 9 on visitors).
const LARGE: usize = 4_000_000;

/// Counts up to [`LARGE`] generated states (about two seconds at most) and warns on stderr
/// when the model has more.
fn warn_if_large<M>(name: &str, model: &M, threads: usize)
where
    M: Model + Clone + Send + Sync + 'static,
    M::State: Clone + std::hash::Hash + Eq + std::fmt::Debug + Send + Sync,
    M::Action: Clone + std::fmt::Debug + PartialEq + Send + Sync,
{
    use stateright::Checker;
    let probe = model
        .clone()
        .checker()
        .threads(threads.max(1))
        .target_state_count(LARGE)
        .finish_when(stateright::HasDiscoveries::AnyOf(Default::default()))
        .spawn_dfs()
        .join();
    if probe.state_count() >= LARGE {
        eprintln!(
            "warning: {name} at these bounds has more than {} k distinct states: \"Run to \
             completion\" will take minutes (`tcpip-spec check` is faster); paths open at once",
            probe.unique_state_count() / 1000
        );
    }
}
