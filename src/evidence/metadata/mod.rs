//! Embedded rights metadata: EXIF, XMP, IPTC and SVG RDF, in every web image format.
//!
//! [`containers`] finds the metadata blocks of each format without decoding
//! pixels; [`exif`], [`xmp`] and [`iptc`] read them; [`collect`] picks one value
//! per field (XMP over EXIF over IPTC) and records where it came from.
//! A field the file does not carry stays absent: nothing is invented.

mod collect;
mod containers;
mod exif;
#[cfg(test)]
mod fixtures;
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
        creator,
        copyright,
        credit,
        source,
        usage_terms,
        web_statement,
        marked,
        license_url,
        attribution_name,
        attribution_url,
        licensor,
        copyright_owner,
        model_release,
        property_release,
        minor_model_age,
        digital_source_type,
        gps_position,
        description,
        title,
        camera_make,
        camera_model,
        date_taken
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
    // Parse only the RDF element, with the namespaces the drawing declares:
    // drawings are large, the RDF is small, and editors leave the rest of the
    // XML broken often enough (undeclared prefixes, entity-heavy DTDs).
    let options = roxmltree::ParsingOptions {
        allow_dtd: true,
        ..roxmltree::ParsingOptions::default()
    };
    if let Some(fragment) = xmp::repaired_fragment(text)
        && let Ok(doc) = roxmltree::Document::parse_with_options(&fragment, options)
    {
        xmp::read_document(&doc, c, "SVG");
        return;
    }
    match roxmltree::Document::parse_with_options(text.trim_start_matches('\u{feff}'), options) {
        Ok(doc) => xmp::read_document(&doc, c, "SVG"),
        Err(e) => c.warn(format!("SVG: malformed XML ({e})")),
    }
}

#[cfg(test)]
mod tests {
    use super::fixtures::*;
    use super::*;

    const ARTIST: u16 = 0x013B;
    const COPYRIGHT: u16 = 0x8298;

    fn exif_tiff() -> Vec<u8> {
        tiff(
            vec![
                ascii(ARTIST, "Erika Fotografin"),
                ascii(COPYRIGHT, "(c) 2024 Erika"),
                ascii(0x010F, "Canon"),
                ascii(0x0110, "EOS 80D"),
            ],
            Some(vec![
                ascii(1, "S"),
                rationals(2, &[(33, 1), (51, 1), (3099, 100)]),
                ascii(3, "E"),
                rationals(4, &[(151, 1), (12, 1), (3000, 100)]),
            ]),
        )
    }

    fn iptc_app13(datasets: &[(u8, u8, &[u8])]) -> Vec<u8> {
        let irb = iptc::build_irb(&[(0x0404, &iptc::build_iim(datasets))]);
        prefixed(b"Photoshop 3.0\0", &irb)
    }

    #[test]
    fn jpeg_exif_xmp_and_iptc_segments() {
        let file = jpeg(&[
            (0xE0, b"JFIF\0\x01\x02\0\0\x01\0\x01\0\0".to_vec()),
            (0xE1, prefixed(b"Exif\0\0", &exif_tiff())),
            (
                0xE1,
                prefixed(
                    b"http://ns.adobe.com/xap/1.0/\0",
                    &xmp_packet(
                        "<photoshop:Credit>Schulfoto AG</photoshop:Credit><xmpRights:WebStatement>https://example.org/r</xmpRights:WebStatement>",
                    ),
                ),
            ),
            (
                0xED,
                iptc_app13(&[(2, 80, b"IPTC Byline"), (2, 115, b"Archiv")]),
            ),
        ]);
        let m = read(&file, Some("jpeg"));
        assert_eq!(m.creator.as_deref(), Some("Erika Fotografin"));
        assert_eq!(m.sources["creator"], "EXIF:Artist");
        assert_eq!(m.copyright.as_deref(), Some("(c) 2024 Erika"));
        assert_eq!(m.credit.as_deref(), Some("Schulfoto AG"));
        assert_eq!(m.source.as_deref(), Some("Archiv"));
        assert_eq!(m.web_statement.as_deref(), Some("https://example.org/r"));
        assert_eq!(m.camera_make.as_deref(), Some("Canon"));
        assert_eq!(m.camera_model.as_deref(), Some("EOS 80D"));
        assert!(m.gps);
        let (lat, lon) = m.gps_position.unwrap();
        assert!((lat + 33.8586083).abs() < 1e-6, "{lat}");
        assert!((lon - 151.2083333).abs() < 1e-6, "{lon}");
        assert!(m.warnings.is_empty(), "{:?}", m.warnings);
    }

    #[test]
    fn xmp_wins_over_exif_and_iptc() {
        let file = jpeg(&[
            (0xE1, prefixed(b"Exif\0\0", &exif_tiff())),
            (
                0xE1,
                prefixed(
                    b"http://ns.adobe.com/xap/1.0/\0",
                    &xmp_packet(
                        "<dc:creator><rdf:Seq><rdf:li>Erika F.</rdf:li></rdf:Seq></dc:creator>",
                    ),
                ),
            ),
            (0xED, iptc_app13(&[(2, 80, b"Someone")])),
        ]);
        let m = read(&file, Some("jpeg"));
        assert_eq!(m.creator.as_deref(), Some("Erika F."));
        assert_eq!(m.sources["creator"], "XMP-dc:creator");
    }

    #[test]
    fn jpeg_extended_xmp_is_reassembled() {
        let full = xmp_packet(
            "<dc:creator><rdf:Seq><rdf:li>Extended Author</rdf:li></rdf:Seq></dc:creator>",
        );
        let guid = b"0123456789ABCDEF0123456789ABCDEF";
        let (a, b) = full.split_at(full.len() / 2);
        let chunk = |offset: usize, data: &[u8]| {
            let mut p = b"http://ns.adobe.com/xmp/extension/\0".to_vec();
            p.extend(guid);
            p.extend((full.len() as u32).to_be_bytes());
            p.extend((offset as u32).to_be_bytes());
            p.extend(data);
            p
        };
        // Chunks out of order, as the standard allows.
        let file = jpeg(&[(0xE1, chunk(a.len(), b)), (0xE1, chunk(0, a))]);
        let m = read(&file, Some("jpeg"));
        assert_eq!(m.creator.as_deref(), Some("Extended Author"));
        let lying = jpeg(&[(0xE1, {
            let mut p = chunk(0, a);
            p[35 + 32..35 + 36].copy_from_slice(&u32::MAX.to_be_bytes());
            p
        })]);
        let m = read(&lying, Some("jpeg"));
        assert!(m.creator.is_none());
        assert!(
            m.warnings.iter().any(|w| w.contains("extended XMP")),
            "{:?}",
            m.warnings
        );
    }

    #[test]
    fn exif_xpauthor_and_two_part_copyright() {
        let author: Vec<u8> = "Zoë"
            .encode_utf16()
            .chain([0])
            .flat_map(|u| u.to_le_bytes())
            .collect();
        let t = tiff(
            vec![
                byte(0x9C9D, &author),
                ascii_bytes(COPYRIGHT, b"Photo Zo\xeb\0Editor Max"),
            ],
            None,
        );
        let m = read(&t, Some("tiff"));
        assert_eq!(m.creator.as_deref(), Some("Zoë"));
        assert_eq!(m.sources["creator"], "EXIF:XPAuthor");
        assert_eq!(m.copyright.as_deref(), Some("Photo Zoë\nEditor Max"));
    }

    #[test]
    fn tiff_embeds_xmp_and_iptc_tags() {
        let xmp = xmp_packet(
            "<xmpRights:UsageTerms><rdf:Alt><rdf:li xml:lang=\"x-default\">Intranet only</rdf:li></rdf:Alt></xmpRights:UsageTerms>",
        );
        let iim = iptc::build_iim(&[(2, 110, b"Landesbildstelle")]);
        let t = tiff(vec![byte(700, &xmp), undefined(33723, &iim)], None);
        let m = read(&t, Some("tiff"));
        assert_eq!(m.usage_terms.as_deref(), Some("Intranet only"));
        assert_eq!(m.credit.as_deref(), Some("Landesbildstelle"));
    }

    #[test]
    fn png_exif_itxt_ztxt_and_raw_profiles() {
        let xmp = xmp_packet(
            "<dc:rights><rdf:Alt><rdf:li xml:lang=\"x-default\">CC BY 4.0</rdf:li></rdf:Alt></dc:rights>",
        );
        let mut itxt = b"XML:com.adobe.xmp\0\0\0\0\0".to_vec();
        itxt.extend(&xmp);
        let iim = iptc::build_iim(&[(2, 80, b"Raw Profile Byline")]);
        let hex: String = iim.iter().map(|b| format!("{b:02x}")).collect();
        let raw = format!("\niptc\n      {}\n{hex}\n", iim.len());
        let mut ztxt = b"Raw profile type iptc\0\0".to_vec();
        ztxt.extend(miniz_oxide::deflate::compress_to_vec_zlib(
            raw.as_bytes(),
            6,
        ));
        let file = png(&[
            (b"eXIf", exif_tiff()),
            (b"iTXt", itxt),
            (b"zTXt", ztxt),
            (b"tEXt", b"Title\0Sommerfest".to_vec()),
        ]);
        let m = read(&file, Some("png"));
        assert_eq!(m.creator.as_deref(), Some("Erika Fotografin"));
        assert_eq!(m.copyright.as_deref(), Some("CC BY 4.0"));
        assert_eq!(m.title.as_deref(), Some("Sommerfest"));
        assert!(m.gps);
        // The IPTC by-line is read too (visible when EXIF does not win).
        let only_iptc = png(&[(b"zTXt", {
            let mut z = b"Raw profile type iptc\0\0".to_vec();
            z.extend(miniz_oxide::deflate::compress_to_vec_zlib(
                raw.as_bytes(),
                6,
            ));
            z
        })]);
        assert_eq!(
            read(&only_iptc, Some("png")).creator.as_deref(),
            Some("Raw Profile Byline")
        );
    }

    #[test]
    fn webp_exif_and_xmp_chunks() {
        let file = webp(&[
            (b"VP8X", vec![0x0C, 0, 0, 0, 0, 0, 0, 0, 0, 0]),
            (b"EXIF", exif_tiff()),
            (
                b"XMP ",
                xmp_packet(
                    "<cc:license rdf:resource=\"https://creativecommons.org/licenses/by/4.0/\"/>",
                ),
            ),
        ]);
        let m = read(&file, Some("webp"));
        assert_eq!(m.creator.as_deref(), Some("Erika Fotografin"));
        assert_eq!(
            m.license_url.as_deref(),
            Some("https://creativecommons.org/licenses/by/4.0/")
        );
    }

    #[test]
    fn gif_xmp_application_extension() {
        let file = gif_with_xmp(&xmp_packet("<xmpRights:Marked>False</xmpRights:Marked>"));
        let m = read(&file, Some("gif"));
        assert_eq!(m.marked, Some(false));
        assert!(m.warnings.is_empty(), "{:?}", m.warnings);
    }

    #[test]
    fn heif_exif_and_xmp_items() {
        let file = heif(
            &exif_tiff(),
            &xmp_packet("<photoshop:Source>Schularchiv</photoshop:Source>"),
        );
        let m = read(&file, Some("heif"));
        assert_eq!(m.creator.as_deref(), Some("Erika Fotografin"));
        assert_eq!(m.source.as_deref(), Some("Schularchiv"));
        assert!(m.warnings.is_empty(), "{:?}", m.warnings);
    }

    #[test]
    fn svg_legacy_cc_rdf() {
        let svg = br#"<?xml version="1.0"?>
<svg xmlns="http://www.w3.org/2000/svg" xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
     xmlns:cc="http://web.resource.org/cc/" xmlns:dc="http://purl.org/dc/elements/1.1/">
  <metadata><rdf:RDF>
    <cc:Work rdf:about="">
      <dc:creator><cc:Agent><dc:title>Clipart Author</dc:title></cc:Agent></dc:creator>
      <dc:rights><cc:Agent><dc:title>Openclipart</dc:title></cc:Agent></dc:rights>
      <cc:license rdf:resource="http://web.resource.org/cc/PublicDomain"/>
    </cc:Work>
    <cc:License rdf:about="http://web.resource.org/cc/PublicDomain"/>
  </rdf:RDF></metadata>
  <rect width="1" height="1"/>
</svg>"#;
        let m = read(svg, Some("svg"));
        assert_eq!(m.creator.as_deref(), Some("Clipart Author"));
        assert_eq!(m.copyright_owner.as_deref(), Some("Openclipart"));
        assert_eq!(m.copyright, None);
        assert_eq!(
            m.license_url.as_deref(),
            Some("http://web.resource.org/cc/PublicDomain")
        );
        // No RDF: nothing read, nothing warned.
        let plain = read(b"<svg xmlns=\"http://www.w3.org/2000/svg\"/>", Some("svg"));
        assert_eq!(plain, Metadata::default());
    }

    #[test]
    fn sidecar_fills_gaps_but_embedded_values_stay() {
        let file = jpeg(&[(0xE1, prefixed(b"Exif\0\0", &exif_tiff()))]);
        let mut m = read(&file, Some("jpeg"));
        merge_sidecar(
            &mut m,
            &xmp_packet(
                "<dc:creator><rdf:Seq><rdf:li>Sidecar Name</rdf:li></rdf:Seq></dc:creator><photoshop:Credit>Sidecar Credit</photoshop:Credit>",
            ),
        );
        assert_eq!(m.creator.as_deref(), Some("Erika Fotografin"));
        assert_eq!(m.credit.as_deref(), Some("Sidecar Credit"));
        assert_eq!(m.sources["credit"], "XMP sidecar-photoshop:Credit");
    }

    #[test]
    fn icc_profile_copyright_is_not_the_image_copyright() {
        let mut icc = b"ICC_PROFILE\0\x01\x01".to_vec();
        icc.extend(b"....desc....cprt....text\0\0\0\0Copyright (c) 1998 Hewlett-Packard Company");
        let m = read(&jpeg(&[(0xE2, icc)]), Some("jpeg"));
        assert_eq!(m.copyright, None);
        assert!(!m.has_rights_info());
    }

    #[test]
    fn undefined_gps_is_not_a_position() {
        let t = tiff(
            vec![],
            Some(vec![
                rationals(2, &[(0, 0), (0, 0), (0, 0)]),
                rationals(4, &[(0, 0), (0, 0), (0, 0)]),
            ]),
        );
        let m = read(&t, Some("tiff"));
        assert!(!m.gps);
        assert_eq!(m.warnings.len(), 1);
    }

    /// Every prefix of every fixture must read without panicking; the reader
    /// is fed truncated files all the time by interrupted uploads.
    #[test]
    fn truncated_files_never_panic() {
        let files: Vec<(&str, Vec<u8>)> = vec![
            (
                "jpeg",
                jpeg(&[
                    (0xE1, prefixed(b"Exif\0\0", &exif_tiff())),
                    (0xED, iptc_app13(&[(2, 80, b"A")])),
                ]),
            ),
            (
                "png",
                png(&[(b"eXIf", exif_tiff()), (b"tEXt", b"Author\0A".to_vec())]),
            ),
            ("webp", webp(&[(b"EXIF", exif_tiff())])),
            ("gif", gif_with_xmp(&xmp_packet(""))),
            ("tiff", exif_tiff()),
            ("heif", heif(&exif_tiff(), &xmp_packet(""))),
        ];
        for (format, file) in files {
            for end in 0..file.len() {
                let _ = read(&file[..end], Some(format));
            }
            assert!(read(&file, Some(format)).warnings.is_empty(), "{format}");
        }
    }

    #[test]
    fn hostile_lengths_and_loops_give_warnings() {
        // JPEG segment claiming more bytes than exist.
        let m = read(
            &[0xFF, 0xD8, 0xFF, 0xE1, 0xFF, 0xFF, b'E', b'x'],
            Some("jpeg"),
        );
        assert!(
            m.warnings.iter().any(|w| w.contains("past the end")),
            "{:?}",
            m.warnings
        );
        // PNG chunk of 4 GB.
        let mut p = b"\x89PNG\r\n\x1a\n".to_vec();
        p.extend([0xFF, 0xFF, 0xFF, 0xF0]);
        p.extend(b"iTXt");
        assert!(!read(&p, Some("png")).warnings.is_empty());
        // TIFF whose IFD0 points to itself as the next IFD.
        let mut t = tiff(vec![ascii(ARTIST, "Loop")], None);
        let next_at = 8 + 2 + 12;
        t[next_at..next_at + 4].copy_from_slice(&8u32.to_le_bytes());
        let m = read(&t, Some("tiff"));
        assert_eq!(m.creator.as_deref(), Some("Loop"));
        assert!(!m.warnings.is_empty());
        // IFD with 65535 entries in a tiny file.
        let mut huge = b"II*\0\x08\0\0\0\xFF\xFF".to_vec();
        huge.extend([0; 30]);
        assert!(!read(&huge, Some("tiff")).warnings.is_empty());
        // HEIF iloc claiming 4 billion items.
        let mut h = heif(&exif_tiff(), b"");
        let at = h.windows(4).position(|w| w == b"iloc").unwrap() + 4 + 4 + 2;
        h[at..at + 2].copy_from_slice(&[0xFF, 0xFF]);
        assert!(!read(&h, Some("heif")).warnings.is_empty());
    }

    #[test]
    fn formats_without_metadata_are_empty() {
        assert_eq!(read(b"BM....", Some("bmp")), Metadata::default());
        assert_eq!(read(b"", None), Metadata::default());
    }
}
