//! The retransmission timeout (RFC 6298, required by RFC 9293 §3.8.1, MUST-18 and MUST-19):
//! the SRTT/RTTVAR estimator, Karn's algorithm for taking samples, exponential backoff, and
//! when the retransmission timer runs.
//!
//! Everything here is a pure function of the samples and times the caller passes in: the stack
//! reads its clock, this module decides what the readings mean.

use super::seq::Seq;
use std::time::Duration;

/// Bounds and constants of the estimator (RFC 6298 §2).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct RtoBounds {
    /// The RTO before any sample: 1 s (§2.1, SHOULD).
    pub initial: Duration,
    /// The floor: 1 s (§2.4, SHOULD round up to 1 s).
    pub min: Duration,
    /// The ceiling: at least 60 s (§2.5, MAY place a maximum).
    pub max: Duration,
    /// G, the clock granularity (§2.2).
    pub granularity: Duration,
}

impl Default for RtoBounds {
    fn default() -> Self {
        RtoBounds {
            initial: Duration::from_secs(1),
            min: Duration::from_secs(1),
            max: Duration::from_secs(60),
            granularity: Duration::from_millis(1),
        }
    }
}

/// The estimator: SRTT, RTTVAR and the current (possibly backed-off) RTO.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Rto {
    bounds: RtoBounds,
    srtt: Option<Duration>,
    rttvar: Duration,
    rto: Duration,
    syn_timed_out: bool,
}

impl Rto {
    /// An estimator with no sample yet: RTO = the initial value (§2.1).
    pub fn new(bounds: RtoBounds) -> Rto {
        Rto {
            bounds,
            srtt: None,
            rttvar: Duration::ZERO,
            rto: bounds.initial.clamp(bounds.min, bounds.max),
            syn_timed_out: false,
        }
    }

    /// The current RTO.
    pub fn rto(&self) -> Duration {
        self.rto
    }

    /// The smoothed round-trip time, once a sample was taken.
    pub fn srtt(&self) -> Option<Duration> {
        self.srtt
    }

    /// A new measurement R (§2.2, §2.3): the first sets SRTT = R, RTTVAR = R/2; later ones
    /// update RTTVAR with β = 1/4 (before SRTT) and SRTT with α = 1/8. Then
    /// RTO = SRTT + max(G, 4·RTTVAR), bounded by §2.4 and §2.5. A sample also ends any backoff
    /// (§5.7: the RTO is recomputed from the estimator).
    pub fn on_sample(&mut self, r: Duration) {
        match self.srtt {
            None => {
                self.srtt = Some(r);
                self.rttvar = r / 2;
            }
            Some(srtt) => {
                let diff = srtt.abs_diff(r);
                self.rttvar = self.rttvar * 3 / 4 + diff / 4;
                self.srtt = Some(srtt * 7 / 8 + r / 8);
            }
        }
        let srtt = self.srtt.unwrap_or(r);
        let rto = srtt + (self.rttvar * 4).max(self.bounds.granularity);
        self.rto = rto.clamp(self.bounds.min, self.bounds.max);
    }

    /// The timer expired (§5.5): RTO = RTO · 2, at most the maximum. `during_handshake` says
    /// the segment was our SYN (or SYN,ACK), for §5.7.
    pub fn backoff(&mut self, during_handshake: bool) {
        self.rto = (self.rto * 2).min(self.bounds.max);
        self.syn_timed_out |= during_handshake;
    }

    /// How long after the previous zero-window probe (or, for the first, after the zero
    /// window stopped the text) the next one is sent, when `probes` were sent already
    /// (RFC 9293 §3.8.6.1): the first after the retransmission timeout period (SHLD-29), each
    /// later one after twice the previous interval (SHLD-30), at most the RTO ceiling (§2.5).
    pub fn probe_interval(&self, probes: u32) -> Duration {
        let factor = 1u32.checked_shl(probes.min(31)).unwrap_or(u32::MAX);
        self.rto.saturating_mul(factor).min(self.bounds.max)
    }

    /// The handshake is over (§5.7): if the timer expired awaiting the ACK of our SYN and no
    /// sample was taken since, the RTO MUST be re-initialised to 3 s when data transmission
    /// begins.
    pub fn handshake_done(&mut self) {
        if self.syn_timed_out && self.srtt.is_none() {
            self.rto = Duration::from_secs(3).clamp(self.bounds.min, self.bounds.max);
        }
        self.syn_timed_out = false;
    }
}

/// Karn's algorithm (RFC 6298 §3, RFC 9293 MUST-18): one segment at a time is timed (§3:
/// "one RTT measurement at a time"), and "RTT samples MUST NOT be made using segments that
/// were retransmitted".
///
/// The caller reports every segment that occupies sequence space as it goes out, first
/// transmissions and retransmissions alike ([`on_send`](Self::on_send)), and every
/// advance of SND.UNA ([`on_ack`](Self::on_ack)). The sampler tells them apart by the highest
/// sequence number sent so far (SND.MAX): a segment that starts below it is a retransmission.
///
/// - Only a segment sent for the first time is timed, and only while no other is.
/// - If the timed segment is sent again, its measurement is dropped, and the next segment sent
///   for the first time is timed instead.
/// - A retransmission of another segment does not disturb the running measurement: Karn's
///   algorithm forbids sampling retransmitted segments, not sampling while retransmissions
///   happen. Under steady loss there is nearly always a retransmission between a segment's
///   first transmission and its acknowledgment; dropping the measurement at each of them
///   left the RTO at its backoff for good. Now the next sample recomputes it (RFC 6298 §5,
///   the note after (5.7): "collapsing" the RTO back down). A sample whose acknowledgment
///   waited for an earlier segment to be repaired includes that wait: it can only make the
///   RTO larger, never cause a spurious timeout.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct RttSampler {
    /// The timed segment `[start, end)` and when it was sent.
    timed: Option<(Seq, Seq, Duration)>,
    /// SND.MAX: one past the highest sequence number sent so far.
    snd_max: Option<Seq>,
}

impl RttSampler {
    /// A segment occupying `[seq, end)` in sequence space went out at `now` (SEG.SEQ and
    /// SEG.SEQ + SEG.LEN). A segment that occupies nothing (a bare ACK) changes nothing.
    pub fn on_send(&mut self, seq: Seq, end: Seq, now: Duration) {
        if seq == end {
            return;
        }
        let first_time = self.snd_max.is_none_or(|max| seq.ge(max));
        if first_time {
            if self.timed.is_none() {
                self.timed = Some((seq, end, now));
            }
        } else if let Some((start, timed_end, _)) = self.timed
            && seq.lt(timed_end)
            && start.lt(end)
        {
            // The timed segment was sent again: its acknowledgment would be ambiguous.
            self.timed = None;
        }
        if self.snd_max.is_none_or(|max| end.gt(max)) {
            self.snd_max = Some(end);
        }
    }

    /// Moves the origin of time `elapsed` later (see `Connection::rebase`).
    pub(crate) fn rebase(&mut self, elapsed: Duration) {
        if let Some((_, _, sent)) = &mut self.timed {
            *sent = sent.saturating_sub(elapsed);
        }
    }

    /// SND.UNA advanced to `ack` at `now`: the round-trip time, if this acknowledgment covers
    /// the timed segment.
    pub fn on_ack(&mut self, ack: Seq, now: Duration) -> Option<Duration> {
        let (_, end, sent) = self.timed?;
        if !ack.ge(end) {
            return None;
        }
        self.timed = None;
        Some(now.saturating_sub(sent))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: fn(u64) -> Duration = Duration::from_millis;

    #[test]
    fn first_sample_sets_srtt_and_half_rttvar() {
        // RFC 6298 §2.2: SRTT = R, RTTVAR = R/2, RTO = SRTT + max(G, 4·RTTVAR) = 3R.
        let mut e = Rto::new(RtoBounds::default());
        assert_eq!(e.rto(), MS(1000), "§2.1 initial RTO");
        e.on_sample(MS(500));
        assert_eq!(e.srtt(), Some(MS(500)));
        assert_eq!(e.rto(), MS(1500));
    }

    #[test]
    fn later_samples_smooth_with_alpha_and_beta() {
        // §2.3: RTTVAR = 3/4·250 + 1/4·|500-900| = 287.5; SRTT = 7/8·500 + 1/8·900 = 550.
        let mut e = Rto::new(RtoBounds::default());
        e.on_sample(MS(500));
        e.on_sample(MS(900));
        assert_eq!(e.srtt(), Some(MS(550)));
        assert_eq!(e.rto(), MS(550) + Duration::from_micros(287_500) * 4);
    }

    #[test]
    fn rto_is_rounded_up_to_one_second_and_capped() {
        // §2.4 (floor of 1 s) and §2.5 (a ceiling of at least 60 s).
        let mut e = Rto::new(RtoBounds::default());
        e.on_sample(MS(10));
        assert_eq!(e.rto(), MS(1000));
        for _ in 0..10 {
            e.backoff(false);
        }
        assert_eq!(e.rto(), Duration::from_secs(60));
    }

    #[test]
    fn backoff_doubles_and_a_sample_collapses_it() {
        // §5.5 doubles; §5.7: a new sample recomputes the RTO from SRTT and RTTVAR.
        let mut e = Rto::new(RtoBounds::default());
        e.on_sample(MS(500));
        e.backoff(false);
        assert_eq!(e.rto(), MS(3000));
        e.on_sample(MS(500));
        assert!(e.rto() < MS(3000));
    }

    #[test]
    fn a_syn_timeout_without_samples_gives_three_seconds_for_data() {
        let mut e = Rto::new(RtoBounds::default());
        e.backoff(true);
        e.handshake_done();
        assert_eq!(e.rto(), Duration::from_secs(3));
        let mut f = Rto::new(RtoBounds::default());
        f.handshake_done();
        assert_eq!(f.rto(), Duration::from_secs(1), "no SYN timeout, no change");
    }

    /// `[a, b)` as sequence numbers.
    fn seg(s: &mut RttSampler, a: u32, b: u32, at: u64) {
        s.on_send(Seq(a), Seq(b), MS(at));
    }

    #[test]
    fn one_first_transmission_is_timed_until_an_ack_covers_it() {
        let mut s = RttSampler::default();
        seg(&mut s, 0, 100, 0);
        seg(&mut s, 100, 200, 5);
        assert_eq!(s.on_ack(Seq(50), MS(10)), None, "does not cover it yet");
        assert_eq!(s.on_ack(Seq(100), MS(40)), Some(MS(40)));
        assert_eq!(
            s.on_ack(Seq(200), MS(45)),
            None,
            "[100, 200) went out while [0, 100) was timed: one measurement at a time"
        );
        seg(&mut s, 200, 200, 50);
        seg(&mut s, 200, 300, 60);
        assert_eq!(
            s.on_ack(Seq(300), MS(70)),
            Some(MS(10)),
            "a bare ACK (no sequence space) is not timed"
        );
    }

    #[test]
    fn karn_never_samples_a_retransmitted_segment() {
        let mut s = RttSampler::default();
        seg(&mut s, 300, 400, 0);
        seg(&mut s, 300, 400, 1000);
        assert_eq!(
            s.on_ack(Seq(400), MS(1010)),
            None,
            "ambiguous: never sampled"
        );
    }

    #[test]
    fn after_a_retransmission_the_next_first_transmission_is_timed() {
        // [100, 200) is timed, then retransmitted: its measurement is dropped, and [300, 400),
        // the next segment sent for the first time, gives the next sample.
        let mut s = RttSampler::default();
        seg(&mut s, 0, 100, 0);
        assert_eq!(s.on_ack(Seq(100), MS(20)), Some(MS(20)));
        seg(&mut s, 100, 200, 21);
        seg(&mut s, 200, 300, 22);
        seg(&mut s, 100, 200, 1021);
        seg(&mut s, 300, 400, 1030);
        assert_eq!(
            s.on_ack(Seq(200), MS(1040)),
            None,
            "does not cover [300, 400)"
        );
        assert_eq!(s.on_ack(Seq(400), MS(1050)), Some(MS(20)));
    }

    #[test]
    fn retransmitting_another_segment_does_not_stop_the_measurement() {
        // [300, 400) is timed; [200, 300), sent before it, is retransmitted twice (as under
        // steady loss); [300, 400) itself was sent once, so its acknowledgment is a sample.
        let mut s = RttSampler::default();
        seg(&mut s, 100, 200, 0);
        seg(&mut s, 200, 300, 1);
        assert_eq!(s.on_ack(Seq(200), MS(20)), Some(MS(20)));
        seg(&mut s, 300, 400, 21);
        seg(&mut s, 200, 300, 30);
        seg(&mut s, 200, 300, 35);
        assert_eq!(s.on_ack(Seq(300), MS(38)), None);
        assert_eq!(s.on_ack(Seq(400), MS(41)), Some(MS(20)));
    }

    #[test]
    fn a_first_transmission_is_sampled_even_if_its_ack_also_covers_a_retransmission() {
        // [0, 100) is retransmitted; [100, 200), sent for the first time after it, is timed
        // and sampled by the cumulative ACK of both.
        let mut s = RttSampler::default();
        seg(&mut s, 0, 100, 0);
        seg(&mut s, 0, 100, 1000);
        seg(&mut s, 100, 200, 1001);
        assert_eq!(s.on_ack(Seq(200), MS(1005)), Some(MS(4)));
    }

    #[test]
    fn the_backed_off_rto_collapses_with_the_first_sample_after_a_retransmission() {
        // RFC 6298 §5.5 doubles the RTO at each expiry; the note after §5.7: the next sample,
        // which can only come from new data sent and acknowledged, recomputes it.
        let mut e = Rto::new(RtoBounds::default());
        let mut s = RttSampler::default();
        seg(&mut s, 0, 1000, 0);
        e.on_sample(s.on_ack(Seq(1000), MS(10)).unwrap());
        seg(&mut s, 1000, 2000, 20);
        seg(&mut s, 2000, 3000, 21);
        for (i, at) in [1020, 3020, 7020].into_iter().enumerate() {
            e.backoff(false);
            seg(&mut s, 1000, 2000, at);
            assert_eq!(e.rto(), MS(2000 << i));
        }
        seg(&mut s, 3000, 4000, 7021);
        assert_eq!(s.on_ack(Seq(3000), MS(7030)), None);
        let rtt = s
            .on_ack(Seq(4000), MS(7031))
            .expect("a sample after the retransmissions");
        e.on_sample(rtt);
        assert_eq!(
            e.rto(),
            MS(1000),
            "back to the estimator's value, floored at 1 s"
        );
    }

    #[test]
    fn zero_window_probes_start_after_one_rto_and_back_off() {
        // RFC 9293 §3.8.6.1 SHLD-29, SHLD-30; capped at the RFC 6298 §2.5 ceiling.
        let mut e = Rto::new(RtoBounds::default());
        e.on_sample(MS(500));
        let intervals: Vec<u64> = (0..8)
            .map(|n| e.probe_interval(n).as_millis() as u64)
            .collect();
        assert_eq!(
            intervals,
            [1500, 3000, 6000, 12000, 24000, 48000, 60000, 60000]
        );
        assert_eq!(e.probe_interval(u32::MAX), Duration::from_secs(60));
    }
}
