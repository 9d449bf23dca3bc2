//! Image references inside CSS: `url(...)` and `image-set(...)` strings, found with
//! cssparser's tokenizer so comments, escapes and quoting are handled as browsers do.

use cssparser::{Parser, ParserInput, Token};

/// Nesting deeper than this is not descended into (hostile input must not overflow the stack).
const MAX_DEPTH: usize = 32;

/// Where a CSS reference sits, which decides whether it can be an image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CssUrl {
    pub url: String,
    /// The declaration's property (`background-image`), lower-case, if inside one.
    pub property: Option<String>,
}

/// Every `url()` in `css` (a style sheet or a style attribute's declarations), except
/// those of `@import` and `@font-face` rules, which never name images.
pub fn urls(css: &str) -> Vec<CssUrl> {
    let mut input = ParserInput::new(css);
    let mut parser = Parser::new(&mut input);
    let mut found = Vec::new();
    walk(&mut parser, &mut found, &mut Walk::default(), 0);
    found
}

#[derive(Default, Clone)]
struct Walk {
    property: Option<String>,
    /// Inside `@font-face { ... }` or an `@import` prelude.
    skipping: bool,
    /// Inside `image-set(...)`, where bare strings are image references.
    in_image_set: bool,
}

fn walk(parser: &mut Parser<'_, '_>, found: &mut Vec<CssUrl>, state: &mut Walk, depth: usize) {
    let mut last_ident: Option<String> = None;
    let mut pending_at_rule_skip = false;
    loop {
        let token = match parser.next() {
            Ok(token) => token.clone(),
            Err(_) => return,
        };
        match token {
            Token::Ident(name) => last_ident = Some(name.to_ascii_lowercase()),
            Token::Colon => {
                if let Some(name) = last_ident.take() {
                    state.property = Some(name);
                }
            }
            Token::Semicolon => {
                state.property = None;
                // `@import url(...);` ends here.
                pending_at_rule_skip = false;
            }
            Token::AtKeyword(name) => {
                let name = name.to_ascii_lowercase();
                pending_at_rule_skip = name == "import" || name == "font-face";
            }
            Token::UnquotedUrl(url) if !state.skipping && !pending_at_rule_skip => {
                push(found, &url, state);
            }
            Token::QuotedString(text)
                if state.in_image_set && !state.skipping && !pending_at_rule_skip =>
            {
                push(found, &text, state);
            }
            Token::Function(name) => {
                let name = name.to_ascii_lowercase();
                if depth >= MAX_DEPTH {
                    continue;
                }
                let mut inner = state.clone();
                inner.skipping |= pending_at_rule_skip;
                if name == "url" || name == "src" {
                    // `url("quoted")`: the first string inside is the reference.
                    let skip = inner.skipping;
                    let _ = parser.parse_nested_block(
                        |p| -> Result<(), cssparser::ParseError<'_, ()>> {
                            if let Ok(Token::QuotedString(text)) = p.next().cloned()
                                && !skip
                            {
                                push(found, &text, &inner);
                            }
                            Ok(())
                        },
                    );
                } else {
                    inner.in_image_set = name.ends_with("image-set");
                    let _ = parser.parse_nested_block(
                        |p| -> Result<(), cssparser::ParseError<'_, ()>> {
                            walk(p, found, &mut inner, depth + 1);
                            Ok(())
                        },
                    );
                }
            }
            Token::CurlyBracketBlock => {
                if depth >= MAX_DEPTH {
                    continue;
                }
                let mut inner = Walk {
                    skipping: state.skipping || pending_at_rule_skip,
                    ..Walk::default()
                };
                pending_at_rule_skip = false;
                let _ =
                    parser.parse_nested_block(|p| -> Result<(), cssparser::ParseError<'_, ()>> {
                        walk(p, found, &mut inner, depth + 1);
                        Ok(())
                    });
                state.property = None;
            }
            Token::ParenthesisBlock | Token::SquareBracketBlock => {
                if depth >= MAX_DEPTH {
                    continue;
                }
                let mut inner = state.clone();
                let _ =
                    parser.parse_nested_block(|p| -> Result<(), cssparser::ParseError<'_, ()>> {
                        walk(p, found, &mut inner, depth + 1);
                        Ok(())
                    });
            }
            _ => {}
        }
    }
}

fn push(found: &mut Vec<CssUrl>, url: &str, state: &Walk) {
    found.push(CssUrl {
        url: url.to_string(),
        property: state.property.clone(),
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refs(css: &str) -> Vec<String> {
        urls(css).into_iter().map(|u| u.url).collect()
    }

    #[test]
    fn finds_quoted_unquoted_and_escaped_urls() {
        let css = r#"a{background:url(a.jpg)} b{background-image:url( "b c.png" )} i{background:url('d\'e.gif')}"#;
        assert_eq!(refs(css), vec!["a.jpg", "b c.png", "d'e.gif"]);
    }

    #[test]
    fn records_the_property() {
        let found = urls("background-image: url(hero.webp); color: red");
        assert_eq!(found[0].property.as_deref(), Some("background-image"));
    }

    #[test]
    fn skips_imports_font_faces_and_comments() {
        let css = "@import url(theme.css); /* url(old.jpg) */ @font-face{src:url(f.woff2)} .x{background:url(x.png)}";
        assert_eq!(refs(css), vec!["x.png"]);
    }

    #[test]
    fn image_set_strings_are_references() {
        let css = r#".h{background-image:image-set("h1.avif" 1x, url(h2.jpg) 2x)}"#;
        assert_eq!(refs(css), vec!["h1.avif", "h2.jpg"]);
    }

    #[test]
    fn media_queries_are_searched_and_deep_nesting_does_not_overflow() {
        assert_eq!(
            refs("@media (min-width:1px){.a{background:url(m.jpg)}}"),
            vec!["m.jpg"]
        );
        let hostile = "(".repeat(100_000);
        assert!(refs(&hostile).is_empty());
    }
}
