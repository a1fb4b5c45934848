//! ICMP error messages as data (RFC 792) and the rule of when none may be sent (RFC 1122
//! §3.2.2).

use crate::ip::IpProtocol;
use std::net::Ipv4Addr;

use super::{Mechanisms, MessageClass, classify, types};

/// The codes of Destination Unreachable (RFC 792, type 3): one type for the rules and the
/// codec (`wire::icmp::Unreachable`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
pub enum Unreachable {
    /// Code 0: no route to the destination network.
    Net,
    /// Code 1: the destination host cannot be reached (e.g. address resolution failed).
    Host,
    /// Code 2: the destination does not implement the transport protocol
    /// (RFC 1122 §3.2.2.1, SHOULD).
    Protocol,
    /// Code 3: no process listens on the destination port (RFC 1122 §4.1.3.1, SHOULD).
    Port,
    /// Code 4: fragmentation needed and DF set, with the MTU of the next hop (RFC 1191 §4;
    /// 0 from routers that predate it).
    FragmentationNeeded {
        /// MTU of the link the datagram did not fit.
        next_hop_mtu: u16,
    },
    /// Code 5: source route failed.
    SourceRouteFailed,
    /// Any other code (RFC 1122 §3.2.2.1 and RFC 1812 define 6 to 15).
    Other(u8),
}

impl Unreachable {
    /// The RFC 792 code number.
    pub const fn code(self) -> u8 {
        match self {
            Unreachable::Net => 0,
            Unreachable::Host => 1,
            Unreachable::Protocol => 2,
            Unreachable::Port => 3,
            Unreachable::FragmentationNeeded { .. } => 4,
            Unreachable::SourceRouteFailed => 5,
            Unreachable::Other(code) => code,
        }
    }
}

/// The codes of Time Exceeded (RFC 792, type 11): one type for the rules and the codec.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
pub enum TimeExceeded {
    /// Code 0: the time to live reached zero in transit (RFC 791 §3.2 "Time to Live").
    InTransit,
    /// Code 1: fragment reassembly time exceeded.
    Reassembly,
    /// Any other code.
    Other(u8),
}

impl TimeExceeded {
    /// The RFC 792 code number.
    pub const fn code(self) -> u8 {
        match self {
            TimeExceeded::InTransit => 0,
            TimeExceeded::Reassembly => 1,
            TimeExceeded::Other(code) => code,
        }
    }
}

/// An ICMP error this crate can decide to send (RFC 792).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
pub enum ErrorKind {
    /// Destination Unreachable with its code.
    DestUnreachable(Unreachable),
    /// Time Exceeded with its code.
    TimeExceeded(TimeExceeded),
}

impl ErrorKind {
    /// The RFC 792 type number.
    pub const fn icmp_type(self) -> u8 {
        match self {
            ErrorKind::DestUnreachable(_) => types::DEST_UNREACHABLE,
            ErrorKind::TimeExceeded(_) => types::TIME_EXCEEDED,
        }
    }

    /// The RFC 792 code number.
    pub const fn code(self) -> u8 {
        match self {
            ErrorKind::DestUnreachable(u) => u.code(),
            ErrorKind::TimeExceeded(t) => t.code(),
        }
    }
}

/// What the error rules need to know about the datagram that provoked an error.
///
/// `ip::Node::offending` builds one from a received datagram; the broadcast flags need the
/// node's subnets, which this module does not know.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct OffendingPacket {
    /// IP source address; the error would be sent there.
    pub src: Ipv4Addr,
    /// IP destination address.
    pub dst: Ipv4Addr,
    /// `src` is a directed broadcast address of a subnet the receiver is attached to.
    pub src_is_subnet_broadcast: bool,
    /// `dst` is a directed broadcast address of a subnet the receiver is attached to. (The
    /// limited broadcast and multicast addresses are recognised from `dst` itself.)
    pub dst_is_subnet_broadcast: bool,
    /// The datagram arrived in a link-layer broadcast frame.
    pub link_broadcast: bool,
    /// IP fragment offset, in 8-octet units; non-zero for a non-initial fragment.
    pub fragment_offset: u16,
    /// IP protocol number.
    pub protocol: IpProtocol,
    /// The ICMP type, when `protocol` is ICMP and the type octet was readable.
    pub icmp_type: Option<u8>,
}

/// Why RFC 1122 §3.2.2 forbids an ICMP error about a datagram. These restrictions take
/// precedence over every requirement elsewhere to send one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Forbidden {
    /// The datagram is an ICMP error message (or an ICMP message whose type is unknown or
    /// unreadable, treated the same way; see [`MessageClass::Unknown`]).
    AboutIcmpError,
    /// The datagram was sent to an IP broadcast address.
    ToBroadcast,
    /// The datagram was sent to an IP multicast address.
    ToMulticast,
    /// The datagram arrived as a link-layer broadcast.
    LinkBroadcast,
    /// The datagram is a non-initial fragment.
    NonInitialFragment,
    /// The source address does not name a single host (zero, loopback, broadcast, multicast
    /// or Class E).
    SourceNotSingleHost,
}

/// Does `addr` define a single host, in the sense of RFC 1122 §3.2.2? Not the zero network
/// 0/8, loopback 127/8, multicast 224/4 or Class E 240/4 (which holds the limited broadcast).
/// Directed broadcasts need subnet knowledge and are flagged in [`OffendingPacket`].
pub fn is_single_host(addr: Ipv4Addr) -> bool {
    let first = addr.octets()[0];
    !(first == 0 || first == 127 || first >= 224)
}

/// The RFC 1122 §3.2.2 rule: the reason an ICMP error message MUST NOT be sent about `p`, or
/// `None` if one may be. Checked in the order the RFC lists them.
///
/// With `no_error_about_error` switched off the first rule is skipped (hazard U2); the others
/// always apply.
pub fn forbidden(p: &OffendingPacket, mech: &Mechanisms) -> Option<Forbidden> {
    let is_icmp_error = p.protocol == IpProtocol::Icmp
        && p.fragment_offset == 0
        && !matches!(p.icmp_type.map(classify), Some(MessageClass::Query));
    if mech.no_error_about_error && is_icmp_error {
        return Some(Forbidden::AboutIcmpError);
    }
    if p.dst == Ipv4Addr::BROADCAST || p.dst_is_subnet_broadcast {
        return Some(Forbidden::ToBroadcast);
    }
    if p.dst.is_multicast() {
        return Some(Forbidden::ToMulticast);
    }
    if p.link_broadcast {
        return Some(Forbidden::LinkBroadcast);
    }
    if p.fragment_offset != 0 {
        return Some(Forbidden::NonInitialFragment);
    }
    if !is_single_host(p.src) || p.src_is_subnet_broadcast {
        return Some(Forbidden::SourceNotSingleHost);
    }
    None
}

/// May an ICMP error be sent about `p`? (RFC 1122 §3.2.2; see [`forbidden`].)
pub fn may_send_error_about(p: &OffendingPacket, mech: &Mechanisms) -> bool {
    forbidden(p, mech).is_none()
}

/// An ICMP error to send: its kind and its IP destination, the offending datagram's source
/// (RFC 792). The caller quotes the offending IP header and its first 64 data bits, and takes
/// as IP source an address of the interface the error leaves on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ErrorMessage {
    /// Where the error goes: the offending datagram's source address.
    pub to: Ipv4Addr,
    /// Type and code.
    pub kind: ErrorKind,
}

/// The error of `kind` about `p`, or `None` when RFC 1122 §3.2.2 forbids sending it.
pub fn error_about(
    p: &OffendingPacket,
    kind: ErrorKind,
    mech: &Mechanisms,
) -> Option<ErrorMessage> {
    may_send_error_about(p, mech).then_some(ErrorMessage { to: p.src, kind })
}
