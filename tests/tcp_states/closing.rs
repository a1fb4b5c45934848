//! CLOSING (simultaneous close, RFC 9293 §3.6 Figure 13): both FINs sent, the peer's taken
//! (RCV.NXT = 302), ours unacknowledged (SND.UNA = 101, SND.NXT = 102). §3.10.7.4 fifth step
//! (ACK of our FIN -> TIME-WAIT), user calls, §3.10.8.

use crate::fixtures::*;
use tcpip_spec::tcp::{Signal, State, UserError};

const ACK: &str = "<SEQ=102><ACK=302><CTL=ACK>";

// §3.10.7.4 fifth, CLOSING: "if the ACK acknowledges our FIN, then enter the TIME-WAIT state"
// (Figure 13 line 6); nothing is sent.
#[test]
fn closing_ack_of_fin_enters_time_wait() {
    let mut fx = closing();
    let out = fx.arrive(ack(302, 102));
    expect(
        &out,
        &[],
        &[Signal::OurFinAcked, Signal::TimeWaitStarted],
        b"",
    );
    assert_eq!(
        fx.vars(),
        "TIME-WAIT ISS=100 IRS=300 SND.UNA=102 SND.NXT=102 RCV.NXT=302"
    );
}

// Figure 13: the peer, also in CLOSING, acknowledges our FIN; its ACK brings us to TIME-WAIT
// and ours brings the peer there.
#[test]
fn closing_simultaneous_close_ends_with_both_in_time_wait() {
    let mut fx = closing();
    let our_fin = fin_ack(101, 301);
    let peer_ack = only(fx.peer_gets(&our_fin));
    assert_eq!(peer_ack.to_string(), "<SEQ=302><ACK=102><CTL=ACK>");
    assert_eq!(fx.peer.state, State::Closing);
    let out = fx.peer_gets(&ack(102, 302));
    expect(
        &out,
        &[],
        &[Signal::OurFinAcked, Signal::TimeWaitStarted],
        b"",
    );
    fx.arrive(peer_ack);
    assert_eq!(
        (fx.state(), fx.peer.state),
        (State::TimeWait, State::TimeWait)
    );
}

// §3.10.7.4 fifth, CLOSING: an ACK that does not reach our FIN: "otherwise, ignore the segment".
#[test]
fn closing_duplicate_ack_is_ignored() {
    let mut fx = closing();
    expect(&fx.arrive(ack(302, 101)), &[], &[], b"");
    assert_eq!(
        fx.vars(),
        "CLOSING ISS=100 IRS=300 SND.UNA=101 SND.NXT=102 RCV.NXT=302"
    );
}

// §3.10.7.4 fifth (as ESTABLISHED), T15: an ACK beyond our FIN is acked and dropped.
#[test]
fn closing_ack_of_unsent_data_is_acked_and_dropped() {
    let mut fx = closing();
    expect(&fx.arrive(ack(302, 103)), &[ACK], &[], b"");
    assert_eq!(fx.state(), State::Closing);
}

// §3.10.7.4 first, eighth ("Remain in the CLOSING state"): a retransmitted FIN is acked.
#[test]
fn closing_retransmitted_fin_is_acknowledged_again() {
    let mut fx = closing();
    expect(
        &fx.arrive(fin_ack(301, 101)),
        &[ACK],
        &[Signal::Unacceptable],
        b"",
    );
    assert_eq!(fx.state(), State::Closing);
}

// §3.10.7.4 seventh, CLOSING: "Ignore the segment text".
#[test]
fn closing_text_is_ignored() {
    let mut fx = closing();
    expect(&fx.arrive(data(302, 101, b"abc")), &[], &[], b"");
    assert_eq!(fx.tcb.rcv_nxt.0, 302);
}

// §3.10.7.4 first: out-of-window segments are acked and dropped.
#[test]
fn closing_out_of_window_segment_is_acked_and_dropped() {
    let mut fx = closing();
    let out = fx.arrive(ack_out_of_window(302, 102));
    expect(&out, &[ACK], &[Signal::Unacceptable], b"");
    assert_eq!(fx.state(), State::Closing);
}

// §3.10.7.4 fourth, RFC 5961 §4.2: a SYN draws a challenge ACK.
#[test]
fn closing_syn_draws_challenge_ack() {
    let mut fx = closing();
    expect(&fx.arrive(syn(302)), &[ACK], &[Signal::ChallengeAck], b"");
    assert_eq!(fx.state(), State::Closing);
}

// §3.10.7.4 second, CLOSING: an exact RST: "enter the CLOSED state, delete the TCB".
#[test]
fn closing_exact_rst_deletes_the_tcb() {
    let mut fx = closing();
    expect(&fx.arrive(rst(302)), &[], &[Signal::Reset], b"");
    assert_eq!(fx.vars(), "CLOSED");
}

// RFC 5961 §3.2: in-window, not exact: challenge ACK; out of window: dropped silently.
#[test]
fn closing_inexact_rst_draws_challenge_ack_and_far_rst_is_dropped() {
    let mut fx = closing();
    expect(&fx.arrive(rst(303)), &[ACK], &[Signal::ChallengeAck], b"");
    expect(
        &fx.arrive(rst_out_of_window(302)),
        &[],
        &[Signal::Unacceptable],
        b"",
    );
    assert_eq!(fx.state(), State::Closing);
}

// §3.10.1: "error: connection already exists".
#[test]
fn closing_open_is_connection_already_exists() {
    let mut fx = closing();
    let err = Signal::Error(UserError::ConnectionAlreadyExists);
    expect(&fx.open_active(ISS), &[], &[err], b"");
}

// §3.10.2 and §3.10.4 CLOSING: SEND and CLOSE return "error: connection closing".
#[test]
fn closing_send_and_close_are_refused_connection_closing() {
    let mut fx = closing();
    let err = Signal::Error(UserError::ConnectionClosing);
    expect(&fx.send(b"abc"), &[], &[err], b"");
    expect(&fx.close(), &[], &[err], b"");
    assert_eq!(fx.state(), State::Closing);
}

// §3.10.5 CLOSING: "Respond with 'ok' and delete the TCB" -- no reset is sent.
#[test]
fn closing_abort_deletes_the_tcb_without_reset() {
    let mut fx = closing();
    expect(&fx.abort(), &[], &[], b"");
    assert_eq!(fx.vars(), "CLOSED");
}

// §3.10.8: our unacknowledged FIN is retransmitted, acknowledging the peer's.
#[test]
fn closing_retransmission_timeout_resends_the_fin() {
    let mut fx = closing();
    let out = fx.retransmit_timeout();
    expect(
        &out,
        &["<SEQ=101><ACK=302><CTL=FIN,ACK>"],
        &[Signal::Retransmitted],
        b"",
    );
}

// §3.10.8: the TIME-WAIT timer runs only in TIME-WAIT.
#[test]
fn closing_time_wait_timeout_is_ignored() {
    let mut fx = closing();
    expect(&fx.time_wait_timeout(), &[], &[], b"");
    assert_eq!(fx.state(), State::Closing);
}
