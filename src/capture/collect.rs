//! A whole capture split into conversations and kept in memory, frames and all: what the
//! [`Splitter`] decides, recorded. For captures too long to hold, drive the splitter directly.

use super::conversation::{Assignment, Direction, IcmpKind, SplitConfig, Splitter, Summary};
use super::packet::{Icmp, Ipv4, Packet, Tcp, Udp, Undecodable};
use super::{Capture, Error, Frame};
use crate::wire::{arp, icmp};
use std::io::Read;
use std::net::{Ipv4Addr, SocketAddrV4};
use std::time::Duration;

/// A TCP segment of a connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Segment {
    /// Frame number.
    pub frame: u64,
    /// Capture time.
    pub timestamp: Duration,
    /// Who sent it.
    pub direction: Direction,
    /// Its IPv4 header.
    pub ip: Ipv4,
    /// The segment.
    pub tcp: Tcp,
}

/// A UDP datagram of a flow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Datagram {
    /// Frame number.
    pub frame: u64,
    /// Capture time.
    pub timestamp: Duration,
    /// Who sent it.
    pub direction: Direction,
    /// Its IPv4 header.
    pub ip: Ipv4,
    /// The datagram.
    pub udp: Udp,
}

/// An ICMP message of an exchange.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IcmpMessage {
    /// Frame number.
    pub frame: u64,
    /// Capture time.
    pub timestamp: Duration,
    /// Who sent it.
    pub direction: Direction,
    /// Its IPv4 header.
    pub ip: Ipv4,
    /// The message.
    pub icmp: Icmp,
}

/// An ICMP error attached to the conversation of the datagram it quotes; its sender may be
/// either endpoint or a router between them (`ip.src_addr`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IcmpError {
    /// Frame number.
    pub frame: u64,
    /// Capture time.
    pub timestamp: Duration,
    /// The direction of the quoted datagram (the error travels back to its sender).
    pub about: Direction,
    /// Its IPv4 header.
    pub ip: Ipv4,
    /// The message.
    pub icmp: Icmp,
}

/// An ARP packet of an exchange.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArpMessage {
    /// Frame number.
    pub frame: u64,
    /// Capture time.
    pub timestamp: Duration,
    /// Who sent it (by protocol address).
    pub direction: Direction,
    /// The packet.
    pub repr: arp::Repr,
}

/// One incarnation of a TCP connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TcpConversation {
    /// The endpoint that opened (see the module documentation).
    pub a: SocketAddrV4,
    /// The other endpoint.
    pub b: SocketAddrV4,
    /// Which incarnation of the 4-tuple, from 0.
    pub incarnation: u32,
    /// Its segments in capture order.
    pub segments: Vec<Segment>,
    /// ICMP errors quoting its segments, in capture order.
    pub icmp_errors: Vec<IcmpError>,
}

/// A UDP flow: the datagrams between two sockets, either way.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UdpFlow {
    /// The sender of the first datagram.
    pub a: SocketAddrV4,
    /// The other socket.
    pub b: SocketAddrV4,
    /// Its datagrams in capture order.
    pub datagrams: Vec<Datagram>,
    /// ICMP errors quoting its datagrams (port unreachable, ...), in capture order.
    pub icmp_errors: Vec<IcmpError>,
}

/// An ICMP exchange between two hosts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IcmpExchange {
    /// The sender of the first message.
    pub a: Ipv4Addr,
    /// The other host.
    pub b: Ipv4Addr,
    /// What the exchange is.
    pub kind: IcmpKind,
    /// Its messages in capture order.
    pub messages: Vec<IcmpMessage>,
    /// For an echo exchange, ICMP errors quoting its messages.
    pub icmp_errors: Vec<IcmpError>,
}

/// An ARP exchange: the packets between two protocol addresses, either way.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArpExchange {
    /// The sender of the first packet.
    pub a: Ipv4Addr,
    /// The other address (the same as `a` for gratuitous ARP).
    pub b: Ipv4Addr,
    /// Its packets in capture order.
    pub messages: Vec<ArpMessage>,
}

/// A conversation of any kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Conversation {
    /// A TCP connection (one incarnation).
    Tcp(TcpConversation),
    /// A UDP flow.
    Udp(UdpFlow),
    /// An ICMP exchange.
    Icmp(IcmpExchange),
    /// An ARP exchange.
    Arp(ArpExchange),
}

impl Conversation {
    /// The number of its first frame.
    pub fn first_frame(&self) -> u64 {
        match self {
            Conversation::Tcp(c) => c.segments[0].frame,
            Conversation::Udp(c) => c.datagrams[0].frame,
            Conversation::Icmp(c) => c.messages[0].frame,
            Conversation::Arp(c) => c.messages[0].frame,
        }
    }

    /// Records `packet`, of frame `number` captured at `timestamp`, which the splitter
    /// assigned to this conversation (`at`).
    pub(crate) fn add(&mut self, number: u64, timestamp: Duration, at: Assignment, packet: Packet) {
        let direction = at.direction;
        // The splitter assigns a packet only to a conversation of its own kind, or an ICMP
        // error to the conversation it quotes: no other pairing occurs.
        match (self, packet) {
            (c, Packet::Icmp { ip, icmp }) if at.icmp_error => {
                let error = IcmpError {
                    frame: number,
                    timestamp,
                    about: direction,
                    ip,
                    icmp,
                };
                match c {
                    Conversation::Tcp(c) => c.icmp_errors.push(error),
                    Conversation::Udp(c) => c.icmp_errors.push(error),
                    Conversation::Icmp(c) => c.icmp_errors.push(error),
                    Conversation::Arp(_) => {}
                }
            }
            (Conversation::Tcp(c), Packet::Tcp { ip, tcp }) => c.segments.push(Segment {
                frame: number,
                timestamp,
                direction,
                ip,
                tcp,
            }),
            (Conversation::Udp(c), Packet::Udp { ip, udp }) => c.datagrams.push(Datagram {
                frame: number,
                timestamp,
                direction,
                ip,
                udp,
            }),
            (Conversation::Icmp(c), Packet::Icmp { ip, icmp }) => c.messages.push(IcmpMessage {
                frame: number,
                timestamp,
                direction,
                ip,
                icmp,
            }),
            (Conversation::Arp(c), Packet::Arp(repr)) => c.messages.push(ArpMessage {
                frame: number,
                timestamp,
                direction,
                repr,
            }),
            _ => {}
        }
    }
}

/// A whole capture split into conversations, kept in memory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conversations {
    /// The conversations in order of their first frame.
    pub conversations: Vec<Conversation>,
    /// The frames that yield no packet: number and reason.
    pub undecodable: Vec<(u64, Undecodable)>,
    summary: Summary,
}

impl Conversations {
    /// Splits `frames` (in capture order) with the default [`SplitConfig`].
    pub fn collect(frames: impl IntoIterator<Item = Frame>) -> Conversations {
        Conversations::collect_with(SplitConfig::default(), frames)
    }

    /// Splits `frames` (in capture order) with `config`.
    pub fn collect_with(
        config: SplitConfig,
        frames: impl IntoIterator<Item = Frame>,
    ) -> Conversations {
        let mut builder = Builder::new(config);
        for frame in frames {
            builder.push(frame);
        }
        builder.finish()
    }

    /// Reads a whole capture and splits it with `config`; stops at the file's first error.
    pub fn read<R: Read>(capture: Capture<R>, config: SplitConfig) -> Result<Conversations, Error> {
        let mut builder = Builder::new(config);
        for frame in capture {
            builder.push(frame?);
        }
        Ok(builder.finish())
    }

    /// The counts: frames, conversations of each kind, undecodable frames.
    pub fn summary(&self) -> Summary {
        self.summary
    }

    /// The TCP connections, in order of first frame.
    pub fn tcp(&self) -> impl Iterator<Item = &TcpConversation> {
        self.conversations.iter().filter_map(|c| match c {
            Conversation::Tcp(t) => Some(t),
            _ => None,
        })
    }
}

struct Builder {
    splitter: Splitter,
    conversations: Vec<Conversation>,
    undecodable: Vec<(u64, Undecodable)>,
}

impl Builder {
    fn new(config: SplitConfig) -> Builder {
        Builder {
            splitter: Splitter::new(config),
            conversations: Vec::new(),
            undecodable: Vec::new(),
        }
    }

    fn push(&mut self, frame: Frame) {
        let Some(at) = self.splitter.assign(&frame) else {
            if let Packet::Undecodable(why) = frame.packet {
                self.undecodable.push((frame.number, why));
            }
            return;
        };
        let (number, timestamp) = (frame.number, frame.timestamp);
        if at.opens {
            self.conversations.extend(open(&frame, at));
        }
        let Some(conversation) = self.conversations.get_mut(at.conversation) else {
            return;
        };
        conversation.add(number, timestamp, at, frame.packet);
    }

    fn finish(self) -> Conversations {
        Conversations {
            conversations: self.conversations,
            undecodable: self.undecodable,
            summary: self.splitter.summary(),
        }
    }
}

/// An empty conversation for the frame that opens it (`None` for an undecodable frame, which
/// opens none).
pub(crate) fn open(frame: &Frame, at: Assignment) -> Option<Conversation> {
    let from_a = at.direction == Direction::FromA;
    let ends = |src, dst| if from_a { (src, dst) } else { (dst, src) };
    match &frame.packet {
        Packet::Tcp { ip, tcp } => {
            let (a, b) = ends(
                SocketAddrV4::new(ip.repr.src_addr, tcp.repr.src_port),
                SocketAddrV4::new(ip.repr.dst_addr, tcp.repr.dst_port),
            );
            Some(Conversation::Tcp(TcpConversation {
                a,
                b,
                incarnation: at.incarnation,
                segments: Vec::new(),
                icmp_errors: Vec::new(),
            }))
        }
        Packet::Udp { ip, udp } => {
            let (a, b) = ends(
                SocketAddrV4::new(ip.repr.src_addr, udp.repr.src_port),
                SocketAddrV4::new(ip.repr.dst_addr, udp.repr.dst_port),
            );
            Some(Conversation::Udp(UdpFlow {
                a,
                b,
                datagrams: Vec::new(),
                icmp_errors: Vec::new(),
            }))
        }
        Packet::Icmp { ip, icmp } => {
            let kind = match &icmp.repr {
                icmp::Repr::EchoRequest { ident, .. } | icmp::Repr::EchoReply { ident, .. } => {
                    IcmpKind::Echo { ident: *ident }
                }
                icmp::Repr::Other { msg_type, .. } => IcmpKind::Other {
                    msg_type: *msg_type,
                },
                _ => IcmpKind::Errors,
            };
            Some(Conversation::Icmp(IcmpExchange {
                a: ip.repr.src_addr,
                b: ip.repr.dst_addr,
                kind,
                messages: Vec::new(),
                icmp_errors: Vec::new(),
            }))
        }
        Packet::Arp(repr) => Some(Conversation::Arp(ArpExchange {
            a: repr.sender_protocol_addr,
            b: repr.target_protocol_addr,
            messages: Vec::new(),
        })),
        Packet::Undecodable(_) => None,
    }
}
