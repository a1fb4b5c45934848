//! Timeouts (RFC 9293 §3.10.8): retransmission and TIME-WAIT.
//!
//! When a timer fires is the caller's decision (the stack reads a clock, a model enumerates
//! the moments); what firing does is decided here. The user timeout is expressed as a bound on
//! consecutive retransmissions (R2 of §3.8.3).

use super::mechanisms::{Config, Mechanism};
use super::segment::{Ctl, Segment};
use super::seq::Seq;
use super::state::State;
use super::tcb::{Outputs, Signal, Tcb};

impl Tcb {
    /// The retransmission timer expired: resend the earliest unacknowledged segment (the SYN,
    /// the SYN,ACK, or text from SND.UNA with the FIN if it fits). After
    /// `max_retransmits` consecutive retransmissions (`max_syn_retransmits` while our SYN is
    /// unacknowledged, MUST-23; `max_syn_ack_retransmits` for a listener's SYN,ACK) the connection is aborted with "connection aborted due to user
    /// timeout" (§3.8.3 R2). With T17 ablated, nothing is retransmitted
    /// once the peer's FIN has been received (CLOSE-WAIT, LAST-ACK).
    pub fn on_retransmit_timeout(&mut self, cfg: &Config) -> Outputs {
        let mut out = Outputs::default();
        if !self.may_retransmit(cfg) {
            return out;
        }
        let r2 = if self.syn_acked() {
            cfg.max_retransmits
        } else if self.state == State::SynReceived && self.passive {
            cfg.max_syn_ack_retransmits
                .unwrap_or(cfg.max_syn_retransmits)
        } else {
            cfg.max_syn_retransmits
        };
        if self.retransmits >= r2 {
            self.delete();
            out.signals.push(Signal::TimedOut);
            return out;
        }
        self.retransmits += 1;
        out.signals.push(Signal::Retransmitted);
        out.segments.push(self.earliest_unacked_segment(cfg));
        out
    }

    /// The earliest segment not yet acknowledged, as it is sent again: our SYN (or SYN,ACK)
    /// while it is unacknowledged, else up to one MSS of text from SND.UNA, with our FIN if it
    /// was sent and fits. This is "the earliest segment that has not been acknowledged" of
    /// RFC 6298 (5.4) and "the lost segment starting at SND.UNA" of RFC 5681 §3.2 step 3;
    /// both the retransmission timer and fast retransmit send it.
    pub(crate) fn earliest_unacked_segment(&mut self, cfg: &Config) -> Segment {
        if !self.syn_acked() {
            return self.syn_segment();
        }
        let in_flight = self.sent_len();
        let n = in_flight.min(usize::from(cfg.mss));
        let fin = self.fin_sent && n == in_flight;
        let ctl = if fin { Ctl::ACK | Ctl::FIN } else { Ctl::ACK };
        let data = self.send_text(0, n);
        self.segment(self.snd_una, ctl, data)
    }

    /// The sent and unacknowledged segment `seq..seq+len` (at most one MSS, within what was
    /// sent), as it is sent again by SACK-based recovery (RFC 6675 §5 (C.1)): the text of
    /// the retransmission queue there, with our FIN if the range reaches it. `None` when
    /// nothing of the range is outstanding or retransmission is not allowed.
    pub(crate) fn retransmit_range(&mut self, seq: Seq, len: u32, cfg: &Config) -> Option<Segment> {
        if !self.syn_acked() || !self.may_retransmit(cfg) || !seq.ge(self.snd_una) {
            return None;
        }
        let offset = (seq - self.snd_una) as usize;
        let sent = self.sent_len();
        if offset > sent || (offset == sent && !self.fin_sent) {
            return None;
        }
        let n = (len as usize).min(usize::from(cfg.mss)).min(sent - offset);
        let fin = self.fin_sent && offset + n == sent;
        let ctl = if fin { Ctl::ACK | Ctl::FIN } else { Ctl::ACK };
        let data = self.send_text(offset, n);
        Some(self.segment(seq, ctl, data))
    }

    /// Whether a retransmission may be sent now: something is unacknowledged, and, with T17
    /// ablated, the peer's FIN has not been received (CLOSE-WAIT, LAST-ACK).
    pub(crate) fn may_retransmit(&self, cfg: &Config) -> bool {
        self.has_unacked()
            && (!matches!(self.state, State::CloseWait | State::LastAck)
                || cfg.mechanisms.on(Mechanism::RetransmitAfterFinReceived))
    }

    /// FIN-WAIT-2 waited too long for the peer's FIN (`Config::fin_wait_2_timeout`, a
    /// deviation from RFC 9293 §3.6, which sets no limit): `<SEQ=SND.NXT><CTL=RST>` tells a
    /// peer that is still there, and the TCB is deleted with "connection aborted due to user
    /// timeout", as at R2 (§3.8.3).
    pub fn on_fin_wait_2_timeout(&mut self) -> Outputs {
        let mut out = Outputs::default();
        if self.state == State::FinWait2 {
            out.segments
                .push(Segment::control(self.snd_nxt, Seq(0), Ctl::RST, 0));
            self.delete();
            out.signals.push(Signal::TimedOut);
        }
        out
    }

    /// Probes went unanswered too often (zero-window probes, RFC 6429 §2: they count toward
    /// R2 of RFC 9293 §3.8.3 while unanswered; keep-alives, §3.8.4): the connection is
    /// aborted with "connection aborted due to user timeout", without a RST (the peer did not
    /// answer the last ones either), as Linux does.
    pub fn give_up(&mut self) -> Outputs {
        let mut out = Outputs::default();
        if self.state != State::Closed {
            self.delete();
            out.signals.push(Signal::TimedOut);
        }
        out
    }

    /// A keep-alive probe (RFC 9293 §3.8.4): `<SEQ=SND.NXT-1><ACK=RCV.NXT><CTL=ACK>` with no
    /// text (SHLD-12 allows one garbage octet; none is sent). It lies below the peer's
    /// RCV.NXT, so the peer must answer with an acknowledgment (§3.10.7.4 first step).
    pub fn keep_alive_probe(&mut self) -> Outputs {
        let mut out = Outputs::default();
        if matches!(self.state, State::Established | State::CloseWait) {
            let seq = self.snd_nxt + u32::MAX;
            out.segments.push(self.segment(seq, Ctl::ACK, Vec::new()));
        }
        out
    }

    /// The 2·MSL TIME-WAIT timer expired: delete the TCB (§3.10.8).
    pub fn on_time_wait_timeout(&mut self) -> Outputs {
        let mut out = Outputs::default();
        if self.state == State::TimeWait {
            self.delete();
            out.signals.push(Signal::Closed);
        }
        out
    }
}
