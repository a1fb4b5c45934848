//! The segment as the connection machine sees it: the header fields that RFC 9293 §3.10
//! reads (SEQ, ACK, CTL, WND), the options a connection acts on (MSS, RFC 7323 window scale
//! and timestamps, RFC 2018 SACK-permitted) and the text. Ports belong to the wire codec and
//! the demultiplexer; they never change a transition of one connection.

use super::sack::SackBlocks;
use super::seq::Seq;
pub use crate::wire::tcp::Timestamps;
use serde::Serialize;
use std::fmt;
use std::ops::{BitOr, BitOrAssign};

/// Control bits: the eight of byte 13 of the header (RFC 9293 §3.1; ECE and CWR from RFC
/// 3168), one type for the codec (`wire::tcp::Ctl`) and the rules. The connection machine
/// acts on SYN, ACK, FIN and RST and ignores the others.
#[derive(Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Ctl(pub u8);

impl Ctl {
    /// No control bits.
    pub const NONE: Ctl = Ctl(0);

    /// No more data from sender.
    pub const FIN: Ctl = Ctl(0x01);
    /// Synchronize sequence numbers.
    pub const SYN: Ctl = Ctl(0x02);
    /// Reset the connection.
    pub const RST: Ctl = Ctl(0x04);
    /// Push function.
    pub const PSH: Ctl = Ctl(0x08);
    /// Acknowledgment field is significant.
    pub const ACK: Ctl = Ctl(0x10);
    /// Urgent pointer field is significant.
    pub const URG: Ctl = Ctl(0x20);
    /// ECN-Echo (RFC 3168).
    pub const ECE: Ctl = Ctl(0x40);
    /// Congestion window reduced (RFC 3168).
    pub const CWR: Ctl = Ctl(0x80);

    const NAMES: [(Ctl, &'static str); 8] = [
        (Ctl::CWR, "CWR"),
        (Ctl::ECE, "ECE"),
        (Ctl::URG, "URG"),
        (Ctl::SYN, "SYN"),
        (Ctl::FIN, "FIN"),
        (Ctl::RST, "RST"),
        (Ctl::PSH, "PSH"),
        (Ctl::ACK, "ACK"),
    ];

    /// No bit set.
    pub const fn empty() -> Ctl {
        Ctl(0)
    }

    /// True if every bit of `other` is set here.
    /// Whether every bit of `other` is set (as [`contains`](Self::contains)).
    pub const fn has(self, other: Ctl) -> bool {
        self.contains(other)
    }

    /// Whether every bit of `other` is set.
    pub const fn contains(self, other: Ctl) -> bool {
        self.0 & other.0 == other.0
    }

    /// These flags with the bits of `other` cleared.
    pub const fn without(self, other: Ctl) -> Ctl {
        Ctl(self.0 & !other.0)
    }

    /// FIN is set.
    pub const fn fin(self) -> bool {
        self.contains(Ctl::FIN)
    }

    /// SYN is set.
    pub const fn syn(self) -> bool {
        self.contains(Ctl::SYN)
    }

    /// RST is set.
    pub const fn rst(self) -> bool {
        self.contains(Ctl::RST)
    }

    /// PSH is set.
    pub const fn psh(self) -> bool {
        self.contains(Ctl::PSH)
    }

    /// ACK is set.
    pub const fn ack(self) -> bool {
        self.contains(Ctl::ACK)
    }

    /// URG is set.
    pub const fn urg(self) -> bool {
        self.contains(Ctl::URG)
    }
}

impl BitOr for Ctl {
    type Output = Ctl;
    fn bitor(self, rhs: Ctl) -> Ctl {
        Ctl(self.0 | rhs.0)
    }
}

impl BitOrAssign for Ctl {
    fn bitor_assign(&mut self, rhs: Ctl) {
        self.0 |= rhs.0;
    }
}

/// Comma-separated names as in the `<CTL=SYN,ACK>` notation of RFC 9293's figures, in the order
/// those figures use; `-` when no bit is set.
impl fmt::Display for Ctl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut first = true;
        for (flag, name) in Self::NAMES {
            if self.contains(flag) {
                if !first {
                    f.write_str(",")?;
                }
                f.write_str(name)?;
                first = false;
            }
        }
        if first {
            f.write_str("-")?;
        }
        Ok(())
    }
}

impl fmt::Debug for Ctl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Ctl({self})")
    }
}

/// A segment: what §3.10.7 calls SEG.SEQ, SEG.ACK, the control bits, SEG.WND and the text.
#[derive(Clone, PartialEq, Eq, Hash, Default, Serialize)]
pub struct Segment {
    /// SEG.SEQ: the first sequence number of the segment.
    pub seq: Seq,
    /// SEG.ACK: significant only when `ctl` has ACK.
    pub ack: Seq,
    /// Control bits.
    pub ctl: Ctl,
    /// SEG.WND: the sender's receive window.
    pub wnd: u16,
    /// The Maximum Segment Size option (RFC 9293 §3.7.1), sent only on a SYN.
    pub mss: Option<u16>,
    /// The other options a connection acts on.
    pub opt: Options,
    /// The text (data) of the segment.
    pub data: Vec<u8>,
}

/// The options of RFC 7323 and RFC 2018 as a connection reads and writes them; all absent by
/// default, which is a segment of RFC 9293 alone.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Debug, Serialize)]
pub struct Options {
    /// Window scale (RFC 7323 §2.2): the shift count the sender will apply to the windows it
    /// offers, carried only on a SYN.
    pub window_scale: Option<u8>,
    /// SACK-permitted (RFC 2018 §2), carried only on a SYN.
    pub sack_permitted: bool,
    /// Timestamps (RFC 7323 §3): TSval, and TSecr (meaningful only with ACK).
    pub timestamps: Option<Timestamps>,
    /// SACK blocks (RFC 2018 §3; a D-SACK block first, RFC 2883), on an ACK.
    pub sack: SackBlocks,
}

impl Segment {
    /// A segment without text.
    pub fn control(seq: Seq, ack: Seq, ctl: Ctl, wnd: u16) -> Segment {
        Segment {
            seq,
            ack,
            ctl,
            wnd,
            mss: None,
            opt: Options::default(),
            data: Vec::new(),
        }
    }

    /// `<SEQ=seq><ACK=ack><CTL=ACK><DATA=text>`: text with an acknowledgment, as every
    /// synchronized endpoint sends it.
    ///
    /// ```
    /// use tcpip_spec::tcp::{Segment, Seq};
    /// let s = Segment::text(Seq(101), Seq(301), 1000, b"hi");
    /// assert_eq!(s.to_string(), "<SEQ=101><ACK=301><CTL=ACK><DATA=hi>");
    /// ```
    pub fn text(seq: Seq, ack: Seq, wnd: u16, text: &[u8]) -> Segment {
        Segment {
            data: text.to_vec(),
            ..Segment::control(seq, ack, Ctl::ACK, wnd)
        }
    }

    /// The same segment with other control bits (`Segment::text(..).with_ctl(Ctl::ACK |
    /// Ctl::FIN)` is text with a FIN).
    pub fn with_ctl(self, ctl: Ctl) -> Segment {
        Segment { ctl, ..self }
    }

    /// SEG.LEN: octets of text plus one for SYN and one for FIN (RFC 9293 §3.4).
    ///
    /// `syn_occupies` is the mechanism T3: when false, a SYN occupies no sequence number.
    pub fn len_with(&self, syn_occupies: bool) -> u32 {
        SegmentRef::from(self).len_with(syn_occupies)
    }

    /// Whether a control bit is set.
    pub fn has(&self, c: Ctl) -> bool {
        self.ctl.has(c)
    }

    /// A key for storing segments in sorted containers (raw numeric order, no meaning in
    /// sequence space).
    pub fn sort_key(&self) -> (u32, u32, Ctl, u16, Option<u16>, Options, &[u8]) {
        (
            self.seq.0, self.ack.0, self.ctl, self.wnd, self.mss, self.opt, &self.data,
        )
    }
}

/// A segment whose text is borrowed: what an arriving segment is to the connection machine.
/// Every rule that reads an arriving segment takes one (a `&Segment` converts), so that a host
/// can hand over the text where it lies in the packet received, without copying it first.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct SegmentRef<'a> {
    /// SEG.SEQ: the first sequence number of the segment.
    pub seq: Seq,
    /// SEG.ACK: significant only when `ctl` has ACK.
    pub ack: Seq,
    /// Control bits.
    pub ctl: Ctl,
    /// SEG.WND: the sender's receive window.
    pub wnd: u16,
    /// The Maximum Segment Size option, if the segment carried one.
    pub mss: Option<u16>,
    /// The other options a connection acts on.
    pub opt: Options,
    /// The text (data) of the segment.
    pub data: &'a [u8],
}

impl<'a> From<&'a Segment> for SegmentRef<'a> {
    fn from(s: &'a Segment) -> SegmentRef<'a> {
        SegmentRef {
            seq: s.seq,
            ack: s.ack,
            ctl: s.ctl,
            wnd: s.wnd,
            mss: s.mss,
            opt: s.opt,
            data: &s.data,
        }
    }
}

impl SegmentRef<'_> {
    /// SEG.LEN: octets of text plus one for SYN and one for FIN (RFC 9293 §3.4).
    ///
    /// `syn_occupies` is the mechanism T3: when false, a SYN occupies no sequence number.
    pub fn len_with(&self, syn_occupies: bool) -> u32 {
        self.data.len() as u32
            + u32::from(self.ctl.has(Ctl::SYN) && syn_occupies)
            + u32::from(self.ctl.has(Ctl::FIN))
    }

    /// Whether a control bit is set.
    pub fn has(&self, c: Ctl) -> bool {
        self.ctl.has(c)
    }
}

impl PartialOrd for Segment {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Segment {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.sort_key().cmp(&other.sort_key())
    }
}

/// RFC 9293 figure notation: `<SEQ=100><ACK=301><CTL=SYN,ACK><DATA=..>`.
impl fmt::Display for Segment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&SegmentRef::from(self), f)
    }
}

impl fmt::Debug for Segment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// RFC 9293 figure notation, as for [`Segment`].
impl fmt::Display for SegmentRef<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "<SEQ={}>", self.seq)?;
        if self.has(Ctl::ACK) {
            write!(f, "<ACK={}>", self.ack)?;
        }
        if self.ctl != Ctl::NONE {
            write!(f, "<CTL={}>", self.ctl)?;
        }
        if let Some(ts) = self.opt.timestamps {
            write!(f, "<TS={},{}>", ts.tsval, ts.tsecr)?;
        }
        if !self.opt.sack.is_empty() {
            f.write_str("<SACK=")?;
            for (i, (l, r)) in self.opt.sack.iter().enumerate() {
                let sep = if i == 0 { "" } else { "," };
                write!(f, "{sep}{l}-{r}")?;
            }
            f.write_str(">")?;
        }
        if !self.data.is_empty() {
            f.write_str("<DATA=")?;
            for b in self.data {
                if b.is_ascii_graphic() {
                    write!(f, "{}", *b as char)?;
                } else {
                    write!(f, "\\x{b:02x}")?;
                }
            }
            f.write_str(">")?;
        }
        Ok(())
    }
}

impl fmt::Debug for SegmentRef<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn syn_and_fin_each_occupy_one_number() {
        let s = Segment {
            ctl: Ctl::SYN | Ctl::FIN,
            data: b"ab".to_vec(),
            ..Default::default()
        };
        assert_eq!(s.len_with(true), 4);
        assert_eq!(s.len_with(false), 3);
    }

    #[test]
    fn displays_in_rfc_figure_notation() {
        let s = Segment::control(Seq(300), Seq(101), Ctl::SYN | Ctl::ACK, 0);
        assert_eq!(s.to_string(), "<SEQ=300><ACK=101><CTL=SYN,ACK>");
        let d = Segment {
            seq: Seq(1),
            data: b"x".to_vec(),
            ..Default::default()
        };
        assert_eq!(d.to_string(), "<SEQ=1><DATA=x>");
    }

    #[test]
    fn a_borrowed_segment_reads_as_the_segment() {
        let s = Segment {
            seq: Seq(7),
            ack: Seq(9),
            ctl: Ctl::ACK | Ctl::FIN,
            wnd: 5,
            mss: None,
            opt: Options::default(),
            data: b"ab".to_vec(),
        };
        let r = SegmentRef::from(&s);
        assert_eq!(r.to_string(), "<SEQ=7><ACK=9><CTL=FIN,ACK><DATA=ab>");
        assert_eq!(r.len_with(true), 3);
        assert!(r.has(Ctl::FIN) && !r.has(Ctl::SYN));
    }
}
