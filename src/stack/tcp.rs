//! TCP sockets and their user calls: a [`Connection`] per connection, which decides everything
//! about it (RFC 9293 §3.10.1–§3.10.5 for OPEN, SEND, RECEIVE, CLOSE, ABORT); the host keeps
//! listeners and their backlogs, ports, the ISN generator (§3.4.1) and one timer-heap entry per
//! socket. Segment arrival and timers are in the sibling `tcp_io` module.

use super::{Host, HostConfig};
use crate::tcp::{self, Config, Connection, FourTuple, Mechanisms, Seq, State, Tcb};
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
    /// The host holds `HostConfig::tcp_max_connections` connections already.
    ConnectionLimit,
}

/// A connection of this host: the rules' [`Connection`] and what the host keeps beside it.
#[derive(Debug)]
pub(super) struct Socket {
    pub(super) conn: Connection,
    pub(super) tuple: FourTuple,
    /// The time of this socket's entry in the host's timer heap, if one is there: no later
    /// than its connection's next deadline. A deadline that moves later (the retransmission
    /// timer restarted by every acknowledgment) needs no new entry; the entry wakes the host
    /// early and is then replaced.
    pub(super) wake_at: Option<Duration>,
    /// The listening port that spawned it, until it is accepted.
    pub(super) listener: Option<u16>,
    /// The listening port that spawned it, for good: its share of
    /// `HostConfig::tcp_max_per_listener`.
    pub(super) origin: Option<u16>,
    pub(super) user_closed: bool,
    /// Octets its reassembly queue held after its last input: its share of
    /// [`TcpSockets::held`].
    pub(super) held: usize,
}

#[derive(Debug)]
pub(super) struct Listener {
    pub(super) backlog: usize,
    /// Spawned connections not yet accepted (SYN-RECEIVED or ESTABLISHED).
    pub(super) children: Vec<TcpHandle>,
    pub(super) ready: VecDeque<TcpHandle>,
    /// When this listener last sent a SYN cookie: an ACK is checked as the ACK of a cookie
    /// only within two cookie slots of that (as Linux checks cookies only after a recent
    /// overflow), so that in quiet times a blind guess of a cookie has nothing to hit.
    pub(super) cookie_sent_at: Option<Duration>,
}

/// A replacement for the host's ISN generator, installed by [`Host::set_isn_generator`].
pub(super) type IsnGenerator = Box<dyn Fn(&FourTuple, Duration) -> Seq + Send + Sync>;

/// The generator in force: `None` is RFC 9293 §3.4.1's M + F.
pub(super) struct IsnOverride(pub(super) Option<IsnGenerator>);

impl std::fmt::Debug for IsnOverride {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.is_some() {
            "IsnOverride(replaced)"
        } else {
            "IsnOverride(RFC 9293 §3.4.1)"
        })
    }
}

#[derive(Debug)]
pub(super) struct TcpSockets {
    pub(super) slab: Vec<Option<Socket>>,
    pub(super) free: Vec<u32>,
    pub(super) conns: HashMap<FourTuple, TcpHandle>,
    pub(super) listeners: HashMap<u16, Listener>,
    pub(super) next_port: u16,
    /// One entry per socket with a deadline ([`Socket::wake_at`]), earliest first; an entry
    /// may be stale (the socket's timer moved later or stopped since), which costs at most an
    /// early wake-up.
    pub(super) timers: BinaryHeap<Reverse<(Duration, u32)>>,
    pub(super) isn_override: IsnOverride,
    /// A buffer for the segments of one input, kept empty between inputs.
    pub(super) segments: Vec<crate::tcp::Segment>,
    /// Live connections spawned by each listening port (accepted or not).
    pub(super) spawned: HashMap<u16, usize>,
    /// Out-of-order octets held by all connections together, against
    /// `HostConfig::tcp_reassembly_budget`: the sum of every socket's [`Socket::held`].
    pub(super) held: usize,
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
            isn_override: IsnOverride(None),
            segments: Vec::new(),
            spawned: HashMap::new(),
            held: 0,
        }
    }

    /// Connections the host holds (every state, until released).
    pub(super) fn live(&self) -> usize {
        self.slab.len() - self.free.len()
    }

    /// Live connections spawned by the listener on `port`.
    pub(super) fn spawned_by(&self, port: u16) -> usize {
        self.spawned.get(&port).copied().unwrap_or(0)
    }

    pub(super) fn get(&self, h: TcpHandle) -> Option<&Socket> {
        self.slab.get(h.0 as usize)?.as_ref()
    }

    pub(super) fn get_mut(&mut self, h: TcpHandle) -> Option<&mut Socket> {
        self.slab.get_mut(h.0 as usize)?.as_mut()
    }

    pub(super) fn insert(&mut self, s: Socket) -> TcpHandle {
        let tuple = s.tuple;
        if let Some(p) = s.origin {
            *self.spawned.entry(p).or_default() += 1;
        }
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

    pub(super) fn remove(&mut self, h: TcpHandle) {
        if let Some(s) = self.slab.get_mut(h.0 as usize).and_then(Option::take) {
            self.held -= s.held;
            if self.conns.get(&s.tuple) == Some(&h) {
                self.conns.remove(&s.tuple);
            }
            if let Some(p) = s.origin
                && let Some(n) = self.spawned.get_mut(&p)
            {
                *n -= 1;
                if *n == 0 {
                    self.spawned.remove(&p);
                }
            }
            self.free.push(h.0);
        }
    }

    pub(super) fn next_deadline(&self) -> Option<Duration> {
        self.timers.peek().map(|Reverse((t, _))| *t)
    }

    /// Makes sure the heap wakes the host by the earliest deadline of socket `h`.
    pub(super) fn arm(&mut self, h: TcpHandle) {
        let Some(s) = self.slab.get_mut(h.0 as usize).and_then(Option::as_mut) else {
            return;
        };
        if let Some(t) = s.conn.poll_timeout()
            && s.wake_at.is_none_or(|w| t < w)
        {
            s.wake_at = Some(t);
            self.timers.push(Reverse((t, h.0)));
        }
    }
}

impl Host {
    /// The configuration of this host's connections: RFC 9293 with the host's MSS (from its
    /// MTU), buffers, MSL, and its choice of delayed ACK and fast retransmit.
    pub(super) fn conn_config(&self) -> Config {
        Config {
            mechanisms: Mechanisms::default(),
            rcv_wnd: u32::try_from(self.cfg.tcp_rx_buffer).unwrap_or(u32::MAX),
            mss: tcp::advertised_mss(self.cfg.mtu),
            snd_buf: self.cfg.tcp_tx_buffer,
            delayed_ack: self.cfg.tcp_delayed_ack,
            fast_retransmit: self.cfg.tcp_fast_retransmit,
            msl: self.cfg.msl,
            challenge_ack_limit: self.cfg.tcp_challenge_ack_limit,
            fin_wait_2_timeout: self.cfg.tcp_fin_wait_2_timeout,
            keep_alive: self.cfg.tcp_keep_alive,
            window_scale: self.cfg.tcp_window_scale,
            timestamps: self.cfg.tcp_timestamps,
            sack: self.cfg.tcp_sack,
            nagle: self.cfg.tcp_nagle,
            congestion: self.cfg.tcp_congestion,
            max_syn_ack_retransmits: self.cfg.tcp_max_syn_ack_retransmits,
            ..Config::default()
        }
    }

    /// A new connection of `tuple` with this host's configuration and its own timestamp
    /// offset ([`ts_offset`](Self::ts_offset)).
    pub(super) fn new_connection(&self, t: &FourTuple) -> Connection {
        let mut conn = Connection::new(self.conn_config());
        conn.set_timestamp_offset(self.ts_offset(t));
        conn
    }

    /// The timestamp offset of the connection of `t` (RFC 7323 §7.1: F(4-tuple, key) of a
    /// second keyed hash, so that TSval reveals neither the host's clock nor the ISN).
    pub(super) fn ts_offset(&self, t: &FourTuple) -> u32 {
        let key = self.cfg.isn_key ^ 0x7473_6f66_6673_6574;
        let mut h = SipHasher13::new_with_keys(key, key.rotate_left(17));
        h.write(&t.local.ip().octets());
        h.write_u16(t.local.port());
        h.write(&t.remote.ip().octets());
        h.write_u16(t.remote.port());
        h.finish() as u32
    }

    /// The key of this host's SYN cookies (RFC 4987 §3.6), derived from the ISN key by a
    /// keyed hash of its own, so that a cookie reveals nothing of the ISN function.
    pub(super) fn cookie_key(&self) -> tcp::syncookie::CookieKey {
        let half = |salt: u64| {
            let mut h = SipHasher13::new_with_keys(self.cfg.isn_key, salt);
            h.write_u64(salt);
            h.finish()
        };
        tcp::syncookie::CookieKey([half(0x636f_6f6b_6965_0001), half(0x636f_6f6b_6965_0002)])
    }

    /// ISN = M + F(4-tuple, key) (RFC 9293 §3.4.1): F is SipHash-1-3 keyed with the host's
    /// secret, M the 4 µs clock; or what a generator installed by
    /// [`set_isn_generator`](Self::set_isn_generator) says.
    pub(super) fn isn(&self, t: &FourTuple) -> Seq {
        if let Some(f) = &self.tcp.isn_override.0 {
            return f(t, self.now);
        }
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

    pub(super) fn new_socket(
        &self,
        conn: Connection,
        tuple: FourTuple,
        listener: Option<u16>,
    ) -> Socket {
        Socket {
            conn,
            tuple,
            wake_at: None,
            listener,
            origin: listener,
            user_closed: false,
            held: 0,
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
            cookie_sent_at: None,
        };
        self.tcp.listeners.insert(port, l);
        Ok(())
    }

    /// CLOSE of the LISTEN on `port` (RFC 9293 §3.10.4: the listening TCB is deleted).
    /// Connections it spawned that were not yet accepted have no user and are aborted
    /// (§3.10.5, a RST to each peer). Returns whether the port was listening.
    pub fn tcp_unlisten(&mut self, now: Duration, port: u16) -> bool {
        let Some(l) = self.tcp.listeners.remove(&port) else {
            return false;
        };
        for h in l.children {
            self.tcp_abort(now, h);
        }
        true
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

    /// Replaces the ISN generator: from now on every ISN this host chooses (on an active
    /// OPEN, and when a LISTEN takes a SYN) is `f(pair of sockets, now)`.
    ///
    /// This is for tests that replay choices made elsewhere, such as a model's ISNs (which
    /// exercise wrap-around at 2^32). A generator that does not follow RFC 9293 §3.4.1
    /// (MUST-8: a clock plus a keyed hash) exposes connections to old duplicates of earlier
    /// incarnations and to off-path sequence-number guessing.
    pub fn set_isn_generator(
        &mut self,
        f: impl Fn(&FourTuple, Duration) -> Seq + Send + Sync + 'static,
    ) {
        self.tcp.isn_override = IsnOverride(Some(Box::new(f)));
    }

    /// Active OPEN to `remote` from local port `port` (a bind before connect), refused with
    /// [`TcpError::PortUnavailable`] for port 0, a listening port, or a pair of sockets that
    /// already names a connection (RFC 9293 §3.10.1: "connection already exists").
    pub fn tcp_connect_from(
        &mut self,
        now: Duration,
        port: u16,
        remote: SocketAddrV4,
    ) -> Result<TcpHandle, TcpError> {
        let tuple = FourTuple {
            local: SocketAddrV4::new(self.cfg.addr, port),
            remote,
        };
        if port == 0
            || self.tcp.conns.contains_key(&tuple)
            || self.tcp.listeners.contains_key(&port)
        {
            return Err(TcpError::PortUnavailable);
        }
        self.open_active(now, tuple)
    }

    fn open_active(&mut self, now: Duration, tuple: FourTuple) -> Result<TcpHandle, TcpError> {
        self.at(now);
        if self.tcp.live() >= self.cfg.tcp_max_connections {
            self.counters.connection_limit += 1;
            return Err(TcpError::ConnectionLimit);
        }
        let iss = self.isn(&tuple);
        let sock = self.new_socket(self.new_connection(&tuple), tuple, None);
        let h = self.tcp.insert(sock);
        if let Some(s) = self.tcp.get_mut(h) {
            // A new connection in CLOSED accepts an active OPEN.
            let _ = s.conn.open_active(now, iss);
        }
        self.after(h, tcp::Witnesses::default());
        Ok(h)
    }

    /// The connection on the pair of sockets `tuple` (our address and port, the peer's), if
    /// one exists and is not CLOSED: also one that a listener spawned and that is not yet
    /// accepted.
    pub fn tcp_connection(&self, tuple: &FourTuple) -> Option<TcpHandle> {
        self.tcp.conns.get(tuple).copied()
    }

    /// The connection's control block, read-only (RFC 9293 §3.3.1), for inspection.
    pub fn tcp_tcb(&self, h: TcpHandle) -> Option<&Tcb> {
        self.tcp.get(h).map(|s| s.conn.tcb())
    }

    /// The connection itself, read-only: its timers, estimator and buffers, for inspection.
    pub fn tcp_conn(&self, h: TcpHandle) -> Option<&Connection> {
        self.tcp.get(h).map(|s| &s.conn)
    }

    /// Active OPEN to `remote` from an ephemeral port.
    pub fn tcp_connect(
        &mut self,
        now: Duration,
        remote: SocketAddrV4,
    ) -> Result<TcpHandle, TcpError> {
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
        self.open_active(now, tuple)
    }

    /// SEND at `now`: queues as much of `data` as the send buffer has room for and returns how
    /// much (0 where §3.10.2 refuses a SEND, e.g. after CLOSE).
    pub fn tcp_send(&mut self, now: Duration, h: TcpHandle, data: &[u8]) -> usize {
        self.at(now);
        let Some(s) = self.tcp.get_mut(h) else {
            return 0;
        };
        let n = s.conn.send(now, data).unwrap_or(0);
        self.after(h, tcp::Witnesses::default());
        n
    }

    /// RECEIVE at `now`: moves delivered text into `buf` and returns how much; the connection
    /// re-offers its window when it has opened enough.
    pub fn tcp_recv(&mut self, now: Duration, h: TcpHandle, buf: &mut [u8]) -> usize {
        self.at(now);
        let Some(s) = self.tcp.get_mut(h) else {
            return 0;
        };
        let n = s.conn.recv(now, buf);
        self.after(h, tcp::Witnesses::default());
        n
    }

    /// Out-of-order octets held by all TCP connections together, which
    /// `HostConfig::tcp_reassembly_budget` bounds.
    pub fn tcp_reassembly_held(&self) -> usize {
        self.tcp.held
    }

    /// Octets delivered and waiting in the receive buffer.
    pub fn tcp_recv_queued(&self, h: TcpHandle) -> usize {
        self.tcp.get(h).map_or(0, |s| s.conn.recv_queued())
    }

    /// Octets in the send buffer: unacknowledged plus not yet sent.
    pub fn tcp_send_queued(&self, h: TcpHandle) -> usize {
        self.tcp.get(h).map_or(0, |s| s.conn.send_queued())
    }

    /// The connection's state; `None` once the handle is released.
    pub fn tcp_state(&self, h: TcpHandle) -> Option<State> {
        self.tcp.get(h).map(|s| s.conn.state())
    }

    /// CLOSE at `now`: our FIN follows the queued text. The handle is released once the
    /// connection is CLOSED (at once if it already is).
    pub fn tcp_close(&mut self, now: Duration, h: TcpHandle) {
        self.at(now);
        let Some(s) = self.tcp.get_mut(h) else { return };
        s.user_closed = true;
        if s.conn.state() == State::Closed {
            self.tcp.remove(h);
            return;
        }
        // A refusal (the connection is already closing) changes nothing.
        let _ = s.conn.close(now);
        self.after(h, tcp::Witnesses::default());
    }

    /// ABORT at `now`: a RST where §3.10.5 says so; the handle is released.
    pub fn tcp_abort(&mut self, now: Duration, h: TcpHandle) {
        self.at(now);
        let Some(s) = self.tcp.get_mut(h) else { return };
        s.user_closed = true;
        // ABORT of a CLOSED connection is refused and changes nothing.
        let _ = s.conn.abort(now);
        self.after(h, tcp::Witnesses::default());
        self.tcp.remove(h);
    }
}
