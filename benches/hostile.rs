//! What floods cost the host in CPU time (issue 17): an ARP flood from 500,000 distinct
//! senders, half of them off the subnet, and the `poll_timeout` call of every loop turn
//! after it; then 100,000 UDP datagrams to a closed port; then 100,000 spoofed SYNs to a
//! listener whose backlog (64) is full, answered with SYN cookies or dropped, and the cost of
//! opening a connection from a cookie's ACK. Wall-clock time of this process,
//! best of 3; `tests/hostile.rs` asserts the budgets themselves (sizes and counters).
//!
//! Run with `cargo bench --bench hostile`.

use std::hint::black_box;
use std::net::Ipv4Addr;
use std::time::{Duration, Instant};
use tcpip_spec::stack::{Host, HostConfig, Medium};
use tcpip_spec::wire::{EtherType, EthernetAddress, IpProtocol, arp, ethernet, ipv4, tcp, udp};

const B: Ipv4Addr = Ipv4Addr::new(10, 0, 0, 2);
const MAC_B: EthernetAddress = EthernetAddress([2, 0, 0, 0, 0, 2]);
const SENDERS: u32 = 500_000;

fn arp_request(i: u32) -> Vec<u8> {
    let ip = if i.is_multiple_of(2) {
        Ipv4Addr::from(u32::from(Ipv4Addr::new(10, 0, 0, 3)) + i / 2)
    } else {
        Ipv4Addr::from(u32::from(Ipv4Addr::new(172, 16, 0, 0)) + i / 2)
    };
    let mac = EthernetAddress([2, 0x5e, (i >> 16) as u8, (i >> 8) as u8, i as u8, 1]);
    let request = arp::Repr {
        operation: arp::Operation::Request,
        sender_hardware_addr: mac,
        sender_protocol_addr: ip,
        target_hardware_addr: EthernetAddress([0; 6]),
        target_protocol_addr: B,
    };
    ethernet::Repr {
        dst_addr: EthernetAddress::BROADCAST,
        src_addr: mac,
        ethertype: EtherType::Arp,
    }
    .to_bytes(&request.to_bytes())
}

/// Seconds per ARP frame (handled, answered, drained) and per `poll_timeout` after the flood,
/// and the cache size left.
fn arp_flood(frames: &[Vec<u8>]) -> (f64, f64, usize) {
    let mut h = Host::new(HostConfig::new(Medium::Ethernet { mac: MAC_B }, B, 12, 7));
    let start = Instant::now();
    for (i, f) in frames.iter().enumerate() {
        h.handle_frame(Duration::from_micros(10 * i as u64), f);
        while let Some(p) = h.poll_transmit() {
            black_box(p);
        }
    }
    let per_frame = start.elapsed().as_secs_f64() / frames.len() as f64;
    const CALLS: u32 = 1_000_000;
    let start = Instant::now();
    for _ in 0..CALLS {
        black_box(black_box(&h).poll_timeout());
    }
    let per_poll = start.elapsed().as_secs_f64() / f64::from(CALLS);
    (
        per_frame,
        per_poll,
        h.arp_cache().map_or(0, |(c, _)| c.len()),
    )
}

/// Seconds per UDP datagram to a closed port (each draws a port unreachable or a count).
fn udp_flood(packets: &[Vec<u8>]) -> f64 {
    let mut h = Host::new(HostConfig::new(Medium::Ip, B, 16, 7));
    let start = Instant::now();
    for (i, p) in packets.iter().enumerate() {
        h.handle_packet(Duration::from_micros(10 * i as u64), p);
        while let Some(p) = h.poll_transmit() {
            black_box(p);
        }
    }
    start.elapsed().as_secs_f64() / packets.len() as f64
}

fn ip_packet(src: Ipv4Addr, protocol: IpProtocol, payload: &[u8]) -> Vec<u8> {
    ipv4::Repr {
        src_addr: src,
        dst_addr: B,
        protocol,
        payload_len: payload.len(),
        ttl: 64,
        dscp: 0,
        ecn: 0,
        ident: 1,
        dont_frag: true,
        options_len: 0,
    }
    .to_bytes(payload)
}

/// A SYN (or, with `ack`, the ACK of a SYN,ACK) from port `port` of `src`.
fn tcp_segment(src: Ipv4Addr, port: u16, seq: u32, ack: Option<u32>) -> Vec<u8> {
    let flags = if ack.is_some() {
        tcp::Flags::ACK
    } else {
        tcp::Flags::SYN
    };
    let repr = tcp::Repr {
        src_port: port,
        dst_port: 80,
        seq: tcpip_spec::tcp::Seq(seq),
        ack: tcpip_spec::tcp::Seq(ack.unwrap_or(0)),
        flags,
        window: 65535,
        urgent: 0,
        mss: ack.is_none().then_some(1460),
        window_scale: None,
        sack_permitted: false,
        sack_blocks: Vec::new(),
        timestamps: None,
        payload_len: 0,
    };
    ip_packet(src, IpProtocol::Tcp, &repr.to_bytes(&[], src, B))
}

/// Seconds per spoofed SYN to a listener whose backlog of 64 is full (after the first 64),
/// with SYN cookies on or off.
fn syn_flood(syns: &[Vec<u8>], cookies: bool) -> f64 {
    let mut cfg = HostConfig::new(Medium::Ip, B, 16, 7);
    cfg.tcp_syn_cookies = cookies;
    let mut h = Host::new(cfg);
    h.tcp_listen(80, 64).unwrap();
    let start = Instant::now();
    for (i, p) in syns.iter().enumerate() {
        h.handle_packet(Duration::from_micros(10 * i as u64), p);
        while let Some(p) = h.poll_transmit() {
            black_box(p);
        }
    }
    start.elapsed().as_secs_f64() / syns.len() as f64
}

/// Seconds per connection opened by the ACK of a SYN cookie (the SYN and its cookie
/// SYN,ACK not counted), each accepted and aborted; and how many opened.
fn cookie_opens(clients: u16) -> (f64, u64) {
    let mut h = Host::new(HostConfig::new(Medium::Ip, B, 16, 7));
    h.tcp_listen(80, 1).unwrap();
    let src = Ipv4Addr::new(10, 0, 0, 1);
    // One half-open connection fills the backlog: every later SYN gets a cookie.
    h.handle_packet(Duration::ZERO, &tcp_segment(src, 1, 1, None));
    while h.poll_transmit().is_some() {}
    let mut acks = Vec::new();
    for port in 2..clients + 2 {
        h.handle_packet(Duration::ZERO, &tcp_segment(src, port, 1000, None));
        let p = h.poll_transmit().expect("a cookie SYN,ACK");
        let (ip, seg) = ipv4::Repr::parse_bytes(&p).unwrap();
        let (t, _) = tcp::Repr::parse_bytes(seg, ip.src_addr, ip.dst_addr).unwrap();
        acks.push(tcp_segment(src, port, 1001, Some((t.seq + 1).0)));
    }
    let start = Instant::now();
    for a in &acks {
        h.handle_packet(Duration::ZERO, a);
        if let Some(c) = h.tcp_accept(80) {
            h.tcp_abort(Duration::ZERO, c);
        }
        while let Some(p) = h.poll_transmit() {
            black_box(p);
        }
    }
    let per = start.elapsed().as_secs_f64() / f64::from(clients);
    (per, h.counters().syn_cookies_accepted)
}

fn main() {
    let frames: Vec<Vec<u8>> = (0..SENDERS).map(arp_request).collect();
    let packets: Vec<Vec<u8>> = (0..100_000u32)
        .map(|i| {
            let src = Ipv4Addr::new(10, 0, (i / 250 % 256) as u8, (i % 250 + 3) as u8);
            let dgram = udp::Repr {
                src_port: 5000,
                dst_port: 9,
                payload_len: 8,
            }
            .to_bytes(b"flooding", src, B);
            ipv4::Repr {
                src_addr: src,
                dst_addr: B,
                protocol: IpProtocol::Udp,
                payload_len: dgram.len(),
                ttl: 64,
                dscp: 0,
                ecn: 0,
                ident: 1,
                dont_frag: true,
                options_len: 0,
            }
            .to_bytes(&dgram)
        })
        .collect();
    let runs: Vec<_> = (0..3).map(|_| arp_flood(&frames)).collect();
    let frame = runs.iter().map(|r| r.0).fold(f64::INFINITY, f64::min);
    let poll = runs.iter().map(|r| r.1).fold(f64::INFINITY, f64::min);
    let udp = (0..3)
        .map(|_| udp_flood(&packets))
        .fold(f64::INFINITY, f64::min);
    println!("ARP flood, {SENDERS} senders (half off subnet), best of 3:");
    println!(
        "  {:.0} ns per frame, cache left with {} entries",
        frame * 1e9,
        runs[0].2
    );
    println!(
        "  poll_timeout after the flood: {:.0} ns per call",
        poll * 1e9
    );
    println!(
        "UDP flood to a closed port, 100,000 datagrams: {:.0} ns per datagram",
        udp * 1e9
    );
    let syns: Vec<Vec<u8>> = (0..100_000u32)
        .map(|i| {
            let src = Ipv4Addr::new(10, 0, (i / 250 % 256) as u8, (i % 250 + 3) as u8);
            tcp_segment(src, 1024 + (i % 60_000) as u16, i.wrapping_mul(7919), None)
        })
        .collect();
    let best = |f: &dyn Fn() -> f64| (0..3).map(|_| f()).fold(f64::INFINITY, f64::min);
    let with = best(&|| syn_flood(&syns, true));
    let without = best(&|| syn_flood(&syns, false));
    println!("SYN flood, 100,000 spoofed SYNs to a listener with a full backlog of 64, best of 3:");
    println!(
        "  {:.0} ns per SYN answered with a cookie; {:.0} ns per SYN dropped with cookies off",
        with * 1e9,
        without * 1e9
    );
    let (opens, opened) = cookie_opens(10_000);
    let opens = opens
        .min(cookie_opens(10_000).0)
        .min(cookie_opens(10_000).0);
    println!(
        "  {:.0} ns per connection opened from a cookie's ACK ({opened} of 10,000 opened)",
        opens * 1e9
    );
}
