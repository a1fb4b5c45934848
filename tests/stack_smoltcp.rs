//! Our host against smoltcp 0.14 over the in-memory link, both roles: handshake, bulk
//! transfer under 1% loss, duplication and reordering, half-close, simultaneous close, RST
//! from a closed port, ping, UDP echo, and ARP on Ethernet. Only behaviour both stacks must
//! share is asserted (bytes, order, states reached), not either side's timing.

mod common;

use common::smol::Smol;
use common::*;
use smoltcp::socket::{icmp, tcp, udp};
use smoltcp::wire::{Icmpv4Packet, Icmpv4Repr, IpAddress, IpEndpoint};
use tcpip_spec::icmp::EchoId;
use tcpip_spec::stack::link::{Faults, Pair};
use tcpip_spec::stack::pcap::LinkType;
use tcpip_spec::stack::{Host, SocketEvent, TcpHandle};
use tcpip_spec::tcp::{Event, State};

type P = Pair<Host, Smol>;
type SmolHandle = smoltcp::iface::SocketHandle;

const OURS: IpAddress = IpAddress::v4(10, 0, 0, 1);

fn setup(faults: Faults, seed: u64, l2: bool) -> P {
    let smol = Smol::new(B, l2.then_some(MAC_B.0));
    let mut p = Pair::new(host(A, l2), smol, faults, seed);
    p.capture = Some(Vec::new());
    p
}

fn smol_socket(p: &mut P) -> SmolHandle {
    let s = tcp::Socket::new(
        tcp::SocketBuffer::new(vec![0; 65535]),
        tcp::SocketBuffer::new(vec![0; 65535]),
    );
    p.b.sockets.add(s)
}

fn theirs(p: &mut P, h: SmolHandle) -> &mut tcp::Socket<'static> {
    p.b.sockets.get_mut::<tcp::Socket>(h)
}

/// A connection with our host as client (`we_connect`) or server; returns both handles.
fn establish(p: &mut P, we_connect: bool) -> (TcpHandle, SmolHandle) {
    let sh = smol_socket(p);
    let ours = if we_connect {
        theirs(p, sh).listen(80).unwrap();
        Some(p.a.tcp_connect(p.now, sock(B, 80)).unwrap())
    } else {
        p.a.tcp_listen(80, 4).unwrap();
        let cx = p.b.iface.context();
        p.b.sockets
            .get_mut::<tcp::Socket>(sh)
            .connect(cx, (OURS, 80), 49500)
            .unwrap();
        None
    };
    let mut ours = ours;
    let ok = p.run_until(LIMIT, |p| {
        if ours.is_none() {
            ours = p.a.tcp_accept(80);
        }
        ours.is_some_and(|h| p.a.tcp_state(h) == Some(State::Established))
            && theirs(p, sh).state() == tcp::State::Established
    });
    assert!(ok, "no handshake");
    (ours.unwrap(), sh)
}

fn smol_drain(p: &mut P, h: SmolHandle, got: &mut Vec<u8>) {
    let s = theirs(p, h);
    let mut buf = [0u8; 16384];
    while let Ok(n) = s.recv_slice(&mut buf) {
        if n == 0 {
            break;
        }
        got.extend_from_slice(&buf[..n]);
    }
}

fn bulk(we_connect: bool, we_send: bool, n: usize, seed: u64, l2: bool) -> P {
    let mut p = setup(Faults::lossy(ms(5), 0.01), seed, l2);
    let (oh, sh) = establish(&mut p, we_connect);
    let data = pattern(n, seed as u8);
    let mut tx = Sender {
        data: data.clone(),
        sent: 0,
    };
    let mut their_sent = 0;
    let mut got = Vec::new();
    let ok = p.run_until(LIMIT, |p| {
        if we_send {
            tx.pump(&mut p.a, p.now, oh);
            smol_drain(p, sh, &mut got);
        } else {
            let s = theirs(p, sh);
            while their_sent < n {
                match s.send_slice(&data[their_sent..]) {
                    Ok(0) | Err(_) => break,
                    Ok(k) => their_sent += k,
                }
            }
            drain(&mut p.a, p.now, oh, &mut got);
        }
        got.len() >= n
    });
    assert!(ok, "stalled at {} of {n}", got.len());
    assert!(got == data, "bytes differ");
    println!(
        "bulk of {n} bytes (we connect {we_connect}, we send {we_send}, seed {seed}): {:.3} s \
         of virtual time, lost {}+{}, our retransmissions on timeout {}, fast {}, on partial \
         ACKs {}",
        p.now.as_secs_f64(),
        p.ab.stats.lost,
        p.ba.stats.lost,
        p.a.counters().retransmit_timeouts,
        p.a.counters().fast_retransmits,
        p.a.counters().partial_ack_retransmits
    );
    assert!(p.ab.stats.lost + p.ba.stats.lost > 0);
    p
}

#[test]
fn smoltcp_handshake_our_client_their_server() {
    let mut p = setup(Faults::clean(ms(5)), 1, false);
    let (oh, _) = establish(&mut p, true);
    assert!(events_of(&mut p.a, oh).contains(&Event::Established));
}

#[test]
fn smoltcp_handshake_their_client_our_server() {
    let mut p = setup(Faults::clean(ms(5)), 2, false);
    establish(&mut p, false);
}

#[test]
fn smoltcp_bulk_our_client_sends_to_their_server() {
    bulk(true, true, 1 << 20, 21, false);
}

#[test]
fn smoltcp_bulk_their_server_sends_to_our_client() {
    bulk(true, false, 1 << 20, 22, false);
}

#[test]
fn smoltcp_bulk_our_server_sends_to_their_client() {
    bulk(false, true, 1 << 20, 23, false);
}

#[test]
fn smoltcp_bulk_their_client_sends_to_our_server() {
    bulk(false, false, 1 << 20, 24, false);
}

#[test]
fn smoltcp_bulk_ten_megabytes_each_way() {
    bulk(true, true, 10 << 20, 25, false);
    bulk(false, false, 10 << 20, 26, false);
}

#[test]
fn smoltcp_half_close_we_close_first_and_they_keep_sending() {
    let mut p = setup(Faults::lossy(ms(5), 0.01), 3, false);
    let (oh, sh) = establish(&mut p, true);
    p.a.tcp_send(p.now, oh, b"request");
    p.a.tcp_close(p.now, oh);
    let mut got = Vec::new();
    assert!(p.run_until(LIMIT, |p| {
        smol_drain(p, sh, &mut got);
        theirs(p, sh).state() == tcp::State::CloseWait
    }));
    assert_eq!(got, b"request");
    theirs(&mut p, sh).send_slice(b"response").unwrap();
    theirs(&mut p, sh).close();
    let mut back = Vec::new();
    assert!(p.run_until(LIMIT, |p| {
        drain(&mut p.a, p.now, oh, &mut back);
        p.a.tcp_state(oh) == Some(State::TimeWait) && theirs(p, sh).state() == tcp::State::Closed
    }));
    assert_eq!(back, b"response");
    assert!(events_of(&mut p.a, oh).contains(&Event::PeerClosed));
}

#[test]
fn smoltcp_half_close_they_close_first_and_we_keep_sending() {
    let mut p = setup(Faults::lossy(ms(5), 0.01), 4, false);
    let (oh, sh) = establish(&mut p, false);
    theirs(&mut p, sh).send_slice(b"request").unwrap();
    theirs(&mut p, sh).close();
    let mut got = Vec::new();
    assert!(p.run_until(LIMIT, |p| {
        drain(&mut p.a, p.now, oh, &mut got);
        p.a.tcp_state(oh) == Some(State::CloseWait)
    }));
    assert_eq!(got, b"request");
    p.a.tcp_send(p.now, oh, b"response");
    p.a.tcp_close(p.now, oh);
    let mut back = Vec::new();
    assert!(p.run_until(LIMIT, |p| {
        smol_drain(p, sh, &mut back);
        p.a.tcp_state(oh).is_none() && theirs(p, sh).state() == tcp::State::TimeWait
    }));
    assert_eq!(back, b"response");
}

#[test]
fn smoltcp_simultaneous_close() {
    let mut p = setup(Faults::clean(ms(5)), 5, false);
    let (oh, sh) = establish(&mut p, true);
    p.a.tcp_close(p.now, oh);
    theirs(&mut p, sh).close();
    assert!(p.run_until(LIMIT, |p| {
        p.a.tcp_state(oh) == Some(State::TimeWait) && theirs(p, sh).state() == tcp::State::TimeWait
    }));
    assert!(p.run_until(LIMIT, |p| {
        p.a.tcp_state(oh).is_none() && theirs(p, sh).state() == tcp::State::Closed
    }));
}

#[test]
fn smoltcp_rst_from_their_closed_port_refuses_us() {
    let mut p = setup(Faults::clean(ms(5)), 6, false);
    let oh = p.a.tcp_connect(p.now, sock(B, 81)).unwrap();
    assert!(p.run_until(LIMIT, |p| p.a.tcp_state(oh) == Some(State::Closed)));
    assert!(events_of(&mut p.a, oh).contains(&Event::Refused));
}

#[test]
fn smoltcp_rst_from_our_closed_port_closes_their_socket() {
    let mut p = setup(Faults::clean(ms(5)), 7, false);
    let sh = smol_socket(&mut p);
    let cx = p.b.iface.context();
    p.b.sockets
        .get_mut::<tcp::Socket>(sh)
        .connect(cx, (OURS, 81), 49501)
        .unwrap();
    assert!(p.run_until(LIMIT, |p| p.a.counters().no_socket == 1));
    assert!(p.run_until(LIMIT, |p| theirs(p, sh).state() == tcp::State::Closed));
}

#[test]
fn smoltcp_ping_both_ways() {
    let mut p = setup(Faults::clean(ms(5)), 8, false);
    let id = EchoId { ident: 9, seq: 3 };
    p.a.ping(p.now, B, id, b"hello").unwrap();
    assert!(p.run_until(LIMIT, |p| matches!(
        p.a.poll_event(),
        Some(SocketEvent::EchoReply { from, id: got, .. }) if from == B && got == id
    )));
    // smoltcp pings us through an ICMP socket.
    let mut s = icmp::Socket::new(
        icmp::PacketBuffer::new(vec![icmp::PacketMetadata::EMPTY; 4], vec![0; 1024]),
        icmp::PacketBuffer::new(vec![icmp::PacketMetadata::EMPTY; 4], vec![0; 1024]),
    );
    s.bind(icmp::Endpoint::Ident(0x22)).unwrap();
    let req = Icmpv4Repr::EchoRequest {
        ident: 0x22,
        seq_no: 1,
        data: b"from smoltcp",
    };
    let buf = s.send(req.buffer_len(), OURS).unwrap();
    req.emit(&mut Icmpv4Packet::new_unchecked(buf), &Default::default());
    let h = p.b.sockets.add(s);
    let mut reply = None;
    assert!(p.run_until(LIMIT, |p| {
        let s = p.b.sockets.get_mut::<icmp::Socket>(h);
        if let Ok((bytes, from)) = s.recv() {
            let pkt = Icmpv4Packet::new_checked(bytes).unwrap();
            if let Ok(Icmpv4Repr::EchoReply {
                ident,
                seq_no,
                data,
            }) = Icmpv4Repr::parse(&pkt, &Default::default())
            {
                reply = Some((from, ident, seq_no, data.to_vec()));
            }
        }
        reply.is_some()
    }));
    assert_eq!(reply, Some((OURS, 0x22, 1, b"from smoltcp".to_vec())));
}

#[test]
fn smoltcp_udp_echo_both_ways() {
    let mut p = setup(Faults::clean(ms(5)), 9, false);
    let mk = || {
        udp::Socket::new(
            udp::PacketBuffer::new(vec![udp::PacketMetadata::EMPTY; 8], vec![0; 4096]),
            udp::PacketBuffer::new(vec![udp::PacketMetadata::EMPTY; 8], vec![0; 4096]),
        )
    };
    let mut server = mk();
    server.bind(7).unwrap();
    let sh = p.b.sockets.add(server);
    let ours = p.a.udp_bind(5000).unwrap();
    assert!(p.a.udp_send_to(p.now, ours, sock(B, 7), b"echo me"));
    let mut answer = None;
    assert!(p.run_until(LIMIT, |p| {
        let s = p.b.sockets.get_mut::<udp::Socket>(sh);
        if let Ok((data, meta)) = s.recv() {
            let data = data.to_vec();
            s.send_slice(&data, meta.endpoint).unwrap();
        }
        answer = p.a.udp_recv_from(ours);
        answer.is_some()
    }));
    assert_eq!(answer, Some((sock(B, 7), b"echo me".to_vec())));

    // The reverse: smoltcp's client, our echo server.
    let server = p.a.udp_bind(7).unwrap();
    let mut client = mk();
    client.bind(6000).unwrap();
    client
        .send_slice(b"and back", IpEndpoint::new(OURS, 7))
        .unwrap();
    let ch = p.b.sockets.add(client);
    let mut answer = None;
    assert!(p.run_until(LIMIT, |p| {
        if let Some((from, data)) = p.a.udp_recv_from(server) {
            p.a.udp_send_to(p.now, server, from, &data);
        }
        if let Ok((data, meta)) = p.b.sockets.get_mut::<udp::Socket>(ch).recv() {
            answer = Some((data.to_vec(), meta.endpoint.port));
        }
        answer.is_some()
    }));
    assert_eq!(answer, Some((b"and back".to_vec(), 7)));
}

#[test]
fn smoltcp_arp_and_tcp_over_ethernet() {
    let p = bulk(true, true, 128 << 10, 30, true);
    let frames = p.capture.as_ref().unwrap();
    let arp = frames
        .iter()
        .filter(|(_, f)| f[12..14] == [0x08, 0x06])
        .count();
    assert!(arp >= 2, "a request and a reply");
    let p = bulk(false, false, 128 << 10, 31, true);
    assert!(p.capture.as_ref().unwrap().len() > 90);
}

/// Runs tshark on a capture: every IPv4, TCP, UDP and ICMP checksum must be verified good
/// and the expert system must report no error (no malformed packet). Its test is compiled as
/// ignored unless `build.rs` found tshark or `CI=true` (cfg `tshark_env`).
fn tshark_check(name: &str, link: LinkType, packets: &[(std::time::Duration, Vec<u8>)]) {
    use std::process::Command;
    if let Err(e) = Command::new("tshark").arg("--version").output() {
        panic!("tshark cannot run ({e}): install it, or run without CI=true");
    }
    let path = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("{name}.pcap"));
    std::fs::write(&path, tcpip_spec::stack::pcap::to_bytes(link, packets)).unwrap();
    let fields = Command::new("tshark")
        .arg("-r")
        .arg(&path)
        .args([
            "-o",
            "ip.check_checksum:TRUE",
            "-o",
            "tcp.check_checksum:TRUE",
        ])
        .args(["-o", "udp.check_checksum:TRUE"])
        .args([
            "-T",
            "fields",
            "-e",
            "ip.checksum.status",
            "-e",
            "tcp.checksum.status",
        ])
        .args(["-e", "udp.checksum.status", "-e", "icmp.checksum.status"])
        .output()
        .unwrap();
    assert!(
        fields.status.success(),
        "tshark failed on {}",
        path.display()
    );
    let text = String::from_utf8_lossy(&fields.stdout);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), packets.len(), "tshark read every packet");
    let mut ip = 0;
    for line in &lines {
        let statuses: Vec<&str> = line.split(['\t', ',']).filter(|s| !s.is_empty()).collect();
        assert!(
            statuses.iter().all(|s| *s == "1"),
            "a checksum not verified good in {}: {line:?}",
            path.display()
        );
        ip += usize::from(!statuses.is_empty());
    }
    let arp = packets
        .iter()
        .filter(|(_, f)| link == LinkType::Ethernet && f[12..14] == [8, 6]);
    assert_eq!(
        ip + arp.count(),
        packets.len(),
        "every IPv4 packet was checked"
    );
    let expert = Command::new("tshark")
        .arg("-r")
        .arg(&path)
        .args([
            "-o",
            "ip.check_checksum:TRUE",
            "-o",
            "tcp.check_checksum:TRUE",
        ])
        .args(["-q", "-z", "expert,error"])
        .output()
        .unwrap();
    let report = String::from_utf8_lossy(&expert.stdout);
    assert!(expert.status.success());
    assert!(
        !report.contains("Malformed") && !report.contains("Errors ("),
        "tshark reports errors in {}:\n{report}",
        path.display()
    );
}

#[test]
#[cfg_attr(
    not(tshark_env),
    ignore = "needs tshark on PATH; set CI=true to require"
)]
fn smoltcp_runs_recorded_as_pcap_pass_tshark() {
    for (i, (we_connect, we_send)) in [(true, true), (false, false)].into_iter().enumerate() {
        let p = bulk(we_connect, we_send, 256 << 10, 40 + i as u64, false);
        let name = format!("smoltcp-ip-{i}");
        tshark_check(&name, LinkType::RawIp, p.capture.as_ref().unwrap());
    }
    let p = bulk(true, false, 256 << 10, 44, true);
    tshark_check(
        "smoltcp-ethernet",
        LinkType::Ethernet,
        p.capture.as_ref().unwrap(),
    );
    // ICMP echo, UDP and a RST from a closed port, on raw IP.
    let mut p = setup(Faults::clean(ms(5)), 43, false);
    p.a.ping(p.now, B, EchoId { ident: 1, seq: 1 }, b"x")
        .unwrap();
    let u = p.a.udp_bind(5000).unwrap();
    p.a.udp_send_to(p.now, u, sock(B, 9), b"to a closed port");
    let oh = p.a.tcp_connect(p.now, sock(B, 81)).unwrap();
    assert!(p.run_until(LIMIT, |p| p.a.tcp_state(oh) == Some(State::Closed)));
    p.run_until(p.now + ms(100), |_| false);
    let frames = p.capture.as_ref().unwrap();
    assert!(
        frames.len() >= 6,
        "ping, reply, udp, port unreachable, syn, rst"
    );
    tshark_check("smoltcp-misc", LinkType::RawIp, frames);
}
