//! The switchable protocol mechanisms (the hazard catalogue T1–T18) and per-connection
//! configuration.
//!
//! Every field of [`Mechanisms`] is `true` by default, which is RFC 9293 (plus RFC 1337 F1 and
//! RFC 5961 where noted). An ablation switches exactly one rule off so that a model (or the
//! stack) runs the very same transition functions with that rule disabled, and the model
//! checker can rediscover the hazard the rule exists to prevent.

use super::congestion::Algorithm;
use super::rto::RtoBounds;
use crate::ratelimit::Rate;
use serde::Serialize;
use std::time::Duration;

/// One protocol rule that can be switched off. The kebab-case names are the stable names used
/// by `--without`, the JSON output and REPORT.md.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, PartialOrd, Ord, Serialize)]
pub enum Mechanism {
    /// T1: the responder waits for the ACK of its SYN before ESTABLISHED (RFC 9293 §3.5 Fig. 8).
    ThreeWayHandshake,
    /// T2: SYN-SENT resets an unacceptable SYN-ACK instead of accepting it (§3.10.7.3).
    SynSentReset,
    /// T3: a SYN occupies one sequence number (§3.3.1).
    SynSequenceNumber,
    /// T4: the active closer keeps its TCB in TIME-WAIT (§3.6, MUST-13).
    TimeWait,
    /// T5: TIME-WAIT lasts 2·MSL, not less (§3.4.1, RFC 1337 H1).
    TimeWait2Msl,
    /// T6: a RST in TIME-WAIT is ignored (RFC 1337 F1), a documented deviation from §3.10.7.4.
    RstInTimeWaitIgnored,
    /// T7: TIME-WAIT restarts its 2·MSL timer when it acknowledges a retransmitted FIN.
    TimeWaitRestart,
    /// T8: the ISN comes from a clock (§3.4.1, MUST-8), not a constant.
    IsnClock,
    /// T9: SYN-SENT receiving a SYN goes to SYN-RECEIVED (simultaneous open, MUST-10).
    SimultaneousOpen,
    /// T10: FIN-WAIT-1 receiving a FIN that does not ack ours goes to CLOSING (Fig. 13).
    ClosingState,
    /// T11: FIN-WAIT-1 receiving a FIN that acks ours goes straight to TIME-WAIT (§3.10.7.4).
    FinWait1FinAck,
    /// T12: SYN-RECEIVED remembers a passive or active origin (Note 1 of §3.10.7.4, MUST-11).
    SynReceivedOrigin,
    /// T13: the four-case segment acceptability test (§3.10.7.4, Table 6).
    SegmentAcceptability,
    /// T14: RST validation by exact sequence match plus challenge ACK (RFC 5961 §3).
    RstValidation,
    /// T15: an ACK of unsent data (SEG.ACK > SND.NXT) is answered by an ACK and dropped.
    AckOfUnsentData,
    /// T16: out-of-order text is held until the gap is filled (§3.10.7.4 seventh step).
    Reassembly,
    /// T17: the retransmission timer runs in CLOSE-WAIT and LAST-ACK too (§3.10.8).
    RetransmitAfterFinReceived,
    /// T18: text carried on a SYN is held until ESTABLISHED (§3.10.7.2).
    SynDataHeld,
    /// An acknowledgment of new data restarts the retransmission timer while data remains
    /// outstanding (RFC 6298 §5.3); switched off, any acknowledgment of new data stops it, a
    /// classic implementation error that leaves the rest of the data without a timer.
    RtoRestart,
    /// Out-of-order text is held only within the window offered and only once per sequence
    /// number (RFC 9293 §3.10.7.4 seventh step, §3.8.6: the window is "the amount of data
    /// the receiver is willing to accept"; issue 17 item 2). Switched off, every copy of every
    /// in-window segment is held whole, beyond the window's right edge too: the queue outgrows
    /// what was offered.
    ReassemblyBound,
    /// PAWS (RFC 7323 §5): on a connection with timestamps, a segment whose TSval is older
    /// than TS.Recent is dropped (and acknowledged) before its sequence number is judged.
    /// Switched off, an old duplicate from the previous wrap of the sequence space that lands
    /// inside the current window is taken as new text.
    Paws,
    /// The sender keeps what it has in flight within the congestion window (RFC 5681 §3.1:
    /// "MUST NOT send data with a sequence number higher than the sum of the highest
    /// acknowledged sequence number and the minimum of cwnd and rwnd"; RFC 6675 §5 (C) in
    /// SACK recovery). Switched off, it sends whatever the peer's window allows, into any
    /// bottleneck: the congestion collapse of 1986 that RFC 5681's ancestors answered.
    CongestionWindow,
    /// The SACK sender records the blocks each ACK carries in its scoreboard (RFC 6675 §4
    /// `Update ()`, RFC 2018 §5), so that recovery (`NextSeg ()`, §4) and the resends after a
    /// timeout (§5.1) skip what the receiver already holds. Switched off, it negotiates SACK
    /// and its receiver still reports blocks, but as a sender it ignores every block it
    /// receives: it resends text the receiver has reported holding, the waste SACK exists to
    /// end (RFC 2018 §1).
    SackScoreboard,
}

impl Mechanism {
    /// Every mechanism, in catalogue order.
    pub const ALL: [Mechanism; 23] = [
        Mechanism::ThreeWayHandshake,
        Mechanism::SynSentReset,
        Mechanism::SynSequenceNumber,
        Mechanism::TimeWait,
        Mechanism::TimeWait2Msl,
        Mechanism::RstInTimeWaitIgnored,
        Mechanism::TimeWaitRestart,
        Mechanism::IsnClock,
        Mechanism::SimultaneousOpen,
        Mechanism::ClosingState,
        Mechanism::FinWait1FinAck,
        Mechanism::SynReceivedOrigin,
        Mechanism::SegmentAcceptability,
        Mechanism::RstValidation,
        Mechanism::AckOfUnsentData,
        Mechanism::Reassembly,
        Mechanism::RetransmitAfterFinReceived,
        Mechanism::SynDataHeld,
        Mechanism::RtoRestart,
        Mechanism::ReassemblyBound,
        Mechanism::Paws,
        Mechanism::CongestionWindow,
        Mechanism::SackScoreboard,
    ];

    /// The stable kebab-case name.
    pub fn name(self) -> &'static str {
        match self {
            Mechanism::ThreeWayHandshake => "three-way-handshake",
            Mechanism::SynSentReset => "syn-sent-reset",
            Mechanism::SynSequenceNumber => "syn-sequence-number",
            Mechanism::TimeWait => "time-wait",
            Mechanism::TimeWait2Msl => "time-wait-2msl",
            Mechanism::RstInTimeWaitIgnored => "rst-in-time-wait-ignored",
            Mechanism::TimeWaitRestart => "time-wait-restart",
            Mechanism::IsnClock => "isn-clock",
            Mechanism::SimultaneousOpen => "simultaneous-open",
            Mechanism::ClosingState => "closing-state",
            Mechanism::FinWait1FinAck => "fin-wait-1-fin-ack",
            Mechanism::SynReceivedOrigin => "syn-received-origin",
            Mechanism::SegmentAcceptability => "segment-acceptability",
            Mechanism::RstValidation => "rst-validation",
            Mechanism::AckOfUnsentData => "ack-of-unsent-data",
            Mechanism::Reassembly => "reassembly",
            Mechanism::RetransmitAfterFinReceived => "retransmit-after-fin-received",
            Mechanism::SynDataHeld => "syn-data-held",
            Mechanism::RtoRestart => "rto-restart",
            Mechanism::ReassemblyBound => "reassembly-bound",
            Mechanism::Paws => "paws",
            Mechanism::CongestionWindow => "congestion-window",
            Mechanism::SackScoreboard => "sack-scoreboard",
        }
    }

    /// Looks a mechanism up by its stable name.
    pub fn from_name(name: &str) -> Option<Mechanism> {
        Mechanism::ALL.into_iter().find(|m| m.name() == name)
    }
}

/// Which rules are on. `Mechanisms::default()` is the full protocol.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Serialize)]
pub struct Mechanisms(u32);

impl Default for Mechanisms {
    fn default() -> Self {
        Mechanisms((1 << Mechanism::ALL.len()) - 1)
    }
}

impl Mechanisms {
    /// Whether a rule is on.
    pub fn on(self, m: Mechanism) -> bool {
        self.0 & (1 << m as u32) != 0
    }

    /// The same set with one rule switched off.
    pub fn without(self, m: Mechanism) -> Mechanisms {
        Mechanisms(self.0 & !(1 << m as u32))
    }

    /// The rules that are off.
    pub fn disabled(self) -> Vec<Mechanism> {
        Mechanism::ALL
            .into_iter()
            .filter(|m| !self.on(*m))
            .collect()
    }
}

/// Every tunable of a connection, stated once: the rules of `tcp` read nothing else.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct Config {
    /// Which rules are on.
    pub mechanisms: Mechanisms,
    /// The receive buffer, in octets: the window offered when nothing delivered is unread
    /// (RCV.WND is this less the unread text, RFC 9293 §3.8.6.2.2). Above 65,535 octets only
    /// a connection with window scaling can offer all of it; at most 2^30 (RFC 7323 §2.3).
    pub rcv_wnd: u32,
    /// The MSS this endpoint advertises on its SYN and the most text it puts into one segment
    /// (RFC 9293 §3.7.1; a host sets it to its MTU less 40). The send MSS of a connection is
    /// the smaller of this and the peer's MSS option (536 without one).
    pub mss: u16,
    /// The send buffer, in octets: unacknowledged plus queued text (a SEND takes what fits).
    pub snd_buf: usize,
    /// R1 of RFC 9293 §3.8.3 as a count: at this many consecutive retransmissions the user is
    /// told of the delivery problem (SHLD-9, SHLD-10: at least 3).
    pub r1: u8,
    /// R2 of RFC 9293 §3.8.3 as a count: after this many consecutive retransmissions of the
    /// same data the connection is aborted ("connection aborted due to user timeout";
    /// MUST-20, SHLD-11: at least 100 s, which 8 backed-off retransmissions from a 1 s RTO
    /// exceed).
    pub max_retransmits: u8,
    /// R2 for a SYN (MUST-23: at least 3 minutes of retransmission; 8 from a 1 s RTO reach
    /// 183 s).
    pub max_syn_retransmits: u8,
    /// R2 for our SYN,ACK in a SYN-RECEIVED reached by a passive OPEN: retransmissions of
    /// the SYN,ACK after which the half-open connection is deleted; `None` (the default, RFC
    /// 9293 alone, and the models) uses `max_syn_retransmits`. A host sets
    /// [`SYN_ACK_RETRANSMITS`], Linux's `tcp_synack_retries` (5): from a 1 s RTO the entry
    /// gives up after 63 s (1+2+4+8+16+32) instead of the 183 s of 8 retransmissions, so that
    /// half-open entries left by spoofed SYNs free their backlog slot sooner (RFC 4987 §3.2,
    /// "reducing SYN-RECEIVED timer"; issue 17 item 1). RFC 9293 §3.8.3 (MUST-23) asks for
    /// at least 3 minutes of retransmission of "a SYN segment", which read literally covers
    /// a SYN,ACK too: a listed deviation, the one Linux makes. A simultaneous open keeps
    /// `max_syn_retransmits`.
    pub max_syn_ack_retransmits: Option<u8>,
    /// Whether, in a SYN-RECEIVED reached by a simultaneous open, the peer's SYN,ACK
    /// establishes the connection as RFC 9293 §3.5 Figure 7 line 6 draws it. Off (the
    /// default, the models, and `conform --strict`), the event processing of §3.10.7.4 holds:
    /// that SYN,ACK begins at RCV.NXT - 1, fails the first step's acceptability test, is
    /// acknowledged and dropped, and ESTABLISHED follows on the peer's ACK (a listed
    /// deviation from the figure, see REPORT.md). On, it is still acknowledged (its SYN is an
    /// old duplicate), and its acknowledgment of our SYN is taken as the fifth step takes
    /// an ACK in SYN-RECEIVED: what Linux does (`tcp_validate_incoming` lets a SYN,ACK
    /// through in SYN-RECV when it ends at RCV.NXT and acknowledges SND.NXT). `conform
    /// --profile linux` runs its candidates with it on (allowance `syn-ack-in-syn-received`).
    pub crossing_syn_ack_establishes: bool,
    /// The Nagle algorithm (RFC 9293 §3.7.4, SHLD-7; RFC 1122 §4.2.3.4): while sent text is
    /// unacknowledged, less than a full segment of text waits (whatever PSH asks) until the
    /// outstanding text is acknowledged or a full segment can be sent. A segment that carries
    /// our FIN is not held (CLOSE pushes what is queued; Linux sends it too). Off by
    /// default (RFC 9293 alone, the models: every SEND is segmentized at once, as the
    /// models check it, and a user may switch it off, MUST-17's TCP_NODELAY), on in a host
    /// (`HostConfig::tcp_nagle`).
    pub nagle: bool,
    /// Whether an in-order text segment may wait for a second one, or for the delayed-ACK
    /// timer, before it is acknowledged (RFC 9293 §3.8.6.3, SHLD-18; the rule is in
    /// `tcp::delack`). Off, every segment that carries text is acknowledged at once, as the
    /// seventh step of RFC 9293 §3.10.7.4 reads, and as the models check it.
    pub delayed_ack: bool,
    /// How long an acknowledgment may be deferred (RFC 9293 §3.8.6.3, MUST-58: under 0.5 s).
    pub ack_delay: Duration,
    /// Whether the third duplicate ACK resends the segment at SND.UNA (fast retransmit, RFC
    /// 5681 §3.2) and partial acknowledgments resend the next (RFC 6582 §3.2), besides the
    /// retransmission timer. Off, only the timer resends, as in RFC 9293 alone.
    pub fast_retransmit: bool,
    /// The bounds of the retransmission timeout (RFC 6298 §2).
    pub rto: RtoBounds,
    /// The maximum segment lifetime; TIME-WAIT lasts 2·MSL (RFC 9293 §3.4.1, MUST-13).
    pub msl: Duration,
    /// The rate of RFC 5961 challenge ACKs (§3.2 for a RST, §4.2 for a SYN, §5.2 for an ACK)
    /// this connection sends, a token bucket of its own; `None` for no limit. RFC 5961 §7:
    /// an implementation "SHOULD include an ACK throttling mechanism". Default 1000 per
    /// second in bursts of 50, the rate of Linux's `tcp_challenge_ack_limit` (1000 per
    /// second), but per connection rather than per host: a counter shared by every connection
    /// of a host is a side channel through which an off-path attacker learns whether its
    /// guess of another connection's numbers drew a challenge ACK (CVE-2016-5696, Cao et
    /// al., USENIX Security 2016), which is why Linux randomized and later dropped its
    /// host-wide limit. Over the limit the challenge ACK is not sent
    /// ([`Witness::ChallengeAckLimited`](crate::tcp::Witness::ChallengeAckLimited)); the
    /// segment that drew it is dropped all the same.
    pub challenge_ack_limit: Option<Rate>,
    /// How long FIN-WAIT-2 may wait for the peer's FIN without hearing any text from it;
    /// `None` waits for ever, as RFC 9293 alone does. Default 60 s, Linux's
    /// `tcp_fin_timeout`. A deliberate deviation (listed in `crate::deviations`): RFC 9293
    /// §3.6 lets a connection in FIN-WAIT-2 wait for the peer's FIN indefinitely, and the user
    /// timeout (§3.8.3 R2) runs only while something is unacknowledged, which in FIN-WAIT-2
    /// nothing is; a peer that never sends its FIN, or vanished, would hold the TCB for ever.
    /// The timer restarts whenever text arrives (RCV.NXT advances), so a half-closed
    /// connection that still receives is not cut. At expiry a RST is sent (as Linux does)
    /// and the user is told "connection aborted due to user timeout".
    pub fin_wait_2_timeout: Option<Duration>,
    /// Keep-alives (RFC 9293 §3.8.4); `None`, the default, sends none (MUST-24: off unless
    /// the application turns them on).
    pub keep_alive: Option<KeepAlive>,
    /// Whether our SYN offers window scaling (RFC 7323 §2), with the shift
    /// [`window_shift_for`](crate::tcp::window_shift_for) gives for `rcv_wnd`.
    pub window_scale: bool,
    /// Whether our SYN offers timestamps (RFC 7323 §3): RTT measurement and PAWS.
    pub timestamps: bool,
    /// Whether our SYN offers SACK (RFC 2018 §2).
    pub sack: bool,
    /// Congestion control (RFC 5681, MUST-19; RFC 9438 CUBIC or Reno): `None` sends whatever
    /// the peer's window allows, as RFC 9293's own text does and the models check it by
    /// default; a host runs one (see [`Config::with_extensions`]).
    pub congestion: Option<Algorithm>,
    /// The initial window in segments of the send MSS; `None` is RFC 6928's (about ten
    /// segments, as Linux). RFC 5681 §3.1 bounds IW from above only, so any smaller value is
    /// allowed; the models use one segment, so that the window binds within a few octets.
    pub initial_window: Option<u32>,
    /// The congestion window a transition may fill, set by [`Connection`](crate::tcp::Connection)
    /// for each transition from its controller: the sender keeps SND.NXT − SND.UNA within
    /// min(this, SND.WND) (RFC 5681 §3.1). `None` (leave it so) is no limit but the peer's
    /// window.
    pub cwnd: Option<u32>,
}

/// Keep-alive probing (RFC 9293 §3.8.4, MUST-24..27, SHLD-12): after `idle` with nothing
/// received and nothing outstanding, probe `<SEQ=SND.NXT-1><ACK=RCV.NXT><CTL=ACK>` (no text,
/// SHLD-12 allows it) every `interval`; a segment from the peer answers. `probes` probes in a
/// row unanswered end the connection (MUST-27: one lost probe alone never does).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct KeepAlive {
    /// The idle time before the first probe (MUST-26: configurable, default no less than two
    /// hours).
    pub idle: Duration,
    /// Between unanswered probes (Linux's `tcp_keepalive_intvl`: 75 s).
    pub interval: Duration,
    /// Unanswered probes after which the connection is aborted (Linux's
    /// `tcp_keepalive_probes`: 9).
    pub probes: u8,
}

impl Default for KeepAlive {
    /// Two hours idle (MUST-26's least default), then 9 probes 75 s apart, as Linux.
    fn default() -> Self {
        KeepAlive {
            idle: Duration::from_secs(2 * 3600),
            interval: Duration::from_secs(75),
            probes: 9,
        }
    }
}

/// The default rate of challenge ACKs per connection (RFC 5961 §7): 1000 per second, bursts
/// of 50 (see [`Config::challenge_ack_limit`]).
pub const CHALLENGE_ACK_LIMIT: Rate = Rate::new(1000, 50);

/// The SYN-RECEIVED retry budget a host sets (see [`Config::max_syn_ack_retransmits`]):
/// Linux's `tcp_synack_retries`.
pub const SYN_ACK_RETRANSMITS: u8 = 5;

/// The default FIN-WAIT-2 timeout (see [`Config::fin_wait_2_timeout`]): Linux's 60 s.
pub const FIN_WAIT_2_TIMEOUT: Duration = Duration::from_secs(60);

impl Default for Config {
    /// RFC 9293 alone: no delayed ACK, no fast retransmit, a 536-octet MSS, a 64 KiB buffer
    /// each way, R1 = 3, R2 = 8 (data, SYN and SYN,ACK), RFC 6298's RTO bounds, an MSL of 2 minutes and
    /// challenge ACKs limited to 1000 per second, bursts of 50 (RFC 5961 §7), a 60 s FIN-WAIT-2
    /// timeout, no keep-alives, and none of the options of RFC 7323 and RFC 2018 offered
    /// (a host offers them: see [`Config::with_extensions`]).
    fn default() -> Self {
        Config {
            mechanisms: Mechanisms::default(),
            rcv_wnd: 65535,
            mss: 536,
            snd_buf: 65535,
            r1: 3,
            max_retransmits: 8,
            max_syn_retransmits: 8,
            max_syn_ack_retransmits: None,
            crossing_syn_ack_establishes: false,
            nagle: false,
            delayed_ack: false,
            ack_delay: Duration::from_millis(40),
            fast_retransmit: false,
            rto: RtoBounds::default(),
            msl: Duration::from_secs(120),
            challenge_ack_limit: Some(CHALLENGE_ACK_LIMIT),
            fin_wait_2_timeout: Some(FIN_WAIT_2_TIMEOUT),
            keep_alive: None,
            window_scale: false,
            timestamps: false,
            sack: false,
            congestion: None,
            initial_window: None,
            cwnd: None,
        }
    }
}

impl Config {
    /// The same configuration as a real peer runs it: offering window scaling, timestamps
    /// and SACK, with CUBIC congestion control, fast retransmit and recovery, as Linux does
    /// by default.
    pub fn with_extensions(self) -> Config {
        Config {
            window_scale: true,
            timestamps: true,
            sack: true,
            congestion: Some(Algorithm::Cubic),
            fast_retransmit: true,
            ..self
        }
    }
}

/// The length of TIME-WAIT for a given MSL, in the caller's unit of time (RFC 9293 §3.6,
/// MUST-13: 2·MSL). With [`Mechanism::TimeWait2Msl`] switched off it is shortened to one half
/// of the MSL (at least one unit), shorter than the lifetime of a segment: the T5 hazard.
pub fn time_wait_duration(msl: Duration, mechanisms: Mechanisms) -> Duration {
    if mechanisms.on(Mechanism::TimeWait2Msl) {
        2 * msl
    } else {
        (msl / 2).max(Duration::from_nanos(1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_are_unique() {
        for m in Mechanism::ALL {
            assert_eq!(Mechanism::from_name(m.name()), Some(m));
        }
        let mut names: Vec<_> = Mechanism::ALL.iter().map(|m| m.name()).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), Mechanism::ALL.len());
    }

    #[test]
    fn default_has_every_rule_on_and_without_switches_exactly_one_off() {
        let all = Mechanisms::default();
        assert!(Mechanism::ALL.iter().all(|m| all.on(*m)));
        let w = all.without(Mechanism::TimeWait);
        assert_eq!(w.disabled(), vec![Mechanism::TimeWait]);
    }

    #[test]
    fn time_wait_is_two_msl_unless_ablated() {
        let msl = Duration::from_secs(2);
        assert_eq!(time_wait_duration(msl, Mechanisms::default()), 2 * msl);
        let short = Mechanisms::default().without(Mechanism::TimeWait2Msl);
        assert!(time_wait_duration(msl, short) < msl);
    }
}
