//! TCP (RFC 9293) as pure rules, in two layers.
//!
//! - [`Connection`] is one whole connection, what a host or a model steps: every input carries
//!   `now`; it owns the control block, the RFC 6298 estimator, loss recovery, every timer as a
//!   deadline, the MSS learnt from the peer, R1/R2 and the buffers; its outputs are pulled
//!   (`poll_transmit`, `poll_timeout`, `poll_event`). See its module documentation.
//! - [`Tcb`] is the connection machine of §3.10 itself: a transition goes in (a user call, a
//!   segment, a timer's expiry) and its outputs come back as data ([`Outputs`]: segments to
//!   send, text delivered, [`Signal`]s). It reads no clock; an ISN is passed in where one is
//!   consumed.
//!
//! No I/O, no clock, no randomness anywhere. Every rule of the hazard catalogue can be switched
//! off through [`Mechanisms`] so that a model runs the very same functions with one rule
//! disabled.
//!
//! ```
//! use tcpip_spec::tcp::{Config, Seq, State, Tcb};
//! let cfg = Config::default();
//! let (mut a, mut b) = (Tcb::closed(), Tcb::closed());
//! b.open_passive(&cfg);
//! let syn = a.open_active(Seq(100), &cfg).segments.remove(0);
//! let syn_ack = b.on_segment(&syn, Seq(300), &cfg).segments.remove(0);
//! assert_eq!(syn_ack.to_string(), "<SEQ=300><ACK=101><CTL=SYN,ACK>");
//! let ack = a.on_segment(&syn_ack, Seq(0), &cfg).segments.remove(0);
//! b.on_segment(&ack, Seq(0), &cfg);
//! assert_eq!((a.state, b.state), (State::Established, State::Established));
//! ```

mod arrival;
pub mod congestion;
mod connection;
mod delack;
mod demux;
mod icmp;
mod isn;
mod mechanisms;
mod options;
mod reassembly;
mod recovery;
mod rto;
pub mod sack;
mod segment;
mod seq;
mod state;
pub mod syncookie;
mod tcb;
mod timers;
mod user;
mod window;

pub use arrival::reset_for;
pub use congestion::{Algorithm, Congestion};
pub use connection::{Connection, Event, Synchronized, Timer, Timers, Witness, Witnesses};
pub use demux::{FourTuple, Target, demux};
pub use icmp::{IcmpError, IcmpVerdict, icmp_verdict};
pub use isn::{initial_sequence_number, isn_clock_from_micros};
pub use mechanisms::{
    CHALLENGE_ACK_LIMIT, Config, FIN_WAIT_2_TIMEOUT, KeepAlive, Mechanism, Mechanisms,
    SYN_ACK_RETRANSMITS, time_wait_duration,
};
pub use options::{MAX_WINDOW_SHIFT, TS_RECENT_LIFETIME, ts_clock, ts_older, window_shift_for};
pub use reassembly::Reassembly;
pub use recovery::{DUPLICATE_ACK_THRESHOLD, Recovery, Resend};
pub use rto::{Rto, RtoBounds, RttSampler};
pub use sack::{
    AckInfo, NextSeg, NextSegRule, RecoveryEvent, SackAck, SackBlocks, SackReceiver, SackRecovery,
    Scoreboard, SenderView,
};
pub use segment::{Ctl, Options, Segment, SegmentRef, Timestamps};
pub use seq::Seq;
pub use state::State;
pub use tcb::{Outputs, Signal, TEXT_HEADROOM, Tcb, UserError};
pub use window::{DEFAULT_MSS, advertised_mss, effective_send_mss, send_mss};

#[cfg(test)]
mod tests {
    use super::*;

    fn established(cfg: &Config) -> (Tcb, Tcb) {
        let (mut a, mut b) = (Tcb::closed(), Tcb::closed());
        b.open_passive(cfg);
        let syn = a.open_active(Seq(u32::MAX - 1), cfg).segments.remove(0);
        let syn_ack = b.on_segment(&syn, Seq(300), cfg).segments.remove(0);
        let ack = a.on_segment(&syn_ack, Seq(0), cfg).segments.remove(0);
        b.on_segment(&ack, Seq(0), cfg);
        (a, b)
    }

    #[test]
    fn out_of_order_text_is_held_and_delivered_once_the_gap_fills() {
        // RFC 9293 §3.10.7.4 seventh step; the sequence numbers wrap through 0.
        let cfg = Config {
            mss: 1,
            ..Config::default()
        };
        let (mut a, mut b) = established(&cfg);
        let segs = a.send(b"xyz", &cfg).segments;
        assert_eq!(segs.len(), 3);
        let out = b.on_segment(&segs[2], Seq(0), &cfg);
        assert!(out.delivered.is_empty() && out.has(Signal::Queued));
        assert_eq!(
            out.segments[0].ack,
            Seq(u32::MAX),
            "duplicate ACK of RCV.NXT"
        );
        let out = b.on_segment(&segs[1], Seq(0), &cfg);
        assert!(out.delivered.is_empty());
        let out = b.on_segment(&segs[0], Seq(0), &cfg);
        assert_eq!(out.delivered, b"xyz");
        assert!(out.has(Signal::Reassembled));
        assert_eq!(out.segments[0].ack, Seq(2), "RCV.NXT wrapped past 2^32-1");
    }

    #[test]
    fn on_segment_into_appends_what_on_segment_returns() {
        let cfg = Config::default();
        let (mut a, mut b) = established(&cfg);
        let seg = a.send(b"xyz", &cfg).segments.remove(0);
        let mut b2 = b.clone();
        let fresh = b.on_segment(&seg, Seq(0), &cfg);
        let mut out = Outputs {
            delivered: b"unread ".to_vec(),
            ..Outputs::default()
        };
        b2.on_segment_into(&seg, Seq(0), &cfg, &mut out);
        assert_eq!(b2, b);
        assert_eq!(out.delivered, b"unread xyz");
        assert_eq!((out.segments, out.signals), (fresh.segments, fresh.signals));
    }

    #[test]
    fn without_reassembly_out_of_order_text_is_delivered_at_once() {
        let mut cfg = Config {
            mss: 1,
            ..Config::default()
        };
        let (mut a, mut b) = established(&cfg);
        let segs = a.send(b"xy", &cfg).segments;
        cfg.mechanisms = cfg.mechanisms.without(Mechanism::Reassembly);
        assert_eq!(b.on_segment(&segs[1], Seq(0), &cfg).delivered, b"y");
    }

    #[test]
    fn a_fin_beyond_a_gap_waits_for_the_text_before_it() {
        let cfg = Config {
            mss: 1,
            ..Config::default()
        };
        let (mut a, mut b2) = established(&cfg);
        let data = a.send(b"xy", &cfg).segments;
        let fin = a.close(&cfg).segments.remove(0);
        assert_eq!(fin.to_string(), "<SEQ=1><ACK=301><CTL=FIN,ACK>");
        b2.on_segment(&fin, Seq(0), &cfg);
        assert_eq!(b2.state, State::Established, "FIN held behind the gap");
        b2.on_segment(&data[1], Seq(0), &cfg);
        let out = b2.on_segment(&data[0], Seq(0), &cfg);
        assert_eq!(out.delivered, b"xy");
        assert_eq!(b2.state, State::CloseWait);
        assert!(out.has(Signal::PeerClosed));
    }

    #[test]
    fn queued_text_and_fin_share_a_segment_once_the_window_opens() {
        // RFC 9293 §3.10.4: the FIN follows all queued text; §3.10.7.4 fifth step: a newer
        // segment (SND.WL1 < SEG.SEQ) updates SND.WND, and the queued text goes out with it.
        let cfg = Config::default();
        let mut a = Tcb::closed();
        a.open_active(Seq(7), &cfg);
        let syn_ack = Segment::control(Seq(300), Seq(8), Ctl::SYN | Ctl::ACK, 0);
        a.on_segment(&syn_ack, Seq(0), &cfg);
        assert_eq!((a.state, a.snd_wnd), (State::Established, 0));
        assert!(
            a.send(b"ab", &cfg).segments.is_empty(),
            "zero window: queued"
        );
        assert!(
            a.close(&cfg).segments.is_empty(),
            "the FIN waits behind the text"
        );
        assert_eq!(a.state, State::FinWait1);
        let update = Segment::control(Seq(301), Seq(8), Ctl::ACK, 100);
        let out = a.on_segment(&update, Seq(0), &cfg);
        assert_eq!(
            out.segments[0].to_string(),
            "<SEQ=8><ACK=301><CTL=FIN,ACK><DATA=ab>"
        );
        assert_eq!(a.snd_nxt, Seq(11));
    }

    #[test]
    fn closing_still_sends_the_text_queued_before_close_and_then_the_fin() {
        // RFC 9293 §3.10.4: the FIN follows all queued text. The peer's FIN arriving meanwhile
        // turns FIN-WAIT-1 into CLOSING (§3.10.7.4 eighth step), where that text and our FIN
        // must still go out: the same segment opens the window and brings the FIN.
        let cfg = Config::default();
        let mut a = Tcb::closed();
        a.open_active(Seq(7), &cfg);
        let syn_ack = Segment::control(Seq(300), Seq(8), Ctl::SYN | Ctl::ACK, 0);
        a.on_segment(&syn_ack, Seq(0), &cfg);
        assert!(a.send(b"ab", &cfg).segments.is_empty(), "zero window");
        assert!(a.close(&cfg).segments.is_empty());
        let fin = Segment::control(Seq(301), Seq(8), Ctl::FIN | Ctl::ACK, 100);
        let out = a.on_segment(&fin, Seq(0), &cfg);
        assert_eq!(a.state, State::Closing);
        assert_eq!(
            out.segments[0].to_string(),
            "<SEQ=8><ACK=302><CTL=FIN,ACK><DATA=ab>"
        );
        let ack = Segment::control(Seq(302), Seq(11), Ctl::ACK, 100);
        a.on_segment(&ack, Seq(0), &cfg);
        assert_eq!(a.state, State::TimeWait);
    }

    #[test]
    fn text_on_a_syn_is_held_until_established() {
        // RFC 9293 §3.10.7.2: "queue it for processing later"; T18.
        let cfg = Config::default();
        let mut b = Tcb::closed();
        b.open_passive(&cfg);
        let syn = Segment {
            seq: Seq(10),
            ctl: Ctl::SYN,
            wnd: 100,
            data: b"hi".to_vec(),
            ..Default::default()
        };
        let out = b.on_segment(&syn, Seq(300), &cfg);
        assert!(out.delivered.is_empty());
        assert_eq!(
            out.segments[0].to_string(),
            "<SEQ=300><ACK=11><CTL=SYN,ACK>"
        );
        let ack = Segment::control(Seq(11), Seq(301), Ctl::ACK, 100);
        let out = b.on_segment(&ack, Seq(0), &cfg);
        assert_eq!(out.delivered, b"hi");
        assert_eq!(out.segments[0].ack, Seq(13));

        let off = Config {
            mechanisms: cfg.mechanisms.without(Mechanism::SynDataHeld),
            ..cfg
        };
        let mut b = Tcb::closed();
        b.open_passive(&off);
        let out = b.on_segment(&syn, Seq(300), &off);
        assert_eq!(
            out.delivered, b"hi",
            "delivered before the peer is known to be current"
        );
    }
}
