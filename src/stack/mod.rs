//! A sans-IO host on the pure rules: bytes in, bytes out, time passed in (the shape of
//! quinn-proto's `Endpoint`).
//!
//! [`Host`] takes raw IPv4 datagrams ([`Host::handle_packet`], a TUN-like medium) or Ethernet
//! frames ([`Host::handle_frame`], a TAP-like medium with ARP), and hands back what to send
//! through [`Host::poll_transmit`]. It never reads a clock: every call that may act on time
//! takes `now`, a [`Duration`] since an arbitrary epoch, and [`Host::poll_timeout`] says when
//! it next wants [`Host::handle_timeout`].
//!
//! Every protocol decision is taken by the pure modules: IPv4 delivery by [`crate::ip`]
//! (RFC 1122 §3.2.1.3, §3.3.1), ICMP errors and echo by [`crate::icmp`] (RFC 792, RFC 1122
//! §3.2.2), UDP demultiplexing and checksums by [`crate::udp`] (RFC 768, RFC 1122 §4.1.3),
//! ARP by [`crate::arp::Cache`] (RFC 826, RFC 1122 §2.3.2), and each TCP connection, its
//! timers and recovery included, by a [`crate::tcp::Connection`] (RFC 9293, RFC 6298, RFC
//! 5681 §3.2, RFC 6582): the very value the TCP models step. The host moves bytes between
//! codecs ([`crate::wire`]) and those rules, keeps listeners, ports and one timer-heap entry
//! per connection, and counts every packet it drops, and every TCP segment it sends again, in
//! [`Counters`]. Every call that may act on time (the user calls too) takes `now`.
//!
//! [`link`] is an in-memory link in virtual time with seeded fault injection and a two-endpoint
//! harness, for tests and benchmarks; [`pcap`] records runs for independent dissectors.
//! [`tun`] opens a Linux TUN or TAP device (the crate's only `unsafe` code) and [`driver`]
//! runs a host on it in real time. [`emulator`] pumps Ethernet frames between two TAP devices
//! (or a TAP device and a host) through the link's faults and bottleneck in real time.

pub mod driver;
pub mod emulator;
mod host;
pub mod link;
pub mod pcap;
mod tcp;
mod tcp_io;
#[allow(unsafe_code)]
pub mod tun;
mod udp;

pub use host::Host;
pub use tcp::{TcpError, TcpHandle};
pub use udp::UdpHandle;

use crate::ratelimit::Rate;
use crate::wire::EthernetAddress;
use std::net::{Ipv4Addr, SocketAddrV4};
use std::time::Duration;

/// The kind of link the host is attached to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Medium {
    /// Raw IPv4 datagrams, no link header (a TUN device).
    Ip,
    /// Ethernet II frames with ARP (a TAP device), with this host's hardware address.
    Ethernet {
        /// Our hardware address.
        mac: EthernetAddress,
    },
}

/// The host's configuration.
#[derive(Clone, Copy, Debug)]
pub struct HostConfig {
    /// The link medium.
    pub medium: Medium,
    /// Our IPv4 address.
    pub addr: Ipv4Addr,
    /// The prefix length of the attached subnet.
    pub prefix_len: u8,
    /// The default gateway, if any.
    pub gateway: Option<Ipv4Addr>,
    /// The secret key of the ISN hash F of RFC 9293 §3.4.1.
    pub isn_key: u64,
    /// MSL; TIME-WAIT lasts 2·MSL (RFC 9293 §3.4.1, MUST-13).
    pub msl: Duration,
    /// The link MTU: sets the MSS we advertise and the most we put in one segment.
    pub mtu: u16,
    /// Receive buffer of each TCP connection, in octets: the window offered (more than 65,535
    /// only to a peer that agreed to window scaling, RFC 7323 §2).
    pub tcp_rx_buffer: usize,
    /// Send buffer of each TCP connection, in octets (unacknowledged plus unsent text).
    pub tcp_tx_buffer: usize,
    /// Datagrams queued per UDP socket before further ones are dropped.
    pub udp_queue: usize,
    /// How long an Echo Request waits for its reply before it is reported lost.
    pub ping_timeout: Duration,
    /// Whether TCP resends the segment at SND.UNA on the third duplicate ACK (fast
    /// retransmit, RFC 5681 §3.2) and on partial acknowledgments (RFC 6582 §3.2), besides the
    /// retransmission timer. On by default; off, only the timer resends, as in RFC 9293 alone
    /// and in the tcp-lifecycle model.
    pub tcp_fast_retransmit: bool,
    /// Whether TCP may defer the acknowledgment of an in-order text segment until a second
    /// one arrives, a segment of ours carries it, or [`Config::ack_delay`](crate::tcp::Config::ack_delay)
    /// has passed (delayed ACK, RFC 9293 §3.8.6.3, RFC 5681 §4.2). On by default; off, every
    /// text segment is acknowledged at once, as in RFC 9293 §3.10.7.4 alone and in the
    /// tcp-lifecycle model.
    pub tcp_delayed_ack: bool,
    /// The rate of ICMP error messages we send (Destination Unreachable for a closed UDP port
    /// or an unknown protocol, and the others the rules decide on), host-wide; `None` for no
    /// limit (RFC 1812 §4.3.2.8, RFC 4443 §2.4 (f); see [`crate::ratelimit`]). Default 1000
    /// per second, bursts of 50: Linux's host-wide `net.ipv4.icmp_msgs_per_sec` and
    /// `icmp_msgs_burst`. Dropped errors are counted in [`Counters::icmp_errors_limited`].
    pub icmp_error_limit: Option<Rate>,
    /// The rate of Echo Replies we send (RFC 1122 §3.2.2.6), host-wide; `None` for no limit.
    /// Default 1000 per second, bursts of 50, in a bucket of its own so that a ping flood does
    /// not silence the errors (FreeBSD limits echo replies with `net.inet.icmp.icmplim`).
    /// Counted in [`Counters::echo_replies_limited`].
    pub echo_reply_limit: Option<Rate>,
    /// The rate of RSTs sent for segments that reach no connection (RFC 9293 §3.10.7.1: a
    /// closed port), host-wide; `None` for no limit. Default 1000 per second, bursts of 50, as
    /// for ICMP errors: a RST to a closed port is TCP's port unreachable (FreeBSD limits both
    /// with `icmplim`). Counted in [`Counters::resets_limited`].
    pub reset_limit: Option<Rate>,
    /// Entries the ARP cache holds at most (Ethernet only). A new entry beyond it evicts the
    /// least recently confirmed resolved entry ([`crate::arp::Config::capacity`]). Default
    /// 1024, Linux's hard limit on its neighbour table (`gc_thresh3`). Counted in
    /// [`Counters::arp_evicted`].
    pub arp_capacity: usize,
    /// The rate of RFC 5961 challenge ACKs of each TCP connection (RFC 5961 §7), given to
    /// every connection's [`Config::challenge_ack_limit`](crate::tcp::Config); `None` for no
    /// limit. Default [`tcp::CHALLENGE_ACK_LIMIT`](crate::tcp::CHALLENGE_ACK_LIMIT): 1000 per
    /// second, bursts of 50, per connection. Counted in [`Counters::challenge_acks_limited`].
    pub tcp_challenge_ack_limit: Option<Rate>,
    /// How long a TCP connection in FIN-WAIT-2 waits for the peer's FIN without hearing text
    /// (a deviation from RFC 9293 §3.6, which sets no limit; see
    /// [`Config::fin_wait_2_timeout`](crate::tcp::Config)); `None` waits for ever. Default
    /// 60 s, Linux's `tcp_fin_timeout`. Counted in [`Counters::fin_wait_2_timeouts`].
    pub tcp_fin_wait_2_timeout: Option<Duration>,
    /// Keep-alives for every TCP connection (RFC 9293 §3.8.4); `None`, the default, sends none
    /// (MUST-24). Probes are counted in [`Counters::keep_alive_probes`], connections given up
    /// in [`Counters::probes_unanswered`].
    pub tcp_keep_alive: Option<crate::tcp::KeepAlive>,
    /// TCP connections the host holds at most, in every state, active and passive; beyond it
    /// a SYN to a listener is dropped and an active OPEN refused
    /// ([`TcpError::ConnectionLimit`]). Default 16,384: with 64 KiB buffers
    /// each way, at most 2 GiB of buffers. Counted in [`Counters::connection_limit`].
    pub tcp_max_connections: usize,
    /// Live connections one listening port may have spawned, accepted or not (the backlog
    /// bounds only those not yet accepted); beyond it a SYN is dropped. Default 4,096 (Linux's
    /// `somaxconn`). Counted in [`Counters::connection_limit`].
    pub tcp_max_per_listener: usize,
    /// Whether our SYNs offer window scaling (RFC 7323 §2). On by default, as on Linux
    /// (`net.ipv4.tcp_window_scaling`).
    pub tcp_window_scale: bool,
    /// Whether our SYNs offer timestamps (RFC 7323 §3; RTT measurement and PAWS). On by
    /// default, as on Linux (`net.ipv4.tcp_timestamps`). TSval is the host's clock in
    /// milliseconds plus an offset per connection drawn from the ISN key (§7.1).
    pub tcp_timestamps: bool,
    /// Whether our SYNs offer SACK (RFC 2018). On by default, as on Linux
    /// (`net.ipv4.tcp_sack`).
    pub tcp_sack: bool,
    /// Whether TCP connections run the Nagle algorithm (RFC 9293 §3.7.4, SHLD-7): on by
    /// default, as on Linux (a socket without `TCP_NODELAY`).
    pub tcp_nagle: bool,
    /// Congestion control of every TCP connection (RFC 5681, MUST-19): CUBIC by default, as
    /// on Linux (`net.ipv4.tcp_congestion_control`, whose own default on this kernel is BBR);
    /// `None` sends whatever the peer's window allows (RFC 9293's text alone, a deviation).
    pub tcp_congestion: Option<crate::tcp::Algorithm>,
    /// Whether a listener whose backlog is full of half-open connections answers a SYN with a
    /// stateless SYN cookie (RFC 4987 §3.6, [`crate::tcp::syncookie`]) instead of dropping
    /// it; the ACK of a cookie opens the connection in ESTABLISHED. On by default, as on
    /// Linux (`net.ipv4.tcp_syncookies = 1`: only when the queue overflows). A cookie
    /// connection has no window scaling and no SACK unless the peer's SYN carried
    /// timestamps, and its MSS is rounded down to [`crate::tcp::syncookie::MSS_TABLE`]. The
    /// key is derived from `isn_key`. Counted in [`Counters::syn_cookies_sent`] and
    /// [`Counters::syn_cookies_accepted`].
    pub tcp_syn_cookies: bool,
    /// R2 for a listener's SYN,ACK (see
    /// [`Config::max_syn_ack_retransmits`](crate::tcp::Config)). Default
    /// [`SYN_ACK_RETRANSMITS`](crate::tcp::SYN_ACK_RETRANSMITS), 5 as Linux's
    /// `tcp_synack_retries`: a half-open connection frees its backlog slot after 63 s.
    pub tcp_max_syn_ack_retransmits: Option<u8>,
    /// The most out-of-order octets all TCP connections of the host may hold together in
    /// their reassembly queues; a segment that a connection would hold beyond it is dropped
    /// before it is queued (see `Connection::set_reassembly_allowance`) and counted in
    /// [`Counters::reassembly_budget_drops`]. Each connection holds at most its own window
    /// anyway; this bounds the sum. Default 64 MiB (about 1,000 connections' full 64 KiB
    /// windows; `tcp_max_connections` full windows would be 1 GiB).
    pub tcp_reassembly_budget: usize,
}

/// The answers whose rate the host limits (see [`HostConfig`]'s `*_limit` fields).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Limited {
    /// An ICMP error message: `HostConfig::icmp_error_limit`.
    IcmpError,
    /// An Echo Reply: `HostConfig::echo_reply_limit`.
    EchoReply,
    /// A RST for a segment that reached no connection: `HostConfig::reset_limit`.
    Reset,
}

impl HostConfig {
    /// A host at `addr`/`prefix_len` on `medium`, with a 1500-byte MTU, 64 KiB TCP buffers, a
    /// 30 s MSL (a short but common choice; RFC 9293 suggests 2 minutes), fast retransmit,
    /// delayed ACK, the rate limits and ARP cache size documented on each field, and the given
    /// key.
    pub fn new(medium: Medium, addr: Ipv4Addr, prefix_len: u8, isn_key: u64) -> HostConfig {
        HostConfig {
            medium,
            addr,
            prefix_len,
            gateway: None,
            isn_key,
            msl: Duration::from_secs(30),
            mtu: 1500,
            tcp_rx_buffer: 65535,
            tcp_tx_buffer: 65535,
            udp_queue: 64,
            ping_timeout: Duration::from_secs(10),
            tcp_fast_retransmit: true,
            tcp_delayed_ack: true,
            icmp_error_limit: Some(Rate::new(1000, 50)),
            echo_reply_limit: Some(Rate::new(1000, 50)),
            reset_limit: Some(Rate::new(1000, 50)),
            arp_capacity: 1024,
            tcp_challenge_ack_limit: Some(crate::tcp::CHALLENGE_ACK_LIMIT),
            tcp_fin_wait_2_timeout: Some(crate::tcp::FIN_WAIT_2_TIMEOUT),
            tcp_keep_alive: None,
            tcp_max_connections: 16_384,
            tcp_max_per_listener: 4_096,
            tcp_window_scale: true,
            tcp_timestamps: true,
            tcp_sack: true,
            tcp_nagle: true,
            tcp_congestion: Some(crate::tcp::Algorithm::Cubic),
            tcp_syn_cookies: true,
            tcp_max_syn_ack_retransmits: Some(crate::tcp::SYN_ACK_RETRANSMITS),
            tcp_reassembly_budget: 64 << 20,
        }
    }
}

/// Packets dropped, by reason, packets moved, and TCP segments sent again. A hostile input
/// only ever moves a counter.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counters {
    /// Packets or frames received.
    pub received: u64,
    /// Packets or frames handed out by `poll_transmit`.
    pub sent: u64,
    /// Shorter than a header or a length field says.
    pub truncated: u64,
    /// A field holds a value the format forbids, or a kind we do not speak.
    pub malformed: u64,
    /// An IPv4, ICMP, UDP or TCP checksum did not verify.
    pub bad_checksum: u64,
    /// An IPv4 fragment (reassembly is not implemented; see `deviations`).
    pub fragment: u64,
    /// Not addressed to us (link or IP destination), or not unicast where TCP needs it.
    pub not_for_us: u64,
    /// An invalid IP source (RFC 1122 §3.2.1.3).
    pub invalid_source: u64,
    /// An IP protocol we do not implement.
    pub unknown_protocol: u64,
    /// A TCP segment or UDP datagram for which no socket exists.
    pub no_socket: u64,
    /// A SYN refused because the listener's backlog was full (and no cookie could be sent:
    /// cookies off, or every entry of the backlog established and waiting for accept), or
    /// the ACK of a valid cookie refused because the accept queue was full.
    pub backlog_full: u64,
    /// Stateless SYN,ACKs sent with a SYN cookie because the backlog was full (RFC 4987
    /// §3.6).
    pub syn_cookies_sent: u64,
    /// Connections opened by the ACK of a valid SYN cookie.
    pub syn_cookies_accepted: u64,
    /// Segments dropped before a connection queued their text out of order, because the
    /// host's reassembly queues held `HostConfig::tcp_reassembly_budget` octets.
    pub reassembly_budget_drops: u64,
    /// A UDP datagram dropped because its socket's queue was full.
    pub udp_queue_full: u64,
    /// An outbound packet dropped because ARP could not resolve its next hop.
    pub arp_unresolved: u64,
    /// An outbound packet with no route (or to ourselves: there is no loopback).
    pub no_route: u64,
    /// ICMP messages received that no one consumes (errors, unmatched replies).
    pub icmp_ignored: u64,
    /// TCP segments sent again because the retransmission timer expired (RFC 6298 (5.4)).
    pub retransmit_timeouts: u64,
    /// TCP segments sent again on the third duplicate ACK (fast retransmit, RFC 5681 §3.2).
    pub fast_retransmits: u64,
    /// Fast recoveries undone: the segment resent had arrived, reordered (RFC 3522).
    pub spurious_recoveries: u64,
    /// SACK recoveries that found their retransmissions lost and resent them (see
    /// `tcp::RecoveryEvent::RetransmissionLost`).
    pub retransmissions_lost: u64,
    /// TCP segments sent again on a partial acknowledgment during recovery (RFC 6582 §3.2).
    pub partial_ack_retransmits: u64,
    /// TCP zero-window probes sent (RFC 9293 §3.8.6.1).
    pub window_probes: u64,
    /// ICMP error messages not sent: over `HostConfig::icmp_error_limit`.
    pub icmp_errors_limited: u64,
    /// Echo Replies not sent: over `HostConfig::echo_reply_limit`.
    pub echo_replies_limited: u64,
    /// RSTs for segments to no connection not sent: over `HostConfig::reset_limit`.
    pub resets_limited: u64,
    /// ARP cache entries evicted to make room: the cache held `HostConfig::arp_capacity`.
    pub arp_evicted: u64,
    /// ARP packets whose sender is not on our subnet: no entry is created or updated
    /// (RFC 1122 §2.3.2.1; see [`crate::arp::Ignore::OffSubnet`]).
    pub arp_off_subnet: u64,
    /// RFC 5961 challenge ACKs a connection did not send: over
    /// `HostConfig::tcp_challenge_ack_limit` (the connection's rule; the host counts).
    pub challenge_acks_limited: u64,
    /// TCP connections ended in FIN-WAIT-2 by `HostConfig::tcp_fin_wait_2_timeout`.
    pub fin_wait_2_timeouts: u64,
    /// TCP keep-alive probes sent (RFC 9293 §3.8.4).
    pub keep_alive_probes: u64,
    /// TCP connections aborted because their zero-window probes (RFC 6429) or keep-alives
    /// went unanswered.
    pub probes_unanswered: u64,
    /// SYNs dropped and active OPENs refused over `HostConfig::tcp_max_connections` or
    /// `tcp_max_per_listener`.
    pub connection_limit: u64,
    /// ICMP "fragmentation needed" errors that lowered a TCP connection's send MSS (RFC 1191;
    /// believed only when the quoted sequence number is in flight, RFC 5927 §4.1). The ones
    /// not believed, and soft errors, count in `icmp_ignored`.
    pub mss_lowered: u64,
    /// TCP connections refused in SYN-SENT by an ICMP port or protocol unreachable quoting
    /// our SYN (RFC 1122 §4.2.3.9).
    pub icmp_refused: u64,
}

/// Something that happened to a socket, for the application.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SocketEvent {
    /// A TCP connection event ([`crate::tcp::Event`]): `Established`, `PeerClosed`,
    /// `Reset`, `Refused`, `DeliveryProblem`, `SoftError` (an ICMP soft error, RFC 1122
    /// §4.2.3.9), `TimedOut` or `Closed`.
    Tcp {
        /// The connection.
        handle: TcpHandle,
        /// What happened.
        event: crate::tcp::Event,
    },
    /// An Echo Reply matched one of our requests.
    EchoReply {
        /// Who answered.
        from: Ipv4Addr,
        /// Identifier and sequence number.
        id: crate::icmp::EchoId,
        /// Round-trip time.
        rtt: Duration,
    },
    /// An Echo Request got no reply within `ping_timeout`.
    EchoLost {
        /// Identifier and sequence number.
        id: crate::icmp::EchoId,
    },
    /// A datagram was queued on a UDP socket.
    UdpReadable {
        /// The socket.
        handle: UdpHandle,
        /// Who sent it.
        from: SocketAddrV4,
    },
}
