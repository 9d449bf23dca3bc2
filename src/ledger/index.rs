//! Finding the ledger asset a published copy came from.
//!
//! Two independent clues, both needed because a CMS copy carries no metadata:
//!
//! - [`PhashIndex`]: the nearest ledger perceptual hash within a distance, in
//!   time that does not grow with the ledger (multi-index hashing, below);
//! - [`original_name`]: the file name with CMS size suffixes removed, so
//!   `team-300x200.jpg`, `team-scaled.jpg` and `team@2x.webp` group with `team.jpg`.
//!
//! # Multi-index hashing
//!
//! A 64-bit hash is split into five chunks of 13 (or 12) bits, and each chunk
//! value maps to the entries that have it (a counting-sorted table with the
//! hashes stored inline, so a bucket is read sequentially). If two hashes are
//! within distance `d`, at least one chunk is within `d / 5` (pigeonhole), so a
//! query probes, per chunk, every value within `d / 5` of its own chunk — 92
//! probes per chunk at the default threshold, however large the ledger — and
//! checks the full distance of the entries found there. The
//! search widens chunk radius 0, 1, 2, … and stops as soon as the best entry so
//! far is closer than anything a wider radius could still find, so a copy that
//! matches closely is answered after a handful of probes.
//!
//! Written by hand (about 100 lines): a BK-tree, which crates do offer, visits a
//! large share of its nodes at the radii perceptual hashes need (14 of 64 bits),
//! and multi-index hashing over `u64` is small enough to own.

use crate::evidence::fingerprint::{Fingerprint, PHash, ParsePHashError};
use crate::model::{Asset, Origin};

/// Five chunks: at the default threshold (14) the chunk radius is 2, so a query
/// makes 5 × 92 probes; four 16-bit chunks would need radius 3 and 4 × 697.
const CHUNKS: usize = 5;
/// Bit offset and width of each chunk.
const CHUNK_LAYOUT: [(u32, u32); CHUNKS] = [(0, 13), (13, 13), (26, 13), (39, 13), (52, 12)];

/// An index over `(asset id, perceptual hash)` pairs answering "which asset is
/// nearest to this hash, within this distance".
#[derive(Debug, Clone, Default)]
pub struct PhashIndex {
    /// Asset ids, deduplicated; entries refer to them by position.
    assets: Vec<String>,
    /// `(asset position, hash)`, in insertion order.
    entries: Vec<(u32, PHash)>,
    /// Per chunk: `starts[v]..starts[v + 1]` indexes `members` for chunk value `v`.
    /// Empty when the index has no entries.
    tables: Vec<ChunkTable>,
}

#[derive(Debug, Clone)]
struct ChunkTable {
    starts: Vec<u32>,
    /// `(hash, entry)`: the hash inline, so checking a bucket touches one cache line.
    members: Vec<(u64, u32)>,
}

/// A ledger `phash` value that is not a hash: reported with the asset's file and
/// line, and left out of the index (the rest of the ledger still matches).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{origin}: asset `{asset}`: {error}")]
pub struct InvalidPhash {
    pub asset: String,
    pub origin: Origin,
    pub error: ParsePHashError,
}

fn chunk(hash: u64, i: usize) -> usize {
    let (offset, width) = CHUNK_LAYOUT[i];
    ((hash >> offset) & ((1u64 << width) - 1)) as usize
}

impl PhashIndex {
    /// Index `(asset id, hash)` pairs. An asset may appear with several hashes
    /// (one per known copy), and two assets may share a hash.
    pub fn build<I, S>(entries: I) -> PhashIndex
    where
        I: IntoIterator<Item = (S, PHash)>,
        S: AsRef<str>,
    {
        let mut assets: Vec<String> = Vec::new();
        let mut positions: std::collections::HashMap<String, u32> =
            std::collections::HashMap::new();
        let mut list = Vec::new();
        for (id, hash) in entries {
            let id = id.as_ref();
            let pos = match positions.get(id) {
                Some(p) => *p,
                None => {
                    let p = u32::try_from(assets.len()).expect("fewer than 2^32 assets");
                    assets.push(id.to_string());
                    positions.insert(id.to_string(), p);
                    p
                }
            };
            list.push((pos, hash));
        }
        let tables = if list.is_empty() {
            Vec::new()
        } else {
            (0..CHUNKS).map(|c| ChunkTable::build(&list, c)).collect()
        };
        PhashIndex {
            assets,
            entries: list,
            tables,
        }
    }

    /// Index every `phash` of the ledger's assets. Values that do not parse are
    /// returned beside the index so the caller can report them with file and line.
    pub fn from_assets(assets: &[Asset]) -> (PhashIndex, Vec<InvalidPhash>) {
        let mut invalid = Vec::new();
        let mut pairs = Vec::new();
        for asset in assets {
            for text in &asset.phash {
                match Fingerprint::from_hex(text) {
                    Ok(fingerprint) => pairs.push((asset.id.as_str(), fingerprint.key)),
                    Err(error) => invalid.push(InvalidPhash {
                        asset: asset.id.clone(),
                        origin: asset.origin.clone(),
                        error,
                    }),
                }
            }
        }
        (PhashIndex::build(pairs), invalid)
    }

    /// Number of `(asset, hash)` entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The asset whose hash is nearest to `hash`, if one is within
    /// `max_distance`, with that distance. Ties go to the asset id that sorts
    /// first, so the answer never depends on ledger order.
    pub fn nearest(&self, hash: PHash, max_distance: u32) -> Option<(&str, u32)> {
        // (distance, asset position); ties compare asset ids.
        let mut best: Option<(u32, u32)> = None;
        let consider = |best: &mut Option<(u32, u32)>, entry: u32, other: u64| {
            let distance = (hash.bits() ^ other).count_ones();
            if distance <= max_distance {
                let asset = self.entries[entry as usize].0;
                let closer = |(d, a): (u32, u32)| {
                    (distance, &self.assets[asset as usize]) < (d, &self.assets[a as usize])
                };
                if best.is_none_or(closer) {
                    *best = Some((distance, asset));
                }
            }
        };
        if self.probes_exceed_scan(max_distance) {
            for (e, (_, h)) in self.entries.iter().enumerate() {
                consider(&mut best, e as u32, h.bits());
            }
        } else {
            let mut scratch = Vec::new();
            for radius in 0..=max_distance / CHUNKS as u32 {
                self.probe_ring(hash, radius, &mut scratch, &mut |e, h| {
                    consider(&mut best, e, h)
                });
                // Every entry not yet seen differs by more than `radius` in each
                // chunk, so by at least CHUNKS * (radius + 1) in all.
                let unseen_floor = CHUNKS as u32 * (radius + 1);
                if best.is_some_and(|(d, _)| d < unseen_floor) {
                    break;
                }
            }
        }
        best.map(|(d, asset)| (self.assets[asset as usize].as_str(), d))
    }

    /// Every asset within `max_distance`, nearest first (each asset once, at its
    /// nearest hash), for telling the user when a copy resembles several assets.
    pub fn within(&self, hash: PHash, max_distance: u32) -> Vec<(&str, u32)> {
        let mut found: std::collections::HashMap<u32, u32> = std::collections::HashMap::new();
        let mut consider = |entry: u32, other: u64| {
            let distance = (hash.bits() ^ other).count_ones();
            if distance <= max_distance {
                let slot = found
                    .entry(self.entries[entry as usize].0)
                    .or_insert(distance);
                *slot = (*slot).min(distance);
            }
        };
        if self.probes_exceed_scan(max_distance) {
            for (e, (_, h)) in self.entries.iter().enumerate() {
                consider(e as u32, h.bits());
            }
        } else {
            let mut scratch = Vec::new();
            for radius in 0..=max_distance / CHUNKS as u32 {
                self.probe_ring(hash, radius, &mut scratch, &mut consider);
            }
        }
        let mut out: Vec<(&str, u32)> = found
            .into_iter()
            .map(|(asset, d)| (self.assets[asset as usize].as_str(), d))
            .collect();
        out.sort_by(|a, b| (a.1, a.0).cmp(&(b.1, b.0)));
        out
    }

    /// A plain scan is cheaper than probing when the ledger is small or the
    /// distance so wide that the probes outnumber the entries.
    fn probes_exceed_scan(&self, max_distance: u32) -> bool {
        let radius = max_distance / CHUNKS as u32;
        let probes: u64 = CHUNK_LAYOUT
            .iter()
            .map(|(_, width)| {
                (0..=radius.min(*width))
                    .map(|k| binomial(*width, k))
                    .sum::<u64>()
            })
            .sum();
        probes >= self.entries.len() as u64
    }

    /// Visit the entries whose chunk `c` differs from the query's in exactly
    /// `radius` bits, for every chunk. An entry may be visited more than once.
    fn probe_ring(
        &self,
        hash: PHash,
        radius: u32,
        scratch: &mut Vec<u32>,
        visit: &mut impl FnMut(u32, u64),
    ) {
        for (c, table) in self.tables.iter().enumerate() {
            let width = CHUNK_LAYOUT[c].1;
            if radius > width {
                continue;
            }
            scratch.clear();
            flips(chunk(hash.bits(), c) as u32, width, radius, 0, scratch);
            for probe in scratch.iter() {
                let v = *probe as usize;
                let (start, end) = (table.starts[v] as usize, table.starts[v + 1] as usize);
                for (h, e) in &table.members[start..end] {
                    visit(*e, *h);
                }
            }
        }
    }
}

impl ChunkTable {
    fn build(entries: &[(u32, PHash)], c: usize) -> ChunkTable {
        let buckets = 1usize << CHUNK_LAYOUT[c].1;
        let mut starts = vec![0u32; buckets + 1];
        for (_, hash) in entries {
            starts[chunk(hash.bits(), c) + 1] += 1;
        }
        for v in 0..buckets {
            starts[v + 1] += starts[v];
        }
        let mut next = starts.clone();
        let mut members = vec![(0u64, 0u32); entries.len()];
        for (i, (_, hash)) in entries.iter().enumerate() {
            let v = chunk(hash.bits(), c);
            members[next[v] as usize] = (hash.bits(), i as u32);
            next[v] += 1;
        }
        ChunkTable { starts, members }
    }
}

/// Push every `width`-bit value that differs from `value` in exactly `count`
/// of the bits at positions `from..width`.
fn flips(value: u32, width: u32, count: u32, from: u32, out: &mut Vec<u32>) {
    if count == 0 {
        out.push(value);
        return;
    }
    for bit in from..=width - count {
        flips(value ^ (1 << bit), width, count - 1, bit + 1, out);
    }
}

fn binomial(n: u32, k: u32) -> u64 {
    (0..k).fold(1u64, |acc, i| acc * u64::from(n - i) / u64::from(i + 1))
}

/// The name a CMS derivative's original would have: `path` with its extension(s)
/// and size suffixes removed, directory kept. Copies of one upload share it:
///
/// - WordPress sizes and edits: `team-300x200.jpg`, `team-scaled.jpg`,
///   `team-rotated.jpg`, `team-e1600000000.jpg` (image-editor timestamp),
///   `team-1-300x200.jpg` is *not* grouped with `team` (a second upload);
/// - retina siblings: `team@2x.png`, `team-300x200@2x.jpg`;
/// - format siblings: `team.webp`, `team.jpg.webp`, `team.avif`;
/// - Drupal image styles: `styles/thumbnail/public/team.jpg` → `team`.
///
/// ```
/// use clearance::ledger::index::original_name;
/// assert_eq!(original_name("uploads/2024/05/team-e1600000000-300x200@2x.jpg"), "uploads/2024/05/team");
/// assert_eq!(original_name("uploads/2024/05/team.jpg"), "uploads/2024/05/team");
/// ```
pub fn original_name(path: &str) -> String {
    let path = drupal_style_original(path);
    let (dir, name) = match path.rfind('/') {
        Some(i) => (&path[..=i], &path[i + 1..]),
        None => ("", path.as_str()),
    };
    let mut stem = name;
    // `team.jpg.webp`: strip every trailing image extension, not just the last.
    while let Some(dot) = stem.rfind('.') {
        let ext = stem[dot + 1..].to_ascii_lowercase();
        if dot > 0 && IMAGE_EXTENSIONS.contains(&ext.as_str()) {
            stem = &stem[..dot];
        } else {
            break;
        }
    }
    loop {
        let before = stem;
        stem = strip_retina(stem);
        stem = strip_dimensions(stem);
        for suffix in ["-scaled", "-rotated"] {
            if let Some(s) = stem.strip_suffix(suffix).filter(|s| !s.is_empty()) {
                stem = s;
            }
        }
        stem = strip_edit_timestamp(stem);
        if stem == before {
            break;
        }
    }
    format!("{dir}{stem}")
}

const IMAGE_EXTENSIONS: &[&str] = &[
    "jpg", "jpeg", "jpe", "png", "gif", "webp", "avif", "heic", "heif", "tif", "tiff", "bmp", "svg",
];

/// Drupal serves `sites/default/files/styles/<style>/public/<path>` for `sites/default/files/<path>`.
fn drupal_style_original(path: &str) -> String {
    if let Some(at) = path.find("styles/") {
        let rest = &path[at + "styles/".len()..];
        if let Some((_style, after)) = rest.split_once('/') {
            for scheme in ["public/", "private/"] {
                if let Some(original) = after.strip_prefix(scheme) {
                    return format!("{}{}", &path[..at], original);
                }
            }
        }
    }
    path.to_string()
}

/// `team@2x`, `team@1.5x` → `team`.
fn strip_retina(stem: &str) -> &str {
    let Some(at) = stem.rfind('@').filter(|at| *at > 0) else {
        return stem;
    };
    let density = &stem[at + 1..];
    let number = density
        .strip_suffix('x')
        .or_else(|| density.strip_suffix('X'));
    match number {
        Some(n) if !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit() || b == b'.') => {
            &stem[..at]
        }
        _ => stem,
    }
}

/// `team-300x200` → `team` (WordPress and most CMSs name sizes `-{w}x{h}`).
fn strip_dimensions(stem: &str) -> &str {
    let Some(dash) = stem.rfind('-').filter(|dash| *dash > 0) else {
        return stem;
    };
    match stem[dash + 1..].split_once(['x', 'X']) {
        Some((w, h)) if is_number(w) && is_number(h) => &stem[..dash],
        _ => stem,
    }
}

/// `team-e1600000000` → `team`: WordPress's image editor appends `-e` and a Unix
/// time in seconds or milliseconds (10 or 13 digits).
fn strip_edit_timestamp(stem: &str) -> &str {
    if let Some(dash) = stem.rfind("-e") {
        let digits = &stem[dash + 2..];
        if dash > 0 && (digits.len() == 10 || digits.len() == 13) && is_number(digits) {
            return &stem[..dash];
        }
    }
    stem
}

fn is_number(s: &str) -> bool {
    !s.is_empty() && s.len() <= 13 && s.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A deterministic spread of hashes (splitmix64), like perceptual hashes of
    /// unrelated photos: about 32 bits apart from each other.
    fn hashes(n: usize, seed: u64) -> Vec<PHash> {
        let mut state = seed;
        (0..n)
            .map(|_| {
                state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
                let mut z = state;
                z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
                z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
                PHash::from_bits(z ^ (z >> 31))
            })
            .collect()
    }

    fn brute_nearest(entries: &[(String, PHash)], q: PHash, max: u32) -> Option<(String, u32)> {
        entries
            .iter()
            .map(|(id, h)| (q.distance(*h), id.clone()))
            .filter(|(d, _)| *d <= max)
            .min()
            .map(|(d, id)| (id, d))
    }

    #[test]
    fn nearest_agrees_with_a_linear_scan_at_every_radius() {
        let base = hashes(5_000, 1);
        let entries: Vec<(String, PHash)> = base
            .iter()
            .enumerate()
            .map(|(i, h)| (format!("a{}", i % 3000), *h))
            .collect();
        let index = PhashIndex::build(entries.iter().map(|(id, h)| (id.as_str(), *h)));
        // Queries near entries (a few bits flipped) and far from all of them.
        let mut queries: Vec<PHash> = base
            .iter()
            .take(200)
            .enumerate()
            .map(|(i, h)| {
                PHash::from_bits(
                    h.bits()
                        ^ ((1u64 << (i % 64))
                            | (1u64 << ((i * 7) % 64))
                            | (1u64 << ((i * 13) % 64))),
                )
            })
            .collect();
        queries.extend(hashes(200, 99));
        for max in [0, 3, 4, 7, 10, 12, 16, 24] {
            for q in &queries {
                let got = index.nearest(*q, max).map(|(id, d)| (id.to_string(), d));
                assert_eq!(got, brute_nearest(&entries, *q, max), "query {q} max {max}");
            }
        }
    }

    #[test]
    fn finds_a_resized_copy_and_reports_its_distance() {
        let original = PHash::from_bits(0xF0F0_1234_5678_9ABC);
        let mut entries: Vec<(String, PHash)> = hashes(1000, 7)
            .into_iter()
            .enumerate()
            .map(|(i, h)| (format!("other-{i}"), h))
            .collect();
        entries.push(("robotics-2025-01".into(), original));
        let index = PhashIndex::build(entries.iter().map(|(id, h)| (id.as_str(), *h)));
        // One bit flipped in each of the five chunks: no chunk matches exactly.
        let copy = PHash::from_bits(original.bits() ^ (1 | 1 << 13 | 1 << 26 | 1 << 39 | 1 << 52));
        assert_eq!(index.nearest(copy, 14), Some(("robotics-2025-01", 5)));
        assert_eq!(index.nearest(copy, 4), None);
    }

    #[test]
    fn ties_go_to_the_first_asset_id_whatever_the_ledger_order() {
        let h = PHash::from_bits(42);
        let a = PhashIndex::build([("zeta", h), ("alpha", h)]);
        let b = PhashIndex::build([("alpha", h), ("zeta", h)]);
        assert_eq!(a.nearest(h, 0), Some(("alpha", 0)));
        assert_eq!(b.nearest(h, 0), Some(("alpha", 0)));
        assert_eq!(a.within(h, 0), vec![("alpha", 0), ("zeta", 0)]);
    }

    #[test]
    fn empty_index_finds_nothing() {
        let index = PhashIndex::build(Vec::<(String, PHash)>::new());
        assert!(index.is_empty());
        assert_eq!(index.nearest(PHash::from_bits(0), 64), None);
        assert!(index.within(PHash::from_bits(0), 64).is_empty());
    }

    #[test]
    fn ledger_assets_are_indexed_and_bad_hashes_reported_with_their_line() {
        let asset = |id: &str, phash: &[&str], line: u32| Asset {
            id: id.into(),
            files: vec![],
            sha256: vec![],
            phash: phash.iter().map(|s| s.to_string()).collect(),
            title: None,
            photographer: None,
            people: None,
            source: None,
            license: None,
            author: None,
            source_url: None,
            license_expires: None,
            width: None,
            height: None,
            origin: Origin {
                file: "ledger.toml".into(),
                line,
            },
        };
        let assets = [
            asset("team", &["00000000000000ff", "not-a-hash"], 3),
            asset("band", &["ffffffffffffff00"], 12),
        ];
        let (index, invalid) = PhashIndex::from_assets(&assets);
        assert_eq!(index.len(), 2);
        assert_eq!(index.nearest(PHash::from_bits(0xff), 0), Some(("team", 0)));
        assert_eq!(invalid.len(), 1);
        assert_eq!(
            invalid[0].to_string(),
            "ledger.toml:3: asset `team`: `not-a-hash` is not a perceptual hash: expected 16 or 80 hex digits"
        );
    }

    #[test]
    fn cms_size_suffixes_group_with_the_original() {
        for copy in [
            "img/team.jpg",
            "img/team-300x200.jpg",
            "img/team-1024x683.webp",
            "img/team-scaled.jpg",
            "img/team-rotated.jpg",
            "img/team@2x.png",
            "img/team-300x200@2x.jpg",
            "img/team-e1600000000.jpg",
            "img/team-e1600000000123-150x150.jpg",
            "img/team-scaled-768x512.jpg",
            "img/team.jpg.webp",
            "img/team.AVIF",
        ] {
            assert_eq!(original_name(copy), "img/team", "{copy}");
        }
        assert_eq!(
            original_name("sites/default/files/styles/thumbnail/public/2024/team.jpg"),
            "sites/default/files/2024/team"
        );
    }

    #[test]
    fn names_that_only_look_like_suffixes_are_kept() {
        // A second upload of the same name, a year, a word with an x, a lone suffix.
        assert_eq!(original_name("team-1.jpg"), "team-1");
        assert_eq!(original_name("class-of-2024.jpg"), "class-of-2024");
        assert_eq!(original_name("box-xray.jpg"), "box-xray");
        assert_eq!(original_name("-300x200.jpg"), "-300x200");
        assert_eq!(original_name("email@school.jpg"), "email@school");
        assert_eq!(original_name("team-e12.jpg"), "team-e12");
        assert_eq!(original_name(".jpg"), ".jpg");
        assert_eq!(original_name("notes.txt"), "notes.txt");
    }
}
