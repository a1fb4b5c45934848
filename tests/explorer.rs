//! The Explorer in a browser: `tcpip-spec explore tcp-close --without time-wait` is served on
//! a free port, headless Chromium opens the counterexample link `check --json` reports for
//! `graceful-close`, and the test reads the rendered page: the ladder's numbered rows, labels
//! in RFC notation, the sloped line of B's ACK sent at row 3 and overtaken by B's FIN, and no
//! script error on the console; the status line names the model `tcp_close`, the path and
//! the next actions read in RFC notation, and the state pane is the compact view. The
//! screenshot is kept under `target/explorer-screenshots/` (a test artifact). Every other
//! registered model is opened on the first link `check` prints for it, checked for script
//! errors and for what its property lists claim, and kept as a screenshot too.
//!
//! Without a browser, every registered model is served and asked over HTTP what the
//! Explorer lists after its first step: the model's own name and actions in RFC notation,
//! the bounds given on the command line, and every property judged on each state.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_tcpip-spec");

/// Kills the Explorer when the test ends, however it ends.
struct Served(Child);

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

fn get(port: u16, path: &str) -> Option<String> {
    let mut s = TcpStream::connect(("127.0.0.1", port)).ok()?;
    // HTTP/1.0: a body that is not chunked, and the connection closed after it.
    s.set_read_timeout(Some(Duration::from_secs(30))).ok()?;
    write!(s, "GET {path} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n").ok()?;
    let mut body = String::new();
    s.read_to_string(&mut body).ok()?;
    Some(body)
}

fn chromium(profile: &Path, extra: &[&str], url: &str) -> (String, String) {
    let out = Command::new("chromium")
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--enable-logging=stderr",
            "--v=0",
            "--virtual-time-budget=5000",
            "--window-size=1400,1700",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(extra)
        .arg(url)
        .output()
        .expect("chromium runs");
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn target_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("target")
}

/// An empty directory under target/ to serve from (the Explorer serves ./ui/* if present).
fn scratch(name: &str) -> PathBuf {
    let dir = target_dir().join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// `tcpip-spec explore ARGS` on a free port, once it answers.
fn explore(dir: &Path, args: &[&str]) -> (Served, u16) {
    let port = free_port();
    let served = Served(
        Command::new(BIN)
            .arg("explore")
            .args(args)
            .arg("--addr")
            .arg(format!("127.0.0.1:{port}"))
            .current_dir(dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("explore starts"),
    );
    let start = Instant::now();
    while get(port, "/.status").is_none_or(|s| !s.contains("\"model\"")) {
        assert!(
            start.elapsed() < Duration::from_secs(120),
            "the Explorer never answered"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    (served, port)
}

/// A POST with an empty body; the answer's status line.
fn post(port: u16, path: &str) -> String {
    let mut s = TcpStream::connect(("127.0.0.1", port)).expect("the Explorer answers");
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    write!(
        s,
        "POST {path} HTTP/1.0\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n\r\n"
    )
    .unwrap();
    let mut answer = String::new();
    s.read_to_string(&mut answer).unwrap();
    answer.lines().next().unwrap_or_default().to_string()
}

/// The Explorer link `check --json` prints for a property's counterexample or example.
fn check_link(args: &[&str], property: &str) -> String {
    let out = Command::new(BIN)
        .arg("check")
        .args(args)
        .arg("--json")
        .output()
        .expect("check runs");
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    report["properties"]
        .as_array()
        .expect("properties")
        .iter()
        .find(|p| p["name"] == property)
        .and_then(|p| p["explorer_path"].as_str())
        .unwrap_or_else(|| panic!("no Explorer link for {property}"))
        .to_string()
}

/// Presses "Run to completion" and waits until the checker is done.
fn run_to_completion(port: u16) {
    assert!(post(port, "/.runtocompletion").contains(" 200 "));
    let start = Instant::now();
    while get_json(port, "/.status")["done"] != true {
        assert!(
            start.elapsed() < Duration::from_secs(600),
            "the Explorer's check never finished"
        );
        std::thread::sleep(Duration::from_millis(500));
    }
}

/// The rendered list item of `property` in the property list after `heading`.
fn listed<'a>(dom: &'a str, heading: &str, property: &str) -> &'a str {
    let list = dom
        .split(heading)
        .nth(1)
        .and_then(|s| s.split("</ul>").next())
        .unwrap_or_else(|| panic!("no list {heading}:\n{dom}"));
    list.split("<li>")
        .find(|item| item.contains(&format!(">{property}</")))
        .unwrap_or_else(|| panic!("{property} not listed under {heading}:\n{list}"))
}

/// The JSON body of a GET.
fn get_json(port: u16, path: &str) -> serde_json::Value {
    let raw = get(port, path).expect("an answer");
    let body = raw.split_once("\r\n\r\n").expect("a body").1;
    serde_json::from_str(body).unwrap_or_else(|e| panic!("{path}: {e}: {body}"))
}

#[test]
#[cfg_attr(
    not(browser_env),
    ignore = "needs chromium on PATH (set CI=true to make it mandatory)"
)]
fn the_explorer_shows_the_reordering_that_breaks_a_close_without_time_wait() {
    // The link `check` reports.
    let link = check_link(&["tcp-close", "--without", "time-wait"], "graceful-close");

    let scratch = scratch("explorer-test");
    let (_served, port) = explore(&scratch, &["tcp-close", "--without", "time-wait"]);

    let url = format!("http://127.0.0.1:{port}/{link}");
    let (dom, log) = chromium(&scratch.join("profile-dom"), &["--dump-dom"], &url);
    assert!(
        !log.contains("Uncaught"),
        "a script error on the console:\n{log}"
    );
    assert!(dom.contains("class=\"tcpip-ladder\""), "no ladder:\n{dom}");
    // Numbered rows: 6 steps, 7 rows.
    for row in 1..=7 {
        assert!(
            dom.contains(&format!("class=\"row-num\">{row}.</text>")),
            "row {row} missing:\n{dom}"
        );
    }
    // Labels in RFC notation.
    assert!(dom.contains("B → A &lt;SEQ=301&gt;&lt;ACK=1&gt;&lt;CTL=FIN,ACK&gt; arrives"));
    assert!(dom.contains("A → B &lt;SEQ=1&gt;&lt;CTL=RST&gt; arrives"));
    assert!(dom.contains("A: user calls CLOSE"));
    // B's ACK: sent at row 3, arrived at row 6, a sloped line; B's FIN, sent at row 4,
    // arrived at row 5 before it.
    let ack = dom
        .split("<g class=\"msg ack\" data-sent=\"3\" data-end=\"arrived-6\">")
        .nth(1)
        .expect("B's reordered ACK is drawn from row 3 to row 6");
    let at = ack.find("<line").expect("its line");
    let line = &ack[at..at + ack[at..].find('>').unwrap()];
    let y = |name: &str| -> f64 {
        let key = format!("{name}=\"");
        let at = line.find(&key).unwrap() + key.len();
        line[at..at + line[at..].find('"').unwrap()]
            .parse()
            .unwrap()
    };
    assert!(y("y2") - y("y1") > 60.0, "not sloped: {line}");
    assert!(dom.contains("data-sent=\"4\" data-end=\"arrived-5\""));
    assert!(dom.contains("class=\"verdict bad\">VIOLATED always "));
    assert!(dom.contains("graceful-close: nobody aborts"));
    // The status line names the model; the path and the next actions read in RFC notation.
    assert!(dom.contains("data-bind=\"text: model\">tcp_close</span>"));
    for step in [
        "A: user calls CLOSE",
        "A → B &lt;SEQ=0&gt;&lt;ACK=301&gt;&lt;CTL=FIN,ACK&gt;",
        "B → A &lt;SEQ=301&gt;&lt;ACK=1&gt;&lt;CTL=FIN,ACK&gt;",
        "B → A &lt;SEQ=301&gt;&lt;ACK=1&gt;&lt;CTL=ACK&gt;",
        "A → B &lt;SEQ=1&gt;&lt;CTL=RST&gt;",
        "lose A → B &lt;SEQ=1&gt;&lt;ACK=302&gt;&lt;CTL=ACK&gt;",
    ] {
        assert!(
            dom.contains(&format!(">{step}</a>")),
            "no action {step}:\n{dom}"
        );
    }
    assert!(
        !dom.contains("Deliver("),
        "an action as a Debug dump:\n{dom}"
    );
    // The state pane: what the step did, then the compact view.
    let pane = dom
        .split("font-small color-dark")
        .nth(1)
        .and_then(|s| s.split_once('>'))
        .map(|(_, s)| s.split("</div>").next().unwrap())
        .expect("the state pane");
    assert!(
        pane.starts_with("B receives &lt;SEQ=1&gt;&lt;CTL=RST&gt; from A"),
        "{pane}"
    );
    assert!(
        pane.contains("\nB: CLOSED") && pane.contains("\nin flight:\n"),
        "{pane}"
    );
    assert!(pane.lines().count() < 40, "{pane}");
    // Nothing is checked before "Run to completion", and nothing claims a property holds: the
    // "Current state" list, open from the start, evaluates each property on the shown state.
    assert!(
        !dom.contains("Safety holds"),
        "a verdict nobody checked:\n{dom}"
    );
    let global = listed(&dom, "<h3>Global</h3>", "Always graceful-close");
    assert!(global.contains("Not checked yet"), "{global}");
    let here = listed(&dom, "<h3>Current state</h3>", "Always graceful-close");
    assert!(here.contains("✗ Violated on this state"), "{here}");
    let holds = listed(
        &dom,
        "<h3>Current state</h3>",
        "Always retransmission-timer-armed",
    );
    assert!(holds.contains("✓ Holds on this state"), "{holds}");

    let shots = target_dir().join("explorer-screenshots");
    std::fs::create_dir_all(&shots).unwrap();
    let png = shots.join("tcp-close-without-time-wait.png");
    let _ = std::fs::remove_file(&png);
    let shot = format!("--screenshot={}", png.display());
    let (_, log) = chromium(&scratch.join("profile-shot"), &[&shot], &url);
    assert!(!log.contains("Uncaught"), "{log}");
    let size = std::fs::metadata(&png).map(|m| m.len()).unwrap_or(0);
    assert!(size > 10_000, "no screenshot at {}", png.display());

    // Once checked, the global list reports the counterexample the checker found, and the
    // shown state still reads violated.
    run_to_completion(port);
    let (dom, log) = chromium(&scratch.join("profile-run"), &["--dump-dom"], &url);
    assert!(!log.contains("Uncaught"), "{log}");
    let global = listed(&dom, "<h3>Global</h3>", "Always graceful-close");
    assert!(global.contains("Counterexample found"), "{global}");
    let here = listed(&dom, "<h3>Current state</h3>", "Always graceful-close");
    assert!(here.contains("✗ Violated on this state"), "{here}");
    assert!(!dom.contains("Not checked yet"), "{dom}");
}

/// tcp-lifecycle at bounds small enough to check and serve in seconds.
const SMALL_LIFECYCLE: [&str; 10] = [
    "--incarnations",
    "1",
    "--bytes",
    "1",
    "--losses",
    "0",
    "--dups",
    "0",
    "--delays",
    "0",
];

/// Every registered model in the browser, on the first link `check` prints for it: the page
/// runs without a script error, draws the model's ladder, claims nothing the shown state
/// contradicts (its property reads violated, or met, on that very state), and is kept as a
/// screenshot.
#[test]
#[cfg_attr(
    not(browser_env),
    ignore = "needs chromium on PATH (set CI=true to make it mandatory)"
)]
fn every_model_renders_its_first_link_truthfully() {
    let scratch = scratch("explorer-every-model");
    let shots = target_dir().join("explorer-screenshots");
    std::fs::create_dir_all(&shots).unwrap();
    for spec in tcpip_spec::models::registry() {
        let mut args = vec![spec.name];
        if spec.name == "tcp-lifecycle" {
            args.extend_from_slice(&SMALL_LIFECYCLE);
        }
        let out = Command::new(BIN)
            .arg("check")
            .args(&args)
            .arg("--json")
            .output()
            .expect("check runs");
        let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
        let (name, kind, link) = report["properties"]
            .as_array()
            .unwrap()
            .iter()
            .find_map(|p| {
                let link = p["explorer_path"].as_str()?;
                Some((
                    p["name"].as_str().unwrap().to_string(),
                    p["kind"].as_str().unwrap().to_string(),
                    link.to_string(),
                ))
            })
            .unwrap_or_else(|| panic!("{}: no link", spec.name));
        let (_served, port) = explore(&scratch, &args);
        let url = format!("http://127.0.0.1:{port}/{link}");
        let profile = scratch.join(format!("profile-{}", spec.name));
        let (dom, log) = chromium(&profile, &["--dump-dom"], &url);
        let what = format!("{} {name} at {link}", spec.name);
        assert!(!log.contains("Uncaught"), "{what}: a script error:\n{log}");
        assert!(dom.contains("class=\"tcpip-ladder\""), "{what}: no ladder");
        assert!(!dom.contains("Safety holds"), "{what}: an unchecked claim");
        let (shown, verdict) = match kind.as_str() {
            "always" => (format!("Always {name}"), "✗ Violated on this state"),
            _ => (format!("Sometimes {name}"), "✓ Met on this state"),
        };
        let here = listed(&dom, "<h3>Current state</h3>", &shown);
        assert!(here.contains(verdict), "{what}: {here}");

        let png = shots.join(format!("{}.png", spec.name));
        let _ = std::fs::remove_file(&png);
        let shot = format!("--screenshot={}", png.display());
        let (_, log) = chromium(&profile, &[&shot], &url);
        assert!(!log.contains("Uncaught"), "{what}: {log}");
        let size = std::fs::metadata(&png).map(|m| m.len()).unwrap_or(0);
        assert!(size > 10_000, "{what}: no screenshot at {}", png.display());
    }
}

/// Over HTTP, without a browser: the status says nothing is checked until "Run to
/// completion", the state a counterexample link ends in carries its property's verdict
/// "violated" (the front of `models/explorer/page.rs`), and the page loads `tcpip.js`.
#[test]
fn the_state_a_counterexample_ends_in_is_labelled_violated() {
    let link = check_link(&["tcp-close", "--without", "time-wait"], "graceful-close");
    let dir = scratch("explorer-verdicts");
    let (_served, port) = explore(&dir, &["tcp-close", "--without", "time-wait"]);

    let status = get_json(port, "/.status");
    assert_eq!(status["done"], false, "{status}");
    for p in status["properties"].as_array().unwrap() {
        assert_eq!(p[2], serde_json::Value::Null, "{p}");
        assert_eq!(p[3]["summary"], "Not checked yet: ", "{p}");
    }
    let page = get(port, "/").unwrap();
    assert!(
        page.contains("<script src=\"tcpip.js\"></script>"),
        "{page}"
    );
    assert!(
        get(port, "/tcpip.js")
            .unwrap()
            .contains("getPropertyForState")
    );

    // The link's last step, among the steps offered in the state before it.
    let path = link.trim_start_matches("#/steps");
    let (before, last) = path.rsplit_once('/').unwrap();
    let last: u64 = last.parse().unwrap();
    let steps = get_json(port, &format!("/.states{before}"));
    let step = steps
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["actionIndex"] == last)
        .expect("the link's last step");
    let verdict = |name: &str| -> String {
        let p = step["properties"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p[1] == name)
            .unwrap_or_else(|| panic!("no {name} in {step}"));
        p[3]["summary"].as_str().unwrap().to_string()
    };
    assert_eq!(verdict("graceful-close"), "Violated on this state: ");
    assert_eq!(
        verdict("retransmission-timer-armed"),
        "Holds on this state: "
    );
    // The state before it still closed gracefully.
    let (up, at) = before.rsplit_once('/').unwrap();
    let at: u64 = at.parse().unwrap();
    let prior = get_json(port, &format!("/.states{up}"));
    let prior = prior
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["actionIndex"] == at)
        .unwrap();
    let graceful = prior["properties"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p[1] == "graceful-close")
        .unwrap();
    assert_eq!(graceful[3]["summary"], "Holds on this state: ");

    run_to_completion(port);
    let status = get_json(port, "/.status");
    let graceful = status["properties"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p[1] == "graceful-close")
        .unwrap();
    assert_eq!(
        graceful[3]["summary"], "✗ Counterexample found: ",
        "{status}"
    );
    assert!(graceful[2].is_string(), "{status}");
}

/// Whether an action text is a Rust `Debug` dump (`Deliver(0)`, `Net(Arrive { .. })`, `Tick`).
fn debug_like(action: &str) -> bool {
    let head: String = action.chars().take_while(|c| c.is_alphanumeric()).collect();
    let rest = &action[head.len()..];
    head.starts_with(|c: char| c.is_ascii_uppercase()) && (rest.is_empty() || rest.starts_with('('))
}

#[test]
fn every_model_is_served_under_its_name_with_actions_in_rfc_notation() {
    let dir = scratch("explorer-http");
    // tcp-lifecycle at small bounds: the Explorer first counts states up to 4 M.
    let small = SMALL_LIFECYCLE;
    for (model, bounds, reads) in [
        ("tcp-handshake", &[][..], "A → B <SEQ="),
        ("tcp-close", &[][..], "A → B <SEQ="),
        ("tcp-lifecycle", &small[..], "A → B <SEQ="),
        (
            "udp",
            &[][..],
            "A → R1 <SRC=10.0.1.10><DST=10.0.3.20><TTL=4><UDP 4000→7 DATA=1>",
        ),
        (
            "ip",
            &[][..],
            "A → R1 <SRC=10.0.1.10><DST=10.0.3.20><TTL=4><UDP 4000→7 DATA=1>",
        ),
        (
            "icmp",
            &[][..],
            "A → R1 <SRC=10.0.1.10><DST=10.0.3.20><TTL=4><ICMP ECHO ID=0x77 SEQ=1>",
        ),
        (
            "arp",
            &[][..],
            "A → B <OP=REQUEST><SHA=A><SPA=10.0.0.1><TPA=10.0.0.2>",
        ),
        ("syn-cookie", &[][..], "B → A <SEQ="),
    ] {
        let mut args = vec![model];
        args.extend_from_slice(bounds);
        let (_served, port) = explore(&dir, &args);
        let status = get_json(port, "/.status");
        let shown = status["model"]
            .as_str()
            .unwrap()
            .rsplit("::")
            .next()
            .unwrap()
            .to_string();
        assert_eq!(shown, model.replace('-', "_"));
        // The initial states, then what follows the first action of the first.
        for init in get_json(port, "/.states/").as_array().unwrap() {
            let state = init["state"].as_str().unwrap();
            assert!(state.lines().count() < 40, "{model}: {state}");
        }
        let next = get_json(port, "/.states/0/0");
        let steps = next.as_array().unwrap();
        let actions: Vec<&str> = steps
            .iter()
            .map(|s| s["action"].as_str().unwrap())
            .collect();
        assert!(
            actions.iter().any(|a| a.starts_with(reads)),
            "{model}: no action reads {reads:?} in {actions:#?}"
        );
        assert!(
            !actions.iter().any(|a| debug_like(a)),
            "{model}: {actions:#?}"
        );
        for s in steps {
            let shown = s["outcome"].as_str().unwrap_or_default();
            assert!(shown.lines().count() < 45, "{model}: {shown}");
            // The ladder is still drawn from the model's own path.
            let svg = s["svg"].as_str().unwrap_or_default();
            assert!(svg.contains("class='tcpip-ladder'"), "{model}: no ladder");
            // The bounds given on the command line are the served model's.
            if model == "tcp-lifecycle" {
                assert!(
                    svg.contains("bounds: bytes 1, incarnations 1, losses 0, dups 0, delays 0"),
                    "{model}: {svg}"
                );
            }
            // Every property is judged on the state.
            for p in s["properties"].as_array().unwrap() {
                assert!(p[3]["summary"].is_string(), "{model}: {p}");
            }
        }
    }
}
