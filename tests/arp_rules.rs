//! ARP rules: RFC 826 and RFC 1122 §2.3.2.

use std::net::Ipv4Addr;

use proptest::prelude::*;
use tcpip_spec::arp::{
    Action, ArpPacket, Cache, Config, DropReason, Entry, HwAddr, Ignore, Mechanisms, Operation,
    Update,
};
use tcpip_spec::icmp::{ErrorKind, Unreachable};

const ME_IP: Ipv4Addr = Ipv4Addr::new(10, 0, 0, 1);
const ME_HW: HwAddr = HwAddr([2, 0, 0, 0, 0, 1]);
const X_IP: Ipv4Addr = Ipv4Addr::new(10, 0, 0, 2);
const X_HW: HwAddr = HwAddr([2, 0, 0, 0, 0, 2]);
const MALLORY_HW: HwAddr = HwAddr([2, 0, 0, 0, 0, 0x66]);
const Y_IP: Ipv4Addr = Ipv4Addr::new(10, 0, 0, 3);

fn cfg() -> Config {
    Config {
        max_retries: 2,
        retry_interval: 10,
        entry_lifetime: 100,
        max_pending: 2,
        ..Config::new(ME_HW, ME_IP, 24)
    }
}

fn on() -> Mechanisms {
    Mechanisms::default()
}

fn packet(op: Operation, sender_hw: HwAddr, sender_ip: Ipv4Addr, target_ip: Ipv4Addr) -> ArpPacket {
    ArpPacket {
        op,
        sender_hw,
        sender_ip,
        target_hw: if op == Operation::Reply {
            ME_HW
        } else {
            HwAddr::ZERO
        },
        target_ip,
    }
}

fn reply_from_x(hw: HwAddr) -> ArpPacket {
    packet(Operation::Reply, hw, X_IP, ME_IP)
}

fn request_for_x() -> Action<u32> {
    Action::SendRequest {
        packet: ArpPacket::request(&cfg(), X_IP),
    }
}

/// A cache where X is resolved to X_HW at time 0.
fn resolved_x() -> Cache<u32> {
    let mut c = Cache::new();
    c.send(X_IP, 1, 0, &cfg(), &on());
    c.receive(&reply_from_x(X_HW), 0, &cfg(), &on());
    c
}

// RFC 826 Packet Generation: an unknown address gets a broadcast request; the packet waits.
#[test]
fn send_to_unknown_address_requests_and_queues() {
    let mut c = Cache::new();
    assert_eq!(c.send(X_IP, 1u32, 0, &cfg(), &on()), vec![request_for_x()]);
    assert_eq!(
        c.entry(X_IP),
        Some(&Entry::Incomplete {
            retries: 0,
            retry_at: 10,
            pending: vec![1]
        })
    );
    let Action::SendRequest { packet } = request_for_x() else {
        unreachable!()
    };
    assert_eq!(
        (packet.sender_hw, packet.sender_ip, packet.target_hw),
        (ME_HW, ME_IP, HwAddr::ZERO)
    );
}

// RFC 1122 §2.3.2.1: no flooding; a second packet while incomplete sends no new request.
#[test]
fn send_while_incomplete_queues_without_new_request() {
    let mut c = Cache::new();
    c.send(X_IP, 1u32, 0, &cfg(), &on());
    assert_eq!(c.send(X_IP, 2, 1, &cfg(), &on()), vec![]);
    assert!(
        matches!(c.entry(X_IP), Some(Entry::Incomplete { pending, .. }) if *pending == vec![1, 2])
    );
}

// RFC 826: a reply resolves the incomplete entry and releases the waiting packets in order.
#[test]
fn reply_resolves_entry_and_transmits_pending_in_order() {
    let mut c = Cache::new();
    c.send(X_IP, 1u32, 0, &cfg(), &on());
    c.send(X_IP, 2, 1, &cfg(), &on());
    let r = c.receive(&reply_from_x(X_HW), 5, &cfg(), &on());
    assert_eq!(r.update, Update::Resolved);
    assert_eq!(
        r.actions,
        vec![
            Action::Transmit {
                packet: 1,
                hw: X_HW
            },
            Action::Transmit {
                packet: 2,
                hw: X_HW
            }
        ]
    );
    assert_eq!(
        c.entry(X_IP),
        Some(&Entry::Resolved {
            hw: X_HW,
            expires_at: 105
        })
    );
}

// RFC 826: once resolved, packets go out at once.
#[test]
fn send_to_resolved_address_transmits_at_once() {
    let mut c = resolved_x();
    assert_eq!(
        c.send(X_IP, 7, 50, &cfg(), &on()),
        vec![Action::Transmit {
            packet: 7,
            hw: X_HW
        }]
    );
    assert_eq!(c.lookup(X_IP, 50), Some(X_HW));
}

// RFC 1122 §2.3.2.1: a stale entry is not used; resolution starts again.
#[test]
fn send_to_stale_entry_requests_again() {
    let mut c = resolved_x();
    assert_eq!(c.lookup(X_IP, 100), None);
    assert_eq!(c.send(X_IP, 7, 100, &cfg(), &on()), vec![request_for_x()]);
}

// RFC 1122 §2.3.2.1: MUST flush out-of-date entries; tick removes them at expiry, not before.
#[test]
fn tick_expires_resolved_entry_at_its_lifetime() {
    let mut c = resolved_x();
    assert_eq!(c.next_deadline(), Some(100));
    assert_eq!(c.tick(99, &cfg()), vec![]);
    assert!(c.entry(X_IP).is_some());
    assert_eq!(c.tick(100, &cfg()), vec![]);
    assert_eq!(c.entry(X_IP), None);
    assert_eq!(c.next_deadline(), None);
}

// RFC 826 merge: fresh information restarts the lifetime.
#[test]
fn merge_restarts_lifetime() {
    let mut c = resolved_x();
    let r = c.receive(&reply_from_x(X_HW), 60, &cfg(), &on());
    assert_eq!(r.update, Update::Refreshed { changed: false });
    assert_eq!(c.lookup(X_IP, 150), Some(X_HW));
}

// RFC 1122 §2.3.2.1: requests are re-sent once per interval, up to max_retries.
#[test]
fn tick_resends_request_until_retry_bound() {
    let mut c = Cache::new();
    c.send(X_IP, 1u32, 0, &cfg(), &on());
    assert_eq!(c.tick(9, &cfg()), vec![]);
    assert_eq!(c.tick(10, &cfg()), vec![request_for_x()]);
    assert_eq!(c.tick(19, &cfg()), vec![]);
    assert_eq!(c.tick(20, &cfg()), vec![request_for_x()]);
    assert!(matches!(
        c.entry(X_IP),
        Some(Entry::Incomplete {
            retries: 2,
            retry_at: 30,
            ..
        })
    ));
}

// Retry bound reached: the entry goes, its packets are dropped with a reason that calls for
// ICMP host unreachable (RFC 792 code 1).
#[test]
fn retry_bound_reached_drops_entry_and_pending_with_host_unreachable() {
    let mut c = Cache::new();
    c.send(X_IP, 1u32, 0, &cfg(), &on());
    c.send(X_IP, 2, 0, &cfg(), &on());
    c.tick(10, &cfg());
    c.tick(20, &cfg());
    let drop = |packet| Action::DropPending {
        packet,
        reason: DropReason::ResolutionFailed,
    };
    assert_eq!(c.tick(30, &cfg()), vec![drop(1), drop(2)]);
    assert_eq!(c.entry(X_IP), None);
    assert_eq!(
        DropReason::ResolutionFailed.icmp_error(),
        Some(ErrorKind::DestUnreachable(Unreachable::Host))
    );
    assert_eq!(DropReason::QueueFull.icmp_error(), None);
}

// Boundary: with max_retries 0 the single request is all; the first deadline gives up.
#[test]
fn zero_retries_gives_up_at_first_deadline() {
    let cfg0 = Config {
        max_retries: 0,
        ..cfg()
    };
    let mut c = Cache::new();
    c.send(X_IP, 1u32, 0, &cfg0, &on());
    assert_eq!(
        c.tick(10, &cfg0),
        vec![Action::DropPending {
            packet: 1,
            reason: DropReason::ResolutionFailed
        }]
    );
}

// RFC 1122 §2.3.2.2: keep the latest; at the bound the oldest is dropped with a reason.
#[test]
fn queue_bound_reached_drops_oldest() {
    let mut c = Cache::new();
    c.send(X_IP, 1u32, 0, &cfg(), &on());
    c.send(X_IP, 2, 0, &cfg(), &on());
    assert_eq!(
        c.send(X_IP, 3, 0, &cfg(), &on()),
        vec![Action::DropPending {
            packet: 1,
            reason: DropReason::QueueFull
        }]
    );
    assert!(
        matches!(c.entry(X_IP), Some(Entry::Incomplete { pending, .. }) if *pending == vec![2, 3])
    );
}

// RFC 1122 §2.3.2.2: SHOULD save at least one; a bound of 0 keeps the latest packet.
#[test]
fn queue_bound_zero_still_keeps_the_latest() {
    let cfg0 = Config {
        max_pending: 0,
        ..cfg()
    };
    let mut c = Cache::new();
    c.send(X_IP, 1u32, 0, &cfg0, &on());
    assert_eq!(
        c.send(X_IP, 2, 0, &cfg0, &on()),
        vec![Action::DropPending {
            packet: 1,
            reason: DropReason::QueueFull
        }]
    );
    assert!(
        matches!(c.entry(X_IP), Some(Entry::Incomplete { pending, .. }) if *pending == vec![2])
    );
}

// Hazard A2: without the bound, the queue grows and nothing is dropped.
#[test]
fn ablation_bounded_pending_queue_grows_without_bound() {
    let m = Mechanisms {
        bounded_pending_queue: false,
        ..on()
    };
    let mut c = Cache::new();
    for p in 0u32..50 {
        let actions = c.send(X_IP, p, 0, &cfg(), &m);
        assert!(
            actions
                .iter()
                .all(|a| !matches!(a, Action::DropPending { .. }))
        );
    }
    assert!(
        matches!(c.entry(X_IP), Some(Entry::Incomplete { pending, .. }) if pending.len() == 50)
    );
}

// RFC 826 Packet Reception: a request for me adds the sender and is answered with the fields
// swapped, sent to the requester.
#[test]
fn request_for_me_adds_sender_and_replies() {
    let mut c: Cache<u32> = Cache::new();
    let req = packet(Operation::Request, X_HW, X_IP, ME_IP);
    let r = c.receive(&req, 3, &cfg(), &on());
    assert_eq!(r.update, Update::Created);
    assert_eq!(
        r.actions,
        vec![Action::SendReply {
            packet: ArpPacket {
                op: Operation::Reply,
                sender_hw: ME_HW,
                sender_ip: ME_IP,
                target_hw: X_HW,
                target_ip: X_IP
            },
            to: X_HW
        }]
    );
    assert_eq!(c.lookup(X_IP, 3), Some(X_HW));
}

// RFC 826: a request for someone else with no entry for its sender changes nothing.
#[test]
fn request_for_another_host_is_not_cached() {
    let mut c: Cache<u32> = Cache::new();
    let r = c.receive(
        &packet(Operation::Request, X_HW, X_IP, Y_IP),
        0,
        &cfg(),
        &on(),
    );
    assert_eq!(r.update, Update::NotCached);
    assert!(r.actions.is_empty());
    assert_eq!(c.entries().count(), 0);
}

// RFC 826 merge flag: any packet from a known sender updates its entry, even a request for
// someone else (this is how gratuitous ARP announces a new card).
#[test]
fn merge_updates_existing_entry_from_any_packet() {
    let mut c = resolved_x();
    let gratuitous = packet(Operation::Request, MALLORY_HW, X_IP, X_IP);
    let r = c.receive(&gratuitous, 1, &cfg(), &on());
    assert_eq!(r.update, Update::Refreshed { changed: true });
    assert!(r.actions.is_empty());
    assert_eq!(c.lookup(X_IP, 1), Some(MALLORY_HW));
}

// The unsolicited-reply rule (deviation from RFC 826's "add if I am the target"): a reply with
// no entry for its sender creates nothing, whether it targets me or is gratuitous.
#[test]
fn unsolicited_reply_creates_no_entry() {
    let mut c: Cache<u32> = Cache::new();
    for target in [ME_IP, X_IP] {
        let r = c.receive(
            &packet(Operation::Reply, MALLORY_HW, X_IP, target),
            0,
            &cfg(),
            &on(),
        );
        assert_eq!(r.update, Update::UnsolicitedIgnored);
        assert!(r.actions.is_empty());
    }
    assert_eq!(c.entries().count(), 0);
}

// Hazard A1: without the rule, an unsolicited reply plants Mallory's address for X, and
// traffic for X then goes to Mallory without any request.
#[test]
fn ablation_ignore_unsolicited_replies_lets_a_reply_poison_the_cache() {
    let m = Mechanisms {
        ignore_unsolicited_replies: false,
        ..on()
    };
    let mut c: Cache<u32> = Cache::new();
    let forged = packet(Operation::Reply, MALLORY_HW, X_IP, Y_IP);
    assert_eq!(c.receive(&forged, 0, &cfg(), &m).update, Update::Created);
    assert_eq!(
        c.send(X_IP, 9, 1, &cfg(), &m),
        vec![Action::Transmit {
            packet: 9,
            hw: MALLORY_HW
        }]
    );
}

// Invalid senders are ignored: group or zero hardware address, broadcast, multicast or
// loopback IP.
#[test]
fn packets_from_invalid_senders_are_ignored() {
    let mut c: Cache<u32> = Cache::new();
    let bad = [
        packet(Operation::Request, HwAddr::BROADCAST, X_IP, ME_IP),
        packet(
            Operation::Request,
            HwAddr([1, 0, 0x5e, 0, 0, 1]),
            X_IP,
            ME_IP,
        ),
        packet(Operation::Request, HwAddr::ZERO, X_IP, ME_IP),
        packet(Operation::Request, X_HW, Ipv4Addr::BROADCAST, ME_IP),
        packet(Operation::Request, X_HW, Ipv4Addr::new(224, 0, 0, 1), ME_IP),
        packet(Operation::Request, X_HW, Ipv4Addr::LOCALHOST, ME_IP),
        packet(Operation::Request, X_HW, Ipv4Addr::new(0, 0, 0, 9), ME_IP),
    ];
    for p in bad {
        let r = c.receive(&p, 0, &cfg(), &on());
        assert_eq!(r.update, Update::Ignored(Ignore::InvalidSender), "{p:?}");
        assert!(r.actions.is_empty());
    }
    assert_eq!(c.entries().count(), 0);
}

// A packet claiming my own address is neither cached nor answered.
#[test]
fn packet_claiming_my_address_is_ignored() {
    let mut c: Cache<u32> = Cache::new();
    let r = c.receive(
        &packet(Operation::Request, X_HW, ME_IP, ME_IP),
        0,
        &cfg(),
        &on(),
    );
    assert_eq!(r.update, Update::Ignored(Ignore::OwnAddress));
    assert!(r.actions.is_empty());
}

// RFC 5227 §2.1.1: a probe (sender IP 0) for my address is answered but not cached.
#[test]
fn probe_for_my_address_is_answered_not_cached() {
    let mut c: Cache<u32> = Cache::new();
    let probe = packet(Operation::Request, X_HW, Ipv4Addr::UNSPECIFIED, ME_IP);
    let r = c.receive(&probe, 0, &cfg(), &on());
    assert_eq!(r.update, Update::Ignored(Ignore::Probe));
    assert!(matches!(r.actions.as_slice(), [Action::SendReply { to, .. }] if *to == X_HW));
    assert_eq!(c.entries().count(), 0);
    let other = packet(Operation::Request, X_HW, Ipv4Addr::UNSPECIFIED, Y_IP);
    assert!(c.receive(&other, 0, &cfg(), &on()).actions.is_empty());
}

#[derive(Clone, Debug)]
enum Event {
    Send(u8),
    Reply(u8),
    Tick(u8),
}

fn events() -> impl Strategy<Value = Vec<Event>> {
    proptest::collection::vec(
        prop_oneof![
            3 => (0u8..3).prop_map(Event::Send),
            1 => (0u8..3).prop_map(Event::Reply),
            1 => (1u8..15).prop_map(Event::Tick),
        ],
        0..60,
    )
}

// ---------------------------------------------------------------------------------------------
// Bounds (RFC 1122 §2.3.2.1): no entry for an off-subnet sender, a capacity with eviction.
// ---------------------------------------------------------------------------------------------

fn request_from(
    i: u32,
    now: u64,
    c: &mut Cache<u32>,
    cfg: &Config,
) -> tcpip_spec::arp::Reception<u32> {
    let hw = HwAddr([2, 1, (i >> 16) as u8, (i >> 8) as u8, i as u8, 0]);
    let ip = Ipv4Addr::from(u32::from(Ipv4Addr::new(10, 0, 0, 0)) + i);
    c.receive(&packet(Operation::Request, hw, ip, ME_IP), now, cfg, &on())
}

// A request for us from outside our /24 is answered, but creates no entry.
#[test]
fn a_request_from_an_off_subnet_sender_is_answered_and_not_cached() {
    let mut c: Cache<u32> = Cache::new();
    let far = Ipv4Addr::new(192, 0, 2, 7);
    let r = c.receive(
        &packet(Operation::Request, X_HW, far, ME_IP),
        0,
        &cfg(),
        &on(),
    );
    assert_eq!(r.update, Update::Ignored(Ignore::OffSubnet));
    assert!(matches!(
        r.actions[..],
        [Action::SendReply { to: X_HW, .. }]
    ));
    assert!(c.is_empty());
    // The same sender inside the subnet is cached, as RFC 826 says; so is anyone with a /0.
    let near = packet(Operation::Request, X_HW, X_IP, ME_IP);
    assert_eq!(c.receive(&near, 0, &cfg(), &on()).update, Update::Created);
    let everywhere = Config {
        prefix_len: 0,
        ..cfg()
    };
    let r = c.receive(
        &packet(Operation::Request, X_HW, far, ME_IP),
        0,
        &everywhere,
        &on(),
    );
    assert_eq!(r.update, Update::Created);
}

// An off-subnet address we asked for (a gateway configured off-link) still resolves: only
// creation is refused, the merge into our own entry is not.
#[test]
fn an_off_subnet_entry_we_asked_for_still_resolves() {
    let mut c: Cache<u32> = Cache::new();
    let gw = Ipv4Addr::new(192, 0, 2, 1);
    c.send(gw, 1, 0, &cfg(), &on());
    let r = c.receive(&packet(Operation::Reply, X_HW, gw, ME_IP), 1, &cfg(), &on());
    assert_eq!(r.update, Update::Resolved);
    assert_eq!(c.lookup(gw, 1), Some(X_HW));
}

// A full cache evicts its least recently confirmed entry for a new requester, and says so.
#[test]
fn a_full_cache_evicts_the_least_recently_confirmed_entry() {
    let cfg = Config {
        capacity: 3,
        ..cfg()
    };
    let mut c: Cache<u32> = Cache::new();
    for i in 2..5 {
        assert_eq!(
            request_from(i, u64::from(i), &mut c, &cfg).update,
            Update::Created
        );
    }
    // 10.0.0.2 is confirmed again at 10: now 10.0.0.3 is the least recently confirmed.
    assert!(matches!(
        request_from(2, 10, &mut c, &cfg).update,
        Update::Refreshed { .. }
    ));
    let r = request_from(5, 11, &mut c, &cfg);
    assert_eq!(r.update, Update::Created);
    assert_eq!(
        r.actions[0],
        Action::Evicted {
            ip: Ipv4Addr::new(10, 0, 0, 3)
        }
    );
    let left: Vec<_> = c.entries().map(|(ip, _)| ip.octets()[3]).collect();
    assert_eq!(left, vec![2, 4, 5]);
}

// Resolutions in progress are not evicted for a requester (it is not cached, but answered);
// they are for a packet we must send, whose entry is as needed as theirs.
#[test]
fn incomplete_entries_yield_only_to_our_own_sends() {
    let cfg = Config {
        capacity: 2,
        ..cfg()
    };
    let mut c: Cache<u32> = Cache::new();
    c.send(X_IP, 1, 0, &cfg, &on());
    c.send(Y_IP, 2, 1, &cfg, &on());
    let r = request_from(9, 2, &mut c, &cfg);
    assert_eq!(r.update, Update::Ignored(Ignore::CacheFull));
    assert!(matches!(r.actions[..], [Action::SendReply { .. }]));
    let z = Ipv4Addr::new(10, 0, 0, 4);
    let actions = c.send(z, 3, 3, &cfg, &on());
    assert_eq!(
        actions[..2],
        [
            Action::DropPending {
                packet: 1,
                reason: DropReason::Evicted
            },
            Action::Evicted { ip: X_IP },
        ]
    );
    assert!(matches!(actions[2], Action::SendRequest { .. }));
    assert_eq!(DropReason::Evicted.icmp_error(), None);
    assert_eq!(c.len(), 2);
}

#[derive(Clone, Debug)]
enum Op {
    Send(u8),
    Request(u8),
    Reply(u8),
    Tick(u8),
}

proptest! {
    // Whatever happens, the cache never holds more than its capacity, and `next_deadline`
    // (read from the deadline sets) is the earliest deadline among the entries, and `tick`
    // at that time acts, so the sets never lose or invent an entry.
    #[test]
    fn capacity_holds_and_the_deadline_sets_match_the_entries(
        ops in proptest::collection::vec(prop_oneof![
            (0u8..12).prop_map(Op::Send),
            (0u8..12).prop_map(Op::Request),
            (0u8..12).prop_map(Op::Reply),
            (0u8..40).prop_map(Op::Tick),
        ], 0..80),
        capacity in 1usize..6,
    ) {
        let cfg = Config { capacity, ..cfg() };
        let mut c: Cache<u32> = Cache::new();
        let (mut now, mut n) = (0u64, 0u32);
        let host = |i: u8| Ipv4Addr::new(10, 0, 0, 100 + i);
        let hw = |i: u8| HwAddr([2, 0, 0, 2, 0, i]);
        for op in ops {
            n += 1;
            match op {
                Op::Send(i) => { c.send(host(i), n, now, &cfg, &on()); }
                Op::Request(i) => {
                    c.receive(&packet(Operation::Request, hw(i), host(i), ME_IP), now, &cfg, &on());
                }
                Op::Reply(i) => {
                    c.receive(&packet(Operation::Reply, hw(i), host(i), ME_IP), now, &cfg, &on());
                }
                Op::Tick(d) => { now += u64::from(d); c.tick(now, &cfg); }
            }
            prop_assert!(c.len() <= capacity);
            let earliest = c.entries().map(|(_, e)| e.deadline()).min();
            prop_assert_eq!(c.next_deadline(), earliest);
            if let Some(t) = earliest {
                let mut d = c.clone();
                let before: Vec<_> = d.entries().map(|(ip, e)| (ip, e.clone())).collect();
                d.tick(t, &cfg);
                let after: Vec<_> = d.entries().map(|(ip, e)| (ip, e.clone())).collect();
                prop_assert_ne!(before, after, "tick at the next deadline changed nothing");
            }
        }
    }
}

proptest! {
    // RFC 1122 §2.3.2.2 with the bound on: no queue ever exceeds max(1, max_pending), and
    // every packet handed to send is transmitted, dropped with a reason, or still waiting.
    #[test]
    fn pending_queue_is_bounded_and_no_packet_vanishes(evs in events(), bound in 0usize..4) {
        let cfg = Config { max_pending: bound, ..cfg() };
        let mut c: Cache<u32> = Cache::new();
        let (mut now, mut sent, mut out) = (0u64, 0u32, 0usize);
        let hosts = |i: u8| Ipv4Addr::new(10, 0, 1, i);
        for e in evs {
            let actions = match e {
                Event::Send(h) => { sent += 1; c.send(hosts(h), sent, now, &cfg, &on()) }
                Event::Reply(h) => {
                    let p = packet(Operation::Reply, HwAddr([2, 0, 0, 1, 0, h]), hosts(h), ME_IP);
                    c.receive(&p, now, &cfg, &on()).actions
                }
                Event::Tick(d) => { now += u64::from(d); c.tick(now, &cfg) }
            };
            out += actions.iter()
                .filter(|a| matches!(a, Action::Transmit { .. } | Action::DropPending { .. }))
                .count();
            let mut waiting = 0;
            for (_, e) in c.entries() {
                if let Entry::Incomplete { pending, .. } = e {
                    prop_assert!(pending.len() <= bound.max(1));
                    waiting += pending.len();
                }
            }
            prop_assert_eq!(out + waiting, sent as usize);
        }
    }

    // The A1 rule with the mechanism on: a reply never adds an address to the cache.
    #[test]
    fn replies_never_create_entries(
        hw in any::<[u8; 6]>(), spa in any::<u32>(), tpa in any::<u32>(), now in any::<u64>()
    ) {
        let mut c: Cache<u32> = Cache::new();
        let p = packet(Operation::Reply, HwAddr(hw), spa.into(), tpa.into());
        let r = c.receive(&p, now, &cfg(), &on());
        prop_assert_eq!(c.entries().count(), 0);
        prop_assert!(r.actions.is_empty());
    }
}
