//! SEGMENT ARRIVES (RFC 9293 §3.10.7), with RFC 5961 §3–§4 (challenge ACKs) and RFC 1337 F1.
//!
//! The processing follows the RFC's order of checks for the synchronized states: sequence
//! number, RST, SYN, ACK, text, FIN. Every deviation from the letter of the RFC is marked
//! "Deviation" in the doc comment where it is made and listed in REPORT.md.

use super::delack::TextArrival;
use super::mechanisms::{Config, Mechanism};
use super::segment::{Ctl, Segment, SegmentRef};
use super::seq::Seq;
use super::state::State;
use super::tcb::{Outputs, Signal, Tcb};

/// The reset that answers `seg` when no connection wants it (RFC 9293 §3.5.2 group 1,
/// §3.10.7.1): `<SEQ=SEG.ACK><CTL=RST>` if it had ACK, else
/// `<SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>`; nothing for a RST.
pub fn reset_for<'a>(seg: impl Into<SegmentRef<'a>>, cfg: &Config) -> Option<Segment> {
    let seg = seg.into();
    if seg.has(Ctl::RST) {
        None
    } else if seg.has(Ctl::ACK) {
        Some(Segment::control(seg.ack, Seq(0), Ctl::RST, 0))
    } else {
        let ack = seg.seq + seg.len_with(cfg.mechanisms.on(Mechanism::SynSequenceNumber));
        Some(Segment::control(Seq(0), ack, Ctl::RST | Ctl::ACK, 0))
    }
}

impl Tcb {
    /// A segment arrives. `isn` is the ISN this endpoint would choose now; it is used only if
    /// the segment is a SYN that a LISTEN turns into a connection (§3.10.7.2, §3.4.1).
    pub fn on_segment<'a>(
        &mut self,
        seg: impl Into<SegmentRef<'a>>,
        isn: Seq,
        cfg: &Config,
    ) -> Outputs {
        let mut out = Outputs::default();
        self.on_segment_into(seg, isn, cfg, &mut out);
        out
    }

    /// [`on_segment`](Self::on_segment), with the outputs appended to `out`, whose
    /// `segments` and `events` must be empty: a caller that handles many segments keeps one
    /// set of buffers, and may pass its receive buffer as `out.delivered`, after whose
    /// contents the text delivered now is appended.
    pub fn on_segment_into<'a>(
        &mut self,
        seg: impl Into<SegmentRef<'a>>,
        isn: Seq,
        cfg: &Config,
        out: &mut Outputs,
    ) {
        let seg = seg.into();
        match self.state {
            State::Closed => out.segments.extend(reset_for(seg, cfg)),
            State::Listen => self.listen_arrives(seg, isn, cfg, out),
            State::SynSent => self.syn_sent_arrives(seg, cfg, out),
            _ => self.synchronizing_arrives(seg, cfg, out),
        }
    }

    /// §3.10.7.2. A RST is ignored; an ACK is answered with `<SEQ=SEG.ACK><CTL=RST>`; a SYN
    /// moves to SYN-RECEIVED and sends `<SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK>`. Without the
    /// three-way handshake (T1) the SYN alone makes the connection ESTABLISHED.
    ///
    /// Text carried on the SYN is held in the reassembly queue, unacknowledged, until the
    /// connection is ESTABLISHED ("queue it for processing later", §3.10.7.2; T18). Without
    /// that rule it is delivered and acknowledged at once.
    fn listen_arrives(&mut self, seg: SegmentRef<'_>, isn: Seq, cfg: &Config, out: &mut Outputs) {
        if seg.has(Ctl::RST) {
            return;
        }
        if seg.has(Ctl::ACK) {
            out.segments.extend(reset_for(seg, cfg));
            return;
        }
        if !seg.has(Ctl::SYN) {
            return;
        }
        let syn_len = Tcb::syn_len(cfg);
        let send_buf = std::mem::take(&mut self.send_buf);
        *self = Tcb {
            state: State::SynReceived,
            passive: true,
            iss: isn,
            snd_una: isn,
            snd_nxt: isn + syn_len,
            snd_wnd: u32::from(seg.wnd),
            snd_wl1: seg.seq,
            snd_wl2: isn,
            irs: seg.seq,
            rcv_nxt: seg.seq + syn_len,
            rcv_wnd: cfg.rcv_wnd,
            send_buf,
            syn_opt: Tcb::offer(cfg),
            ..Tcb::closed()
        };
        self.negotiate(seg);
        self.take_syn_text(seg, cfg, out);
        out.segments.push(self.syn_segment());
        if !cfg.mechanisms.on(Mechanism::ThreeWayHandshake) {
            self.state = State::Established;
            out.signals.push(Signal::Established);
        }
    }

    /// §3.10.7.3. The ACK is acceptable iff ISS < SEG.ACK =< SND.NXT; an unacceptable one is
    /// answered with `<SEQ=SEG.ACK><CTL=RST>` (T2). A RST with an acceptable ACK refuses the
    /// connection. A SYN with an acceptable ACK establishes it; a SYN without ACK is a
    /// simultaneous open (MUST-10, T9) and moves to SYN-RECEIVED.
    fn syn_sent_arrives(&mut self, seg: SegmentRef<'_>, cfg: &Config, out: &mut Outputs) {
        let m = cfg.mechanisms;
        let mut ack_ok = false;
        if seg.has(Ctl::ACK) {
            ack_ok = self.snd_una.lt(seg.ack) && seg.ack.le(self.snd_nxt);
            if !ack_ok {
                if m.on(Mechanism::SynSentReset) {
                    out.segments.extend(reset_for(seg, cfg));
                    return;
                }
                // T2 ablated: the SYN-ACK is trusted as if it acknowledged our SYN.
                ack_ok = true;
            }
        }
        if seg.has(Ctl::RST) {
            if ack_ok {
                self.delete();
                out.signals.push(Signal::Refused);
            }
            return;
        }
        if !seg.has(Ctl::SYN) {
            return;
        }
        let syn_len = Tcb::syn_len(cfg);
        self.negotiate(seg);
        if seg.has(Ctl::ACK) {
            self.irs = seg.seq;
            self.rcv_nxt = seg.seq + syn_len;
            self.snd_una = self.snd_nxt;
            self.take_window(seg);
            self.state = State::Established;
            self.retransmits = 0;
            out.signals.push(Signal::Established);
            if !seg.data.is_empty() {
                // §3.10.7.3 "continue processing at the sixth step": the text is in order.
                let room = (self.rcv_wnd as usize).min(seg.data.len());
                out.delivered.extend_from_slice(&seg.data[..room]);
                self.rcv_nxt = self.rcv_nxt + room as u32;
            }
            if !self.transmit(cfg, out) {
                out.segments.push(self.ack_segment());
            }
        } else if m.on(Mechanism::SimultaneousOpen) {
            self.irs = seg.seq;
            self.rcv_nxt = seg.seq + syn_len;
            self.take_window(seg);
            self.state = State::SynReceived;
            self.take_syn_text(seg, cfg, out);
            out.segments.push(self.syn_segment());
        }
    }

    /// Text on a SYN that puts us in SYN-RECEIVED: held until ESTABLISHED (T18), or with the
    /// rule off delivered and acknowledged at once, before the peer is known to be current.
    fn take_syn_text(&mut self, seg: SegmentRef<'_>, cfg: &Config, out: &mut Outputs) {
        if seg.data.is_empty() {
            return;
        }
        let room = (self.rcv_wnd as usize).min(seg.data.len());
        let text = seg.data[..room].to_vec();
        if cfg.mechanisms.on(Mechanism::SynDataHeld) {
            self.rcv_queue.insert(self.rcv_nxt, self.rcv_nxt, &text);
            out.signals.push(Signal::Queued);
        } else {
            self.rcv_nxt = self.rcv_nxt + text.len() as u32;
            out.delivered.extend_from_slice(&text);
        }
    }

    /// SND.WND ← SEG.WND (scaled, RFC 7323 §2.3), SND.WL1 ← SEG.SEQ, SND.WL2 ← SEG.ACK.
    pub(crate) fn take_window(&mut self, seg: SegmentRef<'_>) {
        self.snd_wnd = self.peer_window(seg);
        self.snd_wl1 = seg.seq;
        self.snd_wl2 = seg.ack;
    }

    /// The four cases of segment acceptability (§3.10.7.4, Table 6).
    pub fn acceptable<'a>(&self, seg: impl Into<SegmentRef<'a>>, cfg: &Config) -> bool {
        let seg = seg.into();
        let len = seg.len_with(cfg.mechanisms.on(Mechanism::SynSequenceNumber));
        let wnd = self.rcv_wnd;
        let end = self.rcv_nxt + wnd;
        match (len, wnd) {
            (0, 0) => seg.seq == self.rcv_nxt,
            (0, _) => seg.seq.in_range(self.rcv_nxt, end),
            (_, 0) => false,
            (_, _) => {
                seg.seq.in_range(self.rcv_nxt, end)
                    || (seg.seq + (len - 1)).in_range(self.rcv_nxt, end)
            }
        }
    }

    /// Whether `seg` passes the first step of §3.10.7.4 (the sequence number check, Table 6),
    /// and so reaches the later steps; always with T13 ablated.
    pub(crate) fn passes_sequence_check(&self, seg: SegmentRef<'_>, cfg: &Config) -> bool {
        !cfg.mechanisms.on(Mechanism::SegmentAcceptability) || self.acceptable(seg, cfg)
    }

    /// §3.10.7.4: SYN-RECEIVED and the synchronized states.
    fn synchronizing_arrives(&mut self, seg: SegmentRef<'_>, cfg: &Config, out: &mut Outputs) {
        let m = cfg.mechanisms;
        let arrived_in = self.state;

        // RFC 7323 §3.2: without TSopt where it was negotiated, dropped silently; §5.3 R1:
        // PAWS, before the sequence number is judged.
        if self.lacks_timestamps(seg) {
            out.signals.push(Signal::Unacceptable);
            out.signals.push(Signal::MissingTimestamps);
            return;
        }
        if self.paws_rejects(seg, cfg) {
            out.signals.push(Signal::Unacceptable);
            out.signals.push(Signal::PawsRejected);
            out.segments.push(self.ack_segment());
            return;
        }

        // First: check the sequence number.
        if !self.passes_sequence_check(seg, cfg) {
            out.signals.push(Signal::Unacceptable);
            if seg.has(Ctl::RST) {
                return;
            }
            if self.state == State::TimeWait && self.is_retransmitted_fin(seg) {
                self.restart_time_wait(cfg, out);
            }
            if self.state == State::SynReceived && self.is_retransmitted_syn(seg) {
                out.segments.push(self.syn_segment());
            } else {
                out.segments.push(self.ack_segment());
            }
            if cfg.crossing_syn_ack_establishes && self.is_crossing_syn_ack(seg) {
                // Figure 7 line 6 (see `Config::crossing_syn_ack_establishes`): the SYN is
                // old, the acknowledgment of ours is new, and the fifth step takes it.
                self.state = State::Established;
                self.take_window(seg);
                out.signals.push(Signal::Established);
                self.take_ack(seg, out);
            }
            return;
        }

        // RFC 7323 §4.3 (2): an acceptable segment may update TS.Recent.
        if !seg.has(Ctl::RST) {
            self.take_ts_recent(seg);
        }

        // Second: the RST bit (§3.10.7.4, RFC 5961 §3.2, RFC 1337 F1).
        if seg.has(Ctl::RST) {
            self.rst_arrives(seg, cfg, out);
            return;
        }

        // Fourth: the SYN bit (RFC 5961 §4: challenge ACK; a passive SYN-RECEIVED returns to
        // LISTEN).
        if seg.has(Ctl::SYN) {
            if self.state == State::SynReceived && self.passive {
                self.return_to_listen(out);
            } else {
                out.segments.push(self.ack_segment());
                out.signals.push(Signal::ChallengeAck);
            }
            return;
        }

        // Fifth: the ACK field.
        if !seg.has(Ctl::ACK) {
            return;
        }
        if self.state == State::SynReceived {
            if self.snd_una.lt(seg.ack) && seg.ack.le(self.snd_nxt) {
                self.state = State::Established;
                self.take_window(seg);
                out.signals.push(Signal::Established);
            } else {
                out.segments.extend(reset_for(seg, cfg));
                return;
            }
        }
        // An ACK of something not yet sent is unacceptable in every synchronized state,
        // LAST-ACK and TIME-WAIT included (§3.5.2 group 3, T15).
        if seg.ack.gt(self.snd_nxt) && m.on(Mechanism::AckOfUnsentData) {
            out.segments.push(self.ack_segment());
            return;
        }
        match self.state {
            State::Established
            | State::FinWait1
            | State::FinWait2
            | State::CloseWait
            | State::Closing => {
                self.take_ack(seg, out);
                if self.fin_acked() {
                    match self.state {
                        State::FinWait1 => self.state = State::FinWait2,
                        State::Closing => self.enter_time_wait(cfg, out),
                        _ => {}
                    }
                }
            }
            State::LastAck => {
                self.take_ack(seg, out);
                if self.fin_acked() {
                    self.delete();
                    out.signals.push(Signal::Closed);
                    return;
                }
            }
            _ => {}
        }

        // Seventh: the segment text.
        let mut need_ack = false;
        let text_allowed = matches!(
            self.state,
            State::Established | State::FinWait1 | State::FinWait2
        );
        let mut fin_in_order = false;
        let held = !self.rcv_queue.is_empty() || self.rcv_fin.is_some();
        let mut arrival = TextArrival {
            rcv_nxt_before: self.rcv_nxt,
            gap_before: held,
            delivered: 0,
        };
        if (text_allowed && (!seg.data.is_empty() || held)) || seg.has(Ctl::FIN) {
            let delivered_before = out.delivered.len();
            fin_in_order = self.accept_text(seg, cfg, text_allowed, out);
            arrival.delivered = out.delivered.len() - delivered_before;
            need_ack |= !seg.data.is_empty() || arrival.delivered > 0;
        }

        // Eighth: the FIN bit (of this segment, or a held one now reached).
        if fin_in_order && !self.state.fin_received() {
            self.fin_arrives(arrived_in, cfg, out, &mut need_ack);
        }

        // The acknowledgment rides on what we send now, or is sent (or deferred, RFC 9293
        // §3.8.6.3) on its own.
        if self.state != State::Closed && !self.transmit(cfg, out) && need_ack {
            self.acknowledge(seg, arrival, cfg, out);
        }
    }

    /// §3.10.7.4 second step. An exact RST (SEG.SEQ = RCV.NXT) resets; an in-window one that
    /// is not exact draws a challenge ACK (RFC 5961 §3.2, T14). SYN-RECEIVED returns to LISTEN
    /// if the open was passive, else the connection is refused (MUST-11, T12). In TIME-WAIT a
    /// RST is ignored (RFC 1337 F1, T6): a deliberate deviation from §3.10.7.4.
    fn rst_arrives(&mut self, seg: SegmentRef<'_>, cfg: &Config, out: &mut Outputs) {
        let m = cfg.mechanisms;
        if seg.seq != self.rcv_nxt && m.on(Mechanism::RstValidation) {
            out.segments.push(self.ack_segment());
            out.signals.push(Signal::ChallengeAck);
            return;
        }
        match self.state {
            State::SynReceived => {
                if self.passive || !m.on(Mechanism::SynReceivedOrigin) {
                    self.return_to_listen(out);
                } else {
                    self.delete();
                    out.signals.push(Signal::Refused);
                }
            }
            State::TimeWait if m.on(Mechanism::RstInTimeWaitIgnored) => {}
            _ => {
                self.delete();
                out.signals.push(Signal::Reset);
            }
        }
    }

    /// SYN-RECEIVED → LISTEN, forgetting the half-made connection.
    fn return_to_listen(&mut self, out: &mut Outputs) {
        let rcv_wnd = self.rcv_wnd;
        *self = Tcb {
            state: State::Listen,
            passive: true,
            rcv_wnd,
            ..Tcb::closed()
        };
        out.signals.push(Signal::ReturnedToListen);
    }

    /// §3.10.7.4 fifth step for ESTABLISHED and the states after it: SND.UNA advances over
    /// acknowledged octets, the retransmission queue shrinks, and the send window is updated
    /// when the segment is newer (SND.WL1 < SEG.SEQ, or SND.WL1 = SEG.SEQ and
    /// SND.WL2 =< SEG.ACK). A duplicate ACK (SEG.ACK =< SND.UNA) changes nothing else.
    fn take_ack(&mut self, seg: SegmentRef<'_>, out: &mut Outputs) {
        let fin_was_acked = self.fin_acked();
        if self.snd_una.lt(seg.ack) {
            let base = self.buf_seq();
            let acked = if seg.ack.gt(base) {
                (seg.ack - base) as usize
            } else {
                0
            };
            let acked = acked.min(self.send_buf.len());
            self.send_buf.drain(..acked);
            self.snd_una = seg.ack;
            if self.snd_nxt.lt(self.snd_una) {
                // Only reachable with T15 ablated: the ACK of unsent data is believed.
                self.snd_nxt = self.snd_una;
            }
            self.retransmits = 0;
        }
        if self.snd_una.le(seg.ack)
            && (self.snd_wl1.lt(seg.seq) || (self.snd_wl1 == seg.seq && self.snd_wl2.le(seg.ack)))
        {
            self.take_window(seg);
        }
        if self.fin_acked() && !fin_was_acked {
            out.signals.push(Signal::OurFinAcked);
        }
    }

    /// §3.10.7.4 seventh step: delivers the text that begins at RCV.NXT (trimmed to the
    /// window), advances RCV.NXT, holds in-window text beyond RCV.NXT in the reassembly queue
    /// and delivers held text once the gap before it is filled. Returns whether the FIN (of
    /// this segment, or one held) now sits at RCV.NXT.
    ///
    /// Without the acceptability test (T13) the segment is trusted to begin at RCV.NXT: all of
    /// its text is delivered. Without reassembly (T16) text beyond RCV.NXT is delivered at once
    /// and RCV.NXT jumps past it.
    fn accept_text(
        &mut self,
        seg: SegmentRef<'_>,
        cfg: &Config,
        deliver: bool,
        out: &mut Outputs,
    ) -> bool {
        let m = cfg.mechanisms;
        let carries = !seg.data.is_empty() || seg.has(Ctl::FIN);
        let trust = carries
            && (!m.on(Mechanism::SegmentAcceptability)
                || (!m.on(Mechanism::Reassembly) && seg.seq.gt(self.rcv_nxt)));
        if trust {
            if deliver {
                out.delivered.extend_from_slice(seg.data);
                self.rcv_nxt = seg.seq + seg.data.len() as u32;
            }
            return seg.has(Ctl::FIN);
        }
        let window_end = self.rcv_nxt + self.rcv_wnd;
        let end_seq = seg.seq + seg.data.len() as u32;
        if deliver && !seg.data.is_empty() {
            let beyond = seg.seq.gt(self.rcv_nxt);
            if !beyond {
                self.deliver_from(seg.seq, seg.data, out);
            } else if m.on(Mechanism::ReassemblyBound) {
                // Only what the window offered is held, and only octets not held already.
                let room = (window_end - seg.seq) as usize;
                let text = &seg.data[..seg.data.len().min(room)];
                self.rcv_queue.insert(self.rcv_nxt, seg.seq, text);
            } else {
                self.rcv_queue
                    .insert_unbounded(self.rcv_nxt, seg.seq, seg.data);
            }
            if beyond {
                out.signals.push(Signal::Queued);
            }
        }
        if seg.has(Ctl::FIN) && end_seq.gt(self.rcv_nxt) && end_seq.lt(window_end) {
            self.rcv_fin = Some(end_seq);
        }
        if deliver {
            self.pull_queue(out);
        }
        let this_fin = seg.has(Ctl::FIN) && end_seq == self.rcv_nxt;
        let held_fin = self.rcv_fin == Some(self.rcv_nxt);
        if held_fin {
            self.rcv_fin = None;
            if !this_fin && !out.has(Signal::Reassembled) {
                // A FIN that arrived ahead of the text before it is taken now (reported once,
                // with the held text delivered in this same step).
                out.signals.push(Signal::Reassembled);
            }
        }
        this_fin || held_fin
    }

    /// Delivers the part of `text` (starting at `seq` =< RCV.NXT) beyond RCV.NXT, within the
    /// window, and advances RCV.NXT.
    fn deliver_from(&mut self, seq: Seq, text: &[u8], out: &mut Outputs) {
        let skip = (self.rcv_nxt - seq) as usize;
        if skip >= text.len() {
            return;
        }
        let take = (text.len() - skip).min(self.rcv_wnd as usize);
        out.delivered.extend_from_slice(&text[skip..skip + take]);
        self.rcv_nxt = self.rcv_nxt + take as u32;
    }

    /// Delivers held text that RCV.NXT has reached, repeatedly, dropping what is now old.
    fn pull_queue(&mut self, out: &mut Outputs) {
        let mut reassembled = false;
        while let Some((seq, text)) = self.rcv_queue.pop_reached(self.rcv_nxt) {
            let before = self.rcv_nxt;
            self.deliver_from(seq, &text, out);
            reassembled |= self.rcv_nxt != before;
        }
        if reassembled {
            out.signals.push(Signal::Reassembled);
        }
    }

    /// §3.10.7.4 eighth step: the peer's FIN, in order. RCV.NXT advances over it and it is
    /// acknowledged. SYN-RECEIVED and ESTABLISHED enter CLOSE-WAIT; FIN-WAIT-2 enters TIME-WAIT;
    /// FIN-WAIT-1 enters TIME-WAIT if our FIN is acknowledged (perhaps by this very segment,
    /// T11), else CLOSING (T10).
    fn fin_arrives(&mut self, arrived_in: State, cfg: &Config, out: &mut Outputs, ack: &mut bool) {
        let m = cfg.mechanisms;
        let next = match self.state {
            State::SynReceived | State::Established => State::CloseWait,
            State::FinWait2
                if arrived_in == State::FinWait1 && !m.on(Mechanism::FinWait1FinAck) =>
            {
                // T11 ablated: the decision is taken on the state the segment arrived in, as
                // if its ACK had not acknowledged our FIN.
                State::Closing
            }
            State::FinWait2 => State::TimeWait,
            State::FinWait1 if !m.on(Mechanism::ClosingState) => {
                // T10 ablated: with no CLOSING state the FIN cannot be taken now.
                return;
            }
            State::FinWait1 => State::Closing,
            _ => return,
        };
        self.rcv_nxt = self.rcv_nxt + 1;
        out.signals.push(Signal::PeerClosed);
        if next == State::TimeWait {
            // The acknowledgment goes out before TIME-WAIT (or, with T4 ablated, deletion),
            // and it is the only one: it also covers any text of this segment (MUST-58).
            out.segments.push(self.ack_segment());
            *ack = false;
            self.enter_time_wait(cfg, out);
        } else {
            self.state = next;
            *ack = true;
        }
    }

    /// Whether `seg` is a retransmission of the SYN that SYN-RECEIVED already took.
    ///
    /// Deviation: the letter of §3.10.7.4 answers it, being unacceptable, with a bare
    /// `<SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>`, which a peer in SYN-SENT drops (it carries no
    /// SYN). When our SYN,ACK was lost the handshake then hangs on our own timer firing before
    /// the peer gives up; the checker found a run in which the peer exhausts its retries. Like
    /// deployed stacks, we answer with our SYN,ACK again.
    fn is_retransmitted_syn(&self, seg: SegmentRef<'_>) -> bool {
        seg.has(Ctl::SYN) && !seg.has(Ctl::ACK) && seg.seq == self.irs
    }

    /// Whether `seg` is the peer's SYN,ACK of a simultaneous open (RFC 9293 Figure 7 line 6)
    /// met in SYN-RECEIVED: its SYN is the one already taken (it ends at RCV.NXT, no text)
    /// and it acknowledges our SYN (SND.UNA < SEG.ACK =< SND.NXT).
    fn is_crossing_syn_ack(&self, seg: SegmentRef<'_>) -> bool {
        self.state == State::SynReceived
            && !self.passive
            && seg.has(Ctl::SYN)
            && seg.has(Ctl::ACK)
            && !seg.has(Ctl::FIN)
            && seg.data.is_empty()
            && seg.seq == self.irs
            && seg.seq + 1 == self.rcv_nxt
            && self.snd_una.lt(seg.ack)
            && seg.ack.le(self.snd_nxt)
    }

    /// Whether `seg` is a retransmission of the FIN already received: it ends, FIN included,
    /// at RCV.NXT.
    fn is_retransmitted_fin(&self, seg: SegmentRef<'_>) -> bool {
        seg.has(Ctl::FIN) && seg.seq + (seg.data.len() as u32 + 1) == self.rcv_nxt
    }

    /// TIME-WAIT "acknowledge it, and restart the 2 MSL timeout" (§3.10.7.4 eighth step). The
    /// retransmitted FIN lies below RCV.NXT, so the first step meets it; the restart is done
    /// there, where the acknowledgment is sent. T7 ablated: no restart.
    fn restart_time_wait(&mut self, cfg: &Config, out: &mut Outputs) {
        if cfg.mechanisms.on(Mechanism::TimeWaitRestart) {
            out.signals.push(Signal::TimeWaitStarted);
        }
    }

    /// Enter TIME-WAIT and start its 2·MSL timer (MUST-13); without TIME-WAIT (T4) the TCB is
    /// deleted at once.
    pub(crate) fn enter_time_wait(&mut self, cfg: &Config, out: &mut Outputs) {
        if cfg.mechanisms.on(Mechanism::TimeWait) {
            self.state = State::TimeWait;
            out.signals.push(Signal::TimeWaitStarted);
        } else {
            self.delete();
            out.signals.push(Signal::Closed);
        }
    }
}
