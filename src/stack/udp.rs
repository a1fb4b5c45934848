//! UDP sockets (RFC 768; RFC 1122 §4.1.3): binding through [`crate::udp::PortTable`],
//! demultiplexing and the checksum verdict through [`crate::udp::receive`] and
//! [`crate::udp::verify_checksum`], port unreachable through [`crate::icmp::error_about`].

use super::{Host, SocketEvent};
use crate::icmp::{self, ErrorKind, Unreachable};
use crate::ip;
use crate::udp::{self, BindError, Datagram, PortTable, Receive, SocketId};
use crate::wire::{self, IpProtocol};
use std::collections::{HashMap, VecDeque};
use std::net::SocketAddrV4;
use std::time::Duration;

/// A bound UDP socket.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct UdpHandle(pub u32);

#[derive(Debug)]
struct UdpSocket {
    port: u16,
    queue: VecDeque<(SocketAddrV4, Vec<u8>)>,
}

#[derive(Debug, Default)]
pub(super) struct UdpSockets {
    ports: PortTable,
    sockets: HashMap<u32, UdpSocket>,
    next: u32,
}

impl Host {
    /// Binds a UDP socket to `port`.
    pub fn udp_bind(&mut self, port: u16) -> Result<UdpHandle, BindError> {
        let id = self.udp.next;
        self.udp.ports.bind(port, SocketId(id))?;
        self.udp.next += 1;
        self.udp.sockets.insert(
            id,
            UdpSocket {
                port,
                queue: VecDeque::new(),
            },
        );
        Ok(UdpHandle(id))
    }

    /// Closes a UDP socket, releasing its port.
    pub fn udp_close(&mut self, h: UdpHandle) {
        if let Some(s) = self.udp.sockets.remove(&h.0) {
            self.udp.ports.unbind(s.port);
        }
    }

    /// Sends one datagram from the socket's port to `to` at `now` (which may start ARP's
    /// resolution timer). Returns false for an unknown handle or a payload too large for one
    /// IPv4 datagram.
    pub fn udp_send_to(
        &mut self,
        now: Duration,
        h: UdpHandle,
        to: SocketAddrV4,
        data: &[u8],
    ) -> bool {
        self.at(now);
        let Some(s) = self.udp.sockets.get(&h.0) else {
            return false;
        };
        if data.len() > usize::from(u16::MAX) - wire::udp::HEADER_LEN - wire::ipv4::HEADER_LEN {
            return false;
        }
        let repr = wire::udp::Repr {
            src_port: s.port,
            dst_port: to.port(),
            payload_len: data.len(),
        };
        let bytes = repr.to_bytes(data, self.cfg.addr, *to.ip());
        self.ip_send(*to.ip(), IpProtocol::Udp, &bytes);
        true
    }

    /// The oldest datagram queued on the socket, with its sender.
    pub fn udp_recv_from(&mut self, h: UdpHandle) -> Option<(SocketAddrV4, Vec<u8>)> {
        self.udp.sockets.get_mut(&h.0)?.queue.pop_front()
    }

    pub(super) fn udp_input(&mut self, rcv: &ip::Received, payload: &[u8], datagram: &[u8]) {
        let packet = match wire::udp::Packet::new_checked(payload) {
            Ok(p) => p,
            Err(e) => return self.count(e),
        };
        let bytes = &payload[..usize::from(packet.len())];
        // The checksum is the codec's (one computation, RFC 768); the verdict is the rule's.
        let computed = packet.computed_checksum(rcv.src, rcv.dst);
        let verdict = udp::verify_checksum(packet.checksum(), computed);
        let d = Datagram {
            src_port: packet.src_port(),
            dst_port: packet.dst_port(),
            payload: &bytes[wire::udp::HEADER_LEN..],
        };
        match udp::receive(&self.udp.ports, d, verdict, &udp::Mechanisms::default()) {
            Receive::Deliver { socket, datagram } => {
                let from = SocketAddrV4::new(rcv.src, datagram.src_port);
                let limit = self.cfg.udp_queue;
                let Some(s) = self.udp.sockets.get_mut(&socket.0) else {
                    self.counters.no_socket += 1;
                    return;
                };
                if s.queue.len() >= limit {
                    self.counters.udp_queue_full += 1;
                    return;
                }
                s.queue.push_back((from, datagram.payload.to_vec()));
                self.events.push_back(SocketEvent::UdpReadable {
                    handle: UdpHandle(socket.0),
                    from,
                });
            }
            Receive::PortUnreachable => {
                self.counters.no_socket += 1;
                let offending = self.node.offending(rcv);
                let kind = ErrorKind::DestUnreachable(Unreachable::Port);
                if let Some(msg) = icmp::error_about(&offending, kind, &icmp::Mechanisms::default())
                {
                    self.send_icmp_error(msg, datagram);
                }
            }
            Receive::Discard(_) => self.counters.bad_checksum += 1,
        }
    }
}
