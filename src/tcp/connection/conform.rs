//! What `crate::conform` needs of a [`Connection`] beyond the user calls, timers and arrivals:
//! the one choice a receiver makes that no input of RFC 9293's interface shows, the moment it
//! re-offers its window (§3.8.6.2.2). A capture does not show the receive buffer or when the
//! application read from it, so a window update may go out between any two inputs.

use super::Connection;
use crate::tcp::State;

impl Connection {
    /// Queues `<SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>`, a window update (RFC 9293 §3.8.6.2.2:
    /// the receiver re-offers its window when the application has read), in a synchronized
    /// state other than TIME-WAIT (which has no window to offer); returns whether it did.
    /// Such an update occupies no sequence space and changes no timer. For the conformance
    /// checker, whose search stands in for the reads a capture does not show.
    pub fn queue_window_update(&mut self) -> bool {
        if !self.tcb.state.is_synchronized() || self.tcb.state == State::TimeWait {
            return false;
        }
        let seg = self.tcb.ack_segment();
        self.transmit.push_back(seg);
        true
    }
}

impl Connection {
    /// SEND of `data` that the TCP holds instead of sending at once, then CLOSE: the text and
    /// the FIN go out together, as far as the window allows. RFC 9293 §3.9.1.2 lets a TCP
    /// collect the user's text and send it "at its own convenience" (only PUSH obliges it to
    /// send promptly, §3.9.1.2 and §3.8.6.2.1), so a SEND just before a CLOSE may share the
    /// FIN's segment. Returns whether both calls were accepted.
    pub fn send_held_then_close(&mut self, now: std::time::Duration, data: &[u8]) -> bool {
        if !matches!(
            self.tcb.state,
            State::SynSent | State::SynReceived | State::Established | State::CloseWait
        ) {
            return false;
        }
        self.tcb.send_buf.extend(data);
        self.close(now).is_ok()
    }
}

impl Connection {
    /// RECEIVE of everything delivered so far, the text thrown away: what
    /// [`read_to_vec`](Connection::read_to_vec) does, without copying the text out. Returns how
    /// many octets were read. For the conformance checker, whose candidates read at once and
    /// never look at what they read.
    pub fn discard_received(&mut self, now: std::time::Duration) -> usize {
        let n = self.rx.len() - self.rx_read;
        self.consume(now, n);
        n
    }
}
