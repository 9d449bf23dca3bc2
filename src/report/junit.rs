//! JUnit XML, for CI dashboards (GitLab, Jenkins, Azure) that show test reports.
//!
//! A testsuite per page, a testcase per image use on that page, a `<failure>` per
//! finding at or above the gate (`--fail-on`, default error). Findings below the
//! gate and suppressed findings go to the testcase's `<system-out>`, so nothing is
//! dropped. Pages that could not be read are suites with an `<error>` testcase.
//!
//! The `failures` attribute counts failed testcases (one image use with two error
//! findings is one failed test), as JUnit consumers expect; each failing finding is
//! still its own `<failure>` element.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::model::{Finding, Report, Severity};
use crate::report::sarif::{artifact_location, repo_relative_path};

/// Suite name for findings that are tied to no page.
pub const NO_PAGE_SUITE: &str = "(not on a page)";

/// Renders with the default gate: error findings are failures.
pub fn render(report: &Report) -> String {
    render_gated(report, Some(Severity::Error))
}

/// Renders with findings at or above `fail_on` as failures; `None` (`--fail-on never`)
/// reports every finding in `<system-out>` and fails no test.
pub fn render_gated(report: &Report, fail_on: Option<Severity>) -> String {
    let suites = build_suites(report);
    let is_failure =
        |f: &Finding| f.suppressed.is_none() && fail_on.is_some_and(|gate| f.severity >= gate);

    let mut total_tests = 0;
    let mut total_failures = 0;
    let mut body = String::new();
    for (page, cases) in &suites {
        let failures = cases
            .iter()
            .filter(|c| c.findings.iter().any(|f| is_failure(f)))
            .count();
        total_tests += cases.len();
        total_failures += failures;
        let file = (page.as_str() != NO_PAGE_SUITE).then(|| page_file(report, page));
        let _ = writeln!(
            body,
            r#"  <testsuite name="{}" tests="{}" failures="{}" errors="0" skipped="0">"#,
            escape(page),
            cases.len(),
            failures
        );
        for case in cases {
            write_case(&mut body, page, file.as_deref(), case, &is_failure);
        }
        body.push_str("  </testsuite>\n");
    }
    for failed in &report.pages_failed {
        total_tests += 1;
        let _ = writeln!(
            body,
            concat!(
                r#"  <testsuite name="{page}" tests="1" failures="0" errors="1" skipped="0">"#,
                "\n",
                r#"    <testcase classname="{page}" name="read page">"#,
                "\n",
                r#"      <error type="page-unreadable" message="{reason}">{reason}</error>"#,
                "\n    </testcase>\n  </testsuite>"
            ),
            page = escape(&failed.page),
            reason = escape(&failed.reason),
        );
    }

    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        r#"<testsuites name="{}" tests="{}" failures="{}" errors="{}" skipped="0">"#,
        escape(&report.tool.name),
        total_tests,
        total_failures,
        report.pages_failed.len()
    );
    out.push_str(&body);
    out.push_str("</testsuites>\n");
    out
}

/// The page as a file in the repository (local scans) or its URL (crawls).
fn page_file(report: &Report, page: &str) -> String {
    let location = artifact_location(report, page);
    if location.uri_base_id.is_some() {
        // Unencoded, as people and GitLab's file links read a path.
        repo_relative_path(report.root.as_deref(), page)
    } else {
        location.uri
    }
}

struct Case<'a> {
    image: &'a str,
    /// Both names a finding may use for the image: its site path and its URL.
    image_url: Option<&'a str>,
    line: Option<u32>,
    findings: Vec<&'a Finding>,
}

impl Case<'_> {
    fn shows(&self, image: &str) -> bool {
        self.image == image || self.image_url == Some(image)
    }
}

/// Pages (sorted) with their image uses (in line order), each holding its findings.
fn build_suites(report: &Report) -> BTreeMap<String, Vec<Case<'_>>> {
    let mut suites: BTreeMap<String, Vec<Case>> = BTreeMap::new();
    for image in &report.images {
        for u in &image.uses {
            suites.entry(u.page.clone()).or_default().push(Case {
                image: &image.path,
                image_url: image.url.as_deref(),
                line: Some(u.line),
                findings: vec![],
            });
        }
    }
    for cases in suites.values_mut() {
        cases.sort_by_key(|c| (c.line, c.image));
    }
    for f in &report.findings {
        let page = f.page.as_deref().unwrap_or(NO_PAGE_SUITE);
        let cases = suites.entry(page.to_string()).or_default();
        // The use on the finding's line when the image appears twice on the page.
        let found = cases
            .iter()
            .position(|c| c.shows(&f.image) && f.line.is_some() && c.line == f.line)
            .or_else(|| cases.iter().position(|c| c.shows(&f.image)));
        match found {
            Some(i) => cases[i].findings.push(f),
            // A finding about a reference that never became an image use (a broken
            // or outside-root reference) still needs a testcase to show up.
            None => cases.push(Case {
                image: &f.image,
                image_url: None,
                line: f.line,
                findings: vec![f],
            }),
        }
    }
    suites
}

fn write_case(
    out: &mut String,
    page: &str,
    file: Option<&str>,
    case: &Case,
    is_failure: &dyn Fn(&Finding) -> bool,
) {
    let name = match case.line {
        Some(line) => format!("{} (line {line})", case.image),
        None => case.image.to_string(),
    };
    let _ = write!(
        out,
        r#"    <testcase classname="{}" name="{}""#,
        escape(page),
        escape(&name)
    );
    if let Some(file) = file {
        let _ = write!(out, r#" file="{}""#, escape(file));
    }
    if let Some(line) = case.line {
        let _ = write!(out, r#" line="{line}""#);
    }
    if case.findings.is_empty() {
        out.push_str("/>\n");
        return;
    }
    out.push_str(">\n");
    let mut system_out = String::new();
    for f in &case.findings {
        if is_failure(f) {
            let _ = writeln!(
                out,
                r#"      <failure type="{}" message="{}">{}</failure>"#,
                escape(&f.rule),
                escape(&f.message),
                escape(&describe(f))
            );
        } else {
            system_out.push_str(&describe(f));
            system_out.push('\n');
        }
    }
    if !system_out.is_empty() {
        let _ = writeln!(
            out,
            "      <system-out>{}</system-out>",
            escape(&system_out)
        );
    }
    out.push_str("    </testcase>\n");
}

/// The finding as plain text, the way the text report reads.
fn describe(f: &Finding) -> String {
    let mut s = format!("{} [{}] {}", f.severity.as_str(), f.rule, f.message);
    if let Some(sup) = &f.suppressed {
        let why = match sup {
            crate::model::Suppression::Config { reason } => format!("config: {reason}"),
            crate::model::Suppression::Inline => "inline data-clearance-ignore".to_string(),
            crate::model::Suppression::Baseline => "baseline".to_string(),
        };
        let _ = write!(s, " (suppressed: {why})");
    }
    let _ = write!(s, "\n  image: {}", f.image);
    if let Some(page) = &f.page {
        let _ = write!(s, "\n  page: {page}");
        if let Some(line) = f.line {
            let _ = write!(s, ":{line}");
        }
    }
    for (key, value) in &f.evidence {
        let value = match value {
            serde_json::Value::String(v) => v.clone(),
            other => other.to_string(),
        };
        let _ = write!(s, "\n  evidence {key}: {value}");
    }
    if !f.fix.is_empty() {
        let _ = write!(s, "\n  fix: {}", f.fix);
    }
    if let Some(snippet) = &f.snippet {
        let _ = write!(s, "\n  snippet:\n{snippet}");
    }
    s
}

/// Escapes text for XML content and attribute values. Characters XML 1.0 cannot
/// carry at all, even escaped (most C0 controls), become U+FFFD so a hostile file
/// name cannot make the whole report unparseable.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Attribute values normalise raw newlines to spaces; keep them as references.
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            '\t' => out.push_str("&#9;"),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_keeps_xml_well_formed() {
        assert_eq!(escape(r#"a<b>&"c"'"#), "a&lt;b&gt;&amp;&quot;c&quot;&apos;");
        assert_eq!(escape("bell\u{7}"), "bell\u{FFFD}");
        assert_eq!(escape("two\nlines"), "two&#10;lines");
    }
}
