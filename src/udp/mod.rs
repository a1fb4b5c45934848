//! UDP rules: RFC 768 (ports, the checksum and its zero convention) and RFC 1122 §4.1
//! (§4.1.3.1 port unreachable, §4.1.3.4 checksum verification).
//!
//! UDP keeps no connection state. A [`PortTable`] maps bound ports to sockets; [`receive`]
//! checks a datagram's checksum verdict and hands the whole datagram, as one unit, to the
//! socket bound to its destination port, or says that the port is unreachable. Datagram
//! boundaries hold by construction: one [`Datagram`] in, at most one out, never split or
//! merged. Whether the port-unreachable error may actually be sent is the ICMP rule
//! (`icmp::error_about`, RFC 1122 §3.2.2), which the caller applies.

mod checksum;
mod ports;

pub use checksum::{ChecksumVerdict, transmitted_checksum, verify_checksum};
pub use ports::{BindError, Datagram, DiscardReason, PortTable, Receive, SocketId, receive};

/// The UDP mechanisms a model may switch off to rediscover a hazard; all on by default.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Mechanisms {
    /// RFC 1122 §4.1.3.4: a datagram whose checksum is non-zero and invalid MUST be silently
    /// discarded. Off, [`receive`] ignores the verdict and a datagram corrupted on a link is
    /// delivered as if it were what the sender sent (hazard U1: datagram integrity).
    pub discard_bad_checksum: bool,
}

impl Default for Mechanisms {
    fn default() -> Self {
        Mechanisms {
            discard_bad_checksum: true,
        }
    }
}
