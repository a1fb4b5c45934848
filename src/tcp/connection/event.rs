//! What a [`Connection`](super::Connection) tells its user, and what it shows a checker.
//!
//! The user's events are RFC 9293's asynchronous reports (§3.9.1.8) and the replies to its
//! calls; they are pulled with [`Connection::poll_event`](super::Connection::poll_event). A
//! [`Witness`] is evidence of a rule having acted (a challenge ACK sent, text queued out of
//! order, a retransmission): every input returns the set of them, for model checkers, counters
//! and tests, and nothing about a connection's behaviour depends on whether anyone reads them.

use crate::tcp::Signal;
use serde::Serialize;
use std::fmt;

/// What the user of a connection is told (RFC 9293 §3.9.1.8).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Serialize)]
pub enum Event {
    /// The connection reached ESTABLISHED.
    Established,
    /// The peer's FIN arrived: "connection closing" (§3.10.7.4 eighth step). No more text
    /// will arrive.
    PeerClosed,
    /// "connection reset": a RST ended a synchronized connection.
    Reset,
    /// "connection refused": a RST answered our SYN.
    Refused,
    /// Retransmissions of the same segment reached R1 without progress: the delivery problem
    /// of §3.8.3 (b), (e) (SHLD-9). The connection goes on until R2.
    DeliveryProblem,
    /// "connection aborted due to user timeout": retransmissions reached R2 (§3.8.3).
    TimedOut,
    /// A soft ICMP error arrived about a segment in flight (RFC 1122 §4.2.3.9: soft errors
    /// "SHOULD be made available to the application"; believed only as RFC 5927 §4.1 says).
    /// Advice only: the connection goes on, and its retransmission timer keeps trying.
    SoftError(crate::tcp::IcmpError),
    /// The connection was deleted after an orderly close (LAST-ACK acknowledged, TIME-WAIT
    /// expired).
    Closed,
}

impl Event {
    /// The user's event among a transition's signals, if it is one. Errors of user calls are
    /// returned by the calls themselves.
    pub fn of(s: Signal) -> Option<Event> {
        Some(match s {
            Signal::Established => Event::Established,
            Signal::PeerClosed => Event::PeerClosed,
            Signal::Reset => Event::Reset,
            Signal::Refused => Event::Refused,
            Signal::TimedOut => Event::TimedOut,
            Signal::Closed => Event::Closed,
            _ => return None,
        })
    }
}

/// Evidence that a rule acted, for checkers and counters (never needed to use a connection).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, PartialOrd, Ord, Serialize)]
#[repr(u8)]
pub enum Witness {
    /// The peer acknowledged our FIN.
    OurFinAcked,
    /// TIME-WAIT began, or restarted on a retransmitted FIN (§3.10.7.4).
    TimeWaitStarted,
    /// SYN-RECEIVED went back to LISTEN.
    ReturnedToListen,
    /// An RFC 5961 challenge ACK was sent instead of acting on a RST or a SYN.
    ChallengeAck,
    /// An unacceptable segment was dropped (and acknowledged unless it carried RST).
    Unacceptable,
    /// In-window text beyond RCV.NXT was put in the reassembly queue.
    Queued,
    /// Held text was delivered once the gap before it was filled.
    Reassembled,
    /// The retransmission timer expired and the earliest unacknowledged segment was resent
    /// (RFC 6298 §5.4).
    RetransmitTimeout,
    /// The third duplicate ACK resent the segment at SND.UNA (RFC 5681 §3.2).
    FastRetransmit,
    /// A partial acknowledgment during recovery resent the next segment (RFC 6582 §3.2).
    PartialAckRetransmit,
    /// The persist timer sent a zero-window probe (RFC 9293 §3.8.6.1).
    WindowProbe,
    /// Retransmissions reached R1 (§3.8.3).
    R1Reached,
    /// A challenge ACK was due but over [`Config::challenge_ack_limit`](crate::tcp::Config)
    /// and not sent (RFC 5961 §7); the segment that drew it was dropped.
    ChallengeAckLimited,
    /// FIN-WAIT-2 timed out waiting for the peer's FIN (`Config::fin_wait_2_timeout`).
    FinWait2Timeout,
    /// A keep-alive probe was sent (RFC 9293 §3.8.4).
    KeepAliveProbe,
    /// Unanswered zero-window probes reached R2 (RFC 6429), or unanswered keep-alives their
    /// count (§3.8.4): the connection was aborted.
    ProbesUnanswered,
    /// An ICMP error was not believed or not usable (RFC 5927 §4.1: its quoted sequence
    /// number is not in flight).
    IcmpIgnored,
    /// An ICMP "fragmentation needed" lowered the send MSS (RFC 1191, RFC 5927 §4.1).
    MssLowered,
    /// An ICMP port or protocol unreachable refused the connection in SYN-SENT (RFC 1122
    /// §4.2.3.9).
    IcmpRefused,
    /// A soft ICMP error arrived; nothing changed (RFC 1122 §4.2.3.9).
    IcmpSoftError,
    /// A segment failed PAWS (RFC 7323 §5.3 R1) and was acknowledged and dropped.
    PawsRejected,
    /// A segment without the negotiated timestamps option was dropped (RFC 7323 §3.2).
    MissingTimestamps,
    /// A half-duplex CLOSE found received text unread, or text arrived after it: the
    /// connection was reset (RFC 9293 §3.6, SHLD-3).
    UnreadDataReset,
    /// SACK-based recovery resent a hole the scoreboard judged lost, or another unSACKed
    /// segment (RFC 6675 §5 (C)).
    SackRetransmit,
    /// A segment whose text would have been held out of order beyond the allowance of the
    /// host's reassembly memory budget was dropped before it was processed
    /// (`Connection::set_reassembly_allowance`).
    ReassemblyBudget,
    /// A SACK recovery proved spurious (RFC 3522): the segment its fast retransmit resent
    /// had arrived; the recovery was undone and DupThresh raised to the reordering seen.
    SpuriousRecovery,
    /// In a SACK recovery, data sent after the latest retransmission was SACKed while the
    /// retransmissions were not: they were lost, and go again (`RecoveryEvent::RetransmissionLost`).
    RetransmissionLost,
}

impl Witness {
    /// Every witness, in a fixed order.
    pub const ALL: [Witness; 27] = [
        Witness::OurFinAcked,
        Witness::TimeWaitStarted,
        Witness::ReturnedToListen,
        Witness::ChallengeAck,
        Witness::Unacceptable,
        Witness::Queued,
        Witness::Reassembled,
        Witness::RetransmitTimeout,
        Witness::FastRetransmit,
        Witness::PartialAckRetransmit,
        Witness::WindowProbe,
        Witness::R1Reached,
        Witness::ChallengeAckLimited,
        Witness::FinWait2Timeout,
        Witness::KeepAliveProbe,
        Witness::ProbesUnanswered,
        Witness::IcmpIgnored,
        Witness::MssLowered,
        Witness::IcmpRefused,
        Witness::IcmpSoftError,
        Witness::PawsRejected,
        Witness::MissingTimestamps,
        Witness::UnreadDataReset,
        Witness::SackRetransmit,
        Witness::ReassemblyBudget,
        Witness::SpuriousRecovery,
        Witness::RetransmissionLost,
    ];

    /// The witness among a transition's signals, if it is one.
    pub fn of(s: Signal) -> Option<Witness> {
        Some(match s {
            Signal::OurFinAcked => Witness::OurFinAcked,
            Signal::TimeWaitStarted => Witness::TimeWaitStarted,
            Signal::ReturnedToListen => Witness::ReturnedToListen,
            Signal::ChallengeAck => Witness::ChallengeAck,
            Signal::Unacceptable => Witness::Unacceptable,
            Signal::Retransmitted => Witness::RetransmitTimeout,
            Signal::Queued => Witness::Queued,
            Signal::Reassembled => Witness::Reassembled,
            Signal::PawsRejected => Witness::PawsRejected,
            Signal::MissingTimestamps => Witness::MissingTimestamps,
            _ => return None,
        })
    }
}

/// The witnesses of one input: a small set.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Witnesses(u64);

impl Witnesses {
    /// The set of `w` alone.
    pub fn of(w: Witness) -> Witnesses {
        let mut s = Witnesses::default();
        s.insert(w);
        s
    }

    /// Whether `w` is in the set.
    pub fn has(self, w: Witness) -> bool {
        self.0 & (1 << w as u8) != 0
    }

    /// Adds `w`.
    pub fn insert(&mut self, w: Witness) {
        self.0 |= 1 << w as u8;
    }

    /// Whether the set is empty.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The members, in the order of [`Witness::ALL`].
    pub fn iter(self) -> impl Iterator<Item = Witness> {
        Witness::ALL.into_iter().filter(move |w| self.has(*w))
    }
}

impl fmt::Debug for Witnesses {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.iter()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_signal_is_either_for_the_user_a_witness_or_a_call_error() {
        use crate::tcp::UserError;
        let all = [
            Signal::Established,
            Signal::PeerClosed,
            Signal::OurFinAcked,
            Signal::Reset,
            Signal::Refused,
            Signal::TimedOut,
            Signal::Closed,
            Signal::TimeWaitStarted,
            Signal::ReturnedToListen,
            Signal::ChallengeAck,
            Signal::Unacceptable,
            Signal::Retransmitted,
            Signal::Queued,
            Signal::Reassembled,
            Signal::PawsRejected,
            Signal::MissingTimestamps,
        ];
        for s in all {
            assert!(
                Event::of(s).is_some() != Witness::of(s).is_some(),
                "{s:?} is exactly one of the two"
            );
        }
        let e = Signal::Error(UserError::ConnectionClosing);
        assert_eq!((Event::of(e), Witness::of(e)), (None, None));
    }

    #[test]
    fn a_set_of_witnesses_holds_each_once() {
        let mut w = Witnesses::default();
        assert!(w.is_empty());
        w.insert(Witness::ChallengeAck);
        w.insert(Witness::R1Reached);
        w.insert(Witness::ChallengeAck);
        assert_eq!(
            w.iter().collect::<Vec<_>>(),
            [Witness::ChallengeAck, Witness::R1Reached]
        );
        assert!(!w.has(Witness::Queued));
    }
}
