//! `icmp`: two scenarios on the internet of hosts A and B and routers R1 and R2 (RFC 792;
//! RFC 1122 §3.2.2).
//!
//! - Ping: A sends two Echo Requests to B (identifier 0x77, sequence numbers 1 and 2) over the
//!   two routes of different length; B's echo server answers each; links may lose one message
//!   and duplicate one. A's echo client (`icmp::EchoClient`) matches replies to requests.
//!   Always `echo-matched` (hazard C1): a reply is matched to the request that provoked it.
//! - Error about an error: A pings an address no router has a route for. R1 reports net
//!   unreachable, but R1 routes A's address over R2 through a stale host route and R2 has no
//!   route back, so the error itself cannot be delivered. RFC 1122 §3.2.2 forbids an ICMP
//!   error about an ICMP error; without that rule R2 reports the error's failure as well
//!   (hazard U2: each failed error begets another, the seed of an error storm). Always
//!   `bounded-error-traffic`: no more errors are generated than original datagrams failed.
//!
//! Every decision is the crate's: `ip::output`, `ip::receive` and `ip::demux_protocol` route
//! and deliver, `icmp::respond_to_echo` answers, `icmp::EchoClient` matches, and
//! `icmp::error_about` decides whether an error may be sent. Seed claims S13 (ICMP reports some
//! failures; losses are not reported) and S14 (ICMP works at the internet layer, between
//! hosts and routers).

use super::diagram::{self, Log};
use super::explorer::Explain;
use super::inet::{self, Body, Fate, Flight, Internet, NetAction, Packet, Routing, Sent, st};
use super::runner::{Render, RunOptions};
use super::table::{self, Prop};
use super::{Ablation, Kind, ModelSpec, run_spec};
use crate::icmp::{self, EchoClient, EchoId, EchoResponse, ReplyMatch};
use crate::ip::{self, AddressKind, DropReason, IpProtocol, Upper};
use stateright::{Model, Path, Property};
use std::fmt;
use std::net::Ipv4Addr;

/// The identifier of A's pings.
pub const IDENT: u16 = 0x77;
/// The scenarios: destinations of A's Echo Requests, loss and duplication budgets.
const SCENARIOS: [(&[[u8; 4]], u8, u8); 2] =
    [(&[inet::B, inet::B], 1, 1), (&[inet::NOWHERE], 0, 0)];

/// The state. Its `Debug` is the compact view the Explorer shows.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct World {
    /// 0 ping, 1 error about an error.
    pub scenario: u8,
    /// Echo Requests A has sent.
    pub sent: u8,
    /// A's echo client.
    pub client: EchoClient,
    /// Packets on links.
    pub net: Vec<Flight>,
    /// Replies A matched: the request it matched each to, and (ghost) the number of the
    /// request that provoked the reply.
    pub matched: Vec<(EchoId, u8)>,
    /// A's client recognised a duplicate reply.
    pub duplicate_seen: bool,
    /// A link lost an Echo Reply.
    pub reply_lost: bool,
    /// A router dropped an ICMP error and sent nothing about it (RFC 1122 §3.2.2).
    pub error_suppressed: bool,
    /// ICMP errors generated.
    pub errors: u8,
    /// Datagrams other than ICMP errors that a station dropped.
    pub failed: u8,
    /// Losses left.
    pub losses: u8,
    /// Duplications left.
    pub dups: u8,
}

/// What can happen next.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum Action {
    /// A sends its next Echo Request.
    Ping,
    /// Something happens on a link.
    Net(NetAction),
}

/// The ICMP model.
#[derive(Clone)]
pub struct IcmpModel {
    /// The internet of each scenario.
    pub configs: [Internet; 2],
}

impl IcmpModel {
    /// The model with the given mechanisms.
    pub fn new(mech: icmp::Mechanisms) -> IcmpModel {
        let make = |routing| Internet {
            topo: inet::two_routers(routing),
            ip: ip::Mechanisms::default(),
            icmp: mech,
            udp: Default::default(),
            ttl: 4,
            hops_cap: 5,
        };
        IcmpModel {
            configs: [make(Routing::TwoPaths), make(Routing::NoWayBack)],
        }
    }

    fn inet(&self, w: &World) -> &Internet {
        &self.configs[usize::from(w.scenario)]
    }

    /// A packet in words.
    pub fn label(p: &Packet) -> String {
        match &p.body {
            Body::Echo { reply, id } => {
                let what = if *reply { "Echo Reply" } else { "Echo Request" };
                format!("{what} <ID={:#x}><SEQ={}>", id.ident, id.seq)
            }
            Body::Error { kind, quote } => {
                let about = if quote.protocol == IpProtocol::Icmp && quote.icmp_type.is_some() {
                    match quote.icmp_type {
                        Some(icmp::types::ECHO_REQUEST) => "an Echo Request",
                        _ => "an ICMP error",
                    }
                } else {
                    "a datagram"
                };
                format!("ICMP {} about {about}", inet::kind_name(*kind))
            }
            Body::Udp { .. } => "a UDP datagram".to_string(),
        }
    }

    /// The upper layers of station `at` take `pkt`.
    fn deliver(&self, w: &mut World, at: u8, pkt: Packet, log: &mut Log) {
        let inet = self.inet(w);
        let node = inet.topo.node(at, 0);
        let rcv = pkt.received();
        let upper = ip::demux_protocol(node, &rcv, &[IpProtocol::Icmp], &inet.icmp);
        if upper != Upper::Protocol(IpProtocol::Icmp) {
            return;
        }
        match pkt.body {
            Body::Echo { reply: false, id } => {
                let bcast = matches!(node.classify(pkt.dst), AddressKind::SubnetBroadcast { .. });
                let request = icmp::Echo { id, data: () };
                match icmp::respond_to_echo(pkt.src, pkt.dst, bcast, request) {
                    EchoResponse::Reply { src, dst, echo } => {
                        let body = Body::Echo {
                            reply: true,
                            id: echo.id,
                        };
                        let mut sent = inet.originate(at, 0, dst, body, pkt.id);
                        if let Sent::Link(f) = &mut sent {
                            f.pkt.src = src;
                        }
                        Internet::place(&mut w.net, &sent);
                        log.say(|| format!("{}'s echo server replies", inet.topo.name(at)));
                    }
                    EchoResponse::Discard(why) => log.say(|| format!("no reply ({why:?})")),
                }
            }
            Body::Echo { reply: true, id } if at == st::A => {
                match w.client.receive_reply(id, &inet.icmp) {
                    ReplyMatch::Matched { request, .. } => {
                        w.matched.push((request, pkt.id));
                        log.say(|| format!("A's client matches it to request SEQ={}", request.seq));
                    }
                    ReplyMatch::Duplicate { request } => {
                        w.duplicate_seen = true;
                        log.say(|| format!("A's client sees a duplicate for SEQ={}", request.seq));
                    }
                    ReplyMatch::Unmatched => log.say(|| "A's client matches nothing".into()),
                }
            }
            _ => log.say(|| "ICMP passes it up (RFC 1122 §3.2.2.1)".into()),
        }
    }

    /// One transition, narrated into `log`.
    pub fn step(&self, w: &World, action: Action, log: &mut Log) -> Option<World> {
        let mut n = w.clone();
        let inet = self.inet(w);
        match action {
            Action::Ping => {
                let dsts = SCENARIOS[usize::from(w.scenario)].0;
                let dst = Ipv4Addr::from(dsts[usize::from(w.sent)]);
                n.sent += 1;
                let id = EchoId {
                    ident: IDENT,
                    seq: u16::from(n.sent),
                };
                n.client.send(id, 0).ok()?;
                let body = Body::Echo { reply: false, id };
                let sent = inet.originate(st::A, 0, dst, body, n.sent);
                log.say(|| {
                    format!(
                        "A sends Echo Request SEQ={} to {}",
                        id.seq,
                        inet.topo.show(dst)
                    )
                });
                Internet::place(&mut n.net, &sent);
            }
            Action::Net(a) => {
                if let NetAction::Lose(i) = a
                    && matches!(w.net[i].pkt.body, Body::Echo { reply: true, .. })
                {
                    n.reply_lost = true;
                }
                let dropped_error = match a {
                    NetAction::Arrive { index, .. } => w.net[index].pkt.is_error(),
                    _ => false,
                };
                let label = |p: &Packet| Self::label(p);
                let fate = inet.apply(&mut n.net, (&mut n.losses, &mut n.dups), a, log, &label);
                match fate {
                    Some((at, Fate::Delivered(p))) => self.deliver(&mut n, at, p, log),
                    Some((_, Fate::Dropped { reason, error })) => {
                        if !dropped_error {
                            n.failed += 1;
                        }
                        if error.is_some() {
                            n.errors += 1;
                        } else if dropped_error
                            && matches!(reason, DropReason::NoRoute | DropReason::InTransit)
                        {
                            n.error_suppressed = true;
                        }
                    }
                    _ => {}
                }
            }
        }
        Some(n)
    }
}

impl Model for IcmpModel {
    type State = World;
    type Action = Action;

    fn init_states(&self) -> Vec<World> {
        (0..2)
            .map(|scenario| {
                let (_, losses, dups) = SCENARIOS[usize::from(scenario)];
                World {
                    scenario,
                    sent: 0,
                    client: EchoClient::new(),
                    net: Vec::new(),
                    matched: Vec::new(),
                    duplicate_seen: false,
                    reply_lost: false,
                    error_suppressed: false,
                    errors: 0,
                    failed: 0,
                    losses,
                    dups,
                }
            })
            .collect()
    }

    fn actions(&self, w: &World, out: &mut Vec<Action>) {
        if usize::from(w.sent) < SCENARIOS[usize::from(w.scenario)].0.len() {
            out.push(Action::Ping);
        }
        let mut net = Vec::new();
        self.inet(w).net_actions(&w.net, w.losses, w.dups, &mut net);
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
            Action::Ping => "A's client sends its next Echo Request".to_string(),
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
        if !inet.icmp.match_echo_ident_seq {
            off.push("match-echo-ident-seq");
        }
        if !inet.icmp.no_error_about_error {
            off.push("no-error-about-error");
        }
        let l = inet::ladder(inet::LadderInput {
            title: "icmp: echo and errors about errors (RFC 792, RFC 1122 §3.2.2)".to_string(),
            header: vec![
                scenario(first.scenario).to_string(),
                format!("bounds: losses {}, dups {}", first.losses, first.dups),
                diagram::off_line(&off),
            ],
            topo: &inet.topo,
            path: &path,
            net: &|w: &World| &w.net,
            op: &|_, a| match a {
                Action::Ping => inet::Op::User,
                Action::Net(n) => inet::Op::of(n),
            },
            narrate: &|w, a| {
                let mut log = Log::on();
                self.step(w, a, &mut log);
                log.lines()
            },
            label: &IcmpModel::label,
            footer: &|w| diagram::table_verdicts(self, PROPS, w),
        });
        Some(diagram::svg(&l))
    }
}

/// A packet's name after its header, which already shows an echo's identifier and sequence
/// number.
fn name(p: &Packet) -> String {
    match &p.body {
        Body::Echo { reply: true, .. } => "Echo Reply".to_string(),
        Body::Echo { reply: false, .. } => "Echo Request".to_string(),
        _ => IcmpModel::label(p),
    }
}

impl Explain for IcmpModel {
    fn explain(&self, w: &World, action: &Action) -> String {
        match *action {
            Action::Ping => {
                let dsts = SCENARIOS[usize::from(w.scenario)].0;
                let dst = Ipv4Addr::from(dsts[usize::from(w.sent)]);
                let dst = self.inet(w).topo.show(dst);
                format!(
                    "A's client sends Echo Request <ID={IDENT:#x}><SEQ={}> to {dst}",
                    w.sent + 1
                )
            }
            Action::Net(a) => self.inet(w).explain(&w.net, a, &name),
        }
    }
}

impl fmt::Debug for World {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "scenario: {}", scenario(self.scenario))?;
        let requests: Vec<String> = self
            .client
            .outstanding()
            .iter()
            .map(|o| {
                let state = if o.answered { "answered" } else { "waiting" };
                format!("SEQ={} {state}", o.id.seq)
            })
            .collect();
        let requests = if requests.is_empty() {
            "none".to_string()
        } else {
            requests.join(", ")
        };
        writeln!(
            f,
            "A's echo client: sent {}; requests {requests}",
            self.sent
        )?;
        if !self.matched.is_empty() {
            let m: Vec<String> = self
                .matched
                .iter()
                .map(|(req, by)| format!("reply to SEQ={} (provoked by request {by})", req.seq))
                .collect();
            writeln!(f, "   matched: {}", m.join(", "))?;
        }
        writeln!(
            f,
            "ICMP errors generated: {}; datagrams dropped (not errors): {}",
            self.errors, self.failed
        )?;
        let facts: Vec<&str> = [
            (self.duplicate_seen, "duplicate-reply-seen"),
            (self.reply_lost, "reply-lost"),
            (self.error_suppressed, "error-about-error-suppressed"),
        ]
        .iter()
        .filter(|(on, _)| *on)
        .map(|(_, n)| *n)
        .collect();
        if !facts.is_empty() {
            writeln!(f, "facts: {}", facts.join(", "))?;
        }
        writeln!(f, "{}", inet::links_text(&self.net, &name))?;
        write!(f, "budgets: losses {}, dups {}", self.losses, self.dups)
    }
}

/// What a scenario shows.
fn scenario(s: u8) -> &'static str {
    match s {
        1 => "A pings 10.0.9.9 (no route); R1 routes A's address via R2, which has no route back",
        _ => "A pings B twice (ID 0x77, SEQ 1 and 2) over two routes; one loss, one duplicate",
    }
}

impl Render for IcmpModel {
    fn render(&self, path: &[(World, Option<Action>)]) -> Vec<String> {
        let title = scenario(path.first().map_or(0, |(w, _)| w.scenario));
        let steps = path
            .iter()
            .filter_map(|(w, a)| a.and_then(|a| self.format_step(w, a)));
        diagram::numbered(title, steps)
    }
}

const PROPS: &[Prop<IcmpModel>] = &[
    Prop {
        kind: Kind::Always,
        name: "echo-matched",
        meaning: "every Echo Reply A's client matches is matched to the request that provoked \
                  it (same identifier and sequence number)",
        condition: |_, w| w.matched.iter().all(|(req, n)| req.seq == u16::from(*n)),
    },
    Prop {
        kind: Kind::Always,
        name: "bounded-error-traffic",
        meaning: "no more ICMP errors are generated than original datagrams failed: no error \
                  is sent about an error",
        condition: |_, w| w.errors <= w.failed,
    },
    Prop {
        kind: Kind::Sometimes,
        name: "echo-replied",
        meaning: "A's client matches an Echo Reply to its request",
        condition: |_, w| !w.matched.is_empty(),
    },
    Prop {
        kind: Kind::Sometimes,
        name: "reply-lost",
        meaning: "a link loses an Echo Reply; nobody reports it",
        condition: |_, w| w.reply_lost,
    },
    Prop {
        kind: Kind::Sometimes,
        name: "duplicate-reply-detected",
        meaning: "a duplicated Echo Reply reaches A and its client recognises it as a duplicate",
        condition: |_, w| w.duplicate_seen,
    },
    Prop {
        kind: Kind::Sometimes,
        name: "error-about-error-suppressed",
        meaning: "a router cannot forward an ICMP error and, as RFC 1122 §3.2.2 requires, sends \
                  no error about it",
        condition: |_, w| w.error_suppressed,
    },
];

fn model(without: &[&'static str]) -> IcmpModel {
    IcmpModel::new(icmp::Mechanisms {
        no_error_about_error: !without.contains(&"no-error-about-error"),
        match_echo_ident_seq: !without.contains(&"match-echo-ident-seq"),
    })
}

/// The registry entry.
pub const SPEC: ModelSpec = ModelSpec {
    name: "icmp",
    summary: "RFC 792 / RFC 1122 §3.2.2: ping over a lossy, duplicating internet, and an ICMP \
              error that cannot be delivered (no error about an error)",
    properties: || table::infos(PROPS),
    ablations: &[
        Ablation {
            mechanism: "match-echo-ident-seq",
            breaks: "echo-matched",
            also_breaks: &[],
            // Matching the oldest unanswered request never finds an answered one, so a
            // duplicate reply is taken for the answer to another request, or for nothing.
            hides: &["duplicate-reply-detected"],
            reveals: &[],
            reference: "RFC 792 (Echo: identifier and sequence number); RFC 1122 §3.2.2.6",
            hazard: "a reply is taken as the answer to the oldest outstanding request",
            bounds: crate::models::Bounds::NONE,
        },
        Ablation {
            mechanism: "no-error-about-error",
            breaks: "bounded-error-traffic",
            also_breaks: &[],
            hides: &["error-about-error-suppressed"],
            reveals: &[],
            reference: "RFC 1122 §3.2.2 (MUST NOT send an ICMP error about an ICMP error)",
            hazard: "an error that cannot be delivered begets another error; where that one \
                     fails too, another, and so on: an error storm",
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
