//! A capture our own stack records (two hosts over the in-memory Ethernet link): ARP, a TCP
//! transfer closed by both sides, and UDP to a closed port answered by ICMP, split as it
//! happened.

use super::common::*;
use std::net::SocketAddrV4;
use tcpip_spec::capture::{Capture, Conversation, Conversations, Direction, SplitConfig};
use tcpip_spec::stack::link::Faults;
use tcpip_spec::stack::pcap;
use tcpip_spec::tcp::State;

#[test]
fn a_run_of_our_stack_splits_as_it_happened() {
    let mut p = pair(Faults::clean(ms(5)), 21, true);
    p.capture = Some(Vec::new());
    let (c, s) = connect(&mut p);
    let data = pattern(20_000, 3);
    let mut tx = Sender {
        data: data.clone(),
        sent: 0,
    };
    let mut got = Vec::new();
    assert!(p.run_until(LIMIT, |p| {
        tx.pump(&mut p.a, p.now, c);
        drain(&mut p.b, p.now, s, &mut got);
        got.len() == data.len()
    }));
    p.a.tcp_close(p.now, c);
    assert!(p.run_until(LIMIT, |p| p.b.tcp_state(s) == Some(State::CloseWait)));
    p.b.tcp_close(p.now, s);
    assert!(p.run_until(LIMIT, |p| p.a.tcp_state(c) == Some(State::TimeWait)));
    let udp = p.a.udp_bind(5000).unwrap();
    assert!(p.a.udp_send_to(p.now, udp, sock(B, 9), b"nobody"));
    assert!(p.run_until(LIMIT, |p| p.a.counters().icmp_ignored == 1));

    let file = pcap::to_bytes(pcap::LinkType::Ethernet, p.capture.as_ref().unwrap());
    let split =
        Conversations::read(Capture::from_bytes(&file).unwrap(), SplitConfig::default()).unwrap();
    let summary = split.summary();
    assert_eq!(
        (summary.undecodable, summary.bad_checksums, summary.cut),
        (0, 0, 0)
    );
    let [
        Conversation::Arp(arp),
        Conversation::Tcp(tcp),
        Conversation::Udp(flow),
    ] = &split.conversations[..]
    else {
        panic!("{:#?}", split.conversations);
    };
    assert_eq!((arp.a, arp.b), (A, B));
    assert_eq!(tcp.b, SocketAddrV4::new(B, 80));
    assert_eq!(*tcp.a.ip(), A);
    let flags = |d: Direction| -> Vec<String> {
        tcp.segments
            .iter()
            .filter(|s| s.direction == d && (s.tcp.repr.flags.syn() || s.tcp.repr.flags.fin()))
            .map(|s| s.tcp.repr.flags.to_string())
            .collect()
    };
    assert_eq!(flags(Direction::FromA), ["SYN", "FIN,ACK"]);
    assert_eq!(flags(Direction::FromB), ["SYN,ACK", "FIN,ACK"]);
    // The text A sent, put in sequence order from the ISN, is the data.
    let isn = tcp.segments[0].tcp.repr.seq;
    let mut pieces: Vec<(usize, &[u8])> = tcp
        .segments
        .iter()
        .filter(|s| s.direction == Direction::FromA && !s.tcp.payload.is_empty())
        .map(|s| {
            let offset = s.tcp.repr.seq.0.wrapping_sub(isn.0) as usize - 1;
            (offset, s.tcp.payload.as_slice())
        })
        .collect();
    pieces.sort();
    pieces.dedup();
    let mut text = Vec::new();
    for (offset, bytes) in pieces {
        assert_eq!(offset, text.len(), "no hole, no overlap");
        text.extend_from_slice(bytes);
    }
    assert_eq!(text, data);
    assert_eq!(
        (flow.a, flow.b, flow.datagrams.len()),
        (SocketAddrV4::new(A, 5000), SocketAddrV4::new(B, 9), 1)
    );
    assert_eq!(flow.icmp_errors.len(), 1);
    assert_eq!(flow.icmp_errors[0].about, Direction::FromA);
}
