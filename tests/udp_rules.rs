//! UDP rules: RFC 768 and RFC 1122 §4.1.

use std::net::Ipv4Addr;

use proptest::prelude::*;
use tcpip_spec::icmp::{self, ErrorKind, Unreachable};
use tcpip_spec::ip::{InterfaceAddr, IpProtocol, Node, Received};
use tcpip_spec::udp::{
    self, BindError, ChecksumVerdict, Datagram, DiscardReason, PortTable, Receive, SocketId,
    receive, transmitted_checksum, verify_checksum,
};

fn table() -> PortTable {
    let mut t = PortTable::new();
    t.bind(53, SocketId(1)).unwrap();
    t.bind(4000, SocketId(2)).unwrap();
    t
}

fn to(dst_port: u16, payload: &'static str) -> Datagram<&'static str> {
    Datagram {
        src_port: 5555,
        dst_port,
        payload,
    }
}

// RFC 768: the destination port selects the socket; the datagram is handed over whole.
#[test]
fn datagram_to_bound_port_is_delivered_whole() {
    let d = to(4000, "hello");
    assert_eq!(
        receive(
            &table(),
            d.clone(),
            ChecksumVerdict::Valid,
            &udp::Mechanisms::default()
        ),
        Receive::Deliver {
            socket: SocketId(2),
            datagram: d
        }
    );
}

// RFC 1122 §4.1.3.1: no socket on the port, port unreachable (SHOULD).
#[test]
fn datagram_to_unbound_port_is_port_unreachable() {
    assert_eq!(
        receive(
            &table(),
            to(9, "x"),
            ChecksumVerdict::Valid,
            &udp::Mechanisms::default()
        ),
        Receive::PortUnreachable
    );
}

// RFC 768: port 0 can never be bound, so a datagram to it is unreachable.
#[test]
fn datagram_to_port_zero_is_port_unreachable() {
    assert_eq!(
        receive(
            &table(),
            to(0, "x"),
            ChecksumVerdict::NotComputed,
            &udp::Mechanisms::default()
        ),
        Receive::PortUnreachable
    );
}

// RFC 1122 §4.1.3.4: a bad checksum is discarded silently, even for an unbound port (no ICMP).
#[test]
fn bad_checksum_is_silently_discarded_before_demux() {
    for port in [53, 9] {
        assert_eq!(
            receive(
                &table(),
                to(port, "x"),
                ChecksumVerdict::Invalid,
                &udp::Mechanisms::default()
            ),
            Receive::Discard(DiscardReason::BadChecksum)
        );
    }
}

// RFC 768: a zero checksum field means none was computed; the datagram is accepted.
#[test]
fn zero_checksum_field_means_not_computed_and_is_accepted() {
    assert_eq!(verify_checksum(0, 0x1234), ChecksumVerdict::NotComputed);
    assert!(ChecksumVerdict::NotComputed.accepted());
    assert!(matches!(
        receive(
            &table(),
            to(53, "q"),
            verify_checksum(0, 0xBEEF),
            &udp::Mechanisms::default()
        ),
        Receive::Deliver { .. }
    ));
}

// RFC 768: the field must equal the computed checksum; 0xFFFF stands for a computed zero.
#[test]
fn checksum_field_must_match_computed_value() {
    assert_eq!(verify_checksum(0x1234, 0x1234), ChecksumVerdict::Valid);
    assert_eq!(verify_checksum(0xFFFF, 0x0000), ChecksumVerdict::Valid);
    assert_eq!(verify_checksum(0x1234, 0x1235), ChecksumVerdict::Invalid);
    assert_eq!(verify_checksum(0xFFFF, 0x1234), ChecksumVerdict::Invalid);
    assert!(!ChecksumVerdict::Invalid.accepted());
}

// RFC 768: a computed zero is transmitted as all ones; no checksum is transmitted as zero.
#[test]
fn computed_zero_is_transmitted_as_all_ones() {
    assert_eq!(transmitted_checksum(Some(0)), 0xFFFF);
    assert_eq!(transmitted_checksum(Some(0x1234)), 0x1234);
    assert_eq!(transmitted_checksum(None), 0);
}

// RFC 768 ports: one socket per port; port 0 is "no port".
#[test]
fn bind_refuses_port_in_use_and_port_zero() {
    let mut t = table();
    assert_eq!(t.bind(53, SocketId(9)), Err(BindError::InUse(SocketId(1))));
    assert_eq!(t.bind(0, SocketId(9)), Err(BindError::PortZero));
    assert_eq!(t.lookup(53), Some(SocketId(1)));
    assert_eq!(
        t.iter().collect::<Vec<_>>(),
        vec![(53, SocketId(1)), (4000, SocketId(2))]
    );
}

// RFC 1122 §4.1.3.1: after unbinding, the port is unreachable again, and can be rebound.
#[test]
fn unbound_port_becomes_unreachable_and_rebindable() {
    let mut t = table();
    assert_eq!(t.unbind(53), Some(SocketId(1)));
    assert_eq!(t.unbind(53), None);
    assert_eq!(
        receive(
            &t,
            to(53, "q"),
            ChecksumVerdict::Valid,
            &udp::Mechanisms::default()
        ),
        Receive::PortUnreachable
    );
    t.bind(53, SocketId(7)).unwrap();
    assert!(matches!(
        receive(
            &t,
            to(53, "q"),
            ChecksumVerdict::Valid,
            &udp::Mechanisms::default()
        ),
        Receive::Deliver {
            socket: SocketId(7),
            ..
        }
    ));
}

// RFC 1122 §4.1.3.1 with §3.2.2 (hazard U2's first half): a port unreachable about a unicast
// datagram is sent, about a broadcast one it is not.
#[test]
fn port_unreachable_is_sent_for_unicast_but_not_for_broadcast() {
    let me = Ipv4Addr::new(10, 0, 0, 1);
    let node = Node::new(
        vec![InterfaceAddr {
            interface: 0,
            addr: me,
            prefix_len: 24,
        }],
        false,
    );
    let kind = ErrorKind::DestUnreachable(Unreachable::Port);
    let m = icmp::Mechanisms::default();
    let mut ip = Received {
        src: Ipv4Addr::new(10, 0, 0, 2),
        dst: me,
        ttl: 64,
        protocol: IpProtocol::Udp,
        fragment_offset: 0,
        icmp_type: None,
        link_broadcast: false,
    };
    assert_eq!(
        receive(
            &table(),
            to(9, "x"),
            ChecksumVerdict::Valid,
            &udp::Mechanisms::default()
        ),
        Receive::PortUnreachable
    );
    assert!(icmp::error_about(&node.offending(&ip), kind, &m).is_some());
    ip.dst = Ipv4Addr::new(10, 0, 0, 255);
    assert!(icmp::error_about(&node.offending(&ip), kind, &m).is_none());
}

proptest! {
    // RFC 768: whatever checksum a sender computes, the field it transmits verifies.
    #[test]
    fn transmitted_checksum_always_verifies(c in any::<u16>()) {
        prop_assert_eq!(verify_checksum(transmitted_checksum(Some(c)), c), ChecksumVerdict::Valid);
    }

    // Datagram boundaries (hazard U1's invariant): one datagram in, at most one out, unchanged.
    #[test]
    fn delivery_preserves_the_datagram(
        ports in proptest::collection::btree_set(1u16..64, 0..8),
        src_port in any::<u16>(),
        dst_port in 0u16..64,
        payload in proptest::collection::vec(any::<u8>(), 0..32),
    ) {
        let mut t = PortTable::new();
        for (i, p) in ports.iter().enumerate() {
            t.bind(*p, SocketId(i as u32)).unwrap();
        }
        let d = Datagram { src_port, dst_port, payload };
        match receive(&t, d.clone(), ChecksumVerdict::Valid, &udp::Mechanisms::default()) {
            Receive::Deliver { socket, datagram } => {
                prop_assert_eq!(datagram, d);
                prop_assert_eq!(t.lookup(dst_port), Some(socket));
            }
            Receive::PortUnreachable => prop_assert!(!ports.contains(&dst_port)),
            Receive::Discard(_) => prop_assert!(false, "valid checksum discarded"),
        }
    }
}
