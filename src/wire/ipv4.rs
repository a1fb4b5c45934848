//! The IPv4 header (RFC 791 §3.1).
//!
//! [`Packet::check_len`] enforces the length rules of RFC 791 §3.1 (IHL of at least 5 words, a
//! total length that covers the header and fits the buffer); the buffer may be longer than the
//! total length, as Ethernet pads short frames, and the excess is not payload.
//! [`Repr::parse`] checks the version and the header checksum, skips options (recording only how
//! many bytes they took) and refuses fragments with [`Error::Fragmented`], after the checksum
//! has shown the header intact: the stack does not reassemble (a deviation from RFC 791 §3.2 and
//! RFC 1122 §3.3.2, see [`Error::Fragmented`]) and counts what it refuses. The [`Packet`]
//! accessors still read the fragment fields of such a packet.

use super::checksum::checksum;
use super::{Error, read_u16, write_u16};
use std::net::Ipv4Addr;

/// The Protocol field: the very type the IP rules read, [`crate::ip::IpProtocol`].
pub use crate::ip::IpProtocol;

/// Byte offsets of the header fields.
mod field {
    pub const VER_IHL: usize = 0;
    pub const DSCP_ECN: usize = 1;
    pub const LENGTH: usize = 2;
    pub const IDENT: usize = 4;
    pub const FLAGS_FRAG: usize = 6;
    pub const TTL: usize = 8;
    pub const PROTOCOL: usize = 9;
    pub const CHECKSUM: usize = 10;
    pub const SRC: usize = 12;
    pub const DST: usize = 16;
    pub const OPTIONS: usize = 20;
}

/// Length of a header without options.
pub const HEADER_LEN: usize = field::OPTIONS;
/// Longest header: IHL 15, 60 bytes.
pub const MAX_HEADER_LEN: usize = 60;

const FLAG_DF: u16 = 0x4000;
const FLAG_MF: u16 = 0x2000;
const FRAG_OFFSET_MASK: u16 = 0x1fff;

/// A view over an IPv4 datagram.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Packet<T: AsRef<[u8]>> {
    buffer: T,
}

impl<T: AsRef<[u8]>> Packet<T> {
    /// Wraps a buffer without checking it; accessors panic if it is too short.
    pub const fn new_unchecked(buffer: T) -> Self {
        Packet { buffer }
    }

    /// Wraps a buffer after [`check_len`](Self::check_len).
    pub fn new_checked(buffer: T) -> Result<Self, Error> {
        let packet = Self::new_unchecked(buffer);
        packet.check_len()?;
        Ok(packet)
    }

    /// Checks the lengths: a whole fixed header, IHL ≥ 5, header length ≤ total length ≤ buffer
    /// length. The version is not checked here (see [`Repr::parse`]).
    pub fn check_len(&self) -> Result<(), Error> {
        let len = self.buffer.as_ref().len();
        if len < HEADER_LEN {
            return Err(Error::Truncated);
        }
        let header_len = self.header_len();
        if header_len < HEADER_LEN {
            return Err(Error::Malformed("IPv4 IHL below 5"));
        }
        let total_len = usize::from(self.total_len());
        if total_len < header_len {
            return Err(Error::Malformed("IPv4 total length shorter than header"));
        }
        if len < total_len {
            return Err(Error::Truncated);
        }
        Ok(())
    }

    /// Gives the buffer back.
    pub fn into_inner(self) -> T {
        self.buffer
    }

    fn bytes(&self) -> &[u8] {
        self.buffer.as_ref()
    }

    /// The Version field (4 for IPv4).
    pub fn version(&self) -> u8 {
        self.bytes()[field::VER_IHL] >> 4
    }

    /// Header length in bytes (IHL × 4).
    pub fn header_len(&self) -> usize {
        usize::from(self.bytes()[field::VER_IHL] & 0x0f) * 4
    }

    /// Differentiated services code point (RFC 2474), the upper six bits of the old TOS byte.
    pub fn dscp(&self) -> u8 {
        self.bytes()[field::DSCP_ECN] >> 2
    }

    /// Explicit congestion notification (RFC 3168), the lower two bits of the old TOS byte.
    pub fn ecn(&self) -> u8 {
        self.bytes()[field::DSCP_ECN] & 0x03
    }

    /// Total length of the datagram, header included.
    pub fn total_len(&self) -> u16 {
        read_u16(self.bytes(), field::LENGTH)
    }

    /// Identification.
    pub fn ident(&self) -> u16 {
        read_u16(self.bytes(), field::IDENT)
    }

    /// The Don't Fragment flag.
    pub fn dont_frag(&self) -> bool {
        read_u16(self.bytes(), field::FLAGS_FRAG) & FLAG_DF != 0
    }

    /// The More Fragments flag.
    pub fn more_frags(&self) -> bool {
        read_u16(self.bytes(), field::FLAGS_FRAG) & FLAG_MF != 0
    }

    /// Fragment offset in bytes (the field counts 8-byte units).
    pub fn frag_offset(&self) -> u16 {
        (read_u16(self.bytes(), field::FLAGS_FRAG) & FRAG_OFFSET_MASK) << 3
    }

    /// True if this datagram is a fragment of a larger one.
    pub fn is_fragment(&self) -> bool {
        self.more_frags() || self.frag_offset() != 0
    }

    /// Time to live.
    pub fn ttl(&self) -> u8 {
        self.bytes()[field::TTL]
    }

    /// The protocol of the payload.
    pub fn protocol(&self) -> IpProtocol {
        self.bytes()[field::PROTOCOL].into()
    }

    /// The header checksum as on the wire.
    pub fn checksum(&self) -> u16 {
        read_u16(self.bytes(), field::CHECKSUM)
    }

    /// True if the header checksum verifies.
    pub fn verify_checksum(&self) -> bool {
        checksum(&self.bytes()[..self.header_len()]) == 0
    }

    /// Source address.
    pub fn src_addr(&self) -> Ipv4Addr {
        let b = self.bytes();
        Ipv4Addr::new(
            b[field::SRC],
            b[field::SRC + 1],
            b[field::SRC + 2],
            b[field::SRC + 3],
        )
    }

    /// Destination address.
    pub fn dst_addr(&self) -> Ipv4Addr {
        let b = self.bytes();
        Ipv4Addr::new(
            b[field::DST],
            b[field::DST + 1],
            b[field::DST + 2],
            b[field::DST + 3],
        )
    }

    /// The options, raw (between the fixed header and the payload).
    pub fn options(&self) -> &[u8] {
        &self.bytes()[field::OPTIONS..self.header_len()]
    }

    /// The payload: from the end of the header to the total length (padding excluded).
    pub fn payload(&self) -> &[u8] {
        &self.bytes()[self.header_len()..usize::from(self.total_len())]
    }
}

impl<T: AsRef<[u8]> + AsMut<[u8]>> Packet<T> {
    fn bytes_mut(&mut self) -> &mut [u8] {
        self.buffer.as_mut()
    }

    /// Sets the Version field.
    pub fn set_version(&mut self, version: u8) {
        let b = &mut self.bytes_mut()[field::VER_IHL];
        *b = (*b & 0x0f) | (version << 4);
    }

    /// Sets the header length in bytes (a multiple of 4, 20 to 60).
    pub fn set_header_len(&mut self, len: usize) {
        debug_assert!(len.is_multiple_of(4) && (HEADER_LEN..=MAX_HEADER_LEN).contains(&len));
        let b = &mut self.bytes_mut()[field::VER_IHL];
        *b = (*b & 0xf0) | ((len / 4) as u8 & 0x0f);
    }

    /// Sets DSCP (six bits) and ECN (two bits).
    pub fn set_dscp_ecn(&mut self, dscp: u8, ecn: u8) {
        self.bytes_mut()[field::DSCP_ECN] = (dscp << 2) | (ecn & 0x03);
    }

    /// Sets the total length.
    pub fn set_total_len(&mut self, len: u16) {
        write_u16(self.bytes_mut(), field::LENGTH, len);
    }

    /// Sets the identification.
    pub fn set_ident(&mut self, ident: u16) {
        write_u16(self.bytes_mut(), field::IDENT, ident);
    }

    /// Sets the flags and the fragment offset (in bytes, a multiple of 8); the reserved bit is
    /// cleared.
    pub fn set_fragmentation(&mut self, dont_frag: bool, more_frags: bool, offset: u16) {
        let mut value = (offset >> 3) & FRAG_OFFSET_MASK;
        if dont_frag {
            value |= FLAG_DF;
        }
        if more_frags {
            value |= FLAG_MF;
        }
        write_u16(self.bytes_mut(), field::FLAGS_FRAG, value);
    }

    /// Sets the time to live.
    pub fn set_ttl(&mut self, ttl: u8) {
        self.bytes_mut()[field::TTL] = ttl;
    }

    /// Sets the protocol.
    pub fn set_protocol(&mut self, protocol: IpProtocol) {
        self.bytes_mut()[field::PROTOCOL] = protocol.into();
    }

    /// Sets the checksum field as given.
    pub fn set_checksum(&mut self, value: u16) {
        write_u16(self.bytes_mut(), field::CHECKSUM, value);
    }

    /// Sets the source address.
    pub fn set_src_addr(&mut self, addr: Ipv4Addr) {
        self.bytes_mut()[field::SRC..field::SRC + 4].copy_from_slice(&addr.octets());
    }

    /// Sets the destination address.
    pub fn set_dst_addr(&mut self, addr: Ipv4Addr) {
        self.bytes_mut()[field::DST..field::DST + 4].copy_from_slice(&addr.octets());
    }

    /// Computes the header checksum over the header as it stands and stores it.
    pub fn fill_checksum(&mut self) {
        self.set_checksum(0);
        let value = checksum(&self.bytes()[..self.header_len()]);
        self.set_checksum(value);
    }

    /// The options area, for writing.
    pub fn options_mut(&mut self) -> &mut [u8] {
        let end = self.header_len();
        &mut self.bytes_mut()[field::OPTIONS..end]
    }

    /// The payload, for writing.
    pub fn payload_mut(&mut self) -> &mut [u8] {
        let (from, to) = (self.header_len(), usize::from(self.total_len()));
        &mut self.bytes_mut()[from..to]
    }
}

/// A parsed IPv4 header of a whole (unfragmented) datagram.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Repr {
    /// Source address.
    pub src_addr: Ipv4Addr,
    /// Destination address.
    pub dst_addr: Ipv4Addr,
    /// Protocol of the payload.
    pub protocol: IpProtocol,
    /// Length of the payload in bytes.
    pub payload_len: usize,
    /// Time to live.
    pub ttl: u8,
    /// Differentiated services code point (0..64).
    pub dscp: u8,
    /// ECN bits (0..4).
    pub ecn: u8,
    /// Identification.
    pub ident: u16,
    /// The Don't Fragment flag.
    pub dont_frag: bool,
    /// Bytes of options the header carried (a multiple of 4, at most 40); their content is
    /// skipped. [`emit`](Self::emit) fills that many bytes with End of Option List, which is
    /// how a header is padded (RFC 791 §3.1, "Padding").
    pub options_len: usize,
}

impl Repr {
    /// Reads the header: lengths, version 4, the checksum, then refuses fragments.
    pub fn parse<T: AsRef<[u8]>>(packet: &Packet<T>) -> Result<Repr, Error> {
        packet.check_len()?;
        if packet.version() != 4 {
            return Err(Error::Malformed("IP version is not 4"));
        }
        if !packet.verify_checksum() {
            return Err(Error::BadChecksum);
        }
        if packet.is_fragment() {
            return Err(Error::Fragmented);
        }
        let header_len = packet.header_len();
        Ok(Repr {
            src_addr: packet.src_addr(),
            dst_addr: packet.dst_addr(),
            protocol: packet.protocol(),
            payload_len: usize::from(packet.total_len()) - header_len,
            ttl: packet.ttl(),
            dscp: packet.dscp(),
            ecn: packet.ecn(),
            ident: packet.ident(),
            dont_frag: packet.dont_frag(),
            options_len: header_len - HEADER_LEN,
        })
    }

    /// Parses a datagram from bytes, returning the header and the payload (padding excluded).
    pub fn parse_bytes(bytes: &[u8]) -> Result<(Repr, &[u8]), Error> {
        let packet = Packet::new_checked(bytes)?;
        let repr = Repr::parse(&packet)?;
        let payload = &bytes[packet.header_len()..repr.buffer_len()];
        Ok((repr, payload))
    }

    /// Length of the header `emit` writes.
    pub const fn header_len(&self) -> usize {
        HEADER_LEN + self.options_len
    }

    /// Length of the whole datagram: header and payload.
    pub const fn buffer_len(&self) -> usize {
        self.header_len() + self.payload_len
    }

    /// Writes the header, with its checksum, into the start of the packet; the payload area
    /// after it is left as it is.
    ///
    /// # Panics
    ///
    /// If `options_len` is not a multiple of 4 up to 40, if the datagram would exceed 65,535
    /// bytes, or if the buffer is shorter than the header.
    pub fn emit(&self, packet: &mut Packet<&mut [u8]>) {
        assert!(
            self.options_len.is_multiple_of(4) && self.options_len <= MAX_HEADER_LEN - HEADER_LEN,
            "IPv4 options length {} is not a multiple of 4 up to 40",
            self.options_len
        );
        let total_len = u16::try_from(self.buffer_len()).expect("IPv4 datagram over 65535 bytes");
        packet.set_version(4);
        packet.set_header_len(self.header_len());
        packet.set_dscp_ecn(self.dscp, self.ecn);
        packet.set_total_len(total_len);
        packet.set_ident(self.ident);
        packet.set_fragmentation(self.dont_frag, false, 0);
        packet.set_ttl(self.ttl);
        packet.set_protocol(self.protocol);
        packet.set_src_addr(self.src_addr);
        packet.set_dst_addr(self.dst_addr);
        packet.options_mut().fill(0);
        packet.fill_checksum();
    }

    /// A whole datagram: this header followed by `payload` (`payload_len` is taken from it).
    pub fn to_bytes(&self, payload: &[u8]) -> Vec<u8> {
        let repr = Repr {
            payload_len: payload.len(),
            ..self.clone()
        };
        let mut bytes = vec![0; repr.buffer_len()];
        repr.emit(&mut Packet::new_unchecked(&mut bytes[..]));
        bytes[repr.header_len()..].copy_from_slice(payload);
        bytes
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A UDP datagram's header, 192.168.0.1 → 192.168.0.199, total length 115, DF, TTL 64,
    /// with its checksum 0xb861.
    const HEADER: [u8; 20] = [
        0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11, 0xb8, 0x61, 0xc0, 0xa8, 0x00,
        0x01, 0xc0, 0xa8, 0x00, 0xc7,
    ];

    fn datagram() -> Vec<u8> {
        let mut bytes = HEADER.to_vec();
        bytes.extend((0..95).map(|i| i as u8));
        bytes
    }

    fn repr() -> Repr {
        Repr {
            src_addr: Ipv4Addr::new(192, 168, 0, 1),
            dst_addr: Ipv4Addr::new(192, 168, 0, 199),
            protocol: IpProtocol::Udp,
            payload_len: 95,
            ttl: 64,
            dscp: 0,
            ecn: 0,
            ident: 0,
            dont_frag: true,
            options_len: 0,
        }
    }

    /// Recomputes the checksum after a test edits a header field.
    fn refill(bytes: &mut [u8]) {
        Packet::new_unchecked(bytes).fill_checksum();
    }

    #[test]
    fn parses_known_datagram() {
        let bytes = datagram();
        let (parsed, payload) = Repr::parse_bytes(&bytes).unwrap();
        assert_eq!(parsed, repr());
        assert_eq!(payload, &bytes[20..]);
    }

    #[test]
    fn emits_known_header() {
        let payload: Vec<u8> = (0..95).map(|i| i as u8).collect();
        assert_eq!(repr().to_bytes(&payload), datagram());
    }

    #[test]
    fn link_padding_is_not_payload() {
        let mut bytes = datagram();
        bytes.extend_from_slice(&[0xee; 7]);
        let (_, payload) = Repr::parse_bytes(&bytes).unwrap();
        assert_eq!(payload.len(), 95);
    }

    #[test]
    fn length_errors() {
        let bytes = datagram();
        assert_eq!(Repr::parse_bytes(&bytes[..19]), Err(Error::Truncated));
        assert_eq!(Repr::parse_bytes(&bytes[..114]), Err(Error::Truncated));
        let mut short_ihl = bytes.clone();
        short_ihl[0] = 0x44;
        assert_eq!(
            Repr::parse_bytes(&short_ihl),
            Err(Error::Malformed("IPv4 IHL below 5"))
        );
        let mut short_total = bytes.clone();
        short_total[2..4].copy_from_slice(&19u16.to_be_bytes());
        refill(&mut short_total);
        assert_eq!(
            Repr::parse_bytes(&short_total),
            Err(Error::Malformed("IPv4 total length shorter than header"))
        );
    }

    #[test]
    fn version_must_be_4() {
        let mut bytes = datagram();
        bytes[0] = 0x65;
        refill(&mut bytes);
        assert_eq!(
            Repr::parse_bytes(&bytes),
            Err(Error::Malformed("IP version is not 4"))
        );
    }

    #[test]
    fn corrupted_header_fails_checksum() {
        let mut bytes = datagram();
        bytes[8] = 63;
        assert_eq!(Repr::parse_bytes(&bytes), Err(Error::BadChecksum));
    }

    #[test]
    fn payload_is_outside_the_checksum() {
        let mut bytes = datagram();
        bytes[40] ^= 0xff;
        assert!(Repr::parse_bytes(&bytes).is_ok());
    }

    #[test]
    fn fragments_are_refused_after_the_checksum() {
        let mut first = datagram();
        Packet::new_unchecked(&mut first[..]).set_fragmentation(false, true, 0);
        refill(&mut first);
        assert_eq!(Repr::parse_bytes(&first), Err(Error::Fragmented));
        let packet = Packet::new_checked(&first[..]).unwrap();
        assert!(packet.more_frags() && packet.frag_offset() == 0);

        let mut last = datagram();
        Packet::new_unchecked(&mut last[..]).set_fragmentation(false, false, 1480);
        refill(&mut last);
        assert_eq!(Repr::parse_bytes(&last), Err(Error::Fragmented));
        assert_eq!(Packet::new_checked(&last[..]).unwrap().frag_offset(), 1480);

        // A corrupted fragment is a bad checksum first.
        last[9] = 6;
        assert_eq!(Repr::parse_bytes(&last), Err(Error::BadChecksum));
    }

    #[test]
    fn options_are_skipped_and_counted() {
        // IHL 6: one word of options (NOP, NOP, NOP, EOL), total length 24 + 4 bytes of data.
        let mut bytes = vec![
            0x46, 0x00, 0x00, 28, 0x12, 0x34, 0x00, 0x00, 0x05, 0x01, 0, 0, 10, 0, 0, 1, 10, 0, 0,
            2, 1, 1, 1, 0, 8, 0, 0xf7, 0xff,
        ];
        refill(&mut bytes);
        let (parsed, payload) = Repr::parse_bytes(&bytes).unwrap();
        assert_eq!(parsed.options_len, 4);
        assert_eq!(parsed.protocol, IpProtocol::Icmp);
        assert_eq!(payload, &[8, 0, 0xf7, 0xff]);
        // Emitting keeps the header length, with the options area zeroed (End of Option List).
        let emitted = parsed.to_bytes(payload);
        assert_eq!(&emitted[20..24], &[0, 0, 0, 0]);
        assert_eq!(Repr::parse_bytes(&emitted).unwrap().0, parsed);
    }

    #[test]
    fn dscp_ecn_and_protocols_round_trip() {
        let mut r = repr();
        r.dscp = 46;
        r.ecn = 3;
        r.protocol = IpProtocol::Unknown(132);
        r.dont_frag = false;
        r.ident = 0xbeef;
        r.payload_len = 3;
        let bytes = r.to_bytes(&[1, 2, 3]);
        assert_eq!(bytes[1], (46 << 2) | 3);
        assert_eq!(Repr::parse_bytes(&bytes).unwrap(), (r, &[1u8, 2, 3][..]));
    }

    #[test]
    #[should_panic(expected = "over 65535")]
    fn emit_refuses_oversized_datagram() {
        let mut r = repr();
        r.payload_len = 65_516;
        let mut buf = [0u8; 20];
        r.emit(&mut Packet::new_unchecked(&mut buf[..]));
    }
}
