//! Reports: one [`Report`] rendered into each output format. No format
//! re-derives facts; each only chooses what to show and how.

pub mod html;
pub mod json;
pub mod junit;
pub mod markdown;
pub mod sarif;
pub mod text;

use crate::model::{Report, Severity};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Text,
    Json,
    Sarif,
    Junit,
    Markdown,
    Html,
}

impl Format {
    /// Formats that embed thumbnails, which cost a second read of flagged images.
    pub fn wants_thumbnails(self) -> bool {
        self == Format::Html
    }

    /// Formats that show each image's evidence ([`Report::images`]); the others
    /// render from findings and summary alone, so a scan need not load it for them.
    pub fn shows_images(self) -> bool {
        matches!(self, Format::Json | Format::Junit | Format::Html)
    }
}

/// How to render, beyond the format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RenderOptions {
    /// ANSI colour (text only).
    pub color: bool,
    /// The gate: JUnit marks findings at or above it as failures (`None`: never).
    pub fail_on: Option<Severity>,
}

/// Write `report` as `format` to `out`: the same bytes as [`render`]. JSON and
/// text are written as they are produced rather than built in memory first.
pub fn write(
    report: &Report,
    format: Format,
    options: RenderOptions,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    match format {
        Format::Json => json::write(out, &json::Parts::of(report)),
        Format::Text => text::write(report, options.color, out),
        _ => out.write_all(render(report, format, options).as_bytes()),
    }
}

/// Render `report` as `format`.
pub fn render(report: &Report, format: Format, options: RenderOptions) -> String {
    match format {
        Format::Text => text::render(report, options.color),
        Format::Json => json::render(report),
        Format::Sarif => sarif::render(report),
        Format::Junit => junit::render_gated(report, options.fail_on),
        Format::Markdown => markdown::render(report),
        Format::Html => html::render(report),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{ImageReport, Metadata};

    /// The formats said not to show images must render the same without them,
    /// since a scan leaves the images out for them.
    #[test]
    fn formats_that_show_no_images_render_the_same_without_them() {
        let image = ImageReport {
            url: Some("https://example.org/images/a.jpg".into()),
            path: "images/a.jpg".into(),
            sha256: Some("ab".repeat(32)),
            phash: Some("0123456789abcdef".into()),
            format: Some("jpeg".into()),
            width: Some(800),
            height: Some(600),
            bytes: 1000,
            metadata: Metadata {
                creator: Some("Ada".into()),
                ..Metadata::default()
            },
            faces: None,
            ledger: None,
            matched_by: None,
            error: None,
            uses: vec![crate::model::UseReport {
                page: "index.html".into(),
                line: 7,
                column: 3,
                kind: crate::model::RefKind::ImgSrc,
                reference: "images/a.jpg".into(),
                alt: Some("the choir".into()),
                title: None,
                caption: None,
                credit: None,
            }],
            thumbnail: None,
        };
        let with = Report {
            version: 1,
            tool: crate::model::Tool::default(),
            as_of: chrono::NaiveDate::from_ymd_opt(2026, 11, 15).unwrap(),
            targets: vec!["site".into()],
            root: Some("site".into()),
            summary: crate::model::Summary {
                pages: 1,
                images: 1,
                ..Default::default()
            },
            images: vec![image],
            findings: Vec::new(),
            pages_failed: Vec::new(),
            rules: Vec::new(),
        };
        let options = RenderOptions {
            color: false,
            fail_on: Some(Severity::Error),
        };
        let mut without = with.clone();
        without.images.clear();
        for format in [
            Format::Text,
            Format::Json,
            Format::Sarif,
            Format::Junit,
            Format::Markdown,
            Format::Html,
        ] {
            let same = render(&with, format, options) == render(&without, format, options);
            assert_eq!(same, !format.shows_images(), "{format:?}");
            let mut written = Vec::new();
            write(&with, format, options, &mut written).unwrap();
            assert!(
                written == render(&with, format, options).into_bytes(),
                "{format:?}: written differs from rendered"
            );
        }
    }

    #[test]
    fn a_writer_error_reaches_the_caller_in_every_format() {
        struct Broken;
        impl std::io::Write for Broken {
            fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
                Err(std::io::ErrorKind::BrokenPipe.into())
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        let report = Report {
            version: 1,
            tool: crate::model::Tool::default(),
            as_of: chrono::NaiveDate::from_ymd_opt(2026, 11, 15).unwrap(),
            targets: Vec::new(),
            root: None,
            summary: crate::model::Summary::default(),
            images: Vec::new(),
            findings: Vec::new(),
            pages_failed: Vec::new(),
            rules: Vec::new(),
        };
        let options = RenderOptions {
            color: false,
            fail_on: None,
        };
        for format in [Format::Text, Format::Json, Format::Html] {
            let err = write(&report, format, options, &mut Broken).unwrap_err();
            assert_eq!(err.kind(), std::io::ErrorKind::BrokenPipe, "{format:?}");
        }
    }
}
