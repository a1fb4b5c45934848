//! TCP segment arrival, transition outputs and timers of the host (RFC 9293 §3.10.7,
//! §3.10.8; RFC 6298 §5). Arriving segments are demultiplexed by [`tcp::demux`]; a segment for
//! a listening port is given to a fresh [`Tcb`] in LISTEN, which decides whether a connection
//! starts; a segment for no connection is answered as [`tcp::reset_for`] says. Every
//! transition's outputs pass through `Host::after`.

use super::tcp::TcpHandle;
use super::{Host, SocketEvent};
use crate::tcp::{
    self, Config, Ctl, Event, FourTuple, Mechanism, Outputs, Resend, Segment, SegmentRef, Seq,
    State, Target, Tcb,
};
use crate::wire::{self, IpProtocol};
use std::cmp::Reverse;
use std::net::SocketAddrV4;
use std::time::Duration;

/// What a transition changed, for the RTT sampler, the timers and the handshake's end.
pub(super) struct Before {
    snd_una: Seq,
    state: State,
}

impl Before {
    pub(super) fn of(tcb: &Tcb) -> Before {
        Before {
            snd_una: tcb.snd_una,
            state: tcb.state,
        }
    }
}

/// Where a transition put the text it delivered.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Delivered {
    /// Appended to the receive buffer, lent to it as `Outputs::delivered`.
    IntoRx,
    /// In `Outputs::delivered` alone.
    Separately,
}

impl From<Ctl> for wire::tcp::Flags {
    /// The header flags of a segment's control bits.
    fn from(ctl: Ctl) -> wire::tcp::Flags {
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
}

impl From<wire::tcp::Flags> for Ctl {
    /// The control bits the connection machine reads from a header's flags.
    fn from(f: wire::tcp::Flags) -> Ctl {
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
}

impl Host {
    pub(super) fn tcp_input(&mut self, hdr: &wire::ipv4::Repr, payload: &[u8]) {
        let (repr, data) = match wire::tcp::Repr::parse_bytes(payload, hdr.src_addr, hdr.dst_addr) {
            Ok(x) => x,
            Err(e) => return self.count(e),
        };
        // The text stays where it lies in the packet: the connection machine reads it there.
        let seg = SegmentRef {
            seq: Seq(repr.seq),
            ack: Seq(repr.ack),
            ctl: Ctl::from(repr.flags),
            wnd: repr.window,
            data,
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
            Target::Connection(h) => self.connection_segment(h, seg, repr.mss),
            Target::Listener => self.listener_segment(tuple, seg, repr.mss),
            Target::Closed => {
                self.counters.no_socket += 1;
                if let Some(rst) = tcp::reset_for(seg, &Config::default()) {
                    self.emit(&tuple, &rst);
                }
            }
            Target::NotUnicast => self.counters.not_for_us += 1,
        }
    }

    /// A segment for connection `h` (RFC 9293 §3.10.7.3, §3.10.7.4), then loss recovery:
    /// [`Tcb::is_duplicate_ack`] judges the segment against the TCB before it is processed,
    /// [`tcp::Recovery`] decides whether the segment at SND.UNA goes out again (the third
    /// duplicate ACK, RFC 5681 §3.2; a partial acknowledgment, RFC 6582 §3.2), and
    /// [`Tcb::fast_retransmit`] builds it; unless the host's `tcp_fast_retransmit` is off.
    fn connection_segment(&mut self, h: TcpHandle, seg: SegmentRef<'_>, peer_mss: Option<u16>) {
        let mtu = self.cfg.mtu;
        let Some(s) = self.tcp.get_mut(h) else { return };
        if s.tcb.state == State::SynSent && seg.has(Ctl::SYN) {
            s.cfg.mss = tcp::effective_send_mss(peer_mss, mtu);
        }
        let duplicate = s.tcb.is_duplicate_ack(seg, &s.cfg);
        let snd_una = s.tcb.snd_una;
        // The transition appends delivered text straight to the receive buffer, and its
        // outputs use the buffers kept for that.
        let before = Before::of(&s.tcb);
        let mut out = std::mem::take(&mut self.tcp.outputs);
        let Some(s) = self.tcp.get_mut(h) else { return };
        out.delivered = std::mem::take(&mut s.rx);
        s.tcb.on_segment_into(seg, Seq(0), &s.cfg, &mut out);
        self.after(h, before, &mut out, Delivered::IntoRx);
        out.segments.clear();
        out.events.clear();
        self.tcp.outputs = out;
        if !self.cfg.tcp_fast_retransmit {
            return;
        }
        let Some(s) = self.tcp.get_mut(h) else { return };
        let advanced = s.tcb.snd_una != snd_una;
        let Some(why) = s.recovery.on_ack(duplicate, advanced, &s.tcb) else {
            return;
        };
        let mut resent = false;
        self.drive(h, |tcb, cfg| {
            let out = tcb.fast_retransmit(cfg);
            resent = !out.segments.is_empty();
            out
        });
        if resent {
            match why {
                Resend::FastRetransmit => self.counters.fast_retransmits += 1,
                Resend::PartialAck => self.counters.partial_ack_retransmits += 1,
            }
        }
    }

    /// A segment for a listening port (RFC 9293 §3.10.7.2), given to a fresh LISTEN.
    fn listener_segment(&mut self, tuple: FourTuple, seg: SegmentRef<'_>, peer_mss: Option<u16>) {
        let cfg = self.conn_config(tcp::effective_send_mss(peer_mss, self.cfg.mtu));
        let mut tcb = Tcb::closed();
        tcb.open_passive(&cfg);
        let before = Before::of(&tcb);
        let mut out = tcb.on_segment(seg, self.isn(&tuple), &cfg);
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
        self.after(h, before, &mut out, Delivered::Separately);
    }

    /// Runs one transition of connection `h` and files its outputs.
    pub(super) fn drive(&mut self, h: TcpHandle, f: impl FnOnce(&mut Tcb, &Config) -> Outputs) {
        let Some(s) = self.tcp.get_mut(h) else { return };
        let before = Before::of(&s.tcb);
        let mut out = f(&mut s.tcb, &s.cfg);
        self.after(h, before, &mut out, Delivered::Separately);
    }

    /// Files a transition's outputs: text into the receive buffer, the free space as the
    /// window, RTT samples (Karn), the retransmission timer (RFC 6298 §5), TIME-WAIT's 2·MSL,
    /// events for the user; then sends the segments and releases a finished connection.
    fn after(&mut self, h: TcpHandle, before: Before, out: &mut Outputs, delivered: Delivered) {
        let now = self.now;
        let rx_cap = self.cfg.tcp_rx_buffer;
        let msl = u64::try_from(self.cfg.msl.as_millis()).unwrap_or(u64::MAX);
        let Some(s) = self.tcp.slab.get_mut(h.0 as usize).and_then(Option::as_mut) else {
            return;
        };
        let time_wait = Duration::from_millis(tcp::time_wait_duration(msl, s.cfg.mechanisms));
        match delivered {
            Delivered::IntoRx => s.rx = std::mem::take(&mut out.delivered),
            Delivered::Separately => s.rx.extend_from_slice(&out.delivered),
        }
        s.tcb
            .offer_window(rx_cap.saturating_sub(s.rx_queued()), &mut out.segments);
        let live = s.tcb.state != State::Closed;
        let acked_new = live && s.tcb.snd_una != before.snd_una;
        if acked_new && let Some(rtt) = s.sampler.on_ack(s.tcb.snd_una, now) {
            s.rto.on_sample(rtt);
        }
        if live {
            let syn_occupies = s.cfg.mechanisms.on(Mechanism::SynSequenceNumber);
            for seg in &out.segments {
                s.sampler
                    .on_send(seg.seq, seg.seq + seg.len_with(syn_occupies), now);
            }
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
        let blocked = s.tcb.zero_window_blocked();
        if !blocked {
            s.probes = 0;
        }
        let interval = s.rto.probe_interval(s.probes);
        s.probe_at = tcp::probe_deadline(s.probe_at, blocked, now, interval);
        if s.tcb.state != State::TimeWait {
            s.time_wait_at = None;
        }
        s.ack_at = tcp::delayed_ack_deadline(s.ack_at, s.tcb.ack_delayed(), now, tcp::ACK_DELAY);
        let tuple = s.tuple;
        let orphan = s.listener.is_some();
        let finished = s.tcb.state == State::Closed || (orphan && s.tcb.state == State::Listen);
        let release = finished && (s.user_closed || orphan);
        if finished {
            s.rto_at = None;
            s.probe_at = None;
            s.ack_at = None;
            self.tcp.conns.remove(&tuple);
        }
        self.tcp.arm(h);
        if let Some(port) = ready
            && let Some(l) = self.tcp.listeners.get_mut(&port)
        {
            l.ready.push_back(h);
        }
        for seg in out.segments.drain(..) {
            self.emit_owned(&tuple, seg);
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
    pub(super) fn emit(&mut self, tuple: &FourTuple, seg: &Segment) {
        let repr = self.tcp_header(tuple, seg);
        let (src, dst) = (*tuple.local.ip(), *tuple.remote.ip());
        let header = repr.header_len();
        self.ip_send_with(dst, IpProtocol::Tcp, repr.buffer_len(), |room| {
            let mut packet = Vec::with_capacity(room + repr.buffer_len());
            packet.resize(room + header, 0);
            packet.extend_from_slice(&seg.data);
            let tcp = &mut packet[room..];
            repr.emit(&mut wire::tcp::Packet::new_unchecked(tcp), src, dst);
            packet
        });
    }

    /// As [`emit`](Self::emit), building the packet in the buffer of the segment's text when
    /// it has room for the headers ([`tcp::TEXT_HEADROOM`]): the text is moved up within it
    /// rather than copied into a new allocation.
    fn emit_owned(&mut self, tuple: &FourTuple, seg: Segment) {
        let repr = self.tcp_header(tuple, &seg);
        let (src, dst) = (*tuple.local.ip(), *tuple.remote.ip());
        let header = repr.header_len();
        let mut packet = seg.data;
        self.ip_send_with(dst, IpProtocol::Tcp, repr.buffer_len(), |room| {
            let text = packet.len();
            let headers = room + header;
            packet.resize(headers + text, 0);
            packet.copy_within(..text, headers);
            packet[..headers].fill(0);
            let tcp = &mut packet[room..];
            repr.emit(&mut wire::tcp::Packet::new_unchecked(tcp), src, dst);
            packet
        });
    }

    /// The TCP header of a segment of `tuple`, with our MSS option on a SYN.
    fn tcp_header(&self, tuple: &FourTuple, seg: &Segment) -> wire::tcp::Repr {
        wire::tcp::Repr {
            src_port: tuple.local.port(),
            dst_port: tuple.remote.port(),
            seq: seg.seq.0,
            ack: seg.ack.0,
            flags: wire::tcp::Flags::from(seg.ctl),
            window: seg.wnd,
            urgent: 0,
            mss: seg.has(Ctl::SYN).then(|| tcp::advertised_mss(self.cfg.mtu)),
            window_scale: None,
            sack_permitted: false,
            sack_blocks: Vec::new(),
            timestamps: None,
            payload_len: seg.data.len(),
        }
    }

    /// Runs the retransmission, persist, delayed-ACK and TIME-WAIT timers that are due at
    /// `now`.
    pub(super) fn tcp_timeouts(&mut self, now: Duration) {
        let mut woken = Vec::new();
        while let Some(Reverse((t, i))) = self.tcp.timers.peek().copied()
            && t <= now
        {
            self.tcp.timers.pop();
            if let Some(s) = self.tcp.get_mut(TcpHandle(i))
                && s.wake_at == Some(t)
            {
                s.wake_at = None;
            }
            woken.push(i);
        }
        woken.sort_unstable();
        woken.dedup();
        let due: Vec<(TcpHandle, bool, bool, bool, bool)> = woken
            .iter()
            .copied()
            .filter_map(|i| {
                let s = self.tcp.get(TcpHandle(i))?;
                let rto = s.rto_at.is_some_and(|t| t <= now);
                let probe = s.probe_at.is_some_and(|t| t <= now);
                let ack = s.ack_at.is_some_and(|t| t <= now);
                let tw = s.time_wait_at.is_some_and(|t| t <= now);
                (rto || probe || ack || tw).then_some((TcpHandle(i), rto, probe, ack, tw))
            })
            .collect();
        for (h, rto, probe, ack, tw) in due {
            if rto && let Some(s) = self.tcp.get_mut(h) {
                s.rto.backoff(!s.tcb.syn_acked());
                s.rto_at = None;
                let mut resent = false;
                self.drive(h, |tcb, cfg| {
                    let out = tcb.on_retransmit_timeout(cfg);
                    resent = out.has(Event::Retransmitted);
                    out
                });
                if resent {
                    self.counters.retransmit_timeouts += 1;
                    if let Some(s) = self.tcp.get_mut(h) {
                        s.recovery.on_retransmit_timeout(&s.tcb);
                    }
                }
            }
            if probe && let Some(s) = self.tcp.get_mut(h) {
                s.probe_at = None;
                s.probes = s.probes.saturating_add(1);
                let mut probed = false;
                self.drive(h, |tcb, _| {
                    let out = tcb.window_probe();
                    probed = !out.segments.is_empty();
                    out
                });
                if probed {
                    self.counters.window_probes += 1;
                }
            }
            if ack && let Some(s) = self.tcp.get_mut(h) {
                s.ack_at = None;
                self.drive(h, |tcb, _| tcb.on_delayed_ack_timeout());
            }
            if tw {
                self.drive(h, |tcb, _| tcb.on_time_wait_timeout());
            }
        }
        // An entry that woke the host early (its socket's deadlines moved later) is replaced.
        for i in woken {
            self.tcp.arm(TcpHandle(i));
        }
    }
}
