//! `tcpip-spec conform` as a user runs it: exit statuses, one-line errors, the JSON schema of
//! docs/json.md.

use super::mutate::*;
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use tcpip_spec::stack::pcap;
use tcpip_spec::tcp::Ctl;

const BIN: &str = env!("CARGO_BIN_EXE_tcpip-spec");

fn run(args: &[&str], file: Option<&[u8]>) -> (Option<i32>, String, String) {
    static RUNS: AtomicUsize = AtomicUsize::new(0);
    let path = std::env::temp_dir().join(format!(
        "conform-cli-{}-{}.pcap",
        std::process::id(),
        RUNS.fetch_add(1, Ordering::Relaxed)
    ));
    let mut cmd = Command::new(BIN);
    cmd.arg("conform").args(args);
    if let Some(bytes) = file {
        std::fs::write(&path, bytes).unwrap();
        cmd.arg(&path);
    }
    let out = cmd.output().unwrap();
    let _ = std::fs::remove_file(&path);
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn capture() -> Vec<u8> {
    super::conform_ours::transfer(
        tcpip_spec::stack::link::Faults::clean(super::common::ms(5)),
        1,
        3_000,
        500,
    )
}

#[test]
fn a_conforming_capture_exits_0_and_its_json_follows_the_schema() {
    let file = capture();
    let (code, out, _) = run(&["--json"], Some(&file));
    assert_eq!(code, Some(0), "{out}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["profile"], "strict");
    assert_eq!(v["conforms"], true);
    let tcp: Vec<_> = v["endpoints"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "tcp")
        .collect();
    assert_eq!(tcp.len(), 2);
    for e in tcp {
        assert_eq!(e["verdict"], "conforms");
        assert!(e["violation"].is_null() && e["reason"].is_null());
        assert_eq!(e["states"][0], "CLOSED");
        assert!(e["sent"].as_u64().unwrap() > 0);
    }
}

#[test]
fn a_violating_capture_exits_1_and_names_frame_rule_and_ladder() {
    let file = capture();
    let segs = segments(&file);
    let server = segs[1].src;
    let ack = segs
        .iter()
        .find(|s| s.src == server && s.flags == Ctl::ACK && s.len == 0)
        .unwrap();
    let bad = mutate(&file, ack.frame, Mutation::AddAck(1000));
    let (code, out, _) = run(&["--json", "--profile", "linux"], Some(&bad));
    assert_eq!(code, Some(1), "{out}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["profile"], "linux");
    let e = v["endpoints"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["verdict"] == "violates")
        .unwrap();
    assert_eq!(e["violation"]["frame"], ack.frame);
    assert!(
        e["violation"]["rule"]
            .as_str()
            .unwrap()
            .starts_with("RFC 9293")
    );
    let ladder = e["ladder"].as_array().unwrap();
    assert!(ladder.last().unwrap().as_str().unwrap().ends_with("<=="));
    let (code, text, _) = run(&[], Some(&bad));
    assert_eq!(code, Some(1));
    assert!(
        text.contains(&format!("violates at frame {}", ack.frame)),
        "{text}"
    );
}

#[test]
fn bad_input_is_one_line_on_stderr_and_exit_2() {
    for (args, file) in [
        (vec![], Some(b"hello, world".to_vec())),
        (
            vec![],
            Some(pcap::to_bytes(pcap::LinkType::RawIp, &[])[..20].to_vec()),
        ),
        (vec!["--profile", "bsd"], Some(capture())),
        (vec!["--strict", "--profile", "linux"], Some(capture())),
        (vec!["/no/such/file.pcap"], None),
    ] {
        let (code, out, err) = run(&args, file.as_deref());
        assert_eq!(code, Some(2), "{args:?}: {err}");
        assert!(out.is_empty(), "{args:?}: {out}");
        assert_eq!(err.trim_end().lines().count(), 1, "{args:?}: {err}");
    }
}
