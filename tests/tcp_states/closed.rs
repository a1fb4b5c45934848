//! CLOSED (no TCB): RFC 9293 §3.10.7.1 and §3.5.2 group 1 for segments, §3.10.1–§3.10.5 for
//! user calls, §3.10.8 for timers.

use crate::fixtures::*;
use tcpip_spec::tcp::{Signal, State, UserError};

// §3.10.7.1: no ACK bit, so <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>; the SYN counts one.
#[test]
fn closed_syn_draws_rst_ack_acknowledging_the_syn() {
    let mut fx = closed();
    let out = fx.arrive(syn(300));
    expect(&out, &["<SEQ=0><ACK=301><CTL=RST,ACK>"], &[], b"");
    assert_eq!(fx.vars(), "CLOSED");
}

// §3.10.7.1: SEG.LEN counts the text and the SYN: 3 octets + SYN = 4.
#[test]
fn closed_syn_with_text_is_reset_past_syn_and_text() {
    let mut fx = closed();
    let out = fx.arrive(syn_data(300, b"abc"));
    expect(&out, &["<SEQ=0><ACK=304><CTL=RST,ACK>"], &[], b"");
}

// §3.10.7.1: the ACK bit is on, so the reset is <SEQ=SEG.ACK><CTL=RST>.
#[test]
fn closed_syn_ack_draws_reset_with_seq_of_seg_ack() {
    let mut fx = closed();
    let out = fx.arrive(syn_ack(300, 101));
    expect(&out, &["<SEQ=101><CTL=RST>"], &[], b"");
    assert_eq!(fx.vars(), "CLOSED");
}

// §3.10.7.1: <SEQ=SEG.ACK><CTL=RST> for any ACK-bearing segment.
#[test]
fn closed_ack_draws_reset_with_seq_of_seg_ack() {
    let mut fx = closed();
    let out = fx.arrive(ack(301, 101));
    expect(&out, &["<SEQ=101><CTL=RST>"], &[], b"");
}

// §3.10.7.1: "all data in the incoming segment is discarded"; the reset takes SEG.ACK.
#[test]
fn closed_data_is_discarded_and_draws_reset_with_seq_of_seg_ack() {
    let mut fx = closed();
    let out = fx.arrive(data(301, 101, b"abc"));
    expect(&out, &["<SEQ=101><CTL=RST>"], &[], b"");
}

// §3.10.7.1: without ACK the reset acknowledges SEG.SEQ+SEG.LEN, the text's length.
#[test]
fn closed_data_without_ack_draws_rst_ack_past_the_text() {
    let mut fx = closed();
    let out = fx.arrive(data_no_ack(301, b"abc"));
    expect(&out, &["<SEQ=0><ACK=304><CTL=RST,ACK>"], &[], b"");
}

// §3.10.7.1: a FIN,ACK is answered like any ACK-bearing segment.
#[test]
fn closed_fin_ack_draws_reset_with_seq_of_seg_ack() {
    let mut fx = closed();
    let out = fx.arrive(fin_ack(301, 102));
    expect(&out, &["<SEQ=102><CTL=RST>"], &[], b"");
}

// §3.10.7.1, §3.4: a FIN occupies one sequence number, so SEG.LEN = 1.
#[test]
fn closed_fin_without_ack_draws_rst_ack_counting_the_fin() {
    let mut fx = closed();
    let out = fx.arrive(fin(301));
    expect(&out, &["<SEQ=0><ACK=302><CTL=RST,ACK>"], &[], b"");
}

// §3.10.7.1: "An incoming segment containing a RST is discarded."
#[test]
fn closed_rst_is_discarded_without_reply() {
    let mut fx = closed();
    expect(&fx.arrive(rst(301)), &[], &[], b"");
    expect(&fx.arrive(rst_ack(301, 101)), &[], &[], b"");
    assert_eq!(fx.vars(), "CLOSED");
}

// §3.10.7.1, §3.4: SEG.SEQ+SEG.LEN is taken modulo 2^32: a SYN at 2^32-1 is acked with 0.
#[test]
fn closed_syn_at_2_pow_32_minus_1_is_reset_with_ack_zero() {
    let mut fx = closed();
    let out = fx.arrive(syn(u32::MAX));
    expect(&out, &["<SEQ=0><ACK=0><CTL=RST,ACK>"], &[], b"");
}

// §3.10.1 CLOSED: a passive OPEN creates a TCB and enters LISTEN; nothing is sent.
#[test]
fn closed_open_passive_enters_listen() {
    let mut fx = closed();
    expect(&fx.open_passive(), &[], &[], b"");
    assert_eq!(fx.state(), State::Listen);
    assert!(fx.tcb.passive);
    assert_eq!(fx.tcb.rcv_wnd, u32::from(WND));
}

// §3.10.1 CLOSED: active OPEN sends <SEQ=ISS><CTL=SYN>, SND.UNA = ISS, SND.NXT = ISS+1.
#[test]
fn closed_open_active_sends_syn_and_enters_syn_sent() {
    let mut fx = closed();
    expect(&fx.open_active(ISS), &["<SEQ=100><CTL=SYN>"], &[], b"");
    assert_eq!(
        fx.vars(),
        "SYN-SENT ISS=100 IRS=0 SND.UNA=100 SND.NXT=101 RCV.NXT=0"
    );
    assert!(!fx.tcb.passive);
}

// §3.10.1, §3.4: with ISS = 2^32-1 the SYN occupies the last number and SND.NXT wraps to 0.
#[test]
fn closed_open_active_with_iss_2_pow_32_minus_1_wraps_snd_nxt_to_zero() {
    let mut fx = closed();
    expect(
        &fx.open_active(u32::MAX),
        &["<SEQ=4294967295><CTL=SYN>"],
        &[],
        b"",
    );
    assert_eq!(
        fx.vars(),
        "SYN-SENT ISS=4294967295 IRS=0 SND.UNA=4294967295 SND.NXT=0 RCV.NXT=0"
    );
}

// §3.10.2 CLOSED: SEND returns "error: connection does not exist".
#[test]
fn closed_send_is_refused_connection_does_not_exist() {
    let mut fx = closed();
    let out = fx.send(b"abc");
    let err = Signal::Error(UserError::ConnectionDoesNotExist);
    expect(&out, &[], &[err], b"");
    assert_eq!(fx.vars(), "CLOSED");
}

// §3.10.4 CLOSED: CLOSE returns "error: connection does not exist".
#[test]
fn closed_close_is_refused_connection_does_not_exist() {
    let mut fx = closed();
    let err = Signal::Error(UserError::ConnectionDoesNotExist);
    expect(&fx.close(), &[], &[err], b"");
}

// §3.10.5 CLOSED: ABORT returns "error: connection does not exist" and sends nothing.
#[test]
fn closed_abort_is_refused_connection_does_not_exist() {
    let mut fx = closed();
    let err = Signal::Error(UserError::ConnectionDoesNotExist);
    expect(&fx.abort(), &[], &[err], b"");
}

// §3.10.8: no TCB, so no timer can be running; an expiry changes nothing.
#[test]
fn closed_timers_do_nothing() {
    let mut fx = closed();
    expect(&fx.retransmit_timeout(), &[], &[], b"");
    expect(&fx.time_wait_timeout(), &[], &[], b"");
    assert_eq!(fx.vars(), "CLOSED");
}

// §3.5.2 group 1, §3.10.7.1: `reset_for` is the same rule offered to the demultiplexer.
#[test]
fn closed_reset_for_is_the_closed_state_reply() {
    let cfg = cfg();
    let r = |s| tcpip_spec::tcp::reset_for(&s, &cfg).map(|r| r.to_string());
    assert_eq!(
        r(syn(300)).as_deref(),
        Some("<SEQ=0><ACK=301><CTL=RST,ACK>")
    );
    assert_eq!(r(ack(301, 101)).as_deref(), Some("<SEQ=101><CTL=RST>"));
    assert_eq!(r(rst_ack(301, 101)), None);
}
