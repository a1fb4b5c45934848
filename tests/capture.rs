//! Integration tests of `tcpip_spec::capture`: pcap and pcapng files built here byte by byte
//! (pcap also through the crate's own writer), every link type, both byte orders, nanosecond
//! and binary timestamp resolutions, headers-only captures, several interfaces; conversations
//! and TCP incarnations; errors as one line; no panic on any input (proptest); and, where
//! tshark is installed, files that Wireshark's tools converted.
//!
//! Modules are named `capture_*` so that `cargo test capture` selects them.

#[path = "capture/build.rs"]
mod build;

mod common;

#[path = "capture/files.rs"]
mod capture_files;

#[path = "capture/conversations.rs"]
mod capture_conversations;

#[path = "capture/robustness.rs"]
mod capture_robustness;

#[path = "capture/tshark.rs"]
mod capture_tshark;

#[path = "capture/stack.rs"]
mod capture_stack;
