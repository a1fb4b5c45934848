//! FIN-WAIT-2: our FIN is acknowledged (SND.UNA = SND.NXT = 102), the peer may still send
//! (RCV.NXT = 301). RFC 9293 §3.10.7.4 (eighth step: FIN -> TIME-WAIT), §3.6 Figure 12, user
//! calls and timers.

use crate::fixtures::*;
use tcpip_spec::tcp::{Signal, State, UserError};

const ACK: &str = "<SEQ=102><ACK=301><CTL=ACK>";

// §3.10.7.4 eighth, FIN-WAIT-2: "Enter the TIME-WAIT state. Start the time-wait timer"; the
// FIN is acknowledged (Figure 12 line 4).
#[test]
fn fin_wait_2_fin_enters_time_wait_and_is_acknowledged() {
    let mut fx = fin_wait_2();
    let out = fx.arrive(fin_ack(301, 102));
    expect(
        &out,
        &["<SEQ=102><ACK=302><CTL=ACK>"],
        &[Signal::PeerClosed, Signal::TimeWaitStarted],
        b"",
    );
    assert_eq!(
        fx.vars(),
        "TIME-WAIT ISS=100 IRS=300 SND.UNA=102 SND.NXT=102 RCV.NXT=302"
    );
}

// §3.10.7.4 seventh and eighth, MUST-58: text with the FIN is delivered, and one ACK covers
// text and FIN.
#[test]
fn fin_wait_2_text_with_fin_is_delivered_and_acknowledged_once() {
    let mut fx = fin_wait_2();
    let out = fx.arrive(data_fin(301, 102, b"abc"));
    expect(
        &out,
        &["<SEQ=102><ACK=305><CTL=ACK>"],
        &[Signal::PeerClosed, Signal::TimeWaitStarted],
        b"abc",
    );
    assert_eq!(fx.state(), State::TimeWait);
}

// §3.10.7.4 seventh, FIN-WAIT-2: the half-closed peer's text is delivered and acked (§3.6.1).
#[test]
fn fin_wait_2_in_order_text_is_delivered() {
    let mut fx = fin_wait_2();
    let out = fx.arrive(data(301, 102, b"abc"));
    expect(&out, &["<SEQ=102><ACK=304><CTL=ACK>"], &[], b"abc");
    assert_eq!(
        fx.vars(),
        "FIN-WAIT-2 ISS=100 IRS=300 SND.UNA=102 SND.NXT=102 RCV.NXT=304"
    );
}

// §3.10.7.4 first: an old duplicate is acked and dropped.
#[test]
fn fin_wait_2_old_duplicate_text_is_acked_and_dropped() {
    let mut fx = fin_wait_2();
    let out = fx.arrive(data(298, 102, b"abc"));
    expect(&out, &[ACK], &[Signal::Unacceptable], b"");
}

// §3.10.7.4 seventh: FIN-WAIT-2 still receives. Text beyond RCV.NXT is held and RCV.NXT
// re-acked; filling the gap delivers both in order.
#[test]
fn fin_wait_2_text_beyond_rcv_nxt_is_held_and_acked() {
    let mut fx = fin_wait_2();
    expect(
        &fx.arrive(data(310, 102, b"jkl")),
        &[ACK],
        &[Signal::Queued],
        b"",
    );
    assert_eq!(fx.tcb.rcv_nxt.0, 301);
    let out = fx.arrive(data(301, 102, b"abcdefghi"));
    expect(
        &out,
        &["<SEQ=102><ACK=313><CTL=ACK>"],
        &[Signal::Reassembled],
        b"abcdefghijkl",
    );
    assert_eq!(
        fx.vars(),
        "FIN-WAIT-2 ISS=100 IRS=300 SND.UNA=102 SND.NXT=102 RCV.NXT=313"
    );
}

// §3.10.7.4 seventh and eighth, FIN-WAIT-2: text and FIN held beyond a gap; when the gap fills
// everything is delivered in order, the FIN is taken and acknowledged, TIME-WAIT begins.
#[test]
fn fin_wait_2_held_fin_enters_time_wait_once_the_gap_fills() {
    let mut fx = fin_wait_2();
    expect(
        &fx.arrive(data_fin(304, 102, b"def")),
        &[ACK],
        &[Signal::Queued],
        b"",
    );
    assert_eq!(fx.state(), State::FinWait2);
    let out = fx.arrive(data(301, 102, b"abc"));
    expect(
        &out,
        &["<SEQ=102><ACK=308><CTL=ACK>"],
        &[
            Signal::Reassembled,
            Signal::PeerClosed,
            Signal::TimeWaitStarted,
        ],
        b"abcdef",
    );
    assert_eq!(
        fx.vars(),
        "TIME-WAIT ISS=100 IRS=300 SND.UNA=102 SND.NXT=102 RCV.NXT=308"
    );
}

// §3.10.7.4 first: segments beyond the window are acked and dropped.
#[test]
fn fin_wait_2_out_of_window_segments_are_acked_and_dropped() {
    let mut fx = fin_wait_2();
    let far = beyond_window(301);
    expect(
        &fx.arrive(data(far, 102, b"abc")),
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
    assert_eq!(fx.state(), State::FinWait2);
}

// §3.10.7.4 fifth, FIN-WAIT-2: a duplicate ACK changes nothing and draws nothing.
#[test]
fn fin_wait_2_duplicate_ack_is_ignored() {
    let mut fx = fin_wait_2();
    expect(&fx.arrive(ack(301, 102)), &[], &[], b"");
    expect(&fx.arrive(ack(301, 101)), &[], &[], b"");
    assert_eq!(fx.state(), State::FinWait2);
}

// §3.10.7.4 fifth (as ESTABLISHED), T15: an ACK of unsent data is acked and dropped.
#[test]
fn fin_wait_2_ack_of_unsent_data_is_acked_and_dropped() {
    let mut fx = fin_wait_2();
    expect(&fx.arrive(data(301, 103, b"abc")), &[ACK], &[], b"");
    assert_eq!(
        fx.vars(),
        "FIN-WAIT-2 ISS=100 IRS=300 SND.UNA=102 SND.NXT=102 RCV.NXT=301"
    );
}

// §3.10.7.4 fourth, RFC 5961 §4.2: a SYN draws a challenge ACK.
#[test]
fn fin_wait_2_syn_draws_challenge_ack() {
    let mut fx = fin_wait_2();
    expect(&fx.arrive(syn(301)), &[ACK], &[Signal::ChallengeAck], b"");
    expect(
        &fx.arrive(syn_ack(350, 102)),
        &[ACK],
        &[Signal::ChallengeAck],
        b"",
    );
    assert_eq!(fx.state(), State::FinWait2);
}

// §3.10.7.4 second, FIN-WAIT-2: an exact RST: "connection reset", CLOSED.
#[test]
fn fin_wait_2_exact_rst_resets_the_connection() {
    let mut fx = fin_wait_2();
    expect(&fx.arrive(rst(301)), &[], &[Signal::Reset], b"");
    assert_eq!(fx.vars(), "CLOSED");
}

// RFC 5961 §3.2: in-window, not exact: challenge ACK; out of window: dropped silently.
#[test]
fn fin_wait_2_inexact_rst_draws_challenge_ack_and_far_rst_is_dropped() {
    let mut fx = fin_wait_2();
    expect(&fx.arrive(rst(302)), &[ACK], &[Signal::ChallengeAck], b"");
    expect(
        &fx.arrive(rst_out_of_window(301)),
        &[],
        &[Signal::Unacceptable],
        b"",
    );
    assert_eq!(fx.state(), State::FinWait2);
}

// §3.10.1: "error: connection already exists".
#[test]
fn fin_wait_2_open_is_connection_already_exists() {
    let mut fx = fin_wait_2();
    let err = Signal::Error(UserError::ConnectionAlreadyExists);
    expect(&fx.open_active(ISS), &[], &[err], b"");
}

// §3.10.2 FIN-WAIT-2: "error: connection closing".
#[test]
fn fin_wait_2_send_is_refused_connection_closing() {
    let mut fx = fin_wait_2();
    let err = Signal::Error(UserError::ConnectionClosing);
    expect(&fx.send(b"abc"), &[], &[err], b"");
}

// §3.10.4 FIN-WAIT-2: "error: connection closing", no second FIN.
#[test]
fn fin_wait_2_close_again_is_refused_without_a_second_fin() {
    let mut fx = fin_wait_2();
    let err = Signal::Error(UserError::ConnectionClosing);
    expect(&fx.close(), &[], &[err], b"");
    assert_eq!(fx.state(), State::FinWait2);
}

// §3.10.5 FIN-WAIT-2: <SEQ=SND.NXT><CTL=RST>, delete the TCB.
#[test]
fn fin_wait_2_abort_sends_reset_at_snd_nxt() {
    let mut fx = fin_wait_2();
    expect(&fx.abort(), &["<SEQ=102><CTL=RST>"], &[], b"");
    assert_eq!(fx.vars(), "CLOSED");
}

// §3.10.8: everything we sent is acknowledged, so no retransmission happens.
#[test]
fn fin_wait_2_retransmission_timeout_does_nothing() {
    let mut fx = fin_wait_2();
    expect(&fx.retransmit_timeout(), &[], &[], b"");
    assert_eq!(fx.state(), State::FinWait2);
}

// §3.10.8: the TIME-WAIT timer runs only in TIME-WAIT.
#[test]
fn fin_wait_2_time_wait_timeout_is_ignored() {
    let mut fx = fin_wait_2();
    expect(&fx.time_wait_timeout(), &[], &[], b"");
    assert_eq!(fx.state(), State::FinWait2);
}
