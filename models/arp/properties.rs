//! The properties of the `arp` model and its registry entry.

use super::{ArpModel, B_HW, MAX_PENDING, World, a_entry, fact};
use crate::arp::{self, Entry};
use crate::models::runner::RunOptions;
use crate::models::table::{self, Prop};
use crate::models::{Ablation, Kind, ModelSpec, run_spec};

fn has(w: &World, f: u16) -> bool {
    w.facts & f != 0
}

/// The properties.
pub const PROPS: &[Prop<ArpModel>] = &[
    Prop {
        kind: Kind::Always,
        name: "frames-reach-owner",
        meaning: "against an attacker whose forged replies arrive while A has no entry for B \
                  (replies nobody asked for), every IP packet for B leaves A addressed to B's \
                  hardware address; the racing attacker is outside this claim",
        condition: |_, w| w.racing || w.transmitted.iter().all(|(_, hw)| *hw == B_HW),
    },
    Prop {
        kind: Kind::Always,
        name: "pending-queue-bounded",
        meaning: "at most two packets wait for B's address (RFC 1122 §2.3.2.2)",
        condition: |_, w| match a_entry(w) {
            Some(Entry::Incomplete { pending, .. }) => pending.len() <= MAX_PENDING,
            _ => true,
        },
    },
    Prop {
        kind: Kind::Sometimes,
        name: "resolved",
        meaning: "A's cache holds B's real hardware address",
        condition: |_, w| matches!(a_entry(w), Some(Entry::Resolved { hw: B_HW, .. })),
    },
    Prop {
        kind: Kind::Sometimes,
        name: "queued-while-resolving",
        meaning: "A's application sends again while B's address is being resolved; both \
                  queued packets go to B when B's reply arrives",
        condition: |_, w| has(w, fact::QUEUED_SENT),
    },
    Prop {
        kind: Kind::Sometimes,
        name: "retry-sent",
        meaning: "A re-sends its request when no reply came in time",
        condition: |_, w| has(w, fact::RETRY_SENT),
    },
    Prop {
        kind: Kind::Sometimes,
        name: "oldest-dropped-when-full",
        meaning: "a third packet for an unresolved address pushes the oldest out of the queue",
        condition: |_, w| has(w, fact::QUEUE_FULL_DROP),
    },
    Prop {
        kind: Kind::Sometimes,
        name: "resolution-failed",
        meaning: "every request went unanswered; A gives up and drops the queued packets",
        condition: |_, w| has(w, fact::RESOLUTION_FAILED),
    },
    Prop {
        kind: Kind::Sometimes,
        name: "unsolicited-reply-ignored",
        meaning: "the attacker's reply arrives while A has no entry for B and creates none",
        condition: |_, w| has(w, fact::UNSOLICITED_IGNORED),
    },
    Prop {
        kind: Kind::Sometimes,
        name: "poisoned-during-resolution",
        meaning: "a forged reply racing B's arrives while A's entry is incomplete and is taken \
                  as the answer: A sends B's queued packets to M (RFC 826 cannot prevent it)",
        condition: |_, w| has(w, fact::POISONED_INCOMPLETE),
    },
    Prop {
        kind: Kind::Sometimes,
        name: "poisoned-resolved-entry",
        meaning: "a forged reply overwrites A's resolved entry for B through RFC 826's merge",
        condition: |_, w| has(w, fact::POISONED_RESOLVED),
    },
    Prop {
        kind: Kind::Sometimes,
        name: "poisoned-by-forged-request",
        meaning: "a forged request addressed to A makes A cache B's address at M",
        condition: |_, w| has(w, fact::POISONED_BY_REQUEST),
    },
];

fn model(without: &[&'static str]) -> ArpModel {
    ArpModel {
        mech: arp::Mechanisms {
            ignore_unsolicited_replies: !without.contains(&"ignore-unsolicited-replies"),
            bounded_pending_queue: !without.contains(&"bounded-pending-queue"),
        },
    }
}

/// The registry entry.
pub const SPEC: ModelSpec = ModelSpec {
    name: "arp",
    summary: "RFC 826 / RFC 1122 §2.3.2: A resolves B with queueing, retry and give-up while \
              an attacker forges replies and requests (cache poisoning and its limits)",
    properties: || table::infos(PROPS),
    ablations: &[
        Ablation {
            mechanism: "ignore-unsolicited-replies",
            breaks: "frames-reach-owner",
            also_breaks: &[],
            hides: &["unsolicited-reply-ignored"],
            reveals: &[],
            reference: "RFC 826 (Packet Reception, the merge); Bruschi et al.",
            hazard: "a reply nobody asked for creates the entry: B's traffic goes to the attacker",
            bounds: crate::models::Bounds::NONE,
        },
        Ablation {
            mechanism: "bounded-pending-queue",
            breaks: "pending-queue-bounded",
            also_breaks: &[],
            hides: &["oldest-dropped-when-full"],
            reveals: &[],
            reference: "RFC 1122 §2.3.2.2",
            hazard: "packets for an unresolved address pile up without bound",
            bounds: crate::models::Bounds::NONE,
        },
    ],
    expect_violated: &[],
    bounds: &[],
    premises: crate::models::any_bounds,
    check: |without, _, opts: RunOptions| {
        run_spec(
            &SPEC,
            without,
            crate::models::Bounds::NONE,
            model(without),
            opts,
        )
    },
};
