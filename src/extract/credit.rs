//! Captions and credits shown for an image on its page: figcaptions, WordPress captions,
//! credit lines after the image, Creative Commons RDFa, and credits sections elsewhere
//! on the page that name the image.

use std::collections::{HashMap, HashSet};

use ego_tree::NodeRef;
use scraper::{ElementRef, Html, Node};

use super::resolve::try_resolve;
use super::text::{self, class_contains, is_inline, normalize, push_text, tokens};
use crate::model::{Attribution, ImageKey, Link, Target};
use crate::source::SiteScope;

/// How many ancestors up a caption container may be.
const MAX_CAPTION_DEPTH: usize = 6;
/// A credit line longer than this (in bytes of text) is body text, not a credit.
const MAX_CREDIT_LINE: usize = 600;
/// How many nodes around an image are searched for its caption, credit line or licence
/// links; captions sit close, and the bound keeps galleries and hostile pages linear.
const MAX_NEARBY_NODES: usize = 200;
/// Text that only matches the loose `by ` pattern must be this short to count.
const MAX_LOOSE_CREDIT: usize = 160;

/// Words that mark text as a credit or licence statement (lower-case).
const CREDIT_MARKERS: &[&str] = &[
    "photo:",
    "photo by",
    "photos by",
    "photograph",
    "image:",
    "image by",
    "image courtesy",
    "picture by",
    "illustration by",
    "credit",
    "©",
    "(c) ",
    "copyright",
    "courtesy",
    "cc by",
    "cc-by",
    "cc0",
    "creative commons",
    "public domain",
    "licensed under",
    "licence",
    "license",
    "source:",
    "foto:",
    "bild:",
];

/// Heading words that introduce a page's credits section (lower-case).
const SECTION_HEADINGS: &[&str] = &[
    "credit",
    "attribution",
    "image sources",
    "picture sources",
    "photo sources",
    "image licen",
    "bildnachweis",
    "bildquellen",
];

/// Class or id words of a credits container (lower-case). Not plain `credit`, which marks
/// the one-line credit under a single image.
const SECTION_CLASSES: &[&str] = &[
    "credits",
    "attributions",
    "image-sources",
    "photo-sources",
    "bildnachweis",
];

/// The credit material gathered from some nodes of the page.
#[derive(Debug, Default, Clone)]
struct Credit {
    text: String,
    links: Vec<Link>,
    attribution_name: Option<String>,
    work_title: Option<String>,
    /// The nodes carry CC RDFa (`cc:attributionName`, `dct:title`, `rel="license"`).
    rdfa: bool,
}

impl Credit {
    fn from_nodes<'a>(nodes: impl IntoIterator<Item = NodeRef<'a, Node>>) -> Credit {
        let mut credit = Credit::default();
        let mut raw = String::new();
        for node in nodes {
            match node.value() {
                Node::Text(text) => raw.push_str(text),
                Node::Element(_) => {
                    let Some(el) = ElementRef::wrap(node) else {
                        continue;
                    };
                    push_text(el, &mut raw);
                    credit.read_markup(el);
                }
                _ => {}
            }
        }
        credit.text = normalize(&raw);
        credit
    }

    fn from_text(text: &str) -> Credit {
        Credit {
            text: normalize(text),
            ..Credit::default()
        }
    }

    /// Links and RDFa below (and including) `root`.
    fn read_markup(&mut self, root: ElementRef<'_>) {
        for el in root.descendants().filter_map(ElementRef::wrap) {
            let value = el.value();
            let rel = tokens(value.attr("rel"));
            if value.name() == "a"
                && let Some(href) = value.attr("href")
            {
                self.links.push(Link {
                    href: href.trim().to_string(),
                    text: element_text(el),
                    rel: rel.clone(),
                });
            }
            if rel.iter().any(|r| is_license_rel(r)) || value.attr("xmlns:cc").is_some() {
                self.rdfa = true;
            }
            let property = tokens(value.attr("property"));
            if property.is_empty() {
                continue;
            }
            if property.iter().any(|p| is_attribution_name(p)) {
                self.rdfa = true;
                if self.attribution_name.is_none() {
                    self.attribution_name = non_empty(element_text(el));
                }
            }
            if property.iter().any(|p| is_title(p)) {
                self.rdfa = true;
                // A title inside `rel="dct:creator"` names the creator; inside
                // `rel="dct:publisher"` the publisher (CC0 chooser output), not the work.
                match party_of(el, root) {
                    Party::Creator => {
                        if self.attribution_name.is_none() {
                            self.attribution_name = non_empty(element_text(el));
                        }
                    }
                    Party::Other => {}
                    Party::Work => {
                        if self.work_title.is_none() {
                            self.work_title = non_empty(element_text(el));
                        }
                    }
                }
            }
        }
    }

    /// True when the text or markup states a credit or licence, not just a description.
    fn looks_like_credit(&self) -> bool {
        if self.attribution_name.is_some() || self.links.iter().any(is_license_link) {
            return true;
        }
        let lower = self.text.to_lowercase();
        CREDIT_MARKERS.iter().any(|m| lower.contains(m))
            || ((lower.starts_with("by ") || lower.contains(" by "))
                && lower.len() <= MAX_LOOSE_CREDIT)
    }

    fn into_attribution(self, found_in: &str) -> Attribution {
        Attribution {
            text: non_empty(self.text),
            links: self.links,
            attribution_name: self.attribution_name,
            work_title: self.work_title,
            found_in: Some(found_in.to_string()),
        }
    }
}

fn element_text(el: ElementRef<'_>) -> String {
    super::text::element_text(el)
}

fn non_empty(text: String) -> Option<String> {
    (!text.is_empty()).then_some(text)
}

fn is_license_rel(rel: &str) -> bool {
    matches!(rel, "license" | "cc:license" | "dct:license" | "dc:license")
        || rel == "http://creativecommons.org/ns#license"
}

fn is_attribution_name(property: &str) -> bool {
    property == "cc:attributionname" || property == "http://creativecommons.org/ns#attributionname"
}

fn is_title(property: &str) -> bool {
    matches!(
        property,
        "dct:title"
            | "dc:title"
            | "dcterms:title"
            | "http://purl.org/dc/terms/title"
            | "http://purl.org/dc/elements/1.1/title"
    )
}

fn is_license_link(link: &Link) -> bool {
    let href = link.href.to_ascii_lowercase();
    link.rel.iter().any(|r| is_license_rel(r))
        || href.contains("creativecommons.org/licenses")
        || href.contains("creativecommons.org/publicdomain")
}

enum Party {
    Work,
    Creator,
    Other,
}

/// Whose title a `property="dct:title"` is, from the nearest `rel` around it (within `root`).
fn party_of(el: ElementRef<'_>, root: ElementRef<'_>) -> Party {
    let mut current = Some(el);
    while let Some(node) = current {
        let rel = tokens(node.value().attr("rel"));
        // `rel` on the same element keeps the current subject for its `property`.
        if node.id() != el.id() {
            if rel.iter().any(|r| r.ends_with(":creator")) {
                return Party::Creator;
            }
            if rel
                .iter()
                .any(|r| r.ends_with(":publisher") || r.ends_with(":contributor"))
            {
                return Party::Other;
            }
        }
        if node.id() == root.id() {
            break;
        }
        current = node.parent().and_then(ElementRef::wrap);
    }
    Party::Work
}

/// The caption shown with the image at `el`, and where it was found.
pub fn caption(el: ElementRef<'_>) -> Option<(ElementRef<'_>, &'static str)> {
    for ancestor in el
        .ancestors()
        .filter_map(ElementRef::wrap)
        .take(MAX_CAPTION_DEPTH)
    {
        let name = ancestor.value().name();
        if matches!(name, "body" | "html") {
            break;
        }
        if name == "figure" {
            if let Some(fc) = own_figcaption(ancestor) {
                return Some((fc, "figcaption"));
            }
        }
        if class_contains(ancestor, "caption") {
            if let Some(found) = caption_inside(ancestor, el) {
                return Some(found);
            }
        }
    }
    // `<img><p class="caption">…</p>` with no wrapper.
    let anchor = image_anchor(el);
    anchor
        .next_siblings()
        .filter_map(ElementRef::wrap)
        .next()
        // A caption block holding another picture is that picture's caption.
        .filter(|sib| class_contains(*sib, "caption") && !contains_image(*sib))
        .map(|sib| {
            let at = if class_contains(sib, "wp-caption-text") {
                "wp-caption-text"
            } else {
                "caption"
            };
            (sib, at)
        })
}

/// The figure's own figcaption, which HTML places as its first or last child. Only the
/// ends are looked at, so a gallery figure with thousands of images stays cheap.
fn own_figcaption(figure: ElementRef<'_>) -> Option<ElementRef<'_>> {
    let first = figure.children().find_map(ElementRef::wrap);
    let last = figure.children().rev().find_map(ElementRef::wrap);
    [first, last]
        .into_iter()
        .flatten()
        .find(|c| c.value().name() == "figcaption")
}

/// A caption element inside a caption container (`div.wp-caption`), not wrapping the image.
fn caption_inside<'a>(
    container: ElementRef<'a>,
    image: ElementRef<'a>,
) -> Option<(ElementRef<'a>, &'static str)> {
    // Elements wrapping the image are not its caption.
    let wrappers: Vec<_> = image.ancestors().map(|a| a.id()).collect();
    let candidates = container
        .descendants()
        .take(MAX_NEARBY_NODES)
        .filter_map(ElementRef::wrap)
        .filter(|d| d.id() != image.id() && !wrappers.contains(&d.id()));
    let mut loose = None;
    for candidate in candidates {
        if class_contains(candidate, "wp-caption-text") {
            return Some((candidate, "wp-caption-text"));
        }
        if loose.is_none() && class_contains(candidate, "caption") {
            loose = Some((candidate, "caption"));
        }
    }
    loose
}

/// The outermost element that stands for the image alone: `<a><img></a>`,
/// `<picture>…<img></picture>`, `<span><img></span>`.
fn image_anchor(el: ElementRef<'_>) -> ElementRef<'_> {
    let mut current = el;
    for _ in 0..3 {
        let Some(parent) = current.parent().and_then(ElementRef::wrap) else {
            break;
        };
        if matches!(parent.value().name(), "body" | "html" | "td" | "th" | "li") {
            break;
        }
        let only_child = parent.children().all(|c| match c.value() {
            Node::Element(_) => c.id() == current.id() || is_fallback(c),
            Node::Text(t) => t.trim().is_empty(),
            _ => true,
        });
        if !only_child {
            break;
        }
        current = parent;
    }
    current
}

/// `<source>` siblings inside `<picture>` are part of the same image.
fn is_fallback(node: NodeRef<'_, Node>) -> bool {
    node.value()
        .as_element()
        .is_some_and(|e| e.name() == "source")
}

/// True when every image inside `node` is a licence badge (CC's chooser puts
/// its button image in the credit); a block holding a real picture is that
/// picture's caption, never the credit of the image before it.
fn only_badges(node: NodeRef<'_, Node>) -> bool {
    let Some(el) = ElementRef::wrap(node) else {
        return true;
    };
    el.descendants()
        .filter_map(ElementRef::wrap)
        .filter(|d| {
            matches!(
                d.value().name(),
                "img" | "picture" | "video" | "svg" | "iframe" | "object" | "embed"
            )
        })
        .all(|d| {
            let src = d.value().attr("src").unwrap_or("").to_ascii_lowercase();
            let small = |attr: &str| {
                d.value()
                    .attr(attr)
                    .and_then(|v| v.trim_end_matches("px").parse::<u32>().ok())
                    .is_some_and(|v| v <= 88)
            };
            let class = d.value().attr("class").unwrap_or("").to_ascii_lowercase();
            let alt = d.value().attr("alt").unwrap_or("").to_ascii_lowercase();
            d.value().name() == "img"
                && (src.contains("license")
                    || src.contains("creativecommons.org")
                    || class.contains("license")
                    || alt.starts_with("cc ")
                    || alt.contains("creative commons")
                    || (small("width") && small("height")))
        })
}

fn contains_image(el: ElementRef<'_>) -> bool {
    el.descendants().filter_map(ElementRef::wrap).any(|d| {
        matches!(
            d.value().name(),
            "img" | "picture" | "video" | "svg" | "iframe" | "object" | "embed"
        )
    })
}

/// A credit line right after the image: the inline run (text, links, `<small>`) up to the
/// next line break or block, or the one block element that follows. When the image sits in
/// a figure, the line may also follow the figure.
fn credit_after(el: ElementRef<'_>) -> Option<Credit> {
    let anchor = image_anchor(el);
    credit_after_node(anchor)
        .or_else(|| {
            el.ancestors()
                .filter_map(ElementRef::wrap)
                .take(MAX_CAPTION_DEPTH)
                .find(|a| a.value().name() == "figure")
                .and_then(credit_after_node)
        })
        .or_else(|| credit_block_further_on(anchor))
}

/// Product cards and teasers often put a line (a price, a date) between the
/// image and its credit: look a few blocks further, stopping at the next picture.
fn credit_block_further_on(anchor: ElementRef<'_>) -> Option<Credit> {
    anchor
        .next_siblings()
        .filter_map(ElementRef::wrap)
        .take(MAX_BLOCKS_TO_CREDIT)
        .take_while(|sib| !contains_image(*sib))
        .filter(|sib| CREDIT_BLOCKS.contains(&sib.value().name()))
        .map(|sib| Credit::from_nodes([*sib]))
        .find(|credit| credit.text.len() <= MAX_CREDIT_LINE && credit.looks_like_credit())
}

/// How many sibling elements after an image may stand between it and its credit.
const MAX_BLOCKS_TO_CREDIT: usize = 3;

fn credit_after_node(anchor: ElementRef<'_>) -> Option<Credit> {
    let mut run: Vec<NodeRef<'_, Node>> = Vec::new();
    let mut length = 0;
    let mut block_with_images = false;
    for sibling in anchor.next_siblings().take(MAX_NEARBY_NODES) {
        match sibling.value() {
            Node::Text(text) => {
                if run.is_empty() && text.trim().is_empty() {
                    continue;
                }
                length += text.len();
                run.push(sibling);
            }
            Node::Element(element) => {
                let sib = ElementRef::wrap(sibling)?;
                let name = element.name();
                if name == "br" {
                    if run.is_empty() {
                        continue;
                    }
                    break;
                }
                if is_inline(name) && !contains_image(sib) {
                    run.push(sibling);
                    length += 40;
                } else {
                    if run.is_empty() && CREDIT_BLOCKS.contains(&name) {
                        block_with_images = contains_image(sib);
                        run.push(sibling);
                    }
                    break;
                }
            }
            _ => continue,
        }
        if length > MAX_CREDIT_LINE {
            break;
        }
    }
    if run.is_empty() {
        return None;
    }
    let badges_only = run.iter().all(|n| only_badges(*n));
    let credit = Credit::from_nodes(run);
    // A block holding images is the next picture's, unless it is licence markup whose
    // images are licence badges (CC chooser output).
    let licence_markup = credit.rdfa || credit.links.iter().any(is_license_link);
    if block_with_images && !(licence_markup && badges_only) {
        return None;
    }
    (credit.text.len() <= MAX_CREDIT_LINE || licence_markup)
        .then_some(credit)
        .filter(Credit::looks_like_credit)
}

/// Block elements that can hold a credit line (headings and lists start other content).
const CREDIT_BLOCKS: &[&str] = &["p", "div", "figcaption", "address", "cite", "footer"];

/// What the whole page says about credits, gathered once per page.
pub struct PageCredits<'a> {
    /// Entries of credits sections, in page order.
    items: Vec<SectionItem<'a>>,
    /// Entry index by each word of its text (`photo.jpg:` is found as `photo.jpg`).
    by_word: HashMap<String, usize>,
    /// Entry index by the image each of its links points at.
    by_link: HashMap<String, usize>,
    /// RDFa `about="..."` subjects and their element.
    about: HashMap<String, ElementRef<'a>>,
}

struct SectionItem<'a> {
    el: ElementRef<'a>,
    /// Lower-case text.
    text: String,
}

/// Entries searched for alt or title text. Matching by file name or link is indexed and
/// unbounded; substring search is capped so a hostile page cannot make it quadratic.
const MAX_SCANNED_ENTRIES: usize = 1000;

/// A map key for an image target.
fn target_key(target: &Target) -> Option<String> {
    match target {
        Target::Image(ImageKey::Local(p)) => Some(format!("local:{p}")),
        Target::Image(ImageKey::Remote(u)) => Some(format!("remote:{u}")),
        Target::Image(ImageKey::Embedded(label)) => Some(label.clone()),
        Target::OutsideRoot(_) => None,
    }
}

impl<'a> PageCredits<'a> {
    pub fn gather(html: &'a Html, page_url: &url::Url, scope: &SiteScope) -> PageCredits<'a> {
        use ego_tree::iter::Edge;
        let mut sections: Vec<Vec<ElementRef<'a>>> = Vec::new();
        let mut about = HashMap::new();
        // A credits container nested in another adds nothing; skip into neither twice.
        let mut open_section = None;
        for edge in html.root_element().traverse() {
            let node = match edge {
                Edge::Open(node) => node,
                Edge::Close(node) => {
                    if open_section == Some(node.id()) {
                        open_section = None;
                    }
                    continue;
                }
            };
            let Some(el) = ElementRef::wrap(node) else {
                continue;
            };
            let value = el.value();
            if let Some(subject) = value.attr("about")
                && let Ok(target) = try_resolve(page_url, subject, scope)
                && let Some(key) = target_key(&target)
            {
                about.entry(key).or_insert(el);
            }
            if let Some(level) = heading_level(value.name()) {
                let text = text::element_text_prefix(el, 120).to_lowercase();
                if text.len() < 80 && SECTION_HEADINGS.iter().any(|h| text.contains(h)) {
                    // The section runs to the next heading of the same or a higher level.
                    let body = el
                        .next_siblings()
                        .filter_map(ElementRef::wrap)
                        .take_while(|s| heading_level(s.value().name()).is_none_or(|l| l > level))
                        .collect();
                    sections.push(body);
                }
            } else if open_section.is_none() {
                let marks = |v: Option<&str>| {
                    v.is_some_and(|v| {
                        let v = v.to_ascii_lowercase();
                        SECTION_CLASSES.iter().any(|c| v.contains(c))
                    })
                };
                if marks(value.attr("class")) || marks(value.attr("id")) {
                    sections.push(vec![el]);
                    open_section = Some(el.id());
                }
            }
        }
        let mut credits = PageCredits {
            items: Vec::new(),
            by_word: HashMap::new(),
            by_link: HashMap::new(),
            about,
        };
        let mut seen = HashSet::new();
        for part in sections.into_iter().flatten() {
            let entries: Vec<ElementRef<'a>> = part
                .descendants()
                .filter_map(ElementRef::wrap)
                .filter(|d| matches!(d.value().name(), "li" | "dd" | "tr" | "p" | "figcaption"))
                .collect();
            let entries = if entries.is_empty() {
                vec![part]
            } else {
                entries
            };
            for entry in entries {
                if seen.insert(entry.id()) {
                    credits.add(entry, page_url, scope);
                }
            }
        }
        credits
    }

    fn add(&mut self, entry: ElementRef<'a>, page_url: &url::Url, scope: &SiteScope) {
        let index = self.items.len();
        let text = element_text(entry).to_lowercase();
        for word in text.split(|c: char| {
            c.is_whitespace()
                || matches!(
                    c,
                    ',' | ';' | ':' | '(' | ')' | '[' | ']' | '"' | '\'' | '«' | '»' | '“' | '”'
                )
        }) {
            let word = word.trim_end_matches('.');
            if !word.is_empty() {
                self.by_word.entry(word.to_string()).or_insert(index);
            }
        }
        for href in entry
            .descendants()
            .filter_map(ElementRef::wrap)
            .filter_map(|a| a.value().attr("href"))
        {
            if let Ok(target) = try_resolve(page_url, href, scope)
                && let Some(key) = target_key(&target)
            {
                self.by_link.entry(key).or_insert(index);
            }
        }
        self.items.push(SectionItem { el: entry, text });
    }

    /// The credits-section entry that names this image: by a link to it, by its file name,
    /// else by its alt or title text.
    fn entry_for(
        &self,
        target: &Target,
        alt: Option<&str>,
        title: Option<&str>,
    ) -> Option<ElementRef<'a>> {
        if self.items.is_empty() {
            return None;
        }
        let file_name = match target {
            Target::Image(key) => Some(key.file_name().to_lowercase()),
            _ => None,
        };
        let indexed = target_key(target)
            .and_then(|k| self.by_link.get(&k))
            .or_else(|| file_name.as_ref().and_then(|f| self.by_word.get(f)));
        if let Some(&index) = indexed {
            return Some(self.items[index].el);
        }
        // File names with spaces, and distinctive alt or title text, need a substring search.
        let spaced_name = file_name.filter(|f| f.contains(' '));
        let by_words = [alt, title]
            .into_iter()
            .flatten()
            .map(content_words)
            .filter(|w| w.len() >= 2)
            .collect::<Vec<_>>();
        let distinctive =
            |s: Option<&str>| s.map(str::to_lowercase).filter(|s| s.chars().count() >= 8);
        let needles: Vec<String> = [spaced_name, distinctive(alt), distinctive(title)]
            .into_iter()
            .flatten()
            .collect();
        if needles.is_empty() && by_words.is_empty() {
            return None;
        }
        let scanned = || self.items.iter().take(MAX_SCANNED_ENTRIES);
        scanned()
            .find(|item| needles.iter().any(|n| item.text.contains(n.as_str())))
            // "A soccer ball on grass" names the entry "Soccer Ball on Grass by …":
            // every content word of the alt text appears in it.
            .or_else(|| {
                scanned().find(|item| {
                    let words = content_words(&item.text);
                    by_words
                        .iter()
                        .any(|want| want.iter().all(|w| words.contains(w)))
                })
            })
            .map(|item| item.el)
    }

    fn about(&self, target: &Target) -> Option<ElementRef<'a>> {
        target_key(target).and_then(|k| self.about.get(&k)).copied()
    }
}

/// Lower-case words of three letters or more that say what a picture shows
/// (articles and the like dropped), for matching alt text to a credits entry.
fn content_words(text: &str) -> Vec<String> {
    const FILLER: &[&str] = &[
        "the",
        "and",
        "with",
        "for",
        "from",
        "photo",
        "image",
        "picture",
        "photograph",
        "our",
        "its",
        "this",
        "that",
    ];
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.chars().count() >= 3)
        .map(str::to_lowercase)
        .filter(|w| !FILLER.contains(&w.as_str()))
        .collect()
}

fn heading_level(name: &str) -> Option<u8> {
    match name {
        "h1" => Some(1),
        "h2" => Some(2),
        "h3" => Some(3),
        "h4" => Some(4),
        "h5" => Some(5),
        "h6" => Some(6),
        _ => None,
    }
}

/// The credit material around one element, gathered once for all of its references.
#[derive(Default)]
pub struct ElementCredits {
    /// A caption or credit line that reads as a credit, and where it was found.
    direct: Option<(Credit, &'static str)>,
    /// The `title` attribute, when it reads as a credit.
    title_credit: Option<Credit>,
    /// What the page shows when nothing reads as a credit: the caption, else the title.
    fallback: Option<(Credit, &'static str)>,
    /// Licence links in the image's figure, outside its caption too.
    figure_links: Vec<Link>,
    caption_text: Option<String>,
}

impl ElementCredits {
    /// Look around `el`, an element shown in the page's content.
    pub fn of(el: ElementRef<'_>, title: Option<&str>) -> ElementCredits {
        let caption = caption(el).map(|(c, at)| (Credit::from_nodes([*c]), at));
        let mut direct = caption.clone().filter(|(c, _)| c.looks_like_credit());
        if direct.is_none()
            && let Some(credit) = credit_after(el)
        {
            let at = if credit.rdfa { "rdfa" } else { "credit-line" };
            direct = Some((credit, at));
        }
        let title_credit = title.map(Credit::from_text);
        let caption_text = caption
            .as_ref()
            .map(|(c, _)| c.text.clone())
            .filter(|t| !t.is_empty());
        let fallback = caption
            .filter(|(c, _)| !c.text.is_empty())
            .or_else(|| title_credit.clone().map(|c| (c, "title")))
            .filter(|(c, _)| !c.text.is_empty());
        ElementCredits {
            direct,
            title_credit: title_credit.filter(Credit::looks_like_credit),
            fallback,
            figure_links: figure_license_links(el),
            caption_text,
        }
    }

    /// The caption's text (figcaption, WordPress caption), whitespace-normalised.
    pub fn caption_text(&self) -> Option<&str> {
        self.caption_text.as_deref()
    }
}

/// The credit shown for one image use, in order: a caption or credit line that reads as a
/// credit, RDFa `about` the image, a credit-like `title`, a credits section naming the
/// image, and last the plain caption or title. A caption that only describes the picture
/// thus yields to a real credit elsewhere.
pub fn attribution(
    local: &ElementCredits,
    target: &Target,
    alt: Option<&str>,
    title: Option<&str>,
    page: &PageCredits<'_>,
) -> Attribution {
    let chosen = local
        .direct
        .clone()
        .or_else(|| {
            page.about(target)
                .map(|el| (Credit::from_nodes([*el]), "rdfa"))
        })
        .or_else(|| local.title_credit.clone().map(|c| (c, "title")))
        .or_else(|| {
            page.entry_for(target, alt, title)
                .map(|el| (Credit::from_nodes([*el]), "credits-section"))
        })
        .or_else(|| local.fallback.clone());
    let Some((mut credit, at)) = chosen else {
        return Attribution::default();
    };
    for link in &local.figure_links {
        if !credit.links.iter().any(|l| l.href == link.href) {
            credit.links.push(link.clone());
        }
    }
    credit.into_attribution(at)
}

/// `rel="license"` links in the image's figure belong to the image even outside its caption.
fn figure_license_links(el: ElementRef<'_>) -> Vec<Link> {
    let Some(figure) = el
        .ancestors()
        .filter_map(ElementRef::wrap)
        .take(MAX_CAPTION_DEPTH)
        .find(|a| a.value().name() == "figure")
    else {
        return Vec::new();
    };
    figure
        .descendants()
        .take(MAX_NEARBY_NODES)
        .filter_map(ElementRef::wrap)
        .filter(|a| a.value().name() == "a")
        .filter_map(|a| {
            let rel = tokens(a.value().attr("rel"));
            let href = a.value().attr("href")?;
            rel.iter().any(|r| is_license_rel(r)).then(|| Link {
                href: href.trim().to_string(),
                text: element_text(a),
                rel,
            })
        })
        .collect()
}
