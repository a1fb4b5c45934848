//! The common path of the search: a candidate's one deterministic continuation (the peer's
//! segments delivered in order, as few as needed, and for new text the SEND of it) emits the
//! observed segment. Then that continuation is the candidate's successor, made in place, and
//! the alternatives the full search would also keep for it (the `guided` delivery with some
//! segments late or lost, other hidden steps of the same length) are not made: they are
//! needed only when the capture later contradicts the continuation, and then the candidate's
//! successor is searched for in full from where it was (see `search`).
//!
//! The continuation is the one the full search finds first, found with a proof that nothing
//! shorter exists rather than by trying:
//!
//! - Every segment with ACK that hidden steps can make a synchronized connection emit carries
//!   RCV.NXT (no hidden step receives anything), so while RCV.NXT is not the observed
//!   acknowledgment and no queued segment matches, no run of hidden steps explains it: the
//!   next pending segment is delivered.
//! - Text a connection sends comes from its send buffer, so a segment whose text runs past
//!   what is queued is emitted by no timer, window update, CLOSE or ABORT; of the steps of one
//!   level, only the SEND of that text can explain it.
//!
//! Anything else (a retransmission, a delayed acknowledgment, a handshake, a loss) returns
//! `false`, and the full search decides.

use super::Observed;
use super::search::{Judge, Node, Step, missing_text};
use crate::tcp::Ctl;

/// What [`Judge::quick`] found.
enum Quick {
    /// The candidate, advanced in place, is the one explanation with no more segments
    /// delivered.
    Found,
    /// No run of hidden steps explains the segment with no more delivered.
    None,
    /// The full search must decide (the candidate may have been changed).
    Unknown,
}

impl Judge {
    /// `n` advanced in place by its deterministic continuation to the observed `o`: the
    /// leading bare acknowledgments delivered, then as few pending segments as let it emit
    /// `o` with no hidden step (or, for new text, with the SEND of it); `false` when that
    /// does not explain `o` (and `n` may have been changed).
    pub fn fast(&self, n: &mut Node, o: &Observed) -> bool {
        while self.leading_bare_ack(n) {
            self.deliver_next(n);
        }
        loop {
            match self.quick(n, o) {
                Quick::Found => return true,
                Quick::None => {
                    if !self.deliver_next(n) {
                        return false;
                    }
                }
                Quick::Unknown => return false,
            }
        }
    }

    /// `explain(n, o)` with no more segments delivered, when it is `n` itself or nothing.
    fn quick(&self, n: &mut Node, o: &Observed) -> Quick {
        if let Some(at) = n.cand.queue.iter().position(|e| super::same(e, o)) {
            n.take_queued(at);
            return Quick::Found;
        }
        let t = n.cand.conn.tcb();
        if !t.state.is_synchronized() || !o.seg.has(Ctl::ACK) {
            return Quick::Unknown;
        }
        if t.rcv_nxt != o.seg.ack {
            return Quick::None;
        }
        let plain = !o.seg.has(Ctl::SYN) && !o.seg.has(Ctl::FIN) && !o.seg.has(Ctl::RST);
        if !plain || o.seg.data.is_empty() || missing_text(&n.cand.conn, o).is_none() {
            return Quick::Unknown;
        }
        if !self.apply(n, Step::Send, o) {
            return Quick::Unknown;
        }
        match n.cand.queue.iter().position(|e| super::same(e, o)) {
            Some(at) => {
                n.take_queued(at);
                Quick::Found
            }
            None => Quick::Unknown,
        }
    }
}
