//! IPv4 delivery rules: RFC 791 §3.2 (addressing, Time to Live) and RFC 1122 §3.2.1.3
//! (addressing: which datagrams are for this host, which sources are invalid), §3.2.1.7 (TTL),
//! §3.3.1 (routing outbound datagrams), §3.3.6 (broadcasts), with the forwarding step of a
//! router (RFC 791 §3.2 "Time to Live"; RFC 792 Destination Unreachable and Time Exceeded).
//!
//! A [`Node`] is a host or a router: its interface addresses, its routing table (longest-prefix
//! match), and whether it forwards. [`receive`] decides what becomes of a received datagram,
//! [`demux_protocol`] which upper layer takes a local one, and [`output`] where a datagram this
//! node originates goes. When an ICMP error is due, the decision carries it, already filtered
//! by the `icmp` rule of RFC 1122 §3.2.2. Reassembly of fragments and IP options are not
//! modelled; fragment offsets only matter to the ICMP error rule.

mod addr;
mod output;
mod receive;
mod route;

pub use addr::{AddressKind, InterfaceAddr, Node};
pub use output::{Output, output};
pub use receive::{Decision, DropReason, Received, Upper, demux_protocol, receive};
pub use route::{Route, RouteError, RoutingTable};

/// The IP mechanisms a model may switch off to rediscover a hazard; all on by default.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Mechanisms {
    /// RFC 791 §3.2: a forwarding node decrements the Time to Live and destroys a datagram whose
    /// TTL would reach zero. Off, TTL is neither decremented nor checked (hazard I1: a datagram
    /// caught in a routing loop circulates forever).
    pub ttl: bool,
    /// RFC 791 §3.2 / RFC 1122 §3.2.1.3: a node takes a datagram as its own only if the
    /// destination is one of its addresses or a broadcast address of an attached network. Off,
    /// every received datagram that survives the source and link-broadcast checks is delivered
    /// locally, by hosts and routers alike (hazard I3: a datagram reaches a host that does not
    /// own the address).
    pub deliver_by_address: bool,
}

impl Default for Mechanisms {
    fn default() -> Self {
        Mechanisms {
            ttl: true,
            deliver_by_address: true,
        }
    }
}

/// The Protocol field (RFC 791 §3.1; numbers from the IANA registry): one type for the rules
/// and the codecs (`wire::IpProtocol`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IpProtocol {
    /// 1, ICMP (RFC 792).
    Icmp,
    /// 6, TCP (RFC 9293).
    Tcp,
    /// 17, UDP (RFC 768).
    Udp,
    /// Any other protocol number.
    Unknown(u8),
}

impl From<u8> for IpProtocol {
    fn from(value: u8) -> Self {
        match value {
            1 => IpProtocol::Icmp,
            6 => IpProtocol::Tcp,
            17 => IpProtocol::Udp,
            other => IpProtocol::Unknown(other),
        }
    }
}

/// Ordered by protocol number.
impl Ord for IpProtocol {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        u8::from(*self).cmp(&u8::from(*other))
    }
}

impl PartialOrd for IpProtocol {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl From<IpProtocol> for u8 {
    fn from(value: IpProtocol) -> Self {
        match value {
            IpProtocol::Icmp => 1,
            IpProtocol::Tcp => 6,
            IpProtocol::Udp => 17,
            IpProtocol::Unknown(other) => other,
        }
    }
}

/// The TTL this crate's nodes put on datagrams they originate. RFC 1122 §3.2.1.7: a host MUST NOT
/// send TTL 0 and takes its default from Assigned Numbers, which gives 64 (RFC 1700).
pub const DEFAULT_TTL: u8 = 64;
