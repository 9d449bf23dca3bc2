//! robots.txt as RFC 9309 reads it: rules from a well-kept parser (texting_robots),
//! and what to assume when the file cannot be had.

use texting_robots::Robot;
use url::Url;

/// One host's robots.txt verdicts.
#[derive(Debug)]
pub enum Robots {
    /// No robots.txt (4xx), or one that says nothing to us.
    AllowAll,
    /// robots.txt unreachable (5xx, network): RFC 9309 §2.3.1.4 says assume complete disallow.
    DisallowAll(String),
    Rules(Box<Robot>),
}

impl Robots {
    pub fn allows(&self, url: &Url) -> bool {
        match self {
            Robots::AllowAll => true,
            Robots::DisallowAll(_) => false,
            Robots::Rules(r) => r.allowed(url.as_str()),
        }
    }

    /// Why a URL is not fetched, in the words a failure report uses.
    pub fn refusal(&self) -> String {
        match self {
            Robots::DisallowAll(why) => format!(
                "not fetched: {why}; without a readable robots.txt, RFC 9309 forbids crawling"
            ),
            _ => "not fetched: robots.txt disallows it".to_string(),
        }
    }

    pub fn sitemaps(&self) -> &[String] {
        match self {
            Robots::Rules(r) => &r.sitemaps,
            _ => &[],
        }
    }

    /// `Crawl-delay` in seconds, when given.
    pub fn crawl_delay(&self) -> Option<f32> {
        match self {
            Robots::Rules(r) => r.delay,
            _ => None,
        }
    }

    /// Parse a robots.txt body for `agent`. A file the parser rejects is treated as empty:
    /// the file exists but states no rule we can read.
    pub fn parse(agent: &str, body: &[u8]) -> Robots {
        match Robot::new(agent, body) {
            Ok(r) => Robots::Rules(Box::new(r)),
            Err(_) => Robots::AllowAll,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_for_our_agent_and_sitemaps_are_read() {
        let txt = b"User-agent: *\nDisallow: /private/\n\nUser-agent: clearance\nDisallow: /drafts/\nCrawl-delay: 2\n\nSitemap: https://s.org/sitemap_index.xml\n";
        let r = Robots::parse("clearance", txt);
        let u = |p: &str| Url::parse(&format!("https://s.org{p}")).unwrap();
        assert!(!r.allows(&u("/drafts/a.html")));
        // A group naming us replaces the `*` group.
        assert!(r.allows(&u("/private/a.html")));
        assert!(r.allows(&u("/news/")));
        assert_eq!(r.sitemaps(), ["https://s.org/sitemap_index.xml"]);
        assert_eq!(r.crawl_delay(), Some(2.0));
    }

    #[test]
    fn unreachable_robots_means_keep_out() {
        let r = Robots::DisallowAll("robots.txt answered HTTP 503".into());
        assert!(!r.allows(&Url::parse("https://s.org/").unwrap()));
        assert!(r.refusal().contains("HTTP 503"));
    }
}
