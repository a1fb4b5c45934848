//! The path emulator (`tcpip_spec::stack::emulator`) between two Linux kernels: each in its own
//! network namespace behind a TAP device whose descriptor this process holds, the kernel in
//! namespace A sends 2 MiB of random bytes over TCP (python3 sockets) to the kernel in
//! namespace B through a link that loses 3% and reorders 5% of the frames each way. The bytes
//! must arrive intact, and the link must have lost frames (or the test proved nothing).
//!
//! Needs root, `/dev/net/tun`, `ip` and `python3`. `build.rs` compiles it as ignored (shown as
//! such in the test summary) unless it finds the kernel interop environment (cfg
//! `interop_env`) or `CI=true`; in CI a missing tool fails it.

#[path = "common/netns.rs"]
mod netns;

use netns::Namespace;
use std::io::{BufRead, BufReader};
use std::process::{Child, Stdio};
use std::time::Duration;
use tcpip_spec::stack::emulator::{Emulator, Tap};
use tcpip_spec::stack::link::{Faults, Link};

/// The kernels' ends: `recv PATH` prints `ready` once listening on 10.0.0.2:5001 and writes
/// what one connection brings to PATH; `send PATH` sends PATH's bytes there.
const HELPER: &str = r#"
import socket, sys
mode, path = sys.argv[1], sys.argv[2]
if mode == "recv":
    ls = socket.socket()
    ls.bind(("10.0.0.2", 5001)); ls.listen(1)
    print("ready", flush=True)
    ls.settimeout(60)
    c, _ = ls.accept()
    c.settimeout(60)
    got = bytearray()
    while True:
        b = c.recv(65536)
        if not b: break
        got += b
    c.close()
    open(path, "wb").write(got)
    print("received", len(got), flush=True)
else:
    data = open(path, "rb").read()
    s = socket.create_connection(("10.0.0.2", 5001), timeout=60)
    s.sendall(data)
    s.shutdown(socket.SHUT_WR)
    s.recv(1)
    s.close()
"#;

/// A child process killed and reaped on drop, so that a failing test leaves none behind.
struct Reaped(Child);

impl Drop for Reaped {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Deterministic bytes that no segment boundary can line up with (xorshift64).
fn random_bytes(n: usize, mut x: u64) -> Vec<u8> {
    (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect()
}

#[test]
#[cfg_attr(
    not(interop_env),
    ignore = "needs root with /dev/net/tun, ip and python3; set CI=true to require"
)]
fn kernel_to_kernel_through_a_lossy_reordering_link_arrives_intact() {
    if let Some(why) = netns::missing() {
        panic!("the environment cannot run this test: {why}");
    }
    let dir = std::env::temp_dir().join(format!("emulator-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (sent, got, script) = (dir.join("sent"), dir.join("got"), dir.join("helper.py"));
    let data = random_bytes(2 << 20, 0x1234_5678_9abc_def1);
    std::fs::write(&sent, &data).unwrap();
    std::fs::write(&script, HELPER).unwrap();

    let pid = std::process::id();
    let (a, b) = (format!("emt{pid}a"), format!("emt{pid}b"));
    let ns_a = Namespace::new(&a).unwrap();
    let ns_b = Namespace::new(&b).unwrap();
    let tap_a = ns_a.add_tap(&a, "10.0.0.1/24", "cubic").unwrap();
    let tap_b = ns_b.add_tap(&b, "10.0.0.2/24", "cubic").unwrap();

    let mut receiver = Reaped(
        ns_b.command("python3")
            .arg(&script)
            .args(["recv".as_ref(), got.as_os_str()])
            .stdout(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let mut out = BufReader::new(receiver.0.stdout.take().unwrap());
    let mut line = String::new();
    out.read_line(&mut line).unwrap();
    assert_eq!(line.trim(), "ready");

    let mut faults = Faults::clean(Duration::from_millis(5));
    faults.loss = 0.03;
    faults.reorder = 0.05;
    faults.reorder_delay = Duration::from_millis(5);
    let mut emu = Emulator::new(
        Tap::new(tap_a),
        Tap::new(tap_b),
        Link::new(faults, 21),
        Link::new(faults, 22),
    );
    let _sender = Reaped(
        ns_a.command("python3")
            .arg(&script)
            .args(["send".as_ref(), sent.as_os_str()])
            .spawn()
            .unwrap(),
    );
    let finished = emu
        .run(Duration::from_secs(120), |_, _| {
            !matches!(receiver.0.try_wait(), Ok(None))
        })
        .unwrap();
    assert!(finished, "the transfer did not end within 120 s");
    let status = receiver.0.wait().unwrap();
    line.clear();
    out.read_line(&mut line).unwrap();
    assert!(status.success(), "receiver: {status}, {line}");

    let s = emu.ab.stats;
    println!("data direction: {s:?}; ACK direction: {:?}", emu.ba.stats);
    assert!(s.lost > 10 && s.reordered > 10, "{s:?}");
    let received = std::fs::read(&got).unwrap();
    assert_eq!(received.len(), data.len(), "{line}");
    assert!(received == data, "the bytes differ");
    let _ = std::fs::remove_dir_all(&dir);
}
