//! The retransmission timeout (RFC 6298, required by RFC 9293 §3.8.1, MUST-18 and MUST-19):
//! the SRTT/RTTVAR estimator, Karn's algorithm for taking samples, exponential backoff, and
//! when the retransmission timer runs.
//!
//! Everything here is a pure function of the samples and times the caller passes in: the stack
//! reads its clock, this module decides what the readings mean.

use super::seq::Seq;
use std::time::Duration;

/// Bounds and constants of the estimator (RFC 6298 §2).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
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
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
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

/// Karn's algorithm (RFC 6298 §3, RFC 9293 MUST-18): one segment at a time is timed, and a
/// sample is taken only from a segment that was not retransmitted.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RttSampler {
    timed: Option<(Seq, Duration)>,
}

impl RttSampler {
    /// Segments up to `seq_end` (exclusive) were sent at `now`: start timing unless a
    /// measurement is already running.
    pub fn on_send(&mut self, seq_end: Seq, now: Duration) {
        if self.timed.is_none() {
            self.timed = Some((seq_end, now));
        }
    }

    /// A retransmission happened: the running measurement would be ambiguous, drop it.
    pub fn on_retransmit(&mut self) {
        self.timed = None;
    }

    /// SND.UNA advanced to `ack` at `now`: the round-trip time if it covers the timed segment.
    pub fn on_ack(&mut self, ack: Seq, now: Duration) -> Option<Duration> {
        let (end, sent) = self.timed?;
        if ack.ge(end) {
            self.timed = None;
            return Some(now.saturating_sub(sent));
        }
        None
    }
}

/// When the retransmission timer should fire after an event (RFC 6298 §5.1–§5.3): off when
/// nothing is outstanding (§5.2); restarted when new data was acknowledged (§5.3); started when
/// something is outstanding and the timer is not running (§5.1); otherwise left as it is.
pub fn retransmit_deadline(
    running: Option<Duration>,
    has_unacked: bool,
    new_data_acked: bool,
    now: Duration,
    rto: Duration,
) -> Option<Duration> {
    if !has_unacked {
        None
    } else if new_data_acked || running.is_none() {
        Some(now + rto)
    } else {
        running
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

    #[test]
    fn karn_discards_the_sample_of_a_retransmitted_segment() {
        let mut s = RttSampler::default();
        s.on_send(Seq(100), MS(0));
        s.on_send(Seq(200), MS(5));
        assert_eq!(
            s.on_ack(Seq(50), MS(10)),
            None,
            "does not cover the timed segment"
        );
        assert_eq!(s.on_ack(Seq(100), MS(40)), Some(MS(40)));
        s.on_send(Seq(300), MS(50));
        s.on_retransmit();
        assert_eq!(s.on_ack(Seq(300), MS(90)), None, "ambiguous: never sampled");
    }

    #[test]
    fn the_timer_runs_exactly_while_data_is_outstanding() {
        let rto = MS(1000);
        assert_eq!(
            retransmit_deadline(None, true, false, MS(5), rto),
            Some(MS(1005))
        );
        assert_eq!(
            retransmit_deadline(Some(MS(900)), true, false, MS(5), rto),
            Some(MS(900)),
            "§5.1: a running timer is not restarted by more sends"
        );
        assert_eq!(
            retransmit_deadline(Some(MS(900)), true, true, MS(5), rto),
            Some(MS(1005)),
            "§5.3"
        );
        assert_eq!(
            retransmit_deadline(Some(MS(900)), false, true, MS(5), rto),
            None
        );
    }
}
