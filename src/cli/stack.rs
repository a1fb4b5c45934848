//! `tcpip-spec stack`: the host on a TUN or TAP device, with small servers (HTTP/1.1, TCP
//! echo, UDP echo) or as a client that works like `nc` (standard input into the connection,
//! the connection to standard output).
//!
//! These are applications on the socket API; every protocol decision stays in the host's
//! pure modules, and [`tcpip_spec::stack::driver`] only moves bytes and time.

use super::UsageError;
use clap::{ArgGroup, Args, Subcommand};
use std::collections::HashMap;
use std::fs::File;
use std::io::{BufWriter, Read, Write};
use std::net::{Ipv4Addr, SocketAddrV4};
use std::os::fd::{AsFd, BorrowedFd};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::Duration;
use tcpip_spec::stack::driver::{self, App, Options};
use tcpip_spec::stack::link::Faults;
use tcpip_spec::stack::pcap::{LinkType, PcapWriter};
use tcpip_spec::stack::tun::{Device, Kind};
use tcpip_spec::stack::{Host, HostConfig, Medium, SocketEvent, TcpHandle, UdpHandle};
use tcpip_spec::tcp::{Event, State};
use tcpip_spec::wire::EthernetAddress;

/// Arguments of `tcpip-spec stack`.
#[derive(Args, Debug)]
#[command(group(ArgGroup::new("device").required(true).args(["tun", "tap"])))]
pub struct StackArgs {
    /// Attach to this TUN device (raw IPv4), e.g. made with `ip tuntap add dev tun0 mode tun`.
    #[arg(long, value_name = "NAME")]
    tun: Option<String>,
    /// Attach to this TAP device (Ethernet, with ARP).
    #[arg(long, value_name = "NAME")]
    tap: Option<String>,
    /// Our hardware address on a TAP device.
    #[arg(long, value_name = "MAC", default_value = "02:00:00:00:00:02")]
    mac: String,
    /// Our IPv4 address and prefix length, e.g. 10.0.0.2/24.
    #[arg(long, value_name = "ADDR/LEN")]
    addr: String,
    /// A default gateway.
    #[arg(long, value_name = "ADDR")]
    gateway: Option<Ipv4Addr>,
    /// Serve HTTP/1.1 on this port: a page at `/`, N bytes at `/bytes/N`.
    #[arg(long, value_name = "PORT")]
    http: Option<u16>,
    /// Serve TCP echo on this port.
    #[arg(long, value_name = "PORT")]
    tcp_echo: Option<u16>,
    /// Serve UDP echo on this port.
    #[arg(long, value_name = "PORT")]
    udp_echo: Option<u16>,
    /// Record every packet read from or written to the device in this pcap file.
    #[arg(long, value_name = "FILE")]
    pcap: Option<PathBuf>,
    /// Inject faults between the device and the host, e.g.
    /// `loss=0.03,reorder=0.1,duplicate=0.01,seed=7` (and `reorder-ms=20`).
    #[arg(long, value_name = "SPEC")]
    fault: Option<String>,
    /// Acknowledge every segment at once (RFC 9293 alone), instead of every second in-order
    /// segment within 40 ms (delayed ACK, §3.8.6.3).
    #[arg(long)]
    no_delayed_ack: bool,
    /// Retransmit only when the retransmission timer expires (RFC 9293 alone), not also on the
    /// third duplicate ACK (fast retransmit, RFC 5681 §3.2, RFC 6582).
    #[arg(long)]
    no_fast_retransmit: bool,
    /// Do not offer window scaling on our SYNs (RFC 7323 §2): windows stay within 65,535
    /// octets.
    #[arg(long)]
    no_window_scale: bool,
    /// Do not offer timestamps on our SYNs (RFC 7323 §3: RTT measurement and PAWS).
    #[arg(long)]
    no_timestamps: bool,
    /// Do not offer SACK on our SYNs (RFC 2018).
    #[arg(long)]
    no_sack: bool,
    /// Send small segments at once, without the Nagle algorithm (RFC 9293 §3.7.4; a
    /// socket's TCP_NODELAY).
    #[arg(long)]
    no_nagle: bool,
    /// Congestion control: cubic (RFC 9438, the default), reno (RFC 5681 with NewReno,
    /// RFC 6582), or none (send whatever the peer's window allows).
    #[arg(long, value_name = "ALGORITHM", value_parser = ["cubic", "reno", "none"])]
    congestion: Option<String>,
    /// Each TCP connection's send and receive buffer, in octets (default 65535). Windows
    /// above 65,535 octets are offered only to a peer that agreed to window scaling.
    #[arg(long, value_name = "BYTES", value_parser = clap::value_parser!(u32).range(1..=1 << 30))]
    tcp_buffer: Option<u32>,
    #[command(subcommand)]
    mode: Option<Mode>,
}

impl StackArgs {
    /// The TCP extensions beyond RFC 9293 that the flags switch off.
    fn apply_tcp_options(&self, cfg: &mut HostConfig) {
        cfg.tcp_delayed_ack &= !self.no_delayed_ack;
        cfg.tcp_fast_retransmit &= !self.no_fast_retransmit;
        cfg.tcp_window_scale &= !self.no_window_scale;
        cfg.tcp_timestamps &= !self.no_timestamps;
        cfg.tcp_sack &= !self.no_sack;
        cfg.tcp_nagle &= !self.no_nagle;
        match self.congestion.as_deref() {
            Some("reno") => cfg.tcp_congestion = Some(tcpip_spec::tcp::Algorithm::Reno),
            Some("none") => cfg.tcp_congestion = None,
            Some(_) => cfg.tcp_congestion = Some(tcpip_spec::tcp::Algorithm::Cubic),
            None => {}
        }
        if let Some(b) = self.tcp_buffer {
            cfg.tcp_rx_buffer = b as usize;
            cfg.tcp_tx_buffer = b as usize;
        }
    }
}

/// What to run besides the servers.
#[derive(Subcommand, Debug)]
pub enum Mode {
    /// Connect to ADDR:PORT like `nc`: standard input into the connection, the connection to
    /// standard output, a clean close at the end of input.
    Connect {
        /// The remote socket, e.g. 10.0.0.1:8080.
        remote: SocketAddrV4,
    },
}

fn parse_addr(s: &str) -> Result<(Ipv4Addr, u8), UsageError> {
    let bad = || UsageError(format!("bad --addr '{s}' (expected e.g. 10.0.0.2/24)"));
    let (a, l) = s.split_once('/').ok_or_else(bad)?;
    let addr: Ipv4Addr = a.parse().map_err(|_| bad())?;
    let len: u8 = l.parse().map_err(|_| bad())?;
    if len > 32 || addr.is_unspecified() || addr.is_broadcast() || addr.is_multicast() {
        return Err(bad());
    }
    Ok((addr, len))
}

fn parse_mac(s: &str) -> Result<EthernetAddress, UsageError> {
    let bad = || UsageError(format!("bad --mac '{s}' (expected e.g. 02:00:00:00:00:02)"));
    let mut mac = [0u8; 6];
    let parts: Vec<&str> = s.split(':').collect();
    if parts.len() != 6 {
        return Err(bad());
    }
    for (m, p) in mac.iter_mut().zip(parts) {
        if p.len() != 2 {
            return Err(bad());
        }
        *m = u8::from_str_radix(p, 16).map_err(|_| bad())?;
    }
    if mac[0] & 1 != 0 {
        return Err(UsageError(format!("--mac '{s}' is a group address")));
    }
    Ok(EthernetAddress(mac))
}

/// Parses `loss=P,reorder=P,duplicate=P,seed=N,reorder-ms=N` (each optional).
fn parse_faults(s: &str) -> Result<(Faults, u64), UsageError> {
    let mut f = Faults::clean(Duration::ZERO);
    f.reorder_delay = Duration::from_millis(20);
    let mut seed = 1;
    for item in s.split(',').filter(|i| !i.is_empty()) {
        let bad = || {
            UsageError(format!(
                "bad --fault item '{item}' (expected loss=P, reorder=P, duplicate=P, seed=N or reorder-ms=N)"
            ))
        };
        let (k, v) = item.split_once('=').ok_or_else(bad)?;
        let p = || -> Result<f64, UsageError> {
            let p: f64 = v.parse().map_err(|_| bad())?;
            if (0.0..=1.0).contains(&p) {
                Ok(p)
            } else {
                Err(bad())
            }
        };
        match k {
            "loss" => f.loss = p()?,
            "reorder" => f.reorder = p()?,
            "duplicate" => f.duplicate = p()?,
            "seed" => seed = v.parse().map_err(|_| bad())?,
            "reorder-ms" | "reorder_ms" => {
                f.reorder_delay = Duration::from_millis(v.parse().map_err(|_| bad())?)
            }
            _ => return Err(bad()),
        }
    }
    Ok((f, seed))
}

/// A secret for the ISN function, different in every run.
fn isn_key() -> u64 {
    let t = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    let mut z = (t.as_nanos() as u64) ^ (u64::from(std::process::id()) << 40);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// Refuses a device that does not exist: opening `/dev/net/tun` with an unknown name would
/// create a new device, down and without an address, and the host would wait on it for
/// packets that never come. The devices are those of this process's network namespace, as
/// `/proc/self/net/dev` lists them (`/sys/class/net` shows the namespace that mounted sysfs,
/// not the one `unshare -n` made).
fn device_exists(name: &str, kind: Kind) -> Result<(), UsageError> {
    let (what, mode) = match kind {
        Kind::Tun => ("TUN", "tun"),
        Kind::Tap => ("TAP", "tap"),
    };
    let valid = !name.is_empty()
        && name.len() < 16
        && name != "."
        && name != ".."
        && !name
            .bytes()
            .any(|b| b == 0 || b == b'/' || b.is_ascii_whitespace());
    if !valid {
        return Err(UsageError(format!(
            "'{name}' is not a network device name (1 to 15 bytes, no '/' or spaces)"
        )));
    }
    let listed = std::fs::read_to_string("/proc/self/net/dev").map_err(|e| {
        UsageError(format!(
            "cannot list network devices (/proc/self/net/dev): {e}"
        ))
    })?;
    let exists = listed
        .lines()
        .filter_map(|l| l.split_once(':'))
        .any(|(dev, _)| dev.trim() == name);
    if !exists {
        return Err(UsageError(format!(
            "no {what} device '{name}' (create it first: ip tuntap add dev {name} mode {mode})"
        )));
    }
    Ok(())
}

/// Runs the subcommand.
pub fn run(args: &StackArgs) -> Result<ExitCode, UsageError> {
    let (addr, prefix_len) = parse_addr(&args.addr)?;
    let faults = args.fault.as_deref().map(parse_faults).transpose()?;
    let (name, kind, medium) = match (&args.tun, &args.tap) {
        (Some(n), None) => (n, Kind::Tun, Medium::Ip),
        (None, Some(n)) => {
            let mac = parse_mac(&args.mac)?;
            (n, Kind::Tap, Medium::Ethernet { mac })
        }
        _ => return Err(UsageError("give exactly one of --tun or --tap".into())),
    };
    let servers = args.http.is_some() || args.tcp_echo.is_some() || args.udp_echo.is_some();
    if !servers && args.mode.is_none() {
        return Err(UsageError(
            "nothing to run: give --http, --tcp-echo, --udp-echo or `connect ADDR:PORT`".into(),
        ));
    }
    device_exists(name, kind)?;
    let mut cfg = HostConfig::new(medium, addr, prefix_len, isn_key());
    cfg.gateway = args.gateway;
    args.apply_tcp_options(&mut cfg);
    let mut host = Host::new(cfg);
    let mut srv = Servers::default();
    for (port, http) in [(args.http, true), (args.tcp_echo, false)] {
        if let Some(p) = port {
            host.tcp_listen(p, 64)
                .map_err(|_| UsageError(format!("TCP port {p} cannot be listened on twice")))?;
            if http {
                srv.http = Some(p);
            } else {
                srv.echo = Some(p);
            }
        }
    }
    if let Some(p) = args.udp_echo {
        srv.udp = Some(
            host.udp_bind(p)
                .map_err(|e| UsageError(format!("UDP port {p}: {e:?}")))?,
        );
    }
    let pcap = match &args.pcap {
        Some(path) => {
            let file = File::create(path)
                .map_err(|e| UsageError(format!("cannot create {}: {e}", path.display())))?;
            let link = match kind {
                Kind::Tun => LinkType::RawIp,
                Kind::Tap => LinkType::Ethernet,
            };
            Some(
                PcapWriter::new(BufWriter::new(file), link)
                    .map_err(|e| UsageError(format!("cannot write {}: {e}", path.display())))?,
            )
        }
        None => None,
    };
    let mut dev = Device::open(name, kind).map_err(|e| {
        let what = match kind {
            Kind::Tun => "TUN",
            Kind::Tap => "TAP",
        };
        UsageError(format!("cannot attach to {what} device '{name}': {e}"))
    })?;
    let stop = Arc::new(AtomicBool::new(false));
    for sig in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
        signal_hook::flag::register(sig, Arc::clone(&stop))
            .map_err(|e| UsageError(format!("cannot handle signals: {e}")))?;
    }
    let mut client;
    let app: &mut dyn App = match args.mode {
        Some(Mode::Connect { remote }) => {
            let stdin = std::io::stdin()
                .as_fd()
                .try_clone_to_owned()
                .map_err(|e| UsageError(format!("standard input: {e}")))?;
            let h = host
                .tcp_connect(Duration::ZERO, remote)
                .map_err(|e| UsageError(format!("cannot connect to {remote}: {e:?}")))?;
            client = Client {
                servers: srv,
                h,
                remote,
                stdin: Some(File::from(stdin)),
                stdin_open: true,
                pending: Vec::new(),
                established: false,
                close_sent: false,
                peer_closed: false,
            };
            &mut client
        }
        None => {
            eprintln!(
                "tcpip-spec stack: {name} at {addr}/{prefix_len}{}{}{} (Ctrl-C to stop)",
                srv.http.map_or(String::new(), |p| format!(", http {p}")),
                srv.echo
                    .map_or(String::new(), |p| format!(", tcp-echo {p}")),
                args.udp_echo
                    .map_or(String::new(), |p| format!(", udp-echo {p}")),
            );
            client = Client::idle(srv);
            &mut client
        }
    };
    let opts = Options { faults, pcap };
    match driver::run(&mut dev, &mut host, app, opts, &stop) {
        Ok((code, stats)) => {
            let c = host.counters();
            eprintln!(
                "tcpip-spec stack: {} packets read, {} written, {} refused by the device; TCP \
                 retransmissions: {} on timeout, {} fast, {} on partial ACKs, {} lost again; {} \
                 recoveries undone (reordering); {} zero-window probes",
                stats.read,
                stats.written,
                stats.write_dropped,
                c.retransmit_timeouts,
                c.fast_retransmits,
                c.partial_ack_retransmits,
                c.retransmissions_lost,
                c.spurious_recoveries,
                c.window_probes
            );
            Ok(ExitCode::from(code))
        }
        Err(e) => {
            eprintln!("error: {name}: {e}");
            Ok(ExitCode::from(1))
        }
    }
}

/// A byte of the body of `/bytes/N` at `offset`: printable, and not periodic in a power of
/// two, so that a misplaced segment shows.
fn body_byte(offset: u64) -> u8 {
    b'a' + (offset % 23) as u8
}

#[derive(Debug, Default)]
struct Conn {
    http: bool,
    request: Vec<u8>,
    /// Bytes accepted from the peer but not yet sent back (echo), or the response head.
    out: Vec<u8>,
    /// Body bytes still to generate (HTTP).
    body_left: u64,
    body_off: u64,
    responded: bool,
    peer_closed: bool,
}

#[derive(Debug, Default)]
struct Servers {
    http: Option<u16>,
    echo: Option<u16>,
    udp: Option<UdpHandle>,
    conns: HashMap<TcpHandle, Conn>,
}

const PAGE: &str = "<!doctype html>\n<title>tcpip-spec</title>\n<h1>tcpip-spec</h1>\n\
<p>Served by a TCP/IP stack whose every rule is a model-checked pure function.</p>\n\
<p>Try <a href=\"/bytes/1048576\">/bytes/N</a>.</p>\n";

fn response(request: &[u8]) -> (Vec<u8>, u64) {
    let text = String::from_utf8_lossy(request);
    let mut words = text.lines().next().unwrap_or("").split_whitespace();
    let (method, path) = (words.next().unwrap_or(""), words.next().unwrap_or(""));
    let head = |status: &str, ctype: &str, len: u64| {
        format!(
            "HTTP/1.1 {status}\r\nServer: tcpip-spec\r\nContent-Type: {ctype}\r\n\
Content-Length: {len}\r\nConnection: close\r\n\r\n"
        )
        .into_bytes()
    };
    let with_body = |status: &str, body: &str| {
        let mut v = head(status, "text/html; charset=utf-8", body.len() as u64);
        if method != "HEAD" {
            v.extend_from_slice(body.as_bytes());
        }
        (v, 0)
    };
    if method != "GET" && method != "HEAD" {
        return with_body("405 Method Not Allowed", "method not allowed\n");
    }
    if path == "/" {
        return with_body("200 OK", PAGE);
    }
    if let Some(n) = path
        .strip_prefix("/bytes/")
        .and_then(|n| n.parse::<u64>().ok())
    {
        let body = if method == "HEAD" { 0 } else { n };
        return (head("200 OK", "application/octet-stream", n), body);
    }
    with_body("404 Not Found", "not found\n")
}

impl Servers {
    fn step(
        &mut self,
        host: &mut Host,
        now: Duration,
        client: Option<TcpHandle>,
        events: &mut Vec<Event>,
    ) {
        while let Some(ev) = host.poll_event() {
            match ev {
                SocketEvent::Tcp { handle, event } if Some(handle) == client => events.push(event),
                SocketEvent::Tcp { handle, event } => match event {
                    Event::PeerClosed => {
                        if let Some(c) = self.conns.get_mut(&handle) {
                            c.peer_closed = true;
                        }
                    }
                    Event::Reset | Event::TimedOut | Event::Closed
                        if self.conns.remove(&handle).is_some() =>
                    {
                        host.tcp_close(now, handle);
                    }
                    _ => {}
                },
                SocketEvent::UdpReadable { handle, .. } => {
                    while let Some((from, data)) = host.udp_recv_from(handle) {
                        host.udp_send_to(now, handle, from, &data);
                    }
                }
                _ => {}
            }
        }
        for (port, http) in [(self.http, true), (self.echo, false)] {
            let Some(port) = port else { continue };
            while let Some(h) = host.tcp_accept(port) {
                self.conns.insert(
                    h,
                    Conn {
                        http,
                        ..Conn::default()
                    },
                );
            }
        }
        let tx_cap = host.config().tcp_tx_buffer;
        let mut buf = vec![0u8; 65536];
        self.conns.retain(|&h, c| {
            if host.tcp_state(h).is_none() {
                return false;
            }
            if c.http && !c.responded {
                let n = host.tcp_recv(now, h, &mut buf);
                c.request.extend_from_slice(&buf[..n]);
                if c.request.windows(4).any(|w| w == b"\r\n\r\n")
                    || c.request.len() > 16384
                    || c.peer_closed
                {
                    let (out, body) = response(&c.request);
                    c.out = out;
                    c.body_left = body;
                    c.responded = true;
                }
            } else if c.http {
                // One request per connection: later bytes are read and dropped.
                while host.tcp_recv(now, h, &mut buf) > 0 {}
            } else {
                let room = tx_cap.saturating_sub(host.tcp_send_queued(h) + c.out.len());
                let n = host.tcp_recv(now, h, &mut buf[..room.min(65536)]);
                c.out.extend_from_slice(&buf[..n]);
            }
            loop {
                if c.out.is_empty() && c.body_left > 0 {
                    let k = c.body_left.min(16384);
                    c.out = (c.body_off..c.body_off + k).map(body_byte).collect();
                    c.body_off += k;
                    c.body_left -= k;
                }
                if c.out.is_empty() {
                    break;
                }
                let n = host.tcp_send(now, h, &c.out);
                c.out.drain(..n);
                if n == 0 {
                    break;
                }
            }
            let finished = c.out.is_empty()
                && if c.http {
                    c.responded && c.body_left == 0
                } else {
                    c.peer_closed && host.tcp_recv_queued(h) == 0
                };
            if finished {
                host.tcp_close(now, h);
            }
            !finished
        });
    }

    fn shutdown(&mut self, host: &mut Host, now: Duration) {
        for (h, _) in self.conns.drain() {
            host.tcp_abort(now, h);
        }
        for p in [self.http, self.echo].into_iter().flatten() {
            host.tcp_unlisten(now, p);
        }
        if let Some(u) = self.udp.take() {
            host.udp_close(u);
        }
    }
}

/// The servers, and the `connect` client when there is one.
struct Client {
    servers: Servers,
    h: TcpHandle,
    remote: SocketAddrV4,
    stdin: Option<File>,
    stdin_open: bool,
    pending: Vec<u8>,
    established: bool,
    close_sent: bool,
    peer_closed: bool,
}

impl Client {
    /// Servers only.
    fn idle(servers: Servers) -> Client {
        Client {
            servers,
            h: TcpHandle(u32::MAX),
            remote: SocketAddrV4::new(Ipv4Addr::UNSPECIFIED, 0),
            stdin: None,
            stdin_open: false,
            pending: Vec::new(),
            established: false,
            close_sent: true,
            peer_closed: true,
        }
    }

    fn active(&self) -> bool {
        self.h.0 != u32::MAX
    }
}

impl App for Client {
    fn step(&mut self, host: &mut Host, now: Duration, input_ready: bool) -> Option<u8> {
        let mut events = Vec::new();
        let me = self.active().then_some(self.h);
        self.servers.step(host, now, me, &mut events);
        if !self.active() {
            return None;
        }
        for e in events {
            match e {
                Event::Established => self.established = true,
                Event::PeerClosed => self.peer_closed = true,
                Event::Reset | Event::Refused | Event::TimedOut => {
                    let what = match e {
                        Event::Reset => "connection reset by peer",
                        Event::Refused => "connection refused",
                        _ => "connection timed out",
                    };
                    eprintln!("error: {}: {what}", self.remote);
                    host.tcp_close(now, self.h);
                    return Some(1);
                }
                _ => {}
            }
        }
        let mut buf = vec![0u8; 65536];
        let mut out = std::io::stdout().lock();
        loop {
            let n = host.tcp_recv(now, self.h, &mut buf);
            if n == 0 {
                break;
            }
            if out.write_all(&buf[..n]).is_err() {
                host.tcp_abort(now, self.h);
                return Some(1);
            }
        }
        let _ = out.flush();
        if self.established {
            if self.pending.is_empty() && self.stdin_open && input_ready {
                let read = match self.stdin.as_mut() {
                    Some(f) => f.read(&mut buf),
                    None => Ok(0),
                };
                match read {
                    Ok(0) | Err(_) => self.stdin_open = false,
                    Ok(n) => self.pending.extend_from_slice(&buf[..n]),
                }
            }
            if !self.pending.is_empty() {
                let n = host.tcp_send(now, self.h, &self.pending);
                self.pending.drain(..n);
            }
            if !self.stdin_open && self.pending.is_empty() && !self.close_sent {
                host.tcp_close(now, self.h);
                self.close_sent = true;
            }
        }
        let state = host.tcp_state(self.h);
        let done = self.close_sent
            && self.peer_closed
            && host.tcp_recv_queued(self.h) == 0
            && matches!(state, None | Some(State::TimeWait) | Some(State::Closed));
        done.then_some(0)
    }

    fn input(&self) -> Option<BorrowedFd<'_>> {
        (self.active() && self.established && self.stdin_open && self.pending.is_empty())
            .then(|| self.stdin.as_ref().map(File::as_fd))
            .flatten()
    }

    fn shutdown(&mut self, host: &mut Host, now: Duration) {
        self.servers.shutdown(host, now);
        if self.active() {
            host.tcp_abort(now, self.h);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        stack: StackArgs,
    }

    fn options(flags: &[&str]) -> (bool, bool) {
        let argv = [
            "stack",
            "--tun",
            "tun0",
            "--addr",
            "10.0.0.2/24",
            "--http",
            "80",
        ];
        let cli = Cli::try_parse_from(argv.iter().chain(flags)).expect("valid flags");
        let mut cfg = HostConfig::new(Medium::Ip, Ipv4Addr::new(10, 0, 0, 2), 24, 1);
        cli.stack.apply_tcp_options(&mut cfg);
        (cfg.tcp_delayed_ack, cfg.tcp_fast_retransmit)
    }

    #[test]
    fn delayed_ack_and_fast_retransmit_are_on_unless_switched_off() {
        assert_eq!(options(&[]), (true, true));
        assert_eq!(options(&["--no-delayed-ack"]), (false, true));
        assert_eq!(options(&["--no-fast-retransmit"]), (true, false));
        assert_eq!(
            options(&["--no-delayed-ack", "--no-fast-retransmit"]),
            (false, false)
        );
    }
}
