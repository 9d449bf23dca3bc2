//! Perceptual hashing and ledger lookup costs.
//!
//! Run: `cargo bench --bench fingerprint`. Results in BENCHMARKS.md ("Fingerprints").

#[path = "support/synthetic_photo.rs"]
mod synthetic_photo;

#[path = "support/exif_preview.rs"]
mod exif_preview;

use clearance::evidence::decode::decode_reduced;
use clearance::evidence::fingerprint::{Fingerprint, MATCH_THRESHOLD, PHash, preview_phash};
use clearance::evidence::jpeg_dc::dc_luma;
use clearance::ledger::index::PhashIndex;
use divan::Bencher;

fn main() {
    divan::main();
}

fn jpeg(width: u32, height: u32, seed: u64) -> Vec<u8> {
    let image = synthetic_photo::photo(seed, width, height);
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 88)
        .encode_image(&image)
        .unwrap();
    out
}

/// Hashing one photo JPEG from its bytes (reduced DCT-domain decode + hash).
#[divan::bench(args = [(1024, 683), (4000, 3000)])]
fn phash_jpeg(bencher: Bencher, (width, height): (u32, u32)) {
    let bytes = jpeg(width, height, 3);
    bencher.bench(|| PHash::compute(divan::black_box(&bytes), "jpeg").unwrap());
}

/// The whole fingerprint a scan records: 64-bit key + 256-bit confirmation hash.
#[divan::bench(args = [(1600, 1067), (4000, 3000)])]
fn fingerprint_jpeg(bencher: Bencher, (width, height): (u32, u32)) {
    let bytes = jpeg(width, height, 3);
    bencher.bench(|| Fingerprint::compute(divan::black_box(&bytes), "jpeg").unwrap());
}

/// The 1/8-scale luma from DC coefficients alone (what the hash decodes)...
#[divan::bench(args = [(1600, 1067), (4000, 3000)])]
fn dc_luma_plane(bencher: Bencher, (width, height): (u32, u32)) {
    let bytes = jpeg(width, height, 3);
    bencher.bench(|| dc_luma(divan::black_box(&bytes)).unwrap());
}

/// ...and the same scale from jpeg-decoder's DCT-scaled decode (the fallback).
#[divan::bench(args = [(1600, 1067), (4000, 3000)])]
fn dct_scaled_decode(bencher: Bencher, (width, height): (u32, u32)) {
    let bytes = jpeg(width, height, 3);
    bencher.bench(|| decode_reduced(divan::black_box(&bytes), "jpeg", 128).unwrap());
}

/// Hashing a camera JPEG's 160-px EXIF preview instead of its pixels.
#[divan::bench(args = [(1600, 1067), (4000, 3000)])]
fn preview_hash(bencher: Bencher, (width, height): (u32, u32)) {
    let photo = synthetic_photo::photo(3, width, height);
    let preview = image::imageops::thumbnail(&photo, 160, 160 * height / width);
    let bytes = exif_preview::with_exif_preview(&jpeg_of(&photo), &jpeg_of(&preview));
    bencher.bench(|| {
        preview_phash(divan::black_box(&bytes), "jpeg", width, height).expect("a usable preview")
    });
}

fn jpeg_of(image: &image::RgbImage) -> Vec<u8> {
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 88)
        .encode_image(image)
        .unwrap();
    out
}

/// For comparison: a full decode of the same 12-MP JPEG, which the hash avoids.
#[divan::bench]
fn full_decode_12mp_jpeg(bencher: Bencher) {
    let bytes = jpeg(4000, 3000, 3);
    bencher.bench(|| image::load_from_memory(divan::black_box(&bytes)).unwrap());
}

/// Deterministic, spread-out hashes standing in for a ledger's phash values.
fn ledger_hashes(n: usize) -> Vec<PHash> {
    let mut rng = synthetic_photo::Rng::new(n as u64);
    (0..n).map(|_| PHash::from_bits(rng.next_u64())).collect()
}

const SIZES: [usize; 4] = [100, 10_000, 100_000, 1_000_000];

/// A copy of a ledgered photo (a few bits off one entry): the common case.
#[divan::bench(args = SIZES)]
fn lookup_match(bencher: Bencher, n: usize) {
    let hashes = ledger_hashes(n);
    let index = PhashIndex::build(
        hashes
            .iter()
            .enumerate()
            .map(|(i, h)| (format!("asset-{i}"), *h)),
    );
    let queries: Vec<PHash> = hashes
        .iter()
        .step_by((n / 64).max(1))
        .map(|h| PHash::from_bits(h.bits() ^ 0x0000_0100_0010_0001))
        .collect();
    let mut i = 0;
    bencher.bench_local(|| {
        i = (i + 1) % queries.len();
        index.nearest(divan::black_box(queries[i]), MATCH_THRESHOLD)
    });
}

/// An image the ledger does not cover: the whole radius must be searched.
#[divan::bench(args = SIZES)]
fn lookup_miss(bencher: Bencher, n: usize) {
    let index = PhashIndex::build(
        ledger_hashes(n)
            .into_iter()
            .enumerate()
            .map(|(i, h)| (format!("asset-{i}"), h)),
    );
    let mut rng = synthetic_photo::Rng::new(0xBAD);
    let queries: Vec<PHash> = (0..64).map(|_| PHash::from_bits(rng.next_u64())).collect();
    let mut i = 0;
    bencher.bench_local(|| {
        i = (i + 1) % queries.len();
        index.nearest(divan::black_box(queries[i]), MATCH_THRESHOLD)
    });
}

/// Baseline: the same miss by scanning every entry.
#[divan::bench(args = SIZES)]
fn linear_scan_miss(bencher: Bencher, n: usize) {
    let hashes = ledger_hashes(n);
    let mut rng = synthetic_photo::Rng::new(0xBAD);
    let queries: Vec<PHash> = (0..64).map(|_| PHash::from_bits(rng.next_u64())).collect();
    let mut i = 0;
    bencher.bench_local(|| {
        i = (i + 1) % queries.len();
        let q = divan::black_box(queries[i]);
        hashes
            .iter()
            .enumerate()
            .map(|(k, h)| (q.distance(*h), k))
            .filter(|(d, _)| *d <= MATCH_THRESHOLD)
            .min()
    });
}
