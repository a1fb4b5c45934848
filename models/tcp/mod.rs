//! The TCP models: one model type over the shared [`world`], in several scenarios.
//!
//! - `tcp-handshake` (RFC 9293 §3.5, Figures 6–8): A opens actively to B, which listens; in a
//!   second initial configuration both open actively (simultaneous open, Figure 7). An old
//!   duplicate SYN of an earlier incarnation is in flight at the start (Figure 8). ISNs come
//!   from a small set that includes 2^32−1, so ISN+1 wraps to 0.
//! - `tcp-close` (§3.6, Figures 12–13): from ESTABLISHED either user may close at any time, so
//!   A first, B first, and both at once are all explored; any segment may be lost or
//!   duplicated, the final ACK included. Time is discrete ticks; TIME-WAIT lasts 2·MSL.
//! - `tcp-lifecycle` (§3.4, §3.6, the study note's central claims): A connects to B, each
//!   sends octets tagged with their origin and incarnation, both close, then A opens again on
//!   the same 4-tuple (incarnation 2) and they exchange octets again. ISNs come from a clock
//!   that advances with the ticks (MUST-8), slowly enough that an old incarnation's segments
//!   could fall into the new window were it not for TIME-WAIT.

pub mod ladder;
pub mod properties;
pub mod registry;
pub mod view;
pub mod world;

use crate::models::cached::Cached;
use crate::tcp::{Config, Ctl, Mechanisms, Segment, Seq, State, Tcb};
use properties::{Prop, Scenario};
use stateright::{Model, Path, Property};
use std::time::Duration;
use world::{Action, Facts, Flight, Peer, Reductions, Script, Setup, Side, TICK, World};

/// A TCP model: a scenario, its bounds, and the mechanisms in force.
#[derive(Clone, Debug)]
pub struct TcpModel {
    /// Which scenario.
    pub scenario: Scenario,
    /// Bounds and configuration.
    pub setup: Setup,
    /// Losses allowed.
    pub losses: u8,
    /// Duplications allowed.
    pub dups: u8,
    /// Delays past a tick allowed.
    pub delays: u8,
    /// Segments the off-path attacker may forge.
    pub forgeries: u8,
    /// Whether an old duplicate SYN of A's previous connection is in flight at the start.
    pub old_syn: bool,
    /// Whether an old duplicate from the previous wrap of A's sequence space is in flight at
    /// the start (both ends then use timestamps).
    pub old_wrap: bool,
    /// If set, only this property is checked (used to search for a shortest counterexample).
    pub only: Option<&'static str>,
}

/// The bounds of the lifecycle model (the defaults are exhaustive in well under a minute;
/// larger values are for users with more time).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LifecycleBounds {
    /// Octets each side sends per incarnation.
    pub bytes: u8,
    /// Incarnations of the connection.
    pub incarnations: u8,
    /// Segments the network may lose.
    pub losses: u8,
    /// Segments the network may duplicate.
    pub dups: u8,
    /// Segments the network may delay past a tick.
    pub delays: u8,
    /// A is a client that outruns its ISN clock, closes first and reconnects at once (see
    /// [`Script::fast_reconnect`]).
    pub fast_reconnect: bool,
    /// Figure 8 in the lifecycle: an old duplicate SYN of A's previous connection on this
    /// 4-tuple, one ISN-clock step older than A's first ISS (so within B's window of A's new
    /// numbers) and carrying one octet of text, is in flight when B listens.
    pub old_syn: bool,
    /// Segments an off-path attacker may forge (see [`world::Forgery`]).
    pub forgeries: u8,
    /// RFC 7323 §5 in the lifecycle: both ends use timestamps, and an old duplicate of A's
    /// from the previous wrap of its sequence space is in flight: its SEQ is A's first text
    /// octet of this connection (inside B's window once B is synchronized), its text an octet
    /// of no script ([`world::OLD_WRAP_OCTET`]), its TSval older than any of this connection.
    pub old_wrap: bool,
    /// RFC 5681 in the lifecycle: both ends run Reno with an initial window of one segment
    /// (one octet here), so that the congestion window binds before the peer's window does.
    pub congestion: bool,
    /// RFC 2018 and RFC 6675 in the lifecycle: both ends offer SACK, and only A sends (a
    /// one-way transfer, as SACK recovery is about a sender's holes; see [`Script::one_way`]).
    pub sack: bool,
}

impl From<crate::models::Bounds> for LifecycleBounds {
    fn from(b: crate::models::Bounds) -> Self {
        let d = LifecycleBounds::default();
        LifecycleBounds {
            bytes: b.bytes.unwrap_or(d.bytes),
            incarnations: b.incarnations.unwrap_or(d.incarnations),
            losses: b.losses.unwrap_or(d.losses),
            dups: b.dups.unwrap_or(d.dups),
            delays: b.delays.unwrap_or(d.delays),
            fast_reconnect: b.fast_reconnect.map_or(d.fast_reconnect, |f| f != 0),
            old_syn: b.old_syn.map_or(d.old_syn, |o| o != 0),
            forgeries: b.forgeries.unwrap_or(d.forgeries),
            old_wrap: b.old_wrap.map_or(d.old_wrap, |o| o != 0),
            congestion: b.congestion.map_or(d.congestion, |c| c != 0),
            sack: b.sack.map_or(d.sack, |c| c != 0),
        }
    }
}

impl Default for LifecycleBounds {
    fn default() -> Self {
        LifecycleBounds {
            bytes: 1,
            incarnations: 2,
            losses: 1,
            dups: 0,
            delays: 1,
            fast_reconnect: false,
            old_syn: false,
            forgeries: 0,
            old_wrap: false,
            congestion: false,
            sack: false,
        }
    }
}

/// MSL in ticks in the timed models.
pub const MSL_TICKS: u8 = 2;

/// ISNs of A explored by the handshake model: one that wraps (ISN+1 = 0) and a plain one.
pub const HANDSHAKE_ISNS_A: [u32; 2] = [u32::MAX, 100];
/// ISN of B.
pub const ISN_B: u32 = 300;

/// How far before B's current ISS the old duplicate SYN of B's earlier incarnation lies in
/// the simultaneous-open configuration: outside one receive window, as the ISN clock and the
/// quiet time of RFC 9293 §3.4.1 are there to ensure. Within one window (say ISS−10) the
/// checker finds simultaneous open establishing A with the stale IRS: A's SYN,ACK for the old
/// SYN meets B in SYN-RECEIVED, whose bare ACK falls inside A's window and acknowledges A's
/// SYN, so A enters ESTABLISHED with IRS = the old ISN (`no-bogus-connection` fails).
pub const OLD_SYN_DISTANCE: u32 = u32::MAX - 999;

impl TcpModel {
    /// This model with its sound reductions of the state space ([`Reductions::ALL`]) or
    /// without any ([`Reductions::NONE`]).
    pub fn reduced(mut self, on: bool) -> TcpModel {
        self.setup.reductions = if on {
            Reductions::ALL
        } else {
            Reductions::NONE
        };
        self
    }

    /// The handshake model with the given mechanisms.
    pub fn handshake(mechanisms: Mechanisms) -> TcpModel {
        let cfg = Config {
            mechanisms,
            rcv_wnd: 16,
            mss: 4,
            max_retransmits: 3,
            max_syn_retransmits: 3,
            // Rates and idle timeouts in abstract time mean nothing, and a bucket or one more
            // deadline would split equal states.
            challenge_ack_limit: None,
            fin_wait_2_timeout: None,
            ..Config::default()
        };
        TcpModel {
            scenario: Scenario::Handshake,
            setup: Setup {
                cfg,
                msl: None,
                users_close: false,
                script: None,
                reductions: Reductions::ALL,
            },
            losses: 1,
            dups: 1,
            delays: 0,
            forgeries: 0,
            old_syn: false,
            old_wrap: false,
            only: None,
        }
    }

    /// The close model with the given mechanisms. The retransmission bound R2 exceeds what
    /// the network may destroy or delay (losses + delays + 1): the model checks the close, not
    /// the user timeout, which is reached only when the network does more harm than that.
    pub fn close(mechanisms: Mechanisms) -> TcpModel {
        let (losses, delays) = (2, 2);
        let cfg = Config {
            mechanisms,
            rcv_wnd: 16,
            mss: 4,
            max_retransmits: losses + delays + 1,
            max_syn_retransmits: losses + delays + 1,
            msl: TICK * 2,
            // Rates and idle timeouts in abstract time mean nothing, and a bucket or one more
            // deadline would split equal states.
            challenge_ack_limit: None,
            fin_wait_2_timeout: None,
            ..Config::default()
        };
        TcpModel {
            scenario: Scenario::Close,
            setup: Setup {
                cfg,
                msl: Some(2),
                users_close: true,
                script: None,
                reductions: Reductions::ALL,
            },
            losses,
            dups: 1,
            delays,
            forgeries: 0,
            old_syn: false,
            old_wrap: false,
            only: None,
        }
    }

    /// The lifecycle model with the given mechanisms and bounds. The ISN clock advances one
    /// per tick (and one per incarnation): slowly, so that an old incarnation's text and FIN
    /// could fall into the new window were it not for TIME-WAIT.
    pub fn lifecycle(mechanisms: Mechanisms, b: LifecycleBounds) -> TcpModel {
        let cfg = Config {
            mechanisms,
            // One octet more than the text, so that the FIN fits. With RCV.WND = bytes the
            // checker finds a window-edge stall: an ACK sent after a FIN the receiver has not
            // yet got lies one past the window, Table 6 rejects it, and the close then depends
            // on the FIN's retransmission winning a race against the peer's give-up.
            rcv_wnd: u32::from(b.bytes) + 1,
            mss: 1,
            // R2 outlasts what the network may destroy or delay plus the peer's TIME-WAIT
            // (a SYN that meets it draws a challenge ACK until it ends, RFC 5961 §4).
            max_retransmits: b.losses + b.delays + 2 * MSL_TICKS + 2,
            max_syn_retransmits: b.losses + b.delays + 2 * MSL_TICKS + 2,
            msl: TICK * u32::from(MSL_TICKS),
            // Rates and idle timeouts in abstract time mean nothing, and a bucket or one more
            // deadline would split equal states.
            challenge_ack_limit: None,
            fin_wait_2_timeout: None,
            timestamps: b.old_wrap,
            congestion: b.congestion.then_some(crate::tcp::Algorithm::Reno),
            initial_window: b.congestion.then_some(1),
            // SACK's loss recovery (RFC 6675) is fast retransmit's, on the scoreboard.
            sack: b.sack,
            fast_retransmit: b.sack,
            ..Config::default()
        };
        let script = Script {
            bytes: b.bytes,
            incarnations: b.incarnations,
            isn_ticks_per_step: 1,
            hash_a: u32::MAX - 1,
            hash_b: ISN_B,
            fast_reconnect: b.fast_reconnect,
            one_way: b.sack,
        };
        TcpModel {
            scenario: Scenario::Lifecycle,
            setup: Setup {
                cfg,
                msl: Some(MSL_TICKS),
                users_close: true,
                script: Some(script),
                reductions: Reductions::ALL,
            },
            losses: b.losses,
            dups: b.dups,
            delays: b.delays,
            forgeries: b.forgeries,
            old_syn: b.old_syn,
            old_wrap: b.old_wrap,
            only: None,
        }
    }

    fn lifecycle_inits(&self) -> Vec<World> {
        let cfg = &self.setup.cfg;
        let a = Peer::new(*cfg);
        let mut b = Peer {
            passive: true,
            incarnation: 1,
            ..Peer::new(*cfg)
        };
        let _ = b.conn.open_passive(Duration::ZERO);
        b.facts.0 |= Facts::OPENED;
        let mut w = World {
            a: Cached::new(a),
            b: Cached::new(b),
            net: Vec::new(),
            losses: self.losses,
            dups: self.dups,
            delays: self.delays,
            forgeries: self.forgeries,
            clock: 0,
            transient: [0; 2],
        };
        if self.old_syn {
            // The SYN of the connection A opened one step of its ISN clock before this one.
            let old_seq = self.setup.isn_now(&w, Side::A, 1) + u32::MAX;
            let seg = Segment {
                data: vec![world::OLD_SYN_OCTET],
                ..Segment::control(old_seq, Seq(0), Ctl::SYN, cfg.rcv_wnd as u16)
            };
            w.net.push(Cached::new(Flight {
                delayed: false,
                age: 0,
                from: Side::A,
                incarnation: 0,
                seg,
            }));
        }
        if self.old_wrap {
            // A's text of 2^32 octets ago: the sequence number of A's first octet now, an
            // acknowledgment below B's SND.UNA (an old duplicate ACK, ignored), and a TSval
            // older than the 0 every segment of this connection carries (the model's clock).
            let seq = self.setup.isn_now(&w, Side::A, 1) + 1;
            let mut seg = Segment::text(
                seq,
                self.setup.isn_now(&w, Side::B, 1),
                cfg.rcv_wnd as u16,
                &[world::OLD_WRAP_OCTET],
            );
            seg.opt.timestamps = Some(crate::tcp::Timestamps {
                tsval: u32::MAX,
                tsecr: 0,
            });
            w.net.push(Cached::new(Flight {
                delayed: false,
                age: 0,
                from: Side::A,
                incarnation: 0,
                seg,
            }));
        }
        vec![w]
    }

    fn handshake_inits(&self) -> Vec<World> {
        let cfg = &self.setup.cfg;
        let mut inits = Vec::new();
        for b_listens in [true, false] {
            for isn_a in HANDSHAKE_ISNS_A {
                let a = Peer {
                    isn: Seq(isn_a),
                    ..Peer::new(*cfg)
                };
                let mut b = Peer {
                    isn: Seq(ISN_B),
                    passive: b_listens,
                    ..Peer::new(*cfg)
                };
                // An old duplicate SYN from an earlier incarnation of the other side: of A
                // when B listens (Figure 8), of B when both open actively.
                let (old_from, old_seq) = if b_listens {
                    (Side::A, Seq(isn_a) + (u32::MAX - 9))
                } else {
                    (Side::B, Seq(ISN_B) + OLD_SYN_DISTANCE)
                };
                if b_listens {
                    let _ = b.conn.open_passive(Duration::ZERO);
                    b.facts.0 |= Facts::OPENED;
                }
                let old = Flight {
                    delayed: false,
                    age: 0,
                    from: old_from,
                    incarnation: 0,
                    seg: Segment::control(old_seq, Seq(0), Ctl::SYN, 16),
                };
                inits.push(World {
                    a: Cached::new(a),
                    b: Cached::new(b),
                    net: vec![Cached::new(old)],
                    losses: self.losses,
                    dups: self.dups,
                    delays: self.delays,
                    forgeries: self.forgeries,
                    clock: 0,
                    transient: [0; 2],
                });
            }
        }
        inits
    }

    fn close_inits(&self) -> Vec<World> {
        let cfg = &self.setup.cfg;
        let mut a = Peer {
            isn: Seq(u32::MAX),
            ..Peer::new(*cfg)
        };
        let mut b = Peer {
            isn: Seq(ISN_B),
            passive: true,
            ..Peer::new(*cfg)
        };
        // The handshake, every segment delivered at once, at the model's time origin.
        let t0 = Duration::ZERO;
        let _ = b.conn.open_passive(t0);
        let _ = a.conn.open_active(t0, a.isn);
        let syn = a.conn.poll_transmit(t0).expect("a SYN");
        b.conn.on_listen_segment(t0, &syn, b.isn);
        let syn_ack = b.conn.poll_transmit(t0).expect("a SYN,ACK");
        a.conn.on_segment(t0, &syn_ack);
        let ack = a.conn.poll_transmit(t0).expect("an ACK");
        b.conn.on_segment(t0, &ack);
        for p in [&mut a, &mut b] {
            while p.conn.poll_event().is_some() {}
        }
        assert_eq!(
            (a.tcb().state, b.tcb().state),
            (State::Established, State::Established)
        );
        a.syns_received.push(syn_ack.seq);
        b.syns_received.push(syn.seq);
        for p in [&mut a, &mut b] {
            p.facts.0 |= Facts::OPENED | Facts::WAS_ESTABLISHED;
            p.incarnation = 1;
        }
        vec![World {
            a: Cached::new(a),
            b: Cached::new(b),
            net: Vec::new(),
            losses: self.losses,
            dups: self.dups,
            delays: self.delays,
            forgeries: self.forgeries,
            clock: 0,
            transient: [0; 2],
        }]
    }

    /// Whether no action changes the state: the run has ended.
    pub fn is_terminal(&self, w: &World) -> bool {
        let mut actions = Vec::new();
        self.setup.actions(w, &mut actions);
        actions.iter().all(|a| self.setup.next(w, a).is_none())
    }

    /// The registry's name of the scenario.
    pub fn name(&self) -> &'static str {
        match self.scenario {
            Scenario::Handshake => "tcp-handshake",
            Scenario::Close => "tcp-close",
            Scenario::Lifecycle => "tcp-lifecycle",
        }
    }

    /// The first line of a ladder's header: which model this is.
    pub fn title(&self) -> String {
        let what = match self.scenario {
            Scenario::Handshake => "opening a connection (RFC 9293 §3.5, Figures 6-8)",
            Scenario::Close => "closing a connection (RFC 9293 §3.6, Figures 12-13)",
            Scenario::Lifecycle => "two incarnations of one connection (RFC 9293 §3.4, §3.6)",
        };
        format!("{}: {what}", self.name())
    }

    /// The further header lines: the bounds and the mechanisms switched off.
    pub fn header(&self) -> Vec<String> {
        let mut bounds = Vec::new();
        if let Some(sc) = self.setup.script {
            bounds.push(format!("bytes {}", sc.bytes));
            bounds.push(format!("incarnations {}", sc.incarnations));
            if sc.fast_reconnect {
                bounds.push("fast-reconnect".to_string());
            }
        }
        bounds.push(format!("losses {}", self.losses));
        bounds.push(format!("dups {}", self.dups));
        bounds.push(format!("delays {}", self.delays));
        if self.forgeries > 0 {
            bounds.push(format!("forgeries {}", self.forgeries));
        }
        if self.old_syn {
            bounds.push("old-syn".to_string());
        }
        if self.old_wrap {
            bounds.push("old-wrap".to_string());
        }
        if self.setup.cfg.congestion.is_some() {
            bounds.push("congestion".to_string());
        }
        if self.setup.cfg.sack {
            bounds.push("sack (only A sends)".to_string());
        }
        if let Some(msl) = self.setup.msl {
            bounds.push(format!("MSL {msl} ticks"));
        }
        let off: Vec<&str> = self
            .setup
            .cfg
            .mechanisms
            .disabled()
            .into_iter()
            .map(|m| m.name())
            .collect();
        let off = if off.is_empty() {
            "none (the full protocol)".to_string()
        } else {
            off.join(", ")
        };
        vec![
            format!("bounds: {}", bounds.join(", ")),
            format!("mechanisms switched off: {off}"),
        ]
    }

    /// The TCB of one side.
    pub fn tcb(w: &World, s: Side) -> &Tcb {
        w.peer(s).tcb()
    }
}

impl Model for TcpModel {
    type State = World;
    type Action = Action;

    fn init_states(&self) -> Vec<World> {
        let mut inits = match self.scenario {
            Scenario::Handshake => self.handshake_inits(),
            Scenario::Close => self.close_inits(),
            Scenario::Lifecycle => self.lifecycle_inits(),
        };
        let untimed = self.setup.reductions.untimed;
        for w in &mut inits {
            w.a.untimed = untimed;
            w.b.untimed = untimed;
        }
        inits
    }

    fn actions(&self, state: &World, actions: &mut Vec<Action>) {
        self.setup.actions(state, actions);
    }

    fn next_state(&self, state: &World, action: Action) -> Option<World> {
        self.setup.next(state, &action)
    }

    fn properties(&self) -> Vec<Property<Self>> {
        Prop::table(self.scenario)
            .iter()
            .filter(|p| self.only.is_none_or(|o| o == p.name))
            .map(|p| p.to_property())
            .collect()
    }

    fn format_action(&self, action: &Action) -> String {
        view::action_text(action)
    }

    fn format_step(&self, last: &World, action: Action) -> Option<String> {
        Some(ladder::describe(last, &action))
    }

    fn as_svg(&self, path: Path<World, Action>) -> Option<String> {
        Some(crate::models::diagram::svg(&ladder::ladder_svg(
            self,
            &path.into_vec(),
        )))
    }
}
