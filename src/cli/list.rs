//! `tcpip-spec list [--json]`.

use super::UsageError;
use serde_json::json;
use std::process::ExitCode;
use tcpip_spec::models::registry;

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
        let rows: Vec<Vec<String>> = (m.properties)()
            .iter()
            .map(|p| {
                let note = if m.expect_violated.contains(&p.name) {
                    " (expected violated: the protocol does not promise it)"
                } else {
                    ""
                };
                vec![
                    super::check::kind_name(p.kind).to_string(),
                    p.name.to_string(),
                    format!("{}{note}", p.meaning),
                ]
            })
            .collect();
        for line in super::columns(&rows) {
            println!("    {line}");
        }
        if !m.ablations.is_empty() {
            println!("  ablations (--without):");
            let rows: Vec<Vec<String>> = m
                .ablations
                .iter()
                .map(|a| {
                    vec![
                        a.mechanism.to_string(),
                        format!("breaks {}", a.breaks),
                        a.reference.to_string(),
                    ]
                })
                .collect();
            for line in super::columns(&rows) {
                println!("    {line}");
            }
        }
        println!();
    }
    Ok(ExitCode::SUCCESS)
}
