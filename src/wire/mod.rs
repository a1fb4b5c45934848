//! Byte-level codecs for the formats the stack puts on the wire: Ethernet II, ARP (RFC 826),
//! IPv4 (RFC 791), ICMPv4 (RFC 792), UDP (RFC 768) and TCP (RFC 9293 §3.1), plus the internet
//! checksum of RFC 1071.
//!
//! Every format comes as a pair, after smoltcp's `wire` module:
//!
//! - `Packet<T: AsRef<[u8]>>`, a view over a byte buffer. [`ipv4::Packet::new_checked`] (and its
//!   siblings) validates the lengths once, so the field accessors can read at fixed offsets;
//!   setters exist when `T: AsMut<[u8]>`.
//! - `Repr`, the parsed value: plain data with `parse` (which also verifies checksums),
//!   `buffer_len` and `emit` (which also computes checksums).
//!
//! Parsing is total: no input, however short or hostile, makes a parser panic; it returns an
//! [`Error`] instead, which the stack counts and drops. Emitting assumes a well-formed `Repr` and a
//! buffer of at least `buffer_len()` bytes, and panics otherwise (a programming error, not input).
//! Nothing here allocates except the `to_bytes` conveniences, the owned data of ICMP messages
//! and the SACK blocks of TCP.
//!
//! ```
//! use std::net::Ipv4Addr;
//! use tcpip_spec::wire::{Error, IpProtocol, ipv4, tcp};
//!
//! let (client, server) = (Ipv4Addr::new(10, 0, 0, 1), Ipv4Addr::new(10, 0, 0, 2));
//! let syn = tcp::Repr {
//!     src_port: 49152,
//!     dst_port: 80,
//!     seq: tcpip_spec::tcp::Seq(0xffff_ffff),
//!     ack: tcpip_spec::tcp::Seq(0),
//!     flags: tcp::Flags::SYN,
//!     window: 64240,
//!     urgent: 0,
//!     mss: Some(1460),
//!     window_scale: None,
//!     sack_permitted: false,
//!     sack_blocks: Vec::new(),
//!     timestamps: None,
//!     payload_len: 0,
//! };
//! let ip = ipv4::Repr {
//!     src_addr: client,
//!     dst_addr: server,
//!     protocol: IpProtocol::Tcp,
//!     payload_len: 0,
//!     ttl: 64,
//!     dscp: 0,
//!     ecn: 0,
//!     ident: 1,
//!     dont_frag: true,
//!     options_len: 0,
//! };
//! let datagram = ip.to_bytes(&syn.to_bytes(&[], client, server));
//!
//! let (header, segment) = ipv4::Repr::parse_bytes(&datagram)?;
//! let (parsed, data) = tcp::Repr::parse_bytes(segment, header.src_addr, header.dst_addr)?;
//! assert_eq!(parsed, syn);
//! assert!(data.is_empty());
//!
//! // One flipped bit anywhere in the segment is caught by the checksum.
//! let mut corrupted = segment.to_vec();
//! corrupted[4] ^= 0x01;
//! assert_eq!(tcp::Repr::parse_bytes(&corrupted, client, server), Err(Error::BadChecksum));
//! # Ok::<(), Error>(())
//! ```

pub mod arp;
pub mod checksum;
pub mod ethernet;
pub mod icmp;
pub mod ipv4;
pub mod tcp;
pub mod udp;

pub use ethernet::{EtherType, EthernetAddress};
pub use ipv4::IpProtocol;

use std::fmt;

/// Why a buffer could not be parsed.
///
/// The stack drops the packet and counts the error by kind; none of these is a reason to answer
/// the sender, except where the protocol says so (the caller decides).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Error {
    /// The buffer is shorter than the header, or than a length field in it says.
    Truncated,
    /// A field holds a value the format forbids (the text names the field).
    Malformed(&'static str),
    /// The checksum does not verify.
    BadChecksum,
    /// Well-formed, but a variant this crate does not implement (the text names it), e.g. ARP
    /// over a hardware type other than Ethernet.
    Unsupported(&'static str),
    /// An IPv4 fragment (MF set or a non-zero fragment offset), with an intact header. The stack
    /// does not reassemble, a deliberate deviation from RFC 791 §3.2 and RFC 1122 §3.3.2 (where
    /// reassembly is a MUST) that belongs in REPORT.md's list of deviations; it refuses
    /// fragments with this error so that they are counted, not silently lost.
    Fragmented,
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Truncated => f.write_str("truncated packet"),
            Error::Malformed(what) => write!(f, "malformed packet: {what}"),
            Error::BadChecksum => f.write_str("bad checksum"),
            Error::Unsupported(what) => write!(f, "unsupported: {what}"),
            Error::Fragmented => f.write_str("IPv4 fragment (reassembly not supported)"),
        }
    }
}

impl std::error::Error for Error {}

/// Reads a big-endian `u16` at `at`. Callers have checked the length.
fn read_u16(buf: &[u8], at: usize) -> u16 {
    u16::from_be_bytes([buf[at], buf[at + 1]])
}

/// Reads a big-endian `u32` at `at`. Callers have checked the length.
fn read_u32(buf: &[u8], at: usize) -> u32 {
    u32::from_be_bytes([buf[at], buf[at + 1], buf[at + 2], buf[at + 3]])
}

/// Writes a big-endian `u16` at `at`.
fn write_u16(buf: &mut [u8], at: usize, value: u16) {
    buf[at..at + 2].copy_from_slice(&value.to_be_bytes());
}

/// Writes a big-endian `u32` at `at`.
fn write_u32(buf: &mut [u8], at: usize, value: u32) {
    buf[at..at + 4].copy_from_slice(&value.to_be_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_display_their_cause() {
        assert_eq!(Error::Truncated.to_string(), "truncated packet");
        assert_eq!(Error::Malformed("IHL").to_string(), "malformed packet: IHL");
        assert_eq!(
            Error::Unsupported("ARP hardware type").to_string(),
            "unsupported: ARP hardware type"
        );
    }

    #[test]
    fn big_endian_helpers_round_trip() {
        let mut buf = [0u8; 6];
        write_u16(&mut buf, 0, 0xabcd);
        write_u32(&mut buf, 2, 0x0102_0304);
        assert_eq!(buf, [0xab, 0xcd, 1, 2, 3, 4]);
        assert_eq!(read_u16(&buf, 0), 0xabcd);
        assert_eq!(read_u32(&buf, 2), 0x0102_0304);
    }
}
