//! Properties of every codec: `emit` then `parse` is the identity on `Repr`s; `parse` never
//! panics on arbitrary bytes or on mutations of valid packets; what still parses after a
//! mutation re-emits to an equal `Repr`; and a single changed byte under a checksum is caught.

use crate::strategies::*;
use proptest::prelude::*;
use std::net::Ipv4Addr;
use tcpip_spec::wire::{Error, arp, ethernet, icmp, ipv4, tcp, udp};

proptest! {
    #![proptest_config(crate::strategies::cases(512))]

    #[test]
    fn ethernet_round_trip(repr in ethernet_repr(), data in payload(64)) {
        let bytes = repr.to_bytes(&data);
        prop_assert_eq!(bytes.len(), repr.buffer_len() + data.len());
        prop_assert_eq!(ethernet::Repr::parse_bytes(&bytes), Ok((repr, &data[..])));
    }

    #[test]
    fn arp_round_trip(repr in arp_repr()) {
        let bytes = repr.to_bytes();
        prop_assert_eq!(bytes.len(), repr.buffer_len());
        prop_assert_eq!(arp::Repr::parse_bytes(&bytes), Ok(repr));
    }

    #[test]
    fn ipv4_round_trip((repr, data) in ipv4_repr_and_payload()) {
        let bytes = repr.to_bytes(&data);
        prop_assert_eq!(bytes.len(), repr.buffer_len());
        prop_assert_eq!(ipv4::Repr::parse_bytes(&bytes), Ok((repr, &data[..])));
    }

    #[test]
    fn icmp_round_trip(repr in icmp_repr()) {
        let bytes = repr.to_bytes();
        prop_assert_eq!(bytes.len(), repr.buffer_len());
        prop_assert_eq!(icmp::Repr::parse_bytes(&bytes), Ok(repr));
    }

    #[test]
    fn udp_round_trip((repr, data) in udp_repr_and_payload(), src in ipv4_addr(), dst in ipv4_addr()) {
        let bytes = repr.to_bytes(&data, src, dst);
        prop_assert_eq!(bytes.len(), repr.buffer_len());
        prop_assert_ne!(&bytes[6..8], &[0, 0], "a computed checksum is never sent as zero");
        prop_assert_eq!(udp::Repr::parse_bytes(&bytes, src, dst), Ok((repr, &data[..])));
    }

    #[test]
    fn tcp_round_trip((repr, data) in tcp_repr_and_payload(), src in ipv4_addr(), dst in ipv4_addr()) {
        let bytes = repr.to_bytes(&data, src, dst);
        prop_assert_eq!(bytes.len(), repr.buffer_len());
        prop_assert_eq!(tcp::Repr::parse_bytes(&bytes, src, dst), Ok((repr, &data[..])));
    }

    /// Emitting through `Packet` views over a caller's buffer, nested as the stack does it,
    /// produces a frame that parses layer by layer back to the same values.
    #[test]
    fn nested_frame_round_trip(eth in ethernet_repr(), (ip, _) in ipv4_repr_and_payload(),
                               (seg, data) in tcp_repr_and_payload()) {
        let eth = ethernet::Repr { ethertype: tcpip_spec::wire::EtherType::Ipv4, ..eth };
        let ip = ipv4::Repr { protocol: tcpip_spec::wire::IpProtocol::Tcp, payload_len: seg.buffer_len(), ..ip };
        let mut frame = vec![0u8; eth.buffer_len() + ip.buffer_len()];
        let mut eth_packet = ethernet::Packet::new_unchecked(&mut frame[..]);
        eth.emit(&mut eth_packet);
        let mut ip_packet = ipv4::Packet::new_unchecked(eth_packet.payload_mut());
        ip.emit(&mut ip_packet);
        let segment = ip_packet.payload_mut();
        segment[seg.header_len()..].copy_from_slice(&data);
        seg.emit(&mut tcp::Packet::new_unchecked(segment), ip.src_addr, ip.dst_addr);
        let (eth2, rest) = ethernet::Repr::parse_bytes(&frame).unwrap();
        let (ip2, rest) = ipv4::Repr::parse_bytes(rest).unwrap();
        let (seg2, rest) = tcp::Repr::parse_bytes(rest, ip2.src_addr, ip2.dst_addr).unwrap();
        prop_assert_eq!(eth2, eth);
        prop_assert_eq!(ip2, ip);
        prop_assert_eq!(seg2, seg);
        prop_assert_eq!(rest, &data[..]);
    }

    #[test]
    fn parsers_never_panic_on_arbitrary_bytes(bytes in payload(120), src in ipv4_addr(), dst in ipv4_addr()) {
        let _ = ethernet::Repr::parse_bytes(&bytes);
        let _ = arp::Repr::parse_bytes(&bytes);
        let _ = ipv4::Repr::parse_bytes(&bytes);
        let _ = icmp::Repr::parse_bytes(&bytes);
        let _ = icmp::Quote::parse(&bytes);
        let _ = icmp::invoking_prefix(&bytes);
        let _ = udp::Repr::parse_bytes(&bytes, src, dst);
        let _ = tcp::Repr::parse_bytes(&bytes, src, dst);
        // Whatever passes the length check can be read through every accessor.
        if let Ok(p) = ipv4::Packet::new_checked(&bytes[..]) {
            let _ = (p.options(), p.payload(), p.verify_checksum(), p.frag_offset());
        }
        if let Ok(p) = tcp::Packet::new_checked(&bytes[..]) {
            let _ = (p.options(), p.payload(), p.verify_checksum(src, dst), p.flags());
        }
        if let Ok(p) = udp::Packet::new_checked(&bytes[..]) {
            let _ = (p.payload(), p.verify_checksum(src, dst));
        }
        if let Ok(p) = arp::Packet::new_checked(&bytes[..]) {
            let _ = (p.sender_hardware_addr(), p.target_protocol_addr());
        }
    }

    /// IPv4 headers whose first bytes look right, so parsing gets past the first checks.
    #[test]
    fn ipv4_never_panics_on_plausible_headers(ver_ihl in prop_oneof![Just(0x45u8), 0x40u8..0x50, any::<u8>()],
                                              total in any::<u16>(), rest in payload(80)) {
        let mut bytes = vec![ver_ihl, 0];
        bytes.extend_from_slice(&total.to_be_bytes());
        bytes.extend_from_slice(&rest);
        let _ = ipv4::Repr::parse_bytes(&bytes);
        // Give the header a valid checksum where the header fits, to get past that check too.
        if bytes.len() >= 20 && usize::from(ver_ihl & 0x0f) * 4 <= bytes.len() {
            ipv4::Packet::new_unchecked(&mut bytes[..]).fill_checksum();
        }
        let _ = ipv4::Repr::parse_bytes(&bytes);
    }

    /// TCP segments with random option bytes and a valid checksum reach the option parser.
    #[test]
    fn tcp_options_never_panic(words in 0usize..=10, options in payload(40), src in ipv4_addr(), dst in ipv4_addr()) {
        let mut bytes = vec![0u8; 20 + 4 * words];
        bytes[12] = ((5 + words) as u8) << 4;
        let n = options.len().min(4 * words);
        bytes[20..20 + n].copy_from_slice(&options[..n]);
        tcp::Packet::new_unchecked(&mut bytes[..]).fill_checksum(src, dst);
        match tcp::Repr::parse_bytes(&bytes, src, dst) {
            Ok((repr, _)) => prop_assert_eq!(repr.payload_len, 0),
            Err(e) => prop_assert!(matches!(e, Error::Malformed(_)), "{:?}", e),
        }
    }

    #[test]
    fn mutated_ipv4_never_panics_and_reparses((repr, data) in ipv4_repr_and_payload(), edits in mutations()) {
        let mut bytes = repr.to_bytes(&data);
        apply(&mut bytes, &edits);
        if let Ok((parsed, payload)) = ipv4::Repr::parse_bytes(&bytes) {
            let again = parsed.to_bytes(payload);
            prop_assert_eq!(ipv4::Repr::parse_bytes(&again), Ok((parsed.clone(), payload)));
        }
    }

    #[test]
    fn mutated_arp_and_ethernet_never_panic(repr in arp_repr(), eth in ethernet_repr(), edits in mutations()) {
        let mut bytes = eth.to_bytes(&repr.to_bytes());
        apply(&mut bytes, &edits);
        if let Ok((eth2, rest)) = ethernet::Repr::parse_bytes(&bytes) {
            let again = eth2.to_bytes(rest);
            prop_assert_eq!(ethernet::Repr::parse_bytes(&again), Ok((eth2, rest)));
            if let Ok(arp2) = arp::Repr::parse_bytes(rest) {
                prop_assert_eq!(arp::Repr::parse_bytes(&arp2.to_bytes()), Ok(arp2));
            }
        }
    }

    #[test]
    fn mutated_icmp_never_panics_and_reparses(repr in icmp_repr(), edits in mutations()) {
        let mut bytes = repr.to_bytes();
        apply(&mut bytes, &edits);
        if let Ok(parsed) = icmp::Repr::parse_bytes(&bytes) {
            prop_assert_eq!(icmp::Repr::parse_bytes(&parsed.to_bytes()), Ok(parsed));
        }
    }

    #[test]
    fn mutated_udp_never_panics_and_reparses((repr, data) in udp_repr_and_payload(), edits in mutations(),
                                             src in ipv4_addr(), dst in ipv4_addr()) {
        let mut bytes = repr.to_bytes(&data, src, dst);
        apply(&mut bytes, &edits);
        if let Ok((parsed, payload)) = udp::Repr::parse_bytes(&bytes, src, dst) {
            let again = parsed.to_bytes(payload, src, dst);
            prop_assert_eq!(udp::Repr::parse_bytes(&again, src, dst), Ok((parsed.clone(), payload)));
        }
    }

    #[test]
    fn mutated_tcp_never_panics_and_reparses((repr, data) in tcp_repr_and_payload(), edits in mutations(),
                                             src in ipv4_addr(), dst in ipv4_addr()) {
        let mut bytes = repr.to_bytes(&data, src, dst);
        apply(&mut bytes, &edits);
        if let Ok((parsed, payload)) = tcp::Repr::parse_bytes(&bytes, src, dst) {
            let again = parsed.to_bytes(payload, src, dst);
            prop_assert_eq!(tcp::Repr::parse_bytes(&again, src, dst), Ok((parsed.clone(), payload)));
        }
    }

    /// The TCP checksum covers every byte of the segment, and no single-byte change keeps a
    /// one's complement sum (RFC 1071 §2): any changed byte is an error.
    #[test]
    fn tcp_checksum_catches_any_changed_byte((repr, data) in tcp_repr_and_payload(), at in any::<prop::sample::Index>(),
                                             x in 1u8..=255, src in ipv4_addr(), dst in ipv4_addr()) {
        let mut bytes = repr.to_bytes(&data, src, dst);
        let at = at.index(bytes.len());
        bytes[at] ^= x;
        prop_assert!(tcp::Repr::parse_bytes(&bytes, src, dst).is_err());
    }

    /// The same for ICMP, whose checksum covers the whole message.
    #[test]
    fn icmp_checksum_catches_any_changed_byte(repr in icmp_repr(), at in any::<prop::sample::Index>(), x in 1u8..=255) {
        let mut bytes = repr.to_bytes();
        let at = at.index(bytes.len());
        bytes[at] ^= x;
        prop_assert!(icmp::Repr::parse_bytes(&bytes).is_err());
    }

    /// Any changed header byte past the version/IHL byte is an error (the IHL byte moves the
    /// summed range, so it is left out).
    #[test]
    fn ipv4_checksum_catches_changed_header_bytes((repr, data) in ipv4_repr_and_payload(),
                                                  at in any::<prop::sample::Index>(), x in 1u8..=255) {
        let mut bytes = repr.to_bytes(&data);
        let at = 1 + at.index(repr.header_len() - 1);
        bytes[at] ^= x;
        prop_assert!(ipv4::Repr::parse_bytes(&bytes).is_err());
    }

    /// UDP: a changed byte is an error, unless it is in the length field (which moves the
    /// summed range) or it zeroes the checksum field ("no checksum").
    #[test]
    fn udp_checksum_catches_changed_bytes((repr, data) in udp_repr_and_payload(), at in any::<prop::sample::Index>(),
                                          x in 1u8..=255, src in ipv4_addr(), dst in ipv4_addr()) {
        let mut bytes = repr.to_bytes(&data, src, dst);
        // Any position but the length field (4..6).
        let mut at = at.index(bytes.len() - 2);
        if at >= 4 {
            at += 2;
        }
        bytes[at] ^= x;
        let expected = if bytes[6..8] == [0, 0] { Ok(()) } else { Err(Error::BadChecksum) };
        prop_assert_eq!(udp::Repr::parse_bytes(&bytes, src, dst).map(|_| ()), expected);
    }

    /// A checksum computed for other addresses fails: the pseudo-header is covered. (One bit of
    /// difference always changes the sum; two addresses with equal sums would not be caught.)
    #[test]
    fn transport_checksums_cover_the_addresses((seg, data) in tcp_repr_and_payload(),
                                               (udp, udp_data) in udp_repr_and_payload(),
                                               src in ipv4_addr(), dst in ipv4_addr(), bit in 0u32..32) {
        let other_dst = Ipv4Addr::from(u32::from(dst) ^ (1 << bit));
        let other_src = Ipv4Addr::from(u32::from(src) ^ (1 << bit));
        let bytes = seg.to_bytes(&data, src, dst);
        prop_assert_eq!(tcp::Repr::parse_bytes(&bytes, src, other_dst), Err(Error::BadChecksum));
        prop_assert_eq!(tcp::Repr::parse_bytes(&bytes, other_src, dst), Err(Error::BadChecksum));
        let bytes = udp.to_bytes(&udp_data, src, dst);
        prop_assert_eq!(udp::Repr::parse_bytes(&bytes, src, other_dst), Err(Error::BadChecksum));
    }
}

#[test]
fn unspecified_addresses_work_in_the_pseudo_header() {
    let repr = udp::Repr {
        src_port: 68,
        dst_port: 67,
        payload_len: 0,
    };
    let bytes = repr.to_bytes(&[], Ipv4Addr::UNSPECIFIED, Ipv4Addr::BROADCAST);
    assert!(udp::Repr::parse_bytes(&bytes, Ipv4Addr::UNSPECIFIED, Ipv4Addr::BROADCAST).is_ok());
}
