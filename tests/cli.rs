//! The command-line contract of architecture.md: JSON shapes, exit statuses, one-line errors.

use std::process::{Command, Output};
use std::sync::OnceLock;

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

/// `check --all --json`, run once for every test that needs it.
fn check_all() -> &'static Output {
    static ALL: OnceLock<Output> = OnceLock::new();
    ALL.get_or_init(|| run(&["check", "--all", "--json"]))
}

/// `check --all --shard I/3 --json` for I = 1, 2, 3, each run once for every test that needs
/// them.
fn shards() -> &'static [Output] {
    static SHARDS: OnceLock<Vec<Output>> = OnceLock::new();
    SHARDS.get_or_init(|| {
        (1..=3)
            .map(|i| run(&["check", "--all", "--shard", &format!("{i}/3"), "--json"]))
            .collect()
    })
}

/// A run as the shard tests compare it: model, mechanisms, unique states, as expected.
fn run_key(r: &serde_json::Value) -> (String, String, u64, bool) {
    (
        r["model"].as_str().unwrap().to_string(),
        r["without"].to_string(),
        r["unique_states"].as_u64().unwrap(),
        r["as_expected"].as_bool().unwrap(),
    )
}

#[test]
fn check_all_json_is_an_array_with_every_model_and_ablation() {
    let o = check_all();
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
        // Raw bytes: a chunked body may split a multi-byte character at a chunk boundary.
        let mut body = Vec::new();
        s.read_to_end(&mut body).ok()?;
        Some(String::from_utf8_lossy(&body).into_owned())
    };
    let mut status = None;
    for _ in 0..600 {
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

#[test]
fn missing_arguments_are_named_in_one_line() {
    let e = one_line_error(&run(&["check"]));
    assert!(e.contains("missing <MODEL>"), "{e}");
    let e = one_line_error(&run(&["explore"]));
    assert!(e.contains("missing <MODEL>"), "{e}");
    let e = one_line_error(&run(&["stack", "--addr", "10.0.0.2/24", "--http", "80"]));
    assert!(e.contains("missing") && e.contains("--tun"), "{e}");
    let e = one_line_error(&run(&["conform"]));
    assert!(e.contains("missing <FILE>"), "{e}");
    let e = one_line_error(&run(&["check", "tcp-close", "--without"]));
    assert!(
        e.contains("a value is required for '--without <MECH>'"),
        "{e}"
    );
}

/// Bare `tcpip-spec` is a newcomer asking what the tool does: the help on stdout, every
/// subcommand with what it does, and no error.
#[test]
fn bare_invocation_prints_the_help_listing_the_subcommands() {
    let o = run(&[]);
    assert_eq!(o.status.code(), Some(0));
    assert!(
        o.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let help = String::from_utf8_lossy(&o.stdout);
    assert!(help.contains("Usage: tcpip-spec"), "{help}");
    for (sub, does) in [
        ("list", "List the models"),
        ("check", "Check a model exhaustively"),
        ("explore", "Serve stateright's Explorer"),
        ("report", "write REPORT.md"),
        ("stack", "Run the host on a TUN or TAP device"),
        ("conform", "Judge every endpoint"),
    ] {
        let line = help
            .lines()
            .find(|l| l.trim_start().starts_with(&format!("{sub} ")))
            .unwrap_or_else(|| panic!("{sub} in {help}"));
        assert!(line.contains(does), "{line}");
    }
    // An option without a subcommand is still a one-line usage error.
    one_line_error(&run(&["--json"]));
}

#[test]
fn report_to_a_missing_directory_fails_before_any_check() {
    let dir = std::env::temp_dir().join(format!("tcpip-spec-no-such-dir-{}", std::process::id()));
    let out = dir.join("x.md");
    let o = run(&["report", "--output", out.to_str().unwrap()]);
    // One line and nothing else: no progress line, no run's output.
    let e = one_line_error(&o);
    assert!(e.contains("cannot write") && e.contains("x.md"), "{e}");
    assert!(
        o.stdout.is_empty(),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
    assert!(!dir.exists());
}

#[test]
fn zero_octets_is_refused() {
    let e = one_line_error(&run(&["check", "tcp-lifecycle", "--bytes", "0"]));
    assert!(e.contains("--bytes"), "{e}");
    let e = one_line_error(&run(&["explore", "tcp-lifecycle", "--bytes", "0"]));
    assert!(e.contains("--bytes"), "{e}");
}

#[test]
fn bounds_with_all_are_refused() {
    let e = one_line_error(&run(&["check", "--all", "--losses", "1"]));
    assert!(e.contains("--losses"), "{e}");
}

/// Every cell of the `list` and `check` tables is followed by at least two spaces: the
/// longest property name (`retransmitted-fin-acknowledged`) no longer runs into the next
/// column.
#[test]
fn table_columns_are_separated() {
    let o = run(&["list"]);
    assert!(o.status.success());
    let list = String::from_utf8_lossy(&o.stdout);
    let o = run(&["check", "tcp-close", "--threads", "1"]);
    assert_eq!(o.status.code(), Some(0));
    let check = String::from_utf8_lossy(&o.stdout);
    for m in tcpip_spec::models::registry() {
        for p in (m.properties)() {
            let cell = format!(" {}  ", p.name);
            assert!(list.contains(&cell), "{} in list:\n{list}", p.name);
            if m.name == "tcp-close" {
                assert!(check.contains(&cell), "{} in check:\n{check}", p.name);
            }
        }
        let block = list
            .split("\n\n")
            .find(|b| b.starts_with(&format!("{}\n", m.name)))
            .unwrap();
        for a in m.ablations {
            let line = block
                .lines()
                .find(|l| l.starts_with(&format!("    {} ", a.mechanism)))
                .unwrap_or_else(|| panic!("{} in list:\n{list}", a.mechanism));
            assert!(line.contains(&format!("  breaks {}  ", a.breaks)), "{line}");
        }
    }
}

#[test]
fn step_counts_are_singular_or_plural() {
    let o = run(&["check", "tcp-handshake", "--without", "three-way-handshake"]);
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("(1 step, shortest)"), "{out}");
    assert!(!out.contains(" 1 steps"), "{out}");
    let o = run(&["check", "tcp-close", "--without", "time-wait"]);
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.contains("to graceful-close (6 steps, shortest)"),
        "{out}"
    );
}

#[test]
fn explore_takes_the_bounds_of_check() {
    let e = one_line_error(&run(&["explore", "tcp-close", "--losses", "1"]));
    assert!(e.contains("takes no --losses bound"), "{e}");
    one_line_error(&run(&["explore", "tcp-close", "--threads", "0"]));
}

/// A free local port.
fn free_addr() -> String {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    format!("127.0.0.1:{port}")
}

/// `GET path` from a server, retried while it starts.
fn get(addr: &str, path: &str) -> Option<String> {
    use std::io::{Read, Write};
    for _ in 0..300 {
        if let Ok(mut s) = std::net::TcpStream::connect(addr) {
            write!(s, "GET {path} HTTP/1.0\r\nHost: x\r\n\r\n").ok()?;
            // HTTP/1.0: the body is not chunked, and ends when the server closes.
            let mut body = String::new();
            s.read_to_string(&mut body).ok()?;
            return Some(body.split_once("\r\n\r\n")?.1.to_string());
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    None
}

/// `check` gives each counterexample and example an Explorer path, and `explore` with the
/// printed command replays exactly that path: at each prefix, the step the path takes next
/// is the counterexample's next step. Also for an ablation registered at bounds other than
/// the model's defaults, whose command carries them.
#[test]
fn check_links_each_counterexample_to_the_explorer_that_replays_it() {
    let args = ["check", "tcp-close", "--without", "time-wait"];
    let o = run(&args);
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.contains("serve it with `tcpip-spec explore tcp-close --without time-wait`"),
        "{out}"
    );
    assert!(out.contains("http://127.0.0.1:3000/#/steps/0/"), "{out}");
    replays_in_the_explorer(
        &args,
        "graceful-close",
        "tcpip-spec explore tcp-close --without time-wait",
    );
    replays_in_the_explorer(
        &["check", "tcp-lifecycle", "--without", "rto-restart"],
        "retransmission-timer-armed",
        "tcpip-spec explore tcp-lifecycle --without rto-restart --incarnations 1 --losses 1 \
         --delays 0",
    );
}

#[test]
fn unreduced_checks_and_explores_the_model_as_described() {
    // The unreduced tcp-close is larger, says so in its JSON, and its links open in the
    // unreduced Explorer (whose actions differ: Duplicate, not DeliverDuplicate).
    let json = |args: &[&str]| -> serde_json::Value {
        serde_json::from_slice(&run(&[args, &["--json"]].concat()).stdout).unwrap()
    };
    let reduced = json(&["check", "tcp-close"]);
    let full = json(&["check", "tcp-close", "--unreduced"]);
    assert_eq!(reduced["reduced"], true);
    assert_eq!(full["reduced"], false);
    assert!(full["unique_states"].as_u64() > reduced["unique_states"].as_u64());
    for (r, f) in reduced["properties"]
        .as_array()
        .unwrap()
        .iter()
        .zip(full["properties"].as_array().unwrap())
    {
        assert_eq!(r["outcome"], f["outcome"], "{r} {f}");
    }
    replays_in_the_explorer(
        &[
            "check",
            "tcp-close",
            "--without",
            "time-wait",
            "--unreduced",
        ],
        "graceful-close",
        "tcpip-spec explore tcp-close --unreduced --without time-wait",
    );
}

/// Runs `check ARGS --json`, checks its `explore_command`, serves that command and replays
/// `property`'s counterexample in it step by step.
fn replays_in_the_explorer(args: &[&str], property: &str, command: &str) {
    let o = run(&[args, &["--json"]].concat());
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["explore_command"], command);
    for p in v["properties"].as_array().unwrap() {
        let has_path = p["outcome"] == "violated" || p["outcome"] == "found";
        assert_eq!(p["explorer_path"].is_string(), has_path, "{p}");
        assert!(p.get("explorer_path").is_some());
    }
    let p = v["properties"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == property)
        .unwrap();
    let path = p["explorer_path"].as_str().unwrap();
    let steps: Vec<&str> = p["counterexample"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap())
        .collect();
    let indices: Vec<&str> = path.strip_prefix("#/steps/").unwrap().split('/').collect();
    assert_eq!(
        indices.len(),
        steps.len() + 1,
        "an initial state, then one per step"
    );

    let addr = free_addr();
    let served: Vec<&str> = command
        .strip_prefix("tcpip-spec ")
        .unwrap()
        .split_whitespace()
        .collect();
    let mut child = Command::new(env!("CARGO_BIN_EXE_tcpip-spec"))
        .args(&served)
        .args(["--addr", &addr])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut replayed = Vec::new();
    for k in 1..indices.len() {
        let prefix = indices[..k].join("/");
        let Some(body) = get(&addr, &format!("/.states/{prefix}")) else {
            break;
        };
        let next: serde_json::Value = serde_json::from_str(&body).unwrap_or_default();
        let taken = next.as_array().and_then(|a| {
            a.iter()
                .find(|s| s["actionIndex"].as_u64() == indices[k].parse().ok())
        });
        replayed.push(
            // The Explorer's outcome is the step, a blank line, then the compact state.
            taken.map_or(format!("no step {} in {body}", indices[k]), |s| {
                let outcome = s["outcome"].as_str().unwrap_or("");
                outcome.split("\n\n").next().unwrap_or("").to_string()
            }),
        );
    }
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(replayed, steps, "{command}");
}

/// tcp-lifecycle at its default bounds (11 M states) draws a warning; tcp-close does not.
#[test]
fn explore_warns_when_the_model_is_large() {
    use std::io::Read;
    let stderr = |args: &[&str]| -> String {
        let addr = free_addr();
        let mut child = Command::new(env!("CARGO_BIN_EXE_tcpip-spec"))
            .args(["explore"])
            .args(args)
            .args(["--addr", &addr, "--threads", "1"])
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        // The warning, if any, is printed before the server starts.
        let served = get(&addr, "/.status").is_some();
        child.kill().unwrap();
        child.wait().unwrap();
        let mut err = String::new();
        child
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut err)
            .unwrap();
        assert!(served, "{err}");
        err
    };
    let big = stderr(&["tcp-lifecycle"]);
    assert!(
        big.contains("warning: tcp-lifecycle") && big.contains("will take minutes"),
        "{big}"
    );
    let small = stderr(&["tcp-close"]);
    assert!(
        small.starts_with("tcpip-spec explore tcp-close: the Explorer on http://"),
        "{small}"
    );
    assert!(!small.contains("warning"), "{small}");
}

/// Opening an unknown name on /dev/net/tun would create a new device that is down; the
/// stack refuses instead, before any privilege is needed.
#[test]
fn stack_refuses_a_device_that_does_not_exist() {
    let e = one_line_error(&run(&[
        "stack",
        "--tun",
        "nosuchdev0",
        "--addr",
        "10.0.0.2/24",
        "--http",
        "80",
    ]));
    assert!(e.contains("no TUN device 'nosuchdev0'"), "{e}");
    let e = one_line_error(&run(&[
        "stack",
        "--tap",
        "..",
        "--addr",
        "10.0.0.2/24",
        "--http",
        "80",
    ]));
    assert!(e.contains("not a network device name"), "{e}");
}

#[test]
fn the_shards_together_are_check_all() {
    let mut union = Vec::new();
    for (i, o) in shards().iter().enumerate() {
        assert_eq!(
            o.status.code(),
            Some(0),
            "shard {}: {}",
            i + 1,
            String::from_utf8_lossy(&o.stderr)
        );
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        let runs = v.as_array().unwrap();
        assert!(!runs.is_empty(), "shard {} has runs", i + 1);
        union.extend(runs.iter().map(run_key));
    }
    let all: serde_json::Value = serde_json::from_slice(&check_all().stdout).unwrap();
    let mut all: Vec<_> = all.as_array().unwrap().iter().map(run_key).collect();
    union.sort();
    all.sort();
    assert_eq!(
        union, all,
        "each run in exactly one shard, with the same result"
    );
}

/// REPORT.md with the seconds of its Runs table blanked: all that differs between two
/// reports of the same runs made on the same machine.
fn without_times(report: &str) -> String {
    let mut in_runs = false;
    report
        .lines()
        .map(|line| {
            if line.starts_with("## ") {
                in_runs = line == "## Runs";
            }
            if !in_runs || !line.starts_with("| ") || line.starts_with("| model ") {
                return line.to_string();
            }
            let mut cells: Vec<&str> = line.split('|').collect();
            // "", model, without, bounds, unique, generated, seconds, exhaustive, expected, ""
            if cells.len() == 10 {
                cells[6] = " ";
            }
            cells.join("|")
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn report_merge_of_the_shards_is_the_report() {
    let dir = std::env::temp_dir().join(format!("tcpip-spec-merge-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let files: Vec<String> = shards()
        .iter()
        .enumerate()
        .map(|(i, o)| {
            let path = dir.join(format!("shard-{}.json", i + 1));
            std::fs::write(&path, &o.stdout).unwrap();
            path.to_str().unwrap().to_string()
        })
        .collect();
    let merged = dir.join("merged.md");
    let mut args = vec!["report", "--merge"];
    args.extend(files.iter().map(String::as_str));
    args.extend(["--output", merged.to_str().unwrap()]);
    let o = run(&args);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );

    // A shard missing, or one given twice: one line naming the runs, exit 2, nothing written.
    let partial = dir.join("partial.md");
    let o = run(&[
        "report",
        "--merge",
        &files[0],
        &files[2],
        "--output",
        partial.to_str().unwrap(),
    ]);
    let e = one_line_error(&o);
    assert!(e.contains("are in none of the files"), "{e}");
    let o = run(&[
        "report",
        "--merge",
        &files[0],
        &files[1],
        &files[2],
        &files[1],
        "--output",
        partial.to_str().unwrap(),
    ]);
    let e = one_line_error(&o);
    assert!(e.contains("exactly one shard"), "{e}");
    assert!(!partial.exists());

    let full = dir.join("full.md");
    let o = run(&["report", "--output", full.to_str().unwrap()]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let merged = std::fs::read_to_string(&merged).unwrap();
    let full = std::fs::read_to_string(&full).unwrap();
    assert!(
        merged.contains("```\n    TCP Peer A"),
        "ladders come through the JSON"
    );
    assert_eq!(without_times(&merged), without_times(&full));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn bad_shard_specs_are_one_line_usage_errors() {
    for spec in ["0/3", "4/3", "2", "a/b", "1/0", "-1/3", "1/3/5"] {
        let e = one_line_error(&run(&[
            "check",
            "--all",
            &format!("--shard={spec}"),
            "--json",
        ]));
        assert!(e.contains("--shard"), "{spec}: {e}");
    }
    let e = one_line_error(&run(&["check", "tcp-close", "--shard", "1/2"]));
    assert!(e.contains("--shard"), "{e}");
    one_line_error(&run(&["check", "--all", "--walks", "10"]));
    one_line_error(&run(&["check", "tcp-close", "--seed", "1"]));
}

#[test]
fn walks_find_the_bogus_connection_and_say_they_are_not_exhaustive() {
    let args = [
        "check",
        "tcp-handshake",
        "--without",
        "three-way-handshake",
        "--walks",
        "200",
        "--seed",
        "7",
    ];
    let o = run(&args);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("200 random walks (seed 7"), "{out}");
    assert!(out.contains("NOT exhaustive"), "{out}");
    assert!(
        out.contains("counterexample to no-bogus-connection (1 step"),
        "{out}"
    );
    assert!(out.contains("TCP Peer A"), "{out}");

    let o = run(&[&args[..], &["--json"]].concat());
    assert_eq!(o.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["mode"], "walks");
    assert_eq!(v["exhaustive"], false);
    assert_eq!(v["walks"]["count"], 200);
    assert!(v["walks"]["steps"].as_u64().unwrap() > 0);
    let prop = |name: &str| {
        v["properties"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == name)
            .unwrap()
            .clone()
    };
    let p = prop("no-bogus-connection");
    assert_eq!(p["outcome"], "violated");
    assert_eq!(p["as_expected"], true);
    assert_eq!(p["counterexample"].as_array().unwrap().len(), 1, "{p}");
    assert!(!p["ladder"].as_array().unwrap().is_empty());
    assert_eq!(prop("synchronized-isns")["outcome"], "not-violated");

    // The same walks, in two shards.
    let mut found = 0;
    let mut count = 0;
    for shard in ["1/2", "2/2"] {
        let o = run(&[&args[..], &["--shard", shard, "--json"]].concat());
        let s: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        count += s["walks"]["count"].as_u64().unwrap();
        found += s["properties"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == "no-bogus-connection")
            .unwrap()["walks_found"]
            .as_u64()
            .unwrap();
    }
    assert_eq!(count, 200);
    assert_eq!(found, p["walks_found"].as_u64().unwrap());
}

#[test]
fn a_sometimes_property_walks_miss_does_not_fail_the_run() {
    let o = run(&[
        "check",
        "tcp-close",
        "--walks",
        "1",
        "--seed",
        "3",
        "--json",
    ]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let missed = v["properties"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["outcome"] == "not-found" && p["expected"] == "found")
        .expect("one walk does not reach every state the model can");
    assert_eq!(missed["as_expected"], true);
    assert_eq!(v["as_expected"], true);
}

/// Every key of an object in `v`, nested ones included.
fn keys(v: &serde_json::Value, out: &mut std::collections::BTreeSet<String>) {
    match v {
        serde_json::Value::Object(m) => {
            for (k, x) in m {
                out.insert(k.clone());
                keys(x, out);
            }
        }
        serde_json::Value::Array(a) => a.iter().for_each(|x| keys(x, out)),
        _ => {}
    }
}

/// The README and docs/json.md are the contract a clone has: every key `list --json` and
/// `check --json` print is in docs/json.md, every file the README links to is in the
/// repository (no `../shared`), and the README says what a run's numbers mean and how to
/// read a ladder.
#[test]
fn the_documented_json_contract_names_every_key_printed() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let contract = std::fs::read_to_string(root.join("docs/json.md")).unwrap();
    let mut printed = std::collections::BTreeSet::new();
    for args in [
        &["list", "--json"][..],
        &["check", "tcp-close", "--without", "time-wait", "--json"][..],
    ] {
        let o = run(args);
        keys(&serde_json::from_slice(&o.stdout).unwrap(), &mut printed);
    }
    for k in &printed {
        assert!(
            contract.contains(&format!("\"{k}\"")) || contract.contains(&format!("`{k}`")),
            "docs/json.md does not name the key {k}"
        );
    }
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    assert!(
        !readme.contains("../shared"),
        "the README points outside the clone"
    );
    // What a run's header line means, and the ladder's legend.
    for words in [
        "*unique states*",
        "*Generated*",
        "*max depth*",
        "*exhaustive*",
        "a lost one ends in a cross",
        "a duplicate forks from its original",
        "one still in flight trails off",
        "Colours tell RST (red), SYN (blue), FIN (purple)",
    ] {
        assert!(readme.contains(words), "the README does not say {words:?}");
    }
    // The header line it quotes is what `check tcp-close` prints, times and depth aside.
    let o = run(&["check", "tcp-close"]);
    let header = String::from_utf8_lossy(&o.stdout);
    let header = header.lines().next().unwrap();
    let quoted = header.split(", max depth").next().unwrap();
    assert!(
        readme.contains(&format!("`{quoted}, max depth ")),
        "{header}"
    );
    for (i, _) in readme.match_indices("](") {
        let target = &readme[i + 2..];
        let target = &target[..target.find(')').unwrap()];
        if target.starts_with("http") || target.starts_with('#') {
            continue;
        }
        let file = target.split('#').next().unwrap();
        assert!(
            root.join(file).exists(),
            "the README links to a missing {file}"
        );
    }
}
