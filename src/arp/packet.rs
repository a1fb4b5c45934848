//! ARP packets as decision data (RFC 826 "Packet format"), for Ethernet and IPv4.

use std::net::Ipv4Addr;

use super::{Config, HwAddr};

/// The opcode (RFC 826 ar$op).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Operation {
    /// ares_op$REQUEST.
    Request,
    /// ares_op$REPLY.
    Reply,
}

/// The fields of an Ethernet/IPv4 ARP packet that the rules read and write.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ArpPacket {
    /// Request or reply.
    pub op: Operation,
    /// ar$sha.
    pub sender_hw: HwAddr,
    /// ar$spa.
    pub sender_ip: Ipv4Addr,
    /// ar$tha: unknown (zero) in a request.
    pub target_hw: HwAddr,
    /// ar$tpa.
    pub target_ip: Ipv4Addr,
}

impl ArpPacket {
    /// A request for `target_ip` from this node (RFC 826 "Packet Generation"), to be broadcast.
    pub fn request(cfg: &Config, target_ip: Ipv4Addr) -> ArpPacket {
        ArpPacket {
            op: Operation::Request,
            sender_hw: cfg.hw,
            sender_ip: cfg.ip,
            target_hw: HwAddr::ZERO,
            target_ip,
        }
    }

    /// The reply to this request (RFC 826 "Packet Reception"): sender and target swapped, this
    /// node's addresses in the sender fields, opcode REPLY.
    pub fn reply_from(&self, cfg: &Config) -> ArpPacket {
        ArpPacket {
            op: Operation::Reply,
            sender_hw: cfg.hw,
            sender_ip: cfg.ip,
            target_hw: self.sender_hw,
            target_ip: self.sender_ip,
        }
    }
}
