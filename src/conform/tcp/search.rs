//! The search of [`super`]: candidates, the hidden steps between observed segments, and the
//! beam that holds them as the endpoint's events stream in.
//!
//! Each candidate whose deterministic continuation explains a segment is advanced in place
//! ([`fast`](super::fast)); a candidate whose continuation does not is searched in full from
//! where it was before the segment, keeping every alternative the search finds. When no
//! candidate explains a segment, the fallback runs (an arrival among the last [`HISTORY`]
//! lost), and then the full search again over the last [`WIDEN`] events or more, this time
//! for every candidate, so that the alternatives the common path did not make are made; only
//! when that fails too is the segment unexplained.
//!
//! The beams before recent events are rebuilt from checkpoints: a copy of the beam taken
//! every [`CHECKPOINT`] events and after every segment the common path did not explain,
//! replayed through the events since (the replay is deterministic and crosses only segments
//! explained in place). So the beam is copied every few hundred events on the common path
//! instead of at every event, and the events kept are those since the oldest checkpoint
//! still needed.

use super::{
    DEPTH, Event, HISTORY, LATE, Observed, PENDING, QUEUE, distance, notation, rule, same,
};
const _: () = assert!(WIDEN >= HISTORY);
use crate::conform::profile::{Allowance, Profile};
use crate::tcp::{Connection, Ctl, Segment, Seq, State, Timer};
use std::borrow::Cow;
use std::collections::VecDeque;
use std::rc::Rc;

/// At most this many events between checkpoints of the beam.
pub const CHECKPOINT: usize = 256;
/// When no candidate explains a segment, the full search runs again from a checkpoint at
/// least this many events back (and at least [`HISTORY`]).
pub const WIDEN: usize = 256;

/// A segment of the peer waiting to reach the endpoint: its index among the endpoint's
/// events (its identity) and the event itself.
#[derive(Clone)]
pub(super) struct Pending {
    index: usize,
    event: Rc<Event>,
}

impl PartialEq for Pending {
    fn eq(&self, other: &Self) -> bool {
        self.index == other.index
    }
}

impl Eq for Pending {}

/// A candidate: a connection and the segments it emitted that the capture has not shown yet.
#[derive(Clone, PartialEq, Eq)]
pub(super) struct Cand {
    pub conn: Connection,
    pub queue: VecDeque<Segment>,
    /// Segments of the peer the capture showed that have not reached the endpoint yet, in
    /// order.
    pub pending: VecDeque<Pending>,
}

/// A candidate with what the report needs (not part of its identity).
#[derive(Clone)]
pub(super) struct Node {
    pub cand: Cand,
    pub states: Vec<State>,
    pub allowances: Vec<Allowance>,
}

impl Node {
    /// A candidate for `conn`, before any event.
    pub fn new(conn: Connection) -> Node {
        Node {
            cand: Cand {
                conn,
                queue: VecDeque::new(),
                pending: VecDeque::new(),
            },
            states: vec![State::Closed],
            allowances: Vec::new(),
        }
    }

    pub fn note_state(&mut self) {
        let s = self.cand.conn.state();
        if self.states.last() != Some(&s) {
            self.states.push(s);
        }
    }

    pub fn drain(&mut self, now: std::time::Duration) {
        while let Some(s) = self.cand.conn.poll_transmit(now) {
            self.cand.queue.push_back(s);
        }
        while self.cand.queue.len() > QUEUE {
            self.cand.queue.pop_front();
        }
        self.note_state();
    }

    /// Takes the queued segment at `at` as the one the capture shows. The segments emitted
    /// before it that the capture has not shown were lost before the capture point, or
    /// overtaken by it on the way (a capture point beyond a path that reorders): the last
    /// [`LATE`] of them stay queued, so that one of them may still appear, the older ones are
    /// dropped as lost.
    pub fn take_queued(&mut self, at: usize) {
        self.cand.queue.remove(at);
        let older = at.saturating_sub(LATE);
        self.cand.queue.drain(..older);
    }

    fn deliver(&mut self, o: &Observed, iss: Seq) {
        let was = self.cand.conn.state();
        self.cand.conn.on_listen_segment(o.now, &o.seg, iss);
        // Only `Config::crossing_syn_ack_establishes`, which the profile sets, moves a
        // SYN-RECEIVED to ESTABLISHED on a SYN,ACK.
        if was == State::SynReceived
            && o.seg.has(Ctl::SYN)
            && self.cand.conn.state() == State::Established
        {
            self.allowances.push(Allowance::SynAckInSynReceived);
        }
        self.cand.conn.discard_received(o.now);
        self.drain(o.now);
    }
}

/// How many of the oldest pending segments the search tries, one at a time, as lost when
/// nothing else explains a segment (each try delivers all the others).
const LOST: usize = 64;

/// Hidden steps before an observed segment.
#[derive(Clone, Copy, Debug)]
pub(super) enum Step {
    Expire(Timer),
    Send,
    Close,
    SendClose,
    Abort,
    WindowUpdate,
    /// A tail loss probe (allowance `tail-loss-probe`).
    TailProbe,
}

/// The rules of the search, and what it has had to give up.
pub(super) struct Judge {
    pub profile: Profile,
    pub budget: usize,
    /// The endpoint's ISS (seq of its first SYN), for LISTEN.
    pub iss: Seq,
    /// The frame at which the beam was first cut to the budget.
    pub pruned: Option<u64>,
}

impl Judge {
    pub fn cap(&mut self, mut next: Vec<Node>, frame: u64) -> Vec<Node> {
        dedup(&mut next);
        if next.len() > self.budget {
            next.truncate(self.budget);
            if self.pruned.is_none() {
                self.pruned = Some(frame);
            }
        }
        next
    }

    /// A segment of the peer reaches the capture point: it is pending for the endpoint,
    /// and reaches it (in order) when an explanation needs it, or when [`PENDING`] are
    /// waiting.
    pub fn arrive(&self, n: &mut Node, index: usize, event: &Rc<Event>) {
        n.cand.pending.push_back(Pending {
            index,
            event: Rc::clone(event),
        });
        while n.cand.pending.len() > PENDING {
            self.deliver_next(n);
        }
    }

    /// Whether the oldest pending segment is a bare acknowledgment (no text, SYN, FIN or
    /// RST) that acknowledges something new.
    pub fn leading_bare_ack(&self, n: &Node) -> bool {
        let Some(p) = n.cand.pending.front() else {
            return false;
        };
        let Event::Input(o) = &*p.event else {
            return false;
        };
        let t = n.cand.conn.tcb();
        o.seg.ctl.without(Ctl::PSH | Ctl::URG | Ctl::ECE | Ctl::CWR) == Ctl::ACK
            && o.seg.data.is_empty()
            && t.state.is_synchronized()
            && o.seg.ack.gt(t.snd_una)
    }

    /// The oldest pending segment reaches the endpoint; false if none was pending.
    pub fn deliver_next(&self, n: &mut Node) -> bool {
        let Some(p) = n.cand.pending.pop_front() else {
            return false;
        };
        if let Event::Input(o) = &*p.event {
            n.deliver(o, self.iss);
        }
        true
    }

    /// `n` with every pending segment delivered, in order, except those whose arrival would
    /// contradict `o` (see [`holds_back`]). Those stay pending: they are late (overtaken by
    /// the ones after them) or lost.
    fn guided(&self, n: &Node, o: &Observed) -> Node {
        let mut x = n.clone();
        let pending = std::mem::take(&mut x.cand.pending);
        for p in pending {
            let Event::Input(input) = &*p.event else {
                continue;
            };
            let mut y = x.clone();
            y.deliver(input, self.iss);
            if holds_back(&y, o) {
                x.cand.pending.push_back(p);
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
    pub fn explain_all(&self, beam: &[Node], o: &Observed) -> Vec<Node> {
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
            for lost in 0..n.cand.pending.len().min(LOST) {
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
        m.take_queued(at);
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
        // RFC 8985 §7.3 under the profile: the most recently sent segment again
        // (`Connection::probe_tail` decides whether `o` can be one).
        let occupies = !o.seg.data.is_empty() || o.seg.has(Ctl::FIN);
        if self.profile.allows(Allowance::TailLossProbe) && occupies {
            steps.push(Step::TailProbe);
        }
        steps
    }

    pub fn apply(&self, n: &mut Node, step: Step, o: &Observed) -> bool {
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
            Step::TailProbe => {
                let sent = conn.probe_tail(now, o.seg.seq);
                if sent {
                    n.allowances.push(Allowance::TailLossProbe);
                }
                sent
            }
        };
        if ok {
            n.drain(now);
        }
        ok
    }

    /// Runs again from before a recent arrival, with that arrival lost before it reached
    /// the endpoint: `history` holds the beams before the events from `first` to `at`, and
    /// `events` those events.
    pub fn fallback(
        &mut self,
        history: &[(usize, Vec<Node>)],
        events: &[Rc<Event>],
        first: usize,
        at: usize,
    ) -> Vec<Node> {
        let event = |k: usize| &events[k - first];
        let mut found = Vec::new();
        for (start, beam) in history.iter().rev() {
            if !matches!(**event(*start), Event::Input(_)) {
                continue;
            }
            let mut b = beam.clone();
            for k in start + 1..at {
                let e = event(k);
                b = match &**e {
                    Event::Input(_) => {
                        for n in &mut b {
                            self.arrive(n, k, e);
                        }
                        b
                    }
                    Event::Output(o) => self.explain_all(&b, o),
                };
            }
            if let Event::Output(o) = &**event(at) {
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
    pub fn diagnose(&self, beam: &[Node], o: &Observed) -> (String, Option<String>) {
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

/// Whether `o` shows that the last segment delivered to `n` has not reached the endpoint:
/// it moved RCV.NXT past `o`'s acknowledgment, or SND.UNA past the sequence number of text,
/// SYN or FIN that `o` (re)sends.
pub(super) fn holds_back(n: &Node, o: &Observed) -> bool {
    let occupies = !o.seg.data.is_empty() || o.seg.has(Ctl::SYN) || o.seg.has(Ctl::FIN);
    let t = n.cand.conn.tcb();
    let synchronized = t.state.is_synchronized();
    let past_ack = o.seg.has(Ctl::ACK) && synchronized && t.rcv_nxt.gt(o.seg.ack);
    let past_seq = occupies && synchronized && t.snd_una.gt(o.seg.seq);
    past_ack || past_seq
}

pub(super) fn dedup(nodes: &mut Vec<Node>) {
    if nodes.len() < 2 {
        return;
    }
    let mut kept: Vec<Node> = Vec::with_capacity(nodes.len());
    for n in nodes.drain(..) {
        if !kept.iter().any(|k| k.cand == n.cand) {
            kept.push(n);
        }
    }
    *nodes = kept;
}

/// The text `o` carries beyond what `conn` has queued: what a SEND must have given it
/// (borrowed from `o` when it follows the queued text, as it does unless text was sent and
/// never seen).
pub(super) fn missing_text<'a>(conn: &Connection, o: &'a Observed) -> Option<Cow<'a, [u8]>> {
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
        Some(Cow::Borrowed(&o.seg.data[from..]))
    } else {
        // Text queued and sent but never seen: its bytes are unknown.
        let gap = (o.seg.seq - end) as usize;
        if gap > 1 << 20 {
            return None;
        }
        let mut text = vec![0; gap];
        text.extend_from_slice(&o.seg.data);
        Some(Cow::Owned(text))
    }
}

/// The beam of one endpoint, advanced one event at a time.
pub(super) struct Search {
    pub j: Judge,
    /// The candidates before event `next`.
    pub beam: Vec<Node>,
    /// The index of the next event.
    next: usize,
    /// The events from `base` (the oldest checkpoint) to `next`.
    window: VecDeque<Rc<Event>>,
    base: usize,
    /// Copies of the beam before the event of each index, oldest first.
    checkpoints: VecDeque<(usize, Vec<Node>)>,
    /// Which candidates the common path explained the last segment with (kept to be reused).
    explained: Vec<bool>,
}

/// Why the search stopped: no candidate explains a segment.
pub(super) struct Stop {
    pub verdict: super::Verdict,
    pub states: Vec<State>,
    pub allowances: Vec<Allowance>,
}

impl Search {
    pub fn new(j: Judge, beam: Vec<Node>) -> Search {
        Search {
            j,
            checkpoints: VecDeque::from([(0, beam.clone())]),
            beam,
            next: 0,
            window: VecDeque::new(),
            base: 0,
            explained: Vec::new(),
        }
    }

    /// Advances the beam past `event`; `Some` when no candidate explains it.
    pub fn push(&mut self, event: Rc<Event>) -> Option<Stop> {
        let i = self.next;
        self.window.push_back(Rc::clone(&event));
        let mut slow = false;
        match &*event {
            Event::Input(o) => {
                let frame = o.frame;
                self.input(i, &event, frame);
            }
            Event::Output(o) => {
                let mut beam = std::mem::take(&mut self.beam);
                let mut explained = std::mem::take(&mut self.explained);
                explained.clear();
                explained.extend(beam.iter_mut().map(|n| self.j.fast(n, o)));
                let all = !beam.is_empty() && explained.iter().all(|e| *e);
                self.explained = explained;
                if all {
                    self.beam = self.j.cap(beam, o.frame);
                } else {
                    slow = true;
                    // The candidates as they were before `o`; those whose continuation does
                    // not explain it are searched in full.
                    let before = self.beams_before(i, i).pop().map(|(_, b)| b);
                    let before = before.unwrap_or_default();
                    let mut next = Vec::new();
                    for ((n, fast), ok) in before.iter().zip(beam).zip(&self.explained) {
                        if *ok {
                            next.push(fast);
                        } else {
                            next.extend(self.j.explain_all(std::slice::from_ref(n), o));
                        }
                    }
                    dedup(&mut next);
                    if next.is_empty() {
                        let first = i.saturating_sub(HISTORY - 1);
                        let history = self.beams_before(first, i);
                        let events: Vec<Rc<Event>> =
                            self.window.range(first - self.base..).cloned().collect();
                        next = self.j.fallback(&history, &events, first, i);
                    }
                    if next.is_empty() {
                        next = self.widened(i);
                    }
                    if next.is_empty() {
                        // The widened search starts at the oldest checkpoint: from the first
                        // event it has searched every run, else the runs the common path
                        // left out before that checkpoint were never searched.
                        let from = self.checkpoints.front().map_or(0, |c| c.0);
                        return Some(self.stop(&before, o, from));
                    }
                    self.beam = self.j.cap(next, o.frame);
                }
            }
        }
        self.next = i + 1;
        let last = self.checkpoints.back().map_or(0, |c| c.0);
        if slow || self.next - last >= CHECKPOINT {
            self.checkpoints.push_back((self.next, self.beam.clone()));
        }
        self.thin_checkpoints();
        let keep_from = self.checkpoints.front().map_or(self.next, |c| c.0);
        while self.base < keep_from && self.window.pop_front().is_some() {
            self.base += 1;
        }
        None
    }

    /// Keeps the latest checkpoint at least [`WIDEN`] events back (the widened search starts
    /// there), every one from the latest at least [`HISTORY`] events back on (the beams
    /// before the recent events are replayed through them), and between the two one at
    /// least every [`CHECKPOINT`] events, so that a later widened search finds its start
    /// and the events before it can be let go: the events kept stay within about
    /// `WIDEN + 2 * CHECKPOINT`, however many checkpoints segments off the common path add.
    fn thin_checkpoints(&mut self) {
        let latest_by = |at: usize| {
            self.checkpoints
                .iter()
                .rposition(|(c, _)| *c <= at)
                .unwrap_or(0)
        };
        let widen = latest_by(self.next.saturating_sub(WIDEN));
        let history = latest_by(self.next.saturating_sub(HISTORY));
        let mut last_kept: Option<usize> = None;
        let all = std::mem::take(&mut self.checkpoints);
        for (k, c) in all.into_iter().enumerate() {
            let spaced = last_kept.is_none_or(|at| c.0 >= at + CHECKPOINT);
            if k == widen || k >= history || (k > widen && spaced) {
                last_kept = Some(c.0);
                self.checkpoints.push_back(c);
            }
        }
    }

    fn input(&mut self, i: usize, event: &Rc<Event>, frame: u64) {
        let mut beam = std::mem::take(&mut self.beam);
        for n in &mut beam {
            self.j.arrive(n, i, event);
        }
        self.beam = self.j.cap(beam, frame);
    }

    /// The verdict when nothing explains `o`: a violation only if the search that failed
    /// covered every run from the endpoint's first event (`searched_from` is where the full
    /// search started) and never outgrew its budget; otherwise the search gives up.
    fn stop(&self, before: &[Node], o: &Observed, searched_from: usize) -> Stop {
        let rule = self.j.diagnose(before, o);
        let verdict = match self.j.pruned {
            Some(frame) => super::Verdict::CannotJudge(format!(
                "the search outgrew its budget of {} candidates at frame {frame}, \
                 and none it kept explains frame {}",
                self.j.budget, o.frame
            )),
            None if searched_from > 0 => super::Verdict::CannotJudge(format!(
                "no run explains frame {} ({}) among those searched in full over the \
                 endpoint's last {} events; runs that part from the common path before \
                 them were not searched (a streaming judge keeps only recent events)",
                o.frame,
                rule.0,
                self.next + 1 - searched_from,
            )),
            None => super::Verdict::Violates(super::Violation {
                frame: o.frame,
                segment: notation(&o.seg),
                rule: rule.0,
                expected: rule.1,
            }),
        };
        let first = before.first();
        Stop {
            verdict,
            states: first.map(|n| n.states.clone()).unwrap_or_default(),
            allowances: first.map(|n| n.allowances.clone()).unwrap_or_default(),
        }
    }

    /// The beams before each event from `lo` to `hi` (at most the next one), replayed from
    /// the latest checkpoint at or before `lo`, and taken from each later checkpoint on the
    /// way. Every event replayed was explained in place when it was first judged (a
    /// checkpoint follows every other, and the replay takes it instead of the event), and is
    /// again: the rules are deterministic.
    fn beams_before(&mut self, lo: usize, hi: usize) -> Vec<(usize, Vec<Node>)> {
        let Some(at) = self.checkpoints.iter().rposition(|(c, _)| *c <= lo) else {
            return Vec::new();
        };
        let mut next_checkpoint = at + 1;
        let mut k = self.checkpoints[at].0;
        let mut beam = self.checkpoints[at].1.clone();
        let mut out = Vec::new();
        loop {
            if let Some((c, b)) = self.checkpoints.get(next_checkpoint)
                && *c == k
            {
                beam = b.clone();
                next_checkpoint += 1;
            }
            if k == hi {
                out.push((k, beam));
                return out;
            }
            if k >= lo {
                out.push((k, beam.clone()));
            }
            k += 1;
            if self
                .checkpoints
                .get(next_checkpoint)
                .is_some_and(|(c, _)| *c == k)
            {
                // The event was not explained in place: the checkpoint after it holds what
                // the search made of it.
                continue;
            }
            let event = Rc::clone(&self.window[k - 1 - self.base]);
            match &*event {
                Event::Input(o) => {
                    for n in &mut beam {
                        self.j.arrive(n, k - 1, &event);
                    }
                    beam = self.j.cap(beam, o.frame);
                }
                Event::Output(o) => {
                    for n in &mut beam {
                        let explained = self.j.fast(n, o);
                        debug_assert!(explained, "a replayed segment is explained as before");
                    }
                    beam = self.j.cap(beam, o.frame);
                }
            }
        }
    }

    /// The full search (every candidate's alternatives kept, the fallback where nothing
    /// explains a segment) run again from the oldest checkpoint through event `at`: the
    /// alternatives the common path did not make since then, for when its candidates are
    /// all contradicted. The beam after `at`, empty if that search is contradicted too.
    fn widened(&mut self, at: usize) -> Vec<Node> {
        let Some((from, start)) = self.checkpoints.front().cloned() else {
            return Vec::new();
        };
        let mut beam = start;
        let mut history: VecDeque<(usize, Vec<Node>)> = VecDeque::new();
        for k in from..=at {
            let event = Rc::clone(&self.window[k - self.base]);
            history.push_back((k, beam.clone()));
            if history.len() > HISTORY {
                history.pop_front();
            }
            let next = match &*event {
                Event::Input(_) => {
                    for n in &mut beam {
                        self.j.arrive(n, k, &event);
                    }
                    beam
                }
                Event::Output(o) => {
                    let mut next = self.j.explain_all(&beam, o);
                    if next.is_empty() {
                        let first = history.front().map_or(k, |h| h.0);
                        let events: Vec<Rc<Event>> = self
                            .window
                            .range(first - self.base..=k - self.base)
                            .cloned()
                            .collect();
                        next = self
                            .j
                            .fallback(history.make_contiguous(), &events, first, k);
                    }
                    if next.is_empty() {
                        return Vec::new();
                    }
                    next
                }
            };
            beam = self.j.cap(next, event.observed().frame);
        }
        beam
    }

    /// The end of the capture: what arrived after the endpoint's last segment reaches it too.
    pub fn finish(&mut self) {
        for n in &mut self.beam {
            while self.j.deliver_next(n) {}
        }
    }
}
