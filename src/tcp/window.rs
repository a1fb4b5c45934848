//! The receive window a host offers and the segment size it sends (RFC 9293 §3.7.1, §3.8.6).
//!
//! The connection machine is written as if the user consumed delivered text at once; a host
//! with a bounded receive buffer offers its free space instead (§3.8.6: "RCV.WND ... the
//! amount of data the receiver is willing to accept"). Because text leaves the window only by
//! being delivered into that buffer, RCV.NXT + free space is constant between reads, so the
//! right edge never moves left (§3.8.6.2.2: a receiver SHOULD NOT shrink the window).
//!
//! On the sending side, a zero window offered by the peer is probed (§3.8.6.1), so that a
//! window update that was lost, or overtaken by an older segment with the same SEG.SEQ and
//! SEG.ACK but a smaller window, cannot stop the connection for good.

use super::segment::{Ctl, Segment};
use super::state::State;
use super::tcb::{Outputs, Tcb};

/// The MSS assumed when the peer's SYN carried no MSS option (RFC 9293 §3.7.1, MUST-15).
pub const DEFAULT_MSS: u16 = 536;

/// Bytes of IPv4 and TCP headers without options, taken off the MTU (RFC 9293 §3.7.1).
const HEADERS: u16 = 40;

/// The MSS option we send on our SYN: the largest segment our MTU lets us receive
/// (RFC 9293 §3.7.1: MMS_R minus the fixed TCP header; RFC 1122 §4.2.2.6).
pub fn advertised_mss(mtu: u16) -> u16 {
    mtu.saturating_sub(HEADERS).max(1)
}

/// The smallest peer MSS option honoured as given: a smaller one (0 or 1, say) is read as
/// this many octets (a deliberate deviation, listed in `crate::deviations`).
///
/// RFC 9293 §3.7.1 and RFC 6691 set no lower bound on the option, so a hostile peer that
/// announces an MSS of 1 would make us send one octet of text per 41-octet datagram (41×
/// overhead, and as many segments to queue, send and retransmit as octets). With 64 octets
/// the IPv4 and TCP headers are at most 40 of each 104-octet datagram. A genuine peer never
/// needs less: a 104-octet datagram is far below the 576 octets every host must accept
/// (RFC 1122 §3.3.2, RFC 9293 §3.7.1's default of 536), and paths as narrow as RFC 791's
/// 68-octet minimum MTU are not found on the present Internet. Linux's floor
/// (`net.ipv4.tcp_min_snd_mss`, 48 octets, added for CVE-2019-11479) is of the same order;
/// 64 is a round number just above it. Our own MTU still wins: the floor never makes a
/// segment larger than [`advertised_mss`] allows.
pub const MIN_SEND_MSS: u16 = 64;

/// The effective send MSS (RFC 9293 §3.7.1): the peer's MSS option, or 536 without one
/// (MUST-15), raised to 64 octets (`MIN_SEND_MSS`, see there why), and never more than our
/// own MTU allows.
pub fn effective_send_mss(peer_mss: Option<u16>, mtu: u16) -> u16 {
    send_mss(peer_mss, advertised_mss(mtu))
}

/// The send MSS of a connection (RFC 9293 §3.7.1, MUST-14/15): the peer's MSS option (536
/// without one) raised to `MIN_SEND_MSS` (64), and never more than `ours`, the most we put into
/// one segment (the MSS we advertise).
pub fn send_mss(peer_mss: Option<u16>, ours: u16) -> u16 {
    peer_mss
        .unwrap_or(DEFAULT_MSS)
        .max(MIN_SEND_MSS)
        .min(ours)
        .max(1)
}

impl Tcb {
    /// The window that `free` octets of buffer let us offer: all of it, up to what the window
    /// field can carry with the shift in force (65,535 octets without window scaling, RFC
    /// 7323 §2.3).
    fn window_of(&self, free: usize) -> u32 {
        let most = u32::from(u16::MAX) << self.rcv_wscale;
        u32::try_from(free).unwrap_or(u32::MAX).min(most)
    }

    /// Sets RCV.WND to the `free` space of the receive buffer (as much as the window field can
    /// carry) and puts it in the window field of the ACK-bearing `segments` that the last
    /// transition produced, so every segment advertises the current window: shifted right by
    /// Rcv.Wind.Shift, but on a SYN,ACK, whose window is never scaled (RFC 7323 §2.2).
    pub fn offer_window(&mut self, free: usize, segments: &mut [Segment]) {
        self.rcv_wnd = self.window_of(free);
        for seg in segments.iter_mut().filter(|s| s.has(Ctl::ACK)) {
            seg.wnd = if seg.has(Ctl::SYN) {
                u16::try_from(self.rcv_wnd).unwrap_or(u16::MAX)
            } else {
                self.window_field()
            };
        }
    }

    /// A window update after the user read from a buffer of `capacity` octets, `free` of them
    /// now free (RFC 9293 §3.8.6.2.2, receiver-side silly window syndrome avoidance): the
    /// window is re-offered, with an ACK, only once it can grow by at least
    /// min(capacity / 2, `mss`) octets, and only in states that still receive text. Once the
    /// peer's FIN has arrived there is nothing to announce, but RCV.WND still follows the
    /// buffer: the acceptability test (§3.10.7.4, Table 6) of every later segment reads it,
    /// so an in-window RST there still draws a challenge ACK (RFC 5961 §3.2).
    pub fn window_update(&mut self, free: usize, capacity: usize, mss: u16) -> Option<Segment> {
        if !matches!(
            self.state,
            State::Established | State::FinWait1 | State::FinWait2
        ) {
            self.rcv_wnd = self.window_of(free);
            return None;
        }
        let threshold = (capacity / 2).min(usize::from(mss)).max(1);
        let grown = self.window_of(free).saturating_sub(self.rcv_wnd) as usize;
        if grown < threshold {
            return None;
        }
        self.rcv_wnd = self.window_of(free);
        Some(self.ack_segment())
    }
}

impl Tcb {
    /// Whether text waits behind a zero send window with nothing in flight (RFC 9293
    /// §3.8.6.1): SND.WND is 0, queued text is not sent, and no unacknowledged segment will
    /// bring an acknowledgment (the retransmission timer runs while one is outstanding). The
    /// peer's window can then only be learned by probing it.
    pub fn zero_window_blocked(&self) -> bool {
        matches!(
            self.state,
            State::Established
                | State::CloseWait
                | State::FinWait1
                | State::Closing
                | State::LastAck
        ) && self.syn_acked()
            && self.snd_wnd == 0
            && !self.has_unacked()
            && self.send_buf.len() > self.sent_len()
    }

    /// A zero-window probe (RFC 9293 §3.8.6.1, MUST-36), when
    /// [`Tcb::zero_window_blocked`]: `<SEQ=SND.UNA-1><ACK=RCV.NXT><CTL=ACK>`. Its sequence
    /// number lies below the receiver's RCV.NXT, so the receiver must answer it with an
    /// acknowledgment "showing its next expected sequence number and current window"
    /// (§3.8.6.1; §3.10.7.4 first step), which the fifth step takes as the new SND.WND.
    ///
    /// Deviation: §3.8.6.1 probes with "at least one octet of new data ... or retransmit".
    /// The probe here carries no text, like a keep-alive (§3.8.4) and like Linux's probe: it
    /// occupies no sequence space, so it is never retransmitted or counted against the user
    /// timeout, and the connection stays open for as long as the peer answers (MUST-37).
    pub fn window_probe(&mut self) -> Outputs {
        let mut out = Outputs::default();
        if self.zero_window_blocked() {
            let seq = self.snd_una + u32::MAX;
            out.segments.push(self.segment(seq, Ctl::ACK, Vec::new()));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tcp::{Config, Seq};

    #[test]
    fn send_mss_is_the_peers_option_or_536_within_our_mtu() {
        // RFC 9293 §3.7.1, MUST-15.
        assert_eq!(effective_send_mss(Some(1460), 1500), 1460);
        assert_eq!(effective_send_mss(Some(9000), 1500), 1460);
        assert_eq!(effective_send_mss(None, 1500), 536);
        assert_eq!(advertised_mss(576), 536);
    }

    #[test]
    fn a_tiny_peer_mss_is_raised_to_the_floor_but_never_above_our_mtu() {
        // MIN_SEND_MSS: an option of 0 or 1 cannot make us send one octet per segment.
        assert_eq!(effective_send_mss(Some(0), 1500), MIN_SEND_MSS);
        assert_eq!(effective_send_mss(Some(1), 1500), MIN_SEND_MSS);
        assert_eq!(
            effective_send_mss(Some(MIN_SEND_MSS - 1), 1500),
            MIN_SEND_MSS
        );
        assert_eq!(
            effective_send_mss(Some(MIN_SEND_MSS + 1), 1500),
            MIN_SEND_MSS + 1
        );
        // A link too narrow for the floor: our own MTU wins (68 is RFC 791's minimum).
        assert_eq!(effective_send_mss(Some(1), 68), 28);
        assert_eq!(effective_send_mss(Some(1), 40), 1);
    }

    fn established() -> Tcb {
        let cfg = Config::default();
        let mut a = Tcb::closed();
        a.open_active(Seq(1), &cfg);
        let syn_ack = Segment::control(Seq(500), Seq(2), Ctl::SYN | Ctl::ACK, 1000);
        a.on_segment(&syn_ack, Seq(0), &cfg);
        assert_eq!(a.state, State::Established);
        a
    }

    #[test]
    fn the_offered_window_is_the_free_space_on_every_ack() {
        let mut a = established();
        let mut segs = vec![
            a.ack_segment(),
            Segment::control(Seq(0), Seq(0), Ctl::RST, 0),
        ];
        a.offer_window(100, &mut segs);
        assert_eq!((a.rcv_wnd, segs[0].wnd, segs[1].wnd), (100, 100, 0));
        a.offer_window(1 << 20, &mut segs);
        assert_eq!(a.rcv_wnd, u32::from(u16::MAX), "no window scaling");
    }

    #[test]
    fn a_zero_window_with_text_queued_is_probed_below_snd_una() {
        let cfg = Config::default();
        let mut a = established();
        assert!(!a.zero_window_blocked(), "nothing queued");
        a.send(b"abcdef", &cfg);
        assert!(a.has_unacked(), "in flight: the retransmission timer runs");
        assert!(!a.zero_window_blocked());
        assert!(a.window_probe().segments.is_empty());
        let closed = Segment::control(Seq(501), Seq(8), Ctl::ACK, 0);
        a.on_segment(&closed, Seq(0), &cfg);
        assert!(
            a.send(b"gh", &cfg).segments.is_empty(),
            "zero window: queued"
        );
        assert!(a.zero_window_blocked());
        let probe = a.window_probe().segments.remove(0);
        assert_eq!(probe.to_string(), "<SEQ=7><ACK=501><CTL=ACK>");
        assert_eq!(
            probe.len_with(true),
            0,
            "no sequence space: never retransmitted"
        );
        // The peer answers with its window; the queued text goes out.
        let answer = Segment::control(Seq(501), Seq(8), Ctl::ACK, 1000);
        let out = a.on_segment(&answer, Seq(0), &cfg);
        assert_eq!(out.segments[0].data, b"gh");
        assert!(!a.zero_window_blocked());
    }

    #[test]
    fn a_window_update_waits_for_min_half_buffer_or_mss() {
        let mut a = established();
        a.offer_window(0, &mut []);
        assert_eq!(a.window_update(100, 4000, 536), None, "small increase: SWS");
        let upd = a.window_update(600, 4000, 536).expect("grew by an MSS");
        assert_eq!(upd.to_string(), "<SEQ=2><ACK=501><CTL=ACK>");
        assert_eq!(upd.wnd, 600);
        assert_eq!(a.window_update(700, 4000, 536), None);
        let mut closed = Tcb::closed();
        assert_eq!(closed.window_update(4000, 4000, 536), None);
    }

    #[test]
    fn after_the_peers_fin_a_read_restores_rcv_wnd_without_announcing_it() {
        // The last octet and the FIN arrive together: the ACK offers one octet less.
        let cfg = Config::default();
        let mut a = established();
        let fin = Segment {
            data: b"z".to_vec(),
            ..Segment::control(Seq(501), Seq(2), Ctl::FIN | Ctl::ACK, 1000)
        };
        let out = a.on_segment(&fin, Seq(0), &cfg);
        assert_eq!(a.state, State::CloseWait);
        a.offer_window(1, &mut []);
        assert_eq!(out.delivered, b"z");
        // The user reads it: nothing more can arrive, so no update is sent, but Table 6 now
        // judges later segments (an in-window RST, say) against the whole buffer again.
        assert_eq!(a.window_update(2, 2, 536), None);
        assert_eq!(a.rcv_wnd, 2);
    }
}
