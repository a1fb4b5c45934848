//! Splitting a capture into conversations: TCP connections (one per 4-tuple and incarnation),
//! UDP flows, ICMP exchanges and ARP exchanges, numbered in order of their first frame.
//!
//! # Endpoints and direction
//!
//! Every conversation has two endpoints, `a` and `b`, and each frame a [`Direction`]. For TCP,
//! `a` is the endpoint that opened: the sender of the conversation's first segment, unless that
//! segment is a SYN,ACK, whose receiver opened. For the others, `a` is the sender of the first
//! frame.
//!
//! # TCP incarnations (RFC 9293 §3.6.1, TIME-WAIT reuse; RFC 6191)
//!
//! A TCP segment joins the current conversation of its 4-tuple, except that it opens a new
//! incarnation (a new conversation of the same 4-tuple) when all of these hold:
//!
//! 1. it is a SYN without ACK;
//! 2. the current incarnation has ended: a RST was seen in it, or a FIN in each direction, or
//!    no segment of it was seen for longer than [`SplitConfig::quiet`] (default 2·MSL, 240 s,
//!    MSL being 2 minutes in RFC 9293 §3.4.2; a quiet connection may have been forgotten by
//!    both ends, or by the one that now opens again);
//! 3. its sequence number differs from the ISN its sender used in the current incarnation (the
//!    seq of the first SYN seen from that endpoint, if any): a SYN with the same ISN is a
//!    retransmission or a late duplicate of the old opening, and stays with it.
//!
//! A SYN that fails any of these stays in the current conversation, where the checker judges it
//! (a SYN in ESTABLISHED calls for a challenge ACK, RFC 5961 §4). The new incarnation's `a` is
//! the new SYN's sender, whichever side it was before.
//!
//! # ICMP
//!
//! Echo requests and replies form an exchange per address pair and identifier. An error
//! (destination unreachable, time exceeded) whose quoted datagram belongs to a conversation
//! already seen (its current incarnation, for TCP) is attached to that conversation with the
//! direction of the quoted datagram; an error that quotes nothing seen joins an exchange of the
//! errors between its two addresses. Other ICMP messages form an exchange per address pair and
//! type. ARP packets form an exchange per pair of protocol addresses (sender and target).

use super::Frame;
use super::packet::{Icmp, Ipv4, Packet, Tcp};
use crate::tcp::Seq;
use crate::wire::{icmp, ipv4::IpProtocol};
use std::collections::HashMap;
use std::fmt;
use std::net::{Ipv4Addr, SocketAddrV4};
use std::time::Duration;

/// Which endpoint of a conversation sent a frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Direction {
    /// Sent by endpoint `a`.
    FromA,
    /// Sent by endpoint `b`.
    FromB,
}

impl Direction {
    fn index(self) -> usize {
        match self {
            Direction::FromA => 0,
            Direction::FromB => 1,
        }
    }
}

/// Parameters of the split.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SplitConfig {
    /// How long a TCP connection may be silent before a SYN with a new ISN may start a new
    /// incarnation of its 4-tuple although it did not end with FINs or a RST.
    pub quiet: Duration,
}

impl Default for SplitConfig {
    /// 2·MSL, with RFC 9293 §3.4.2's MSL of 2 minutes.
    fn default() -> Self {
        SplitConfig {
            quiet: Duration::from_secs(240),
        }
    }
}

/// What kind of ICMP exchange.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IcmpKind {
    /// Echo requests and replies with this identifier.
    Echo {
        /// The identifier.
        ident: u16,
    },
    /// Errors whose quoted datagram belongs to no conversation seen.
    Errors,
    /// Other messages of this type.
    Other {
        /// The ICMP type.
        msg_type: u8,
    },
}

/// Where [`Splitter::assign`] put a frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Assignment {
    /// The conversation's index, in order of first frame from 0.
    pub conversation: usize,
    /// Who sent it; for an ICMP error attached to a flow, the direction of the datagram it
    /// quotes.
    pub direction: Direction,
    /// True if the frame opens the conversation.
    pub opens: bool,
    /// True for an ICMP error attached to the TCP, UDP or echo conversation it quotes.
    pub icmp_error: bool,
    /// For TCP, which incarnation of the 4-tuple (0 for the first); 0 otherwise.
    pub incarnation: u32,
}

/// Counts over a capture, for a one-line report.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Summary {
    /// Frames read.
    pub frames: u64,
    /// Frames the snapshot length cut.
    pub cut: u64,
    /// Frames with a bad IPv4, TCP, UDP or ICMP checksum.
    pub bad_checksums: u64,
    /// Frames that yield no packet.
    pub undecodable: u64,
    /// TCP connections (4-tuple and incarnation).
    pub tcp_connections: u64,
    /// TCP segments.
    pub tcp_segments: u64,
    /// UDP flows.
    pub udp_flows: u64,
    /// ICMP exchanges (errors attached to other conversations are not counted here).
    pub icmp_exchanges: u64,
    /// ARP exchanges.
    pub arp_exchanges: u64,
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} frames ({} undecodable, {} cut, {} with a bad checksum): {} TCP connections \
             ({} segments), {} UDP flows, {} ICMP exchanges, {} ARP exchanges",
            self.frames,
            self.undecodable,
            self.cut,
            self.bad_checksums,
            self.tcp_connections,
            self.tcp_segments,
            self.udp_flows,
            self.icmp_exchanges,
            self.arp_exchanges
        )
    }
}

/// What the splitter remembers of a TCP 4-tuple's current incarnation.
#[derive(Debug, Clone)]
struct TcpTrack {
    id: usize,
    a: SocketAddrV4,
    incarnation: u32,
    /// ISN of each direction: the seq of the first SYN seen from it.
    isn: [Option<Seq>; 2],
    fin: [bool; 2],
    rst: bool,
    last: Duration,
}

impl TcpTrack {
    fn ended(&self, now: Duration, quiet: Duration) -> bool {
        self.rst || self.fin == [true, true] || now.saturating_sub(self.last) > quiet
    }

    fn note(&mut self, direction: Direction, tcp: &Tcp, now: Duration) {
        let flags = tcp.repr.flags;
        let i = direction.index();
        if flags.syn() && self.isn[i].is_none() {
            self.isn[i] = Some(tcp.repr.seq);
        }
        self.fin[i] |= flags.fin();
        self.rst |= flags.rst();
        self.last = self.last.max(now);
    }
}

type FlowKey = (SocketAddrV4, SocketAddrV4);

fn flow_key(x: SocketAddrV4, y: SocketAddrV4) -> FlowKey {
    if x <= y { (x, y) } else { (y, x) }
}

fn pair(x: Ipv4Addr, y: Ipv4Addr) -> (Ipv4Addr, Ipv4Addr) {
    if x <= y { (x, y) } else { (y, x) }
}

/// Assigns frames to conversations, one at a time, remembering only a few fields per
/// conversation (not its frames).
#[derive(Debug, Clone, Default)]
pub struct Splitter {
    config: SplitConfig,
    tcp: HashMap<FlowKey, TcpTrack>,
    /// Conversation index and endpoint `a` of each UDP flow.
    udp: HashMap<FlowKey, (usize, SocketAddrV4)>,
    /// Conversation index and endpoint `a` of each ICMP exchange.
    icmp: HashMap<(Ipv4Addr, Ipv4Addr, IcmpKind), (usize, Ipv4Addr)>,
    /// Conversation index and endpoint `a` of each ARP exchange.
    arp: HashMap<(Ipv4Addr, Ipv4Addr), (usize, Ipv4Addr)>,
    conversations: usize,
    summary: Summary,
}

impl Splitter {
    /// A splitter with the given parameters.
    pub fn new(config: SplitConfig) -> Splitter {
        Splitter {
            config,
            ..Splitter::default()
        }
    }

    /// Forgets the conversations `ids`: a later packet of one of their flows opens a new
    /// conversation (a TCP segment other than a SYN then starts mid-connection). A streaming
    /// reader calls it for conversations long over, so that what the splitter holds follows
    /// the conversations of recent capture time, not the capture's length.
    pub fn forget(&mut self, ids: &std::collections::HashSet<usize>) {
        self.tcp.retain(|_, t| !ids.contains(&t.id));
        self.udp.retain(|_, (id, _)| !ids.contains(id));
        self.icmp.retain(|_, (id, _)| !ids.contains(id));
        self.arp.retain(|_, (id, _)| !ids.contains(id));
    }

    /// How many flows the splitter tracks.
    pub fn tracked(&self) -> usize {
        self.tcp.len() + self.udp.len() + self.icmp.len() + self.arp.len()
    }

    /// The counts so far.
    pub fn summary(&self) -> Summary {
        self.summary
    }

    /// The conversation of `frame` (frames must come in capture order); `None` for an
    /// undecodable frame.
    pub fn assign(&mut self, frame: &Frame) -> Option<Assignment> {
        self.summary.frames += 1;
        self.summary.cut += u64::from(frame.is_cut());
        self.summary.bad_checksums += u64::from(frame.packet.bad_checksum());
        let plain = |conversation, direction, opens| Assignment {
            conversation,
            direction,
            opens,
            icmp_error: false,
            incarnation: 0,
        };
        match &frame.packet {
            Packet::Tcp { ip, tcp } => Some(self.assign_tcp(ip, tcp, frame.timestamp)),
            Packet::Udp { ip, udp } => {
                let src = SocketAddrV4::new(ip.repr.src_addr, udp.repr.src_port);
                let dst = SocketAddrV4::new(ip.repr.dst_addr, udp.repr.dst_port);
                let (id, a, opens) = find_or_open(
                    &mut self.udp,
                    &mut self.conversations,
                    &mut self.summary.udp_flows,
                    flow_key(src, dst),
                    src,
                );
                Some(plain(id, direction(src == a), opens))
            }
            Packet::Icmp { ip, icmp } => Some(self.assign_icmp(ip, icmp)),
            Packet::Arp(repr) => {
                let (sender, target) = (repr.sender_protocol_addr, repr.target_protocol_addr);
                let key = pair(sender, target);
                let (id, a, opens) = find_or_open(
                    &mut self.arp,
                    &mut self.conversations,
                    &mut self.summary.arp_exchanges,
                    key,
                    sender,
                );
                Some(plain(id, direction(sender == a), opens))
            }
            Packet::Undecodable(_) => {
                self.summary.undecodable += 1;
                None
            }
        }
    }

    fn assign_tcp(&mut self, ip: &Ipv4, tcp: &Tcp, now: Duration) -> Assignment {
        self.summary.tcp_segments += 1;
        let src = SocketAddrV4::new(ip.repr.src_addr, tcp.repr.src_port);
        let dst = SocketAddrV4::new(ip.repr.dst_addr, tcp.repr.dst_port);
        let key = flow_key(src, dst);
        let flags = tcp.repr.flags;
        let opening = flags.syn() && !flags.ack();
        let mut incarnation = 0;
        if let Some(track) = self.tcp.get_mut(&key) {
            let dir = direction(src == track.a);
            let new_incarnation = opening
                && track.ended(now, self.config.quiet)
                && track.isn[dir.index()] != Some(tcp.repr.seq);
            if !new_incarnation {
                track.note(dir, tcp, now);
                return Assignment {
                    conversation: track.id,
                    direction: dir,
                    opens: false,
                    icmp_error: false,
                    incarnation: track.incarnation,
                };
            }
            incarnation = track.incarnation + 1;
        }
        let id = self.conversations;
        self.conversations += 1;
        self.summary.tcp_connections += 1;
        // A SYN,ACK's receiver is the one that opened.
        let a = if flags.syn() && flags.ack() { dst } else { src };
        let mut track = TcpTrack {
            id,
            a,
            incarnation,
            isn: [None; 2],
            fin: [false; 2],
            rst: false,
            last: now,
        };
        let dir = direction(src == a);
        track.note(dir, tcp, now);
        self.tcp.insert(key, track);
        Assignment {
            conversation: id,
            direction: dir,
            opens: true,
            icmp_error: false,
            incarnation,
        }
    }

    fn assign_icmp(&mut self, ip: &Ipv4, message: &Icmp) -> Assignment {
        let (src, dst) = (ip.repr.src_addr, ip.repr.dst_addr);
        let kind = match &message.repr {
            icmp::Repr::EchoRequest { ident, .. } | icmp::Repr::EchoReply { ident, .. } => {
                IcmpKind::Echo { ident: *ident }
            }
            icmp::Repr::DstUnreachable { invoking, .. }
            | icmp::Repr::TimeExceeded { invoking, .. } => {
                if let Some(found) = self.quoted(invoking) {
                    return found;
                }
                IcmpKind::Errors
            }
            icmp::Repr::Other { msg_type, .. } => IcmpKind::Other {
                msg_type: *msg_type,
            },
        };
        let (x, y) = pair(src, dst);
        let key = (x, y, kind);
        let (id, a, opens) = find_or_open(
            &mut self.icmp,
            &mut self.conversations,
            &mut self.summary.icmp_exchanges,
            key,
            src,
        );
        Assignment {
            conversation: id,
            direction: direction(src == a),
            opens,
            icmp_error: false,
            incarnation: 0,
        }
    }

    /// The conversation an ICMP error's quoted datagram belongs to, if it was seen.
    fn quoted(&self, invoking: &[u8]) -> Option<Assignment> {
        let quote = icmp::Quote::parse(invoking).ok()?;
        let src = SocketAddrV4::new(quote.src_addr, quote.src_port);
        let dst = SocketAddrV4::new(quote.dst_addr, quote.dst_port);
        let (conversation, from_a, incarnation) = match quote.protocol {
            IpProtocol::Tcp => {
                let track = self.tcp.get(&flow_key(src, dst))?;
                (track.id, src == track.a, track.incarnation)
            }
            IpProtocol::Udp => {
                let &(id, a) = self.udp.get(&flow_key(src, dst))?;
                (id, src == a, 0)
            }
            IpProtocol::Icmp => {
                // The quoted ICMP header: type and code, checksum, identifier, sequence number.
                let [msg_type, _] = quote.src_port.to_be_bytes();
                if msg_type != icmp::msg_type::ECHO_REQUEST
                    && msg_type != icmp::msg_type::ECHO_REPLY
                {
                    return None;
                }
                let ident = (quote.transport_word >> 16) as u16;
                let (x, y) = pair(quote.src_addr, quote.dst_addr);
                let &(id, a) = self.icmp.get(&(x, y, IcmpKind::Echo { ident }))?;
                (id, quote.src_addr == a, 0)
            }
            IpProtocol::Unknown(_) => return None,
        };
        Some(Assignment {
            conversation,
            direction: direction(from_a),
            opens: false,
            icmp_error: true,
            incarnation,
        })
    }
}

/// The conversation of `key` in `map`, opened (as the `next` one, with endpoint `a`) if new:
/// its index, its endpoint `a`, and whether it was opened now.
fn find_or_open<K: Eq + std::hash::Hash, A: Copy>(
    map: &mut HashMap<K, (usize, A)>,
    next: &mut usize,
    count: &mut u64,
    key: K,
    a: A,
) -> (usize, A, bool) {
    if let Some(&(id, a)) = map.get(&key) {
        return (id, a, false);
    }
    let id = *next;
    *next += 1;
    *count += 1;
    map.insert(key, (id, a));
    (id, a, true)
}

fn direction(from_a: bool) -> Direction {
    if from_a {
        Direction::FromA
    } else {
        Direction::FromB
    }
}
