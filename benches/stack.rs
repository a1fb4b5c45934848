//! Throughput and connection rate over the in-memory link (virtual time, no faults): our
//! host against itself and smoltcp against itself, in one run, printed with their ratio.
//! The wall-clock time measured is the CPU work of both endpoints and the link.
//!
//! Run with `cargo bench --bench stack`. The tables are printed and recorded in
//! `bench-results/stack.json` ([`tcpip_spec::bench_results`]) for REPORT.md.

#[path = "../tests/common/smol.rs"]
mod smol;

use smol::Smol;
use smoltcp::socket::tcp;
use smoltcp::wire::IpAddress;
use std::net::{Ipv4Addr, SocketAddrV4};
use std::time::{Duration, Instant};
use tcpip_spec::bench_results::{self, BenchTable};
use tcpip_spec::stack::link::{Endpoint, Faults, Pair};
use tcpip_spec::stack::{Host, HostConfig, Medium, TcpHandle};
use tcpip_spec::tcp::State;

const A: Ipv4Addr = Ipv4Addr::new(10, 0, 0, 1);
const B: Ipv4Addr = Ipv4Addr::new(10, 0, 0, 2);
const LIMIT: Duration = Duration::from_secs(1_000_000);

/// The application calls the benchmark needs, on one connection at a time.
trait App: Endpoint {
    fn listen(&mut self, port: u16);
    fn accept(&mut self) -> bool;
    fn connect(&mut self, to: Ipv4Addr, port: u16, local_port: u16);
    fn send(&mut self, data: &[u8]) -> usize;
    fn recv(&mut self, buf: &mut [u8]) -> usize;
    fn close(&mut self);
    fn established(&mut self) -> bool;
    /// Our side is finished with the connection (TIME-WAIT, CLOSED or released).
    fn finished(&mut self) -> bool;
    /// Whether the listener survives an accepted connection (smoltcp's does not).
    fn keeps_listening(&self) -> bool;
}

struct Ours {
    host: Host,
    h: Option<TcpHandle>,
    port: u16,
    /// The harness's time as of its last call, at which the application's calls act.
    now: Duration,
}

impl Endpoint for Ours {
    fn receive(&mut self, now: Duration, bytes: &[u8]) {
        self.now = now;
        self.host.receive(now, bytes)
    }
    fn transmit(&mut self, now: Duration) -> Option<Vec<u8>> {
        self.now = now;
        self.host.transmit(now)
    }
    fn timeout(&mut self, now: Duration) -> Option<Duration> {
        self.now = now;
        self.host.timeout(now)
    }
    fn on_timeout(&mut self, now: Duration) {
        self.now = now;
        self.host.on_timeout(now)
    }
}

impl App for Ours {
    fn keeps_listening(&self) -> bool {
        true
    }
    fn listen(&mut self, port: u16) {
        self.port = port;
        self.host.tcp_listen(port, 16).unwrap();
    }
    fn accept(&mut self) -> bool {
        if let Some(h) = self.host.tcp_accept(self.port) {
            self.h = Some(h);
        }
        self.h.is_some()
    }
    fn connect(&mut self, to: Ipv4Addr, port: u16, _local_port: u16) {
        self.h = Some(
            self.host
                .tcp_connect(self.now, SocketAddrV4::new(to, port))
                .unwrap(),
        );
    }
    fn send(&mut self, data: &[u8]) -> usize {
        self.h.map_or(0, |h| self.host.tcp_send(self.now, h, data))
    }
    fn recv(&mut self, buf: &mut [u8]) -> usize {
        self.h.map_or(0, |h| self.host.tcp_recv(self.now, h, buf))
    }
    fn close(&mut self) {
        if let Some(h) = self.h {
            self.host.tcp_close(self.now, h);
        }
    }
    fn established(&mut self) -> bool {
        self.h.and_then(|h| self.host.tcp_state(h)) == Some(State::Established)
    }
    fn finished(&mut self) -> bool {
        let done = matches!(
            self.h.and_then(|h| self.host.tcp_state(h)),
            None | Some(State::TimeWait | State::Closed)
        );
        if done {
            self.h = None;
        }
        done
    }
}

struct Theirs {
    smol: Smol,
    h: Option<smoltcp::iface::SocketHandle>,
    port: u16,
}

impl Theirs {
    fn socket(&mut self) -> Option<&mut tcp::Socket<'static>> {
        Some(self.smol.sockets.get_mut::<tcp::Socket>(self.h?))
    }
    fn new_socket(&mut self) -> smoltcp::iface::SocketHandle {
        let s = tcp::Socket::new(
            tcp::SocketBuffer::new(vec![0; 65535]),
            tcp::SocketBuffer::new(vec![0; 65535]),
        );
        self.smol.sockets.add(s)
    }
}

impl Endpoint for Theirs {
    fn receive(&mut self, now: Duration, bytes: &[u8]) {
        self.smol.receive(now, bytes)
    }
    fn transmit(&mut self, now: Duration) -> Option<Vec<u8>> {
        self.smol.transmit(now)
    }
    fn timeout(&mut self, now: Duration) -> Option<Duration> {
        self.smol.timeout(now)
    }
    fn on_timeout(&mut self, now: Duration) {
        self.smol.on_timeout(now)
    }
}

impl App for Theirs {
    fn keeps_listening(&self) -> bool {
        false
    }
    fn listen(&mut self, port: u16) {
        self.port = port;
        let h = self.new_socket();
        self.smol
            .sockets
            .get_mut::<tcp::Socket>(h)
            .listen(port)
            .unwrap();
        self.h = Some(h);
    }
    fn accept(&mut self) -> bool {
        self.h.is_some() && self.established()
    }
    fn connect(&mut self, to: Ipv4Addr, port: u16, local_port: u16) {
        let h = self.new_socket();
        let o = to.octets();
        let cx = self.smol.iface.context();
        self.smol
            .sockets
            .get_mut::<tcp::Socket>(h)
            .connect(
                cx,
                (IpAddress::v4(o[0], o[1], o[2], o[3]), port),
                local_port,
            )
            .unwrap();
        self.h = Some(h);
    }
    fn send(&mut self, data: &[u8]) -> usize {
        self.socket().map_or(0, |s| s.send_slice(data).unwrap_or(0))
    }
    fn recv(&mut self, buf: &mut [u8]) -> usize {
        self.socket().map_or(0, |s| s.recv_slice(buf).unwrap_or(0))
    }
    fn close(&mut self) {
        if let Some(s) = self.socket() {
            s.close();
        }
    }
    fn established(&mut self) -> bool {
        self.socket()
            .is_some_and(|s| s.state() == tcp::State::Established)
    }
    fn finished(&mut self) -> bool {
        let done = self
            .socket()
            .is_none_or(|s| matches!(s.state(), tcp::State::TimeWait | tcp::State::Closed));
        if done && let Some(h) = self.h.take() {
            self.smol.sockets.remove(h);
        }
        done
    }
}

fn ours(addr: Ipv4Addr) -> Ours {
    Ours {
        host: Host::new(HostConfig::new(
            Medium::Ip,
            addr,
            24,
            u64::from(addr.to_bits()),
        )),
        h: None,
        port: 0,
        now: Duration::ZERO,
    }
}

fn theirs(addr: Ipv4Addr) -> Theirs {
    Theirs {
        smol: Smol::new(addr, None),
        h: None,
        port: 0,
    }
}

fn link() -> Faults {
    Faults::clean(Duration::from_millis(1))
}

/// Seconds of wall-clock time to move `n` bytes from `a` (client) to `b` (server).
fn bulk<X: App, Y: App>(a: X, b: Y, n: usize) -> f64 {
    let mut p = Pair::new(a, b, link(), 1);
    p.b.listen(80);
    p.a.connect(B, 80, 50000);
    assert!(p.run_until(LIMIT, |p| p.b.accept() && p.a.established()));
    let chunk = vec![0x5a; 65536];
    let mut buf = vec![0; 65536];
    let (mut sent, mut got) = (0, 0);
    let start = Instant::now();
    assert!(p.run_until(LIMIT, |p| {
        while sent < n {
            let k = p.a.send(&chunk[..chunk.len().min(n - sent)]);
            if k == 0 {
                break;
            }
            sent += k;
        }
        loop {
            let k = p.b.recv(&mut buf);
            if k == 0 {
                break;
            }
            got += k;
        }
        got >= n
    }));
    start.elapsed().as_secs_f64()
}

/// Connections per second: handshake, one byte, close on both sides, one after another.
fn connections<X: App, Y: App>(a: X, b: Y, count: u16) -> f64 {
    let mut p = Pair::new(a, b, link(), 2);
    let start = Instant::now();
    let mut listening = false;
    for i in 0..count {
        if !listening {
            p.b.listen(80);
        }
        p.a.connect(B, 80, 40000 + i);
        let mut stage = 0;
        assert!(p.run_until(LIMIT, |p| {
            if stage == 0 && p.a.established() {
                p.a.send(b"x");
                stage = 1;
            }
            if stage == 1 && p.b.accept() {
                let mut byte = [0];
                if p.b.recv(&mut byte) == 1 {
                    p.b.close();
                    p.a.close();
                    stage = 2;
                }
            }
            stage == 2 && p.a.finished() && p.b.finished()
        }));
        // smoltcp's listening socket became the connection; ours keeps listening.
        listening = p.b.keeps_listening();
    }
    f64::from(count) / start.elapsed().as_secs_f64()
}

/// The best (least) of each measurement over `runs` rounds, the measurements taking turns
/// within a round so that every one meets the same changes in the load of a shared machine.
fn best_of<const N: usize>(runs: usize, measures: [&dyn Fn() -> f64; N]) -> [f64; N] {
    let mut best = [f64::INFINITY; N];
    for _ in 0..runs {
        for (b, m) in best.iter_mut().zip(&measures) {
            *b = b.min(m());
        }
    }
    best
}

fn main() {
    let runs = 5;
    let n = 64 << 20;
    let mb = n as f64 / (1 << 20) as f64;
    let [ours_s, theirs_s, mixed_s] = best_of(
        runs,
        [
            &|| bulk(ours(A), ours(B), n),
            &|| bulk(theirs(A), theirs(B), n),
            &|| bulk(ours(A), theirs(B), n),
        ],
    );
    let bulk_ratio = theirs_s / ours_s;
    println!("bulk {mb} MiB over the in-memory link (1 ms latency, no loss), best of {runs}:");
    println!("  ours    -> ours     {:8.1} MiB/s", mb / ours_s);
    println!("  smoltcp -> smoltcp  {:8.1} MiB/s", mb / theirs_s);
    println!("  ours    -> smoltcp  {:8.1} MiB/s", mb / mixed_s);
    println!("  ratio ours/smoltcp  {bulk_ratio:8.2}");
    let mut bulk_table = BenchTable::new(
        &format!("Bulk throughput: {mb} MiB over the in-memory link (1 ms latency, no loss)"),
        &["sender -> receiver", "MiB/s"],
    );
    for (pair, secs) in [
        ("ours -> ours", ours_s),
        ("smoltcp -> smoltcp", theirs_s),
        ("ours -> smoltcp", mixed_s),
    ] {
        bulk_table.row(vec![pair.to_string(), format!("{:.1}", mb / secs)]);
    }
    bulk_table
        .notes
        .push(format!("ratio ours/smoltcp {bulk_ratio:.2}"));
    bulk_table.notes.push(
        "Both stacks run CUBIC congestion control (ours: RFC 9438 in tcp::congestion with \
         window scaling, timestamps and SACK negotiated; smoltcp: its socket-tcp-cubic \
         feature)."
            .to_string(),
    );
    bulk_table.notes.push(format!(
        "Wall-clock time of both endpoints and the link in virtual time, best of {runs} \
         rounds in which the three pairs take turns."
    ));

    let count = 2000;
    let [ours_c, theirs_c] = best_of(
        runs,
        [&|| 1.0 / connections(ours(A), ours(B), count), &|| {
            1.0 / connections(theirs(A), theirs(B), count)
        }],
    )
    .map(f64::recip);
    let conn_ratio = ours_c / theirs_c;
    println!("connections (handshake + 1 byte + close), {count} in a row, best of {runs}:");
    println!("  ours    <-> ours     {ours_c:8.0} /s");
    println!("  smoltcp <-> smoltcp  {theirs_c:8.0} /s");
    println!("  ratio ours/smoltcp   {conn_ratio:8.2}");
    let mut conn_table = BenchTable::new(
        &format!("Connections per second: handshake + 1 byte + close, {count} in a row"),
        &["client <-> server", "connections/s"],
    );
    for (pair, rate) in [("ours <-> ours", ours_c), ("smoltcp <-> smoltcp", theirs_c)] {
        conn_table.row(vec![pair.to_string(), format!("{rate:.0}")]);
    }
    conn_table
        .notes
        .push(format!("ratio ours/smoltcp {conn_ratio:.2}"));
    conn_table.notes.push(format!(
        "One connection at a time over the in-memory link (1 ms latency, no loss), best of \
         {runs} rounds in which the two pairs take turns."
    ));

    match bench_results::save("stack", vec![bulk_table, conn_table]) {
        Ok(path) => println!("recorded in {}", path.display()),
        Err(e) => {
            eprintln!("could not record the results: {e}");
            std::process::exit(1);
        }
    }
}
