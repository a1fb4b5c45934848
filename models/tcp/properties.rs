//! The properties of the TCP models, with the names used by the CLI, JSON and REPORT.md.
//!
//! Properties read ghost facts and the endpoints' variables; a fact is recorded by
//! `next_state` from the outputs of the pure transition that produced it. Properties over
//! "terminal" states (no action changes anything) express completion without stateright's
//! `eventually`, which misses violations on paths that rejoin a visited state
//! (stateright-notes 1).

use super::TcpModel;
use super::world::{Facts, Side, World};
use crate::models::Kind;
use crate::tcp::State;
use stateright::Property;

/// Which TCP scenario a model runs.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Scenario {
    /// Opening: A to a listening B, or both actively; an old duplicate SYN in flight.
    Handshake,
    /// Closing from ESTABLISHED, either side first or both at once, with loss and ticks.
    Close,
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
    w.peer(s).facts.has(f)
}

fn state(w: &World, s: Side) -> State {
    w.peer(s).tcb.state
}

const HANDSHAKE: &[Prop] = &[
    Prop {
        kind: Kind::Always,
        name: "handshake-acks-isn-plus-one",
        meaning: "every SYN,ACK sent acknowledges ISN+1 of a SYN its sender received; an \
                  endpoint entering ESTABLISHED has SND.UNA = ISS+1 and RCV.NXT = IRS+1",
        condition: |_, w| both(|s| !fact(w, s, Facts::BAD_SYN_ACK | Facts::BAD_ESTABLISH)),
    },
    Prop {
        kind: Kind::Always,
        name: "synchronized-isns",
        meaning: "whenever both are ESTABLISHED, each one's IRS is the other's ISS",
        condition: |_, w| {
            !both(|s| state(w, s) == State::Established)
                || (w.a.tcb.irs == w.b.tcb.iss && w.b.tcb.irs == w.a.tcb.iss)
        },
    },
    Prop {
        kind: Kind::Always,
        name: "no-bogus-connection",
        meaning: "an endpoint is ESTABLISHED only with an IRS that is the ISS of the peer's \
                  current incarnation (no old duplicate SYN opens a connection)",
        condition: |_, w| {
            both(|s| {
                let peer = w.peer(s.peer());
                state(w, s) != State::Established
                    || (peer.facts.has(Facts::OPENED) && w.peer(s).tcb.irs == peer.isn)
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
                let active_listens = !p.passive && p.tcb.state == State::Listen;
                let passive_refused = p.passive && p.facts.has(Facts::REFUSED);
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
    Prop {
        kind: Kind::Sometimes,
        name: "old-syn-rejected",
        meaning: "an old duplicate SYN is answered, its SYN,ACK draws a RST, and SYN-RECEIVED \
                  returns to LISTEN (Figure 8)",
        condition: |_, w| either(|s| fact(w, s, Facts::BACK_TO_LISTEN)),
    },
    Prop {
        kind: Kind::Sometimes,
        name: "syn-retransmitted",
        meaning: "a lost SYN or SYN,ACK is retransmitted and the handshake still completes",
        condition: |_, w| {
            either(|s| fact(w, s, Facts::RETRANSMITTED))
                && both(|s| state(w, s) == State::Established)
        },
    },
];

const CLOSE: &[Prop] = &[
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
