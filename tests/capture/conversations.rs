//! Splitting into conversations: endpoints and directions, the TCP incarnation rule (each of
//! its three conditions, and the quiet time), UDP flows, ICMP exchanges and errors tied to the
//! flow they quote, ARP exchanges, the order of conversations, and the streaming splitter.

use super::build::*;
use std::net::{Ipv4Addr, SocketAddrV4};
use std::time::Duration;
use tcpip_spec::capture::{
    Capture, Conversation, Conversations, Direction, IcmpKind, SplitConfig, Splitter,
    TcpConversation,
};
use tcpip_spec::stack::pcap;
use tcpip_spec::wire::{EtherType, IpProtocol, arp, icmp};

const C: Ipv4Addr = Ipv4Addr::new(10, 0, 0, 254);

fn split_with(config: SplitConfig, packets: &[(Duration, Vec<u8>)]) -> Conversations {
    let file = pcap::to_bytes(pcap::LinkType::RawIp, packets);
    Conversations::read(Capture::from_bytes(&file).unwrap(), config).unwrap()
}

fn split(packets: &[(Duration, Vec<u8>)]) -> Conversations {
    split_with(SplitConfig::default(), packets)
}

/// Each TCP conversation as (incarnation, its frame numbers).
fn incarnations(c: &Conversations) -> Vec<(u32, Vec<u64>)> {
    c.tcp()
        .map(|t| (t.incarnation, t.segments.iter().map(|s| s.frame).collect()))
        .collect()
}

fn at(secs: u64, packet: Vec<u8>) -> (Duration, Vec<u8>) {
    (Duration::from_secs(secs), packet)
}

const SA: (Ipv4Addr, u16) = (A, 40000);
const SB: (Ipv4Addr, u16) = (B, 80);

#[test]
fn one_connection_endpoints_and_directions() {
    let c = split(&timed(connection(100, 900)));
    let tcp: Vec<&TcpConversation> = c.tcp().collect();
    assert_eq!(tcp.len(), 1);
    let t = tcp[0];
    assert_eq!(
        (t.a, t.b),
        (SocketAddrV4::new(A, 40000), SocketAddrV4::new(B, 80))
    );
    let from_a = Direction::FromA;
    let from_b = Direction::FromB;
    assert_eq!(
        t.segments.iter().map(|s| s.direction).collect::<Vec<_>>(),
        [
            from_a, from_b, from_a, from_a, from_b, from_a, from_b, from_a
        ]
    );
    assert_eq!(t.segments[3].tcp.payload, b"hello");
    let s = c.summary();
    assert_eq!(
        (s.frames, s.tcp_connections, s.tcp_segments, s.undecodable),
        (8, 1, 8, 0)
    );
    assert_eq!(
        s.to_string(),
        "8 frames (0 undecodable, 0 cut, 0 with a bad checksum): 1 TCP connections \
         (8 segments), 0 UDP flows, 0 ICMP exchanges, 0 ARP exchanges"
    );
}

#[test]
fn a_capture_that_starts_at_the_syn_ack_still_names_the_opener() {
    let c = split(&timed(connection(100, 900)[1..].to_vec()));
    let t = c.tcp().next().unwrap();
    assert_eq!(t.a, SocketAddrV4::new(A, 40000));
    assert_eq!(t.segments[0].direction, Direction::FromB);
}

#[test]
fn time_wait_reuse_opens_a_new_incarnation() {
    let mut packets = timed(connection(100, 900));
    packets.extend(connection(5000, 7000).into_iter().map(|p| at(1010, p)));
    let c = split(&packets);
    assert_eq!(
        incarnations(&c),
        [(0, (1..=8).collect()), (1, (9..=16).collect())]
    );
}

#[test]
fn a_syn_with_the_old_isn_stays_with_the_old_incarnation() {
    let mut packets = timed(connection(100, 900));
    // A late duplicate of the old SYN (same ISN) after the close, then a new SYN and its
    // retransmission.
    packets.push(at(1001, segment(SA, SB, 100, 0, SYN, b"")));
    packets.push(at(1002, segment(SA, SB, 5000, 0, SYN, b"")));
    packets.push(at(1003, segment(SA, SB, 5000, 0, SYN, b"")));
    let c = split(&packets);
    assert_eq!(
        incarnations(&c),
        [(0, (1..=9).collect()), (1, vec![10, 11])]
    );
}

#[test]
fn a_syn_in_a_live_connection_stays_in_it() {
    let conn = connection(100, 900);
    // Handshake and data, then a SYN with another ISN before any FIN: the checker's to judge
    // (RFC 5961 §4), not a new connection.
    let mut packets = timed(conn[..5].to_vec());
    packets.push(at(1001, segment(SA, SB, 5000, 0, SYN, b"")));
    let c = split(&packets);
    assert_eq!(incarnations(&c), [(0, (1..=6).collect())]);
}

#[test]
fn a_rst_ends_an_incarnation() {
    let packets = vec![
        at(1, segment(SA, SB, 100, 0, SYN, b"")),
        at(1, segment(SB, SA, 0, 101, RST | ACK, b"")),
        at(2, segment(SA, SB, 100, 0, SYN, b"")), // a retransmission: stays
        at(3, segment(SA, SB, 777, 0, SYN, b"")),
        at(3, segment(SB, SA, 0, 778, RST | ACK, b"")),
    ];
    let c = split(&packets);
    assert_eq!(incarnations(&c), [(0, vec![1, 2, 3]), (1, vec![4, 5])]);
}

#[test]
fn a_quiet_connection_may_be_reopened() {
    let conn = connection(100, 900);
    let reopen = |after: u64, config: SplitConfig| {
        let mut packets: Vec<_> = conn[..5].iter().map(|p| at(1000, p.clone())).collect();
        packets.push(at(1000 + after, segment(SA, SB, 5000, 0, SYN, b"")));
        incarnations(&split_with(config, &packets)).len()
    };
    let default = SplitConfig::default();
    assert_eq!(default.quiet, Duration::from_secs(240));
    assert_eq!(reopen(240, default), 1, "quiet for 2 MSL exactly: not yet");
    assert_eq!(reopen(241, default), 2);
    let short = SplitConfig {
        quiet: Duration::from_secs(10),
    };
    assert_eq!(reopen(10, short), 1);
    assert_eq!(reopen(11, short), 2);
}

#[test]
fn the_other_side_may_open_the_next_incarnation() {
    let mut packets = timed(connection(100, 900));
    packets.push(at(1001, segment(SB, SA, 3000, 0, SYN, b"")));
    packets.push(at(1001, segment(SA, SB, 6000, 3001, syn_ack(), b"")));
    let c = split(&packets);
    let tcp: Vec<_> = c.tcp().collect();
    assert_eq!(tcp.len(), 2);
    assert_eq!(tcp[1].a, SocketAddrV4::new(B, 80));
    assert_eq!(
        tcp[1]
            .segments
            .iter()
            .map(|s| s.direction)
            .collect::<Vec<_>>(),
        [Direction::FromA, Direction::FromB]
    );
}

/// ARP, UDP with a port unreachable, two pings, a TCP connection with a time exceeded from a
/// router, and an error about a flow never seen, all on Ethernet.
fn mixed() -> Vec<(Duration, Vec<u8>)> {
    let udp = datagram((A, 5000), (B, 53), b"query");
    let unreachable = icmp::Repr::DstUnreachable {
        reason: icmp::Unreachable::Port,
        invoking: icmp::invoking_prefix(&udp).to_vec(),
    };
    let echo = |request: bool, ident: u16| {
        let data = b"ping".to_vec();
        if request {
            icmp::Repr::EchoRequest {
                ident,
                seq_no: 1,
                data,
            }
        } else {
            icmp::Repr::EchoReply {
                ident,
                seq_no: 1,
                data,
            }
        }
    };
    let conn = connection(100, 900);
    let exceeded = icmp::Repr::TimeExceeded {
        reason: icmp::TimeExceeded::InTransit,
        invoking: icmp::invoking_prefix(&conn[3]).to_vec(),
    };
    let unseen = icmp::Repr::DstUnreachable {
        reason: icmp::Unreachable::Port,
        invoking: icmp::invoking_prefix(&datagram((A, 6000), (B, 123), b"ntp")).to_vec(),
    };
    let ipv4 = |p: Vec<u8>| {
        let src = tcpip_spec::wire::ipv4::Packet::new_unchecked(&p[..]).src_addr();
        ethernet(src, EtherType::Ipv4, &p)
    };
    let mut frames = vec![
        ethernet(
            A,
            EtherType::Arp,
            &arp_packet(arp::Operation::Request, A, B),
        ),
        ethernet(B, EtherType::Arp, &arp_packet(arp::Operation::Reply, B, A)),
        ipv4(udp),
        ipv4(icmp_message(B, A, &unreachable)),
        ipv4(icmp_message(A, B, &echo(true, 9))),
        ipv4(icmp_message(B, A, &echo(false, 9))),
        ipv4(icmp_message(A, B, &echo(true, 10))),
    ];
    frames.extend(conn[..4].iter().cloned().map(ipv4));
    frames.push(ipv4(icmp_message(C, A, &exceeded)));
    frames.push(ipv4(icmp_message(B, A, &unseen)));
    frames.push(ipv4(icmp_message(B, A, &echo(false, 10))));
    frames.push(ipv4(ip(A, B, IpProtocol::Unknown(89), b"ospf")));
    timed(frames)
}

#[test]
fn udp_icmp_arp_in_order_of_first_frame() {
    let file = pcap::to_bytes(pcap::LinkType::Ethernet, &mixed());
    let c =
        Conversations::read(Capture::from_bytes(&file).unwrap(), SplitConfig::default()).unwrap();
    let firsts: Vec<u64> = c.conversations.iter().map(|c| c.first_frame()).collect();
    assert_eq!(firsts, [1, 3, 5, 7, 8, 13]);
    let [
        Conversation::Arp(arp),
        Conversation::Udp(udp),
        Conversation::Icmp(ping9),
        Conversation::Icmp(ping10),
        Conversation::Tcp(tcp),
        Conversation::Icmp(errors),
    ] = &c.conversations[..]
    else {
        panic!("{:#?}", c.conversations);
    };
    assert_eq!((arp.a, arp.b, arp.messages.len()), (A, B, 2));
    assert_eq!(arp.messages[1].direction, Direction::FromB);
    assert_eq!(
        (udp.a, udp.b),
        (SocketAddrV4::new(A, 5000), SocketAddrV4::new(B, 53))
    );
    assert_eq!(udp.datagrams.len(), 1);
    assert_eq!(
        udp.icmp_errors
            .iter()
            .map(|e| (e.frame, e.about))
            .collect::<Vec<_>>(),
        [(4, Direction::FromA)]
    );
    assert_eq!(ping9.kind, IcmpKind::Echo { ident: 9 });
    assert_eq!(
        ping9
            .messages
            .iter()
            .map(|m| (m.frame, m.direction))
            .collect::<Vec<_>>(),
        [(5, Direction::FromA), (6, Direction::FromB)]
    );
    assert_eq!(
        ping10.messages.iter().map(|m| m.frame).collect::<Vec<_>>(),
        [7, 14]
    );
    assert_eq!(tcp.segments.len(), 4);
    assert_eq!(
        tcp.icmp_errors
            .iter()
            .map(|e| (e.frame, e.about, e.ip.repr.src_addr))
            .collect::<Vec<_>>(),
        [(12, Direction::FromA, C)]
    );
    assert_eq!(errors.kind, IcmpKind::Errors);
    assert_eq!((errors.a, errors.b), (B, A));
    assert_eq!(c.undecodable.len(), 1);
    assert_eq!(c.undecodable[0].0, 15);
    let s = c.summary();
    assert_eq!(
        (
            s.frames,
            s.tcp_connections,
            s.udp_flows,
            s.icmp_exchanges,
            s.arp_exchanges,
            s.undecodable
        ),
        (15, 1, 1, 3, 1, 1)
    );
}

#[test]
fn the_streaming_splitter_agrees_with_the_collected_split() {
    let file = pcap::to_bytes(pcap::LinkType::Ethernet, &mixed());
    let frames: Vec<_> = Capture::from_bytes(&file)
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let collected = Conversations::collect(frames.clone());
    let mut splitter = Splitter::new(SplitConfig::default());
    let mut opened = Vec::new();
    for f in &frames {
        if let Some(a) = splitter.assign(f)
            && a.opens
        {
            assert_eq!(a.conversation, opened.len(), "opened in order");
            opened.push(f.number);
        }
    }
    let firsts: Vec<u64> = collected
        .conversations
        .iter()
        .map(|c| c.first_frame())
        .collect();
    assert_eq!(opened, firsts);
    assert_eq!(splitter.summary(), collected.summary());
}
