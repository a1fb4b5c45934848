//! The common path of the search: a candidate's one deterministic continuation already
//! emits the observed segment, so the search's answer is known without trying the others.
//!
//! [`Judge::explain_all`] on one candidate delivers the pending segments of the peer one at a
//! time and, after each, searches up to [`DEPTH`](super::DEPTH) hidden steps for the
//! observed segment; it also tries the delivery `guided` by the segment's numbers. Here the
//! candidate is advanced in place instead, and only where the answer provably is that one
//! candidate:
//!
//! - Every segment with ACK that hidden steps can make a synchronized connection emit carries
//!   RCV.NXT (no hidden step receives anything), so while RCV.NXT is not the observed
//!   acknowledgment and no queued segment matches, no run of hidden steps explains it: the
//!   next pending segment is delivered.
//! - Text a connection sends comes from its send buffer, so a segment whose text runs past
//!   what is queued is emitted by no timer, window update, CLOSE or ABORT; of the steps of one
//!   level, only the SEND of that text can explain it.
//! - The `guided` delivery (every pending segment but those the observed one shows have not
//!   arrived) is the same run when every pending segment is delivered and none is held back.
//!
//! Anything else (a retransmission, a delayed acknowledgment, a segment held back, a loss)
//! returns `false`, and the full search decides from the beam as it was.

use super::Observed;
use super::search::{Judge, Node, Step, dedup, holds_back, missing_text};
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
    /// `beam` advanced in place to what [`explain_all`](Judge::explain_all) gives for `o`,
    /// when every candidate's answer is known without the search; `false` otherwise (and
    /// `beam` may have been changed).
    pub fn fast_all(&self, beam: &mut Vec<Node>, o: &Observed) -> bool {
        if beam.is_empty() {
            return false;
        }
        for n in beam.iter_mut() {
            if !self.fast(n, o) {
                return false;
            }
        }
        dedup(beam);
        true
    }

    /// One candidate: see the module documentation.
    fn fast(&self, n: &mut Node, o: &Observed) -> bool {
        while self.leading_bare_ack(n) {
            self.deliver_next(n);
            if holds_back(n, o) {
                return false;
            }
        }
        loop {
            match self.quick(n, o) {
                // With segments still pending, the guided delivery would deliver them too.
                Quick::Found => return n.cand.pending.is_empty(),
                Quick::None => {
                    if !self.deliver_next(n) || holds_back(n, o) {
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
            n.cand.queue.drain(..=at);
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
                n.cand.queue.drain(..=at);
                Quick::Found
            }
            None => Quick::Unknown,
        }
    }
}
