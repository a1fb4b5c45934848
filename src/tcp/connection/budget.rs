//! The host's memory budget for out-of-order text, applied by the connection (issue 17
//! item 2).
//!
//! Each connection holds out of order at most what it offered (RFC 9293 §3.8.6: the window is
//! "the amount of data the receiver is willing to accept"; `Mechanism::ReassemblyBound`).
//! A host with many connections also bounds their sum; it computes each connection's share
//! of what is left and passes it in as an allowance before a segment arrives. Which segment
//! would be held out of order is the connection's knowledge, so the rule is here: a text
//! segment that would be held beyond the allowance is dropped whole before it is processed,
//! as a host out of buffer memory drops a packet (the peer's retransmission, or its SACK
//! recovery, sends it again once the gap before it is filled and the queues have drained).
//! Text at RCV.NXT is never refused: it delivers, and only shrinks the queue.

use super::{Connection, SegmentRef};
use crate::tcp::segment::Ctl;

impl Connection {
    /// Sets the most octets this connection's reassembly queue may hold from the next
    /// segment on (`None`: only the window bounds it). A host with a memory budget for
    /// out-of-order text sets it before every arrival to the budget less what its other
    /// connections hold; a segment refused for it is witnessed as
    /// [`Witness::ReassemblyBudget`](super::Witness::ReassemblyBudget).
    pub fn set_reassembly_allowance(&mut self, octets: Option<usize>) {
        self.reassembly_allowance = octets;
    }

    /// Whether `seg` is a text segment (no SYN, no RST) that begins beyond RCV.NXT within the
    /// receive window, so would be held out of order, and whose text would take the queue
    /// beyond the allowance (counted whole: text overlapping what is held is counted too).
    pub(super) fn over_reassembly_allowance(&self, seg: SegmentRef<'_>) -> bool {
        let Some(limit) = self.reassembly_allowance else {
            return false;
        };
        let t = &self.tcb;
        !seg.data.is_empty()
            && !seg.has(Ctl::SYN)
            && !seg.has(Ctl::RST)
            && t.state.is_synchronized()
            && seg.seq.gt(t.rcv_nxt)
            && seg.seq.lt(t.rcv_nxt + t.rcv_wnd)
            && t.rcv_queue.octets() + seg.data.len() > limit
    }
}

#[cfg(test)]
mod tests {
    use crate::tcp::{Config, Connection, Segment, Seq, State, Synchronized, Witness};
    use std::time::Duration;

    #[test]
    fn out_of_order_text_beyond_the_allowance_is_dropped_and_in_order_text_never_is() {
        let now = Duration::ZERO;
        let mut b = Connection::synchronized(
            Config::default(),
            Synchronized {
                state: State::Established,
                iss: Seq(300),
                irs: Seq(100),
                snd_wnd: 1000,
                peer_mss: None,
            },
        );
        b.set_reassembly_allowance(Some(10));
        let text = |seq: u32, t: &[u8]| Segment::text(Seq(seq), Seq(301), 1000, t);
        let w = b.on_segment(now, &text(111, b"0123456789"));
        assert!(w.has(Witness::Queued));
        assert_eq!(b.tcb().rcv_queue.octets(), 10);
        let w = b.on_segment(now, &text(131, b"x"));
        assert!(w.has(Witness::ReassemblyBudget) && !w.has(Witness::Queued));
        assert_eq!(b.tcb().rcv_queue.octets(), 10);
        assert_eq!(b.poll_transmit(now).map(|s| s.ack), Some(Seq(101)));
        assert!(
            b.poll_transmit(now).is_none(),
            "dropped before processing: no ACK"
        );
        // Text at RCV.NXT is always taken, and delivers what was held.
        let w = b.on_segment(now, &text(101, b"abcdefghij"));
        assert!(!w.has(Witness::ReassemblyBudget));
        assert_eq!(b.read_to_vec(now), b"abcdefghij0123456789");
        b.set_reassembly_allowance(None);
        assert!(b.on_segment(now, &text(131, b"x")).has(Witness::Queued));
    }
}
