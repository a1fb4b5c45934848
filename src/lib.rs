//! # tcpip-spec
//!
//! The TCP/IP transport and internet layers as pure transition functions that are both
//! exhaustively model-checked (by the stateright models in `models`, with the default cargo
//! feature `checker`) and run as a real packet-level stack. Without that feature the rules,
//! the codecs and the stack build alone, with neither stateright nor clap.
//!
//! There is exactly one copy of each protocol rule, in the protocol modules below. The models
//! enumerate those same functions over a network that loses, duplicates, reorders and delays.
// `deny`, not `forbid`: the one exception is `stack::tun`, which opens a TUN/TAP device and
// polls descriptors through libc (documented there, block by block).
#![deny(unsafe_code)]
#![warn(missing_docs)]

pub mod arp;
pub mod bench_results;
pub mod capture;
pub mod conform;
pub mod deviations;
pub mod icmp;
pub mod ip;
pub mod limits;
pub mod ratelimit;
pub mod stack;
pub mod tcp;
pub mod udp;
pub mod wire;

#[cfg(feature = "checker")]
#[path = "../models/mod.rs"]
pub mod models;
