//! Registry entries of the TCP models: their properties and the ablations each must survive
//! or fail.

use super::properties::{Prop, Scenario};
use super::{LifecycleBounds, TcpModel};
use crate::models::runner::{Render, RunOptions};
use crate::models::{Ablation, ModelSpec, PropertyInfo, run_spec, serve};
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
    check: |without, _, opts: RunOptions| {
        run_spec(
            &HANDSHAKE,
            without,
            TcpModel::handshake(mechanisms(without)),
            opts,
        )
    },
    explore: |without, addr| serve(TcpModel::handshake(mechanisms(without)), addr),
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
    check: |without, _, opts: RunOptions| {
        run_spec(&CLOSE, without, TcpModel::close(mechanisms(without)), opts)
    },
    explore: |without, addr| serve(TcpModel::close(mechanisms(without)), addr),
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
    bounds: &["bytes", "incarnations", "losses", "dups", "delays"],
    check: |without, bounds, opts: RunOptions| {
        let model = TcpModel::lifecycle(mechanisms(without), LifecycleBounds::from(bounds));
        run_spec(&LIFECYCLE, without, model, opts)
    },
    explore: |without, addr| {
        serve(
            TcpModel::lifecycle(mechanisms(without), LifecycleBounds::default()),
            addr,
        )
    },
};

const LIFECYCLE_ABLATIONS: &[Ablation] = &[];

const HANDSHAKE_ABLATIONS: &[Ablation] = &[
    Ablation {
        mechanism: "three-way-handshake",
        breaks: "no-bogus-connection",
        also_breaks: &["handshake-acks-isn-plus-one"],
        hides: &["old-syn-rejected"],
        reference: "RFC 9293 §3.5 Figure 8; Dalal & Sunshine 1978",
        hazard: "a listener that trusts a SYN alone is opened by an old duplicate SYN",
    },
    Ablation {
        mechanism: "syn-sent-reset",
        breaks: "synchronized-isns",
        also_breaks: &["no-bogus-connection", "handshake-completes"],
        hides: &[],
        reference: "RFC 9293 §3.10.7.3; Figure 8 lines 3-5",
        hazard: "an active opener that accepts a SYN,ACK for an old SYN pairs with a bogus IRS",
    },
    Ablation {
        mechanism: "syn-sequence-number",
        breaks: "handshake-acks-isn-plus-one",
        also_breaks: &["handshake-completes"],
        hides: &["both-established", "syn-retransmitted"],
        reference: "RFC 9293 §3.3.1, §3.4 Figure 6",
        hazard: "a SYN that occupies no sequence number is acknowledged with ISN, not ISN+1, \
                 and the acknowledgment cannot be told from 'nothing acknowledged'",
    },
    Ablation {
        mechanism: "simultaneous-open",
        breaks: "handshake-completes",
        also_breaks: &[],
        hides: &["simultaneous-open"],
        reference: "RFC 9293 §3.5 Figure 7, MUST-10",
        hazard: "two active opens whose SYNs cross never establish",
    },
    Ablation {
        mechanism: "syn-received-origin",
        breaks: "open-origin-respected",
        also_breaks: &["handshake-completes"],
        hides: &[],
        reference: "RFC 9293 §3.10.7.4 Note 1, MUST-11",
        hazard: "a RST sends an active opener to LISTEN",
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
        also_breaks: &["close-completes"],
        hides: &["time-wait", "time-wait-reacks-fin"],
        reference: "RFC 9293 §3.6, MUST-13",
        hazard: "the last ACK is lost; the peer's retransmitted FIN meets a RST",
    },
    Ablation {
        mechanism: "closing-state",
        breaks: "graceful-close",
        also_breaks: &["close-completes"],
        hides: &["closing"],
        reference: "RFC 9293 §3.6 Figure 13",
        hazard: "without CLOSING, a simultaneous close stalls until the connection times out",
    },
    Ablation {
        mechanism: "fin-wait-1-fin-ack",
        breaks: "close-completes",
        also_breaks: &["graceful-close"],
        hides: &[],
        reference: "RFC 9293 §3.10.7.4 (FIN-WAIT-1, eighth step)",
        hazard: "a FIN that also acknowledges ours leads to CLOSING, which then waits forever",
    },
    Ablation {
        mechanism: "retransmit-after-fin-received",
        breaks: "close-completes",
        also_breaks: &[],
        hides: &[],
        reference: "RFC 9293 §3.10.8; a bug once found in a formal TCP model",
        hazard: "a lost FIN from LAST-ACK is never retransmitted; the peer waits in FIN-WAIT-2",
    },
];
