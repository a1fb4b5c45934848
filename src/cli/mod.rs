//! The subcommands.

pub mod check;
pub mod conform;
pub mod explore;
pub mod list;
pub mod report;
pub mod stack;

use tcpip_spec::models::{self, ModelSpec};

/// A usage error: one line on stderr, exit status 2.
pub struct UsageError(pub String);

/// Finds a model by name.
pub fn model(name: &str) -> Result<&'static ModelSpec, UsageError> {
    models::find(name).ok_or_else(|| {
        let names: Vec<_> = models::registry().iter().map(|m| m.name).collect();
        UsageError(format!(
            "unknown model '{name}' (known: {})",
            names.join(", ")
        ))
    })
}

/// Validates `--without` names against a model's registered ablations.
pub fn mechanisms(
    spec: &'static ModelSpec,
    without: &[String],
) -> Result<Vec<&'static str>, UsageError> {
    without
        .iter()
        .map(|w| {
            spec.ablation(w).map(|a| a.mechanism).ok_or_else(|| {
                let names: Vec<_> = spec.ablations.iter().map(|a| a.mechanism).collect();
                UsageError(format!(
                    "unknown mechanism '{w}' for model {} (known: {})",
                    spec.name,
                    names.join(", ")
                ))
            })
        })
        .collect()
}

/// Rows of cells as aligned text lines: each column as wide as its widest cell, columns
/// two spaces apart, the last column unpadded.
pub fn columns(rows: &[Vec<String>]) -> Vec<String> {
    let n = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..n)
        .map(|c| {
            rows.iter()
                .filter_map(|r| r.get(c))
                .map(|cell| cell.chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    rows.iter()
        .map(|r| {
            let mut line = String::new();
            for (c, cell) in r.iter().enumerate() {
                if c + 1 == r.len() {
                    line += cell;
                } else {
                    line += &format!("{cell:<w$}  ", w = widths[c]);
                }
            }
            line
        })
        .collect()
}
