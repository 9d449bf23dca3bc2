//! Builders for the test files: small but well-formed JPEG, PNG, WebP, GIF,
//! TIFF and HEIF files carrying chosen metadata, made in code so every test
//! says exactly what the file holds.

/// One TIFF IFD entry.
pub struct Entry {
    pub tag: u16,
    pub kind: u16,
    pub count: u32,
    pub data: Vec<u8>,
}

pub fn ascii(tag: u16, s: &str) -> Entry {
    let mut data = s.as_bytes().to_vec();
    data.push(0);
    Entry {
        tag,
        kind: 2,
        count: data.len() as u32,
        data,
    }
}

pub fn ascii_bytes(tag: u16, bytes: &[u8]) -> Entry {
    let mut data = bytes.to_vec();
    data.push(0);
    Entry {
        tag,
        kind: 2,
        count: data.len() as u32,
        data,
    }
}

pub fn undefined(tag: u16, data: &[u8]) -> Entry {
    Entry {
        tag,
        kind: 7,
        count: data.len() as u32,
        data: data.to_vec(),
    }
}

pub fn byte(tag: u16, data: &[u8]) -> Entry {
    Entry {
        tag,
        kind: 1,
        count: data.len() as u32,
        data: data.to_vec(),
    }
}

pub fn rationals(tag: u16, values: &[(u32, u32)]) -> Entry {
    let data = values
        .iter()
        .flat_map(|(n, d)| n.to_le_bytes().into_iter().chain(d.to_le_bytes()))
        .collect();
    Entry {
        tag,
        kind: 5,
        count: values.len() as u32,
        data,
    }
}

fn ifd_len(entries: &[Entry]) -> usize {
    2 + 12 * entries.len()
        + 4
        + entries
            .iter()
            .map(|e| {
                if e.data.len() > 4 {
                    (e.data.len() + 1) & !1
                } else {
                    0
                }
            })
            .sum::<usize>()
}

fn write_ifd(out: &mut Vec<u8>, entries: &[Entry]) {
    let start = out.len();
    let mut data_at = start + 2 + 12 * entries.len() + 4;
    let mut data = Vec::new();
    out.extend((entries.len() as u16).to_le_bytes());
    for e in entries {
        out.extend(e.tag.to_le_bytes());
        out.extend(e.kind.to_le_bytes());
        out.extend(e.count.to_le_bytes());
        if e.data.len() <= 4 {
            let mut inline = e.data.clone();
            inline.resize(4, 0);
            out.extend(inline);
        } else {
            out.extend((data_at as u32).to_le_bytes());
            data.extend(&e.data);
            if e.data.len() % 2 == 1 {
                data.push(0);
            }
            data_at = start + 2 + 12 * entries.len() + 4 + data.len();
        }
    }
    out.extend(0u32.to_le_bytes());
    out.extend(data);
}

/// A little-endian TIFF structure with IFD0 and, when given, a GPS IFD.
pub fn tiff(mut ifd0: Vec<Entry>, gps: Option<Vec<Entry>>) -> Vec<u8> {
    let mut out = b"II*\0\x08\0\0\0".to_vec();
    if let Some(gps) = &gps {
        ifd0.push(Entry {
            tag: 0x8825,
            kind: 4,
            count: 1,
            data: vec![0; 4],
        });
        let gps_at = (8 + ifd_len(&ifd0)) as u32;
        ifd0.last_mut().unwrap().data = gps_at.to_le_bytes().to_vec();
        let _ = gps;
    }
    ifd0.sort_by_key(|e| e.tag);
    write_ifd(&mut out, &ifd0);
    if let Some(gps) = gps {
        write_ifd(&mut out, &gps);
    }
    out
}

/// A JPEG: SOI, the given (marker, payload) segments, a stub scan, EOI.
pub fn jpeg(segments: &[(u8, Vec<u8>)]) -> Vec<u8> {
    let mut out = vec![0xFF, 0xD8];
    for (marker, payload) in segments {
        out.extend([0xFF, *marker]);
        out.extend(((payload.len() + 2) as u16).to_be_bytes());
        out.extend(payload);
    }
    out.extend([0xFF, 0xDA, 0x00, 0x02, 0x12, 0x34, 0xFF, 0xD9]);
    out
}

pub fn prefixed(prefix: &[u8], body: &[u8]) -> Vec<u8> {
    [prefix, body].concat()
}

/// A PNG with the given (type, data) chunks between IHDR and IEND.
/// CRCs are zero: the reader does not check them (a bad CRC is a decoder's concern).
pub fn png(chunks: &[(&[u8; 4], Vec<u8>)]) -> Vec<u8> {
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut put = |kind: &[u8], data: &[u8]| {
        out.extend((data.len() as u32).to_be_bytes());
        out.extend(kind);
        out.extend(data);
        out.extend([0; 4]);
    };
    put(b"IHDR", &[0, 0, 0, 1, 0, 0, 0, 1, 8, 0, 0, 0, 0]);
    for (kind, data) in chunks {
        put(*kind, data);
    }
    put(b"IEND", &[]);
    out
}

/// A WebP (RIFF) with the given chunks.
pub fn webp(chunks: &[(&[u8; 4], Vec<u8>)]) -> Vec<u8> {
    let mut body = b"WEBP".to_vec();
    for (kind, data) in chunks {
        body.extend(*kind);
        body.extend((data.len() as u32).to_le_bytes());
        body.extend(data);
        if data.len() % 2 == 1 {
            body.push(0);
        }
    }
    let mut out = b"RIFF".to_vec();
    out.extend((body.len() as u32).to_le_bytes());
    out.extend(body);
    out
}

/// A 1×1 GIF89a with an XMP application extension (raw packet plus the magic trailer).
pub fn gif_with_xmp(xmp: &[u8]) -> Vec<u8> {
    let mut out = b"GIF89a\x01\x00\x01\x00\x80\x00\x00".to_vec();
    out.extend([0, 0, 0, 255, 255, 255]); // global colour table, 2 entries
    out.extend(b"\x21\xFF\x0BXMP DataXMP");
    out.extend(xmp);
    out.push(0x01);
    out.extend((0..=255u8).rev());
    out.push(0x00);
    out.extend(b"\x2C\0\0\0\0\x01\0\x01\0\0\x02\x02\x44\x01\0");
    out.push(0x3B);
    out
}

fn bmff_box(kind: &[u8; 4], body: &[u8]) -> Vec<u8> {
    let mut out = ((body.len() + 8) as u32).to_be_bytes().to_vec();
    out.extend(kind);
    out.extend(body);
    out
}

/// A HEIF with an Exif item and an XMP (`mime`) item stored in `mdat`.
pub fn heif(tiff: &[u8], xmp: &[u8]) -> Vec<u8> {
    let ftyp = bmff_box(b"ftyp", b"heic\0\0\0\0mif1heic");
    let mut exif_item = 0u32.to_be_bytes().to_vec();
    exif_item.extend(tiff);
    let infe = |id: u16, kind: &[u8; 4], extra: &[u8]| {
        let mut b = vec![2, 0, 0, 0];
        b.extend(id.to_be_bytes());
        b.extend([0, 0]);
        b.extend(kind);
        b.extend(extra);
        bmff_box(b"infe", &b)
    };
    let mut iinf = vec![0, 0, 0, 0, 0, 2];
    iinf.extend(infe(1, b"Exif", b"\0"));
    iinf.extend(infe(2, b"mime", b"\0application/rdf+xml\0"));
    let iinf = bmff_box(b"iinf", &iinf);
    // iloc v0, offset/length 4 bytes, no base offset; offsets patched below.
    let iloc_len = 8 + 4 + 2 + 2 + 2 * (2 + 2 + 2 + 4 + 4);
    let meta_len = 8 + 4 + iinf.len() + iloc_len;
    let mdat_start = (ftyp.len() + meta_len + 8) as u32;
    let mut iloc = vec![0, 0, 0, 0, 0x44, 0x00, 0, 2];
    for (id, offset, len) in [
        (1u16, mdat_start, exif_item.len() as u32),
        (2u16, mdat_start + exif_item.len() as u32, xmp.len() as u32),
    ] {
        iloc.extend(id.to_be_bytes());
        iloc.extend([0, 0, 0, 1]);
        iloc.extend(offset.to_be_bytes());
        iloc.extend(len.to_be_bytes());
    }
    let iloc = bmff_box(b"iloc", &iloc);
    let mut meta = vec![0, 0, 0, 0];
    meta.extend(iinf);
    meta.extend(iloc);
    let meta = bmff_box(b"meta", &meta);
    assert_eq!(meta.len(), meta_len);
    let mut mdat_body = exif_item;
    mdat_body.extend(xmp);
    [ftyp, meta, bmff_box(b"mdat", &mdat_body)].concat()
}

/// A minimal XMP packet with the given RDF properties inside one description.
pub fn xmp_packet(properties: &str) -> Vec<u8> {
    format!(
        r#"<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:xmpRights="http://ns.adobe.com/xap/1.0/rights/" xmlns:cc="http://creativecommons.org/ns#" xmlns:photoshop="http://ns.adobe.com/photoshop/1.0/">{properties}</rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end="w"?>"#
    )
    .into_bytes()
}
