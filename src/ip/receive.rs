//! What becomes of a received datagram: delivered, forwarded or dropped, with the ICMP error
//! that is due (RFC 791 §3.2, RFC 1122 §3.2.1.3, §3.2.1.7, §3.3.6, RFC 792).

use super::IpProtocol;
use std::net::Ipv4Addr;

use super::{AddressKind, Mechanisms, Node};
use crate::icmp::{self, ErrorKind, ErrorMessage, TimeExceeded, Unreachable};

/// The header fields of a received datagram that the delivery rules read, and how it arrived.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Received {
    /// Source address.
    pub src: Ipv4Addr,
    /// Destination address.
    pub dst: Ipv4Addr,
    /// Time to Live as received.
    pub ttl: u8,
    /// Protocol number ([`IpProtocol`]).
    pub protocol: IpProtocol,
    /// Fragment offset in 8-octet units; non-zero for a non-initial fragment.
    pub fragment_offset: u16,
    /// The ICMP type, when `protocol` is ICMP and the type octet is present.
    pub icmp_type: Option<u8>,
    /// Arrived in a link-layer broadcast frame.
    pub link_broadcast: bool,
}

/// Why a datagram is dropped.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DropReason {
    /// The source is a broadcast, multicast or loopback address: RFC 1122 §3.2.1.3, MUST
    /// silently discard.
    InvalidSource,
    /// A unicast destination in a link-layer broadcast frame: RFC 1122 §3.3.6, SHOULD silently
    /// discard.
    UnicastInLinkBroadcast,
    /// A host received a datagram not destined for it: RFC 1122 §3.2.1.3, MUST silently
    /// discard.
    NotForMe,
    /// A router will not forward to this destination: zero, loopback, multicast or reserved
    /// (RFC 1122 §3.2.1.3: these never name a remote host; no multicast routing here).
    NotForwardable,
    /// A router has no route to the destination (RFC 792 Destination Unreachable, code 0).
    NoRoute,
    /// A router would forward with TTL 0 (RFC 791 §3.2; RFC 792 Time Exceeded, code 0).
    InTransit,
}

/// The decision about a received datagram.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Decision {
    /// Hand it to this node's upper layers (see [`demux_protocol`]).
    DeliverLocally,
    /// Send it on, with its TTL replaced by `new_ttl`.
    Forward {
        /// The neighbour to hand it to: the route's gateway, or the destination itself.
        next_hop: Ipv4Addr,
        /// Outgoing interface.
        interface: u8,
        /// TTL for the forwarded copy.
        new_ttl: u8,
    },
    /// Discard it, sending `icmp` if that is `Some` (already cleared by RFC 1122 §3.2.2).
    Drop {
        /// Why.
        reason: DropReason,
        /// The ICMP error to send about it, if any.
        icmp: Option<ErrorMessage>,
    },
}

fn drop_silently(reason: DropReason) -> Decision {
    Decision::Drop { reason, icmp: None }
}

/// Decides the fate of a datagram received by `node`, in this order:
///
/// 1. an invalid source (limited or subnet broadcast, multicast, loopback) is silently
///    discarded (RFC 1122 §3.2.1.3, MUST); 0.0.0.0/8 sources pass, since they are legal during
///    initialisation (§3.2.1.3 (a), (b));
/// 2. a link-layer broadcast with a unicast destination is silently discarded (§3.3.6, SHOULD);
/// 3. a datagram destined for the node ([`Node::is_mine`]) is delivered, whatever its TTL
///    (§3.2.1.7: a host MUST NOT discard a datagram just because it arrived with TTL below 2);
///    with `deliver_by_address` off every datagram is (hazard I3);
/// 4. a host silently discards any other datagram (§3.2.1.3, MUST);
/// 5. a router drops destinations that name no remote host, then those without a route
///    (RFC 792 net unreachable), then those whose TTL would reach 0 (RFC 791 §3.2; RFC 792 time
///    exceeded in transit), and forwards the rest with TTL decremented by one. With `ttl` off
///    the TTL is neither checked nor decremented (hazard I1).
pub fn receive(
    node: &Node,
    pkt: &Received,
    mech: &Mechanisms,
    icmp_mech: &icmp::Mechanisms,
) -> Decision {
    use AddressKind::*;
    if matches!(
        node.classify(pkt.src),
        LimitedBroadcast | SubnetBroadcast { .. } | Multicast | Loopback
    ) {
        return drop_silently(DropReason::InvalidSource);
    }
    let dst_kind = node.classify(pkt.dst);
    if pkt.link_broadcast
        && !matches!(
            dst_kind,
            LimitedBroadcast | SubnetBroadcast { .. } | Multicast
        )
    {
        return drop_silently(DropReason::UnicastInLinkBroadcast);
    }
    if !mech.deliver_by_address || node.is_mine(pkt.dst) {
        return Decision::DeliverLocally;
    }
    if !node.is_router {
        return drop_silently(DropReason::NotForMe);
    }
    if matches!(dst_kind, Unspecified | Loopback | Multicast | Reserved) {
        return drop_silently(DropReason::NotForwardable);
    }
    let offending = node.offending(pkt);
    let Some(route) = node.routes.lookup(pkt.dst) else {
        return Decision::Drop {
            reason: DropReason::NoRoute,
            icmp: icmp::error_about(
                &offending,
                ErrorKind::DestUnreachable(Unreachable::Net),
                icmp_mech,
            ),
        };
    };
    let new_ttl = if mech.ttl {
        if pkt.ttl <= 1 {
            return Decision::Drop {
                reason: DropReason::InTransit,
                icmp: icmp::error_about(
                    &offending,
                    ErrorKind::TimeExceeded(TimeExceeded::InTransit),
                    icmp_mech,
                ),
            };
        }
        pkt.ttl - 1
    } else {
        pkt.ttl
    };
    Decision::Forward {
        next_hop: route.next_hop.unwrap_or(pkt.dst),
        interface: route.interface,
        new_ttl,
    }
}

/// Which upper layer takes a locally delivered datagram.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Upper {
    /// The protocol with this number is implemented here: hand the datagram to it.
    Protocol(IpProtocol),
    /// The protocol is not implemented: discard, sending `icmp` if `Some`
    /// (RFC 1122 §3.2.2.1: SHOULD send Destination Unreachable, protocol unreachable).
    ProtocolUnreachable {
        /// The ICMP error to send, if RFC 1122 §3.2.2 allows one.
        icmp: Option<ErrorMessage>,
    },
}

/// Demultiplexes a locally delivered datagram by its protocol field (RFC 791 §3.1 "Protocol")
/// among the `supported` protocol numbers.
pub fn demux_protocol(
    node: &Node,
    pkt: &Received,
    supported: &[IpProtocol],
    icmp_mech: &icmp::Mechanisms,
) -> Upper {
    if supported.contains(&pkt.protocol) {
        return Upper::Protocol(pkt.protocol);
    }
    Upper::ProtocolUnreachable {
        icmp: icmp::error_about(
            &node.offending(pkt),
            ErrorKind::DestUnreachable(Unreachable::Protocol),
            icmp_mech,
        ),
    }
}
