//! smoltcp as a peer: a device over two queues and an `Interface` polled on the harness's
//! virtual clock.

use smoltcp::iface::{Config, Interface, SocketSet};
use smoltcp::phy::{self, Device, DeviceCapabilities, Medium};
use smoltcp::time::Instant;
use smoltcp::wire::{EthernetAddress, HardwareAddress, IpAddress, IpCidr};
use std::collections::VecDeque;
use std::net::Ipv4Addr;
use std::time::Duration;
use tcpip_spec::stack::link::Endpoint;

pub struct Queues {
    rx: VecDeque<Vec<u8>>,
    tx: VecDeque<Vec<u8>>,
    medium: Medium,
}

pub struct Rx(Vec<u8>);
pub struct Tx<'a>(&'a mut VecDeque<Vec<u8>>);

impl phy::RxToken for Rx {
    fn consume<R, F: FnOnce(&[u8]) -> R>(self, f: F) -> R {
        f(&self.0)
    }
}

impl phy::TxToken for Tx<'_> {
    fn consume<R, F: FnOnce(&mut [u8]) -> R>(self, len: usize, f: F) -> R {
        let mut buf = vec![0; len];
        let r = f(&mut buf);
        self.0.push_back(buf);
        r
    }
}

impl Device for Queues {
    type RxToken<'a> = Rx;
    type TxToken<'a> = Tx<'a>;
    fn receive(&mut self, _: Instant) -> Option<(Rx, Tx<'_>)> {
        let p = self.rx.pop_front()?;
        Some((Rx(p), Tx(&mut self.tx)))
    }
    fn transmit(&mut self, _: Instant) -> Option<Tx<'_>> {
        Some(Tx(&mut self.tx))
    }
    fn capabilities(&self) -> DeviceCapabilities {
        let mut c = DeviceCapabilities::default();
        c.medium = self.medium;
        c.max_transmission_unit = if self.medium == Medium::Ethernet {
            1514
        } else {
            1500
        };
        c
    }
}

pub struct Smol {
    pub iface: Interface,
    pub dev: Queues,
    pub sockets: SocketSet<'static>,
}

fn instant(t: Duration) -> Instant {
    Instant::from_micros(t.as_micros() as i64)
}

impl Smol {
    pub fn new(addr: Ipv4Addr, mac: Option<[u8; 6]>) -> Smol {
        let (hw, medium) = match mac {
            Some(m) => (
                HardwareAddress::Ethernet(EthernetAddress(m)),
                Medium::Ethernet,
            ),
            None => (HardwareAddress::Ip, Medium::Ip),
        };
        let mut dev = Queues {
            rx: VecDeque::new(),
            tx: VecDeque::new(),
            medium,
        };
        let mut cfg = Config::new(hw);
        cfg.random_seed = 0x5eed;
        let mut iface = Interface::new(cfg, &mut dev, Instant::ZERO);
        let o = addr.octets();
        iface.update_ip_addrs(|a| {
            a.push(IpCidr::new(IpAddress::v4(o[0], o[1], o[2], o[3]), 24))
                .unwrap()
        });
        Smol {
            iface,
            dev,
            sockets: SocketSet::new(Vec::new()),
        }
    }

    pub fn poll(&mut self, now: Duration) {
        self.iface
            .poll(instant(now), &mut self.dev, &mut self.sockets);
    }
}

impl Endpoint for Smol {
    fn receive(&mut self, now: Duration, bytes: &[u8]) {
        self.dev.rx.push_back(bytes.to_vec());
        self.poll(now);
    }
    fn transmit(&mut self, now: Duration) -> Option<Vec<u8>> {
        if self.dev.tx.is_empty() {
            self.poll(now);
        }
        self.dev.tx.pop_front()
    }
    fn timeout(&mut self, now: Duration) -> Option<Duration> {
        self.iface
            .poll_at(instant(now), &self.sockets)
            .map(|t| Duration::from_micros(t.total_micros().max(0) as u64))
    }
    fn on_timeout(&mut self, now: Duration) {
        self.poll(now);
    }
}
