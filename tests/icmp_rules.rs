//! ICMP rules: RFC 792 and RFC 1122 §3.2.2.

use std::net::Ipv4Addr;
use tcpip_spec::ip::IpProtocol;

use proptest::prelude::*;
use tcpip_spec::icmp::{
    self, AlreadyOutstanding, Echo, EchoClient, EchoDiscard, EchoId, EchoResponse, ErrorKind,
    ErrorMessage, Forbidden, Mechanisms, MessageClass, OffendingPacket, ReplyMatch, TimeExceeded,
    Unreachable, error_about, forbidden, may_send_error_about, respond_to_echo,
};

const A: Ipv4Addr = Ipv4Addr::new(10, 0, 0, 1);
const B: Ipv4Addr = Ipv4Addr::new(10, 0, 0, 2);
const UDP: IpProtocol = IpProtocol::Udp;
const ICMP: IpProtocol = IpProtocol::Icmp;

fn udp_to_b() -> OffendingPacket {
    OffendingPacket {
        src: A,
        dst: B,
        src_is_subnet_broadcast: false,
        dst_is_subnet_broadcast: false,
        link_broadcast: false,
        fragment_offset: 0,
        protocol: UDP,
        icmp_type: None,
    }
}

fn icmp_to_b(icmp_type: Option<u8>) -> OffendingPacket {
    OffendingPacket {
        protocol: ICMP,
        icmp_type,
        ..udp_to_b()
    }
}

fn without_no_error_about_error() -> Mechanisms {
    Mechanisms {
        no_error_about_error: false,
        ..Mechanisms::default()
    }
}

fn id(ident: u16, seq: u16) -> EchoId {
    EchoId { ident, seq }
}

// RFC 792: type and code numbers.
#[test]
fn error_kinds_carry_rfc_792_type_and_code() {
    let cases = [
        (ErrorKind::DestUnreachable(Unreachable::Net), 3, 0),
        (ErrorKind::DestUnreachable(Unreachable::Host), 3, 1),
        (ErrorKind::DestUnreachable(Unreachable::Protocol), 3, 2),
        (ErrorKind::DestUnreachable(Unreachable::Port), 3, 3),
        (
            ErrorKind::DestUnreachable(Unreachable::FragmentationNeeded { next_hop_mtu: 0 }),
            3,
            4,
        ),
        (
            ErrorKind::DestUnreachable(Unreachable::SourceRouteFailed),
            3,
            5,
        ),
        (ErrorKind::TimeExceeded(TimeExceeded::InTransit), 11, 0),
        (ErrorKind::TimeExceeded(TimeExceeded::Reassembly), 11, 1),
    ];
    for (kind, t, c) in cases {
        assert_eq!((kind.icmp_type(), kind.code()), (t, c), "{kind:?}");
    }
}

// RFC 1122 §3.2.2: error and query classes; unknown types are neither.
#[test]
fn types_are_classified_as_error_query_or_unknown() {
    for t in [3, 4, 5, 11, 12] {
        assert_eq!(icmp::classify(t), MessageClass::Error, "type {t}");
    }
    for t in [0, 8, 13, 14, 15, 16, 17, 18] {
        assert_eq!(icmp::classify(t), MessageClass::Query, "type {t}");
    }
    for t in [1, 2, 6, 7, 9, 10, 19, 42, 255] {
        assert_eq!(icmp::classify(t), MessageClass::Unknown, "type {t}");
    }
}

// RFC 1122 §4.1.3.1 with §3.2.2: an ordinary unicast datagram may draw an error, sent to its
// source.
#[test]
fn error_about_unicast_udp_goes_to_its_source() {
    let kind = ErrorKind::DestUnreachable(Unreachable::Port);
    let m = Mechanisms::default();
    assert!(may_send_error_about(&udp_to_b(), &m));
    assert_eq!(
        error_about(&udp_to_b(), kind, &m),
        Some(ErrorMessage { to: A, kind })
    );
}

// RFC 1122 §3.2.2: no error about an ICMP error message.
#[test]
fn no_error_about_an_icmp_error() {
    for t in [3, 4, 5, 11, 12] {
        let p = icmp_to_b(Some(t));
        assert_eq!(
            forbidden(&p, &Mechanisms::default()),
            Some(Forbidden::AboutIcmpError)
        );
        let kind = ErrorKind::TimeExceeded(TimeExceeded::InTransit);
        assert_eq!(error_about(&p, kind, &Mechanisms::default()), None);
    }
}

// RFC 1122 §3.2.2: queries (e.g. an Echo Request) are not errors and may draw one.
#[test]
fn error_about_an_icmp_query_is_allowed() {
    for t in [0, 8, 13] {
        assert!(may_send_error_about(
            &icmp_to_b(Some(t)),
            &Mechanisms::default()
        ));
    }
}

// RFC 1122 §3.2.2 (unknown type MUST be discarded): the crate reads an unknown or unreadable
// ICMP type as possibly an error and sends nothing about it.
#[test]
fn no_error_about_unknown_or_unreadable_icmp_type() {
    let m = Mechanisms::default();
    assert_eq!(
        forbidden(&icmp_to_b(Some(42)), &m),
        Some(Forbidden::AboutIcmpError)
    );
    assert_eq!(
        forbidden(&icmp_to_b(None), &m),
        Some(Forbidden::AboutIcmpError)
    );
}

// Hazard U2: with the rule switched off an error may be sent about an error.
#[test]
fn ablation_no_error_about_error_allows_error_about_error() {
    let p = icmp_to_b(Some(3));
    let kind = ErrorKind::DestUnreachable(Unreachable::Port);
    assert_eq!(
        error_about(&p, kind, &without_no_error_about_error()),
        Some(ErrorMessage { to: A, kind })
    );
}

// Hazard U2 ablation removes only that one rule: the other §3.2.2 restrictions still hold.
#[test]
fn ablation_no_error_about_error_keeps_other_restrictions() {
    let m = without_no_error_about_error();
    let to_broadcast = OffendingPacket {
        dst: Ipv4Addr::BROADCAST,
        ..icmp_to_b(Some(3))
    };
    assert_eq!(forbidden(&to_broadcast, &m), Some(Forbidden::ToBroadcast));
    let fragment = OffendingPacket {
        fragment_offset: 1,
        ..icmp_to_b(None)
    };
    assert_eq!(
        forbidden(&fragment, &m),
        Some(Forbidden::NonInitialFragment)
    );
}

// RFC 1122 §3.2.2: not to an IP broadcast (limited or subnet-directed) or multicast destination.
#[test]
fn no_error_about_datagram_to_broadcast_or_multicast() {
    let m = Mechanisms::default();
    let limited = OffendingPacket {
        dst: Ipv4Addr::BROADCAST,
        ..udp_to_b()
    };
    let directed = OffendingPacket {
        dst: Ipv4Addr::new(10, 0, 0, 255),
        dst_is_subnet_broadcast: true,
        ..udp_to_b()
    };
    let multicast = OffendingPacket {
        dst: Ipv4Addr::new(224, 0, 0, 1),
        ..udp_to_b()
    };
    assert_eq!(forbidden(&limited, &m), Some(Forbidden::ToBroadcast));
    assert_eq!(forbidden(&directed, &m), Some(Forbidden::ToBroadcast));
    assert_eq!(forbidden(&multicast, &m), Some(Forbidden::ToMulticast));
}

// RFC 1122 §3.2.2: not about a datagram sent as a link-layer broadcast.
#[test]
fn no_error_about_link_layer_broadcast() {
    let p = OffendingPacket {
        link_broadcast: true,
        ..udp_to_b()
    };
    assert_eq!(
        forbidden(&p, &Mechanisms::default()),
        Some(Forbidden::LinkBroadcast)
    );
}

// RFC 1122 §3.2.2: not about a non-initial fragment; the initial one (offset 0) may.
#[test]
fn no_error_about_non_initial_fragment() {
    let m = Mechanisms::default();
    let p = OffendingPacket {
        fragment_offset: 185,
        ..udp_to_b()
    };
    assert_eq!(forbidden(&p, &m), Some(Forbidden::NonInitialFragment));
    assert_eq!(forbidden(&udp_to_b(), &m), None);
}

// RFC 1122 §3.2.2: not when the source does not define a single host (zero, loopback,
// broadcast, multicast, Class E, subnet broadcast).
#[test]
fn no_error_when_source_is_not_a_single_host() {
    let m = Mechanisms::default();
    for src in [
        Ipv4Addr::UNSPECIFIED,
        Ipv4Addr::new(0, 1, 2, 3),
        Ipv4Addr::LOCALHOST,
        Ipv4Addr::BROADCAST,
        Ipv4Addr::new(224, 0, 0, 9),
        Ipv4Addr::new(240, 0, 0, 1),
    ] {
        let p = OffendingPacket { src, ..udp_to_b() };
        assert_eq!(
            forbidden(&p, &m),
            Some(Forbidden::SourceNotSingleHost),
            "{src}"
        );
        assert!(!icmp::is_single_host(src));
    }
    let subnet = OffendingPacket {
        src: Ipv4Addr::new(10, 0, 0, 255),
        src_is_subnet_broadcast: true,
        ..udp_to_b()
    };
    assert_eq!(forbidden(&subnet, &m), Some(Forbidden::SourceNotSingleHost));
    assert!(icmp::is_single_host(A));
}

// RFC 1122 §3.2.2.6: the reply comes from the request's destination, goes to its source, and
// returns identifier, sequence number and data unmodified.
#[test]
fn echo_request_gets_reply_with_same_ident_seq_and_data() {
    let echo = Echo {
        id: id(7, 3),
        data: vec![1u8, 2, 3],
    };
    assert_eq!(
        respond_to_echo(A, B, false, echo.clone()),
        EchoResponse::Reply {
            src: B,
            dst: A,
            echo
        }
    );
}

// RFC 1122 §3.2.2.6: an Echo Request to a broadcast or multicast address MAY be silently
// discarded; this crate discards.
#[test]
fn echo_request_to_broadcast_or_multicast_is_discarded() {
    let discard = EchoResponse::Discard(EchoDiscard::ToBroadcastOrMulticast);
    let echo = || Echo {
        id: id(1, 1),
        data: (),
    };
    assert_eq!(
        respond_to_echo(A, Ipv4Addr::BROADCAST, false, echo()),
        discard
    );
    assert_eq!(
        respond_to_echo(A, Ipv4Addr::new(10, 0, 0, 255), true, echo()),
        discard
    );
    assert_eq!(
        respond_to_echo(A, Ipv4Addr::new(239, 1, 1, 1), false, echo()),
        discard
    );
}

// RFC 1122 §3.2.2.6 / §3.2.2: a request from a non-host source has nobody to answer.
#[test]
fn echo_request_from_non_host_source_is_discarded() {
    let r = respond_to_echo(
        Ipv4Addr::UNSPECIFIED,
        B,
        false,
        Echo {
            id: id(1, 1),
            data: (),
        },
    );
    assert_eq!(r, EchoResponse::Discard(EchoDiscard::SourceNotSingleHost));
}

// RFC 792 Echo: the reply is matched by identifier and sequence number.
#[test]
fn echo_reply_matches_request_by_ident_and_seq() {
    let mut c = EchoClient::new();
    c.send(id(1, 1), 10).unwrap();
    c.send(id(1, 2), 20).unwrap();
    let m = Mechanisms::default();
    assert_eq!(
        c.receive_reply(id(1, 2), &m),
        ReplyMatch::Matched {
            request: id(1, 2),
            reply: id(1, 2),
            sent_at: 20
        }
    );
    assert!(c.outstanding()[1].answered && !c.outstanding()[0].answered);
}

// RFC 792 Echo: a second reply to an answered request is a duplicate, not a new answer.
#[test]
fn second_reply_to_same_request_is_duplicate() {
    let mut c = EchoClient::new();
    c.send(id(1, 1), 0).unwrap();
    let m = Mechanisms::default();
    assert!(matches!(
        c.receive_reply(id(1, 1), &m),
        ReplyMatch::Matched { .. }
    ));
    assert_eq!(
        c.receive_reply(id(1, 1), &m),
        ReplyMatch::Duplicate { request: id(1, 1) }
    );
}

// RFC 792 Echo: a reply whose identifier or sequence number fits no request is unmatched.
#[test]
fn reply_with_unknown_ident_or_seq_is_unmatched() {
    let mut c = EchoClient::new();
    c.send(id(1, 1), 0).unwrap();
    let m = Mechanisms::default();
    assert_eq!(c.receive_reply(id(2, 1), &m), ReplyMatch::Unmatched);
    assert_eq!(c.receive_reply(id(1, 2), &m), ReplyMatch::Unmatched);
    assert!(!c.outstanding()[0].answered);
}

// RFC 792 Echo: identifier and sequence must tell outstanding requests apart.
#[test]
fn sending_an_outstanding_ident_seq_again_is_refused() {
    let mut c = EchoClient::new();
    c.send(id(1, 1), 0).unwrap();
    assert_eq!(c.send(id(1, 1), 5), Err(AlreadyOutstanding(id(1, 1))));
    assert_eq!(c.outstanding().len(), 1);
}

// Hazard C1: without ident/seq matching, a late reply to request 1 answers request 2.
#[test]
fn ablation_match_echo_ident_seq_matches_wrong_request() {
    let m = Mechanisms {
        match_echo_ident_seq: false,
        ..Mechanisms::default()
    };
    let mut c = EchoClient::new();
    c.send(id(1, 1), 0).unwrap();
    c.send(id(1, 2), 1).unwrap();
    assert!(matches!(
        c.receive_reply(id(1, 1), &m),
        ReplyMatch::Matched { .. }
    ));
    // A duplicate of the reply to request 1 now arrives: it is taken as the answer to 2.
    assert_eq!(
        c.receive_reply(id(1, 1), &m),
        ReplyMatch::Matched {
            request: id(1, 2),
            reply: id(1, 1),
            sent_at: 1
        }
    );
    // With nothing left unanswered, even the ablated client has no match.
    assert_eq!(c.receive_reply(id(9, 9), &m), ReplyMatch::Unmatched);
}

// RFC 792 Echo, client side: requests unanswered within the timeout are reported lost; a reply
// after that is unmatched.
#[test]
fn expire_reports_unanswered_requests_as_lost() {
    let mut c = EchoClient::new();
    let m = Mechanisms::default();
    c.send(id(1, 1), 0).unwrap();
    c.send(id(1, 2), 0).unwrap();
    c.send(id(1, 3), 50).unwrap();
    c.receive_reply(id(1, 2), &m);
    assert_eq!(c.expire(99, 100), vec![]);
    assert_eq!(c.expire(100, 100), vec![id(1, 1)]);
    assert_eq!(c.outstanding().len(), 1);
    assert_eq!(c.receive_reply(id(1, 1), &m), ReplyMatch::Unmatched);
}

fn offending() -> impl Strategy<Value = OffendingPacket> {
    (
        any::<u32>(),
        any::<u32>(),
        any::<(bool, bool, bool)>(),
        prop_oneof![Just(0u16), any::<u16>()],
        prop_oneof![
            Just(ICMP),
            Just(UDP),
            any::<u8>().prop_map(IpProtocol::from)
        ],
        proptest::option::of(any::<u8>()),
    )
        .prop_map(
            |(s, d, (sb, db, lb), fragment_offset, protocol, icmp_type)| OffendingPacket {
                src: s.into(),
                dst: d.into(),
                src_is_subnet_broadcast: sb,
                dst_is_subnet_broadcast: db,
                link_broadcast: lb,
                fragment_offset,
                protocol,
                icmp_type,
            },
        )
}

proptest! {
    // RFC 1122 §3.2.2, the storm-freedom core: with the rule on, no error is ever allowed about
    // an initial ICMP datagram that is not a query.
    #[test]
    fn never_an_error_about_an_icmp_non_query(p in offending()) {
        let is_error = p.protocol == ICMP
            && p.fragment_offset == 0
            && p.icmp_type.map(icmp::classify) != Some(MessageClass::Query);
        if is_error {
            prop_assert!(!may_send_error_about(&p, &Mechanisms::default()));
        }
    }

    // The ablation only widens what is allowed, never narrows it.
    #[test]
    fn ablation_only_relaxes_the_error_rule(p in offending()) {
        if may_send_error_about(&p, &Mechanisms::default()) {
            prop_assert!(may_send_error_about(&p, &without_no_error_about_error()));
        }
    }

    // RFC 792: with matching on, a match always pairs a reply with its own request.
    #[test]
    fn matched_reply_is_its_own_request(
        sent in proptest::collection::vec((0u16..3, 0u16..3), 0..6),
        replies in proptest::collection::vec((0u16..3, 0u16..3), 0..8),
    ) {
        let mut c = EchoClient::new();
        for (i, (ident, seq)) in sent.into_iter().enumerate() {
            let _ = c.send(id(ident, seq), i as u64);
        }
        for (ident, seq) in replies {
            if let ReplyMatch::Matched { request, reply, .. } =
                c.receive_reply(id(ident, seq), &Mechanisms::default())
            {
                prop_assert_eq!(request, reply);
            }
        }
    }
}
