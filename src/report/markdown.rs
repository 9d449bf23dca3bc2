//! Markdown, for a pull-request comment or `$GITHUB_STEP_SUMMARY`.
//!
//! A summary line, a per-rule count table, then one table of findings
//! (page, image, rule, severity, fix). Past [`COLLAPSE_AFTER`] findings the table is
//! split per page inside `<details>`, so a long report stays scannable. Suppressed
//! findings are listed last, collapsed. Every table row is one finding.
//!
//! [`render_limited`] stops adding rows before a size limit (GitHub refuses a
//! pull-request comment over 65,536 characters) and says how many it left out.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::model::{Finding, Report, Severity, SeverityCounts, Suppression};

/// Above this many findings, the findings table is collapsed per page.
pub const COLLAPSE_AFTER: usize = 25;

const TABLE_HEAD: &str = "| Page | Image | Rule | Severity | Fix |\n|---|---|---|---|---|\n";

/// GitHub's limit on the body of an issue or pull-request comment, in characters.
pub const PR_COMMENT_LIMIT: usize = 65_536;

/// Room kept for closing tags and the "not shown" note once rows stop.
const RESERVE: usize = 512;

/// The whole report, every finding a row (for `$GITHUB_STEP_SUMMARY`, files).
pub fn render(report: &Report) -> String {
    render_limited(report, usize::MAX)
}

/// The report in at most about `max_len` bytes: past it, rows are left out (worst
/// findings are kept first in the short table) and a closing line counts them.
pub fn render_limited(report: &Report, max_len: usize) -> String {
    let mut rows = Rows {
        limit: max_len.saturating_sub(RESERVE),
        omitted: 0,
    };
    let mut out = String::new();
    let active: Vec<&Finding> = report
        .findings
        .iter()
        .filter(|f| f.suppressed.is_none())
        .collect();
    let suppressed: Vec<&Finding> = report
        .findings
        .iter()
        .filter(|f| f.suppressed.is_some())
        .collect();
    let counts = count(&active);

    let _ = writeln!(out, "## {} report\n", html(&report.tool.name));
    let _ = write!(
        out,
        "**{}**, {}, {} in {} and {} (as of {}).",
        plural(counts.error, "error"),
        plural(counts.warning, "warning"),
        plural(counts.info, "info"),
        plural(report.summary.pages, "page"),
        plural(report.summary.images, "image"),
        report.as_of
    );
    if !suppressed.is_empty() {
        let _ = write!(out, " {} suppressed.", plural(suppressed.len(), "finding"));
    }
    out.push_str("\n\n");

    if !report.pages_failed.is_empty() {
        let _ = writeln!(
            out,
            "**{} could not be read:**\n",
            plural(report.pages_failed.len(), "page")
        );
        for failed in &report.pages_failed {
            let _ = writeln!(out, "- {}: {}", cell(&failed.page), cell(&failed.reason));
        }
        out.push('\n');
    }

    if active.is_empty() {
        out.push_str("No findings: every image may be published.\n");
    } else {
        write_rule_table(&mut out, &active);
        out.push_str("### Findings\n\n");
        if active.len() <= COLLAPSE_AFTER {
            let mut sorted = active.clone();
            sorted.sort_by(|a, b| {
                b.severity
                    .cmp(&a.severity)
                    .then_with(|| order(a).cmp(&order(b)))
            });
            out.push_str(TABLE_HEAD);
            for f in sorted {
                rows.write(&mut out, f);
            }
            out.push('\n');
        } else {
            write_per_page(&mut out, &active, &mut rows);
        }
    }

    if !suppressed.is_empty() {
        let _ = writeln!(
            out,
            "<details><summary>{} suppressed</summary>\n",
            plural(suppressed.len(), "finding")
        );
        out.push_str(TABLE_HEAD);
        for f in suppressed {
            rows.write(&mut out, f);
        }
        out.push_str("\n</details>\n");
    }
    if rows.omitted > 0 {
        let _ = writeln!(
            out,
            "\n**{} not shown here** to keep this short: see the HTML, SARIF or JSON report for all of them.",
            plural(rows.omitted, "finding")
        );
    }
    out
}

/// Writes table rows while they fit under the limit, counting the ones left out.
struct Rows {
    limit: usize,
    omitted: usize,
}

impl Rows {
    fn full(&self, out: &str) -> bool {
        out.len() >= self.limit
    }

    fn write(&mut self, out: &mut String, f: &Finding) {
        let row = row(f);
        if out.len() + row.len() > self.limit {
            self.omitted += 1;
        } else {
            out.push_str(&row);
        }
    }
}

fn write_rule_table(out: &mut String, findings: &[&Finding]) {
    let mut by_rule: BTreeMap<&str, SeverityCounts> = BTreeMap::new();
    for f in findings {
        bump(by_rule.entry(&f.rule).or_default(), f.severity);
    }
    out.push_str("| Rule | Errors | Warnings | Info |\n|---|--:|--:|--:|\n");
    for (rule, c) in by_rule {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} |",
            cell(rule),
            c.error,
            c.warning,
            c.info
        );
    }
    out.push('\n');
}

fn write_per_page(out: &mut String, findings: &[&Finding], rows: &mut Rows) {
    let mut by_page: BTreeMap<&str, Vec<&Finding>> = BTreeMap::new();
    for f in findings {
        by_page
            .entry(f.page.as_deref().unwrap_or(""))
            .or_default()
            .push(f);
    }
    for (page, mut list) in by_page {
        if rows.full(out) {
            rows.omitted += list.len();
            continue;
        }
        list.sort_by_key(|f| order(f));
        let c = count(&list);
        let title = if page.is_empty() {
            "not on a page"
        } else {
            page
        };
        let _ = writeln!(
            out,
            "<details><summary><strong>{}</strong>: {}, {}, {}</summary>\n",
            html(title),
            plural(c.error, "error"),
            plural(c.warning, "warning"),
            plural(c.info, "info")
        );
        out.push_str(TABLE_HEAD);
        for f in list {
            rows.write(out, f);
        }
        out.push_str("\n</details>\n\n");
    }
}

/// One finding as one table row, newline included.
fn row(f: &Finding) -> String {
    let page = match (&f.page, f.line) {
        (Some(p), Some(line)) => format!("{p}:{line}"),
        (Some(p), None) => p.clone(),
        (None, _) => String::new(),
    };
    let mut severity = f.severity.as_str().to_string();
    if let Some(s) = &f.suppressed {
        let why = match s {
            Suppression::Config { reason } => format!("config: {reason}"),
            Suppression::Inline => "inline".to_string(),
            Suppression::Baseline => "baseline".to_string(),
        };
        let _ = write!(severity, " (suppressed, {why})");
    }
    let fix: &str = if f.fix.is_empty() { &f.message } else { &f.fix };
    format!(
        "| {} | {} | {} | {} | {} |\n",
        cell(&page),
        cell(&f.image),
        cell(&f.rule),
        cell(&severity),
        cell(fix)
    )
}

fn order(f: &Finding) -> (Option<&str>, Option<u32>, &str, &str) {
    (f.page.as_deref(), f.line, f.image.as_str(), f.rule.as_str())
}

fn count(findings: &[&Finding]) -> SeverityCounts {
    let mut c = SeverityCounts::default();
    for f in findings {
        bump(&mut c, f.severity);
    }
    c
}

fn bump(c: &mut SeverityCounts, s: Severity) {
    match s {
        Severity::Error => c.error += 1,
        Severity::Warning => c.warning += 1,
        Severity::Info => c.info += 1,
    }
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 || word == "info" {
        format!("{n} {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// Escapes text for inline HTML (inside `<summary>`).
fn html(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// Escapes text for one table cell: pipes would split the cell, newlines would end
/// the row, and markdown punctuation in file names or alt text (`_`, `*`, `[`) would
/// turn into formatting or links in a PR comment.
pub(crate) fn cell(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.trim().chars() {
        match c {
            '|' | '\\' | '`' | '*' | '_' | '[' | ']' | '~' | '#' | '!' => {
                out.push('\\');
                out.push(c);
            }
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\n' => out.push_str("<br>"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cell_escapes_pipes_newlines_and_markup() {
        assert_eq!(cell("a|b"), r"a\|b");
        assert_eq!(cell("line1\nline2"), "line1<br>line2");
        assert_eq!(cell("<img src=x>"), "&lt;img src=x&gt;");
        assert_eq!(cell("my_photo [1].jpg"), r"my\_photo \[1\].jpg");
    }

    #[test]
    fn plural_reads_naturally() {
        assert_eq!(plural(1, "error"), "1 error");
        assert_eq!(plural(2, "error"), "2 errors");
        assert_eq!(plural(3, "info"), "3 info");
    }
}
