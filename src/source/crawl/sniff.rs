//! Is this body an image? Headers lie (a CMS error page served as `image/jpeg`),
//! so the first bytes decide; the `Content-Type` only names what was claimed.
//!
//! Hand-written because it is a dozen signatures and the crates that do this
//! (infer, tree_magic) carry hundreds of formats we never need.

/// The image format the bytes start with, if any we know.
pub fn image_magic(bytes: &[u8]) -> Option<&'static str> {
    let starts = |sig: &[u8]| bytes.starts_with(sig);
    if starts(&[0xFF, 0xD8, 0xFF]) {
        Some("jpeg")
    } else if starts(b"\x89PNG\r\n\x1a\n") {
        Some("png")
    } else if starts(b"GIF87a") || starts(b"GIF89a") {
        Some("gif")
    } else if bytes.len() >= 12 && starts(b"RIFF") && &bytes[8..12] == b"WEBP" {
        Some("webp")
    } else if starts(b"II*\0") || starts(b"MM\0*") {
        Some("tiff")
    } else if bytes.len() >= 12 && &bytes[4..8] == b"ftyp" {
        Some("heif-or-avif")
    } else if starts(b"BM") {
        Some("bmp")
    } else if starts(&[0, 0, 1, 0]) {
        Some("ico")
    } else if starts(&[0xFF, 0x0A]) || starts(b"\0\0\0\x0cJXL ") {
        Some("jxl")
    } else if looks_like_svg(bytes) {
        Some("svg")
    } else {
        None
    }
}

fn head_text(bytes: &[u8]) -> String {
    let head = &bytes[..bytes.len().min(4096)];
    let head = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    String::from_utf8_lossy(head)
        .trim_start()
        .to_ascii_lowercase()
}

/// An HTML document (error pages, login walls, soft 404s).
pub fn looks_like_html(bytes: &[u8]) -> bool {
    let text = head_text(bytes);
    text.starts_with("<!doctype html")
        || text.starts_with("<html")
        || text.starts_with("<head")
        || text.starts_with("<body")
        || (text.starts_with('<') && (text.contains("<html") || text.contains("<body")))
}

fn looks_like_svg(bytes: &[u8]) -> bool {
    if looks_like_html(bytes) {
        return false;
    }
    let text = head_text(bytes);
    (text.starts_with("<?xml")
        || text.starts_with("<svg")
        || text.starts_with("<!--")
        || text.starts_with("<!doctype svg"))
        && text.contains("<svg")
}

/// A page's text. UTF-8 when the bytes are valid UTF-8 (whatever the label says: servers
/// often mislabel); otherwise windows-1252 when labelled Latin-1/windows-1252 or not
/// labelled at all (the web's legacy default for Western pages, which older school CMSes
/// still serve); anything else is decoded as UTF-8 with U+FFFD for bad bytes.
///
/// Hand-written because a full encoding crate (encoding_rs) is a large build for the one
/// legacy encoding that matters here.
pub fn decode_html(bytes: &[u8], content_type: &str) -> String {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if let Ok(text) = std::str::from_utf8(bytes) {
        return text.to_string();
    }
    let label = charset_label(content_type.as_bytes())
        .or_else(|| charset_label(&bytes[..bytes.len().min(1024)]));
    let latin = label.as_deref().is_none_or(|l| {
        matches!(
            l,
            "windows-1252"
                | "cp1252"
                | "x-cp1252"
                | "iso-8859-1"
                | "iso8859-1"
                | "latin1"
                | "l1"
                | "us-ascii"
                | "ascii"
                | "iso_8859-1"
                | "iso-ir-100"
                | "ibm819"
        )
    });
    if latin {
        bytes.iter().map(|&b| windows_1252(b)).collect()
    } else {
        String::from_utf8_lossy(bytes).into_owned()
    }
}

/// The value after the first `charset=` in `text`, lower-cased.
fn charset_label(text: &[u8]) -> Option<String> {
    let lower = String::from_utf8_lossy(text).to_ascii_lowercase();
    let at = lower.find("charset=")? + "charset=".len();
    let value: String = lower[at..]
        .trim_start_matches(['"', '\''])
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | ':' | '.'))
        .collect();
    (!value.is_empty()).then_some(value)
}

fn windows_1252(b: u8) -> char {
    // 0x80..=0x9F are printable in windows-1252 (curly quotes, dashes, €); the rest is Latin-1.
    const HIGH: [char; 32] = [
        '€', '\u{81}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{8D}', 'Ž',
        '\u{8F}', '\u{90}', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{9D}',
        'ž', 'Ÿ',
    ];
    match b {
        0x80..=0x9F => HIGH[usize::from(b - 0x80)],
        _ => char::from(b),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_formats_are_recognised_by_their_first_bytes() {
        assert_eq!(
            image_magic(&[0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10]),
            Some("jpeg")
        );
        assert_eq!(image_magic(b"\x89PNG\r\n\x1a\n...."), Some("png"));
        assert_eq!(image_magic(b"GIF89a.."), Some("gif"));
        assert_eq!(image_magic(b"RIFF\0\0\0\0WEBPVP8 "), Some("webp"));
        assert_eq!(image_magic(b"\0\0\0\x1cftypavif\0\0"), Some("heif-or-avif"));
        assert_eq!(
            image_magic(
                b"\xEF\xBB\xBF<?xml version='1.0'?>\n<svg xmlns='http://www.w3.org/2000/svg'/>"
            ),
            Some("svg")
        );
    }

    #[test]
    fn html_is_never_taken_for_an_image_even_with_inline_svg() {
        let page = b"  <!DOCTYPE html><html><body><svg></svg></body></html>";
        assert!(looks_like_html(page));
        assert_eq!(image_magic(page), None);
        assert!(looks_like_html(b"<html lang=en>"));
        assert!(!looks_like_html(&[0xFF, 0xD8, 0xFF]));
        assert_eq!(image_magic(b""), None);
        assert_eq!(image_magic(b"plain text"), None);
    }

    #[test]
    fn legacy_pages_decode_their_curly_quotes_and_accents() {
        // "Café “Day”" in windows-1252.
        let cp1252 = b"<p>Caf\xe9 \x93Day\x94</p>";
        assert_eq!(
            decode_html(cp1252, "text/html; charset=windows-1252"),
            "<p>Café “Day”</p>"
        );
        assert_eq!(
            decode_html(cp1252, "text/html"),
            "<p>Café “Day”</p>",
            "unlabelled legacy bytes"
        );
        let meta = b"<meta charset=\"ISO-8859-1\"><p>Jos\xe9</p>";
        assert_eq!(
            decode_html(meta, ""),
            "<meta charset=\"ISO-8859-1\"><p>José</p>"
        );
        // Valid UTF-8 wins over a wrong label.
        assert_eq!(
            decode_html("José".as_bytes(), "text/html; charset=iso-8859-1"),
            "José"
        );
        // Another declared encoding: bad bytes are marked, not guessed.
        assert_eq!(
            decode_html(b"a\xff", "text/html; charset=shift_jis"),
            "a\u{FFFD}"
        );
    }
}
