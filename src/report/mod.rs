//! Reports: one [`Report`] rendered into each output format. No format
//! re-derives facts; each only chooses what to show and how.

pub mod html;
pub mod json;
pub mod junit;
pub mod markdown;
pub mod sarif;
pub mod text;

use crate::model::Report;

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
}

/// Render `report` as `format`. `color` only affects text.
pub fn render(report: &Report, format: Format, color: bool) -> String {
    match format {
        Format::Text => text::render(report, color),
        Format::Json => json::render(report),
        Format::Sarif => sarif::render(report),
        Format::Junit => junit::render(report),
        Format::Markdown => markdown::render(report),
        Format::Html => html::render(report),
    }
}
