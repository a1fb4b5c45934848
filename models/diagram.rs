//! Sequence diagrams for stateright's Explorer, shared by the internet-layer models: one
//! lifeline per station, one row per step, an arrow for what crossed a link and a grey note
//! for everything else. Labels are escaped (stateright-notes 10: SVG labels are not). And the
//! narration of a step, which both the text traces and the diagrams are made of.

/// One row of a diagram.
pub enum Row {
    /// Something crossed a link from one lifeline to another.
    Arrow {
        /// Lifeline it left.
        from: usize,
        /// Lifeline it reached.
        to: usize,
        /// What it was.
        label: String,
    },
    /// A step that moved nothing between stations (a send, a loss, a tick, a verdict).
    Note {
        /// The lifeline it concerns, if any (the note is written beside it).
        at: Option<usize>,
        /// What happened.
        label: String,
    },
}

/// Escapes text for an SVG label.
pub fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// A sequence diagram with the given lifelines and rows.
pub fn svg(lanes: &[&str], rows: &[Row]) -> String {
    let (left, gap, top, dy) = (90usize, 190usize, 40usize, 30usize);
    let x = |i: usize| left + gap * i;
    let width = x(lanes.len().saturating_sub(1)) + left;
    let height = top + dy * (rows.len() + 1);
    let mut s = format!(
        "<svg version='1.1' baseProfile='full' width='{width}' height='{height}' \
         xmlns='http://www.w3.org/2000/svg' font-family='monospace' font-size='12'>\
         <defs><marker id='arrow' markerWidth='10' markerHeight='8' refX='10' refY='4' \
         orient='auto'><path d='M0,0 L10,4 L0,8 z'/></marker></defs>"
    );
    for (i, name) in lanes.iter().enumerate() {
        s += &format!(
            "<text x='{xi}' y='20' text-anchor='middle'>{n}</text>\
             <line x1='{xi}' y1='{top}' x2='{xi}' y2='{height}' stroke='black'/>",
            xi = x(i),
            n = esc(name)
        );
    }
    for (k, row) in rows.iter().enumerate() {
        let y = top + dy * k + dy / 2;
        match row {
            Row::Arrow { from, to, label } => {
                let (x1, x2) = (x(*from), x(*to));
                s += &format!(
                    "<line x1='{x1}' y1='{y}' x2='{x2}' y2='{y2}' stroke='blue' \
                     marker-end='url(#arrow)'/><text x='{xm}' y='{yt}' text-anchor='middle' \
                     fill='blue'>{l}</text>",
                    y2 = y + dy / 2,
                    xm = (x1 + x2) / 2,
                    yt = y + dy / 4 - 2,
                    l = esc(label)
                );
            }
            Row::Note { at, label } => {
                let xn = at.map_or(width / 2, |i| x(i) + 6);
                let anchor = if at.is_some() { "start" } else { "middle" };
                s += &format!(
                    "<text x='{xn}' y='{yt}' text-anchor='{anchor}' fill='gray'>{l}</text>",
                    yt = y + dy / 4,
                    l = esc(label)
                );
            }
        }
    }
    s + "</svg>"
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
        self.0.unwrap_or_default().join("; ")
    }
}
