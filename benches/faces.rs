//! Per-image cost of face detection on real photographs from the shared corpus,
//! beside the cost of the rest of the evidence (`analyze`: hashing, header,
//! metadata) for the same image, so the share of a scan can be estimated.
//!
//! Run: `cargo bench --bench faces`. Skips (with a message) without the corpus.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use clearance::evidence::faces::{FaceConfig, detect};
use clearance::evidence::{EvidenceOptions, analyze, sniff_format};

const PHOTOS: &[&str] = &[
    "faces-pd-packages/matplotlib/grace_hopper.jpg",
    "faces-pd-packages/scikit-image/astronaut.png",
    "faces-pd-packages/scikit-image/camera.png",
    "faces-pd-packages/scikit-image/chelsea.png",
    "faces-pd-packages/scikit-image/coffee.png",
    "faces-pd-packages/scikit-image/rocket.jpg",
    // 2,000+ px group photo: exercises the reduced (DCT-scaled) decode.
    "images-iptc-reference/frameright-php-fixtures/exif.JPG",
];

fn corpus_dir() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("CLEARANCE_CORPUS") {
        return Some(PathBuf::from(dir));
    }
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .map(|a| a.join("shared/corpus"))
        .find(|c| c.join("faces-pd-packages").is_dir())
}

/// The photo's bytes, read once per process.
fn photo(name: &str) -> &'static [u8] {
    static PHOTOS_READ: OnceLock<Vec<(String, Vec<u8>)>> = OnceLock::new();
    let all = PHOTOS_READ.get_or_init(|| {
        let dir = corpus_dir().expect("checked in main");
        PHOTOS
            .iter()
            .map(|n| {
                (
                    n.to_string(),
                    std::fs::read(dir.join(n)).unwrap_or_default(),
                )
            })
            .collect()
    });
    &all.iter()
        .find(|(n, _)| n == name)
        .expect("a listed photo")
        .1
}

fn main() {
    if corpus_dir().is_none() {
        println!("SKIP: shared corpus not found (set CLEARANCE_CORPUS); nothing to measure");
        return;
    }
    divan::main();
}

#[divan::bench(args = PHOTOS, sample_count = 20)]
fn detect_faces(bencher: divan::Bencher, name: &str) {
    let bytes = photo(name);
    let format = sniff_format(bytes).unwrap_or("jpeg");
    let config = FaceConfig::default();
    bencher.bench(|| detect(divan::black_box(bytes), format, &config));
}

#[divan::bench(args = PHOTOS, sample_count = 20)]
fn evidence_without_faces(bencher: divan::Bencher, name: &str) {
    let bytes = photo(name);
    let options = EvidenceOptions::default();
    bencher.bench(|| analyze(divan::black_box(bytes), None, &options));
}
