//! `syn-cookie`: a client opens a connection to a listener that keeps no state for it (RFC
//! 4987 §3.6, SYN cookies), while the network loses and duplicates segments, the cookie clock
//! advances, and an off-path attacker forges an ACK.
//!
//! A (a `tcp::Connection`, active OPEN with ISN 2^32-16) sends its SYN to B's listener, whose
//! backlog is taken to be full: B answers every SYN with `syncookie::syn_ack` and keeps
//! nothing; an ACK that `syncookie::check_with` accepts opens B's connection with
//! `Connection::from_cookie`, any other segment is answered as LISTEN answers it
//! (`tcp::reset_for`). Two scenarios: A offers every option (MSS 1460, window scale,
//! SACK-permitted, timestamps), or only an MSS of 1400. The network may lose one segment and
//! duplicate one; the cookie counter may advance twice (a tick is one 64 s slot); the attacker
//! X, who knows the 4-tuple and the clock but not the key, may inject one ACK from A's
//! address with a guessed cookie.
//!
//! Always `cookie-opens-what-syn-asked`: a connection B opens is the one A's SYN asked for,
//! A's ISN as IRS, a cookie B sent as ISS, A's MSS rounded down to the cookie table, and the
//! options as A offered them when timestamps carry them (none otherwise). Always
//! `no-stale-cookie`: B never opens a connection on a cookie more than one slot old. Each is
//! broken by switching off the check that ensures it (`cookie-mac`, `cookie-slot-age`).

use super::diagram::{self, End, Ink, Ladder, LadderRow, Log, Msg, Note, Tracker};
use super::runner::{Render, RunOptions};
use super::table::{self, Prop};
use super::{Ablation, Bounds, Kind, ModelSpec, run_spec};
use crate::tcp::syncookie::{self, CookieKey, CookieRules};
use crate::tcp::{Config, Connection, Ctl, FourTuple, Segment, Seq, State, Timer, reset_for};
use stateright::{Model, Path, Property};
use std::fmt;
use std::net::{Ipv4Addr, SocketAddrV4};
use std::time::Duration;

/// B's cookie key.
const KEY: CookieKey = CookieKey([0x5eed_0001, 0xc0ff_ee02]);
/// A's ISN: near the wrap of the sequence space.
pub const CLIENT_ISN: Seq = Seq(0xffff_fff0);
/// The ISN the attacker claims for A.
const FORGED_ISN: u32 = 0x5000_0000;
/// Time within a slot is abstract: every input happens at the same instant.
const NOW: Duration = Duration::ZERO;

fn tuple() -> FourTuple {
    FourTuple {
        local: SocketAddrV4::new(Ipv4Addr::new(10, 0, 0, 2), 80),
        remote: SocketAddrV4::new(Ipv4Addr::new(10, 0, 0, 1), 40_000),
    }
}

/// A segment in flight, and (ghost) whether the attacker forged it.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct Flight {
    /// To B (from A or X), or to A.
    pub to_listener: bool,
    /// Forged by X.
    pub forged: bool,
    /// The segment.
    pub seg: Segment,
}

/// What B's connection was opened with, recorded when it opened (ghost).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct Opened {
    /// IRS and ISS.
    pub irs: Seq,
    /// ISS: the cookie.
    pub iss: Seq,
    /// The send MSS.
    pub mss: u16,
    /// Snd.Wind.Shift, SACK and timestamps in force.
    pub options: (u8, bool, bool),
    /// Slots since the cookie was made, if B made it.
    pub age: Option<u32>,
}

/// The state (its `Debug` is the compact view the Explorer shows).
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct World {
    /// 0: A offers every option; 1: only an MSS of 1400.
    pub scenario: u8,
    /// A's connection.
    pub client: Connection,
    /// B's connection, once a cookie opened it.
    pub server: Option<Connection>,
    /// Segments in flight.
    pub net: Vec<Flight>,
    /// B's cookie counter.
    pub counter: u32,
    /// Cookies B sent, with the counter of each (ghost).
    pub answered: Vec<(Seq, u32)>,
    /// What B's connection opened with (ghost).
    pub opened: Option<Opened>,
    /// B refused X's ACK.
    pub forged_refused: bool,
    /// B refused an ACK of one of its cookies that had grown too old.
    pub stale_refused: bool,
    /// Losses left.
    pub losses: u8,
    /// Duplications left.
    pub dups: u8,
    /// Slot ticks left.
    pub ticks: u8,
    /// Forgeries left.
    pub forgeries: u8,
}

/// What can happen next.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum Action {
    /// The segment at this index arrives.
    Deliver(usize),
    /// The network loses it.
    Lose(usize),
    /// The network duplicates it.
    Dup(usize),
    /// B's cookie counter advances one slot (64 s).
    Tick,
    /// X injects an ACK from A's address with a guessed cookie.
    Forge,
    /// A's retransmission timer fires.
    ClientTimer,
}

/// The model.
#[derive(Clone)]
pub struct CookieModel {
    /// The checks of a cookie's ACK in force.
    pub rules: CookieRules,
}

fn client_config(scenario: u8) -> Config {
    let base = Config {
        max_syn_retransmits: 1,
        challenge_ack_limit: None,
        fin_wait_2_timeout: None,
        ..Config::default()
    };
    if scenario == 0 {
        Config {
            rcv_wnd: 1 << 20,
            mss: 1460,
            ..base.with_extensions()
        }
    } else {
        Config { mss: 1400, ..base }
    }
}

fn server_config() -> Config {
    Config {
        rcv_wnd: 1 << 20,
        mss: 1460,
        challenge_ack_limit: None,
        fin_wait_2_timeout: None,
        ..Config::default().with_extensions()
    }
}

/// The MSS, shift, SACK and timestamps A's SYN asks for, as a cookie carries them.
fn asked(scenario: u8) -> (u16, (u8, bool, bool)) {
    if scenario == 0 {
        (1460, (crate::tcp::window_shift_for(1 << 20), true, true))
    } else {
        (1300, (0, false, false))
    }
}

impl CookieModel {
    /// A segment in words.
    pub fn label(f: &Flight) -> String {
        let who = if f.forged { "X's forged " } else { "" };
        format!("{who}{}", f.seg)
    }

    /// X's ACK from A's address, its cookie guessed for B's counter slot `counter`.
    fn forged(counter: u32) -> Segment {
        let guess = ((counter & 31) << 27) | (3 << 24) | 0x00ab_cdef;
        Segment::control(Seq(FORGED_ISN + 1), Seq(guess + 1), Ctl::ACK, 1000)
    }

    /// A segment in flight with its direction: `A → B <SEQ=..><CTL=SYN>`, `X → B ...` for a
    /// forgery.
    pub fn flight_text(f: &Flight) -> String {
        let (from, to) = if f.to_listener {
            (if f.forged { "X" } else { "A" }, "B")
        } else {
            ("B", "A")
        };
        format!("{from} → {to} {}", f.seg)
    }

    fn drain(w: &mut World) {
        while let Some(seg) = w.client.poll_transmit(NOW) {
            w.net.push(Flight {
                to_listener: true,
                forged: false,
                seg,
            });
        }
        if let Some(s) = &mut w.server {
            while let Some(seg) = s.poll_transmit(NOW) {
                w.net.push(Flight {
                    to_listener: false,
                    forged: false,
                    seg,
                });
            }
        }
    }

    /// B's listener takes `f` (no connection exists yet).
    fn listener(&self, w: &mut World, f: &Flight, log: &mut Log) {
        let seg = &f.seg;
        let cfg = server_config();
        let ts_now = crate::tcp::ts_clock(0, NOW);
        if seg.has(Ctl::SYN) && !seg.has(Ctl::ACK) && !seg.has(Ctl::RST) {
            if let Some(sa) =
                syncookie::syn_ack(&cfg, seg.into(), &tuple(), &KEY, w.counter, ts_now)
            {
                if !w.answered.iter().any(|(c, _)| *c == sa.seq) {
                    w.answered.push((sa.seq, w.counter));
                }
                log.say(|| format!("B's listener answers with cookie {}", sa.seq.0));
                w.net.push(Flight {
                    to_listener: false,
                    forged: false,
                    seg: sa,
                });
            }
            return;
        }
        let tuple = tuple();
        if let Some(d) = syncookie::check_with(seg.into(), &tuple, &KEY, w.counter, self.rules) {
            let (conn, _) = Connection::from_cookie(cfg, NOW, 0, &d, seg);
            let t = conn.tcb();
            let age = w
                .answered
                .iter()
                .find(|(c, _)| *c == d.iss)
                .map(|(_, at)| w.counter - at);
            w.opened = Some(Opened {
                irs: t.irs,
                iss: t.iss,
                mss: conn.send_mss(),
                options: (t.snd_wscale, t.sack_ok, t.ts_ok),
                age,
            });
            log.say(|| format!("the cookie checks: B opens IRS={} ISS={}", t.irs.0, t.iss.0));
            w.server = Some(conn);
            return;
        }
        if seg.has(Ctl::ACK) && !seg.has(Ctl::RST) {
            let iss = Seq(seg.ack.0.wrapping_sub(1));
            if f.forged {
                w.forged_refused = true;
            } else if w
                .answered
                .iter()
                .any(|(c, at)| *c == iss && w.counter >= at + 2)
            {
                w.stale_refused = true;
            }
            log.say(|| "the cookie does not check: B answers as LISTEN does".into());
        }
        if let Some(rst) = reset_for(seg, &cfg) {
            w.net.push(Flight {
                to_listener: false,
                forged: false,
                seg: rst,
            });
        }
    }

    /// One transition, narrated into `log`.
    pub fn step(&self, w: &World, action: Action, log: &mut Log) -> Option<World> {
        let mut n = w.clone();
        match action {
            Action::Deliver(i) => {
                let f = n.net.remove(i);
                log.say(|| {
                    let to = if f.to_listener { "B" } else { "A" };
                    format!("{} arrives at {to}", Self::label(&f))
                });
                if !f.to_listener {
                    n.client.on_segment(NOW, &f.seg);
                } else if let Some(s) = &mut n.server {
                    s.on_segment(NOW, &f.seg);
                } else {
                    self.listener(&mut n, &f, log);
                }
            }
            Action::Lose(i) => {
                n.losses -= 1;
                let f = n.net.remove(i);
                log.say(|| format!("the network loses {}", Self::label(&f)));
            }
            Action::Dup(i) => {
                n.dups -= 1;
                let f = n.net[i].clone();
                log.say(|| format!("the network duplicates {}", Self::label(&f)));
                n.net.push(f);
            }
            Action::Tick => {
                n.ticks -= 1;
                n.counter += 1;
                log.say(|| format!("B's cookie counter advances to {}", n.counter));
            }
            Action::Forge => {
                n.forgeries -= 1;
                let seg = Self::forged(n.counter);
                log.say(|| format!("X forges {seg} from A's address"));
                n.net.push(Flight {
                    to_listener: true,
                    forged: true,
                    seg,
                });
            }
            Action::ClientTimer => {
                n.client.expire(NOW, Timer::Retransmit);
                log.say(|| "A's retransmission timer fires".into());
            }
        }
        Self::drain(&mut n);
        Some(n)
    }
}

impl Model for CookieModel {
    type State = World;
    type Action = Action;

    fn init_states(&self) -> Vec<World> {
        (0..2)
            .map(|scenario| {
                let mut client = Connection::new(client_config(scenario));
                // A new connection in CLOSED accepts an active OPEN.
                let _ = client.open_active(NOW, CLIENT_ISN);
                let mut w = World {
                    scenario,
                    client,
                    server: None,
                    net: Vec::new(),
                    counter: 100,
                    answered: Vec::new(),
                    opened: None,
                    forged_refused: false,
                    stale_refused: false,
                    losses: 1,
                    dups: 1,
                    ticks: 2,
                    forgeries: 1,
                };
                Self::drain(&mut w);
                w
            })
            .collect()
    }

    fn actions(&self, w: &World, out: &mut Vec<Action>) {
        for i in 0..w.net.len() {
            out.push(Action::Deliver(i));
            if w.losses > 0 {
                out.push(Action::Lose(i));
            }
            if w.dups > 0 {
                out.push(Action::Dup(i));
            }
        }
        if w.ticks > 0 {
            out.push(Action::Tick);
        }
        if w.forgeries > 0 {
            out.push(Action::Forge);
        }
        if w.client.timer(Timer::Retransmit).is_some() {
            out.push(Action::ClientTimer);
        }
    }

    fn next_state(&self, w: &World, action: Action) -> Option<World> {
        self.step(w, action, &mut Log::off())
    }

    fn properties(&self) -> Vec<Property<Self>> {
        table::properties(PROPS)
    }

    fn format_action(&self, action: &Action) -> String {
        format!("{action:?}")
    }

    fn format_step(&self, last: &World, action: Action) -> Option<String> {
        let mut log = Log::on();
        self.step(last, action, &mut log);
        Some(log.text())
    }

    fn as_svg(&self, path: Path<World, Action>) -> Option<String> {
        Some(self.svg(&path.into_vec()))
    }
}

impl CookieModel {
    fn svg(&self, path: &[(World, Option<Action>)]) -> String {
        let first = &path.first().expect("a path has a state").0;
        let mut off = Vec::new();
        if !self.rules.verify_mac {
            off.push("cookie-mac");
        }
        if !self.rules.reject_old_slots {
            off.push("cookie-slot-age");
        }
        let mut l = Ladder {
            title: "syn-cookie: a stateless listener's SYN cookies (RFC 4987 §3.6)".into(),
            header: vec![
                scenario(first.scenario).into(),
                "bounds: losses 1, dups 1, slot ticks 2, forgeries 1".into(),
                diagram::off_line(&off),
            ],
            lanes: vec![
                "A (client)".into(),
                "B (listener)".into(),
                "X (attacker)".into(),
            ],
            ..Ladder::default()
        };
        let msg = |f: &Flight| Msg {
            from: if f.forged {
                2
            } else if f.to_listener {
                0
            } else {
                1
            },
            to: if f.to_listener { 1 } else { 0 },
            sent: None,
            end: End::InFlight,
            ink: if f.forged { Ink::Bad } else { Ink::Good },
            dashed: false,
            label: Self::label(f),
            fork: None,
        };
        let mut track = Tracker::start(&mut l, &first.net, msg);
        let side = |w: &World| {
            let b = match &w.server {
                Some(s) => s.state().name().to_string(),
                None => "LISTEN (no TCB)".into(),
            };
            (w.client.state().name().to_string(), b)
        };
        let (left, right) = side(first);
        l.rows.push(LadderRow {
            left,
            right,
            notes: vec![Note::new(Ink::Network, "start: A's SYN in flight")],
            rule: None,
        });
        for k in 1..path.len() {
            let (prev, action) = (&path[k - 1].0, path[k - 1].1);
            let w = &path[k].0;
            let row = k;
            let mut notes = Vec::new();
            if let Some(a) = action {
                match a {
                    Action::Deliver(i) => {
                        track.end(&mut l, &prev.net[i], End::Arrived(row));
                    }
                    Action::Lose(i) => {
                        track.end(&mut l, &prev.net[i], End::Lost(row));
                    }
                    Action::Dup(i) => track.fork(&mut l, &prev.net[i], row),
                    _ => {}
                }
                let mut log = Log::on();
                self.step(prev, a, &mut log);
                notes.extend(log.lines().into_iter().map(|t| Note::new(Ink::Network, t)));
            }
            track.sync(&mut l, &w.net, row, msg);
            let (left, right) = side(w);
            l.rows.push(LadderRow {
                left,
                right,
                notes,
                rule: None,
            });
        }
        let last = &path.last().expect("a path has a state").0;
        l.footer = diagram::table_verdicts(self, PROPS, last);
        diagram::svg(&l)
    }
}

/// What a scenario shows.
fn scenario(s: u8) -> &'static str {
    match s {
        0 => "A offers MSS 1460, window scale, SACK-permitted and timestamps; B's backlog is full",
        _ => "A offers only an MSS of 1400 (no timestamps); B's backlog is full",
    }
}

impl Render for CookieModel {
    fn render(&self, path: &[(World, Option<Action>)]) -> Vec<String> {
        let title = scenario(path.first().map_or(0, |(w, _)| w.scenario));
        let steps = path
            .iter()
            .filter_map(|(w, a)| a.and_then(|a| self.format_step(w, a)));
        diagram::numbered(title, steps)
    }
}

const PROPS: &[Prop<CookieModel>] = &[
    Prop {
        kind: Kind::Always,
        name: "cookie-opens-what-syn-asked",
        meaning: "a connection B opens from a cookie has A's ISN as IRS, a cookie B sent as ISS, \
                  A's MSS rounded down to the cookie table, and the options A offered when \
                  timestamps carry them (none otherwise)",
        condition: |_, w| {
            w.opened.is_none_or(|o| {
                let (mss, options) = asked(w.scenario);
                o.irs == CLIENT_ISN
                    && w.answered.iter().any(|(c, _)| *c == o.iss)
                    && o.mss == mss
                    && o.options == options
            })
        },
    },
    Prop {
        kind: Kind::Always,
        name: "no-stale-cookie",
        meaning: "B opens no connection on a cookie made more than one slot before",
        condition: |_, w| w.opened.is_none_or(|o| o.age.is_none_or(|a| a <= 1)),
    },
    Prop {
        kind: Kind::Sometimes,
        name: "cookie-established",
        meaning: "both ends are ESTABLISHED, B's from a cookie",
        condition: |_, w| {
            w.client.state() == State::Established
                && w.server
                    .as_ref()
                    .is_some_and(|s| s.state() == State::Established)
        },
    },
    Prop {
        kind: Kind::Sometimes,
        name: "options-survive",
        meaning: "a cookie connection has window scaling and SACK (A's SYN carried timestamps)",
        condition: |_, w| w.opened.is_some_and(|o| o.options.0 > 0 && o.options.1),
    },
    Prop {
        kind: Kind::Sometimes,
        name: "forged-ack-refused",
        meaning: "X's forged ACK reaches B's listener and opens nothing",
        condition: |_, w| w.forged_refused,
    },
    Prop {
        kind: Kind::Sometimes,
        name: "stale-cookie-refused",
        meaning: "A's ACK of a cookie arrives two slots late and opens nothing",
        condition: |_, w| w.stale_refused,
    },
];

fn model(without: &[&'static str]) -> CookieModel {
    CookieModel {
        rules: CookieRules {
            verify_mac: !without.contains(&"cookie-mac"),
            reject_old_slots: !without.contains(&"cookie-slot-age"),
        },
    }
}

/// The registry entry.
pub const SPEC: ModelSpec = ModelSpec {
    name: "syn-cookie",
    summary: "RFC 4987 §3.6: a stateless listener answers with SYN cookies; the ACK of a cookie \
              opens exactly the connection the SYN asked for, over a lossy, duplicating \
              network with an off-path forger",
    properties: || table::infos(PROPS),
    ablations: &[
        Ablation {
            mechanism: "cookie-mac",
            breaks: "cookie-opens-what-syn-asked",
            also_breaks: &[],
            hides: &[],
            reveals: &[],
            reference: "RFC 4987 §3.6 (the cookie's hash over the addresses, ports and a \
                        secret)",
            hazard: "an off-path attacker's ACK with a guessed cookie opens a connection no \
                     SYN asked for, from a forged address",
            bounds: Bounds::NONE,
        },
        Ablation {
            mechanism: "cookie-slot-age",
            breaks: "no-stale-cookie",
            also_breaks: &[],
            hides: &["stale-cookie-refused"],
            reveals: &[],
            reference: "RFC 4987 §3.6 (t, a slowly incrementing counter, bounds a cookie's \
                        life)",
            hazard: "an ACK delayed or replayed long after its SYN still opens a connection",
            bounds: Bounds::NONE,
        },
    ],
    expect_violated: &[],
    bounds: &[],
    premises: super::any_bounds,
    check: |without, _, opts: RunOptions| {
        run_spec(&SPEC, without, Bounds::NONE, model(without), opts)
    },
};

impl crate::models::explorer::Explain for CookieModel {
    /// A segment's direction and header in RFC 9293 notation (`A → B <SEQ=..><CTL=SYN>`,
    /// `lose ...`, `duplicate ...`), X's forgery with the segment it sends, B's counter slot
    /// and A's timer in words.
    fn explain(&self, w: &World, action: &Action) -> String {
        let flight = |i: usize| w.net.get(i).map_or_else(String::new, Self::flight_text);
        match *action {
            Action::Deliver(i) => flight(i),
            Action::Lose(i) => format!("lose {}", flight(i)),
            Action::Dup(i) => format!("duplicate {}", flight(i)),
            Action::Tick => format!(
                "B's cookie counter advances to {} (one 64 s slot passes)",
                w.counter + 1
            ),
            Action::Forge => format!(
                "X → B {} (forged in A's name, the cookie guessed)",
                Self::forged(w.counter)
            ),
            Action::ClientTimer => "A: retransmission timer expires".to_string(),
        }
    }
}

fn endpoint(f: &mut fmt::Formatter<'_>, name: &str, c: &Connection) -> fmt::Result {
    let t = c.tcb();
    write!(f, "{name}: {:<12}", t.state.name())?;
    write!(
        f,
        " ISS={} SND.UNA={} SND.NXT={} SND.WND={} IRS={} RCV.NXT={} RCV.WND={}",
        t.iss, t.snd_una, t.snd_nxt, t.snd_wnd, t.irs, t.rcv_nxt, t.rcv_wnd
    )?;
    if c.timer(Timer::Retransmit).is_some() {
        write!(f, "; retransmission timer armed")?;
    }
    writeln!(f)
}

/// The compact view the Explorer shows (`{:#?}`): the scenario, A's and B's RFC state and
/// variables, B's cookie counter and the cookies it sent, what a cookie opened B's connection
/// with, what B refused, the segments in flight and the budgets left.
impl fmt::Debug for World {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "scenario: {}", scenario(self.scenario))?;
        endpoint(f, "A", &self.client)?;
        match &self.server {
            Some(s) => endpoint(f, "B", s)?,
            None => writeln!(
                f,
                "B: LISTEN with a full backlog: SYNs answered with cookies"
            )?,
        }
        let cookies: Vec<String> = self
            .answered
            .iter()
            .map(|(c, slot)| format!("{c} (slot {slot})"))
            .collect();
        writeln!(
            f,
            "B's cookie counter: slot {}; cookies sent: {}",
            self.counter,
            if cookies.is_empty() {
                "none".to_string()
            } else {
                cookies.join(", ")
            }
        )?;
        if let Some(o) = &self.opened {
            let (shift, sack, ts) = o.options;
            let age = match o.age {
                Some(a) => format!("a cookie B made {a} slot(s) before"),
                None => "a cookie B never made".to_string(),
            };
            writeln!(
                f,
                "B opened with IRS={} ISS={} MSS={} window shift {shift}, SACK {sack}, \
                 timestamps {ts}: {age}",
                o.irs, o.iss, o.mss
            )?;
        }
        if self.forged_refused {
            writeln!(f, "B refused X's forged ACK")?;
        }
        if self.stale_refused {
            writeln!(f, "B refused the ACK of a cookie grown too old")?;
        }
        if self.net.is_empty() {
            writeln!(f, "in flight: nothing")?;
        } else {
            writeln!(f, "in flight:")?;
            for x in &self.net {
                writeln!(f, "   {}", CookieModel::flight_text(x))?;
            }
        }
        write!(
            f,
            "budgets: losses {}, dups {}, slot ticks {}, forgeries {}",
            self.losses, self.dups, self.ticks, self.forgeries
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(without: &[&'static str]) -> super::super::runner::CheckReport {
        (SPEC.check)(
            without,
            Bounds::NONE,
            RunOptions {
                threads: 1,
                progress: false,
                ..Default::default()
            },
        )
    }

    #[test]
    fn the_full_model_and_each_ablation_are_as_expected_and_of_the_pinned_size() {
        // Both ends run CUBIC (Config::with_extensions): the controller's state is part of
        // every connection's (113,150 / 98,049 / 99,657 before congestion control landed).
        let runs: [(&[&'static str], usize); 3] = [
            (&[], 115_437),
            (&["cookie-mac"], 100_163),
            (&["cookie-slot-age"], 101_673),
        ];
        for (without, states) in runs {
            let r = check(without);
            assert!(r.exhaustive, "{without:?}");
            assert!(r.as_expected, "{without:?}: {r:#?}");
            assert_eq!(
                r.unique_states, states,
                "{without:?}: the state space changed"
            );
        }
    }

    #[test]
    fn without_the_mac_a_forged_ack_opens_a_connection_no_syn_asked_for() {
        let r = check(&["cookie-mac"]);
        let p = r
            .properties
            .iter()
            .find(|p| p.name == "cookie-opens-what-syn-asked")
            .unwrap();
        let ladder = p.ladder.as_ref().expect("a counterexample").join("\n");
        assert!(ladder.contains("X forges"), "{ladder}");
        assert!(ladder.contains("B opens IRS=1342177280"), "{ladder}");
    }
}
