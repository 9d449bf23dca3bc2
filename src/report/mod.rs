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
#[derive(Debug, Clone, Copy)]
pub struct RenderOptions {
    /// ANSI colour (text only).
    pub color: bool,
    /// The gate: JUnit marks findings at or above it as failures (`None`: never).
    pub fail_on: Option<Severity>,
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
