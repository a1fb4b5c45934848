//! Throughput and memory of `tcpip-spec conform` on a headers-only bulk capture (issue 14
//! asks for 1 million TCP segments per second on one of at least a million segments,
//! streaming, with memory independent of the capture's length).
//!
//! Two `tcp::Connection`s move a bulk transfer to each other in virtual time (handshake,
//! text one way with delayed acknowledgments, both closes), and every segment is written to a
//! pcap file cut to its headers (snaplen of 20 + the TCP header, as `tcpdump -s 96` would),
//! one file of about a quarter of a million segments and one of over a million. Each file is
//! judged, as the command line does (read from the file, split, judged as it streams), in a
//! child process of this benchmark, so that its peak resident memory (VmHWM) is its own; the
//! best of 3 runs counts. A peer reads the same file in the same run: etherparse parsing every
//! frame's IPv4 and TCP headers (a lower bound on any judge), and tshark printing every
//! segment's sequence number when it is installed.
//!
//! Run with `cargo bench --bench conform` (`CONFORM_BENCH_SEGMENTS` sets the larger size,
//! default 1,100,000; `CONFORM_BENCH_KEEP=1` keeps the files in the temporary directory, to
//! profile `tcpip-spec conform` on them).

use std::fs::File;
use std::io::{BufWriter, Read, Write};
use std::net::Ipv4Addr;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use tcpip_spec::bench_results::{self, BenchTable, child_words, peak_kib};
use tcpip_spec::capture::Capture;
use tcpip_spec::conform::{self, Options, Verdict};
use tcpip_spec::tcp::{Config, Connection, Segment, Seq, State};
use tcpip_spec::wire::{self, ipv4::IpProtocol};

const CHILD: &str = "TCPIP_SPEC_BENCH_CHILD";
const A: Ipv4Addr = Ipv4Addr::new(10, 0, 0, 1);
const B: Ipv4Addr = Ipv4Addr::new(10, 0, 0, 2);

/// Writes segments as raw-IPv4 pcap records cut to their headers.
struct Recorder {
    out: BufWriter<File>,
    buf: Vec<u8>,
    segments: u64,
}

impl Recorder {
    fn new(path: &Path) -> Recorder {
        let mut out = BufWriter::with_capacity(1 << 20, File::create(path).expect("temp file"));
        let mut header = Vec::new();
        header.extend(0xa1b2_c3d4u32.to_le_bytes());
        header.extend(2u16.to_le_bytes());
        header.extend(4u16.to_le_bytes());
        header.extend([0; 8]);
        header.extend(96u32.to_le_bytes());
        header.extend(101u32.to_le_bytes());
        out.write_all(&header).expect("write");
        Recorder {
            out,
            buf: Vec::new(),
            segments: 0,
        }
    }

    fn record(&mut self, now: Duration, from_a: bool, s: &Segment) {
        let (src, dst, sport, dport) = if from_a {
            (A, B, 40000, 80)
        } else {
            (B, A, 80, 40000)
        };
        let tcp = wire::tcp::Repr {
            src_port: sport,
            dst_port: dport,
            seq: s.seq,
            ack: s.ack,
            flags: s.ctl,
            window: s.wnd,
            urgent: 0,
            mss: s.mss,
            window_scale: s.opt.window_scale,
            sack_permitted: s.opt.sack_permitted,
            sack_blocks: s.opt.sack.to_wire(),
            timestamps: s.opt.timestamps,
            payload_len: s.data.len(),
        };
        let ip = wire::ipv4::Repr {
            src_addr: src,
            dst_addr: dst,
            protocol: IpProtocol::Tcp,
            payload_len: tcp.buffer_len(),
            ttl: 64,
            dscp: 0,
            ecn: 0,
            ident: 0,
            dont_frag: true,
            options_len: 0,
        };
        let headers = ip.header_len() + tcp.header_len();
        let total = ip.header_len() + tcp.buffer_len();
        self.buf.clear();
        self.buf.resize(total, 0);
        self.buf[headers..].copy_from_slice(&s.data);
        let (ip_bytes, tcp_bytes) = self.buf.split_at_mut(ip.header_len());
        ip.emit(&mut wire::ipv4::Packet::new_unchecked(&mut ip_bytes[..]));
        tcp.emit(&mut wire::tcp::Packet::new_unchecked(tcp_bytes), src, dst);
        let mut rec = Vec::with_capacity(16);
        rec.extend(
            u32::try_from(now.as_secs())
                .unwrap_or(u32::MAX)
                .to_le_bytes(),
        );
        rec.extend(now.subsec_micros().to_le_bytes());
        rec.extend((headers as u32).to_le_bytes());
        rec.extend((total as u32).to_le_bytes());
        self.out.write_all(&rec).expect("write");
        self.out.write_all(&self.buf[..headers]).expect("write");
        self.segments += 1;
    }
}

/// A bulk transfer from A to B of at least `segments` segments in all, both closes, written
/// headers-only to `path`; returns how many segments were written.
fn bulk(path: &Path, segments: u64) -> u64 {
    let cfg = Config {
        delayed_ack: true,
        mss: 1460,
        rcv_wnd: 1 << 20,
        snd_buf: 1 << 20,
        ..Config::default().with_extensions()
    };
    let (mut a, mut b) = (Connection::new(cfg), Connection::new(cfg));
    let mut rec = Recorder::new(path);
    let mut now = Duration::from_secs(1);
    let delay = Duration::from_micros(50);
    b.open_passive(now).unwrap();
    a.open_active(now, Seq(0x1234_5678)).unwrap();
    let chunk = vec![0u8; 1 << 16];
    let mut closing = false;
    loop {
        // One segment each way at a time, B reading at once: the capture point sees them
        // in the order each side sends them.
        let mut moved = false;
        if let Some(s) = a.poll_transmit(now) {
            rec.record(now, true, &s);
            now += delay;
            b.on_listen_segment(now, &s, Seq(0x9abc_def0));
            b.discard_received(now);
            moved = true;
        }
        if let Some(s) = b.poll_transmit(now) {
            rec.record(now, false, &s);
            now += delay;
            a.on_segment(now, &s);
            moved = true;
        }
        if a.state() == State::Established && !closing {
            if rec.segments >= segments {
                let _ = a.close(now);
                closing = true;
            } else {
                let _ = a.send(now, &chunk);
            }
        }
        if closing && b.state() == State::CloseWait {
            let _ = b.close(now);
        }
        if a.state() == State::TimeWait && matches!(b.state(), State::Closed) {
            break;
        }
        if !moved {
            let next = [a.poll_timeout(), b.poll_timeout()]
                .into_iter()
                .flatten()
                .min();
            match next {
                Some(t) => {
                    now = now.max(t);
                    a.handle_timeout(now);
                    b.handle_timeout(now);
                }
                None => break,
            }
        }
    }
    rec.out.flush().expect("flush");
    rec.segments
}

/// In the child: judges `path` as `tcpip-spec conform` does, and prints `segments seconds
/// peak_kib verdicts`.
fn child(path: &str) {
    let start = Instant::now();
    let capture = Capture::open(path).expect("capture");
    let report = conform::judge_capture(capture, Options::default()).expect("judged");
    let secs = start.elapsed().as_secs_f64();
    assert!(
        report
            .endpoints
            .iter()
            .all(|e| !matches!(e.verdict, Verdict::Violates(_))),
        "our own connections' capture violates"
    );
    let verdicts: Vec<String> = report
        .endpoints
        .iter()
        .map(|e| e.verdict.name().to_string())
        .collect();
    println!(
        "{} {secs:.4} {} {}",
        report.summary.tcp_segments,
        peak_kib(),
        verdicts.join(",")
    );
}

/// Best of 3 children judging `path`: (segments, seconds, peak KiB, verdicts).
fn judge(path: &Path) -> (u64, f64, u64, String) {
    let mut best: Option<(u64, f64, u64, String)> = None;
    for _ in 0..3 {
        let f = child_words(CHILD, &path.to_string_lossy());
        let run = (
            f[0].parse().unwrap(),
            f[1].parse().unwrap(),
            f[2].parse().unwrap(),
            f[3].to_string(),
        );
        if best.as_ref().is_none_or(|b| run.1 < b.1) {
            best = Some(run);
        }
    }
    best.expect("three runs")
}

/// Seconds for etherparse to read every record of `path` and parse its IPv4 and TCP
/// headers (best of 3), and the TCP segments it found.
fn etherparse_peer(path: &Path) -> (f64, u64) {
    let mut best = f64::MAX;
    let mut found = 0;
    for _ in 0..3 {
        let start = Instant::now();
        let mut input = std::io::BufReader::with_capacity(1 << 16, File::open(path).unwrap());
        let mut header = [0u8; 24];
        input.read_exact(&mut header).unwrap();
        let mut rec = [0u8; 16];
        let mut data = vec![0u8; 65536];
        let mut n = 0u64;
        let mut sum = 0u64;
        while input.read_exact(&mut rec).is_ok() {
            let caplen = u32::from_le_bytes(rec[8..12].try_into().unwrap()) as usize;
            input.read_exact(&mut data[..caplen]).unwrap();
            let (ip, rest) = etherparse::Ipv4HeaderSlice::from_slice(&data[..caplen])
                .map(|h| (h.to_header(), &data[h.slice().len()..caplen]))
                .unwrap();
            if ip.protocol == etherparse::IpNumber::TCP
                && let Ok(tcp) = etherparse::TcpHeaderSlice::from_slice(rest)
            {
                n += 1;
                sum = sum.wrapping_add(u64::from(tcp.sequence_number()));
            }
        }
        std::hint::black_box(sum);
        best = best.min(start.elapsed().as_secs_f64());
        found = n;
    }
    (best, found)
}

/// Seconds for `tshark -r FILE -T fields -e tcp.seq` (best of 3), if tshark runs.
fn tshark_peer(path: &Path) -> Option<f64> {
    let mut best = f64::MAX;
    for _ in 0..3 {
        let start = Instant::now();
        let status = Command::new("tshark")
            .args(["-n", "-r"])
            .arg(path)
            .args(["-T", "fields", "-e", "tcp.seq"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .ok()?;
        if !status.success() {
            return None;
        }
        best = best.min(start.elapsed().as_secs_f64());
    }
    Some(best)
}

fn main() {
    if let Ok(path) = std::env::var(CHILD) {
        child(&path);
        return;
    }
    let big: u64 = std::env::var("CONFORM_BENCH_SEGMENTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_100_000);
    let dir = std::env::temp_dir();
    let mut table = BenchTable::new(
        "conform: a headers-only bulk capture judged as it streams",
        &[
            "segments",
            "file MiB",
            "seconds",
            "segments/s",
            "peak MiB",
            "etherparse segments/s",
            "tshark segments/s",
            "judge / etherparse",
            "judge / tshark",
            "verdicts",
        ],
    );
    for target in [big / 4, big] {
        let path: PathBuf = dir.join(format!("tcpip-spec-conform-bench-{target}.pcap"));
        let written = bulk(&path, target);
        let mib = std::fs::metadata(&path).map_or(0, |m| m.len()) as f64 / (1 << 20) as f64;
        let (segments, secs, kib, verdicts) = judge(&path);
        assert_eq!(segments, written, "every segment written is read");
        let rate = segments as f64 / secs;
        let (ep_secs, ep_found) = etherparse_peer(&path);
        assert_eq!(ep_found, written);
        let ep_rate = segments as f64 / ep_secs;
        let ts_rate = tshark_peer(&path).map(|s| segments as f64 / s);
        if std::env::var_os("CONFORM_BENCH_KEEP").is_none() {
            let _ = std::fs::remove_file(&path);
        }
        println!(
            "conform: {segments} segments ({mib:.0} MiB headers-only) in {secs:.3} s: \
             {rate:.0} segments/s, peak {:.0} MiB; etherparse {ep_rate:.0}/s{}; {verdicts}",
            kib as f64 / 1024.0,
            ts_rate.map_or(String::new(), |r| format!(", tshark {r:.0}/s"))
        );
        table.row(vec![
            segments.to_string(),
            format!("{mib:.0}"),
            format!("{secs:.3}"),
            format!("{rate:.0}"),
            format!("{:.1}", kib as f64 / 1024.0),
            format!("{ep_rate:.0}"),
            ts_rate.map_or("not installed".into(), |r| format!("{r:.0}")),
            format!("{:.3}", rate / ep_rate),
            ts_rate.map_or("-".into(), |r| format!("{:.1}", rate / r)),
            verdicts,
        ]);
    }
    table.notes.push(
        "Two tcp::Connections move a bulk transfer in virtual time (timestamps, window \
         scaling, SACK, delayed ACKs; both close) and every segment is written headers-only \
         (raw IPv4, caplen = IP + TCP header). The judge reads the file as `tcpip-spec \
         conform FILE` does (strict profile), in its own child process: peak MiB is that \
         process's VmHWM, and staying flat as the capture grows fourfold is the streaming. \
         etherparse only parses each frame's IPv4 and TCP headers from the same file (a \
         floor for any reader); tshark prints each segment's sequence number. Best of 3."
            .to_string(),
    );
    println!("{}", table.markdown());
    let path = bench_results::save("conform", vec![table]).expect("results written");
    println!("recorded in {}", path.display());
}
