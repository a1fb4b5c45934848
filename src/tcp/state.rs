//! The eleven connection states of RFC 9293 §3.3.2.

use serde::Serialize;
use std::fmt;

/// A connection state (RFC 9293 §3.3.2, Figure 5). `Closed` stands for "no TCB".
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, PartialOrd, Ord, Default, Serialize)]
pub enum State {
    /// No connection state at all.
    #[default]
    Closed,
    /// Waiting for a connection request from any remote TCP peer and port.
    Listen,
    /// Waiting for a matching connection request after having sent one.
    SynSent,
    /// Waiting for a confirming acknowledgment after having received and sent a SYN.
    SynReceived,
    /// An open connection: data received can be delivered to the user.
    Established,
    /// Waiting for a termination request from the peer, or an ACK of ours.
    FinWait1,
    /// Waiting for a termination request from the peer.
    FinWait2,
    /// Waiting for a termination request from the local user.
    CloseWait,
    /// Waiting for the peer's acknowledgment of our termination request (simultaneous close).
    Closing,
    /// Waiting for the acknowledgment of the termination request we sent after the peer's.
    LastAck,
    /// Waiting long enough that the peer received our ACK and old duplicates have died out.
    TimeWait,
}

impl State {
    /// All states, in the order of RFC 9293 §3.3.2.
    pub const ALL: [State; 11] = [
        State::Closed,
        State::Listen,
        State::SynSent,
        State::SynReceived,
        State::Established,
        State::FinWait1,
        State::FinWait2,
        State::CloseWait,
        State::Closing,
        State::LastAck,
        State::TimeWait,
    ];

    /// The RFC's name, e.g. `SYN-RECEIVED`.
    pub fn name(self) -> &'static str {
        match self {
            State::Closed => "CLOSED",
            State::Listen => "LISTEN",
            State::SynSent => "SYN-SENT",
            State::SynReceived => "SYN-RECEIVED",
            State::Established => "ESTABLISHED",
            State::FinWait1 => "FIN-WAIT-1",
            State::FinWait2 => "FIN-WAIT-2",
            State::CloseWait => "CLOSE-WAIT",
            State::Closing => "CLOSING",
            State::LastAck => "LAST-ACK",
            State::TimeWait => "TIME-WAIT",
        }
    }

    /// The synchronized states of RFC 9293 §3.5.2 group 3 (ESTABLISHED and after).
    pub fn is_synchronized(self) -> bool {
        !matches!(
            self,
            State::Closed | State::Listen | State::SynSent | State::SynReceived
        )
    }

    /// States in which the local user has asked to close, so a FIN is queued or sent.
    pub fn fin_requested(self) -> bool {
        matches!(
            self,
            State::FinWait1 | State::FinWait2 | State::Closing | State::TimeWait | State::LastAck
        )
    }

    /// States in which the peer's FIN has been received.
    pub fn fin_received(self) -> bool {
        matches!(
            self,
            State::CloseWait | State::Closing | State::LastAck | State::TimeWait
        )
    }
}

impl fmt::Display for State {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.name())
    }
}
