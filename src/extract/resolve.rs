//! Turning a reference as written on a page into the image it names.

use crate::model::{ImageKey, Target};
use crate::source::SiteScope;

/// Why a reference names no image that could be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BadReason {
    #[error("empty image address")]
    Empty,
    #[error("`{0}:` addresses are not images that can be checked")]
    Scheme(String),
    #[error("not a valid URL: {0}")]
    Unparseable(String),
    #[error("names a folder, not an image file")]
    Folder,
    #[error("percent-encoding decodes to {0}")]
    BadEncoding(&'static str),
    #[error(transparent)]
    Embedded(#[from] crate::source::embedded::EmbeddedError),
}

/// A URL attribute's value as browsers take it: HTML strips ASCII whitespace
/// around it (only ASCII: a no-break space is part of the URL).
pub fn as_attribute_url(reference: &str) -> &str {
    reference.trim_matches(|c: char| c.is_ascii_whitespace())
}

/// Resolve `reference` (as written on the page at `page_url`) within `scope`.
///
/// Relative references resolve against the page, root-absolute ones against the host
/// root, as a browser would; but a `..` that would climb above the root is never
/// clamped: it yields [`Target::OutsideRoot`], as does a relative or root-absolute
/// reference landing outside the site's base path on a local scan (no file there is
/// the site's).
pub fn try_resolve(
    page_url: &url::Url,
    reference: &str,
    scope: &SiteScope,
) -> Result<Target, BadReason> {
    let reference = as_attribute_url(reference);
    if reference.is_empty() {
        return Err(BadReason::Empty);
    }
    let scheme = scheme_of(reference);
    if let Some(scheme) = &scheme {
        if scheme == "data" {
            // Embedded in the page: a published graphic all the same.
            return Ok(Target::Image(ImageKey::Embedded(
                crate::source::embedded::label(reference)?,
            )));
        }
        if scheme != "http" && scheme != "https" {
            return Err(BadReason::Scheme(scheme.clone()));
        }
    }
    let site_relative =
        scheme.is_none() && !reference.starts_with("//") && !reference.starts_with("\\\\");
    if site_relative && climbs_above_host_root(page_url, reference) {
        return Ok(Target::OutsideRoot(reference.to_string()));
    }
    let mut resolved = page_url
        .join(reference)
        .map_err(|e| BadReason::Unparseable(e.to_string()))?;
    if resolved.scheme() != "http" && resolved.scheme() != "https" {
        return Err(BadReason::Scheme(resolved.scheme().to_string()));
    }
    resolved.set_fragment(None);

    match site_path(&resolved, &scope.base) {
        Some(path) if scope.local => {
            if path.is_empty() || path.ends_with('/') {
                return Err(BadReason::Folder);
            }
            decode_site_path(&path).map(|p| match p {
                Some(p) => Target::Image(ImageKey::Local(p)),
                None => Target::OutsideRoot(reference.to_string()),
            })
        }
        None if scope.local && site_relative => Ok(Target::OutsideRoot(reference.to_string())),
        _ => Ok(Target::Image(ImageKey::Remote(resolved.to_string()))),
    }
}

/// The URL scheme written at the start of `reference`, lower-cased, if any.
fn scheme_of(reference: &str) -> Option<String> {
    let colon = reference.find(':')?;
    let scheme = &reference[..colon];
    let mut chars = scheme.chars();
    let first = chars.next()?;
    (first.is_ascii_alphabetic()
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.')))
    .then(|| scheme.to_ascii_lowercase())
}

/// True when the reference's `..` segments go above the host root, which a browser
/// would silently ignore (`/../a.jpg` loads `/a.jpg`) but a file system would not.
fn climbs_above_host_root(page_url: &url::Url, reference: &str) -> bool {
    let path_end = reference.find(['?', '#']).unwrap_or(reference.len());
    let path = &reference[..path_end];
    let mut depth: usize = if path.starts_with(['/', '\\']) {
        0
    } else {
        // Directory segments of the page: `/a/b/page.html` has two.
        page_url
            .path_segments()
            .map_or(0, |s| s.count().saturating_sub(1))
    };
    let segments: Vec<&str> = path.split(['/', '\\']).collect();
    let last = segments.len().saturating_sub(1);
    for (i, segment) in segments.iter().enumerate() {
        match dot_segment(segment) {
            Some(2) => {
                if depth == 0 {
                    return true;
                }
                depth -= 1;
            }
            Some(_) => {}
            None if segment.is_empty() => {}
            // A file name in the last place adds no directory level.
            None if i == last => {}
            None => depth += 1,
        }
    }
    false
}

/// `Some(1)` for `.`, `Some(2)` for `..`, counting `%2e` as a dot as URLs do.
fn dot_segment(segment: &str) -> Option<u8> {
    let lower = segment.to_ascii_lowercase();
    match lower.as_str() {
        "." | "%2e" => Some(1),
        ".." | ".%2e" | "%2e." | "%2e%2e" => Some(2),
        _ => None,
    }
}

/// The still-encoded path of `url` below `base`, when `url` is on the same origin and under
/// the base path. Query strings are dropped: a local file has none.
fn site_path(url: &url::Url, base: &url::Url) -> Option<String> {
    if url.origin() != base.origin() {
        return None;
    }
    let base_path = base.path();
    let base_dir = &base_path[..base_path.rfind('/').map_or(0, |i| i + 1)];
    let path = url.path();
    let below = path.strip_prefix(base_dir).or_else(|| {
        // `https://site/district` names the base folder itself.
        (format!("{path}/") == base_dir).then_some("")
    })?;
    Some(below.to_string())
}

/// Percent-decode each segment of a site path. `None` when a decoded segment would change
/// the path's shape (`..%2F` becoming `../`): such a reference names no file of the site.
fn decode_site_path(path: &str) -> Result<Option<String>, BadReason> {
    let mut decoded = Vec::new();
    for segment in path.split('/') {
        let text = percent_encoding::percent_decode_str(segment)
            .decode_utf8()
            .map_err(|_| BadReason::BadEncoding("bytes that are not UTF-8"))?;
        if text.contains('\0') {
            return Err(BadReason::BadEncoding("a NUL character"));
        }
        if text.contains(['/', '\\']) || text == ".." || text == "." {
            return Ok(None);
        }
        decoded.push(text.into_owned());
    }
    Ok(Some(decoded.join("/")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn local(base: &str) -> SiteScope {
        SiteScope {
            base: url::Url::parse(base).unwrap(),
            local: true,
        }
    }

    fn page(u: &str) -> url::Url {
        url::Url::parse(u).unwrap()
    }

    fn key(t: Result<Target, BadReason>) -> String {
        match t {
            Ok(Target::Image(ImageKey::Local(p))) => format!("local:{p}"),
            Ok(Target::Image(ImageKey::Remote(u))) => format!("remote:{u}"),
            Ok(Target::OutsideRoot(r)) => format!("outside:{r}"),
            Ok(Target::Image(ImageKey::Embedded(label))) => label,
            Err(e) => format!("bad:{e}"),
        }
    }

    const BASE: &str = "https://school.example/";
    const PAGE: &str = "https://school.example/news/robotics.html";

    fn r(reference: &str) -> String {
        key(try_resolve(&page(PAGE), reference, &local(BASE)))
    }

    #[test]
    fn relative_and_dot_dot_resolve_against_the_page() {
        assert_eq!(r("img/a.jpg"), "local:news/img/a.jpg");
        assert_eq!(r("./img/a.jpg"), "local:news/img/a.jpg");
        assert_eq!(r("../images/a.jpg"), "local:images/a.jpg");
        assert_eq!(r("  ../images/a.jpg\n"), "local:images/a.jpg");
    }

    #[test]
    fn root_absolute_resolves_against_the_site_root() {
        assert_eq!(r("/images/team.jpg"), "local:images/team.jpg");
    }

    #[test]
    fn absolute_urls_under_the_base_are_local_files() {
        assert_eq!(
            r("https://school.example/images/a.jpg"),
            "local:images/a.jpg"
        );
        assert_eq!(r("//school.example/images/a.jpg"), "local:images/a.jpg");
        assert_eq!(
            r("HTTPS://School.Example:443/images/a.jpg"),
            "local:images/a.jpg"
        );
    }

    #[test]
    fn external_urls_stay_remote_and_normalised() {
        assert_eq!(
            r("https://CDN.example.org/x/../p%20q.jpg?w=300#top"),
            "remote:https://cdn.example.org/p%20q.jpg?w=300"
        );
    }

    #[test]
    fn local_paths_are_decoded_without_query_or_fragment() {
        assert_eq!(
            r("../images/Team%20Photo%C3%A9.jpg?v=3#x"),
            "local:images/Team Photoé.jpg"
        );
        assert_eq!(r("../images/Team Photo.jpg"), "local:images/Team Photo.jpg");
        assert_eq!(
            r("../images/%FF.jpg"),
            "bad:percent-encoding decodes to bytes that are not UTF-8"
        );
    }

    #[test]
    fn climbing_above_the_root_is_reported_not_clamped() {
        assert_eq!(r("../../etc/passwd.jpg"), "outside:../../etc/passwd.jpg");
        assert_eq!(r("/../secret.jpg"), "outside:/../secret.jpg");
        assert_eq!(r("..\\..\\x.jpg"), "outside:..\\..\\x.jpg");
        assert_eq!(r("%2e%2e/%2e%2e/x.jpg"), "outside:%2e%2e/%2e%2e/x.jpg");
        assert_eq!(
            r("../images/..%2F..%2Fsecret.jpg"),
            "outside:../images/..%2F..%2Fsecret.jpg"
        );
        // Climbing to exactly the root is fine.
        assert_eq!(r("../a/../b.jpg"), "local:b.jpg");
    }

    #[test]
    fn outside_a_base_path_on_a_local_scan_is_outside_root() {
        let scope = local("https://school.example/district/");
        let p = page("https://school.example/district/index.html");
        assert_eq!(key(try_resolve(&p, "img/a.jpg", &scope)), "local:img/a.jpg");
        assert_eq!(
            key(try_resolve(&p, "../other/a.jpg", &scope)),
            "outside:../other/a.jpg"
        );
        assert_eq!(
            key(try_resolve(
                &p,
                "https://school.example/other/a.jpg",
                &scope
            )),
            "remote:https://school.example/other/a.jpg"
        );
    }

    #[test]
    fn crawl_scope_keeps_every_image_remote() {
        let scope = SiteScope {
            base: url::Url::parse(BASE).unwrap(),
            local: false,
        };
        assert_eq!(
            key(try_resolve(&page(PAGE), "../img/a.jpg?x=1#f", &scope)),
            "remote:https://school.example/img/a.jpg?x=1"
        );
    }

    #[test]
    fn data_uris_schemes_and_garbage() {
        // Embedded images are keyed by their bytes' SHA-256 ("x" and b"\x89PN").
        assert_eq!(
            r("DATA:image/gif,x"),
            // "x" is no picture: its label says what the bytes show, not what the URI declares.
            "data:application/octet-stream;sha256=2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881"
        );
        assert_eq!(
            r("data:image/png;base64,iVBO"),
            r("data:image/png;base64, iV BO ")
        );
        assert_eq!(
            r("data:image/png;base64,iVBOR"),
            "bad:`data:` URI with invalid base64"
        );
        assert_eq!(r("data:,"), "bad:empty `data:` URI");
        assert_eq!(r(""), "bad:empty image address");
        assert_eq!(
            r("javascript:void(0)"),
            "bad:`javascript:` addresses are not images that can be checked"
        );
        assert!(r("http://exa mple.org/a.jpg").starts_with("bad:not a valid URL"));
        assert!(r("https://[::1/a.jpg").starts_with("bad:not a valid URL"));
        assert_eq!(r("/"), "bad:names a folder, not an image file");
    }
}
