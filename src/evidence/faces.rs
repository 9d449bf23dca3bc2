//! Face detection, so a photo of people that nobody recorded cannot slip through.
//!
//! The detector is SeetaFace's frontal FuSt cascade as ported by the `rustface`
//! crate. Its model (`models/seetaface/`, BSD-2) is embedded in the binary, so
//! detection works offline and needs no install step.
//!
//! What [`detect`] does, and why:
//!
//! 1. Decode at reduced scale (long side [`FaceConfig::detection_long_side`],
//!    1,024 px by default; JPEG scales in the DCT domain): faces big enough to
//!    matter survive, and a 24-MP photo costs what a 1-MP one does.
//! 2. Turn upright by the EXIF orientation: the model only finds upright faces,
//!    and phones store most portraits sideways with an orientation tag.
//! 3. Detect in grayscale, keep faces scoring at least [`FaceConfig::min_score`].
//! 4. Map each box back to the *stored* pixels of the original image (the frame
//!    of `Evidence::width`/`height` and of the report thumbnail).
//! 5. Mark a face recognizable by the rule in [`FaceConfig`].
//!
//! rustface's detector mutates scratch buffers while it works and is not `Send`,
//! so each thread (in practice each rayon worker) keeps its own, built once from a
//! model parsed once per process.

use std::cell::RefCell;
use std::io::Cursor;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::OnceLock;

use image::metadata::Orientation;
use image::{GrayImage, ImageDecoder, ImageReader};
use rustface::{Detector, ImageData, Model};
use serde::{Deserialize, Serialize};

use crate::evidence::decode::{DecodeError, decode_reduced, orientation, raster_format};
use crate::model::Face;

/// The SeetaFace frontal model, copied from the rustface 0.1.7 package (see
/// `models/seetaface/README.md` for why a copy and how it is checked).
const MODEL_BYTES: &[u8] = include_bytes!("../../models/seetaface/seeta_fd_frontal_v1.0.bin");

/// The detector's sliding window. rustface 0.1.7 never enlarges the image (its
/// `set_min_face_size` is a no-op), so this is also the smallest face it finds
/// at detection scale; box refinement may report faces down to about 30 px.
/// To find smaller faces, raise [`FaceConfig::detection_long_side`].
pub const DETECTOR_WINDOW: u32 = 40;

/// Upper bound for [`FaceConfig::detection_long_side`].
pub const MAX_DETECTION_LONG_SIDE: u32 = 4096;

/// Face sizes are judged on the image as a web page shows it: scaled so its
/// long side is at most this, independent of the detection resolution.
pub const WEB_LONG_SIDE: u32 = 1024;

/// Images whose short side is below this are icons, bullets and buttons, not
/// photographs. Kept low on purpose: a CMS thumbnail of a pupil (WordPress makes
/// 150×150 ones) is exactly what must not slip through, and looking at a small
/// image costs well under a millisecond.
pub const MIN_PHOTO_SHORT_SIDE: u32 = 64;

/// How faces are looked for and when one counts as recognizable. Embedded as the
/// `[faces]` table of the rules; every field is optional there.
///
/// **Recognizable rule.** The frontal detector only finds faces turned roughly
/// towards the camera. A face it reports is *recognizable* when
///
/// - its score is at least [`min_recognizable_score`](Self::min_recognizable_score)
///   (2.5: on the shared test corpus, the one face-like texture the detector
///   hit, a wheel hub, scored 2.3, while blurred or half-turned real faces
///   scored 2.4 to 4 and clear ones 5 to 29; safeguarding favours finding the
///   blurred child over silencing every weak hit), **and**
/// - on the image at web scale (long side at most [`WEB_LONG_SIDE`], 1,024 px)
///   its box is at least [`min_face_px`](Self::min_face_px) wide (32 px,
///   the usual lower bound for low-resolution face recognition; a classmate or
///   parent recognises a familiar face at that size), **or** at least
///   [`min_face_fraction`](Self::min_face_fraction) of the image's short side
///   (10%: the face is a subject of the picture, as in a small portrait
///   thumbnail).
///
/// Weaker or smaller faces, such as a crowd in the background, are still
/// reported as evidence (from [`min_score`](Self::min_score) up) but do not make
/// an image need consent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FaceConfig {
    /// Long side, in pixels, of the image the detector sees. The smallest face
    /// found is about [`DETECTOR_WINDOW`] px at this scale, so larger finds
    /// smaller faces (1,024: about 4% of the long side) and costs
    /// quadratically more time.
    pub detection_long_side: u32,
    /// Detector score below which a candidate is not a face at all.
    pub min_score: f64,
    /// Detector score a face needs to count as recognizable.
    pub min_recognizable_score: f64,
    /// A face at least this wide at web scale is recognizable.
    pub min_face_px: u32,
    /// A face at least this fraction of the image's short side is recognizable.
    pub min_face_fraction: f64,
}

impl Default for FaceConfig {
    fn default() -> Self {
        FaceConfig {
            detection_long_side: 1024,
            min_score: 2.0,
            min_recognizable_score: 2.5,
            min_face_px: 32,
            min_face_fraction: 0.10,
        }
    }
}

impl FaceConfig {
    /// Reject values the detector cannot work with (rustface panics on them), so
    /// a bad `[faces]` table is reported when the rules load, not mid-scan.
    pub fn validate(&self) -> Result<(), FaceError> {
        let bad = |reason: String| Err(FaceError::InvalidConfig(reason));
        if self.detection_long_side < DETECTOR_WINDOW {
            return bad(format!(
                "faces.detection_long_side is {}, the detector needs at least {DETECTOR_WINDOW} px",
                self.detection_long_side
            ));
        }
        // Time grows with the square of this; past 4,096 px a single photo
        // takes tens of seconds, which is a typo, not a choice.
        if self.detection_long_side > MAX_DETECTION_LONG_SIDE {
            return bad(format!(
                "faces.detection_long_side is {}, at most {MAX_DETECTION_LONG_SIDE} px is allowed",
                self.detection_long_side
            ));
        }
        if !(self.min_score.is_finite() && self.min_score > 0.0) {
            return bad(format!(
                "faces.min_score must be a positive number, not {}",
                self.min_score
            ));
        }
        if !self.min_recognizable_score.is_finite() {
            return bad(format!(
                "faces.min_recognizable_score must be a number, not {}",
                self.min_recognizable_score
            ));
        }
        if !(self.min_face_fraction.is_finite() && (0.0..=1.0).contains(&self.min_face_fraction)) {
            return bad(format!(
                "faces.min_face_fraction must be between 0 and 1, not {}",
                self.min_face_fraction
            ));
        }
        Ok(())
    }

    /// The recognizable rule, on a face `side` px wide (at web scale) scoring
    /// `score` in an image whose short side is `short_side` px (same scale).
    fn is_recognizable(&self, side: u32, score: f64, short_side: u32) -> bool {
        let large = side >= self.min_face_px
            || f64::from(side) >= self.min_face_fraction * f64::from(short_side);
        large && score >= self.min_recognizable_score
    }
}

#[derive(Debug, thiserror::Error)]
pub enum FaceError {
    #[error("invalid face settings: {0}")]
    InvalidConfig(String),
    #[error("faces not checked: {0}")]
    Decode(#[from] DecodeError),
    #[error("faces not checked: cannot read the {format} header: {reason}")]
    Header { format: String, reason: String },
    #[error("faces not checked: the face model does not load: {0}")]
    Model(String),
    #[error("faces not checked: the face detector failed on this image")]
    DetectorFailed,
}

/// Whether an image of this format and size is a photograph worth looking for
/// faces in. The rule: a raster format that carries photos (JPEG, PNG, GIF,
/// WebP, TIFF, BMP, AVIF, HEIF) with a short side of at least
/// [`MIN_PHOTO_SHORT_SIDE`] px. SVG (vector art), ICO (icons) and anything
/// unrecognised are not. Graphics that pass (a large PNG logo) are cheap to
/// check and yield no face.
pub fn is_photograph(format: &str, width: u32, height: u32) -> bool {
    let photo_format = matches!(
        format,
        "jpeg" | "png" | "gif" | "webp" | "tiff" | "bmp" | "avif" | "heif"
    );
    photo_format && width.min(height) >= MIN_PHOTO_SHORT_SIDE
}

/// Find faces in an encoded image. Boxes are in the stored pixels of the
/// original image (before any EXIF rotation), each marked recognizable or not.
/// Never panics: undecodable input and detector failures are errors.
pub fn detect(bytes: &[u8], format: &str, config: &FaceConfig) -> Result<Vec<Face>, FaceError> {
    config.validate()?;
    let header = read_header(bytes, format)?;
    let decoded = decode_reduced(bytes, format, config.detection_long_side)?;
    let upright = to_detection_image(decoded, header.orientation, config.detection_long_side);
    let found = run_detector(&upright, config)?;

    let detection = (upright.width(), upright.height());
    let original_upright = upright_size(header.width, header.height, header.orientation);
    // Web scale: the original, shrunk to WEB_LONG_SIDE if larger.
    let to_web = web_scale(original_upright.0, original_upright.1);
    let web_short_side =
        (f64::from(original_upright.0.min(original_upright.1)) * to_web).round() as u32;
    Ok(found
        .into_iter()
        .filter_map(|(rect, score)| {
            let rect = rect.clamp_to(detection.0, detection.1)?;
            let original = rect.scale(
                f64::from(original_upright.0) / f64::from(detection.0),
                f64::from(original_upright.1) / f64::from(detection.1),
            );
            let web_side = (original.w.min(original.h) * to_web).round() as u32;
            let recognizable = config.is_recognizable(web_side, score, web_short_side);
            let stored = original.to_stored(header.width, header.height, header.orientation);
            Some(stored.into_face(score, recognizable))
        })
        .collect())
}

struct Header {
    width: u32,
    height: u32,
    orientation: Orientation,
}

/// Full-size dimensions and EXIF orientation, from the header only.
fn read_header(bytes: &[u8], format: &str) -> Result<Header, FaceError> {
    let err = |reason: String| FaceError::Header {
        format: format.to_string(),
        reason,
    };
    let image_format = match (format, raster_format(format)) {
        (_, Some(image_format)) => image_format,
        ("svg", None) => return Err(FaceError::Decode(DecodeError::Vector(format.into()))),
        // AVIF, HEIF, BMP, ICO: clearance has no decoder for their pixels.
        (other, None) => {
            return Err(FaceError::Decode(DecodeError::Decode {
                format: other.to_string(),
                reason: "clearance cannot decode this format's pixels".into(),
            }));
        }
    };
    let decoder = ImageReader::with_format(Cursor::new(bytes), image_format)
        .into_decoder()
        .map_err(|e| err(e.to_string()))?;
    let (width, height) = decoder.dimensions();
    if width == 0 || height == 0 {
        return Err(err("the image has no pixels".into()));
    }
    let orientation = orientation(bytes, format);
    Ok(Header {
        width,
        height,
        orientation,
    })
}

/// Grayscale, at most `long_side` px on the long side, turned upright.
fn to_detection_image(
    decoded: image::DynamicImage,
    orientation: Orientation,
    long_side: u32,
) -> GrayImage {
    let mut gray = decoded.into_luma8();
    let (w, h) = gray.dimensions();
    if w.max(h) > long_side {
        let factor = f64::from(long_side) / f64::from(w.max(h));
        let nw = ((f64::from(w) * factor).round() as u32).max(1);
        let nh = ((f64::from(h) * factor).round() as u32).max(1);
        gray = image::imageops::thumbnail(&gray, nw, nh);
    }
    let mut upright = image::DynamicImage::ImageLuma8(gray);
    upright.apply_orientation(orientation);
    upright.into_luma8()
}

/// Factor from original pixels to web scale: shrink to [`WEB_LONG_SIDE`], never enlarge.
fn web_scale(width: u32, height: u32) -> f64 {
    (f64::from(WEB_LONG_SIDE) / f64::from(width.max(height).max(1))).min(1.0)
}

/// Width and height as displayed once `orientation` is applied.
fn upright_size(width: u32, height: u32, orientation: Orientation) -> (u32, u32) {
    match orientation {
        Orientation::Rotate90
        | Orientation::Rotate270
        | Orientation::Rotate90FlipH
        | Orientation::Rotate270FlipH => (height, width),
        _ => (width, height),
    }
}

fn model() -> Result<&'static Model, FaceError> {
    static MODEL: OnceLock<Result<Model, String>> = OnceLock::new();
    MODEL
        .get_or_init(|| rustface::read_model(Cursor::new(MODEL_BYTES)).map_err(|e| e.to_string()))
        .as_ref()
        .map_err(|e| FaceError::Model(e.clone()))
}

thread_local! {
    static DETECTOR: RefCell<Option<Box<dyn Detector>>> = const { RefCell::new(None) };
}

/// Raw detections in detection-image pixels: (box, score).
fn run_detector(image: &GrayImage, config: &FaceConfig) -> Result<Vec<(Rect, f64)>, FaceError> {
    let (w, h) = image.dimensions();
    // Smaller than the window: nothing to find, and rustface's window
    // arithmetic would underflow.
    if w.min(h) < DETECTOR_WINDOW {
        return Ok(Vec::new());
    }
    let model = model()?;
    DETECTOR.with(|cell| {
        let mut slot = cell.borrow_mut();
        let detector =
            slot.get_or_insert_with(|| rustface::create_detector_with_model(model.clone()));
        // (set_min_face_size is not called: rustface 0.1.7 ignores it.)
        detector.set_score_thresh(config.min_score);
        detector.set_pyramid_scale_factor(0.8);
        detector.set_slide_window_step(4, 4);
        // rustface walks pixels through raw pointers; if it ever panics on an
        // input we did not foresee, report this image and rebuild the detector
        // rather than take the scan down.
        let result = catch_unwind(AssertUnwindSafe(|| {
            detector.detect(&ImageData::new(image.as_raw(), w, h))
        }));
        match result {
            Ok(faces) => Ok(faces
                .iter()
                .map(|f| {
                    let b = f.bbox();
                    let rect = Rect {
                        x: f64::from(b.x()),
                        y: f64::from(b.y()),
                        w: f64::from(b.width()),
                        h: f64::from(b.height()),
                    };
                    (rect, f.score())
                })
                .collect()),
            Err(_) => {
                *slot = None;
                Err(FaceError::DetectorFailed)
            }
        }
    })
}

/// A box in continuous pixel coordinates (edges, not centres), so scaling and
/// flipping are exact and rounding happens once at the end.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Rect {
    x: f64,
    y: f64,
    w: f64,
    h: f64,
}

impl Rect {
    /// The part inside a `width`×`height` image; `None` when nothing is.
    /// (rustface may report boxes overhanging the border.)
    fn clamp_to(self, width: u32, height: u32) -> Option<Rect> {
        let x0 = self.x.max(0.0);
        let y0 = self.y.max(0.0);
        let x1 = (self.x + self.w).min(f64::from(width));
        let y1 = (self.y + self.h).min(f64::from(height));
        (x1 > x0 && y1 > y0).then_some(Rect {
            x: x0,
            y: y0,
            w: x1 - x0,
            h: y1 - y0,
        })
    }

    fn scale(self, sx: f64, sy: f64) -> Rect {
        Rect {
            x: self.x * sx,
            y: self.y * sy,
            w: self.w * sx,
            h: self.h * sy,
        }
    }

    /// Map a box from the upright (displayed) frame back to the stored frame of
    /// a `width`×`height` (stored) image carrying `orientation`.
    fn to_stored(self, width: u32, height: u32, orientation: Orientation) -> Rect {
        let (sw, sh) = (f64::from(width), f64::from(height));
        // Where an upright point (u, v) sits in the stored image.
        let stored_point = |u: f64, v: f64| -> (f64, f64) {
            match orientation {
                Orientation::NoTransforms => (u, v),
                Orientation::FlipHorizontal => (sw - u, v),
                Orientation::Rotate180 => (sw - u, sh - v),
                Orientation::FlipVertical => (u, sh - v),
                // Transpose: upright (u, v) is stored (v, u).
                Orientation::Rotate90FlipH => (v, u),
                // Stored was turned 90° clockwise for display.
                Orientation::Rotate90 => (v, sh - u),
                // Transverse: mirrored across the anti-diagonal.
                Orientation::Rotate270FlipH => (sw - v, sh - u),
                Orientation::Rotate270 => (sw - v, u),
            }
        };
        let (ax, ay) = stored_point(self.x, self.y);
        let (bx, by) = stored_point(self.x + self.w, self.y + self.h);
        Rect {
            x: ax.min(bx),
            y: ay.min(by),
            w: (ax - bx).abs(),
            h: (ay - by).abs(),
        }
    }

    fn into_face(self, score: f64, recognizable: bool) -> Face {
        Face {
            x: self.x.round() as u32,
            y: self.y.round() as u32,
            w: (self.w.round() as u32).max(1),
            h: (self.h.round() as u32).max(1),
            score: (score * 100.0).round() / 100.0,
            recognizable,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::ImageFormat;
    use sha2::{Digest, Sha256};

    #[test]
    fn embedded_model_is_the_documented_file_and_loads() {
        let digest = Sha256::digest(MODEL_BYTES);
        let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(
            hex,
            "c4619d066ed35e84d9a8e842860b0dff567aba0cbb139881075538761db3ff5d"
        );
        assert!(model().is_ok());
    }

    #[test]
    fn graphics_and_icons_are_not_photographs() {
        assert!(!is_photograph("svg", 2000, 1000), "vector art");
        assert!(!is_photograph("ico", 256, 256), "icons");
        assert!(!is_photograph("png", 48, 48), "icon-sized PNG");
        assert!(!is_photograph("jpeg", 1200, 40), "thin banner");
        assert!(!is_photograph("pdf", 1000, 1000), "not an image format");
    }

    #[test]
    fn photos_and_thumbnails_are_photographs() {
        assert!(is_photograph("jpeg", 4000, 3000));
        assert!(is_photograph("jpeg", 150, 150), "CMS thumbnail of a person");
        assert!(is_photograph("webp", 64, 640));
        assert!(
            is_photograph("gif", 320, 240),
            "old sites post photos as GIF"
        );
        assert!(is_photograph("heif", 4032, 3024));
    }

    #[test]
    fn default_config_is_valid_and_bad_values_are_refused() {
        assert!(FaceConfig::default().validate().is_ok());
        let with = |f: fn(&mut FaceConfig)| {
            let mut c = FaceConfig::default();
            f(&mut c);
            c.validate()
        };
        assert!(matches!(
            with(|c| c.min_recognizable_score = f64::INFINITY),
            Err(FaceError::InvalidConfig(_))
        ));
        assert!(matches!(
            with(|c| c.min_score = 0.0),
            Err(FaceError::InvalidConfig(_))
        ));
        assert!(matches!(
            with(|c| c.min_score = f64::NAN),
            Err(FaceError::InvalidConfig(_))
        ));
        assert!(matches!(
            with(|c| c.min_face_fraction = 1.5),
            Err(FaceError::InvalidConfig(_))
        ));
        assert!(matches!(
            with(|c| c.detection_long_side = 8),
            Err(FaceError::InvalidConfig(_))
        ));
        assert!(matches!(
            with(|c| c.detection_long_side = 100_000),
            Err(FaceError::InvalidConfig(_))
        ));
    }

    #[test]
    fn config_reads_from_a_partial_toml_table() {
        let config: FaceConfig = toml::from_str("min_face_px = 48\nmin_score = 3.5").unwrap();
        assert_eq!(config.min_face_px, 48);
        assert_eq!(config.min_score, 3.5);
        assert_eq!(
            config.detection_long_side,
            FaceConfig::default().detection_long_side
        );
        assert!(
            toml::from_str::<FaceConfig>("min_face = 48").is_err(),
            "typos are refused"
        );
    }

    /// The `[faces]` table documented for `rules/default.toml` parses to the defaults.
    #[test]
    fn documented_rules_table_matches_the_defaults() {
        #[derive(Deserialize)]
        struct Rules {
            faces: FaceConfig,
        }
        let rules: Rules = toml::from_str(
            "[faces]\n\
             detection_long_side = 1024\n\
             min_score = 2.0\n\
             min_recognizable_score = 2.5\n\
             min_face_px = 32\n\
             min_face_fraction = 0.10\n",
        )
        .unwrap();
        assert_eq!(rules.faces, FaceConfig::default());
    }

    #[test]
    fn recognizable_when_confident_and_large_in_pixels_or_in_the_frame() {
        let c = FaceConfig::default();
        assert!(
            c.is_recognizable(40, 9.0, 768),
            "40 px face in a web-size photo"
        );
        assert!(!c.is_recognizable(24, 9.0, 768), "small face in a crowd");
        assert!(
            c.is_recognizable(24, 9.0, 200),
            "small face filling a thumbnail"
        );
        assert!(
            !c.is_recognizable(50, 2.3, 768),
            "weak hit: a wheel hub, a blurred profile"
        );
    }

    #[test]
    fn face_sizes_are_judged_at_web_scale_whatever_the_resolution() {
        // A 100 px face in a 4000x3000 photo is 25.6 px on a 1,024 px page: a
        // face in the crowd, not recognizable; in a 800x600 photo it is 100 px.
        assert_eq!(web_scale(4000, 3000), 0.256);
        assert_eq!(web_scale(3000, 4000), 0.256);
        assert_eq!(web_scale(800, 600), 1.0);
        let c = FaceConfig::default();
        let side = |orig: f64, w, h| (orig * web_scale(w, h)).round() as u32;
        assert!(!c.is_recognizable(side(100.0, 4000, 3000), 9.0, 768));
        assert!(c.is_recognizable(side(100.0, 800, 600), 9.0, 600));
    }

    #[test]
    fn boxes_scale_from_detection_to_original_pixels() {
        // A 4000x3000 photo detected at 1024x768: factor 3.90625.
        let r = Rect {
            x: 100.0,
            y: 50.0,
            w: 64.0,
            h: 64.0,
        }
        .scale(4000.0 / 1024.0, 3000.0 / 768.0);
        let face = r.into_face(7.123, true);
        assert_eq!((face.x, face.y, face.w, face.h), (391, 195, 250, 250));
        assert_eq!(face.score, 7.12);
    }

    #[test]
    fn boxes_overhanging_the_border_are_clipped_or_dropped() {
        let r = Rect {
            x: -10.0,
            y: 90.0,
            w: 40.0,
            h: 40.0,
        };
        assert_eq!(
            r.clamp_to(100, 100),
            Some(Rect {
                x: 0.0,
                y: 90.0,
                w: 30.0,
                h: 10.0
            })
        );
        let outside = Rect { x: 120.0, ..r };
        assert_eq!(outside.clamp_to(100, 100), None);
    }

    /// For every EXIF orientation: mark a box in a stored image, turn it upright
    /// as the detector sees it, find the box there, map it back: same box.
    #[test]
    fn boxes_map_back_through_every_exif_orientation() {
        let (sw, sh) = (60u32, 40u32);
        let (bx, by, bw, bh) = (5u32, 8u32, 12u32, 20u32);
        let stored = GrayImage::from_fn(sw, sh, |x, y| {
            let inside = (bx..bx + bw).contains(&x) && (by..by + bh).contains(&y);
            image::Luma([if inside { 255 } else { 0 }])
        });
        for orientation in [
            Orientation::NoTransforms,
            Orientation::FlipHorizontal,
            Orientation::Rotate180,
            Orientation::FlipVertical,
            Orientation::Rotate90FlipH,
            Orientation::Rotate90,
            Orientation::Rotate270FlipH,
            Orientation::Rotate270,
        ] {
            let mut upright = image::DynamicImage::ImageLuma8(stored.clone());
            upright.apply_orientation(orientation);
            let upright = upright.into_luma8();
            assert_eq!(upright.dimensions(), upright_size(sw, sh, orientation));
            let lit: Vec<(u32, u32)> = upright
                .enumerate_pixels()
                .filter(|(_, _, p)| p.0[0] == 255)
                .map(|(x, y, _)| (x, y))
                .collect();
            let (x0, y0) = (
                lit.iter().map(|p| p.0).min().unwrap(),
                lit.iter().map(|p| p.1).min().unwrap(),
            );
            let (x1, y1) = (
                lit.iter().map(|p| p.0).max().unwrap(),
                lit.iter().map(|p| p.1).max().unwrap(),
            );
            let found = Rect {
                x: f64::from(x0),
                y: f64::from(y0),
                w: f64::from(x1 - x0 + 1),
                h: f64::from(y1 - y0 + 1),
            };
            let back = found.to_stored(sw, sh, orientation).into_face(1.0, true);
            assert_eq!(
                (back.x, back.y, back.w, back.h),
                (bx, by, bw, bh),
                "{orientation:?}"
            );
        }
    }

    #[test]
    fn flat_and_tiny_images_have_no_faces_and_do_not_panic() {
        let config = FaceConfig::default();
        for (w, h) in [(1, 1), (19, 300), (300, 200)] {
            let img = image::RgbImage::from_pixel(w, h, image::Rgb([200, 180, 160]));
            let mut png = Cursor::new(Vec::new());
            img.write_to(&mut png, ImageFormat::Png).unwrap();
            assert_eq!(
                detect(png.get_ref(), "png", &config).unwrap(),
                Vec::new(),
                "{w}x{h}"
            );
        }
    }

    #[test]
    fn undecodable_input_is_an_error() {
        let config = FaceConfig::default();
        assert!(matches!(
            detect(b"\xFF\xD8\xFF\xE0garbage", "jpeg", &config),
            Err(FaceError::Header { .. })
        ));
        assert!(matches!(
            detect(b"<svg/>", "svg", &config),
            Err(FaceError::Decode(_))
        ));
        assert!(detect(b"", "png", &config).is_err());
        let avif = detect(b"\0\0\0\x1cftypavif", "avif", &config).unwrap_err();
        assert_eq!(
            avif.to_string(),
            "faces not checked: cannot decode avif: clearance cannot decode this format's pixels"
        );
    }
}
