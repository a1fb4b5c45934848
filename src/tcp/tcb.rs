//! The transmission control block (RFC 9293 §3.3.1) and what a transition hands back.
//!
//! A [`Tcb`] in state `Closed` is the RFC's "no TCB": every field but the state is reset. The
//! variables carry the RFC's names. The retransmission queue is the prefix of `send_buf` that
//! lies between SND.UNA and SND.NXT; the rest of `send_buf` is queued, not yet sent.

use super::mechanisms::{Config, Mechanism};
use super::reassembly::Reassembly;
use super::segment::{Ctl, Options, Segment, Timestamps};
use super::seq::Seq;
use super::state::State;
use serde::Serialize;
use std::collections::VecDeque;

/// Spare capacity of the text of every segment built from the send buffer: room for an
/// IPv4 and a TCP header without options (20 + 20 octets), so that a host can write the
/// headers in front of the text in the same allocation instead of copying the text into a new
/// one. Capacity only: no rule reads it, and segments compare equal whatever it is.
pub const TEXT_HEADROOM: usize = 40;

/// A connection's control block.
#[derive(Clone, PartialEq, Eq, Hash, Debug, Default, Serialize)]
pub struct Tcb {
    /// The connection state.
    pub state: State,
    /// Whether the connection began with a passive OPEN (LISTEN). SYN-RECEIVED uses it to
    /// decide where a RST leads (RFC 9293 §3.10.7.4 Note 1, MUST-11).
    pub passive: bool,
    /// ISS: initial send sequence number.
    pub iss: Seq,
    /// SND.UNA: oldest unacknowledged sequence number.
    pub snd_una: Seq,
    /// SND.NXT: next sequence number to be sent.
    pub snd_nxt: Seq,
    /// SND.WND: the peer's receive window.
    pub snd_wnd: u32,
    /// SND.WL1: segment sequence number used for the last window update.
    pub snd_wl1: Seq,
    /// SND.WL2: segment acknowledgment number used for the last window update.
    pub snd_wl2: Seq,
    /// IRS: initial receive sequence number.
    pub irs: Seq,
    /// RCV.NXT: next sequence number expected.
    pub rcv_nxt: Seq,
    /// RCV.WND: the window we offer, in octets (the window field carries it shifted right by
    /// `rcv_wscale`, RFC 7323 §2.3).
    pub rcv_wnd: u32,
    /// Text from SND.UNA on: first the retransmission queue (sent, unacknowledged), then text
    /// queued by SEND and not yet sent. A ring buffer: acknowledged octets leave from the front
    /// without moving the rest.
    pub send_buf: VecDeque<u8>,
    /// Whether our FIN has been sent (it then occupies SND.NXT - 1).
    pub fin_sent: bool,
    /// Consecutive retransmissions without progress (RFC 9293 §3.8.3, R2).
    pub retransmits: u8,
    /// The reassembly queue: in-window text beyond RCV.NXT (and text that came on a SYN),
    /// held until RCV.NXT reaches it (RFC 9293 §3.10.7.4 seventh step, §3.10.7.2), each
    /// sequence number at most once and never beyond the window offered.
    pub rcv_queue: Reassembly,
    /// The sequence number of a FIN that arrived beyond RCV.NXT, held with the text before it.
    pub rcv_fin: Option<Seq>,
    /// An in-order text segment arrived and its acknowledgment is deferred (delayed ACK, RFC
    /// 9293 §3.8.6.3). The next segment we send carries it; otherwise the second such
    /// segment, or the caller's delayed-ACK timer ([`Tcb::on_delayed_ack_timeout`]), sends it.
    /// Always false unless [`Config::delayed_ack`] is on.
    pub ack_delayed: bool,
    /// The options our SYN (or SYN,ACK) carries: what [`Config`] offers, and on a SYN,ACK
    /// only what the peer's SYN offered too (RFC 7323 §2.2, §3.2; RFC 2018 §2).
    pub syn_opt: Options,
    /// Snd.Wind.Shift (RFC 7323 §2.3): the peer's window field of every segment but a SYN
    /// is shifted left by this. 0 unless both SYNs carried the window scale option; at most
    /// 14 (§2.3: a larger shift is used as 14).
    pub snd_wscale: u8,
    /// Rcv.Wind.Shift: the window fields we send (but on a SYN) are RCV.WND shifted right by
    /// this; 0 unless both SYNs carried the option.
    pub rcv_wscale: u8,
    /// Both SYNs carried SACK-permitted (RFC 2018 §2).
    pub sack_ok: bool,
    /// Both SYNs carried the timestamps option (RFC 7323 §3.2): every segment but a RST
    /// carries it from then on, and PAWS (§5) judges the peer's.
    pub ts_ok: bool,
    /// TS.Recent (RFC 7323 §4.3): the timestamp to echo, and the one PAWS compares against;
    /// `None` until a segment set it, or once it is no longer valid (§5.5).
    pub ts_recent: Option<u32>,
    /// Last.ACK.sent (RFC 7323 §4.3): the acknowledgment number of the last ACK we sent.
    pub last_ack_sent: Seq,
}

/// What the user is told, and what the caller must do with timers.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Serialize)]
pub enum Signal {
    /// The connection reached ESTABLISHED.
    Established,
    /// The peer's FIN arrived: "connection closing" (RFC 9293 §3.10.7.4 eighth step).
    PeerClosed,
    /// The peer acknowledged our FIN.
    OurFinAcked,
    /// "connection reset": a RST ended a synchronized connection.
    Reset,
    /// "connection refused": a RST answered our SYN.
    Refused,
    /// "connection aborted due to user timeout": retransmissions exhausted (§3.8.3 R2).
    TimedOut,
    /// The TCB was deleted after an orderly close (LAST-ACK acked, TIME-WAIT expired).
    Closed,
    /// Start (or restart) the 2·MSL TIME-WAIT timer.
    TimeWaitStarted,
    /// SYN-RECEIVED went back to LISTEN (passive open reset, or a passive SYN-RECEIVED
    /// received a SYN).
    ReturnedToListen,
    /// An RFC 5961 challenge ACK was sent instead of acting on a RST or SYN.
    ChallengeAck,
    /// An unacceptable segment was dropped (and acknowledged unless it carried RST).
    Unacceptable,
    /// Segments were sent again by the retransmission timer.
    Retransmitted,
    /// In-window text beyond RCV.NXT was put in the reassembly queue.
    Queued,
    /// Held text was delivered once the gap before it was filled.
    Reassembled,
    /// A segment failed the PAWS test (RFC 7323 §5.3 R1): its TSval is older than TS.Recent.
    PawsRejected,
    /// A segment other than a RST arrived without the timestamps option on a connection that
    /// negotiated it, and was dropped (RFC 7323 §3.2).
    MissingTimestamps,
    /// A user call was refused with an error.
    Error(UserError),
}

/// Errors returned to user calls (RFC 9293 §3.10.1–§3.10.5).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Serialize)]
pub enum UserError {
    /// "error: connection does not exist".
    ConnectionDoesNotExist,
    /// "error: connection already exists".
    ConnectionAlreadyExists,
    /// "error: connection closing".
    ConnectionClosing,
    /// "error: foreign socket unspecified" (SEND in LISTEN).
    ForeignSocketUnspecified,
}

/// Everything one transition produces.
#[derive(Clone, PartialEq, Eq, Hash, Debug, Default)]
pub struct Outputs {
    /// Segments to send, in order.
    pub segments: Vec<Segment>,
    /// Text delivered to the user, in order.
    pub delivered: Vec<u8>,
    /// Signals for the user and the caller's timers.
    pub signals: Vec<Signal>,
}

impl Outputs {
    /// Whether an event was produced.
    pub fn has(&self, e: Signal) -> bool {
        self.signals.contains(&e)
    }
}

impl Tcb {
    /// No TCB: the CLOSED state.
    pub fn closed() -> Tcb {
        Tcb::default()
    }

    /// Sequence numbers a SYN occupies: 1, or 0 with [`Mechanism::SynSequenceNumber`] off.
    pub(crate) fn syn_len(cfg: &Config) -> u32 {
        u32::from(cfg.mechanisms.on(Mechanism::SynSequenceNumber))
    }

    /// Whether anything we sent (SYN, text, FIN) is unacknowledged: the retransmission timer
    /// runs exactly then (RFC 6298 §5).
    pub fn has_unacked(&self) -> bool {
        !matches!(self.state, State::Closed | State::Listen | State::TimeWait)
            && self.snd_una != self.snd_nxt
    }

    /// Whether our SYN has been acknowledged.
    pub fn syn_acked(&self) -> bool {
        self.snd_una != self.iss
    }

    /// Whether our FIN has been sent and acknowledged.
    pub fn fin_acked(&self) -> bool {
        self.fin_sent && self.snd_una == self.snd_nxt
    }

    /// Sequence number of the first octet in `send_buf`.
    pub(crate) fn buf_seq(&self) -> Seq {
        if self.syn_acked() {
            self.snd_una
        } else {
            self.iss + 1
        }
    }

    /// Octets of `send_buf` already sent (the retransmission queue).
    pub(crate) fn sent_len(&self) -> usize {
        if !self.syn_acked() {
            return 0;
        }
        let in_flight = (self.snd_nxt - self.snd_una) as usize - usize::from(self.fin_sent);
        in_flight.min(self.send_buf.len())
    }

    /// A copy of the `len` octets of `send_buf` from `offset` on: the text of one segment,
    /// with [`TEXT_HEADROOM`] octets of spare capacity.
    pub(crate) fn send_text(&self, offset: usize, len: usize) -> Vec<u8> {
        let (front, back) = self.send_buf.as_slices();
        let end = offset + len;
        let mut text = Vec::with_capacity(len + TEXT_HEADROOM);
        if offset < front.len() {
            text.extend_from_slice(&front[offset..end.min(front.len())]);
        }
        if end > front.len() {
            text.extend_from_slice(&back[offset.saturating_sub(front.len())..end - front.len()]);
        }
        text
    }

    /// A segment from this endpoint: ACK set whenever `ctl` has it, with RCV.NXT and RCV.WND.
    /// Every segment built here is sent, so one with ACK acknowledges everything received and
    /// ends a deferred acknowledgment (RFC 9293 §3.10.7.4: the acknowledgment "should be
    /// piggybacked on a segment being transmitted").
    ///
    /// With timestamps negotiated the segment carries TSopt (RFC 7323 §3.2: every segment but
    /// a RST, and this connection sends a RST with it too, as §3.2 allows): TSecr is TS.Recent
    /// when ACK is set and 0 otherwise; TSval is the sender's clock, which the caller stamps
    /// when the segment leaves ([`Connection::poll_transmit`](crate::tcp::Connection)). The
    /// acknowledgment number is recorded as Last.ACK.sent (§4.3).
    pub(crate) fn segment(&mut self, seq: Seq, ctl: Ctl, data: Vec<u8>) -> Segment {
        let ack = if ctl.has(Ctl::ACK) {
            self.ack_delayed = false;
            self.last_ack_sent = self.rcv_nxt;
            self.rcv_nxt
        } else {
            Seq(0)
        };
        let mut opt = Options::default();
        if self.ts_ok {
            opt.timestamps = Some(Timestamps {
                tsval: 0,
                tsecr: if ctl.has(Ctl::ACK) {
                    self.ts_recent.unwrap_or(0)
                } else {
                    0
                },
            });
        }
        Segment {
            seq,
            ack,
            ctl,
            wnd: self.window_field(),
            mss: None,
            opt,
            data,
        }
    }

    /// `<SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>`: the acknowledgment of RFC 9293 §3.10.7.4.
    pub(crate) fn ack_segment(&mut self) -> Segment {
        self.segment(self.snd_nxt, Ctl::ACK, Vec::new())
    }

    /// The SYN (SYN-SENT) or SYN,ACK (SYN-RECEIVED) that opens our half of the connection.
    ///
    /// It carries the options of `syn_opt`, TSecr echoing the peer's TSval on a SYN,ACK (RFC
    /// 7323 §3.2), and a window field that is never scaled (§2.2).
    pub(crate) fn syn_segment(&mut self) -> Segment {
        let ctl = if self.state == State::SynSent {
            Ctl::SYN
        } else {
            Ctl::SYN | Ctl::ACK
        };
        let mut seg = self.segment(self.iss, ctl, Vec::new());
        seg.wnd = u16::try_from(self.rcv_wnd).unwrap_or(u16::MAX);
        seg.opt = self.syn_opt;
        if let Some(ts) = &mut seg.opt.timestamps {
            ts.tsecr = if ctl.has(Ctl::ACK) {
                self.ts_recent.unwrap_or(0)
            } else {
                0
            };
        }
        seg
    }

    /// Deletes the TCB: back to CLOSED with every variable reset.
    pub(crate) fn delete(&mut self) {
        *self = Tcb::closed();
    }

    /// Segmentizes queued text within the send window, then the FIN once the user has
    /// closed and every octet is sent (RFC 9293 §3.10.2, §3.10.4, §3.7). The FIN rides on the
    /// last text segment when they fit together. Returns whether anything was sent.
    ///
    /// The window is SND.UNA + min(SND.WND, [`Config::cwnd`]) (RFC 5681 §3.1), the
    /// congestion window being what the connection's controller allows this transition.
    pub(crate) fn transmit(&mut self, cfg: &Config, out: &mut Outputs) -> bool {
        let can_send = matches!(
            self.state,
            State::Established
                | State::CloseWait
                | State::FinWait1
                | State::Closing
                | State::LastAck
        );
        if !can_send || !self.syn_acked() || self.fin_sent {
            return false;
        }
        let mut sent_any = false;
        let window_end = self.snd_una + cfg.cwnd.map_or(self.snd_wnd, |c| c.min(self.snd_wnd));
        loop {
            let offset = self.sent_len();
            let unsent = self.send_buf.len() - offset;
            let usable = if self.snd_nxt.lt(window_end) {
                window_end - self.snd_nxt
            } else {
                0
            };
            let mut n = unsent.min(usize::from(cfg.mss)).min(usable as usize);
            let cwnd_bound = cfg.cwnd.is_some_and(|c| c < self.snd_wnd);
            if cwnd_bound && n < usize::from(cfg.mss) && n < unsent && self.has_unacked() {
                // Sender silly-window avoidance (RFC 9293 §3.8.6.2.1, MUST-38) where the
                // congestion window binds: while segments are in flight, their ACKs will
                // open it; a runt cut off by it waits to go out whole.
                n = 0;
            }
            let last = n == unsent;
            let fin = last && self.state.fin_requested();
            if cfg.nagle && n > 0 && n < usize::from(cfg.mss) && !fin && self.has_unacked() {
                // Nagle (RFC 9293 §3.7.4, SHLD-7): a runt waits for the outstanding text's
                // acknowledgment (or for a full segment's worth to be queued).
                break;
            }
            if n == 0 && !fin {
                break;
            }
            let data = self.send_text(offset, n);
            let ctl = if fin { Ctl::ACK | Ctl::FIN } else { Ctl::ACK };
            out.segments.push(self.segment(self.snd_nxt, ctl, data));
            self.snd_nxt = self.snd_nxt + n as u32 + u32::from(fin);
            self.fin_sent = fin;
            sent_any = true;
            if fin || last {
                break;
            }
        }
        sent_any
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segment_text_is_copied_across_the_wrap_of_the_send_buffer() {
        let mut tcb = Tcb::closed();
        tcb.send_buf = VecDeque::with_capacity(8);
        tcb.send_buf.extend(b"uvwxyzab");
        tcb.send_buf.drain(..6);
        tcb.send_buf.extend(b"cd");
        assert!(!tcb.send_buf.as_slices().1.is_empty(), "the ring wrapped");
        assert_eq!(tcb.send_text(0, 4), b"abcd");
        assert_eq!(tcb.send_text(1, 2), b"bc");
        assert_eq!(tcb.send_text(3, 1), b"d");
        assert_eq!(tcb.send_text(2, 0), b"");
        assert!(tcb.send_text(0, 4).capacity() >= 4 + TEXT_HEADROOM);
    }
}
