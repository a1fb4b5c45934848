//! Rendering paths of the TCP models: ladders in RFC 9293 figure notation for the terminal,
//! and SVG sequence diagrams for stateright's Explorer.
//!
//! A ladder line shows the step number, A's state after the step, what crossed the network,
//! and B's state after the step. `-->` and `<--` give the direction; `...` marks a segment
//! still in flight (sent, not yet delivered); `(lost)`, `(duplicated)`, `(old)` and
//! `(tick)` mark what the network and time did.

use super::TcpModel;
use super::properties::Prop;
use super::world::{Action, Facts, Flight, Peer, Side, World, octet_origin, text_octet};
use crate::models::cached::Cached;
use crate::models::diagram::{End, Ink, Ladder, LadderRow, Msg, Note, Tracker, verdicts};
use crate::tcp::{Ctl, Segment};

const STATE_W: usize = 13;
const MID_W: usize = 52;

fn tag(f: &Flight) -> &'static str {
    if f.incarnation == 0 { " (old)" } else { "" }
}

/// One line describing a step (used by the Explorer and the JSON counterexample).
pub fn describe(last: &World, action: &Action) -> String {
    match *action {
        Action::Open(s) => {
            let how = if last.peer(s).passive {
                "passive"
            } else {
                "active"
            };
            format!("{s}: user calls OPEN ({how})")
        }
        Action::Close(s) => format!("{s}: user calls CLOSE"),
        Action::Send(s) => format!("{s}: user calls SEND"),
        Action::Deliver(i) => {
            let f = &last.net[i];
            format!(
                "{} receives {}{} from {}",
                f.from.peer(),
                f.seg,
                tag(f),
                f.from
            )
        }
        Action::DeliverDuplicate(i) => {
            let f = &last.net[i];
            format!(
                "{} receives {}{} from {}, and a duplicate stays in flight",
                f.from.peer(),
                f.seg,
                tag(f),
                f.from
            )
        }
        Action::Lose(i) => format!("network loses {}{}", last.net[i].seg, tag(&last.net[i])),
        Action::Duplicate(i) => {
            format!(
                "network duplicates {}{}",
                last.net[i].seg,
                tag(&last.net[i])
            )
        }
        Action::Delay(i) => format!("network delays {}{}", last.net[i].seg, tag(&last.net[i])),
        Action::Tick => "one tick passes".to_string(),
        Action::Retransmit(s) => format!("{s}: retransmission timer expires"),
        Action::TimeWaitExpires(s) => format!("{s}: TIME-WAIT timer expires"),
        Action::Forge(s, kind) => match kind.segment(last.peer(s).tcb()) {
            Some(seg) => format!(
                "{s} receives {seg} (forged) from an attacker as {}",
                s.peer()
            ),
            None => format!("attacker forges nothing against {s}"),
        },
    }
}

fn arrow(from: Side, seg: &Segment, note: &str, delivered: bool) -> String {
    let body = format!("{seg}{note}");
    match (from, delivered) {
        (Side::A, true) => format!("--> {body} -->"),
        (Side::A, false) => format!("--> {body} ..."),
        (Side::B, true) => format!("<-- {body} <--"),
        (Side::B, false) => format!("... {body} <--"),
    }
}

fn row(n: Option<usize>, a: &str, mid: &str, b: &str) -> String {
    let num = n.map(|n| format!("{n}.")).unwrap_or_default();
    let line = format!("{num:<4}{a:<STATE_W$} {mid:<MID_W$} {b}");
    line.trim_end().to_string()
}

/// New segments put in flight by the step from `last` to `next`.
fn sent(last: &World, next: &World, skip: Option<&Flight>) -> Vec<Flight> {
    let mut before = last.net.clone();
    if let Some(i) = skip.and_then(|f| before.iter().position(|x| **x == *f)) {
        before.remove(i);
    }
    let mut out = Vec::new();
    for f in &next.net {
        if let Some(i) = before.iter().position(|x| x == f) {
            before.remove(i);
        } else {
            out.push(Flight::clone(f));
        }
    }
    out
}

/// A path as a ladder in RFC 9293 figure notation.
pub fn ladder(path: &[(World, Option<Action>)]) -> Vec<String> {
    let mut lines = vec![row(None, "TCP Peer A", "", "TCP Peer B")];
    let Some((first, _)) = path.first() else {
        return lines;
    };
    let st = |w: &World, s: Side| w.peer(s).tcb().state.name().to_string();
    lines.push(row(Some(1), &st(first, Side::A), "", &st(first, Side::B)));
    for f in &first.net {
        lines.push(row(None, "", &arrow(f.from, &f.seg, tag(f), false), ""));
    }
    for (k, pair) in path.windows(2).enumerate() {
        let (last, Some(action)) = (&pair[0].0, &pair[0].1) else {
            continue;
        };
        let next = &pair[1].0;
        let (a, b) = (st(next, Side::A), st(next, Side::B));
        let n = Some(k + 2);
        let delivered = match action {
            Action::Deliver(i) => Some(Flight::clone(&last.net[*i])),
            _ => None,
        };
        let mid = match *action {
            Action::Deliver(i) => {
                let f = &last.net[i];
                arrow(f.from, &f.seg, tag(f), true)
            }
            Action::DeliverDuplicate(i) => {
                let f = &last.net[i];
                arrow(
                    f.from,
                    &f.seg,
                    &format!("{} (a duplicate stays)", tag(f)),
                    true,
                )
            }
            Action::Forge(s, kind) => match kind.segment(last.peer(s).tcb()) {
                Some(seg) => arrow(s.peer(), &seg, " (forged)", true),
                None => format!("({})", describe(last, action)),
            },
            Action::Lose(i) => {
                let f = &last.net[i];
                let body = format!("{}{} (lost)", f.seg, tag(f));
                if f.from == Side::A {
                    format!("--> {body}")
                } else {
                    format!("{body} <--")
                }
            }
            _ => format!("({})", describe(last, action)),
        };
        lines.push(row(n, &a, &mid, &b));
        if let Some(note) = delivery_note(action, last, next) {
            lines.push(row(None, "", &note, ""));
        }
        if matches!(action, Action::Duplicate(_) | Action::Delay(_)) {
            continue;
        }
        for f in sent(last, next, delivered.as_ref()) {
            lines.push(row(None, "", &arrow(f.from, &f.seg, tag(&f), false), ""));
        }
    }
    lines
}

/// `(B's user receives "ab")`, naming the sender's incarnation when it is not the one the
/// receiver's connection synchronized with, and saying so when text is from no user's script
/// (an old duplicate SYN's, an attacker's).
/// What the receiving user got in the step `last --action--> next`, as a note, if anything:
/// one reading for the text ladder and the SVG.
fn delivery_note(action: &Action, last: &World, next: &World) -> Option<String> {
    let to = match action {
        Action::Deliver(i) => last.net[*i].from.peer(),
        Action::Forge(s, _) => *s,
        _ => return None,
    };
    let (before, after) = (&last.peer(to).received, &next.peer(to).received);
    (after.len() > before.len() && after.starts_with(before))
        .then(|| received_note(to, &after[before.len()..], next.peer(to)))
}

fn received_note(to: Side, text: &[u8], receiver: &Peer) -> String {
    let incarnation = receiver.incarnation;
    let shown: String = text.iter().map(|b| char::from(*b)).collect();
    let mut odd: Vec<String> = text
        .iter()
        .filter_map(|b| octet_origin(*b))
        .filter(|(_, inc)| *inc != receiver.peer_incarnation)
        .map(|(side, inc)| format!("text of {side}'s incarnation {inc}"))
        .collect();
    if text.iter().any(|b| octet_origin(*b).is_none()) {
        odd.push("text no user sent in this run".to_string());
    }
    if odd.is_empty() {
        format!("({to}'s user receives \"{shown}\")")
    } else {
        format!(
            "({to}'s user receives \"{shown}\" in incarnation {incarnation}: {})",
            odd.join(", ")
        )
    }
}

/// The colour of a segment: RST, SYN, FIN, text, or a bare ACK.
pub fn ink(seg: &Segment) -> Ink {
    if seg.has(Ctl::RST) {
        Ink::Rst
    } else if seg.has(Ctl::SYN) {
        Ink::Syn
    } else if seg.has(Ctl::FIN) {
        Ink::Fin
    } else if !seg.data.is_empty() {
        Ink::Data
    } else {
        Ink::Ack
    }
}

/// `A → B <SEQ=..>...`, with `(old)` for an earlier incarnation's.
pub fn flight_text(f: &Flight) -> String {
    format!("{} \u{2192} {} {}{}", f.from, f.from.peer(), f.seg, tag(f))
}

fn lane(s: Side) -> usize {
    if s == Side::A { 0 } else { 1 }
}

fn msg(f: &Flight) -> Msg {
    Msg {
        from: lane(f.from),
        to: lane(f.from.peer()),
        sent: None,
        end: End::InFlight,
        ink: ink(&f.seg),
        dashed: f.incarnation == 0,
        label: flight_text(f),
        fork: None,
    }
}

/// What the user of `s` was told in this step, from the facts that became true.
fn told(last: &World, next: &World, s: Side) -> Vec<Note> {
    let (before, after) = (last.peer(s).facts, next.peer(s).facts);
    let mut out = Vec::new();
    for (f, what) in [
        (Facts::RESET, "connection reset"),
        (Facts::REFUSED, "connection refused"),
        (Facts::TIMED_OUT, "connection timed out"),
        (Facts::CLOSED_NORMALLY, "connection closed (TCB deleted)"),
    ] {
        if after.has(f) && !before.has(f) {
            let ink = if f == Facts::CLOSED_NORMALLY {
                Ink::User
            } else {
                Ink::Rst
            };
            out.push(Note::new(ink, format!("{s}'s user is told: {what}")));
        }
    }
    out
}

/// A path as a ladder for the Explorer: A's and B's lifelines, one numbered row per state,
/// every segment a line from the row it was sent to the row it arrived (or was lost, or
/// trails off still in flight), user calls, deliveries and timers as notes, a rule at each
/// new incarnation, the model's name, bounds and ablations above, its properties below.
pub fn ladder_svg(model: &TcpModel, path: &[(World, Option<Action>)]) -> Ladder {
    let mut l = Ladder {
        title: model.title(),
        header: model.header(),
        lanes: vec!["TCP Peer A".into(), "TCP Peer B".into()],
        ..Ladder::default()
    };
    let Some((first, _)) = path.first() else {
        return l;
    };
    let st = |w: &World, s: Side| w.peer(s).tcb().state.name().to_string();
    let mut row0 = LadderRow {
        left: st(first, Side::A),
        right: st(first, Side::B),
        notes: vec![Note::new(Ink::Plain, "initial state")],
        rule: None,
    };
    for f in &first.net {
        row0.notes.push(Note::new(
            ink(&f.seg),
            format!("in flight from the start: {}", flight_text(f)),
        ));
    }
    l.rows.push(row0);
    let mut tracker = Tracker::start(&mut l, &first.net, |f: &Cached<Flight>| msg(f));
    for (k, pair) in path.windows(2).enumerate() {
        let (last, Some(action)) = (&pair[0].0, &pair[0].1) else {
            continue;
        };
        let next = &pair[1].0;
        let row = k + 1;
        let mut notes = Vec::new();
        let mut rule = None;
        match *action {
            Action::Deliver(i) => {
                let f = &last.net[i];
                tracker.end(&mut l, f, End::Arrived(row));
                notes.push(Note::new(
                    ink(&f.seg),
                    format!("{} arrives", flight_text(f)),
                ));
            }
            Action::Lose(i) => {
                let f = &last.net[i];
                tracker.end(&mut l, f, End::Lost(row));
                notes.push(Note::new(
                    Ink::Network,
                    format!("network loses {}", flight_text(f)),
                ));
            }
            Action::DeliverDuplicate(i) => {
                let f = &last.net[i];
                tracker.fork(&mut l, f, row);
                tracker.end(&mut l, f, End::Arrived(row));
                notes.push(Note::new(
                    ink(&f.seg),
                    format!("{} arrives; a duplicate stays in flight", flight_text(f)),
                ));
            }
            Action::Duplicate(i) => {
                let f = &last.net[i];
                tracker.fork(&mut l, f, row);
                notes.push(Note::new(
                    Ink::Network,
                    format!("network duplicates {}", flight_text(f)),
                ));
            }
            Action::Delay(i) => {
                let f = &last.net[i];
                let g = Cached::new(Flight {
                    delayed: true,
                    ..Flight::clone(f)
                });
                tracker.retag(f, &g);
                notes.push(Note::new(
                    Ink::Network,
                    format!("network delays {} past the next tick", flight_text(f)),
                ));
            }
            Action::Tick => {
                tracker.map_all(|f| {
                    Cached::new(Flight {
                        age: f.age + 1,
                        ..Flight::clone(f)
                    })
                });
                notes.push(Note::new(Ink::Network, "one tick passes"));
            }
            Action::Forge(s, kind) => match kind.segment(last.peer(s).tcb()) {
                Some(seg) => {
                    l.msgs.push(Msg {
                        from: lane(s.peer()),
                        to: lane(s),
                        sent: Some(row),
                        end: End::Arrived(row),
                        ink: Ink::Rst,
                        dashed: true,
                        label: format!("attacker as {} \u{2192} {s} {seg} (forged)", s.peer()),
                        fork: None,
                    });
                    notes.push(Note::new(
                        Ink::Rst,
                        format!(
                            "attacker, as {}, \u{2192} {s} {seg} (forged) arrives",
                            s.peer()
                        ),
                    ));
                }
                None => notes.push(Note::new(Ink::Network, describe(last, action))),
            },
            Action::Open(s) | Action::Close(s) | Action::Send(s) => {
                if matches!(action, Action::Open(_)) && next.peer(s).incarnation >= 2 {
                    rule = Some(format!(
                        "{s} opens incarnation {}",
                        next.peer(s).incarnation
                    ));
                }
                let mut text = describe(last, action);
                if matches!(action, Action::Send(_)) {
                    let (before, after) = (last.peer(s).sent, next.peer(s).sent);
                    let inc = next.peer(s).incarnation;
                    let octets: String = (before..after)
                        .map(|i| char::from(text_octet(s, inc, i)))
                        .collect();
                    text += &format!(" \"{octets}\"");
                }
                notes.push(Note::new(Ink::User, text));
            }
            Action::Retransmit(_) | Action::TimeWaitExpires(_) => {
                notes.push(Note::new(Ink::Timer, describe(last, action)));
            }
        }
        if let Some(note) = delivery_note(action, last, next) {
            let note = note.trim_start_matches('(').trim_end_matches(')');
            notes.push(Note::new(Ink::Deliver, note));
        }
        for s in [Side::A, Side::B] {
            notes.extend(told(last, next, s));
        }
        for id in tracker.sync(&mut l, &next.net, row, |f: &Cached<Flight>| msg(f)) {
            let m = &l.msgs[id];
            notes.push(Note::new(m.ink, format!("{} sent", m.label)));
        }
        l.rows.push(LadderRow {
            left: st(next, Side::A),
            right: st(next, Side::B),
            notes,
            rule,
        });
    }
    if let Some((end, _)) = path.last() {
        if let Some(r) = l.rows.last_mut() {
            for f in &end.net {
                let text = format!("still in flight: {}", flight_text(f));
                r.notes.push(Note::new(Ink::Network, text));
            }
        }
        l.footer = verdicts(
            Prop::table(model.scenario)
                .iter()
                .map(|p| (p.kind, p.name, p.meaning, (p.condition)(model, end))),
        );
    }
    l
}
