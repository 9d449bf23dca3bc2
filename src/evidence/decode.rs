//! Reduced decoding: pixels at the smallest scale a consumer needs.
//!
//! Perceptual hashing, face detection and thumbnails all want far fewer pixels
//! than a 12-MP photo holds. For JPEG the decoder scales in the DCT domain
//! (1/2, 1/4, 1/8), so the full image is never materialised.
//!
//! Pixels come as stored; [`orientation`] says how to turn them to show them
//! as a browser does (a phone stores a portrait sideways, with an EXIF tag).

use std::io::Cursor;

use image::metadata::Orientation;
use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader};

#[derive(Debug, thiserror::Error)]
pub enum DecodeError {
    #[error("cannot decode {format}: {reason}")]
    Decode { format: String, reason: String },
    #[error("{0} images have no pixels to decode")]
    Vector(String),
}

/// Decode `bytes` so that the long side is at least `min_long_side` where the
/// source is that large, using DCT-domain scaling for JPEG. The result may be
/// larger than asked (scaling is in steps); callers resize the rest of the way.
pub fn decode_reduced(
    bytes: &[u8],
    format: &str,
    min_long_side: u32,
) -> Result<DynamicImage, DecodeError> {
    match format {
        "jpeg" => decode_jpeg_scaled(bytes, min_long_side),
        "svg" => Err(DecodeError::Vector(format.to_string())),
        _ => image::load_from_memory(bytes).map_err(|e| DecodeError::Decode {
            format: format.to_string(),
            reason: e.to_string(),
        }),
    }
}

/// The `image` crate's name for a format [`crate::evidence::sniff_format`]
/// names, for the raster formats clearance decodes.
pub fn raster_format(format: &str) -> Option<ImageFormat> {
    Some(match format {
        "jpeg" => ImageFormat::Jpeg,
        "png" => ImageFormat::Png,
        "gif" => ImageFormat::Gif,
        "webp" => ImageFormat::WebP,
        "tiff" => ImageFormat::Tiff,
        _ => return None,
    })
}

/// How stored pixels are turned to be shown: the EXIF orientation of a JPEG,
/// PNG, WebP or TIFF. No tag, or one that cannot be read, means "as stored",
/// as browsers take it.
pub fn orientation(bytes: &[u8], format: &str) -> Orientation {
    let tagged = match format {
        // Straight from the APP1 segment: `image`'s JPEG decoder would copy
        // the whole file and parse its headers twice to say the same.
        "jpeg" => super::jpeg_dc::exif_payload(bytes).and_then(Orientation::from_exif_chunk),
        _ => raster_format(format)
            .and_then(|f| {
                ImageReader::with_format(Cursor::new(bytes), f)
                    .into_decoder()
                    .ok()
            })
            .and_then(|mut decoder| decoder.orientation().ok()),
    };
    tagged.unwrap_or(Orientation::NoTransforms)
}

fn decode_jpeg_scaled(bytes: &[u8], min_long_side: u32) -> Result<DynamicImage, DecodeError> {
    let err = |reason: String| DecodeError::Decode {
        format: "jpeg".into(),
        reason,
    };
    let mut decoder = jpeg_decoder::Decoder::new(std::io::Cursor::new(bytes));
    decoder.read_info().map_err(|e| err(e.to_string()))?;
    let info = decoder
        .info()
        .ok_or_else(|| err("no frame header".into()))?;
    let (w, h) = (u32::from(info.width), u32::from(info.height));
    let long = w.max(h).max(1);
    // Request a size proportional to the original so the decoder picks the
    // smallest DCT scale whose long side still reaches `min_long_side`.
    let factor = f64::from(min_long_side.min(long)) / f64::from(long);
    let rw = ((f64::from(w) * factor).ceil() as u16).max(1);
    let rh = ((f64::from(h) * factor).ceil() as u16).max(1);
    let (sw, sh) = decoder.scale(rw, rh).map_err(|e| err(e.to_string()))?;
    let pixels = decoder.decode().map_err(|e| err(e.to_string()))?;
    let info = decoder
        .info()
        .ok_or_else(|| err("no frame header".into()))?;
    let (sw, sh) = (u32::from(sw), u32::from(sh));
    let image = match info.pixel_format {
        jpeg_decoder::PixelFormat::L8 => {
            image::GrayImage::from_raw(sw, sh, pixels).map(DynamicImage::ImageLuma8)
        }
        jpeg_decoder::PixelFormat::RGB24 => {
            image::RgbImage::from_raw(sw, sh, pixels).map(DynamicImage::ImageRgb8)
        }
        jpeg_decoder::PixelFormat::CMYK32 => {
            let rgb: Vec<u8> = pixels
                .chunks_exact(4)
                .flat_map(|p| {
                    // Adobe CMYK JPEGs are stored inverted; treat values as ink-free.
                    let k = u16::from(p[3]);
                    [p[0], p[1], p[2]].map(|c| ((u16::from(c) * k) / 255) as u8)
                })
                .collect();
            image::RgbImage::from_raw(sw, sh, rgb).map(DynamicImage::ImageRgb8)
        }
        jpeg_decoder::PixelFormat::L16 => {
            let luma: Vec<u8> = pixels.chunks_exact(2).map(|p| p[0]).collect();
            image::GrayImage::from_raw(sw, sh, luma).map(DynamicImage::ImageLuma8)
        }
    };
    image.ok_or_else(|| err("decoded buffer does not match its dimensions".into()))
}

/// A small JPEG thumbnail (long side at most `max_side`) for reports, as stored:
/// the report draws face boxes on it in the stored pixels' frame.
pub fn thumbnail_jpeg(bytes: &[u8], format: &str, max_side: u32) -> Result<Vec<u8>, DecodeError> {
    let image = decode_reduced(bytes, format, max_side)?;
    let thumb = image.thumbnail(max_side, max_side).into_rgb8();
    let mut out = Vec::new();
    let mut encoder = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 70);
    encoder
        .encode_image(&thumb)
        .map_err(|e| DecodeError::Decode {
            format: "jpeg".into(),
            reason: e.to_string(),
        })?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jpeg(w: u32, h: u32) -> Vec<u8> {
        let img = image::RgbImage::from_fn(w, h, |x, y| {
            image::Rgb([(x % 256) as u8, (y % 256) as u8, 128])
        });
        let mut out = Vec::new();
        image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 90)
            .encode_image(&img)
            .unwrap();
        out
    }

    #[test]
    fn jpeg_is_decoded_at_a_reduced_dct_scale() {
        let bytes = jpeg(1600, 1200);
        let img = decode_reduced(&bytes, "jpeg", 200).unwrap();
        // 1/8 scale is the smallest step: 200x150 reaches the 200 px asked for.
        assert_eq!((img.width(), img.height()), (200, 150));
    }

    #[test]
    fn small_jpeg_is_not_scaled_up() {
        let bytes = jpeg(64, 48);
        let img = decode_reduced(&bytes, "jpeg", 1024).unwrap();
        assert_eq!((img.width(), img.height()), (64, 48));
    }

    #[test]
    fn corrupt_jpeg_is_an_error_not_a_panic() {
        let mut bytes = jpeg(64, 48);
        bytes.truncate(200);
        assert!(
            decode_reduced(&bytes, "jpeg", 32).is_err()
                || thumbnail_jpeg(&bytes, "jpeg", 32).is_ok()
        );
        assert!(decode_reduced(b"not a jpeg", "jpeg", 32).is_err());
    }

    #[test]
    fn untagged_and_unreadable_images_are_shown_as_stored() {
        assert_eq!(
            orientation(&jpeg(64, 48), "jpeg"),
            Orientation::NoTransforms
        );
        assert_eq!(
            orientation(b"\xFF\xD8\xFF\xE1\x00", "jpeg"),
            Orientation::NoTransforms
        );
        assert_eq!(orientation(b"not a png", "png"), Orientation::NoTransforms);
        assert_eq!(orientation(b"<svg/>", "svg"), Orientation::NoTransforms);
    }

    #[test]
    fn thumbnail_fits_the_box() {
        let bytes = jpeg(1600, 1200);
        let thumb = thumbnail_jpeg(&bytes, "jpeg", 160).unwrap();
        let img = image::load_from_memory(&thumb).unwrap();
        assert_eq!((img.width(), img.height()), (160, 120));
    }
}
