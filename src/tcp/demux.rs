//! Which connection an arriving segment belongs to (RFC 9293 §3.10.7, "SEGMENT ARRIVES"; the
//! pair of sockets identifies a connection, §3.3.1 and §2.7; RFC 1122 §4.2.3.10).
//!
//! An exact match of the 4-tuple wins; otherwise a LISTEN on the destination port takes it;
//! otherwise the connection is CLOSED, and [`super::reset_for`] says what to answer. TCP is
//! unicast: a segment sent to a broadcast or multicast address is silently discarded
//! (RFC 1122 §4.2.3.10 for SYNs, MUST; no connection can exist for other segments).

use std::collections::HashMap;
use std::net::SocketAddrV4;

/// The pair of sockets that names a connection, seen from this host.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FourTuple {
    /// Our address and port (the segment's destination).
    pub local: SocketAddrV4,
    /// The peer's address and port (the segment's source).
    pub remote: SocketAddrV4,
}

/// Where an arriving segment goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target<H> {
    /// The synchronized or synchronizing connection with this 4-tuple.
    Connection(H),
    /// A LISTEN on the destination port (§3.10.7.2).
    Listener,
    /// No connection: the CLOSED state of §3.10.7.1.
    Closed,
    /// Not a unicast destination: discard silently (RFC 1122 §4.2.3.10).
    NotUnicast,
}

/// Demultiplexes a segment for `tuple`. `listening` says whether a LISTEN holds a local port.
pub fn demux<H: Copy>(
    connections: &HashMap<FourTuple, H>,
    listening: impl Fn(u16) -> bool,
    tuple: &FourTuple,
    dst_is_unicast: bool,
) -> Target<H> {
    if !dst_is_unicast {
        Target::NotUnicast
    } else if let Some(&h) = connections.get(tuple) {
        Target::Connection(h)
    } else if listening(tuple.local.port()) {
        Target::Listener
    } else {
        Target::Closed
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::Ipv4Addr;

    fn t(local_port: u16, remote_port: u16) -> FourTuple {
        FourTuple {
            local: SocketAddrV4::new(Ipv4Addr::new(10, 0, 0, 2), local_port),
            remote: SocketAddrV4::new(Ipv4Addr::new(10, 0, 0, 1), remote_port),
        }
    }

    #[test]
    fn the_exact_four_tuple_wins_over_a_listener() {
        let mut conns = HashMap::new();
        conns.insert(t(80, 5000), 7);
        let listen80 = |p| p == 80;
        assert_eq!(
            demux(&conns, listen80, &t(80, 5000), true),
            Target::Connection(7)
        );
        assert_eq!(
            demux(&conns, listen80, &t(80, 5001), true),
            Target::Listener
        );
        assert_eq!(demux(&conns, listen80, &t(81, 5000), true), Target::Closed);
        assert_eq!(
            demux(&conns, listen80, &t(80, 5000), false),
            Target::NotUnicast
        );
    }
}
