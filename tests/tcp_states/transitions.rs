//! The state x event table of RFC 9293 §3.10, generated from the code and checked against a
//! reviewed snapshot, `transitions.txt`.
//!
//! Each line reads `STATE  EVENT  -> NEXT-STATE  [segments sent]  events, "text delivered"`.
//! Segment events are built from the TCB's own numbers, so one template fits every state:
//! "RCV.NXT" is the peer's next sequence number (its ISS, 300, before we have its SYN), and
//! "SND.NXT"/"SND.UNA" are ours (101 before we have a TCB). After a deliberate change, review
//! the new table line by line against the RFC, then regenerate it with
//! `UPDATE_SNAPSHOTS=1 cargo test --release --test tcp_states transitions`.

use crate::fixtures::*;
use tcpip_spec::tcp::{Ctl, Outputs, Segment, Seq, State};

/// The numbers a template is built from, read off the fixture's TCB.
struct Nums {
    rcv_nxt: u32,
    irs: u32,
    snd_nxt: u32,
    snd_una: u32,
}

impl Nums {
    fn of(fx: &Fx) -> Nums {
        let t = &fx.tcb;
        let have_syn = !matches!(t.state, State::Closed | State::Listen | State::SynSent);
        let have_tcb = !matches!(t.state, State::Closed | State::Listen);
        let (rcv_nxt, irs) = if have_syn {
            (t.rcv_nxt.0, t.irs.0)
        } else {
            (PEER_ISS, PEER_ISS)
        };
        let (snd_nxt, snd_una) = if have_tcb {
            (t.snd_nxt.0, t.snd_una.0)
        } else {
            (ISS + 1, ISS + 1)
        };
        Nums {
            rcv_nxt,
            irs,
            snd_nxt,
            snd_una,
        }
    }
}

fn seg(seq: u32, ack: u32, ctl: Ctl, data: &[u8]) -> Segment {
    Segment {
        seq: Seq(seq),
        ack: if ctl.has(Ctl::ACK) { Seq(ack) } else { Seq(0) },
        ctl,
        wnd: WND,
        mss: None,
        opt: Default::default(),
        data: data.to_vec(),
    }
}

const A: Ctl = Ctl::ACK;
const S: Ctl = Ctl::SYN;
const F: Ctl = Ctl::FIN;
const R: Ctl = Ctl::RST;

/// Every event kind: segments first (named for what they are relative to the TCB), then the
/// user calls, then the timers.
const EVENTS: &[&str] = &[
    "SYN",
    "SYN@IRS",
    "SYN,ACK",
    "SYN,ACK@IRS",
    "ACK",
    "ACK-dup",
    "ACK-unsent",
    "ACK-out-of-window",
    "FIN",
    "FIN,ACK",
    "FIN,ACK-dup",
    "FIN,ACK@RCV.NXT-1",
    "RST",
    "RST,ACK",
    "RST-in-window",
    "RST-out-of-window",
    "DATA",
    "DATA-old",
    "DATA-beyond-RCV.NXT",
    "DATA-beyond-window",
    "OPEN-passive",
    "OPEN-active",
    "SEND",
    "CLOSE",
    "ABORT",
    "RETRANSMIT-TIMEOUT",
    "TIME-WAIT-TIMEOUT",
];

fn run(fx: &mut Fx, event: &str) -> Outputs {
    let n = Nums::of(fx);
    let (rn, sn) = (n.rcv_nxt, n.snd_nxt);
    let far = beyond_window(rn);
    let segment = match event {
        "SYN" => seg(rn, 0, S, b""),
        "SYN@IRS" => seg(n.irs, 0, S, b""),
        "SYN,ACK" => seg(rn, sn, S | A, b""),
        "SYN,ACK@IRS" => seg(n.irs, sn, S | A, b""),
        "ACK" => seg(rn, sn, A, b""),
        "ACK-dup" => seg(rn, n.snd_una, A, b""),
        "ACK-unsent" => seg(rn, sn.wrapping_add(10), A, b""),
        "ACK-out-of-window" => seg(far, sn, A, b""),
        "FIN" => seg(rn, 0, F, b""),
        "FIN,ACK" => seg(rn, sn, F | A, b""),
        "FIN,ACK-dup" => seg(rn, n.snd_una, F | A, b""),
        "FIN,ACK@RCV.NXT-1" => seg(rn.wrapping_sub(1), sn, F | A, b""),
        "RST" => seg(rn, 0, R, b""),
        "RST,ACK" => seg(rn, sn, R | A, b""),
        "RST-in-window" => seg(rn.wrapping_add(1), 0, R, b""),
        "RST-out-of-window" => seg(far, 0, R, b""),
        "DATA" => seg(rn, sn, A, b"abc"),
        "DATA-old" => seg(rn.wrapping_sub(3), sn, A, b"abc"),
        "DATA-beyond-RCV.NXT" => seg(rn.wrapping_add(10), sn, A, b"abc"),
        "DATA-beyond-window" => seg(far, sn, A, b"abc"),
        "OPEN-passive" => return fx.open_passive(),
        "OPEN-active" => return fx.open_active(ISS),
        "SEND" => return fx.send(b"xyz"),
        "CLOSE" => return fx.close(),
        "ABORT" => return fx.abort(),
        "RETRANSMIT-TIMEOUT" => return fx.retransmit_timeout(),
        "TIME-WAIT-TIMEOUT" => return fx.time_wait_timeout(),
        other => panic!("unknown event {other}"),
    };
    fx.arrive(segment)
}

/// The whole table, one line per (state, event).
fn table() -> String {
    let mut lines = String::new();
    for (name, fixture) in all_states() {
        for event in EVENTS {
            let mut fx = fixture();
            let out = run(&mut fx, event);
            let mut line = format!(
                "{name:<21} {event:<19} -> {:<12} [{}]",
                fx.state().name(),
                segs(&out).join(" ")
            );
            if !out.signals.is_empty() {
                let events: Vec<String> = out.signals.iter().map(|e| format!("{e:?}")).collect();
                line.push_str(&format!("  {}", events.join(", ")));
            }
            if !out.delivered.is_empty() {
                line.push_str(&format!(
                    "  deliver {:?}",
                    String::from_utf8_lossy(&out.delivered)
                ));
            }
            lines.push_str(line.trim_end());
            lines.push('\n');
        }
        lines.push('\n');
    }
    lines
}

// RFC 9293 §3.10 in full: every (state, event) cell against the reviewed snapshot.
#[test]
fn transitions_match_the_reviewed_snapshot() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/tcp_states/transitions.txt"
    );
    let actual = table();
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        std::fs::write(path, &actual).expect("write the snapshot");
        return;
    }
    let expected = std::fs::read_to_string(path).unwrap_or_default();
    if expected != actual {
        let (old, new): (Vec<&str>, Vec<&str>) =
            (expected.lines().collect(), actual.lines().collect());
        let mut diff = String::new();
        for l in old.iter().filter(|l| !new.contains(l)) {
            diff.push_str(&format!("- {l}\n"));
        }
        for l in new.iter().filter(|l| !old.contains(l)) {
            diff.push_str(&format!("+ {l}\n"));
        }
        panic!(
            "the state x event table differs from tests/tcp_states/transitions.txt \
             (- snapshot, + code):\n{diff}\nIf the change is intended, review it against RFC \
             9293 §3.10 and run UPDATE_SNAPSHOTS=1 cargo test --release --test tcp_states \
             transitions"
        );
    }
}

// The table covers every state of §3.3.2 and every event kind once per fixture.
#[test]
fn transitions_cover_every_state_and_event() {
    let t = table();
    let rows = t.lines().filter(|l| !l.is_empty()).count();
    assert_eq!(rows, all_states().len() * EVENTS.len());
    for s in State::ALL {
        assert!(
            t.lines().any(|l| l.starts_with(s.name())),
            "no row for {}",
            s.name()
        );
    }
}
