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
