//! The reassembly queue (RFC 9293 §3.10.7.4 seventh step, §3.8.6): in-window text that arrived
//! beyond RCV.NXT, held until RCV.NXT reaches it, as disjoint intervals of sequence space.
//!
//! Bounded by what was offered (issue 17, item 2): the caller trims text to the window it
//! offered before it gets here, so every queued octet lies in RCV.NXT..RCV.NXT+RCV.WND and
//! the queue never holds more octets than the window; text that overlaps queued text is
//! trimmed to the part not yet held, so no sequence number is stored twice, and when the same
//! sequence numbers arrive again with different text the first copy is kept (RFC 9293 §3.10.7.4
//! leaves the choice open: "segments with higher beginning sequence numbers may be held"; RFC
//! 5961's blind injection is no easier against the first copy than against the last, and
//! keeping it means a duplicate costs no copy at all).
//!
//! Cost per arrival: a lookup in an ordered map (logarithmic in the number of intervals) plus
//! the intervals the new text overlaps, never a scan of the whole queue. Intervals are keyed by
//! their offset from a base sequence number (RCV.NXT when the queue was last empty), so the
//! ordering is right across the wrap of sequence space at 2^32 as long as the offsets stay below
//! 2^31; the queue re-keys itself from RCV.NXT (a linear step, amortized over 2^30 octets
//! received) before they could reach that.

use super::seq::Seq;
use serde::{Serialize, Serializer};
use std::collections::BTreeMap;
use std::hash::{Hash, Hasher};

/// Offsets from the base at which the queue re-keys itself from RCV.NXT: far below 2^31, so
/// that an interval within a 64 KiB window of RCV.NXT never reaches 2^31.
const REBASE_AFTER: u32 = 1 << 30;

/// Held out-of-order text: disjoint intervals, each at most as long as the window it came in.
#[derive(Clone, Debug, Default)]
pub struct Reassembly {
    /// The sequence number keys are measured from.
    base: Seq,
    /// Offset from `base` of each interval's first octet → its text; no two overlap.
    map: BTreeMap<u32, Vec<u8>>,
    /// Octets held (the sum of the intervals' lengths, and of `copies`).
    octets: usize,
    /// Further copies of text already held at the same sequence number: only with the
    /// `reassembly-bound` ablation, which keeps every copy. Never delivered; dropped once
    /// RCV.NXT passes them.
    copies: Vec<(Seq, Vec<u8>)>,
}

impl Reassembly {
    /// Whether nothing is held.
    pub fn is_empty(&self) -> bool {
        self.map.is_empty() && self.copies.is_empty()
    }

    /// Octets held.
    pub fn octets(&self) -> usize {
        self.octets
    }

    /// Disjoint intervals held.
    pub fn intervals(&self) -> usize {
        self.map.len()
    }

    /// The intervals, in sequence order: first sequence number and text.
    pub fn iter(&self) -> impl Iterator<Item = (Seq, &[u8])> {
        self.map.iter().map(|(k, t)| (self.base + *k, t.as_slice()))
    }

    /// The intervals as owned pairs, in sequence order (for tests and display).
    pub fn to_vec(&self) -> Vec<(Seq, Vec<u8>)> {
        self.iter().map(|(s, t)| (s, t.to_vec())).collect()
    }

    /// The contiguous run of held sequence numbers around `seq`, as `(left, right)` with
    /// `right` exclusive, or `None` if `seq` is not held: the block a SACK option reports for
    /// a segment queued there (RFC 2018 §4). Intervals that abut (text that filled the gap in
    /// front of held text is kept as its own interval) are joined.
    ///
    /// Cost: a lookup in the ordered map (logarithmic in the number of intervals) plus one
    /// step per abutting interval joined. Exact for the bounded queue, whose intervals are
    /// disjoint; under the `reassembly-bound` ablation, where copies may overlap, a run is
    /// joined to the left only through intervals that reach it.
    pub(crate) fn interval_containing(&self, seq: Seq) -> Option<(Seq, Seq)> {
        let at = seq - self.base;
        let (&k, held) = self.map.range(..=at).next_back()?;
        let (mut left, mut right) = (k, k.saturating_add(held.len() as u32));
        if right <= at {
            return None;
        }
        for (&k, held) in self.map.range(right..) {
            if k > right {
                break;
            }
            right = right.max(k.saturating_add(held.len() as u32));
        }
        for (&k, held) in self.map.range(..left).rev() {
            if k.saturating_add(held.len() as u32) < left {
                break;
            }
            left = k;
        }
        Some((self.base + left, self.base + right))
    }

    /// Holds `text` starting at `seq` (which lies beyond `rcv_nxt`; the caller has trimmed it
    /// to the window), keeping only the octets not already held. Returns how many octets were
    /// newly held.
    pub(crate) fn insert(&mut self, rcv_nxt: Seq, seq: Seq, text: &[u8]) -> usize {
        if text.is_empty() {
            return 0;
        }
        if self.map.is_empty() || rcv_nxt - self.base >= REBASE_AFTER {
            self.rebase(rcv_nxt);
        }
        let mut start = seq - self.base;
        let end = start.saturating_add(text.len() as u32);
        let mut text = text;
        // The interval before (or at) `start` may cover the front of the new text.
        if let Some((&k, held)) = self.map.range(..=start).next_back() {
            let held_end = k + held.len() as u32;
            if held_end >= end {
                return 0;
            }
            if held_end > start {
                text = &text[(held_end - start) as usize..];
                start = held_end;
            }
        }
        // Fill the gaps between the intervals that begin inside the new text.
        let mut pieces: Vec<(u32, &[u8])> = Vec::new();
        let mut cursor = start;
        for (&k, held) in self.map.range(start..end) {
            if k > cursor {
                pieces.push((
                    cursor,
                    &text[(cursor - start) as usize..(k - start) as usize],
                ));
            }
            cursor = cursor.max(k + held.len() as u32);
            if cursor >= end {
                break;
            }
        }
        if cursor < end {
            pieces.push((cursor, &text[(cursor - start) as usize..]));
        }
        let mut added = 0;
        for (k, piece) in pieces {
            added += piece.len();
            // A piece that continues the interval before it is appended to it (amortized
            // constant per octet), so text arriving in order behind a gap stays one interval.
            let before = self.map.range_mut(..k).next_back();
            match before {
                Some((&p, held)) if p + held.len() as u32 == k => held.extend_from_slice(piece),
                _ => {
                    self.map.insert(k, piece.to_vec());
                }
            }
        }
        self.octets += added;
        added
    }

    /// Holds `text` at `seq` as it came, neither trimmed to the window nor against what is
    /// held (the `reassembly-bound` ablation): a queue that deduplicates nothing. Text at a
    /// sequence number already held is kept as a further copy, which is never delivered (so
    /// the ablation changes how much is held, not what is delivered). Returns the octets
    /// added.
    pub(crate) fn insert_unbounded(&mut self, rcv_nxt: Seq, seq: Seq, text: &[u8]) -> usize {
        if self.is_empty() {
            self.rebase(rcv_nxt);
        }
        let k = seq - self.base;
        match self.map.entry(k) {
            std::collections::btree_map::Entry::Occupied(_) => {
                self.copies.push((seq, text.to_vec()));
            }
            std::collections::btree_map::Entry::Vacant(v) => {
                v.insert(text.to_vec());
            }
        }
        self.octets += text.len();
        text.len()
    }

    /// Takes the first interval if it begins at or before `rcv_nxt` (RCV.NXT has reached it).
    pub(crate) fn pop_reached(&mut self, rcv_nxt: Seq) -> Option<(Seq, Vec<u8>)> {
        if !self.copies.is_empty() {
            let octets = &mut self.octets;
            self.copies.retain(|(s, t)| {
                let live = (*s + t.len() as u32).gt(rcv_nxt);
                if !live {
                    *octets -= t.len();
                }
                live
            });
        }
        let (&k, _) = self.map.first_key_value()?;
        let seq = self.base + k;
        if !seq.le(rcv_nxt) {
            return None;
        }
        let text = self.map.remove(&k)?;
        self.octets -= text.len();
        Some((seq, text))
    }

    /// Re-keys every interval from `base`.
    fn rebase(&mut self, base: Seq) {
        let old = self.base;
        self.base = base;
        if self.map.is_empty() {
            return;
        }
        let map = std::mem::take(&mut self.map);
        self.map = map
            .into_iter()
            .map(|(k, t)| ((old + k) - base, t))
            .collect();
    }
}

/// Two queues are equal when they hold the same text at the same sequence numbers, whatever
/// their bases: equal connections must be equal states for a model checker.
impl PartialEq for Reassembly {
    fn eq(&self, other: &Self) -> bool {
        self.octets == other.octets && self.iter().eq(other.iter()) && self.copies == other.copies
    }
}

impl Eq for Reassembly {}

impl Hash for Reassembly {
    fn hash<H: Hasher>(&self, h: &mut H) {
        self.map.len().hash(h);
        for (s, t) in self.iter() {
            s.hash(h);
            t.hash(h);
        }
        self.copies.hash(h);
    }
}

impl Serialize for Reassembly {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.iter())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(items: &[(u32, &[u8])]) -> Vec<(Seq, Vec<u8>)> {
        items.iter().map(|(s, t)| (Seq(*s), t.to_vec())).collect()
    }

    #[test]
    fn overlapping_text_is_held_once_and_the_first_copy_wins() {
        let mut r = Reassembly::default();
        let nxt = Seq(100);
        assert_eq!(r.insert(nxt, Seq(110), b"klmn"), 4);
        assert_eq!(
            r.insert(nxt, Seq(110), b"XXXX"),
            0,
            "same numbers: first copy kept"
        );
        assert_eq!(
            r.insert(nxt, Seq(112), b"MNop"),
            2,
            "only the new tail is held"
        );
        assert_eq!(
            r.to_vec(),
            q(&[(110, b"klmnop")]),
            "appended to the interval"
        );
        assert_eq!(r.insert(nxt, Seq(105), b"fghijKLMNOPqr"), 7);
        assert_eq!(
            r.to_vec(),
            q(&[(105, b"fghij"), (110, b"klmnopqr")]),
            "the gaps filled, the held text untouched"
        );
        assert_eq!(r.octets(), 13);
        assert_eq!(r.intervals(), 2);
    }

    #[test]
    fn text_spanning_several_intervals_fills_only_the_gaps() {
        let mut r = Reassembly::default();
        let nxt = Seq(0);
        for s in [10, 14, 18] {
            r.insert(nxt, Seq(s), b"HH");
        }
        assert_eq!(r.insert(nxt, Seq(8), b"abcdefghijklmnop"), 10);
        let text: Vec<u8> = r.iter().flat_map(|(_, t)| t.to_vec()).collect();
        assert_eq!(text, b"abHHefHHijHHmnop");
        assert_eq!(r.octets(), 16);
    }

    #[test]
    fn intervals_are_ordered_across_the_wrap_of_sequence_space() {
        let mut r = Reassembly::default();
        let nxt = Seq(u32::MAX - 5);
        r.insert(nxt, Seq(3), b"de");
        r.insert(nxt, Seq(u32::MAX - 1), b"ab");
        r.insert(nxt, Seq(0), b"c");
        assert_eq!(r.to_vec(), q(&[(u32::MAX - 1, b"abc"), (3, b"de")]));
        assert_eq!(r.pop_reached(nxt), None, "RCV.NXT has not reached it");
        assert_eq!(r.pop_reached(Seq(u32::MAX)).unwrap().0, Seq(u32::MAX - 1));
        assert_eq!(r.pop_reached(Seq(2)), None);
        assert_eq!(r.pop_reached(Seq(3)), Some((Seq(3), b"de".to_vec())));
        assert!(r.is_empty() && r.octets() == 0);
    }

    #[test]
    fn the_queue_rekeys_itself_long_before_offsets_could_wrap() {
        let mut r = Reassembly::default();
        let far = REBASE_AFTER + 100;
        r.insert(Seq(0), Seq(far), b"x");
        // RCV.NXT has moved 2^30 on while text stayed held (a peer that always leaves a gap).
        let nxt = Seq(REBASE_AFTER + 50);
        r.insert(nxt, nxt + 10, b"y");
        assert_eq!(r.base, nxt);
        assert_eq!(r.to_vec(), q(&[(REBASE_AFTER + 60, b"y"), (far, b"x")]));
    }

    #[test]
    fn without_the_bound_every_copy_is_held_but_delivered_once() {
        let mut r = Reassembly::default();
        for _ in 0..3 {
            r.insert_unbounded(Seq(0), Seq(5), b"ab");
        }
        assert_eq!(r.octets(), 6, "three copies of two octets");
        assert_eq!(r.to_vec(), q(&[(5, b"ab")]));
        assert_eq!(r.pop_reached(Seq(5)), Some((Seq(5), b"ab".to_vec())));
        assert_eq!(r.octets(), 4, "the copies wait for RCV.NXT to pass them");
        assert_eq!(r.pop_reached(Seq(7)), None);
        assert!(r.is_empty() && r.octets() == 0);
    }

    #[test]
    fn the_interval_containing_a_sequence_number_joins_abutting_runs() {
        let mut r = Reassembly::default();
        let nxt = Seq(u32::MAX - 9);
        r.insert(nxt, Seq(u32::MAX - 4), b"ab");
        r.insert(nxt, Seq(3), b"xy");
        // Fills the gap in front of the held "ab": kept as its own interval, but one run.
        r.insert(nxt, Seq(u32::MAX - 6), b"cd");
        assert_eq!(r.intervals(), 2 + 1);
        let run = Some((Seq(u32::MAX - 6), Seq(u32::MAX - 2)));
        assert_eq!(r.interval_containing(Seq(u32::MAX - 6)), run);
        assert_eq!(r.interval_containing(Seq(u32::MAX - 3)), run);
        assert_eq!(r.interval_containing(Seq(u32::MAX - 2)), None, "right edge");
        assert_eq!(r.interval_containing(Seq(u32::MAX - 7)), None, "in front");
        assert_eq!(
            r.interval_containing(Seq(4)),
            Some((Seq(3), Seq(5))),
            "past 2^32"
        );
        assert_eq!(r.interval_containing(Seq(1)), None, "in the gap");
        assert_eq!(Reassembly::default().interval_containing(Seq(0)), None);
    }

    #[test]
    fn equal_contents_are_equal_whatever_the_base() {
        let (mut a, mut b) = (Reassembly::default(), Reassembly::default());
        a.insert(Seq(0), Seq(10), b"x");
        b.insert(Seq(5), Seq(10), b"x");
        assert_eq!(a, b);
        use std::hash::{BuildHasher, RandomState};
        let rs = RandomState::new();
        assert_eq!(rs.hash_one(&a), rs.hash_one(&b));
        a.insert(Seq(0), Seq(12), b"z");
        assert_ne!(a, b);
    }
}
