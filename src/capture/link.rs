//! The link layers a capture may record, and the small link headers that only captures carry:
//! Linux "cooked" headers (SLL and SLL2), which `tcpdump -i any` writes instead of the real link
//! header. Ethernet frames go to the crate's Ethernet codec.
//!
//! Link type numbers are tcpdump.org's LINKTYPE_ values; DLT_RAW's platform numbers (12, and 14
//! on OpenBSD) appear in some files instead of LINKTYPE_RAW (101) and mean the same.

use super::{Error, ErrorKind};
use crate::wire::{EtherType, ethernet};

/// How a frame's bytes begin: the link type of its interface.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum LinkType {
    /// LINKTYPE_ETHERNET (1): Ethernet II, with or without one 802.1Q tag.
    Ethernet,
    /// LINKTYPE_RAW (101; DLT_RAW 12 and 14): an IP datagram, version in its first nibble.
    Raw,
    /// LINKTYPE_IPV4 (228): an IPv4 datagram.
    Ipv4,
    /// LINKTYPE_LINUX_SLL (113): the 16-byte Linux cooked header.
    LinuxSll,
    /// LINKTYPE_LINUX_SLL2 (276): the 20-byte Linux cooked header, version 2.
    LinuxSll2,
}

impl LinkType {
    /// The link type for a LINKTYPE_ code, or [`ErrorKind::UnsupportedLinkType`].
    pub fn from_code(code: u32) -> Result<LinkType, Error> {
        Ok(match code {
            1 => LinkType::Ethernet,
            12 | 14 | 101 => LinkType::Raw,
            228 => LinkType::Ipv4,
            113 => LinkType::LinuxSll,
            276 => LinkType::LinuxSll2,
            other => return Err(Error::new(ErrorKind::UnsupportedLinkType(other))),
        })
    }

    /// The LINKTYPE_ code (101 for every raw-IP spelling).
    pub fn code(self) -> u32 {
        match self {
            LinkType::Ethernet => 1,
            LinkType::Raw => 101,
            LinkType::Ipv4 => 228,
            LinkType::LinuxSll => 113,
            LinkType::LinuxSll2 => 276,
        }
    }
}

/// What a frame carries after its link header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Network {
    /// An IPv4 datagram.
    Ipv4,
    /// An ARP packet.
    Arp,
    /// Anything else: the EtherType (or, for raw links, 0x86dd for IPv6 and 0 for an unknown IP
    /// version).
    Other(u16),
}

/// Length of the Linux cooked header, version 1.
const SLL_LEN: usize = 16;
/// Length of the Linux cooked header, version 2.
const SLL2_LEN: usize = 20;
const VLAN: u16 = 0x8100;
const IPV6: u16 = 0x86dd;

/// Splits a captured frame into what it carries and the link header's length; `None` if the
/// capture cut the link header itself.
pub(crate) fn decapsulate(link: LinkType, frame: &[u8]) -> Option<(Network, usize)> {
    let from_ethertype = |value: u16| match EtherType::from(value) {
        EtherType::Ipv4 => Network::Ipv4,
        EtherType::Arp => Network::Arp,
        EtherType::Unknown(other) => Network::Other(other),
    };
    let be16 = |at: usize| {
        frame
            .get(at..at + 2)
            .map(|b| u16::from_be_bytes([b[0], b[1]]))
    };
    match link {
        LinkType::Ethernet => {
            let header = ethernet::Packet::new_checked(frame).ok()?;
            match u16::from(header.ethertype()) {
                // IEEE 802.1Q: a 4-byte tag, then the real EtherType.
                VLAN => Some((from_ethertype(be16(ethernet::HEADER_LEN + 2)?), 18)),
                other => Some((from_ethertype(other), ethernet::HEADER_LEN)),
            }
        }
        LinkType::Raw => match frame.first()? >> 4 {
            4 => Some((Network::Ipv4, 0)),
            6 => Some((Network::Other(IPV6), 0)),
            _ => Some((Network::Other(0), 0)),
        },
        LinkType::Ipv4 => Some((Network::Ipv4, 0)),
        // packet type (2), ARPHRD type (2), address length (2), address (8), protocol (2).
        LinkType::LinuxSll => Some((from_ethertype(be16(14)?), SLL_LEN)),
        // protocol (2), reserved (2), interface index (4), ARPHRD type (2), packet type (1),
        // address length (1), address (8).
        LinkType::LinuxSll2 => {
            let protocol = be16(0)?;
            (frame.len() >= SLL2_LEN).then(|| (from_ethertype(protocol), SLL2_LEN))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_raw_spellings_agree() {
        for code in [1, 101, 228, 113, 276] {
            assert_eq!(LinkType::from_code(code).unwrap().code(), code);
        }
        for code in [12, 14] {
            assert_eq!(LinkType::from_code(code).unwrap(), LinkType::Raw);
        }
        assert_eq!(
            LinkType::from_code(147).unwrap_err().to_string(),
            "unsupported link type 147"
        );
    }

    #[test]
    fn cooked_headers_name_the_protocol() {
        let mut sll = vec![0, 4, 0, 1, 0, 6, 1, 2, 3, 4, 5, 6, 0, 0, 0x08, 0x06];
        assert_eq!(
            decapsulate(LinkType::LinuxSll, &sll),
            Some((Network::Arp, 16))
        );
        sll.truncate(15);
        assert_eq!(decapsulate(LinkType::LinuxSll, &sll), None);
        let mut sll2 = vec![0x08, 0x00, 0, 0, 0, 0, 0, 2, 0, 1, 4, 6];
        sll2.extend([0; 8]);
        assert_eq!(
            decapsulate(LinkType::LinuxSll2, &sll2),
            Some((Network::Ipv4, 20))
        );
        assert_eq!(decapsulate(LinkType::LinuxSll2, &sll2[..19]), None);
    }

    #[test]
    fn vlan_tag_is_skipped() {
        let mut frame = vec![0xff; 12];
        frame.extend([0x81, 0x00, 0x00, 0x05, 0x08, 0x00]);
        assert_eq!(
            decapsulate(LinkType::Ethernet, &frame),
            Some((Network::Ipv4, 18))
        );
        assert_eq!(decapsulate(LinkType::Ethernet, &frame[..17]), None);
    }
}
