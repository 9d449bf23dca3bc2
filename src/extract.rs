//! Extraction: one HTML page in, every image use on it out.
//!
//! A pure function of the page's HTML and the site's scope, so it is tested with strings.

use crate::model::{BadReference, ImageUse, Page, Target};
use crate::source::SiteScope;

/// The image uses found on one page, and the references that could not be resolved.
#[derive(Debug, Default)]
pub struct Extraction {
    pub uses: Vec<ImageUse>,
    pub bad: Vec<BadReference>,
}

/// Find every image use on `page`.
pub fn extract(page: &Page, scope: &SiteScope) -> Extraction {
    let _ = (page, scope);
    Extraction::default()
}

/// Resolve one reference as written on the page at `page_url`.
pub fn resolve(page_url: &url::Url, reference: &str, scope: &SiteScope) -> Target {
    let _ = (page_url, reference, scope);
    Target::DataUri
}
