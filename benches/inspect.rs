//! Reading rights metadata from the shared corpus, beside exiftool and exiv2.
//!
//! `cargo bench --bench inspect`. Every bench reads the same files: every image
//! under `corpus/images-*` and `corpus/faces-pd-packages` whose format clearance
//! reads (JPEG, PNG, GIF, WebP, TIFF and TIFF-based RAW, HEIF/AVIF, SVG).
//! The per-image figure is the time per iteration divided by the file count
//! printed at start. `exiftool -j` and `exiv2 -pa` run once per iteration as one
//! process over all files (their fastest mode), when installed.
//! Without the corpus the benches print why and measure nothing.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

use clearance::evidence::{metadata, sniff_format};

const READ_FORMATS: &[&str] = &["jpeg", "png", "gif", "webp", "tiff", "avif", "heif", "svg"];

fn main() {
    match corpus_files() {
        Some(files) => eprintln!("inspect bench: {} corpus images", files.len()),
        None => eprintln!(
            "inspect bench: corpus absent (set CLEARANCE_CORPUS or place ../shared/corpus); nothing measured"
        ),
    }
    divan::main();
}

fn corpus_root() -> Option<PathBuf> {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    [
        std::env::var_os("CLEARANCE_CORPUS").map(PathBuf::from),
        Some(manifest.join("../shared/corpus")),
    ]
    .into_iter()
    .flatten()
    .find(|p| p.join("oracle").is_dir())
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            walk(&path, out);
        } else {
            out.push(path);
        }
    }
}

/// The benchmarked files, sorted, with their sniffed format.
fn corpus_files() -> Option<&'static [(PathBuf, &'static str)]> {
    static FILES: OnceLock<Option<Vec<(PathBuf, &'static str)>>> = OnceLock::new();
    FILES
        .get_or_init(|| {
            let root = corpus_root()?;
            let mut paths = Vec::new();
            for entry in std::fs::read_dir(&root).ok()?.flatten() {
                let name = entry.file_name().to_string_lossy().into_owned();
                if name.starts_with("images-") || name == "faces-pd-packages" {
                    walk(&entry.path(), &mut paths);
                }
            }
            paths.sort();
            let files = paths
                .into_iter()
                .filter_map(|p| {
                    let bytes = std::fs::read(&p).ok()?;
                    let format = sniff_format(&bytes).filter(|f| READ_FORMATS.contains(f))?;
                    Some((p, format))
                })
                .collect();
            Some(files)
        })
        .as_deref()
}

/// Read each file from disk (page cache) and its metadata, as `clearance inspect` does.
#[divan::bench(sample_count = 20)]
fn clearance_read_files(bencher: divan::Bencher) {
    let Some(files) = corpus_files() else { return };
    bencher.bench(|| {
        for (path, _) in files {
            let bytes = std::fs::read(path).expect("corpus file readable");
            let format = sniff_format(&bytes);
            divan::black_box(metadata::read(&bytes, format));
        }
    });
}

/// The metadata reader alone, files already in memory.
#[divan::bench(sample_count = 50)]
fn clearance_read_in_memory(bencher: divan::Bencher) {
    let Some(files) = corpus_files() else { return };
    let loaded: Vec<(Vec<u8>, &str)> = files
        .iter()
        .map(|(p, f)| (std::fs::read(p).expect("corpus file readable"), *f))
        .collect();
    bencher.bench(|| {
        for (bytes, format) in &loaded {
            divan::black_box(metadata::read(bytes, Some(format)));
        }
    });
}

fn run_tool(program: &str, args: &[&str]) -> Option<()> {
    let files = corpus_files()?;
    let status = Command::new(program)
        .args(args)
        .args(files.iter().map(|(p, _)| p))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .ok()?;
    // exiv2 exits non-zero when some file has no metadata: still a full run.
    let _ = status;
    Some(())
}

fn tool_available(program: &str) -> bool {
    Command::new(program)
        .arg("-h")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok()
}

/// `exiv2 -pa FILE...`: every file, one process.
#[divan::bench(sample_count = 5, sample_size = 1)]
fn exiv2_pa(bencher: divan::Bencher) {
    if corpus_files().is_none() || !tool_available("exiv2") {
        eprintln!("exiv2 not installed or no corpus: skipped");
        return;
    }
    bencher.bench(|| run_tool("exiv2", &["-pa"]));
}

/// `exiftool -j FILE...`: every file, one process.
#[divan::bench(sample_count = 3, sample_size = 1)]
fn exiftool_j(bencher: divan::Bencher) {
    if corpus_files().is_none() || !tool_available("exiftool") {
        eprintln!("exiftool not installed or no corpus: skipped");
        return;
    }
    bencher.bench(|| run_tool("exiftool", &["-j", "-q"]));
}
