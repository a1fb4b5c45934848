//! The replies of UDP, ICMP and ARP, judged by the rules that make them replies.
//!
//! - ICMP echo (RFC 792 "Echo or Echo Reply Message", RFC 1122 §3.2.2.6: "the data
//!   received in the ICMP Echo Request MUST be entirely included in the resulting Echo
//!   Reply"): a reply is the one `icmp::respond_to_echo` gives to a request its sender
//!   received (addresses swapped; identifier, sequence number and data unchanged).
//! - ICMP errors about UDP (RFC 1122 §3.2.2, §4.1.3.1; RFC 792): an error answers a datagram
//!   that was sent, and a port unreachable comes from the host the datagram was addressed to.
//! - ARP (RFC 826 "Packet Reception"): a reply to a request is sent to the requester's
//!   hardware address. A reply nobody asked for is gratuitous (RFC 5227) and allowed.
//!
//! Each is judged one packet at a time ([`OtherJudge`]), holding only what a later reply can
//! be judged against: the last [`ECHO_REQUESTS`] echo requests of an exchange, which
//! directions of a UDP flow have sent, the latest ARP request each way.

use super::{Endpoint, Kind, Verdict, Violation};
use crate::capture::{
    ArpExchange, ArpMessage, Conversation, Datagram, Direction, IcmpError, IcmpExchange, IcmpKind,
    IcmpMessage, UdpFlow,
};
use crate::icmp::{Echo, EchoDiscard, EchoId, EchoResponse, Unreachable, respond_to_echo};
use crate::wire::{arp, icmp};
use std::collections::VecDeque;

fn endpoint(kind: Kind, endpoint: String, peer: String) -> Endpoint {
    Endpoint {
        kind,
        conversation: 0,
        incarnation: 0,
        endpoint,
        peer,
        verdict: Verdict::Conforms,
        states: Vec::new(),
        segments: 0,
        allowances: Vec::new(),
        ladder: Vec::new(),
    }
}

fn violate(e: &mut Endpoint, frame: u64, segment: String, rule: &str) {
    if e.verdict == Verdict::Conforms {
        e.verdict = Verdict::Violates(Violation {
            frame,
            segment,
            rule: rule.to_string(),
            expected: None,
        });
    }
}

fn index(d: Direction) -> usize {
    match d {
        Direction::FromA => 0,
        Direction::FromB => 1,
    }
}

/// Echo requests an exchange keeps for the replies to come; a reply to an older one is
/// judged against those kept (a host answers a request within seconds: RFC 1122 §3.2.2.6).
pub const ECHO_REQUESTS: usize = 256;

/// The two endpoints of an ICMP exchange.
pub fn icmp(x: &IcmpExchange) -> Vec<Endpoint> {
    let mut j = IcmpJudge::new(x);
    x.messages.iter().for_each(|m| j.message(m));
    j.finish()
}

/// An ICMP exchange judged a message at a time.
pub struct IcmpJudge {
    ends: [Endpoint; 2],
    why: Option<&'static str>,
    /// The last [`ECHO_REQUESTS`] requests.
    requests: VecDeque<IcmpMessage>,
}

impl IcmpJudge {
    /// Nothing seen yet of the exchange `x` (its messages are not read).
    pub fn new(x: &IcmpExchange) -> IcmpJudge {
        let why = match x.kind {
            IcmpKind::Echo { .. } => None,
            IcmpKind::Errors => Some("ICMP errors about datagrams the capture does not hold"),
            IcmpKind::Other { .. } => Some("no rule of this crate judges this ICMP type"),
        };
        IcmpJudge {
            ends: [
                endpoint(Kind::Icmp, x.a.to_string(), x.b.to_string()),
                endpoint(Kind::Icmp, x.b.to_string(), x.a.to_string()),
            ],
            why,
            requests: VecDeque::new(),
        }
    }

    /// The exchange's next message.
    pub fn message(&mut self, m: &IcmpMessage) {
        let i = index(m.direction);
        self.ends[i].segments += 1;
        if let Some(why) = self.why {
            self.ends[i].verdict = Verdict::CannotJudge(why.to_string());
            return;
        }
        if let icmp::Repr::EchoRequest { .. } = &m.icmp.repr {
            if self.requests.len() == ECHO_REQUESTS {
                self.requests.pop_front();
            }
            self.requests.push_back(m.clone());
            return;
        }
        let icmp::Repr::EchoReply {
            ident,
            seq_no,
            data,
        } = &m.icmp.repr
        else {
            return;
        };
        // The reply the rules give to each earlier request (`icmp::respond_to_echo`); the
        // data compared as far as both were captured, the lengths on the wire in full.
        let answered = self.requests.iter().any(|r| {
            let icmp::Repr::EchoRequest {
                ident: i2,
                seq_no: s2,
                data: d2,
            } = &r.icmp.repr
            else {
                return false;
            };
            let request = Echo {
                id: EchoId {
                    ident: *i2,
                    seq: *s2,
                },
                data: d2.as_slice(),
            };
            let (from, to) = (r.ip.repr.src_addr, r.ip.repr.dst_addr);
            let response = match respond_to_echo(from, to, false, request.clone()) {
                // 127/8 never comes from the network (RFC 1122 §3.2.1.3), hence the rule's
                // source check; on a host's loopback, where a capture of `lo` sees it, the
                // host answers itself.
                EchoResponse::Discard(EchoDiscard::SourceNotSingleHost)
                    if from.is_loopback() && to.is_loopback() =>
                {
                    EchoResponse::Reply {
                        src: to,
                        dst: from,
                        echo: request,
                    }
                }
                other => other,
            };
            match response {
                EchoResponse::Reply { src, dst, echo } => {
                    let n = echo.data.len().min(data.len());
                    src == m.ip.repr.src_addr
                        && dst == m.ip.repr.dst_addr
                        && echo.id.ident == *ident
                        && echo.id.seq == *seq_no
                        && echo.data[..n] == data[..n]
                        && r.icmp.len == m.icmp.len
                }
                EchoResponse::Discard(_) => false,
            }
        });
        if !answered {
            violate(
                &mut self.ends[i],
                m.frame,
                format!(
                    "echo reply ident {ident} seq {seq_no}, {} octets",
                    m.icmp.len
                ),
                "RFC 792 (Echo Reply), RFC 1122 §3.2.2.6: a reply returns the identifier, \
                 sequence number and data of a request received",
            );
        }
    }

    /// The two endpoints' judgments.
    pub fn finish(self) -> Vec<Endpoint> {
        self.ends.into()
    }
}

/// The two endpoints of a UDP flow (the ICMP errors their hosts sent about it included).
pub fn udp(f: &UdpFlow) -> Vec<Endpoint> {
    let mut j = UdpJudge::new(f);
    j.interleaved(&f.datagrams, &f.icmp_errors);
    j.finish()
}

/// A UDP flow judged a datagram (or ICMP error) at a time.
pub struct UdpJudge {
    ends: [Endpoint; 2],
    addrs: [std::net::Ipv4Addr; 2],
    /// Whether each direction has sent a datagram.
    sent: [bool; 2],
}

impl UdpJudge {
    /// Nothing seen yet of the flow `f` (its datagrams are not read).
    pub fn new(f: &UdpFlow) -> UdpJudge {
        UdpJudge {
            ends: [
                endpoint(Kind::Udp, f.a.to_string(), f.b.to_string()),
                endpoint(Kind::Udp, f.b.to_string(), f.a.to_string()),
            ],
            addrs: [*f.a.ip(), *f.b.ip()],
            sent: [false; 2],
        }
    }

    /// Datagrams and errors, each in capture order, judged in capture order together.
    pub fn interleaved(&mut self, datagrams: &[Datagram], errors: &[IcmpError]) {
        let (mut d, mut e) = (datagrams.iter().peekable(), errors.iter().peekable());
        loop {
            let datagram_first = match (d.peek(), e.peek()) {
                (Some(x), Some(y)) => x.frame < y.frame,
                (Some(_), None) => true,
                (None, Some(_)) => false,
                (None, None) => break,
            };
            if datagram_first {
                d.next().inspect(|x| self.datagram(x));
            } else {
                e.next().inspect(|y| self.error(y));
            }
        }
    }

    /// The flow's next datagram.
    pub fn datagram(&mut self, d: &Datagram) {
        let i = index(d.direction);
        self.ends[i].segments += 1;
        self.sent[i] = true;
    }

    /// An ICMP error quoting one of the flow's datagrams.
    pub fn error(&mut self, e: &IcmpError) {
        // The error goes back to the quoted datagram's sender: the other end sent it, or a
        // router on the way.
        let receiver = 1 - index(e.about);
        let port_unreachable = matches!(
            e.icmp.repr,
            icmp::Repr::DstUnreachable {
                reason: Unreachable::Port,
                ..
            }
        );
        if e.ip.repr.src_addr != self.addrs[receiver] {
            if port_unreachable {
                // Only the destination host knows its ports.
                let sender = 1 - receiver;
                self.ends[sender].verdict = Verdict::CannotJudge(format!(
                    "a port unreachable from {}, not the datagram's destination",
                    e.ip.repr.src_addr
                ));
            }
            return;
        }
        self.ends[receiver].segments += 1;
        if !self.sent[index(e.about)] {
            violate(
                &mut self.ends[receiver],
                e.frame,
                "ICMP error about a datagram not yet sent".to_string(),
                "RFC 1122 §3.2.2, RFC 792: an ICMP error answers a datagram received",
            );
        }
    }

    /// The two endpoints' judgments.
    pub fn finish(self) -> Vec<Endpoint> {
        self.ends.into()
    }
}

/// The two endpoints of an ARP exchange.
pub fn arp(x: &ArpExchange) -> Vec<Endpoint> {
    let mut j = ArpJudge::new(x);
    x.messages.iter().for_each(|m| j.message(m));
    j.finish()
}

/// An ARP exchange judged a packet at a time.
pub struct ArpJudge {
    ends: [Endpoint; 2],
    /// The latest request each way.
    requests: [Option<arp::Repr>; 2],
}

impl ArpJudge {
    /// Nothing seen yet of the exchange `x` (its packets are not read).
    pub fn new(x: &ArpExchange) -> ArpJudge {
        ArpJudge {
            ends: [
                endpoint(Kind::Arp, x.a.to_string(), x.b.to_string()),
                endpoint(Kind::Arp, x.b.to_string(), x.a.to_string()),
            ],
            requests: [None, None],
        }
    }

    /// The exchange's next packet.
    pub fn message(&mut self, m: &ArpMessage) {
        let i = index(m.direction);
        self.ends[i].segments += 1;
        if m.repr.operation == arp::Operation::Request {
            self.requests[i] = Some(m.repr.clone());
            return;
        }
        if m.repr.operation != arp::Operation::Reply {
            return;
        }
        let request = self.requests.iter().flatten().find(|r| {
            r.target_protocol_addr == m.repr.sender_protocol_addr
                && r.sender_protocol_addr == m.repr.target_protocol_addr
        });
        if let Some(r) = request
            && r.sender_hardware_addr != m.repr.target_hardware_addr
        {
            violate(
                &mut self.ends[i],
                m.frame,
                format!(
                    "ARP reply {} is-at {} to {}",
                    m.repr.sender_protocol_addr,
                    m.repr.sender_hardware_addr,
                    m.repr.target_hardware_addr
                ),
                "RFC 826 (Packet Reception): the reply goes to the requester's hardware address",
            );
        }
    }

    /// The two endpoints' judgments.
    pub fn finish(self) -> Vec<Endpoint> {
        self.ends.into()
    }
}

/// A UDP flow, ICMP or ARP exchange judged as its packets come.
pub enum OtherJudge {
    /// A UDP flow.
    Udp(UdpJudge),
    /// An ICMP exchange.
    Icmp(IcmpJudge),
    /// An ARP exchange.
    Arp(ArpJudge),
}

impl OtherJudge {
    /// The judge of the conversation `c` (not TCP), before any of its packets.
    pub fn new(c: &Conversation) -> Option<OtherJudge> {
        match c {
            Conversation::Udp(f) => Some(OtherJudge::Udp(UdpJudge::new(f))),
            Conversation::Icmp(x) => Some(OtherJudge::Icmp(IcmpJudge::new(x))),
            Conversation::Arp(x) => Some(OtherJudge::Arp(ArpJudge::new(x))),
            Conversation::Tcp(_) => None,
        }
    }

    /// Judges the packets `c` holds, in capture order, and takes them out of it.
    pub fn take(&mut self, c: &mut Conversation) {
        match (self, c) {
            (OtherJudge::Udp(j), Conversation::Udp(f)) => {
                let datagrams = std::mem::take(&mut f.datagrams);
                let errors = std::mem::take(&mut f.icmp_errors);
                j.interleaved(&datagrams, &errors);
            }
            (OtherJudge::Icmp(j), Conversation::Icmp(x)) => {
                x.icmp_errors.clear();
                for m in x.messages.drain(..) {
                    j.message(&m);
                }
            }
            (OtherJudge::Arp(j), Conversation::Arp(x)) => {
                for m in x.messages.drain(..) {
                    j.message(&m);
                }
            }
            _ => {}
        }
    }

    /// The two endpoints' judgments.
    pub fn finish(self) -> Vec<Endpoint> {
        match self {
            OtherJudge::Udp(j) => j.finish(),
            OtherJudge::Icmp(j) => j.finish(),
            OtherJudge::Arp(j) => j.finish(),
        }
    }
}
