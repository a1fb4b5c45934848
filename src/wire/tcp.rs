//! The TCP header (RFC 9293 §3.1) and its options (§3.2, in the `options` submodule).
//!
//! [`Packet::check_len`] enforces the data offset rules (at least 5 words, no more than the
//! segment). [`Repr::parse`] verifies the checksum over the IPv4 pseudo-header, header and data
//! (MUST-3), then reads the options; [`Repr::emit`] always computes it (MUST-2). Maximum segment
//! size (§3.7.1) is parsed and emitted; window scale, SACK-permitted, SACK (RFC 2018) and
//! timestamps (RFC 7323) are parsed, recorded, and emitted when set; options of unknown kind are
//! skipped by their length (MUST-6), and an illegal length is [`Error::Malformed`] (MUST-7),
//! never a panic. The four reserved bits are ignored on receipt and sent as zero (§3.1,
//! "Rsrvd").

use super::checksum::pseudo_header;
use super::{Error, IpProtocol, read_u16, read_u32, write_u16, write_u32};

use std::net::Ipv4Addr;

mod options;
pub use options::{SackBlock, Timestamps};

/// Byte offsets of the header fields.
mod field {
    pub const SRC_PORT: usize = 0;
    pub const DST_PORT: usize = 2;
    pub const SEQ: usize = 4;
    pub const ACK: usize = 8;
    pub const DATA_OFFSET: usize = 12;
    pub const FLAGS: usize = 13;
    pub const WINDOW: usize = 14;
    pub const CHECKSUM: usize = 16;
    pub const URGENT: usize = 18;
    pub const OPTIONS: usize = 20;
}

/// Length of a header without options.
pub const HEADER_LEN: usize = field::OPTIONS;
/// Longest header: data offset 15, 60 bytes, so at most 40 bytes of options.
pub const MAX_HEADER_LEN: usize = 60;

/// The eight control bits of byte 13 (RFC 9293 §3.1; ECE and CWR from RFC 3168): the very
/// type the connection machine reads, [`crate::tcp::Ctl`], under the codec's name.
pub use crate::tcp::Ctl as Flags;
use crate::tcp::Seq;

/// A view over a TCP segment; the segment extends to the end of the buffer.
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

    /// Checks that the buffer holds the fixed header and that the data offset is at least 5
    /// words and no more than the buffer.
    pub fn check_len(&self) -> Result<(), Error> {
        let len = self.buffer.as_ref().len();
        if len < HEADER_LEN {
            return Err(Error::Truncated);
        }
        let header_len = self.header_len();
        if header_len < HEADER_LEN {
            return Err(Error::Malformed("TCP data offset below 5"));
        }
        if header_len > len {
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

    /// Source port.
    pub fn src_port(&self) -> u16 {
        read_u16(self.bytes(), field::SRC_PORT)
    }

    /// Destination port.
    pub fn dst_port(&self) -> u16 {
        read_u16(self.bytes(), field::DST_PORT)
    }

    /// Sequence number.
    pub fn seq_number(&self) -> Seq {
        Seq(read_u32(self.bytes(), field::SEQ))
    }

    /// Acknowledgment number (significant only with ACK).
    pub fn ack_number(&self) -> Seq {
        Seq(read_u32(self.bytes(), field::ACK))
    }

    /// Header length in bytes (data offset × 4).
    pub fn header_len(&self) -> usize {
        usize::from(self.bytes()[field::DATA_OFFSET] >> 4) * 4
    }

    /// The control bits.
    pub fn flags(&self) -> Flags {
        Flags(self.bytes()[field::FLAGS])
    }

    /// The window.
    pub fn window_len(&self) -> u16 {
        read_u16(self.bytes(), field::WINDOW)
    }

    /// The checksum as on the wire.
    pub fn checksum(&self) -> u16 {
        read_u16(self.bytes(), field::CHECKSUM)
    }

    /// The urgent pointer (significant only with URG).
    pub fn urgent_at(&self) -> u16 {
        read_u16(self.bytes(), field::URGENT)
    }

    /// The options, raw.
    pub fn options(&self) -> &[u8] {
        &self.bytes()[field::OPTIONS..self.header_len()]
    }

    /// The data.
    pub fn payload(&self) -> &[u8] {
        &self.bytes()[self.header_len()..]
    }

    /// True if the checksum over pseudo-header and segment verifies; false also for a segment
    /// too long for the pseudo-header's 16-bit length.
    pub fn verify_checksum(&self, src: Ipv4Addr, dst: Ipv4Addr) -> bool {
        let Ok(len) = u16::try_from(self.bytes().len()) else {
            return false;
        };
        let mut sum = pseudo_header(src, dst, IpProtocol::Tcp, len);
        sum.add_bytes(self.bytes());
        sum.finish() == 0
    }
}

impl<T: AsRef<[u8]> + AsMut<[u8]>> Packet<T> {
    fn bytes_mut(&mut self) -> &mut [u8] {
        self.buffer.as_mut()
    }

    /// Sets the source port.
    pub fn set_src_port(&mut self, port: u16) {
        write_u16(self.bytes_mut(), field::SRC_PORT, port);
    }

    /// Sets the destination port.
    pub fn set_dst_port(&mut self, port: u16) {
        write_u16(self.bytes_mut(), field::DST_PORT, port);
    }

    /// Sets the sequence number.
    pub fn set_seq_number(&mut self, seq: Seq) {
        write_u32(self.bytes_mut(), field::SEQ, seq.0);
    }

    /// Sets the acknowledgment number.
    pub fn set_ack_number(&mut self, ack: Seq) {
        write_u32(self.bytes_mut(), field::ACK, ack.0);
    }

    /// Sets the header length in bytes (a multiple of 4, 20 to 60); the reserved bits become 0.
    pub fn set_header_len(&mut self, len: usize) {
        debug_assert!(len.is_multiple_of(4) && (HEADER_LEN..=MAX_HEADER_LEN).contains(&len));
        self.bytes_mut()[field::DATA_OFFSET] = ((len / 4) as u8) << 4;
    }

    /// Sets the control bits.
    pub fn set_flags(&mut self, flags: Flags) {
        self.bytes_mut()[field::FLAGS] = flags.0;
    }

    /// Sets the window.
    pub fn set_window_len(&mut self, window: u16) {
        write_u16(self.bytes_mut(), field::WINDOW, window);
    }

    /// Sets the checksum field as given.
    pub fn set_checksum(&mut self, value: u16) {
        write_u16(self.bytes_mut(), field::CHECKSUM, value);
    }

    /// Sets the urgent pointer.
    pub fn set_urgent_at(&mut self, value: u16) {
        write_u16(self.bytes_mut(), field::URGENT, value);
    }

    /// The options area, for writing.
    pub fn options_mut(&mut self) -> &mut [u8] {
        let end = self.header_len();
        &mut self.bytes_mut()[field::OPTIONS..end]
    }

    /// The data, for writing.
    pub fn payload_mut(&mut self) -> &mut [u8] {
        let start = self.header_len();
        &mut self.bytes_mut()[start..]
    }

    /// Computes the checksum over the pseudo-header and the whole buffer and stores it.
    ///
    /// # Panics
    ///
    /// If the buffer is longer than 65,535 bytes.
    pub fn fill_checksum(&mut self, src: Ipv4Addr, dst: Ipv4Addr) {
        self.set_checksum(0);
        let len = u16::try_from(self.bytes().len()).expect("TCP segment over 65535 bytes");
        let mut sum = pseudo_header(src, dst, IpProtocol::Tcp, len);
        sum.add_bytes(self.bytes());
        let value = sum.finish();
        self.set_checksum(value);
    }
}

/// A parsed TCP header.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Repr {
    /// Source port.
    pub src_port: u16,
    /// Destination port.
    pub dst_port: u16,
    /// SEG.SEQ.
    pub seq: Seq,
    /// SEG.ACK as on the wire; significant only when `flags` has ACK (see
    /// [`ack_number`](Self::ack_number)).
    pub ack: Seq,
    /// The control bits.
    pub flags: Flags,
    /// SEG.WND, unscaled.
    pub window: u16,
    /// SEG.UP, significant only with URG.
    pub urgent: u16,
    /// Maximum segment size option (§3.7.1).
    pub mss: Option<u16>,
    /// Window scale shift count (RFC 7323 §2), as sent (values above 14 are the receiver's to
    /// clamp).
    pub window_scale: Option<u8>,
    /// SACK-permitted option (RFC 2018 §2).
    pub sack_permitted: bool,
    /// SACK blocks (RFC 2018 §3), at most 4. [`emit`](Self::emit) sends as many as fit in the
    /// 40 bytes of option space left by the other options.
    pub sack_blocks: Vec<SackBlock>,
    /// Timestamps option (RFC 7323 §3).
    pub timestamps: Option<Timestamps>,
    /// Length of the data.
    pub payload_len: usize,
}

impl Repr {
    /// SEG.ACK if the ACK bit is set.
    pub fn ack_number(&self) -> Option<Seq> {
        self.flags.ack().then_some(self.ack)
    }

    /// SEG.LEN (RFC 9293 §3.4): data plus one for SYN and one for FIN.
    pub fn segment_len(&self) -> usize {
        self.payload_len + usize::from(self.flags.syn()) + usize::from(self.flags.fin())
    }

    /// Reads the header after verifying the checksum against the pseudo-header of `src` and
    /// `dst`.
    pub fn parse<T: AsRef<[u8]>>(
        packet: &Packet<T>,
        src: Ipv4Addr,
        dst: Ipv4Addr,
    ) -> Result<Repr, Error> {
        packet.check_len()?;
        if !packet.verify_checksum(src, dst) {
            return Err(Error::BadChecksum);
        }
        let mut repr = Repr {
            src_port: packet.src_port(),
            dst_port: packet.dst_port(),
            seq: packet.seq_number(),
            ack: packet.ack_number(),
            flags: packet.flags(),
            window: packet.window_len(),
            urgent: packet.urgent_at(),
            mss: None,
            window_scale: None,
            sack_permitted: false,
            sack_blocks: Vec::new(),
            timestamps: None,
            payload_len: packet.payload().len(),
        };
        options::parse(packet.options(), &mut repr)?;
        Ok(repr)
    }

    /// Parses a segment from bytes (the whole IPv4 payload), returning the header and the data.
    pub fn parse_bytes(bytes: &[u8], src: Ipv4Addr, dst: Ipv4Addr) -> Result<(Repr, &[u8]), Error> {
        let packet = Packet::new_checked(bytes)?;
        let repr = Repr::parse(&packet, src, dst)?;
        Ok((repr, &bytes[packet.header_len()..]))
    }

    /// Length of the header `emit` writes.
    pub fn header_len(&self) -> usize {
        HEADER_LEN + self.options_len()
    }

    /// Length of the whole segment: header and data.
    pub fn buffer_len(&self) -> usize {
        self.header_len() + self.payload_len
    }

    /// Writes the header, options and checksum. The data must already be in place after
    /// `header_len()` bytes, and the packet must be exactly `buffer_len()` bytes long: the
    /// checksum covers the whole buffer.
    ///
    /// # Panics
    ///
    /// If the buffer is shorter than the header or longer than 65,535 bytes.
    pub fn emit(&self, packet: &mut Packet<&mut [u8]>, src: Ipv4Addr, dst: Ipv4Addr) {
        packet.set_src_port(self.src_port);
        packet.set_dst_port(self.dst_port);
        packet.set_seq_number(self.seq);
        packet.set_ack_number(self.ack);
        packet.set_header_len(self.header_len());
        packet.set_flags(self.flags);
        packet.set_window_len(self.window);
        packet.set_urgent_at(self.urgent);
        self.emit_options(packet.options_mut());
        packet.fill_checksum(src, dst);
    }

    /// A whole segment: this header followed by `payload` (`payload_len` is taken from it).
    pub fn to_bytes(&self, payload: &[u8], src: Ipv4Addr, dst: Ipv4Addr) -> Vec<u8> {
        let repr = Repr {
            payload_len: payload.len(),
            ..self.clone()
        };
        let mut bytes = vec![0; repr.buffer_len()];
        bytes[repr.header_len()..].copy_from_slice(payload);
        repr.emit(&mut Packet::new_unchecked(&mut bytes[..]), src, dst);
        bytes
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(super) const CLIENT: Ipv4Addr = Ipv4Addr::new(10, 0, 0, 1);
    pub(super) const SERVER: Ipv4Addr = Ipv4Addr::new(10, 0, 0, 2);

    /// A SYN as Linux sends it, 10.0.0.1:49152 → 10.0.0.2:80, ISS 0x01020304, window 64240,
    /// options MSS 1460, SACK-permitted, timestamps (TSval 0x0badcafe), NOP, window scale 7.
    /// The checksum 0x9e0a was computed independently of this crate.
    pub(super) const LINUX_SYN: [u8; 40] = [
        0xc0, 0x00, 0x00, 0x50, 0x01, 0x02, 0x03, 0x04, 0x00, 0x00, 0x00, 0x00, 0xa0, 0x02, 0xfa,
        0xf0, 0x9e, 0x0a, 0x00, 0x00, 0x02, 0x04, 0x05, 0xb4, 0x04, 0x02, 0x08, 0x0a, 0x0b, 0xad,
        0xca, 0xfe, 0x00, 0x00, 0x00, 0x00, 0x01, 0x03, 0x03, 0x07,
    ];

    pub(super) fn syn() -> Repr {
        Repr {
            src_port: 49152,
            dst_port: 80,
            seq: Seq(0x0102_0304),
            ack: Seq(0),
            flags: Flags::SYN,
            window: 64240,
            urgent: 0,
            mss: Some(1460),
            window_scale: None,
            sack_permitted: false,
            sack_blocks: Vec::new(),
            timestamps: None,
            payload_len: 0,
        }
    }

    /// Rewrites the checksum after a test edits a segment.
    pub(super) fn refill(bytes: &mut [u8]) {
        Packet::new_unchecked(bytes).fill_checksum(CLIENT, SERVER);
    }

    #[test]
    fn parses_linux_syn() {
        let (repr, payload) = Repr::parse_bytes(&LINUX_SYN, CLIENT, SERVER).unwrap();
        assert!(payload.is_empty());
        assert_eq!(
            repr,
            Repr {
                window_scale: Some(7),
                sack_permitted: true,
                timestamps: Some(Timestamps {
                    tsval: 0x0bad_cafe,
                    tsecr: 0
                }),
                ..syn()
            }
        );
        assert_eq!(repr.ack_number(), None);
        assert_eq!(repr.segment_len(), 1);
    }

    #[test]
    fn a_syn_with_all_four_options_is_emitted_byte_for_byte_as_linux_packs_it() {
        // MSS, SACK-permitted and timestamps unpadded, NOP, window scale: 20 octets.
        let (repr, _) = Repr::parse_bytes(&LINUX_SYN, CLIENT, SERVER).unwrap();
        assert_eq!(repr.header_len(), 40);
        assert_eq!(repr.to_bytes(&[], CLIENT, SERVER), LINUX_SYN);
    }

    #[test]
    fn emits_syn_with_mss() {
        let bytes = syn().to_bytes(&[], CLIENT, SERVER);
        // The checksum 0xc4dc was computed independently of this crate.
        let expected = [
            0xc0, 0x00, 0x00, 0x50, 0x01, 0x02, 0x03, 0x04, 0x00, 0x00, 0x00, 0x00, 0x60, 0x02,
            0xfa, 0xf0, 0xc4, 0xdc, 0x00, 0x00, 0x02, 0x04, 0x05, 0xb4,
        ];
        assert_eq!(bytes, expected);
    }

    #[test]
    fn parses_data_segment() {
        let mut bytes = vec![
            0x00, 0x50, 0xc0, 0x00, 0xff, 0xff, 0xff, 0xfe, 0x01, 0x02, 0x03, 0x05, 0x50, 0x18,
            0x02, 0x00, 0x91, 0x9c, 0x00, 0x00,
        ];
        bytes.extend_from_slice(b"hello");
        let (repr, payload) = Repr::parse_bytes(&bytes, SERVER, CLIENT).unwrap();
        assert_eq!(payload, b"hello");
        assert_eq!(repr.seq, Seq(0xffff_fffe));
        assert_eq!(repr.ack_number(), Some(Seq(0x0102_0305)));
        assert_eq!(repr.flags, Flags::PSH | Flags::ACK);
        assert_eq!(repr.window, 512);
        assert_eq!(repr.payload_len, 5);
        assert_eq!(repr.to_bytes(b"hello", SERVER, CLIENT), bytes);
    }

    #[test]
    fn checksum_covers_pseudo_header() {
        assert_eq!(
            Repr::parse_bytes(&LINUX_SYN, CLIENT, Ipv4Addr::new(10, 0, 0, 3)),
            Err(Error::BadChecksum)
        );
        let mut flipped = LINUX_SYN;
        flipped[13] |= 0x10;
        assert_eq!(
            Repr::parse_bytes(&flipped, CLIENT, SERVER),
            Err(Error::BadChecksum)
        );
    }

    #[test]
    fn data_offset_rules() {
        assert_eq!(
            Repr::parse_bytes(&LINUX_SYN[..19], CLIENT, SERVER),
            Err(Error::Truncated)
        );
        assert_eq!(
            Repr::parse_bytes(&LINUX_SYN[..39], CLIENT, SERVER),
            Err(Error::Truncated)
        );
        let mut low = LINUX_SYN;
        low[12] = 0x40;
        refill(&mut low);
        assert_eq!(
            Repr::parse_bytes(&low, CLIENT, SERVER),
            Err(Error::Malformed("TCP data offset below 5"))
        );
    }

    #[test]
    fn reserved_bits_are_ignored() {
        let mut bytes = LINUX_SYN;
        bytes[12] |= 0x0f;
        refill(&mut bytes);
        let (repr, _) = Repr::parse_bytes(&bytes, CLIENT, SERVER).unwrap();
        assert_eq!(repr.flags, Flags::SYN);
        assert_eq!(repr.to_bytes(&[], CLIENT, SERVER)[12] & 0x0f, 0);
    }

    #[test]
    fn flags_display_as_in_rfc_figures() {
        assert_eq!((Flags::SYN | Flags::ACK).to_string(), "SYN,ACK");
        assert_eq!((Flags::FIN | Flags::ACK).to_string(), "FIN,ACK");
        assert_eq!(Flags::empty().to_string(), "-");
        assert_eq!(format!("{:?}", Flags::RST), "Ctl(RST)");
        assert!((Flags::SYN | Flags::ACK).without(Flags::ACK) == Flags::SYN);
    }
}
