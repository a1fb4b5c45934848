//! Judging one TCP endpoint of a captured connection: is every segment it sent one that
//! [`tcp::Connection`](crate::tcp::Connection) can emit in some run consistent with
//! everything the capture shows so far?
//!
//! # The search
//!
//! The endpoint is replayed through a bounded set (a beam) of candidate connections, each
//! configured from what the SYNs show (MSS, window scale, timestamps and SACK offered; the ISS
//! from the endpoint's SYN; the timestamp clock's offset from its first TSval), delayed
//! ACKs on, CUBIC and RFC 6675 recovery running without bounding what is sent (see below). The capture cannot show the endpoint's user calls, its timers, its reading,
//! or what happened between the capture point and the endpoint, so the search chooses them:
//!
//! - **Segments from the peer** reach the endpoint when an explanation needs them, not
//!   where the capture shows them (a capture point near the peer sees them before the
//!   endpoint processes them): each candidate keeps the segments seen and not yet delivered,
//!   in order (at most [`PENDING`]). Before each segment of the endpoint, the search tries the
//!   fewest of them delivered in order that explain it; and all of them delivered except
//!   those the endpoint's segment shows it has not received (they would move RCV.NXT past
//!   its ACK, or SND.UNA past the sequence number it sends): late, overtaken by later ones,
//!   or lost; failing both, all but one (lost). A bare ACK that acknowledges new data is
//!   delivered before any choice (holding it back only keeps the flight in the candidates'
//!   send buffers); duplicate ACKs wait like the rest, so when fast retransmit starts stays
//!   the search's choice. Failing everything, it goes back at most
//!   [`HISTORY`] events and replays them with one of those arrivals lost.
//! - **Before each segment the endpoint sent**, up to [`DEPTH`] hidden steps: SEND of the text
//!   the segment carries beyond what was queued (the bytes the capture shows, zeros where it
//!   cut them), CLOSE when it carries a FIN, ABORT when it carries a RST, the expiry of any
//!   armed timer (retransmission, persist, delayed ACK, TIME-WAIT, FIN-WAIT-2, keep-alive:
//!   when a timer fires is not judged, only that it was armed), and a window update (the
//!   receive buffer and the application's reads are hidden; RFC 9293 §3.8.6.2.2). The
//!   shortest explanation wins; all of its equally short variants stay in the beam.
//! - **Segments the endpoint emitted but the capture does not show** were lost before the
//!   capture point: a segment the capture shows may be matched by any segment still queued,
//!   those before it being dropped.
//! - Delivered text is read at once, so the receive buffer never closes the window.
//!
//! # What is compared
//!
//! An emitted segment matches an observed one when SEQ, ACK (with the ACK bit), the SYN, ACK,
//! FIN and RST bits, the text (its length; its bytes where captured), and the options that
//! are negotiated (MSS, window scale and SACK-permitted on a SYN; timestamps on every segment
//! but a RST) agree. PSH, URG, ECE and CWR, the TSval/TSecr values and SACK blocks are not
//! compared. The window value is the receiver's to choose (its buffer is hidden), so it is
//! judged by one rule only: the right edge RCV.NXT + RCV.WND never moves left (RFC 9293
//! §3.8.6, SHLD-14), beyond the rounding window scaling causes (RFC 7323 §2.4).
//!
//! Congestion control is not judged: the candidates run CUBIC and SACK recovery with
//! [`Mechanism::CongestionWindow`] off, so they may send whatever the peer's window allows
//! (RFC 5681 §3.1 bounds a sender by its cwnd, but how cwnd evolves is the controller's, and
//! real stacks choose differently: HyStart, PRR, RACK-TLP, pacing).
//!
//! # Verdicts
//!
//! "Violates" is said only when the search kept every candidate it made; when it had to cut
//! the beam to `--budget` and then no kept candidate explains a segment, the verdict is
//! "cannot judge" with that reason. A capture whose first segment is not a SYN cannot be
//! judged (the options and numbers negotiated are unknown).

use super::profile::{Allowance, Profile};
use super::{Endpoint, Kind, Verdict, Violation};
use crate::capture::{Direction, TcpConversation};
use crate::tcp::{Config, Connection, Ctl, Mechanism, Segment, Seq, State, Timer};
use std::collections::VecDeque;
use std::time::Duration;

/// At most this many hidden steps before one observed segment.
pub const DEPTH: usize = 3;
/// How many events back an arrival may be chosen as delayed or lost.
pub const HISTORY: usize = 6;
/// Segments a candidate may hold emitted and not yet seen.
const QUEUE: usize = 128;
/// Segments of the peer that may wait, seen and not yet delivered to the endpoint.
pub const PENDING: usize = 64;
/// The default cap on candidates.
pub const DEFAULT_BUDGET: usize = 64;

/// A captured segment as the rules read it.
#[derive(Debug, Clone)]
struct Observed {
    frame: u64,
    now: Duration,
    seg: Segment,
    /// Octets of text the capture holds (the rest of `seg.data` is zeros).
    captured: usize,
}

#[derive(Debug, Clone)]
enum Event {
    /// The peer sent it.
    Input(Observed),
    /// The endpoint sent it.
    Output(Observed),
}

/// A candidate: a connection and the segments it emitted that the capture has not shown yet.
#[derive(Clone, PartialEq, Eq, Hash)]
struct Cand {
    conn: Connection,
    queue: VecDeque<Segment>,
    /// Segments of the peer the capture showed that have not reached the endpoint yet, in
    /// order (indices of events).
    pending: VecDeque<usize>,
}

/// A candidate with what the report needs (not part of its identity).
#[derive(Clone)]
struct Node {
    cand: Cand,
    states: Vec<State>,
    allowances: Vec<Allowance>,
}

impl Node {
    fn note_state(&mut self) {
        let s = self.cand.conn.state();
        if self.states.last() != Some(&s) {
            self.states.push(s);
        }
    }

    fn drain(&mut self, now: Duration) {
        while let Some(s) = self.cand.conn.poll_transmit(now) {
            self.cand.queue.push_back(s);
        }
        while self.cand.queue.len() > QUEUE {
            self.cand.queue.pop_front();
        }
        self.note_state();
    }

    fn deliver(&mut self, o: &Observed, iss: Seq) {
        self.cand.conn.on_listen_segment(o.now, &o.seg, iss);
        let _ = self.cand.conn.read_to_vec(o.now);
        self.drain(o.now);
    }
}

/// Hidden steps before an observed segment.
#[derive(Clone, Copy, Debug)]
enum Step {
    Expire(Timer),
    Send,
    Close,
    SendClose,
    Abort,
    WindowUpdate,
}

/// The judge of one endpoint.
struct Judge<'a> {
    profile: Profile,
    budget: usize,
    /// The endpoint's ISS (seq of its first SYN), for LISTEN.
    iss: Seq,
    events: &'a [Event],
    pruned: Option<u64>,
}

/// Judges the endpoint `side` (the sender of [`Direction::FromA`] or `FromB` segments) of
/// `conversation` with `profile`, keeping at most `budget` candidates.
pub fn judge(
    conversation: &TcpConversation,
    side: Direction,
    profile: Profile,
    budget: usize,
) -> Endpoint {
    let (endpoint, peer) = match side {
        Direction::FromA => (conversation.a, conversation.b),
        Direction::FromB => (conversation.b, conversation.a),
    };
    let t0 = conversation
        .segments
        .first()
        .map_or(Duration::ZERO, |s| s.timestamp);
    let mut last = Duration::ZERO;
    let events: Vec<Event> = conversation
        .segments
        .iter()
        .map(|s| {
            let now = s.timestamp.saturating_sub(t0).max(last);
            last = now;
            let o = observed(s, now);
            if s.direction == side {
                Event::Output(o)
            } else {
                Event::Input(o)
            }
        })
        .collect();
    let outputs: Vec<&Observed> = events
        .iter()
        .filter_map(|e| match e {
            Event::Output(o) => Some(o),
            Event::Input(_) => None,
        })
        .collect();
    let mut judgment = Endpoint {
        kind: Kind::Tcp,
        conversation: 0,
        incarnation: conversation.incarnation,
        endpoint: endpoint.to_string(),
        peer: peer.to_string(),
        verdict: Verdict::Conforms,
        states: Vec::new(),
        segments: outputs.len(),
        allowances: Vec::new(),
        ladder: Vec::new(),
    };
    let opened = conversation
        .segments
        .first()
        .is_some_and(|s| s.tcp.repr.flags.syn() && !s.tcp.repr.flags.ack());
    if !opened {
        judgment.verdict =
            Verdict::CannotJudge("the capture starts mid-connection (no SYN opens it)".to_string());
        judgment.ladder = ladder(&events, events.len(), None);
        return judgment;
    }
    let own_syn = outputs.iter().find(|o| o.seg.has(Ctl::SYN));
    let peer_syn = events.iter().find_map(|e| match e {
        Event::Input(o) if o.seg.has(Ctl::SYN) => Some(o),
        _ => None,
    });
    let mut cfg = config(own_syn.map(|o| &o.seg), peer_syn.map(|o| &o.seg));
    // Not judged (see the module documentation): what the window allows may be sent.
    cfg.mechanisms = cfg.mechanisms.without(Mechanism::CongestionWindow);
    let iss = own_syn.map_or(Seq(0), |o| o.seg.seq);
    let mut beam = Vec::new();
    let fresh = |cfg: Config| {
        let mut conn = Connection::new(cfg);
        if let Some(ts) = own_syn.and_then(|o| o.seg.opt.timestamps) {
            let ms = own_syn.map_or(0, |o| o.now.as_millis() as u32);
            conn.set_timestamp_offset(ts.tsval.wrapping_sub(ms));
        }
        Node {
            cand: Cand {
                conn,
                queue: VecDeque::new(),
                pending: VecDeque::new(),
            },
            states: vec![State::Closed],
            allowances: Vec::new(),
        }
    };
    let active = outputs
        .first()
        .is_some_and(|o| o.seg.has(Ctl::SYN) && !o.seg.has(Ctl::ACK));
    if active {
        let mut n = fresh(cfg);
        if n.cand.conn.open_active(Duration::ZERO, iss).is_ok() {
            n.drain(Duration::ZERO);
            beam.push(n);
        }
    } else {
        // The capture cannot tell a listener from a closed port until it answers.
        let mut listening = fresh(cfg);
        if listening.cand.conn.open_passive(Duration::ZERO).is_ok() {
            listening.note_state();
            beam.push(listening);
        }
        beam.push(fresh(cfg));
    }
    let mut j = Judge {
        profile,
        budget: budget.max(1),
        iss,
        events: &events,
        pruned: None,
    };
    let shrink = window_shrink(&events, cfg_shift(own_syn, peer_syn));
    let mut history: VecDeque<(usize, Vec<Node>)> = VecDeque::new();
    for (i, event) in events.iter().enumerate() {
        if let Some((at, v)) = &shrink
            && *at == i
        {
            // Judged apart from the search: the window value is free, its right edge is not.
            if let Some(first) = beam.first() {
                judgment.states = first.states.clone();
            }
            judgment.ladder = ladder(&events, i + 1, Some(i));
            judgment.verdict = Verdict::Violates(v.clone());
            return judgment;
        }
        history.push_back((i, beam.clone()));
        if history.len() > HISTORY {
            history.pop_front();
        }
        let next = match event {
            Event::Input(_) => {
                for n in &mut beam {
                    j.arrive(n, i);
                }
                beam
            }
            Event::Output(o) => {
                let mut next = j.explain_all(&beam, o);
                if next.is_empty() {
                    next = j.fallback(&history, i);
                }
                if next.is_empty() {
                    let rule = j.diagnose(&beam, o);
                    if let Some(first) = beam.first() {
                        judgment.states = first.states.clone();
                        judgment.allowances = first.allowances.clone();
                    }
                    judgment.ladder = ladder(&events, i + 1, Some(i));
                    judgment.verdict = match j.pruned {
                        Some(frame) => Verdict::CannotJudge(format!(
                            "the search outgrew its budget of {} candidates at frame {frame}, \
                             and none it kept explains frame {}",
                            j.budget, o.frame
                        )),
                        None => Verdict::Violates(Violation {
                            frame: o.frame,
                            segment: notation(&o.seg),
                            rule: rule.0,
                            expected: rule.1,
                        }),
                    };
                    return judgment;
                }
                next
            }
        };
        beam = j.cap(next, event);
    }
    // What arrived after the endpoint's last segment reaches it too.
    for n in &mut beam {
        while j.deliver_next(n) {}
    }
    judgment.ladder = ladder(&events, events.len(), None);
    if let Some(first) = beam.first() {
        judgment.states = first.states.clone();
        let mut all: Vec<Allowance> = beam[0].allowances.clone();
        all.sort();
        all.dedup();
        judgment.allowances = all;
    }
    judgment
}

impl Judge<'_> {
    fn cap(&mut self, mut next: Vec<Node>, event: &Event) -> Vec<Node> {
        dedup(&mut next);
        if next.len() > self.budget {
            next.truncate(self.budget);
            if self.pruned.is_none() {
                let (Event::Input(o) | Event::Output(o)) = event;
                self.pruned = Some(o.frame);
            }
        }
        next
    }

    /// A segment of the peer reaches the capture point: it is pending for the endpoint,
    /// and reaches it (in order) when an explanation needs it, or when [`PENDING`] are
    /// waiting.
    fn arrive(&self, n: &mut Node, i: usize) {
        n.cand.pending.push_back(i);
        while n.cand.pending.len() > PENDING {
            self.deliver_next(n);
        }
    }

    /// Whether the oldest pending segment is a bare acknowledgment (no text, SYN, FIN or
    /// RST) that acknowledges something new.
    fn leading_bare_ack(&self, n: &Node) -> bool {
        let Some(&i) = n.cand.pending.front() else {
            return false;
        };
        let Event::Input(o) = &self.events[i] else {
            return false;
        };
        let t = n.cand.conn.tcb();
        o.seg.ctl.without(Ctl::PSH | Ctl::URG | Ctl::ECE | Ctl::CWR) == Ctl::ACK
            && o.seg.data.is_empty()
            && t.state.is_synchronized()
            && o.seg.ack.gt(t.snd_una)
    }

    /// The oldest pending segment reaches the endpoint; false if none was pending.
    fn deliver_next(&self, n: &mut Node) -> bool {
        let Some(i) = n.cand.pending.pop_front() else {
            return false;
        };
        if let Event::Input(o) = &self.events[i] {
            n.deliver(o, self.iss);
        }
        true
    }

    /// `n` with every pending segment delivered, in order, except those whose arrival would
    /// contradict `o`: that would move RCV.NXT past `o`'s acknowledgment, or SND.UNA past
    /// the sequence number of text, SYN or FIN that `o` (re)sends. Those stay pending: they
    /// are late (overtaken by the ones after them) or lost.
    fn guided(&self, n: &Node, o: &Observed) -> Node {
        let mut x = n.clone();
        let pending = std::mem::take(&mut x.cand.pending);
        let occupies = !o.seg.data.is_empty() || o.seg.has(Ctl::SYN) || o.seg.has(Ctl::FIN);
        for i in pending {
            let Event::Input(input) = &self.events[i] else {
                continue;
            };
            let mut y = x.clone();
            y.deliver(input, self.iss);
            let t = y.cand.conn.tcb();
            let synchronized = t.state.is_synchronized();
            let past_ack = o.seg.has(Ctl::ACK) && synchronized && t.rcv_nxt.gt(o.seg.ack);
            let past_seq = occupies && synchronized && t.snd_una.gt(o.seg.seq);
            if past_ack || past_seq {
                x.cand.pending.push_back(i);
            } else {
                x = y;
            }
        }
        x
    }

    /// Every candidate's explanations of `o`: with as few pending segments delivered first
    /// as allow one (a segment reaches the endpoint as late as the capture allows), and with
    /// every pending segment delivered but those that `o` shows have not arrived (see
    /// `guided`); failing both, with one of them lost.
    fn explain_all(&self, beam: &[Node], o: &Observed) -> Vec<Node> {
        let mut out = Vec::new();
        for n in beam {
            // The fewest pending segments delivered, in order, that explain `o`; but leading
            // bare acknowledgments first (they only move SND.UNA and the window: holding them
            // back would keep the whole flight in the send buffer of every candidate).
            let mut x = n.clone();
            while self.leading_bare_ack(&x) {
                self.deliver_next(&mut x);
            }
            let mut explained = false;
            let mut matched_guided = false;
            let guided = (!n.cand.pending.is_empty()).then(|| self.guided(n, o));
            loop {
                let found = self.explain(&x, o);
                if !found.is_empty() {
                    out.extend(found);
                    explained = true;
                    matched_guided = guided.as_ref().is_none_or(|g| g.cand == x.cand);
                    break;
                }
                if !self.deliver_next(&mut x) {
                    break;
                }
            }
            // Some pending segments late or lost, and later ones arrived before them.
            if !matched_guided && let Some(g) = &guided {
                let found = self.explain(g, o);
                explained |= !found.is_empty();
                out.extend(found);
            }
            if explained {
                continue;
            }
            // One of the pending segments was lost on the way; the rest arrived.
            for lost in 0..n.cand.pending.len() {
                let mut x = n.clone();
                x.cand.pending.remove(lost);
                while self.deliver_next(&mut x) {}
                out.extend(self.explain(&x, o));
            }
        }
        dedup(&mut out);
        out
    }

    /// The shortest runs of hidden steps after which `n` has emitted `o`.
    fn explain(&self, n: &Node, o: &Observed) -> Vec<Node> {
        let mut level = vec![n.clone()];
        for depth in 0..=DEPTH {
            let matched: Vec<Node> = level.iter().filter_map(|x| self.take(x, o)).collect();
            if !matched.is_empty() || depth == DEPTH {
                return matched;
            }
            let mut next = Vec::new();
            for x in &level {
                for step in self.steps(x, o) {
                    let mut y = x.clone();
                    if self.apply(&mut y, step, o) {
                        next.push(y);
                    }
                }
            }
            dedup(&mut next);
            level = next;
        }
        Vec::new()
    }

    /// `n` with `o` taken from its queue, if it is there.
    fn take(&self, n: &Node, o: &Observed) -> Option<Node> {
        let at = n.cand.queue.iter().position(|e| same(e, o))?;
        let mut m = n.clone();
        m.cand.queue.drain(..=at);
        Some(m)
    }

    fn steps(&self, n: &Node, o: &Observed) -> Vec<Step> {
        let conn = &n.cand.conn;
        let mut steps: Vec<Step> = Timer::ALL
            .into_iter()
            .filter(|t| conn.timer(*t).is_some())
            .map(Step::Expire)
            .collect();
        if !o.seg.data.is_empty() && missing_text(conn, o).is_some() {
            steps.push(Step::Send);
        }
        if o.seg.has(Ctl::FIN) && !conn.state().fin_requested() {
            steps.push(Step::Close);
            if !o.seg.data.is_empty() && missing_text(conn, o).is_some() {
                steps.push(Step::SendClose);
            }
        }
        if o.seg.has(Ctl::RST) && conn.state() != State::Closed {
            steps.push(Step::Abort);
        }
        let pure_ack = o.seg.ctl.without(Ctl::PSH | Ctl::URG | Ctl::ECE | Ctl::CWR) == Ctl::ACK
            && o.seg.data.is_empty();
        if pure_ack {
            steps.push(Step::WindowUpdate);
        }
        steps
    }

    fn apply(&self, n: &mut Node, step: Step, o: &Observed) -> bool {
        let now = o.now;
        let conn = &mut n.cand.conn;
        let ok = match step {
            Step::Expire(t) => {
                conn.expire(now, t);
                true
            }
            Step::Send => match missing_text(conn, o) {
                Some(text) => conn.send(now, &text).is_ok_and(|k| k == text.len()),
                None => false,
            },
            Step::Close => conn.close(now).is_ok(),
            Step::SendClose => match missing_text(conn, o) {
                Some(text) => conn.send_held_then_close(now, &text),
                None => false,
            },
            Step::Abort => {
                let rcv_nxt = conn.tcb().rcv_nxt;
                let synchronized = conn.state().is_synchronized();
                let before = n.cand.queue.len();
                if n.cand.conn.abort(now).is_err() {
                    return false;
                }
                n.drain(now);
                if self.profile.allows(Allowance::RstAckOnAbort)
                    && synchronized
                    && o.seg.has(Ctl::ACK)
                {
                    for s in n.cand.queue.iter_mut().skip(before) {
                        if s.has(Ctl::RST) && !s.has(Ctl::ACK) {
                            s.ctl |= Ctl::ACK;
                            s.ack = rcv_nxt;
                            n.allowances.push(Allowance::RstAckOnAbort);
                        }
                    }
                }
                true
            }
            Step::WindowUpdate => conn.queue_window_update(),
        };
        if ok {
            n.drain(now);
        }
        ok
    }

    /// Runs again from before a recent arrival, with that arrival lost before it reached
    /// the endpoint.
    fn fallback(&mut self, history: &VecDeque<(usize, Vec<Node>)>, at: usize) -> Vec<Node> {
        let mut found = Vec::new();
        for (start, beam) in history.iter().rev() {
            if !matches!(self.events[*start], Event::Input(_)) {
                continue;
            }
            let mut b = beam.clone();
            for (k, e) in self.events.iter().enumerate().take(at).skip(start + 1) {
                b = match e {
                    Event::Input(_) => {
                        for n in &mut b {
                            self.arrive(n, k);
                        }
                        b
                    }
                    Event::Output(o) => self.explain_all(&b, o),
                };
            }
            if let Event::Output(o) = &self.events[at] {
                found.extend(self.explain_all(&b, o));
            }
            if !found.is_empty() {
                break;
            }
        }
        dedup(&mut found);
        found
    }

    /// The rule `o` breaks, judged against the nearest segment the candidates could emit.
    fn diagnose(&self, beam: &[Node], o: &Observed) -> (String, Option<String>) {
        let mut emitted: Vec<(Segment, Node)> = Vec::new();
        for n in beam {
            let mut level = vec![n.clone()];
            for _ in 0..DEPTH {
                let mut next = Vec::new();
                for x in &level {
                    emitted.extend(x.cand.queue.iter().map(|s| (s.clone(), x.clone())));
                    for step in self.steps(x, o) {
                        let mut y = x.clone();
                        if self.apply(&mut y, step, o) {
                            next.push(y);
                        }
                    }
                }
                dedup(&mut next);
                next.truncate(64);
                level = next;
            }
            emitted.extend(
                level
                    .iter()
                    .flat_map(|x| x.cand.queue.iter().map(|s| (s.clone(), x.clone()))),
            );
        }
        let nearest = emitted
            .iter()
            .min_by_key(|(e, _)| distance(e, &o.seg))
            .map(|(e, n)| (e.clone(), n.cand.conn.clone()));
        let rule = rule(&o.seg, nearest.as_ref(), beam.first().map(|n| &n.cand.conn));
        (rule, nearest.map(|(e, _)| notation(&e)))
    }
}

fn dedup(nodes: &mut Vec<Node>) {
    let mut kept: Vec<Node> = Vec::with_capacity(nodes.len());
    for n in nodes.drain(..) {
        if !kept.iter().any(|k| k.cand == n.cand) {
            kept.push(n);
        }
    }
    *nodes = kept;
}

/// The text `o` carries beyond what `conn` has queued: what a SEND must have given it.
fn missing_text(conn: &Connection, o: &Observed) -> Option<Vec<u8>> {
    let tcb = conn.tcb();
    if !matches!(
        tcb.state,
        State::SynSent | State::SynReceived | State::Established | State::CloseWait
    ) || tcb.fin_sent
    {
        return None;
    }
    let start = if tcb.syn_acked() {
        tcb.snd_una
    } else {
        tcb.iss + 1
    };
    let end = start + tcb.send_buf.len() as u32;
    let seg_end = o.seg.seq + o.seg.data.len() as u32;
    if !seg_end.gt(end) {
        return None;
    }
    if o.seg.seq.le(end) {
        let from = (end - o.seg.seq) as usize;
        Some(o.seg.data[from..].to_vec())
    } else {
        // Text queued and sent but never seen: its bytes are unknown.
        let gap = (o.seg.seq - end) as usize;
        if gap > 1 << 20 {
            return None;
        }
        let mut text = vec![0; gap];
        text.extend_from_slice(&o.seg.data);
        Some(text)
    }
}

const CTL_JUDGED: Ctl = Ctl(Ctl::SYN.0 | Ctl::ACK.0 | Ctl::FIN.0 | Ctl::RST.0);

/// Whether the emitted `e` is the observed `o` in every field compared.
fn same(e: &Segment, o: &Observed) -> bool {
    let s = &o.seg;
    let ctl = |c: Ctl| Ctl(c.0 & CTL_JUDGED.0);
    e.seq == s.seq
        && ctl(e.ctl) == ctl(s.ctl)
        && (!s.has(Ctl::ACK) || e.ack == s.ack)
        && e.data.len() == s.data.len()
        && e.data[..o.captured] == s.data[..o.captured]
        && (s.has(Ctl::RST) || e.opt.timestamps.is_some() == s.opt.timestamps.is_some())
        && (!s.has(Ctl::SYN)
            || (e.mss.is_some() == s.mss.is_some()
                && e.opt.window_scale == s.opt.window_scale
                && e.opt.sack_permitted == s.opt.sack_permitted))
}

fn distance(e: &Segment, s: &Segment) -> u32 {
    let ctl = |c: Ctl| Ctl(c.0 & CTL_JUDGED.0);
    u32::from(e.seq != s.seq) * 4
        + u32::from(ctl(e.ctl) != ctl(s.ctl)) * 8
        + u32::from(s.has(Ctl::ACK) && e.ack != s.ack) * 2
        + u32::from(e.data.len() != s.data.len())
        + u32::from(e.data != s.data)
}

/// The RFC rule an unexplained `s` breaks, named from how it differs from the nearest
/// segment the rules allow.
fn rule(s: &Segment, nearest: Option<&(Segment, Connection)>, conn: Option<&Connection>) -> String {
    let ctl = |c: Ctl| Ctl(c.0 & CTL_JUDGED.0);
    let fin_seq = conn.and_then(|c| {
        let t = c.tcb();
        t.fin_sent.then(|| Seq(t.snd_nxt.0.wrapping_sub(1)))
    });
    if let Some(fin) = fin_seq
        && !s.has(Ctl::RST)
        && (s.seq.gt(fin) || (s.seq == fin && !s.data.is_empty()))
        && !s.data.is_empty()
    {
        return "RFC 9293 §3.10.4: no text after the FIN (SEND after CLOSE is an error)".into();
    }
    let Some((e, _)) = nearest else {
        return "RFC 9293 §3.10: no run of the rules sends a segment here".into();
    };
    if s.has(Ctl::RST) && !e.has(Ctl::RST) {
        return "RFC 9293 §3.5.2, §3.10.7: a RST only answers a segment that does not belong \
                to the connection, or an ABORT"
            .into();
    }
    if s.has(Ctl::RST) && e.has(Ctl::RST) && s.has(Ctl::ACK) && !e.has(Ctl::ACK) {
        return "RFC 9293 §3.10.5: ABORT sends <SEQ=SND.NXT><CTL=RST>, without ACK \
                (Linux's RST,ACK is allowance rst-ack-on-abort of --profile linux)"
            .into();
    }
    if ctl(e.ctl) != ctl(s.ctl) && e.seq == s.seq {
        return format!(
            "RFC 9293 §3.10: the control bits must be {} here, not {}",
            ctl(e.ctl),
            ctl(s.ctl)
        );
    }
    if e.seq != s.seq {
        return "RFC 9293 §3.3.1, §3.10.2: SEG.SEQ is SND.NXT for new text, or within \
                SND.UNA..SND.NXT when retransmitting; text only within the peer's window \
                (§3.8.6.1)"
            .into();
    }
    if s.has(Ctl::ACK) && e.ack != s.ack {
        return "RFC 9293 §3.10.7.4: an acknowledgment carries RCV.NXT, the next sequence \
                number expected (it acknowledges only what arrived)"
            .into();
    }
    if e.data.len() != s.data.len() {
        return "RFC 9293 §3.8.6.1, §3.7.1: text within the peer's window and the send MSS".into();
    }
    if e.data != s.data {
        return "RFC 9293 §3.8.1: a retransmission repeats the text first sent at that \
                sequence number"
            .into();
    }
    "RFC 7323 §3.2, RFC 2018 §2: options as negotiated on the SYNs".into()
}

fn observed(s: &crate::capture::Segment, now: Duration) -> Observed {
    let r = &s.tcp.repr;
    let mut data = s.tcp.payload.clone();
    let captured = data.len().min(r.payload_len);
    data.resize(r.payload_len, 0);
    Observed {
        frame: s.frame,
        now,
        seg: Segment {
            seq: r.seq,
            ack: r.ack,
            ctl: r.flags,
            wnd: r.window,
            mss: r.mss,
            opt: crate::tcp::Options {
                window_scale: r.window_scale,
                sack_permitted: r.sack_permitted,
                timestamps: r.timestamps,
                sack: crate::tcp::SackBlocks::from_wire(&r.sack_blocks),
            },
            data,
        },
        captured,
    }
}

/// The configuration that makes a connection's SYN look like `own` (MSS, window scale with
/// its shift, timestamps, SACK-permitted), with room for any window the peer may fill: a
/// buffer as large as the shift can offer.
fn config(own: Option<&Segment>, peer: Option<&Segment>) -> Config {
    let base = Config {
        delayed_ack: true,
        ..Config::default().with_extensions()
    };
    let Some(own) = own else {
        return base;
    };
    let shift = own.opt.window_scale.unwrap_or(0).min(14);
    let scaled = own.opt.window_scale.is_some();
    let peer_scales = peer.is_none_or(|p| p.opt.window_scale.is_some());
    let rcv_wnd = if scaled && peer_scales {
        (u32::from(u16::MAX) << shift).min(1 << 30)
    } else {
        u32::from(u16::MAX)
    };
    let rcv_wnd = if scaled && crate::tcp::window_shift_for(rcv_wnd) != shift {
        u32::from(u16::MAX) << shift.min(14)
    } else {
        rcv_wnd
    };
    Config {
        mss: own.mss.unwrap_or(536),
        rcv_wnd,
        snd_buf: 1 << 30,
        window_scale: scaled,
        timestamps: own.opt.timestamps.is_some(),
        sack: own.opt.sack_permitted,
        challenge_ack_limit: None,
        ..base
    }
}

/// The shift the endpoint's window fields carry (RFC 7323 §2.3): its own SYN's, if both SYNs
/// carried the option.
fn cfg_shift(own: Option<&&Observed>, peer: Option<&Observed>) -> u8 {
    match (
        own.and_then(|o| o.seg.opt.window_scale),
        peer.and_then(|p| p.seg.opt.window_scale),
    ) {
        (Some(s), Some(_)) => s.min(14),
        _ => 0,
    }
}

/// The first segment of the endpoint whose window's right edge lies left of one it offered
/// before by more than scaling's rounding (RFC 9293 §3.8.6, SHLD-14; RFC 7323 §2.4).
fn window_shrink(events: &[Event], shift: u8) -> Option<(usize, Violation)> {
    let mut edge: Option<Seq> = None;
    for (i, e) in events.iter().enumerate() {
        let Event::Output(o) = e else { continue };
        let s = &o.seg;
        if !s.has(Ctl::ACK) || s.has(Ctl::RST) || s.has(Ctl::SYN) {
            continue;
        }
        let right = s.ack + (u32::from(s.wnd) << shift);
        let slack = (1u32 << shift).saturating_sub(1);
        if let Some(before) = edge
            && (right + slack).lt(before)
        {
            return Some((
                i,
                Violation {
                    frame: o.frame,
                    segment: notation(s),
                    rule: format!(
                        "RFC 9293 §3.8.6 (SHLD-14): the receiver must not shrink its window; \
                         the right edge moves from {before} back to {right}"
                    ),
                    expected: None,
                },
            ));
        }
        if edge.is_none_or(|b| right.gt(b)) {
            edge = Some(right);
        }
    }
    None
}

/// RFC 9293 figure notation with the window and, instead of the text itself, its length.
pub fn notation(s: &Segment) -> String {
    let brief = Segment {
        data: Vec::new(),
        opt: crate::tcp::Options::default(),
        ..s.clone()
    };
    let mut out = brief.to_string();
    if !s.has(Ctl::RST) {
        out += &format!("<WND={}>", s.wnd);
    }
    if !s.data.is_empty() {
        out += &format!("<DATA={} octets>", s.data.len());
    }
    out
}

/// The last segments of `events[..end]` as a ladder, the one at `mark` marked.
fn ladder(events: &[Event], end: usize, mark: Option<usize>) -> Vec<String> {
    const LINES: usize = 8;
    let from = end.saturating_sub(LINES);
    events[from..end]
        .iter()
        .enumerate()
        .map(|(k, e)| {
            let (o, arrow) = match e {
                Event::Output(o) => (o, "-->"),
                Event::Input(o) => (o, "<--"),
            };
            let flag = if mark == Some(from + k) { "  <== " } else { "" };
            format!("{:>6}  {arrow} {}{flag}", o.frame, notation(&o.seg))
                .trim_end()
                .to_string()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn out(frame: u64, seg: Segment) -> Event {
        let captured = seg.data.len();
        Event::Output(Observed {
            frame,
            now: Duration::ZERO,
            seg,
            captured,
        })
    }

    #[test]
    fn the_right_edge_may_not_move_left_beyond_the_rounding_of_scaling() {
        let ack = |a: u32, w: u16| Segment::control(Seq(a), Seq(a), Ctl::ACK, w);
        // Without scaling: 100 + 50 = 150, then 120 + 20 = 140 shrinks.
        let events = [out(1, ack(100, 50)), out(2, ack(120, 20))];
        let (at, v) = window_shrink(&events, 0).unwrap();
        assert_eq!((at, v.frame), (1, 2));
        assert!(v.rule.contains("SHLD-14"));
        // The edge moving right, or staying, is fine; so is a RST's window.
        let events = [out(1, ack(100, 50)), out(2, ack(150, 0))];
        assert!(window_shrink(&events, 0).is_none());
        let rst = Segment::control(Seq(120), Seq(0), Ctl::RST | Ctl::ACK, 0);
        assert!(window_shrink(&[out(1, ack(100, 50)), out(2, rst)], 0).is_none());
        // With a shift of 4, less than 16 octets of shrinking is rounding (RFC 7323 §2.4).
        let events = [out(1, ack(100, 10)), out(2, ack(110, 9))];
        assert!(window_shrink(&events, 4).is_none());
        let events = [out(1, ack(100, 10)), out(2, ack(110, 8))];
        assert!(window_shrink(&events, 4).is_some());
    }

    #[test]
    fn segments_match_on_numbers_judged_control_bits_and_text_not_on_psh_or_window() {
        let o = |seg: Segment| Observed {
            frame: 1,
            now: Duration::ZERO,
            captured: seg.data.len(),
            seg,
        };
        let emitted = Segment::text(Seq(1), Seq(9), 100, b"abc");
        let mut seen = emitted.clone().with_ctl(Ctl::ACK | Ctl::PSH);
        seen.wnd = 7;
        assert!(same(&emitted, &o(seen.clone())));
        seen.ack = Seq(10);
        assert!(!same(&emitted, &o(seen)));
        let other_text = Segment::text(Seq(1), Seq(9), 100, b"abd");
        assert!(!same(&emitted, &o(other_text.clone())));
        // A headers-only capture compares only the length of the text.
        let cut = Observed {
            captured: 0,
            ..o(other_text)
        };
        assert!(same(&emitted, &cut));
    }

    #[test]
    fn the_ladder_notation_gives_the_window_and_the_length_of_the_text() {
        let s = Segment::text(Seq(1), Seq(9), 100, b"abc");
        assert_eq!(
            notation(&s),
            "<SEQ=1><ACK=9><CTL=ACK><WND=100><DATA=3 octets>"
        );
        let rst = Segment::control(Seq(5), Seq(0), Ctl::RST, 0);
        assert_eq!(notation(&rst), "<SEQ=5><CTL=RST>");
    }
}
