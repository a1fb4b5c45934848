//! The properties of the TCP models, with the names used by the CLI, JSON and REPORT.md.
//!
//! Properties read ghost facts and the endpoints' variables; a fact is recorded by
//! `next_state` from the outputs of the pure transition that produced it. Properties over
//! "terminal" states (no action changes anything) express completion without stateright's
//! `eventually`, which misses violations on paths that rejoin a visited state
//! (stateright-notes 1).

use super::TcpModel;
use super::world::{Facts, Side, World, octet_origin, text_octet};
use crate::models::Kind;
use crate::tcp::{State, Timer};
use stateright::Property;

/// Which TCP scenario a model runs.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Scenario {
    /// Opening: A to a listening B, or both actively; an old duplicate SYN in flight.
    Handshake,
    /// Closing from ESTABLISHED, either side first or both at once, with loss and ticks.
    Close,
    /// Two incarnations with text, close and reopen on one 4-tuple.
    Lifecycle,
}

/// A property: kind, stable name, what it means, and its condition.
pub struct Prop {
    /// always or sometimes.
    pub kind: Kind,
    /// Stable name.
    pub name: &'static str,
    /// One sentence for `list` and REPORT.md.
    pub meaning: &'static str,
    /// The condition on a state.
    pub condition: fn(&TcpModel, &World) -> bool,
}

impl Prop {
    /// The stateright property.
    pub fn to_property(&self) -> Property<TcpModel> {
        match self.kind {
            Kind::Always => Property::always(self.name, self.condition),
            Kind::Sometimes => Property::sometimes(self.name, self.condition),
        }
    }

    /// The properties of a scenario.
    pub fn table(s: Scenario) -> &'static [Prop] {
        match s {
            Scenario::Handshake => HANDSHAKE,
            Scenario::Close => CLOSE,
            Scenario::Lifecycle => LIFECYCLE,
        }
    }
}

fn both(f: impl Fn(Side) -> bool) -> bool {
    f(Side::A) && f(Side::B)
}

fn either(f: impl Fn(Side) -> bool) -> bool {
    f(Side::A) || f(Side::B)
}

fn fact(w: &World, s: Side, f: u32) -> bool {
    w.facts(s).has(f)
}

fn state(w: &World, s: Side) -> State {
    w.peer(s).tcb().state
}

/// `synchronized-isns`. In tcp-handshake `syn-sent-reset` breaks it; in tcp-lifecycle it does
/// so once an old duplicate SYN within B's window is in flight (`--old-syn 1`, Figure 8).
const SYNCHRONIZED_ISNS: Prop = Prop {
    kind: Kind::Always,
    name: "synchronized-isns",
    meaning: "whenever both are ESTABLISHED, each one's IRS is the other's ISS",
    condition: |_, w| {
        !both(|s| state(w, s) == State::Established)
            || (w.a.tcb().irs == w.b.tcb().iss && w.b.tcb().irs == w.a.tcb().iss)
    },
};

/// `retransmission-timer-armed`: what the connection's timers guarantee. Broken by
/// `rto-restart` (tcp-lifecycle) and `retransmit-after-fin-received` (tcp-close).
const RETRANSMISSION_TIMER_ARMED: Prop = Prop {
    kind: Kind::Always,
    name: "retransmission-timer-armed",
    meaning: "whenever a SYN, text or a FIN of an endpoint is unacknowledged its retransmission \
              timer is armed, and whenever a zero window holds its text back its persist timer \
              is (RFC 6298 §5.1, §5.3; RFC 9293 §3.8.1, §3.8.6.1)",
    condition: |_, w| {
        both(|s| {
            let p = w.peer(s);
            let t = p.tcb();
            (!t.has_unacked() || p.conn.timer(Timer::Retransmit).is_some())
                && (!t.zero_window_blocked() || p.conn.timer(Timer::Persist).is_some())
        })
    },
};

/// `queued-within-window`: the reassembly queue is bounded by what was offered. Broken by
/// `reassembly-bound` (tcp-lifecycle).
const QUEUED_WITHIN_WINDOW: Prop = Prop {
    kind: Kind::Always,
    name: "queued-within-window",
    meaning: "the text an endpoint holds out of order is held once per sequence number and \
              fits in the window it offers beyond the gap before it: at most RCV.NXT + RCV.WND \
              minus the first sequence number held (RFC 9293 §3.8.6, §3.10.7.4 seventh step)",
    condition: |_, w| {
        both(|s| {
            let t = w.peer(s).tcb();
            let Some((first, _)) = t.rcv_queue.iter().next() else {
                return t.rcv_queue.octets() == 0;
            };
            let edge = t.rcv_nxt + t.rcv_wnd;
            let room = if first.le(edge) { edge - first } else { 0 };
            let distinct: usize = t.rcv_queue.iter().map(|(_, text)| text.len()).sum();
            t.rcv_queue.octets() == distinct && distinct <= room as usize
        })
    },
};

/// `old-syn-rejected`: Figure 8 happens (tcp-handshake; tcp-lifecycle with `--old-syn 1`).
const OLD_SYN_REJECTED: Prop = Prop {
    kind: Kind::Sometimes,
    name: "old-syn-rejected",
    meaning: "an old duplicate SYN is answered, its SYN,ACK draws a RST, and SYN-RECEIVED \
              returns to LISTEN (Figure 8)",
    condition: |_, w| either(|s| fact(w, s, Facts::BACK_TO_LISTEN)),
};

const HANDSHAKE: &[Prop] = &[
    Prop {
        kind: Kind::Always,
        name: "handshake-acks-isn-plus-one",
        meaning: "every SYN,ACK sent acknowledges ISN+1 of a SYN its sender received; an \
                  endpoint entering ESTABLISHED has SND.UNA = ISS+1 and RCV.NXT = IRS+1",
        condition: |_, w| both(|s| !fact(w, s, Facts::BAD_SYN_ACK | Facts::BAD_ESTABLISH)),
    },
    SYNCHRONIZED_ISNS,
    Prop {
        kind: Kind::Always,
        name: "no-bogus-connection",
        meaning: "an endpoint is ESTABLISHED only with an IRS that is the ISS of the peer's \
                  current incarnation (no old duplicate SYN opens a connection)",
        condition: |_, w| {
            both(|s| {
                let peer = w.peer(s.peer());
                state(w, s) != State::Established
                    || (w.facts(s.peer()).has(Facts::OPENED) && w.peer(s).tcb().irs == peer.isn)
            })
        },
    },
    Prop {
        kind: Kind::Always,
        name: "open-origin-respected",
        meaning: "an endpoint opened actively never ends up in LISTEN, and one opened \
                  passively is never refused (MUST-11)",
        condition: |_, w| {
            both(|s| {
                let p = w.peer(s);
                let active_listens = !p.passive && p.tcb().state == State::Listen;
                let passive_refused = p.passive && w.facts(s).has(Facts::REFUSED);
                !active_listens && !passive_refused
            })
        },
    },
    Prop {
        kind: Kind::Always,
        name: "handshake-completes",
        meaning: "when nothing more can happen, both are ESTABLISHED, or a user was told the \
                  connection was refused or reset",
        condition: |m, w| {
            both(|s| state(w, s) == State::Established)
                || either(|s| fact(w, s, Facts::REFUSED | Facts::RESET))
                || !m.is_terminal(w)
        },
    },
    Prop {
        kind: Kind::Sometimes,
        name: "both-established",
        meaning: "both endpoints reach ESTABLISHED",
        condition: |_, w| both(|s| state(w, s) == State::Established),
    },
    Prop {
        kind: Kind::Sometimes,
        name: "simultaneous-open",
        meaning: "an endpoint in SYN-SENT receives a SYN and moves to SYN-RECEIVED (Figure 7)",
        condition: |_, w| either(|s| fact(w, s, Facts::SIMULTANEOUS_OPEN)),
    },
    OLD_SYN_REJECTED,
    Prop {
        kind: Kind::Sometimes,
        name: "syn-retransmitted",
        meaning: "a lost SYN or SYN,ACK is retransmitted",
        condition: |_, w| either(|s| fact(w, s, Facts::RETRANSMITTED)),
    },
];

const CLOSE: &[Prop] = &[
    RETRANSMISSION_TIMER_ARMED,
    Prop {
        kind: Kind::Always,
        name: "graceful-close",
        meaning: "nobody aborts, so no endpoint sees a reset or gives up; when both have \
                  deleted their TCB, each acknowledged the other's FIN",
        condition: |_, w| {
            both(|s| !fact(w, s, Facts::RESET | Facts::TIMED_OUT))
                && (!both(|s| state(w, s) == State::Closed)
                    || both(|s| fact(w, s, Facts::GOT_FIN) && fact(w, s, Facts::FIN_ACKED)))
        },
    },
    Prop {
        kind: Kind::Always,
        name: "retransmitted-fin-acknowledged",
        meaning: "a FIN whose sender still waits for its acknowledgment is never answered \
                  with a RST: after a lost last ACK it meets TIME-WAIT, which re-ACKs it (S9)",
        condition: |_, w| both(|s| !fact(w, s, Facts::FIN_MET_RST)),
    },
    Prop {
        kind: Kind::Always,
        name: "close-completes",
        meaning: "when nothing more can happen, both endpoints have deleted their TCB after an \
                  orderly close",
        condition: |m, w| {
            both(|s| state(w, s) == State::Closed && fact(w, s, Facts::CLOSED_NORMALLY))
                || !m.is_terminal(w)
        },
    },
    Prop {
        kind: Kind::Sometimes,
        name: "fin-wait-1",
        meaning: "an endpoint reaches FIN-WAIT-1",
        condition: |_, w| either(|s| state(w, s) == State::FinWait1),
    },
    Prop {
        kind: Kind::Sometimes,
        name: "fin-wait-2",
        meaning: "an endpoint reaches FIN-WAIT-2",
        condition: |_, w| either(|s| state(w, s) == State::FinWait2),
    },
    Prop {
        kind: Kind::Sometimes,
        name: "close-wait",
        meaning: "an endpoint reaches CLOSE-WAIT",
        condition: |_, w| either(|s| state(w, s) == State::CloseWait),
    },
    Prop {
        kind: Kind::Sometimes,
        name: "last-ack",
        meaning: "an endpoint reaches LAST-ACK",
        condition: |_, w| either(|s| state(w, s) == State::LastAck),
    },
    Prop {
        kind: Kind::Sometimes,
        name: "closing",
        meaning: "an endpoint reaches CLOSING (simultaneous close, Figure 13)",
        condition: |_, w| either(|s| state(w, s) == State::Closing),
    },
    Prop {
        kind: Kind::Sometimes,
        name: "time-wait",
        meaning: "an endpoint reaches TIME-WAIT",
        condition: |_, w| either(|s| state(w, s) == State::TimeWait),
    },
    Prop {
        kind: Kind::Sometimes,
        name: "time-wait-reacks-fin",
        meaning: "TIME-WAIT acknowledges a retransmitted FIN and restarts 2·MSL",
        condition: |_, w| either(|s| fact(w, s, Facts::TIME_WAIT_REACK)),
    },
    Prop {
        kind: Kind::Sometimes,
        name: "both-closed",
        meaning: "both endpoints delete their TCB after an orderly close",
        condition: |_, w| {
            both(|s| state(w, s) == State::Closed && fact(w, s, Facts::CLOSED_NORMALLY))
        },
    },
];

/// Whether what `s` received in its current connection is a prefix of what its peer sent in
/// the incarnation this connection synchronized with (nothing, if it synchronized on an old
/// duplicate SYN).
fn received_prefix(w: &World, s: Side) -> bool {
    let p = w.peer(s);
    if p.peer_incarnation == 0 {
        return p.received.is_empty();
    }
    p.received
        .iter()
        .enumerate()
        .all(|(i, v)| *v == text_octet(s.peer(), p.peer_incarnation, i as u8))
}

/// Whether `s` has received every octet its peer sends in an incarnation of `bytes` octets.
fn received_all(m: &TcpModel, w: &World, s: Side) -> bool {
    let bytes = m.setup.script.map_or(0, |sc| sc.bytes_of(s.peer()));
    w.peer(s).received.len() == usize::from(bytes) && received_prefix(w, s)
}

const LIFECYCLE: &[Prop] = &[
    RETRANSMISSION_TIMER_ARMED,
    QUEUED_WITHIN_WINDOW,
    Prop {
        kind: Kind::Always,
        name: "congestion-window",
        meaning: "new text goes out only within SND.UNA + min(cwnd, SND.WND) (RFC 5681 §3.1; \
                  holds trivially without --congestion)",
        condition: |_, w| both(|s| !fact(w, s, Facts::CWND_EXCEEDED)),
    },
    Prop {
        kind: Kind::Always,
        name: "sack-respected",
        meaning: "no text is resent that the receiver has reported holding in a SACK block \
                  the sender got since its last retransmission timeout: recovery resends the \
                  holes and skips what was SACKed (RFC 6675 §4 NextSeg, §5.1; RFC 2018 §8; \
                  holds trivially without --sack)",
        condition: |_, w| both(|s| !fact(w, s, Facts::SACKED_RESENT)),
    },
    Prop {
        kind: Kind::Always,
        name: "ordered-delivery",
        meaning: "what each user has received in an incarnation is a prefix of what its peer \
                  sent in that incarnation: in order, once, nothing foreign (S1)",
        condition: |_, w| both(|s| received_prefix(w, s)),
    },
    Prop {
        kind: Kind::Always,
        name: "no-stale-data",
        meaning: "no octet of incarnation k is ever delivered in incarnation k+1 (S8)",
        condition: |_, w| {
            both(|s| {
                let p = w.peer(s);
                p.received
                    .iter()
                    .all(|v| octet_origin(*v).is_none_or(|(_, inc)| inc >= p.peer_incarnation))
            })
        },
    },
    Prop {
        kind: Kind::Always,
        name: "complete-delivery",
        meaning: "an endpoint that deleted its TCB after an orderly close has received \
                  everything its peer sent in that incarnation (S2)",
        condition: |m, w| {
            both(|s| {
                let closed = state(w, s) == State::Closed && fact(w, s, Facts::CLOSED_NORMALLY);
                !closed || received_all(m, w, s)
            })
        },
    },
    Prop {
        kind: Kind::Always,
        name: "graceful-close",
        meaning: "nobody aborts, so no endpoint sees a reset or gives up; when both have \
                  deleted the TCB of the same incarnation, each acknowledged the other's FIN",
        condition: |_, w| {
            let same = w.a.incarnation == w.b.incarnation
                && both(|s| state(w, s) == State::Closed && fact(w, s, Facts::OPENED));
            both(|s| !fact(w, s, Facts::RESET | Facts::TIMED_OUT))
                && (!same || both(|s| fact(w, s, Facts::GOT_FIN) && fact(w, s, Facts::FIN_ACKED)))
        },
    },
    Prop {
        kind: Kind::Always,
        name: "retransmitted-fin-acknowledged",
        meaning: "a FIN whose sender still waits for its acknowledgment is never answered \
                  with a RST: after a lost last ACK it meets TIME-WAIT, which re-ACKs it (S9)",
        condition: |_, w| both(|s| !fact(w, s, Facts::FIN_MET_RST)),
    },
    Prop {
        kind: Kind::Always,
        name: "handshake-acks-isn-plus-one",
        meaning: "every SYN,ACK acknowledges ISN+1 of a SYN received; ESTABLISHED is entered \
                  with SND.UNA = ISS+1 and RCV.NXT = IRS+1",
        condition: |_, w| both(|s| !fact(w, s, Facts::BAD_SYN_ACK | Facts::BAD_ESTABLISH)),
    },
    SYNCHRONIZED_ISNS,
    Prop {
        kind: Kind::Always,
        name: "time-wait-ends-by-timer",
        meaning: "an endpoint leaves TIME-WAIT only when its 2·MSL timer expires: no segment \
                  that arrives, RST or other, cuts it short (MUST-13; RFC 1337)",
        condition: |_, w| both(|s| !fact(w, s, Facts::TIME_WAIT_KILLED)),
    },
    Prop {
        kind: Kind::Sometimes,
        name: "second-incarnation",
        meaning: "the connection is reopened on the same 4-tuple and both reach ESTABLISHED",
        condition: |_, w| both(|s| w.peer(s).incarnation > 1 && state(w, s) == State::Established),
    },
    Prop {
        kind: Kind::Sometimes,
        name: "reconnect-refused",
        meaning: "a reconnecting SYN meets an endpoint between its close and its next LISTEN \
                  and is refused; the user opens again (text is still judged by connection)",
        condition: |_, w| either(|s| fact(w, s, Facts::REFUSED)),
    },
    Prop {
        kind: Kind::Sometimes,
        name: "reassembled",
        meaning: "a reordered segment is held and delivered once the gap before it fills",
        condition: |_, w| either(|s| fact(w, s, Facts::REASSEMBLED)),
    },
    Prop {
        kind: Kind::Sometimes,
        name: "retransmitted",
        meaning: "unacknowledged text or FIN is retransmitted",
        condition: |_, w| either(|s| fact(w, s, Facts::RETRANSMITTED)),
    },
    Prop {
        kind: Kind::Sometimes,
        name: "duplicate-discarded",
        meaning: "a duplicate of text already received is discarded (and acknowledged)",
        condition: |_, w| either(|s| fact(w, s, Facts::DUPLICATE_DISCARDED)),
    },
    Prop {
        kind: Kind::Sometimes,
        name: "late-segment-rejected",
        meaning: "text of incarnation 1 arrives during incarnation 2 and is not delivered",
        condition: |_, w| either(|s| fact(w, s, Facts::LATE_REJECTED)),
    },
    Prop {
        kind: Kind::Sometimes,
        name: "window-full",
        meaning: "the whole window the peer offers is in flight (text and FIN)",
        condition: |_, w| either(|s| fact(w, s, Facts::WINDOW_FULL)),
    },
    Prop {
        kind: Kind::Sometimes,
        name: "time-wait",
        meaning: "an endpoint reaches TIME-WAIT",
        condition: |_, w| either(|s| state(w, s) == State::TimeWait),
    },
    Prop {
        kind: Kind::Sometimes,
        name: "time-wait-rst-ignored",
        meaning: "a RST that passes the sequence check reaches TIME-WAIT and is ignored \
                  (RFC 1337 F1)",
        condition: |_, w| either(|s| fact(w, s, Facts::TIME_WAIT_RST_IGNORED)),
    },
    Prop {
        kind: Kind::Sometimes,
        name: "challenge-ack",
        meaning: "a SYN, or a RST in the window but not exact, draws a challenge ACK \
                  (RFC 5961 §3, §4)",
        condition: |_, w| either(|s| fact(w, s, Facts::CHALLENGE_ACK)),
    },
    OLD_SYN_REJECTED,
    Prop {
        kind: Kind::Sometimes,
        name: "cwnd-limited",
        meaning: "text the peer's window would take waits for the congestion window (only \
                  with --congestion)",
        condition: |_, w| either(|s| fact(w, s, Facts::CWND_LIMITED)),
    },
    Prop {
        kind: Kind::Sometimes,
        name: "sack-retransmit",
        meaning: "a hole the SACK scoreboard shows is resent, in recovery or after a timeout \
                  (RFC 6675 §5, §5.1; only with --sack)",
        condition: |_, w| either(|s| fact(w, s, Facts::SACK_RETRANSMIT)),
    },
    Prop {
        kind: Kind::Sometimes,
        name: "paws-rejected",
        meaning: "a segment whose TSval is older than TS.Recent arrives in a synchronized \
                  state and is dropped before its sequence number is judged (RFC 7323 §5.3; \
                  only with --old-wrap)",
        condition: |_, w| either(|s| fact(w, s, Facts::PAWS_REJECTED)),
    },
    Prop {
        kind: Kind::Sometimes,
        name: "forgery-rejected",
        meaning: "an attacker's forged segment reaches an endpoint and neither delivers text \
                  nor resets it (only with --forgeries)",
        condition: |_, w| either(|s| fact(w, s, Facts::FORGERY_REJECTED)),
    },
];
