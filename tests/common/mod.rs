//! Shared helpers of the stack tests: hosts, byte patterns, applications that pump data.
#![allow(dead_code)]

use std::net::{Ipv4Addr, SocketAddrV4};
use std::time::Duration;
use tcpip_spec::stack::link::{Faults, Pair};
use tcpip_spec::stack::{Host, HostConfig, Medium, SocketEvent, TcpHandle};
use tcpip_spec::tcp::Event;
use tcpip_spec::wire::EthernetAddress;

pub const A: Ipv4Addr = Ipv4Addr::new(10, 0, 0, 1);
pub const B: Ipv4Addr = Ipv4Addr::new(10, 0, 0, 2);
pub const MAC_A: EthernetAddress = EthernetAddress([2, 0, 0, 0, 0, 1]);
pub const MAC_B: EthernetAddress = EthernetAddress([2, 0, 0, 0, 0, 2]);
pub const LIMIT: Duration = Duration::from_secs(3600);

pub fn host(addr: Ipv4Addr, l2: bool) -> Host {
    let medium = if l2 {
        Medium::Ethernet {
            mac: if addr == A { MAC_A } else { MAC_B },
        }
    } else {
        Medium::Ip
    };
    Host::new(HostConfig::new(
        medium,
        addr,
        24,
        u64::from(addr.to_bits()) * 77,
    ))
}

pub fn pair(faults: Faults, seed: u64, l2: bool) -> Pair<Host, Host> {
    Pair::new(host(A, l2), host(B, l2), faults, seed)
}

pub fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

/// A deterministic byte pattern that is not periodic in any small power of two.
pub fn pattern(n: usize, salt: u8) -> Vec<u8> {
    (0..n)
        .map(|i| ((i * 7 + i / 251) as u8).wrapping_add(salt))
        .collect()
}

/// Events of `host` for `handle`, drained.
pub fn events_of(host: &mut Host, handle: TcpHandle) -> Vec<Event> {
    let mut v = Vec::new();
    let mut keep = Vec::new();
    while let Some(e) = host.poll_event() {
        match e {
            SocketEvent::Tcp { handle: h, event } if h == handle => v.push(event),
            other => keep.push(other),
        }
    }
    v
}

/// Sends `data` from `tx` on `h`, a pump the harness calls every step.
pub struct Sender {
    pub data: Vec<u8>,
    pub sent: usize,
}

impl Sender {
    pub fn pump(&mut self, host: &mut Host, now: Duration, h: TcpHandle) {
        while self.sent < self.data.len() {
            let n = host.tcp_send(now, h, &self.data[self.sent..]);
            if n == 0 {
                break;
            }
            self.sent += n;
        }
    }
}

/// Reads everything available on `h` into `got`.
pub fn drain(host: &mut Host, now: Duration, h: TcpHandle, got: &mut Vec<u8>) {
    let mut buf = [0u8; 16384];
    loop {
        let n = host.tcp_recv(now, h, &mut buf);
        if n == 0 {
            break;
        }
        got.extend_from_slice(&buf[..n]);
    }
}

pub fn sock(addr: Ipv4Addr, port: u16) -> SocketAddrV4 {
    SocketAddrV4::new(addr, port)
}

/// Connects `a` to `b`:80 over the pair (b listening), returning (client, server) handles.
pub fn connect(pair: &mut Pair<Host, Host>) -> (TcpHandle, TcpHandle) {
    pair.b.tcp_listen(80, 8).unwrap();
    let c = pair.a.tcp_connect(pair.now, sock(B, 80)).unwrap();
    let mut s = None;
    let ok = pair.run_until(LIMIT, |p| {
        if s.is_none() {
            s = p.b.tcp_accept(80);
        }
        s.is_some() && p.a.tcp_state(c) == Some(tcpip_spec::tcp::State::Established)
    });
    assert!(ok, "handshake did not complete");
    (c, s.unwrap())
}
pub mod smol;
