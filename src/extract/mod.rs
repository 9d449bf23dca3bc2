//! Extraction: one HTML page in, every image use on it out.
//!
//! A pure function of the page's HTML and the site's scope, so it is tested with strings.
//! Broken HTML is parsed the way browsers parse it (html5ever); nothing here panics on it.
//!
//! - `positions`: the parse, with each element's start-tag offset (line and column).
//! - `references_of`: which attributes and CSS of an element name images.
//! - `resolve`: reference → local file, remote URL, data URI or outside the root.
//! - `credit`: caption and attribution shown for the image on the page.
//!
//! References that name nothing readable go to [`Extraction::bad`]; a reference that climbs
//! above the site root is still a use (its target is [`Target::OutsideRoot`]), so the policy
//! reports it where it stands.

mod credit;
mod css;
mod positions;
mod resolve;
mod srcset;
mod text;

use std::collections::HashSet;

use scraper::ElementRef;

use crate::model::{BadReference, ImageKey, ImageUse, Page, RefKind, Target};
use crate::source::SiteScope;
use crate::source::embedded::EmbeddedError;
pub use resolve::{BadReason, try_resolve};

/// A reference as the page wrote it, for reports; a `data:` URI cut short
/// (the extraction keeps it whole once, in [`Extraction::embedded`]): a
/// pasted photo is megabytes of base64.
fn as_written(reference: &str) -> String {
    const KEPT: usize = 64;
    if is_data_uri(reference) && reference.len() > KEPT {
        let end = (0..=KEPT)
            .rev()
            .find(|&i| reference.is_char_boundary(i))
            .unwrap_or(0);
        return format!("{}…", &reference[..end]);
    }
    reference.to_string()
}

/// True for a `data:` URI (scheme in any case, leading whitespace allowed).
fn is_data_uri(reference: &str) -> bool {
    reference
        .trim_start()
        .get(..5)
        .is_some_and(|s| s.eq_ignore_ascii_case("data:"))
}

/// Bump when what [`extract`] finds on a page, or [`Extraction`]'s form, changes:
/// cached extractions of another version are not used.
pub const EXTRACTION_VERSION: u32 = 3;

/// The image uses found on one page, and the references that could not be resolved.
#[derive(Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct Extraction {
    pub uses: Vec<ImageUse>,
    pub bad: Vec<BadReference>,
    /// Each image the page embeds as a `data:` URI, once, with the URI its
    /// bytes are read from (uses name it only by label).
    pub embedded: Vec<EmbeddedUri>,
}

/// An embedded image's label ([`ImageKey::Embedded`]) and a `data:` URI holding it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct EmbeddedUri {
    pub label: String,
    pub uri: String,
}

/// Resolve one reference as written on the page at `page_url`.
///
/// A reference that names nothing readable (empty, `javascript:`, not a URL) comes back as
/// [`Target::OutsideRoot`] so it is never read; [`try_resolve`] tells the two apart.
pub fn resolve(page_url: &url::Url, reference: &str, scope: &SiteScope) -> Target {
    try_resolve(page_url, reference, scope)
        .unwrap_or_else(|_| Target::OutsideRoot(reference.to_string()))
}

/// File name endings of images, for references that only count when they name one
/// (`<a href>`, style sheets).
const IMAGE_EXTENSIONS: &[&str] = &[
    "jpg", "jpeg", "jpe", "jfif", "pjpeg", "png", "apng", "gif", "webp", "avif", "svg", "svgz",
    "bmp", "ico", "tif", "tiff", "heic", "heif", "jxl",
];

/// CSS properties whose `url()` is an image whatever its file name.
const IMAGE_PROPERTIES: &[&str] = &[
    "background",
    "background-image",
    "list-style",
    "list-style-image",
    "border-image",
    "border-image-source",
    "mask",
    "mask-image",
    "-webkit-mask-image",
    "content",
    "cursor",
];

/// `<link rel>` words naming an icon.
const ICON_RELS: &[&str] = &[
    "icon",
    "apple-touch-icon",
    "apple-touch-icon-precomposed",
    "mask-icon",
    "fluid-icon",
];

/// Formatting elements html5ever re-creates when tags are mis-nested. Copies without a
/// start tag of their own repeat one that was already seen, so they are not new uses.
const REOPENED_FORMATTING: &[&str] = &[
    "a", "b", "big", "code", "em", "font", "i", "nobr", "s", "small", "strike", "strong", "tt", "u",
];

/// Find every image use on `page`.
pub fn extract(page: &Page, scope: &SiteScope) -> Extraction {
    let parsed = positions::parse(&page.html);
    let lines = positions::LineIndex::new(&page.html);
    let base = document_base(&parsed.html, &page.url);
    let page_credits = credit::PageCredits::gather(&parsed.html, &base, scope);
    let mut out = Extraction::default();
    let mut embedded_here: HashSet<String> = HashSet::new();

    for node in parsed.html.tree.root().descendants() {
        let Some(el) = ElementRef::wrap(node) else {
            continue;
        };
        let references = references_of(el);
        if references.is_empty() {
            continue;
        }
        let offset = match parsed.offsets.get(&el.id()) {
            Some(&offset) => offset,
            None if REOPENED_FORMATTING.contains(&el.value().name()) => continue,
            // `<body style>` after an implied body: its attributes were merged into it.
            None => first_tag_offset(&page.html, el.value().name()).unwrap_or(0),
        };
        let (line, column) = lines.line_column(offset);
        let mut seen: HashSet<(u8, String)> = HashSet::new();
        let mut details: Option<Details> = None;

        for (kind, reference) in &references {
            let target = match try_resolve(&base, reference, scope) {
                Ok(target) => target,
                // `data:,` says "no image" (a favicon browsers need not ask for).
                Err(BadReason::Embedded(EmbeddedError::Empty)) => continue,
                Err(reason) => {
                    out.bad.push(BadReference {
                        page: page.path.clone(),
                        line,
                        column,
                        reference: as_written(reference),
                        reason: format!("{} ({})", reason, kind_label(*kind)),
                    });
                    continue;
                }
            };
            // `src` and `srcset` often repeat one file; one element uses it once.
            let identity = match &target {
                Target::Image(ImageKey::Local(path)) => (0, path.clone()),
                Target::Image(ImageKey::Remote(url)) => (1, url.clone()),
                Target::OutsideRoot(reference) => (2, reference.clone()),
                Target::Image(ImageKey::Embedded(label)) => (3, label.clone()),
            };
            if !seen.insert(identity) {
                continue;
            }
            if let Target::Image(ImageKey::Embedded(label)) = &target
                && embedded_here.insert(label.clone())
            {
                out.embedded.push(EmbeddedUri {
                    label: label.clone(),
                    // What `try_resolve` labelled, byte for byte.
                    uri: resolve::as_attribute_url(reference).to_string(),
                });
            }
            let details = details.get_or_insert_with(|| Details::of(el));
            let hidden = credit::ElementCredits::default();
            let local = if is_visible(*kind) {
                details.credits.get_or_insert_with(|| {
                    credit::ElementCredits::of(details.subject, details.title.as_deref())
                })
            } else {
                &hidden
            };
            let attribution = credit::attribution(
                local,
                &target,
                details.alt.as_deref(),
                details.title.as_deref(),
                &page_credits,
            );
            out.uses.push(ImageUse {
                page: page.path.clone(),
                line,
                column,
                kind: *kind,
                reference: as_written(reference),
                target,
                alt: details.alt.clone(),
                title: details.title.clone(),
                caption: local.caption_text().map(str::to_string),
                attribution,
                ignore: details.ignore.clone(),
            });
        }
    }
    out
}

/// The URL relative references resolve against: the first `<base href>`, as browsers use
/// it, else the page's own URL.
fn document_base(html: &scraper::Html, page_url: &url::Url) -> url::Url {
    html.root_element()
        .descendants()
        .filter_map(ElementRef::wrap)
        .find(|e| e.value().name() == "base" && e.value().attr("href").is_some())
        .and_then(|e| page_url.join(e.value().attr("href")?.trim()).ok())
        .filter(|u| matches!(u.scheme(), "http" | "https"))
        .unwrap_or_else(|| page_url.clone())
}

/// What every use from one element shares.
struct Details<'a> {
    /// The element captions and credits are looked up from: the `<img>` of a `<picture>`.
    subject: ElementRef<'a>,
    alt: Option<String>,
    title: Option<String>,
    ignore: Vec<String>,
    /// Caption and credits around the element, looked up on its first visible use.
    credits: Option<credit::ElementCredits>,
}

impl<'a> Details<'a> {
    fn of(el: ElementRef<'a>) -> Details<'a> {
        let subject = if el.value().name() == "source" {
            el.parent()
                .and_then(ElementRef::wrap)
                .and_then(|picture| {
                    picture
                        .children()
                        .filter_map(ElementRef::wrap)
                        .find(|c| c.value().name() == "img")
                })
                .unwrap_or(el)
        } else {
            el
        };
        let attr = |name: &str| subject.value().attr(name).map(text::normalize);
        let alt = match subject.value().name() {
            "img" | "input" | "area" => attr("alt"),
            _ => None,
        };
        Details {
            subject,
            alt,
            title: attr("title").or_else(|| el.value().attr("title").map(text::normalize)),
            ignore: ignore_rules(el),
            credits: None,
        }
    }
}

/// How far up an ancestor's `data-clearance-ignore` still covers an image; bounded so deeply
/// nested hostile markup stays linear.
const MAX_IGNORE_DEPTH: usize = 16;

/// Rule ids from the nearest `data-clearance-ignore` on the element or an ancestor
/// (`<figure data-clearance-ignore>` covers its image). Empty or `all` means every rule.
fn ignore_rules(el: ElementRef<'_>) -> Vec<String> {
    let value = std::iter::once(el)
        .chain(el.ancestors().filter_map(ElementRef::wrap))
        .take(MAX_IGNORE_DEPTH)
        .find_map(|e| e.value().attr("data-clearance-ignore"));
    let Some(value) = value else {
        return Vec::new();
    };
    let ids: Vec<String> = value
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect();
    if ids.is_empty()
        || ids
            .iter()
            .any(|id| id.eq_ignore_ascii_case("all") || id == "*")
    {
        vec!["*".to_string()]
    } else {
        ids
    }
}

/// Uses that sit in the page's visible content, where captions and credit lines can be.
fn is_visible(kind: RefKind) -> bool {
    !matches!(
        kind,
        RefKind::OgImage
            | RefKind::TwitterImage
            | RefKind::LinkIcon
            | RefKind::LinkImageSrc
            | RefKind::StyleBlock
    )
}

fn kind_label(kind: RefKind) -> &'static str {
    match kind {
        RefKind::ImgSrc => "img src",
        RefKind::ImgSrcset => "img srcset",
        RefKind::PictureSource => "picture source srcset",
        RefKind::InlineStyle => "style attribute",
        RefKind::StyleBlock => "style block",
        RefKind::OgImage => "og:image",
        RefKind::TwitterImage => "twitter:image",
        RefKind::LinkIcon => "link icon",
        RefKind::LinkImageSrc => "link image_src",
        RefKind::VideoPoster => "video poster",
        RefKind::AnchorHref => "link to an image",
        RefKind::InputImage => "image button",
        RefKind::SvgImage => "svg image",
    }
}

/// Every image reference written on `el`, in attribute order of importance.
fn references_of(el: ElementRef<'_>) -> Vec<(RefKind, String)> {
    let value = el.value();
    let mut refs: Vec<(RefKind, String)> = Vec::new();
    let is_svg = value.name.ns.as_ref() == "http://www.w3.org/2000/svg";
    let attr = |name: &str| value.attr(name);
    let push_srcset = |refs: &mut Vec<(RefKind, String)>, kind, srcset: Option<&str>| {
        if let Some(srcset) = srcset {
            refs.extend(
                srcset::candidates(srcset)
                    .into_iter()
                    .map(|c| (kind, c.to_string())),
            );
        }
    };
    match value.name() {
        "img" if !is_svg => {
            // Lazy-loading scripts keep the real address in `data-*` attributes
            // and show a placeholder, most often a `data:` URI, until they swap
            // it in: such a placeholder is no picture of its own.
            let lazy = LAZY_ATTRIBUTES.iter().any(|name| attr(name).is_some());
            let shown = |name: &str| attr(name).filter(|v| !(lazy && is_data_uri(v)));
            for name in ["src", "data-src", "data-lazy-src", "data-original"] {
                if let Some(src) = shown(name) {
                    refs.push((RefKind::ImgSrc, src.to_string()));
                }
            }
            for name in ["srcset", "data-srcset", "data-lazy-srcset"] {
                push_srcset(&mut refs, RefKind::ImgSrcset, shown(name));
            }
        }
        "source"
            if el
                .parent()
                .and_then(ElementRef::wrap)
                .is_some_and(|p| p.value().name() == "picture") =>
        {
            let lazy = attr("data-srcset").is_some();
            let shown = |name: &str| attr(name).filter(|v| !(lazy && is_data_uri(v)));
            for name in ["srcset", "data-srcset"] {
                push_srcset(&mut refs, RefKind::PictureSource, shown(name));
            }
            if let Some(src) = attr("src") {
                refs.push((RefKind::PictureSource, src.to_string()));
            }
        }
        "meta" => {
            let key = attr("property")
                .or_else(|| attr("name"))
                .map(str::to_ascii_lowercase);
            let kind = match key.as_deref() {
                Some("og:image" | "og:image:url" | "og:image:secure_url") => Some(RefKind::OgImage),
                Some("twitter:image" | "twitter:image:src") => Some(RefKind::TwitterImage),
                _ => None,
            };
            if let (Some(kind), Some(content)) = (kind, attr("content")) {
                refs.push((kind, content.to_string()));
            }
        }
        "link" => {
            let rel = text::tokens(attr("rel"));
            let kind = if rel.iter().any(|r| ICON_RELS.contains(&r.as_str())) {
                Some(RefKind::LinkIcon)
            } else if rel.iter().any(|r| r == "image_src") {
                Some(RefKind::LinkImageSrc)
            } else {
                None
            };
            if let (Some(kind), Some(href)) = (kind, attr("href")) {
                refs.push((kind, href.to_string()));
            }
        }
        "video" => {
            if let Some(poster) = attr("poster") {
                refs.push((RefKind::VideoPoster, poster.to_string()));
            }
        }
        "a" | "area" if !is_svg => {
            if let Some(href) = attr("href").filter(|h| names_image_file(h)) {
                refs.push((RefKind::AnchorHref, href.to_string()));
            }
        }
        "input" => {
            if attr("type").is_some_and(|t| t.trim().eq_ignore_ascii_case("image"))
                && let Some(src) = attr("src")
            {
                refs.push((RefKind::InputImage, src.to_string()));
            }
        }
        "image" | "feImage" if is_svg => {
            // `href` and `xlink:href` share the local name `href`.
            if let Some((_, href)) = value.attrs().find(|(name, _)| *name == "href") {
                refs.push((RefKind::SvgImage, href.to_string()));
            }
        }
        "style" => {
            let css: String = el.text().collect();
            refs.extend(
                css::urls(&css)
                    .into_iter()
                    .filter(|u| {
                        names_image_file(&u.url)
                            || u.property
                                .as_deref()
                                .is_some_and(|p| IMAGE_PROPERTIES.contains(&p))
                    })
                    .map(|u| (RefKind::StyleBlock, u.url)),
            );
        }
        _ => {}
    }
    if let Some(style) = attr("style") {
        refs.extend(
            css::urls(style)
                .into_iter()
                .map(|u| (RefKind::InlineStyle, u.url)),
        );
    }
    refs
}

/// Attributes where lazy-loading scripts keep an image's real address.
const LAZY_ATTRIBUTES: &[&str] = &[
    "data-src",
    "data-lazy-src",
    "data-original",
    "data-srcset",
    "data-lazy-srcset",
];

/// True when the reference's path ends in an image file extension.
fn names_image_file(reference: &str) -> bool {
    let path = reference
        .split(['?', '#'])
        .next()
        .unwrap_or_default()
        .trim_end();
    if is_data_uri(reference) {
        return reference.trim_start()[5..]
            .to_ascii_lowercase()
            .starts_with("image/");
    }
    let file = path.rsplit(['/', '\\']).next().unwrap_or(path);
    file.rsplit_once('.').is_some_and(|(stem, ext)| {
        !stem.is_empty() && IMAGE_EXTENSIONS.iter().any(|e| ext.eq_ignore_ascii_case(e))
    })
}

/// Byte offset of the first start tag named `name` in the raw text, for elements whose own
/// start tag was merged into one the parser had implied.
fn first_tag_offset(source: &str, name: &str) -> Option<usize> {
    let bytes = source.as_bytes();
    let needle = name.as_bytes();
    (0..bytes.len()).find(|&i| {
        bytes[i] == b'<'
            && bytes
                .get(i + 1..i + 1 + needle.len())
                .is_some_and(|raw| raw.eq_ignore_ascii_case(needle))
            && bytes
                .get(i + 1 + needle.len())
                .is_none_or(|b| b.is_ascii_whitespace() || *b == b'>' || *b == b'/')
    })
}

#[cfg(test)]
mod tests;
