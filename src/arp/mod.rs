//! ARP rules: RFC 826 (packet generation and the packet-reception algorithm with its merge
//! flag) and RFC 1122 §2.3.2 (§2.3.2.1 cache timeout and flood prevention, §2.3.2.2 queueing
//! packets while an address is being resolved).
//!
//! A [`Cache`] maps IPv4 addresses on one link to hardware addresses. Its entries are
//! `Incomplete` (a request is out; packets wait) or `Resolved`. Three events drive it:
//! [`Cache::send`] (an IP packet needs the link address of its next hop), [`Cache::receive`] (an
//! ARP packet arrived) and [`Cache::tick`] (time passed: retry, give up, expire). Each returns
//! [`Action`]s for the caller to perform. Hardware and protocol type and length checks (the
//! first questions of RFC 826's algorithm) belong to the wire codec, which only yields
//! Ethernet/IPv4 packets.
//!
//! Times are `u64` ticks of the caller's clock; [`Config::new`]'s defaults read them as
//! milliseconds.

mod cache;
mod packet;
mod receive;

pub use cache::{Cache, Entry};
pub use packet::{ArpPacket, Operation};
pub use receive::{Ignore, Reception, Update};

use std::net::Ipv4Addr;

use crate::icmp::{ErrorKind, Unreachable};

/// A 48-bit hardware (Ethernet) address: one type for the rules and the codecs (the Ethernet
/// codec names it `wire::EthernetAddress`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct HwAddr(pub [u8; 6]);

impl HwAddr {
    /// The link broadcast address ff:ff:ff:ff:ff:ff, where requests go.
    pub const BROADCAST: HwAddr = HwAddr([0xFF; 6]);
    /// All zeros: the "unknown" target hardware address of a request.
    pub const ZERO: HwAddr = HwAddr([0; 6]);

    /// The six octets.
    pub const fn octets(&self) -> [u8; 6] {
        self.0
    }

    /// Whether this is ff:ff:ff:ff:ff:ff.
    pub fn is_broadcast(&self) -> bool {
        *self == Self::BROADCAST
    }

    /// Whether this is a group address (the I/G bit of the first octet; broadcast included).
    pub fn is_multicast(&self) -> bool {
        self.0[0] & 0x01 != 0
    }

    /// Names a single station: neither zero nor a group (multicast or broadcast) address.
    pub fn is_unicast(&self) -> bool {
        !self.is_multicast() && *self != HwAddr::ZERO
    }
}

impl std::fmt::Display for HwAddr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let [a, b, c, d, e, g] = self.0;
        write!(f, "{a:02x}:{b:02x}:{c:02x}:{d:02x}:{e:02x}:{g:02x}")
    }
}

/// The ARP mechanisms a model may switch off to rediscover a hazard; all on by default.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Mechanisms {
    /// A reply creates no entry: only a request addressed to this node may create one, and
    /// replies can only update existing entries (RFC 826's merge). Off, any reply creates or
    /// overwrites the entry for its sender, addressed to this node or not (hazard A1, cache
    /// poisoning). See [`Cache::receive`].
    pub ignore_unsolicited_replies: bool,
    /// At most [`Config::max_pending`] packets wait per unresolved address; the oldest is
    /// dropped, with a reason, to make room (RFC 1122 §2.3.2.2). Off, the queue is unbounded
    /// (hazard A2).
    pub bounded_pending_queue: bool,
}

impl Default for Mechanisms {
    fn default() -> Self {
        Mechanisms {
            ignore_unsolicited_replies: true,
            bounded_pending_queue: true,
        }
    }
}

/// This node's identity on the link and the cache's parameters.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Config {
    /// This node's hardware address on the link.
    pub hw: HwAddr,
    /// This node's IPv4 address on the link.
    pub ip: Ipv4Addr,
    /// The length of the subnet prefix of [`ip`](Self::ip): only senders inside that subnet
    /// are added to the cache ([`Ignore::OffSubnet`]). 0 puts every address on the subnet.
    pub prefix_len: u8,
    /// The most entries the cache holds (0 is read as 1); a new entry beyond it evicts one,
    /// see [`Cache::send`] and [`Cache::receive`].
    pub capacity: usize,
    /// Requests re-sent after the first before giving up: `1 + max_retries` requests in all.
    pub max_retries: u32,
    /// Ticks between requests for one address. RFC 1122 §2.3.2.1 MUST prevent ARP flooding and
    /// recommends at most one request per second per destination.
    pub retry_interval: u64,
    /// Ticks a resolved entry stays valid (RFC 1122 §2.3.2.1: MUST flush out-of-date entries;
    /// a timeout is one of its suggested means).
    pub entry_lifetime: u64,
    /// Packets kept per unresolved address with `bounded_pending_queue` on. RFC 1122 §2.3.2.2:
    /// SHOULD save at least one, the latest; a value of 0 is read as 1.
    pub max_pending: usize,
}

impl Config {
    /// The parameters used unless a caller needs others, in milliseconds, for a node at
    /// `ip`/`prefix_len`: 2 retries (3 requests, as Linux's default), one second apart (RFC
    /// 1122 §2.3.2.1), entries valid for 60 s, 3 packets queued per address, and at most 1024
    /// entries (Linux's hard limit on its neighbour table, `gc_thresh3`).
    pub fn new(hw: HwAddr, ip: Ipv4Addr, prefix_len: u8) -> Self {
        Config {
            hw,
            ip,
            prefix_len,
            capacity: 1024,
            max_retries: 2,
            retry_interval: 1_000,
            entry_lifetime: 60_000,
            max_pending: 3,
        }
    }
}

impl Config {
    /// Whether `addr` lies in this node's subnet ([`ip`](Self::ip)/[`prefix_len`](Self::prefix_len)).
    pub fn on_subnet(&self, addr: Ipv4Addr) -> bool {
        let bits = u32::from(self.prefix_len.min(32));
        let mask = u32::MAX.checked_shl(32 - bits).unwrap_or(0);
        u32::from(addr) & mask == u32::from(self.ip) & mask
    }
}

/// Why a packet waiting for resolution was dropped.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DropReason {
    /// The queue for its address was full; it was the oldest (RFC 1122 §2.3.2.2 keeps the
    /// latest).
    QueueFull,
    /// Every request went unanswered: the next hop is unreachable.
    ResolutionFailed,
    /// Its entry was evicted from a full cache to make room for another address
    /// ([`Config::capacity`]).
    Evicted,
}

impl DropReason {
    /// The ICMP error due about the dropped packet: host unreachable when resolution failed
    /// (RFC 792, code 1), none for a queue overflow or an eviction. The caller still applies
    /// `icmp::error_about` (RFC 1122 §3.2.2).
    pub fn icmp_error(self) -> Option<ErrorKind> {
        match self {
            DropReason::QueueFull | DropReason::Evicted => None,
            DropReason::ResolutionFailed => Some(ErrorKind::DestUnreachable(Unreachable::Host)),
        }
    }
}

/// What the caller must do.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Action<P> {
    /// Broadcast this ARP request on the link.
    SendRequest {
        /// The request.
        packet: ArpPacket,
    },
    /// Send this ARP reply to `to` (the requester).
    SendReply {
        /// The reply.
        packet: ArpPacket,
        /// The requester's hardware address.
        to: HwAddr,
    },
    /// Send this waiting (or new) IP packet in a frame to `hw`.
    Transmit {
        /// The packet.
        packet: P,
        /// The next hop's hardware address.
        hw: HwAddr,
    },
    /// This waiting packet will not be sent.
    DropPending {
        /// The packet.
        packet: P,
        /// Why.
        reason: DropReason,
    },
    /// Nothing to send: the entry of `ip` was evicted from the full cache (count it).
    Evicted {
        /// The address whose entry was removed.
        ip: Ipv4Addr,
    },
}
