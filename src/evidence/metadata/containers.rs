//! Finding the metadata blocks inside each image container.
//!
//! Written by hand: the decoding crates either skip metadata or read whole
//! images to reach it. Every walker moves forward on each step and checks every
//! length against the bytes left, so truncated or hostile files end the walk
//! with a warning, never a panic or a loop. Pixel data is skipped by length,
//! never read.

use std::borrow::Cow;
use std::collections::BTreeMap;

use super::collect::Collector;

/// The metadata blocks one file carries, not yet parsed.
#[derive(Debug, Default)]
pub struct Blocks<'a> {
    /// TIFF structures (from the `II*\0` / `MM\0*` header on).
    pub exif: Vec<Cow<'a, [u8]>>,
    pub xmp: Vec<Cow<'a, [u8]>>,
    /// Photoshop image resources (IRB), which hold IPTC IIM.
    pub photoshop: Vec<Cow<'a, [u8]>>,
    /// Bare IPTC IIM records.
    pub iptc: Vec<Cow<'a, [u8]>>,
    /// PNG text chunks other than metadata profiles: (keyword, text).
    pub text: Vec<(String, String)>,
}

/// Find the metadata blocks for a sniffed format. Formats without a walker
/// give no blocks.
pub fn extract<'a>(bytes: &'a [u8], format: &str, c: &mut Collector) -> Blocks<'a> {
    let mut blocks = Blocks::default();
    match format {
        "jpeg" => jpeg(bytes, &mut blocks, c),
        "png" => png(bytes, &mut blocks, c),
        "webp" => webp(bytes, &mut blocks, c),
        "gif" => gif(bytes, &mut blocks, c),
        "tiff" => blocks.exif.push(Cow::Borrowed(bytes)),
        "heif" | "avif" => heif(bytes, &mut blocks, c),
        _ => {}
    }
    blocks
}

fn be16(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_be_bytes(b.get(at..at + 2)?.try_into().ok()?))
}

fn be32(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

fn le32(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

/// EXIF payloads sometimes keep the JPEG `Exif\0\0` prefix where the format says
/// the TIFF header starts at once (PNG eXIf, WebP EXIF); accept both.
fn strip_exif_prefix(b: &[u8]) -> &[u8] {
    b.strip_prefix(b"Exif\0\0").unwrap_or(b)
}

// ---------------------------------------------------------------------------
// JPEG
// ---------------------------------------------------------------------------

const JPEG_EXIF: &[u8] = b"Exif\0\0";
const JPEG_XMP: &[u8] = b"http://ns.adobe.com/xap/1.0/\0";
const JPEG_XMP_EXTENSION: &[u8] = b"http://ns.adobe.com/xmp/extension/\0";
const JPEG_PHOTOSHOP: &[u8] = b"Photoshop 3.0\0";

/// Extended XMP: a packet too large for one segment, split by GUID into chunks
/// with the full length and each chunk's offset.
#[derive(Default)]
struct Extension<'a> {
    full_len: usize,
    chunks: Vec<(usize, &'a [u8])>,
}

fn jpeg<'a>(b: &'a [u8], blocks: &mut Blocks<'a>, c: &mut Collector) {
    let mut pos = 2;
    let mut photoshop: Vec<u8> = Vec::new();
    let mut extensions: BTreeMap<&'a [u8], Extension<'a>> = BTreeMap::new();
    loop {
        let Some(&[ff, marker]) = b.get(pos..pos + 2) else {
            c.warn("JPEG: file ends before the image data");
            break;
        };
        if ff != 0xFF {
            c.warn(format!("JPEG: expected a marker at byte {pos}"));
            break;
        }
        match marker {
            0xFF => {
                pos += 1; // fill byte
                continue;
            }
            0x01 | 0xD0..=0xD8 => {
                pos += 2; // markers without a length
                continue;
            }
            // Start of scan / end of image: metadata segments all come before.
            0xDA | 0xD9 => break,
            _ => {}
        }
        let Some(len) = be16(b, pos + 2).map(usize::from) else {
            c.warn("JPEG: truncated segment header");
            break;
        };
        let Some(seg) = b.get(pos + 4..pos + 2 + len).filter(|_| len >= 2) else {
            c.warn(format!(
                "JPEG: segment 0x{marker:02X} length {len} past the end"
            ));
            break;
        };
        match marker {
            0xE1 => {
                if let Some(tiff) = seg.strip_prefix(JPEG_EXIF) {
                    blocks.exif.push(Cow::Borrowed(tiff));
                } else if let Some(xmp) = seg.strip_prefix(JPEG_XMP) {
                    blocks.xmp.push(Cow::Borrowed(xmp));
                } else if let Some(ext) = seg.strip_prefix(JPEG_XMP_EXTENSION) {
                    if ext.len() >= 40 {
                        let entry = extensions.entry(&ext[..32]).or_default();
                        entry.full_len = be32(ext, 32).unwrap_or(0) as usize;
                        entry
                            .chunks
                            .push((be32(ext, 36).unwrap_or(0) as usize, &ext[40..]));
                    } else {
                        c.warn("JPEG: truncated extended XMP segment");
                    }
                }
            }
            0xED => {
                // Large resource blocks continue over several APP13 segments.
                if let Some(irb) = seg.strip_prefix(JPEG_PHOTOSHOP) {
                    photoshop.extend_from_slice(irb);
                }
            }
            _ => {}
        }
        pos += 2 + len;
    }
    if !photoshop.is_empty() {
        blocks.photoshop.push(Cow::Owned(photoshop));
    }
    afcp(b, blocks, c);
    for (guid, ext) in extensions {
        // A GUID's chunks must cover exactly the declared length; the total is
        // bounded by the segments actually present, so a lying length cannot
        // make us allocate more than the file holds.
        let present: usize = ext.chunks.iter().map(|(_, d)| d.len()).sum();
        if ext.full_len == 0 || ext.full_len > present {
            c.warn(format!(
                "JPEG: extended XMP {} incomplete",
                String::from_utf8_lossy(guid)
            ));
            continue;
        }
        let mut packet = vec![0u8; ext.full_len];
        let mut ok = true;
        for (offset, data) in ext.chunks {
            match packet.get_mut(offset..offset + data.len()) {
                Some(dst) => dst.copy_from_slice(data),
                None => ok = false,
            }
        }
        if ok {
            blocks.xmp.push(Cow::Owned(packet));
        } else {
            c.warn("JPEG: extended XMP chunk outside its declared length");
        }
    }
}

/// AXS File Concatenation Protocol: a trailer after the JPEG's end that some
/// newsroom tools use for IPTC. A 12-byte footer (`AXS!` big-endian or `AXS*`
/// little-endian, then the header's file offset) points at a directory of
/// (id, size, offset) entries.
fn afcp<'a>(b: &'a [u8], blocks: &mut Blocks<'a>, c: &mut Collector) {
    let Some(footer) = b.len().checked_sub(12).and_then(|at| b.get(at..)) else {
        return;
    };
    let le = match &footer[..4] {
        b"AXS!" => false,
        b"AXS*" => true,
        _ => return,
    };
    let u32_at = |at: usize| {
        let v: [u8; 4] = b.get(at..at + 4)?.try_into().ok()?;
        Some(
            (if le {
                u32::from_le_bytes(v)
            } else {
                u32::from_be_bytes(v)
            }) as usize,
        )
    };
    let u16_at = |at: usize| {
        let v: [u8; 2] = b.get(at..at + 2)?.try_into().ok()?;
        Some(usize::from(if le {
            u16::from_le_bytes(v)
        } else {
            u16::from_be_bytes(v)
        }))
    };
    let header = u32_at(b.len() - 8).unwrap_or(usize::MAX);
    if b.get(header..header + 3) != Some(b"AXS") {
        c.warn("JPEG: AFCP trailer points outside the file");
        return;
    }
    let Some(count) = u16_at(header + 6) else {
        return;
    };
    for i in 0..count {
        let entry = header + 12 + 12 * i;
        let (Some(id), Some(size), Some(offset)) = (
            b.get(entry..entry + 4),
            u32_at(entry + 4),
            u32_at(entry + 8),
        ) else {
            c.warn("JPEG: AFCP directory truncated");
            return;
        };
        if id == b"IPTC" {
            match b.get(offset..offset.saturating_add(size)) {
                Some(iim) => blocks.iptc.push(Cow::Borrowed(iim)),
                None => c.warn("JPEG: AFCP IPTC entry past the end"),
            }
        }
    }
}

// ---------------------------------------------------------------------------
// PNG
// ---------------------------------------------------------------------------

/// Decompressed text is bounded: a zTXt bomb must not exhaust memory.
const MAX_INFLATED: usize = 16 << 20;

fn inflate(data: &[u8], c: &mut Collector, what: &str) -> Option<Vec<u8>> {
    match miniz_oxide::inflate::decompress_to_vec_zlib_with_limit(data, MAX_INFLATED) {
        Ok(v) => Some(v),
        Err(e) => {
            c.warn(format!("PNG {what}: cannot decompress ({:?})", e.status));
            None
        }
    }
}

fn png<'a>(b: &'a [u8], blocks: &mut Blocks<'a>, c: &mut Collector) {
    let mut pos = 8;
    while pos < b.len() {
        let (Some(len), Some(kind)) = (be32(b, pos), b.get(pos + 4..pos + 8)) else {
            c.warn("PNG: truncated chunk header");
            break;
        };
        let len = len as usize;
        let Some(data) = b.get(pos + 8..(pos + 8).saturating_add(len)) else {
            c.warn(format!(
                "PNG: chunk {} length {len} past the end",
                String::from_utf8_lossy(kind)
            ));
            break;
        };
        match kind {
            b"eXIf" => blocks.exif.push(Cow::Borrowed(strip_exif_prefix(data))),
            b"iTXt" => png_itxt(data, blocks, c),
            b"tEXt" => {
                if let Some((keyword, text)) = split_keyword(data) {
                    png_text(keyword, Cow::Borrowed(text), blocks, c);
                }
            }
            b"zTXt" => {
                if let Some((keyword, rest)) = split_keyword(data)
                    && let Some(text) = rest.get(1..).and_then(|z| inflate(z, c, "zTXt"))
                {
                    png_text(keyword, Cow::Owned(text), blocks, c);
                }
            }
            b"IEND" => break,
            _ => {}
        }
        pos += 12 + len;
    }
}

fn split_keyword(data: &[u8]) -> Option<(&str, &[u8])> {
    let nul = data.iter().position(|&b| b == 0)?;
    Some((std::str::from_utf8(&data[..nul]).ok()?, &data[nul + 1..]))
}

fn png_itxt<'a>(data: &'a [u8], blocks: &mut Blocks<'a>, c: &mut Collector) {
    let Some((keyword, rest)) = split_keyword(data) else {
        c.warn("PNG iTXt: no keyword");
        return;
    };
    let (Some(&compressed), Some(rest)) = (rest.first(), rest.get(2..)) else {
        c.warn("PNG iTXt: truncated");
        return;
    };
    // Language tag and translated keyword, each NUL-terminated.
    let mut text = rest;
    for _ in 0..2 {
        match text.iter().position(|&b| b == 0) {
            Some(n) => text = &text[n + 1..],
            None => {
                c.warn("PNG iTXt: truncated");
                return;
            }
        }
    }
    let text: Cow<'a, [u8]> = if compressed == 1 {
        match inflate(text, c, "iTXt") {
            Some(v) => Cow::Owned(v),
            None => return,
        }
    } else {
        Cow::Borrowed(text)
    };
    if keyword == "XML:com.adobe.xmp" {
        blocks.xmp.push(text);
    } else {
        blocks.text.push((
            keyword.to_string(),
            String::from_utf8_lossy(&text).into_owned(),
        ));
    }
}

/// tEXt/zTXt: ImageMagick's hex "Raw profile type …" blocks, or plain Latin-1 text.
fn png_text<'a>(keyword: &str, text: Cow<'a, [u8]>, blocks: &mut Blocks<'a>, c: &mut Collector) {
    let Some(profile) = keyword.strip_prefix("Raw profile type ") else {
        if keyword == "XML:com.adobe.xmp" {
            blocks.xmp.push(text);
        } else {
            blocks
                .text
                .push((keyword.to_string(), super::text::decode_cp1252(&text)));
        }
        return;
    };
    let Some(raw) = raw_profile(&text) else {
        c.warn(format!("PNG: raw profile `{profile}` is not valid hex"));
        return;
    };
    match profile.to_ascii_lowercase().as_str() {
        "exif" | "app1" => {
            let tiff = strip_exif_prefix(&raw).to_vec();
            blocks.exif.push(Cow::Owned(tiff));
        }
        "xmp" => blocks.xmp.push(Cow::Owned(raw)),
        "iptc" | "8bim" => {
            if raw.starts_with(b"8BIM") {
                blocks.photoshop.push(Cow::Owned(raw));
            } else {
                blocks.iptc.push(Cow::Owned(raw));
            }
        }
        _ => {}
    }
}

/// `\n<name>\n   <length>\n<hex digits, wrapped>` → bytes.
fn raw_profile(text: &[u8]) -> Option<Vec<u8>> {
    let text = std::str::from_utf8(text).ok()?;
    let mut lines = text.trim_start_matches('\n').splitn(3, '\n');
    let _name = lines.next()?;
    let declared: usize = lines.next()?.trim().parse().ok()?;
    let hex = lines.next()?;
    let mut out = Vec::with_capacity(declared.min(hex.len() / 2));
    let mut digits = hex.bytes().filter(|b| !b.is_ascii_whitespace());
    while out.len() < declared {
        let (Some(hi), Some(lo)) = (digits.next(), digits.next()) else {
            break;
        };
        let nibble = |d: u8| (d as char).to_digit(16).map(|v| v as u8);
        out.push(nibble(hi)? << 4 | nibble(lo)?);
    }
    Some(out)
}

// ---------------------------------------------------------------------------
// WebP
// ---------------------------------------------------------------------------

fn webp<'a>(b: &'a [u8], blocks: &mut Blocks<'a>, c: &mut Collector) {
    let mut pos = 12;
    while pos + 8 <= b.len() {
        let kind = &b[pos..pos + 4];
        let len = le32(b, pos + 4).unwrap_or(0) as usize;
        let Some(data) = b.get(pos + 8..(pos + 8).saturating_add(len)) else {
            c.warn(format!(
                "WebP: chunk {} length {len} past the end",
                String::from_utf8_lossy(kind)
            ));
            break;
        };
        match kind {
            b"EXIF" => blocks.exif.push(Cow::Borrowed(strip_exif_prefix(data))),
            b"XMP " => blocks.xmp.push(Cow::Borrowed(data)),
            _ => {}
        }
        pos += 8 + len + (len & 1);
    }
}

// ---------------------------------------------------------------------------
// GIF
// ---------------------------------------------------------------------------

fn gif<'a>(b: &'a [u8], blocks: &mut Blocks<'a>, c: &mut Collector) {
    let Some(&packed) = b.get(10) else {
        c.warn("GIF: truncated header");
        return;
    };
    let mut pos = 13 + color_table_len(packed);
    /// Skip data sub-blocks (length byte + data, ended by a zero length).
    fn skip_sub_blocks(b: &[u8], mut pos: usize) -> Option<usize> {
        loop {
            let n = usize::from(*b.get(pos)?);
            pos += 1 + n;
            if n == 0 {
                return Some(pos);
            }
        }
    }
    loop {
        let next = match b.get(pos) {
            Some(0x21) => {
                let label = b.get(pos + 1).copied();
                if label == Some(0xFF) && b.get(pos + 2..pos + 14) == Some(b"\x0BXMP DataXMP") {
                    // XMP is stored raw, followed by a "magic trailer" built so
                    // that sub-block skipping lands on the terminator.
                    let data = &b[pos + 14..];
                    let end = find(data, b"<?xpacket end")
                        .and_then(|s| find(&data[s..], b"?>").map(|e| s + e + 2))
                        .or_else(|| find(data, b"\x01\xFF\xFE\xFD"));
                    match end {
                        Some(end) => blocks.xmp.push(Cow::Borrowed(&data[..end])),
                        None => c.warn("GIF: XMP without its end"),
                    }
                }
                skip_sub_blocks(b, pos + 2)
            }
            Some(0x2C) => b.get(pos + 9).and_then(|&packed| {
                // Image descriptor, optional local colour table, LZW code size, data.
                skip_sub_blocks(b, pos + 10 + color_table_len(packed) + 1)
            }),
            Some(0x3B) => break,
            None => {
                c.warn("GIF: file ends without a trailer");
                break;
            }
            Some(other) => {
                c.warn(format!("GIF: unknown block 0x{other:02X} at byte {pos}"));
                break;
            }
        };
        match next {
            Some(n) => pos = n,
            None => {
                c.warn("GIF: truncated block");
                break;
            }
        }
    }
}

fn color_table_len(packed: u8) -> usize {
    if packed & 0x80 != 0 {
        3 << ((packed & 7) + 1)
    } else {
        0
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

// ---------------------------------------------------------------------------
// HEIF / AVIF (ISO base media file format)
// ---------------------------------------------------------------------------

/// A bounds-checked big-endian reader over one box's bytes.
struct Cursor<'a> {
    b: &'a [u8],
    pos: usize,
}

impl<'a> Cursor<'a> {
    fn new(b: &'a [u8]) -> Self {
        Cursor { b, pos: 0 }
    }
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let s = self.b.get(self.pos..self.pos.checked_add(n)?)?;
        self.pos += n;
        Some(s)
    }
    fn uint(&mut self, size: usize) -> Option<u64> {
        Some(
            self.take(size)?
                .iter()
                .fold(0u64, |a, &x| (a << 8) | u64::from(x)),
        )
    }
    fn u8(&mut self) -> Option<u8> {
        Some(self.take(1)?[0])
    }
    fn u16(&mut self) -> Option<u16> {
        self.uint(2).map(|v| v as u16)
    }
    fn u32(&mut self) -> Option<u32> {
        self.uint(4).map(|v| v as u32)
    }
    fn rest(&self) -> &'a [u8] {
        self.b.get(self.pos..).unwrap_or(&[])
    }
}

/// Iterate the boxes directly inside `b`: (type, body).
fn boxes(b: &[u8]) -> impl Iterator<Item = ([u8; 4], &[u8])> {
    let mut pos = 0usize;
    std::iter::from_fn(move || {
        let mut cur = Cursor::new(b.get(pos..)?);
        let size = cur.u32()? as u64;
        let kind: [u8; 4] = cur.take(4)?.try_into().ok()?;
        let (header, total) = match size {
            0 => (8, (b.len() - pos) as u64),
            1 => (16, cur.uint(8)?),
            n => (8, n),
        };
        if total < header {
            return None;
        }
        let total = usize::try_from(total).ok()?;
        let body = b.get(pos + header as usize..pos.checked_add(total)?)?;
        pos += total;
        Some((kind, body))
    })
}

#[derive(Debug, Default)]
struct Item {
    kind: [u8; 4],
    content_type: String,
    construction: u16,
    extents: Vec<(u64, u64)>,
}

fn heif<'a>(b: &'a [u8], blocks: &mut Blocks<'a>, c: &mut Collector) {
    let Some((_, meta)) = boxes(b).find(|(k, _)| k == b"meta") else {
        c.warn("HEIF: no meta box");
        return;
    };
    // `meta` is a full box: version and flags first.
    let meta = meta.get(4..).unwrap_or(&[]);
    let mut items: BTreeMap<u32, Item> = BTreeMap::new();
    let mut idat: &[u8] = &[];
    for (kind, body) in boxes(meta) {
        let parsed = match &kind {
            b"iinf" => parse_iinf(body, &mut items),
            b"iloc" => parse_iloc(body, &mut items),
            b"idat" => {
                idat = body;
                Some(())
            }
            _ => Some(()),
        };
        if parsed.is_none() {
            c.warn(format!(
                "HEIF: malformed {} box",
                String::from_utf8_lossy(&kind)
            ));
        }
    }
    for item in items.values() {
        let is_exif = &item.kind == b"Exif";
        let is_xmp = &item.kind == b"mime" && item.content_type.contains("rdf+xml");
        if !is_exif && !is_xmp {
            continue;
        }
        let source: &[u8] = if item.construction == 1 { idat } else { b };
        let mut data: Vec<u8> = Vec::new();
        for &(offset, len) in &item.extents {
            let range = usize::try_from(offset)
                .ok()
                .zip(usize::try_from(len).ok())
                .and_then(|(o, l)| source.get(o..o.checked_add(l)?));
            match range {
                // Extents may repeat; an item can never be larger than the file.
                Some(bytes) if data.len() + bytes.len() <= b.len() => data.extend_from_slice(bytes),
                _ => {
                    c.warn("HEIF: item extent past the end");
                    data.clear();
                    break;
                }
            }
        }
        if data.is_empty() {
            continue;
        }
        if is_exif {
            // A 4-byte offset to the TIFF header precedes the EXIF payload.
            let skip = be32(&data, 0).unwrap_or(0) as usize;
            match data.get(4 + skip..) {
                Some(tiff) => blocks
                    .exif
                    .push(Cow::Owned(strip_exif_prefix(tiff).to_vec())),
                None => c.warn("HEIF: Exif item header offset past the end"),
            }
        } else {
            blocks.xmp.push(Cow::Owned(data));
        }
    }
}

fn parse_iinf(body: &[u8], items: &mut BTreeMap<u32, Item>) -> Option<()> {
    let mut cur = Cursor::new(body);
    let version = cur.u8()?;
    cur.take(3)?;
    let _count = if version == 0 {
        u32::from(cur.u16()?)
    } else {
        cur.u32()?
    };
    for (kind, infe) in boxes(cur.rest()) {
        if &kind != b"infe" {
            continue;
        }
        let mut e = Cursor::new(infe);
        let v = e.u8()?;
        e.take(3)?;
        if v < 2 {
            continue; // item_type arrived in version 2
        }
        let id = if v == 2 {
            u32::from(e.u16()?)
        } else {
            e.u32()?
        };
        e.u16()?; // protection index
        let item_type: [u8; 4] = e.take(4)?.try_into().ok()?;
        let item = items.entry(id).or_default();
        item.kind = item_type;
        if &item_type == b"mime" {
            let rest = e.rest();
            // Item name, then content type, each NUL-terminated.
            let mut parts = rest.split(|&b| b == 0);
            parts.next();
            item.content_type = String::from_utf8_lossy(parts.next().unwrap_or(&[])).into_owned();
        }
    }
    Some(())
}

fn parse_iloc(body: &[u8], items: &mut BTreeMap<u32, Item>) -> Option<()> {
    let mut cur = Cursor::new(body);
    let version = cur.u8()?;
    cur.take(3)?;
    let sizes = cur.u8()?;
    let (offset_size, length_size) = (usize::from(sizes >> 4), usize::from(sizes & 15));
    let sizes2 = cur.u8()?;
    let base_offset_size = usize::from(sizes2 >> 4);
    let index_size = if version >= 1 {
        usize::from(sizes2 & 15)
    } else {
        0
    };
    let count = if version < 2 {
        u32::from(cur.u16()?)
    } else {
        cur.u32()?
    };
    for _ in 0..count {
        // Each item needs at least a few bytes: a huge count ends at the buffer's end.
        let id = if version < 2 {
            u32::from(cur.u16()?)
        } else {
            cur.u32()?
        };
        let construction = if version >= 1 { cur.u16()? & 15 } else { 0 };
        cur.u16()?; // data reference index
        let base = cur.uint(base_offset_size)?;
        let extents = cur.u16()?;
        let mut list = Vec::new();
        for _ in 0..extents {
            if index_size > 0 {
                cur.uint(index_size)?;
            }
            let offset = cur.uint(offset_size)?;
            let len = cur.uint(length_size)?;
            list.push((base.checked_add(offset)?, len));
        }
        let item = items.entry(id).or_default();
        item.construction = construction;
        item.extents = list;
    }
    Some(())
}
