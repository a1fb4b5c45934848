//! `tcpip-spec stack` against the Linux kernel, over a TUN (L3) or TAP (L2) device in a
//! private network namespace (`unshare -n`): nothing outside the namespace is touched.
//!
//! Each scenario sets up `tun0`/`tap0` with the kernel at 10.0.0.1, runs our stack at 10.0.0.2
//! with HTTP, TCP echo and UDP echo servers, and checks with the kernel as the client: `curl`
//! of 1 MiB, a TCP echo of 300 kB and UDP echo (python3), `ping`; then, with the kernel as the
//! server (python3 on 10.0.0.1:8080), our `connect` client moves 1 MiB each way. The sizes are
//! the same with injected loss and reordering (2% loss, 5% reordering, a seed per scenario),
//! where fast retransmit (RFC 5681 §3.2) and an RTO that comes back down after its backoff
//! (RFC 6298 §5) keep the transfers to seconds. Everything is compared byte for byte, and
//! both pcap files must pass tshark's checksum validation and expert analysis. Scenarios vary
//! the medium, fault injection, and the kernel's TCP options. Each run prints how long it and
//! each of its transfers took, and our stack's retransmission counts.
//!
//! These tests need root, `/dev/net/tun`, `unshare`, `ip`, `curl`, `ping`, `python3` and
//! `tshark`. `build.rs` compiles them as ignored (shown as such in the test summary) unless
//! it finds all of these or `CI=true`; in CI a missing one fails the test.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

const BIN: &str = env!("CARGO_BIN_EXE_tcpip-spec");

/// The python3 side: a TCP echo client, a UDP echo client, and a TCP server.
const HELPER: &str = r#"
import socket, sys, threading, time
mode = sys.argv[1]
if mode == "echo":
    host, port, path = sys.argv[2], int(sys.argv[3]), sys.argv[4]
    data = open(path, "rb").read()
    s = socket.create_connection((host, port), timeout=120)
    def send():
        s.sendall(data)
        s.shutdown(socket.SHUT_WR)
    t = threading.Thread(target=send); t.start()
    got = bytearray()
    while True:
        b = s.recv(65536)
        if not b: break
        got += b
    t.join(); s.close()
    if bytes(got) != data:
        print("tcp echo: got %d bytes, sent %d, equal prefix %s" % (len(got), len(data), bytes(got) == data[:len(got)]))
        sys.exit(1)
    print("tcp echo: %d bytes back byte-exact" % len(got))
elif mode == "udp":
    host, port = sys.argv[2], int(sys.argv[3])
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(0.5)
    for i, size in enumerate([1, 100, 1000, 1472]):
        msg = bytes((i * 7 + j) % 256 for j in range(size))
        for attempt in range(10):
            s.sendto(msg, (host, port))
            try:
                b, frm = s.recvfrom(65536)
            except socket.timeout:
                continue
            if b != msg or frm != (host, port):
                print("udp echo: wrong reply", len(b), frm); sys.exit(1)
            break
        else:
            print("udp echo: no reply for", size); sys.exit(1)
    print("udp echo: 4 datagrams back byte-exact")
elif mode == "server":
    port, send_path, recv_path = int(sys.argv[2]), sys.argv[3], sys.argv[4]
    data = open(send_path, "rb").read()
    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("10.0.0.1", port)); ls.listen(1)
    open("ready", "w").close()
    ls.settimeout(60)
    c, _ = ls.accept()
    c.settimeout(300)
    def send():
        c.sendall(data)
        c.shutdown(socket.SHUT_WR)
    t = threading.Thread(target=send); t.start()
    got = bytearray()
    while True:
        b = c.recv(65536)
        if not b: break
        got += b
    t.join(); c.close()
    open(recv_path, "wb").write(got)
    print("kernel server: sent %d, received %d" % (len(data), len(got)))
"#;

/// Why the environment cannot run these tests, if it cannot.
fn missing() -> Option<String> {
    let mut why = Vec::new();
    let uid = Command::new("id").arg("-u").output().ok();
    if uid.is_none_or(|o| String::from_utf8_lossy(&o.stdout).trim() != "0") {
        why.push("not root".to_string());
    }
    if !Path::new("/dev/net/tun").exists() {
        why.push("no /dev/net/tun".to_string());
    }
    for tool in [
        "unshare", "ip", "curl", "ping", "python3", "tshark", "timeout", "cmp",
    ] {
        let found = Command::new("sh")
            .args(["-c", &format!("command -v {tool}")])
            .output()
            .is_ok_and(|o| o.status.success());
        if !found {
            why.push(format!("{tool} not installed"));
        }
    }
    if why.is_empty() {
        let ok = Command::new("unshare")
            .args(["-n", "true"])
            .status()
            .is_ok_and(|s| s.success());
        if !ok {
            why.push("unshare -n fails (no CAP_SYS_ADMIN?)".to_string());
        }
    }
    (!why.is_empty()).then(|| why.join(", "))
}

/// Panics, saying what is missing, if the environment cannot run these tests. A test that
/// calls it is compiled as ignored unless `build.rs` found the environment ready or `CI=true`
/// (cfg `interop_env`), so reaching this with something missing means CI lacks a tool.
fn require_environment(test: &str) {
    if let Some(why) = missing() {
        panic!("{test}: the environment cannot run it: {why}");
    }
}

fn workdir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("kernel-interop-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

struct Scenario {
    name: &'static str,
    tap: bool,
    fault: Option<&'static str>,
    /// The kernel's TCP options switched off (`net.ipv4.` sysctls of the namespace):
    /// `tcp_timestamps`, `tcp_sack`, `tcp_window_scaling`.
    kernel_off: &'static [&'static str],
    /// Our stack with delayed ACK and fast retransmit off: RFC 9293 alone.
    rfc_9293_alone: bool,
}

/// Checks a capture with tshark: no bad IPv4/TCP/UDP checksum, no expert error (malformed).
fn tshark_clean(pcap: &Path) {
    // Port 8080 carries random bytes in the client run: decode it as data, not HTTP.
    let prefs = [
        "-d",
        "tcp.port==8080,data",
        "-o",
        "ip.check_checksum:TRUE",
        "-o",
        "tcp.check_checksum:TRUE",
        "-o",
        "udp.check_checksum:TRUE",
    ];
    let fields = Command::new("tshark")
        .arg("-r")
        .arg(pcap)
        .args(prefs)
        .args(["-T", "fields", "-e", "ip.src", "-e", "tcp.checksum"])
        .args(["-e", "ip.checksum.status", "-e", "tcp.checksum.status"])
        .args(["-e", "udp.checksum.status"])
        .output()
        .unwrap();
    assert!(fields.status.success(), "tshark failed on {pcap:?}");
    let text = String::from_utf8_lossy(&fields.stdout);
    let mut good = 0;
    for line in text.lines() {
        let f: Vec<&str> = line.split('\t').collect();
        let (src, tcp_checksum) = (f[0], f.get(1).copied().unwrap_or(""));
        for (i, status) in f.iter().enumerate().skip(2).filter(|(_, s)| !s.is_empty()) {
            // RFC 1624 §3: in ones' complement 0xffff and 0x0000 are the same checksum, and
            // the receiver's verification accepts both. Linux's incremental checksum updates
            // sometimes emit 0xffff where a full computation gives 0x0000, and tshark then
            // reports the kernel's segment as bad. Only the kernel's TCP segments get that
            // allowance; what our stack sends must be exactly right.
            let kernel_negative_zero = i == 3 && src == "10.0.0.1" && tcp_checksum == "0xffff";
            assert!(
                *status != "0" || kernel_negative_zero,
                "a bad checksum in {pcap:?}: {line}"
            );
            good += usize::from(*status == "1");
        }
    }
    assert!(good > 100, "too few verified checksums in {pcap:?}: {good}");
    let expert = Command::new("tshark")
        .arg("-r")
        .arg(pcap)
        .args(prefs)
        .args(["-q", "-z", "expert,error"])
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&expert.stdout);
    assert!(
        !out.contains("Errors") && !out.contains("Malformed"),
        "tshark expert errors in {pcap:?}:\n{out}"
    );
}

/// The kernel with none of RFC 7323 and RFC 2018.
const ALL_OFF: &[&str] = &["tcp_timestamps", "tcp_sack", "tcp_window_scaling"];

fn run(s: &Scenario) {
    require_environment(s.name);
    let dir = workdir(s.name);
    std::fs::write(dir.join("helper.py"), HELPER).unwrap();
    let (mode, dev, devflag) = if s.tap {
        ("tap", "tap0", "--tap tap0 --mac 02:00:00:00:00:02")
    } else {
        ("tun", "tun0", "--tun tun0")
    };
    // A 1 MiB buffer: windows beyond 65,535 octets where the kernel agrees to scaling.
    let mut fault = s.fault.map_or(String::new(), |f| format!("--fault {f}"));
    fault.push_str(" --tcp-buffer 1048576");
    if s.rfc_9293_alone {
        fault.push_str(" --no-delayed-ack --no-fast-retransmit");
    }
    // The same sizes with and without injected faults.
    let (big, echo) = (1_048_576, 300_000);
    let sysctl: String = s
        .kernel_off
        .iter()
        .map(|o| format!("sysctl -q -w net.ipv4.{o}=0\n"))
        .collect();
    let script = format!(
        r#"
set -eu
cd '{dir}'
ip link set lo up
ip tuntap add dev {dev} mode {mode}
ip addr add 10.0.0.1/24 dev {dev}
ip link set {dev} up
{sysctl}
trap 'kill $(jobs -p) 2>/dev/null || true' EXIT INT TERM
head -c {big} /dev/urandom > up.bin
head -c {big} /dev/urandom > down.bin
head -c {echo} /dev/urandom > echo.bin
wait_up() {{
  for i in $(seq 100); do ping -c 1 -W 1 10.0.0.2 >/dev/null 2>&1 && return 0; sleep 0.1; done
  echo "stack did not come up"; return 1
}}
T0=$(date +%s.%N)
took() {{ T1=$(date +%s.%N); awk "BEGIN {{ printf \"  (%s took %.1f s)\\n\", \"$1\", $T1 - $T0 }}"; T0=$T1; }}
# Bounded, so that a stack that does not stop cannot outlive the namespace's shell.
timeout -k 5 300 '{bin}' stack {devflag} --addr 10.0.0.2/24 --http 80 --tcp-echo 7 --udp-echo 7 {fault} --pcap server.pcap 2>server.err &
P=$!
wait_up
took "start"
n=$(timeout 120 curl -s --max-time 120 -w '%{{size_download}} bytes at %{{speed_download}} B/s' -o body.bin http://10.0.0.2/bytes/{big})
echo "curl: $n"; test "$(wc -c < body.bin)" -eq {big}
took "curl GET of {big} bytes"
code=$(timeout 30 curl -s -o /dev/null -w '%{{http_code}}' http://10.0.0.2/missing)
echo "curl /missing: $code"; test "$code" = 404
timeout 120 python3 helper.py echo 10.0.0.2 7 echo.bin
took "TCP echo of {echo} bytes"
timeout 60 python3 helper.py udp 10.0.0.2 7
ping -c 3 -i 0.2 -W 2 10.0.0.2 | tail -2
kill -TERM $P
wait $P && echo "server exit 0" || {{ echo "server exit $?"; cat server.err; exit 1; }}
tail -1 server.err
took "UDP echo, ping and exit"
timeout 300 python3 helper.py server 8080 down.bin got-up.bin &
S=$!
for i in $(seq 200); do test -e ready && break; sleep 0.05; done
timeout 300 '{bin}' stack {devflag} --addr 10.0.0.2/24 {fault} --pcap client.pcap connect 10.0.0.1:8080 < up.bin > got-down.bin 2>client.err || {{ echo "client exit $?"; cat client.err; exit 1; }}
echo "client exit 0"
tail -1 client.err
wait $S
cmp up.bin got-up.bin && cmp down.bin got-down.bin && echo "{big} bytes each way byte-exact"
took "client: {big} bytes each way"
"#,
        dir = dir.display(),
        bin = BIN,
        big = big,
        echo = echo,
    );
    let t = Instant::now();
    let out = Command::new("timeout")
        .args(["600", "unshare", "-n", "--kill-child", "sh", "-c", &script])
        .output()
        .expect("unshare");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    println!("{}: {:.1} s\n{stdout}", s.name, t.elapsed().as_secs_f64());
    assert!(
        out.status.success(),
        "{} failed ({}):\n{stdout}\n{stderr}",
        s.name,
        out.status
    );
    tshark_clean(&dir.join("server.pcap"));
    tshark_clean(&dir.join("client.pcap"));
    options_negotiated(s, &dir.join("server.pcap"), &dir.join("client.pcap"));
    let _ = std::fs::remove_dir_all(&dir);
}

/// Frames of `pcap` that tshark's display filter `filter` selects.
fn count(pcap: &Path, filter: &str) -> usize {
    let out = Command::new("tshark")
        .arg("-r")
        .arg(pcap)
        .args(["-Y", filter])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "tshark -Y '{filter}' failed on {pcap:?}"
    );
    String::from_utf8_lossy(&out.stdout).lines().count()
}

/// Our SYN,ACK (server run) carries exactly the options the kernel's SYN offered, and the
/// connection then honours them: with timestamps every segment of ours carries TSopt, with
/// window scaling our windows go out scaled (RFC 7323), with SACK neither side is refused
/// (RFC 2018). The client run's SYN offers all three.
fn options_negotiated(s: &Scenario, server: &Path, client: &Path) {
    let ours = "ip.src==10.0.0.2";
    let syn_ack = format!("{ours} && tcp.flags.syn==1 && tcp.flags.ack==1");
    assert!(
        count(server, &syn_ack) >= 1,
        "no SYN,ACK of ours in {server:?}"
    );
    for (sysctl, option) in [
        ("tcp_timestamps", "tcp.options.timestamp.tsval"),
        ("tcp_sack", "tcp.options.sack_perm"),
        ("tcp_window_scaling", "tcp.options.wscale.shift"),
    ] {
        let offered = !s.kernel_off.contains(&sysctl);
        let with = count(server, &format!("{syn_ack} && {option}"));
        let without = count(server, &format!("{syn_ack} && !{option}"));
        if offered {
            assert!(
                with >= 1 && without == 0,
                "{}: our SYN,ACK must carry {option}",
                s.name
            );
        } else {
            assert!(
                with == 0,
                "{}: our SYN,ACK must not carry {option} the kernel did not offer",
                s.name
            );
        }
        let syn = format!("{ours} && tcp.flags.syn==1 && tcp.flags.ack==0 && {option}");
        assert!(count(client, &syn) >= 1, "our SYN offers {option}");
    }
    if !s.kernel_off.contains(&"tcp_timestamps") {
        let bare = format!("{ours} && tcp && !tcp.flags.reset==1 && !tcp.options.timestamp.tsval");
        assert_eq!(
            count(server, &bare),
            0,
            "{}: every segment of ours but a RST carries TSopt (RFC 7323 §3.2)",
            s.name
        );
    }
}

#[test]
#[cfg_attr(
    not(interop_env),
    ignore = "needs root with unshare, ip, curl, ping, python3, tshark; set CI=true to require"
)]
fn tun_with_kernel_tcp_options() {
    run(&Scenario {
        name: "tun_with_kernel_tcp_options",
        tap: false,
        fault: None,
        kernel_off: &[],
        rfc_9293_alone: false,
    });
}

#[test]
#[cfg_attr(
    not(interop_env),
    ignore = "needs root with unshare, ip, curl, ping, python3, tshark; set CI=true to require"
)]
fn tun_without_kernel_tcp_options() {
    run(&Scenario {
        name: "tun_without_kernel_tcp_options",
        tap: false,
        fault: None,
        kernel_off: ALL_OFF,
        rfc_9293_alone: true,
    });
}

#[test]
#[cfg_attr(
    not(interop_env),
    ignore = "needs root with unshare, ip, curl, ping, python3, tshark; set CI=true to require"
)]
fn tun_with_loss_and_reordering() {
    run(&Scenario {
        name: "tun_with_loss_and_reordering",
        tap: false,
        fault: Some("loss=0.02,reorder=0.05,seed=7"),
        kernel_off: &[],
        rfc_9293_alone: false,
    });
}

#[test]
#[cfg_attr(
    not(interop_env),
    ignore = "needs root with unshare, ip, curl, ping, python3, tshark; set CI=true to require"
)]
fn tap_with_kernel_tcp_options() {
    run(&Scenario {
        name: "tap_with_kernel_tcp_options",
        tap: true,
        fault: None,
        kernel_off: &[],
        rfc_9293_alone: false,
    });
}

#[test]
#[cfg_attr(
    not(interop_env),
    ignore = "needs root with unshare, ip, curl, ping, python3, tshark; set CI=true to require"
)]
fn tap_without_kernel_tcp_options_with_loss_and_reordering() {
    run(&Scenario {
        name: "tap_without_kernel_tcp_options_with_loss_and_reordering",
        tap: true,
        fault: Some("loss=0.02,reorder=0.05,seed=11"),
        kernel_off: ALL_OFF,
        rfc_9293_alone: false,
    });
}

#[test]
#[cfg_attr(
    not(interop_env),
    ignore = "needs root with unshare, ip, curl, ping, python3, tshark; set CI=true to require"
)]
fn tap_with_loss_and_reordering() {
    run(&Scenario {
        name: "tap_with_loss_and_reordering",
        tap: true,
        fault: Some("loss=0.02,reorder=0.05,seed=3"),
        kernel_off: &[],
        rfc_9293_alone: false,
    });
}

#[test]
#[cfg_attr(
    not(interop_env),
    ignore = "needs root with unshare, ip, curl, ping, python3, tshark; set CI=true to require"
)]
fn tun_kernel_without_timestamps_with_loss() {
    run(&Scenario {
        name: "tun_kernel_without_timestamps_with_loss",
        tap: false,
        fault: Some("loss=0.02,reorder=0.05,seed=5"),
        kernel_off: &["tcp_timestamps"],
        rfc_9293_alone: false,
    });
}

#[test]
#[cfg_attr(
    not(interop_env),
    ignore = "needs root with unshare, ip, curl, ping, python3, tshark; set CI=true to require"
)]
fn tun_kernel_without_sack() {
    run(&Scenario {
        name: "tun_kernel_without_sack",
        tap: false,
        fault: None,
        kernel_off: &["tcp_sack"],
        rfc_9293_alone: false,
    });
}

#[test]
#[cfg_attr(
    not(interop_env),
    ignore = "needs root with unshare, ip, curl, ping, python3, tshark; set CI=true to require"
)]
fn tap_kernel_without_window_scaling_with_loss() {
    run(&Scenario {
        name: "tap_kernel_without_window_scaling_with_loss",
        tap: true,
        fault: Some("loss=0.02,reorder=0.05,seed=9"),
        kernel_off: &["tcp_window_scaling"],
        rfc_9293_alone: false,
    });
}

/// Usage errors need no privilege: one line on stderr, exit status 2, never a panic.
#[test]
fn stack_usage_errors_are_one_line_with_status_2() {
    let cases: &[&[&str]] = &[
        &[
            "stack",
            "--tun",
            "tun0",
            "--addr",
            "10.0.0.300/24",
            "--http",
            "80",
        ],
        &[
            "stack", "--tun", "tun0", "--addr", "10.0.0.2", "--http", "80",
        ],
        &["stack", "--tun", "tun0", "--addr", "10.0.0.2/24"],
        &["stack", "--addr", "10.0.0.2/24", "--http", "80"],
        &["stack", "--tun", "a", "--tap", "b", "--addr", "10.0.0.2/24"],
        &[
            "stack",
            "--tap",
            "tap0",
            "--mac",
            "02:00",
            "--addr",
            "10.0.0.2/24",
            "--http",
            "80",
        ],
        &[
            "stack",
            "--tun",
            "tun0",
            "--addr",
            "10.0.0.2/24",
            "--http",
            "80",
            "--fault",
            "loss=2",
        ],
        &[
            "stack",
            "--tun",
            "tun0",
            "--addr",
            "10.0.0.2/24",
            "--http",
            "80",
            "--bogus",
        ],
        &[
            "stack",
            "--tun",
            "tun0",
            "--addr",
            "10.0.0.2/24",
            "connect",
            "10.0.0.1",
        ],
        // Does not fit IFNAMSIZ: refused before any system call, with or without privilege.
        &[
            "stack",
            "--tun",
            "a-name-far-too-long-for-linux",
            "--addr",
            "10.0.0.2/24",
            "--http",
            "80",
        ],
    ];
    for args in cases {
        let out = Command::new(BIN).args(*args).output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert_eq!(err.trim_end().lines().count(), 1, "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{args:?}: {err}");
    }
}

/// A device of the wrong kind (TAP asked on a TUN) is a usage error too; needs root.
#[test]
#[cfg_attr(
    not(interop_env),
    ignore = "needs root with unshare, ip, curl, ping, python3, tshark; set CI=true to require"
)]
fn attaching_to_a_device_of_the_wrong_kind_is_a_usage_error() {
    require_environment("attaching_to_a_device_of_the_wrong_kind_is_a_usage_error");
    let script = format!(
        "ip tuntap add dev tun0 mode tun; '{BIN}' stack --tap tun0 --addr 10.0.0.2/24 --http 80; echo \"status $?\""
    );
    let out = Command::new("unshare")
        .args(["-n", "sh", "-c", &script])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("status 2"), "{stdout} {err}");
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    assert!(err.contains("tun0"), "{err}");
}
