//! ICMP errors about a connection's segments (RFC 1122 §4.2.3.9, RFC 5927, RFC 1191): which
//! are believed, and what they change.
//!
//! The host parses an ICMP error that quotes a TCP header of ours, finds the connection of the
//! quoted 4-tuple and passes the error and the quoted sequence number to
//! [`Connection::on_icmp_error`](crate::tcp::Connection::on_icmp_error); everything is
//! decided there and here.
//!
//! - An error is believed only if the quoted sequence number lies in SND.UNA..SND.NXT: it
//!   quotes a segment that is in flight (RFC 5927 §4.1). An off-path attacker must then guess
//!   the sequence space in flight, as for a RST (RFC 5961); a late error about a segment
//!   already acknowledged is ignored too.
//! - "Fragmentation needed" (code 4) lowers the send MSS to the next-hop MTU less 40 octets
//!   of headers (RFC 1191 §6.3, RFC 9293 §3.7.1), never below
//!   [`MIN_SEND_MSS`](crate::tcp::window::MIN_SEND_MSS) and never raising it; the segment at
//!   SND.UNA, which the router dropped, is sent again at once in the smaller size (RFC 1191
//!   §6.5 allows either this or waiting for the timer). An MTU below 68 octets (RFC 791's
//!   minimum, and 0 from routers that predate RFC 1191) is ignored.
//! - Port and protocol unreachable (codes 3 and 2) are hard errors (RFC 1122 §4.2.3.9: "TCP
//!   SHOULD abort the connection"). Our reading: in SYN-SENT, where the quoted sequence number
//!   must be our ISS, the connection is refused, as a RST to our SYN would refuse it (Linux's
//!   `tcp_v4_err` and FreeBSD's `tcp_drop_syn_sent` do the same); in SYN-RECEIVED and the
//!   synchronized states they are treated as soft errors (RFC 5927 §5.2: a hard error there
//!   would let a blind attacker reset connections with an ICMP message where RFC 5961
//!   denies it a RST).
//! - Every other error (net, host and source-route unreachable, time exceeded, ...) is soft
//!   (RFC 1122 §4.2.3.9: "TCP MUST NOT abort the connection"): nothing changes, the
//!   retransmission timer keeps trying, and the user is told (SHOULD:
//!   [`Event::SoftError`](crate::tcp::Event::SoftError)).

use super::seq::Seq;
use super::state::State;
use super::tcb::Tcb;
use super::window::send_mss;

/// An ICMP error quoting one of our segments, as the host read it.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, serde::Serialize)]
pub enum IcmpError {
    /// Destination Unreachable code 4, "fragmentation needed and DF set", with the next-hop
    /// MTU (RFC 1191 §4; 0 from routers that predate it).
    FragmentationNeeded {
        /// The MTU of the next hop.
        mtu: u16,
    },
    /// Destination Unreachable code 2: the peer does not speak TCP.
    ProtocolUnreachable,
    /// Destination Unreachable code 3: nothing listens on the peer's port.
    PortUnreachable,
    /// Any other error, with its type and code: a soft one (RFC 1122 §4.2.3.9).
    Soft(crate::icmp::ErrorKind),
}

/// Bytes of IPv4 and TCP headers without options, taken off an MTU (RFC 9293 §3.7.1).
const HEADERS: u16 = 40;

/// The smallest MTU a router may report (RFC 791: every host and link takes 68 octets).
const MIN_MTU: u16 = 68;

/// What an ICMP error does to a connection.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum IcmpVerdict {
    /// Not believed or not usable: the quoted sequence number is not in flight (RFC 5927
    /// §4.1), the MTU is below 68, or the send MSS is already that small.
    Ignored,
    /// Lower the send MSS to this and resend the segment at SND.UNA.
    LowerMss(u16),
    /// A hard error in SYN-SENT: the connection is refused (RFC 1122 §4.2.3.9).
    Refuse,
    /// A soft error: nothing changes.
    Soft,
}

/// The verdict on `err`, quoting `quoted_seq`, for a connection with control block `tcb` and
/// send MSS `smss`.
pub fn icmp_verdict(tcb: &Tcb, smss: u16, err: IcmpError, quoted_seq: Seq) -> IcmpVerdict {
    let in_flight = !matches!(tcb.state, State::Closed | State::Listen)
        && quoted_seq.in_range(tcb.snd_una, tcb.snd_nxt);
    if !in_flight {
        return IcmpVerdict::Ignored;
    }
    match err {
        IcmpError::FragmentationNeeded { mtu } if mtu >= MIN_MTU => {
            let mss = send_mss(Some(mtu - HEADERS), smss);
            if mss < smss {
                IcmpVerdict::LowerMss(mss)
            } else {
                IcmpVerdict::Ignored
            }
        }
        IcmpError::FragmentationNeeded { .. } => IcmpVerdict::Ignored,
        IcmpError::ProtocolUnreachable | IcmpError::PortUnreachable
            if tcb.state == State::SynSent =>
        {
            IcmpVerdict::Refuse
        }
        _ => IcmpVerdict::Soft,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tcp::window::MIN_SEND_MSS;

    fn tcb(state: State, una: u32, nxt: u32) -> Tcb {
        Tcb {
            state,
            iss: Seq(una),
            snd_una: Seq(una),
            snd_nxt: Seq(nxt),
            ..Tcb::closed()
        }
    }

    #[test]
    fn only_an_error_quoting_a_segment_in_flight_is_believed() {
        // RFC 5927 §4.1: SND.UNA =< quoted < SND.NXT.
        let t = tcb(State::Established, 1000, 3000);
        let frag = IcmpError::FragmentationNeeded { mtu: 1000 };
        assert_eq!(
            icmp_verdict(&t, 1460, frag, Seq(1000)),
            IcmpVerdict::LowerMss(960)
        );
        assert_eq!(
            icmp_verdict(&t, 1460, frag, Seq(2999)),
            IcmpVerdict::LowerMss(960)
        );
        for stale in [999, 3000, 0, 1 << 31] {
            assert_eq!(
                icmp_verdict(&t, 1460, frag, Seq(stale)),
                IcmpVerdict::Ignored
            );
        }
        let idle = tcb(State::Established, 1000, 1000);
        assert_eq!(
            icmp_verdict(&idle, 1460, frag, Seq(1000)),
            IcmpVerdict::Ignored
        );
        // Across the wrap of sequence space.
        let w = tcb(State::Established, u32::MAX - 10, 10);
        assert_eq!(
            icmp_verdict(&w, 1460, frag, Seq(3)),
            IcmpVerdict::LowerMss(960)
        );
    }

    #[test]
    fn fragmentation_needed_lowers_the_mss_to_the_mtu_never_below_the_floor_or_upwards() {
        let t = tcb(State::Established, 1000, 3000);
        let v =
            |mtu, smss| icmp_verdict(&t, smss, IcmpError::FragmentationNeeded { mtu }, Seq(1500));
        assert_eq!(v(1280, 1460), IcmpVerdict::LowerMss(1240));
        assert_eq!(
            v(68, 1460),
            IcmpVerdict::LowerMss(MIN_SEND_MSS),
            "the floor"
        );
        assert_eq!(v(67, 1460), IcmpVerdict::Ignored, "below RFC 791's minimum");
        assert_eq!(v(0, 1460), IcmpVerdict::Ignored, "a pre-RFC 1191 router");
        assert_eq!(v(1500, 1000), IcmpVerdict::Ignored, "never raised");
        assert_eq!(v(1040, 1000), IcmpVerdict::Ignored, "already that small");
    }

    #[test]
    fn port_unreachable_refuses_a_syn_and_is_soft_once_synchronized() {
        // RFC 1122 §4.2.3.9 (hard: SHOULD abort) in SYN-SENT; RFC 5927 §5.2 once synchronized.
        let syn_sent = tcb(State::SynSent, 500, 501);
        for e in [IcmpError::PortUnreachable, IcmpError::ProtocolUnreachable] {
            assert_eq!(
                icmp_verdict(&syn_sent, 536, e, Seq(500)),
                IcmpVerdict::Refuse
            );
            assert_eq!(
                icmp_verdict(&syn_sent, 536, e, Seq(501)),
                IcmpVerdict::Ignored
            );
            let est = tcb(State::Established, 1000, 3000);
            assert_eq!(icmp_verdict(&est, 536, e, Seq(1000)), IcmpVerdict::Soft);
        }
        let host_unreachable =
            crate::icmp::ErrorKind::DestUnreachable(crate::icmp::Unreachable::Host);
        assert_eq!(
            icmp_verdict(&syn_sent, 536, IcmpError::Soft(host_unreachable), Seq(500)),
            IcmpVerdict::Soft,
            "RFC 1122 §4.2.3.9: MUST NOT abort"
        );
    }

    #[test]
    fn a_soft_error_about_a_segment_in_flight_is_reported_to_the_user() {
        use crate::icmp::{ErrorKind, TimeExceeded, Unreachable};
        use crate::tcp::{Config, Connection, Event, Synchronized};
        use std::time::Duration;
        let now = Duration::ZERO;
        let mut c = Connection::synchronized(
            Config::default(),
            Synchronized {
                state: State::Established,
                iss: Seq(1000),
                irs: Seq(50),
                snd_wnd: 4000,
                peer_mss: None,
            },
        );
        c.send(now, b"in flight").unwrap();
        while c.poll_transmit(now).is_some() {}
        let host = ErrorKind::DestUnreachable(Unreachable::Host);
        let ttl = ErrorKind::TimeExceeded(TimeExceeded::InTransit);
        // Forged: quoting a sequence number not in flight (RFC 5927 §4.1).
        c.on_icmp_error(now, IcmpError::Soft(host), Seq(999));
        assert_eq!(c.poll_event(), None);
        c.on_icmp_error(now, IcmpError::Soft(host), Seq(1001));
        c.on_icmp_error(now, IcmpError::Soft(ttl), Seq(1005));
        c.on_icmp_error(now, IcmpError::PortUnreachable, Seq(1001));
        let events: Vec<_> = std::iter::from_fn(|| c.poll_event()).collect();
        assert_eq!(
            events,
            [
                Event::SoftError(IcmpError::Soft(host)),
                Event::SoftError(IcmpError::Soft(ttl)),
                Event::SoftError(IcmpError::PortUnreachable),
            ]
        );
        assert_eq!(c.state(), State::Established, "advice only");
    }
}
