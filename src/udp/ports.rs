//! Ports and demultiplexing (RFC 768 "Fields": source and destination port; RFC 1122 §4.1.3.1).

use std::collections::BTreeMap;

use super::{ChecksumVerdict, Mechanisms};

/// An opaque handle of the socket (application endpoint) that owns a port.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SocketId(pub u32);

/// A UDP datagram as a unit: ports and payload (RFC 768). The payload type is the caller's.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Datagram<P> {
    /// Source port; 0 when the sender expects no reply (RFC 768).
    pub src_port: u16,
    /// Destination port.
    pub dst_port: u16,
    /// The data, delivered whole or not at all.
    pub payload: P,
}

/// A port could not be bound.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum BindError {
    /// Port 0 means "no port" (RFC 768: an unused source port is zero), so nothing binds it.
    PortZero,
    /// Another socket holds the port.
    InUse(SocketId),
}

/// Bound ports and their sockets.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PortTable {
    bound: BTreeMap<u16, SocketId>,
}

impl PortTable {
    /// A table with no bound port.
    pub fn new() -> Self {
        PortTable::default()
    }

    /// Binds `port` to `socket`.
    pub fn bind(&mut self, port: u16, socket: SocketId) -> Result<(), BindError> {
        if port == 0 {
            return Err(BindError::PortZero);
        }
        match self.bound.get(&port) {
            Some(&owner) => Err(BindError::InUse(owner)),
            None => {
                self.bound.insert(port, socket);
                Ok(())
            }
        }
    }

    /// Releases `port`, returning the socket that held it.
    pub fn unbind(&mut self, port: u16) -> Option<SocketId> {
        self.bound.remove(&port)
    }

    /// The socket bound to `port`.
    pub fn lookup(&self, port: u16) -> Option<SocketId> {
        self.bound.get(&port).copied()
    }

    /// Bound ports and their sockets, by port.
    pub fn iter(&self) -> impl Iterator<Item = (u16, SocketId)> + '_ {
        self.bound.iter().map(|(&p, &s)| (p, s))
    }
}

/// Why a received datagram is discarded without any reply.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DiscardReason {
    /// The checksum is wrong (RFC 1122 §4.1.3.4, MUST silently discard).
    BadChecksum,
}

/// The decision about a received datagram.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Receive<P> {
    /// Hand `datagram`, whole, to `socket`.
    Deliver {
        /// The socket bound to the destination port.
        socket: SocketId,
        /// The datagram, unchanged.
        datagram: Datagram<P>,
    },
    /// No socket is bound to the destination port: RFC 1122 §4.1.3.1, SHOULD send ICMP port
    /// unreachable, if `icmp::error_about` allows (RFC 1122 §3.2.2).
    PortUnreachable,
    /// Discard silently.
    Discard(DiscardReason),
}

/// Demultiplexes a received datagram (RFC 768; RFC 1122 §4.1.3.1, §4.1.3.4). The checksum is
/// judged first, so a corrupted destination port never draws a port-unreachable error; then the
/// destination port selects the socket. Broadcast datagrams are delivered like unicast ones.
/// With `discard_bad_checksum` off the verdict is not consulted (hazard U1).
pub fn receive<P>(
    table: &PortTable,
    datagram: Datagram<P>,
    checksum: ChecksumVerdict,
    mech: &Mechanisms,
) -> Receive<P> {
    if mech.discard_bad_checksum && !checksum.accepted() {
        return Receive::Discard(DiscardReason::BadChecksum);
    }
    match table.lookup(datagram.dst_port) {
        Some(socket) => Receive::Deliver { socket, datagram },
        None => Receive::PortUnreachable,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table() -> PortTable {
        let mut t = PortTable::new();
        t.bind(7, SocketId(1)).unwrap();
        t
    }

    fn datagram() -> Datagram<u8> {
        Datagram {
            src_port: 4000,
            dst_port: 7,
            payload: 1,
        }
    }

    // RFC 1122 §4.1.3.4: a non-zero, invalid checksum MUST be silently discarded.
    #[test]
    fn bad_checksum_is_discarded_with_the_mechanism_on() {
        assert_eq!(
            receive(
                &table(),
                datagram(),
                ChecksumVerdict::Invalid,
                &Mechanisms::default()
            ),
            Receive::Discard(DiscardReason::BadChecksum)
        );
    }

    // Hazard U1: without the discard, the verdict is ignored and the datagram is delivered.
    #[test]
    fn bad_checksum_is_delivered_with_the_mechanism_off() {
        let off = Mechanisms {
            discard_bad_checksum: false,
        };
        assert_eq!(
            receive(&table(), datagram(), ChecksumVerdict::Invalid, &off),
            Receive::Deliver {
                socket: SocketId(1),
                datagram: datagram()
            }
        );
    }
}
