//! Throw-away network namespaces with a TAP device in each, whose descriptor this process
//! holds, for the path emulator's test (`tests/emulator.rs`) and benchmark
//! (`benches/goodput.rs`). A namespace is removed when its [`Namespace`] is dropped, also on a
//! panic; a TAP device goes with its descriptor. Names carry the process id, so that runs side
//! by side do not meet.
//!
//! The kernel's congestion controller is chosen per route (`ip route ... congctl NAME`): in a
//! namespace other than the initial one, `net.ipv4.tcp_congestion_control` only takes the
//! controllers listed in the machine-wide `tcp_allowed_congestion_control`, and changing that
//! list would touch every other user of the machine.
#![allow(dead_code)]

use std::io;
use std::path::Path;
use std::process::{Command, Stdio};
use tcpip_spec::stack::tun::{Device, Kind};

/// Why this machine cannot make namespaces with TAP devices, if it cannot.
pub fn missing() -> Option<String> {
    let mut why = Vec::new();
    let root = Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0");
    if !root {
        why.push("not root".to_string());
    }
    if !Path::new("/dev/net/tun").exists() {
        why.push("no /dev/net/tun".to_string());
    }
    if Command::new("ip").arg("-V").output().is_err() {
        why.push("ip (iproute2) not installed".to_string());
    }
    if why.is_empty()
        && let Err(e) = Namespace::new(&format!("emu{}probe", std::process::id()))
    {
        why.push(format!("cannot add a network namespace: {e}"));
    }
    (!why.is_empty()).then(|| why.join(", "))
}

/// Runs `ip ARGS`, failing with its standard error.
pub fn ip(args: &[&str]) -> io::Result<()> {
    let out = Command::new("ip")
        .args(args)
        .stdin(Stdio::null())
        .output()?;
    if out.status.success() {
        Ok(())
    } else {
        Err(io::Error::other(format!(
            "ip {}: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        )))
    }
}

/// A named network namespace (`ip netns add`), deleted on drop.
#[derive(Debug)]
pub struct Namespace {
    name: String,
}

impl Namespace {
    /// Adds the namespace `name` with its loopback up.
    pub fn new(name: &str) -> io::Result<Namespace> {
        ip(&["netns", "add", name])?;
        let ns = Namespace {
            name: name.to_string(),
        };
        ip(&["-n", name, "link", "set", "lo", "up"])?;
        Ok(ns)
    }

    /// The namespace's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// `program` to be run inside the namespace (`ip netns exec NAME program`).
    pub fn command(&self, program: impl AsRef<std::ffi::OsStr>) -> Command {
        let mut c = Command::new("ip");
        c.args(["netns", "exec", &self.name]).arg(program);
        c
    }

    /// Opens a TAP device `dev` here (made in this process's namespace, then moved), gives
    /// the kernel `addr` (`A.B.C.D/LEN`) on it, brings it up, and makes the kernel's TCP on
    /// the subnet use `congestion` (`cubic`, `reno`, ...). The device is ours to read and
    /// write; it disappears when the returned [`Device`] is dropped.
    pub fn add_tap(&self, dev: &str, addr: &str, congestion: &str) -> io::Result<Device> {
        let device = Device::open(dev, Kind::Tap)?;
        let n = self.name.as_str();
        ip(&["link", "set", dev, "netns", n])?;
        ip(&["-n", n, "addr", "add", addr, "dev", dev])?;
        ip(&["-n", n, "link", "set", dev, "up"])?;
        let (host, len) = addr.split_once('/').unwrap_or((addr, "32"));
        let subnet = subnet_of(host, len.parse().unwrap_or(32));
        ip(&[
            "-n", n, "route", "replace", &subnet, "dev", dev, "proto", "kernel", "scope", "link",
            "src", host, "congctl", congestion,
        ])?;
        Ok(device)
    }
}

impl Drop for Namespace {
    fn drop(&mut self) {
        if let Err(e) = ip(&["netns", "del", &self.name]) {
            eprintln!("could not remove namespace {}: {e}", self.name);
        }
    }
}

/// `A.B.C.D/LEN` of the subnet `host` is in.
fn subnet_of(host: &str, len: u32) -> String {
    let a: std::net::Ipv4Addr = host.parse().unwrap_or(std::net::Ipv4Addr::UNSPECIFIED);
    let mask = u32::MAX.checked_shl(32 - len.min(32)).unwrap_or(0);
    format!(
        "{}/{len}",
        std::net::Ipv4Addr::from_bits(a.to_bits() & mask)
    )
}
