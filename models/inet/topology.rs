//! The stations of the internet-layer models and the one topology they share: hosts A and B,
//! routers R1 and R2, in three routing configurations.

use crate::ip::{self, Node};
use std::net::Ipv4Addr;

/// A station: a host or router under a name, with the routing tables the environment may put
/// in force (one for most stations).
#[derive(Clone)]
pub struct Station {
    /// Name in traces.
    pub name: &'static str,
    /// Alternative configurations of the node; they differ only in their routing tables.
    pub tables: Vec<Node>,
}

/// The stations of one configuration.
#[derive(Clone)]
pub struct Topology {
    /// Stations, indexed by their number.
    pub stations: Vec<Station>,
}

impl Topology {
    /// The node of station `s` with table `t` in force.
    pub fn node(&self, s: u8, t: u8) -> &Node {
        &self.stations[usize::from(s)].tables[usize::from(t)]
    }

    /// The name of station `s`.
    pub fn name(&self, s: u8) -> &'static str {
        self.stations[usize::from(s)].name
    }

    /// The station with `addr` on one of its interfaces: where a frame for the neighbour `addr`
    /// goes (the link layer's job). Ghost: also the address plan the properties read.
    pub fn station_of(&self, addr: Ipv4Addr) -> Option<u8> {
        self.stations
            .iter()
            .position(|s| s.tables[0].interfaces.iter().any(|i| i.addr == addr))
            .map(|i| i as u8)
    }

    /// An address as a trace shows it: the station's name, or the address if nobody has it.
    pub fn show(&self, addr: Ipv4Addr) -> String {
        match self.station_of(addr) {
            Some(s) => self.name(s).to_string(),
            None => addr.to_string(),
        }
    }
}

/// Builds a station's node from `(interface, address, prefix length)` and gateway routes
/// `(prefix, prefix length, gateway, interface)`.
pub fn node(
    ifaces: &[(u8, [u8; 4], u8)],
    gateways: &[([u8; 4], u8, [u8; 4], u8)],
    is_router: bool,
) -> Node {
    let interfaces = ifaces
        .iter()
        .map(|&(interface, a, prefix_len)| ip::InterfaceAddr {
            interface,
            addr: Ipv4Addr::from(a),
            prefix_len,
        })
        .collect();
    let mut n = Node::new(interfaces, is_router);
    for &(prefix, len, via, interface) in gateways {
        let r = ip::Route::via(Ipv4Addr::from(prefix), len, Ipv4Addr::from(via), interface);
        n.routes.add(r).expect("prefix length at most 32");
    }
    n
}

/// Address of host A (network 10.0.1.0/24).
pub const A: [u8; 4] = [10, 0, 1, 10];
/// Address of host B (network 10.0.3.0/24).
pub const B: [u8; 4] = [10, 0, 3, 20];
/// An address no router has a route for.
pub const NOWHERE: [u8; 4] = [10, 0, 9, 9];

/// The names of the stations of [`two_routers`], by number ([`st`]).
pub const STATION_NAMES: [&str; 4] = ["A", "R1", "R2", "B"];

/// Station numbers in [`two_routers`].
pub mod st {
    /// Host A.
    pub const A: u8 = 0;
    /// Router R1.
    pub const R1: u8 = 1;
    /// Router R2.
    pub const R2: u8 = 2;
    /// Host B.
    pub const B: u8 = 3;
}

/// How R1 and R2 route to B in [`two_routers`].
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Routing {
    /// R1 may hand B's traffic to R2 (long path A-R1-R2-B) or deliver it directly (short path
    /// A-R1-B): two tables, in that order; the environment picks one for each decision.
    TwoPaths,
    /// R1 sends B's traffic to R2 and R2 sends it back to R1: a routing loop.
    Loop,
    /// R1 has a stale host route for A via R2, and R2 no route back to A's network: packets for
    /// A die at R2 (used to provoke an error about an error).
    NoWayBack,
}

/// Hosts A (10.0.1.10) and B (10.0.3.20) and routers R1 and R2:
///
/// ```text
///   A --net1-- R1 --net2-- R2
///              |           |
///              +---net3----+-- B
/// ```
///
/// R1 is on all three networks, R2 on net2 and net3. A's default gateway is R1, B's is R1.
pub fn two_routers(routing: Routing) -> Topology {
    let r1_ifaces = [
        (1, [10, 0, 1, 1], 24),
        (2, [10, 0, 2, 1], 24),
        (3, [10, 0, 3, 1], 24),
    ];
    let r2_ifaces = [(2, [10, 0, 2, 2], 24), (3, [10, 0, 3, 2], 24)];
    let b_via_r2 = (B, 32, [10, 0, 2, 2], 2);
    let a_net_via_r1 = ([10, 0, 1, 0], 24, [10, 0, 2, 1], 2);
    let (r1, r2) = match routing {
        Routing::TwoPaths => (
            vec![
                node(&r1_ifaces, &[b_via_r2], true),
                node(&r1_ifaces, &[], true),
            ],
            vec![node(&r2_ifaces, &[a_net_via_r1], true)],
        ),
        Routing::Loop => (
            vec![node(&r1_ifaces, &[b_via_r2], true)],
            vec![node(
                &r2_ifaces,
                &[a_net_via_r1, (B, 32, [10, 0, 2, 1], 2)],
                true,
            )],
        ),
        Routing::NoWayBack => (
            vec![node(&r1_ifaces, &[(A, 32, [10, 0, 2, 2], 2)], true)],
            vec![node(&r2_ifaces, &[], true)],
        ),
    };
    let a = node(&[(1, A, 24)], &[([0; 4], 0, [10, 0, 1, 1], 1)], false);
    let b = node(&[(1, B, 24)], &[([0; 4], 0, [10, 0, 3, 1], 1)], false);
    Topology {
        stations: vec![
            Station {
                name: STATION_NAMES[st::A as usize],
                tables: vec![a],
            },
            Station {
                name: STATION_NAMES[st::R1 as usize],
                tables: r1,
            },
            Station {
                name: STATION_NAMES[st::R2 as usize],
                tables: r2,
            },
            Station {
                name: STATION_NAMES[st::B as usize],
                tables: vec![b],
            },
        ],
    }
}
