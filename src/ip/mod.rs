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

/// IP protocol numbers (assigned numbers, as cited by RFC 791 §3.1 "Protocol").
pub mod protocol {
    /// ICMP (RFC 792).
    pub const ICMP: u8 = 1;
    /// TCP (RFC 9293).
    pub const TCP: u8 = 6;
    /// UDP (RFC 768).
    pub const UDP: u8 = 17;
}

/// The TTL this crate's nodes put on datagrams they originate. RFC 1122 §3.2.1.7: a host MUST NOT
/// send TTL 0 and takes its default from Assigned Numbers, which gives 64 (RFC 1700).
pub const DEFAULT_TTL: u8 = 64;
