//! The terminal report: findings grouped by page, a summary line, colour on a TTY.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::io;

use anstyle::{AnsiColor, Style};

use crate::model::{Finding, Report, Severity};

fn style_for(severity: Severity) -> Style {
    match severity {
        Severity::Error => AnsiColor::Red.on_default().bold(),
        Severity::Warning => AnsiColor::Yellow.on_default().bold(),
        Severity::Info => AnsiColor::Cyan.on_default(),
    }
}

pub fn render(report: &Report, color: bool) -> String {
    let mut out = String::new();
    write_to(report, color, &mut out);
    out
}

/// Write the report to `out` as it is produced: the same bytes as [`render`],
/// without holding them all.
pub fn write(report: &Report, color: bool, out: &mut dyn io::Write) -> io::Result<()> {
    let mut sink = IoSink { out, error: None };
    write_to(report, color, &mut sink);
    sink.error.map_or(Ok(()), Err)
}

/// `fmt::Write` over `io::Write`, keeping the first I/O error (which
/// `fmt::Error` cannot carry) and writing nothing after it.
struct IoSink<'a> {
    out: &'a mut dyn io::Write,
    error: Option<io::Error>,
}

impl Write for IoSink<'_> {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        if self.error.is_some() {
            return Err(std::fmt::Error);
        }
        self.out.write_all(s.as_bytes()).map_err(|e| {
            self.error = Some(e);
            std::fmt::Error
        })
    }
}

fn write_to(report: &Report, color: bool, out: &mut impl Write) {
    let paint = |style: Style, text: &str| -> String {
        if color {
            format!("{style}{text}{style:#}")
        } else {
            text.to_string()
        }
    };
    let bold = Style::new().bold();
    let dim = Style::new().dimmed();

    let mut by_page: BTreeMap<&str, Vec<&Finding>> = BTreeMap::new();
    for f in &report.findings {
        by_page
            .entry(f.page.as_deref().unwrap_or("(no page)"))
            .or_default()
            .push(f);
    }
    for (page, findings) in &by_page {
        let _ = writeln!(out, "{}", paint(bold, page));
        for f in findings {
            let location = match (f.line, f.column) {
                (Some(l), Some(c)) => format!("{page}:{l}:{c}"),
                (Some(l), None) => format!("{page}:{l}"),
                _ => page.to_string(),
            };
            let label = match &f.suppressed {
                None => paint(style_for(f.severity), f.severity.as_str()),
                Some(_) => paint(dim, "suppressed"),
            };
            let _ = writeln!(out, "  {label}[{}] {}", f.rule, f.message);
            let _ = writeln!(out, "    {} {location}  {}", paint(dim, "at"), f.image);
            if f.suppressed.is_none() {
                let _ = writeln!(out, "    {} {}", paint(dim, "fix:"), f.fix);
            }
        }
        let _ = out.write_char('\n');
    }
    for failure in &report.pages_failed {
        let _ = writeln!(
            out,
            "{} {}: {}",
            paint(style_for(Severity::Warning), "page not scanned"),
            failure.page,
            failure.reason
        );
    }
    let c = report.summary.findings;
    let mut line = format!(
        "{} pages, {} images: {} errors, {} warnings, {} info",
        report.summary.pages, report.summary.images, c.error, c.warning, c.info
    );
    if report.summary.suppressed > 0 {
        let _ = write!(line, " ({} suppressed)", report.summary.suppressed);
    }
    let verdict = if c.error == 0 && c.warning == 0 {
        paint(AnsiColor::Green.on_default().bold(), "clear")
    } else if c.error == 0 {
        paint(style_for(Severity::Warning), "review")
    } else {
        paint(style_for(Severity::Error), "not cleared")
    };
    let _ = writeln!(out, "{verdict}: {line} (as of {})", report.as_of);
}

/// `clearance inspect`: one image's rights evidence as a readable card.
pub fn rights_card(image: &crate::model::ImageReport) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{}", image.path);
    let mut row = |label: &str, value: Option<String>| {
        if let Some(v) = value {
            let _ = writeln!(out, "  {label:<18} {v}");
        }
    };
    row("error", image.error.clone());
    row("format", image.format.clone());
    row(
        "size",
        image
            .width
            .zip(image.height)
            .map(|(w, h)| format!("{w} x {h} px, {} bytes", image.bytes)),
    );
    row("sha256", image.sha256.clone());
    row("phash", image.phash.clone());
    let m = &image.metadata;
    row("creator", m.creator.clone());
    row("copyright", m.copyright.clone());
    row("credit", m.credit.clone());
    row("source", m.source.clone());
    row("licence", m.license.clone());
    row("licence URL", m.license_url.clone());
    row("attribution name", m.attribution_name.clone());
    row("attribution URL", m.attribution_url.clone());
    row("usage terms", m.usage_terms.clone());
    row("web statement", m.web_statement.clone());
    row(
        "marked",
        m.marked.map(|b| {
            if b {
                "rights-managed".into()
            } else {
                "public domain".into()
            }
        }),
    );
    row("licensor", m.licensor.clone());
    row("copyright owner", m.copyright_owner.clone());
    row("model release", m.model_release.clone());
    row("property release", m.property_release.clone());
    row(
        "persons shown",
        (!m.persons_shown.is_empty()).then(|| m.persons_shown.join(", ")),
    );
    row("minor model age", m.minor_model_age.clone());
    row(
        "source type",
        m.digital_source_type.clone().map(|t| {
            if m.ai_generated {
                format!("{t} (AI-generated)")
            } else {
                t
            }
        }),
    );
    row(
        "GPS",
        m.gps.then(|| match m.gps_position {
            Some((lat, lon)) => format!("{lat:.6}, {lon:.6}"),
            None => "present".into(),
        }),
    );
    row("title", m.title.clone());
    row("description", m.description.clone());
    row(
        "camera",
        match (&m.camera_make, &m.camera_model) {
            (None, None) => None,
            (a, b) => Some(
                format!(
                    "{} {}",
                    a.as_deref().unwrap_or(""),
                    b.as_deref().unwrap_or("")
                )
                .trim()
                .to_string(),
            ),
        },
    );
    row("date taken", m.date_taken.clone());
    if let Some(faces) = &image.faces {
        let recognizable = faces.iter().filter(|f| f.recognizable).count();
        row(
            "faces",
            Some(format!(
                "{} detected, {recognizable} recognizable",
                faces.len()
            )),
        );
        for f in faces {
            row(
                "",
                Some(format!(
                    "{}x{} at ({}, {}), score {:.1}{}",
                    f.w,
                    f.h,
                    f.x,
                    f.y,
                    f.score,
                    if f.recognizable { ", recognizable" } else { "" }
                )),
            );
        }
    }
    for w in &m.warnings {
        row("warning", Some(w.clone()));
    }
    if !image.metadata.has_rights_info() && image.error.is_none() {
        let _ = writeln!(out, "  (no embedded rights metadata)");
    }
    out.push('\n');
    out
}
