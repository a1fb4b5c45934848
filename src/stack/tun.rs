//! A Linux TUN (raw IPv4) or TAP (Ethernet) device, and `poll(2)` on file descriptors.
//!
//! This module holds the crate's only `unsafe` code: two foreign calls that the standard
//! library does not wrap. Everything else (opening `/dev/net/tun`, reading and writing packets)
//! goes through `std::fs::File`.
//!
//! - [`Device::open`] opens `/dev/net/tun` and attaches the descriptor to the interface named
//!   `name` with `ioctl(fd, TUNSETIFF, &ifreq)` (`IFF_TUN` or `IFF_TAP`, with `IFF_NO_PI` so
//!   that no packet-information header precedes the packet). The interface is created if it
//!   does not exist (which takes `CAP_NET_ADMIN`); usually it is made beforehand with
//!   `ip tuntap add dev NAME mode tun|tap`.
//! - Then each `read` returns one whole packet (TUN) or frame (TAP), and each `write` sends
//!   one. The descriptor is non-blocking: [`Device::recv`] returns `None` when nothing waits.
//! - [`poll_readable`] waits until one of some descriptors is readable or a timeout passes.

use std::fs::{File, OpenOptions};
use std::io::{self, Read, Write};
use std::os::fd::{AsFd, AsRawFd, BorrowedFd};
use std::os::unix::fs::OpenOptionsExt;
use std::time::Duration;

/// `TUNSETIFF`, `_IOW('T', 202, int)` from `<linux/if_tun.h>`.
const TUNSETIFF: u64 = 0x4004_54CA;
const IFF_TUN: i16 = 0x0001;
const IFF_TAP: i16 = 0x0002;
const IFF_NO_PI: i16 = 0x1000;
/// `IFNAMSIZ` from `<net/if.h>`, including the terminating NUL.
const IFNAMSIZ: usize = 16;

/// Which kind of device.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A TUN device: raw IPv4 datagrams.
    Tun,
    /// A TAP device: Ethernet frames.
    Tap,
}

/// `struct ifreq` as `TUNSETIFF` reads it: the name, then `short ifr_flags` at the start of
/// the 24-byte union (40 bytes in all on every Linux ABI).
#[repr(C)]
struct IfReq {
    name: [u8; IFNAMSIZ],
    flags: i16,
    _pad: [u8; 22],
}

/// An open TUN or TAP device.
#[derive(Debug)]
pub struct Device {
    file: File,
    name: String,
    kind: Kind,
}

impl Device {
    /// Opens `/dev/net/tun` and attaches to the interface `name` (see the module
    /// documentation). Fails with `InvalidInput` for a name that does not fit `IFNAMSIZ`.
    pub fn open(name: &str, kind: Kind) -> io::Result<Device> {
        if name.is_empty() || name.len() >= IFNAMSIZ || name.bytes().any(|b| b == 0 || b == b'/') {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("bad interface name '{name}' (1 to 15 bytes, no '/')"),
            ));
        }
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .custom_flags(libc::O_NONBLOCK | libc::O_CLOEXEC)
            .open("/dev/net/tun")?;
        let mut req = IfReq {
            name: [0; IFNAMSIZ],
            flags: match kind {
                Kind::Tun => IFF_TUN,
                Kind::Tap => IFF_TAP,
            } | IFF_NO_PI,
            _pad: [0; 22],
        };
        req.name[..name.len()].copy_from_slice(name.as_bytes());
        // SAFETY: `file` is an open descriptor of /dev/net/tun, owned by us for the whole
        // call. TUNSETIFF reads (and may write back the chosen name into) one `struct ifreq`;
        // `req` is a live, exclusively borrowed, properly aligned `#[repr(C)]` value of
        // exactly that layout and size (40 bytes), NUL-terminated within `name`. The kernel
        // keeps no pointer to it after the call returns.
        let rc = unsafe {
            libc::ioctl(
                file.as_raw_fd(),
                TUNSETIFF as _,
                &mut req as *mut IfReq as *mut libc::c_void,
            )
        };
        if rc < 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(Device {
            file,
            name: name.to_string(),
            kind,
        })
    }

    /// The interface name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The kind of device.
    pub fn kind(&self) -> Kind {
        self.kind
    }

    /// Reads one packet or frame into `buf`; `None` if none is waiting.
    pub fn recv(&mut self, buf: &mut [u8]) -> io::Result<Option<usize>> {
        match self.file.read(buf) {
            Ok(n) => Ok(Some(n)),
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => Ok(None),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Writes one packet or frame. Returns false if the device's queue was full and the
    /// packet was dropped (as a link may drop it).
    pub fn send(&mut self, packet: &[u8]) -> io::Result<bool> {
        match self.file.write(packet) {
            Ok(_) => Ok(true),
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => Ok(false),
            // The interface is down or has no carrier on the kernel side: the packet is lost.
            Err(e) if e.raw_os_error() == Some(libc::EIO) => Ok(false),
            Err(e) => Err(e),
        }
    }
}

impl AsFd for Device {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.file.as_fd()
    }
}

/// Waits until one of `fds` is readable (or at end of file, or in error), or `timeout`
/// passes (`None`: no timeout). Returns which are; all false on timeout or on a signal, so
/// that the caller can look at its signal flags.
pub fn poll_readable(fds: &[BorrowedFd<'_>], timeout: Option<Duration>) -> io::Result<Vec<bool>> {
    let mut pfds: Vec<libc::pollfd> = fds
        .iter()
        .map(|fd| libc::pollfd {
            fd: fd.as_raw_fd(),
            events: libc::POLLIN,
            revents: 0,
        })
        .collect();
    let ms = match timeout {
        None => -1,
        // Round up so that a deadline is never polled for early and spun on.
        Some(t) => i32::try_from(t.as_micros().div_ceil(1000)).unwrap_or(i32::MAX),
    };
    // SAFETY: `pfds` is a live, exclusively borrowed array of `pfds.len()` `struct pollfd`
    // (libc's own type), which poll(2) reads and writes (`revents`) only during the call.
    // Every descriptor in it is borrowed from `fds`, so it stays open for the call.
    let rc = unsafe { libc::poll(pfds.as_mut_ptr(), pfds.len() as libc::nfds_t, ms) };
    if rc < 0 {
        let e = io::Error::last_os_error();
        if e.kind() == io::ErrorKind::Interrupted {
            return Ok(vec![false; fds.len()]);
        }
        return Err(e);
    }
    Ok(pfds.iter().map(|p| p.revents != 0).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ifreq_has_the_kernel_layout() {
        assert_eq!(std::mem::size_of::<IfReq>(), 40);
        assert_eq!(std::mem::offset_of!(IfReq, flags), 16);
    }

    #[test]
    fn a_name_that_does_not_fit_is_refused_before_any_system_call() {
        let e = Device::open("a-name-far-too-long", Kind::Tun).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::InvalidInput);
        assert!(Device::open("", Kind::Tap).is_err());
    }

    #[test]
    fn poll_times_out_on_a_quiet_descriptor() {
        let (r, _w) = std::io::pipe().unwrap();
        let got = poll_readable(&[r.as_fd()], Some(Duration::from_millis(1))).unwrap();
        assert_eq!(got, vec![false]);
    }
}
