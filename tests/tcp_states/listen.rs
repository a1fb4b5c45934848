//! LISTEN: RFC 9293 §3.10.7.2 (RST first, then ACK, then SYN), §3.5.2 group 2, and the user
//! calls of §3.10.1–§3.10.5.

use crate::fixtures::*;
use tcpip_spec::tcp::{Seq, Signal, State, UserError};

// §3.10.7.2 first: "An incoming RST should be ignored."
#[test]
fn listen_rst_is_ignored() {
    let mut fx = listen();
    expect(&fx.arrive(rst(300)), &[], &[], b"");
    expect(&fx.arrive(rst_ack(300, 101)), &[], &[], b"");
    assert_eq!(fx.state(), State::Listen);
}

// §3.10.7.2 second: any ACK is bad in LISTEN; reply <SEQ=SEG.ACK><CTL=RST>.
#[test]
fn listen_ack_draws_reset_with_seq_of_seg_ack() {
    let mut fx = listen();
    expect(&fx.arrive(ack(301, 101)), &["<SEQ=101><CTL=RST>"], &[], b"");
    assert_eq!(fx.state(), State::Listen);
}

// §3.10.7.2: the ACK check comes before the SYN check, so a SYN,ACK is reset too.
#[test]
fn listen_syn_ack_draws_reset_not_a_connection() {
    let mut fx = listen();
    expect(
        &fx.arrive(syn_ack(300, 101)),
        &["<SEQ=101><CTL=RST>"],
        &[],
        b"",
    );
    assert_eq!(
        fx.vars(),
        "LISTEN ISS=0 IRS=0 SND.UNA=0 SND.NXT=0 RCV.NXT=0"
    );
}

// §3.10.7.2 second: a FIN,ACK is an ACK-bearing segment.
#[test]
fn listen_fin_ack_draws_reset_with_seq_of_seg_ack() {
    let mut fx = listen();
    expect(
        &fx.arrive(fin_ack(301, 102)),
        &["<SEQ=102><CTL=RST>"],
        &[],
        b"",
    );
    assert_eq!(fx.state(), State::Listen);
}

// §3.10.7.2 second: text with an ACK is reset, and nothing is delivered.
#[test]
fn listen_data_with_ack_draws_reset_and_is_not_delivered() {
    let mut fx = listen();
    let out = fx.arrive(data(301, 101, b"abc"));
    expect(&out, &["<SEQ=101><CTL=RST>"], &[], b"");
}

// §3.10.7.2 fourth: a segment with none of RST, ACK, SYN "should not be reached"; drop it.
#[test]
fn listen_fin_or_text_without_ack_or_syn_is_dropped() {
    let mut fx = listen();
    expect(&fx.arrive(fin(301)), &[], &[], b"");
    expect(&fx.arrive(data_no_ack(301, b"abc")), &[], &[], b"");
    assert_eq!(fx.state(), State::Listen);
}

// §3.10.7.2 third: IRS = SEG.SEQ, RCV.NXT = SEG.SEQ+1, SND.UNA = ISS, SND.NXT = ISS+1,
// <SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK>, SYN-RECEIVED.
#[test]
fn listen_syn_enters_syn_received_and_sends_syn_ack() {
    let mut fx = listen();
    let out = fx.arrive(syn(300));
    expect(&out, &["<SEQ=100><ACK=301><CTL=SYN,ACK>"], &[], b"");
    assert_eq!(
        fx.vars(),
        "SYN-RECEIVED ISS=100 IRS=300 SND.UNA=100 SND.NXT=101 RCV.NXT=301"
    );
    assert!(
        fx.tcb.passive,
        "SYN-RECEIVED remembers the passive open (MUST-11)"
    );
    assert_eq!(out.segments[0].wnd, WND);
}

// §3.10.7.2 third: text on the SYN is queued "for processing later" (T18): the SYN,ACK
// acknowledges the SYN only (RCV.NXT = 301) and nothing is delivered. When the handshake's
// ACK makes the connection ESTABLISHED the held text is delivered and acknowledged.
#[test]
fn listen_syn_with_text_acknowledges_the_syn_only_and_holds_the_text() {
    let mut fx = listen();
    let out = fx.arrive(syn_data(300, b"abc"));
    expect(
        &out,
        &["<SEQ=100><ACK=301><CTL=SYN,ACK>"],
        &[Signal::Queued],
        b"",
    );
    assert_eq!(
        fx.vars(),
        "SYN-RECEIVED ISS=100 IRS=300 SND.UNA=100 SND.NXT=101 RCV.NXT=301"
    );
    assert_eq!(fx.tcb.rcv_queue.to_vec(), vec![(Seq(301), b"abc".to_vec())]);

    let out = fx.arrive(ack(301, 101));
    expect(
        &out,
        &["<SEQ=101><ACK=304><CTL=ACK>"],
        &[Signal::Established, Signal::Reassembled],
        b"abc",
    );
    assert_eq!(
        fx.vars(),
        "ESTABLISHED ISS=100 IRS=300 SND.UNA=101 SND.NXT=101 RCV.NXT=304"
    );
    assert!(fx.tcb.rcv_queue.is_empty());
}

// §3.10.7.2 third, §3.10.7.4 first: text on the SYN beyond RCV.WND is trimmed to the window
// before it is held; only the window's worth is delivered at ESTABLISHED.
#[test]
fn listen_syn_text_beyond_the_window_is_trimmed_before_it_is_held() {
    let mut fx = listen();
    let out = fx.arrive(syn_data(300, &[b'x'; 150]));
    expect(
        &out,
        &["<SEQ=100><ACK=301><CTL=SYN,ACK>"],
        &[Signal::Queued],
        b"",
    );
    assert_eq!(fx.tcb.rcv_queue.to_vec(), vec![(Seq(301), vec![b'x'; 100])]);
    let out = fx.arrive(ack(301, 101));
    expect(
        &out,
        &["<SEQ=101><ACK=401><CTL=ACK>"],
        &[Signal::Established, Signal::Reassembled],
        &[b'x'; 100],
    );
}

// §3.10.7.2, §3.4: a SYN at 2^32-1 makes RCV.NXT wrap to 0.
#[test]
fn listen_syn_at_2_pow_32_minus_1_acknowledges_zero() {
    let mut fx = listen();
    let out = fx.arrive(syn(u32::MAX));
    expect(&out, &["<SEQ=100><ACK=0><CTL=SYN,ACK>"], &[], b"");
    assert_eq!(
        fx.vars(),
        "SYN-RECEIVED ISS=100 IRS=4294967295 SND.UNA=100 SND.NXT=101 RCV.NXT=0"
    );
}

// §3.10.7.2, §3.4: with ISS = 2^32-1 our SND.NXT wraps to 0.
#[test]
fn listen_syn_with_iss_2_pow_32_minus_1_wraps_snd_nxt() {
    let mut fx = listen();
    let out = fx
        .tcb
        .on_segment(&syn(300), tcpip_spec::tcp::Seq(u32::MAX), &fx.cfg);
    expect(&out, &["<SEQ=4294967295><ACK=301><CTL=SYN,ACK>"], &[], b"");
    assert_eq!(
        fx.vars(),
        "SYN-RECEIVED ISS=4294967295 IRS=300 SND.UNA=4294967295 SND.NXT=0 RCV.NXT=301"
    );
}

// §3.10.1 LISTEN: an active OPEN turns the connection active: SYN, SYN-SENT.
#[test]
fn listen_open_active_becomes_active_and_sends_syn() {
    let mut fx = listen();
    expect(&fx.open_active(ISS), &["<SEQ=100><CTL=SYN>"], &[], b"");
    assert_eq!(
        fx.vars(),
        "SYN-SENT ISS=100 IRS=0 SND.UNA=100 SND.NXT=101 RCV.NXT=0"
    );
    assert!(
        !fx.tcb.passive,
        "a RST in SYN-RECEIVED must now refuse, not re-listen"
    );
}

// §3.10.1: the RFC names only the active OPEN for LISTEN; a second passive OPEN is refused
// like OPEN in every other state with a TCB ("error: connection already exists").
#[test]
fn listen_open_passive_again_is_connection_already_exists() {
    let mut fx = listen();
    let err = Signal::Error(UserError::ConnectionAlreadyExists);
    expect(&fx.open_passive(), &[], &[err], b"");
    assert_eq!(fx.state(), State::Listen);
}

// §3.10.2 LISTEN: the connection machine has no remote socket, so SEND takes the "remote
// socket was not specified" branch and returns an error; nothing is queued or sent.
#[test]
fn listen_send_is_refused_foreign_socket_unspecified() {
    let mut fx = listen();
    let err = Signal::Error(UserError::ForeignSocketUnspecified);
    expect(&fx.send(b"abc"), &[], &[err], b"");
    assert!(fx.tcb.send_buf.is_empty());
    assert_eq!(fx.state(), State::Listen);
}

// §3.10.4 LISTEN: "Delete TCB, enter CLOSED state, and return."
#[test]
fn listen_close_deletes_the_tcb() {
    let mut fx = listen();
    expect(&fx.close(), &[], &[], b"");
    assert_eq!(fx.vars(), "CLOSED");
}

// §3.10.5 LISTEN: ABORT deletes the TCB; no reset is sent (there is no peer).
#[test]
fn listen_abort_deletes_the_tcb_silently() {
    let mut fx = listen();
    expect(&fx.abort(), &[], &[], b"");
    assert_eq!(fx.vars(), "CLOSED");
}

// §3.10.8: nothing has been sent, so neither timer does anything.
#[test]
fn listen_timers_do_nothing() {
    let mut fx = listen();
    expect(&fx.retransmit_timeout(), &[], &[], b"");
    expect(&fx.time_wait_timeout(), &[], &[], b"");
    assert_eq!(fx.state(), State::Listen);
}
