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
//! Congestion control is not judged: the candidates run SACK recovery without a congestion
//! controller and with [`Mechanism::CongestionWindow`] off, so they may send whatever the
//! peer's window allows
//! (RFC 5681 §3.1 bounds a sender by its cwnd, but how cwnd evolves is the controller's, and
//! real stacks choose differently: HyStart, PRR, RACK-TLP, pacing).
//!
//! # Streaming, and the common path
//!
//! An [`EndpointJudge`] takes the connection's segments one at a time. The segments before
//! both SYNs are seen (at most [`OPENING`]) wait, since the candidates are configured from
//! them; then each event advances the beam. A candidate whose one deterministic continuation
//! (the pending segments delivered in order, as few as needed, and for new text the SEND of
//! it) emits the observed segment is advanced by it, in place, and the alternatives (some
//! arrivals late or lost, other hidden steps) are not made; a candidate whose continuation
//! does not explain the segment is searched in full as above. When no candidate explains a
//! segment, the fallback runs, then the full search again for every candidate over the last
//! events (`search::WIDEN` or more), so that the alternatives not made are made before a
//! violation is said. What is held is the beam, a few checkpoints of it, and the events
//! since the oldest.
//!
//! # Verdicts
//!
//! "Violates" is said only when the search kept every candidate it made; when it had to cut
//! the beam to `--budget` and then no kept candidate explains a segment, the verdict is
//! "cannot judge" with that reason. A capture whose first segment is not a SYN cannot be
//! judged (the options and numbers negotiated are unknown).

mod fast;
mod search;

use self::search::{Judge, Node, Search};
use super::profile::{Allowance, Profile};
use super::{Endpoint, Kind, Verdict, Violation};
use crate::capture::{Direction, TcpConversation};
use crate::tcp::{Config, Connection, Ctl, Mechanism, Segment, Seq};
use std::collections::VecDeque;
use std::net::SocketAddrV4;
use std::rc::Rc;
use std::time::Duration;

/// At most this many hidden steps before one observed segment.
pub const DEPTH: usize = 3;
/// How many events back an arrival may be chosen as delayed or lost.
pub const HISTORY: usize = 6;
/// Segments a candidate may hold emitted and not yet seen.
const QUEUE: usize = 128;
/// Segments emitted before one the capture shows that may still appear after it (overtaken
/// between the endpoint and the capture point); older ones count as lost.
const LATE: usize = 8;
/// Segments of the peer that may wait, seen and not yet delivered to the endpoint.
pub const PENDING: usize = 1024;
/// The default cap on candidates.
pub const DEFAULT_BUDGET: usize = 256;
/// The SYNs that configure the candidates are looked for among the first this many segments
/// of a connection; the segments before them are held until then.
pub const OPENING: usize = 1024;
/// Lines of a ladder.
const LADDER: usize = 8;

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

impl Event {
    fn observed(&self) -> &Observed {
        match self {
            Event::Input(o) | Event::Output(o) => o,
        }
    }
}

/// Judges the endpoint `side` (the sender of [`Direction::FromA`] or `FromB` segments) of
/// `conversation` with `profile`, keeping at most `budget` candidates.
pub fn judge(
    conversation: &TcpConversation,
    side: Direction,
    profile: Profile,
    budget: usize,
) -> Endpoint {
    let mut judge = EndpointJudge::new(
        conversation.a,
        conversation.b,
        conversation.incarnation,
        side,
        profile,
        budget,
    );
    for s in &conversation.segments {
        judge.push(s.frame, s.timestamp, s.direction, &s.tcp);
    }
    judge.finish()
}

/// One endpoint of a TCP connection judged as its segments stream in: what [`judge`] does,
/// one segment at a time, holding the candidates and the last few hundred events rather than
/// the connection.
pub struct EndpointJudge {
    side: Direction,
    profile: Profile,
    budget: usize,
    judgment: Endpoint,
    /// The first segment's capture time, from which the connection's clock runs.
    t0: Option<Duration>,
    last: Duration,
    /// The last [`LADDER`] events.
    recent: VecDeque<Rc<Event>>,
    /// The events not yet judged, put back in the order sent.
    order: SentOrder,
    phase: Phase,
}

/// Puts the endpoint's segments back in the order it sent them, and takes out the copies a
/// path made, before they are judged.
///
/// A capture point beyond a path that reorders or duplicates (the far endpoint's segments,
/// seen after they crossed it) shows them out of order and some twice (RFC 9293 §3.10.7.4
/// counts on both happening). Two fields of a segment never decrease in the order sent: its
/// ACK (RCV.NXT never retreats) and, with timestamps, its TSval (RFC 7323 §5.4). A segment
/// of the endpoint that shows a smaller TSval, or the same TSval and a smaller ACK, than one
/// seen before it was sent before that one: it is judged where it was sent, before the
/// first held segment of the endpoint it precedes (taking that one's capture time, so that the
/// clock does not run back). Segments alike in both keep the capture's order. A segment equal
/// in every field to one of the endpoint's last [`COPIES`] is a copy the network made and is
/// not judged again (an endpoint that sent two such segments sent nothing the first did not
/// show). The peer's segments keep their places: they are judged when the endpoint receives
/// them, which the search chooses.
///
/// [`REORDER`] events are held while the capture shows no reordering (so that a clean
/// capture is judged from a buffer that stays in the processor's cache), [`REORDER_FAR`] once
/// it has. A segment sent before one already judged, farther back than the events held, is
/// not judged, and an endpoint that would otherwise conform is "cannot judge" with its frame.
struct SentOrder {
    held: VecDeque<Rc<Event>>,
    /// How many events are held.
    depth: usize,
    /// The endpoint's last [`COPIES`] segments, each with a digest of its header.
    sent: VecDeque<(u64, Rc<Event>)>,
    /// Whether a segment has been put back: the capture point lies beyond reordering.
    reordered: bool,
    /// The greatest key of the endpoint's segments judged so far.
    released: Option<(Seq, Seq)>,
    /// The first segment that came too late to be put back.
    unplaced: Option<u64>,
}

impl Default for SentOrder {
    fn default() -> Self {
        SentOrder {
            held: VecDeque::new(),
            depth: REORDER,
            sent: VecDeque::new(),
            reordered: false,
            released: None,
            unplaced: None,
        }
    }
}

/// Events held to restore the order sent while the capture shows no reordering.
const REORDER: usize = 64;
/// Events held once it has: the farthest a segment can be put back.
const REORDER_FAR: usize = 1024;
/// How many of the endpoint's last segments a copy is looked for among.
const COPIES: usize = 64;

/// The order-sent key of an endpoint's segment: TSval (or 0 without timestamps), then ACK.
fn sent_key(s: &Segment) -> Option<(Seq, Seq)> {
    s.has(Ctl::ACK)
        .then(|| (Seq(s.opt.timestamps.map_or(0, |t| t.tsval)), s.ack))
}

/// A digest of the fields that tell two segments apart most often (a copy agrees in all).
fn header_digest(s: &Segment) -> u64 {
    let ts = s.opt.timestamps.map_or(0, |t| t.tsval);
    let a = (u64::from(s.seq.0) << 32) | u64::from(s.ack.0);
    let b = (u64::from(ts) << 32) | (u64::from(s.wnd) << 16) | (s.data.len() as u64 & 0xffff);
    (a ^ b.rotate_left(29)).wrapping_mul(0x9e37_79b9_7f4a_7c15)
}

/// Whether a segment with key `a` was sent before one with key `b`.
fn sent_before(a: (Seq, Seq), b: (Seq, Seq)) -> bool {
    a.0.lt(b.0) || (a.0 == b.0 && a.1.lt(b.1))
}

impl SentOrder {
    /// Takes `event`; the event that leaves the buffer, if one does (at most one: the
    /// buffer holds `depth`).
    fn take(&mut self, mut event: Event) -> Option<Rc<Event>> {
        let output = matches!(event, Event::Output(_));
        let mut at = None;
        let mut digest = 0;
        if let Event::Output(o) = &mut event {
            digest = header_digest(&o.seg);
            let copy = self.sent.iter().any(|(d, e)| {
                *d == digest
                    && match &**e {
                        Event::Output(s) => s.seg == o.seg,
                        Event::Input(_) => false,
                    }
            });
            if copy {
                return None;
            }
            // The first held segment of the endpoint sent after this one: searched from the
            // back, where it is not (and the search stops) when the capture is in order.
            let later = |e: &Event, k| match e {
                Event::Output(h) => sent_key(&h.seg).is_some_and(|hk| sent_before(k, hk)),
                Event::Input(_) => false,
            };
            if let (Some(k), Some(r)) = (sent_key(&o.seg), self.released)
                && sent_before(k, r)
            {
                // Sent before a segment already judged: too late to put back.
                self.reordered = true;
                self.depth = REORDER_FAR;
                self.unplaced.get_or_insert(o.frame);
                return None;
            }
            at = sent_key(&o.seg).and_then(|k| {
                let last = self
                    .held
                    .iter()
                    .rposition(|e| matches!(**e, Event::Output(_)))?;
                if !later(&self.held[last], k) {
                    return None;
                }
                self.held.iter().position(|e| later(e, k))
            });
            if let Some(at) = at {
                self.reordered = true;
                self.depth = REORDER_FAR;
                o.now = self.held[at].observed().now;
            }
        }
        let event = Rc::new(event);
        if output {
            if self.sent.len() == COPIES {
                self.sent.pop_front();
            }
            self.sent.push_back((digest, Rc::clone(&event)));
        }
        match at {
            Some(at) => self.held.insert(at, event),
            None => self.held.push_back(event),
        }
        if self.held.len() > self.depth {
            let out = self.held.pop_front();
            if let Some(Event::Output(o)) = out.as_deref()
                && let Some(k) = sent_key(&o.seg)
                && self.released.is_none_or(|r| sent_before(r, k))
            {
                self.released = Some(k);
            }
            out
        } else {
            None
        }
    }

    /// Every event held, in the order sent.
    fn flush(&mut self) -> Vec<Rc<Event>> {
        self.sent.clear();
        self.held.drain(..).collect()
    }
}

enum Phase {
    /// No segment yet.
    Unopened,
    /// The capture does not show the connection open: nothing can be judged.
    MidConnection,
    /// Waiting for the SYNs that configure the candidates: the events so far.
    Opening(Vec<Rc<Event>>),
    /// The search runs.
    Searching(Box<Running>),
    /// The verdict is in: a violation, or the search gave up.
    Decided,
}

struct Running {
    search: Search,
    edge: Edge,
}

impl EndpointJudge {
    /// The judge of endpoint `side` of the connection between `a` (which opened it) and `b`.
    pub fn new(
        a: SocketAddrV4,
        b: SocketAddrV4,
        incarnation: u32,
        side: Direction,
        profile: Profile,
        budget: usize,
    ) -> EndpointJudge {
        let (endpoint, peer) = match side {
            Direction::FromA => (a, b),
            Direction::FromB => (b, a),
        };
        EndpointJudge {
            side,
            profile,
            budget: budget.max(1),
            judgment: Endpoint {
                kind: Kind::Tcp,
                conversation: 0,
                incarnation,
                endpoint: endpoint.to_string(),
                peer: peer.to_string(),
                verdict: Verdict::Conforms,
                states: Vec::new(),
                segments: 0,
                allowances: Vec::new(),
                ladder: Vec::new(),
            },
            t0: None,
            last: Duration::ZERO,
            recent: VecDeque::with_capacity(LADDER + 1),
            order: SentOrder::default(),
            phase: Phase::Unopened,
        }
    }

    /// The connection's next segment, in capture order: frame `frame`, captured at
    /// `timestamp`, sent in `direction`.
    pub fn push(
        &mut self,
        frame: u64,
        timestamp: Duration,
        direction: Direction,
        tcp: &crate::capture::Tcp,
    ) {
        let sent = direction == self.side;
        self.judgment.segments += usize::from(sent);
        if matches!(self.phase, Phase::Decided) {
            return;
        }
        let t0 = *self.t0.get_or_insert(timestamp);
        let now = timestamp.saturating_sub(t0).max(self.last);
        self.last = now;
        if matches!(self.phase, Phase::Unopened) {
            let flags = tcp.repr.flags;
            self.phase = if flags.syn() && !flags.ack() {
                Phase::Opening(Vec::new())
            } else {
                Phase::MidConnection
            };
        }
        let o = observed(frame, now, tcp);
        let event = if sent {
            Event::Output(o)
        } else {
            Event::Input(o)
        };
        if let Some(event) = self.order.take(event) {
            self.accept(event);
        }
    }

    /// Judges the next event in the order the endpoint sent its segments.
    fn accept(&mut self, event: Rc<Event>) {
        match &mut self.phase {
            Phase::Opening(events) => {
                events.push(Rc::clone(&event));
                let syn = |output: bool| {
                    events.iter().any(|e| {
                        matches!(**e, Event::Output(_)) == output && e.observed().seg.has(Ctl::SYN)
                    })
                };
                if (syn(true) && syn(false)) || events.len() >= OPENING {
                    self.start();
                }
            }
            Phase::Searching(_) => {
                self.remember(&event);
                self.step(event);
            }
            Phase::MidConnection => self.remember(&event),
            Phase::Unopened | Phase::Decided => {}
        }
    }

    /// The judgment, once the connection has no more segments.
    pub fn finish(mut self) -> Endpoint {
        for event in self.order.flush() {
            self.accept(event);
        }
        if matches!(self.phase, Phase::Opening(_)) {
            self.start();
        }
        match std::mem::replace(&mut self.phase, Phase::Decided) {
            Phase::MidConnection => {
                self.judgment.verdict = Verdict::CannotJudge(
                    "the capture starts mid-connection (no SYN opens it)".to_string(),
                );
                self.judgment.ladder = ladder(&self.recent, false);
            }
            Phase::Searching(mut running) => {
                running.search.finish();
                self.judgment.ladder = ladder(&self.recent, false);
                if let Some(first) = running.search.beam.first() {
                    self.judgment.states = first.states.clone();
                    let mut all = first.allowances.clone();
                    all.sort();
                    all.dedup();
                    self.judgment.allowances = all;
                }
            }
            Phase::Unopened | Phase::Opening(_) | Phase::Decided => {}
        }
        if let (Verdict::Conforms, Some(frame)) = (&self.judgment.verdict, self.order.unplaced) {
            self.judgment.verdict = Verdict::CannotJudge(format!(
                "frame {frame} was sent before segments already judged, farther back than the \
                 events held to put the endpoint's segments in the order sent ({REORDER} until \
                 the capture shows reordering, {REORDER_FAR} after)"
            ));
        }
        self.judgment
    }

    /// Configures the candidates from the SYNs seen, and judges the events held so far.
    fn start(&mut self) {
        let Phase::Opening(events) = std::mem::replace(&mut self.phase, Phase::Decided) else {
            return;
        };
        let own_syn = events.iter().find_map(|e| match &**e {
            Event::Output(o) if o.seg.has(Ctl::SYN) => Some(o),
            _ => None,
        });
        let peer_syn = events.iter().find_map(|e| match &**e {
            Event::Input(o) if o.seg.has(Ctl::SYN) => Some(o),
            _ => None,
        });
        let first_output = events.iter().find_map(|e| match &**e {
            Event::Output(o) => Some(o),
            Event::Input(_) => None,
        });
        let mut cfg = config(own_syn.map(|o| &o.seg), peer_syn.map(|o| &o.seg));
        // Not judged (see the module documentation): what the window allows may be sent.
        cfg.mechanisms = cfg.mechanisms.without(Mechanism::CongestionWindow);
        cfg.crossing_syn_ack_establishes = self.profile.allows(Allowance::SynAckInSynReceived);
        let iss = own_syn.map_or(Seq(0), |o| o.seg.seq);
        let fresh = |cfg: Config| {
            let mut conn = Connection::new(cfg);
            if let Some(ts) = own_syn.and_then(|o| o.seg.opt.timestamps) {
                let ms = own_syn.map_or(0, |o| o.now.as_millis() as u32);
                conn.set_timestamp_offset(ts.tsval.wrapping_sub(ms));
            }
            Node::new(conn)
        };
        let active = first_output.is_some_and(|o| o.seg.has(Ctl::SYN) && !o.seg.has(Ctl::ACK));
        let mut beam = Vec::new();
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
        let judge = Judge {
            profile: self.profile,
            budget: self.budget,
            iss,
            pruned: None,
        };
        let edge = Edge::new(cfg_shift(own_syn, peer_syn));
        self.phase = Phase::Searching(Box::new(Running {
            search: Search::new(judge, beam),
            edge,
        }));
        // The events held are judged as if they came now: the ladder of a verdict among
        // them ends at the event that brought it.
        self.recent.clear();
        for event in events {
            if matches!(self.phase, Phase::Decided) {
                break;
            }
            self.remember(&event);
            self.step(event);
        }
    }

    fn remember(&mut self, event: &Rc<Event>) {
        if self.recent.len() == LADDER {
            self.recent.pop_front();
        }
        self.recent.push_back(Rc::clone(event));
    }

    /// Judges `event`, the last one remembered.
    fn step(&mut self, event: Rc<Event>) {
        let Phase::Searching(running) = &mut self.phase else {
            return;
        };
        running.edge.reordered |= self.order.reordered;
        let stop = match &*event {
            Event::Output(o) => running.edge.check(o).map(|v| search::Stop {
                verdict: Verdict::Violates(v),
                states: running
                    .search
                    .beam
                    .first()
                    .map(|n| n.states.clone())
                    .unwrap_or_default(),
                allowances: Vec::new(),
            }),
            Event::Input(_) => None,
        };
        let Some(stop) = stop.or_else(|| running.search.push(event)) else {
            return;
        };
        self.judgment.ladder = ladder(&self.recent, true);
        self.judgment.verdict = stop.verdict;
        self.judgment.states = stop.states;
        self.judgment.allowances = stop.allowances;
        self.phase = Phase::Decided;
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

fn observed(frame: u64, now: Duration, tcp: &crate::capture::Tcp) -> Observed {
    let r = &tcp.repr;
    let mut data = Vec::with_capacity(r.payload_len);
    data.extend_from_slice(&tcp.payload[..tcp.payload.len().min(r.payload_len)]);
    let captured = data.len().min(r.payload_len);
    data.resize(r.payload_len, 0);
    Observed {
        frame,
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
        // Congestion control is not judged (see the module documentation), and with
        // `Mechanism::CongestionWindow` off nothing a controller holds limits what may be
        // sent; a controller would only make candidates that sent alike differ (its rounds,
        // its reductions and their undoing) and fill the search's budget.
        congestion: None,
        ..base
    }
}

/// The shift the endpoint's window fields carry (RFC 7323 §2.3): its own SYN's, if both SYNs
/// carried the option.
fn cfg_shift(own: Option<&Observed>, peer: Option<&Observed>) -> u8 {
    match (
        own.and_then(|o| o.seg.opt.window_scale),
        peer.and_then(|p| p.seg.opt.window_scale),
    ) {
        (Some(s), Some(_)) => s.min(14),
        _ => 0,
    }
}

/// The right edge of the window the endpoint offers, which must never move left by more than
/// scaling's rounding (RFC 9293 §3.8.6, SHLD-14; RFC 7323 §2.4). Judged apart from the
/// search: the window value is free, its right edge is not.
///
/// The order judged is the order sent. A capture point beyond a path that reorders sees an
/// endpoint's segments out of that order, and an older segment with the smaller right edge of
/// its time may appear after a newer one. Two fields show the order sent: the ACK (RCV.NXT
/// never retreats) and, with timestamps, TSval (RFC 7323 §5.4: non-decreasing). A segment
/// with a smaller ACK or TSval than the one that set the edge was sent before it, and is not
/// judged against it; a segment with a greater one was sent after it, and is. Between two
/// segments alike in both, the capture's order is taken as the order sent until the capture
/// shows the endpoint's segments out of order (a smaller ACK or TSval after a greater one):
/// from then on (or once [`SentOrder`] has put a segment back), the capture point is known
/// to lie beyond reordering, and such a pair is not judged either.
struct Edge {
    shift: u8,
    /// The right edge, and the ACK and TSval of the segment that set it.
    edge: Option<(Seq, Seq, Option<u32>)>,
    /// The greatest ACK and TSval seen so far.
    latest: Option<(Seq, Option<u32>)>,
    /// Whether the endpoint's segments have been seen out of the order they were sent.
    reordered: bool,
}

impl Edge {
    fn new(shift: u8) -> Edge {
        Edge {
            shift,
            edge: None,
            latest: None,
            reordered: false,
        }
    }

    /// The violation if the endpoint's segment `o` shrinks the window.
    fn check(&mut self, o: &Observed) -> Option<Violation> {
        let s = &o.seg;
        if !s.has(Ctl::ACK) || s.has(Ctl::RST) || s.has(Ctl::SYN) {
            return None;
        }
        let shift = self.shift;
        let right = s.ack + (u32::from(s.wnd) << shift);
        let slack = (1u32 << shift).saturating_sub(1);
        let tsval = s.opt.timestamps.map(|t| t.tsval);
        let older = |(ack, ts): (Seq, Option<u32>)| {
            s.ack.lt(ack) || matches!((tsval, ts), (Some(a), Some(b)) if Seq(a).lt(Seq(b)))
        };
        let newer = |(ack, ts): (Seq, Option<u32>)| {
            s.ack.gt(ack) || matches!((tsval, ts), (Some(a), Some(b)) if Seq(a).gt(Seq(b)))
        };
        if self.latest.is_some_and(older) {
            self.reordered = true;
        }
        if self.latest.is_none_or(newer) {
            self.latest = Some((s.ack, tsval));
        }
        if let Some((before, ack, ts)) = self.edge
            && (right + slack).lt(before)
            && (newer((ack, ts)) || !(self.reordered || older((ack, ts))))
        {
            return Some(Violation {
                frame: o.frame,
                segment: notation(s),
                rule: format!(
                    "RFC 9293 §3.8.6 (SHLD-14): the receiver must not shrink its window; \
                     the right edge moves from {before} back to {right}"
                ),
                expected: None,
            });
        }
        if self.edge.is_none_or(|(b, _, _)| right.gt(b)) {
            self.edge = Some((right, s.ack, tsval));
        }
        None
    }
}

/// The first segment of the endpoint in `events` that shrinks its window, and its index.
#[cfg(test)]
fn window_shrink(events: &[Event], shift: u8) -> Option<(usize, Violation)> {
    let mut edge = Edge::new(shift);
    events.iter().enumerate().find_map(|(i, e)| match e {
        Event::Output(o) => edge.check(o).map(|v| (i, v)),
        Event::Input(_) => None,
    })
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

/// `events` (the last few) as a ladder, the last one marked if `mark_last`.
fn ladder(events: &VecDeque<Rc<Event>>, mark_last: bool) -> Vec<String> {
    let last = events.len().saturating_sub(1);
    events
        .iter()
        .enumerate()
        .map(|(k, e)| {
            let (o, arrow) = match &**e {
                Event::Output(o) => (o, "-->"),
                Event::Input(o) => (o, "<--"),
            };
            let flag = if mark_last && k == last { "  <== " } else { "" };
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

    /// An acknowledgment of `a` with TSval `ts` and window `w`.
    fn ack(a: u32, ts: u32, w: u16) -> Segment {
        let mut s = Segment::control(Seq(1), Seq(a), Ctl::ACK, w);
        s.opt.timestamps = Some(crate::tcp::Timestamps {
            tsval: ts,
            tsecr: 0,
        });
        s
    }

    #[test]
    fn segments_seen_out_of_the_order_sent_are_put_back_and_copies_dropped() {
        let input = |frame: u64| {
            Event::Input(Observed {
                frame,
                now: Duration::from_millis(frame),
                seg: Segment::text(Seq(500), Seq(1), 10, b"x"),
                captured: 1,
            })
        };
        let at = |frame: u64, seg: Segment| {
            let Event::Output(o) = out(frame, seg) else {
                unreachable!()
            };
            Event::Output(Observed {
                now: Duration::from_millis(frame),
                ..o
            })
        };
        let mut order = SentOrder::default();
        let mut judged = Vec::new();
        for e in [
            at(1, ack(100, 7, 50)),
            input(2),
            at(3, ack(300, 8, 50)),
            // Sent before frame 3 (smaller TSval), and before frame 1 (same TSval, smaller
            // ACK): put back first, at frame 1's time.
            at(4, ack(90, 7, 60)),
            // A copy of frame 3 made by the path: not judged again.
            at(5, ack(300, 8, 50)),
            // Alike frame 3 in both: the capture's order stands.
            at(6, ack(300, 8, 40)),
        ] {
            judged.extend(order.take(e));
        }
        judged.extend(order.flush());
        let frames: Vec<u64> = judged.iter().map(|e| e.observed().frame).collect();
        assert_eq!(frames, [4, 1, 2, 3, 6]);
        assert_eq!(judged[0].observed().now, Duration::from_millis(1));
        assert!(order.reordered);
        // In order, nothing moves.
        let mut order = SentOrder::default();
        let mut judged = Vec::new();
        for e in [
            at(1, ack(100, 7, 50)),
            at(2, ack(100, 8, 50)),
            at(3, ack(200, 8, 50)),
        ] {
            judged.extend(order.take(e));
        }
        judged.extend(order.flush());
        let frames: Vec<u64> = judged.iter().map(|e| e.observed().frame).collect();
        assert_eq!(frames, [1, 2, 3]);
        assert!(!order.reordered);
        // A segment sent before one already judged, beyond the events held: not judged,
        // and remembered; the buffer deepens.
        let mut order = SentOrder::default();
        let mut released = 0;
        for k in 0..=REORDER as u32 {
            released += usize::from(
                order
                    .take(at(u64::from(k) + 1, ack(100 + k, 7, 50)))
                    .is_some(),
            );
        }
        assert_eq!(released, 1);
        assert!(order.take(at(999, ack(99, 7, 50))).is_none());
        assert_eq!((order.unplaced, order.depth), (Some(999), REORDER_FAR));
    }

    #[test]
    fn a_window_edge_seen_beyond_reordering_is_judged_in_the_order_sent() {
        // An older segment (smaller TSval) with a smaller edge: not a shrink.
        let events = [out(1, ack(100, 8, 50)), out(2, ack(100, 7, 20))];
        assert!(window_shrink(&events, 0).is_none());
        // A newer one (greater ACK) with a smaller edge: a shrink.
        let events = [out(1, ack(100, 8, 50)), out(2, ack(110, 8, 20))];
        assert!(window_shrink(&events, 0).is_some());
        // Alike in both: the capture's order, until reordering has been seen.
        let events = [out(1, ack(100, 8, 50)), out(2, ack(100, 8, 20))];
        assert!(window_shrink(&events, 0).is_some());
        let events = [
            out(1, ack(100, 8, 50)),
            out(2, ack(90, 7, 50)),
            out(3, ack(100, 8, 20)),
        ];
        assert!(window_shrink(&events, 0).is_none());
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
