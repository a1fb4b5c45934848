//! The UDP header (RFC 768): source port, destination port, length, checksum.
//!
//! The checksum covers the IPv4 pseudo-header, the header and the data. A zero checksum on the
//! wire means the sender computed none (RFC 768, "If the computed checksum is zero, it is
//! transmitted as all ones"; all zeros means none), and is accepted; when emitting, a computed
//! zero is sent as 0xffff. The length field must be at least 8 and fit the buffer; bytes after
//! it are not data.

use super::checksum::pseudo_header;
use super::{Error, IpProtocol, read_u16, write_u16};
use std::net::Ipv4Addr;

/// Byte offsets of the header fields.
mod field {
    pub const SRC_PORT: usize = 0;
    pub const DST_PORT: usize = 2;
    pub const LENGTH: usize = 4;
    pub const CHECKSUM: usize = 6;
    pub const PAYLOAD: usize = 8;
}

/// Length of the UDP header.
pub const HEADER_LEN: usize = field::PAYLOAD;

/// A view over a UDP datagram.
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

    /// Checks that the buffer holds the header and that the length field is at least the header
    /// and at most the buffer.
    pub fn check_len(&self) -> Result<(), Error> {
        let len = self.buffer.as_ref().len();
        if len < HEADER_LEN {
            return Err(Error::Truncated);
        }
        let field_len = usize::from(self.len());
        if field_len < HEADER_LEN {
            return Err(Error::Malformed("UDP length below 8"));
        }
        if field_len > len {
            return Err(Error::Truncated);
        }
        Ok(())
    }

    /// Gives the buffer back.
    pub fn into_inner(self) -> T {
        self.buffer
    }

    /// Source port.
    pub fn src_port(&self) -> u16 {
        read_u16(self.buffer.as_ref(), field::SRC_PORT)
    }

    /// Destination port.
    pub fn dst_port(&self) -> u16 {
        read_u16(self.buffer.as_ref(), field::DST_PORT)
    }

    /// The length field: header plus data.
    pub fn len(&self) -> u16 {
        read_u16(self.buffer.as_ref(), field::LENGTH)
    }

    /// True if the length field announces no data.
    pub fn is_empty(&self) -> bool {
        usize::from(self.len()) <= HEADER_LEN
    }

    /// The checksum as on the wire (0: none was computed).
    pub fn checksum(&self) -> u16 {
        read_u16(self.buffer.as_ref(), field::CHECKSUM)
    }

    /// The checksum computed over the pseudo-header and the datagram up to its length field,
    /// with the checksum field taken as zero (RFC 768).
    pub fn computed_checksum(&self, src: Ipv4Addr, dst: Ipv4Addr) -> u16 {
        let len = usize::from(self.len());
        let bytes = self.buffer.as_ref();
        let mut sum = pseudo_header(src, dst, IpProtocol::Udp, self.len());
        sum.add_bytes(&bytes[..field::CHECKSUM]);
        sum.add_bytes(&bytes[field::CHECKSUM + 2..len]);
        sum.finish()
    }

    /// True if the checksum is absent or verifies: the verdict is `udp::verify_checksum`'s, the
    /// one copy of RFC 768's rule.
    pub fn verify_checksum(&self, src: Ipv4Addr, dst: Ipv4Addr) -> bool {
        crate::udp::verify_checksum(self.checksum(), self.computed_checksum(src, dst)).accepted()
    }

    /// The data, up to the length field.
    pub fn payload(&self) -> &[u8] {
        &self.buffer.as_ref()[field::PAYLOAD..usize::from(self.len())]
    }
}

impl<T: AsRef<[u8]> + AsMut<[u8]>> Packet<T> {
    /// Sets the source port.
    pub fn set_src_port(&mut self, port: u16) {
        write_u16(self.buffer.as_mut(), field::SRC_PORT, port);
    }

    /// Sets the destination port.
    pub fn set_dst_port(&mut self, port: u16) {
        write_u16(self.buffer.as_mut(), field::DST_PORT, port);
    }

    /// Sets the length field.
    pub fn set_len(&mut self, len: u16) {
        write_u16(self.buffer.as_mut(), field::LENGTH, len);
    }

    /// Sets the checksum field as given.
    pub fn set_checksum(&mut self, value: u16) {
        write_u16(self.buffer.as_mut(), field::CHECKSUM, value);
    }

    /// Computes the checksum and stores it as `udp::transmitted_checksum` says (a computed
    /// zero is sent as 0xffff).
    pub fn fill_checksum(&mut self, src: Ipv4Addr, dst: Ipv4Addr) {
        let computed = self.computed_checksum(src, dst);
        self.set_checksum(crate::udp::transmitted_checksum(Some(computed)));
    }

    /// The data, for writing.
    pub fn payload_mut(&mut self) -> &mut [u8] {
        let end = usize::from(self.len());
        &mut self.buffer.as_mut()[field::PAYLOAD..end]
    }
}

/// A parsed UDP header.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Repr {
    /// Source port.
    pub src_port: u16,
    /// Destination port.
    pub dst_port: u16,
    /// Length of the data.
    pub payload_len: usize,
}

impl Repr {
    /// Reads the header and verifies the checksum (if present) against the pseudo-header of
    /// `src` and `dst`.
    pub fn parse<T: AsRef<[u8]>>(
        packet: &Packet<T>,
        src: Ipv4Addr,
        dst: Ipv4Addr,
    ) -> Result<Repr, Error> {
        packet.check_len()?;
        if !packet.verify_checksum(src, dst) {
            return Err(Error::BadChecksum);
        }
        Ok(Repr {
            src_port: packet.src_port(),
            dst_port: packet.dst_port(),
            payload_len: usize::from(packet.len()) - HEADER_LEN,
        })
    }

    /// Parses a datagram from bytes, returning the header and the data.
    pub fn parse_bytes(bytes: &[u8], src: Ipv4Addr, dst: Ipv4Addr) -> Result<(Repr, &[u8]), Error> {
        let packet = Packet::new_checked(bytes)?;
        let repr = Repr::parse(&packet, src, dst)?;
        let payload = &bytes[HEADER_LEN..repr.buffer_len()];
        Ok((repr, payload))
    }

    /// Length of the whole datagram: header and data.
    pub const fn buffer_len(&self) -> usize {
        HEADER_LEN + self.payload_len
    }

    /// Writes the header and the checksum. The data must already be in place after the header:
    /// the checksum covers it.
    ///
    /// # Panics
    ///
    /// If the datagram would exceed 65,535 bytes or the buffer is shorter than `buffer_len()`.
    pub fn emit(&self, packet: &mut Packet<&mut [u8]>, src: Ipv4Addr, dst: Ipv4Addr) {
        let len = u16::try_from(self.buffer_len()).expect("UDP datagram over 65535 bytes");
        packet.set_src_port(self.src_port);
        packet.set_dst_port(self.dst_port);
        packet.set_len(len);
        packet.fill_checksum(src, dst);
    }

    /// A whole datagram: this header followed by `payload` (`payload_len` is taken from it).
    pub fn to_bytes(&self, payload: &[u8], src: Ipv4Addr, dst: Ipv4Addr) -> Vec<u8> {
        let repr = Repr {
            payload_len: payload.len(),
            ..self.clone()
        };
        let mut bytes = vec![0; repr.buffer_len()];
        bytes[HEADER_LEN..].copy_from_slice(payload);
        repr.emit(&mut Packet::new_unchecked(&mut bytes[..]), src, dst);
        bytes
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SRC: Ipv4Addr = Ipv4Addr::new(10, 0, 0, 1);
    const DST: Ipv4Addr = Ipv4Addr::new(10, 0, 0, 2);

    /// A DNS-style query 10.0.0.1:40000 → 10.0.0.2:53 carrying "hi". Checksum by hand:
    /// pseudo-header 0a00+0001+0a00+0002+0011+000a = 0x141e, header 9c40+0035+000a = 0x9c7f,
    /// data 6869; total 0x1_1906 → 0x1907, complement 0xe6f8.
    const DATAGRAM: [u8; 10] = [0x9c, 0x40, 0x00, 0x35, 0x00, 0x0a, 0xe6, 0xf8, b'h', b'i'];

    fn repr() -> Repr {
        Repr {
            src_port: 40000,
            dst_port: 53,
            payload_len: 2,
        }
    }

    #[test]
    fn parses_known_datagram() {
        assert_eq!(
            Repr::parse_bytes(&DATAGRAM, SRC, DST),
            Ok((repr(), &b"hi"[..]))
        );
    }

    #[test]
    fn emits_known_datagram() {
        assert_eq!(repr().to_bytes(b"hi", SRC, DST), DATAGRAM);
    }

    #[test]
    fn checksum_covers_pseudo_header_and_data() {
        assert_eq!(
            Repr::parse_bytes(&DATAGRAM, SRC, Ipv4Addr::new(10, 0, 0, 3)),
            Err(Error::BadChecksum)
        );
        let mut flipped = DATAGRAM;
        flipped[9] ^= 1;
        assert_eq!(
            Repr::parse_bytes(&flipped, SRC, DST),
            Err(Error::BadChecksum)
        );
    }

    #[test]
    fn zero_checksum_means_none() {
        let mut unchecked = DATAGRAM;
        unchecked[6..8].fill(0);
        unchecked[9] ^= 1;
        assert_eq!(
            Repr::parse_bytes(&unchecked, SRC, Ipv4Addr::new(1, 2, 3, 4)),
            Ok((repr(), &b"hh"[..]))
        );
    }

    #[test]
    fn computed_zero_is_sent_as_all_ones() {
        // Choose the data word so that the sum is 0xffff: the computed checksum is then 0.
        let header_and_pseudo = 0x141e + 0x9c7f;
        let word: u16 = 0xffff - header_and_pseudo;
        let bytes = repr().to_bytes(&word.to_be_bytes(), SRC, DST);
        assert_eq!(&bytes[6..8], &[0xff, 0xff]);
        assert!(Repr::parse_bytes(&bytes, SRC, DST).is_ok());
    }

    #[test]
    fn length_field_rules() {
        assert_eq!(
            Repr::parse_bytes(&DATAGRAM[..7], SRC, DST),
            Err(Error::Truncated)
        );
        assert_eq!(
            Repr::parse_bytes(&DATAGRAM[..9], SRC, DST),
            Err(Error::Truncated)
        );
        let mut short = DATAGRAM;
        short[4..6].copy_from_slice(&7u16.to_be_bytes());
        assert_eq!(
            Repr::parse_bytes(&short, SRC, DST),
            Err(Error::Malformed("UDP length below 8"))
        );
        // Bytes past the length field are not data (and not summed).
        let mut long = DATAGRAM.to_vec();
        long.extend_from_slice(&[0xaa; 3]);
        assert_eq!(Repr::parse_bytes(&long, SRC, DST), Ok((repr(), &b"hi"[..])));
    }

    #[test]
    fn empty_datagram() {
        let bytes = Repr {
            payload_len: 0,
            ..repr()
        }
        .to_bytes(&[], SRC, DST);
        let packet = Packet::new_checked(&bytes[..]).unwrap();
        assert!(packet.is_empty());
        assert_eq!(
            Repr::parse_bytes(&bytes, SRC, DST).unwrap().0.payload_len,
            0
        );
    }
}
