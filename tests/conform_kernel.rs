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
#[path = "common/netns.rs"]
mod netns;

use mutate::*;
use netns::Namespace;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;
use tcpip_spec::capture::Packet;
use tcpip_spec::conform::{Kind, Profile, Verdict};
use tcpip_spec::stack::emulator::{Emulator, Tap};
use tcpip_spec::stack::link::{Faults, Link, LinkStats};
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
    let r = conforms_file(mode, &file);
    assert!(!r.endpoints.is_empty(), "{mode}: nothing recorded");
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

/// The kernels' ends across the path emulator: namespace A is 10.0.0.1, namespace B is
/// 10.0.0.2. `recv N` prints `ready` once listening on 7002, reads one connection to its end
/// and checks its N octets; `send N` sends them; `open ME MYPORT PEER PEERPORT AT` binds and
/// connects at the wall-clock time AT (both ends at once: a simultaneous open), sends, reads
/// the other's text and closes.
const EMULATED: &str = r#"
import socket, sys, time
mode = sys.argv[1]
def pattern(n):
    return (bytes(range(251)) * (n // 251 + 1))[:n]
if mode == "recv":
    n = int(sys.argv[2])
    ls = socket.socket(); ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("10.0.0.2", 7002)); ls.listen(1)
    print("ready", flush=True)
    ls.settimeout(60); c, _ = ls.accept(); c.settimeout(60)
    got = bytearray()
    while True:
        b = c.recv(65536)
        if not b: break
        got += b
    assert bytes(got) == pattern(n), len(got)
    c.close()
elif mode == "send":
    n = int(sys.argv[2])
    s = socket.create_connection(("10.0.0.2", 7002), timeout=60)
    s.sendall(pattern(n)); s.shutdown(socket.SHUT_WR); s.recv(1); s.close()
elif mode == "open":
    me, port, peer, peer_port, at = sys.argv[2], int(sys.argv[3]), sys.argv[4], int(sys.argv[5]), float(sys.argv[6])
    s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((me, port)); s.settimeout(30)
    time.sleep(max(0.0, at - time.time()))
    s.connect((peer, peer_port))
    s.sendall(me.encode()); got = b""
    while len(got) < len(peer):
        got += s.recv(100)
    assert got == peer.encode(), got
    s.shutdown(socket.SHUT_WR)
    while s.recv(100): pass
    s.close()
"#;

/// What to run across the emulated path.
enum Across {
    /// A in namespace A sends this many octets to B.
    Bulk(usize),
    /// Both ends connect to each other at the same moment.
    SimultaneousOpen,
}

/// Records `what` between two kernels, each in its own namespace behind a TAP device, joined
/// by the path emulator with `faults` each way (seeded: the same frames are lost on every
/// run of the same kernel behaviour). tshark captures on A's device with `snaplen` (0: whole
/// frames), so A's segments are seen before the path and B's after it. The pcap's bytes, and
/// what the path did each way (A to B, B to A).
fn record_across(
    tag: &str,
    what: Across,
    faults: Faults,
    snaplen: u32,
) -> (Vec<u8>, LinkStats, LinkStats) {
    if let Some(why) = missing().or_else(netns::missing) {
        panic!("conform_kernel: the environment cannot record captures: {why}");
    }
    let pid = std::process::id();
    let dir = std::env::temp_dir().join(format!("conform-emulated-{tag}-{pid}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let script = dir.join("emulated.py");
    std::fs::write(&script, EMULATED).unwrap();
    let pcap = dir.join("capture.pcap");
    let (a, b) = (
        format!("ck{pid}{}a", &tag[..2]),
        format!("ck{pid}{}b", &tag[..2]),
    );
    let ns_a = Namespace::new(&a).unwrap();
    let ns_b = Namespace::new(&b).unwrap();
    let tap_a = ns_a.add_tap(&a, "10.0.0.1/24", "cubic").unwrap();
    let tap_b = ns_b.add_tap(&b, "10.0.0.2/24", "cubic").unwrap();
    let mut tshark = Reaped(
        ns_a.command("tshark")
            .args([
                "-i",
                &a,
                "-F",
                "pcap",
                "-q",
                "-s",
                &snaplen.to_string(),
                "-w",
            ])
            .arg(&pcap)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    for _ in 0..100 {
        if std::fs::metadata(&pcap).is_ok_and(|m| m.len() > 0) {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    std::thread::sleep(Duration::from_millis(500));
    let mut emu = Emulator::new(
        Tap::new(tap_a),
        Tap::new(tap_b),
        Link::new(faults, 0x5eed_0001),
        Link::new(faults, 0x5eed_0002),
    );
    let python = |ns: &Namespace, args: &[String]| {
        let mut c = ns.command("python3");
        c.arg(&script).args(args);
        c
    };
    let mut ends = Vec::new();
    match what {
        Across::Bulk(n) => {
            let mut recv = python(&ns_b, &["recv".into(), n.to_string()])
                .stdout(Stdio::piped())
                .spawn()
                .unwrap();
            let mut line = String::new();
            BufReader::new(recv.stdout.take().unwrap())
                .read_line(&mut line)
                .unwrap();
            assert_eq!(line.trim(), "ready");
            ends.push(Reaped(recv));
            ends.push(Reaped(
                python(&ns_a, &["send".into(), n.to_string()])
                    .spawn()
                    .unwrap(),
            ));
        }
        Across::SimultaneousOpen => {
            let at = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_secs_f64()
                + 1.0;
            for (ns, me, port, peer, peer_port) in [
                (&ns_a, "10.0.0.1", "7001", "10.0.0.2", "7002"),
                (&ns_b, "10.0.0.2", "7002", "10.0.0.1", "7001"),
            ] {
                let args = ["open", me, port, peer, peer_port, &at.to_string()];
                let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
                ends.push(Reaped(python(ns, &args).spawn().unwrap()));
            }
        }
    }
    let finished = emu
        .run(Duration::from_secs(120), |_, _| {
            ends.iter_mut().all(|e| !matches!(e.0.try_wait(), Ok(None)))
        })
        .unwrap();
    assert!(finished, "{tag}: the ends did not finish within 120 s");
    for e in &mut ends {
        let status = e.0.wait().unwrap();
        assert!(status.success(), "{tag}: an end failed: {status}");
    }
    // The last acknowledgments cross the path, then the capture ends.
    let at = emu.now();
    emu.run(Duration::from_secs(3600), |_, now| {
        now > at + Duration::from_millis(500)
    })
    .unwrap();
    let _ = Command::new("kill")
        .args(["-INT", &tshark.0.id().to_string()])
        .status();
    let _ = tshark.0.wait();
    println!(
        "{tag}: A to B {:?}; B to A {:?}",
        emu.ab.stats, emu.ba.stats
    );
    let file = std::fs::read(&pcap).unwrap();
    let kept = std::env::temp_dir().join(format!("conform-kernel-{tag}.pcap"));
    std::fs::write(&kept, &file).unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    (file, emu.ab.stats, emu.ba.stats)
}

/// A child process killed and reaped on drop, so that a failing test leaves none behind.
struct Reaped(std::process::Child);

impl Drop for Reaped {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Every endpoint of `file` conforms under `--profile linux`, as the command line says too
/// (reading it from where `file` was kept, `conform-kernel-TAG.pcap` in the temporary
/// directory).
fn conforms_file(tag: &str, file: &[u8]) -> tcpip_spec::conform::Report {
    let r = assert_conforms(file, Profile::Linux);
    let path = std::env::temp_dir().join(format!("conform-kernel-{tag}.pcap"));
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
    r
}

kernel_test!(conform_kernel_bulk_with_loss, {
    let mut faults = Faults::clean(Duration::from_millis(5));
    faults.loss = 0.02;
    let (file, ab, ba) = record_across("loss", Across::Bulk(1 << 20), faults, 0);
    assert!(
        ab.lost > 0 && ba.lost > 0,
        "the path lost nothing: {ab:?} {ba:?}"
    );
    let r = conforms_file("loss", &file);
    assert!(!retransmissions(&file).is_empty());
    assert!(r.endpoints.iter().any(|e| e.kind == Kind::Arp));
});

kernel_test!(conform_kernel_bulk_with_reordering_and_duplication, {
    let mut faults = Faults::clean(Duration::from_millis(5));
    faults.reorder = 0.05;
    faults.reorder_delay = Duration::from_millis(5);
    faults.duplicate = 0.01;
    let (file, ab, ba) = record_across("reorder", Across::Bulk(1 << 20), faults, 128);
    assert!(
        ba.reordered > 0 && ab.reordered + ab.duplicated + ba.duplicated > 0,
        "the path changed nothing: {ab:?} {ba:?}"
    );
    conforms_file("reorder", &file);
});

kernel_test!(conform_kernel_simultaneous_open, {
    let (file, _, _) = record_across(
        "simopen",
        Across::SimultaneousOpen,
        Faults::clean(Duration::from_millis(20)),
        128,
    );
    let r = conforms_file("simopen", &file);
    let tcp: Vec<_> = r.endpoints.iter().filter(|e| e.kind == Kind::Tcp).collect();
    assert_eq!(tcp.len(), 2, "{}", show(&r));
    for e in &tcp {
        let states: Vec<&str> = e.states.iter().map(|s| s.name()).collect();
        assert!(
            states.windows(2).any(|w| w == ["SYN-SENT", "SYN-RECEIVED"]),
            "{}: {states:?}",
            e.endpoint
        );
    }
    // Linux establishes on the crossing SYN,ACK (RFC 9293 Figure 7 line 6) and sends text
    // before the peer's ACK arrives; the event processing of §3.10.7.4 waits for that ACK.
    assert!(
        tcp.iter().any(|e| e
            .allowances
            .iter()
            .any(|a| a.name() == "syn-ack-in-syn-received")),
        "{}",
        show(&r)
    );
    let strict = judge(&file, Profile::Strict);
    let text = segments(&file).into_iter().find(|s| s.len > 0).unwrap();
    assert!(
        first_violation(&strict).is_some_and(|f| f <= text.frame),
        "{}",
        show(&strict)
    );
});

/// The retransmitted segments of `file` (the same sequence number sent twice by one end).
fn retransmissions(file: &[u8]) -> Vec<Seen> {
    let mut seen = std::collections::HashSet::new();
    segments(file)
        .into_iter()
        .filter(|s| s.len > 0 && !seen.insert((s.src, s.seq)))
        .collect()
}

kernel_test!(
    conform_kernel_mutations_of_replies_and_retransmissions_are_rejected,
    {
        // A retransmission whose text differs from what was sent first (RFC 9293 §3.10.7.4: the
        // sequence numbers name the octets; a retransmission resends them).
        let mut faults = Faults::clean(Duration::from_millis(5));
        faults.loss = 0.02;
        let (file, _, _) = record_across("remut", Across::Bulk(256 << 10), faults, 0);
        assert_conforms(&file, Profile::Linux);
        let again = retransmissions(&file);
        let client = segments(&file)[0].src;
        let resent = again
            .iter()
            .find(|s| s.src == client)
            .expect("the sender retransmitted nothing: the path lost nothing");
        let r = judge(&mutate(&file, resent.frame, Mutation::Text), Profile::Linux);
        assert_eq!(first_violation(&r), Some(resent.frame), "{}", show(&r));

        // An ARP reply sent to a hardware address other than the requester's (RFC 826).
        let reply = frames(&file)
            .into_iter()
            .find_map(|(n, p)| match p {
                Packet::Arp(a) if a.operation == tcpip_spec::wire::arp::Operation::Reply => Some(n),
                _ => None,
            })
            .expect("no ARP reply recorded");
        let r = judge(
            &edit_frame(&file, reply, |arp| arp[18] ^= 0x02),
            Profile::Linux,
        );
        assert_eq!(first_violation(&r), Some(reply), "{}", show(&r));

        // An echo reply with another sequence number than the request's (RFC 792).
        let file = record("ping");
        assert_conforms(&file, Profile::Linux);
        let reply = frames(&file)
            .into_iter()
            .find_map(|(n, p)| match p {
                Packet::Icmp { icmp, .. }
                    if matches!(icmp.repr, tcpip_spec::wire::icmp::Repr::EchoReply { .. }) =>
                {
                    Some(n)
                }
                _ => None,
            })
            .expect("no echo reply recorded");
        let r = judge(
            &edit_frame(&file, reply, |ip| {
                let at = usize::from(ip[0] & 0x0f) * 4 + 7;
                ip[at] ^= 0x10;
            }),
            Profile::Linux,
        );
        assert_eq!(first_violation(&r), Some(reply), "{}", show(&r));

        // Text after the FIN: the client's last acknowledgment carries five octets beyond it.
        let file = record("client-closes");
        let fin = find(&file, true, |s| s.flags.fin());
        let last = find(&file, true, |s| s.frame > fin.frame && s.len == 0);
        let r = judge(&append_text(&file, last.frame, 5), Profile::Linux);
        assert_eq!(first_violation(&r), Some(last.frame), "{}", show(&r));
    }
);
