//! What stateright's Explorer shows of a model (`tcpip-spec explore`): every action in the
//! list of next actions and in the path reads with its direction and, for a segment or packet,
//! its header in RFC notation; the state pane shows the step's outcome above the model's
//! compact state view; and the status line names the model by its registry name.
//!
//! stateright 0.31's Explorer (`checker/explorer.rs`) lists an action with
//! `Model::format_action(&action)`, which sees the action alone, and a model's action carries
//! only an index into the segments in flight (`Deliver(0)`). So the Explorer is served a thin
//! wrapper whose action is the model's action together with the state it is offered in
//! ([`Offered`]), from which [`Explain::explain`] names the segment. The states, the order of
//! actions and the properties are the model's own, so a link `check` prints
//! (`#/steps/...`, indices into the actions) opens the same path here.
//!
//! The Explorer's status line shows `std::any::type_name` of the model with the module paths
//! stripped, so all three TCP models read `TcpModel`. Each registered model is therefore
//! served as its own small type named after its registry entry (`tcp_close` for `tcp-close`:
//! a type name cannot hold a hyphen); [`NAMES`] lists them.
//!
//! The cost: the state an action is offered in is shared by its actions through one `Arc`,
//! one clone of the state per expanded state. A depth-first search of tcp-close (240,420
//! states, release) took 1.6-1.9 s for the model and 1.9 s served this way; "Run to
//! completion" is dominated by the Explorer's visitor anyway (stateright-notes 9).
//!
//! The served model sits behind [`page`], which makes the page's property verdicts say what
//! holds on the state shown rather than what the checker has (not) found globally.

pub mod page;

use super::arp::ArpModel;
use super::icmp::IcmpModel;
use super::ip::IpModel;
use super::syncookie::CookieModel;
use super::tcp::TcpModel;
use super::udp::UdpModel;
use stateright::{Model, Path, Property};
use std::any::Any;
use std::fmt;
use std::net::SocketAddr;
use std::sync::Arc;

/// A model whose actions can be told in words once the state they are taken in is known.
pub trait Explain: Model {
    /// `action`, offered in `state`, as the Explorer lists it: who acts, and for a segment or
    /// packet its direction and header in RFC notation (`A → B <SEQ=100><CTL=SYN>`,
    /// `lose A → B <SEQ=100><CTL=SYN>`).
    fn explain(&self, state: &Self::State, action: &Self::Action) -> String;
}

/// An action of model `M` with the state it is offered in.
pub struct Offered<M: Model> {
    /// The model's action.
    pub action: M::Action,
    /// The state it is offered in (shared by all actions of that state).
    pub state: Arc<M::State>,
}

impl<M: Model> Clone for Offered<M>
where
    M::Action: Clone,
{
    fn clone(&self) -> Self {
        Offered {
            action: self.action.clone(),
            state: Arc::clone(&self.state),
        }
    }
}

/// Actions are compared as the model's actions: paths are matched among the actions of one
/// state, which all carry the same state.
impl<M: Model> PartialEq for Offered<M>
where
    M::Action: PartialEq,
{
    fn eq(&self, other: &Self) -> bool {
        self.action == other.action
    }
}

/// The model's action alone (the Explorer's `recent_path` prints it).
impl<M: Model> fmt::Debug for Offered<M>
where
    M::Action: fmt::Debug,
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.action.fmt(f)
    }
}

/// A model as served to the Explorer: the model, and its properties' conditions, which the
/// served type's own properties call by index.
#[derive(Clone)]
pub struct Explained<M: Model> {
    model: M,
    conditions: Vec<fn(&M, &M::State) -> bool>,
}

impl<M: Model> Explained<M> {
    /// Wraps `model`.
    pub fn new(model: M) -> Self {
        let conditions = model.properties().iter().map(|p| p.condition).collect();
        Explained { model, conditions }
    }

    /// The model.
    pub fn model(&self) -> &M {
        &self.model
    }
}

/// A type the Explorer is served: a model under its registry name.
pub trait Served:
    Model<State = <Self::Inner as Model>::State, Action = Offered<Self::Inner>> + Sized
{
    /// The model.
    type Inner: Explain;
    /// The model and its conditions.
    fn explained(&self) -> &Explained<Self::Inner>;
}

/// The `I`-th property condition of the served model. A property's condition is a plain `fn`
/// of the served type, so each index is its own function.
fn condition<W: Served, const I: usize>(w: &W, s: &W::State) -> bool {
    let e = w.explained();
    (e.conditions[I])(&e.model, s)
}

macro_rules! conditions {
    ($($i:literal)*) => {
        /// The most properties a served model may have.
        const MAX_PROPERTIES: usize = [$($i),*].len();
        fn conditions<W: Served>() -> [fn(&W, &W::State) -> bool; MAX_PROPERTIES] {
            [$(condition::<W, $i>),*]
        }
    };
}

conditions!(
    0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30 31
    32 33 34 35 36 37 38 39 40 41 42 43 44 45 46 47 48 49 50 51 52 53 54 55 56 57 58 59 60 61 62 63
);

/// The served model's properties: the model's, in its order, each calling its condition.
pub fn properties<W: Served>(w: &W) -> Vec<Property<W>> {
    let inner = w.explained().model.properties();
    assert!(
        inner.len() <= MAX_PROPERTIES,
        "a model served to the Explorer has at most {MAX_PROPERTIES} properties"
    );
    inner
        .iter()
        .zip(conditions::<W>())
        .map(|(p, condition)| Property {
            expectation: p.expectation.clone(),
            name: p.name,
            condition,
        })
        .collect()
}

/// The model's actions in `state`, in its order, each with the state.
pub fn offer<M: Model>(model: &M, state: &M::State, out: &mut Vec<Offered<M>>)
where
    M::State: Clone,
{
    let mut actions = Vec::new();
    model.actions(state, &mut actions);
    if actions.is_empty() {
        return;
    }
    let state = Arc::new(state.clone());
    out.extend(actions.into_iter().map(|action| Offered {
        action,
        state: Arc::clone(&state),
    }));
}

/// What the state pane shows after a step: the model's account of the step, then the compact
/// view of the state it leads to (the state's `{:#?}`).
pub fn outcome<M: Model>(model: &M, last: &M::State, action: M::Action) -> Option<String>
where
    M::State: fmt::Debug,
    M::Action: Clone,
{
    let what = model.format_step(last, action.clone()).unwrap_or_default();
    let next = model.next_state(last, action)?;
    Some(format!("{}\n\n{next:#?}", what.trim_end()))
}

/// The model's ladder of a path of the served model.
pub fn svg<M: Model>(model: &M, path: Path<M::State, Offered<M>>) -> Option<String>
where
    M::State: Clone + PartialEq,
    M::Action: PartialEq,
{
    let path = path.into_vec();
    let (first, _) = path.first()?;
    let actions = path
        .iter()
        .filter_map(|(_, a)| a.as_ref().map(|o| &o.action));
    model.as_svg(Path::from_actions(model, first.clone(), actions)?)
}

macro_rules! served {
    ($($(#[$doc:meta])* $name:ident: $inner:ty = $registry:literal;)*) => {
        $(
            $(#[$doc])*
            #[allow(non_camel_case_types)]
            #[derive(Clone)]
            pub struct $name(pub Explained<$inner>);

            impl Served for $name {
                type Inner = $inner;
                fn explained(&self) -> &Explained<$inner> {
                    &self.0
                }
            }

            impl Model for $name {
                type State = <$inner as Model>::State;
                type Action = Offered<$inner>;

                fn init_states(&self) -> Vec<Self::State> {
                    self.0.model.init_states()
                }

                fn actions(&self, state: &Self::State, out: &mut Vec<Self::Action>) {
                    offer(&self.0.model, state, out)
                }

                fn next_state(&self, state: &Self::State, a: Self::Action) -> Option<Self::State> {
                    self.0.model.next_state(state, a.action)
                }

                fn properties(&self) -> Vec<Property<Self>> {
                    properties(self)
                }

                fn format_action(&self, a: &Self::Action) -> String {
                    self.0.model.explain(&a.state, &a.action)
                }

                fn format_step(&self, state: &Self::State, a: Self::Action) -> Option<String> {
                    outcome(&self.0.model, state, a.action)
                }

                fn as_svg(&self, path: Path<Self::State, Self::Action>) -> Option<String> {
                    svg(&self.0.model, path)
                }
            }
        )*

        /// Each registered model's name and the name of the type it is served as, which the
        /// Explorer's status line shows.
        pub const NAMES: &[(&str, &str)] = &[$(($registry, stringify!($name))),*];

        /// Serves `model`, registered as `name`, in stateright's Explorer on `addr` with
        /// `threads` checker threads; never returns. Panics if `name` is not registered here
        /// or is registered for another model type (a test covers the registry).
        pub fn serve<M: Explain + 'static>(
            name: &str,
            model: M,
            threads: usize,
            addr: SocketAddr,
        ) -> ! {
            let model: Box<dyn Any> = Box::new(model);
            $(
                if name == $registry {
                    let model = model
                        .downcast::<$inner>()
                        .unwrap_or_else(|_| panic!("{name} is served as {}", stringify!($inner)));
                    page::serve($name(Explained::new(*model)), threads, addr);
                }
            )*
            panic!("no Explorer type for the model {name}")
        }
    };
}

served! {
    /// `tcp-handshake` in the Explorer.
    tcp_handshake: TcpModel = "tcp-handshake";
    /// `tcp-close` in the Explorer.
    tcp_close: TcpModel = "tcp-close";
    /// `tcp-lifecycle` in the Explorer.
    tcp_lifecycle: TcpModel = "tcp-lifecycle";
    /// `udp` in the Explorer.
    udp: UdpModel = "udp";
    /// `ip` in the Explorer.
    ip: IpModel = "ip";
    /// `icmp` in the Explorer.
    icmp: IcmpModel = "icmp";
    /// `arp` in the Explorer.
    arp: ArpModel = "arp";
    /// `syn-cookie` in the Explorer.
    syn_cookie: CookieModel = "syn-cookie";
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::{HashSet, VecDeque};
    use std::hash::Hash;

    /// What the Explorer would list and show for the first `limit` states of `w`, breadth
    /// first: every action's text, and the state views.
    fn shown<W: Served>(w: &W, limit: usize) -> (Vec<String>, Vec<String>)
    where
        W::State: Clone + Hash + Eq + fmt::Debug,
        <W::Inner as Model>::Action: fmt::Debug + Clone,
    {
        let (mut actions, mut states) = (Vec::new(), Vec::new());
        let mut seen = HashSet::new();
        let mut queue: VecDeque<W::State> = w.init_states().into();
        let mut offered = Vec::new();
        while let Some(s) = queue.pop_front() {
            if !seen.insert(s.clone()) || seen.len() > limit {
                continue;
            }
            states.push(format!("{s:#?}"));
            offered.clear();
            w.actions(&s, &mut offered);
            for a in offered.drain(..) {
                let text = w.format_action(&a);
                assert_ne!(
                    text,
                    format!("{:?}", a.action),
                    "a Debug dump as the action"
                );
                actions.push(text);
                if let Some(outcome) = w.format_step(&s, a.clone()) {
                    assert!(outcome.lines().count() < 45, "{outcome}");
                }
                queue.extend(w.next_state(&s, a));
            }
        }
        (actions, states)
    }

    /// Every state view is compact and contains `must`; some action text equals or starts with
    /// each of `reads`.
    fn check<W: Served>(w: W, must: &[&str], reads: &[&str])
    where
        W::State: Clone + Hash + Eq + fmt::Debug,
        <W::Inner as Model>::Action: fmt::Debug + Clone,
    {
        let (actions, states) = shown(&w, 3_000);
        for s in &states {
            assert!(s.lines().count() < 40, "not compact:\n{s}");
            for m in must {
                assert!(s.contains(m), "{m:?} not in\n{s}");
            }
        }
        for r in reads {
            assert!(
                actions.iter().any(|a| a.starts_with(r)),
                "no action reads {r:?}; some that do read:\n{}",
                actions[..actions.len().min(40)].join("\n")
            );
        }
        let inner: Vec<&str> = w
            .explained()
            .model()
            .properties()
            .iter()
            .map(|p| p.name)
            .collect();
        let served: Vec<&str> = w.properties().iter().map(|p| p.name).collect();
        assert_eq!(inner, served);
    }

    fn tcp() -> crate::tcp::Mechanisms {
        crate::tcp::Mechanisms::default()
    }

    #[test]
    fn tcp_handshake_reads_in_rfc_notation() {
        check(
            tcp_handshake(Explained::new(TcpModel::handshake(tcp()))),
            &["A: ", "B: ", "in flight:"],
            &[
                "A → B <SEQ=100><CTL=SYN>",
                "lose A → B <SEQ=100><CTL=SYN>",
                "A → B <SEQ=100><CTL=SYN> (a duplicate stays in flight)",
                "A: user calls OPEN",
            ],
        );
        // Unreduced, the network duplicates a segment in flight as a step of its own.
        check(
            tcp_handshake(Explained::new(TcpModel::handshake(tcp()).reduced(false))),
            &["A: ", "B: ", "in flight:"],
            &["duplicate A → B <SEQ=100><CTL=SYN>"],
        );
    }

    #[test]
    fn tcp_close_reads_in_rfc_notation() {
        check(
            tcp_close(Explained::new(TcpModel::close(tcp()))),
            &["A: ", "B: ", "in flight:"],
            &[
                "A: user calls CLOSE",
                "A → B <SEQ=",
                "lose A → B <SEQ=",
                "delay ",
            ],
        );
    }

    #[test]
    fn tcp_lifecycle_reads_in_rfc_notation() {
        let b = crate::models::tcp::LifecycleBounds::default();
        check(
            tcp_lifecycle(Explained::new(TcpModel::lifecycle(tcp(), b))),
            &["A: ", "B: ", "budgets:"],
            &["A → B <SEQ=", "B → A <SEQ=", "lose "],
        );
    }

    #[test]
    fn udp_reads_in_rfc_notation() {
        let m = UdpModel::new(crate::udp::Mechanisms {
            discard_bad_checksum: true,
        });
        check(
            udp(Explained::new(m)),
            &["A: sent", "on links:"],
            &[
                "A's application sends datagram 1 of 3 to port 7",
                "A → R1 <SRC=10.0.1.10><DST=10.0.3.20><TTL=4><UDP 4000→7 DATA=1>: datagram 1 of 3",
                "lose A → R1 <SRC=10.0.1.10>",
                "duplicate A → R1 <SRC=10.0.1.10>",
                "corrupt A → R1 <SRC=10.0.1.10>",
                "R1 → R2 <SRC=10.0.1.10><DST=10.0.3.20><TTL=3>",
            ],
        );
    }

    #[test]
    fn ip_reads_in_rfc_notation() {
        check(
            ip(Explained::new(IpModel::new(
                crate::ip::Mechanisms::default(),
            ))),
            &["configuration:", "on links:"],
            &[
                "A → R1 <SRC=10.0.1.10><DST=10.0.3.20><TTL=4><UDP 4000→7 DATA=1>: datagram 1 \
                 (TTL 4) (R1 routes by its table 2)",
                "lose A → R1 <SRC=10.0.1.10>",
                "A sends datagram 1 to B",
            ],
        );
    }

    #[test]
    fn icmp_reads_in_rfc_notation() {
        check(
            icmp(Explained::new(IcmpModel::new(
                crate::icmp::Mechanisms::default(),
            ))),
            &["scenario:", "A's echo client:", "on links:"],
            &[
                "A's client sends Echo Request <ID=0x77><SEQ=1> to B",
                "A → R1 <SRC=10.0.1.10><DST=10.0.3.20><TTL=4><ICMP ECHO ID=0x77 SEQ=1>: Echo \
                 Request",
                "R1 → R2 <SRC=10.0.2.1><DST=10.0.1.10><TTL=4><ICMP NET UNREACHABLE><ABOUT \
                 10.0.1.10→10.0.9.9 ICMP>",
                "duplicate A → R1",
            ],
        );
    }

    #[test]
    fn arp_reads_in_rfc_notation() {
        let m = ArpModel {
            mech: crate::arp::Mechanisms::default(),
        };
        check(
            arp(Explained::new(m)),
            &["A (10.0.0.1): entry for 10.0.0.2:", "on the link"],
            &[
                "A → B <OP=REQUEST><SHA=A><SPA=10.0.0.1><TPA=10.0.0.2>",
                "lose A → B <OP=REQUEST>",
                "B → A <OP=REPLY><SHA=B><SPA=10.0.0.2><THA=A><TPA=10.0.0.1>",
                "M → A <OP=REPLY><SHA=M><SPA=10.0.0.2><THA=A><TPA=10.0.0.1> (forged)",
                "tick 1",
            ],
        );
    }

    #[test]
    fn syn_cookie_reads_in_rfc_notation() {
        let m = CookieModel {
            rules: crate::tcp::syncookie::CookieRules {
                verify_mac: true,
                reject_old_slots: true,
            },
        };
        check(
            syn_cookie(Explained::new(m)),
            &[
                "scenario: ",
                "A: ",
                "B: ",
                "B's cookie counter: slot ",
                "budgets: ",
            ],
            &[
                "A → B <SEQ=4294967280><CTL=SYN>",
                "lose A → B <SEQ=4294967280><CTL=SYN>",
                "duplicate A → B <SEQ=4294967280><CTL=SYN>",
                "B → A <SEQ=",
                "X → B <SEQ=1342177281><ACK=",
                "B's cookie counter advances to 101",
                "A: retransmission timer expires",
            ],
        );
    }

    /// The Explorer's status line shows the served type's name without its module path
    /// (stateright's `ui/app.js` strips `[0-9A-Za-z_]+::`): each model's registry name.
    #[test]
    fn every_registered_model_is_served_under_its_own_name() {
        let shown = |t: &str| t.rsplit("::").next().unwrap().to_string();
        let types = [
            shown(std::any::type_name::<tcp_handshake>()),
            shown(std::any::type_name::<tcp_close>()),
            shown(std::any::type_name::<tcp_lifecycle>()),
            shown(std::any::type_name::<udp>()),
            shown(std::any::type_name::<ip>()),
            shown(std::any::type_name::<icmp>()),
            shown(std::any::type_name::<arp>()),
            shown(std::any::type_name::<syn_cookie>()),
        ];
        let registry: Vec<&str> = crate::models::registry().iter().map(|m| m.name).collect();
        let names: Vec<&str> = NAMES.iter().map(|(n, _)| *n).collect();
        assert_eq!(registry, names);
        for ((name, ty), shown) in NAMES.iter().zip(&types) {
            assert_eq!(name.replace('-', "_"), *ty);
            assert_eq!(ty, shown);
        }
    }
}
