//! A path emulator in real time: Ethernet frames pumped between two ends (TAP devices, or a
//! TAP device and our [`Host`]) through one [`Link`] per direction, so that the Linux kernel
//! meets delay, loss, reordering and a bottleneck on a machine without `netem`.
//!
//! The decisions are the in-memory link's ([`Link::decide`]: seeded, pure given what was sent
//! before); this module only moves frames and time. Each turn of [`Emulator::run`] hands every
//! frame whose arrival time has come to the other end, runs due timers, lets the caller act,
//! reads what each end sends and puts it on the link at the current time, then sleeps in
//! `poll(2)` until an end's descriptor is readable or the next arrival or timer is due.
//!
//! The schedule is computed exactly, but frames leave on the pump's clock: `poll` waits in
//! whole milliseconds, so a frame may reach its end up to about a millisecond after its
//! scheduled arrival, and frames due within the same millisecond leave together. A bottleneck
//! keeps its long-run rate (the schedule does not drift), only its spacing is coarser.

use super::Host;
use super::link::{Endpoint, Link};
use super::tun::{Device, poll_readable};
use std::io;
use std::os::fd::{AsFd, BorrowedFd};
use std::time::{Duration, Instant};

/// Frames read from one end in one turn at most, so that a busy end cannot starve the other.
const READ_BATCH: usize = 256;

/// One end of an emulated path: an [`Endpoint`] that may have a descriptor to wait on.
pub trait Port: Endpoint {
    /// A descriptor that polls readable when [`Endpoint::transmit`] has something.
    fn fd(&self) -> Option<BorrowedFd<'_>> {
        None
    }
    /// An I/O error met since the last call, which stops the pump.
    fn take_error(&mut self) -> Option<io::Error> {
        None
    }
}

/// Our stack as an end: sans-IO, nothing to poll.
impl Port for Host {}

/// What a [`Tap`] end moved.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TapStats {
    /// Frames read from the device (sent by the kernel).
    pub read: u64,
    /// Frames written to the device (delivered to the kernel).
    pub written: u64,
    /// Frames the device refused (its queue full or the interface down).
    pub write_dropped: u64,
}

/// A TAP device as an end: what the kernel sends is read from it, what arrives is written.
#[derive(Debug)]
pub struct Tap {
    dev: Device,
    buf: Vec<u8>,
    error: Option<io::Error>,
    /// What it moved.
    pub stats: TapStats,
}

impl Tap {
    /// An end on `dev`, which should be a TAP device.
    pub fn new(dev: Device) -> Tap {
        Tap {
            dev,
            buf: vec![0; 65536],
            error: None,
            stats: TapStats::default(),
        }
    }

    /// The device.
    pub fn device(&self) -> &Device {
        &self.dev
    }
}

impl Endpoint for Tap {
    fn receive(&mut self, _now: Duration, bytes: &[u8]) {
        match self.dev.send(bytes) {
            Ok(true) => self.stats.written += 1,
            Ok(false) => self.stats.write_dropped += 1,
            Err(e) => self.error = Some(e),
        }
    }
    fn transmit(&mut self, _now: Duration) -> Option<Vec<u8>> {
        match self.dev.recv(&mut self.buf) {
            Ok(Some(n)) => {
                self.stats.read += 1;
                Some(self.buf[..n].to_vec())
            }
            Ok(None) => None,
            Err(e) => {
                self.error = Some(e);
                None
            }
        }
    }
    fn timeout(&mut self, _now: Duration) -> Option<Duration> {
        None
    }
    fn on_timeout(&mut self, _now: Duration) {}
}

impl Port for Tap {
    fn fd(&self) -> Option<BorrowedFd<'_>> {
        Some(self.dev.as_fd())
    }
    fn take_error(&mut self) -> Option<io::Error> {
        self.error.take()
    }
}

/// Two ends joined by a link each way, in real time (the real-time twin of
/// [`Pair`](super::link::Pair)). Time is the [`Duration`] since the emulator was made.
#[derive(Debug)]
pub struct Emulator<A, B> {
    /// The first end.
    pub a: A,
    /// The second end.
    pub b: B,
    /// From `a` to `b`.
    pub ab: Link,
    /// From `b` to `a`.
    pub ba: Link,
    start: Instant,
}

impl<A: Port, B: Port> Emulator<A, B> {
    /// Joins `a` and `b` with `ab` (frames from `a` to `b`) and `ba`; time starts now.
    pub fn new(a: A, b: B, ab: Link, ba: Link) -> Emulator<A, B> {
        Emulator {
            a,
            b,
            ab,
            ba,
            start: Instant::now(),
        }
    }

    /// The time since the emulator was made.
    pub fn now(&self) -> Duration {
        self.start.elapsed()
    }

    /// Pumps frames until `control` returns true (then true) or time passes `limit` (then
    /// false). `control` runs once a turn, after arrivals and timers and before the ends'
    /// output is read, with the turn's time: it may act as the applications (what it makes
    /// our host send leaves in the same turn). An I/O error of either end stops the pump.
    pub fn run(
        &mut self,
        limit: Duration,
        mut control: impl FnMut(&mut Self, Duration) -> bool,
    ) -> io::Result<bool> {
        loop {
            let now = self.now();
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
            if control(self, now) {
                return Ok(true);
            }
            if now > limit {
                return Ok(false);
            }
            let mut busy = false;
            for _ in 0..READ_BATCH {
                let Some(p) = self.a.transmit(now) else { break };
                self.ab.send(now, p);
                busy = true;
            }
            for _ in 0..READ_BATCH {
                let Some(p) = self.b.transmit(now) else { break };
                self.ba.send(now, p);
                busy = true;
            }
            if let Some(e) = self.a.take_error().or_else(|| self.b.take_error()) {
                return Err(e);
            }
            // A timer the end did not clear counts as due a millisecond on, so that it
            // cannot spin the pump.
            let floor = now + Duration::from_millis(1);
            let next = [
                self.ab.next_arrival(),
                self.ba.next_arrival(),
                self.a.timeout(now).map(|t| t.max(floor)),
                self.b.timeout(now).map(|t| t.max(floor)),
            ]
            .into_iter()
            .flatten()
            .min();
            // After reading frames, look again at once: more may be waiting, and the turn's
            // own output has been read. The cap keeps `limit` and `control` looked at.
            let wait = if busy {
                Duration::ZERO
            } else {
                next.map_or(Duration::from_millis(10), |t| t.saturating_sub(self.now()))
                    .min(Duration::from_millis(10))
            };
            let fds: Vec<BorrowedFd<'_>> = self.a.fd().into_iter().chain(self.b.fd()).collect();
            poll_readable(&fds, Some(wait))?;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stack::link::Faults;

    /// An end that sends a numbered frame every turn until it has sent `count`, and records
    /// what arrives.
    #[derive(Default)]
    struct Counter {
        count: u32,
        sent: u32,
        got: Vec<(Duration, u32)>,
    }

    impl Endpoint for Counter {
        fn receive(&mut self, now: Duration, bytes: &[u8]) {
            self.got
                .push((now, u32::from_be_bytes(bytes.try_into().unwrap())));
        }
        fn transmit(&mut self, _now: Duration) -> Option<Vec<u8>> {
            (self.sent < self.count).then(|| {
                self.sent += 1;
                self.sent.to_be_bytes().to_vec()
            })
        }
        fn timeout(&mut self, _now: Duration) -> Option<Duration> {
            None
        }
        fn on_timeout(&mut self, _now: Duration) {}
    }

    impl Port for Counter {}

    #[test]
    fn frames_cross_after_the_latency_and_lost_ones_never_do() {
        let latency = Duration::from_millis(20);
        let mut faults = Faults::clean(latency);
        faults.loss = 0.2;
        let a = Counter {
            count: 200,
            ..Counter::default()
        };
        let mut e = Emulator::new(
            a,
            Counter::default(),
            Link::new(faults, 9),
            Link::new(faults, 10),
        );
        let done = e
            .run(Duration::from_secs(5), |e, _| {
                e.a.sent == 200 && e.ab.next_arrival().is_none()
            })
            .unwrap();
        assert!(done);
        let got = &e.b.got;
        assert_eq!(got.len() as u64, 200 - e.ab.stats.lost);
        assert!(e.ab.stats.lost > 10, "{:?}", e.ab.stats);
        // In order (no reordering configured), and none before its latency had passed.
        assert!(got.windows(2).all(|w| w[0].1 < w[1].1));
        assert!(got.iter().all(|(at, _)| *at >= latency));
    }
}
