//! The data types that cross pipeline stages.
//!
//! Every stage reads and writes these; none of them knows which stage made it.
//! A later stage may import these types, never the reverse: this module imports
//! no other module of the crate.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

// ---------------------------------------------------------------------------
// Sources and pages
// ---------------------------------------------------------------------------

/// One HTML page as a source delivers it.
#[derive(Debug, Clone)]
pub struct Page {
    /// Site-relative path (`news/robotics.html`) for local scans, the URL path
    /// without the leading slash for crawls. What ledger globs and reports use.
    pub path: String,
    /// The page's full URL: `base_url` joined with `path` for local scans
    /// (a placeholder host when no `base_url` is configured), the fetched URL for crawls.
    pub url: url::Url,
    pub html: String,
}

/// A page the source could not deliver. Listed in the report, never skipped silently.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct PageFailure {
    /// The page's path or URL as the user would recognise it.
    pub page: String,
    pub reason: String,
}

// ---------------------------------------------------------------------------
// Extraction: image uses on pages
// ---------------------------------------------------------------------------

/// How a page refers to an image.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "kebab-case")]
pub enum RefKind {
    ImgSrc,
    ImgSrcset,
    PictureSource,
    InlineStyle,
    StyleBlock,
    OgImage,
    TwitterImage,
    LinkIcon,
    LinkImageSrc,
    VideoPoster,
    AnchorHref,
    InputImage,
    SvgImage,
}

/// The identity of one image, however many pages use it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(tag = "kind", content = "value", rename_all = "kebab-case")]
pub enum ImageKey {
    /// A file under the site root, by site-relative path (`images/a.jpg`).
    Local(String),
    /// An image fetched over HTTP(S), by normalised URL.
    Remote(String),
    /// An image embedded in a page as a `data:` URI, by a label naming its
    /// bytes: `data:<media type>;sha256=<hex>`. The URI itself is kept once per
    /// image, beside the uses (`extract::Extraction::embedded`): a pasted photo
    /// is megabytes of base64, and two spellings of one picture are one image.
    Embedded(String),
}

impl ImageKey {
    /// The site path (local) or URL path without the leading slash (remote),
    /// which is what ledger `files` globs are written against.
    pub fn site_path(&self) -> String {
        match self {
            ImageKey::Local(p) => p.clone(),
            ImageKey::Remote(u) => match url::Url::parse(u) {
                Ok(url) => percent_decode(url.path().trim_start_matches('/')),
                Err(_) => u.clone(),
            },
            ImageKey::Embedded(label) => label.clone(),
        }
    }

    /// The file name (last path segment), for people-name and CMS-size matching.
    pub fn file_name(&self) -> String {
        if let ImageKey::Embedded(label) = self {
            // Its media type's slash is no folder.
            return label.clone();
        }
        let p = self.site_path();
        p.rsplit('/').next().unwrap_or(&p).to_string()
    }

    /// How the image is shown to users: site path for local files, full URL otherwise.
    pub fn display(&self) -> &str {
        match self {
            ImageKey::Local(p) | ImageKey::Remote(p) => p,
            ImageKey::Embedded(label) => label,
        }
    }
}

fn percent_decode(s: &str) -> String {
    percent_encoding::percent_decode_str(s)
        .decode_utf8_lossy()
        .into_owned()
}

/// Where a reference on a page points, after resolution.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Target {
    Image(ImageKey),
    /// Resolves above the site root (`../../etc/passwd`): never read, always reported.
    OutsideRoot(String),
}

/// A link found near an image: licence links and credit links feed the attribution rules.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Link {
    pub href: String,
    pub text: String,
    /// `rel` attribute words (`license`, `cc:license`, ...).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rel: Vec<String>,
}

/// Credit and licence markup shown for an image on its page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Attribution {
    /// The visible credit text (figcaption, caption element, credit line).
    pub text: Option<String>,
    /// Links inside that credit, and `rel="license"` links that belong to the image.
    pub links: Vec<Link>,
    /// CC RDFa `property="cc:attributionName"` text.
    pub attribution_name: Option<String>,
    /// RDFa `dct:title` / `property="dc:title"` text.
    pub work_title: Option<String>,
    /// Where the credit was found (`figcaption`, `wp-caption-text`, `title`, `credit-line`, `credits-section`, `rdfa`).
    pub found_in: Option<String>,
}

/// One appearance of an image on one page.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ImageUse {
    pub page: String,
    /// 1-based line and column of the referencing element's start tag.
    pub line: u32,
    pub column: u32,
    pub kind: RefKind,
    /// The reference exactly as written in the HTML.
    pub reference: String,
    pub target: Target,
    pub alt: Option<String>,
    pub title: Option<String>,
    /// The enclosing `figure`'s `figcaption` text (or a WordPress caption).
    pub caption: Option<String>,
    pub attribution: Attribution,
    /// Rule ids listed in a `data-clearance-ignore` attribute (`*` for all).
    pub ignore: Vec<String>,
}

/// A reference that could not be turned into an image to read, reported as a finding.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BadReference {
    pub page: String,
    pub line: u32,
    pub column: u32,
    pub reference: String,
    pub reason: String,
}

// ---------------------------------------------------------------------------
// Evidence: facts read from an image's bytes
// ---------------------------------------------------------------------------

/// Rights-relevant metadata embedded in an image (EXIF, XMP, IPTC, SVG RDF, sidecar).
/// A field the file does not carry is `None` / empty: nothing is invented.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Metadata {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub creator: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub copyright: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub credit: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub usage_terms: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub web_statement: Option<String>,
    /// `xmpRights:Marked`: true = rights-managed, false = public domain.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub marked: Option<bool>,
    /// A normalised licence id (SPDX where one exists) when a licence was recognised.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub license: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub license_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attribution_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attribution_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub licensor: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub copyright_owner: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub model_release: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub model_release_ids: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub property_release: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub property_release_ids: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub persons_shown: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub minor_model_age: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub digital_source_type: Option<String>,
    /// True when the digital source type is one of IPTC's AI/algorithmic codes.
    #[serde(skip_serializing_if = "std::ops::Not::not", default)]
    pub ai_generated: bool,
    /// True when GPS coordinates are embedded.
    pub gps: bool,
    /// Latitude, longitude in decimal degrees, when readable.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gps_position: Option<(f64, f64)>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub camera_make: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub camera_model: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date_taken: Option<String>,
    /// Where each field came from (`creator` → `EXIF:Artist`), for the evidence trail.
    #[serde(skip_serializing_if = "BTreeMap::is_empty", default)]
    pub sources: BTreeMap<String, String>,
    /// Problems met while reading (a malformed segment), kept as evidence.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub warnings: Vec<String>,
}

impl Metadata {
    /// True when the image carries any statement about who made or owns it, or its licence.
    pub fn has_rights_info(&self) -> bool {
        self.creator.is_some()
            || self.copyright.is_some()
            || self.credit.is_some()
            || self.license.is_some()
            || self.license_url.is_some()
            || self.usage_terms.is_some()
            || self.web_statement.is_some()
    }
}

/// A detected face, in pixels of the original image.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Face {
    pub x: u32,
    pub y: u32,
    pub w: u32,
    pub h: u32,
    pub score: f64,
    pub recognizable: bool,
}

/// Everything read from one image's bytes. Either facts, or the error that stopped reading.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Evidence {
    /// `jpeg`, `png`, `gif`, `webp`, `tiff`, `svg`, `avif`, `heif`, `bmp`, `ico`.
    pub format: Option<String>,
    pub width: Option<u32>,
    pub height: Option<u32>,
    pub bytes: u64,
    pub sha256: Option<String>,
    /// Perceptual hash, hex. Absent for vector images and when not computed.
    pub phash: Option<String>,
    /// Perceptual hash of the photo's embedded EXIF preview: a cheap stand-in
    /// that can rule matches out, never in (a match is confirmed with `phash`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preview_phash: Option<String>,
    /// A pixel fingerprint was attempted: with `phash` unset, the image has
    /// none (vector, too small, a flat colour), and a rescan need not try again.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub phash_tried: bool,
    pub metadata: Metadata,
    /// `None` when face detection did not run on this image.
    pub faces: Option<Vec<Face>>,
    /// Why the image could not be read; set means the other facts may be partial.
    pub error: Option<String>,
}

// ---------------------------------------------------------------------------
// Ledger: the permission records a site keeps
// ---------------------------------------------------------------------------

/// Where in a ledger file a record was written, for messages that name file and line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Origin {
    pub file: String,
    pub line: u32,
}

impl std::fmt::Display for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Line 0 means the file as a whole (it could not be read).
        if self.line == 0 {
            write!(f, "{}", self.file)
        } else {
            write!(f, "{}:{}", self.file, self.line)
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Consent {
    Granted,
    Denied,
    OptOut,
    Unknown,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SignedBy {
    #[serde(rename = "self")]
    Subject,
    Guardian,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Person {
    pub id: String,
    pub name: String,
    pub minor: bool,
    pub consent: Consent,
    pub scope: Vec<String>,
    pub signed: Option<NaiveDate>,
    pub signed_by: Option<SignedBy>,
    pub expires: Option<NaiveDate>,
    pub document: Option<String>,
    pub origin: Origin,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PhotographerKind {
    Staff,
    Student,
    Parent,
    Contractor,
    External,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Permission {
    Granted,
    Denied,
    Unknown,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Photographer {
    pub id: String,
    pub name: String,
    pub kind: Option<PhotographerKind>,
    pub permission: Permission,
    pub scope: Vec<String>,
    pub signed: Option<NaiveDate>,
    pub expires: Option<NaiveDate>,
    pub document: Option<String>,
    pub origin: Origin,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AssetSource {
    Own,
    Permission,
    Licensed,
    PublicDomain,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Asset {
    pub id: String,
    pub files: Vec<String>,
    /// Lower-case hex digests.
    pub sha256: Vec<String>,
    pub phash: Vec<String>,
    pub title: Option<String>,
    pub photographer: Option<String>,
    /// `None`: nobody checked who is shown. `Some(vec![])`: checked, nobody recognizable.
    pub people: Option<Vec<String>>,
    pub source: Option<AssetSource>,
    pub license: Option<String>,
    pub author: Option<String>,
    pub source_url: Option<String>,
    pub license_expires: Option<NaiveDate>,
    /// Original dimensions, to tell when a no-derivatives work was altered.
    pub width: Option<u32>,
    pub height: Option<u32>,
    pub origin: Origin,
}

/// How an image was tied to a ledger asset: shown to the user so they can judge it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "by", rename_all = "kebab-case")]
pub enum MatchedBy {
    Sha256,
    Glob {
        pattern: String,
    },
    /// Perceptually the same picture as a ledger `phash` or a file matched another way.
    Phash {
        distance: u32,
    },
    /// A CMS derivative (`-300x200`, `-scaled`, `@2x`, `.webp`) of a matched file.
    Derivative {
        original: String,
    },
    /// Another candidate of the same `srcset` / `<picture>` as a matched file.
    Sibling {
        image: String,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AssetMatch {
    pub asset: String,
    #[serde(flatten)]
    pub by: MatchedBy,
}

// ---------------------------------------------------------------------------
// Findings and the report
// ---------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

impl std::str::FromStr for Severity {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "info" => Ok(Severity::Info),
            "warning" => Ok(Severity::Warning),
            "error" => Ok(Severity::Error),
            other => Err(format!(
                "unknown severity `{other}` (expected error, warning or info)"
            )),
        }
    }
}

/// Why a finding does not count against the gate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Suppression {
    /// `[[ignore]]` in clearance.toml.
    Config { reason: String },
    /// `data-clearance-ignore` on the element.
    Inline,
    /// Recorded in the `--baseline` file.
    Baseline,
}

/// What a finding rests on (ledger entry id, person, metadata fields), by key:
/// a map kept as a vector sorted by key, so it serializes as the map it is.
///
/// Not a `BTreeMap`: a finding carries two or three entries, and a tree's
/// first node holds room for eleven. Over the ten thousand findings of a large
/// site those empty slots were the largest part of the peak memory (5 MB).
#[derive(Clone, Default, PartialEq)]
pub struct FindingEvidence(Vec<(String, serde_json::Value)>);

impl FindingEvidence {
    /// Set `key` to `value`, replacing any value it had.
    pub fn insert(&mut self, key: impl Into<String>, value: serde_json::Value) {
        let key = key.into();
        match self.0.binary_search_by(|(k, _)| k.as_str().cmp(&key)) {
            Ok(i) => self.0[i].1 = value,
            Err(i) => self.0.insert(i, (key, value)),
        }
    }

    /// Set `key` to `value` only if it has no value yet.
    pub fn insert_if_absent(&mut self, key: &str, value: impl FnOnce() -> serde_json::Value) {
        if let Err(i) = self.0.binary_search_by(|(k, _)| k.as_str().cmp(key)) {
            self.0.insert(i, (key.to_string(), value()));
        }
    }

    pub fn get(&self, key: &str) -> Option<&serde_json::Value> {
        self.0
            .binary_search_by(|(k, _)| k.as_str().cmp(key))
            .ok()
            .map(|i| &self.0[i].1)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Entries in key order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &serde_json::Value)> {
        self.into_iter()
    }

    /// Drop spare capacity: what a finding keeps lives until the report is written.
    pub fn shrink_to_fit(&mut self) {
        self.0.shrink_to_fit();
    }
}

impl<K: Into<String>> FromIterator<(K, serde_json::Value)> for FindingEvidence {
    fn from_iter<I: IntoIterator<Item = (K, serde_json::Value)>>(entries: I) -> Self {
        let mut evidence = FindingEvidence::default();
        for (k, v) in entries {
            evidence.insert(k, v);
        }
        evidence
    }
}

impl<'a> IntoIterator for &'a FindingEvidence {
    type Item = (&'a str, &'a serde_json::Value);
    type IntoIter = std::iter::Map<
        std::slice::Iter<'a, (String, serde_json::Value)>,
        fn(&'a (String, serde_json::Value)) -> (&'a str, &'a serde_json::Value),
    >;

    fn into_iter(self) -> Self::IntoIter {
        self.0.iter().map(|(k, v)| (k.as_str(), v))
    }
}

impl std::fmt::Debug for FindingEvidence {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

impl Serialize for FindingEvidence {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.iter())
    }
}

impl<'de> Deserialize<'de> for FindingEvidence {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let map = BTreeMap::<String, serde_json::Value>::deserialize(deserializer)?;
        Ok(FindingEvidence(map.into_iter().collect()))
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    pub rule: String,
    pub severity: Severity,
    /// The image's site path or URL.
    pub image: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub page: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<u32>,
    pub message: String,
    pub evidence: FindingEvidence,
    /// Most findings share their rule's text: one copy, not one per finding.
    pub fix: std::sync::Arc<str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub snippet: Option<String>,
    /// Stable across runs and renames: sha256 of (image hash, rule, page).
    pub fingerprint: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suppressed: Option<Suppression>,
}

/// One use of an image as the report shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UseReport {
    pub page: String,
    pub line: u32,
    pub column: u32,
    pub kind: RefKind,
    pub reference: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub alt: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub caption: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub credit: Option<String>,
}

/// One image with its evidence and ledger match, as the report shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImageReport {
    pub url: Option<String>,
    pub path: String,
    pub sha256: Option<String>,
    pub phash: Option<String>,
    pub format: Option<String>,
    pub width: Option<u32>,
    pub height: Option<u32>,
    pub bytes: u64,
    pub metadata: Metadata,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub faces: Option<Vec<Face>>,
    pub ledger: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub matched_by: Option<MatchedBy>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    pub uses: Vec<UseReport>,
    /// A small JPEG thumbnail, made only for formats that show pictures (HTML).
    #[serde(skip)]
    pub thumbnail: Option<Vec<u8>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct SeverityCounts {
    pub error: usize,
    pub warning: usize,
    pub info: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Summary {
    pub pages: usize,
    pub images: usize,
    /// Counts of findings that are not suppressed.
    pub findings: SeverityCounts,
    pub suppressed: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tool {
    pub name: String,
    pub version: String,
}

impl Default for Tool {
    fn default() -> Self {
        Tool {
            name: env!("CARGO_PKG_NAME").to_string(),
            version: env!("CARGO_PKG_VERSION").to_string(),
        }
    }
}

/// Metadata about a rule, as reports need it (SARIF rules array, `explain`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleInfo {
    pub id: String,
    pub severity: Severity,
    pub summary: String,
    pub rationale: String,
    pub policy: String,
    /// Shared with every finding of the rule that has no fix of its own.
    pub fix: std::sync::Arc<str>,
}

/// The result of a scan. Every output format renders this one value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub version: u32,
    pub tool: Tool,
    pub as_of: NaiveDate,
    /// The scanned targets as given (folders or URLs).
    pub targets: Vec<String>,
    /// The local site root as given on the command line or in the config
    /// (relative to the working directory), so reports can point at page files.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub root: Option<String>,
    pub summary: Summary,
    pub images: Vec<ImageReport>,
    pub findings: Vec<Finding>,
    pub pages_failed: Vec<PageFailure>,
    /// The rules in force, for formats that describe them (SARIF).
    #[serde(skip)]
    pub rules: Vec<RuleInfo>,
}

impl Report {
    /// Findings that count (not suppressed) at or above `level`.
    pub fn failing(&self, level: Severity) -> usize {
        self.findings
            .iter()
            .filter(|f| f.suppressed.is_none() && f.severity >= level)
            .count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remote_key_site_path_is_decoded_url_path() {
        let key = ImageKey::Remote("https://cdn.example.org/images/Team%20Photo.jpg?w=300".into());
        assert_eq!(key.site_path(), "images/Team Photo.jpg");
        assert_eq!(key.file_name(), "Team Photo.jpg");
    }

    #[test]
    fn severity_orders_error_highest() {
        assert!(Severity::Error > Severity::Warning);
        assert!(Severity::Warning > Severity::Info);
        assert_eq!("warning".parse::<Severity>().unwrap(), Severity::Warning);
        assert!("fatal".parse::<Severity>().is_err());
    }

    #[test]
    fn finding_evidence_is_a_map_in_key_order() {
        let mut evidence: FindingEvidence = [
            ("person", serde_json::json!("p-1")),
            ("field", serde_json::json!("gps")),
        ]
        .into_iter()
        .collect();
        evidence.insert("ledger", serde_json::json!("a-1"));
        evidence.insert("person", serde_json::json!("p-2"));
        evidence.insert_if_absent("ledger", || serde_json::json!("a-2"));
        assert_eq!(evidence.get("person"), Some(&serde_json::json!("p-2")));
        assert_eq!(evidence.get("ledger"), Some(&serde_json::json!("a-1")));
        assert_eq!(evidence.get("missing"), None);
        assert_eq!(evidence.len(), 3);
        // The bytes a BTreeMap of the same entries serializes to.
        let tree: BTreeMap<&str, &serde_json::Value> = evidence.iter().collect();
        let text = serde_json::to_string(&evidence).unwrap();
        assert_eq!(text, serde_json::to_string(&tree).unwrap());
        assert_eq!(text, r#"{"field":"gps","ledger":"a-1","person":"p-2"}"#);
        let back: FindingEvidence = serde_json::from_str(&text).unwrap();
        assert_eq!(back, evidence);
    }
}
