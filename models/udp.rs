//! `udp`: a message split into three datagrams, sent by host A's application to the port B's
//! application has bound, crosses an internet of two routers over two routes of different
//! length (A-R1-B and A-R1-R2-B: R1's route to B flaps between two tables); a fourth datagram
//! goes to a port nobody has bound. Links keep order but may lose, duplicate or corrupt one
//! datagram each. Every protocol decision is the crate's: `ip::output` and `ip::receive` route,
//! forward and deliver, `ip::demux_protocol` hands the datagram to UDP, `udp::verify_checksum`
//! judges the checksum, `udp::receive` demultiplexes by port or says the port is unreachable,
//! and `icmp::error_about` decides whether B may report it (RFC 768; RFC 1122 §4.1.3.1,
//! §4.1.3.4, §3.2.2).
//!
//! Seed claim S10 ("UDP does not guarantee order, does not confirm receipt") and hazards U1
//! and U2: the checker *finds* reordering, duplication and loss, and the property `in-order`
//! is expected to fail; its counterexample is the proof. Datagram boundaries and contents are
//! kept (`datagram-integrity`) because a corrupted datagram fails the checksum and is
//! discarded; switch that off (`--without discard-bad-checksum`) and a corrupted datagram
//! reaches the application.
//!
//! A corrupting link flips one bit of a datagram's data. The checksum is computed with the wire
//! codec's RFC 1071 arithmetic over the pseudo-header, header and data; a one-bit error always
//! changes the one's complement sum, so the receiver's verdict is `Invalid`.

use super::diagram::{self, Log};
use super::explorer::Explain;
use super::inet::{self, Body, Fate, Flight, Internet, NetAction, Packet, Routing, st};
use super::runner::{Render, RunOptions};
use super::table::{self, Prop};
use super::{Ablation, Kind, ModelSpec, run_spec};
use crate::icmp::{self, ErrorKind, Unreachable};
use crate::ip::{self, IpProtocol, Upper};
use crate::udp::{self, Datagram, PortTable, Receive, SocketId};
use crate::wire;
use stateright::{Model, Path, Property};
use std::fmt;
use std::net::Ipv4Addr;

/// The port B's application has bound.
pub const BOUND_PORT: u16 = 7;
/// A port nobody has bound.
pub const CLOSED_PORT: u16 = 9;
/// A's source port.
pub const SRC_PORT: u16 = 4000;
/// Datagrams of the message.
pub const PARTS: u16 = 3;
/// The bit a corrupting link flips.
pub const FLIPPED_BIT: u16 = 0x0100;

/// The datagram A's application sends `n`-th (1-based): parts 1..=3 of the message to the
/// bound port, then one to the closed port. Its payload is its number.
pub fn datagram(n: u8) -> Datagram<u16> {
    let dst_port = if u16::from(n) <= PARTS {
        BOUND_PORT
    } else {
        CLOSED_PORT
    };
    Datagram {
        src_port: SRC_PORT,
        dst_port,
        payload: u16::from(n),
    }
}

/// The checksum the receiver computes (and the sender puts in the field, RFC 768): over the
/// pseudo-header of `src` and `dst`, the header with a zero checksum field and the data, with
/// the wire codec's RFC 1071 arithmetic. The payload travels as two octets, big-endian.
pub fn computed_checksum(src: Ipv4Addr, dst: Ipv4Addr, d: &Datagram<u16>) -> u16 {
    let data = d.payload.to_be_bytes();
    let repr = wire::udp::Repr {
        src_port: d.src_port,
        dst_port: d.dst_port,
        payload_len: data.len(),
    };
    let bytes = repr.to_bytes(&data, src, dst);
    wire::udp::Packet::new_unchecked(&bytes[..]).computed_checksum(src, dst)
}

/// The state. Its `Debug` is the compact view the Explorer shows.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct World {
    /// Datagrams A's application has sent.
    pub sent: u8,
    /// Packets on links.
    pub net: Vec<Flight>,
    /// What B's application received, in order, with the socket it came on.
    pub delivered: Vec<(SocketId, Datagram<u16>)>,
    /// ICMP errors A received: kind and the ghost number of the datagram quoted.
    pub reported: Vec<(ErrorKind, u8)>,
    /// B's UDP discarded a datagram for its bad checksum.
    pub discarded: bool,
    /// Losses left.
    pub losses: u8,
    /// Duplications left.
    pub dups: u8,
    /// Corruptions left.
    pub corruptions: u8,
}

/// What can happen next.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum Action {
    /// A's application sends its next datagram.
    Send,
    /// Something happens on a link.
    Net(NetAction),
    /// The link flips a bit of the UDP datagram at this index (a link head).
    Corrupt(usize),
}

/// The UDP model.
#[derive(Clone)]
pub struct UdpModel {
    /// The internet and the mechanisms in force.
    pub net: Internet,
    /// B's port table.
    pub ports: PortTable,
}

impl UdpModel {
    /// The model with the given mechanisms.
    pub fn new(udp: udp::Mechanisms) -> UdpModel {
        let mut ports = PortTable::new();
        ports
            .bind(BOUND_PORT, SocketId(1))
            .expect("a fresh table binds");
        UdpModel {
            net: Internet {
                topo: inet::two_routers(Routing::TwoPaths),
                ip: ip::Mechanisms::default(),
                icmp: icmp::Mechanisms::default(),
                udp,
                ttl: 4,
                hops_cap: 5,
            },
            ports,
        }
    }

    /// A packet in words.
    pub fn label(p: &Packet) -> String {
        match &p.body {
            Body::Udp { datagram: d, .. } => {
                let bad = if d.payload != datagram(p.id).payload {
                    " (corrupted)"
                } else {
                    ""
                };
                if d.dst_port == BOUND_PORT {
                    format!("datagram {} of {PARTS}{bad}", p.id)
                } else {
                    format!("the datagram to port {}{bad}", d.dst_port)
                }
            }
            Body::Error { kind, quote } => {
                format!(
                    "ICMP {} about datagram {}",
                    inet::kind_name(*kind),
                    quote.id
                )
            }
            Body::Echo { .. } => "an echo message".to_string(),
        }
    }

    /// The upper layers of station `at` take `pkt`.
    fn deliver(&self, w: &mut World, at: u8, pkt: Packet, log: &mut Log) {
        let node = self.net.topo.node(at, 0);
        let rcv = pkt.received();
        let upper = ip::demux_protocol(
            node,
            &rcv,
            &[IpProtocol::Udp, IpProtocol::Icmp],
            &self.net.icmp,
        );
        match (at, upper, pkt.body.clone()) {
            (st::B, Upper::Protocol(IpProtocol::Udp), Body::Udp { datagram, checksum }) => {
                let computed = computed_checksum(pkt.src, pkt.dst, &datagram);
                let verdict = udp::verify_checksum(checksum, computed);
                match udp::receive(&self.ports, datagram, verdict, &self.net.udp) {
                    Receive::Deliver { socket, datagram } => {
                        log.say(|| format!("B's socket on port {} gets it", datagram.dst_port));
                        w.delivered.push((socket, datagram));
                    }
                    Receive::PortUnreachable => {
                        let kind = ErrorKind::DestUnreachable(Unreachable::Port);
                        match icmp::error_about(&node.offending(&rcv), kind, &self.net.icmp) {
                            Some(e) => {
                                let sent = self.net.error(at, 0, e.to, e.kind, &pkt);
                                Internet::place(&mut w.net, &sent);
                                log.say(|| "no socket: B sends ICMP port unreachable".into());
                            }
                            None => log.say(|| "no socket; no ICMP error allowed".into()),
                        }
                    }
                    Receive::Discard(why) => {
                        w.discarded = true;
                        log.say(|| format!("UDP discards it silently ({why:?})"));
                    }
                }
            }
            (st::A, Upper::Protocol(IpProtocol::Icmp), Body::Error { kind, quote }) => {
                w.reported.push((kind, quote.id));
                w.reported.sort();
                log.say(|| "A's UDP learns of the error (RFC 1122 §4.1.3.3)".into());
            }
            _ => log.say(|| "nobody takes it".into()),
        }
    }

    /// One transition, narrated into `log`.
    pub fn step(&self, w: &World, action: Action, log: &mut Log) -> Option<World> {
        let mut n = w.clone();
        match action {
            Action::Send => {
                n.sent += 1;
                let d = datagram(n.sent);
                let body = Body::Udp {
                    datagram: d.clone(),
                    checksum: 0,
                };
                let mut sent = self
                    .net
                    .originate(st::A, 0, Ipv4Addr::from(inet::B), body, n.sent);
                if let inet::Sent::Link(f) = &mut sent {
                    let sum = computed_checksum(f.pkt.src, f.pkt.dst, &d);
                    f.pkt.body = Body::Udp {
                        datagram: d,
                        checksum: udp::transmitted_checksum(Some(sum)),
                    };
                    let to = self.net.topo.name(f.to);
                    log.say(|| format!("A sends {} to {to}", Self::label(&f.pkt)));
                }
                Internet::place(&mut n.net, &sent);
            }
            Action::Corrupt(i) => {
                if let Body::Udp { datagram, .. } = &mut n.net[i].pkt.body {
                    datagram.payload ^= FLIPPED_BIT;
                }
                n.corruptions -= 1;
                let f = &w.net[i];
                let (a, b) = (self.net.topo.name(f.from), self.net.topo.name(f.to));
                log.say(|| format!("the link {a}->{b} flips a bit of {}", Self::label(&f.pkt)));
            }
            Action::Net(a) => {
                let label = |p: &Packet| Self::label(p);
                let budgets = (&mut n.losses, &mut n.dups);
                let fate = self.net.apply(&mut n.net, budgets, a, log, &label);
                if let Some((at, Fate::Delivered(p))) = fate {
                    self.deliver(&mut n, at, p, log);
                }
            }
        }
        Some(n)
    }
}

impl Model for UdpModel {
    type State = World;
    type Action = Action;

    fn init_states(&self) -> Vec<World> {
        vec![World {
            sent: 0,
            net: Vec::new(),
            delivered: Vec::new(),
            reported: Vec::new(),
            discarded: false,
            losses: 1,
            dups: 1,
            corruptions: 1,
        }]
    }

    fn actions(&self, w: &World, out: &mut Vec<Action>) {
        if u16::from(w.sent) <= PARTS {
            out.push(Action::Send);
        }
        let mut net = Vec::new();
        self.net.net_actions(&w.net, w.losses, w.dups, &mut net);
        out.extend(net.into_iter().map(Action::Net));
        if w.corruptions > 0 {
            for (i, f) in w.net.iter().enumerate() {
                if inet::is_head(&w.net, i) && matches!(f.pkt.body, Body::Udp { .. }) {
                    out.push(Action::Corrupt(i));
                }
            }
        }
    }

    fn next_state(&self, w: &World, action: Action) -> Option<World> {
        self.step(w, action, &mut Log::off())
    }

    fn properties(&self) -> Vec<Property<Self>> {
        table::properties(PROPS)
    }

    fn format_action(&self, action: &Action) -> String {
        match *action {
            Action::Send => "A's application sends its next datagram".to_string(),
            Action::Net(a) => inet::net_action_text(a),
            Action::Corrupt(i) => format!("a link flips a bit of packet #{}", i + 1),
        }
    }

    fn format_step(&self, last: &World, action: Action) -> Option<String> {
        let mut log = Log::on();
        self.step(last, action, &mut log);
        Some(log.text())
    }

    fn as_svg(&self, path: Path<World, Action>) -> Option<String> {
        Some(svg(self, &path.into_vec()))
    }
}

fn svg(m: &UdpModel, path: &[(World, Option<Action>)]) -> String {
    let mut off = Vec::new();
    if !m.net.udp.discard_bad_checksum {
        off.push("discard-bad-checksum");
    }
    let budgets = path.first().map_or(String::new(), |(w, _)| {
        format!(
            "bounds: losses {}, dups {}, corruptions {}",
            w.losses, w.dups, w.corruptions
        )
    });
    let l = inet::ladder(inet::LadderInput {
        title: "udp: a message in three datagrams over two routes (RFC 768, RFC 1122 §4.1)"
            .to_string(),
        header: vec![TITLE.to_string(), budgets, diagram::off_line(&off)],
        topo: &m.net.topo,
        path,
        net: &|w: &World| &w.net,
        op: &|_, a| match a {
            Action::Send => inet::Op::User,
            Action::Net(n) => inet::Op::of(n),
            Action::Corrupt(i) => inet::Op::Change(i),
        },
        narrate: &|w, a| {
            let mut log = Log::on();
            m.step(w, a, &mut log);
            log.lines()
        },
        label: &UdpModel::label,
        footer: &|w| diagram::table_verdicts(m, PROPS, w),
    });
    diagram::svg(&l)
}

impl Explain for UdpModel {
    fn explain(&self, w: &World, action: &Action) -> String {
        match *action {
            Action::Send => {
                let d = datagram(w.sent + 1);
                format!(
                    "A's application sends {} to port {}",
                    if d.dst_port == BOUND_PORT {
                        format!("datagram {} of {PARTS}", w.sent + 1)
                    } else {
                        "a datagram".to_string()
                    },
                    d.dst_port
                )
            }
            Action::Net(a) => self.net.explain(&w.net, a, &UdpModel::label),
            Action::Corrupt(i) => {
                format!("corrupt {}", inet::flight_text(&w.net[i], &UdpModel::label))
            }
        }
    }
}

impl fmt::Debug for World {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let got: Vec<String> = self
            .delivered
            .iter()
            .map(|(s, d)| format!("{} (port {}, socket {})", d.payload, d.dst_port, s.0))
            .collect();
        let errors: Vec<String> = self
            .reported
            .iter()
            .map(|(k, id)| format!("{} about datagram {id}", inet::kind_name(*k)))
            .collect();
        let list = |v: &[String]| {
            if v.is_empty() {
                "nothing".to_string()
            } else {
                v.join(", ")
            }
        };
        writeln!(
            f,
            "A: sent {} of {} datagrams; ICMP errors received: {}",
            self.sent,
            PARTS + 1,
            list(&errors)
        )?;
        writeln!(f, "B: application received {}", list(&got))?;
        if self.discarded {
            writeln!(
                f,
                "facts: corruption-discarded (B's UDP dropped a bad checksum)"
            )?;
        }
        writeln!(f, "{}", inet::links_text(&self.net, &UdpModel::label))?;
        write!(
            f,
            "budgets: losses {}, dups {}, corruptions {}",
            self.losses, self.dups, self.corruptions
        )
    }
}

/// What the model shows.
const TITLE: &str = "A sends datagrams 1-3 to B:7 and one to B:9, via R1 (short) or R1-R2 (long)";

impl Render for UdpModel {
    fn render(&self, path: &[(World, Option<Action>)]) -> Vec<String> {
        let steps = path
            .iter()
            .filter_map(|(w, a)| a.and_then(|a| self.format_step(w, a)));
        diagram::numbered(TITLE, steps)
    }
}

/// The parts of the message B's application received, in order, genuine ones only.
fn parts(w: &World) -> impl Iterator<Item = u16> + '_ {
    w.delivered
        .iter()
        .map(|(_, d)| d.payload)
        .filter(|p| (1..=PARTS).contains(p))
}

fn reordered(w: &World) -> bool {
    let mut highest = 0;
    parts(w).any(|p| {
        let late = p < highest;
        highest = highest.max(p);
        late
    })
}

const PROPS: &[Prop<UdpModel>] = &[
    Prop {
        kind: Kind::Always,
        name: "datagram-integrity",
        meaning: "every datagram B's application receives is one A sent, whole and unchanged, \
                  to the port that application bound",
        condition: |m, w| {
            w.delivered.iter().all(|(socket, d)| {
                let port = m.ports.iter().find(|(_, s)| s == socket).map(|(p, _)| p);
                port == Some(d.dst_port) && (1..=w.sent).any(|n| datagram(n) == *d)
            })
        },
    },
    Prop {
        kind: Kind::Always,
        name: "in-order",
        meaning: "B's application receives the message's datagrams in the order A sent them",
        condition: |_, w| !reordered(w),
    },
    Prop {
        kind: Kind::Sometimes,
        name: "reordered",
        meaning: "a datagram reaches B's application after one A sent later",
        condition: |_, w| reordered(w),
    },
    Prop {
        kind: Kind::Sometimes,
        name: "duplicated",
        meaning: "B's application receives the same datagram twice",
        condition: |_, w| (1..=PARTS).any(|p| parts(w).filter(|q| *q == p).count() > 1),
    },
    Prop {
        kind: Kind::Sometimes,
        name: "lost",
        meaning: "a datagram A sent to the bound port is gone: no copy on any link, never \
                  received, and nobody told A",
        condition: |_, w| {
            (1..=w.sent.min(PARTS as u8)).any(|n| {
                !w.net.iter().any(|f| f.pkt.id == n)
                    && !parts(w).any(|p| p == u16::from(n))
                    && !w.reported.iter().any(|(_, id)| *id == n)
            })
        },
    },
    Prop {
        kind: Kind::Sometimes,
        name: "corruption-discarded",
        meaning: "a datagram corrupted on a link fails B's checksum and is silently discarded",
        condition: |_, w| w.discarded,
    },
    Prop {
        kind: Kind::Sometimes,
        name: "port-unreachable-reported",
        meaning: "A receives ICMP port unreachable about the datagram to the closed port",
        condition: |_, w| {
            w.reported.iter().any(|(k, id)| {
                *k == ErrorKind::DestUnreachable(Unreachable::Port) && u16::from(*id) == PARTS + 1
            })
        },
    },
];

fn model(without: &[&'static str]) -> UdpModel {
    UdpModel::new(udp::Mechanisms {
        discard_bad_checksum: !without.contains(&"discard-bad-checksum"),
    })
}

/// The registry entry.
pub const SPEC: ModelSpec = ModelSpec {
    name: "udp",
    summary: "RFC 768 / RFC 1122 §4.1: three datagrams over two routes of different length with \
              loss, duplication and corruption, one more to a closed port (claim S10)",
    properties: || table::infos(PROPS),
    ablations: &[Ablation {
        mechanism: "discard-bad-checksum",
        breaks: "datagram-integrity",
        also_breaks: &[],
        hides: &["corruption-discarded"],
        reveals: &[],
        reference: "RFC 1122 §4.1.3.4 (MUST discard a bad checksum); RFC 768",
        hazard: "a datagram corrupted on a link reaches the application as if A had sent it",
        bounds: crate::models::Bounds::NONE,
    }],
    expect_violated: &["in-order"],
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
