//! An in-memory link in virtual time, with loss, duplication, reordering and latency drawn
//! from a seed, and a harness that runs two endpoints over it (after quinn-proto's test
//! `Pair`): each step jumps to the next delivery or timer deadline, so a run is
//! deterministic and takes no wall-clock time beyond the work done.

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

/// What a link did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LinkStats {
    /// Packets put on the link.
    pub sent: u64,
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
            rng: seed ^ 0x9e37_79b9_7f4a_7c15,
            order: 0,
            in_order: VecDeque::new(),
            overtaken: BinaryHeap::new(),
            stats: LinkStats::default(),
        }
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

    /// Puts `packet` on the link at `now`.
    pub fn send(&mut self, now: Duration, packet: Vec<u8>) {
        self.stats.sent += 1;
        if self.next_f64() < self.faults.loss {
            self.stats.lost += 1;
            return;
        }
        let mut at = now + self.faults.latency;
        if self.next_f64() < self.faults.reorder {
            self.stats.reordered += 1;
            at += self.faults.reorder_delay.mul_f64(self.next_f64());
        }
        if self.next_f64() < self.faults.duplicate {
            self.stats.duplicated += 1;
            self.push(at, packet.clone());
        }
        self.push(at, packet);
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
}
