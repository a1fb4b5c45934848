//! `tcpip-spec list [--json]`.

use super::UsageError;
use serde_json::json;
use std::process::ExitCode;
use tcpip_spec::models::{Kind, registry};

/// Prints the registry.
pub fn run(as_json: bool) -> Result<ExitCode, UsageError> {
    if as_json {
        let all: Vec<_> = registry()
            .iter()
            .map(|m| {
                let properties: Vec<_> = (m.properties)()
                    .iter()
                    .map(|p| {
                        let mut o = json!({"name": p.name, "kind": p.kind});
                        if m.expect_violated.contains(&p.name) {
                            o["expected"] = json!("violated");
                        }
                        o
                    })
                    .collect();
                json!({
                    "name": m.name,
                    "summary": m.summary,
                    "properties": properties,
                    "ablations": m.ablations,
                })
            })
            .collect();
        println!(
            "{}",
            serde_json::to_string_pretty(&all).expect("JSON of plain data")
        );
        return Ok(ExitCode::SUCCESS);
    }
    for m in registry() {
        println!("{}\n  {}\n  properties:", m.name, m.summary);
        for p in (m.properties)() {
            let kind = if p.kind == Kind::Always {
                "always"
            } else {
                "sometimes"
            };
            let note = if m.expect_violated.contains(&p.name) {
                " (expected violated: the protocol does not promise it)"
            } else {
                ""
            };
            println!("    {kind:<10}{:<30}{}{note}", p.name, p.meaning);
        }
        if !m.ablations.is_empty() {
            println!("  ablations (--without):");
            for a in m.ablations {
                println!(
                    "    {:<32}breaks {:<28}{}",
                    a.mechanism, a.breaks, a.reference
                );
            }
        }
        println!();
    }
    Ok(ExitCode::SUCCESS)
}
