//! TIME-WAIT: both FINs exchanged and acknowledged (SND.NXT = 102, RCV.NXT = 302); the peer
//! waits in LAST-ACK for our ACK, which is in flight. RFC 9293 §3.6 and §3.10.7.4 (fifth and
//! eighth steps: acknowledge a retransmitted FIN and restart 2 MSL), RFC 1337 F1, §3.10.8.

use crate::fixtures::*;
use tcpip_spec::tcp::{Signal, State, UserError};

const ACK: &str = "<SEQ=102><ACK=302><CTL=ACK>";

// §3.10.7.4 fifth and eighth, TIME-WAIT (Deviation, restart_time_wait): the peer's
// retransmitted FIN is acknowledged and the 2 MSL timer restarts, at the first step where the
// FIN meets TIME-WAIT below RCV.NXT. Our ACK then closes the peer.
#[test]
fn time_wait_retransmitted_fin_is_acked_and_restarts_the_timer() {
    let mut fx = time_wait();
    let again = only(fx.peer.on_retransmit_timeout(&fx.cfg));
    assert_eq!(again.to_string(), "<SEQ=301><ACK=102><CTL=FIN,ACK>");
    let out = fx.arrive(again);
    expect(
        &out,
        &[ACK],
        &[Signal::Unacceptable, Signal::TimeWaitStarted],
        b"",
    );
    assert_eq!(
        fx.vars(),
        "TIME-WAIT ISS=100 IRS=300 SND.UNA=102 SND.NXT=102 RCV.NXT=302"
    );
    let ack = out.segments[0].clone();
    expect(
        &fx.peer_gets(&ack),
        &[],
        &[Signal::OurFinAcked, Signal::Closed],
        b"",
    );
}

// §3.10.7.4: a retransmitted FIN that carries text (ending, FIN included, at RCV.NXT) is
// recognised as well.
#[test]
fn time_wait_retransmitted_text_and_fin_restart_the_timer() {
    let mut fx = time_wait();
    let out = fx.arrive(data_fin(298, 102, b"abc"));
    expect(
        &out,
        &[ACK],
        &[Signal::Unacceptable, Signal::TimeWaitStarted],
        b"",
    );
}

// §3.10.7.4 second, RFC 1337 F1 (Deviation, rst_arrives): an exact RST in TIME-WAIT is
// ignored, against TIME-WAIT assassination.
#[test]
fn time_wait_exact_rst_is_ignored() {
    let mut fx = time_wait();
    expect(&fx.arrive(rst(302)), &[], &[], b"");
    expect(&fx.arrive(rst_ack(302, 102)), &[], &[], b"");
    assert_eq!(
        fx.vars(),
        "TIME-WAIT ISS=100 IRS=300 SND.UNA=102 SND.NXT=102 RCV.NXT=302"
    );
}

// RFC 5961 §3.2 (3) is applied before F1: an in-window RST that is not exact draws a
// challenge ACK (which the peer, if it is there, answers with an exact RST that F1 ignores).
#[test]
fn time_wait_inexact_rst_draws_challenge_ack() {
    let mut fx = time_wait();
    expect(&fx.arrive(rst(303)), &[ACK], &[Signal::ChallengeAck], b"");
    assert_eq!(fx.state(), State::TimeWait);
}

// §3.10.7.4 first: a RST outside the window is dropped silently.
#[test]
fn time_wait_rst_out_of_window_is_dropped_silently() {
    let mut fx = time_wait();
    expect(
        &fx.arrive(rst_out_of_window(302)),
        &[],
        &[Signal::Unacceptable],
        b"",
    );
    assert_eq!(fx.state(), State::TimeWait);
}

// §3.10.7.4 fourth, RFC 5961 §4.2: a SYN in the window draws a challenge ACK (the timestamp
// rule of RFC 6191 for new connections in TIME-WAIT is not implemented).
#[test]
fn time_wait_syn_in_window_draws_challenge_ack() {
    let mut fx = time_wait();
    expect(&fx.arrive(syn(302)), &[ACK], &[Signal::ChallengeAck], b"");
    assert_eq!(fx.state(), State::TimeWait);
}

// §3.10.7.4 first: a SYN beyond the window is unacceptable: ACK, no restart of the timer.
#[test]
fn time_wait_syn_beyond_the_window_is_acked_without_restart() {
    let mut fx = time_wait();
    let out = fx.arrive(syn(5000));
    expect(&out, &[ACK], &[Signal::Unacceptable], b"");
    assert_eq!(fx.state(), State::TimeWait);
}

// §3.10.7.4 fifth, TIME-WAIT: an ACK that is not a retransmitted FIN changes nothing.
#[test]
fn time_wait_duplicate_ack_is_ignored() {
    let mut fx = time_wait();
    expect(&fx.arrive(ack(302, 102)), &[], &[], b"");
    assert_eq!(fx.state(), State::TimeWait);
}

// §3.5.2 group 3, T15: an ACK of something never sent is answered with an empty ACK.
#[test]
fn time_wait_ack_of_unsent_data_is_acked_and_dropped() {
    let mut fx = time_wait();
    expect(&fx.arrive(ack(302, 110)), &[ACK], &[], b"");
    assert_eq!(
        fx.vars(),
        "TIME-WAIT ISS=100 IRS=300 SND.UNA=102 SND.NXT=102 RCV.NXT=302"
    );
}

// §3.10.7.4 seventh, TIME-WAIT: "Ignore the segment text".
#[test]
fn time_wait_text_is_ignored() {
    let mut fx = time_wait();
    expect(&fx.arrive(data(302, 102, b"abc")), &[], &[], b"");
    assert_eq!(fx.tcb.rcv_nxt.0, 302);
}

// §3.10.7.4 first: an out-of-window segment is acked and dropped.
#[test]
fn time_wait_out_of_window_segment_is_acked_and_dropped() {
    let mut fx = time_wait();
    let out = fx.arrive(ack_out_of_window(302, 102));
    expect(&out, &[ACK], &[Signal::Unacceptable], b"");
}

// §3.6, §3.4: FINs at 2^32-1 and the retransmission check wrap: our FIN at 2^32-1 makes
// SND.NXT 0, the peer's makes RCV.NXT 0, and its retransmission is still recognised.
#[test]
fn time_wait_fin_numbers_wrap_around_2_pow_32() {
    let mut fx = established_at(u32::MAX - 1, u32::MAX - 1);
    let fin = only(fx.close());
    assert_eq!(
        fin.to_string(),
        "<SEQ=4294967295><ACK=4294967295><CTL=FIN,ACK>"
    );
    let peer_fin = fin_ack(u32::MAX, 0);
    let out = fx.arrive(peer_fin.clone());
    expect(
        &out,
        &["<SEQ=0><ACK=0><CTL=ACK>"],
        &[
            Signal::OurFinAcked,
            Signal::PeerClosed,
            Signal::TimeWaitStarted,
        ],
        b"",
    );
    let out = fx.arrive(peer_fin);
    expect(
        &out,
        &["<SEQ=0><ACK=0><CTL=ACK>"],
        &[Signal::Unacceptable, Signal::TimeWaitStarted],
        b"",
    );
    assert_eq!(
        fx.vars(),
        "TIME-WAIT ISS=4294967294 IRS=4294967294 SND.UNA=0 SND.NXT=0 RCV.NXT=0"
    );
}

// §3.10.8 TIME-WAIT TIMEOUT: delete the TCB, enter CLOSED.
#[test]
fn time_wait_timeout_deletes_the_tcb() {
    let mut fx = time_wait();
    expect(&fx.time_wait_timeout(), &[], &[Signal::Closed], b"");
    assert_eq!(fx.vars(), "CLOSED");
}

// §3.10.8: nothing is unacknowledged, so the retransmission timer is off.
#[test]
fn time_wait_retransmission_timeout_does_nothing() {
    let mut fx = time_wait();
    expect(&fx.retransmit_timeout(), &[], &[], b"");
    assert_eq!(fx.state(), State::TimeWait);
}

// §3.10.1: "error: connection already exists" (MUST-13 keeps the quadruple out of use).
#[test]
fn time_wait_open_is_connection_already_exists() {
    let mut fx = time_wait();
    let err = Signal::Error(UserError::ConnectionAlreadyExists);
    expect(&fx.open_active(ISS), &[], &[err], b"");
    expect(&fx.open_passive(), &[], &[err], b"");
    assert_eq!(fx.state(), State::TimeWait);
}

// §3.10.2 and §3.10.4 TIME-WAIT: "error: connection closing".
#[test]
fn time_wait_send_and_close_are_refused_connection_closing() {
    let mut fx = time_wait();
    let err = Signal::Error(UserError::ConnectionClosing);
    expect(&fx.send(b"abc"), &[], &[err], b"");
    expect(&fx.close(), &[], &[err], b"");
    assert_eq!(fx.state(), State::TimeWait);
}

// §3.10.5 TIME-WAIT: "Respond with 'ok' and delete the TCB" -- no reset is sent.
#[test]
fn time_wait_abort_deletes_the_tcb_without_reset() {
    let mut fx = time_wait();
    expect(&fx.abort(), &[], &[], b"");
    assert_eq!(fx.vars(), "CLOSED");
}
