//! ESTABLISHED: RFC 9293 §3.10.7.4 in order (sequence number, RST, SYN, ACK, text, FIN) with
//! RFC 5961 §3–§4, §3.10.2 SEND, §3.10.4 CLOSE, §3.10.5 ABORT, §3.10.8 and §3.8.3 R2.
//!
//! The fixture is Figure 6 completed: SND.UNA = SND.NXT = 101, RCV.NXT = 301, RCV.WND = 100.

use crate::fixtures::*;
use tcpip_spec::tcp::{Config, Seq, Signal, State, UserError};

const ACK: &str = "<SEQ=101><ACK=301><CTL=ACK>";

// --- sequence number and RST ------------------------------------------------------------------

// §3.10.7.4 second, RFC 5961 §3.2 (2): a RST at exactly RCV.NXT resets: "connection reset",
// CLOSED, TCB deleted.
#[test]
fn established_exact_rst_resets_the_connection() {
    let mut fx = established();
    expect(&fx.arrive(rst(301)), &[], &[Signal::Reset], b"");
    assert_eq!(fx.vars(), "CLOSED");
}

// §3.10.7.4 second: the ACK bit on a RST does not matter; the sequence number does.
#[test]
fn established_exact_rst_ack_resets_the_connection() {
    let mut fx = established();
    expect(&fx.arrive(rst_ack(301, 101)), &[], &[Signal::Reset], b"");
    assert_eq!(fx.vars(), "CLOSED");
}

// §3.10.7.4 second, RFC 5961 §3.2 (3): in the window but not RCV.NXT: challenge ACK, drop.
#[test]
fn established_rst_in_window_not_exact_draws_challenge_ack() {
    let mut fx = established();
    expect(&fx.arrive(rst(302)), &[ACK], &[Signal::ChallengeAck], b"");
    expect(&fx.arrive(rst(400)), &[ACK], &[Signal::ChallengeAck], b"");
    assert_eq!(fx.state(), State::Established);
}

// §3.10.7.4 first and second, RFC 5961 §3.2 (1): a RST at RCV.NXT+RCV.WND (just outside) or
// below RCV.NXT is dropped silently.
#[test]
fn established_rst_out_of_window_is_dropped_silently() {
    let mut fx = established();
    expect(
        &fx.arrive(rst_out_of_window(301)),
        &[],
        &[Signal::Unacceptable],
        b"",
    );
    expect(&fx.arrive(rst(300)), &[], &[Signal::Unacceptable], b"");
    assert_eq!(fx.state(), State::Established);
}

// §3.10.7.4 first, §3.5.2 group 3: an out-of-window segment is answered with
// <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK> and dropped.
#[test]
fn established_out_of_window_ack_is_acked_and_dropped() {
    let mut fx = established();
    let out = fx.arrive(ack_out_of_window(301, 101));
    expect(&out, &[ACK], &[Signal::Unacceptable], b"");
    assert_eq!(
        fx.vars(),
        "ESTABLISHED ISS=100 IRS=300 SND.UNA=101 SND.NXT=101 RCV.NXT=301"
    );
}

// --- SYN ------------------------------------------------------------------------------------

// §3.10.7.4 fourth, RFC 5961 §4.2: a SYN in the window draws a challenge ACK; no reset.
#[test]
fn established_syn_in_window_draws_challenge_ack() {
    let mut fx = established();
    expect(&fx.arrive(syn(305)), &[ACK], &[Signal::ChallengeAck], b"");
    expect(
        &fx.arrive(syn_ack(305, 101)),
        &[ACK],
        &[Signal::ChallengeAck],
        b"",
    );
    assert_eq!(fx.state(), State::Established);
}

// §3.10.7.4 first: a SYN outside the window is unacceptable and gets the same ACK.
#[test]
fn established_syn_out_of_window_is_acked_as_unacceptable() {
    let mut fx = established();
    let out = fx.arrive(syn(beyond_window(301)));
    expect(&out, &[ACK], &[Signal::Unacceptable], b"");
    assert_eq!(fx.state(), State::Established);
}

// §3.10.7.4 first, Figure 6: the peer's retransmitted SYN,ACK (our ACK was lost) lies below
// RCV.NXT; the ACK it draws completes the peer's handshake.
#[test]
fn established_retransmitted_syn_ack_is_acknowledged() {
    let mut fx = established();
    expect(
        &fx.arrive(syn_ack(300, 101)),
        &[ACK],
        &[Signal::Unacceptable],
        b"",
    );
    assert_eq!(fx.state(), State::Established);
}

// --- ACK --------------------------------------------------------------------------------------

// §3.10.7.4 fifth: SND.UNA < SEG.ACK =< SND.NXT sets SND.UNA and removes the acknowledged
// text from the retransmission queue; a pure ACK draws no reply.
#[test]
fn established_acceptable_ack_advances_snd_una() {
    let mut fx = established();
    let out = fx.send(b"abcdef");
    expect(
        &out,
        &["<SEQ=101><ACK=301><CTL=ACK><DATA=abcdef>"],
        &[],
        b"",
    );
    expect(&fx.arrive(ack(301, 104)), &[], &[], b"");
    assert_eq!(
        fx.vars(),
        "ESTABLISHED ISS=100 IRS=300 SND.UNA=104 SND.NXT=107 RCV.NXT=301"
    );
    assert_eq!(fx.tcb.send_buf, b"def");
    expect(&fx.arrive(ack(301, 107)), &[], &[], b"");
    assert_eq!(fx.tcb.snd_una.0, 107);
    assert!(fx.tcb.send_buf.is_empty());
}

// §3.10.7.4 fifth: "If the ACK is a duplicate (SEG.ACK =< SND.UNA), it can be ignored."
#[test]
fn established_duplicate_ack_is_ignored() {
    let mut fx = established();
    fx.send(b"abc");
    fx.arrive(ack(301, 104));
    expect(&fx.arrive(ack(301, 104)), &[], &[], b"");
    expect(&fx.arrive(ack(301, 102)), &[], &[], b"");
    assert_eq!(
        fx.vars(),
        "ESTABLISHED ISS=100 IRS=300 SND.UNA=104 SND.NXT=104 RCV.NXT=301"
    );
}

// §3.10.7.4 fifth: SND.UNA =< SEG.ACK and SND.WL1 < SEG.SEQ: a duplicate ACK still updates
// the send window (SND.WND, SND.WL1, SND.WL2).
#[test]
fn established_duplicate_ack_from_a_newer_segment_updates_the_window() {
    let mut fx = established();
    assert_eq!((fx.tcb.snd_wl1.0, fx.tcb.snd_wl2.0), (300, 101));
    expect(&fx.arrive(ack_wnd(301, 101, 7)), &[], &[], b"");
    assert_eq!(
        (fx.tcb.snd_wnd, fx.tcb.snd_wl1.0, fx.tcb.snd_wl2.0),
        (7, 301, 101)
    );
}

// §3.10.7.4 fifth: an ACK below SND.UNA is old: it must not update the window.
#[test]
fn established_old_ack_does_not_update_the_window() {
    let mut fx = established();
    fx.send(b"abc");
    fx.arrive(data(301, 104, b"x"));
    expect(&fx.arrive(ack_wnd(302, 102, 7)), &[], &[], b"");
    assert_eq!((fx.tcb.snd_una.0, fx.tcb.snd_wnd), (104, u32::from(WND)));
}

// §3.10.7.4 fifth, T15: "If the ACK acks something not yet sent (SEG.ACK > SND.NXT), then
// send an ACK, drop the segment, and return" -- its text is not delivered.
#[test]
fn established_ack_of_unsent_data_is_acked_and_dropped_with_its_text() {
    let mut fx = established();
    expect(&fx.arrive(ack(301, 102)), &[ACK], &[], b"");
    expect(&fx.arrive(data(301, 200, b"abc")), &[ACK], &[], b"");
    assert_eq!(
        fx.vars(),
        "ESTABLISHED ISS=100 IRS=300 SND.UNA=101 SND.NXT=101 RCV.NXT=301"
    );
}

// --- text -------------------------------------------------------------------------------------

// §3.10.7.4 seventh: in-order text is delivered, RCV.NXT advances, and is acknowledged.
#[test]
fn established_in_order_text_is_delivered_and_acknowledged() {
    let mut fx = established();
    let out = fx.arrive(data(301, 101, b"abc"));
    expect(&out, &["<SEQ=101><ACK=304><CTL=ACK>"], &[], b"abc");
    assert_eq!(fx.tcb.rcv_nxt.0, 304);
}

// §3.10.7.4 first: text wholly below RCV.NXT is an old duplicate: ACK, drop, deliver nothing.
#[test]
fn established_old_duplicate_text_is_acked_and_not_delivered() {
    let mut fx = established();
    fx.arrive(data(301, 101, b"abc"));
    let out = fx.arrive(data(301, 101, b"abc"));
    expect(
        &out,
        &["<SEQ=101><ACK=304><CTL=ACK>"],
        &[Signal::Unacceptable],
        b"",
    );
    assert_eq!(fx.tcb.rcv_nxt.0, 304);
}

// §3.10.7.4 first: "If a segment's contents straddle the boundary between old and new, only
// the new parts are processed."
#[test]
fn established_text_straddling_rcv_nxt_delivers_only_the_new_part() {
    let mut fx = established();
    let out = fx.arrive(data(299, 101, b"abcde"));
    expect(&out, &["<SEQ=101><ACK=304><CTL=ACK>"], &[], b"cde");
}

// §3.10.7.4 first: the portion beyond RCV.NXT+RCV.WND is trimmed off; the rest is taken.
#[test]
fn established_text_straddling_the_right_edge_is_trimmed_to_the_window() {
    let mut fx = established();
    let text = [b'x'; 150];
    let out = fx.arrive(data(301, 101, &text));
    expect(&out, &["<SEQ=101><ACK=401><CTL=ACK>"], &[], &[b'x'; 100]);
    assert_eq!(fx.tcb.rcv_nxt.0, 401);
}

// §3.10.7.4 seventh, SHLD-31: in-window text beyond RCV.NXT is held in the reassembly queue,
// not delivered; RCV.NXT stays and the ACK repeats it. Once the gap fills, the held text is
// delivered after the text that filled it, in order, and one ACK covers both.
#[test]
fn established_text_beyond_rcv_nxt_is_held_and_acked_with_rcv_nxt() {
    let mut fx = established();
    let out = fx.arrive(data(311, 101, b"klm"));
    expect(&out, &[ACK], &[Signal::Queued], b"");
    assert_eq!(fx.tcb.rcv_nxt.0, 301);
    assert_eq!(fx.tcb.rcv_queue.to_vec(), vec![(Seq(311), b"klm".to_vec())]);

    let out = fx.arrive(data(301, 101, b"abcdefghij"));
    expect(
        &out,
        &["<SEQ=101><ACK=314><CTL=ACK>"],
        &[Signal::Reassembled],
        b"abcdefghijklm",
    );
    assert_eq!(fx.tcb.rcv_nxt.0, 314);
    assert!(fx.tcb.rcv_queue.is_empty());
}

// §3.10.7.4 seventh: several held segments, arriving in reverse order, are delivered in
// sequence order once the text before them arrives; a partial fill delivers only up to the
// next gap.
#[test]
fn established_held_segments_are_delivered_in_order_as_gaps_fill() {
    let mut fx = established();
    expect(
        &fx.arrive(data(307, 101, b"ghi")),
        &[ACK],
        &[Signal::Queued],
        b"",
    );
    expect(
        &fx.arrive(data(304, 101, b"def")),
        &[ACK],
        &[Signal::Queued],
        b"",
    );
    assert_eq!(fx.tcb.rcv_queue.intervals(), 2);
    // Fills up to 304 only: 304..307 follows, 307..310 follows that.
    let out = fx.arrive(data(301, 101, b"abc"));
    expect(
        &out,
        &["<SEQ=101><ACK=310><CTL=ACK>"],
        &[Signal::Reassembled],
        b"abcdefghi",
    );
    assert!(fx.tcb.rcv_queue.is_empty());

    // A held segment past a second gap stays held when the first gap fills.
    expect(
        &fx.arrive(data(320, 101, b"uv")),
        &["<SEQ=101><ACK=310><CTL=ACK>"],
        &[Signal::Queued],
        b"",
    );
    let out = fx.arrive(data(310, 101, b"jk"));
    expect(&out, &["<SEQ=101><ACK=312><CTL=ACK>"], &[], b"jk");
    assert_eq!(fx.tcb.rcv_queue.to_vec(), vec![(Seq(320), b"uv".to_vec())]);
}

// §3.10.7.4 seventh: an out-of-order segment that arrives twice is held once; when the gap
// fills its text is delivered once.
#[test]
fn established_duplicate_out_of_order_segment_is_queued_once() {
    let mut fx = established();
    expect(
        &fx.arrive(data(304, 101, b"def")),
        &[ACK],
        &[Signal::Queued],
        b"",
    );
    expect(
        &fx.arrive(data(304, 101, b"def")),
        &[ACK],
        &[Signal::Queued],
        b"",
    );
    assert_eq!(fx.tcb.rcv_queue.to_vec(), vec![(Seq(304), b"def".to_vec())]);
    let out = fx.arrive(data(301, 101, b"abc"));
    expect(
        &out,
        &["<SEQ=101><ACK=307><CTL=ACK>"],
        &[Signal::Reassembled],
        b"abcdef",
    );
    assert_eq!(fx.tcb.rcv_nxt.0, 307);
}

// §3.10.7.4 first: "segments with higher beginning sequence numbers ... may be held", but only
// the part within the window (RCV.NXT+RCV.WND = 401): text held at 391 is trimmed to 10
// octets, and filling the gap delivers up to the window edge and no further.
#[test]
fn established_held_text_beyond_the_window_is_trimmed() {
    let mut fx = established();
    let out = fx.arrive(data(391, 101, &[b'y'; 20]));
    expect(&out, &[ACK], &[Signal::Queued], b"");
    assert_eq!(fx.tcb.rcv_queue.to_vec(), vec![(Seq(391), vec![b'y'; 10])]);
    let out = fx.arrive(data(301, 101, &[b'x'; 90]));
    let mut want = vec![b'x'; 90];
    want.extend_from_slice(&[b'y'; 10]);
    expect(
        &out,
        &["<SEQ=101><ACK=401><CTL=ACK>"],
        &[Signal::Reassembled],
        &want,
    );
    assert_eq!(fx.tcb.rcv_nxt.0, 401);
}

// §3.10.7.4 first, Table 6: text starting at RCV.NXT+RCV.WND is outside the window.
#[test]
fn established_text_beyond_the_window_is_acked_as_unacceptable() {
    let mut fx = established();
    let out = fx.arrive(data(beyond_window(301), 101, b"abc"));
    expect(&out, &[ACK], &[Signal::Unacceptable], b"");
    assert_eq!(fx.tcb.rcv_nxt.0, 301);
}

// §3.10.7.4 fifth: text without the ACK bit is dropped.
#[test]
fn established_text_without_ack_is_dropped() {
    let mut fx = established();
    expect(&fx.arrive(data_no_ack(301, b"abc")), &[], &[], b"");
    assert_eq!(fx.tcb.rcv_nxt.0, 301);
}

// §3.10.7.4 first, Table 6, zero window: only a segment of length 0 at exactly RCV.NXT is
// acceptable, so ACKs and RSTs still work while text is refused.
#[test]
fn established_zero_window_accepts_only_empty_segments_at_rcv_nxt() {
    let zero = Config {
        rcv_wnd: 0,
        ..cfg()
    };
    let mut fx = established_with(zero, ISS, PEER_ISS);
    let out = fx.arrive(data(301, 101, b"abc"));
    expect(&out, &[ACK], &[Signal::Unacceptable], b"");
    expect(
        &fx.arrive(ack(302, 101)),
        &[ACK],
        &[Signal::Unacceptable],
        b"",
    );
    expect(&fx.arrive(ack(301, 101)), &[], &[], b"");
    expect(&fx.arrive(rst(301)), &[], &[Signal::Reset], b"");
}

// §3.4, §3.10.7.4: sequence numbers wrap: text from 2^32-1 is delivered, RCV.NXT wraps to 2;
// our text from 2^32-1 is acknowledged by SEG.ACK = 2.
#[test]
fn established_text_and_acks_wrap_around_2_pow_32() {
    let mut fx = established_at(u32::MAX - 1, u32::MAX - 1);
    assert_eq!(
        fx.vars(),
        "ESTABLISHED ISS=4294967294 IRS=4294967294 SND.UNA=4294967295 SND.NXT=4294967295 \
         RCV.NXT=4294967295"
    );
    let out = fx.arrive(data(u32::MAX, u32::MAX, b"abc"));
    expect(&out, &["<SEQ=4294967295><ACK=2><CTL=ACK>"], &[], b"abc");
    let out = fx.send(b"xyz");
    expect(
        &out,
        &["<SEQ=4294967295><ACK=2><CTL=ACK><DATA=xyz>"],
        &[],
        b"",
    );
    expect(&fx.arrive(ack(2, 2)), &[], &[], b"");
    assert_eq!(
        fx.vars(),
        "ESTABLISHED ISS=4294967294 IRS=4294967294 SND.UNA=2 SND.NXT=2 RCV.NXT=2"
    );
    let out = fx.arrive(data(u32::MAX, 2, b"abc"));
    expect(
        &out,
        &["<SEQ=2><ACK=2><CTL=ACK>"],
        &[Signal::Unacceptable],
        b"",
    );
}

// --- FIN --------------------------------------------------------------------------------------

// §3.10.7.4 eighth: "connection closing", RCV.NXT over the FIN, ACK it, CLOSE-WAIT.
#[test]
fn established_fin_enters_close_wait_and_is_acknowledged() {
    let mut fx = established();
    let out = fx.arrive(fin_ack(301, 101));
    expect(
        &out,
        &["<SEQ=101><ACK=302><CTL=ACK>"],
        &[Signal::PeerClosed],
        b"",
    );
    assert_eq!(
        fx.vars(),
        "CLOSE-WAIT ISS=100 IRS=300 SND.UNA=101 SND.NXT=101 RCV.NXT=302"
    );
}

// §3.10.7.4 seventh and eighth: text then FIN in one segment: deliver, then close; one ACK.
#[test]
fn established_text_with_fin_is_delivered_then_closes() {
    let mut fx = established();
    let out = fx.arrive(data_fin(301, 101, b"abc"));
    expect(
        &out,
        &["<SEQ=101><ACK=305><CTL=ACK>"],
        &[Signal::PeerClosed],
        b"abc",
    );
    assert_eq!(fx.state(), State::CloseWait);
}

// §3.10.7.4 seventh and eighth: a FIN beyond RCV.NXT is held, not processed: no "connection
// closing", RCV.NXT stays, the state stays. (A bare FIN carries no text: nothing is queued and
// no ACK is sent.) Once the text before it arrives the FIN is taken: CLOSE-WAIT, one ACK
// covering text and FIN.
#[test]
fn established_fin_beyond_rcv_nxt_is_held_until_the_gap_fills() {
    let mut fx = established();
    expect(&fx.arrive(fin_ack(304, 101)), &[], &[], b"");
    assert_eq!(fx.tcb.rcv_nxt.0, 301);
    assert_eq!(fx.tcb.rcv_fin, Some(Seq(304)));
    assert_eq!(fx.state(), State::Established);

    let out = fx.arrive(data(301, 101, b"abc"));
    expect(
        &out,
        &["<SEQ=101><ACK=305><CTL=ACK>"],
        &[Signal::Reassembled, Signal::PeerClosed],
        b"abc",
    );
    assert_eq!(
        fx.vars(),
        "CLOSE-WAIT ISS=100 IRS=300 SND.UNA=101 SND.NXT=101 RCV.NXT=305"
    );
    assert_eq!(fx.tcb.rcv_fin, None);
}

// §3.10.7.4 seventh and eighth: text with a FIN beyond a gap is held with its FIN; filling the
// gap delivers everything in order and then takes the FIN.
#[test]
fn established_text_with_fin_beyond_a_gap_closes_once_the_gap_fills() {
    let mut fx = established();
    let out = fx.arrive(data_fin(304, 101, b"def"));
    expect(&out, &[ACK], &[Signal::Queued], b"");
    assert_eq!(fx.tcb.rcv_fin, Some(Seq(307)));
    assert_eq!(fx.state(), State::Established);

    let out = fx.arrive(data(301, 101, b"abc"));
    expect(
        &out,
        &["<SEQ=101><ACK=308><CTL=ACK>"],
        &[Signal::Reassembled, Signal::PeerClosed],
        b"abcdef",
    );
    assert_eq!(
        fx.vars(),
        "CLOSE-WAIT ISS=100 IRS=300 SND.UNA=101 SND.NXT=101 RCV.NXT=308"
    );
}

// §3.10.7.4 fifth: a FIN without the ACK bit is dropped before the FIN step.
#[test]
fn established_fin_without_ack_is_dropped() {
    let mut fx = established();
    expect(&fx.arrive(fin(301)), &[], &[], b"");
    assert_eq!(fx.state(), State::Established);
}

// --- user calls -------------------------------------------------------------------------------

// §3.10.1: "error: connection already exists".
#[test]
fn established_open_is_connection_already_exists() {
    let mut fx = established();
    let err = Signal::Error(UserError::ConnectionAlreadyExists);
    expect(&fx.open_active(ISS), &[], &[err], b"");
    expect(&fx.open_passive(), &[], &[err], b"");
    assert_eq!(fx.state(), State::Established);
}

// §3.10.2 ESTABLISHED: segmentize and send with a piggybacked ACK = RCV.NXT.
#[test]
fn established_send_transmits_with_piggybacked_ack() {
    let mut fx = established();
    let out = fx.send(b"abc");
    expect(&out, &["<SEQ=101><ACK=301><CTL=ACK><DATA=abc>"], &[], b"");
    assert_eq!(fx.tcb.snd_nxt.0, 104);
}

// §3.10.2, §3.7.1: segments carry at most the effective send MSS.
#[test]
fn established_send_is_segmentized_by_mss() {
    let mut fx = established();
    fx.cfg.mss = 4;
    let out = fx.send(b"abcdefghij");
    let segs = [
        "<SEQ=101><ACK=301><CTL=ACK><DATA=abcd>",
        "<SEQ=105><ACK=301><CTL=ACK><DATA=efgh>",
        "<SEQ=109><ACK=301><CTL=ACK><DATA=ij>",
    ];
    expect(&out, &segs, &[], b"");
}

// §3.10.2, §3.8.6: no more than SND.UNA+SND.WND is sent; an ACK opening the window releases
// the rest.
#[test]
fn established_send_stays_within_the_send_window() {
    let mut fx = established();
    fx.arrive(ack_wnd(301, 101, 5));
    let out = fx.send(b"abcdefgh");
    expect(&out, &["<SEQ=101><ACK=301><CTL=ACK><DATA=abcde>"], &[], b"");
    let out = fx.arrive(ack_wnd(301, 106, 5));
    expect(&out, &["<SEQ=106><ACK=301><CTL=ACK><DATA=fgh>"], &[], b"");
}

// §3.10.4 ESTABLISHED: CLOSE forms a FIN and enters FIN-WAIT-1.
#[test]
fn established_close_sends_fin_and_enters_fin_wait_1() {
    let mut fx = established();
    expect(&fx.close(), &["<SEQ=101><ACK=301><CTL=FIN,ACK>"], &[], b"");
    assert_eq!(
        fx.vars(),
        "FIN-WAIT-1 ISS=100 IRS=300 SND.UNA=101 SND.NXT=102 RCV.NXT=301"
    );
}

// §3.10.4 ESTABLISHED: "Queue this until all preceding SENDs have been segmentized": text the
// window held back goes first, the FIN follows it.
#[test]
fn established_close_sends_fin_after_queued_text() {
    let mut fx = established();
    fx.arrive(ack_wnd(301, 101, 2));
    fx.send(b"abcd");
    expect(&fx.close(), &[], &[], b"");
    assert_eq!(fx.state(), State::FinWait1);
    let out = fx.arrive(ack_wnd(301, 103, 10));
    expect(
        &out,
        &["<SEQ=103><ACK=301><CTL=FIN,ACK><DATA=cd>"],
        &[],
        b"",
    );
    assert_eq!(fx.tcb.snd_nxt.0, 106);
}

// §3.10.5 ESTABLISHED: <SEQ=SND.NXT><CTL=RST>, flush everything, delete the TCB.
#[test]
fn established_abort_sends_reset_at_snd_nxt() {
    let mut fx = established();
    fx.send(b"abc");
    expect(&fx.abort(), &["<SEQ=104><CTL=RST>"], &[], b"");
    assert_eq!(fx.vars(), "CLOSED");
}

// --- timers -----------------------------------------------------------------------------------

// §3.10.8, RFC 6298 §5: with nothing unacknowledged no retransmission timer runs.
#[test]
fn established_retransmission_timeout_with_nothing_outstanding_does_nothing() {
    let mut fx = established();
    expect(&fx.retransmit_timeout(), &[], &[], b"");
    assert_eq!(fx.state(), State::Established);
}

// §3.10.8: "send the segment at the front of the retransmission queue again": from SND.UNA,
// at most one MSS.
#[test]
fn established_retransmission_timeout_resends_from_snd_una() {
    let mut fx = established();
    fx.cfg.mss = 4;
    fx.send(b"abcdef");
    fx.arrive(ack(301, 103));
    let out = fx.retransmit_timeout();
    expect(
        &out,
        &["<SEQ=103><ACK=301><CTL=ACK><DATA=cdef>"],
        &[Signal::Retransmitted],
        b"",
    );
    assert_eq!(fx.tcb.snd_nxt.0, 107);
}

// §3.8.3 R2: the bound counts consecutive retransmissions; an ACK that advances SND.UNA
// restarts the count, and only a run without progress times out.
#[test]
fn established_retransmissions_time_out_only_without_progress() {
    let mut fx = established();
    fx.cfg.max_retransmits = 1;
    fx.send(b"abc");
    expect(
        &fx.retransmit_timeout(),
        &["<SEQ=101><ACK=301><CTL=ACK><DATA=abc>"],
        &[Signal::Retransmitted],
        b"",
    );
    fx.arrive(ack(301, 102));
    expect(
        &fx.retransmit_timeout(),
        &["<SEQ=102><ACK=301><CTL=ACK><DATA=bc>"],
        &[Signal::Retransmitted],
        b"",
    );
    expect(&fx.retransmit_timeout(), &[], &[Signal::TimedOut], b"");
    assert_eq!(fx.vars(), "CLOSED");
}

// §3.10.8: the TIME-WAIT timer runs only in TIME-WAIT.
#[test]
fn established_time_wait_timeout_is_ignored() {
    let mut fx = established();
    expect(&fx.time_wait_timeout(), &[], &[], b"");
    assert_eq!(fx.state(), State::Established);
}
