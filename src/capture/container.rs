//! The two capture container formats, read as a stream of records: the classic libpcap format
//! (a 24-byte file header, then a 16-byte header before each record; both byte orders, with
//! microsecond or nanosecond timestamps, and the "modified" variant with 24-byte record headers)
//! and pcapng (draft-ietf-opsawg-pcapng: sections that each set their own byte order, interfaces
//! with their own link type and timestamp resolution, Enhanced, Simple and obsolete Packet
//! Blocks; any other block is skipped by its length).
//!
//! Written here rather than taken from a crate: the reader must say exactly what is wrong and
//! where (a block cut short by the end of the file is not the same fault as a block whose
//! captured length overruns its own length field), keep memory bounded whatever a length field
//! claims, and never panic. The one maintained crate for this, `pcap-parser`, reports an
//! Enhanced Packet Block whose captured length overruns the block as an unexpected end of file
//! even when whole blocks follow, reports a corrupt block length as "buffer too small", and
//! inverts the truncation flag of Simple Packet Blocks; working around that costs more code than
//! the few block layouts below.

use super::link::LinkType;
use super::{Error, ErrorKind};
use std::io::{self, Read};
use std::time::Duration;

/// Longest packet record accepted (Wireshark's own limit for most link types is 256 KiB): a
/// larger captured length is a corrupt file, not a packet, and must not make us allocate.
const MAX_RECORD: u32 = 256 * 1024;
/// Longest pcapng block accepted (Wireshark's limit): 16 MiB.
const MAX_BLOCK: u32 = 16 * 1024 * 1024;

const PCAP_MICRO: u32 = 0xa1b2_c3d4;
const PCAP_NANO: u32 = 0xa1b2_3c4d;
/// Alexey Kuznetzov's "modified" pcap: 8 more bytes in each record header.
const PCAP_MODIFIED: u32 = 0xa1b2_cd34;
const PCAPNG_SHB: u32 = 0x0a0d_0d0a;
const PCAPNG_BYTE_ORDER: u32 = 0x1a2b_3c4d;

mod block {
    pub const IDB: u32 = 1;
    pub const OPB: u32 = 2;
    pub const SPB: u32 = 3;
    pub const EPB: u32 = 6;
}

/// One packet record as the container holds it, before any link-layer decoding.
#[derive(Debug, Clone)]
pub(crate) struct Record {
    /// Index of the interface (pcapng: counted over the whole file, across sections; pcap: 0).
    pub interface: u32,
    /// The interface's link type.
    pub link: LinkType,
    /// Capture time since the Unix epoch.
    pub timestamp: Duration,
    /// Length of the packet on the wire.
    pub original_len: usize,
    /// The bytes captured (at most the snapshot length).
    pub data: Vec<u8>,
}

#[derive(Debug, Clone, Copy)]
struct Interface {
    link: LinkType,
    snaplen: u32,
    /// Timestamp units per second (if_tsresol).
    units_per_sec: u128,
    /// Seconds added to every timestamp (if_tsoffset).
    offset_secs: i64,
}

#[derive(Debug)]
enum Format {
    Pcap {
        big_endian: bool,
        nanos: bool,
        modified: bool,
        link: LinkType,
    },
    PcapNg {
        big_endian: bool,
        /// Interfaces of the whole file; those of the current section start at `section_base`.
        interfaces: Vec<Interface>,
        section_base: usize,
    },
}

/// Streams [`Record`]s out of a pcap or pcapng byte stream.
#[derive(Debug)]
pub(crate) struct Reader<R: Read> {
    input: R,
    /// Bytes consumed so far: the offset of the next record or block.
    offset: u64,
    format: Format,
}

/// Reads as many bytes as fit in `buf`; fewer only at the end of the input.
fn read_full<R: Read>(input: &mut R, buf: &mut [u8]) -> io::Result<usize> {
    let mut got = 0;
    while got < buf.len() {
        match input.read(&mut buf[got..]) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(got)
}

fn u16_at(b: &[u8], at: usize, big_endian: bool) -> u16 {
    let v = [b[at], b[at + 1]];
    if big_endian {
        u16::from_be_bytes(v)
    } else {
        u16::from_le_bytes(v)
    }
}

fn u32_at(b: &[u8], at: usize, big_endian: bool) -> u32 {
    let v = [b[at], b[at + 1], b[at + 2], b[at + 3]];
    if big_endian {
        u32::from_be_bytes(v)
    } else {
        u32::from_le_bytes(v)
    }
}

impl<R: Read> Reader<R> {
    /// Reads the file header (pcap) or the first Section Header Block (pcapng).
    pub fn new(mut input: R) -> Result<Reader<R>, Error> {
        let mut magic = [0u8; 4];
        let got = read_full(&mut input, &mut magic).map_err(io_error)?;
        if got < 4 {
            return Err(Error::new(ErrorKind::NotACapture));
        }
        let le = u32::from_le_bytes(magic);
        let be = u32::from_be_bytes(magic);
        let mut reader = Reader {
            input,
            offset: 0,
            format: Format::PcapNg {
                big_endian: false,
                interfaces: Vec::new(),
                section_base: 0,
            },
        };
        if le == PCAPNG_SHB {
            let mut rest = [0u8; 8];
            if read_full(&mut reader.input, &mut rest).map_err(io_error)? < rest.len() {
                return Err(truncated_block(0));
            }
            let (len, bom) = rest.split_at(4);
            reader.section_header(0, len, bom)?;
            return Ok(reader);
        }
        let (big_endian, nanos, modified) = match (le, be) {
            (PCAP_MICRO, _) => (false, false, false),
            (PCAP_NANO, _) => (false, true, false),
            (PCAP_MODIFIED, _) => (false, false, true),
            (_, PCAP_MICRO) => (true, false, false),
            (_, PCAP_NANO) => (true, true, false),
            (_, PCAP_MODIFIED) => (true, false, true),
            _ => return Err(Error::new(ErrorKind::NotACapture)),
        };
        let mut header = [0u8; 20];
        if read_full(&mut reader.input, &mut header).map_err(io_error)? < header.len() {
            return Err(Error::new(ErrorKind::Truncated {
                what: "pcap file header",
                offset: 0,
            }));
        }
        let major = u16_at(&header, 0, big_endian);
        if major != 2 {
            return Err(Error::new(ErrorKind::Malformed {
                what: "pcap version (major is not 2)",
                offset: 4,
            }));
        }
        // The low 16 bits are the link type; the upper ones say whether frames carry an FCS,
        // whose bytes the IP total length already tells apart from the packet.
        let link = LinkType::from_code(u32_at(&header, 16, big_endian) & 0xffff)?;
        reader.offset = 24;
        reader.format = Format::Pcap {
            big_endian,
            nanos,
            modified,
            link,
        };
        Ok(reader)
    }

    /// The next packet record, or `None` at a clean end of the input.
    pub fn next_record(&mut self) -> Result<Option<Record>, Error> {
        match self.format {
            Format::Pcap {
                big_endian,
                nanos,
                modified,
                link,
            } => self.pcap_record(big_endian, nanos, modified, link),
            Format::PcapNg { .. } => loop {
                let start = self.offset;
                let mut head = [0u8; 8];
                let got = read_full(&mut self.input, &mut head).map_err(io_error)?;
                if got == 0 {
                    return Ok(None);
                }
                if got < head.len() {
                    return Err(truncated_block(start));
                }
                if u32::from_le_bytes([head[0], head[1], head[2], head[3]]) == PCAPNG_SHB {
                    // A new section, in its own byte order: the magic after the length says
                    // which, so the length is read again once it is known.
                    let mut bom = [0u8; 4];
                    if read_full(&mut self.input, &mut bom).map_err(io_error)? < bom.len() {
                        return Err(truncated_block(start));
                    }
                    self.section_header(start, &head[4..], &bom)?;
                    continue;
                }
                if let Some(record) = self.block(start, head)? {
                    return Ok(Some(record));
                }
            },
        }
    }

    fn pcap_record(
        &mut self,
        big_endian: bool,
        nanos: bool,
        modified: bool,
        link: LinkType,
    ) -> Result<Option<Record>, Error> {
        let start = self.offset;
        let mut header = [0u8; 24];
        let header_len = if modified { 24 } else { 16 };
        let got = read_full(&mut self.input, &mut header[..header_len]).map_err(io_error)?;
        if got == 0 {
            return Ok(None);
        }
        let truncated = || {
            Error::new(ErrorKind::Truncated {
                what: "pcap record",
                offset: start,
            })
        };
        if got < header_len {
            return Err(truncated());
        }
        let secs = u32_at(&header, 0, big_endian);
        let frac = u32_at(&header, 4, big_endian);
        let caplen = u32_at(&header, 8, big_endian);
        let origlen = u32_at(&header, 12, big_endian);
        if caplen > MAX_RECORD {
            return Err(Error::new(ErrorKind::Malformed {
                what: "pcap record (captured length over 256 KiB)",
                offset: start,
            }));
        }
        let data = self.read_body(caplen as usize).ok_or_else(truncated)??;
        self.offset = start + header_len as u64 + u64::from(caplen);
        let nanos_part = if nanos {
            u64::from(frac)
        } else {
            u64::from(frac) * 1000
        };
        let timestamp =
            Duration::from_secs(u64::from(secs)).saturating_add(Duration::from_nanos(nanos_part));
        Ok(Some(Record {
            interface: 0,
            link,
            timestamp,
            original_len: (origlen.max(caplen)) as usize,
            data,
        }))
    }

    /// Reads exactly `len` bytes, growing the buffer as they arrive (a length field cannot make
    /// us allocate more than the input holds); `None` if the input ends first.
    fn read_body(&mut self, len: usize) -> Option<Result<Vec<u8>, Error>> {
        let mut data = Vec::with_capacity(len.min(64 * 1024));
        match (&mut self.input).take(len as u64).read_to_end(&mut data) {
            Err(e) => Some(Err(io_error(e))),
            Ok(n) if n < len => None,
            Ok(_) => Some(Ok(data)),
        }
    }

    /// Reads the rest of a Section Header Block at `start` whose type, length (`len_bytes`) and
    /// byte-order magic (`bom`) are read: byte order, version, and a fresh set of interfaces
    /// (their numbers go on counting from the last section's).
    fn section_header(&mut self, start: u64, len_bytes: &[u8], bom: &[u8]) -> Result<(), Error> {
        let bom = u32_at(bom, 0, false);
        let big_endian = match (bom, bom.swap_bytes()) {
            (PCAPNG_BYTE_ORDER, _) => false,
            (_, PCAPNG_BYTE_ORDER) => true,
            _ => {
                return Err(Error::new(ErrorKind::Malformed {
                    what: "pcapng section header (byte-order magic)",
                    offset: start,
                }));
            }
        };
        let total = u32_at(len_bytes, 0, big_endian);
        check_block_len(total, 28, start)?;
        // Type, length and byte-order magic are read: 12 bytes.
        let body = self
            .read_body(total as usize - 12)
            .ok_or_else(|| truncated_block(start))??;
        if u32_at(&body, body.len() - 4, big_endian) != total {
            return Err(trailing_len_mismatch(start));
        }
        let major = u16_at(&body, 0, big_endian);
        if major != 1 {
            return Err(Error::new(ErrorKind::Malformed {
                what: "pcapng version (major is not 1)",
                offset: start,
            }));
        }
        self.offset = start + u64::from(total);
        let interfaces = match std::mem::replace(
            &mut self.format,
            Format::PcapNg {
                big_endian,
                interfaces: Vec::new(),
                section_base: 0,
            },
        ) {
            Format::PcapNg { interfaces, .. } => interfaces,
            Format::Pcap { .. } => Vec::new(),
        };
        self.format = Format::PcapNg {
            big_endian,
            section_base: interfaces.len(),
            interfaces,
        };
        Ok(())
    }

    /// Reads the rest of a block whose type and length are in `head`; returns a record for a
    /// packet block, `None` for any other.
    fn block(&mut self, start: u64, head: [u8; 8]) -> Result<Option<Record>, Error> {
        let (big_endian, section_base) = match self.format {
            Format::PcapNg {
                big_endian,
                section_base,
                ..
            } => (big_endian, section_base),
            Format::Pcap { .. } => return Ok(None),
        };
        let kind = u32_at(&head, 0, big_endian);
        let total = u32_at(&head, 4, big_endian);
        check_block_len(total, 12, start)?;
        let rest = self
            .read_body(total as usize - 8)
            .ok_or_else(|| truncated_block(start))??;
        self.offset = start + u64::from(total);
        if u32_at(&rest, rest.len() - 4, big_endian) != total {
            return Err(trailing_len_mismatch(start));
        }
        let body = &rest[..rest.len() - 4];
        let malformed = |what| {
            Error::new(ErrorKind::Malformed {
                what,
                offset: start,
            })
        };
        let section = match &self.format {
            Format::PcapNg { interfaces, .. } => interfaces.get(section_base..).unwrap_or(&[]),
            Format::Pcap { .. } => &[],
        };
        let packet = |if_id: u32, ts: u64, caplen: u32, origlen: u32, data_at: usize| {
            let iface = section
                .get(if_id as usize)
                .ok_or_else(|| malformed("pcapng packet block (interface not described)"))?;
            let data = body
                .get(data_at..data_at.saturating_add(caplen as usize))
                .ok_or_else(|| {
                    malformed("pcapng packet block (captured length overruns the block)")
                })?;
            Ok::<Record, Error>(Record {
                interface: (section_base + if_id as usize) as u32,
                link: iface.link,
                timestamp: iface.timestamp(ts),
                original_len: origlen.max(caplen) as usize,
                data: data.to_vec(),
            })
        };
        let ts = |at: usize| {
            (u64::from(u32_at(body, at, big_endian)) << 32)
                | u64::from(u32_at(body, at + 4, big_endian))
        };
        match kind {
            block::IDB => {
                if body.len() < 8 {
                    return Err(malformed("pcapng interface description (too short)"));
                }
                let link = LinkType::from_code(u32::from(u16_at(body, 0, big_endian)))?;
                let snaplen = u32_at(body, 4, big_endian);
                let mut iface = Interface {
                    link,
                    snaplen,
                    units_per_sec: 1_000_000,
                    offset_secs: 0,
                };
                for (code, value) in options(&body[8..], big_endian) {
                    match (code, value.len()) {
                        (9, 1) => {
                            iface.units_per_sec = resolution(value[0])
                                .ok_or_else(|| malformed("pcapng if_tsresol"))?;
                        }
                        (14, 8) => {
                            let b: [u8; 8] = value.try_into().expect("length checked");
                            iface.offset_secs = if big_endian {
                                i64::from_be_bytes(b)
                            } else {
                                i64::from_le_bytes(b)
                            };
                        }
                        _ => {}
                    }
                }
                if let Format::PcapNg { interfaces, .. } = &mut self.format {
                    interfaces.push(iface);
                }
                Ok(None)
            }
            block::EPB => {
                if body.len() < 20 {
                    return Err(malformed("pcapng enhanced packet block (too short)"));
                }
                let caplen = u32_at(body, 12, big_endian);
                let origlen = u32_at(body, 16, big_endian);
                packet(u32_at(body, 0, big_endian), ts(4), caplen, origlen, 20).map(Some)
            }
            block::OPB => {
                if body.len() < 20 {
                    return Err(malformed("pcapng packet block (too short)"));
                }
                let if_id = u32::from(u16_at(body, 0, big_endian));
                let caplen = u32_at(body, 12, big_endian);
                let origlen = u32_at(body, 16, big_endian);
                packet(if_id, ts(4), caplen, origlen, 20).map(Some)
            }
            block::SPB => {
                if body.len() < 4 {
                    return Err(malformed("pcapng simple packet block (too short)"));
                }
                let origlen = u32_at(body, 0, big_endian);
                let iface = section
                    .first()
                    .ok_or_else(|| malformed("pcapng simple packet block (no interface)"))?;
                // The captured length is not stored: the packet, cut to the snapshot length
                // (0: none), and the block's padding bounds it.
                let snap = if iface.snaplen == 0 {
                    u32::MAX
                } else {
                    iface.snaplen
                };
                let room = u32::try_from(body.len() - 4).unwrap_or(u32::MAX);
                let caplen = origlen.min(snap).min(room);
                packet(0, 0, caplen, origlen, 4).map(|mut r| {
                    // A Simple Packet Block has no timestamp.
                    r.timestamp = Duration::ZERO;
                    Some(r)
                })
            }
            _ => Ok(None),
        }
    }
}

impl Interface {
    fn timestamp(&self, units: u64) -> Duration {
        let units = u128::from(units);
        let secs = units / self.units_per_sec;
        let frac = units % self.units_per_sec;
        // frac < 2^64, so frac × 10^9 fits in 128 bits.
        let nanos = (frac * 1_000_000_000 / self.units_per_sec) as u64;
        let secs = u64::try_from(secs).unwrap_or(u64::MAX);
        let secs = secs.saturating_add_signed(self.offset_secs);
        Duration::from_secs(secs).saturating_add(Duration::from_nanos(nanos))
    }
}

/// Units per second of an if_tsresol byte: 10^n, or 2^n with the top bit set.
fn resolution(byte: u8) -> Option<u128> {
    let n = u32::from(byte & 0x7f);
    if byte & 0x80 != 0 {
        1u128.checked_shl(n)
    } else {
        10u128.checked_pow(n)
    }
}

/// The options of a block body: (code, value) until opt_endofopt or the end; a truncated last
/// option ends the list (the block length is already checked, so nothing else is at risk).
fn options(mut rest: &[u8], big_endian: bool) -> impl Iterator<Item = (u16, &[u8])> {
    std::iter::from_fn(move || {
        if rest.len() < 4 {
            return None;
        }
        let code = u16_at(rest, 0, big_endian);
        let len = usize::from(u16_at(rest, 2, big_endian));
        if code == 0 {
            return None;
        }
        let value = rest.get(4..4 + len)?;
        let padded = (4 + len).next_multiple_of(4).min(rest.len());
        rest = &rest[padded..];
        Some((code, value))
    })
}

fn check_block_len(total: u32, min: u32, offset: u64) -> Result<(), Error> {
    if total < min || !total.is_multiple_of(4) || total > MAX_BLOCK {
        return Err(Error::new(ErrorKind::Malformed {
            what: "pcapng block length",
            offset,
        }));
    }
    Ok(())
}

fn truncated_block(offset: u64) -> Error {
    Error::new(ErrorKind::Truncated {
        what: "pcapng block",
        offset,
    })
}

fn trailing_len_mismatch(offset: u64) -> Error {
    Error::new(ErrorKind::Malformed {
        what: "pcapng block (trailing length differs)",
        offset,
    })
}

fn io_error(e: io::Error) -> Error {
    Error::new(ErrorKind::Io(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn iface(units_per_sec: u128, offset_secs: i64) -> Interface {
        Interface {
            link: LinkType::Raw,
            snaplen: 0,
            units_per_sec,
            offset_secs,
        }
    }

    #[test]
    fn if_tsresol_is_a_power_of_ten_or_of_two() {
        assert_eq!(resolution(6), Some(1_000_000));
        assert_eq!(resolution(9), Some(1_000_000_000));
        assert_eq!(resolution(0x80 | 10), Some(1024));
        assert_eq!(resolution(0), Some(1));
        assert_eq!(resolution(38), Some(10u128.pow(38)));
        assert_eq!(
            resolution(39),
            None,
            "10^39 does not fit: a malformed option"
        );
        assert_eq!(resolution(0xff), Some(1 << 127));
    }

    #[test]
    fn timestamps_in_any_resolution_with_offsets() {
        assert_eq!(
            iface(1_000_000, 0).timestamp(5_000_001),
            Duration::new(5, 1_000)
        );
        assert_eq!(
            iface(1024, 10).timestamp(3 * 1024 + 512),
            Duration::new(13, 500_000_000)
        );
        assert_eq!(
            iface(1000, -20).timestamp(5_000),
            Duration::ZERO,
            "saturates"
        );
        // The largest count in the finest resolution neither overflows nor panics.
        assert_eq!(iface(1 << 127, 0).timestamp(u64::MAX), Duration::new(0, 0));
        assert_eq!(
            iface(1, i64::MAX).timestamp(u64::MAX),
            Duration::from_secs(u64::MAX)
        );
    }

    #[test]
    fn options_stop_at_the_end_marker_or_a_cut_option() {
        let mut body = vec![2, 0, 3, 0, b'a', b'b', b'c', 0, 9, 0, 1, 0, 6, 0, 0, 0];
        let all: Vec<_> = options(&body, false).collect();
        assert_eq!(all, [(2, &b"abc"[..]), (9, &[6][..])]);
        body.extend([0, 0, 0, 0, 9, 0, 1, 0, 7, 0, 0, 0]);
        assert_eq!(
            options(&body, false).count(),
            2,
            "nothing after opt_endofopt"
        );
        let cut = [9, 0, 8, 0, 1, 2];
        assert_eq!(options(&cut, false).count(), 0);
        assert_eq!(options(&[0, 9, 0, 1, 7, 0, 0, 0], true).count(), 1);
    }
}
