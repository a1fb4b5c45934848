//! Differential tests with etherparse as an independent oracle.
//!
//! Inputs are valid packets from random `Repr`s, the same packets after random mutations (so
//! both accepting and rejecting paths are taken), arbitrary bytes, and packets built by
//! etherparse's own writer. Where both parsers define an outcome they must agree on it: accept or
//! reject, every field, and whether the checksum verifies. Known, deliberate differences are
//! excluded where they arise and named there.

use crate::strategies::*;
use etherparse::checksum::Sum16BitWords;
use etherparse::{
    ArpEthIpv4Packet, ArpOperation, Ethernet2HeaderSlice, Icmpv4Slice, Icmpv4Type, Ipv4Slice,
    PacketBuilder, TcpOptionElement, TcpOptionReadError, TcpSlice, UdpSlice, icmpv4,
};
use proptest::prelude::*;
use std::net::Ipv4Addr;
use tcpip_spec::wire::{Error, arp, ethernet, icmp, ipv4, tcp, udp};

/// Equal as one's complement numbers: 0x0000 and 0xffff are both zero (RFC 1071 §1).
fn ones_eq(a: u16, b: u16) -> bool {
    a == b || (a | b == 0xffff && (a == 0 || b == 0))
}

/// The input bytes: a valid packet, optionally mutated.
fn maybe_mutated(mut bytes: Vec<u8>, edits: &Option<Vec<Mutation>>) -> Vec<u8> {
    if let Some(edits) = edits {
        apply(&mut bytes, edits);
    }
    bytes
}

fn ethernet_agrees(bytes: &[u8]) -> Result<(), TestCaseError> {
    match (
        ethernet::Repr::parse_bytes(bytes),
        Ethernet2HeaderSlice::from_slice(bytes),
    ) {
        (Ok((ours, payload)), Ok(theirs)) => {
            prop_assert_eq!(ours.dst_addr.0, theirs.destination());
            prop_assert_eq!(ours.src_addr.0, theirs.source());
            prop_assert_eq!(u16::from(ours.ethertype), theirs.ether_type().0);
            prop_assert_eq!(payload, &bytes[theirs.slice().len()..]);
        }
        (Err(_), Err(_)) => {}
        (ours, theirs) => prop_assert!(false, "disagree: {:?} vs {:?}", ours, theirs),
    }
    Ok(())
}

fn arp_agrees(bytes: &[u8]) -> Result<(), TestCaseError> {
    let theirs = etherparse::ArpPacketSlice::from_slice(bytes);
    prop_assert_eq!(arp::Packet::new_checked(bytes).is_ok(), theirs.is_ok());
    let Ok(theirs) = theirs else { return Ok(()) };
    let eth_ipv4 = theirs
        .to_packet()
        .try_eth_ipv4()
        .ok()
        .filter(|p| p.operation == ArpOperation::REQUEST || p.operation == ArpOperation::REPLY);
    match (arp::Repr::parse_bytes(bytes), eth_ipv4) {
        (Ok(ours), Some(theirs)) => {
            prop_assert_eq!(u16::from(ours.operation), theirs.operation.0);
            prop_assert_eq!(ours.sender_hardware_addr.0, theirs.sender_mac);
            prop_assert_eq!(ours.sender_protocol_addr.octets(), theirs.sender_ipv4);
            prop_assert_eq!(ours.target_hardware_addr.0, theirs.target_mac);
            prop_assert_eq!(ours.target_protocol_addr.octets(), theirs.target_ipv4);
        }
        (Err(Error::Unsupported(_)), None) => {}
        (ours, theirs) => prop_assert!(false, "disagree: {:?} vs {:?}", ours, theirs),
    }
    Ok(())
}

fn ipv4_agrees(bytes: &[u8]) -> Result<(), TestCaseError> {
    // Protocol 51 makes etherparse parse an authentication header as part of IP.
    prop_assume!(bytes.get(9) != Some(&51));
    let packet = ipv4::Packet::new_checked(bytes);
    let ours_accepts = packet.as_ref().is_ok_and(|p| p.version() == 4);
    let theirs = Ipv4Slice::from_slice(bytes);
    prop_assert_eq!(ours_accepts, theirs.is_ok(), "{:?}", theirs);
    let (Ok(packet), Ok(theirs)) = (packet, theirs) else {
        prop_assert!(ipv4::Repr::parse_bytes(bytes).is_err());
        return Ok(());
    };
    let header = theirs.header();
    prop_assert_eq!(packet.src_addr(), header.source_addr());
    prop_assert_eq!(packet.dst_addr(), header.destination_addr());
    prop_assert_eq!(u8::from(packet.protocol()), header.protocol().0);
    prop_assert_eq!(packet.ttl(), header.ttl());
    prop_assert_eq!(packet.ident(), header.identification());
    prop_assert_eq!(packet.dscp(), header.dcp().value());
    prop_assert_eq!(packet.ecn(), header.ecn().value());
    prop_assert_eq!(packet.dont_frag(), header.dont_fragment());
    prop_assert_eq!(packet.more_frags(), header.more_fragments());
    prop_assert_eq!(
        u32::from(packet.frag_offset()),
        u32::from(header.fragments_offset().value()) * 8
    );
    prop_assert_eq!(packet.header_len(), usize::from(header.ihl()) * 4);
    prop_assert_eq!(packet.total_len(), header.total_len());
    prop_assert_eq!(packet.payload(), theirs.payload().payload);
    // Summed raw: etherparse's `calc_header_checksum` rebuilds the header and so drops the
    // reserved flag bit, which the checksum on the wire covers.
    let valid = Sum16BitWords::new()
        .add_slice(header.slice())
        .ones_complement()
        == 0;
    prop_assert_eq!(packet.verify_checksum(), valid);
    let expected = if !valid {
        Err(Error::BadChecksum)
    } else if theirs.is_payload_fragmented() {
        Err(Error::Fragmented)
    } else {
        Ok(())
    };
    prop_assert_eq!(ipv4::Repr::parse_bytes(bytes).map(|_| ()), expected);
    Ok(())
}

fn udp_agrees(bytes: &[u8], src: Ipv4Addr, dst: Ipv4Addr) -> Result<(), TestCaseError> {
    // A zero length field: etherparse takes the buffer length (IPv6 jumbograms, RFC 2675);
    // RFC 768 has no such rule and this codec rejects it as below the minimum of 8.
    prop_assume!(bytes.len() < 8 || bytes[4..6] != [0, 0]);
    let theirs = UdpSlice::from_slice(bytes);
    let packet = udp::Packet::new_checked(bytes);
    prop_assert_eq!(packet.is_ok(), theirs.is_ok());
    let (Ok(packet), Ok(theirs)) = (packet, theirs) else {
        prop_assert!(udp::Repr::parse_bytes(bytes, src, dst).is_err());
        return Ok(());
    };
    prop_assert_eq!(packet.src_port(), theirs.source_port());
    prop_assert_eq!(packet.dst_port(), theirs.destination_port());
    prop_assert_eq!(packet.len(), theirs.length());
    prop_assert_eq!(packet.payload(), theirs.payload());
    let computed = theirs
        .to_header()
        .calc_checksum_ipv4_raw(src.octets(), dst.octets(), theirs.payload())
        .unwrap();
    let valid = theirs.checksum() == 0 || computed == theirs.checksum();
    prop_assert_eq!(packet.verify_checksum(src, dst), valid);
    match udp::Repr::parse_bytes(bytes, src, dst) {
        Ok((repr, payload)) => {
            prop_assert!(valid);
            prop_assert_eq!(repr.payload_len, theirs.payload().len());
            prop_assert_eq!(payload, theirs.payload());
        }
        Err(e) => prop_assert!(!valid && e == Error::BadChecksum, "{:?}", e),
    }
    Ok(())
}

/// etherparse's view of the options: `None` if it stopped at an option kind it does not know
/// (this codec skips those by length, so no claim), otherwise the options or the first error.
fn their_options(theirs: &TcpSlice) -> Option<Result<Vec<TcpOptionElement>, TcpOptionReadError>> {
    match theirs.options_iterator().collect::<Result<Vec<_>, _>>() {
        Err(TcpOptionReadError::UnknownId(_)) => None,
        other => Some(other),
    }
}

fn tcp_options_agree(ours: &tcp::Repr, options: &[TcpOptionElement]) -> Result<(), TestCaseError> {
    let mut mss = None;
    let mut window_scale = None;
    let mut sack_permitted = false;
    let mut timestamps = None;
    let mut sack_blocks = Vec::new();
    for option in options {
        match *option {
            TcpOptionElement::Noop => {}
            TcpOptionElement::MaximumSegmentSize(v) => mss = Some(v),
            TcpOptionElement::WindowScale(v) => window_scale = Some(v),
            TcpOptionElement::SelectiveAcknowledgementPermitted => sack_permitted = true,
            TcpOptionElement::Timestamp(tsval, tsecr) => {
                timestamps = Some(tcp::Timestamps { tsval, tsecr })
            }
            TcpOptionElement::SelectiveAcknowledgement(first, rest) => {
                sack_blocks = std::iter::once(first)
                    .chain(rest.into_iter().flatten())
                    .map(|(left, right)| tcp::SackBlock { left, right })
                    .collect();
            }
        }
    }
    prop_assert_eq!(ours.mss, mss);
    prop_assert_eq!(ours.window_scale, window_scale);
    prop_assert_eq!(ours.sack_permitted, sack_permitted);
    prop_assert_eq!(ours.timestamps, timestamps);
    prop_assert_eq!(&ours.sack_blocks, &sack_blocks);
    Ok(())
}

fn tcp_agrees(bytes: &[u8], src: Ipv4Addr, dst: Ipv4Addr) -> Result<(), TestCaseError> {
    let theirs = TcpSlice::from_slice(bytes);
    let packet = tcp::Packet::new_checked(bytes);
    prop_assert_eq!(packet.is_ok(), theirs.is_ok());
    let (Ok(packet), Ok(theirs)) = (packet, theirs) else {
        prop_assert!(tcp::Repr::parse_bytes(bytes, src, dst).is_err());
        return Ok(());
    };
    prop_assert_eq!(packet.src_port(), theirs.source_port());
    prop_assert_eq!(packet.dst_port(), theirs.destination_port());
    prop_assert_eq!(packet.seq_number().0, theirs.sequence_number());
    prop_assert_eq!(packet.ack_number().0, theirs.acknowledgment_number());
    let flags = packet.flags();
    prop_assert_eq!(
        [
            flags.fin(),
            flags.syn(),
            flags.rst(),
            flags.psh(),
            flags.ack(),
            flags.urg()
        ],
        [
            theirs.fin(),
            theirs.syn(),
            theirs.rst(),
            theirs.psh(),
            theirs.ack(),
            theirs.urg()
        ]
    );
    prop_assert_eq!(flags.contains(tcp::Flags::ECE), theirs.ece());
    prop_assert_eq!(flags.contains(tcp::Flags::CWR), theirs.cwr());
    prop_assert_eq!(packet.window_len(), theirs.window_size());
    prop_assert_eq!(packet.urgent_at(), theirs.urgent_pointer());
    prop_assert_eq!(packet.header_len(), usize::from(theirs.data_offset()) * 4);
    prop_assert_eq!(packet.options(), theirs.options());
    prop_assert_eq!(packet.payload(), theirs.payload());
    let computed = theirs
        .calc_checksum_ipv4(src.octets(), dst.octets())
        .unwrap();
    let valid = ones_eq(computed, theirs.checksum());
    prop_assert_eq!(packet.verify_checksum(src, dst), valid);
    let ours = tcp::Repr::parse_bytes(bytes, src, dst);
    if !valid {
        prop_assert_eq!(ours, Err(Error::BadChecksum));
        return Ok(());
    }
    match (ours, their_options(&theirs)) {
        (Ok((repr, _)), Some(Ok(options))) => {
            prop_assert_eq!(repr.payload_len, theirs.payload().len());
            tcp_options_agree(&repr, &options)?;
        }
        (Err(Error::Malformed(_)), Some(Err(_))) | (_, None) => {}
        (ours, theirs) => prop_assert!(false, "disagree: {:?} vs {:?}", ours, theirs),
    }
    Ok(())
}

fn icmp_agrees(bytes: &[u8]) -> Result<(), TestCaseError> {
    // etherparse requires timestamp messages (types 13 and 14, code 0) to be exactly 20 bytes;
    // RFC 792 gives them that length but this codec keeps them as raw `Other` messages.
    prop_assume!(!(bytes.len() >= 2 && matches!(bytes[0], 13 | 14) && bytes[1] == 0));
    let theirs = Icmpv4Slice::from_slice(bytes);
    prop_assert_eq!(icmp::Packet::new_checked(bytes).is_ok(), theirs.is_ok());
    let Ok(theirs) = theirs else {
        prop_assert_eq!(icmp::Repr::parse_bytes(bytes), Err(Error::Truncated));
        return Ok(());
    };
    let their_type = theirs.icmp_type();
    // etherparse's per-type checksum writes the bytes RFC 792 calls unused as zero, so it is not
    // the sum over the message as received; its raw one's complement sum is.
    let valid = Sum16BitWords::new().add_slice(bytes).ones_complement() == 0;
    let ours = icmp::Repr::parse_bytes(bytes);
    if !valid {
        prop_assert_eq!(ours, Err(Error::BadChecksum));
        return Ok(());
    }
    let Ok(ours) = ours else {
        prop_assert!(false, "valid message rejected: {:?}", ours);
        return Ok(());
    };
    match (&ours, &their_type) {
        (
            icmp::Repr::EchoRequest {
                ident,
                seq_no,
                data,
            },
            Icmpv4Type::EchoRequest(h),
        )
        | (
            icmp::Repr::EchoReply {
                ident,
                seq_no,
                data,
            },
            Icmpv4Type::EchoReply(h),
        ) => {
            prop_assert_eq!((*ident, *seq_no), (h.id, h.seq));
            prop_assert_eq!(&data[..], theirs.payload());
        }
        (icmp::Repr::DstUnreachable { reason, invoking }, their) => {
            let code = theirs.code_u8();
            match their {
                Icmpv4Type::DestinationUnreachable(h) => {
                    prop_assert_eq!(h.code_u8(), code);
                    if let icmpv4::DestUnreachableHeader::FragmentationNeeded { next_hop_mtu } = h {
                        prop_assert_eq!(
                            *reason,
                            icmp::Unreachable::FragmentationNeeded {
                                next_hop_mtu: *next_hop_mtu
                            }
                        );
                    }
                }
                // Codes above 15 are unnamed by etherparse.
                Icmpv4Type::Unknown { type_u8: 3, .. } => {
                    prop_assert_eq!(*reason, icmp::Unreachable::Other(code))
                }
                other => prop_assert!(false, "disagree: {:?} vs {:?}", ours, other),
            }
            prop_assert!(code > 5 || !matches!(reason, icmp::Unreachable::Other(_)));
            prop_assert_eq!(&invoking[..], theirs.payload());
        }
        (icmp::Repr::TimeExceeded { reason, invoking }, their) => {
            let expected = match their {
                Icmpv4Type::TimeExceeded(icmpv4::TimeExceededCode::TtlExceededInTransit) => {
                    icmp::TimeExceeded::InTransit
                }
                Icmpv4Type::TimeExceeded(
                    icmpv4::TimeExceededCode::FragmentReassemblyTimeExceeded,
                ) => icmp::TimeExceeded::Reassembly,
                _ => icmp::TimeExceeded::Other(theirs.code_u8()),
            };
            prop_assert_eq!(*reason, expected);
            prop_assert_eq!(&invoking[..], theirs.payload());
        }
        (
            icmp::Repr::Other {
                msg_type,
                code,
                rest_of_header,
                data,
            },
            their,
        ) => {
            prop_assert!(!matches!(
                their,
                Icmpv4Type::EchoRequest(_)
                    | Icmpv4Type::EchoReply(_)
                    | Icmpv4Type::DestinationUnreachable(_)
                    | Icmpv4Type::TimeExceeded(_)
            ));
            prop_assert_eq!((*msg_type, *code), (theirs.type_u8(), theirs.code_u8()));
            prop_assert_eq!(*rest_of_header, theirs.bytes5to8());
            prop_assert_eq!(&data[..], &bytes[8..]);
        }
        (ours, theirs) => prop_assert!(false, "disagree: {:?} vs {:?}", ours, theirs),
    }
    Ok(())
}

proptest! {
    #![proptest_config(crate::strategies::cases(1024))]

    #[test]
    fn ethernet_matches_etherparse(repr in ethernet_repr(), data in payload(32),
                                   edits in proptest::option::of(mutations()), raw in payload(40)) {
        ethernet_agrees(&maybe_mutated(repr.to_bytes(&data), &edits))?;
        ethernet_agrees(&raw)?;
    }

    #[test]
    fn arp_matches_etherparse(repr in arp_repr(), edits in proptest::option::of(mutations()),
                              raw in payload(64)) {
        arp_agrees(&maybe_mutated(repr.to_bytes(), &edits))?;
        arp_agrees(&raw)?;
    }

    #[test]
    fn ipv4_matches_etherparse((repr, data) in ipv4_repr_and_payload(),
                               edits in proptest::option::of(mutations())) {
        ipv4_agrees(&maybe_mutated(repr.to_bytes(&data), &edits))?;
    }

    #[test]
    fn udp_matches_etherparse((repr, data) in udp_repr_and_payload(), edits in proptest::option::of(mutations()),
                              src in ipv4_addr(), dst in ipv4_addr()) {
        udp_agrees(&maybe_mutated(repr.to_bytes(&data, src, dst), &edits), src, dst)?;
    }

    #[test]
    fn tcp_matches_etherparse((repr, data) in tcp_repr_and_payload(), edits in proptest::option::of(mutations()),
                              src in ipv4_addr(), dst in ipv4_addr()) {
        tcp_agrees(&maybe_mutated(repr.to_bytes(&data, src, dst), &edits), src, dst)?;
    }

    /// Random option bytes under a valid checksum, to exercise every option-parsing path.
    #[test]
    fn tcp_options_match_etherparse(words in 0usize..=10, options in payload(40),
                                    src in ipv4_addr(), dst in ipv4_addr()) {
        let mut bytes = vec![0u8; 20 + 4 * words];
        bytes[12] = ((5 + words) as u8) << 4;
        let n = options.len().min(4 * words);
        bytes[20..20 + n].copy_from_slice(&options[..n]);
        tcp::Packet::new_unchecked(&mut bytes[..]).fill_checksum(src, dst);
        tcp_agrees(&bytes, src, dst)?;
    }

    #[test]
    fn icmp_matches_etherparse(repr in icmp_repr(), edits in proptest::option::of(mutations())) {
        icmp_agrees(&maybe_mutated(repr.to_bytes(), &edits))?;
    }

    /// Random ICMP headers with a valid checksum, so that every (type, code) pair is compared.
    #[test]
    fn icmp_types_match_etherparse(ty in any::<u8>(), code in prop_oneof![Just(0u8), 0u8..20, any::<u8>()],
                                   rest in any::<[u8; 4]>(), data in payload(40)) {
        let mut bytes = vec![ty, code, 0, 0];
        bytes.extend_from_slice(&rest);
        bytes.extend_from_slice(&data);
        icmp::Packet::new_unchecked(&mut bytes[..]).fill_checksum();
        icmp_agrees(&bytes)?;
    }

    /// Frames written by etherparse's builder parse, layer by layer, to what was put in.
    #[test]
    fn etherparse_tcp_frames_parse((mac_src, mac_dst) in (any::<[u8; 6]>(), any::<[u8; 6]>()),
                                   (src, dst, ttl) in (ipv4_addr(), ipv4_addr(), any::<u8>()),
                                   (sport, dport, seq, window) in any::<(u16, u16, u32, u16)>(),
                                   ack in proptest::option::of(any::<u32>()), syn: bool, fin: bool,
                                   mss in proptest::option::of(any::<u16>()), data in payload(64)) {
        let mut builder = PacketBuilder::ethernet2(mac_src, mac_dst)
            .ipv4(src.octets(), dst.octets(), ttl)
            .tcp(sport, dport, seq, window);
        if let Some(ack) = ack {
            builder = builder.ack(ack);
        }
        if syn {
            builder = builder.syn();
        }
        if fin {
            builder = builder.fin();
        }
        if let Some(mss) = mss {
            builder = builder
                .options(&[TcpOptionElement::MaximumSegmentSize(mss), TcpOptionElement::Noop])
                .unwrap();
        }
        let mut frame = Vec::new();
        builder.write(&mut frame, &data).unwrap();

        let (eth, rest) = ethernet::Repr::parse_bytes(&frame).unwrap();
        prop_assert_eq!((eth.src_addr.0, eth.dst_addr.0), (mac_src, mac_dst));
        prop_assert_eq!(eth.ethertype, tcpip_spec::wire::EtherType::Ipv4);
        let (ip, rest) = ipv4::Repr::parse_bytes(rest).unwrap();
        prop_assert_eq!((ip.src_addr, ip.dst_addr, ip.ttl), (src, dst, ttl));
        prop_assert_eq!(ip.protocol, tcpip_spec::wire::IpProtocol::Tcp);
        let (seg, payload) = tcp::Repr::parse_bytes(rest, src, dst).unwrap();
        prop_assert_eq!((seg.src_port, seg.dst_port, seg.seq.0, seg.window), (sport, dport, seq, window));
        prop_assert_eq!(seg.ack_number().map(|a| a.0), ack);
        prop_assert_eq!((seg.flags.syn(), seg.flags.fin()), (syn, fin));
        prop_assert_eq!(seg.mss, mss);
        prop_assert_eq!(payload, &data[..]);
    }

    #[test]
    fn etherparse_udp_and_icmp_parse((src, dst) in (ipv4_addr(), ipv4_addr()),
                                     (sport, dport, ident, seq) in any::<(u16, u16, u16, u16)>(),
                                     data in payload(64)) {
        let mut datagram = Vec::new();
        PacketBuilder::ipv4(src.octets(), dst.octets(), 64)
            .udp(sport, dport)
            .write(&mut datagram, &data)
            .unwrap();
        let (ip, rest) = ipv4::Repr::parse_bytes(&datagram).unwrap();
        let (udp, payload) = udp::Repr::parse_bytes(rest, ip.src_addr, ip.dst_addr).unwrap();
        prop_assert_eq!((udp.src_port, udp.dst_port, payload), (sport, dport, &data[..]));

        let mut ping = Vec::new();
        PacketBuilder::ipv4(src.octets(), dst.octets(), 64)
            .icmpv4_echo_request(ident, seq)
            .write(&mut ping, &data)
            .unwrap();
        let (_, rest) = ipv4::Repr::parse_bytes(&ping).unwrap();
        prop_assert_eq!(
            icmp::Repr::parse_bytes(rest),
            Ok(icmp::Repr::EchoRequest { ident, seq_no: seq, data: data.clone() })
        );
    }

    #[test]
    fn etherparse_arp_parses(op in prop_oneof![Just(1u16), Just(2u16)], sender_mac in any::<[u8; 6]>(),
                             sender_ipv4 in any::<[u8; 4]>(), target_mac in any::<[u8; 6]>(),
                             target_ipv4 in any::<[u8; 4]>()) {
        let bytes = ArpEthIpv4Packet {
            operation: ArpOperation(op),
            sender_mac,
            sender_ipv4,
            target_mac,
            target_ipv4,
        }
        .to_bytes();
        let ours = arp::Repr::parse_bytes(&bytes).unwrap();
        prop_assert_eq!(u16::from(ours.operation), op);
        prop_assert_eq!(ours.sender_hardware_addr.0, sender_mac);
        prop_assert_eq!(ours.sender_protocol_addr.octets(), sender_ipv4);
        prop_assert_eq!(ours.target_hardware_addr.0, target_mac);
        prop_assert_eq!(ours.target_protocol_addr.octets(), target_ipv4);
        prop_assert_eq!(ours.to_bytes(), bytes.to_vec());
    }
}
