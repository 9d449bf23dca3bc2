//! Finding more pages: links in HTML, sitemaps (and sitemap indexes), RSS and Atom feeds.

use quick_xml::events::{BytesStart, Event};
use scraper::{Html, Selector};
use url::Url;

/// What one HTML page points to that the crawl may follow.
#[derive(Debug, Default, PartialEq)]
pub struct HtmlLinks {
    /// `<a href>` and `<area href>`.
    pub links: Vec<Url>,
    /// `rel="next"` pagination (`<link>` or `<a>`): followed at the same depth.
    pub next: Vec<Url>,
    /// `<link rel="alternate" type="application/rss+xml|atom+xml">`.
    pub feeds: Vec<Url>,
}

fn rel_words(el: &scraper::node::Element) -> Vec<String> {
    el.attr("rel")
        .unwrap_or("")
        .split_ascii_whitespace()
        .map(|w| w.to_ascii_lowercase())
        .collect()
}

/// Links on a page at `page_url`, resolved against `<base href>` when there is one.
pub fn html_links(html: &str, page_url: &Url) -> HtmlLinks {
    let doc = Html::parse_document(html);
    let sel = |s: &str| Selector::parse(s).expect("static selector");
    let base = doc
        .select(&sel("base[href]"))
        .next()
        .and_then(|b| b.value().attr("href"))
        .and_then(|h| page_url.join(h.trim()).ok())
        .unwrap_or_else(|| page_url.clone());
    let resolve = |href: &str| -> Option<Url> {
        let href = href.trim();
        if href.is_empty() || href.starts_with('#') {
            return None;
        }
        let url = base.join(href).ok()?;
        matches!(url.scheme(), "http" | "https").then_some(url)
    };

    let mut out = HtmlLinks::default();
    for a in doc.select(&sel("a[href], area[href]")) {
        let Some(url) = a.value().attr("href").and_then(resolve) else {
            continue;
        };
        if rel_words(a.value()).iter().any(|w| w == "next") {
            out.next.push(url.clone());
        }
        out.links.push(url);
    }
    for link in doc.select(&sel("link[href][rel]")) {
        let rel = rel_words(link.value());
        let Some(url) = link.value().attr("href").and_then(resolve) else {
            continue;
        };
        if rel.iter().any(|w| w == "next") {
            out.next.push(url.clone());
        }
        let kind = link.value().attr("type").unwrap_or("").to_ascii_lowercase();
        if rel.iter().any(|w| w == "alternate")
            && (kind.contains("rss+xml") || kind.contains("atom+xml"))
        {
            out.feeds.push(url);
        }
    }
    out
}

/// A fetched XML document, by what it lists.
#[derive(Debug, PartialEq)]
pub enum XmlDoc {
    /// `<sitemapindex>`: further sitemaps.
    SitemapIndex(Vec<String>),
    /// `<urlset>`: pages.
    UrlSet(Vec<String>),
    /// RSS or Atom: entry links, and an Atom `rel="next"` page of the feed (Blogger pages its feeds).
    Feed {
        entries: Vec<String>,
        next: Option<String>,
    },
    /// Well-formed XML that is none of these.
    Other(String),
}

/// Sitemaps may be served gzip-compressed as files (`sitemap.xml.gz`), not only as a
/// transfer encoding that the HTTP client undoes; unpack those, bounded by `limit`.
pub fn gunzip_if_needed(bytes: Vec<u8>, limit: u64) -> Result<Vec<u8>, String> {
    use std::io::Read;
    if !bytes.starts_with(&[0x1f, 0x8b]) {
        return Ok(bytes);
    }
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(&bytes[..])
        .take(limit + 1)
        .read_to_end(&mut out)
        .map_err(|e| format!("cannot gunzip: {e}"))?;
    if out.len() as u64 > limit {
        return Err(format!("unpacks to more than the limit of {limit} bytes"));
    }
    Ok(out)
}

fn href_and_rel(e: &BytesStart) -> (Option<String>, Option<String>) {
    let (mut href, mut rel) = (None, None);
    for attr in e.attributes().flatten() {
        let value = attr.unescape_value().ok().map(|v| v.trim().to_string());
        match attr.key.local_name().as_ref() {
            b"href" => href = value,
            b"rel" => rel = value,
            _ => {}
        }
    }
    (href, rel)
}

/// Parse a sitemap, sitemap index, RSS or Atom feed. Malformed XML is an error with its position.
pub fn parse_xml(bytes: &[u8]) -> Result<XmlDoc, String> {
    let mut reader = quick_xml::Reader::from_reader(bytes);
    reader.config_mut().trim_text(true);
    // Local names of the open elements, innermost last.
    let mut stack: Vec<Vec<u8>> = Vec::new();
    let mut root: Option<Vec<u8>> = None;
    let (mut locs, mut entries, mut next) = (Vec::new(), Vec::new(), None);
    loop {
        let event = reader
            .read_event()
            .map_err(|e| format!("malformed XML at byte {}: {e}", reader.buffer_position()))?;
        match event {
            Event::Start(ref e) | Event::Empty(ref e) => {
                let name = e.local_name().as_ref().to_vec();
                if root.is_none() {
                    root = Some(name.clone());
                }
                // Atom links are attributes: entry links are alternates; a feed-level `next` pages on.
                if name == b"link" && root.as_deref() == Some(b"feed") {
                    let (href, rel) = href_and_rel(e);
                    let in_entry = stack.iter().any(|n| n == b"entry");
                    match (href, rel.as_deref()) {
                        (Some(h), None | Some("alternate")) if in_entry => entries.push(h),
                        (Some(h), Some("next")) if !in_entry => next = Some(h),
                        _ => {}
                    }
                }
                if matches!(event, Event::Start(_)) {
                    stack.push(name);
                }
            }
            Event::End(_) => {
                stack.pop();
            }
            Event::Text(ref t) => {
                let text = t.unescape().map_err(|e| format!("bad XML text: {e}"))?;
                collect_text(&stack, text.trim(), &mut locs, &mut entries);
            }
            Event::CData(ref t) => {
                let text = String::from_utf8_lossy(t.as_ref());
                collect_text(&stack, text.trim(), &mut locs, &mut entries);
            }
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(match root.as_deref() {
        Some(b"sitemapindex") => XmlDoc::SitemapIndex(locs),
        Some(b"urlset") => XmlDoc::UrlSet(locs),
        Some(b"rss") | Some(b"RDF") | Some(b"feed") => XmlDoc::Feed { entries, next },
        Some(other) => XmlDoc::Other(String::from_utf8_lossy(other).into_owned()),
        None => return Err("empty document".into()),
    })
}

fn collect_text(stack: &[Vec<u8>], text: &str, locs: &mut Vec<String>, entries: &mut Vec<String>) {
    if text.is_empty() {
        return;
    }
    match stack.last().map(Vec::as_slice) {
        Some(b"loc") => locs.push(text.to_string()),
        // RSS 2.0 / 1.0 item links are element text.
        Some(b"link") if stack.iter().any(|n| n == b"item") => entries.push(text.to_string()),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_links_next_and_feeds_are_found_and_resolved() {
        let page = Url::parse("https://s.org/news/index.html").unwrap();
        let html = r##"<html><head>
            <link rel="alternate" type="application/rss+xml" href="/feed/">
            <link rel="next" href="?page=2"><link rel="stylesheet" href="a.css">
          </head><body>
            <a href="a.html#x">A</a><a href="#top">top</a><a href="mailto:x@y.org">m</a>
            <a href="javascript:void(0)">j</a><a rel="next nofollow" href="/news/p3">3</a>
            <map><area href="/map.html"></map>
          </body></html>"##;
        let l = html_links(html, &page);
        let s = |v: &[Url]| v.iter().map(|u| u.to_string()).collect::<Vec<_>>();
        assert_eq!(
            s(&l.links),
            [
                "https://s.org/news/a.html#x",
                "https://s.org/news/p3",
                "https://s.org/map.html"
            ]
        );
        assert_eq!(
            s(&l.next),
            [
                "https://s.org/news/p3",
                "https://s.org/news/index.html?page=2"
            ]
        );
        assert_eq!(s(&l.feeds), ["https://s.org/feed/"]);
    }

    #[test]
    fn base_href_changes_how_links_resolve() {
        let page = Url::parse("https://s.org/a/b.html").unwrap();
        let l = html_links(
            r#"<base href="https://s.org/x/"><a href="c.html">c</a>"#,
            &page,
        );
        assert_eq!(l.links[0].as_str(), "https://s.org/x/c.html");
    }

    #[test]
    fn sitemap_index_and_urlset_list_their_locations() {
        let index = br#"<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
          <sitemap><loc>https://s.org/post-sitemap.xml</loc></sitemap></sitemapindex>"#;
        assert_eq!(
            parse_xml(index).unwrap(),
            XmlDoc::SitemapIndex(vec!["https://s.org/post-sitemap.xml".into()])
        );
        let set = br#"<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:image="http://www.google.com/schemas/sitemap-image/1.1">
          <url><loc> https://s.org/a?x=1&amp;y=2 </loc><image:image><image:loc>https://s.org/i.jpg</image:loc></image:image></url></urlset>"#;
        // `image:loc` has local name `loc` too; image URLs are harmless here because
        // the crawl skips media extensions when queueing pages.
        assert_eq!(
            parse_xml(set).unwrap(),
            XmlDoc::UrlSet(vec![
                "https://s.org/a?x=1&y=2".into(),
                "https://s.org/i.jpg".into()
            ])
        );
    }

    #[test]
    fn rss_and_atom_entries_and_atom_paging() {
        let rss = br#"<rss version="2.0"><channel><title>t</title><link>https://s.org/</link>
          <item><title>p</title><link>https://s.org/2025/post/</link></item>
          <item><link><![CDATA[https://s.org/2024/old/]]></link></item></channel></rss>"#;
        assert_eq!(
            parse_xml(rss).unwrap(),
            XmlDoc::Feed {
                entries: vec![
                    "https://s.org/2025/post/".into(),
                    "https://s.org/2024/old/".into()
                ],
                next: None
            }
        );
        let atom = br#"<feed xmlns="http://www.w3.org/2005/Atom">
          <link rel="self" href="https://b.org/feeds/posts/default"/>
          <link rel="next" href="https://b.org/feeds/posts/default?start-index=26"/>
          <entry><link rel="replies" href="https://b.org/c"/><link rel="alternate" href="https://b.org/2025/01/p.html"/></entry>
        </feed>"#;
        assert_eq!(
            parse_xml(atom).unwrap(),
            XmlDoc::Feed {
                entries: vec!["https://b.org/2025/01/p.html".into()],
                next: Some("https://b.org/feeds/posts/default?start-index=26".into())
            }
        );
    }

    #[test]
    fn broken_xml_is_an_error_not_a_panic() {
        assert!(parse_xml(b"<urlset><url><loc>x</url>").is_err());
        assert!(parse_xml(b"").is_err());
        assert!(matches!(
            parse_xml(b"<html><body/></html>"),
            Ok(XmlDoc::Other(_))
        ));
    }

    #[test]
    fn gzipped_sitemaps_are_unpacked_within_the_limit() {
        use std::io::Write;
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        enc.write_all(&[b'a'; 1000]).unwrap();
        let gz = enc.finish().unwrap();
        assert_eq!(gunzip_if_needed(gz.clone(), 2000).unwrap().len(), 1000);
        assert!(gunzip_if_needed(gz, 100).is_err());
        assert_eq!(gunzip_if_needed(b"<x/>".to_vec(), 10).unwrap(), b"<x/>");
    }
}
