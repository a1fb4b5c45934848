//! User calls: OPEN, SEND, CLOSE, ABORT (RFC 9293 §3.10.1, §3.10.2, §3.10.4, §3.10.5).
//!
//! The ISN of an active OPEN is an argument: choosing it (a clock plus a keyed hash, §3.4.1)
//! is the caller's business, so the rules stay free of clocks and randomness.

use super::mechanisms::Config;
use super::segment::Ctl;
use super::seq::Seq;
use super::state::State;
use super::tcb::{Outputs, Signal, Tcb, UserError};

impl Tcb {
    /// Passive OPEN (§3.10.1): CLOSED → LISTEN.
    pub fn open_passive(&mut self, cfg: &Config) -> Outputs {
        let mut out = Outputs::default();
        if self.state != State::Closed {
            out.signals
                .push(Signal::Error(UserError::ConnectionAlreadyExists));
            return out;
        }
        self.state = State::Listen;
        self.passive = true;
        self.rcv_wnd = cfg.rcv_wnd;
        out
    }

    /// Active OPEN with initial send sequence number `iss` (§3.10.1): CLOSED (or LISTEN, which
    /// then becomes an active open) → SYN-SENT, sending `<SEQ=ISS><CTL=SYN>`.
    pub fn open_active(&mut self, iss: Seq, cfg: &Config) -> Outputs {
        let mut out = Outputs::default();
        if !matches!(self.state, State::Closed | State::Listen) {
            out.signals
                .push(Signal::Error(UserError::ConnectionAlreadyExists));
            return out;
        }
        let send_buf = std::mem::take(&mut self.send_buf);
        *self = Tcb {
            state: State::SynSent,
            passive: false,
            iss,
            snd_una: iss,
            snd_nxt: iss + Tcb::syn_len(cfg),
            rcv_wnd: cfg.rcv_wnd,
            send_buf,
            syn_opt: Tcb::offer(cfg),
            ..Tcb::closed()
        };
        out.segments.push(self.syn_segment());
        out
    }

    /// SEND (§3.10.2): queue `data`; in ESTABLISHED and CLOSE-WAIT segmentize it at once, in
    /// SYN-SENT and SYN-RECEIVED keep it until ESTABLISHED.
    pub fn send(&mut self, data: &[u8], cfg: &Config) -> Outputs {
        let mut out = Outputs::default();
        match self.state {
            State::Closed => out
                .signals
                .push(Signal::Error(UserError::ConnectionDoesNotExist)),
            State::Listen => out
                .signals
                .push(Signal::Error(UserError::ForeignSocketUnspecified)),
            State::SynSent | State::SynReceived => self.send_buf.extend(data),
            State::Established | State::CloseWait => {
                self.send_buf.extend(data);
                self.transmit(cfg, &mut out);
            }
            State::FinWait1
            | State::FinWait2
            | State::Closing
            | State::LastAck
            | State::TimeWait => out
                .signals
                .push(Signal::Error(UserError::ConnectionClosing)),
        }
        out
    }

    /// CLOSE (§3.10.4): "I have no more to send". ESTABLISHED → FIN-WAIT-1 and CLOSE-WAIT →
    /// LAST-ACK, the FIN following all queued text. SYN-RECEIVED with nothing queued sends
    /// its FIN at once and enters FIN-WAIT-1. With text queued the RFC holds the CLOSE until
    /// ESTABLISHED; here SYN-RECEIVED enters FIN-WAIT-1 at once and the text, then the FIN,
    /// go out when our SYN is acknowledged. LISTEN and SYN-SENT simply delete the TCB.
    pub fn close(&mut self, cfg: &Config) -> Outputs {
        let mut out = Outputs::default();
        match self.state {
            State::Closed => out
                .signals
                .push(Signal::Error(UserError::ConnectionDoesNotExist)),
            State::Listen | State::SynSent => self.delete(),
            State::SynReceived if self.send_buf.is_empty() => {
                self.state = State::FinWait1;
                let fin = self.segment(self.snd_nxt, Ctl::FIN | Ctl::ACK, Vec::new());
                out.segments.push(fin);
                self.snd_nxt = self.snd_nxt + 1;
                self.fin_sent = true;
            }
            State::SynReceived | State::Established => {
                self.state = State::FinWait1;
                self.transmit(cfg, &mut out);
            }
            State::CloseWait => {
                self.state = State::LastAck;
                self.transmit(cfg, &mut out);
            }
            State::FinWait1
            | State::FinWait2
            | State::Closing
            | State::LastAck
            | State::TimeWait => out
                .signals
                .push(Signal::Error(UserError::ConnectionClosing)),
        }
        out
    }

    /// ABORT (§3.10.5): delete the TCB, sending `<SEQ=SND.NXT><CTL=RST>` from SYN-RECEIVED,
    /// ESTABLISHED, FIN-WAIT-1, FIN-WAIT-2 and CLOSE-WAIT.
    pub fn abort(&mut self) -> Outputs {
        let mut out = Outputs::default();
        match self.state {
            State::Closed => out
                .signals
                .push(Signal::Error(UserError::ConnectionDoesNotExist)),
            State::SynReceived
            | State::Established
            | State::FinWait1
            | State::FinWait2
            | State::CloseWait => {
                out.segments
                    .push(self.segment(self.snd_nxt, Ctl::RST, Vec::new()));
            }
            State::Listen | State::SynSent | State::Closing | State::LastAck | State::TimeWait => {}
        }
        if self.state != State::Closed {
            self.delete();
        }
        out
    }
}
