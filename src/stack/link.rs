//! An in-memory link in virtual time, with loss, duplication, reordering and latency drawn
//! from a seed, an optional rate-limited bottleneck with a drop-tail queue, and a harness that
//! runs two endpoints over it (after quinn-proto's test `Pair`): each step jumps to the next
//! delivery or timer deadline, so a run is deterministic and takes no wall-clock time beyond
//! the work done.
//!
//! The decision for one packet ([`Link::decide`]) is pure given the link's state: the seed,
//! the packets sent before and `now` fix whether and when it arrives. The same [`Link`]
//! schedules frames in real time between TAP devices in [`super::emulator`].

use super::Host;
use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};
use std::time::Duration;

/// A sans-IO endpoint the harness can drive: ours ([`Host`]) or a peer wrapped by a test.
pub trait Endpoint {
    /// A packet or frame arrives at `now`.
    fn receive(&mut self, now: Duration, bytes: &[u8]);
    /// The next packet or frame to send at `now`.
    fn transmit(&mut self, now: Duration) -> Option<Vec<u8>>;
    /// When the endpoint next wants [`on_timeout`](Self::on_timeout).
    fn timeout(&mut self, now: Duration) -> Option<Duration>;
    /// Time has reached `now`: run what is due.
    fn on_timeout(&mut self, now: Duration);
}

impl Endpoint for Host {
    fn receive(&mut self, now: Duration, bytes: &[u8]) {
        self.handle(now, bytes);
    }
    fn transmit(&mut self, _now: Duration) -> Option<Vec<u8>> {
        self.poll_transmit()
    }
    fn timeout(&mut self, _now: Duration) -> Option<Duration> {
        self.poll_timeout()
    }
    fn on_timeout(&mut self, now: Duration) {
        self.handle_timeout(now);
    }
}

/// What the link does to packets, each decision drawn independently per packet.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Faults {
    /// One-way delay of every packet.
    pub latency: Duration,
    /// Probability that a packet is lost.
    pub loss: f64,
    /// Probability that a packet is delivered twice.
    pub duplicate: f64,
    /// Probability that a packet is held back by up to `reorder_delay` extra, so that later
    /// packets overtake it.
    pub reorder: f64,
    /// The most extra delay of a reordered packet.
    pub reorder_delay: Duration,
}

impl Faults {
    /// A perfect link with `latency`.
    pub fn clean(latency: Duration) -> Faults {
        Faults {
            latency,
            loss: 0.0,
            duplicate: 0.0,
            reorder: 0.0,
            reorder_delay: Duration::ZERO,
        }
    }

    /// `latency`, plus `p` loss, `p` duplication and `p` reordering (by up to 4 latencies).
    pub fn lossy(latency: Duration, p: f64) -> Faults {
        Faults {
            latency,
            loss: p,
            duplicate: p,
            reorder: p,
            reorder_delay: latency * 4,
        }
    }
}

/// A bottleneck at the entrance of a link: a transmitter of `bits_per_sec` fed by a FIFO
/// queue that holds at most `queue_bytes` not yet transmitted; a packet that does not fit is
/// dropped (drop-tail). A packet's one-way latency starts when its last bit has left.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Bottleneck {
    /// The transmitter's rate, in bits per second (more than 0).
    pub bits_per_sec: u64,
    /// The most octets waiting in the queue or in transmission, the arriving packet included.
    pub queue_bytes: usize,
}

impl Bottleneck {
    /// How long `len` octets take to transmit.
    pub fn transmission_time(&self, len: usize) -> Duration {
        let nanos =
            (len as u128 * 8 * 1_000_000_000).div_ceil(u128::from(self.bits_per_sec.max(1)));
        Duration::from_nanos(u64::try_from(nanos).unwrap_or(u64::MAX))
    }

    /// The octets still to transmit at `now` when the transmitter is busy until `busy_until`.
    fn backlog(&self, now: Duration, busy_until: Duration) -> usize {
        let left = busy_until.saturating_sub(now).as_nanos();
        let octets = (left * u128::from(self.bits_per_sec)).div_ceil(8 * 1_000_000_000);
        usize::try_from(octets).unwrap_or(usize::MAX)
    }
}

/// What the link decided for one packet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fate {
    /// Dropped at the tail of the bottleneck's full queue.
    QueueFull,
    /// Lost on the way.
    Lost,
    /// Arrives at `at` (and a copy at the same time if `duplicated`).
    Arrives {
        /// When it arrives.
        at: Duration,
        /// Whether it was held back extra so that later packets may overtake it.
        reordered: bool,
        /// Whether it arrives twice.
        duplicated: bool,
    },
}

/// What a link did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LinkStats {
    /// Packets put on the link.
    pub sent: u64,
    /// Packets dropped because the bottleneck's queue was full.
    pub queue_full: u64,
    /// Packets lost.
    pub lost: u64,
    /// Packets duplicated.
    pub duplicated: u64,
    /// Packets delayed so that others could overtake them.
    pub reordered: u64,
}

/// One direction of a link.
#[derive(Debug)]
pub struct Link {
    faults: Faults,
    bottleneck: Option<Bottleneck>,
    /// When the bottleneck's transmitter has sent everything queued so far.
    busy_until: Duration,
    rng: u64,
    order: u64,
    /// Packets in flight in arrival order `(at, order)`, split for speed: those sent after
    /// every packet already queued here and arriving no earlier (all of them on a link without
    /// reordering) wait in a queue; the others in a heap. The next arrival is the earlier of
    /// the two fronts.
    in_order: VecDeque<(Duration, u64, Vec<u8>)>,
    overtaken: BinaryHeap<Reverse<(Duration, u64, Vec<u8>)>>,
    /// What happened so far.
    pub stats: LinkStats,
}

impl Link {
    /// A link with `faults`, its decisions drawn from `seed`.
    pub fn new(faults: Faults, seed: u64) -> Link {
        Link {
            faults,
            bottleneck: None,
            busy_until: Duration::ZERO,
            rng: seed ^ 0x9e37_79b9_7f4a_7c15,
            order: 0,
            in_order: VecDeque::new(),
            overtaken: BinaryHeap::new(),
            stats: LinkStats::default(),
        }
    }

    /// The same link behind `bottleneck`.
    pub fn with_bottleneck(mut self, bottleneck: Bottleneck) -> Link {
        self.bottleneck = Some(bottleneck);
        self
    }

    /// splitmix64: small, fast, and enough for drawing faults.
    fn next_f64(&mut self) -> f64 {
        self.rng = self.rng.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.rng;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^= z >> 31;
        (z >> 11) as f64 / (1u64 << 53) as f64
    }

    fn push(&mut self, at: Duration, packet: Vec<u8>) {
        self.order += 1;
        if self.in_order.back().is_none_or(|(last, _, _)| *last <= at) {
            self.in_order.push_back((at, self.order, packet));
        } else {
            self.overtaken.push(Reverse((at, self.order, packet)));
        }
    }

    /// Decides the fate of a packet of `len` octets put on the link at `now`, and counts it
    /// in [`stats`](Self::stats). The packets must come in order of `now`. First the
    /// bottleneck, if any: a packet that does not fit in its queue is dropped, one that fits
    /// leaves when those before it have been transmitted and it has been. Then, drawn in this
    /// order from the seed, loss, reordering (by a uniform extra delay of up to
    /// `reorder_delay`) and duplication; the arrival is `latency` after it left.
    pub fn decide(&mut self, now: Duration, len: usize) -> Fate {
        self.stats.sent += 1;
        let mut left = now;
        if let Some(b) = self.bottleneck {
            if b.backlog(now, self.busy_until) + len > b.queue_bytes {
                self.stats.queue_full += 1;
                return Fate::QueueFull;
            }
            self.busy_until = self.busy_until.max(now) + b.transmission_time(len);
            left = self.busy_until;
        }
        if self.next_f64() < self.faults.loss {
            self.stats.lost += 1;
            return Fate::Lost;
        }
        let mut at = left + self.faults.latency;
        let reordered = self.next_f64() < self.faults.reorder;
        if reordered {
            self.stats.reordered += 1;
            at += self.faults.reorder_delay.mul_f64(self.next_f64());
        }
        let duplicated = self.next_f64() < self.faults.duplicate;
        if duplicated {
            self.stats.duplicated += 1;
        }
        Fate::Arrives {
            at,
            reordered,
            duplicated,
        }
    }

    /// Puts `packet` on the link at `now`: [`decide`](Self::decide)s its fate and queues it
    /// for arrival.
    pub fn send(&mut self, now: Duration, packet: Vec<u8>) {
        if let Fate::Arrives { at, duplicated, .. } = self.decide(now, packet.len()) {
            if duplicated {
                self.push(at, packet.clone());
            }
            self.push(at, packet);
        }
    }

    /// When the next packet arrives.
    pub fn next_arrival(&self) -> Option<Duration> {
        let queued = self.in_order.front().map(|(at, _, _)| *at);
        let overtaken = self.overtaken.peek().map(|Reverse((at, _, _))| *at);
        queued.into_iter().chain(overtaken).min()
    }

    /// The next packet that has arrived by `now`.
    pub fn pop_arrived(&mut self, now: Duration) -> Option<Vec<u8>> {
        if self.next_arrival()? <= now {
            let queued = self.in_order.front().map(|(at, order, _)| (*at, *order));
            let overtaken = self
                .overtaken
                .peek()
                .map(|Reverse((at, order, _))| (*at, *order));
            match (queued, overtaken) {
                (Some(q), Some(o)) if o < q => self.overtaken.pop().map(|Reverse((_, _, p))| p),
                (Some(_), _) => self.in_order.pop_front().map(|(_, _, p)| p),
                (None, _) => self.overtaken.pop().map(|Reverse((_, _, p))| p),
            }
        } else {
            None
        }
    }
}

/// Two endpoints joined by a link in each direction, in virtual time.
#[derive(Debug)]
pub struct Pair<A, B> {
    /// The first endpoint.
    pub a: A,
    /// The second endpoint.
    pub b: B,
    /// From `a` to `b`.
    pub ab: Link,
    /// From `b` to `a`.
    pub ba: Link,
    /// The current virtual time.
    pub now: Duration,
    /// Every packet either side sent, with the time, when capturing (for pcap files).
    pub capture: Option<Vec<(Duration, Vec<u8>)>>,
    stalled: u32,
}

impl<A: Endpoint, B: Endpoint> Pair<A, B> {
    /// Joins `a` and `b` with `faults` in both directions, decisions drawn from `seed`.
    pub fn new(a: A, b: B, faults: Faults, seed: u64) -> Pair<A, B> {
        Pair {
            a,
            b,
            ab: Link::new(faults, seed),
            ba: Link::new(faults, seed.rotate_left(17) ^ 1),
            now: Duration::ZERO,
            capture: None,
            stalled: 0,
        }
    }

    /// Moves everything both sides want to send onto the links.
    pub fn drain(&mut self) {
        let now = self.now;
        while let Some(p) = self.a.transmit(now) {
            if let Some(c) = self.capture.as_mut() {
                c.push((now, p.clone()));
            }
            self.ab.send(now, p);
        }
        while let Some(p) = self.b.transmit(now) {
            if let Some(c) = self.capture.as_mut() {
                c.push((now, p.clone()));
            }
            self.ba.send(now, p);
        }
    }

    /// Sends what is pending, then jumps to the next arrival or deadline and handles it.
    /// Returns false when nothing is scheduled any more.
    pub fn step(&mut self) -> bool {
        self.drain();
        let now = self.now;
        let next = [
            self.ab.next_arrival(),
            self.ba.next_arrival(),
            self.a.timeout(now),
            self.b.timeout(now),
        ]
        .into_iter()
        .flatten()
        .min();
        let Some(next) = next else { return false };
        if next > self.now {
            self.now = next;
            self.stalled = 0;
        } else {
            // A deadline that stays in the past would spin forever: nudge time on.
            self.stalled += 1;
            if self.stalled > 64 {
                self.now += Duration::from_millis(1);
                self.stalled = 0;
            }
        }
        let now = self.now;
        while let Some(p) = self.ab.pop_arrived(now) {
            self.b.receive(now, &p);
        }
        while let Some(p) = self.ba.pop_arrived(now) {
            self.a.receive(now, &p);
        }
        if self.a.timeout(now).is_some_and(|t| t <= now) {
            self.a.on_timeout(now);
        }
        if self.b.timeout(now).is_some_and(|t| t <= now) {
            self.b.on_timeout(now);
        }
        self.drain();
        true
    }

    /// Steps until `done` holds (true) or virtual time passes `limit` or nothing is left to
    /// do (false). `done` runs before every step and may act as the applications.
    pub fn run_until(&mut self, limit: Duration, mut done: impl FnMut(&mut Self) -> bool) -> bool {
        loop {
            if done(self) {
                return true;
            }
            if self.now > limit || !self.step() {
                return done(self);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_clean_link_delivers_in_order_after_the_latency() {
        let mut l = Link::new(Faults::clean(Duration::from_millis(5)), 1);
        l.send(Duration::ZERO, vec![1]);
        l.send(Duration::from_millis(1), vec![2]);
        assert_eq!(l.pop_arrived(Duration::from_millis(4)), None);
        assert_eq!(l.pop_arrived(Duration::from_millis(6)), Some(vec![1]));
        assert_eq!(l.pop_arrived(Duration::from_millis(6)), Some(vec![2]));
    }

    #[test]
    fn packets_arrive_in_order_of_arrival_time_then_of_sending() {
        let mut l = Link::new(Faults::lossy(Duration::from_millis(3), 0.3), 5);
        for i in 0..2000u32 {
            l.send(
                Duration::from_micros(u64::from(i) * 500),
                i.to_be_bytes().to_vec(),
            );
        }
        let s = l.stats;
        assert!(s.reordered > 100 && s.duplicated > 100, "{s:?}");
        let mut last = (Duration::ZERO, 0u32);
        let mut arrived = 0;
        while let Some(at) = l.next_arrival() {
            let p = l.pop_arrived(at).expect("arrived by its arrival time");
            let i = u32::from_be_bytes([p[0], p[1], p[2], p[3]]);
            assert!((at, i) >= last, "{:?} after {last:?}", (at, i));
            last = (at, i);
            arrived += 1;
        }
        assert_eq!(arrived, s.sent + s.duplicated - s.lost);
    }

    #[test]
    fn faults_follow_their_probabilities_and_the_seed() {
        let run = |seed| {
            let mut l = Link::new(Faults::lossy(Duration::from_millis(1), 0.1), seed);
            for i in 0..10_000u32 {
                l.send(Duration::ZERO, i.to_be_bytes().to_vec());
            }
            l.stats
        };
        let s = run(7);
        assert_eq!(s, run(7), "deterministic for a seed");
        assert_ne!(s, run(8));
        for n in [s.lost, s.duplicated, s.reordered] {
            assert!((700..1300).contains(&n), "{s:?}");
        }
    }

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    #[test]
    fn a_bottleneck_spaces_packets_at_its_rate_then_adds_the_latency() {
        // 1000 octets at 8 Mbit/s take 1 ms.
        let b = Bottleneck {
            bits_per_sec: 8_000_000,
            queue_bytes: 1_000_000,
        };
        assert_eq!(b.transmission_time(1000), ms(1));
        let mut l = Link::new(Faults::clean(ms(10)), 1).with_bottleneck(b);
        let fates: Vec<Fate> = (0..3).map(|_| l.decide(Duration::ZERO, 1000)).collect();
        let at = |f: &Fate| match f {
            Fate::Arrives { at, .. } => *at,
            other => panic!("{other:?}"),
        };
        assert_eq!(
            fates.iter().map(at).collect::<Vec<_>>(),
            [ms(11), ms(12), ms(13)]
        );
        // An idle transmitter sends at once: 20 ms is long after the queue drained.
        assert_eq!(at(&l.decide(ms(20), 1000)), ms(31));
    }

    #[test]
    fn a_full_bottleneck_queue_drops_the_tail_until_it_drains() {
        let b = Bottleneck {
            bits_per_sec: 8_000_000,
            queue_bytes: 3000,
        };
        let mut l = Link::new(Faults::clean(ms(10)), 1).with_bottleneck(b);
        let mut at_zero: Vec<Fate> = (0..5).map(|_| l.decide(Duration::ZERO, 1000)).collect();
        assert!(matches!(at_zero.remove(0), Fate::Arrives { .. }));
        assert!(matches!(at_zero.remove(0), Fate::Arrives { .. }));
        assert!(matches!(at_zero.remove(0), Fate::Arrives { .. }));
        assert_eq!(at_zero, [Fate::QueueFull, Fate::QueueFull]);
        assert_eq!(l.stats.queue_full, 2);
        // Half a packet transmitted: still no room; a whole one: room for one.
        assert_eq!(l.decide(Duration::from_micros(500), 1000), Fate::QueueFull);
        assert_eq!(
            l.decide(ms(1), 1000),
            Fate::Arrives {
                at: ms(14),
                reordered: false,
                duplicated: false
            }
        );
        assert_eq!(l.decide(ms(1), 1000), Fate::QueueFull);
    }

    #[test]
    fn an_overloaded_bottleneck_delivers_its_rate_and_no_more() {
        // Offered 20 Mbit/s for one second to a 10 Mbit/s bottleneck with 1% loss after it.
        let b = Bottleneck {
            bits_per_sec: 10_000_000,
            queue_bytes: 50_000,
        };
        let mut f = Faults::clean(ms(10));
        f.loss = 0.01;
        let mut l = Link::new(f, 3).with_bottleneck(b);
        for i in 0..2500u64 {
            l.send(Duration::from_micros(i * 400), vec![0; 1000]);
        }
        let mut octets = 0;
        while let Some(p) = l.pop_arrived(ms(1000 + 10)) {
            octets += p.len();
        }
        // 1.0 s at 10 Mbit/s is 1,250,000 octets, less the 1% lost after the queue.
        assert!((1_220_000..=1_250_000).contains(&octets), "{octets}");
        let s = l.stats;
        assert!(s.queue_full > 1000 && s.lost > 0, "{s:?}");
        assert_eq!(s.sent, 2500);
    }
}
