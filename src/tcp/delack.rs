//! Delayed acknowledgments: when the ACK of arriving text may wait (RFC 9293 §3.8.6.3,
//! RFC 1122 §4.2.3.2, RFC 5681 §4.2).
//!
//! "A TCP endpoint SHOULD implement a delayed ACK (SHLD-18), but an ACK should not be
//! excessively delayed; in particular, the delay MUST be less than 0.5 seconds (MUST-40). An
//! ACK SHOULD be generated for at least every second full-sized segment or 2*RMSS bytes of new
//! data (SHLD-19)." RFC 5681 §4.2 adds which segments are acknowledged at once: an
//! out-of-order segment (above a gap, or old), and one that fills all or part of a gap.
//!
//! The rule, when [`Config::delayed_ack`] is on:
//!
//! - an in-order segment whose text is taken whole, with no gap before or after it, and with
//!   no acknowledgment already owed, is not acknowledged yet: [`Tcb::ack_delayed`] is set;
//! - the next such segment is acknowledged at once, with the first: an ACK for every second
//!   segment, whatever its size, which RFC 5681 §4.2 deems compliant with SHLD-19;
//! - every other segment that calls for an acknowledgment gets it at once: out of order,
//!   filling a gap, carrying a FIN (or a SYN), or with text beyond the window;
//! - any segment we send carries RCV.NXT and so ends the deferral (the acknowledgment
//!   "piggybacked on a segment being transmitted", §3.10.7.4 seventh step);
//! - otherwise the connection's delayed-ACK timer, started when the deferral began and never
//!   restarted by a later segment, sends it: [`Tcb::on_delayed_ack_timeout`], at most
//!   [`Config::ack_delay`] (40 ms by default, Linux's minimum) after the
//!   first unacknowledged segment arrived (MUST-40; RFC 5681 §4.2: "within 500 ms of the
//!   arrival of the first unacknowledged packet").
//!
//! This is how the connection aggregates acknowledgments, as §3.10.7.4 requires "whenever
//! possible" (MUST-58). MUST-59 (a series of queued segments is processed before any ACK is
//! sent) is met only pairwise: each segment's acknowledgment is decided as it is processed,
//! one segment per call (listed in `crate::deviations`).
//!
//! The timer itself is [`crate::tcp::Connection`]'s: it runs exactly while
//! [`Tcb::ack_delayed`] says an acknowledgment is owed.

use super::mechanisms::Config;
use super::segment::{Ctl, SegmentRef};
use super::seq::Seq;
use super::state::State;
use super::tcb::{Outputs, Tcb};

/// What the seventh step of §3.10.7.4 did with the text of one segment: what the delayed-ACK
/// rule needs to know besides the segment.
#[derive(Clone, Copy, Debug)]
pub(crate) struct TextArrival {
    /// RCV.NXT before the segment's text was taken.
    pub(crate) rcv_nxt_before: Seq,
    /// Whether text or a FIN was held beyond a gap before the segment arrived.
    pub(crate) gap_before: bool,
    /// Octets delivered in this step (the segment's own text, and held text it released).
    pub(crate) delivered: usize,
}

impl Tcb {
    /// Whether an acknowledgment is owed and deferred: the caller's delayed-ACK timer runs
    /// exactly then.
    pub fn ack_delayed(&self) -> bool {
        self.ack_delayed
    }

    /// The acknowledgment that the seventh (or eighth) step of §3.10.7.4 owes for `seg`, when
    /// no segment of ours is going out to carry it: sent at once, or deferred by the rule of
    /// this module.
    pub(crate) fn acknowledge(
        &mut self,
        seg: SegmentRef<'_>,
        arrival: TextArrival,
        cfg: &Config,
        out: &mut Outputs,
    ) {
        if self.ack_may_wait(seg, arrival, cfg) {
            self.ack_delayed = true;
        } else {
            out.segments.push(self.ack_segment());
        }
    }

    /// Whether the acknowledgment of `seg` may wait: delayed ACK is on, none is owed yet (the
    /// second segment is acknowledged at once, SHLD-19), and the segment is in order (SEG.SEQ
    /// was RCV.NXT), carries text that was all taken, neither SYN nor FIN, and neither filled
    /// a gap nor left one behind it (RFC 5681 §4.2).
    fn ack_may_wait(&self, seg: SegmentRef<'_>, arrival: TextArrival, cfg: &Config) -> bool {
        let in_order = seg.seq == arrival.rcv_nxt_before && !seg.data.is_empty();
        let taken_whole = arrival.delivered == seg.data.len();
        let no_gap = !arrival.gap_before && self.rcv_queue.is_empty() && self.rcv_fin.is_none();
        let plain = !seg.has(Ctl::FIN) && !seg.has(Ctl::SYN);
        cfg.delayed_ack && !self.ack_delayed && in_order && taken_whole && no_gap && plain
    }

    /// The delayed-ACK timer expired: send the deferred acknowledgment,
    /// `<SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>`, if one is still owed (RFC 9293 §3.8.6.3,
    /// MUST-40). Nothing if a segment we sent since has carried it.
    pub fn on_delayed_ack_timeout(&mut self) -> Outputs {
        let mut out = Outputs::default();
        if self.ack_delayed && self.state != State::Closed {
            out.segments.push(self.ack_segment());
        }
        self.ack_delayed = false;
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tcp::{Segment, Signal};

    const MSS: u16 = 100;

    fn cfg() -> Config {
        Config {
            mss: MSS,
            delayed_ack: true,
            ..Config::default()
        }
    }

    /// Two ESTABLISHED endpoints: `a` (ISS 99) sends, `b` (ISS 499) receives.
    fn established(cfg: &Config) -> (Tcb, Tcb) {
        let (mut a, mut b) = (Tcb::closed(), Tcb::closed());
        b.open_passive(cfg);
        let syn = a.open_active(Seq(99), cfg).segments.remove(0);
        let syn_ack = b.on_segment(&syn, Seq(499), cfg).segments.remove(0);
        let ack = a.on_segment(&syn_ack, Seq(0), cfg).segments.remove(0);
        b.on_segment(&ack, Seq(0), cfg);
        assert_eq!((a.state, b.state), (State::Established, State::Established));
        assert!(!b.ack_delayed(), "the handshake's ACK is never deferred");
        (a, b)
    }

    /// `n` full-sized segments from `a`.
    fn full_segments(a: &mut Tcb, n: usize, cfg: &Config) -> Vec<Segment> {
        let segs = a.send(&vec![7; n * usize::from(MSS)], cfg).segments;
        assert_eq!(segs.len(), n);
        segs
    }

    #[test]
    fn a_lone_in_order_segment_is_not_acknowledged_yet() {
        let cfg = cfg();
        let (mut a, mut b) = established(&cfg);
        let seg = full_segments(&mut a, 1, &cfg).remove(0);
        let out = b.on_segment(&seg, Seq(0), &cfg);
        assert_eq!(out.delivered.len(), usize::from(MSS));
        assert!(out.segments.is_empty());
        assert!(b.ack_delayed());
    }

    #[test]
    fn the_second_full_sized_segment_is_acknowledged_at_once_with_the_first() {
        let cfg = cfg();
        let (mut a, mut b) = established(&cfg);
        let segs = full_segments(&mut a, 4, &cfg);
        let acks: Vec<Vec<Segment>> = segs
            .iter()
            .map(|s| b.on_segment(s, Seq(0), &cfg).segments)
            .collect();
        assert!(acks[0].is_empty() && acks[2].is_empty());
        assert_eq!(acks[1][0].to_string(), "<SEQ=500><ACK=300><CTL=ACK>");
        assert_eq!(acks[3][0].to_string(), "<SEQ=500><ACK=500><CTL=ACK>");
        assert!(!b.ack_delayed());
    }

    #[test]
    fn an_out_of_order_segment_is_acknowledged_at_once() {
        // RFC 5681 §4.2: the duplicate ACK the sender's fast retransmit counts on.
        let cfg = cfg();
        let (mut a, mut b) = established(&cfg);
        let segs = full_segments(&mut a, 2, &cfg);
        let out = b.on_segment(&segs[1], Seq(0), &cfg);
        assert!(out.has(Signal::Queued));
        assert_eq!(out.segments[0].to_string(), "<SEQ=500><ACK=100><CTL=ACK>");
        assert!(!b.ack_delayed());
    }

    #[test]
    fn a_segment_that_fills_a_gap_is_acknowledged_at_once() {
        let cfg = cfg();
        let (mut a, mut b) = established(&cfg);
        let segs = full_segments(&mut a, 3, &cfg);
        b.on_segment(&segs[2], Seq(0), &cfg);
        let out = b.on_segment(&segs[1], Seq(0), &cfg);
        assert_eq!(out.segments[0].ack, Seq(100), "still above a gap");
        let out = b.on_segment(&segs[0], Seq(0), &cfg);
        assert!(out.has(Signal::Reassembled));
        assert_eq!(out.segments[0].to_string(), "<SEQ=500><ACK=400><CTL=ACK>");
        assert!(!b.ack_delayed());
    }

    #[test]
    fn an_old_segment_is_acknowledged_at_once() {
        // A retransmission of text already taken: the sender is recovering.
        let cfg = cfg();
        let (mut a, mut b) = established(&cfg);
        let segs = full_segments(&mut a, 2, &cfg);
        b.on_segment(&segs[0], Seq(0), &cfg);
        b.on_segment(&segs[1], Seq(0), &cfg);
        let out = b.on_segment(&segs[1], Seq(0), &cfg);
        assert_eq!(out.segments[0].to_string(), "<SEQ=500><ACK=300><CTL=ACK>");
    }

    #[test]
    fn a_fin_is_acknowledged_at_once_with_the_deferred_text() {
        let cfg = cfg();
        let (mut a, mut b) = established(&cfg);
        let seg = full_segments(&mut a, 1, &cfg).remove(0);
        b.on_segment(&seg, Seq(0), &cfg);
        assert!(b.ack_delayed());
        let fin = a.close(&cfg).segments.remove(0);
        let out = b.on_segment(&fin, Seq(0), &cfg);
        assert_eq!(b.state, State::CloseWait);
        assert_eq!(out.segments[0].to_string(), "<SEQ=500><ACK=201><CTL=ACK>");
        assert!(!b.ack_delayed());
    }

    #[test]
    fn text_with_a_fin_is_acknowledged_at_once() {
        let cfg = cfg();
        let (a, mut b) = established(&cfg);
        let data_fin =
            Segment::text(a.snd_nxt, b.snd_nxt, 1000, b"bye").with_ctl(Ctl::ACK | Ctl::FIN);
        let out = b.on_segment(&data_fin, Seq(0), &cfg);
        assert_eq!(b.state, State::CloseWait);
        assert_eq!(out.segments[0].to_string(), "<SEQ=500><ACK=104><CTL=ACK>");
        assert!(!b.ack_delayed());
    }

    #[test]
    fn the_timer_sends_the_deferred_acknowledgment_once() {
        let cfg = cfg();
        let (mut a, mut b) = established(&cfg);
        let seg = full_segments(&mut a, 1, &cfg).remove(0);
        b.on_segment(&seg, Seq(0), &cfg);
        let out = b.on_delayed_ack_timeout();
        assert_eq!(out.segments[0].to_string(), "<SEQ=500><ACK=200><CTL=ACK>");
        assert!(!b.ack_delayed());
        assert!(
            b.on_delayed_ack_timeout().segments.is_empty(),
            "nothing owed"
        );
    }

    #[test]
    fn a_segment_we_send_carries_the_acknowledgment_and_ends_the_deferral() {
        let cfg = cfg();
        let (mut a, mut b) = established(&cfg);
        let seg = full_segments(&mut a, 1, &cfg).remove(0);
        b.on_segment(&seg, Seq(0), &cfg);
        let reply = b.send(b"ok", &cfg).segments.remove(0);
        assert_eq!(reply.to_string(), "<SEQ=500><ACK=200><CTL=ACK><DATA=ok>");
        assert!(!b.ack_delayed());
        assert!(b.on_delayed_ack_timeout().segments.is_empty());
    }

    #[test]
    fn text_that_arrives_while_we_have_text_to_send_is_acknowledged_by_it() {
        // The peer's segment opens our send window: our queued text goes out and carries the
        // acknowledgment, so none is deferred.
        let cfg = cfg();
        let (mut a, mut b) = established(&cfg);
        let seg = full_segments(&mut a, 1, &cfg).remove(0);
        b.snd_wnd = 0;
        assert!(b.send(b"later", &cfg).segments.is_empty(), "zero window");
        let opens = Segment { wnd: 1000, ..seg };
        let out = b.on_segment(&opens, Seq(0), &cfg);
        assert_eq!(
            out.segments[0].to_string(),
            "<SEQ=500><ACK=200><CTL=ACK><DATA=later>"
        );
        assert!(!b.ack_delayed());
    }

    #[test]
    fn text_beyond_the_window_is_acknowledged_at_once() {
        let cfg = cfg();
        let (mut a, mut b) = established(&cfg);
        let seg = full_segments(&mut a, 1, &cfg).remove(0);
        b.offer_window(60, &mut []);
        let out = b.on_segment(&seg, Seq(0), &cfg);
        assert_eq!(out.delivered.len(), 60, "trimmed to the window");
        assert_eq!(out.segments[0].ack, Seq(160));
    }

    #[test]
    fn without_delayed_ack_every_segment_is_acknowledged_at_once() {
        let cfg = Config {
            delayed_ack: false,
            ..cfg()
        };
        let (mut a, mut b) = established(&cfg);
        for seg in full_segments(&mut a, 3, &cfg) {
            assert_eq!(b.on_segment(&seg, Seq(0), &cfg).segments.len(), 1);
            assert!(!b.ack_delayed());
        }
    }
}
