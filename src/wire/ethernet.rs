//! Ethernet II framing (IEEE 802.3 with an EtherType, as RFC 894 carries IPv4 over it):
//! destination address, source address, EtherType, payload. The frame check sequence is the
//! hardware's business and never reaches this codec; neither VLAN tags nor 802.3 length frames
//! are interpreted (their type field is passed through as [`EtherType::Unknown`]).

use super::{Error, read_u16, write_u16};

/// A hardware address: the very type the ARP rules read, [`crate::arp::HwAddr`], under the
/// codec's name.
pub use crate::arp::HwAddr as EthernetAddress;

/// The EtherType field: which protocol the payload belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EtherType {
    /// 0x0800, IPv4 (RFC 894).
    Ipv4,
    /// 0x0806, ARP (RFC 826).
    Arp,
    /// Any other value, passed through unchanged.
    Unknown(u16),
}

impl From<u16> for EtherType {
    fn from(value: u16) -> Self {
        match value {
            0x0800 => EtherType::Ipv4,
            0x0806 => EtherType::Arp,
            other => EtherType::Unknown(other),
        }
    }
}

impl From<EtherType> for u16 {
    fn from(value: EtherType) -> Self {
        match value {
            EtherType::Ipv4 => 0x0800,
            EtherType::Arp => 0x0806,
            EtherType::Unknown(other) => other,
        }
    }
}

/// Byte offsets of the header fields.
mod field {
    pub const DST: usize = 0;
    pub const SRC: usize = 6;
    pub const ETHERTYPE: usize = 12;
    pub const PAYLOAD: usize = 14;
}

/// Length of the Ethernet II header.
pub const HEADER_LEN: usize = field::PAYLOAD;

/// A view over an Ethernet II frame (without the frame check sequence).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Packet<T: AsRef<[u8]>> {
    buffer: T,
}

impl<T: AsRef<[u8]>> Packet<T> {
    /// Wraps a buffer without checking it; accessors panic if it is shorter than the header.
    pub const fn new_unchecked(buffer: T) -> Self {
        Packet { buffer }
    }

    /// Wraps a buffer that holds at least a whole header.
    pub fn new_checked(buffer: T) -> Result<Self, Error> {
        let packet = Self::new_unchecked(buffer);
        packet.check_len()?;
        Ok(packet)
    }

    /// Checks that the buffer holds a whole header.
    pub fn check_len(&self) -> Result<(), Error> {
        if self.buffer.as_ref().len() < HEADER_LEN {
            return Err(Error::Truncated);
        }
        Ok(())
    }

    /// Gives the buffer back.
    pub fn into_inner(self) -> T {
        self.buffer
    }

    fn address(&self, at: usize) -> EthernetAddress {
        let mut bytes = [0; 6];
        bytes.copy_from_slice(&self.buffer.as_ref()[at..at + 6]);
        EthernetAddress(bytes)
    }

    /// The destination address.
    pub fn dst_addr(&self) -> EthernetAddress {
        self.address(field::DST)
    }

    /// The source address.
    pub fn src_addr(&self) -> EthernetAddress {
        self.address(field::SRC)
    }

    /// The EtherType.
    pub fn ethertype(&self) -> EtherType {
        read_u16(self.buffer.as_ref(), field::ETHERTYPE).into()
    }

    /// Everything after the header (link-layer padding included: the inner protocol's length
    /// field says how much of it is data).
    pub fn payload(&self) -> &[u8] {
        &self.buffer.as_ref()[field::PAYLOAD..]
    }
}

impl<T: AsRef<[u8]> + AsMut<[u8]>> Packet<T> {
    /// Sets the destination address.
    pub fn set_dst_addr(&mut self, addr: EthernetAddress) {
        self.buffer.as_mut()[field::DST..field::DST + 6].copy_from_slice(&addr.0);
    }

    /// Sets the source address.
    pub fn set_src_addr(&mut self, addr: EthernetAddress) {
        self.buffer.as_mut()[field::SRC..field::SRC + 6].copy_from_slice(&addr.0);
    }

    /// Sets the EtherType.
    pub fn set_ethertype(&mut self, ethertype: EtherType) {
        write_u16(self.buffer.as_mut(), field::ETHERTYPE, ethertype.into());
    }

    /// The payload, for writing.
    pub fn payload_mut(&mut self) -> &mut [u8] {
        &mut self.buffer.as_mut()[field::PAYLOAD..]
    }
}

/// A parsed Ethernet II header.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Repr {
    /// Destination address.
    pub dst_addr: EthernetAddress,
    /// Source address.
    pub src_addr: EthernetAddress,
    /// Protocol of the payload.
    pub ethertype: EtherType,
}

impl Repr {
    /// Reads the header of a frame.
    pub fn parse<T: AsRef<[u8]>>(packet: &Packet<T>) -> Result<Repr, Error> {
        packet.check_len()?;
        Ok(Repr {
            dst_addr: packet.dst_addr(),
            src_addr: packet.src_addr(),
            ethertype: packet.ethertype(),
        })
    }

    /// Parses a frame from bytes, returning the header and the payload.
    pub fn parse_bytes(bytes: &[u8]) -> Result<(Repr, &[u8]), Error> {
        let packet = Packet::new_checked(bytes)?;
        let repr = Repr::parse(&packet)?;
        Ok((repr, &bytes[HEADER_LEN..]))
    }

    /// Bytes `emit` writes: the header (the payload follows it).
    pub const fn buffer_len(&self) -> usize {
        HEADER_LEN
    }

    /// Writes the header into the first [`HEADER_LEN`] bytes of the frame.
    pub fn emit(&self, packet: &mut Packet<&mut [u8]>) {
        packet.set_dst_addr(self.dst_addr);
        packet.set_src_addr(self.src_addr);
        packet.set_ethertype(self.ethertype);
    }

    /// A whole frame: this header followed by `payload`.
    pub fn to_bytes(&self, payload: &[u8]) -> Vec<u8> {
        let mut bytes = vec![0; HEADER_LEN + payload.len()];
        self.emit(&mut Packet::new_unchecked(&mut bytes[..]));
        bytes[HEADER_LEN..].copy_from_slice(payload);
        bytes
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A broadcast frame carrying ARP, as a host sends when it resolves an address.
    const ARP_BROADCAST: [u8; 16] = [
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, // destination: broadcast
        0x02, 0x00, 0x00, 0x00, 0x00, 0x01, // source: locally administered
        0x08, 0x06, // EtherType ARP
        0xaa, 0xbb, // payload
    ];

    #[test]
    fn parses_known_frame() {
        let (repr, payload) = Repr::parse_bytes(&ARP_BROADCAST).unwrap();
        assert_eq!(repr.dst_addr, EthernetAddress::BROADCAST);
        assert_eq!(repr.src_addr, EthernetAddress([2, 0, 0, 0, 0, 1]));
        assert_eq!(repr.ethertype, EtherType::Arp);
        assert_eq!(payload, &[0xaa, 0xbb]);
    }

    #[test]
    fn emits_known_frame() {
        let repr = Repr {
            dst_addr: EthernetAddress::BROADCAST,
            src_addr: EthernetAddress([2, 0, 0, 0, 0, 1]),
            ethertype: EtherType::Arp,
        };
        assert_eq!(repr.to_bytes(&[0xaa, 0xbb]), ARP_BROADCAST);
    }

    #[test]
    fn short_frame_is_truncated() {
        assert_eq!(
            Repr::parse_bytes(&ARP_BROADCAST[..13]),
            Err(Error::Truncated)
        );
        assert!(Repr::parse_bytes(&ARP_BROADCAST[..14]).is_ok());
    }

    #[test]
    fn unknown_ethertype_passes_through() {
        let mut frame = ARP_BROADCAST;
        frame[12..14].copy_from_slice(&0x86ddu16.to_be_bytes());
        let (repr, _) = Repr::parse_bytes(&frame).unwrap();
        assert_eq!(repr.ethertype, EtherType::Unknown(0x86dd));
        assert_eq!(repr.to_bytes(&[0xaa, 0xbb]), frame);
    }

    #[test]
    fn address_classes() {
        assert!(EthernetAddress::BROADCAST.is_broadcast());
        assert!(EthernetAddress::BROADCAST.is_multicast());
        assert!(EthernetAddress([0x01, 0x00, 0x5e, 0, 0, 1]).is_multicast());
        assert!(EthernetAddress([0x02, 0, 0, 0, 0, 1]).is_unicast());
        assert_eq!(
            EthernetAddress([0x02, 0, 0, 0xab, 0, 1]).to_string(),
            "02:00:00:ab:00:01"
        );
    }
}
