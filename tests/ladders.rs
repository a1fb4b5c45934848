//! The Explorer's ladders (each model's `as_svg`), for every registered model: on a
//! counterexample of each model's first ablation and on every example, the SVG is well-formed
//! with its text escaped, draws every text at a contrast of at least 4.5:1 against its
//! background, numbers every row, fits every label on its canvas and crosses no label with a
//! line.

use tcpip_spec::models::diagram::{Stroke, TextBox, contrast};
use tcpip_spec::models::runner::{CheckReport, RunOptions};
use tcpip_spec::models::{ModelSpec, registry};

fn check(spec: &ModelSpec, without: &[&'static str]) -> CheckReport {
    let bounds = without
        .first()
        .and_then(|m| spec.ablation(m))
        .map_or(Default::default(), |a| a.bounds);
    (spec.check)(
        without,
        bounds,
        RunOptions {
            threads: 1,
            svg: true,
            ..Default::default()
        },
    )
}

/// The value of attribute `name` in a tag's text.
fn attr<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    let key = format!(" {name}='");
    let at = tag.find(&key)? + key.len();
    let end = tag[at..].find('\'')?;
    Some(&tag[at..at + end])
}

fn num(tag: &str, name: &str) -> f64 {
    attr(tag, name)
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("{name} in {tag}"))
}

fn unescape(s: &str) -> String {
    s.replace('\u{a0}', " ")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}

/// Checks that tags nest and that text holds no raw `<` or bare `&`.
fn well_formed(svg: &str) {
    let mut stack: Vec<String> = Vec::new();
    let mut rest = svg;
    while let Some(lt) = rest.find('<') {
        let text = &rest[..lt];
        for (i, _) in text.match_indices('&') {
            let ent = &text[i..];
            assert!(
                ["&lt;", "&gt;", "&amp;", "&apos;", "&quot;"]
                    .iter()
                    .any(|e| ent.starts_with(e)),
                "a bare & in {text:?}"
            );
        }
        let gt = rest[lt..].find('>').expect("a tag ends") + lt;
        let tag = &rest[lt + 1..gt];
        assert!(!tag.contains('<'), "a < inside a tag: {tag}");
        if let Some(name) = tag.strip_prefix('/') {
            assert_eq!(stack.pop().as_deref(), Some(name), "closing {name}");
        } else if !tag.ends_with('/') {
            let name = tag.split_whitespace().next().expect("a tag name");
            stack.push(name.to_string());
        }
        rest = &rest[gt + 1..];
    }
    assert!(stack.is_empty(), "unclosed {stack:?}");
}

/// The texts and strokes of an SVG, and its width and height.
fn parse(svg: &str) -> (f64, f64, Vec<TextBox>, Vec<Stroke>) {
    let head = &svg[..svg.find('>').expect("svg tag")];
    let (width, height) = (num(head, "width"), num(head, "height"));
    let mut texts = Vec::new();
    let mut strokes = Vec::new();
    for (i, _) in svg.match_indices("<text ") {
        let gt = svg[i..].find('>').unwrap() + i;
        let end = svg[gt..].find("</text>").unwrap() + gt;
        let tag = &svg[i..gt];
        texts.push(TextBox {
            x: num(tag, "x"),
            y: num(tag, "y"),
            anchor: match attr(tag, "text-anchor") {
                Some("middle") => "middle",
                Some("end") => "end",
                _ => "start",
            },
            text: unescape(&svg[gt + 1..end]),
            size: attr(tag, "font-size").map_or(12.0, |v| v.parse().unwrap()),
            ink: tcpip_spec::models::diagram::Ink::Plain,
            attrs: String::new(),
            bold: false,
        });
    }
    for (i, _) in svg.match_indices("<line ") {
        let tag = &svg[i..svg[i..].find('>').unwrap() + i];
        strokes.push(Stroke {
            x1: num(tag, "x1"),
            y1: num(tag, "y1"),
            x2: num(tag, "x2"),
            y2: num(tag, "y2"),
        });
    }
    for (i, _) in svg.match_indices("<polyline ") {
        let tag = &svg[i..svg[i..].find('>').unwrap() + i];
        let pts: Vec<(f64, f64)> = attr(tag, "points")
            .unwrap()
            .split_whitespace()
            .map(|p| {
                let (x, y) = p.split_once(',').unwrap();
                (x.parse().unwrap(), y.parse().unwrap())
            })
            .collect();
        for w in pts.windows(2) {
            strokes.push(Stroke {
                x1: w[0].0,
                y1: w[0].1,
                x2: w[1].0,
                y2: w[1].1,
            });
        }
    }
    (width, height, texts, strokes)
}

/// Every text's colour against the background the ladder paints under it: WCAG 2's 4.5:1
/// for normal text.
fn legible(what: &str, svg: &str) {
    let rect = &svg[svg.find("<rect ").expect("a background")..];
    let background = attr(&rect[..rect.find('>').unwrap()], "fill").expect("its fill");
    let mut texts = 0;
    for (i, _) in svg.match_indices("<text ") {
        let tag = &svg[i..svg[i..].find('>').unwrap() + i];
        let ink = attr(tag, "fill").unwrap_or_else(|| panic!("{what}: no colour in {tag}"));
        let c = contrast(ink, background);
        assert!(
            c >= 4.5,
            "{what}: {tag} has contrast {c:.2} on {background}"
        );
        texts += 1;
    }
    assert!(texts > 0, "{what}: no text");
}

fn judge(what: &str, svg: &str, steps: usize) {
    well_formed(svg);
    legible(what, svg);
    let (width, height, texts, strokes) = parse(svg);
    for row in 1..=steps + 1 {
        let label = format!("{row}.");
        assert!(
            texts.iter().any(|t| t.text == label),
            "{what}: row {row} is not numbered"
        );
    }
    assert!(
        !texts.iter().any(|t| t.text == format!("{}.", steps + 2)),
        "{what}: more rows than states"
    );
    for t in &texts {
        let (l, top, r, b) = t.bounds();
        assert!(
            l >= 0.0 && r <= width && top >= 0.0 && b <= height,
            "{what}: {:?} ({l:.0}..{r:.0}) is clipped by the canvas {width}x{height}",
            t.text
        );
        for s in &strokes {
            assert!(
                !s.crosses((l, top, r, b)),
                "{what}: the line {s:?} crosses the label {:?}",
                t.text
            );
        }
    }
}

#[test]
fn every_model_draws_a_legible_ladder() {
    for spec in registry() {
        // One run per model, small (an ablation at its registered bounds): its
        // counterexamples and every example it finds.
        let runs: Vec<Vec<&'static str>> = match spec.ablations.first() {
            Some(a) => vec![vec![a.mechanism]],
            None => vec![vec![]],
        };
        let mut drawn = 0;
        for without in runs {
            let report = check(spec, &without);
            for p in &report.properties {
                let Some(path) = &p.explorer_path else {
                    continue;
                };
                let what = format!("{} {:?} {}", spec.name, without, p.name);
                let svg = p.svg.as_ref().unwrap_or_else(|| panic!("{what}: no SVG"));
                let steps = path.split('/').count() - 3;
                judge(&what, svg, steps);
                assert!(
                    svg.contains(spec.name),
                    "{what}: the header names the model"
                );
                assert!(
                    svg.contains("mechanisms switched off"),
                    "{what}: the header names the ablations"
                );
                // States in RFC 9293's spelling (SYN-SENT), not as Rust spells them.
                for rust in [
                    "SynSent",
                    "SynReceived",
                    "Established",
                    "FinWait",
                    "CloseWait",
                    "LastAck",
                    "TimeWait",
                ] {
                    assert!(!svg.contains(rust), "{what}: a state reads {rust}");
                }
                for prop in (spec.properties)() {
                    assert!(
                        svg.contains(prop.name),
                        "{what}: the footer judges {}",
                        prop.name
                    );
                }
                drawn += 1;
            }
        }
        assert!(drawn > 0, "{}: no path drawn", spec.name);
    }
}

#[test]
fn the_reordered_ack_of_tcp_close_without_time_wait_slopes() {
    let spec = tcpip_spec::models::find("tcp-close").unwrap();
    let report = check(spec, &["time-wait"]);
    let p = report
        .properties
        .iter()
        .find(|p| p.name == "graceful-close")
        .unwrap();
    let svg = p.svg.as_ref().unwrap();
    // B's ACK sent at row 3 arrives at row 6, after B's FIN (sent at row 4) overtook it.
    assert!(svg.contains("data-sent='3' data-end='arrived-6'"), "{svg}");
    assert!(svg.contains("data-sent='4' data-end='arrived-5'"), "{svg}");
    assert!(svg.contains("&lt;CTL=FIN,ACK&gt;"));
    assert!(
        svg.contains("data-end='in-flight'"),
        "A's last ACK trails off"
    );
    assert!(svg.contains("class='verdict bad'>VIOLATED always "));
    assert!(svg.contains("graceful-close: nobody aborts"));
}

/// A second incarnation is set off by a rule with its label (the rule's line was once
/// computed and never drawn), user calls, deliveries and timers are notes, and the ladder
/// stays legible across it (tcp-lifecycle without the ISN clock, at
/// its registered bounds: the shortest path to the second incarnation).
#[test]
fn a_new_incarnation_is_ruled_off_with_user_calls_and_deliveries_as_notes() {
    let spec = tcpip_spec::models::find("tcp-lifecycle").unwrap();
    let report = check(spec, &["isn-clock"]);
    let p = report
        .properties
        .iter()
        .find(|p| p.name == "second-incarnation")
        .unwrap();
    let svg = p.svg.as_ref().expect("an example");
    let steps = p.explorer_path.as_ref().unwrap().split('/').count() - 3;
    judge("tcp-lifecycle [isn-clock] second-incarnation", svg, steps);
    assert!(svg.contains("<line class='rule'"), "{svg}");
    assert!(svg.contains(" opens incarnation 2</text>"), "{svg}");
    assert!(svg.contains(": user calls OPEN"), "{svg}");
    assert!(svg.contains(": user calls CLOSE"), "{svg}");
    assert!(svg.contains("&apos;s user receives \""), "{svg}");
    assert!(
        svg.contains("&apos;s user is told: connection closed"),
        "{svg}"
    );
    assert!(svg.contains(": TIME-WAIT timer expires"), "{svg}");
}

/// The SVG of `property`'s counterexample or example in `check MODEL --without ...`.
fn drawn(model: &str, without: &[&'static str], property: &str) -> String {
    let spec = tcpip_spec::models::find(model).unwrap();
    let report = check(spec, without);
    let p = report
        .properties
        .iter()
        .find(|p| p.name == property)
        .unwrap_or_else(|| panic!("{model}: no {property}"));
    p.svg
        .clone()
        .unwrap_or_else(|| panic!("{model} {property}: no path"))
}

/// The ladder's notation, as the README's legend tells it: a lost segment ends in a cross,
/// a duplicate forks from its original, an old one is dashed, and the kinds of segment have
/// their own colours (RST red, SYN blue, FIN purple, text green, bare ACK dark grey).
#[test]
fn losses_cross_duplicates_fork_and_old_segments_are_dashed() {
    let lost = drawn("udp", &[], "lost");
    assert!(lost.contains("data-end='lost-"), "{lost}");
    assert!(lost.contains("<line class='cross'"), "{lost}");
    let dup = drawn("udp", &[], "duplicated");
    assert!(dup.contains("<circle class='fork'"), "{dup}");
    let old = drawn("tcp-handshake", &[], "old-syn-rejected");
    let at = old
        .find("<g class='msg syn' data-sent='start'")
        .expect("the old SYN, in flight from the start");
    let group = &old[at..at + old[at..].find("</g>").unwrap()];
    assert!(group.contains("stroke-dasharray='7,4'"), "{group}");
    let syn = tcpip_spec::models::diagram::Ink::Syn.colour();
    assert!(group.contains(&format!("stroke='{syn}'")), "{group}");
    assert!(
        old.contains("<g class='msg rst'"),
        "its SYN,ACK draws a RST: {old}"
    );
    use tcpip_spec::models::diagram::Ink;
    let close = drawn("tcp-close", &["time-wait"], "graceful-close");
    for (class, ink) in [("rst", Ink::Rst), ("fin", Ink::Fin), ("ack", Ink::Ack)] {
        let at = close
            .find(&format!("<g class='msg {class}'"))
            .unwrap_or_else(|| panic!("no {class} segment in {close}"));
        let group = &close[at..at + close[at..].find("</g>").unwrap()];
        assert!(
            group.contains(&format!("stroke='{}'", ink.colour())),
            "{group}"
        );
    }
    let colours: std::collections::HashSet<&str> =
        [Ink::Rst, Ink::Syn, Ink::Fin, Ink::Data, Ink::Ack]
            .iter()
            .map(|i| i.colour())
            .collect();
    assert_eq!(colours.len(), 5, "five kinds, five colours");
}
