//! Judging a capture as it is read: frames go to conversations as they come, each TCP
//! endpoint is judged one segment at a time ([`EndpointJudge`]), and a connection's state is
//! let go when it is over, so memory follows the connections open at once, not the capture's
//! length.
//!
//! A TCP connection is over when a new incarnation of its 4-tuple opens (nothing more can
//! join it), when it ended (a RST, or a FIN each way) and has been quiet for longer than
//! [`SplitConfig::quiet`] (2·MSL: TIME-WAIT is over on both ends), or when it has been silent
//! for longer than [`FORGET_OPEN`]. A segment that still joins it later (the splitter would
//! give it to the same connection) makes its sender's verdict "cannot judge", unless it
//! already violates. UDP flows and ICMP and ARP exchanges are few and short in the captures
//! judged packet by packet as well (`others::OtherJudge`), holding only what a later reply is judged
//! against.
//!
//! A UDP flow or ICMP or ARP exchange silent for [`FORGET_OPEN`] is judged and let go, and the
//! splitter forgets every conversation let go [`FORGET_OPEN`] earlier: a packet of such a
//! flow after that opens a new conversation (for TCP, one that starts mid-connection, which
//! cannot be judged), so what is held follows the capture's recent hours, not its length.
//!
//! Endpoints are reported in order of conversation, whatever order they were finished in.

use super::others::OtherJudge;
use super::tcp::EndpointJudge;
use super::{Endpoint, Options, Report, Verdict};
use crate::capture::{self, Conversation, Direction, Frame, Packet, SplitConfig, Splitter};
use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use std::net::SocketAddrV4;
use std::time::Duration;

/// A connection that has not ended is let go after this long without a segment: longer than
/// the keep-alive interval's least default (RFC 9293 §3.8.4, RFC 1122 §4.2.3.6: two hours).
pub const FORGET_OPEN: Duration = Duration::from_secs(3 * 3600);
/// Frames between two looks for connections to let go, at most.
const SWEEP: u64 = 4096;
/// Capture time between two looks for connections to let go, at most.
const SWEEP_TIME: Duration = Duration::from_secs(1);

type FlowKey = (SocketAddrV4, SocketAddrV4);

/// A capture being judged, frame by frame.
pub struct Judging {
    options: Options,
    config: SplitConfig,
    splitter: Splitter,
    /// The TCP connections being judged, by conversation.
    tcp: HashMap<usize, LiveTcp>,
    /// The current conversation of each TCP 4-tuple.
    current: HashMap<FlowKey, usize>,
    /// UDP flows, ICMP and ARP exchanges: the packets not yet judged (none between frames),
    /// and the judge.
    others: BTreeMap<usize, LiveOther>,
    /// Conversations let go, and when: the splitter forgets them [`FORGET_OPEN`] later.
    let_go: VecDeque<(Duration, usize)>,
    /// The judgments made, by conversation.
    done: BTreeMap<usize, Vec<Endpoint>>,
    /// The latest capture time seen.
    now: Duration,
    /// The capture time of the last look for connections to let go.
    swept: Duration,
}

struct LiveOther {
    /// The packets not yet judged (none between frames).
    conversation: Conversation,
    judge: OtherJudge,
    last: Duration,
}

struct LiveTcp {
    key: FlowKey,
    judges: [EndpointJudge; 2],
    fin: [bool; 2],
    rst: bool,
    last: Duration,
}

fn index(d: Direction) -> usize {
    match d {
        Direction::FromA => 0,
        Direction::FromB => 1,
    }
}

fn flow_key(x: SocketAddrV4, y: SocketAddrV4) -> FlowKey {
    if x <= y { (x, y) } else { (y, x) }
}

impl Judging {
    /// Nothing judged yet; frames are split with `config`.
    pub fn new(options: Options, config: SplitConfig) -> Judging {
        Judging {
            options,
            config,
            splitter: Splitter::new(config),
            tcp: HashMap::new(),
            current: HashMap::new(),
            others: BTreeMap::new(),
            let_go: VecDeque::new(),
            done: BTreeMap::new(),
            now: Duration::ZERO,
            swept: Duration::ZERO,
        }
    }

    /// The capture's next frame.
    pub fn push(&mut self, frame: Frame) {
        let Some(at) = self.splitter.assign(&frame) else {
            return;
        };
        self.now = self.now.max(frame.timestamp);
        let opened = if at.opens {
            capture::open(&frame, at)
        } else {
            None
        };
        let (number, timestamp) = (frame.number, frame.timestamp);
        match frame.packet {
            Packet::Tcp { ip, tcp } if !at.icmp_error => {
                if let Some(Conversation::Tcp(c)) = opened {
                    let key = flow_key(
                        SocketAddrV4::new(ip.repr.src_addr, tcp.repr.src_port),
                        SocketAddrV4::new(ip.repr.dst_addr, tcp.repr.dst_port),
                    );
                    if let Some(old) = self.current.insert(key, at.conversation) {
                        self.finish_tcp(old);
                    }
                    let (profile, budget) = (self.options.profile, self.options.budget);
                    let judge =
                        |side| EndpointJudge::new(c.a, c.b, c.incarnation, side, profile, budget);
                    self.tcp.insert(
                        at.conversation,
                        LiveTcp {
                            key,
                            judges: [judge(Direction::FromA), judge(Direction::FromB)],
                            fin: [false; 2],
                            rst: false,
                            last: timestamp,
                        },
                    );
                }
                if let Some(live) = self.tcp.get_mut(&at.conversation) {
                    let flags = tcp.repr.flags;
                    live.fin[index(at.direction)] |= flags.fin();
                    live.rst |= flags.rst();
                    live.last = live.last.max(timestamp);
                    for judge in &mut live.judges {
                        judge.push(number, timestamp, at.direction, &tcp);
                    }
                } else if let Some(ends) = self.done.get_mut(&at.conversation) {
                    late(ends, number, at.direction);
                }
            }
            packet => {
                if let Some(c) = opened
                    && let Some(judge) = OtherJudge::new(&c)
                {
                    self.others.insert(
                        at.conversation,
                        LiveOther {
                            conversation: c,
                            judge,
                            last: timestamp,
                        },
                    );
                }
                // ICMP errors about TCP segments are not judged (nor kept).
                if let Some(o) = self.others.get_mut(&at.conversation) {
                    o.conversation.add(number, timestamp, at, packet);
                    o.judge.take(&mut o.conversation);
                    o.last = o.last.max(timestamp);
                }
            }
        }
        if self.splitter.summary().frames.is_multiple_of(SWEEP)
            || self.now.saturating_sub(self.swept) >= SWEEP_TIME
        {
            self.sweep();
        }
    }

    /// Lets go of the connections that are over (see the module documentation).
    fn sweep(&mut self) {
        let now = self.now;
        self.swept = now;
        let quiet = self.config.quiet;
        let over: Vec<usize> = self
            .tcp
            .iter()
            .filter(|(_, t)| {
                let idle = now.saturating_sub(t.last);
                ((t.rst || t.fin == [true, true]) && idle > quiet) || idle > FORGET_OPEN
            })
            .map(|(id, _)| *id)
            .collect();
        for id in over {
            self.finish_tcp(id);
        }
        let silent: Vec<usize> = self
            .others
            .iter()
            .filter(|(_, o)| now.saturating_sub(o.last) > FORGET_OPEN)
            .map(|(id, _)| *id)
            .collect();
        for id in silent {
            self.finish_other(id);
        }
        let mut forget = HashSet::new();
        while let Some(&(at, id)) = self.let_go.front()
            && now.saturating_sub(at) > FORGET_OPEN
        {
            self.let_go.pop_front();
            forget.insert(id);
        }
        if !forget.is_empty() {
            self.splitter.forget(&forget);
        }
    }

    fn finish_other(&mut self, id: usize) {
        let Some(o) = self.others.remove(&id) else {
            return;
        };
        let mut found = o.judge.finish();
        for e in &mut found {
            e.conversation = id;
        }
        self.done.insert(id, found);
        self.let_go.push_back((self.now, id));
    }

    /// How many flows the splitter tracks and how many conversations are being judged: what
    /// the judging holds besides the verdicts.
    pub fn held(&self) -> (usize, usize) {
        (self.splitter.tracked(), self.tcp.len() + self.others.len())
    }

    fn finish_tcp(&mut self, id: usize) {
        let Some(live) = self.tcp.remove(&id) else {
            return;
        };
        if self.current.get(&live.key) == Some(&id) {
            self.current.remove(&live.key);
        }
        let ends = live
            .judges
            .map(|j| {
                let mut e = j.finish();
                e.conversation = id;
                e
            })
            .into();
        self.done.insert(id, ends);
        self.let_go.push_back((self.now, id));
    }

    /// The judgment of the whole capture.
    pub fn finish(mut self) -> Report {
        let live: Vec<usize> = self.tcp.keys().copied().collect();
        for id in live {
            self.finish_tcp(id);
        }
        let others: Vec<usize> = self.others.keys().copied().collect();
        for id in others {
            self.finish_other(id);
        }
        Report {
            summary: self.splitter.summary(),
            endpoints: self.done.into_values().flatten().collect(),
        }
    }
}

/// A segment of a connection already let go: its sender's judgment cannot stand as it was.
fn late(ends: &mut [Endpoint], frame: u64, direction: Direction) {
    let Some(e) = ends.get_mut(index(direction)) else {
        return;
    };
    e.segments += 1;
    if !matches!(e.verdict, Verdict::Violates(_)) {
        e.verdict = Verdict::CannotJudge(format!(
            "frame {frame} came after the connection was over and its state let go \
             (it had ended and been quiet for 2·MSL, or been silent for 3 hours)"
        ));
    }
}
