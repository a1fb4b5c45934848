//! Echo and Echo Reply (RFC 792; RFC 1122 §3.2.2.6): the server's answer and the client's table
//! of outstanding requests.

use std::net::Ipv4Addr;

use super::{Mechanisms, is_single_host};

/// The identifier and sequence number that RFC 792 lets a sender use to match replies to
/// requests.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EchoId {
    /// Identifier.
    pub ident: u16,
    /// Sequence number.
    pub seq: u16,
}

/// An Echo or Echo Reply message: identifier, sequence number and data.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Echo<D> {
    /// Identifier and sequence number.
    pub id: EchoId,
    /// The data, opaque to ICMP.
    pub data: D,
}

/// Why an Echo Request gets no reply.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum EchoDiscard {
    /// Sent to an IP broadcast or multicast address: RFC 1122 §3.2.2.6 says such a request MAY
    /// be silently discarded, and this crate does (it denies a smurf amplifier).
    ToBroadcastOrMulticast,
    /// The source does not name a single host, so there is nobody to answer.
    SourceNotSingleHost,
}

/// The Echo server's decision about one Echo Request.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum EchoResponse<D> {
    /// Send an Echo Reply from `src` to `dst` carrying `echo`.
    Reply {
        /// IP source of the reply: the request's (specific) destination.
        src: Ipv4Addr,
        /// IP destination of the reply: the request's source.
        dst: Ipv4Addr,
        /// Identifier, sequence number and data, unchanged.
        echo: Echo<D>,
    },
    /// Send nothing.
    Discard(EchoDiscard),
}

/// The Echo server (RFC 1122 §3.2.2.6, MUST implement): answers an Echo Request sent from `src`
/// to `dst` with an Echo Reply whose IP source is `dst` (MUST), with identifier, sequence number
/// and data returned unmodified (RFC 792; MUST). `dst_is_subnet_broadcast` says whether `dst`
/// is a directed broadcast of an attached subnet (`ip::Node::classify` knows).
pub fn respond_to_echo<D>(
    src: Ipv4Addr,
    dst: Ipv4Addr,
    dst_is_subnet_broadcast: bool,
    request: Echo<D>,
) -> EchoResponse<D> {
    if dst == Ipv4Addr::BROADCAST || dst.is_multicast() || dst_is_subnet_broadcast {
        return EchoResponse::Discard(EchoDiscard::ToBroadcastOrMulticast);
    }
    if !is_single_host(src) {
        return EchoResponse::Discard(EchoDiscard::SourceNotSingleHost);
    }
    EchoResponse::Reply {
        src: dst,
        dst: src,
        echo: request,
    }
}

/// One request in the client's table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Outstanding {
    /// Identifier and sequence number of the request.
    pub id: EchoId,
    /// When it was sent, in the caller's ticks.
    pub sent_at: u64,
    /// A reply has been matched to it; further replies to it are duplicates.
    pub answered: bool,
}

/// The outcome of matching an Echo Reply against the client's table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ReplyMatch {
    /// The reply answers `request`. With `match_echo_ident_seq` on, `request == reply`; off,
    /// `request` is the oldest unanswered request whatever `reply` says (hazard C1).
    Matched {
        /// The request the reply was taken to answer.
        request: EchoId,
        /// The identifier and sequence number the reply carried.
        reply: EchoId,
        /// When the matched request was sent (for a round-trip time).
        sent_at: u64,
    },
    /// The reply's request was already answered: the network duplicated a message.
    Duplicate {
        /// The request answered before.
        request: EchoId,
    },
    /// No request in the table fits the reply.
    Unmatched,
}

/// Sending refused: a request with this identifier and sequence number is still in the table,
/// so a reply could not tell the two apart.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AlreadyOutstanding(pub EchoId);

/// The Echo client: requests in the order sent, oldest first (RFC 792 "Echo or Echo Reply
/// Message": the identifier and sequence number aid in matching echoes and replies).
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EchoClient {
    requests: Vec<Outstanding>,
}

impl EchoClient {
    /// An empty table.
    pub fn new() -> Self {
        EchoClient::default()
    }

    /// The requests in the table, oldest first.
    pub fn outstanding(&self) -> &[Outstanding] {
        &self.requests
    }

    /// Records that the Echo Request `id` was sent at `now`.
    pub fn send(&mut self, id: EchoId, now: u64) -> Result<(), AlreadyOutstanding> {
        if self.requests.iter().any(|r| r.id == id) {
            return Err(AlreadyOutstanding(id));
        }
        self.requests.push(Outstanding {
            id,
            sent_at: now,
            answered: false,
        });
        Ok(())
    }

    /// Matches an Echo Reply carrying `reply` to a request (RFC 792). With
    /// `match_echo_ident_seq` on, the request with the same identifier and sequence number;
    /// off, the oldest unanswered request (hazard C1).
    pub fn receive_reply(&mut self, reply: EchoId, mech: &Mechanisms) -> ReplyMatch {
        let found = if mech.match_echo_ident_seq {
            self.requests.iter_mut().find(|r| r.id == reply)
        } else {
            self.requests.iter_mut().find(|r| !r.answered)
        };
        match found {
            None => ReplyMatch::Unmatched,
            Some(r) if r.answered => ReplyMatch::Duplicate { request: r.id },
            Some(r) => {
                r.answered = true;
                ReplyMatch::Matched {
                    request: r.id,
                    reply,
                    sent_at: r.sent_at,
                }
            }
        }
    }

    /// Forgets every request sent at or before `now - timeout`; returns those never answered,
    /// oldest first (they are lost, as far as the client can tell). A reply arriving later is
    /// `Unmatched`.
    pub fn expire(&mut self, now: u64, timeout: u64) -> Vec<EchoId> {
        let is_old = |r: &Outstanding| r.sent_at.saturating_add(timeout) <= now;
        let lost = self
            .requests
            .iter()
            .filter(|r| is_old(r) && !r.answered)
            .map(|r| r.id)
            .collect();
        self.requests.retain(|r| !is_old(r));
        lost
    }
}
