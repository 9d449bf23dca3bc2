//! The permission ledger: people and their consent, photographers and their
//! permission, and assets (one work and every copy of it on the site).
//!
//! TOML files and CSV rosters are merged into one [`Ledger`]; every problem is
//! reported with the file and line it comes from.

pub mod index;

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use chrono::NaiveDate;
use serde::Deserialize;

use crate::config::Globs;
use crate::evidence::fingerprint::{Fingerprint, MATCH_THRESHOLD};
use crate::model::{
    Asset, AssetMatch, AssetSource, Consent, MatchedBy, Origin, Permission, Person, Photographer,
    PhotographerKind, SignedBy,
};

/// What matching needs to know of one scanned image.
#[derive(Debug, Clone, Default)]
pub struct MatchCandidate {
    /// Site path (URL path for crawls).
    pub path: String,
    pub fingerprint: Option<Fingerprint>,
    /// (page, line, column) of each use: uses at one position are one element's candidates.
    pub positions: Vec<(String, u32, u32)>,
}

/// One problem in a ledger, at a file and line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{origin}: {message}")]
pub struct LedgerError {
    pub origin: Origin,
    pub message: String,
}

/// Every problem found while loading, so `ledger check` can list them all at once.
#[derive(Debug, thiserror::Error)]
#[error("{}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"))]
pub struct LedgerErrors(pub Vec<LedgerError>);

#[derive(Debug, Default, Clone)]
pub struct Ledger {
    pub persons: Vec<Person>,
    pub photographers: Vec<Photographer>,
    pub assets: Vec<Asset>,
    person_index: HashMap<String, usize>,
    photographer_index: HashMap<String, usize>,
    asset_index: HashMap<String, usize>,
    sha_index: HashMap<String, usize>,
    /// Every asset's `files` patterns, in ledger order, with the asset each
    /// belongs to: `(pattern, asset)`.
    file_patterns: Vec<(String, usize)>,
    /// The patterns that are plain paths (most: `ledger suggest` writes them),
    /// by path: one lookup per image, however large the ledger.
    file_paths: HashMap<String, Vec<usize>>,
    /// The others in one set (one pass per image), and which of
    /// `file_patterns` each of its patterns is.
    file_globs: Globs,
    file_glob_patterns: Vec<usize>,
    /// Ids of records that failed to load (already reported), so references to
    /// them are not reported again as dangling.
    unreadable_ids: std::collections::HashSet<String>,
    /// SHA-256 of every file's name and bytes as read, in order: what a
    /// replayed report is keyed on, so it is the text this ledger was made of.
    source_digest: String,
}

// --- raw TOML shapes -------------------------------------------------------

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawLedger {
    #[serde(default)]
    person: Vec<toml::Spanned<RawPerson>>,
    #[serde(default)]
    photographer: Vec<toml::Spanned<RawPhotographer>>,
    #[serde(default)]
    asset: Vec<toml::Spanned<RawAsset>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPerson {
    id: String,
    name: String,
    #[serde(default)]
    minor: bool,
    #[serde(default = "unknown_consent")]
    consent: Consent,
    scope: Option<Vec<String>>,
    signed: Option<toml::value::Datetime>,
    signed_by: Option<SignedBy>,
    expires: Option<toml::value::Datetime>,
    document: Option<String>,
}

fn unknown_consent() -> Consent {
    Consent::Unknown
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPhotographer {
    id: String,
    name: String,
    kind: Option<PhotographerKind>,
    #[serde(default = "unknown_permission")]
    permission: Permission,
    scope: Option<Vec<String>>,
    signed: Option<toml::value::Datetime>,
    expires: Option<toml::value::Datetime>,
    document: Option<String>,
}

fn unknown_permission() -> Permission {
    Permission::Unknown
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAsset {
    id: String,
    #[serde(default)]
    files: Vec<String>,
    #[serde(default)]
    sha256: Vec<String>,
    #[serde(default)]
    phash: Vec<String>,
    title: Option<String>,
    photographer: Option<String>,
    people: Option<Vec<String>>,
    source: Option<AssetSource>,
    license: Option<String>,
    author: Option<String>,
    source_url: Option<String>,
    license_expires: Option<toml::value::Datetime>,
    width: Option<u32>,
    height: Option<u32>,
}

fn default_scope(scope: Option<Vec<String>>) -> Vec<String> {
    scope.unwrap_or_else(|| vec!["web".to_string()])
}

/// The ledger, or every error in file and line order.
fn finish(ledger: Ledger, mut errors: Vec<LedgerError>) -> Result<Ledger, LedgerErrors> {
    if errors.is_empty() {
        return Ok(ledger);
    }
    errors.sort_by(|a, b| (&a.origin.file, a.origin.line).cmp(&(&b.origin.file, b.origin.line)));
    Err(LedgerErrors(errors))
}

/// A roster column name reduced to what identifies it.
fn header_key(name: &str) -> String {
    name.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// Record-by-record reading of a ledger file that failed as a whole.
struct Salvage<'a> {
    text: &'a str,
    file: &'a str,
    /// Start of the record whose error was already reported at its exact line.
    first_error: Option<usize>,
    errors: &'a mut Vec<LedgerError>,
    failed: &'a mut Vec<String>,
}

impl Salvage<'_> {
    fn records<T: serde::de::DeserializeOwned>(
        &mut self,
        records: Vec<toml::Spanned<toml::Table>>,
    ) -> Vec<toml::Spanned<T>> {
        let mut good = Vec::new();
        for record in records {
            let span = record.span();
            let table = record.into_inner();
            match table.clone().try_into::<T>() {
                Ok(value) => good.push(toml::Spanned::new(span, value)),
                Err(e) => {
                    if let Some(id) = table.get("id").and_then(|v| v.as_str()) {
                        self.failed.push(id.to_string());
                    }
                    if self.first_error != Some(span.start) {
                        self.errors.push(LedgerError {
                            origin: Origin {
                                file: self.file.to_string(),
                                line: line_of(self.text, span.start),
                            },
                            message: with_hint(e.message()),
                        });
                    }
                }
            }
        }
        good
    }
}

/// True when `pattern` has no glob syntax, so it matches only the path it spells.
fn is_plain_path(pattern: &str) -> bool {
    !pattern.contains(['*', '?', '[', ']', '{', '}', '\\'])
}

/// A ledger document parsed one record at a time, split at its `[[person]]`,
/// `[[photographer]]` and `[[asset]]` headers, with spans that count from the
/// start of the whole document. `None` when any part does not parse alone:
/// the caller then parses the whole document, which reports errors as always.
///
/// Why: toml's parser holds about 30 bytes per byte of input at once (10 MB for
/// the 318 KB ledger of 2,500 assets), and what it frees is strewn among the
/// records that stay, so a large ledger raised the peak memory of the whole
/// scan. One record at a time holds one record's worth. The split is exact: a
/// header line that is really inside a multi-line value leaves the part
/// before it unterminated, so that part fails and the whole is parsed.
fn parse_by_record(text: &str) -> Option<RawLedger> {
    fn is_record_header(line: &str) -> bool {
        line.trim_start()
            .strip_prefix("[[")
            .and_then(|rest| rest.split_once("]]"))
            .is_some_and(|(name, _)| matches!(name.trim(), "person" | "photographer" | "asset"))
    }
    fn shifted<T>(
        records: Vec<toml::Spanned<T>>,
        by: usize,
    ) -> impl Iterator<Item = toml::Spanned<T>> {
        records.into_iter().map(move |record| {
            let span = record.span();
            toml::Spanned::new(span.start + by..span.end + by, record.into_inner())
        })
    }
    let mut raw = RawLedger::default();
    let mut part_start = 0;
    let mut line_start = 0;
    let mut add_part = |part: std::ops::Range<usize>| -> Option<()> {
        let records: RawLedger = toml::from_str(&text[part.clone()]).ok()?;
        // A part that begins with a header is that one record; the part before
        // the first header holds only comments. Anything else (`asset = []`
        // before an `[[asset]]`) the whole document may reject: let it decide.
        let count = records.person.len() + records.photographer.len() + records.asset.len();
        let mut lines = text[part.clone()].lines();
        let well_formed = match lines.next() {
            Some(first) if is_record_header(first) => count == 1,
            first => first
                .into_iter()
                .chain(lines)
                .all(|l| l.trim().is_empty() || l.trim_start().starts_with('#')),
        };
        if !well_formed {
            return None;
        }
        raw.person.extend(shifted(records.person, part.start));
        raw.photographer
            .extend(shifted(records.photographer, part.start));
        raw.asset.extend(shifted(records.asset, part.start));
        Some(())
    };
    for line in text.split_inclusive('\n') {
        if line_start > part_start && is_record_header(line) {
            add_part(part_start..line_start)?;
            part_start = line_start;
        }
        line_start += line.len();
    }
    add_part(part_start..text.len())?;
    Some(raw)
}

/// A TOML message, with the fix for the commonest slip: a quoted date.
fn with_hint(message: &str) -> String {
    if message.contains("datetime") && message.contains("string") {
        format!("{message} (write dates without quotes: signed = 2026-06-30)")
    } else {
        message.to_string()
    }
}

/// 1-based line of a byte offset.
fn line_of(text: &str, offset: usize) -> u32 {
    (memchr::memchr_iter(b'\n', &text.as_bytes()[..offset.min(text.len())]).count() + 1) as u32
}

/// Line numbers of byte offsets in one text, each found by binary search:
/// counting newlines from the start for every record is quadratic in a
/// ledger of thousands of records.
struct Lines(Vec<usize>);

impl Lines {
    fn of(text: &str) -> Lines {
        Lines(memchr::memchr_iter(b'\n', text.as_bytes()).collect())
    }

    fn line(&self, offset: usize) -> u32 {
        (self.0.partition_point(|&newline| newline < offset) + 1) as u32
    }
}

fn toml_date(
    value: Option<toml::value::Datetime>,
    field: &str,
    origin: &Origin,
    errors: &mut Vec<LedgerError>,
) -> Option<NaiveDate> {
    let value = value?;
    let parsed = value.date.and_then(|d| {
        NaiveDate::from_ymd_opt(i32::from(d.year), u32::from(d.month), u32::from(d.day))
    });
    if parsed.is_none() {
        errors.push(LedgerError {
            origin: origin.clone(),
            message: format!("`{field}` must be a date like 2026-06-30, found {value}"),
        });
    }
    parsed
}

impl Ledger {
    /// Load and merge ledger files (TOML, or CSV rosters by extension), then validate.
    pub fn load(paths: &[impl AsRef<Path>]) -> Result<Ledger, LedgerErrors> {
        use sha2::Digest as _;
        let mut ledger = Ledger::default();
        let mut errors = Vec::new();
        let mut digest = sha2::Sha256::new();
        for path in paths {
            let path = path.as_ref();
            let name = path.display().to_string();
            let text = match std::fs::read_to_string(path) {
                Ok(t) => t,
                Err(e) => {
                    errors.push(LedgerError {
                        origin: Origin {
                            file: name,
                            line: 0,
                        },
                        message: format!("cannot read ledger: {e}"),
                    });
                    continue;
                }
            };
            for part in [name.as_bytes(), text.as_bytes()] {
                digest.update((part.len() as u64).to_le_bytes());
                digest.update(part);
            }
            let is_csv = path
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("csv"));
            if is_csv {
                ledger.add_csv(&text, &name, &mut errors);
            } else {
                ledger.add_toml(&text, &name, &mut errors);
            }
        }
        ledger.source_digest = crate::evidence::hex(&digest.finalize());
        ledger.validate(&mut errors);
        finish(ledger, errors)
    }

    /// A digest of the files this ledger was loaded from (their names and
    /// bytes as read); empty for a ledger made from text.
    pub fn source_digest(&self) -> &str {
        &self.source_digest
    }

    /// Parse ledgers given as text, for tests and embedding.
    pub fn from_sources(sources: &[(&str, &str)]) -> Result<Ledger, LedgerErrors> {
        let mut ledger = Ledger::default();
        let mut errors = Vec::new();
        for (name, text) in sources {
            if name.ends_with(".csv") {
                ledger.add_csv(text, name, &mut errors);
            } else {
                ledger.add_toml(text, name, &mut errors);
            }
        }
        ledger.validate(&mut errors);
        finish(ledger, errors)
    }

    fn add_toml(&mut self, text: &str, file: &str, errors: &mut Vec<LedgerError>) {
        let parsed = match parse_by_record(text) {
            Some(raw) => Ok(raw),
            None => toml::from_str(text),
        };
        let raw: RawLedger = match parsed {
            Ok(r) => r,
            Err(e) => {
                let line = e.span().map(|s| line_of(text, s.start)).unwrap_or(0);
                errors.push(LedgerError {
                    origin: Origin {
                        file: file.to_string(),
                        line,
                    },
                    message: with_hint(e.message()),
                });
                // serde stops at the first bad value; read record by record so one
                // `ledger check` lists every bad record, and the good ones still count.
                match self.salvage_records(text, file, e.span().map(|s| s.start), errors) {
                    Some(raw) => raw,
                    None => return,
                }
            }
        };
        let lines = Lines::of(text);
        let origin_of = |span: std::ops::Range<usize>| Origin {
            file: file.to_string(),
            line: lines.line(span.start),
        };
        self.persons.reserve_exact(raw.person.len());
        for spanned in raw.person {
            let origin = origin_of(spanned.span());
            let p = spanned.into_inner();
            let signed = toml_date(p.signed, "signed", &origin, errors);
            let expires = toml_date(p.expires, "expires", &origin, errors);
            self.persons.push(Person {
                id: p.id,
                name: p.name,
                minor: p.minor,
                consent: p.consent,
                scope: default_scope(p.scope),
                signed,
                signed_by: p.signed_by,
                expires,
                document: p.document,
                origin,
            });
        }
        self.photographers.reserve_exact(raw.photographer.len());
        for spanned in raw.photographer {
            let origin = origin_of(spanned.span());
            let p = spanned.into_inner();
            let signed = toml_date(p.signed, "signed", &origin, errors);
            let expires = toml_date(p.expires, "expires", &origin, errors);
            self.photographers.push(Photographer {
                id: p.id,
                name: p.name,
                kind: p.kind,
                permission: p.permission,
                scope: default_scope(p.scope),
                signed,
                expires,
                document: p.document,
                origin,
            });
        }
        self.assets.reserve_exact(raw.asset.len());
        for spanned in raw.asset {
            let origin = origin_of(spanned.span());
            let a = spanned.into_inner();
            let license_expires = toml_date(a.license_expires, "license_expires", &origin, errors);
            self.assets.push(Asset {
                id: a.id,
                files: a.files,
                sha256: a
                    .sha256
                    .iter()
                    .map(|s| s.trim().to_ascii_lowercase())
                    .collect(),
                phash: a
                    .phash
                    .iter()
                    .map(|s| s.trim().to_ascii_lowercase())
                    .collect(),
                title: a.title,
                photographer: a.photographer,
                people: a.people,
                source: a.source,
                license: a.license,
                author: a.author,
                source_url: a.source_url,
                license_expires,
                width: a.width,
                height: a.height,
                origin,
            });
        }
    }

    fn add_csv(&mut self, text: &str, file: &str, errors: &mut Vec<LedgerError>) {
        let mut reader = csv::ReaderBuilder::new()
            .trim(csv::Trim::All)
            .flexible(true)
            .from_reader(text.as_bytes());
        let headers: Vec<String> = match reader.headers() {
            // `Signed By`, `signed-by` and `signedby` all mean `signed_by`.
            Ok(h) => h.iter().map(header_key).collect(),
            Err(e) => {
                errors.push(LedgerError {
                    origin: Origin {
                        file: file.to_string(),
                        line: 1,
                    },
                    message: format!("unreadable CSV header: {e}"),
                });
                return;
            }
        };
        for required in ["id", "name"] {
            if !headers.iter().any(|h| *h == header_key(required)) {
                errors.push(LedgerError {
                    origin: Origin {
                        file: file.to_string(),
                        line: 1,
                    },
                    message: format!(
                        "roster header lacks `{required}` (expected id,name,minor,consent,scope,signed,signed_by,expires,document)"
                    ),
                });
                return;
            }
        }
        let col = |name: &str| headers.iter().position(|h| *h == header_key(name));
        for record in reader.records() {
            let record = match record {
                Ok(r) => r,
                Err(e) => {
                    let line = e.position().map(|p| p.line() as u32).unwrap_or(0);
                    errors.push(LedgerError {
                        origin: Origin {
                            file: file.to_string(),
                            line,
                        },
                        message: format!("unreadable CSV row: {e}"),
                    });
                    continue;
                }
            };
            let origin = Origin {
                file: file.to_string(),
                line: record.position().map(|p| p.line() as u32).unwrap_or(0),
            };
            let get = |name: &str| -> Option<&str> {
                col(name)
                    .and_then(|i| record.get(i))
                    .filter(|v| !v.is_empty())
            };
            let mut bad = |message: String| {
                errors.push(LedgerError {
                    origin: origin.clone(),
                    message,
                })
            };
            let minor = match get("minor").map(str::to_ascii_lowercase).as_deref() {
                None | Some("false" | "no" | "n" | "0") => false,
                Some("true" | "yes" | "y" | "1") => true,
                Some(other) => {
                    bad(format!("`minor` must be true or false, found `{other}`"));
                    false
                }
            };
            let consent = match get("consent") {
                None => Consent::Unknown,
                Some(v) => match v.to_ascii_lowercase().as_str() {
                    "granted" => Consent::Granted,
                    "denied" => Consent::Denied,
                    "opt-out" => Consent::OptOut,
                    "unknown" => Consent::Unknown,
                    other => {
                        bad(format!(
                            "`consent` must be granted, denied, opt-out or unknown, found `{other}`"
                        ));
                        Consent::Unknown
                    }
                },
            };
            let signed_by = match get("signed_by").map(str::to_ascii_lowercase).as_deref() {
                None => None,
                Some("self") => Some(SignedBy::Subject),
                Some("guardian") => Some(SignedBy::Guardian),
                Some(other) => {
                    bad(format!(
                        "`signed_by` must be self or guardian, found `{other}`"
                    ));
                    None
                }
            };
            let mut date = |field: &str| -> Option<NaiveDate> {
                let v = get(field)?;
                match NaiveDate::parse_from_str(v, "%Y-%m-%d") {
                    Ok(d) => Some(d),
                    Err(_) => {
                        errors.push(LedgerError {
                            origin: origin.clone(),
                            message: format!(
                                "`{field}` must be a date like 2026-06-30, found `{v}`"
                            ),
                        });
                        None
                    }
                }
            };
            let signed = date("signed");
            let expires = date("expires");
            let scope = get("scope")
                .map(|s| {
                    s.split(';')
                        .map(str::trim)
                        .filter(|s| !s.is_empty())
                        .map(String::from)
                        .collect()
                })
                .unwrap_or_else(|| vec!["web".to_string()]);
            self.persons.push(Person {
                id: get("id").unwrap_or_default().to_string(),
                name: get("name").unwrap_or_default().to_string(),
                minor,
                consent,
                scope,
                signed,
                signed_by,
                expires,
                document: get("document").map(String::from),
                origin,
            });
        }
    }

    /// Read each record on its own after the whole file failed to deserialize:
    /// records that fail are reported at their header line (except the one
    /// already reported precisely) and their ids remembered, so references to
    /// them do not cascade into more errors.
    fn salvage_records(
        &mut self,
        text: &str,
        file: &str,
        first_error: Option<usize>,
        errors: &mut Vec<LedgerError>,
    ) -> Option<RawLedger> {
        #[derive(Deserialize)]
        struct Loose {
            #[serde(default)]
            person: Vec<toml::Spanned<toml::Table>>,
            #[serde(default)]
            photographer: Vec<toml::Spanned<toml::Table>>,
            #[serde(default)]
            asset: Vec<toml::Spanned<toml::Table>>,
        }
        let loose: Loose = toml::from_str(text).ok()?;
        // Array-of-tables spans cover the header; the record holding the first
        // error is the last one that starts before it.
        let owner = first_error.and_then(|at| {
            loose
                .person
                .iter()
                .chain(&loose.photographer)
                .chain(&loose.asset)
                .map(|r| r.span().start)
                .filter(|&start| start <= at)
                .max()
        });
        let mut raw = RawLedger::default();
        let mut failed = Vec::new();
        let mut ctx = Salvage {
            text,
            file,
            first_error: owner,
            errors,
            failed: &mut failed,
        };
        raw.person = ctx.records(loose.person);
        raw.photographer = ctx.records(loose.photographer);
        raw.asset = ctx.records(loose.asset);
        self.unreadable_ids.extend(failed);
        Some(raw)
    }

    /// Cross-record checks, and building the lookup indexes.
    fn validate(&mut self, errors: &mut Vec<LedgerError>) {
        let mut err = |origin: &Origin, message: String| {
            errors.push(LedgerError {
                origin: origin.clone(),
                message,
            })
        };
        self.person_index.clear();
        for (i, p) in self.persons.iter().enumerate() {
            if p.id.is_empty() {
                err(&p.origin, "a person needs an `id`".into());
            } else if let Some(&first) = self.person_index.get(&p.id) {
                err(
                    &p.origin,
                    format!(
                        "person id `{}` is already used at {}",
                        p.id, self.persons[first].origin
                    ),
                );
            } else {
                self.person_index.insert(p.id.clone(), i);
            }
        }
        self.photographer_index.clear();
        for (i, p) in self.photographers.iter().enumerate() {
            if let Some(&first) = self.photographer_index.get(&p.id) {
                err(
                    &p.origin,
                    format!(
                        "photographer id `{}` is already used at {}",
                        p.id, self.photographers[first].origin
                    ),
                );
            } else {
                self.photographer_index.insert(p.id.clone(), i);
            }
        }
        self.asset_index.clear();
        self.sha_index.clear();
        self.file_patterns.clear();
        self.file_paths.clear();
        self.file_glob_patterns.clear();
        let mut globs: Vec<String> = Vec::new();
        for (i, a) in self.assets.iter().enumerate() {
            if let Some(&first) = self.asset_index.get(&a.id) {
                err(
                    &a.origin,
                    format!(
                        "asset id `{}` is already used at {}",
                        a.id, self.assets[first].origin
                    ),
                );
                continue;
            }
            self.asset_index.insert(a.id.clone(), i);
            if a.files.is_empty() && a.sha256.is_empty() && a.phash.is_empty() {
                err(
                    &a.origin,
                    format!(
                        "asset `{}` has no `files`, `sha256` or `phash`: no image can match it",
                        a.id
                    ),
                );
            }
            if let Some(ph) = &a.photographer
                && !self.photographer_index.contains_key(ph)
                && !self.unreadable_ids.contains(ph)
            {
                err(
                    &a.origin,
                    format!(
                        "asset `{}` names photographer `{ph}`, which no [[photographer]] defines",
                        a.id
                    ),
                );
            }
            for person in a.people.iter().flatten() {
                if !self.person_index.contains_key(person) && !self.unreadable_ids.contains(person)
                {
                    err(
                        &a.origin,
                        format!(
                            "asset `{}` lists person `{person}`, who is in no [[person]] or roster",
                            a.id
                        ),
                    );
                }
            }
            for sha in &a.sha256 {
                if sha.len() != 64 || !sha.bytes().all(|b| b.is_ascii_hexdigit()) {
                    err(
                        &a.origin,
                        format!("asset `{}`: sha256 `{sha}` is not 64 hex digits", a.id),
                    );
                } else if let Some(&other) = self.sha_index.get(sha) {
                    err(
                        &a.origin,
                        format!(
                            "asset `{}`: sha256 {sha} is already claimed by asset `{}`",
                            a.id, self.assets[other].id
                        ),
                    );
                } else {
                    self.sha_index.insert(sha.clone(), i);
                }
            }
            for ph in &a.phash {
                if let Err(e) = Fingerprint::from_hex(ph) {
                    err(&a.origin, format!("asset `{}`: phash `{ph}`: {e}", a.id));
                }
            }
            for pattern in &a.files {
                let index = self.file_patterns.len();
                if is_plain_path(pattern) {
                    let path = pattern.trim_start_matches('/').to_string();
                    self.file_paths.entry(path).or_default().push(index);
                } else if let Err(e) = globset::Glob::new(pattern.trim_start_matches('/')) {
                    err(
                        &a.origin,
                        format!("asset `{}`: bad glob `{pattern}`: {e}", a.id),
                    );
                    continue;
                } else {
                    globs.push(pattern.clone());
                    self.file_glob_patterns.push(index);
                }
                self.file_patterns.push((pattern.clone(), i));
            }
            if matches!(
                a.source,
                Some(AssetSource::Licensed | AssetSource::PublicDomain)
            ) && a.license.is_none()
                && a.source == Some(AssetSource::Licensed)
            {
                err(
                    &a.origin,
                    format!("asset `{}` is `licensed` but names no `license`", a.id),
                );
            }
        }
        // Each pattern parsed above on its own, so the whole set compiles too.
        self.file_globs = Globs::new(&globs).unwrap_or_else(|_| Globs::empty());
    }

    pub fn person(&self, id: &str) -> Option<&Person> {
        self.person_index.get(id).map(|&i| &self.persons[i])
    }

    pub fn photographer(&self, id: &str) -> Option<&Photographer> {
        self.photographer_index
            .get(id)
            .map(|&i| &self.photographers[i])
    }

    pub fn asset(&self, id: &str) -> Option<&Asset> {
        self.asset_index.get(id).map(|&i| &self.assets[i])
    }

    /// Which asset is this image, and how do we know. Exact bytes beat a path glob.
    pub fn match_image(&self, site_path: &str, sha256: Option<&str>) -> Option<AssetMatch> {
        if let Some(&i) = sha256.and_then(|s| self.sha_index.get(s)) {
            return Some(AssetMatch {
                asset: self.assets[i].id.clone(),
                by: MatchedBy::Sha256,
            });
        }
        // The first asset in ledger order wins when several patterns match.
        let plain = self
            .file_paths
            .get(site_path.trim_start_matches('/'))
            .into_iter()
            .flatten()
            .copied();
        let globbed = self
            .file_globs
            .matching(site_path)
            .into_iter()
            .map(|g| self.file_glob_patterns[g]);
        let (pattern, asset) = plain
            .chain(globbed)
            .map(|p| (p, self.file_patterns[p].1))
            .min_by_key(|&(p, asset)| (asset, p))?;
        Some(AssetMatch {
            asset: self.assets[asset].id.clone(),
            by: MatchedBy::Glob {
                pattern: self.file_patterns[pattern].0.clone(),
            },
        })
    }

    /// Tie images that pass one matched nothing to an asset through a copy that
    /// did match: another candidate of the same `srcset`/`<picture>` (same page,
    /// line and column), a CMS derivative name of a matched file, or the nearest
    /// perceptual hash among the ledger's `phash` values and the hashes of
    /// matched files (candidates without a hash take no part in that step).
    ///
    /// `candidates[i]` describes image `i`; `matched[i]` is updated in place.
    pub fn match_copies(&self, candidates: &[MatchCandidate], matched: &mut [Option<AssetMatch>]) {
        let mut by_position: HashMap<&(String, u32, u32), (&str, &str)> = HashMap::new();
        let mut by_original: HashMap<String, (&str, &str)> = HashMap::new();
        for (c, m) in candidates.iter().zip(matched.iter()) {
            if let Some(m) = m
                && !matches!(
                    m.by,
                    MatchedBy::Sibling { .. } | MatchedBy::Derivative { .. }
                )
            {
                for pos in &c.positions {
                    by_position
                        .entry(pos)
                        .or_insert((m.asset.as_str(), c.path.as_str()));
                }
                by_original
                    .entry(index::original_name(&c.path))
                    .or_insert((m.asset.as_str(), c.path.as_str()));
            }
        }
        let mut found: Vec<(usize, AssetMatch)> = Vec::new();
        for (i, c) in candidates.iter().enumerate() {
            if matched[i].is_some() {
                continue;
            }
            let by =
                if let Some((asset, image)) = c.positions.iter().find_map(|p| by_position.get(p)) {
                    Some((
                        asset,
                        MatchedBy::Sibling {
                            image: image.to_string(),
                        },
                    ))
                } else {
                    by_original
                        .get(&index::original_name(&c.path))
                        .map(|(asset, original)| {
                            (
                                asset,
                                MatchedBy::Derivative {
                                    original: original.to_string(),
                                },
                            )
                        })
                };
            if let Some((asset, by)) = by {
                found.push((
                    i,
                    AssetMatch {
                        asset: asset.to_string(),
                        by,
                    },
                ));
            }
        }
        for (i, m) in found {
            matched[i] = Some(m);
        }

        // Perceptual hashes: the ledger's, and those of files matched so far. The
        // index finds assets by the 64-bit key; each asset's confirmation hashes
        // then decide (see `Fingerprint::matches`), nearest key first.
        let mut known: HashMap<String, Vec<Fingerprint>> = HashMap::new();
        for a in &self.assets {
            for h in &a.phash {
                if let Ok(f) = Fingerprint::from_hex(h) {
                    known.entry(a.id.clone()).or_default().push(f);
                }
            }
        }
        for (c, m) in candidates.iter().zip(matched.iter()) {
            if let (Some(m), Some(f)) = (m, c.fingerprint) {
                known.entry(m.asset.clone()).or_default().push(f);
            }
        }
        if known.is_empty() {
            return;
        }
        let index = index::PhashIndex::build(
            known
                .iter()
                .flat_map(|(asset, fs)| fs.iter().map(move |f| (asset.as_str(), f.key))),
        );
        for (i, c) in candidates.iter().enumerate() {
            if matched[i].is_some() {
                continue;
            }
            let Some(probe) = c.fingerprint else {
                continue;
            };
            let confirmed =
                index
                    .within(probe.key, MATCH_THRESHOLD)
                    .into_iter()
                    .find(|(asset, _)| {
                        let fs = &known[*asset];
                        // Key distance alone where no hash of the asset carries a confirmation.
                        if probe.fine.is_some() && fs.iter().any(|f| f.fine.is_some()) {
                            fs.iter().any(|f| f.fine.is_some() && probe.matches(f))
                        } else {
                            fs.iter().any(|f| probe.matches(f))
                        }
                    });
            if let Some((asset, distance)) = confirmed {
                matched[i] = Some(AssetMatch {
                    asset: asset.to_string(),
                    by: MatchedBy::Phash { distance },
                });
            }
        }
    }

    /// True when the ledger carries perceptual hashes to match copies against.
    pub fn has_phashes(&self) -> bool {
        self.assets.iter().any(|a| !a.phash.is_empty())
    }

    /// People whose names should never appear with an image (opted out or denied),
    /// from the ledger and rosters alike.
    pub fn opted_out(&self) -> impl Iterator<Item = &Person> {
        self.persons
            .iter()
            .filter(|p| matches!(p.consent, Consent::OptOut | Consent::Denied))
    }

    /// Counts for `ledger check`.
    pub fn counts(&self) -> BTreeMap<&'static str, usize> {
        BTreeMap::from([
            ("people", self.persons.len()),
            ("photographers", self.photographers.len()),
            ("assets", self.assets.len()),
        ])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_agree_with_counting_newlines() {
        let text = "a\nbc\n\nd\n";
        let lines = Lines::of(text);
        for offset in 0..=text.len() + 2 {
            assert_eq!(lines.line(offset), line_of(text, offset), "offset {offset}");
        }
        assert_eq!(lines.line(0), 1);
        assert_eq!(lines.line(2), 2);
        assert_eq!(lines.line(7), 4);
    }

    const LEDGER: &str = r#"
[[person]]
id = "p-ava-r"
name = "Ava R."
minor = true
consent = "granted"
scope = ["web", "blog"]
signed = 2025-09-02
signed_by = "guardian"
expires = 2026-06-30

[[photographer]]
id = "comms-office"
name = "District Communications Office"
kind = "staff"
permission = "granted"

[[asset]]
id = "robotics-2025-01"
files = ["images/robotics/final-*.jpg"]
photographer = "comms-office"
people = ["p-ava-r", "p-ben"]
source = "own"
"#;

    const ROSTER: &str = "id,name,minor,consent,scope,signed,signed_by,expires,document,homeroom\n\
p-ben,Ben T.,true,opt-out,web;blog,2025-09-01,guardian,,,7B\n";

    #[test]
    fn records_parsed_one_at_a_time_are_those_of_the_whole_document() {
        let spans = |raw: &RawLedger| -> Vec<(std::ops::Range<usize>, String)> {
            let ids = raw
                .person
                .iter()
                .map(|r| (r.span(), r.get_ref().id.clone()));
            let ids = ids.chain(
                raw.photographer
                    .iter()
                    .map(|r| (r.span(), r.get_ref().id.clone())),
            );
            ids.chain(raw.asset.iter().map(|r| (r.span(), r.get_ref().id.clone())))
                .collect()
        };
        let whole: RawLedger = toml::from_str(LEDGER).unwrap();
        let by_record = parse_by_record(LEDGER).expect("a plain ledger splits");
        assert_eq!(spans(&by_record), spans(&whole));
        assert_eq!(spans(&by_record).len(), 3);

        // A header line inside a multi-line string is text, not a record: the
        // split fails and the whole document is parsed, string intact.
        let quoted = format!(
            "{LEDGER}\n[[asset]]\nid = \"odd\"\nfiles = [\"odd.jpg\"]\ntitle = \"\"\"\n[[asset]]\n\"\"\"\nsource = \"own\"\n"
        );
        assert!(parse_by_record(&quoted).is_none());
        // Records before the first header: the whole document decides (here,
        // that `asset` is defined twice).
        let inline = format!("asset = []\n{LEDGER}");
        assert!(parse_by_record(&inline).is_none());
        assert!(Ledger::from_sources(&[("ledger.toml", &inline), ("roster.csv", ROSTER)]).is_err());
        let ledger =
            Ledger::from_sources(&[("ledger.toml", &quoted), ("roster.csv", ROSTER)]).unwrap();
        assert_eq!(ledger.assets.len(), 2);
        assert_eq!(
            ledger.asset("odd").unwrap().title.as_deref(),
            Some("[[asset]]\n")
        );
    }

    #[test]
    fn toml_and_csv_merge_and_match() {
        let l = Ledger::from_sources(&[("ledger.toml", LEDGER), ("roster.csv", ROSTER)]).unwrap();
        assert_eq!(l.person("p-ava-r").unwrap().origin.line, 2);
        assert_eq!(l.person("p-ben").unwrap().consent, Consent::OptOut);
        assert_eq!(l.person("p-ben").unwrap().scope, vec!["web", "blog"]);
        assert_eq!(l.person("p-ben").unwrap().origin.line, 2);
        assert_eq!(l.asset("robotics-2025-01").unwrap().origin.line, 18);
        let m = l.match_image("images/robotics/final-3.jpg", None).unwrap();
        assert_eq!(m.asset, "robotics-2025-01");
        assert_eq!(
            m.by,
            MatchedBy::Glob {
                pattern: "images/robotics/final-*.jpg".into()
            }
        );
        assert!(l.match_image("images/other.jpg", None).is_none());
        assert_eq!(l.opted_out().count(), 1);
    }

    #[test]
    fn sha256_match_beats_glob() {
        let sha = "ab".repeat(32);
        let text = format!(
            "[[asset]]\nid = \"a\"\nfiles = [\"x/*.jpg\"]\n[[asset]]\nid = \"b\"\nsha256 = [\"{}\"]\n",
            sha.to_uppercase()
        );
        let l = Ledger::from_sources(&[("l.toml", &text)]).unwrap();
        let m = l.match_image("x/1.jpg", Some(&sha)).unwrap();
        assert_eq!((m.asset.as_str(), m.by), ("b", MatchedBy::Sha256));
    }

    #[test]
    fn bad_enum_value_names_file_and_line() {
        let text = "[[person]]\nid = \"p\"\nname = \"P\"\nconsent = \"maybe\"\n";
        let e = Ledger::from_sources(&[("ledger.toml", text)]).unwrap_err();
        assert_eq!(e.0[0].origin.line, 4, "{e}");
        assert!(e.to_string().starts_with("ledger.toml:4:"), "{e}");
    }

    #[test]
    fn csv_bad_value_names_row_line() {
        let csv = "id,name,consent\np1,A,granted\np2,B,sure\n";
        let e = Ledger::from_sources(&[("roster.csv", csv)]).unwrap_err();
        assert_eq!(
            e.to_string(),
            "roster.csv:3: `consent` must be granted, denied, opt-out or unknown, found `sure`"
        );
    }

    #[test]
    fn dangling_references_and_duplicates_are_errors() {
        let text = "[[asset]]\nid = \"a\"\nfiles = [\"*.jpg\"]\nphotographer = \"nobody\"\npeople = [\"ghost\"]\n\
[[asset]]\nid = \"a\"\nfiles = [\"*.png\"]\n";
        let e = Ledger::from_sources(&[("l.toml", text)])
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("l.toml:1: asset `a` names photographer `nobody`"),
            "{e}"
        );
        assert!(e.contains("person `ghost`"), "{e}");
        assert!(
            e.contains("l.toml:6: asset id `a` is already used at l.toml:1"),
            "{e}"
        );
    }

    #[test]
    fn people_key_absent_differs_from_empty() {
        let text = "[[asset]]\nid = \"a\"\nfiles = [\"a.jpg\"]\n[[asset]]\nid = \"b\"\nfiles = [\"b.jpg\"]\npeople = []\n";
        let l = Ledger::from_sources(&[("l.toml", text)]).unwrap();
        assert_eq!(l.asset("a").unwrap().people, None);
        assert_eq!(l.asset("b").unwrap().people, Some(vec![]));
    }
}

#[cfg(test)]
mod salvage_tests {
    use super::*;

    #[test]
    fn every_bad_record_is_reported_in_one_check_without_cascades() {
        let text = "\
[[person]]
id = \"p1\"
name = \"A\"
consent = \"maybe\"

[[person]]
id = \"p2\"
name = \"B\"
signed = \"2026-01-02\"

[[photographer]]
id = \"ph\"
name = \"C\"
permission = \"granted\"

[[asset]]
id = \"a\"
files = [\"a.jpg\"]
photographer = \"ph\"
people = [\"p1\", \"p2\", \"p3\"]
";
        let e = Ledger::from_sources(&[("l.toml", text)]).unwrap_err();
        let lines: Vec<(u32, &str)> =
            e.0.iter()
                .map(|e| (e.origin.line, e.message.as_str()))
                .collect();
        assert_eq!(lines.len(), 3, "{e}");
        assert_eq!(lines[0].0, 4, "the first error at its exact line: {e}");
        assert_eq!(lines[1].0, 6, "the second bad record at its header: {e}");
        assert!(lines[1].1.contains("without quotes"), "{e}");
        // p1 and p2 failed to load: only p3 is a dangling reference.
        assert!(
            lines[2].1.contains("`p3`") && !lines[2].1.contains("`p1`"),
            "{e}"
        );
    }

    #[test]
    fn roster_headers_are_matched_loosely() {
        let csv = "ID,Name,Minor,Consent,Signed By\np1,A,true,granted,guardian\n";
        let l = Ledger::from_sources(&[("r.csv", csv)]).unwrap();
        assert_eq!(l.person("p1").unwrap().signed_by, Some(SignedBy::Guardian));
    }

    #[test]
    fn unreadable_file_is_named_without_a_line() {
        let e = Ledger::load(&["/no/such/roster.csv"])
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("/no/such/roster.csv: cannot read ledger"),
            "{e}"
        );
    }
}

#[cfg(test)]
mod glob_order_tests {
    use super::*;

    #[test]
    fn the_first_asset_in_ledger_order_wins_when_globs_overlap() {
        let text = "[[asset]]\nid = \"specific\"\nfiles = [\"img/team-*.jpg\"]\n\
[[asset]]\nid = \"general\"\nfiles = [\"img/*.jpg\", \"img/team-1.jpg\"]\n";
        let l = Ledger::from_sources(&[("l.toml", text)]).unwrap();
        let m = l.match_image("img/team-1.jpg", None).unwrap();
        assert_eq!(m.asset, "specific");
        assert_eq!(
            m.by,
            MatchedBy::Glob {
                pattern: "img/team-*.jpg".into()
            }
        );
        assert_eq!(
            l.match_image("img/other.jpg", None).unwrap().asset,
            "general"
        );
    }

    #[test]
    fn plain_paths_and_globs_keep_ledger_order_between_them() {
        // Plain paths are looked up by path, globs matched as a set: which
        // pattern wins must not depend on which kind it is.
        let text = "[[asset]]\nid = \"first\"\nfiles = [\"/img/a.jpg\"]\n\
[[asset]]\nid = \"second\"\nfiles = [\"img/*.jpg\", \"img/b.jpg\"]\n\
[[asset]]\nid = \"third\"\nfiles = [\"img/b.jpg\", \"img/[c].jpg\"]\n";
        let l = Ledger::from_sources(&[("l.toml", text)]).unwrap();
        let matched = |path: &str| {
            let m = l.match_image(path, None)?;
            let MatchedBy::Glob { pattern } = m.by else {
                panic!("{path}: matched by {:?}", m.by);
            };
            Some((m.asset, pattern))
        };
        let expected = [
            ("img/a.jpg", Some(("first", "/img/a.jpg"))),
            ("/img/a.jpg", Some(("first", "/img/a.jpg"))),
            ("img/b.jpg", Some(("second", "img/*.jpg"))),
            ("img/c.jpg", Some(("second", "img/*.jpg"))),
            ("img/A.jpg", Some(("second", "img/*.jpg"))),
            ("img/b.png", None),
        ];
        for (path, want) in expected {
            let want = want.map(|(asset, pattern)| (asset.to_string(), pattern.to_string()));
            assert_eq!(matched(path), want, "{path}");
        }
        let bad = "[[asset]]\nid = \"x\"\nfiles = [\"img/[.jpg\"]\n";
        let e = Ledger::from_sources(&[("l.toml", bad)])
            .unwrap_err()
            .to_string();
        assert!(e.contains("asset `x`: bad glob `img/[.jpg`"), "{e}");
    }
}
