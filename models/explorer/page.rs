//! The front the Explorer is served behind, so that its property verdicts tell the truth about
//! the state on screen.
//!
//! stateright 0.31's Explorer (`ui/app.js`) labels every property from the checker's global
//! discoveries alone. Its "Current state" list reads "Safety holds" for every state that is
//! not on the path of the checker's own discovery: before "Run to completion" (nothing
//! discovered) that is every state, and after it every state off the one path the checker
//! kept, which is seldom the shortest one `check` prints. A counterexample link `check`
//! prints therefore opened on "Safety holds: graceful-close" next to the very state that
//! violates it (issue 15). Its global list, meanwhile, read "Searching" while nothing was
//! searched: the on-demand checker checks nothing until "Run to completion".
//!
//! So stateright's server listens on a loopback port of its own, and this front, on the
//! address the user asked for, passes requests through to it with three changes:
//!
//! - `GET /.status` says whether anything was checked: until "Run to completion" is pressed
//!   (`POST /.runtocompletion`, which the front watches) the status is not done, its progress
//!   reads [`NOT_CHECKED`], and each property without a discovery is labelled "Not checked
//!   yet" instead of "Searching".
//! - `GET /.states/PATH` evaluates every property's condition on each state it returns (the
//!   model's own conditions, replayed along the path's action indices), so the "Current
//!   state" list reads "Violated on this state" where the condition fails.
//! - `GET /` adds `tcpip.js` ([`SCRIPT`], this crate's own) after stateright's `app.js`: it
//!   shows those labels, falling back to stateright's own for anything the front did not
//!   annotate, and opens the "Current state" list by default.
//!
//! Every other request (`app.js`, `app.css`, Knockout) is stateright's, passed through.

use serde_json::{Value, json};
use stateright::{Expectation, Model};
use std::fmt::Debug;
use std::hash::Hash;
use std::io::{self, Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// The script the page loads after stateright's `app.js`.
pub const SCRIPT: &str = include_str!("tcpip.js");

/// The progress line of a status before "Run to completion".
pub const NOT_CHECKED: &str = "not checked yet: press \"Run to completion\"";

/// Serves `model` in stateright's Explorer behind the front on `addr`, with `threads` checker
/// threads; never returns. Panics if `addr` cannot be bound (the CLI checks it first,
/// stateright-notes 10).
pub fn serve<M>(model: M, threads: usize, addr: SocketAddr) -> !
where
    M: Model + Clone + Send + Sync + 'static,
    M::State: Clone + Debug + Hash + PartialEq + Send + Sync,
    M::Action: Clone + Debug + PartialEq + Send + Sync,
{
    let listener =
        TcpListener::bind(addr).unwrap_or_else(|e| panic!("cannot serve on {addr}: {e}"));
    let back = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .and_then(|l| l.local_addr())
        .unwrap_or_else(|e| panic!("no loopback port for the checker: {e}"));
    let checked = model.clone();
    let checker = std::thread::spawn(move || {
        checked.checker().threads(threads.max(1)).serve(back);
    });
    // stateright's server only ever stops by a panic (another process took the loopback
    // port between our probe and its bind): the front has nothing left to serve.
    std::thread::spawn(move || {
        let _ = checker.join();
        eprintln!("error: the Explorer's checker on {back} stopped");
        std::process::exit(1);
    });
    let front = Arc::new(Front {
        model,
        back,
        run: AtomicBool::new(false),
    });
    for conn in listener.incoming().flatten() {
        let front = Arc::clone(&front);
        std::thread::spawn(move || {
            // A browser that goes away mid-answer is no concern of the server's.
            let _ = front.answer(conn);
        });
    }
    unreachable!("a listening socket's incoming connections never end")
}

struct Front<M> {
    model: M,
    /// stateright's own server.
    back: SocketAddr,
    /// Whether "Run to completion" was pressed.
    run: AtomicBool,
}

/// A response: status code, content type, body.
type Answer = (u16, &'static str, Vec<u8>);

impl<M> Front<M>
where
    M: Model,
    M::State: Clone,
{
    fn answer(&self, mut conn: TcpStream) -> io::Result<()> {
        conn.set_read_timeout(Some(Duration::from_secs(30)))?;
        let (method, path) = read_request(&mut conn)?;
        let (code, kind, body) = self.route(&method, &path);
        let reason = if code == 200 { "OK" } else { "Error" };
        write!(
            conn,
            "HTTP/1.0 {code} {reason}\r\nContent-Type: {kind}\r\nContent-Length: {}\r\n\
             Connection: close\r\n\r\n",
            body.len()
        )?;
        conn.write_all(&body)
    }

    fn route(&self, method: &str, path: &str) -> Answer {
        const JSON: &str = "application/json; charset=utf-8";
        match (method, path) {
            ("GET", "/tcpip.js") => (200, "text/javascript; charset=utf-8", SCRIPT.into()),
            ("GET", "/") => match self.pass("GET", "/") {
                (200, _, page) => (
                    200,
                    "text/html; charset=utf-8",
                    with_script(&String::from_utf8_lossy(&page)).into_bytes(),
                ),
                other => other,
            },
            ("GET", "/.status") => self.annotated("/.status", JSON, |v| {
                annotate_status(v, self.run.load(Ordering::SeqCst))
            }),
            ("GET", p) if p.starts_with("/.states") => {
                self.annotated(p, JSON, |v| annotate_states(&self.model, &p[8..], v))
            }
            ("POST", "/.runtocompletion") => {
                self.run.store(true, Ordering::SeqCst);
                self.pass(method, path)
            }
            _ => self.pass(method, path),
        }
    }

    /// stateright's JSON answer to `GET path`, changed by `change`.
    fn annotated(&self, path: &str, kind: &'static str, change: impl FnOnce(&mut Value)) -> Answer {
        match self.pass("GET", path) {
            (200, _, body) => match serde_json::from_slice::<Value>(&body) {
                Ok(mut v) => {
                    change(&mut v);
                    (200, kind, v.to_string().into_bytes())
                }
                Err(e) => (502, "text/plain", format!("{path}: {e}").into_bytes()),
            },
            other => other,
        }
    }

    /// Passes a request on to stateright's server, which may still be starting.
    fn pass(&self, method: &str, path: &str) -> Answer {
        let start = Instant::now();
        let mut conn = loop {
            match TcpStream::connect(self.back) {
                Ok(c) => break c,
                Err(_) if start.elapsed() < Duration::from_secs(10) => {
                    std::thread::sleep(Duration::from_millis(50))
                }
                Err(e) => return (503, "text/plain", format!("the checker: {e}").into_bytes()),
            }
        };
        let mut raw = Vec::new();
        let sent = write!(
            conn,
            "{method} {path} HTTP/1.0\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n\r\n"
        )
        .and_then(|()| conn.read_to_end(&mut raw));
        if let Err(e) = sent {
            return (502, "text/plain", format!("the checker: {e}").into_bytes());
        }
        let split = raw.windows(4).position(|w| w == b"\r\n\r\n");
        let Some(at) = split else {
            return (
                502,
                "text/plain",
                b"the checker's answer has no body".to_vec(),
            );
        };
        let head = String::from_utf8_lossy(&raw[..at]);
        let code = head
            .split_whitespace()
            .nth(1)
            .and_then(|c| c.parse().ok())
            .unwrap_or(502);
        (code, content_type(path), raw[at + 4..].to_vec())
    }
}

/// The request line's method and path; the headers and any body are read and dropped.
fn read_request(conn: &mut TcpStream) -> io::Result<(String, String)> {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        if conn.read(&mut byte)? == 0 || head.len() > 64 * 1024 {
            return Err(io::ErrorKind::InvalidData.into());
        }
        head.push(byte[0]);
    }
    let head = String::from_utf8_lossy(&head);
    let length: u64 = head
        .lines()
        .filter_map(|l| l.split_once(':'))
        .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.trim().parse().ok())
        .unwrap_or(0);
    io::copy(&mut conn.take(length), &mut io::sink())?;
    let mut words = head.split_whitespace();
    match (words.next(), words.next()) {
        (Some(m), Some(p)) => Ok((m.to_string(), p.to_string())),
        _ => Err(io::ErrorKind::InvalidData.into()),
    }
}

fn content_type(path: &str) -> &'static str {
    match path.rsplit('.').next() {
        Some("js") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("htm") | Some("html") => "text/html; charset=utf-8",
        _ => "application/octet-stream",
    }
}

/// stateright's page with [`SCRIPT`] loaded after its `app.js`.
pub fn with_script(page: &str) -> String {
    const APP: &str = "<script src=\"app.js\"></script>";
    assert!(
        page.contains(APP),
        "stateright's index.htm no longer loads app.js as {APP}"
    );
    page.replacen(
        APP,
        &format!("{APP}\n    <script src=\"tcpip.js\"></script>"),
        1,
    )
}

/// The status as it is: until "Run to completion" (`run`) nothing is checked, so the status
/// is not done, its progress says so, and each property without a discovery is labelled as
/// not checked. Each property `[kind, name, path]` gains a fourth element `{"summary"}`.
pub fn annotate_status(status: &mut Value, run: bool) {
    if !run {
        status["done"] = json!(false);
        status["recent_path"] = json!(NOT_CHECKED);
    }
    let done = status["done"].as_bool().unwrap_or(false);
    let Some(properties) = status["properties"].as_array_mut() else {
        return;
    };
    for p in properties {
        let found = !p[2].is_null();
        let summary = match (p[0].as_str(), found) {
            (Some("Sometimes"), true) => "✓ Example found: ",
            (_, true) => "✗ Counterexample found: ",
            _ if !run => "Not checked yet: ",
            _ if !done => "Searching: ",
            (Some("Sometimes"), false) => "✗ Example not found: ",
            (Some("Eventually"), false) => "✓ Liveness holds in every reachable state: ",
            _ => "✓ Safety holds in every reachable state: ",
        };
        if let Some(p) = p.as_array_mut() {
            p.push(json!({ "summary": summary }));
        }
    }
}

/// Each step stateright returns for `GET /.states{path}` with every property's verdict on that
/// step's state: `[kind, name, path]` gains `{"icon", "summary"}`. A step the model ignores
/// (no state) is left as it is.
pub fn annotate_states<M>(model: &M, path: &str, steps: &mut Value)
where
    M: Model,
    M::State: Clone,
{
    let indices: Option<Vec<usize>> = path
        .split('/')
        .filter(|s| !s.is_empty())
        .map(|s| s.parse().ok())
        .collect();
    let Some(indices) = indices else { return };
    let properties = model.properties();
    let last = if indices.is_empty() {
        None
    } else {
        match replay(model, &indices) {
            Some(s) => Some(s),
            None => return,
        }
    };
    let Some(steps) = steps.as_array_mut() else {
        return;
    };
    for step in steps {
        if step.get("state").is_none() {
            continue;
        }
        let Some(index) = step["actionIndex"].as_u64().map(|i| i as usize) else {
            continue;
        };
        let state = match &last {
            None => model.init_states().into_iter().nth(index),
            Some(last) => {
                let mut actions = Vec::new();
                model.actions(last, &mut actions);
                actions
                    .into_iter()
                    .nth(index)
                    .and_then(|a| model.next_state(last, a))
            }
        };
        let (Some(state), Some(shown)) = (state, step["properties"].as_array_mut()) else {
            continue;
        };
        for (p, property) in shown.iter_mut().zip(&properties) {
            let (icon, summary) =
                verdict(&property.expectation, (property.condition)(model, &state));
            if let Some(p) = p.as_array_mut() {
                p.push(json!({ "icon": icon, "summary": summary }));
            }
        }
    }
}

/// A property's condition on one state, as the "Current state" list shows it: a mark and a
/// label. The marks are text, not emoji, which a browser without an emoji font draws as
/// empty boxes.
pub fn verdict(expectation: &Expectation, condition: bool) -> (&'static str, &'static str) {
    match (expectation, condition) {
        (Expectation::Always, true) => ("✓", "Holds on this state: "),
        (Expectation::Always, false) => ("✗", "Violated on this state: "),
        (Expectation::Sometimes, true) => ("✓", "Met on this state: "),
        (Expectation::Sometimes, false) => ("–", "Not met on this state: "),
        (Expectation::Eventually, true) => ("✓", "Reached on this state: "),
        (Expectation::Eventually, false) => ("–", "Not yet reached on this state: "),
    }
}

/// The state at the end of a path of action indices (the first picks the initial state), as
/// stateright's Explorer walks it.
pub fn replay<M>(model: &M, indices: &[usize]) -> Option<M::State>
where
    M: Model,
{
    let (first, rest) = indices.split_first()?;
    let mut state = model.init_states().into_iter().nth(*first)?;
    for &i in rest {
        let mut actions = Vec::new();
        model.actions(&state, &mut actions);
        let action = actions.into_iter().nth(i)?;
        state = model.next_state(&state, action)?;
    }
    Some(state)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(done: bool, discovery: Option<&str>) -> Value {
        json!({
            "done": done,
            "model": "tcp_close",
            "recent_path": null,
            "properties": [
                ["Always", "graceful-close", discovery],
                ["Sometimes", "fin-wait-1", null],
            ],
        })
    }

    fn summaries(v: &Value) -> Vec<&str> {
        v["properties"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p[3]["summary"].as_str().unwrap())
            .collect()
    }

    /// Before "Run to completion" nothing is checked, whatever the checker's status says.
    #[test]
    fn before_run_to_completion_nothing_is_said_to_hold() {
        let mut v = status(true, None);
        annotate_status(&mut v, false);
        assert_eq!(v["done"], false);
        assert_eq!(v["recent_path"], NOT_CHECKED);
        assert_eq!(summaries(&v), ["Not checked yet: ", "Not checked yet: "]);
    }

    #[test]
    fn after_the_run_the_checker_s_findings_are_shown() {
        let mut v = status(false, Some("0/0/1"));
        annotate_status(&mut v, true);
        assert_eq!(summaries(&v), ["✗ Counterexample found: ", "Searching: "]);
        let mut v = status(true, None);
        annotate_status(&mut v, true);
        assert_eq!(
            summaries(&v),
            [
                "✓ Safety holds in every reachable state: ",
                "✗ Example not found: "
            ]
        );
    }

    #[test]
    fn the_page_loads_the_script_after_stateright_s() {
        let page = "<body>\n    <script src=\"app.js\"></script>\n</body>";
        let ours = with_script(page);
        let app = ours.find("\"app.js\"").unwrap();
        let script = ours.find("\"tcpip.js\"").unwrap();
        assert!(app < script, "{ours}");
    }
}
