//! Sources of pages and image bytes: a built site folder, or a live site over HTTP.
//!
//! Nothing downstream knows which one ran: both deliver [`Page`]s, resolve
//! references through the same [`SiteScope`], and read image bytes by [`ImageKey`].

pub mod crawl;
pub mod embedded;
pub mod local;

use crate::model::{ImageKey, Page, PageFailure};

/// What a source knows about the site's address space, used to resolve references.
#[derive(Debug, Clone)]
pub struct SiteScope {
    /// The site's base URL. Local scans without `base_url` use a placeholder host.
    pub base: url::Url,
    /// True for a local folder: references under `base` become [`ImageKey::Local`].
    /// False for a crawl: every image is [`ImageKey::Remote`], by URL (both
    /// but those embedded as `data:` URIs, [`ImageKey::Embedded`]).
    pub local: bool,
}

/// Image bytes as read, with what the evidence cache keys on.
#[derive(Debug, Clone, Default)]
pub struct ImageBytes {
    pub bytes: Vec<u8>,
    /// `NAME.xmp` beside a local image (or fetched beside a remote one).
    pub sidecar: Option<Vec<u8>>,
}

/// Why an image's bytes could not be had. Becomes an `unreadable-image` finding.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum FetchError {
    #[error("file not found: {0}")]
    NotFound(String),
    #[error("HTTP {status} for {url}")]
    Http { status: u16, url: String },
    #[error("{0}")]
    Io(String),
    #[error("timed out after {secs}s fetching {url}")]
    Timeout { secs: u64, url: String },
    #[error("{url} was served as `{content_type}`, not an image")]
    NotAnImage { url: String, content_type: String },
    #[error("{url} is larger than the limit of {limit} bytes")]
    TooLarge { url: String, limit: u64 },
    #[error("{0}")]
    NotFetched(String),
}

/// Why a source could not start at all (exit 2).
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    #[error("site root {path} is not a readable folder: {reason}")]
    Root { path: String, reason: String },
    #[error("start URL {url} could not be fetched: {reason}")]
    Start { url: String, reason: String },
}

/// What a source answers when asked for an embedded image's bytes.
fn embedded_elsewhere(label: &str) -> FetchError {
    FetchError::NotFetched(format!(
        "{label} is embedded in its page; it is read from there, not from the site"
    ))
}

/// A cheap identity of an image's current bytes (size + mtime, or ETag), for the cache.
pub type Validator = String;

pub trait Source: Send + Sync {
    /// The target as the user gave it.
    fn describe(&self) -> String;
    fn scope(&self) -> &SiteScope;
    /// Deliver every page to `sink`; pages that fail are returned, not skipped.
    fn pages(&self, sink: &mut dyn FnMut(Page)) -> Result<Vec<PageFailure>, SourceError>;
    /// Read one image's bytes. An [`ImageKey::Embedded`] image is not a
    /// source's to read: the pipeline decodes it from its page's `data:` URI.
    fn read_image(&self, key: &ImageKey) -> Result<ImageBytes, FetchError>;
    /// A validator for the image's current bytes without reading them, if the source has one.
    fn validator(&self, _key: &ImageKey) -> Option<Validator> {
        None
    }
}
