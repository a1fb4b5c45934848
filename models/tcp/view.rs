//! The compact state view the Explorer shows (`{:#?}` of a [`World`]): both endpoints' RFC
//! state and key variables, the segments in flight in RFC notation, the named facts and the
//! network's budgets, instead of a 130-line debug dump.

use super::TcpModel;
use super::ladder::{describe, flight_text};
use super::world::{Action, Facts, Peer, Side, World};
use crate::models::explorer::Explain;
use crate::tcp::State;
use std::fmt;

/// The names of the ghost facts.
const FACTS: [(u32, &str); 29] = [
    (Facts::OPENED, "opened"),
    (Facts::USER_CLOSED, "user-closed"),
    (Facts::RESET, "reset"),
    (Facts::REFUSED, "refused"),
    (Facts::TIMED_OUT, "timed-out"),
    (Facts::GOT_FIN, "got-fin"),
    (Facts::FIN_ACKED, "fin-acked"),
    (Facts::CLOSED_NORMALLY, "closed-normally"),
    (Facts::BAD_SYN_ACK, "bad-syn-ack"),
    (Facts::BAD_ESTABLISH, "bad-establish"),
    (Facts::SIMULTANEOUS_OPEN, "simultaneous-open"),
    (Facts::BACK_TO_LISTEN, "back-to-listen"),
    (Facts::TIME_WAIT_REACK, "time-wait-reack"),
    (Facts::RETRANSMITTED, "retransmitted"),
    (Facts::WAS_ESTABLISHED, "was-established"),
    (Facts::CHALLENGE_ACK, "challenge-ack"),
    (Facts::REASSEMBLED, "reassembled"),
    (Facts::DUPLICATE_DISCARDED, "duplicate-discarded"),
    (Facts::LATE_REJECTED, "late-rejected"),
    (Facts::WINDOW_FULL, "window-full"),
    (Facts::FIN_MET_RST, "fin-met-rst"),
    (Facts::TIME_WAIT_KILLED, "time-wait-killed"),
    (Facts::TIME_WAIT_RST_IGNORED, "time-wait-rst-ignored"),
    (Facts::FORGERY_REJECTED, "forgery-rejected"),
    (Facts::PAWS_REJECTED, "paws-rejected"),
    (Facts::CWND_EXCEEDED, "cwnd-exceeded"),
    (Facts::CWND_LIMITED, "cwnd-limited"),
    (Facts::SACKED_RESENT, "sacked-resent"),
    (Facts::SACK_RETRANSMIT, "sack-retransmit"),
];

/// The facts that hold, by name.
pub fn fact_names(f: Facts) -> Vec<&'static str> {
    FACTS
        .iter()
        .filter(|(bit, _)| f.has(*bit))
        .map(|(_, n)| *n)
        .collect()
}

fn peer(f: &mut fmt::Formatter<'_>, s: Side, p: &Peer, facts: Facts) -> fmt::Result {
    let t = p.tcb();
    if matches!(t.state, State::Closed | State::Listen) {
        write!(f, "{s}: {}", t.state.name())?;
    } else {
        write!(f, "{s}: {:<12}", t.state.name())?;
        write!(
            f,
            " ISS={} SND.UNA={} SND.NXT={} SND.WND={} IRS={} RCV.NXT={} RCV.WND={}",
            t.iss, t.snd_una, t.snd_nxt, t.snd_wnd, t.irs, t.rcv_nxt, t.rcv_wnd
        )?;
    }
    writeln!(f)?;
    let text: String = p.received.iter().map(|b| char::from(*b)).collect();
    writeln!(
        f,
        "   incarnation {}, sent {} octet(s), user received \"{text}\"",
        p.incarnation, p.sent
    )?;
    if !p.sacked.is_empty() {
        let ranges: Vec<String> = p.sacked.iter().map(|(l, r)| format!("{l}-{r}")).collect();
        writeln!(
            f,
            "   SACKed to it since its last timeout: {}",
            ranges.join(", ")
        )?;
    }
    let facts = fact_names(facts);
    if !facts.is_empty() {
        writeln!(f, "   facts: {}", facts.join(", "))?;
    }
    Ok(())
}

impl fmt::Debug for World {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        peer(f, Side::A, &self.a, self.facts(Side::A))?;
        peer(f, Side::B, &self.b, self.facts(Side::B))?;
        if self.net.is_empty() {
            writeln!(f, "in flight: nothing")?;
        } else {
            writeln!(f, "in flight:")?;
            for x in &self.net {
                let delayed = if x.delayed {
                    format!(" (delayed, age {})", x.age)
                } else {
                    String::new()
                };
                writeln!(f, "   {}{delayed}", flight_text(x))?;
            }
        }
        write!(
            f,
            "budgets: losses {}, dups {}, delays {}, forgeries {}; ISN clock {}",
            self.losses, self.dups, self.delays, self.forgeries, self.clock
        )
    }
}

/// An action in words, as far as it can be told without the state it is taken in (the step's
/// outcome, with the segment in RFC notation, is `format_step`).
pub fn action_text(a: &Action) -> String {
    let nth = |i: usize| match i {
        0 => "first".to_string(),
        1 => "second".to_string(),
        2 => "third".to_string(),
        n => format!("segment #{}", n + 1),
    };
    match a {
        Action::Open(s) => format!("{s}: user calls OPEN"),
        Action::Send(s) => format!("{s}: user calls SEND"),
        Action::Close(s) => format!("{s}: user calls CLOSE"),
        Action::Deliver(i) => format!("the {} segment in flight arrives", nth(*i)),
        Action::Lose(i) => format!("network loses the {} segment in flight", nth(*i)),
        Action::Duplicate(i) => format!("network duplicates the {} segment in flight", nth(*i)),
        Action::DeliverDuplicate(i) => format!(
            "the {} segment in flight arrives, and a duplicate stays in flight",
            nth(*i)
        ),
        Action::Delay(i) => format!("network delays the {} segment in flight", nth(*i)),
        Action::Tick => "one tick passes".to_string(),
        Action::Retransmit(s) => format!("{s}: retransmission timer expires"),
        Action::TimeWaitExpires(s) => format!("{s}: TIME-WAIT timer expires"),
        Action::Forge(s, k) => format!("attacker forges a {k:?} against {s}"),
    }
}

impl Explain for TcpModel {
    /// A segment's direction and header in RFC 9293 notation: `A → B <SEQ=100><CTL=SYN>`
    /// arrives, `lose A → B <SEQ=100><CTL=SYN>`, `duplicate ...`, `delay ...`; a forgery
    /// with the segment the attacker sends; a user call or a timer as the ladder tells it.
    fn explain(&self, w: &World, action: &Action) -> String {
        match *action {
            Action::Deliver(i) => flight_text(&w.net[i]),
            Action::Lose(i) => format!("lose {}", flight_text(&w.net[i])),
            Action::Duplicate(i) => format!("duplicate {}", flight_text(&w.net[i])),
            Action::DeliverDuplicate(i) => {
                format!("{} (a duplicate stays in flight)", flight_text(&w.net[i]))
            }
            Action::Delay(i) => format!("delay {}", flight_text(&w.net[i])),
            Action::Forge(s, kind) => match kind.segment(w.peer(s).tcb()) {
                Some(seg) => format!(
                    "attacker \u{2192} {s} {seg} (forged in {}'s name)",
                    s.peer()
                ),
                None => format!("attacker forges nothing against {s}"),
            },
            _ => describe(w, action),
        }
    }
}
