//! Evidence: the facts one image's bytes hold — format, dimensions, hashes,
//! embedded rights metadata, faces — or the error that stopped reading them.
//!
//! Pure and parallel-safe: the pipeline runs [`analyze`] on the rayon pool.

pub mod decode;
pub mod faces;
pub mod fingerprint;
pub mod jpeg_dc;
pub mod metadata;

use sha2::{Digest, Sha256};

use crate::model::Evidence;

/// What to compute beyond the always-read facts.
#[derive(Debug, Clone, Default)]
pub struct EvidenceOptions {
    /// Compute the perceptual hash.
    pub phash: bool,
    /// Hash the EXIF preview of a large JPEG (see [`fingerprint::preview_phash`]):
    /// a fraction of a millisecond now, while the bytes are in memory, instead
    /// of reading the file again for it later.
    pub preview_phash: bool,
}

/// Every format [`sniff_format`] names.
pub const FORMATS: [&str; 10] = [
    "jpeg", "png", "gif", "webp", "tiff", "avif", "heif", "bmp", "ico", "svg",
];

/// The [`FORMATS`] entry named `name`: held as a `&'static str`, a format costs
/// no allocation per image.
pub fn known_format(name: &str) -> Option<&'static str> {
    FORMATS.into_iter().find(|f| *f == name)
}

/// Recognise an image format from its first bytes (never from the file name:
/// a `.jpg` that is really HTML is exactly what we must catch).
pub fn sniff_format(bytes: &[u8]) -> Option<&'static str> {
    let format = sniff(bytes);
    // Records hold a format as one of FORMATS: a name missing there would
    // quietly read as "unknown" downstream (no faces, no thumbnail).
    debug_assert!(
        format.is_none_or(|f| known_format(f).is_some()),
        "{format:?}"
    );
    format
}

fn sniff(bytes: &[u8]) -> Option<&'static str> {
    let starts = |sig: &[u8]| bytes.starts_with(sig);
    if starts(b"\xFF\xD8\xFF") {
        Some("jpeg")
    } else if starts(b"\x89PNG\r\n\x1a\n") {
        Some("png")
    } else if starts(b"GIF87a") || starts(b"GIF89a") {
        Some("gif")
    } else if bytes.len() >= 12 && &bytes[0..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        Some("webp")
    } else if starts(b"II*\0") || starts(b"MM\0*") {
        Some("tiff")
    } else if bytes.len() >= 12 && &bytes[4..8] == b"ftyp" {
        match &bytes[8..12] {
            b"avif" | b"avis" => Some("avif"),
            b"heic" | b"heix" | b"mif1" | b"msf1" | b"heim" | b"heis" => Some("heif"),
            _ => None,
        }
    } else if starts(b"BM") {
        Some("bmp")
    } else if starts(b"\0\0\x01\0") {
        Some("ico")
    } else if looks_like_svg(bytes) {
        Some("svg")
    } else {
        None
    }
}

fn looks_like_svg(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(4096)];
    let text = String::from_utf8_lossy(head);
    let t = text.trim_start_matches('\u{feff}').trim_start();
    (t.starts_with("<?xml")
        || t.starts_with("<svg")
        || t.starts_with("<!--")
        || t.starts_with("<!DOCTYPE svg"))
        && text.contains("<svg")
}

/// Read dimensions from the header only (no pixel decode).
fn dimensions(bytes: &[u8], format: &str) -> Result<(u32, u32), String> {
    if format == "svg" {
        return svg_dimensions(bytes)
            .ok_or_else(|| "SVG has no width/height or viewBox".to_string());
    }
    if format == "jpeg" {
        return jpeg_dimensions(bytes);
    }
    let image_format = match format {
        "png" => image::ImageFormat::Png,
        "gif" => image::ImageFormat::Gif,
        "webp" => image::ImageFormat::WebP,
        "tiff" => image::ImageFormat::Tiff,
        other => return Err(format!("dimensions of {other} images are not read")),
    };
    let reader = image::ImageReader::with_format(std::io::Cursor::new(bytes), image_format);
    reader.into_dimensions().map_err(|e| e.to_string())
}

/// A JPEG's frame size, read with the decoder `image` wraps and the same
/// options, but from the slice: `image`'s JPEG decoder first copies the whole
/// file into a buffer of its own, a copy of every photo that served nothing.
fn jpeg_dimensions(bytes: &[u8]) -> Result<(u32, u32), String> {
    use zune_core::{bytestream::ZCursor, options::DecoderOptions};
    let options = DecoderOptions::default()
        .set_strict_mode(false)
        .set_max_width(usize::MAX)
        .set_max_height(usize::MAX);
    let mut decoder = zune_jpeg::JpegDecoder::new_with_options(ZCursor::new(bytes), options);
    decoder.decode_headers().map_err(|e| e.to_string())?;
    let (width, height) = decoder
        .dimensions()
        .ok_or_else(|| "no frame header".to_string())?;
    Ok((width as u32, height as u32))
}

fn svg_dimensions(bytes: &[u8]) -> Option<(u32, u32)> {
    let text = String::from_utf8_lossy(&bytes[..bytes.len().min(8192)]);
    let start = text.find("<svg")?;
    let tag_end = text[start..].find('>')? + start;
    let tag = &text[start..tag_end];
    let attr = |name: &str| -> Option<String> {
        let pat = format!("{name}=");
        let mut from = 0;
        while let Some(i) = tag[from..].find(&pat) {
            let at = from + i;
            let preceded_by_space = tag[..at].ends_with(|c: char| c.is_whitespace());
            let rest = &tag[at + pat.len()..];
            let quote = rest.chars().next()?;
            if preceded_by_space && (quote == '"' || quote == '\'') {
                let value = &rest[1..];
                return value.find(quote).map(|end| value[..end].to_string());
            }
            from = at + pat.len();
        }
        None
    };
    let number = |s: &str| -> Option<f64> {
        let digits: String = s
            .trim()
            .chars()
            .take_while(|c| c.is_ascii_digit() || *c == '.')
            .collect();
        digits.parse().ok()
    };
    if let (Some(w), Some(h)) = (
        attr("width").and_then(|w| number(&w)),
        attr("height").and_then(|h| number(&h)),
    ) {
        return Some((w.round() as u32, h.round() as u32));
    }
    let view_box = attr("viewBox")?;
    let parts: Vec<f64> = view_box
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|p| !p.is_empty())
        .filter_map(|p| p.parse().ok())
        .collect();
    (parts.len() == 4).then(|| (parts[2].round() as u32, parts[3].round() as u32))
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// Lower-case hex of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    // By hand: a `format!` per byte cost more than the hash (one per finding).
    let mut out = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 0xf)]));
    }
    out
}

/// Everything `bytes` tells about the image. Never panics: what cannot be read
/// is recorded in `Evidence::error` and the facts that could be read are kept.
pub fn analyze(bytes: &[u8], sidecar: Option<&[u8]>, options: &EvidenceOptions) -> Evidence {
    let mut evidence = Evidence {
        bytes: bytes.len() as u64,
        sha256: Some(sha256_hex(bytes)),
        ..Evidence::default()
    };
    if bytes.is_empty() {
        evidence.error = Some("the file is empty".into());
        return evidence;
    }
    let Some(format) = sniff_format(bytes) else {
        evidence.error = Some(describe_non_image(bytes));
        return evidence;
    };
    evidence.format = Some(format.to_string());
    match dimensions(bytes, format) {
        Ok((w, h)) => {
            evidence.width = Some(w);
            evidence.height = Some(h);
        }
        // AVIF/HEIF/BMP/ICO dimensions are not needed for any rule; only a
        // broken header in a format we do read makes the image unreadable.
        Err(reason) if matches!(format, "jpeg" | "png" | "gif" | "webp" | "tiff") => {
            evidence.error = Some(format!("{format} header is unreadable: {}", reason.trim()));
        }
        Err(_) => {}
    }
    evidence.metadata = metadata::read(bytes, Some(format));
    if let Some(xmp) = sidecar {
        metadata::merge_sidecar(&mut evidence.metadata, xmp);
    }
    normalise_license(&mut evidence.metadata);
    if options.phash && evidence.error.is_none() {
        evidence.phash = fingerprint::phash(bytes, format);
        evidence.phash_tried = true;
    } else if options.preview_phash && evidence.error.is_none() {
        let (width, height) = (evidence.width.unwrap_or(0), evidence.height.unwrap_or(0));
        evidence.preview_phash =
            fingerprint::preview_phash(bytes, format, width, height).map(|h| h.to_hex());
    }
    evidence
}

/// Fill `license` with the normalised id of a licence the metadata states, in
/// the order of how explicitly each field states one.
fn normalise_license(meta: &mut crate::model::Metadata) {
    if meta.license.is_some() {
        return;
    }
    let found = crate::license::License::first_stated(
        [
            &meta.license_url,
            &meta.usage_terms,
            &meta.web_statement,
            &meta.copyright,
        ]
        .into_iter()
        .flatten()
        .map(String::as_str),
    );
    if let Some(license) = found {
        meta.license = Some(license.id());
    }
}

fn describe_non_image(bytes: &[u8]) -> String {
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(512)]).to_ascii_lowercase();
    if head.contains("<html") || head.contains("<!doctype html") {
        "the file is an HTML page, not an image".into()
    } else {
        "not a recognised image format".into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(w: u32, h: u32) -> Vec<u8> {
        let img = image::RgbImage::new(w, h);
        let mut out = std::io::Cursor::new(Vec::new());
        img.write_to(&mut out, image::ImageFormat::Png).unwrap();
        out.into_inner()
    }

    #[test]
    fn every_sniffed_format_is_a_known_one() {
        let heads: [&[u8]; 11] = [
            b"\xFF\xD8\xFF\xE0",
            b"\x89PNG\r\n\x1a\n",
            b"GIF89a",
            b"RIFF\0\0\0\0WEBPVP8 ",
            b"MM\0*",
            b"\0\0\0\x1cftypavif",
            b"\0\0\0\x1cftypheic",
            b"BM\0\0",
            b"\0\0\x01\0",
            b"<svg xmlns='http://www.w3.org/2000/svg'/>",
            b"<html>",
        ];
        let sniffed: Vec<_> = heads.iter().filter_map(|h| sniff_format(h)).collect();
        assert_eq!(sniffed.len(), FORMATS.len(), "{sniffed:?}");
        for format in sniffed {
            assert_eq!(known_format(format), Some(format));
        }
        assert_eq!(known_format("html"), None);
    }

    #[test]
    fn png_dimensions_and_hash() {
        let bytes = png(30, 20);
        let ev = analyze(&bytes, None, &EvidenceOptions::default());
        assert_eq!(ev.format.as_deref(), Some("png"));
        assert_eq!((ev.width, ev.height), (Some(30), Some(20)));
        assert_eq!(ev.sha256.as_ref().map(String::len), Some(64));
        assert!(ev.error.is_none());
    }

    #[test]
    fn html_served_as_image_is_an_error() {
        let ev = analyze(
            b"<!DOCTYPE html><html><body>404</body></html>",
            None,
            &EvidenceOptions::default(),
        );
        assert_eq!(
            ev.error.as_deref(),
            Some("the file is an HTML page, not an image")
        );
    }

    #[test]
    fn truncated_jpeg_header_is_an_error() {
        let ev = analyze(
            b"\xFF\xD8\xFF\xE0\x00\x10JFIF",
            None,
            &EvidenceOptions::default(),
        );
        assert_eq!(ev.format.as_deref(), Some("jpeg"));
        assert!(
            ev.error
                .as_deref()
                .unwrap()
                .contains("header is unreadable"),
            "{:?}",
            ev.error
        );
    }

    #[test]
    fn svg_dimensions_from_attributes_or_viewbox() {
        assert_eq!(
            svg_dimensions(
                br#"<svg xmlns="http://www.w3.org/2000/svg" width="120px" height="80">"#
            ),
            Some((120, 80))
        );
        assert_eq!(
            svg_dimensions(br#"<?xml version="1.0"?><svg viewBox="0 0 64 32">"#),
            Some((64, 32))
        );
        assert_eq!(
            sniff_format(br#"<?xml version="1.0"?><svg viewBox="0 0 64 32"></svg>"#),
            Some("svg")
        );
    }
}
