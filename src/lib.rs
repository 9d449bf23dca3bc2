//! clearance: may every image on this site be published?
//!
//! The pipeline, one module per stage, each knowing only the stages before it:
//!
//! ```text
//! source ──pages──▶ extract ──uses──▶ (group by image) ──▶ evidence ──▶ ledger ──▶ policy ──▶ report
//! ```
//!
//! [`model`] holds the types that cross stages. [`scan`] runs the whole
//! pipeline in a screenful; [`inspect`] runs the evidence stage on single files.

pub mod allocator;
pub mod baseline;
pub mod cache;
pub mod config;
pub mod error;
pub mod evidence;
pub mod extract;
pub mod init;
pub mod ledger;
pub mod license;
pub mod model;
pub mod output;
pub mod policy;
pub mod replay;
pub mod report;
pub mod rules;
pub mod source;
pub mod spill;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use rayon::prelude::*;

use crate::config::Config;
use crate::error::{Error, Result};
use crate::evidence::EvidenceOptions;
use crate::evidence::fingerprint::Fingerprint;
use crate::ledger::Ledger;
use crate::model::{
    AssetMatch, Evidence, Finding, ImageKey, ImageReport, ImageUse, Page, PageFailure, RefKind,
    Report, RuleInfo, Severity, SeverityCounts, Summary, Target, Tool, UseReport,
};
use crate::report::{Format, RenderOptions};
use crate::rules::Rules;
use crate::source::Source;
use crate::source::crawl::{CrawlConfig, CrawlSource};
use crate::source::local::LocalSite;
use crate::spill::{EvidenceSpill, Slot};

/// The shared test corpus (`../shared/corpus` beside the checkout, or
/// `$CLEARANCE_CORPUS`), for unit tests that read real third-party files when
/// they are present. Joined with `rel`; `None` when absent.
#[cfg(test)]
pub(crate) fn test_corpus(rel: &str) -> Option<PathBuf> {
    let root = std::env::var_os("CLEARANCE_CORPUS")
        .map(PathBuf::from)
        .or_else(|| {
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .ancestors()
                .map(|a| a.join("shared/corpus"))
                .find(|p| p.is_dir())
        })?;
    let path = root.join(rel);
    path.exists().then_some(path)
}

/// The version of the JSON report's shape (`"version"` in the report).
pub const REPORT_VERSION: u32 = 1;

/// Everything a scan needs, resolved from the command line and `clearance.toml`.
pub struct ScanOptions {
    /// Folders or URLs; empty means the config's `root`, else `.`.
    pub targets: Vec<String>,
    pub config: Config,
    /// Ledgers given on the command line, added to the config's.
    pub extra_ledgers: Vec<PathBuf>,
    pub rules: Rules,
    pub as_of: NaiveDate,
    /// Fingerprints of findings to report as baselined.
    pub baseline: HashSet<String>,
    /// Show a progress bar on stderr (the caller decides whether it is a TTY).
    pub progress: bool,
    /// Make thumbnails of flagged images (for the HTML report).
    pub thumbnails: bool,
    /// Which photographs face detection looks at.
    pub faces: FacesMode,
    /// Limits for crawling live sites (unset: the crawler's safe defaults).
    pub max_pages: Option<usize>,
    pub max_depth: Option<u32>,
    /// The evidence cache folder; `None` disables it.
    pub cache: Option<PathBuf>,
    /// Compute every image's perceptual hash, even where matching does not need it
    /// (`ledger suggest` writes them into stubs).
    pub all_phashes: bool,
}

/// Which photographs face detection examines.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FacesMode {
    /// Photos whose ledger entry does not record its people (no entry, or `people` absent).
    #[default]
    Missing,
    /// Every photo, also those whose entry says who (or that nobody) is shown: an audit.
    All,
    Off,
}

/// One distinct image with its uses and what was learned about it.
///
/// Its full evidence waits on disk ([`Collected::evidence`] reads it back): held
/// for every image at once, it made memory grow with the size of the site. What
/// stays is what the passes over all images need, held without a heap
/// allocation where a fixed-size value does.
pub struct ImageRecord {
    pub key: ImageKey,
    pub uses: Box<[ImageUse]>,
    /// What the passes over all images read from the evidence.
    pub facts: Facts,
    pub matched: Option<AssetMatch>,
    /// Which source it came from (index into the scan's sources).
    pub source: usize,
    /// What tells the source the image is unchanged (size, mtime), when it can:
    /// with the source and key, its evidence-cache key ([`Collected::cache_key`]).
    pub validator: Option<Box<str>>,
    /// A read of it failed. Unless it is simply missing (no validator), the
    /// failure may pass (a permission, an I/O error) without the validator
    /// changing, so such a scan is not recorded for replay, as its evidence is
    /// not cached.
    pub read_failed: bool,
    evidence: Slot,
}

impl ImageRecord {
    /// Its evidence-cache key, made from its source, key and validator.
    fn cache_key(&self, sources: &[Box<dyn Source>]) -> Option<String> {
        validated_cache_key(sources, self.source, &self.key, self.validator.as_deref())
    }
}

/// The few facts of an image's [`Evidence`] that matching and face selection need.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Facts {
    /// One of [`evidence::FORMATS`].
    pub format: Option<&'static str>,
    pub width: Option<u32>,
    pub height: Option<u32>,
    /// The best perceptual fingerprint known of it (`Evidence::phash`, else
    /// `Evidence::preview_phash`).
    pub fingerprint: Option<Fingerprinted>,
    /// A pixel fingerprint was attempted (`Evidence::phash_tried`).
    pub phash_tried: bool,
    /// The image could be read (`Evidence::error` is unset).
    pub readable: bool,
    /// Face detection ran on it (`Evidence::faces` is set).
    pub faces_checked: bool,
}

/// A fingerprint and what it was computed from.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Fingerprinted {
    /// The image's own pixels.
    Pixels(Fingerprint),
    /// Its EXIF preview: a stand-in that only rules matches out.
    Preview(Fingerprint),
}

impl Fingerprinted {
    pub fn fingerprint(&self) -> Fingerprint {
        match self {
            Fingerprinted::Pixels(f) | Fingerprinted::Preview(f) => *f,
        }
    }
}

impl Facts {
    pub fn of(evidence: &Evidence) -> Facts {
        let parsed =
            |hex: &Option<String>| hex.as_deref().and_then(|h| Fingerprint::from_hex(h).ok());
        // The pixels' own hash supersedes a preview's.
        let fingerprint = parsed(&evidence.phash)
            .map(Fingerprinted::Pixels)
            .or_else(|| parsed(&evidence.preview_phash).map(Fingerprinted::Preview));
        Facts {
            format: evidence.format.as_deref().and_then(evidence::known_format),
            width: evidence.width,
            height: evidence.height,
            fingerprint,
            phash_tried: evidence.phash_tried,
            readable: evidence.error.is_none(),
            faces_checked: evidence.faces.is_some(),
        }
    }

    /// The pixels' fingerprint, when it was computed.
    fn pixels(&self) -> Option<Fingerprint> {
        match self.fingerprint {
            Some(Fingerprinted::Pixels(f)) => Some(f),
            _ => None,
        }
    }

    /// Only a preview's fingerprint is known.
    fn preview_only(&self) -> bool {
        matches!(self.fingerprint, Some(Fingerprinted::Preview(_)))
    }
}

/// Stage timings on stderr when `CLEARANCE_TIMINGS` is set: how BENCHMARKS.md
/// splits a scan's wall time between its stages.
struct Stopwatch(Option<std::time::Instant>);

impl Stopwatch {
    fn start() -> Stopwatch {
        Stopwatch(std::env::var_os("CLEARANCE_TIMINGS").map(|_| std::time::Instant::now()))
    }

    fn lap(&mut self, stage: &str) {
        if let Some(since) = &mut self.0 {
            let now = std::time::Instant::now();
            let ms = (now - *since).as_secs_f64() * 1e3;
            // Peak and current resident memory so far (Linux), to see which stage holds it.
            let memory = std::fs::read_to_string("/proc/self/status")
                .map(|status| {
                    status
                        .lines()
                        .filter(|l| l.starts_with("VmHWM") || l.starts_with("VmRSS"))
                        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
                        .collect::<Vec<_>>()
                        .join(", ")
                })
                .unwrap_or_default();
            eprintln!("clearance: timing: {stage}: {ms:.1} ms {memory}");
            *since = now;
        }
    }
}

/// The pipeline up to ledger matching: what `scan` judges and `ledger suggest` stubs.
pub struct Collected {
    pub pages: usize,
    pub images: Vec<ImageRecord>,
    pub pages_failed: Vec<PageFailure>,
    /// References that resolve outside the site root, as (page, line, column, reference).
    pub outside_root: Vec<ImageUse>,
    pub ledger: Ledger,
    pub root: Option<String>,
    sources: Vec<Box<dyn Source>>,
    spill: EvidenceSpill,
    /// Where the `data:` URI of every embedded image waits in the spill.
    embedded: Embedded,
    /// Kept to the end for thumbnails; what the scan stored becomes a pack on drop.
    cache: Option<cache::Cache>,
    /// Where the report is recorded for a replay, when one was asked for.
    recording: Option<Recording>,
}

impl Collected {
    /// The full evidence of one of [`Collected::images`].
    pub fn evidence(&self, record: &ImageRecord) -> Result<Evidence> {
        self.spill.get(record.evidence).map_err(Error::Spill)
    }
}

/// An image's record as judging and the report read it back from the spill:
/// what of [`ImageRecord`] they use, but its uses, which stay in memory (they
/// grow with the pages, not the images, and are most of a record's bytes).
#[derive(serde::Serialize, serde::Deserialize)]
struct ParkedRecord {
    key: ImageKey,
    matched: Option<AssetMatch>,
    source: usize,
    validator: Option<Box<str>>,
    evidence: Slot,
}

/// An image as judging and the report hold it: its record in the spill, its uses here.
struct Parked {
    record: Slot,
    uses: Box<[ImageUse]>,
}

impl Collected {
    /// Move every image's record to the spill, in report order (by path,
    /// stable), keeping its uses: once matching is done no pass needs all
    /// records at once, and held through judging and the report they were
    /// what still made peak memory grow with the number of images.
    fn park_records(&mut self) -> Result<Vec<Parked>> {
        let mut images = std::mem::take(&mut self.images);
        images.sort_by_cached_key(|r| r.key.site_path());
        let spill = &self.spill;
        images
            .into_par_iter()
            .map(|r| {
                let parked = ParkedRecord {
                    key: r.key,
                    matched: r.matched,
                    source: r.source,
                    validator: r.validator,
                    evidence: r.evidence,
                };
                let record = spill.put_value(&parked).map_err(Error::Spill)?;
                Ok(Parked {
                    record,
                    uses: r.uses,
                })
            })
            .collect()
    }

    /// A parked image's record and its evidence.
    fn unpark(&self, parked: &Parked) -> Result<(ParkedRecord, Evidence)> {
        let record: ParkedRecord = self.spill.get_value(parked.record).map_err(Error::Spill)?;
        let evidence = self.spill.get(record.evidence).map_err(Error::Spill)?;
        Ok((record, evidence))
    }

    /// The full URL of the image `key` from source `source`: its remote URL,
    /// or the site's base joined with its path; none for an embedded image.
    fn url_of(&self, key: &ImageKey, source: usize) -> Option<String> {
        match key {
            ImageKey::Embedded(_) => None,
            ImageKey::Remote(u) => Some(u.clone()),
            ImageKey::Local(p) => self.sources[source]
                .scope()
                .base
                .join(p)
                .ok()
                .map(|u| u.to_string()),
        }
    }
}

/// Load every ledger the config and command line name.
pub fn load_ledger(config: &Config, extra: &[PathBuf]) -> Result<Ledger> {
    let paths: Vec<&PathBuf> = config.ledgers.iter().chain(extra).collect();
    Ledger::load(&paths).map_err(|e| Error::Ledger(e.to_string()))
}

/// The sources to scan, and the local root (for reports that point at page files).
type OpenedSources = (Vec<Box<dyn Source>>, Option<String>);

fn open_sources(options: &ScanOptions) -> Result<OpenedSources> {
    let (targets, config) = (&options.targets, &options.config);
    let targets: Vec<String> = if targets.is_empty() {
        vec![
            config
                .root
                .as_ref()
                .map(|r| r.display().to_string())
                .unwrap_or_else(|| ".".to_string()),
        ]
    } else {
        targets.to_vec()
    };
    let mut sources: Vec<Box<dyn Source>> = Vec::new();
    let mut root = None;
    for target in &targets {
        if target.starts_with("http://") || target.starts_with("https://") {
            let mut crawl = CrawlConfig {
                hosts: config.hosts.clone(),
                exclude: (!config.exclude.is_empty()).then(|| config.exclude.set().clone()),
                ..CrawlConfig::default()
            };
            if let Some(n) = options.max_pages {
                crawl.max_pages = n;
            }
            if let Some(n) = options.max_depth {
                crawl.max_depth = n;
            }
            sources.push(Box::new(CrawlSource::new(target, crawl)?));
            continue;
        }
        let site = LocalSite::new(
            Path::new(target),
            config.base_url.clone(),
            config.exclude.clone(),
        )?;
        root.get_or_insert_with(|| target.clone());
        sources.push(Box::new(site));
    }
    Ok((sources, root))
}

/// Find pages and images, read each image's evidence once, and match it to the ledger.
pub fn collect(options: &ScanOptions) -> Result<Collected> {
    gather(options, None).map(Gathered::collected)
}

/// [`collect_with`] from `options.targets`, after loading the ledger.
fn gather(options: &ScanOptions, replay: Option<ReplayAsk>) -> Result<Gathered> {
    let mut stopwatch = Stopwatch::start();
    // The ledger first: its errors are the ones a user fixes first.
    let ledger = load_ledger(&options.config, &options.extra_ledgers)?;
    stopwatch.lap("ledger");
    let (sources, root) = open_sources(options)?;
    collect_with(options, ledger, sources, root, stopwatch, replay)
}

/// [`collect`] from sources the caller made (a CMS export; a test's source
/// that fails on cue) rather than from `options.targets`. `root` is the local
/// folder the report names, if any.
pub fn collect_from(
    options: &ScanOptions,
    sources: Vec<Box<dyn Source>>,
    root: Option<String>,
) -> Result<Collected> {
    let mut stopwatch = Stopwatch::start();
    let ledger = load_ledger(&options.config, &options.extra_ledgers)?;
    stopwatch.lap("ledger");
    collect_with(options, ledger, sources, root, stopwatch, None).map(Gathered::collected)
}

/// A replay asked for: the report's request, and the inputs digest begun when
/// the scan started (with the executable as it was then).
struct ReplayAsk {
    request: ReportRequest,
    inputs: replay::Inputs,
}

/// What [`collect_with`] gathered: the scan's material, or the report a scan
/// of the very same inputs recorded.
enum Gathered {
    Collected(Box<Collected>),
    Replayed(replay::Replay),
}

impl Gathered {
    /// For callers that asked for no replay, so can get none.
    fn collected(self) -> Collected {
        match self {
            Gathered::Collected(collected) => *collected,
            Gathered::Replayed(_) => unreachable!("a replay is looked up only when asked for"),
        }
    }
}

/// The report a scan will write: what, besides the scan's inputs, decides its bytes.
#[derive(Debug, Clone, Copy)]
pub struct ReportRequest {
    pub format: Format,
    pub render: RenderOptions,
}

/// The stages after the ledger; `stopwatch` goes on from the ledger's lap, so
/// opening the sources counts in the next one, as it always did.
///
/// With `replay`, a report recorded for the same inputs is looked up once
/// the pages are read and every image is identified (before any is read): when
/// there is one, that is all this gathers.
fn collect_with(
    options: &ScanOptions,
    ledger: Ledger,
    sources: Vec<Box<dyn Source>>,
    root: Option<String>,
    mut stopwatch: Stopwatch,
    replay: Option<ReplayAsk>,
) -> Result<Gathered> {
    let cache = open_cache(options);
    // A replay needs every input told unchanged without reading it: the cache
    // folder's stat-based keys do that for local folders, not for crawls.
    let replay = replay
        .zip(options.cache.as_deref())
        .filter(|_| cache.is_some() && sources.iter().all(|s| s.scope().local))
        .map(|(ask, dir)| (ask, replay::Store::new(dir)));
    let mut page_keys = Vec::new();
    stopwatch.lap("cache index");
    let mut pages_failed = Vec::new();
    let mut page_count = 0;
    let mut by_image: BTreeMap<(usize, ImageKey), Vec<ImageUse>> = BTreeMap::new();
    let mut outside_root = Vec::new();
    let spill = EvidenceSpill::new();
    let embedded = std::sync::Mutex::new(Embedded::default());
    for (source_index, source) in sources.iter().enumerate() {
        let mut pages: Vec<Page> = Vec::new();
        pages_failed.extend(source.pages(&mut |p| pages.push(p))?);
        page_count += pages.len();
        stopwatch.lap("pages");
        let scope = source.scope();
        let extractions: Vec<_> = pages
            .par_iter()
            .map(|p| {
                let key = cache.as_ref().map(|_| page_cache_key(p, scope));
                let mut extraction = extract_cached(cache.as_ref(), key.as_deref(), p, scope);
                for uri in std::mem::take(&mut extraction.embedded) {
                    lock(&embedded).park(uri, &spill).map_err(Error::Spill)?;
                }
                Ok((key, extraction))
            })
            .collect::<Result<_>>()?;
        for (key, extraction) in extractions {
            if replay.is_some() {
                page_keys.extend(key);
            }
            for u in extraction.uses {
                match &u.target {
                    // A link to a picture on another site (a credit's link to
                    // Wikimedia's file page) shows nothing on this one.
                    Target::Image(key)
                        if u.kind == RefKind::AnchorHref && is_offsite(key, scope) => {}
                    // Most images appear once or twice: a default first
                    // capacity of four would hold (empty) room for more uses
                    // per image than all the uses of the site.
                    Target::Image(key) => by_image
                        .entry((source_index, key.clone()))
                        .or_insert_with(|| Vec::with_capacity(1))
                        .push(u),
                    Target::OutsideRoot(_) => outside_root.push(u),
                }
            }
            for bad in extraction.bad {
                pages_failed.push(PageFailure {
                    page: format!("{}:{}", bad.page, bad.line),
                    reason: format!("reference `{}`: {}", bad.reference, bad.reason),
                });
            }
        }
    }

    stopwatch.lap("extraction");
    let embedded = embedded.into_inner().unwrap_or_else(|e| e.into_inner());
    let face_config = face_config(&options.rules)?;
    // Here, not in the workers: what lives until the end is best made by one thread.
    let by_image: Vec<_> = by_image
        .into_iter()
        .map(|(image, uses)| (image, uses.into_boxed_slice()))
        .collect();
    // What tells each image unchanged (size, mtime): with its path, its cache key.
    let identified: Vec<_> = by_image
        .into_par_iter()
        .map(|((source_index, key), uses)| {
            let validator = cache
                .as_ref()
                .and_then(|_| validator_of(sources[source_index].as_ref(), &key))
                .map(String::into_boxed_str);
            Identified {
                source: source_index,
                key,
                uses,
                validator,
            }
        })
        .collect();
    let mut recording = match replay {
        Some((ask, store)) => {
            let digest = replay_digest(
                ask.inputs,
                options,
                &ask.request,
                &ledger,
                &sources,
                page_keys,
                &pages_failed,
                &identified,
            );
            if let Some(replay) = store.lookup(&digest) {
                stopwatch.lap("replay lookup");
                return Ok(Gathered::Replayed(replay));
            }
            Some(Recording {
                store,
                digest,
                request: ask.request,
            })
        }
        None => None,
    };
    stopwatch.lap("identification");

    let bar = progress_bar(options.progress, identified.len() as u64, "reading images");
    // Pass 1: the facts every image needs (header, hashes of bytes, metadata),
    // and the ledger matches that need nothing more (sha256, `files` globs).
    let mut images: Vec<ImageRecord> = identified
        .into_par_iter()
        .map(
            |Identified {
                 source: source_index,
                 key,
                 uses,
                 validator,
             }|
             -> Result<ImageRecord> {
                let source = &sources[source_index];
                let cache_key = validator
                    .as_deref()
                    .map(|v| cache_key(source.as_ref(), &key, v));
                let cached = cache_key
                    .as_deref()
                    .and_then(|k| cache.as_ref().and_then(|c| c.get(k)));
                let mut read_failed = false;
                let evidence = cached.unwrap_or_else(|| {
                    let evidence = match embedded.read(source.as_ref(), &key, &spill) {
                        Ok(bytes) => evidence::analyze(
                            &bytes.bytes,
                            bytes.sidecar.as_deref(),
                            &EvidenceOptions {
                                phash: false,
                                preview_phash: true,
                            },
                        ),
                        Err(e) => {
                            read_failed = true;
                            Evidence {
                                error: Some(e.to_string()),
                                ..Evidence::default()
                            }
                        }
                    };
                    store(cache.as_ref(), cache_key.as_deref(), &evidence);
                    evidence
                });
                let matched = ledger.match_image(&key.site_path(), evidence.sha256.as_deref());
                bar.inc(1);
                Ok(ImageRecord {
                    key,
                    uses,
                    facts: Facts::of(&evidence),
                    matched,
                    source: source_index,
                    validator,
                    read_failed,
                    evidence: spill.put(&evidence).map_err(Error::Spill)?,
                })
            },
        )
        .collect::<Result<_>>()?;
    bar.finish_and_clear();
    stopwatch.lap("evidence");

    // Pass 2: copies (srcset siblings, CMS derivatives, re-encodings) of matched
    // files. Perceptual hashes cost a pixel decode, so they are computed only
    // when some image is still unmatched and there is something to compare it with.
    // `previews`: let preview hashes stand in for missing pixel hashes, on both
    // sides of a match; every match that rests on one is then confirmed below.
    let candidates = |images: &[ImageRecord], previews: bool| -> Vec<ledger::MatchCandidate> {
        images
            .iter()
            .map(|r| ledger::MatchCandidate {
                path: r.key.site_path(),
                fingerprint: match r.facts.fingerprint {
                    Some(Fingerprinted::Preview(_)) if !previews => None,
                    hashed => hashed.map(|h| h.fingerprint()),
                },
                // An embedded image shares its element with the real one when
                // it is a placeholder: never a sibling of what it stands in for.
                positions: match r.key {
                    ImageKey::Embedded(_) => Vec::new(),
                    _ => r
                        .uses
                        .iter()
                        .map(|u| (u.page.clone(), u.line, u.column))
                        .collect(),
                },
            })
            .collect()
    };
    let mut matched: Vec<Option<AssetMatch>> = images.iter().map(|r| r.matched.clone()).collect();
    // Without previews: what is matched here is never confirmed again.
    ledger.match_copies(&candidates(&images, false), &mut matched);
    let unmatched = matched
        .iter()
        .zip(&images)
        .any(|(m, r)| m.is_none() && r.facts.readable);
    let comparable = ledger.has_phashes() || matched.iter().any(Option::is_some);
    if unmatched && comparable || options.all_phashes {
        // `ledger suggest` writes the hashes into stubs: those must be the photos' own.
        let previews = !options.all_phashes;
        let bar = progress_bar(options.progress, images.len() as u64, "fingerprinting");
        images.par_iter_mut().try_for_each(|record| {
            bar.inc(1);
            let facts = &record.facts;
            let hashed =
                facts.pixels().is_some() || facts.phash_tried || (previews && facts.preview_only());
            if !hashed && facts.readable {
                refresh(
                    record,
                    &sources,
                    &embedded,
                    cache.as_ref(),
                    &spill,
                    |evidence, bytes| add_phash(evidence, bytes, previews),
                )?;
            }
            Ok::<_, Error>(())
        })?;
        bar.finish_and_clear();
        let named = matched;
        matched = loop {
            let mut round = named.clone();
            ledger.match_copies(&candidates(&images, true), &mut round);
            let unconfirmed = preview_matches(&images, &round);
            if unconfirmed.is_empty() {
                break round;
            }
            // A preview only rules matches out: confirm these from the pixels and
            // match again. Each round removes the previews it touches (replaced by
            // the pixels' hash, or dropped when the image cannot be read again),
            // so this ends.
            images
                .par_iter_mut()
                .enumerate()
                .filter(|(i, _)| unconfirmed.contains(i))
                .try_for_each(|(_, record)| {
                    refresh(
                        record,
                        &sources,
                        &embedded,
                        cache.as_ref(),
                        &spill,
                        |evidence, bytes| add_phash(evidence, bytes, false),
                    )?;
                    if record.facts.preview_only() {
                        // Not read again (gone, or a fetch refused): a preview
                        // that cannot be confirmed counts for nothing.
                        let mut evidence = spill.get(record.evidence).map_err(Error::Spill)?;
                        evidence.preview_phash = None;
                        park(record, &spill, &evidence)?;
                    }
                    Ok::<_, Error>(())
                })?;
        };
    }
    for (record, m) in images.iter_mut().zip(matched) {
        record.matched = m;
    }

    stopwatch.lap("copies");
    // Pass 3: faces, where the ledger does not say who is shown.
    let bar = progress_bar(options.progress, images.len() as u64, "looking for faces");
    images.par_iter_mut().try_for_each(|record| {
        bar.inc(1);
        let wanted = wants_faces(
            options.faces,
            &record.facts,
            record.matched.as_ref(),
            &ledger,
        );
        if !wanted && record.facts.faces_checked {
            // Faces a cached entry carries from another mode do not count here.
            let mut evidence = spill.get(record.evidence).map_err(Error::Spill)?;
            evidence.faces = None;
            park(record, &spill, &evidence)?;
        } else if wanted && !record.facts.faces_checked {
            refresh(
                record,
                &sources,
                &embedded,
                cache.as_ref(),
                &spill,
                |evidence, bytes| {
                    look_for_faces(evidence, bytes, &face_config);
                },
            )?;
        }
        Ok::<_, Error>(())
    })?;
    bar.finish_and_clear();
    stopwatch.lap("faces");
    // An image that exists but could not be read, or that exists with nothing
    // to tell it unchanged: its report may not be the next scan's.
    if images
        .iter()
        .any(|r| r.read_failed == r.validator.is_some())
    {
        recording = None;
    }
    Ok(Gathered::Collected(Box::new(Collected {
        pages: page_count,
        images,
        pages_failed,
        outside_root,
        ledger,
        root,
        sources,
        spill,
        embedded,
        cache,
        recording,
    })))
}

/// The `data:` URIs of the images the pages embed, each parked in the spill
/// by its label until the image is read: a pasted photo is megabytes of
/// base64, and a page that embeds it is not held after its extraction.
#[derive(Default)]
struct Embedded(HashMap<String, Slot>);

impl Embedded {
    /// Keep `uri` for its image, unless another spelling of it is kept already.
    fn park(&mut self, uri: extract::EmbeddedUri, spill: &EvidenceSpill) -> std::io::Result<()> {
        if let std::collections::hash_map::Entry::Vacant(entry) = self.0.entry(uri.label) {
            entry.insert(spill.put_bytes(uri.uri.as_bytes())?);
        }
        Ok(())
    }

    /// An image's bytes: decoded from its `data:` URI when it is embedded,
    /// else read by its source.
    fn read(
        &self,
        source: &dyn Source,
        key: &ImageKey,
        spill: &EvidenceSpill,
    ) -> std::result::Result<source::ImageBytes, source::FetchError> {
        let ImageKey::Embedded(label) = key else {
            return source.read_image(key);
        };
        let failed = |reason: String| source::FetchError::Io(format!("{label}: {reason}"));
        let Some(&slot) = self.0.get(label) else {
            return Err(failed("no page holds its `data:` URI".into()));
        };
        // A spill that cannot be read back fails this image, as a file that
        // cannot be read would; the evidence of every image would not be had.
        let uri = spill.get_bytes(slot).map_err(|e| failed(e.to_string()))?;
        let uri = String::from_utf8(uri).map_err(|e| failed(e.to_string()))?;
        let decoded = source::embedded::decode(&uri).map_err(|e| failed(e.to_string()))?;
        Ok(source::ImageBytes {
            bytes: decoded.bytes,
            sidecar: None,
        })
    }
}

/// What tells an image unchanged since the cache saw it: for an embedded
/// image its label (which names its bytes), else whatever its source knows.
fn validator_of(source: &dyn Source, key: &ImageKey) -> Option<String> {
    match key {
        ImageKey::Embedded(_) => Some(source::embedded::VALIDATOR.to_string()),
        _ => source.validator(key),
    }
}

/// A lock that a panicked worker did not leave unusable.
fn lock<T>(mutex: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

/// An image found on the pages, before it is read: where it is, where it is
/// used, and what tells it unchanged.
struct Identified {
    source: usize,
    key: ImageKey,
    uses: Box<[ImageUse]>,
    validator: Option<Box<str>>,
}

/// Where [`Scanned::write_report`] records the report it writes, for a replay.
struct Recording {
    store: replay::Store,
    digest: String,
    request: ReportRequest,
}

/// The digest of everything the report of this scan depends on: the
/// executable, options, config, rules, ledger files, every page's content and
/// every image's cache key (size and mtime), and the report asked for.
#[allow(clippy::too_many_arguments)]
fn replay_digest(
    mut inputs: replay::Inputs,
    options: &ScanOptions,
    request: &ReportRequest,
    ledger: &Ledger,
    sources: &[Box<dyn Source>],
    mut page_keys: Vec<String>,
    pages_failed: &[PageFailure],
    images: &[Identified],
) -> String {
    inputs.field("request", format!("{request:?}"));
    // `Debug` of whole values: a field added later counts without anyone
    // remembering to add it here. None of them holds a hash map.
    inputs.field("config", format!("{:?}", options.config));
    inputs.field("rules", format!("{:?}", options.rules));
    inputs.field("as of", options.as_of.to_string());
    inputs.field("faces", format!("{:?}", options.faces));
    inputs.field("thumbnails", options.thumbnails.to_string());
    inputs.field("phashes", options.all_phashes.to_string());
    inputs.field(
        "limits",
        format!("{:?} {:?}", options.max_pages, options.max_depth),
    );
    let mut baseline: Vec<&String> = options.baseline.iter().collect();
    baseline.sort();
    for fingerprint in baseline {
        inputs.field("baseline", fingerprint);
    }
    // The bytes the ledger was made of, not the files as they are now.
    inputs.field("ledger", ledger.source_digest());
    for source in sources {
        inputs.field("source", source.describe());
    }
    // Keys carry each page's path and a digest of its bytes; the walk's order
    // is no input.
    page_keys.sort_unstable();
    for key in &page_keys {
        inputs.field("page", key);
    }
    for failure in pages_failed {
        inputs.field(
            "page failed",
            format!("{}\0{}", failure.page, failure.reason),
        );
    }
    for image in images {
        let (source, key, validator) = (image.source, &image.key, &image.validator);
        inputs.field("image", format!("{source}\0{}", key.display()));
        // No validator: the file is missing (or unreadable); when it appears, one does.
        inputs.field("image validator", validator.as_deref().unwrap_or("-"));
    }
    inputs.finish()
}

/// Add a perceptual hash: the EXIF preview's when `previews` allows and the
/// photo has a usable one, else the photo's own (which supersedes a preview's).
fn add_phash(evidence: &mut Evidence, bytes: &[u8], previews: bool) {
    let format = evidence.format.clone().unwrap_or_default();
    if previews {
        let (width, height) = (evidence.width.unwrap_or(0), evidence.height.unwrap_or(0));
        if let Some(hash) = evidence::fingerprint::preview_phash(bytes, &format, width, height) {
            evidence.preview_phash = Some(hash.to_hex());
            return;
        }
    }
    evidence.phash = evidence::fingerprint::phash(bytes, &format);
    evidence.phash_tried = true;
    evidence.preview_phash = None;
}

/// Images whose perceptual-hash match in `round` rests on a preview hash: the
/// matched image's own, or that of any image matched to the same asset, whose
/// hash the index held (files named in the ledger, and siblings and
/// derivatives matched in the same round).
fn preview_matches(images: &[ImageRecord], round: &[Option<AssetMatch>]) -> HashSet<usize> {
    let preview_only = |i: usize| images[i].facts.preview_only();
    let mut indexed_previews: HashMap<&str, Vec<usize>> = HashMap::new();
    for (j, m) in round.iter().enumerate() {
        if let Some(m) = m
            && preview_only(j)
        {
            indexed_previews
                .entry(m.asset.as_str())
                .or_default()
                .push(j);
        }
    }
    let mut unconfirmed = HashSet::new();
    for (i, m) in round.iter().enumerate() {
        let Some(m) = m else { continue };
        if !matches!(m.by, model::MatchedBy::Phash { .. }) {
            continue;
        }
        if preview_only(i) {
            unconfirmed.insert(i);
        }
        unconfirmed.extend(indexed_previews.get(m.asset.as_str()).into_iter().flatten());
    }
    unconfirmed
}

/// The evidence cache, unless disabled; a cache that cannot be opened is
/// reported and the scan goes on without it.
fn open_cache(options: &ScanOptions) -> Option<cache::Cache> {
    let dir = options.cache.as_ref()?;
    match cache::Cache::open(dir) {
        Ok(c) => Some(c),
        Err(e) => {
            eprintln!("clearance: warning: evidence cache not used: {e}");
            None
        }
    }
}

/// A page's key in the cache: keyed by content, not mtime, so a fresh
/// checkout (new mtimes) still hits.
fn page_cache_key(page: &Page, scope: &source::SiteScope) -> String {
    format!(
        "page\0{}\0{}\0{}\0{}\0{}\0{}",
        extract::EXTRACTION_VERSION,
        scope.base,
        scope.local,
        page.path,
        page.url,
        evidence::sha256_hex(page.html.as_bytes())
    )
}

/// A page's image uses, from the cache when the same page (same bytes, same
/// place in the same site) was extracted before: parsing every page was the
/// largest part of a rescan (44 of 180 ms for 1,201 pages; 14 ms from here).
fn extract_cached(
    cache: Option<&cache::Cache>,
    key: Option<&str>,
    page: &Page,
    scope: &source::SiteScope,
) -> extract::Extraction {
    let (Some(cache), Some(key)) = (cache, key) else {
        return extract::extract(page, scope);
    };
    if let Some(extraction) = cache.get_value(key) {
        return extraction;
    }
    let extraction = extract::extract(page, scope);
    // A cache that cannot be written only costs speed on the next run.
    let _ = cache.put_value(key, &extraction);
    extraction
}

/// The warning an image's evidence carries when a later pass could not read it again.
const REREAD_FAILED: &str = "read again for more evidence, but: ";

fn store(cache: Option<&cache::Cache>, key: Option<&str>, evidence: &Evidence) {
    // Read errors may be passing (a file mid-write): never cache them.
    let passing_error = evidence.error.is_some()
        || evidence
            .metadata
            .warnings
            .iter()
            .any(|w| w.starts_with(REREAD_FAILED));
    if let (Some(cache), Some(key)) = (cache, key)
        && !passing_error
    {
        // A cache that cannot be written only costs speed on the next run.
        let _ = cache.put(key, evidence);
    }
}

/// An image's key in the evidence cache: where it comes from and what tells it
/// unchanged. Made when needed rather than held for every image.
fn cache_key(source: &dyn Source, key: &ImageKey, validator: &str) -> String {
    format!("{}\0{}\0{validator}", source.describe(), key.display())
}

/// The evidence-cache key of an image whose source can tell it unchanged.
fn validated_cache_key(
    sources: &[Box<dyn Source>],
    source: usize,
    key: &ImageKey,
    validator: Option<&str>,
) -> Option<String> {
    Some(cache_key(sources[source].as_ref(), key, validator?))
}

/// Read an image's bytes again to add costly facts, and keep them in the cache.
fn refresh(
    record: &mut ImageRecord,
    sources: &[Box<dyn Source>],
    embedded: &Embedded,
    cache: Option<&cache::Cache>,
    spill: &EvidenceSpill,
    add: impl FnOnce(&mut Evidence, &[u8]),
) -> Result<()> {
    let mut evidence = spill.get(record.evidence).map_err(Error::Spill)?;
    match embedded.read(sources[record.source].as_ref(), &record.key, spill) {
        Ok(bytes) => {
            add(&mut evidence, &bytes.bytes);
            store(cache, record.cache_key(sources).as_deref(), &evidence);
        }
        Err(e) => {
            record.read_failed = true;
            evidence
                .metadata
                .warnings
                .push(format!("{REREAD_FAILED}{e}"));
        }
    }
    park(record, spill, &evidence)
}

/// Put an image's changed evidence back on disk (the old entry is left unread).
fn park(record: &mut ImageRecord, spill: &EvidenceSpill, evidence: &Evidence) -> Result<()> {
    record.evidence = spill.put(evidence).map_err(Error::Spill)?;
    record.facts = Facts::of(evidence);
    Ok(())
}

/// True for an image hosted on another site than the one scanned.
fn is_offsite(key: &ImageKey, scope: &source::SiteScope) -> bool {
    match key {
        ImageKey::Local(_) | ImageKey::Embedded(_) => false,
        ImageKey::Remote(u) => url::Url::parse(u)
            .map(|u| u.host_str() != scope.base.host_str())
            .unwrap_or(true),
    }
}

/// The `[faces]` table of the rules profile, validated.
fn face_config(rules: &Rules) -> Result<evidence::faces::FaceConfig> {
    let config: evidence::faces::FaceConfig = match &rules.faces {
        Some(table) => table
            .clone()
            .try_into()
            .map_err(|e: toml::de::Error| Error::Rules {
                path: "[faces]".into(),
                message: e.message().to_string(),
            })?,
        None => evidence::faces::FaceConfig::default(),
    };
    config.validate().map_err(|e| Error::Rules {
        path: "[faces]".into(),
        message: e.to_string(),
    })?;
    Ok(config)
}

/// Face detection costs ~100x the rest of the evidence stage, so it only runs
/// where its answer can change a finding: photographs whose people the ledger
/// does not record (or every photograph in an audit).
fn wants_faces(
    mode: FacesMode,
    facts: &Facts,
    matched: Option<&AssetMatch>,
    ledger: &Ledger,
) -> bool {
    let (Some(format), Some(w), Some(h)) = (facts.format, facts.width, facts.height) else {
        return false;
    };
    if !facts.readable || !evidence::faces::is_photograph(format, w, h) {
        return false;
    }
    let people_recorded = matched
        .and_then(|m| ledger.asset(&m.asset))
        .is_some_and(|a| a.people.is_some());
    match mode {
        FacesMode::Off => false,
        FacesMode::All => true,
        FacesMode::Missing => !people_recorded,
    }
}

fn look_for_faces(evidence: &mut Evidence, bytes: &[u8], config: &evidence::faces::FaceConfig) {
    let format = evidence.format.clone().unwrap_or_default();
    match evidence::faces::detect(bytes, &format, config) {
        Ok(faces) => evidence.faces = Some(faces),
        // A photo whose pixels cannot be decoded still has its other facts;
        // say that faces were not checked rather than call it unreadable.
        Err(e) => evidence.metadata.warnings.push(e.to_string()),
    }
}

fn progress_bar(enabled: bool, len: u64, what: &str) -> indicatif::ProgressBar {
    if !enabled {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(len);
    bar.set_style(
        indicatif::ProgressStyle::with_template(&format!(
            "{{spinner}} {what:<20} {{bar:40}} {{pos}}/{{len}} {{eta}}"
        ))
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    bar
}

/// Run the whole pipeline and produce the report every format renders.
///
/// The report holds every image's evidence; [`judge`] and
/// [`Scanned::write_report`] write the same report without holding it.
pub fn scan(options: &ScanOptions) -> Result<Report> {
    judge(options)?.into_report()
}

/// A judged scan: its findings and summary, with each image's evidence still
/// on disk, so a report can be written one image at a time.
pub struct Scanned {
    collected: Collected,
    /// Every image, its record parked in the spill, in report order.
    records: Vec<Parked>,
    findings: Vec<Finding>,
    summary: Summary,
    as_of: NaiveDate,
    rules: Vec<RuleInfo>,
    thumbnails: bool,
}

/// Run the pipeline up to the findings: collect, match, judge every image.
pub fn judge(options: &ScanOptions) -> Result<Scanned> {
    judge_collected(options, collect(options)?)
}

/// A scan judged for one report ([`judge_report`]).
pub struct Judged {
    outcome: Outcome,
    request: ReportRequest,
}

enum Outcome {
    Fresh(Box<Scanned>),
    /// The report a scan of the very same inputs recorded.
    Replayed(replay::Replay),
}

/// [`judge`] for the report `request` describes. With `replay`, when a scan
/// of the very same inputs (pages, images, ledger, config, rules, date,
/// options, executable) recorded that report in the cache folder, it is
/// replayed instead: no image is read and nothing is judged. A fresh judgement
/// records its report for next time.
pub fn judge_report(options: &ScanOptions, request: ReportRequest, replay: bool) -> Result<Judged> {
    // Begun first: the executable as it was when this scan started.
    let asked = replay
        .then(replay::Inputs::new)
        .flatten()
        .map(|inputs| ReplayAsk { request, inputs });
    let outcome = match gather(options, asked)? {
        Gathered::Replayed(replay) => Outcome::Replayed(replay),
        Gathered::Collected(collected) => {
            Outcome::Fresh(Box::new(judge_collected(options, *collected)?))
        }
    };
    Ok(Judged { outcome, request })
}

impl Judged {
    /// Findings that count (not suppressed) at or above `level`.
    pub fn failing(&self, level: Severity) -> usize {
        match &self.outcome {
            Outcome::Fresh(scanned) => scanned.failing(level),
            Outcome::Replayed(replay) => replay.failing(level),
        }
    }

    /// Every finding in report order; `None` for a replayed report, which
    /// keeps only its bytes (ask for no replay to have them).
    pub fn findings(&self) -> Option<&[Finding]> {
        match &self.outcome {
            Outcome::Fresh(scanned) => Some(scanned.findings()),
            Outcome::Replayed(_) => None,
        }
    }

    /// True when the report is a replay.
    pub fn is_replay(&self) -> bool {
        matches!(self.outcome, Outcome::Replayed(_))
    }

    /// Write the report asked for.
    pub fn write_report(self, out: &mut dyn std::io::Write) -> std::io::Result<()> {
        match self.outcome {
            Outcome::Fresh(scanned) => {
                scanned.write_report(self.request.format, self.request.render, out)
            }
            Outcome::Replayed(replay) => {
                let mut stopwatch = Stopwatch::start();
                let written = replay.write_to(out);
                stopwatch.lap("replayed report");
                written
            }
        }
    }
}

fn judge_collected(options: &ScanOptions, mut collected: Collected) -> Result<Scanned> {
    let mut stopwatch = Stopwatch::start();
    let records = collected.park_records()?;
    allocator::release_free_memory();
    stopwatch.lap("parking");
    let ctx = policy::Context {
        ledger: &collected.ledger,
        config: &options.config,
        rules: &options.rules,
        as_of: options.as_of,
    };
    let per_image: Vec<Vec<Finding>> = records
        .par_iter()
        .map(|parked| {
            let (record, evidence) = collected.unpark(parked)?;
            let case = policy::ImageCase {
                key: &record.key,
                uses: &parked.uses,
                evidence: &evidence,
                matched: record.matched.as_ref(),
            };
            let found = policy::evaluate(&ctx, &case);
            Ok(policy::apply_suppressions(
                found,
                &record.key.site_path(),
                &parked.uses,
                &options.config,
                &options.baseline,
            ))
        })
        .collect::<Result<_>>()?;
    // Sized once: grown by doubling, ten thousand findings would be copied
    // over several times, and held twice during the last copy.
    let mut findings: Vec<Finding> = Vec::with_capacity(
        per_image.iter().map(Vec::len).sum::<usize>() + collected.outside_root.len(),
    );
    findings.extend(per_image.into_iter().flatten());
    findings.extend(outside_root_findings(
        &collected.outside_root,
        &options.rules,
        options,
    ));
    // Page order, then position on the page; the most severe first on one line.
    fn order_key(
        f: &Finding,
    ) -> (
        Option<&str>,
        Option<u32>,
        &str,
        std::cmp::Reverse<Severity>,
        &str,
        &str,
    ) {
        (
            f.page.as_deref(),
            f.line,
            f.image.as_str(),
            std::cmp::Reverse(f.severity),
            f.rule.as_str(),
            f.message.as_str(),
        )
    }
    // Borrowed keys: a sort of ten thousand findings must not clone their
    // strings. Unstable, so no buffer of half the findings (2.5 MB); the
    // fingerprint (rule, image, page and subject) breaks ties alike every run.
    // The column comes last: the stable sort this replaced kept such ties in
    // document order, which is column order on one line.
    findings.par_sort_unstable_by(|a, b| {
        order_key(a)
            .cmp(&order_key(b))
            .then_with(|| a.column.cmp(&b.column))
            .then_with(|| a.fingerprint.cmp(&b.fingerprint))
    });

    stopwatch.lap("judging");
    let mut counts = SeverityCounts::default();
    for f in findings.iter().filter(|f| f.suppressed.is_none()) {
        match f.severity {
            Severity::Error => counts.error += 1,
            Severity::Warning => counts.warning += 1,
            Severity::Info => counts.info += 1,
        }
    }
    let summary = Summary {
        pages: collected.pages,
        images: records.len(),
        findings: counts,
        suppressed: findings.iter().filter(|f| f.suppressed.is_some()).count(),
    };
    Ok(Scanned {
        collected,
        records,
        findings,
        summary,
        as_of: options.as_of,
        rules: options.rules.all(),
        thumbnails: options.thumbnails,
    })
}

impl Scanned {
    /// Every finding, in report order.
    pub fn findings(&self) -> &[Finding] {
        &self.findings
    }

    pub fn summary(&self) -> &Summary {
        &self.summary
    }

    /// Findings that count (not suppressed) at or above `level`, as [`Report::failing`].
    pub fn failing(&self, level: Severity) -> usize {
        self.findings
            .iter()
            .filter(|f| f.suppressed.is_none() && f.severity >= level)
            .count()
    }

    /// Write the report as `format`: the same bytes as rendering [`scan`]'s
    /// report. JSON is streamed one image at a time and the formats that show
    /// no image evidence are rendered without it, so memory does not grow with
    /// the number of images; HTML and JUnit build the whole report first.
    ///
    /// When the scan was asked to record this report for a replay, the bytes
    /// are recorded as they are written, and kept once all are.
    pub fn write_report(
        mut self,
        format: Format,
        options: RenderOptions,
        out: &mut dyn std::io::Write,
    ) -> std::io::Result<()> {
        let recorder = self
            .collected
            .recording
            .take()
            .filter(|r| r.request.format == format && r.request.render == options)
            .and_then(|r| r.store.record(&r.digest, self.summary.findings));
        let Some(mut recorder) = recorder else {
            return self.write_unrecorded(format, options, out);
        };
        self.write_unrecorded(format, options, &mut recorder.tee(out))?;
        recorder.commit();
        Ok(())
    }

    fn write_unrecorded(
        self,
        format: Format,
        options: RenderOptions,
        out: &mut dyn std::io::Write,
    ) -> std::io::Result<()> {
        if format == Format::Json {
            let targets = self.targets();
            let images = StreamedImages {
                collected: &self.collected,
                records: &self.records,
            };
            let parts = report::json::Parts {
                version: REPORT_VERSION,
                tool: &Tool::default(),
                as_of: self.as_of,
                targets: &targets,
                root: self.collected.root.as_deref(),
                summary: &self.summary,
                images: &images,
                findings: &self.findings,
                pages_failed: &self.collected.pages_failed,
            };
            let mut stopwatch = Stopwatch::start();
            let written = report::json::write(out, &parts);
            stopwatch.lap("report");
            self.free_in_background();
            return written;
        }
        let report = if format.shows_images() {
            self.into_report().map_err(std::io::Error::other)?
        } else {
            self.assemble(Vec::new())
        };
        report::write(&report, format, options, out)
    }

    /// Store what the scan learnt in the cache now, and free the rest on
    /// another thread: freeing ten thousand findings and a record per image
    /// took 17 ms on the main thread, nearly what writing their report takes.
    /// A process that exits first leaves the freeing to the OS.
    fn free_in_background(mut self) {
        if let Some(mut cache) = self.collected.cache.take() {
            // A cache that cannot be written only costs speed on the next run.
            let _ = cache.commit();
        }
        // No thread to spare (a resource limit): free it here.
        let _ = std::thread::Builder::new().spawn(move || drop(self));
    }

    /// The whole report, every image's evidence in memory.
    pub fn into_report(self) -> Result<Report> {
        let mut images: Vec<ImageReport> = {
            let flagged: HashSet<&str> = self.findings.iter().map(|f| f.image.as_str()).collect();
            let collected = &self.collected;
            self.records
                .par_iter()
                .map(|parked| {
                    let (record, evidence) = collected.unpark(parked)?;
                    let thumbnail = (self.thumbnails && flagged.contains(record.key.display()))
                        .then(|| thumbnail_for(collected, &record, &evidence))
                        .flatten();
                    Ok(record_report(
                        collected,
                        &record,
                        &parked.uses,
                        evidence,
                        thumbnail,
                    ))
                })
                .collect::<Result<_>>()?
        };
        images.sort_by(|a, b| a.path.cmp(&b.path));
        Ok(self.assemble(images))
    }

    fn targets(&self) -> Vec<String> {
        self.collected
            .sources
            .iter()
            .map(|s| s.describe())
            .collect()
    }

    fn assemble(self, images: Vec<ImageReport>) -> Report {
        Report {
            version: REPORT_VERSION,
            tool: Tool::default(),
            as_of: self.as_of,
            targets: self.targets(),
            root: self.collected.root,
            summary: self.summary,
            images,
            findings: self.findings,
            pages_failed: self.collected.pages_failed,
            rules: self.rules,
        }
    }
}

/// The report's `images`, read from disk and serialized one at a time, in
/// the order they were parked (the order [`Scanned::into_report`] sorts them in).
struct StreamedImages<'a> {
    collected: &'a Collected,
    records: &'a [Parked],
}

impl report::json::Elements for StreamedImages<'_> {
    fn count(&self) -> usize {
        self.records.len()
    }

    fn write_element(&self, i: usize, buf: &mut Vec<u8>) -> std::io::Result<()> {
        let parked = &self.records[i];
        let (record, evidence) = self
            .collected
            .unpark(parked)
            .map_err(std::io::Error::other)?;
        let image = record_report(self.collected, &record, &parked.uses, evidence, None);
        Ok(serde_json::to_writer_pretty(buf, &image)?)
    }
}

fn thumbnail_for(
    collected: &Collected,
    record: &ParkedRecord,
    evidence: &Evidence,
) -> Option<Vec<u8>> {
    let format = evidence.format.as_deref()?;
    let key = validated_cache_key(
        &collected.sources,
        record.source,
        &record.key,
        record.validator.as_deref(),
    );
    let cached = collected
        .cache
        .as_ref()
        .zip(key.as_deref())
        .and_then(|(cache, key)| Some((cache, key, cache.get_entry(key)?)));
    if let Some((_, _, entry)) = &cached
        && entry.thumbnail.is_some()
    {
        return entry.thumbnail.clone();
    }
    // The image is read again only for flagged images, so clean scans pay nothing.
    let bytes = collected
        .embedded
        .read(
            collected.sources[record.source].as_ref(),
            &record.key,
            &collected.spill,
        )
        .ok()?;
    let thumbnail = evidence::decode::thumbnail_jpeg(&bytes.bytes, format, 192).ok()?;
    // Added to the entry the cache holds, never this scan's evidence, which may
    // lack faces this mode did not want or carry a passing read error.
    if let Some((cache, key, entry)) = cached {
        let _ = cache.put_entry(key, &entry.evidence, Some(&thumbnail));
    }
    Some(thumbnail)
}

fn outside_root_findings(uses: &[ImageUse], rules: &Rules, options: &ScanOptions) -> Vec<Finding> {
    let Some(rule) = rules.get("unreadable-image") else {
        return Vec::new();
    };
    let findings: Vec<Finding> = uses
        .iter()
        .map(|u| {
            let resolved = match &u.target {
                Target::OutsideRoot(r) => r.clone(),
                _ => u.reference.clone(),
            };
            Finding {
                rule: rule.id.clone(),
                severity: rule.severity,
                image: u.reference.clone(),
                page: Some(u.page.clone()),
                line: Some(u.line),
                column: Some(u.column),
                message: if resolved == u.reference {
                    format!("`{}` points outside the site root; it was not read", u.reference)
                } else {
                    format!(
                        "`{}` resolves to {resolved}, outside the site root; it was not read",
                        u.reference
                    )
                },
                evidence: [("reason", "outside the site root".into())].into_iter().collect(),
                fix: "Point the reference at an image inside the site (copy the image into the site), then scan again."
                    .into(),
                snippet: None,
                fingerprint: evidence::sha256_hex(format!("{}\0unreadable-image\0{}", u.reference, u.page).as_bytes()),
                suppressed: None,
            }
        })
        .collect();
    findings
        .into_iter()
        .zip(uses)
        .flat_map(|(f, u)| {
            let path = u.reference.clone();
            policy::apply_suppressions(
                vec![f],
                &path,
                std::slice::from_ref(u),
                &options.config,
                &options.baseline,
            )
        })
        .collect()
}

fn record_report(
    collected: &Collected,
    record: &ParkedRecord,
    uses: &[ImageUse],
    evidence: Evidence,
    thumbnail: Option<Vec<u8>>,
) -> ImageReport {
    image_report(
        &record.key,
        collected.url_of(&record.key, record.source),
        uses,
        record.matched.as_ref(),
        evidence,
        thumbnail,
    )
}

fn image_report(
    key: &ImageKey,
    url: Option<String>,
    uses: &[ImageUse],
    matched: Option<&AssetMatch>,
    ev: Evidence,
    thumbnail: Option<Vec<u8>>,
) -> ImageReport {
    ImageReport {
        url,
        path: key.site_path(),
        sha256: ev.sha256,
        phash: ev.phash,
        format: ev.format,
        width: ev.width,
        height: ev.height,
        bytes: ev.bytes,
        metadata: ev.metadata,
        faces: ev.faces,
        ledger: matched.map(|m| m.asset.clone()),
        matched_by: matched.map(|m| m.by.clone()),
        error: ev.error,
        uses: uses
            .iter()
            .map(|u| UseReport {
                page: u.page.clone(),
                line: u.line,
                column: u.column,
                kind: u.kind,
                reference: u.reference.clone(),
                alt: u.alt.clone(),
                title: u.title.clone(),
                caption: u.caption.clone(),
                credit: u.attribution.text.clone(),
            })
            .collect(),
        thumbnail,
    }
}

/// `clearance ledger suggest`: an `[[asset]]` stub for every image the ledger does not cover.
pub fn suggest(options: &ScanOptions) -> Result<String> {
    let collected = collect(options)?;
    let mut out = String::new();
    let mut seen_ids = HashSet::new();
    // Each stub's sha256, and its id: the ledger lets one asset claim a digest.
    let mut stubbed: HashMap<String, String> = HashMap::new();
    for record in collected
        .images
        .iter()
        .filter(|r| r.matched.is_none() && r.facts.readable)
    {
        let evidence = collected.evidence(record)?;
        let pages: Vec<&str> = record
            .uses
            .iter()
            .map(|u| u.page.as_str())
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        if let Some(first) = evidence.sha256.as_ref().and_then(|sha| stubbed.get(sha)) {
            // The same bytes again (a copy under another name, a pasted copy
            // of a file): the first stub's sha256 covers it.
            out.push_str(&format!(
                "# {} (used on: {}): the same bytes as asset \"{first}\" above, whose sha256 covers it\n\n",
                record.key.display(),
                pages.join(", ")
            ));
            continue;
        }
        let mut stub = policy::fixes::asset_stub(&record.key, &evidence, &record.uses);
        let mut id = policy::fixes::asset_id_for(&record.key);
        if !seen_ids.insert(id.clone()) {
            // Two files with one stem: keep ids unique so the stubs paste cleanly.
            let unique = format!(
                "{id}-{}",
                &evidence.sha256.as_deref().unwrap_or("0000")[..8]
            );
            stub = stub.replacen(&format!("id = \"{id}\""), &format!("id = \"{unique}\""), 1);
            seen_ids.insert(unique.clone());
            id = unique;
        }
        if let Some(sha) = &evidence.sha256 {
            stubbed.insert(sha.clone(), id);
        }
        out.push_str(&format!("# used on: {}\n", pages.join(", ")));
        out.push_str(&stub);
        out.push('\n');
    }
    Ok(out)
}

/// `clearance inspect`: one image's evidence, shaped like the report's `images`.
pub fn inspect(path: &str) -> ImageReport {
    let file = Path::new(path);
    let (evidence, url) = match std::fs::read(file) {
        Ok(bytes) => {
            let sidecar = [
                file.with_extension("xmp"),
                PathBuf::from(format!("{path}.xmp")),
            ]
            .iter()
            .find_map(|p| std::fs::read(p).ok());
            let mut evidence = evidence::analyze(
                &bytes,
                sidecar.as_deref(),
                &EvidenceOptions {
                    phash: true,
                    preview_phash: false,
                },
            );
            let face_config = evidence::faces::FaceConfig::default();
            if wants_faces(
                FacesMode::All,
                &Facts::of(&evidence),
                None,
                &Ledger::default(),
            ) {
                look_for_faces(&mut evidence, &bytes, &face_config);
            }
            (evidence, None)
        }
        Err(e) => (
            Evidence {
                error: Some(format!("{path}: {e}")),
                ..Evidence::default()
            },
            None,
        ),
    };
    let key = ImageKey::Local(path.to_string());
    image_report(&key, url, &[], None, evidence, None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_embedded_image_is_read_from_its_parked_uri_and_cached_by_its_label() {
        let root = tempfile::tempdir().unwrap();
        let site = LocalSite::new(root.path(), None, config::Globs::default()).unwrap();
        let uri = "data:image/gif;base64,R0lGODlhAQABAAAAACw=";
        let label = source::embedded::label(uri).unwrap();
        let key = ImageKey::Embedded(label.clone());
        // Its label names its bytes: a cache entry for it is never stale.
        assert_eq!(validator_of(&site, &key).as_deref(), Some("embedded"));
        assert_eq!(
            validator_of(&site, &ImageKey::Local("gone.jpg".into())),
            None
        );

        let spill = EvidenceSpill::in_memory();
        let mut embedded = Embedded::default();
        let parked = |uri: &str| extract::EmbeddedUri {
            label: label.clone(),
            uri: uri.into(),
        };
        embedded.park(parked(uri), &spill).unwrap();
        // Another page's spelling of the same picture is not kept again.
        embedded
            .park(parked("data:image/gif;base64,R0lG ODlhAQABAAAAACw"), &spill)
            .unwrap();
        assert_eq!(embedded.0.len(), 1);
        let bytes = embedded.read(&site, &key, &spill).unwrap().bytes;
        assert_eq!(&bytes[..6], b"GIF89a");
        // One no page embeds (cannot happen from a scan): an error, not a panic.
        let other = ImageKey::Embedded("data:image/gif;sha256=00".into());
        assert!(embedded.read(&site, &other, &spill).is_err());
        // Files still come from the source.
        assert!(matches!(
            embedded.read(&site, &ImageKey::Local("gone.jpg".into()), &spill),
            Err(source::FetchError::NotFound(_))
        ));
    }

    #[test]
    fn facts_keep_the_pixels_fingerprint_over_the_previews_and_a_known_format() {
        let pixels = "0123456789abcdef".repeat(5);
        let preview = "fedcba9876543210".repeat(5);
        let both = Evidence {
            format: Some("jpeg".into()),
            phash: Some(pixels.clone()),
            preview_phash: Some(preview.clone()),
            ..Evidence::default()
        };
        let facts = Facts::of(&both);
        assert_eq!(facts.format, Some("jpeg"));
        assert_eq!(
            facts.fingerprint,
            Some(Fingerprinted::Pixels(
                Fingerprint::from_hex(&pixels).unwrap()
            ))
        );
        assert!(!facts.preview_only());

        let preview_alone = Facts::of(&Evidence {
            phash: None,
            ..both
        });
        assert_eq!(
            preview_alone.fingerprint,
            Some(Fingerprinted::Preview(
                Fingerprint::from_hex(&preview).unwrap()
            ))
        );
        assert!(preview_alone.preview_only() && preview_alone.pixels().is_none());
        assert_eq!(Facts::of(&Evidence::default()).fingerprint, None);
    }
}
