//! Fast retransmit (RFC 5681 §3.2), on the duplicate acknowledgment of RFC 5681 §2.
//!
//! A receiver sends an immediate duplicate ACK for every segment that arrives out of order
//! (RFC 5681 §4.2, RFC 9293 §3.10.7.4 seventh step). Three of them in a row tell the sender
//! that the segment at SND.UNA was most likely lost, and it resends that segment at once
//! instead of waiting for the retransmission timer.
//!
//! Three pure rules, no I/O and no clock:
//!
//! - [`Tcb::is_duplicate_ack`]: the five conditions (a)–(e) of the definition in RFC 5681
//!   §2, judged against the TCB *before* the segment is processed;
//! - [`DupAcks::on_ack`]: the count of duplicate ACKs "without any intervening ACKs which move
//!   SND.UNA", and the third one as the trigger (§3.2);
//! - [`Tcb::fast_retransmit`]: "the lost segment starting at SND.UNA MUST be retransmitted"
//!   (§3.2 step 3), the very segment the retransmission timer would resend (RFC 6298 (5.4)).
//!
//! The count lives outside the [`Tcb`] (the stack keeps one [`DupAcks`] per connection), so
//! the control block that the models enumerate is unchanged. The rest of §3.2 (steps 2, 4, 5
//! and 6) adjusts the congestion window, which this crate does not keep (see
//! `crate::deviations`): the sender keeps filling the peer's offered window, and nothing but
//! the segment at SND.UNA is sent again.

use super::mechanisms::Config;
use super::segment::{Ctl, Segment};
use super::tcb::{Outputs, Tcb};

/// The number of duplicate ACKs that triggers fast retransmit: "the arrival of 3 duplicate
/// ACKs" (RFC 5681 §3.2).
pub const DUPLICATE_ACK_THRESHOLD: u32 = 3;

impl Tcb {
    /// Whether `seg`, which has just arrived and is not yet processed, is a duplicate
    /// acknowledgment (RFC 5681 §2): an acknowledgment is a duplicate when
    ///
    /// - (a) the receiver of the ACK has outstanding data: our SYN is acknowledged and
    ///   something after it is not (text, or our FIN, which occupies sequence space and is
    ///   resent like text);
    /// - (b) the incoming acknowledgment carries no data;
    /// - (c) the SYN and FIN bits are both off;
    /// - (d) the acknowledgment number is equal to the greatest acknowledgment received on the
    ///   connection, SND.UNA;
    /// - (e) the advertised window in the incoming acknowledgment equals the advertised window
    ///   in the last incoming acknowledgment. That window is SND.WND: the fifth step of RFC 9293
    ///   §3.10.7.4 takes it from every acknowledgment that is not older than the last update
    ///   (SND.WL1, SND.WL2), which every in-order acknowledgment is.
    ///
    /// "An acknowledgment" is a segment whose ACK field RFC 9293 §3.10.7.4 reads: the ACK bit
    /// is set, and the segment passes the first step (the sequence number check) and is not a
    /// RST, both of which end its processing before the fifth step.
    pub fn is_duplicate_ack(&self, seg: &Segment, cfg: &Config) -> bool {
        let acknowledgment =
            seg.has(Ctl::ACK) && !seg.has(Ctl::RST) && self.passes_sequence_check(seg, cfg);
        let outstanding_data = self.syn_acked() && self.has_unacked();
        let carries_no_data = seg.data.is_empty();
        let no_syn_no_fin = !seg.has(Ctl::SYN) && !seg.has(Ctl::FIN);
        let same_ack = seg.ack == self.snd_una;
        let same_window = u32::from(seg.wnd) == self.snd_wnd;
        acknowledgment
            && outstanding_data
            && carries_no_data
            && no_syn_no_fin
            && same_ack
            && same_window
    }

    /// Fast retransmit (RFC 5681 §3.2 step 3): "The lost segment starting at SND.UNA MUST be
    /// retransmitted": up to one MSS of text from SND.UNA, with our FIN if it was sent and
    /// fits, chosen exactly as the retransmission timer chooses it. Nothing else changes: the
    /// count of consecutive timer retransmissions (RFC 9293 §3.8.3 R2) and the retransmission
    /// timer are left alone. Nothing is sent when nothing beyond our SYN is outstanding, or
    /// when retransmission is not allowed (T17 ablated, after the peer's FIN).
    pub fn fast_retransmit(&self, cfg: &Config) -> Outputs {
        let mut out = Outputs::default();
        if self.syn_acked() && self.may_retransmit(cfg) {
            out.segments.push(self.earliest_unacked_segment(cfg));
        }
        out
    }
}

/// The sender's count of consecutive duplicate ACKs (RFC 5681 §3.2), kept per connection
/// beside the [`Tcb`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct DupAcks {
    count: u32,
}

impl DupAcks {
    /// Duplicate ACKs received since SND.UNA last moved.
    pub fn count(&self) -> u32 {
        self.count
    }

    /// An arriving segment has been processed. `duplicate` is what
    /// [`Tcb::is_duplicate_ack`] said of it before; `snd_una_advanced` whether processing it
    /// moved SND.UNA. An ACK that moves SND.UNA starts the count again (§3.2: "3 duplicate
    /// ACKs ... without any intervening ACKs which move SND.UNA"); any other segment that is
    /// not a duplicate leaves it as it is. Returns true exactly on the third duplicate ACK:
    /// the caller then sends [`Tcb::fast_retransmit`]. Later duplicates of the same SND.UNA
    /// do not trigger it again.
    pub fn on_ack(&mut self, duplicate: bool, snd_una_advanced: bool) -> bool {
        if snd_una_advanced {
            self.count = 0;
            return false;
        }
        if !duplicate {
            return false;
        }
        self.count = self.count.saturating_add(1);
        self.count == DUPLICATE_ACK_THRESHOLD
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tcp::{Mechanism, Seq, State};

    const WND: u16 = 8000;

    /// An ESTABLISHED sender (ISS 99, so SND.UNA = 100) that has sent `sent` octets in
    /// segments of `mss`, with SND.WND = 8000 and RCV.NXT = 501.
    fn sender(sent: usize, mss: u16) -> (Tcb, Config) {
        let cfg = Config {
            mss,
            ..Config::default()
        };
        let mut a = Tcb::closed();
        a.open_active(Seq(99), &cfg);
        let syn_ack = Segment::control(Seq(500), Seq(100), Ctl::SYN | Ctl::ACK, WND);
        a.on_segment(&syn_ack, Seq(0), &cfg);
        assert_eq!(a.state, State::Established);
        let data: Vec<u8> = (0..sent).map(|i| i as u8).collect();
        a.send(&data, &cfg);
        assert_eq!(a.snd_nxt, Seq(100 + sent as u32));
        (a, cfg)
    }

    /// The duplicate ACK the peer sends when a segment beyond a gap at SND.UNA arrives.
    fn dup(a: &Tcb) -> Segment {
        Segment::control(a.rcv_nxt, a.snd_una, Ctl::ACK, WND)
    }

    #[test]
    fn an_ack_meeting_all_five_conditions_is_a_duplicate() {
        let (a, cfg) = sender(300, 100);
        assert!(a.is_duplicate_ack(&dup(&a), &cfg));
    }

    #[test]
    fn a_without_outstanding_data_it_is_not_a_duplicate() {
        // (a): everything sent is acknowledged.
        let (mut a, cfg) = sender(300, 100);
        a.on_segment(
            &Segment::control(Seq(501), Seq(400), Ctl::ACK, WND),
            Seq(0),
            &cfg,
        );
        assert!(!a.has_unacked());
        assert!(!a.is_duplicate_ack(&dup(&a), &cfg));
        // Nor while only our SYN is outstanding.
        let mut b = Tcb::closed();
        b.open_active(Seq(99), &cfg);
        let probe = Segment::control(Seq(0), Seq(99), Ctl::ACK, WND);
        assert!(!b.is_duplicate_ack(&probe, &cfg));
    }

    #[test]
    fn b_an_ack_carrying_data_is_not_a_duplicate() {
        let (a, cfg) = sender(300, 100);
        let with_text = Segment {
            data: b"x".to_vec(),
            ..dup(&a)
        };
        assert!(!a.is_duplicate_ack(&with_text, &cfg));
    }

    #[test]
    fn c_an_ack_with_syn_or_fin_is_not_a_duplicate() {
        let (a, cfg) = sender(300, 100);
        for ctl in [Ctl::ACK | Ctl::FIN, Ctl::ACK | Ctl::SYN] {
            let seg = Segment { ctl, ..dup(&a) };
            assert!(!a.is_duplicate_ack(&seg, &cfg), "{seg}");
        }
    }

    #[test]
    fn d_an_ack_other_than_snd_una_is_not_a_duplicate() {
        let (a, cfg) = sender(300, 100);
        for ack in [Seq(99), Seq(101), Seq(200)] {
            let seg = Segment { ack, ..dup(&a) };
            assert!(!a.is_duplicate_ack(&seg, &cfg), "{seg}");
        }
    }

    #[test]
    fn e_an_ack_with_another_window_is_not_a_duplicate() {
        let (a, cfg) = sender(300, 100);
        let seg = Segment {
            wnd: WND + 1,
            ..dup(&a)
        };
        assert!(!a.is_duplicate_ack(&seg, &cfg));
    }

    #[test]
    fn only_an_acknowledgment_the_tcb_reads_can_be_a_duplicate() {
        let (a, cfg) = sender(300, 100);
        let no_ack_bit = Segment {
            ctl: Ctl::NONE,
            ..dup(&a)
        };
        let rst = Segment {
            ctl: Ctl::ACK | Ctl::RST,
            ..dup(&a)
        };
        let out_of_window = Segment {
            seq: a.rcv_nxt + u32::from(a.rcv_wnd) + 10,
            ..dup(&a)
        };
        for seg in [no_ack_bit, rst, out_of_window] {
            assert!(!a.is_duplicate_ack(&seg, &cfg), "{seg}");
        }
        let unchecked = Config {
            mechanisms: cfg.mechanisms.without(Mechanism::SegmentAcceptability),
            ..cfg
        };
        let out_of_window = Segment {
            seq: a.rcv_nxt + u32::from(a.rcv_wnd) + 10,
            ..dup(&a)
        };
        assert!(
            a.is_duplicate_ack(&out_of_window, &unchecked),
            "T13 ablated: every segment reaches the fifth step"
        );
    }

    #[test]
    fn the_third_duplicate_ack_triggers_fast_retransmit_once() {
        let (mut a, cfg) = sender(500, 100);
        let mut count = DupAcks::default();
        let mut fired = Vec::new();
        for _ in 0..5 {
            let seg = dup(&a);
            let duplicate = a.is_duplicate_ack(&seg, &cfg);
            let una = a.snd_una;
            let out = a.on_segment(&seg, Seq(0), &cfg);
            assert!(out.segments.is_empty(), "a duplicate ACK is not answered");
            fired.push(count.on_ack(duplicate, a.snd_una != una));
        }
        assert_eq!(fired, [false, false, true, false, false]);
        assert_eq!(count.count(), 5);
    }

    #[test]
    fn an_ack_that_moves_snd_una_starts_the_count_again() {
        let mut count = DupAcks::default();
        assert!(!count.on_ack(true, false));
        assert!(!count.on_ack(true, false));
        assert!(!count.on_ack(false, true), "SND.UNA moved");
        assert_eq!(count.count(), 0);
        assert!(!count.on_ack(true, false));
        assert!(!count.on_ack(true, false));
        assert!(count.on_ack(true, false), "three again since SND.UNA moved");
    }

    #[test]
    fn a_segment_that_is_neither_leaves_the_count_alone() {
        // A window update with the same SEG.ACK is no duplicate (e) and does not move SND.UNA.
        let mut count = DupAcks::default();
        count.on_ack(true, false);
        count.on_ack(true, false);
        assert!(!count.on_ack(false, false));
        assert_eq!(count.count(), 2);
        assert!(count.on_ack(true, false));
    }

    #[test]
    fn fast_retransmit_resends_one_mss_from_snd_una_as_the_timer_would() {
        let (a, cfg) = sender(500, 100);
        let out = a.fast_retransmit(&cfg);
        assert_eq!(out.segments.len(), 1);
        let seg = &out.segments[0];
        assert_eq!((seg.seq, seg.data.len()), (Seq(100), 100));
        assert_eq!(seg.data, (0..100).map(|i| i as u8).collect::<Vec<_>>());
        let mut timer = a.clone();
        assert_eq!(
            timer.on_retransmit_timeout(&cfg).segments,
            out.segments,
            "the same segment as RFC 6298 (5.4)"
        );
        assert_eq!(a.retransmits, 0, "not a timer retransmission");
    }

    #[test]
    fn fast_retransmit_carries_the_fin_when_it_fits() {
        let (mut a, cfg) = sender(50, 100);
        a.close(&cfg);
        assert!(a.fin_sent);
        let seg = a.fast_retransmit(&cfg).segments.remove(0);
        assert!(seg.ctl == Ctl::ACK | Ctl::FIN, "{seg}");
        assert_eq!((seg.seq, seg.data.len()), (Seq(100), 50));
    }

    #[test]
    fn fast_retransmit_sends_nothing_when_nothing_is_outstanding() {
        let (mut a, cfg) = sender(100, 100);
        a.on_segment(
            &Segment::control(Seq(501), Seq(200), Ctl::ACK, WND),
            Seq(0),
            &cfg,
        );
        assert!(a.fast_retransmit(&cfg).segments.is_empty());
        let mut b = Tcb::closed();
        b.open_active(Seq(7), &cfg);
        assert!(
            b.fast_retransmit(&cfg).segments.is_empty(),
            "a SYN is never fast-retransmitted"
        );
    }
}
