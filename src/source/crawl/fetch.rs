//! HTTP requests: one hop with politeness, retries and a byte limit; redirects followed
//! by hand so every hop can be checked (scope, robots.txt, loops) and recorded.

use std::sync::Mutex;
use std::time::{Duration, SystemTime};

use reqwest::StatusCode;
use reqwest::header::{CONTENT_LENGTH, CONTENT_TYPE, HeaderMap, LOCATION, RETRY_AFTER};
use tokio::time::Instant;
use url::Url;

use super::config::CrawlConfig;
use super::normalize::Normalizer;
use super::politeness::{Gates, lock};

/// One redirect the crawl followed (or refused), for the crawl log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RedirectHop {
    pub from: String,
    pub to: String,
    pub status: u16,
}

/// What the crawl did, for a log line or a `--verbose` listing.
#[derive(Debug, Clone, Default)]
pub struct CrawlLog {
    /// HTTP requests sent, retries included.
    pub requests: u64,
    /// Requests repeated after a 429, 503 or failed connection.
    pub retries: u64,
    pub redirects: Vec<RedirectHop>,
    /// URLs linked as pages that turned out not to be HTML (a PDF behind a plain link).
    pub not_html: Vec<String>,
    /// Page URLs not requested because robots.txt disallows them.
    pub robots_disallowed: Vec<String>,
}

/// A response as far as one hop goes.
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub content_type: Option<String>,
    /// The `Location` of a redirect.
    pub location: Option<String>,
    /// Read only for a success whose content type the caller wants.
    pub body: Option<Vec<u8>>,
    /// How many times the request was retried before this reply.
    pub retried: u32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HopError {
    Timeout,
    TooLarge {
        limit: u64,
    },
    Network(String),
    /// The server asked to wait longer than the crawl waits.
    RetryAfterTooLong {
        status: u16,
        secs: u64,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FollowError {
    Hop(HopError),
    Loop(Vec<String>),
    TooMany {
        limit: usize,
    },
    BadLocation(String),
    /// The caller refused a hop (out of scope, disallowed by robots.txt).
    Refused(String),
    /// The hop leads to a URL already fetched or queued: nothing to do.
    Duplicate(Url),
}

/// Decides, per hop, whether a redirect target may be requested.
pub type HopCheck<'a> = &'a (dyn Fn(&Url) -> Result<(), FollowError> + Send + Sync);
/// Decides from the `Content-Type` whether a successful body is worth reading.
pub type WantBody<'a> = &'a (dyn Fn(Option<&str>) -> bool + Send + Sync);

/// The shared HTTP client with its gates and log.
#[derive(Debug)]
pub struct Fetcher {
    client: reqwest::Client,
    gates: Gates,
    timeout: Duration,
    retries: u32,
    max_retry_wait: Duration,
    max_redirects: usize,
    pub(crate) log: Mutex<CrawlLog>,
}

impl Fetcher {
    pub fn new(cfg: &CrawlConfig) -> Result<Self, String> {
        let client = reqwest::Client::builder()
            .user_agent(cfg.user_agent.clone())
            .timeout(cfg.request_timeout)
            .connect_timeout(cfg.request_timeout)
            // Redirects are followed by hand (see `follow`), hop by hop.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| error_chain(&e))?;
        Ok(Fetcher {
            client,
            gates: Gates::new(cfg.per_host_concurrency, cfg.min_delay),
            timeout: cfg.request_timeout,
            retries: cfg.retries,
            max_retry_wait: cfg.max_retry_wait,
            max_redirects: cfg.max_redirects,
            log: Mutex::new(CrawlLog::default()),
        })
    }

    pub fn timeout_secs(&self) -> u64 {
        self.timeout.as_secs().max(1)
    }

    pub fn widen_gap(&self, url: &Url, gap: Duration) {
        self.gates.for_host(&gate_key(url)).widen_gap(gap);
    }

    /// One request, retried after 429/503 (honouring `Retry-After`) and failed connections.
    pub async fn hop(&self, url: &Url, limit: u64, want: WantBody<'_>) -> Result<Reply, HopError> {
        let gate = self.gates.for_host(&gate_key(url));
        let mut retried = 0;
        loop {
            let permit = gate.enter().await;
            lock(&self.log).requests += 1;
            let response = match self.client.get(url.clone()).send().await {
                Ok(r) => r,
                Err(e) if e.is_timeout() => return Err(HopError::Timeout),
                Err(e) if e.is_connect() && retried < self.retries => {
                    drop(permit);
                    let wait = backoff(retried);
                    gate.hold_off(Instant::now() + wait);
                    retried += 1;
                    lock(&self.log).retries += 1;
                    continue;
                }
                Err(e) => return Err(HopError::Network(error_chain(&e))),
            };
            let status = response.status();
            if (status == StatusCode::TOO_MANY_REQUESTS
                || status == StatusCode::SERVICE_UNAVAILABLE)
                && retried < self.retries
            {
                let wait = retry_after(response.headers(), SystemTime::now())
                    .unwrap_or_else(|| backoff(retried));
                if wait > self.max_retry_wait {
                    return Err(HopError::RetryAfterTooLong {
                        status: status.as_u16(),
                        secs: wait.as_secs(),
                    });
                }
                drop(response);
                drop(permit);
                // The whole host waits: it asked us to slow down, not to retry one URL later.
                gate.hold_off(Instant::now() + wait);
                retried += 1;
                lock(&self.log).retries += 1;
                continue;
            }
            let header = |name| {
                response
                    .headers()
                    .get(name)
                    .and_then(|v: &reqwest::header::HeaderValue| v.to_str().ok())
                    .map(str::to_string)
            };
            let content_type = header(CONTENT_TYPE);
            let location = header(LOCATION);
            let body = if status.is_success() && want(content_type.as_deref()) {
                Some(read_limited(response, limit).await?)
            } else {
                None
            };
            drop(permit);
            return Ok(Reply {
                status,
                content_type,
                location,
                body,
                retried,
            });
        }
    }

    /// The validators (`ETag`, `Last-Modified`) a `HEAD` request returns for
    /// `url`, through the host's politeness gate. `None` when the server sends
    /// neither, redirects, or fails: the image is then fetched in full.
    pub async fn validators(&self, url: &Url) -> Option<(Option<String>, Option<String>)> {
        let gate = self.gates.for_host(&gate_key(url));
        let permit = gate.enter().await;
        lock(&self.log).requests += 1;
        let response = self.client.head(url.clone()).send().await.ok()?;
        drop(permit);
        if !response.status().is_success() {
            return None;
        }
        let header = |name| {
            response
                .headers()
                .get(name)
                .and_then(|v: &reqwest::header::HeaderValue| v.to_str().ok())
                .map(str::to_string)
        };
        let etag = header(reqwest::header::ETAG);
        let last_modified = header(reqwest::header::LAST_MODIFIED);
        (etag.is_some() || last_modified.is_some()).then_some((etag, last_modified))
    }

    /// Request `start`, following redirects within the limit. Each target is checked
    /// by `check` before it is requested; loops are caught on normalised URLs.
    pub async fn follow(
        &self,
        start: &Url,
        limit: u64,
        norm: &Normalizer,
        want: WantBody<'_>,
        check: HopCheck<'_>,
    ) -> Result<(Url, Reply), FollowError> {
        let mut url = start.clone();
        let mut chain = vec![norm.key(start)];
        loop {
            let reply = self
                .hop(&url, limit, want)
                .await
                .map_err(FollowError::Hop)?;
            if !reply.status.is_redirection() {
                return Ok((url, reply));
            }
            // A 304 or 300 without a Location is a final answer, not a redirect.
            let Some(location) = reply.location.as_deref() else {
                return Ok((url, reply));
            };
            let next = url.join(location.trim()).map_err(|e| {
                FollowError::BadLocation(format!("{url} redirects to unusable `{location}`: {e}"))
            })?;
            lock(&self.log).redirects.push(RedirectHop {
                from: url.to_string(),
                to: next.to_string(),
                status: reply.status.as_u16(),
            });
            let key = norm.key(&next);
            if chain.contains(&key) {
                chain.push(key);
                return Err(FollowError::Loop(chain));
            }
            if chain.len() > self.max_redirects {
                return Err(FollowError::TooMany {
                    limit: self.max_redirects,
                });
            }
            if !matches!(next.scheme(), "http" | "https") {
                return Err(FollowError::BadLocation(format!(
                    "{url} redirects to {next}"
                )));
            }
            check(&next)?;
            chain.push(key);
            url = next;
        }
    }
}

/// Politeness is per server name: `http://` and `https://` of one host share a gate
/// (robots.txt, by contrast, is per origin, as RFC 9309 says).
fn gate_key(url: &Url) -> String {
    url.host_str().unwrap_or("").to_ascii_lowercase()
}

async fn read_limited(mut response: reqwest::Response, limit: u64) -> Result<Vec<u8>, HopError> {
    let map = |e: reqwest::Error| {
        if e.is_timeout() {
            HopError::Timeout
        } else {
            HopError::Network(format!("reading the body: {}", error_chain(&e)))
        }
    };
    let declared = response
        .headers()
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|len| len > limit) {
        return Err(HopError::TooLarge { limit });
    }
    let mut body = Vec::with_capacity(declared.unwrap_or(0).min(limit) as usize);
    // Counted as it arrives: a missing or lying Content-Length (or a compression bomb,
    // since the client decompresses) cannot make us hold more than the limit.
    while let Some(chunk) = response.chunk().await.map_err(map)? {
        if body.len() as u64 + chunk.len() as u64 > limit {
            return Err(HopError::TooLarge { limit });
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// 1s, 2s, 4s, … between attempts when the server gave no `Retry-After`.
fn backoff(retried: u32) -> Duration {
    Duration::from_secs(1u64 << retried.min(6))
}

/// `Retry-After` as delay-seconds or an HTTP date (RFC 9110 §10.2.3).
pub fn retry_after(headers: &HeaderMap, now: SystemTime) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let when = httpdate::parse_http_date(value).ok()?;
    Some(when.duration_since(now).unwrap_or(Duration::ZERO))
}

/// reqwest's top-level message is often just "error sending request"; the cause says why.
pub fn error_chain(e: &dyn std::error::Error) -> String {
    let mut msg = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let text = s.to_string();
        if !msg.contains(&text) {
            msg.push_str(": ");
            msg.push_str(&text);
        }
        source = s.source();
    }
    msg
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    #[test]
    fn retry_after_reads_seconds_and_http_dates() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        let mut h = HeaderMap::new();
        h.insert(RETRY_AFTER, HeaderValue::from_static("7"));
        assert_eq!(retry_after(&h, now), Some(Duration::from_secs(7)));
        h.insert(
            RETRY_AFTER,
            HeaderValue::from_str(&httpdate::fmt_http_date(now + Duration::from_secs(90))).unwrap(),
        );
        assert_eq!(retry_after(&h, now), Some(Duration::from_secs(90)));
        h.insert(RETRY_AFTER, HeaderValue::from_static("soon"));
        assert_eq!(retry_after(&h, now), None);
    }

    #[test]
    fn backoff_grows_and_is_bounded() {
        assert_eq!(backoff(0), Duration::from_secs(1));
        assert_eq!(backoff(2), Duration::from_secs(4));
        assert_eq!(backoff(40), Duration::from_secs(64));
    }
}
