//! The translation table: sending through it, retrying, giving up and expiring
//! (RFC 826 "Packet Generation"; RFC 1122 §2.3.2.1, §2.3.2.2), within a bounded size.
//!
//! Every entry has exactly one deadline (an incomplete entry its retry time, a resolved one
//! its expiry), and the deadlines are also kept in two ordered sets beside the entries. So
//! the next deadline, the entries due at a tick and the entry to evict are found in
//! O(log n), whatever the number of entries: a flood of entries does not slow every turn of
//! the caller's loop. The sets are kept exact rather than lazily cleaned, so that a cache is
//! a function of its entries (the models compare and hash caches).

use std::collections::{BTreeMap, BTreeSet};
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

impl<P> Entry<P> {
    /// The tick at which [`Cache::tick`] next acts on this entry.
    pub fn deadline(&self) -> u64 {
        match self {
            Entry::Incomplete { retry_at, .. } => *retry_at,
            Entry::Resolved { expires_at, .. } => *expires_at,
        }
    }
}

/// The ARP cache of one link. `P` is the caller's packet (or packet handle) type.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Cache<P> {
    entries: BTreeMap<Ipv4Addr, Entry<P>>,
    /// `(expires_at, address)` of every resolved entry: the least recently confirmed first.
    expiries: BTreeSet<(u64, Ipv4Addr)>,
    /// `(retry_at, address)` of every incomplete entry.
    retries: BTreeSet<(u64, Ipv4Addr)>,
}

impl<P> Default for Cache<P> {
    fn default() -> Self {
        Cache {
            entries: BTreeMap::new(),
            expiries: BTreeSet::new(),
            retries: BTreeSet::new(),
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

    /// The number of entries, incomplete and resolved (stale ones included until their
    /// expiry is ticked).
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the cache holds no entry.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Sets the entry of `ip`, keeping the deadline sets exact.
    pub(super) fn put(&mut self, ip: Ipv4Addr, entry: Entry<P>) {
        self.remove(ip);
        match &entry {
            Entry::Incomplete { retry_at, .. } => self.retries.insert((*retry_at, ip)),
            Entry::Resolved { expires_at, .. } => self.expiries.insert((*expires_at, ip)),
        };
        self.entries.insert(ip, entry);
    }

    /// Removes the entry of `ip`, keeping the deadline sets exact.
    pub(super) fn remove(&mut self, ip: Ipv4Addr) -> Option<Entry<P>> {
        let old = self.entries.remove(&ip)?;
        match &old {
            Entry::Incomplete { retry_at, .. } => self.retries.remove(&(*retry_at, ip)),
            Entry::Resolved { expires_at, .. } => self.expiries.remove(&(*expires_at, ip)),
        };
        Some(old)
    }

    /// Makes room for one new entry within [`Config::capacity`] (RFC 1122 §2.3.2.1 leaves the
    /// size of the table to the implementation; a table that any sender can grow is a memory
    /// exhaustion attack). The victim is the least recently confirmed resolved entry (the
    /// smallest expiry: every confirmation restarts the lifetime), as Linux's neighbour table
    /// does at its hard limit. Only when every entry is a resolution in progress, and only if
    /// `evict_incomplete`, is the incomplete entry with the earliest retry evicted; its packets
    /// are dropped with [`DropReason::Evicted`]. Each eviction yields [`Action::Evicted`].
    /// Returns whether there is room.
    pub(super) fn make_room(
        &mut self,
        cfg: &Config,
        evict_incomplete: bool,
        actions: &mut Vec<Action<P>>,
    ) -> bool {
        while self.entries.len() >= cfg.capacity.max(1) {
            let victim = match (self.expiries.first(), self.retries.first()) {
                (Some(&(_, ip)), _) => ip,
                (None, Some(&(_, ip))) if evict_incomplete => ip,
                _ => return false,
            };
            if let Some(Entry::Incomplete { pending, .. }) = self.remove(victim) {
                actions.extend(pending.into_iter().map(|packet| Action::DropPending {
                    packet,
                    reason: DropReason::Evicted,
                }));
            }
            actions.push(Action::Evicted { ip: victim });
        }
        true
    }

    /// Sends `packet` to the neighbour `next_hop` (a unicast address on this link; broadcasts
    /// never come here, see `ip::Output::Transmit`):
    ///
    /// - resolved and fresh: transmit at once;
    /// - incomplete: queue it behind the others; with `bounded_pending_queue` on and the queue
    ///   full, drop the oldest so that the latest is kept (RFC 1122 §2.3.2.2); no new request
    ///   (§2.3.2.1: no flooding; the retry timer paces requests);
    /// - absent or stale: create an incomplete entry holding `packet`, and broadcast a request
    ///   (RFC 826 "Packet Generation"). A new entry in a full cache ([`Config::capacity`])
    ///   first evicts the least recently confirmed resolved entry ([`Action::Evicted`]), or,
    ///   if every entry is a resolution in progress, the one whose retry comes first, whose
    ///   packets are dropped with [`DropReason::Evicted`]: the packet in hand is as good a
    ///   claim on the room as any queued one.
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
            stale => {
                let mut actions = Vec::new();
                if stale.is_none() {
                    // Always room: with `evict_incomplete` the cache can be emptied.
                    self.make_room(cfg, true, &mut actions);
                }
                self.put(
                    next_hop,
                    Entry::Incomplete {
                        retries: 0,
                        retry_at: now.saturating_add(cfg.retry_interval),
                        pending: vec![packet],
                    },
                );
                actions.push(Action::SendRequest {
                    packet: ArpPacket::request(cfg, next_hop),
                });
                actions
            }
        }
    }

    /// Time has reached `now`. For each incomplete entry whose retry time has come: re-send the
    /// request if fewer than `max_retries` retries were made, otherwise remove the entry and
    /// drop its packets with [`DropReason::ResolutionFailed`] (the caller owes each an ICMP host
    /// unreachable, see [`DropReason::icmp_error`]). Resolved entries that are stale are removed
    /// (RFC 1122 §2.3.2.1). Actions come in address order. The cost is O(k log n) for the k
    /// entries due, not O(n).
    pub fn tick(&mut self, now: u64, cfg: &Config) -> Vec<Action<P>> {
        let mut due: Vec<Ipv4Addr> = Vec::new();
        for set in [&self.retries, &self.expiries] {
            due.extend(set.iter().take_while(|(t, _)| *t <= now).map(|&(_, ip)| ip));
        }
        due.sort_unstable();
        let mut actions = Vec::new();
        for ip in due {
            match self.remove(ip) {
                Some(Entry::Incomplete {
                    retries, pending, ..
                }) => {
                    if retries < cfg.max_retries {
                        self.put(
                            ip,
                            Entry::Incomplete {
                                retries: retries + 1,
                                retry_at: now.saturating_add(cfg.retry_interval),
                                pending,
                            },
                        );
                        actions.push(Action::SendRequest {
                            packet: ArpPacket::request(cfg, ip),
                        });
                    } else {
                        actions.extend(pending.into_iter().map(|packet| Action::DropPending {
                            packet,
                            reason: DropReason::ResolutionFailed,
                        }));
                    }
                }
                Some(Entry::Resolved { .. }) | None => {}
            }
        }
        actions
    }

    /// The earliest tick at which [`tick`](Self::tick) has something to do, in O(log n).
    pub fn next_deadline(&self) -> Option<u64> {
        let first = |s: &BTreeSet<(u64, Ipv4Addr)>| s.first().map(|&(t, _)| t);
        [first(&self.retries), first(&self.expiries)]
            .into_iter()
            .flatten()
            .min()
    }
}
