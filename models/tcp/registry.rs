//! Registry entries of the TCP models: their properties and the ablations each must survive
//! or fail.

use super::properties::{Prop, Scenario};
use super::{LifecycleBounds, TcpModel};
use crate::models::runner::{Render, RunOptions};
use crate::models::{Ablation, Bounds, ModelSpec, PropertyInfo, run_spec};
use crate::tcp::{Mechanism, Mechanisms};

fn mechanisms(without: &[&'static str]) -> Mechanisms {
    without.iter().fold(Mechanisms::default(), |m, name| {
        m.without(Mechanism::from_name(name).expect("validated by the registry"))
    })
}

fn infos(s: Scenario) -> Vec<PropertyInfo> {
    Prop::table(s)
        .iter()
        .map(|p| PropertyInfo {
            name: p.name,
            kind: p.kind,
            meaning: p.meaning,
        })
        .collect()
}

impl Render for TcpModel {
    fn render(&self, path: &[(Self::State, Option<Self::Action>)]) -> Vec<String> {
        super::ladder::ladder(path)
    }
}

/// `tcp-handshake`.
pub const HANDSHAKE: ModelSpec = ModelSpec {
    name: "tcp-handshake",
    summary: "RFC 9293 three-way handshake and simultaneous open over a lossy, duplicating, \
              reordering network with an old duplicate SYN in flight (Figures 6-8)",
    properties: || infos(Scenario::Handshake),
    ablations: HANDSHAKE_ABLATIONS,
    expect_violated: &[],
    bounds: &[],
    premises: crate::models::any_bounds,
    check: |without, _, opts: RunOptions| {
        let model = TcpModel::handshake(mechanisms(without));
        run_spec(
            &HANDSHAKE,
            without,
            Bounds::NONE,
            model.reduced(opts.reduce),
            opts,
        )
    },
};

/// `tcp-close`.
pub const CLOSE: ModelSpec = ModelSpec {
    name: "tcp-close",
    summary: "RFC 9293 connection release from ESTABLISHED: either side closes first or both \
              at once, with loss, duplication, ticks and a 2*MSL TIME-WAIT (Figures 12-13)",
    properties: || infos(Scenario::Close),
    ablations: CLOSE_ABLATIONS,
    expect_violated: &[],
    bounds: &[],
    premises: crate::models::any_bounds,
    check: |without, _, opts: RunOptions| {
        let model = TcpModel::close(mechanisms(without));
        run_spec(
            &CLOSE,
            without,
            Bounds::NONE,
            model.reduced(opts.reduce),
            opts,
        )
    },
};

/// `tcp-lifecycle`.
pub const LIFECYCLE: ModelSpec = ModelSpec {
    name: "tcp-lifecycle",
    summary: "two incarnations of one 4-tuple exchanging tagged octets and closing, over a \
              network that loses, duplicates, reorders and delays, with an ISN clock and \
              TIME-WAIT: ordered and complete delivery, no stale data (S1, S2, S8)",
    properties: || infos(Scenario::Lifecycle),
    ablations: LIFECYCLE_ABLATIONS,
    expect_violated: &[],
    bounds: &[
        "bytes",
        "incarnations",
        "losses",
        "dups",
        "delays",
        "fast-reconnect",
        "old-syn",
        "old-wrap",
        "congestion",
        "sack",
        "forgeries",
    ],
    premises: lifecycle_premises,
    check: |without, bounds, opts: RunOptions| {
        let model = TcpModel::lifecycle(mechanisms(without), LifecycleBounds::from(bounds));
        run_spec(
            &LIFECYCLE,
            without,
            bounds,
            model.reduced(opts.reduce),
            opts,
        )
    },
};

/// The sometimes-properties of tcp-lifecycle whose premise some bounds rule out.
fn lifecycle_premises(name: &str, bounds: Bounds) -> bool {
    let b = LifecycleBounds::from(bounds);
    match name {
        "second-incarnation" | "reconnect-refused" => b.incarnations >= 2,
        // Text of incarnation 1 in incarnation 2 (a segment outlives its incarnation only if
        // the network delays, duplicates or loses, which makes for a retransmission), or the
        // old SYN's text of the connection before.
        "late-segment-rejected" => {
            (b.incarnations >= 2 && b.losses + b.dups + b.delays > 0) || b.old_syn || b.old_wrap
        }
        "forgery-rejected" => b.forgeries > 0,
        "paws-rejected" => b.old_wrap,
        "cwnd-limited" => b.congestion && b.bytes >= 2,
        // A hole below SACKed text: two octets, one lost or delayed.
        "sack-retransmit" => b.sack && b.bytes >= 2 && b.losses + b.delays > 0,
        "window-full" => !b.congestion,
        // Behind a congestion window of one segment, a network that neither loses, delays nor
        // duplicates (and no old or forged segment) never leaves text unacknowledged with
        // nothing in flight: no retransmission, no text twice.
        "retransmitted" | "duplicate-discarded" => {
            !b.congestion
                || b.losses + b.delays + b.dups > 0
                || b.old_syn
                || b.old_wrap
                || b.forgeries > 0
        }
        // A forged RST, or a reconnecting SYN that meets TIME-WAIT (RFC 5961 §4).
        "challenge-ack" => b.forgeries > 0 || b.incarnations >= 2,
        // Figure 8's SYN from the start, or one of incarnation 1 delayed or duplicated into
        // incarnation 2.
        "old-syn-rejected" => b.old_syn || (b.incarnations >= 2 && b.delays + b.dups >= 1),
        _ => true,
    }
}

/// Figure 8 in the lifecycle, one incarnation over a network that only reorders.
const OLD_SYN: Bounds = Bounds {
    incarnations: Some(1),
    losses: Some(0),
    delays: Some(0),
    old_syn: Some(1),
    ..Bounds::NONE
};

/// RFC 7323 §5 in the lifecycle: one incarnation with timestamps, over a network that only
/// reorders, with an old duplicate from the previous wrap of A's sequence space in flight.
const OLD_WRAP: Bounds = Bounds {
    incarnations: Some(1),
    losses: Some(0),
    delays: Some(0),
    old_wrap: Some(1),
    ..Bounds::NONE
};

/// RFC 5681 in the lifecycle: two octets each way behind a congestion window of one, one
/// incarnation, over a network that only reorders.
const CONGESTION: Bounds = Bounds {
    bytes: Some(2),
    incarnations: Some(1),
    losses: Some(0),
    delays: Some(0),
    congestion: Some(1),
    ..Bounds::NONE
};

/// RFC 6675 in the lifecycle: A sends three octets to B, one per segment, both ends SACK,
/// one incarnation, and the network loses two segments: two holes below SACKed text, the
/// first resent by the timer, the second then by the scoreboard (RFC 6675 §5.1).
const SACK: Bounds = Bounds {
    bytes: Some(3),
    incarnations: Some(1),
    losses: Some(2),
    delays: Some(0),
    sack: Some(1),
    ..Bounds::NONE
};

/// One forgery against one incarnation over a network that only reorders.
const ATTACKER: Bounds = Bounds {
    incarnations: Some(1),
    losses: Some(0),
    delays: Some(0),
    forgeries: Some(1),
    ..Bounds::NONE
};

/// Each lifecycle ablation runs at the smallest bounds at which its hazard shows, and
/// `tests/tcp_models.rs` checks the full protocol at the same bounds (the control). Three
/// environments beyond the default serve them: RFC 1337's fast reconnect (T5), Figure 8's old
/// SYN within B's window (T2, T18) and an off-path attacker's in-window forgeries (T14, T15).
///
/// Not registered for tcp-lifecycle, with the reason the checker gives:
/// - `time-wait-restart` (T7): as in tcp-close, retransmitted FINs arrive within one MSL.
///   Without it every property holds up to 2 losses and 1 delay (4.5 M states) or 1 loss
///   and 2 delays (23.8 M). It breaks retransmitted-fin-acknowledged at 3 losses and 1 delay
///   (9.9 M states, 33 s), but there the full protocol fails too, so that counterexample is
///   the bounds', not the mechanism's: B's ACK of A's FIN carries the sequence number after
///   B's FIN, one past A's two-octet window (Table 6 rejects it), A's retransmitted FIN is
///   lost three times and delayed once, and B's TIME-WAIT of 2·MSL has ended when it
///   arrives. TIME-WAIT covers a lost last ACK, not a peer whose retransmissions keep failing
///   for longer than 2·MSL.
/// - `three-way-handshake` (T1): registered in tcp-handshake. In the lifecycle it breaks
///   ordered-delivery and no-stale-data at the default bounds (11.6 M states, ~90 s), too
///   slow for `check --all`; with `--old-syn 1` it is Figure 8 again.
/// - RFC 1337 H1 after an assassination (T6 followed by a late octet accepted in the next
///   incarnation) needs two late segments and a fast reconnect: the ablated search passed
///   32 M states in 490 s without a verdict. T6 is shown by the assassination itself
///   (`time-wait-ends-by-timer`).
const LIFECYCLE_ABLATIONS: &[Ablation] = &[
    Ablation {
        mechanism: "congestion-window",
        breaks: "congestion-window",
        also_breaks: &[],
        hides: &["cwnd-limited"],
        reveals: &["window-full", "retransmitted", "duplicate-discarded"],
        reference: "RFC 5681 §3.1; RFC 9293 §3.8.2, MUST-19",
        hazard: "the sender fills the peer's whole window at once, whatever the congestion window says: into a bottleneck, every sender doing so is the congestion collapse of 1986",
        bounds: CONGESTION,
    },
    Ablation {
        mechanism: "sack-scoreboard",
        breaks: "sack-respected",
        also_breaks: &[],
        hides: &[],
        reveals: &[],
        reference: "RFC 6675 §4, §5.1; RFC 2018 §1, §5",
        hazard: "a sender that ignores the SACK blocks resends, after a loss, text the receiver has reported holding: the retransmissions SACK exists to spare take the bandwidth from the holes",
        bounds: SACK,
    },
    Ablation {
        mechanism: "paws",
        breaks: "ordered-delivery",
        also_breaks: &["complete-delivery"],
        hides: &["paws-rejected"],
        reveals: &[],
        reference: "RFC 7323 §5",
        hazard: "on a fast connection the sequence numbers wrap within a segment's lifetime; an old duplicate of the previous wrap lands inside the window and its text is taken as new",
        bounds: OLD_WRAP,
    },
    Ablation {
        mechanism: "reassembly-bound",
        breaks: "queued-within-window",
        also_breaks: &[],
        hides: &[],
        reveals: &[],
        reference: "RFC 9293 §3.8.6, §3.10.7.4",
        hazard: "an out-of-order octet duplicated by the network is held once per copy, so the \
                 queue can outgrow the window offered (issue 17: 248 MB held on one connection)",
        bounds: Bounds {
            bytes: Some(2),
            incarnations: Some(1),
            losses: Some(0),
            dups: Some(1),
            delays: Some(0),
            ..Bounds::NONE
        },
    },
    Ablation {
        mechanism: "rto-restart",
        breaks: "retransmission-timer-armed",
        also_breaks: &[],
        hides: &[],
        reveals: &[],
        reference: "RFC 6298 §5.3",
        hazard: "an ACK of the text stops the timer while the FIN is still unacknowledged; \
                 the FIN is lost and never sent again",
        bounds: Bounds {
            incarnations: Some(1),
            losses: Some(1),
            delays: Some(0),
            ..Bounds::NONE
        },
    },
    Ablation {
        mechanism: "time-wait",
        breaks: "retransmitted-fin-acknowledged",
        also_breaks: &["graceful-close"],
        hides: &["time-wait", "time-wait-rst-ignored"],
        reveals: &[],
        reference: "RFC 9293 §3.6, MUST-13",
        hazard: "the last ACK is lost; the peer's retransmitted FIN meets a RST",
        bounds: Bounds {
            incarnations: Some(1),
            losses: Some(1),
            delays: Some(0),
            ..Bounds::NONE
        },
    },
    Ablation {
        mechanism: "time-wait-2msl",
        breaks: "no-stale-data",
        also_breaks: &[
            "ordered-delivery",
            "complete-delivery",
            "graceful-close",
            "retransmitted-fin-acknowledged",
        ],
        hides: &[],
        reveals: &[],
        reference: "RFC 9293 §3.4.1, §3.6; RFC 1337 H1",
        hazard: "a client that outruns its ISN clock reconnects after a TIME-WAIT shorter than a segment's lifetime; a delayed octet of incarnation 1 is delivered in incarnation 2",
        bounds: Bounds {
            incarnations: Some(2),
            losses: Some(0),
            dups: Some(0),
            delays: Some(1),
            fast_reconnect: Some(1),
            ..Bounds::NONE
        },
    },
    Ablation {
        mechanism: "segment-acceptability",
        breaks: "ordered-delivery",
        also_breaks: &[
            "no-stale-data",
            "complete-delivery",
            "graceful-close",
            "handshake-acks-isn-plus-one",
            "retransmitted-fin-acknowledged",
        ],
        hides: &["reassembled", "duplicate-discarded"],
        reveals: &[],
        reference: "RFC 9293 §3.10.7.4 Table 6",
        hazard: "without the acceptability test an old or duplicate segment is taken as new",
        bounds: Bounds {
            losses: Some(1),
            delays: Some(0),
            ..Bounds::NONE
        },
    },
    Ablation {
        mechanism: "reassembly",
        breaks: "ordered-delivery",
        also_breaks: &["complete-delivery", "handshake-acks-isn-plus-one"],
        hides: &["reassembled"],
        reveals: &[],
        reference: "RFC 9293 §3.10.7.4 (seventh step)",
        hazard: "out-of-order text is handed to the application as it arrives",
        bounds: Bounds {
            bytes: Some(2),
            incarnations: Some(1),
            losses: Some(0),
            delays: Some(0),
            ..Bounds::NONE
        },
    },
    Ablation {
        mechanism: "isn-clock",
        breaks: "graceful-close",
        also_breaks: &[],
        hides: &["challenge-ack"],
        reveals: &[],
        reference: "RFC 9293 §3.4.1, MUST-8",
        hazard: "with one ISN for every incarnation, the reopened passive closer takes an old SYN,ACK and opens a half-connection",
        bounds: Bounds {
            losses: Some(1),
            delays: Some(0),
            ..Bounds::NONE
        },
    },
    Ablation {
        mechanism: "syn-sent-reset",
        breaks: "synchronized-isns",
        also_breaks: &[
            "ordered-delivery",
            "complete-delivery",
            "graceful-close",
            "retransmitted-fin-acknowledged",
        ],
        hides: &[],
        reveals: &[],
        reference: "RFC 9293 §3.10.7.3; Figure 8 lines 3-5",
        hazard: "A's SYN-SENT accepts the SYN,ACK B sent for an old duplicate SYN within its window; B then takes A's ACK as completing the old handshake, and the two are ESTABLISHED on different ISNs",
        bounds: OLD_SYN,
    },
    Ablation {
        mechanism: "syn-data-held",
        breaks: "ordered-delivery",
        also_breaks: &[
            "complete-delivery",
            "handshake-acks-isn-plus-one",
            "synchronized-isns",
        ],
        hides: &[],
        reveals: &[],
        reference: "RFC 9293 §3.10.7.2, §3.5",
        hazard: "text on an old duplicate SYN is delivered and acknowledged at once; the SYN,ACK then acknowledges old ISN + 2, which is the new ISS + 1, so A accepts it and both are ESTABLISHED on different ISNs",
        bounds: OLD_SYN,
    },
    Ablation {
        mechanism: "rst-validation",
        breaks: "graceful-close",
        also_breaks: &["retransmitted-fin-acknowledged"],
        hides: &["challenge-ack"],
        reveals: &[],
        reference: "RFC 5961 §3; RFC 9293 §3.10.7.4 (second step)",
        hazard: "a blind attacker's RST that merely lands in the window resets the connection",
        bounds: ATTACKER,
    },
    Ablation {
        mechanism: "ack-of-unsent-data",
        breaks: "ordered-delivery",
        also_breaks: &[
            "complete-delivery",
            "graceful-close",
            "retransmitted-fin-acknowledged",
        ],
        hides: &[],
        reveals: &["old-syn-rejected"],
        reference: "RFC 9293 §3.10.7.4 (fifth step); RFC 5961 §5",
        hazard: "a blind attacker's text whose ACK acknowledges data never sent is taken, and its octet delivered",
        bounds: ATTACKER,
    },
    Ablation {
        mechanism: "rst-in-time-wait-ignored",
        breaks: "time-wait-ends-by-timer",
        also_breaks: &["graceful-close"],
        hides: &["time-wait-rst-ignored"],
        reveals: &[],
        reference: "RFC 1337 Figure 1, fix F1; RFC 9293 §3.6, MUST-13",
        hazard: "a late duplicate reaches TIME-WAIT, its ACK draws a RST from the closed peer, and the RST assassinates TIME-WAIT before 2*MSL",
        bounds: Bounds {
            incarnations: Some(1),
            losses: Some(0),
            delays: Some(1),
            ..Bounds::NONE
        },
    },
];

const HANDSHAKE_ABLATIONS: &[Ablation] = &[
    Ablation {
        mechanism: "three-way-handshake",
        breaks: "no-bogus-connection",
        also_breaks: &["handshake-acks-isn-plus-one"],
        hides: &["old-syn-rejected"],
        reveals: &[],
        reference: "RFC 9293 §3.5 Figure 8; Dalal & Sunshine 1978",
        hazard: "a listener that trusts a SYN alone is opened by an old duplicate SYN",
        bounds: Bounds::NONE,
    },
    Ablation {
        mechanism: "syn-sent-reset",
        breaks: "synchronized-isns",
        also_breaks: &["no-bogus-connection", "handshake-completes"],
        hides: &[],
        reveals: &[],
        reference: "RFC 9293 §3.10.7.3; Figure 8 lines 3-5",
        hazard: "an active opener that accepts a SYN,ACK for an old SYN pairs with a bogus IRS",
        bounds: Bounds::NONE,
    },
    Ablation {
        mechanism: "syn-sequence-number",
        breaks: "handshake-acks-isn-plus-one",
        also_breaks: &["handshake-completes"],
        hides: &["both-established", "syn-retransmitted"],
        reveals: &[],
        reference: "RFC 9293 §3.3.1, §3.4 Figure 6",
        hazard: "a SYN that occupies no sequence number is acknowledged with ISN, not ISN+1, \
                 and the acknowledgment cannot be told from 'nothing acknowledged'",
        bounds: Bounds::NONE,
    },
    Ablation {
        mechanism: "simultaneous-open",
        breaks: "handshake-completes",
        also_breaks: &[],
        hides: &["simultaneous-open"],
        reveals: &[],
        reference: "RFC 9293 §3.5 Figure 7, MUST-10",
        hazard: "two active opens whose SYNs cross never establish",
        bounds: Bounds::NONE,
    },
    Ablation {
        mechanism: "syn-received-origin",
        breaks: "open-origin-respected",
        also_breaks: &["handshake-completes"],
        hides: &[],
        reveals: &[],
        reference: "RFC 9293 §3.10.7.4 Note 1, MUST-11",
        hazard: "a RST sends an active opener to LISTEN",
        bounds: Bounds::NONE,
    },
];

/// Not registered here: `time-wait-restart` (T7). In this model's timing (an RTO shorter than
/// a tick) every retransmission of the peer's FIN reaches TIME-WAIT within one MSL of the
/// first, so the restart of 2·MSL is never what saves the close; it matters when the peer's
/// RTO approaches MSL. The checker confirms it: without the restart every property holds.
const CLOSE_ABLATIONS: &[Ablation] = &[
    Ablation {
        mechanism: "time-wait",
        breaks: "graceful-close",
        also_breaks: &["close-completes", "retransmitted-fin-acknowledged"],
        hides: &["time-wait", "time-wait-reacks-fin"],
        reveals: &[],
        reference: "RFC 9293 §3.6, MUST-13",
        hazard: "the last ACK is lost; the peer's retransmitted FIN meets a RST",
        bounds: Bounds::NONE,
    },
    Ablation {
        mechanism: "closing-state",
        breaks: "graceful-close",
        also_breaks: &["close-completes", "retransmitted-fin-acknowledged"],
        hides: &["closing"],
        reveals: &[],
        reference: "RFC 9293 §3.6 Figure 13",
        hazard: "without CLOSING, a simultaneous close stalls until the connection times out",
        bounds: Bounds::NONE,
    },
    Ablation {
        mechanism: "fin-wait-1-fin-ack",
        breaks: "close-completes",
        also_breaks: &["graceful-close"],
        hides: &[],
        reveals: &[],
        reference: "RFC 9293 §3.10.7.4 (FIN-WAIT-1, eighth step)",
        hazard: "a FIN that also acknowledges ours leads to CLOSING, which then waits forever",
        bounds: Bounds::NONE,
    },
    Ablation {
        mechanism: "retransmit-after-fin-received",
        breaks: "close-completes",
        also_breaks: &["retransmission-timer-armed", "graceful-close"],
        hides: &[],
        reveals: &[],
        reference: "RFC 9293 §3.10.8; a bug once found in a formal TCP model",
        hazard: "a lost FIN from LAST-ACK is never retransmitted; the peer waits in FIN-WAIT-2",
        bounds: Bounds::NONE,
    },
];
