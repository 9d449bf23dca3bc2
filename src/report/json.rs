//! The JSON report: the contract scripts rely on (SPEC.md, `"version": 1`).

use crate::model::Report;

pub fn render(report: &Report) -> String {
    let mut s =
        serde_json::to_string_pretty(report).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    s.push('\n');
    s
}
