//! Baselines: findings recorded once and reported as baselined afterwards, so a
//! gate can be adopted on a site with known, accepted problems.
//!
//! A baseline is the fingerprints of findings (image sha256 + rule + page +
//! subject, see `policy`), so renaming an image file does not resurface them.

use std::collections::HashSet;
use std::path::Path;

use crate::error::{Error, Result};
use crate::model::Finding;

/// Read a baseline: a file written by [`write`], or any JSON report (its findings).
pub fn read(path: &Path) -> Result<HashSet<String>> {
    let text = std::fs::read_to_string(path).map_err(|source| Error::Io {
        path: path.to_path_buf(),
        source,
    })?;
    parse(&text).map_err(|message| Error::Config {
        path: path.to_path_buf(),
        message,
    })
}

fn parse(text: &str) -> std::result::Result<HashSet<String>, String> {
    let value: serde_json::Value =
        serde_json::from_str(text).map_err(|e| format!("not JSON: {e}"))?;
    let strings = |list: &Vec<serde_json::Value>, field: Option<&str>| -> HashSet<String> {
        list.iter()
            .filter_map(|v| match field {
                Some(f) => v.get(f)?.as_str(),
                None => v.as_str(),
            })
            .map(String::from)
            .collect()
    };
    if let Some(list) = value.get("fingerprints").and_then(|v| v.as_array()) {
        Ok(strings(list, None))
    } else if let Some(findings) = value.get("findings").and_then(|v| v.as_array()) {
        Ok(strings(findings, Some("fingerprint")))
    } else {
        Err("neither a baseline (\"fingerprints\") nor a JSON report (\"findings\")".into())
    }
}

/// The baseline of a report's findings: the fingerprints of those that count.
pub fn render(findings: &[Finding]) -> String {
    let fingerprints: Vec<&str> = findings
        .iter()
        .filter(|f| f.suppressed.is_none())
        .map(|f| f.fingerprint.as_str())
        .collect();
    let body = serde_json::json!({"version": 1, "fingerprints": fingerprints});
    format!("{body:#}\n")
}

/// Write a baseline made by [`render`] to `path`.
pub fn write(baseline: &str, path: &Path) -> Result<()> {
    crate::output::write_file(path, |out| out.write_all(baseline.as_bytes())).map_err(|source| {
        Error::Io {
            path: path.to_path_buf(),
            source,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_its_own_format_and_json_reports() {
        assert_eq!(
            parse(r#"{"version": 1, "fingerprints": ["a", "b"]}"#).unwrap(),
            HashSet::from(["a".to_string(), "b".to_string()])
        );
        assert_eq!(
            parse(r#"{"findings": [{"fingerprint": "c", "rule": "x"}, {"rule": "no print"}]}"#)
                .unwrap(),
            HashSet::from(["c".to_string()])
        );
        assert!(parse("[]").unwrap_err().contains("neither"));
        assert!(parse("nope").unwrap_err().starts_with("not JSON"));
    }
}
