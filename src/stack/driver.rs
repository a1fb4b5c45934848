//! Runs a [`Host`] on a real device in real time: the driver only moves bytes and time.
//!
//! Each turn of [`run`] reads what the device has, passes it (through the optional fault
//! injection of [`Link`], one per direction, with no added latency) to
//! [`Host::handle`], runs [`Host::handle_timeout`] when a deadline is due, lets the
//! [`App`] act on its sockets, writes what [`Host::poll_transmit`] hands out, and then sleeps
//! in `poll(2)` until the device (or the application's input) is readable or the next
//! deadline comes. Time is the [`Instant`] elapsed since the start. Every packet read from
//! or written to the device can be recorded in a pcap file.

use super::Host;
use super::link::{Faults, Link};
use super::pcap::PcapWriter;
use super::tun::{Device, poll_readable};
use std::io::{self, Write};
use std::os::fd::{AsFd, BorrowedFd};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// The application on top of the host: servers, or a client moving standard input.
pub trait App {
    /// Acts on the host's sockets at `now` (events, accept, receive, send). `input_ready`
    /// says the descriptor of [`input`](Self::input) polled readable. Returns an exit status
    /// to stop the driver.
    fn step(&mut self, host: &mut Host, now: Duration, input_ready: bool) -> Option<u8>;
    /// A descriptor to wait on besides the device (standard input), when input is wanted.
    fn input(&self) -> Option<BorrowedFd<'_>> {
        None
    }
    /// A signal asked the driver to stop at `now`: close or abort every connection.
    fn shutdown(&mut self, host: &mut Host, now: Duration);
}

/// What the driver does besides moving packets.
#[derive(Debug, Default)]
pub struct Options<W: Write> {
    /// Faults injected between the device and the host, in both directions, with the seed.
    pub faults: Option<(Faults, u64)>,
    /// Records every packet read from or written to the device.
    pub pcap: Option<PcapWriter<W>>,
}

/// The driver's traffic counts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DriverStats {
    /// Packets read from the device.
    pub read: u64,
    /// Packets written to the device.
    pub written: u64,
    /// Packets the device refused (queue full or interface down).
    pub write_dropped: u64,
}

struct Io<'a, W: Write> {
    dev: &'a mut Device,
    inbound: Option<Link>,
    outbound: Option<Link>,
    pcap: Option<PcapWriter<W>>,
    wall: Duration,
    stats: DriverStats,
}

impl<W: Write> Io<'_, W> {
    fn record(&mut self, now: Duration, p: &[u8]) -> io::Result<()> {
        match self.pcap.as_mut() {
            Some(w) => w.write(self.wall + now, p),
            None => Ok(()),
        }
    }

    fn write(&mut self, now: Duration, p: &[u8]) -> io::Result<()> {
        self.record(now, p)?;
        if self.dev.send(p)? {
            self.stats.written += 1;
        } else {
            self.stats.write_dropped += 1;
        }
        Ok(())
    }

    /// Moves the host's output through the outbound faults onto the device. With `all`,
    /// packets still held back by reordering are written too.
    fn transmit(&mut self, host: &mut Host, now: Duration, all: bool) -> io::Result<()> {
        while let Some(p) = host.poll_transmit() {
            match self.outbound.as_mut() {
                Some(l) => l.send(now, p),
                None => self.write(now, &p)?,
            }
        }
        let at = if all { Duration::MAX } else { now };
        while let Some(p) = self.outbound.as_mut().and_then(|l| l.pop_arrived(at)) {
            self.write(now, &p)?;
        }
        Ok(())
    }
}

/// Runs `host` with `app` on `dev` until the application returns an exit status or `stop`
/// is set (by a signal handler), then lets the application close or abort its connections,
/// writes what that sends, and flushes the pcap file. Returns the exit status and counts.
pub fn run<W: Write>(
    dev: &mut Device,
    host: &mut Host,
    app: &mut dyn App,
    opts: Options<W>,
    stop: &AtomicBool,
) -> io::Result<(u8, DriverStats)> {
    let start = Instant::now();
    let wall = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    let (inbound, outbound) = match opts.faults {
        Some((f, seed)) => (
            Some(Link::new(f, seed)),
            Some(Link::new(f, seed.rotate_left(17) ^ 1)),
        ),
        None => (None, None),
    };
    let mut io = Io {
        dev,
        inbound,
        outbound,
        pcap: opts.pcap,
        wall,
        stats: DriverStats::default(),
    };
    let mut buf = vec![0u8; 65536];
    let mut input_ready = false;
    let code = loop {
        if stop.load(Ordering::Relaxed) {
            let now = start.elapsed();
            app.shutdown(host, now);
            io.transmit(host, now, true)?;
            break 0;
        }
        let now = start.elapsed();
        for _ in 0..256 {
            let Some(n) = io.dev.recv(&mut buf)? else {
                break;
            };
            io.stats.read += 1;
            io.record(now, &buf[..n])?;
            match io.inbound.as_mut() {
                Some(l) => l.send(now, buf[..n].to_vec()),
                None => host.handle(now, &buf[..n]),
            }
        }
        while let Some(p) = io.inbound.as_mut().and_then(|l| l.pop_arrived(now)) {
            host.handle(now, &p);
        }
        if host.poll_timeout().is_some_and(|t| t <= now) {
            host.handle_timeout(now);
        }
        let done = app.step(host, now, input_ready);
        io.transmit(host, now, done.is_some())?;
        if let Some(code) = done {
            break code;
        }
        let next = [
            host.poll_timeout(),
            io.inbound.as_ref().and_then(Link::next_arrival),
            io.outbound.as_ref().and_then(Link::next_arrival),
        ]
        .into_iter()
        .flatten()
        .min();
        // A deadline already past still sleeps a millisecond, so that one the host does not
        // clear cannot spin; the cap keeps the stop flag looked at.
        let wait = next
            .map_or(Duration::from_millis(100), |t| {
                t.saturating_sub(start.elapsed())
            })
            .clamp(Duration::from_millis(1), Duration::from_millis(100));
        let mut fds = vec![io.dev.as_fd()];
        fds.extend(app.input());
        let ready = poll_readable(&fds, Some(wait))?;
        input_ready = ready.get(1).copied().unwrap_or(false);
    };
    if let Some(w) = io.pcap.take() {
        w.into_inner().flush()?;
    }
    Ok((code, io.stats))
}
