//! Face detection through the library API: real portraits must show a
//! recognizable face, real no-face photos and generated graphics must not.
//!
//! The real photographs are read from the shared corpus when it is present
//! (`$CLEARANCE_CORPUS`, or a `shared/corpus` folder beside an ancestor of this
//! crate); they are never copied into the project.

use std::path::{Path, PathBuf};

use clearance::evidence::faces::{FaceConfig, detect, is_photograph};
use clearance::evidence::sniff_format;
use clearance::model::Face;

/// Public-domain / CC0 portraits with one face each (see the corpus SOURCES.md).
const PORTRAITS: &[&str] = &[
    "faces-pd-packages/matplotlib/grace_hopper.jpg",
    "faces-pd-packages/scikit-image/astronaut.png",
    "faces-pd-packages/scikit-image/camera.png",
];

/// Real photographs with no person in them: a cat, a cup of coffee, a rocket.
const NO_FACE_CONTROLS: &[&str] = &[
    "faces-pd-packages/scikit-image/chelsea.png",
    "faces-pd-packages/scikit-image/coffee.png",
    "faces-pd-packages/scikit-image/rocket.jpg",
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

/// The corpus file's bytes, or `None` after saying why the test is skipped.
fn corpus_file(relative: &str) -> Option<Vec<u8>> {
    let Some(dir) = corpus_dir() else {
        println!("SKIP: shared corpus not found (set CLEARANCE_CORPUS); {relative} not checked");
        return None;
    };
    match std::fs::read(dir.join(relative)) {
        Ok(bytes) => Some(bytes),
        Err(e) => {
            println!("SKIP: {relative} not readable in {}: {e}", dir.display());
            None
        }
    }
}

fn faces_in(bytes: &[u8]) -> Vec<Face> {
    let format = sniff_format(bytes).expect("a recognised image format");
    detect(bytes, format, &FaceConfig::default()).expect("detection runs")
}

#[test]
fn every_corpus_portrait_has_a_recognizable_face() {
    for name in PORTRAITS {
        let Some(bytes) = corpus_file(name) else {
            continue;
        };
        let faces = faces_in(&bytes);
        println!("{name}: {faces:?}");
        let recognizable = faces.iter().filter(|f| f.recognizable).count();
        assert_eq!(
            recognizable, 1,
            "{name}: one recognizable face expected, found {faces:?}"
        );
    }
}

/// The pipeline calls `detect` from rayon workers: each thread builds its own
/// detector and gets the same answer as a single thread does.
#[test]
fn detection_from_rayon_workers_matches_a_single_thread() {
    use rayon::prelude::*;
    let photos: Vec<(&str, Vec<u8>)> = PORTRAITS
        .iter()
        .filter_map(|n| corpus_file(n).map(|b| (*n, b)))
        .collect();
    if photos.is_empty() {
        return;
    }
    let single: Vec<Vec<Face>> = photos.iter().map(|(_, b)| faces_in(b)).collect();
    let jobs: Vec<usize> = (0..photos.len() * 3).map(|i| i % photos.len()).collect();
    let parallel: Vec<(usize, Vec<Face>)> = jobs
        .par_iter()
        .map(|&i| (i, faces_in(&photos[i].1)))
        .collect();
    for (i, faces) in parallel {
        assert_eq!(faces, single[i], "{}", photos[i].0);
    }
}

#[test]
fn no_corpus_control_has_a_recognizable_face() {
    for name in NO_FACE_CONTROLS {
        let Some(bytes) = corpus_file(name) else {
            continue;
        };
        let faces = faces_in(&bytes);
        println!("{name}: {faces:?}");
        assert!(
            faces.iter().all(|f| !f.recognizable),
            "{name}: no recognizable face expected, found {faces:?}"
        );
    }
}

/// Photos this detector was not tuned on: a group of people, and a field gun
/// whose wheel hub gives a weak face-like hit that must not count.
#[test]
fn other_real_photos_group_and_machinery() {
    if let Some(bytes) = corpus_file("images-iptc-reference/frameright-php-fixtures/exif.JPG") {
        let faces = faces_in(&bytes);
        let recognizable = faces.iter().filter(|f| f.recognizable).count();
        assert!(
            recognizable >= 4,
            "a group of people facing the camera: {faces:?}"
        );
    }
    if let Some(bytes) = corpus_file("images-exif-samples/jpg/exif-org/nikon-e950.jpg") {
        let faces = faces_in(&bytes);
        assert!(
            faces.iter().all(|f| !f.recognizable),
            "a field gun: {faces:?}"
        );
    }
}

#[test]
fn portrait_face_box_is_in_original_pixels_and_covers_the_face() {
    let Some(bytes) = corpus_file("faces-pd-packages/matplotlib/grace_hopper.jpg") else {
        return;
    };
    let face = faces_in(&bytes)
        .into_iter()
        .find(|f| f.recognizable)
        .expect("a face");
    // 512x600 head-and-shoulders portrait: the face sits in the upper middle
    // and is a sizeable part of the frame.
    let (cx, cy) = (face.x + face.w / 2, face.y + face.h / 2);
    assert!(
        (150..360).contains(&cx) && (100..330).contains(&cy),
        "centre ({cx},{cy}) of {face:?}"
    );
    assert!((100..400).contains(&face.w), "{face:?}");
    assert!(
        face.x + face.w <= 512 && face.y + face.h <= 600,
        "{face:?} must lie inside the image"
    );
}

/// A portrait stored sideways with an EXIF orientation tag (as phones do) is
/// found, and its box is reported in the stored pixels.
#[test]
fn sideways_portrait_with_exif_orientation_is_found() {
    let Some(bytes) = corpus_file("faces-pd-packages/matplotlib/grace_hopper.jpg") else {
        return;
    };
    let upright = image::load_from_memory(&bytes).unwrap();
    // Store it rotated 90° counter-clockwise; orientation 6 tells viewers to
    // turn it clockwise back upright.
    let stored = upright.rotate270().into_rgb8();
    let jpeg = jpeg_with_orientation(&stored, 6);
    let faces = faces_in(&jpeg);
    assert_eq!(
        faces.iter().filter(|f| f.recognizable).count(),
        1,
        "{faces:?}"
    );
    let face = &faces[0];
    assert!(
        face.x + face.w <= 600 && face.y + face.h <= 512,
        "stored frame is 600x512: {face:?}"
    );
    // Upright the face is in the upper half; stored rotated CCW that is the left half.
    assert!(face.x + face.w / 2 < 300, "{face:?}");
}

/// Encode `img` as JPEG with an EXIF APP1 segment holding only `orientation`.
fn jpeg_with_orientation(img: &image::RgbImage, orientation: u16) -> Vec<u8> {
    let mut plain = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut plain, 90)
        .encode_image(img)
        .unwrap();
    // Little-endian TIFF with one IFD entry: tag 0x0112 (Orientation), SHORT, 1.
    let mut tiff = b"II*\0\x08\0\0\0\x01\0\x12\x01\x03\0\x01\0\0\0".to_vec();
    tiff.extend_from_slice(&orientation.to_le_bytes());
    tiff.extend_from_slice(&[0, 0, 0, 0, 0, 0]);
    let mut app1 = b"Exif\0\0".to_vec();
    app1.extend_from_slice(&tiff);
    let mut out = plain[..2].to_vec();
    out.extend_from_slice(&[0xFF, 0xE1]);
    out.extend_from_slice(&((app1.len() + 2) as u16).to_be_bytes());
    out.extend_from_slice(&app1);
    out.extend_from_slice(&plain[2..]);
    out
}

fn png(img: &image::RgbImage) -> Vec<u8> {
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

/// Graphics a school site is full of: none of them holds a face.
fn generated_graphics() -> Vec<(&'static str, image::RgbImage)> {
    use image::{Rgb, RgbImage};
    let (w, h) = (640, 480);
    let flat = RgbImage::from_pixel(w, h, Rgb([30, 90, 160]));
    let skin = RgbImage::from_pixel(w, h, Rgb([224, 172, 140]));
    let gradient = RgbImage::from_fn(w, h, |x, y| {
        Rgb([(x * 255 / w) as u8, (y * 255 / h) as u8, 128])
    });
    let radial = RgbImage::from_fn(w, h, |x, y| {
        let d = ((x as f64 - 320.0).hypot(y as f64 - 240.0) / 400.0 * 255.0).min(255.0) as u8;
        Rgb([255 - d, 200 - d / 2, d])
    });
    let checker = RgbImage::from_fn(w, h, |x, y| {
        if (x / 40 + y / 40) % 2 == 0 {
            Rgb([0, 0, 0])
        } else {
            Rgb([255, 255, 255])
        }
    });
    // A school-crest-like logo: a ring, a bar "name" under it, corner dots.
    let logo = RgbImage::from_fn(w, h, |x, y| {
        let (dx, dy) = (x as f64 - 320.0, y as f64 - 200.0);
        let r = dx.hypot(dy);
        if (90.0..110.0).contains(&r) || (r < 40.0) {
            Rgb([180, 20, 40])
        } else if (340..370).contains(&y) && (140..500).contains(&x) && (x / 24) % 2 == 0 {
            Rgb([20, 20, 20])
        } else if (x as f64 - 40.0).hypot(y as f64 - 40.0) < 15.0 {
            Rgb([20, 20, 120])
        } else {
            Rgb([250, 250, 245])
        }
    });
    vec![
        ("flat blue", flat),
        ("flat skin tone", skin),
        ("linear gradient", gradient),
        ("radial gradient", radial),
        ("checkerboard", checker),
        ("crest logo", logo),
    ]
}

#[test]
fn generated_graphics_have_no_faces() {
    for (name, img) in generated_graphics() {
        let faces = faces_in(&png(&img));
        assert!(
            faces.is_empty(),
            "{name}: no face expected, found {faces:?}"
        );
    }
}

#[test]
fn corrupt_photo_is_an_error_not_a_panic() {
    let Some(bytes) = corpus_file("faces-pd-packages/matplotlib/grace_hopper.jpg") else {
        return;
    };
    let truncated = &bytes[..bytes.len() / 3];
    // A truncated JPEG either decodes partly (grey bottom) or fails; both are fine,
    // a panic or hang is not.
    let _ = detect(truncated, "jpeg", &FaceConfig::default());
    let mut garbled = bytes.clone();
    for b in garbled.iter_mut().skip(600).step_by(97) {
        *b ^= 0x5A;
    }
    let _ = detect(&garbled, "jpeg", &FaceConfig::default());
    assert!(detect(&bytes[..64], "jpeg", &FaceConfig::default()).is_err());
}

#[test]
fn the_photograph_rule_lets_portraits_through_and_keeps_icons_out() {
    assert!(is_photograph("jpeg", 512, 600));
    assert!(is_photograph("png", 150, 150));
    assert!(!is_photograph("png", 32, 32));
    assert!(!is_photograph("svg", 800, 600));
}

// ---------------------------------------------------------------------------
// Demo site with an unrecorded photo of a person.
//
// We never commit photos of real people, so the demo site cannot hold one.
// Instead a test copies the site to a temporary folder and adds a public-domain
// corpus portrait there, linked from a new page, with neutral alt text (so only
// the pixels can reveal the person) and no ledger entry.
// ---------------------------------------------------------------------------

/// Where [`add_unrecorded_portrait`] puts the photo, relative to the site root.
pub const UNRECORDED_PORTRAIT: &str = "images/assembly-2024.jpg";
/// The page it adds that shows the photo.
pub const UNRECORDED_PORTRAIT_PAGE: &str = "assembly.html";

/// Copy the site at `site` into `dest` and add a corpus portrait nobody
/// recorded. Returns `Ok(false)` (after saying so) when the corpus is absent.
pub fn add_unrecorded_portrait(site: &Path, dest: &Path) -> std::io::Result<bool> {
    let Some(portrait) = corpus_file("faces-pd-packages/matplotlib/grace_hopper.jpg") else {
        return Ok(false);
    };
    copy_tree(site, dest)?;
    let photo = dest.join(UNRECORDED_PORTRAIT);
    std::fs::create_dir_all(photo.parent().expect("a folder"))?;
    std::fs::write(&photo, portrait)?;
    std::fs::write(
        dest.join(UNRECORDED_PORTRAIT_PAGE),
        format!(
            "<!DOCTYPE html><html><head><title>Assembly</title></head><body>\n\
             <h1>Assembly</h1>\n<img src=\"{UNRECORDED_PORTRAIT}\" alt=\"Assembly hall\">\n</body></html>\n"
        ),
    )?;
    Ok(true)
}

fn copy_tree(from: &Path, to: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_tree(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), &target)?;
        }
    }
    Ok(())
}

#[test]
fn demo_site_helper_adds_a_photo_whose_face_is_found() {
    let site = tempfile::tempdir().unwrap();
    std::fs::write(
        site.path().join("index.html"),
        "<html><body><p>Welcome</p></body></html>",
    )
    .unwrap();
    std::fs::create_dir(site.path().join("images")).unwrap();
    std::fs::write(
        site.path().join("images/logo.svg"),
        "<svg viewBox=\"0 0 10 10\"/>",
    )
    .unwrap();

    let copy = tempfile::tempdir().unwrap();
    if !add_unrecorded_portrait(site.path(), copy.path()).unwrap() {
        return;
    }
    assert!(
        copy.path().join("index.html").is_file(),
        "the site is copied"
    );
    assert!(
        copy.path().join("images/logo.svg").is_file(),
        "sub-folders are copied"
    );
    let page = std::fs::read_to_string(copy.path().join(UNRECORDED_PORTRAIT_PAGE)).unwrap();
    assert!(
        page.contains(UNRECORDED_PORTRAIT),
        "the new page shows the photo"
    );
    let photo = std::fs::read(copy.path().join(UNRECORDED_PORTRAIT)).unwrap();
    assert_eq!(
        faces_in(&photo).iter().filter(|f| f.recognizable).count(),
        1
    );
}

/// The demo site plus an unrecorded portrait, scanned by the real binary:
/// only the pixels can tell that a person is shown, and they do.
#[test]
fn demo_site_photo_of_a_person_with_no_record_is_people_unverified() {
    let demo = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/testdata/demo"));
    let work = tempfile::tempdir().unwrap();
    copy_tree(demo, work.path()).unwrap();
    if !add_unrecorded_portrait(&demo.join("site"), &work.path().join("site")).unwrap() {
        return;
    }
    let scan = |faces: &str| -> serde_json::Value {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_clearance"))
            .current_dir(work.path())
            .args([
                "scan",
                "--as-of",
                "2026-11-15",
                "--format",
                "json",
                "--faces",
                faces,
            ])
            .output()
            .unwrap();
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let report = scan("missing");
    let rules: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["image"] == UNRECORDED_PORTRAIT)
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    assert_eq!(
        rules,
        vec!["unknown-provenance", "people-unverified"],
        "{rules:?}"
    );
    let finding = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["image"] == UNRECORDED_PORTRAIT && f["rule"] == "people-unverified")
        .unwrap();
    assert_eq!(finding["evidence"]["faces"], 1);
    assert!(
        finding["message"]
            .as_str()
            .unwrap()
            .contains("1 recognizable face")
    );
    let image = report["images"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["path"] == UNRECORDED_PORTRAIT)
        .unwrap();
    let faces = image["faces"].as_array().unwrap();
    assert_eq!(faces.len(), 1);
    assert_eq!(faces[0]["recognizable"], true);
    // Cleared photos whose people are recorded are not examined by default.
    let cleared = report["images"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["path"] == "images/lab/students-coding.jpg")
        .unwrap();
    assert!(cleared.get("faces").is_none(), "{cleared}");

    let off = scan("off");
    assert!(
        off["findings"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| !(f["image"] == UNRECORDED_PORTRAIT && f["rule"] == "people-unverified")),
        "--faces off must not detect faces"
    );
}
