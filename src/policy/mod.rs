//! Policy: the rules of `rules/` evaluated over one image — its uses, evidence
//! and ledger match — as of a date. Each rule family is a module with one job;
//! the texts users read come from the rules profile.

mod consent;
pub mod fixes;
mod licensing;
mod privacy;
mod provenance;
pub mod tasl;

use std::collections::HashSet;

use chrono::NaiveDate;
use serde_json::Value;

use crate::config::{Config, SeverityOverride};
use crate::ledger::Ledger;
use crate::model::{
    Asset, AssetMatch, Evidence, Finding, FindingEvidence, ImageKey, ImageUse, Severity,
    Suppression,
};
use crate::rules::Rules;

/// Days before an expiry that `consent-expiring` starts to warn.
pub const EXPIRY_WARNING_DAYS: i64 = 30;

/// Everything the rules consult besides the image itself.
pub struct Context<'a> {
    pub ledger: &'a Ledger,
    pub config: &'a Config,
    pub rules: &'a Rules,
    pub as_of: NaiveDate,
}

/// One image with all that is known about it.
pub struct ImageCase<'a> {
    pub key: &'a ImageKey,
    pub uses: &'a [ImageUse],
    pub evidence: &'a Evidence,
    pub matched: Option<&'a AssetMatch>,
}

impl ImageCase<'_> {
    pub fn asset<'l>(&self, ledger: &'l Ledger) -> Option<&'l Asset> {
        self.matched.and_then(|m| ledger.asset(&m.asset))
    }

    /// The first use on each distinct page, in page order: image-wide findings
    /// are reported once per page, at the line of that use.
    pub fn first_use_per_page(&self) -> Vec<&ImageUse> {
        let mut seen = HashSet::new();
        let mut out: Vec<&ImageUse> = self
            .uses
            .iter()
            .filter(|u| seen.insert(u.page.as_str()))
            .collect();
        out.sort_by(|a, b| a.page.cmp(&b.page));
        out
    }
}

/// A finding under construction; [`Emitter`] fills in what every finding shares.
pub(crate) struct Draft {
    pub rule: &'static str,
    pub message: String,
    pub evidence: FindingEvidence,
    pub fix: Option<String>,
    pub snippet: Option<String>,
    /// A severity lower than the rule's default for this case (e.g. an ND resize).
    pub at_most: Option<Severity>,
}

impl Draft {
    pub fn new(rule: &'static str, message: impl Into<String>) -> Draft {
        Draft {
            rule,
            message: message.into(),
            evidence: FindingEvidence::default(),
            fix: None,
            snippet: None,
            at_most: None,
        }
    }

    pub fn with(mut self, key: &str, value: impl Into<Value>) -> Draft {
        self.evidence.insert(key, value.into());
        self
    }

    pub fn fix(mut self, fix: impl Into<String>) -> Draft {
        self.fix = Some(fix.into());
        self
    }

    pub fn snippet(mut self, snippet: impl Into<String>) -> Draft {
        self.snippet = Some(snippet.into());
        self
    }

    pub fn at_most(mut self, severity: Severity) -> Draft {
        self.at_most = Some(severity);
        self
    }
}

/// Turns drafts into findings for one image, per page use.
pub(crate) struct Emitter<'a> {
    ctx: &'a Context<'a>,
    case: &'a ImageCase<'a>,
    findings: Vec<Finding>,
}

impl<'a> Emitter<'a> {
    fn new(ctx: &'a Context<'a>, case: &'a ImageCase<'a>) -> Emitter<'a> {
        Emitter {
            ctx,
            case,
            findings: Vec::new(),
        }
    }

    /// Emit `draft` at `at` (a use), or image-wide when `at` is `None`.
    pub fn emit(&mut self, at: Option<&ImageUse>, draft: Draft) {
        let Some(rule) = self.ctx.rules.get(draft.rule) else {
            return;
        };
        let mut severity = rule.severity;
        if let Some(cap) = draft.at_most {
            severity = severity.min(cap);
        }
        let image = self.case.key.display().to_string();
        let page = at.map(|u| u.page.clone());
        let message_key = draft.message_key();
        let mut evidence = draft.evidence;
        if let Some(m) = self.case.matched {
            evidence.insert_if_absent("ledger", || Value::String(m.asset.clone()));
        }
        evidence.shrink_to_fit();
        let identity = self
            .case
            .evidence
            .sha256
            .clone()
            .unwrap_or_else(|| image.clone());
        let fingerprint = crate::evidence::sha256_hex(
            format!(
                "{identity}\0{}\0{}\0{}",
                draft.rule,
                page.as_deref().unwrap_or(""),
                message_key
            )
            .as_bytes(),
        );
        self.findings.push(Finding {
            rule: draft.rule.to_string(),
            severity,
            image,
            page,
            line: at.map(|u| u.line),
            column: at.map(|u| u.column),
            message: draft.message,
            evidence,
            fix: draft.fix.map_or_else(|| rule.fix.clone(), Into::into),
            snippet: draft.snippet,
            fingerprint,
            suppressed: None,
        });
    }

    /// Emit `draft` once per page the image appears on.
    pub fn emit_per_page(&mut self, draft: Draft) {
        let uses = self.case.first_use_per_page();
        if uses.is_empty() {
            self.emit(None, draft);
            return;
        }
        for u in uses {
            self.emit(
                Some(u),
                Draft {
                    rule: draft.rule,
                    message: draft.message.clone(),
                    evidence: draft.evidence.clone(),
                    fix: draft.fix.clone(),
                    snippet: draft.snippet.clone(),
                    at_most: draft.at_most,
                },
            );
        }
    }
}

impl Draft {
    /// What distinguishes two findings of one rule on one image and page
    /// (e.g. two people lacking consent), without the wording of the message.
    fn message_key(&self) -> String {
        ["person", "photographer", "field", "reason"]
            .iter()
            .filter_map(|k| self.evidence.get(k))
            .map(|v| v.to_string())
            .collect::<Vec<_>>()
            .join("\0")
    }
}

/// Every finding for one image, before suppressions.
pub fn evaluate(ctx: &Context, case: &ImageCase) -> Vec<Finding> {
    let mut out = Emitter::new(ctx, case);
    if let Some(error) = &case.evidence.error {
        out.emit_per_page(
            Draft::new(
                "unreadable-image",
                format!("cannot read {}: {error}", case.key.display()),
            )
            .with("reason", error.clone()),
        );
        // The remaining rules need the image's facts; an unreadable image has none
        // that can be trusted, and it already fails.
        return out.findings;
    }
    privacy::check(ctx, case, &mut out);
    let cleared_by_license = licensing::check(ctx, case, &mut out);
    provenance::check(ctx, case, cleared_by_license, &mut out);
    consent::check(ctx, case, &mut out);
    out.findings
}

/// Apply `[severity]` overrides, `data-clearance-ignore`, `[[ignore]]` and the
/// baseline. Findings switched `off` are dropped; suppressed ones are kept, marked.
/// `image_path` is the site path (URL path for crawls) that `[[ignore]] images` globs match.
pub fn apply_suppressions(
    findings: Vec<Finding>,
    image_path: &str,
    uses: &[ImageUse],
    config: &Config,
    baseline: &HashSet<String>,
) -> Vec<Finding> {
    findings
        .into_iter()
        .filter_map(|mut f| {
            match config.severity.get(&f.rule) {
                Some(SeverityOverride::Off) => return None,
                Some(SeverityOverride::Set(s)) => f.severity = *s,
                None => {}
            }
            let inline = uses.iter().any(|u| {
                Some(u.page.as_str()) == f.page.as_deref()
                    && u.ignore.iter().any(|r| r == "*" || *r == f.rule)
            });
            f.suppressed = if inline {
                Some(Suppression::Inline)
            } else if let Some(ignore) = config
                .ignore
                .iter()
                .find(|i| i.applies(&f.rule, f.page.as_deref(), image_path))
            {
                Some(Suppression::Config {
                    reason: ignore.reason.clone(),
                })
            } else if baseline.contains(&f.fingerprint) {
                Some(Suppression::Baseline)
            } else {
                None
            };
            Some(f)
        })
        .collect()
}

/// Whole-word, case-insensitive search for any of `words` in `text`.
pub(crate) fn find_word<'w>(text: &str, words: &'w [String]) -> Option<&'w str> {
    // Lower-cased only when needed: this runs for every alt text, caption and
    // title of every page, and a set of owned tokens per text was a tenth of judging.
    let tokens: Vec<std::borrow::Cow<str>> = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|t| !t.is_empty())
        .map(|t| {
            if t.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
            {
                std::borrow::Cow::Borrowed(t)
            } else {
                std::borrow::Cow::Owned(t.to_lowercase())
            }
        })
        .collect();
    words
        .iter()
        .find(|w| tokens.iter().any(|t| t == w.as_str()))
        .map(String::as_str)
}

/// Lower-case alphanumeric tokens, for matching names in free text and file names.
pub(crate) fn name_tokens(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|t| !t.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// True when every token of `name` appears, in order and adjacent, in `text`.
pub(crate) fn names_person(text: &str, name: &str) -> bool {
    let name = name_tokens(name);
    if name.is_empty() || name.iter().map(String::len).sum::<usize>() < 3 {
        return false;
    }
    let text = name_tokens(text);
    text.windows(name.len()).any(|w| w == name.as_slice())
}

/// The pages (at the image's first use on each) whose consent scopes `granted`
/// does not cover: every page needs `web`, and pages matching `[scopes]` globs more.
/// Each comes with the scopes needed there and the missing ones, quoted for messages.
pub(crate) fn scope_gaps<'c>(
    ctx: &Context,
    case: &'c ImageCase,
    granted: &[String],
) -> Vec<(&'c ImageUse, Vec<String>, String)> {
    case.first_use_per_page()
        .into_iter()
        .filter_map(|u| {
            let needed = ctx.config.scopes_for(&u.page);
            let missing: Vec<String> = needed
                .iter()
                .filter(|s| !granted.contains(s))
                .map(|s| format!("`{s}`"))
                .collect();
            (!missing.is_empty()).then(|| (u, needed, missing.join(", ")))
        })
        .collect()
}

/// Days from `as_of` until `date` (negative when past).
pub(crate) fn days_until(as_of: NaiveDate, date: NaiveDate) -> i64 {
    (date - as_of).num_days()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_match_whole_words_only() {
        let words = vec!["students".to_string(), "class".to_string()];
        assert_eq!(find_word("Students at computers", &words), Some("students"));
        assert_eq!(find_word("A classic car", &words), None);
        assert_eq!(find_word("the class's robot", &words), Some("class"));
    }

    #[test]
    fn person_names_match_in_text_and_file_names() {
        assert!(names_person("Ben T. sings with the choir", "Ben T."));
        assert!(names_person("images/choir/ben-t-solo.jpg", "Ben T."));
        assert!(!names_person("Benjamin Tate", "Ben T."));
        assert!(!names_person("anything", "A"));
    }
}
