//! Container formats, link types, headers-only captures, checksums as facts, and errors.

use super::build::*;
use std::time::Duration;
use tcpip_spec::capture::{
    Capture, Checksum, Error, ErrorKind, Frame, Ipv4, LinkType, Packet, Tcp, Undecodable,
};
use tcpip_spec::stack::pcap;
use tcpip_spec::tcp::Seq;
use tcpip_spec::wire::{EtherType, IpProtocol, arp, icmp, ipv4, tcp as wire_tcp};

const ISN_A: u32 = 0xffff_fff0;
const ISN_B: u32 = 0x1234_5678;

fn read(bytes: &[u8]) -> Vec<Frame> {
    Capture::from_bytes(bytes)
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

/// The error that ends reading `bytes`, with the frames read before it.
fn read_until_error(bytes: &[u8]) -> (usize, Error) {
    let mut capture = match Capture::from_bytes(bytes) {
        Ok(c) => c,
        Err(e) => return (0, e),
    };
    let mut frames = 0;
    loop {
        match capture.next_frame() {
            Ok(Some(_)) => frames += 1,
            Ok(None) => panic!("read {frames} frames without an error"),
            Err(e) => return (frames, e),
        }
    }
}

fn tcp_of(frame: &Frame) -> (&Ipv4, &Tcp) {
    match &frame.packet {
        Packet::Tcp { ip, tcp } => (ip, tcp),
        other => panic!("frame {}: {other:?}", frame.number),
    }
}

fn ethernet_connection() -> Vec<Vec<u8>> {
    connection(ISN_A, ISN_B)
        .into_iter()
        .map(|d| {
            let src = ipv4::Packet::new_unchecked(&d[..]).src_addr();
            ethernet(src, EtherType::Ipv4, &d)
        })
        .collect()
}

/// The frames of [`connection`] as read from any encoding of it.
fn assert_connection(frames: &[Frame], link: LinkType) {
    assert_eq!(frames.len(), 8);
    for (i, f) in frames.iter().enumerate() {
        assert_eq!(f.number, i as u64 + 1);
        assert_eq!(f.link, link);
        assert!(!f.is_cut());
        let (ip, tcp) = tcp_of(f);
        assert_eq!(
            (ip.checksum, tcp.checksum),
            (Checksum::Good, Checksum::Good)
        );
    }
    let (ip, syn) = tcp_of(&frames[0]);
    assert_eq!((ip.repr.src_addr, ip.repr.dst_addr), (A, B));
    assert_eq!(
        (syn.repr.seq, syn.repr.flags, syn.repr.mss),
        (Seq(ISN_A), SYN, Some(1460))
    );
    let (_, syn_ack) = tcp_of(&frames[1]);
    assert_eq!(syn_ack.repr.ack_number(), Some(Seq(ISN_A.wrapping_add(1))));
    let (_, data) = tcp_of(&frames[3]);
    assert_eq!(
        (data.payload.as_slice(), data.repr.payload_len),
        (&b"hello"[..], 5)
    );
    assert!(!data.text_cut());
}

#[test]
fn pcap_from_the_stack_writer() {
    let frames = read(&pcap::to_bytes(
        pcap::LinkType::Ethernet,
        &timed(ethernet_connection()),
    ));
    assert_connection(&frames, LinkType::Ethernet);
    assert_eq!(
        frames[2].timestamp,
        Duration::from_secs(1000) + Duration::from_millis(2)
    );
    assert_eq!(frames[2].interface, 0);
    // The writer pads nothing; Ethernet's minimum frame is the NIC's business.
    assert_eq!(frames[0].captured_len, 14 + 20 + 24);

    let frames = read(&pcap::to_bytes(
        pcap::LinkType::RawIp,
        &timed(connection(ISN_A, ISN_B)),
    ));
    assert_connection(&frames, LinkType::Raw);
}

#[test]
fn pcap_both_byte_orders_micro_and_nanoseconds() {
    let at = Duration::new(1_700_000_000, 123_456_789);
    for big_endian in [false, true] {
        for nanos in [false, true] {
            let records: Vec<_> = connection(ISN_A, ISN_B)
                .into_iter()
                .map(|d| (at, d))
                .collect();
            let frames = read(&pcap(big_endian, nanos, 101, 65535, &records));
            assert_connection(&frames, LinkType::Raw);
            let expected = if nanos {
                at
            } else {
                Duration::new(1_700_000_000, 123_456_000)
            };
            assert_eq!(frames[7].timestamp, expected, "be {big_endian} ns {nanos}");
        }
    }
}

#[test]
fn raw_ip_in_every_spelling() {
    for (code, link) in [
        (12, LinkType::Raw),
        (14, LinkType::Raw),
        (101, LinkType::Raw),
        (228, LinkType::Ipv4),
    ] {
        let frames = read(&pcap(
            false,
            false,
            code,
            65535,
            &timed(connection(ISN_A, ISN_B)),
        ));
        assert_connection(&frames, link);
    }
}

#[test]
fn linux_cooked_headers_v1_and_v2() {
    for (code, link, wrap) in [
        (113, LinkType::LinuxSll, sll as fn(u16, &[u8]) -> Vec<u8>),
        (276, LinkType::LinuxSll2, sll2),
    ] {
        let mut packets: Vec<_> = connection(ISN_A, ISN_B)
            .iter()
            .map(|d| wrap(0x0800, d))
            .collect();
        packets.push(wrap(0x0806, &arp_packet(arp::Operation::Request, A, B)));
        packets.push(wrap(0x86dd, &[0x60; 40]));
        let frames = read(&pcap(false, false, code, 65535, &timed(packets)));
        assert_connection(&frames[..8], link);
        assert!(matches!(frames[8].packet, Packet::Arp(ref r) if r.target_protocol_addr == B));
        assert_eq!(
            frames[9].packet,
            Packet::Undecodable(Undecodable::NotIpv4(0x86dd))
        );
    }
}

#[test]
fn one_vlan_tag_is_skipped() {
    let tagged: Vec<_> = ethernet_connection()
        .into_iter()
        .map(|f| {
            let mut t = f[..12].to_vec();
            t.extend([0x81, 0x00, 0x00, 0x2a]);
            t.extend(&f[12..]);
            t
        })
        .collect();
    let frames = read(&pcap(false, false, 1, 65535, &timed(tagged)));
    assert_connection(&frames, LinkType::Ethernet);
}

#[test]
fn headers_only_capture_keeps_numbers_and_flags() {
    let text = vec![0x5a; 1000];
    let big = segment((A, 40000), (B, 80), 1, 2, psh_ack(), &text);
    let syn = segment((A, 40000), (B, 80), 0, 0, SYN, b"");
    let packets = vec![
        ethernet(A, EtherType::Ipv4, &big),
        ethernet(A, EtherType::Ipv4, &syn),
    ];
    for snaplen in [96usize, 128] {
        let frames = read(&pcap(
            false,
            false,
            1,
            snaplen as u32,
            &timed(packets.clone()),
        ));
        let f = &frames[0];
        assert!(f.is_cut());
        assert_eq!(
            (f.captured_len, f.original_len),
            (snaplen, 14 + 20 + 20 + 1000)
        );
        let (ip, tcp) = tcp_of(f);
        assert_eq!(ip.repr.payload_len, 1020);
        assert_eq!(ip.checksum, Checksum::Good, "the IP header is whole");
        assert_eq!(
            (tcp.repr.seq, tcp.repr.ack_number(), tcp.repr.flags),
            (Seq(1), Some(Seq(2)), psh_ack())
        );
        assert_eq!(tcp.repr.payload_len, 1000);
        assert_eq!(tcp.payload, vec![0x5a; snaplen - 54]);
        assert!(tcp.text_cut());
        assert_eq!(tcp.checksum, Checksum::NotVerified);
        // The SYN fits: whole, verified.
        let (_, tcp) = tcp_of(&frames[1]);
        assert!(!frames[1].is_cut());
        assert_eq!((tcp.checksum, tcp.repr.mss), (Checksum::Good, Some(1460)));
    }
    // A snapshot that cuts the TCP header yields no packet, and says so.
    let frames = read(&pcap(false, false, 1, 50, &timed(packets)));
    assert_eq!(
        frames[0].packet,
        Packet::Undecodable(Undecodable::Cut("TCP header"))
    );
    assert_eq!(
        Undecodable::Cut("TCP header").to_string(),
        "TCP header cut by the snapshot length"
    );
}

#[test]
fn bad_checksums_are_recorded_not_dropped() {
    let mut offloaded = segment((A, 40000), (B, 80), 1, 2, psh_ack(), b"data");
    offloaded[20 + 16] = 0; // TCP checksum left to the NIC
    offloaded[20 + 17] = 0;
    let mut bad_header = segment((A, 40000), (B, 80), 1, 2, ACK, b"");
    bad_header[10] ^= 0xff;
    let mut udp_none = datagram((A, 5000), (B, 53), b"query");
    udp_none[20 + 6] = 0;
    udp_none[20 + 7] = 0;
    let mut udp_bad = datagram((A, 5000), (B, 53), b"query");
    udp_bad[20 + 6] ^= 0x01;
    let echo = icmp::Repr::EchoRequest {
        ident: 9,
        seq_no: 1,
        data: b"ping".to_vec(),
    };
    let mut icmp_bad = icmp_message(A, B, &echo);
    icmp_bad[20 + 2] ^= 0x01;
    let frames = read(&pcap(
        false,
        false,
        101,
        65535,
        &timed(vec![offloaded, bad_header, udp_none, udp_bad, icmp_bad]),
    ));
    let (ip, tcp) = tcp_of(&frames[0]);
    assert_eq!((ip.checksum, tcp.checksum), (Checksum::Good, Checksum::Bad));
    assert_eq!(
        (tcp.payload.as_slice(), tcp.repr.seq),
        (&b"data"[..], Seq(1))
    );
    let (ip, tcp) = tcp_of(&frames[1]);
    assert_eq!((ip.checksum, tcp.checksum), (Checksum::Bad, Checksum::Good));
    assert!(frames[0].packet.bad_checksum() && frames[1].packet.bad_checksum());
    match (&frames[2].packet, &frames[3].packet) {
        (Packet::Udp { udp: none, .. }, Packet::Udp { udp: bad, .. }) => {
            assert_eq!(
                (none.checksum, bad.checksum),
                (Checksum::Absent, Checksum::Bad)
            );
            assert_eq!(bad.payload, b"query");
        }
        other => panic!("{other:?}"),
    }
    assert!(!frames[2].packet.bad_checksum());
    match &frames[4].packet {
        Packet::Icmp { icmp, .. } => {
            assert_eq!((&icmp.repr, icmp.checksum), (&echo, Checksum::Bad));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn what_cannot_be_read_is_undecodable_with_its_reason() {
    let mut fragment = segment((A, 1), (B, 2), 0, 0, SYN, b"");
    fragment[6] |= 0x20; // More Fragments
    let mut long = segment((A, 1), (B, 2), 0, 0, SYN, b"");
    long[3] += 4; // total length past the frame
    let packets = vec![
        fragment,
        long,
        ip(A, B, IpProtocol::Unknown(47), b"gre"),
        vec![0x45, 0, 0],
        vec![0x60; 40],
        vec![0x10; 20],
    ];
    let frames = read(&pcap(false, false, 101, 65535, &timed(packets)));
    let reasons: Vec<_> = frames
        .iter()
        .map(|f| match &f.packet {
            Packet::Undecodable(why) => why.to_string(),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(
        reasons,
        [
            "IPv4 fragment (not reassembled)",
            "malformed: IPv4 total length past the frame",
            "IP protocol 47",
            "malformed: IPv4 header",
            "IPv6",
            "IP version neither 4 nor 6",
        ]
    );
}

#[test]
fn pcapng_sections_interfaces_and_resolutions() {
    let conn = connection(ISN_A, ISN_B);
    let eth = ethernet_connection();
    let mut ng = PcapNg::new(false);
    ng.interface(1, 65535, None, None) // 0: Ethernet, microseconds
        .interface(101, 65535, Some(9), None) // 1: raw IP, nanoseconds
        .epb(0, 5_000_001, &eth[0], eth[0].len())
        .block(4, &[0, 0, 0, 0]) // a Name Resolution Block: skipped
        .block(0x0bad_0bad, &[1, 2, 3, 4, 5]) // unknown: skipped by its length
        .epb(1, 7_000_000_123, &conn[1], conn[1].len());
    // A second section, big-endian, with its own interfaces (numbered on from 2).
    ng.section(true)
        .interface(276, 65535, Some(0x80 | 20), Some(100)) // SLL2, 2^-20 s, +100 s
        .interface(1, 96, Some(3), None) // Ethernet, milliseconds, snaplen 96
        .epb(
            0,
            3 << 20 | 1 << 19,
            &sll2(0x0800, &conn[2]),
            20 + conn[2].len(),
        )
        .spb(&sll2(0x0800, &conn[3]), 20 + conn[3].len())
        .opb(1, 42_001, &eth[4]);
    let frames = read(&ng.bytes);
    assert_eq!(frames.len(), 5);
    let seen: Vec<_> = frames
        .iter()
        .map(|f| (f.number, f.interface, f.link, f.timestamp))
        .collect();
    assert_eq!(
        seen,
        [
            (1, 0, LinkType::Ethernet, Duration::new(5, 1000)),
            (2, 1, LinkType::Raw, Duration::new(7, 123)),
            (3, 2, LinkType::LinuxSll2, Duration::new(103, 500_000_000)),
            (4, 2, LinkType::LinuxSll2, Duration::ZERO),
            (5, 3, LinkType::Ethernet, Duration::new(42, 1_000_000)),
        ]
    );
    for (f, d) in frames.iter().zip(&conn) {
        let (ip, tcp) = tcp_of(f);
        let (header, segment) = ipv4::Repr::parse_bytes(d).unwrap();
        let (expected, _) =
            wire_tcp::Repr::parse_bytes(segment, header.src_addr, header.dst_addr).unwrap();
        assert_eq!(
            (&ip.repr, &tcp.repr),
            (&header, &expected),
            "frame {}",
            f.number
        );
        assert_eq!(tcp.checksum, Checksum::Good);
    }
}

#[test]
fn pcapng_headers_only_and_simple_packet_snaplen() {
    let text = vec![7; 500];
    let big = segment((A, 40000), (B, 80), 1, 2, psh_ack(), &text);
    let frame = ethernet(A, EtherType::Ipv4, &big);
    // A snapshot length of 94 leaves 2 bytes of block padding after the data.
    let mut ng = PcapNg::new(false);
    ng.interface(1, 94, None, None)
        .epb(0, 1, &frame[..94], frame.len())
        // A Simple Packet Block stores no captured length: the snapshot length gives it, not
        // the padded block.
        .spb(&frame[..94], frame.len());
    let frames = read(&ng.bytes);
    assert_eq!(frames.len(), 2);
    for f in &frames {
        assert_eq!((f.captured_len, f.original_len), (94, frame.len()));
        let (_, tcp) = tcp_of(f);
        assert_eq!((tcp.repr.payload_len, tcp.payload.len()), (500, 40));
        assert_eq!(tcp.checksum, Checksum::NotVerified);
    }
}

#[test]
fn errors_say_what_and_where_in_one_line() {
    let file = pcap(false, false, 101, 65535, &timed(connection(ISN_A, ISN_B)));
    let last = file.len() - (16 + 40); // the last record: 16-byte header, 40-byte ACK
    let cases: Vec<(Vec<u8>, usize, String)> = vec![
        (Vec::new(), 0, "not a pcap or pcapng file".into()),
        (
            b"GET / HTTP/1.1\r\n".to_vec(),
            0,
            "not a pcap or pcapng file".into(),
        ),
        (
            file[..10].to_vec(),
            0,
            "truncated pcap file header at offset 0".into(),
        ),
        (
            file[..file.len() - 3].to_vec(),
            7,
            format!("truncated pcap record at offset {last}"),
        ),
        (
            file[..last + 10].to_vec(),
            7,
            format!("truncated pcap record at offset {last}"),
        ),
        (
            pcap(false, false, 147, 65535, &[]),
            0,
            "unsupported link type 147".into(),
        ),
        (
            {
                let mut f = file.clone();
                f[24 + 8..24 + 12].copy_from_slice(&0x0100_0000u32.to_le_bytes());
                f
            },
            0,
            "malformed pcap record (captured length over 256 KiB) at offset 24".into(),
        ),
    ];
    for (bytes, frames, message) in cases {
        let (read, error) = read_until_error(&bytes);
        assert_eq!((read, error.to_string()), (frames, message));
    }

    let conn = connection(ISN_A, ISN_B);
    let mut ng = PcapNg::new(true);
    ng.interface(101, 0, None, None);
    let first_epb = ng.bytes.len();
    ng.epb(0, 1, &conn[0], conn[0].len());
    let second_epb = ng.bytes.len();
    ng.epb(0, 2, &conn[1], conn[1].len());
    let whole = ng.bytes.clone();

    let (read, e) = read_until_error(&whole[..whole.len() - 1]);
    assert_eq!(read, 1);
    assert_eq!(
        e.to_string(),
        format!("truncated pcapng block at offset {second_epb}")
    );
    assert_eq!(
        *e.kind(),
        ErrorKind::Truncated {
            what: "pcapng block",
            offset: second_epb as u64
        }
    );
    // A captured length that overruns its block is not a truncated file: the next block is whole.
    let mut overrun = whole.clone();
    overrun[first_epb + 20..first_epb + 24].copy_from_slice(&1000u32.to_be_bytes());
    let (read, e) = read_until_error(&overrun);
    assert_eq!(read, 0);
    assert_eq!(
        e.to_string(),
        format!(
            "malformed pcapng packet block (captured length overruns the block) at offset {first_epb}"
        )
    );
    let mut stranger = whole.clone();
    stranger[first_epb + 8..first_epb + 12].copy_from_slice(&5u32.to_be_bytes());
    assert_eq!(
        read_until_error(&stranger).1.to_string(),
        format!("malformed pcapng packet block (interface not described) at offset {first_epb}")
    );
    let mut trailer = whole.clone();
    trailer[second_epb - 1] ^= 1;
    assert_eq!(
        read_until_error(&trailer).1.to_string(),
        format!("malformed pcapng block (trailing length differs) at offset {first_epb}")
    );
    let mut unsupported = PcapNg::new(false);
    unsupported.interface(147, 0, None, None);
    assert_eq!(
        read_until_error(&unsupported.bytes).1.to_string(),
        "unsupported link type 147"
    );

    // Opened from a path, the message names the file; the iterator stops at the error.
    let path = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("capture-cut.pcapng");
    std::fs::write(&path, &whole[..whole.len() - 1]).unwrap();
    let mut capture = Capture::open(&path).unwrap();
    assert!(capture.next().unwrap().is_ok());
    let e = capture.next().unwrap().unwrap_err();
    assert_eq!(
        e.to_string(),
        format!(
            "{}: truncated pcapng block at offset {second_epb}",
            path.display()
        )
    );
    assert_eq!(e.file(), Some(path.display().to_string().as_str()));
    assert!(capture.next().is_none());
    let missing = Capture::open("/nonexistent/x.pcap")
        .unwrap_err()
        .to_string();
    assert!(
        missing.starts_with("/nonexistent/x.pcap: read error: "),
        "{missing}"
    );
    assert!(!missing.contains('\n'));
}

#[test]
fn modified_pcap_and_fcs_bits_of_the_link_type() {
    // Kuznetzov's modified pcap: its own magic, 8 more bytes (ifindex, protocol, packet type)
    // in each record header.
    let plain = pcap(false, false, 101, 65535, &timed(connection(ISN_A, ISN_B)));
    let mut modified = 0xa1b2_cd34u32.to_le_bytes().to_vec();
    modified.extend(&plain[4..24]);
    let mut at = 24;
    while at < plain.len() {
        let caplen = u32::from_le_bytes(plain[at + 8..at + 12].try_into().unwrap()) as usize;
        modified.extend(&plain[at..at + 16]);
        modified.extend([2, 0, 0, 0, 0x08, 0x00, 4, 0]);
        modified.extend(&plain[at + 16..at + 16 + caplen]);
        at += 16 + caplen;
    }
    assert_connection(&read(&modified), LinkType::Raw);
    // The upper bits of the link type field say the frames end in a 4-byte FCS; the IP total
    // length already tells it apart from the packet.
    let with_fcs: Vec<_> = ethernet_connection()
        .into_iter()
        .map(|mut f| {
            f.extend([0xde, 0xad, 0xbe, 0xef]);
            f
        })
        .collect();
    let fcs_flag = 1 | 1 << 26 | 4 << 28;
    assert_connection(
        &read(&pcap(true, false, fcs_flag, 65535, &timed(with_fcs))),
        LinkType::Ethernet,
    );
}
