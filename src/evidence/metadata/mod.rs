//! Embedded rights metadata: EXIF, XMP, IPTC and SVG RDF, in every web image format.
//!
//! [`containers`] finds the metadata blocks of each format without decoding
//! pixels; [`exif`], [`xmp`] and [`iptc`] read them; [`collect`] picks one value
//! per field (XMP over EXIF over IPTC) and records where it came from.
//! A field the file does not carry stays absent: nothing is invented.

mod collect;
mod containers;
mod exif;
mod iptc;
mod text;
mod vocab;
mod xmp;

use std::borrow::Cow;

use crate::model::Metadata;
use collect::{Collector, Field, rank};

/// Read every rights-relevant field `bytes` carries. Malformed segments become
/// `Metadata::warnings`, never a panic.
pub fn read(bytes: &[u8], format: Option<&str>) -> Metadata {
    let mut c = Collector::default();
    match format {
        Some("svg") => read_svg(bytes, &mut c),
        Some(format) => {
            let blocks = containers::extract(bytes, format, &mut c);
            read_blocks(blocks, &mut c);
        }
        None => {}
    }
    c.finish()
}

/// Merge an XMP sidecar (`NAME.xmp`) into metadata read from the image itself.
///
/// The sidecar fills fields the image leaves empty; a value embedded in the
/// image is kept (both are the owner's statements, and the embedded one travels
/// with the published file).
pub fn merge_sidecar(metadata: &mut Metadata, xmp: &[u8]) {
    let mut c = Collector::default();
    xmp::read(xmp, &mut c, "XMP sidecar");
    let side = c.finish();
    macro_rules! fill {
        ($($field:ident),*) => {$(
            if metadata.$field.is_none() && side.$field.is_some() {
                metadata.$field = side.$field;
                if let Some(src) = side.sources.get(stringify!($field)) {
                    metadata.sources.insert(stringify!($field).to_string(), src.clone());
                }
            }
        )*};
    }
    macro_rules! fill_list {
        ($($field:ident),*) => {$(
            if metadata.$field.is_empty() && !side.$field.is_empty() {
                metadata.$field = side.$field;
                if let Some(src) = side.sources.get(stringify!($field)) {
                    metadata.sources.insert(stringify!($field).to_string(), src.clone());
                }
            }
        )*};
    }
    fill!(
        creator, copyright, credit, source, usage_terms, web_statement, marked, license_url,
        attribution_name, attribution_url, licensor, copyright_owner, model_release,
        property_release, minor_model_age, digital_source_type, gps_position, description, title,
        camera_make, camera_model, date_taken
    );
    fill_list!(model_release_ids, property_release_ids, persons_shown);
    if !metadata.gps && side.gps {
        metadata.gps = true;
        if let Some(src) = side.sources.get("gps") {
            metadata.sources.insert("gps".into(), src.clone());
        }
    }
    metadata.ai_generated |= side.ai_generated;
    metadata
        .warnings
        .extend(side.warnings.into_iter().map(|w| format!("sidecar: {w}")));
}

fn read_blocks(blocks: containers::Blocks<'_>, c: &mut Collector) {
    let mut xmp_packets: Vec<Cow<'_, [u8]>> = blocks.xmp;
    let mut iptc = blocks.iptc;
    let mut photoshop = blocks.photoshop;
    for tiff in blocks.exif {
        let embedded = exif::read(tiff.into_owned(), c);
        xmp_packets.extend(embedded.xmp.map(Cow::Owned));
        iptc.extend(embedded.iptc.map(Cow::Owned));
        photoshop.extend(embedded.photoshop.map(Cow::Owned));
    }
    for irb in &photoshop {
        if let Some(packet) = iptc::read_photoshop(irb, c) {
            xmp_packets.push(Cow::Owned(packet));
        }
    }
    for records in &iptc {
        iptc::read_iim(records, c);
    }
    for packet in &xmp_packets {
        xmp::read(packet, c, "XMP");
    }
    for (keyword, value) in &blocks.text {
        let source = format!("PNG:{keyword}");
        match keyword.as_str() {
            "Author" => c.offer(Field::Creator, value, &source, rank::FALLBACK),
            "Copyright" => c.offer(Field::Copyright, value, &source, rank::FALLBACK),
            "Title" => c.offer(Field::Title, value, &source, rank::FALLBACK),
            "Description" => c.offer(Field::Description, value, &source, rank::FALLBACK),
            _ => {}
        }
    }
}

/// SVG: the RDF inside `<metadata>` (CC's `cc:Work`, Dublin Core, or a whole XMP packet).
fn read_svg(bytes: &[u8], c: &mut Collector) {
    // Most SVGs carry no RDF: skip the XML parse entirely for them.
    if !bytes.windows(3).any(|w| w == b"RDF") {
        return;
    }
    let Ok(text) = std::str::from_utf8(bytes) else {
        c.warn("SVG: not UTF-8");
        return;
    };
    let text = text.trim_start_matches('\u{feff}');
    let options = roxmltree::ParsingOptions {
        allow_dtd: true,
        ..roxmltree::ParsingOptions::default()
    };
    match roxmltree::Document::parse_with_options(text, options) {
        Ok(doc) => xmp::read_document(&doc, c, "SVG"),
        // The rest of the drawing may be broken (undeclared prefixes are common);
        // the RDF alone may still be sound.
        Err(_) => xmp::read(text.as_bytes(), c, "SVG"),
    }
}
