//! Where a datagram this node originates goes (RFC 1122 §3.3.1 routing outbound datagrams,
//! §3.3.6 broadcasts, §3.2.1.3 addresses that must not be sent to).

use std::net::Ipv4Addr;

use super::{AddressKind, Node};

/// The decision for an outbound datagram.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Output {
    /// The destination is this node (one of its addresses, or 127/8): loop it back internally
    /// (RFC 1122 §3.2.1.3 (g)); it never reaches a link.
    Loopback,
    /// Send on `interface`. For a unicast `next_hop`, resolve its link address (ARP); for
    /// `link_broadcast`, use the link broadcast address and no resolution (RFC 1122 §3.3.6).
    Transmit {
        /// Outgoing interface.
        interface: u8,
        /// The neighbour to hand it to: the gateway or the destination itself.
        next_hop: Ipv4Addr,
        /// The destination is an IP broadcast: send in a link-layer broadcast frame.
        link_broadcast: bool,
    },
    /// No route covers the destination (RFC 1122 §3.3.1): the caller reports it to the upper
    /// layer.
    NoRoute,
    /// The destination is the zero network, multicast (not supported here) or reserved
    /// (RFC 1122 §3.2.1.3: never a destination).
    InvalidDestination,
}

/// Routes a datagram from this node to `dst` (RFC 1122 §3.3.1): local and loopback addresses
/// loop back; the directed broadcast of an attached subnet goes out on that subnet as a link
/// broadcast; the limited broadcast goes out as a link broadcast on the interface of the route
/// that covers 255.255.255.255, or else on the node's first interface; a unicast destination
/// follows the longest-prefix match.
pub fn output(node: &Node, dst: Ipv4Addr) -> Output {
    match node.classify(dst) {
        AddressKind::Local { .. } | AddressKind::Loopback => Output::Loopback,
        AddressKind::SubnetBroadcast { interface } => Output::Transmit {
            interface,
            next_hop: dst,
            link_broadcast: true,
        },
        AddressKind::LimitedBroadcast => {
            let interface = node
                .routes
                .lookup(dst)
                .map(|r| r.interface)
                .or_else(|| node.interfaces.first().map(|i| i.interface));
            match interface {
                Some(interface) => Output::Transmit {
                    interface,
                    next_hop: dst,
                    link_broadcast: true,
                },
                None => Output::NoRoute,
            }
        }
        AddressKind::Unspecified | AddressKind::Multicast | AddressKind::Reserved => {
            Output::InvalidDestination
        }
        AddressKind::Unicast => match node.routes.lookup(dst) {
            Some(r) => Output::Transmit {
                interface: r.interface,
                next_hop: r.next_hop.unwrap_or(dst),
                link_broadcast: false,
            },
            None => Output::NoRoute,
        },
    }
}
