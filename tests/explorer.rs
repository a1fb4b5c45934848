//! The Explorer in a browser: `tcpip-spec explore tcp-close --without time-wait` is served on
//! a free port, headless Chromium opens the counterexample link `check --json` reports for
//! `graceful-close`, and the test reads the rendered page: the ladder's numbered rows, labels
//! in RFC notation, the sloped line of B's ACK sent at row 3 and overtaken by B's FIN, and no
//! script error on the console. The screenshot is kept under
//! `target/explorer-screenshots/` (a test artifact).

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
    s.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    )
    .ok()?;
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

#[test]
#[cfg_attr(
    not(browser_env),
    ignore = "needs chromium on PATH (set CI=true to make it mandatory)"
)]
fn the_explorer_shows_the_reordering_that_breaks_a_close_without_time_wait() {
    // The link `check` reports.
    let out = Command::new(BIN)
        .args(["check", "tcp-close", "--without", "time-wait", "--json"])
        .output()
        .expect("check runs");
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let link = report["properties"]
        .as_array()
        .expect("properties")
        .iter()
        .find(|p| p["name"] == "graceful-close")
        .and_then(|p| p["explorer_path"].as_str())
        .expect("a counterexample link")
        .to_string();

    // The Explorer, from a scratch directory (it serves ./ui/* if present).
    let scratch = target_dir().join("explorer-test");
    let _ = std::fs::remove_dir_all(&scratch);
    std::fs::create_dir_all(&scratch).unwrap();
    let port = free_port();
    let _served = Served(
        Command::new(BIN)
            .args(["explore", "tcp-close", "--without", "time-wait", "--addr"])
            .arg(format!("127.0.0.1:{port}"))
            .current_dir(&scratch)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("explore starts"),
    );
    let start = Instant::now();
    while get(port, "/.status").is_none_or(|s| !s.contains("\"model\"")) {
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "the Explorer never answered"
        );
        std::thread::sleep(Duration::from_millis(200));
    }

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

    let shots = target_dir().join("explorer-screenshots");
    std::fs::create_dir_all(&shots).unwrap();
    let png = shots.join("tcp-close-without-time-wait.png");
    let _ = std::fs::remove_file(&png);
    let shot = format!("--screenshot={}", png.display());
    let (_, log) = chromium(&scratch.join("profile-shot"), &[&shot], &url);
    assert!(!log.contains("Uncaught"), "{log}");
    let size = std::fs::metadata(&png).map(|m| m.len()).unwrap_or(0);
    assert!(size > 10_000, "no screenshot at {}", png.display());
}
