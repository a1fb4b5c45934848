//! TCP sockets: a [`Tcb`] per connection with its buffers and timers (RFC 9293 §3.10; RFC 6298
//! for the retransmission timer; §3.4.1 for the ISN; §3.7.1 for the MSS option).
//!
//! Arriving segments are demultiplexed by [`tcp::demux`]; a SYN for a listening port is given
//! to a fresh [`Tcb`] in LISTEN, which decides whether a connection starts; a segment for no
//! connection is answered as [`tcp::reset_for`] says. Every transition's outputs pass through
//! one place ([`Host::after`]) that files delivered text, offers the free buffer space as the
//! window, feeds the RTT sampler and sets the timers.

use super::{Host, HostConfig, SocketEvent};
use crate::tcp::{
    self, Config, Ctl, Event, FourTuple, Mechanisms, Outputs, Rto, RtoBounds, RttSampler, Segment,
    Seq, State, Target, Tcb,
};
use crate::wire::{self, IpProtocol};
use siphasher::sip::SipHasher13;
use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap, VecDeque};
use std::hash::Hasher;
use std::net::SocketAddrV4;
use std::time::Duration;

/// A TCP connection of this host.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TcpHandle(pub u32);

/// Why a TCP user call was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TcpError {
    /// Port 0, or a port that is already listening.
    PortUnavailable,
    /// No ephemeral port is free for this destination.
    NoEphemeralPort,
}

#[derive(Debug)]
struct Socket {
    tcb: Tcb,
    cfg: Config,
    tuple: FourTuple,
    rx: VecDeque<u8>,
    rto: Rto,
    sampler: RttSampler,
    rto_at: Option<Duration>,
    time_wait_at: Option<Duration>,
    /// The listening port that spawned it, until it is accepted.
    listener: Option<u16>,
    user_closed: bool,
}

#[derive(Debug)]
struct Listener {
    backlog: usize,
    /// Spawned connections not yet accepted (SYN-RECEIVED or ESTABLISHED).
    children: Vec<TcpHandle>,
    ready: VecDeque<TcpHandle>,
}

#[derive(Debug)]
pub(super) struct TcpSockets {
    slab: Vec<Option<Socket>>,
    free: Vec<u32>,
    conns: HashMap<FourTuple, TcpHandle>,
    listeners: HashMap<u16, Listener>,
    next_port: u16,
    /// Deadlines as set, earliest first; an entry may be stale (the socket's timer moved or
    /// stopped since), which costs at most an early wake-up.
    timers: BinaryHeap<Reverse<(Duration, u32)>>,
}

const EPHEMERAL: std::ops::RangeInclusive<u16> = 49152..=65535;

impl TcpSockets {
    pub(super) fn new(cfg: &HostConfig) -> TcpSockets {
        let span = EPHEMERAL.end() - EPHEMERAL.start() + 1;
        TcpSockets {
            slab: Vec::new(),
            free: Vec::new(),
            conns: HashMap::new(),
            listeners: HashMap::new(),
            next_port: EPHEMERAL.start() + (cfg.isn_key % u64::from(span)) as u16,
            timers: BinaryHeap::new(),
        }
    }

    fn get(&self, h: TcpHandle) -> Option<&Socket> {
        self.slab.get(h.0 as usize)?.as_ref()
    }

    fn get_mut(&mut self, h: TcpHandle) -> Option<&mut Socket> {
        self.slab.get_mut(h.0 as usize)?.as_mut()
    }

    fn insert(&mut self, s: Socket) -> TcpHandle {
        let tuple = s.tuple;
        let h = match self.free.pop() {
            Some(i) => {
                self.slab[i as usize] = Some(s);
                TcpHandle(i)
            }
            None => {
                self.slab.push(Some(s));
                TcpHandle(self.slab.len() as u32 - 1)
            }
        };
        self.conns.insert(tuple, h);
        h
    }

    fn remove(&mut self, h: TcpHandle) {
        if let Some(s) = self.slab.get_mut(h.0 as usize).and_then(Option::take) {
            if self.conns.get(&s.tuple) == Some(&h) {
                self.conns.remove(&s.tuple);
            }
            self.free.push(h.0);
        }
    }

    pub(super) fn next_deadline(&self) -> Option<Duration> {
        self.timers.peek().map(|Reverse((t, _))| *t)
    }
}

/// What a transition changed, for the RTT sampler and the timers.
struct Before {
    snd_una: Seq,
    snd_nxt: Seq,
    state: State,
}

impl Before {
    fn of(tcb: &Tcb) -> Before {
        Before {
            snd_una: tcb.snd_una,
            snd_nxt: tcb.snd_nxt,
            state: tcb.state,
        }
    }
}

fn flags_of(ctl: Ctl) -> wire::tcp::Flags {
    let mut f = wire::tcp::Flags::empty();
    for (c, w) in [
        (Ctl::SYN, wire::tcp::Flags::SYN),
        (Ctl::ACK, wire::tcp::Flags::ACK),
        (Ctl::FIN, wire::tcp::Flags::FIN),
        (Ctl::RST, wire::tcp::Flags::RST),
    ] {
        if ctl.has(c) {
            f |= w;
        }
    }
    f
}

fn ctl_of(f: wire::tcp::Flags) -> Ctl {
    let mut c = Ctl::NONE;
    for (on, bit) in [
        (f.syn(), Ctl::SYN),
        (f.ack(), Ctl::ACK),
        (f.fin(), Ctl::FIN),
        (f.rst(), Ctl::RST),
    ] {
        if on {
            c = c | bit;
        }
    }
    c
}

impl Host {
    fn conn_config(&self, send_mss: u16) -> Config {
        Config {
            mechanisms: Mechanisms::default(),
            rcv_wnd: u16::try_from(self.cfg.tcp_rx_buffer).unwrap_or(u16::MAX),
            mss: send_mss,
            max_retransmits: 12,
        }
    }

    /// ISN = M + F(4-tuple, key) (RFC 9293 §3.4.1): F is SipHash-1-3 keyed with the host's
    /// secret, M the 4 µs clock.
    fn isn(&self, t: &FourTuple) -> Seq {
        let key = self.cfg.isn_key;
        let mut h = SipHasher13::new_with_keys(key, key.rotate_left(32) ^ 0x5bd1_e995);
        h.write(&t.local.ip().octets());
        h.write_u16(t.local.port());
        h.write(&t.remote.ip().octets());
        h.write_u16(t.remote.port());
        let micros = u64::try_from(self.now.as_micros()).unwrap_or(u64::MAX);
        tcp::initial_sequence_number(
            tcp::isn_clock_from_micros(micros),
            h.finish() as u32,
            Mechanisms::default(),
        )
    }

    fn new_socket(&self, tcb: Tcb, cfg: Config, tuple: FourTuple, listener: Option<u16>) -> Socket {
        Socket {
            tcb,
            cfg,
            tuple,
            rx: VecDeque::new(),
            rto: Rto::new(RtoBounds::default()),
            sampler: RttSampler::default(),
            rto_at: None,
            time_wait_at: None,
            listener,
            user_closed: false,
        }
    }

    /// Passive OPEN on `port` for any remote socket, keeping at most `backlog` connections
    /// that are not yet accepted (further SYNs are dropped and counted).
    pub fn tcp_listen(&mut self, port: u16, backlog: usize) -> Result<(), TcpError> {
        if port == 0 || self.tcp.listeners.contains_key(&port) {
            return Err(TcpError::PortUnavailable);
        }
        let l = Listener {
            backlog: backlog.max(1),
            children: Vec::new(),
            ready: VecDeque::new(),
        };
        self.tcp.listeners.insert(port, l);
        Ok(())
    }

    /// An ESTABLISHED connection that came in on `port`, if one is waiting.
    pub fn tcp_accept(&mut self, port: u16) -> Option<TcpHandle> {
        let l = self.tcp.listeners.get_mut(&port)?;
        let h = l.ready.pop_front()?;
        l.children.retain(|c| *c != h);
        if let Some(s) = self.tcp.get_mut(h) {
            s.listener = None;
        }
        Some(h)
    }

    /// Active OPEN to `remote` from an ephemeral port.
    pub fn tcp_connect(&mut self, remote: SocketAddrV4) -> Result<TcpHandle, TcpError> {
        let span = EPHEMERAL.end() - EPHEMERAL.start() + 1;
        let tuple = (0..span)
            .map(|i| {
                let off = (self.tcp.next_port - EPHEMERAL.start()).wrapping_add(i) % span;
                FourTuple {
                    local: SocketAddrV4::new(self.cfg.addr, EPHEMERAL.start() + off),
                    remote,
                }
            })
            .find(|t| {
                !self.tcp.conns.contains_key(t) && !self.tcp.listeners.contains_key(&t.local.port())
            })
            .ok_or(TcpError::NoEphemeralPort)?;
        let next = tuple.local.port() - EPHEMERAL.start();
        self.tcp.next_port = EPHEMERAL.start() + (next + 1) % span;
        let cfg = self.conn_config(tcp::DEFAULT_MSS);
        let iss = self.isn(&tuple);
        let sock = self.new_socket(Tcb::closed(), cfg, tuple, None);
        let h = self.tcp.insert(sock);
        self.drive(h, |tcb, cfg| tcb.open_active(iss, cfg));
        Ok(h)
    }

    /// SEND: queues as much of `data` as the send buffer has room for and returns how much
    /// (0 where §3.10.2 refuses a SEND, e.g. after CLOSE).
    pub fn tcp_send(&mut self, h: TcpHandle, data: &[u8]) -> usize {
        let cap = self.cfg.tcp_tx_buffer;
        let Some(s) = self.tcp.get(h) else { return 0 };
        let n = data.len().min(cap.saturating_sub(s.tcb.send_buf.len()));
        if n == 0 {
            return 0;
        }
        let mut refused = false;
        self.drive(h, |tcb, cfg| {
            let out = tcb.send(&data[..n], cfg);
            refused = out.events.iter().any(|e| matches!(e, Event::Error(_)));
            out
        });
        if refused { 0 } else { n }
    }

    /// RECEIVE: moves delivered text into `buf` and returns how much; re-offers the window
    /// when it has opened enough ([`Tcb::window_update`]).
    pub fn tcp_recv(&mut self, h: TcpHandle, buf: &mut [u8]) -> usize {
        let cap = self.cfg.tcp_rx_buffer;
        let mss = tcp::advertised_mss(self.cfg.mtu);
        let Some(s) = self.tcp.get_mut(h) else {
            return 0;
        };
        let n = buf.len().min(s.rx.len());
        let (front, back) = s.rx.as_slices();
        let k = n.min(front.len());
        buf[..k].copy_from_slice(&front[..k]);
        buf[k..n].copy_from_slice(&back[..n - k]);
        s.rx.drain(..n);
        let free = cap.saturating_sub(s.rx.len());
        let update = s.tcb.window_update(free, cap, mss);
        let tuple = s.tuple;
        if let Some(seg) = update {
            self.emit(&tuple, &seg);
        }
        n
    }

    /// Octets delivered and waiting in the receive buffer.
    pub fn tcp_recv_queued(&self, h: TcpHandle) -> usize {
        self.tcp.get(h).map_or(0, |s| s.rx.len())
    }

    /// Octets in the send buffer: unacknowledged plus not yet sent.
    pub fn tcp_send_queued(&self, h: TcpHandle) -> usize {
        self.tcp.get(h).map_or(0, |s| s.tcb.send_buf.len())
    }

    /// The connection's state; `None` once the handle is released.
    pub fn tcp_state(&self, h: TcpHandle) -> Option<State> {
        self.tcp.get(h).map(|s| s.tcb.state)
    }

    /// CLOSE: our FIN follows the queued text. The handle is released once the connection
    /// is CLOSED (at once if it already is).
    pub fn tcp_close(&mut self, h: TcpHandle) {
        let Some(s) = self.tcp.get_mut(h) else { return };
        s.user_closed = true;
        if s.tcb.state == State::Closed {
            self.tcp.remove(h);
            return;
        }
        self.drive(h, |tcb, cfg| tcb.close(cfg));
    }

    /// ABORT: a RST where §3.10.5 says so; the handle is released.
    pub fn tcp_abort(&mut self, h: TcpHandle) {
        let Some(s) = self.tcp.get_mut(h) else { return };
        s.user_closed = true;
        self.drive(h, |tcb, _| tcb.abort());
        self.tcp.remove(h);
    }

    pub(super) fn tcp_input(&mut self, hdr: &wire::ipv4::Repr, payload: &[u8]) {
        let (repr, data) = match wire::tcp::Repr::parse_bytes(payload, hdr.src_addr, hdr.dst_addr) {
            Ok(x) => x,
            Err(e) => return self.count(e),
        };
        let seg = Segment {
            seq: Seq(repr.seq),
            ack: Seq(repr.ack),
            ctl: ctl_of(repr.flags),
            wnd: repr.window,
            data: data.to_vec(),
        };
        let tuple = FourTuple {
            local: SocketAddrV4::new(hdr.dst_addr, repr.dst_port),
            remote: SocketAddrV4::new(hdr.src_addr, repr.src_port),
        };
        let unicast = !self.node.is_broadcast(hdr.dst_addr) && !hdr.dst_addr.is_multicast();
        let listeners = &self.tcp.listeners;
        match tcp::demux(
            &self.tcp.conns,
            |p| listeners.contains_key(&p),
            &tuple,
            unicast,
        ) {
            Target::Connection(h) => {
                let mtu = self.cfg.mtu;
                if let Some(s) = self.tcp.get_mut(h)
                    && s.tcb.state == State::SynSent
                    && seg.has(Ctl::SYN)
                {
                    s.cfg.mss = tcp::effective_send_mss(repr.mss, mtu);
                }
                self.drive(h, |tcb, cfg| tcb.on_segment(&seg, Seq(0), cfg));
            }
            Target::Listener => self.listener_segment(tuple, &seg, repr.mss),
            Target::Closed => {
                self.counters.no_socket += 1;
                if let Some(rst) = tcp::reset_for(&seg, &Config::default()) {
                    self.emit(&tuple, &rst);
                }
            }
            Target::NotUnicast => self.counters.not_for_us += 1,
        }
    }

    /// A segment for a listening port (RFC 9293 §3.10.7.2), given to a fresh LISTEN.
    fn listener_segment(&mut self, tuple: FourTuple, seg: &Segment, peer_mss: Option<u16>) {
        let cfg = self.conn_config(tcp::effective_send_mss(peer_mss, self.cfg.mtu));
        let mut tcb = Tcb::closed();
        tcb.open_passive(&cfg);
        let before = Before::of(&tcb);
        let out = tcb.on_segment(seg, self.isn(&tuple), &cfg);
        if tcb.state == State::Listen {
            for s in &out.segments {
                self.emit(&tuple, s);
            }
            return;
        }
        let port = tuple.local.port();
        let slab = &self.tcp.slab;
        let Some(l) = self.tcp.listeners.get_mut(&port) else {
            return;
        };
        l.children
            .retain(|c| slab.get(c.0 as usize).is_some_and(Option::is_some));
        if l.children.len() >= l.backlog {
            self.counters.backlog_full += 1;
            return;
        }
        let sock = self.new_socket(tcb, cfg, tuple, Some(port));
        let h = self.tcp.insert(sock);
        if let Some(l) = self.tcp.listeners.get_mut(&port) {
            l.children.push(h);
        }
        self.after(h, before, out);
    }

    /// Runs one transition of connection `h` and files its outputs.
    fn drive(&mut self, h: TcpHandle, f: impl FnOnce(&mut Tcb, &Config) -> Outputs) {
        let Some(s) = self.tcp.get_mut(h) else { return };
        let before = Before::of(&s.tcb);
        let out = f(&mut s.tcb, &s.cfg);
        self.after(h, before, out);
    }

    /// Files a transition's outputs: text into the receive buffer, the free space as the
    /// window, RTT samples (Karn), the retransmission timer (RFC 6298 §5), TIME-WAIT's 2·MSL,
    /// events for the user; then sends the segments and releases a finished connection.
    fn after(&mut self, h: TcpHandle, before: Before, mut out: Outputs) {
        let now = self.now;
        let rx_cap = self.cfg.tcp_rx_buffer;
        let msl = u64::try_from(self.cfg.msl.as_millis()).unwrap_or(u64::MAX);
        let Some(s) = self.tcp.slab.get_mut(h.0 as usize).and_then(Option::as_mut) else {
            return;
        };
        let timers_before = (s.rto_at, s.time_wait_at);
        let time_wait = Duration::from_millis(tcp::time_wait_duration(msl, s.cfg.mechanisms));
        s.rx.extend(&out.delivered);
        s.tcb
            .offer_window(rx_cap.saturating_sub(s.rx.len()), &mut out.segments);
        let live = s.tcb.state != State::Closed;
        let acked_new = live && s.tcb.snd_una != before.snd_una;
        if acked_new && let Some(rtt) = s.sampler.on_ack(s.tcb.snd_una, now) {
            s.rto.on_sample(rtt);
        }
        if live && s.tcb.snd_nxt != before.snd_nxt {
            s.sampler.on_send(s.tcb.snd_nxt, now);
        }
        if matches!(before.state, State::SynSent | State::SynReceived)
            && !matches!(
                s.tcb.state,
                State::SynSent | State::SynReceived | State::Listen | State::Closed
            )
        {
            s.rto.handshake_done();
        }
        let mut ready = None;
        for e in &out.events {
            match e {
                Event::TimeWaitStarted => s.time_wait_at = Some(now + time_wait),
                Event::Retransmitted => s.sampler.on_retransmit(),
                Event::Established
                | Event::PeerClosed
                | Event::OurFinAcked
                | Event::Reset
                | Event::Refused
                | Event::TimedOut
                | Event::Closed => {
                    if *e == Event::Established {
                        ready = s.listener;
                    }
                    self.events.push_back(SocketEvent::Tcp {
                        handle: h,
                        event: *e,
                    });
                }
                _ => {}
            }
        }
        s.rto_at =
            tcp::retransmit_deadline(s.rto_at, s.tcb.has_unacked(), acked_new, now, s.rto.rto());
        if s.tcb.state != State::TimeWait {
            s.time_wait_at = None;
        }
        if (s.rto_at, s.time_wait_at) != timers_before {
            for t in [s.rto_at, s.time_wait_at].into_iter().flatten() {
                self.tcp.timers.push(Reverse((t, h.0)));
            }
        }
        let tuple = s.tuple;
        let orphan = s.listener.is_some();
        let finished = s.tcb.state == State::Closed || (orphan && s.tcb.state == State::Listen);
        let release = finished && (s.user_closed || orphan);
        if finished {
            s.rto_at = None;
            self.tcp.conns.remove(&tuple);
        }
        if let Some(port) = ready
            && let Some(l) = self.tcp.listeners.get_mut(&port)
        {
            l.ready.push_back(h);
        }
        for seg in &out.segments {
            self.emit(&tuple, seg);
        }
        if release {
            if let Some(port) = self.tcp.get(h).and_then(|s| s.listener)
                && let Some(l) = self.tcp.listeners.get_mut(&port)
            {
                l.children.retain(|c| *c != h);
                l.ready.retain(|c| *c != h);
            }
            self.tcp.remove(h);
        }
    }

    /// Sends a segment of `tuple`, with our MSS option on a SYN (RFC 9293 §3.7.1).
    fn emit(&mut self, tuple: &FourTuple, seg: &Segment) {
        let repr = wire::tcp::Repr {
            src_port: tuple.local.port(),
            dst_port: tuple.remote.port(),
            seq: seg.seq.0,
            ack: seg.ack.0,
            flags: flags_of(seg.ctl),
            window: seg.wnd,
            urgent: 0,
            mss: seg.has(Ctl::SYN).then(|| tcp::advertised_mss(self.cfg.mtu)),
            window_scale: None,
            sack_permitted: false,
            sack_blocks: Vec::new(),
            timestamps: None,
            payload_len: seg.data.len(),
        };
        let (src, dst) = (*tuple.local.ip(), *tuple.remote.ip());
        let header = repr.header_len();
        self.ip_send_with(dst, IpProtocol::Tcp, repr.buffer_len(), |buf| {
            buf[header..].copy_from_slice(&seg.data);
            repr.emit(&mut wire::tcp::Packet::new_unchecked(buf), src, dst);
        });
    }

    /// Runs the retransmission and TIME-WAIT timers that are due at `now`.
    pub(super) fn tcp_timeouts(&mut self, now: Duration) {
        let mut woken = Vec::new();
        while let Some(Reverse((t, i))) = self.tcp.timers.peek().copied()
            && t <= now
        {
            self.tcp.timers.pop();
            woken.push(i);
        }
        woken.sort_unstable();
        woken.dedup();
        let due: Vec<(TcpHandle, bool, bool)> = woken
            .into_iter()
            .filter_map(|i| {
                let s = self.tcp.get(TcpHandle(i))?;
                let rto = s.rto_at.is_some_and(|t| t <= now);
                let tw = s.time_wait_at.is_some_and(|t| t <= now);
                (rto || tw).then_some((TcpHandle(i), rto, tw))
            })
            .collect();
        for (h, rto, tw) in due {
            if rto && let Some(s) = self.tcp.get_mut(h) {
                s.rto.backoff(!s.tcb.syn_acked());
                s.rto_at = None;
                self.drive(h, |tcb, cfg| tcb.on_retransmit_timeout(cfg));
            }
            if tw {
                self.drive(h, |tcb, _| tcb.on_time_wait_timeout());
            }
        }
    }
}
