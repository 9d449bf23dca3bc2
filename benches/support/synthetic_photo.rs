//! Photo-like synthetic images for fingerprint tests, benchmarks and the
//! whole-run site generator (shared with `#[path]` includes; no real people).
//!
//! A "scene" is a world: a sky/ground gradient split at a horizon, a smooth
//! random field of low-frequency waves, and a handful of soft-edged shapes
//! (people, furniture, trees) in world coordinates. A "shot" is a camera on that
//! world: where it points, how far it zooms, and how far the shapes have moved
//! since the last shot. Two shots of one scene are what a school photographer
//! takes at one event: different photos, much in common.
#![allow(dead_code)] // each includer uses a different part

use image::{Rgb, RgbImage};

/// splitmix64: deterministic, dependency-free, good enough for test pictures.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed ^ 0x5DEE_CE66_D1CE_4E5B)
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in `lo..hi`.
    pub fn range(&mut self, lo: f32, hi: f32) -> f32 {
        lo + (self.next_u64() >> 40) as f32 / (1u64 << 24) as f32 * (hi - lo)
    }
}

struct Wave {
    amplitude: [f32; 3],
    fx: f32,
    fy: f32,
    px: f32,
    py: f32,
}

struct Shape {
    cx: f32,
    cy: f32,
    rx: f32,
    ry: f32,
    color: [f32; 3],
    rectangular: bool,
}

pub struct Scene {
    sky: [f32; 3],
    ground: [f32; 3],
    horizon: f32,
    waves: Vec<Wave>,
    shapes: Vec<Shape>,
    grain_seed: u64,
}

/// Where the camera points for one photo of a scene.
#[derive(Debug, Clone, Copy)]
pub struct Shot {
    /// World coordinates of the frame's top-left corner (the world is about 1.3 wide).
    pub left: f32,
    pub top: f32,
    /// Width of the frame in world units (smaller = zoomed in).
    pub span: f32,
    /// Shapes move by up to this much (world units) between shots; 0 = first shot.
    pub motion: f32,
    pub motion_seed: u64,
}

impl Shot {
    pub const FIRST: Shot = Shot {
        left: 0.15,
        top: 0.15,
        span: 1.0,
        motion: 0.0,
        motion_seed: 0,
    };
}

fn color(rng: &mut Rng) -> [f32; 3] {
    [
        rng.range(20.0, 235.0),
        rng.range(20.0, 235.0),
        rng.range(20.0, 235.0),
    ]
}

impl Scene {
    pub fn new(seed: u64) -> Scene {
        let mut rng = Rng::new(seed);
        let waves = (0..6)
            .map(|_| {
                let a = rng.range(8.0, 30.0);
                Wave {
                    amplitude: [
                        a * rng.range(0.5, 1.5),
                        a * rng.range(0.5, 1.5),
                        a * rng.range(0.5, 1.5),
                    ],
                    fx: rng.range(0.5, 5.0) * std::f32::consts::TAU,
                    fy: rng.range(0.5, 5.0) * std::f32::consts::TAU,
                    px: rng.range(0.0, 6.3),
                    py: rng.range(0.0, 6.3),
                }
            })
            .collect();
        let count = 4 + (rng.next_u64() % 6) as usize;
        let shapes = (0..count)
            .map(|_| Shape {
                cx: rng.range(0.2, 1.1),
                cy: rng.range(0.3, 1.1),
                rx: rng.range(0.04, 0.16),
                ry: rng.range(0.06, 0.25),
                color: color(&mut rng),
                rectangular: rng.next_u64() % 3 == 0,
            })
            .collect();
        Scene {
            sky: color(&mut rng),
            ground: color(&mut rng),
            horizon: rng.range(0.35, 0.75),
            waves,
            shapes,
            grain_seed: rng.next_u64(),
        }
    }

    /// Render one shot at `width`×`height` pixels.
    pub fn render(&self, shot: Shot, width: u32, height: u32) -> RgbImage {
        let mut motion = Rng::new(shot.motion_seed);
        let shapes: Vec<Shape> = self
            .shapes
            .iter()
            .map(|s| Shape {
                cx: s.cx + motion.range(-shot.motion, shot.motion),
                cy: s.cy + motion.range(-shot.motion, shot.motion) * 0.3,
                ..*s
            })
            .collect();
        let scale = shot.span / width as f32;
        // The waves are separable: tabulate sin per column and per row once.
        let xs: Vec<f32> = (0..width).map(|x| shot.left + x as f32 * scale).collect();
        let ys: Vec<f32> = (0..height).map(|y| shot.top + y as f32 * scale).collect();
        let col_terms: Vec<Vec<f32>> = self
            .waves
            .iter()
            .map(|w| xs.iter().map(|x| (w.fx * x + w.px).sin()).collect())
            .collect();
        let row_terms: Vec<Vec<f32>> = self
            .waves
            .iter()
            .map(|w| ys.iter().map(|y| (w.fy * y + w.py).sin()).collect())
            .collect();
        let mut grain = Rng::new(self.grain_seed ^ shot.motion_seed);
        let mut image = RgbImage::new(width, height);
        for (py, y) in ys.iter().enumerate() {
            // Soft horizon: blend sky into ground over a narrow band.
            let t = ((y - self.horizon) * 25.0).clamp(-1.0, 1.0) * 0.5 + 0.5;
            let base: [f32; 3] =
                std::array::from_fn(|c| self.sky[c] * (1.0 - t) + self.ground[c] * t);
            for (px, x) in xs.iter().enumerate() {
                let mut v = base;
                for (k, w) in self.waves.iter().enumerate() {
                    let s = col_terms[k][px] * row_terms[k][py];
                    for (value, amplitude) in v.iter_mut().zip(w.amplitude) {
                        *value += amplitude * s;
                    }
                }
                for s in &shapes {
                    let (dx, dy) = ((x - s.cx) / s.rx, (y - s.cy) / s.ry);
                    let d = if s.rectangular {
                        dx.abs().max(dy.abs())
                    } else {
                        (dx * dx + dy * dy).sqrt()
                    };
                    // Soft edge: full colour inside, fading over 10 % of the radius.
                    let cover = ((1.0 - d) * 10.0).clamp(0.0, 1.0);
                    if cover > 0.0 {
                        let shade = 1.0 - 0.25 * dy; // lit from above
                        for (value, color) in v.iter_mut().zip(s.color) {
                            *value = *value * (1.0 - cover) + color * shade * cover;
                        }
                    }
                }
                // Sensor grain: what makes real JPEGs a realistic size.
                let n = (grain.next_u64() & 0xF) as f32 - 7.5;
                image.put_pixel(
                    px as u32,
                    py as u32,
                    Rgb(std::array::from_fn(|c| (v[c] + n).clamp(0.0, 255.0) as u8)),
                );
            }
        }
        image
    }
}

/// The first shot of scene `seed`: an ordinary, distinct photo.
pub fn photo(seed: u64, width: u32, height: u32) -> RgbImage {
    Scene::new(seed).render(Shot::FIRST, width, height)
}

/// Another photo at the same event as `photo(seed, ..)`: the camera turned by
/// `shift` of a frame and the people moved.
pub fn same_event(seed: u64, shift: f32, width: u32, height: u32) -> RgbImage {
    let shot = Shot {
        left: Shot::FIRST.left + shift,
        top: Shot::FIRST.top + shift * 0.3,
        span: 1.0 - shift * 0.5,
        motion: 0.08,
        motion_seed: seed.wrapping_mul(31).wrapping_add(7),
    };
    Scene::new(seed).render(shot, width, height)
}
