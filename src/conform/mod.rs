//! `tcpip-spec conform`: judging a capture's endpoints against the rules of this crate.
//!
//! A capture ([`crate::capture`]) is split into conversations; every endpoint of every
//! conversation gets a verdict: it **conforms** (everything it sent is something the rules can
//! send in some run consistent with everything seen), it **violates** (the first segment no
//! conforming endpoint could have sent, with the rule it breaks), or the judge **cannot judge**
//! (and says why: a capture that starts mid-connection, a search that outgrew its budget).
//!
//! - TCP endpoints: a bounded search over what the capture cannot show, replaying the
//!   endpoint through [`tcp::Connection`](crate::tcp::Connection) ([`tcp`] says how).
//! - ICMP echo (RFC 792, RFC 1122 §3.2.2.6): a reply returns the identifier, sequence number
//!   and data of a request sent to the replying host.
//! - UDP (RFC 1122 §4.1.3.1, RFC 792): a port unreachable comes from the host the datagram it
//!   quotes was addressed to.
//! - ARP (RFC 826): a reply to a request gives the requested protocol address and is sent to
//!   the requester's hardware address.
//!
//! Behaviour beyond the RFCs is allowed only by a named [`Profile`].

/// What `conform` does not judge yet, and why: (what, why). REPORT.md lists it (`report`).
pub const NOT_JUDGED: &[(&str, &str)] = &[
    (
        "Congestion control (RFC 5681, 6582, 6675 pipe, 9438)",
        "The candidates run SACK recovery without a congestion controller and may send \
         whatever the peer's window allows: how cwnd evolves is each controller's choice \
         (HyStart, PRR, RACK-TLP, pacing), and a judge that fixed one would reject the \
         others.",
    ),
    (
        "When timers fire (RFC 6298 RTO, delayed ACK, persist, keep-alive, TIME-WAIT)",
        "A timer may fire whenever it is armed; its deadline is not compared with the \
         capture's clock, which is the capture point's, not the endpoint's.",
    ),
    (
        "SACK blocks (RFC 2018, 2883) and TSval/TSecr values (RFC 7323)",
        "Which segments carry timestamps and SACK is judged (negotiated options); the \
         blocks' contents and the timestamp values are not compared.",
    ),
    (
        "PSH, URG, ECE, CWR; IP options, TTL, DF, IP ID",
        "Not compared: the first two are the sender's latitude, ECN is not implemented by \
         these rules (REPORT.md's deviations), the IP header is not the TCP rules' concern.",
    ),
    (
        "ICMP errors about TCP segments; ICMP types other than echo; UDP payloads",
        "Kept out of the TCP search (the endpoint's reaction to them is judged through its \
         segments); only echo replies and port unreachables have rules here.",
    ),
    (
        "Segments sent in the same millisecond with the same ACK, seen beyond a reordering path",
        "Their order sent cannot be told from the capture, so a window right edge that \
         moves back between two of them is not called a violation (`SentOrder`, `Edge`).",
    ),
    (
        "Connections whose search outgrows `--budget`, or whose explanation lies before the \
         events a streaming judge keeps",
        "Reported as \"cannot judge\" with the reason, never as a violation.",
    ),
];

mod others;
pub mod profile;
pub mod stream;
pub mod tcp;

pub use profile::{Allowance, Profile};
pub use stream::Judging;

use crate::capture::{self, Capture, Conversation, Conversations, Direction, SplitConfig};
use crate::tcp::State;
use std::io::Read;

/// The kind of conversation an endpoint belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A TCP connection.
    Tcp,
    /// A UDP flow.
    Udp,
    /// An ICMP exchange.
    Icmp,
    /// An ARP exchange.
    Arp,
}

impl Kind {
    /// Its name in reports: `tcp`, `udp`, `icmp`, `arp`.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Tcp => "tcp",
            Kind::Udp => "udp",
            Kind::Icmp => "icmp",
            Kind::Arp => "arp",
        }
    }
}

/// What the judge found for one endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Everything it sent is explained.
    Conforms,
    /// Something it sent is not.
    Violates(Violation),
    /// The judge cannot say, and why.
    CannotJudge(String),
}

impl Verdict {
    /// `conforms`, `violates` or `cannot-judge`.
    pub fn name(&self) -> &'static str {
        match self {
            Verdict::Conforms => "conforms",
            Verdict::Violates(_) => "violates",
            Verdict::CannotJudge(_) => "cannot-judge",
        }
    }
}

/// The first packet no conforming endpoint could have sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// Its frame number in the file.
    pub frame: u64,
    /// It, in RFC 9293 figure notation (TCP) or as a short description.
    pub segment: String,
    /// The rule it breaks, with its RFC section.
    pub rule: String,
    /// The nearest segment the rules allow there, if the search found one.
    pub expected: Option<String>,
}

/// The judgment of one endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    /// Its conversation's kind.
    pub kind: Kind,
    /// Its conversation's index, in order of first frame from 0.
    pub conversation: usize,
    /// For TCP, which incarnation of the 4-tuple.
    pub incarnation: u32,
    /// The endpoint (`address:port` or `address`).
    pub endpoint: String,
    /// Its peer.
    pub peer: String,
    /// The verdict.
    pub verdict: Verdict,
    /// TCP: its RFC 9293 state sequence, as the first explaining candidate went through it.
    pub states: Vec<State>,
    /// Packets it sent.
    pub segments: usize,
    /// The profile allowances the explanation used.
    pub allowances: Vec<Allowance>,
    /// TCP: the last segments up to the violation (or the end) in RFC notation, `-->` sent by
    /// the endpoint, `<--` by its peer.
    pub ladder: Vec<String>,
}

/// How to judge.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options {
    /// What is allowed beyond the RFCs.
    pub profile: Profile,
    /// The most candidates a TCP endpoint's search keeps.
    pub budget: usize,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            profile: Profile::Strict,
            budget: tcp::DEFAULT_BUDGET,
        }
    }
}

/// The judgment of a capture.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    /// What the capture holds.
    pub summary: capture::Summary,
    /// Every endpoint of every conversation, in order of conversation.
    pub endpoints: Vec<Endpoint>,
}

impl Report {
    /// True if no endpoint violates.
    pub fn conforms(&self) -> bool {
        !self
            .endpoints
            .iter()
            .any(|e| matches!(e.verdict, Verdict::Violates(_)))
    }
}

/// Reads and judges a capture as it is read ([`Judging`]): memory follows the connections
/// open at once, not the length of the capture. Stops at the file's first error.
pub fn judge_capture<R: Read>(
    input: Capture<R>,
    options: Options,
) -> Result<Report, capture::Error> {
    let mut judging = Judging::new(options, SplitConfig::default());
    for frame in input {
        judging.push(frame?);
    }
    Ok(judging.finish())
}

/// Judges every endpoint of `conversations`, split and held in memory beforehand (the same
/// judgment as [`judge_capture`] gives).
pub fn judge(conversations: &Conversations, options: Options) -> Report {
    let mut endpoints = Vec::new();
    for (i, c) in conversations.conversations.iter().enumerate() {
        let mut found = match c {
            Conversation::Tcp(t) => [Direction::FromA, Direction::FromB]
                .into_iter()
                .map(|side| tcp::judge(t, side, options.profile, options.budget))
                .collect(),
            Conversation::Udp(u) => others::udp(u),
            Conversation::Icmp(x) => others::icmp(x),
            Conversation::Arp(x) => others::arp(x),
        };
        for e in &mut found {
            e.conversation = i;
        }
        endpoints.extend(found);
    }
    Report {
        summary: conversations.summary(),
        endpoints,
    }
}
