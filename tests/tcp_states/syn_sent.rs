//! SYN-SENT: RFC 9293 §3.10.7.3 (ACK first, then RST, then SYN), §3.5.2 group 2, user calls
//! and the retransmission of the SYN (§3.10.8, §3.8.3 R2).

use crate::fixtures::*;
use tcpip_spec::tcp::{Config, Signal, State, UserError};

// §3.10.7.3 fourth: SND.UNA < SEG.ACK =< SND.NXT and SYN: IRS = SEG.SEQ, RCV.NXT = SEG.SEQ+1,
// SND.UNA = SEG.ACK, ESTABLISHED, <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK> (Figure 6 line 4).
#[test]
fn syn_sent_syn_ack_establishes_and_acknowledges() {
    let mut fx = syn_sent();
    let out = fx.arrive(syn_ack(300, 101));
    expect(
        &out,
        &["<SEQ=101><ACK=301><CTL=ACK>"],
        &[Signal::Established],
        b"",
    );
    assert_eq!(
        fx.vars(),
        "ESTABLISHED ISS=100 IRS=300 SND.UNA=101 SND.NXT=101 RCV.NXT=301"
    );
    assert_eq!(
        (fx.tcb.snd_wnd, fx.tcb.snd_wl1.0, fx.tcb.snd_wl2.0),
        (u32::from(WND), 300, 101)
    );
}

// §3.10.7.3 first: SEG.ACK =< ISS is unacceptable: <SEQ=SEG.ACK><CTL=RST> (Figure 8 line 3).
#[test]
fn syn_sent_syn_ack_acking_iss_draws_reset_and_stays() {
    let mut fx = syn_sent();
    let out = fx.arrive(syn_ack(300, 100));
    expect(&out, &["<SEQ=100><CTL=RST>"], &[], b"");
    assert_eq!(
        fx.vars(),
        "SYN-SENT ISS=100 IRS=0 SND.UNA=100 SND.NXT=101 RCV.NXT=0"
    );
}

// §3.10.7.3 first: SEG.ACK > SND.NXT is unacceptable: <SEQ=SEG.ACK><CTL=RST>.
#[test]
fn syn_sent_syn_ack_acking_beyond_snd_nxt_draws_reset_and_stays() {
    let mut fx = syn_sent();
    let out = fx.arrive(syn_ack(300, 102));
    expect(&out, &["<SEQ=102><CTL=RST>"], &[], b"");
    assert_eq!(fx.state(), State::SynSent);
}

// §3.10.7.3 first: a plain ACK with an unacceptable SEG.ACK is reset as well.
#[test]
fn syn_sent_unacceptable_ack_draws_reset() {
    let mut fx = syn_sent();
    expect(
        &fx.arrive(ack(300, 5000)),
        &["<SEQ=5000><CTL=RST>"],
        &[],
        b"",
    );
    assert_eq!(fx.state(), State::SynSent);
}

// §3.10.7.3 fifth: an acceptable ACK without SYN or RST is dropped.
#[test]
fn syn_sent_acceptable_ack_without_syn_is_dropped() {
    let mut fx = syn_sent();
    expect(&fx.arrive(ack(300, 101)), &[], &[], b"");
    assert_eq!(
        fx.vars(),
        "SYN-SENT ISS=100 IRS=0 SND.UNA=100 SND.NXT=101 RCV.NXT=0"
    );
}

// §3.10.7.3 fourth, MUST-10: a SYN without ACK is a simultaneous open: SYN-RECEIVED and
// <SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK> (Figure 7 lines 3 and 5).
#[test]
fn syn_sent_syn_enters_syn_received_and_sends_syn_ack() {
    let mut fx = syn_sent();
    let out = fx.arrive(syn(300));
    expect(&out, &["<SEQ=100><ACK=301><CTL=SYN,ACK>"], &[], b"");
    assert_eq!(
        fx.vars(),
        "SYN-RECEIVED ISS=100 IRS=300 SND.UNA=100 SND.NXT=101 RCV.NXT=301"
    );
    assert!(!fx.tcb.passive);
    assert_eq!((fx.tcb.snd_wnd, fx.tcb.snd_wl1.0), (u32::from(WND), 300));
}

// §3.10.7.3 second: a RST whose ACK acknowledges the SYN refuses the connection: CLOSED.
// (The RFC's text names the signal "connection reset"; the crate reports it as Refused.)
#[test]
fn syn_sent_rst_acking_the_syn_refuses_the_connection() {
    let mut fx = syn_sent();
    expect(&fx.arrive(rst_ack(0, 101)), &[], &[Signal::Refused], b"");
    assert_eq!(fx.vars(), "CLOSED");
}

// §3.10.7.3 second: "Otherwise (no ACK), drop the segment and return."
#[test]
fn syn_sent_rst_without_ack_is_dropped() {
    let mut fx = syn_sent();
    expect(&fx.arrive(rst(300)), &[], &[], b"");
    assert_eq!(fx.state(), State::SynSent);
}

// §3.10.7.3 first: an unacceptable ACK on a RST: "drop the segment and return", no reset.
#[test]
fn syn_sent_rst_with_unacceptable_ack_is_dropped_without_reply() {
    let mut fx = syn_sent();
    expect(&fx.arrive(rst_ack(0, 100)), &[], &[], b"");
    expect(&fx.arrive(rst_ack(0, 102)), &[], &[], b"");
    assert_eq!(fx.state(), State::SynSent);
}

// §3.10.7.3 fifth, §3.10.7.4 eighth: a FIN or text without SYN or RST is dropped; a FIN is
// never processed in SYN-SENT.
#[test]
fn syn_sent_fin_or_text_without_syn_is_dropped() {
    let mut fx = syn_sent();
    expect(&fx.arrive(fin(300)), &[], &[], b"");
    expect(&fx.arrive(fin_ack(300, 101)), &[], &[], b"");
    expect(&fx.arrive(data(300, 101, b"abc")), &[], &[], b"");
    expect(&fx.arrive(data_no_ack(300, b"abc")), &[], &[], b"");
    assert_eq!(fx.state(), State::SynSent);
}

// §3.10.7.3 fourth: a SYN,ACK that establishes the connection "continue[s] processing at the
// sixth step": its text is in order, delivered at once and acknowledged with the SYN.
#[test]
fn syn_sent_text_on_syn_ack_is_delivered_and_acknowledged() {
    let mut fx = syn_sent();
    let mut seg = syn_ack(300, 101);
    seg.data = b"abc".to_vec();
    let out = fx.arrive(seg);
    expect(
        &out,
        &["<SEQ=101><ACK=304><CTL=ACK>"],
        &[Signal::Established],
        b"abc",
    );
    assert_eq!(
        fx.vars(),
        "ESTABLISHED ISS=100 IRS=300 SND.UNA=101 SND.NXT=101 RCV.NXT=304"
    );
    assert!(fx.tcb.rcv_queue.is_empty());
    // The next text follows in order.
    let out = fx.arrive(data(304, 101, b"de"));
    expect(&out, &["<SEQ=101><ACK=306><CTL=ACK>"], &[], b"de");
}

// §3.10.7.3 fourth, §3.10.7.2 (T18): a bare SYN with text (simultaneous open) leads to
// SYN-RECEIVED; its text is held, the SYN,ACK acknowledges the SYN only, and the handshake's
// ACK delivers and acknowledges the text.
#[test]
fn syn_sent_text_on_a_bare_syn_is_held_until_established() {
    let mut fx = syn_sent();
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
    let out = fx.arrive(ack(301, 101));
    expect(
        &out,
        &["<SEQ=101><ACK=304><CTL=ACK>"],
        &[Signal::Established, Signal::Reassembled],
        b"abc",
    );
}

// §3.10.7.3 fourth: "Data or controls that were queued for transmission MAY be included":
// text queued by SEND in SYN-SENT rides on the ACK of the SYN,ACK.
#[test]
fn syn_sent_queued_text_is_sent_with_the_handshake_ack() {
    let mut fx = syn_sent();
    expect(&fx.send(b"hi"), &[], &[], b"");
    let out = fx.arrive(syn_ack(300, 101));
    expect(
        &out,
        &["<SEQ=101><ACK=301><CTL=ACK><DATA=hi>"],
        &[Signal::Established],
        b"",
    );
    assert_eq!(fx.tcb.snd_nxt.0, 103);
}

// §3.10.7.3, §3.4: ISS = 2^32-1: SND.NXT = 0, so SEG.ACK = 0 is acceptable and SEG.ACK =
// 2^32-1 (= ISS) is not.
#[test]
fn syn_sent_ack_acceptability_wraps_around_2_pow_32() {
    let mut fx = syn_sent_at(u32::MAX);
    expect(
        &fx.arrive(syn_ack(300, u32::MAX)),
        &["<SEQ=4294967295><CTL=RST>"],
        &[],
        b"",
    );
    let out = fx.arrive(syn_ack(300, 0));
    expect(
        &out,
        &["<SEQ=0><ACK=301><CTL=ACK>"],
        &[Signal::Established],
        b"",
    );
    assert_eq!(
        fx.vars(),
        "ESTABLISHED ISS=4294967295 IRS=300 SND.UNA=0 SND.NXT=0 RCV.NXT=301"
    );
}

// §3.10.1 SYN-SENT: "error: connection already exists".
#[test]
fn syn_sent_open_is_connection_already_exists() {
    let mut fx = syn_sent();
    let err = Signal::Error(UserError::ConnectionAlreadyExists);
    expect(&fx.open_active(ISS), &[], &[err], b"");
    expect(&fx.open_passive(), &[], &[err], b"");
    assert_eq!(fx.state(), State::SynSent);
}

// §3.10.2 SYN-SENT: "Queue the data for transmission after entering ESTABLISHED state."
#[test]
fn syn_sent_send_queues_without_sending() {
    let mut fx = syn_sent();
    expect(&fx.send(b"abc"), &[], &[], b"");
    assert_eq!(fx.tcb.send_buf, b"abc");
    assert_eq!(fx.tcb.snd_nxt.0, 101);
}

// §3.10.4 SYN-SENT: "Delete the TCB"; nothing is sent.
#[test]
fn syn_sent_close_deletes_the_tcb() {
    let mut fx = syn_sent();
    expect(&fx.close(), &[], &[], b"");
    assert_eq!(fx.vars(), "CLOSED");
}

// §3.10.5 SYN-SENT: "Delete the TCB, enter CLOSED state"; no reset is sent.
#[test]
fn syn_sent_abort_deletes_the_tcb_without_reset() {
    let mut fx = syn_sent();
    expect(&fx.abort(), &[], &[], b"");
    assert_eq!(fx.vars(), "CLOSED");
}

// §3.10.8: the SYN is at the front of the retransmission queue and is sent again.
#[test]
fn syn_sent_retransmission_timeout_resends_the_syn() {
    let mut fx = syn_sent();
    let out = fx.retransmit_timeout();
    expect(&out, &["<SEQ=100><CTL=SYN>"], &[Signal::Retransmitted], b"");
    assert_eq!(
        fx.tcb.snd_nxt.0, 101,
        "a retransmission does not advance SND.NXT"
    );
}

// §3.8.3 R2, §3.10.8 USER TIMEOUT: after max_syn_retransmits retransmissions of the SYN
// (R2 for a SYN, MUST-23) the connection is aborted with "connection aborted due to user
// timeout".
#[test]
fn syn_sent_retransmissions_exhausted_time_out() {
    let mut fx = syn_sent();
    fx.cfg = Config {
        max_syn_retransmits: 2,
        ..fx.cfg
    };
    expect(
        &fx.retransmit_timeout(),
        &["<SEQ=100><CTL=SYN>"],
        &[Signal::Retransmitted],
        b"",
    );
    expect(
        &fx.retransmit_timeout(),
        &["<SEQ=100><CTL=SYN>"],
        &[Signal::Retransmitted],
        b"",
    );
    expect(&fx.retransmit_timeout(), &[], &[Signal::TimedOut], b"");
    assert_eq!(fx.vars(), "CLOSED");
}

// §3.10.8: the TIME-WAIT timer runs only in TIME-WAIT.
#[test]
fn syn_sent_time_wait_timeout_is_ignored() {
    let mut fx = syn_sent();
    expect(&fx.time_wait_timeout(), &[], &[], b"");
    assert_eq!(fx.state(), State::SynSent);
}
