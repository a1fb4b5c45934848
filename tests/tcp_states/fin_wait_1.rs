//! FIN-WAIT-1: our FIN 101 is sent and unacknowledged (SND.UNA = 101, SND.NXT = 102,
//! RCV.NXT = 301). RFC 9293 §3.10.7.4 (fifth step: FIN acked -> FIN-WAIT-2; eighth step: FIN
//! -> CLOSING or TIME-WAIT), §3.6 Figures 12–13, user calls and timers.

use crate::fixtures::*;
use tcpip_spec::tcp::{Signal, State, UserError};

const ACK: &str = "<SEQ=102><ACK=301><CTL=ACK>";

// §3.10.7.4 fifth, FIN-WAIT-1: "if the FIN segment is now acknowledged, then enter FIN-WAIT-2".
#[test]
fn fin_wait_1_ack_of_fin_enters_fin_wait_2() {
    let mut fx = fin_wait_1();
    expect(&fx.arrive(ack(301, 102)), &[], &[Signal::OurFinAcked], b"");
    assert_eq!(
        fx.vars(),
        "FIN-WAIT-2 ISS=100 IRS=300 SND.UNA=102 SND.NXT=102 RCV.NXT=301"
    );
}

// §3.10.7.4 fifth: an ACK that does not reach the FIN (a duplicate) leaves FIN-WAIT-1.
#[test]
fn fin_wait_1_duplicate_ack_stays() {
    let mut fx = fin_wait_1();
    expect(&fx.arrive(ack(301, 101)), &[], &[], b"");
    assert_eq!(
        fx.vars(),
        "FIN-WAIT-1 ISS=100 IRS=300 SND.UNA=101 SND.NXT=102 RCV.NXT=301"
    );
}

// §3.10.7.4 fifth (as ESTABLISHED), T15: an ACK beyond our FIN is acked and dropped.
#[test]
fn fin_wait_1_ack_of_unsent_data_is_acked_and_dropped() {
    let mut fx = fin_wait_1();
    expect(&fx.arrive(ack(301, 103)), &[ACK], &[], b"");
    assert_eq!(fx.state(), State::FinWait1);
    assert_eq!(fx.tcb.snd_una.0, 101);
}

// §3.10.7.4 eighth, FIN-WAIT-1, Figure 13: a FIN that does not ack ours: CLOSING, ACK it.
#[test]
fn fin_wait_1_fin_not_acking_ours_enters_closing() {
    let mut fx = fin_wait_1();
    let out = fx.arrive(fin_ack(301, 101));
    expect(
        &out,
        &["<SEQ=102><ACK=302><CTL=ACK>"],
        &[Signal::PeerClosed],
        b"",
    );
    assert_eq!(
        fx.vars(),
        "CLOSING ISS=100 IRS=300 SND.UNA=101 SND.NXT=102 RCV.NXT=302"
    );
}

// §3.10.7.4 eighth, FIN-WAIT-1: "If our FIN has been ACKed (perhaps in this segment), then
// enter TIME-WAIT, start the time-wait timer"; the FIN is acknowledged.
#[test]
fn fin_wait_1_fin_acking_ours_enters_time_wait() {
    let mut fx = fin_wait_1();
    let out = fx.arrive(fin_ack(301, 102));
    expect(
        &out,
        &["<SEQ=102><ACK=302><CTL=ACK>"],
        &[
            Signal::OurFinAcked,
            Signal::PeerClosed,
            Signal::TimeWaitStarted,
        ],
        b"",
    );
    assert_eq!(
        fx.vars(),
        "TIME-WAIT ISS=100 IRS=300 SND.UNA=102 SND.NXT=102 RCV.NXT=302"
    );
}

// §3.10.7.4 seventh and eighth, MUST-58: text and a FIN acking ours: deliver, TIME-WAIT, and
// one ACK covering both.
#[test]
fn fin_wait_1_text_and_fin_acking_ours_are_acknowledged_once() {
    let mut fx = fin_wait_1();
    let out = fx.arrive(data_fin(301, 102, b"abc"));
    expect(
        &out,
        &["<SEQ=102><ACK=305><CTL=ACK>"],
        &[
            Signal::OurFinAcked,
            Signal::PeerClosed,
            Signal::TimeWaitStarted,
        ],
        b"abc",
    );
    assert_eq!(fx.state(), State::TimeWait);
}

// §3.10.7.4 seventh, FIN-WAIT-1: the peer may still send; text is delivered and acked.
#[test]
fn fin_wait_1_in_order_text_is_delivered() {
    let mut fx = fin_wait_1();
    let out = fx.arrive(data(301, 101, b"abc"));
    expect(&out, &["<SEQ=102><ACK=304><CTL=ACK>"], &[], b"abc");
    assert_eq!(fx.state(), State::FinWait1);
}

// §3.10.7.4 first: old duplicate text is acked and dropped.
#[test]
fn fin_wait_1_old_duplicate_text_is_acked_and_dropped() {
    let mut fx = fin_wait_1();
    let out = fx.arrive(data(298, 101, b"abc"));
    expect(&out, &[ACK], &[Signal::Unacceptable], b"");
}

// §3.10.7.4 seventh: FIN-WAIT-1 still receives. Text beyond RCV.NXT is held and RCV.NXT
// re-acked; filling the gap delivers both in order.
#[test]
fn fin_wait_1_text_beyond_rcv_nxt_is_held_and_acked() {
    let mut fx = fin_wait_1();
    expect(
        &fx.arrive(data(305, 101, b"efg")),
        &[ACK],
        &[Signal::Queued],
        b"",
    );
    assert_eq!(fx.tcb.rcv_nxt.0, 301);
    let out = fx.arrive(data(301, 101, b"abcd"));
    expect(
        &out,
        &["<SEQ=102><ACK=308><CTL=ACK>"],
        &[Signal::Reassembled],
        b"abcdefg",
    );
    assert_eq!(
        fx.vars(),
        "FIN-WAIT-1 ISS=100 IRS=300 SND.UNA=101 SND.NXT=102 RCV.NXT=308"
    );
}

// §3.10.7.4 eighth, FIN-WAIT-1: a FIN held beyond a gap is taken when the gap fills; our FIN
// still unacknowledged, the connection enters CLOSING (Figure 13).
#[test]
fn fin_wait_1_held_fin_enters_closing_once_the_gap_fills() {
    let mut fx = fin_wait_1();
    expect(&fx.arrive(fin_ack(304, 101)), &[], &[], b"");
    assert_eq!(fx.state(), State::FinWait1);
    let out = fx.arrive(data(301, 101, b"abc"));
    expect(
        &out,
        &["<SEQ=102><ACK=305><CTL=ACK>"],
        &[Signal::Reassembled, Signal::PeerClosed],
        b"abc",
    );
    assert_eq!(
        fx.vars(),
        "CLOSING ISS=100 IRS=300 SND.UNA=101 SND.NXT=102 RCV.NXT=305"
    );
}

// §3.10.7.4 fifth and eighth, FIN-WAIT-1: the gap-filling segment also acknowledges our FIN,
// so the held FIN finds FIN-WAIT-2 and the connection enters TIME-WAIT.
#[test]
fn fin_wait_1_held_fin_with_our_fin_acked_enters_time_wait() {
    let mut fx = fin_wait_1();
    expect(&fx.arrive(fin_ack(304, 101)), &[], &[], b"");
    let out = fx.arrive(data(301, 102, b"abc"));
    expect(
        &out,
        &["<SEQ=102><ACK=305><CTL=ACK>"],
        &[
            Signal::OurFinAcked,
            Signal::Reassembled,
            Signal::PeerClosed,
            Signal::TimeWaitStarted,
        ],
        b"abc",
    );
    assert_eq!(
        fx.vars(),
        "TIME-WAIT ISS=100 IRS=300 SND.UNA=102 SND.NXT=102 RCV.NXT=305"
    );
}

// §3.10.7.4 first: text beyond the window, or any out-of-window segment, draws an ACK.
#[test]
fn fin_wait_1_out_of_window_segments_are_acked_and_dropped() {
    let mut fx = fin_wait_1();
    let far = beyond_window(301);
    expect(
        &fx.arrive(data(far, 101, b"abc")),
        &[ACK],
        &[Signal::Unacceptable],
        b"",
    );
    expect(
        &fx.arrive(ack_out_of_window(301, 102)),
        &[ACK],
        &[Signal::Unacceptable],
        b"",
    );
    assert_eq!(fx.state(), State::FinWait1);
}

// §3.10.7.4 fourth, RFC 5961 §4.2: a SYN draws a challenge ACK.
#[test]
fn fin_wait_1_syn_draws_challenge_ack() {
    let mut fx = fin_wait_1();
    expect(&fx.arrive(syn(305)), &[ACK], &[Signal::ChallengeAck], b"");
    expect(
        &fx.arrive(syn_ack(305, 102)),
        &[ACK],
        &[Signal::ChallengeAck],
        b"",
    );
    assert_eq!(fx.state(), State::FinWait1);
}

// §3.10.7.4 second, FIN-WAIT-1: an exact RST: "connection reset", CLOSED.
#[test]
fn fin_wait_1_exact_rst_resets_the_connection() {
    let mut fx = fin_wait_1();
    expect(&fx.arrive(rst(301)), &[], &[Signal::Reset], b"");
    assert_eq!(fx.vars(), "CLOSED");
}

// RFC 5961 §3.2: in-window, not exact: challenge ACK; out of window: dropped silently.
#[test]
fn fin_wait_1_inexact_rst_draws_challenge_ack_and_far_rst_is_dropped() {
    let mut fx = fin_wait_1();
    expect(&fx.arrive(rst(350)), &[ACK], &[Signal::ChallengeAck], b"");
    expect(
        &fx.arrive(rst_out_of_window(301)),
        &[],
        &[Signal::Unacceptable],
        b"",
    );
    assert_eq!(fx.state(), State::FinWait1);
}

// §3.10.1: "error: connection already exists".
#[test]
fn fin_wait_1_open_is_connection_already_exists() {
    let mut fx = fin_wait_1();
    let err = Signal::Error(UserError::ConnectionAlreadyExists);
    expect(&fx.open_active(ISS), &[], &[err], b"");
}

// §3.10.2 FIN-WAIT-1: "Return 'error: connection closing' and do not service request."
#[test]
fn fin_wait_1_send_is_refused_connection_closing() {
    let mut fx = fin_wait_1();
    let err = Signal::Error(UserError::ConnectionClosing);
    expect(&fx.send(b"abc"), &[], &[err], b"");
    assert!(fx.tcb.send_buf.is_empty());
}

// §3.10.4 FIN-WAIT-1: a second CLOSE is an error and no second FIN is emitted.
#[test]
fn fin_wait_1_close_again_is_refused_without_a_second_fin() {
    let mut fx = fin_wait_1();
    let err = Signal::Error(UserError::ConnectionClosing);
    expect(&fx.close(), &[], &[err], b"");
    assert_eq!(fx.tcb.snd_nxt.0, 102);
}

// §3.10.5 FIN-WAIT-1: <SEQ=SND.NXT><CTL=RST>, delete the TCB.
#[test]
fn fin_wait_1_abort_sends_reset_at_snd_nxt() {
    let mut fx = fin_wait_1();
    expect(&fx.abort(), &["<SEQ=102><CTL=RST>"], &[], b"");
    assert_eq!(fx.vars(), "CLOSED");
}

// §3.10.8: the FIN heads the retransmission queue and is sent again from SND.UNA.
#[test]
fn fin_wait_1_retransmission_timeout_resends_the_fin() {
    let mut fx = fin_wait_1();
    let out = fx.retransmit_timeout();
    expect(
        &out,
        &["<SEQ=101><ACK=301><CTL=FIN,ACK>"],
        &[Signal::Retransmitted],
        b"",
    );
    assert_eq!(fx.tcb.snd_nxt.0, 102);
}

// §3.10.8: unacknowledged text and the FIN behind it go again in one segment when they fit.
#[test]
fn fin_wait_1_retransmission_resends_text_with_the_fin() {
    let mut fx = established();
    fx.send(b"abc");
    fx.close();
    let out = fx.retransmit_timeout();
    expect(
        &out,
        &["<SEQ=101><ACK=301><CTL=FIN,ACK><DATA=abc>"],
        &[Signal::Retransmitted],
        b"",
    );
}

// §3.10.8: the TIME-WAIT timer runs only in TIME-WAIT.
#[test]
fn fin_wait_1_time_wait_timeout_is_ignored() {
    let mut fx = fin_wait_1();
    expect(&fx.time_wait_timeout(), &[], &[], b"");
    assert_eq!(fx.state(), State::FinWait1);
}
