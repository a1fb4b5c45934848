//! A pcap file writer (the classic libpcap format: a 24-byte global header, then a 16-byte
//! record header before each packet, microsecond timestamps), for recording what the host
//! and its peers put on a link so that an independent dissector (Wireshark's tshark) can
//! check it.

use std::io::{self, Write};
use std::time::Duration;

/// The link type of the file (tcpdump.org LINKTYPE_ values).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LinkType {
    /// LINKTYPE_ETHERNET (1): Ethernet II frames.
    Ethernet,
    /// LINKTYPE_RAW (101): raw IPv4 datagrams.
    RawIp,
}

impl LinkType {
    fn code(self) -> u32 {
        match self {
            LinkType::Ethernet => 1,
            LinkType::RawIp => 101,
        }
    }
}

const SNAPLEN: u32 = 65535;

/// Writes packets with their capture time into a pcap stream.
#[derive(Debug)]
pub struct PcapWriter<W: Write> {
    out: W,
}

impl<W: Write> PcapWriter<W> {
    /// Starts a file: writes the global header.
    pub fn new(mut out: W, link: LinkType) -> io::Result<PcapWriter<W>> {
        out.write_all(&0xa1b2_c3d4u32.to_le_bytes())?;
        out.write_all(&2u16.to_le_bytes())?;
        out.write_all(&4u16.to_le_bytes())?;
        out.write_all(&0i32.to_le_bytes())?; // thiszone
        out.write_all(&0u32.to_le_bytes())?; // sigfigs
        out.write_all(&SNAPLEN.to_le_bytes())?;
        out.write_all(&link.code().to_le_bytes())?;
        Ok(PcapWriter { out })
    }

    /// Appends one packet captured at `at` (since the epoch of the capture); a packet longer
    /// than the snapshot length is cut to it, with its original length recorded.
    pub fn write(&mut self, at: Duration, packet: &[u8]) -> io::Result<()> {
        let secs = u32::try_from(at.as_secs()).unwrap_or(u32::MAX);
        let orig = u32::try_from(packet.len()).unwrap_or(u32::MAX);
        let incl = orig.min(SNAPLEN);
        self.out.write_all(&secs.to_le_bytes())?;
        self.out.write_all(&at.subsec_micros().to_le_bytes())?;
        self.out.write_all(&incl.to_le_bytes())?;
        self.out.write_all(&orig.to_le_bytes())?;
        self.out.write_all(&packet[..incl as usize])
    }

    /// The underlying writer.
    pub fn into_inner(self) -> W {
        self.out
    }
}

/// A whole pcap file of `packets` in memory.
pub fn to_bytes(link: LinkType, packets: &[(Duration, Vec<u8>)]) -> Vec<u8> {
    let mut w = PcapWriter::new(Vec::new(), link).expect("writing to a Vec cannot fail");
    for (at, p) in packets {
        w.write(*at, p).expect("writing to a Vec cannot fail");
    }
    w.into_inner()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_and_record_layout() {
        let f = to_bytes(
            LinkType::RawIp,
            &[(Duration::from_micros(1_500_002), vec![7, 8])],
        );
        assert_eq!(&f[..4], &[0xd4, 0xc3, 0xb2, 0xa1], "little-endian magic");
        assert_eq!(&f[20..24], &101u32.to_le_bytes());
        assert_eq!(f.len(), 24 + 16 + 2);
        assert_eq!(&f[24..28], &1u32.to_le_bytes(), "seconds");
        assert_eq!(&f[28..32], &500_002u32.to_le_bytes(), "microseconds");
        assert_eq!(&f[32..40], &[2, 0, 0, 0, 2, 0, 0, 0]);
        assert_eq!(&f[40..], &[7, 8]);
    }
}
