//! Goodput of our stack against Linux's across the very same emulated path.
//!
//! For each path, the sender's application bytes per second, as timed by the same receiver
//! (a Linux socket in namespace B, from `accept` to end of file) for:
//!
//! - Linux → Linux: a Linux socket in namespace A sends, with `cubic`, then with `reno`
//!   (chosen per route, see `tests/common/netns.rs`), to Linux in namespace B;
//! - ours → Linux: our [`Host`] (`src/stack`, on Ethernet, default configuration) sends to
//!   Linux in namespace B.
//!
//! Every frame either way goes through [`Emulator`] (`src/stack/emulator.rs`): one
//! [`Link`] per direction with the path's one-way delay, loss, reordering and bottleneck,
//! decisions drawn from a fixed seed. The paths (RTT 20 ms each):
//!
//! 1. 1% random loss each way;
//! 2. 5% of frames each way held back by up to 10 ms more, so that later ones overtake them;
//! 3. a 100 Mbit/s bottleneck each way with a drop-tail queue of one bandwidth-delay product
//!    (250 kB), no random loss.
//!
//! Each sender runs three rounds (`GOODPUT_RUNS=N` for another number), the senders taking
//! turns within a round so that all meet the same changes in the load of a shared machine, and
//! the links of round `r` seeded with `13 + r`; the table shows the median and the range.
//! The ratio ours/Linux (of medians) is recorded in `bench-results/goodput.json` (rendered
//! into REPORT.md by `tcpip-spec report`), and the bytes in flight (SND.NXT − SND.UNA, read
//! from our connection's TCB) over time of our first transfer on path 1 in
//! `bench-results/series/goodput-inflight.json`.
//!
//! Run with `cargo bench --bench goodput` as root on Linux with `/dev/net/tun` and `ip`
//! (iproute2). Elsewhere it prints one `goodput: SKIPPED (...)` line and records nothing.
//! `GOODPUT_MIB=N` moves N MiB on every path instead of the defaults (for a quick look; the
//! recorded results are then marked with it).
//!
//! The benchmark's own binary is the Linux sender and receiver: it runs itself inside a
//! namespace (`ip netns exec`) with `--goodput-helper send|recv ADDR:PORT BYTES`.

#[path = "../tests/common/netns.rs"]
mod netns;

use netns::Namespace;
use serde::Serialize;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Ipv4Addr, Shutdown, SocketAddrV4, TcpListener, TcpStream};
use std::process::{Child, ChildStdout, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};
use tcpip_spec::bench_results::{self, BenchTable};
use tcpip_spec::stack::emulator::{Emulator, Tap};
use tcpip_spec::stack::link::{Bottleneck, Faults, Link, LinkStats};
use tcpip_spec::stack::{Host, HostConfig, Medium, TcpHandle};
use tcpip_spec::wire::EthernetAddress;

const HELPER: &str = "--goodput-helper";
const SENDER: Ipv4Addr = Ipv4Addr::new(10, 0, 0, 1);
const RECEIVER: Ipv4Addr = Ipv4Addr::new(10, 0, 0, 2);
const PORT: u16 = 5001;
/// The most a transfer may take before it is recorded as not finished.
const LIMIT: Duration = Duration::from_secs(120);
const SEED: u64 = 13;

/// Set by SIGINT or SIGTERM: the transfer under way stops, and the namespaces and devices are
/// removed on the way out instead of left behind.
static STOP: std::sync::LazyLock<Arc<AtomicBool>> =
    std::sync::LazyLock::new(|| Arc::new(AtomicBool::new(false)));

fn stopped() -> bool {
    STOP.load(Ordering::Relaxed)
}

/// The byte at `offset` of every transfer: a period of 251 (prime), so that a segment moved,
/// repeated or dropped shows.
fn pattern_byte(offset: u64) -> u8 {
    (offset % 251) as u8
}

/// 64 KiB of the pattern starting anywhere: slice it at `offset % 251`.
fn pattern_buffer() -> Vec<u8> {
    (0..65536 + 251).map(pattern_byte).collect()
}

/// The Linux ends, run inside a namespace. `recv` prints `ready` once listening, then
/// `received BYTES SECONDS` (from accept to end of file) if every byte matched the pattern.
fn helper(args: &[String]) -> Result<(), String> {
    let [mode, addr, bytes] = args else {
        return Err(format!("usage: {HELPER} send|recv ADDR:PORT BYTES"));
    };
    let addr: SocketAddrV4 = addr.parse().map_err(|e| format!("{addr}: {e}"))?;
    let bytes: u64 = bytes.parse().map_err(|e| format!("{bytes}: {e}"))?;
    let pattern = pattern_buffer();
    match mode.as_str() {
        "send" => {
            let mut s = TcpStream::connect(addr).map_err(|e| format!("connect: {e}"))?;
            let mut sent = 0u64;
            while sent < bytes {
                let off = (sent % 251) as usize;
                let n = (bytes - sent).min(65536) as usize;
                s.write_all(&pattern[off..off + n])
                    .map_err(|e| format!("write: {e}"))?;
                sent += n as u64;
            }
            s.shutdown(Shutdown::Write)
                .map_err(|e| format!("shutdown: {e}"))?;
            // Wait for the receiver's FIN, so that everything was delivered before exit.
            let _ = s.read(&mut [0; 16]);
            Ok(())
        }
        "recv" => {
            let l = TcpListener::bind(addr).map_err(|e| format!("bind: {e}"))?;
            println!("ready");
            std::io::stdout().flush().map_err(|e| e.to_string())?;
            let (mut s, _) = l.accept().map_err(|e| format!("accept: {e}"))?;
            let start = Instant::now();
            let mut buf = vec![0u8; 1 << 20];
            let mut got = 0u64;
            loop {
                let n = s.read(&mut buf).map_err(|e| format!("read: {e}"))?;
                if n == 0 {
                    break;
                }
                let off = (got % 251) as usize;
                for (chunk, i) in buf[..n].chunks(65536).zip(0..) {
                    let o = (off + i * 65536) % 251;
                    if chunk != &pattern[o..o + chunk.len()] {
                        return Err(format!("corrupt within bytes {got}..{}", got + n as u64));
                    }
                }
                got += n as u64;
            }
            let secs = start.elapsed().as_secs_f64();
            if got != bytes {
                return Err(format!("received {got} bytes of {bytes}"));
            }
            println!("received {got} {secs}");
            Ok(())
        }
        other => Err(format!("unknown mode {other}")),
    }
}

/// A child process killed and reaped on drop.
struct Helper {
    child: Child,
    out: BufReader<ChildStdout>,
}

impl Helper {
    fn spawn(ns: &Namespace, mode: &str, bytes: u64) -> std::io::Result<Helper> {
        let exe = std::env::current_exe()?;
        let mut child = ns
            .command(exe)
            .args([
                HELPER,
                mode,
                &format!("{RECEIVER}:{PORT}"),
                &bytes.to_string(),
            ])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .spawn()?;
        let out = BufReader::new(child.stdout.take().expect("piped"));
        Ok(Helper { child, out })
    }

    fn line(&mut self) -> String {
        let mut s = String::new();
        let _ = self.out.read_line(&mut s);
        s.trim().to_string()
    }

    fn exited(&mut self) -> bool {
        !matches!(self.child.try_wait(), Ok(None))
    }
}

impl Drop for Helper {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One path: the same link description each way.
struct PathSpec {
    name: &'static str,
    faults: Faults,
    bottleneck: Option<Bottleneck>,
    bytes: u64,
}

impl PathSpec {
    fn links(&self, seed: u64) -> (Link, Link) {
        let mk = |seed| {
            let l = Link::new(self.faults, seed);
            match self.bottleneck {
                Some(b) => l.with_bottleneck(b),
                None => l,
            }
        };
        (mk(seed), mk(seed.rotate_left(17) ^ 1))
    }
}

fn paths(mib_override: Option<u64>) -> Vec<PathSpec> {
    let one_way = Duration::from_millis(10);
    let mut lossy = Faults::clean(one_way);
    lossy.loss = 0.01;
    let mut reordering = Faults::clean(one_way);
    reordering.reorder = 0.05;
    reordering.reorder_delay = Duration::from_millis(10);
    let mib = |default: u64| mib_override.unwrap_or(default) << 20;
    vec![
        PathSpec {
            name: "RTT 20 ms, 1% loss",
            faults: lossy,
            bottleneck: None,
            bytes: mib(8),
        },
        PathSpec {
            name: "RTT 20 ms, 5% reordered (up to +10 ms)",
            faults: reordering,
            bottleneck: None,
            bytes: mib(32),
        },
        PathSpec {
            name: "RTT 20 ms, 100 Mbit/s bottleneck, 250 kB queue",
            faults: Faults::clean(one_way),
            bottleneck: Some(Bottleneck {
                bits_per_sec: 100_000_000,
                queue_bytes: 250_000,
            }),
            bytes: mib(32),
        },
    ]
}

/// What one transfer measured.
struct Outcome {
    /// Application bytes per second at the receiver, or why there is none.
    goodput: Result<f64, String>,
    forward: LinkStats,
    backward: LinkStats,
    /// Our stack's segments sent again on a timeout, on the third duplicate ACK and on a
    /// partial ACK, its retransmissions found lost, and its recoveries undone, when ours sent.
    retransmissions: Option<[u64; 5]>,
    /// Our connection's bytes in flight over time, when ours sent (see [`InFlight`]).
    in_flight: Vec<(f64, u32, u32, u32)>,
}

/// Reads the receiver's result once it has exited.
fn receiver_result(r: &mut Helper, finished: bool) -> Result<f64, String> {
    if stopped() {
        return Err("interrupted".to_string());
    }
    // The pump stops once the receiver has exited, so its last line can be read.
    if !finished || !r.exited() {
        return Err(format!("not finished in {} s", LIMIT.as_secs()));
    }
    let line = r.line();
    let status = r.child.wait().map_err(|e| e.to_string())?;
    let mut f = line.split_whitespace();
    match (f.next(), f.next(), f.next()) {
        (Some("received"), Some(bytes), Some(secs)) if status.success() => {
            let bytes: f64 = bytes.parse().map_err(|_| line.clone())?;
            let secs: f64 = secs.parse().map_err(|_| line.clone())?;
            Ok(bytes / secs)
        }
        _ => Err(format!("receiver failed ({status}): {line}")),
    }
}

fn names(tag: &str) -> (String, String) {
    let pid = std::process::id();
    (format!("emu{pid}{tag}a"), format!("emu{pid}{tag}b"))
}

/// Linux in namespace A sends `path.bytes` to Linux in namespace B, both with `congestion`.
fn linux_to_linux(path: &PathSpec, congestion: &str, seed: u64) -> Result<Outcome, String> {
    let e = |e: std::io::Error| e.to_string();
    let (a, b) = names("k");
    let ns_a = Namespace::new(&a).map_err(e)?;
    let ns_b = Namespace::new(&b).map_err(e)?;
    let tap_a = ns_a
        .add_tap(&a, &format!("{SENDER}/24"), congestion)
        .map_err(e)?;
    let tap_b = ns_b
        .add_tap(&b, &format!("{RECEIVER}/24"), congestion)
        .map_err(e)?;
    let mut receiver = Helper::spawn(&ns_b, "recv", path.bytes).map_err(e)?;
    if receiver.line() != "ready" {
        return Err("the receiver did not start".into());
    }
    let (ab, ba) = path.links(seed);
    let mut emu = Emulator::new(Tap::new(tap_a), Tap::new(tap_b), ab, ba);
    let _sender = Helper::spawn(&ns_a, "send", path.bytes).map_err(e)?;
    let finished = emu
        .run(LIMIT, |_, _| receiver.exited() || stopped())
        .map_err(e)?;
    Ok(Outcome {
        goodput: receiver_result(&mut receiver, finished),
        forward: emu.ab.stats,
        backward: emu.ba.stats,
        retransmissions: None,
        in_flight: Vec::new(),
    })
}

/// Bytes in flight of our connection over time.
/// One sample of the series: seconds, flight, cwnd, ssthresh.
type Sample = (f64, u32, u32, u32);

#[derive(Serialize)]
struct InFlight {
    path: String,
    seed: u64,
    what: &'static str,
    /// `[seconds since the connection was opened, SND.NXT - SND.UNA, cwnd, ssthresh]`, one
    /// sample whenever one of them changed, as seen once per turn of the pump (ssthresh is
    /// 4294967295 until the first loss).
    samples: Vec<(f64, u32, u32, u32)>,
}

/// Our host at 10.0.0.1 sends `path.bytes` to Linux in namespace B.
fn ours_to_linux(path: &PathSpec, seed: u64) -> Result<Outcome, String> {
    let e = |e: std::io::Error| e.to_string();
    let (_, b) = names("o");
    let ns_b = Namespace::new(&b).map_err(e)?;
    let tap_b = ns_b
        .add_tap(&b, &format!("{RECEIVER}/24"), "cubic")
        .map_err(e)?;
    let mut receiver = Helper::spawn(&ns_b, "recv", path.bytes).map_err(e)?;
    if receiver.line() != "ready" {
        return Err("the receiver did not start".into());
    }
    let mac = EthernetAddress([0x02, 0, 0, 0, 0, 0x01]);
    let mut cfg = HostConfig::new(Medium::Ethernet { mac }, SENDER, 24, seed);
    // Buffers of the order Linux's autotuning reaches on these paths (tcp_wmem/tcp_rmem go up
    // to 4 and 6 MiB): the window, not the buffer, is what the run measures.
    cfg.tcp_tx_buffer = 4 << 20;
    cfg.tcp_rx_buffer = 4 << 20;
    let host = Host::new(cfg);
    let (ab, ba) = path.links(seed);
    let mut emu = Emulator::new(host, Tap::new(tap_b), ab, ba);
    let pattern = pattern_buffer();
    let mut conn: Option<(TcpHandle, Duration)> = None;
    let (mut sent, mut closed) = (0u64, false);
    let mut samples: Vec<(f64, u32, u32, u32)> = Vec::new();
    let mut failed = None;
    let finished = emu
        .run(LIMIT, |emu, now| {
            let host = &mut emu.a;
            let (h, opened) = match conn {
                Some(c) => c,
                None => match host.tcp_connect(now, SocketAddrV4::new(RECEIVER, PORT)) {
                    Ok(h) => *conn.insert((h, now)),
                    Err(err) => {
                        failed = Some(format!("connect: {err:?}"));
                        return true;
                    }
                },
            };
            while sent < path.bytes {
                let off = (sent % 251) as usize;
                let n = (path.bytes - sent).min(65536) as usize;
                let k = host.tcp_send(now, h, &pattern[off..off + n]);
                if k == 0 {
                    break;
                }
                sent += k as u64;
            }
            // CLOSE only once the connection is open: in SYN-SENT it deletes the connection
            // with everything queued (RFC 9293 §3.10.4), which a transfer smaller than the
            // send buffer reaches at once.
            let open = host
                .tcp_state(h)
                .is_some_and(|s| s != tcpip_spec::tcp::State::SynSent);
            if sent == path.bytes && !closed && open {
                host.tcp_close(now, h);
                closed = true;
            }
            if let Some(c) = host.tcp_conn(h) {
                let (cwnd, ssthresh) = c
                    .congestion()
                    .map_or((0, 0), |cc| (cc.cwnd(), cc.ssthresh()));
                let sample = (c.flight(), cwnd, ssthresh);
                if samples.last().is_none_or(|s| (s.1, s.2, s.3) != sample) {
                    samples.push(((now - opened).as_secs_f64(), sample.0, sample.1, sample.2));
                }
            }
            receiver.exited() || stopped()
        })
        .map_err(e)?;
    if let Some(f) = failed {
        return Err(f);
    }
    let c = emu.a.counters();
    let outcome = Outcome {
        goodput: receiver_result(&mut receiver, finished),
        forward: emu.ab.stats,
        backward: emu.ba.stats,
        retransmissions: Some([
            c.retransmit_timeouts,
            c.fast_retransmits,
            c.partial_ack_retransmits,
            c.retransmissions_lost,
            c.spurious_recoveries,
        ]),
        in_flight: samples,
    };
    Ok(outcome)
}

/// Several rounds of one sender on one path.
struct Rounds(Vec<Outcome>);

impl Rounds {
    /// The median goodput in bytes per second, if every round finished.
    fn median(&self) -> Result<f64, String> {
        let mut g = Vec::new();
        for o in &self.0 {
            g.push(o.goodput.clone()?);
        }
        g.sort_by(f64::total_cmp);
        g.get(g.len() / 2)
            .copied()
            .ok_or_else(|| "no round".to_string())
    }

    /// `median (min–max)` in Mbit/s, or why there is none.
    fn cell(&self) -> String {
        let mbit = |g: f64| g * 8.0 / 1e6;
        match self.median() {
            Ok(m) => {
                let g = self.0.iter().filter_map(|o| o.goodput.as_ref().ok());
                let lo = g.clone().copied().fold(f64::INFINITY, f64::min);
                let hi = g.copied().fold(0.0, f64::max);
                format!("{:.1} ({:.1}–{:.1})", mbit(m), mbit(lo), mbit(hi))
            }
            Err(e) => format!("— ({e})"),
        }
    }

    /// What the path did in the data and the ACK direction, summed over the rounds.
    fn stats(&self) -> (LinkStats, LinkStats) {
        let add = |a: LinkStats, b: LinkStats| LinkStats {
            sent: a.sent + b.sent,
            queue_full: a.queue_full + b.queue_full,
            lost: a.lost + b.lost,
            duplicated: a.duplicated + b.duplicated,
            reordered: a.reordered + b.reordered,
        };
        self.0
            .iter()
            .fold((LinkStats::default(), LinkStats::default()), |(f, b), o| {
                (add(f, o.forward), add(b, o.backward))
            })
    }
}

fn ratio(ours: &Rounds, linux: &Rounds) -> String {
    match (ours.median(), linux.median()) {
        (Ok(o), Ok(l)) => format!("{:.2}", o / l),
        _ => "—".to_string(),
    }
}

fn stats_cell(s: &LinkStats) -> String {
    format!(
        "{} sent, {} lost, {} reordered, {} queue-dropped",
        s.sent, s.lost, s.reordered, s.queue_full
    )
}

/// The three senders on `path`, `runs` rounds in which they take turns, the links seeded
/// with `SEED + round`.
fn measure(path: &PathSpec, runs: u64) -> Result<[Rounds; 3], String> {
    let (mut cubic, mut reno, mut ours) = (Vec::new(), Vec::new(), Vec::new());
    let go_on = |o: Outcome| {
        if stopped() {
            Err("interrupted".to_string())
        } else {
            Ok(o)
        }
    };
    for round in 0..runs {
        let seed = SEED + round;
        cubic.push(go_on(linux_to_linux(path, "cubic", seed)?)?);
        reno.push(go_on(linux_to_linux(path, "reno", seed)?)?);
        ours.push(go_on(ours_to_linux(path, seed)?)?);
    }
    Ok([Rounds(cubic), Rounds(reno), Rounds(ours)])
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().is_some_and(|a| a == HELPER) {
        if let Err(e) = helper(&args[1..]) {
            println!("error: {e}");
            std::process::exit(1);
        }
        return;
    }
    if let Some(why) = netns::missing() {
        println!("goodput: SKIPPED ({why}); nothing measured, nothing recorded");
        return;
    }
    let env = |name| std::env::var(name).ok().and_then(|v| v.parse::<u64>().ok());
    for sig in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
        if let Err(e) = signal_hook::flag::register(sig, Arc::clone(&STOP)) {
            eprintln!("goodput: cannot handle signal {sig}: {e}");
            std::process::exit(1);
        }
    }
    let mib_override = env("GOODPUT_MIB");
    let runs = env("GOODPUT_RUNS").unwrap_or(3).max(1);
    let mut table = BenchTable::new(
        "Goodput across an emulated path: Linux → Linux and ours → Linux (Mbit/s, median \
         (min–max))",
        &[
            "path",
            "MiB moved",
            "Linux cubic",
            "Linux reno",
            "ours",
            "ours / cubic",
            "ours / reno",
        ],
    );
    let mut links = BenchTable::new(
        &format!(
            "Goodput runs: what the emulated path did, frames summed over {runs} rounds, and \
             our retransmissions"
        ),
        &[
            "path",
            "sender",
            "data direction",
            "ACK direction",
            "ours sent again: timeout / fast / partial ACK / lost again; recoveries undone",
        ],
    );
    let mut series = None;
    let mut failed = false;
    for path in paths(mib_override) {
        let measured = measure(&path, runs);
        if stopped() {
            println!("goodput: interrupted; everything made was removed, nothing recorded");
            std::process::exit(130);
        }
        let (cubic, reno, mut ours) = match measured {
            Ok([c, r, o]) => (c, r, o),
            Err(err) => {
                eprintln!("goodput: {}: setting up failed: {err}", path.name);
                failed = true;
                continue;
            }
        };
        println!(
            "{:48} Linux cubic {} Mbit/s, reno {} Mbit/s, ours {} Mbit/s, ours/cubic {}, \
             ours/reno {}",
            path.name,
            cubic.cell(),
            reno.cell(),
            ours.cell(),
            ratio(&ours, &cubic),
            ratio(&ours, &reno)
        );
        table.row(vec![
            path.name.to_string(),
            (path.bytes >> 20).to_string(),
            cubic.cell(),
            reno.cell(),
            ours.cell(),
            ratio(&ours, &cubic),
            ratio(&ours, &reno),
        ]);
        for (who, r) in [
            ("Linux cubic", &cubic),
            ("Linux reno", &reno),
            ("ours", &ours),
        ] {
            let (forward, backward) = r.stats();
            let again =
                r.0.iter()
                    .filter_map(|o| o.retransmissions)
                    .reduce(|a, b| std::array::from_fn(|i| a[i] + b[i]));
            links.row(vec![
                path.name.to_string(),
                who.to_string(),
                stats_cell(&forward),
                stats_cell(&backward),
                again.map_or(String::new(), |[t, f, p, l, u]| {
                    format!("{t} / {f} / {p} / {l} / {u}")
                }),
            ]);
        }
        if series.is_none() && path.faults.loss > 0.0 {
            series = Some(InFlight {
                path: path.name.to_string(),
                seed: SEED,
                what: "bytes in flight (SND.NXT - SND.UNA), cwnd and ssthresh of our sender over time",
                samples: std::mem::take(&mut ours.0[0].in_flight),
            });
        }
    }
    table.notes.push(format!(
        "Goodput is application bytes over the time from accept to end of file, timed by the \
         same Linux receiver for every sender; {runs} rounds in which the three senders take \
         turns, the links seeded with {SEED} + round. Linux's controller is set per route \
         (congctl); ours runs its CUBIC (RFC 9438) with SACK recovery (RFC 6675), window \
         scaling and timestamps, 4 MiB buffers. The ratios are of medians."
    ));
    table.notes.push(
        "The path is emulated in user space by `tcpip_spec::stack::emulator` between TAP \
         devices in network namespaces (frames leave on a clock of about 1 ms); see \
         benches/goodput.rs. Loss and reordering apply to both directions (ACKs too). The \
         first two paths have no rate limit: there Linux is bounded by the pump and the two \
         kernels sharing the machine's cores."
            .to_string(),
    );
    if let Some(m) = mib_override {
        table
            .notes
            .push(format!("Run with GOODPUT_MIB={m}: {m} MiB on every path."));
    }
    if let Some(s) = &series {
        match bench_results::save_series("goodput-inflight", s) {
            Ok(p) => println!("bytes in flight recorded in {}", p.display()),
            Err(e) => {
                eprintln!("could not record the series: {e}");
                failed = true;
            }
        }
        let kib = |v: u32| f64::from(v) / 1024.0;
        let line = |name, color, f: &dyn Fn(&Sample) -> f64| bench_results::PlotLine {
            name,
            color,
            points: s.samples.iter().map(|p| (p.0, f(p))).collect(),
        };
        let cwnd_max = s.samples.iter().map(|p| kib(p.2)).fold(1.0, f64::max);
        let svg = bench_results::line_plot_svg(
            &format!(
                "Our CUBIC sender on \"{}\" (seed {}): one recorded transfer",
                s.path, s.seed
            ),
            "seconds since the connection opened",
            "KiB",
            cwnd_max * 1.5,
            &[
                line("bytes in flight", "#1f5fbf", &|p| kib(p.1)),
                line("cwnd", "#c0392b", &|p| kib(p.2)),
                line("ssthresh (capped)", "#2e7d32", &|p| kib(p.3)),
            ],
        );
        let path = bench_results::results_dir().join("goodput-cwnd.svg");
        match std::fs::write(&path, svg) {
            Ok(()) => println!(
                "plot of cwnd, ssthresh and the flight in {}",
                path.display()
            ),
            Err(e) => {
                eprintln!("could not write the plot: {e}");
                failed = true;
            }
        }
    }
    if table.rows.is_empty() {
        eprintln!("goodput: no path could be measured");
        std::process::exit(1);
    }
    match bench_results::save("goodput", vec![table, links]) {
        Ok(p) => println!("recorded in {}", p.display()),
        Err(e) => {
            eprintln!("could not record the results: {e}");
            failed = true;
        }
    }
    if failed {
        std::process::exit(1);
    }
}
