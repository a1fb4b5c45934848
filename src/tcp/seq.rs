//! Sequence numbers: 32-bit values compared modulo 2^32 (RFC 9293 §3.4).
//!
//! `Seq` deliberately implements neither `PartialOrd` nor `Ord`: the raw numeric order is
//! meaningless in a wrapping space. Comparisons go through [`Seq::lt`] and friends, which
//! implement the RFC's "<" and "=<" for numbers less than 2^31 apart.

use serde::Serialize;
use std::fmt;
use std::ops::{Add, Sub};

/// A TCP sequence (or acknowledgment) number.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default, Serialize)]
pub struct Seq(pub u32);

impl Seq {
    /// `self < other` in sequence space (RFC 9293 §3.4).
    pub fn lt(self, other: Seq) -> bool {
        (self.0.wrapping_sub(other.0) as i32) < 0
    }
    /// `self =< other` in sequence space.
    pub fn le(self, other: Seq) -> bool {
        self == other || self.lt(other)
    }
    /// `self > other` in sequence space.
    pub fn gt(self, other: Seq) -> bool {
        other.lt(self)
    }
    /// `self >= other` in sequence space.
    pub fn ge(self, other: Seq) -> bool {
        other.le(self)
    }
    /// `low =< self < high`, the half-open range test used by the acceptability table.
    pub fn in_range(self, low: Seq, high: Seq) -> bool {
        low.le(self) && self.lt(high)
    }
}

impl Add<u32> for Seq {
    type Output = Seq;
    fn add(self, n: u32) -> Seq {
        Seq(self.0.wrapping_add(n))
    }
}

impl Sub<Seq> for Seq {
    type Output = u32;
    /// The distance `self - other` modulo 2^32.
    fn sub(self, other: Seq) -> u32 {
        self.0.wrapping_sub(other.0)
    }
}

impl fmt::Debug for Seq {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl fmt::Display for Seq {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comparisons_wrap_around_2_pow_32() {
        let max = Seq(u32::MAX);
        assert!(max.lt(Seq(0)));
        assert!(Seq(0).gt(max));
        assert_eq!(max + 1, Seq(0));
        assert_eq!(Seq(0) - max, 1);
        assert!(Seq(5).in_range(max, Seq(10)));
        assert!(!Seq(10).in_range(max, Seq(10)));
        assert!(max.le(max) && max.ge(max));
    }

    #[test]
    fn numbers_half_the_space_apart_compare_by_distance() {
        assert!(Seq(0).lt(Seq(0x7fff_ffff)));
        assert!(Seq(0).gt(Seq(0x8000_0001)));
    }
}
