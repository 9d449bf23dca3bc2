//! IPTC IIM records and the Photoshop image resources (IRB) that carry them.
//!
//! Written by hand: no maintained crate reads IIM. Both formats are flat
//! length-prefixed lists; every length is checked against the bytes left.

use super::collect::{Collector, Field, rank};
use super::text;

/// Photoshop resource ids we read.
const IRB_IPTC: u16 = 0x0404;
const IRB_COPYRIGHT_URL: u16 = 0x040B;
const IRB_XMP: u16 = 0x0424;

/// Read Photoshop image resources; returns an XMP packet if one is stored there.
pub fn read_photoshop(mut data: &[u8], c: &mut Collector) -> Option<Vec<u8>> {
    let mut xmp = None;
    while data.len() >= 12 {
        let signature = &data[0..4];
        if !matches!(signature, b"8BIM" | b"PHUT" | b"AgHg" | b"DCSR" | b"MeSa") {
            c.warn("Photoshop resources: unknown block signature");
            break;
        }
        let id = u16::from_be_bytes([data[4], data[5]]);
        // Pascal name, padded so that length byte + name is even.
        let name_len = usize::from(data[6]);
        let name_total = (1 + name_len + 1) & !1;
        let size_at = 6 + name_total;
        let Some(size_bytes) = data.get(size_at..size_at + 4) else {
            c.warn("Photoshop resources: truncated block header");
            break;
        };
        let size = u32::from_be_bytes([size_bytes[0], size_bytes[1], size_bytes[2], size_bytes[3]])
            as usize;
        let body_at = size_at + 4;
        let Some(body) = data.get(body_at..body_at.saturating_add(size)) else {
            c.warn(format!(
                "Photoshop resource 0x{id:04X}: length {size} past the end"
            ));
            break;
        };
        match id {
            IRB_IPTC => read_iim(body, c),
            IRB_COPYRIGHT_URL => c.offer(
                Field::WebStatement,
                &text::decode_guess(body),
                "Photoshop:URL",
                rank::FALLBACK,
            ),
            IRB_XMP => xmp = Some(body.to_vec()),
            _ => {}
        }
        let next = body_at + size + (size & 1);
        data = data.get(next..).unwrap_or(&[]);
    }
    xmp
}

/// Read IPTC IIM datasets (record 1 envelope for the charset, record 2 application).
pub fn read_iim(data: &[u8], c: &mut Collector) {
    let mut utf8 = false;
    let mut bylines: Vec<String> = Vec::new();
    let mut date = String::new();
    let mut pos = 0;
    while pos < data.len() {
        if data[pos] != 0x1C {
            // Trailing padding is common; anything else is damage.
            if data[pos..].iter().any(|&b| b != 0) {
                c.warn("IPTC: data after the last record is not a record");
            }
            break;
        }
        let Some(header) = data.get(pos..pos + 5) else {
            c.warn("IPTC: truncated record header");
            break;
        };
        let (record, dataset) = (header[1], header[2]);
        let mut len = usize::from(u16::from_be_bytes([header[3], header[4]]));
        let mut value_at = pos + 5;
        if len & 0x8000 != 0 {
            // Extended dataset: the low bits give how many bytes hold the length.
            let n = len & 0x7FFF;
            let Some(len_bytes) = data.get(value_at..value_at + n).filter(|_| n <= 4) else {
                c.warn("IPTC: bad extended length");
                break;
            };
            len = len_bytes
                .iter()
                .fold(0usize, |acc, &b| (acc << 8) | usize::from(b));
            value_at += n;
        }
        let Some(value) = data.get(value_at..value_at.saturating_add(len)) else {
            c.warn(format!(
                "IPTC {record}:{dataset}: length {len} past the end"
            ));
            break;
        };
        pos = value_at + len;
        let decode = |bytes: &[u8]| {
            if utf8 {
                text::repair_mojibake(&String::from_utf8_lossy(bytes)).into_owned()
            } else {
                text::decode_guess(bytes)
            }
        };
        match (record, dataset) {
            // ESC % G: the records are UTF-8.
            (1, 90) => utf8 = value.windows(3).any(|w| w == b"\x1B%G"),
            (2, 5) => c.offer(Field::Title, &decode(value), "IPTC:ObjectName", rank::IPTC),
            (2, 80) => bylines.extend(text::clean(&decode(value))),
            (2, 110) => c.offer(Field::Credit, &decode(value), "IPTC:Credit", rank::IPTC),
            (2, 115) => c.offer(Field::Source, &decode(value), "IPTC:Source", rank::IPTC),
            (2, 116) => c.offer(
                Field::Copyright,
                &decode(value),
                "IPTC:CopyrightNotice",
                rank::IPTC,
            ),
            (2, 120) => c.offer(
                Field::Description,
                &decode(value),
                "IPTC:Caption-Abstract",
                rank::IPTC,
            ),
            (2, 55) => date = decode(value),
            _ => {}
        }
    }
    if !bylines.is_empty() {
        c.offer(
            Field::Creator,
            &bylines.join(", "),
            "IPTC:By-line",
            rank::IPTC,
        );
    }
    let d = date.trim();
    if d.len() == 8 && d.bytes().all(|b| b.is_ascii_digit()) {
        c.offer(
            Field::DateTaken,
            &format!("{}-{}-{}", &d[0..4], &d[4..6], &d[6..8]),
            "IPTC:DateCreated",
            rank::FALLBACK + 1,
        );
    }
}

/// Build IIM bytes for tests: `(record, dataset, value)` triples.
#[cfg(test)]
pub fn build_iim(datasets: &[(u8, u8, &[u8])]) -> Vec<u8> {
    let mut out = Vec::new();
    for (record, dataset, value) in datasets {
        out.extend([0x1C, *record, *dataset]);
        out.extend((value.len() as u16).to_be_bytes());
        out.extend_from_slice(value);
    }
    out
}

/// Wrap resources in Photoshop IRB blocks for tests.
#[cfg(test)]
pub fn build_irb(blocks: &[(u16, &[u8])]) -> Vec<u8> {
    let mut out = Vec::new();
    for (id, body) in blocks {
        out.extend_from_slice(b"8BIM");
        out.extend(id.to_be_bytes());
        out.extend([0, 0]); // empty Pascal name, padded
        out.extend((body.len() as u32).to_be_bytes());
        out.extend_from_slice(body);
        if body.len() % 2 == 1 {
            out.push(0);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(data: &[u8]) -> crate::model::Metadata {
        let mut c = Collector::default();
        read_iim(data, &mut c);
        c.finish()
    }

    #[test]
    fn iim_fields_and_repeated_bylines() {
        let m = read(&build_iim(&[
            (2, 80, b"Anna"),
            (2, 80, b"Ben"),
            (2, 116, b"(c) 2024 School"),
            (2, 110, b"Photo club"),
            (2, 115, b"Archive"),
            (2, 55, b"20240131"),
        ]));
        assert_eq!(m.creator.as_deref(), Some("Anna, Ben"));
        assert_eq!(m.copyright.as_deref(), Some("(c) 2024 School"));
        assert_eq!(m.credit.as_deref(), Some("Photo club"));
        assert_eq!(m.source.as_deref(), Some("Archive"));
        assert_eq!(m.date_taken.as_deref(), Some("2024-01-31"));
        assert_eq!(m.sources["creator"], "IPTC:By-line");
    }

    #[test]
    fn charset_escape_selects_utf8_and_latin1_is_the_default() {
        let utf8 = read(&build_iim(&[
            (1, 90, b"\x1B%G"),
            (2, 80, "Jürgen".as_bytes()),
        ]));
        assert_eq!(utf8.creator.as_deref(), Some("Jürgen"));
        let latin1 = read(&build_iim(&[(2, 80, b"J\xfcrgen")]));
        assert_eq!(latin1.creator.as_deref(), Some("Jürgen"));
    }

    #[test]
    fn lengths_past_the_end_warn() {
        let mut data = build_iim(&[(2, 80, b"Anna")]);
        data.extend([0x1C, 2, 116, 0xFF, 0x00, b'x']);
        let m = read(&data);
        assert_eq!(m.creator.as_deref(), Some("Anna"));
        assert!(m.copyright.is_none());
        assert_eq!(m.warnings.len(), 1);
        // Extended length claiming 4 GB.
        let m = read(&[0x1C, 2, 80, 0x80, 0x04, 0xFF, 0xFF, 0xFF, 0xFF, b'x']);
        assert!(m.creator.is_none() && !m.warnings.is_empty());
    }

    #[test]
    fn photoshop_blocks_carry_iptc_and_url() {
        let iim = build_iim(&[(2, 80, b"Anna")]);
        let irb = build_irb(&[
            (0x03ED, b"xyz"),
            (IRB_IPTC, &iim),
            (IRB_COPYRIGHT_URL, b"https://example.org/c"),
        ]);
        let mut c = Collector::default();
        read_photoshop(&irb, &mut c);
        let m = c.finish();
        assert_eq!(m.creator.as_deref(), Some("Anna"));
        assert_eq!(m.web_statement.as_deref(), Some("https://example.org/c"));
        let mut c = Collector::default();
        read_photoshop(&irb[..irb.len() - 5], &mut c);
        assert!(!c.warnings.is_empty());
    }
}
