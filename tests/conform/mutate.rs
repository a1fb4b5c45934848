//! A mutation generator for pcap files: edits one field of one frame's TCP header in place,
//! so that a capture that conforms becomes one that must not (or, for the checksum, one
//! whose segments are unchanged). Classic pcap of either byte order, Ethernet or raw IPv4.
#![allow(dead_code)]

use std::net::SocketAddrV4;
use tcpip_spec::capture::{Capture, Conversations, Packet, SplitConfig};
use tcpip_spec::conform::{self, Endpoint, Options, Profile, Report, Verdict};

/// A TCP segment of a file: frame number and the fields a mutation picks it by.
#[derive(Debug, Clone)]
pub struct Seen {
    pub frame: u64,
    pub src: SocketAddrV4,
    pub flags: tcpip_spec::tcp::Ctl,
    pub seq: u32,
    pub ack: u32,
    pub window: u16,
    pub len: usize,
}

/// Every TCP segment of `file`, in order.
pub fn segments(file: &[u8]) -> Vec<Seen> {
    Capture::from_bytes(file)
        .unwrap()
        .map(|f| f.unwrap())
        .filter_map(|f| match f.packet {
            Packet::Tcp { ip, tcp } => Some(Seen {
                frame: f.number,
                src: SocketAddrV4::new(ip.repr.src_addr, tcp.repr.src_port),
                flags: tcp.repr.flags,
                seq: tcp.repr.seq.0,
                ack: tcp.repr.ack.0,
                window: tcp.repr.window,
                len: tcp.repr.payload_len,
            }),
            _ => None,
        })
        .collect()
}

/// One field of a TCP header.
#[derive(Debug, Clone, Copy)]
pub enum Mutation {
    /// Adds to the acknowledgment number.
    AddAck(u32),
    /// Adds to the sequence number.
    AddSeq(u32),
    /// Clears control bits.
    ClearFlags(u8),
    /// Sets the window field.
    Window(u16),
    /// Flips bits of the checksum.
    Checksum,
    /// Sets control bits.
    SetFlags(u8),
    /// Flips the first octet of the text.
    Text,
}

/// `file` with `m` applied to the TCP header of frame `frame` (numbered from 1).
pub fn mutate(file: &[u8], frame: u64, m: Mutation) -> Vec<u8> {
    edit_frame(file, frame, |ip| {
        let ihl = usize::from(ip[0] & 0x0f) * 4;
        let t = &mut ip[ihl..];
        let add = |t: &mut [u8], i: usize, k: u32| {
            let v = u32::from_be_bytes([t[i], t[i + 1], t[i + 2], t[i + 3]]).wrapping_add(k);
            t[i..i + 4].copy_from_slice(&v.to_be_bytes());
        };
        match m {
            Mutation::AddSeq(k) => add(t, 4, k),
            Mutation::AddAck(k) => add(t, 8, k),
            Mutation::ClearFlags(bits) => t[13] &= !bits,
            Mutation::Window(w) => t[14..16].copy_from_slice(&w.to_be_bytes()),
            Mutation::Checksum => t[16] ^= 0x5a,
            Mutation::SetFlags(bits) => t[13] |= bits,
            Mutation::Text => {
                let offset = usize::from(t[12] >> 4) * 4;
                t[offset] ^= 0xff;
            }
        }
    })
}

/// Judges a file.
pub fn judge(file: &[u8], profile: Profile) -> Report {
    let split =
        Conversations::read(Capture::from_bytes(file).unwrap(), SplitConfig::default()).unwrap();
    conform::judge(
        &split,
        Options {
            profile,
            ..Options::default()
        },
    )
}

/// A verdict per endpoint as text, for assertion messages.
pub fn show(r: &Report) -> String {
    r.endpoints
        .iter()
        .map(|e: &Endpoint| {
            let v = match &e.verdict {
                Verdict::Violates(v) => format!(
                    "violates at {} ({}; {})\n{}",
                    v.frame,
                    v.segment,
                    v.rule,
                    e.ladder.join("\n")
                ),
                other => format!("{other:?}"),
            };
            format!("{} {} {}: {v}", e.kind.name(), e.conversation, e.endpoint)
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Asserts that every endpoint conforms.
pub fn assert_conforms(file: &[u8], profile: Profile) -> Report {
    let r = judge(file, profile);
    assert!(
        r.endpoints.iter().all(|e| e.verdict == Verdict::Conforms),
        "{}",
        show(&r)
    );
    r
}

/// The frame of the first violation of the report, if any.
pub fn first_violation(r: &Report) -> Option<u64> {
    r.endpoints
        .iter()
        .filter_map(|e| match &e.verdict {
            Verdict::Violates(v) => Some(v.frame),
            _ => None,
        })
        .min()
}

/// `file` without the frames whose numbers `drop` says (classic pcap, any byte order).
pub fn without_frames(file: &[u8], drop: impl Fn(u64) -> bool) -> Vec<u8> {
    let le = file[0] == 0xd4 || file[0] == 0x4d;
    let incl = |i: usize| {
        let x = [file[i], file[i + 1], file[i + 2], file[i + 3]];
        if le {
            u32::from_le_bytes(x)
        } else {
            u32::from_be_bytes(x)
        }
    };
    let mut out = file[..24].to_vec();
    let (mut at, mut n) = (24, 0);
    while at + 16 <= file.len() {
        let end = at + 16 + incl(at + 8) as usize;
        n += 1;
        if !drop(n) {
            out.extend_from_slice(&file[at..end]);
        }
        at = end;
    }
    out
}

/// `file` with the network-layer bytes of frame `frame` (the IPv4 datagram or ARP packet
/// after the link header) given to `edit`, which may change their length: the record's
/// lengths follow. Classic pcap of either byte order, Ethernet or raw IPv4.
pub fn edit_frame(file: &[u8], frame: u64, edit: impl FnOnce(&mut Vec<u8>)) -> Vec<u8> {
    let le = match &file[..4] {
        [0xd4, 0xc3, 0xb2, 0xa1] | [0x4d, 0x3c, 0xb2, 0xa1] => true,
        [0xa1, 0xb2, 0xc3, 0xd4] | [0xa1, 0xb2, 0x3c, 0x4d] => false,
        _ => panic!("not a classic pcap file"),
    };
    let u32_at = |b: &[u8], i: usize| {
        let x = [b[i], b[i + 1], b[i + 2], b[i + 3]];
        if le {
            u32::from_le_bytes(x)
        } else {
            u32::from_be_bytes(x)
        }
    };
    let put = |v: u32| if le { v.to_le_bytes() } else { v.to_be_bytes() };
    let link_header = match u32_at(file, 20) & 0xffff {
        1 => 14,
        101 | 228 => 0,
        113 => 16,
        other => panic!("link type {other}"),
    };
    let mut edit = Some(edit);
    let mut out = file[..24].to_vec();
    let (mut at, mut n) = (24, 0);
    while at + 16 <= file.len() {
        let incl = u32_at(file, at + 8) as usize;
        let orig = u32_at(file, at + 12);
        let end = at + 16 + incl;
        n += 1;
        if n == frame {
            let data = &file[at + 16..end];
            let mut net = data[link_header..].to_vec();
            let before = net.len();
            (edit.take().unwrap())(&mut net);
            let grown = net.len() as i64 - before as i64;
            out.extend_from_slice(&file[at..at + 8]);
            out.extend_from_slice(&put((incl as i64 + grown) as u32));
            out.extend_from_slice(&put((i64::from(orig) + grown) as u32));
            out.extend_from_slice(&data[..link_header]);
            out.extend_from_slice(&net);
        } else {
            out.extend_from_slice(&file[at..end]);
        }
        at = end;
    }
    assert!(n >= frame, "no frame {frame}");
    out
}

/// `file` with `n` octets of text appended to the TCP segment of frame `frame` (the IPv4
/// total length follows; the checksum is left, as offload leaves it).
pub fn append_text(file: &[u8], frame: u64, n: usize) -> Vec<u8> {
    edit_frame(file, frame, |ip| {
        ip.extend(std::iter::repeat_n(0x41, n));
        let total = u16::try_from(ip.len()).unwrap();
        ip[2..4].copy_from_slice(&total.to_be_bytes());
    })
}

/// Every frame of `file` with its number and network-layer bytes.
pub fn frames(file: &[u8]) -> Vec<(u64, Packet)> {
    Capture::from_bytes(file)
        .unwrap()
        .map(|f| f.unwrap())
        .map(|f| (f.number, f.packet))
        .collect()
}
