//! The RFC 826 packet-reception algorithm ("Packet Reception"), with the rule about replies
//! nobody asked for.

use super::{Action, ArpPacket, Cache, Config, Entry, HwAddr, Mechanisms, Operation};

/// Why a received packet touched no entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Ignore {
    /// The sender hardware address is not unicast, or the sender IP address is a broadcast,
    /// multicast, loopback or zero-network address other than 0.0.0.0.
    InvalidSender,
    /// Sender IP 0.0.0.0: an address probe (RFC 5227 §2.1.1), which names no one to cache.
    Probe,
    /// The sender claims this node's own IP address: never cached, never answered.
    OwnAddress,
    /// A request addressed to this node from a sender outside its subnet ([`Config::ip`] /
    /// [`Config::prefix_len`]): answered, but no entry is created. This node never sends to
    /// such an address directly (it is reached through a router), so the entry would serve
    /// nothing, and any station could fill the cache with made-up addresses (RFC 1122
    /// §2.3.2.1 asks for protection against such misuse of the cache). A deliberate deviation
    /// from RFC 826, which adds every requester.
    OffSubnet,
    /// A request addressed to this node found the cache full of resolutions in progress
    /// ([`Config::capacity`]): answered, but its sender is not added (it is resolved in the
    /// ordinary way if this node sends to it). When there is a resolved entry, the least
    /// recently confirmed one is evicted instead.
    CacheFull,
}

/// What a received packet did to the cache.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Update {
    /// Nothing, for the reason given.
    Ignored(Ignore),
    /// Merge into an incomplete entry: it is resolved and its packets are sent.
    Resolved,
    /// Merge into a resolved entry: its hardware address is set (`changed` if it differs from
    /// the old one) and its lifetime restarted.
    Refreshed {
        /// The hardware address changed.
        changed: bool,
    },
    /// A new resolved entry was added.
    Created,
    /// A reply found no entry for its sender and, with `ignore_unsolicited_replies` on, created
    /// none.
    UnsolicitedIgnored,
    /// A request found no entry for its sender and was not addressed to this node: nothing to
    /// do (RFC 826).
    NotCached,
}

/// The outcome of [`Cache::receive`].
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Reception<P> {
    /// The effect on the cache.
    pub update: Update,
    /// What to send: the packets a resolution released, then the reply to a request.
    pub actions: Vec<Action<P>>,
}

impl<P> Cache<P> {
    /// Processes a received ARP packet (RFC 826 "Packet Reception"):
    ///
    /// 1. Merge: if the sender IP address has an entry, set its hardware address from the
    ///    packet (an incomplete entry becomes resolved and releases its packets; a resolved
    ///    entry is overwritten and its lifetime restarted). This is RFC 826's merge flag, and it
    ///    applies to requests, replies and gratuitous packets alike: it is how an address that
    ///    moved to a new interface card is learnt.
    /// 2. If this node is the target and nothing was merged, RFC 826 adds the sender. This crate
    ///    does so for a **request** only, whose sender is about to talk to this node. A
    ///    **reply** with no entry to merge into answers no request of ours and, with
    ///    `ignore_unsolicited_replies` on (the default), creates nothing: a deliberate deviation
    ///    from RFC 826 against cache poisoning. Off, any reply creates its sender's entry,
    ///    whoever it targets (hazard A1).
    /// 3. If this node is the target of a request, reply to the requester with this node's
    ///    addresses (RFC 826), also to an address probe (RFC 5227 §2.1.1).
    ///
    /// So with the mechanism on, a reply changes the cache only through an entry that already
    /// exists (incomplete: asked for; resolved: merge). Packets from invalid senders or claiming
    /// this node's own address change nothing and get no reply.
    ///
    /// Bounds (RFC 1122 §2.3.2.1): step 2 creates no entry for a sender outside this node's
    /// subnet ([`Ignore::OffSubnet`]), and in a full cache first evicts the least recently
    /// confirmed resolved entry ([`Action::Evicted`]), or creates nothing if there is none
    /// ([`Ignore::CacheFull`]); the request is answered either way. Merges (step 1) never
    /// grow the cache.
    pub fn receive(
        &mut self,
        pkt: &ArpPacket,
        now: u64,
        cfg: &Config,
        mech: &Mechanisms,
    ) -> Reception<P> {
        let for_me = pkt.target_ip == cfg.ip;
        let reply = || Action::SendReply {
            packet: pkt.reply_from(cfg),
            to: pkt.sender_hw,
        };
        let spa = pkt.sender_ip;
        let sender_ip_ok = !(spa.is_broadcast()
            || spa.is_multicast()
            || spa.is_loopback()
            || (spa.octets()[0] == 0 && !spa.is_unspecified()));
        if !pkt.sender_hw.is_unicast() || !sender_ip_ok {
            return ignored(Ignore::InvalidSender, Vec::new());
        }
        if spa == cfg.ip {
            return ignored(Ignore::OwnAddress, Vec::new());
        }
        let is_request = pkt.op == Operation::Request;
        if spa.is_unspecified() {
            let actions = if is_request && for_me {
                vec![reply()]
            } else {
                Vec::new()
            };
            return ignored(Ignore::Probe, actions);
        }

        let expires_at = now.saturating_add(cfg.entry_lifetime);
        let mut actions = Vec::new();
        let update = match self.remove(spa) {
            Some(Entry::Incomplete { pending, .. }) => {
                actions.extend(pending.into_iter().map(|packet| Action::Transmit {
                    packet,
                    hw: pkt.sender_hw,
                }));
                self.put(spa, resolved(pkt.sender_hw, expires_at));
                Update::Resolved
            }
            Some(Entry::Resolved { hw, .. }) => {
                let changed = hw != pkt.sender_hw;
                self.put(spa, resolved(pkt.sender_hw, expires_at));
                Update::Refreshed { changed }
            }
            None => {
                let create = if is_request {
                    for_me
                } else {
                    !mech.ignore_unsolicited_replies
                };
                if !create {
                    if is_request {
                        Update::NotCached
                    } else {
                        Update::UnsolicitedIgnored
                    }
                } else if !cfg.on_subnet(spa) {
                    Update::Ignored(Ignore::OffSubnet)
                } else if !self.make_room(cfg, false, &mut actions) {
                    Update::Ignored(Ignore::CacheFull)
                } else {
                    self.put(spa, resolved(pkt.sender_hw, expires_at));
                    Update::Created
                }
            }
        };
        if is_request && for_me {
            actions.push(reply());
        }
        Reception { update, actions }
    }
}

fn resolved<P>(hw: HwAddr, expires_at: u64) -> Entry<P> {
    Entry::Resolved { hw, expires_at }
}

fn ignored<P>(why: Ignore, actions: Vec<Action<P>>) -> Reception<P> {
    Reception {
        update: Update::Ignored(why),
        actions,
    }
}
