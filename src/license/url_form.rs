//! Creative Commons URLs: deeds, legal codes, RDF and button images, alone or inside text.

use super::{Elements, Kind, License, Version};

/// Hosts whose paths name CC tools. `i.creativecommons.org` and
/// `licensebuttons.net` serve the 88x31 buttons under `/l/` and `/p/`.
/// `web.resource.org/cc/` is the old CC RDF namespace (SVG metadata of the 2000s).
const HOSTS: [&str; 3] = [
    "creativecommons.org",
    "licensebuttons.net",
    "web.resource.org",
];

/// How far around a host name a URL may reach; bounds the work on hostile text.
const MAX_URL_PREFIX: usize = 16;
const MAX_URL_LEN: usize = 512;

/// A port code as CC writes it in URLs: two letters, or the two longer ones.
/// Any two letters are accepted so a port this table does not know is not
/// reported as an unknown licence.
pub(super) fn is_port_code(code: &str) -> bool {
    (code.len() == 2 && code.bytes().all(|b| b.is_ascii_lowercase()))
        || code == "scotland"
        || code == "igo"
}

/// Parse one URL (scheme optional). `None` for any URL that is not a CC licence.
pub(super) fn parse_url(url: &str) -> Option<License> {
    let lower = url.trim().to_ascii_lowercase();
    let rest = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"))
        .or_else(|| lower.strip_prefix("//"))
        .unwrap_or(&lower);
    let rest = rest.split(['?', '#']).next().unwrap_or("");
    let (host, path) = rest.split_once('/').unwrap_or((rest, ""));
    let host = host.split(':').next().unwrap_or(host);
    let known = HOSTS
        .iter()
        .any(|h| host == *h || host.strip_suffix(h).is_some_and(|sub| sub.ends_with('.')));
    if !known {
        return None;
    }
    if host.ends_with("web.resource.org") {
        // Only one term of the old namespace names a tool: `cc/PublicDomain`.
        return (path.trim_end_matches('/') == "cc/publicdomain")
            .then(|| License::new(Kind::PublicDomainCertification, None, None))
            .flatten();
    }
    let path = path.replace("%2b", "+");
    let segs: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    match segs.first().copied()? {
        "licenses" | "license" | "l" => parse_license_path(&segs[1..]),
        "publicdomain" | "p" => parse_publicdomain_path(&segs[1..]),
        _ => None,
    }
}

/// `by-sa/3.0/de/deed.en` and the like.
fn parse_license_path(segs: &[&str]) -> Option<License> {
    let slug = *segs.first()?;
    if slug == "publicdomain" {
        return License::new(Kind::PublicDomainCertification, None, None);
    }
    let kind = kind_from_slug(slug)?;
    let version = Version::parse(segs.get(1)?)?;
    // After the version: a port, then `deed.xx`, `legalcode`, `rdf`, `88x31.png`.
    let jurisdiction = segs.get(2).copied().filter(|s| is_port_code(s));
    License::new(kind, Some(version), jurisdiction)
}

/// `zero/1.0/`, `mark/1.0/`, `certification/1.0/us/`.
fn parse_publicdomain_path(segs: &[&str]) -> Option<License> {
    let kind = match *segs.first()? {
        "zero" => Kind::Cc0,
        "mark" => Kind::PublicDomainMark,
        "certification" => return License::new(Kind::PublicDomainCertification, None, None),
        _ => return None,
    };
    let version = Version::parse(segs.get(1)?)?;
    License::new(kind, Some(version), None)
}

fn kind_from_slug(slug: &str) -> Option<Kind> {
    match slug {
        "sampling" => return Some(Kind::Sampling),
        "sampling+" => return Some(Kind::SamplingPlus),
        "nc-sampling+" => return Some(Kind::NcSamplingPlus),
        "devnations" => return Some(Kind::DevelopingNations),
        _ => {}
    }
    let mut e = Elements::default();
    for part in slug.split('-') {
        let flag = match part {
            "by" => &mut e.by,
            "nc" => &mut e.nc,
            "nd" => &mut e.nd,
            "sa" => &mut e.sa,
            _ => return None,
        };
        if *flag {
            return None;
        }
        *flag = true;
    }
    Some(Kind::Cc(e))
}

/// Byte range of a URL-ish run found in text.
struct UrlSpan {
    start: usize,
    end: usize,
}

fn is_url_prefix_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'.' | b':' | b'/' | b'-')
}

fn ends_url(b: u8) -> bool {
    b.is_ascii_whitespace()
        || matches!(
            b,
            b'"' | b'\'' | b'<' | b'>' | b'`' | b')' | b']' | b'}' | b'\\' | b',' | b'|'
        )
}

/// Every run of text around a CC host name, whether or not it names a licence
/// (`creativecommons.org/ns#` does not): its words must not be read as names.
fn url_spans(text: &str) -> Vec<UrlSpan> {
    let lower = text.to_ascii_lowercase();
    let bytes = lower.as_bytes();
    let mut spans: Vec<UrlSpan> = Vec::new();
    for host in HOSTS {
        let mut from = 0;
        while let Some(hit) = lower[from..].find(host) {
            let hit = from + hit;
            from = hit + host.len();
            let floor = hit.saturating_sub(MAX_URL_PREFIX);
            let mut start = hit;
            while start > floor && is_url_prefix_byte(bytes[start - 1]) {
                start -= 1;
            }
            let ceiling = (hit + MAX_URL_LEN).min(bytes.len());
            let mut end = from;
            while end < ceiling && !ends_url(bytes[end]) {
                end += 1;
            }
            // A URL at a sentence's end: "visit https://…/by/4.0/."
            while end > from && matches!(bytes[end - 1], b'.' | b';' | b':' | b'!' | b'?') {
                end -= 1;
            }
            // Both ends sit on ASCII bytes or the text's ends, so they are char boundaries;
            // but the ceiling may cut a multi-byte char.
            while !text.is_char_boundary(end) {
                end -= 1;
            }
            spans.push(UrlSpan { start, end });
            from = from.max(end);
        }
    }
    // A run found from one host may contain the other host's name: keep the first.
    spans.sort_by_key(|s| s.start);
    let mut kept: Vec<UrlSpan> = Vec::with_capacity(spans.len());
    for s in spans {
        if kept.last().is_none_or(|k| s.start >= k.end) {
            kept.push(s);
        }
    }
    kept
}

/// Licences named by URLs inside text, with their byte positions, and the text
/// with every CC URL replaced by spaces (offsets kept) for the name scanner.
pub(super) fn split_urls(text: &str) -> (Vec<(usize, License)>, String) {
    let mut found = Vec::new();
    let mut blanked = String::with_capacity(text.len());
    let mut copied = 0;
    for s in url_spans(text) {
        if let Some(l) = parse_url(&text[s.start..s.end]) {
            found.push((s.start, l));
        }
        blanked.push_str(&text[copied..s.start]);
        blanked.extend(std::iter::repeat_n(' ', s.end - s.start));
        copied = s.end;
    }
    blanked.push_str(&text[copied..]);
    (found, blanked)
}
