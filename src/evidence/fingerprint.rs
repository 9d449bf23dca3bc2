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

use super::decode::{DecodeError, decode_reduced};

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
#[error("`{value}` is not a perceptual hash: expected 16 hex digits")]
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
        let image = decode_reduced(bytes, format, DECODE_LONG_SIDE)?;
        PHash::of_image(&image)
    }

    /// Hash decoded pixels (any size; the image is resampled to the hash grid).
    pub fn of_image(image: &DynamicImage) -> Result<PHash, FingerprintError> {
        let words = dct_hash(image, GRID, PRODUCTION)?;
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

/// The perceptual hash of an image, as lower-case hex, or `None` for images that
/// have none: vector images, undecodable pixels, images too small or featureless
/// to fingerprint. [`PHash::compute`] says which.
pub fn phash(bytes: &[u8], format: &str) -> Option<String> {
    PHash::compute(bytes, format).ok().map(PHash::to_hex)
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
    dct_hash(&image, grid, selection)
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
    image: &DynamicImage,
    grid: usize,
    selection: Selection,
) -> Result<Vec<u64>, FingerprintError> {
    let (width, height) = (image.width(), image.height());
    if width.min(height) < MIN_SIDE {
        return Err(FingerprintError::TooSmall { width, height });
    }
    let side = grid as u32;
    // Resize first, through `DynamicImage` (compiled optimised inside `image`,
    // unlike the generic `imageops::resize`, which a debug build of this crate
    // would run unoptimised); luma of the 32×32 result is then nearly free.
    let small = image.resize_exact(side, side, image::imageops::FilterType::Triangle);
    let pixels: Vec<f32> = small.to_luma32f().into_raw();

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

/// Frequencies `0..n` × `0..n` of the 2-D DCT-II of a `grid`×`grid` row-major
/// block, as `out[v * n + u]` (`u` horizontal, `v` vertical).
fn low_frequency_dct(pixels: &[f32], grid: usize, n: usize) -> Vec<f32> {
    let basis = dct_basis(grid, n);
    // First pass: transform each row, keeping only the wanted horizontal frequencies.
    let mut rows = vec![0f32; grid * n];
    for y in 0..grid {
        let row = &pixels[y * grid..(y + 1) * grid];
        for u in 0..n {
            let b = &basis[u * grid..(u + 1) * grid];
            rows[y * n + u] = row.iter().zip(b).map(|(p, c)| p * c).sum();
        }
    }
    // Second pass: transform the columns of that result.
    let mut out = vec![0f32; n * n];
    for v in 0..n {
        let b = &basis[v * grid..(v + 1) * grid];
        for u in 0..n {
            out[v * n + u] = (0..grid).map(|y| rows[y * n + u] * b[y]).sum();
        }
    }
    out
}

/// `basis[u * n + x] = cos(π (2x + 1) u / 2n)`, the DCT-II kernel (scale factors
/// do not matter: bits compare coefficients with their median).
fn dct_basis(n: usize, frequencies: usize) -> Vec<f32> {
    let mut basis = Vec::with_capacity(n * frequencies);
    for u in 0..frequencies {
        for x in 0..n {
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
    fn phash_string_is_sixteen_lower_hex_digits() {
        let hex = phash(&encode(&scene(2, 300, 200), ImageFormat::Png), "png").unwrap();
        assert_eq!(hex.len(), 16);
        assert!(
            hex.bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)),
            "{hex}"
        );
    }
}
