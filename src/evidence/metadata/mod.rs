//! Embedded rights metadata: EXIF, XMP, IPTC and SVG RDF, in every web image format.

use crate::model::Metadata;

/// Read every rights-relevant field `bytes` carries. Malformed segments become
/// `Metadata::warnings`, never a panic.
pub fn read(bytes: &[u8], format: Option<&str>) -> Metadata {
    let _ = (bytes, format);
    Metadata::default()
}

/// Merge an XMP sidecar (`NAME.xmp`) into metadata read from the image itself.
pub fn merge_sidecar(metadata: &mut Metadata, xmp: &[u8]) {
    let _ = (metadata, xmp);
}
