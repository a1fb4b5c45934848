//! The internet shared by the `udp`, `ip` and `icmp` models: stations (hosts and routers, each
//! an [`ip::Node`]), links between them, packets with ghost tags, and the two things that
//! happen to a packet at a station. A station *originates* a packet: [`ip::output`] picks the
//! interface and next hop, and [`ip::Node::address_on`] the source address. A station
//! *receives* a packet: [`ip::receive`] delivers, forwards or drops it, and when it drops it
//! the ICMP error that RFC 1122 §3.2.2 allows is originated in turn.
//!
//! The model decides only what the environment does: which packet at the head of a link
//! arrives next, whether a link loses or duplicates it, and, at a router given several routing
//! tables, which table is in force for this one decision (a route that flaps, or load spread
//! over two paths). A link delivers in order (FIFO), so datagrams overtake one another only by
//! taking different routes (claim S11). The link layer is abstract: a frame for the next hop X
//! reaches the station that has X on an interface, which is what ARP resolves (the `arp` model
//! checks resolution itself).

use crate::icmp::{self, EchoId, ErrorKind, types};
use crate::ip::{self, Decision, DropReason, IpProtocol, Output, Received};
use crate::udp::{self, Datagram};
use std::net::Ipv4Addr;

mod topology;
mod view;

use super::diagram::Log;
pub use topology::{A, B, NOWHERE, Routing, Station, Topology, node, st, two_routers};
pub use view::{flight_text, links_text, station};

/// The header of a datagram quoted in an ICMP error (RFC 792), with its ghost number.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, PartialOrd, Ord)]
pub struct Quote {
    /// Source address of the offending datagram.
    pub src: Ipv4Addr,
    /// Its destination address.
    pub dst: Ipv4Addr,
    /// Its protocol.
    pub protocol: IpProtocol,
    /// Its ICMP type, if it is an ICMP message.
    pub icmp_type: Option<u8>,
    /// Ghost: its number.
    pub id: u8,
}

/// What a packet carries.
#[derive(Clone, PartialEq, Eq, Hash, Debug, PartialOrd, Ord)]
pub enum Body {
    /// A UDP datagram and its checksum field as transmitted.
    Udp {
        /// The datagram.
        datagram: Datagram<u16>,
        /// The checksum field.
        checksum: u16,
    },
    /// An ICMP Echo Request or Echo Reply.
    Echo {
        /// Reply rather than request.
        reply: bool,
        /// Identifier and sequence number.
        id: EchoId,
    },
    /// An ICMP error message about the quoted datagram.
    Error {
        /// Type and code.
        kind: ErrorKind,
        /// The offending datagram's header.
        quote: Quote,
    },
}

impl Body {
    /// The IP protocol number.
    pub fn protocol(&self) -> IpProtocol {
        match self {
            Body::Udp { .. } => IpProtocol::Udp,
            Body::Echo { .. } | Body::Error { .. } => IpProtocol::Icmp,
        }
    }

    /// The ICMP type, for ICMP messages.
    pub fn icmp_type(&self) -> Option<u8> {
        match self {
            Body::Udp { .. } => None,
            Body::Echo { reply: true, .. } => Some(types::ECHO_REPLY),
            Body::Echo { reply: false, .. } => Some(types::ECHO_REQUEST),
            Body::Error { kind, .. } => Some(kind.icmp_type()),
        }
    }
}

/// An IP datagram with ghost tags (never read by protocol code).
#[derive(Clone, PartialEq, Eq, Hash, Debug, PartialOrd, Ord)]
pub struct Packet {
    /// Source address.
    pub src: Ipv4Addr,
    /// Destination address.
    pub dst: Ipv4Addr,
    /// Time to Live.
    pub ttl: u8,
    /// Contents.
    pub body: Body,
    /// Ghost: the model's number for this datagram (an error carries its quote's number).
    pub id: u8,
    /// Ghost: link transmissions so far, saturating at the internet's `hops_cap`.
    pub hops: u8,
}

impl Packet {
    /// The header fields `ip::receive` reads. No fragments, no link broadcasts here.
    pub fn received(&self) -> Received {
        Received {
            src: self.src,
            dst: self.dst,
            ttl: self.ttl,
            protocol: self.body.protocol(),
            fragment_offset: 0,
            icmp_type: self.body.icmp_type(),
            link_broadcast: false,
        }
    }

    /// Whether this is an ICMP error message.
    pub fn is_error(&self) -> bool {
        matches!(self.body, Body::Error { .. })
    }
}

/// A packet on the link from one station to another.
#[derive(Clone, PartialEq, Eq, Hash, Debug, PartialOrd, Ord)]
pub struct Flight {
    /// Sending station.
    pub from: u8,
    /// Receiving station.
    pub to: u8,
    /// The packet.
    pub pkt: Packet,
}

/// Puts `f` at the tail of its link's queue. `net` stays sorted by link, FIFO within a link.
pub fn push(net: &mut Vec<Flight>, f: Flight) {
    let at = net.partition_point(|x| (x.from, x.to) <= (f.from, f.to));
    net.insert(at, f);
}

/// Whether `net[i]` is at the head of its link.
pub fn is_head(net: &[Flight], i: usize) -> bool {
    i == 0 || (net[i - 1].from, net[i - 1].to) != (net[i].from, net[i].to)
}

/// What became of a packet a station sent.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum Sent {
    /// It is on a link; a datagram for the station itself is on its loopback, a link from the
    /// station to itself that neither loses nor duplicates (RFC 1122 §3.2.1.3 (g): looped back
    /// internally, never on a wire).
    Link(Flight),
    /// [`ip::output`] found no route, or the next hop is on no link.
    Unroutable,
}

/// What became of a packet a station received.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum Fate {
    /// `ip::receive` delivered it to this station's upper layers.
    Delivered(Packet),
    /// It was forwarded.
    Forwarded(Sent),
    /// It was dropped for `reason`, with the ICMP error that was sent about it, if any.
    Dropped {
        /// Why.
        reason: DropReason,
        /// The error, as sent.
        error: Option<Sent>,
    },
}

/// A network action: the environment's choices about packets on links.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum NetAction {
    /// The packet at `index` (a link head) arrives, with the receiver's table `table` in force.
    Arrive {
        /// Index in the network.
        index: usize,
        /// Routing table of the receiver.
        table: u8,
    },
    /// The link loses the packet at `index`.
    Lose(usize),
    /// The link duplicates the packet at `index` (the copy follows it).
    Duplicate(usize),
}

/// A configuration of the internet: its stations, the mechanisms in force, the TTL stations
/// put on datagrams they originate and the bound of the ghost hop count.
#[derive(Clone)]
pub struct Internet {
    /// Stations.
    pub topo: Topology,
    /// IP mechanisms.
    pub ip: ip::Mechanisms,
    /// ICMP mechanisms.
    pub icmp: icmp::Mechanisms,
    /// UDP mechanisms.
    pub udp: udp::Mechanisms,
    /// TTL of originated datagrams.
    pub ttl: u8,
    /// Ghost hop counts stop here (keeps the state space finite when TTL is switched off).
    pub hops_cap: u8,
}

impl Internet {
    /// Station `from`, with table `table`, originates a packet to `dst`.
    pub fn originate(&self, from: u8, table: u8, dst: Ipv4Addr, body: Body, id: u8) -> Sent {
        let node = self.topo.node(from, table);
        match ip::output(node, dst) {
            Output::Transmit {
                interface,
                next_hop,
                ..
            } => {
                let (Some(src), Some(to)) =
                    (node.address_on(interface), self.topo.station_of(next_hop))
                else {
                    return Sent::Unroutable;
                };
                let pkt = Packet {
                    src,
                    dst,
                    ttl: self.ttl,
                    body,
                    id,
                    hops: 1,
                };
                Sent::Link(Flight { from, to, pkt })
            }
            Output::Loopback => Sent::Link(Flight {
                from,
                to: from,
                pkt: Packet {
                    src: dst,
                    dst,
                    ttl: self.ttl,
                    body,
                    id,
                    hops: 0,
                },
            }),
            Output::NoRoute | Output::InvalidDestination => Sent::Unroutable,
        }
    }

    /// The decision `ip::receive` takes about `pkt` at station `at` with table `table`.
    pub fn decide(&self, at: u8, table: u8, pkt: &Packet) -> Decision {
        ip::receive(
            self.topo.node(at, table),
            &pkt.received(),
            &self.ip,
            &self.icmp,
        )
    }

    /// Station `at`, with table `table`, receives `pkt`.
    pub fn arrive(&self, at: u8, table: u8, pkt: Packet) -> Fate {
        match self.decide(at, table, &pkt) {
            Decision::DeliverLocally => Fate::Delivered(pkt),
            Decision::Forward {
                next_hop, new_ttl, ..
            } => {
                let Some(to) = self.topo.station_of(next_hop) else {
                    return Fate::Forwarded(Sent::Unroutable);
                };
                let pkt = Packet {
                    ttl: new_ttl,
                    hops: pkt.hops.saturating_add(1).min(self.hops_cap),
                    ..pkt
                };
                Fate::Forwarded(Sent::Link(Flight { from: at, to, pkt }))
            }
            Decision::Drop { reason, icmp } => Fate::Dropped {
                reason,
                error: icmp.map(|e| self.error(at, table, e.to, e.kind, &pkt)),
            },
        }
    }

    /// Station `at` sends the ICMP error `kind` about `about` to `to`.
    pub fn error(&self, at: u8, table: u8, to: Ipv4Addr, kind: ErrorKind, about: &Packet) -> Sent {
        let quote = Quote {
            src: about.src,
            dst: about.dst,
            protocol: about.body.protocol(),
            icmp_type: about.body.icmp_type(),
            id: about.id,
        };
        self.originate(at, table, to, Body::Error { kind, quote }, about.id)
    }

    /// The network actions enabled in `net`, in a fixed order: for each link head, its arrival
    /// under each routing table of the receiver that decides differently from the tables before
    /// it, then its loss and its duplication while the budgets last.
    pub fn net_actions(&self, net: &[Flight], losses: u8, dups: u8, out: &mut Vec<NetAction>) {
        for (i, f) in net.iter().enumerate() {
            if !is_head(net, i) {
                continue;
            }
            let tables = self.topo.stations[usize::from(f.to)].tables.len() as u8;
            let mut seen = Vec::new();
            for t in 0..tables {
                let d = self.decide(f.to, t, &f.pkt);
                if !seen.contains(&d) {
                    seen.push(d);
                    out.push(NetAction::Arrive { index: i, table: t });
                }
            }
            let wire = f.from != f.to;
            if wire && losses > 0 {
                out.push(NetAction::Lose(i));
            }
            if wire && dups > 0 {
                out.push(NetAction::Duplicate(i));
            }
        }
    }
}

impl Internet {
    /// Puts a sent packet on its link.
    pub fn place(net: &mut Vec<Flight>, sent: &Sent) {
        if let Sent::Link(f) = sent {
            push(net, f.clone());
        }
    }

    /// Applies a network action to `net` and the budgets. For an arrival, returns the station
    /// and the packet's fate; what it forwarded and the error it sent are already on their
    /// links. `label` names packets in the narration.
    pub fn apply(
        &self,
        net: &mut Vec<Flight>,
        budgets: (&mut u8, &mut u8),
        action: NetAction,
        log: &mut Log,
        label: &dyn Fn(&Packet) -> String,
    ) -> Option<(u8, Fate)> {
        let name = |s: u8| self.topo.name(s);
        match action {
            NetAction::Lose(i) => {
                let f = net.remove(i);
                *budgets.0 -= 1;
                log.say(|| {
                    let (a, b) = (name(f.from), name(f.to));
                    format!("the link {a}->{b} loses {}", label(&f.pkt))
                });
                None
            }
            NetAction::Duplicate(i) => {
                let f = net[i].clone();
                log.say(|| {
                    let (a, b) = (name(f.from), name(f.to));
                    format!("the link {a}->{b} duplicates {}", label(&f.pkt))
                });
                net.insert(i + 1, f);
                *budgets.1 -= 1;
                None
            }
            NetAction::Arrive { index, table } => {
                let f = net.remove(index);
                let fate = self.arrive(f.to, table, f.pkt.clone());
                let at = name(f.to);
                let what = label(&f.pkt);
                match &fate {
                    Fate::Delivered(p) => {
                        log.say(|| format!("{at} accepts {what} for {}", self.topo.show(p.dst)))
                    }
                    Fate::Forwarded(sent) => {
                        Self::place(net, sent);
                        log.say(|| match sent {
                            Sent::Link(g) => format!(
                                "{at} forwards {what} to {} with TTL {} (link {} for it)",
                                name(g.to),
                                g.pkt.ttl,
                                g.pkt.hops
                            ),
                            _ => format!("{at} finds no next hop for {what}"),
                        });
                    }
                    Fate::Dropped { reason, error } => {
                        if let Some(sent) = error {
                            Self::place(net, sent);
                        }
                        log.say(|| {
                            let why = format!("{reason:?}");
                            let icmp = match error {
                                Some(Sent::Link(g)) => format!(
                                    ", sends {} to {}",
                                    label(&g.pkt),
                                    self.topo.show(g.pkt.dst)
                                ),
                                Some(_) => ", its error has no route".to_string(),
                                None if matches!(
                                    reason,
                                    DropReason::NoRoute | DropReason::InTransit
                                ) =>
                                {
                                    ", no ICMP error (RFC 1122 §3.2.2 forbids one about it)".into()
                                }
                                None => ", silently".to_string(),
                            };
                            format!("{at} drops {what} ({why}){icmp}")
                        });
                    }
                }
                Some((f.to, fate))
            }
        }
    }
}

/// The name of an ICMP error kind in traces.
pub fn kind_name(kind: ErrorKind) -> &'static str {
    use icmp::{TimeExceeded, Unreachable};
    match kind {
        ErrorKind::DestUnreachable(Unreachable::Net) => "net unreachable",
        ErrorKind::DestUnreachable(Unreachable::Host) => "host unreachable",
        ErrorKind::DestUnreachable(Unreachable::Protocol) => "protocol unreachable",
        ErrorKind::DestUnreachable(Unreachable::Port) => "port unreachable",
        ErrorKind::DestUnreachable(_) => "destination unreachable",
        ErrorKind::TimeExceeded(TimeExceeded::InTransit) => "time exceeded in transit",
        ErrorKind::TimeExceeded(TimeExceeded::Reassembly) => "reassembly time exceeded",
        ErrorKind::TimeExceeded(TimeExceeded::Other(_)) => "time exceeded",
    }
}

/// What a step of an internet-layer model did to the packets on links, for its ladder.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Op {
    /// The packet at this index arrived.
    Arrive(usize),
    /// The packet at this index was lost.
    Lose(usize),
    /// The packet at this index was duplicated.
    Duplicate(usize),
    /// The packet at this index was changed in place (corrupted).
    Change(usize),
    /// A station's application or user acted.
    User,
}

impl Op {
    /// The op of a network action.
    pub fn of(a: NetAction) -> Op {
        match a {
            NetAction::Arrive { index, .. } => Op::Arrive(index),
            NetAction::Lose(i) => Op::Lose(i),
            NetAction::Duplicate(i) => Op::Duplicate(i),
        }
    }
}

/// The colour of a packet: an error, a UDP datagram, an echo request or reply.
pub fn ink(p: &Packet) -> crate::models::diagram::Ink {
    use crate::models::diagram::Ink;
    match p.body {
        Body::Error { .. } => Ink::Rst,
        Body::Udp { .. } => Ink::Data,
        Body::Echo { reply: false, .. } => Ink::Syn,
        Body::Echo { reply: true, .. } => Ink::Ack,
    }
}

/// What an internet-layer model tells its ladder.
pub struct LadderInput<'a, W, A> {
    /// Header lines after the title.
    pub title: String,
    /// Header lines.
    pub header: Vec<String>,
    /// The stations, by number.
    pub topo: &'a Topology,
    /// The path.
    pub path: &'a [(W, Option<A>)],
    /// The packets on links in a state.
    pub net: &'a dyn Fn(&W) -> &[Flight],
    /// What a step does.
    pub op: &'a dyn Fn(&W, A) -> Op,
    /// A step's narration, one line per event.
    pub narrate: &'a dyn Fn(&W, A) -> Vec<String>,
    /// A packet's name.
    pub label: &'a dyn Fn(&Packet) -> String,
    /// The footer on the last state.
    pub footer: &'a dyn Fn(&W) -> Vec<crate::models::diagram::Note>,
}

/// The ladder of a path of an internet-layer model: one lifeline per station, each packet a
/// line from the row where a station put it on a link to the row where it arrived at the
/// link's other end.
pub fn ladder<W, A: Copy>(input: LadderInput<'_, W, A>) -> crate::models::diagram::Ladder {
    use crate::models::diagram::{End, Ink, Ladder, LadderRow, Msg, Note, Tracker};
    let topo = input.topo;
    let msg = |f: &Flight| Msg {
        from: usize::from(f.from),
        to: usize::from(f.to),
        sent: None,
        end: End::InFlight,
        ink: ink(&f.pkt),
        dashed: false,
        label: format!(
            "{} \u{2192} {}: {}",
            topo.name(f.from),
            topo.name(f.to),
            (input.label)(&f.pkt)
        ),
        fork: None,
    };
    let mut l = Ladder {
        title: input.title,
        header: input.header,
        lanes: (0..topo.stations.len())
            .map(|s| topo.name(s as u8).to_string())
            .collect(),
        ..Ladder::default()
    };
    let Some((first, _)) = input.path.first() else {
        return l;
    };
    l.rows.push(LadderRow {
        notes: vec![Note::new(Ink::Plain, "initial state")],
        ..LadderRow::default()
    });
    let mut tracker = Tracker::start(&mut l, (input.net)(first), msg);
    for (k, pair) in input.path.windows(2).enumerate() {
        let (last, Some(action)) = (&pair[0].0, pair[0].1) else {
            continue;
        };
        let next = &pair[1].0;
        let row = k + 1;
        let net = (input.net)(last);
        let op = (input.op)(last, action);
        let first_ink = match op {
            Op::Arrive(i) => {
                tracker.end(&mut l, &net[i], End::Arrived(row));
                ink(&net[i].pkt)
            }
            Op::Lose(i) => {
                tracker.end(&mut l, &net[i], End::Lost(row));
                Ink::Network
            }
            Op::Duplicate(i) => {
                tracker.fork(&mut l, &net[i], row);
                Ink::Network
            }
            Op::Change(i) => {
                let after = &(input.net)(next)[i];
                if let Some(id) = tracker.retag(&net[i], after) {
                    l.msgs[id].ink = Ink::Rst;
                    l.msgs[id].label += " (corrupted on the way)";
                }
                Ink::Rst
            }
            Op::User => Ink::User,
        };
        let notes = (input.narrate)(last, action)
            .into_iter()
            .enumerate()
            .map(|(i, t)| {
                let ink = if i == 0 { first_ink } else { Ink::Plain };
                Note::new(ink, t)
            })
            .collect();
        tracker.sync(&mut l, (input.net)(next), row, msg);
        l.rows.push(LadderRow {
            notes,
            ..LadderRow::default()
        });
    }
    if let Some((end, _)) = input.path.last() {
        let still: Vec<String> = (input.net)(end)
            .iter()
            .map(|f| format!("still on a link: {}", msg(f).label))
            .collect();
        if let Some(r) = l.rows.last_mut() {
            r.notes
                .extend(still.into_iter().map(|s| Note::new(Ink::Network, s)));
        }
        l.footer = (input.footer)(end);
    }
    l
}

/// A network action in words, as far as it can be told without the state (the step's
/// outcome names the packet).
pub fn net_action_text(a: NetAction) -> String {
    match a {
        NetAction::Arrive { index, table: 0 } => {
            format!("packet #{} on the links arrives", index + 1)
        }
        NetAction::Arrive { index, table } => format!(
            "packet #{} on the links arrives (receiver's routing table {})",
            index + 1,
            table + 1
        ),
        NetAction::Lose(i) => format!("a link loses packet #{}", i + 1),
        NetAction::Duplicate(i) => format!("a link duplicates packet #{}", i + 1),
    }
}
