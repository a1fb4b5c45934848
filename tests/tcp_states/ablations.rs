//! One test per mechanism that the connection machine switches (every `Mechanism::` tested in
//! src/tcp): the same fixture and event run with the rule on and with it off, and the
//! difference is exactly the one its doc comment documents (hazard catalogue T1–T18). T8
//! (`isn-clock`) is consulted by `tcp::initial_sequence_number`, not by the TCB: its test feeds
//! that function's ISN to LISTEN.

use crate::fixtures::*;
use tcpip_spec::tcp::{
    Mechanism, Outputs, Seq, Signal, initial_sequence_number, time_wait_duration,
};

/// Runs `event` on a fresh `fixture` with every rule on, then with `m` off; returns what each
/// run produced and the variables it left.
fn on_off(
    fixture: Fixture,
    m: Mechanism,
    event: impl Fn(&mut Fx) -> Outputs,
) -> ((Outputs, String), (Outputs, String)) {
    let mut on = fixture();
    let out_on = event(&mut on);
    let mut off = fixture();
    off.cfg.mechanisms = off.cfg.mechanisms.without(m);
    let out_off = event(&mut off);
    ((out_on, on.vars()), (out_off, off.vars()))
}

// T1, §3.5 Figure 8: without the three-way handshake a SYN alone makes LISTEN ESTABLISHED.
#[test]
fn without_three_way_handshake_a_syn_establishes_at_once() {
    let ((on, von), (off, voff)) = on_off(listen, Mechanism::ThreeWayHandshake, |fx| {
        fx.arrive(syn(300))
    });
    expect(&on, &["<SEQ=100><ACK=301><CTL=SYN,ACK>"], &[], b"");
    assert_eq!(
        von,
        "SYN-RECEIVED ISS=100 IRS=300 SND.UNA=100 SND.NXT=101 RCV.NXT=301"
    );
    expect(
        &off,
        &["<SEQ=100><ACK=301><CTL=SYN,ACK>"],
        &[Signal::Established],
        b"",
    );
    assert_eq!(
        voff,
        "ESTABLISHED ISS=100 IRS=300 SND.UNA=100 SND.NXT=101 RCV.NXT=301"
    );
}

// T2, §3.10.7.3: without the reset, SYN-SENT trusts a SYN,ACK that acknowledges the wrong
// ISS (an old duplicate's) and pairs with its IRS.
#[test]
fn without_syn_sent_reset_a_bad_syn_ack_is_trusted() {
    let ((on, von), (off, voff)) = on_off(syn_sent, Mechanism::SynSentReset, |fx| {
        fx.arrive(syn_ack(300, 100))
    });
    expect(&on, &["<SEQ=100><CTL=RST>"], &[], b"");
    assert_eq!(
        von,
        "SYN-SENT ISS=100 IRS=0 SND.UNA=100 SND.NXT=101 RCV.NXT=0"
    );
    expect(
        &off,
        &["<SEQ=101><ACK=301><CTL=ACK>"],
        &[Signal::Established],
        b"",
    );
    assert_eq!(
        voff,
        "ESTABLISHED ISS=100 IRS=300 SND.UNA=101 SND.NXT=101 RCV.NXT=301"
    );
}

// T3, §3.3.1: without it a SYN occupies no sequence number: SND.NXT stays ISS, the SYN,ACK
// acknowledges SEG.SEQ itself, and a reset for a SYN counts it as length 0.
#[test]
fn without_syn_sequence_number_the_syn_occupies_nothing() {
    let ((on, von), (off, voff)) = on_off(closed, Mechanism::SynSequenceNumber, |fx| {
        fx.open_active(ISS)
    });
    expect(&on, &["<SEQ=100><CTL=SYN>"], &[], b"");
    assert_eq!(
        von,
        "SYN-SENT ISS=100 IRS=0 SND.UNA=100 SND.NXT=101 RCV.NXT=0"
    );
    expect(&off, &["<SEQ=100><CTL=SYN>"], &[], b"");
    assert_eq!(
        voff,
        "SYN-SENT ISS=100 IRS=0 SND.UNA=100 SND.NXT=100 RCV.NXT=0"
    );

    let ((on, _), (off, voff)) = on_off(listen, Mechanism::SynSequenceNumber, |fx| {
        fx.arrive(syn(300))
    });
    expect(&on, &["<SEQ=100><ACK=301><CTL=SYN,ACK>"], &[], b"");
    expect(&off, &["<SEQ=100><ACK=300><CTL=SYN,ACK>"], &[], b"");
    assert_eq!(
        voff,
        "SYN-RECEIVED ISS=100 IRS=300 SND.UNA=100 SND.NXT=100 RCV.NXT=300"
    );

    let ((on, _), (off, _)) = on_off(closed, Mechanism::SynSequenceNumber, |fx| {
        fx.arrive(syn(300))
    });
    expect(&on, &["<SEQ=0><ACK=301><CTL=RST,ACK>"], &[], b"");
    expect(&off, &["<SEQ=0><ACK=300><CTL=RST,ACK>"], &[], b"");
}

// T4, §3.6, MUST-13: without TIME-WAIT the active closer acknowledges the FIN and deletes its
// TCB at once.
#[test]
fn without_time_wait_the_tcb_is_deleted_after_the_last_ack() {
    let ((on, von), (off, voff)) = on_off(fin_wait_2, Mechanism::TimeWait, |fx| {
        fx.arrive(fin_ack(301, 102))
    });
    let ack = "<SEQ=102><ACK=302><CTL=ACK>";
    expect(
        &on,
        &[ack],
        &[Signal::PeerClosed, Signal::TimeWaitStarted],
        b"",
    );
    assert_eq!(
        von,
        "TIME-WAIT ISS=100 IRS=300 SND.UNA=102 SND.NXT=102 RCV.NXT=302"
    );
    expect(&off, &[ack], &[Signal::PeerClosed, Signal::Closed], b"");
    assert_eq!(voff, "CLOSED");
}

// T5, §3.4.1, MUST-13: TIME-WAIT lasts 2 MSL; ablated it is half an MSL, shorter than a
// segment can live.
#[test]
fn without_time_wait_2msl_time_wait_is_shorter_than_a_segment_lifetime() {
    let on = cfg().mechanisms;
    let off = on.without(Mechanism::TimeWait2Msl);
    let s = std::time::Duration::from_secs;
    assert_eq!(time_wait_duration(s(10), on), s(20));
    assert_eq!(time_wait_duration(s(10), off), s(5));
    assert!(time_wait_duration(std::time::Duration::ZERO, off) > std::time::Duration::ZERO);
}

// T6, RFC 1337 F1: with the rule, an exact RST in TIME-WAIT is ignored; without it, the RST
// assassinates TIME-WAIT as §3.10.7.4 reads.
#[test]
fn without_rst_in_time_wait_ignored_a_rst_ends_time_wait() {
    let ((on, von), (off, voff)) = on_off(time_wait, Mechanism::RstInTimeWaitIgnored, |fx| {
        fx.arrive(rst(302))
    });
    expect(&on, &[], &[], b"");
    assert_eq!(
        von,
        "TIME-WAIT ISS=100 IRS=300 SND.UNA=102 SND.NXT=102 RCV.NXT=302"
    );
    expect(&off, &[], &[Signal::Reset], b"");
    assert_eq!(voff, "CLOSED");
}

// T7, §3.10.7.4: a retransmitted FIN is acknowledged either way; only with the rule is the
// 2 MSL timer restarted.
#[test]
fn without_time_wait_restart_a_retransmitted_fin_does_not_restart_the_timer() {
    let ((on, _), (off, voff)) = on_off(time_wait, Mechanism::TimeWaitRestart, |fx| {
        fx.arrive(fin_ack(301, 102))
    });
    let ack = "<SEQ=102><ACK=302><CTL=ACK>";
    expect(
        &on,
        &[ack],
        &[Signal::Unacceptable, Signal::TimeWaitStarted],
        b"",
    );
    expect(&off, &[ack], &[Signal::Unacceptable], b"");
    assert_eq!(
        voff,
        "TIME-WAIT ISS=100 IRS=300 SND.UNA=102 SND.NXT=102 RCV.NXT=302"
    );
}

// T9, MUST-10, Figure 7: without simultaneous open SYN-SENT drops a SYN without ACK.
#[test]
fn without_simultaneous_open_syn_sent_drops_a_bare_syn() {
    let ((on, von), (off, voff)) = on_off(syn_sent, Mechanism::SimultaneousOpen, |fx| {
        fx.arrive(syn(300))
    });
    expect(&on, &["<SEQ=100><ACK=301><CTL=SYN,ACK>"], &[], b"");
    assert_eq!(
        von,
        "SYN-RECEIVED ISS=100 IRS=300 SND.UNA=100 SND.NXT=101 RCV.NXT=301"
    );
    expect(&off, &[], &[], b"");
    assert_eq!(
        voff,
        "SYN-SENT ISS=100 IRS=0 SND.UNA=100 SND.NXT=101 RCV.NXT=0"
    );
}

// T10, Figure 13: without CLOSING, FIN-WAIT-1 cannot take a FIN that does not ack its own:
// it is neither acknowledged nor counted, and the state stays.
#[test]
fn without_closing_state_fin_wait_1_cannot_take_the_peer_fin() {
    let ((on, von), (off, voff)) = on_off(fin_wait_1, Mechanism::ClosingState, |fx| {
        fx.arrive(fin_ack(301, 101))
    });
    expect(
        &on,
        &["<SEQ=102><ACK=302><CTL=ACK>"],
        &[Signal::PeerClosed],
        b"",
    );
    assert_eq!(
        von,
        "CLOSING ISS=100 IRS=300 SND.UNA=101 SND.NXT=102 RCV.NXT=302"
    );
    expect(&off, &[], &[], b"");
    assert_eq!(
        voff,
        "FIN-WAIT-1 ISS=100 IRS=300 SND.UNA=101 SND.NXT=102 RCV.NXT=301"
    );
}

// T11, §3.10.7.4 eighth: a FIN that also acks ours leads straight to TIME-WAIT; ablated, the
// decision uses the state the segment arrived in and leads to CLOSING.
#[test]
fn without_fin_wait_1_fin_ack_a_fin_acking_ours_leads_to_closing() {
    let ((on, von), (off, voff)) = on_off(fin_wait_1, Mechanism::FinWait1FinAck, |fx| {
        fx.arrive(fin_ack(301, 102))
    });
    let ack = "<SEQ=102><ACK=302><CTL=ACK>";
    let events = [
        Signal::OurFinAcked,
        Signal::PeerClosed,
        Signal::TimeWaitStarted,
    ];
    expect(&on, &[ack], &events, b"");
    assert_eq!(
        von,
        "TIME-WAIT ISS=100 IRS=300 SND.UNA=102 SND.NXT=102 RCV.NXT=302"
    );
    expect(
        &off,
        &[ack],
        &[Signal::OurFinAcked, Signal::PeerClosed],
        b"",
    );
    assert_eq!(
        voff,
        "CLOSING ISS=100 IRS=300 SND.UNA=102 SND.NXT=102 RCV.NXT=302"
    );
}

// T12, Note 1 of §3.10.7.4, MUST-11: without the origin, a RST sends an active opener's
// SYN-RECEIVED back to LISTEN instead of refusing.
#[test]
fn without_syn_received_origin_an_active_open_returns_to_listen() {
    let ((on, von), (off, voff)) =
        on_off(syn_received_active, Mechanism::SynReceivedOrigin, |fx| {
            fx.arrive(rst(301))
        });
    expect(&on, &[], &[Signal::Refused], b"");
    assert_eq!(von, "CLOSED");
    expect(&off, &[], &[Signal::ReturnedToListen], b"");
    assert_eq!(voff, "LISTEN ISS=0 IRS=0 SND.UNA=0 SND.NXT=0 RCV.NXT=0");
}

// T13, Table 6: without the acceptability test an old duplicate is trusted to begin at
// RCV.NXT and its text is delivered again.
#[test]
fn without_segment_acceptability_an_old_duplicate_is_delivered() {
    let ((on, von), (off, voff)) = on_off(established, Mechanism::SegmentAcceptability, |fx| {
        fx.arrive(data(298, 101, b"abc"))
    });
    let ack = "<SEQ=101><ACK=301><CTL=ACK>";
    expect(&on, &[ack], &[Signal::Unacceptable], b"");
    expect(&off, &[ack], &[], b"abc");
    assert_eq!(von, voff, "RCV.NXT = SEG.SEQ + 3 = 301 either way");
}

// T14, RFC 5961 §3.2: without RST validation any in-window RST resets the connection.
#[test]
fn without_rst_validation_an_in_window_rst_resets() {
    let ((on, von), (off, voff)) = on_off(established, Mechanism::RstValidation, |fx| {
        fx.arrive(rst(350))
    });
    expect(
        &on,
        &["<SEQ=101><ACK=301><CTL=ACK>"],
        &[Signal::ChallengeAck],
        b"",
    );
    assert_eq!(
        von,
        "ESTABLISHED ISS=100 IRS=300 SND.UNA=101 SND.NXT=101 RCV.NXT=301"
    );
    expect(&off, &[], &[Signal::Reset], b"");
    assert_eq!(voff, "CLOSED");
}

// T15, §3.10.7.4 fifth: without the check an ACK of unsent data is believed: SND.UNA (and
// SND.NXT with it) jump ahead of anything sent.
#[test]
fn without_ack_of_unsent_data_check_the_ack_is_believed() {
    let ((on, von), (off, voff)) = on_off(established, Mechanism::AckOfUnsentData, |fx| {
        fx.arrive(ack(301, 200))
    });
    expect(&on, &["<SEQ=101><ACK=301><CTL=ACK>"], &[], b"");
    assert_eq!(
        von,
        "ESTABLISHED ISS=100 IRS=300 SND.UNA=101 SND.NXT=101 RCV.NXT=301"
    );
    expect(&off, &[], &[], b"");
    assert_eq!(
        voff,
        "ESTABLISHED ISS=100 IRS=300 SND.UNA=200 SND.NXT=200 RCV.NXT=301"
    );
}

// T16, §3.10.7.4 seventh: with reassembly, text beyond RCV.NXT is held and delivered in order
// once the gap fills. Without it the text is delivered at once and RCV.NXT jumps past the gap,
// so the text that fills the gap later is an old duplicate and is never delivered.
#[test]
fn without_reassembly_text_beyond_rcv_nxt_is_delivered_out_of_order() {
    let ((on, von), (off, voff)) = on_off(established, Mechanism::Reassembly, |fx| {
        fx.arrive(data(311, 101, b"klm"))
    });
    expect(
        &on,
        &["<SEQ=101><ACK=301><CTL=ACK>"],
        &[Signal::Queued],
        b"",
    );
    assert_eq!(
        von,
        "ESTABLISHED ISS=100 IRS=300 SND.UNA=101 SND.NXT=101 RCV.NXT=301"
    );
    expect(&off, &["<SEQ=101><ACK=314><CTL=ACK>"], &[], b"klm");
    assert_eq!(
        voff,
        "ESTABLISHED ISS=100 IRS=300 SND.UNA=101 SND.NXT=101 RCV.NXT=314"
    );

    let ((on, von), (off, voff)) = on_off(established, Mechanism::Reassembly, |fx| {
        fx.arrive(data(311, 101, b"klm"));
        fx.arrive(data(301, 101, b"abcdefghij"))
    });
    expect(
        &on,
        &["<SEQ=101><ACK=314><CTL=ACK>"],
        &[Signal::Reassembled],
        b"abcdefghijklm",
    );
    assert_eq!(
        von,
        "ESTABLISHED ISS=100 IRS=300 SND.UNA=101 SND.NXT=101 RCV.NXT=314"
    );
    expect(
        &off,
        &["<SEQ=101><ACK=314><CTL=ACK>"],
        &[Signal::Unacceptable],
        b"",
    );
    assert_eq!(
        voff,
        "ESTABLISHED ISS=100 IRS=300 SND.UNA=101 SND.NXT=101 RCV.NXT=314"
    );
}

// T18, §3.10.7.2 third: with the rule, text on a SYN is held and the SYN,ACK acknowledges the
// SYN only. Without it the text is delivered and acknowledged at once, in SYN-RECEIVED, before
// the peer is known to be current (an old duplicate SYN's text would reach the user).
#[test]
fn without_syn_data_held_syn_text_is_delivered_at_once() {
    let ((on, von), (off, voff)) = on_off(listen, Mechanism::SynDataHeld, |fx| {
        fx.arrive(syn_data(300, b"abc"))
    });
    expect(
        &on,
        &["<SEQ=100><ACK=301><CTL=SYN,ACK>"],
        &[Signal::Queued],
        b"",
    );
    assert_eq!(
        von,
        "SYN-RECEIVED ISS=100 IRS=300 SND.UNA=100 SND.NXT=101 RCV.NXT=301"
    );
    expect(&off, &["<SEQ=100><ACK=304><CTL=SYN,ACK>"], &[], b"abc");
    assert_eq!(
        voff,
        "SYN-RECEIVED ISS=100 IRS=300 SND.UNA=100 SND.NXT=101 RCV.NXT=304"
    );

    // The handshake's ACK then delivers the held text (on); off, it was delivered already.
    let ((on, _), (off, voff)) = on_off(listen, Mechanism::SynDataHeld, |fx| {
        fx.arrive(syn_data(300, b"abc"));
        fx.arrive(ack(301, 101))
    });
    expect(
        &on,
        &["<SEQ=101><ACK=304><CTL=ACK>"],
        &[Signal::Established, Signal::Reassembled],
        b"abc",
    );
    // Off, the ACK (SEQ=301 < RCV.NXT=304, length 0) is outside the window: it is answered
    // with an ACK and dropped, so the handshake completes only with a current sequence number.
    expect(
        &off,
        &["<SEQ=101><ACK=304><CTL=ACK>"],
        &[Signal::Unacceptable],
        b"",
    );
    assert_eq!(
        voff,
        "SYN-RECEIVED ISS=100 IRS=300 SND.UNA=100 SND.NXT=101 RCV.NXT=304"
    );
}

// T8, §3.4.1, MUST-8: with the clock, two incarnations of a 4-tuple (same keyed hash) opened
// at different times get different ISNs; without it the clock is ignored and both start at
// the same number, so the old incarnation's segments fall in the new one's sequence space.
#[test]
fn without_isn_clock_every_incarnation_gets_the_same_isn() {
    let on = cfg().mechanisms;
    let off = on.without(Mechanism::IsnClock);
    assert_eq!(initial_sequence_number(0, 100, on), Seq(100));
    assert_eq!(initial_sequence_number(1000, 100, on), Seq(1100));
    assert_eq!(initial_sequence_number(u32::MAX, 100, on), Seq(99));
    assert_eq!(initial_sequence_number(0, 100, off), Seq(100));
    assert_eq!(initial_sequence_number(1000, 100, off), Seq(100));
    assert_eq!(initial_sequence_number(u32::MAX, 100, off), Seq(100));

    // Fed to LISTEN, the ISN is the SYN,ACK's sequence number.
    let syn_ack_at = |clock: u32, m| {
        let mut fx = listen();
        fx.cfg.mechanisms = m;
        let isn = initial_sequence_number(clock, 100, m);
        only(fx.tcb.on_segment(&syn(300), isn, &fx.cfg)).to_string()
    };
    assert_eq!(syn_ack_at(0, on), "<SEQ=100><ACK=301><CTL=SYN,ACK>");
    assert_eq!(syn_ack_at(1000, on), "<SEQ=1100><ACK=301><CTL=SYN,ACK>");
    assert_eq!(syn_ack_at(1000, off), "<SEQ=100><ACK=301><CTL=SYN,ACK>");
}

// T17, §3.10.8: without it nothing is retransmitted once the peer's FIN is in: LAST-ACK's
// FIN (and CLOSE-WAIT's text) stay unsent.
#[test]
fn without_retransmit_after_fin_received_last_ack_never_resends_its_fin() {
    let m = Mechanism::RetransmitAfterFinReceived;
    let ((on, _), (off, voff)) = on_off(last_ack, m, |fx| fx.retransmit_timeout());
    expect(
        &on,
        &["<SEQ=101><ACK=302><CTL=FIN,ACK>"],
        &[Signal::Retransmitted],
        b"",
    );
    expect(&off, &[], &[], b"");
    assert_eq!(
        voff,
        "LAST-ACK ISS=100 IRS=300 SND.UNA=101 SND.NXT=102 RCV.NXT=302"
    );
    let ((on, _), (off, _)) = on_off(close_wait, m, |fx| {
        fx.send(b"abc");
        fx.retransmit_timeout()
    });
    expect(
        &on,
        &["<SEQ=101><ACK=302><CTL=ACK><DATA=abc>"],
        &[Signal::Retransmitted],
        b"",
    );
    expect(&off, &[], &[], b"");
    // Before the peer's FIN the timer runs regardless.
    let ((on, _), (off, _)) = on_off(fin_wait_1, m, |fx| fx.retransmit_timeout());
    assert_eq!(segs(&on), segs(&off));
}
