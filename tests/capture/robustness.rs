//! No input makes the reader or the splitter panic or loop: arbitrary bytes, arbitrary packets
//! in valid containers of every link type, and valid files mutated (bytes overwritten, cut,
//! inserted, removed). Every error reads as one line.

use super::build::*;
use proptest::collection::vec;
use proptest::prelude::*;
use std::time::Duration;
use tcpip_spec::capture::{Capture, Conversations, Frame};
use tcpip_spec::wire::{EtherType, arp, icmp};

/// Reads `bytes` to the end or to the first error, splits what was read, and returns the
/// frames; an error must be one line.
fn read_all(bytes: &[u8]) -> Vec<Frame> {
    let mut frames = Vec::new();
    match Capture::from_bytes(bytes) {
        Err(e) => assert!(!e.to_string().contains('\n'), "{e}"),
        Ok(capture) => {
            for frame in capture {
                match frame {
                    Ok(f) => frames.push(f),
                    Err(e) => {
                        assert!(!e.to_string().contains('\n'), "{e}");
                        break;
                    }
                }
            }
        }
    }
    for f in &frames {
        if let tcpip_spec::capture::Packet::Undecodable(why) = &f.packet {
            assert!(!why.to_string().contains('\n'));
        }
    }
    let split = Conversations::collect(frames.clone());
    assert_eq!(split.summary().frames, frames.len() as u64);
    frames
}

/// Valid files of every kind, to mutate.
fn samples() -> Vec<Vec<u8>> {
    let conn = connection(0xffff_fff0, 7);
    let eth: Vec<_> = conn
        .iter()
        .map(|d| ethernet(A, EtherType::Ipv4, d))
        .collect();
    let echo = icmp::Repr::EchoRequest {
        ident: 1,
        seq_no: 2,
        data: vec![0; 16],
    };
    let unreachable = icmp::Repr::DstUnreachable {
        reason: icmp::Unreachable::Port,
        invoking: icmp::invoking_prefix(&conn[3]).to_vec(),
    };
    let mut mixed = eth.clone();
    mixed.push(ethernet(
        A,
        EtherType::Arp,
        &arp_packet(arp::Operation::Request, A, B),
    ));
    mixed.push(ethernet(
        A,
        EtherType::Ipv4,
        &datagram((A, 1), (B, 2), b"udp"),
    ));
    mixed.push(ethernet(A, EtherType::Ipv4, &icmp_message(A, B, &echo)));
    mixed.push(ethernet(
        B,
        EtherType::Ipv4,
        &icmp_message(B, A, &unreachable),
    ));
    let mut ng = PcapNg::new(false);
    ng.interface(1, 96, Some(9), Some(-5))
        .interface(276, 0, Some(0x90), None)
        .epb(0, 1, &eth[0], eth[0].len())
        .epb(1, 2, &sll2(0x0800, &conn[1]), 20 + conn[1].len())
        .spb(&eth[2], eth[2].len());
    ng.section(true)
        .interface(101, 0, None, None)
        .opb(0, 3, &conn[3])
        .epb(0, 4, &conn[4], conn[4].len());
    vec![
        tcpip_spec::stack::pcap::to_bytes(
            tcpip_spec::stack::pcap::LinkType::Ethernet,
            &timed(mixed),
        ),
        pcap(true, true, 101, 65535, &timed(conn.clone())),
        pcap(
            false,
            false,
            113,
            64,
            &timed(conn.iter().map(|d| sll(0x0800, d)).collect()),
        ),
        ng.bytes,
    ]
}

fn link_code() -> impl Strategy<Value = u32> {
    prop::sample::select(vec![1u32, 12, 14, 101, 228, 113, 276])
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    #[test]
    fn arbitrary_bytes(bytes in vec(any::<u8>(), 0..600)) {
        read_all(&bytes);
    }

    #[test]
    fn arbitrary_bytes_after_a_magic(
        magic in prop::sample::select(vec![
            0xa1b2_c3d4u32, 0xd4c3_b2a1, 0xa1b2_3c4d, 0x4d3c_b2a1, 0xa1b2_cd34, 0x0a0d_0d0a,
        ]),
        bytes in vec(any::<u8>(), 0..600),
    ) {
        let mut file = magic.to_le_bytes().to_vec();
        file.extend(bytes);
        read_all(&file);
    }

    /// Whatever a packet holds, a valid container yields one frame for it.
    #[test]
    fn arbitrary_packets_in_valid_containers(
        link in link_code(),
        snaplen in prop::sample::select(vec![0u32, 40, 96, 65535]),
        packets in vec(vec(any::<u8>(), 0..120), 0..6),
        big_endian in any::<bool>(),
    ) {
        let records: Vec<_> = packets
            .iter()
            .map(|p| (Duration::from_secs(1), p.clone()))
            .collect();
        let frames = read_all(&pcap(big_endian, false, link, snaplen.max(1), &records));
        prop_assert_eq!(frames.len(), packets.len());
        let mut ng = PcapNg::new(big_endian);
        ng.interface(link as u16, snaplen, None, None);
        for p in &packets {
            ng.epb(0, 1, p, p.len() + 10);
        }
        prop_assert_eq!(read_all(&ng.bytes).len(), packets.len());
    }

    /// Valid packets with a few bytes overwritten: the decoder's hardest inputs.
    #[test]
    fn mutated_packets_in_valid_containers(
        link in prop::sample::select(vec![1u32, 101]),
        edits in vec((any::<prop::sample::Index>(), any::<u8>()), 1..6),
        cut in any::<prop::sample::Index>(),
    ) {
        let conn = connection(1, 2);
        let mut packets: Vec<Vec<u8>> = if link == 1 {
            conn.iter().map(|d| ethernet(A, EtherType::Ipv4, d)).collect()
        } else {
            conn
        };
        for (i, (at, value)) in edits.iter().enumerate() {
            let p = &mut packets[i % 8];
            let k = at.index(p.len());
            p[k] = *value;
        }
        let snaplen = 14 + cut.index(80) as u32;
        let frames = read_all(&pcap(false, false, link, snaplen, &timed(packets)));
        prop_assert_eq!(frames.len(), 8);
    }

    #[test]
    fn mutated_valid_files(
        which in any::<prop::sample::Index>(),
        edits in vec((any::<prop::sample::Index>(), any::<u8>()), 0..6),
        insert in prop::option::of((any::<prop::sample::Index>(), vec(any::<u8>(), 1..9))),
        remove in prop::option::of((any::<prop::sample::Index>(), 1usize..9)),
        cut in prop::option::of(any::<prop::sample::Index>()),
    ) {
        let samples = samples();
        let mut file = which.get(&samples).clone();
        for (at, value) in &edits {
            let k = at.index(file.len());
            file[k] = *value;
        }
        if let Some((at, bytes)) = insert {
            let k = at.index(file.len());
            file.splice(k..k, bytes);
        }
        if let Some((at, n)) = remove {
            let k = at.index(file.len());
            file.drain(k..(k + n).min(file.len()));
        }
        if let Some(at) = cut {
            file.truncate(at.index(file.len() + 1));
        }
        read_all(&file);
    }
}

#[test]
fn the_samples_are_valid() {
    let counts: Vec<usize> = samples().iter().map(|s| read_all(s).len()).collect();
    assert_eq!(counts, [12, 8, 8, 5]);
}
