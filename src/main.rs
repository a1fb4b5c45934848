//! `tcpip-spec`: command-line front end.
#![forbid(unsafe_code)]

fn main() {}
