//! The command-line contract of architecture.md: JSON shapes, exit statuses, one-line errors.

use std::process::{Command, Output};

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tcpip-spec"))
        .args(args)
        .output()
        .expect("binary runs")
}

fn one_line_error(o: &Output) -> String {
    assert_eq!(o.status.code(), Some(2), "usage errors exit 2");
    let err = String::from_utf8_lossy(&o.stderr).to_string();
    assert_eq!(
        err.trim_end().lines().count(),
        1,
        "one line on stderr: {err:?}"
    );
    err
}

#[test]
fn list_json_describes_models_properties_and_ablations() {
    let o = run(&["list", "--json"]);
    assert!(o.status.success());
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let models = v.as_array().unwrap();
    let hs = models
        .iter()
        .find(|m| m["name"] == "tcp-handshake")
        .unwrap();
    assert!(hs["summary"].is_string());
    let props = hs["properties"].as_array().unwrap();
    assert!(
        props
            .iter()
            .any(|p| p["name"] == "no-bogus-connection" && p["kind"] == "always")
    );
    let abl = hs["ablations"].as_array().unwrap();
    assert!(abl.iter().any(|a| a["mechanism"] == "three-way-handshake"
        && a["breaks"] == "no-bogus-connection"
        && a["reference"].as_str().unwrap().contains("RFC 9293")));
}

#[test]
fn check_json_follows_the_contract() {
    let o = run(&["check", "tcp-handshake", "--threads", "1", "--json"]);
    assert_eq!(o.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["model"], "tcp-handshake");
    assert_eq!(v["without"], serde_json::json!([]));
    assert_eq!(v["exhaustive"], true);
    assert_eq!(v["as_expected"], true);
    for key in ["unique_states", "states", "max_depth"] {
        assert!(v[key].as_u64().unwrap() > 0, "{key}");
    }
    assert!(v["seconds"].is_f64());
    let p = &v["properties"][0];
    for key in [
        "name",
        "kind",
        "expected",
        "outcome",
        "as_expected",
        "counterexample",
    ] {
        assert!(p.get(key).is_some(), "{key}");
    }
}

#[test]
fn an_ablation_that_breaks_as_registered_exits_0_and_prints_a_ladder() {
    let o = run(&["check", "tcp-handshake", "--without", "three-way-handshake"]);
    assert_eq!(o.status.code(), Some(0));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.contains("TCP Peer A") && out.contains("TCP Peer B"),
        "{out}"
    );
    assert!(out.contains("<SEQ=300><ACK="), "{out}");
    let o = run(&[
        "check",
        "tcp-handshake",
        "--without",
        "three-way-handshake",
        "--json",
    ]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let p = v["properties"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "no-bogus-connection");
    let p = p.unwrap();
    assert_eq!(p["outcome"], "violated");
    assert_eq!(p["expected"], "violated");
    assert!(!p["counterexample"].as_array().unwrap().is_empty());
}

#[test]
fn check_all_json_is_an_array_with_every_model_and_ablation() {
    let o = run(&["check", "--all", "--json"]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let runs = v.as_array().unwrap();
    let expected: usize = tcpip_spec::models::registry()
        .iter()
        .map(|m| 1 + m.ablations.len())
        .sum();
    assert_eq!(runs.len(), expected);
    assert!(
        runs.iter()
            .all(|r| r["as_expected"] == true && r["exhaustive"] == true)
    );
}

#[test]
fn unknown_model_is_a_one_line_usage_error() {
    let e = one_line_error(&run(&["check", "no-such-model"]));
    assert!(e.contains("unknown model 'no-such-model'"), "{e}");
}

#[test]
fn unknown_mechanism_is_a_one_line_usage_error() {
    let e = one_line_error(&run(&["check", "tcp-close", "--without", "nonsense"]));
    assert!(e.contains("unknown mechanism 'nonsense'"), "{e}");
}

#[test]
fn bad_flags_are_one_line_usage_errors() {
    one_line_error(&run(&["check", "tcp-close", "--frobnicate"]));
    one_line_error(&run(&["check", "tcp-close", "--threads", "0"]));
    one_line_error(&run(&["check"]));
    one_line_error(&run(&["check", "tcp-lifecycle", "--fast-reconnect", "2"]));
    one_line_error(&run(&["check", "tcp-lifecycle", "--incarnations", "4"]));
    let e = one_line_error(&run(&["check", "tcp-close", "--fast-reconnect", "1"]));
    assert!(e.contains("takes no --fast-reconnect bound"), "{e}");
    one_line_error(&run(&["check", "tcp-lifecycle", "--old-syn", "2"]));
    one_line_error(&run(&["check", "tcp-lifecycle", "--forgeries", "3"]));
    let e = one_line_error(&run(&["check", "tcp-handshake", "--forgeries", "1"]));
    assert!(e.contains("takes no --forgeries bound"), "{e}");
    one_line_error(&run(&["explore", "tcp-close", "--addr", "not-an-address"]));
}

#[test]
fn explore_on_a_taken_port_is_a_one_line_usage_error() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let e = one_line_error(&run(&["explore", "tcp-close", "--addr", &addr]));
    assert!(e.contains("cannot serve"), "{e}");
}

#[test]
fn explore_serves_the_explorer_with_status_and_sequence_diagrams() {
    use std::io::{Read, Write};
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let addr = format!("127.0.0.1:{port}");
    let mut child = Command::new(env!("CARGO_BIN_EXE_tcpip-spec"))
        .args(["explore", "tcp-handshake", "--addr", &addr])
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let get = |path: &str| -> Option<String> {
        let mut s = std::net::TcpStream::connect(&addr).ok()?;
        write!(
            s,
            "GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
        )
        .ok()?;
        let mut body = String::new();
        s.read_to_string(&mut body).ok()?;
        Some(body)
    };
    let mut status = None;
    for _ in 0..100 {
        status = get("/.status");
        if status.is_some() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let states = get("/.states/");
    child.kill().unwrap();
    child.wait().unwrap();
    let status = status.expect("the Explorer answered");
    assert!(status.contains("\"model\""), "{status}");
    let states = states.expect("states answered");
    assert!(
        states.contains("<svg") && states.contains("TCP Peer A"),
        "{states}"
    );
}
