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
}
