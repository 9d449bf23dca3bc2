//! A camera-style EXIF preview, for tests and benchmarks of preview hashing.

/// `main` (a JPEG) with an EXIF APP1 whose IFD1 holds `preview` (a JPEG), the
/// way cameras embed their 160-px thumbnail: a little-endian TIFF with an empty
/// IFD0 pointing at IFD1 (Compression = 6, JPEGInterchangeFormat and its
/// length), then the preview bytes.
pub fn with_exif_preview(main: &[u8], preview: &[u8]) -> Vec<u8> {
    let ifd0_at = 8u32;
    let ifd1_at = ifd0_at + 2 + 4;
    let data_at = ifd1_at + 2 + 3 * 12 + 4;
    let mut tiff = b"II*\0".to_vec();
    tiff.extend_from_slice(&ifd0_at.to_le_bytes());
    tiff.extend_from_slice(&0u16.to_le_bytes());
    tiff.extend_from_slice(&ifd1_at.to_le_bytes());
    tiff.extend_from_slice(&3u16.to_le_bytes());
    for (tag, kind, value) in [
        (0x0103u16, 3u16, 6u32),
        (0x0201, 4, data_at),
        (0x0202, 4, preview.len() as u32),
    ] {
        tiff.extend_from_slice(&tag.to_le_bytes());
        tiff.extend_from_slice(&kind.to_le_bytes());
        tiff.extend_from_slice(&1u32.to_le_bytes());
        tiff.extend_from_slice(&value.to_le_bytes());
    }
    tiff.extend_from_slice(&0u32.to_le_bytes());
    tiff.extend_from_slice(preview);
    let mut payload = b"Exif\0\0".to_vec();
    payload.extend_from_slice(&tiff);
    let mut out = main[..2].to_vec();
    out.extend_from_slice(&[0xFF, 0xE1]);
    out.extend_from_slice(&(payload.len() as u16 + 2).to_be_bytes());
    out.extend_from_slice(&payload);
    out.extend_from_slice(&main[2..]);
    out
}
