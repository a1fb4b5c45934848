//! Throughput of `tcpip-spec conform` (issue 14 asks for 1 million TCP segments per second on
//! a headers-only bulk capture; this measures where the judge stands): our own stack moves
//! `MB` megabytes over the clean in-memory link and the capture is judged, split included,
//! with no profile. Prints segments judged per second (best of 3) and the verdicts.
//!
//! Run with `cargo bench --bench conform` (`CONFORM_BENCH_MB` sets the size, default 2).

use std::net::{Ipv4Addr, SocketAddrV4};
use std::time::{Duration, Instant};
use tcpip_spec::capture::{Capture, Conversations, SplitConfig};
use tcpip_spec::conform::{self, Options, Verdict};
use tcpip_spec::stack::link::{Faults, Pair};
use tcpip_spec::stack::pcap;
use tcpip_spec::stack::{Host, HostConfig, Medium};
use tcpip_spec::tcp::State;
use tcpip_spec::wire::EthernetAddress;

const A: Ipv4Addr = Ipv4Addr::new(10, 0, 0, 1);
const B: Ipv4Addr = Ipv4Addr::new(10, 0, 0, 2);

fn host(addr: Ipv4Addr, last: u8) -> Host {
    let mac = EthernetAddress([2, 0, 0, 0, 0, last]);
    Host::new(HostConfig::new(
        Medium::Ethernet { mac },
        addr,
        24,
        u64::from(last) * 77,
    ))
}

/// A bulk transfer of `bytes` from A to B:80 and both closes, as a pcap file.
fn bulk(bytes: usize) -> Vec<u8> {
    let limit = Duration::from_secs(3600);
    let mut p = Pair::new(
        host(A, 1),
        host(B, 2),
        Faults::clean(Duration::from_millis(1)),
        1,
    );
    p.capture = Some(Vec::new());
    p.b.tcp_listen(80, 8).unwrap();
    let c = p.a.tcp_connect(p.now, SocketAddrV4::new(B, 80)).unwrap();
    let mut s = None;
    assert!(p.run_until(limit, |p| {
        s = s.or_else(|| p.b.tcp_accept(80));
        s.is_some() && p.a.tcp_state(c) == Some(State::Established)
    }));
    let s = s.unwrap();
    let data = vec![0x5a; bytes];
    let (mut sent, mut got) = (0, 0);
    let mut buf = vec![0; 1 << 16];
    assert!(p.run_until(limit, |p| {
        while sent < data.len() {
            let n = p.a.tcp_send(p.now, c, &data[sent..]);
            if n == 0 {
                break;
            }
            sent += n;
        }
        loop {
            let n = p.b.tcp_recv(p.now, s, &mut buf);
            if n == 0 {
                break;
            }
            got += n;
        }
        got == bytes
    }));
    p.a.tcp_close(p.now, c);
    assert!(p.run_until(limit, |p| p.b.tcp_state(s) == Some(State::CloseWait)));
    p.b.tcp_close(p.now, s);
    assert!(p.run_until(limit, |p| p.a.tcp_state(c) == Some(State::TimeWait)));
    pcap::to_bytes(pcap::LinkType::Ethernet, p.capture.as_ref().unwrap())
}

fn main() {
    let mb: usize = std::env::var("CONFORM_BENCH_MB")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2);
    let file = bulk(mb << 20);
    let mut best = f64::MAX;
    let mut segments = 0;
    let mut verdicts = Vec::new();
    for _ in 0..3 {
        let start = Instant::now();
        let split =
            Conversations::read(Capture::from_bytes(&file).unwrap(), SplitConfig::default())
                .unwrap();
        let report = conform::judge(&split, Options::default());
        best = best.min(start.elapsed().as_secs_f64());
        segments = report.summary.tcp_segments;
        verdicts = report
            .endpoints
            .iter()
            .map(|e| format!("{} {}", e.endpoint, e.verdict.name()))
            .collect();
        assert!(
            report
                .endpoints
                .iter()
                .all(|e| !matches!(e.verdict, Verdict::Violates(_)))
        );
    }
    println!(
        "conform: {segments} TCP segments ({mb} MB bulk, our stack) in {best:.3} s: {:.0} segments/s; {}",
        segments as f64 / best,
        verdicts.join(", ")
    );
}
