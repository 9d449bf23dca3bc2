//! junit report (being built).

use crate::model::Report;

pub fn render(report: &Report) -> String {
    super::json::render(report)
}
