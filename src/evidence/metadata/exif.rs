//! EXIF / TIFF IFDs, read with kamadak-exif.
//!
//! kamadak-exif bounds the walk for us (at most 8 IFDs, no IFD visited twice,
//! every value length checked against the buffer), so hostile offsets cannot
//! loop or read past the end.

use exif::{Context, Field as ExifField, In, Reader, Tag, Value};

use super::collect::{Collector, Field, rank};
use super::text;

/// Blocks of other metadata kinds a TIFF IFD0 may embed.
#[derive(Debug, Default)]
pub struct Embedded {
    /// Tag 700: an XMP packet.
    pub xmp: Option<Vec<u8>>,
    /// Tag 33723: IPTC IIM records.
    pub iptc: Option<Vec<u8>>,
    /// Tag 34377: Photoshop image resources (which may hold IPTC again).
    pub photoshop: Option<Vec<u8>>,
}

const TAG_XMP: u16 = 700;
const TAG_IPTC: u16 = 33723;
const TAG_PHOTOSHOP: u16 = 34377;
const TAG_XP_TITLE: u16 = 0x9C9B;
const TAG_XP_AUTHOR: u16 = 0x9C9D;

/// Read a TIFF structure (`II*\0` / `MM\0*` header onwards).
pub fn read(mut tiff: Vec<u8>, c: &mut Collector) -> Embedded {
    relax_pointer_types(&mut tiff);
    let exif = match Reader::new().continue_on_error(true).read_raw(tiff) {
        Ok(exif) => exif,
        Err(err) => match err.distill_partial_result(|errors| {
            for e in errors {
                c.warn(format!("EXIF: {e}"));
            }
        }) {
            Ok(exif) => exif,
            Err(e) => {
                c.warn(format!("EXIF unreadable: {e}"));
                return Embedded::default();
            }
        },
    };
    let get = |tag: Tag| exif.get_field(tag, In::PRIMARY);
    let tiff_tag = |n: u16| get(Tag(Context::Tiff, n));

    if let Some(f) = get(Tag::Artist) {
        c.offer(Field::Creator, &ascii(f), "EXIF:Artist", rank::EXIF);
    }
    if let Some(f) = get(Tag::Copyright) {
        c.offer(
            Field::Copyright,
            &copyright(f),
            "EXIF:Copyright",
            rank::EXIF,
        );
    }
    if let Some(f) = get(Tag::ImageDescription) {
        c.offer(
            Field::Description,
            &ascii(f),
            "EXIF:ImageDescription",
            rank::EXIF,
        );
    }
    if let Some(f) = get(Tag::Make) {
        c.offer(Field::CameraMake, &ascii(f), "EXIF:Make", rank::EXIF);
    }
    if let Some(f) = get(Tag::Model) {
        c.offer(Field::CameraModel, &ascii(f), "EXIF:Model", rank::EXIF);
    }
    if let Some(f) = get(Tag::DateTimeOriginal) {
        c.offer(
            Field::DateTaken,
            &exif_date(&ascii(f)),
            "EXIF:DateTimeOriginal",
            rank::EXIF,
        );
    }
    if let Some(f) = tiff_tag(TAG_XP_AUTHOR) {
        c.offer(Field::Creator, &utf16(f), "EXIF:XPAuthor", rank::FALLBACK);
    }
    if let Some(f) = tiff_tag(TAG_XP_TITLE) {
        c.offer(Field::Title, &utf16(f), "EXIF:XPTitle", rank::FALLBACK);
    }
    read_gps(&exif, c);

    let le = exif.little_endian();
    Embedded {
        xmp: tiff_tag(TAG_XMP).map(|f| raw_bytes(&f.value, le)),
        iptc: tiff_tag(TAG_IPTC).map(|f| raw_bytes(&f.value, le)),
        photoshop: tiff_tag(TAG_PHOTOSHOP).map(|f| raw_bytes(&f.value, le)),
    }
}

/// ASCII fields often hold UTF-8 or Latin-1 in practice; multiple NUL-separated
/// strings are joined with a space.
fn ascii(f: &ExifField) -> String {
    match &f.value {
        Value::Ascii(parts) => parts
            .iter()
            .map(|p| text::decode_guess(p))
            .filter(|s| !s.trim().is_empty())
            .collect::<Vec<_>>()
            .join(" "),
        Value::Byte(b) | Value::Undefined(b, _) => text::decode_guess(b),
        _ => String::new(),
    }
}

/// EXIF Copyright holds "photographer\0editor"; like exiftool, keep both parts,
/// one per line.
fn copyright(f: &ExifField) -> String {
    match &f.value {
        Value::Ascii(parts) => parts
            .iter()
            .map(|p| text::decode_guess(p).trim().to_string())
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join("\n"),
        _ => ascii(f),
    }
}

fn utf16(f: &ExifField) -> String {
    match &f.value {
        Value::Byte(b) | Value::Undefined(b, _) => text::decode_utf16le(b),
        _ => String::new(),
    }
}

/// `2004:03:07 14:05:31` → `2004-03-07T14:05:31` (left as written if it is not that shape).
pub fn exif_date(s: &str) -> String {
    let s = s.trim();
    let b = s.as_bytes();
    if b.len() >= 19 && b[4] == b':' && b[7] == b':' && (b[10] == b' ' || b[10] == b'T') {
        format!("{}-{}-{}T{}", &s[0..4], &s[5..7], &s[8..10], &s[11..19])
    } else {
        s.to_string()
    }
}

fn read_gps(exif: &exif::Exif, c: &mut Collector) {
    let lat = exif.get_field(Tag::GPSLatitude, In::PRIMARY);
    let lon = exif.get_field(Tag::GPSLongitude, In::PRIMARY);
    let (Some(lat), Some(lon)) = (lat, lon) else {
        return;
    };
    let reference = |tag: Tag| {
        exif.get_field(tag, In::PRIMARY)
            .map(ascii)
            .unwrap_or_default()
            .trim()
            .to_ascii_uppercase()
    };
    // Undefined coordinates (0/0, empty) locate nothing: not a GPS position.
    let Some((la, lo)) = dms(&lat.value).zip(dms(&lon.value)) else {
        c.warn("EXIF: GPS coordinates present but undefined");
        return;
    };
    let la = if reference(Tag::GPSLatitudeRef) == "S" {
        -la
    } else {
        la
    };
    let lo = if reference(Tag::GPSLongitudeRef) == "W" {
        -lo
    } else {
        lo
    };
    c.offer_gps(Some((la, lo)), "EXIF:GPS", rank::EXIF);
}

/// Some writers store the EXIF and GPS IFD pointers as SLONG (type 9) instead of
/// LONG; kamadak-exif then drops the whole sub-IFD. exiftool accepts them, and so
/// do we: rewrite the type in IFD0 before parsing (the value is the same bits).
fn relax_pointer_types(tiff: &mut [u8]) {
    let le = match tiff.get(0..2) {
        Some(b"II") => true,
        Some(b"MM") => false,
        _ => return,
    };
    let u16_at = |b: &[u8], at: usize| -> Option<u16> {
        let v: [u8; 2] = b.get(at..at + 2)?.try_into().ok()?;
        Some(if le {
            u16::from_le_bytes(v)
        } else {
            u16::from_be_bytes(v)
        })
    };
    let Some(ifd0) = tiff
        .get(4..8)
        .and_then(|v| <[u8; 4]>::try_from(v).ok())
        .map(|v| {
            (if le {
                u32::from_le_bytes(v)
            } else {
                u32::from_be_bytes(v)
            }) as usize
        })
    else {
        return;
    };
    let Some(count) = u16_at(tiff, ifd0) else {
        return;
    };
    for i in 0..usize::from(count) {
        let entry = ifd0 + 2 + 12 * i;
        let (Some(tag), Some(kind)) = (u16_at(tiff, entry), u16_at(tiff, entry + 2)) else {
            return;
        };
        if matches!(tag, 0x8769 | 0x8825) && kind == 9 {
            let long: [u8; 2] = if le {
                4u16.to_le_bytes()
            } else {
                4u16.to_be_bytes()
            };
            tiff[entry + 2..entry + 4].copy_from_slice(&long);
        }
    }
}

/// Degrees, minutes, seconds rationals to decimal degrees; `None` when the
/// degrees are undefined (0/0 or missing). Undefined minutes/seconds count as 0.
fn dms(v: &Value) -> Option<f64> {
    let parts: Vec<Option<f64>> = match v {
        Value::Rational(r) => r
            .iter()
            .map(|x| (x.denom != 0).then(|| x.to_f64()))
            .collect(),
        Value::SRational(r) => r
            .iter()
            .map(|x| (x.denom != 0).then(|| x.to_f64()))
            .collect(),
        _ => return None,
    };
    let deg = (*parts.first()?)?;
    let parts: Vec<f64> = std::iter::once(deg)
        .chain(parts.iter().skip(1).map(|p| p.unwrap_or(0.0)))
        .collect();
    let min = parts.get(1).copied().unwrap_or(0.0);
    let sec = parts.get(2).copied().unwrap_or(0.0);
    Some(deg + min / 60.0 + sec / 3600.0)
}

/// The bytes of a field stored as BYTE/UNDEFINED, or (as some writers do for
/// IPTC) as LONG, in file byte order.
fn raw_bytes(v: &Value, little_endian: bool) -> Vec<u8> {
    match v {
        Value::Byte(b) | Value::Undefined(b, _) => b.clone(),
        Value::Ascii(parts) => parts.concat(),
        Value::Long(longs) => longs
            .iter()
            .flat_map(|l| {
                if little_endian {
                    l.to_le_bytes()
                } else {
                    l.to_be_bytes()
                }
            })
            .collect(),
        _ => Vec::new(),
    }
}
