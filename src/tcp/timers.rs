//! Timeouts (RFC 9293 §3.10.8): retransmission and TIME-WAIT.
//!
//! When a timer fires is the caller's decision (the stack reads a clock, a model enumerates
//! the moments); what firing does is decided here. The user timeout is expressed as a bound on
//! consecutive retransmissions (R2 of §3.8.3).

use super::mechanisms::{Config, Mechanism};
use super::segment::Ctl;
use super::state::State;
use super::tcb::{Event, Outputs, Tcb};

impl Tcb {
    /// The retransmission timer expired: resend the earliest unacknowledged segment (the SYN,
    /// the SYN,ACK, or text from SND.UNA with the FIN if it fits). After
    /// `max_retransmits` consecutive retransmissions the connection is aborted with "connection
    /// aborted due to user timeout" (§3.8.3 R2). With T17 ablated, nothing is retransmitted
    /// once the peer's FIN has been received (CLOSE-WAIT, LAST-ACK).
    pub fn on_retransmit_timeout(&mut self, cfg: &Config) -> Outputs {
        let mut out = Outputs::default();
        if !self.has_unacked() {
            return out;
        }
        if matches!(self.state, State::CloseWait | State::LastAck)
            && !cfg.mechanisms.on(Mechanism::RetransmitAfterFinReceived)
        {
            return out;
        }
        if self.retransmits >= cfg.max_retransmits {
            self.delete();
            out.events.push(Event::TimedOut);
            return out;
        }
        self.retransmits += 1;
        out.events.push(Event::Retransmitted);
        if !self.syn_acked() {
            out.segments.push(self.syn_segment());
            return out;
        }
        let in_flight = self.sent_len();
        let n = in_flight.min(usize::from(cfg.mss));
        let fin = self.fin_sent && n == in_flight;
        let ctl = if fin { Ctl::ACK | Ctl::FIN } else { Ctl::ACK };
        let data = self.send_text(0, n);
        out.segments.push(self.segment(self.snd_una, ctl, data));
        out
    }

    /// The 2·MSL TIME-WAIT timer expired: delete the TCB (§3.10.8).
    pub fn on_time_wait_timeout(&mut self) -> Outputs {
        let mut out = Outputs::default();
        if self.state == State::TimeWait {
            self.delete();
            out.events.push(Event::Closed);
        }
        out
    }
}
