//! The internet-layer models (udp, ip, icmp, arp): every run exhaustive and as expected, state
//! counts pinned, every registered ablation producing its counterexample, and the findings the
//! seed claims rest on read off the counterexamples themselves.

use tcpip_spec::models::runner::{CheckReport, Outcome, PropertyReport, RunOptions};
use tcpip_spec::models::{Bounds, Kind, find};

fn check(model: &str, without: &[&'static str]) -> CheckReport {
    let spec = find(model).expect("registered");
    (spec.check)(
        without,
        Default::default(),
        RunOptions {
            threads: 1,
            progress: false,
            ..Default::default()
        },
    )
}

fn property<'a>(r: &'a CheckReport, name: &str) -> &'a PropertyReport {
    r.properties
        .iter()
        .find(|p| p.name == name)
        .expect("property reported")
}

fn ladder(r: &CheckReport, name: &str) -> String {
    property(r, name)
        .ladder
        .as_ref()
        .expect("a counterexample")
        .join("\n")
}

/// Every run of each model: (mechanisms off, unique states).
const RUNS: &[(&str, &[&str], usize)] = &[
    ("udp", &[], 45_507),
    ("udp", &["discard-bad-checksum"], 54_420),
    ("ip", &[], 169),
    ("ip", &["ttl"], 167),
    ("ip", &["deliver-by-address"], 24),
    ("icmp", &[], 657),
    ("icmp", &["match-echo-ident-seq"], 667),
    ("icmp", &["no-error-about-error"], 658),
    ("arp", &[], 16_963),
    ("arp", &["ignore-unsolicited-replies"], 13_103),
    ("arp", &["bounded-pending-queue"], 16_815),
];

#[test]
fn every_run_is_exhaustive_as_expected_and_of_the_pinned_size() {
    for &(model, without, states) in RUNS {
        let r = check(model, without);
        assert!(r.exhaustive, "{model} {without:?}");
        assert!(r.as_expected, "{model} {without:?}: {r:#?}");
        assert_eq!(
            r.unique_states, states,
            "{model} {without:?}: the state space changed"
        );
    }
}

#[test]
fn every_ablation_is_pinned_and_breaks_what_it_is_registered_to_break() {
    for model in ["udp", "ip", "icmp", "arp"] {
        let spec = find(model).unwrap();
        assert!(!spec.ablations.is_empty());
        for a in spec.ablations {
            assert!(
                RUNS.iter()
                    .any(|(m, w, _)| *m == model && *w == [a.mechanism]),
                "{model} --without {} has no pinned state count",
                a.mechanism
            );
            let r = check(model, &[a.mechanism]);
            for broken in std::iter::once(&a.breaks).chain(a.also_breaks) {
                let p = property(&r, broken);
                assert_eq!(
                    p.outcome,
                    Outcome::Violated,
                    "{model} --without {}",
                    a.mechanism
                );
                let steps = p.counterexample.as_ref().expect("a counterexample");
                assert!(!steps.is_empty() && steps.iter().all(|s| !s.is_empty()));
            }
        }
    }
}

#[test]
fn every_sometimes_property_is_found_in_the_base_models() {
    for model in ["udp", "ip", "icmp", "arp"] {
        let r = check(model, &[]);
        for p in r.properties.iter().filter(|p| p.kind == Kind::Sometimes) {
            assert_eq!(p.outcome, Outcome::Found, "{model}: {}", p.name);
        }
    }
}

/// The datagram numbers B's socket gets, in order, read off a udp trace.
fn received_by_b(ladder: &str) -> Vec<u32> {
    ladder
        .lines()
        .filter(|l| l.contains("B's socket on port 7 gets it"))
        .filter_map(|l| {
            let rest = l.split("B accepts datagram ").nth(1)?;
            rest.split(' ').next()?.parse().ok()
        })
        .collect()
}

#[test]
fn udp_does_not_deliver_in_order_and_the_counterexample_shows_the_overtaking() {
    // Claim S10: the in-order claim fails in the full model, with every mechanism on.
    let r = check("udp", &[]);
    assert!(r.as_expected);
    let p = property(&r, "in-order");
    assert_eq!(
        (p.expected, p.outcome),
        (Outcome::Violated, Outcome::Violated)
    );
    let ladder = ladder(&r, "in-order");
    let got = received_by_b(&ladder);
    assert!(
        got.windows(2).any(|w| w[0] > w[1]),
        "no reordering in:\n{ladder}"
    );
    // The one that arrives late took the long route, through R2.
    let late = got.last().unwrap();
    assert!(
        ladder.contains(&format!("R2 forwards datagram {late} of 3 to B")),
        "{ladder}"
    );
}

#[test]
fn udp_without_the_checksum_discard_delivers_a_corrupted_datagram() {
    let r = check("udp", &["discard-bad-checksum"]);
    let ladder = ladder(&r, "datagram-integrity");
    assert!(ladder.contains("flips a bit"), "{ladder}");
    assert!(
        ladder.contains("(corrupted) for B; B's socket on port 7 gets it"),
        "{ladder}"
    );
}

#[test]
fn ip_without_ttl_a_datagram_circles_the_loop() {
    // Hazard I1: the counterexample crosses R1 -> R2 -> R1 -> R2 with the TTL never falling.
    let r = check("ip", &["ttl"]);
    let ladder = ladder(&r, "no-endless-forwarding");
    assert!(ladder.contains("routing loop"), "{ladder}");
    let r1 = ladder.matches("R1 forwards datagram 1").count();
    let r2 = ladder.matches("R2 forwards datagram 1").count();
    assert!(r1 >= 2 && r2 >= 2, "{ladder}");
    assert!(ladder.contains("with TTL 4 (link 5 for it)"), "{ladder}");
}

#[test]
fn ip_without_delivery_by_address_a_router_takes_a_datagram_for_b() {
    let r = check("ip", &["deliver-by-address"]);
    let ladder = ladder(&r, "delivered-to-owner");
    assert!(
        ladder.contains("R1 accepts datagram 1 (TTL 4) for B"),
        "{ladder}"
    );
}

#[test]
fn icmp_without_ident_and_seq_a_reply_is_matched_to_the_wrong_request() {
    let r = check("icmp", &["match-echo-ident-seq"]);
    let ladder = ladder(&r, "echo-matched");
    assert!(
        ladder
            .contains("Echo Reply <ID=0x77><SEQ=2> for A; A's client matches it to request SEQ=1"),
        "{ladder}"
    );
}

#[test]
fn icmp_without_the_no_error_about_error_rule_an_error_begets_an_error() {
    let r = check("icmp", &["no-error-about-error"]);
    let ladder = ladder(&r, "bounded-error-traffic");
    assert!(
        ladder.contains("R2 drops ICMP net unreachable about an Echo Request")
            && ladder.contains("sends ICMP net unreachable about an ICMP error"),
        "{ladder}"
    );
}

#[test]
fn arp_without_ignoring_unsolicited_replies_the_cache_is_poisoned() {
    // Hazard A1: a reply nobody asked for creates B's entry at the attacker's address.
    let r = check("arp", &["ignore-unsolicited-replies"]);
    let ladder = ladder(&r, "frames-reach-owner");
    assert!(ladder.contains("M forges a reply"), "{ladder}");
    assert!(
        ladder.contains("transmits IP packet 1 to M's MAC"),
        "{ladder}"
    );
}

#[test]
fn arp_poisoning_races_that_rfc_826_cannot_prevent_are_found_with_every_mechanism_on() {
    let r = check("arp", &[]);
    for name in [
        "poisoned-during-resolution",
        "poisoned-resolved-entry",
        "poisoned-by-forged-request",
    ] {
        assert_eq!(property(&r, name).outcome, Outcome::Found, "{name}");
    }
}

#[test]
fn arp_without_a_bound_the_queue_grows_past_it() {
    let r = check("arp", &["bounded-pending-queue"]);
    let ladder = ladder(&r, "pending-queue-bounded");
    assert!(
        ladder.contains("3 packet(s) wait for B's address"),
        "{ladder}"
    );
}

#[test]
fn the_udp_models_checksum_is_the_wire_codecs_and_catches_the_flipped_bit() {
    use std::net::Ipv4Addr;
    use tcpip_spec::models::udp::{FLIPPED_BIT, computed_checksum, datagram};
    use tcpip_spec::udp::{self, ChecksumVerdict, transmitted_checksum, verify_checksum};
    use tcpip_spec::wire;
    let (a, b) = (Ipv4Addr::new(10, 0, 1, 10), Ipv4Addr::new(10, 0, 3, 20));
    let d = datagram(2);
    let field = transmitted_checksum(Some(computed_checksum(a, b, &d)));
    let repr = wire::udp::Repr {
        src_port: d.src_port,
        dst_port: d.dst_port,
        payload_len: 2,
    };
    let bytes = repr.to_bytes(&d.payload.to_be_bytes(), a, b);
    assert_eq!(
        wire::udp::Packet::new_checked(&bytes[..])
            .unwrap()
            .checksum(),
        field
    );
    assert_eq!(
        verify_checksum(field, computed_checksum(a, b, &d)),
        ChecksumVerdict::Valid
    );
    let corrupted = udp::Datagram {
        payload: d.payload ^ FLIPPED_BIT,
        ..d
    };
    assert_eq!(
        verify_checksum(field, computed_checksum(a, b, &corrupted)),
        ChecksumVerdict::Invalid
    );
}

#[test]
fn a_base_expectation_of_violated_is_in_the_registry_and_in_list_json() {
    let spec = find("udp").unwrap();
    assert_eq!(spec.expect_violated, ["in-order"]);
    for without in [&[][..], &["discard-bad-checksum"][..]] {
        assert_eq!(
            spec.expected(without, Bounds::NONE, "in-order", Kind::Always),
            Outcome::Violated
        );
    }
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_tcpip-spec"))
        .args(["list", "--json"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let udp = v
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["name"] == "udp")
        .unwrap();
    let props = udp["properties"].as_array().unwrap();
    let in_order = props.iter().find(|p| p["name"] == "in-order").unwrap();
    assert_eq!(in_order["expected"], "violated");
    let integrity = props
        .iter()
        .find(|p| p["name"] == "datagram-integrity")
        .unwrap();
    assert!(integrity.get("expected").is_none());
}
