//! Loss recovery besides the retransmission timer: fast retransmit (RFC 5681 §3.2) on the
//! duplicate acknowledgment of RFC 5681 §2, and NewReno's response to partial
//! acknowledgments (RFC 6582 §3.2).
//!
//! A receiver sends an immediate duplicate ACK for every segment that arrives out of order
//! (RFC 5681 §3.2 and §4.2; here RFC 9293 §3.10.7.4 seventh step). Three of them in a row tell the sender
//! that the segment at SND.UNA was most likely lost, and it resends that segment at once
//! instead of waiting for the retransmission timer. When more than one segment of a window
//! was lost, the acknowledgment of the resent segment advances SND.UNA only to the next hole
//! (a "partial acknowledgment"), and the segment there is resent at once as well.
//!
//! Pure rules, no I/O and no clock:
//!
//! - [`Tcb::is_duplicate_ack`]: the five conditions (a)–(e) of the definition in RFC 5681
//!   §2, judged against the TCB *before* the segment is processed;
//! - [`Recovery::on_ack`]: the count of duplicate ACKs "without any intervening ACKs which
//!   move SND.UNA", the third one as the trigger (RFC 5681 §3.2), NewReno's `recover` point
//!   and the partial acknowledgments before it (RFC 6582 §3.2);
//! - [`Recovery::on_retransmit_timeout`]: what a timer retransmission does to that state;
//! - [`Tcb::fast_retransmit`]: "the lost segment starting at SND.UNA MUST be retransmitted"
//!   (RFC 5681 §3.2 step 3), the very segment the retransmission timer would resend (RFC 6298
//!   (5.4)).
//!
//! The [`Recovery`] state lives outside the [`Tcb`] (the stack keeps one per connection), so
//! the control block that the models enumerate is unchanged. What RFC 5681 §3.2 and RFC 6582
//! do to the congestion window (ssthresh, inflating and deflating cwnd) is left out: this
//! crate keeps no congestion window (see `crate::deviations`), and the sender keeps filling
//! the peer's offered window.

use super::mechanisms::Config;
use super::segment::{Ctl, SegmentRef};
use super::seq::Seq;
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
    pub fn is_duplicate_ack<'a>(&self, seg: impl Into<SegmentRef<'a>>, cfg: &Config) -> bool {
        let seg = seg.into();
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
    /// fits, chosen exactly as the retransmission timer chooses it. The response to a partial
    /// acknowledgment (RFC 6582 §3.2, "retransmit the first unacknowledged segment") sends
    /// the same. Nothing else changes: the count of consecutive timer retransmissions (RFC
    /// 9293 §3.8.3 R2) and the retransmission timer are left alone. Nothing is sent when
    /// nothing beyond our SYN is outstanding, or when retransmission is not allowed (T17
    /// ablated, after the peer's FIN).
    pub fn fast_retransmit(&mut self, cfg: &Config) -> Outputs {
        let mut out = Outputs::default();
        if self.syn_acked() && self.may_retransmit(cfg) {
            out.segments.push(self.earliest_unacked_segment(cfg));
        }
        out
    }
}

/// Why [`Recovery::on_ack`] asks for the segment at SND.UNA to be sent again.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Resend {
    /// The third duplicate ACK: fast retransmit (RFC 5681 §3.2).
    FastRetransmit,
    /// A partial acknowledgment during recovery (RFC 6582 §3.2).
    PartialAck,
}

/// A sender's loss-recovery state, kept per connection beside the [`Tcb`]: the count of
/// consecutive duplicate ACKs (RFC 5681 §3.2) and NewReno's `recover` (RFC 6582 §3.2).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Recovery {
    dup_acks: u32,
    /// One past the highest sequence number sent when the last recovery began (SND.NXT then):
    /// RFC 6582's `recover` plus one. `None` before any recovery, where RFC 6582 starts
    /// `recover` at the ISS, which every acknowledgment covers.
    recover: Option<Seq>,
    /// Whether a recovery is in progress: something was resent, and not everything sent
    /// before that is acknowledged yet.
    in_recovery: bool,
}

impl Recovery {
    /// Duplicate ACKs received since SND.UNA last moved.
    pub fn dup_acks(&self) -> u32 {
        self.dup_acks
    }

    /// Whether a recovery is in progress (after a fast retransmit or a timer retransmission,
    /// until SND.UNA reaches the recovery point).
    pub fn in_recovery(&self) -> bool {
        self.in_recovery
    }

    /// An arriving segment has been processed; `tcb` is the state after it. `duplicate` is
    /// what [`Tcb::is_duplicate_ack`] said of the segment before it was processed;
    /// `snd_una_advanced` whether processing it moved SND.UNA. Returns why the segment at
    /// SND.UNA must now be sent again ([`Tcb::fast_retransmit`]), if it must:
    ///
    /// - An ACK that moves SND.UNA starts the count of duplicates again (RFC 5681 §3.2: "3
    ///   duplicate ACKs ... without any intervening ACKs which move SND.UNA"). During a
    ///   recovery, if it acknowledges everything sent before the recovery began ("a full
    ///   acknowledgment", RFC 6582 §3.2) the recovery ends; if not, it is a partial
    ///   acknowledgment: "retransmit the first unacknowledged segment" ([`Resend::PartialAck`]).
    /// - A duplicate ACK is counted; the third one starts fast retransmit
    ///   ([`Resend::FastRetransmit`]) unless SND.UNA (its cumulative acknowledgment) does not
    ///   "cover more than recover": then the duplicates are echoes of segments sent before the
    ///   last recovery began, and nothing is resent (RFC 6582 §3.2, "Three duplicate ACKs").
    ///   Later duplicates of the same SND.UNA do not trigger it again.
    /// - Any other segment leaves the state as it is (a window update, for instance, which is
    ///   not a duplicate by (e) and does not move SND.UNA).
    pub fn on_ack(&mut self, duplicate: bool, snd_una_advanced: bool, tcb: &Tcb) -> Option<Resend> {
        if snd_una_advanced {
            self.dup_acks = 0;
            if !self.in_recovery {
                return None;
            }
            let full = !tcb.has_unacked() || self.recover.is_none_or(|r| tcb.snd_una.ge(r));
            if full {
                self.in_recovery = false;
                return None;
            }
            return Some(Resend::PartialAck);
        }
        if !duplicate {
            return None;
        }
        self.dup_acks = self.dup_acks.saturating_add(1);
        let covers_recover = self.recover.is_none_or(|r| tcb.snd_una.ge(r));
        if self.dup_acks == DUPLICATE_ACK_THRESHOLD && covers_recover {
            self.recover = Some(tcb.snd_nxt);
            self.in_recovery = true;
            return Some(Resend::FastRetransmit);
        }
        None
    }

    /// The retransmission timer expired and resent the earliest unacknowledged segment
    /// (RFC 6298 (5.4)); `tcb` is the state after it. RFC 6582 §3.2 ("Retransmit timeouts"):
    /// "record the highest sequence number transmitted in the variable recover, and exit the
    /// fast recovery procedure". A recovery to that point begins: with no congestion window
    /// there is no slow start to resend the rest of the window from SND.UNA, so the partial
    /// acknowledgments that follow are answered as RFC 6582 answers them in fast recovery, one
    /// segment at SND.UNA each (a deviation, listed in `crate::deviations`).
    pub fn on_retransmit_timeout(&mut self, tcb: &Tcb) {
        self.recover = Some(tcb.snd_nxt);
        self.in_recovery = tcb.has_unacked();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tcp::{Mechanism, Segment, Seq, State};

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
        ack(a, a.snd_una)
    }

    /// An acknowledgment of `n` from the peer, with the window last offered.
    fn ack(a: &Tcb, n: Seq) -> Segment {
        Segment::control(a.rcv_nxt, n, Ctl::ACK, a.snd_wnd as u16)
    }

    /// The segment `make` builds arrives: judged, processed, then given to the recovery
    /// state, as the stack does.
    fn arrive(
        a: &mut Tcb,
        r: &mut Recovery,
        make: impl Fn(&Tcb) -> Segment,
        cfg: &Config,
    ) -> Option<Resend> {
        let seg = make(a);
        let duplicate = a.is_duplicate_ack(&seg, cfg);
        let snd_una = a.snd_una;
        a.on_segment(&seg, Seq(0), cfg);
        r.on_ack(duplicate, a.snd_una != snd_una, a)
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
            seq: a.rcv_nxt + a.rcv_wnd + 10,
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
            seq: a.rcv_nxt + a.rcv_wnd + 10,
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
        let mut r = Recovery::default();
        let mut resends = Vec::new();
        for _ in 0..5 {
            resends.push(arrive(&mut a, &mut r, dup, &cfg));
        }
        let fast = Some(Resend::FastRetransmit);
        assert_eq!(resends, [None, None, fast, None, None]);
        assert_eq!(r.dup_acks(), 5);
        assert!(r.in_recovery());
    }

    #[test]
    fn an_ack_that_moves_snd_una_starts_the_count_again() {
        let (mut a, cfg) = sender(500, 100);
        let mut r = Recovery::default();
        for _ in 0..2 {
            assert_eq!(arrive(&mut a, &mut r, dup, &cfg), None);
        }
        let moves = |a: &Tcb| ack(a, Seq(200));
        assert_eq!(arrive(&mut a, &mut r, moves, &cfg), None);
        assert_eq!((r.dup_acks(), r.in_recovery()), (0, false));
        for _ in 0..2 {
            assert_eq!(arrive(&mut a, &mut r, dup, &cfg), None);
        }
        assert_eq!(
            arrive(&mut a, &mut r, dup, &cfg),
            Some(Resend::FastRetransmit),
            "three again since SND.UNA moved"
        );
    }

    #[test]
    fn a_segment_that_is_neither_leaves_the_count_alone() {
        // A window update with the same SEG.ACK is no duplicate (e) and does not move SND.UNA.
        let (mut a, cfg) = sender(500, 100);
        let mut r = Recovery::default();
        for _ in 0..2 {
            arrive(&mut a, &mut r, dup, &cfg);
        }
        let update = |a: &Tcb| Segment {
            wnd: WND * 2,
            ..dup(a)
        };
        assert_eq!(arrive(&mut a, &mut r, update, &cfg), None);
        assert_eq!((r.dup_acks(), a.snd_wnd), (2, u32::from(WND) * 2));
        assert_eq!(
            arrive(&mut a, &mut r, dup, &cfg),
            Some(Resend::FastRetransmit)
        );
    }

    #[test]
    fn a_partial_ack_resends_the_next_hole_and_a_full_ack_ends_the_recovery() {
        // [100, 200) and [300, 400) of [100, 1100) are lost. RFC 6582 §3.2: the ACK of the
        // fast retransmit stops at 300, below the recovery point 1100, and 300 is resent.
        let (mut a, cfg) = sender(1000, 100);
        let mut r = Recovery::default();
        for _ in 0..3 {
            arrive(&mut a, &mut r, dup, &cfg);
        }
        let partial = |a: &Tcb| ack(a, Seq(300));
        assert_eq!(
            arrive(&mut a, &mut r, partial, &cfg),
            Some(Resend::PartialAck)
        );
        assert_eq!(a.fast_retransmit(&cfg).segments[0].seq, Seq(300));
        assert!(r.in_recovery());
        for _ in 0..3 {
            assert_eq!(
                arrive(&mut a, &mut r, dup, &cfg),
                None,
                "300 does not cover more than the recovery point: no second fast retransmit"
            );
        }
        let full = |a: &Tcb| ack(a, Seq(1100));
        assert_eq!(arrive(&mut a, &mut r, full, &cfg), None);
        assert!(!r.in_recovery());
    }

    #[test]
    fn a_new_loss_after_the_recovery_point_is_fast_retransmitted_again() {
        let (mut a, cfg) = sender(500, 100);
        let mut r = Recovery::default();
        for _ in 0..3 {
            arrive(&mut a, &mut r, dup, &cfg);
        }
        arrive(&mut a, &mut r, |a| ack(a, Seq(600)), &cfg);
        assert!(!r.in_recovery());
        a.send(&[7; 500], &cfg);
        let fired: Vec<_> = (0..3).map(|_| arrive(&mut a, &mut r, dup, &cfg)).collect();
        assert_eq!(fired, [None, None, Some(Resend::FastRetransmit)]);
    }

    #[test]
    fn after_a_timer_retransmission_partial_acks_resend_and_duplicates_do_not() {
        // RFC 6582 §3.2 "Retransmit timeouts": recover is the highest sequence number sent;
        // the partial acknowledgments up to it each resend the segment at SND.UNA.
        let (mut a, cfg) = sender(500, 100);
        let mut r = Recovery::default();
        assert_eq!(a.on_retransmit_timeout(&cfg).segments[0].seq, Seq(100));
        r.on_retransmit_timeout(&a);
        assert!(r.in_recovery());
        let partial = |a: &Tcb| ack(a, Seq(200));
        assert_eq!(
            arrive(&mut a, &mut r, partial, &cfg),
            Some(Resend::PartialAck)
        );
        let resent: Vec<_> = (0..4).map(|_| arrive(&mut a, &mut r, dup, &cfg)).collect();
        assert_eq!(
            resent, [None::<Resend>; 4],
            "echoes of segments sent before the timeout"
        );
        assert_eq!(arrive(&mut a, &mut r, |a| ack(a, Seq(600)), &cfg), None);
        assert!(!r.in_recovery());
    }

    #[test]
    fn a_timeout_with_nothing_outstanding_starts_no_recovery() {
        let (mut a, cfg) = sender(100, 100);
        let all = ack(&a, Seq(200));
        a.on_segment(&all, Seq(0), &cfg);
        let mut r = Recovery::default();
        r.on_retransmit_timeout(&a);
        assert!(!r.in_recovery());
    }

    #[test]
    fn fast_retransmit_resends_one_mss_from_snd_una_as_the_timer_would() {
        let (mut a, cfg) = sender(500, 100);
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
