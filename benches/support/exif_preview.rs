//! Camera-style EXIF (an orientation tag, a preview), for tests and benchmarks
//! of preview hashing and of photos stored sideways.

/// `main` (a JPEG) with an EXIF APP1 whose IFD1 holds `preview` (a JPEG), the
/// way cameras embed their 160-px thumbnail.
#[allow(dead_code)]
pub fn with_exif_preview(main: &[u8], preview: &[u8]) -> Vec<u8> {
    with_exif(main, None, Some(preview))
}

/// `main` (a JPEG) with an EXIF APP1: a little-endian TIFF whose IFD0 holds
/// `orientation` (tag 0x0112) when given, pointing at an IFD1 that holds
/// `preview` (Compression = 6, JPEGInterchangeFormat and its length) when
/// given, then the preview bytes. Phones store a portrait sideways with
/// orientation 6 (turn 90° clockwise to display), its preview sideways too.
#[allow(dead_code)]
pub fn with_exif(main: &[u8], orientation: Option<u16>, preview: Option<&[u8]>) -> Vec<u8> {
    let entry = |tiff: &mut Vec<u8>, tag: u16, kind: u16, value: u32| {
        tiff.extend_from_slice(&tag.to_le_bytes());
        tiff.extend_from_slice(&kind.to_le_bytes());
        tiff.extend_from_slice(&1u32.to_le_bytes());
        tiff.extend_from_slice(&value.to_le_bytes());
    };
    let ifd0_at = 8u32;
    let ifd0_entries = u16::from(orientation.is_some());
    let ifd1_at = ifd0_at + 2 + 12 * u32::from(ifd0_entries) + 4;
    let data_at = ifd1_at + 2 + 3 * 12 + 4;
    let mut tiff = b"II*\0".to_vec();
    tiff.extend_from_slice(&ifd0_at.to_le_bytes());
    tiff.extend_from_slice(&ifd0_entries.to_le_bytes());
    if let Some(orientation) = orientation {
        // A SHORT is left-justified in the value field: little-endian, the low bytes.
        entry(&mut tiff, 0x0112, 3, u32::from(orientation));
    }
    match preview {
        None => tiff.extend_from_slice(&0u32.to_le_bytes()),
        Some(preview) => {
            tiff.extend_from_slice(&ifd1_at.to_le_bytes());
            tiff.extend_from_slice(&3u16.to_le_bytes());
            entry(&mut tiff, 0x0103, 3, 6);
            entry(&mut tiff, 0x0201, 4, data_at);
            entry(&mut tiff, 0x0202, 4, preview.len() as u32);
            tiff.extend_from_slice(&0u32.to_le_bytes());
            tiff.extend_from_slice(preview);
        }
    }
    let mut payload = b"Exif\0\0".to_vec();
    payload.extend_from_slice(&tiff);
    let mut out = main[..2].to_vec();
    out.extend_from_slice(&[0xFF, 0xE1]);
    out.extend_from_slice(&(payload.len() as u16 + 2).to_be_bytes());
    out.extend_from_slice(&payload);
    out.extend_from_slice(&main[2..]);
    out
}
