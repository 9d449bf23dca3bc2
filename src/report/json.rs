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

/// A report's fields by reference, in [`Report`]'s order, where `images` is
/// any [`Elements`] that serialize as [`crate::model::ImageReport`]s: a scan
/// streams them from disk rather than hold every image's evidence.
pub struct Parts<'a> {
    pub version: u32,
    pub tool: &'a Tool,
    pub as_of: NaiveDate,
    pub targets: &'a [String],
    pub root: Option<&'a str>,
    pub summary: &'a Summary,
    pub images: &'a dyn Elements,
    pub findings: &'a [Finding],
    pub pages_failed: &'a [PageFailure],
}

/// A list whose elements can be serialized one by one, from any thread.
pub trait Elements: Sync {
    fn count(&self) -> usize;
    /// Append element `i`, pretty-printed as `serde_json` would at the top level.
    fn write_element(&self, i: usize, buf: &mut Vec<u8>) -> io::Result<()>;
}

impl<T: Serialize + Sync> Elements for [T] {
    fn count(&self) -> usize {
        self.len()
    }

    fn write_element(&self, i: usize, buf: &mut Vec<u8>) -> io::Result<()> {
        Ok(serde_json::to_writer_pretty(buf, &self[i])?)
    }
}

impl<T: Serialize + Sync> Elements for Vec<T> {
    fn count(&self) -> usize {
        self.len()
    }

    fn write_element(&self, i: usize, buf: &mut Vec<u8>) -> io::Result<()> {
        self.as_slice().write_element(i, buf)
    }
}

impl<'a> Parts<'a> {
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

/// Elements serialized per parallel task, and tasks per wave: a wave's output
/// is all that is held before it is written.
const ELEMENTS_PER_TASK: usize = 64;
const TASKS_PER_WAVE: usize = 8;

/// Write the report to `out`: the same bytes as [`render`] (serde_json's
/// pretty printer), with the long lists serialized in parallel, a wave at a time.
/// Written by hand because serde_json's serializer is sequential: for a large
/// site it was the one part of a scan that did not use every core.
pub fn write(out: &mut dyn Write, parts: &Parts<'_>) -> io::Result<()> {
    field(out, true, "version", &parts.version)?;
    field(out, false, "tool", parts.tool)?;
    field(out, false, "as_of", &parts.as_of)?;
    field(out, false, "targets", &parts.targets)?;
    if let Some(root) = parts.root {
        field(out, false, "root", &root)?;
    }
    field(out, false, "summary", parts.summary)?;
    list(out, "images", parts.images)?;
    list(out, "findings", parts.findings)?;
    field(out, false, "pages_failed", &parts.pages_failed)?;
    out.write_all(b"\n}\n")
}

/// `"name": value` inside the top-level object, as the pretty printer writes it.
fn field(out: &mut dyn Write, first: bool, name: &str, value: &impl Serialize) -> io::Result<()> {
    out.write_all(if first { b"{\n  \"" } else { b",\n  \"" })?;
    out.write_all(name.as_bytes())?;
    out.write_all(b"\": ")?;
    let json = serde_json::to_vec_pretty(value)?;
    write_indented(out, &json, b"  ")
}

/// A list field, its elements serialized in parallel and written in order.
fn list(out: &mut dyn Write, name: &str, elements: &(impl Elements + ?Sized)) -> io::Result<()> {
    use rayon::prelude::*;
    out.write_all(b",\n  \"")?;
    out.write_all(name.as_bytes())?;
    let count = elements.count();
    if count == 0 {
        return out.write_all(b"\": []");
    }
    out.write_all(b"\": [\n")?;
    let wave = ELEMENTS_PER_TASK * TASKS_PER_WAVE;
    for start in (0..count).step_by(wave) {
        let end = (start + wave).min(count);
        let chunks: Vec<io::Result<Vec<u8>>> = (start..end)
            .step_by(ELEMENTS_PER_TASK)
            .collect::<Vec<_>>()
            .into_par_iter()
            .map(|from| {
                let mut chunk = Vec::new();
                let mut element = Vec::new();
                for i in from..(from + ELEMENTS_PER_TASK).min(end) {
                    if i > 0 {
                        chunk.extend_from_slice(b",\n");
                    }
                    element.clear();
                    elements.write_element(i, &mut element)?;
                    chunk.extend_from_slice(b"    ");
                    write_indented(&mut chunk, &element, b"    ")?;
                }
                Ok(chunk)
            })
            .collect();
        for chunk in chunks {
            out.write_all(&chunk?)?;
        }
    }
    out.write_all(b"\n  ]")
}

/// Copy pretty-printed JSON, indenting every line after the first by `indent`
/// (a JSON string never holds a raw newline, so every newline is between tokens).
fn write_indented(out: &mut (impl Write + ?Sized), json: &[u8], indent: &[u8]) -> io::Result<()> {
    let mut lines = json.split(|&b| b == b'\n');
    if let Some(first) = lines.next() {
        out.write_all(first)?;
    }
    for line in lines {
        out.write_all(b"\n")?;
        out.write_all(indent)?;
        out.write_all(line)?;
    }
    Ok(())
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
                evidence: [("sha256", serde_json::json!("00"))].into_iter().collect(),
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
        // Past one wave, so waves join as the pretty printer would.
        let many = ELEMENTS_PER_TASK * TASKS_PER_WAVE + 5;
        for (root, images) in [(Some("site"), 3), (None, 0), (Some("site"), many)] {
            let report = report(root, images);
            let mut written = Vec::new();
            write(&mut written, &Parts::of(&report)).unwrap();
            assert_eq!(String::from_utf8(written).unwrap(), render(&report));
        }
    }
}
