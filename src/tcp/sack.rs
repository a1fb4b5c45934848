//! Selective acknowledgments as pure rules: what a receiver reports in the SACK option (RFC
//! 2018 §4, with the D-SACK block of RFC 2883 §4) and what a sender makes of it, the scoreboard
//! and the loss recovery of RFC 6675 §2–§5 (DupThresh = 3 until reordering is measured, see
//! [`SackRecovery::on_spurious`]), with lost retransmissions detected in recovery
//! ([`RecoveryEvent::RetransmissionLost`]).
//!
//! - [`SackBlocks`]: the blocks of one option, at most 4, as a `Copy` value.
//! - [`SackReceiver`]: the blocks most recently reported, for the next ACK's option.
//! - [`Scoreboard`]: the SACKed ranges above SND.UNA, with RFC 6675 §4's `Update`, `IsLost`,
//!   `SetPipe` and `NextSeg`.
//! - [`SackRecovery`]: the scoreboard plus RFC 6675 §5's bookkeeping (DupAcks, RecoveryPoint,
//!   HighRxt, RescueRxt): entering, running and leaving loss recovery, and §5.1 after an RTO.
//!   What it does to cwnd and ssthresh (§5 step (4.2)) is the caller's.
//!
//! Edges are exclusive, as SND.NXT is: a block `(left, right)` holds `left..right`, and where
//! RFC 6675 names the highest octet of something (HighData, HighRxt, RescueRxt,
//! RecoveryPoint) this module keeps that octet plus one. HighACK + 1 is SND.UNA. Sequence
//! numbers wrap at 2^32 and are compared as RFC 9293 §3.4 does ([`Seq::lt`]).
//!
//! Memory is bounded by construction, as a model checker needs: a receiver remembers at most
//! [`MAX_SACK_BLOCKS`] blocks and one pending D-SACK block; a scoreboard holds at most
//! [`SCOREBOARD_CAP`] intervals (see there for what is forgotten beyond that, and why that is
//! safe). No I/O, no clock; every input is an argument and nothing here panics on hostile
//! blocks (inverted, out of the window, or far away in sequence space).

use super::reassembly::Reassembly;
use super::recovery::DUPLICATE_ACK_THRESHOLD;
use super::seq::Seq;
use crate::wire::tcp::SackBlock;
use serde::{Serialize, Serializer};
use std::fmt;

/// DupThresh of RFC 6675 §2: RFC 5681's three duplicate ACKs, where every connection starts.
pub const DUP_THRESH: u32 = DUPLICATE_ACK_THRESHOLD;

/// The most DupThresh grows to once reordering has been measured (see
/// [`SackRecovery::on_spurious`]): beyond it a real loss would wait for more SACKed segments
/// than most windows hold, and only the retransmission timer would find it.
pub const MAX_DUP_THRESH: u32 = 256;

/// The most blocks a SACK option carries: 4 fill the 40 octets of option space (RFC 2018 §3);
/// with timestamps (RFC 7323) on, 3 fit.
pub const MAX_SACK_BLOCKS: usize = 4;

/// The most disjoint SACKed intervals a [`Scoreboard`] holds.
pub const SCOREBOARD_CAP: usize = 1024;

/// The later of two sequence numbers.
fn later(a: Seq, b: Seq) -> Seq {
    if a.lt(b) { b } else { a }
}

/// The earlier of two sequence numbers.
fn earlier(a: Seq, b: Seq) -> Seq {
    if a.lt(b) { a } else { b }
}

/// Whether `(left, right)` covers `(l, r)`.
fn covers((left, right): (Seq, Seq), (l, r): (Seq, Seq)) -> bool {
    left.le(l) && r.le(right)
}

// ----------------------------------------------------------------------------------------
// SackBlocks

/// The blocks of one SACK option (RFC 2018 §3): at most [`MAX_SACK_BLOCKS`] pairs of left
/// edge and right edge (exclusive), in the order they are sent. A `Copy` value: unused slots
/// are always zero, so that equal lists are equal values and hash alike.
#[derive(Clone, Copy, PartialEq, Eq, Default)]
pub struct SackBlocks {
    len: u8,
    blocks: [(Seq, Seq); MAX_SACK_BLOCKS],
}

/// The blocks in use (the others are zero): most segments carry none, and a model checker
/// hashes every segment in flight of every state it generates.
impl std::hash::Hash for SackBlocks {
    fn hash<H: std::hash::Hasher>(&self, h: &mut H) {
        h.write_u8(self.len);
        for (l, r) in self.iter() {
            h.write_u32(l.0);
            h.write_u32(r.0);
        }
    }
}

impl SackBlocks {
    /// No blocks.
    pub const fn new() -> Self {
        SackBlocks {
            len: 0,
            blocks: [(Seq(0), Seq(0)); MAX_SACK_BLOCKS],
        }
    }

    /// How many blocks.
    pub fn len(&self) -> usize {
        usize::from(self.len)
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Appends a block; `false` (and nothing changes) when the list is full.
    pub fn push(&mut self, left: Seq, right: Seq) -> bool {
        if self.len() == MAX_SACK_BLOCKS {
            return false;
        }
        self.blocks[self.len()] = (left, right);
        self.len += 1;
        true
    }

    /// The `i`th block.
    pub fn get(&self, i: usize) -> Option<(Seq, Seq)> {
        self.as_slice().get(i).copied()
    }

    /// The first block: the one RFC 2018 §4 and RFC 2883 §4 give a meaning of its own.
    pub fn first(&self) -> Option<(Seq, Seq)> {
        self.get(0)
    }

    /// The blocks as a slice.
    pub fn as_slice(&self) -> &[(Seq, Seq)] {
        &self.blocks[..self.len()]
    }

    /// The blocks, in order.
    pub fn iter(&self) -> impl Iterator<Item = (Seq, Seq)> + '_ {
        self.as_slice().iter().copied()
    }

    /// Keeps the first `n` blocks.
    pub fn truncate(&mut self, n: usize) {
        while self.len() > n {
            self.len -= 1;
            self.blocks[self.len()] = (Seq(0), Seq(0));
        }
    }

    /// The blocks of a parsed option, the first [`MAX_SACK_BLOCKS`] of them (a well-formed
    /// option never has more, RFC 2018 §3).
    pub fn from_wire(blocks: &[SackBlock]) -> Self {
        blocks.iter().map(|b| (Seq(b.left), Seq(b.right))).collect()
    }

    /// The blocks as the codec writes them.
    pub fn to_wire(&self) -> Vec<SackBlock> {
        self.iter()
            .map(|(l, r)| SackBlock {
                left: l.0,
                right: r.0,
            })
            .collect()
    }
}

/// Collects the first [`MAX_SACK_BLOCKS`] blocks; the rest are dropped.
impl FromIterator<(Seq, Seq)> for SackBlocks {
    fn from_iter<I: IntoIterator<Item = (Seq, Seq)>>(iter: I) -> Self {
        let mut out = SackBlocks::new();
        for (l, r) in iter.into_iter().take(MAX_SACK_BLOCKS) {
            out.push(l, r);
        }
        out
    }
}

impl fmt::Debug for SackBlocks {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.as_slice()).finish()
    }
}

/// Raw numeric order of the edges (no meaning in sequence space), for sorted containers.
impl PartialOrd for SackBlocks {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for SackBlocks {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        let raw = |b: &SackBlocks| -> Vec<(u32, u32)> {
            b.as_slice().iter().map(|(l, r)| (l.0, r.0)).collect()
        };
        raw(self).cmp(&raw(other))
    }
}

impl Serialize for SackBlocks {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.as_slice())
    }
}

// ----------------------------------------------------------------------------------------
// Receiver

/// What a data receiver remembers to build the SACK option of its next ACK (RFC 2018 §4,
/// RFC 2883 §4): the blocks it reported most recently, the most recent first, at most
/// [`MAX_SACK_BLOCKS`] of them, and a D-SACK block not yet reported.
///
/// Every block is re-read from the reassembly queue when an option is built, so a block
/// reflects what is held then (it grew if the gaps around it filled, it is gone once RCV.NXT
/// passed it), as RFC 2018 §8 asks: no block reports data no longer held.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize)]
pub struct SackReceiver {
    /// The blocks most recently reported, the most recent first.
    recent: SackBlocks,
    /// A duplicate to report once, in the first block (RFC 2883 §4 (1), (2)).
    dsack: Option<(Seq, Seq)>,
}

impl SackReceiver {
    /// The blocks remembered (most recent first), as last refreshed.
    pub fn recent(&self) -> SackBlocks {
        self.recent
    }

    /// The D-SACK block the next option will carry, if any.
    pub fn pending_dsack(&self) -> Option<(Seq, Seq)> {
        self.dsack
    }

    /// `seq..end`, which arrived out of order, has just been put in `queue`. The contiguous
    /// run of the queue around it becomes the first block (RFC 2018 §4: "the first SACK block
    /// MUST specify the contiguous block of data containing the segment which triggered this
    /// ACK"), followed by the blocks reported before that are still held and not covered by
    /// it ("repeating the most recently reported SACK blocks ... that are not subsets of a
    /// SACK block already included"). A D-SACK block not yet reported is dropped: it reports
    /// only a duplicate in the most recent segment (RFC 2883 §4 (1)).
    ///
    /// The queue is expected to hold the segment (its first or last octet at least, if the
    /// caller trimmed it); this crate's queue never discards what it accepted, so RFC 2018
    /// §8's case of reporting a segment the receiver did not keep does not arise.
    pub fn on_queued(&mut self, seq: Seq, end: Seq, queue: &Reassembly) {
        self.dsack = None;
        if !seq.lt(end) {
            return;
        }
        let mut next = SackBlocks::new();
        if let Some(first) = queue
            .interval_containing(seq)
            .or_else(|| queue.interval_containing(end + u32::MAX))
        {
            next.push(first.0, first.1);
        }
        for (left, _) in self.recent.iter() {
            if let Some(run) = queue.interval_containing(left)
                && !next.iter().any(|b| covers(b, run))
            {
                next.push(run.0, run.1);
            }
        }
        self.recent = next;
    }

    /// A segment arrived whose `seq..end` was all held already (below RCV.NXT or in the
    /// queue): the next ACK's first block reports it, once (RFC 2883 §4 (1)–(3)). For a
    /// segment only partly duplicate, `seq..end` is its first duplicate run (§4.2).
    pub fn on_duplicate(&mut self, seq: Seq, end: Seq) {
        self.dsack = seq.lt(end).then_some((seq, end));
    }

    /// The blocks for the next ACK, at most `max` of them (RFC 2018 §3: 4 fit the option
    /// space, 3 beside timestamps): the pending D-SACK block first, and if it lies in the queue
    /// the run that holds it second (RFC 2883 §4 (4)); then the remembered blocks, each
    /// re-read as the run of the queue that now holds it, skipping any no longer held, at or
    /// below `rcv_nxt`, or covered by a block already included. The D-SACK block is consumed;
    /// the refreshed list is what is remembered.
    pub fn blocks(&mut self, rcv_nxt: Seq, queue: &Reassembly, max: usize) -> SackBlocks {
        let max = max.min(MAX_SACK_BLOCKS);
        let mut out = SackBlocks::new();
        let mut refreshed = SackBlocks::new();
        let add = |b: (Seq, Seq), out: &mut SackBlocks, refreshed: &mut SackBlocks| {
            if rcv_nxt.lt(b.0) && !refreshed.iter().any(|r| covers(r, b)) {
                refreshed.push(b.0, b.1);
                if out.len() < max {
                    out.push(b.0, b.1);
                }
            }
        };
        if let Some(d) = self.dsack.take()
            && max > 0
        {
            out.push(d.0, d.1);
            if rcv_nxt.lt(d.0)
                && let Some(run) = queue.interval_containing(d.0)
            {
                add(run, &mut out, &mut refreshed);
            }
        }
        // A reported block was a run of the queue; runs only grow (gaps fill) or leave the
        // queue whole (RCV.NXT passes them), so the run holding its left edge, if any, is
        // what became of it.
        for (left, _) in self.recent.iter() {
            if let Some(run) = queue.interval_containing(left) {
                add(run, &mut out, &mut refreshed);
            }
        }
        self.recent = refreshed;
        out
    }
}

// ----------------------------------------------------------------------------------------
// Scoreboard

/// What [`Scoreboard::on_ack`] learnt from one ACK.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize)]
pub struct AckInfo {
    /// Octets SACKed by this ACK that were neither SACKed nor cumulatively acknowledged
    /// before (between SND.UNA and the highest octet sent); counted even where the
    /// scoreboard's bound made it forget them at once.
    pub newly_sacked: u32,
    /// The first block, when it reports a duplicate (RFC 2883 §4) rather than data held; it
    /// was not recorded as SACKed.
    pub dsack: Option<(Seq, Seq)>,
}

impl AckInfo {
    /// Whether the ACK is a duplicate acknowledgment as RFC 6675 §2 defines it: it carries a
    /// SACK block that identifies octets between HighACK and HighData neither acknowledged
    /// nor SACKed before, whatever it does to the cumulative ACK or the window.
    pub fn is_duplicate(&self) -> bool {
        self.newly_sacked > 0
    }
}

/// Which rule of RFC 6675 §4 `NextSeg` (or §5 step (4.3)) chose a segment.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum NextSegRule {
    /// §5 (4.3): the first segment presumed lost, at SND.UNA, on entering recovery.
    FastRetransmit,
    /// (1): the lowest un-SACKed octet above HighRxt, below the highest SACKed octet, that
    /// `IsLost` judges lost.
    Lost,
    /// (2): data never sent, as the window allows.
    NewData,
    /// (3): the lowest un-SACKed octet above HighRxt, below the highest SACKed octet, lost
    /// or not.
    Unsacked,
    /// (4): the rescue retransmission, once per recovery, of the highest un-SACKed octet.
    Rescue,
}

/// A segment to send: `seq..seq + len`, at most one SMSS, and the rule that chose it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct NextSeg {
    /// First sequence number.
    pub seq: Seq,
    /// Octets; at least 1, at most SMSS.
    pub len: u32,
    /// Why this range.
    pub rule: NextSegRule,
}

impl NextSeg {
    /// The sequence number after the segment.
    pub fn end(&self) -> Seq {
        self.seq + self.len
    }
}

/// What `NextSeg` needs to know of the sender besides the scoreboard.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct SenderView {
    /// SND.UNA (HighACK + 1).
    pub snd_una: Seq,
    /// One past the highest octet sent (HighData + 1).
    pub snd_max: Seq,
    /// One past the highest octet retransmitted in this recovery (HighRxt + 1); SND.UNA
    /// outside recovery (RFC 6675 §5 (3.1)).
    pub high_rxt: Seq,
    /// Octets never sent that may go now: queued by the user and inside the offered window.
    pub new_data: u32,
    /// Whether rule (4) may be used: in recovery, and no rescue yet (see
    /// [`SackRecovery::next_seg`]).
    pub rescue_allowed: bool,
    /// The sender's maximum segment size.
    pub smss: u32,
    /// DupThresh in force (see [`SackRecovery::dup_thresh`]).
    pub dup_thresh: u32,
}

/// A sender's scoreboard (RFC 6675 §3): the octets above SND.UNA that the receiver reported
/// in SACK blocks, as disjoint, non-abutting intervals in sequence order.
///
/// Bounded: at most [`SCOREBOARD_CAP`] intervals. When an ACK would leave more, the ones
/// highest in sequence space are forgotten. Forgetting SACK information is always safe: SACK
/// is advisory (RFC 2018 §8: the receiver may renege, and the sender keeps every octet until
/// it is cumulatively acknowledged), and an octet not known to be SACKed only counts as still
/// in flight in `SetPipe` and is judged lost later by `IsLost`, so the sender sends less and
/// may resend an octet the receiver holds; it never sends more than RFC 6675 allows. The
/// highest intervals go first because the holes next to SND.UNA are the ones `NextSeg`
/// retransmits first and the cumulative ACK clears first, and because the receiver keeps
/// reporting what it holds (RFC 2018 §4), so a forgotten interval is learnt again once the
/// ones below it are acknowledged. Keeping the lowest also makes the scoreboard a function of
/// what was reported, not of the order it arrived in.
///
/// The intervals live on the heap (8 octets each, at most 8 KiB): a path that drops a
/// hundred segments of one window leaves a hundred holes, and a scoreboard that forgets the
/// SACKed data above its last interval counts all of it in `pipe`, which then holds the
/// whole window and stops the ACK clock until the retransmission timer. An empty scoreboard,
/// as every connection without SACK has, allocates nothing.
#[derive(Clone, PartialEq, Eq, Hash, Default)]
pub struct Scoreboard {
    /// Sorted, disjoint, not abutting.
    ranges: Vec<(Seq, Seq)>,
    /// The octets of the intervals.
    sacked: u32,
}

/// An interval as offsets from `base`, clipped to `0..=limit`; `None` if nothing is left.
/// An edge more than 2^31 below `base` reads as below it (RFC 9293 §3.4 comparison).
fn clip((left, right): (Seq, Seq), base: Seq, limit: u32) -> Option<(u32, u32)> {
    if !left.lt(right) {
        return None;
    }
    let offset = |s: Seq| if s.lt(base) { 0 } else { (s - base).min(limit) };
    let (lo, hi) = (offset(left), offset(right));
    (lo < hi).then_some((lo, hi))
}

impl Scoreboard {
    /// The SACKed intervals, in sequence order.
    pub fn intervals(&self) -> impl Iterator<Item = (Seq, Seq)> + '_ {
        self.ranges.iter().copied()
    }

    /// Octets SACKed (the sum of the intervals).
    pub fn sacked_octets(&self) -> u32 {
        self.sacked
    }

    /// Whether `seq` has been SACKed.
    pub fn is_sacked(&self, seq: Seq) -> bool {
        self.intervals().any(|(l, r)| seq.in_range(l, r))
    }

    /// The first octet at or after `from` (and below `limit`) that is not SACKed, with the
    /// range up to `len` octets from it that is not SACKed either: the next hole to resend
    /// after a retransmission timeout, when every unSACKed octet is taken as lost.
    pub fn next_unsacked(&self, from: Seq, limit: Seq, len: u32) -> Option<(Seq, Seq)> {
        let mut start = from;
        for (l, r) in self.intervals() {
            if start.in_range(l, r) {
                start = r;
            }
        }
        if !start.lt(limit) {
            return None;
        }
        let mut end = start + len.max(1);
        if limit.lt(end) {
            end = limit;
        }
        for (l, _) in self.intervals() {
            if start.lt(l) && l.lt(end) {
                end = l;
            }
        }
        Some((start, end))
    }

    /// Octets SACKed within `from..to`.
    pub fn sacked_within(&self, from: Seq, to: Seq) -> u32 {
        self.intervals()
            .map(|(l, r)| {
                let l = if l.lt(from) { from } else { l };
                let r = if to.lt(r) { to } else { r };
                if l.lt(r) { r - l } else { 0 }
            })
            .sum()
    }

    /// Forgets everything (RFC 2018 §5: after a retransmission timeout the sender SHOULD
    /// turn off all SACKed bits).
    pub fn clear(&mut self) {
        self.ranges.clear();
        self.sacked = 0;
    }

    /// `Update ()` of RFC 6675 §4 for an ACK whose acknowledgment field is `ack` and which
    /// carried `blocks`; `snd_una` is SND.UNA after it, `snd_max` one past the highest octet
    /// sent. What lies below SND.UNA is dropped; every block is clipped to
    /// `snd_una..snd_max` (a receiver cannot hold what was never sent) and recorded.
    ///
    /// The first block is a D-SACK block, reported and not recorded, when it lies below `ack`
    /// or within the second block (RFC 2883 §4). The comparison is with the ACK field "IN THE
    /// SAME PACKET", not with SND.UNA (RFC 2883 §5), lest reordered ACKs mislead it.
    pub fn on_ack(&mut self, ack: Seq, snd_una: Seq, snd_max: Seq, blocks: &SackBlocks) -> AckInfo {
        let flight = snd_max - snd_una;
        let flight = if snd_max.lt(snd_una) { 0 } else { flight };
        // What is kept, clipped to snd_una..snd_max; the order survives (SND.UNA only rises
        // and every interval lay above the last one).
        let mut before = 0u32;
        self.ranges.retain_mut(|r| match clip(*r, snd_una, flight) {
            Some((lo, hi)) => {
                *r = (snd_una + lo, snd_una + hi);
                before += hi - lo;
                true
            }
            None => false,
        });
        let dsack = blocks.first().filter(|&(l, r)| {
            l.lt(ack) || blocks.get(1).is_some_and(|second| covers(second, (l, r)))
        });
        let skip = usize::from(dsack.is_some());
        for b in blocks.iter().skip(skip) {
            if let Some(o) = clip(b, snd_una, flight) {
                self.insert(snd_una, o);
            }
        }
        let after: u32 = self.ranges.iter().map(|&(l, r)| r - l).sum();
        self.ranges.truncate(SCOREBOARD_CAP);
        self.sacked = self.ranges.iter().map(|&(l, r)| r - l).sum();
        AckInfo {
            newly_sacked: after - before,
            dsack,
        }
    }

    /// Inserts the interval `lo..hi` (offsets from `base`, which every interval lies at or
    /// above) and merges it with those it overlaps or abuts.
    fn insert(&mut self, base: Seq, (lo, hi): (u32, u32)) {
        let off = |s: Seq| s - base;
        // The first interval that ends at or after lo: everything before it stays apart.
        let first = self.ranges.partition_point(|&(_, r)| off(r) < lo);
        // The intervals from `first` that begin at or before hi touch the new one.
        let last = first
            + self.ranges[first..]
                .iter()
                .take_while(|&&(l, _)| off(l) <= hi)
                .count();
        let (mut lo, mut hi) = (lo, hi);
        if first < last {
            lo = lo.min(off(self.ranges[first].0));
            hi = hi.max(off(self.ranges[last - 1].1));
        }
        self.ranges
            .splice(first..last, std::iter::once((base + lo, base + hi)));
    }

    /// `IsLost (SeqNum)` of RFC 6675 §4: whether the octet `seq` is deemed lost, because
    /// `dup_thresh` discontiguous SACKed runs lie above it, or more than (DupThresh − 1) ·
    /// SMSS SACKed octets do. A run counts as "above" if any of its octets is.
    pub fn is_lost(&self, seq: Seq, smss: u32, dup_thresh: u32) -> bool {
        let above = seq + 1;
        let (mut runs, mut octets) = (0u32, 0u64);
        for (l, r) in self.intervals() {
            if above.lt(r) {
                runs += 1;
                octets += u64::from(r - later(l, above));
            }
        }
        let dup_thresh = dup_thresh.max(1);
        runs >= dup_thresh || octets > u64::from(dup_thresh - 1) * u64::from(smss)
    }

    /// The un-SACKed holes in `snd_una..snd_max`, in order, each with whether it lies below
    /// a SACKed interval (RFC 6675 §4 NextSeg (1.b)).
    fn holes(&self, snd_una: Seq, snd_max: Seq) -> impl Iterator<Item = (Seq, Seq, bool)> + '_ {
        let flight = if snd_max.lt(snd_una) {
            0
        } else {
            snd_max - snd_una
        };
        let mut cursor = 0u32;
        let mut ranges = self
            .intervals()
            .filter_map(move |r| clip(r, snd_una, flight));
        let mut done = false;
        std::iter::from_fn(move || {
            while !done {
                let (start, end, below_sack) = match ranges.next() {
                    Some((lo, hi)) => {
                        let hole = (cursor, lo, true);
                        cursor = cursor.max(hi);
                        hole
                    }
                    None => {
                        done = true;
                        (cursor, flight, false)
                    }
                };
                if start < end {
                    return Some((snd_una + start, snd_una + end, below_sack));
                }
            }
            None
        })
    }

    /// `SetPipe ()` of RFC 6675 §4: the octets in flight, from SND.UNA to the highest octet
    /// sent, counting every un-SACKed octet (a) once if `IsLost` says it is not lost and (b)
    /// once more if it lies at or below HighRxt (`high_rxt` is HighRxt + 1), for its
    /// retransmission. `IsLost` is the same for every octet of a hole (the SACKed data above
    /// each is the same), so it is asked once per hole.
    pub fn pipe(
        &self,
        snd_una: Seq,
        snd_max: Seq,
        high_rxt: Seq,
        smss: u32,
        dup_thresh: u32,
    ) -> u32 {
        let mut pipe = 0u32;
        for (start, end, _) in self.holes(snd_una, snd_max) {
            if !self.is_lost(start, smss, dup_thresh) {
                pipe = pipe.saturating_add(end - start);
            }
            if start.lt(high_rxt) {
                pipe = pipe.saturating_add(earlier(end, high_rxt) - start);
            }
        }
        pipe
    }

    /// `NextSeg ()` of RFC 6675 §4: the next segment to send during recovery, or `None`
    /// (rule (5), failure). A retransmission is kept within its hole, never resending octets
    /// known to be SACKed.
    ///
    /// 1. The lowest un-SACKed octet above HighRxt and below the highest SACKed octet for
    ///    which `IsLost` holds;
    /// 2. else new data, if there is some and the window allows (`view.new_data`);
    /// 3. else the lowest un-SACKed octet above HighRxt and below the highest SACKed octet;
    /// 4. else, if `view.rescue_allowed` and something is outstanding and un-SACKed, one
    ///    segment that ends with the highest un-SACKed octet: the rescue retransmission.
    pub fn next_seg(&self, view: &SenderView) -> Option<NextSeg> {
        let smss = view.smss.max(1);
        let high_rxt = later(view.high_rxt, view.snd_una);
        let seg = |seq: Seq, end: Seq, rule| NextSeg {
            seq,
            len: (end - seq).min(smss),
            rule,
        };
        // Holes below a SACKed octet, trimmed to what lies above HighRxt.
        let candidates = || {
            self.holes(view.snd_una, view.snd_max)
                .filter(|&(_, _, below_sack)| below_sack)
                .map(|(start, end, _)| (later(start, high_rxt), end))
                .filter(|&(start, end)| start.lt(end))
        };
        if let Some((start, end)) =
            candidates().find(|&(start, _)| self.is_lost(start, smss, view.dup_thresh))
        {
            return Some(seg(start, end, NextSegRule::Lost));
        }
        if view.new_data > 0 {
            return Some(NextSeg {
                seq: view.snd_max,
                len: view.new_data.min(smss),
                rule: NextSegRule::NewData,
            });
        }
        if let Some((start, end)) = candidates().next() {
            return Some(seg(start, end, NextSegRule::Unsacked));
        }
        if view.rescue_allowed
            && let Some((start, end, _)) = self.holes(view.snd_una, view.snd_max).last()
        {
            let len = (end - start).min(smss);
            return Some(NextSeg {
                seq: Seq(end.0.wrapping_sub(len)),
                len,
                rule: NextSegRule::Rescue,
            });
        }
        None
    }
}

impl fmt::Debug for Scoreboard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(self.intervals().map(|(l, r)| l..r))
            .finish()
    }
}

impl Serialize for Scoreboard {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.intervals())
    }
}

// ----------------------------------------------------------------------------------------
// Recovery

/// What an ACK did to SACK-based loss recovery ([`SackRecovery::on_ack`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum RecoveryEvent {
    /// Loss recovery began (RFC 6675 §5 step (4)): the caller sets ssthresh and cwnd (4.2),
    /// sends `retransmit` (4.3: already recorded in HighRxt and RescueRxt), and goes on with
    /// step (C).
    Entered {
        /// The first segment presumed lost, at SND.UNA.
        retransmit: NextSeg,
    },
    /// SND.UNA reached RecoveryPoint: recovery is over (§5 (A)); the scoreboard is kept.
    Exited,
    /// In recovery, what was resent is lost again: data sent after the latest retransmission
    /// has been SACKed as deep as `IsLost` asks (see [`SackRecovery::on_ack`]). HighRxt went
    /// back to SND.UNA, so `NextSeg` resends the holes. The caller responds as to a new
    /// congestion event.
    RetransmissionLost,
}

/// The outcome of [`SackRecovery::on_ack`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct SackAck {
    /// What the scoreboard learnt.
    pub info: AckInfo,
    /// Recovery entered or left, if it was.
    pub event: Option<RecoveryEvent>,
}

/// The sender's side of SACK, per connection: the [`Scoreboard`] and the variables of RFC
/// 6675 §2 and §5. Bounded: the scoreboard's bound, and a duplicate-ACK count that stops at
/// DupThresh (a larger count decides nothing more, and a model gains no states from it).
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize)]
pub struct SackRecovery {
    scoreboard: Scoreboard,
    /// DupAcks (RFC 6675 §2), at most DupThresh.
    dup_acks: u32,
    in_recovery: bool,
    /// RecoveryPoint + 1 while it matters: in recovery (HighData + 1 when it began), and
    /// after an RTO ended one (HighData + 1 then, §5.1) until SND.UNA reaches it. `None`
    /// otherwise, so that no stale value is compared once sequence numbers have wrapped.
    recovery_point: Option<Seq>,
    /// HighRxt + 1 in recovery; zero outside it, where HighRxt is HighACK (so that equal
    /// states are equal values).
    high_rxt: Seq,
    /// RescueRxt + 1; `None` is "undefined".
    rescue_rxt: Option<Seq>,
    /// DupThresh − 3: the reordering measured beyond RFC 5681's three segments (see
    /// [`on_spurious`](Self::on_spurious)); zero until a recovery proves spurious.
    reordering: u32,
    /// In recovery: HighData + 1 when the latest retransmission was sent, until what was
    /// sent after it shows the retransmissions lost.
    rxt_mark: Option<Seq>,
}

impl SackRecovery {
    /// DupThresh in force: RFC 5681's three duplicate ACKs, raised to the reordering this
    /// connection has measured (RFC 6675 §2 leaves "the current value for DupThresh (or
    /// method for determining its value)" to later work; RFC 4653 and RFC 8985 both adapt
    /// to the reordering a path shows).
    pub fn dup_thresh(&self) -> u32 {
        DUP_THRESH + self.reordering
    }

    /// The recovery in progress was spurious (RFC 3522: the segment it resent first had
    /// already arrived; the caller tells): it ends as if it had never begun, and DupThresh
    /// becomes at least `ahead + 1`, where `ahead` is how many segments arrived ahead of the
    /// reordered one, so that reordering as deep as this one no longer looks like loss. At
    /// most [`MAX_DUP_THRESH`]. The scoreboard stays.
    pub fn on_spurious(&mut self, ahead: u32) {
        self.on_reordering(ahead);
        *self = SackRecovery {
            scoreboard: std::mem::take(&mut self.scoreboard),
            reordering: self.reordering,
            ..SackRecovery::default()
        };
    }

    /// Reordering was seen: `ahead` segments arrived before one sent earlier. DupThresh
    /// becomes at least `ahead + 1`, at most [`MAX_DUP_THRESH`]; it never falls here.
    fn on_reordering(&mut self, ahead: u32) {
        let thresh = ahead
            .saturating_add(1)
            .clamp(self.dup_thresh(), MAX_DUP_THRESH.max(self.dup_thresh()));
        self.reordering = thresh - DUP_THRESH;
    }

    /// The scoreboard.
    pub fn scoreboard(&self) -> &Scoreboard {
        &self.scoreboard
    }

    /// Whether a loss recovery phase is in progress.
    pub fn in_recovery(&self) -> bool {
        self.in_recovery
    }

    /// DupAcks, counted up to DupThresh.
    pub fn dup_acks(&self) -> u32 {
        self.dup_acks
    }

    /// RecoveryPoint + 1, in recovery or after an RTO ended one until SND.UNA reaches it.
    pub fn recovery_point(&self) -> Option<Seq> {
        self.recovery_point
    }

    /// HighRxt + 1: in recovery, past the highest octet retransmitted; outside it, SND.UNA
    /// (RFC 6675 §5 (3.1): HighRxt = HighACK).
    pub fn high_rxt(&self, snd_una: Seq) -> Seq {
        if self.in_recovery {
            later(self.high_rxt, snd_una)
        } else {
            snd_una
        }
    }

    /// RescueRxt + 1, if defined.
    pub fn rescue_rxt(&self) -> Option<Seq> {
        self.rescue_rxt
    }

    /// An ACK arrived (RFC 6675 §5): `ack` is its acknowledgment field, `blocks` its SACK
    /// blocks, `snd_una` SND.UNA after it (`advanced` whether it moved), `snd_max` one past
    /// the highest octet sent.
    ///
    /// - The scoreboard is updated (`Update ()`), whatever else happens.
    /// - A cumulative ACK resets DupAcks.
    /// - In recovery, an ACK that covers RecoveryPoint ends it ((A)); otherwise the caller
    ///   goes on with (B.2), [`pipe`](Self::pipe), and (C), [`next_seg`](Self::next_seg).
    /// - Outside recovery, a duplicate ACK (§2: it SACKed something new) counts; at DupThresh
    ///   of them, or once `IsLost (HighACK + 1)` holds, recovery begins (step (4)), unless an
    ///   RTO ended the last one and SND.UNA has not yet reached its RecoveryPoint (§5.1).
    ///   Before that the caller may send new data under Limited Transmit (step (3)).
    pub fn on_ack(
        &mut self,
        ack: Seq,
        snd_una: Seq,
        advanced: bool,
        snd_max: Seq,
        blocks: &SackBlocks,
        smss: u32,
    ) -> SackAck {
        let info = self.scoreboard.on_ack(ack, snd_una, snd_max, blocks);
        if advanced {
            self.dup_acks = 0;
        }
        let reached = self.recovery_point.is_none_or(|p| snd_una.ge(p));
        let mut event = None;
        if self.in_recovery {
            let thresh = self.dup_thresh();
            if reached {
                *self = SackRecovery {
                    scoreboard: std::mem::take(&mut self.scoreboard),
                    reordering: self.reordering,
                    ..SackRecovery::default()
                };
                event = Some(RecoveryEvent::Exited);
            } else if let Some(mark) = self.rxt_mark
                && self.scoreboard.is_lost(mark + u32::MAX, smss, thresh)
            {
                // A lost retransmission. RFC 6675 leaves it to the retransmission timer;
                // RFC 8985 §2's insight detects it sooner: segments are delivered in the
                // order sent, up to reordering, so once DupThresh segments' worth of data
                // sent after the latest retransmission is SACKed, every retransmission not
                // yet SACKed or acknowledged was lost. All were sent before that mark.
                self.high_rxt = snd_una;
                self.rxt_mark = None;
                event = Some(RecoveryEvent::RetransmissionLost);
            }
        } else {
            if reached {
                // The RecoveryPoint an RTO left (§5.1) is reached: it constrains no more.
                self.recovery_point = None;
            }
            if info.is_duplicate() {
                self.dup_acks = (self.dup_acks + 1).min(self.dup_thresh());
            }
            let thresh = self.dup_thresh();
            let lost = self.dup_acks >= thresh || self.scoreboard.is_lost(snd_una, smss, thresh);
            if info.is_duplicate() && reached && lost && snd_una.lt(snd_max) {
                let retransmit = self.first_lost(snd_una, snd_max, smss);
                self.in_recovery = true;
                self.recovery_point = Some(snd_max);
                self.high_rxt = retransmit.end();
                self.rescue_rxt = Some(retransmit.end());
                self.rxt_mark = Some(snd_max);
                event = Some(RecoveryEvent::Entered { retransmit });
            }
        }
        SackAck { info, event }
    }

    /// §5 (4.3): the segment at SND.UNA, up to SMSS, ending where SACKed data begins.
    fn first_lost(&self, snd_una: Seq, snd_max: Seq, smss: u32) -> NextSeg {
        let mut end = earlier(snd_una + smss.max(1), snd_max);
        if let Some((l, _)) = self.scoreboard.intervals().find(|&(l, _)| snd_una.lt(l)) {
            end = earlier(end, l);
        }
        NextSeg {
            seq: snd_una,
            len: end - snd_una,
            rule: NextSegRule::FastRetransmit,
        }
    }

    /// `SetPipe ()` with this recovery's HighRxt (RFC 6675 §4, §5 (4.4), (B.2)).
    pub fn pipe(&self, snd_una: Seq, snd_max: Seq, smss: u32) -> u32 {
        self.scoreboard.pipe(
            snd_una,
            snd_max,
            self.high_rxt(snd_una),
            smss,
            self.dup_thresh(),
        )
    }

    /// `NextSeg ()` with this recovery's HighRxt, and rule (4) allowed once per recovery: in
    /// recovery, while RescueRxt is undefined or HighACK lies beyond it (RFC 6675 §4 (4)).
    /// `new_data` is how many never-sent octets the user has queued and the window allows.
    pub fn next_seg(
        &self,
        snd_una: Seq,
        snd_max: Seq,
        new_data: u32,
        smss: u32,
    ) -> Option<NextSeg> {
        let rescue_allowed = self.in_recovery && self.rescue_rxt.is_none_or(|r| snd_una.gt(r));
        let dup_thresh = self.dup_thresh();
        self.scoreboard.next_seg(&SenderView {
            dup_thresh,
            snd_una,
            snd_max,
            high_rxt: self.high_rxt(snd_una),
            new_data,
            rescue_allowed,
            smss,
        })
    }

    /// `seg` (from [`next_seg`](Self::next_seg)) was sent (RFC 6675 §5 (C.2)): a
    /// retransmission by rule (1) or (3) moves HighRxt to its end; the rescue of rule (4)
    /// sets RescueRxt to RecoveryPoint and leaves HighRxt alone. New data (C.3) is recorded
    /// by the caller moving SND.MAX. `snd_max` is HighData + 1 as the segment leaves: a
    /// retransmission marks it (see [`RecoveryEvent::RetransmissionLost`]).
    pub fn on_sent(&mut self, seg: &NextSeg, snd_max: Seq) {
        if self.in_recovery && seg.rule != NextSegRule::NewData {
            self.rxt_mark = Some(snd_max);
        }
        match seg.rule {
            NextSegRule::Lost | NextSegRule::Unsacked | NextSegRule::FastRetransmit => {
                if self.in_recovery {
                    self.high_rxt = later(self.high_rxt, seg.end());
                }
            }
            NextSegRule::Rescue => self.rescue_rxt = self.recovery_point,
            NextSegRule::NewData => {}
        }
    }

    /// The retransmission timer expired (RFC 6675 §5.1): a recovery in progress ends, with
    /// RecoveryPoint moved to HighData (`snd_max` is HighData + 1), and no new one may begin
    /// before SND.UNA reaches it. The scoreboard is cleared, as RFC 2018 §5 recommends
    /// ("SHOULD turn off all of the SACKed bits ... the data receiver has reneged"; RFC 6675
    /// §5.1 leaves that advice standing); it fills again from the ACKs that follow, which
    /// the sender SHOULD use. HighRxt and RescueRxt are reset. DupThresh returns to three: a
    /// timeout suggests the reordering measured let a real loss wait too long (Linux does
    /// the same when a timeout follows many SACKed segments).
    pub fn on_retransmit_timeout(&mut self, snd_max: Seq) {
        if self.in_recovery {
            self.recovery_point = Some(snd_max);
            self.in_recovery = false;
        }
        self.scoreboard.clear();
        self.high_rxt = Seq(0);
        self.rescue_rxt = None;
        self.reordering = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SMSS: u32 = 100;

    fn blocks(list: &[(u32, u32)]) -> SackBlocks {
        list.iter().map(|&(l, r)| (Seq(l), Seq(r))).collect()
    }

    fn intervals(sb: &Scoreboard) -> Vec<(u32, u32)> {
        sb.intervals().map(|(l, r)| (l.0, r.0)).collect()
    }

    fn seg(seq: u32, len: u32, rule: NextSegRule) -> NextSeg {
        NextSeg {
            seq: Seq(seq),
            len,
            rule,
        }
    }

    // ---- SackBlocks

    #[test]
    fn a_block_list_holds_four_and_converts_to_and_from_the_wire() {
        let wire: Vec<SackBlock> = (0..5)
            .map(|i| SackBlock {
                left: 100 * i,
                right: 100 * i + 50,
            })
            .collect();
        let mut b = SackBlocks::from_wire(&wire);
        assert_eq!(b.len(), 4, "a fifth block has no room in the option");
        assert_eq!(b.to_wire(), wire[..4]);
        assert!(!b.push(Seq(1), Seq(2)));
        b.truncate(1);
        assert_eq!(b, blocks(&[(0, 50)]), "truncated slots are zeroed");
        assert_eq!(format!("{b:?}"), "[(0, 50)]");
    }

    // ---- Receiver (RFC 2018 §4, RFC 2883 §4)

    fn queue_and(rx: &mut SackReceiver, q: &mut Reassembly, rcv_nxt: u32, seq: u32, len: u32) {
        q.insert(Seq(rcv_nxt), Seq(seq), &vec![0; len as usize]);
        rx.on_queued(Seq(seq), Seq(seq) + len, q);
    }

    #[test]
    fn the_receiver_reports_the_newest_block_first_and_older_ones_after() {
        let (mut rx, mut q) = (SackReceiver::default(), Reassembly::default());
        queue_and(&mut rx, &mut q, 100, 200, 100);
        assert_eq!(rx.blocks(Seq(100), &q, 4), blocks(&[(200, 300)]));
        queue_and(&mut rx, &mut q, 100, 400, 100);
        assert_eq!(
            rx.blocks(Seq(100), &q, 4),
            blocks(&[(400, 500), (200, 300)])
        );
        queue_and(&mut rx, &mut q, 100, 600, 100);
        queue_and(&mut rx, &mut q, 100, 800, 100);
        let all = blocks(&[(800, 900), (600, 700), (400, 500), (200, 300)]);
        assert_eq!(rx.blocks(Seq(100), &q, 4), all);
        assert_eq!(
            rx.blocks(Seq(100), &q, 3),
            blocks(&[(800, 900), (600, 700), (400, 500)]),
            "beside timestamps three fit"
        );
        assert_eq!(rx.recent(), all, "the fourth is still remembered");
        // 300..400 joins two runs: the run it is in goes first, the blocks it covers go.
        queue_and(&mut rx, &mut q, 100, 300, 100);
        assert_eq!(
            rx.blocks(Seq(100), &q, 4),
            blocks(&[(200, 500), (800, 900), (600, 700)])
        );
    }

    #[test]
    fn blocks_vanish_once_rcv_nxt_passes_them() {
        let (mut rx, mut q) = (SackReceiver::default(), Reassembly::default());
        queue_and(&mut rx, &mut q, 100, 400, 100);
        queue_and(&mut rx, &mut q, 100, 200, 100);
        // 100..200 arrives in order: RCV.NXT moves to 200, and the run at 200 is delivered.
        assert!(q.pop_reached(Seq(200)).is_some());
        assert_eq!(rx.blocks(Seq(300), &q, 4), blocks(&[(400, 500)]));
        assert!(q.pop_reached(Seq(400)).is_some());
        assert!(rx.blocks(Seq(500), &q, 4).is_empty());
        assert!(rx.recent().is_empty(), "nothing left to remember");
    }

    #[test]
    fn a_duplicate_below_rcv_nxt_is_reported_once_in_the_first_block() {
        // RFC 2883 §4.1.1 and §4.1.2, at their sequence numbers.
        let (mut rx, mut q) = (SackReceiver::default(), Reassembly::default());
        rx.on_duplicate(Seq(3000), Seq(3500));
        assert_eq!(rx.blocks(Seq(4000), &q, 4), blocks(&[(3000, 3500)]));
        assert!(rx.blocks(Seq(4000), &q, 4).is_empty(), "reported once");
        queue_and(&mut rx, &mut q, 4000, 4500, 500);
        rx.on_duplicate(Seq(3000), Seq(3500));
        assert_eq!(
            rx.blocks(Seq(4000), &q, 4),
            blocks(&[(3000, 3500), (4500, 5000)])
        );
    }

    #[test]
    fn a_duplicate_of_queued_data_is_followed_by_the_run_that_holds_it() {
        // RFC 2883 §4.1.3: SACK=5000-5500, 4500-5500.
        let (mut rx, mut q) = (SackReceiver::default(), Reassembly::default());
        queue_and(&mut rx, &mut q, 4000, 4500, 500);
        queue_and(&mut rx, &mut q, 4000, 5000, 500);
        assert_eq!(rx.blocks(Seq(4000), &q, 4), blocks(&[(4500, 5500)]));
        rx.on_duplicate(Seq(5000), Seq(5500));
        assert_eq!(
            rx.blocks(Seq(4000), &q, 4),
            blocks(&[(5000, 5500), (4500, 5500)])
        );
        assert_eq!(rx.blocks(Seq(4000), &q, 4), blocks(&[(4500, 5500)]));
    }

    #[test]
    fn a_newer_segment_drops_the_d_sack_block_not_yet_sent() {
        let (mut rx, mut q) = (SackReceiver::default(), Reassembly::default());
        rx.on_duplicate(Seq(10), Seq(20));
        queue_and(&mut rx, &mut q, 50, 60, 10);
        assert_eq!(rx.pending_dsack(), None);
        assert_eq!(rx.blocks(Seq(50), &q, 4), blocks(&[(60, 70)]));
    }

    #[test]
    fn receiver_blocks_wrap_around_2_pow_32() {
        let (mut rx, mut q) = (SackReceiver::default(), Reassembly::default());
        let nxt = u32::MAX - 99;
        queue_and(&mut rx, &mut q, nxt, u32::MAX - 49, 100);
        queue_and(&mut rx, &mut q, nxt, 100, 10);
        assert_eq!(
            rx.blocks(Seq(nxt), &q, 4),
            blocks(&[(100, 110), (u32::MAX - 49, 50)])
        );
    }

    // ---- Scoreboard (RFC 6675 §3, §4; RFC 2883 §4)

    /// Segments of 100 octets from 1000 to 1500; the first is lost and the others are
    /// SACKed one by one.
    fn sacks_one_by_one() -> [SackBlocks; 4] {
        [
            blocks(&[(1100, 1200)]),
            blocks(&[(1100, 1300)]),
            blocks(&[(1100, 1400)]),
            blocks(&[(1100, 1500)]),
        ]
    }

    #[test]
    fn is_lost_becomes_true_at_the_third_sacked_segment() {
        let mut sb = Scoreboard::default();
        let lost: Vec<bool> = sacks_one_by_one()
            .iter()
            .map(|b| {
                sb.on_ack(Seq(1000), Seq(1000), Seq(1500), b);
                sb.is_lost(Seq(1000), SMSS, DUP_THRESH)
            })
            .collect();
        assert_eq!(lost, [false, false, true, true]);
        assert!(
            !sb.is_lost(Seq(1400), SMSS, DUP_THRESH),
            "99 SACKed octets above, one run"
        );
    }

    #[test]
    fn three_discontiguous_runs_make_a_hole_lost_whatever_their_size() {
        let mut sb = Scoreboard::default();
        let b = blocks(&[(1100, 1110), (1200, 1210), (1300, 1310)]);
        sb.on_ack(Seq(1000), Seq(1000), Seq(1500), &b);
        assert!(sb.is_lost(Seq(1000), SMSS, DUP_THRESH));
        assert!(
            !sb.is_lost(Seq(1150), SMSS, DUP_THRESH),
            "two runs, 20 octets above"
        );
    }

    #[test]
    fn pipe_decreases_as_sacks_arrive() {
        let mut sb = Scoreboard::default();
        let pipe = |sb: &Scoreboard, high_rxt| {
            sb.pipe(Seq(1000), Seq(1500), Seq(high_rxt), SMSS, DUP_THRESH)
        };
        assert_eq!(pipe(&sb, 1000), 500);
        let mut seen = vec![];
        for b in sacks_one_by_one() {
            sb.on_ack(Seq(1000), Seq(1000), Seq(1500), &b);
            seen.push(pipe(&sb, 1000));
        }
        // Once lost (third SACK), the hole no longer counts as in flight.
        assert_eq!(seen, [400, 300, 100, 0]);
        assert_eq!(
            pipe(&sb, 1100),
            100,
            "the retransmitted hole counts once more"
        );
    }

    #[test]
    fn octets_retransmitted_but_not_lost_count_twice_in_pipe() {
        let mut sb = Scoreboard::default();
        sb.on_ack(Seq(1000), Seq(1000), Seq(1500), &blocks(&[(1100, 1200)]));
        // 1000..1100 is not lost (one SACKed segment above); retransmitted, it counts twice.
        assert_eq!(
            sb.pipe(Seq(1000), Seq(1500), Seq(1100), SMSS, DUP_THRESH),
            400 + 100
        );
    }

    #[test]
    fn a_d_sack_below_the_ack_field_is_recognized_and_not_counted() {
        let mut sb = Scoreboard::default();
        let info = sb.on_ack(
            Seq(1000),
            Seq(1000),
            Seq(1500),
            &blocks(&[(900, 1000), (1100, 1200)]),
        );
        assert_eq!(info.dsack, Some((Seq(900), Seq(1000))));
        assert_eq!(info.newly_sacked, 100);
        assert_eq!(intervals(&sb), [(1100, 1200)]);
    }

    #[test]
    fn a_d_sack_within_the_second_block_is_recognized_and_not_counted() {
        // RFC 2883 §4.1.3: a duplicate of data above the ACK, inside the run holding it.
        let mut sb = Scoreboard::default();
        sb.on_ack(Seq(4000), Seq(4000), Seq(6000), &blocks(&[(4500, 5500)]));
        let info = sb.on_ack(
            Seq(4000),
            Seq(4000),
            Seq(6000),
            &blocks(&[(5000, 5500), (4500, 5500)]),
        );
        assert_eq!(info.dsack, Some((Seq(5000), Seq(5500))));
        assert_eq!(info.newly_sacked, 0);
        assert!(
            !info.is_duplicate(),
            "nothing new: no duplicate ACK (RFC 6675 §2)"
        );
        assert_eq!(sb.sacked_octets(), 1000);
        // A first block above the ACK and outside the second is ordinary SACK data.
        let info = sb.on_ack(
            Seq(4000),
            Seq(4000),
            Seq(6000),
            &blocks(&[(5600, 5700), (4500, 5500)]),
        );
        assert_eq!((info.dsack, info.newly_sacked), (None, 100));
    }

    #[test]
    fn d_sack_is_judged_by_the_ack_field_of_the_same_segment_not_snd_una() {
        // RFC 2883 §5: a reordered, older ACK (field 900) arrives after SND.UNA reached 1000.
        let mut sb = Scoreboard::default();
        let info = sb.on_ack(Seq(900), Seq(1000), Seq(1500), &blocks(&[(950, 1000)]));
        assert_eq!(info.dsack, None, "above its own ACK field");
        assert_eq!(
            sb.sacked_octets(),
            0,
            "but below SND.UNA: nothing to record"
        );
    }

    #[test]
    fn what_snd_una_passes_is_dropped_and_blocks_are_clipped_to_what_was_sent() {
        let mut sb = Scoreboard::default();
        sb.on_ack(
            Seq(1000),
            Seq(1000),
            Seq(1500),
            &blocks(&[(1100, 1200), (1300, 1400), (1450, 9000), (7, 3)]),
        );
        assert_eq!(intervals(&sb), [(1100, 1200), (1300, 1400), (1450, 1500)]);
        sb.on_ack(Seq(1350), Seq(1350), Seq(1500), &SackBlocks::new());
        assert_eq!(intervals(&sb), [(1350, 1400), (1450, 1500)]);
        assert_eq!(sb.sacked_octets(), 100);
    }

    #[test]
    fn the_scoreboard_wraps_around_2_pow_32() {
        let una = u32::MAX - 149;
        let mut sb = Scoreboard::default();
        let info = sb.on_ack(
            Seq(una),
            Seq(una),
            Seq(250),
            &blocks(&[(u32::MAX - 49, 50), (100, 120), (150, 250)]),
        );
        assert_eq!(info.newly_sacked, 220);
        assert_eq!(
            intervals(&sb),
            [(u32::MAX - 49, 50), (100, 120), (150, 250)]
        );
        assert!(sb.is_sacked(Seq(0)) && sb.is_sacked(Seq(u32::MAX)));
        assert!(!sb.is_sacked(Seq(60)));
        assert!(sb.is_lost(Seq(una), SMSS, DUP_THRESH), "three runs above");
        assert!(
            !sb.is_lost(Seq(50), SMSS, DUP_THRESH),
            "two runs, 120 octets above"
        );
        // Holes: una..2^32-49 lost; 50..100 and 120..150 in flight.
        assert_eq!(
            sb.pipe(Seq(una), Seq(250), Seq(una), SMSS, DUP_THRESH),
            50 + 30
        );
    }

    #[test]
    fn a_full_scoreboard_forgets_the_highest_intervals() {
        // SCOREBOARD_CAP + 4 disjoint blocks of 100 octets, 200 apart, reported from the top
        // down: the lowest SCOREBOARD_CAP stay.
        let n = SCOREBOARD_CAP as u32 + 4;
        let top = 1000 + 200 * n;
        let mut sb = Scoreboard::default();
        for ack in 0..n / 4 {
            let b: SackBlocks = (0..4u32)
                .map(|i| {
                    let l = 1000 + 200 * (4 * (n / 4 - 1 - ack) + i);
                    (Seq(l), Seq(l + 100))
                })
                .collect();
            sb.on_ack(Seq(1000), Seq(1000), Seq(top), &b);
        }
        assert_eq!(sb.intervals().count(), SCOREBOARD_CAP);
        assert_eq!(sb.intervals().next(), Some((Seq(1000), Seq(1100))));
        let last = 1000 + 200 * (SCOREBOARD_CAP as u32 - 1);
        assert_eq!(sb.intervals().last(), Some((Seq(last), Seq(last + 100))));
        assert_eq!(sb.sacked_octets(), 100 * SCOREBOARD_CAP as u32);
    }

    #[test]
    fn blocks_merge_with_the_intervals_they_overlap_or_abut_in_any_order() {
        let mut sb = Scoreboard::default();
        let ack = |sb: &mut Scoreboard, list: &[(u32, u32)]| {
            sb.on_ack(Seq(1000), Seq(1000), Seq(3000), &blocks(list));
        };
        ack(&mut sb, &[(1500, 1600), (1100, 1200)]);
        ack(&mut sb, &[(1300, 1400)]);
        assert_eq!(
            intervals(&sb),
            vec![(1100, 1200), (1300, 1400), (1500, 1600)]
        );
        // Abutting on both sides, and spanning two at once.
        ack(&mut sb, &[(1200, 1300)]);
        assert_eq!(intervals(&sb), vec![(1100, 1400), (1500, 1600)]);
        ack(&mut sb, &[(1050, 1700)]);
        assert_eq!(intervals(&sb), vec![(1050, 1700)]);
        assert_eq!(sb.sacked_octets(), 650);
        // SND.UNA passes part of it.
        sb.on_ack(Seq(1200), Seq(1200), Seq(3000), &SackBlocks::new());
        assert_eq!(intervals(&sb), vec![(1200, 1700)]);
        assert_eq!(sb.sacked_octets(), 500);
    }

    // ---- NextSeg and recovery (RFC 6675 §4, §5)

    /// Sends `n` dup ACKs (field `ack`) carrying `list` one after the other.
    fn acks(rec: &mut SackRecovery, ack: u32, snd_max: u32, list: &[SackBlocks]) -> Vec<SackAck> {
        list.iter()
            .map(|b| rec.on_ack(Seq(ack), Seq(ack), false, Seq(snd_max), b, SMSS))
            .collect()
    }

    #[test]
    fn the_third_sack_enters_recovery_and_nextseg_picks_the_hole_then_new_data() {
        let mut rec = SackRecovery::default();
        let out = acks(&mut rec, 1000, 1500, &sacks_one_by_one()[..3]);
        assert_eq!(out[1].event, None);
        assert_eq!(rec.dup_acks(), 3);
        let retransmit = seg(1000, 100, NextSegRule::FastRetransmit);
        assert_eq!(out[2].event, Some(RecoveryEvent::Entered { retransmit }));
        assert_eq!(rec.recovery_point(), Some(Seq(1500)));
        assert_eq!(
            (rec.high_rxt(Seq(1000)), rec.rescue_rxt()),
            (Seq(1100), Some(Seq(1100)))
        );
        // The hole is already resent: new data next (rule 2), then nothing.
        let next = rec.next_seg(Seq(1000), Seq(1500), 1000, SMSS);
        assert_eq!(next, Some(seg(1500, 100, NextSegRule::NewData)));
        assert_eq!(rec.next_seg(Seq(1000), Seq(1500), 0, SMSS), None);
    }

    #[test]
    fn nextseg_retransmits_every_lost_hole_before_new_data() {
        let mut rec = SackRecovery::default();
        let b = blocks(&[(1300, 1800), (1100, 1200)]);
        let out = rec.on_ack(Seq(1000), Seq(1000), false, Seq(1800), &b, SMSS);
        assert!(
            matches!(out.event, Some(RecoveryEvent::Entered { .. })),
            "IsLost (HighACK + 1) at the first dup ACK (§5 step (2))"
        );
        let next = rec.next_seg(Seq(1000), Seq(1800), 500, SMSS).unwrap();
        assert_eq!(next, seg(1200, 100, NextSegRule::Lost));
        rec.on_sent(&next, Seq(1800));
        assert_eq!(rec.high_rxt(Seq(1000)), Seq(1300));
        assert_eq!(
            rec.next_seg(Seq(1000), Seq(1800), 500, SMSS),
            Some(seg(1800, 100, NextSegRule::NewData))
        );
    }

    #[test]
    fn rule_3_resends_a_hole_not_yet_judged_lost_when_there_is_no_new_data() {
        let mut sb = Scoreboard::default();
        sb.on_ack(Seq(1000), Seq(1000), Seq(1500), &blocks(&[(1100, 1200)]));
        let view = SenderView {
            snd_una: Seq(1000),
            snd_max: Seq(1500),
            high_rxt: Seq(1000),
            new_data: 0,
            rescue_allowed: false,
            smss: SMSS,
            dup_thresh: DUP_THRESH,
        };
        assert_eq!(
            sb.next_seg(&view),
            Some(seg(1000, 100, NextSegRule::Unsacked))
        );
        let view = SenderView {
            new_data: 30,
            ..view
        };
        assert_eq!(
            sb.next_seg(&view),
            Some(seg(1500, 30, NextSegRule::NewData))
        );
    }

    #[test]
    fn the_rescue_retransmission_resends_the_tail_once_per_recovery() {
        // 1000..1600 sent; 1000 is lost, 1100..1400 arrive, 1400..1600 (the tail) are lost.
        let mut rec = SackRecovery::default();
        let sacks = [
            blocks(&[(1100, 1200)]),
            blocks(&[(1100, 1300)]),
            blocks(&[(1100, 1400)]),
        ];
        let out = acks(&mut rec, 1000, 1600, &sacks);
        assert!(matches!(out[2].event, Some(RecoveryEvent::Entered { .. })));
        assert_eq!(
            rec.next_seg(Seq(1000), Seq(1600), 0, SMSS),
            None,
            "RescueRxt not passed"
        );
        // The retransmission arrives: a partial ACK of 1400, nothing more SACKed.
        let out = rec.on_ack(
            Seq(1400),
            Seq(1400),
            true,
            Seq(1600),
            &SackBlocks::new(),
            SMSS,
        );
        assert_eq!(out.event, None, "RecoveryPoint not reached");
        assert_eq!(rec.dup_acks(), 0);
        let rescue = rec.next_seg(Seq(1400), Seq(1600), 0, SMSS).unwrap();
        assert_eq!(rescue, seg(1500, 100, NextSegRule::Rescue));
        rec.on_sent(&rescue, Seq(1600));
        assert_eq!(rec.rescue_rxt(), Some(Seq(1600)));
        assert_eq!(rec.high_rxt(Seq(1400)), Seq(1400), "HighRxt untouched");
        assert_eq!(rec.next_seg(Seq(1400), Seq(1600), 0, SMSS), None, "once");
    }

    #[test]
    fn recovery_ends_at_recovery_point_and_keeps_the_scoreboard() {
        let mut rec = SackRecovery::default();
        acks(&mut rec, 1000, 1500, &sacks_one_by_one()[..3]);
        assert!(rec.in_recovery());
        // New data 1500..1700 went out during recovery; 1600..1700 is SACKed.
        let b = blocks(&[(1600, 1700)]);
        let out = rec.on_ack(Seq(1500), Seq(1500), true, Seq(1700), &b, SMSS);
        assert_eq!(out.event, Some(RecoveryEvent::Exited));
        assert!(!rec.in_recovery());
        assert_eq!((rec.recovery_point(), rec.rescue_rxt()), (None, None));
        assert_eq!(intervals(rec.scoreboard()), [(1600, 1700)]);
        assert_eq!(
            rec.high_rxt(Seq(1500)),
            Seq(1500),
            "HighRxt = HighACK outside"
        );
    }

    #[test]
    fn after_an_rto_no_recovery_begins_before_snd_una_reaches_recovery_point() {
        let mut rec = SackRecovery::default();
        acks(&mut rec, 1000, 1500, &sacks_one_by_one()[..3]);
        rec.on_retransmit_timeout(Seq(1800));
        assert!(!rec.in_recovery());
        assert_eq!(rec.recovery_point(), Some(Seq(1800)));
        assert_eq!(rec.scoreboard().sacked_octets(), 0, "SACK bits turned off");
        let sacks = [
            blocks(&[(1200, 1300)]),
            blocks(&[(1200, 1400)]),
            blocks(&[(1200, 1500)]),
        ];
        let out = acks(&mut rec, 1100, 1800, &sacks);
        assert!(out.iter().all(|a| a.event.is_none()));
        assert_eq!(rec.scoreboard().sacked_octets(), 300, "still learnt (§5.1)");
        // Once SND.UNA reaches 1800, loss detection is back.
        let none = SackBlocks::new();
        rec.on_ack(Seq(1800), Seq(1800), true, Seq(2300), &none, SMSS);
        assert_eq!((rec.dup_acks(), rec.recovery_point()), (0, None));
        let sacks = [
            blocks(&[(1900, 2000)]),
            blocks(&[(1900, 2100)]),
            blocks(&[(1900, 2200)]),
        ];
        let out = acks(&mut rec, 1800, 2300, &sacks);
        assert_eq!(out[1].event, None);
        assert!(matches!(out[2].event, Some(RecoveryEvent::Entered { .. })));
    }

    #[test]
    fn a_repeated_sack_is_no_duplicate_ack() {
        let mut rec = SackRecovery::default();
        let b = [blocks(&[(1100, 1200)]); 3];
        let out = acks(&mut rec, 1000, 1500, &b);
        assert_eq!(out[1].info.newly_sacked, 0);
        assert_eq!(
            rec.dup_acks(),
            1,
            "RFC 6675 §2: only new SACK information counts"
        );
    }

    // ---- Properties

    mod prop {
        use super::*;
        use proptest::prelude::*;

        fn block() -> impl Strategy<Value = (u32, u32, bool)> {
            (0u32..3000, prop_oneof![0u32..60, 0u32..600], any::<bool>())
        }

        proptest! {
            #[test]
            fn random_acks_keep_the_scoreboard_bounded_disjoint_and_above_snd_una(
                base in any::<u32>(),
                steps in proptest::collection::vec(
                    (
                        prop_oneof![3 => Just(0u32), 1 => 0u32..200],
                        0u32..400,
                        proptest::collection::vec(block(), 0..5),
                        any::<u32>(),
                    ),
                    1..60,
                ),
            ) {
                let mut rec = SackRecovery::default();
                let (mut una, mut max) = (Seq(base), Seq(base));
                for (acked, sent, raw, wild) in steps {
                    max = max + sent;
                    let flight = max - una;
                    una = una + acked.min(flight);
                    let b: SackBlocks = raw
                        .iter()
                        .map(|&(off, len, far)| {
                            // Offsets from 500 below SND.UNA; some blocks anywhere at all.
                            let left = if far { Seq(wild ^ off) } else { Seq(una.0.wrapping_sub(500)) + off };
                            (left, left + len)
                        })
                        .collect();
                    let before = rec.scoreboard().sacked_octets();
                    let out = rec.on_ack(una, una, acked > 0, max, &b, SMSS);
                    let sb = rec.scoreboard();
                    let iv: Vec<(Seq, Seq)> = sb.intervals().collect();
                    prop_assert!(iv.len() <= SCOREBOARD_CAP);
                    for &(l, r) in &iv {
                        prop_assert!(una.le(l) && l.lt(r) && r.le(max));
                    }
                    for w in iv.windows(2) {
                        prop_assert!(w[0].1.lt(w[1].0), "disjoint, not abutting, in order");
                    }
                    let sum: u32 = iv.iter().map(|&(l, r)| r - l).sum();
                    prop_assert_eq!(sb.sacked_octets(), sum);
                    prop_assert!(out.info.newly_sacked <= max - una);
                    if acked == 0 && iv.len() < SCOREBOARD_CAP {
                        prop_assert!(sb.sacked_octets() >= before);
                    }
                    let pipe = rec.pipe(una, max, SMSS);
                    prop_assert!(pipe <= 2 * (max - una));
                    if let Some(s) = rec.next_seg(una, max, 50, SMSS) {
                        prop_assert!(s.len >= 1 && s.len <= SMSS);
                        prop_assert!(una.le(s.seq) && s.end().le(max + 50));
                        prop_assert!(!sb.is_sacked(s.seq));
                        rec.on_sent(&s, max);
                    }
                }
            }

            #[test]
            fn receiver_blocks_lie_above_rcv_nxt_in_held_runs(
                base in any::<u32>(),
                segs in proptest::collection::vec((1u32..400, 1u32..60, any::<bool>()), 1..30),
                max in 0usize..6,
            ) {
                let (mut rx, mut q) = (SackReceiver::default(), Reassembly::default());
                let mut nxt = Seq(base);
                for (off, len, dup) in segs {
                    let seq = nxt + off;
                    if dup {
                        rx.on_duplicate(seq, seq + len);
                    } else {
                        q.insert(nxt, seq, &vec![0; len as usize]);
                        rx.on_queued(seq, seq + len, &q);
                    }
                    if off % 7 == 0 {
                        nxt = nxt + off;
                        while q.pop_reached(nxt).is_some() {}
                    }
                    let d = rx.pending_dsack();
                    let out = rx.blocks(nxt, &q, max);
                    prop_assert!(out.len() <= max.min(MAX_SACK_BLOCKS));
                    prop_assert!(rx.recent().len() <= MAX_SACK_BLOCKS);
                    let skip = usize::from(d.is_some() && max > 0);
                    if skip == 1 {
                        prop_assert_eq!(out.first(), d);
                    }
                    for b in out.iter().skip(skip) {
                        prop_assert!(nxt.lt(b.0));
                        prop_assert_eq!(q.interval_containing(b.0), Some(b));
                    }
                }
            }
        }
    }

    #[test]
    fn dup_thresh_rises_to_the_reordering_measured_and_a_timeout_resets_it() {
        let mut rec = SackRecovery::default();
        assert_eq!(rec.dup_thresh(), DUP_THRESH);
        rec.on_spurious(1);
        assert_eq!(rec.dup_thresh(), DUP_THRESH, "never below three");
        rec.on_spurious(9);
        assert_eq!(rec.dup_thresh(), 10);
        rec.on_spurious(4);
        assert_eq!(
            rec.dup_thresh(),
            10,
            "never lowered by shallower reordering"
        );
        rec.on_spurious(u32::MAX);
        assert_eq!(rec.dup_thresh(), MAX_DUP_THRESH);
        // Nine SACKed segments above SND.UNA: lost at DupThresh 3, not at 10.
        let mut sb = Scoreboard::default();
        sb.on_ack(Seq(1000), Seq(1000), Seq(2000), &blocks(&[(1100, 2000)]));
        assert!(sb.is_lost(Seq(1000), SMSS, DUP_THRESH));
        assert!(!sb.is_lost(Seq(1000), SMSS, 10));
        rec.on_retransmit_timeout(Seq(2000));
        assert_eq!(rec.dup_thresh(), DUP_THRESH);
    }

    #[test]
    fn a_retransmission_is_lost_once_data_sent_after_it_is_sacked_deep_enough() {
        // 1000..1500 sent; 1000 lost, 1100..1500 SACKed: recovery resends 1000 with 1500 as
        // HighData. New data 1500..2000 follows. When 1500..1800 is SACKed (three segments
        // sent after the retransmission) and 1000 is still missing, the retransmission was
        // lost: HighRxt returns to SND.UNA and NextSeg resends 1000 again.
        let mut rec = SackRecovery::default();
        let out = rec.on_ack(
            Seq(1000),
            Seq(1000),
            false,
            Seq(1500),
            &blocks(&[(1100, 1500)]),
            SMSS,
        );
        assert!(matches!(out.event, Some(RecoveryEvent::Entered { .. })));
        assert_eq!(
            rec.next_seg(Seq(1000), Seq(2000), 0, SMSS),
            None,
            "the hole is resent"
        );
        let b = blocks(&[(1500, 1700), (1100, 1500)]);
        let out = rec.on_ack(Seq(1000), Seq(1000), false, Seq(2000), &b, SMSS);
        assert_eq!(
            out.event, None,
            "two segments after it: reordering, perhaps"
        );
        let b = blocks(&[(1500, 1800), (1100, 1500)]);
        let out = rec.on_ack(Seq(1000), Seq(1000), false, Seq(2000), &b, SMSS);
        assert_eq!(out.event, Some(RecoveryEvent::RetransmissionLost));
        let next = rec.next_seg(Seq(1000), Seq(2000), 0, SMSS).unwrap();
        assert_eq!(next, seg(1000, 100, NextSegRule::Lost));
        rec.on_sent(&next, Seq(2000));
        let out = rec.on_ack(Seq(1000), Seq(1000), false, Seq(2000), &b, SMSS);
        assert_eq!(out.event, None, "the new retransmission has its own mark");
    }
}
