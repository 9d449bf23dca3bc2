//! What a crawl may do: scope, limits and politeness, with defaults safe for a whole district site.

use std::time::Duration;

/// Settings for one crawl. `Default` is what `clearance scan https://…` uses without options.
#[derive(Debug, Clone)]
pub struct CrawlConfig {
    /// Hosts besides the start URL's whose pages are crawled too (`blog.example.org`,
    /// or `host:port` for a non-default port). Images are fetched from any host regardless.
    pub hosts: Vec<String>,
    /// Pages whose site path ([`super::page_path`]) matches are neither fetched nor
    /// delivered: clearance.toml's `exclude`, applied before the request so an excluded
    /// calendar or archive cannot eat the crawl's budget.
    pub exclude: Option<globset::GlobSet>,
    /// Query parameters dropped when normalising URLs; a trailing `*` matches a prefix (`utm_*`).
    pub tracking_params: Vec<String>,
    /// Pages fetched at most; pages found beyond it are reported as not fetched.
    pub max_pages: usize,
    /// Sitemaps and feeds fetched at most (a sitemap index or a paged feed can name
    /// thousands); those beyond are reported as not fetched.
    pub max_documents: usize,
    /// Link hops from the start page (sitemap and feed entries count as one hop).
    pub max_depth: u32,
    /// A page (or sitemap, feed) body larger than this is a failure, not truncated.
    pub max_page_bytes: u64,
    pub max_image_bytes: u64,
    /// One request, from connecting to the last body byte.
    pub request_timeout: Duration,
    /// The whole crawl, pages and images; after it nothing more is requested.
    pub deadline: Duration,
    /// Requests in flight to one host at a time.
    pub per_host_concurrency: usize,
    /// Minimum gap between the starts of two requests to one host. A robots.txt
    /// `Crawl-delay` raises it (up to [`CrawlConfig::max_retry_wait`]).
    pub min_delay: Duration,
    pub user_agent: String,
    pub max_redirects: usize,
    /// Further attempts after a 429, 503 or failed connection.
    pub retries: u32,
    /// The longest `Retry-After` (or back-off) honoured; a server asking for more fails the request.
    pub max_retry_wait: Duration,
    /// Image bytes kept in memory so a repeated `read_image` does not fetch again.
    pub image_cache_bytes: u64,
}

/// The product token matched against robots.txt `User-agent` lines.
pub const ROBOTS_AGENT: &str = "clearance";

impl Default for CrawlConfig {
    fn default() -> Self {
        CrawlConfig {
            hosts: Vec::new(),
            exclude: None,
            tracking_params: [
                "utm_*", "fbclid", "gclid", "dclid", "msclkid", "mc_cid", "mc_eid", "_hsenc",
                "_hsmi", "_ga", "_gl", "yclid",
            ]
            .iter()
            .map(|s| s.to_string())
            .collect(),
            max_pages: 5_000,
            max_documents: 1_000,
            max_depth: 25,
            max_page_bytes: 10 * 1024 * 1024,
            max_image_bytes: 50 * 1024 * 1024,
            request_timeout: Duration::from_secs(30),
            deadline: Duration::from_secs(2 * 60 * 60),
            per_host_concurrency: 4,
            min_delay: Duration::from_millis(100),
            user_agent: default_user_agent(),
            max_redirects: 10,
            retries: 2,
            max_retry_wait: Duration::from_secs(60),
            image_cache_bytes: 64 * 1024 * 1024,
        }
    }
}

/// `clearance/0.1.0 (+https://…)`: names the tool, its version and where to read about it.
pub fn default_user_agent() -> String {
    format!(
        "{}/{} (+{})",
        ROBOTS_AGENT,
        env!("CARGO_PKG_VERSION"),
        env!("CARGO_PKG_REPOSITORY")
    )
}
