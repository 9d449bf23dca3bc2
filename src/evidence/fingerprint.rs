//! Perceptual fingerprints that follow an image through resizing and re-encoding.
//!
//! A CMS publishes five copies of every upload (thumbnails, srcset sizes, WebP,
//! crops) that carry no metadata; the ledger must recognise all of them from one
//! entry. [`PHash`] is a 64-bit DCT hash in the pHash family:
//!
//! 1. decode at a reduced scale ([`decode_reduced`]: JPEG is scaled in the DCT
//!    domain, so a 12-MP photo is never fully decoded just to hash it);
//! 2. convert to luma and resample to 32×32 with an antialiasing filter
//!    (this discards size, aspect ratio, colour and JPEG artefacts);
//! 3. take the 2-D DCT-II and keep the 64 lowest frequencies by `u + v`
//!    (zig-zag order), leaving out DC, which only encodes overall brightness;
//! 4. one bit per coefficient: above the median of the 64 or not.
//!
//! Why this variant, measured by `cargo test --release --test fingerprint_match
//! -- --ignored --nocapture compare_hash_variants` (table in BENCHMARKS.md):
//! phash.org's 8×8 block reaches frequency (8, 8), whose phase a border crop
//! scrambles; the zig-zag selection stops at `u + v = 10` and keeps the worst
//! copy at 8/64 on generated photos and 12/64 on real
//! ones, while unrelated photos — including another shot of the same event —
//! stay 20/64 or more apart. A PDQ-style 256-bit hash separates slightly better
//! in relative terms (gap 0.20–0.26 vs 0.16–0.19 of the bits) but its threshold is ~60
//! bits, which no index searches quickly; at 64 bits, multi-index hashing
//! (`ledger::index`) answers in microseconds. Hex is 16 digits.
//!
//! The DCT is a direct separable matrix product written here by hand: only 11
//! of 32 frequencies per axis are needed, which a general FFT crate would not save.

use std::fmt;
use std::str::FromStr;

use image::DynamicImage;

use super::decode::{DecodeError, decode_reduced, orientation};
use super::jpeg_dc::dc_luma;

/// Side of the luma grid the DCT runs over.
const GRID: usize = 32;
/// The coefficients that become the 64 bits.
const PRODUCTION: Selection = Selection::Diagonal { count: 64 };
/// The long side to ask the reduced decoder for: several source pixels per grid
/// cell, so the resampling filter averages away noise and JPEG block edges.
const DECODE_LONG_SIDE: u32 = 128;
/// Below this many pixels on the short side an image (spacer, icon) carries too
/// little structure for a perceptual hash to mean anything.
const MIN_SIDE: u32 = 8;

/// Hamming distance at or below which two hashes are taken to be the same picture.
///
/// Chosen from measurements (BENCHMARKS.md, "Fingerprints"): copies of a photo
/// (300-px and 1024-px resizes, JPEG q50, a 4 % border crop, WebP, PNG) stay at
/// or below 12 of 64 bits from their original; unrelated photos, including
/// another shot of the same event, are 20 or more apart. Set below the midpoint
/// because a false match clears a photo nobody cleared, while a missed match
/// only asks for a ledger entry.
pub const MATCH_THRESHOLD: u32 = 14;

/// A 64-bit perceptual hash. Written as 16 lower-case hex digits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PHash(u64);

/// Why no perceptual hash could be computed for an image.
#[derive(Debug, thiserror::Error)]
pub enum FingerprintError {
    #[error(transparent)]
    Decode(#[from] DecodeError),
    #[error("the image is {width}×{height} px: too small for a perceptual hash")]
    TooSmall { width: u32, height: u32 },
    #[error("the image is a flat colour: a perceptual hash would match every other flat image")]
    Featureless,
}

/// A `phash` string (from a ledger or a cache) that is not a hash this version writes.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{value}` is not a perceptual hash: expected 16 or 80 hex digits")]
pub struct ParsePHashError {
    pub value: String,
}

impl PHash {
    /// Number of bits in a hash; distances range over `0..=BITS`.
    pub const BITS: u32 = 64;

    pub const fn from_bits(bits: u64) -> PHash {
        PHash(bits)
    }

    pub const fn bits(self) -> u64 {
        self.0
    }

    /// Hamming distance: how many of the 64 bits differ.
    pub fn distance(self, other: PHash) -> u32 {
        (self.0 ^ other.0).count_ones()
    }

    /// Hash an encoded image (`format` as [`crate::evidence::sniff_format`] names it).
    pub fn compute(bytes: &[u8], format: &str) -> Result<PHash, FingerprintError> {
        PHash::of_image(&hashable_pixels(bytes, format)?)
    }

    /// Hash decoded pixels (any size; the image is resampled to the hash grid).
    pub fn of_image(image: &DynamicImage) -> Result<PHash, FingerprintError> {
        let words = dct_hash(&LumaPlane::of(image), GRID, PRODUCTION)?;
        Ok(PHash(words[0]))
    }

    pub fn to_hex(self) -> String {
        format!("{:016x}", self.0)
    }

    /// Parse 16 hex digits (either case; surrounding whitespace ignored).
    pub fn from_hex(text: &str) -> Result<PHash, ParsePHashError> {
        let t = text.trim();
        let err = || ParsePHashError {
            value: text.to_string(),
        };
        if t.len() != 16 || !t.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(err());
        }
        u64::from_str_radix(t, 16).map(PHash).map_err(|_| err())
    }
}

impl fmt::Display for PHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:016x}", self.0)
    }
}

impl FromStr for PHash {
    type Err = ParsePHashError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        PHash::from_hex(s)
    }
}

/// Decode what a hash needs: the reduced decode.
///
/// A JPEG at least 8 × [`DECODE_LONG_SIDE`] px long is read from its DC
/// coefficients alone ([`dc_luma`]): its 1/8-scale luma, which is what the
/// DCT-scaled decode gave, at a fraction of the cost. Smaller JPEGs, other
/// formats and JPEGs the DC reader declines take the general decoder.
///
/// The pixels are turned as the image is shown ([`orientation`]): a phone's
/// portrait is stored sideways with an EXIF tag, while the copies a CMS makes
/// of it are stored upright without one, and all of them show one picture.
fn hashable_pixels(bytes: &[u8], format: &str) -> Result<DynamicImage, FingerprintError> {
    let dc_plane = (format == "jpeg")
        .then(|| dc_luma(bytes).ok())
        .flatten()
        .filter(|plane| plane.width.max(plane.height) >= DECODE_LONG_SIDE)
        .and_then(|plane| image::GrayImage::from_raw(plane.width, plane.height, plane.luma));
    let mut pixels = match dc_plane {
        Some(luma) => DynamicImage::ImageLuma8(luma),
        None => decode_reduced(bytes, format, DECODE_LONG_SIDE)?,
    };
    pixels.apply_orientation(orientation(bytes, format));
    Ok(pixels)
}

/// Bits of the confirmation hash ([`FineHash`]).
const FINE_BITS: usize = 256;
/// Its grid: 64×64, whose 256 lowest frequencies by `u + v` become the bits.
const FINE_GRID: usize = 64;

/// Hamming distance (of 256 bits) at or below which a candidate found by the
/// 64-bit key is confirmed as a copy.
///
/// Why a second hash: over many photos, 64 bits are not enough. Two unrelated
/// photos fall within 14 bits by chance with probability ~3.5e-6 (random bits)
/// — and photos of one kind of scene correlate, so more often: among 1,200
/// distinct generated photos 14 pairs did (BENCHMARKS.md, "Fingerprints"),
/// each one a photo the scan would have cleared on another's permission. At
/// 256 bits, copies measured at most 52 apart and unrelated photos at least 102
/// (the same hash-variant comparison); 80 leaves margin on both sides, and
/// chance agreement within 80 of 256 random bits is below 1e-9.
pub const FINE_MATCH_THRESHOLD: u32 = 80;

/// A 256-bit DCT hash of the same family as [`PHash`] (64×64 grid), used only to
/// confirm matches the 64-bit key proposes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct FineHash([u64; 4]);

impl FineHash {
    pub fn distance(&self, other: &FineHash) -> u32 {
        self.0
            .iter()
            .zip(other.0)
            .map(|(a, b)| (a ^ b).count_ones())
            .sum()
    }
}

/// A perceptual fingerprint as reports and ledgers write it: the 64-bit
/// [`PHash`] key the index searches, and, when computed from the image's own
/// pixels, the 256-bit [`FineHash`] that confirms a match.
///
/// Written as 80 hex digits (16 for the key, then 64), or 16 when there is no
/// confirmation hash (ledgers written by hand or by older versions).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fingerprint {
    pub key: PHash,
    pub fine: Option<FineHash>,
}

impl Fingerprint {
    /// Fingerprint an encoded image from its reduced decode.
    pub fn compute(bytes: &[u8], format: &str) -> Result<Fingerprint, FingerprintError> {
        Fingerprint::of_image(&hashable_pixels(bytes, format)?)
    }

    /// The fingerprint of decoded (or DC-reduced) pixels.
    pub fn of_image(image: &DynamicImage) -> Result<Fingerprint, FingerprintError> {
        let plane = LumaPlane::of(image);
        let key = PHash(dct_hash(&plane, GRID, PRODUCTION)?[0]);
        let words = dct_hash(&plane, FINE_GRID, Selection::Diagonal { count: FINE_BITS })?;
        let fine = FineHash(words.try_into().expect("256 bits are four words"));
        Ok(Fingerprint {
            key,
            fine: Some(fine),
        })
    }

    /// True when `other` is the same picture: keys within [`MATCH_THRESHOLD`]
    /// and, where both carry one, confirmation hashes within [`FINE_MATCH_THRESHOLD`].
    pub fn matches(&self, other: &Fingerprint) -> bool {
        self.key.distance(other.key) <= MATCH_THRESHOLD
            && match (&self.fine, &other.fine) {
                (Some(a), Some(b)) => a.distance(b) <= FINE_MATCH_THRESHOLD,
                _ => true,
            }
    }

    pub fn to_hex(&self) -> String {
        match &self.fine {
            None => self.key.to_hex(),
            Some(fine) => {
                let mut hex = self.key.to_hex();
                for word in fine.0 {
                    hex.push_str(&format!("{word:016x}"));
                }
                hex
            }
        }
    }

    /// Parse 16 or 80 hex digits (either case; surrounding whitespace ignored).
    pub fn from_hex(text: &str) -> Result<Fingerprint, ParsePHashError> {
        let t = text.trim();
        let err = || ParsePHashError {
            value: text.to_string(),
        };
        if !t.is_ascii() {
            return Err(err());
        }
        match t.len() {
            16 => Ok(Fingerprint {
                key: PHash::from_hex(t)?,
                fine: None,
            }),
            80 => {
                let key = PHash::from_hex(&t[..16]).map_err(|_| err())?;
                let mut words = [0u64; 4];
                for (i, word) in words.iter_mut().enumerate() {
                    *word = PHash::from_hex(&t[16 + 16 * i..32 + 16 * i])
                        .map_err(|_| err())?
                        .bits();
                }
                Ok(Fingerprint {
                    key,
                    fine: Some(FineHash(words)),
                })
            }
            _ => Err(err()),
        }
    }
}

/// Photos at least this long are worth hashing from their EXIF preview first.
/// Smaller ones decode quickly enough that their own pixels are the better answer.
const PREVIEW_WORTH_IT_FROM: u32 = 1024;
/// A preview smaller than this carries too little of the picture.
const PREVIEW_MIN_LONG_SIDE: u32 = 120;
/// How far a preview's aspect ratio may stray from the photo's. Cameras that
/// letterbox a 3:2 photo into a 4:3 preview (or crop it) fail this and are
/// hashed from their pixels: black bars would move the hash.
const PREVIEW_ASPECT_TOLERANCE: f64 = 0.02;

/// The perceptual fingerprint (key and confirmation hash) of a large JPEG's
/// embedded EXIF preview (the camera's 160-px thumbnail), when it has one of
/// the photo's own shape. With both hashes, a preview rules out the near-miss
/// keys that unrelated photos share at scale without decoding either photo.
///
/// Decoding 20,000 preview pixels instead of walking every block of the photo
/// makes this ~20× cheaper than [`PHash::compute`] on a 1.7-MP photo and far more on
/// a camera original. A preview can be stale (an editor that kept the old one),
/// so the pipeline uses this hash only to rule matches out; any match it takes
/// part in is confirmed with the photo's own hash.
pub fn preview_phash(bytes: &[u8], format: &str, width: u32, height: u32) -> Option<Fingerprint> {
    if format != "jpeg" || width.max(height) < PREVIEW_WORTH_IT_FROM || width.min(height) == 0 {
        return None;
    }
    let tiff = super::jpeg_dc::exif_payload(bytes)?;
    let exif = exif::Reader::new().read_raw(tiff.to_vec()).ok()?;
    let number = |tag| {
        exif.get_field(tag, exif::In::THUMBNAIL)
            .and_then(|f| f.value.get_uint(0))
            .map(|n| n as usize)
    };
    let offset = number(exif::Tag::JPEGInterchangeFormat)?;
    let length = number(exif::Tag::JPEGInterchangeFormatLength)?;
    let preview = tiff.get(offset..offset.checked_add(length)?)?;
    let mut image = decode_luma(preview)?;
    let (w, h) = (image.width(), image.height());
    if w.max(h) < PREVIEW_MIN_LONG_SIDE || w.min(h) == 0 {
        return None;
    }
    let aspect = |w: u32, h: u32| f64::from(w) / f64::from(h);
    if (aspect(w, h) / aspect(width, height) - 1.0).abs() > PREVIEW_ASPECT_TOLERANCE {
        return None;
    }
    // Cameras store the preview as they store the photo: turned by the photo's tag.
    image.apply_orientation(orientation(bytes, format));
    Fingerprint::of_image(&image).ok()
}

/// A small JPEG decoded straight to its luma (JPEG's Y, what the hash reads):
/// no chroma upsampling, no colour conversion, a third of the pixels to resize.
fn decode_luma(jpeg: &[u8]) -> Option<DynamicImage> {
    use zune_core::{bytestream::ZCursor, colorspace::ColorSpace, options::DecoderOptions};
    // A preview is a few hundred pixels; anything larger is not one.
    let options = DecoderOptions::default()
        .jpeg_set_out_colorspace(ColorSpace::Luma)
        .set_max_width(2048)
        .set_max_height(2048);
    let mut decoder = zune_jpeg::JpegDecoder::new_with_options(ZCursor::new(jpeg), options);
    let luma = decoder.decode().ok()?;
    let info = decoder.info()?;
    image::GrayImage::from_raw(u32::from(info.width), u32::from(info.height), luma)
        .map(DynamicImage::ImageLuma8)
}

/// The perceptual fingerprint of an image, as lower-case hex (80 digits), or
/// `None` for images that have none: vector images, undecodable pixels, images
/// too small or featureless to fingerprint. [`Fingerprint::compute`] says which.
pub fn phash(bytes: &[u8], format: &str) -> Option<String> {
    Fingerprint::compute(bytes, format).ok().map(|f| f.to_hex())
}

/// The DCT hash family, exposed only so the hash-variant comparison test can
/// measure alternatives (e.g. a PDQ-style 64×64 grid keeping 16×16). Returns the
/// bits packed into `keep*keep/64` words. `skip` is 1 to drop the DC row/column,
/// 0 to keep it (PDQ keeps it).
#[doc(hidden)]
pub fn dct_hash_variant(
    bytes: &[u8],
    format: &str,
    grid: usize,
    selection: Selection,
) -> Result<Vec<u64>, FingerprintError> {
    let long_side = DECODE_LONG_SIDE.max(grid as u32 * 4);
    let image = decode_reduced(bytes, format, long_side)?;
    dct_hash(&LumaPlane::of(&image), grid, selection)
}

/// Which DCT coefficients become bits.
#[doc(hidden)]
#[derive(Debug, Clone, Copy)]
pub enum Selection {
    /// The `keep`×`keep` block from frequency `skip` on each axis (pHash: keep 8, skip 1;
    /// PDQ: keep 16, skip 0).
    Block { keep: usize, skip: usize },
    /// The `count` lowest frequencies by `u + v` (zig-zag order), DC excluded.
    Diagonal { count: usize },
}

impl Selection {
    /// `(u, v)` frequency pairs, in bit order.
    fn frequencies(self) -> Vec<(usize, usize)> {
        match self {
            Selection::Block { keep, skip } => (skip..skip + keep)
                .flat_map(|v| (skip..skip + keep).map(move |u| (u, v)))
                .collect(),
            Selection::Diagonal { count } => {
                let mut pairs = Vec::with_capacity(count);
                'outer: for sum in 1.. {
                    for u in 0..=sum {
                        if pairs.len() == count {
                            break 'outer;
                        }
                        pairs.push((u, sum - u));
                    }
                }
                pairs
            }
        }
    }
}

fn dct_hash(
    plane: &LumaPlane,
    grid: usize,
    selection: Selection,
) -> Result<Vec<u64>, FingerprintError> {
    let (width, height) = (plane.width as u32, plane.height as u32);
    if width.min(height) < MIN_SIDE {
        return Err(FingerprintError::TooSmall { width, height });
    }
    let pixels = plane.resized(grid);

    let frequencies = selection.frequencies();
    let highest = frequencies
        .iter()
        .map(|(u, v)| u.max(v))
        .max()
        .copied()
        .unwrap_or(0)
        + 1;
    let block = low_frequency_dct(&pixels, grid, highest);
    let coefficients: Vec<f32> = frequencies
        .iter()
        .map(|(u, v)| block[v * highest + u])
        .collect();

    let mut sorted = coefficients.clone();
    sorted.sort_by(f32::total_cmp);
    let median = (sorted[sorted.len() / 2 - 1] + sorted[sorted.len() / 2]) / 2.0;
    // All AC energy near zero: a flat colour (or nearly). Its bits would be noise.
    let energy: f32 = coefficients.iter().map(|c| c.abs()).sum::<f32>() / coefficients.len() as f32;
    if energy < 1e-3 {
        return Err(FingerprintError::Featureless);
    }

    let mut words = vec![0u64; coefficients.len().div_ceil(64)];
    for (i, c) in coefficients.iter().enumerate() {
        if *c > median {
            words[i / 64] |= 1 << (63 - (i % 64));
        }
    }
    Ok(words)
}

/// An image's luma (JPEG's BT.601 Y, 0–1), row-major: a hash from a JPEG's DC
/// coefficients and one from a copy's decoded RGB measure the same thing.
struct LumaPlane {
    width: usize,
    height: usize,
    luma: Vec<f32>,
}

impl LumaPlane {
    fn of(image: &DynamicImage) -> LumaPlane {
        let (width, height) = (image.width() as usize, image.height() as usize);
        let luma = match image {
            DynamicImage::ImageLuma8(gray) => gray
                .as_raw()
                .iter()
                .map(|&y| f32::from(y) / 255.0)
                .collect(),
            other => other
                .to_rgb32f()
                .pixels()
                .map(|p| 0.299 * p[0] + 0.587 * p[1] + 0.114 * p[2])
                .collect(),
        };
        LumaPlane {
            width,
            height,
            luma,
        }
    }

    /// Resampled to `side`×`side` with a triangle (bilinear) filter widened to
    /// the scale when shrinking, so every source pixel counts.
    ///
    /// Written here rather than through `image`'s resize, which works on four
    /// f32 channels whatever the image and rounds back to bytes: for a one-channel
    /// plane that was a fifth of a cold scan's CPU time.
    fn resized(&self, side: usize) -> Vec<f32> {
        let columns = cached_triangle_weights(self.width, side);
        let rows = cached_triangle_weights(self.height, side);
        // Vertical pass first: whole source rows scaled and added, contiguous
        // runs the compiler vectorises.
        let mut short = vec![0f32; side * self.width];
        for (y, (start, weights)) in rows.iter().enumerate() {
            let acc = &mut short[y * self.width..(y + 1) * self.width];
            for (i, w) in weights.iter().enumerate() {
                let from = &self.luma[(start + i) * self.width..(start + i + 1) * self.width];
                for (a, p) in acc.iter_mut().zip(from) {
                    *a += w * p;
                }
            }
        }
        // Horizontal pass on the `side` rows left.
        let mut out = vec![0f32; side * side];
        for y in 0..side {
            let row = &short[y * self.width..(y + 1) * self.width];
            for (x, (start, weights)) in columns.iter().enumerate() {
                out[y * side + x] = row[*start..].iter().zip(weights).map(|(p, w)| p * w).sum();
            }
        }
        out
    }
}

/// [`triangle_weights`], computed once per shape: previews and DC planes come
/// in a few sizes, and making the weights cost a quarter of the resampling.
fn cached_triangle_weights(src: usize, dst: usize) -> std::sync::Arc<Weights> {
    static WEIGHTS: Memo<(usize, usize), Weights> = Memo::new();
    WEIGHTS.get_or_make((src, dst), || triangle_weights(src, dst))
}

type Weights = Vec<(usize, Vec<f32>)>;

/// Values computed once per key, for the few keys a scan meets; past
/// [`Memo::CAPACITY`] keys (a site of many image sizes), the oldest is dropped.
struct Memo<K, V>(std::sync::Mutex<Vec<(K, std::sync::Arc<V>)>>);

impl<K: PartialEq + Copy, V> Memo<K, V> {
    const CAPACITY: usize = 64;

    const fn new() -> Self {
        Memo(std::sync::Mutex::new(Vec::new()))
    }

    fn get_or_make(&self, key: K, make: impl FnOnce() -> V) -> std::sync::Arc<V> {
        let mut known = self
            .0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some((_, value)) = known.iter().find(|(k, _)| *k == key) {
            return value.clone();
        }
        let value = std::sync::Arc::new(make());
        if known.len() == Self::CAPACITY {
            known.remove(0);
        }
        known.push((key, value.clone()));
        value
    }
}

/// For each of `dst` output samples, the first source sample it reads and the
/// normalised weights of the samples from there.
fn triangle_weights(src: usize, dst: usize) -> Vec<(usize, Vec<f32>)> {
    let ratio = src as f32 / dst as f32;
    let scale = ratio.max(1.0);
    (0..dst)
        .map(|o| {
            let center = (o as f32 + 0.5) * ratio;
            let start = (center - scale).floor().max(0.0) as usize;
            let end = ((center + scale).ceil() as usize).clamp(start + 1, src);
            let mut weights: Vec<f32> = (start..end)
                .map(|i| (1.0 - ((i as f32 + 0.5 - center) / scale).abs()).max(0.0))
                .collect();
            let sum: f32 = weights.iter().sum();
            if sum > 0.0 {
                weights.iter_mut().for_each(|w| *w /= sum);
            } else {
                // Cannot happen with a support of at least one sample; be safe.
                weights.iter_mut().for_each(|w| *w = 0.0);
                weights[0] = 1.0;
            }
            (start, weights)
        })
        .collect()
}

/// Frequencies `0..n` × `0..n` of the 2-D DCT-II of a `grid`×`grid` row-major
/// block, as `out[v * n + u]` (`u` horizontal, `v` vertical).
fn low_frequency_dct(pixels: &[f32], grid: usize, n: usize) -> Vec<f32> {
    // Both passes add scaled contiguous runs (`acc += p * basis`), which the
    // compiler vectorises; dot products in f32 it may not reorder. Runs are
    // padded to whole vectors: the extra frequencies are computed and dropped,
    // and each wanted one is summed in the same order as without them.
    let stride = n.next_multiple_of(8);
    let basis = cached_dct_basis(grid, stride);
    // First pass: transform each row, keeping only the wanted horizontal frequencies.
    let mut rows = vec![0f32; grid * stride];
    for y in 0..grid {
        let acc = &mut rows[y * stride..(y + 1) * stride];
        for x in 0..grid {
            let p = pixels[y * grid + x];
            for (a, c) in acc.iter_mut().zip(&basis[x * stride..(x + 1) * stride]) {
                *a += p * c;
            }
        }
    }
    // Second pass: transform the columns of that result.
    let mut out = vec![0f32; n * stride];
    for v in 0..n {
        let acc = &mut out[v * stride..(v + 1) * stride];
        for y in 0..grid {
            let c = basis[y * stride + v];
            for (a, r) in acc.iter_mut().zip(&rows[y * stride..(y + 1) * stride]) {
                *a += c * r;
            }
        }
    }
    out.chunks_exact(stride)
        .flat_map(|row| &row[..n])
        .copied()
        .collect()
}

/// [`dct_basis`], computed once per shape: every image is hashed with the same
/// two, and thousands of cosines per image cost as much as the transform.
fn cached_dct_basis(n: usize, frequencies: usize) -> std::sync::Arc<Vec<f32>> {
    static BASES: Memo<(usize, usize), Vec<f32>> = Memo::new();
    BASES.get_or_make((n, frequencies), || dct_basis(n, frequencies))
}

/// `basis[x * frequencies + u] = cos(π (2x + 1) u / 2n)`, the DCT-II kernel (scale factors
/// do not matter: bits compare coefficients with their median).
fn dct_basis(n: usize, frequencies: usize) -> Vec<f32> {
    let mut basis = Vec::with_capacity(n * frequencies);
    for x in 0..n {
        for u in 0..frequencies {
            let angle = std::f64::consts::PI * ((2 * x + 1) * u) as f64 / (2 * n) as f64;
            basis.push(angle.cos() as f32);
        }
    }
    basis
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::{ImageFormat, RgbImage};

    /// A smooth scene with a few soft shapes, different for every `seed`.
    fn scene(seed: u32, w: u32, h: u32) -> RgbImage {
        let s = seed as f32;
        RgbImage::from_fn(w, h, |x, y| {
            let (fx, fy) = (x as f32 / w as f32, y as f32 / h as f32);
            let wave =
                ((fx * (3.0 + s) + s).sin() * (fy * (2.0 + s * 0.7) + 1.3 * s).cos() + 1.0) * 90.0;
            let (cx, cy) = (
                0.3 + 0.4 * ((s * 1.7).sin() * 0.5 + 0.5),
                0.3 + 0.4 * ((s * 2.3).cos() * 0.5 + 0.5),
            );
            let blob = if (fx - cx).powi(2) + (fy - cy).powi(2) < 0.03 {
                70.0
            } else {
                0.0
            };
            let v = (wave + blob).min(255.0) as u8;
            image::Rgb([v, v.saturating_sub(30), (255 - v) / 2])
        })
    }

    fn encode(image: &RgbImage, format: ImageFormat) -> Vec<u8> {
        let mut out = std::io::Cursor::new(Vec::new());
        image.write_to(&mut out, format).unwrap();
        out.into_inner()
    }

    #[test]
    fn hex_round_trips_and_rejects_other_lengths() {
        let h = PHash::from_bits(0x0123_4567_89ab_cdef);
        assert_eq!(h.to_hex(), "0123456789abcdef");
        assert_eq!(PHash::from_hex("0123456789ABCDEF\n"), Ok(h));
        assert_eq!("0123456789abcdef".parse::<PHash>(), Ok(h));
        assert!(PHash::from_hex("0123456789abcde").is_err());
        assert!(PHash::from_hex("0123456789abcdeg").is_err());
        assert!(PHash::from_hex("+123456789abcdef").is_err());
    }

    #[test]
    fn distance_counts_differing_bits() {
        let a = PHash::from_bits(0);
        assert_eq!(a.distance(PHash::from_bits(0b1011)), 3);
        assert_eq!(a.distance(PHash::from_bits(u64::MAX)), 64);
        assert_eq!(a.distance(a), 0);
    }

    #[test]
    fn resized_png_copy_matches_and_other_scene_does_not() {
        let original = scene(1, 800, 600);
        let small =
            image::imageops::resize(&original, 200, 150, image::imageops::FilterType::Triangle);
        let a = PHash::compute(&encode(&original, ImageFormat::Jpeg), "jpeg").unwrap();
        let b = PHash::compute(&encode(&small, ImageFormat::Png), "png").unwrap();
        let other =
            PHash::compute(&encode(&scene(7, 800, 600), ImageFormat::Jpeg), "jpeg").unwrap();
        assert!(
            a.distance(b) <= MATCH_THRESHOLD,
            "copy at distance {}",
            a.distance(b)
        );
        assert!(
            a.distance(other) > MATCH_THRESHOLD,
            "other scene at distance {}",
            a.distance(other)
        );
    }

    #[test]
    fn flat_and_tiny_images_have_no_hash() {
        let flat = RgbImage::from_pixel(64, 64, image::Rgb([200, 10, 10]));
        assert!(matches!(
            PHash::compute(&encode(&flat, ImageFormat::Png), "png"),
            Err(FingerprintError::Featureless)
        ));
        let tiny = scene(3, 4, 4);
        assert!(matches!(
            PHash::compute(&encode(&tiny, ImageFormat::Png), "png"),
            Err(FingerprintError::TooSmall {
                width: 4,
                height: 4
            })
        ));
        assert_eq!(phash(&encode(&flat, ImageFormat::Png), "png"), None);
    }

    #[test]
    fn garbage_and_vectors_are_errors_not_panics() {
        assert!(matches!(
            PHash::compute(b"\xFF\xD8\xFF\xE0junk", "jpeg"),
            Err(FingerprintError::Decode(_))
        ));
        assert!(PHash::compute(b"<svg/>", "svg").is_err());
        assert_eq!(phash(b"", "png"), None);
    }

    #[test]
    fn phash_string_is_a_key_and_a_confirmation_hash_in_lower_hex() {
        let hex = phash(&encode(&scene(2, 300, 200), ImageFormat::Png), "png").unwrap();
        assert_eq!(hex.len(), 80);
        assert!(
            hex.bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)),
            "{hex}"
        );
        let parsed = Fingerprint::from_hex(&hex).unwrap();
        assert_eq!(parsed.to_hex(), hex);
        assert_eq!(parsed.key, PHash::from_hex(&hex[..16]).unwrap());
        assert!(parsed.fine.is_some());
    }

    #[test]
    fn sixteen_digit_values_are_keys_without_confirmation() {
        let f = Fingerprint::from_hex(" 0123456789ABCDEF ").unwrap();
        assert_eq!((f.key.bits(), f.fine), (0x0123_4567_89ab_cdef, None));
        assert_eq!(f.to_hex(), "0123456789abcdef");
        for bad in [
            "",
            "0123",
            &"0".repeat(17),
            &"g".repeat(80),
            &"é".repeat(40),
        ] {
            assert!(Fingerprint::from_hex(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn a_close_key_is_not_enough_when_both_carry_confirmation_hashes() {
        let fine = |w: u64| Some(FineHash([w; 4]));
        let a = Fingerprint {
            key: PHash::from_bits(0),
            fine: fine(0),
        };
        // Key 10 bits away (a candidate), confirmation 4 × 40 = 160 bits away.
        let impostor = Fingerprint {
            key: PHash::from_bits(0x3FF),
            fine: fine(0xFF_FFFF_FFFF),
        };
        assert!(!a.matches(&impostor));
        // The same key distance with a confirmation 4 × 16 = 64 bits away: a copy.
        let copy = Fingerprint {
            fine: fine(0xFFFF),
            ..impostor
        };
        assert!(a.matches(&copy));
        // Without a confirmation hash on one side, the key decides.
        assert!(a.matches(&Fingerprint {
            fine: None,
            ..impostor
        }));
        // A key beyond the threshold never matches.
        let far = Fingerprint {
            key: PHash::from_bits(0xFFFF),
            fine: fine(0),
        };
        assert!(!a.matches(&far));
    }

    #[test]
    fn copies_agree_and_other_photos_differ_in_the_confirmation_hash() {
        let original = scene(7, 1200, 800);
        let other = scene(8, 1200, 800);
        let print = |img: &RgbImage, side: u32| {
            let small = image::imageops::resize(
                img,
                side,
                side * 2 / 3,
                image::imageops::FilterType::Triangle,
            );
            Fingerprint::compute(&encode(&small, ImageFormat::Png), "png").unwrap()
        };
        let (a, copy, b) = (
            print(&original, 1200),
            print(&original, 300),
            print(&other, 1200),
        );
        let d = |x: &Fingerprint, y: &Fingerprint| x.fine.unwrap().distance(&y.fine.unwrap());
        assert!(
            d(&a, &copy) <= FINE_MATCH_THRESHOLD,
            "copy at {}",
            d(&a, &copy)
        );
        assert!(
            d(&a, &b) > FINE_MATCH_THRESHOLD,
            "other photo at {}",
            d(&a, &b)
        );
        assert!(a.matches(&copy) && !a.matches(&b));
    }
}
