//! Builders of packets and capture files for the tests: datagrams through the crate's codecs,
//! link headers and container formats by hand (so that the reader is checked against the
//! formats' layouts, not against itself).
#![allow(dead_code)]

use std::net::Ipv4Addr;
use std::time::Duration;
use tcpip_spec::tcp::Seq;
use tcpip_spec::wire::tcp::Flags;
use tcpip_spec::wire::{
    EtherType, EthernetAddress, IpProtocol, arp, ethernet, icmp, ipv4, tcp, udp,
};

pub const A: Ipv4Addr = Ipv4Addr::new(10, 0, 0, 1);
pub const B: Ipv4Addr = Ipv4Addr::new(10, 0, 0, 2);
pub const MAC_A: EthernetAddress = EthernetAddress([2, 0, 0, 0, 0, 1]);
pub const MAC_B: EthernetAddress = EthernetAddress([2, 0, 0, 0, 0, 2]);

/// An IPv4 datagram from `src` to `dst` carrying `payload` of `protocol`.
pub fn ip(src: Ipv4Addr, dst: Ipv4Addr, protocol: IpProtocol, payload: &[u8]) -> Vec<u8> {
    ipv4::Repr {
        src_addr: src,
        dst_addr: dst,
        protocol,
        payload_len: payload.len(),
        ttl: 64,
        dscp: 0,
        ecn: 0,
        ident: 7,
        dont_frag: true,
        options_len: 0,
    }
    .to_bytes(payload)
}

/// A TCP segment in an IPv4 datagram; a SYN carries an MSS option.
pub fn segment(
    src: (Ipv4Addr, u16),
    dst: (Ipv4Addr, u16),
    seq: u32,
    ack: u32,
    flags: Flags,
    text: &[u8],
) -> Vec<u8> {
    let repr = tcp::Repr {
        src_port: src.1,
        dst_port: dst.1,
        seq: Seq(seq),
        ack: Seq(ack),
        flags,
        window: 64240,
        urgent: 0,
        mss: flags.syn().then_some(1460),
        window_scale: None,
        sack_permitted: false,
        sack_blocks: Vec::new(),
        timestamps: None,
        payload_len: 0,
    };
    ip(
        src.0,
        dst.0,
        IpProtocol::Tcp,
        &repr.to_bytes(text, src.0, dst.0),
    )
}

/// A UDP datagram in an IPv4 datagram.
pub fn datagram(src: (Ipv4Addr, u16), dst: (Ipv4Addr, u16), data: &[u8]) -> Vec<u8> {
    let repr = udp::Repr {
        src_port: src.1,
        dst_port: dst.1,
        payload_len: 0,
    };
    ip(
        src.0,
        dst.0,
        IpProtocol::Udp,
        &repr.to_bytes(data, src.0, dst.0),
    )
}

/// An ICMP message in an IPv4 datagram.
pub fn icmp_message(src: Ipv4Addr, dst: Ipv4Addr, message: &icmp::Repr) -> Vec<u8> {
    ip(src, dst, IpProtocol::Icmp, &message.to_bytes())
}

/// An Ethernet frame between the two test hosts' MACs (direction from `src`).
pub fn ethernet(src: Ipv4Addr, ethertype: EtherType, payload: &[u8]) -> Vec<u8> {
    let (src_addr, dst_addr) = if src == A {
        (MAC_A, MAC_B)
    } else {
        (MAC_B, MAC_A)
    };
    ethernet::Repr {
        dst_addr,
        src_addr,
        ethertype,
    }
    .to_bytes(payload)
}

/// An ARP packet (request, or reply from the target).
pub fn arp_packet(operation: arp::Operation, sender: Ipv4Addr, target: Ipv4Addr) -> Vec<u8> {
    let mac = |a| if a == A { MAC_A } else { MAC_B };
    arp::Repr {
        operation,
        sender_hardware_addr: mac(sender),
        sender_protocol_addr: sender,
        target_hardware_addr: match operation {
            arp::Operation::Request => EthernetAddress([0; 6]),
            arp::Operation::Reply => mac(target),
        },
        target_protocol_addr: target,
    }
    .to_bytes()
}

/// A Linux cooked header (SLL, 16 bytes) before `payload`.
pub fn sll(ethertype: u16, payload: &[u8]) -> Vec<u8> {
    let mut v = vec![0, 4, 0, 1, 0, 6, 2, 0, 0, 0, 0, 1, 0, 0];
    v.extend(ethertype.to_be_bytes());
    v.extend(payload);
    v
}

/// A Linux cooked header version 2 (SLL2, 20 bytes) before `payload`.
pub fn sll2(ethertype: u16, payload: &[u8]) -> Vec<u8> {
    let mut v = ethertype.to_be_bytes().to_vec();
    v.extend([0, 0, 0, 0, 0, 3, 0, 1, 4, 6, 2, 0, 0, 0, 0, 1, 0, 0]);
    v.extend(payload);
    v
}

/// A classic pcap file: `nanos` selects the nanosecond magic, `big_endian` the byte order;
/// each record is cut to `snaplen`.
pub fn pcap(
    big_endian: bool,
    nanos: bool,
    link: u32,
    snaplen: u32,
    records: &[(Duration, Vec<u8>)],
) -> Vec<u8> {
    let u32b = |v: u32| {
        if big_endian {
            v.to_be_bytes()
        } else {
            v.to_le_bytes()
        }
    };
    let u16b = |v: u16| {
        if big_endian {
            v.to_be_bytes()
        } else {
            v.to_le_bytes()
        }
    };
    let mut f = Vec::new();
    f.extend(u32b(if nanos { 0xa1b2_3c4d } else { 0xa1b2_c3d4 }));
    f.extend(u16b(2));
    f.extend(u16b(4));
    f.extend(u32b(0));
    f.extend(u32b(0));
    f.extend(u32b(snaplen));
    f.extend(u32b(link));
    for (at, data) in records {
        let incl = data.len().min(snaplen as usize);
        f.extend(u32b(at.as_secs() as u32));
        f.extend(u32b(if nanos {
            at.subsec_nanos()
        } else {
            at.subsec_micros()
        }));
        f.extend(u32b(incl as u32));
        f.extend(u32b(data.len() as u32));
        f.extend(&data[..incl]);
    }
    f
}

/// A pcapng file under construction, one section at a time.
pub struct PcapNg {
    pub bytes: Vec<u8>,
    big_endian: bool,
}

impl PcapNg {
    /// A file whose first section has the given byte order.
    pub fn new(big_endian: bool) -> PcapNg {
        let mut ng = PcapNg {
            bytes: Vec::new(),
            big_endian,
        };
        ng.section(big_endian);
        ng
    }

    fn u16b(&self, v: u16) -> [u8; 2] {
        if self.big_endian {
            v.to_be_bytes()
        } else {
            v.to_le_bytes()
        }
    }

    fn u32b(&self, v: u32) -> [u8; 4] {
        if self.big_endian {
            v.to_be_bytes()
        } else {
            v.to_le_bytes()
        }
    }

    /// Appends a block of `kind` with `body` (padded to 4 bytes).
    pub fn block(&mut self, kind: u32, body: &[u8]) -> &mut Self {
        let mut body = body.to_vec();
        while !body.len().is_multiple_of(4) {
            body.push(0);
        }
        let len = 12 + body.len() as u32;
        let (k, l) = (self.u32b(kind), self.u32b(len));
        self.bytes.extend(k);
        self.bytes.extend(l);
        self.bytes.extend(body);
        self.bytes.extend(l);
        self
    }

    /// Starts a new section in the given byte order, with an option (a comment) to skip.
    pub fn section(&mut self, big_endian: bool) -> &mut Self {
        self.big_endian = big_endian;
        let mut body = self.u32b(0x1a2b_3c4d).to_vec();
        body.extend(self.u16b(1));
        body.extend(self.u16b(0));
        body.extend([0xff; 8]); // section length unknown
        body.extend(self.option(1, b"test"));
        body.extend(self.option(0, b""));
        self.block(0x0a0d_0d0a, &body)
    }

    fn option(&self, code: u16, value: &[u8]) -> Vec<u8> {
        let mut v = self.u16b(code).to_vec();
        v.extend(self.u16b(value.len() as u16));
        v.extend(value);
        while !v.len().is_multiple_of(4) {
            v.push(0);
        }
        v
    }

    /// An Interface Description Block; `tsresol` is the if_tsresol byte (None: microseconds),
    /// `tsoffset` if_tsoffset in seconds.
    pub fn interface(
        &mut self,
        link: u16,
        snaplen: u32,
        tsresol: Option<u8>,
        tsoffset: Option<i64>,
    ) -> &mut Self {
        let mut body = self.u16b(link).to_vec();
        body.extend(self.u16b(0));
        body.extend(self.u32b(snaplen));
        body.extend(self.option(2, b"eth0"));
        if let Some(r) = tsresol {
            body.extend(self.option(9, &[r]));
        }
        if let Some(o) = tsoffset {
            let b = if self.big_endian {
                o.to_be_bytes()
            } else {
                o.to_le_bytes()
            };
            body.extend(self.option(14, &b));
        }
        body.extend(self.option(0, b""));
        self.block(1, &body)
    }

    /// An Enhanced Packet Block: `units` of the interface's resolution, `data` as captured,
    /// `original_len` on the wire.
    pub fn epb(
        &mut self,
        interface: u32,
        units: u64,
        data: &[u8],
        original_len: usize,
    ) -> &mut Self {
        let mut body = self.u32b(interface).to_vec();
        body.extend(self.u32b((units >> 32) as u32));
        body.extend(self.u32b(units as u32));
        body.extend(self.u32b(data.len() as u32));
        body.extend(self.u32b(original_len as u32));
        body.extend(data);
        while !body.len().is_multiple_of(4) {
            body.push(0);
        }
        body.extend(self.option(1, b"a comment"));
        body.extend(self.option(0, b""));
        self.block(6, &body)
    }

    /// A Simple Packet Block (interface 0, no timestamp).
    pub fn spb(&mut self, data: &[u8], original_len: usize) -> &mut Self {
        let mut body = self.u32b(original_len as u32).to_vec();
        body.extend(data);
        self.block(3, &body)
    }

    /// An obsolete Packet Block.
    pub fn opb(&mut self, interface: u16, units: u64, data: &[u8]) -> &mut Self {
        let mut body = self.u16b(interface).to_vec();
        body.extend(self.u16b(0));
        body.extend(self.u32b((units >> 32) as u32));
        body.extend(self.u32b(units as u32));
        body.extend(self.u32b(data.len() as u32));
        body.extend(self.u32b(data.len() as u32));
        body.extend(data);
        self.block(2, &body)
    }
}

/// The TCP flags by name.
pub const SYN: Flags = Flags::SYN;
/// SYN,ACK.
pub fn syn_ack() -> Flags {
    Flags::SYN | Flags::ACK
}
/// ACK.
pub const ACK: Flags = Flags::ACK;
/// FIN,ACK.
pub fn fin_ack() -> Flags {
    Flags::FIN | Flags::ACK
}
/// RST.
pub const RST: Flags = Flags::RST;
/// PSH,ACK.
pub fn psh_ack() -> Flags {
    Flags::PSH | Flags::ACK
}

/// A whole connection A:40000 → B:80 with ISNs `isn_a` and `isn_b`: handshake, 5 bytes each
/// way, FIN from A, FIN from B, last ACK: 8 datagrams.
pub fn connection(isn_a: u32, isn_b: u32) -> Vec<Vec<u8>> {
    let (a, b) = ((A, 40000), (B, 80));
    let (ia, ib) = (isn_a, isn_b);
    vec![
        segment(a, b, ia, 0, SYN, b""),
        segment(b, a, ib, ia.wrapping_add(1), syn_ack(), b""),
        segment(a, b, ia.wrapping_add(1), ib.wrapping_add(1), ACK, b""),
        segment(
            a,
            b,
            ia.wrapping_add(1),
            ib.wrapping_add(1),
            psh_ack(),
            b"hello",
        ),
        segment(
            b,
            a,
            ib.wrapping_add(1),
            ia.wrapping_add(6),
            psh_ack(),
            b"world",
        ),
        segment(a, b, ia.wrapping_add(6), ib.wrapping_add(6), fin_ack(), b""),
        segment(b, a, ib.wrapping_add(6), ia.wrapping_add(7), fin_ack(), b""),
        segment(a, b, ia.wrapping_add(7), ib.wrapping_add(7), ACK, b""),
    ]
}

/// Timestamps one millisecond apart from second 1000.
pub fn timed(packets: Vec<Vec<u8>>) -> Vec<(Duration, Vec<u8>)> {
    packets
        .into_iter()
        .enumerate()
        .map(|(i, p)| {
            (
                Duration::from_secs(1000) + Duration::from_millis(i as u64),
                p,
            )
        })
        .collect()
}
