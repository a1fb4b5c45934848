//! A shared value that carries its own hash: the checker's cheap view of a large part of a
//! state.
//!
//! stateright identifies a state by a 64-bit fingerprint of its `Hash` (a hash compaction:
//! two states with one fingerprint are taken for one). A TCP endpoint is over a kilobyte of
//! connection, and a step changes one endpoint at most, yet the derived `Hash` of the whole
//! state walks both endpoints on every state generated, and `Clone` copies both. [`Cached`]
//! keeps a value behind an [`Arc`], so that a state's copy shares the endpoint the step leaves
//! alone, and hashes it once, when first asked, into a 64-bit digest that the state's `Hash`
//! then writes in its place.
//!
//! This changes which states are taken for one only by a collision of the 64-bit digest,
//! of the same order as the fingerprint's own (stateright-notes 4): the digest is a
//! fixed-key AHash of the whole value, exactly what the fingerprint would have hashed.
//! Equality compares the values themselves. Every mutable access drops the digest, so it
//! is never stale.

use std::hash::{Hash, Hasher};
use std::ops::{Deref, DerefMut};
use std::sync::{Arc, OnceLock};

/// Fixed keys: the digest of equal values is equal in every run and on every thread.
fn digest<T: Hash>(value: &T) -> u64 {
    ahash::RandomState::with_seeds(
        0x243f_6a88_85a3_08d3,
        0x1319_8a2e_0370_7344,
        0xa409_3822_299f_31d0,
        0x082e_fa98_ec4e_6c89,
    )
    .hash_one(value)
}

/// A value shared between states, hashed once.
#[derive(Clone)]
pub struct Cached<T> {
    value: Arc<T>,
    digest: OnceLock<u64>,
}

impl<T: Hash + Clone> Cached<T> {
    /// Wraps a value.
    pub fn new(value: T) -> Cached<T> {
        Cached {
            value: Arc::new(value),
            digest: OnceLock::new(),
        }
    }

    /// The 64-bit digest the state's `Hash` writes for this value.
    pub fn digest(&self) -> u64 {
        *self.digest.get_or_init(|| digest(&*self.value))
    }

    /// Whether `self` and `other` share one value (neither was changed since one was
    /// copied from the other).
    pub fn same(&self, other: &Cached<T>) -> bool {
        Arc::ptr_eq(&self.value, &other.value)
    }
}

impl<T> Deref for Cached<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.value
    }
}

/// A mutable access copies a shared value (copy on write) and forgets the digest.
impl<T: Clone> DerefMut for Cached<T> {
    fn deref_mut(&mut self) -> &mut T {
        self.digest = OnceLock::new();
        Arc::make_mut(&mut self.value)
    }
}

impl<T: Hash + Clone> Hash for Cached<T> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        state.write_u64(self.digest());
    }
}

impl<T: PartialEq> PartialEq for Cached<T> {
    fn eq(&self, other: &Cached<T>) -> bool {
        *self.value == *other.value
    }
}

impl<T: Eq> Eq for Cached<T> {}

impl<T: PartialOrd> PartialOrd for Cached<T> {
    fn partial_cmp(&self, other: &Cached<T>) -> Option<std::cmp::Ordering> {
        (*self.value).partial_cmp(&*other.value)
    }
}

impl<T: Ord> Ord for Cached<T> {
    fn cmp(&self, other: &Cached<T>) -> std::cmp::Ordering {
        (*self.value).cmp(&*other.value)
    }
}

impl<T: Default + Hash + Clone> Default for Cached<T> {
    fn default() -> Self {
        Cached::new(T::default())
    }
}

impl<T: std::fmt::Debug> std::fmt::Debug for Cached<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.value.fmt(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fp<T: Hash>(v: &T) -> u64 {
        digest(v)
    }

    #[test]
    fn a_change_changes_the_digest_and_a_copy_shares() {
        let a = Cached::new(vec![1u8, 2, 3]);
        let mut b = a.clone();
        assert!(a.same(&b));
        assert_eq!(fp(&a), fp(&b));
        b.push(4);
        assert!(!a.same(&b));
        assert_ne!(a, b);
        assert_ne!(fp(&a), fp(&b));
        b.pop();
        assert_eq!(a, b);
        assert_eq!(fp(&a), fp(&b), "equal values, equal digests, shared or not");
    }

    #[test]
    fn the_digest_is_the_values_own() {
        let a = Cached::new((7u32, "x"));
        assert_eq!(a.digest(), digest(&(7u32, "x")));
        let mut b = a.clone();
        b.0 = 8;
        assert_eq!(b.digest(), digest(&(8u32, "x")));
    }
}
