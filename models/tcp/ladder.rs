//! Rendering paths of the TCP models: ladders in RFC 9293 figure notation for the terminal,
//! and SVG sequence diagrams for stateright's Explorer.
//!
//! A ladder line shows the step number, A's state after the step, what crossed the network,
//! and B's state after the step. `-->` and `<--` give the direction; `...` marks a segment
//! still in flight (sent, not yet delivered); `(lost)`, `(duplicated)`, `(old)` and
//! `(tick)` mark what the network and time did.

use super::world::{Action, Flight, Peer, Side, World, octet_origin};
use crate::tcp::Segment;

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
    if let Some(i) = skip.and_then(|f| before.iter().position(|x| x == f)) {
        before.remove(i);
    }
    let mut out = Vec::new();
    for f in &next.net {
        if let Some(i) = before.iter().position(|x| x == f) {
            before.remove(i);
        } else {
            out.push(f.clone());
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
            Action::Deliver(i) => Some(last.net[*i].clone()),
            _ => None,
        };
        let mid = match *action {
            Action::Deliver(i) => {
                let f = &last.net[i];
                arrow(f.from, &f.seg, tag(f), true)
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
        let receiver = match action {
            Action::Deliver(i) => Some(last.net[*i].from.peer()),
            Action::Forge(s, _) => Some(*s),
            _ => None,
        };
        if let Some(to) = receiver {
            let (before, after) = (&last.peer(to).received, &next.peer(to).received);
            if after.len() > before.len() && after.starts_with(before) {
                let note = received_note(to, &after[before.len()..], next.peer(to));
                lines.push(row(None, "", &note, ""));
            }
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

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// A sequence diagram of a path for the Explorer: A's and B's lifelines, one row per step,
/// deliveries as arrows labelled in RFC notation, states written beside the lifelines.
pub fn svg(path: &[(World, Option<Action>)]) -> String {
    let (xa, xb, top, dy) = (160, 640, 40, 28);
    let h = top + dy * (path.len() + 1);
    let mut s = format!(
        "<svg version='1.1' baseProfile='full' width='800' height='{h}' \
         xmlns='http://www.w3.org/2000/svg' font-family='monospace' font-size='12'>\
         <defs><marker id='arrow' markerWidth='10' markerHeight='8' refX='10' refY='4' \
         orient='auto'><path d='M0,0 L10,4 L0,8 z'/></marker></defs>\
         <text x='{xa}' y='20' text-anchor='middle'>TCP Peer A</text>\
         <text x='{xb}' y='20' text-anchor='middle'>TCP Peer B</text>\
         <line x1='{xa}' y1='{top}' x2='{xa}' y2='{h}' stroke='black'/>\
         <line x1='{xb}' y1='{top}' x2='{xb}' y2='{h}' stroke='black'/>"
    );
    for (k, (w, action)) in path.iter().enumerate() {
        let y = top + dy * (k + 1);
        s += &format!(
            "<text x='{}' y='{y}' text-anchor='end'>{}</text><text x='{}' y='{y}'>{}</text>",
            xa - 6,
            w.a.tcb().state.name(),
            xb + 6,
            w.b.tcb().state.name()
        );
        let Some(action) = action else { continue };
        let y2 = y + dy;
        let label = esc(&describe(w, action));
        match *action {
            Action::Deliver(i) => {
                let (x1, x2) = if w.net[i].from == Side::A {
                    (xa, xb)
                } else {
                    (xb, xa)
                };
                s += &format!(
                    "<line x1='{x1}' y1='{y}' x2='{x2}' y2='{y2}' stroke='blue' \
                     marker-end='url(#arrow)'/><text x='400' y='{}' text-anchor='middle' \
                     fill='blue'>{}</text>",
                    y + dy / 2 - 2,
                    esc(&format!("{}{}", w.net[i].seg, tag(&w.net[i])))
                );
            }
            _ => {
                s += &format!(
                    "<text x='400' y='{}' text-anchor='middle' fill='gray'>{label}</text>",
                    y + dy / 2 - 2
                );
            }
        }
    }
    s + "</svg>"
}
