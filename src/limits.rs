//! Every budget and limit that bounds what a hostile peer can make the host hold or send
//! (issue 17), with its default read from the code that sets it, and the counter that shows
//! it being hit. REPORT.md lists them.

use crate::ratelimit::Rate;
use crate::stack::{HostConfig, Medium};
use crate::tcp::{self, syncookie};
use serde::Serialize;
use std::net::Ipv4Addr;
use std::time::Duration;

/// One budget or limit.
#[derive(Clone, Debug, Serialize)]
pub struct Limit {
    /// What is bounded.
    pub what: &'static str,
    /// The default bound, as the code sets it.
    pub default: String,
    /// Where it is configured.
    pub knob: &'static str,
    /// The counter that moves when the bound acts (`Counters` field), if any.
    pub counter: &'static str,
    /// The RFC or precedent it follows.
    pub basis: &'static str,
}

fn rate(r: Option<Rate>) -> String {
    r.map_or("none".into(), |r| {
        format!("{}/s, bursts of {}", r.per_second, r.burst)
    })
}

fn secs(d: Option<Duration>) -> String {
    d.map_or("none".into(), |d| format!("{} s", d.as_secs()))
}

/// The budgets and limits of a host built with [`HostConfig::new`], and of its connections.
pub fn limits() -> Vec<Limit> {
    let h = HostConfig::new(Medium::Ip, Ipv4Addr::new(10, 0, 0, 2), 24, 0);
    let mss: Vec<String> = syncookie::MSS_TABLE.iter().map(u16::to_string).collect();
    vec![
        Limit {
            what: "half-open connections per listener (SYN-RECEIVED and not yet accepted)",
            default: "the backlog of tcp_listen".into(),
            knob: "Host::tcp_listen(port, backlog)",
            counter: "backlog_full",
            basis: "RFC 9293 §3.10.7.2 (a LISTEN may ignore a SYN it has no room for)",
        },
        Limit {
            what: "SYN cookies when the backlog is full of half-open connections",
            default: format!(
                "{}; MSS table {}; a cookie is valid for 2 slots of {} s",
                if h.tcp_syn_cookies { "on" } else { "off" },
                mss.join(", "),
                syncookie::SLOT.as_secs()
            ),
            knob: "HostConfig::tcp_syn_cookies",
            counter: "syn_cookies_sent, syn_cookies_accepted",
            basis: "RFC 4987 §3.6; window scale and SACK-permitted in the TSval's low bits as \
                    Linux, lost without timestamps",
        },
        Limit {
            what: "SYN,ACK retransmissions of a half-open connection",
            default: h
                .tcp_max_syn_ack_retransmits
                .map_or("as the SYN's".into(), |n| {
                    // The half-open entry is deleted at the timeout after the last retransmission.
                    let given_up: u64 = (0..=u32::from(n)).map(|k| (1u64 << k).min(60)).sum();
                    format!("{n} (given up {given_up} s after the SYN from a 1 s RTO)")
                }),
            knob: "HostConfig::tcp_max_syn_ack_retransmits (Config::max_syn_ack_retransmits)",
            counter: "retransmit_timeouts",
            basis: "RFC 4987 §3.2; Linux tcp_synack_retries",
        },
        Limit {
            what: "TCP connections per host, in every state",
            default: h.tcp_max_connections.to_string(),
            knob: "HostConfig::tcp_max_connections",
            counter: "connection_limit",
            basis: "RFC 9293 §3.10.7.2",
        },
        Limit {
            what: "live connections spawned by one listening port",
            default: h.tcp_max_per_listener.to_string(),
            knob: "HostConfig::tcp_max_per_listener",
            counter: "connection_limit",
            basis: "Linux somaxconn",
        },
        Limit {
            what: "out-of-order octets held by one connection",
            default: format!("its receive window ({} octets)", h.tcp_rx_buffer),
            knob: "HostConfig::tcp_rx_buffer (mechanism reassembly-bound)",
            counter: "-",
            basis: "RFC 9293 §3.8.6, §3.10.7.4 seventh step",
        },
        Limit {
            what: "out-of-order octets held by all connections of a host together",
            default: format!("{} MiB", h.tcp_reassembly_budget >> 20),
            knob: "HostConfig::tcp_reassembly_budget (Connection::set_reassembly_allowance)",
            counter: "reassembly_budget_drops",
            basis: "issue 17; a host out of buffer memory drops the segment",
        },
        Limit {
            what: "challenge ACKs per connection",
            default: rate(h.tcp_challenge_ack_limit),
            knob: "HostConfig::tcp_challenge_ack_limit",
            counter: "challenge_acks_limited",
            basis: "RFC 5961 §7",
        },
        Limit {
            what: "FIN-WAIT-2 without text from the peer",
            default: secs(h.tcp_fin_wait_2_timeout),
            knob: "HostConfig::tcp_fin_wait_2_timeout",
            counter: "fin_wait_2_timeouts",
            basis: "deviation from RFC 9293 §3.6; Linux tcp_fin_timeout",
        },
        Limit {
            what: "unanswered zero-window probes",
            default: format!("R2 = {}", tcp::Config::default().max_retransmits),
            knob: "Config::max_retransmits",
            counter: "probes_unanswered",
            basis: "RFC 6429, RFC 9293 §3.8.3",
        },
        Limit {
            what: "peer's MSS, from below",
            default: format!("{} octets", tcp::effective_send_mss(Some(0), 1500)),
            knob: "tcp::effective_send_mss",
            counter: "-",
            basis: "deviation from RFC 9293 §3.7.1; Linux tcp_min_snd_mss",
        },
        Limit {
            what: "RSTs to segments for no connection",
            default: rate(h.reset_limit),
            knob: "HostConfig::reset_limit",
            counter: "resets_limited",
            basis: "RFC 1812 §4.3.2.8 style token bucket",
        },
        Limit {
            what: "ICMP error messages sent",
            default: rate(h.icmp_error_limit),
            knob: "HostConfig::icmp_error_limit",
            counter: "icmp_errors_limited",
            basis: "RFC 1812 §4.3.2.8, RFC 4443 §2.4 (f)",
        },
        Limit {
            what: "Echo Replies sent",
            default: rate(h.echo_reply_limit),
            knob: "HostConfig::echo_reply_limit",
            counter: "echo_replies_limited",
            basis: "RFC 1122 §3.2.2.6; FreeBSD icmplim",
        },
        Limit {
            what: "ARP cache entries",
            default: h.arp_capacity.to_string(),
            knob: "HostConfig::arp_capacity",
            counter: "arp_evicted, arp_off_subnet",
            basis: "RFC 1122 §2.3.2.1; Linux gc_thresh3",
        },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_defaults_are_read_from_the_code() {
        let l = limits();
        let find = |w: &str| l.iter().find(|x| x.what.starts_with(w)).unwrap();
        assert_eq!(find("out-of-order octets held by all").default, "64 MiB");
        assert_eq!(
            find("SYN,ACK retransmissions").default,
            "5 (given up 63 s after the SYN from a 1 s RTO)"
        );
        assert!(
            find("SYN cookies")
                .default
                .starts_with("on; MSS table 64, 256, 536")
        );
        assert_eq!(find("challenge ACKs").default, "1000/s, bursts of 50");
    }
}
