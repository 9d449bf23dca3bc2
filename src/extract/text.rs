//! Text helpers over scraper's DOM.

use scraper::ElementRef;

/// Collapse runs of whitespace to one space and trim.
pub fn normalize(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for word in text.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// The visible text of an element, whitespace-normalised (script and style text left out).
pub fn element_text(el: ElementRef<'_>) -> String {
    let mut raw = String::new();
    push_text(el, &mut raw);
    normalize(&raw)
}

/// The element's text, normalised, reading no further than about `limit` bytes: enough to
/// judge a heading without walking a huge subtree.
pub fn element_text_prefix(el: ElementRef<'_>, limit: usize) -> String {
    let mut raw = String::new();
    push_text_limited(el, &mut raw, limit);
    normalize(&raw)
}

/// Append the text below `el` to `out`, separating elements by a space so `a<br>b` reads `a b`.
pub fn push_text(el: ElementRef<'_>, out: &mut String) {
    push_text_limited(el, out, usize::MAX);
}

fn push_text_limited(el: ElementRef<'_>, out: &mut String, limit: usize) {
    use ego_tree::iter::Edge;
    let mut skip_depth = 0usize;
    for edge in el.traverse() {
        if out.len() > limit {
            break;
        }
        match edge {
            Edge::Open(node) => {
                if let Some(child) = node.value().as_element() {
                    if skip_depth > 0 || matches!(child.name(), "script" | "style" | "template") {
                        skip_depth += 1;
                    } else if !is_inline(child.name()) {
                        out.push(' ');
                    }
                } else if skip_depth == 0
                    && let Some(text) = node.value().as_text()
                {
                    out.push_str(text);
                }
            }
            Edge::Close(node) => {
                if node.value().is_element() && skip_depth > 0 {
                    skip_depth -= 1;
                }
            }
        }
    }
}

/// Phrasing elements that do not break words apart.
pub fn is_inline(name: &str) -> bool {
    matches!(
        name,
        "a" | "abbr"
            | "b"
            | "bdi"
            | "bdo"
            | "cite"
            | "code"
            | "data"
            | "dfn"
            | "em"
            | "font"
            | "i"
            | "kbd"
            | "mark"
            | "q"
            | "s"
            | "samp"
            | "small"
            | "span"
            | "strong"
            | "sub"
            | "sup"
            | "time"
            | "u"
            | "var"
    )
}

/// True when the element's `class` contains `needle` (ASCII case-insensitive) anywhere,
/// like the CSS selector `[class*=needle]`.
pub fn class_contains(el: ElementRef<'_>, needle: &str) -> bool {
    el.value()
        .attr("class")
        .is_some_and(|c| c.to_ascii_lowercase().contains(needle))
}

/// Whitespace-separated tokens of an attribute, lower-cased.
pub fn tokens(value: Option<&str>) -> Vec<String> {
    value
        .map(|v| {
            v.split_ascii_whitespace()
                .map(str::to_ascii_lowercase)
                .collect()
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use scraper::{Html, Selector};

    #[test]
    fn text_skips_scripts_and_separates_elements() {
        let html = Html::parse_fragment("<p> Photo:<br>Jane\n\tDoe<script>x()</script></p>");
        let p = html.select(&Selector::parse("p").unwrap()).next().unwrap();
        assert_eq!(element_text(p), "Photo: Jane Doe");
    }
}
