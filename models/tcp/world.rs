//! The world the TCP models explore: two endpoints, A and B, on one 4-tuple, their users, and
//! a network that loses, duplicates, reorders and delays segments.
//!
//! `next_state` applies exactly one pure transition of [`crate::tcp`] (a user call, a segment
//! arrival or a timer expiry) and records what happened in ghost fields. Nothing here decides
//! a protocol rule; the model only decides what the environment may do next.
//!
//! Time (in the timed scenarios) is a discrete tick, long compared with a round trip and short
//! compared with MSL. A segment in flight is *prompt*: it is delivered or lost before the next
//! tick. The network may instead *delay* a segment (a bounded budget): a delayed segment ages
//! one per tick and is delivered (or lost) at the latest when its age reaches MSL ticks, the
//! maximum segment lifetime. Losses and duplications are bounded by budgets; a duplicate keeps
//! the age of its original.
//!
//! Each endpoint is a [`Connection`], which owns its timers as deadlines. The model keeps its
//! clock at zero and tells each connection, when a tick passes, that the origin moved one
//! [`TICK`] later ([`Connection::rebase`]): equal states stay equal. A deadline at or before
//! zero is due. TIME-WAIT's timer (2·MSL, that is `2 * MSL_TICKS` ticks) fires when due, before
//! anything else happens: its deadline is a deadline, not a possibility. An armed
//! retransmission timer may fire once no prompt segment is in flight (an RTO longer than a
//! round trip, shorter than a tick), and before time advances further, but at most once per
//! tick (the backed-off RTO soon exceeds a tick); the connection itself decides whether it is
//! armed, what firing resends, and when R2 aborts the connection.
//!
//! An off-path attacker (RFC 5961 §1.2's blind attacker, a bounded budget of forgeries) knows
//! the 4-tuple but not the sequence numbers; the model grants it the lucky guess that RFC 5961
//! defends against, a sequence number inside the victim's receive window, and never the exact
//! RCV.NXT of a RST nor an acceptable ACK, against which no mechanism of TCP can help. Its
//! segment arrives at once (see [`Forgery`]).

use crate::models::cached::Cached;
use crate::tcp::{
    Config, Connection, Ctl, Event, Mechanisms, Segment, Seq, State, Tcb, Timer, Witness, Witnesses,
};
use std::fmt;
use std::time::Duration;

/// One tick of model time: longer than any RTO (at most a minute), so that a retransmission
/// timer armed before a tick is due after it.
pub const TICK: Duration = Duration::from_secs(100);

/// The model's clock, always at the origin (see [`Connection::rebase`]).
const NOW: Duration = Duration::ZERO;

/// One of the two endpoints.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, PartialOrd, Ord)]
pub enum Side {
    /// Peer A (the left column of a ladder).
    A,
    /// Peer B (the right column).
    B,
}

impl Side {
    /// The other endpoint.
    pub fn peer(self) -> Side {
        match self {
            Side::A => Side::B,
            Side::B => Side::A,
        }
    }
}

impl fmt::Display for Side {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Side::A => "A",
            Side::B => "B",
        })
    }
}

/// A segment in flight with its ghost tags (never read by protocol code).
#[derive(Clone, PartialEq, Eq, Hash, Debug, PartialOrd, Ord)]
pub struct Flight {
    /// Whether the network delays this segment past the next tick.
    pub delayed: bool,
    /// Ticks spent in the network (delayed segments only).
    pub age: u8,
    /// Who sent it.
    pub from: Side,
    /// Ghost: the incarnation of the sender's connection (0 = an earlier one).
    pub incarnation: u8,
    /// The segment.
    pub seg: Segment,
}

/// Ghost facts about one endpoint, recorded by `next_state` from the pure outputs.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Default)]
pub struct Facts(pub u32);

impl Facts {
    /// The user called OPEN (active or passive).
    pub const OPENED: u32 = 1;
    /// The user called CLOSE.
    pub const USER_CLOSED: u32 = 1 << 1;
    /// The connection was reset ("connection reset").
    pub const RESET: u32 = 1 << 2;
    /// The connection was refused.
    pub const REFUSED: u32 = 1 << 3;
    /// The connection timed out (retransmissions exhausted).
    pub const TIMED_OUT: u32 = 1 << 4;
    /// The peer's FIN was received and acknowledged.
    pub const GOT_FIN: u32 = 1 << 5;
    /// Our FIN was acknowledged.
    pub const FIN_ACKED: u32 = 1 << 6;
    /// The TCB was deleted after an orderly close.
    pub const CLOSED_NORMALLY: u32 = 1 << 7;
    /// A SYN,ACK was sent that does not acknowledge ISN+1 of a SYN this endpoint received.
    pub const BAD_SYN_ACK: u32 = 1 << 8;
    /// ESTABLISHED was entered with SND.UNA ≠ ISS+1 or RCV.NXT ≠ IRS+1.
    pub const BAD_ESTABLISH: u32 = 1 << 9;
    /// SYN-SENT went to SYN-RECEIVED (simultaneous open).
    pub const SIMULTANEOUS_OPEN: u32 = 1 << 10;
    /// SYN-RECEIVED went back to LISTEN on a RST.
    pub const BACK_TO_LISTEN: u32 = 1 << 11;
    /// TIME-WAIT re-acknowledged a retransmitted FIN.
    pub const TIME_WAIT_REACK: u32 = 1 << 12;
    /// Something was retransmitted.
    pub const RETRANSMITTED: u32 = 1 << 13;
    /// The endpoint has been ESTABLISHED at some point.
    pub const WAS_ESTABLISHED: u32 = 1 << 14;
    /// An RFC 5961 challenge ACK was sent.
    pub const CHALLENGE_ACK: u32 = 1 << 15;
    /// Held out-of-order text was delivered once the gap filled.
    pub const REASSEMBLED: u32 = 1 << 16;
    /// A segment carrying text already received was discarded.
    pub const DUPLICATE_DISCARDED: u32 = 1 << 17;
    /// A segment of an earlier incarnation arrived and none of its text was delivered.
    pub const LATE_REJECTED: u32 = 1 << 18;
    /// The whole window offered by the peer was in flight.
    pub const WINDOW_FULL: u32 = 1 << 19;
    /// A FIN arrived while its sender still waited for its acknowledgment, and drew a RST.
    pub const FIN_MET_RST: u32 = 1 << 21;
    /// A segment arrived in TIME-WAIT and ended it before its timer (RFC 1337 assassination).
    pub const TIME_WAIT_KILLED: u32 = 1 << 22;
    /// A RST passed the sequence check in TIME-WAIT and was ignored (RFC 1337 F1).
    pub const TIME_WAIT_RST_IGNORED: u32 = 1 << 23;
    /// A forged segment reached this endpoint and delivered nothing, reset nothing.
    pub const FORGERY_REJECTED: u32 = 1 << 24;
    /// A segment failed PAWS (RFC 7323 §5.3) and was dropped.
    pub const PAWS_REJECTED: u32 = 1 << 25;
    /// New text was sent beyond SND.UNA + min(cwnd, SND.WND) (RFC 5681 §3.1).
    pub const CWND_EXCEEDED: u32 = 1 << 26;
    /// Text was waiting that the peer's window allowed but the congestion window held back.
    pub const CWND_LIMITED: u32 = 1 << 27;
    /// Text was sent that the peer had reported holding, in a SACK block that reached this
    /// endpoint since its last retransmission timeout (see [`Peer::sacked`]).
    pub const SACKED_RESENT: u32 = 1 << 28;
    /// A hole the SACK scoreboard showed was resent (RFC 6675 `NextSeg ()`, or the resends
    /// after a timeout that skip SACKed text).
    pub const SACK_RETRANSMIT: u32 = 1 << 29;

    /// Witnesses of events, true only in the state right after the step that produced them:
    /// sometimes-properties read them, and keeping them no longer than one step keeps them
    /// from splitting every later state in two.
    pub const TRANSIENT: u32 = Facts::SIMULTANEOUS_OPEN
        | Facts::BACK_TO_LISTEN
        | Facts::TIME_WAIT_REACK
        | Facts::RETRANSMITTED
        | Facts::CHALLENGE_ACK
        | Facts::REASSEMBLED
        | Facts::DUPLICATE_DISCARDED
        | Facts::LATE_REJECTED
        | Facts::WINDOW_FULL
        | Facts::TIME_WAIT_KILLED
        | Facts::TIME_WAIT_RST_IGNORED
        | Facts::FORGERY_REJECTED
        | Facts::PAWS_REJECTED
        | Facts::CWND_EXCEEDED
        | Facts::CWND_LIMITED
        | Facts::SACKED_RESENT
        | Facts::SACK_RETRANSMIT;

    /// Facts that describe the current incarnation only; cleared by a new OPEN.
    pub const PER_INCARNATION: u32 = Facts::OPENED
        | Facts::USER_CLOSED
        | Facts::GOT_FIN
        | Facts::FIN_ACKED
        | Facts::CLOSED_NORMALLY
        | Facts::WAS_ESTABLISHED;

    /// Whether a fact holds.
    pub fn has(self, f: u32) -> bool {
        self.0 & f != 0
    }
}

/// One endpoint: its connection, its user's intent and what its user received, ghost facts.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct Peer {
    /// The connection, changed only by its own inputs.
    pub conn: Connection,
    /// The ISN this endpoint's user passes to an active OPEN, or uses when a LISTEN gets a SYN.
    pub isn: Seq,
    /// Whether the user opens passively (LISTEN) rather than actively.
    pub passive: bool,
    /// The SYN sequence numbers this endpoint has received (ghost).
    pub syns_received: Vec<Seq>,
    /// Ghost facts.
    pub facts: Facts,
    /// The incarnation of this endpoint's connection: 1 for the first OPEN, 2 for the next.
    pub incarnation: u8,
    /// Ghost: the incarnation of the peer whose SYN this connection synchronized on (read from
    /// that SYN's tag; 0 before any, or for an old duplicate SYN). Delivery is judged against
    /// it, so text is compared by connection, not by each endpoint's own count of OPENs,
    /// which part when a reconnect is refused (A's SYN meeting B between its close and its
    /// next LISTEN counts an OPEN at A only).
    pub peer_incarnation: u8,
    /// Octets of this incarnation's script the user has passed to SEND.
    pub sent: u8,
    /// Ghost: the text delivered to this user in the current incarnation.
    pub received: Vec<u8>,
    /// Whether the retransmission timer fired since the last tick (backed off: once a tick).
    pub retransmitted_this_tick: bool,
    /// Ghost: what the peer has reported holding, in the SACK blocks (RFC 2018, D-SACK
    /// blocks of RFC 2883 included) of the segments that reached this endpoint since its
    /// connection opened or its retransmission timer last fired, as sorted disjoint ranges.
    /// A receiver here never discards what it queued, so each is true; RFC 2018 §8 lets a
    /// sender forget them at a timeout (the receiver might have reneged), hence the reset.
    pub sacked: Vec<(Seq, Seq)>,
    /// Whether this endpoint is hashed without the values of time the model never reads
    /// ([`Reductions::untimed`]); the same in every state of a run.
    pub untimed: bool,
}

/// The whole state (its `Debug` is the Explorer's compact view, in `view.rs`).
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct World {
    /// Peer A (shared with the states a step of B's leaves A alone in, hashed once).
    pub a: Cached<Peer>,
    /// Peer B.
    pub b: Cached<Peer>,
    /// Segments in flight, a sorted multiset (each shared between states, hashed once).
    pub net: Vec<Cached<Flight>>,
    /// Losses left.
    pub losses: u8,
    /// Duplications left.
    pub dups: u8,
    /// Delays left.
    pub delays: u8,
    /// Forged segments the attacker may still inject.
    pub forgeries: u8,
    /// Ticks elapsed, the ISN clock's input (capped once every incarnation's ISN differs).
    pub clock: u8,
    /// The [`Facts::TRANSIENT`] facts of the step that produced this state, of A and of B.
    /// They are kept here rather than in the peers so that the next step, which clears them,
    /// leaves the endpoint it does not touch shared with this state: a peer never holds a
    /// transient fact once `next_state` returns.
    pub transient: [u32; 2],
}

/// Every field, the connection by [`Connection::hash_state`]: every connection of a model
/// runs with the model's one [`Config`] ([`Setup::cfg`]), so leaving it out of the hash
/// identifies no two states that differ. Under [`Reductions::untimed`] the connection is
/// hashed by [`Connection::hash_untimed`] instead (the argument is there).
impl std::hash::Hash for Peer {
    fn hash<H: std::hash::Hasher>(&self, h: &mut H) {
        let Peer {
            conn,
            isn,
            passive,
            syns_received,
            facts,
            incarnation,
            peer_incarnation,
            sent,
            received,
            retransmitted_this_tick,
            sacked,
            untimed,
        } = self;
        if *untimed {
            conn.hash_untimed(h);
        } else {
            conn.hash_state(h);
        }
        isn.hash(h);
        passive.hash(h);
        syns_received.hash(h);
        facts.hash(h);
        incarnation.hash(h);
        peer_incarnation.hash(h);
        sent.hash(h);
        received.hash(h);
        retransmitted_this_tick.hash(h);
        sacked.hash(h);
    }
}

impl Peer {
    /// A peer whose connection runs with `cfg`.
    pub fn new(cfg: Config) -> Peer {
        Peer {
            conn: Connection::new(cfg),
            ..Peer::default()
        }
    }

    /// The connection's control block.
    pub fn tcb(&self) -> &Tcb {
        self.conn.tcb()
    }

    /// Records the SACK blocks of a segment that reached this endpoint from its peer (see
    /// [`Peer::sacked`]), merged with those recorded before. Ranges are ordered by their
    /// distance from this connection's ISS, so that they merge across the wrap of 2^32.
    fn record_sacked(&mut self, seg: &Segment) {
        if seg.opt.sack.is_empty() {
            return;
        }
        let base = self.tcb().iss;
        let mut all: Vec<(u32, u32)> = self
            .sacked
            .iter()
            .copied()
            .chain(seg.opt.sack.iter())
            .map(|(l, r)| (l - base, r - base))
            .collect();
        all.sort_unstable();
        let mut merged: Vec<(u32, u32)> = Vec::with_capacity(all.len());
        for (l, r) in all {
            match merged.last_mut() {
                Some(last) if l <= last.1 => last.1 = last.1.max(r),
                _ => merged.push((l, r)),
            }
        }
        self.sacked = merged
            .into_iter()
            .map(|(l, r)| (base + l, base + r))
            .collect();
    }

    /// Whether any octet of `seg`'s text lies in what the peer reported holding.
    fn resends_sacked(&self, seg: &Segment) -> bool {
        let (seq, end) = (seg.seq, seg.seq + seg.data.len() as u32);
        !seg.data.is_empty() && self.sacked.iter().any(|&(l, r)| seq.lt(r) && l.lt(end))
    }

    /// Whether TIME-WAIT's timer is due: it must fire now.
    pub fn time_wait_due(&self) -> bool {
        self.conn.timers().due(Timer::TimeWait, NOW)
    }
}

/// What one input of a connection produced, as the model reads it.
#[derive(Default)]
pub struct Step {
    /// The text the user read (everything delivered: the model's users read at once).
    pub delivered: Vec<u8>,
    /// The user's events.
    pub events: Vec<Event>,
    /// The segments sent.
    pub segments: Vec<Segment>,
    /// What the input witnessed.
    pub witnesses: Witnesses,
}

impl Step {
    /// Takes what `conn` produced in the input that returned `witnesses`: the user reads all
    /// text first, so the window the segments offer is the whole buffer.
    fn of(conn: &mut Connection, witnesses: Witnesses) -> Step {
        let delivered = conn.read_to_vec(NOW);
        Step {
            delivered,
            events: std::iter::from_fn(|| conn.poll_event()).collect(),
            segments: std::iter::from_fn(|| conn.poll_transmit(NOW)).collect(),
            witnesses,
        }
    }

    fn has(&self, e: Event) -> bool {
        self.events.contains(&e)
    }
}

impl World {
    /// The facts of side `s` in this state: its peer's, and the transient ones of the step
    /// that produced the state.
    pub fn facts(&self, s: Side) -> Facts {
        Facts(self.peer(s).facts.0 | self.transient[s as usize])
    }

    /// One endpoint.
    pub fn peer(&self, s: Side) -> &Peer {
        match s {
            Side::A => &self.a,
            Side::B => &self.b,
        }
    }

    /// One endpoint to change: a copy of it if another state shares it.
    fn peer_mut(&mut self, s: Side) -> &mut Peer {
        match s {
            Side::A => &mut self.a,
            Side::B => &mut self.b,
        }
    }
}

/// What can happen next.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub enum Action {
    /// The user of this side calls OPEN (active, or passive if it listens).
    Open(Side),
    /// The user passes the rest of this incarnation's text to SEND.
    Send(Side),
    /// The user calls CLOSE.
    Close(Side),
    /// The segment at this index of `net` arrives at its destination.
    Deliver(usize),
    /// The segment at this index is lost.
    Lose(usize),
    /// The network duplicates the segment at this index.
    Duplicate(usize),
    /// The segment at this index arrives at its destination, and a duplicate of it stays in
    /// flight (the duplication of [`Reductions::duplicate_on_delivery`]).
    DeliverDuplicate(usize),
    /// The network delays the segment at this index past the next tick.
    Delay(usize),
    /// One tick of time passes.
    Tick,
    /// The retransmission timer of this side expires.
    Retransmit(Side),
    /// The TIME-WAIT timer of this side expires.
    TimeWaitExpires(Side),
    /// The attacker's forged segment, in the name of the other side, arrives at this side.
    Forge(Side, Forgery),
}

/// What an off-path attacker forges against a synchronized victim, in its peer's name. Each is
/// built from the victim's variables: the model stands for the one guess in about
/// 2^32 / RCV.WND that lands in the window (RFC 5961 §1.2), not for knowledge the attacker has.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, PartialOrd, Ord)]
pub enum Forgery {
    /// `<SEQ=RCV.NXT+RCV.WND-1><CTL=RST>`: in the window, not exact (RFC 5961 §3, T14).
    Rst,
    /// `<SEQ=RCV.NXT><ACK=SND.NXT+1><CTL=ACK>` with one octet of text: in the window, but
    /// acknowledging data never sent (RFC 9293 §3.10.7.4 fifth step, RFC 5961 §5, T15).
    UnsentAck,
}

/// The octet the old duplicate SYN of `--old-syn` carries (text of A's previous connection,
/// from no script of this run), so that any delivery of it breaks `ordered-delivery`.
pub const OLD_SYN_OCTET: u8 = b'z';

/// The octet the old duplicate of `--old-wrap` carries (text of 2^32 octets ago), so that any
/// delivery of it breaks `ordered-delivery`.
pub const OLD_WRAP_OCTET: u8 = b'w';

/// The ghost facts of RFC 5681 §3.1 after a step from `w` to `n`, for each side that runs
/// congestion control: new text went out beyond SND.UNA + min(cwnd, SND.WND)
/// (`CWND_EXCEEDED`), or text the peer's window would take waits for the congestion window
/// (`CWND_LIMITED`). A FIN occupies no room in the window here (the sender sends it whatever
/// the windows say, as RFC 9293 §3.10.4 queues it behind the text); text is what counts.
fn congestion_facts(w: &World, n: &mut World) {
    for s in [Side::A, Side::B] {
        let old = w.peer(s).tcb();
        let p = n.peer(s);
        let Some(c) = p.conn.congestion() else {
            continue;
        };
        let t = p.conn.tcb();
        if !t.syn_acked() || t.state == State::Closed {
            continue;
        }
        let text_end = |t: &Tcb| t.snd_nxt + u32::from(t.fin_sent).wrapping_neg();
        let text_flight = if t.snd_una.lt(text_end(t)) {
            text_end(t) - t.snd_una
        } else {
            0
        };
        let new_text = t.iss == old.iss && text_end(t).gt(text_end(old));
        let mut facts = 0;
        if new_text && text_flight > c.cwnd().min(t.snd_wnd) {
            facts |= Facts::CWND_EXCEEDED;
        }
        let waiting = t.send_buf.len() > t.sent_len() && !t.fin_sent;
        if waiting && text_flight < t.snd_wnd && text_flight >= c.cwnd() {
            facts |= Facts::CWND_LIMITED;
        }
        n.transient[s as usize] |= facts;
    }
}

/// The octet a forged segment carries: from no user's script, so any delivery of it breaks
/// `ordered-delivery`.
pub const FORGED_OCTET: u8 = b'X';

impl Forgery {
    /// Both kinds, in a fixed order.
    pub const ALL: [Forgery; 2] = [Forgery::Rst, Forgery::UnsentAck];

    /// The forged segment against `victim`, if the victim is synchronized and the forgery
    /// has room in its window (an inexact RST needs RCV.WND >= 2).
    pub fn segment(self, victim: &Tcb) -> Option<Segment> {
        if !victim.state.is_synchronized() {
            return None;
        }
        let wnd = victim.rcv_wnd;
        match self {
            Forgery::Rst if wnd >= 2 => Some(Segment::control(
                victim.rcv_nxt + (wnd - 1),
                Seq(0),
                Ctl::RST,
                0,
            )),
            Forgery::Rst => None,
            Forgery::UnsentAck => Some(Segment {
                data: vec![FORGED_OCTET],
                ..Segment::control(victim.rcv_nxt, victim.snd_nxt + 1, Ctl::ACK, 16)
            }),
        }
    }
}

/// The environment's bounds and the protocol's configuration.
#[derive(Clone, Debug)]
pub struct Setup {
    /// The configuration each endpoint's TCB runs with.
    pub cfg: Config,
    /// MSL in ticks; `None` for an untimed model (no ticks, no TIME-WAIT timer).
    pub msl: Option<u8>,
    /// Whether users may CLOSE (from ESTABLISHED or CLOSE-WAIT).
    pub users_close: bool,
    /// The users' script of text and reopening, if any.
    pub script: Option<Script>,
    /// Sound reductions of the state space in force (see [`Reductions`]).
    pub reductions: Reductions,
}

/// Reductions of the state space that keep every property's verdict (each argued where it is
/// applied, switchable off with `check --unreduced`, and tested against the unreduced model in
/// `tests/tcp_models.rs`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Reductions {
    /// The network duplicates a segment only as it delivers it: [`Action::DeliverDuplicate`]
    /// replaces [`Action::Duplicate`]. Argument: a run that duplicates a segment at some step
    /// and then delivers, loses or delays the two copies is matched by a run that keeps one
    /// copy, standing for the copy whose fate comes last, and takes the first copy's fate at
    /// its step: its delivery becomes a delivery that keeps the other copy in flight, its loss
    /// or delay is not taken at all. Both runs take the same inputs at both endpoints in the
    /// same order; in between, the reduced run's network holds a sub-multiset of the original's
    /// with budgets at least as large, and a segment in flight only ever disables actions (a
    /// prompt one holds back the tick and the retransmission timer), so every action of the
    /// original is enabled in the reduced run too. Conversely a `DeliverDuplicate` is a
    /// `Duplicate` then a `Deliver`, so the reduced model reaches only states the full one
    /// reaches. No property reads the network, so every property holds in the reduced model
    /// exactly when it holds in the full one, and every sometimes-property is found in one
    /// exactly when in the other.
    pub duplicate_on_delivery: bool,
    /// States that differ only in values of time the model never reads are one state: each
    /// endpoint is hashed by [`Connection::hash_untimed`], without its RTO estimator, its RTT
    /// sampler and the deadlines of its armed timers but TIME-WAIT's (whether each is armed
    /// is hashed). Argument: the model reads a connection's timers only through whether the
    /// retransmission timer is armed ([`Setup::actions`] fires an armed one whatever its
    /// deadline, a tick being longer than any RTO) and whether TIME-WAIT's is due; no
    /// property reads a deadline's value; and without a congestion controller (with one,
    /// nothing is left out) those values flow only into each other inside the connection,
    /// never into a segment, an event, a witness or another field. So two states that differ
    /// only in them have the same enabled actions, the same verdict for every property, and
    /// for each action successors that again differ only in them: they are bisimilar, and the
    /// checker explores one of each pair. The ghost fields and the network are hashed whole.
    pub untimed: bool,
}

impl Reductions {
    /// Every reduction.
    pub const ALL: Reductions = Reductions {
        duplicate_on_delivery: true,
        untimed: true,
    };
    /// None: the model as the network is described.
    pub const NONE: Reductions = Reductions {
        duplicate_on_delivery: false,
        untimed: false,
    };
}

/// What the users do in the lifecycle scenario: each sends `bytes` octets per incarnation,
/// closes once all are sent, and opens again (A actively, B passively) once its TCB is gone,
/// up to `incarnations` times. ISNs come from [`crate::tcp::initial_sequence_number`] with the
/// clock `ticks / isn_ticks_per_step` and a fixed per-side hash.
#[derive(Clone, Copy, Debug)]
pub struct Script {
    /// Octets each side sends per incarnation.
    pub bytes: u8,
    /// Incarnations of the connection.
    pub incarnations: u8,
    /// Model ticks per step of the ISN clock.
    pub isn_ticks_per_step: u8,
    /// The keyed-hash term of A's ISN.
    pub hash_a: u32,
    /// The keyed-hash term of B's ISN.
    pub hash_b: u32,
    /// RFC 1337's setting, in which TIME-WAIT alone keeps an old incarnation out: A is a
    /// client that sends faster than its ISN clock advances (its clock gains one per MSL and
    /// nothing for the sequence numbers an incarnation consumes, so a new ISS can fall inside
    /// the old incarnation's numbers), closes first, and reconnects as soon as its TIME-WAIT
    /// ends. B closes only once A's FIN has arrived. Off, the clock outpaces every sender
    /// (the assumption of §3.4.1) and either side may close first.
    pub fast_reconnect: bool,
    /// Only A sends (B's user sends nothing): the one-way transfer of `--sack`, in which A's
    /// text alone can have holes for the scoreboard to work on.
    pub one_way: bool,
}

impl Script {
    /// Octets side `s` sends per incarnation.
    pub fn bytes_of(&self, s: Side) -> u8 {
        if self.one_way && s == Side::B {
            0
        } else {
            self.bytes
        }
    }
}

const TEXT_BASE: [[u8; 3]; 2] = [*b"aA0", *b"pP5"];

/// The `i`-th octet that side `s` sends in incarnation `inc` (1-based): distinct values so that
/// origin and incarnation are visible (A: a b c.., A B C.., 0 1 2..; B: p q r.., P Q R.., 5 6 7..).
pub fn text_octet(s: Side, inc: u8, i: u8) -> u8 {
    TEXT_BASE[s as usize][usize::from(inc.clamp(1, 3) - 1)] + i
}

/// The side and incarnation an octet of [`text_octet`] came from.
pub fn octet_origin(v: u8) -> Option<(Side, u8)> {
    for (si, row) in TEXT_BASE.iter().enumerate() {
        for (k, base) in row.iter().enumerate() {
            if (*base..base + 5).contains(&v) {
                let side = if si == 0 { Side::A } else { Side::B };
                return Some((side, k as u8 + 1));
            }
        }
    }
    None
}

impl Setup {
    /// The mechanisms in force.
    pub fn mechanisms(&self) -> Mechanisms {
        self.cfg.mechanisms
    }

    /// The ISN side `s` chooses now for its incarnation `inc`: from the ISN clock in the
    /// lifecycle script, else fixed.
    ///
    /// With [`Script::fast_reconnect`], A's clock reads the ticks elapsed divided by MSL and
    /// nothing else. Otherwise the clock reads the ticks elapsed (capped, see `Action::Tick`) plus, for every ISN
    /// this endpoint chose before, the sequence numbers one incarnation consumes (SYN, text,
    /// FIN). A model tick is long (MSL/2), while the 4 µs clock of §3.4.1 runs at least as fast
    /// as a connection consumes sequence numbers (the assumption behind the quiet time of
    /// §3.4.3), so a new incarnation never starts inside the old one's numbers. The checker
    /// shows why: with a step of 0 the passive closer, reopened within the tick, takes the old
    /// SYN,ACK of incarnation 1 (the hazard T8 shows with the clock off); with a step of 1 an
    /// old duplicate SYN plus an old ACK still in flight open a bogus incarnation at the
    /// passive closer, whose new ISS+1 the old ACK happens to acknowledge.
    pub fn isn_now(&self, w: &World, s: Side, inc: u8) -> Seq {
        match self.script {
            Some(sc) => {
                let ticks = u32::from(w.clock / sc.isn_ticks_per_step.max(1));
                let clock = if sc.fast_reconnect && s == Side::A {
                    ticks / u32::from(self.msl.unwrap_or(1).max(1))
                } else {
                    let consumed = u32::from(sc.bytes) + 2;
                    ticks + consumed * u32::from(inc.saturating_sub(1))
                };
                let hash = if s == Side::A { sc.hash_a } else { sc.hash_b };
                crate::tcp::initial_sequence_number(clock, hash, self.cfg.mechanisms)
            }
            None => w.peer(s).isn,
        }
    }

    /// Whether side `s`'s user may OPEN now.
    fn may_open(&self, w: &World, s: Side) -> bool {
        let p = w.peer(s);
        match self.script {
            None => !p.facts.has(Facts::OPENED),
            Some(sc) => p.tcb().state == State::Closed && p.incarnation < sc.incarnations,
        }
    }

    /// Whether the retransmission timer of `s` may fire: armed, no prompt segment in flight,
    /// not yet fired in this tick.
    fn retransmit_due(&self, w: &World, s: Side) -> bool {
        let p = w.peer(s);
        w.net.iter().all(|f| f.delayed)
            && p.conn.timer(Timer::Retransmit).is_some()
            && !p.retransmitted_this_tick
    }

    /// Enumerates the enabled actions, in a fixed order. A TIME-WAIT whose 2·MSL has run out
    /// expires before anything else happens: its timer is a deadline, not a possibility.
    pub fn actions(&self, w: &World, out: &mut Vec<Action>) {
        for s in [Side::A, Side::B] {
            if w.peer(s).time_wait_due() {
                out.push(Action::TimeWaitExpires(s));
            }
        }
        if !out.is_empty() {
            return;
        }
        for s in [Side::A, Side::B] {
            let p = w.peer(s);
            if self.may_open(w, s) {
                out.push(Action::Open(s));
            }
            let open = matches!(p.tcb().state, State::Established | State::CloseWait);
            let all_sent = self.script.is_none_or(|sc| p.sent >= sc.bytes_of(s));
            if open && !all_sent {
                out.push(Action::Send(s));
            }
            // In RFC 1337's setting the client (A) closes first.
            let waits_for_fin = self.script.is_some_and(|sc| sc.fast_reconnect)
                && s == Side::B
                && p.tcb().state != State::CloseWait;
            let may_close = self.users_close && open && all_sent && !waits_for_fin;
            if may_close && !p.facts.has(Facts::USER_CLOSED) {
                out.push(Action::Close(s));
            }
        }
        for (i, f) in w.net.iter().enumerate() {
            // Identical segments in flight are interchangeable: offer the first only.
            if i > 0 && w.net[i - 1] == *f {
                continue;
            }
            out.push(Action::Deliver(i));
            if w.losses > 0 {
                out.push(Action::Lose(i));
            }
            if w.dups > 0 {
                out.push(if self.reductions.duplicate_on_delivery {
                    Action::DeliverDuplicate(i)
                } else {
                    Action::Duplicate(i)
                });
            }
            if w.delays > 0 && !f.delayed && self.msl.is_some() {
                out.push(Action::Delay(i));
            }
        }
        if w.forgeries > 0 {
            for s in [Side::A, Side::B] {
                for kind in Forgery::ALL {
                    if kind.segment(w.peer(s).tcb()).is_some() {
                        out.push(Action::Forge(s, kind));
                    }
                }
            }
        }
        let mut urgent = false;
        for s in [Side::A, Side::B] {
            if self.retransmit_due(w, s) {
                out.push(Action::Retransmit(s));
                urgent = true;
            }
        }
        if let Some(msl) = self.msl {
            let waiting = [Side::A, Side::B]
                .iter()
                .any(|s| w.peer(*s).tcb().state == State::TimeWait);
            let must_arrive = w.net.iter().any(|f| !f.delayed || f.age >= msl);
            // A retransmission timer that already fired in this tick runs on into the next.
            let timer_running = [Side::A, Side::B]
                .iter()
                .any(|s| w.peer(*s).tcb().has_unacked());
            if !urgent && !must_arrive && (waiting || timer_running || !w.net.is_empty()) {
                out.push(Action::Tick);
            }
        }
    }

    /// Applies one action; `None` if it changes nothing.
    pub fn next(&self, w: &World, action: &Action) -> Option<World> {
        let mut n = w.clone();
        // A step leaves the endpoint it does not touch shared with `w`.
        n.transient = [0; 2];
        let cfg = self.cfg;
        match *action {
            Action::Open(s) => {
                let isn = self.isn_now(&n, s, n.peer(s).incarnation + 1);
                let p = n.peer_mut(s);
                p.facts.0 = (p.facts.0 & !Facts::PER_INCARNATION) | Facts::OPENED;
                p.incarnation += 1;
                p.peer_incarnation = 0;
                p.sent = 0;
                p.received.clear();
                p.sacked.clear();
                // A new connection: nothing of the previous incarnation's carries over.
                p.conn = Connection::new(cfg);
                let _ = if p.passive {
                    p.conn.open_passive(NOW)
                } else {
                    p.isn = isn;
                    p.conn.open_active(NOW, isn)
                };
                let step = Step::of(&mut p.conn, Witnesses::default());
                self.absorb(&mut n, s, None, step);
            }
            Action::Send(s) => {
                let bytes = self.script.map_or(0, |sc| sc.bytes_of(s));
                let p = n.peer_mut(s);
                let text: Vec<u8> = (p.sent..bytes)
                    .map(|i| text_octet(s, p.incarnation, i))
                    .collect();
                p.sent = bytes;
                let _ = p.conn.send(NOW, &text);
                let step = Step::of(&mut p.conn, Witnesses::default());
                self.absorb(&mut n, s, None, step);
            }
            Action::Close(s) => {
                let p = n.peer_mut(s);
                p.facts.0 |= Facts::USER_CLOSED;
                let _ = p.conn.close(NOW);
                let step = Step::of(&mut p.conn, Witnesses::default());
                self.absorb(&mut n, s, None, step);
            }
            Action::Deliver(i) => {
                let f = n.net.remove(i);
                self.arrive(&mut n, w, f.from.peer(), &f.seg, Some(f.incarnation));
            }
            Action::DeliverDuplicate(i) => {
                let f = n.net[i].clone();
                n.dups -= 1;
                self.arrive(&mut n, w, f.from.peer(), &f.seg, Some(f.incarnation));
            }
            Action::Forge(to, kind) => {
                let seg = kind.segment(n.peer(to).tcb())?;
                n.forgeries -= 1;
                self.arrive(&mut n, w, to, &seg, None);
            }
            Action::Lose(i) => {
                n.net.remove(i);
                n.losses -= 1;
            }
            Action::Duplicate(i) => {
                let f = n.net[i].clone();
                insert_sorted(&mut n.net, f);
                n.dups -= 1;
            }
            Action::Delay(i) => {
                let mut f = n.net.remove(i);
                f.delayed = true;
                insert_sorted(&mut n.net, f);
                n.delays -= 1;
            }
            Action::Tick => {
                if let Some(sc) = self.script {
                    // The ISN clock only matters when an ISN is chosen, and then only relative
                    // to the previous incarnation's; past 2·MSL every old segment is gone, so
                    // the count stops there and otherwise equal states merge.
                    let cap = sc
                        .isn_ticks_per_step
                        .saturating_mul(2 * self.msl.unwrap_or(1));
                    n.clock = (n.clock + 1).min(cap);
                }
                for f in &mut n.net {
                    f.age += 1;
                }
                for s in [Side::A, Side::B] {
                    let p = n.peer_mut(s);
                    p.retransmitted_this_tick = false;
                    p.conn.rebase(TICK);
                }
            }
            Action::Retransmit(s) => {
                let p = n.peer_mut(s);
                if self.msl.is_some() {
                    p.retransmitted_this_tick = true;
                }
                let w = p.conn.expire(NOW, Timer::Retransmit);
                if w.has(Witness::RetransmitTimeout) && !p.sacked.is_empty() {
                    p.sacked.clear();
                }
                let step = Step::of(&mut p.conn, w);
                self.absorb(&mut n, s, None, step);
            }
            Action::TimeWaitExpires(s) => {
                let p = n.peer_mut(s);
                let w = p.conn.expire(NOW, Timer::TimeWait);
                let step = Step::of(&mut p.conn, w);
                self.absorb(&mut n, s, None, step);
            }
        }
        congestion_facts(w, &mut n);
        // The step's transient facts move out of the peers it changed (each already its own
        // copy: setting a fact took one).
        for s in [Side::A, Side::B] {
            let t = n.peer(s).facts.0 & Facts::TRANSIENT;
            if t != 0 {
                n.transient[s as usize] |= t;
                n.peer_mut(s).facts.0 &= !Facts::TRANSIENT;
            }
        }
        Some(n)
    }

    /// Segment `seg` arrives at `to`: the connection's arrival rule, then what it shows.
    /// `incarnation` is the sender's ghost tag, `None` for the attacker's forgery.
    fn arrive(&self, n: &mut World, w: &World, to: Side, seg: &Segment, incarnation: Option<u8>) {
        let isn = self.isn_now(n, to, n.peer(to).incarnation);
        let p = n.peer_mut(to);
        if seg.has(Ctl::SYN) && !p.syns_received.contains(&seg.seq) {
            p.syns_received.push(seg.seq);
            p.syns_received.sort_by_key(|s| s.0);
        }
        // Blocks of the incarnation this connection synchronized with: an older one's are
        // about other text.
        if p.peer_incarnation != 0 && incarnation == Some(p.peer_incarnation) {
            p.record_sacked(seg);
        }
        let before = p.tcb().state;
        // Only a LISTEN consumes an ISN (RFC 9293 §3.10.7.2).
        let witnessed = if before == State::Listen {
            p.conn.on_listen_segment(NOW, seg, isn)
        } else {
            p.conn.on_segment(NOW, seg)
        };
        let out = Step::of(&mut p.conn, witnessed);
        let after = p.tcb().state;
        if before == State::Listen && after != State::Listen && after != State::Closed {
            p.isn = isn;
        }
        let opening = matches!(before, State::Listen | State::SynSent);
        let synchronized = !matches!(after, State::Closed | State::Listen | State::SynSent);
        if let Some(inc) = incarnation
            && opening
            && synchronized
            && seg.has(Ctl::SYN)
            && p.tcb().irs == seg.seq
        {
            p.peer_incarnation = inc;
        }
        if before == State::TimeWait && after != State::TimeWait {
            p.facts.0 |= Facts::TIME_WAIT_KILLED;
        }
        let rst_passed =
            !out.witnesses.has(Witness::Unacceptable) && !out.witnesses.has(Witness::ChallengeAck);
        if before == State::TimeWait && after == State::TimeWait && seg.has(Ctl::RST) && rst_passed
        {
            p.facts.0 |= Facts::TIME_WAIT_RST_IGNORED;
        }
        match incarnation {
            None => {
                if out.delivered.is_empty() && !out.has(Event::Reset) && before == after {
                    p.facts.0 |= Facts::FORGERY_REJECTED;
                }
            }
            Some(inc) => {
                // The sender still waits for this FIN's acknowledgment, and gets a RST.
                let t = w.peer(to.peer()).tcb();
                let sender_waits = t.fin_sent && !t.fin_acked() && t.state != State::Closed;
                let rst = out.segments.iter().any(|r| r.has(Ctl::RST));
                if seg.has(Ctl::FIN) && sender_waits && rst {
                    p.facts.0 |= Facts::FIN_MET_RST;
                }
                if !seg.data.is_empty() {
                    // Older than the connection's peer; before synchronizing, older than
                    // this endpoint's own count (which never runs ahead of the peer's).
                    let stale = match p.peer_incarnation {
                        0 => inc < p.incarnation,
                        peer => inc < peer,
                    };
                    if stale && out.delivered.is_empty() {
                        p.facts.0 |= Facts::LATE_REJECTED;
                    }
                    if !stale && out.witnesses.has(Witness::Unacceptable) {
                        p.facts.0 |= Facts::DUPLICATE_DISCARDED;
                    }
                }
            }
        }
        self.absorb(n, to, Some(seg), out);
    }

    /// Records what one input of side `s` produced: segments go into flight, events and
    /// witnesses become ghost facts, the user's text is recorded as received.
    fn absorb(&self, n: &mut World, s: Side, arrived: Option<&Segment>, out: Step) {
        let p = n.peer_mut(s);
        for e in &out.events {
            let f = match e {
                Event::Reset => Facts::RESET,
                Event::Refused => Facts::REFUSED,
                Event::TimedOut => Facts::TIMED_OUT,
                Event::PeerClosed => Facts::GOT_FIN,
                Event::Closed => Facts::CLOSED_NORMALLY,
                Event::Established => {
                    // RCV.NXT at the moment of ESTABLISHED: less text and FIN taken in the
                    // same step.
                    let taken = out.delivered.len() as u32 + u32::from(out.has(Event::PeerClosed));
                    let t = p.conn.tcb();
                    let rcv_nxt = t.rcv_nxt + taken.wrapping_neg();
                    let ok = t.snd_una == p.isn + 1 && rcv_nxt == t.irs + 1;
                    let ok = ok && p.syns_received.contains(&t.irs);
                    if ok {
                        Facts::WAS_ESTABLISHED
                    } else {
                        Facts::WAS_ESTABLISHED | Facts::BAD_ESTABLISH
                    }
                }
                Event::DeliveryProblem | Event::SoftError(_) => 0,
            };
            p.facts.0 |= f;
        }
        for x in out.witnesses.iter() {
            p.facts.0 |= match x {
                Witness::ReturnedToListen if arrived.is_some_and(|g| g.has(Ctl::RST)) => {
                    Facts::BACK_TO_LISTEN
                }
                Witness::RetransmitTimeout => Facts::RETRANSMITTED,
                Witness::SackRetransmit => Facts::SACK_RETRANSMIT,
                Witness::ChallengeAck => Facts::CHALLENGE_ACK,
                Witness::PawsRejected => Facts::PAWS_REJECTED,
                Witness::Reassembled => Facts::REASSEMBLED,
                Witness::OurFinAcked => Facts::FIN_ACKED,
                Witness::TimeWaitStarted => {
                    let fin = arrived.is_some_and(|g| g.has(Ctl::FIN));
                    let reack =
                        p.conn.state() == State::TimeWait && fin && !out.has(Event::PeerClosed);
                    if reack { Facts::TIME_WAIT_REACK } else { 0 }
                }
                _ => 0,
            };
        }
        p.received.extend_from_slice(&out.delivered);
        let t = p.conn.tcb();
        let in_flight = t.snd_nxt - t.snd_una;
        if t.syn_acked() && t.snd_wnd > 0 && in_flight >= t.snd_wnd {
            p.facts.0 |= Facts::WINDOW_FULL;
        }
        let incarnation = p.incarnation.max(1);
        if arrived.is_some_and(|g| g.has(Ctl::SYN) && !g.has(Ctl::ACK))
            && t.state == State::SynReceived
            && !p.passive
        {
            p.facts.0 |= Facts::SIMULTANEOUS_OPEN;
        }
        for seg in &out.segments {
            if p.resends_sacked(seg) {
                p.facts.0 |= Facts::SACKED_RESENT;
            }
            if seg.has(Ctl::SYN) && seg.has(Ctl::ACK) {
                let acked = p.syns_received.iter().any(|syn| *syn + 1 == seg.ack);
                if !acked {
                    p.facts.0 |= Facts::BAD_SYN_ACK;
                }
            }
        }
        for seg in out.segments {
            insert_sorted(
                &mut n.net,
                Cached::new(Flight {
                    delayed: false,
                    age: 0,
                    from: s,
                    incarnation,
                    seg,
                }),
            );
        }
    }
}

/// Inserts into a sorted multiset.
fn insert_sorted(net: &mut Vec<Cached<Flight>>, f: Cached<Flight>) {
    let at = net.partition_point(|x| *x <= f);
    net.insert(at, f);
}
