//! A live site over HTTP as a [`Source`]: pages found by links, sitemaps, feeds and
//! `rel="next"`; image bytes fetched by URL from any host.
//!
//! Async inside, sync outside. The source owns a small multi-thread tokio runtime:
//! one reqwest client multiplexes many connections without a thread each, and
//! per-host politeness is plain semaphores and sleeps. (`reqwest::blocking` would run
//! the same runtime on a hidden thread, so it saves no build time, and would need a
//! thread per concurrent request.) `pages` drives the crawl from the caller's thread
//! with `block_on`, so the page sink (which is not `Send`) runs there while fetches
//! continue on the runtime's workers. `read_image` is called from rayon workers: it
//! hands the fetch to the runtime and waits on a channel, which is safe from any
//! thread, even from inside the page sink.

mod config;
mod discover;
mod fetch;
mod normalize;
mod politeness;
mod robots;
mod sniff;

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::OnceCell;
use tokio::task::JoinSet;
use tokio::time::Instant;
use url::Url;

pub use config::{CrawlConfig, ROBOTS_AGENT, default_user_agent};
pub use fetch::{CrawlLog, RedirectHop};
pub use normalize::{Normalizer, page_path};

use self::discover::{HtmlLinks, XmlDoc};
use self::fetch::{Fetcher, FollowError, HopError};
use self::normalize::{looks_like_non_page, origin_key};
use self::politeness::lock;
use self::robots::Robots;
use super::{FetchError, ImageBytes, SiteScope, Source, SourceError};
use crate::model::{ImageKey, Page, PageFailure};

/// Crawls one site from a start URL.
///
/// ```no_run
/// use clearance::source::Source;
/// use clearance::source::crawl::{CrawlConfig, CrawlSource};
///
/// let site = CrawlSource::new("https://www.example-district.org/", CrawlConfig::default())?;
/// let mut pages = Vec::new();
/// let pages_failed = site.pages(&mut |page| pages.push(page))?; // exit 2 on Err
/// // Later, from any thread (rayon workers): site.read_image(&key)
/// eprintln!("{} requests, {} redirects", site.log().requests, site.log().redirects.len());
/// # Ok::<(), clearance::source::SourceError>(())
/// ```
///
/// Call `pages` once, from a thread outside any tokio runtime (the CLI's main thread).
pub struct CrawlSource {
    crawler: Arc<Crawler>,
    /// `Option` only so `Drop` can shut it down without waiting for slow requests.
    runtime: Option<tokio::runtime::Runtime>,
    scope: SiteScope,
    target: String,
}

impl std::fmt::Debug for CrawlSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CrawlSource")
            .field("target", &self.target)
            .finish()
    }
}

impl CrawlSource {
    /// Prepare a crawl of `start` (nothing is requested yet). Fails with
    /// [`SourceError::Start`] when `start` is not an http(s) URL.
    pub fn new(start: &str, config: CrawlConfig) -> Result<Self, SourceError> {
        let start_err = |reason: String| SourceError::Start {
            url: start.to_string(),
            reason,
        };
        let mut url = Url::parse(start.trim()).map_err(|e| start_err(format!("not a URL: {e}")))?;
        if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
            return Err(start_err("only http and https URLs can be crawled".into()));
        }
        url.set_fragment(None);
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("clearance-crawl")
            .enable_all()
            .build()
            .map_err(|e| start_err(format!("cannot start the HTTP runtime: {e}")))?;
        let fetcher =
            Fetcher::new(&config).map_err(|e| start_err(format!("cannot set up HTTP: {e}")))?;
        let mut scope_hosts = vec![ScopeHost::of(&url)];
        scope_hosts.extend(config.hosts.iter().map(|h| ScopeHost::parse(h)));
        let base = Url::parse(&url.origin().ascii_serialization())
            .map_err(|e| start_err(format!("no origin: {e}")))?;
        let crawler = Crawler {
            norm: Normalizer::new(&config.tracking_params),
            deadline: far_instant(config.deadline),
            images: ImageCache::new(config.image_cache_bytes),
            cfg: config,
            fetcher,
            start: url,
            scope_hosts: Mutex::new(scope_hosts),
            seen: Mutex::new(HashSet::new()),
            robots: Mutex::new(HashMap::new()),
        };
        Ok(CrawlSource {
            crawler: Arc::new(crawler),
            runtime: Some(runtime),
            scope: SiteScope { base, local: false },
            target: start.to_string(),
        })
    }

    /// What the crawl did so far: requests, retries, redirects followed, robots refusals.
    pub fn log(&self) -> CrawlLog {
        lock(&self.crawler.fetcher.log).clone()
    }

    /// The normaliser this crawl dedupes with, so image keys can be built the same way.
    pub fn normalizer(&self) -> &Normalizer {
        &self.crawler.norm
    }

    fn runtime(&self) -> &tokio::runtime::Runtime {
        self.runtime.as_ref().expect("runtime lives until drop")
    }
}

impl Drop for CrawlSource {
    fn drop(&mut self) {
        if let Some(rt) = self.runtime.take() {
            rt.shutdown_background();
        }
    }
}

impl Source for CrawlSource {
    fn describe(&self) -> String {
        self.target.clone()
    }

    fn scope(&self) -> &SiteScope {
        &self.scope
    }

    fn pages(&self, sink: &mut dyn FnMut(Page)) -> Result<Vec<PageFailure>, SourceError> {
        let crawler = Arc::clone(&self.crawler);
        self.runtime().block_on(crawler.crawl(sink))
    }

    /// A `HEAD` request's `ETag` / `Last-Modified`, so the evidence cache can
    /// skip fetching an image that has not changed since the last scan.
    fn validator(&self, key: &ImageKey) -> Option<crate::source::Validator> {
        let ImageKey::Remote(raw) = key else {
            return None;
        };
        let url = Url::parse(raw).ok()?;
        if !matches!(url.scheme(), "http" | "https") || Instant::now() >= self.crawler.deadline {
            return None;
        }
        let (tx, rx) = std::sync::mpsc::channel();
        let crawler = Arc::clone(&self.crawler);
        self.runtime().spawn(async move {
            let _ = tx.send(crawler.fetcher.validators(&url).await);
        });
        let (etag, last_modified) = rx.recv().ok()??;
        Some(format!(
            "etag={};last-modified={}",
            etag.unwrap_or_default(),
            last_modified.unwrap_or_default()
        ))
    }

    fn read_image(&self, key: &ImageKey) -> Result<ImageBytes, FetchError> {
        let raw = match key {
            ImageKey::Remote(u) => u,
            ImageKey::Local(p) => {
                return Err(FetchError::NotFetched(format!(
                    "{p} is a local path; a crawl reads images by URL"
                )));
            }
            ImageKey::Embedded(label) => return Err(crate::source::embedded_elsewhere(label)),
        };
        let url = Url::parse(raw).map_err(|e| FetchError::Io(format!("{raw}: not a URL: {e}")))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(FetchError::Io(format!(
                "{raw}: only http and https images can be fetched"
            )));
        }
        // Spawn and wait on a channel rather than `block_on`: this thread may be a rayon
        // worker or the one inside `pages`' `block_on`, and must not enter the runtime.
        let (tx, rx) = std::sync::mpsc::channel();
        let crawler = Arc::clone(&self.crawler);
        self.runtime().spawn(async move {
            let _ = tx.send(crawler.image(url).await);
        });
        let bytes = rx
            .recv()
            .map_err(|_| FetchError::Io(format!("{raw}: the fetch was cancelled")))??;
        Ok(ImageBytes {
            bytes: bytes.as_ref().clone(),
            sidecar: None,
        })
    }
}

/// A host whose pages are crawled. `port: None` is the scheme's default port, so
/// `http://` links on an `https://` site (old posts) stay in scope and redirect home.
#[derive(Debug, Clone, PartialEq)]
struct ScopeHost {
    host: String,
    port: Option<u16>,
}

impl ScopeHost {
    fn of(url: &Url) -> Self {
        ScopeHost {
            host: url.host_str().unwrap_or("").to_ascii_lowercase(),
            port: url.port(),
        }
    }

    fn parse(spec: &str) -> Self {
        let spec = spec.trim().trim_end_matches('/');
        let spec = spec.split("://").last().unwrap_or(spec);
        match spec
            .rsplit_once(':')
            .and_then(|(h, p)| Some((h, p.parse::<u16>().ok()?)))
        {
            Some((host, port)) => ScopeHost {
                host: host.to_ascii_lowercase(),
                // 80 and 443 are what URLs leave unwritten.
                port: (port != 80 && port != 443).then_some(port),
            },
            None => ScopeHost {
                host: spec.to_ascii_lowercase(),
                port: None,
            },
        }
    }

    fn matches(&self, url: &Url) -> bool {
        url.host_str()
            .is_some_and(|h| h.eq_ignore_ascii_case(&self.host))
            && url.port() == self.port
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Page,
    /// `listed`: named by robots.txt, a sitemap index or a page; a guessed path
    /// (`/sitemap.xml`, `/feed/`) that is missing is not a failure.
    Sitemap {
        listed: bool,
    },
    Feed {
        listed: bool,
    },
}

impl Kind {
    fn reported(self) -> bool {
        match self {
            Kind::Page => true,
            Kind::Sitemap { listed } | Kind::Feed { listed } => listed,
        }
    }

    fn noun(self) -> &'static str {
        match self {
            Kind::Page => "page",
            Kind::Sitemap { .. } => "sitemap",
            Kind::Feed { .. } => "feed",
        }
    }
}

#[derive(Debug, Clone)]
struct Job {
    url: Url,
    kind: Kind,
    depth: u32,
}

enum Outcome {
    Page {
        url: Url,
        html: String,
        links: HtmlLinks,
    },
    Xml {
        url: Url,
        doc: XmlDoc,
    },
    /// Nothing to deliver and nothing wrong: a PDF behind a link, a redirect to a
    /// page already queued, a guessed feed path that does not exist.
    Skipped,
    Failed(String),
}

/// Everything the crawl's tasks share.
struct Crawler {
    cfg: CrawlConfig,
    fetcher: Fetcher,
    norm: Normalizer,
    start: Url,
    deadline: Instant,
    scope_hosts: Mutex<Vec<ScopeHost>>,
    /// Normalised URLs already queued or fetched (pages, sitemaps, feeds, redirect targets).
    seen: Mutex<HashSet<String>>,
    robots: Mutex<HashMap<String, Arc<OnceCell<Arc<Robots>>>>>,
    images: ImageCache,
}

/// The main loop's own state (only the caller's thread touches it).
#[derive(Default)]
struct Frontier {
    pages: VecDeque<Job>,
    /// Sitemaps and feeds go first: they are cheap and name many pages at once.
    docs: VecDeque<Job>,
    failures: Vec<PageFailure>,
    too_deep: HashMap<String, Url>,
    seeded: HashSet<String>,
    pages_started: usize,
    docs_started: usize,
}

const ROBOTS_MAX_BYTES: u64 = 512 * 1024;

fn is_html(content_type: &str) -> bool {
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    essence == "text/html" || essence == "application/xhtml+xml"
}

fn is_xml(content_type: &str) -> bool {
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    essence.ends_with("/xml") || essence.ends_with("+xml")
}

fn describe_follow_error(e: &FollowError, timeout_secs: u64) -> String {
    match e {
        FollowError::Hop(HopError::Timeout) => format!("timed out after {timeout_secs}s"),
        FollowError::Hop(HopError::TooLarge { limit }) => {
            format!("larger than the limit of {limit} bytes")
        }
        FollowError::Hop(HopError::Network(m)) => m.clone(),
        FollowError::Hop(HopError::RetryAfterTooLong { status, secs }) => {
            format!("HTTP {status}: asked to retry after {secs}s, longer than the crawl waits")
        }
        FollowError::Loop(chain) => format!("redirect loop: {}", chain.join(" → ")),
        FollowError::TooMany { limit } => format!("more than {limit} redirects"),
        FollowError::BadLocation(m) | FollowError::Refused(m) => m.clone(),
        FollowError::Duplicate(u) => format!("redirects to {u}, already crawled"),
    }
}

impl Crawler {
    fn in_scope(&self, url: &Url) -> bool {
        lock(&self.scope_hosts).iter().any(|h| h.matches(url))
    }

    /// Mark `url` as taken; false when it already was.
    fn claim(&self, url: &Url) -> bool {
        lock(&self.seen).insert(self.norm.key(url))
    }

    fn robots_now(&self, url: &Url) -> Option<Arc<Robots>> {
        lock(&self.robots)
            .get(&origin_key(url))
            .and_then(|c| c.get().cloned())
    }

    /// The host's robots.txt, fetched once (concurrent callers share the one request).
    async fn robots_for(&self, url: &Url) -> Arc<Robots> {
        let cell = Arc::clone(lock(&self.robots).entry(origin_key(url)).or_default());
        cell.get_or_init(|| self.fetch_robots(url)).await.clone()
    }

    async fn fetch_robots(&self, url: &Url) -> Arc<Robots> {
        let Ok(robots_url) = url.join("/robots.txt") else {
            return Arc::new(Robots::AllowAll);
        };
        let robots = match self
            .fetcher
            .follow(
                &robots_url,
                ROBOTS_MAX_BYTES,
                &self.norm,
                &|_| true,
                &|_| Ok(()),
            )
            .await
        {
            Ok((_, reply)) if reply.status.is_success() => {
                Robots::parse(ROBOTS_AGENT, reply.body.as_deref().unwrap_or_default())
            }
            Ok((_, reply)) if reply.status.is_server_error() => Robots::DisallowAll(format!(
                "{robots_url} answered HTTP {}",
                reply.status.as_u16()
            )),
            // 4xx (and odd 1xx/3xx finals): "unavailable", which RFC 9309 says allows all.
            Ok(_) => Robots::AllowAll,
            Err(FollowError::Hop(HopError::TooLarge { .. })) => Robots::AllowAll,
            Err(e) => Robots::DisallowAll(format!(
                "{robots_url} could not be fetched ({})",
                describe_follow_error(&e, self.fetcher.timeout_secs())
            )),
        };
        if let Some(secs) = robots.crawl_delay().filter(|s| s.is_finite() && *s > 0.0) {
            let gap = Duration::try_from_secs_f32(secs)
                .unwrap_or(Duration::MAX)
                .min(self.cfg.max_retry_wait);
            self.fetcher.widen_gap(url, gap);
        }
        Arc::new(robots)
    }

    /// Fetch one page, sitemap or feed. `is_start` lets the start URL redirect to
    /// another host (`example.org` → `www.example.org`), which then joins the scope.
    async fn run_job(self: Arc<Self>, job: Job, is_start: bool) -> Outcome {
        let want_page = |ct: Option<&str>| ct.is_none_or(|c| is_html(c) || is_xml(c));
        let want_any = |_: Option<&str>| true;
        let want: fetch::WantBody = match job.kind {
            Kind::Page => &want_page,
            _ => &want_any,
        };
        let check = |next: &Url| -> Result<(), FollowError> {
            if !is_start && !self.in_scope(next) {
                return Err(FollowError::Refused(format!(
                    "redirected to {next}, outside the crawl's hosts"
                )));
            }
            if let Some(robots) = self.robots_now(next)
                && !robots.allows(next)
            {
                return Err(FollowError::Refused(format!(
                    "redirected to {next}, which robots.txt disallows"
                )));
            }
            if !self.claim(next) {
                return Err(FollowError::Duplicate(next.clone()));
            }
            Ok(())
        };
        let limit = self.cfg.max_page_bytes;
        let (url, reply) = match self
            .fetcher
            .follow(&job.url, limit, &self.norm, want, &check)
            .await
        {
            Ok(ok) => ok,
            Err(FollowError::Duplicate(_)) => return Outcome::Skipped,
            Err(e) if job.kind.reported() || is_start => {
                return Outcome::Failed(describe_follow_error(&e, self.fetcher.timeout_secs()));
            }
            Err(_) => return Outcome::Skipped,
        };
        if !reply.status.is_success() {
            if !job.kind.reported() && !is_start {
                return Outcome::Skipped;
            }
            let retried = match reply.retried {
                0 => String::new(),
                n => format!(" (after {n} retries)"),
            };
            return Outcome::Failed(format!("HTTP {}{retried}", reply.status.as_u16()));
        }
        let content_type = reply.content_type.clone().unwrap_or_default();
        let Some(body) = reply.body else {
            lock(&self.fetcher.log).not_html.push(url.to_string());
            return Outcome::Skipped;
        };
        let html_body = match job.kind {
            Kind::Page => !is_xml(&content_type) || sniff::looks_like_html(&body),
            _ => sniff::looks_like_html(&body),
        };
        if html_body {
            if job.kind != Kind::Page {
                return match job.kind.reported() {
                    true => Outcome::Failed(format!("the {} is an HTML page", job.kind.noun())),
                    false => Outcome::Skipped,
                };
            }
            let html = sniff::decode_html(&body, &content_type);
            let links = discover::html_links(&html, &url);
            return Outcome::Page { url, html, links };
        }
        let parsed = discover::gunzip_if_needed(body, limit).and_then(|b| discover::parse_xml(&b));
        match parsed {
            Ok(doc) => Outcome::Xml { url, doc },
            Err(e) if job.kind.reported() || is_start => {
                Outcome::Failed(format!("unreadable {}: {e}", job.kind.noun()))
            }
            Err(_) => Outcome::Skipped,
        }
    }

    async fn crawl(
        self: Arc<Self>,
        sink: &mut dyn FnMut(Page),
    ) -> Result<Vec<PageFailure>, SourceError> {
        let start = self.start.clone();
        let start_err = |reason: String| SourceError::Start {
            url: start.to_string(),
            reason,
        };
        let robots = self.robots_for(&start).await;
        if !robots.allows(&start) {
            return Err(start_err(match &*robots {
                Robots::DisallowAll(why) => {
                    format!("{why}; without a readable robots.txt, RFC 9309 forbids crawling")
                }
                _ => format!("robots.txt disallows it for `{ROBOTS_AGENT}`"),
            }));
        }
        let mut st = Frontier::default();
        self.claim(&start);
        let job = Job {
            url: start.clone(),
            kind: Kind::Page,
            depth: 0,
        };
        let outcome = Arc::clone(&self).run_job(job.clone(), true).await;
        let final_url = match &outcome {
            Outcome::Page { url, .. } | Outcome::Xml { url, .. } => url.clone(),
            Outcome::Failed(reason) => return Err(start_err(reason.clone())),
            Outcome::Skipped => {
                return Err(start_err("it is not an HTML page, sitemap or feed".into()));
            }
        };
        if !self.in_scope(&final_url) {
            lock(&self.scope_hosts).push(ScopeHost::of(&final_url));
        }
        let mut origins = vec![start.clone(), final_url.clone()];
        let scheme = start.scheme().to_string();
        origins.extend(self.cfg.hosts.iter().filter_map(|h| {
            let h = h.trim().trim_end_matches('/');
            let h = h.split("://").last().unwrap_or(h);
            Url::parse(&format!("{scheme}://{h}/")).ok()
        }));
        for origin in &origins {
            self.seed(&mut st, origin).await;
        }
        st.pages_started = 1;
        self.handle(&mut st, job, outcome, sink).await;

        let max_in_flight = self.cfg.per_host_concurrency.max(1) * lock(&self.scope_hosts).len();
        let mut tasks: JoinSet<(Job, Outcome)> = JoinSet::new();
        let mut in_flight: HashMap<tokio::task::Id, Job> = HashMap::new();
        let mut out_of_time = false;
        loop {
            while tasks.len() < max_in_flight && Instant::now() < self.deadline {
                let doc = match st.docs_started < self.cfg.max_documents {
                    true => st.docs.pop_front(),
                    false => None,
                };
                let job = match doc {
                    Some(job) => {
                        st.docs_started += 1;
                        job
                    }
                    None if st.pages_started < self.cfg.max_pages => match st.pages.pop_front() {
                        Some(job) => {
                            st.pages_started += 1;
                            job
                        }
                        None => break,
                    },
                    None => break,
                };
                let me = Arc::clone(&self);
                let task_job = job.clone();
                let id = tasks
                    .spawn(async move {
                        let outcome = Arc::clone(&me).run_job(task_job.clone(), false).await;
                        (task_job, outcome)
                    })
                    .id();
                in_flight.insert(id, job);
            }
            if tasks.is_empty() {
                out_of_time = Instant::now() >= self.deadline;
                break;
            }
            match tokio::time::timeout_at(self.deadline, tasks.join_next_with_id()).await {
                Err(_) => {
                    out_of_time = true;
                    break;
                }
                Ok(None) => break,
                Ok(Some(Ok((id, (job, outcome))))) => {
                    in_flight.remove(&id);
                    self.handle(&mut st, job, outcome, sink).await;
                }
                Ok(Some(Err(e))) => {
                    if let Some(job) = in_flight.remove(&e.id()) {
                        st.failures.push(PageFailure {
                            page: job.url.to_string(),
                            reason: format!("the fetch task failed: {e}"),
                        });
                    }
                }
            }
        }
        tasks.abort_all();

        let mut failures = st.failures;
        let unfinished = in_flight.into_values().chain(st.docs).chain(st.pages);
        if out_of_time {
            let why = format!(
                "not fetched: the crawl's total deadline of {}s passed",
                self.cfg.deadline.as_secs()
            );
            failures.extend(
                unfinished
                    .filter(|j| j.kind.reported())
                    .map(|j| PageFailure {
                        page: j.url.to_string(),
                        reason: why.clone(),
                    }),
            );
        } else {
            let pages = format!(
                "not fetched: the crawl stopped at max_pages = {}",
                self.cfg.max_pages
            );
            let docs = format!(
                "not fetched: the crawl stopped at max_documents = {} sitemaps and feeds",
                self.cfg.max_documents
            );
            failures.extend(
                unfinished
                    .filter(|j| j.kind.reported())
                    .map(|j| PageFailure {
                        page: j.url.to_string(),
                        reason: match j.kind {
                            Kind::Page => pages.clone(),
                            _ => docs.clone(),
                        },
                    }),
            );
        }
        let why = format!(
            "not fetched: more than max_depth = {} links from the start page",
            self.cfg.max_depth
        );
        let mut deep: Vec<Url> = st.too_deep.into_values().collect();
        deep.sort();
        failures.extend(deep.into_iter().map(|u| PageFailure {
            page: u.to_string(),
            reason: why.clone(),
        }));
        Ok(failures)
    }

    /// First sight of a crawled host: its robots.txt, then its sitemaps (those robots.txt
    /// names, else `/sitemap.xml`) and the usual feed paths of WordPress and Blogger.
    async fn seed(&self, st: &mut Frontier, origin: &Url) {
        if !st.seeded.insert(origin_key(origin)) {
            return;
        }
        let robots = self.robots_for(origin).await;
        let listed: Vec<Url> = robots
            .sitemaps()
            .iter()
            .filter_map(|s| origin.join(s).ok())
            .collect();
        if listed.is_empty() {
            if let Ok(u) = origin.join("/sitemap.xml") {
                self.enqueue(st, u, Kind::Sitemap { listed: false }, 0)
                    .await;
            }
        }
        for u in listed {
            self.enqueue(st, u, Kind::Sitemap { listed: true }, 0).await;
        }
        for path in ["/feed/", "/feeds/posts/default"] {
            if let Ok(u) = origin.join(path) {
                self.enqueue(st, u, Kind::Feed { listed: false }, 0).await;
            }
        }
    }

    async fn enqueue(&self, st: &mut Frontier, mut url: Url, kind: Kind, depth: u32) {
        if !matches!(url.scheme(), "http" | "https") || !self.in_scope(&url) {
            return;
        }
        url.set_fragment(None);
        if kind == Kind::Page && looks_like_non_page(&url) {
            return;
        }
        if kind == Kind::Page
            && let Some(exclude) = &self.cfg.exclude
            && exclude.is_match(page_path(&url))
        {
            return;
        }
        let key = self.norm.key(&url);
        if kind == Kind::Page && depth > self.cfg.max_depth {
            if !lock(&self.seen).contains(&key) {
                st.too_deep.entry(key).or_insert(url);
            }
            return;
        }
        if !lock(&self.seen).insert(key.clone()) {
            return;
        }
        st.too_deep.remove(&key);
        let robots = self.robots_for(&url).await;
        if !robots.allows(&url) {
            if kind.reported() {
                lock(&self.fetcher.log)
                    .robots_disallowed
                    .push(url.to_string());
                st.failures.push(PageFailure {
                    page: url.to_string(),
                    reason: robots.refusal(),
                });
            }
            return;
        }
        let job = Job { url, kind, depth };
        match kind {
            Kind::Page => st.pages.push_back(job),
            _ => st.docs.push_back(job),
        }
    }

    async fn handle(
        &self,
        st: &mut Frontier,
        job: Job,
        outcome: Outcome,
        sink: &mut dyn FnMut(Page),
    ) {
        // Only HTML pages count against max_pages.
        if job.kind == Kind::Page && !matches!(outcome, Outcome::Page { .. } | Outcome::Failed(_)) {
            st.pages_started = st.pages_started.saturating_sub(1);
        }
        match outcome {
            Outcome::Page { url, html, links } => {
                sink(Page {
                    path: page_path(&url),
                    url,
                    html,
                });
                for u in links.links {
                    self.enqueue(st, u, Kind::Page, job.depth + 1).await;
                }
                // Pagination continues the same list, so it does not go deeper.
                for u in links.next {
                    self.enqueue(st, u, Kind::Page, job.depth).await;
                }
                for u in links.feeds {
                    self.enqueue(st, u, Kind::Feed { listed: true }, job.depth)
                        .await;
                }
            }
            Outcome::Xml { url, doc } => {
                let join = |s: &str| url.join(s.trim()).ok();
                match doc {
                    XmlDoc::SitemapIndex(locs) => {
                        for u in locs.iter().filter_map(|s| join(s)) {
                            self.enqueue(st, u, Kind::Sitemap { listed: true }, job.depth)
                                .await;
                        }
                    }
                    XmlDoc::UrlSet(locs) => {
                        for u in locs.iter().filter_map(|s| join(s)) {
                            self.enqueue(st, u, Kind::Page, job.depth + 1).await;
                        }
                    }
                    XmlDoc::Feed { entries, next } => {
                        for u in entries.iter().filter_map(|s| join(s)) {
                            self.enqueue(st, u, Kind::Page, job.depth + 1).await;
                        }
                        if let Some(u) = next.as_deref().and_then(join) {
                            self.enqueue(st, u, Kind::Feed { listed: true }, job.depth)
                                .await;
                        }
                    }
                    XmlDoc::Other(root) => {
                        if job.kind.reported() && job.kind != Kind::Page {
                            st.failures.push(PageFailure {
                                page: url.to_string(),
                                reason: format!("not a sitemap or feed (root element <{root}>)"),
                            });
                        }
                    }
                }
            }
            Outcome::Skipped => {}
            Outcome::Failed(reason) => {
                let reason = match job.kind {
                    Kind::Page => reason,
                    other => format!("{}: {reason}", other.noun()),
                };
                st.failures.push(PageFailure {
                    page: job.url.to_string(),
                    reason,
                });
            }
        }
    }

    /// An image's bytes, fetched once per normalised URL however many callers ask at once.
    async fn image(self: Arc<Self>, url: Url) -> Result<Arc<Vec<u8>>, FetchError> {
        let key = self.norm.key(&url);
        let cell = self.images.cell(&key);
        let mut fetched_here = false;
        let result = cell
            .get_or_init(|| {
                fetched_here = true;
                self.fetch_image(&url)
            })
            .await
            .clone();
        if fetched_here && let Ok(bytes) = &result {
            self.images.account(key, bytes.len() as u64);
        }
        result
    }

    async fn fetch_image(&self, url: &Url) -> Result<Arc<Vec<u8>>, FetchError> {
        let shown = url.to_string();
        if Instant::now() >= self.deadline {
            return Err(FetchError::NotFetched(format!(
                "{shown}: not fetched, the crawl's total deadline of {}s passed",
                self.cfg.deadline.as_secs()
            )));
        }
        let limit = self.cfg.max_image_bytes;
        let followed = self
            .fetcher
            .follow(url, limit, &self.norm, &|_| true, &|_| Ok(()))
            .await;
        let (final_url, reply) = match followed {
            Ok(ok) => ok,
            Err(FollowError::Hop(HopError::Timeout)) => {
                return Err(FetchError::Timeout {
                    secs: self.fetcher.timeout_secs(),
                    url: shown,
                });
            }
            Err(FollowError::Hop(HopError::TooLarge { limit })) => {
                return Err(FetchError::TooLarge { url: shown, limit });
            }
            Err(FollowError::Hop(HopError::RetryAfterTooLong { status, .. })) => {
                return Err(FetchError::Http { status, url: shown });
            }
            Err(e) => {
                return Err(FetchError::Io(format!(
                    "{shown}: {}",
                    describe_follow_error(&e, self.fetcher.timeout_secs())
                )));
            }
        };
        if !reply.status.is_success() {
            return Err(FetchError::Http {
                status: reply.status.as_u16(),
                url: final_url.to_string(),
            });
        }
        let body = reply.body.unwrap_or_default();
        let content_type = reply.content_type.unwrap_or_default();
        if body.is_empty() {
            return Err(FetchError::Io(format!(
                "{shown}: the response body is empty"
            )));
        }
        if sniff::image_magic(&body).is_some() {
            return Ok(Arc::new(body));
        }
        let claimed_image = content_type
            .trim()
            .to_ascii_lowercase()
            .starts_with("image/");
        if sniff::looks_like_html(&body) || !claimed_image {
            let mut shown_type = if content_type.is_empty() {
                "no content type".to_string()
            } else {
                content_type
            };
            if sniff::looks_like_html(&body) {
                shown_type.push_str(", and the body is an HTML page");
            }
            return Err(FetchError::NotAnImage {
                url: shown,
                content_type: shown_type,
            });
        }
        // Claimed as an image in a format we do not sniff: the evidence stage decodes
        // it and reports what it finds.
        Ok(Arc::new(body))
    }
}

/// `now + d`, saturating: a configured deadline of "forever" must not overflow.
fn far_instant(d: Duration) -> Instant {
    let now = Instant::now();
    now.checked_add(d)
        .or_else(|| now.checked_add(Duration::from_secs(100 * 365 * 24 * 3600)))
        .unwrap_or(now)
}

type ImageResult = Result<Arc<Vec<u8>>, FetchError>;

/// Image results by normalised URL. Failures are kept (they are small); bytes are kept
/// up to a budget, oldest dropped first, so memory stays bounded on a photo-heavy site.
struct ImageCache {
    cells: Mutex<HashMap<String, Arc<OnceCell<ImageResult>>>>,
    kept: Mutex<(VecDeque<(String, u64)>, u64)>,
    budget: u64,
}

impl ImageCache {
    fn new(budget: u64) -> Self {
        ImageCache {
            cells: Mutex::new(HashMap::new()),
            kept: Mutex::new((VecDeque::new(), 0)),
            budget,
        }
    }

    fn cell(&self, key: &str) -> Arc<OnceCell<ImageResult>> {
        Arc::clone(lock(&self.cells).entry(key.to_string()).or_default())
    }

    fn account(&self, key: String, len: u64) {
        let mut kept = lock(&self.kept);
        kept.0.push_back((key, len));
        kept.1 += len;
        while kept.1 > self.budget {
            let Some((old, old_len)) = kept.0.pop_front() else {
                break;
            };
            kept.1 -= old_len;
            lock(&self.cells).remove(&old);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scope_hosts_match_host_and_optional_port() {
        let start = ScopeHost::of(&Url::parse("https://www.school.org/").unwrap());
        assert!(start.matches(&Url::parse("https://WWW.school.org/news/").unwrap()));
        assert!(!start.matches(&Url::parse("https://www.school.org:8443/").unwrap()));
        assert!(!start.matches(&Url::parse("https://cdn.school.org/").unwrap()));
        // Old posts link with http://; that is still the site.
        assert!(start.matches(&Url::parse("http://www.school.org/2014/post").unwrap()));
        let blog = ScopeHost::parse("https://blog.school.org/");
        assert!(blog.matches(&Url::parse("http://blog.school.org/x").unwrap()));
        assert!(!blog.matches(&Url::parse("http://blog.school.org:8080/x").unwrap()));
        let pinned = ScopeHost::parse("blog.school.org:8080");
        assert!(!pinned.matches(&Url::parse("http://blog.school.org/x").unwrap()));
        assert!(pinned.matches(&Url::parse("http://blog.school.org:8080/x").unwrap()));
    }

    #[test]
    fn content_types_are_classified_by_essence() {
        assert!(is_html("text/html; charset=UTF-8"));
        assert!(is_html("application/xhtml+xml"));
        assert!(!is_html("application/pdf"));
        assert!(is_xml("application/rss+xml; charset=utf-8"));
        assert!(is_xml("text/xml"));
        assert!(!is_xml("text/html"));
    }

    #[test]
    fn image_cache_keeps_bytes_within_budget_oldest_out_first() {
        let cache = ImageCache::new(100);
        for (k, len) in [("a", 60), ("b", 30), ("c", 30)] {
            cache.cell(k);
            cache.account(k.to_string(), len);
        }
        let cells = lock(&cache.cells);
        assert!(
            !cells.contains_key("a"),
            "oldest entry should be dropped over budget"
        );
        assert!(cells.contains_key("b") && cells.contains_key("c"));
    }

    #[test]
    fn a_start_that_is_not_http_is_refused_before_any_request() {
        for bad in ["ftp://example.org/", "not a url", "file:///etc/passwd"] {
            let err = CrawlSource::new(bad, CrawlConfig::default()).unwrap_err();
            assert!(matches!(err, SourceError::Start { .. }), "{bad}: {err}");
        }
    }
}
