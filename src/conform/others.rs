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

use super::{Endpoint, Kind, Verdict, Violation};
use crate::capture::{ArpExchange, Direction, IcmpExchange, IcmpKind, UdpFlow};
use crate::icmp::{Echo, EchoDiscard, EchoId, EchoResponse, Unreachable, respond_to_echo};
use crate::wire::{arp, icmp};

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

/// The two endpoints of an ICMP exchange.
pub fn icmp(x: &IcmpExchange) -> Vec<Endpoint> {
    let mut ends = [
        endpoint(Kind::Icmp, x.a.to_string(), x.b.to_string()),
        endpoint(Kind::Icmp, x.b.to_string(), x.a.to_string()),
    ];
    let why = match x.kind {
        IcmpKind::Echo { .. } => None,
        IcmpKind::Errors => Some("ICMP errors about datagrams the capture does not hold"),
        IcmpKind::Other { .. } => Some("no rule of this crate judges this ICMP type"),
    };
    for (k, m) in x.messages.iter().enumerate() {
        let i = index(m.direction);
        ends[i].segments += 1;
        if let Some(why) = why {
            ends[i].verdict = Verdict::CannotJudge(why.to_string());
            continue;
        }
        let icmp::Repr::EchoReply {
            ident,
            seq_no,
            data,
        } = &m.icmp.repr
        else {
            continue;
        };
        // The reply the rules give to each earlier request (`icmp::respond_to_echo`); the
        // data compared as far as both were captured, the lengths on the wire in full.
        let answered = x.messages[..k].iter().any(|r| {
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
                &mut ends[i],
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
    ends.into()
}

/// The two endpoints of a UDP flow (the ICMP errors their hosts sent about it included).
pub fn udp(f: &UdpFlow) -> Vec<Endpoint> {
    let mut ends = [
        endpoint(Kind::Udp, f.a.to_string(), f.b.to_string()),
        endpoint(Kind::Udp, f.b.to_string(), f.a.to_string()),
    ];
    for d in &f.datagrams {
        ends[index(d.direction)].segments += 1;
    }
    for e in &f.icmp_errors {
        // The error goes back to the quoted datagram's sender: the other end sent it, or a
        // router on the way.
        let receiver = match e.about {
            Direction::FromA => 1,
            Direction::FromB => 0,
        };
        let receiver_addr = if receiver == 0 { *f.a.ip() } else { *f.b.ip() };
        let port_unreachable = matches!(
            e.icmp.repr,
            icmp::Repr::DstUnreachable {
                reason: Unreachable::Port,
                ..
            }
        );
        if e.ip.repr.src_addr != receiver_addr {
            if port_unreachable {
                // Only the destination host knows its ports.
                let sender = 1 - receiver;
                ends[sender].verdict = Verdict::CannotJudge(format!(
                    "a port unreachable from {}, not the datagram's destination",
                    e.ip.repr.src_addr
                ));
            }
            continue;
        }
        ends[receiver].segments += 1;
        let sent_before = f
            .datagrams
            .iter()
            .any(|d| d.direction == e.about && d.frame < e.frame);
        if !sent_before {
            violate(
                &mut ends[receiver],
                e.frame,
                "ICMP error about a datagram not yet sent".to_string(),
                "RFC 1122 §3.2.2, RFC 792: an ICMP error answers a datagram received",
            );
        }
    }
    ends.into()
}

/// The two endpoints of an ARP exchange.
pub fn arp(x: &ArpExchange) -> Vec<Endpoint> {
    let mut ends = [
        endpoint(Kind::Arp, x.a.to_string(), x.b.to_string()),
        endpoint(Kind::Arp, x.b.to_string(), x.a.to_string()),
    ];
    for (k, m) in x.messages.iter().enumerate() {
        let i = index(m.direction);
        ends[i].segments += 1;
        if m.repr.operation != arp::Operation::Reply {
            continue;
        }
        let request = x.messages[..k].iter().rev().find(|r| {
            r.repr.operation == arp::Operation::Request
                && r.repr.target_protocol_addr == m.repr.sender_protocol_addr
                && r.repr.sender_protocol_addr == m.repr.target_protocol_addr
        });
        if let Some(r) = request
            && r.repr.sender_hardware_addr != m.repr.target_hardware_addr
        {
            violate(
                &mut ends[i],
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
    ends.into()
}
