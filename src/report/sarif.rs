//! SARIF 2.1.0, for GitHub code scanning and other SARIF viewers.
//!
//! One run; the driver describes every rule in force, and each finding becomes one
//! result that points at the `<img>` (or other reference) in the page's file, so a
//! pull request is annotated on the exact line.
//!
//! The types below are the small subset of the SARIF object model we emit, written by
//! hand: the `serde-sarif` crate generates the whole schema in a build script
//! (schemafy, syn, prettyplease, typed-builder, strum), which costs more build time
//! than these few structs. Tests validate the output against the OASIS schema.

use std::collections::BTreeMap;

use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};
use serde::Serialize;

use crate::model::{Finding, Report, RuleInfo, Severity, Suppression};

const SCHEMA_URI: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";
/// GitHub maps `%SRCROOT%` to the repository checkout, so local page files line up.
pub const SRCROOT: &str = "%SRCROOT%";
/// The key under `partialFingerprints`; versioned so a future change of the hash
/// does not silently reopen every alert.
pub const FINGERPRINT_KEY: &str = "clearanceFingerprint/v1";

#[derive(Serialize)]
struct Log<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: Vec<Run<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run<'a> {
    tool: Tool<'a>,
    invocations: Vec<Invocation>,
    results: Vec<SarifResult<'a>>,
    properties: RunProperties<'a>,
}

#[derive(Serialize)]
struct Tool<'a> {
    driver: Driver<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver<'a> {
    name: &'a str,
    version: &'a str,
    semantic_version: &'a str,
    information_uri: &'static str,
    rules: Vec<ReportingDescriptor>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ReportingDescriptor {
    id: String,
    short_description: Message,
    #[serde(skip_serializing_if = "Option::is_none")]
    full_description: Option<Message>,
    #[serde(skip_serializing_if = "Option::is_none")]
    help: Option<Message>,
    default_configuration: Configuration,
}

#[derive(Serialize)]
struct Configuration {
    level: &'static str,
}

#[derive(Serialize, Clone)]
struct Message {
    text: String,
}

fn message(text: impl Into<String>) -> Message {
    Message { text: text.into() }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Invocation {
    execution_successful: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    tool_execution_notifications: Vec<Notification>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Notification {
    level: &'static str,
    message: Message,
    locations: Vec<Location>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult<'a> {
    rule_id: &'a str,
    rule_index: usize,
    level: &'static str,
    message: Message,
    locations: Vec<Location>,
    partial_fingerprints: BTreeMap<&'static str, &'a str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    suppressions: Vec<SarifSuppression>,
    properties: ResultProperties<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Location {
    physical_location: PhysicalLocation,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    region: Option<Region>,
}

#[derive(Serialize, Debug, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ArtifactLocation {
    pub uri: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uri_base_id: Option<&'static str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    start_column: Option<u32>,
}

#[derive(Serialize)]
struct SarifSuppression {
    kind: &'static str,
    status: &'static str,
    justification: String,
}

/// What GitHub does not show but other consumers (and people reading the file) use:
/// the concrete fix of this finding, its image, and the evidence behind it.
#[derive(Serialize)]
struct ResultProperties<'a> {
    image: &'a str,
    severity: &'static str,
    fix: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    snippet: Option<&'a str>,
    #[serde(skip_serializing_if = "is_empty")]
    evidence: &'a crate::model::FindingEvidence,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RunProperties<'a> {
    as_of: String,
    targets: &'a [String],
    pages: usize,
    images: usize,
}

/// The SARIF `level` of a severity: SARIF has no "info", its lowest level is "note".
pub fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// Renders the report as a SARIF 2.1.0 log (pretty-printed JSON, trailing newline).
pub fn render(report: &Report) -> String {
    let rules = rule_descriptors(&report.rules, &report.findings);
    let rule_index: BTreeMap<&str, usize> = rules
        .iter()
        .enumerate()
        .map(|(i, r)| (r.id.as_str(), i))
        .collect();

    let results = report
        .findings
        .iter()
        .map(|f| result(report, f, rule_index[f.rule.as_str()]))
        .collect();

    let notifications = report
        .pages_failed
        .iter()
        .map(|failure| Notification {
            level: "error",
            message: message(format!(
                "page could not be read: {}: {}",
                failure.page, failure.reason
            )),
            locations: vec![Location {
                physical_location: PhysicalLocation {
                    artifact_location: artifact_location(report, &failure.page),
                    region: None,
                },
            }],
        })
        .collect();

    let log = Log {
        schema: SCHEMA_URI,
        version: "2.1.0",
        runs: vec![Run {
            tool: Tool {
                driver: Driver {
                    name: &report.tool.name,
                    version: &report.tool.version,
                    semantic_version: &report.tool.version,
                    information_uri: env!("CARGO_PKG_REPOSITORY"),
                    rules,
                },
            },
            invocations: vec![Invocation {
                // The scan ran to its end; unreadable pages are listed, not fatal.
                execution_successful: true,
                tool_execution_notifications: notifications,
            }],
            results,
            properties: RunProperties {
                as_of: report.as_of.to_string(),
                targets: &report.targets,
                pages: report.summary.pages,
                images: report.summary.images,
            },
        }],
    };
    // Serialising plain structs of strings and numbers cannot fail.
    let mut out = serde_json::to_string_pretty(&log).expect("SARIF log serialises");
    out.push('\n');
    out
}

/// The rules array: every rule in force, then any rule a finding names that the
/// report's rule list lacks, so that every `ruleIndex` points at a real entry.
fn rule_descriptors(rules: &[RuleInfo], findings: &[Finding]) -> Vec<ReportingDescriptor> {
    let mut out: Vec<ReportingDescriptor> = rules
        .iter()
        .map(|r| ReportingDescriptor {
            id: r.id.clone(),
            short_description: message(non_empty(&r.summary, &r.id)),
            full_description: some_text(&r.rationale),
            help: some_text(&r.fix),
            default_configuration: Configuration {
                level: level(r.severity),
            },
        })
        .collect();
    for f in findings {
        if !out.iter().any(|r| r.id == f.rule) {
            out.push(ReportingDescriptor {
                id: f.rule.clone(),
                short_description: message(f.rule.clone()),
                full_description: None,
                help: None,
                default_configuration: Configuration {
                    level: level(f.severity),
                },
            });
        }
    }
    out
}

fn non_empty(text: &str, fallback: &str) -> String {
    if text.trim().is_empty() {
        fallback.to_string()
    } else {
        text.to_string()
    }
}

fn some_text(text: &str) -> Option<Message> {
    (!text.trim().is_empty()).then(|| message(text))
}

fn result<'a>(report: &Report, f: &'a Finding, rule_index: usize) -> SarifResult<'a> {
    // A finding tied to no page (an unreadable file found only in the ledger, say)
    // points at the image itself.
    let target = f.page.as_deref().unwrap_or(&f.image);
    let region = f.line.filter(|&l| l > 0).map(|line| Region {
        start_line: line,
        start_column: f.column.filter(|&c| c > 0),
    });
    let text = if f.fix.trim().is_empty() {
        f.message.clone()
    } else {
        // The rule's help is generic; the concrete fix belongs in the annotation.
        format!("{}\nFix: {}", f.message, f.fix)
    };
    SarifResult {
        rule_id: &f.rule,
        rule_index,
        level: level(f.severity),
        message: message(text),
        locations: vec![Location {
            physical_location: PhysicalLocation {
                artifact_location: artifact_location(report, target),
                region,
            },
        }],
        partial_fingerprints: BTreeMap::from([(FINGERPRINT_KEY, f.fingerprint.as_str())]),
        suppressions: f.suppressed.as_ref().map(suppression).into_iter().collect(),
        properties: ResultProperties {
            image: &f.image,
            severity: f.severity.as_str(),
            fix: &f.fix,
            snippet: f.snippet.as_deref(),
            evidence: &f.evidence,
        },
    }
}

fn is_empty(evidence: &&crate::model::FindingEvidence) -> bool {
    evidence.is_empty()
}

fn suppression(s: &Suppression) -> SarifSuppression {
    let (kind, justification) = match s {
        Suppression::Config { reason } => {
            ("external", format!("clearance.toml [[ignore]]: {reason}"))
        }
        Suppression::Baseline => ("external", "recorded in the --baseline file".to_string()),
        Suppression::Inline => (
            "inSource",
            "data-clearance-ignore attribute on the element".to_string(),
        ),
    };
    SarifSuppression {
        kind,
        status: "accepted",
        justification,
    }
}

/// Characters that may not appear raw in a URI reference path (RFC 3986); `/` stays.
const URI_PATH: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'[')
    .add(b'\\')
    .add(b']')
    .add(b'^')
    .add(b'`')
    .add(b'{')
    .add(b'|')
    .add(b'}');

/// Where a page (or image) lives, as a SARIF artifact location.
///
/// - Already a URL (a crawled page or remote image): the URL itself.
/// - Local scan: the site root as given joined with the site path, relative to the
///   repository (`%SRCROOT%`), so code scanning annotates the file in the pull request.
///   An absolute root becomes a `file://` URI.
/// - Crawl without a local root: the page path joined onto the first URL target.
pub(crate) fn artifact_location(report: &Report, site_path: &str) -> ArtifactLocation {
    if is_url(site_path) {
        return ArtifactLocation {
            uri: site_path.to_string(),
            uri_base_id: None,
        };
    }
    if report.root.is_none() {
        if let Some(base) = report.targets.iter().find(|t| is_url(t)) {
            if let Ok(url) = url::Url::parse(base)
                .and_then(|b| b.join(&format!("/{}", site_path.trim_start_matches('/'))))
            {
                return ArtifactLocation {
                    uri: url.to_string(),
                    uri_base_id: None,
                };
            }
        }
    }
    let path = repo_relative_path(report.root.as_deref(), site_path);
    if path.starts_with('/') {
        return ArtifactLocation {
            uri: format!("file://{}", utf8_percent_encode(&path, URI_PATH)),
            uri_base_id: None,
        };
    }
    ArtifactLocation {
        uri: utf8_percent_encode(&path, URI_PATH).to_string(),
        uri_base_id: Some(SRCROOT),
    }
}

/// `root` joined with the site path, with `./` and Windows separators tidied, so the
/// path reads as the repository shows it (`_site/news/a.html`).
pub(crate) fn repo_relative_path(root: Option<&str>, site_path: &str) -> String {
    let site_path = site_path.replace('\\', "/");
    let site_path = site_path.trim_start_matches("./").trim_start_matches('/');
    let root = root.unwrap_or("").replace('\\', "/");
    let mut root = root.as_str();
    while let Some(rest) = root.strip_prefix("./") {
        root = rest;
    }
    let absolute = root.starts_with('/');
    let root = root.trim_end_matches('/');
    if root.is_empty() || root == "." {
        if absolute {
            format!("/{site_path}")
        } else {
            site_path.to_string()
        }
    } else {
        format!("{root}/{site_path}")
    }
}

fn is_url(s: &str) -> bool {
    let lower = s.get(..8).unwrap_or(s).to_ascii_lowercase();
    lower.starts_with("http://") || lower.starts_with("https://")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(root: Option<&str>, targets: &[&str]) -> Report {
        Report {
            version: 1,
            tool: Default::default(),
            as_of: chrono::NaiveDate::from_ymd_opt(2026, 11, 28).unwrap(),
            targets: targets.iter().map(|t| t.to_string()).collect(),
            root: root.map(str::to_string),
            summary: Default::default(),
            images: vec![],
            findings: vec![],
            pages_failed: vec![],
            rules: vec![],
        }
    }

    #[test]
    fn local_page_is_relative_to_repo_with_srcroot() {
        let loc = artifact_location(&report(Some("./_site/"), &["_site"]), "news/a b.html");
        assert_eq!(loc.uri, "_site/news/a%20b.html");
        assert_eq!(loc.uri_base_id, Some(SRCROOT));
        let loc = artifact_location(&report(Some("."), &["."]), "index.html");
        assert_eq!(loc.uri, "index.html");
    }

    #[test]
    fn absolute_root_becomes_file_uri() {
        let loc = artifact_location(&report(Some("/srv/site"), &[]), "index.html");
        assert_eq!(loc.uri, "file:///srv/site/index.html");
        assert_eq!(loc.uri_base_id, None);
    }

    #[test]
    fn crawled_page_is_its_url() {
        let r = report(None, &["https://school.example.org/start/"]);
        let loc = artifact_location(&r, "news/robotics.html");
        assert_eq!(loc.uri, "https://school.example.org/news/robotics.html");
        assert_eq!(loc.uri_base_id, None);
        let loc = artifact_location(&r, "https://cdn.example.org/x.jpg");
        assert_eq!(loc.uri, "https://cdn.example.org/x.jpg");
    }

    #[test]
    fn info_maps_to_note() {
        assert_eq!(level(Severity::Info), "note");
        assert_eq!(level(Severity::Error), "error");
    }
}
