//! Benchmark results as recorded tables, so that `tcpip-spec report` can put measured numbers
//! into REPORT.md without anyone typing them in.
//!
//! A benchmark (`cargo bench --bench NAME`) builds [`BenchTable`]s while it runs and saves
//! them with [`save`] to `bench-results/NAME.json` at the crate root; the file is committed
//! with the change that produced it. `report` reads every such file with [`load_all`] and
//! renders each table with the command that reproduces it and the time it was recorded.
//!
//! Data that is not a table (a time series for a plot) goes with [`save_series`] to
//! `bench-results/series/NAME.json`, which [`load_all`] does not read.

use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// One table of measurements.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BenchTable {
    /// A heading for the table.
    pub title: String,
    /// Column names.
    pub columns: Vec<String>,
    /// Rows of cells, already formatted.
    pub rows: Vec<Vec<String>>,
    /// Sentences shown under the table (what was measured, ratios, caveats).
    pub notes: Vec<String>,
}

impl BenchTable {
    /// An empty table with these columns.
    pub fn new(title: &str, columns: &[&str]) -> BenchTable {
        BenchTable {
            title: title.to_string(),
            columns: columns.iter().map(|c| c.to_string()).collect(),
            rows: Vec::new(),
            notes: Vec::new(),
        }
    }

    /// Appends a row (one cell per column).
    pub fn row(&mut self, cells: Vec<String>) {
        debug_assert_eq!(cells.len(), self.columns.len());
        self.rows.push(cells);
    }

    /// The table in GitHub markdown, notes after it.
    pub fn markdown(&self) -> String {
        let mut s = format!("| {} |\n|", self.columns.join(" | "));
        for _ in &self.columns {
            s.push_str("---|");
        }
        s.push('\n');
        for r in &self.rows {
            s.push_str(&format!("| {} |\n", r.join(" | ")));
        }
        for n in &self.notes {
            s.push_str(&format!("\n{n}\n"));
        }
        s
    }
}

/// The results of one benchmark run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BenchRecord {
    /// The command that reproduces the numbers.
    pub command: String,
    /// When they were recorded (UTC, `YYYY-MM-DD HH:MM`).
    pub recorded: String,
    /// The machine's available parallelism when recorded.
    pub cores: usize,
    /// The tables.
    pub tables: Vec<BenchTable>,
}

/// The directory holding the recorded results.
pub fn results_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("bench-results")
}

/// Saves the tables of benchmark `name`, recorded now, to `bench-results/NAME.json`.
pub fn save(name: &str, tables: Vec<BenchTable>) -> std::io::Result<PathBuf> {
    let record = BenchRecord {
        command: format!("cargo bench --bench {name}"),
        recorded: utc_now(),
        cores: std::thread::available_parallelism().map_or(1, |n| n.get()),
        tables,
    };
    let dir = results_dir();
    std::fs::create_dir_all(&dir)?;
    let path = dir.join(format!("{name}.json"));
    let json = serde_json::to_string_pretty(&record).map_err(std::io::Error::other)?;
    std::fs::write(&path, json + "\n")?;
    Ok(path)
}

/// Saves `data` (a time series or other raw measurements, as JSON) to
/// `bench-results/series/NAME.json`.
pub fn save_series(name: &str, data: &impl Serialize) -> std::io::Result<PathBuf> {
    let dir = results_dir().join("series");
    std::fs::create_dir_all(&dir)?;
    let path = dir.join(format!("{name}.json"));
    let json = serde_json::to_string(data).map_err(std::io::Error::other)?;
    std::fs::write(&path, json + "\n")?;
    Ok(path)
}

/// Every recorded benchmark in `dir`, by name, sorted; unreadable files are reported as
/// errors rather than skipped.
pub fn load_all(dir: &Path) -> Result<Vec<(String, BenchRecord)>, String> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    for e in entries.flatten() {
        let path = e.path();
        if path.extension().and_then(|x| x.to_str()) != Some("json") {
            continue;
        }
        let name = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default()
            .to_string();
        let text =
            std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        let rec: BenchRecord =
            serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
        out.push((name, rec));
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(out)
}

/// The current UTC time as `YYYY-MM-DD HH:MM`.
pub fn utc_now() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    format_utc(secs)
}

/// Formats seconds since the Unix epoch as `YYYY-MM-DD HH:MM` (proleptic Gregorian, UTC).
pub fn format_utc(secs: u64) -> String {
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    // Civil-from-days (the algorithm of Howard Hinnant's date library, written out).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}",
        rem / 3600,
        (rem % 3600) / 60
    )
}

/// One line of a [`line_plot_svg`]: its name in the legend, its colour, its points.
pub struct PlotLine<'a> {
    /// The legend's text.
    pub name: &'a str,
    /// An SVG colour.
    pub color: &'a str,
    /// `(x, y)` points in order of x, drawn as steps (each value holds until the next).
    pub points: Vec<(f64, f64)>,
}

/// A step plot of `lines` as a self-contained SVG (white background, text in dark grey,
/// axes with five ticks each), for a time series a benchmark recorded: x in `x_unit`, y in
/// `y_unit`. Points beyond `y_cap` are drawn at the cap (a legend note says so).
pub fn line_plot_svg(
    title: &str,
    x_unit: &str,
    y_unit: &str,
    y_cap: f64,
    lines: &[PlotLine<'_>],
) -> String {
    use std::fmt::Write as _;
    let (w, h, left, right, top, bottom) = (900.0, 420.0, 80.0, 20.0, 40.0, 50.0);
    let all = lines.iter().flat_map(|l| l.points.iter());
    let x_max = all.clone().map(|p| p.0).fold(0.0_f64, f64::max).max(1e-9);
    let y_max = all.map(|p| p.1.min(y_cap)).fold(0.0_f64, f64::max).max(1.0);
    let sx = |x: f64| left + (w - left - right) * x / x_max;
    let sy = |y: f64| top + (h - top - bottom) * (1.0 - y.min(y_cap) / y_max);
    let mut s = String::new();
    let _ = writeln!(
        s,
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" font-family="DejaVu Sans, sans-serif" font-size="12">"##
    );
    let _ = writeln!(s, r##"<rect width="{w}" height="{h}" fill="#ffffff"/>"##);
    let _ = writeln!(
        s,
        r##"<text x="{left}" y="22" font-size="14" fill="#222222">{}</text>"##,
        escape(title)
    );
    for i in 0..=4 {
        let (fx, fy) = (f64::from(i) / 4.0 * x_max, f64::from(i) / 4.0 * y_max);
        let _ = writeln!(
            s,
            r##"<line x1="{left}" y1="{y:.1}" x2="{x2}" y2="{y:.1}" stroke="#dddddd"/><text x="{tx}" y="{ty:.1}" text-anchor="end" fill="#333333">{fy:.0}</text><text x="{xx:.1}" y="{xy}" text-anchor="middle" fill="#333333">{fx:.2}</text>"##,
            y = sy(fy),
            x2 = w - right,
            tx = left - 6.0,
            ty = sy(fy) + 4.0,
            xx = sx(fx),
            xy = h - bottom + 18.0,
        );
    }
    let _ = writeln!(
        s,
        r##"<text x="{x:.1}" y="{y}" text-anchor="middle" fill="#333333">{}</text><text x="14" y="{ym:.1}" transform="rotate(-90 14 {ym:.1})" text-anchor="middle" fill="#333333">{}</text>"##,
        escape(x_unit),
        escape(y_unit),
        x = (left + w - right) / 2.0,
        y = h - 8.0,
        ym = (top + h - bottom) / 2.0,
    );
    for (i, l) in lines.iter().enumerate() {
        let mut d = String::new();
        let mut last: Option<f64> = None;
        for &(x, y) in &l.points {
            match last {
                None => {
                    let _ = write!(d, "M{:.1},{:.1}", sx(x), sy(y));
                }
                Some(_) => {
                    let _ = write!(d, " H{:.1} V{:.1}", sx(x), sy(y));
                }
            }
            last = Some(y);
        }
        let _ = writeln!(
            s,
            r##"<path d="{d}" fill="none" stroke="{}" stroke-width="1.5"/>"##,
            l.color
        );
        let lx = left + 10.0 + 190.0 * i as f64;
        let _ = writeln!(
            s,
            r##"<line x1="{lx}" y1="{ly}" x2="{lx2}" y2="{ly}" stroke="{c}" stroke-width="3"/><text x="{tx}" y="{ty}" fill="#222222">{}</text>"##,
            escape(l.name),
            c = l.color,
            ly = top + 8.0,
            lx2 = lx + 20.0,
            tx = lx + 26.0,
            ty = top + 12.0,
        );
    }
    s.push_str("</svg>\n");
    s
}

fn escape(t: &str) -> String {
    t.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// This process's peak resident memory (VmHWM) in KiB; 0 where `/proc` does not say.
pub fn peak_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

/// Runs the running benchmark's own executable again as a child with `var` set to `spec`,
/// and returns the words it printed: each measured configuration in a process of its own, so
/// that its [`peak_kib`] is its own. Panics with the child's stderr if it fails.
pub fn child_words(var: &str, spec: &str) -> Vec<String> {
    let out = std::process::Command::new(std::env::current_exe().expect("own path"))
        .env(var, spec)
        .output()
        .expect("child runs");
    assert!(
        out.status.success(),
        "{spec}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .map(str::to_string)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utc_formatting_matches_known_instants() {
        assert_eq!(format_utc(0), "1970-01-01 00:00");
        assert_eq!(format_utc(951_782_400), "2000-02-29 00:00");
        assert_eq!(format_utc(1_795_570_860), "2026-11-25 01:41");
    }

    #[test]
    fn tables_round_trip_and_render() {
        let mut t = BenchTable::new("bulk", &["pair", "MiB/s"]);
        t.row(vec!["ours".into(), "1.0".into()]);
        t.notes.push("ratio 1.00".into());
        let dir = std::env::temp_dir().join(format!("bench-rt-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let rec = BenchRecord {
            command: "cargo bench --bench x".into(),
            recorded: "2026-11-25 00:00".into(),
            cores: 2,
            tables: vec![t.clone()],
        };
        std::fs::write(dir.join("x.json"), serde_json::to_string(&rec).unwrap()).unwrap();
        std::fs::write(dir.join("ignored.txt"), "no").unwrap();
        // A series for a plot, in its subdirectory, is not a table.
        std::fs::create_dir_all(dir.join("series")).unwrap();
        std::fs::write(dir.join("series").join("s.json"), "[[0.0, 1]]").unwrap();
        let all = load_all(&dir).unwrap();
        assert_eq!(all, vec![("x".to_string(), rec)]);
        assert_eq!(
            t.markdown(),
            "| pair | MiB/s |\n|---|---|\n| ours | 1.0 |\n\nratio 1.00\n"
        );
        std::fs::write(dir.join("bad.json"), "{").unwrap();
        assert!(load_all(&dir).unwrap_err().contains("bad.json"));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
