//! Every deliberate deviation from the letter of an RFC, in one list. Each entry names the
//! code that makes it, where a doc comment gives the full reasoning; REPORT.md lists them.

use serde::Serialize;

/// A documented deviation.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct Deviation {
    /// The RFC section whose letter we depart from.
    pub rfc: &'static str,
    /// Where in this crate the choice is made.
    pub code: &'static str,
    /// What we do instead, and why.
    pub what: &'static str,
}

/// All deviations, by protocol.
pub const DEVIATIONS: &[Deviation] = &[
    Deviation {
        rfc: "RFC 9293 §3.5 Figure 7 (simultaneous open)",
        code: "tcp::Tcb::on_segment (synchronizing_arrives, first step)",
        what: "In SYN-RECEIVED after a simultaneous open, the peer's SYN,ACK (SEG.SEQ = \
               RCV.NXT - 1, its SYN already taken) fails the acceptability test of the first \
               step of §3.10.7.4, is acknowledged and dropped; ESTABLISHED follows on the \
               peer's ACK, one segment later than Figure 7 draws it. We keep the event \
               processing of §3.10.7.4 over the figure (Linux follows the figure with a special \
               case): both ends establish on the same ISNs either way, which tcp-handshake \
               checks (simultaneous-open, synchronized-isns) with the T9 ablation.",
    },
    Deviation {
        rfc: "RFC 9293 §3.8.3 (b) (negative advice to IP at R1)",
        code: "tcp::Connection::expire (Timer::Retransmit)",
        what: "At R1 the user is told (Event::DeliveryProblem, SHLD-9); no negative advice goes \
               to IP, which has no dead-gateway diagnosis here (RFC 1122 §3.3.1.4): a host has \
               one gateway at most.",
    },
    Deviation {
        rfc: "RFC 9293 §3.10.7.4 (TIME-WAIT, RST)",
        code: "tcp::Tcb::on_segment (rst_arrives)",
        what: "A RST in TIME-WAIT is ignored (RFC 1337 fix F1) instead of closing the \
               connection, against TIME-WAIT assassination. Mechanism rst-in-time-wait-ignored.",
    },
    Deviation {
        rfc: "RFC 9293 §3.10.7.4 (first step, SYN-RECEIVED)",
        code: "tcp::Tcb::on_segment (is_retransmitted_syn)",
        what: "A retransmission of the SYN that SYN-RECEIVED already took is answered with our \
               SYN,ACK again, not a bare ACK: a peer in SYN-SENT drops a bare ACK, and the \
               checker found runs in which the handshake then fails after a lost SYN,ACK.",
    },
    Deviation {
        rfc: "RFC 9293 §3.10.7.4 (TIME-WAIT, eighth step)",
        code: "tcp::Tcb::on_segment (restart_time_wait)",
        what: "The 2*MSL restart for a retransmitted FIN is applied where that FIN actually \
               meets TIME-WAIT: at the first step, which finds it below RCV.NXT and \
               acknowledges it. Read literally, the eighth step is never reached by it.",
    },
    Deviation {
        rfc: "RFC 9293 §3.6 (FIN-WAIT-2 has no time limit)",
        code: "tcp::Connection (Timer::FinWait2, Config::fin_wait_2_timeout)",
        what: "A connection in FIN-WAIT-2 that hears no text from its peer for 60 s (Linux's \
               tcp_fin_timeout) sends a RST and is aborted with TimedOut. RFC 9293 lets it \
               wait for the peer's FIN indefinitely, and the user timeout (§3.8.3) runs only \
               while something is unacknowledged, which in FIN-WAIT-2 nothing is, so a peer \
               that never sends its FIN held the TCB for ever (issue 17: 10,000 such after \
               24 h). Unlike Linux, which applies it to orphaned sockets only, it applies to \
               every CLOSE (a CLOSE here is a half-close after which the user may still \
               RECEIVE), so the timer restarts whenever text arrives. None switches it off; the \
               models run without it.",
    },
    Deviation {
        rfc: "RFC 9293 §3.8.3 (MUST-23: R2 for a SYN segment at least 3 minutes)",
        code: "tcp::Tcb::on_retransmit_timeout (Config::max_syn_ack_retransmits)",
        what: "The host gives a listener's SYN,ACK 5 retransmissions (Linux's \
               tcp_synack_retries): a half-open connection is deleted 63 s after the SYN from \
               a 1 s RTO, not after 3 minutes, so that half-open entries left by spoofed SYNs \
               free their backlog slot sooner (RFC 4987 §3.2). An active opener's SYN keeps \
               3 minutes; Config::default() and the models keep R2 for both.",
    },
    Deviation {
        rfc: "RFC 9293 §3.10.7.2 (LISTEN: a SYN creates a TCB in SYN-RECEIVED)",
        code: "tcp::syncookie, stack::Host::listener_segment",
        what: "With the backlog full of half-open connections, a SYN is answered with a \
               stateless SYN cookie (RFC 4987 §3.6) and no TCB; its ACK opens the connection in \
               ESTABLISHED. Text on such a SYN is not acknowledged (the peer sends it again), \
               the peer's MSS is rounded down to an 8-value table, and window scaling and \
               SACK survive only when the SYN carried timestamps (in the TSval's low bits, as \
               Linux). HostConfig::tcp_syn_cookies switches it off.",
    },
    Deviation {
        rfc: "RFC 9293 §3.10.4 (CLOSE in SYN-RECEIVED with text queued)",
        code: "tcp::Tcb::close",
        what: "With SENDs pending, the RFC holds the CLOSE until ESTABLISHED. Here \
               SYN-RECEIVED enters FIN-WAIT-1 at once and the queued text, then the FIN, are \
               sent when our SYN is acknowledged, as deployed stacks do. With nothing queued \
               the FIN is sent at once, as the RFC says.",
    },
    Deviation {
        rfc: "RFC 9293 §3.8.5 (urgent data, MUST-30, MUST-31)",
        code: "tcp",
        what: "Not implemented: URG is ignored. No model sends urgent data.",
    },
    Deviation {
        rfc: "RFC 9293 §3.8.6.1 (zero-window probing: one octet of new data, or retransmit)",
        code: "tcp::Tcb::window_probe",
        what: "The zero-window probe is <SEQ=SND.UNA-1><ACK=RCV.NXT><CTL=ACK> without text, \
               as a keep-alive (and Linux's probe) is: the receiver must answer it with its \
               window, and it occupies no sequence space, so it is never retransmitted nor \
               counted against the user timeout (MUST-37). No model offers a zero window.",
    },
    Deviation {
        rfc: "RFC 9293 §3.10.7.4 (MUST-59: process a series of queued segments before sending \
              any ACK)",
        code: "tcp::Tcb::on_segment (delack), stack::Host::handle",
        what: "The host takes one packet per call (sans-IO), and each segment's acknowledgment \
               is decided when that segment is processed: with delayed ACK on (the stack's \
               default, RFC 9293 §3.8.6.3) every second in-order text segment of a series is \
               acknowledged, not only the last one; with it off (the models, and the replay \
               of the models through the stack) every text segment is. ACKs are aggregated \
               (MUST-58) pairwise and by the delayed-ACK timer, not over a whole series.",
    },
    Deviation {
        rfc: "RFC 5961 §5 (ACK throttling range)",
        code: "tcp::Tcb::on_segment (take_ack)",
        what: "The extra acceptable-ACK range check of RFC 5961 §5 is not applied; the RFC \
               9293 test (SND.UNA < SEG.ACK =< SND.NXT) is.",
    },
    Deviation {
        rfc: "RFC 1122 §3.3.2 (reassembly of IP fragments is a MUST)",
        code: "wire::ipv4::Repr::parse",
        what: "Fragments are recognised and refused (Error::Fragmented), not reassembled; the \
               stack drops them and counts them. No model sends fragments.",
    },
    Deviation {
        rfc: "RFC 826 (Packet Reception: add the sender when we are the target)",
        code: "arp::Cache::receive",
        what: "A reply for which no entry exists (an unsolicited reply) creates no entry, \
               against cache poisoning; requests addressed to us still do. Mechanism \
               ignore-unsolicited-replies.",
    },
    Deviation {
        rfc: "RFC 9293 §3.7.1 (MUST NOT send a segment larger than the peer's MSS)",
        code: "tcp::effective_send_mss (MIN_SEND_MSS)",
        what: "A peer MSS option below 64 octets (0 or 1, say) is read as 64, so that a hostile \
               peer cannot make us send one octet per segment (41 times the octets on the \
               wire). Linux does the same with a floor of 48 (tcp_min_snd_mss).",
    },
    Deviation {
        rfc: "RFC 826 (Packet Reception: add the requester when we are the target)",
        code: "arp::Cache::receive (Ignore::OffSubnet, Ignore::CacheFull)",
        what: "A request from a sender outside our subnet is answered but creates no entry \
               (we never send to such an address directly), and the cache holds at most \
               HostConfig::arp_capacity entries (1024): a new one evicts the least recently \
               confirmed resolved entry, or is not created if every entry is a resolution in \
               progress. RFC 1122 §2.3.2.1 leaves the size to the implementation.",
    },
    Deviation {
        rfc: "RFC 1122 §3.2.2.6 (MUST answer Echo Requests), RFC 9293 §3.10.7.1 (a reset is \
              sent for any segment to a CLOSED port)",
        code: "stack::Host::allow (HostConfig::echo_reply_limit, reset_limit, icmp_error_limit)",
        what: "Echo Replies, RSTs to closed ports and ICMP error messages are each sent at most \
               1000 per second in bursts of 50 (token buckets, RFC 4443 §2.4 (f), as RFC \
               1812 §4.3.2.8 asks of ICMP errors); beyond that they are dropped and counted, \
               so a flood of forged packets cannot turn the host into a 1:1 reflector.",
    },
    Deviation {
        rfc: "RFC 1122 §3.3.6 (obsolete all-zeros broadcast forms SHOULD be recognised)",
        code: "ip::Node::classify",
        what: "Only the all-ones forms (limited and directed broadcast) are recognised.",
    },
    Deviation {
        rfc: "RFC 9293 §3.8.2, MUST-19 (RFC 5681 congestion control)",
        code: "tcp::Config::congestion",
        what: "Congestion control (RFC 5681 with NewReno, RFC 6675 SACK recovery, CUBIC of RFC \
               9438 by default) runs wherever Config::congestion is set: in the stack always \
               (HostConfig::tcp_congestion, `stack --congestion none` to turn it off), in the \
               models only with `--congestion 1` (Reno, an initial window of one segment), \
               because every other model checks RFC 9293's own rules and a controller's state \
               would multiply their states without changing what they check.",
    },
    Deviation {
        rfc: "RFC 5681 §3.1 (slow start after a retransmission timeout), RFC 6582 §3.2",
        code: "tcp::Recovery::on_retransmit_timeout",
        what: "After a timer retransmission SND.NXT stays where it was (no go-back-N): cwnd is \
               the loss window and slow start regrows it, but the rest of the window is resent \
               by the partial acknowledgments up to the highest sequence number sent before \
               the timeout, each resending the segment at SND.UNA as RFC 6582 does in fast \
               recovery (with SACK, by RFC 6675 §5.1's loss recovery once three segments above \
               a hole are SACKed), so that several losses in one window cost one timeout.",
    },
    Deviation {
        rfc: "RFC 6928 (initial window)",
        code: "tcp::congestion::initial_window",
        what: "The initial window is RFC 6928's ten segments (experimental), not RFC 5681's \
               two to four, as Linux, Windows and macOS use: a first flight like its peers'.",
    },
    Deviation {
        rfc: "RFC 7323 §3.2 (a segment without TSopt SHOULD be dropped)",
        code: "tcp::Tcb::lacks_timestamps",
        what: "Followed as written: once timestamps are negotiated a segment other than a RST \
               without the option is dropped silently. Linux accepts such segments; a peer \
               that stops sending timestamps mid-connection is not heard here.",
    },
    Deviation {
        rfc: "RFC 9293 §3.8.6.2.1 (sender SWS avoidance, MUST-38), §3.7.4 (Nagle, SHLD-7)",
        code: "tcp::Tcb::transmit",
        what: "Sender SWS avoidance is the Nagle algorithm (`Config::nagle`, on in a host by \
               default, `stack --no-nagle` or `HostConfig::tcp_nagle` for TCP_NODELAY): a \
               segment shorter than the send MSS waits while text is unacknowledged, and also \
               where the congestion window cuts it short. Conditions (3) and (4) of \
               §3.8.6.2.1 (a fraction Fs of the largest window; the override timeout) are not \
               implemented: with nothing in flight, a runt goes at once, as on Linux. A \
               segment carrying our FIN is never held (CLOSE pushes). The models and \
               `Config::default` run without Nagle (every SEND segmentized at once, RFC 9293 \
               alone), so the rule is checked by unit tests, not by a model.",
    },
    Deviation {
        rfc: "Left out: ECN (RFC 3168), RACK-TLP (RFC 8985) as specified, pacing, Limited \
              Transmit (RFC 3042), F-RTO (RFC 5682), D-SACK-based undo (RFC 3708)",
        code: "tcp::congestion, tcp::sack, tcp::Connection",
        what: "No ECN is negotiated, so there is no ECE to react to. Loss is detected by \
               duplicate ACKs, SACK (RFC 6675) and the retransmission timer, plus one piece of \
               RACK's idea (RFC 8985 §2) in sequence space: in a SACK recovery, once \
               DupThresh segments' worth of data sent after the latest retransmission is \
               SACKed, the retransmissions not yet SACKed are lost and go again \
               (RecoveryEvent::RetransmissionLost, a new congestion event); there are no \
               per-segment send times, no reordering window in time and no tail loss probe. \
               A spurious SACK recovery is detected when the ACK past its hole returns \
               sooner than the least RTT measured (RFC 8985 §6.2's reasoning) or when every \
               segment it resent is D-SACKed (RFC 3708), and undone (RFC 9438 §4.9), with \
               DupThresh raised to the reordering measured (at most 256, back to 3 at a \
               timeout; RFC 6675 §2 leaves DupThresh's value to later documents). Eifel \
               (RFC 3522) is not used: Linux receivers do not echo the TSval of the \
               retransmission that fills a gap. Reordering that never sets off a recovery is \
               not measured. Spurious timeouts are not detected. CUBIC's slow start runs \
               HyStart++ (RFC 9406); Reno's is plain. A window is sent at once, not paced; no \
               extra segments on the first two duplicate ACKs. The goodput bench measures \
               what these cost against Linux.",
    },
    Deviation {
        rfc: "RFC 1122 §4.2.3.9 (Destination Unreachable codes 2-4 are hard errors: SHOULD abort)",
        code: "tcp::icmp_verdict",
        what: "Port and protocol unreachable abort a connection only in SYN-SENT (refused, \
               when the quoted sequence number is our ISS); in SYN-RECEIVED and the \
               synchronized states they are soft errors, as RFC 5927 §5.2 recommends, so that \
               a blind attacker cannot reset a connection with an ICMP message where RFC 5961 \
               denies it a RST. Soft errors (these included) are reported to the user as \
               Event::SoftError and counted (icmp_ignored).",
    },
    Deviation {
        rfc: "RFC 1122 §3.2.1.3 (g) (datagrams to our own address loop back internally)",
        code: "stack::Host::ip_send",
        what: "There is no loopback path: a datagram to ourselves is dropped and counted \
               (no_route).",
    },
];
