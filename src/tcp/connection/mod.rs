//! One TCP connection, all of it: [`Connection`] owns the TCB (RFC 9293 §3.3.1) and every
//! decision the RFCs make for it around the transitions of [`Tcb`]: the RFC 6298 estimator and
//! Karn's sampler, RFC 5681 §3.2 / RFC 6582 recovery, the retransmission, persist,
//! delayed-ACK and TIME-WAIT timers, the MSS learnt from the peer's SYN (§3.7.1), the R1 and R2
//! thresholds (§3.8.3, MUST-20..23), and the send and receive buffers with the window offered
//! from them.
//!
//! The shape is quinn-proto's `Connection`: no I/O, no clock. Every input carries `now`, an
//! instant of the caller's clock (a [`Duration`] since any fixed origin): a segment
//! ([`on_segment`](Connection::on_segment)), a timer ([`handle_timeout`](Connection::handle_timeout)),
//! and every user call (OPEN, SEND, RECEIVE, CLOSE, ABORT of §3.10). Outputs are pulled:
//! segments with [`poll_transmit`](Connection::poll_transmit), the next deadline with
//! [`poll_timeout`](Connection::poll_timeout), the user's events with
//! [`poll_event`](Connection::poll_event). The runnable host and the TCP models step this very
//! value; a model fires an armed timer as an action ([`expire`](Connection::expire)).
//!
//! ```
//! use std::time::Duration;
//! use tcpip_spec::tcp::{Config, Connection, Event, Seq, State, Timer};
//! let cfg = Config::default();
//! let t0 = Duration::ZERO;
//! let (mut a, mut b) = (Connection::new(cfg), Connection::new(cfg));
//! b.open_passive(t0).unwrap();
//! a.open_active(t0, Seq(100)).unwrap();
//! let syn = a.poll_transmit(t0).unwrap();
//! assert_eq!(a.timer(Timer::Retransmit), Some(Duration::from_secs(1)), "RFC 6298 (2.1)");
//! b.on_listen_segment(t0, &syn, Seq(300));
//! let syn_ack = b.poll_transmit(t0).unwrap();
//! a.on_segment(t0, &syn_ack);
//! b.on_segment(t0, &a.poll_transmit(t0).unwrap());
//! assert_eq!((a.state(), b.state()), (State::Established, State::Established));
//! assert_eq!(a.poll_event(), Some(Event::Established));
//! assert_eq!(a.timer(Timer::Retransmit), None, "nothing outstanding");
//! ```

mod budget;
mod conform;
mod cookie;
mod event;
mod timers;

pub use event::{Event, Witness, Witnesses};
pub use timers::{Timer, Timers};

use super::congestion::{Congestion, initial_window};
use super::icmp::{IcmpError, IcmpVerdict, icmp_verdict};
use super::mechanisms::{Config, Mechanism, time_wait_duration};
use super::options::{TS_RECENT_LIFETIME, ts_clock};
use super::recovery::{Recovery, Resend};
use super::rto::{Rto, RttSampler};
use super::sack::{NextSegRule, RecoveryEvent, SackBlocks, SackReceiver, SackRecovery};
use super::segment::{Ctl, Segment, SegmentRef};
use super::seq::Seq;
use super::state::State;
use super::tcb::{Outputs, Signal, Tcb, UserError};
use super::window::send_mss;
use crate::ratelimit::TokenBucket;
use std::collections::VecDeque;
use std::time::Duration;

/// One TCP connection with everything RFC 9293 and the RFCs it requires decide for it.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct Connection {
    tcb: Tcb,
    cfg: Config,
    /// The send MSS: [`Config::mss`] until the peer's SYN says otherwise (§3.7.1).
    smss: u16,
    rto: Rto,
    sampler: RttSampler,
    recovery: Recovery,
    timers: Timers,
    /// Zero-window probes sent since the zero window began to hold text back.
    probes: u32,
    /// The challenge-ACK bucket (RFC 5961 §7), made full at the first challenge ACK when
    /// [`Config::challenge_ack_limit`] is set.
    challenge_acks: Option<TokenBucket>,
    /// Zero-window probes sent since the peer last sent an acceptable segment: RFC 6429
    /// counts these toward R2.
    unanswered_probes: u8,
    /// Keep-alive probes sent since the peer last sent an acceptable segment (§3.8.4).
    keep_alive_probes: u8,
    /// Text delivered and not yet read; the first `rx_read` octets are read.
    rx: Vec<u8>,
    rx_read: usize,
    transmit: VecDeque<Segment>,
    events: VecDeque<Event>,
    /// The buffers of a segment arrival's outputs, empty between inputs, so that an arrival
    /// allocates nothing for them.
    scratch: Outputs,
    /// The offset of the timestamp clock (RFC 7323 §5.4, §7.1), chosen by the host.
    ts_offset: u32,
    /// When TS.Recent was last set: it is valid for [`TS_RECENT_LIFETIME`] (RFC 7323 §5.5).
    ts_recent_at: Duration,
    /// The user closed with [`close_and_discard`](Connection::close_and_discard): received
    /// text will not be read, and text arriving now is answered with a RST (RFC 9293 §3.6,
    /// MAY-1, SHLD-3).
    discarding: bool,
    /// The congestion controller (RFC 5681, RFC 9438), from the end of the handshake when
    /// [`Config::congestion`] is set.
    cc: Option<Congestion>,
    /// SACK-based loss recovery of what we send (RFC 6675), with SACK negotiated.
    sack_tx: SackRecovery,
    /// The SACK blocks we report (RFC 2018 §4, RFC 2883), with SACK negotiated.
    sack_rx: SackReceiver,
    /// When text was last sent, for the restart after idle (RFC 5681 §4.1); kept only with
    /// congestion control.
    last_send: Duration,
    /// After a retransmission timeout with SACK: one past the highest octet resent since,
    /// and SND.NXT at the timeout, until SND.UNA reaches it (see `rto_transmit`).
    rto_rxt: Option<(Seq, Seq)>,
    /// The most octets the reassembly queue may hold, set by the host from its memory
    /// budget (`set_reassembly_allowance`); `None`: the window alone bounds it.
    reassembly_allowance: Option<usize>,
    /// From a SACK recovery's fast retransmit until the episode proves spurious or a later
    /// congestion event (a new recovery, a lost retransmission, a timeout) makes it moot:
    /// what `undo_check` needs.
    undo: Option<Undo>,
    /// With SACK: one past the highest octet resent, while SND.UNA is below it. A recovery
    /// whose hole lies below it is not judged spurious or not: an earlier copy may fill it.
    rxt_high: Option<Seq>,
    /// With SACK and congestion control: the least RTT measured (RFC 8985's RACK.min_RTT),
    /// which no retransmission can beat to its acknowledgment.
    min_rtt: Option<Duration>,
}

/// What a SACK recovery leaves for detecting that it was spurious (RFC 3708 §3) and undoing
/// it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
struct Undo {
    /// The first octet the fast retransmit resent.
    hole: Seq,
    /// RecoveryPoint + 1 of the episode.
    point: Seq,
    /// Segments the episode resent.
    retransmitted: u32,
    /// Segments of the episode the receiver reported as duplicates (D-SACK).
    dsacked: u32,
    /// Segments that arrived ahead of the hole's original, once an ACK has covered it.
    ahead: Option<u32>,
    /// When the fast retransmit left.
    sent_at: Duration,
    /// The congestion controller as it was before the recovery reduced it.
    prior: Option<Congestion>,
}

/// The numbers of a synchronized connection, for [`Connection::synchronized`].
#[derive(Clone, Copy, Debug)]
pub struct Synchronized {
    /// The state: ESTABLISHED, or another synchronized state reached from it.
    pub state: State,
    /// ISS; SND.UNA = SND.NXT = ISS + 1.
    pub iss: Seq,
    /// IRS; RCV.NXT = IRS + 1.
    pub irs: Seq,
    /// SND.WND, the peer's window.
    pub snd_wnd: u32,
    /// The peer's MSS option (`None`: 536).
    pub peer_mss: Option<u16>,
}

/// Octets the timestamps option takes in every segment, aligned (RFC 7323 §3.2: 10, after
/// two NOPs).
const TS_OPTION_LEN: usize = 12;

/// The MTU less the 40 octets of IP and TCP headers that every link carries: "Every internet
/// module must be able to forward a datagram of 68 octets without further fragmentation"
/// (RFC 791, Fragmentation), so the options of a segment have at least 28 octets.
const MIN_MTU_LESS_40: usize = 68 - 40;

/// The send MSS less the options every segment carries: Eff.snd.MSS of RFC 9293 §3.7.1,
/// whose TCPhdrsize includes the options (RFC 6691 §2), at least 1.
fn effective_mss(mss: u16, timestamps: bool) -> u16 {
    if timestamps {
        mss.saturating_sub(TS_OPTION_LEN as u16).max(1)
    } else {
        mss
    }
}

/// What an arriving segment acknowledged, for [`Connection::on_acknowledgment`].
#[derive(Clone, Copy)]
struct Acked {
    /// A duplicate ACK by RFC 5681 §2, judged before the segment was processed.
    duplicate: bool,
    /// SND.UNA moved.
    advanced: bool,
    /// Octets newly acknowledged.
    octets: u32,
    /// FlightSize before the segment.
    flight_before: u32,
    /// Whether the congestion window limited the sender before the segment.
    cwnd_limited: bool,
    /// The RTT sample of its timestamps (RFC 7323 §4), if it carried one.
    rtt: Option<Duration>,
}

/// What an input changed, for the timers.
#[derive(Clone, Copy)]
struct Before {
    snd_una: Seq,
    snd_nxt: Seq,
    rcv_nxt: Seq,
    state: State,
    /// An RTT measured from the echoed timestamp of the segment that arrived (RFC 7323 §4.1).
    ts_rtt: Option<Duration>,
}

impl Connection {
    /// Hashes everything two connections of one [`Config`] can differ in: the whole
    /// connection but its configuration, which [`Connection::new`] fixes for its lifetime,
    /// and its scratch buffers, empty between inputs. A model checker whose connections all
    /// run with one configuration identifies its states by this (`models::tcp::world::Peer`),
    /// and saves hashing the configuration's thirty-odd fields on every state it generates.
    pub fn hash_state<H: std::hash::Hasher>(&self, h: &mut H) {
        self.hash_fields(h, false);
    }

    /// Hashes what [`hash_state`](Self::hash_state) hashes but the values of time that only
    /// flow into deadlines: the RTO estimator (SRTT, RTTVAR, RTO and its backoff, RFC 6298),
    /// the RTT sampler (Karn's timed segment and SND.MAX), and the deadline of every armed
    /// timer but TIME-WAIT's, of which only whether it is armed is hashed. With a congestion
    /// controller, which reads SRTT, the idle time since the last send and the least RTT
    /// (RFC 5681 §4.1, RFC 9406, the spurious-recovery check), everything is hashed.
    ///
    /// For a checker whose time within a step is abstract, that fires an armed timer without
    /// reading its deadline and reads only TIME-WAIT's: without a congestion controller no
    /// rule reads these values but to compute another of them (`rto` feeds the retransmission
    /// and persist deadlines, the sampler feeds `rto`, a running deadline is kept or
    /// replaced), so two connections that differ only in them answer every input with the
    /// same segments, events and witnesses, and again differ only in them: the checker may
    /// take them for one state (`models::tcp::world::Reductions::untimed`).
    pub fn hash_untimed<H: std::hash::Hasher>(&self, h: &mut H) {
        self.hash_fields(h, self.cc.is_none());
    }

    fn hash_fields<H: std::hash::Hasher>(&self, h: &mut H, untimed: bool) {
        use std::hash::Hash;
        // Every field by name: a new one is a compile error here until it is hashed.
        let Connection {
            tcb,
            cfg: _,
            smss,
            rto,
            sampler,
            recovery,
            timers,
            probes,
            challenge_acks,
            unanswered_probes,
            keep_alive_probes,
            rx,
            rx_read,
            transmit,
            events,
            scratch: _,
            ts_offset,
            ts_recent_at,
            discarding,
            cc,
            sack_tx,
            sack_rx,
            last_send,
            rto_rxt,
            reassembly_allowance,
            undo,
            rxt_high,
            min_rtt,
        } = self;
        tcb.hash(h);
        smss.hash(h);
        if untimed {
            for t in Timer::ALL {
                match timers.get(t) {
                    d if t == Timer::TimeWait => d.hash(h),
                    d => d.is_some().hash(h),
                }
            }
        } else {
            rto.hash(h);
            sampler.hash(h);
            timers.hash(h);
            last_send.hash(h);
            min_rtt.hash(h);
        }
        recovery.hash(h);
        probes.hash(h);
        challenge_acks.hash(h);
        unanswered_probes.hash(h);
        keep_alive_probes.hash(h);
        rx.hash(h);
        rx_read.hash(h);
        transmit.hash(h);
        events.hash(h);
        ts_offset.hash(h);
        ts_recent_at.hash(h);
        discarding.hash(h);
        cc.hash(h);
        sack_tx.hash(h);
        sack_rx.hash(h);
        rto_rxt.hash(h);
        reassembly_allowance.hash(h);
        undo.hash(h);
        rxt_high.hash(h);
    }

    /// A connection in CLOSED ("no TCB").
    pub fn new(cfg: Config) -> Connection {
        Connection {
            tcb: Tcb::closed(),
            cfg,
            smss: cfg.mss,
            rto: Rto::new(cfg.rto),
            sampler: RttSampler::default(),
            recovery: Recovery::default(),
            timers: Timers::default(),
            probes: 0,
            challenge_acks: None,
            unanswered_probes: 0,
            keep_alive_probes: 0,
            rx: Vec::new(),
            rx_read: 0,
            transmit: VecDeque::new(),
            events: VecDeque::new(),
            scratch: Outputs::default(),
            ts_offset: 0,
            ts_recent_at: Duration::ZERO,
            discarding: false,
            cc: None,
            sack_tx: SackRecovery::default(),
            sack_rx: SackReceiver::default(),
            last_send: Duration::ZERO,
            rto_rxt: None,
            reassembly_allowance: None,
            undo: None,
            rxt_high: None,
            min_rtt: None,
        }
    }

    /// Sets the offset of this connection's timestamp clock (RFC 7323 §5.4; §7.1 asks for a
    /// random offset per connection, so that TSval does not reveal the host's clock), before
    /// the connection opens. TSval is the caller's clock in milliseconds plus this offset.
    pub fn set_timestamp_offset(&mut self, offset: u32) {
        self.ts_offset = offset;
    }

    /// A connection already synchronized with the given numbers, as if its handshake had just
    /// completed (SND.UNA = SND.NXT = ISS+1, RCV.NXT = IRS+1, nothing sent or received since):
    /// for tests and for reuse of the rules without a handshake. The state must be
    /// synchronized (ESTABLISHED, FIN-WAIT-2, CLOSE-WAIT ...); a state that needs a FIN
    /// exchanged is entered with the FIN numbers consumed as RFC 9293 §3.10 would have them.
    ///
    /// ```
    /// use std::time::Duration;
    /// use tcpip_spec::tcp::{Config, Connection, Segment, Seq, State, Synchronized};
    /// let now = Duration::ZERO;
    /// let mut b = Connection::synchronized(Config::default(), Synchronized {
    ///     state: State::Established, iss: Seq(300), irs: Seq(100), snd_wnd: 1000, peer_mss: None,
    /// });
    /// b.on_segment(now, &Segment::text(Seq(101), Seq(301), 1000, b"hi"));
    /// assert_eq!(b.read_to_vec(now), b"hi");
    /// assert_eq!(b.poll_transmit(now).unwrap().to_string(), "<SEQ=301><ACK=103><CTL=ACK>");
    /// ```
    pub fn synchronized(cfg: Config, s: Synchronized) -> Connection {
        let mut c = Connection::new(cfg);
        let fin_sent = matches!(
            s.state,
            State::FinWait1 | State::FinWait2 | State::Closing | State::LastAck | State::TimeWait
        );
        let fin_received = s.state.fin_received();
        let snd_nxt = s.iss + 1 + u32::from(fin_sent);
        let fin_acked = matches!(s.state, State::FinWait2 | State::TimeWait);
        c.tcb = Tcb {
            state: if s.state.is_synchronized() {
                s.state
            } else {
                State::Established
            },
            iss: s.iss,
            snd_una: if fin_acked { snd_nxt } else { s.iss + 1 },
            snd_nxt,
            snd_wnd: s.snd_wnd,
            snd_wl1: s.irs + 1,
            snd_wl2: s.iss + 1,
            irs: s.irs,
            rcv_nxt: s.irs + 1 + u32::from(fin_received),
            rcv_wnd: cfg.rcv_wnd,
            fin_sent,
            ..Tcb::closed()
        };
        c.smss = send_mss(s.peer_mss, cfg.mss);
        let now = Duration::ZERO;
        c.settle(
            now,
            Before {
                snd_una: c.tcb.snd_una,
                snd_nxt: c.tcb.snd_nxt,
                rcv_nxt: c.tcb.rcv_nxt,
                state: c.tcb.state,
                ts_rtt: None,
            },
            &mut Outputs::default(),
            &mut Witnesses::default(),
        );
        if c.tcb.state == State::TimeWait {
            c.timers.set(
                Timer::TimeWait,
                Some(now + time_wait_duration(cfg.msl, cfg.mechanisms)),
            );
        }
        c
    }

    /// The control block, read-only.
    pub fn tcb(&self) -> &Tcb {
        &self.tcb
    }

    /// The connection state.
    pub fn state(&self) -> State {
        self.tcb.state
    }

    /// The configuration it runs with.
    pub fn config(&self) -> &Config {
        &self.cfg
    }

    /// The send MSS in force.
    pub fn send_mss(&self) -> u16 {
        self.smss
    }

    /// The current retransmission timeout (RFC 6298).
    pub fn rto(&self) -> Duration {
        self.rto.rto()
    }

    /// The smoothed round-trip time, once measured.
    pub fn srtt(&self) -> Option<Duration> {
        self.rto.srtt()
    }

    /// The congestion controller, once the handshake is over and if [`Config::congestion`]
    /// is set.
    pub fn congestion(&self) -> Option<&Congestion> {
        self.cc.as_ref()
    }

    /// SACK-based loss recovery (RFC 6675) of what this connection sends.
    pub fn sack_recovery(&self) -> &SackRecovery {
        &self.sack_tx
    }

    /// Octets sent and not yet acknowledged: SND.NXT − SND.UNA once our SYN is acknowledged
    /// (FlightSize of RFC 5681 §2), 0 before.
    pub fn flight(&self) -> u32 {
        if self.tcb.syn_acked() && self.tcb.state != State::Closed {
            self.tcb.snd_nxt - self.tcb.snd_una
        } else {
            0
        }
    }

    /// The FlightSize a timeout's ssthresh is taken from (RFC 5681 §3.1 eq. (4), RFC 9438
    /// §4.8): SND.NXT − SND.UNA, but no more than cwnd. They differ only when a SACK recovery
    /// went on sending new data behind a lost retransmission (RFC 6675 §5 (C) rule (2)):
    /// then SND.NXT − SND.UNA counts much the receiver already holds, the network carried
    /// about cwnd, and an ssthresh from the larger figure sends slow start far past what the
    /// path carried. (RFC 5681 warns against cwnd where cwnd exceeds what was sent; the
    /// smaller of the two heeds that, and RFC 9438 §4.6 allows cwnd outright.)
    fn flight_at_timeout(&self) -> u32 {
        let flight = self.flight();
        self.cc.map_or(flight, |c| flight.min(c.cwnd()))
    }

    /// The most this connection may have in flight now by its congestion window, as every
    /// transition is given it in [`Config::cwnd`]: the controller's cwnd; before the
    /// controller exists (the handshake), the initial window; in SACK recovery, what is in
    /// flight, since there RFC 6675 §5 (C) decides what more goes out. `None` without
    /// congestion control or with [`Mechanism::CongestionWindow`] off.
    pub fn send_cap(&self) -> Option<u32> {
        self.cfg.congestion?;
        if !self.cfg.mechanisms.on(Mechanism::CongestionWindow) {
            return None;
        }
        Some(match &self.cc {
            None => self.initial_window(u32::from(self.smss)),
            Some(_) if self.sack_tx.in_recovery() => self.flight(),
            Some(c) => c.cwnd(),
        })
    }

    /// The initial window for a send MSS of `smss` ([`Config::initial_window`]).
    fn initial_window(&self, smss: u32) -> u32 {
        match self.cfg.initial_window {
            Some(segments) => segments.max(1).saturating_mul(smss),
            None => initial_window(smss),
        }
    }

    /// The deadline of timer `t`, if it is armed.
    pub fn timer(&self, t: Timer) -> Option<Duration> {
        self.timers.get(t)
    }

    /// Every timer's deadline.
    pub fn timers(&self) -> &Timers {
        &self.timers
    }

    /// Octets delivered and not yet read.
    pub fn recv_queued(&self) -> usize {
        self.rx.len() - self.rx_read
    }

    /// Octets in the send buffer: unacknowledged plus not yet sent.
    pub fn send_queued(&self) -> usize {
        self.tcb.send_buf.len()
    }

    /// Whether the connection is CLOSED (deleted, refused, reset or timed out) and has
    /// nothing left to send.
    pub fn is_closed(&self) -> bool {
        self.tcb.state == State::Closed && self.transmit.is_empty()
    }

    /// The configuration of one transition: the connection's, with the send MSS in force.
    fn rules(&self) -> Config {
        Config {
            mss: self.smss,
            cwnd: self.send_cap(),
            ..self.cfg
        }
    }

    /// Passive OPEN (§3.10.1): LISTEN.
    pub fn open_passive(&mut self, now: Duration) -> Result<(), UserError> {
        let cfg = self.rules();
        self.step(now, |tcb| tcb.open_passive(&cfg)).map(drop)
    }

    /// Active OPEN (§3.10.1) with the ISN `iss` (chosen as §3.4.1 says by the caller, who has
    /// the clock and the secret): a SYN goes out.
    pub fn open_active(&mut self, now: Duration, iss: Seq) -> Result<(), UserError> {
        self.smss = self.cfg.mss;
        let cfg = self.rules();
        self.step(now, |tcb| tcb.open_active(iss, &cfg)).map(drop)
    }

    /// SEND (§3.10.2): queues as much of `data` as the send buffer has room for, and sends
    /// what the window allows; returns how much was taken.
    pub fn send(&mut self, now: Duration, data: &[u8]) -> Result<usize, UserError> {
        let n = data
            .len()
            .min(self.cfg.snd_buf.saturating_sub(self.tcb.send_buf.len()));
        if let Some(c) = &mut self.cc
            && !self.tcb.has_unacked()
        {
            // RFC 5681 §4.1: after an idle period longer than an RTO, restart from (at
            // most) the initial window.
            let idle = now.saturating_sub(self.last_send);
            c.after_idle(now, idle, self.rto.rto(), u32::from(self.smss));
        }
        let cfg = self.rules();
        self.step(now, |tcb| tcb.send(&data[..n], &cfg))?;
        Ok(n)
    }

    /// RECEIVE (§3.10.3): moves delivered text into `buf` and returns how much. When reading
    /// opens the window enough (receiver silly-window avoidance, §3.8.6.2.2) a window update
    /// is queued.
    pub fn recv(&mut self, now: Duration, buf: &mut [u8]) -> usize {
        let unread = &self.rx[self.rx_read..];
        let n = buf.len().min(unread.len());
        buf[..n].copy_from_slice(&unread[..n]);
        self.consume(now, n);
        n
    }

    /// RECEIVE of everything delivered so far.
    pub fn read_to_vec(&mut self, now: Duration) -> Vec<u8> {
        let text = self.rx[self.rx_read..].to_vec();
        self.consume(now, text.len());
        text
    }

    fn consume(&mut self, now: Duration, n: usize) {
        self.rx_read += n;
        // Read text leaves the front when all is read, or in bulk once it is half the buffer:
        // each octet is moved at most once more.
        if self.rx_read == self.rx.len() {
            self.rx.clear();
            self.rx_read = 0;
        } else if self.rx_read >= self.rx.len() / 2 {
            self.rx.drain(..self.rx_read);
            self.rx_read = 0;
        }
        if n > 0 {
            let free = self.free_rx();
            let cap = self.cfg.rcv_wnd as usize;
            if let Some(seg) = self.tcb.window_update(free, cap, self.smss) {
                self.transmit.push_back(seg);
            }
            // A window update occupies no sequence space: no timer changes.
            let _ = now;
        }
    }

    /// RCV.WND never exceeds the free space of the receive buffer when a segment is judged
    /// (RFC 9293 §3.8.6: the window is what the receiver "is willing to accept"). RCV.WND is
    /// set to the free space whenever a segment offers it; text delivered since (with its
    /// acknowledgment deferred, §3.8.6.3) took space from the buffer and advanced RCV.NXT by
    /// as much, so lowering RCV.WND to the free space keeps the right edge where it was
    /// offered: the window does not shrink (§3.8.6.2.2), and text delivered and text held out
    /// of order together never exceed the buffer, since everything held lies below that edge.
    ///
    /// The window offered is the free space itself, not the free space less the octets held
    /// out of order: those octets lie inside the window already offered, so charging them
    /// again would move the right edge left while they are held, the shrinking that
    /// §3.8.6.2.2 asks a receiver not to do.
    fn keep_window_within_buffer(&mut self) {
        let free = u32::try_from(self.free_rx()).unwrap_or(u32::MAX);
        self.tcb.rcv_wnd = self.tcb.rcv_wnd.min(free);
    }

    /// Octets the receive buffer holds: delivered and unread, plus held out of order. Never
    /// more than [`Config::rcv_wnd`] (see `keep_window_within_buffer`).
    pub fn rx_memory(&self) -> usize {
        self.recv_queued() + self.tcb.rcv_queue.octets()
    }

    fn free_rx(&self) -> usize {
        (self.cfg.rcv_wnd as usize).saturating_sub(self.recv_queued())
    }

    /// CLOSE (§3.10.4): our FIN follows the queued text.
    pub fn close(&mut self, now: Duration) -> Result<(), UserError> {
        let cfg = self.rules();
        self.step(now, |tcb| tcb.close(&cfg)).map(drop)
    }

    /// CLOSE of a "half-duplex" close sequence (RFC 9293 §3.6, MAY-1): the user will neither
    /// send nor read any more. With received text still unread, or when text arrives later,
    /// the connection is reset instead, "to show that data was lost" (SHLD-3): ABORT's RST
    /// goes out and the connection is CLOSED. Otherwise it is [`close`](Self::close).
    pub fn close_and_discard(&mut self, now: Duration) -> Result<Witnesses, UserError> {
        if self.recv_queued() > 0 && self.tcb.state.is_synchronized() {
            let mut w = self.step(now, |tcb| tcb.abort())?;
            w.insert(Witness::UnreadDataReset);
            return Ok(w);
        }
        self.discarding = true;
        self.close(now).map(|()| Witnesses::default())
    }

    /// ABORT (§3.10.5): a RST where the RFC says so; the connection is CLOSED.
    pub fn abort(&mut self, now: Duration) -> Result<(), UserError> {
        self.step(now, |tcb| tcb.abort()).map(drop)
    }

    /// Runs a user call's transition.
    fn step(
        &mut self,
        now: Duration,
        f: impl FnOnce(&mut Tcb) -> Outputs,
    ) -> Result<Witnesses, UserError> {
        let before = self.before();
        let mut out = f(&mut self.tcb);
        let error = out.signals.iter().find_map(|s| match s {
            Signal::Error(e) => Some(*e),
            _ => None,
        });
        let mut w = Witnesses::default();
        self.settle(now, before, &mut out, &mut w);
        match error {
            Some(e) => Err(e),
            None => Ok(w),
        }
    }

    fn before(&self) -> Before {
        Before {
            snd_una: self.tcb.snd_una,
            snd_nxt: self.tcb.snd_nxt,
            rcv_nxt: self.tcb.rcv_nxt,
            state: self.tcb.state,
            ts_rtt: None,
        }
    }

    /// A segment arrives (§3.10.7) in any state but LISTEN, whose SYN needs an ISN: see
    /// [`on_listen_segment`](Self::on_listen_segment). In LISTEN a SYN given here is dropped
    /// (and witnessed as unacceptable); every other segment is handled as in LISTEN.
    ///
    /// Then loss recovery, when [`Config::fast_retransmit`] is on: the segment is judged a
    /// duplicate ACK against the TCB before it is processed (RFC 5681 §2), and the third
    /// duplicate, or a partial acknowledgment in recovery (RFC 6582 §3.2), resends the segment
    /// at SND.UNA.
    pub fn on_segment<'a>(&mut self, now: Duration, seg: impl Into<SegmentRef<'a>>) -> Witnesses {
        let seg = seg.into();
        if self.tcb.state == State::Listen && seg.has(Ctl::SYN) {
            let mut w = Witnesses::default();
            w.insert(Witness::Unacceptable);
            return w;
        }
        self.arrive(now, seg, Seq(0))
    }

    /// A segment arrives in LISTEN (§3.10.7.2); a SYN there starts the connection with the
    /// ISN `iss` (§3.4.1). In any other state this is [`on_segment`](Self::on_segment) and
    /// `iss` is unused.
    pub fn on_listen_segment<'a>(
        &mut self,
        now: Duration,
        seg: impl Into<SegmentRef<'a>>,
        iss: Seq,
    ) -> Witnesses {
        self.arrive(now, seg.into(), iss)
    }

    fn arrive(&mut self, now: Duration, seg: SegmentRef<'_>, iss: Seq) -> Witnesses {
        if self.over_reassembly_allowance(seg) {
            return Witnesses::of(Witness::ReassemblyBudget);
        }
        let mut cfg = self.rules();
        let opening = matches!(self.tcb.state, State::Listen | State::SynSent);
        if opening && seg.has(Ctl::SYN) {
            // Text queued before the handshake may go out in the step that completes it:
            // in segments of the send MSS this SYN sets, within the initial window of that
            // MSS (RFC 9293 §3.7.1, RFC 5681 §3.1).
            let ts = self.cfg.timestamps && seg.opt.timestamps.is_some();
            cfg.mss = effective_mss(send_mss(seg.mss, self.cfg.mss), ts);
            cfg.cwnd = cfg.cwnd.map(|_| self.initial_window(u32::from(cfg.mss)));
        }
        let smss = u32::from(self.smss);
        let flight_before = self.flight();
        let cwnd_limited = self
            .cc
            .is_some_and(|c| flight_before.saturating_add(smss) >= c.cwnd());
        let mut before = self.before();
        // RFC 7323 §5.5: TS.Recent is no longer valid after 24 days without an update.
        if self.tcb.ts_recent.is_some()
            && now.saturating_sub(self.ts_recent_at) > TS_RECENT_LIFETIME
        {
            self.tcb.ts_recent = None;
        }
        let recent = self.tcb.ts_recent;
        // RFC 7323 §4.1: an ACK's TSecr echoes the TSval of the segment it answers (in
        // SYN-SENT, of our SYN if it offered timestamps).
        let offered = self.tcb.state == State::SynSent && self.tcb.syn_opt.timestamps.is_some();
        if (self.tcb.ts_ok || offered)
            && seg.has(Ctl::ACK)
            && let Some(ts) = seg.opt.timestamps
        {
            let ms = ts_clock(self.ts_offset, now).wrapping_sub(ts.tsecr);
            if (ms as i32) >= 0 {
                before.ts_rtt = Some(Duration::from_millis(u64::from(ms)));
            }
        }
        let duplicate = cfg.fast_retransmit && self.tcb.is_duplicate_ack(seg, &cfg);
        self.keep_window_within_buffer();
        let owed = self.tcb.ack_delayed;
        let unread = self.rx.len();
        // The text is appended to the receive buffer in place.
        let mut out = std::mem::take(&mut self.scratch);
        out.delivered = std::mem::take(&mut self.rx);
        self.tcb.on_segment_into(seg, iss, &cfg, &mut out);
        self.rx = std::mem::take(&mut out.delivered);
        // The peer's MSS option is read from the SYN that synchronizes us (§3.7.1); the
        // timestamps option every segment then carries comes off it (Eff.snd.MSS counts the
        // TCP options, §3.7.1; RFC 6691).
        if opening && seg.has(Ctl::SYN) && !matches!(self.tcb.state, State::Listen | State::Closed)
        {
            self.smss = effective_mss(send_mss(seg.mss, self.cfg.mss), self.tcb.ts_ok);
        }
        let mut w = Witnesses::default();
        if out.has(Signal::ChallengeAck) && !self.allow_challenge_ack(now) {
            // The challenge ACK is the only segment of that step (RFC 5961 §3.2, §4.2).
            out.segments.clear();
            out.signals.retain(|s| *s != Signal::ChallengeAck);
            self.tcb.ack_delayed |= owed;
            w.insert(Witness::ChallengeAckLimited);
        }
        if self.tcb.ts_recent != recent {
            self.ts_recent_at = now;
        }
        if self.discarding && self.rx.len() > unread && self.tcb.state.is_synchronized() {
            // Text arrived after a half-duplex CLOSE: it will never be read (SHLD-3).
            self.rx.truncate(unread);
            out.segments.clear();
            out.segments.extend(self.tcb.abort().segments);
            w.insert(Witness::UnreadDataReset);
        }
        self.settle(now, before, &mut out, &mut w);
        if !w.has(Witness::Unacceptable) {
            self.heard(now);
        }
        // `settle` emptied the buffers; they serve the next arrival.
        self.scratch = out;
        if self.tcb.sack_ok {
            self.sack_received(seg, before.rcv_nxt, w);
        }
        if let Some(alg) = self.cfg.congestion
            && self.cc.is_none()
            && self.tcb.state.is_synchronized()
        {
            let iw = self.initial_window(u32::from(self.smss));
            self.cc = Some(Congestion::with_initial_window(alg, iw));
        }
        let acked = Acked {
            duplicate,
            advanced: self.tcb.snd_una != before.snd_una,
            octets: self.acked_octets(before.snd_una),
            flight_before,
            cwnd_limited,
            rtt: before.ts_rtt,
        };
        self.on_acknowledgment(now, seg, acked, &mut w);
        w
    }

    /// Octets (text and FIN) that SND.UNA has moved over since `snd_una`, the SYN not
    /// counted.
    fn acked_octets(&self, snd_una: Seq) -> u32 {
        if self.tcb.state == State::Closed || !self.tcb.syn_acked() {
            return 0;
        }
        let syn = u32::from(snd_una == self.tcb.iss) * Tcb::syn_len(&self.cfg);
        (self.tcb.snd_una - snd_una).saturating_sub(syn)
    }

    /// The receiver's side of SACK (RFC 2018 §4, RFC 2883 §4): text queued out of order
    /// makes the next ACK report its block first; text that was all received already makes
    /// it report a D-SACK block.
    fn sack_received(&mut self, seg: SegmentRef<'_>, rcv_nxt: Seq, w: Witnesses) {
        let end = seg.seq + seg.data.len() as u32;
        if w.has(Witness::Queued) {
            self.sack_rx.on_queued(seg.seq, end, &self.tcb.rcv_queue);
        } else if !seg.data.is_empty() && end.le(rcv_nxt) {
            self.sack_rx.on_duplicate(seg.seq, end);
        }
    }

    /// What an arriving acknowledgment does to loss recovery and the congestion window, and
    /// what more may then be sent:
    ///
    /// - with SACK negotiated and [`Config::fast_retransmit`], RFC 6675 §5: the scoreboard
    ///   learns the blocks; the ACK that starts recovery sets ssthresh and cwnd (step 4.2,
    ///   with the controller's response) and resends the first lost segment; in recovery,
    ///   `NextSeg ()` is sent while cwnd − pipe ≥ SMSS (C);
    /// - without SACK, RFC 5681 §3.2 with NewReno (RFC 6582 §3.2): the third duplicate ACK
    ///   resends the segment at SND.UNA and enters fast recovery (cwnd = ssthresh + 3·SMSS,
    ///   inflated by each further duplicate, deflated by partial ACKs, ended by the full ACK);
    /// - otherwise, an ACK of new data grows cwnd (slow start or congestion avoidance, RFC
    ///   5681 §3.1, RFC 9438 §4); then whatever the window now allows is sent.
    fn on_acknowledgment(
        &mut self,
        now: Duration,
        seg: SegmentRef<'_>,
        a: Acked,
        w: &mut Witnesses,
    ) {
        if !self.tcb.state.is_synchronized() || !seg.has(Ctl::ACK) {
            return;
        }
        let smss = u32::from(self.smss);
        let srtt = self.rto.srtt();
        let before = self.before();
        let mut out = Outputs::default();
        if a.octets > 0
            && let Some(c) = &mut self.cc
        {
            // RFC 9406: HyStart++ rounds and RTT samples of ACKs of data (CUBIC's slow
            // start only).
            c.on_round_sample(self.tcb.snd_una.0, self.tcb.snd_nxt.0, a.rtt);
        }
        if self.tcb.sack_ok && self.cfg.fast_retransmit {
            // RFC 6675 §4 `Update ()`: the blocks go into the scoreboard, unless the ablation
            // `sack-scoreboard` has the sender ignore them.
            if a.advanced {
                self.forget_old_retransmissions();
            }
            let none = SackBlocks::new();
            let blocks = if self.cfg.mechanisms.on(Mechanism::SackScoreboard) {
                &seg.opt.sack
            } else {
                &none
            };
            let r = self.sack_tx.on_ack(
                seg.ack,
                self.tcb.snd_una,
                a.advanced,
                self.tcb.snd_nxt,
                blocks,
                smss,
            );
            self.undo_check(now, seg, blocks, r.info.dsack, w);
            if r.event == Some(RecoveryEvent::RetransmissionLost) {
                // A lost retransmission proves a real loss: nothing to undo.
                self.undo = None;
                // Data sent after the retransmissions arrived and they did not: congestion
                // went on after the reduction, a new congestion event (RFC 5681 §3.1's
                // response, from what the window let into the network).
                let flight = self.flight_at_timeout();
                if let Some(c) = &mut self.cc {
                    c.on_congestion_event(flight, smss);
                }
                w.insert(Witness::RetransmissionLost);
            }
            if let Some(RecoveryEvent::Entered { retransmit }) = r.event {
                let prior = self.cc;
                if let Some(c) = &mut self.cc {
                    c.on_congestion_event(a.flight_before, smss);
                }
                let cfg = self.rules();
                if let Some(s) = self
                    .tcb
                    .retransmit_range(retransmit.seq, retransmit.len, &cfg)
                {
                    out.segments.push(s);
                    w.insert(Witness::FastRetransmit);
                    // A hole resent before (by an earlier recovery or after a timeout) may
                    // be filled by that copy at any time: nothing could be told apart.
                    let fresh = self.rxt_high.is_none_or(|h| !retransmit.seq.lt(h));
                    self.undo = (self.cc.is_some() && fresh).then_some(Undo {
                        sent_at: now,
                        hole: retransmit.seq,
                        point: self.sack_tx.recovery_point().unwrap_or(self.tcb.snd_nxt),
                        retransmitted: 1,
                        dsacked: 0,
                        ahead: None,
                        prior,
                    });
                }
            } else if a.advanced
                && !self.sack_tx.in_recovery()
                && let Some(c) = &mut self.cc
            {
                c.on_ack(now, a.octets, smss, srtt, a.cwnd_limited);
            }
            if self.sack_tx.in_recovery() {
                self.sack_transmit(&mut out, w);
            } else {
                self.rto_transmit(&mut out, w);
            }
        } else if self.cfg.fast_retransmit {
            let was_recovering = self.recovery.in_recovery();
            let why = self.recovery.on_ack(a.duplicate, a.advanced, &self.tcb);
            let flight = self.flight();
            if let Some(c) = &mut self.cc {
                let recovering = c.in_fast_recovery();
                match why {
                    Some(Resend::FastRetransmit) => {
                        c.on_congestion_event(a.flight_before, smss);
                        c.enter_fast_recovery(smss);
                    }
                    Some(Resend::PartialAck) if recovering => c.on_partial_ack(a.octets, smss),
                    _ if recovering && was_recovering && !self.recovery.in_recovery() => {
                        c.exit_fast_recovery(flight, smss)
                    }
                    _ if recovering && a.duplicate => c.on_duplicate_in_recovery(smss),
                    _ if a.advanced => c.on_ack(now, a.octets, smss, srtt, a.cwnd_limited),
                    _ => {}
                }
            }
            if let Some(why) = why {
                let cfg = self.rules();
                let resent = self.tcb.fast_retransmit(&cfg);
                if !resent.segments.is_empty() {
                    w.insert(match why {
                        Resend::FastRetransmit => Witness::FastRetransmit,
                        Resend::PartialAck => Witness::PartialAckRetransmit,
                    });
                }
                out.segments.extend(resent.segments);
            }
        } else if a.advanced
            && let Some(c) = &mut self.cc
        {
            c.on_ack(now, a.octets, smss, srtt, a.cwnd_limited);
        }
        if self.cc.is_some() {
            // The step sent what the window allowed before this ACK's response; now what it
            // allows after.
            let cfg = self.rules();
            self.tcb.transmit(&cfg, &mut out);
        }
        if !out.segments.is_empty() {
            // Nothing sent, nothing changed that the timers read.
            self.settle(now, before, &mut out, w);
        }
    }

    /// After a retransmission timeout with SACK (RFC 6675 §5.1, RFC 5681 §3.1): SND.NXT is
    /// not pulled back, but every octet sent before the timeout and not SACKed is taken as
    /// lost, as the go-back-N of RFC 5681 would resend it; the holes are resent in order, the
    /// SACKed ranges skipped (RFC 6675 §5.1: the scoreboard goes on learning), while the
    /// octets resent since the timeout and not yet acknowledged or SACKed leave room in cwnd
    /// for one more segment (slow start regrows cwnd from the loss window). This lasts until
    /// SND.UNA reaches the recovery point the timeout set; a later loss there is again the
    /// timer's. Without it, each further hole of the window cost another backed-off timeout.
    fn rto_transmit(&mut self, out: &mut Outputs, w: &mut Witnesses) {
        let Some((mut rxt, point)) = self.rto_rxt else {
            return;
        };
        let cwnd = self.cc.map_or(u32::MAX, |c| c.cwnd());
        let limit = self.cfg.mechanisms.on(Mechanism::CongestionWindow);
        let smss = u32::from(self.smss);
        for _ in 0..64 {
            let una = self.tcb.snd_una;
            if !una.lt(point) {
                self.rto_rxt = None;
                return;
            }
            if rxt.lt(una) {
                rxt = una;
            }
            let board = self.sack_tx.scoreboard();
            let pipe = (rxt - una).saturating_sub(board.sacked_within(una, rxt));
            if limit && pipe.saturating_add(smss) > cwnd {
                break;
            }
            let Some((start, end)) = board.next_unsacked(rxt, point, smss) else {
                break;
            };
            let cfg = self.rules();
            let Some(s) = self.tcb.retransmit_range(start, end - start, &cfg) else {
                break;
            };
            rxt = s.seq + s.len_with(true);
            out.segments.push(s);
            w.insert(Witness::SackRetransmit);
        }
        self.rto_rxt = Some((rxt, point));
    }

    /// `rxt_high` is dropped once SND.UNA reaches it: every octet resent is acknowledged.
    fn forget_old_retransmissions(&mut self) {
        if self.rxt_high.is_some_and(|h| !self.tcb.snd_una.lt(h)) {
            self.rxt_high = None;
        }
    }

    /// The detection of a spurious SACK recovery, at each ACK while an episode's record is
    /// kept, two ways:
    ///
    /// - by time (RFC 8985 §6.2 step 2's reasoning): the first ACK to move SND.UNA past the
    ///   octet the fast retransmit resent came back sooner than the least RTT measured after
    ///   the retransmission left, so it answers the original, which had been reordered;
    /// - by D-SACK (RFC 3708 §3): the receiver reported every segment the episode resent as
    ///   a duplicate (a D-SACK block between the hole and RecoveryPoint, RFC 2883).
    ///
    /// The first ACK past the hole also measures how many segments arrived ahead of it (those
    /// it acknowledges or SACKs beyond the hole). The response: what recovery remains ends as
    /// if it had never begun ([`SackRecovery::on_spurious`], which also raises DupThresh to
    /// the reordering measured), and the congestion controller returns to its state before
    /// the reduction (RFC 9438 §4.9; RFC 4015 §3.2 likewise after a spurious timeout).
    ///
    /// Timestamps (RFC 3522's Eifel detection) are not used: that needs a receiver that
    /// echoes the TSval of the segment that filled the gap, and against Linux receivers the
    /// goodput bench saw recoveries after real losses undone by it. A network that duplicates
    /// an original within the episode can fake a D-SACK (RFC 3708 §5).
    fn undo_check(
        &mut self,
        now: Duration,
        seg: SegmentRef<'_>,
        blocks: &SackBlocks,
        dsack: Option<(Seq, Seq)>,
        w: &mut Witnesses,
    ) {
        let smss = u32::from(self.smss).max(1);
        let una = self.tcb.snd_una;
        let Some(u) = &mut self.undo else {
            return;
        };
        // The ACK of the original came back sooner than any retransmission could.
        let mut too_soon = false;
        if u.ahead.is_none() && una.gt(u.hole) {
            let highest = blocks
                .iter()
                .map(|(_, r)| r)
                .fold(seg.ack, |a, b| if a.lt(b) { b } else { a });
            let first_end = u.hole + smss;
            u.ahead = Some(if first_end.lt(highest) {
                (highest - first_end).div_ceil(smss)
            } else {
                0
            });
            too_soon = self
                .min_rtt
                .is_some_and(|m| now.saturating_sub(u.sent_at) < m);
        }
        if let Some((l, r)) = dsack
            && u.hole.le(l)
            && r.le(u.point)
            && l.lt(r)
        {
            u.dsacked = u.dsacked.saturating_add((r - l).div_ceil(smss));
        }
        if !too_soon && u.dsacked < u.retransmitted {
            return;
        }
        let (ahead, prior) = (u.ahead.unwrap_or(0), u.prior);
        self.undo = None;
        self.sack_tx.on_spurious(ahead);
        if prior.is_some() {
            self.cc = prior;
        }
        w.insert(Witness::SpuriousRecovery);
    }

    /// RFC 6675 §5 (C): in recovery, while cwnd − pipe ≥ 1 SMSS, send `NextSeg ()` (a lost
    /// hole, new data, an unSACKed segment, the rescue) and record it (C.2). Without
    /// [`Mechanism::CongestionWindow`], or without congestion control, the pipe is not
    /// consulted. At most 64 segments per ACK.
    fn sack_transmit(&mut self, out: &mut Outputs, w: &mut Witnesses) {
        // Without congestion control, only the peer's window limits what goes out.
        let cwnd = self.cc.map(|c| c.cwnd());
        let limit = self.cfg.mechanisms.on(Mechanism::CongestionWindow) && cwnd.is_some();
        let cwnd = cwnd.unwrap_or(u32::MAX);
        let smss = u32::from(self.smss);
        for _ in 0..64 {
            let t = &self.tcb;
            let pipe = self.sack_tx.pipe(t.snd_una, t.snd_nxt, smss);
            if limit && pipe.saturating_add(smss) > cwnd {
                break;
            }
            let window_end = t.snd_una + t.snd_wnd;
            let room = if t.snd_nxt.lt(window_end) {
                window_end - t.snd_nxt
            } else {
                0
            };
            let unsent = (t.send_buf.len() - t.sent_len()) as u32;
            let new_data = if t.fin_sent { 0 } else { unsent.min(room) };
            let Some(next) = self.sack_tx.next_seg(t.snd_una, t.snd_nxt, new_data, smss) else {
                break;
            };
            let cfg = self.rules();
            let sent = if next.rule == NextSegRule::NewData {
                let one = Config {
                    cwnd: Some(self.flight().saturating_add(next.len)),
                    ..cfg
                };
                self.tcb.transmit(&one, out)
            } else if let Some(s) = self.tcb.retransmit_range(next.seq, next.len, &cfg) {
                if let Some(u) = &mut self.undo {
                    u.retransmitted = u
                        .retransmitted
                        .saturating_add(s.len_with(false).div_ceil(smss));
                }
                out.segments.push(s);
                w.insert(Witness::SackRetransmit);
                true
            } else {
                false
            };
            if !sent {
                break;
            }
            self.sack_tx.on_sent(&next, self.tcb.snd_nxt);
        }
    }

    /// Whether a challenge ACK may be sent at `now` (RFC 5961 §7, [`Config::challenge_ack_limit`]);
    /// if so, its token is taken.
    fn allow_challenge_ack(&mut self, now: Duration) -> bool {
        let Some(rate) = self.cfg.challenge_ack_limit else {
            return true;
        };
        self.challenge_acks
            .get_or_insert_with(|| TokenBucket::new(rate, now))
            .allow(now)
    }

    /// An ICMP error quoting one of this connection's segments arrives (RFC 1122 §4.2.3.9,
    /// RFC 5927; the rules are in [`icmp_verdict`](crate::tcp::icmp_verdict)): the host
    /// found the connection by the quoted 4-tuple and passes the quoted sequence number.
    /// "Fragmentation needed" about a segment in flight lowers the send MSS and resends the
    /// segment at SND.UNA at once; port or protocol unreachable about our SYN refuses the
    /// connection; a soft error changes nothing but is reported to the user
    /// ([`Event::SoftError`]).
    pub fn on_icmp_error(&mut self, now: Duration, err: IcmpError, quoted_seq: Seq) -> Witnesses {
        let mut w = Witnesses::default();
        let before = self.before();
        let mut out = Outputs::default();
        match icmp_verdict(&self.tcb, self.smss, err, quoted_seq) {
            IcmpVerdict::Ignored => w.insert(Witness::IcmpIgnored),
            IcmpVerdict::Soft => {
                w.insert(Witness::IcmpSoftError);
                self.events.push_back(Event::SoftError(err));
            }
            IcmpVerdict::LowerMss(mss) => {
                if let Some(c) = &mut self.cc {
                    c.set_smss(u32::from(self.smss), u32::from(mss));
                }
                self.smss = mss;
                w.insert(Witness::MssLowered);
                if self.tcb.syn_acked() && self.tcb.has_unacked() {
                    // RFC 1191 §6.5: the router dropped it; send it again in the new size,
                    // without backing the timer off or counting toward R2.
                    let cfg = self.rules();
                    out.segments.push(self.tcb.earliest_unacked_segment(&cfg));
                }
            }
            IcmpVerdict::Refuse => {
                self.tcb.delete();
                out.signals.push(Signal::Refused);
                w.insert(Witness::IcmpRefused);
            }
        }
        self.settle(now, before, &mut out, &mut w);
        w
    }

    /// The peer sent an acceptable segment: it answered every probe (RFC 6429 counts only
    /// unanswered zero-window probes toward R2; §3.8.4: any segment answers a keep-alive),
    /// and the keep-alive idle time starts again.
    fn heard(&mut self, now: Duration) {
        self.unanswered_probes = 0;
        self.keep_alive_probes = 0;
        if let (Some(k), Some(_)) = (self.cfg.keep_alive, self.timers.get(Timer::KeepAlive)) {
            self.timers.set(Timer::KeepAlive, Some(now + k.idle));
        }
    }

    /// Fires every timer that is due at `now`, in the order of [`Timer::ALL`].
    pub fn handle_timeout(&mut self, now: Duration) -> Witnesses {
        let mut w = Witnesses::default();
        for t in Timer::ALL {
            if self.timers.due(t, now) {
                for x in self.expire(now, t).iter() {
                    w.insert(x);
                }
            }
        }
        w
    }

    /// Timer `t` fires, if it is armed: its deadline is taken to have been reached. A clock
    /// reaches a deadline through [`handle_timeout`](Self::handle_timeout); a model checker,
    /// whose time within a tick is abstract, fires an armed timer directly.
    pub fn expire(&mut self, now: Duration, t: Timer) -> Witnesses {
        let mut w = Witnesses::default();
        if self.timers.get(t).is_none() {
            return w;
        }
        self.timers.set(t, None);
        let before = self.before();
        let cfg = self.rules();
        let mut out = match t {
            Timer::Retransmit => {
                // RFC 6298 (5.5): back off; (5.4): resend the earliest unacknowledged segment.
                let flight = self.flight_at_timeout();
                let first = self.tcb.retransmits == 0;
                self.rto.backoff(!self.tcb.syn_acked());
                let out = self.tcb.on_retransmit_timeout(&cfg);
                if out.has(Signal::Retransmitted) {
                    // RFC 5681 §3.1: ssthresh from FlightSize (on the first timeout of the
                    // segment), cwnd the loss window; RFC 6675 §5.1.
                    if let Some(c) = &mut self.cc {
                        c.on_retransmit_timeout(flight, u32::from(self.smss), first);
                    }
                    self.sack_tx.on_retransmit_timeout(self.tcb.snd_nxt);
                    self.undo = None;
                    if self.tcb.sack_ok && self.tcb.syn_acked() {
                        // The segment at SND.UNA was just resent (`rto_transmit`).
                        let resent = out.segments.first().map_or(0, |s| s.len_with(true));
                        self.rto_rxt = Some((self.tcb.snd_una + resent, self.tcb.snd_nxt));
                    }
                }
                if out.has(Signal::Retransmitted) && cfg.fast_retransmit {
                    self.recovery.on_retransmit_timeout(&self.tcb);
                }
                if out.has(Signal::Retransmitted) && self.tcb.retransmits == cfg.r1 {
                    w.insert(Witness::R1Reached);
                    self.events.push_back(Event::DeliveryProblem);
                }
                out
            }
            Timer::Persist if self.unanswered_probes >= cfg.max_retransmits => {
                // RFC 6429 §2: unanswered probes count toward R2 (§3.8.3), as retransmissions
                // do; a peer that answers (with a zero window) is probed for as long as it does.
                w.insert(Witness::ProbesUnanswered);
                self.tcb.give_up()
            }
            Timer::Persist => {
                self.probes = self.probes.saturating_add(1);
                let out = self.tcb.window_probe();
                if !out.segments.is_empty() {
                    self.unanswered_probes = self.unanswered_probes.saturating_add(1);
                    w.insert(Witness::WindowProbe);
                }
                out
            }
            Timer::FinWait2 => {
                let out = self.tcb.on_fin_wait_2_timeout();
                if out.has(Signal::TimedOut) {
                    w.insert(Witness::FinWait2Timeout);
                }
                out
            }
            Timer::KeepAlive => match cfg.keep_alive {
                Some(k) if self.keep_alive_probes >= k.probes => {
                    w.insert(Witness::ProbesUnanswered);
                    self.tcb.give_up()
                }
                Some(_) => {
                    let out = self.tcb.keep_alive_probe();
                    if !out.segments.is_empty() {
                        self.keep_alive_probes = self.keep_alive_probes.saturating_add(1);
                        w.insert(Witness::KeepAliveProbe);
                    }
                    out
                }
                None => Outputs::default(),
            },
            Timer::DelayedAck => self.tcb.on_delayed_ack_timeout(),
            Timer::TimeWait => self.tcb.on_time_wait_timeout(),
        };
        self.settle(now, before, &mut out, &mut w);
        if let Some(k) = cfg.keep_alive
            && w.has(Witness::KeepAliveProbe)
            && self.timers.get(Timer::KeepAlive).is_some()
        {
            // The next probe follows an interval after this one (§3.8.4, MUST-27).
            self.timers.set(Timer::KeepAlive, Some(now + k.interval));
        }
        w
    }

    /// A tail loss probe's retransmission (RFC 8985 §7.3): when no new text can be sent, "the
    /// sender MUST ... retransmit the most recently sent segment". These rules do not run
    /// RACK-TLP (REPORT.md lists it among what is left out): nothing here calls this, and
    /// no timer of this connection fires it. It is the rule for a judge of a peer that runs
    /// TLP (`conform --profile linux`, allowance `tail-loss-probe`): the segment sent last
    /// began at `seq` (the capture shows where) and ends at SND.NXT, FIN included if sent;
    /// it is resent without changing the congestion state (§7.3: the probe is sent as a
    /// retransmission, and loss is inferred only later). False, sending nothing, when
    /// `seq..SND.NXT` is not a sent and unacknowledged tail of at most one MSS.
    pub fn probe_tail(&mut self, now: Duration, seq: Seq) -> bool {
        let t = &self.tcb;
        if !t.syn_acked() || !seq.ge(t.snd_una) || !seq.lt(t.snd_nxt) {
            return false;
        }
        let fin = u32::from(t.fin_sent);
        let len = (t.snd_nxt - seq).saturating_sub(fin);
        if len > u32::from(self.smss) {
            return false;
        }
        let before = self.before();
        let cfg = self.rules();
        let Some(s) = self.tcb.retransmit_range(seq, len.max(fin), &cfg) else {
            return false;
        };
        let mut out = Outputs::default();
        out.segments.push(s);
        let mut w = Witnesses::default();
        self.settle(now, before, &mut out, &mut w);
        true
    }

    /// Files a transition's outputs and sets every timer from the result: RTT samples (Karn,
    /// RFC 6298 §3), the end of the handshake (§5.7), the retransmission timer (§5.1–5.3), the
    /// persist timer and its probe count (RFC 9293 §3.8.6.1), the delayed-ACK timer
    /// (§3.8.6.3), TIME-WAIT's 2·MSL (§3.6), the user's events. Text delivered is already in
    /// the receive buffer.
    fn settle(&mut self, now: Duration, before: Before, out: &mut Outputs, w: &mut Witnesses) {
        self.rx.extend_from_slice(&out.delivered);
        for s in out.signals.drain(..) {
            if let Some(e) = Event::of(s) {
                self.events.push_back(e);
            } else if let Some(x) = Witness::of(s) {
                w.insert(x);
            }
        }
        let cfg = self.cfg;
        let tcb = &self.tcb;
        let live = tcb.state != State::Closed;
        let acked_new = live && tcb.snd_una != before.snd_una;
        if acked_new {
            let karn = self.sampler.on_ack(tcb.snd_una, now);
            if let Some(rtt) = before.ts_rtt.or(karn) {
                self.rto.on_sample(rtt);
                if self.tcb.sack_ok && self.cc.is_some() {
                    self.min_rtt = Some(self.min_rtt.map_or(rtt, |m| m.min(rtt)));
                }
            }
        }
        let syn_occupies = cfg.mechanisms.on(Mechanism::SynSequenceNumber);
        let mut sent = false;
        if self.cc.is_some() && out.segments.iter().any(|s| !s.data.is_empty()) {
            self.last_send = now;
        }
        for seg in &out.segments {
            let len = seg.len_with(syn_occupies);
            sent |= len > 0;
            if self.tcb.sack_ok && len > 0 && seg.seq.lt(before.snd_nxt) {
                let end = seg.seq + len;
                self.rxt_high = Some(
                    self.rxt_high
                        .map_or(end, |h| if h.lt(end) { end } else { h }),
                );
            }
            if live {
                self.sampler.on_send(seg.seq, seg.seq + len, now);
            }
        }
        let opening = matches!(before.state, State::SynSent | State::SynReceived);
        let open = !matches!(
            tcb.state,
            State::SynSent | State::SynReceived | State::Listen | State::Closed
        );
        if opening && open {
            self.rto.handshake_done();
        }
        let t = &mut self.timers;
        t.set(
            Timer::Retransmit,
            timers::retransmit_deadline(
                t.get(Timer::Retransmit),
                tcb.may_retransmit(&cfg),
                acked_new,
                sent,
                cfg.mechanisms.on(Mechanism::RtoRestart),
                now,
                self.rto.rto(),
            ),
        );
        let blocked = tcb.zero_window_blocked();
        if !blocked {
            self.probes = 0;
        }
        let interval = self.rto.probe_interval(self.probes);
        t.set(
            Timer::Persist,
            timers::probe_deadline(t.get(Timer::Persist), blocked, now, interval),
        );
        t.set(
            Timer::DelayedAck,
            timers::delayed_ack_deadline(
                t.get(Timer::DelayedAck),
                tcb.ack_delayed(),
                now,
                cfg.ack_delay,
            ),
        );
        t.set(
            Timer::FinWait2,
            timers::fin_wait_2_deadline(
                t.get(Timer::FinWait2),
                cfg.fin_wait_2_timeout
                    .filter(|_| tcb.state == State::FinWait2),
                before.state != State::FinWait2 || tcb.rcv_nxt != before.rcv_nxt,
                now,
            ),
        );
        let idle = matches!(tcb.state, State::Established | State::CloseWait)
            && !tcb.has_unacked()
            && !blocked;
        let keep_alive = cfg.keep_alive.filter(|_| idle);
        if keep_alive.is_none() {
            self.keep_alive_probes = 0;
        }
        t.set(
            Timer::KeepAlive,
            keep_alive.map(|k| t.get(Timer::KeepAlive).unwrap_or(now + k.idle)),
        );
        if w.has(Witness::TimeWaitStarted) && tcb.state == State::TimeWait {
            let d = time_wait_duration(cfg.msl, cfg.mechanisms);
            t.set(Timer::TimeWait, Some(now + d));
        } else if tcb.state != State::TimeWait {
            t.set(Timer::TimeWait, None);
        }
        self.transmit.extend(out.segments.drain(..));
    }

    /// The next segment to send. The window it offers (and RCV.WND) is the free space of the
    /// receive buffer now (§3.8.6.2.2); a SYN carries our MSS option (§3.7.1, MUST-14).
    pub fn poll_transmit(&mut self, now: Duration) -> Option<Segment> {
        let mut seg = self.transmit.pop_front()?;
        if seg.has(Ctl::ACK) {
            let free = self.free_rx();
            self.tcb.offer_window(free, std::slice::from_mut(&mut seg));
        }
        if seg.has(Ctl::SYN) {
            seg.mss = Some(self.cfg.mss);
        }
        if let Some(ts) = &mut seg.opt.timestamps {
            ts.tsval = ts_clock(self.ts_offset, now);
        }
        if self.tcb.sack_ok && seg.has(Ctl::ACK) && !seg.has(Ctl::SYN) && !seg.has(Ctl::RST) {
            // RFC 2018 §4: every ACK while text is held out of order; 3 blocks fit beside
            // timestamps, 4 without, and only as many as leave the datagram within our MTU
            // (the MSS we advertise is MTU − 40, RFC 6691), which is at least the 68 octets
            // every link carries (RFC 791): an MSS below 28 (the models' one-octet
            // segments) still leaves a bare ACK room for three blocks.
            let ts = if self.tcb.ts_ok { TS_OPTION_LEN } else { 0 };
            let mtu_less_40 = usize::from(self.cfg.mss).max(MIN_MTU_LESS_40);
            let room = mtu_less_40.saturating_sub(seg.data.len() + ts);
            let fit = room.saturating_sub(4) / 8;
            let max = if self.tcb.ts_ok { 3 } else { 4 }.min(fit);
            seg.opt.sack = self
                .sack_rx
                .blocks(self.tcb.rcv_nxt, &self.tcb.rcv_queue, max);
        }
        Some(seg)
    }

    /// The earliest deadline of an armed timer: call [`handle_timeout`](Self::handle_timeout)
    /// then.
    pub fn poll_timeout(&self) -> Option<Duration> {
        self.timers.earliest()
    }

    /// The next event for the user.
    pub fn poll_event(&mut self) -> Option<Event> {
        self.events.pop_front()
    }

    /// Moves the origin of time `elapsed` later: every instant the connection holds (timer
    /// deadlines, the send time of the segment being timed) becomes that much earlier, at
    /// least zero. Behaviour depends on differences of instants only, so a caller that keeps
    /// its own clock at zero, as the model checker does to keep equal states equal, calls
    /// this when time passes and passes `now = 0`. A deadline already due stays due; an RTT
    /// measurement that spans the move is shortened (a model's RTTs are abstract anyway).
    pub fn rebase(&mut self, elapsed: Duration) {
        self.timers.rebase(elapsed);
        self.sampler.rebase(elapsed);
        self.ts_recent_at = self.ts_recent_at.saturating_sub(elapsed);
        self.last_send = self.last_send.saturating_sub(elapsed);
        if let Some(u) = &mut self.undo {
            u.sent_at = u.sent_at.saturating_sub(elapsed);
        }
        if let Some(c) = &mut self.cc {
            c.rebase(elapsed);
        }
    }
}

impl Default for Connection {
    fn default() -> Connection {
        Connection::new(Config::default())
    }
}

#[cfg(test)]
mod tests;
