//! The 1/8-scale luma plane of a JPEG, read from its DC coefficients alone.
//!
//! The DC coefficient of each 8×8 block is that block's mean brightness, so the
//! DC values of the luma component *are* the image at 1/8 scale — the smallest
//! DCT-domain scale, and all a 32×32 perceptual hash needs from a photo. This
//! reader entropy-decodes the scan (the Huffman codes must be walked to find
//! each block's start) but never dequantizes AC coefficients, never runs an
//! IDCT, never upsamples or converts colour, and allocates one byte per block.
//! In a progressive JPEG it reads only the first DC scan and skips the rest.
//!
//! Written here because no crate offers it: `jpeg-decoder` scales in the DCT
//! domain too, but converts every component to RGB and, for outputs wider than
//! 128 px, starts a thread per colour component for each image, which on the
//! rayon pool cost more than the decoding itself (BENCHMARKS.md, "Fingerprints").
//! Anything unusual — arithmetic coding, lossless or hierarchical frames, CMYK
//! or RGB-coded files, damaged entropy data — is an error here, and the caller
//! falls back to the general decoder, which also reports real damage.

/// The luma component at 1/8 scale: one byte per 8×8 block, row-major.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DcPlane {
    pub width: u32,
    pub height: u32,
    pub luma: Vec<u8>,
}

/// Why the DC-only reader did not produce a plane.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DcError {
    #[error("not a JPEG file")]
    NotJpeg,
    #[error("{0} JPEGs are left to the general decoder")]
    Unsupported(&'static str),
    #[error("damaged JPEG: {0}")]
    Damaged(&'static str),
}

type Result<T> = std::result::Result<T, DcError>;

/// Read the luma DC plane of a baseline, extended or progressive Huffman JPEG.
pub fn dc_luma(bytes: &[u8]) -> Result<DcPlane> {
    if !bytes.starts_with(&[0xFF, 0xD8]) {
        return Err(DcError::NotJpeg);
    }
    let mut state = State::default();
    let mut pos = 2;
    loop {
        let (marker, after) = next_marker(bytes, pos)?;
        pos = after;
        match marker {
            // Markers without a length.
            0xD0..=0xD7 | 0x01 => continue,
            0xD9 => return Err(DcError::Damaged("the image ends before its luma scan")),
            _ => {}
        }
        let segment = segment(bytes, pos)?;
        pos += 2 + segment.len();
        match marker {
            0xC0 | 0xC1 => state.frame(segment, false)?,
            0xC2 => state.frame(segment, true)?,
            0xC3 | 0xC5..=0xC7 | 0xCB | 0xCD..=0xCF => {
                return Err(DcError::Unsupported("lossless or hierarchical"));
            }
            0xC9 | 0xCA => return Err(DcError::Unsupported("arithmetic-coded")),
            0xC4 => state.huffman_tables(segment)?,
            0xDB => state.quantization_tables(segment)?,
            0xDD => {
                let interval = segment.get(..2).ok_or(DcError::Damaged("short DRI"))?;
                state.restart_interval = u16::from_be_bytes([interval[0], interval[1]]);
            }
            0xEE if segment.starts_with(b"Adobe") && segment.get(11) == Some(&0) => {
                // Adobe transform 0: the components are R, G, B, not Y, Cb, Cr.
                state.adobe_rgb = true;
            }
            0xDA => {
                let scan = state.scan_header(segment)?;
                let end = state.decode_scan(bytes, pos, &scan)?;
                if state.luma_done {
                    return state.plane();
                }
                pos = end;
            }
            _ => {}
        }
    }
}

/// The EXIF payload (TIFF header onwards) of a JPEG's APP1 segment, if any.
pub fn exif_payload(bytes: &[u8]) -> Option<&[u8]> {
    if !bytes.starts_with(&[0xFF, 0xD8]) {
        return None;
    }
    let mut pos = 2;
    loop {
        let (marker, after) = next_marker(bytes, pos).ok()?;
        if matches!(marker, 0xD0..=0xD7 | 0x01) {
            pos = after;
            continue;
        }
        // Metadata segments come before the first scan; stop there.
        if matches!(marker, 0xDA | 0xD9) {
            return None;
        }
        let segment = segment(bytes, after).ok()?;
        if marker == 0xE1
            && let Some(tiff) = segment.strip_prefix(b"Exif\0\0")
        {
            return Some(tiff);
        }
        pos = after + 2 + segment.len();
    }
}

/// Find the marker at or after `pos`; returns (marker code, position after it).
fn next_marker(bytes: &[u8], mut pos: usize) -> Result<(u8, usize)> {
    // Between segments only 0xFF fill bytes are allowed; anything else is damage.
    match bytes.get(pos) {
        Some(0xFF) => {}
        Some(_) => return Err(DcError::Damaged("data between segments")),
        None => return Err(DcError::Damaged("truncated")),
    }
    while bytes.get(pos) == Some(&0xFF) {
        pos += 1;
    }
    match bytes.get(pos) {
        Some(&code) if code != 0 => Ok((code, pos + 1)),
        Some(_) => Err(DcError::Damaged("stuffed byte outside a scan")),
        None => Err(DcError::Damaged("truncated")),
    }
}

/// The payload of the length-prefixed segment starting at `pos`.
fn segment(bytes: &[u8], pos: usize) -> Result<&[u8]> {
    let len = bytes
        .get(pos..pos + 2)
        .map(|l| usize::from(u16::from_be_bytes([l[0], l[1]])))
        .ok_or(DcError::Damaged("truncated"))?;
    if len < 2 {
        return Err(DcError::Damaged("segment length below 2"));
    }
    bytes
        .get(pos + 2..pos + len)
        .ok_or(DcError::Damaged("truncated"))
}

#[derive(Debug, Clone, Copy)]
struct Component {
    id: u8,
    h: usize,
    v: usize,
    quant: usize,
}

#[derive(Debug)]
struct Frame {
    width: usize,
    height: usize,
    precision: u8,
    progressive: bool,
    components: Vec<Component>,
    h_max: usize,
    v_max: usize,
    /// MCUs per row and column of an interleaved scan.
    mcus_x: usize,
    mcus_y: usize,
}

impl Frame {
    /// Blocks per row and column of component `c` in a non-interleaved scan.
    fn component_blocks(&self, c: &Component) -> (usize, usize) {
        let w = (self.width * c.h).div_ceil(self.h_max);
        let h = (self.height * c.v).div_ceil(self.v_max);
        (w.div_ceil(8), h.div_ceil(8))
    }
}

struct ScanComponent {
    index: usize,
    dc_table: usize,
    ac_table: usize,
}

struct Scan {
    components: Vec<ScanComponent>,
    spectral_start: u8,
    spectral_end: u8,
    approx_high: u8,
    approx_low: u8,
}

#[derive(Default)]
struct State {
    frame: Option<Frame>,
    dc_tables: [Option<Huffman>; 4],
    ac_tables: [Option<Huffman>; 4],
    /// The DC step of each quantization table (the only entry needed).
    dc_quant: [Option<u16>; 4],
    restart_interval: u16,
    adobe_rgb: bool,
    /// Luma DC values (before dequantization), padded to whole MCUs.
    luma_dc: Vec<i32>,
    luma_stride: usize,
    luma_done: bool,
}

impl State {
    fn frame(&mut self, s: &[u8], progressive: bool) -> Result<()> {
        if self.frame.is_some() {
            return Err(DcError::Unsupported("multi-frame"));
        }
        if s.len() < 6 {
            return Err(DcError::Damaged("short frame header"));
        }
        let precision = s[0];
        let height = usize::from(u16::from_be_bytes([s[1], s[2]]));
        let width = usize::from(u16::from_be_bytes([s[3], s[4]]));
        let count = usize::from(s[5]);
        if precision != 8 && precision != 12 {
            return Err(DcError::Unsupported("non-8/12-bit"));
        }
        if height == 0 {
            return Err(DcError::Unsupported("height-in-DNL"));
        }
        if width == 0 {
            return Err(DcError::Damaged("zero width"));
        }
        match count {
            1 | 3 => {}
            4 => return Err(DcError::Unsupported("CMYK")),
            _ => return Err(DcError::Damaged("component count")),
        }
        let specs = s
            .get(6..6 + 3 * count)
            .ok_or(DcError::Damaged("short frame header"))?;
        let components: Vec<Component> = specs
            .chunks_exact(3)
            .map(|c| Component {
                id: c[0],
                h: usize::from(c[1] >> 4),
                v: usize::from(c[1] & 15),
                quant: usize::from(c[2]),
            })
            .collect();
        if components
            .iter()
            .any(|c| !(1..=4).contains(&c.h) || !(1..=4).contains(&c.v) || c.quant > 3)
        {
            return Err(DcError::Damaged("sampling factors or table"));
        }
        let h_max = components.iter().map(|c| c.h).max().unwrap_or(1);
        let v_max = components.iter().map(|c| c.v).max().unwrap_or(1);
        let mcus_x = width.div_ceil(8 * h_max);
        let mcus_y = height.div_ceil(8 * v_max);
        let luma = components[0];
        self.luma_stride = mcus_x * luma.h;
        self.luma_dc = vec![0; self.luma_stride * mcus_y * luma.v];
        self.frame = Some(Frame {
            width,
            height,
            precision,
            progressive,
            components,
            h_max,
            v_max,
            mcus_x,
            mcus_y,
        });
        Ok(())
    }

    fn huffman_tables(&mut self, mut s: &[u8]) -> Result<()> {
        while !s.is_empty() {
            let class_and_id = s[0];
            let counts: [u8; 16] = s
                .get(1..17)
                .and_then(|c| c.try_into().ok())
                .ok_or(DcError::Damaged("short DHT"))?;
            let total: usize = counts.iter().map(|&c| usize::from(c)).sum();
            let symbols = s.get(17..17 + total).ok_or(DcError::Damaged("short DHT"))?;
            let table = Huffman::new(&counts, symbols)?;
            let id = usize::from(class_and_id & 15);
            match (class_and_id >> 4, id) {
                (0, 0..=3) => self.dc_tables[id] = Some(table),
                (1, 0..=3) => self.ac_tables[id] = Some(table),
                _ => return Err(DcError::Damaged("Huffman table class or id")),
            }
            s = &s[17 + total..];
        }
        Ok(())
    }

    fn quantization_tables(&mut self, mut s: &[u8]) -> Result<()> {
        while !s.is_empty() {
            let (precision, id) = (s[0] >> 4, usize::from(s[0] & 15));
            let size = if precision == 0 { 64 } else { 128 };
            let table = s.get(1..1 + size).ok_or(DcError::Damaged("short DQT"))?;
            if id > 3 {
                return Err(DcError::Damaged("quantization table id"));
            }
            self.dc_quant[id] = Some(if precision == 0 {
                u16::from(table[0])
            } else {
                u16::from_be_bytes([table[0], table[1]])
            });
            s = &s[1 + size..];
        }
        Ok(())
    }

    fn scan_header(&self, s: &[u8]) -> Result<Scan> {
        let frame = self
            .frame
            .as_ref()
            .ok_or(DcError::Damaged("scan before frame header"))?;
        if frame.components.len() == 3 && (self.adobe_rgb || is_rgb_ids(&frame.components)) {
            return Err(DcError::Unsupported("RGB-coded"));
        }
        let count = usize::from(*s.first().ok_or(DcError::Damaged("short scan header"))?);
        let body = s
            .get(1..1 + 2 * count + 3)
            .ok_or(DcError::Damaged("short scan header"))?;
        if count == 0 || count > 4 {
            return Err(DcError::Damaged("scan component count"));
        }
        let mut components = Vec::with_capacity(count);
        for spec in body[..2 * count].chunks_exact(2) {
            let index = frame
                .components
                .iter()
                .position(|c| c.id == spec[0])
                .ok_or(DcError::Damaged("scan names an unknown component"))?;
            components.push(ScanComponent {
                index,
                dc_table: usize::from(spec[1] >> 4) & 3,
                ac_table: usize::from(spec[1] & 15) & 3,
            });
        }
        let tail = &body[2 * count..];
        Ok(Scan {
            components,
            spectral_start: tail[0],
            spectral_end: tail[1],
            approx_high: tail[2] >> 4,
            approx_low: tail[2] & 15,
        })
    }

    /// Decode (or skip) the entropy-coded data of one scan starting at `pos`;
    /// returns the position of the marker that ends it.
    fn decode_scan(&mut self, bytes: &[u8], pos: usize, scan: &Scan) -> Result<usize> {
        let frame = self.frame.as_ref().expect("scan_header checked the frame");
        let has_luma = scan.components.iter().any(|c| c.index == 0);
        // Progressive AC scans and DC refinements add nothing to the DC plane.
        let wanted = has_luma
            && !self.luma_done
            && (!frame.progressive || (scan.spectral_start == 0 && scan.approx_high == 0));
        if !wanted {
            return Ok(skip_entropy_data(bytes, pos));
        }
        if !frame.progressive && (scan.spectral_start != 0 || scan.spectral_end != 63) {
            return Err(DcError::Damaged("sequential scan with a partial spectrum"));
        }
        let dc_only = frame.progressive;
        let mut tables = Vec::with_capacity(scan.components.len());
        for c in &scan.components {
            let dc = self.dc_tables[c.dc_table]
                .as_ref()
                .ok_or(DcError::Damaged("missing DC Huffman table"))?;
            let ac = if dc_only {
                None
            } else {
                Some(
                    self.ac_tables[c.ac_table]
                        .as_ref()
                        .ok_or(DcError::Damaged("missing AC Huffman table"))?,
                )
            };
            tables.push((dc, ac));
        }
        let mut bits = BitReader::new(bytes, pos);
        let mut predictors = [0i32; 4];
        let restart = usize::from(self.restart_interval);
        let shift = u32::from(scan.approx_low);
        let mut mcu_index = 0;
        let decode_block = |bits: &mut BitReader,
                            k: usize,
                            predictors: &mut [i32; 4],
                            luma: Option<&mut i32>|
         -> Result<()> {
            let (dc, ac) = tables[k];
            let category = bits.decode(dc)?;
            let diff = bits.receive_extend(category)?;
            predictors[k] = predictors[k].wrapping_add(diff);
            if let Some(slot) = luma {
                *slot = predictors[k] << shift;
            }
            if let Some(ac) = ac {
                bits.skip_ac(ac)?;
            }
            Ok(())
        };
        let luma_stride = self.luma_stride;
        if scan.components.len() == 1 {
            // Non-interleaved: the component's own blocks, row by row, one per MCU.
            let component = frame.components[scan.components[0].index];
            let is_luma = scan.components[0].index == 0;
            let (blocks_x, blocks_y) = frame.component_blocks(&component);
            for by in 0..blocks_y {
                for bx in 0..blocks_x {
                    if restart > 0 && mcu_index > 0 && mcu_index % restart == 0 {
                        bits.restart()?;
                        predictors = [0; 4];
                    }
                    let slot = if is_luma {
                        self.luma_dc.get_mut(by * luma_stride + bx)
                    } else {
                        None
                    };
                    decode_block(&mut bits, 0, &mut predictors, slot)?;
                    mcu_index += 1;
                }
            }
        } else {
            for my in 0..frame.mcus_y {
                for mx in 0..frame.mcus_x {
                    if restart > 0 && mcu_index > 0 && mcu_index % restart == 0 {
                        bits.restart()?;
                        predictors = [0; 4];
                    }
                    for (k, sc) in scan.components.iter().enumerate() {
                        let c = frame.components[sc.index];
                        for v in 0..c.v {
                            for h in 0..c.h {
                                let slot = if sc.index == 0 {
                                    let (x, y) = (mx * c.h + h, my * c.v + v);
                                    self.luma_dc.get_mut(y * luma_stride + x)
                                } else {
                                    None
                                };
                                decode_block(&mut bits, k, &mut predictors, slot)?;
                            }
                        }
                    }
                    mcu_index += 1;
                }
            }
        }
        if bits.overran() {
            return Err(DcError::Damaged("entropy-coded data ends early"));
        }
        self.luma_done = true;
        Ok(skip_entropy_data(bytes, bits.pos))
    }

    fn plane(&self) -> Result<DcPlane> {
        let frame = self.frame.as_ref().expect("a scan was decoded");
        let luma = frame.components[0];
        let quant =
            self.dc_quant[luma.quant].ok_or(DcError::Damaged("missing quantization table"))?;
        let (blocks_x, blocks_y) = frame.component_blocks(&luma);
        let quant = i64::from(quant);
        // DC = 8 × (mean − level shift) after dequantization.
        let (shift, centre) = if frame.precision == 12 {
            (4, 2048)
        } else {
            (0, 128)
        };
        let mut out = Vec::with_capacity(blocks_x * blocks_y);
        for by in 0..blocks_y {
            let row = &self.luma_dc[by * self.luma_stride..][..blocks_x];
            out.extend(row.iter().map(|&dc| {
                let mean = (i64::from(dc) * quant).div_euclid(8) + centre;
                (mean >> shift).clamp(0, 255) as u8
            }));
        }
        Ok(DcPlane {
            width: blocks_x as u32,
            height: blocks_y as u32,
            luma: out,
        })
    }
}

/// Components named 'R', 'G', 'B' hold RGB, whatever the JFIF default says.
fn is_rgb_ids(components: &[Component]) -> bool {
    components.iter().map(|c| c.id).eq(*b"RGB")
}

/// Position of the first marker (other than a restart marker) at or after `pos`.
fn skip_entropy_data(bytes: &[u8], pos: usize) -> usize {
    find_marker(bytes, pos, |code| !(0xD0..=0xD7).contains(&code))
}

/// Position of the first marker of any kind, restart markers included.
fn skip_entropy_data_to_any_marker(bytes: &[u8], pos: usize) -> usize {
    find_marker(bytes, pos, |_| true)
}

fn find_marker(bytes: &[u8], mut pos: usize, wanted: impl Fn(u8) -> bool) -> usize {
    while let Some(offset) = memchr::memchr(0xFF, &bytes[pos.min(bytes.len())..]) {
        let at = pos + offset;
        match bytes.get(at + 1) {
            Some(0x00 | 0xFF) => pos = at + 1,
            Some(&code) if wanted(code) => return at,
            Some(_) => pos = at + 2,
            None => return bytes.len(),
        }
    }
    bytes.len()
}

/// A canonical Huffman table with a 9-bit lookup for the common short codes.
struct Huffman {
    /// Indexed by the next 9 bits: `symbol << 8 | code length`, 0 if longer.
    fast: [u16; 1 << FAST_BITS],
    /// Per length: the largest code (exclusive bound) and the index of its first symbol.
    max_code: [u32; 17],
    offset: [i32; 17],
    symbols: Vec<u8>,
}

const FAST_BITS: u32 = 9;

impl Huffman {
    fn new(counts: &[u8; 16], symbols: &[u8]) -> Result<Huffman> {
        let mut table = Huffman {
            fast: [0; 1 << FAST_BITS],
            max_code: [0; 17],
            offset: [0; 17],
            symbols: symbols.to_vec(),
        };
        let mut code: u32 = 0;
        let mut index = 0usize;
        for len in 1..=16u32 {
            let count = u32::from(counts[len as usize - 1]);
            table.offset[len as usize] = index as i32 - code as i32;
            for _ in 0..count {
                if len <= FAST_BITS {
                    let spread = FAST_BITS - len;
                    let base = (code << spread) as usize;
                    let entry = (u16::from(symbols[index]) << 8) | len as u16;
                    table.fast[base..base + (1 << spread)].fill(entry);
                }
                code += 1;
                index += 1;
            }
            if code > 1 << len {
                return Err(DcError::Damaged("over-full Huffman table"));
            }
            table.max_code[len as usize] = code;
            code <<= 1;
        }
        Ok(table)
    }
}

/// MSB-first bit reader over entropy-coded data (byte stuffing undone). At a
/// marker or the end of data it supplies zero bits and remembers doing so.
struct BitReader<'a> {
    bytes: &'a [u8],
    pos: usize,
    acc: u64,
    count: u32,
    /// Zero bits supplied past the data, so overruns can be told from valid ends.
    padding: u32,
}

impl<'a> BitReader<'a> {
    fn new(bytes: &'a [u8], pos: usize) -> Self {
        BitReader {
            bytes,
            pos,
            acc: 0,
            count: 0,
            padding: 0,
        }
    }

    #[inline]
    fn refill(&mut self) {
        while self.count <= 56 {
            let byte = match self.bytes.get(self.pos) {
                Some(0xFF) if self.bytes.get(self.pos + 1) == Some(&0) => {
                    self.pos += 2;
                    0xFF
                }
                Some(0xFF) | None => {
                    self.padding += 8;
                    0
                }
                Some(&b) => {
                    self.pos += 1;
                    b
                }
            };
            self.acc |= u64::from(byte) << (56 - self.count);
            self.count += 8;
        }
    }

    #[inline]
    fn consume(&mut self, n: u32) {
        self.acc <<= n;
        self.count -= n;
    }

    #[inline]
    fn decode(&mut self, table: &Huffman) -> Result<u8> {
        if self.count < 16 {
            self.refill();
        }
        let entry = table.fast[(self.acc >> (64 - FAST_BITS)) as usize];
        if entry != 0 {
            self.consume(u32::from(entry & 0xFF));
            return Ok((entry >> 8) as u8);
        }
        for len in FAST_BITS + 1..=16 {
            let code = (self.acc >> (64 - len)) as u32;
            if code < table.max_code[len as usize] {
                self.consume(len);
                let index = table.offset[len as usize] + code as i32;
                return table
                    .symbols
                    .get(index as usize)
                    .copied()
                    .ok_or(DcError::Damaged("bad Huffman code"));
            }
        }
        Err(DcError::Damaged("bad Huffman code"))
    }

    /// Read `size` bits as a JPEG signed magnitude (F.2.2.1 EXTEND).
    #[inline]
    fn receive_extend(&mut self, size: u8) -> Result<i32> {
        if size == 0 {
            return Ok(0);
        }
        if size > 16 {
            return Err(DcError::Damaged("coefficient size"));
        }
        let size = u32::from(size);
        if self.count < size {
            self.refill();
        }
        let value = (self.acc >> (64 - size)) as i32;
        self.consume(size);
        Ok(if value < 1 << (size - 1) {
            value - (1 << size) + 1
        } else {
            value
        })
    }

    /// Walk past a block's 63 AC coefficients without keeping them.
    #[inline]
    fn skip_ac(&mut self, table: &Huffman) -> Result<()> {
        let mut k = 1;
        while k < 64 {
            let symbol = self.decode(table)?;
            let (run, size) = (u32::from(symbol >> 4), u32::from(symbol & 15));
            if size == 0 {
                if run != 15 {
                    return Ok(()); // end of block
                }
                k += 16;
                continue;
            }
            k += run + 1;
            if self.count < size {
                self.refill();
            }
            self.consume(size);
        }
        if k > 64 {
            return Err(DcError::Damaged("AC run past the end of a block"));
        }
        Ok(())
    }

    /// Bits consumed beyond the end of the entropy-coded data.
    fn overran(&self) -> bool {
        self.padding > self.count
    }

    /// Expect a restart marker next; reset the bit buffer. The reader never
    /// reads past a marker, so the marker is at or after `pos` (right at it
    /// unless the interval carried stray bytes, which are passed over).
    fn restart(&mut self) -> Result<()> {
        if self.overran() {
            return Err(DcError::Damaged("entropy-coded data ends early"));
        }
        self.acc = 0;
        self.count = 0;
        self.padding = 0;
        let at = skip_entropy_data_to_any_marker(self.bytes, self.pos);
        match self.bytes.get(at..at + 2) {
            Some([0xFF, 0xD0..=0xD7]) => {
                self.pos = at + 2;
                Ok(())
            }
            _ => Err(DcError::Damaged("missing restart marker")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jpeg(img: &image::RgbImage, quality: u8) -> Vec<u8> {
        let mut out = Vec::new();
        image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, quality)
            .encode_image(img)
            .unwrap();
        out
    }

    fn scene(w: u32, h: u32) -> image::RgbImage {
        image::RgbImage::from_fn(w, h, |x, y| {
            let v = ((x * 7 + y * 3) % 256) as u8;
            image::Rgb([v, (y % 256) as u8, ((x ^ y) % 256) as u8])
        })
    }

    /// The reference: block means of a full decode's JPEG luma (BT.601 Y).
    fn block_means(bytes: &[u8]) -> (u32, u32, Vec<f64>) {
        let full = image::load_from_memory(bytes).unwrap().to_rgb8();
        let (w, h) = full.dimensions();
        let (bw, bh) = (w.div_ceil(8), h.div_ceil(8));
        let mut means = Vec::new();
        for by in 0..bh {
            for bx in 0..bw {
                let (mut sum, mut n) = (0f64, 0f64);
                for y in by * 8..(by * 8 + 8).min(h) {
                    for x in bx * 8..(bx * 8 + 8).min(w) {
                        let [r, g, b] = full.get_pixel(x, y).0.map(f64::from);
                        sum += 0.299 * r + 0.587 * g + 0.114 * b;
                        n += 1.0;
                    }
                }
                means.push(sum / n);
            }
        }
        (bw, bh, means)
    }

    fn assert_close_to_full_decode(bytes: &[u8], tolerance: f64) {
        let plane = dc_luma(bytes).unwrap();
        let (bw, bh, means) = block_means(bytes);
        assert_eq!((plane.width, plane.height), (bw, bh));
        // Interior blocks only: edge blocks are padded by the encoder.
        // Clipping of decoded pixels (ringing at hard edges) moves a block's mean
        // off its DC value, so single blocks may differ; on average they must not.
        let (mut worst, mut total, mut n) = (0f64, 0f64, 0f64);
        for by in 0..bh - 1 {
            for bx in 0..bw - 1 {
                let i = (by * bw + bx) as usize;
                let d = (f64::from(plane.luma[i]) - means[i]).abs();
                worst = worst.max(d);
                total += d;
                n += 1.0;
            }
        }
        let mean = total / n.max(1.0);
        assert!(
            mean <= 2.0 && worst <= tolerance,
            "DC plane differs from block means by {mean:.2} on average, {worst:.1} at worst"
        );
    }

    #[test]
    fn dc_plane_is_the_luma_image_at_one_eighth_scale() {
        // image's encoder writes 4:2:0 interleaved baseline JPEGs.
        assert_close_to_full_decode(&jpeg(&scene(203, 131), 90), 3.0);
        assert_close_to_full_decode(&jpeg(&scene(64, 64), 50), 3.0);
    }

    #[test]
    fn grayscale_jpeg_is_read() {
        let img =
            image::GrayImage::from_fn(120, 72, |x, y| image::Luma([((x + 2 * y) % 256) as u8]));
        let mut out = Vec::new();
        image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 85)
            .encode_image(&img)
            .unwrap();
        assert_close_to_full_decode(&out, 3.0);
    }

    /// Every real JPEG in the shared corpus that a full decoder reads: the DC
    /// plane agrees with it, or the file is left to the general decoder.
    #[test]
    fn corpus_jpegs_agree_with_a_full_decode() {
        let Some(root) = crate::test_corpus("") else {
            eprintln!("shared corpus absent: real-JPEG agreement not checked");
            return;
        };
        let (mut agreed, mut declined, mut with_restarts) = (0, Vec::new(), 0);
        for entry in walkdir::WalkDir::new(root).into_iter().flatten() {
            let bytes = match std::fs::read(entry.path()) {
                Ok(b) if b.starts_with(&[0xFF, 0xD8, 0xFF]) => b,
                _ => continue,
            };
            let Ok(full) = image::load_from_memory(&bytes) else {
                continue;
            };
            if full.width() < 64 || full.height() < 64 {
                continue;
            }
            match dc_luma(&bytes) {
                Ok(_) => {
                    assert_close_to_full_decode(&bytes, 40.0);
                    agreed += 1;
                    if bytes.windows(2).any(|w| w == [0xFF, 0xDD]) {
                        with_restarts += 1;
                    }
                }
                Err(e) => declined.push(format!("{}: {e}", entry.path().display())),
            }
        }
        eprintln!(
            "{agreed} corpus JPEGs agree ({with_restarts} with restart intervals); declined: {declined:#?}"
        );
        assert!(agreed >= 50, "only {agreed} corpus JPEGs read");
        assert!(
            declined.len() * 10 <= agreed,
            "too many declined: {declined:#?}"
        );
    }

    #[test]
    fn damaged_files_are_errors_never_panics() {
        let good = jpeg(&scene(160, 96), 80);
        assert!(dc_luma(&good).is_ok());
        assert_eq!(dc_luma(b"GIF89a"), Err(DcError::NotJpeg));
        for cut in (0..good.len()).step_by(7) {
            let _ = dc_luma(&good[..cut]);
        }
        // Entropy data cut short is damage, not a grey tail.
        let sos = good.windows(2).position(|w| w == [0xFF, 0xDA]).unwrap();
        let truncated = &good[..sos + (good.len() - sos) / 2];
        assert!(matches!(dc_luma(truncated), Err(DcError::Damaged(_))));
        let mut flipped = good.clone();
        for i in (sos + 20..flipped.len() - 2).step_by(13) {
            flipped[i] ^= 0x5A;
            let _ = dc_luma(&flipped);
        }
    }
}
