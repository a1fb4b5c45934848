//! ICMP for IPv4 (RFC 792): echo request and reply, destination unreachable and time exceeded;
//! any other message is kept as raw type, code and bytes.
//!
//! Every message starts with type, code and a checksum over the whole ICMP message, followed by
//! four bytes whose meaning depends on the type. The error messages carry "the internet header
//! plus the first 64 bits of the original datagram's data" (RFC 792, destination unreachable);
//! [`Repr`] keeps those bytes as received, and [`Quote::parse`] reads from them what the stack
//! needs to find the connection or socket the error is about.

use super::checksum::checksum;
use super::{Error, IpProtocol, read_u16, read_u32, write_u16};
use std::net::Ipv4Addr;

/// Message type numbers this module names (RFC 792).
pub mod msg_type {
    /// Echo reply.
    pub const ECHO_REPLY: u8 = 0;
    /// Destination unreachable.
    pub const DST_UNREACHABLE: u8 = 3;
    /// Echo request.
    pub const ECHO_REQUEST: u8 = 8;
    /// Time exceeded.
    pub const TIME_EXCEEDED: u8 = 11;
}

/// Byte offsets of the header fields.
mod field {
    pub const TYPE: usize = 0;
    pub const CODE: usize = 1;
    pub const CHECKSUM: usize = 2;
    pub const REST: usize = 4;
    pub const ECHO_IDENT: usize = 4;
    pub const ECHO_SEQ_NO: usize = 6;
    pub const NEXT_HOP_MTU: usize = 6;
    pub const DATA: usize = 8;
}

/// Length of the ICMP header (type, code, checksum and the four type-specific bytes).
pub const HEADER_LEN: usize = field::DATA;

/// The codes of Destination Unreachable and Time Exceeded: the very types the ICMP rules use.
pub use crate::icmp::{TimeExceeded, Unreachable};

/// A view over an ICMP message; the message extends to the end of the buffer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Packet<T: AsRef<[u8]>> {
    buffer: T,
}

impl<T: AsRef<[u8]>> Packet<T> {
    /// Wraps a buffer without checking it; accessors panic if it is too short.
    pub const fn new_unchecked(buffer: T) -> Self {
        Packet { buffer }
    }

    /// Wraps a buffer that holds at least the header.
    pub fn new_checked(buffer: T) -> Result<Self, Error> {
        let packet = Self::new_unchecked(buffer);
        packet.check_len()?;
        Ok(packet)
    }

    /// Checks that the buffer holds the header.
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

    /// The message type.
    pub fn msg_type(&self) -> u8 {
        self.buffer.as_ref()[field::TYPE]
    }

    /// The code.
    pub fn msg_code(&self) -> u8 {
        self.buffer.as_ref()[field::CODE]
    }

    /// The checksum as on the wire.
    pub fn checksum(&self) -> u16 {
        read_u16(self.buffer.as_ref(), field::CHECKSUM)
    }

    /// The four type-specific bytes after the checksum.
    pub fn rest_of_header(&self) -> [u8; 4] {
        let mut rest = [0; 4];
        rest.copy_from_slice(&self.buffer.as_ref()[field::REST..field::DATA]);
        rest
    }

    /// Identifier of an echo message.
    pub fn echo_ident(&self) -> u16 {
        read_u16(self.buffer.as_ref(), field::ECHO_IDENT)
    }

    /// Sequence number of an echo message.
    pub fn echo_seq_no(&self) -> u16 {
        read_u16(self.buffer.as_ref(), field::ECHO_SEQ_NO)
    }

    /// Next-hop MTU of a "fragmentation needed" message (RFC 1191 §4).
    pub fn next_hop_mtu(&self) -> u16 {
        read_u16(self.buffer.as_ref(), field::NEXT_HOP_MTU)
    }

    /// True if the checksum over the whole message verifies.
    pub fn verify_checksum(&self) -> bool {
        checksum(self.buffer.as_ref()) == 0
    }

    /// Everything after the header: echo data, or the invoking datagram of an error.
    pub fn data(&self) -> &[u8] {
        &self.buffer.as_ref()[field::DATA..]
    }
}

impl<T: AsRef<[u8]> + AsMut<[u8]>> Packet<T> {
    /// Sets the message type.
    pub fn set_msg_type(&mut self, value: u8) {
        self.buffer.as_mut()[field::TYPE] = value;
    }

    /// Sets the code.
    pub fn set_msg_code(&mut self, value: u8) {
        self.buffer.as_mut()[field::CODE] = value;
    }

    /// Sets the checksum field as given.
    pub fn set_checksum(&mut self, value: u16) {
        write_u16(self.buffer.as_mut(), field::CHECKSUM, value);
    }

    /// Sets the four type-specific bytes.
    pub fn set_rest_of_header(&mut self, rest: [u8; 4]) {
        self.buffer.as_mut()[field::REST..field::DATA].copy_from_slice(&rest);
    }

    /// Computes the checksum over the whole buffer and stores it.
    pub fn fill_checksum(&mut self) {
        self.set_checksum(0);
        let value = checksum(self.buffer.as_ref());
        self.set_checksum(value);
    }

    /// The data, for writing.
    pub fn data_mut(&mut self) -> &mut [u8] {
        &mut self.buffer.as_mut()[field::DATA..]
    }
}

/// A parsed ICMP message.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Repr {
    /// Echo request (type 8, code 0).
    EchoRequest {
        /// Identifier, to match replies with requests.
        ident: u16,
        /// Sequence number, to match replies with requests.
        seq_no: u16,
        /// Data, returned in the reply.
        data: Vec<u8>,
    },
    /// Echo reply (type 0, code 0).
    EchoReply {
        /// Identifier of the request.
        ident: u16,
        /// Sequence number of the request.
        seq_no: u16,
        /// Data of the request.
        data: Vec<u8>,
    },
    /// Destination unreachable (type 3).
    DstUnreachable {
        /// Why, from the code.
        reason: Unreachable,
        /// The invoking datagram's header and first 8 bytes of data, as received.
        invoking: Vec<u8>,
    },
    /// Time exceeded (type 11).
    TimeExceeded {
        /// Which timer, from the code.
        reason: TimeExceeded,
        /// The invoking datagram's header and first 8 bytes of data, as received.
        invoking: Vec<u8>,
    },
    /// Any other message, and echo messages with a non-zero code: kept raw.
    Other {
        /// Message type.
        msg_type: u8,
        /// Code.
        code: u8,
        /// The four type-specific bytes.
        rest_of_header: [u8; 4],
        /// Everything after the header.
        data: Vec<u8>,
    },
}

impl Repr {
    /// Reads a message after verifying its checksum.
    pub fn parse<T: AsRef<[u8]>>(packet: &Packet<T>) -> Result<Repr, Error> {
        packet.check_len()?;
        if !packet.verify_checksum() {
            return Err(Error::BadChecksum);
        }
        let data = packet.data().to_vec();
        let repr = match (packet.msg_type(), packet.msg_code()) {
            (msg_type::ECHO_REQUEST, 0) => Repr::EchoRequest {
                ident: packet.echo_ident(),
                seq_no: packet.echo_seq_no(),
                data,
            },
            (msg_type::ECHO_REPLY, 0) => Repr::EchoReply {
                ident: packet.echo_ident(),
                seq_no: packet.echo_seq_no(),
                data,
            },
            (msg_type::DST_UNREACHABLE, code) => Repr::DstUnreachable {
                reason: match code {
                    0 => Unreachable::Net,
                    1 => Unreachable::Host,
                    2 => Unreachable::Protocol,
                    3 => Unreachable::Port,
                    4 => Unreachable::FragmentationNeeded {
                        next_hop_mtu: packet.next_hop_mtu(),
                    },
                    5 => Unreachable::SourceRouteFailed,
                    other => Unreachable::Other(other),
                },
                invoking: data,
            },
            (msg_type::TIME_EXCEEDED, code) => Repr::TimeExceeded {
                reason: match code {
                    0 => TimeExceeded::InTransit,
                    1 => TimeExceeded::Reassembly,
                    other => TimeExceeded::Other(other),
                },
                invoking: data,
            },
            (msg_type, code) => Repr::Other {
                msg_type,
                code,
                rest_of_header: packet.rest_of_header(),
                data,
            },
        };
        Ok(repr)
    }

    /// Parses a message from bytes (the whole IPv4 payload).
    pub fn parse_bytes(bytes: &[u8]) -> Result<Repr, Error> {
        Repr::parse(&Packet::new_checked(bytes)?)
    }

    fn wire_header(&self) -> (u8, u8, [u8; 4], &[u8]) {
        let echo_rest = |ident: u16, seq_no: u16| {
            let [a, b] = ident.to_be_bytes();
            let [c, d] = seq_no.to_be_bytes();
            [a, b, c, d]
        };
        match self {
            Repr::EchoRequest {
                ident,
                seq_no,
                data,
            } => (msg_type::ECHO_REQUEST, 0, echo_rest(*ident, *seq_no), data),
            Repr::EchoReply {
                ident,
                seq_no,
                data,
            } => (msg_type::ECHO_REPLY, 0, echo_rest(*ident, *seq_no), data),
            Repr::DstUnreachable { reason, invoking } => {
                let rest = match reason {
                    Unreachable::FragmentationNeeded { next_hop_mtu } => {
                        echo_rest(0, *next_hop_mtu)
                    }
                    _ => [0; 4],
                };
                (msg_type::DST_UNREACHABLE, reason.code(), rest, invoking)
            }
            Repr::TimeExceeded { reason, invoking } => {
                (msg_type::TIME_EXCEEDED, reason.code(), [0; 4], invoking)
            }
            Repr::Other {
                msg_type,
                code,
                rest_of_header,
                data,
            } => (*msg_type, *code, *rest_of_header, data),
        }
    }

    /// Length of the message: header and data.
    pub fn buffer_len(&self) -> usize {
        HEADER_LEN + self.wire_header().3.len()
    }

    /// Writes the message and its checksum. The checksum covers the whole buffer, so the packet
    /// must be exactly `buffer_len()` bytes long.
    ///
    /// # Panics
    ///
    /// If the buffer is shorter than `buffer_len()`.
    pub fn emit(&self, packet: &mut Packet<&mut [u8]>) {
        let (msg_type, code, rest, data) = self.wire_header();
        packet.set_msg_type(msg_type);
        packet.set_msg_code(code);
        packet.set_rest_of_header(rest);
        packet.data_mut()[..data.len()].copy_from_slice(data);
        packet.fill_checksum();
    }

    /// The message as bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut bytes = vec![0; self.buffer_len()];
        self.emit(&mut Packet::new_unchecked(&mut bytes[..]));
        bytes
    }
}

/// The part of a datagram an ICMP error quotes (RFC 792): its IP header and the first 8 bytes of
/// its data, or less if the datagram is shorter. Never panics, whatever the bytes.
pub fn invoking_prefix(datagram: &[u8]) -> &[u8] {
    let header_len = datagram.first().map_or(0, |b| usize::from(b & 0x0f) * 4);
    &datagram[..datagram.len().min(header_len + 8)]
}

/// What an ICMP error's invoking datagram says about the flow it belongs to: enough to find the
/// TCP connection or UDP socket (RFC 1122 §3.2.2: the transport layer gets the error with the
/// ports from the first 8 data bytes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Quote {
    /// Source address of the invoking datagram (this host, for errors about what it sent).
    pub src_addr: Ipv4Addr,
    /// Destination address of the invoking datagram.
    pub dst_addr: Ipv4Addr,
    /// Protocol of the invoking datagram.
    pub protocol: IpProtocol,
    /// Bytes 0–1 of the transport header: the source port for TCP and UDP.
    pub src_port: u16,
    /// Bytes 2–3 of the transport header: the destination port for TCP and UDP.
    pub dst_port: u16,
    /// Bytes 4–7 of the transport header: the sequence number for TCP; length and checksum for
    /// UDP.
    pub transport_word: u32,
}

impl Quote {
    /// Reads an invoking datagram. Its total length and checksum are not checked (a router
    /// quotes the header as it saw it); the version must be 4, the header complete and followed
    /// by 8 bytes, and the datagram a first fragment or none (later fragments carry no ports:
    /// [`Error::Fragmented`]).
    pub fn parse(invoking: &[u8]) -> Result<Quote, Error> {
        let header = invoking
            .get(..super::ipv4::HEADER_LEN)
            .ok_or(Error::Truncated)?;
        let packet = super::ipv4::Packet::new_unchecked(header);
        if packet.version() != 4 {
            return Err(Error::Malformed("quoted IP version is not 4"));
        }
        let header_len = packet.header_len();
        if header_len < super::ipv4::HEADER_LEN {
            return Err(Error::Malformed("quoted IPv4 IHL below 5"));
        }
        let transport = invoking
            .get(header_len..header_len + 8)
            .ok_or(Error::Truncated)?;
        if packet.frag_offset() != 0 {
            return Err(Error::Fragmented);
        }
        Ok(Quote {
            src_addr: packet.src_addr(),
            dst_addr: packet.dst_addr(),
            protocol: packet.protocol(),
            src_port: read_u16(transport, 0),
            dst_port: read_u16(transport, 2),
            transport_word: read_u32(transport, 4),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `ping` with identifier 0x1234, sequence 1 and data "abcd". Checksum by hand:
    /// 0800 + 1234 + 0001 + 6162 + 6364 = 0xdefb, complement 0x2104.
    const ECHO: [u8; 12] = [
        8, 0, 0x21, 0x04, 0x12, 0x34, 0x00, 0x01, b'a', b'b', b'c', b'd',
    ];

    fn echo() -> Repr {
        Repr::EchoRequest {
            ident: 0x1234,
            seq_no: 1,
            data: b"abcd".to_vec(),
        }
    }

    /// A UDP datagram 10.0.0.1:40000 → 10.0.0.2:53 as an unreachable port would quote it.
    fn udp_datagram() -> Vec<u8> {
        let ip = super::super::ipv4::Repr {
            src_addr: Ipv4Addr::new(10, 0, 0, 1),
            dst_addr: Ipv4Addr::new(10, 0, 0, 2),
            protocol: IpProtocol::Udp,
            payload_len: 0,
            ttl: 64,
            dscp: 0,
            ecn: 0,
            ident: 7,
            dont_frag: true,
            options_len: 0,
        };
        let udp = [0x9c, 0x40, 0x00, 0x35, 0x00, 0x0c, 0xab, 0xcd, 1, 2, 3, 4];
        ip.to_bytes(&udp)
    }

    #[test]
    fn parses_known_echo() {
        assert_eq!(Repr::parse_bytes(&ECHO), Ok(echo()));
    }

    #[test]
    fn emits_known_echo() {
        assert_eq!(echo().to_bytes(), ECHO);
    }

    #[test]
    fn checksum_covers_the_data() {
        let mut bad = ECHO;
        bad[11] ^= 0x40;
        assert_eq!(Repr::parse_bytes(&bad), Err(Error::BadChecksum));
        assert_eq!(Repr::parse_bytes(&ECHO[..7]), Err(Error::Truncated));
    }

    #[test]
    fn echo_with_nonzero_code_is_other() {
        let mut odd = ECHO;
        odd[1] = 1;
        Packet::new_unchecked(&mut odd[..]).fill_checksum();
        let parsed = Repr::parse_bytes(&odd).unwrap();
        assert_eq!(
            parsed,
            Repr::Other {
                msg_type: 8,
                code: 1,
                rest_of_header: [0x12, 0x34, 0, 1],
                data: b"abcd".to_vec()
            }
        );
        assert_eq!(parsed.to_bytes(), odd);
    }

    #[test]
    fn port_unreachable_quotes_header_and_8_bytes() {
        let datagram = udp_datagram();
        let invoking = invoking_prefix(&datagram);
        assert_eq!(invoking, &datagram[..28]);
        let repr = Repr::DstUnreachable {
            reason: Unreachable::Port,
            invoking: invoking.to_vec(),
        };
        let bytes = repr.to_bytes();
        assert_eq!(&bytes[..2], &[3, 3]);
        assert_eq!(&bytes[4..8], &[0; 4]);
        assert_eq!(Repr::parse_bytes(&bytes), Ok(repr));
        let quote = Quote::parse(&bytes[8..]).unwrap();
        assert_eq!(
            quote,
            Quote {
                src_addr: Ipv4Addr::new(10, 0, 0, 1),
                dst_addr: Ipv4Addr::new(10, 0, 0, 2),
                protocol: IpProtocol::Udp,
                src_port: 40000,
                dst_port: 53,
                transport_word: 0x000c_abcd,
            }
        );
    }

    #[test]
    fn frag_needed_carries_the_mtu() {
        let repr = Repr::DstUnreachable {
            reason: Unreachable::FragmentationNeeded { next_hop_mtu: 1400 },
            invoking: invoking_prefix(&udp_datagram()).to_vec(),
        };
        let bytes = repr.to_bytes();
        assert_eq!(&bytes[..2], &[3, 4]);
        assert_eq!(&bytes[4..8], &[0, 0, 0x05, 0x78]);
        assert_eq!(Repr::parse_bytes(&bytes), Ok(repr));
    }

    #[test]
    fn time_exceeded_codes() {
        for (code, reason) in [
            (0, TimeExceeded::InTransit),
            (1, TimeExceeded::Reassembly),
            (9, TimeExceeded::Other(9)),
        ] {
            let repr = Repr::TimeExceeded {
                reason,
                invoking: invoking_prefix(&udp_datagram()).to_vec(),
            };
            let bytes = repr.to_bytes();
            assert_eq!(&bytes[..2], &[11, code]);
            assert_eq!(Repr::parse_bytes(&bytes), Ok(repr));
        }
    }

    #[test]
    fn quote_rejects_what_carries_no_ports() {
        let datagram = udp_datagram();
        assert_eq!(Quote::parse(&datagram[..27]), Err(Error::Truncated));
        assert_eq!(Quote::parse(&datagram[..10]), Err(Error::Truncated));
        let mut later_fragment = datagram.clone();
        later_fragment[6..8].copy_from_slice(&0x0001u16.to_be_bytes());
        assert_eq!(Quote::parse(&later_fragment), Err(Error::Fragmented));
        let mut v6 = datagram.clone();
        v6[0] = 0x65;
        assert!(matches!(Quote::parse(&v6), Err(Error::Malformed(_))));
        let mut short_ihl = datagram;
        short_ihl[0] = 0x43;
        assert!(matches!(Quote::parse(&short_ihl), Err(Error::Malformed(_))));
    }

    #[test]
    fn invoking_prefix_is_total() {
        assert_eq!(invoking_prefix(&[]), &[] as &[u8]);
        assert_eq!(invoking_prefix(&[0x4f; 3]), &[0x4f; 3]);
        let long = [0x46; 100];
        assert_eq!(invoking_prefix(&long).len(), 32);
    }
}
