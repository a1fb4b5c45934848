//! LAST-ACK: we closed after the peer (RCV.NXT = 302); our FIN 101 waits for its ACK
//! (SND.UNA = 101, SND.NXT = 102). RFC 9293 §3.10.7.4 fifth step ("The only thing that can
//! arrive in this state is an acknowledgment of our FIN"), §3.5.2 group 3, §3.10.5, §3.10.8.

use crate::fixtures::*;
use tcpip_spec::tcp::{Signal, State, UserError};

const ACK: &str = "<SEQ=102><ACK=302><CTL=ACK>";

// §3.10.7.4 fifth, LAST-ACK: "If our FIN is now acknowledged, delete the TCB, enter the
// CLOSED state" (Figure 12 line 6).
#[test]
fn last_ack_ack_of_fin_deletes_the_tcb() {
    let mut fx = last_ack();
    let out = fx.arrive(ack(302, 102));
    expect(&out, &[], &[Signal::OurFinAcked, Signal::Closed], b"");
    assert_eq!(fx.vars(), "CLOSED");
}

// Figure 12: the peer in FIN-WAIT-2 takes our FIN, acknowledges it and enters TIME-WAIT; that
// ACK closes us.
#[test]
fn last_ack_peer_acks_our_fin_from_fin_wait_2() {
    let mut fx = last_ack();
    let out = fx.peer_gets(&fin_ack(101, 302));
    let peer_ack = out.segments[0].clone();
    assert_eq!(segs(&out), ["<SEQ=302><ACK=102><CTL=ACK>"]);
    assert_eq!(fx.peer.state, State::TimeWait);
    expect(
        &fx.arrive(peer_ack),
        &[],
        &[Signal::OurFinAcked, Signal::Closed],
        b"",
    );
}

// §3.10.7.4 fifth: an ACK short of our FIN acknowledges nothing new; LAST-ACK stays.
#[test]
fn last_ack_duplicate_ack_stays() {
    let mut fx = last_ack();
    expect(&fx.arrive(ack(302, 101)), &[], &[], b"");
    assert_eq!(
        fx.vars(),
        "LAST-ACK ISS=100 IRS=300 SND.UNA=101 SND.NXT=102 RCV.NXT=302"
    );
}

// §3.5.2 group 3, §3.10.7.4 fifth, T15: an ACK beyond our FIN acknowledges something never
// sent: it is answered with an empty ACK and dropped; it does not close the connection.
#[test]
fn last_ack_ack_of_unsent_data_is_acked_and_dropped() {
    let mut fx = last_ack();
    expect(&fx.arrive(ack(302, 110)), &[ACK], &[], b"");
    assert_eq!(
        fx.vars(),
        "LAST-ACK ISS=100 IRS=300 SND.UNA=101 SND.NXT=102 RCV.NXT=302"
    );
}

// §3.10.7.4 first, eighth ("Remain in the LAST-ACK state"): a retransmitted FIN is acked.
#[test]
fn last_ack_retransmitted_fin_is_acknowledged_again() {
    let mut fx = last_ack();
    expect(
        &fx.arrive(fin_ack(301, 101)),
        &[ACK],
        &[Signal::Unacceptable],
        b"",
    );
    assert_eq!(fx.state(), State::LastAck);
}

// §3.10.7.4 seventh, LAST-ACK: "Ignore the segment text".
#[test]
fn last_ack_text_is_ignored() {
    let mut fx = last_ack();
    expect(&fx.arrive(data(302, 101, b"abc")), &[], &[], b"");
    assert_eq!(fx.tcb.rcv_nxt.0, 302);
}

// §3.10.7.4 first: out-of-window segments are acked and dropped.
#[test]
fn last_ack_out_of_window_segment_is_acked_and_dropped() {
    let mut fx = last_ack();
    let out = fx.arrive(ack_out_of_window(302, 102));
    expect(&out, &[ACK], &[Signal::Unacceptable], b"");
    assert_eq!(fx.state(), State::LastAck);
}

// §3.10.7.4 fourth, RFC 5961 §4.2: a SYN draws a challenge ACK.
#[test]
fn last_ack_syn_draws_challenge_ack() {
    let mut fx = last_ack();
    expect(&fx.arrive(syn(310)), &[ACK], &[Signal::ChallengeAck], b"");
    assert_eq!(fx.state(), State::LastAck);
}

// §3.10.7.4 second, LAST-ACK: an exact RST: "enter the CLOSED state, delete the TCB".
#[test]
fn last_ack_exact_rst_deletes_the_tcb() {
    let mut fx = last_ack();
    expect(&fx.arrive(rst(302)), &[], &[Signal::Reset], b"");
    assert_eq!(fx.vars(), "CLOSED");
}

// RFC 5961 §3.2: in-window, not exact: challenge ACK; out of window: dropped silently.
#[test]
fn last_ack_inexact_rst_draws_challenge_ack_and_far_rst_is_dropped() {
    let mut fx = last_ack();
    expect(&fx.arrive(rst(399)), &[ACK], &[Signal::ChallengeAck], b"");
    expect(
        &fx.arrive(rst_out_of_window(302)),
        &[],
        &[Signal::Unacceptable],
        b"",
    );
    assert_eq!(fx.state(), State::LastAck);
}

// §3.10.1: "error: connection already exists".
#[test]
fn last_ack_open_is_connection_already_exists() {
    let mut fx = last_ack();
    let err = Signal::Error(UserError::ConnectionAlreadyExists);
    expect(&fx.open_active(ISS), &[], &[err], b"");
}

// §3.10.2 and §3.10.4 LAST-ACK: "error: connection closing".
#[test]
fn last_ack_send_and_close_are_refused_connection_closing() {
    let mut fx = last_ack();
    let err = Signal::Error(UserError::ConnectionClosing);
    expect(&fx.send(b"abc"), &[], &[err], b"");
    expect(&fx.close(), &[], &[err], b"");
    assert_eq!(fx.state(), State::LastAck);
}

// §3.10.5 LAST-ACK: "Respond with 'ok' and delete the TCB" -- no reset is sent.
#[test]
fn last_ack_abort_deletes_the_tcb_without_reset() {
    let mut fx = last_ack();
    expect(&fx.abort(), &[], &[], b"");
    assert_eq!(fx.vars(), "CLOSED");
}

// §3.10.8, T17: the FIN is retransmitted in LAST-ACK.
#[test]
fn last_ack_retransmission_timeout_resends_the_fin() {
    let mut fx = last_ack();
    let out = fx.retransmit_timeout();
    expect(
        &out,
        &["<SEQ=101><ACK=302><CTL=FIN,ACK>"],
        &[Signal::Retransmitted],
        b"",
    );
}

// §3.8.3 R2: an unanswered FIN times the connection out in the end.
#[test]
fn last_ack_retransmissions_exhausted_time_out() {
    let mut fx = last_ack();
    fx.cfg.max_retransmits = 1;
    expect(
        &fx.retransmit_timeout(),
        &["<SEQ=101><ACK=302><CTL=FIN,ACK>"],
        &[Signal::Retransmitted],
        b"",
    );
    expect(&fx.retransmit_timeout(), &[], &[Signal::TimedOut], b"");
    assert_eq!(fx.vars(), "CLOSED");
}

// §3.10.8: the TIME-WAIT timer runs only in TIME-WAIT.
#[test]
fn last_ack_time_wait_timeout_is_ignored() {
    let mut fx = last_ack();
    expect(&fx.time_wait_timeout(), &[], &[], b"");
    assert_eq!(fx.state(), State::LastAck);
}
