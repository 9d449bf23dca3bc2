//! Images embedded in a page as `data:` URIs: a photo pasted into a blog post
//! from a word processor, an icon inlined into a stylesheet. They are published
//! like any other graphic, so they are read and judged like one; their bytes
//! come from the URI itself, whatever the source: the pipeline decodes each
//! once, and no [`super::Source`] reads them.
//!
//! Parsing follows the Fetch Standard's data-URL processor (the `data-url`
//! crate, with its forgiving base64).

use sha2::{Digest, Sha256};

/// What the evidence cache keys an embedded image on besides its key: the key
/// names the bytes' SHA-256, so the same key always means the same bytes.
pub const VALIDATOR: &str = "embedded";

/// Why a `data:` URI holds no image to read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EmbeddedError {
    #[error("malformed `data:` URI: {0}")]
    Malformed(String),
    #[error("`data:` URI with invalid base64")]
    Base64,
    /// `data:,`, written to stop browsers asking for a favicon: no image at all.
    #[error("empty `data:` URI")]
    Empty,
}

/// A decoded `data:` URI.
pub struct Embedded {
    /// Its media type as declared, `type/subtype` in lower case (`text/plain`
    /// when it declares none, as the standard says).
    pub media_type: String,
    pub bytes: Vec<u8>,
}

/// Decode a `data:` URI.
pub fn decode(uri: &str) -> Result<Embedded, EmbeddedError> {
    let url =
        data_url::DataUrl::process(uri).map_err(|e| EmbeddedError::Malformed(e.to_string()))?;
    let (bytes, _fragment) = url.decode_to_vec().map_err(|_| EmbeddedError::Base64)?;
    if bytes.is_empty() {
        return Err(EmbeddedError::Empty);
    }
    let mime = url.mime_type();
    Ok(Embedded {
        media_type: format!("{}/{}", mime.type_, mime.subtype),
        bytes,
    })
}

/// The label of the image a `data:` URI holds ([`crate::model::ImageKey::Embedded`]):
/// the media type its bytes show and their SHA-256, `data:image/png;sha256=…`.
/// Both come from the bytes alone, not from what the URI declares, so pages
/// that embed the same picture share one image however each spells the URI;
/// the hex is what the ledger's `sha256` field takes.
pub fn label(uri: &str) -> Result<String, EmbeddedError> {
    let embedded = decode(uri)?;
    Ok(format!(
        "data:{};sha256={:x}",
        media_type_of(&embedded.bytes),
        Sha256::digest(&embedded.bytes)
    ))
}

/// The media type bytes show by their first bytes (their magic number), or
/// `application/octet-stream`.
fn media_type_of(bytes: &[u8]) -> &'static str {
    if let Ok(format) = image::guess_format(bytes) {
        return format.to_mime_type();
    }
    // SVG is text: an `<svg` root, perhaps after an XML declaration or comments.
    let head = &bytes[..bytes.len().min(1024)];
    if head.windows(4).any(|w| w.eq_ignore_ascii_case(b"<svg")) {
        return "image/svg+xml";
    }
    "application/octet-stream"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_base64_uri_is_decoded_and_labelled_by_the_sha256_of_its_bytes() {
        let uri = "data:image/gif;base64,R0lGODlhAQABAAAAACw=";
        let bytes = decode(uri).unwrap().bytes;
        assert_eq!(&bytes[..6], b"GIF89a");
        // The digest as `sha256sum` prints it.
        let hex: String = Sha256::digest(&bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(label(uri).unwrap(), format!("data:image/gif;sha256={hex}"));
        // The same bytes spelt otherwise (a parameter, wrapped base64, another
        // declared type or none): the same label, with the type the bytes show.
        for spelling in [
            "data:image/gif;charset=binary;base64,R0lG ODlh\nAQAB AAAA ACw",
            "data:image/png;base64,R0lGODlhAQABAAAAACw=",
            "data:;base64,R0lGODlhAQABAAAAACw=",
        ] {
            assert_eq!(label(spelling).unwrap(), label(uri).unwrap(), "{spelling}");
        }
        assert!(
            label("data:,%3Csvg%3E%3C/svg%3E")
                .unwrap()
                .starts_with("data:image/svg+xml;")
        );
        assert!(
            label("data:image/png,not%20a%20picture")
                .unwrap()
                .starts_with("data:application/octet-stream;")
        );
    }

    #[test]
    fn percent_encoded_svg_and_a_missing_media_type_decode() {
        let svg =
            decode("data:image/svg+xml,%3Csvg%20xmlns='http://www.w3.org/2000/svg'/%3E").unwrap();
        assert_eq!(svg.media_type, "image/svg+xml");
        assert_eq!(svg.bytes, b"<svg xmlns='http://www.w3.org/2000/svg'/>");
        let plain = decode("data:,hello").unwrap();
        assert_eq!(plain.media_type, "text/plain");
    }

    #[test]
    fn malformed_and_empty_uris_are_errors_not_images() {
        assert!(matches!(
            decode("data:image/png;base64"),
            Err(EmbeddedError::Malformed(_))
        ));
        assert!(matches!(
            decode("data:image/png;base64,*not base64*"),
            Err(EmbeddedError::Base64)
        ));
        assert!(matches!(decode("data:,"), Err(EmbeddedError::Empty)));
    }
}
