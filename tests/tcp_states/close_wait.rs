//! CLOSE-WAIT: the peer's FIN 301 is taken (RCV.NXT = 302); we may still send (SND.NXT = 101).
//! RFC 9293 §3.10.7.4 (seventh and eighth steps ignore text and FIN here), §3.6.1, user calls
//! and §3.10.8.

use crate::fixtures::*;
use tcpip_spec::tcp::{Signal, State, UserError};

const ACK: &str = "<SEQ=101><ACK=302><CTL=ACK>";

// §3.10.7.4 first: the peer's retransmitted FIN lies below RCV.NXT; it draws an ACK and
// the state stays ("Remain in the CLOSE-WAIT state").
#[test]
fn close_wait_retransmitted_fin_is_acknowledged_again() {
    let mut fx = close_wait();
    let out = fx.arrive(fin_ack(301, 101));
    expect(&out, &[ACK], &[Signal::Unacceptable], b"");
    assert_eq!(
        fx.vars(),
        "CLOSE-WAIT ISS=100 IRS=300 SND.UNA=101 SND.NXT=101 RCV.NXT=302"
    );
}

// §3.10.7.4 seventh, CLOSE-WAIT: "Ignore the segment text"; nothing delivered, nothing acked.
#[test]
fn close_wait_text_after_the_fin_is_ignored() {
    let mut fx = close_wait();
    expect(&fx.arrive(data(302, 101, b"abc")), &[], &[], b"");
    assert_eq!(fx.tcb.rcv_nxt.0, 302);
}

// §3.10.7.4 first: segments outside the window are acked and dropped.
#[test]
fn close_wait_out_of_window_segments_are_acked_and_dropped() {
    let mut fx = close_wait();
    let far = beyond_window(302);
    expect(
        &fx.arrive(data(far, 101, b"abc")),
        &[ACK],
        &[Signal::Unacceptable],
        b"",
    );
    expect(
        &fx.arrive(ack_out_of_window(302, 101)),
        &[ACK],
        &[Signal::Unacceptable],
        b"",
    );
    assert_eq!(fx.state(), State::CloseWait);
}

// §3.10.7.4 fifth, CLOSE-WAIT: "Do the same processing as for the ESTABLISHED state": an ACK
// of our text advances SND.UNA.
#[test]
fn close_wait_ack_of_our_text_advances_snd_una() {
    let mut fx = close_wait();
    fx.send(b"abc");
    expect(&fx.arrive(ack(302, 104)), &[], &[], b"");
    assert_eq!(
        fx.vars(),
        "CLOSE-WAIT ISS=100 IRS=300 SND.UNA=104 SND.NXT=104 RCV.NXT=302"
    );
}

// §3.10.7.4 fifth (as ESTABLISHED): a duplicate ACK is ignored.
#[test]
fn close_wait_duplicate_ack_is_ignored() {
    let mut fx = close_wait();
    expect(&fx.arrive(ack(302, 101)), &[], &[], b"");
    assert_eq!(fx.state(), State::CloseWait);
}

// §3.10.7.4 fifth (as ESTABLISHED), T15: an ACK of unsent data is acked and dropped.
#[test]
fn close_wait_ack_of_unsent_data_is_acked_and_dropped() {
    let mut fx = close_wait();
    expect(&fx.arrive(ack(302, 150)), &[ACK], &[], b"");
    assert_eq!(fx.tcb.snd_una.0, 101);
}

// §3.10.7.4 fourth, RFC 5961 §4.2: a SYN draws a challenge ACK.
#[test]
fn close_wait_syn_draws_challenge_ack() {
    let mut fx = close_wait();
    expect(&fx.arrive(syn(302)), &[ACK], &[Signal::ChallengeAck], b"");
    assert_eq!(fx.state(), State::CloseWait);
}

// §3.10.7.4 second, CLOSE-WAIT: an exact RST: "connection reset", CLOSED.
#[test]
fn close_wait_exact_rst_resets_the_connection() {
    let mut fx = close_wait();
    expect(&fx.arrive(rst(302)), &[], &[Signal::Reset], b"");
    assert_eq!(fx.vars(), "CLOSED");
}

// RFC 5961 §3.2: in-window, not exact: challenge ACK; out of window: dropped silently.
#[test]
fn close_wait_inexact_rst_draws_challenge_ack_and_far_rst_is_dropped() {
    let mut fx = close_wait();
    expect(&fx.arrive(rst(303)), &[ACK], &[Signal::ChallengeAck], b"");
    expect(&fx.arrive(rst(301)), &[], &[Signal::Unacceptable], b"");
    assert_eq!(fx.state(), State::CloseWait);
}

// §3.10.1: "error: connection already exists".
#[test]
fn close_wait_open_is_connection_already_exists() {
    let mut fx = close_wait();
    let err = Signal::Error(UserError::ConnectionAlreadyExists);
    expect(&fx.open_active(ISS), &[], &[err], b"");
}

// §3.10.2 CLOSE-WAIT: SEND segmentizes and sends with ACK = RCV.NXT (§3.6.1 half-close).
#[test]
fn close_wait_send_transmits_with_piggybacked_ack() {
    let mut fx = close_wait();
    let out = fx.send(b"abc");
    expect(&out, &["<SEQ=101><ACK=302><CTL=ACK><DATA=abc>"], &[], b"");
    assert_eq!(fx.tcb.snd_nxt.0, 104);
}

// §3.10.4 CLOSE-WAIT: send a FIN, enter LAST-ACK (Figure 12 line 5).
#[test]
fn close_wait_close_sends_fin_and_enters_last_ack() {
    let mut fx = close_wait();
    expect(&fx.close(), &["<SEQ=101><ACK=302><CTL=FIN,ACK>"], &[], b"");
    assert_eq!(
        fx.vars(),
        "LAST-ACK ISS=100 IRS=300 SND.UNA=101 SND.NXT=102 RCV.NXT=302"
    );
}

// §3.10.4 CLOSE-WAIT: the FIN follows all preceding SENDs; here it rides on the last text.
#[test]
fn close_wait_close_sends_fin_after_queued_text() {
    let mut fx = close_wait();
    fx.arrive(ack_wnd(302, 101, 0));
    expect(&fx.send(b"ab"), &[], &[], b"");
    expect(&fx.close(), &[], &[], b"");
    assert_eq!(fx.state(), State::LastAck);
    let out = fx.arrive(ack_wnd(302, 101, 10));
    expect(
        &out,
        &["<SEQ=101><ACK=302><CTL=FIN,ACK><DATA=ab>"],
        &[],
        b"",
    );
}

// §3.10.5 CLOSE-WAIT: <SEQ=SND.NXT><CTL=RST>, delete the TCB.
#[test]
fn close_wait_abort_sends_reset_at_snd_nxt() {
    let mut fx = close_wait();
    expect(&fx.abort(), &["<SEQ=101><CTL=RST>"], &[], b"");
    assert_eq!(fx.vars(), "CLOSED");
}

// §3.10.8, T17: the retransmission timer still runs after the peer's FIN.
#[test]
fn close_wait_retransmission_timeout_resends_unacked_text() {
    let mut fx = close_wait();
    fx.send(b"abc");
    let out = fx.retransmit_timeout();
    expect(
        &out,
        &["<SEQ=101><ACK=302><CTL=ACK><DATA=abc>"],
        &[Signal::Retransmitted],
        b"",
    );
}

// §3.10.8: nothing outstanding, no retransmission; the TIME-WAIT timer is not ours.
#[test]
fn close_wait_timers_without_outstanding_data_do_nothing() {
    let mut fx = close_wait();
    expect(&fx.retransmit_timeout(), &[], &[], b"");
    expect(&fx.time_wait_timeout(), &[], &[], b"");
    assert_eq!(fx.state(), State::CloseWait);
}
