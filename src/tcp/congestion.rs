//! Congestion control (RFC 9293 §3.8.2, MUST-19: "the congestion control of RFC 5681"): slow
//! start and congestion avoidance (RFC 5681 §3.1), the window arithmetic of fast retransmit and
//! NewReno fast recovery (RFC 5681 §3.2, RFC 6582 §3.2), the restart after an idle period (RFC
//! 5681 §4.1), and CUBIC (RFC 9438 §4) as the alternative congestion avoidance that Linux uses
//! by default.
//!
//! # The interface
//!
//! A [`Congestion`] is a small value, hashed by the model checker: the congestion window
//! (cwnd), the slow start threshold (ssthresh) and CUBIC's few variables, all integers. It
//! detects nothing itself. The connection, which sees the segments, tells it what happened:
//!
//! - [`on_ack`](Congestion::on_ack): new data was acknowledged outside fast recovery;
//! - [`on_congestion_event`](Congestion::on_congestion_event) and then
//!   [`enter_fast_recovery`](Congestion::enter_fast_recovery): the third duplicate ACK (or
//!   SACK loss detection); [`on_duplicate_in_recovery`](Congestion::on_duplicate_in_recovery),
//!   [`on_partial_ack`](Congestion::on_partial_ack) and
//!   [`exit_fast_recovery`](Congestion::exit_fast_recovery) during and at the end of it, as the
//!   `Recovery` state of this crate reports them;
//! - [`on_retransmit_timeout`](Congestion::on_retransmit_timeout),
//!   [`after_idle`](Congestion::after_idle) and [`set_smss`](Congestion::set_smss).
//!
//! The sender may have at most `cwnd` octets outstanding (and no more than the peer's window).
//! Time enters only as the `now` the caller passes; nothing reads a clock.
//!
//! How the caller maps its events: an ACK of new data goes to `on_ack` unless
//! [`in_fast_recovery`](Congestion::in_fast_recovery); then it is a partial or a full
//! acknowledgment (RFC 6582's `recover` tells which). After a timeout, fast recovery is over
//! here (RFC 6582 §3.2 step 4) even though the loss-recovery state keeps resending at each
//! partial ACK: those ACKs go to `on_ack`, and slow start regrows the window.
//!
//! # Reno and CUBIC
//!
//! Both share slow start, fast recovery, the response to a timeout and the restart after idle;
//! they differ in how the window grows in congestion avoidance and how far it falls on a loss:
//!
//! - Reno (RFC 5681) adds one SMSS per round trip (counted in acknowledged bytes) and halves
//!   the flight size on a loss. Its growth depends on the round-trip time: on long, fast paths
//!   it takes thousands of round trips to regain the window after a single loss.
//! - CUBIC (RFC 9438) reduces to 0.7 of the flight size and then grows the window as a cubic
//!   function of the *time* since the congestion avoidance stage began: quickly back towards
//!   W_max, the window at the last loss, flat around it, then faster and faster beyond it
//!   (eq. (1)). Where Reno would be faster (short round trips, small windows) it follows an
//!   estimate of Reno's window instead (the Reno-friendly region, §4.3).
//!
//! # Arithmetic
//!
//! Windows are octets in `u32`, every operation saturates, and time is whole microseconds.
//! CUBIC's constants are exact fractions: β_cubic = 7/10, (1 + β_cubic)/2 = 17/20, α_cubic =
//! 3(1 − β)/(1 + β) = 9/17 and C = 2/5 segments per second³. K (eq. (2)) is the integer cube
//! root (floor, by bisection) of `(W_max − cwnd_epoch)·5·10¹⁸ / (2·SMSS)`, which is K in
//! microseconds; W_cubic(t) is W_max ± 2·SMSS·|t − K|³ / (5·10¹⁸) octets with t and K in
//! microseconds, in `u128`. W_est and the fractions of an octet that the per-ACK increases
//! leave over are kept with 16 fractional bits, so that a window of thousands of segments
//! still grows by the sub-octet amounts that each ACK contributes.
//!
//! # Left out
//!
//! - ECN (RFC 3168): no ECN is negotiated on the wire, so there is no ECE to react to.
//! - Pacing: spreading a window over the round trip is a sending schedule with its own timer,
//!   not part of RFC 5681 or RFC 9438; a sender here sends what the window allows at once.
//! - Undoing spurious reductions (RFC 9438 §4.9) is done by restoring the whole value saved
//!   before the reduction; the detector is the connection's (RFC 3522 Eifel detection of a
//!   spurious SACK recovery). Spurious timeouts (F-RTO, RFC 5682) are not detected.
//!
//! # HyStart++
//!
//! CUBIC's slow start runs HyStart++ (RFC 9406, as RFC 9438 §4.10 allows and as Linux's CUBIC
//! does): the connection reports each ACK that moves SND.UNA with its RTT sample
//! ([`on_round_sample`](Congestion::on_round_sample)); when the least RTT of a round of
//! acknowledgments exceeds the previous round's by a threshold, a queue is building and slow
//! start gives way to Conservative Slow Start (a quarter of the growth), which ends in
//! congestion avoidance after five rounds unless the RTT falls again. Without timestamps a
//! round has too few samples and slow start stays plain. Reno's slow start is plain.
//! - Congestion window validation (RFC 7661) beyond "no growth while not cwnd-limited".

use serde::Serialize;
use std::time::Duration;

/// How the window grows in congestion avoidance and falls on a loss.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize)]
pub enum Algorithm {
    /// RFC 5681 §3.1 congestion avoidance; ssthresh = max(FlightSize/2, 2·SMSS) on loss.
    Reno,
    /// RFC 9438 CUBIC. The default, as in Linux (and Windows and Apple's stacks, RFC 9438
    /// abstract), so that this stack competes with its peers on equal terms.
    #[default]
    Cubic,
}

/// β_cubic = 0.7 (RFC 9438 §4.6, SHOULD).
const BETA: (u64, u64) = (7, 10);
/// (1 + β_cubic)/2 for fast convergence (RFC 9438 §4.7).
const FAST_CONVERGENCE: (u64, u64) = (17, 20);
/// α_cubic = 3·(1 − β_cubic)/(1 + β_cubic) = 0.9/1.7 (RFC 9438 §4.3).
const ALPHA: (u128, u128) = (9, 17);
/// C = 0.4 segments per second³ (RFC 9438 §5.1, SHOULD).
const C: (u128, u128) = (2, 5);
/// Microseconds per second, cubed: t and K are in microseconds.
const MICROS_CUBED: u128 = 1_000_000_000_000_000_000;
/// Fractional bits of W_est and of the carried part of an increase.
const FRAC_BITS: u32 = 16;

/// RFC 9406 §4.3 constants: the RTT threshold's bounds and divisor, the samples a round
/// needs, CSS's growth divisor and its rounds.
const MIN_RTT_THRESH: Duration = Duration::from_millis(4);
const MAX_RTT_THRESH: Duration = Duration::from_millis(16);
const MIN_RTT_DIVISOR: u32 = 8;
const N_RTT_SAMPLE: u8 = 8;
const CSS_GROWTH_DIVISOR: u32 = 4;
const CSS_ROUNDS: u8 = 5;

/// HyStart++'s variables (RFC 9406 §4.2), for CUBIC's initial slow start.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize)]
struct HyStart {
    /// windowEnd, as a sequence number: the round ends when SND.UNA reaches it. `None`
    /// before the first round.
    window_end: Option<u32>,
    /// lastRoundMinRTT; `None` is infinity.
    last_round_min: Option<Duration>,
    /// currentRoundMinRTT; `None` is infinity.
    current_round_min: Option<Duration>,
    /// rttSampleCount, counted up to N_RTT_SAMPLE.
    samples: u8,
    /// cssBaselineMinRtt while in Conservative Slow Start.
    css_baseline: Option<Duration>,
    /// Rounds completed in CSS.
    css_rounds: u8,
    /// HyStart++ is over: slow start ended (by CSS or a loss) or a timeout came.
    done: bool,
}

/// The initial window (RFC 6928 §2): min(10·SMSS, max(2·SMSS, 14600)) octets.
///
/// RFC 5681 §3.1 (after RFC 3390) allows 2 to 4 segments: min(4·SMSS, max(2·SMSS, 4380)). RFC
/// 6928 (experimental) raises it to about ten segments, which Linux, Windows and macOS use;
/// this crate follows them, so that its first flights look like its peers'.
pub fn initial_window(smss: u32) -> u32 {
    let smss = smss.max(1);
    smss.saturating_mul(10)
        .min(smss.saturating_mul(2).max(14_600))
}

/// CUBIC's variables (RFC 9438 §4.1), in octets and microseconds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize)]
struct Cubic {
    /// W_max (§4.7). 0 after a timeout and before any congestion event: the next congestion
    /// avoidance stage takes its starting window as W_max, with K = 0 (§4.8, §4.10).
    w_max: u32,
    /// cwnd_prior (§4.6): the window when ssthresh was last set; 0 before any event.
    cwnd_prior: u32,
    /// epoch_start (§4.2): when the current congestion avoidance stage began (moved later by
    /// the periods excluded from t, §5.8); `None` outside one. In microseconds from the
    /// caller's origin of time, negative once [`Congestion::rebase`] moved the origin past it.
    epoch_start: Option<i64>,
    /// K (§4.2, eq. (2)).
    k: Duration,
    /// W_est (§4.3) in octets, with `FRAC_BITS` fractional bits.
    w_est: u64,
    /// The fraction of an octet that the concave or convex increase has not yet added.
    carry: u64,
    /// Since when the acknowledgments said the sender was not cwnd-limited (§5.8), like
    /// `epoch_start`.
    app_limited_since: Option<i64>,
}

/// The congestion state of a sender (RFC 5681 §3): cwnd, ssthresh and CUBIC's variables.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct Congestion {
    algorithm: Algorithm,
    cwnd: u32,
    ssthresh: u32,
    /// RFC 5681 §3.1 (RFC 3465 §2.1) byte counting in congestion avoidance: octets
    /// acknowledged since cwnd last grew.
    bytes_acked: u32,
    in_fast_recovery: bool,
    cubic: Cubic,
    hystart: HyStart,
}

impl Congestion {
    /// A new connection's state: cwnd = the [`initial_window`], ssthresh "arbitrarily high"
    /// (RFC 5681 §3.1): `u32::MAX`, so that slow start ends only with the first loss.
    pub fn new(algorithm: Algorithm, smss: u32) -> Congestion {
        Congestion {
            algorithm,
            cwnd: initial_window(smss),
            ssthresh: u32::MAX,
            bytes_acked: 0,
            in_fast_recovery: false,
            cubic: Cubic::default(),
            hystart: HyStart::default(),
        }
    }

    /// A new connection's state with an initial window of `iw` octets (at least one octet)
    /// instead of RFC 6928's: RFC 5681 §3.1 sets only an upper bound on IW, and a smaller one
    /// (RFC 3390's, or a single segment as before RFC 2414) is always allowed.
    pub fn with_initial_window(algorithm: Algorithm, iw: u32) -> Congestion {
        Congestion {
            cwnd: iw.max(1),
            ..Congestion::new(algorithm, iw)
        }
    }

    /// The algorithm in use.
    pub fn algorithm(&self) -> Algorithm {
        self.algorithm
    }

    /// The congestion window, in octets.
    pub fn cwnd(&self) -> u32 {
        self.cwnd
    }

    /// The slow start threshold, in octets.
    pub fn ssthresh(&self) -> u32 {
        self.ssthresh
    }

    /// Whether slow start is in HyStart++'s Conservative Slow Start (RFC 9406 §4.2).
    pub fn in_conservative_slow_start(&self) -> bool {
        self.in_slow_start() && !self.hystart.done && self.hystart.css_baseline.is_some()
    }

    /// HyStart++ (RFC 9406 §4.2), CUBIC only, in its initial slow start: an ACK moved SND.UNA
    /// to `snd_una` while `snd_nxt` was SND.NXT, with `rtt` its RTT sample (RFC 7323 RTTM;
    /// `None` without one). A round begins when SND.UNA reaches the end of the last; with at
    /// least 8 samples in a round, a least RTT above the last round's by max(4 ms, min(last
    /// / 8, 16 ms)) moves slow start into CSS, and in CSS one below CSS's baseline returns
    /// it to slow start; after five rounds of CSS, ssthresh = cwnd ends slow start.
    pub fn on_round_sample(&mut self, snd_una: u32, snd_nxt: u32, rtt: Option<Duration>) {
        if self.algorithm != Algorithm::Cubic || self.hystart.done || !self.in_slow_start() {
            return;
        }
        let h = &mut self.hystart;
        let round_over = h
            .window_end
            .is_none_or(|end| (snd_una.wrapping_sub(end) as i32) >= 0);
        if round_over {
            if h.css_baseline.is_some() {
                h.css_rounds += 1;
                if h.css_rounds >= CSS_ROUNDS {
                    // §4.2: CSS_ROUNDS rounds in CSS: congestion avoidance from here.
                    h.done = true;
                    self.ssthresh = self.cwnd;
                    return;
                }
            }
            h.last_round_min = h.current_round_min;
            h.current_round_min = None;
            h.samples = 0;
            h.window_end = Some(snd_nxt);
        }
        let Some(rtt) = rtt else {
            return;
        };
        h.current_round_min = Some(h.current_round_min.map_or(rtt, |m| m.min(rtt)));
        h.samples = (h.samples + 1).min(N_RTT_SAMPLE);
        let (Some(current), Some(last)) = (h.current_round_min, h.last_round_min) else {
            return;
        };
        if h.samples < N_RTT_SAMPLE {
            return;
        }
        match h.css_baseline {
            None => {
                let thresh = (last / MIN_RTT_DIVISOR).clamp(MIN_RTT_THRESH, MAX_RTT_THRESH);
                if current >= last + thresh {
                    h.css_baseline = Some(current);
                    h.css_rounds = 0;
                }
            }
            Some(baseline) if current < baseline => h.css_baseline = None,
            Some(_) => {}
        }
    }

    /// Slow start runs while cwnd < ssthresh (RFC 5681 §3.1; at equality either may be used,
    /// and this uses congestion avoidance).
    pub fn in_slow_start(&self) -> bool {
        self.cwnd < self.ssthresh
    }

    /// Between [`enter_fast_recovery`](Self::enter_fast_recovery) and
    /// [`exit_fast_recovery`](Self::exit_fast_recovery) (or a timeout).
    pub fn in_fast_recovery(&self) -> bool {
        self.in_fast_recovery
    }

    /// An ACK acknowledged `acked` new octets outside fast recovery (during it, see
    /// [`on_partial_ack`](Self::on_partial_ack); this call then changes nothing).
    ///
    /// - Slow start (RFC 5681 §3.1 eq. (2)): cwnd += min(N, SMSS), which is RFC 3465's
    ///   Appropriate Byte Counting with L = 1·SMSS, as RFC 5681 requires. With a delayed ACK
    ///   for every second segment the window thus grows by half per round trip, not double.
    ///   cwnd stops at ssthresh, where congestion avoidance takes over.
    /// - Reno congestion avoidance (RFC 5681 §3.1, the RECOMMENDED byte counting): once the
    ///   acknowledged octets reach cwnd, cwnd grows by one SMSS: one SMSS per round trip,
    ///   however the receiver spaces its ACKs.
    /// - CUBIC congestion avoidance (RFC 9438 §4.2–4.5): see the module documentation. `srtt`
    ///   is the RTT of §4.1, the smoothed round-trip time of RFC 6298; without a sample the
    ///   target is W_cubic(t) itself.
    ///
    /// `cwnd_limited` is false when the sender had less than cwnd outstanding because the
    /// application or the peer's window gave it nothing more to send. Then cwnd does not grow
    /// (RFC 9438 §5.8; the idea of RFC 7661's congestion window validation, which is not
    /// otherwise implemented), and for CUBIC the time until the next cwnd-limited ACK is left
    /// out of t (RFC 9438 §4.2: t "MUST NOT include" such periods).
    pub fn on_ack(
        &mut self,
        now: Duration,
        acked: u32,
        smss: u32,
        srtt: Option<Duration>,
        cwnd_limited: bool,
    ) {
        let smss = smss.max(1);
        if acked > 0 && !self.in_fast_recovery {
            if !cwnd_limited {
                let c = &mut self.cubic;
                if c.epoch_start.is_some() && c.app_limited_since.is_none() {
                    c.app_limited_since = Some(micros(now));
                }
            } else if self.in_slow_start() {
                let mut grow = acked.min(smss);
                if self.in_conservative_slow_start() {
                    grow = (grow / CSS_GROWTH_DIVISOR).max(1);
                }
                self.cwnd = self.cwnd.saturating_add(grow).min(self.ssthresh);
            } else {
                match self.algorithm {
                    Algorithm::Reno => self.reno_avoidance(acked, smss),
                    Algorithm::Cubic => self.cubic_avoidance(now, acked, smss, srtt),
                }
            }
        }
        self.cwnd = self.cwnd.max(smss);
    }

    fn reno_avoidance(&mut self, acked: u32, smss: u32) {
        self.bytes_acked = self.bytes_acked.saturating_add(acked);
        if self.bytes_acked >= self.cwnd {
            self.bytes_acked -= self.cwnd;
            self.cwnd = self.cwnd.saturating_add(smss);
        }
    }

    fn cubic_avoidance(&mut self, now: Duration, acked: u32, smss: u32, srtt: Option<Duration>) {
        let cwnd = self.cwnd.max(1);
        let now = micros(now);
        let c = &mut self.cubic;
        if let (Some(since), Some(start)) = (c.app_limited_since.take(), c.epoch_start) {
            let excluded = now.saturating_sub(since).max(0);
            c.epoch_start = Some(start.saturating_add(excluded).min(now));
        }
        let start = match c.epoch_start {
            Some(start) => start,
            None => {
                self.start_epoch(now, smss);
                now
            }
        };
        let c = &mut self.cubic;
        let t = Duration::from_micros(now.saturating_sub(start).max(0).unsigned_abs());
        // §4.3 eq. (4) in octets: W_est += α_cubic · SMSS · acked / cwnd, with α_cubic = 1
        // once W_est has reached cwnd_prior.
        let (num, den) = if c.w_est >> FRAC_BITS >= u64::from(c.cwnd_prior) {
            (1, 1)
        } else {
            ALPHA
        };
        let increase = (num * u128::from(acked) * u128::from(smss)) << FRAC_BITS;
        let increase = increase / (den * u128::from(cwnd));
        let ceiling = u64::from(u32::MAX) << FRAC_BITS;
        c.w_est = (u128::from(c.w_est) + increase).min(u128::from(ceiling)) as u64;
        let w_est = (c.w_est >> FRAC_BITS) as u32;

        if self.w_cubic(t, smss) < w_est {
            // The Reno-friendly region (§4.3): cwnd = W_est (never lowered by an ACK).
            self.cwnd = cwnd.max(w_est);
            return;
        }
        // Concave (§4.4) or convex (§4.5) region: cwnd += (target − cwnd)/cwnd per segment
        // acknowledged, which in octets is (target − cwnd)·acked/cwnd; target is
        // W_cubic(t + RTT) bounded to [cwnd, 1.5·cwnd] (§4.2).
        let rtt = srtt.unwrap_or(Duration::ZERO);
        let target = self
            .w_cubic(t.saturating_add(rtt), smss)
            .clamp(cwnd, cwnd.saturating_add(cwnd / 2));
        let c = &mut self.cubic;
        let gap = u128::from(target - cwnd);
        let increase = ((gap * u128::from(acked)) << FRAC_BITS) / u128::from(cwnd);
        let increase = increase + u128::from(c.carry);
        c.carry = (increase & ((1 << FRAC_BITS) - 1)) as u64;
        let whole = u32::try_from(increase >> FRAC_BITS).unwrap_or(u32::MAX);
        self.cwnd = cwnd.saturating_add(whole).min(target);
    }

    /// A congestion avoidance stage begins (RFC 9438 §4.2): epoch_start = now, W_est = cwnd
    /// (§4.3) and K from eq. (2). When cwnd is already at or above W_max (after a timeout,
    /// §4.8, or before any loss, §4.10) the stage starts on the plateau: W_max = cwnd, K = 0.
    fn start_epoch(&mut self, now: i64, smss: u32) {
        let cwnd = self.cwnd;
        let c = &mut self.cubic;
        c.epoch_start = Some(now);
        c.app_limited_since = None;
        c.carry = 0;
        c.w_est = u64::from(cwnd) << FRAC_BITS;
        if c.w_max <= cwnd {
            c.w_max = cwnd;
            c.k = Duration::ZERO;
        } else {
            // K = ∛((W_max − cwnd_epoch)/C) s, windows in segments; in microseconds:
            // ∛((W_max − cwnd_epoch) octets · 10¹⁸ / (C · SMSS)).
            let radicand =
                u128::from(c.w_max - cwnd) * C.1 * MICROS_CUBED / (C.0 * u128::from(smss));
            let micros = u64::try_from(integer_cube_root(radicand)).unwrap_or(u64::MAX);
            c.k = Duration::from_micros(micros);
        }
    }

    /// W_cubic(t) = C·(t − K)³ + W_max (RFC 9438 eq. (1)), in octets, saturating.
    fn w_cubic(&self, t: Duration, smss: u32) -> u32 {
        let (t, k) = (t.as_micros(), self.cubic.k.as_micros());
        let d = t.abs_diff(k);
        let cube = d.saturating_mul(d).saturating_mul(d);
        let offset = cube.saturating_mul(C.0 * u128::from(smss)) / (C.1 * MICROS_CUBED);
        let w_max = u128::from(self.cubic.w_max);
        let w = if t >= k {
            w_max.saturating_add(offset)
        } else {
            w_max.saturating_sub(offset)
        };
        u32::try_from(w).unwrap_or(u32::MAX)
    }

    /// Loss detected by the third duplicate ACK or by SACK (RFC 5681 §3.2 step 2; RFC 6675
    /// §5). Called once per loss episode (RFC 6582's `recover` decides that), before
    /// [`enter_fast_recovery`](Self::enter_fast_recovery). Sets cwnd = ssthresh:
    ///
    /// - Reno: ssthresh = max(FlightSize/2, 2·SMSS) (RFC 5681 eq. (4));
    /// - CUBIC (RFC 9438 §4.6): ssthresh = max(flight_size·β_cubic, 2·SMSS),
    ///   cwnd_prior = cwnd, and W_max = cwnd, or cwnd·(1 + β_cubic)/2 if cwnd is below the
    ///   previous W_max (fast convergence, §4.7, which "SHOULD be implemented"). The next
    ///   congestion avoidance stage starts at its first ACK.
    ///
    /// No clock is read: RFC 9438's epoch begins with congestion avoidance, not at the loss.
    pub fn on_congestion_event(&mut self, flight_size: u32, smss: u32) {
        self.hystart.done = true;
        let smss = smss.max(1);
        let floor = smss.saturating_mul(2);
        self.ssthresh = match self.algorithm {
            Algorithm::Reno => flight_size / 2,
            Algorithm::Cubic => {
                self.cubic_reduction();
                times(flight_size, BETA)
            }
        }
        .max(floor);
        self.cwnd = self.ssthresh;
        self.bytes_acked = 0;
    }

    /// W_max and cwnd_prior at a congestion event (RFC 9438 §4.6, §4.7); the stage ends.
    fn cubic_reduction(&mut self) {
        let cwnd = self.cwnd;
        let c = &mut self.cubic;
        c.w_max = if cwnd < c.w_max {
            times(cwnd, FAST_CONVERGENCE)
        } else {
            cwnd
        };
        c.cwnd_prior = cwnd;
        c.epoch_start = None;
        c.app_limited_since = None;
    }

    /// Fast retransmit done, fast recovery begins (RFC 5681 §3.2 step 3, which RFC 6582 §3.2
    /// step 2 invokes): cwnd = ssthresh + 3·SMSS, for the three segments that left the
    /// network.
    pub fn enter_fast_recovery(&mut self, smss: u32) {
        let smss = smss.max(1);
        self.cwnd = self
            .ssthresh
            .saturating_add(smss.saturating_mul(3))
            .max(smss);
        self.in_fast_recovery = true;
    }

    /// Another duplicate ACK during fast recovery (RFC 5681 §3.2 step 4): cwnd += SMSS.
    /// Outside fast recovery nothing changes.
    pub fn on_duplicate_in_recovery(&mut self, smss: u32) {
        let smss = smss.max(1);
        if self.in_fast_recovery {
            self.cwnd = self.cwnd.saturating_add(smss);
        }
        self.cwnd = self.cwnd.max(smss);
    }

    /// A partial acknowledgment of `acked` new octets during fast recovery (RFC 6582 §3.2 step
    /// 3, "Partial acknowledgments"): deflate cwnd by `acked`, and add back one SMSS if at
    /// least one SMSS was acknowledged; never below one SMSS. Outside fast recovery nothing
    /// changes (after a timeout the same ACKs go to [`on_ack`](Self::on_ack)).
    pub fn on_partial_ack(&mut self, acked: u32, smss: u32) {
        let smss = smss.max(1);
        if self.in_fast_recovery {
            self.cwnd = self.cwnd.saturating_sub(acked);
            if acked >= smss {
                self.cwnd = self.cwnd.saturating_add(smss);
            }
        }
        self.cwnd = self.cwnd.max(smss);
    }

    /// The full acknowledgment ends fast recovery (RFC 6582 §3.2 step 3, "Full
    /// acknowledgments"), with the first of its two options: cwnd = min(ssthresh,
    /// max(FlightSize, SMSS) + SMSS), FlightSize being what is outstanding after the ACK. The
    /// second option, cwnd = ssthresh, may send a burst of up to ssthresh octets at once when
    /// little is outstanding; the first one grows back to ssthresh in slow start instead.
    pub fn exit_fast_recovery(&mut self, flight_size: u32, smss: u32) {
        let smss = smss.max(1);
        if self.in_fast_recovery {
            self.cwnd = self
                .ssthresh
                .min(flight_size.max(smss).saturating_add(smss));
            self.in_fast_recovery = false;
            self.bytes_acked = 0;
        }
        self.cwnd = self.cwnd.max(smss);
    }

    /// The retransmission timer expired (RFC 5681 §3.1; RFC 6582 §3.2 step 4, "Retransmit
    /// timeouts": fast recovery ends). cwnd = the loss window, one SMSS. ssthresh is set by eq. (4)
    /// (Reno) or by β_cubic (RFC 9438 §4.8) when `first_timeout_for_segment`; when the segment
    /// was already retransmitted by the timer, ssthresh "is held constant" (RFC 5681 §3.1),
    /// since the FlightSize by then (a segment or two) says nothing of the path. For CUBIC
    /// the next congestion avoidance stage starts with W_max = its own starting window and
    /// K = 0 (RFC 9438 §4.8).
    pub fn on_retransmit_timeout(
        &mut self,
        flight_size: u32,
        smss: u32,
        first_timeout_for_segment: bool,
    ) {
        self.hystart.done = true;
        let smss = smss.max(1);
        if first_timeout_for_segment {
            let floor = smss.saturating_mul(2);
            self.ssthresh = match self.algorithm {
                Algorithm::Reno => flight_size / 2,
                Algorithm::Cubic => {
                    self.cubic.cwnd_prior = self.cwnd;
                    times(flight_size, BETA)
                }
            }
            .max(floor);
        }
        if self.algorithm == Algorithm::Cubic {
            let c = &mut self.cubic;
            c.w_max = 0;
            c.epoch_start = None;
            c.app_limited_since = None;
        }
        self.cwnd = smss;
        self.bytes_acked = 0;
        self.in_fast_recovery = false;
    }

    /// The sender is about to send after `idle`, during which it sent nothing (RFC 5681
    /// §4.1): if the idle time exceeds one `rto`, cwnd = min(cwnd, RW), RW = min(IW, cwnd)
    /// (the SHOULD of §4.1; ssthresh is left as it is). For CUBIC the idle time is left out of
    /// t (RFC 9438 §5.8): the epoch moves later by it, together with any application-limited
    /// time before it; if the window was cut, a new stage begins when congestion avoidance
    /// resumes instead.
    pub fn after_idle(&mut self, now: Duration, idle: Duration, rto: Duration, smss: u32) {
        let smss = smss.max(1);
        let before = self.cwnd;
        if idle > rto {
            self.cwnd = self.cwnd.min(initial_window(smss));
            self.bytes_acked = 0;
        }
        if self.algorithm == Algorithm::Cubic {
            let c = &mut self.cubic;
            if self.cwnd < before {
                c.epoch_start = None;
            } else if let Some(start) = c.epoch_start {
                let now = micros(now);
                let idle_from = now.saturating_sub(micros(idle));
                let from = c.app_limited_since.map_or(idle_from, |s| s.min(idle_from));
                let shift = now.saturating_sub(from).max(0);
                c.epoch_start = Some(start.saturating_add(shift).min(now));
            }
            c.app_limited_since = None;
        }
        self.cwnd = self.cwnd.max(smss);
    }

    /// The sender's SMSS changed from `old` to `new` (the peer's MSS option, or a path MTU
    /// change). The window keeps its number of whole segments, as in stacks that count cwnd
    /// in packets (Linux): a lower MSS after an ICMP "fragmentation needed" sends as many,
    /// smaller, segments. A window that is still the initial one (ssthresh untouched) becomes
    /// the initial window for the new SMSS, which RFC 6928 defines in octets. ssthresh keeps
    /// its whole segments too, at least two (RFC 5681 eq. (4)); CUBIC's W_max, cwnd_prior and
    /// W_est scale in proportion, so that the curve (in segments) stays the same.
    pub fn set_smss(&mut self, old: u32, new: u32) {
        let (old, new) = (old.max(1), new.max(1));
        if old == new {
            self.cwnd = self.cwnd.max(new);
            return;
        }
        let scale = |x: u32| u32::try_from(u64::from(x) * u64::from(new) / u64::from(old));
        if self.ssthresh == u32::MAX && self.cwnd == initial_window(old) {
            self.cwnd = initial_window(new);
        } else {
            self.cwnd = (self.cwnd / old).max(1).saturating_mul(new);
        }
        if self.ssthresh != u32::MAX {
            self.ssthresh = (self.ssthresh / old)
                .saturating_mul(new)
                .max(new.saturating_mul(2));
        }
        self.bytes_acked = scale(self.bytes_acked).unwrap_or(u32::MAX);
        let c = &mut self.cubic;
        c.w_max = scale(c.w_max).unwrap_or(u32::MAX);
        c.cwnd_prior = scale(c.cwnd_prior).unwrap_or(u32::MAX);
        let w_est = u128::from(c.w_est) * u128::from(new) / u128::from(old);
        c.w_est = w_est.min(u128::from(u64::from(u32::MAX) << FRAC_BITS)) as u64;
        c.carry = 0;
        self.cwnd = self.cwnd.max(new);
    }

    /// Moves the origin of time `elapsed` later (see `Connection::rebase`): the instants held
    /// (CUBIC's epoch_start, the start of an application-limited period) become that much
    /// earlier. They may become negative, so that t keeps counting across the move: a
    /// model that keeps its clock at zero still sees W_cubic(t) grow with the ticks.
    pub fn rebase(&mut self, elapsed: Duration) {
        let elapsed = micros(elapsed);
        let c = &mut self.cubic;
        c.epoch_start = c.epoch_start.map(|s| s.saturating_sub(elapsed));
        c.app_limited_since = c.app_limited_since.map(|s| s.saturating_sub(elapsed));
    }
}

/// A time in whole microseconds, saturating at `i64::MAX` (292 000 years).
fn micros(d: Duration) -> i64 {
    i64::try_from(d.as_micros()).unwrap_or(i64::MAX)
}

/// `x · num / den`, for the fractions below one used here.
fn times(x: u32, (num, den): (u64, u64)) -> u32 {
    (u64::from(x) * num / den) as u32
}

/// ⌊∛n⌋, by bisection: exact and deterministic, no floating point.
fn integer_cube_root(n: u128) -> u128 {
    // lo³ ≤ n < hi³; (2^43)³ = 2^129 exceeds every u128.
    let (mut lo, mut hi) = (0u128, 1u128 << 43);
    while hi - lo > 1 {
        let mid = lo + (hi - lo) / 2;
        match mid.checked_mul(mid).and_then(|sq| sq.checked_mul(mid)) {
            Some(cube) if cube <= n => lo = mid,
            _ => hi = mid,
        }
    }
    lo
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const SMSS: u32 = 1000;
    const MS: fn(u64) -> Duration = Duration::from_millis;

    fn segs(n: u32) -> u32 {
        n * SMSS
    }

    /// Grown in slow start to `n` segments, one ACK per segment, no loss yet.
    fn grown_to(algorithm: Algorithm, n: u32) -> Congestion {
        let mut cc = Congestion::new(algorithm, SMSS);
        while cc.cwnd() < segs(n) {
            cc.on_ack(Duration::ZERO, SMSS, SMSS, None, true);
        }
        assert_eq!(cc.cwnd(), segs(n));
        cc
    }

    /// One round trip from `now`: the window at its start is acknowledged by cwnd-limited ACKs
    /// of `per_ack` octets (the last one perhaps less), spread evenly over `rtt`. Returns the
    /// end of it.
    fn round(cc: &mut Congestion, now: Duration, rtt: Duration, per_ack: u32) -> Duration {
        let window = cc.cwnd();
        let acks = window.div_ceil(per_ack);
        for i in 0..acks {
            let at = now + rtt * i / acks;
            let acked = per_ack.min(window - i * per_ack);
            cc.on_ack(at, acked, SMSS, Some(rtt), true);
        }
        now + rtt
    }

    /// W_cubic(t) of RFC 9438 eq. (1) in segments, in floating point, as a reference.
    fn w_cubic_reference(t: f64, k: f64, w_max: f64) -> f64 {
        0.4 * (t - k).powi(3) + w_max
    }

    #[test]
    fn the_initial_window_is_rfc_6928s_and_ssthresh_is_arbitrarily_high() {
        // min(10·SMSS, max(2·SMSS, 14600)).
        assert_eq!(initial_window(1460), 14_600);
        assert_eq!(initial_window(536), 5_360, "ten segments");
        assert_eq!(initial_window(9000), 18_000, "two segments of a jumbo MSS");
        assert_eq!(initial_window(u32::MAX), u32::MAX, "saturates");
        assert_eq!(initial_window(0), 10, "an SMSS of 0 counts as 1");
        let cc = Congestion::new(Algorithm::default(), 1460);
        assert_eq!(cc.algorithm(), Algorithm::Cubic);
        assert_eq!((cc.cwnd(), cc.ssthresh()), (14_600, u32::MAX));
        assert!(cc.in_slow_start());
    }

    #[test]
    fn slow_start_doubles_the_window_each_round_trip() {
        // RFC 5681 §3.1 eq. (2): each ACK of one SMSS adds one SMSS: 10, 20, 40 segments.
        for algorithm in [Algorithm::Reno, Algorithm::Cubic] {
            let mut cc = Congestion::new(algorithm, SMSS);
            let now = round(&mut cc, Duration::ZERO, MS(100), SMSS);
            assert_eq!(cc.cwnd(), segs(20));
            round(&mut cc, now, MS(100), SMSS);
            assert_eq!(cc.cwnd(), segs(40));
        }
    }

    #[test]
    fn slow_start_counts_at_most_one_smss_per_ack() {
        // RFC 3465 ABC with L = 1·SMSS: with a delayed ACK per two segments, five ACKs of
        // 2000 octets each add 1000: 10 segments become 15, not 20.
        let mut cc = Congestion::new(Algorithm::Reno, SMSS);
        round(&mut cc, Duration::ZERO, MS(100), 2 * SMSS);
        assert_eq!(cc.cwnd(), segs(15));
    }

    #[test]
    fn slow_start_stops_at_ssthresh() {
        // After a timeout with 40 segments in flight: ssthresh 20, cwnd 1; then 1, 2, 4, 8,
        // 16, and 20 rather than 32.
        let mut cc = grown_to(Algorithm::Reno, 40);
        cc.on_retransmit_timeout(segs(40), SMSS, true);
        let mut now = Duration::ZERO;
        for expected in [2, 4, 8, 16, 20] {
            now = round(&mut cc, now, MS(100), SMSS);
            assert_eq!(cc.cwnd(), segs(expected));
        }
        assert!(!cc.in_slow_start());
    }

    #[test]
    fn acks_while_not_cwnd_limited_do_not_grow_the_window() {
        for algorithm in [Algorithm::Reno, Algorithm::Cubic] {
            let mut cc = Congestion::new(algorithm, SMSS);
            cc.on_ack(MS(10), SMSS, SMSS, Some(MS(10)), false);
            assert_eq!(cc.cwnd(), segs(10));
            cc.on_congestion_event(segs(40), SMSS);
            let before = cc.cwnd();
            for i in 0..100 {
                cc.on_ack(MS(20 + i), SMSS, SMSS, Some(MS(10)), false);
            }
            assert_eq!(cc.cwnd(), before, "{algorithm:?}");
        }
    }

    #[test]
    fn reno_congestion_avoidance_adds_one_smss_per_round_trip() {
        // A loss with 40 segments in flight: ssthresh = cwnd = 20 segments. Byte counting
        // (RFC 5681 §3.1): 20 000 octets acknowledged add 1000, then 21 000 add 1000, ...:
        // ten round trips later the window is 30 segments, whether every segment is
        // acknowledged or every second one.
        for per_ack in [SMSS, 2 * SMSS] {
            let mut cc = grown_to(Algorithm::Reno, 40);
            cc.on_congestion_event(segs(40), SMSS);
            assert_eq!((cc.cwnd(), cc.ssthresh()), (segs(20), segs(20)));
            let mut now = Duration::ZERO;
            for n in 1..=10 {
                now = round(&mut cc, now, MS(100), per_ack);
                assert_eq!(cc.cwnd(), segs(20 + n), "per_ack {per_ack}");
            }
        }
    }

    #[test]
    fn reno_loss_halves_the_flight_size_but_keeps_two_segments() {
        // RFC 5681 eq. (4): ssthresh = max(FlightSize/2, 2·SMSS), cwnd = ssthresh.
        let mut cc = grown_to(Algorithm::Reno, 40);
        cc.on_congestion_event(segs(30), SMSS);
        assert_eq!((cc.ssthresh(), cc.cwnd()), (segs(15), segs(15)));
        cc.on_congestion_event(segs(3), SMSS);
        assert_eq!((cc.ssthresh(), cc.cwnd()), (segs(2), segs(2)));
    }

    #[test]
    fn fast_recovery_inflates_deflates_and_exits_with_the_first_option() {
        let mut cc = grown_to(Algorithm::Reno, 40);
        cc.on_congestion_event(segs(30), SMSS);
        // RFC 5681 §3.2 step 4: ssthresh + 3·SMSS = 15 + 3.
        cc.enter_fast_recovery(SMSS);
        assert_eq!(cc.cwnd(), segs(18));
        // Step 5: one more duplicate, one more segment.
        cc.on_duplicate_in_recovery(SMSS);
        assert_eq!(cc.cwnd(), segs(19));
        // RFC 6582 §3.2 step 5: a partial ACK of 3000 deflates by 3000 and adds back 1000.
        cc.on_partial_ack(3 * SMSS, SMSS);
        assert_eq!(cc.cwnd(), segs(17));
        // Less than one SMSS acknowledged: nothing added back.
        cc.on_partial_ack(500, SMSS);
        assert_eq!(cc.cwnd(), 16_500);
        // An ACK of new data during recovery is not congestion avoidance.
        cc.on_ack(MS(1), SMSS, SMSS, None, true);
        assert_eq!(cc.cwnd(), 16_500);
        // Step 3: min(ssthresh, max(FlightSize, SMSS) + SMSS) = min(15, 4 + 1).
        let mut small = cc;
        small.exit_fast_recovery(segs(4), SMSS);
        assert_eq!(small.cwnd(), segs(5));
        assert!(small.in_slow_start() && !small.in_fast_recovery());
        cc.exit_fast_recovery(segs(20), SMSS);
        assert_eq!(cc.cwnd(), segs(15), "no more than ssthresh");
        // Outside fast recovery these change nothing.
        cc.on_duplicate_in_recovery(SMSS);
        cc.on_partial_ack(3 * SMSS, SMSS);
        assert_eq!(cc.cwnd(), segs(15));
    }

    #[test]
    fn a_timeout_leaves_one_segment_and_holds_ssthresh_when_repeated() {
        // RFC 5681 §3.1: ssthresh = max(FlightSize/2, 2·SMSS) = 10 segments, cwnd = LW = 1.
        let mut cc = grown_to(Algorithm::Reno, 20);
        cc.enter_fast_recovery(SMSS);
        cc.on_retransmit_timeout(segs(20), SMSS, true);
        assert_eq!((cc.ssthresh(), cc.cwnd()), (segs(10), segs(1)));
        assert!(
            !cc.in_fast_recovery(),
            "RFC 6582: a timeout ends fast recovery"
        );
        // The same segment times out again with one segment in flight: ssthresh is held,
        // not max(1/2, 2) = 2 segments.
        cc.on_retransmit_timeout(segs(1), SMSS, false);
        assert_eq!((cc.ssthresh(), cc.cwnd()), (segs(10), segs(1)));
        // A later segment's first timeout computes it afresh.
        cc.on_retransmit_timeout(segs(1), SMSS, true);
        assert_eq!(cc.ssthresh(), segs(2));
    }

    #[test]
    fn an_idle_period_longer_than_the_rto_restarts_from_the_initial_window() {
        // RFC 5681 §4.1: cwnd = min(cwnd, RW), RW = min(IW, cwnd).
        let mut cc = grown_to(Algorithm::Reno, 40);
        cc.after_idle(MS(5000), MS(500), MS(1000), SMSS);
        assert_eq!(cc.cwnd(), segs(40), "idle less than one RTO");
        cc.after_idle(MS(7000), MS(2000), MS(1000), SMSS);
        assert_eq!(cc.cwnd(), segs(10), "IW");
        assert_eq!(cc.ssthresh(), u32::MAX, "ssthresh is left alone");
        let mut small = grown_to(Algorithm::Reno, 20);
        small.on_retransmit_timeout(segs(20), SMSS, true);
        round(&mut small, Duration::ZERO, MS(10), SMSS);
        round(&mut small, MS(10), MS(10), SMSS);
        assert_eq!(small.cwnd(), segs(4));
        small.after_idle(MS(9000), MS(5000), MS(1000), SMSS);
        assert_eq!(small.cwnd(), segs(4), "below IW already");
    }

    #[test]
    fn cubic_reduces_to_seven_tenths_and_computes_k_by_equation_2() {
        // RFC 9438 §4.6: ssthresh = 0.7 · 100 segments; W_max = 100 segments (first loss).
        let mut cc = grown_to(Algorithm::Cubic, 100);
        cc.on_congestion_event(segs(100), SMSS);
        assert_eq!((cc.ssthresh(), cc.cwnd()), (segs(70), segs(70)));
        assert_eq!(
            (cc.cubic.w_max, cc.cubic.cwnd_prior),
            (segs(100), segs(100))
        );
        assert_eq!(
            cc.cubic.epoch_start, None,
            "the stage begins with its first ACK"
        );
        // The first ACK of congestion avoidance: eq. (2), K = ∛((100 − 70)/0.4) = ∛75 s =
        // 4.2171633… s.
        cc.on_ack(MS(1000), SMSS, SMSS, Some(MS(100)), true);
        assert_eq!(cc.cubic.epoch_start, Some(1_000_000));
        assert_eq!(cc.cubic.k.as_micros(), 4_217_163);
        // ssthresh comes from the flight size, W_max from cwnd: 80 segments in flight.
        let mut cc = grown_to(Algorithm::Cubic, 100);
        cc.on_congestion_event(segs(80), SMSS);
        assert_eq!((cc.ssthresh(), cc.cubic.w_max), (segs(56), segs(100)));
    }

    #[test]
    fn cubic_w_of_t_matches_equation_1() {
        // W_max = 100, cwnd_epoch = 70 segments: W(t) = 0.4·(t − K)³ + 100 at a few t,
        // against floating point, within one SMSS (in fact within an octet or two).
        let mut cc = grown_to(Algorithm::Cubic, 100);
        cc.on_congestion_event(segs(100), SMSS);
        cc.on_ack(Duration::ZERO, SMSS, SMSS, None, true);
        let k = 75f64.cbrt();
        assert!((cc.w_cubic(Duration::ZERO, SMSS) as f64 - 70_000.0).abs() < 2.0);
        for t in [0.0, 1.0, 2.5, k, 6.0, 10.0, 3600.0] {
            let exact = w_cubic_reference(t, k, 100.0) * SMSS as f64;
            let exact = exact.min(u32::MAX as f64);
            let ours = cc.w_cubic(Duration::from_secs_f64(t), SMSS) as f64;
            assert!(
                (ours - exact).abs() <= SMSS as f64,
                "t {t}: {ours} vs {exact}"
            );
        }
        assert_eq!(
            cc.w_cubic(Duration::from_secs(3600), SMSS),
            u32::MAX,
            "0.4·3596³ segments saturate"
        );
        assert_eq!(cc.w_cubic(Duration::MAX, u32::MAX), u32::MAX);
    }

    #[test]
    fn cubic_cwnd_climbs_the_curve_between_w_of_t_and_w_of_t_plus_rtt() {
        // W_max = 1000, cwnd_epoch = 700 segments, RTT 100 ms, K = ∛750 = 9.09 s. Per ACK
        // cwnd moves by (target − cwnd)/cwnd towards target = W(t + RTT) (§4.4, §4.5), so at
        // each round trip's end it lies between W(t) and W(t + RTT), through the plateau at
        // W_max and into the convex region. The Reno estimate (≈ 0.53 segment per round trip)
        // stays far below: this is the cubic region throughout.
        let mut cc = grown_to(Algorithm::Cubic, 1000);
        cc.on_congestion_event(segs(1000), SMSS);
        let rtt = MS(100);
        let k = 750f64.cbrt();
        let mut now = Duration::ZERO;
        for _ in 0..120 {
            now = round(&mut cc, now, rtt, SMSS);
            let t = now.as_secs_f64();
            let low = w_cubic_reference(t, k, 1000.0) - 1.0;
            let high = w_cubic_reference(t + 0.1, k, 1000.0) + 1.0;
            let cwnd = cc.cwnd() as f64 / SMSS as f64;
            assert!(
                low <= cwnd && cwnd <= high,
                "t {t}: {low} ≤ {cwnd} ≤ {high}"
            );
        }
        assert!(cc.cwnd() > segs(1005), "past W_max, convex: {}", cc.cwnd());
    }

    #[test]
    fn cubic_follows_reno_in_the_reno_friendly_region() {
        // W_max = 100, cwnd_epoch = 70 segments, RTT 10 ms: W_cubic(0.1 s) is only ≈ 72
        // segments, while W_est grows by α_cubic = 9/17 ≈ 0.53 segment per round trip
        // (eq. (4)): after 10 round trips ≈ 75.3 (a little less, as cwnd grows within each).
        let mut cc = grown_to(Algorithm::Cubic, 100);
        cc.on_congestion_event(segs(100), SMSS);
        let rtt = MS(10);
        let mut now = Duration::ZERO;
        for _ in 0..10 {
            now = round(&mut cc, now, rtt, SMSS);
        }
        assert!((segs(75)..=segs(76)).contains(&cc.cwnd()), "{}", cc.cwnd());
        assert!(
            cc.w_cubic(now, SMSS) + SMSS < cc.cwnd(),
            "above the cubic curve"
        );
        // Once W_est reaches cwnd_prior (100 segments), α_cubic = 1: one segment per round
        // trip, as Reno.
        while cc.cwnd() < segs(100) {
            now = round(&mut cc, now, rtt, SMSS);
        }
        let reached = cc.cwnd();
        for _ in 0..10 {
            now = round(&mut cc, now, rtt, SMSS);
        }
        let grown = cc.cwnd() - reached;
        assert!((segs(9)..=segs(10)).contains(&grown), "{grown}");
    }

    #[test]
    fn cubic_fast_convergence_lowers_w_max_below_a_falling_window() {
        // RFC 9438 §4.7: a loss at cwnd 70 < W_max 100 sets W_max = 70 · 0.85 = 59.5
        // segments; ssthresh = 0.7 · 70 = 49.
        let mut cc = grown_to(Algorithm::Cubic, 100);
        cc.on_congestion_event(segs(100), SMSS);
        cc.on_congestion_event(segs(70), SMSS);
        assert_eq!(cc.cubic.w_max, 59_500);
        assert_eq!((cc.ssthresh(), cc.cwnd()), (segs(49), segs(49)));
        assert_eq!(cc.cubic.cwnd_prior, segs(70));
    }

    #[test]
    fn after_a_timeout_cubic_starts_on_the_plateau_of_its_own_window() {
        // RFC 9438 §4.8: ssthresh = 0.7 · flight, cwnd = 1 segment; the next stage has
        // K = 0 and W_max = W_est = its starting window.
        let mut cc = grown_to(Algorithm::Cubic, 100);
        cc.on_retransmit_timeout(segs(100), SMSS, true);
        assert_eq!((cc.ssthresh(), cc.cwnd()), (segs(70), segs(1)));
        while cc.in_slow_start() {
            cc.on_ack(MS(10), SMSS, SMSS, Some(MS(100)), true);
        }
        assert_eq!(cc.cwnd(), segs(70));
        cc.on_ack(MS(20), SMSS, SMSS, Some(MS(100)), true);
        assert_eq!(cc.cubic.k, Duration::ZERO);
        assert_eq!(cc.cubic.w_max, segs(70));
        assert_eq!(cc.cubic.w_est >> FRAC_BITS, u64::from(segs(70)) + 7);
    }

    /// In congestion avoidance (W_max 100, cwnd 70 segments), its stage begun at 1 s.
    fn cubic_in_avoidance() -> Congestion {
        let mut cc = grown_to(Algorithm::Cubic, 100);
        cc.on_congestion_event(segs(100), SMSS);
        cc.on_ack(MS(1000), SMSS, SMSS, Some(MS(100)), true);
        cc
    }

    #[test]
    fn cubic_leaves_idle_time_out_of_t() {
        // RFC 9438 §5.8: idle 5 s (less than the RTO, so the window stays) and an ACK at
        // 7 s grows the window as an ACK at 2 s would without the idle time.
        let mut idle = cubic_in_avoidance();
        let mut busy = idle;
        let mut unshifted = idle;
        idle.after_idle(MS(6500), MS(5000), MS(10_000), SMSS);
        idle.on_ack(MS(7000), SMSS, SMSS, Some(MS(100)), true);
        busy.on_ack(MS(2000), SMSS, SMSS, Some(MS(100)), true);
        unshifted.on_ack(MS(7000), SMSS, SMSS, Some(MS(100)), true);
        assert_eq!(idle.cubic.epoch_start, Some(6_000_000));
        assert_eq!(
            (idle.cwnd(), idle.cubic.w_est),
            (busy.cwnd(), busy.cubic.w_est)
        );
        assert!(unshifted.cwnd() > idle.cwnd());
    }

    #[test]
    fn cubic_leaves_application_limited_time_out_of_t() {
        // ACKs that say the sender was not cwnd-limited from 1.5 s; the next cwnd-limited
        // one at 6.5 s counts as if at 1.5 s.
        let mut limited = cubic_in_avoidance();
        let mut busy = limited;
        limited.on_ack(MS(1500), SMSS, SMSS, Some(MS(100)), false);
        limited.on_ack(MS(4000), SMSS, SMSS, Some(MS(100)), false);
        limited.on_ack(MS(6500), SMSS, SMSS, Some(MS(100)), true);
        busy.on_ack(MS(1500), SMSS, SMSS, Some(MS(100)), true);
        assert_eq!(limited.cwnd(), busy.cwnd());
        assert_eq!(limited.cubic.epoch_start, Some(6_000_000));
    }

    #[test]
    fn rebasing_the_clock_keeps_t_counting() {
        // A model keeps now = 0 and rebases as time passes: 3 s later, its ACK at "0" grows
        // the window as an ACK at 4 s does without the rebase (t = 3 s both times).
        let mut rebased = cubic_in_avoidance();
        let mut plain = rebased;
        rebased.rebase(MS(4000));
        assert_eq!(rebased.cubic.epoch_start, Some(-3_000_000));
        rebased.on_ack(Duration::ZERO, SMSS, SMSS, Some(MS(100)), true);
        plain.on_ack(MS(4000), SMSS, SMSS, Some(MS(100)), true);
        assert_eq!(rebased.cwnd(), plain.cwnd());
        // Per ACK cwnd grows by (target − cwnd)/cwnd segments: at t = 3 s target = W(3.1 s)
        // ≈ 99.4 segments, ≈ 420 octets; at t = 0 target = W(0.1 s) ≈ 72 segments, ≈ 30.
        let mut early = cubic_in_avoidance();
        early.on_ack(MS(1000), SMSS, SMSS, Some(MS(100)), true);
        assert!(plain.cwnd() > early.cwnd() + 300);
    }

    #[test]
    fn a_cubic_window_cut_after_idle_starts_a_new_stage_later() {
        let mut cc = cubic_in_avoidance();
        cc.after_idle(MS(9000), MS(5000), MS(1000), SMSS);
        assert_eq!(cc.cwnd(), segs(10));
        assert_eq!(cc.cubic.epoch_start, None);
        assert_eq!(
            cc.cubic.w_max,
            segs(100),
            "the saturation point is remembered"
        );
    }

    #[test]
    fn a_new_smss_keeps_whole_segments_and_recomputes_the_initial_window() {
        let mut cc = Congestion::new(Algorithm::Reno, 536);
        cc.set_smss(536, 1460);
        assert_eq!(cc.cwnd(), 14_600, "RFC 6928 IW for 1460");
        let mut cc = grown_to(Algorithm::Cubic, 40);
        cc.on_congestion_event(segs(40), SMSS);
        assert_eq!(cc.cwnd(), segs(28));
        cc.set_smss(SMSS, 500);
        assert_eq!((cc.cwnd(), cc.ssthresh()), (28 * 500, 28 * 500));
        assert_eq!(cc.cubic.w_max, 40 * 500, "W_max in proportion");
        cc.set_smss(500, 9000);
        assert_eq!(cc.cwnd(), 28 * 9000);
        let mut tiny = grown_to(Algorithm::Reno, 10);
        tiny.on_retransmit_timeout(segs(4), SMSS, true);
        tiny.set_smss(SMSS, 1500);
        assert_eq!(
            tiny.ssthresh(),
            3000,
            "at least two segments of the new SMSS"
        );
    }

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    /// One round of `n` ACKs of one segment each, every one with RTT sample `rtt`: SND.UNA
    /// starts at `*una`, and the round ends when it reaches what was sent when it began.
    fn hystart_round(cc: &mut Congestion, una: &mut u32, rtt: Duration, n: u32) {
        let end = *una + n * 1000;
        for _ in 0..n {
            *una += 1000;
            cc.on_round_sample(*una, end + 1000, Some(rtt));
            cc.on_ack(Duration::ZERO, 1000, 1000, Some(rtt), true);
        }
    }

    #[test]
    fn hystart_leaves_slow_start_when_the_rtt_of_a_round_rises_and_ends_it_after_five_css_rounds() {
        // RFC 9406 §4.2: rounds at 20 ms, then one whose least RTT is 20 + max(4, 20/8) ms:
        // Conservative Slow Start, a quarter of the growth; five rounds later ssthresh = cwnd.
        let mut cc = Congestion::new(Algorithm::Cubic, 1000);
        let mut una = 0;
        hystart_round(&mut cc, &mut una, ms(20), 10);
        hystart_round(&mut cc, &mut una, ms(20), 10);
        assert!(!cc.in_conservative_slow_start());
        hystart_round(&mut cc, &mut una, ms(23), 10);
        assert!(
            !cc.in_conservative_slow_start(),
            "3 ms is below the 4 ms threshold"
        );
        hystart_round(&mut cc, &mut una, ms(28), 10);
        assert!(cc.in_conservative_slow_start());
        let before = cc.cwnd();
        cc.on_ack(Duration::ZERO, 1000, 1000, Some(ms(28)), true);
        assert_eq!(
            cc.cwnd() - before,
            250,
            "CSS: a quarter of slow start's growth"
        );
        for _ in 0..5 {
            assert!(cc.in_slow_start());
            hystart_round(&mut cc, &mut una, ms(28), 10);
        }
        // ssthresh took cwnd as CSS ended; congestion avoidance has grown cwnd since.
        assert!(!cc.in_slow_start());
        assert!(cc.ssthresh() > 40_000 && cc.ssthresh() <= cc.cwnd());
    }

    #[test]
    fn hystart_returns_to_slow_start_when_the_rtt_falls_below_the_css_baseline() {
        let mut cc = Congestion::new(Algorithm::Cubic, 1000);
        let mut una = 0;
        hystart_round(&mut cc, &mut una, ms(20), 10);
        hystart_round(&mut cc, &mut una, ms(30), 10);
        assert!(cc.in_conservative_slow_start());
        hystart_round(&mut cc, &mut una, ms(21), 10);
        assert!(!cc.in_conservative_slow_start() && cc.in_slow_start());
    }

    #[test]
    fn hystart_needs_eight_samples_a_round_and_cubic() {
        let mut cc = Congestion::new(Algorithm::Cubic, 1000);
        let mut una = 0;
        hystart_round(&mut cc, &mut una, ms(20), 7);
        hystart_round(&mut cc, &mut una, ms(40), 7);
        assert!(
            !cc.in_conservative_slow_start(),
            "seven samples decide nothing"
        );
        let mut reno = Congestion::new(Algorithm::Reno, 1000);
        hystart_round(&mut reno, &mut una, ms(20), 10);
        hystart_round(&mut reno, &mut una, ms(40), 10);
        assert!(
            !reno.in_conservative_slow_start(),
            "Reno's slow start is plain"
        );
    }

    #[test]
    fn integer_cube_roots_are_floors() {
        assert_eq!(integer_cube_root(0), 0);
        assert_eq!(integer_cube_root(26), 2);
        assert_eq!(integer_cube_root(27), 3);
        // ∛(75·10²⁷) = ∛75 · 10⁹ = 4 217 163 326.5…
        assert_eq!(
            integer_cube_root(75_000_000_000_000_000_000_000_000_000),
            4_217_163_326
        );
        let top = integer_cube_root(u128::MAX);
        assert!(top.checked_pow(3).is_some() && (top + 1).checked_pow(3).is_none());
    }

    #[derive(Clone, Debug)]
    enum Call {
        Ack(u64, u32, Option<u64>, bool),
        Loss(u32),
        Enter,
        Dup,
        Partial(u32),
        Exit(u32),
        Timeout(u32, bool),
        Idle(u64, u64, u64),
        Smss(u32),
        Rebase(u64),
    }

    fn octets() -> impl Strategy<Value = u32> {
        prop_oneof![0u32..100_000, any::<u32>(), Just(u32::MAX)]
    }

    fn micros() -> impl Strategy<Value = u64> {
        prop_oneof![0u64..100_000_000, 0u64..10_000_000_000_000, any::<u64>()]
    }

    fn call() -> impl Strategy<Value = Call> {
        prop_oneof![
            4 => (micros(), octets(), proptest::option::of(micros()), any::<bool>())
                .prop_map(|(n, a, r, l)| Call::Ack(n, a, r, l)),
            1 => (octets()).prop_map(Call::Loss),
            1 => Just(Call::Enter),
            1 => Just(Call::Dup),
            1 => (octets()).prop_map(Call::Partial),
            1 => (octets()).prop_map(Call::Exit),
            1 => (octets(), any::<bool>()).prop_map(|(f, first)| Call::Timeout(f, first)),
            1 => (micros(), micros(), micros()).prop_map(|(n, i, r)| Call::Idle(n, i, r)),
            1 => prop_oneof![1u32..10_000, any::<u32>()].prop_map(Call::Smss),
            1 => micros().prop_map(Call::Rebase),
        ]
    }

    proptest! {
        #[test]
        fn no_sequence_of_calls_panics_or_breaks_the_floors(
            algorithm in prop_oneof![Just(Algorithm::Reno), Just(Algorithm::Cubic)],
            first_smss in prop_oneof![1u32..10_000, any::<u32>()],
            calls in proptest::collection::vec(call(), 0..60),
        ) {
            let us = Duration::from_micros;
            let mut smss = first_smss;
            let mut cc = Congestion::new(algorithm, smss);
            let mut lost = false;
            for call in calls {
                match call {
                    Call::Ack(now, acked, srtt, limited) =>
                        cc.on_ack(us(now), acked, smss, srtt.map(us), limited),
                    Call::Loss(flight) => {
                        cc.on_congestion_event(flight, smss);
                        lost = true;
                    }
                    Call::Enter => cc.enter_fast_recovery(smss),
                    Call::Dup => cc.on_duplicate_in_recovery(smss),
                    Call::Partial(acked) => cc.on_partial_ack(acked, smss),
                    Call::Exit(flight) => cc.exit_fast_recovery(flight, smss),
                    Call::Timeout(flight, first) => {
                        cc.on_retransmit_timeout(flight, smss, first);
                        lost = true;
                    }
                    Call::Idle(now, idle, rto) => cc.after_idle(us(now), us(idle), us(rto), smss),
                    Call::Smss(new) => {
                        cc.set_smss(smss, new);
                        smss = new;
                    }
                    Call::Rebase(elapsed) => cc.rebase(us(elapsed)),
                }
                prop_assert!(cc.cwnd() >= smss, "cwnd {} < SMSS {}", cc.cwnd(), smss);
                if lost {
                    prop_assert!(cc.ssthresh() >= smss.saturating_mul(2));
                }
                prop_assert_eq!(cc.in_slow_start(), cc.cwnd() < cc.ssthresh());
            }
        }
    }
}
