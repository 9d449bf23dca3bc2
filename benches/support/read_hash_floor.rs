//! The least a scan must do with every image: read all its bytes and SHA-256
//! them (the report's `sha256`, `sha256` ledger matches and finding
//! fingerprints need it), on the same thread pool and with the same crates as
//! `clearance scan`. `benches/whole_run.sh` times it beside exiv2 and the scan,
//! so a cold scan's time can be read against what no scan can avoid.
//!
//!   cargo run --release --example read-hash-floor -- DIR [--jobs N]

use std::path::PathBuf;

use rayon::prelude::*;
use sha2::{Digest, Sha256};

fn main() {
    let mut args = std::env::args().skip(1);
    let mut dir = None;
    let mut jobs = 0;
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--jobs" => jobs = args.next().and_then(|n| n.parse().ok()).unwrap_or(0),
            _ => dir = Some(PathBuf::from(arg)),
        }
    }
    let Some(dir) = dir else {
        eprintln!("usage: read-hash-floor DIR [--jobs N]");
        std::process::exit(2);
    };
    rayon::ThreadPoolBuilder::new()
        .num_threads(jobs)
        .build_global()
        .expect("thread pool");
    let files: Vec<PathBuf> = walkdir::WalkDir::new(&dir)
        .into_iter()
        .flatten()
        .filter(|e| e.file_type().is_file())
        .map(|e| e.into_path())
        .collect();
    let (count, bytes) = files
        .par_iter()
        .map(|path| match std::fs::read(path) {
            Ok(data) => {
                std::hint::black_box(Sha256::digest(&data));
                (1u64, data.len() as u64)
            }
            Err(_) => (0, 0),
        })
        .reduce(|| (0, 0), |a, b| (a.0 + b.0, a.1 + b.1));
    println!("{count} files, {bytes} bytes read and hashed");
}
