//! Captures of our own stack: two hosts over the in-memory Ethernet link, recorded where each
//! host puts its frames on the link (so the link's faults happen after the capture point).

use super::common::*;
use super::mutate::*;
use tcpip_spec::capture::{Capture, SplitConfig};
use tcpip_spec::conform::{Kind, Profile, Verdict};
use tcpip_spec::stack::link::Faults;
use tcpip_spec::stack::pcap;
use tcpip_spec::tcp::{Ctl, State};

/// A connects to B:80, sends `up` octets while B sends `down`, A closes, then B; then A sends
/// a UDP datagram to B's closed port 9. The pcap file.
pub fn transfer(faults: Faults, seed: u64, up: usize, down: usize) -> Vec<u8> {
    let mut p = pair(faults, seed, true);
    p.capture = Some(Vec::new());
    let (c, s) = connect(&mut p);
    let (mut tx, mut rx) = (
        Sender {
            data: pattern(up, 1),
            sent: 0,
        },
        Sender {
            data: pattern(down, 2),
            sent: 0,
        },
    );
    let (mut at_b, mut at_a) = (Vec::new(), Vec::new());
    assert!(p.run_until(LIMIT, |p| {
        tx.pump(&mut p.a, p.now, c);
        rx.pump(&mut p.b, p.now, s);
        drain(&mut p.b, p.now, s, &mut at_b);
        drain(&mut p.a, p.now, c, &mut at_a);
        at_b.len() == up && at_a.len() == down
    }));
    p.a.tcp_close(p.now, c);
    assert!(p.run_until(LIMIT, |p| p.b.tcp_state(s) == Some(State::CloseWait)));
    p.b.tcp_close(p.now, s);
    assert!(p.run_until(LIMIT, |p| p.a.tcp_state(c) == Some(State::TimeWait)));
    let udp = p.a.udp_bind(5000).unwrap();
    assert!(p.a.udp_send_to(p.now, udp, sock(B, 9), b"nobody"));
    assert!(p.run_until(LIMIT, |p| p.a.counters().icmp_ignored == 1));
    pcap::to_bytes(pcap::LinkType::Ethernet, p.capture.as_ref().unwrap())
}

/// A connects to B:80, sends a little, and aborts.
fn aborted() -> Vec<u8> {
    let mut p = pair(Faults::clean(ms(5)), 7, true);
    p.capture = Some(Vec::new());
    let (c, s) = connect(&mut p);
    let mut got = Vec::new();
    p.a.tcp_send(p.now, c, b"hello");
    assert!(p.run_until(LIMIT, |p| {
        drain(&mut p.b, p.now, s, &mut got);
        got.len() == 5
    }));
    p.a.tcp_abort(p.now, c);
    assert!(p.run_until(LIMIT, |p| {
        p.b.tcp_state(s).is_none_or(|st| st == State::Closed)
    }));
    pcap::to_bytes(pcap::LinkType::Ethernet, p.capture.as_ref().unwrap())
}

#[test]
fn a_clean_transfer_and_close_conforms_with_no_profile() {
    let file = transfer(Faults::clean(ms(5)), 1, 30_000, 8_000);
    let r = assert_conforms(&file, Profile::Strict);
    let tcp: Vec<_> = r.endpoints.iter().filter(|e| e.kind == Kind::Tcp).collect();
    assert_eq!(tcp.len(), 2);
    let names = |i: usize| -> Vec<&str> { tcp[i].states.iter().map(|s| s.name()).collect() };
    assert_eq!(
        names(0),
        [
            "CLOSED",
            "SYN-SENT",
            "ESTABLISHED",
            "FIN-WAIT-1",
            "FIN-WAIT-2",
            "TIME-WAIT"
        ]
    );
    assert_eq!(
        names(1),
        [
            "CLOSED",
            "LISTEN",
            "SYN-RECEIVED",
            "ESTABLISHED",
            "CLOSE-WAIT",
            "LAST-ACK",
            "CLOSED"
        ]
    );
    // ARP, TCP and UDP (with the port unreachable) are all there and judged.
    for kind in [Kind::Arp, Kind::Udp] {
        assert!(r.endpoints.iter().any(|e| e.kind == kind), "{}", show(&r));
    }
}

#[test]
fn lossy_transfers_conform_with_no_profile() {
    for seed in 1..=3 {
        let faults = Faults {
            loss: 0.03,
            ..Faults::clean(ms(5))
        };
        let file = transfer(faults, seed, 40_000, 4_000);
        assert_conforms(&file, Profile::Strict);
    }
}

#[test]
fn an_abort_conforms_with_no_profile() {
    let file = aborted();
    let r = assert_conforms(&file, Profile::Strict);
    let a = r.endpoints.iter().find(|e| e.kind == Kind::Tcp).unwrap();
    assert!(a.allowances.is_empty());
    assert_eq!(a.states.last(), Some(&State::Closed));
}

/// The first segment of `from`'s side matching `pick`, after the handshake.
fn find(file: &[u8], from_client: bool, pick: impl Fn(&Seen) -> bool) -> Seen {
    let segs = segments(file);
    let client = segs[0].src;
    segs.into_iter()
        .find(|s| (s.src == client) == from_client && pick(s))
        .expect("no such segment")
}

#[test]
fn a_wrong_acknowledgment_is_rejected_at_its_frame() {
    let file = transfer(Faults::clean(ms(5)), 1, 30_000, 8_000);
    let ack = find(&file, false, |s| s.flags == Ctl::ACK && s.len == 0);
    let r = judge(
        &mutate(&file, ack.frame, Mutation::AddAck(1000)),
        Profile::Strict,
    );
    assert_eq!(first_violation(&r), Some(ack.frame), "{}", show(&r));
    let v = r.endpoints.iter().find_map(|e| match &e.verdict {
        Verdict::Violates(v) => Some(v.rule.clone()),
        _ => None,
    });
    assert!(v.unwrap().contains("§3.10.7.4"));
}

#[test]
fn a_wrong_acknowledgment_on_the_syn_ack_is_rejected() {
    let file = transfer(Faults::clean(ms(5)), 1, 3_000, 0);
    let syn_ack = find(&file, false, |s| s.flags == Ctl::SYN | Ctl::ACK);
    let r = judge(
        &mutate(&file, syn_ack.frame, Mutation::AddAck(1)),
        Profile::Strict,
    );
    assert_eq!(first_violation(&r), Some(syn_ack.frame), "{}", show(&r));
}

#[test]
fn a_shrunk_window_is_rejected_at_its_frame() {
    let file = transfer(Faults::clean(ms(5)), 1, 30_000, 8_000);
    let segs = segments(&file);
    let server = segs[1].src;
    let acks: Vec<_> = segs
        .iter()
        .filter(|s| s.src == server && s.flags.ack() && !s.flags.syn())
        .collect();
    let victim = acks[2];
    let r = judge(
        &mutate(&file, victim.frame, Mutation::Window(0)),
        Profile::Strict,
    );
    assert_eq!(first_violation(&r), Some(victim.frame), "{}", show(&r));
}

#[test]
fn a_fin_dropped_whose_acknowledgment_remains_is_rejected_at_that_acknowledgment() {
    let file = transfer(Faults::clean(ms(5)), 1, 3_000, 1_000);
    let fin = find(&file, true, |s| s.flags.fin());
    let fin_end = fin.seq.wrapping_add(fin.len as u32).wrapping_add(1);
    let acked = find(&file, false, |s| s.frame > fin.frame && s.ack == fin_end);
    let r = judge(
        &mutate(&file, fin.frame, Mutation::ClearFlags(0x01)),
        Profile::Strict,
    );
    assert_eq!(first_violation(&r), Some(acked.frame), "{}", show(&r));
}

#[test]
fn a_rst_out_of_window_is_rejected() {
    let file = aborted();
    let rst = find(&file, true, |s| s.flags.rst());
    let r = judge(
        &mutate(&file, rst.frame, Mutation::AddSeq(1 << 20)),
        Profile::Strict,
    );
    assert_eq!(first_violation(&r), Some(rst.frame), "{}", show(&r));
}

#[test]
fn a_corrupted_checksum_is_a_recorded_fact_not_a_violation() {
    let file = transfer(Faults::clean(ms(5)), 1, 3_000, 1_000);
    let data = find(&file, true, |s| s.len > 0);
    let r = judge(
        &mutate(&file, data.frame, Mutation::Checksum),
        Profile::Strict,
    );
    assert_eq!(r.summary.bad_checksums, 1);
    assert_eq!(first_violation(&r), None, "{}", show(&r));
}

#[test]
fn transfers_with_loss_duplication_and_reordering_never_violate() {
    // Reordering multiplies the candidates (which arrival overtook which): the search may
    // outgrow its budget and say so, but must never call our own stack a violator.
    let mut judged = 0;
    for seed in 1..=3 {
        let file = transfer(Faults::lossy(ms(5), 0.02), seed, 40_000, 4_000);
        let r = judge(&file, Profile::Strict);
        assert_eq!(first_violation(&r), None, "{}", show(&r));
        judged += r
            .endpoints
            .iter()
            .filter(|e| e.verdict == Verdict::Conforms)
            .count();
    }
    assert!(judged >= 3 * 5, "most endpoints are judged");
}

#[test]
fn changed_retransmitted_text_is_rejected_at_the_retransmission() {
    // A lossy run has retransmissions: text sent a second time at a sequence number.
    let faults = Faults {
        loss: 0.03,
        ..Faults::clean(ms(5))
    };
    let file = transfer(faults, 1, 40_000, 4_000);
    let segs = segments(&file);
    let retransmission = segs
        .iter()
        .enumerate()
        .find(|(i, s)| {
            s.len > 0
                && segs[..*i]
                    .iter()
                    .any(|e| e.src == s.src && e.seq == s.seq && e.len == s.len)
        })
        .map(|(_, s)| s.clone())
        .expect("a retransmission");
    let r = judge(
        &mutate(&file, retransmission.frame, Mutation::Text),
        Profile::Strict,
    );
    assert_eq!(
        first_violation(&r),
        Some(retransmission.frame),
        "{}",
        show(&r)
    );
    let rule = r.endpoints.iter().find_map(|e| match &e.verdict {
        Verdict::Violates(v) => Some(v.rule.clone()),
        _ => None,
    });
    assert!(rule.unwrap().contains("§3.8.1"), "{}", show(&r));
}

#[test]
fn text_after_a_fin_is_rejected() {
    // A FIN set on the client's first text segment: the text after it breaks §3.10.4.
    let file = transfer(Faults::clean(ms(5)), 1, 30_000, 0);
    let first = find(&file, true, |s| s.len > 0);
    let next = find(&file, true, |s| s.len > 0 && s.frame > first.frame);
    let r = judge(
        &mutate(&file, first.frame, Mutation::SetFlags(0x01)),
        Profile::Strict,
    );
    let client = r
        .endpoints
        .iter()
        .find(|e| e.kind == Kind::Tcp)
        .expect("the client");
    match &client.verdict {
        Verdict::Violates(v) => {
            assert_eq!(v.frame, next.frame, "{}", show(&r));
            assert!(v.rule.contains("§3.10.4"), "{}", show(&r));
        }
        other => panic!("{other:?}\n{}", show(&r)),
    }
}

#[test]
fn a_capture_that_starts_mid_connection_cannot_be_judged_and_says_why() {
    let file = transfer(Faults::clean(ms(5)), 1, 3_000, 1_000);
    let handshake: Vec<u64> = segments(&file)
        .iter()
        .filter(|s| s.flags.syn())
        .map(|s| s.frame)
        .collect();
    let cut = without_frames(&file, |n| handshake.contains(&n));
    let r = judge(&cut, Profile::Strict);
    let tcp: Vec<_> = r.endpoints.iter().filter(|e| e.kind == Kind::Tcp).collect();
    assert_eq!(tcp.len(), 2);
    for e in tcp {
        match &e.verdict {
            Verdict::CannotJudge(why) => assert!(why.contains("mid-connection"), "{why}"),
            other => panic!("{other:?}"),
        }
    }
    assert!(r.conforms(), "cannot judge is not a violation");
}

#[test]
fn a_search_cut_to_its_budget_says_so_rather_than_calling_a_violation() {
    // A budget of one candidate on captures with loss and reordering: whatever the search
    // keeps, a segment it cannot explain is "cannot judge", never "violates".
    for seed in 1..=3 {
        let file = transfer(Faults::lossy(ms(5), 0.02), seed, 40_000, 4_000);
        let split = tcpip_spec::capture::Conversations::read(
            tcpip_spec::capture::Capture::from_bytes(&file).unwrap(),
            tcpip_spec::capture::SplitConfig::default(),
        )
        .unwrap();
        let r = tcpip_spec::conform::judge(
            &split,
            tcpip_spec::conform::Options {
                profile: Profile::Strict,
                budget: 1,
            },
        );
        assert_eq!(first_violation(&r), None, "{}", show(&r));
    }
}

#[test]
fn a_simultaneous_open_and_close_conform_with_no_profile() {
    // Both hosts open to each other at once (RFC 9293 §3.5 Figure 7), exchange a little,
    // and close at once (Figure 13).
    let mut p = pair(Faults::clean(ms(5)), 3, true);
    p.capture = Some(Vec::new());
    // ARP first, so that both SYNs leave at the same instant and cross.
    let udp = p.a.udp_bind(4000).unwrap();
    assert!(p.a.udp_send_to(p.now, udp, sock(B, 9), b"arp"));
    assert!(p.run_until(LIMIT, |p| p.a.counters().icmp_ignored == 1));
    let a = p.a.tcp_connect_from(p.now, 5000, sock(B, 6000)).unwrap();
    let b = p.b.tcp_connect_from(p.now, 6000, sock(A, 5000)).unwrap();
    let est = Some(State::Established);
    assert!(p.run_until(LIMIT, |p| p.a.tcp_state(a) == est
        && p.b.tcp_state(b) == est));
    p.a.tcp_send(p.now, a, b"ping");
    p.b.tcp_send(p.now, b, b"pong");
    let (mut at_a, mut at_b) = (Vec::new(), Vec::new());
    assert!(p.run_until(LIMIT, |p| {
        drain(&mut p.a, p.now, a, &mut at_a);
        drain(&mut p.b, p.now, b, &mut at_b);
        at_a.len() == 4 && at_b.len() == 4
    }));
    p.a.tcp_close(p.now, a);
    p.b.tcp_close(p.now, b);
    let tw = Some(State::TimeWait);
    assert!(p.run_until(LIMIT, |p| p.a.tcp_state(a) == tw && p.b.tcp_state(b) == tw));
    let file = pcap::to_bytes(pcap::LinkType::Ethernet, p.capture.as_ref().unwrap());
    let r = assert_conforms(&file, Profile::Strict);
    for e in r.endpoints.iter().filter(|e| e.kind == Kind::Tcp) {
        let names: Vec<&str> = e.states.iter().map(|s| s.name()).collect();
        assert_eq!(
            names,
            [
                "CLOSED",
                "SYN-SENT",
                "SYN-RECEIVED",
                "ESTABLISHED",
                "FIN-WAIT-1",
                "CLOSING",
                "TIME-WAIT"
            ],
            "{}",
            e.endpoint
        );
    }
}

#[test]
fn judging_the_capture_as_it_streams_gives_the_judgment_of_the_whole() {
    // `judge_capture` (what the command line runs: frame by frame, each connection let go
    // when it is over) and `judge` over the conversations split in memory agree, endpoint
    // for endpoint and in order: on clean, lossy and aborted captures, and on a violation.
    let clean = transfer(Faults::clean(ms(5)), 1, 30_000, 8_000);
    let ack = find(&clean, false, |s| s.flags == Ctl::ACK && s.len == 0);
    let mut files = vec![
        aborted(),
        mutate(&clean, ack.frame, Mutation::AddAck(1000)),
        clean,
    ];
    for seed in 1..=2 {
        files.push(transfer(Faults::lossy(ms(5), 0.02), seed, 20_000, 2_000));
    }
    for file in &files {
        for profile in [Profile::Strict, Profile::Linux] {
            let whole = judge(file, profile);
            let streamed = tcpip_spec::conform::judge_capture(
                tcpip_spec::capture::Capture::from_bytes(file).unwrap(),
                tcpip_spec::conform::Options {
                    profile,
                    ..Default::default()
                },
            )
            .unwrap();
            assert_eq!(streamed, whole, "{}", show(&whole));
        }
    }
}

/// The pcap records of `file` (little-endian, as our writer makes them): (frame, bytes).
fn records(file: &[u8]) -> Vec<(u64, Vec<u8>)> {
    let mut out = Vec::new();
    let (mut at, mut n) = (24, 0);
    while at + 16 <= file.len() {
        let caplen = u32::from_le_bytes(file[at + 8..at + 12].try_into().unwrap()) as usize;
        n += 1;
        out.push((n, file[at..at + 16 + caplen].to_vec()));
        at += 16 + caplen;
    }
    out
}

/// `record` captured `secs` seconds later.
fn later(record: &[u8], secs: u32) -> Vec<u8> {
    let mut r = record.to_vec();
    let t = u32::from_le_bytes(r[..4].try_into().unwrap()) + secs;
    r[..4].copy_from_slice(&t.to_le_bytes());
    r
}

#[test]
fn a_segment_after_its_connection_was_let_go_cannot_be_judged_as_it_streams() {
    // An aborted connection (ended by its RST), then 300 s of quiet (more than 2·MSL), a
    // frame of another conversation, and a copy of the connection's last segment: the
    // streaming judge has let the connection go, and says it cannot judge that segment's
    // sender rather than judging it against nothing.
    let file = aborted();
    let tcp: Vec<u64> = segments(&file).iter().map(|s| s.frame).collect();
    let last = *tcp.last().unwrap();
    let recs = records(&file);
    let other = recs
        .iter()
        .find(|(n, _)| !tcp.contains(n))
        .expect("an ARP frame");
    let mut longer = file.clone();
    longer.extend(later(&other.1, 300));
    longer.extend(later(&recs[last as usize - 1].1, 301));
    let stray = recs.len() as u64 + 2;
    let whole = judge(&file, Profile::Strict);
    let r = tcpip_spec::conform::judge_capture(
        tcpip_spec::capture::Capture::from_bytes(&longer).unwrap(),
        Default::default(),
    )
    .unwrap();
    let tcp_ends = |r: &tcpip_spec::conform::Report| -> Vec<_> {
        r.endpoints
            .iter()
            .filter(|e| e.kind == Kind::Tcp)
            .cloned()
            .collect()
    };
    let (before, after) = (tcp_ends(&whole), tcp_ends(&r));
    let changed: Vec<_> = before
        .iter()
        .zip(&after)
        .filter(|(b, a)| b != a)
        .map(|(_, a)| a.clone())
        .collect();
    assert_eq!(changed.len(), 1, "{}", show(&r));
    let Verdict::CannotJudge(why) = &changed[0].verdict else {
        panic!("{}", show(&r));
    };
    assert!(
        why.contains(&format!("frame {stray}")) && why.contains("let go"),
        "{why}"
    );
}

#[test]
fn a_wrong_acknowledgment_late_in_a_long_transfer_is_not_called_a_violation_on_a_partial_search() {
    // The common path advances each candidate by its one deterministic continuation and
    // drops the alternatives a full search would keep; when nothing explains a segment, the
    // full search runs again from a checkpoint a few hundred events back. Late in a long
    // transfer that checkpoint is not the first event, so runs that parted from the common
    // path earlier were never searched: the judge says it cannot judge, and why, rather than
    // calling a violation it has not shown. Early in the transfer the same mutation is a
    // violation at its frame.
    let file = transfer(Faults::clean(ms(5)), 1, 3_000_000, 2_000);
    let acks: Vec<Seen> = segments(&file)
        .into_iter()
        .filter(|s| s.flags == Ctl::ACK && s.len == 0 && s.src != segments(&file)[0].src)
        .collect();
    assert!(acks.len() > 300, "a long transfer: {} ACKs", acks.len());
    let late = &acks[acks.len() - 20];
    let r = judge(
        &mutate(&file, late.frame, Mutation::ClearFlags(0x10)),
        Profile::Strict,
    );
    assert_eq!(first_violation(&r), None, "{}", show(&r));
    let why = r
        .endpoints
        .iter()
        .find_map(|e| match &e.verdict {
            Verdict::CannotJudge(why) => Some(why.clone()),
            _ => None,
        })
        .expect("the receiver cannot be judged");
    assert!(
        why.contains(&format!("no run explains frame {}", late.frame)),
        "{why}"
    );
    assert!(why.contains("were not searched"), "{why}");
    let early = &acks[0];
    let r = judge(
        &mutate(&file, early.frame, Mutation::ClearFlags(0x10)),
        Profile::Strict,
    );
    assert_eq!(first_violation(&r), Some(early.frame), "{}", show(&r));
}

#[test]
fn what_the_streaming_judge_holds_follows_recent_capture_time_not_the_capture_length() {
    // Twelve copies of a transfer (TCP from a new client port each time, a UDP datagram to a
    // closed port answered by ICMP, ARP), four hours apart: each copy's conversations are
    // judged and let go, and the splitter forgets them three hours later, so what the
    // judging holds after each later copy is no more than after the first three; and every
    // endpoint is judged as when the capture is split in memory.
    let file = transfer(Faults::clean(ms(5)), 1, 2_000, 500);
    let segs = segments(&file);
    let client = segs[0].src;
    let per_copy = records(&file).len();
    let mut longer = file[..24].to_vec();
    for k in 0..12u32 {
        let port = 40_000 + k as u16;
        let mut copy = file.clone();
        for s in &segs {
            let from_client = s.src == client;
            copy = edit_frame(&copy, s.frame, |ip| {
                let tcp = usize::from(ip[0] & 0x0f) * 4;
                let at = if from_client { tcp } else { tcp + 2 };
                ip[at..at + 2].copy_from_slice(&port.to_be_bytes());
            });
        }
        for (_, r) in records(&copy) {
            longer.extend(later(&r, k * 4 * 3600));
        }
    }
    let options = tcpip_spec::conform::Options::default();
    let mut judging = tcpip_spec::conform::Judging::new(options, SplitConfig::default());
    let mut held = Vec::new();
    for (i, frame) in Capture::from_bytes(&longer).unwrap().enumerate() {
        judging.push(frame.unwrap());
        if (i + 1) % per_copy == 0 {
            held.push(judging.held());
        }
    }
    let streamed = judging.finish();
    assert_eq!(held.len(), 12);
    let (flows, live) = held[..3]
        .iter()
        .fold((0, 0), |(f, l), h| (f.max(h.0), l.max(h.1)));
    assert!(
        held[3..].iter().all(|h| h.0 <= flows && h.1 <= live),
        "{held:?}"
    );
    // In memory, the twelve ARP exchanges and UDP flows are one each; streamed, each copy's
    // opens anew once the last was forgotten. The TCP judgments are the same.
    let whole = judge(&longer, Profile::Strict);
    let tcp = |r: &tcpip_spec::conform::Report| -> Vec<_> {
        r.endpoints
            .iter()
            .filter(|e| e.kind == Kind::Tcp)
            .map(|e| (e.endpoint.clone(), e.verdict.clone(), e.states.clone()))
            .collect()
    };
    assert_eq!(tcp(&streamed).len(), 24);
    assert_eq!(tcp(&streamed), tcp(&whole));
    assert!(streamed.endpoints.len() > whole.endpoints.len());
    assert!(
        streamed
            .endpoints
            .iter()
            .all(|e| e.verdict == Verdict::Conforms),
        "{}",
        show(&streamed)
    );
}
