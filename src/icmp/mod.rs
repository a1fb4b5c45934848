//! ICMP rules: RFC 792 (message types and codes, Echo, Destination Unreachable, Time Exceeded)
//! and RFC 1122 §3.2.2 (when an ICMP error message MUST NOT be sent, §3.2.2.6 the Echo server).
//!
//! Everything here is a decision over plain values: which error to send about which datagram,
//! whether one may be sent at all, how an Echo Request is answered and which outstanding request
//! an Echo Reply answers. Building the bytes (including the quoted IP header and first 64 data
//! bits that RFC 792 requires in an error) is the caller's job.

mod echo;
mod error;

pub use echo::{
    AlreadyOutstanding, Echo, EchoClient, EchoDiscard, EchoId, EchoResponse, Outstanding,
    ReplyMatch, respond_to_echo,
};
pub use error::{
    ErrorKind, ErrorMessage, Forbidden, OffendingPacket, TimeExceeded, Unreachable, error_about,
    forbidden, is_single_host, may_send_error_about,
};

/// The ICMP mechanisms a model may switch off to rediscover a hazard; all on by default.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Mechanisms {
    /// RFC 1122 §3.2.2: never send an ICMP error about an ICMP error message. Off, errors may be
    /// sent about errors (hazard U2, the error storm).
    pub no_error_about_error: bool,
    /// RFC 792 (Echo): a reply answers the outstanding request with the same identifier and
    /// sequence number. Off, any reply is taken as the answer to the oldest unanswered request
    /// (hazard C1, a reply matched to the wrong request).
    pub match_echo_ident_seq: bool,
}

impl Default for Mechanisms {
    fn default() -> Self {
        Mechanisms {
            no_error_about_error: true,
            match_echo_ident_seq: true,
        }
    }
}

/// ICMP message type numbers of RFC 792 (and the address-mask pair of RFC 950 that RFC 1122
/// §3.2.2 lists among the query messages).
pub mod types {
    /// Echo Reply (RFC 792).
    pub const ECHO_REPLY: u8 = 0;
    /// Destination Unreachable (RFC 792).
    pub const DEST_UNREACHABLE: u8 = 3;
    /// Source Quench (RFC 792).
    pub const SOURCE_QUENCH: u8 = 4;
    /// Redirect (RFC 792).
    pub const REDIRECT: u8 = 5;
    /// Echo Request (RFC 792).
    pub const ECHO_REQUEST: u8 = 8;
    /// Time Exceeded (RFC 792).
    pub const TIME_EXCEEDED: u8 = 11;
    /// Parameter Problem (RFC 792).
    pub const PARAMETER_PROBLEM: u8 = 12;
    /// Timestamp Request (RFC 792).
    pub const TIMESTAMP: u8 = 13;
    /// Timestamp Reply (RFC 792).
    pub const TIMESTAMP_REPLY: u8 = 14;
    /// Information Request (RFC 792).
    pub const INFORMATION_REQUEST: u8 = 15;
    /// Information Reply (RFC 792).
    pub const INFORMATION_REPLY: u8 = 16;
    /// Address Mask Request (RFC 950).
    pub const ADDRESS_MASK_REQUEST: u8 = 17;
    /// Address Mask Reply (RFC 950).
    pub const ADDRESS_MASK_REPLY: u8 = 18;
}

/// The two classes of ICMP message of RFC 1122 §3.2.2, plus the types that are neither.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum MessageClass {
    /// Destination Unreachable, Source Quench, Redirect, Time Exceeded, Parameter Problem.
    Error,
    /// Echo, Timestamp, Information and Address Mask requests and replies.
    Query,
    /// Any other type. RFC 1122 §3.2.2: a message of unknown type MUST be silently discarded.
    /// This crate never sends an ICMP error about one (see [`forbidden`]): an unknown type might
    /// be an error message of a later RFC, and the conservative reading cannot start a storm.
    Unknown,
}

/// Classifies an ICMP type number (RFC 1122 §3.2.2).
pub fn classify(icmp_type: u8) -> MessageClass {
    use types::*;
    match icmp_type {
        DEST_UNREACHABLE | SOURCE_QUENCH | REDIRECT | TIME_EXCEEDED | PARAMETER_PROBLEM => {
            MessageClass::Error
        }
        ECHO_REPLY | ECHO_REQUEST | TIMESTAMP | TIMESTAMP_REPLY | INFORMATION_REQUEST
        | INFORMATION_REPLY | ADDRESS_MASK_REQUEST | ADDRESS_MASK_REPLY => MessageClass::Query,
        _ => MessageClass::Unknown,
    }
}
