//! SYN-RECEIVED, reached from LISTEN (passive) or from SYN-SENT (simultaneous open): RFC 9293
//! §3.10.7.4 with its SYN-RECEIVED rules (Note 1 / MUST-11 for RST and SYN, the fifth step's
//! ACK test), §3.10.4 CLOSE, §3.10.5 ABORT, §3.10.8.

use crate::fixtures::*;
use tcpip_spec::tcp::{Signal, State, UserError};

// §3.10.7.4 fifth, SYN-RECEIVED: SND.UNA < SEG.ACK =< SND.NXT enters ESTABLISHED with
// SND.WND, SND.WL1, SND.WL2 from the segment (Figure 6 line 4); nothing is sent.
#[test]
fn syn_received_acceptable_ack_establishes_silently() {
    let mut fx = syn_received_passive();
    let out = fx.arrive(ack_wnd(301, 101, 40));
    expect(&out, &[], &[Signal::Established], b"");
    assert_eq!(
        fx.vars(),
        "ESTABLISHED ISS=100 IRS=300 SND.UNA=101 SND.NXT=101 RCV.NXT=301"
    );
    assert_eq!(
        (fx.tcb.snd_wnd, fx.tcb.snd_wl1.0, fx.tcb.snd_wl2.0),
        (40, 301, 101)
    );
}

// §3.10.7.4 fifth, §3.5.2 group 2: an ACK that does not cover our SYN is not acceptable:
// <SEQ=SEG.ACK><CTL=RST>, and the state stays.
#[test]
fn syn_received_ack_of_iss_draws_reset_with_seq_of_seg_ack() {
    let mut fx = syn_received_passive();
    expect(&fx.arrive(ack(301, 100)), &["<SEQ=100><CTL=RST>"], &[], b"");
    assert_eq!(
        fx.vars(),
        "SYN-RECEIVED ISS=100 IRS=300 SND.UNA=100 SND.NXT=101 RCV.NXT=301"
    );
}

// §3.5.2 group 2: an ACK of something not yet sent draws <SEQ=SEG.ACK><CTL=RST>.
#[test]
fn syn_received_ack_of_unsent_data_draws_reset() {
    let mut fx = syn_received_passive();
    expect(&fx.arrive(ack(301, 102)), &["<SEQ=102><CTL=RST>"], &[], b"");
    assert_eq!(fx.state(), State::SynReceived);
}

// §3.10.7.4 first (Deviation, is_retransmitted_syn): a retransmission of the SYN already taken
// is below RCV.NXT, yet is answered with our SYN,ACK again instead of a bare ACK.
#[test]
fn syn_received_retransmitted_syn_is_answered_with_syn_ack() {
    let mut fx = syn_received_passive();
    let out = fx.arrive(syn(300));
    expect(
        &out,
        &["<SEQ=100><ACK=301><CTL=SYN,ACK>"],
        &[Signal::Unacceptable],
        b"",
    );
    assert_eq!(fx.state(), State::SynReceived);
}

// §3.10.7.4 fourth, SYN-RECEIVED: a SYN in the window on a passive open returns to LISTEN.
#[test]
fn syn_received_passive_syn_in_window_returns_to_listen() {
    let mut fx = syn_received_passive();
    expect(&fx.arrive(syn(305)), &[], &[Signal::ReturnedToListen], b"");
    assert_eq!(
        fx.vars(),
        "LISTEN ISS=0 IRS=0 SND.UNA=0 SND.NXT=0 RCV.NXT=0"
    );
    assert!(fx.tcb.passive);
}

// §3.10.7.4 fourth, RFC 5961 §4: on an active open a SYN is handled as in the synchronized
// states: challenge ACK <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>.
#[test]
fn syn_received_active_syn_in_window_draws_challenge_ack() {
    let mut fx = syn_received_active();
    let out = fx.arrive(syn(305));
    expect(
        &out,
        &["<SEQ=101><ACK=301><CTL=ACK>"],
        &[Signal::ChallengeAck],
        b"",
    );
    assert_eq!(fx.state(), State::SynReceived);
}

// §3.10.7.4 first, Table 6: the peer's SYN,ACK of Figure 7 line 6 begins at RCV.NXT-1 and is
// not acceptable by the table; it is answered with an ACK. (Figure 7 shows ESTABLISHED here:
// the RFC's trimming of old parts would accept it. See simultaneous_open_completes below.)
#[test]
fn syn_received_active_peer_syn_ack_is_acked_as_unacceptable() {
    let mut fx = syn_received_active();
    let out = fx.arrive(syn_ack(300, 101));
    expect(
        &out,
        &["<SEQ=101><ACK=301><CTL=ACK>"],
        &[Signal::Unacceptable],
        b"",
    );
    assert_eq!(fx.state(), State::SynReceived);
}

// Figure 7, MUST-10: the crossing SYNs and SYN,ACKs end with both sides ESTABLISHED, each
// one's IRS the other's ISS, after each side acknowledges the other's SYN,ACK.
#[test]
fn syn_received_simultaneous_open_completes_on_both_sides() {
    let mut fx = syn_received_active();
    let our_syn_ack = syn_ack(100, 301);
    let peer_syn_ack = only(fx.peer_gets(&syn(100)));
    assert_eq!(peer_syn_ack.to_string(), "<SEQ=300><ACK=101><CTL=SYN,ACK>");
    let peer_ack = only(fx.peer_gets(&our_syn_ack));
    assert_eq!(peer_ack.to_string(), "<SEQ=301><ACK=101><CTL=ACK>");
    let our_ack = only(fx.arrive(peer_syn_ack));
    assert_eq!(our_ack.to_string(), "<SEQ=101><ACK=301><CTL=ACK>");
    expect(&fx.arrive(peer_ack), &[], &[Signal::Established], b"");
    expect(&fx.peer_gets(&our_ack), &[], &[Signal::Established], b"");
    assert_eq!(
        fx.vars(),
        "ESTABLISHED ISS=100 IRS=300 SND.UNA=101 SND.NXT=101 RCV.NXT=301"
    );
    assert_eq!(
        vars(&fx.peer),
        "ESTABLISHED ISS=300 IRS=100 SND.UNA=301 SND.NXT=301 RCV.NXT=101"
    );
}

// §3.10.7.4 second, §3.5.3, MUST-11: an exact RST on a passive open returns to LISTEN; the
// user need not be informed beyond that.
#[test]
fn syn_received_passive_rst_returns_to_listen() {
    let mut fx = syn_received_passive();
    expect(&fx.arrive(rst(301)), &[], &[Signal::ReturnedToListen], b"");
    assert_eq!(
        fx.vars(),
        "LISTEN ISS=0 IRS=0 SND.UNA=0 SND.NXT=0 RCV.NXT=0"
    );
}

// §3.10.7.4 second, MUST-11: an exact RST on an active open means "connection refused":
// the TCB is deleted.
#[test]
fn syn_received_active_rst_refuses_and_deletes_the_tcb() {
    let mut fx = syn_received_active();
    expect(&fx.arrive(rst(301)), &[], &[Signal::Refused], b"");
    assert_eq!(fx.vars(), "CLOSED");
}

// §3.10.7.4 second, RFC 5961 §3.2: a RST in the window but not at RCV.NXT draws a challenge
// ACK and is dropped.
#[test]
fn syn_received_rst_in_window_not_exact_draws_challenge_ack() {
    let mut fx = syn_received_passive();
    let out = fx.arrive(rst(302));
    expect(
        &out,
        &["<SEQ=101><ACK=301><CTL=ACK>"],
        &[Signal::ChallengeAck],
        b"",
    );
    assert_eq!(fx.state(), State::SynReceived);
}

// §3.10.7.4 first and second, RFC 5961 §3.2 (1): a RST outside the window is dropped silently.
#[test]
fn syn_received_rst_out_of_window_is_dropped_silently() {
    let mut fx = syn_received_passive();
    let out = fx.arrive(rst_out_of_window(301));
    expect(&out, &[], &[Signal::Unacceptable], b"");
    assert_eq!(fx.state(), State::SynReceived);
}

// §3.10.7.4 first, §3.5.2 group 3 form: an out-of-window ACK is answered with
// <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK> and dropped.
#[test]
fn syn_received_out_of_window_ack_is_acked_and_dropped() {
    let mut fx = syn_received_passive();
    let out = fx.arrive(ack_out_of_window(301, 101));
    expect(
        &out,
        &["<SEQ=101><ACK=301><CTL=ACK>"],
        &[Signal::Unacceptable],
        b"",
    );
    assert_eq!(fx.state(), State::SynReceived);
}

// §3.10.7.4 first: text wholly below RCV.NXT (an old duplicate) is acked and dropped.
#[test]
fn syn_received_old_duplicate_text_is_acked_and_dropped() {
    let mut fx = syn_received_passive();
    let out = fx.arrive(data(298, 101, b"abc"));
    expect(
        &out,
        &["<SEQ=101><ACK=301><CTL=ACK>"],
        &[Signal::Unacceptable],
        b"",
    );
    assert_eq!(fx.state(), State::SynReceived);
}

// §3.10.7.4 fifth then seventh: text with an acceptable ACK establishes, is delivered and
// acknowledged.
#[test]
fn syn_received_text_with_acceptable_ack_establishes_and_delivers() {
    let mut fx = syn_received_passive();
    let out = fx.arrive(data(301, 101, b"abc"));
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
}

// §3.10.7.4 fifth: "if the ACK bit is off, drop the segment and return": no text, no FIN.
#[test]
fn syn_received_text_or_fin_without_ack_is_dropped() {
    let mut fx = syn_received_passive();
    expect(&fx.arrive(data_no_ack(301, b"abc")), &[], &[], b"");
    expect(&fx.arrive(fin(301)), &[], &[], b"");
    assert_eq!(
        fx.vars(),
        "SYN-RECEIVED ISS=100 IRS=300 SND.UNA=100 SND.NXT=101 RCV.NXT=301"
    );
}

// §3.10.7.4 fifth and eighth: a FIN with an acceptable ACK establishes, then the FIN moves
// ESTABLISHED to CLOSE-WAIT and is acknowledged.
#[test]
fn syn_received_fin_with_acceptable_ack_enters_close_wait() {
    let mut fx = syn_received_passive();
    let out = fx.arrive(fin_ack(301, 101));
    expect(
        &out,
        &["<SEQ=101><ACK=302><CTL=ACK>"],
        &[Signal::Established, Signal::PeerClosed],
        b"",
    );
    assert_eq!(
        fx.vars(),
        "CLOSE-WAIT ISS=100 IRS=300 SND.UNA=101 SND.NXT=101 RCV.NXT=302"
    );
}

// §3.10.7.4 fifth, §3.4: with ISS = 2^32-1, SND.NXT = 0 and the ACK 0 establishes.
#[test]
fn syn_received_ack_acceptability_wraps_around_2_pow_32() {
    let mut fx = syn_received_passive_at(u32::MAX);
    expect(
        &fx.arrive(ack(301, u32::MAX)),
        &["<SEQ=4294967295><CTL=RST>"],
        &[],
        b"",
    );
    expect(&fx.arrive(ack(301, 0)), &[], &[Signal::Established], b"");
    assert_eq!(
        fx.vars(),
        "ESTABLISHED ISS=4294967295 IRS=300 SND.UNA=0 SND.NXT=0 RCV.NXT=301"
    );
}

// §3.10.1: "error: connection already exists".
#[test]
fn syn_received_open_is_connection_already_exists() {
    let mut fx = syn_received_passive();
    let err = Signal::Error(UserError::ConnectionAlreadyExists);
    expect(&fx.open_active(ISS), &[], &[err], b"");
    assert_eq!(fx.state(), State::SynReceived);
}

// §3.10.2 SYN-RECEIVED: SEND queues until ESTABLISHED; the handshake's ACK releases it.
#[test]
fn syn_received_send_queues_until_established() {
    let mut fx = syn_received_passive();
    expect(&fx.send(b"abc"), &[], &[], b"");
    let out = fx.arrive(ack(301, 101));
    expect(
        &out,
        &["<SEQ=101><ACK=301><CTL=ACK><DATA=abc>"],
        &[Signal::Established],
        b"",
    );
    assert_eq!(fx.tcb.snd_nxt.0, 104);
}

// §3.10.4 SYN-RECEIVED: with no SENDs pending, "form a FIN segment and send it, and enter
// FIN-WAIT-1"; the peer's ACK of SYN and FIN then leads to FIN-WAIT-2.
#[test]
fn syn_received_close_sends_fin_at_once_and_enters_fin_wait_1() {
    let mut fx = syn_received_passive();
    let out = fx.close();
    expect(&out, &["<SEQ=101><ACK=301><CTL=FIN,ACK>"], &[], b"");
    assert_eq!(
        fx.vars(),
        "FIN-WAIT-1 ISS=100 IRS=300 SND.UNA=100 SND.NXT=102 RCV.NXT=301"
    );
    expect(&fx.arrive(ack(301, 102)), &[], &[Signal::OurFinAcked], b"");
    assert_eq!(fx.state(), State::FinWait2);
}

// §3.10.4 SYN-RECEIVED, §3.10.8: until our SYN is acknowledged the retransmission queue
// begins with the SYN,ACK; once it is, the FIN is what is retransmitted.
#[test]
fn syn_received_after_close_retransmits_syn_ack_then_fin() {
    let mut fx = syn_received_passive();
    fx.close();
    let out = fx.retransmit_timeout();
    expect(
        &out,
        &["<SEQ=100><ACK=301><CTL=SYN,ACK>"],
        &[Signal::Retransmitted],
        b"",
    );
    expect(&fx.arrive(ack(301, 101)), &[], &[], b"");
    let out = fx.retransmit_timeout();
    expect(
        &out,
        &["<SEQ=101><ACK=301><CTL=FIN,ACK>"],
        &[Signal::Retransmitted],
        b"",
    );
}

// §3.10.4 SYN-RECEIVED: with text pending the FIN is held until the text can go, after our
// SYN is acknowledged; then text and FIN leave together.
#[test]
fn syn_received_close_with_pending_text_sends_fin_after_the_text() {
    let mut fx = syn_received_passive();
    fx.send(b"abc");
    expect(&fx.close(), &[], &[], b"");
    assert_eq!(fx.state(), State::FinWait1);
    let out = fx.arrive(ack(301, 101));
    expect(
        &out,
        &["<SEQ=101><ACK=301><CTL=FIN,ACK><DATA=abc>"],
        &[],
        b"",
    );
    assert_eq!(fx.tcb.snd_nxt.0, 105);
}

// §3.10.5 SYN-RECEIVED: ABORT sends <SEQ=SND.NXT><CTL=RST> and deletes the TCB.
#[test]
fn syn_received_abort_sends_reset_at_snd_nxt() {
    let mut fx = syn_received_passive();
    expect(&fx.abort(), &["<SEQ=101><CTL=RST>"], &[], b"");
    assert_eq!(fx.vars(), "CLOSED");
}

// §3.10.8: the SYN,ACK heads the retransmission queue and is sent again.
#[test]
fn syn_received_retransmission_timeout_resends_syn_ack() {
    let mut fx = syn_received_active();
    let out = fx.retransmit_timeout();
    expect(
        &out,
        &["<SEQ=100><ACK=301><CTL=SYN,ACK>"],
        &[Signal::Retransmitted],
        b"",
    );
    assert_eq!(fx.state(), State::SynReceived);
}

// §3.10.8: the TIME-WAIT timer runs only in TIME-WAIT.
#[test]
fn syn_received_time_wait_timeout_is_ignored() {
    let mut fx = syn_received_passive();
    expect(&fx.time_wait_timeout(), &[], &[], b"");
    assert_eq!(fx.state(), State::SynReceived);
}

// Figure 7 line 6 as Linux reads it (`Config::crossing_syn_ack_establishes`, the allowance
// `syn-ack-in-syn-received` of `conform --profile linux`): the peer's SYN,ACK is still
// acknowledged as unacceptable, and its acknowledgment of our SYN establishes the connection.
#[test]
fn syn_received_active_peer_syn_ack_establishes_as_figure_7_draws_it_when_configured() {
    let mut fx = syn_received_active();
    fx.cfg.crossing_syn_ack_establishes = true;
    let out = fx.arrive(syn_ack(300, 101));
    expect(
        &out,
        &["<SEQ=101><ACK=301><CTL=ACK>"],
        &[Signal::Unacceptable, Signal::Established],
        b"",
    );
    assert_eq!(
        fx.vars(),
        "ESTABLISHED ISS=100 IRS=300 SND.UNA=101 SND.NXT=101 RCV.NXT=301"
    );
    // Not for a SYN,ACK that acknowledges nothing of ours, nor on a passive open.
    let mut fx = syn_received_active();
    fx.cfg.crossing_syn_ack_establishes = true;
    fx.arrive(syn_ack(300, 100));
    assert_eq!(fx.state(), State::SynReceived);
    let mut fx = syn_received_passive();
    fx.cfg.crossing_syn_ack_establishes = true;
    fx.arrive(syn_ack(300, 101));
    assert_ne!(fx.state(), State::Established);
}
