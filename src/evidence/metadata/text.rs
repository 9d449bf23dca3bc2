//! Turning the bytes metadata fields hold into clean text.
//!
//! Real files carry UTF-8, Latin-1, Windows-1252 and UTF-8 that was decoded as
//! Latin-1 and encoded again ("mojibake": `MÃ¼ller`). We repair only what is
//! unambiguous, so a correct name is never damaged.

use std::borrow::Cow;

/// Windows-1252 code points for bytes 0x80..=0x9F (0 where the byte is unassigned,
/// which we then read as the Latin-1 control character, as browsers do).
const CP1252_HIGH: [u16; 32] = [
    0x20AC, 0, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039,
    0x0152, 0, 0x017D, 0, 0, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC,
    0x2122, 0x0161, 0x203A, 0x0153, 0, 0x017E, 0x0178,
];

/// Decode one byte as Windows-1252 (a superset of Latin-1's printable range).
fn cp1252_char(b: u8) -> char {
    match b {
        0x80..=0x9F => match CP1252_HIGH[(b - 0x80) as usize] {
            0 => char::from(b),
            cp => char::from_u32(u32::from(cp)).unwrap_or(char::from(b)),
        },
        _ => char::from(b),
    }
}

/// The Windows-1252 byte for a character, if it has one.
fn cp1252_byte(c: char) -> Option<u8> {
    let cp = c as u32;
    if cp < 0x80 || (0xA0..=0xFF).contains(&cp) {
        return Some(cp as u8);
    }
    if (0x80..0xA0).contains(&cp) {
        // A raw C1 control: only stands for itself where 1252 leaves the byte unassigned.
        return (CP1252_HIGH[(cp - 0x80) as usize] == 0).then_some(cp as u8);
    }
    CP1252_HIGH
        .iter()
        .position(|&m| m != 0 && u32::from(m) == cp)
        .map(|i| 0x80 + i as u8)
}

/// Decode Windows-1252 / Latin-1 bytes.
pub fn decode_cp1252(bytes: &[u8]) -> String {
    bytes.iter().map(|&b| cp1252_char(b)).collect()
}

/// Decode a field whose charset is not declared: UTF-8 when the bytes are valid
/// UTF-8 (then mojibake-repaired), Windows-1252 otherwise.
pub fn decode_guess(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(s) => repair_mojibake(s).into_owned(),
        Err(_) => decode_cp1252(bytes),
    }
}

/// Undo UTF-8 that was read as Windows-1252 and re-encoded, at most twice
/// (double-encoded files exist). Only when the result is valid UTF-8 and every
/// character maps back to a byte: `Müller` in real Latin-1 never qualifies,
/// because `ü` alone is not a valid UTF-8 sequence.
pub fn repair_mojibake(s: &str) -> Cow<'_, str> {
    let mut current: Cow<'_, str> = Cow::Borrowed(s);
    for _ in 0..2 {
        if current.is_ascii() {
            break;
        }
        let Some(bytes) = current
            .chars()
            .map(cp1252_byte)
            .collect::<Option<Vec<u8>>>()
        else {
            break;
        };
        match String::from_utf8(bytes) {
            Ok(fixed) if fixed != *current => current = Cow::Owned(fixed),
            _ => break,
        }
    }
    current
}

/// Trim whitespace and the NUL padding EXIF and IPTC writers leave; `None` when
/// nothing remains (empty values are absent values).
pub fn clean(s: &str) -> Option<String> {
    let t = s.trim_matches(|c: char| c.is_whitespace() || c == '\0');
    (!t.is_empty()).then(|| t.to_string())
}

/// Decode UTF-16 (XPAuthor and friends are UCS-2 little-endian).
pub fn decode_utf16le(bytes: &[u8]) -> String {
    let units = bytes
        .chunks_exact(2)
        .map(|p| u16::from_le_bytes([p[0], p[1]]))
        .take_while(|&u| u != 0);
    char::decode_utf16(units)
        .map(|r| r.unwrap_or(char::REPLACEMENT_CHARACTER))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn double_encoded_utf8_is_repaired() {
        assert_eq!(repair_mojibake("MÃ¼ller"), "Müller");
        assert_eq!(repair_mojibake("Â© 2020 JÃ¼rgen"), "© 2020 Jürgen");
        // Half-repaired text is ambiguous: left as it is.
        assert_eq!(repair_mojibake("Â© 2020 Jürgen"), "Â© 2020 Jürgen");
        // Twice-encoded.
        let twice: String = "ü"
            .bytes()
            .map(cp1252_char)
            .collect::<String>()
            .bytes()
            .map(cp1252_char)
            .collect();
        assert_eq!(twice, "ÃƒÂ¼");
        assert_eq!(repair_mojibake(&twice), "ü");
    }

    #[test]
    fn genuine_text_is_left_alone() {
        assert_eq!(repair_mojibake("Müller"), "Müller");
        assert_eq!(repair_mojibake("© École"), "© École");
        assert_eq!(repair_mojibake("日本語"), "日本語");
    }

    #[test]
    fn latin1_bytes_decode_when_not_utf8() {
        assert_eq!(decode_guess(b"M\xfcller \xa9 \x80"), "Müller © €");
        assert_eq!(decode_guess("Müller".as_bytes()), "Müller");
    }

    #[test]
    fn empty_and_padding_is_absent() {
        assert_eq!(clean("  \0\0"), None);
        assert_eq!(clean(" Jane Doe\0"), Some("Jane Doe".into()));
    }

    #[test]
    fn utf16_author_decodes() {
        let bytes: Vec<u8> = "Zoë"
            .encode_utf16()
            .chain([0])
            .flat_map(|u| u.to_le_bytes())
            .collect();
        assert_eq!(decode_utf16le(&bytes), "Zoë");
    }
}
