//! Interface addresses and what an address means to a node (RFC 1122 §3.2.1.3, §3.3.6).

use std::net::Ipv4Addr;

use super::{Received, Route, RoutingTable};
use crate::icmp::OffendingPacket;

/// An address assigned to an interface, with the length of its subnet prefix.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct InterfaceAddr {
    /// Interface number, as in [`Route::interface`].
    pub interface: u8,
    /// The address.
    pub addr: Ipv4Addr,
    /// Subnet prefix length, 0..=32 (larger values are read as 32).
    pub prefix_len: u8,
}

/// The network mask of a prefix length (a length above 32 is read as 32).
pub(crate) fn mask(prefix_len: u8) -> u32 {
    match prefix_len {
        0 => 0,
        n if n >= 32 => u32::MAX,
        n => u32::MAX << (32 - u32::from(n)),
    }
}

impl InterfaceAddr {
    /// The directed broadcast address of this subnet, `{<Network-number>, -1}` (RFC 1122 §3.2.1.3 (e)).
    /// A /31 or /32 has no host part to fill with ones and so no broadcast address
    /// (as RFC 3021 makes explicit for /31).
    pub fn subnet_broadcast(&self) -> Option<Ipv4Addr> {
        (self.prefix_len <= 30)
            .then(|| Ipv4Addr::from(u32::from(self.addr) | !mask(self.prefix_len)))
    }
}

/// What an address means to a particular node (RFC 1122 §3.2.1.3).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum AddressKind {
    /// Assigned to one of this node's interfaces.
    Local {
        /// The interface that holds it.
        interface: u8,
    },
    /// 255.255.255.255, the limited broadcast {-1, -1} (§3.2.1.3 (c)).
    LimitedBroadcast,
    /// The directed broadcast of a subnet this node is attached to (§3.2.1.3 (e)).
    SubnetBroadcast {
        /// The interface on that subnet.
        interface: u8,
    },
    /// 224.0.0.0/4 (RFC 1112). This node joins no group, so none is its own.
    Multicast,
    /// 0.0.0.0/8, "this host on this network" (§3.2.1.3 (a), (b)): a source during
    /// initialisation only, never a destination.
    Unspecified,
    /// 127.0.0.0/8 (§3.2.1.3 (g)): MUST NOT appear outside a host.
    Loopback,
    /// 240.0.0.0/4 other than the limited broadcast (Class E, reserved).
    Reserved,
    /// Any other address: another host's.
    Unicast,
}

/// A host or router: its addresses, its routing table and whether it forwards.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Node {
    /// Addresses of the node's interfaces (several per interface are allowed).
    pub interfaces: Vec<InterfaceAddr>,
    /// The routing table.
    pub routes: RoutingTable,
    /// A router forwards datagrams not addressed to it; a host silently discards them
    /// (RFC 1122 §3.2.1.3).
    pub is_router: bool,
}

impl Node {
    /// A node with the given addresses and a routing table of their directly attached subnets
    /// ([`Route::attached`]); add gateways with [`RoutingTable::add`].
    pub fn new(interfaces: Vec<InterfaceAddr>, is_router: bool) -> Self {
        let mut routes = RoutingTable::new();
        for i in &interfaces {
            routes.insert(Route::attached(i));
        }
        Node {
            interfaces,
            routes,
            is_router,
        }
    }

    /// What `addr` is to this node. Local addresses win over every other reading, then the
    /// limited broadcast, then attached subnet broadcasts, then the fixed special blocks.
    pub fn classify(&self, addr: Ipv4Addr) -> AddressKind {
        if let Some(i) = self.interfaces.iter().find(|i| i.addr == addr) {
            return AddressKind::Local {
                interface: i.interface,
            };
        }
        if addr == Ipv4Addr::BROADCAST {
            return AddressKind::LimitedBroadcast;
        }
        if let Some(i) = self
            .interfaces
            .iter()
            .find(|i| i.subnet_broadcast() == Some(addr))
        {
            return AddressKind::SubnetBroadcast {
                interface: i.interface,
            };
        }
        match addr.octets()[0] {
            0 => AddressKind::Unspecified,
            127 => AddressKind::Loopback,
            224..=239 => AddressKind::Multicast,
            240..=255 => AddressKind::Reserved,
            _ => AddressKind::Unicast,
        }
    }

    /// The source address for a datagram this node originates on `interface`: the first address
    /// assigned to it, or `None` if it has none. RFC 1122 §3.3.4.3 (a host's source address is
    /// one of its addresses, on the interface where that helps routing) and RFC 1812 §4.3.2.4
    /// (an ICMP error a router originates MUST have as source an address of the interface it is
    /// sent on); `icmp::ErrorMessage` leaves this choice to the caller.
    pub fn address_on(&self, interface: u8) -> Option<Ipv4Addr> {
        self.interfaces
            .iter()
            .find(|i| i.interface == interface)
            .map(|i| i.addr)
    }

    /// Is a datagram to `addr` destined for this node? RFC 1122 §3.2.1.3: its own address, or
    /// an IP broadcast address valid for a connected network (the limited broadcast, or the
    /// directed broadcast of an attached subnet); multicast only for joined groups, and this
    /// node joins none. The obsolete zero-filled broadcast forms that §3.3.6 says SHOULD be
    /// accepted are not: 0.0.0.0 and a subnet's zero address stay ordinary addresses.
    pub fn is_mine(&self, addr: Ipv4Addr) -> bool {
        matches!(
            self.classify(addr),
            AddressKind::Local { .. }
                | AddressKind::LimitedBroadcast
                | AddressKind::SubnetBroadcast { .. }
        )
    }

    /// Is `addr` an IP broadcast address for this node (limited or attached directed)?
    pub fn is_broadcast(&self, addr: Ipv4Addr) -> bool {
        matches!(
            self.classify(addr),
            AddressKind::LimitedBroadcast | AddressKind::SubnetBroadcast { .. }
        )
    }

    /// The facts the ICMP error rule (RFC 1122 §3.2.2) needs about a received datagram.
    pub fn offending(&self, pkt: &Received) -> OffendingPacket {
        let subnet_broadcast = |a| matches!(self.classify(a), AddressKind::SubnetBroadcast { .. });
        OffendingPacket {
            src: pkt.src,
            dst: pkt.dst,
            src_is_subnet_broadcast: subnet_broadcast(pkt.src),
            dst_is_subnet_broadcast: subnet_broadcast(pkt.dst),
            link_broadcast: pkt.link_broadcast,
            fragment_offset: pkt.fragment_offset,
            protocol: pkt.protocol,
            icmp_type: pkt.icmp_type,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn iface(interface: u8, addr: [u8; 4]) -> InterfaceAddr {
        InterfaceAddr {
            interface,
            addr: Ipv4Addr::from(addr),
            prefix_len: 24,
        }
    }

    // RFC 1812 §4.3.2.4: an error leaving on interface 2 has interface 2's address as source.
    #[test]
    fn address_on_gives_the_interface_address() {
        let r = Node::new(vec![iface(1, [10, 0, 1, 1]), iface(2, [10, 0, 2, 1])], true);
        assert_eq!(r.address_on(2), Some(Ipv4Addr::new(10, 0, 2, 1)));
        assert_eq!(r.address_on(1), Some(Ipv4Addr::new(10, 0, 1, 1)));
        assert_eq!(r.address_on(3), None);
    }
}
