//! `arp`: hosts A and B and an attacker M share one Ethernet link (RFC 826; RFC 1122 §2.3.2).
//! A's application sends three IP packets for B's address. A's ARP cache (`arp::Cache`)
//! broadcasts a request, queues packets while the entry is incomplete (at most two, RFC 1122
//! §2.3.2.2), re-sends the request once when its retry timer expires and gives up after that;
//! B's cache answers the request. The link may lose one ARP message. Time advances in ticks,
//! only while A is resolving (nothing else here depends on it; resolved entries outlive the
//! run). Every decision is the crate's: `Cache::send`, `Cache::receive` (RFC 826's reception
//! algorithm with its merge) and `Cache::tick`.
//!
//! The attacker forges ARP messages claiming B's IP address with M's hardware address, and
//! they reach A at once. Two attackers, one per initial state:
//!
//! - *Unsolicited*: one forged reply, delivered only while A has no entry for B at all. This
//!   is the threat `ignore_unsolicited_replies` answers, and against it `frames-reach-owner`
//!   holds. Switch the defence off (`--without ignore-unsolicited-replies`, hazard A1) and the
//!   reply creates the entry: A sends B's traffic to M.
//! - *Racing*: one forged reply and one forged request, at any moment. RFC 826 gives A no
//!   means to tell them from B's own: a reply that arrives while A's entry is incomplete is
//!   taken as the answer (`poisoned-during-resolution`), one that arrives after overwrites the
//!   resolved entry by the merge (`poisoned-resolved-entry`), and a request addressed to A
//!   creates the entry (`poisoned-by-forged-request`). These are found in the base model: the
//!   defence does not make ARP secure, and `frames-reach-owner` is claimed against the first
//!   attacker only.
//!
//! M's copies of A's broadcasts and the replies A sends M are not modelled: the attacker's
//! choices do not depend on them. Seed claim S14 (ARP resolves at the internet layer's edge);
//! hazards A1 and A2.

pub mod properties;
mod view;

use super::diagram::{self, End, Ink, Ladder, LadderRow, Log, Msg, Note, Tracker};
use super::runner::Render;
use crate::arp::{self, ArpPacket, Cache, Config, DropReason, Entry, HwAddr, Operation, Update};
use stateright::{Model, Path, Property};
use std::net::Ipv4Addr;

/// A's hardware address.
pub const A_HW: HwAddr = HwAddr([2, 0, 0, 0, 0, 0x0a]);
/// A's IP address.
pub const A_IP: Ipv4Addr = Ipv4Addr::new(10, 0, 0, 1);
/// B's hardware address.
pub const B_HW: HwAddr = HwAddr([2, 0, 0, 0, 0, 0x0b]);
/// B's IP address.
pub const B_IP: Ipv4Addr = Ipv4Addr::new(10, 0, 0, 2);
/// The attacker's hardware address.
pub const M_HW: HwAddr = HwAddr([2, 0, 0, 0, 0, 0x66]);
/// Packets A's application sends to B.
pub const PACKETS: u8 = 3;
/// A's queue bound per unresolved address.
pub const MAX_PENDING: usize = 2;

fn config(hw: HwAddr, ip: Ipv4Addr) -> Config {
    Config {
        hw,
        ip,
        prefix_len: 24,
        capacity: 16,
        max_retries: 1,
        retry_interval: 1,
        entry_lifetime: 1_000,
        max_pending: MAX_PENDING,
    }
}

/// A station on the link.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, PartialOrd, Ord)]
pub enum Station {
    /// Host A.
    A,
    /// Host B.
    B,
    /// The attacker.
    M,
}

/// An ARP message on the link.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, PartialOrd, Ord)]
pub struct Frame {
    /// Sender.
    pub from: Station,
    /// Receiver (a broadcast is one frame per receiver that matters).
    pub to: Station,
    /// The ARP packet.
    pub arp: ArpPacket,
}

/// Ghost facts, recorded from the outputs of the cache functions.
pub mod fact {
    /// A re-sent a request.
    pub const RETRY_SENT: u16 = 1;
    /// A packet that waited in A's queue was transmitted on resolution.
    pub const QUEUED_SENT: u16 = 1 << 1;
    /// A's full queue dropped its oldest packet.
    pub const QUEUE_FULL_DROP: u16 = 1 << 2;
    /// A gave up resolving and dropped its queue.
    pub const RESOLUTION_FAILED: u16 = 1 << 3;
    /// A forged reply resolved A's incomplete entry for B.
    pub const POISONED_INCOMPLETE: u16 = 1 << 4;
    /// A forged reply overwrote A's resolved entry for B.
    pub const POISONED_RESOLVED: u16 = 1 << 5;
    /// A forged request made A create an entry for B.
    pub const POISONED_BY_REQUEST: u16 = 1 << 6;
    /// A forged reply found no entry for B and created none.
    pub const UNSOLICITED_IGNORED: u16 = 1 << 7;
}

/// The state. Its `Debug` is the compact view the Explorer shows.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct World {
    /// The attacker is racing (may forge at any moment) rather than unsolicited-only.
    pub racing: bool,
    /// Ticks so far.
    pub now: u64,
    /// A's cache; pending packets are their numbers.
    pub a: Cache<u8>,
    /// B's cache.
    pub b: Cache<u8>,
    /// Packets A's application has sent.
    pub app_sent: u8,
    /// ARP messages in flight, a sorted multiset.
    pub link: Vec<Frame>,
    /// IP frames A transmitted: packet number and destination hardware address.
    pub transmitted: Vec<(u8, HwAddr)>,
    /// Ghost facts.
    pub facts: u16,
    /// Losses left.
    pub losses: u8,
    /// Forged replies left.
    pub forged_replies: u8,
    /// Forged requests left.
    pub forged_requests: u8,
}

/// What can happen next.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum Action {
    /// A's application sends its next packet to B.
    AppSends,
    /// The frame at this index arrives.
    Deliver(usize),
    /// The link loses the frame at this index.
    Lose(usize),
    /// One tick passes.
    Tick,
    /// M's forged reply (B's IP at M's hardware address) reaches A.
    ForgedReply,
    /// M's forged request (B's IP at M's hardware address, asking for A) reaches A.
    ForgedRequest,
}

/// The ARP model.
#[derive(Clone)]
pub struct ArpModel {
    /// The mechanisms in force.
    pub mech: arp::Mechanisms,
}

fn forged(op: Operation) -> ArpPacket {
    ArpPacket {
        op,
        sender_hw: M_HW,
        sender_ip: B_IP,
        target_hw: if op == Operation::Reply {
            A_HW
        } else {
            HwAddr::ZERO
        },
        target_ip: A_IP,
    }
}

fn hw_name(hw: HwAddr) -> &'static str {
    match hw {
        A_HW => "A's MAC",
        B_HW => "B's MAC",
        M_HW => "M's MAC",
        _ => "another MAC",
    }
}

fn show(p: &ArpPacket) -> String {
    match p.op {
        Operation::Request => format!(
            "who-has {} tell {} at {}",
            p.target_ip,
            p.sender_ip,
            hw_name(p.sender_hw)
        ),
        Operation::Reply => format!("{} is-at {}", p.sender_ip, hw_name(p.sender_hw)),
    }
}

impl ArpModel {
    /// Carries out what station `s`'s cache asked for.
    fn perform(&self, n: &mut World, s: Station, actions: Vec<arp::Action<u8>>, log: &mut Log) {
        for act in actions {
            match act {
                arp::Action::SendRequest { packet } => {
                    // Broadcast: only B's copy matters (M ignores it).
                    insert(
                        &mut n.link,
                        Frame {
                            from: s,
                            to: Station::B,
                            arp: packet,
                        },
                    );
                    log.say(|| format!("{s:?} broadcasts {}", show(&packet)));
                }
                arp::Action::SendReply { packet, to } => {
                    let dest = match to {
                        A_HW => Some(Station::A),
                        B_HW => Some(Station::B),
                        _ => None,
                    };
                    if let Some(to) = dest {
                        insert(
                            &mut n.link,
                            Frame {
                                from: s,
                                to,
                                arp: packet,
                            },
                        );
                    }
                    log.say(|| format!("{s:?} replies {} to {}", show(&packet), hw_name(to)));
                }
                arp::Action::Transmit { packet, hw } => {
                    n.transmitted.push((packet, hw));
                    log.say(|| format!("{s:?} transmits IP packet {packet} to {}", hw_name(hw)));
                }
                arp::Action::Evicted { ip } => log.say(|| format!("{s:?} evicts {ip}")),
                arp::Action::DropPending { packet, reason } => {
                    n.facts |= match reason {
                        DropReason::QueueFull => fact::QUEUE_FULL_DROP,
                        DropReason::ResolutionFailed => fact::RESOLUTION_FAILED,
                        // Each cache of the model holds one entry at most: never evicted.
                        DropReason::Evicted => 0,
                    };
                    log.say(|| format!("{s:?} drops IP packet {packet} ({reason:?})"));
                }
            }
        }
    }

    /// A or B receives an ARP packet.
    fn receive(&self, n: &mut World, s: Station, p: &ArpPacket, log: &mut Log) {
        let now = n.now;
        let (cache, cfg) = match s {
            Station::A => (&mut n.a, config(A_HW, A_IP)),
            _ => (&mut n.b, config(B_HW, B_IP)),
        };
        let r = cache.receive(p, now, &cfg, &self.mech);
        log.say(|| format!("{s:?} receives {}: {}", show(p), update_name(r.update)));
        if s == Station::A && p.sender_ip == B_IP {
            let genuine = p.sender_hw == B_HW;
            n.facts |= match (r.update, genuine) {
                (Update::Resolved, true) if r.actions.len() >= 2 => fact::QUEUED_SENT,
                (Update::Resolved, false) => fact::POISONED_INCOMPLETE,
                (Update::Refreshed { changed: true }, false) => fact::POISONED_RESOLVED,
                (Update::Created, false) if p.op == Operation::Request => fact::POISONED_BY_REQUEST,
                (Update::UnsolicitedIgnored, false) => fact::UNSOLICITED_IGNORED,
                _ => 0,
            };
        }
        self.perform(n, s, r.actions, log);
    }

    /// One transition, narrated into `log`.
    pub fn step(&self, w: &World, action: Action, log: &mut Log) -> Option<World> {
        let mut n = w.clone();
        let cfg_a = config(A_HW, A_IP);
        match action {
            Action::AppSends => {
                n.app_sent += 1;
                let id = n.app_sent;
                log.say(|| format!("A's application sends IP packet {id} to {B_IP}"));
                let acts = n.a.send(B_IP, id, n.now, &cfg_a, &self.mech);
                self.perform(&mut n, Station::A, acts, log);
                if let Some(Entry::Incomplete { pending, .. }) = a_entry(&n) {
                    log.say(|| format!("{} packet(s) wait for B's address", pending.len()));
                }
            }
            Action::Deliver(i) => {
                let f = n.link.remove(i);
                self.receive(&mut n, f.to, &f.arp, log);
            }
            Action::Lose(i) => {
                let f = n.link.remove(i);
                n.losses -= 1;
                log.say(|| format!("the link loses {}", show(&f.arp)));
            }
            Action::Tick => {
                n.now += 1;
                log.say(|| format!("tick {}", n.now));
                let acts = n.a.tick(n.now, &cfg_a);
                if acts
                    .iter()
                    .any(|a| matches!(a, arp::Action::SendRequest { .. }))
                {
                    n.facts |= fact::RETRY_SENT;
                }
                self.perform(&mut n, Station::A, acts, log);
            }
            Action::ForgedReply => {
                n.forged_replies -= 1;
                log.say(|| "M forges a reply".into());
                self.receive(&mut n, Station::A, &forged(Operation::Reply), log);
            }
            Action::ForgedRequest => {
                n.forged_requests -= 1;
                log.say(|| "M forges a request".into());
                self.receive(&mut n, Station::A, &forged(Operation::Request), log);
            }
        }
        Some(n)
    }
}

fn update_name(u: Update) -> String {
    match u {
        Update::Resolved => "its incomplete entry is resolved".into(),
        Update::Refreshed { changed: true } => "the merge overwrites its entry".into(),
        Update::Refreshed { changed: false } => "the merge refreshes its entry".into(),
        Update::Created => "a new entry is created".into(),
        Update::UnsolicitedIgnored => "no entry, and a reply creates none: ignored".into(),
        Update::NotCached => "not for it, nothing cached".into(),
        Update::Ignored(why) => format!("ignored ({why:?})"),
    }
}

fn insert(link: &mut Vec<Frame>, f: Frame) {
    let at = link.partition_point(|x| *x <= f);
    link.insert(at, f);
}

/// A's entry for B.
pub fn a_entry(w: &World) -> Option<&Entry<u8>> {
    w.a.entry(B_IP)
}

impl Model for ArpModel {
    type State = World;
    type Action = Action;

    fn init_states(&self) -> Vec<World> {
        [false, true]
            .into_iter()
            .map(|racing| World {
                racing,
                now: 0,
                a: Cache::new(),
                b: Cache::new(),
                app_sent: 0,
                link: Vec::new(),
                transmitted: Vec::new(),
                facts: 0,
                losses: 1,
                forged_replies: 1,
                forged_requests: u8::from(racing),
            })
            .collect()
    }

    fn actions(&self, w: &World, out: &mut Vec<Action>) {
        if w.app_sent < PACKETS {
            out.push(Action::AppSends);
        }
        for (i, f) in w.link.iter().enumerate() {
            if i > 0 && w.link[i - 1] == *f {
                continue;
            }
            out.push(Action::Deliver(i));
            if w.losses > 0 {
                out.push(Action::Lose(i));
            }
        }
        if w.a
            .entries()
            .any(|(_, e)| matches!(e, Entry::Incomplete { .. }))
        {
            out.push(Action::Tick);
        }
        if w.forged_replies > 0 && (w.racing || a_entry(w).is_none()) {
            out.push(Action::ForgedReply);
        }
        if w.forged_requests > 0 {
            out.push(Action::ForgedRequest);
        }
    }

    fn next_state(&self, w: &World, action: Action) -> Option<World> {
        self.step(w, action, &mut Log::off())
    }

    fn properties(&self) -> Vec<Property<Self>> {
        super::table::properties(properties::PROPS)
    }

    fn format_action(&self, action: &Action) -> String {
        match *action {
            Action::AppSends => "A's application sends its next IP packet to B".to_string(),
            Action::Deliver(i) => format!("ARP frame #{} on the link arrives", i + 1),
            Action::Lose(i) => format!("the link loses ARP frame #{}", i + 1),
            Action::Tick => "one tick passes (A's retry timer)".to_string(),
            Action::ForgedReply => "M forges a reply (B's address at M's MAC)".to_string(),
            Action::ForgedRequest => "M forges a request (B's address at M's MAC)".to_string(),
        }
    }

    fn format_step(&self, last: &World, action: Action) -> Option<String> {
        let mut log = Log::on();
        self.step(last, action, &mut log);
        Some(log.text())
    }

    fn as_svg(&self, path: Path<World, Action>) -> Option<String> {
        Some(diagram::svg(&self.ladder(&path.into_vec())))
    }
}

/// What a scenario shows.
fn scenario(racing: bool) -> &'static str {
    if racing {
        "A resolves B; M forges a reply and a request at any moment"
    } else {
        "A resolves B; M forges one reply, arriving while A has no entry for B"
    }
}

fn frame_ink(f: &Frame) -> Ink {
    match (f.from, f.arp.op) {
        (Station::M, _) => Ink::Rst,
        (_, Operation::Request) => Ink::Syn,
        (_, Operation::Reply) => Ink::Ack,
    }
}

fn frame_msg(f: &Frame) -> Msg {
    Msg {
        from: f.from as usize,
        to: f.to as usize,
        sent: None,
        end: End::InFlight,
        ink: frame_ink(f),
        dashed: false,
        label: format!("{:?} \u{2192} {:?}: {}", f.from, f.to, show(&f.arp)),
        fork: None,
    }
}

/// A's entry for B, in words.
fn entry_text(w: &World) -> String {
    match a_entry(w) {
        None => "no entry for B".to_string(),
        Some(Entry::Incomplete { pending, .. }) => {
            format!("B incomplete, {} waiting", pending.len())
        }
        Some(Entry::Resolved { hw, .. }) => format!("B is {}", hw_name(*hw)),
    }
}

impl ArpModel {
    /// The ladder of a path: A, B and M's lifelines, each ARP frame a line from the row it
    /// was sent to the row it arrived; M's forgeries arrive at once.
    pub fn ladder(&self, path: &[(World, Option<Action>)]) -> Ladder {
        let mut off = Vec::new();
        if !self.mech.ignore_unsolicited_replies {
            off.push("ignore-unsolicited-replies");
        }
        if !self.mech.bounded_pending_queue {
            off.push("bounded-pending-queue");
        }
        let mut l = Ladder {
            title: "arp: address resolution with a forging attacker (RFC 826, RFC 1122 §2.3.2)"
                .to_string(),
            header: Vec::new(),
            lanes: vec!["A".into(), "B".into(), "M (attacker)".into()],
            ..Ladder::default()
        };
        let Some((first, _)) = path.first() else {
            return l;
        };
        l.header = vec![
            scenario(first.racing).to_string(),
            format!(
                "bounds: losses {}, forged replies {}, forged requests {}, {PACKETS} packets",
                first.losses, first.forged_replies, first.forged_requests
            ),
            diagram::off_line(&off),
        ];
        l.rows.push(LadderRow {
            left: entry_text(first),
            notes: vec![Note::new(Ink::Plain, "initial state")],
            ..LadderRow::default()
        });
        let mut tracker = Tracker::start(&mut l, &first.link, frame_msg);
        for (k, pair) in path.windows(2).enumerate() {
            let (last, Some(action)) = (&pair[0].0, pair[0].1) else {
                continue;
            };
            let next = &pair[1].0;
            let row = k + 1;
            let first_ink = match action {
                Action::Deliver(i) => {
                    tracker.end(&mut l, &last.link[i], End::Arrived(row));
                    frame_ink(&last.link[i])
                }
                Action::Lose(i) => {
                    tracker.end(&mut l, &last.link[i], End::Lost(row));
                    Ink::Network
                }
                Action::ForgedReply | Action::ForgedRequest => {
                    l.msgs.push(Msg {
                        from: Station::M as usize,
                        to: Station::A as usize,
                        sent: Some(row),
                        end: End::Arrived(row),
                        ink: Ink::Rst,
                        dashed: true,
                        label: "M's forgery".to_string(),
                        fork: None,
                    });
                    Ink::Rst
                }
                Action::AppSends => Ink::User,
                Action::Tick => Ink::Timer,
            };
            let mut log = Log::on();
            self.step(last, action, &mut log);
            let notes = log
                .lines()
                .into_iter()
                .enumerate()
                .map(|(i, t)| Note::new(if i == 0 { first_ink } else { Ink::Plain }, t))
                .collect();
            tracker.sync(&mut l, &next.link, row, frame_msg);
            l.rows.push(LadderRow {
                left: entry_text(next),
                notes,
                ..LadderRow::default()
            });
        }
        if let Some((end, _)) = path.last() {
            l.footer = diagram::table_verdicts(self, properties::PROPS, end);
        }
        l
    }
}

impl Render for ArpModel {
    fn render(&self, path: &[(World, Option<Action>)]) -> Vec<String> {
        let title = match path.first().map(|(w, _)| w.racing) {
            Some(true) => "A resolves B; M forges a reply and a request at any moment",
            _ => "A resolves B; M forges one reply, arriving while A has no entry for B",
        };
        let steps = path
            .iter()
            .filter_map(|(w, a)| a.and_then(|a| self.format_step(w, a)));
        diagram::numbered(title, steps)
    }
}
