//! The JSON report: the contract scripts rely on (SPEC.md, `"version": 1`).

use std::io::{self, Write};

use chrono::NaiveDate;
use serde::Serialize;

use crate::model::{Finding, PageFailure, Report, Summary, Tool};

pub fn render(report: &Report) -> String {
    let mut s =
        serde_json::to_string_pretty(report).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    s.push('\n');
    s
}

/// A report's fields by reference, in [`Report`]'s order and with its
/// attributes, where `images` is anything that serializes as the list of
/// [`crate::model::ImageReport`]: a scan streams them from disk one at a time
/// rather than hold every image's evidence.
#[derive(Serialize)]
pub struct Parts<'a, I: Serialize + ?Sized> {
    pub version: u32,
    pub tool: &'a Tool,
    pub as_of: NaiveDate,
    pub targets: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    pub root: Option<&'a str>,
    pub summary: &'a Summary,
    pub images: &'a I,
    pub findings: &'a [Finding],
    pub pages_failed: &'a [PageFailure],
}

impl<'a> Parts<'a, [crate::model::ImageReport]> {
    /// The parts of a report already in memory.
    pub fn of(report: &'a Report) -> Self {
        Parts {
            version: report.version,
            tool: &report.tool,
            as_of: report.as_of,
            targets: &report.targets,
            root: report.root.as_deref(),
            summary: &report.summary,
            images: &report.images,
            findings: &report.findings,
            pages_failed: &report.pages_failed,
        }
    }
}

/// Write the report to `out` as it is serialized: the same bytes as [`render`].
pub fn write<I: Serialize + ?Sized>(out: &mut dyn Write, parts: &Parts<'_, I>) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, parts)?;
    out.write_all(b"\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{ImageReport, Metadata, Severity, SeverityCounts};

    fn report(root: Option<&str>, images: usize) -> Report {
        Report {
            version: 1,
            tool: Tool::default(),
            as_of: NaiveDate::from_ymd_opt(2026, 11, 15).unwrap(),
            targets: vec!["site".into()],
            root: root.map(String::from),
            summary: Summary {
                pages: 2,
                images,
                findings: SeverityCounts {
                    error: 1,
                    ..SeverityCounts::default()
                },
                suppressed: 0,
            },
            images: (0..images)
                .map(|i| ImageReport {
                    url: None,
                    path: format!("images/{i}.jpg"),
                    sha256: Some(format!("{i:064x}")),
                    phash: None,
                    format: Some("jpeg".into()),
                    width: Some(1600),
                    height: Some(1067),
                    bytes: 1234,
                    metadata: Metadata {
                        gps_position: Some((47.1 + i as f64 / 3.0, -8.5)),
                        gps: true,
                        ..Metadata::default()
                    },
                    faces: None,
                    ledger: None,
                    matched_by: None,
                    error: None,
                    uses: Vec::new(),
                    thumbnail: Some(vec![1, 2, 3]),
                })
                .collect(),
            findings: vec![Finding {
                rule: "unknown-provenance".into(),
                severity: Severity::Error,
                image: "images/0.jpg".into(),
                page: Some("index.html".into()),
                line: Some(3),
                column: Some(5),
                message: "no record \"quoted\"".into(),
                evidence: [("sha256".to_string(), serde_json::json!("00"))].into(),
                fix: "Add an [[asset]]".into(),
                snippet: None,
                fingerprint: "f".into(),
                suppressed: None,
            }],
            pages_failed: vec![PageFailure {
                page: "broken.html".into(),
                reason: "not UTF-8".into(),
            }],
            rules: Vec::new(),
        }
    }

    #[test]
    fn written_parts_are_the_rendered_report_byte_for_byte() {
        for (root, images) in [(Some("site"), 3), (None, 0)] {
            let report = report(root, images);
            let mut written = Vec::new();
            write(&mut written, &Parts::of(&report)).unwrap();
            assert_eq!(String::from_utf8(written).unwrap(), render(&report));
        }
    }
}
