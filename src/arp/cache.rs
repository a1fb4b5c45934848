//! The translation table: sending through it, retrying, giving up and expiring
//! (RFC 826 "Packet Generation"; RFC 1122 §2.3.2.1, §2.3.2.2).

use std::collections::BTreeMap;
use std::net::Ipv4Addr;

use super::{Action, ArpPacket, Config, DropReason, HwAddr, Mechanisms};

/// One entry of the cache.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Entry<P> {
    /// A request is out and no reply has come.
    Incomplete {
        /// Requests re-sent so far (the first request is not counted).
        retries: u32,
        /// When to re-send, or give up once `retries == max_retries`.
        retry_at: u64,
        /// Packets waiting for the address, oldest first.
        pending: Vec<P>,
    },
    /// The hardware address is known.
    Resolved {
        /// The hardware address.
        hw: HwAddr,
        /// The entry is stale from this tick on.
        expires_at: u64,
    },
}

/// The ARP cache of one link. `P` is the caller's packet (or packet handle) type.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Cache<P> {
    pub(super) entries: BTreeMap<Ipv4Addr, Entry<P>>,
}

impl<P> Default for Cache<P> {
    fn default() -> Self {
        Cache {
            entries: BTreeMap::new(),
        }
    }
}

impl<P> Cache<P> {
    /// An empty cache.
    pub fn new() -> Self {
        Cache::default()
    }

    /// The entry for `ip`, stale or not.
    pub fn entry(&self, ip: Ipv4Addr) -> Option<&Entry<P>> {
        self.entries.get(&ip)
    }

    /// All entries, by address.
    pub fn entries(&self) -> impl Iterator<Item = (Ipv4Addr, &Entry<P>)> + '_ {
        self.entries.iter().map(|(&ip, e)| (ip, e))
    }

    /// The hardware address of `ip` if resolved and not stale at `now`.
    pub fn lookup(&self, ip: Ipv4Addr, now: u64) -> Option<HwAddr> {
        match self.entries.get(&ip)? {
            Entry::Resolved { hw, expires_at } if now < *expires_at => Some(*hw),
            _ => None,
        }
    }

    /// Sends `packet` to the neighbour `next_hop` (a unicast address on this link; broadcasts
    /// never come here, see `ip::Output::Transmit`):
    ///
    /// - resolved and fresh: transmit at once;
    /// - incomplete: queue it behind the others; with `bounded_pending_queue` on and the queue
    ///   full, drop the oldest so that the latest is kept (RFC 1122 §2.3.2.2); no new request
    ///   (§2.3.2.1: no flooding; the retry timer paces requests);
    /// - absent or stale: create an incomplete entry holding `packet`, and broadcast a request
    ///   (RFC 826 "Packet Generation").
    pub fn send(
        &mut self,
        next_hop: Ipv4Addr,
        packet: P,
        now: u64,
        cfg: &Config,
        mech: &Mechanisms,
    ) -> Vec<Action<P>> {
        match self.entries.get_mut(&next_hop) {
            Some(Entry::Resolved { hw, expires_at }) if now < *expires_at => {
                vec![Action::Transmit { packet, hw: *hw }]
            }
            Some(Entry::Incomplete { pending, .. }) => {
                pending.push(packet);
                let bound = cfg.max_pending.max(1);
                let excess = if mech.bounded_pending_queue {
                    pending.len().saturating_sub(bound)
                } else {
                    0
                };
                pending
                    .drain(..excess)
                    .map(|packet| Action::DropPending {
                        packet,
                        reason: DropReason::QueueFull,
                    })
                    .collect()
            }
            _ => {
                self.entries.insert(
                    next_hop,
                    Entry::Incomplete {
                        retries: 0,
                        retry_at: now.saturating_add(cfg.retry_interval),
                        pending: vec![packet],
                    },
                );
                vec![Action::SendRequest {
                    packet: ArpPacket::request(cfg, next_hop),
                }]
            }
        }
    }

    /// Time has reached `now`. For each incomplete entry whose retry time has come: re-send the
    /// request if fewer than `max_retries` retries were made, otherwise remove the entry and
    /// drop its packets with [`DropReason::ResolutionFailed`] (the caller owes each an ICMP host
    /// unreachable, see [`DropReason::icmp_error`]). Resolved entries that are stale are removed
    /// (RFC 1122 §2.3.2.1). Actions come in address order.
    pub fn tick(&mut self, now: u64, cfg: &Config) -> Vec<Action<P>> {
        let mut actions = Vec::new();
        let mut gone = Vec::new();
        for (&ip, entry) in self.entries.iter_mut() {
            match entry {
                Entry::Incomplete {
                    retries,
                    retry_at,
                    pending,
                } if *retry_at <= now => {
                    if *retries < cfg.max_retries {
                        *retries += 1;
                        *retry_at = now.saturating_add(cfg.retry_interval);
                        actions.push(Action::SendRequest {
                            packet: ArpPacket::request(cfg, ip),
                        });
                    } else {
                        actions.extend(pending.drain(..).map(|packet| Action::DropPending {
                            packet,
                            reason: DropReason::ResolutionFailed,
                        }));
                        gone.push(ip);
                    }
                }
                Entry::Resolved { expires_at, .. } if *expires_at <= now => gone.push(ip),
                _ => {}
            }
        }
        for ip in gone {
            self.entries.remove(&ip);
        }
        actions
    }

    /// The earliest tick at which [`tick`](Self::tick) has something to do.
    pub fn next_deadline(&self) -> Option<u64> {
        self.entries
            .values()
            .map(|e| match e {
                Entry::Incomplete { retry_at, .. } => *retry_at,
                Entry::Resolved { expires_at, .. } => *expires_at,
            })
            .min()
    }
}
