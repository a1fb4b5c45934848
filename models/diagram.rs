//! Ladders for stateright's Explorer (each model's `as_svg`), shared by every model, and the
//! narration of a step, which both the text traces and the ladders are made of.
//!
//! A [`Ladder`] has one numbered row per state of a path (row 1 the initial state, row k+1 the
//! state after step k), one lifeline per station, and every message a sloped line from the
//! row where it was sent to the row where it arrived: lost ones end in a cross, duplicates
//! fork from their original, ones still in flight trail off at the bottom, old ones are
//! dashed. All text sits outside the lifelines: step numbers and the left station's state on
//! the left, the right station's state and the step's events on the right, so that no line
//! crosses a label. The canvas is as wide as its longest label (monospace metrics), the
//! background light and every ink at least 4.5:1 against it (tests check all three).
//! Labels are escaped (stateright-notes 10: SVG labels are not).

use std::fmt::Write as _;

/// Width of one character of the 12 px monospace font, with a margin (DejaVu Sans Mono, the
/// usual monospace font, advances 0.602 em).
pub const CHAR_W: f64 = 7.4;
/// Height of a text line.
pub const LINE_H: f64 = 16.0;
/// The ladder's background (light: the Explorer's own is dark navy).
pub const BACKGROUND: &str = "#fbfaf4";

/// What a line or a note shows, and so its colour.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Ink {
    /// Ordinary text.
    Plain,
    /// A SYN (or an echo request).
    Syn,
    /// A FIN.
    Fin,
    /// A RST, an ICMP error, a forgery: something that breaks or warns.
    Rst,
    /// A segment or datagram carrying data.
    Data,
    /// A bare acknowledgment or reply.
    Ack,
    /// A user call.
    User,
    /// A timer firing.
    Timer,
    /// Text delivered to a user.
    Deliver,
    /// What the network or time did.
    Network,
    /// A property that holds.
    Good,
    /// A property that is violated.
    Bad,
}

impl Ink {
    /// Every ink, for the contrast test.
    pub const ALL: [Ink; 12] = [
        Ink::Plain,
        Ink::Syn,
        Ink::Fin,
        Ink::Rst,
        Ink::Data,
        Ink::Ack,
        Ink::User,
        Ink::Timer,
        Ink::Deliver,
        Ink::Network,
        Ink::Good,
        Ink::Bad,
    ];

    /// Its colour.
    pub fn colour(self) -> &'static str {
        match self {
            Ink::Plain => "#1b1b1b",
            Ink::Syn => "#0b4f9c",
            Ink::Fin => "#6a2a8c",
            Ink::Rst => "#b3001b",
            Ink::Data => "#1d6b22",
            Ink::Ack => "#3b3b3b",
            Ink::User => "#7a4500",
            Ink::Timer => "#8a3d00",
            Ink::Deliver => "#00665c",
            Ink::Network => "#545454",
            Ink::Good => "#1d6b22",
            Ink::Bad => "#b3001b",
        }
    }

    fn name(self) -> &'static str {
        match self {
            Ink::Plain => "plain",
            Ink::Syn => "syn",
            Ink::Fin => "fin",
            Ink::Rst => "rst",
            Ink::Data => "data",
            Ink::Ack => "ack",
            Ink::User => "user",
            Ink::Timer => "timer",
            Ink::Deliver => "deliver",
            Ink::Network => "network",
            Ink::Good => "good",
            Ink::Bad => "bad",
        }
    }
}

/// WCAG 2 contrast ratio of two `#rrggbb` colours.
pub fn contrast(a: &str, b: &str) -> f64 {
    let lum = |c: &str| {
        let ch = |i: usize| {
            let v = f64::from(u8::from_str_radix(&c[i..i + 2], 16).unwrap_or(0)) / 255.0;
            if v <= 0.03928 {
                v / 12.92
            } else {
                ((v + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * ch(1) + 0.7152 * ch(3) + 0.0722 * ch(5)
    };
    let (x, y) = (lum(a), lum(b));
    (x.max(y) + 0.05) / (x.min(y) + 0.05)
}

/// Where a message ended.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum End {
    /// It arrived at this row.
    Arrived(usize),
    /// The network lost it at this row.
    Lost(usize),
    /// It is still in flight in the last state.
    InFlight,
}

/// A segment, datagram or frame.
#[derive(Clone, Debug)]
pub struct Msg {
    /// Lifeline it leaves.
    pub from: usize,
    /// Lifeline it is for.
    pub to: usize,
    /// Row where it was sent; `None`: in flight from the start.
    pub sent: Option<usize>,
    /// What became of it.
    pub end: End,
    /// Colour.
    pub ink: Ink,
    /// An old segment (of an earlier incarnation): dashed.
    pub dashed: bool,
    /// What it is (a tooltip; the events column names it in words).
    pub label: String,
    /// A duplicate: the message it was copied from, and the row where.
    pub fork: Option<(usize, usize)>,
}

/// A line of text in the events column.
#[derive(Clone, Debug)]
pub struct Note {
    /// The text.
    pub text: String,
    /// Its colour.
    pub ink: Ink,
}

impl Note {
    /// A note.
    pub fn new(ink: Ink, text: impl Into<String>) -> Note {
        Note {
            text: text.into(),
            ink,
        }
    }
}

/// One row: a state of the path.
#[derive(Clone, Debug, Default)]
pub struct LadderRow {
    /// The left station's state, written left of its lifeline.
    pub left: String,
    /// The right station's state, written right of its lifeline.
    pub right: String,
    /// What the step into this state did.
    pub notes: Vec<Note>,
    /// A rule drawn above this row (a new incarnation), with its text.
    pub rule: Option<String>,
}

/// A whole ladder.
#[derive(Clone, Debug, Default)]
pub struct Ladder {
    /// First header line (the model).
    pub title: String,
    /// Further header lines (bounds, mechanisms switched off).
    pub header: Vec<String>,
    /// The lifelines' names.
    pub lanes: Vec<String>,
    /// One per state.
    pub rows: Vec<LadderRow>,
    /// Every message.
    pub msgs: Vec<Msg>,
    /// Footer lines (each property on the last state).
    pub footer: Vec<Note>,
}

/// Tracks messages through a path of states whose network is a multiset of values `F`:
/// which message of the ladder each value in flight is.
pub struct Tracker<F> {
    live: Vec<(F, usize)>,
}

impl<F: PartialEq + Clone> Tracker<F> {
    /// Starts with what is in flight in the initial state; `msg` makes a message of a value.
    pub fn start(ladder: &mut Ladder, net: &[F], msg: impl Fn(&F) -> Msg) -> Tracker<F> {
        let mut live = Vec::new();
        for f in net {
            ladder.msgs.push(Msg {
                sent: None,
                ..msg(f)
            });
            live.push((f.clone(), ladder.msgs.len() - 1));
        }
        Tracker { live }
    }

    fn take(&mut self, f: &F) -> Option<usize> {
        let i = self.live.iter().position(|(g, _)| g == f)?;
        Some(self.live.remove(i).1)
    }

    /// The message of `f` ended at `row` (arrived or lost); its id.
    pub fn end(&mut self, ladder: &mut Ladder, f: &F, end: End) -> Option<usize> {
        let id = self.take(f)?;
        ladder.msgs[id].end = end;
        Some(id)
    }

    /// The message of `f` now has the value `g` (delayed, aged, corrupted); its id.
    pub fn retag(&mut self, f: &F, g: &F) -> Option<usize> {
        let at = self.live.iter().position(|(x, _)| x == f)?;
        self.live[at].0 = g.clone();
        Some(self.live[at].1)
    }

    /// Every value in flight changes by `f` (time passes).
    pub fn map_all(&mut self, f: impl Fn(&F) -> F) {
        for (v, _) in &mut self.live {
            *v = f(v);
        }
    }

    /// The network copied `f` at `row`: a fork of its message.
    pub fn fork(&mut self, ladder: &mut Ladder, f: &F, row: usize) {
        let Some(at) = self.live.iter().position(|(x, _)| x == f) else {
            return;
        };
        let orig = self.live[at].1;
        let copy = Msg {
            fork: Some((orig, row)),
            end: End::InFlight,
            ..ladder.msgs[orig].clone()
        };
        ladder.msgs.push(copy);
        self.live.push((f.clone(), ladder.msgs.len() - 1));
    }

    /// Reconciles with the network of the state at `row`: values not yet tracked are sent at
    /// `row` (their ids returned, in `net` order); tracked values no longer there vanished
    /// (drawn as lost).
    pub fn sync(
        &mut self,
        ladder: &mut Ladder,
        net: &[F],
        row: usize,
        msg: impl Fn(&F) -> Msg,
    ) -> Vec<usize> {
        let mut old = std::mem::take(&mut self.live);
        let mut fresh = Vec::new();
        for f in net {
            if let Some(i) = old.iter().position(|(g, _)| g == f) {
                self.live.push(old.remove(i));
            } else {
                ladder.msgs.push(Msg {
                    sent: Some(row),
                    ..msg(f)
                });
                let id = ladder.msgs.len() - 1;
                self.live.push((f.clone(), id));
                fresh.push(id);
            }
        }
        for (_, id) in old {
            ladder.msgs[id].end = End::Lost(row);
        }
        fresh
    }
}

/// A text element as laid out: what the tests measure.
#[derive(Clone, Debug)]
pub struct TextBox {
    /// Anchor x.
    pub x: f64,
    /// Baseline y.
    pub y: f64,
    /// `start`, `middle` or `end`.
    pub anchor: &'static str,
    /// The text (unescaped).
    pub text: String,
    /// Font size.
    pub size: f64,
    /// Colour.
    pub ink: Ink,
    /// Extra attributes (class, data-*).
    pub attrs: String,
    /// Bold.
    pub bold: bool,
}

impl TextBox {
    /// Left, top, right, bottom of the box the text occupies.
    pub fn bounds(&self) -> (f64, f64, f64, f64) {
        let w = self.text.chars().count() as f64 * CHAR_W * self.size / 12.0;
        let left = match self.anchor {
            "middle" => self.x - w / 2.0,
            "end" => self.x - w,
            _ => self.x,
        };
        (
            left,
            self.y - self.size * 0.8,
            left + w,
            self.y + self.size * 0.25,
        )
    }
}

/// A straight stroke as laid out.
#[derive(Clone, Debug)]
pub struct Stroke {
    /// Start.
    pub x1: f64,
    /// Start.
    pub y1: f64,
    /// End.
    pub x2: f64,
    /// End.
    pub y2: f64,
}

impl Stroke {
    /// Whether the segment meets the rectangle (left, top, right, bottom).
    pub fn crosses(&self, (l, t, r, b): (f64, f64, f64, f64)) -> bool {
        // Liang-Barsky clipping.
        let (dx, dy) = (self.x2 - self.x1, self.y2 - self.y1);
        let (mut t0, mut t1) = (0.0f64, 1.0f64);
        for (p, q) in [
            (-dx, self.x1 - l),
            (dx, r - self.x1),
            (-dy, self.y1 - t),
            (dy, b - self.y1),
        ] {
            if p == 0.0 {
                if q < 0.0 {
                    return false;
                }
            } else {
                let u = q / p;
                if p < 0.0 {
                    t0 = t0.max(u);
                } else {
                    t1 = t1.min(u);
                }
            }
        }
        t0 <= t1
    }
}

/// A ladder laid out: its size, texts and strokes, and the SVG made of them.
pub struct Layout {
    /// Canvas width.
    pub width: f64,
    /// Canvas height.
    pub height: f64,
    /// Every text.
    pub texts: Vec<TextBox>,
    /// Every line of the drawing that could cross a text (messages, crosses, rules).
    pub strokes: Vec<Stroke>,
    /// The SVG.
    pub svg: String,
}

/// Escapes text for an SVG label.
pub fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('\'', "&apos;")
}

/// Runs of spaces kept as they are: every space after a space (or at the start) becomes a
/// no-break space, which SVG in an HTML page does not collapse.
fn keep_spaces(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut after_space = true;
    for c in s.chars() {
        if c == ' ' && after_space {
            out.push('\u{a0}');
        } else {
            out.push(c);
        }
        after_space = c == ' ' || c == '\u{a0}';
    }
    out
}

fn chars(s: &str) -> f64 {
    s.chars().count() as f64
}

/// Lays a ladder out.
pub fn layout(l: &Ladder) -> Layout {
    let pad = 12.0;
    let lanes = l.lanes.len().max(1);
    let n_rows = l.rows.len();
    // Left column: "12." and the left state, right-aligned against the first lifeline.
    let num_w = chars(&format!("{n_rows}.")) * CHAR_W;
    let left_w = l.rows.iter().map(|r| chars(&r.left)).fold(0.0, f64::max) * CHAR_W;
    let lane_name_w = l.lanes.iter().map(|s| chars(s)).fold(0.0, f64::max) * CHAR_W;
    let x0 = (pad + num_w + CHAR_W + left_w + 10.0).max(pad + lane_name_w / 2.0);
    let gap: f64 = if lanes <= 2 { 260.0 } else { 150.0 };
    let gap = gap.max(lane_name_w + 16.0);
    let lane_x = |i: usize| x0 + gap * i as f64;
    let x_last = lane_x(lanes - 1);
    let right_w = l.rows.iter().map(|r| chars(&r.right)).fold(0.0, f64::max) * CHAR_W;
    let x_right = x_last + 10.0;
    let x_ev = x_right + right_w + if right_w > 0.0 { 18.0 } else { 8.0 };
    let ev_w = l
        .rows
        .iter()
        .flat_map(|r| {
            r.notes
                .iter()
                .map(|n| chars(&n.text))
                .chain(r.rule.iter().map(|s| chars(s)))
        })
        .fold(0.0, f64::max)
        * CHAR_W;
    let head_w = l
        .header
        .iter()
        .map(|s| chars(s) * CHAR_W)
        .chain([chars(&l.title) * CHAR_W * 14.0 / 12.0])
        .chain(l.footer.iter().map(|n| chars(&n.text) * CHAR_W))
        .fold(0.0, f64::max);
    let width = (x_ev + ev_w + pad)
        .max(pad * 2.0 + head_w)
        .max(x_last + lane_name_w / 2.0 + pad)
        .ceil();

    let mut texts = Vec::new();
    let mut strokes = Vec::new();
    // The rules between incarnations, drawn under the lifelines.
    let mut rules_svg = String::new();
    let text = |texts: &mut Vec<TextBox>, x, y, anchor, ink, t: &str| {
        texts.push(TextBox {
            x,
            y,
            anchor,
            text: t.to_string(),
            size: 12.0,
            ink,
            attrs: String::new(),
            bold: false,
        })
    };

    // Header.
    let mut y = pad + 14.0;
    texts.push(TextBox {
        x: pad,
        y,
        anchor: "start",
        text: l.title.clone(),
        size: 14.0,
        ink: Ink::Plain,
        attrs: " class='title'".into(),
        bold: true,
    });
    for h in &l.header {
        y += LINE_H;
        text(&mut texts, pad, y, "start", Ink::Plain, h);
    }
    // Lifeline names.
    y += LINE_H * 1.6;
    for (i, name) in l.lanes.iter().enumerate() {
        texts.push(TextBox {
            x: lane_x(i),
            y,
            anchor: "middle",
            text: name.clone(),
            size: 12.0,
            ink: Ink::Plain,
            attrs: " class='lane'".into(),
            bold: true,
        });
    }
    let rows_top = y + 8.0;
    let start_y = rows_top + 2.0;
    y = rows_top + 6.0;

    // Rows: the y of each row's lines (a little above its first text baseline).
    let mut line_y = Vec::with_capacity(n_rows);
    let mut separators = Vec::new();
    for (k, r) in l.rows.iter().enumerate() {
        if let Some(rule) = &r.rule {
            y += 6.0;
            let ry = y;
            strokes.push(Stroke {
                x1: lane_x(0) - 6.0,
                y1: ry,
                x2: x_last + 6.0,
                y2: ry,
            });
            let _ = write!(
                rules_svg,
                "<line class='rule' x1='{:.1}' y1='{ry:.1}' x2='{:.1}' y2='{ry:.1}' stroke='{}' \
                 stroke-width='2' stroke-dasharray='8,4'/>",
                lane_x(0) - 6.0,
                x_last + 6.0,
                Ink::Plain.colour()
            );
            texts.push(TextBox {
                x: x_ev,
                y: ry + 4.0,
                anchor: "start",
                text: rule.clone(),
                size: 12.0,
                ink: Ink::Plain,
                attrs: " class='rule-label'".into(),
                bold: true,
            });
            y += 12.0;
        }
        separators.push(y);
        let base = y + 14.0;
        line_y.push(base - 4.0);
        texts.push(TextBox {
            x: pad,
            y: base,
            anchor: "start",
            text: format!("{}.", k + 1),
            size: 12.0,
            ink: Ink::Plain,
            attrs: " class='row-num'".into(),
            bold: true,
        });
        if !r.left.is_empty() {
            text(&mut texts, x0 - 10.0, base, "end", Ink::Plain, &r.left);
        }
        if !r.right.is_empty() {
            text(&mut texts, x_right, base, "start", Ink::Plain, &r.right);
        }
        for (i, n) in r.notes.iter().enumerate() {
            texts.push(TextBox {
                x: x_ev,
                y: base + LINE_H * i as f64,
                anchor: "start",
                text: n.text.clone(),
                size: 12.0,
                ink: n.ink,
                attrs: format!(" class='note {}'", n.ink.name()),
                bold: false,
            });
        }
        y += LINE_H * r.notes.len().max(1) as f64 + 8.0;
    }
    let rows_bottom = y;
    let trail_y = rows_bottom + 26.0;

    // Messages.
    let row_y = |r: Option<usize>| r.map_or(start_y, |r| line_y[r.min(n_rows.saturating_sub(1))]);
    let mut geom: Vec<(f64, f64, f64, f64)> = Vec::new();
    let mut msg_svg = String::new();
    for (id, m) in l.msgs.iter().enumerate() {
        let (xf, xt) = (lane_x(m.from), lane_x(m.to));
        let (mut x1, mut y1) = (xf, row_y(m.sent));
        if let Some((orig, row)) = m.fork
            && let Some(&(ox1, oy1, ox2, oy2)) = geom.get(orig)
        {
            let fy = line_y[row.min(n_rows - 1)];
            let t = if (oy2 - oy1).abs() < 1e-9 {
                0.0
            } else {
                ((fy - oy1) / (oy2 - oy1)).clamp(0.0, 1.0)
            };
            x1 = ox1 + (ox2 - ox1) * t;
            y1 = oy1 + (oy2 - oy1) * t;
            let _ = write!(
                msg_svg,
                "<circle class='fork' cx='{x1:.1}' cy='{y1:.1}' r='3.5' fill='{}'/>",
                m.ink.colour()
            );
        }
        let (x2, y2, end_attr) = match m.end {
            End::Arrived(r) => (xt, line_y[r.min(n_rows - 1)], format!("arrived-{}", r + 1)),
            End::Lost(r) => (
                xf + (xt - xf) * 0.55,
                line_y[r.min(n_rows - 1)],
                format!("lost-{}", r + 1),
            ),
            End::InFlight => (xf + (xt - xf) * 0.5, trail_y, "in-flight".to_string()),
        };
        geom.push((x1, y1, x2, y2));
        let colour = m.ink.colour();
        let dash = if m.dashed {
            " stroke-dasharray='7,4'"
        } else {
            ""
        };
        let sent_attr = m.sent.map_or("start".to_string(), |r| (r + 1).to_string());
        let _ = write!(
            msg_svg,
            "<g class='msg {ink}' data-sent='{sent_attr}' data-end='{end_attr}'><title>{t}</title>",
            ink = m.ink.name(),
            t = esc(&m.label)
        );
        if m.from == m.to {
            // A station's own loopback: a loop on the side away from the text columns.
            let dx = if m.from + 1 == lanes && lanes > 1 {
                -22.0
            } else {
                22.0
            };
            let mid = (y1 + y2) / 2.0;
            strokes.push(Stroke {
                x1,
                y1,
                x2: x1 + dx,
                y2: mid,
            });
            strokes.push(Stroke {
                x1: x1 + dx,
                y1: mid,
                x2,
                y2,
            });
            let _ = write!(
                msg_svg,
                "<polyline points='{x1:.1},{y1:.1} {:.1},{mid:.1} {x2:.1},{y2:.1}' fill='none' \
                 stroke='{colour}' stroke-width='2'{dash} marker-end='url(#arr-{})'/>",
                x1 + dx,
                m.ink.name()
            );
        } else {
            strokes.push(Stroke { x1, y1, x2, y2 });
            let marker = match m.end {
                End::Arrived(_) => format!(" marker-end='url(#arr-{})'", m.ink.name()),
                _ => String::new(),
            };
            let _ = write!(
                msg_svg,
                "<line class='seg' x1='{x1:.1}' y1='{y1:.1}' x2='{x2:.1}' y2='{y2:.1}' \
                 stroke='{colour}' stroke-width='2'{dash}{marker}/>"
            );
        }
        match m.end {
            End::Lost(_) => {
                let c = 6.0;
                for (a, b) in [(-c, -c), (-c, c)] {
                    strokes.push(Stroke {
                        x1: x2 + a,
                        y1: y2 + b,
                        x2: x2 - a,
                        y2: y2 - b,
                    });
                    let _ = write!(
                        msg_svg,
                        "<line class='cross' x1='{:.1}' y1='{:.1}' x2='{:.1}' y2='{:.1}' \
                         stroke='{colour}' stroke-width='3'/>",
                        x2 + a,
                        y2 + b,
                        x2 - a,
                        y2 - b
                    );
                }
            }
            End::InFlight => {
                let (ex, ey) = (x2 + (x2 - x1) * 0.15, y2 + 14.0);
                strokes.push(Stroke {
                    x1: x2,
                    y1: y2,
                    x2: ex,
                    y2: ey,
                });
                let _ = write!(
                    msg_svg,
                    "<line class='trail' x1='{x2:.1}' y1='{y2:.1}' x2='{ex:.1}' y2='{ey:.1}' \
                     stroke='{colour}' stroke-width='2' stroke-dasharray='2,3'/>"
                );
            }
            End::Arrived(_) => {}
        }
        let _ = id;
        msg_svg += "</g>";
    }

    // Footer.
    let mut fy = trail_y + 30.0;
    if !l.footer.is_empty() {
        text(
            &mut texts,
            pad,
            fy,
            "start",
            Ink::Plain,
            "Properties on the last state shown:",
        );
        texts.last_mut().expect("just pushed").bold = true;
        fy += LINE_H;
    }
    for n in &l.footer {
        texts.push(TextBox {
            x: pad,
            y: fy,
            anchor: "start",
            text: n.text.clone(),
            size: 12.0,
            ink: n.ink,
            attrs: format!(" class='verdict {}'", n.ink.name()),
            bold: false,
        });
        fy += LINE_H;
    }
    let height = (fy + pad).ceil();

    // Assemble.
    let mut svg = format!(
        "<svg version='1.1' baseProfile='full' width='{width}' height='{height}' \
         viewBox='0 0 {width} {height}' xmlns='http://www.w3.org/2000/svg' \
         font-family='DejaVu Sans Mono, Menlo, Consolas, monospace' font-size='12' \
         class='tcpip-ladder' xml:space='preserve' style='white-space:pre'><rect x='0' y='0' width='{width}' height='{height}' fill='{BACKGROUND}'/><defs>"
    );
    for ink in Ink::ALL {
        let _ = write!(
            svg,
            "<marker id='arr-{}' markerWidth='10' markerHeight='8' refX='9' refY='4' \
             orient='auto' markerUnits='userSpaceOnUse'><path d='M0,0 L10,4 L0,8 z' fill='{}'/></marker>",
            ink.name(),
            ink.colour()
        );
    }
    svg += "</defs>";
    for (k, sy) in separators.iter().enumerate() {
        if k > 0 {
            let _ = write!(
                svg,
                "<line x1='{pad}' y1='{sy:.1}' x2='{:.1}' y2='{sy:.1}' stroke='#dedbd0'/>",
                width - pad
            );
        }
    }
    svg += &rules_svg;
    for i in 0..lanes {
        let _ = write!(
            svg,
            "<line class='lifeline' x1='{x:.1}' y1='{rows_top:.1}' x2='{x:.1}' y2='{rows_bottom:.1}' \
             stroke='#8c8c8c' stroke-width='1.5'/>",
            x = lane_x(i)
        );
    }
    svg += &msg_svg;
    for t in &texts {
        let weight = if t.bold { " font-weight='bold'" } else { "" };
        let size = if t.size == 12.0 {
            String::new()
        } else {
            format!(" font-size='{}'", t.size)
        };
        let _ = write!(
            svg,
            "<text x='{:.1}' y='{:.1}' text-anchor='{}' fill='{}'{weight}{size}{}>{}</text>",
            t.x,
            t.y,
            t.anchor,
            t.ink.colour(),
            t.attrs,
            esc(&keep_spaces(&t.text))
        );
    }
    svg += "</svg>";
    Layout {
        width,
        height,
        texts,
        strokes,
        svg,
    }
}

/// The SVG of a ladder.
pub fn svg(l: &Ladder) -> String {
    layout(l).svg
}

/// Wraps `text` into lines of at most `width` characters, the first prefixed by `first`,
/// the others indented as deep.
pub fn wrap(first: &str, text: &str, width: usize) -> Vec<String> {
    let indent = " ".repeat(first.chars().count());
    let mut lines = Vec::new();
    let mut line = first.to_string();
    let mut empty = true;
    for word in text.split_whitespace() {
        if !empty && line.chars().count() + 1 + word.chars().count() > width {
            lines.push(std::mem::replace(&mut line, indent.clone()));
            empty = true;
        }
        if !empty {
            line.push(' ');
        }
        line += word;
        empty = false;
    }
    lines.push(line);
    lines
}

/// Footer lines: each property judged on the last state shown. `holds` is the property's
/// condition on that state.
pub fn verdicts<'a>(
    props: impl IntoIterator<Item = (super::Kind, &'a str, &'a str, bool)>,
) -> Vec<Note> {
    let mut out = Vec::new();
    for (kind, name, meaning, holds) in props {
        let (word, ink) = match (kind, holds) {
            (super::Kind::Always, true) => ("holds   ", Ink::Good),
            (super::Kind::Always, false) => ("VIOLATED", Ink::Bad),
            (super::Kind::Sometimes, true) => ("found   ", Ink::Good),
            (super::Kind::Sometimes, false) => ("not here", Ink::Network),
        };
        let kind = match kind {
            super::Kind::Always => "always   ",
            super::Kind::Sometimes => "sometimes",
        };
        let first = format!("{word} {kind} {name}: ");
        for line in wrap(&first, meaning, 110.max(first.len() + 30)) {
            out.push(Note::new(ink, line));
        }
    }
    out
}

/// The footer of a model with a [`super::table::Prop`] table, on `state`.
pub fn table_verdicts<M: stateright::Model>(
    model: &M,
    table: &[super::table::Prop<M>],
    state: &M::State,
) -> Vec<Note> {
    verdicts(
        table
            .iter()
            .map(|p| (p.kind, p.name, p.meaning, (p.condition)(model, state))),
    )
}

/// The header line naming the mechanisms switched off.
pub fn off_line(off: &[&str]) -> String {
    if off.is_empty() {
        "mechanisms switched off: none (the full protocol)".to_string()
    } else {
        format!("mechanisms switched off: {}", off.join(", "))
    }
}

/// Numbers the step descriptions of a path: the text form of a counterexample.
pub fn numbered(title: &str, steps: impl IntoIterator<Item = String>) -> Vec<String> {
    let mut lines = vec![title.to_string()];
    for (k, step) in steps.into_iter().enumerate() {
        lines.push(format!("{:>3}. {step}", k + 1));
    }
    lines
}

/// A step's narration, collected only when a trace is being written (the checker passes
/// [`Log::off`], so exploring costs no formatting).
pub struct Log(Option<Vec<String>>);

impl Log {
    /// Collects nothing.
    pub fn off() -> Log {
        Log(None)
    }

    /// Collects what is said.
    pub fn on() -> Log {
        Log(Some(Vec::new()))
    }

    /// Says something, if anyone listens.
    pub fn say(&mut self, f: impl FnOnce() -> String) {
        if let Some(v) = &mut self.0 {
            v.push(f());
        }
    }

    /// Everything said, joined.
    pub fn text(self) -> String {
        self.lines().join("; ")
    }

    /// Everything said, one line each.
    pub fn lines(self) -> Vec<String> {
        self.0.unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_ink_reads_on_the_background() {
        for ink in Ink::ALL {
            let c = contrast(ink.colour(), BACKGROUND);
            assert!(c >= 4.5, "{ink:?} {} has contrast {c:.2}", ink.colour());
        }
        assert!((contrast("#000000", "#ffffff") - 21.0).abs() < 0.01);
    }

    #[test]
    fn strokes_meet_boxes() {
        let s = Stroke {
            x1: 0.0,
            y1: 0.0,
            x2: 10.0,
            y2: 10.0,
        };
        assert!(s.crosses((4.0, 4.0, 6.0, 6.0)));
        assert!(!s.crosses((6.0, 0.0, 9.0, 3.0)));
    }

    #[test]
    fn wrapping_keeps_every_word() {
        let w = wrap("holds always x: ", "a b c d e f g h i j k l", 22);
        assert!(w.iter().all(|l| l.chars().count() <= 22), "{w:?}");
        assert_eq!(w.join(" ").split_whitespace().count(), 3 + 12);
    }
}
