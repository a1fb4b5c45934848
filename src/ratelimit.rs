//! A token bucket: the rule that limits how often a host answers unsolicited traffic.
//!
//! RFC 1812 §4.3.2.8 asks that the rate of ICMP error messages be limited, and RFC 4443
//! §2.4 (f) names the token bucket as the method ("a sender may send up to B messages in a
//! burst, and then at most N per second"); RFC 1122 §3.2.2 notes that a host answering every
//! bad datagram can be turned against the network. The same limit serves every kind of answer
//! that a flood of forged packets can draw 1:1 from a host: ICMP errors, Echo Replies
//! (RFC 1122 §3.2.2.6) and the RSTs sent for segments that reach no connection
//! (RFC 9293 §3.10.7.1), as FreeBSD's `net.inet.icmp.icmplim` limits them.
//!
//! Pure, like the protocol rules: no clock (time comes in as a [`Duration`] since an
//! arbitrary epoch) and no I/O. Arithmetic is exact (integers, no rounding drift): over any
//! interval of length `t` a bucket allows at most `burst + ⌊t · per_second⌋` messages.

use std::time::Duration;

/// A rate limit: at most `burst` messages at once, refilled at `per_second` messages per second.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Rate {
    /// Messages allowed per second, sustained.
    pub per_second: u32,
    /// Messages allowed at once after a quiet period (the bucket's depth).
    pub burst: u32,
}

impl Rate {
    /// `per_second` messages per second with bursts of `burst`.
    pub const fn new(per_second: u32, burst: u32) -> Rate {
        Rate { per_second, burst }
    }
}

/// One token, in the bucket's units: a nanosecond of refill adds `per_second` units.
const TOKEN: u128 = 1_000_000_000;

/// A token bucket (RFC 4443 §2.4 (f)). It starts full, so the first `burst` messages pass.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct TokenBucket {
    rate: Rate,
    /// Tokens held, in units of 1/[`TOKEN`] of a token.
    units: u128,
    /// The time of the last refill.
    last: Duration,
}

impl TokenBucket {
    /// A full bucket for `rate`, at time `now`.
    pub fn new(rate: Rate, now: Duration) -> TokenBucket {
        TokenBucket {
            rate,
            units: u128::from(rate.burst) * TOKEN,
            last: now,
        }
    }

    /// The limit this bucket enforces.
    pub fn rate(&self) -> Rate {
        self.rate
    }

    /// Whether one more message may be sent at `now`; if so, its token is taken. Time that
    /// goes backwards refills nothing (the bucket keeps the latest time it has seen).
    pub fn allow(&mut self, now: Duration) -> bool {
        let capacity = u128::from(self.rate.burst) * TOKEN;
        if now > self.last {
            let refill = (now - self.last).as_nanos() * u128::from(self.rate.per_second);
            self.units = self.units.saturating_add(refill).min(capacity);
            self.last = now;
        }
        if self.units >= TOKEN {
            self.units -= TOKEN;
            true
        } else {
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    fn allowed(b: &mut TokenBucket, now: Duration, tries: u32) -> u32 {
        (0..tries).filter(|_| b.allow(now)).count() as u32
    }

    #[test]
    fn a_burst_passes_then_the_rate_refills_one_token_per_interval() {
        let mut b = TokenBucket::new(Rate::new(1000, 50), ms(0));
        assert_eq!(allowed(&mut b, ms(0), 1000), 50, "the burst");
        assert_eq!(allowed(&mut b, ms(0), 1000), 0, "empty");
        assert_eq!(allowed(&mut b, ms(1), 1000), 1, "one token per millisecond");
        assert_eq!(allowed(&mut b, ms(11), 1000), 10);
        // A quiet period refills no more than the burst.
        assert_eq!(allowed(&mut b, ms(60_000), 1000), 50);
    }

    #[test]
    fn over_any_interval_at_most_burst_plus_rate_times_length_pass() {
        // 3 per second does not divide a second in nanoseconds: no rounding lets a 4th through.
        let mut b = TokenBucket::new(Rate::new(3, 2), ms(0));
        let mut n = 0;
        for t in 0..=10_000u64 {
            n += allowed(&mut b, ms(t), 5);
        }
        assert_eq!(n, 2 + 30, "10 s at 3/s after a burst of 2");
    }

    #[test]
    fn time_going_backwards_refills_nothing() {
        let mut b = TokenBucket::new(Rate::new(10, 1), ms(1000));
        assert!(b.allow(ms(1000)));
        assert!(!b.allow(ms(0)));
        assert!(
            !b.allow(ms(1099)),
            "a refill is measured from the latest time seen"
        );
        assert!(b.allow(ms(1100)));
    }

    #[test]
    fn a_zero_rate_allows_the_burst_only_and_a_zero_burst_nothing() {
        let mut b = TokenBucket::new(Rate::new(0, 2), ms(0));
        assert_eq!(allowed(&mut b, Duration::from_secs(1 << 40), 10), 2);
        let mut b = TokenBucket::new(Rate::new(1000, 0), ms(0));
        assert_eq!(allowed(&mut b, ms(5000), 10), 0);
    }
}
