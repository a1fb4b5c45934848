//! What a captured frame carries, decoded with the crate's codecs (`crate::wire`) but read as a
//! witness rather than as a receiver: a bad checksum is recorded, not a reason to drop (a
//! capture on the sending host sees segments before the NIC fills their checksums in), and a
//! frame cut by the snapshot length still yields every header field it holds (a headers-only
//! capture, snaplen 96 or 128, keeps the TCP numbers and flags and loses the text).
//!
//! The codecs refuse both cases by design (a stack must drop them), so where they do, this
//! module hands them a copy of the captured header with its checksum recomputed; the fields are
//! still read by the codec, never by a second parser here. An IPv4 header is read through the
//! codec's view (`ipv4::Packet`), whose accessors need only the header to be present.

use super::link::{self, LinkType, Network};
use crate::wire::{self, arp, icmp, ipv4, tcp, udp};
use std::fmt;

/// What became of a checksum.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Checksum {
    /// It verifies.
    Good,
    /// It does not verify: corruption, or (far more often in a capture taken on the sender)
    /// checksum offload, where the NIC fills it in after the capture point.
    Bad,
    /// UDP only: the sender computed none (a zero field, RFC 768).
    Absent,
    /// The capture cut the packet, so the checksum cannot be verified.
    NotVerified,
}

/// An IPv4 header as captured.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ipv4 {
    /// The header; `payload_len` is the length on the wire (from the total length field), which
    /// a cut frame may not hold in full.
    pub repr: ipv4::Repr,
    /// The header checksum ([`Checksum::Good`] or [`Checksum::Bad`]: the header is always
    /// whole once decoded).
    pub checksum: Checksum,
}

/// A TCP segment as captured.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tcp {
    /// The header and options; `payload_len` is the length of the text on the wire.
    pub repr: tcp::Repr,
    /// The checksum over pseudo-header, header and text.
    pub checksum: Checksum,
    /// The text as captured: all of it, or its first bytes when the capture cut it.
    pub payload: Vec<u8>,
}

impl Tcp {
    /// True if the capture cut the text (the header and its numbers are whole).
    pub fn text_cut(&self) -> bool {
        self.payload.len() < self.repr.payload_len
    }
}

/// A UDP datagram as captured.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Udp {
    /// The header; `payload_len` is from the length field.
    pub repr: udp::Repr,
    /// The checksum.
    pub checksum: Checksum,
    /// The data as captured (all, or its first bytes when cut).
    pub payload: Vec<u8>,
}

/// An ICMP message as captured.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Icmp {
    /// The message; its data (echo data, or the quoted datagram of an error) is what was
    /// captured of it.
    pub repr: icmp::Repr,
    /// The checksum.
    pub checksum: Checksum,
    /// Length of the message on the wire, header included.
    pub len: usize,
}

/// Why a frame yields no packet: never a panic, always one of these.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Undecodable {
    /// The snapshot length cut a header before its last field (the text names it).
    Cut(&'static str),
    /// A header that no conforming sender writes (the text names the field).
    Malformed(&'static str),
    /// Well-formed, but a variant the codecs do not implement (e.g. ARP over another hardware
    /// type).
    Unsupported(&'static str),
    /// Neither IPv4 nor ARP: the EtherType (0x86dd for IPv6; 0 for a raw IP frame of an unknown
    /// version).
    NotIpv4(u16),
    /// IPv4 carrying a protocol other than TCP, UDP and ICMP.
    Protocol(u8),
    /// An IPv4 fragment: not reassembled (as the stack does not, see [`wire::Error::Fragmented`]).
    Fragment,
}

impl fmt::Display for Undecodable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Undecodable::Cut(what) => write!(f, "{what} cut by the snapshot length"),
            Undecodable::Malformed(what) => write!(f, "malformed: {what}"),
            Undecodable::Unsupported(what) => write!(f, "unsupported: {what}"),
            Undecodable::NotIpv4(0) => f.write_str("IP version neither 4 nor 6"),
            Undecodable::NotIpv4(0x86dd) => f.write_str("IPv6"),
            Undecodable::NotIpv4(t) => write!(f, "EtherType {t:#06x}"),
            Undecodable::Protocol(p) => write!(f, "IP protocol {p}"),
            Undecodable::Fragment => f.write_str("IPv4 fragment (not reassembled)"),
        }
    }
}

/// A decoded frame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Packet {
    /// A TCP segment.
    Tcp {
        /// Its IPv4 header.
        ip: Ipv4,
        /// The segment.
        tcp: Tcp,
    },
    /// A UDP datagram.
    Udp {
        /// Its IPv4 header.
        ip: Ipv4,
        /// The datagram.
        udp: Udp,
    },
    /// An ICMP message.
    Icmp {
        /// Its IPv4 header.
        ip: Ipv4,
        /// The message.
        icmp: Icmp,
    },
    /// An ARP packet (Ethernet and IPv4).
    Arp(arp::Repr),
    /// Nothing this crate can read, and why.
    Undecodable(Undecodable),
}

impl Packet {
    /// True if some checksum of the packet is [`Checksum::Bad`].
    pub fn bad_checksum(&self) -> bool {
        let (ip, transport) = match self {
            Packet::Tcp { ip, tcp } => (ip, tcp.checksum),
            Packet::Udp { ip, udp } => (ip, udp.checksum),
            Packet::Icmp { ip, icmp } => (ip, icmp.checksum),
            Packet::Arp(_) | Packet::Undecodable(_) => return false,
        };
        ip.checksum == Checksum::Bad || transport == Checksum::Bad
    }
}

/// Decodes a frame of `link` whose captured bytes are `frame` and whose length on the wire was
/// `original_len`.
pub(crate) fn decode(link: LinkType, frame: &[u8], original_len: usize) -> Packet {
    let Some((network, header_len)) = link::decapsulate(link, frame) else {
        return undecodable(frame.len() < original_len, "link header");
    };
    let bytes = &frame[header_len..];
    let on_wire = original_len.saturating_sub(header_len).max(bytes.len());
    match network {
        Network::Ipv4 => decode_ipv4(bytes, on_wire).unwrap_or_else(Packet::Undecodable),
        Network::Arp => match arp::Repr::parse_bytes(bytes) {
            Ok(repr) => Packet::Arp(repr),
            Err(wire::Error::Truncated) => undecodable(bytes.len() < on_wire, "ARP packet"),
            Err(e) => Packet::Undecodable(from_wire(e)),
        },
        Network::Other(ethertype) => Packet::Undecodable(Undecodable::NotIpv4(ethertype)),
    }
}

/// A header that ends past the captured bytes: cut by the capture if the packet was longer on
/// the wire, else malformed.
fn undecodable(cut: bool, what: &'static str) -> Packet {
    Packet::Undecodable(if cut {
        Undecodable::Cut(what)
    } else {
        Undecodable::Malformed(what)
    })
}

fn from_wire(e: wire::Error) -> Undecodable {
    match e {
        wire::Error::Malformed(what) => Undecodable::Malformed(what),
        wire::Error::Unsupported(what) => Undecodable::Unsupported(what),
        wire::Error::Fragmented => Undecodable::Fragment,
        wire::Error::Truncated => Undecodable::Malformed("header longer than the packet"),
        _ => Undecodable::Malformed("checksum"),
    }
}

/// `bytes`: what was captured from the IPv4 header on; `on_wire`: how long that part was.
fn decode_ipv4(bytes: &[u8], on_wire: usize) -> Result<Packet, Undecodable> {
    let cut = bytes.len() < on_wire;
    let short = |what| {
        if cut {
            Undecodable::Cut(what)
        } else {
            Undecodable::Malformed(what)
        }
    };
    if bytes.len() < ipv4::HEADER_LEN {
        return Err(short("IPv4 header"));
    }
    let view = ipv4::Packet::new_unchecked(bytes);
    if view.version() != 4 {
        return Err(Undecodable::Malformed("IP version is not 4"));
    }
    let header_len = view.header_len();
    if header_len < ipv4::HEADER_LEN {
        return Err(Undecodable::Malformed("IPv4 IHL below 5"));
    }
    if header_len > bytes.len() {
        return Err(short("IPv4 options"));
    }
    let total = usize::from(view.total_len());
    if total < header_len {
        return Err(Undecodable::Malformed(
            "IPv4 total length shorter than header",
        ));
    }
    if total > on_wire {
        return Err(Undecodable::Malformed("IPv4 total length past the frame"));
    }
    if view.is_fragment() {
        return Err(Undecodable::Fragment);
    }
    let ip = Ipv4 {
        repr: ipv4::Repr {
            src_addr: view.src_addr(),
            dst_addr: view.dst_addr(),
            protocol: view.protocol(),
            payload_len: total - header_len,
            ttl: view.ttl(),
            dscp: view.dscp(),
            ecn: view.ecn(),
            ident: view.ident(),
            dont_frag: view.dont_frag(),
            options_len: header_len - ipv4::HEADER_LEN,
        },
        checksum: if view.verify_checksum() {
            Checksum::Good
        } else {
            Checksum::Bad
        },
    };
    // Link padding past the total length is not payload.
    let payload = &bytes[header_len..total.min(bytes.len())];
    let len = total - header_len;
    Ok(match ip.repr.protocol {
        ipv4::IpProtocol::Tcp => {
            let tcp = decode_tcp(&ip, payload, len)?;
            Packet::Tcp { ip, tcp }
        }
        ipv4::IpProtocol::Udp => {
            let udp = decode_udp(&ip, payload, len)?;
            Packet::Udp { ip, udp }
        }
        ipv4::IpProtocol::Icmp => {
            let icmp = decode_icmp(payload, len)?;
            Packet::Icmp { ip, icmp }
        }
        ipv4::IpProtocol::Unknown(p) => return Err(Undecodable::Protocol(p)),
    })
}

fn decode_tcp(ip: &Ipv4, seg: &[u8], len: usize) -> Result<Tcp, Undecodable> {
    let whole = seg.len() == len;
    let short = |what| {
        if whole {
            Undecodable::Malformed(what)
        } else {
            Undecodable::Cut(what)
        }
    };
    if seg.len() < tcp::HEADER_LEN {
        return Err(short("TCP header"));
    }
    let header_len = tcp::Packet::new_unchecked(seg).header_len();
    if header_len < tcp::HEADER_LEN {
        return Err(Undecodable::Malformed("TCP data offset below 5"));
    }
    if header_len > len {
        return Err(Undecodable::Malformed("TCP header past the IP payload"));
    }
    if header_len > seg.len() {
        return Err(short("TCP options"));
    }
    let (src, dst) = (ip.repr.src_addr, ip.repr.dst_addr);
    let payload = seg[header_len..].to_vec();
    if whole {
        match tcp::Repr::parse(&tcp::Packet::new_unchecked(seg), src, dst) {
            Ok(repr) => {
                return Ok(Tcp {
                    repr,
                    checksum: Checksum::Good,
                    payload,
                });
            }
            Err(wire::Error::BadChecksum) => {}
            Err(e) => return Err(from_wire(e)),
        }
    }
    // The header alone, with a checksum that covers just it, is a segment the codec accepts.
    let mut header = seg[..header_len].to_vec();
    tcp::Packet::new_unchecked(&mut header[..]).fill_checksum(src, dst);
    let mut repr =
        tcp::Repr::parse(&tcp::Packet::new_unchecked(&header[..]), src, dst).map_err(from_wire)?;
    repr.payload_len = len - header_len;
    Ok(Tcp {
        repr,
        checksum: if whole {
            Checksum::Bad
        } else {
            Checksum::NotVerified
        },
        payload,
    })
}

fn decode_udp(ip: &Ipv4, dgram: &[u8], len: usize) -> Result<Udp, Undecodable> {
    if dgram.len() < udp::HEADER_LEN {
        return Err(if dgram.len() < len {
            Undecodable::Cut("UDP header")
        } else {
            Undecodable::Malformed("UDP header")
        });
    }
    let view = udp::Packet::new_unchecked(dgram);
    let field = usize::from(view.len());
    if field < udp::HEADER_LEN {
        return Err(Undecodable::Malformed("UDP length below 8"));
    }
    if field > len {
        return Err(Undecodable::Malformed("UDP length past the IP payload"));
    }
    let whole = dgram.len() >= field;
    let checksum = if !whole {
        Checksum::NotVerified
    } else if view.checksum() == 0 {
        Checksum::Absent
    } else if view.verify_checksum(ip.repr.src_addr, ip.repr.dst_addr) {
        Checksum::Good
    } else {
        Checksum::Bad
    };
    Ok(Udp {
        repr: udp::Repr {
            src_port: view.src_port(),
            dst_port: view.dst_port(),
            payload_len: field - udp::HEADER_LEN,
        },
        checksum,
        payload: dgram[udp::HEADER_LEN..field.min(dgram.len())].to_vec(),
    })
}

fn decode_icmp(msg: &[u8], len: usize) -> Result<Icmp, Undecodable> {
    let whole = msg.len() == len;
    if msg.len() < icmp::HEADER_LEN {
        return Err(if whole {
            Undecodable::Malformed("ICMP header")
        } else {
            Undecodable::Cut("ICMP header")
        });
    }
    if whole {
        match icmp::Repr::parse(&icmp::Packet::new_unchecked(msg)) {
            Ok(repr) => {
                return Ok(Icmp {
                    repr,
                    checksum: Checksum::Good,
                    len,
                });
            }
            Err(wire::Error::BadChecksum) => {}
            Err(e) => return Err(from_wire(e)),
        }
    }
    // What was captured, with a checksum over just that, is a message the codec accepts.
    let mut copy = msg.to_vec();
    icmp::Packet::new_unchecked(&mut copy[..]).fill_checksum();
    let repr = icmp::Repr::parse(&icmp::Packet::new_unchecked(&copy[..])).map_err(from_wire)?;
    Ok(Icmp {
        repr,
        checksum: if whole {
            Checksum::Bad
        } else {
            Checksum::NotVerified
        },
        len,
    })
}
