//! `clearance.toml`: where the site is, which ledgers and rules apply, and how
//! findings are scoped, re-graded or suppressed.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use globset::{Glob, GlobSet, GlobSetBuilder};
use serde::Deserialize;

use crate::error::{Error, Result};
use crate::model::Severity;

/// The name looked for in the working directory when `--config` is not given.
pub const DEFAULT_FILE: &str = "clearance.toml";

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    root: Option<String>,
    base_url: Option<String>,
    #[serde(default)]
    ledger: Vec<String>,
    rules: Option<String>,
    #[serde(default)]
    exclude: Vec<String>,
    #[serde(default)]
    commercial: Vec<String>,
    #[serde(default)]
    scopes: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    severity: BTreeMap<String, String>,
    #[serde(default)]
    ignore: Vec<RawIgnore>,
    /// Names the district itself goes by: embedded credits naming these never conflict.
    #[serde(default)]
    district_names: Vec<String>,
    /// Hosts whose pages a crawl may follow besides the start host.
    #[serde(default)]
    hosts: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawIgnore {
    #[serde(default)]
    pages: Vec<String>,
    #[serde(default)]
    images: Vec<String>,
    #[serde(default)]
    rules: Vec<String>,
    reason: Option<String>,
}

/// A per-rule severity override; `off` removes the rule's findings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SeverityOverride {
    Set(Severity),
    Off,
}

/// A set of site-path globs, kept with their source text for messages.
#[derive(Clone)]
pub struct Globs {
    patterns: Vec<String>,
    set: GlobSet,
}

/// The patterns alone: the compiled set follows from them, and its own
/// `Debug` shows internals in no fixed order (a replayed report is keyed on
/// the config's `Debug`).
impl std::fmt::Debug for Globs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Globs").field(&self.patterns).finish()
    }
}

impl Globs {
    pub fn new(patterns: &[String]) -> std::result::Result<Globs, String> {
        let mut builder = GlobSetBuilder::new();
        for p in patterns {
            let glob =
                Glob::new(p.trim_start_matches('/')).map_err(|e| format!("bad glob `{p}`: {e}"))?;
            builder.add(glob);
        }
        let set = builder.build().map_err(|e| e.to_string())?;
        Ok(Globs {
            patterns: patterns.to_vec(),
            set,
        })
    }

    pub fn empty() -> Globs {
        Globs {
            patterns: Vec::new(),
            set: GlobSet::empty(),
        }
    }

    pub fn is_match(&self, path: &str) -> bool {
        self.set.is_match(path.trim_start_matches('/'))
    }

    /// The first pattern that matches, for evidence.
    pub fn first_match(&self, path: &str) -> Option<&str> {
        self.set
            .matches(path.trim_start_matches('/'))
            .first()
            .map(|&i| self.patterns[i].as_str())
    }

    pub fn is_empty(&self) -> bool {
        self.patterns.is_empty()
    }

    /// Indices of every pattern that matches `path`.
    pub fn matching(&self, path: &str) -> Vec<usize> {
        self.set.matches(path.trim_start_matches('/'))
    }

    /// The pattern at `index`, as written.
    pub fn pattern(&self, index: usize) -> &str {
        &self.patterns[index]
    }

    /// The compiled set, for consumers that take a `GlobSet` (the crawler).
    pub fn set(&self) -> &GlobSet {
        &self.set
    }
}

impl Default for Globs {
    fn default() -> Self {
        Globs::empty()
    }
}

/// A scoped suppression from `[[ignore]]`.
#[derive(Debug, Clone)]
pub struct Ignore {
    pub pages: Globs,
    pub images: Globs,
    /// Empty means every rule.
    pub rules: Vec<String>,
    pub reason: String,
}

impl Ignore {
    pub fn applies(&self, rule: &str, page: Option<&str>, image: &str) -> bool {
        let rule_ok = self.rules.is_empty() || self.rules.iter().any(|r| r == rule);
        let page_ok = self.pages.is_empty() || page.is_some_and(|p| self.pages.is_match(p));
        let image_ok = self.images.is_empty() || self.images.is_match(image);
        rule_ok && page_ok && image_ok
    }
}

/// The loaded configuration, with paths resolved against the config file's folder.
#[derive(Debug, Clone, Default)]
pub struct Config {
    /// The file it came from, if any.
    pub path: Option<PathBuf>,
    pub root: Option<PathBuf>,
    pub base_url: Option<url::Url>,
    pub ledgers: Vec<PathBuf>,
    pub rules: Option<PathBuf>,
    pub exclude: Globs,
    pub commercial: Globs,
    /// Scope name → pages that need it (every page needs `web`).
    pub scopes: Vec<(String, Globs)>,
    pub severity: BTreeMap<String, SeverityOverride>,
    pub ignore: Vec<Ignore>,
    pub district_names: Vec<String>,
    pub hosts: Vec<String>,
}

impl Config {
    /// Load `path`. Errors name the file (and line, where TOML gives one).
    pub fn load(path: &Path) -> Result<Config> {
        let text = std::fs::read_to_string(path).map_err(|source| Error::Io {
            path: path.to_path_buf(),
            source,
        })?;
        Config::parse(&text, path)
    }

    /// Find `clearance.toml` in `dir`, or the defaults when there is none.
    pub fn discover(dir: &Path) -> Result<Config> {
        // `./clearance.toml` would make every message say `./ledger.toml`.
        let candidate = if dir == Path::new(".") {
            PathBuf::from(DEFAULT_FILE)
        } else {
            dir.join(DEFAULT_FILE)
        };
        if candidate.is_file() {
            Config::load(&candidate)
        } else {
            Ok(Config::default())
        }
    }

    pub fn parse(text: &str, path: &Path) -> Result<Config> {
        let err = |message: String| Error::Config {
            path: path.to_path_buf(),
            message,
        };
        let raw: RawConfig = toml::from_str(text).map_err(|e| err(toml_error(text, &e)))?;
        let dir = path.parent().unwrap_or(Path::new("."));
        let base_url = raw
            .base_url
            .as_deref()
            .map(|u| {
                let mut url =
                    url::Url::parse(u).map_err(|e| err(format!("base_url `{u}`: {e}")))?;
                // Without a trailing slash, `join` would drop the last segment.
                if !url.path().ends_with('/') {
                    let p = format!("{}/", url.path());
                    url.set_path(&p);
                }
                Ok::<_, Error>(url)
            })
            .transpose()?;
        let globs = |what: &str, patterns: &[String]| {
            Globs::new(patterns).map_err(|e| err(format!("{what}: {e}")))
        };
        let mut scopes = Vec::new();
        for (name, patterns) in &raw.scopes {
            scopes.push((name.clone(), globs(&format!("[scopes] {name}"), patterns)?));
        }
        let mut severity = BTreeMap::new();
        for (rule, level) in &raw.severity {
            let value = match level.as_str() {
                "off" => SeverityOverride::Off,
                other => SeverityOverride::Set(
                    other
                        .parse()
                        .map_err(|e: String| err(format!("[severity] {rule}: {e} or off")))?,
                ),
            };
            severity.insert(rule.clone(), value);
        }
        let mut ignore = Vec::new();
        for (i, raw_ignore) in raw.ignore.iter().enumerate() {
            let reason = raw_ignore
                .reason
                .clone()
                .filter(|r| !r.trim().is_empty())
                .ok_or_else(|| err(format!("[[ignore]] #{}: a `reason` is required", i + 1)))?;
            ignore.push(Ignore {
                pages: globs("[[ignore]] pages", &raw_ignore.pages)?,
                images: globs("[[ignore]] images", &raw_ignore.images)?,
                rules: raw_ignore.rules.clone(),
                reason,
            });
        }
        Ok(Config {
            path: Some(path.to_path_buf()),
            root: raw.root.map(|r| dir.join(r)),
            base_url,
            ledgers: raw.ledger.iter().map(|l| dir.join(l)).collect(),
            rules: raw.rules.map(|r| dir.join(r)),
            exclude: globs("exclude", &raw.exclude)?,
            commercial: globs("commercial", &raw.commercial)?,
            scopes,
            severity,
            ignore,
            district_names: raw.district_names,
            hosts: raw.hosts,
        })
    }

    /// Every consent scope a page needs: `web` plus each scope whose globs match it.
    pub fn scopes_for(&self, page: &str) -> Vec<String> {
        let mut needed = vec!["web".to_string()];
        for (name, globs) in &self.scopes {
            if globs.is_match(page) && !needed.contains(name) {
                needed.push(name.clone());
            }
        }
        needed
    }

    /// The folder the config lives in (for the cache and relative paths).
    pub fn dir(&self) -> PathBuf {
        self.path
            .as_deref()
            .and_then(Path::parent)
            .map(Path::to_path_buf)
            .unwrap_or_else(|| PathBuf::from("."))
    }
}

/// A TOML error with its line, in the `file:line` style users can click.
pub(crate) fn toml_error(text: &str, e: &toml::de::Error) -> String {
    match e.span() {
        Some(span) => {
            let line = text[..span.start.min(text.len())].matches('\n').count() + 1;
            format!("line {line}: {}", e.message())
        }
        None => e.message().to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Config> {
        Config::parse(text, Path::new("/site/clearance.toml"))
    }

    #[test]
    fn spec_example_parses() {
        let c = parse(
            r#"
root = "_site"
base_url = "https://www.example-district.org"
ledger = ["ledger.toml", "consent.csv"]
exclude = ["drafts/**"]
commercial = ["store/**"]
[scopes]
blog = ["blog/**"]
[severity]
attribution-incomplete = "warning"
location-exposed = "off"
[[ignore]]
pages = ["news/2019/**"]
rules = ["attribution-missing"]
reason = "legacy archive, replaced by 2027"
"#,
        )
        .unwrap();
        assert_eq!(c.root.as_deref(), Some(Path::new("/site/_site")));
        assert_eq!(
            c.base_url.as_ref().unwrap().as_str(),
            "https://www.example-district.org/"
        );
        assert_eq!(c.ledgers[1], Path::new("/site/consent.csv"));
        assert!(c.exclude.is_match("drafts/a/b.html"));
        assert!(!c.exclude.is_match("news/drafts.html"));
        assert_eq!(c.scopes_for("blog/2026/post.html"), vec!["web", "blog"]);
        assert_eq!(c.scopes_for("index.html"), vec!["web"]);
        assert_eq!(c.severity["location-exposed"], SeverityOverride::Off);
        assert!(c.ignore[0].applies("attribution-missing", Some("news/2019/x.html"), "a.jpg"));
        assert!(!c.ignore[0].applies("attribution-missing", Some("news/2020/x.html"), "a.jpg"));
        assert!(!c.ignore[0].applies("unknown-provenance", Some("news/2019/x.html"), "a.jpg"));
    }

    #[test]
    fn ignore_without_reason_is_an_error() {
        let e = parse("[[ignore]]\nrules = [\"x\"]\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("reason"), "{e}");
    }

    #[test]
    fn unknown_key_names_the_line() {
        let e = parse("root = \"x\"\n\nroots = 3\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("clearance.toml") && e.contains("line 3"), "{e}");
    }

    #[test]
    fn bad_severity_is_an_error() {
        assert!(parse("[severity]\nx = \"fatal\"\n").is_err());
    }
}
