//! IPv4 delivery, routing and forwarding rules: RFC 791 §3.2, RFC 1122 §3.2.1.3, §3.2.1.7,
//! §3.3.1, §3.3.6.

use std::net::Ipv4Addr;

use proptest::prelude::*;
use tcpip_spec::icmp::{self, ErrorKind, ErrorMessage, TimeExceeded, Unreachable};
use tcpip_spec::ip::{
    AddressKind, Decision, DropReason, InterfaceAddr, IpProtocol, Mechanisms, Node, Output,
    Received, Route, RouteError, RoutingTable, Upper, demux_protocol, output, receive,
};

const fn ip(a: u8, b: u8, c: u8, d: u8) -> Ipv4Addr {
    Ipv4Addr::new(a, b, c, d)
}

const HOST_ADDR: Ipv4Addr = ip(10, 0, 0, 1);
const GATEWAY: Ipv4Addr = ip(10, 0, 0, 254);
const PEER: Ipv4Addr = ip(10, 0, 0, 2);
const REMOTE: Ipv4Addr = ip(192, 168, 7, 7);

fn iface(interface: u8, addr: Ipv4Addr, prefix_len: u8) -> InterfaceAddr {
    InterfaceAddr {
        interface,
        addr,
        prefix_len,
    }
}

/// A host on 10.0.0.0/24 with a default route through 10.0.0.254.
fn host() -> Node {
    let mut n = Node::new(vec![iface(0, HOST_ADDR, 24)], false);
    n.routes
        .add(Route::via(Ipv4Addr::UNSPECIFIED, 0, GATEWAY, 0))
        .unwrap();
    n
}

/// A router between 10.0.0.0/24 (interface 0) and 172.16.0.0/16 (interface 1), with a route to
/// 192.168.0.0/16 through 172.16.0.9 and no default route.
fn router() -> Node {
    let mut n = Node::new(
        vec![iface(0, GATEWAY, 24), iface(1, ip(172, 16, 0, 1), 16)],
        true,
    );
    n.routes
        .add(Route::via(ip(192, 168, 0, 0), 16, ip(172, 16, 0, 9), 1))
        .unwrap();
    n
}

fn udp(src: Ipv4Addr, dst: Ipv4Addr, ttl: u8) -> Received {
    Received {
        src,
        dst,
        ttl,
        protocol: IpProtocol::Udp,
        fragment_offset: 0,
        icmp_type: None,
        link_broadcast: false,
    }
}

fn on() -> (Mechanisms, icmp::Mechanisms) {
    (Mechanisms::default(), icmp::Mechanisms::default())
}

fn decide(node: &Node, pkt: &Received) -> Decision {
    let (m, im) = on();
    receive(node, pkt, &m, &im)
}

fn dropped(reason: DropReason, icmp: Option<ErrorMessage>) -> Decision {
    Decision::Drop { reason, icmp }
}

// RFC 1122 §3.2.1.3: a host's own address, the limited broadcast and the directed broadcast of
// an attached subnet are destined for it; another host's address is not.
#[test]
fn is_mine_own_address_and_broadcasts() {
    let n = host();
    assert!(n.is_mine(HOST_ADDR));
    assert!(n.is_mine(Ipv4Addr::BROADCAST));
    assert!(n.is_mine(ip(10, 0, 0, 255)));
    assert!(!n.is_mine(PEER));
    assert!(
        !n.is_mine(ip(10, 0, 1, 255)),
        "broadcast of a subnet not attached"
    );
    assert!(!n.is_mine(ip(224, 0, 0, 1)), "no multicast group joined");
}

// RFC 1122 §3.3.6: the obsolete zero-filled broadcast forms are deliberately not recognised.
#[test]
fn zero_filled_broadcast_forms_are_not_mine() {
    let n = host();
    assert!(!n.is_mine(ip(10, 0, 0, 0)));
    assert!(!n.is_mine(Ipv4Addr::UNSPECIFIED));
}

// RFC 3021 / RFC 1122 §3.2.1.3: a /31 or /32 has no host bits, hence no subnet broadcast.
#[test]
fn point_to_point_prefixes_have_no_subnet_broadcast() {
    let p31 = Node::new(vec![iface(0, ip(10, 0, 0, 0), 31)], false);
    assert!(!p31.is_mine(ip(10, 0, 0, 1)));
    assert_eq!(iface(0, ip(10, 0, 0, 0), 31).subnet_broadcast(), None);
    assert_eq!(iface(0, ip(10, 0, 0, 5), 32).subnet_broadcast(), None);
    assert_eq!(
        iface(0, ip(10, 0, 0, 5), 30).subnet_broadcast(),
        Some(ip(10, 0, 0, 7))
    );
}

// RFC 1122 §3.2.1.3: the special address blocks.
#[test]
fn classify_names_every_address_kind() {
    let n = host();
    let cases = [
        (HOST_ADDR, AddressKind::Local { interface: 0 }),
        (Ipv4Addr::BROADCAST, AddressKind::LimitedBroadcast),
        (
            ip(10, 0, 0, 255),
            AddressKind::SubnetBroadcast { interface: 0 },
        ),
        (ip(224, 0, 0, 251), AddressKind::Multicast),
        (ip(0, 0, 0, 0), AddressKind::Unspecified),
        (ip(127, 0, 0, 1), AddressKind::Loopback),
        (ip(240, 0, 0, 1), AddressKind::Reserved),
        (PEER, AddressKind::Unicast),
    ];
    for (a, k) in cases {
        assert_eq!(n.classify(a), k, "{a}");
    }
    assert!(n.is_broadcast(ip(10, 0, 0, 255)) && !n.is_broadcast(PEER));
}

// RFC 1812 §5.2.4.3: the longest matching prefix wins, /32 over /24 over /0.
#[test]
fn longest_prefix_wins_from_default_to_host_route() {
    let t = RoutingTable::from_routes([
        Route::via(Ipv4Addr::UNSPECIFIED, 0, ip(1, 1, 1, 1), 0),
        Route::via(ip(10, 1, 2, 0), 24, ip(2, 2, 2, 2), 1),
        Route::via(ip(10, 1, 2, 3), 32, ip(3, 3, 3, 3), 2),
    ])
    .unwrap();
    assert_eq!(t.lookup(ip(10, 1, 2, 3)).unwrap().interface, 2);
    assert_eq!(t.lookup(ip(10, 1, 2, 4)).unwrap().interface, 1);
    assert_eq!(t.lookup(ip(8, 8, 8, 8)).unwrap().interface, 0);
}

// RFC 1122 §3.3.1: without a default route, an uncovered destination has no route.
#[test]
fn no_matching_route_is_none() {
    let t = RoutingTable::from_routes([Route::via(ip(10, 0, 0, 0), 8, GATEWAY, 0)]).unwrap();
    assert_eq!(t.lookup(ip(11, 0, 0, 1)), None);
    assert_eq!(RoutingTable::new().lookup(ip(11, 0, 0, 1)), None);
}

// Equal-length prefixes: different prefixes each select their own route; the same prefix
// added twice keeps only the later route.
#[test]
fn equal_length_prefixes_select_by_prefix_and_replace_on_same_prefix() {
    let mut t = RoutingTable::from_routes([
        Route::via(ip(10, 1, 0, 0), 16, ip(1, 1, 1, 1), 1),
        Route::via(ip(10, 2, 0, 0), 16, ip(2, 2, 2, 2), 2),
    ])
    .unwrap();
    assert_eq!(t.lookup(ip(10, 1, 9, 9)).unwrap().interface, 1);
    assert_eq!(t.lookup(ip(10, 2, 9, 9)).unwrap().interface, 2);
    t.add(Route::via(ip(10, 1, 255, 255), 16, ip(3, 3, 3, 3), 3))
        .unwrap();
    assert_eq!(t.routes().len(), 2);
    assert_eq!(
        t.lookup(ip(10, 1, 9, 9)).unwrap().next_hop,
        Some(ip(3, 3, 3, 3))
    );
}

// Host bits of a prefix are ignored; tables built in any order are equal (hashable state).
#[test]
fn tables_are_canonical() {
    let r1 = Route::via(ip(10, 1, 2, 3), 16, GATEWAY, 0);
    let r2 = Route::via(Ipv4Addr::UNSPECIFIED, 0, GATEWAY, 1);
    let a = RoutingTable::from_routes([r1, r2]).unwrap();
    let b = RoutingTable::from_routes([r2, r1]).unwrap();
    assert_eq!(a, b);
    assert_eq!(a.routes()[0].prefix, ip(10, 1, 0, 0));
}

#[test]
fn prefix_longer_than_32_is_rejected_and_remove_works() {
    let mut t = RoutingTable::new();
    let bad = Route::via(ip(10, 0, 0, 0), 33, GATEWAY, 0);
    assert_eq!(t.add(bad), Err(RouteError::PrefixTooLong(33)));
    assert!(!bad.matches(ip(10, 0, 0, 0)));
    t.add(Route::via(ip(10, 0, 0, 0), 8, GATEWAY, 0)).unwrap();
    assert!(t.remove(ip(10, 9, 9, 9), 8).is_some());
    assert_eq!(t.remove(ip(10, 0, 0, 0), 8), None);
    assert!(t.routes().is_empty());
}

// RFC 1122 §3.2.1.3: datagrams for the host are delivered, including broadcasts.
#[test]
fn datagram_to_own_address_or_broadcast_is_delivered() {
    let n = host();
    for dst in [HOST_ADDR, Ipv4Addr::BROADCAST, ip(10, 0, 0, 255)] {
        assert_eq!(
            decide(&n, &udp(PEER, dst, 64)),
            Decision::DeliverLocally,
            "{dst}"
        );
    }
}

// RFC 1122 §3.2.1.7: a host MUST NOT discard a datagram just because its TTL is below 2.
#[test]
fn local_delivery_ignores_ttl_0_and_1() {
    for ttl in [0, 1] {
        assert_eq!(
            decide(&host(), &udp(PEER, HOST_ADDR, ttl)),
            Decision::DeliverLocally
        );
    }
}

// RFC 1122 §3.2.1.3: a host MUST silently discard a datagram not destined for it.
#[test]
fn host_silently_discards_datagram_for_another_host() {
    assert_eq!(
        decide(&host(), &udp(PEER, REMOTE, 64)),
        dropped(DropReason::NotForMe, None)
    );
}

// Hazard I3: with delivery by address off, the host accepts a datagram for another host.
#[test]
fn ablation_deliver_by_address_accepts_foreign_datagram() {
    let m = Mechanisms {
        deliver_by_address: false,
        ..Mechanisms::default()
    };
    let d = receive(
        &host(),
        &udp(PEER, REMOTE, 64),
        &m,
        &icmp::Mechanisms::default(),
    );
    assert_eq!(d, Decision::DeliverLocally);
}

// RFC 1122 §3.2.1.3: broadcast, multicast and loopback sources MUST be silently discarded;
// 0.0.0.0 is a legal source during initialisation.
#[test]
fn invalid_sources_are_silently_discarded() {
    let n = host();
    for src in [
        Ipv4Addr::BROADCAST,
        ip(10, 0, 0, 255),
        ip(224, 0, 0, 1),
        ip(127, 0, 0, 1),
    ] {
        assert_eq!(
            decide(&n, &udp(src, HOST_ADDR, 64)),
            dropped(DropReason::InvalidSource, None),
            "{src}"
        );
    }
    let dhcp = udp(Ipv4Addr::UNSPECIFIED, Ipv4Addr::BROADCAST, 64);
    assert_eq!(decide(&n, &dhcp), Decision::DeliverLocally);
}

// RFC 1122 §3.3.6: a unicast destination in a link-layer broadcast SHOULD be discarded; a
// broadcast destination in one is normal.
#[test]
fn link_broadcast_with_unicast_destination_is_discarded() {
    let n = host();
    let mut p = udp(PEER, HOST_ADDR, 64);
    p.link_broadcast = true;
    assert_eq!(
        decide(&n, &p),
        dropped(DropReason::UnicastInLinkBroadcast, None)
    );
    p.dst = Ipv4Addr::BROADCAST;
    assert_eq!(decide(&n, &p), Decision::DeliverLocally);
}

// RFC 791 §3.2: a router forwards with TTL decremented, to the gateway of the matched route.
#[test]
fn router_forwards_through_gateway_with_ttl_decremented() {
    assert_eq!(
        decide(&router(), &udp(PEER, REMOTE, 64)),
        Decision::Forward {
            next_hop: ip(172, 16, 0, 9),
            interface: 1,
            new_ttl: 63
        }
    );
}

// RFC 1122 §3.3.1: on a directly attached network the next hop is the destination itself.
#[test]
fn router_forwards_to_attached_destination_directly() {
    let dst = ip(172, 16, 4, 4);
    assert_eq!(
        decide(&router(), &udp(PEER, dst, 2)),
        Decision::Forward {
            next_hop: dst,
            interface: 1,
            new_ttl: 1
        }
    );
}

// RFC 791 §3.2, RFC 792: TTL 1 or 0 cannot be forwarded; time exceeded goes to the source.
#[test]
fn router_drops_ttl_1_and_0_with_time_exceeded() {
    for ttl in [1, 0] {
        assert_eq!(
            decide(&router(), &udp(PEER, REMOTE, ttl)),
            dropped(
                DropReason::InTransit,
                Some(ErrorMessage {
                    to: PEER,
                    kind: ErrorKind::TimeExceeded(TimeExceeded::InTransit)
                })
            ),
            "ttl {ttl}"
        );
    }
}

// Hazard I1: without TTL the router forwards TTL 1 and 0 unchanged, so a loop never ends.
#[test]
fn ablation_ttl_forwards_without_decrement() {
    let m = Mechanisms {
        ttl: false,
        ..Mechanisms::default()
    };
    for ttl in [0, 1, 64] {
        let d = receive(
            &router(),
            &udp(PEER, REMOTE, ttl),
            &m,
            &icmp::Mechanisms::default(),
        );
        assert!(
            matches!(d, Decision::Forward { new_ttl, .. } if new_ttl == ttl),
            "ttl {ttl}"
        );
    }
}

// RFC 792: no route to the destination network, net unreachable to the source.
#[test]
fn router_without_route_sends_net_unreachable() {
    assert_eq!(
        decide(&router(), &udp(PEER, ip(8, 8, 8, 8), 64)),
        dropped(
            DropReason::NoRoute,
            Some(ErrorMessage {
                to: PEER,
                kind: ErrorKind::DestUnreachable(Unreachable::Net)
            })
        )
    );
}

// RFC 1122 §3.2.2 applied by ip: no error about an ICMP error or a non-initial fragment,
// and with the rule off, an error about the error (hazard U2).
#[test]
fn router_errors_obey_the_icmp_error_rule() {
    let mut icmp_error = udp(PEER, REMOTE, 1);
    icmp_error.protocol = IpProtocol::Icmp;
    icmp_error.icmp_type = Some(icmp::types::DEST_UNREACHABLE);
    assert_eq!(
        decide(&router(), &icmp_error),
        dropped(DropReason::InTransit, None)
    );
    let mut fragment = udp(PEER, ip(8, 8, 8, 8), 64);
    fragment.fragment_offset = 3;
    assert_eq!(
        decide(&router(), &fragment),
        dropped(DropReason::NoRoute, None)
    );

    let storm = icmp::Mechanisms {
        no_error_about_error: false,
        ..icmp::Mechanisms::default()
    };
    let d = receive(&router(), &icmp_error, &Mechanisms::default(), &storm);
    assert!(matches!(d, Decision::Drop { icmp: Some(_), .. }));
}

// RFC 1122 §3.2.1.3: zero, loopback, multicast and reserved destinations are not forwarded.
#[test]
fn router_does_not_forward_special_destinations() {
    for dst in [
        ip(0, 0, 0, 7),
        ip(127, 0, 0, 1),
        ip(239, 0, 0, 1),
        ip(250, 0, 0, 1),
    ] {
        assert_eq!(
            decide(&router(), &udp(PEER, dst, 64)),
            dropped(DropReason::NotForwardable, None),
            "{dst}"
        );
    }
}

// RFC 1122 §3.2.1.3: a router's own addresses and attached broadcasts are delivered, not
// forwarded.
#[test]
fn router_delivers_to_itself() {
    let r = router();
    for dst in [GATEWAY, ip(172, 16, 0, 1), ip(172, 16, 255, 255)] {
        assert_eq!(
            decide(&r, &udp(PEER, dst, 1)),
            Decision::DeliverLocally,
            "{dst}"
        );
    }
}

// RFC 791 §3.1 Protocol; RFC 1122 §3.2.2.1: unsupported protocol, protocol unreachable.
#[test]
fn demux_by_protocol_or_protocol_unreachable() {
    let n = host();
    let (_, im) = on();
    let supported = [IpProtocol::Icmp, IpProtocol::Udp];
    let p = udp(PEER, HOST_ADDR, 64);
    assert_eq!(
        demux_protocol(&n, &p, &supported, &im),
        Upper::Protocol(IpProtocol::Udp)
    );
    let tcp = Received {
        protocol: IpProtocol::Tcp,
        ..p
    };
    assert_eq!(
        demux_protocol(&n, &tcp, &supported, &im),
        Upper::ProtocolUnreachable {
            icmp: Some(ErrorMessage {
                to: PEER,
                kind: ErrorKind::DestUnreachable(Unreachable::Protocol)
            })
        }
    );
    let broadcast = Received {
        dst: Ipv4Addr::BROADCAST,
        ..tcp
    };
    assert_eq!(
        demux_protocol(&n, &broadcast, &supported, &im),
        Upper::ProtocolUnreachable { icmp: None }
    );
}

// RFC 1122 §3.2.2 inputs: the node flags subnet broadcasts for the ICMP rule.
#[test]
fn offending_flags_subnet_broadcasts() {
    let p = udp(ip(10, 0, 0, 255), ip(10, 0, 0, 255), 64);
    let o = host().offending(&p);
    assert!(o.src_is_subnet_broadcast && o.dst_is_subnet_broadcast);
    let o = host().offending(&udp(PEER, HOST_ADDR, 64));
    assert!(!o.src_is_subnet_broadcast && !o.dst_is_subnet_broadcast);
}

// RFC 1122 §3.3.1: outbound routing; §3.3.6 broadcasts go as link broadcasts.
#[test]
fn output_routes_unicast_and_broadcast() {
    let n = host();
    assert_eq!(output(&n, HOST_ADDR), Output::Loopback);
    assert_eq!(output(&n, ip(127, 0, 0, 5)), Output::Loopback);
    assert_eq!(
        output(&n, PEER),
        Output::Transmit {
            interface: 0,
            next_hop: PEER,
            link_broadcast: false
        }
    );
    assert_eq!(
        output(&n, REMOTE),
        Output::Transmit {
            interface: 0,
            next_hop: GATEWAY,
            link_broadcast: false
        }
    );
    for b in [ip(10, 0, 0, 255), Ipv4Addr::BROADCAST] {
        assert_eq!(
            output(&n, b),
            Output::Transmit {
                interface: 0,
                next_hop: b,
                link_broadcast: true
            }
        );
    }
    for bad in [Ipv4Addr::UNSPECIFIED, ip(224, 0, 0, 1), ip(240, 1, 1, 1)] {
        assert_eq!(output(&n, bad), Output::InvalidDestination, "{bad}");
    }
}

// RFC 1122 §3.3.1: no route; the limited broadcast falls back to the first interface.
#[test]
fn output_without_route() {
    let n = Node::new(vec![iface(3, HOST_ADDR, 24)], false);
    assert_eq!(output(&n, REMOTE), Output::NoRoute);
    assert_eq!(
        output(&n, Ipv4Addr::BROADCAST),
        Output::Transmit {
            interface: 3,
            next_hop: Ipv4Addr::BROADCAST,
            link_broadcast: true
        }
    );
    let bare = Node::new(vec![], false);
    assert_eq!(output(&bare, Ipv4Addr::BROADCAST), Output::NoRoute);
}

fn route() -> impl Strategy<Value = Route> {
    (0u8..4, 0u8..=32, 0u8..4, proptest::option::of(0u8..4)).prop_map(|(p, len, i, gw)| Route {
        prefix: Ipv4Addr::new(10, p, p.wrapping_mul(7), 1),
        prefix_len: len,
        next_hop: gw.map(|g| Ipv4Addr::new(192, 0, 2, g)),
        interface: i,
    })
}

proptest! {
    // RFC 1812 §5.2.4.3: the lookup equals a brute-force longest match over the routes added
    // (the last added of equal prefix wins).
    #[test]
    fn lookup_is_brute_force_longest_match(
        routes in proptest::collection::vec(route(), 0..12),
        dst in prop_oneof![any::<u32>(), (0u32..1 << 16).prop_map(|x| 0x0A00_0000 | x)],
    ) {
        let dst = Ipv4Addr::from(dst);
        let table = RoutingTable::from_routes(routes.clone()).unwrap();
        let best = routes
            .iter()
            .enumerate()
            .filter(|(_, r)| r.matches(dst))
            .max_by_key(|(i, r)| (r.prefix_len, *i))
            .map(|(_, r)| (r.prefix_len, r.next_hop, r.interface));
        prop_assert_eq!(
            table.lookup(dst).map(|r| (r.prefix_len, r.next_hop, r.interface)),
            best
        );
    }

    // RFC 791 §3.2: with TTL on, a forwarded copy always has a smaller, non-zero TTL.
    #[test]
    fn forwarding_strictly_decreases_ttl(dst in any::<u32>(), ttl in any::<u8>()) {
        if let Decision::Forward { new_ttl, .. } = decide(&router(), &udp(PEER, dst.into(), ttl)) {
            prop_assert!(new_ttl >= 1 && new_ttl < ttl);
        }
    }

    // RFC 1122 §3.2.1.3: with delivery by address on, a delivered datagram is the node's own.
    #[test]
    fn delivered_datagrams_are_mine(dst in any::<u32>(), router_node in any::<bool>()) {
        let n = if router_node { router() } else { host() };
        let dst = Ipv4Addr::from(dst);
        if decide(&n, &udp(PEER, dst, 64)) == Decision::DeliverLocally {
            prop_assert!(n.is_mine(dst));
        }
    }
}
