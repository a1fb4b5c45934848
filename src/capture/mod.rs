//! Reading packet captures: pcap and pcapng files, their frames decoded by the crate's codecs,
//! and the frames split into conversations (TCP connections, UDP flows, ICMP and ARP
//! exchanges). This is what `tcpip-spec conform` judges; it decides nothing itself.
//!
//! - [`Capture`] streams [`Frame`]s out of a file or any reader, in file order, numbered from 1
//!   as Wireshark numbers them; memory does not grow with the file.
//! - Each frame's [`Packet`] is decoded as a witness would read it: a bad checksum is a recorded
//!   fact (checksum offload on the capturing host), a frame cut by the snapshot length still
//!   yields its headers, and whatever cannot be read is [`Packet::Undecodable`] with the reason.
//! - [`Splitter`] assigns frames to conversations one at a time (memory grows with the number
//!   of conversations, not of frames); [`Conversations::collect`] keeps every conversation's
//!   frames, for small captures and tests.
//! - A file that cannot be read is an [`Error`] with a one-line message; no input makes this
//!   module panic.
//!
//! ```
//! use std::time::Duration;
//! use tcpip_spec::capture::{Capture, Conversations, Packet};
//! use tcpip_spec::stack::pcap::{LinkType, to_bytes};
//!
//! // A file with one frame that is not IPv4: read, numbered, and reported as undecodable.
//! let file = to_bytes(LinkType::RawIp, &[(Duration::from_secs(1), vec![0x60; 40])]);
//! let frames: Vec<_> = Capture::from_bytes(&file)?.collect::<Result<_, _>>()?;
//! assert_eq!(frames[0].number, 1);
//! assert!(matches!(frames[0].packet, Packet::Undecodable(_)));
//! let summary = Conversations::collect(frames).summary();
//! assert_eq!(summary.undecodable, 1);
//!
//! assert_eq!(
//!     Capture::from_bytes(b"hello, world").unwrap_err().to_string(),
//!     "not a pcap or pcapng file"
//! );
//! # Ok::<(), tcpip_spec::capture::Error>(())
//! ```

mod collect;
mod container;
mod conversation;
mod link;
mod packet;

pub(crate) use collect::open;
pub use collect::{
    ArpExchange, ArpMessage, Conversation, Conversations, Datagram, IcmpError, IcmpExchange,
    IcmpMessage, Segment, TcpConversation, UdpFlow,
};
pub use conversation::{Assignment, Direction, IcmpKind, SplitConfig, Splitter, Summary};
pub use link::LinkType;
pub use packet::{Checksum, Icmp, Ipv4, Packet, Tcp, Udp, Undecodable};

use std::fmt;
use std::fs::File;
use std::io::{BufReader, Read};
use std::path::Path;
use std::time::Duration;

/// Why a capture file cannot be read (further).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    file: Option<String>,
    kind: ErrorKind,
}

/// What is wrong with a capture file.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The first bytes are neither a pcap magic number nor a pcapng Section Header Block.
    NotACapture,
    /// The file ends inside a header, record or block that starts at `offset`.
    Truncated {
        /// What was cut ("pcap record", "pcapng block", ...).
        what: &'static str,
        /// Byte offset of its first byte.
        offset: u64,
    },
    /// A header, record or block at `offset` breaks its format's rules.
    Malformed {
        /// What is wrong, as "thing (detail)".
        what: &'static str,
        /// Byte offset of the record or block.
        offset: u64,
    },
    /// A link type (LINKTYPE_ number) whose frames this module cannot decode.
    UnsupportedLinkType(u32),
    /// Reading failed (the operating system's message).
    Io(String),
}

impl Error {
    pub(crate) fn new(kind: ErrorKind) -> Error {
        Error { file: None, kind }
    }

    /// What is wrong.
    pub fn kind(&self) -> &ErrorKind {
        &self.kind
    }

    /// The file's name, if the capture was opened from a path (or named).
    pub fn file(&self) -> Option<&str> {
        self.file.as_deref()
    }

    fn in_file(mut self, name: Option<&str>) -> Error {
        if self.file.is_none() {
            self.file = name.map(str::to_owned);
        }
        self
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(file) = &self.file {
            write!(f, "{file}: ")?;
        }
        match &self.kind {
            ErrorKind::NotACapture => f.write_str("not a pcap or pcapng file"),
            ErrorKind::Truncated { what, offset } => {
                write!(f, "truncated {what} at offset {offset}")
            }
            ErrorKind::Malformed { what, offset } => {
                write!(f, "malformed {what} at offset {offset}")
            }
            ErrorKind::UnsupportedLinkType(code) => write!(f, "unsupported link type {code}"),
            ErrorKind::Io(message) => write!(f, "read error: {message}"),
        }
    }
}

impl std::error::Error for Error {}

/// One captured frame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame {
    /// Position in the file, from 1 (Wireshark's frame number).
    pub number: u64,
    /// Capture time since the Unix epoch (zero for a pcapng Simple Packet Block, which has
    /// none).
    pub timestamp: Duration,
    /// The interface it was captured on: 0 in a pcap file; in a pcapng file the index of its
    /// Interface Description Block counted over the whole file, across sections.
    pub interface: u32,
    /// The interface's link type.
    pub link: LinkType,
    /// Bytes captured.
    pub captured_len: usize,
    /// Length of the frame on the wire.
    pub original_len: usize,
    /// What it carries.
    pub packet: Packet,
}

impl Frame {
    /// True if the snapshot length cut the frame (a headers-only capture).
    pub fn is_cut(&self) -> bool {
        self.captured_len < self.original_len
    }
}

/// A capture being read: an iterator of frames, which stops after the first error.
#[derive(Debug)]
pub struct Capture<R: Read> {
    reader: container::Reader<R>,
    name: Option<String>,
    frames: u64,
    failed: bool,
}

impl Capture<BufReader<File>> {
    /// Opens a capture file; errors name the file as given.
    pub fn open(path: impl AsRef<Path>) -> Result<Self, Error> {
        let path = path.as_ref();
        let name = path.display().to_string();
        let file = File::open(path)
            .map_err(|e| Error::new(ErrorKind::Io(e.to_string())).in_file(Some(&name)))?;
        Capture::named(BufReader::with_capacity(1 << 16, file), &name)
    }
}

impl<'a> Capture<&'a [u8]> {
    /// Reads a capture held in memory.
    pub fn from_bytes(bytes: &'a [u8]) -> Result<Self, Error> {
        Capture::new(bytes)
    }
}

impl<R: Read> Capture<R> {
    /// Reads a capture from `input` (buffer it: records are read in small pieces).
    pub fn new(input: R) -> Result<Self, Error> {
        Ok(Capture {
            reader: container::Reader::new(input)?,
            name: None,
            frames: 0,
            failed: false,
        })
    }

    /// Reads a capture from `input`, naming it `name` in errors.
    pub fn named(input: R, name: &str) -> Result<Self, Error> {
        let mut capture = Capture::new(input).map_err(|e| e.in_file(Some(name)))?;
        capture.name = Some(name.to_owned());
        Ok(capture)
    }

    /// The next frame, `None` at the end of the file.
    pub fn next_frame(&mut self) -> Result<Option<Frame>, Error> {
        let Some(record) = self
            .reader
            .next_record()
            .map_err(|e| e.in_file(self.name.as_deref()))?
        else {
            return Ok(None);
        };
        self.frames += 1;
        Ok(Some(Frame {
            number: self.frames,
            timestamp: record.timestamp,
            interface: record.interface,
            link: record.link,
            captured_len: record.data.len(),
            original_len: record.original_len,
            packet: packet::decode(record.link, &record.data, record.original_len),
        }))
    }
}

impl<R: Read> Iterator for Capture<R> {
    type Item = Result<Frame, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed {
            return None;
        }
        let next = self.next_frame().transpose();
        self.failed = matches!(next, Some(Err(_)));
        next
    }
}
