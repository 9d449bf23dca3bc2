//! `cargo run --example make-demo [-- OUT_DIR]` (default: the crate's `testdata/`).
//!
//! Writes the fixtures clearance is demonstrated and tested on:
//!
//! - `demo/`: the Maple Grove School District technology site (`site/`), its
//!   `clearance.toml`, `ledger.toml`, `roster.csv` and `EXPECTED.md` / `expected.json`
//!   (every finding a scan as of 2026-11-15 must report, per image and page);
//! - `clean-site/`: a tiny site whose every image is cleared (a scan exits 0);
//! - `broken-ledger/`: a ledger with one invalid line (a scan exits 2 and names it).
//!
//! Everything is drawn by code from fixed seeds, so the output is byte-for-byte the
//! same on every run; the committed copy is checked against a fresh build by the tests
//! at the bottom. Pictures are scenes of simple shapes (figures are seen from behind
//! and have no faces): no photograph of a real person is ever involved.
//!
//! Rights metadata is written by hand where no crate writes it: kamadak-exif's
//! experimental writer makes the EXIF TIFF block, but the JPEG APP segments that
//! carry it, the XMP packets, the IPTC IIM (Photoshop 8BIM) block, the ICC profile
//! and the PNG iTXt chunk are assembled here byte by byte.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::Cursor;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use exif::{Field, In, Rational, Tag, Value};
use image::{ExtendedColorType, ImageEncoder, Rgb, RgbImage};

/// The day every expectation in `EXPECTED.md` is judged on (`--as-of`).
const AS_OF: &str = "2026-11-15";
const BASE_URL: &str = "https://www.maplegrove-sd.example/";

fn main() -> Result<()> {
    let out = std::env::args_os()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata"));
    let trees = build_all()?;
    // MAKE_DEMO_PREVIEW=DIR also writes every picture as PNG, to look at scenes without a JPEG viewer.
    if let Some(dir) = std::env::var_os("MAKE_DEMO_PREVIEW") {
        let dir = PathBuf::from(dir);
        std::fs::create_dir_all(&dir)?;
        for image in demo_images() {
            let name = image.path.replace('/', "_") + ".png";
            draw(image.scene, image.size.0, image.size.1, image.seed).save(dir.join(name))?;
        }
    }
    for (dir, files) in &trees {
        let root = out.join(dir);
        // Start from an empty folder so a renamed fixture leaves no stale file behind.
        if root.exists() {
            std::fs::remove_dir_all(&root)
                .with_context(|| format!("removing {}", root.display()))?;
        }
        for (rel, bytes) in files {
            let path = root.join(rel);
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent)?;
            }
            std::fs::write(&path, bytes).with_context(|| format!("writing {}", path.display()))?;
        }
        println!("wrote {} files under {}", files.len(), root.display());
    }
    Ok(())
}

/// Every generated tree: folder name under the output dir → (relative path → bytes).
type Tree = BTreeMap<String, Vec<u8>>;

fn build_all() -> Result<BTreeMap<&'static str, Tree>> {
    let mut trees = BTreeMap::new();
    trees.insert("demo", demo()?);
    trees.insert("clean-site", clean_site()?);
    trees.insert("broken-ledger", broken_ledger()?);
    Ok(trees)
}

// ---------------------------------------------------------------------------
// Deterministic randomness and drawing
// ---------------------------------------------------------------------------

/// SplitMix64: ten lines instead of a `rand` dependency, and its output can never
/// change under us between crate versions (the fixtures must stay byte-identical).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn range(&mut self, lo: i32, hi: i32) -> i32 {
        lo + (self.next() % (hi - lo).max(1) as u64) as i32
    }
    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[(self.next() % items.len() as u64) as usize]
    }
}

type Colour = [u8; 3];

const SHIRTS: [Colour; 8] = [
    [200, 60, 60],
    [60, 120, 200],
    [240, 180, 40],
    [70, 160, 90],
    [150, 80, 170],
    [230, 120, 40],
    [40, 170, 170],
    [90, 90, 100],
];
const HAIR: [Colour; 5] = [
    [40, 30, 25],
    [90, 60, 30],
    [160, 120, 60],
    [20, 20, 20],
    [120, 50, 30],
];
const BOOKS: [Colour; 8] = [
    [170, 40, 40],
    [40, 80, 150],
    [30, 120, 70],
    [200, 160, 50],
    [110, 60, 130],
    [220, 220, 210],
    [60, 60, 60],
    [200, 90, 40],
];

struct Canvas {
    img: RgbImage,
}

impl Canvas {
    fn new(w: u32, h: u32, bg: Colour) -> Canvas {
        Canvas {
            img: RgbImage::from_pixel(w, h, Rgb(bg)),
        }
    }
    fn w(&self) -> i32 {
        self.img.width() as i32
    }
    fn h(&self) -> i32 {
        self.img.height() as i32
    }
    fn put(&mut self, x: i32, y: i32, c: Colour) {
        if x >= 0 && y >= 0 && x < self.w() && y < self.h() {
            self.img.put_pixel(x as u32, y as u32, Rgb(c));
        }
    }
    fn vgradient(&mut self, top: Colour, bottom: Colour) {
        let h = self.h().max(2);
        for y in 0..self.h() {
            let t = y as f32 / (h - 1) as f32;
            let c = mix(top, bottom, t);
            for x in 0..self.w() {
                self.put(x, y, c);
            }
        }
    }
    fn rect(&mut self, x: i32, y: i32, w: i32, h: i32, c: Colour) {
        for yy in y.max(0)..(y + h).min(self.h()) {
            for xx in x.max(0)..(x + w).min(self.w()) {
                self.put(xx, yy, c);
            }
        }
    }
    fn ellipse(&mut self, cx: i32, cy: i32, rx: i32, ry: i32, c: Colour) {
        let (rx, ry) = (rx.max(1), ry.max(1));
        for y in (cy - ry)..=(cy + ry) {
            for x in (cx - rx)..=(cx + rx) {
                let dx = (x - cx) as f32 / rx as f32;
                let dy = (y - cy) as f32 / ry as f32;
                if dx * dx + dy * dy <= 1.0 {
                    self.put(x, y, c);
                }
            }
        }
    }
    fn disc(&mut self, cx: i32, cy: i32, r: i32, c: Colour) {
        self.ellipse(cx, cy, r, r, c);
    }
    fn rounded(&mut self, x: i32, y: i32, w: i32, h: i32, r: i32, c: Colour) {
        let r = r.min(w / 2).min(h / 2);
        self.rect(x + r, y, w - 2 * r, h, c);
        self.rect(x, y + r, w, h - 2 * r, c);
        for (cx, cy) in [
            (x + r, y + r),
            (x + w - r - 1, y + r),
            (x + r, y + h - r - 1),
            (x + w - r - 1, y + h - r - 1),
        ] {
            self.disc(cx, cy, r, c);
        }
    }
    fn line(&mut self, x0: i32, y0: i32, x1: i32, y1: i32, thick: i32, c: Colour) {
        let steps = (x1 - x0).abs().max((y1 - y0).abs()).max(1);
        for i in 0..=steps {
            let x = x0 + (x1 - x0) * i / steps;
            let y = y0 + (y1 - y0) * i / steps;
            self.disc(x, y, thick / 2, c);
        }
    }
    /// A person seen from behind: hair and shoulders, no face. Scale 1.0 ≈ 100 px tall.
    fn figure_from_behind(&mut self, cx: i32, base_y: i32, scale: f32, rng: &mut Rng) {
        let s = |v: f32| (v * scale) as i32;
        let shirt = rng.pick(&SHIRTS);
        let hair = rng.pick(&HAIR);
        self.rounded(
            cx - s(30.0),
            base_y - s(62.0),
            s(60.0),
            s(62.0),
            s(18.0),
            shirt,
        );
        self.disc(cx, base_y - s(80.0), s(20.0), hair);
    }
}

fn mix(a: Colour, b: Colour, t: f32) -> Colour {
    let m = |i: usize| (a[i] as f32 + (b[i] as f32 - a[i] as f32) * t).round() as u8;
    [m(0), m(1), m(2)]
}

/// What a picture shows. Each is a few shapes, enough to look like its subject.
#[derive(Debug, Clone, Copy)]
enum Scene {
    /// A row of desks with monitors and pupils seen from behind.
    Lab {
        figures: i32,
    },
    Shelves,
    /// A low shelf and beanbags.
    ReadingNook,
    Robot,
    Blocks,
    /// Standing figures in rows (a team, a choir).
    Group {
        rows: i32,
        per_row: i32,
    },
    LaptopCart,
    Printer,
    Bench,
    Keyboard,
    Globe,
    Bus,
    Map,
    Pencils,
    Hoodie,
    Mascot,
    Van,
    Catalog,
    Arena,
    Field,
    Trophy,
    Whiteboard,
    OldHomepage,
    Flyer,
    FloatingScreens,
}

fn draw(scene: Scene, w: u32, h: u32, seed: u64) -> RgbImage {
    let mut rng = Rng(seed);
    let mut c = Canvas::new(w, h, [235, 235, 230]);
    let (wi, hi) = (w as i32, h as i32);
    match scene {
        Scene::Lab { figures } => {
            c.vgradient([214, 226, 236], [190, 200, 210]);
            c.rect(0, hi * 2 / 3, wi, hi / 3, [150, 120, 90]);
            let slot = wi / figures.max(1);
            for i in 0..figures {
                let x = i * slot + slot / 2;
                c.rect(x - slot / 3, hi * 2 / 5, slot * 2 / 3, hi / 4, [40, 40, 45]);
                let screen = rng.pick(&[
                    [70, 130, 220],
                    [60, 180, 120],
                    [240, 240, 240],
                    [30, 30, 90],
                ]);
                c.rect(
                    x - slot / 3 + 6,
                    hi * 2 / 5 + 6,
                    slot * 2 / 3 - 12,
                    hi / 4 - 12,
                    screen,
                );
                for line in 0..4 {
                    let y = hi * 2 / 5 + 16 + line * 12;
                    c.rect(
                        x - slot / 4,
                        y,
                        rng.range(slot / 8, slot / 2),
                        4,
                        [250, 250, 250],
                    );
                }
                c.rect(
                    x - slot / 2 + 4,
                    hi * 2 / 3 - 8,
                    slot - 8,
                    12,
                    [120, 90, 60],
                );
                c.figure_from_behind(x, hi - 10, hi as f32 / 320.0, &mut rng);
            }
        }
        Scene::Shelves => {
            c.vgradient([120, 80, 50], [120, 80, 50]);
            let shelves = 5;
            let shelf_h = hi / shelves;
            for s in 0..shelves {
                let base = (s + 1) * shelf_h - 6;
                c.rect(0, base, wi, 8, [70, 45, 25]);
                let mut x = 8;
                while x < wi - 20 {
                    let bw = rng.range(18, 40);
                    let bh = rng.range(shelf_h * 6 / 10, shelf_h - 10);
                    let col = rng.pick(&BOOKS);
                    c.rect(x, base - bh, bw, bh, col);
                    c.rect(
                        x + 3,
                        base - bh + 10,
                        bw - 6,
                        6,
                        mix(col, [255, 255, 255], 0.5),
                    );
                    x += bw + 2;
                }
            }
        }
        Scene::ReadingNook => {
            c.vgradient([240, 225, 200], [225, 205, 175]);
            c.rect(0, hi * 3 / 4, wi, hi / 4, [160, 60, 60]);
            c.rect(wi / 10, hi / 3, wi * 4 / 5, 12, [110, 75, 45]);
            let mut x = wi / 10 + 4;
            while x < wi * 9 / 10 - 30 {
                let bw = rng.range(14, 28);
                let bh = rng.range(40, 70);
                c.rect(x, hi / 3 - bh, bw, bh, rng.pick(&BOOKS));
                x += bw + 2;
            }
            for (i, col) in [[60, 120, 200], [240, 180, 40], [70, 160, 90]]
                .into_iter()
                .enumerate()
            {
                let cx = wi / 5 + i as i32 * wi * 3 / 10;
                c.ellipse(cx, hi * 3 / 4, wi / 9, hi / 8, col);
                c.ellipse(
                    cx,
                    hi * 3 / 4 - hi / 14,
                    wi / 14,
                    hi / 14,
                    mix(col, [255, 255, 255], 0.25),
                );
            }
        }
        Scene::Robot => {
            c.vgradient([200, 210, 220], [120, 130, 140]);
            let (cx, cy) = (wi / 2, hi / 2);
            c.rect(0, hi * 3 / 4, wi, hi / 4, [80, 80, 90]);
            c.rounded(cx - wi / 6, cy - hi / 8, wi / 3, hi / 3, 16, [200, 200, 60]);
            c.rounded(
                cx - wi / 10,
                cy - hi / 3,
                wi / 5,
                hi / 5,
                12,
                [160, 160, 170],
            );
            c.disc(cx - wi / 25, cy - hi / 4, hi / 30, [30, 200, 255]);
            c.disc(cx + wi / 25, cy - hi / 4, hi / 30, [30, 200, 255]);
            c.line(cx + wi / 6, cy, cx + wi / 3, cy - hi / 6, 14, [90, 90, 100]);
            c.disc(cx - wi / 8, cy + hi / 5 + 10, hi / 12, [30, 30, 30]);
            c.disc(cx + wi / 8, cy + hi / 5 + 10, hi / 12, [30, 30, 30]);
            c.line(cx, cy - hi / 3, cx, cy - hi * 2 / 5, 4, [60, 60, 60]);
            c.disc(cx, cy - hi * 2 / 5, 8, [230, 50, 50]);
        }
        Scene::Blocks => {
            c.vgradient([250, 250, 245], [230, 235, 240]);
            let size = (wi / 10).max(8);
            for gy in 0..(hi / size) {
                for gx in 0..(wi / size) {
                    if rng.range(0, 10) < 6 {
                        let col = rng.pick(&SHIRTS);
                        c.rounded(gx * size + 3, gy * size + 3, size - 6, size - 6, 6, col);
                        c.disc(
                            gx * size + size / 2,
                            gy * size + size / 2,
                            size / 6,
                            mix(col, [255, 255, 255], 0.3),
                        );
                    }
                }
            }
        }
        Scene::Group { rows, per_row } => {
            c.vgradient([180, 200, 230], [230, 230, 235]);
            c.rect(0, hi * 3 / 4, wi, hi / 4, [120, 110, 100]);
            // Back rows first, so the front row stands in front of them.
            for row in (0..rows).rev() {
                let scale = hi as f32 / 260.0 * (1.0 - row as f32 * 0.15);
                let base = hi - 10 - row * (hi / (rows + 3));
                let slot = wi / (per_row + 1);
                for i in 0..per_row {
                    let jitter = rng.range(-6, 6);
                    c.figure_from_behind(
                        (i + 1) * slot + jitter + row * slot / 2 % slot,
                        base,
                        scale,
                        &mut rng,
                    );
                }
            }
        }
        Scene::LaptopCart => {
            c.vgradient([225, 225, 220], [200, 200, 195]);
            c.rounded(wi / 5, hi / 5, wi * 3 / 5, hi * 3 / 5, 10, [90, 100, 110]);
            for i in 0..10 {
                let x = wi / 5 + 16 + i * (wi * 3 / 5 - 32) / 10;
                c.rect(
                    x,
                    hi / 5 + 20,
                    (wi * 3 / 5 - 32) / 10 - 6,
                    hi * 3 / 5 - 40,
                    [170, 175, 180],
                );
            }
            c.disc(wi / 4, hi * 4 / 5 + 14, 14, [20, 20, 20]);
            c.disc(wi * 3 / 4, hi * 4 / 5 + 14, 14, [20, 20, 20]);
        }
        Scene::Printer => {
            c.vgradient([230, 232, 236], [205, 208, 212]);
            c.rect(wi / 4, hi / 6, wi / 2, hi * 2 / 3, [50, 55, 60]);
            c.rect(
                wi / 4 + 14,
                hi / 6 + 14,
                wi / 2 - 28,
                hi * 2 / 3 - 40,
                [235, 240, 245],
            );
            let (gx, gy) = (wi / 2, hi * 2 / 3 - 10);
            // Gear teeth at 30° steps, as integer offsets: libm's sin/cos may differ in the
            // last bit between platforms, and the fixtures must be byte-identical everywhere.
            const TEETH: [(i32, i32); 12] = [
                (40, 0),
                (35, 20),
                (20, 35),
                (0, 40),
                (-20, 35),
                (-35, 20),
                (-40, 0),
                (-35, -20),
                (-20, -35),
                (0, -40),
                (20, -35),
                (35, -20),
            ];
            for (dx, dy) in TEETH {
                c.disc(gx + dx, gy + dy, 9, [230, 110, 30]);
            }
            c.disc(gx, gy, 36, [230, 110, 30]);
            c.disc(gx, gy, 12, [235, 240, 245]);
        }
        Scene::Bench => {
            c.vgradient([210, 205, 195], [170, 160, 150]);
            c.rect(0, hi / 2, wi, hi / 2, [140, 110, 80]);
            c.rect(wi / 8, hi / 2 - 60, 90, 60, [200, 60, 40]);
            c.line(
                wi / 2,
                hi / 2 + 20,
                wi / 2 + 140,
                hi / 2 - 40,
                10,
                [90, 90, 90],
            );
            c.rect(wi / 3, hi * 3 / 5, wi / 3, hi / 6, [30, 120, 60]);
            for i in 0..12 {
                c.rect(
                    wi / 3 + 10 + i * (wi / 3 - 20) / 12,
                    hi * 3 / 5 + 10,
                    6,
                    6,
                    [200, 190, 80],
                );
            }
        }
        Scene::Keyboard => {
            c.vgradient([60, 60, 65], [30, 30, 35]);
            let key = wi / 16;
            for row in 0..5 {
                for k in 0..15 {
                    c.rounded(
                        key / 2 + k * key + row * key / 4,
                        hi / 6 + row * (key + 6),
                        key - 6,
                        key - 6,
                        5,
                        [200, 200, 205],
                    );
                }
            }
        }
        Scene::Globe => {
            c.vgradient([240, 230, 210], [200, 180, 150]);
            let (cx, cy, r) = (wi / 2, hi * 9 / 20, hi / 3);
            c.rect(cx - 10, cy + r, 20, hi / 8, [100, 70, 40]);
            c.rect(cx - r / 2, cy + r + hi / 8, r, 16, [100, 70, 40]);
            c.disc(cx, cy, r, [70, 130, 190]);
            for _ in 0..6 {
                let (dx, dy) = (rng.range(-r / 2, r / 2), rng.range(-r / 2, r / 2));
                c.ellipse(
                    cx + dx,
                    cy + dy,
                    rng.range(15, 45),
                    rng.range(10, 30),
                    [110, 170, 90],
                );
            }
        }
        Scene::Bus => {
            c.vgradient([250, 200, 150], [250, 235, 200]);
            c.rect(0, hi * 3 / 4, wi, hi / 4, [90, 90, 90]);
            c.rounded(wi / 8, hi / 3, wi * 3 / 4, hi * 2 / 5, 20, [250, 190, 20]);
            for i in 0..6 {
                c.rect(
                    wi / 8 + 20 + i * (wi * 3 / 4 - 40) / 6,
                    hi / 3 + 20,
                    (wi * 3 / 4 - 40) / 6 - 10,
                    hi / 8,
                    [180, 210, 230],
                );
            }
            c.disc(wi / 4, hi * 3 / 4, 28, [20, 20, 20]);
            c.disc(wi * 3 / 4, hi * 3 / 4, 28, [20, 20, 20]);
        }
        Scene::Map => {
            c.vgradient([236, 222, 186], [222, 204, 160]);
            for _ in 0..14 {
                let (x0, y0) = (rng.range(0, wi), rng.range(0, hi));
                c.line(
                    x0,
                    y0,
                    x0 + rng.range(-200, 200),
                    y0 + rng.range(-150, 150),
                    3,
                    [120, 90, 60],
                );
            }
            c.line(0, hi / 2, wi, hi / 3, 12, [90, 140, 190]);
            for _ in 0..10 {
                c.rect(rng.range(0, wi), rng.range(0, hi), 14, 10, [140, 60, 50]);
            }
        }
        Scene::Pencils => {
            c.vgradient([250, 250, 250], [235, 235, 235]);
            for i in 0..9 {
                let x = wi / 10 + i * wi / 11;
                c.line(x, hi - 30, x + 60, 40, 16, rng.pick(&SHIRTS));
                c.disc(x + 60, 40, 6, [60, 50, 40]);
            }
        }
        Scene::Hoodie => {
            c.vgradient([245, 245, 240], [225, 225, 220]);
            let green = [30, 110, 60];
            c.rounded(wi / 3, hi / 4, wi / 3, hi * 3 / 5, 30, green);
            c.line(wi / 3 + 10, hi / 4 + 20, wi / 6, hi * 2 / 3, 50, green);
            c.line(
                wi * 2 / 3 - 10,
                hi / 4 + 20,
                wi * 5 / 6,
                hi * 2 / 3,
                50,
                green,
            );
            c.ellipse(wi / 2, hi / 4, wi / 10, hi / 12, [20, 80, 40]);
            c.rect(wi / 2 - 40, hi / 2, 80, 40, [240, 200, 40]);
        }
        Scene::Mascot => {
            c.vgradient([250, 245, 230], [240, 230, 205]);
            let brown = [120, 80, 50];
            c.ellipse(wi / 2, hi / 2, wi / 6, hi / 4, brown);
            c.ellipse(wi / 2, hi * 3 / 4 - 10, wi / 10, hi / 10, [150, 110, 80]);
            c.line(
                wi / 2 - wi / 8,
                hi / 3,
                wi / 2 - wi / 4,
                hi / 8,
                14,
                [90, 60, 30],
            );
            c.line(
                wi / 2 + wi / 8,
                hi / 3,
                wi / 2 + wi / 4,
                hi / 8,
                14,
                [90, 60, 30],
            );
            c.disc(wi / 2 - 30, hi / 2 - 20, 10, [20, 20, 20]);
            c.disc(wi / 2 + 30, hi / 2 - 20, 10, [20, 20, 20]);
        }
        Scene::Van => {
            c.vgradient([170, 210, 240], [230, 240, 250]);
            c.rect(0, hi * 3 / 4, wi, hi / 4, [100, 110, 100]);
            c.rounded(wi / 6, hi / 3, wi * 2 / 3, hi * 2 / 5, 18, [40, 90, 160]);
            c.rect(wi / 6 + 30, hi / 3 + 30, wi / 3, hi / 6, [240, 240, 230]);
            for i in 0..6 {
                c.rect(
                    wi / 6 + 40 + i * 24,
                    hi / 3 + 40,
                    16,
                    hi / 6 - 20,
                    rng.pick(&BOOKS),
                );
            }
            c.disc(wi / 3, hi * 3 / 4, 26, [20, 20, 20]);
            c.disc(wi * 2 / 3, hi * 3 / 4, 26, [20, 20, 20]);
        }
        Scene::Catalog => {
            c.vgradient([200, 170, 130], [170, 140, 100]);
            let (cols, rows) = (6, 5);
            for r in 0..rows {
                for k in 0..cols {
                    let (x, y) = (30 + k * (wi - 60) / cols, 30 + r * (hi - 60) / rows);
                    c.rect(
                        x,
                        y,
                        (wi - 60) / cols - 8,
                        (hi - 60) / rows - 8,
                        [150, 105, 60],
                    );
                    c.rect(
                        x + (wi - 60) / cols / 2 - 16,
                        y + 14,
                        24,
                        12,
                        [220, 200, 120],
                    );
                }
            }
        }
        Scene::Arena => {
            c.vgradient([20, 20, 40], [60, 60, 90]);
            for i in 0..8 {
                c.disc(40 + i * (wi - 80) / 7, 30, 10, [255, 250, 200]);
            }
            c.rect(wi / 8, hi / 2, wi * 3 / 4, hi / 3, [40, 90, 160]);
            c.rect(
                wi / 8 + 10,
                hi / 2 + 10,
                wi * 3 / 4 - 20,
                hi / 3 - 20,
                [210, 210, 215],
            );
        }
        Scene::Field => {
            c.vgradient([200, 200, 205], [190, 190, 195]);
            c.rect(20, 20, wi - 40, hi - 40, [120, 120, 130]);
            c.line(wi / 2, 20, wi / 2, hi - 20, 4, [250, 250, 250]);
            c.rect(20, 20, 60, hi - 40, [200, 50, 50]);
            c.rect(wi - 80, 20, 60, hi - 40, [50, 80, 200]);
            for _ in 0..10 {
                c.disc(
                    rng.range(100, wi - 100),
                    rng.range(40, hi - 40),
                    12,
                    [250, 200, 30],
                );
            }
        }
        Scene::Trophy => {
            c.vgradient([60, 30, 90], [140, 80, 160]);
            let gold = [230, 190, 60];
            c.ellipse(wi / 2, hi / 3, wi / 8, hi / 6, gold);
            c.rect(wi / 2 - 10, hi / 2, 20, hi / 6, gold);
            c.rect(wi / 2 - wi / 10, hi * 2 / 3, wi / 5, 24, [90, 60, 30]);
            c.line(wi / 2 - wi / 8, hi / 4, wi / 2 - wi / 5, hi / 3, 8, gold);
            c.line(wi / 2 + wi / 8, hi / 4, wi / 2 + wi / 5, hi / 3, 8, gold);
        }
        Scene::Whiteboard => {
            c.vgradient([210, 210, 200], [190, 190, 180]);
            c.rect(wi / 10, hi / 10, wi * 4 / 5, hi * 7 / 10, [250, 250, 250]);
            for i in 0..6 {
                let y = hi / 10 + 30 + i * 40;
                c.line(
                    wi / 10 + 40 + (i % 3) * 30,
                    y,
                    wi / 10 + 40 + (i % 3) * 30 + rng.range(80, 300),
                    y,
                    4,
                    [30, 60, 160],
                );
            }
            c.line(wi / 2 + 100, hi / 3, wi / 2 + 100, hi / 2, 4, [200, 40, 40]);
        }
        Scene::OldHomepage => {
            c.vgradient([192, 192, 192], [192, 192, 192]);
            c.rect(0, 0, wi, 24, [0, 0, 128]);
            c.rect(20, 40, wi - 40, 50, [255, 255, 0]);
            for i in 0..8 {
                c.rect(30, 110 + i * 22, rng.range(100, wi - 80), 8, [0, 0, 238]);
            }
        }
        Scene::Flyer => {
            c.vgradient([255, 240, 200], [255, 220, 160]);
            c.rect(30, 30, wi - 60, 70, [200, 40, 60]);
            for i in 0..7 {
                c.rect(50, 130 + i * 30, rng.range(120, wi - 100), 12, [60, 50, 40]);
            }
            c.line(wi - 140, hi - 140, wi - 60, hi - 60, 30, rng.pick(&BOOKS));
        }
        Scene::FloatingScreens => {
            c.vgradient([30, 20, 80], [200, 120, 200]);
            for i in 0..7 {
                let (x, y) = (rng.range(20, wi - 160), rng.range(20, hi / 2));
                c.rounded(
                    x,
                    y,
                    140,
                    90,
                    10,
                    mix([80, 200, 255], [255, 255, 255], i as f32 / 8.0),
                );
            }
            for i in 0..4 {
                c.rect(
                    40 + i * (wi - 80) / 4,
                    hi * 3 / 4,
                    (wi - 80) / 4 - 20,
                    20,
                    [120, 90, 60],
                );
            }
        }
    }
    c.img
}

// ---------------------------------------------------------------------------
// Encoding, with rights metadata written into the byte stream
// ---------------------------------------------------------------------------

/// Rights metadata to embed in one image.
#[derive(Debug, Default, Clone)]
struct Embedded {
    /// EXIF Artist (0x013B).
    artist: Option<&'static str>,
    /// EXIF Copyright (0x8298).
    copyright: Option<&'static str>,
    /// EXIF GPS latitude/longitude in decimal degrees.
    gps: Option<(f64, f64)>,
    /// `rdf:Description` body for an XMP packet.
    xmp: Option<String>,
    /// IPTC IIM record-2 datasets (number, value).
    iptc: Vec<(u8, &'static str)>,
    /// An ICC profile whose copyright tag is this text.
    icc_copyright: Option<&'static str>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Encoding {
    Jpeg,
    Png,
    WebP,
    Gif,
    /// A JPEG cut off inside its header: no frame header survives.
    TruncatedJpeg,
}

fn encode(img: &RgbImage, encoding: Encoding, meta: &Embedded) -> Result<Vec<u8>> {
    // Refuse rather than silently drop metadata a fixture was meant to carry.
    let beyond_xmp = meta.artist.is_some()
        || meta.copyright.is_some()
        || meta.gps.is_some()
        || !meta.iptc.is_empty()
        || meta.icc_copyright.is_some();
    match encoding {
        Encoding::Png if beyond_xmp => bail!("PNG fixtures carry XMP only"),
        Encoding::WebP | Encoding::Gif if beyond_xmp || meta.xmp.is_some() => {
            bail!("WebP and GIF fixtures carry no metadata")
        }
        _ => {}
    }
    let (w, h) = img.dimensions();
    let mut out = Vec::new();
    match encoding {
        Encoding::Jpeg | Encoding::TruncatedJpeg => {
            image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 65).write_image(
                img.as_raw(),
                w,
                h,
                ExtendedColorType::Rgb8,
            )?;
            out = insert_jpeg_segments(&out, &jpeg_segments(meta)?)?;
            if encoding == Encoding::TruncatedJpeg {
                // Keep SOI, APP0 and part of the first quantisation table only.
                out.truncate(120);
            }
        }
        Encoding::Png => {
            image::codecs::png::PngEncoder::new(&mut out).write_image(
                img.as_raw(),
                w,
                h,
                ExtendedColorType::Rgb8,
            )?;
            if let Some(xmp) = &meta.xmp {
                out = insert_png_itxt(&out, "XML:com.adobe.xmp", &xmp_packet(xmp))?;
            }
        }
        Encoding::WebP => {
            image::codecs::webp::WebPEncoder::new_lossless(&mut out).write_image(
                img.as_raw(),
                w,
                h,
                ExtendedColorType::Rgb8,
            )?;
        }
        Encoding::Gif => {
            let rgba = image::DynamicImage::ImageRgb8(img.clone()).to_rgba8();
            image::codecs::gif::GifEncoder::new(&mut out).encode(
                rgba.as_raw(),
                w,
                h,
                ExtendedColorType::Rgba8,
            )?;
        }
    }
    Ok(out)
}

fn jpeg_segments(meta: &Embedded) -> Result<Vec<Vec<u8>>> {
    let mut segments = Vec::new();
    if let Some(tiff) = exif_tiff(meta)? {
        let mut payload = b"Exif\0\0".to_vec();
        payload.extend_from_slice(&tiff);
        segments.push(app_segment(0xE1, &payload)?);
    }
    if let Some(xmp) = &meta.xmp {
        let mut payload = b"http://ns.adobe.com/xap/1.0/\0".to_vec();
        payload.extend_from_slice(xmp_packet(xmp).as_bytes());
        segments.push(app_segment(0xE1, &payload)?);
    }
    if let Some(text) = meta.icc_copyright {
        let mut payload = b"ICC_PROFILE\0".to_vec();
        payload.extend_from_slice(&[1, 1]); // chunk 1 of 1
        payload.extend_from_slice(&icc_profile(text));
        segments.push(app_segment(0xE2, &payload)?);
    }
    if !meta.iptc.is_empty() {
        segments.push(app_segment(0xED, &photoshop_iptc(&meta.iptc))?);
    }
    Ok(segments)
}

fn app_segment(marker: u8, payload: &[u8]) -> Result<Vec<u8>> {
    let len = u16::try_from(payload.len() + 2).context("APP segment payload over 64 KB")?;
    let mut seg = vec![0xFF, marker];
    seg.extend_from_slice(&len.to_be_bytes());
    seg.extend_from_slice(payload);
    Ok(seg)
}

/// Insert APP segments after SOI and the encoder's JFIF APP0, where readers look.
fn insert_jpeg_segments(jpeg: &[u8], segments: &[Vec<u8>]) -> Result<Vec<u8>> {
    if !jpeg.starts_with(&[0xFF, 0xD8]) {
        bail!("encoder output is not a JPEG");
    }
    let mut at = 2;
    if jpeg.get(2..4) == Some(&[0xFF, 0xE0]) {
        let len = u16::from_be_bytes([jpeg[4], jpeg[5]]) as usize;
        at = 4 + len;
    }
    let mut out = jpeg[..at].to_vec();
    for seg in segments {
        out.extend_from_slice(seg);
    }
    out.extend_from_slice(&jpeg[at..]);
    Ok(out)
}

fn exif_tiff(meta: &Embedded) -> Result<Option<Vec<u8>>> {
    let mut fields = Vec::new();
    let ascii = |tag: Tag, s: &str| Field {
        tag,
        ifd_num: In::PRIMARY,
        value: Value::Ascii(vec![s.as_bytes().to_vec()]),
    };
    if let Some(a) = meta.artist {
        fields.push(ascii(Tag::Artist, a));
    }
    if let Some(c) = meta.copyright {
        fields.push(ascii(Tag::Copyright, c));
    }
    if let Some((lat, lon)) = meta.gps {
        let dms = |v: f64| {
            let v = v.abs();
            let deg = v.trunc();
            let min = ((v - deg) * 60.0).trunc();
            let sec = ((v - deg) * 60.0 - min) * 60.0;
            Value::Rational(vec![
                Rational {
                    num: deg as u32,
                    denom: 1,
                },
                Rational {
                    num: min as u32,
                    denom: 1,
                },
                Rational {
                    num: (sec * 100.0).round() as u32,
                    denom: 100,
                },
            ])
        };
        fields.push(Field {
            tag: Tag::GPSVersionID,
            ifd_num: In::PRIMARY,
            value: Value::Byte(vec![2, 3, 0, 0]),
        });
        fields.push(ascii(
            Tag::GPSLatitudeRef,
            if lat >= 0.0 { "N" } else { "S" },
        ));
        fields.push(Field {
            tag: Tag::GPSLatitude,
            ifd_num: In::PRIMARY,
            value: dms(lat),
        });
        fields.push(ascii(
            Tag::GPSLongitudeRef,
            if lon >= 0.0 { "E" } else { "W" },
        ));
        fields.push(Field {
            tag: Tag::GPSLongitude,
            ifd_num: In::PRIMARY,
            value: dms(lon),
        });
    }
    if fields.is_empty() {
        return Ok(None);
    }
    // The IFD0 tags a camera always writes (EXIF 2.32 requires them in JPEG files);
    // without them exiftool -validate complains and the fixture looks hand-made.
    let short = |tag: Tag, v: u16| Field {
        tag,
        ifd_num: In::PRIMARY,
        value: Value::Short(vec![v]),
    };
    let dpi = |tag: Tag| Field {
        tag,
        ifd_num: In::PRIMARY,
        value: Value::Rational(vec![Rational { num: 72, denom: 1 }]),
    };
    fields.extend([
        dpi(Tag::XResolution),
        dpi(Tag::YResolution),
        short(Tag::ResolutionUnit, 2),
        short(Tag::YCbCrPositioning, 1),
    ]);
    let mut writer = exif::experimental::Writer::new();
    for f in &fields {
        writer.push_field(f);
    }
    let mut buf = Cursor::new(Vec::new());
    writer
        .write(&mut buf, false)
        .map_err(|e| anyhow::anyhow!("EXIF writer: {e}"))?;
    Ok(Some(buf.into_inner()))
}

/// Wrap `rdf:Description` content in a complete XMP packet with the namespaces we use.
fn xmp_packet(description_body: &str) -> String {
    format!(
        "<?xpacket begin=\"\u{feff}\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>\n\
<x:xmpmeta xmlns:x=\"adobe:ns:meta/\" x:xmptk=\"make-demo (clearance testdata)\">\n\
 <rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">\n\
  <rdf:Description rdf:about=\"\"\n\
    xmlns:dc=\"http://purl.org/dc/elements/1.1/\"\n\
    xmlns:xmpRights=\"http://ns.adobe.com/xap/1.0/rights/\"\n\
    xmlns:cc=\"http://creativecommons.org/ns#\"\n\
    xmlns:Iptc4xmpExt=\"http://iptc.org/std/Iptc4xmpExt/2008-02-29/\"\n\
    xmlns:photoshop=\"http://ns.adobe.com/photoshop/1.0/\">\n\
{description_body}\
  </rdf:Description>\n\
 </rdf:RDF>\n\
</x:xmpmeta>\n\
<?xpacket end=\"w\"?>"
    )
}

/// A Photoshop 3.0 image-resource block holding one IPTC-NAA (0x0404) resource.
fn photoshop_iptc(datasets: &[(u8, &str)]) -> Vec<u8> {
    let mut iim = Vec::new();
    // 1:90 CodedCharacterSet = ESC % G: the values are UTF-8.
    iim.extend_from_slice(&[0x1C, 1, 90, 0, 3, 0x1B, b'%', b'G']);
    for (number, value) in datasets {
        iim.extend_from_slice(&[0x1C, 2, *number]);
        iim.extend_from_slice(&(value.len() as u16).to_be_bytes());
        iim.extend_from_slice(value.as_bytes());
    }
    let mut out = b"Photoshop 3.0\0".to_vec();
    out.extend_from_slice(b"8BIM");
    out.extend_from_slice(&0x0404u16.to_be_bytes());
    out.extend_from_slice(&[0, 0]); // empty Pascal name, padded to even length
    out.extend_from_slice(&(iim.len() as u32).to_be_bytes());
    out.extend_from_slice(&iim);
    if iim.len() % 2 == 1 {
        out.push(0);
    }
    out
}

/// An ICC v2 display profile shaped like the ubiquitous HP/Microsoft sRGB one:
/// header, tag table, `cprt` (textType), `desc` (textDescriptionType) and `wtpt`.
/// It carries a copyright line that is about the *profile*, not the picture.
fn icc_profile(copyright: &str) -> Vec<u8> {
    fn pad4(v: &mut Vec<u8>) {
        while v.len() % 4 != 0 {
            v.push(0);
        }
    }
    let mut cprt = b"text\0\0\0\0".to_vec();
    cprt.extend_from_slice(copyright.as_bytes());
    cprt.push(0);
    let desc_text = b"sRGB IEC61966-2.1\0";
    let mut desc = b"desc\0\0\0\0".to_vec();
    desc.extend_from_slice(&(desc_text.len() as u32).to_be_bytes());
    desc.extend_from_slice(desc_text);
    desc.extend_from_slice(&[0; 4 + 4]); // Unicode language code and count
    desc.extend_from_slice(&[0; 2 + 1 + 67]); // ScriptCode code, count, fixed 67 bytes
    let fixed = |v: f64| ((v * 65536.0).round() as i32).to_be_bytes();
    let mut wtpt = b"XYZ \0\0\0\0".to_vec();
    for v in [0.9505, 1.0, 1.0891] {
        wtpt.extend_from_slice(&fixed(v));
    }
    let tags: [(&[u8; 4], Vec<u8>); 3] = [(b"cprt", cprt), (b"desc", desc), (b"wtpt", wtpt)];

    let table_len = 4 + 12 * tags.len();
    let mut offset = 128 + table_len;
    let mut table = (tags.len() as u32).to_be_bytes().to_vec();
    let mut data = Vec::new();
    for (sig, body) in &tags {
        table.extend_from_slice(*sig);
        table.extend_from_slice(&(offset as u32).to_be_bytes());
        table.extend_from_slice(&(body.len() as u32).to_be_bytes());
        data.extend_from_slice(body);
        pad4(&mut data);
        offset = 128 + table_len + data.len();
    }
    let size = 128 + table_len + data.len();
    let mut header = Vec::with_capacity(128);
    header.extend_from_slice(&(size as u32).to_be_bytes());
    header.extend_from_slice(b"Lino");
    header.extend_from_slice(&[2, 0x10, 0, 0]);
    header.extend_from_slice(b"mntrRGB XYZ ");
    for v in [1998u16, 2, 9, 6, 49, 0] {
        header.extend_from_slice(&v.to_be_bytes());
    }
    header.extend_from_slice(b"acspMSFT");
    header.extend_from_slice(&[0; 4]); // flags
    header.extend_from_slice(b"IEC sRGB");
    header.extend_from_slice(&[0; 8]); // attributes
    header.extend_from_slice(&[0; 4]); // rendering intent: perceptual
    for v in [0.9642, 1.0, 0.8249] {
        header.extend_from_slice(&fixed(v));
    }
    header.extend_from_slice(b"HP  ");
    header.resize(128, 0);
    let mut out = header;
    out.extend_from_slice(&table);
    out.extend_from_slice(&data);
    out
}

/// Insert an uncompressed iTXt chunk right after IHDR.
fn insert_png_itxt(png: &[u8], keyword: &str, text: &str) -> Result<Vec<u8>> {
    const IHDR_END: usize = 8 + 4 + 4 + 13 + 4;
    if png.len() < IHDR_END || &png[12..16] != b"IHDR" {
        bail!("encoder output is not a PNG starting with IHDR");
    }
    let mut data = keyword.as_bytes().to_vec();
    data.extend_from_slice(&[0, 0, 0]); // keyword end, compression flag, method
    data.push(0); // empty language tag
    data.push(0); // empty translated keyword
    data.extend_from_slice(text.as_bytes());
    let mut chunk = (data.len() as u32).to_be_bytes().to_vec();
    let mut typed = b"iTXt".to_vec();
    typed.extend_from_slice(&data);
    chunk.extend_from_slice(&typed);
    chunk.extend_from_slice(&crc32fast::hash(&typed).to_be_bytes());
    let mut out = png[..IHDR_END].to_vec();
    out.extend_from_slice(&chunk);
    out.extend_from_slice(&png[IHDR_END..]);
    Ok(out)
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes)
        .iter()
        .fold(String::new(), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

// ---------------------------------------------------------------------------
// The demo site: images
// ---------------------------------------------------------------------------

/// One raster image file of a site.
struct ImageFile {
    path: &'static str,
    scene: Scene,
    size: (u32, u32),
    seed: u64,
    encoding: Encoding,
    meta: Embedded,
}

fn img(path: &'static str, scene: Scene, size: (u32, u32), seed: u64) -> ImageFile {
    let encoding = if path.ends_with(".png") {
        Encoding::Png
    } else if path.ends_with(".webp") {
        Encoding::WebP
    } else if path.ends_with(".gif") {
        Encoding::Gif
    } else {
        Encoding::Jpeg
    };
    ImageFile {
        path,
        scene,
        size,
        seed,
        encoding,
        meta: Embedded::default(),
    }
}

impl ImageFile {
    fn with(mut self, meta: Embedded) -> ImageFile {
        self.meta = meta;
        self
    }
    fn truncated(mut self) -> ImageFile {
        self.encoding = Encoding::TruncatedJpeg;
        self
    }
    fn bytes(&self) -> Result<Vec<u8>> {
        let picture = draw(self.scene, self.size.0, self.size.1, self.seed);
        encode(&picture, self.encoding, &self.meta)
            .with_context(|| format!("encoding {}", self.path))
    }
}

const IPTC_BYLINE: u8 = 80;
const IPTC_CREDIT: u8 = 110;
const IPTC_COPYRIGHT: u8 = 116;

const CC_BY_4: &str = "https://creativecommons.org/licenses/by/4.0/";
const AI_SOURCE_TYPE: &str =
    "http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia";

fn demo_images() -> Vec<ImageFile> {
    vec![
        // Shared chrome.
        img("favicon.png", Scene::Blocks, (64, 64), 1),
        // Home page.
        img("images/blocks/hero-pattern.png", Scene::Blocks, (800, 300), 2),
        img("images/blocks/welcome.png", Scene::Blocks, (640, 360), 3),
        img("images/blocks/welcome.webp", Scene::Blocks, (640, 360), 3),
        img("images/ai/future-lab.png", Scene::FloatingScreens, (640, 400), 4).with(Embedded {
            xmp: Some(format!(
                "   <Iptc4xmpExt:DigitalSourceType>{AI_SOURCE_TYPE}</Iptc4xmpExt:DigitalSourceType>\n\
                 \x20  <dc:description><rdf:Alt><rdf:li xml:lang=\"x-default\">Floating screens above empty desks; made with an image generator</rdf:li></rdf:Alt></dc:description>\n"
            )),
            ..Embedded::default()
        }),
        // Computer lab.
        img("images/blocks/circuit-banner.png", Scene::Blocks, (800, 160), 5),
        img("images/lab/students-coding.jpg", Scene::Lab { figures: 3 }, (800, 533), 10),
        img("images/lab/students-coding-480.jpg", Scene::Lab { figures: 3 }, (480, 320), 10),
        img("images/lab/lab-overview.jpg", Scene::Lab { figures: 5 }, (800, 500), 11),
        img("images/lab/laptop-cart.jpg", Scene::LaptopCart, (600, 400), 12),
        img("images/lab/3d-printer.jpg", Scene::Printer, (600, 450), 13),
        img("images/lab/soldering-bench.jpg", Scene::Bench, (640, 427), 14).with(Embedded {
            artist: Some("District Communications Office"),
            gps: Some((44.9537, -93.0900)),
            iptc: vec![(IPTC_BYLINE, "District Communications Office")],
            ..Embedded::default()
        }),
        img("images/lab/keyboard-stock.jpg", Scene::Keyboard, (640, 360), 15),
        // Library.
        img("images/library/shelves.jpg", Scene::Shelves, (640, 427), 20),
        img("images/library/shelves-large.jpg", Scene::Shelves, (720, 480), 21),
        img("images/library/reading nook.jpg", Scene::ReadingNook, (600, 400), 22),
        img("images/library/globe.jpg", Scene::Globe, (600, 600), 23),
        img("images/library/choir-concert.jpg", Scene::Group { rows: 3, per_row: 7 }, (600, 400), 24),
        img("images/library/card-catalog.jpg", Scene::Catalog, (600, 450), 25),
        img("images/library/bookmobile.jpg", Scene::Van, (700, 420), 26).with(Embedded {
            xmp: Some(format!(
                "   <dc:creator><rdf:Seq><rdf:li>Robin Okafor</rdf:li></rdf:Seq></dc:creator>\n\
                 \x20  <dc:title><rdf:Alt><rdf:li xml:lang=\"x-default\">Bookmobile</rdf:li></rdf:Alt></dc:title>\n\
                 \x20  <dc:rights><rdf:Alt><rdf:li xml:lang=\"x-default\">This work is licensed under CC BY 4.0: {CC_BY_4}</rdf:li></rdf:Alt></dc:rights>\n\
                 \x20  <xmpRights:Marked>True</xmpRights:Marked>\n\
                 \x20  <xmpRights:WebStatement>{CC_BY_4}</xmpRights:WebStatement>\n\
                 \x20  <cc:license rdf:resource=\"{CC_BY_4}\"/>\n\
                 \x20  <cc:attributionName>Robin Okafor</cc:attributionName>\n\
                 \x20  <cc:attributionURL rdf:resource=\"https://photos.example.net/rokafor/bookmobile\"/>\n"
            )),
            ..Embedded::default()
        }),
        img("images/library/map-1890.jpg", Scene::Map, (700, 500), 27).with(Embedded {
            icc_copyright: Some("Copyright (c) 1998 Hewlett-Packard Company"),
            ..Embedded::default()
        }),
        img("images/library/pencils.png", Scene::Pencils, (480, 320), 28),
        // Robotics.
        img("images/robotics/team-photo.jpg", Scene::Group { rows: 2, per_row: 6 }, (800, 450), 30),
        img("images/robotics/driver-station.jpg", Scene::Lab { figures: 1 }, (600, 400), 31),
        img("images/robotics/pit-crew.jpg", Scene::Group { rows: 1, per_row: 3 }, (600, 400), 32),
        img("images/robotics/awards.jpg", Scene::Group { rows: 1, per_row: 2 }, (600, 400), 33),
        img("images/robotics/robot-build.jpg", Scene::Robot, (600, 450), 34),
        img("images/robotics/trophy.jpg", Scene::Trophy, (600, 450), 35),
        img("images/robotics/arena.jpg", Scene::Arena, (800, 450), 36).with(Embedded {
            artist: Some("Getty Images"),
            copyright: Some("(c) 2026 Getty Images"),
            iptc: vec![
                (IPTC_BYLINE, "Getty Images"),
                (IPTC_CREDIT, "Getty Images"),
                (IPTC_COPYRIGHT, "(c) 2026 Getty Images"),
            ],
            ..Embedded::default()
        }),
        // Served at 640x360; the ledger records the original as 1200x900.
        img("images/robotics/field-nd.jpg", Scene::Field, (640, 360), 37),
        img("images/robotics/scoreboard.jpg", Scene::Arena, (600, 400), 38).truncated(),
        // Blog.
        img("images/blog/coding-club.jpg", Scene::Lab { figures: 2 }, (700, 467), 40),
        img("images/blog/whiteboard.jpg", Scene::Whiteboard, (640, 427), 41),
        img("images/blog/club-meeting.jpg", Scene::Group { rows: 2, per_row: 4 }, (640, 427), 42).with(Embedded {
            xmp: Some(
                "   <Iptc4xmpExt:PersonInImage><rdf:Bag><rdf:li>Hana Ito</rdf:li><rdf:li>Sam Ortiz</rdf:li></rdf:Bag></Iptc4xmpExt:PersonInImage>\n"
                    .to_string(),
            ),
            ..Embedded::default()
        }),
        img("images/blog/robot-sketch.png", Scene::Robot, (480, 360), 43),
        // Store.
        img("images/store/hoodie-front.jpg", Scene::Hoodie, (600, 600), 50),
        img("images/store/mascot-sketch.jpg", Scene::Mascot, (600, 600), 51),
        // About.
        img("images/about/school-bus.jpg", Scene::Bus, (700, 400), 60),
        img("images/about/1998-homepage.gif", Scene::OldHomepage, (480, 360), 61),
        img("images/about/pta-flyer.png", Scene::Flyer, (480, 620), 62),
        // Only used by an excluded draft page: must never be reported.
        img("images/drafts/mockup.jpg", Scene::Lab { figures: 4 }, (640, 400), 70).with(Embedded {
            gps: Some((44.95, -93.1)),
            ..Embedded::default()
        }),
    ]
}

const LOGO_SVG: &str = r##"<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" width="180" height="48" viewBox="0 0 180 48">
  <title>Maple Grove School District</title>
  <rect width="180" height="48" rx="8" fill="#1f6e3c"/>
  <path d="M24 8 L32 20 L28 20 L36 30 L26 28 L26 40 L22 40 L22 28 L12 30 L20 20 L16 20 Z" fill="#f2b134"/>
  <text x="46" y="22" font-family="Verdana, sans-serif" font-size="13" fill="#ffffff">Maple Grove</text>
  <text x="46" y="38" font-family="Verdana, sans-serif" font-size="10" fill="#d8f0de">School District</text>
</svg>
"##;

// ---------------------------------------------------------------------------
// The demo site: pages
// ---------------------------------------------------------------------------

fn page(title: &str, extra_head: &str, body: &str) -> String {
    format!(
        r#"<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{title} | Maple Grove School District — Technology</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" type="image/png" href="/favicon.png">
<link rel="stylesheet" href="/css/site.css">
{extra_head}</head>
<body>
<header class="site-header">
<a href="/index.html" class="brand"><img src="/images/brand/logo.svg" alt="Maple Grove School District" width="180" height="48"></a>
<nav><a href="/technology/computer-lab.html">Computer lab</a> <a href="/library/index.html">Library</a> <a href="/robotics/state-final.html">Robotics</a> <a href="/blog/2026/11/coding-club.html">Blog</a> <a href="/store/spirit-wear.html">Spirit wear</a></nav>
</header>
<main>
{body}</main>
<footer>
<p>Maple Grove School District, Technology Department. <a href="/about/credits.html">About this site and image credits</a>.</p>
</footer>
</body>
</html>
"#
    )
}

const SITE_CSS: &str = "body { font-family: Verdana, sans-serif; margin: 0; color: #222; }\n\
.site-header { display: flex; align-items: center; gap: 2em; padding: .5em 1em; background: #1f6e3c; }\n\
.site-header a { color: #fff; }\n\
figure { margin: 1.5em 0; }\n\
figcaption, .wp-caption-text { font-size: .85em; color: #555; }\n\
.hero { min-height: 200px; padding: 2em; color: #fff; }\n";

fn demo_pages() -> Vec<(&'static str, String)> {
    let index = page(
        "Home",
        &format!(
            "<meta property=\"og:title\" content=\"Technology in Maple Grove schools\">\n\
             <meta property=\"og:image\" content=\"{BASE_URL}images/lab/students-coding.jpg\">\n"
        ),
        r#"<section class="hero" style="background-image: url('images/blocks/hero-pattern.png'); background-size: cover;">
<h1>Technology in Maple Grove schools</h1>
<p>Computer labs, library media centres, robotics and coding clubs in all five of our schools.</p>
</section>
<picture>
<source srcset="images/blocks/welcome.webp" type="image/webp">
<img src="images/blocks/welcome.png" alt="Coloured building blocks" width="640" height="360">
</picture>
<h2>What's new</h2>
<ul>
<li><a href="technology/computer-lab.html">The new computer lab at Maple Grove Middle</a></li>
<li><a href="library/index.html">The library media centre reopens</a></li>
<li><a href="robotics/state-final.html">Robotics at the state final</a></li>
<li><a href="blog/2026/11/coding-club.html">Coding club builds its first game</a></li>
</ul>
<figure class="illustration">
<img src="images/ai/future-lab.png" alt="Illustration: floating screens above empty desks" width="640" height="400">
<figcaption>Illustration made with an AI image generator by the Communications Office.</figcaption>
</figure>
"#,
    );

    let lab = page(
        "The computer lab",
        r#"<style>
.lab-banner { background: #234 url("../images/blocks/circuit-banner.png") no-repeat center / cover; min-height: 120px; }
</style>
"#,
        r#"<div class="lab-banner"><h1>The computer lab at Maple Grove Middle</h1></div>
<figure>
<img src="../images/lab/students-coding.jpg" srcset="../images/lab/students-coding-480.jpg 480w, ../images/lab/students-coding.jpg 800w" sizes="(max-width: 600px) 480px, 800px" alt="Ava Rosewood and Ms. Hale at a computer in the lab" width="800" height="533">
<figcaption>Ava Rosewood and Ms. Dana Hale debug a game. Photo: District Communications Office.</figcaption>
</figure>
<p>The lab opened in September with thirty-two workstations, a 3D printer and a soldering bench.</p>
<img src="../images/lab/lab-overview.jpg" alt="students at computers" width="800" height="500">
<h2>Equipment</h2>
<figure>
<img src="../images/lab/laptop-cart.jpg" alt="A laptop charging cart" width="600" height="400">
<figcaption>The new laptop cart. Photo: Pat Lindqvist.</figcaption>
</figure>
<figure>
<img src="../images/lab/3d-printer.jpg" alt="The 3D printer printing an orange gear" width="600" height="450">
<figcaption>Photo: Brightline Photo Co.</figcaption>
</figure>
<figure>
<img src="../images/lab/soldering-bench.jpg" alt="The soldering bench" width="640" height="427">
<figcaption>The soldering bench. Photo: District Communications Office.</figcaption>
</figure>
<p><img src="../images/lab/keyboard-stock.jpg" alt="Close-up of a keyboard" width="640" height="360" class="stock"></p>
<p>Keyboard photo licensed from Example Stock.</p>
"#,
    );

    let library = page(
        "Library media centre",
        "",
        &format!(
            r#"<h1>The library media centre reopens</h1>
<figure>
<a href="../images/library/shelves-large.jpg"><img src="../images/library/shelves.jpg" alt="Tall library shelves full of books" width="640" height="427"></a>
<figcaption>“<a href="https://photos.example.net/jellery/library-shelves">Library Shelves</a>” by Jordan Ellery is licensed under <a rel="license" href="{CC_BY_4}">CC BY 4.0</a>.</figcaption>
</figure>
<div class="gallery">
<img src="../images/library/reading%20nook.jpg" alt="A reading nook with beanbags" width="600" height="400">
</div>
<h2>Our collection</h2>
<figure>
<img src="../images/library/globe.jpg?v=3" alt="An antique globe on a stand" width="600" height="600">
<figcaption>“Old Globe” by Sam Rivera, CC BY-SA 3.0</figcaption>
</figure>
<div id="attachment_412" style="width: 610px" class="wp-caption aligncenter"><img aria-describedby="caption-attachment-412" class="wp-image-412 size-full" src="../images/library/choir-concert.jpg" alt="Concert at the library reopening" width="600" height="400"><p id="caption-attachment-412" class="wp-caption-text">The choir sings at the library reopening.</p></div>
<div class="photo">
<img src="../images/library/card-catalog.jpg" alt="Wooden card catalogue drawers" width="600" height="450">
<p xmlns:cc="http://creativecommons.org/ns#" xmlns:dct="http://purl.org/dc/terms/"><a property="dct:title" rel="cc:attributionURL" href="https://photos.example.net/anovak/card-catalog">Card Catalog</a> by <a rel="cc:attributionURL dct:creator" property="cc:attributionName" href="https://photos.example.net/anovak">Alex Novak</a> is licensed under <a href="https://creativecommons.org/licenses/by/4.0/?ref=chooser-v1" target="_blank" rel="license noopener noreferrer" style="display:inline-block;">CC BY 4.0</a></p>
</div>
<figure>
<img src="../images/library/bookmobile.jpg" alt="The district bookmobile parked outside the library" width="700" height="420">
<figcaption>“<a href="https://photos.example.net/rokafor/bookmobile">Bookmobile</a>” by Robin Okafor is licensed under <a href="{CC_BY_4}">CC BY 4.0</a>.</figcaption>
</figure>
<figure>
<img src="../images/library/map-1890.jpg" alt="Hand-drawn map of Maple Grove in 1890" width="700" height="500">
<figcaption>Map of Maple Grove, 1890. Public domain.</figcaption>
</figure>
<p><img src="../images/library/pencils.png" alt="Coloured pencils" width="480" height="320"></p>
<p>The maker corner has pencils, paper and cardboard for every project.</p>
"#
        ),
    );

    let robotics = page(
        "Robotics at the state final",
        "",
        r#"<h1>Robotics at the state final</h1>
<figure>
<img src="../images/robotics/team-photo.jpg" alt="The robotics team with their robot" width="800" height="450">
<figcaption>The team after the final round. Photo: District Communications Office.</figcaption>
</figure>
<figure>
<img src="../images/robotics/driver-station.jpg" alt="Leo Marchetti at the driver station" width="600" height="400">
<figcaption>Leo Marchetti drives in the quarter-final.</figcaption>
</figure>
<figure>
<img src="../images/robotics/pit-crew.jpg" alt="Mia Kowalczyk repairing the drive train in the pits" width="600" height="400">
<figcaption>Repairs between matches.</figcaption>
</figure>
<figure>
<img src="../images/robotics/awards.jpg" alt="Noah Tran receives the judges' award" width="600" height="400">
<figcaption>The judges' award.</figcaption>
</figure>
<figure>
<img src="../images/robotics/robot-build.jpg" alt="Zoe Quillan wiring the robot's arm" width="600" height="450">
<figcaption>Wiring the arm the night before.</figcaption>
</figure>
<figure>
<img src="../images/robotics/trophy.jpg" alt="Ivy Sandoval lifts the trophy" width="600" height="450">
<figcaption>Second place overall!</figcaption>
</figure>
<figure>
<img src="../images/robotics/arena.jpg" alt="The arena before the final" width="800" height="450">
<figcaption>The arena. Photo: District Communications Office.</figcaption>
</figure>
<figure>
<img src="../images/robotics/field-nd.jpg" alt="The competition field from above" width="640" height="360">
<figcaption>“<a href="https://photos.example.net/tbrooks/competition-field">Competition Field</a>” by Taylor Brooks is licensed under <a rel="license" href="https://creativecommons.org/licenses/by-nd/4.0/">CC BY-ND 4.0</a>.</figcaption>
</figure>
<p><img src="../images/robotics/finals-banner.jpg" alt="State final banner" width="800" height="200"></p>
<p><img src="../images/robotics/scoreboard.jpg" alt="The final scoreboard" width="600" height="400"></p>
"#,
    );

    let blog = page(
        "Coding club builds its first game",
        "",
        r#"<article>
<h1>Coding club builds its first game</h1>
<p class="byline">Posted 12 November 2026 by Ms. Hale</p>
<figure>
<img src="../../../images/blog/coding-club.jpg" alt="Owen Bassett presenting his game" width="700" height="467">
<figcaption>Owen Bassett shows his platformer.</figcaption>
</figure>
<p>We started with loops and ended with a working platformer.</p>
<p><img src="../../../images/blog/whiteboard.jpg" alt="Whiteboard diagram of a for-loop" width="640" height="427" data-clearance-ignore="unknown-provenance"></p>
<figure>
<img src="/images/blog/club-meeting.jpg" alt="Slide from the first meeting" width="640" height="427">
<figcaption>Week one.</figcaption>
</figure>
<figure>
<img src="../../../images/blog/robot-sketch.png" alt="A sketch of a wheeled robot" width="480" height="360">
<figcaption>Robot sketch by club member Jamie P.</figcaption>
</figure>
</article>
"#,
    );

    let store = page(
        "Spirit wear",
        "",
        r#"<h1>Spirit wear</h1>
<p>Every purchase supports the robotics and coding clubs.</p>
<figure>
<img src="../images/store/hoodie-front.jpg" alt="Green Maple Grove hoodie" width="600" height="600">
<figcaption>Maple Grove hoodie, $35. <button type="button">Add to cart</button></figcaption>
</figure>
<figure>
<img src="../images/store/mascot-sketch.jpg" alt="Drawing of Maple the moose" width="600" height="600">
<figcaption>“<a href="https://photos.example.net/jpark/maple-the-moose">Maple the Moose</a>” by Jesse Park is licensed under <a rel="license" href="https://creativecommons.org/licenses/by-nc/4.0/">CC BY-NC 4.0</a>. Printed on our T-shirts, $18. <button type="button">Add to cart</button></figcaption>
</figure>
"#,
    );

    let credits = page(
        "About this site and image credits",
        "",
        &format!(
            r#"<h1>About this site</h1>
<p>This site is maintained by the Technology Department.</p>
<p><img src="../images/about/school-bus.jpg" alt="A yellow school bus at dawn" width="700" height="400"></p>
<h2>History</h2>
<p><img src="../images/about/1998-homepage.gif" alt="Screenshot of the district's 1998 homepage" width="480" height="360"></p>
<p><img src="../images/about/pta-flyer.png" alt="Book fair flyer" width="480" height="620"></p>
<p>Book fair flyer courtesy of the Maple Grove PTA.</p>
<p><img src="../../outside.jpg" alt="" width="100" height="100"></p>
<section id="image-credits" class="credits">
<h2>Image credits</h2>
<ul>
<li><code>school-bus.jpg</code>: “<a href="https://photos.example.net/cmorgan/bus-at-dawn">Bus at Dawn</a>” by Casey Morgan, licensed under <a rel="license" href="{CC_BY_4}">CC BY 4.0</a>.</li>
<li>Logo and site graphics: District Communications Office.</li>
</ul>
</section>
"#
        ),
    );

    let draft = page(
        "Draft: lab tour",
        "",
        r#"<h1>Lab tour (draft, do not publish)</h1>
<img src="../images/drafts/mockup.jpg" alt="students at the new desks" width="640" height="400">
"#,
    );

    vec![
        ("index.html", index),
        ("technology/computer-lab.html", lab),
        ("library/index.html", library),
        ("robotics/state-final.html", robotics),
        ("blog/2026/11/coding-club.html", blog),
        ("store/spirit-wear.html", store),
        ("about/credits.html", credits),
        ("drafts/wip.html", draft),
    ]
}

// ---------------------------------------------------------------------------
// The demo site: configuration, ledger, roster
// ---------------------------------------------------------------------------

fn demo_config() -> String {
    format!(
        r#"# clearance configuration for the Maple Grove demo site (testdata/demo).
# Paths are relative to this file.
root = "site"
base_url = "{BASE_URL}"
ledger = ["ledger.toml", "roster.csv"]
exclude = ["drafts/**"]
commercial = ["store/**"]

[scopes]
# Every page needs consent scope "web"; blog posts also need "blog".
blog = ["blog/**"]

[severity]
# Same as the built-in default; kept to show the table (the expectations assume defaults).
consent-expiring = "info"

[[ignore]]
pages = ["about/**"]
images = ["images/about/1998-*.gif"]
rules = ["unknown-provenance"]
reason = "our own 1998 homepage, kept on the history page; screenshot of district-made pages"
"#
    )
}

const DEMO_ROSTER: &str = "\
id,name,minor,consent,scope,signed,signed_by,expires,document,homeroom
p-ava-r,Ava Rosewood,true,granted,web;blog,2025-09-02,guardian,2027-06-30,releases/2025/ava-r.pdf,7B
p-leo-m,Leo Marchetti,true,granted,web;blog,2025-09-10,self,2027-06-30,releases/2025/leo-m.pdf,8A
p-mia-k,Mia Kowalczyk,true,granted,web,2024-09-01,guardian,2026-06-30,releases/2024/mia-k.pdf,8A
p-noah-t,Noah Tran,true,unknown,,,,,,8C
p-owen-b,Owen Bassett,true,granted,web,2025-09-05,guardian,2027-06-30,releases/2025/owen-b.pdf,6A
p-zoe-q,Zoe Quillan,true,opt-out,web,2025-09-03,guardian,,releases/2025/zoe-q-optout.pdf,7B
p-ivy-s,Ivy Sandoval,true,granted,web;blog,2025-12-01,guardian,2026-12-01,releases/2025/ivy-s.pdf,8C
";

fn demo_ledger(hoodie_sha256: &str) -> String {
    format!(
        r#"# Permission ledger of the Maple Grove demo site. Students are in roster.csv.
# Every name here is invented for this demo.

[[person]]
id = "p-ms-hale"
name = "Dana Hale"
minor = false
consent = "granted"
scope = ["web", "blog", "social"]
signed = 2024-08-20
signed_by = "self"
document = "releases/staff/dana-hale.pdf"

# --- photographers -------------------------------------------------------

[[photographer]]
id = "comms-office"
name = "District Communications Office"
kind = "staff"
permission = "granted"
scope = ["web", "blog", "social"]
signed = 2024-08-15
expires = 2029-08-15

[[photographer]]
id = "ph-lindqvist"
name = "Pat Lindqvist"
kind = "parent"
permission = "denied"
signed = 2025-10-01

[[photographer]]
id = "ph-brightline"
name = "Brightline Photo Co."
kind = "contractor"
permission = "granted"
scope = ["web"]
signed = 2024-07-01
expires = 2026-06-30

# --- shared graphics -----------------------------------------------------

[[asset]]
id = "brand-logo"
files = ["images/brand/logo.svg", "favicon.png"]
title = "District logo and favicon"
photographer = "comms-office"
people = []
source = "own"

[[asset]]
id = "block-graphics"
files = ["images/blocks/*"]
title = "Coloured block graphics"
photographer = "comms-office"
people = []
source = "own"

[[asset]]
id = "ai-future-lab"
files = ["images/ai/future-lab.png"]
title = "Floating screens (AI-generated illustration, disclosed in its caption)"
photographer = "comms-office"
people = []
source = "own"

# --- computer lab ----------------------------------------------------------

[[asset]]
id = "lab-students-coding"
files = ["images/lab/students-coding*.jpg"]
title = "Ava and Ms. Hale debugging a game"
photographer = "comms-office"
people = ["p-ava-r", "p-ms-hale"]
source = "own"

[[asset]]
id = "lab-laptop-cart"
files = ["images/lab/laptop-cart.jpg"]
photographer = "ph-lindqvist"
people = []
source = "own"

[[asset]]
id = "lab-3d-printer"
files = ["images/lab/3d-printer.jpg"]
photographer = "ph-brightline"
people = []
source = "own"

[[asset]]
id = "lab-soldering-bench"
files = ["images/lab/soldering-bench.jpg"]
photographer = "comms-office"
people = []
source = "own"

[[asset]]
id = "lab-keyboard-stock"
files = ["images/lab/keyboard-stock.jpg"]
title = "Keyboard close-up"
people = []
source = "licensed"
license = "LicenseRef-stock-standard"
author = "Example Stock"
source_url = "https://stock.example.com/photo/48213"
license_expires = 2026-10-31

# --- library ---------------------------------------------------------------

[[asset]]
id = "library-shelves"
files = ["images/library/shelves.jpg", "images/library/shelves-large.jpg"]
title = "Library Shelves"
people = []
source = "licensed"
license = "CC-BY-4.0"
author = "Jordan Ellery"
source_url = "https://photos.example.net/jellery/library-shelves"

[[asset]]
id = "library-reading-nook"
files = ["images/library/reading nook.jpg"]
title = "Reading Nook"
people = []
source = "licensed"
license = "CC-BY-2.0"
author = "Morgan Okonjo"

[[asset]]
id = "library-globe"
files = ["images/library/globe.jpg"]
title = "Old Globe"
people = []
source = "licensed"
license = "CC-BY-SA-3.0"
author = "Sam Rivera"

[[asset]]
id = "library-choir"
files = ["images/library/choir-concert.jpg"]
title = "Concert at the library reopening"
photographer = "comms-office"
# people: not yet checked
source = "own"

[[asset]]
id = "library-card-catalog"
files = ["images/library/card-catalog.jpg"]
title = "Card Catalog"
people = []
source = "licensed"
license = "https://creativecommons.org/licenses/by/4.0/"
author = "Alex Novak"
source_url = "https://photos.example.net/anovak/card-catalog"

[[asset]]
id = "library-map-1890"
files = ["images/library/map-1890.jpg"]
title = "Map of Maple Grove, 1890"
people = []
source = "public-domain"
license = "https://creativecommons.org/publicdomain/mark/1.0/"

[[asset]]
id = "library-pencils"
files = ["images/library/pencils.png"]
title = "Coloured pencils"
people = []
source = "public-domain"
license = "CC0-1.0"
author = "Lee Fontaine"

# --- robotics --------------------------------------------------------------

[[asset]]
id = "robotics-team-photo"
files = ["images/robotics/team-photo.jpg"]
photographer = "comms-office"
people = ["p-ava-r", "p-zoe-q"]
source = "own"

[[asset]]
id = "robotics-driver-station"
files = ["images/robotics/driver-station.jpg"]
photographer = "comms-office"
people = ["p-leo-m"]
source = "own"

[[asset]]
id = "robotics-pit-crew"
files = ["images/robotics/pit-crew.jpg"]
photographer = "comms-office"
people = ["p-mia-k"]
source = "own"

[[asset]]
id = "robotics-awards"
files = ["images/robotics/awards.jpg"]
photographer = "comms-office"
people = ["p-noah-t"]
source = "own"

[[asset]]
id = "robotics-robot-build"
files = ["images/robotics/robot-build.jpg"]
title = "Wiring the arm (hands only)"
photographer = "comms-office"
people = []
source = "own"

[[asset]]
id = "robotics-trophy"
files = ["images/robotics/trophy.jpg"]
photographer = "comms-office"
people = ["p-ivy-s"]
source = "own"

[[asset]]
id = "robotics-arena"
files = ["images/robotics/arena.jpg"]
photographer = "comms-office"
people = []
source = "own"

[[asset]]
id = "robotics-field"
files = ["images/robotics/field-nd.jpg"]
title = "Competition Field"
people = []
source = "licensed"
license = "CC-BY-ND-4.0"
author = "Taylor Brooks"
source_url = "https://photos.example.net/tbrooks/competition-field"
width = 1200
height = 900

[[asset]]
id = "robotics-finals-banner"
files = ["images/robotics/finals-banner.jpg"]
photographer = "comms-office"
people = []
source = "own"

[[asset]]
id = "robotics-scoreboard"
files = ["images/robotics/scoreboard.jpg"]
photographer = "comms-office"
people = []
source = "own"

# --- blog ------------------------------------------------------------------

[[asset]]
id = "blog-coding-club"
files = ["images/blog/coding-club.jpg"]
photographer = "comms-office"
people = ["p-owen-b"]
source = "own"

[[asset]]
id = "blog-club-meeting"
files = ["images/blog/club-meeting.jpg"]
photographer = "comms-office"
source = "own"

[[asset]]
id = "blog-robot-sketch"
files = ["images/blog/robot-sketch.png"]
title = "Robot sketch by club member Jamie P. (student photographer; no permission on file)"
people = []
source = "own"

# --- store -----------------------------------------------------------------

[[asset]]
id = "store-hoodie"
# The file was renamed on the site since; its bytes still identify it.
files = ["images/catalog/hoodie.jpg"]
sha256 = ["{hoodie_sha256}"]
photographer = "comms-office"
people = []
source = "own"

[[asset]]
id = "store-mascot"
files = ["images/store/mascot-sketch.jpg"]
title = "Maple the Moose"
people = []
source = "licensed"
license = "CC-BY-NC-4.0"
author = "Jesse Park"
source_url = "https://photos.example.net/jpark/maple-the-moose"

# --- about -----------------------------------------------------------------

[[asset]]
id = "about-school-bus"
files = ["images/about/school-bus.jpg"]
title = "Bus at Dawn"
people = []
source = "licensed"
license = "CC-BY-4.0"
author = "Casey Morgan"
source_url = "https://photos.example.net/cmorgan/bus-at-dawn"

[[asset]]
id = "about-pta-flyer"
files = ["images/about/pta-flyer.png"]
title = "Book fair flyer"
people = []
source = "licensed"
license = "free-ish? ask the PTA"
author = "Maple Grove PTA"
"#
    )
}

// ---------------------------------------------------------------------------
// Expectations
// ---------------------------------------------------------------------------

/// One expected outcome for one image on one page: a finding, or "clean".
struct Expect {
    image: &'static str,
    page: &'static str,
    /// `None`: no finding at all for this image on this page.
    rule: Option<&'static str>,
    severity: &'static str,
    /// `Some("inline")` / `Some("config")`: reported, but suppressed.
    suppressed: Option<&'static str>,
    why: &'static str,
}

const fn clean(image: &'static str, page: &'static str, why: &'static str) -> Expect {
    Expect {
        image,
        page,
        rule: None,
        severity: "",
        suppressed: None,
        why,
    }
}

const fn finding(
    image: &'static str,
    page: &'static str,
    rule: &'static str,
    severity: &'static str,
    why: &'static str,
) -> Expect {
    Expect {
        image,
        page,
        rule: Some(rule),
        severity,
        suppressed: None,
        why,
    }
}

const INDEX: &str = "index.html";
const LAB: &str = "technology/computer-lab.html";
const LIBRARY: &str = "library/index.html";
const ROBOTICS: &str = "robotics/state-final.html";
const BLOG: &str = "blog/2026/11/coding-club.html";
const STORE: &str = "store/spirit-wear.html";
const CREDITS: &str = "about/credits.html";
const SCANNED_PAGES: [&str; 7] = [INDEX, LAB, LIBRARY, ROBOTICS, BLOG, STORE, CREDITS];

fn expectations() -> Vec<Expect> {
    let mut rows = Vec::new();
    for page in SCANNED_PAGES {
        rows.push(clean("favicon.png", page, "`link rel=icon` on every page; asset brand-logo (own, comms-office granted, people = [])"));
        rows.push(clean(
            "images/brand/logo.svg",
            page,
            "SVG logo in the header of every page; asset brand-logo (own, staff)",
        ));
    }
    rows.extend([
        // Home.
        clean("images/lab/students-coding.jpg", INDEX, "`og:image` (absolute URL under base_url); same image as on the lab page: cleared"),
        clean("images/blocks/hero-pattern.png", INDEX, "inline `style` background; asset block-graphics (own, people = [])"),
        clean("images/blocks/welcome.webp", INDEX, "`picture > source` WebP; asset block-graphics"),
        clean("images/blocks/welcome.png", INDEX, "`picture` fallback img; asset block-graphics"),
        clean("images/ai/future-lab.png", INDEX, "XMP DigitalSourceType trainedAlgorithmicMedia, own ledger entry, disclosed in its caption: no rule of SPEC.md covers AI provenance, so clean (metadata.ai_generated = true in the JSON)"),
        // Lab.
        clean("images/blocks/circuit-banner.png", LAB, "`<style>` block background (line is the url's line); asset block-graphics"),
        clean("images/lab/students-coding.jpg", LAB, "img src and srcset 800w; comms-office granted; Ava (minor, guardian, web+blog, expires 2027-06-30) and Dana Hale (adult, self) granted"),
        clean("images/lab/students-coding-480.jpg", LAB, "srcset 480w candidate; same asset via the `students-coding*.jpg` glob"),
        finding("images/lab/lab-overview.jpg", LAB, "unknown-provenance", "error", "no ledger entry, no embedded metadata"),
        finding("images/lab/lab-overview.jpg", LAB, "people-unverified", "warning", "alt \"students at computers\" means people; nobody recorded (no asset)"),
        finding("images/lab/laptop-cart.jpg", LAB, "photographer-permission", "error", "photographer ph-lindqvist: permission = denied"),
        finding("images/lab/3d-printer.jpg", LAB, "photographer-permission", "error", "photographer ph-brightline: permission expired 2026-06-30"),
        finding("images/lab/soldering-bench.jpg", LAB, "location-exposed", "error", "EXIF GPS 44.9537 N, 93.09 W; otherwise cleared (EXIF Artist and IPTC By-line equal the photographer's name: no conflict)"),
        finding("images/lab/keyboard-stock.jpg", LAB, "license-terms", "error", "stock licence `LicenseRef-stock-standard` (an SPDX LicenseRef: a declared custom licence, not unknown) expired 2026-10-31"),
        // Library.
        clean("images/library/shelves.jpg", LIBRARY, "CC BY 4.0 with full TASL figcaption (title linked to source, author, licence linked with rel=license)"),
        clean("images/library/shelves-large.jpg", LIBRARY, "`a href` straight to the full-size file, inside the same figure: the figcaption credits it"),
        finding("images/library/reading nook.jpg", LIBRARY, "attribution-missing", "error", "CC BY 2.0, no credit anywhere on the page (referenced as `reading%20nook.jpg`)"),
        finding("images/library/globe.jpg", LIBRARY, "attribution-incomplete", "warning", "CC BY-SA 3.0: title, author and licence name shown, licence not linked (referenced with `?v=3`)"),
        finding("images/library/choir-concert.jpg", LIBRARY, "people-unverified", "warning", "WordPress wp-caption-text \"The choir sings...\"; asset library-choir has no `people` key"),
        clean("images/library/card-catalog.jpg", LIBRARY, "CC BY 4.0 credited by CC license-chooser RDFa (dct:title, cc:attributionName, rel=license) right after the image"),
        clean("images/library/bookmobile.jpg", LIBRARY, "no ledger entry, but its own XMP carries CC BY 4.0 (cc:license, dc:creator Robin Okafor) and the figcaption credits it in full"),
        clean("images/library/map-1890.jpg", LIBRARY, "public domain (PDM 1.0); its ICC profile's cprt says \"Copyright (c) 1998 Hewlett-Packard Company\": about the colour profile, not the picture, so no metadata-conflict"),
        clean("images/library/pencils.png", LIBRARY, "CC0 1.0: no credit required, none shown"),
        // Robotics.
        finding("images/robotics/team-photo.jpg", ROBOTICS, "subject-opt-out", "error", "asset lists p-zoe-q (consent = opt-out); only subject-opt-out for her, not also subject-consent; p-ava-r is fine"),
        finding("images/robotics/driver-station.jpg", ROBOTICS, "subject-consent", "error", "p-leo-m is a minor whose release is signed_by = self (needs guardian)"),
        finding("images/robotics/pit-crew.jpg", ROBOTICS, "subject-consent", "error", "p-mia-k consent expired 2026-06-30"),
        finding("images/robotics/awards.jpg", ROBOTICS, "subject-consent", "error", "p-noah-t consent = unknown"),
        finding("images/robotics/robot-build.jpg", ROBOTICS, "subject-opt-out", "error", "asset people = [] but the alt text names Zoe Quillan, who opted out"),
        finding("images/robotics/trophy.jpg", ROBOTICS, "consent-expiring", "info", "p-ivy-s consent expires 2026-12-01, 16 days after the as-of date"),
        finding("images/robotics/arena.jpg", ROBOTICS, "metadata-conflict", "error", "EXIF Artist / Copyright and IPTC By-line / Credit name \"Getty Images\"; ledger says own work of comms-office"),
        finding("images/robotics/field-nd.jpg", ROBOTICS, "license-terms", "warning", "CC BY-ND 4.0 served at 640x360; ledger records the original as 1200x900 (aspect differs). ND alteration is a warning; the TASL credit is complete"),
        finding("images/robotics/finals-banner.jpg", ROBOTICS, "unreadable-image", "error", "file does not exist (asset robotics-finals-banner covers it: nothing else fires)"),
        finding("images/robotics/scoreboard.jpg", ROBOTICS, "unreadable-image", "error", "JPEG truncated after 120 bytes, inside its header: no frame header (cleared asset: nothing else fires)"),
        // Blog.
        finding("images/blog/coding-club.jpg", BLOG, "subject-consent", "error", "p-owen-b scope is [web]; blog/** pages also need scope blog"),
        Expect {
            image: "images/blog/whiteboard.jpg",
            page: BLOG,
            rule: Some("unknown-provenance"),
            severity: "error",
            suppressed: Some("inline"),
            why: "no ledger entry; suppressed by `data-clearance-ignore=\"unknown-provenance\"` (reported as suppressed, does not fail)",
        },
        finding("images/blog/club-meeting.jpg", BLOG, "people-unverified", "warning", "XMP Iptc4xmpExt:PersonInImage (Hana Ito, Sam Ortiz) and asset blog-club-meeting has no `people` key; alt and caption name nobody"),
        finding("images/blog/robot-sketch.png", BLOG, "photographer-permission", "error", "source own but no photographer recorded (a student's drawing; no [[photographer]] entry)"),
        // Store.
        clean("images/store/hoodie-front.jpg", STORE, "matched by sha256 only (its `files` glob names the old path images/catalog/hoodie.jpg); own, people = []"),
        finding("images/store/mascot-sketch.jpg", STORE, "license-terms", "error", "CC BY-NC 4.0 on a page matching `commercial = [\"store/**\"]`; the credit itself is complete"),
        // About.
        clean("images/about/school-bus.jpg", CREDITS, "CC BY 4.0, no figcaption, credited in the page's credits section that names `school-bus.jpg` (title, author, licence link, source)"),
        Expect {
            image: "images/about/1998-homepage.gif",
            page: CREDITS,
            rule: Some("unknown-provenance"),
            severity: "error",
            suppressed: Some("config"),
            why: "no ledger entry; suppressed by the [[ignore]] in clearance.toml (reason given there)",
        },
        finding("images/about/pta-flyer.png", CREDITS, "license-terms", "error", "ledger licence string \"free-ish? ask the PTA\" is not a licence clearance knows"),
        finding("../../outside.jpg", CREDITS, "unreadable-image", "error", "reference resolves above the site root: never read (a decoy file with GPS sits at testdata/demo/outside.jpg); the finding's image is the reference as written"),
    ]);
    rows
}

fn line_of(html: &str, image: &str) -> Option<usize> {
    let needle = image
        .rsplit('/')
        .next()
        .unwrap_or(image)
        .replace(' ', "%20");
    html.lines()
        .position(|l| l.contains(&needle))
        .map(|i| i + 1)
}

fn expected_md(pages: &[(&'static str, String)], rows: &[Expect]) -> String {
    let html_of = |p: &str| {
        pages
            .iter()
            .find(|(path, _)| *path == p)
            .map(|(_, h)| h.as_str())
            .unwrap_or("")
    };
    let live = |sev: &str| {
        rows.iter()
            .filter(|r| r.rule.is_some() && r.suppressed.is_none() && r.severity == sev)
            .count()
    };
    let suppressed = rows.iter().filter(|r| r.suppressed.is_some()).count();
    let mut images: Vec<&str> = rows.iter().map(|r| r.image).collect();
    images.sort_unstable();
    images.dedup();
    let mut md = String::new();
    let _ = write!(
        md,
        "# What a scan of the demo site must report\n\n\
Generated by `cargo run --example make-demo` from the same table that builds the site; edit\n\
`testdata/generate/main.rs`, not this file.\n\n\
Command (from `testdata/demo/`): `clearance scan --as-of {AS_OF}` (the config `clearance.toml` is\n\
picked up; its root is `site/`). **All dates below are judged as of {AS_OF}**: on another day the\n\
consent/licence findings change. Default rules and severities apply (the config's one `[severity]`\n\
entry restates a default).\n\n\
- Pages scanned: {n_pages} (`drafts/wip.html` is excluded: `images/drafts/mockup.jpg`, used only there,\n\
  must not appear in the report at all).\n\
- Distinct images referenced: {n_images} (including the missing `images/robotics/finals-banner.jpg` and the\n\
  outside-root reference `../../outside.jpg`).\n\
- Findings that count: **{e} error, {w} warning, {i} info**; suppressed: {suppressed}. Exit code **1**.\n\
- Every row is one (image, page) pair; an image with several findings has one row per rule. No other\n\
  finding may be reported. \"clean\" means no finding of any rule for that image on that page.\n\
- An image with no ledger entry gets `unknown-provenance` (and `people-unverified` when there is\n\
  evidence of people), never also `photographer-permission` or `subject-consent`; an image that\n\
  cannot be read gets `unreadable-image` and nothing that depends on its bytes.\n\
- `line` is the first line of the page that mentions the file (each element's start tag is on one\n\
  line; for the `<style>` block it is the line of the `url(...)`, not of `<style>`).\n\n\
| image | page | line | expected | severity | why |\n|---|---|---|---|---|---|\n",
        n_pages = SCANNED_PAGES.len(),
        n_images = images.len(),
        e = live("error"),
        w = live("warning"),
        i = live("info"),
    );
    for r in rows {
        let line = line_of(html_of(r.page), r.image)
            .map(|l| l.to_string())
            .unwrap_or_default();
        let expected = match (r.rule, r.suppressed) {
            (None, _) => "clean".to_string(),
            (Some(rule), None) => format!("`{rule}`"),
            (Some(rule), Some(how)) => format!("`{rule}` (suppressed: {how})"),
        };
        let severity = if r.severity.is_empty() {
            "—"
        } else {
            r.severity
        };
        let _ = writeln!(
            md,
            "| `{}` | `{}` | {} | {} | {} | {} |",
            r.image,
            r.page,
            line,
            expected,
            severity,
            r.why.replace('|', "\\|")
        );
    }
    let _ = write!(
        md,
        "\n## People and permissions this relies on\n\n\
See `ledger.toml` (staff, photographers, assets) and `roster.csv` (students; the extra\n\
`homeroom` column must be ignored). Every name is invented.\n\n\
## `testdata/clean-site/`\n\n\
`clearance scan --as-of {AS_OF}` from `testdata/clean-site/` (any date up to 2029-11-30 gives the\n\
same result): 3 images on 1 page, **no findings, exit code 0**.\n\n\
## `testdata/broken-ledger/`\n\n\
`ledger.toml` line **{line}** reads `consent = \"maybe\"` (not granted | denied | opt-out | unknown).\n\
`clearance scan` and `clearance ledger check` from `testdata/broken-ledger/` exit **2** with a\n\
message naming `ledger.toml` and line {line}.\n",
        line = BROKEN_LINE,
    );
    md
}

fn expected_json(pages: &[(&'static str, String)], rows: &[Expect]) -> Result<String> {
    let html_of = |p: &str| {
        pages
            .iter()
            .find(|(path, _)| *path == p)
            .map(|(_, h)| h.as_str())
            .unwrap_or("")
    };
    let list: Vec<serde_json::Value> = rows
        .iter()
        .map(|r| {
            serde_json::json!({
                "image": r.image,
                "page": r.page,
                "line": line_of(html_of(r.page), r.image),
                "rule": r.rule,
                "severity": if r.rule.is_some() { Some(r.severity) } else { None },
                "suppressed": r.suppressed,
                "why": r.why,
            })
        })
        .collect();
    let doc = serde_json::json!({
        "as_of": AS_OF,
        "exit_code": 1,
        "pages": SCANNED_PAGES,
        "not_reported": ["images/drafts/mockup.jpg", "drafts/wip.html"],
        "expectations": list,
    });
    Ok(serde_json::to_string_pretty(&doc)? + "\n")
}

fn demo() -> Result<Tree> {
    let mut tree = Tree::new();
    let mut hoodie_sha = None;
    for image in demo_images() {
        let bytes = image.bytes()?;
        if image.path == "images/store/hoodie-front.jpg" {
            hoodie_sha = Some(sha256_hex(&bytes));
        }
        tree.insert(format!("site/{}", image.path), bytes);
    }
    tree.insert(
        "site/images/brand/logo.svg".into(),
        LOGO_SVG.as_bytes().to_vec(),
    );
    tree.insert("site/css/site.css".into(), SITE_CSS.as_bytes().to_vec());
    let pages = demo_pages();
    for (path, html) in &pages {
        tree.insert(format!("site/{path}"), html.as_bytes().to_vec());
    }
    // Just outside the root: a scan must never read it (so it carries GPS, to be caught if read).
    let decoy = img("outside.jpg", Scene::Blocks, (100, 100), 99).with(Embedded {
        artist: Some("DECOY: outside the site root, must never be read"),
        gps: Some((0.5, 0.5)),
        ..Embedded::default()
    });
    tree.insert("outside.jpg".into(), decoy.bytes()?);
    tree.insert("clearance.toml".into(), demo_config().into_bytes());
    let hoodie_sha = hoodie_sha.context("hoodie image missing from the image list")?;
    tree.insert("ledger.toml".into(), demo_ledger(&hoodie_sha).into_bytes());
    tree.insert("roster.csv".into(), DEMO_ROSTER.as_bytes().to_vec());
    let rows = expectations();
    tree.insert(
        "EXPECTED.md".into(),
        expected_md(&pages, &rows).into_bytes(),
    );
    tree.insert(
        "expected.json".into(),
        expected_json(&pages, &rows)?.into_bytes(),
    );
    Ok(tree)
}

// ---------------------------------------------------------------------------
// The clean site and the broken ledger
// ---------------------------------------------------------------------------

fn clean_site() -> Result<Tree> {
    let mut tree = Tree::new();
    let images = [
        img("images/lab.jpg", Scene::Lab { figures: 2 }, (640, 400), 200),
        img("images/shelves.jpg", Scene::Shelves, (480, 320), 201),
        img("images/blocks.png", Scene::Blocks, (400, 240), 202),
    ];
    for image in &images {
        tree.insert(format!("site/{}", image.path), image.bytes()?);
    }
    let body = format!(
        r#"<h1>Our lab</h1>
<figure>
<img src="images/lab.jpg" alt="Kai Lindholm at a computer" width="640" height="400">
<figcaption>Kai Lindholm tries the new lab. Photo: Ms. Reyes.</figcaption>
</figure>
<figure>
<img src="images/shelves.jpg" alt="Library shelves" width="480" height="320">
<figcaption>“<a href="https://photos.example.net/jellery/library-shelves">Library Shelves</a>” by Jordan Ellery is licensed under <a rel="license" href="{CC_BY_4}">CC BY 4.0</a>.</figcaption>
</figure>
<p><img src="images/blocks.png" alt="Coloured blocks" width="400" height="240"></p>
"#
    );
    let html = format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>A cleared page</title>\n</head>\n<body>\n{body}</body>\n</html>\n"
    );
    tree.insert("site/index.html".into(), html.into_bytes());
    tree.insert(
        "clearance.toml".into(),
        b"# Every image on this site is cleared: a scan exits 0.\nroot = \"site\"\nledger = [\"ledger.toml\"]\n".to_vec(),
    );
    tree.insert(
        "ledger.toml".into(),
        br#"[[person]]
id = "p-kai-l"
name = "Kai Lindholm"
minor = true
consent = "granted"
scope = ["web", "blog"]
signed = 2025-09-01
signed_by = "guardian"
expires = 2029-12-31

[[photographer]]
id = "t-reyes"
name = "Ms. Reyes"
kind = "staff"
permission = "granted"
scope = ["web", "blog"]
signed = 2025-08-20
expires = 2029-12-31

[[asset]]
id = "lab"
files = ["images/lab.jpg"]
photographer = "t-reyes"
people = ["p-kai-l"]
source = "own"

[[asset]]
id = "shelves"
files = ["images/shelves.jpg"]
title = "Library Shelves"
people = []
source = "licensed"
license = "CC-BY-4.0"
author = "Jordan Ellery"
source_url = "https://photos.example.net/jellery/library-shelves"

[[asset]]
id = "blocks"
files = ["images/blocks.png"]
photographer = "t-reyes"
people = []
source = "own"
"#
        .to_vec(),
    );
    Ok(tree)
}

/// The 1-based line of `ledger.toml` in `broken-ledger/` that holds the invalid value.
const BROKEN_LINE: usize = 6;

const BROKEN_LEDGER: &str = r#"# consent = "maybe" below is invalid: ledger check and scan must stop with exit 2.
[[person]]
id = "p-rio-v"
name = "Rio Valdez"
minor = true
consent = "maybe"
scope = ["web"]
signed = 2025-09-01
signed_by = "guardian"

[[asset]]
id = "lab"
files = ["images/lab.jpg"]
photographer = "t-reyes"
people = ["p-rio-v"]
source = "own"

[[photographer]]
id = "t-reyes"
name = "Ms. Reyes"
kind = "staff"
permission = "granted"
"#;

fn broken_ledger() -> Result<Tree> {
    let mut tree = Tree::new();
    let image = img("images/lab.jpg", Scene::Lab { figures: 2 }, (400, 250), 300);
    tree.insert("site/images/lab.jpg".into(), image.bytes()?);
    tree.insert(
        "site/index.html".into(),
        b"<!DOCTYPE html>\n<html lang=\"en\">\n<head><meta charset=\"utf-8\"><title>Lab</title></head>\n<body>\n<img src=\"images/lab.jpg\" alt=\"Rio Valdez at a computer\" width=\"400\" height=\"250\">\n</body>\n</html>\n".to_vec(),
    );
    tree.insert(
        "clearance.toml".into(),
        b"root = \"site\"\nledger = [\"ledger.toml\"]\n".to_vec(),
    );
    tree.insert("ledger.toml".into(), BROKEN_LEDGER.as_bytes().to_vec());
    Ok(tree)
}

// ---------------------------------------------------------------------------
// Tests: the committed fixtures are what this program makes, and the bytes say what we meant
// ---------------------------------------------------------------------------

#[cfg(test)]
mod tests {
    use super::*;

    /// Built once per test binary: drawing every fixture is the slow part.
    fn all() -> &'static BTreeMap<&'static str, Tree> {
        static TREES: std::sync::OnceLock<BTreeMap<&'static str, Tree>> =
            std::sync::OnceLock::new();
        TREES.get_or_init(|| build_all().unwrap())
    }

    fn demo_tree() -> &'static Tree {
        &all()["demo"]
    }

    fn file<'a>(tree: &'a Tree, path: &str) -> &'a [u8] {
        tree.get(path)
            .unwrap_or_else(|| panic!("{path} not generated"))
    }

    /// The JPEG APP segments (marker, payload) before the first SOS.
    fn app_segments(jpeg: &[u8]) -> Vec<(u8, Vec<u8>)> {
        let mut out = Vec::new();
        let mut at = 2;
        while at + 4 <= jpeg.len() && jpeg[at] == 0xFF && jpeg[at + 1] != 0xDA {
            let marker = jpeg[at + 1];
            let len = u16::from_be_bytes([jpeg[at + 2], jpeg[at + 3]]) as usize;
            out.push((
                marker,
                jpeg[at + 4..(at + 2 + len).min(jpeg.len())].to_vec(),
            ));
            at += 2 + len;
        }
        out
    }

    #[test]
    fn committed_fixtures_match_a_fresh_build() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata");
        for (dir, files) in all() {
            for (rel, bytes) in files {
                let path = root.join(dir).join(rel);
                let on_disk = std::fs::read(&path).unwrap_or_else(|e| {
                    panic!(
                        "{}: {e}; run `cargo run --example make-demo`",
                        path.display()
                    )
                });
                assert!(
                    &on_disk == bytes,
                    "{} differs from the generator's output; run `cargo run --example make-demo`",
                    path.display()
                );
            }
        }
    }

    #[test]
    fn no_stale_files_beside_the_generated_ones() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata");
        for (dir, files) in all() {
            // Scans of the demo keep their evidence cache beside its config.
            let walk = walkdir::WalkDir::new(root.join(dir))
                .into_iter()
                .filter_entry(|e| e.file_name() != ".clearance-cache");
            for entry in walk {
                let entry = entry.unwrap();
                if entry.file_type().is_file() {
                    let rel = entry.path().strip_prefix(root.join(dir)).unwrap();
                    let rel = rel.to_string_lossy().replace('\\', "/");
                    assert!(
                        files.contains_key(&rel),
                        "testdata/{dir}/{rel} is not made by the generator; run `cargo run --example make-demo`"
                    );
                }
            }
        }
    }

    #[test]
    fn generation_is_deterministic() {
        assert!(&build_all().unwrap() == all());
    }

    #[test]
    fn exif_artist_copyright_and_gps_read_back_with_kamadak_exif() {
        let tree = demo_tree();
        let reader = exif::Reader::new();
        let arena = reader
            .read_from_container(&mut Cursor::new(file(
                tree,
                "site/images/robotics/arena.jpg",
            )))
            .unwrap();
        let artist = arena.get_field(Tag::Artist, In::PRIMARY).unwrap();
        assert_eq!(artist.display_value().to_string(), "\"Getty Images\"");
        let copyright = arena.get_field(Tag::Copyright, In::PRIMARY).unwrap();
        assert!(
            copyright
                .display_value()
                .to_string()
                .contains("Getty Images")
        );
        assert!(arena.get_field(Tag::GPSLatitude, In::PRIMARY).is_none());

        let bench = reader
            .read_from_container(&mut Cursor::new(file(
                tree,
                "site/images/lab/soldering-bench.jpg",
            )))
            .unwrap();
        let lat = bench.get_field(Tag::GPSLatitude, In::PRIMARY).unwrap();
        match &lat.value {
            Value::Rational(v) => {
                let deg = v[0].to_f64() + v[1].to_f64() / 60.0 + v[2].to_f64() / 3600.0;
                assert!((deg - 44.9537).abs() < 1e-3, "latitude {deg}");
            }
            other => panic!("latitude is {other:?}"),
        }
        let lon_ref = bench.get_field(Tag::GPSLongitudeRef, In::PRIMARY).unwrap();
        assert_eq!(lon_ref.display_value().to_string(), "W");
    }

    #[test]
    fn clean_images_carry_no_exif() {
        let tree = demo_tree();
        for path in [
            "site/images/lab/students-coding.jpg",
            "site/images/library/shelves.jpg",
            "site/images/library/bookmobile.jpg",
        ] {
            let r = exif::Reader::new().read_from_container(&mut Cursor::new(file(tree, path)));
            assert!(r.is_err(), "{path} unexpectedly has EXIF");
        }
    }

    #[test]
    fn xmp_iptc_and_icc_segments_are_where_readers_look() {
        let tree = demo_tree();
        let xmp_of = |path: &str| {
            app_segments(file(tree, path))
                .into_iter()
                .find(|(m, p)| *m == 0xE1 && p.starts_with(b"http://ns.adobe.com/xap/1.0/\0"))
                .map(|(_, p)| String::from_utf8(p[29..].to_vec()).unwrap())
        };
        let bookmobile = xmp_of("site/images/library/bookmobile.jpg").unwrap();
        assert!(bookmobile.contains(&format!("<cc:license rdf:resource=\"{CC_BY_4}\"/>")));
        assert!(bookmobile.contains("<rdf:li>Robin Okafor</rdf:li>"));
        assert!(
            bookmobile.starts_with("<?xpacket begin=")
                && bookmobile.ends_with("<?xpacket end=\"w\"?>")
        );
        let meeting = xmp_of("site/images/blog/club-meeting.jpg").unwrap();
        assert!(meeting.contains("<Iptc4xmpExt:PersonInImage><rdf:Bag><rdf:li>Hana Ito</rdf:li>"));

        let iptc = app_segments(file(tree, "site/images/robotics/arena.jpg"))
            .into_iter()
            .find(|(m, _)| *m == 0xED)
            .map(|(_, p)| p)
            .unwrap();
        assert!(iptc.starts_with(b"Photoshop 3.0\08BIM\x04\x04"));
        let byline = [&[0x1C, 2, IPTC_BYLINE, 0, 12][..], b"Getty Images"].concat();
        assert!(iptc.windows(byline.len()).any(|w| w == byline.as_slice()));

        let icc = app_segments(file(tree, "site/images/library/map-1890.jpg"))
            .into_iter()
            .find(|(m, p)| *m == 0xE2 && p.starts_with(b"ICC_PROFILE\0"))
            .map(|(_, p)| p[14..].to_vec())
            .unwrap();
        assert_eq!(
            u32::from_be_bytes(icc[0..4].try_into().unwrap()) as usize,
            icc.len()
        );
        assert_eq!(&icc[36..40], b"acsp");
        assert!(
            String::from_utf8_lossy(&icc).contains("Copyright (c) 1998 Hewlett-Packard Company")
        );
    }

    #[test]
    fn png_itxt_xmp_is_a_valid_chunk_the_decoder_accepts() {
        let tree = demo_tree();
        let png = file(tree, "site/images/ai/future-lab.png");
        // The chunk follows IHDR and its CRC verifies (the decoder below would reject a bad one).
        assert_eq!(&png[37..41], b"iTXt");
        let text = String::from_utf8_lossy(png);
        assert!(text.contains("XML:com.adobe.xmp"));
        assert!(text.contains(AI_SOURCE_TYPE));
        let decoded = image::load_from_memory(png).unwrap();
        assert_eq!((decoded.width(), decoded.height()), (640, 400));
    }

    #[test]
    fn every_raster_decodes_except_the_truncated_one() {
        let tree = demo_tree();
        for (path, bytes) in tree {
            let is_raster = [".jpg", ".png", ".gif", ".webp"]
                .iter()
                .any(|e| path.ends_with(e));
            if !is_raster {
                continue;
            }
            let decoded = image::load_from_memory(bytes);
            if path.ends_with("scoreboard.jpg") {
                assert!(decoded.is_err(), "the truncated JPEG decoded");
                assert!(
                    image::ImageReader::new(Cursor::new(bytes))
                        .with_guessed_format()
                        .unwrap()
                        .into_dimensions()
                        .is_err()
                );
            } else {
                assert!(decoded.is_ok(), "{path}: {:?}", decoded.err());
                assert!(bytes.len() < 60_000, "{path} is {} bytes", bytes.len());
            }
        }
    }

    #[test]
    fn the_nd_copy_is_served_altered() {
        let tree = demo_tree();
        let field =
            image::load_from_memory(file(tree, "site/images/robotics/field-nd.jpg")).unwrap();
        assert_eq!((field.width(), field.height()), (640, 360));
        assert!(
            String::from_utf8_lossy(file(tree, "ledger.toml"))
                .contains("width = 1200\nheight = 900")
        );
    }

    #[test]
    fn ledgers_parse_and_the_broken_line_is_the_one_named() {
        let tree = demo_tree();
        let ledger: toml::Table =
            toml::from_str(std::str::from_utf8(file(tree, "ledger.toml")).unwrap()).unwrap();
        let assets = ledger["asset"].as_array().unwrap();
        let ids: Vec<&str> = assets.iter().map(|a| a["id"].as_str().unwrap()).collect();
        let mut unique = ids.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(ids.len(), unique.len(), "duplicate asset ids");
        assert!(
            assets
                .iter()
                .find(|a| a["id"].as_str() == Some("library-choir"))
                .unwrap()
                .get("people")
                .is_none()
        );
        toml::from_str::<toml::Table>(std::str::from_utf8(file(tree, "clearance.toml")).unwrap())
            .unwrap();

        let hoodie = sha256_hex(file(tree, "site/images/store/hoodie-front.jpg"));
        assert!(String::from_utf8_lossy(file(tree, "ledger.toml")).contains(&hoodie));

        let mut roster = csv::Reader::from_reader(file(tree, "roster.csv"));
        let header: Vec<String> = roster
            .headers()
            .unwrap()
            .iter()
            .map(str::to_string)
            .collect();
        assert_eq!(
            &header[..9],
            [
                "id",
                "name",
                "minor",
                "consent",
                "scope",
                "signed",
                "signed_by",
                "expires",
                "document"
            ]
        );
        assert_eq!(roster.records().count(), 7);

        let line = BROKEN_LEDGER.lines().nth(BROKEN_LINE - 1).unwrap();
        assert_eq!(line, "consent = \"maybe\"");
        assert!(
            toml::from_str::<toml::Table>(BROKEN_LEDGER).is_ok(),
            "the broken ledger must be valid TOML; only the value is wrong"
        );
    }

    #[test]
    fn expectations_cover_every_image_the_scanned_pages_use() {
        let tree = demo_tree();
        let rows = expectations();
        for row in &rows {
            assert!(
                SCANNED_PAGES.contains(&row.page),
                "{} on unknown page {}",
                row.image,
                row.page
            );
            let html =
                String::from_utf8_lossy(file(tree, &format!("site/{}", row.page))).into_owned();
            assert!(
                line_of(&html, row.image).is_some(),
                "{} not referenced on {}",
                row.image,
                row.page
            );
            let exists = tree.contains_key(&format!("site/{}", row.image));
            let meant_missing =
                row.image.ends_with("finals-banner.jpg") || row.image.starts_with("../");
            assert_eq!(exists, !meant_missing, "{}", row.image);
        }
        // Every image file on the site is expected somewhere, except the draft-only one.
        for path in tree.keys().filter_map(|p| p.strip_prefix("site/")) {
            let is_image = [".jpg", ".png", ".gif", ".webp", ".svg"]
                .iter()
                .any(|e| path.ends_with(e));
            if is_image && !path.starts_with("images/drafts/") {
                assert!(
                    rows.iter().any(|r| r.image == path),
                    "{path} has no expectation"
                );
            }
        }
        // Every rule of SPEC.md is shown at least once.
        for rule in [
            "unknown-provenance",
            "photographer-permission",
            "subject-consent",
            "subject-opt-out",
            "people-unverified",
            "attribution-missing",
            "attribution-incomplete",
            "license-terms",
            "metadata-conflict",
            "location-exposed",
            "consent-expiring",
            "unreadable-image",
        ] {
            assert!(
                rows.iter()
                    .any(|r| r.rule == Some(rule) && r.suppressed.is_none()),
                "{rule} never expected"
            );
        }
    }
}
