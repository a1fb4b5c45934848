//! ARP (RFC 826) for IPv4 over Ethernet, the only pairing the stack resolves.
//!
//! The packet starts with hardware type, protocol type, their address lengths and the operation;
//! the four addresses that follow have those lengths. [`Packet`] checks the lengths for any
//! pairing; [`Repr::parse`] accepts hardware type 1 (Ethernet) with protocol type 0x0800 (IPv4)
//! and address lengths 6 and 4, and refuses others with [`Error::Unsupported`], as RFC 826's
//! packet reception algorithm drops packets of a hardware or protocol type it does not speak.

use super::{Error, EthernetAddress, read_u16, write_u16};
use std::net::Ipv4Addr;

/// Hardware type of Ethernet.
pub const HTYPE_ETHERNET: u16 = 1;
/// Protocol type of IPv4 (its EtherType).
pub const PTYPE_IPV4: u16 = 0x0800;

/// Byte offsets of the fixed header fields; the addresses follow at offsets that depend on the
/// address lengths.
mod field {
    pub const HTYPE: usize = 0;
    pub const PTYPE: usize = 2;
    pub const HLEN: usize = 4;
    pub const PLEN: usize = 5;
    pub const OPER: usize = 6;
    pub const SHA: usize = 8;
}

/// Length of the fixed part before the addresses.
pub const FIXED_LEN: usize = field::SHA;

/// Length of an ARP packet for Ethernet and IPv4.
pub const ETHERNET_IPV4_LEN: usize = FIXED_LEN + 2 * (6 + 4);

/// The operation: RFC 826 defines request (1) and reply (2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Operation {
    /// "Who has the target protocol address?"
    Request,
    /// "The sender protocol address is at the sender hardware address."
    Reply,
}

impl From<Operation> for u16 {
    fn from(op: Operation) -> u16 {
        match op {
            Operation::Request => 1,
            Operation::Reply => 2,
        }
    }
}

/// A view over an ARP packet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Packet<T: AsRef<[u8]>> {
    buffer: T,
}

impl<T: AsRef<[u8]>> Packet<T> {
    /// Wraps a buffer without checking it; accessors panic if it is too short.
    pub const fn new_unchecked(buffer: T) -> Self {
        Packet { buffer }
    }

    /// Wraps a buffer that holds the fixed part and the four addresses its lengths announce.
    pub fn new_checked(buffer: T) -> Result<Self, Error> {
        let packet = Self::new_unchecked(buffer);
        packet.check_len()?;
        Ok(packet)
    }

    /// Checks that the buffer holds the fixed part and all four addresses. Bytes after them
    /// (Ethernet padding) are allowed.
    pub fn check_len(&self) -> Result<(), Error> {
        let buf = self.buffer.as_ref();
        if buf.len() < FIXED_LEN || buf.len() < self.packet_len() {
            return Err(Error::Truncated);
        }
        Ok(())
    }

    /// Gives the buffer back.
    pub fn into_inner(self) -> T {
        self.buffer
    }

    /// Length the address length fields call for: at most 8 + 2 * (255 + 255).
    fn packet_len(&self) -> usize {
        FIXED_LEN + 2 * (usize::from(self.hardware_len()) + usize::from(self.protocol_len()))
    }

    /// Hardware type (1 for Ethernet).
    pub fn hardware_type(&self) -> u16 {
        read_u16(self.buffer.as_ref(), field::HTYPE)
    }

    /// Protocol type (0x0800 for IPv4).
    pub fn protocol_type(&self) -> u16 {
        read_u16(self.buffer.as_ref(), field::PTYPE)
    }

    /// Length of a hardware address.
    pub fn hardware_len(&self) -> u8 {
        self.buffer.as_ref()[field::HLEN]
    }

    /// Length of a protocol address.
    pub fn protocol_len(&self) -> u8 {
        self.buffer.as_ref()[field::PLEN]
    }

    /// The operation code, raw.
    pub fn operation(&self) -> u16 {
        read_u16(self.buffer.as_ref(), field::OPER)
    }

    fn spa_at(&self) -> usize {
        field::SHA + usize::from(self.hardware_len())
    }

    fn tha_at(&self) -> usize {
        self.spa_at() + usize::from(self.protocol_len())
    }

    fn tpa_at(&self) -> usize {
        self.tha_at() + usize::from(self.hardware_len())
    }

    /// Sender hardware address, raw.
    pub fn sender_hardware_addr(&self) -> &[u8] {
        &self.buffer.as_ref()[field::SHA..self.spa_at()]
    }

    /// Sender protocol address, raw.
    pub fn sender_protocol_addr(&self) -> &[u8] {
        &self.buffer.as_ref()[self.spa_at()..self.tha_at()]
    }

    /// Target hardware address, raw.
    pub fn target_hardware_addr(&self) -> &[u8] {
        &self.buffer.as_ref()[self.tha_at()..self.tpa_at()]
    }

    /// Target protocol address, raw.
    pub fn target_protocol_addr(&self) -> &[u8] {
        let end = self.tpa_at() + usize::from(self.protocol_len());
        &self.buffer.as_ref()[self.tpa_at()..end]
    }
}

impl<T: AsRef<[u8]> + AsMut<[u8]>> Packet<T> {
    /// Sets the hardware type.
    pub fn set_hardware_type(&mut self, value: u16) {
        write_u16(self.buffer.as_mut(), field::HTYPE, value);
    }

    /// Sets the protocol type.
    pub fn set_protocol_type(&mut self, value: u16) {
        write_u16(self.buffer.as_mut(), field::PTYPE, value);
    }

    /// Sets the hardware address length; the address accessors move with it.
    pub fn set_hardware_len(&mut self, value: u8) {
        self.buffer.as_mut()[field::HLEN] = value;
    }

    /// Sets the protocol address length; the address accessors move with it.
    pub fn set_protocol_len(&mut self, value: u8) {
        self.buffer.as_mut()[field::PLEN] = value;
    }

    /// Sets the operation code.
    pub fn set_operation(&mut self, value: u16) {
        write_u16(self.buffer.as_mut(), field::OPER, value);
    }

    /// Sets the sender hardware address (its length must be the hardware length).
    pub fn set_sender_hardware_addr(&mut self, addr: &[u8]) {
        let (from, to) = (field::SHA, self.spa_at());
        self.buffer.as_mut()[from..to].copy_from_slice(addr);
    }

    /// Sets the sender protocol address (its length must be the protocol length).
    pub fn set_sender_protocol_addr(&mut self, addr: &[u8]) {
        let (from, to) = (self.spa_at(), self.tha_at());
        self.buffer.as_mut()[from..to].copy_from_slice(addr);
    }

    /// Sets the target hardware address (its length must be the hardware length).
    pub fn set_target_hardware_addr(&mut self, addr: &[u8]) {
        let (from, to) = (self.tha_at(), self.tpa_at());
        self.buffer.as_mut()[from..to].copy_from_slice(addr);
    }

    /// Sets the target protocol address (its length must be the protocol length).
    pub fn set_target_protocol_addr(&mut self, addr: &[u8]) {
        let from = self.tpa_at();
        let to = from + usize::from(self.protocol_len());
        self.buffer.as_mut()[from..to].copy_from_slice(addr);
    }
}

/// A parsed ARP packet for IPv4 over Ethernet.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Repr {
    /// Request or reply.
    pub operation: Operation,
    /// Hardware address of the sender.
    pub sender_hardware_addr: EthernetAddress,
    /// Protocol address of the sender.
    pub sender_protocol_addr: Ipv4Addr,
    /// Hardware address of the target (ignored, usually zero, in a request).
    pub target_hardware_addr: EthernetAddress,
    /// Protocol address of the target.
    pub target_protocol_addr: Ipv4Addr,
}

fn ethernet_addr(bytes: &[u8]) -> EthernetAddress {
    let mut octets = [0; 6];
    octets.copy_from_slice(bytes);
    EthernetAddress(octets)
}

fn ipv4_addr(bytes: &[u8]) -> Ipv4Addr {
    let mut octets = [0; 4];
    octets.copy_from_slice(bytes);
    Ipv4Addr::from(octets)
}

impl Repr {
    /// Reads an ARP packet; pairings other than Ethernet/IPv4 and operations other than request
    /// and reply are [`Error::Unsupported`].
    pub fn parse<T: AsRef<[u8]>>(packet: &Packet<T>) -> Result<Repr, Error> {
        packet.check_len()?;
        if packet.hardware_type() != HTYPE_ETHERNET || packet.hardware_len() != 6 {
            return Err(Error::Unsupported("ARP hardware type"));
        }
        if packet.protocol_type() != PTYPE_IPV4 || packet.protocol_len() != 4 {
            return Err(Error::Unsupported("ARP protocol type"));
        }
        let operation = match packet.operation() {
            1 => Operation::Request,
            2 => Operation::Reply,
            _ => return Err(Error::Unsupported("ARP operation")),
        };
        Ok(Repr {
            operation,
            sender_hardware_addr: ethernet_addr(packet.sender_hardware_addr()),
            sender_protocol_addr: ipv4_addr(packet.sender_protocol_addr()),
            target_hardware_addr: ethernet_addr(packet.target_hardware_addr()),
            target_protocol_addr: ipv4_addr(packet.target_protocol_addr()),
        })
    }

    /// Parses an ARP packet from bytes; trailing bytes (link padding) are ignored.
    pub fn parse_bytes(bytes: &[u8]) -> Result<Repr, Error> {
        Repr::parse(&Packet::new_checked(bytes)?)
    }

    /// Bytes `emit` writes.
    pub const fn buffer_len(&self) -> usize {
        ETHERNET_IPV4_LEN
    }

    /// Writes the packet into the first [`ETHERNET_IPV4_LEN`] bytes.
    pub fn emit(&self, packet: &mut Packet<&mut [u8]>) {
        packet.set_hardware_type(HTYPE_ETHERNET);
        packet.set_protocol_type(PTYPE_IPV4);
        packet.set_hardware_len(6);
        packet.set_protocol_len(4);
        packet.set_operation(self.operation.into());
        packet.set_sender_hardware_addr(&self.sender_hardware_addr.0);
        packet.set_sender_protocol_addr(&self.sender_protocol_addr.octets());
        packet.set_target_hardware_addr(&self.target_hardware_addr.0);
        packet.set_target_protocol_addr(&self.target_protocol_addr.octets());
    }

    /// The packet as bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut bytes = vec![0; ETHERNET_IPV4_LEN];
        self.emit(&mut Packet::new_unchecked(&mut bytes[..]));
        bytes
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// "Who has 10.0.0.2? Tell 10.0.0.1", laid out as in RFC 826.
    const REQUEST: [u8; 28] = [
        0x00, 0x01, // ar$hrd: Ethernet
        0x08, 0x00, // ar$pro: IPv4
        6, 4, // ar$hln, ar$pln
        0x00, 0x01, // ar$op: request
        0x02, 0x00, 0x00, 0x00, 0x00, 0x01, // ar$sha
        10, 0, 0, 1, // ar$spa
        0, 0, 0, 0, 0, 0, // ar$tha: unknown
        10, 0, 0, 2, // ar$tpa
    ];

    fn request() -> Repr {
        Repr {
            operation: Operation::Request,
            sender_hardware_addr: EthernetAddress([2, 0, 0, 0, 0, 1]),
            sender_protocol_addr: Ipv4Addr::new(10, 0, 0, 1),
            target_hardware_addr: EthernetAddress([0; 6]),
            target_protocol_addr: Ipv4Addr::new(10, 0, 0, 2),
        }
    }

    #[test]
    fn parses_known_request() {
        assert_eq!(Repr::parse_bytes(&REQUEST), Ok(request()));
    }

    #[test]
    fn emits_known_request() {
        assert_eq!(request().to_bytes(), REQUEST);
    }

    #[test]
    fn ethernet_padding_is_ignored() {
        let mut padded = REQUEST.to_vec();
        padded.extend_from_slice(&[0; 18]);
        assert_eq!(Repr::parse_bytes(&padded), Ok(request()));
    }

    #[test]
    fn every_short_prefix_is_truncated() {
        for len in 0..REQUEST.len() {
            assert_eq!(
                Repr::parse_bytes(&REQUEST[..len]),
                Err(Error::Truncated),
                "len {len}"
            );
        }
    }

    #[test]
    fn other_pairings_are_unsupported() {
        let mut token_ring = REQUEST;
        token_ring[1] = 6;
        assert_eq!(
            Repr::parse_bytes(&token_ring),
            Err(Error::Unsupported("ARP hardware type"))
        );
        let mut ipv6 = REQUEST;
        ipv6[2..4].copy_from_slice(&0x86ddu16.to_be_bytes());
        assert_eq!(
            Repr::parse_bytes(&ipv6),
            Err(Error::Unsupported("ARP protocol type"))
        );
        let mut rarp = REQUEST;
        rarp[7] = 3;
        assert_eq!(
            Repr::parse_bytes(&rarp),
            Err(Error::Unsupported("ARP operation"))
        );
    }

    #[test]
    fn address_lengths_move_the_addresses() {
        // A 255/255 pairing needs 8 + 2 * 510 bytes: shorter is truncated, not a panic.
        let mut big = vec![0u8; 8 + 2 * 510];
        big[4] = 255;
        big[5] = 255;
        let packet = Packet::new_checked(&big[..]).unwrap();
        assert_eq!(packet.target_protocol_addr().len(), 255);
        assert_eq!(
            Packet::new_checked(&big[..big.len() - 1]),
            Err(Error::Truncated)
        );
    }
}
