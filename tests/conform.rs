//! `tcpip_spec::conform` on captures our own stack records (two hosts over the in-memory
//! Ethernet link, clean and lossy): every endpoint must conform with no profile; mutated
//! copies (a wrong ACK, a shrunk window, a FIN dropped whose acknowledgment remains, a RST out
//! of window) must be rejected at the right frame, and a corrupted checksum must not be.
//! The kernel's own captures are in `tests/conform_kernel.rs`.
//!
//! Modules are named `conform_*` so that `cargo test conform` selects them.

mod common;

#[path = "conform/mutate.rs"]
mod mutate;

#[path = "conform/ours.rs"]
mod conform_ours;

#[path = "conform/cli.rs"]
mod conform_cli;
