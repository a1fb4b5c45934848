//! TCP segment arrival and timers of the host (RFC 9293 §3.10.7, §3.10.8). Arriving segments
//! are demultiplexed by [`tcp::demux`]; a segment for a listening port is given to a fresh
//! [`Connection`] in LISTEN, which decides whether a connection starts; a segment for no
//! connection is answered as [`tcp::reset_for`] says; with the listener's backlog full of
//! half-open connections, a SYN is answered with a SYN cookie instead and the cookie's ACK
//! opens the connection ([`tcp::syncookie`], RFC 4987 §3.6). Before a segment reaches a
//! connection the host passes it its share of the reassembly budget
//! (`HostConfig::tcp_reassembly_budget`). After every input of a connection,
//! `Host::after` sends what it queued, passes its events to the user and files its next
//! deadline in the host's timer heap: the connection decides, the host carries out.

use super::tcp::TcpHandle;
use super::{Host, SocketEvent};
use crate::tcp::{
    self, Config, Event, FourTuple, Segment, SegmentRef, State, Target, Witness, Witnesses,
};
use crate::wire::{self, IpProtocol};
use std::cmp::Reverse;
use std::net::SocketAddrV4;
use std::time::Duration;

impl Host {
    pub(super) fn tcp_input(&mut self, hdr: &wire::ipv4::Repr, payload: &[u8]) {
        let (repr, data) = match wire::tcp::Repr::parse_bytes(payload, hdr.src_addr, hdr.dst_addr) {
            Ok(x) => x,
            Err(e) => return self.count(e),
        };
        // The text stays where it lies in the packet: the connection reads it there.
        let seg = SegmentRef {
            seq: repr.seq,
            ack: repr.ack,
            ctl: repr.flags,
            wnd: repr.window,
            mss: repr.mss,
            opt: tcp::Options {
                window_scale: repr.window_scale,
                sack_permitted: repr.sack_permitted,
                timestamps: repr.timestamps,
                sack: tcp::SackBlocks::from_wire(&repr.sack_blocks),
            },
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
            Target::Connection(h) => {
                let now = self.now;
                let others = self.tcp.held;
                let Some(s) = self.tcp.get_mut(h) else { return };
                // The connection may hold what the budget leaves after the others' share.
                let left = self
                    .cfg
                    .tcp_reassembly_budget
                    .saturating_sub(others - s.held);
                s.conn.set_reassembly_allowance(Some(left));
                let w = s.conn.on_segment(now, seg);
                self.after(h, w);
            }
            Target::Listener => self.listener_segment(tuple, seg),
            Target::Closed => {
                self.counters.no_socket += 1;
                if let Some(rst) = tcp::reset_for(seg, &Config::default())
                    && self.allow(super::Limited::Reset)
                {
                    self.emit(&tuple, &rst);
                }
            }
            Target::NotUnicast => self.counters.not_for_us += 1,
        }
    }

    /// A segment for a listening port (RFC 9293 §3.10.7.2), given to a fresh LISTEN with the
    /// ISN this host would choose now. With the backlog full of half-open connections a SYN
    /// is answered with a SYN cookie instead (RFC 4987 §3.6), and an ACK that acknowledges a
    /// valid cookie opens its connection.
    fn listener_segment(&mut self, tuple: FourTuple, seg: SegmentRef<'_>) {
        let now = self.now;
        let port = tuple.local.port();
        if self.cookie_ack(tuple, seg) {
            return;
        }
        let mut conn = self.new_connection(&tuple);
        // A new connection in CLOSED accepts a passive OPEN.
        let _ = conn.open_passive(now);
        let w = conn.on_listen_segment(now, seg, self.isn(&tuple));
        if conn.state() == State::Listen {
            // A RST for an ACK that opens nothing: as rate-limited as one for a closed port.
            while let Some(s) = conn.poll_transmit(now) {
                if self.allow(super::Limited::Reset) {
                    self.emit(&tuple, &s);
                }
            }
            return;
        }
        let slab = &self.tcp.slab;
        let Some(l) = self.tcp.listeners.get_mut(&port) else {
            return;
        };
        l.children
            .retain(|c| slab.get(c.0 as usize).is_some_and(Option::is_some));
        if l.children.len() >= l.backlog {
            // Half-open entries fill the backlog (some of it is not yet accepted): a cookie,
            // unless every entry is established and waits for accept (a full accept queue, the
            // application's own limit, where a cookie would open nothing).
            if self.cfg.tcp_syn_cookies && l.ready.len() < l.backlog {
                l.cookie_sent_at = Some(now);
                let cfg = self.conn_config();
                let ts_now = tcp::ts_clock(self.ts_offset(&tuple), now);
                let counter = tcp::syncookie::counter(now);
                let key = self.cookie_key();
                if let Some(sa) = tcp::syncookie::syn_ack(&cfg, seg, &tuple, &key, counter, ts_now)
                {
                    self.counters.syn_cookies_sent += 1;
                    self.emit(&tuple, &sa);
                }
                return;
            }
            self.counters.backlog_full += 1;
            return;
        }
        if self.tcp.live() >= self.cfg.tcp_max_connections
            || self.tcp.spawned_by(port) >= self.cfg.tcp_max_per_listener
        {
            // As for a full backlog, the SYN is dropped: the peer retries (RFC 9293 §3.10.7.2
            // leaves a LISTEN free to ignore a SYN it has no resources for).
            self.counters.connection_limit += 1;
            return;
        }
        let sock = self.new_socket(conn, tuple, Some(port));
        let h = self.tcp.insert(sock);
        if let Some(l) = self.tcp.listeners.get_mut(&port) {
            l.children.push(h);
        }
        self.after(h, w);
    }

    /// If `seg` is the ACK of a valid SYN cookie of this host for `tuple`
    /// ([`tcp::syncookie::check`], in the two slots after the listener last sent one), opens
    /// its connection in ESTABLISHED ([`tcp::Connection::from_cookie`]) within the accept queue
    /// and the connection caps, and returns true (also when a cap refuses it, counted).
    fn cookie_ack(&mut self, tuple: FourTuple, seg: SegmentRef<'_>) -> bool {
        let now = self.now;
        let port = tuple.local.port();
        let recent = self
            .tcp
            .listeners
            .get(&port)
            .and_then(|l| l.cookie_sent_at)
            .is_some_and(|t| now.saturating_sub(t) < 2 * tcp::syncookie::SLOT);
        if !self.cfg.tcp_syn_cookies || !recent {
            return false;
        }
        let counter = tcp::syncookie::counter(now);
        let Some(d) = tcp::syncookie::check(seg, &tuple, &self.cookie_key(), counter) else {
            return false;
        };
        let Some(l) = self.tcp.listeners.get(&port) else {
            return false;
        };
        if l.ready.len() >= l.backlog {
            self.counters.backlog_full += 1;
            return true;
        }
        if self.tcp.live() >= self.cfg.tcp_max_connections
            || self.tcp.spawned_by(port) >= self.cfg.tcp_max_per_listener
        {
            self.counters.connection_limit += 1;
            return true;
        }
        let offset = self.ts_offset(&tuple);
        let (conn, w) = tcp::Connection::from_cookie(self.conn_config(), now, offset, &d, seg);
        self.counters.syn_cookies_accepted += 1;
        let sock = self.new_socket(conn, tuple, Some(port));
        let h = self.tcp.insert(sock);
        if let Some(l) = self.tcp.listeners.get_mut(&port) {
            l.children.push(h);
        }
        self.after(h, w);
        true
    }

    /// Carries out what connection `h` decided in its last input: counts what it witnessed,
    /// passes its events to the user (and an ESTABLISHED child to its listener's accept
    /// queue), sends its segments, files its next deadline, and releases a finished
    /// connection.
    pub(super) fn after(&mut self, h: TcpHandle, w: Witnesses) {
        let now = self.now;
        let c = &mut self.counters;
        c.retransmit_timeouts += u64::from(w.has(Witness::RetransmitTimeout));
        c.fast_retransmits += u64::from(w.has(Witness::FastRetransmit));
        c.spurious_recoveries += u64::from(w.has(Witness::SpuriousRecovery));
        c.retransmissions_lost += u64::from(w.has(Witness::RetransmissionLost));
        c.partial_ack_retransmits += u64::from(w.has(Witness::PartialAckRetransmit));
        c.window_probes += u64::from(w.has(Witness::WindowProbe));
        c.challenge_acks_limited += u64::from(w.has(Witness::ChallengeAckLimited));
        c.fin_wait_2_timeouts += u64::from(w.has(Witness::FinWait2Timeout));
        c.keep_alive_probes += u64::from(w.has(Witness::KeepAliveProbe));
        c.probes_unanswered += u64::from(w.has(Witness::ProbesUnanswered));
        c.icmp_ignored += u64::from(w.has(Witness::IcmpIgnored) || w.has(Witness::IcmpSoftError));
        c.mss_lowered += u64::from(w.has(Witness::MssLowered));
        c.icmp_refused += u64::from(w.has(Witness::IcmpRefused));
        c.reassembly_budget_drops += u64::from(w.has(Witness::ReassemblyBudget));
        let Some(s) = self.tcp.slab.get_mut(h.0 as usize).and_then(Option::as_mut) else {
            return;
        };
        let held = s.conn.tcb().rcv_queue.octets();
        self.tcp.held = self.tcp.held - s.held + held;
        s.held = held;
        let mut ready = None;
        while let Some(event) = s.conn.poll_event() {
            if event == Event::Established {
                ready = s.listener;
            }
            self.events.push_back(SocketEvent::Tcp { handle: h, event });
        }
        let tuple = s.tuple;
        let orphan = s.listener.is_some();
        let state = s.conn.state();
        let finished = state == State::Closed || (orphan && state == State::Listen);
        let release = finished && (s.user_closed || orphan);
        let mut out = std::mem::take(&mut self.tcp.segments);
        while let Some(seg) = s.conn.poll_transmit(now) {
            out.push(seg);
        }
        if finished {
            self.tcp.conns.remove(&tuple);
        }
        self.tcp.arm(h);
        if let Some(port) = ready
            && let Some(l) = self.tcp.listeners.get_mut(&port)
        {
            l.ready.push_back(h);
        }
        for seg in out.drain(..) {
            self.emit_owned(&tuple, seg);
        }
        self.tcp.segments = out;
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

    /// Sends a segment of `tuple` as the connection built it (its MSS option on a SYN).
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

    /// The TCP header of a segment of `tuple`.
    fn tcp_header(&self, tuple: &FourTuple, seg: &Segment) -> wire::tcp::Repr {
        wire::tcp::Repr {
            src_port: tuple.local.port(),
            dst_port: tuple.remote.port(),
            seq: seg.seq,
            ack: seg.ack,
            flags: seg.ctl,
            window: seg.wnd,
            urgent: 0,
            mss: seg.mss,
            window_scale: seg.opt.window_scale,
            sack_permitted: seg.opt.sack_permitted,
            sack_blocks: seg.opt.sack.to_wire(),
            timestamps: seg.opt.timestamps,
            payload_len: seg.data.len(),
        }
    }

    /// Gives `now` to every connection whose deadline has come.
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
        for i in woken {
            let h = TcpHandle(i);
            let Some(s) = self.tcp.get_mut(h) else {
                continue;
            };
            let w = s.conn.handle_timeout(now);
            self.after(h, w);
        }
    }
}
