//! The host: link and IP input and output, ARP, ICMP (RFC 791, RFC 792, RFC 826, RFC 1122
//! §2.3.2, §3.2, §3.3). TCP and UDP sockets live in sibling modules.

use super::tcp::TcpSockets;
use super::udp::UdpSockets;
use super::{Counters, HostConfig, Limited, Medium, SocketEvent};
use crate::arp::{self, ArpPacket};
use crate::icmp::{self, Echo, EchoId, EchoResponse, ErrorKind, ErrorMessage, ReplyMatch};
use crate::ip::{self, Decision, InterfaceAddr, Node, Route, Upper};
use crate::ratelimit::TokenBucket;
use crate::tcp;
use crate::wire::{self, EtherType, EthernetAddress, IpProtocol, ethernet, ipv4};
use std::collections::VecDeque;
use std::net::Ipv4Addr;
use std::time::Duration;

/// A sans-IO IPv4 host; see the [module documentation](super).
#[derive(Debug)]
pub struct Host {
    pub(super) cfg: HostConfig,
    pub(super) node: Node,
    /// The time of the last call that passed one in; user calls act at this time.
    pub(super) now: Duration,
    pub(super) counters: Counters,
    pub(super) events: VecDeque<SocketEvent>,
    pub(super) tcp: TcpSockets,
    pub(super) udp: UdpSockets,
    arp: Option<(arp::Cache<Vec<u8>>, arp::Config)>,
    ping: icmp::EchoClient,
    tx: VecDeque<Vec<u8>>,
    ident: u16,
    limits: Limits,
}

/// One token bucket per [`Limited`] kind of answer; `None` where the configuration sets no
/// limit.
#[derive(Debug)]
struct Limits {
    icmp_error: Option<TokenBucket>,
    echo_reply: Option<TokenBucket>,
    reset: Option<TokenBucket>,
}

fn millis(t: Duration) -> u64 {
    u64::try_from(t.as_millis()).unwrap_or(u64::MAX)
}

impl Host {
    /// A host with no sockets.
    pub fn new(cfg: HostConfig) -> Host {
        let iface = InterfaceAddr {
            interface: 0,
            addr: cfg.addr,
            prefix_len: cfg.prefix_len.min(32),
        };
        let mut node = Node::new(vec![iface], false);
        if let Some(gw) = cfg.gateway {
            // A prefix length of 0 is always valid.
            let _ = node.routes.add(Route::via(Ipv4Addr::UNSPECIFIED, 0, gw, 0));
        }
        let arp = match cfg.medium {
            Medium::Ip => None,
            Medium::Ethernet { mac } => {
                let arp_cfg = arp::Config {
                    capacity: cfg.arp_capacity,
                    ..arp::Config::new(mac, cfg.addr, cfg.prefix_len)
                };
                Some((arp::Cache::new(), arp_cfg))
            }
        };
        Host {
            tcp: TcpSockets::new(&cfg),
            udp: UdpSockets::default(),
            cfg,
            node,
            now: Duration::ZERO,
            counters: Counters::default(),
            events: VecDeque::new(),
            arp,
            ping: icmp::EchoClient::new(),
            tx: VecDeque::new(),
            ident: 0,
            limits: Limits {
                icmp_error: cfg
                    .icmp_error_limit
                    .map(|r| TokenBucket::new(r, Duration::ZERO)),
                echo_reply: cfg
                    .echo_reply_limit
                    .map(|r| TokenBucket::new(r, Duration::ZERO)),
                reset: cfg.reset_limit.map(|r| TokenBucket::new(r, Duration::ZERO)),
            },
        }
    }

    /// Whether one more answer of kind `what` may be sent now, by its token bucket
    /// ([`crate::ratelimit`]; RFC 1812 §4.3.2.8, RFC 4443 §2.4 (f)). A refused answer is
    /// counted (`icmp_errors_limited`, `echo_replies_limited`, `resets_limited`) and must not
    /// be sent. Acts at the time of the last call that passed one in.
    pub(super) fn allow(&mut self, what: Limited) -> bool {
        let (bucket, dropped) = match what {
            Limited::IcmpError => (
                &mut self.limits.icmp_error,
                &mut self.counters.icmp_errors_limited,
            ),
            Limited::EchoReply => (
                &mut self.limits.echo_reply,
                &mut self.counters.echo_replies_limited,
            ),
            Limited::Reset => (&mut self.limits.reset, &mut self.counters.resets_limited),
        };
        let ok = bucket.as_mut().is_none_or(|b| b.allow(self.now));
        if !ok {
            *dropped += 1;
        }
        ok
    }

    /// The configuration.
    pub fn config(&self) -> &HostConfig {
        &self.cfg
    }

    /// The ARP cache and its configuration (medium `Ethernet` only): for inspection, e.g. of
    /// its size against `HostConfig::arp_capacity`.
    pub fn arp_cache(&self) -> Option<(&arp::Cache<Vec<u8>>, &arp::Config)> {
        self.arp.as_ref().map(|(c, cfg)| (c, cfg))
    }

    /// The drop and traffic counters.
    pub fn counters(&self) -> &Counters {
        &self.counters
    }

    /// The next event for the application.
    pub fn poll_event(&mut self) -> Option<SocketEvent> {
        self.events.pop_front()
    }

    /// The next packet (medium `Ip`) or frame (medium `Ethernet`) to put on the link.
    pub fn poll_transmit(&mut self) -> Option<Vec<u8>> {
        let p = self.tx.pop_front()?;
        self.counters.sent += 1;
        Some(p)
    }

    /// When [`handle_timeout`](Self::handle_timeout) should next be called.
    pub fn poll_timeout(&self) -> Option<Duration> {
        let arp = self
            .arp
            .as_ref()
            .and_then(|(c, _)| c.next_deadline())
            .map(Duration::from_millis);
        let ping = self
            .ping
            .outstanding()
            .iter()
            .map(|r| Duration::from_millis(r.sent_at) + self.cfg.ping_timeout)
            .min();
        [arp, ping, self.tcp.next_deadline()]
            .into_iter()
            .flatten()
            .min()
    }

    /// Moves the host's clock to `now` (never back): every user call that may act on time
    /// passes its `now` through here before acting.
    pub(super) fn at(&mut self, now: Duration) {
        self.now = self.now.max(now);
    }

    /// Time has reached `now`: run the TCP retransmission and TIME-WAIT timers, the ARP
    /// retries and expiries, and the echo client's expiry that are due.
    pub fn handle_timeout(&mut self, now: Duration) {
        self.now = self.now.max(now);
        if let Some((cache, cfg)) = self.arp.as_mut() {
            let actions = cache.tick(millis(now), cfg);
            self.arp_actions(actions);
        }
        let timeout = millis(self.cfg.ping_timeout);
        for id in self.ping.expire(millis(now), timeout) {
            self.events.push_back(SocketEvent::EchoLost { id });
        }
        self.tcp_timeouts(now);
    }

    /// Takes a packet or frame from the link, according to the medium.
    pub fn handle(&mut self, now: Duration, bytes: &[u8]) {
        match self.cfg.medium {
            Medium::Ip => self.handle_packet(now, bytes),
            Medium::Ethernet { .. } => self.handle_frame(now, bytes),
        }
    }

    /// Takes a raw IPv4 datagram from the link.
    pub fn handle_packet(&mut self, now: Duration, bytes: &[u8]) {
        self.now = self.now.max(now);
        self.counters.received += 1;
        self.ip_input(bytes, false);
    }

    /// Takes an Ethernet frame from the link: IPv4 or ARP addressed to us or broadcast.
    pub fn handle_frame(&mut self, now: Duration, bytes: &[u8]) {
        self.now = self.now.max(now);
        self.counters.received += 1;
        let Medium::Ethernet { mac } = self.cfg.medium else {
            self.counters.malformed += 1;
            return;
        };
        let (eth, payload) = match ethernet::Repr::parse_bytes(bytes) {
            Ok(x) => x,
            Err(e) => return self.count(e),
        };
        if eth.dst_addr != mac && !eth.dst_addr.is_broadcast() {
            self.counters.not_for_us += 1;
            return;
        }
        match eth.ethertype {
            EtherType::Ipv4 => self.ip_input(payload, eth.dst_addr.is_broadcast()),
            EtherType::Arp => self.arp_input(payload),
            EtherType::Unknown(_) => self.counters.malformed += 1,
        }
    }

    pub(super) fn count(&mut self, e: wire::Error) {
        let c = &mut self.counters;
        match e {
            wire::Error::Truncated => c.truncated += 1,
            wire::Error::BadChecksum => c.bad_checksum += 1,
            wire::Error::Fragmented => c.fragment += 1,
            _ => c.malformed += 1,
        }
    }

    fn arp_input(&mut self, payload: &[u8]) {
        let repr = match wire::arp::Repr::parse_bytes(payload) {
            Ok(r) => r,
            Err(e) => return self.count(e),
        };
        let pkt = ArpPacket {
            op: match repr.operation {
                wire::arp::Operation::Request => arp::Operation::Request,
                wire::arp::Operation::Reply => arp::Operation::Reply,
            },
            sender_hw: repr.sender_hardware_addr,
            sender_ip: repr.sender_protocol_addr,
            target_hw: repr.target_hardware_addr,
            target_ip: repr.target_protocol_addr,
        };
        let now = millis(self.now);
        if let Some((cache, cfg)) = self.arp.as_mut() {
            let rx = cache.receive(&pkt, now, cfg, &arp::Mechanisms::default());
            if rx.update == arp::Update::Ignored(arp::Ignore::OffSubnet) {
                self.counters.arp_off_subnet += 1;
            }
            self.arp_actions(rx.actions);
        }
    }

    fn arp_actions(&mut self, actions: Vec<arp::Action<Vec<u8>>>) {
        for action in actions {
            match action {
                arp::Action::SendRequest { packet } => {
                    self.arp_frame(&packet, EthernetAddress::BROADCAST)
                }
                arp::Action::SendReply { packet, to } => {
                    self.arp_frame(&packet, EthernetAddress(to.0))
                }
                arp::Action::Transmit { packet, hw } => {
                    self.frame(EthernetAddress(hw.0), EtherType::Ipv4, &packet)
                }
                arp::Action::DropPending { .. } => self.counters.arp_unresolved += 1,
                arp::Action::Evicted { .. } => self.counters.arp_evicted += 1,
            }
        }
    }

    fn arp_frame(&mut self, p: &ArpPacket, to: EthernetAddress) {
        let repr = wire::arp::Repr {
            operation: match p.op {
                arp::Operation::Request => wire::arp::Operation::Request,
                arp::Operation::Reply => wire::arp::Operation::Reply,
            },
            sender_hardware_addr: EthernetAddress(p.sender_hw.0),
            sender_protocol_addr: p.sender_ip,
            target_hardware_addr: EthernetAddress(p.target_hw.0),
            target_protocol_addr: p.target_ip,
        };
        self.frame(to, EtherType::Arp, &repr.to_bytes());
    }

    fn frame(&mut self, to: EthernetAddress, ethertype: EtherType, payload: &[u8]) {
        if let Medium::Ethernet { mac } = self.cfg.medium {
            let repr = ethernet::Repr {
                dst_addr: to,
                src_addr: mac,
                ethertype,
            };
            self.tx.push_back(repr.to_bytes(payload));
        }
    }

    /// RFC 1122 §3.2.1.3 and §3.3.6 via [`ip::receive`], then [`ip::demux_protocol`].
    fn ip_input(&mut self, bytes: &[u8], link_broadcast: bool) {
        let (hdr, payload) = match ipv4::Repr::parse_bytes(bytes) {
            Ok(x) => x,
            Err(e) => return self.count(e),
        };
        let datagram = &bytes[..hdr.buffer_len()];
        let rcv = ip::Received {
            src: hdr.src_addr,
            dst: hdr.dst_addr,
            ttl: hdr.ttl,
            protocol: hdr.protocol,
            fragment_offset: 0,
            icmp_type: if hdr.protocol == IpProtocol::Icmp {
                payload.first().copied()
            } else {
                None
            },
            link_broadcast,
        };
        let icmp_mech = icmp::Mechanisms::default();
        match ip::receive(&self.node, &rcv, &ip::Mechanisms::default(), &icmp_mech) {
            Decision::DeliverLocally => {}
            Decision::Drop { reason, icmp } => {
                match reason {
                    ip::DropReason::InvalidSource => self.counters.invalid_source += 1,
                    _ => self.counters.not_for_us += 1,
                }
                if let Some(msg) = icmp {
                    self.send_icmp_error(msg, datagram);
                }
                return;
            }
            Decision::Forward { .. } => {
                self.counters.not_for_us += 1;
                return;
            }
        }
        let supported = [IpProtocol::Icmp, IpProtocol::Tcp, IpProtocol::Udp];
        match ip::demux_protocol(&self.node, &rcv, &supported, &icmp_mech) {
            Upper::Protocol(IpProtocol::Tcp) => self.tcp_input(&hdr, payload),
            Upper::Protocol(IpProtocol::Udp) => self.udp_input(&rcv, payload, datagram),
            Upper::Protocol(_) => self.icmp_input(&hdr, payload),
            Upper::ProtocolUnreachable { icmp } => {
                self.counters.unknown_protocol += 1;
                if let Some(msg) = icmp {
                    self.send_icmp_error(msg, datagram);
                }
            }
        }
    }

    /// Sends an IPv4 datagram from our address (RFC 1122 §3.3.1 via [`ip::output`]; on
    /// Ethernet the next hop is resolved by [`arp::Cache::send`]).
    pub(super) fn ip_send(&mut self, dst: Ipv4Addr, protocol: IpProtocol, payload: &[u8]) {
        self.ip_send_with(dst, protocol, payload.len(), |room| {
            let mut packet = Vec::with_capacity(room + payload.len());
            packet.resize(room, 0);
            packet.extend_from_slice(payload);
            packet
        });
    }

    /// As [`ip_send`](Self::ip_send), with the packet built by `build`: given the length of
    /// the IPv4 header, it returns that many bytes of room followed by the `len` bytes of
    /// the payload. The payload is copied once (or not at all, when it already sits in a
    /// buffer with room in front), and no byte is zeroed only to be overwritten.
    pub(super) fn ip_send_with(
        &mut self,
        dst: Ipv4Addr,
        protocol: IpProtocol,
        len: usize,
        build: impl FnOnce(usize) -> Vec<u8>,
    ) {
        let (next_hop, link_broadcast) = match ip::output(&self.node, dst) {
            ip::Output::Transmit {
                next_hop,
                link_broadcast,
                ..
            } => (next_hop, link_broadcast),
            ip::Output::Loopback | ip::Output::NoRoute | ip::Output::InvalidDestination => {
                self.counters.no_route += 1;
                return;
            }
        };
        self.ident = self.ident.wrapping_add(1);
        let repr = ipv4::Repr {
            src_addr: self.cfg.addr,
            dst_addr: dst,
            protocol,
            payload_len: len,
            ttl: ip::DEFAULT_TTL,
            dscp: 0,
            ecn: 0,
            ident: self.ident,
            dont_frag: true,
            options_len: 0,
        };
        let mut packet = build(repr.header_len());
        // A no-op unless `build` made other than `len` bytes of payload: the header says `len`.
        packet.resize(repr.buffer_len(), 0);
        repr.emit(&mut ipv4::Packet::new_unchecked(&mut packet[..]));
        let now = millis(self.now);
        match self.arp.as_mut() {
            None => self.tx.push_back(packet),
            Some(_) if link_broadcast => {
                self.frame(EthernetAddress::BROADCAST, EtherType::Ipv4, &packet)
            }
            Some((cache, cfg)) => {
                let actions = cache.send(next_hop, packet, now, cfg, &arp::Mechanisms::default());
                self.arp_actions(actions);
            }
        }
    }

    /// Sends the ICMP error the rules decided on, quoting the offending datagram (RFC 792).
    /// At most `HostConfig::icmp_error_limit` of them (RFC 1812 §4.3.2.8).
    pub(super) fn send_icmp_error(&mut self, msg: ErrorMessage, datagram: &[u8]) {
        if !self.allow(Limited::IcmpError) {
            return;
        }
        let invoking = wire::icmp::invoking_prefix(datagram).to_vec();
        let repr = match msg.kind {
            ErrorKind::DestUnreachable(reason) => {
                wire::icmp::Repr::DstUnreachable { reason, invoking }
            }
            ErrorKind::TimeExceeded(reason) => wire::icmp::Repr::TimeExceeded { reason, invoking },
        };
        self.ip_send(msg.to, IpProtocol::Icmp, &repr.to_bytes());
    }

    /// Echo server (RFC 1122 §3.2.2.6 via [`icmp::respond_to_echo`], at most
    /// `HostConfig::echo_reply_limit` replies) and the client's
    /// matching of replies ([`icmp::EchoClient`]); other messages are counted.
    fn icmp_input(&mut self, hdr: &ipv4::Repr, payload: &[u8]) {
        let repr = match wire::icmp::Repr::parse_bytes(payload) {
            Ok(r) => r,
            Err(e) => return self.count(e),
        };
        match repr {
            wire::icmp::Repr::EchoRequest {
                ident,
                seq_no,
                data,
            } => {
                let dst_is_subnet_broadcast = matches!(
                    self.node.classify(hdr.dst_addr),
                    ip::AddressKind::SubnetBroadcast { .. }
                );
                let request = Echo {
                    id: EchoId { ident, seq: seq_no },
                    data,
                };
                match icmp::respond_to_echo(
                    hdr.src_addr,
                    hdr.dst_addr,
                    dst_is_subnet_broadcast,
                    request,
                ) {
                    EchoResponse::Reply { .. } if !self.allow(Limited::EchoReply) => {}
                    EchoResponse::Reply { dst, echo, .. } => {
                        let reply = wire::icmp::Repr::EchoReply {
                            ident: echo.id.ident,
                            seq_no: echo.id.seq,
                            data: echo.data,
                        };
                        self.ip_send(dst, IpProtocol::Icmp, &reply.to_bytes());
                    }
                    EchoResponse::Discard(_) => self.counters.icmp_ignored += 1,
                }
            }
            wire::icmp::Repr::EchoReply { ident, seq_no, .. } => {
                let id = EchoId { ident, seq: seq_no };
                match self.ping.receive_reply(id, &icmp::Mechanisms::default()) {
                    ReplyMatch::Matched { sent_at, .. } => {
                        let rtt = self.now.saturating_sub(Duration::from_millis(sent_at));
                        self.events.push_back(SocketEvent::EchoReply {
                            from: hdr.src_addr,
                            id,
                            rtt,
                        });
                    }
                    ReplyMatch::Duplicate { .. } | ReplyMatch::Unmatched => {
                        self.counters.icmp_ignored += 1
                    }
                }
            }
            wire::icmp::Repr::DstUnreachable { reason, invoking } => {
                let err = match reason {
                    wire::icmp::Unreachable::FragmentationNeeded { next_hop_mtu } => {
                        tcp::IcmpError::FragmentationNeeded { mtu: next_hop_mtu }
                    }
                    wire::icmp::Unreachable::Protocol => tcp::IcmpError::ProtocolUnreachable,
                    wire::icmp::Unreachable::Port => tcp::IcmpError::PortUnreachable,
                    other => tcp::IcmpError::Soft(ErrorKind::DestUnreachable(other)),
                };
                self.tcp_icmp_error(&invoking, err);
            }
            wire::icmp::Repr::TimeExceeded { reason, invoking } => {
                let kind = ErrorKind::TimeExceeded(reason);
                self.tcp_icmp_error(&invoking, tcp::IcmpError::Soft(kind));
            }
            _ => self.counters.icmp_ignored += 1,
        }
    }

    /// An ICMP error quoting `invoking`: if it quotes a TCP segment of one of our connections,
    /// that connection decides what it means (`tcp::Connection::on_icmp_error`, RFC 1122
    /// §4.2.3.9, RFC 5927); otherwise it is counted and ignored.
    fn tcp_icmp_error(&mut self, invoking: &[u8], err: tcp::IcmpError) {
        let quote = match wire::icmp::Quote::parse(invoking) {
            Ok(q) if q.protocol == IpProtocol::Tcp => q,
            _ => {
                self.counters.icmp_ignored += 1;
                return;
            }
        };
        let tuple = tcp::FourTuple {
            local: std::net::SocketAddrV4::new(quote.src_addr, quote.src_port),
            remote: std::net::SocketAddrV4::new(quote.dst_addr, quote.dst_port),
        };
        let now = self.now;
        let Some(h) = self.tcp.conns.get(&tuple).copied() else {
            self.counters.icmp_ignored += 1;
            return;
        };
        let Some(s) = self.tcp.get_mut(h) else {
            return;
        };
        let w = s
            .conn
            .on_icmp_error(now, err, tcp::Seq(quote.transport_word));
        self.after(h, w);
    }

    /// Sends an Echo Request to `dst` at `now` (a ping), recorded in the echo client so that
    /// the reply can be matched (RFC 792). Refused while a request with the same identifier and
    /// sequence number is outstanding.
    pub fn ping(
        &mut self,
        now: Duration,
        dst: Ipv4Addr,
        id: EchoId,
        data: &[u8],
    ) -> Result<(), icmp::AlreadyOutstanding> {
        self.at(now);
        self.ping.send(id, millis(self.now))?;
        let req = wire::icmp::Repr::EchoRequest {
            ident: id.ident,
            seq_no: id.seq,
            data: data.to_vec(),
        };
        self.ip_send(dst, IpProtocol::Icmp, &req.to_bytes());
        Ok(())
    }
}
