//! The TCP models: exhaustive, as expected, state counts pinned, and every registered ablation
//! producing its counterexample.

use tcpip_spec::models::runner::{CheckReport, Outcome, RunOptions};
use tcpip_spec::models::{Bounds, Kind, find, registry};

fn quiet() -> RunOptions {
    RunOptions {
        threads: 2,
        progress: false,
        ..Default::default()
    }
}

/// The model's default bounds with these set by name.
fn bounds_with(set: &[(&str, u8)]) -> Bounds {
    let mut b = Bounds::NONE;
    for (name, v) in set {
        assert!(b.set_by_name(name, *v), "unknown bound {name}");
    }
    b
}

fn check(model: &str, without: &[&'static str]) -> CheckReport {
    let spec = find(model).expect("registered");
    let bounds = match without {
        [one] => spec.ablation(one).map_or(Bounds::NONE, |a| a.bounds),
        _ => Bounds::NONE,
    };
    (spec.check)(without, bounds, quiet())
}

fn property<'a>(r: &'a CheckReport, name: &str) -> &'a tcpip_spec::models::runner::PropertyReport {
    r.properties
        .iter()
        .find(|p| p.name == name)
        .expect("property reported")
}

#[test]
fn tcp_handshake_is_exhaustive_and_every_property_as_expected() {
    let r = check("tcp-handshake", &[]);
    assert!(r.exhaustive);
    assert!(r.as_expected, "{r:#?}");
    assert_eq!(r.unique_states, 17_259, "the handshake state space changed");
}

#[test]
fn tcp_close_is_exhaustive_and_every_property_as_expected() {
    let r = check("tcp-close", &[]);
    assert!(r.exhaustive);
    assert!(r.as_expected, "{r:#?}");
    assert_eq!(r.unique_states, 134_403, "the close state space changed");
}

/// Every property's verdict, by name.
fn verdicts(r: &CheckReport) -> Vec<(&'static str, Outcome)> {
    r.properties.iter().map(|p| (p.name, p.outcome)).collect()
}

/// The reduced and the unreduced model agree: the same verdict for every property, and the
/// reduced model is no larger. Returns both state counts and whether both runs were as
/// the registry expects.
fn reduction_agrees(model: &str, without: &[&'static str], bounds: Bounds) -> (usize, usize, bool) {
    let spec = find(model).expect("registered");
    let reduced = (spec.check)(without, bounds, quiet());
    let full = (spec.check)(
        without,
        bounds,
        RunOptions {
            reduce: false,
            ..quiet()
        },
    );
    let what = format!("{model} --without {without:?} at {}", bounds.text());
    assert!(reduced.exhaustive && full.exhaustive, "{what}");
    assert!(reduced.reduced && !full.reduced, "{what}");
    assert_eq!(verdicts(&reduced), verdicts(&full), "{what}");
    assert_eq!(reduced.as_expected, full.as_expected, "{what}");
    assert!(reduced.unique_states <= full.unique_states, "{what}");
    (
        reduced.unique_states,
        full.unique_states,
        reduced.as_expected,
    )
}

#[test]
fn the_reductions_keep_every_verdict_of_the_handshake_and_the_close() {
    // Both models duplicate (dups 1): duplication on delivery is in force.
    // Every registered ablation still finds its counterexample in the reduced model.
    for model in ["tcp-handshake", "tcp-close"] {
        let spec = find(model).expect("registered");
        for a in spec.ablations {
            let (_, _, as_expected) = reduction_agrees(model, &[a.mechanism], a.bounds);
            assert!(as_expected, "{model} --without {}", a.mechanism);
        }
    }
    assert_eq!(
        reduction_agrees("tcp-close", &[], Bounds::NONE),
        (134_403, 240_420, true),
        "the close state spaces, reduced and not"
    );
    assert_eq!(
        reduction_agrees("tcp-handshake", &[], Bounds::NONE),
        (17_259, 20_257, true),
        "the handshake state spaces, reduced and not"
    );
}

#[test]
fn the_reductions_keep_every_verdict_of_the_lifecycle_with_duplication() {
    // Two incarnations over a network that duplicates and reorders (1.8 M states unreduced),
    // with every mechanism and without `reassembly`, whose hazard duplicates bring about.
    // (Every other ablation runs reduced in `check --all`, as expected: tests/cli.rs.)
    let two = bounds_with(&[("losses", 0), ("dups", 1), ("delays", 0)]);
    let (reduced, full, as_expected) = reduction_agrees("tcp-lifecycle", &[], two);
    assert!(as_expected, "as the registry expects");
    assert_eq!((reduced, full), (1_214_560, 1_805_570));
    reduction_agrees("tcp-lifecycle", &["reassembly"], two);
}

#[test]
fn the_untimed_fingerprint_keeps_every_verdict_of_the_lifecycle_and_its_ablations() {
    // `Reductions::untimed` identifies states that differ only in timing values the model
    // never reads (the RTO estimator, the RTT sampler, deadlines but TIME-WAIT's). Timers
    // matter most with loss and delay: one incarnation over a network that loses and delays
    // (timeouts, backoff, TIME-WAIT against a late segment).
    let bounds = bounds_with(&[
        ("incarnations", 1),
        ("losses", 1),
        ("dups", 0),
        ("delays", 1),
    ]);
    let (reduced, full, as_expected) = reduction_agrees("tcp-lifecycle", &[], bounds);
    assert!(as_expected, "as the registry expects");
    assert_eq!((reduced, full), (1_660_240, 2_846_098));
    // Every registered ablation of the lifecycle at its own bounds, reduced and not: the same
    // verdicts, each counterexample found in both (`reassembly-bound`, over 16 M states
    // unreduced, is the one left out here: its ablation runs reduced in `check --all`).
    let spec = find("tcp-lifecycle").expect("registered");
    for a in spec.ablations {
        if a.mechanism == "reassembly-bound" {
            continue;
        }
        let (_, _, as_expected) = reduction_agrees("tcp-lifecycle", &[a.mechanism], a.bounds);
        assert!(as_expected, "tcp-lifecycle --without {}", a.mechanism);
    }
}

#[test]
fn tcp_lifecycle_is_exhaustive_and_every_property_as_expected() {
    // The default bounds: 1 octet each way, 2 incarnations, 1 loss, 1 delay.
    let r = check("tcp-lifecycle", &[]);
    assert!(r.exhaustive);
    assert!(r.as_expected, "{r:#?}");
    assert_eq!(
        r.unique_states, 11_325_825,
        "the lifecycle state space changed"
    );
}

#[test]
fn one_incarnation_over_a_network_that_loses_duplicates_and_delays_is_as_expected() {
    // The three faults together (issue 16): the default bounds with duplication take 146 M
    // states (`cargo bench --bench models`); one incarnation of them, 19 M, runs here.
    let spec = find("tcp-lifecycle").expect("registered");
    let bounds = bounds_with(&[
        ("incarnations", 1),
        ("losses", 1),
        ("dups", 1),
        ("delays", 1),
    ]);
    let r = (spec.check)(&[], bounds, quiet());
    assert!(r.exhaustive);
    assert!(r.as_expected, "{r:#?}");
    assert_eq!(r.unique_states, 19_095_830, "the state space changed");
}

#[test]
fn with_a_fast_reconnecting_client_time_wait_alone_keeps_old_text_out() {
    // RFC 1337's setting (the bounds of the T5 ablation): A outruns its ISN clock, closes
    // first and reconnects as soon as TIME-WAIT ends. With 2·MSL every property holds.
    let spec = find("tcp-lifecycle").expect("registered");
    let bounds = spec.ablation("time-wait-2msl").expect("registered").bounds;
    assert_eq!(bounds.fast_reconnect, Some(1));
    let r = (spec.check)(&[], bounds, quiet());
    assert!(r.exhaustive && r.as_expected, "{r:#?}");
    assert_eq!(
        r.unique_states, 429_109,
        "the fast-reconnect state space changed"
    );
}

#[test]
fn with_a_short_time_wait_a_late_octet_of_incarnation_1_is_delivered_in_incarnation_2() {
    // T5 (RFC 9293 §3.4.1, RFC 1337 H1): TIME-WAIT shorter than a segment's lifetime.
    let r = check("tcp-lifecycle", &["time-wait-2msl"]);
    assert!(r.exhaustive && r.as_expected, "{r:#?}");
    let p = property(&r, "no-stale-data");
    assert_eq!(p.outcome, Outcome::Violated);
    let ladder = p.ladder.as_ref().unwrap().join("\n");
    let lines: Vec<&str> = ladder.lines().collect();
    let reopened = lines
        .iter()
        .rposition(|l| l.contains("A: user calls OPEN (active)"))
        .expect("A reopens");
    let stale = ladder
        .lines()
        .position(|l| l.contains("in incarnation 2: text of A's incarnation 1"))
        .expect("an octet of incarnation 1 delivered in incarnation 2");
    assert!(reopened < stale, "{ladder}");
    assert!(
        ladder.lines().any(|l| l.contains("(network delays")),
        "the stale octet is a delayed segment: {ladder}"
    );
}

#[test]
fn without_time_wait_the_lifecycle_shows_the_lost_last_ack_and_the_rst() {
    // RFC 9293 §3.6: the last ACK is lost, the peer's retransmitted FIN meets a deleted TCB.
    let r = check("tcp-lifecycle", &["time-wait"]);
    let p = property(&r, "retransmitted-fin-acknowledged");
    let ladder = p.ladder.as_ref().unwrap().join("\n");
    let lost = ladder
        .lines()
        .position(|l| l.contains("<CTL=ACK> (lost)"))
        .expect("an ACK lost");
    let rst = ladder
        .lines()
        .position(|l| l.contains("<CTL=RST>"))
        .expect("a RST");
    assert!(lost < rst, "{ladder}");
    assert!(
        ladder.lines().skip(lost).any(|l| l.contains("FIN,ACK")),
        "{ladder}"
    );
}

#[test]
fn every_tcp_ablation_breaks_what_it_is_registered_to_break() {
    for name in ["tcp-handshake", "tcp-close", "tcp-lifecycle"] {
        let spec = find(name).unwrap();
        for a in spec.ablations {
            let r = check(name, &[a.mechanism]);
            assert!(r.exhaustive, "{name} --without {}", a.mechanism);
            assert!(r.as_expected, "{name} --without {}: {r:#?}", a.mechanism);
            for broken in std::iter::once(&a.breaks).chain(a.also_breaks) {
                let p = property(&r, broken);
                assert_eq!(
                    p.outcome,
                    Outcome::Violated,
                    "{name} --without {}",
                    a.mechanism
                );
                let steps = p.counterexample.as_ref().expect("a counterexample");
                assert!(!steps.is_empty());
            }
        }
    }
}

#[test]
fn every_always_property_of_every_model_is_broken_by_a_registered_ablation() {
    for spec in registry() {
        for p in (spec.properties)()
            .iter()
            .filter(|p| p.kind == Kind::Always)
        {
            let breakers: Vec<_> = spec
                .ablations
                .iter()
                .filter(|a| a.breaks == p.name || a.also_breaks.contains(&p.name))
                .collect();
            let base_violated =
                spec.expected(&[], Bounds::NONE, p.name, Kind::Always) == Outcome::Violated;
            assert!(
                base_violated || !breakers.is_empty(),
                "{}: always-property {} has no ablation that breaks it",
                spec.name,
                p.name
            );
        }
    }
}

#[test]
fn without_the_three_way_handshake_an_old_syn_opens_a_bogus_connection() {
    // RFC 9293 §3.5 Figure 8: the listener trusts the old duplicate SYN.
    let r = check("tcp-handshake", &["three-way-handshake"]);
    let p = property(&r, "no-bogus-connection");
    let ladder = p.ladder.as_ref().unwrap().join("\n");
    let delivery = ladder
        .lines()
        .find(|l| l.contains("(old) -->"))
        .expect("old SYN delivered");
    assert!(delivery.trim_end().ends_with("ESTABLISHED"), "{ladder}");
    assert_eq!(
        p.counterexample.as_ref().unwrap().len(),
        1,
        "shortest: one delivery"
    );
}

#[test]
fn without_time_wait_a_segment_still_in_flight_resets_the_peer() {
    // RFC 9293 §3.6: a segment still in flight (the shortest path: B's ACK, reordered behind
    // its FIN) reaches an endpoint that has already deleted its TCB and draws a RST, which
    // resets B in LAST-ACK. With TIME-WAIT the same segment is merely acknowledged.
    let r = check("tcp-close", &["time-wait"]);
    let p = property(&r, "graceful-close");
    let ladder = p.ladder.as_ref().unwrap().join("\n");
    let rst = ladder
        .lines()
        .position(|l| l.contains("<CTL=RST> -->"))
        .expect("RST delivered");
    let last = ladder.lines().nth(rst).unwrap();
    assert!(last.trim_end().ends_with("CLOSED"), "{ladder}");
    assert!(
        ladder.lines().take(rst).any(|l| l.contains("LAST-ACK")),
        "{ladder}"
    );
}

#[test]
fn without_syn_sequence_number_the_syn_ack_acknowledges_isn_not_isn_plus_one() {
    let r = check("tcp-handshake", &["syn-sequence-number"]);
    let p = property(&r, "handshake-acks-isn-plus-one");
    let ladder = p.ladder.as_ref().unwrap().join("\n");
    // The SYN,ACK acknowledges the very number of the SYN it answers, not that number + 1.
    let numbers = |marker: &str, field: &str| -> Vec<String> {
        ladder
            .lines()
            .filter(|l| l.contains(marker))
            .filter_map(|l| l.split(field).nth(1)?.split('>').next().map(str::to_string))
            .collect()
    };
    let syns = numbers("<CTL=SYN>", "<SEQ=");
    let acks = numbers("<CTL=SYN,ACK>", "<ACK=");
    assert!(acks.iter().any(|a| syns.contains(a)), "{ladder}");
}

#[test]
fn the_full_lifecycle_holds_at_every_ablations_bounds() {
    // The control of each lifecycle ablation: at the very bounds the ablation runs at, the
    // full protocol keeps every always-property and reaches every premise those bounds allow,
    // so each counterexample is the mechanism's doing, not the bounds'. What an ablation
    // hides must be reachable at its bounds; what it reveals must not be.
    let spec = find("tcp-lifecycle").expect("registered");
    for a in spec.ablations {
        let r = (spec.check)(&[], a.bounds, quiet());
        assert!(r.exhaustive, "control of {}", a.mechanism);
        assert!(r.as_expected, "control of {}: {r:#?}", a.mechanism);
        for hidden in a.hides {
            assert!(
                (spec.premises)(hidden, a.bounds),
                "{} hides {hidden}, which its bounds already rule out",
                a.mechanism
            );
        }
        for revealed in a.reveals {
            assert!(
                !(spec.premises)(revealed, a.bounds),
                "{} reveals {revealed}, which its bounds allow anyway",
                a.mechanism
            );
        }
    }
}

/// The numbered lines of a ladder: one per step, without the in-flight annotations.
fn step_lines(ladder: &str) -> Vec<&str> {
    ladder
        .lines()
        .filter(|l| l.starts_with(|c: char| c.is_ascii_digit()))
        .collect()
}

fn ladder_of(model: &str, without: &'static str, property_name: &str) -> String {
    let r = check(model, &[without]);
    let p = property(&r, property_name);
    assert_eq!(p.outcome, Outcome::Violated, "--without {without}");
    p.ladder.as_ref().expect("a ladder").join("\n")
}

#[test]
fn without_syn_sent_reset_an_old_syn_leaves_the_lifecycle_established_on_different_isns() {
    // RFC 9293 Figure 8 inside the lifecycle (`--old-syn 1`): B answers the old SYN, A
    // accepts that SYN,ACK instead of resetting it, and B takes A's ACK as the end of the old
    // handshake. The last line has both ESTABLISHED.
    let ladder = ladder_of("tcp-lifecycle", "syn-sent-reset", "synchronized-isns");
    let steps = step_lines(&ladder);
    let old = steps
        .iter()
        .position(|l| l.contains("<CTL=SYN><DATA=z> (old) -->"))
        .expect("the old SYN delivered");
    let syn_ack = steps
        .iter()
        .position(|l| l.contains("<CTL=SYN,ACK> <--") && l.contains("ESTABLISHED"))
        .expect("A takes the SYN,ACK of the old SYN");
    assert!(old < syn_ack, "{ladder}");
    let last = steps.last().unwrap();
    assert_eq!(
        last.matches("ESTABLISHED").count(),
        2,
        "both end ESTABLISHED: {ladder}"
    );
}

#[test]
fn without_rst_validation_a_forged_in_window_rst_resets_the_connection() {
    // RFC 5961 §3: the forged RST is in the window but not exact; with the check it draws a
    // challenge ACK, without it the victim is reset.
    let ladder = ladder_of("tcp-lifecycle", "rst-validation", "graceful-close");
    let forged = ladder
        .lines()
        .find(|l| l.contains("<CTL=RST> (forged)"))
        .expect("a forged RST delivered");
    assert!(forged.contains("CLOSED"), "{ladder}");
}

#[test]
fn without_the_ack_of_unsent_data_check_a_forged_octet_is_delivered() {
    // RFC 9293 §3.10.7.4 fifth step, RFC 5961 §5: the forged text acknowledges data never
    // sent; with the check it is answered with an ACK and dropped.
    let ladder = ladder_of("tcp-lifecycle", "ack-of-unsent-data", "ordered-delivery");
    let forged = ladder
        .lines()
        .position(|l| l.contains("<DATA=X> (forged)"))
        .expect("the forged text delivered");
    let received = ladder
        .lines()
        .position(|l| l.contains("user receives \"X\""))
        .expect("its octet reaches a user");
    assert_eq!(received, forged + 1, "{ladder}");
}

#[test]
fn without_rfc_1337_f1_a_late_segment_assassinates_time_wait() {
    // RFC 1337 Figure 1: a late segment reaches TIME-WAIT, its ACK meets the closed peer,
    // which answers with a RST, and the RST ends TIME-WAIT before its 2*MSL.
    let ladder = ladder_of(
        "tcp-lifecycle",
        "rst-in-time-wait-ignored",
        "time-wait-ends-by-timer",
    );
    let steps = step_lines(&ladder);
    let [.., before, last] = steps.as_slice() else {
        panic!("{ladder}")
    };
    assert!(last.contains("<CTL=RST> <--"), "{ladder}");
    assert!(last[4..].trim_start().starts_with("CLOSED"), "{ladder}");
    assert!(
        before[4..].trim_start().starts_with("TIME-WAIT"),
        "{ladder}"
    );
    assert!(!ladder.contains("TIME-WAIT timer expires"), "{ladder}");
}

#[test]
fn with_three_incarnations_a_refused_reconnect_does_not_confuse_whose_text_is_whose() {
    // A's SYN can meet B between its close and its next LISTEN: A is refused and opens again,
    // so A has counted one OPEN more than B. Text is judged by connection (the incarnation
    // whose SYN each side synchronized on), so every property holds.
    let spec = find("tcp-lifecycle").expect("registered");
    let bounds = bounds_with(&[("incarnations", 3), ("losses", 0), ("delays", 0)]);
    let r = (spec.check)(&[], bounds, quiet());
    assert!(r.exhaustive && r.as_expected, "{r:#?}");
    assert_eq!(property(&r, "reconnect-refused").outcome, Outcome::Found);
    assert_eq!(
        r.unique_states, 288_748,
        "the three-incarnation state space changed"
    );
}

#[test]
fn the_full_lifecycle_is_as_expected_across_a_grid_of_small_bounds() {
    // One or two incarnations; no fault, or one loss, duplication or delay; plain, with
    // Figure 8's old SYN, or with one forgery. Every always-property holds and every
    // sometimes-property is found exactly where `premises` says the bounds allow it. The seven
    // combinations that take over 5 s (2.7 M to 26 M states) are left to users
    // (`check tcp-lifecycle --incarnations 2 --delays 1 --forgeries 1`, 26 M states, 80 s).
    const LARGE: [(u8, &str, u8, Option<&str>); 7] = [
        (1, "delays", 1, Some("forgeries")),
        (2, "losses", 1, Some("forgeries")),
        (2, "dups", 1, Some("old-syn")),
        (2, "dups", 1, Some("forgeries")),
        (2, "delays", 1, None),
        (2, "delays", 1, Some("old-syn")),
        (2, "delays", 1, Some("forgeries")),
    ];
    let spec = find("tcp-lifecycle").expect("registered");
    let faults = [("losses", 0), ("losses", 1), ("dups", 1), ("delays", 1)];
    let extras = [None, Some(("old-syn", 1)), Some(("forgeries", 1))];
    let mut runs = 0;
    for incarnations in [1, 2] {
        for (fault, n) in faults {
            for extra in extras {
                let extra_name = extra.map(|(e, _)| e);
                if LARGE.contains(&(incarnations, fault, n, extra_name)) {
                    continue;
                }
                let mut b = Bounds::NONE;
                for (name, v) in [("incarnations", incarnations), ("losses", 0), ("delays", 0)]
                    .into_iter()
                    .chain([(fault, n)])
                    .chain(extra)
                {
                    assert!(b.set_by_name(name, v));
                }
                let r = (spec.check)(&[], b, quiet());
                assert!(r.exhaustive && r.as_expected, "{}: {r:#?}", b.text());
                runs += 1;
            }
        }
    }
    assert_eq!(runs, 17);
}

#[test]
fn without_the_sack_scoreboard_the_sender_resends_text_the_receiver_reported_holding() {
    // RFC 6675 §4 / RFC 2018: A sends three octets, two are lost, B SACKs the one it holds.
    // With its scoreboard A resends only the holes (`sack-retransmit` found, `sack-respected`
    // holds, 1.5 M states); ignoring the blocks, it resends the octet inside a block B sent.
    let spec = find("tcp-lifecycle").expect("registered");
    let bounds = spec.ablation("sack-scoreboard").unwrap().bounds;
    let full = (spec.check)(&[], bounds, quiet());
    assert!(full.exhaustive && full.as_expected, "{full:#?}");
    assert_eq!(
        full.unique_states, 1_524_737,
        "the SACK lifecycle's state space changed"
    );
    assert_eq!(property(&full, "sack-retransmit").outcome, Outcome::Found);
    let ladder = ladder_of("tcp-lifecycle", "sack-scoreboard", "sack-respected");
    // The block B sent, then A resending an octet inside it.
    let block = ladder
        .lines()
        .find_map(|l| l.split("<SACK=").nth(1)?.split('>').next())
        .expect("a SACK block in the ladder");
    let (left, right) = block.split_once('-').unwrap();
    let (left, right): (u32, u32) = (left.parse().unwrap(), right.parse().unwrap());
    let resent = step_lines(&ladder).len();
    let last_sends: Vec<u32> = ladder
        .lines()
        .rev()
        .take_while(|l| !l.starts_with(|c: char| c.is_ascii_digit()))
        .filter(|l| l.contains("<DATA="))
        .filter_map(|l| l.split("<SEQ=").nth(1)?.split('>').next()?.parse().ok())
        .collect();
    assert!(
        last_sends
            .iter()
            .any(|s| s.wrapping_sub(left) < right.wrapping_sub(left)),
        "the last step resends text inside {block} ({resent} steps):\n{ladder}"
    );
}
