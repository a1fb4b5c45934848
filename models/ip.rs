//! `ip`: host A sends datagrams through routers R1 and R2 (RFC 791; RFC 1122 §3). In the first
//! configuration R1's route to B flaps between two tables, so B can be reached over a short
//! path (A-R1-B) or a long one (A-R1-R2-B); A sends two datagrams to B and a third to an
//! address no router has a route for. In the second configuration (a second initial state)
//! R1 and R2 each route B's address to the other: a routing loop, and A sends one datagram to
//! B. Datagrams leave A with TTL 4, a small stand-in for the default of 64 (RFC 1122 §3.2.1.7
//! leaves it configurable). A link keeps order and may lose one datagram.
//!
//! Every decision is the crate's: `ip::output` picks A's next hop, `ip::receive` delivers,
//! forwards (decrementing TTL) or drops at each station, and `icmp::error_about` decides the
//! error a router reports (RFC 792 net unreachable, time exceeded). Seed claims S11 (two
//! routes: arrival out of order is found), S12 (`delivered-to-owner`), S13 (best effort: loss
//! without any report is found, and ICMP reports some failures); hazards I1 (`--without ttl`:
//! the datagram circles the loop for ever) and I3 (`--without deliver-by-address`: a router
//! takes a datagram for B as its own).
//!
//! Ghost tags: each datagram carries the number A gave it and the count of links it crossed
//! (saturating one above the TTL, so that an endless loop is a finite cycle of states).

use super::diagram::{self, Log};
use super::explorer::Explain;
use super::inet::{self, Body, Fate, Flight, Internet, NetAction, Packet, Routing, st};
use super::runner::{Render, RunOptions};
use super::table::{self, Prop};
use super::{Ablation, Kind, ModelSpec, run_spec};
use crate::icmp::{self, ErrorKind, TimeExceeded, Unreachable};
use crate::ip;
use crate::udp::Datagram;
use stateright::{Model, Path, Property};
use std::fmt;
use std::net::Ipv4Addr;

/// TTL of datagrams A originates (and of the errors routers originate).
pub const TTL: u8 = 4;

/// The state. Its `Debug` is the compact view the Explorer shows.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct World {
    /// Which configuration: 0 two paths, 1 routing loop.
    pub config: u8,
    /// Datagrams A has sent.
    pub sent: u8,
    /// Packets on links.
    pub net: Vec<Flight>,
    /// Local deliveries, in order: station, ghost number, destination address.
    pub delivered: Vec<(u8, u8, Ipv4Addr)>,
    /// ICMP errors A received: kind and the number of the datagram quoted.
    pub reported: Vec<(ErrorKind, u8)>,
    /// Numbers of A's datagrams a link destroyed.
    pub lost: Vec<u8>,
    /// Losses left.
    pub losses: u8,
}

/// What can happen next.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum Action {
    /// A sends its next datagram.
    Send,
    /// Something happens on a link.
    Net(NetAction),
}

/// The IP model: the two configurations of the internet.
#[derive(Clone)]
pub struct IpModel {
    /// Two paths, then the routing loop.
    pub configs: [Internet; 2],
}

/// Destinations of A's datagrams in each configuration.
const DESTINATIONS: [&[[u8; 4]]; 2] = [&[inet::B, inet::B, inet::NOWHERE], &[inet::B]];

impl IpModel {
    /// The model with the given mechanisms.
    pub fn new(mech: ip::Mechanisms) -> IpModel {
        let make = |routing| Internet {
            topo: inet::two_routers(routing),
            ip: mech,
            icmp: icmp::Mechanisms::default(),
            udp: Default::default(),
            ttl: TTL,
            hops_cap: TTL + 1,
        };
        IpModel {
            configs: [make(Routing::TwoPaths), make(Routing::Loop)],
        }
    }

    fn inet(&self, w: &World) -> &Internet {
        &self.configs[usize::from(w.config)]
    }

    /// A packet in words.
    pub fn label(p: &Packet) -> String {
        match &p.body {
            Body::Error { kind, quote } => {
                format!(
                    "ICMP {} about datagram {}",
                    inet::kind_name(*kind),
                    quote.id
                )
            }
            _ => format!("datagram {} (TTL {})", p.id, p.ttl),
        }
    }

    /// One transition, narrated into `log`.
    pub fn step(&self, w: &World, action: Action, log: &mut Log) -> Option<World> {
        let mut n = w.clone();
        let inet = self.inet(w);
        match action {
            Action::Send => {
                let dst = Ipv4Addr::from(DESTINATIONS[usize::from(w.config)][usize::from(w.sent)]);
                n.sent += 1;
                let datagram = Datagram {
                    src_port: 4000,
                    dst_port: 7,
                    payload: u16::from(n.sent),
                };
                let body = Body::Udp {
                    datagram,
                    checksum: 0,
                };
                let sent = inet.originate(st::A, 0, dst, body, n.sent);
                log.say(|| format!("A sends datagram {} to {}", n.sent, inet.topo.show(dst)));
                Internet::place(&mut n.net, &sent);
            }
            Action::Net(a) => {
                if let NetAction::Lose(i) = a
                    && !w.net[i].pkt.is_error()
                {
                    n.lost.push(w.net[i].pkt.id);
                    n.lost.sort();
                }
                let label = |p: &Packet| Self::label(p);
                let fate = inet.apply(&mut n.net, (&mut n.losses, &mut 0), a, log, &label);
                if let Some((at, Fate::Delivered(p))) = fate {
                    n.delivered.push((at, p.id, p.dst));
                    if let (st::A, Body::Error { kind, quote }) = (at, &p.body) {
                        n.reported.push((*kind, quote.id));
                        n.reported.sort();
                    }
                }
            }
        }
        Some(n)
    }
}

impl Model for IpModel {
    type State = World;
    type Action = Action;

    fn init_states(&self) -> Vec<World> {
        (0..2)
            .map(|config| World {
                config,
                sent: 0,
                net: Vec::new(),
                delivered: Vec::new(),
                reported: Vec::new(),
                lost: Vec::new(),
                losses: 1,
            })
            .collect()
    }

    fn actions(&self, w: &World, out: &mut Vec<Action>) {
        if usize::from(w.sent) < DESTINATIONS[usize::from(w.config)].len() {
            out.push(Action::Send);
        }
        let mut net = Vec::new();
        self.inet(w).net_actions(&w.net, w.losses, 0, &mut net);
        out.extend(net.into_iter().map(Action::Net));
    }

    fn next_state(&self, w: &World, action: Action) -> Option<World> {
        self.step(w, action, &mut Log::off())
    }

    fn properties(&self) -> Vec<Property<Self>> {
        table::properties(PROPS)
    }

    fn format_action(&self, action: &Action) -> String {
        match *action {
            Action::Send => "A sends its next datagram".to_string(),
            Action::Net(a) => inet::net_action_text(a),
        }
    }

    fn format_step(&self, last: &World, action: Action) -> Option<String> {
        let mut log = Log::on();
        self.step(last, action, &mut log);
        Some(log.text())
    }

    fn as_svg(&self, path: Path<World, Action>) -> Option<String> {
        let path = path.into_vec();
        let first = path.first().map(|(w, _)| w)?;
        let inet = self.inet(first);
        let mut off = Vec::new();
        if !inet.ip.ttl {
            off.push("ttl");
        }
        if !inet.ip.deliver_by_address {
            off.push("deliver-by-address");
        }
        let l = inet::ladder(inet::LadderInput {
            title: "ip: forwarding, TTL and local delivery (RFC 791, RFC 1122 §3.2)".to_string(),
            header: vec![
                scenario(first.config).to_string(),
                format!("bounds: losses {}, TTL {TTL}", first.losses),
                diagram::off_line(&off),
            ],
            topo: &inet.topo,
            path: &path,
            net: &|w: &World| &w.net,
            op: &|_, a| match a {
                Action::Send => inet::Op::User,
                Action::Net(n) => inet::Op::of(n),
            },
            narrate: &|w, a| {
                let mut log = Log::on();
                self.step(w, a, &mut log);
                log.lines()
            },
            label: &IpModel::label,
            footer: &|w| diagram::table_verdicts(self, PROPS, w),
        });
        Some(diagram::svg(&l))
    }
}

impl Explain for IpModel {
    fn explain(&self, w: &World, action: &Action) -> String {
        match *action {
            Action::Send => {
                let dst = DESTINATIONS[usize::from(w.config)][usize::from(w.sent)];
                let dst = self.inet(w).topo.show(Ipv4Addr::from(dst));
                format!("A sends datagram {} to {dst}", w.sent + 1)
            }
            Action::Net(a) => self.inet(w).explain(&w.net, a, &IpModel::label),
        }
    }
}

impl fmt::Debug for World {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let list = |v: Vec<String>| {
            if v.is_empty() {
                "nothing".to_string()
            } else {
                v.join(", ")
            }
        };
        writeln!(f, "configuration: {}", scenario(self.config))?;
        let errors = self
            .reported
            .iter()
            .map(|(k, id)| format!("{} about datagram {id}", inet::kind_name(*k)))
            .collect();
        writeln!(
            f,
            "A: sent {} of {} datagrams; ICMP errors received: {}",
            self.sent,
            DESTINATIONS[usize::from(self.config)].len(),
            list(errors)
        )?;
        let delivered = self
            .delivered
            .iter()
            .map(|(at, id, dst)| format!("#{id} at {} (for {dst})", inet::station(*at)))
            .collect();
        writeln!(f, "delivered: {}", list(delivered))?;
        let lost = self.lost.iter().map(|id| format!("#{id}")).collect();
        writeln!(f, "lost on a link: {}", list(lost))?;
        writeln!(f, "{}", inet::links_text(&self.net, &IpModel::label))?;
        write!(f, "budgets: losses {}", self.losses)
    }
}

/// What a configuration shows.
fn scenario(config: u8) -> &'static str {
    match config {
        1 => "routing loop: R1 routes B via R2, R2 routes B via R1; TTL 4",
        _ => "two paths to B (A-R1-B, A-R1-R2-B) and no route to 10.0.9.9; TTL 4",
    }
}

impl Render for IpModel {
    fn render(&self, path: &[(World, Option<Action>)]) -> Vec<String> {
        let title = scenario(path.first().map_or(0, |(w, _)| w.config));
        let steps = path
            .iter()
            .filter_map(|(w, a)| a.and_then(|a| self.format_step(w, a)));
        diagram::numbered(title, steps)
    }
}

fn reported(w: &World, kind: ErrorKind) -> bool {
    w.reported.iter().any(|(k, _)| *k == kind)
}

const PROPS: &[Prop<IpModel>] = &[
    Prop {
        kind: Kind::Always,
        name: "delivered-to-owner",
        meaning: "a datagram is only delivered to the station that owns its destination \
                  address (claim S12)",
        condition: |m, w| {
            let topo = &m.inet(w).topo;
            w.delivered
                .iter()
                .all(|(at, _, dst)| topo.station_of(*dst) == Some(*at))
        },
    },
    Prop {
        kind: Kind::Always,
        name: "no-endless-forwarding",
        meaning: "no datagram crosses more links than its initial TTL: each is delivered, \
                  dropped or reported within its lifetime",
        condition: |_, w| w.net.iter().all(|f| f.pkt.hops <= TTL),
    },
    Prop {
        kind: Kind::Sometimes,
        name: "out-of-order-arrival",
        meaning: "B receives datagram 2 before datagram 1, which took the other route (S11)",
        condition: |_, w| {
            let at_b = |id| w.delivered.iter().position(|d| (d.0, d.1) == (st::B, id));
            matches!((at_b(2), at_b(1)), (Some(two), Some(one)) if two < one)
        },
    },
    Prop {
        kind: Kind::Sometimes,
        name: "time-exceeded-reported",
        meaning: "a router drops a datagram whose TTL ran out in the loop and A receives ICMP \
                  time exceeded",
        condition: |_, w| reported(w, ErrorKind::TimeExceeded(TimeExceeded::InTransit)),
    },
    Prop {
        kind: Kind::Sometimes,
        name: "net-unreachable-reported",
        meaning: "R1 has no route for a destination and A receives ICMP net unreachable",
        condition: |_, w| reported(w, ErrorKind::DestUnreachable(Unreachable::Net)),
    },
    Prop {
        kind: Kind::Sometimes,
        name: "lost",
        meaning: "a link destroys a datagram and nobody tells A: best effort (S13)",
        condition: |_, w| {
            w.lost.iter().any(|id| {
                !w.reported.iter().any(|(_, q)| q == id) && !w.delivered.iter().any(|d| d.1 == *id)
            })
        },
    },
];

fn model(without: &[&'static str]) -> IpModel {
    IpModel::new(ip::Mechanisms {
        ttl: !without.contains(&"ttl"),
        deliver_by_address: !without.contains(&"deliver-by-address"),
    })
}

/// The registry entry.
pub const SPEC: ModelSpec = ModelSpec {
    name: "ip",
    summary: "RFC 791 / RFC 1122 §3: delivery by address, forwarding with TTL over two routes \
              of different length and over a routing loop, ICMP errors, loss (S11-S13)",
    properties: || table::infos(PROPS),
    ablations: &[
        Ablation {
            mechanism: "ttl",
            breaks: "no-endless-forwarding",
            also_breaks: &[],
            hides: &["time-exceeded-reported"],
            reveals: &[],
            reference: "RFC 791 §3.2 (Time to Live); RFC 1122 §3.2.1.7",
            hazard: "caught in a routing loop, a datagram circles between R1 and R2 for ever",
            bounds: crate::models::Bounds::NONE,
        },
        Ablation {
            mechanism: "deliver-by-address",
            breaks: "delivered-to-owner",
            also_breaks: &[],
            hides: &[
                "out-of-order-arrival",
                "time-exceeded-reported",
                "net-unreachable-reported",
            ],
            reveals: &[],
            reference: "RFC 791 §3.2 (Addressing); RFC 1122 §3.2.1.3",
            hazard: "a router takes a datagram addressed to B as its own",
            bounds: crate::models::Bounds::NONE,
        },
    ],
    expect_violated: &[],
    bounds: &[],
    premises: crate::models::any_bounds,
    check: |without, _, opts: RunOptions| {
        run_spec(
            &SPEC,
            without,
            crate::models::Bounds::NONE,
            model(without),
            opts,
        )
    },
};
