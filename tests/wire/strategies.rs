//! proptest strategies for every wire `Repr`, plus byte mutations of valid packets.

use proptest::collection::vec;
use proptest::prelude::*;
use std::net::Ipv4Addr;
use tcpip_spec::wire::{
    EtherType, EthernetAddress, IpProtocol, arp, ethernet, icmp, ipv4, tcp, udp,
};

/// The environment variable that sets the number of cases of every codec property.
pub const CASES_VAR: &str = "TCPIP_WIRE_CASES";

/// The configuration of the codec properties: `default` cases (what CI runs), or as many as
/// `TCPIP_WIRE_CASES` says. The hostile-input probe of issue 17 ran 49 M inputs per codec;
/// `TCPIP_WIRE_CASES=49000000 cargo test --release --test wire` runs every property (random
/// and mutated packets against our parsers and against etherparse) at that size, without
/// `--ignored` and without editing the code.
pub fn cases(default: u32) -> ProptestConfig {
    let cases = std::env::var(CASES_VAR)
        .ok()
        .and_then(|v| v.replace('_', "").parse().ok())
        .unwrap_or(default);
    ProptestConfig {
        cases,
        ..ProptestConfig::default()
    }
}

pub fn ipv4_addr() -> impl Strategy<Value = Ipv4Addr> {
    any::<[u8; 4]>().prop_map(Ipv4Addr::from)
}

pub fn ethernet_addr() -> impl Strategy<Value = EthernetAddress> {
    any::<[u8; 6]>().prop_map(EthernetAddress)
}

pub fn payload(max: usize) -> impl Strategy<Value = Vec<u8>> {
    vec(any::<u8>(), 0..=max)
}

pub fn ethernet_repr() -> impl Strategy<Value = ethernet::Repr> {
    (ethernet_addr(), ethernet_addr(), any::<u16>()).prop_map(|(dst_addr, src_addr, ty)| {
        ethernet::Repr {
            dst_addr,
            src_addr,
            ethertype: EtherType::from(ty),
        }
    })
}

pub fn arp_repr() -> impl Strategy<Value = arp::Repr> {
    (
        prop_oneof![Just(arp::Operation::Request), Just(arp::Operation::Reply)],
        ethernet_addr(),
        ipv4_addr(),
        ethernet_addr(),
        ipv4_addr(),
    )
        .prop_map(|(operation, sha, spa, tha, tpa)| arp::Repr {
            operation,
            sender_hardware_addr: sha,
            sender_protocol_addr: spa,
            target_hardware_addr: tha,
            target_protocol_addr: tpa,
        })
}

/// An IPv4 header together with a payload of the length it announces.
pub fn ipv4_repr_and_payload() -> impl Strategy<Value = (ipv4::Repr, Vec<u8>)> {
    (
        (ipv4_addr(), ipv4_addr(), any::<u8>(), any::<u8>()),
        (0u8..64, 0u8..4, any::<u16>(), any::<bool>(), 0usize..=10),
        payload(64),
    )
        .prop_map(
            |((src_addr, dst_addr, protocol, ttl), (dscp, ecn, ident, dont_frag, words), data)| {
                let repr = ipv4::Repr {
                    src_addr,
                    dst_addr,
                    protocol: IpProtocol::from(protocol),
                    payload_len: data.len(),
                    ttl,
                    dscp,
                    ecn,
                    ident,
                    dont_frag,
                    options_len: 4 * words,
                };
                (repr, data)
            },
        )
}

fn unreachable_reason() -> impl Strategy<Value = icmp::Unreachable> {
    (any::<u8>(), any::<u16>()).prop_map(|(code, mtu)| match code {
        0 => icmp::Unreachable::Net,
        1 => icmp::Unreachable::Host,
        2 => icmp::Unreachable::Protocol,
        3 => icmp::Unreachable::Port,
        4 => icmp::Unreachable::FragmentationNeeded { next_hop_mtu: mtu },
        5 => icmp::Unreachable::SourceRouteFailed,
        other => icmp::Unreachable::Other(other),
    })
}

fn time_exceeded_reason() -> impl Strategy<Value = icmp::TimeExceeded> {
    any::<u8>().prop_map(|code| match code {
        0 => icmp::TimeExceeded::InTransit,
        1 => icmp::TimeExceeded::Reassembly,
        other => icmp::TimeExceeded::Other(other),
    })
}

/// Any ICMP message; `Other` only for (type, code) pairs the named variants do not cover, which
/// is what `parse` produces.
pub fn icmp_repr() -> impl Strategy<Value = icmp::Repr> {
    prop_oneof![
        (any::<u16>(), any::<u16>(), payload(64)).prop_map(|(ident, seq_no, data)| {
            icmp::Repr::EchoRequest {
                ident,
                seq_no,
                data,
            }
        }),
        (any::<u16>(), any::<u16>(), payload(64)).prop_map(|(ident, seq_no, data)| {
            icmp::Repr::EchoReply {
                ident,
                seq_no,
                data,
            }
        }),
        (unreachable_reason(), payload(68))
            .prop_map(|(reason, invoking)| icmp::Repr::DstUnreachable { reason, invoking }),
        (time_exceeded_reason(), payload(68))
            .prop_map(|(reason, invoking)| icmp::Repr::TimeExceeded { reason, invoking }),
        (any::<u8>(), any::<u8>(), any::<[u8; 4]>(), payload(64))
            .prop_filter("named by another variant", |(ty, code, _, _)| {
                !matches!((ty, code), (0 | 8, 0) | (3 | 11, _))
            })
            .prop_map(|(msg_type, code, rest_of_header, data)| icmp::Repr::Other {
                msg_type,
                code,
                rest_of_header,
                data,
            }),
    ]
}

pub fn udp_repr_and_payload() -> impl Strategy<Value = (udp::Repr, Vec<u8>)> {
    (any::<u16>(), any::<u16>(), payload(64)).prop_map(|(src_port, dst_port, data)| {
        (
            udp::Repr {
                src_port,
                dst_port,
                payload_len: data.len(),
            },
            data,
        )
    })
}

/// A TCP header with any combination of options; SACK blocks are limited to what fits next to
/// the other options, since `emit` drops the rest.
pub fn tcp_repr_and_payload() -> impl Strategy<Value = (tcp::Repr, Vec<u8>)> {
    (
        (
            any::<u16>(),
            any::<u16>(),
            any::<u32>(),
            any::<u32>(),
            any::<u8>(),
        ),
        (any::<u16>(), any::<u16>()),
        (
            proptest::option::of(any::<u16>()),
            proptest::option::of(any::<u8>()),
            any::<bool>(),
            proptest::option::of(any::<(u32, u32)>()),
            vec(any::<(u32, u32)>(), 0..=4),
        ),
        payload(64),
    )
        .prop_map(
            |(
                (src_port, dst_port, seq, ack, flags),
                (window, urgent),
                (mss, window_scale, sack_permitted, ts, blocks),
                data,
            )| {
                let fixed = 4 * usize::from(mss.is_some())
                    + 4 * usize::from(window_scale.is_some())
                    + 4 * usize::from(sack_permitted)
                    + 12 * usize::from(ts.is_some());
                let fit = (40 - fixed).saturating_sub(4) / 8;
                let sack_blocks = blocks
                    .into_iter()
                    .take(fit)
                    .map(|(left, right)| tcp::SackBlock { left, right })
                    .collect();
                let repr = tcp::Repr {
                    src_port,
                    dst_port,
                    seq: tcpip_spec::tcp::Seq(seq),
                    ack: tcpip_spec::tcp::Seq(ack),
                    flags: tcp::Flags(flags),
                    window,
                    urgent,
                    mss,
                    window_scale,
                    sack_permitted,
                    sack_blocks,
                    timestamps: ts.map(|(tsval, tsecr)| tcp::Timestamps { tsval, tsecr }),
                    payload_len: data.len(),
                };
                (repr, data)
            },
        )
}

/// An edit of a byte buffer.
#[derive(Debug, Clone)]
pub enum Mutation {
    /// XOR the byte at this (wrapped) index with a non-zero value.
    Flip(prop::sample::Index, u8),
    /// Overwrite the byte at this (wrapped) index.
    Set(prop::sample::Index, u8),
    /// Cut the buffer to this fraction of its length.
    Truncate(prop::sample::Index),
    /// Append bytes.
    Extend(Vec<u8>),
}

pub fn mutations() -> impl Strategy<Value = Vec<Mutation>> {
    let one = prop_oneof![
        4 => (any::<prop::sample::Index>(), 1u8..=255).prop_map(|(i, x)| Mutation::Flip(i, x)),
        2 => (any::<prop::sample::Index>(), any::<u8>()).prop_map(|(i, x)| Mutation::Set(i, x)),
        1 => any::<prop::sample::Index>().prop_map(Mutation::Truncate),
        1 => payload(8).prop_map(Mutation::Extend),
    ];
    vec(one, 1..6)
}

pub fn apply(bytes: &mut Vec<u8>, mutations: &[Mutation]) {
    for m in mutations {
        match m {
            Mutation::Flip(i, x) if !bytes.is_empty() => {
                let at = i.index(bytes.len());
                bytes[at] ^= x;
            }
            Mutation::Set(i, x) if !bytes.is_empty() => {
                let at = i.index(bytes.len());
                bytes[at] = *x;
            }
            Mutation::Truncate(i) => {
                let len = i.index(bytes.len() + 1);
                bytes.truncate(len);
            }
            Mutation::Extend(more) => bytes.extend_from_slice(more),
            _ => {}
        }
    }
}
