//! URL normalisation, so each page and image is fetched once however it is linked.
//!
//! The `url` crate already lower-cases scheme and host, drops default ports and
//! resolves `.`/`..` segments; this adds what is site convention rather than RFC:
//! fragments, a trailing `index.html`, and tracking query parameters.

use url::Url;

/// Normalises URLs with the configured tracking parameters.
#[derive(Debug, Clone, Default)]
pub struct Normalizer {
    exact: Vec<String>,
    prefixes: Vec<String>,
}

impl Normalizer {
    /// `params` as in [`super::CrawlConfig::tracking_params`]: names, or prefixes ending in `*`.
    pub fn new(params: &[String]) -> Self {
        let mut n = Normalizer::default();
        for p in params {
            match p.strip_suffix('*') {
                Some(prefix) => n.prefixes.push(prefix.to_ascii_lowercase()),
                None => n.exact.push(p.to_ascii_lowercase()),
            }
        }
        n
    }

    fn is_tracking(&self, name: &str) -> bool {
        let name = name.to_ascii_lowercase();
        self.exact.contains(&name) || self.prefixes.iter().any(|p| name.starts_with(p))
    }

    /// The canonical form of `url`: the key that decides "already fetched".
    pub fn normalize(&self, url: &Url) -> Url {
        let mut u = url.clone();
        u.set_fragment(None);
        let path = u.path();
        let trimmed = ["index.html", "index.htm"]
            .iter()
            .find_map(|index| path.strip_suffix(index))
            .filter(|rest| rest.ends_with('/'))
            .map(str::to_string);
        if let Some(dir) = trimmed {
            u.set_path(&dir);
        }
        if let Some(query) = u.query() {
            // Filter the raw `&`-separated pairs rather than re-serialising, so the
            // parameters kept keep their exact encoding.
            let kept: Vec<&str> = query
                .split('&')
                .filter(|pair| !pair.is_empty())
                .filter(|pair| {
                    let name = pair.split('=').next().unwrap_or("");
                    let name = percent_encoding::percent_decode_str(name).decode_utf8_lossy();
                    !self.is_tracking(&name)
                })
                .collect();
            let joined = kept.join("&");
            u.set_query(if joined.is_empty() {
                None
            } else {
                Some(&joined)
            });
        }
        u
    }

    pub fn key(&self, url: &Url) -> String {
        self.normalize(url).into()
    }
}

/// A page's site path as reports and ledger globs use it: the percent-decoded URL path
/// without the leading slash. A directory URL (`/`, `/news/`) names its `index.html`,
/// which is what a local scan of the same site calls that page. A query string is kept
/// (`news/index.html?page=2`) so paginated pages stay apart.
pub fn page_path(url: &Url) -> String {
    let decoded = percent_encoding::percent_decode_str(url.path().trim_start_matches('/'))
        .decode_utf8_lossy()
        .into_owned();
    let mut path = if decoded.is_empty() || decoded.ends_with('/') {
        decoded + "index.html"
    } else {
        decoded
    };
    if let Some(q) = url.query() {
        path.push('?');
        path.push_str(q);
    }
    path
}

/// The scheme-host-port part of `url`, which names a host for politeness and robots.txt.
pub fn origin_key(url: &Url) -> String {
    format!(
        "{}:{}",
        url.host_str().unwrap_or("").to_ascii_lowercase(),
        url.port_or_known_default().unwrap_or(0)
    )
}

/// Links whose extension says they are not pages: not requested as pages at all,
/// so a crawl does not download every PDF and video the site links to.
pub fn looks_like_non_page(url: &Url) -> bool {
    const EXT: &[&str] = &[
        "jpg", "jpeg", "png", "gif", "webp", "svg", "avif", "heic", "heif", "bmp", "ico", "tif",
        "tiff", "jxl", "pdf", "doc", "docx", "xls", "xlsx", "ppt", "pptx", "odt", "ods", "odp",
        "rtf", "zip", "gz", "tgz", "rar", "7z", "mp3", "m4a", "wav", "ogg", "mp4", "m4v", "mov",
        "avi", "wmv", "webm", "mkv", "ics", "css", "js", "json", "woff", "woff2", "ttf", "otf",
        "eot", "csv", "txt", "exe", "dmg", "apk",
    ];
    let last = url.path().rsplit('/').next().unwrap_or("");
    match last.rsplit_once('.') {
        Some((_, ext)) => EXT.contains(&ext.to_ascii_lowercase().as_str()),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n() -> Normalizer {
        Normalizer::new(&["utm_*".to_string(), "fbclid".to_string()])
    }

    fn norm(s: &str) -> String {
        n().key(&Url::parse(s).unwrap())
    }

    #[test]
    fn same_page_linked_differently_normalises_to_one_key() {
        let want = "https://school.example.org/news/";
        for variant in [
            "https://school.example.org/news/",
            "https://School.Example.org:443/news/index.html",
            "https://school.example.org/news/#top",
            "https://school.example.org/news/?utm_source=fb&utm_medium=social",
            "https://school.example.org/news/?fbclid=abc",
            "https://school.example.org/news/./index.htm",
        ] {
            assert_eq!(norm(variant), want, "{variant}");
        }
    }

    #[test]
    fn meaningful_query_parameters_are_kept_with_their_encoding() {
        assert_eq!(
            norm("https://a.org/list?page=2&utm_campaign=x&q=a%20b"),
            "https://a.org/list?page=2&q=a%20b"
        );
        // A file merely named like an index page is not a directory index.
        assert_eq!(
            norm("https://a.org/myindex.html"),
            "https://a.org/myindex.html"
        );
    }

    #[test]
    fn page_paths_match_what_a_local_scan_calls_the_page() {
        let p = |s: &str| page_path(&Url::parse(s).unwrap());
        assert_eq!(p("https://a.org/"), "index.html");
        assert_eq!(p("https://a.org/news/"), "news/index.html");
        assert_eq!(
            p("https://a.org/news/Team%20Day.html"),
            "news/Team Day.html"
        );
        assert_eq!(p("https://a.org/news/?page=2"), "news/index.html?page=2");
    }

    #[test]
    fn documents_and_media_are_not_crawled_as_pages() {
        assert!(looks_like_non_page(
            &Url::parse("https://a.org/f/Plan.PDF").unwrap()
        ));
        assert!(looks_like_non_page(
            &Url::parse("https://a.org/i/a.jpg?w=2").unwrap()
        ));
        assert!(!looks_like_non_page(
            &Url::parse("https://a.org/news/").unwrap()
        ));
        assert!(!looks_like_non_page(
            &Url::parse("https://a.org/a.html").unwrap()
        ));
        assert!(!looks_like_non_page(
            &Url::parse("https://a.org/v1.2/post").unwrap()
        ));
    }
}
