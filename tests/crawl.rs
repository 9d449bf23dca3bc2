//! Crawling a live site: a real HTTP server on 127.0.0.1 (tiny_http, in process, on a
//! free port) serves a generated site with every fault the crawl must survive. The tests
//! check what the server saw (its request log) and what the source reported.
//!
//! Nothing here leaves 127.0.0.1.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use clearance::model::{ImageKey, Page, PageFailure};
use clearance::source::crawl::{CrawlConfig, CrawlSource};
use clearance::source::{FetchError, Source, SourceError};

/// One request as the server saw it.
#[derive(Debug, Clone)]
struct Seen {
    host: String,
    path: String,
    method: String,
}

struct TestServer {
    base: String,
    port: u16,
    log: Arc<Mutex<Vec<Seen>>>,
}

impl TestServer {
    fn requests(&self) -> Vec<Seen> {
        self.log.lock().unwrap().clone()
    }

    fn count(&self, path: &str) -> usize {
        self.requests().iter().filter(|s| s.path == path).count()
    }
}

struct Reply {
    status: u16,
    content_type: &'static str,
    headers: Vec<(&'static str, String)>,
    body: Vec<u8>,
    delay: Duration,
    /// Send without Content-Length (chunked), so only counting the bytes can enforce a limit.
    chunked: bool,
}

fn reply(status: u16, content_type: &'static str, body: impl Into<Vec<u8>>) -> Reply {
    Reply {
        status,
        content_type,
        headers: Vec::new(),
        body: body.into(),
        delay: Duration::ZERO,
        chunked: false,
    }
}

fn redirect(status: u16, to: &str) -> Reply {
    let mut r = reply(status, "text/plain", "moved");
    r.headers.push(("Location", to.to_string()));
    r
}

type Route = dyn Fn(&str, &str) -> Reply + Send + Sync;

/// Serve `route(path, base)` on a free loopback port, one thread per request so a slow
/// response does not hold up the others.
fn serve(route: Arc<Route>) -> TestServer {
    let server = tiny_http::Server::http("127.0.0.1:0").expect("bind 127.0.0.1");
    let port = server.server_addr().to_ip().expect("ip listener").port();
    let base = format!("http://127.0.0.1:{port}");
    let log = Arc::new(Mutex::new(Vec::new()));
    let (thread_log, thread_base) = (Arc::clone(&log), base.clone());
    std::thread::spawn(move || {
        for request in server.incoming_requests() {
            let host = request
                .headers()
                .iter()
                .find(|h| h.field.equiv("Host"))
                .map(|h| h.value.to_string())
                .unwrap_or_default();
            let path = request.url().to_string();
            thread_log.lock().unwrap().push(Seen {
                host,
                path: path.clone(),
                method: request.method().to_string(),
            });
            let (route, base) = (Arc::clone(&route), thread_base.clone());
            std::thread::spawn(move || {
                let r = route(&path, &base);
                std::thread::sleep(r.delay);
                let length = (!r.chunked).then_some(r.body.len());
                let mut response = tiny_http::Response::new(
                    tiny_http::StatusCode(r.status),
                    Vec::new(),
                    std::io::Cursor::new(r.body),
                    length,
                    None,
                );
                let ct = tiny_http::Header::from_bytes("Content-Type", r.content_type).unwrap();
                response.add_header(ct);
                for (name, value) in r.headers {
                    response.add_header(tiny_http::Header::from_bytes(name, value).unwrap());
                }
                let _ = request.respond(response);
            });
        }
    });
    TestServer { base, port, log }
}

const JPEG: &[u8] = &[
    0xFF, 0xD8, 0xFF, 0xE0, 0, 16, b'J', b'F', b'I', b'F', 0, 1, 0xFF, 0xD9,
];

fn html(title: &str, body: &str) -> Vec<u8> {
    format!("<!DOCTYPE html><html><head><title>{title}</title></head><body>{body}</body></html>")
        .into_bytes()
}

/// The faulty school site of the acceptance criteria.
fn school_site() -> TestServer {
    let busy_page = Arc::new(AtomicUsize::new(0));
    let busy_image = Arc::new(AtomicUsize::new(0));
    serve(Arc::new(move |path: &str, base: &str| {
        let port = base.rsplit(':').next().unwrap_or("0");
        match path {
            "/robots.txt" => reply(
                200,
                "text/plain",
                format!(
                    "User-agent: *\nDisallow: /private/\n\nSitemap: {base}/sitemap_index.xml\n"
                ),
            ),
            "/sitemap_index.xml" => reply(
                200,
                "application/xml",
                format!(
                    r#"<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <sitemap><loc>{base}/sitemap-pages.xml</loc></sitemap>
</sitemapindex>"#
                ),
            ),
            "/sitemap-pages.xml" => reply(
                200,
                "application/xml",
                format!(
                    r#"<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <url><loc>{base}/about.html</loc></url>
  <url><loc>{base}/only-in-sitemap.html</loc></url>
</urlset>"#
                ),
            ),
            "/feed.xml" => reply(
                200,
                "application/rss+xml",
                format!(
                    r#"<?xml version="1.0"?><rss version="2.0"><channel><title>News</title><link>{base}/</link>
  <item><title>Robotics</title><link>{base}/from-feed.html</link></item></channel></rss>"#
                ),
            ),
            "/" => reply(
                200,
                "text/html; charset=utf-8",
                format!(
                    r##"<!DOCTYPE html><html><head><title>Home</title>
  <link rel="alternate" type="application/rss+xml" title="News" href="/feed.xml">
  <link rel="next" href="/news/page2.html">
</head><body>
  <a href="about.html">About</a> <a href="/index.html#top">Home again</a>
  <a href="/?utm_source=newsletter">Home from a newsletter</a>
  <a href="/private/secret.html">Staff only</a>
  <a href="/old">Old address</a> <a href="/loop-a">Broken</a> <a href="/gone.html">Gone</a>
  <a href="/busy.html">Busy</a> <a href="/files/plan.pdf">Plan</a> <a href="/huge.html">Huge</a>
  <a href="http://localhost:{port}/elsewhere.html">Another site</a>
  <a href="mailto:office@example.org">Mail</a>
  <img src="/img/ok.jpg" alt="Team">
</body></html>"##
                ),
            ),
            "/about.html" => reply(
                200,
                "text/html",
                html(
                    "About",
                    r#"<a href="/">Home</a> <a href="/about.html?utm_campaign=x#staff">Us</a>"#,
                ),
            ),
            "/only-in-sitemap.html" => reply(200, "text/html", html("Sitemap only", "")),
            "/from-feed.html" => reply(200, "text/html", html("From the feed", "")),
            "/news/page2.html" => reply(200, "text/html", html("News, page 2", "")),
            "/new.html" => reply(200, "text/html", html("New address", "")),
            "/private/secret.html" => reply(200, "text/html", html("Secret", "")),
            "/old" => redirect(301, "/older"),
            "/older" => redirect(302, "/new.html"),
            "/loop-a" => redirect(302, "/loop-b"),
            "/loop-b" => redirect(302, "/loop-a"),
            "/busy.html" => {
                if busy_page.fetch_add(1, Ordering::SeqCst) == 0 {
                    let mut r = reply(429, "text/plain", "slow down");
                    r.headers.push(("Retry-After", "1".into()));
                    r
                } else {
                    reply(200, "text/html", html("Busy", ""))
                }
            }
            "/img/ok.jpg" => reply(200, "image/jpeg", JPEG),
            "/huge.html" => reply(
                200,
                "text/html",
                html("Huge", &"<p>words</p>".repeat(30_000)),
            ),
            "/img/huge.jpg" => reply(200, "image/jpeg", [JPEG, &[0u8; 300_000][..]].concat()),
            "/img/slow.jpg" => {
                let mut r = reply(200, "image/jpeg", JPEG);
                r.delay = Duration::from_secs(3);
                r
            }
            "/img/busy.jpg" => {
                if busy_image.fetch_add(1, Ordering::SeqCst) == 0 {
                    let mut r = reply(429, "text/plain", "slow down");
                    r.headers.push(("Retry-After", "1".into()));
                    r
                } else {
                    reply(200, "image/jpeg", JPEG)
                }
            }
            "/img/fake.jpg" => reply(
                200,
                "image/jpeg",
                html("Page not found", "Sorry, no such photo."),
            ),
            "/img/loop.jpg" => redirect(302, "/img/loop2.jpg"),
            "/img/chunked.jpg" => {
                let mut r = reply(200, "image/jpeg", [JPEG, &[0u8; 300_000][..]].concat());
                r.chunked = true;
                r
            }
            "/img/later.jpg" => {
                let mut r = reply(503, "text/plain", "maintenance");
                r.headers.push(("Retry-After", "3600".into()));
                r
            }
            "/img/loop2.jpg" => redirect(302, "/img/loop.jpg"),
            _ => reply(404, "text/html", html("Not found", "")),
        }
    }))
}

fn test_config() -> CrawlConfig {
    CrawlConfig {
        request_timeout: Duration::from_secs(1),
        min_delay: Duration::from_millis(5),
        max_retry_wait: Duration::from_secs(5),
        deadline: Duration::from_secs(60),
        max_page_bytes: 256 * 1024,
        max_image_bytes: 256 * 1024,
        ..CrawlConfig::default()
    }
}

fn crawl(source: &CrawlSource) -> (Vec<Page>, Vec<PageFailure>) {
    let mut pages = Vec::new();
    let failures = source
        .pages(&mut |p| pages.push(p))
        .expect("the start page is reachable");
    (pages, failures)
}

fn reasons(failures: &[PageFailure], base: &str) -> BTreeMap<String, String> {
    failures
        .iter()
        .map(|f| {
            (
                f.page.trim_start_matches(base).to_string(),
                f.reason.clone(),
            )
        })
        .collect()
}

#[test]
fn crawl_finds_every_page_politely_and_reports_what_it_could_not_fetch() {
    let site = school_site();
    let source = CrawlSource::new(&format!("{}/", site.base), test_config()).unwrap();
    assert_eq!(source.scope().base.as_str(), format!("{}/", site.base));
    assert!(!source.scope().local);

    let (pages, failures) = crawl(&source);

    let paths: BTreeSet<&str> = pages.iter().map(|p| p.path.as_str()).collect();
    let expected = [
        "about.html",
        "busy.html",
        "from-feed.html",
        "index.html",
        "new.html",
        "news/page2.html",
        "only-in-sitemap.html",
    ];
    assert_eq!(paths, expected.into_iter().collect(), "pages delivered");
    assert_eq!(pages.len(), expected.len(), "each page delivered once");
    let moved = pages.iter().find(|p| p.path == "new.html").unwrap();
    assert_eq!(
        moved.url.as_str(),
        format!("{}/new.html", site.base),
        "Page.url is the final URL"
    );
    assert!(moved.html.contains("New address"));

    let why = reasons(&failures, &site.base);
    assert_eq!(why.len(), 4, "failures: {why:#?}");
    assert_eq!(why["/huge.html"], "larger than the limit of 262144 bytes");
    assert!(
        why["/private/secret.html"].contains("robots.txt"),
        "{why:?}"
    );
    assert!(why["/loop-a"].contains("redirect loop"), "{why:?}");
    assert_eq!(why["/gone.html"], "HTTP 404");

    // What the server saw.
    let seen = site.requests();
    assert_eq!(
        seen[0].path, "/robots.txt",
        "robots.txt is read before any page"
    );
    assert!(
        seen.iter()
            .all(|s| s.host == format!("127.0.0.1:{}", site.port)),
        "left the start host: {seen:?}"
    );
    assert!(
        !seen.iter().any(|s| s.path.starts_with("/private/")),
        "fetched a disallowed page"
    );
    assert_eq!(
        site.count("/files/plan.pdf"),
        0,
        "documents are not fetched as pages"
    );
    assert_eq!(
        site.count("/busy.html"),
        2,
        "a 429 is retried once, after Retry-After"
    );
    let mut per_path: BTreeMap<&str, usize> = BTreeMap::new();
    for s in &seen {
        *per_path.entry(s.path.as_str()).or_default() += 1;
    }
    for (path, n) in &per_path {
        if *path != "/busy.html" {
            assert_eq!(*n, 1, "{path} requested {n} times");
        }
    }
    for path in [
        "/sitemap_index.xml",
        "/sitemap-pages.xml",
        "/feed.xml",
        "/old",
        "/older",
        "/loop-b",
    ] {
        assert_eq!(per_path.get(path), Some(&1), "{path} was not requested");
    }
    // robots.txt names the sitemap, so /sitemap.xml is not guessed.
    assert_eq!(site.count("/sitemap.xml"), 0);

    let log = source.log();
    let hops: Vec<(String, String)> = log
        .redirects
        .iter()
        .map(|r| {
            (
                r.from.trim_start_matches(&site.base).into(),
                r.to.trim_start_matches(&site.base).into(),
            )
        })
        .collect();
    for hop in [
        ("/old", "/older"),
        ("/older", "/new.html"),
        ("/loop-a", "/loop-b"),
        ("/loop-b", "/loop-a"),
    ] {
        assert!(
            hops.contains(&(hop.0.to_string(), hop.1.to_string())),
            "{hop:?} not in {hops:?}"
        );
    }
    assert_eq!(
        log.robots_disallowed,
        [format!("{}/private/secret.html", site.base)]
    );
    assert!(log.retries >= 1);
}

#[test]
fn images_are_fetched_once_each_and_every_fault_has_its_error() {
    let site = school_site();
    let source = CrawlSource::new(&format!("{}/", site.base), test_config()).unwrap();
    let key = |p: &str| ImageKey::Remote(format!("{}{p}", site.base));
    let names = [
        "ok", "missing", "slow", "busy", "fake", "loop", "huge", "chunked", "later",
    ];

    // Read concurrently, as the pipeline's rayon workers do.
    let results: BTreeMap<&str, Result<Vec<u8>, FetchError>> = std::thread::scope(|s| {
        let handles: Vec<_> = names
            .iter()
            .map(|n| {
                let (source, k) = (&source, key(&format!("/img/{n}.jpg")));
                (*n, s.spawn(move || source.read_image(&k).map(|b| b.bytes)))
            })
            .collect();
        handles
            .into_iter()
            .map(|(n, h)| (n, h.join().unwrap()))
            .collect()
    });

    assert_eq!(results["ok"].as_deref().unwrap(), JPEG);
    assert_eq!(
        results["busy"].as_deref().unwrap(),
        JPEG,
        "a 429 then success yields the bytes"
    );
    assert!(
        matches!(
            &results["missing"],
            Err(FetchError::Http { status: 404, .. })
        ),
        "{:?}",
        results["missing"]
    );
    assert!(
        matches!(&results["slow"], Err(FetchError::Timeout { secs: 1, .. })),
        "{:?}",
        results["slow"]
    );
    match &results["fake"] {
        Err(FetchError::NotAnImage { content_type, .. }) => {
            assert!(
                content_type.contains("image/jpeg") && content_type.contains("HTML"),
                "{content_type}"
            )
        }
        other => panic!("HTML served as image/jpeg was accepted: {other:?}"),
    }
    assert!(
        matches!(
            &results["huge"],
            Err(FetchError::TooLarge { limit: 262144, .. })
        ),
        "{:?}",
        results["huge"]
    );
    assert!(
        matches!(
            &results["chunked"],
            Err(FetchError::TooLarge { limit: 262144, .. })
        ),
        "a body without Content-Length is still cut at the limit: {:?}",
        results["chunked"]
    );
    assert!(
        matches!(&results["later"], Err(FetchError::Http { status: 503, .. })),
        "Retry-After beyond max_retry_wait is not waited for: {:?}",
        results["later"]
    );
    match &results["loop"] {
        Err(FetchError::Io(msg)) => assert!(msg.contains("redirect loop"), "{msg}"),
        other => panic!("{other:?}"),
    }

    // The same image under another spelling is not fetched again.
    for variant in [
        "/img/ok.jpg",
        "/img/ok.jpg#x",
        "/img/ok.jpg?utm_source=mail",
    ] {
        assert_eq!(source.read_image(&key(variant)).unwrap().bytes, JPEG);
    }
    assert_eq!(site.count("/img/ok.jpg"), 1);
    assert_eq!(site.count("/img/busy.jpg"), 2);
    assert_eq!(site.count("/img/slow.jpg"), 1, "a timeout is not retried");
    assert_eq!(site.count("/img/later.jpg"), 1);
    assert!(matches!(
        source.read_image(&ImageKey::Local("img/ok.jpg".into())),
        Err(FetchError::NotFetched(_))
    ));
}

#[test]
fn images_on_other_hosts_are_fetched_but_their_pages_are_not_crawled() {
    let site = school_site();
    let source = CrawlSource::new(&format!("{}/", site.base), test_config()).unwrap();
    // `localhost` is another host to the crawl (a CDN, say), served by the same server.
    let cdn = ImageKey::Remote(format!("http://localhost:{}/img/ok.jpg", site.port));
    assert_eq!(source.read_image(&cdn).unwrap().bytes, JPEG);
    assert!(
        site.requests()
            .iter()
            .any(|s| s.host.starts_with("localhost"))
    );
}

#[test]
fn limits_stop_the_crawl_and_say_what_was_left() {
    let site = school_site();
    let config = CrawlConfig {
        max_pages: 2,
        ..test_config()
    };
    let source = CrawlSource::new(&format!("{}/", site.base), config).unwrap();
    let (pages, failures) = crawl(&source);
    assert_eq!(pages.len(), 2);
    assert!(
        failures
            .iter()
            .filter(|f| f.reason.contains("max_pages = 2"))
            .count()
            >= 4,
        "{failures:#?}"
    );

    let few_documents = CrawlConfig {
        max_documents: 1,
        ..test_config()
    };
    let source = CrawlSource::new(&format!("{}/", site.base), few_documents).unwrap();
    let (pages, failures) = crawl(&source);
    let why = reasons(&failures, &site.base);
    assert!(
        why["/sitemap-pages.xml"].contains("max_documents = 1"),
        "{why:#?}"
    );
    assert!(why["/feed.xml"].contains("max_documents = 1"), "{why:#?}");
    assert!(!pages.iter().any(|p| p.path == "from-feed.html"));

    let mut excluded = globset::GlobSetBuilder::new();
    excluded.add(globset::Glob::new("news/**").unwrap());
    let config = CrawlConfig {
        exclude: Some(excluded.build().unwrap()),
        ..test_config()
    };
    let requests_before = site.count("/news/page2.html");
    let source = CrawlSource::new(&format!("{}/", site.base), config).unwrap();
    let (pages, _) = crawl(&source);
    assert!(!pages.iter().any(|p| p.path.starts_with("news/")));
    assert_eq!(
        site.count("/news/page2.html"),
        requests_before,
        "an excluded page was fetched"
    );

    let shallow = CrawlConfig {
        max_depth: 0,
        ..test_config()
    };
    let source = CrawlSource::new(&format!("{}/", site.base), shallow).unwrap();
    let (pages, failures) = crawl(&source);
    let paths: Vec<&str> = pages.iter().map(|p| p.path.as_str()).collect();
    // rel="next" pagination continues at the same depth.
    assert_eq!(paths, ["index.html", "news/page2.html"]);
    let deep = reasons(&failures, &site.base);
    assert!(deep["/about.html"].contains("max_depth = 0"), "{deep:#?}");
    assert!(
        deep["/from-feed.html"].contains("max_depth = 0"),
        "{deep:#?}"
    );
}

#[test]
fn an_unreachable_or_failing_start_url_stops_the_scan() {
    // A port nobody listens on: bind, note it, close.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let config = CrawlConfig {
        retries: 0,
        ..test_config()
    };
    let source = CrawlSource::new(&format!("http://127.0.0.1:{port}/"), config.clone()).unwrap();
    match source.pages(&mut |_| {}) {
        Err(SourceError::Start { url, reason }) => {
            assert!(url.contains(&port.to_string()));
            assert!(reason.contains("could not be fetched"), "{reason}");
        }
        other => panic!("expected a start error, got {other:?}"),
    }

    let site = school_site();
    let source = CrawlSource::new(&format!("{}/gone.html", site.base), config.clone()).unwrap();
    match source.pages(&mut |_| {}) {
        Err(SourceError::Start { reason, .. }) => assert_eq!(reason, "HTTP 404"),
        other => panic!("expected a start error, got {other:?}"),
    }
    let source = CrawlSource::new(&format!("{}/private/secret.html", site.base), config).unwrap();
    match source.pages(&mut |_| {}) {
        Err(SourceError::Start { reason, .. }) => {
            assert!(reason.contains("robots.txt"), "{reason}")
        }
        other => panic!("expected a start error, got {other:?}"),
    }
    assert_eq!(site.count("/private/secret.html"), 0);
}

#[test]
fn the_total_deadline_stops_the_crawl_and_names_what_was_cut_off() {
    let site = serve(Arc::new(|path: &str, _base: &str| match path {
        "/" => reply(
            200,
            "text/html",
            html("Home", r#"<a href="/slow.html">Slow</a>"#),
        ),
        "/slow.html" => {
            let mut r = reply(200, "text/html", html("Slow", ""));
            r.delay = Duration::from_secs(3);
            r
        }
        _ => reply(404, "text/plain", "none"),
    }));
    let config = CrawlConfig {
        deadline: Duration::from_millis(800),
        request_timeout: Duration::from_secs(10),
        ..test_config()
    };
    let source = CrawlSource::new(&format!("{}/", site.base), config).unwrap();
    let started = std::time::Instant::now();
    let (pages, failures) = crawl(&source);
    assert!(
        started.elapsed() < Duration::from_millis(2800),
        "the deadline did not stop the crawl"
    );
    assert_eq!(pages.len(), 1);
    let why = reasons(&failures, &site.base);
    assert!(why["/slow.html"].contains("total deadline"), "{why:#?}");
    let image = source.read_image(&ImageKey::Remote(format!("{}/a.jpg", site.base)));
    assert!(matches!(image, Err(FetchError::NotFetched(_))), "{image:?}");
}

/// Serve the files under `root` as a static web server would (`/dir/` serves
/// `dir/index.html`), so a built site folder can be crawled and scanned locally alike.
fn serve_dir(root: std::path::PathBuf) -> TestServer {
    serve(Arc::new(move |path: &str, _base: &str| {
        let path = path.split(['?', '#']).next().unwrap_or("");
        let decoded = percent_encoding::percent_decode_str(path)
            .decode_utf8_lossy()
            .into_owned();
        let mut rel = decoded.trim_start_matches('/').to_string();
        if rel.is_empty() || rel.ends_with('/') {
            rel.push_str("index.html");
        }
        if rel.split('/').any(|seg| seg == "..") {
            return reply(403, "text/plain", "no");
        }
        let file = root.join(&rel);
        let content_type = match file.extension().and_then(|e| e.to_str()) {
            Some("html") => "text/html; charset=utf-8",
            Some("jpg") | Some("jpeg") => "image/jpeg",
            Some("xml") => "application/xml",
            _ => "application/octet-stream",
        };
        match std::fs::read(&file) {
            Ok(bytes) => reply(200, content_type, bytes),
            Err(_) => reply(404, "text/html", html("Not found", "")),
        }
    }))
}

#[test]
fn a_served_folder_crawls_to_the_page_paths_a_local_scan_uses() {
    let dir = tempfile::tempdir().unwrap();
    let files = [
        (
            "index.html",
            r#"<a href="news/">News</a> <a href="about/staff.html">Staff</a> <img src="img/a.jpg">"#,
        ),
        (
            "news/index.html",
            r#"<a href="Team%20Day.html">Team day</a> <a href="../index.html">Home</a>"#,
        ),
        (
            "news/Team Day.html",
            r#"<img src="../img/a.jpg"> <a href="/news/index.html">News</a>"#,
        ),
        (
            "about/staff.html",
            r#"<a href="../news/Team Day.html">Same page, raw space</a>"#,
        ),
    ];
    for (rel, body) in files {
        let path = dir.path().join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, html(rel, body)).unwrap();
    }
    std::fs::create_dir_all(dir.path().join("img")).unwrap();
    std::fs::write(dir.path().join("img/a.jpg"), JPEG).unwrap();

    let site = serve_dir(dir.path().to_path_buf());
    let source = CrawlSource::new(&format!("{}/", site.base), test_config()).unwrap();
    let (pages, failures) = crawl(&source);
    assert!(failures.is_empty(), "{failures:#?}");
    let crawled: BTreeSet<String> = pages.iter().map(|p| p.path.clone()).collect();
    let on_disk: BTreeSet<String> = files.iter().map(|(rel, _)| rel.to_string()).collect();
    assert_eq!(crawled, on_disk);
    assert_eq!(pages.len(), files.len(), "each page once");
    // Image keys resolve to the same site path a local scan uses.
    let key = ImageKey::Remote(format!("{}/img/a.jpg", site.base));
    assert_eq!(key.site_path(), "img/a.jpg");
    assert_eq!(source.read_image(&key).unwrap().bytes, JPEG);
}

/// Peak resident memory of this process so far (Linux `VmHWM`), in KiB.
fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// A generated site of `n` pages: a tree with ten children a page, plus a cross link
/// and five images on each, so links repeat as on a real site.
fn large_site(n: usize) -> TestServer {
    let pages: Arc<Vec<Vec<u8>>> = Arc::new(
        (0..n)
            .map(|i| {
                let link = |j: usize| if j == 0 { "/".to_string() } else { format!("/p/{j}.html") };
                let mut body = format!("<nav><a href=\"/\">Home</a> <a href=\"{}\">Up</a></nav><ul>", link(i / 10));
                for child in (10 * i + 1..=10 * i + 10).filter(|c| *c < n) {
                    body += &format!("<li><a href=\"{}\">Page {child}</a></li>", link(child));
                }
                body += &format!("</ul><p><a href=\"{}\">Related</a></p>", link((i * 37 + 11) % n));
                for k in 0..5 {
                    body += &format!("<figure><img src=\"/img/{i}-{k}.jpg\" alt=\"Photo {k}\"><figcaption>Photo {k} of page {i}, a caption of ordinary length.</figcaption></figure>");
                }
                html(&format!("Page {i}"), &body)
            })
            .collect(),
    );
    serve(Arc::new(move |path: &str, _base: &str| {
        let index = match path {
            "/" => Some(0),
            p => p
                .strip_prefix("/p/")
                .and_then(|p| p.strip_suffix(".html"))
                .and_then(|i| i.parse::<usize>().ok()),
        };
        match index.and_then(|i| pages.get(i)) {
            Some(page) => reply(200, "text/html", page.clone()),
            None => reply(404, "text/html", html("Not found", "")),
        }
    }))
}

/// Benchmark for BENCHMARKS.md (ignored by default; run with
/// `cargo test --release --test crawl -- --ignored --nocapture crawl_benchmark`).
/// `CRAWL_BENCH_PAGES` sets the site size (default 1000). Compares with
/// `wget --recursive` on the same server when wget is installed.
#[test]
#[ignore]
fn crawl_benchmark() {
    let n: usize = std::env::var("CRAWL_BENCH_PAGES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1000);
    let site = large_site(n);
    let before = peak_rss_kib().unwrap_or(0);
    for concurrency in [4, 1] {
        let config = CrawlConfig {
            min_delay: Duration::ZERO,
            per_host_concurrency: concurrency,
            max_pages: n + 10,
            ..CrawlConfig::default()
        };
        let source = CrawlSource::new(&format!("{}/", site.base), config).unwrap();
        let started = std::time::Instant::now();
        let (mut count, mut bytes) = (0usize, 0usize);
        let failures = source
            .pages(&mut |p| {
                count += 1;
                bytes += p.html.len();
            })
            .unwrap();
        let secs = started.elapsed().as_secs_f64();
        assert_eq!(count, n, "every page crawled: {failures:?}");
        println!(
            "clearance crawl, {concurrency} per host: {count} pages ({} KiB) in {secs:.2}s = {:.0} pages/s, {} requests",
            bytes / 1024,
            count as f64 / secs,
            source.log().requests
        );
    }
    let after = peak_rss_kib().unwrap_or(0);
    println!(
        "peak RSS of the test process: {after} KiB (before crawling, with the site generated: {before} KiB)"
    );

    let dir = tempfile::tempdir().unwrap();
    let started = std::time::Instant::now();
    let wget = std::process::Command::new("/usr/bin/time")
        .args(["-f", "wget peak RSS: %M KiB"])
        .args([
            "wget",
            "--recursive",
            "--level=inf",
            "--no-verbose",
            "--reject=jpg",
            "--no-host-directories",
        ])
        .arg("--directory-prefix")
        .arg(dir.path())
        .arg(format!("{}/", site.base))
        .output();
    match wget {
        Ok(out) => {
            let secs = started.elapsed().as_secs_f64();
            let fetched = walk_html(dir.path());
            let stderr = String::from_utf8_lossy(&out.stderr);
            let rss = stderr
                .lines()
                .find(|l| l.starts_with("wget peak RSS"))
                .unwrap_or("wget peak RSS: ?");
            println!(
                "wget --recursive: {fetched} pages in {secs:.2}s = {:.0} pages/s; {rss}",
                fetched as f64 / secs
            );
        }
        Err(e) => println!("wget comparison skipped: /usr/bin/time or wget not runnable ({e})"),
    }
}

fn walk_html(dir: &std::path::Path) -> usize {
    let mut n = 0;
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            n += walk_html(&path);
        } else if path.extension().is_some_and(|e| e == "html") {
            n += 1;
        }
    }
    n
}

/// The demo site served over HTTP and crawled by the real binary reports the
/// same findings as the local scan of its folder: only the source differs.
#[test]
fn crawling_the_demo_site_finds_what_the_local_scan_finds() {
    let demo = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/testdata/demo"));
    let site = serve_dir(demo.join("site"));
    // The demo's absolute URLs (og:image) name its public address; served here,
    // that address is the test server's.
    let work = tempfile::tempdir().unwrap();
    let config = std::fs::read_to_string(demo.join("clearance.toml"))
        .unwrap()
        .replace(
            "https://www.maplegrove-sd.example/",
            &format!("{}/", site.base),
        )
        .replace("ledger = [\"ledger.toml\", \"roster.csv\"]", "ledger = []");
    let config_path = work.path().join("clearance.toml");
    std::fs::write(&config_path, config).unwrap();
    let scan = |target: &str| -> serde_json::Value {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_clearance"))
            .args([
                "scan",
                target,
                "--as-of",
                "2026-11-15",
                "--format",
                "json",
                "--no-progress",
            ])
            .arg("--config")
            .arg(&config_path)
            .arg("--ledger")
            .arg(demo.join("ledger.toml"))
            .arg(demo.join("roster.csv"))
            .output()
            .unwrap();
        assert!(
            out.status.code() == Some(1),
            "{target}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap()
    };
    // (image path, page, rule, severity, suppressed): what a user compares.
    let rows = |report: &serde_json::Value| -> BTreeSet<(String, String, String, String, String)> {
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                let image = f["image"].as_str().unwrap();
                let path = match url::Url::parse(image) {
                    Ok(u) => percent_encoding::percent_decode_str(u.path().trim_start_matches('/'))
                        .decode_utf8_lossy()
                        .into_owned(),
                    // The local scan names a reference above the root as written;
                    // over HTTP the browser-style resolution stops at the root.
                    Err(_) => image.trim_start_matches("../").to_string(),
                };
                (
                    path,
                    f["page"].as_str().unwrap_or("").to_string(),
                    f["rule"].as_str().unwrap().to_string(),
                    f["severity"].as_str().unwrap().to_string(),
                    f["suppressed"]["kind"].as_str().unwrap_or("").to_string(),
                )
            })
            .collect()
    };
    let local = scan(demo.join("site").to_str().unwrap());
    let crawled = scan(&format!("{}/", site.base));
    let (local_rows, crawled_rows) = (rows(&local), rows(&crawled));
    let only_local: Vec<_> = local_rows.difference(&crawled_rows).collect();
    let only_crawled: Vec<_> = crawled_rows.difference(&local_rows).collect();
    assert!(
        only_local.is_empty() && only_crawled.is_empty(),
        "only in the local scan: {only_local:#?}\nonly in the crawl: {only_crawled:#?}"
    );
    assert_eq!(local["summary"]["pages"], crawled["summary"]["pages"]);
    // The excluded draft page is never requested.
    assert_eq!(site.count("/drafts/wip.html"), 0);
}

/// A nightly rescan of a live site asks whether each image changed (`HEAD`,
/// ETag / Last-Modified) and fetches only those that did.
#[test]
fn a_rescan_with_the_evidence_cache_does_not_fetch_unchanged_images_again() {
    // A readable image: read errors are never cached.
    let mut photo = Vec::new();
    image::codecs::jpeg::JpegEncoder::new(&mut photo)
        .encode_image(&image::RgbImage::from_fn(32, 24, |x, y| {
            image::Rgb([x as u8 * 8, y as u8 * 8, 90])
        }))
        .unwrap();
    let photo: &'static [u8] = Box::leak(photo.into_boxed_slice());
    let etag_jpeg = Arc::new(move |path: &str, _base: &str| -> Reply {
        match path {
            "/" | "/index.html" => reply(
                200,
                "text/html; charset=utf-8",
                html(
                    "Home",
                    r#"<img src="/a.jpg" alt="A"> <img src="/b.jpg" alt="B">"#,
                ),
            ),
            "/a.jpg" => Reply {
                headers: vec![("ETag", "\"v1\"".to_string())],
                ..reply(200, "image/jpeg", photo)
            },
            // No validators: it cannot be told unchanged, so it is fetched every time.
            "/b.jpg" => reply(200, "image/jpeg", photo),
            _ => reply(404, "text/html", html("Not found", "")),
        }
    });
    let site = serve(etag_jpeg);
    let cache = tempfile::tempdir().unwrap();
    let scan = || {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_clearance"))
            .args([
                "scan",
                &format!("{}/", site.base),
                "--format",
                "json",
                "--no-progress",
                "--faces",
                "off",
            ])
            .arg("--cache")
            .arg(cache.path())
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(1),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(report["summary"]["images"], 2);
    };
    let gets = |path: &str| {
        site.requests()
            .iter()
            .filter(|s| s.path == path && s.method == "GET")
            .count()
    };
    scan();
    assert_eq!((gets("/a.jpg"), gets("/b.jpg")), (1, 1));
    scan();
    assert_eq!(gets("/a.jpg"), 1, "the unchanged image was fetched again");
    assert_eq!(
        gets("/b.jpg"),
        2,
        "an image without validators is always fetched"
    );
    assert!(
        site.requests()
            .iter()
            .any(|s| s.path == "/a.jpg" && s.method == "HEAD")
    );
}

/// A crawled page's `data:` images are judged like a local scan's, read from
/// the page itself: nothing is requested for them, and a rescan from the
/// evidence cache says the same.
#[test]
fn a_crawled_page_embedding_an_image_is_judged_without_a_request_for_it() {
    let page = html(
        "Pasted",
        "<img src=\"data:image/jpeg;base64,/9j/4AAQSkZJRgABAQAAAQABAAD/2Q==\" alt=\"pasted\">",
    );
    let site = serve(Arc::new(move |path: &str, _base: &str| match path {
        "/" => reply(200, "text/html", page.clone()),
        _ => reply(404, "text/plain", "no"),
    }));
    let work = tempfile::tempdir().unwrap();
    let scan = || -> serde_json::Value {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_clearance"))
            .current_dir(work.path())
            .args(["scan", &format!("{}/", site.base), "--format", "json"])
            .args(["--no-progress", "--as-of", "2026-11-15", "--cache", "cache"])
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(1),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let bytes = base64::Engine::decode(
        &base64::engine::general_purpose::STANDARD,
        "/9j/4AAQSkZJRgABAQAAAQABAAD/2Q==",
    )
    .unwrap();
    let label = {
        use sha2::Digest as _;
        format!("data:image/jpeg;sha256={:x}", sha2::Sha256::digest(&bytes))
    };
    for report in [scan(), scan()] {
        let images = report["images"].as_array().unwrap();
        assert_eq!(images.len(), 1, "{report:#}");
        assert_eq!(images[0]["path"], label.as_str());
        assert!(images[0]["url"].is_null());
        let rules: Vec<&str> = report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["rule"].as_str().unwrap())
            .collect();
        // Two bytes of JPEG: read, found to be no picture, reported.
        assert_eq!(rules, ["unreadable-image"], "{report:#}");
    }
    let asked: Vec<String> = site.requests().into_iter().map(|s| s.path).collect();
    assert!(
        asked
            .iter()
            .all(|p| !p.contains("data:") && !p.contains("sha256")),
        "{asked:?}"
    );
}
