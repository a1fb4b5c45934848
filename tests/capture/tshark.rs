//! Files written by Wireshark's own tools: a pcap of ours converted to pcapng and to nanosecond
//! pcap by `tshark`, cut to 96 bytes by `editcap`, and merged with a raw-IP capture into a
//! pcapng of two interfaces by `mergecap`, must read as the original does; and the TCP numbers
//! we read must be tshark's. Compiled as ignored unless `build.rs` found tshark or `CI=true`
//! (cfg `tshark_env`); editcap and mergecap come in the same package as tshark.

use super::build::*;
use std::path::{Path, PathBuf};
use std::process::Command;
use tcpip_spec::capture::{Capture, Checksum, Frame, LinkType, Packet};
use tcpip_spec::stack::pcap;
use tcpip_spec::wire::{EtherType, icmp};

fn tmp(name: &str) -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join(name)
}

fn run(tool: &str, args: &[&str]) {
    let out = Command::new(tool)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{tool} cannot run ({e}): install it, or run without CI=true"));
    assert!(
        out.status.success(),
        "{tool} {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn read(path: &Path) -> Vec<Frame> {
    Capture::open(path)
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

/// Ethernet traffic with a TCP connection, a 1000-byte segment, UDP and ping.
fn traffic() -> Vec<Vec<u8>> {
    let mut packets = connection(0xffff_fff0, 0x8000_0000);
    packets.push(segment(
        (A, 40000),
        (B, 80),
        0xffff_fff6,
        0x8000_0006,
        psh_ack(),
        &[0x33; 1000],
    ));
    packets.push(datagram((A, 5353), (B, 53), b"query"));
    packets.push(icmp_message(
        A,
        B,
        &icmp::Repr::EchoRequest {
            ident: 77,
            seq_no: 1,
            data: vec![0xab; 56],
        },
    ));
    packets
        .iter()
        .map(|d| {
            let src = tcpip_spec::wire::ipv4::Packet::new_unchecked(&d[..]).src_addr();
            ethernet(src, EtherType::Ipv4, d)
        })
        .collect()
}

/// What must survive a conversion: everything but the interface and link type.
fn essence(frames: &[Frame]) -> Vec<(u64, std::time::Duration, usize, usize, Packet)> {
    frames
        .iter()
        .map(|f| {
            (
                f.number,
                f.timestamp,
                f.captured_len,
                f.original_len,
                f.packet.clone(),
            )
        })
        .collect()
}

#[test]
#[cfg_attr(
    not(tshark_env),
    ignore = "needs tshark on PATH; set CI=true to require"
)]
fn files_written_by_wireshark_tools_read_as_the_original() {
    let original = tmp("capture-ours.pcap");
    std::fs::write(
        &original,
        pcap::to_bytes(pcap::LinkType::Ethernet, &timed(traffic())),
    )
    .unwrap();
    let ours = read(&original);
    assert_eq!(ours.len(), 11);

    for (format, name) in [
        ("pcapng", "capture-tshark.pcapng"),
        ("nsecpcap", "capture-tshark-ns.pcap"),
    ] {
        let converted = tmp(name);
        run(
            "tshark",
            &[
                "-r",
                original.to_str().unwrap(),
                "-F",
                format,
                "-w",
                converted.to_str().unwrap(),
            ],
        );
        let theirs = read(&converted);
        assert_eq!(essence(&theirs), essence(&ours), "{format}");
        assert!(theirs.iter().all(|f| f.link == LinkType::Ethernet));
    }

    // Headers only: cut to 96 bytes, in pcapng.
    let cut = tmp("capture-editcap-96.pcapng");
    run(
        "editcap",
        &[
            "-F",
            "pcapng",
            "-s",
            "96",
            original.to_str().unwrap(),
            cut.to_str().unwrap(),
        ],
    );
    let headers = read(&cut);
    assert_eq!(headers.len(), ours.len());
    for (h, o) in headers.iter().zip(&ours) {
        assert_eq!(h.original_len, o.original_len);
        assert_eq!(h.captured_len, o.captured_len.min(96));
        match (&h.packet, &o.packet) {
            (Packet::Tcp { tcp: cut, .. }, Packet::Tcp { tcp: whole, .. }) => {
                assert_eq!(cut.repr, whole.repr, "frame {}", h.number);
                assert_eq!(cut.text_cut(), h.is_cut());
                if h.is_cut() {
                    assert_eq!(cut.checksum, Checksum::NotVerified);
                }
            }
            (Packet::Icmp { icmp: cut, .. }, Packet::Icmp { icmp: whole, .. }) => {
                // 14 + 20 + 8 + 56 = 98 bytes: the ping loses its last two data bytes.
                assert_eq!((cut.len, whole.len), (64, 64));
                assert_eq!(cut.checksum, Checksum::NotVerified);
            }
            (cut, whole) => assert_eq!(cut, whole, "frame {}", h.number),
        }
    }

    // Two interfaces of different link types in one pcapng.
    let raw = tmp("capture-raw.pcap");
    let later: Vec<_> = timed(connection(5, 6))
        .into_iter()
        .map(|(t, p)| (t + std::time::Duration::from_micros(500), p))
        .collect();
    std::fs::write(&raw, pcap::to_bytes(pcap::LinkType::RawIp, &later)).unwrap();
    let merged = tmp("capture-merged.pcapng");
    run(
        "mergecap",
        &[
            "-F",
            "pcapng",
            "-w",
            merged.to_str().unwrap(),
            original.to_str().unwrap(),
            raw.to_str().unwrap(),
        ],
    );
    let both = read(&merged);
    assert_eq!(both.len(), 11 + 8);
    let links: std::collections::BTreeSet<_> = both.iter().map(|f| (f.interface, f.link)).collect();
    assert_eq!(
        links.into_iter().collect::<Vec<_>>(),
        [(0, LinkType::Ethernet), (1, LinkType::Raw)]
    );
    assert!(both.windows(2).all(|w| w[0].timestamp <= w[1].timestamp));
    assert!(both.iter().all(|f| matches!(
        f.packet,
        Packet::Tcp { .. } | Packet::Udp { .. } | Packet::Icmp { .. }
    )));

    // tshark reads the same numbers from the headers-only file.
    let out = Command::new("tshark")
        .args(["-r", cut.to_str().unwrap(), "-Y", "tcp", "-T", "fields"])
        .args([
            "-e",
            "frame.number",
            "-e",
            "tcp.seq_raw",
            "-e",
            "tcp.ack_raw",
        ])
        .args(["-e", "tcp.flags", "-e", "tcp.len", "-e", "frame.len"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let theirs: Vec<Vec<u64>> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| {
            l.split('\t')
                // A SYN without ACK has no acknowledgment field: ours is 0 there.
                .map(|v| match v.strip_prefix("0x") {
                    Some(hex) => u64::from_str_radix(hex, 16).unwrap(),
                    None if v.is_empty() => 0,
                    None => v.parse().unwrap(),
                })
                .collect()
        })
        .collect();
    let ours: Vec<Vec<u64>> = headers
        .iter()
        .filter_map(|f| match &f.packet {
            Packet::Tcp { tcp, .. } => Some(vec![
                f.number,
                u64::from(tcp.repr.seq.0),
                u64::from(tcp.repr.ack.0),
                u64::from(tcp.repr.flags.0),
                tcp.repr.payload_len as u64,
                f.original_len as u64,
            ]),
            _ => None,
        })
        .collect();
    assert_eq!(ours.len(), 9);
    assert_eq!(theirs, ours);
}
