//! Initial sequence number selection (RFC 9293 §3.4.1, MUST-8).
//!
//! ISN = M + F(localip, localport, remoteip, remoteport, secretkey), where M is a clock that
//! ticks every 4 microseconds and F a keyed hash. Both inputs come from the caller (the stack
//! reads its clock and computes the hash with its secret key; a model supplies ticks and a
//! fixed value), so the rule stays pure. With [`Mechanism::IsnClock`] switched off the clock
//! term is dropped and every incarnation of a 4-tuple starts at the same number (T8).

use super::mechanisms::{Mechanism, Mechanisms};
use super::seq::Seq;

/// The ISN for a connection whose 4-tuple hashes to `keyed_hash`, at clock reading `clock`
/// (in units of 4 µs, or model ticks scaled by the caller).
pub fn initial_sequence_number(clock: u32, keyed_hash: u32, mechanisms: Mechanisms) -> Seq {
    if mechanisms.on(Mechanism::IsnClock) {
        Seq(clock.wrapping_add(keyed_hash))
    } else {
        Seq(keyed_hash)
    }
}

/// The 4 µs clock of §3.4.1 from a time in microseconds: it wraps every ~4.77 hours.
pub fn isn_clock_from_micros(micros: u64) -> u32 {
    (micros / 4) as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_clock_advances_the_isn_and_wraps() {
        let m = Mechanisms::default();
        assert_eq!(initial_sequence_number(10, 5, m), Seq(15));
        assert_eq!(initial_sequence_number(2, u32::MAX, m), Seq(1));
        assert_eq!(isn_clock_from_micros(4 * (1 << 32) + 8), 2);
    }

    #[test]
    fn without_the_clock_every_incarnation_gets_the_same_isn() {
        let m = Mechanisms::default().without(Mechanism::IsnClock);
        assert_eq!(
            initial_sequence_number(10, 5, m),
            initial_sequence_number(99, 5, m)
        );
    }
}
