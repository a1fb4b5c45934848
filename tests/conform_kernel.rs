//! `tcpip-spec conform` on captures the Linux kernel makes with itself, recorded here and now:
//! a private network namespace (`unshare -n`), its loopback, python3 sockets on both ends,
//! tshark writing a headers-only pcap (snaplen 128). Nothing outside the namespace is touched,
//! and no capture is stored in the repository, so the verdicts cannot be tuned to a file.
//!
//! Every endpoint of every scenario (handshake and close in both orders and at once,
//! half-close, abort, RST to a closed port, a bulk transfer of 2 MB, UDP to a closed port
//! answered by ICMP, ping) must conform under `--profile linux`; mutated copies (a wrong ACK, a
//! FIN dropped whose acknowledgment remains, a shrunk window, a RST out of window) must be
//! rejected at the mutated frame, or at the first frame that depends on it; and the abort
//! must violate without the profile (Linux's RST,ACK, RFC 9293 §3.10.5).
//!
//! These need root, `unshare`, `ip`, `python3` and `tshark`: `build.rs` compiles them as
//! ignored unless it finds the kernel interop environment or `CI=true` (cfg `interop_env`);
//! in CI a missing tool fails them.

#[path = "conform/mutate.rs"]
mod mutate;

use mutate::*;
use std::path::Path;
use std::process::Command;
use tcpip_spec::conform::{Kind, Profile, Verdict};
use tcpip_spec::tcp::Ctl;

const BIN: &str = env!("CARGO_BIN_EXE_tcpip-spec");

/// The python3 side of every scenario, on 127.0.0.1.
const SCENARIOS: &str = r#"
import socket, struct, sys, threading, time
mode = sys.argv[1]
def pair():
    ls = socket.socket(); ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("127.0.0.1", 8080)); ls.listen(4)
    c = socket.create_connection(("127.0.0.1", 8080))
    s, _ = ls.accept()
    return ls, c, s
def exchange(c, s):
    c.sendall(b"hello"); assert s.recv(100) == b"hello"
    s.sendall(b"world" * 3); got = b""
    while len(got) < 15: got += c.recv(100)
if mode == "client-closes":
    ls, c, s = pair(); exchange(c, s)
    c.close(); time.sleep(0.1); assert s.recv(10) == b""; s.close()
elif mode == "server-closes":
    ls, c, s = pair(); exchange(c, s)
    s.close(); time.sleep(0.1); assert c.recv(10) == b""; c.close()
elif mode == "both-close":
    ls, c, s = pair(); exchange(c, s)
    c.shutdown(socket.SHUT_WR); s.shutdown(socket.SHUT_WR)
    time.sleep(0.1); c.close(); s.close()
elif mode == "half-close":
    ls, c, s = pair(); exchange(c, s)
    c.shutdown(socket.SHUT_WR); assert s.recv(10) == b""
    for i in range(20): s.sendall(bytes(1000)); time.sleep(0.005)
    s.close(); got = 0
    while True:
        b = c.recv(65536)
        if not b: break
        got += len(b)
    assert got == 20000; c.close()
elif mode == "abort":
    ls, c, s = pair(); exchange(c, s)
    c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)); c.close()
    time.sleep(0.1); s.close()
elif mode == "refused":
    try:
        socket.create_connection(("127.0.0.1", 8081)); sys.exit("connected")
    except ConnectionRefusedError:
        pass
elif mode == "bulk":
    ls, c, s = pair()
    data = bytes(range(256)) * 8192
    def rd():
        n = 0
        while True:
            b = s.recv(1 << 16)
            if not b: break
            n += len(b)
        assert n == len(data); s.close()
    t = threading.Thread(target=rd); t.start()
    c.sendall(data); c.shutdown(socket.SHUT_WR); c.recv(1); c.close(); t.join()
elif mode == "udp":
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u.sendto(b"anyone?", ("127.0.0.1", 9999)); time.sleep(0.1)
time.sleep(0.2)
"#;

/// Why the environment cannot record, if it cannot.
fn missing() -> Option<String> {
    let mut why = Vec::new();
    let uid = Command::new("id").arg("-u").output().ok();
    if uid.is_none_or(|o| String::from_utf8_lossy(&o.stdout).trim() != "0") {
        why.push("not root".to_string());
    }
    for tool in ["unshare", "ip", "python3", "tshark", "ping", "timeout"] {
        let found = Command::new("sh")
            .args(["-c", &format!("command -v {tool}")])
            .output()
            .is_ok_and(|o| o.status.success());
        if !found {
            why.push(format!("{tool} not installed"));
        }
    }
    (!why.is_empty()).then(|| why.join(", "))
}

/// Records `mode` in a fresh namespace; the pcap file's bytes.
fn record(mode: &str) -> Vec<u8> {
    if let Some(why) = missing() {
        panic!("conform_kernel: the environment cannot record captures: {why}");
    }
    let dir = std::env::temp_dir().join(format!("conform-kernel-{mode}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("scenarios.py"), SCENARIOS).unwrap();
    let app = if mode == "ping" {
        "ping -c 2 -i 0.2 127.0.0.1 >/dev/null".to_string()
    } else {
        format!("python3 scenarios.py {mode}")
    };
    let script = format!(
        "cd {dir} && ip link set lo up && \
         (tshark -i lo -w capture.pcap -F pcap -s 128 -q >tshark.log 2>&1 & echo $! > tshark.pid) && \
         for i in $(seq 100); do [ -s capture.pcap ] && break; sleep 0.1; done && sleep 1.5 && \
         {app}; status=$?; sleep 1; kill $(cat tshark.pid); wait; exit $status",
        dir = dir.display()
    );
    let out = Command::new("timeout")
        .args(["120", "unshare", "-n", "--kill-child", "sh", "-c", &script])
        .output()
        .expect("unshare");
    assert!(
        out.status.success(),
        "recording {mode} failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let file = std::fs::read(dir.join("capture.pcap")).unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    file
}

/// Records `mode` and asserts that every endpoint conforms under `--profile linux`, through
/// the command line as a user runs it (exit 0) and through the library.
fn conforms(mode: &str) -> Vec<u8> {
    let file = record(mode);
    // Kept where a failure leaves it, for `tcpip-spec conform` by hand.
    let path = std::env::temp_dir().join(format!("conform-kernel-{mode}.pcap"));
    std::fs::write(&path, &file).unwrap();
    let r = assert_conforms(&file, Profile::Linux);
    assert!(!r.endpoints.is_empty(), "{mode}: nothing recorded");
    let cli = Command::new(BIN)
        .args(["conform", "--profile", "linux"])
        .arg(&path)
        .output()
        .unwrap();
    assert_eq!(
        cli.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&cli.stdout)
    );
    let _ = std::fs::remove_file(Path::new(&path));
    file
}

macro_rules! kernel_test {
    ($name:ident, $body:block) => {
        #[test]
        #[cfg_attr(
            not(interop_env),
            ignore = "needs root with unshare, ip, python3, tshark, ping; set CI=true to require"
        )]
        fn $name() $body
    };
}

kernel_test!(conform_kernel_client_closes_first, {
    let file = conforms("client-closes");
    let r = judge(&file, Profile::Linux);
    let states: Vec<Vec<&str>> = r
        .endpoints
        .iter()
        .map(|e| e.states.iter().map(|s| s.name()).collect())
        .collect();
    assert_eq!(states[0].last(), Some(&"TIME-WAIT"), "{states:?}");
    assert_eq!(states[1].last(), Some(&"CLOSED"), "{states:?}");
});

kernel_test!(conform_kernel_server_closes_first, {
    conforms("server-closes");
});

kernel_test!(conform_kernel_both_close_at_once, {
    conforms("both-close");
});

kernel_test!(conform_kernel_half_close, {
    conforms("half-close");
});

kernel_test!(conform_kernel_abort_needs_the_linux_profile, {
    let file = conforms("abort");
    let r = judge(&file, Profile::Linux);
    assert!(
        r.endpoints
            .iter()
            .any(|e| e.allowances.iter().any(|a| a.name() == "rst-ack-on-abort"))
    );
    let strict = judge(&file, Profile::Strict);
    let rst = segments(&file).into_iter().find(|s| s.flags.rst()).unwrap();
    assert_eq!(
        first_violation(&strict),
        Some(rst.frame),
        "{}",
        show(&strict)
    );
});

kernel_test!(conform_kernel_rst_to_a_closed_port, {
    let file = conforms("refused");
    let segs = segments(&file);
    assert!(segs.iter().any(|s| s.flags == Ctl::RST | Ctl::ACK));
});

kernel_test!(conform_kernel_bulk_transfer, {
    let file = conforms("bulk");
    assert!(segments(&file).len() > 30);
});

kernel_test!(conform_kernel_udp_to_a_closed_port, {
    let file = conforms("udp");
    let r = judge(&file, Profile::Linux);
    assert!(
        r.endpoints
            .iter()
            .any(|e| e.kind == Kind::Udp && e.segments > 0)
    );
});

kernel_test!(conform_kernel_ping, {
    let file = conforms("ping");
    let r = judge(&file, Profile::Linux);
    assert!(
        r.endpoints
            .iter()
            .any(|e| e.kind == Kind::Icmp && e.verdict == Verdict::Conforms)
    );
});

/// The first segment sent by the client (`from_client`) or the server matching `pick`.
fn find(file: &[u8], from_client: bool, pick: impl Fn(&Seen) -> bool) -> Seen {
    let segs = segments(file);
    let client = segs[0].src;
    segs.into_iter()
        .find(|s| (s.src == client) == from_client && pick(s))
        .expect("no such segment")
}

kernel_test!(conform_kernel_mutations_are_rejected_where_they_are, {
    let file = record("client-closes");
    assert_conforms(&file, Profile::Linux);
    // A wrong acknowledgment: the server's ACK of the client's text.
    let ack = find(&file, false, |s| s.flags == Ctl::ACK && s.len == 0);
    let r = judge(
        &mutate(&file, ack.frame, Mutation::AddAck(1000)),
        Profile::Linux,
    );
    assert_eq!(first_violation(&r), Some(ack.frame), "{}", show(&r));
    // The client's FIN dropped, its acknowledgment kept: the server acknowledges a sequence
    // number it never received.
    let fin = find(&file, true, |s| s.flags.fin());
    let fin_end = fin.seq.wrapping_add(fin.len as u32).wrapping_add(1);
    let acked = find(&file, false, |s| s.frame > fin.frame && s.ack == fin_end);
    let r = judge(
        &mutate(&file, fin.frame, Mutation::ClearFlags(0x01)),
        Profile::Linux,
    );
    assert_eq!(first_violation(&r), Some(acked.frame), "{}", show(&r));
    // The server's text segment offering a zero window: its right edge moves left.
    let text = find(&file, false, |s| s.len > 0);
    let r = judge(
        &mutate(&file, text.frame, Mutation::Window(0)),
        Profile::Linux,
    );
    assert_eq!(first_violation(&r), Some(text.frame), "{}", show(&r));

    let file = record("abort");
    let rst = find(&file, true, |s| s.flags.rst());
    let r = judge(
        &mutate(&file, rst.frame, Mutation::AddSeq(1 << 20)),
        Profile::Linux,
    );
    assert_eq!(first_violation(&r), Some(rst.frame), "{}", show(&r));
});
