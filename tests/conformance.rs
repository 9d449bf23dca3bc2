//! Conformance: our metadata reader against exiftool 12.57 on the shared corpus.
//!
//! For every image with an oracle file (`corpus/oracle/<path with / → __>.json`,
//! plus the `-n` raw variant `.raw.json`) we compare each of our fields with the
//! exiftool tags that say the same thing (table [`FIELD_TAGS`]). A field counts
//! when either side reports it:
//!
//! - agree: our value equals one of exiftool's values for the mapped tags
//!   (whitespace collapsed; lists compared as sets; GPS within 1e-4°);
//! - differs: both report, values differ (e.g. we repaired mojibake exiftool kept);
//! - missed: exiftool reports, we do not;
//! - invented: we report, exiftool has none of the mapped tags. Must never happen.
//!
//! Files in formats the checker does not read (RAW variants sniffed as TIFF are
//! read; PSD, JPEG 2000, JXL, BMP, ... are not) are listed and skipped.
//!
//! Mapping decisions (exiftool `Group:Tag` → our field):
//! - creator: IFD0:Artist, IFD0:XPAuthor, XMP-dc:Creator, IPTC:By-line,
//!   XMP-tiff:Artist, XMP-exif:Artist, XMP-plus:ImageCreatorName, XMP-pdf:Author,
//!   PNG:Author, and for legacy CC RDF XMP-tmp0:WorkCreatorAgentTitle.
//! - copyright: IFD0:Copyright, XMP-dc:Rights, IPTC:CopyrightNotice,
//!   XMP-tiff:Copyright, XMP-exif:Copyright, PNG:Copyright.
//! - copyright_owner: XMP-plus:CopyrightOwnerName, XMP-xmpRights:Owner, XMP-tmp0:WorkRightsAgentTitle
//!   (a `cc:Agent` in `dc:rights` names the holder, it is not a notice).
//! - credit / source: XMP-photoshop:Credit|Source, IPTC:Credit|Source.
//! - usage_terms, web_statement, marked: XMP-xmpRights:*; web_statement also Photoshop:URL.
//! - license_url: XMP-cc:License, XMP-tmp0:WorkLicense, or a URL that appears
//!   inside exiftool's rights/usage-terms/web-statement text.
//! - licensor: XMP-plus:LicensorName. model/property release: XMP-plus:*Status
//!   (printed names), *ReleaseID (plus and iptcExt). persons_shown:
//!   XMP-iptcExt:PersonInImage ∪ PersonInImageName. minor_model_age:
//!   XMP-plus:MinorModelAgeDisclosure, or "Model age N" from XMP-iptcExt:ModelAge.
//! - digital_source_type: XMP-iptcExt:DigitalSourceType (raw code URL).
//! - gps: Composite:GPSLatitude/GPSLongitude (`-n` decimal degrees).
//!
//! Not mapped on purpose: Artwork* (rights in an artwork shown in the image, not
//! the image), CreatorContactInfo, Photoshop:CopyrightFlag (Photoshop writes
//! `false` by default, which says nothing), PLUS supplier/licensee details,
//! ICC ProfileCopyright (the colour profile's own notice, never the image's).
//! Our description/title/camera/date fields have no oracle columns and are not scored.
//!
//! Known disagreement (2026-12): `exiv2-bug1026.jpg` has an XMP packet that is not
//! well-formed XML (`<exif:TIFF/EPStandardID>`); exiftool's lax parser still reads a
//! placeholder copyright ("[None] (Photographer) - [None] (Editor)"), we record a
//! warning and read nothing from that packet.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use clearance::evidence::{metadata, sniff_format};
use clearance::model::Metadata;
use serde_json::Value;

const FIELD_TAGS: &[(&str, &[&str])] = &[
    (
        "creator",
        &[
            "IFD0:Artist",
            "IFD0:XPAuthor",
            "XMP-dc:Creator",
            "IPTC:By-line",
            "XMP-tiff:Artist",
            "XMP-exif:Artist",
            "XMP-plus:ImageCreatorName",
            "XMP-pdf:Author",
            "PNG:Author",
            "XMP-tmp0:WorkCreatorAgentTitle",
        ],
    ),
    (
        "copyright",
        &[
            "IFD0:Copyright",
            "XMP-dc:Rights",
            "IPTC:CopyrightNotice",
            "XMP-tiff:Copyright",
            "XMP-exif:Copyright",
            "PNG:Copyright",
        ],
    ),
    ("credit", &["XMP-photoshop:Credit", "IPTC:Credit"]),
    ("source", &["XMP-photoshop:Source", "IPTC:Source"]),
    ("usage_terms", &["XMP-xmpRights:UsageTerms"]),
    (
        "web_statement",
        &["XMP-xmpRights:WebStatement", "Photoshop:URL"],
    ),
    ("marked", &["XMP-xmpRights:Marked"]),
    ("license_url", &["XMP-cc:License", "XMP-tmp0:WorkLicense"]),
    ("attribution_name", &["XMP-cc:AttributionName"]),
    ("attribution_url", &["XMP-cc:AttributionURL"]),
    ("licensor", &["XMP-plus:LicensorName"]),
    (
        "copyright_owner",
        &[
            "XMP-plus:CopyrightOwnerName",
            "XMP-xmpRights:Owner",
            "XMP-tmp0:WorkRightsAgentTitle",
        ],
    ),
    ("model_release", &["XMP-plus:ModelReleaseStatus"]),
    ("property_release", &["XMP-plus:PropertyReleaseStatus"]),
    (
        "model_release_ids",
        &["XMP-plus:ModelReleaseID", "XMP-iptcExt:ModelReleaseID"],
    ),
    (
        "property_release_ids",
        &[
            "XMP-plus:PropertyReleaseID",
            "XMP-iptcExt:PropertyReleaseID",
        ],
    ),
    (
        "persons_shown",
        &["XMP-iptcExt:PersonInImage", "XMP-iptcExt:PersonInImageName"],
    ),
    ("minor_model_age", &["XMP-plus:MinorModelAgeDisclosure"]),
    ("digital_source_type", &["XMP-iptcExt:DigitalSourceType"]),
];

/// Text tags whose URLs count as a licence URL exiftool "reports".
const LICENSE_TEXT_TAGS: &[&str] = &[
    "XMP-dc:Rights",
    "XMP-xmpRights:UsageTerms",
    "XMP-xmpRights:WebStatement",
    "IFD0:Copyright",
    "IPTC:CopyrightNotice",
];

const READ_FORMATS: &[&str] = &["jpeg", "png", "gif", "webp", "tiff", "avif", "heif", "svg"];

fn corpus_dir() -> Option<PathBuf> {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let candidates = [
        std::env::var_os("CLEARANCE_CORPUS").map(PathBuf::from),
        Some(manifest.join("../shared/corpus")),
    ];
    candidates
        .into_iter()
        .flatten()
        .find(|p| p.join("oracle").is_dir())
}

fn norm(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A JSON value as exiftool prints it in text mode (lists joined with ", ").
fn as_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Array(items) => items.iter().map(as_text).collect::<Vec<_>>().join(", "),
        Value::Bool(b) => b.to_string(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

fn as_items(v: &Value) -> Vec<String> {
    match v {
        Value::Array(items) => items.iter().flat_map(as_items).collect(),
        other => vec![norm(&as_text(other))],
    }
}

fn load(path: &Path) -> BTreeMap<String, Value> {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let parsed: Vec<BTreeMap<String, Value>> = serde_json::from_str(&text).unwrap_or_default();
    parsed.into_iter().next().unwrap_or_default()
}

fn ours_text(m: &Metadata, field: &str) -> Option<String> {
    let list = |v: &Vec<String>| (!v.is_empty()).then(|| v.join(", "));
    match field {
        "creator" => m.creator.clone(),
        "copyright" => m.copyright.clone(),
        "credit" => m.credit.clone(),
        "source" => m.source.clone(),
        "usage_terms" => m.usage_terms.clone(),
        "web_statement" => m.web_statement.clone(),
        "marked" => m.marked.map(|b| b.to_string()),
        "license_url" => m.license_url.clone(),
        "attribution_name" => m.attribution_name.clone(),
        "attribution_url" => m.attribution_url.clone(),
        "licensor" => m.licensor.clone(),
        "copyright_owner" => m.copyright_owner.clone(),
        "model_release" => m.model_release.clone(),
        "property_release" => m.property_release.clone(),
        "model_release_ids" => list(&m.model_release_ids),
        "property_release_ids" => list(&m.property_release_ids),
        "persons_shown" => list(&m.persons_shown),
        "minor_model_age" => m.minor_model_age.clone(),
        "digital_source_type" => m.digital_source_type.clone(),
        other => panic!("unmapped field {other}"),
    }
}

#[derive(Default)]
struct Tally {
    agree: usize,
    differs: usize,
    missed: usize,
    invented: usize,
}

impl Tally {
    fn total(&self) -> usize {
        self.agree + self.differs + self.missed + self.invented
    }
}

#[test]
fn agrees_with_exiftool_on_the_corpus() {
    let Some(corpus) = corpus_dir() else {
        println!(
            "SKIPPED: no corpus with an oracle/ folder (set CLEARANCE_CORPUS or place ../shared/corpus)"
        );
        return;
    };
    let oracle_dir = corpus.join("oracle");
    let mut oracle_files: Vec<PathBuf> = std::fs::read_dir(&oracle_dir)
        .expect("oracle dir readable")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
            name.ends_with(".json") && !name.ends_with(".raw.json")
        })
        .collect();
    oracle_files.sort();

    let mut per_field: BTreeMap<&str, Tally> = BTreeMap::new();
    let mut disagreements: Vec<String> = Vec::new();
    let mut skipped: Vec<String> = Vec::new();
    let mut images = 0;

    for oracle_path in &oracle_files {
        let printed = load(oracle_path);
        let raw = load(&PathBuf::from(
            oracle_path.to_string_lossy().replace(".json", ".raw.json"),
        ));
        let Some(source) = printed.get("SourceFile").and_then(Value::as_str) else {
            continue;
        };
        let Ok(bytes) = std::fs::read(corpus.join(source)) else {
            skipped.push(format!("{source} (missing)"));
            continue;
        };
        let lower = source.to_ascii_lowercase();
        let meta = if lower.ends_with(".xmp") {
            let mut m = Metadata::default();
            metadata::merge_sidecar(&mut m, &bytes);
            m
        } else {
            match sniff_format(&bytes).filter(|f| READ_FORMATS.contains(f)) {
                Some(format) => metadata::read(&bytes, Some(format)),
                None => {
                    skipped.push(source.to_string());
                    continue;
                }
            }
        };
        images += 1;

        // exiftool numbers further IPTC blocks IPTC2, IPTC3, ...: same tags.
        let numbered = |t: &str| -> Vec<String> {
            match t.strip_prefix("IPTC:") {
                Some(name) => (2..10)
                    .map(|n| format!("IPTC{n}:{name}"))
                    .chain([t.to_string()])
                    .collect(),
                None => vec![t.to_string()],
            }
        };
        let candidates = |tags: &[&str]| -> Vec<&Value> {
            tags.iter()
                .flat_map(|t| numbered(t))
                .flat_map(|t| [printed.get(&t), raw.get(&t)])
                .flatten()
                .filter(|v| !norm(&as_text(v)).is_empty())
                .collect()
        };

        for (field, tags) in FIELD_TAGS {
            let ours = ours_text(&meta, field).map(|s| norm(&s));
            let theirs = candidates(tags);
            let mut theirs_text: Vec<String> = theirs.iter().map(|v| norm(&as_text(v))).collect();
            if *field == "minor_model_age" {
                theirs_text.extend(
                    candidates(&["XMP-iptcExt:ModelAge"])
                        .iter()
                        .map(|v| format!("Model age {}", norm(&as_text(v)))),
                );
            }
            let tally = per_field.entry(field).or_default();
            let verdict = match (&ours, theirs_text.is_empty()) {
                (None, true) => continue,
                (Some(o), _)
                    if *field == "license_url"
                        && candidates(LICENSE_TEXT_TAGS)
                            .iter()
                            .any(|v| as_text(v).contains(o.as_str())) =>
                {
                    "agree"
                }
                (Some(_), true) => "invented",
                (None, false) => "missed",
                (Some(o), false) => {
                    let is_list = field.ends_with("_ids") || *field == "persons_shown";
                    let agree = if is_list {
                        let mine: BTreeSet<String> = match *field {
                            "persons_shown" => meta.persons_shown.iter().map(|s| norm(s)).collect(),
                            "model_release_ids" => {
                                meta.model_release_ids.iter().map(|s| norm(s)).collect()
                            }
                            _ => meta.property_release_ids.iter().map(|s| norm(s)).collect(),
                        };
                        let printed_set: BTreeSet<String> = tags
                            .iter()
                            .filter_map(|t| printed.get(*t))
                            .flat_map(as_items)
                            .collect();
                        mine == printed_set || theirs_text.contains(o)
                    } else {
                        theirs_text.contains(o)
                    };
                    if agree { "agree" } else { "differs" }
                }
            };
            match verdict {
                "agree" => tally.agree += 1,
                "differs" => tally.differs += 1,
                "missed" => tally.missed += 1,
                _ => tally.invented += 1,
            }
            if verdict != "agree" {
                disagreements.push(format!(
                    "{verdict:8} {source} {field}: ours={:?} exiftool={:?}",
                    ours.unwrap_or_default(),
                    theirs_text
                ));
            }
        }

        // GPS: presence, then position.
        let num = |k: &str| raw.get(k).and_then(Value::as_f64);
        let theirs = num("Composite:GPSLatitude")
            .zip(num("Composite:GPSLongitude"))
            .or_else(|| num("XMP-exif:GPSLatitude").zip(num("XMP-exif:GPSLongitude")));
        let tally = per_field.entry("gps").or_default();
        let verdict = match (meta.gps, theirs) {
            (false, None) => None,
            (true, None) => Some("invented"),
            (false, Some(_)) => Some("missed"),
            (true, Some((lat, lon))) => match meta.gps_position {
                Some((a, b)) if (a - lat).abs() < 1e-4 && (b - lon).abs() < 1e-4 => Some("agree"),
                None => Some("agree"),
                Some(_) => Some("differs"),
            },
        };
        match verdict {
            Some("agree") => tally.agree += 1,
            Some("differs") => tally.differs += 1,
            Some("missed") => tally.missed += 1,
            Some(_) => tally.invented += 1,
            None => {}
        }
        if let Some(v) = verdict.filter(|v| *v != "agree") {
            disagreements.push(format!(
                "{v:8} {source} gps: ours={:?} exiftool={theirs:?}",
                meta.gps_position
            ));
        }
    }

    let mut total = Tally::default();
    println!("\nfield                  agree differs missed invented");
    for (field, t) in &per_field {
        println!(
            "{field:22} {:5} {:7} {:6} {:8}",
            t.agree, t.differs, t.missed, t.invented
        );
        total.agree += t.agree;
        total.differs += t.differs;
        total.missed += t.missed;
        total.invented += t.invented;
    }
    let agreement = total.agree as f64 / total.total().max(1) as f64;
    println!(
        "\n{images} images compared, {} skipped (format not read by clearance)",
        skipped.len()
    );
    println!(
        "agreement: {}/{} = {:.2}% (differs {}, missed {}, invented {})",
        total.agree,
        total.total(),
        agreement * 100.0,
        total.differs,
        total.missed,
        total.invented
    );
    println!("\ndisagreements:");
    for d in &disagreements {
        println!("  {d}");
    }
    println!("\nskipped: {}", skipped.join(", "));
    assert!(
        images > 100,
        "expected the corpus to hold over 100 readable images"
    );
    assert_eq!(total.invented, 0, "values exiftool does not see");
    assert!(
        agreement >= 0.97,
        "agreement {:.2}% below 97%",
        agreement * 100.0
    );
}

/// Debug aid: `CLEARANCE_DUMP=path cargo test --test conformance dump -- --nocapture`
/// prints what we read from one file.
#[test]
fn dump() {
    let Some(path) = std::env::var_os("CLEARANCE_DUMP") else {
        return;
    };
    let bytes = std::fs::read(&path).expect("CLEARANCE_DUMP file readable");
    let format = sniff_format(&bytes);
    let meta = metadata::read(&bytes, format);
    println!(
        "{format:?}\n{}",
        serde_json::to_string_pretty(&meta).unwrap()
    );
}

/// Real files, damaged: truncated at many points and with bytes overwritten.
/// Each read must return (warnings allowed), never panic or hang.
#[test]
fn damaged_corpus_files_never_panic() {
    let Some(corpus) = corpus_dir() else {
        println!("SKIPPED: no corpus (set CLEARANCE_CORPUS or place ../shared/corpus)");
        return;
    };
    let mut paths = Vec::new();
    let mut stack = vec![corpus.clone()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let p = entry.path();
            if p.is_dir() {
                if !p.ends_with("oracle") {
                    stack.push(p);
                }
            } else {
                paths.push(p);
            }
        }
    }
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        // xorshift: deterministic damage, same every run.
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let mut reads = 0;
    for path in paths {
        let Ok(bytes) = std::fs::read(&path) else {
            continue;
        };
        let Some(format) = sniff_format(&bytes).filter(|f| READ_FORMATS.contains(f)) else {
            continue;
        };
        // Damage lands where the metadata is: the first 64 KiB.
        let window = bytes.len().min(65536);
        for _ in 0..8 {
            let cut = (next() as usize) % window.max(1);
            let _ = metadata::read(&bytes[..cut], Some(format));
            let mut damaged = bytes[..window].to_vec();
            for _ in 0..16 {
                let at = (next() as usize) % window.max(1);
                damaged[at] = next() as u8;
            }
            let _ = metadata::read(&damaged, Some(format));
            reads += 2;
        }
    }
    println!("{reads} damaged reads, no panic");
    assert!(reads > 1000);
}
